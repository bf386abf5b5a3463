/*
 * store_sqlite_rows.c - the covered rows and the journal of their hashes in the SQLite backend
 * (store_rows.h, docs/internals/ledger.md "Rows").
 *
 * Each covered table has one constant list of canonical columns (its key first); a row that
 * owns child rows (a booking's charges and prior convictions, a request's links) carries them
 * after its own columns as: child table name, count, each child's columns. The same lists
 * serve the writer (rows written by a transaction, read back by key when the ledger journals
 * them) and the verifier (every row, by key), so what is hashed at write time is what verify
 * reads. Migration 9 adds the journal (ledger_rows) and the entries' commitments (ledger.rows).
 */
#include "custodian/compat.h"
#include "custodian/buf.h"
#include "store_rows_sql.h"
#include "store_sqlite_rows.h"
#include "store_sqlite_stmt.h"

/* ---- schema ---------------------------------------------------------------------------- */

const char *const cust_sqlite_rows_migration[] = {
    "ALTER TABLE ledger ADD COLUMN rows TEXT",
    "CREATE TABLE ledger_rows("
    " id INTEGER PRIMARY KEY, seq INTEGER NOT NULL, tbl TEXT NOT NULL, part INTEGER NOT NULL,"
    " n INTEGER NOT NULL, hashes BLOB NOT NULL, UNIQUE(seq, tbl, part))",
    "CREATE INDEX ledger_rows_tbl ON ledger_rows(tbl, seq)",
    "CREATE TRIGGER ledger_rows_no_update BEFORE UPDATE ON ledger_rows"
    " BEGIN SELECT RAISE(ABORT, 'the row journal is append-only'); END",
    "CREATE TRIGGER ledger_rows_no_delete BEFORE DELETE ON ledger_rows"
    " BEGIN SELECT RAISE(ABORT, 'the row journal is append-only'); END",
    /* the signed checkpoints the server wrote (the latest is served at /api/v1/checkpoint);
     * not covered: each is signed, and outside copies are what a verifier trusts */
    "CREATE TABLE checkpoints(id INTEGER PRIMARY KEY, size INTEGER NOT NULL,"
    " root TEXT NOT NULL, at INTEGER NOT NULL, note TEXT NOT NULL)",
    NULL};

static const char derived_sql[] =
    "SELECT 'booking ' || b.booking_number || ': its copy of the name of person #' || p.id"
    " || ' (' || coalesce(b.search_last, 'NULL') || ', ' || coalesce(b.search_first, 'NULL')"
    " || ') or its name keys (' || coalesce(b.key_last, 'NULL') || ', '"
    " || coalesce(b.key_first, 'NULL') || ') are not the name (' || p.last_name || ', '"
    " || p.first_name || ') and its keys'"
    " FROM bookings b JOIN persons p ON p.id = b.person_id"
    " WHERE b.search_last IS NOT p.last_name OR b.search_first IS NOT p.first_name"
    " OR b.key_last IS NOT cust_name_key(p.last_name)"
    " OR b.key_first IS NOT cust_name_key(p.first_name)";

static const char cput_sql[] =
    "INSERT INTO checkpoints(size, root, at, note) VALUES(?1, ?2, ?3, ?4)";
static const char clast_sql[] =
    "SELECT size, root, at, note FROM checkpoints ORDER BY id DESC LIMIT 1";

static const char jput_sql[] =
    "INSERT INTO ledger_rows(seq, tbl, part, n, hashes) VALUES(?1, ?2, ?3, ?4, ?5)";
/* (?1: table or NULL, ?2: seq or 0); ordered for the verifier: seq, then the catalog order of
 * the tables is the caller's (records of one seq come in insertion order, which is it) */
static const char jeach_sql[] = "SELECT seq, tbl, part, n, hashes FROM ledger_rows"
                                " WHERE (?1 IS NULL OR tbl = ?1) AND (?2 = 0 OR seq = ?2)"
                                " ORDER BY seq, id";

/* ---- state ----------------------------------------------------------------------------- */

struct keyset {
    int64_t *ids;
    size_t n, cap;
    char **texts;
    size_t nt, capt;
};

/* Rows the transaction inserted whose canonical values the writer gave as it wrote them
 * (cust_sqlite_rows_keep): the journal takes them from here instead of reading them back. Each
 * row is encoded in `buf` from offs[i]: the number of values, then per value its kind and an
 * int64, a double, or a length and the bytes. */
