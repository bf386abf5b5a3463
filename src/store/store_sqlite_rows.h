/*
 * store_sqlite_rows.h - private glue between the SQLite backend and its covered-rows part
 * (store_sqlite_rows.c, store_rows.h). Not a public header.
 */
#ifndef CUSTODIAN_STORE_SQLITE_ROWS_H
#define CUSTODIAN_STORE_SQLITE_ROWS_H

#include "store_backend.h"
#include "store_rows_sql.h"

#include <sqlite3.h>

/* Schema migration 9: the journal of row hashes and the entries' commitments to it. */
extern const char *const cust_sqlite_rows_migration[];
/* The covered-rows operations of the SQLite backend. */
extern const struct cust_store_rows_ops cust_sqlite_rows_ops;

/* From store_sqlite.c: the connection, the store path and the slot for this part's state. */
sqlite3 *cust_sqlite_rows_handle(void *impl, const char **path, void ***slot);
/* Remember that the current transaction wrote row `id` (integer keys) or `text` (text keys)
 * of covered table `t`. */
void cust_sqlite_rows_track(void *impl, enum cust_sqlite_table t, int64_t id, const char *text);
/* Remember a row of covered table `t` (without child rows) the current transaction just wrote,
 * by the hash of its canonical values `v` (store_rows_sql.h's columns of the table, the key
 * first, as the store holds them: the types the columns keep; cust_rows_written_keep_hash):
 * the ledger's journal takes that hash instead of reading the row back. A row changed again in
 * the transaction must be tracked (cust_sqlite_rows_track): it is then read back. */
void cust_sqlite_rows_keep_hash(void *impl, enum cust_sqlite_table t, const struct cust_val *v,
                                size_t n);
/* True in a bulk load into a store that was empty when it began (store_sqlite.c). */
bool cust_sqlite_rows_bulk_empty(void *impl);
/* Forget what the transaction wrote (it ended). */
void cust_sqlite_rows_forget(void *impl);
/* Free this part's state (called by the backend's close). */
void cust_sqlite_rows_free(void *state);

#endif
