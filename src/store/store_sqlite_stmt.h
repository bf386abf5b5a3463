/*
 * store_sqlite_stmt.h - the SQLite backend's one way to keep a prepared statement and to word a
 * database error, shared by its files (store_sqlite*.c). Not a public header.
 */
#ifndef CUSTODIAN_STORE_SQLITE_STMT_H
#define CUSTODIAN_STORE_SQLITE_STMT_H

#include "custodian/status.h"

#include <sqlite3.h>

/* The statement kept in *slot: prepared from `sql` once (SQLITE_PREPARE_PERSISTENT), on later
 * calls reset with its bindings cleared. NULL with `err` set when it does not prepare. */
sqlite3_stmt *cust_sqlite_stmt(sqlite3 *db, const char *path, sqlite3_stmt **slot, const char *sql,
                               struct cust_err *err);
/* Set `err` to CUST_EDB "store 'PATH': WHAT: <SQLite's message>" and return CUST_EDB. */
enum cust_status cust_sqlite_err(sqlite3 *db, const char *path, struct cust_err *err,
                                 const char *what);

#endif
