/*
 * store_sqlite_stmt.h - the SQLite backend's one way to keep a prepared statement, to word a
 * database error, to bind and read text and times, and the SQL more than one of them needs, shared
 * by its files (store_sqlite*.c).
 * Not a public header.
 */
#ifndef CUSTODIAN_STORE_SQLITE_STMT_H
#define CUSTODIAN_STORE_SQLITE_STMT_H

#include "custodian/status.h"
#include "custodian/store_requests.h" /* CUST_NO_TIME */
#include "store_custody_sql.h"

#include <sqlite3.h>

/* The statement kept in *slot: prepared from `sql` once (SQLITE_PREPARE_PERSISTENT), on later
 * calls reset with its bindings cleared. NULL with `err` set when it does not prepare. */
sqlite3_stmt *cust_sqlite_stmt(sqlite3 *db, const char *path, sqlite3_stmt **slot, const char *sql,
                               struct cust_err *err);
/* Set `err` to CUST_EDB "store 'PATH': WHAT: <SQLite's message>" and return CUST_EDB. */
enum cust_status cust_sqlite_err(sqlite3 *db, const char *path, struct cust_err *err,
                                 const char *what);

/* Bind text, or NULL when `v` is NULL (the text must outlive the statement's step). */
static inline void cust_sqlite_bind_text(sqlite3_stmt *s, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, i);
}

/* Bind a time (seconds), or NULL for CUST_NO_TIME. */
static inline void cust_sqlite_bind_time(sqlite3_stmt *s, int i, int64_t t)
{
    if (t == CUST_NO_TIME)
        sqlite3_bind_null(s, i);
    else
        sqlite3_bind_int64(s, i, t);
}

/* Column i as text (NULL for SQL NULL). */
static inline const char *cust_sqlite_text(sqlite3_stmt *s, int i)
{
    return (const char *)sqlite3_column_text(s, i);
}

/* Column i as a time (seconds), CUST_NO_TIME for SQL NULL. */
static inline int64_t cust_sqlite_time(sqlite3_stmt *s, int i)
{
    return sqlite3_column_type(s, i) == SQLITE_NULL ? CUST_NO_TIME : sqlite3_column_int64(s, i);
}

/* ---- SQL the backend's files share ---- */

/* The bookings in custody on a day are two ranges of this index, read without their rows
 * (store_custody_sql.h); also dropped and built again by a bulk
 * load. Migration 15 made it on (released_day, booked_day); migration 16 added person_id, so a
 * data request's scope finds the persons in custody without reading a booking row. */
#define CUST_SQLITE_IDX_BOOKINGS_CUSTODY                                                           \
    "CREATE INDEX bookings_custody ON bookings(released_day, booked_day, person_id)"
/* Migration 16: the persons of one citizenship status, a range of ids (a scope's "non-citizens"
 * without reading a person row); also dropped and built again by a bulk load. */
#define CUST_SQLITE_IDX_PERSONS_CITIZENSHIP                                                        \
    "CREATE INDEX persons_citizenship ON persons(citizenship_status)"
#endif
