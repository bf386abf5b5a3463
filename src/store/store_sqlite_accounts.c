/*
 * store_sqlite_accounts.c - staff accounts and sessions in the SQLite backend
 * (store_accounts.h, docs/internals/store.md).
 *
 * Migration 3 adds staff accounts and sessions (and an index on persons(last_name, first_name)
 * the locator uses); migration 6 adds users.totp_nonce: a row with a nonce holds its TOTP secret
 * sealed (crypto_secretbox under the server key file, which only the web backend knows), a row
 * without one is a clear-text secret from before (web.md). Rows only: a role is text here.
 */
#include "custodian/compat.h"
#include "custodian/date.h"
#include "store_accounts_sql.h"
#include "store_sqlite_accounts.h"
#include "store_sqlite_requests.h"
#include "store_sqlite_rows.h"
#include "store_sqlite_stmt.h"

#include <sqlite3.h>

const char *const cust_sqlite_accounts_migration[] = {
    "CREATE TABLE users("
    " name TEXT PRIMARY KEY, role TEXT NOT NULL, pwhash TEXT NOT NULL, totp_key BLOB NOT NULL,"
    " totp_last_step INTEGER NOT NULL DEFAULT 0, failures INTEGER NOT NULL DEFAULT 0,"
    " locked_until INTEGER NOT NULL DEFAULT 0, disabled INTEGER NOT NULL DEFAULT 0,"
    " created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')))",
    "CREATE TABLE sessions("
    " id TEXT PRIMARY KEY, csrf TEXT NOT NULL, user TEXT NOT NULL REFERENCES users(name),"
    " role TEXT NOT NULL, created INTEGER NOT NULL, last_seen INTEGER NOT NULL)",
    "CREATE INDEX sessions_user ON sessions(user)", CUST_SQLITE_IDX_PERSONS_NAME, NULL};

/* Migration 6: TOTP secrets encrypted at rest. totp_key keeps the box (secret + MAC, 36 bytes)
 * when totp_nonce is set; NULL totp_nonce marks a clear-text row, sealed by the web backend on
 * the first open with the key (cust_web_new). Additive: old rows stay readable. */
const char *const cust_sqlite_accounts_totp_migration[] = {
    "ALTER TABLE users ADD COLUMN totp_nonce BLOB", NULL};

enum account_stmt {
    W_USER_GET,
    W_USER_PUT,
    W_USER_FAILURE,
    W_USER_SUCCESS,
    W_USER_EXISTS,
    W_USER_LIST,
    W_SESSION_GET,
    W_SESSION_PUT,
    W_SESSION_DELETE,
    W_USER_SET_ROLE,
    W_USER_SET_DISABLED,
    W_SESSION_LIST,
    W_SESSION_END_ALL,
    W__N
};

static const char *const account_sql[W__N] = {
    [W_USER_GET] = CUST_SQL_USER_GET,
    [W_USER_PUT] = CUST_SQL_USER_PUT,
    [W_USER_FAILURE] = CUST_SQL_USER_FAILURE,
    [W_USER_SUCCESS] = CUST_SQL_USER_SUCCESS,
    [W_USER_EXISTS] = CUST_SQL_USER_EXISTS,
    [W_USER_LIST] = CUST_SQL_USER_LIST,
    [W_SESSION_GET] = CUST_SQL_SESSION_GET,
    [W_SESSION_PUT] = CUST_SQL_SESSION_PUT,
    [W_SESSION_DELETE] = CUST_SQL_SESSION_DELETE,
    [W_USER_SET_ROLE] = CUST_SQL_USER_SET_ROLE,
    [W_USER_SET_DISABLED] = CUST_SQL_USER_SET_DISABLED,
    [W_SESSION_LIST] = CUST_SQL_SESSION_LIST,
    [W_SESSION_END_ALL] = CUST_SQL_SESSION_END_ALL,
};

struct account_stmts {
    sqlite3_stmt *st[W__N];
};

