/*
 * store_accounts_sql.h - the statements of staff accounts and sessions, one text for both
 * backends (store_sqlite_accounts.c, store_postgres_accounts.c): parameters written `?N` (the
 * PostgreSQL backend prepares them as `$N`), the column "user" of sessions quoted (a reserved
 * word on PostgreSQL, a plain name on SQLite). Not a public header.
 */
#ifndef CUSTODIAN_STORE_ACCOUNTS_SQL_H
#define CUSTODIAN_STORE_ACCOUNTS_SQL_H

#define CUST_SQL_USER_GET                                                                          \
    "SELECT name, role, pwhash, totp_key, totp_last_step, failures, locked_until,"                 \
    " disabled, totp_nonce, created_at FROM users WHERE name = ?1"
/* ?10 is created_at: the store's clock (cust_now), kept when the account is replaced */
#define CUST_SQL_USER_PUT                                                                          \
    "INSERT INTO users(name, role, pwhash, totp_key, totp_last_step, failures,"                    \
    " locked_until, disabled, totp_nonce, created_at)"                                             \
    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"                                             \
    " ON CONFLICT(name) DO UPDATE SET role = excluded.role,"                                       \
    " pwhash = excluded.pwhash, totp_key = excluded.totp_key,"                                     \
    " totp_last_step = excluded.totp_last_step, failures = excluded.failures,"                     \
    " locked_until = excluded.locked_until, disabled = excluded.disabled,"                         \
    " totp_nonce = excluded.totp_nonce"
#define CUST_SQL_USER_FAILURE                                                                      \
    "UPDATE users SET"                                                                             \
    " locked_until = CASE WHEN failures + 1 >= ?3 THEN ?2 + ?4 ELSE locked_until END,"             \
    " failures = CASE WHEN failures + 1 >= ?3 THEN 0 ELSE failures + 1 END"                        \
    " WHERE name = ?1 AND locked_until <= ?2"
#define CUST_SQL_USER_SUCCESS                                                                      \
    "UPDATE users SET totp_last_step = ?2, failures = 0, locked_until = 0"                         \
    " WHERE name = ?1 AND totp_last_step < ?2"
#define CUST_SQL_USER_EXISTS       "SELECT 1 FROM users WHERE name = ?1"
#define CUST_SQL_USER_LIST         "SELECT name, role, created_at, disabled FROM users ORDER BY name"
#define CUST_SQL_USER_SET_ROLE     "UPDATE users SET role = ?2 WHERE name = ?1"
#define CUST_SQL_USER_SET_DISABLED "UPDATE users SET disabled = ?2 WHERE name = ?1"
#define CUST_SQL_SESSION_GET                                                                       \
    "SELECT id, csrf, \"user\", role, created, last_seen FROM sessions WHERE id = ?1"
#define CUST_SQL_SESSION_PUT                                                                       \
    "INSERT INTO sessions(id, csrf, \"user\", role, created, last_seen)"                           \
    " VALUES(?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(id) DO UPDATE SET"                                \
    " last_seen = excluded.last_seen, role = excluded.role"
#define CUST_SQL_SESSION_DELETE "DELETE FROM sessions WHERE id = ?1"
#define CUST_SQL_SESSION_LIST                                                                      \
    "SELECT id, csrf, \"user\", role, created, last_seen FROM sessions"                            \
    " WHERE \"user\" = ?1 ORDER BY created, id"
#define CUST_SQL_SESSION_END_ALL "DELETE FROM sessions WHERE \"user\" = ?1"

#endif