struct kept {
    int64_t *ids;
    size_t *offs;
    size_t n, cap;
    struct cust_buf buf;
};

struct rstate {
    sqlite3_stmt *scan[CT__N], *get[CT__N], *label[CT__N];
    sqlite3_stmt *kscan[CT__N][2], *kget[CT__N][2];
    sqlite3_stmt *jput, *jeach, *derived, *cput, *clast;
    struct keyset written[CT__N];
    struct kept kept[CT__N];
    size_t pending;
    bool drained; /* rows_written ran in this transaction */
    /* the row being built */
    struct cust_val *vals;
    size_t nvals, capvals;
    size_t *offs; /* arena offsets of copied bytes (SIZE_MAX: borrowed) */
    struct cust_buf arena;
};

static struct rstate *state(void *impl, sqlite3 **db, const char **path)
{
    void **slot;
    *db = cust_sqlite_rows_handle(impl, path, &slot);
    if (!*slot) {
        struct rstate *r = cust_xcalloc(1, sizeof(*r));
        cust_buf_init(&r->arena, 0);
        *slot = r;
    }
    return *slot;
}

static void keyset_clear(struct keyset *k)
{
    for (size_t i = 0; i < k->nt; i++)
        free(k->texts[i]);
    k->n = k->nt = 0;
}

void cust_sqlite_rows_free(void *p)
{
    struct rstate *r = p;
    if (!r)
        return;
    for (int t = 0; t < CT__N; t++) {
        sqlite3_finalize(r->scan[t]);
        sqlite3_finalize(r->get[t]);
        sqlite3_finalize(r->label[t]);
        for (int c = 0; c < 2; c++) {
            sqlite3_finalize(r->kscan[t][c]);
            sqlite3_finalize(r->kget[t][c]);
        }
        keyset_clear(&r->written[t]);
        free(r->written[t].ids);
        free(r->written[t].texts);
        free(r->kept[t].ids);
        free(r->kept[t].offs);
        cust_buf_release(&r->kept[t].buf);
    }
    sqlite3_finalize(r->jput);
    sqlite3_finalize(r->jeach);
    sqlite3_finalize(r->derived);
    sqlite3_finalize(r->cput);
    sqlite3_finalize(r->clast);
    free(r->vals);
    free(r->offs);
    cust_buf_release(&r->arena);
    free(r);
}

void cust_sqlite_rows_track(void *impl, enum cust_sqlite_table t, int64_t id, const char *text)
{
    sqlite3 *db;
    const char *path;
    struct rstate *r = state(impl, &db, &path);
    struct keyset *k = &r->written[t];
    if (cust_row_tables_of[t].int_key) {
        if (k->n == k->cap) {
            k->cap = k->cap ? k->cap * 2 : 64;
            k->ids = cust_xrealloc(k->ids, k->cap * sizeof(*k->ids));
        }
        k->ids[k->n++] = id;
    } else {
        if (k->nt == k->capt) {
            k->capt = k->capt ? k->capt * 2 : 16;
            k->texts = cust_xrealloc(k->texts, k->capt * sizeof(*k->texts));
        }
        k->texts[k->nt++] = cust_xstrdup(text ? text : "");
    }
    r->pending++;
}

static void clear_keys(struct rstate *r)
{
    for (int t = 0; t < CT__N; t++) {
        keyset_clear(&r->written[t]);
        r->kept[t].n = 0;
        cust_buf_reset(&r->kept[t].buf);
    }
    r->pending = 0;
}

static void put_raw(struct cust_buf *b, const void *p, size_t n)
{
    CUST_ASSERT(cust_buf_append(b, p, n) == CUST_OK);
}

