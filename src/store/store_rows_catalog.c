/*
 * store_rows_catalog.c - the covered tables and how each backend reads a covered row: its
 * canonical columns (store_rows_sql.h), children and a label, one catalog for SQLite and
 * PostgreSQL (docs/internals/ledger.md "Rows", docs/internals/store-postgresql.md).
 */
#include "custodian/compat.h"
#include "store_rows_sql.h"

#define PLAIN(cols, from, key, label)                                                              \
    {                                                                                              \
        ROWS(cols, from, key), ONE(cols, from, key), label,                                        \
        {                                                                                          \
            {                                                                                      \
                0                                                                                  \
            }                                                                                      \
        }                                                                                          \
    }

const struct cust_row_ctab cust_row_catalog[CT__N] = {
    [CT_BOOKING_VERSIONS] = PLAIN(BV, "booking_versions", "id",
                                  "SELECT 'booking ' || coalesce(b.booking_number,"
                                  " '#' || v.booking_id) || ' v' || v.version FROM booking_versions"
                                  " v LEFT JOIN bookings b ON b.id = v.booking_id WHERE v.id = ?1"),
    [CT_BOOKINGS] = {ROWS(BK, "bookings", "id"),
                     ONE(BK, "bookings", "id"),
                     "SELECT 'booking ' || booking_number FROM bookings WHERE id = ?1",
                     {{"charges", KIDS("booking_id", CH, "charges", "idx"),
                       KIDS1("booking_id", CH, "charges", "idx")},
                      {"prior_convictions", KIDS("booking_id", PR, "prior_convictions", "idx"),
                       KIDS1("booking_id", PR, "prior_convictions", "idx")}}},
    [CT_PERSONS] = PLAIN(PS, "persons", "id",
                         "SELECT 'person ' || coalesce(person_key, '#' || id) FROM persons"
                         " WHERE id = ?1"),
    [CT_CITIZENSHIP] = PLAIN(CI, "citizenship_history", "id",
                             "SELECT 'person #' || person_id || ', ' || status || ' from booking '"
                             " || booking_number FROM citizenship_history WHERE id = ?1"),
    [CT_REQUESTS] = {ROWS(RQ, "requests", "id"),
                     ONE(RQ, "requests", "id"),
                     "SELECT 'request ' || id FROM requests WHERE id = ?1",
                     {{"request_links", KIDS("request_id", LK, "request_links", "person_id"),
                       KIDS1("request_id", LK, "request_links", "person_id")},
                      {0}}},
    [CT_REQUEST_DOCUMENTS] = PLAIN(RD, "request_documents", "id",
                                   "SELECT 'request ' || request_id || ', ' || role || ' '"
                                   " || name FROM request_documents WHERE id = ?1"),
    [CT_DOCUMENTS] = PLAIN(DC, "documents", "sha256",
                           "SELECT 'document of ' || coalesce(CAST(size AS TEXT), '?') || ' bytes'"
                           " FROM documents WHERE sha256 = ?1"),
    [CT_DECISIONS] = PLAIN(DE, "decisions", "id",
                           "SELECT 'request ' || request_id || ', person #' || person_id"
                           " FROM decisions WHERE id = ?1"),
    [CT_ACTIONS] = PLAIN(AC, "actions", "id",
                         "SELECT 'request ' || request_id || ', ' || \"action\" || ' '"
                         " || outcome FROM actions WHERE id = ?1"),
    [CT_DUTIES] = PLAIN(DU, "duties", "id",
                        "SELECT 'request ' || request_id || ', ' || duty || ' (' || status || ')'"
                        " FROM duties WHERE id = ?1"),
    [CT_TRANSFERS] = PLAIN(TR, "transfers", "id",
                           "SELECT 'person #' || person_id || ' to ' || agency || ' at ' || at"
                           " FROM transfers WHERE id = ?1"),
    [CT_DISCLOSURES] = PLAIN(DS, "disclosures", "id",
                             "SELECT 'request ' || request_id || ' row ' || ord"
                             " FROM disclosures WHERE id = ?1"),
    [CT_USERS] = PLAIN(US, "users", "name", "SELECT 'user ' || name FROM users WHERE name = ?1"),
    [CT_FEED_RUNS] = PLAIN(FR, "feed_runs", "id",
                           "SELECT 'feed ' || source || ', run of ' || run_at FROM feed_runs"
                           " WHERE id = ?1"),
    [CT_FEED_REVIEWS] = PLAIN(FV, "feed_reviews", "id",
                              "SELECT 'feed ' || source || ', booking ' || booking_number || ' ('"
                              " || status || ')' FROM feed_reviews WHERE id = ?1"),
    [CT_ENFORCEMENT_ACTIONS] = PLAIN(EA, "enforcement_actions", "id",
                                     "SELECT 'enforcement entry #' || id || ', ' || area || ' at '"
                                     " || occurred_at FROM enforcement_actions WHERE id = ?1"),
};

const struct cust_row_table cust_row_tables_of[CT__N] = {
    [CT_BOOKING_VERSIONS] = {"booking_versions", true, true},
    [CT_BOOKINGS] = {"bookings", true, false},
    [CT_PERSONS] = {"persons", true, false},
    [CT_CITIZENSHIP] = {"citizenship_history", true, true},
    [CT_REQUESTS] = {"requests", false, false},
    [CT_REQUEST_DOCUMENTS] = {"request_documents", true, true},
    [CT_DOCUMENTS] = {"documents", false, false},
    [CT_DECISIONS] = {"decisions", true, true},
    [CT_ACTIONS] = {"actions", true, true},
    [CT_DUTIES] = {"duties", true, false},
    [CT_TRANSFERS] = {"transfers", true, true},
    [CT_DISCLOSURES] = {"disclosures", true, true},
    [CT_USERS] = {"users", false, false},
    [CT_FEED_RUNS] = {"feed_runs", true, true},
    [CT_FEED_REVIEWS] = {"feed_reviews", true, false},
    [CT_ENFORCEMENT_ACTIONS] = {"enforcement_actions", true, true},
};

const struct cust_row_table *cust_store_row_tables(size_t *n)
{
    if (n)
        *n = CT__N;
    return cust_row_tables_of;
}

int cust_store_row_table(const char *name)
{
    for (int i = 0; i < CT__N; i++)
        if (strcmp(cust_row_tables_of[i].name, name) == 0)
            return i;
    return -1;
}
