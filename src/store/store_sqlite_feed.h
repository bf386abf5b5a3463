/*
 * store_sqlite_feed.h - private glue between the SQLite backend (store_sqlite.c) and the feeds'
 * operations (store_sqlite_feed.c). Not a public header.
 */
#ifndef CUSTODIAN_STORE_SQLITE_FEED_H
#define CUSTODIAN_STORE_SQLITE_FEED_H

#include "store_backend.h"

/* Schema migration 8: feed runs, what each source listed, review items. */
extern const char *const cust_sqlite_feed_migration[];
/* The feeds' operations of the SQLite backend. */
extern const struct cust_store_feed_ops cust_sqlite_feed_ops;

#endif
