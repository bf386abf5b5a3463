/*
 * store_sqlite_accounts.h - private glue between the SQLite backend (store_sqlite.c) and its
 * staff accounts and sessions (store_sqlite_accounts.c). Not a public header.
 */
#ifndef CUSTODIAN_STORE_SQLITE_ACCOUNTS_H
#define CUSTODIAN_STORE_SQLITE_ACCOUNTS_H

#include "store_backend.h"

/* Schema migration 3: staff accounts, sessions, the locator's name index. */
/* A person index of migration 3 (the console's search by name), shared with the bulk load, which
 * drops it and builds it again at its commit (store_sqlite.c). */
#define CUST_SQLITE_IDX_PERSONS_NAME "CREATE INDEX persons_name ON persons(last_name, first_name)"

extern const char *const cust_sqlite_accounts_migration[];
/* Schema migration 6: users.totp_nonce (TOTP secrets sealed at rest). */
extern const char *const cust_sqlite_accounts_totp_migration[];
/* The account operations of the SQLite backend. */
extern const struct cust_store_account_ops cust_sqlite_account_ops;
/* From store_sqlite.c: the slot where the account operations keep their prepared statements. */
void **cust_sqlite_accounts_slot(void *impl);
/* Free what the account operations keep in their slot (called by the backend's close). */
void cust_sqlite_accounts_free(void *stmts);

#endif
