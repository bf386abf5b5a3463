/*
 * store_postgres_rows.c - the covered rows and the journal of their hashes on PostgreSQL
 * (store_rows.h, docs/internals/ledger.md "Rows", docs/internals/store-postgresql.md).
 *
 * The same catalog as SQLite's (store_rows_catalog.c: the canonical columns, children, labels,
 * one text for both), read in binary form so that an integer is the 8 bytes PostgreSQL holds
 * and a real its IEEE double: the canonical values, and so the hashes, are those of SQLite.
 * A table is read whole (one result for the rows, one per child table) and merged by key as
 * the SQLite backend merges its cursors.
 */
#include "custodian/compat.h"
#include "custodian/buf.h"
#include "custodian/namekey.h"
#include "store_postgres.h"
#include "store_rows_sql.h"

#include <inttypes.h>

/* PostgreSQL's type oids (pg_type.dat) the canonical values need. */
#define OID_BOOL   16
#define OID_BYTEA  17
#define OID_INT8   20
#define OID_INT2   21
#define OID_INT4   23
#define OID_FLOAT4 700
#define OID_FLOAT8 701

static const char derived_sql[] =
    "SELECT b.booking_number, p.id, b.search_last, b.search_first, b.key_last, b.key_first,"
    " p.last_name, p.first_name FROM bookings b JOIN persons p ON p.id = b.person_id"
    " ORDER BY b.id";
static const char cput_sql[] =
    "INSERT INTO checkpoints(size, root, at, note) VALUES(?1, ?2, ?3, ?4)";
static const char clast_sql[] =
    "SELECT size, root, at, note FROM checkpoints ORDER BY id DESC LIMIT 1";
static const char jput_sql[] =
    "INSERT INTO ledger_rows(seq, tbl, part, n, hashes) VALUES(?1, ?2, ?3, ?4, ?5)";
static const char jeach_sql[] = "SELECT seq, tbl, part, n, hashes FROM ledger_rows"
                                " WHERE (?1::text IS NULL OR tbl = ?1) AND (?2 = 0 OR seq = ?2)"
                                " ORDER BY seq, id";

/* ---- state: what the transaction wrote -------------------------------------------------- */

struct rstate {
    struct cust_rows_written written;
    struct cust_val *vals;
    size_t nvals, capvals;
    /* bytes of child rows copied out of a cursor's batch (push_copy): vals[fix[j]].p holds
     * an offset into `copies` until fix_copies makes it a pointer */
    struct cust_buf copies;
    size_t *fix, nfix, capfix;
};

static struct rstate *state(void *impl)
{
    void **slot = cust_pg_rows_slot(impl);
    if (!*slot) {
        struct rstate *r = cust_xcalloc(1, sizeof(struct rstate));
        cust_buf_init(&r->copies, 0);
        *slot = r;
    }
    return *slot;
}

void cust_pg_rows_free(void *p)
{
    struct rstate *r = p;
    if (!r)
        return;
    cust_rows_written_free(&r->written);
    free(r->vals);
    cust_buf_release(&r->copies);
    free(r->fix);
    free(r);
}

void cust_pg_rows_track(void *impl, int t, int64_t id, const char *text)
{
    cust_rows_written_add(&state(impl)->written, t, id, text);
}

void cust_pg_rows_keep_hash(void *impl, int t, const struct cust_val *v, size_t n)
{
    cust_rows_written_keep_hash(&state(impl)->written, t, v, n);
}

void cust_pg_rows_forget(void *impl)
{
    cust_rows_written_clear(&state(impl)->written);
}

/* ---- binary values ---------------------------------------------------------------------- */

