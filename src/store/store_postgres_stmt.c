/*
 * store_postgres_stmt.c - the PostgreSQL backend's one way to run a statement: the SQLite text
 * with `?N` made `$N`, prepared once per connection (PQprepare) and run with typed parameters
 * (PQexecPrepared); errors worded as the SQLite backend words them.
 */
#include "custodian/compat.h"
#include "store_postgres.h"

#include <inttypes.h>

void cust_pg_text(struct cust_pg_params *p, int i, const char *v)
{
    CUST_ASSERT(i >= 1 && i <= CUST_PG_MAX_PARAMS);
    p->v[i - 1] = v;
    p->len[i - 1] = 0;
    p->fmt[i - 1] = 0;
    if (i > p->n)
        p->n = i;
}

void cust_pg_int(struct cust_pg_params *p, int i, int64_t v)
{
    CUST_ASSERT(i >= 1 && i <= CUST_PG_MAX_PARAMS);
    snprintf(p->num[i - 1], sizeof(p->num[i - 1]), "%" PRId64, v);
    cust_pg_text(p, i, p->num[i - 1]);
}

void cust_pg_bytes(struct cust_pg_params *p, int i, const void *v, size_t len)
{
    CUST_ASSERT(i >= 1 && i <= CUST_PG_MAX_PARAMS && len <= INT32_MAX);
    p->v[i - 1] = len ? v : "";
    p->len[i - 1] = (int)len;
    p->fmt[i - 1] = 1;
    if (i > p->n)
        p->n = i;
}

int64_t cust_pg_get_int(const PGresult *r, int row, int col)
{
    const char *v = cust_pg_get(r, row, col);
    return v ? strtoll(v, NULL, 10) : 0;
}

char *cust_pg_sql(const char *sql)
{
    size_t n = strlen(sql);
    char *out = cust_xmalloc(n + 1);
    char quote = 0;
    for (size_t i = 0; i <= n; i++) {
        char c = sql[i];
        if (quote) {
            if (c == quote)
                quote = 0;
        } else if (c == '\'' || c == '"') {
            quote = c;
        } else if (c == '?' && i + 1 < n && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
            c = '$';
        }
        out[i] = c;
    }
    return out;
}

/* "store 'NAME': WHAT: message" from a failed result; a unique or foreign-key violation is
 * CUST_ECONFLICT, a lock not obtained in time says the store is busy. */
enum cust_status cust_pg_result_err(struct cust_pg *g, const PGresult *r, struct cust_err *err,
                                    const char *what)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (!msg)
        msg = PQerrorMessage(g->conn);
    enum cust_status st = CUST_EDB;
    if (state && (strcmp(state, "23505") == 0 || strcmp(state, "23503") == 0))
        st = CUST_ECONFLICT;
    if (state && strcmp(state, "55P03") == 0)
        return cust_err_set(err, CUST_EDB, "store '%s': %s: the store is busy (%s)", g->name, what,
                            msg);
    return cust_err_set(err, st, "store '%s': %s: %s", g->name, what, msg);
}

/* `sql` prepared on this connection (prepared now if it was not). */
static const struct cust_pg_stmt *prepared(struct cust_pg *g, const char *sql, struct cust_err *err,
                                           const char *what)
{
    for (size_t i = 0; i < g->nstmts; i++)
        if (g->stmts[i].sql == sql)
            return &g->stmts[i];
    if (g->nstmts == g->capstmts) {
        g->capstmts = g->capstmts ? g->capstmts * 2 : 64;
        g->stmts = cust_xrealloc(g->stmts, g->capstmts * sizeof(*g->stmts));
    }
    struct cust_pg_stmt *s = &g->stmts[g->nstmts];
    snprintf(s->name, sizeof(s->name), "c%zu", g->nstmts);
    char *text = cust_pg_sql(sql);
    /* a parameter the text never names (a count ignores the limit) is declared text, since
     * PostgreSQL cannot infer its type; the others are inferred from where they are used */
    Oid types[CUST_PG_MAX_PARAMS] = {0};
    int n = 0;
    bool used[CUST_PG_MAX_PARAMS + 1] = {0};
    for (const char *c = strchr(text, '$'); c; c = strchr(c + 1, '$')) {
        long i = strtol(c + 1, NULL, 10);
        if (i >= 1 && i <= CUST_PG_MAX_PARAMS) {
            used[i] = true;
            n = i > n ? (int)i : n;
        }
    }
    for (int i = 1; i <= n; i++)
        types[i - 1] = used[i] ? 0 : 25 /* text */;
    PGresult *r = PQprepare(g->conn, s->name, text, n, types);
    /* A parameter used only where its type cannot be inferred ("?2 IS NULL OR
     * substr(first_key, 1, length(?2)) = ?2": length() takes text or bytes) is declared text,
     * one at a time as PostgreSQL names them: the shared texts need no casts for it. */
    const char *cue = "could not determine data type of parameter $";
    for (int tries = 0; tries < n && PQresultStatus(r) != PGRES_COMMAND_OK; tries++) {
        const char *m = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
        const char *at = m ? strstr(m, cue) : NULL;
        long i = at ? strtol(at + strlen(cue), NULL, 10) : 0;
        if (i < 1 || i > n || types[i - 1] != 0)
            break;
        types[i - 1] = 25 /* text */;
        PQclear(r);
        r = PQprepare(g->conn, s->name, text, n, types);
    }
    free(text);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        cust_pg_result_err(g, r, err, what);
        PQclear(r);
        return NULL;
    }
    PQclear(r);
    s->sql = sql;
    s->ntypes = n;
    memcpy(s->types, types, sizeof(types));
    g->nstmts++;
    return s;
}

