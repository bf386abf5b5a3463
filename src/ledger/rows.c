/*
 * rows.c - every row of the record and the desk in the ledger (docs/internals/ledger.md "Rows").
 *
 * A row's content hash is SHA-256 over the canonical encoding (the ledger's one encoder) of
 * "custodian-row-v1", its table's name and its canonical values (store_rows.h). When an entry
 * is appended, the rows its transaction wrote since the previous entry are hashed and their
 * (key, hash) pairs written to the journal (ledger_rows), table by table; the entry's `rows`
 * column commits to them: for each table, the count and the SHA-256 of the journal bytes.
 * Verification rebuilds, for every covered table, the latest committed hash of each key from
 * the journal (checked against the entries), then reads every row and compares.
 */
#include "custodian/compat.h"
#include "custodian/buf.h"
#include "custodian/ledger.h"
#include "custodian/store_rows.h"
#include "ledger_internal.h"

#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <nettle/sha2.h>
#include <sodium.h>
#include <stdarg.h>

#define H         CUST_TLOG_HASH
#define PART_SIZE (1u << 20) /* bytes of journal per record */

/* ---- writing the journal ----------------------------------------------------------------- */

/* The journal of one table for one entry, written in parts of at most PART_SIZE bytes. */
struct jw {
    struct cust_store *s;
    int64_t seq;
    int table;
    int64_t part, n_part, n;
    struct cust_buf buf;
    struct sha256_ctx sha;
};

static enum cust_status jw_flush(struct jw *w, struct cust_err *err)
{
    struct cust_journal_rec j = {
        w->seq, w->table, w->part, w->n_part, (unsigned char *)w->buf.buf, w->buf.len};
    sha256_update(&w->sha, w->buf.len, (const uint8_t *)w->buf.buf);
    enum cust_status st = cust_store_journal_put(w->s, &j, err);
    w->part++;
    w->n_part = 0;
    cust_buf_reset(&w->buf);
    return st;
}

static enum cust_status jw_add(struct jw *w, const void *key, size_t key_len,
                               const unsigned char hash[H], struct cust_err *err)
{
    unsigned char len[8];
    for (int i = 0; i < 8; i++)
        len[i] = (unsigned char)((uint64_t)key_len >> (56 - 8 * i));
    CUST_ASSERT(cust_buf_append(&w->buf, len, 8) == CUST_OK &&
                cust_buf_append(&w->buf, key, key_len) == CUST_OK &&
                cust_buf_append(&w->buf, hash, H) == CUST_OK);
    w->n++;
    w->n_part++;
    return w->buf.len >= PART_SIZE ? jw_flush(w, err) : CUST_OK;
}

/* Close the table's journal: its last part, and its commitment appended to `rows`. */
static enum cust_status jw_close(struct jw *w, struct cust_buf *rows, struct cust_err *err)
{
    enum cust_status st = w->n_part > 0 ? jw_flush(w, err) : CUST_OK;
    unsigned char d[H];
    char hex[65];
    sha256_digest(&w->sha, H, d);
    cust_tlog_hash_hex(d, hex);
    const struct cust_row_table *t = cust_store_row_tables(NULL);
    CUST_ASSERT(cust_buf_appendf(rows, "%s\"%s\":[%" PRId64 ",\"%s\"]", rows->len > 1 ? "," : "",
                                 t[w->table].name, w->n, hex) == CUST_OK);
    cust_buf_release(&w->buf);
    return st;
}

static void jw_open(struct jw *w, struct cust_store *s, int64_t seq, int table)
{
    memset(w, 0, sizeof(*w));
    w->s = s;
    w->seq = seq;
    w->table = table;
    cust_buf_init(&w->buf, 0);
    sha256_init(&w->sha);
}

static const unsigned char zero_hash[H];

/* Rows written by the transaction, journaled under one entry (or kept for after a backfill). */
struct journaling {
    struct cust_store *s;
    int64_t seq;
    struct jw w;
    bool open;
    struct cust_buf rows; /* the commitment, "{...}" */
    /* a backfill is due: the written rows are kept here first (key, hash by table) */
    bool keep;
    struct cust_buf kept[64];
    struct cust_err *err;
};