void cust_sqlite_rows_keep(void *impl, enum cust_sqlite_table t, const struct cust_val *v, size_t n)
{
    sqlite3 *db;
    const char *path;
    struct rstate *r = state(impl, &db, &path);
    struct kept *k = &r->kept[t];
    CUST_ASSERT(cust_row_tables_of[t].int_key && !cust_row_catalog[t].child[0].name && n > 0 &&
                v[0].kind == CUST_VAL_INT);
    if (k->n == k->cap) {
        k->cap = k->cap ? k->cap * 2 : 64;
        k->ids = cust_xrealloc(k->ids, k->cap * sizeof(*k->ids));
        k->offs = cust_xrealloc(k->offs, k->cap * sizeof(*k->offs));
    }
    k->ids[k->n] = v[0].i;
    k->offs[k->n++] = k->buf.len;
    put_raw(&k->buf, &n, sizeof(n));
    for (size_t i = 0; i < n; i++) {
        unsigned char kind = (unsigned char)v[i].kind;
        put_raw(&k->buf, &kind, 1);
        if (v[i].kind == CUST_VAL_INT) {
            put_raw(&k->buf, &v[i].i, sizeof(v[i].i));
        } else if (v[i].kind == CUST_VAL_REAL) {
            put_raw(&k->buf, &v[i].r, sizeof(v[i].r));
        } else if (v[i].kind == CUST_VAL_BYTES) {
            put_raw(&k->buf, &v[i].len, sizeof(v[i].len));
            put_raw(&k->buf, v[i].p ? v[i].p : "", v[i].len);
        }
    }
    r->pending++;
}

void cust_sqlite_rows_forget(void *impl)
{
    sqlite3 *db;
    const char *path;
    struct rstate *r = state(impl, &db, &path);
    clear_keys(r);
    r->drained = false;
}

static enum cust_status rerr(sqlite3 *db, const char *path, struct cust_err *err, const char *what)
{
    return cust_sqlite_err(db, path, err, what);
}

/* A prepared statement of this part, reset and cleared. */
static sqlite3_stmt *prep(sqlite3 *db, const char *path, sqlite3_stmt **slot, const char *sql,
                          struct cust_err *err)
{
    return cust_sqlite_stmt(db, path, slot, sql, err);
}

/* ---- building a row ---------------------------------------------------------------------- */

static void vals_reset(struct rstate *r)
{
    r->nvals = 0;
    cust_buf_reset(&r->arena);
}

static struct cust_val *val_new(struct rstate *r, size_t *idx)
{
    if (r->nvals == r->capvals) {
        r->capvals = r->capvals ? r->capvals * 2 : 64;
        r->vals = cust_xrealloc(r->vals, r->capvals * sizeof(*r->vals));
        r->offs = cust_xrealloc(r->offs, r->capvals * sizeof(*r->offs));
    }
    *idx = r->nvals;
    r->offs[r->nvals] = SIZE_MAX;
    struct cust_val *v = &r->vals[r->nvals++];
    memset(v, 0, sizeof(*v));
    return v;
}

/* Column `c` of `st` as a value; bytes copied to the arena when `copy`. */
static void push_col(struct rstate *r, sqlite3_stmt *st, int c, bool copy)
{
    size_t idx;
    struct cust_val *v = val_new(r, &idx);
    switch (sqlite3_column_type(st, c)) {
    case SQLITE_NULL:
        v->kind = CUST_VAL_NULL;
        return;
    case SQLITE_INTEGER:
        v->kind = CUST_VAL_INT;
        v->i = sqlite3_column_int64(st, c);
        return;
    case SQLITE_FLOAT:
        v->kind = CUST_VAL_REAL;
        v->r = sqlite3_column_double(st, c);
        return;
    case SQLITE_BLOB:
        v->p = sqlite3_column_blob(st, c);
        break;
    default:
        v->p = sqlite3_column_text(st, c);
        break;
    }
    v->kind = CUST_VAL_BYTES;
    v->len = (size_t)sqlite3_column_bytes(st, c);
    if (copy) {
        r->offs[idx] = r->arena.len;
        CUST_ASSERT(cust_buf_append(&r->arena, v->p ? v->p : "", v->len) == CUST_OK);
    }
}

static void push_text(struct rstate *r, const char *s)
{
    size_t idx;
    struct cust_val *v = val_new(r, &idx);
    v->kind = CUST_VAL_BYTES;
    v->p = s;
    v->len = strlen(s);
}

static size_t push_count(struct rstate *r)
{
    size_t idx;
    struct cust_val *v = val_new(r, &idx);
    v->kind = CUST_VAL_INT;
    return idx;
}

/* Point copied values at the arena (after it stopped growing). */
static void vals_fix(struct rstate *r)
{
    for (size_t i = 0; i < r->nvals; i++)
        if (r->offs[i] != SIZE_MAX)
            r->vals[i].p = r->arena.buf + r->offs[i];
}

/* Compare the key in column 0 of `st` with the row key (integer or text). */
static int key_cmp(sqlite3_stmt *st, bool int_key, int64_t id, const char *text)
{
    if (int_key) {
        int64_t k = sqlite3_column_int64(st, 0);
        return k < id ? -1 : k > id;
    }
    const char *k = (const char *)sqlite3_column_text(st, 0);
    return strcmp(k ? k : "", text ? text : "");
}