/* Before any statement on the connection: a running COPY load drained, the transaction's
 * deferred rows sent (store_postgres_bulk.c, store_postgres_defer.c). */
static enum cust_status before_statement(struct cust_pg *g, struct cust_err *err)
{
    if (g->bulk && cust_pg_bulk_before(g, err) != CUST_OK)
        return CUST_EDB;
    return g->defer ? cust_pg_defer_send(g, err) : CUST_OK;
}

/* `sql` prepared and the connection free for it (before_statement); *p made the empty
 * parameters when NULL. NULL (err set) when it cannot be. */
static const struct cust_pg_stmt *ready(struct cust_pg *g, const char *sql,
                                        const struct cust_pg_params **p, struct cust_err *err,
                                        const char *what)
{
    static const struct cust_pg_params none;
    if (!*p)
        *p = &none;
    if (before_statement(g, err) != CUST_OK)
        return NULL;
    return prepared(g, sql, err, what);
}

enum cust_status cust_pg_run(struct cust_pg *g, const char *sql, const struct cust_pg_params *p,
                             bool binary, PGresult **res, struct cust_err *err, const char *what)
{
    *res = NULL;
    const struct cust_pg_stmt *ps = ready(g, sql, &p, err, what);
    if (!ps)
        return CUST_EDB;
    PGresult *r = PQexecPrepared(g->conn, ps->name, p->n, p->v, p->len, p->fmt, binary ? 1 : 0);
    ExecStatusType rs = PQresultStatus(r);
    if (rs != PGRES_TUPLES_OK && rs != PGRES_COMMAND_OK) {
        enum cust_status st = cust_pg_result_err(g, r, err, what);
        PQclear(r);
        return st;
    }
    *res = r;
    return CUST_OK;
}

enum cust_status cust_pg_do(struct cust_pg *g, const char *sql, const struct cust_pg_params *p,
                            struct cust_err *err, const char *what)
{
    PGresult *r;
    enum cust_status st = cust_pg_run(g, sql, p, false, &r, err, what);
    PQclear(r);
    return st;
}

/* Rows a cursor hands over at a time: a few MB of the largest rows (a booking's document). */
enum { BATCH = 2000 };

