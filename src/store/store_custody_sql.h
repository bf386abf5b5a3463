/*
 * store_custody_sql.h - the bookings in custody on a day, one SQL text for both backends (the
 * roster, the export and a data request's scope on SQLite; a scope on PostgreSQL). Not a public
 * header.
 */
#ifndef CUSTODIAN_STORE_CUSTODY_SQL_H
#define CUSTODIAN_STORE_CUSTODY_SQL_H

/* The ids of the bookings in custody on day P (an SQL parameter, not NULL): booked on or before P
 * and not released, or released after P. Two ranges of bookings_custody, so what is read grows
 * with the bookings in custody on P and those released since, not with every booking kept (a
 * roster on a day scanned the whole table: 266,095 bookings read for 16,444 in custody). */
#define CUST_CUSTODY_IDS(P)                                                                        \
    "SELECT id FROM bookings WHERE released_day IS NULL AND booked_day <= " P                      \
    " UNION ALL SELECT id FROM bookings WHERE released_day > " P " AND booked_day <= " P
/* The same bookings as (id, person_id), from the index alone (on PostgreSQL, whose indexes hold
 * no row id, since migration 17 put the id in bookings_custody). */
#define CUST_CUSTODY_ROWS(P)                                                                       \
    "SELECT id, person_id FROM bookings WHERE released_day IS NULL AND booked_day <= " P           \
    " UNION ALL SELECT id, person_id FROM bookings WHERE released_day > " P                        \
    " AND booked_day <= " P

#endif