static void key_bytes(bool int_key, int64_t id, const char *text, unsigned char buf[8],
                      const void **key, size_t *len)
{
    if (int_key) {
        for (int i = 0; i < 8; i++)
            buf[i] = (unsigned char)((uint64_t)id >> (56 - 8 * i));
        *key = buf;
        *len = 8;
    } else {
        *key = text;
        *len = strlen(text);
    }
}

/* ---- reading rows ------------------------------------------------------------------------ */

struct kid_cursor {
    sqlite3_stmt *st;
    int rc; /* last step: SQLITE_ROW while positioned */
};

/* Append the children of the current parent (key id/text) from a cursor positioned at or after
 * them; children of keys before the parent's are orphans: *orphan gets the first one's key. */
static void take_kids(struct rstate *r, const struct cust_row_cchild *c, struct kid_cursor *k,
                      bool int_key, int64_t id, const char *text)
{
    push_text(r, c->name);
    size_t cnt = push_count(r);
    int64_t n = 0;
    int ncols = sqlite3_column_count(k->st);
    while (k->rc == SQLITE_ROW && key_cmp(k->st, int_key, id, text) == 0) {
        for (int col = 1; col < ncols; col++)
            push_col(r, k->st, col, true);
        n++;
        k->rc = sqlite3_step(k->st);
    }
    r->vals[cnt].i = n;
}

static enum cust_status emit(struct rstate *r, int t, sqlite3_stmt *st, cust_row_fn fn, void *arg,
                             bool copy_parent)
{
    (void)st;
    (void)copy_parent;
    vals_fix(r);
    unsigned char kb[8];
    struct cust_row row = {.table = t, .v = r->vals, .n = r->nvals};
    if (cust_row_tables_of[t].int_key)
        row.id = r->vals[0].i;
    const char *text = cust_row_tables_of[t].int_key ? NULL : (const char *)r->vals[0].p;
    char *tcopy = NULL;
    if (text) { /* the text key, NUL-terminated */
        tcopy = cust_xstrndup(text, r->vals[0].len);
        text = tcopy;
    }
    key_bytes(cust_row_tables_of[t].int_key, row.id, text, kb, &row.key, &row.key_len);
    enum cust_status s = fn(&row, arg);
    free(tcopy);
    return s;
}