enum cust_status cust_pg_cursor_open(struct cust_pg *g, const char *sql,
                                     const struct cust_pg_params *p, bool binary,
                                     struct cust_pg_cursor *c, struct cust_err *err,
                                     const char *what)
{
    *c = (struct cust_pg_cursor){.g = g, .binary = binary, .what = what};
    /* prepared first: the cursor's parameters get the types the statement was prepared with */
    const struct cust_pg_stmt *ps = ready(g, sql, &p, err, what);
    if (!ps)
        return CUST_EDB;
    c->own = PQtransactionStatus(g->conn) == PQTRANS_IDLE;
    if (c->own &&
        cust_pg_exec(g, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", err, what) != CUST_OK) {
        c->own = false;
        return CUST_EDB;
    }
    snprintf(c->name, sizeof(c->name), "each%u", g->cursors++);
    char *text = cust_pg_sql(sql);
    size_t len = strlen(text) + sizeof(c->name) + 32;
    char *decl = cust_xmalloc(len);
    snprintf(decl, len, "DECLARE %s NO SCROLL CURSOR FOR %s", c->name, text);
    free(text);
    int np = p->n > ps->ntypes ? p->n : ps->ntypes;
    PGresult *r = PQexecParams(g->conn, decl, np, ps->types, p->v, p->len, p->fmt, 0);
    free(decl);
    enum cust_status st = CUST_OK;
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        st = cust_pg_result_err(g, r, err, what);
    PQclear(r);
    c->more = st == CUST_OK;
    if (st != CUST_OK)
        cust_pg_cursor_close(c, st, NULL);
    return st;
}

enum cust_status cust_pg_cursor_of(struct cust_pg *g, const char *sql,
                                   const struct cust_pg_params *p, bool binary,
                                   struct cust_pg_cursor *c, struct cust_err *err, const char *what)
{
    *c = (struct cust_pg_cursor){.g = g, .binary = binary, .what = what};
    return cust_pg_run(g, sql, p, binary, &c->batch, err, what);
}

enum cust_status cust_pg_cursor_peek(struct cust_pg_cursor *c, const PGresult **r, int *i,
                                     struct cust_err *err)
{
    if (c->batch && c->at < PQntuples(c->batch)) {
        *r = c->batch;
        *i = c->at;
        return CUST_OK;
    }
    *r = NULL;
    *i = 0;
    if (!c->more)
        return CUST_OK;
    PQclear(c->batch);
    char sql[64];
    snprintf(sql, sizeof(sql), "FETCH FORWARD %d FROM %s", BATCH, c->name);
    c->batch = PQexecParams(c->g->conn, sql, 0, NULL, NULL, NULL, NULL, c->binary ? 1 : 0);
    c->at = 0;
    if (PQresultStatus(c->batch) != PGRES_TUPLES_OK) {
        enum cust_status st = cust_pg_result_err(c->g, c->batch, err, c->what);
        PQclear(c->batch);
        c->batch = NULL;
        c->more = false;
        return st;
    }
    c->more = PQntuples(c->batch) == BATCH;
    if (PQntuples(c->batch) == 0)
        return CUST_OK;
    *r = c->batch;
    return CUST_OK;
}

enum cust_status cust_pg_cursor_close(struct cust_pg_cursor *c, enum cust_status st,
                                      struct cust_err *err)
{
    PQclear(c->batch);
    c->batch = NULL;
    if (c->name[0] && !c->own && PQtransactionStatus(c->g->conn) == PQTRANS_INTRANS) {
        char close[48];
        snprintf(close, sizeof(close), "CLOSE %s", c->name);
        enum cust_status cs = cust_pg_exec(c->g, close, st == CUST_OK ? err : NULL, c->what);
        st = st == CUST_OK ? cs : st;
    }
    if (c->own) {
        /* the cursor ends with its transaction; after an error, it is rolled back */
        if (st == CUST_OK)
            st = cust_pg_exec(c->g, "COMMIT", err, c->what);
        if (st != CUST_OK && PQtransactionStatus(c->g->conn) != PQTRANS_IDLE)
            cust_pg_exec(c->g, "ROLLBACK", NULL, c->what);
        c->own = false;
    }
    c->name[0] = 0;
    return st;
}

enum cust_status cust_pg_each(struct cust_pg *g, const char *sql, const struct cust_pg_params *p,
                              bool binary, cust_pg_row_fn fn, void *arg, struct cust_err *err,
                              const char *what)
{
    struct cust_pg_cursor c;
    enum cust_status st = cust_pg_cursor_open(g, sql, p, binary, &c, err, what);
    if (st != CUST_OK)
        return st;
    const PGresult *r;
    int i;
    while ((st = cust_pg_cursor_peek(&c, &r, &i, err)) == CUST_OK && r) {
        st = fn(r, i, arg);
        if (st != CUST_OK)
            break;
        cust_pg_cursor_skip(&c);
    }
    return cust_pg_cursor_close(&c, st, err);
}

enum cust_status cust_pg_exec(struct cust_pg *g, const char *sql, struct cust_err *err,
                              const char *what)
{
    if (before_statement(g, err) != CUST_OK)
        return CUST_EDB;
    PGresult *r = PQexec(g->conn, sql);
    ExecStatusType rs = PQresultStatus(r);
    enum cust_status st = CUST_OK;
    if (rs != PGRES_TUPLES_OK && rs != PGRES_COMMAND_OK)
        st = cust_pg_result_err(g, r, err, what);
    PQclear(r);
    return st;
}
