/*
 * store_postgres_defer.c - the rows a write transaction adds by the thousand, sent by COPY
 * (store_postgres.h "Rows a write transaction adds by the thousand").
 *
 * A DOJ letter over a county writes a disclosure row per person, a notice duty per release
 * date given and a decision per distinct case: 12,073 INSERTs on the 1,065,482-booking county,
 * each one round trip. Here each is a tuple appended to its table's buffer, with the id SQLite
 * would give it (max(id) + 1: the writer lock makes this transaction the only writer, so the
 * ids are read once and counted), and the buffers go in three COPY statements, parents first,
 * when the connection is next used for anything else. The rows, their ids and the ledger's
 * hashes of them are those of the row-by-row inserts.
 */
#include "custodian/compat.h"
#include "custodian/buf.h"
#include "store_postgres.h"
#include "store_rows_sql.h"

/* Send when the buffers hold this much (a state's letter: tens of MB otherwise). */
#define SEND_BYTES (8u << 20)

struct cust_pg_defer {
    bool counted; /* next[] read in this transaction */
    int64_t next[CUST_PG_DEFER__N];
    struct cust_buf buf[CUST_PG_DEFER__N];
    size_t rows; /* tuples buffered, all tables */
};

/* Parents first: a disclosure names its decision. Every column, in the catalog's order (the
 * canonical values' order, store_rows_sql.h). */
static const char *const copy_sql[CUST_PG_DEFER__N] = {
    [CUST_PG_DEFER_DECISIONS] = "COPY decisions(" DE ") FROM STDIN (FORMAT binary)",
    [CUST_PG_DEFER_DISCLOSURES] = "COPY disclosures(" DS ") FROM STDIN (FORMAT binary)",
    [CUST_PG_DEFER_DUTIES] = "COPY duties(" DU ") FROM STDIN (FORMAT binary)",
};

static const char *const what[CUST_PG_DEFER__N] = {"insert decisions", "insert disclosures",
                                                   "insert duties"};

/* The last ids of the three tables, in the order of enum cust_pg_defer_table. */
static const char last_ids_sql[] = "SELECT (SELECT coalesce(max(id), 0) FROM decisions),"
                                   " (SELECT coalesce(max(id), 0) FROM disclosures),"
                                   " (SELECT coalesce(max(id), 0) FROM duties)";

static enum cust_status count_from_last(struct cust_pg *g, struct cust_err *err)
{
    PGresult *r;
    if (cust_pg_run(g, last_ids_sql, NULL, false, &r, err, "next ids") != CUST_OK)
        return CUST_EDB;
    for (int t = 0; t < CUST_PG_DEFER__N; t++)
        g->defer->next[t] = cust_pg_get_int(r, 0, t) + 1;
    PQclear(r);
    g->defer->counted = true;
    return CUST_OK;
}

enum cust_status cust_pg_defer_id(struct cust_pg *g, enum cust_pg_defer_table t, int64_t *id,
                                  struct cust_err *err)
{
    if (!g->defer) {
        g->defer = cust_xcalloc(1, sizeof(*g->defer));
        for (int i = 0; i < CUST_PG_DEFER__N; i++)
            g->defer->buf[i] = (struct cust_buf)CUST_BUF_INIT;
    }
    if (!g->defer->counted && count_from_last(g, err) != CUST_OK)
        return CUST_EDB;
    *id = g->defer->next[t]++;
    return CUST_OK;
}

enum cust_status cust_pg_defer_send(struct cust_pg *g, struct cust_err *err)
{
    struct cust_pg_defer *d = g->defer;
    if (!d || d->rows == 0)
        return CUST_OK;
    d->rows = 0; /* first: the sends below run no statement that would send again */
    enum cust_status st = CUST_OK;
    for (int t = 0; t < CUST_PG_DEFER__N; t++) {
        if (st == CUST_OK && d->buf[t].len > 0)
            st = cust_pg_copy_send(g, copy_sql[t], &d->buf[t], err, what[t]);
        cust_buf_reset(&d->buf[t]);
    }
    return st;
}

enum cust_status cust_pg_defer_put(struct cust_pg *g, enum cust_pg_defer_table t,
                                   const struct cust_val *v, size_t n, struct cust_err *err)
{
    struct cust_pg_defer *d = g->defer; /* made by cust_pg_defer_id */
    cust_pg_copy_vals(&d->buf[t], v, n);
    d->rows++;
    size_t bytes = 0;
    for (int i = 0; i < CUST_PG_DEFER__N; i++)
        bytes += d->buf[i].len;
    if (bytes < SEND_BYTES && PQtransactionStatus(g->conn) == PQTRANS_INTRANS)
        return CUST_OK;
    enum cust_status st = cust_pg_defer_send(g, err);
    if (PQtransactionStatus(g->conn) == PQTRANS_IDLE) /* autocommit: the next put reads again */
        d->counted = false;
    return st;
}

void cust_pg_defer_end(struct cust_pg *g)
{
    struct cust_pg_defer *d = g->defer;
    if (!d)
        return;
    for (int t = 0; t < CUST_PG_DEFER__N; t++)
        cust_buf_release(&d->buf[t]);
    free(d);
    g->defer = NULL;
}