/* Every row of table t, by key, with its children merged in from cursors over them. */
static enum cust_status sq_rows_each(void *impl, int t, cust_row_fn fn, void *arg,
                                     struct cust_err *err)
{
    if (t < 0 || t >= CT__N)
        return cust_err_set(err, CUST_EINVAL, "no covered table %d", t);
    sqlite3 *db;
    const char *path;
    struct rstate *r = state(impl, &db, &path);
    const struct cust_row_ctab *c = &cust_row_catalog[t];
    sqlite3_stmt *st = prep(db, path, &r->scan[t], c->scan, err);
    if (!st)
        return CUST_EDB;
    struct kid_cursor kids[2] = {{0}};
    for (int k = 0; k < 2 && c->child[k].name; k++) {
        if (!(kids[k].st = prep(db, path, &r->kscan[t][k], c->child[k].scan, err))) {
            sqlite3_reset(st);
            return CUST_EDB;
        }
        kids[k].rc = sqlite3_step(kids[k].st);
    }
    int ncols = sqlite3_column_count(st);
    enum cust_status s = CUST_OK;
    int rc;
    unsigned char kb[8];
    while (s == CUST_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = cust_row_tables_of[t].int_key ? sqlite3_column_int64(st, 0) : 0;
        const char *text =
            cust_row_tables_of[t].int_key ? NULL : (const char *)sqlite3_column_text(st, 0);
        char *tcopy = text ? cust_xstrdup(text) : NULL;
        /* children whose parent does not exist (before this key): reported as orphans */
        for (int k = 0; s == CUST_OK && k < 2 && kids[k].st; k++) {
            while (s == CUST_OK && kids[k].rc == SQLITE_ROW &&
                   key_cmp(kids[k].st, cust_row_tables_of[t].int_key, id, tcopy) < 0) {
                int64_t oid = sqlite3_column_int64(kids[k].st, 0);
                const char *otext = (const char *)sqlite3_column_text(kids[k].st, 0);
                char *ocopy = otext ? cust_xstrdup(otext) : NULL;
                struct cust_row orow = {.table = t, .id = oid, .orphan = c->child[k].name};
                key_bytes(cust_row_tables_of[t].int_key, oid, ocopy ? ocopy : "", kb, &orow.key,
                          &orow.key_len);
                s = fn(&orow, arg);
                while (kids[k].rc == SQLITE_ROW &&
                       key_cmp(kids[k].st, cust_row_tables_of[t].int_key, oid, ocopy) == 0)
                    kids[k].rc = sqlite3_step(kids[k].st);
                free(ocopy);
            }
        }
        if (s == CUST_OK) {
            vals_reset(r);
            for (int col = 0; col < ncols; col++)
                push_col(r, st, col, false);
            for (int k = 0; k < 2 && kids[k].st; k++)
                take_kids(r, &c->child[k], &kids[k], cust_row_tables_of[t].int_key, id, tcopy);
            s = emit(r, t, st, fn, arg, false);
        }
        free(tcopy);
    }
    if (s == CUST_OK && rc != SQLITE_DONE)
        s = rerr(db, path, err, cust_row_tables_of[t].name);
    /* children after the last parent */
    for (int k = 0; s == CUST_OK && k < 2 && kids[k].st; k++) {
        while (s == CUST_OK && kids[k].rc == SQLITE_ROW) {
            int64_t oid = sqlite3_column_int64(kids[k].st, 0);
            const char *otext = (const char *)sqlite3_column_text(kids[k].st, 0);
            char *ocopy = otext ? cust_xstrdup(otext) : NULL;
            struct cust_row orow = {.table = t, .id = oid, .orphan = c->child[k].name};
            key_bytes(cust_row_tables_of[t].int_key, oid, ocopy ? ocopy : "", kb, &orow.key,
                      &orow.key_len);
            s = fn(&orow, arg);
            while (kids[k].rc == SQLITE_ROW &&
                   key_cmp(kids[k].st, cust_row_tables_of[t].int_key, oid, ocopy) == 0)
                kids[k].rc = sqlite3_step(kids[k].st);
            free(ocopy);
        }
    }
    for (int k = 0; k < 2; k++)
        if (kids[k].st)
            sqlite3_reset(kids[k].st);
    sqlite3_reset(st);
    return s;
}

/* One row by key: *found says whether it exists. */
static enum cust_status get_row(void *impl, int t, int64_t id, const char *text, cust_row_fn fn,
                                void *arg, bool *found, struct cust_err *err)
{
    sqlite3 *db;
    const char *path;
    struct rstate *r = state(impl, &db, &path);
    const struct cust_row_ctab *c = &cust_row_catalog[t];
    *found = false;
    sqlite3_stmt *st = prep(db, path, &r->get[t], c->get, err);
    if (!st)
        return CUST_EDB;
    if (cust_row_tables_of[t].int_key)
        sqlite3_bind_int64(st, 1, id);
    else
        sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(st);
        return CUST_OK;
    }
    if (rc != SQLITE_ROW) {
        enum cust_status s = rerr(db, path, err, cust_row_tables_of[t].name);
        sqlite3_reset(st);
        return s;
    }
    *found = true;
    vals_reset(r);
    int ncols = sqlite3_column_count(st);
    for (int col = 0; col < ncols; col++)
        push_col(r, st, col, true);
    enum cust_status s = CUST_OK;
    for (int k = 0; s == CUST_OK && k < 2 && c->child[k].name; k++) {
        struct kid_cursor kc = {prep(db, path, &r->kget[t][k], c->child[k].get, err), 0};
        if (!kc.st) {
            s = CUST_EDB;
            break;
        }
        if (cust_row_tables_of[t].int_key)
            sqlite3_bind_int64(kc.st, 1, id);
        else
            sqlite3_bind_text(kc.st, 1, text, -1, SQLITE_STATIC);
        kc.rc = sqlite3_step(kc.st);
        take_kids(r, &c->child[k], &kc, cust_row_tables_of[t].int_key, id, text);
        if (kc.rc != SQLITE_DONE && kc.rc != SQLITE_ROW)
            s = rerr(db, path, err, c->child[k].name);
        sqlite3_reset(kc.st);
    }
    sqlite3_reset(st);
    if (s == CUST_OK)
        s = emit(r, t, st, fn, arg, true);
    return s;
}