void cust_sqlite_accounts_free(void *stmts)
{
    struct account_stmts *w = stmts;
    if (!w)
        return;
    for (int i = 0; i < W__N; i++)
        sqlite3_finalize(w->st[i]);
    free(w);
}

/* The prepared statement `id` of this connection, reset with bindings cleared. */
static sqlite3_stmt *wstmt(void *impl, enum account_stmt id, struct cust_err *err)
{
    const char *path = NULL;
    sqlite3 *db = cust_sqlite_handle(impl, &path, NULL);
    void **slot = cust_sqlite_accounts_slot(impl);
    struct account_stmts *w = *slot;
    if (!w)
        *slot = w = cust_xcalloc(1, sizeof(*w));
    return cust_sqlite_stmt(db, path, &w->st[id], account_sql[id], err);
}

static enum cust_status step_err(void *impl, struct cust_err *err, const char *what)
{
    const char *path = NULL;
    sqlite3 *db = cust_sqlite_handle(impl, &path, NULL);
    return cust_sqlite_err(db, path, err, what);
}

static enum cust_status sw_account_get(void *impl, const char *name, cust_account_row_fn fn,
                                       void *arg, struct cust_err *err)
{
    sqlite3_stmt *s = wstmt(impl, W_USER_GET, err);
    if (!s)
        return CUST_EDB;
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    enum cust_status st = CUST_OK;
    if (rc == SQLITE_ROW) {
        struct cust_account_row r = {
            .name = cust_sqlite_text(s, 0),
            .role = cust_sqlite_text(s, 1),
            .pwhash = cust_sqlite_text(s, 2),
            .totp_secret = sqlite3_column_blob(s, 3),
            .totp_secret_len = (size_t)sqlite3_column_bytes(s, 3),
            .totp_nonce = sqlite3_column_blob(s, 8),
            .totp_nonce_len = (size_t)sqlite3_column_bytes(s, 8),
            .totp_last_step = sqlite3_column_int64(s, 4),
            .failures = (unsigned)sqlite3_column_int(s, 5),
            .locked_until = sqlite3_column_int64(s, 6),
            .disabled = sqlite3_column_int(s, 7) != 0,
            .created_at = cust_sqlite_text(s, 9),
        };
        st = fn(&r, arg);
    } else if (rc == SQLITE_DONE) {
        st = cust_err_set(err, CUST_ENOTFOUND, "no user '%s'", name);
    } else {
        st = step_err(impl, err, "user");
    }
    sqlite3_reset(s);
    return st;
}

static enum cust_status sw_account_put(void *impl, const struct cust_account_row *a,
                                       struct cust_err *err)
{
    sqlite3_stmt *s = wstmt(impl, W_USER_PUT, err);
    if (!s)
        return CUST_EDB;
    sqlite3_bind_text(s, 1, a->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, a->role ? a->role : "none", -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, a->pwhash, -1, SQLITE_STATIC);
    sqlite3_bind_blob(s, 4, a->totp_secret ? (const void *)a->totp_secret : "",
                      (int)a->totp_secret_len, SQLITE_STATIC);
    if (a->totp_nonce)
        sqlite3_bind_blob(s, 9, a->totp_nonce, (int)a->totp_nonce_len, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, 9);
    sqlite3_bind_int64(s, 5, a->totp_last_step);
    sqlite3_bind_int64(s, 6, a->failures);
    sqlite3_bind_int64(s, 7, a->locked_until);
    sqlite3_bind_int(s, 8, a->disabled ? 1 : 0);
    char at[32];
    cust_time_format(cust_now(), 0, true, at);
    sqlite3_bind_text(s, 10, at, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return step_err(impl, err, "user");
    cust_sqlite_rows_track(impl, CT_USERS, 0, a->name);
    return CUST_OK;
}

static enum cust_status user_exists(void *impl, const char *name, struct cust_err *err)
{
    sqlite3_stmt *s = wstmt(impl, W_USER_EXISTS, err);
    if (!s)
        return CUST_EDB;
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc == SQLITE_ROW)
        return CUST_OK;
    if (rc == SQLITE_DONE)
        return cust_err_set(err, CUST_ENOTFOUND, "no user '%s'", name);
    return step_err(impl, err, "user");
}

