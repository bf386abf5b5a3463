/*
 * store_postgres_public.c - the locator's read of the public view on PostgreSQL: the same
 * statements as SQLite's (store_public_sql.h), the same keys (namekey.h), the view
 * public_bookings only (docs/internals/store-postgresql.md, web.md).
 */
#include "custodian/compat.h"
#include "custodian/namekey.h"
#include "store_postgres.h"
#include "store_public_sql.h"

struct public_keys {
    char last[CUST_NAME_KEY_MAX], end[CUST_NAME_KEY_MAX + 1], first[CUST_NAME_KEY_MAX];
};

/* Run the statement for `q` (by name or by number, rows or their count). */
static enum cust_status run(void *impl, const struct cust_public_query *q, bool count,
                            PGresult **res, struct cust_err *err)
{
    if (!q->last_name && !q->booking_number)
        return cust_err_set(err, CUST_EINVAL, "give a last name or a booking number");
    enum public_stmt id =
        q->last_name ? (count ? P_NAME_COUNT : P_NAME) : (count ? P_NUMBER_COUNT : P_NUMBER);
    struct public_keys k;
    if (q->last_name) {
        cust_name_key(q->last_name, strlen(q->last_name), k.last, sizeof(k.last), NULL);
        cust_name_key_range(k.last, k.end, sizeof(k.end));
    }
    if (q->first_name)
        cust_name_key(q->first_name, strlen(q->first_name), k.first, sizeof(k.first), NULL);
    struct cust_pg_params p = {0};
    cust_pg_text(&p, 1, q->last_name ? k.last : NULL);
    cust_pg_text(&p, 2, q->first_name ? k.first : NULL);
    cust_pg_text(&p, 3, q->booking_number);
    cust_pg_int(&p, 4, q->booked_before);
    if (count)
        cust_pg_text(&p, 5, NULL);
    else
        cust_pg_int(&p, 5, q->limit);
    cust_pg_text(&p, 6, q->dob);
    cust_pg_int(&p, 7, q->today);
    cust_pg_text(&p, 8, q->last_name ? k.end : NULL);
    return cust_pg_run(cust_pg_conn(impl), public_sql[id], &p, false, res, err,
                       count ? "public count" : "public search");
}

enum cust_status cust_pg_public_search(void *impl, const struct cust_public_query *q,
                                       cust_public_fn fn, void *arg, struct cust_err *err)
{
    PGresult *r;
    enum cust_status st = run(impl, q, false, &r, err);
    if (st != CUST_OK)
        return st;
    for (int i = 0; st == CUST_OK && i < PQntuples(r); i++) {
        struct cust_public_row row = {
            .booking_number = cust_pg_get(r, i, 0),
            .last_name = cust_pg_get(r, i, 1),
            .first_name = cust_pg_get(r, i, 2),
            .middle_name = cust_pg_get(r, i, 3),
            .booked_at = cust_pg_get(r, i, 4),
            .facility = cust_pg_get(r, i, 5),
            .arresting_agency = cust_pg_get(r, i, 6),
            .charges_json = cust_pg_get(r, i, 7),
            .scheduled_release = cust_pg_get(r, i, 8),
        };
        st = fn(&row, arg);
    }
    PQclear(r);
    return st;
}

enum cust_status cust_pg_public_count(void *impl, const struct cust_public_query *q, int64_t *total,
                                      struct cust_err *err)
{
    PGresult *r;
    enum cust_status st = run(impl, q, true, &r, err);
    if (st != CUST_OK)
        return st;
    *total = cust_pg_get_int(r, 0, 0);
    PQclear(r);
    return CUST_OK;
}
