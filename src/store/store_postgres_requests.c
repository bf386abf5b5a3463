/*
 * store_postgres_requests.c - the request desk's rows on PostgreSQL. So far the read of the
 * disclosure rows (what `audit verify` checks against their ledger entries); the other request
 * operations answer "not built yet" (store_postgres_todo.c, docs/internals/store-postgresql.md).
 */
#include "custodian/compat.h"
#include "store_postgres.h"

#define DISC_COLS                                                                                  \
    "id, request_id, ord, person_id, booking_number, items, withheld, recipient, office, at,"      \
    " decision_id, row_hash"
static const char discs_sql[] = "SELECT " DISC_COLS " FROM disclosures"
                                " WHERE (?1::text IS NULL OR request_id = ?1)"
                                " ORDER BY request_id, ord, id";

enum cust_status cust_pg_disclosures(void *impl, const char *request_id, cust_disclosure_row_fn fn,
                                     void *arg, struct cust_err *err)
{
    struct cust_pg_params p = {0};
    cust_pg_text(&p, 1, request_id);
    PGresult *r;
    if (cust_pg_run(cust_pg_conn(impl), discs_sql, &p, false, &r, err, "disclosures") != CUST_OK)
        return CUST_EDB;
    enum cust_status st = CUST_OK;
    for (int i = 0; st == CUST_OK && i < PQntuples(r); i++) {
        struct cust_disclosure_row x = {
            .id = cust_pg_get_int(r, i, 0),
            .request_id = cust_pg_get(r, i, 1),
            .ord = cust_pg_get_int(r, i, 2),
            .person_id = cust_pg_get_int(r, i, 3),
            .booking_number = cust_pg_get(r, i, 4),
            .items = cust_pg_get(r, i, 5),
            .withheld = cust_pg_get(r, i, 6),
            .recipient = cust_pg_get(r, i, 7),
            .office = cust_pg_get(r, i, 8),
            .at = cust_pg_get(r, i, 9),
            .decision_id = cust_pg_get_int(r, i, 10),
            .row_hash = cust_pg_get(r, i, 11),
        };
        st = fn(&x, arg);
    }
    PQclear(r);
    return st;
}