static enum cust_status journal_one(struct journaling *j, int table, const void *key,
                                    size_t key_len, const unsigned char hash[H])
{
    if (j->open && j->w.table != table) {
        enum cust_status st = jw_close(&j->w, &j->rows, j->err);
        j->open = false;
        if (st != CUST_OK)
            return st;
    }
    if (!j->open) {
        jw_open(&j->w, j->s, j->seq, table);
        j->open = true;
    }
    return jw_add(&j->w, key, key_len, hash, j->err);
}

static enum cust_status on_written(const struct cust_row *r, void *arg)
{
    struct journaling *j = arg;
    unsigned char h[H];
    if (r->deleted)
        memcpy(h, zero_hash, H);
    else
        cust_row_hash(r, h);
    if (j->keep) { /* the same record layout as the journal */
        struct jw tmp = {.buf = j->kept[r->table]};
        sha256_init(&tmp.sha);
        unsigned char len[8];
        for (int i = 0; i < 8; i++)
            len[i] = (unsigned char)((uint64_t)r->key_len >> (56 - 8 * i));
        CUST_ASSERT(cust_buf_append(&tmp.buf, len, 8) == CUST_OK &&
                    cust_buf_append(&tmp.buf, r->key, r->key_len) == CUST_OK &&
                    cust_buf_append(&tmp.buf, h, H) == CUST_OK);
        j->kept[r->table] = tmp.buf;
        return CUST_OK;
    }
    return journal_one(j, r->table, r->key, r->key_len, h);
}

static enum cust_status journal_finish(struct journaling *j)
{
    enum cust_status st = CUST_OK;
    if (j->open)
        st = jw_close(&j->w, &j->rows, j->err);
    j->open = false;
    CUST_ASSERT(cust_buf_putc(&j->rows, '}') == CUST_OK);
    return st;
}

static int key_order(const unsigned char *a, size_t al, const unsigned char *b, size_t bl);

/* Keys compared as SQLite orders them: an integer key's 8 big-endian bytes with the sign bit
 * flipped compare as the integers do; text by bytes, a prefix first (BINARY collation). */
static void norm_key(int table, const void *key, size_t len, unsigned char *out)
{
    memcpy(out, key, len);
    if (cust_store_row_tables(NULL)[table].int_key && len == 8)
        out[0] ^= 0x80;
}

struct backfill {
    struct journaling *j;
    int64_t n;
    size_t off[64]; /* merge position in each table's kept records (both are by key) */
};

/* Is the row among the written ones kept for the entry after the backfill? */
static bool kept_has(struct backfill *b, int table, const void *key, size_t key_len)
{
    const struct cust_buf *k = &b->j->kept[table];
    unsigned char nk[512], nr[512];
    if (key_len > sizeof(nr))
        return false;
    norm_key(table, key, key_len, nr);
    while (b->off[table] + 8 <= k->len) {
        size_t off = b->off[table];
        uint64_t l = 0;
        for (int i = 0; i < 8; i++)
            l = l << 8 | (unsigned char)k->buf[off + (size_t)i];
        if (l > sizeof(nk))
            return false;
        norm_key(table, k->buf + off + 8, (size_t)l, nk);
        int c = key_order(nk, (size_t)l, nr, key_len);
        if (c == 0)
            return true;
        if (c > 0)
            return false;
        b->off[table] += 8 + (size_t)l + H;
    }
    return false;
}

static enum cust_status on_existing(const struct cust_row *r, void *arg)
{
    struct backfill *b = arg;
    if (r->orphan || kept_has(b, r->table, r->key, r->key_len))
        return CUST_OK; /* an orphan has no row to commit; written rows go with their entry */
    unsigned char h[H];
    cust_row_hash(r, h);
    b->n++;
    return journal_one(b->j, r->table, r->key, r->key_len, h);
}