static enum cust_status sw_user_claim(void *impl, const char *name, int64_t now, unsigned max,
                                      int64_t lock_s, struct cust_err *err)
{
    const char *path = NULL;
    sqlite3 *db = cust_sqlite_handle(impl, &path, NULL);
    sqlite3_stmt *s = wstmt(impl, W_USER_FAILURE, err);
    if (!s)
        return CUST_EDB;
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, now);
    sqlite3_bind_int64(s, 3, max);
    sqlite3_bind_int64(s, 4, lock_s);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return step_err(impl, err, "user attempt");
    if (sqlite3_changes(db) == 1)
        return CUST_OK;
    enum cust_status st = user_exists(impl, name, err);
    return st ? st : cust_err_set(err, CUST_EDENIED, "account locked");
}

static enum cust_status sw_user_success(void *impl, const char *name, int64_t step,
                                        struct cust_err *err)
{
    const char *path = NULL;
    sqlite3 *db = cust_sqlite_handle(impl, &path, NULL);
    sqlite3_stmt *s = wstmt(impl, W_USER_SUCCESS, err);
    if (!s)
        return CUST_EDB;
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, step);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return step_err(impl, err, "user success");
    if (sqlite3_changes(db) == 1)
        return CUST_OK;
    enum cust_status st = user_exists(impl, name, err);
    if (st != CUST_OK)
        return st;
    return cust_err_set(err, CUST_ECONFLICT, "code already used");
}

static enum cust_status sw_user_list(void *impl, cust_user_fn fn, void *arg, struct cust_err *err)
{
    sqlite3_stmt *s = wstmt(impl, W_USER_LIST, err);
    if (!s)
        return CUST_EDB;
    enum cust_status st = CUST_OK;
    int rc;
    while (st == CUST_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct cust_user_row r = {cust_sqlite_text(s, 0), cust_sqlite_text(s, 1),
                                  cust_sqlite_text(s, 2), sqlite3_column_int(s, 3) != 0};
        st = fn(&r, arg);
    }
    if (st == CUST_OK && rc != SQLITE_DONE)
        st = step_err(impl, err, "users");
    sqlite3_reset(s);
    return st;
}

static enum cust_status sw_session_get(void *impl, const char *id, cust_session_row_fn fn,
                                       void *arg, struct cust_err *err)
{
    sqlite3_stmt *s = wstmt(impl, W_SESSION_GET, err);
    if (!s)
        return CUST_EDB;
    sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    enum cust_status st = CUST_OK;
    if (rc == SQLITE_ROW) {
        struct cust_session_row r = {cust_sqlite_text(s, 0),     cust_sqlite_text(s, 1),
                                     cust_sqlite_text(s, 2),     cust_sqlite_text(s, 3),
                                     sqlite3_column_int64(s, 4), sqlite3_column_int64(s, 5)};
        st = fn(&r, arg);
    } else if (rc == SQLITE_DONE) {
        st = cust_err_set(err, CUST_ENOTFOUND, "no such session");
    } else {
        st = step_err(impl, err, "session");
    }
    sqlite3_reset(s);
    return st;
}

static enum cust_status sw_session_put(void *impl, const struct cust_session_row *se,
                                       struct cust_err *err)
{
    sqlite3_stmt *s = wstmt(impl, W_SESSION_PUT, err);
    if (!s)
        return CUST_EDB;
    sqlite3_bind_text(s, 1, se->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, se->csrf, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, se->user, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, se->role ? se->role : "none", -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 5, se->created);
    sqlite3_bind_int64(s, 6, se->last_seen);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? CUST_OK : step_err(impl, err, "session");
}