static enum cust_status sq_row_get(void *impl, int t, const void *key, size_t key_len,
                                   cust_row_fn fn, void *arg, struct cust_err *err)
{
    if (t < 0 || t >= CT__N)
        return cust_err_set(err, CUST_EINVAL, "no covered table %d", t);
    int64_t id = 0;
    char *text = NULL;
    if (cust_row_tables_of[t].int_key) {
        if (key_len != 8)
            return cust_err_set(err, CUST_EINVAL, "%s: an integer key is 8 bytes",
                                cust_row_tables_of[t].name);
        for (int i = 0; i < 8; i++)
            id = (int64_t)((uint64_t)id << 8 | ((const unsigned char *)key)[i]);
    } else {
        text = cust_xstrndup(key, key_len);
    }
    bool found;
    enum cust_status s = get_row(impl, t, id, text, fn, arg, &found, err);
    free(text);
    if (s == CUST_OK && !found)
        s = cust_err_set(err, CUST_ENOTFOUND, "no %s row with that key",
                         cust_row_tables_of[t].name);
    return s;
}

/* ---- rows written ---------------------------------------------------------------------- */

static int cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static int cmp_text(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Kept row `i` of table t as the current row (its values point into the kept buffer). */
static enum cust_status emit_kept(struct rstate *r, int t, size_t i, cust_row_fn fn, void *arg)
{
    const struct kept *k = &r->kept[t];
    const char *p = k->buf.buf + k->offs[i];
    size_t n;
    memcpy(&n, p, sizeof(n));
    p += sizeof(n);
    vals_reset(r);
    for (size_t c = 0; c < n; c++) {
        size_t idx;
        struct cust_val *v = val_new(r, &idx);
        v->kind = (enum cust_val_kind)(unsigned char)*p++;
        if (v->kind == CUST_VAL_INT) {
            memcpy(&v->i, p, sizeof(v->i));
            p += sizeof(v->i);
        } else if (v->kind == CUST_VAL_REAL) {
            memcpy(&v->r, p, sizeof(v->r));
            p += sizeof(v->r);
        } else if (v->kind == CUST_VAL_BYTES) {
            memcpy(&v->len, p, sizeof(v->len));
            p += sizeof(v->len);
            v->p = p;
            p += v->len;
        }
    }
    return emit(r, t, NULL, fn, arg, false);
}

struct kept_ix {
    int64_t id;
    size_t ix; /* in the order written */
};

/* Kept rows by key, then in the order written. */
static int cmp_kept(const void *a, const void *b)
{
    const struct kept_ix *x = a, *y = b;
    return x->id < y->id ? -1 : x->id > y->id ? 1 : x->ix < y->ix ? -1 : x->ix > y->ix;
}

/* The rows of integer-keyed table t the transaction wrote, by key: a row tracked by key is read
 * back (it may have changed since it was written), a row only kept is given as it was written
 * (its last version). */
static enum cust_status written_ints(void *impl, struct rstate *r, int t, cust_row_fn fn, void *arg,
                                     struct cust_err *err)
{
    struct keyset *k = &r->written[t];
    const struct kept *kp = &r->kept[t];
    if (k->n)
        qsort(k->ids, k->n, sizeof(*k->ids), cmp_id);
    struct kept_ix *order = kp->n ? cust_xmalloc(kp->n * sizeof(*order)) : NULL;
    for (size_t i = 0; i < kp->n; i++)
        order[i] = (struct kept_ix){kp->ids[i], i};
    if (kp->n)
        qsort(order, kp->n, sizeof(*order), cmp_kept);
    size_t i = 0, j = 0;
    enum cust_status s = CUST_OK;
    while (s == CUST_OK && (i < k->n || j < kp->n)) {
        bool from_keys = i < k->n && (j == kp->n || k->ids[i] <= order[j].id);
        int64_t id = from_keys ? k->ids[i] : order[j].id;
        bool read = false;
        size_t last = 0;
        while (i < k->n && k->ids[i] == id) {
            i++;
            read = true;
        }
        while (j < kp->n && order[j].id == id)
            last = order[j++].ix;
        if (!read) {
            s = emit_kept(r, t, last, fn, arg);
            continue;
        }
        bool found;
        s = get_row(impl, t, id, NULL, fn, arg, &found, err);
        if (s == CUST_OK && !found) {
            unsigned char kb[8];
            struct cust_row gone = {.table = t, .id = id, .deleted = true};
            key_bytes(true, id, NULL, kb, &gone.key, &gone.key_len);
            s = fn(&gone, arg);
        }
    }
    free(order);
    return s;
}

static enum cust_status sq_rows_written(void *impl, cust_row_fn fn, void *arg, struct cust_err *err)
{
    sqlite3 *db;
    const char *path;
    struct rstate *r = state(impl, &db, &path);
    enum cust_status s = CUST_OK;
    unsigned char kb[8];
    /* A bulk load into an empty store, the first time: every row of the record's tables was
     * written by this transaction, so they are read by one scan each, not key by key. */
    bool scan = !r->drained && cust_sqlite_rows_bulk_empty(impl);
    r->drained = true;
    for (int t = 0; s == CUST_OK && t < CT__N; t++) {
        struct keyset *k = &r->written[t];
        size_t n = cust_row_tables_of[t].int_key ? k->n : k->nt;
        if (scan && n > 0 &&
            (t == CT_BOOKING_VERSIONS || t == CT_BOOKINGS || t == CT_PERSONS ||
             t == CT_CITIZENSHIP)) {
            s = sq_rows_each(impl, t, fn, arg, err);
            continue;
        }
        if (cust_row_tables_of[t].int_key) {
            if (n > 0 || r->kept[t].n > 0)
                s = written_ints(impl, r, t, fn, arg, err);
            continue;
        }
        if (n == 0)
            continue;
        qsort(k->texts, k->nt, sizeof(*k->texts), cmp_text);
        for (size_t i = 0; s == CUST_OK && i < n; i++) {
            int64_t id = cust_row_tables_of[t].int_key ? k->ids[i] : 0;
            const char *text = cust_row_tables_of[t].int_key ? NULL : k->texts[i];
            if (i > 0 && (cust_row_tables_of[t].int_key ? k->ids[i - 1] == id
                                                        : strcmp(k->texts[i - 1], text) == 0))
                continue;
            bool found;
            s = get_row(impl, t, id, text, fn, arg, &found, err);
            if (s == CUST_OK && !found) {
                struct cust_row gone = {.table = t, .id = id, .deleted = true};
                key_bytes(cust_row_tables_of[t].int_key, id, text, kb, &gone.key, &gone.key_len);
                s = fn(&gone, arg);
            }
        }
    }
    if (s == CUST_OK)
        clear_keys(r);
    return s;
}

static bool sq_rows_pending(void *impl)
{
    sqlite3 *db;
    const char *path;
    return state(impl, &db, &path)->pending > 0;
}

/* ---- the journal ----------------------------------------------------------------------- */

static enum cust_status sq_journal_put(void *impl, const struct cust_journal_rec *j,
                                       struct cust_err *err)
{
    sqlite3 *db;
    const char *path;
    struct rstate *r = state(impl, &db, &path);
    if (j->table < 0 || j->table >= CT__N)
        return cust_err_set(err, CUST_EINVAL, "no covered table %d", j->table);
    sqlite3_stmt *st = prep(db, path, &r->jput, jput_sql, err);
    if (!st)
        return CUST_EDB;
    sqlite3_bind_int64(st, 1, j->seq);
    sqlite3_bind_text(st, 2, cust_row_tables_of[j->table].name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, j->part);
    sqlite3_bind_int64(st, 4, j->n);
    sqlite3_bind_blob(st, 5, j->len ? (const void *)j->blob : "", (int)j->len, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? CUST_OK : rerr(db, path, err, "row journal");
}

static enum cust_status sq_journal_each(void *impl, int t, int64_t seq, cust_journal_fn fn,
                                        void *arg, struct cust_err *err)
{
    sqlite3 *db;
    const char *path;
    struct rstate *r = state(impl, &db, &path);
    sqlite3_stmt *st = prep(db, path, &r->jeach, jeach_sql, err);
    if (!st)
        return CUST_EDB;
    if (t >= 0 && t < CT__N)
        sqlite3_bind_text(st, 1, cust_row_tables_of[t].name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, seq > 0 ? seq : 0);
    enum cust_status s = CUST_OK;
    int rc;
    while (s == CUST_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 1);
        struct cust_journal_rec j = {
            .seq = sqlite3_column_int64(st, 0),
            .table = cust_store_row_table(name ? name : ""),
            .part = sqlite3_column_int64(st, 2),
            .n = sqlite3_column_int64(st, 3),
            .blob = sqlite3_column_blob(st, 4),
            .len = (size_t)sqlite3_column_bytes(st, 4),
        };
        s = fn(&j, arg);
    }
    if (s == CUST_OK && rc != SQLITE_DONE)
        s = rerr(db, path, err, "row journal");
    sqlite3_reset(st);
    return s;
}

static enum cust_status sq_rows_derived(void *impl, cust_derived_fn fn, void *arg,
                                        struct cust_err *err)
{
    sqlite3 *db;
    const char *path;
    struct rstate *r = state(impl, &db, &path);
    sqlite3_stmt *st = prep(db, path, &r->derived, derived_sql, err);
    if (!st)
        return CUST_EDB;
    enum cust_status s = CUST_OK;
    int rc;
    while (s == CUST_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
        s = fn((const char *)sqlite3_column_text(st, 0), arg);
    if (s == CUST_OK && rc != SQLITE_DONE)
        s = rerr(db, path, err, "derived copies");
    sqlite3_reset(st);
    return s;
}

static enum cust_status sq_row_label(void *impl, int t, const void *key, size_t key_len,
                                     char **label, struct cust_err *err)
{
    *label = NULL;
    if (t < 0 || t >= CT__N)
        return cust_err_set(err, CUST_EINVAL, "no covered table %d", t);
    sqlite3 *db;
    const char *path;
    struct rstate *r = state(impl, &db, &path);
    sqlite3_stmt *st = prep(db, path, &r->label[t], cust_row_catalog[t].label, err);
    if (!st)
        return CUST_EDB;
    if (cust_row_tables_of[t].int_key) {
        int64_t id = 0;
        for (size_t i = 0; i < 8 && key_len == 8; i++)
            id = (int64_t)((uint64_t)id << 8 | ((const unsigned char *)key)[i]);
        sqlite3_bind_int64(st, 1, id);
    } else {
        sqlite3_bind_text(st, 1, key, (int)key_len, SQLITE_STATIC);
    }
    enum cust_status s = CUST_OK;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        *label = cust_xstrdup((const char *)sqlite3_column_text(st, 0));
    else if (rc == SQLITE_DONE || rc == SQLITE_ROW)
        s = cust_err_set(err, CUST_ENOTFOUND, "no such row");
    else
        s = rerr(db, path, err, "row label");
    sqlite3_reset(st);
    return s;
}

static enum cust_status sq_checkpoint_put(void *impl, const struct cust_stored_checkpoint *c,
                                          struct cust_err *err)
{
    sqlite3 *db;
    const char *path;
    struct rstate *r = state(impl, &db, &path);
    sqlite3_stmt *st = prep(db, path, &r->cput, cput_sql, err);
    if (!st)
        return CUST_EDB;
    sqlite3_bind_int64(st, 1, c->size);
    sqlite3_bind_text(st, 2, c->root, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, c->at);
    sqlite3_bind_text(st, 4, c->note, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? CUST_OK : rerr(db, path, err, "checkpoints");
}

static enum cust_status sq_checkpoint_latest(void *impl, cust_checkpoint_fn fn, void *arg,
                                             struct cust_err *err)
{
    sqlite3 *db;
    const char *path;
    struct rstate *r = state(impl, &db, &path);
    sqlite3_stmt *st = prep(db, path, &r->clast, clast_sql, err);
    if (!st)
        return CUST_EDB;
    int rc = sqlite3_step(st);
    enum cust_status s;
    if (rc == SQLITE_ROW) {
        struct cust_stored_checkpoint c = {
            sqlite3_column_int64(st, 0), (const char *)sqlite3_column_text(st, 1),
            sqlite3_column_int64(st, 2), (const char *)sqlite3_column_text(st, 3)};
        s = fn(&c, arg);
    } else if (rc == SQLITE_DONE) {
        s = cust_err_set(err, CUST_ENOTFOUND, "no checkpoint written yet");
    } else {
        s = rerr(db, path, err, "checkpoints");
    }
    sqlite3_reset(st);
    return s;
}

const struct cust_store_rows_ops cust_sqlite_rows_ops = {
    .written = sq_rows_written,
    .pending = sq_rows_pending,
    .each = sq_rows_each,
    .get = sq_row_get,
    .label = sq_row_label,
    .journal_put = sq_journal_put,
    .journal_each = sq_journal_each,
    .derived = sq_rows_derived,
    .checkpoint_put = sq_checkpoint_put,
    .checkpoint_latest = sq_checkpoint_latest,
};
