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

/* The name of `sql` prepared on this connection (prepared now if it was not). */
static const char *prepared(struct cust_pg *g, const char *sql, struct cust_err *err,
                            const char *what)
{
    for (size_t i = 0; i < g->nstmts; i++)
        if (g->stmts[i].sql == sql)
            return g->stmts[i].name;
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
    g->nstmts++;
    return s->name;
}

enum cust_status cust_pg_run(struct cust_pg *g, const char *sql, const struct cust_pg_params *p,
                             bool binary, PGresult **res, struct cust_err *err, const char *what)
{
    *res = NULL;
    if (g->bulk && cust_pg_bulk_before(g, err) != CUST_OK)
        return CUST_EDB;
    const char *name = prepared(g, sql, err, what);
    if (!name)
        return CUST_EDB;
    static const struct cust_pg_params none;
    if (!p)
        p = &none;
    PGresult *r = PQexecPrepared(g->conn, name, p->n, p->v, p->len, p->fmt, binary ? 1 : 0);
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

enum cust_status cust_pg_exec(struct cust_pg *g, const char *sql, struct cust_err *err,
                              const char *what)
{
    if (g->bulk && cust_pg_bulk_before(g, err) != CUST_OK)
        return CUST_EDB;
    PGresult *r = PQexec(g->conn, sql);
    ExecStatusType rs = PQresultStatus(r);
    enum cust_status st = CUST_OK;
    if (rs != PGRES_TUPLES_OK && rs != PGRES_COMMAND_OK)
        st = cust_pg_result_err(g, r, err, what);
    PQclear(r);
    return st;
}