static enum cust_status sw_session_delete(void *impl, const char *id, struct cust_err *err)
{
    sqlite3_stmt *s = wstmt(impl, W_SESSION_DELETE, err);
    if (!s)
        return CUST_EDB;
    sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? CUST_OK : step_err(impl, err, "session");
}

/* Run the UPDATE/DELETE `id` bound to (name, text or int); *changes gets the rows changed. */
static enum cust_status run_change(void *impl, enum account_stmt id, const char *name,
                                   const char *text, int64_t num, size_t *changes,
                                   struct cust_err *err)
{
    const char *path = NULL;
    sqlite3 *db = cust_sqlite_handle(impl, &path, NULL);
    sqlite3_stmt *s = wstmt(impl, id, err);
    if (!s)
        return CUST_EDB;
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    if (text)
        sqlite3_bind_text(s, 2, text, -1, SQLITE_STATIC);
    else if (sqlite3_bind_parameter_count(s) >= 2)
        sqlite3_bind_int64(s, 2, num);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return step_err(impl, err, "user");
    *changes = (size_t)sqlite3_changes(db);
    return CUST_OK;
}

static enum cust_status sw_user_set_role(void *impl, const char *name, const char *role,
                                         struct cust_err *err)
{
    size_t n = 0;
    enum cust_status st = run_change(impl, W_USER_SET_ROLE, name, role ? role : "none", 0, &n, err);
    if (st == CUST_OK && n == 0)
        return cust_err_set(err, CUST_ENOTFOUND, "no user '%s'", name);
    if (st == CUST_OK)
        cust_sqlite_rows_track(impl, CT_USERS, 0, name); /* a covered column: journalled */
    return st;
}

static enum cust_status sw_user_set_disabled(void *impl, const char *name, bool disabled,
                                             struct cust_err *err)
{
    size_t n = 0;
    enum cust_status st = run_change(impl, W_USER_SET_DISABLED, name, NULL, disabled, &n, err);
    if (st == CUST_OK && n == 0)
        return cust_err_set(err, CUST_ENOTFOUND, "no user '%s'", name);
    if (st == CUST_OK)
        cust_sqlite_rows_track(impl, CT_USERS, 0, name);
    return st;
}

static enum cust_status sw_session_list(void *impl, const char *user, cust_session_row_fn fn,
                                        void *arg, struct cust_err *err)
{
    sqlite3_stmt *s = wstmt(impl, W_SESSION_LIST, err);
    if (!s)
        return CUST_EDB;
    sqlite3_bind_text(s, 1, user, -1, SQLITE_STATIC);
    enum cust_status st = CUST_OK;
    int rc;
    while (st == CUST_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct cust_session_row r = {cust_sqlite_text(s, 0),     cust_sqlite_text(s, 1),
                                     cust_sqlite_text(s, 2),     cust_sqlite_text(s, 3),
                                     sqlite3_column_int64(s, 4), sqlite3_column_int64(s, 5)};
        st = fn(&r, arg);
    }
    if (st == CUST_OK && rc != SQLITE_DONE)
        st = step_err(impl, err, "sessions");
    sqlite3_reset(s);
    return st;
}

static enum cust_status sw_session_end_all(void *impl, const char *user, size_t *ended,
                                           struct cust_err *err)
{
    size_t n = 0;
    enum cust_status st = run_change(impl, W_SESSION_END_ALL, user, NULL, 0, &n, err);
    if (ended)
        *ended = n;
    return st;
}

const struct cust_store_account_ops cust_sqlite_account_ops = {
    .account_get = sw_account_get,
    .account_put = sw_account_put,
    .user_claim = sw_user_claim,
    .user_success = sw_user_success,
    .user_list = sw_user_list,
    .session_get = sw_session_get,
    .session_put = sw_session_put,
    .session_delete = sw_session_delete,
    .user_set_role = sw_user_set_role,
    .user_set_disabled = sw_user_set_disabled,
    .session_list = sw_session_list,
    .session_end_all = sw_session_end_all,
};
