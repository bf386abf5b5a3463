/*
 * store_public_sql.h - the locator's statements, one text for both backends (store_sqlite_public.c,
 * store_postgres_public.c; docs/internals/store-postgresql.md): they name the view
 * public_bookings and the table public_custody (its in-custody rows) only. Parameters are written
 * `?N`; the PostgreSQL backend prepares them as `$N`. Not a public header.
 */
#ifndef CUSTODIAN_STORE_PUBLIC_SQL_H
#define CUSTODIAN_STORE_PUBLIC_SQL_H

#include "custodian/store.h"

#include <stdbool.h>

enum public_stmt { P_NAME, P_NUMBER, P_NAME_COUNT, P_NUMBER_COUNT, P_NAME_TOTAL, P__N };

/* The table public_custody (migration 13): the rows of public_bookings that are unreleased, with
 * these columns of the view and no other, in the locator's order (its primary key: last_key,
 * first_key, booking_number), kept by the backend in the transaction that writes a booking or a
 * person (triggers). A search by name reads its in-custody rows here, one range of one b-tree
 * (and counts them from the index public_custody_count) instead of an index entry, a booking row
 * and a person row per answer row. Each backend's migration 13 says how it is kept. */
#define PUBLIC_CUSTODY_COLS                                                                        \
    "last_key, first_key, booking_number, booked_ts, dob, last_name, first_name, middle_name,"     \
    " booked_at, facility, arresting_agency, charges, scheduled_release"
/* Its rows for the booking numbers the SQL expression CHOOSE names (from the view) */
#define PUBLIC_CUSTODY_FILL(CHOOSE)                                                                \
    "INSERT INTO public_custody(" PUBLIC_CUSTODY_COLS ") SELECT " PUBLIC_CUSTODY_COLS              \
    " FROM public_bookings WHERE unreleased AND " CHOOSE

/* public_custody.fields (migration 14, a stored generated column): the row's public fields as
 * the API writes them (store.h cust_store_public_fields), by the SQL function cust_public_fields
 * of each backend (SQLite: that C function; PostgreSQL: the same escaping in PL/pgSQL). */
#define PUBLIC_CUSTODY_FIELDS_OF                                                                   \
    "cust_public_fields(booking_number, last_name, first_name, middle_name, booked_at, facility,"  \
    " arresting_agency)"

/* The table public_custody_names (migration 14): how many rows public_custody holds for each
 * last_key (n > 0; a key with none has no row), kept by triggers on public_custody in the same
 * transaction (each backend's migration 14), so that the count of a search by last name alone
 * ("showing 50 of 573") sums the few keys of its range instead of counting every match. */
#define PUBLIC_NAMES_FILL                                                                          \
    "INSERT INTO public_custody_names(last_key, n) SELECT last_key, count(*) FROM public_custody"  \
    " GROUP BY last_key"

/* The public locator: this view and nothing else, and only these columns of it (dob,
 * unreleased, released_day and booked_ts are filters; last_key and first_key order the rows).
 * Two shapes, so that each is an index lookup: by last name (the in-custody rows whose key is
 * in [?1, ?8) from public_custody, in key order, stopping at the limit, merged with the rows of
 * bookings_released_name released after the day asked about: a range of release days, empty on
 * a live county) and by booking number. ?1 the
 * last name's key, ?8 the end of its range (cust_name_key_range), ?2 the first name's key (a
 * prefix), ?3 booking number, ?4 booked at or before (Unix), ?5 limit, ?6 dob, ?7 today (day
 * number). */
/* (and the row's fields ready as JSON: public_custody.fields, NULL from the view) */
#define PUBLIC_COLS                                                                                \
    "booking_number, last_name, first_name, middle_name, booked_at, facility, arresting_agency,"   \
    " charges, scheduled_release, last_key, first_key"
#define PUBLIC_FILTER                                                                              \
    "(?2 IS NULL OR substr(first_key, 1, length(?2)) = ?2)"                                        \
    " AND (?3 IS NULL OR booking_number = ?3) AND booked_ts <= ?4"                                 \
    " AND (?6 IS NULL OR dob = ?6)"
#define PUBLIC_ORDER "last_key, first_key, booking_number LIMIT ?5"

/* P_NAME_COUNT without a first name, booking number or dob (the locator's common count): the
 * kept counts of the keys in the range, less the in-custody rows of the range booked after ?4
 * (hidden: the last hide_recent_hours, a few rows of the county, found by the index
 * public_custody_booked), plus the released half as in P_NAME_COUNT. BOOKED names that index for
 * SQLite (" INDEXED BY public_custody_booked": without statistics its planner would walk the
 * name's range of public_custody_count instead, every match again); PostgreSQL's planner, which
 * has them, is given "". */
#define PUBLIC_NAME_TOTAL(BOOKED)                                                                  \
    "SELECT (SELECT coalesce(sum(n), 0) FROM public_custody_names"                                 \
    " WHERE last_key >= ?1 AND last_key < ?8)"                                                     \
    " - (SELECT count(*) FROM public_custody" BOOKED " WHERE booked_ts > ?4"                       \
    " AND last_key >= ?1 AND last_key < ?8)"                                                       \
    " + (SELECT count(*) FROM public_bookings WHERE last_key >= ?1"                                \
    " AND last_key < ?8 AND released_day > ?7 AND NOT unreleased AND booked_ts <= ?4)"