enum cust_status ledger_journal_rows(struct cust_store *s, int64_t seq, bool backfill, char **rows,
                                     char **backfill_rows, int64_t *backfilled,
                                     struct cust_err *err)
{
    size_t ntab;
    cust_store_row_tables(&ntab);
    CUST_ASSERT(ntab <= 64);
    struct journaling j = {.s = s, .seq = seq, .keep = backfill, .err = err};
    cust_buf_init(&j.rows, 0);
    CUST_ASSERT(cust_buf_putc(&j.rows, '{') == CUST_OK);
    for (size_t t = 0; t < ntab; t++)
        cust_buf_init(&j.kept[t], 0);
    *rows = NULL;
    if (backfill_rows)
        *backfill_rows = NULL;
    enum cust_status st = cust_store_rows_written(s, on_written, &j, err);
    if (st == CUST_OK && backfill) {
        /* every row from before: committed by the migration's entry, `seq` */
        struct backfill b = {&j, 0, {0}};
        j.keep = false;
        for (size_t t = 0; st == CUST_OK && t < ntab; t++)
            st = cust_store_rows_each(s, (int)t, on_existing, &b, err);
        if (st == CUST_OK)
            st = journal_finish(&j);
        if (st == CUST_OK) {
            *backfill_rows = cust_buf_detach(&j.rows, NULL);
            *backfilled = b.n;
        }
        /* then the written rows, under the next entry */
        cust_buf_init(&j.rows, 0);
        CUST_ASSERT(cust_buf_putc(&j.rows, '{') == CUST_OK);
        j.seq = seq + 1;
        for (size_t t = 0; st == CUST_OK && t < ntab; t++) {
            const struct cust_buf *k = &j.kept[t];
            size_t off = 0;
            while (st == CUST_OK && off + 8 <= k->len) {
                uint64_t l = 0;
                for (int i = 0; i < 8; i++)
                    l = l << 8 | (unsigned char)k->buf[off + (size_t)i];
                st = journal_one(&j, (int)t, k->buf + off + 8, (size_t)l,
                                 (const unsigned char *)k->buf + off + 8 + l);
                off += 8 + l + H;
            }
        }
    }
    if (st == CUST_OK)
        st = journal_finish(&j);
    else if (j.open)
        cust_buf_release(&j.w.buf);
    for (size_t t = 0; t < ntab; t++)
        cust_buf_release(&j.kept[t]);
    if (st == CUST_OK)
        *rows = cust_buf_detach(&j.rows, NULL);
    cust_buf_release(&j.rows);
    if (st != CUST_OK && backfill_rows) {
        free(*backfill_rows);
        *backfill_rows = NULL;
    }
    return st;
}

/* ---- reading the commitments ----------------------------------------------------------- */

/* An entry's commitment to one table: count and digest (hex); false when absent. */
static bool commitment(json_t *rows, const char *table, int64_t *n, const char **hex)
{
    json_t *c = json_object_get(rows, table);
    if (!json_is_array(c) || json_array_size(c) != 2 || !json_is_integer(json_array_get(c, 0)) ||
        !json_is_string(json_array_get(c, 1)))
        return false;
    *n = json_integer_value(json_array_get(c, 0));
    *hex = json_string_value(json_array_get(c, 1));
    return true;
}

/* ---- verification ------------------------------------------------------------------------ */

struct latest {
    const unsigned char *key; /* into the key arena (offset until fixed) */
    size_t key_off, key_len;
    int64_t seq;
    unsigned char hash[H];
    int writes;
};

struct vrows {
    struct cust_store *s;
    struct cust_ledger_rows_report *rep;
    json_t **commit; /* by seq: the parsed `rows` of entry seq (NULL: v1 or none) */
    int64_t entries;
    int table;
    /* the journal of the current table, grouped by entry */
    int64_t g_seq, g_n;
    struct sha256_ctx g_sha;
    bool g_open;
    unsigned char *seen_seq; /* entries whose journal of this table was found */
    /* latest committed hash by key */
    struct latest *lt;
    size_t nlt, caplt;
    struct cust_buf keys;
    size_t cursor; /* merge position during the row scan */
    size_t cap_problems;
    int64_t rows;
    struct cust_err *err;
};

static void problem(struct vrows *v, enum cust_row_problem kind, int table, const void *key,
                    size_t key_len, int64_t seq, const char *fmt, ...) CUST_PRINTF(7, 8);

