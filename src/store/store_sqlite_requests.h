/*
 * store_sqlite_requests.h - private glue between the SQLite backend (store_sqlite.c) and its
 * requests (store_sqlite_requests.c). Not a public header.
 */
#ifndef CUSTODIAN_STORE_SQLITE_REQUESTS_H
#define CUSTODIAN_STORE_SQLITE_REQUESTS_H

#include "store_backend.h"

#include <sqlite3.h>

/* Schema migration 2: requests and what is kept with them (NULL-terminated statements). */
extern const char *const cust_sqlite_requests_migration[];
/* Schema migration 4: the disclosures table (one row per row given by a fulfilment). */
extern const char *const cust_sqlite_disclosures_migration[];
/* The request operations of the SQLite backend. */
extern const struct cust_store_request_ops cust_sqlite_request_ops;
/* Persons and bookings as the matcher and a scope read them (store.h; they share this file's
 * prepared statements). */
enum cust_status cust_sqlite_persons(void *impl, int64_t person_id, cust_person_row_fn fn,
                                     void *arg, struct cust_err *err);
enum cust_status cust_sqlite_person_bookings(void *impl, int64_t person_id, cust_scope_row_fn fn,
                                             void *arg, struct cust_err *err);
enum cust_status cust_sqlite_scope(void *impl, const struct cust_scope *sc, cust_scope_row_fn fn,
                                   void *arg, struct cust_err *err);

/* From store_sqlite.c: the connection, the store path (for messages) and the slot where the
 * request operations keep their prepared statements. */
sqlite3 *cust_sqlite_handle(void *impl, const char **path, void ***requests_slot);
/* From store_sqlite.c: CUST_EDB "store 'PATH': WHAT: sqlite's message", with the system's
 * reason for an I/O failure ("disk I/O error (No space left on device)"). */
enum cust_status cust_sqlite_err(sqlite3 *db, const char *path, struct cust_err *err,
                                 const char *what);
/* Free what the request operations keep in their slot (called by the backend's close). */
void cust_sqlite_requests_free(void *stmts);

#endif
