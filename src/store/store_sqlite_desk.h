/*
 * store_sqlite_desk.h - private glue between the SQLite backend (store_sqlite.c) and its desk
 * operations (store_sqlite_desk.c). Not a public header.
 */
#ifndef CUSTODIAN_STORE_SQLITE_DESK_H
#define CUSTODIAN_STORE_SQLITE_DESK_H

#include "custodian/store_desk.h"

#include <sqlite3.h>

/* Schema migration 2: the desk tables (NULL-terminated list of statements). */
extern const char *const cust_sqlite_desk_migration[];
/* Schema migration 4: the disclosures table (one row per row given by a fulfilment). */
extern const char *const cust_sqlite_desk_disclosures_migration[];
/* The desk operations of the SQLite backend. */
extern const struct cust_store_desk_ops cust_sqlite_desk_ops;

/* From store_sqlite.c: the connection, the store path (for messages) and the slot where the
 * desk keeps its prepared statements. */
sqlite3 *cust_sqlite_handle(void *impl, const char **path, void ***desk_slot);
/* Free what the desk keeps in its slot (called by the backend's close). */
void cust_sqlite_desk_free(void *desk);

#endif