/* The name of a row: "<table> id N (label)" or "<table> 'key' (label)". */
static void row_name(struct vrows *v, int table, const void *key, size_t key_len, char *out,
                     size_t cap, int64_t *id_out)
{
    const struct cust_row_table *t = cust_store_row_tables(NULL);
    char *label = NULL;
    struct cust_err e = CUST_ERR_INIT;
    (void)cust_store_row_label(v->s, table, key, key_len, &label, &e);
    int64_t id = 0;
    if (t[table].int_key && key_len == 8) {
        for (int i = 0; i < 8; i++)
            id = (int64_t)((uint64_t)id << 8 | ((const unsigned char *)key)[i]);
        snprintf(out, cap, "%s id %" PRId64 "%s%s%s", t[table].name, id, label ? " (" : "",
                 label ? label : "", label ? ")" : "");
    } else {
        snprintf(out, cap, "%s '%.*s'%s%s%s", t[table].name, (int)(key_len > 100 ? 100 : key_len),
                 (const char *)key, label ? " (" : "", label ? label : "", label ? ")" : "");
    }
    if (id_out)
        *id_out = id;
    free(label);
}

static void problem(struct vrows *v, enum cust_row_problem kind, int table, const void *key,
                    size_t key_len, int64_t seq, const char *fmt, ...)
{
    struct cust_ledger_rows_report *rep = v->rep;
    rep->bad++;
    if (rep->nproblems >= rep->max)
        return;
    if (rep->nproblems == v->cap_problems) {
        v->cap_problems = v->cap_problems ? v->cap_problems * 2 : 16;
        rep->problems = cust_xrealloc(rep->problems, v->cap_problems * sizeof(*rep->problems));
    }
    struct cust_ledger_row_problem *p = &rep->problems[rep->nproblems++];
    memset(p, 0, sizeof(*p));
    p->kind = kind;
    p->table = table;
    p->seq = seq;
    char name[256] = "";
    if (table >= 0 && key) {
        row_name(v, table, key, key_len, name, sizeof(name), &p->id);
        size_t n = key_len < sizeof(p->key) - 1 ? key_len : sizeof(p->key) - 1;
        const struct cust_row_table *t = cust_store_row_tables(NULL);
        if (t[table].int_key)
            snprintf(p->key, sizeof(p->key), "%" PRId64, p->id);
        else {
            memcpy(p->key, key, n);
            p->key[n] = '\0';
        }
    }
    char why[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    snprintf(p->message, sizeof(p->message), "%s%s%s", name, name[0] ? ": " : "", why);
}

static bool full(const struct vrows *v)
{
    return v->rep->nproblems >= v->rep->max;
}

/* The end of one entry's journal of the current table: compare with its commitment. */
static void group_end(struct vrows *v)
{
    if (!v->g_open)
        return;
    v->g_open = false;
    const struct cust_row_table *t = cust_store_row_tables(NULL);
    int64_t n;
    const char *hex;
    json_t *c = v->g_seq >= 1 && v->g_seq <= v->entries ? v->commit[v->g_seq] : NULL;
    if (!c || !commitment(c, t[v->table].name, &n, &hex)) {
        problem(v, CUST_ROW_JOURNAL, v->table, NULL, 0, v->g_seq,
                "%s: journal records of entry %" PRId64 " that the entry does not commit to"
                " (inserted)",
                t[v->table].name, v->g_seq);
        return;
    }
    v->seen_seq[v->g_seq] = 1;
    unsigned char d[H];
    char got[65];
    sha256_digest(&v->g_sha, H, d);
    cust_tlog_hash_hex(d, got);
    if (n != v->g_n || strcmp(got, hex) != 0)
        problem(v, CUST_ROW_JOURNAL, v->table, NULL, 0, v->g_seq,
                "%s: the journal of entry %" PRId64 " (%" PRId64
                " rows) does not match the entry (%" PRId64 " rows): changed",
                t[v->table].name, v->g_seq, v->g_n, n);
}

static enum cust_status on_journal(const struct cust_journal_rec *j, void *arg)
{
    struct vrows *v = arg;
    if (!v->g_open || j->seq != v->g_seq) {
        group_end(v);
        v->g_open = true;
        v->g_seq = j->seq;
        v->g_n = 0;
        sha256_init(&v->g_sha);
    }
    if (j->len)
        sha256_update(&v->g_sha, j->len, j->blob);
    v->g_n += j->n;
    /* the records: key length, key, hash */
    size_t off = 0;
    int64_t got = 0;
    while (off + 8 <= j->len) {
        uint64_t l = 0;
        for (int i = 0; i < 8; i++)
            l = l << 8 | j->blob[off + (size_t)i];
        if (l > j->len - off - 8 || j->len - off - 8 - l < H)
            break;
        if (v->nlt == v->caplt) {
            v->caplt = v->caplt ? v->caplt * 2 : 1024;
            v->lt = cust_xrealloc(v->lt, v->caplt * sizeof(*v->lt));
        }
        struct latest *x = &v->lt[v->nlt++];
        x->key_off = v->keys.len;
        x->key_len = (size_t)l;
        CUST_ASSERT(cust_buf_append(&v->keys, j->blob + off + 8, (size_t)l) == CUST_OK);
        norm_key(v->table, j->blob + off + 8, (size_t)l, (unsigned char *)v->keys.buf + x->key_off);
        x->seq = j->seq;
        memcpy(x->hash, j->blob + off + 8 + l, H);
        x->writes = 1;
        off += 8 + (size_t)l + H;
        got++;
    }
    if (off != j->len || got != j->n)
        problem(v, CUST_ROW_JOURNAL, v->table, NULL, 0, j->seq,
                "a journal record of entry %" PRId64 " is malformed (changed)", j->seq);
    return CUST_OK;
}

/* Normalised keys (norm_key) in SQLite's order. */
static int key_order(const unsigned char *a, size_t al, const unsigned char *b, size_t bl)
{
    size_t n = al < bl ? al : bl;
    int c = memcmp(a, b, n);
    return c ? c : al < bl ? -1 : al > bl;
}

static int cmp_latest(const void *pa, const void *pb)
{
    const struct latest *a = pa, *b = pb;
    int c = key_order(a->key, a->key_len, b->key, b->key_len);
    if (c)
        return c;
    if (a->seq != b->seq)
        return a->seq < b->seq ? -1 : 1;
    return a->key_off < b->key_off ? -1 : a->key_off > b->key_off; /* journal order */
}

/* A committed key the scan passed without finding its row. */
static void passed(struct vrows *v, const struct latest *x)
{
    if (memcmp(x->hash, zero_hash, H) == 0)
        return; /* deleted, and committed as deleted */
    unsigned char k[512];
    size_t kl = x->key_len < sizeof(k) ? x->key_len : sizeof(k);
    norm_key(v->table, x->key, kl, k); /* (its own inverse) */
    problem(v, CUST_ROW_DELETED, v->table, k, kl, x->seq,
            "deleted (entry %" PRId64 " committed it; it is gone)", x->seq);
}

static enum cust_status on_row(const struct cust_row *r, void *arg)
{
    struct vrows *v = arg;
    const struct cust_row_table *t = cust_store_row_tables(NULL);
    unsigned char nk[512];
    size_t nl = r->key_len < sizeof(nk) ? r->key_len : sizeof(nk);
    norm_key(v->table, r->key, nl, nk);
    while (v->cursor < v->nlt &&
           key_order(v->lt[v->cursor].key, v->lt[v->cursor].key_len, nk, nl) < 0)
        passed(v, &v->lt[v->cursor++]);
    if (r->orphan) {
        problem(v, CUST_ROW_INSERTED, v->table, r->key, r->key_len, 0,
                "%s rows of a %s row that does not exist: no entry commits to them (inserted)",
                r->orphan, t[v->table].name);
        return full(v) ? CUST_EINTEGRITY : CUST_OK;
    }
    v->rows++;
    bool have = v->cursor < v->nlt &&
                key_order(v->lt[v->cursor].key, v->lt[v->cursor].key_len, nk, nl) == 0;
    if (!have) {
        problem(v, CUST_ROW_INSERTED, v->table, r->key, r->key_len, 0,
                "no ledger entry commits to it (inserted)");
        return full(v) ? CUST_EINTEGRITY : CUST_OK;
    }
    const struct latest *x = &v->lt[v->cursor++];
    unsigned char h[H];
    cust_row_hash(r, h);
    if (memcmp(x->hash, zero_hash, H) == 0)
        problem(v, CUST_ROW_INSERTED, v->table, r->key, r->key_len, x->seq,
                "entry %" PRId64 " committed its deletion; it exists (inserted)", x->seq);
    else if (sodium_memcmp(h, x->hash, H) != 0)
        problem(v, CUST_ROW_CHANGED, v->table, r->key, r->key_len, x->seq,
                "content does not match entry %" PRId64, x->seq);
    else if (t[v->table].append_only && x->writes > 1)
        problem(v, CUST_ROW_REWRITTEN, v->table, r->key, r->key_len, x->seq,
                "written %d times; rows of %s are written once (rewritten, last by entry %" PRId64
                ")",
                x->writes, t[v->table].name, x->seq);
    return full(v) ? CUST_EINTEGRITY : CUST_OK;
}

static enum cust_status on_commit_entry(const struct cust_ledger_row *r, void *arg)
{
    struct vrows *v = arg;
    if (r->seq < 1 || r->seq > v->entries)
        return CUST_OK;
    if (r->rows) {
        v->rep->v2_entries++;
        v->commit[r->seq] = json_loads(r->rows, 0, NULL);
        if (!v->commit[r->seq])
            v->commit[r->seq] = json_object(); /* unparsable: commits to nothing */
    } else if (v->rep->v2_entries) {
        problem(v, CUST_ROW_JOURNAL, -1, NULL, 0, r->seq,
                "entry %" PRId64 " is in the format from before schema 9, after entries in the "
                "new one (rewritten)",
                r->seq);
    }
    return CUST_OK;
}

static enum cust_status on_derived(const char *what, void *arg)
{
    struct vrows *v = arg;
    problem(v, CUST_ROW_DERIVED, -1, NULL, 0, 0, "%s (changed)", what);
    return full(v) ? CUST_EINTEGRITY : CUST_OK;
}

static enum cust_status verify_table(struct vrows *v, int table)
{
    const struct cust_row_table *t = cust_store_row_tables(NULL);
    v->table = table;
    v->nlt = 0;
    v->cursor = 0;
    v->g_open = false;
    cust_buf_reset(&v->keys);
    memset(v->seen_seq, 0, (size_t)v->entries + 1);
    enum cust_status st = cust_store_journal_each(v->s, table, 0, on_journal, v, v->err);
    if (st != CUST_OK)
        return st;
    group_end(v);
    /* entries that commit to rows of this table whose journal is gone */
    for (int64_t q = 1; q <= v->entries && !full(v); q++) {
        int64_t n;
        const char *hex;
        if (v->commit[q] && !v->seen_seq[q] && commitment(v->commit[q], t[table].name, &n, &hex))
            problem(v, CUST_ROW_JOURNAL, table, NULL, 0, q,
                    "%s: the journal of entry %" PRId64 " (%" PRId64 " rows) is gone (deleted)",
                    t[table].name, q, n);
    }
    for (size_t i = 0; i < v->nlt; i++)
        v->lt[i].key = (const unsigned char *)v->keys.buf + v->lt[i].key_off;
    if (v->nlt > 1)
        qsort(v->lt, v->nlt, sizeof(*v->lt), cmp_latest);
    /* keep the last write of each key, counting the writes */
    size_t m = 0;
    for (size_t i = 0; i < v->nlt; i++) {
        if (m > 0 && key_order(v->lt[m - 1].key, v->lt[m - 1].key_len, v->lt[i].key,
                               v->lt[i].key_len) == 0) {
            int w = v->lt[m - 1].writes + 1;
            v->lt[m - 1] = v->lt[i];
            v->lt[m - 1].writes = w;
        } else {
            v->lt[m++] = v->lt[i];
        }
    }
    v->nlt = m;
    if (full(v))
        return CUST_OK;
    st = cust_store_rows_each(v->s, table, on_row, v, v->err);
    if (st == CUST_EINTEGRITY && full(v))
        return CUST_OK;
    while (st == CUST_OK && v->cursor < v->nlt && !full(v))
        passed(v, &v->lt[v->cursor++]);
    return st;
}

static enum cust_status verify_rows(struct cust_store *s, size_t max_problems,
                                    struct cust_ledger_rows_report *rep, struct cust_err *err)
{
    rep->max = max_problems ? max_problems : 1;
    int64_t head = 0;
    char hh[65];
    enum cust_status st = cust_store_ledger_head(s, &head, hh, err);
    if (st != CUST_OK)
        return st;
    struct vrows v = {.s = s, .rep = rep, .entries = head, .err = err};
    v.commit = cust_xcalloc((size_t)head + 1, sizeof(*v.commit));
    v.seen_seq = cust_xcalloc((size_t)head + 1, 1);
    cust_buf_init(&v.keys, 0);
    int64_t hs;
    st = cust_store_ledger_each(s, on_commit_entry, &v, &hs, hh, err);
    size_t ntab;
    cust_store_row_tables(&ntab);
    if (st == CUST_OK && head > 0 && rep->v2_entries == 0) {
        /* no entry since schema 9: the rows are not committed yet; the next write does it */
        rep->legacy = true;
    } else {
        for (size_t t = 0; st == CUST_OK && t < ntab && !full(&v); t++)
            st = verify_table(&v, (int)t);
        if (st == CUST_OK && !full(&v))
            st = cust_store_rows_derived(s, on_derived, &v, err);
        if (st == CUST_EINTEGRITY && full(&v))
            st = CUST_OK;
    }
    rep->rows = v.rows;
    for (int64_t q = 0; q <= head; q++)
        json_decref(v.commit[q]);
    free(v.commit);
    free(v.seen_seq);
    free(v.lt);
    cust_buf_release(&v.keys);
    if (st == CUST_OK && rep->bad)
        return cust_err_set(err, CUST_EINTEGRITY, "%s", rep->problems[0].message);
    return st;
}

void cust_ledger_rows_report_release(struct cust_ledger_rows_report *rep)
{
    free(rep->problems);
    rep->problems = NULL;
    rep->nproblems = 0;
}

/* ---- one row against its entry (the desk, before acting on it) ---------------------------- */

struct one {
    const void *key;
    size_t key_len;
    bool found_row;
    unsigned char row_hash[H];
    int64_t seq; /* the latest journal record of the key */
    unsigned char hash[H];
    int writes;
    /* the digest of the latest record's entry group */
    int64_t g_seq, g_n;
    struct sha256_ctx g_sha;
    bool g_done;
};

static enum cust_status on_one_row(const struct cust_row *r, void *arg)
{
    struct one *o = arg;
    o->found_row = true;
    cust_row_hash(r, o->row_hash);
    return CUST_OK;
}

static enum cust_status on_one_journal(const struct cust_journal_rec *j, void *arg)
{
    struct one *o = arg;
    size_t off = 0;
    while (off + 8 <= j->len) {
        uint64_t l = 0;
        for (int i = 0; i < 8; i++)
            l = l << 8 | j->blob[off + (size_t)i];
        if (l > j->len - off - 8 || j->len - off - 8 - l < H)
            break;
        if (l == o->key_len && memcmp(j->blob + off + 8, o->key, o->key_len) == 0) {
            o->seq = j->seq;
            memcpy(o->hash, j->blob + off + 8 + l, H);
            o->writes++;
        }
        off += 8 + (size_t)l + H;
    }
    return CUST_OK;
}

static enum cust_status on_group(const struct cust_journal_rec *j, void *arg)
{
    struct one *o = arg;
    if (j->len)
        sha256_update(&o->g_sha, j->len, j->blob);
    o->g_n += j->n;
    return CUST_OK;
}

struct entry_pick {
    char rows_copy[1]; /* unused */
    char *rows;
    char hash[65];
    char stored[65];
    bool v2;
};

static enum cust_status on_pick(const struct cust_ledger_row *r, void *arg)
{
    struct entry_pick *p = arg;
    p->rows = r->rows ? cust_xstrdup(r->rows) : NULL;
    cust_ledger_hash(r, p->hash);
    snprintf(p->stored, sizeof(p->stored), "%s", r->hash ? r->hash : "");
    return CUST_OK;
}

static enum cust_status on_next(const struct cust_ledger_row *r, void *arg)
{
    char *prev = arg;
    snprintf(prev, 65, "%s", r->prev_hash ? r->prev_hash : "");
    return CUST_OK;
}

/* every read from one snapshot: rows, journal and entries written meanwhile by another
 * connection are not half seen */
enum cust_status cust_ledger_verify_rows(struct cust_store *s, size_t max_problems,
                                         struct cust_ledger_rows_report *rep, struct cust_err *err)
{
    memset(rep, 0, sizeof(*rep));
    enum cust_status st = cust_store_snapshot_begin(s, err);
    if (st != CUST_OK)
        return st;
    st = verify_rows(s, max_problems, rep, err);
    cust_store_snapshot_end(s);
    return st;
}

static enum cust_status check_row(struct cust_store *s, const char *table, const void *key,
                                  size_t key_len, int64_t *seq_out, struct cust_err *err);

enum cust_status cust_ledger_check_row(struct cust_store *s, const char *table, const void *key,
                                       size_t key_len, int64_t *seq_out, struct cust_err *err)
{
    if (seq_out)
        *seq_out = 0;
    enum cust_status st = cust_store_snapshot_begin(s, err);
    if (st != CUST_OK)
        return st;
    st = check_row(s, table, key, key_len, seq_out, err);
    cust_store_snapshot_end(s);
    return st;
}

static enum cust_status check_row(struct cust_store *s, const char *table, const void *key,
                                  size_t key_len, int64_t *seq_out, struct cust_err *err)
{
    int t = cust_store_row_table(table);
    if (t < 0)
        return cust_err_set(err, CUST_EINVAL, "'%s' is not a table the ledger covers", table);
    struct one o = {.key = key, .key_len = key_len};
    enum cust_status st = cust_store_row_get(s, t, key, key_len, on_one_row, &o, err);
    if (st != CUST_OK)
        return st;
    if ((st = cust_store_journal_each(s, t, 0, on_one_journal, &o, err)) != CUST_OK)
        return st;
    if (o.writes == 0)
        return cust_err_set(err, CUST_EINTEGRITY, "no ledger entry commits to it (inserted)");
    if (seq_out)
        *seq_out = o.seq;
    if (sodium_memcmp(o.row_hash, o.hash, H) != 0)
        return cust_err_set(err, CUST_EINTEGRITY, "content does not match entry %" PRId64, o.seq);
    const struct cust_row_table *tab = cust_store_row_tables(NULL);
    if (tab[t].append_only && o.writes > 1)
        return cust_err_set(err, CUST_EINTEGRITY,
                            "written %d times (rewritten, last by entry %" PRId64 ")", o.writes,
                            o.seq);
    /* the journal group of that entry against the entry's commitment */
    sha256_init(&o.g_sha);
    if ((st = cust_store_journal_each(s, t, o.seq, on_group, &o, err)) != CUST_OK)
        return st;
    unsigned char d[H];
    char got[65];
    sha256_digest(&o.g_sha, H, d);
    cust_tlog_hash_hex(d, got);
    struct entry_pick p = {0};
    if ((st = cust_store_ledger_entry(s, o.seq, on_pick, &p, err)) != CUST_OK)
        return st == CUST_ENOTFOUND
                   ? cust_err_set(err, CUST_EINTEGRITY, "entry %" PRId64 " is gone", o.seq)
                   : st;
    json_t *rows = p.rows ? json_loads(p.rows, 0, NULL) : NULL;
    int64_t n;
    const char *hex;
    bool ok = rows && commitment(rows, table, &n, &hex) && n == o.g_n && strcmp(hex, got) == 0;
    json_decref(rows);
    free(p.rows);
    if (!ok)
        return cust_err_set(err, CUST_EINTEGRITY,
                            "the journal of entry %" PRId64 " does not match the entry", o.seq);
    if (strcmp(p.hash, p.stored) != 0)
        return cust_err_set(err, CUST_EINTEGRITY, "entry %" PRId64 " was changed", o.seq);
    /* and the entry is still in the chain: the next one (or the head) links to it */
    int64_t head;
    char hh[65], prev[65] = "";
    if ((st = cust_store_ledger_head(s, &head, hh, err)) != CUST_OK)
        return st;
    if (o.seq == head)
        snprintf(prev, sizeof(prev), "%s", hh);
    else if (cust_store_ledger_entry(s, o.seq + 1, on_next, prev, err) != CUST_OK)
        prev[0] = '\0';
    if (strcmp(prev, p.hash) != 0)
        return cust_err_set(err, CUST_EINTEGRITY,
                            "entry %" PRId64 " is not linked from the entry after it", o.seq);
    return CUST_OK;
}

enum cust_status cust_ledger_check_row_id(struct cust_store *s, const char *table, int64_t id,
                                          int64_t *seq, struct cust_err *err)
{
    unsigned char key[8];
    for (int i = 0; i < 8; i++)
        key[i] = (unsigned char)((uint64_t)id >> (56 - 8 * i));
    return cust_ledger_check_row(s, table, key, sizeof(key), seq, err);
}
