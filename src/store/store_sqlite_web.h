/*
 * store_sqlite_web.h - private glue between the SQLite backend (store_sqlite.c) and the web
 * front end's operations (store_sqlite_web.c). Not a public header.
 */
#ifndef CUSTODIAN_STORE_SQLITE_WEB_H
#define CUSTODIAN_STORE_SQLITE_WEB_H

#include "custodian/store_web.h"

/* Schema migration 3: staff accounts, sessions, the locator's name index. */
extern const char *const cust_sqlite_web_migration[];
/* The web operations of the SQLite backend. */
extern const struct cust_store_web_ops cust_sqlite_web_ops;
/* From store_sqlite.c: the slot where the web operations keep their prepared statements. */
void **cust_sqlite_web_slot(void *impl);
/* Free what the web operations keep in their slot (called by the backend's close). */
void cust_sqlite_web_free(void *web);

#endif