static uint64_t be(const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

/* Column c of row i of a binary result as a canonical value (bytes borrowed from the result). */
static struct cust_val val_of(const PGresult *res, int i, int c)
{
    struct cust_val v = {0};
    if (PQgetisnull(res, i, c))
        return v;
    const unsigned char *p = (const unsigned char *)PQgetvalue(res, i, c);
    int len = PQgetlength(res, i, c);
    switch (PQftype(res, c)) {
    case OID_INT8:
    case OID_INT4:
    case OID_INT2:
        v.kind = CUST_VAL_INT;
        v.i = (int64_t)be(p, len);
        if (len < 8 && (p[0] & 0x80)) /* sign-extend */
            v.i = (int64_t)(be(p, len) | ~(uint64_t)0 << (8 * len));
        return v;
    case OID_BOOL:
        v.kind = CUST_VAL_INT;
        v.i = p[0] != 0;
        return v;
    case OID_FLOAT8: {
        uint64_t u = be(p, 8);
        v.kind = CUST_VAL_REAL;
        memcpy(&v.r, &u, sizeof(v.r));
        return v;
    }
    case OID_FLOAT4: {
        uint32_t u = (uint32_t)be(p, 4);
        float f;
        memcpy(&f, &u, sizeof(f));
        v.kind = CUST_VAL_REAL;
        v.r = f;
        return v;
    }
    default: /* text (ctext) and bytea: their bytes */
        v.kind = CUST_VAL_BYTES;
        v.p = p;
        v.len = (size_t)len;
        return v;
    }
}

static void push(struct rstate *r, struct cust_val v)
{
    if (r->nvals == r->capvals) {
        r->capvals = r->capvals ? r->capvals * 2 : 64;
        r->vals = cust_xrealloc(r->vals, r->capvals * sizeof(*r->vals));
    }
    r->vals[r->nvals++] = v;
}

/* push, the bytes copied: they point into a cursor's batch, which the next fetch frees. */
static void push_copy(struct rstate *r, struct cust_val v)
{
    if (v.kind == CUST_VAL_BYTES) {
        size_t off = r->copies.len;
        cust_buf_append(&r->copies, v.p, v.len);
        v.p = (const void *)(uintptr_t)off;
        if (r->nfix == r->capfix) {
            r->capfix = r->capfix ? r->capfix * 2 : 16;
            r->fix = cust_xrealloc(r->fix, r->capfix * sizeof(*r->fix));
        }
        r->fix[r->nfix++] = r->nvals;
    }
    push(r, v);
}

/* The copied values' offsets made pointers, once no more bytes are copied for the row. */
static void fix_copies(struct rstate *r)
{
    for (size_t j = 0; j < r->nfix; j++)
        r->vals[r->fix[j]].p = r->copies.buf + (uintptr_t)r->vals[r->fix[j]].p;
    r->nfix = 0;
}

/* Compare the key in column 0 of row i with (id | text). */
static int key_cmp(const PGresult *res, int i, bool int_key, int64_t id, const char *text)
{
    struct cust_val k = val_of(res, i, 0);
    if (int_key)
        return k.i < id ? -1 : k.i > id;
    size_t tl = strlen(text);
    int c = memcmp(k.p, text, k.len < tl ? k.len : tl);
    return c ? c : (k.len > tl) - (k.len < tl);
}

/* The key of row i (column 0) as an id and a NUL-terminated text (*text: a new string). */
static void key_of(const PGresult *res, int i, bool int_key, int64_t *id, char **text)
{
    struct cust_val k = val_of(res, i, 0);
    *id = int_key ? k.i : 0;
    *text = int_key ? NULL : cust_xstrndup(k.p ? (const char *)k.p : "", k.len);
}

/* The children of key (id | text) at cursor k: name, count, their columns. */
static enum cust_status take_kids(struct rstate *r, const char *name, struct cust_pg_cursor *k,
                                  bool int_key, int64_t id, const char *text, struct cust_err *err)
{
    push(r, (struct cust_val){.kind = CUST_VAL_BYTES, .p = name, .len = strlen(name)});
    size_t cnt = r->nvals;
    push(r, (struct cust_val){.kind = CUST_VAL_INT});
    int64_t n = 0;
    const PGresult *kr;
    int i;
    enum cust_status s;
    while ((s = cust_pg_cursor_peek(k, &kr, &i, err)) == CUST_OK && kr &&
           key_cmp(kr, i, int_key, id, text) == 0) {
        /* the values point into the batch: copied before the cursor may fetch the next */
        for (int c = 1; c < PQnfields(kr); c++)
            push_copy(r, val_of(kr, i, c));
        n++;
        cust_pg_cursor_skip(k);
    }
    r->vals[cnt].i = n;
    return s;
}

/* Children before key (id | text) have no parent: each parent key once, as an orphan. */
static enum cust_status orphans(struct cust_pg_cursor *k, int t, const char *name, bool upto,
                                int64_t id, const char *text, cust_row_fn fn, void *arg,
                                struct cust_err *err)
{
    bool ik = cust_row_tables_of[t].int_key;
    enum cust_status s;
    unsigned char kb[8];
    const PGresult *kr;
    int i;
    while ((s = cust_pg_cursor_peek(k, &kr, &i, err)) == CUST_OK && kr &&
           (!upto || key_cmp(kr, i, ik, id, text) < 0)) {
        int64_t oid;
        char *otext;
        key_of(kr, i, ik, &oid, &otext);
        struct cust_row orow = {.table = t, .id = oid, .orphan = name};
        cust_row_key_bytes(ik, oid, otext ? otext : "", kb, &orow.key, &orow.key_len);
        s = fn(&orow, arg);
        while (s == CUST_OK && (s = cust_pg_cursor_peek(k, &kr, &i, err)) == CUST_OK && kr &&
               key_cmp(kr, i, ik, oid, otext) == 0)
            cust_pg_cursor_skip(k);
        free(otext);
        if (s != CUST_OK)
            break;
    }
    return s;
}

/* Emit row i of `res` (table t) with its children from the cursors. */
static enum cust_status emit(struct rstate *r, int t, const PGresult *res, int i,
                             struct cust_pg_cursor *kids, cust_row_fn fn, void *arg,
                             struct cust_err *err)
{
    const struct cust_row_ctab *c = &cust_row_catalog[t];
    bool ik = cust_row_tables_of[t].int_key;
    int64_t id;
    char *text;
    key_of(res, i, ik, &id, &text);
    r->nvals = 0;
    r->nfix = 0;
    cust_buf_reset(&r->copies);
    for (int col = 0; col < PQnfields(res); col++)
        push(r, val_of(res, i, col));
    enum cust_status s = CUST_OK;
    for (int k = 0; s == CUST_OK && k < 2 && c->child[k].name; k++)
        s = take_kids(r, c->child[k].name, &kids[k], ik, id, text, err);
    if (s == CUST_OK) {
        fix_copies(r);
        unsigned char kb[8];
        struct cust_row row = {.table = t, .id = id, .v = r->vals, .n = r->nvals};
        cust_row_key_bytes(ik, id, text, kb, &row.key, &row.key_len);
        s = fn(&row, arg);
    }
    free(text);
    return s;
}

/* Run `sql` and its children's `kid` statements (parameters `p`) and emit the rows of table t
 * with their children; `all`: every row (children without a parent are emitted as orphans);
 * `whole`: each answer read in one result (a key, a range of ids), else through cursors. */
static enum cust_status read_with(void *impl, int t, const char *sql, const char *const kid[2],
                                  const struct cust_pg_params *p, bool all, bool whole,
                                  cust_row_fn fn, void *arg, bool *found, struct cust_err *err)
{
    struct cust_pg *g = cust_pg_conn(impl);
    struct rstate *r = state(impl);
    const struct cust_row_ctab *c = &cust_row_catalog[t];
    const char *what = cust_row_tables_of[t].name;
    bool ik = cust_row_tables_of[t].int_key;
    struct cust_pg_cursor rows, kids[2] = {{0}};
    int nkids = 0;
    enum cust_status s = whole ? cust_pg_cursor_of(g, sql, p, true, &rows, err, what)
                               : cust_pg_cursor_open(g, sql, p, true, &rows, err, what);
    if (s != CUST_OK)
        return CUST_EDB;
    for (; s == CUST_OK && nkids < 2 && c->child[nkids].name; nkids++) {
        const char *name = c->child[nkids].name;
        s = whole ? cust_pg_cursor_of(g, kid[nkids], p, true, &kids[nkids], err, name)
                  : cust_pg_cursor_open(g, kid[nkids], p, true, &kids[nkids], err, name);
        if (s != CUST_OK)
            break;
    }
    const PGresult *res;
    int i;
    if (s == CUST_OK && (s = cust_pg_cursor_peek(&rows, &res, &i, err)) == CUST_OK && found)
        *found = res != NULL;
    while (s == CUST_OK && (s = cust_pg_cursor_peek(&rows, &res, &i, err)) == CUST_OK && res) {
        int64_t id;
        char *text;
        key_of(res, i, ik, &id, &text);
        for (int k = 0; s == CUST_OK && all && k < nkids; k++)
            s = orphans(&kids[k], t, c->child[k].name, true, id, text, fn, arg, err);
        free(text);
        if (s == CUST_OK)
            s = emit(r, t, res, i, kids, fn, arg, err);
        cust_pg_cursor_skip(&rows);
    }
    for (int k = 0; s == CUST_OK && all && k < nkids; k++)
        s = orphans(&kids[k], t, c->child[k].name, false, 0, NULL, fn, arg, err);
    /* the children's cursors first: the first cursor may own the transaction they live in */
    for (int k = nkids - 1; k >= 0; k--)
        s = cust_pg_cursor_close(&kids[k], s, err);
    return cust_pg_cursor_close(&rows, s, err);
}

/* Run the statements of table t (every row, or one key) and emit its rows with children. */
static enum cust_status read_rows(void *impl, int t, const struct cust_pg_params *key,
                                  cust_row_fn fn, void *arg, bool *found, struct cust_err *err)
{
    const struct cust_row_ctab *c = &cust_row_catalog[t];
    const char *kid[2] = {key ? c->child[0].get : c->child[0].scan,
                          key ? c->child[1].get : c->child[1].scan};
    return read_with(impl, t, key ? c->get : c->scan, kid, key, !key, key != NULL, fn, arg, found,
                     err);
}

/* The record's tables a bulk load writes, read by ranges of ids (every row, in key order, as
 * the catalog's scan reads them, without holding a whole table in one result). */
#define RANGE_ROWS(cols, from)                                                                     \
    "SELECT " cols " FROM " from " WHERE id BETWEEN ?1 AND ?2 ORDER BY id"
#define RANGE_KIDS(cols, from)                                                                     \
    "SELECT booking_id, " cols " FROM " from " WHERE booking_id BETWEEN ?1 AND ?2"                 \
    " ORDER BY booking_id, idx"
static const struct {
    const char *max, *rows, *kid[2];
} ranges[CT_CITIZENSHIP + 1] = {
    [CT_BOOKING_VERSIONS] = {"SELECT coalesce(max(id), 0) FROM booking_versions",
                             RANGE_ROWS(BV, "booking_versions"),
                             {NULL, NULL}},
    [CT_BOOKINGS] = {"SELECT coalesce(max(id), 0) FROM bookings",
                     RANGE_ROWS(BK, "bookings"),
                     {RANGE_KIDS(CH, "charges"), RANGE_KIDS(PR, "prior_convictions")}},
    [CT_PERSONS] = {"SELECT coalesce(max(id), 0) FROM persons",
                    RANGE_ROWS(PS, "persons"),
                    {NULL, NULL}},
    [CT_CITIZENSHIP] = {"SELECT coalesce(max(id), 0) FROM citizenship_history",
                        RANGE_ROWS(CI, "citizenship_history"),
                        {NULL, NULL}},
};
#define RANGE_IDS 20000

static enum cust_status scan_ranges(void *impl, int t, cust_row_fn fn, void *arg,
                                    struct cust_err *err)
{
    struct cust_pg *g = cust_pg_conn(impl);
    PGresult *res;
    if (cust_pg_run(g, ranges[t].max, NULL, false, &res, err, cust_row_tables_of[t].name) !=
        CUST_OK)
        return CUST_EDB;
    int64_t max = cust_pg_get_int(res, 0, 0);
    PQclear(res);
    enum cust_status s = CUST_OK;
    for (int64_t lo = 1; s == CUST_OK && lo <= max; lo += RANGE_IDS) {
        struct cust_pg_params p = {0};
        cust_pg_int(&p, 1, lo);
        cust_pg_int(&p, 2, lo + RANGE_IDS - 1);
        s = read_with(impl, t, ranges[t].rows, ranges[t].kid, &p, true, true, fn, arg, NULL, err);
    }
    return s;
}

static enum cust_status pg_rows_each(void *impl, int t, cust_row_fn fn, void *arg,
                                     struct cust_err *err)
{
    if (t < 0 || t >= CT__N)
        return cust_err_set(err, CUST_EINVAL, "no covered table %d", t);
    return read_rows(impl, t, NULL, fn, arg, NULL, err);
}

static void key_param(struct cust_pg_params *p, int t, int64_t id, const char *text)
{
    if (cust_row_tables_of[t].int_key)
        cust_pg_int(p, 1, id);
    else
        cust_pg_text(p, 1, text);
}

/* An 8-byte big-endian integer key, or a text key (a new string in *text). */
static enum cust_status key_from(int t, const void *key, size_t key_len, int64_t *id, char **text,
                                 struct cust_err *err)
{
    *id = 0;
    *text = NULL;
    if (!cust_row_tables_of[t].int_key) {
        *text = cust_xstrndup(key, key_len);
        return CUST_OK;
    }
    if (key_len != 8)
        return cust_err_set(err, CUST_EINVAL, "%s: an integer key is 8 bytes",
                            cust_row_tables_of[t].name);
    *id = (int64_t)be(key, 8);
    return CUST_OK;
}

static enum cust_status pg_row_get(void *impl, int t, const void *key, size_t key_len,
                                   cust_row_fn fn, void *arg, struct cust_err *err)
{
    if (t < 0 || t >= CT__N)
        return cust_err_set(err, CUST_EINVAL, "no covered table %d", t);
    int64_t id;
    char *text;
    if (key_from(t, key, key_len, &id, &text, err) != CUST_OK)
        return CUST_EINVAL;
    struct cust_pg_params p = {0};
    key_param(&p, t, id, text);
    bool found = false;
    enum cust_status s = read_rows(impl, t, &p, fn, arg, &found, err);
    free(text);
    if (s == CUST_OK && !found)
        s = cust_err_set(err, CUST_ENOTFOUND, "no %s row with that key",
                         cust_row_tables_of[t].name);
    return s;
}

/* One written row read back by key (cust_row_get_fn). */
static enum cust_status get_written(void *impl, int t, int64_t id, const char *text, cust_row_fn fn,
                                    void *arg, bool *found, struct cust_err *err)
{
    struct cust_pg_params p = {0};
    key_param(&p, t, id, text);
    return read_rows(impl, t, &p, fn, arg, found, err);
}

static enum cust_status pg_rows_written(void *impl, cust_row_fn fn, void *arg, struct cust_err *err)
{
    struct rstate *r = state(impl);
    enum cust_status s = CUST_OK;
    /* A bulk load into an empty store, the first time: every row of the record's tables was
     * written by this transaction, so they are read by ranges of ids, not key by key (the
     * bulk load is drained first: the statements below run). */
    bool scan = cust_pg_bulk_scan_rows(cust_pg_conn(impl));
    for (int t = 0; s == CUST_OK && t < CT__N; t++) {
        if (cust_rows_written_n(&r->written, t) == 0)
            continue;
        if (scan && t <= CT_CITIZENSHIP && !cust_rows_written_all_kept(&r->written, t))
            s = scan_ranges(impl, t, fn, arg, err);
        else
            s = cust_rows_written_read(&r->written, t, impl, get_written, fn, arg, err);
    }
    if (s == CUST_OK)
        cust_rows_written_clear(&r->written);
    return s;
}

static bool pg_rows_pending(void *impl)
{
    return state(impl)->written.pending > 0;
}

/* ---- the journal, derived copies, checkpoints -------------------------------------------- */

static enum cust_status pg_journal_put(void *impl, const struct cust_journal_rec *j,
                                       struct cust_err *err)
{
    if (j->table < 0 || j->table >= CT__N)
        return cust_err_set(err, CUST_EINVAL, "no covered table %d", j->table);
    struct cust_pg_params p = {0};
    cust_pg_int(&p, 1, j->seq);
    cust_pg_text(&p, 2, cust_row_tables_of[j->table].name);
    cust_pg_int(&p, 3, j->part);
    cust_pg_int(&p, 4, j->n);
    cust_pg_bytes(&p, 5, j->blob, j->len);
    return cust_pg_do(cust_pg_conn(impl), jput_sql, &p, err, "row journal");
}

static enum cust_status pg_journal_each(void *impl, int t, int64_t seq, cust_journal_fn fn,
                                        void *arg, struct cust_err *err)
{
    struct cust_pg_params p = {0};
    cust_pg_text(&p, 1, t >= 0 && t < CT__N ? cust_row_tables_of[t].name : NULL);
    cust_pg_int(&p, 2, seq > 0 ? seq : 0);
    PGresult *res;
    if (cust_pg_run(cust_pg_conn(impl), jeach_sql, &p, true, &res, err, "row journal") != CUST_OK)
        return CUST_EDB;
    enum cust_status s = CUST_OK;
    for (int i = 0; s == CUST_OK && i < PQntuples(res); i++) {
        struct cust_val name = val_of(res, i, 1);
        char *tname = cust_xstrndup(name.p ? (const char *)name.p : "", name.len);
        struct cust_val blob = val_of(res, i, 4);
        struct cust_journal_rec j = {
            .seq = val_of(res, i, 0).i,
            .table = cust_store_row_table(tname),
            .part = val_of(res, i, 2).i,
            .n = val_of(res, i, 3).i,
            .blob = blob.p,
            .len = blob.len,
        };
        free(tname);
        s = fn(&j, arg);
    }
    PQclear(res);
    return s;
}

/* A booking's copy of its person's name and its keys must be the name and its keys. The keys
 * are computed here (namekey.h), as SQLite's cust_name_key() computes them there. */
static enum cust_status pg_rows_derived(void *impl, cust_derived_fn fn, void *arg,
                                        struct cust_err *err)
{
    PGresult *r;
    if (cust_pg_run(cust_pg_conn(impl), derived_sql, NULL, false, &r, err, "derived copies") !=
        CUST_OK)
        return CUST_EDB;
    enum cust_status s = CUST_OK;
    for (int i = 0; s == CUST_OK && i < PQntuples(r); i++) {
        const char *sl = cust_pg_get(r, i, 2), *sf = cust_pg_get(r, i, 3);
        const char *kl = cust_pg_get(r, i, 4), *kf = cust_pg_get(r, i, 5);
        const char *pl = cust_pg_get(r, i, 6), *pf = cust_pg_get(r, i, 7);
        char wl[CUST_NAME_KEY_MAX], wf[CUST_NAME_KEY_MAX];
        cust_name_key(pl, strlen(pl), wl, sizeof(wl), NULL);
        cust_name_key(pf, strlen(pf), wf, sizeof(wf), NULL);
        if (sl && sf && kl && kf && strcmp(sl, pl) == 0 && strcmp(sf, pf) == 0 &&
            strcmp(kl, wl) == 0 && strcmp(kf, wf) == 0)
            continue;
        struct cust_buf m = CUST_BUF_INIT;
        cust_buf_appendf(&m,
                         "booking %s: its copy of the name of person #%s (%s, %s) or its name keys"
                         " (%s, %s) are not the name (%s, %s) and its keys",
                         cust_pg_get(r, i, 0), cust_pg_get(r, i, 1), sl ? sl : "NULL",
                         sf ? sf : "NULL", kl ? kl : "NULL", kf ? kf : "NULL", pl, pf);
        char *what = cust_buf_detach(&m, NULL);
        s = fn(what, arg);
        free(what);
    }
    PQclear(r);
    return s;
}

static enum cust_status pg_row_label(void *impl, int t, const void *key, size_t key_len,
                                     char **label, struct cust_err *err)
{
    *label = NULL;
    if (t < 0 || t >= CT__N)
        return cust_err_set(err, CUST_EINVAL, "no covered table %d", t);
    int64_t id = 0;
    char *text = NULL;
    if (cust_row_tables_of[t].int_key && key_len != 8)
        return cust_err_set(err, CUST_ENOTFOUND, "no such row");
    if (key_from(t, key, key_len, &id, &text, err) != CUST_OK)
        return CUST_EINVAL;
    struct cust_pg_params p = {0};
    key_param(&p, t, id, text);
    PGresult *r;
    enum cust_status s =
        cust_pg_run(cust_pg_conn(impl), cust_row_catalog[t].label, &p, false, &r, err, "row label");
    free(text);
    if (s != CUST_OK)
        return s;
    if (PQntuples(r) > 0 && !PQgetisnull(r, 0, 0))
        *label = cust_xstrdup(PQgetvalue(r, 0, 0));
    else
        s = cust_err_set(err, CUST_ENOTFOUND, "no such row");
    PQclear(r);
    return s;
}

static enum cust_status pg_checkpoint_put(void *impl, const struct cust_stored_checkpoint *c,
                                          struct cust_err *err)
{
    struct cust_pg_params p = {0};
    cust_pg_int(&p, 1, c->size);
    cust_pg_text(&p, 2, c->root);
    cust_pg_int(&p, 3, c->at);
    cust_pg_text(&p, 4, c->note);
    return cust_pg_do(cust_pg_conn(impl), cput_sql, &p, err, "checkpoints");
}

static enum cust_status pg_checkpoint_latest(void *impl, cust_checkpoint_fn fn, void *arg,
                                             struct cust_err *err)
{
    PGresult *r;
    if (cust_pg_run(cust_pg_conn(impl), clast_sql, NULL, false, &r, err, "checkpoints") != CUST_OK)
        return CUST_EDB;
    enum cust_status s;
    if (PQntuples(r) > 0) {
        struct cust_stored_checkpoint c = {cust_pg_get_int(r, 0, 0), cust_pg_get(r, 0, 1),
                                           cust_pg_get_int(r, 0, 2), cust_pg_get(r, 0, 3)};
        s = fn(&c, arg);
    } else {
        s = cust_err_set(err, CUST_ENOTFOUND, "no checkpoint written yet");
    }
    PQclear(r);
    return s;
}

const struct cust_store_rows_ops cust_pg_rows_ops = {
    .written = pg_rows_written,
    .pending = pg_rows_pending,
    .each = pg_rows_each,
    .get = pg_row_get,
    .label = pg_row_label,
    .journal_put = pg_journal_put,
    .journal_each = pg_journal_each,
    .derived = pg_rows_derived,
    .checkpoint_put = pg_checkpoint_put,
    .checkpoint_latest = pg_checkpoint_latest,
};
