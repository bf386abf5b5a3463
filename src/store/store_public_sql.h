/*
 * store_public_sql.h - the locator's statements, one text for both backends (store_sqlite_public.c,
 * store_postgres_public.c; docs/internals/store-postgresql.md): they name the view
 * public_bookings and the table public_custody (its in-custody rows) only. Parameters are written
 * `?N`; the PostgreSQL backend prepares them as `$N`. Not a public header.
 */
#ifndef CUSTODIAN_STORE_PUBLIC_SQL_H
#define CUSTODIAN_STORE_PUBLIC_SQL_H

enum public_stmt { P_NAME, P_NUMBER, P_NAME_COUNT, P_NUMBER_COUNT, P__N };

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

/* The public locator: this view and nothing else, and only these columns of it (dob,
 * unreleased, released_day and booked_ts are filters; last_key and first_key order the rows).
 * Two shapes, so that each is an index lookup: by last name (the in-custody rows whose key is
 * in [?1, ?8) from public_custody, in key order, stopping at the limit, merged with the rows of
 * bookings_released_name released after the day asked about: a range of release days, empty on
 * a live county) and by booking number. ?1 the
 * last name's key, ?8 the end of its range (cust_name_key_range), ?2 the first name's key (a
 * prefix), ?3 booking number, ?4 booked at or before (Unix), ?5 limit, ?6 dob, ?7 today (day
 * number). */
#define PUBLIC_COLS                                                                                \
    "booking_number, last_name, first_name, middle_name, booked_at, facility, arresting_agency,"   \
    " charges, scheduled_release, last_key, first_key"
#define PUBLIC_FILTER                                                                              \
    "(?2 IS NULL OR substr(first_key, 1, length(?2)) = ?2)"                                        \
    " AND (?3 IS NULL OR booking_number = ?3) AND booked_ts <= ?4"                                 \
    " AND (?6 IS NULL OR dob = ?6)"
#define PUBLIC_ORDER "last_key, first_key, booking_number LIMIT ?5"

static const char *const public_sql[P__N] = {
    [P_NAME] = "SELECT " PUBLIC_COLS " FROM public_custody WHERE last_key >= ?1 AND last_key < ?8"
               " AND " PUBLIC_FILTER " UNION ALL SELECT " PUBLIC_COLS
               " FROM public_bookings WHERE last_key >= ?1 AND last_key < ?8 AND released_day > ?7"
               " AND NOT unreleased AND " PUBLIC_FILTER " ORDER BY " PUBLIC_ORDER,
    [P_NUMBER] = "SELECT " PUBLIC_COLS " FROM public_bookings WHERE booking_number = ?3"
                 " AND (unreleased OR released_day > ?7)"
                 " AND (?1 IS NULL OR (last_key >= ?1 AND last_key < ?8))"
                 " AND " PUBLIC_FILTER " ORDER BY " PUBLIC_ORDER,
    /* the same rows counted (?5 unused) */
    [P_NAME_COUNT] = "SELECT (SELECT count(*) FROM public_custody WHERE last_key >= ?1"
                     " AND last_key < ?8 AND " PUBLIC_FILTER ")"
                     " + (SELECT count(*) FROM public_bookings WHERE last_key >= ?1"
                     " AND last_key < ?8 AND released_day > ?7 AND NOT unreleased"
                     " AND " PUBLIC_FILTER ")",
    [P_NUMBER_COUNT] = "SELECT count(*) FROM public_bookings WHERE booking_number = ?3"
                       " AND (unreleased OR released_day > ?7)"
                       " AND (?1 IS NULL OR (last_key >= ?1 AND last_key < ?8))"
                       " AND " PUBLIC_FILTER,
};

#endif
