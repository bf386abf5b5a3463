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
enum cust_status cust_sqlite_scope_persons(void *impl, const struct cust_scope *sc,
                                           cust_scope_row_fn fn, void *arg, struct cust_err *err);

/* From store_sqlite.c: the connection, the store path (for messages) and the slot where the
 * request operations keep their prepared statements. */
sqlite3 *cust_sqlite_handle(void *impl, const char **path, void ***requests_slot);
/* The columns of a request, in the order cust_sqlite_request_row reads them. */
#define CUST_SQLITE_REQUEST_COLS                                                                   \
    "id, kind, form, agency, office, status, status_reason, received_at, received_ts,"             \
    " received_offset, due_ts, law_ts, law_rule, owner, created_at, updated_at, doc"
/* The request of the current row of `s`, which selects CUST_SQLITE_REQUEST_COLS first (its
 * texts are the statement's: valid until it steps again). */
struct cust_request_row cust_sqlite_request_row(sqlite3_stmt *s);
/* Free what the request operations keep in their slot (called by the backend's close). */
void cust_sqlite_requests_free(void *stmts);

#endif
