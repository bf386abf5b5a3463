/*
 * store_sqlite_reports.h - private glue between the SQLite backend (store_sqlite.c) and its
 * report operations (store_sqlite_reports.c). Not a public header.
 */
#ifndef CUSTODIAN_STORE_SQLITE_REPORTS_H
#define CUSTODIAN_STORE_SQLITE_REPORTS_H

#include "custodian/store_reports.h"

/* Schema migration 11: the enforcement-action log (append-only) and the requests' receipt index. */
extern const char *const cust_sqlite_reports_migration[];
/* The report operations of the SQLite backend. */
extern const struct cust_store_reports_ops cust_sqlite_reports_ops;

#endif