#define PUBLIC_SQL_NAME                                                                            \
    "SELECT " PUBLIC_COLS ", fields FROM public_custody WHERE last_key >= ?1"                      \
    " AND last_key < ?8 AND " PUBLIC_FILTER " UNION ALL SELECT " PUBLIC_COLS ", NULL"              \
    " FROM public_bookings WHERE last_key >= ?1 AND last_key < ?8 AND released_day > ?7"           \
    " AND NOT unreleased AND " PUBLIC_FILTER " ORDER BY " PUBLIC_ORDER
#define PUBLIC_SQL_NUMBER                                                                          \
    "SELECT " PUBLIC_COLS ", NULL FROM public_bookings WHERE booking_number = ?3"                  \
    " AND (unreleased OR released_day > ?7)"                                                       \
    " AND (?1 IS NULL OR (last_key >= ?1 AND last_key < ?8))"                                      \
    " AND " PUBLIC_FILTER " ORDER BY " PUBLIC_ORDER
/* the same rows counted (?5 unused) */
#define PUBLIC_SQL_NAME_COUNT                                                                      \
    "SELECT (SELECT count(*) FROM public_custody WHERE last_key >= ?1"                             \
    " AND last_key < ?8 AND " PUBLIC_FILTER ")"                                                    \
    " + (SELECT count(*) FROM public_bookings WHERE last_key >= ?1"                                \
    " AND last_key < ?8 AND released_day > ?7 AND NOT unreleased"                                  \
    " AND " PUBLIC_FILTER ")"
#define PUBLIC_SQL_NUMBER_COUNT                                                                    \
    "SELECT count(*) FROM public_bookings WHERE booking_number = ?3"                               \
    " AND (unreleased OR released_day > ?7)"                                                       \
    " AND (?1 IS NULL OR (last_key >= ?1 AND last_key < ?8))"                                      \
    " AND " PUBLIC_FILTER

static const char *const public_sql[P__N] = {
    [P_NAME] = PUBLIC_SQL_NAME,
    [P_NUMBER] = PUBLIC_SQL_NUMBER,
    [P_NAME_COUNT] = PUBLIC_SQL_NAME_COUNT,
    [P_NAME_TOTAL] = PUBLIC_NAME_TOTAL(""),
    [P_NUMBER_COUNT] = PUBLIC_SQL_NUMBER_COUNT,
};

/* PUBLIC_SQL_NAME with each half ordered and cut to the limit before the union is: the same
 * rows. PostgreSQL does not plan the union's ORDER BY ... LIMIT as a merge of the halves, and
 * read and sorted every in-custody row of the name (483 for MENDOZA on 1,000,000 bookings,
 * 1.1-1.9 ms of the database's CPU an answer); a half's own ORDER BY ... LIMIT is a range of
 * public_custody's primary key that stops at the limit. (SQLite merges PUBLIC_SQL_NAME's halves
 * itself, and sorts this shape: 4x slower there; it runs P_NAME, never PUBLIC_READ.) */
#define PUBLIC_SQL_NAME_EACH_CUT                                                                   \
    "SELECT * FROM (SELECT " PUBLIC_COLS ", fields FROM public_custody WHERE last_key >= ?1"       \
    " AND last_key < ?8 AND " PUBLIC_FILTER " ORDER BY " PUBLIC_ORDER ") c UNION ALL"             \
    " SELECT * FROM (SELECT " PUBLIC_COLS ", NULL FROM public_bookings WHERE last_key >= ?1"      \
    " AND last_key < ?8 AND released_day > ?7 AND NOT unreleased AND " PUBLIC_FILTER              \
    " ORDER BY " PUBLIC_ORDER ") d ORDER BY " PUBLIC_ORDER

/* The rows and their count as one statement, so that both are read in one snapshot where a
 * snapshot is a statement's (PostgreSQL's READ COMMITTED; cust_store_public_read): the rows
 * `ROWS` (at most ?5) with their count `COUNT` as a 13th column, run only when ?5 rows came (an
 * uncorrelated subquery in a CASE branch not taken is not run), NULL otherwise. */
#define PUBLIC_READ(ROWS, COUNT)                                                                   \
    "WITH r AS (" ROWS ") SELECT *, CASE WHEN (SELECT count(*) FROM r) = ?5 THEN (" COUNT ")"      \
    " END FROM r ORDER BY last_key, first_key, booking_number"
enum public_read { PR_NAME, PR_NAME_TOTAL, PR_NUMBER, PR__N };
static const char *const public_read_sql[PR__N] = {
    [PR_NAME] = PUBLIC_READ(PUBLIC_SQL_NAME_EACH_CUT, PUBLIC_SQL_NAME_COUNT),
    [PR_NAME_TOTAL] = PUBLIC_READ(PUBLIC_SQL_NAME_EACH_CUT, PUBLIC_NAME_TOTAL("")),
    [PR_NUMBER] = PUBLIC_READ(PUBLIC_SQL_NUMBER, PUBLIC_SQL_NUMBER_COUNT),
};

/* The statement for `q`: by name or by number, its rows or their count (the kept counts when the
 * last name is the only filter). */
static inline enum public_stmt public_stmt_for(const struct cust_public_query *q, bool count)
{
    if (!q->last_name)
        return count ? P_NUMBER_COUNT : P_NUMBER;
    if (!count)
        return P_NAME;
    return q->first_name || q->booking_number || q->dob ? P_NAME_COUNT : P_NAME_TOTAL;
}

/* The statement for `q`'s rows and count together (PUBLIC_READ). */
static inline const char *public_read_for(const struct cust_public_query *q)
{
    switch (public_stmt_for(q, true)) {
    case P_NAME_TOTAL:
        return public_read_sql[PR_NAME_TOTAL];
    case P_NAME_COUNT:
        return public_read_sql[PR_NAME];
    default:
        return public_read_sql[PR_NUMBER];
    }
}

#endif
