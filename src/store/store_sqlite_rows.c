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

struct rstate {
    sqlite3_stmt *scan[CT__N], *get[CT__N], *label[CT__N];
    sqlite3_stmt *kscan[CT__N][2], *kget[CT__N][2];
    sqlite3_stmt *jput, *jeach, *derived, *cput, *clast;
    struct cust_rows_written written; /* keys and kept rows (store_rows_written.c) */
    bool drained;                     /* rows_written ran in this transaction */
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
    }
    cust_rows_written_free(&r->written);
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
    cust_rows_written_add(&state(impl, &db, &path)->written, t, id, text);
}

void cust_sqlite_rows_keep_hash(void *impl, enum cust_sqlite_table t, const struct cust_val *v,
                                size_t n)
{
    sqlite3 *db;
    const char *path;
    cust_rows_written_keep_hash(&state(impl, &db, &path)->written, t, v, n);
}

void cust_sqlite_rows_forget(void *impl)
{
    sqlite3 *db;
    const char *path;
    struct rstate *r = state(impl, &db, &path);
    cust_rows_written_clear(&r->written);
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
    cust_row_key_bytes(cust_row_tables_of[t].int_key, row.id, text, kb, &row.key, &row.key_len);
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
                cust_row_key_bytes(cust_row_tables_of[t].int_key, oid, ocopy ? ocopy : "", kb,
                                   &orow.key, &orow.key_len);
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
            cust_row_key_bytes(cust_row_tables_of[t].int_key, oid, ocopy ? ocopy : "", kb,
                               &orow.key, &orow.key_len);
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
    /* a row without children is given while its statement holds it: its bytes are not copied
     * (a kept response document is tens of MB) */
    bool borrow = !c->child[0].name;
    for (int col = 0; col < ncols; col++)
        push_col(r, st, col, !borrow);
    if (borrow) {
        enum cust_status s = emit(r, t, st, fn, arg, false);
        sqlite3_reset(st);
        return s;
    }
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

/* One written row read back by key (cust_row_get_fn). */
static enum cust_status get_written(void *impl, int t, int64_t id, const char *text, cust_row_fn fn,
                                    void *arg, bool *found, struct cust_err *err)
{
    return get_row(impl, t, id, text, fn, arg, found, err);
}

static enum cust_status sq_rows_written(void *impl, cust_row_fn fn, void *arg, struct cust_err *err)
{
    sqlite3 *db;
    const char *path;
    struct rstate *r = state(impl, &db, &path);
    enum cust_status s = CUST_OK;
    /* A bulk load into an empty store, the first time: every row of the record's tables was
     * written by this transaction, so they are read by one scan each, not key by key. */
    bool scan = !r->drained && cust_sqlite_rows_bulk_empty(impl);
    r->drained = true;
    for (int t = 0; s == CUST_OK && t < CT__N; t++) {
        if (cust_rows_written_n(&r->written, t) == 0)
            continue;
        if (scan && !cust_rows_written_all_kept(&r->written, t) &&
            (t == CT_BOOKING_VERSIONS || t == CT_BOOKINGS || t == CT_PERSONS ||
             t == CT_CITIZENSHIP))
            s = sq_rows_each(impl, t, fn, arg, err);
        else
            s = cust_rows_written_read(&r->written, t, impl, get_written, fn, arg, err);
    }
    if (s == CUST_OK)
        cust_rows_written_clear(&r->written);
    return s;
}

static bool sq_rows_pending(void *impl)
{
    sqlite3 *db;
    const char *path;
    return state(impl, &db, &path)->written.pending > 0;
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
