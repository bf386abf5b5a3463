/*
 * store_postgres_copy.c - rows in COPY's binary form and their sending
 * (`COPY … FROM STDIN (FORMAT binary)`), for the bulk load (store_postgres_bulk.c) and the rows
 * a transaction writes by the thousand (store_postgres_defer.c).
 */
#include "custodian/compat.h"
#include "custodian/buf.h"
#include "custodian/store_rows.h"
#include "store_postgres.h"

#include <string.h>

static void be_put(struct cust_buf *b, uint64_t v, int n)
{
    unsigned char x[8];
    for (int i = 0; i < n; i++)
        x[i] = (unsigned char)(v >> (8 * (n - 1 - i)));
    cust_buf_append(b, x, (size_t)n);
}

void cust_pg_copy_tuple(struct cust_buf *b, int nfields)
{
    be_put(b, (uint64_t)nfields, 2);
}

void cust_pg_copy_null(struct cust_buf *b)
{
    be_put(b, 0xffffffffu, 4);
}

static void text_n(struct cust_buf *b, const char *s, size_t n)
{
    be_put(b, n, 4);
    cust_buf_append(b, s, n);
}

void cust_pg_copy_text(struct cust_buf *b, const char *s)
{
    if (s)
        text_n(b, s, strlen(s));
    else
        cust_pg_copy_null(b);
}

void cust_pg_copy_int(struct cust_buf *b, int64_t v)
{
    be_put(b, 8, 4);
    be_put(b, (uint64_t)v, 8);
}

void cust_pg_copy_vals(struct cust_buf *b, const struct cust_val *v, size_t n)
{
    cust_pg_copy_tuple(b, (int)n);
    for (size_t i = 0; i < n; i++) {
        switch (v[i].kind) {
        case CUST_VAL_NULL:
            cust_pg_copy_null(b);
            break;
        case CUST_VAL_INT:
            cust_pg_copy_int(b, v[i].i);
            break;
        case CUST_VAL_REAL: {
            uint64_t u;
            memcpy(&u, &v[i].r, sizeof(u));
            be_put(b, 8, 4);
            be_put(b, u, 8);
            break;
        }
        case CUST_VAL_BYTES:
            text_n(b, v[i].p, v[i].len);
            break;
        }
    }
}

enum cust_status cust_pg_copy_send(struct cust_pg *g, const char *sql, const struct cust_buf *rows,
                                   struct cust_err *err, const char *what)
{
    static const char head[19] = "PGCOPY\n\377\r\n"; /* the rest: NUL, flags 0, extension 0 */
    static const char tail[2] = "\377\377";
    if (cust_buf_status(rows) != CUST_OK)
        return cust_err_set(err, CUST_ENOMEM, "store '%s': %s: out of memory", g->name, what);
    PGresult *r = PQexec(g->conn, sql);
    if (PQresultStatus(r) != PGRES_COPY_IN) {
        enum cust_status st = cust_pg_result_err(g, r, err, what);
        PQclear(r);
        return st;
    }
    PQclear(r);
    bool ok = PQputCopyData(g->conn, head, sizeof(head)) == 1;
    for (size_t off = 0; ok && off < rows->len;) {
        size_t n = rows->len - off > (1u << 20) ? (1u << 20) : rows->len - off;
        ok = PQputCopyData(g->conn, rows->buf + off, (int)n) == 1;
        off += n;
    }
    ok = ok && PQputCopyData(g->conn, tail, sizeof(tail)) == 1;
    ok = PQputCopyEnd(g->conn, ok ? NULL : "custodian: the rows could not be sent") == 1 && ok;
    enum cust_status st = CUST_OK;
    while ((r = PQgetResult(g->conn))) {
        if (st == CUST_OK && PQresultStatus(r) != PGRES_COMMAND_OK)
            st = cust_pg_result_err(g, r, err, what);
        PQclear(r);
    }
    if (st == CUST_OK && !ok)
        st = cust_err_set(err, CUST_EDB, "store '%s': %s: %s", g->name, what,
                          PQerrorMessage(g->conn));
    return st;
}
