/*
 * store_sqlite_backup.h - private: the SQLite backend's backup and restore (store_sqlite_backup.c),
 * behind cust_store_backup and cust_store_restore_* (store.h). Not a public header.
 */
#ifndef CUSTODIAN_STORE_SQLITE_BACKUP_H
#define CUSTODIAN_STORE_SQLITE_BACKUP_H

#include "custodian/store.h"

/* The backup op (struct cust_store_ops.backup). */
enum cust_status cust_sqlite_backup(void *impl, const char *dir, struct cust_backup_files *files,
                                    struct cust_err *err);
enum cust_status cust_sqlite_backup_open(const char *dir, const struct cust_backup_files *files,
                                         struct cust_store **out, struct cust_err *err);
enum cust_status cust_sqlite_restore_stage(const char *dir, const struct cust_backup_files *files,
                                           const char *target, char **staged, struct cust_err *err);
enum cust_status cust_sqlite_restore_commit(const char *staged, const char *target, char **kept,
                                            struct cust_err *err);
void cust_sqlite_restore_discard(const char *staged);

#endif
