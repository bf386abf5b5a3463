/*
 * store_postgres_accounts.c - staff accounts and sessions on PostgreSQL (store_accounts.h): the
 * statements of store_sqlite_accounts.c, the sealed TOTP secret and its nonce as bytea (bound
 * and read in binary), the column "user" of sessions quoted (a reserved word here). A change to
 * an account's covered columns is noted for the ledger; sign-in counters and sessions are not
 * covered (ledger.md "Rows"). docs/internals/store-postgresql.md.
 */
#include "custodian/compat.h"
#include "custodian/date.h"
#include "store_accounts_sql.h"
#include "store_postgres.h"
#include "store_rows_sql.h"

static const char user_get_sql[] = CUST_SQL_USER_GET;
static const char user_put_sql[] = CUST_SQL_USER_PUT;
static const char user_failure_sql[] = CUST_SQL_USER_FAILURE;
static const char user_success_sql[] = CUST_SQL_USER_SUCCESS;
static const char user_exists_sql[] = CUST_SQL_USER_EXISTS;
static const char user_list_sql[] = CUST_SQL_USER_LIST;
static const char session_get_sql[] = CUST_SQL_SESSION_GET;
static const char session_put_sql[] = CUST_SQL_SESSION_PUT;
static const char session_delete_sql[] = CUST_SQL_SESSION_DELETE;
static const char user_set_role_sql[] = CUST_SQL_USER_SET_ROLE;
static const char user_set_disabled_sql[] = CUST_SQL_USER_SET_DISABLED;
static const char session_list_sql[] = CUST_SQL_SESSION_LIST;
static const char session_end_all_sql[] = CUST_SQL_SESSION_END_ALL;

/* An 8-byte (or 4-byte) big-endian integer of a binary result. */
static int64_t bin_int(const PGresult *r, int row, int col)
{
    const unsigned char *p = (const unsigned char *)PQgetvalue(r, row, col);
    int len = PQgetlength(r, row, col);
    uint64_t v = 0;
    for (int i = 0; i < len; i++)
        v = v << 8 | p[i];
    if (len > 0 && len < 8 && (p[0] & 0x80))
        v |= ~(uint64_t)0 << (8 * len);
    return PQgetisnull(r, row, col) ? 0 : (int64_t)v;
}

/* Run a change; *n gets the rows changed. */
static enum cust_status change(void *impl, const char *sql, const struct cust_pg_params *p, long *n,
                               const char *what, struct cust_err *err)
{
    PGresult *r;
    if (cust_pg_run(cust_pg_conn(impl), sql, p, false, &r, err, what) != CUST_OK)
        return CUST_EDB;
    *n = strtol(PQcmdTuples(r), NULL, 10);
    PQclear(r);
    return CUST_OK;
}

static enum cust_status pa_account_get(void *impl, const char *name, cust_account_row_fn fn,
                                       void *arg, struct cust_err *err)
{
    struct cust_pg_params p = {0};
    cust_pg_text(&p, 1, name);
    PGresult *r;
    if (cust_pg_run(cust_pg_conn(impl), user_get_sql, &p, true, &r, err, "user") != CUST_OK)
        return CUST_EDB;
    enum cust_status st;
    if (PQntuples(r) == 0) {
        st = cust_err_set(err, CUST_ENOTFOUND, "no user '%s'", name);
    } else {
        struct cust_account_row a = {
            .name = cust_pg_get(r, 0, 0),
            .role = cust_pg_get(r, 0, 1),
            .pwhash = cust_pg_get(r, 0, 2),
            .totp_secret = (const unsigned char *)PQgetvalue(r, 0, 3),
            .totp_secret_len = (size_t)PQgetlength(r, 0, 3),
            .totp_nonce = PQgetisnull(r, 0, 8) ? NULL : (const unsigned char *)PQgetvalue(r, 0, 8),
            .totp_nonce_len = PQgetisnull(r, 0, 8) ? 0 : (size_t)PQgetlength(r, 0, 8),
            .totp_last_step = bin_int(r, 0, 4),
            .failures = (unsigned)bin_int(r, 0, 5),
            .locked_until = bin_int(r, 0, 6),
            .disabled = bin_int(r, 0, 7) != 0,
            .created_at = cust_pg_get(r, 0, 9),
        };
        st = fn(&a, arg);
    }
    PQclear(r);
    return st;
}

static enum cust_status pa_account_put(void *impl, const struct cust_account_row *a,
                                       struct cust_err *err)
{
    struct cust_pg_params p = {0};
    cust_pg_text(&p, 1, a->name);
    cust_pg_text(&p, 2, a->role ? a->role : "none");
    cust_pg_text(&p, 3, a->pwhash);
    cust_pg_bytes(&p, 4, a->totp_secret, a->totp_secret ? a->totp_secret_len : 0);
    cust_pg_int(&p, 5, a->totp_last_step);
    cust_pg_int(&p, 6, a->failures);
    cust_pg_int(&p, 7, a->locked_until);
    cust_pg_int(&p, 8, a->disabled ? 1 : 0);
    if (a->totp_nonce)
        cust_pg_bytes(&p, 9, a->totp_nonce, a->totp_nonce_len);
    else
        cust_pg_text(&p, 9, NULL);
    char at[32];
    cust_time_format(cust_now(), 0, true, at);
    cust_pg_text(&p, 10, at);
    if (cust_pg_do(cust_pg_conn(impl), user_put_sql, &p, err, "user") != CUST_OK)
        return CUST_EDB;
    cust_pg_rows_track(impl, CT_USERS, 0, a->name);
    return CUST_OK;
}

static enum cust_status user_exists(void *impl, const char *name, struct cust_err *err)
{
    struct cust_pg_params p = {0};
    cust_pg_text(&p, 1, name);
    PGresult *r;
    if (cust_pg_run(cust_pg_conn(impl), user_exists_sql, &p, false, &r, err, "user") != CUST_OK)
        return CUST_EDB;
    bool found = PQntuples(r) > 0;
    PQclear(r);
    return found ? CUST_OK : cust_err_set(err, CUST_ENOTFOUND, "no user '%s'", name);
}

static enum cust_status pa_user_claim(void *impl, const char *name, int64_t now, unsigned max,
                                      int64_t lock_s, struct cust_err *err)
{
    struct cust_pg_params p = {0};
    cust_pg_text(&p, 1, name);
    cust_pg_int(&p, 2, now);
    cust_pg_int(&p, 3, max);
    cust_pg_int(&p, 4, lock_s);
    long n;
    if (change(impl, user_failure_sql, &p, &n, "user attempt", err) != CUST_OK)
        return CUST_EDB;
    if (n == 1)
        return CUST_OK;
    enum cust_status st = user_exists(impl, name, err);
    return st ? st : cust_err_set(err, CUST_EDENIED, "account locked");
}

static enum cust_status pa_user_success(void *impl, const char *name, int64_t step,
                                        struct cust_err *err)
{
    struct cust_pg_params p = {0};
    cust_pg_text(&p, 1, name);
    cust_pg_int(&p, 2, step);
    long n;
    if (change(impl, user_success_sql, &p, &n, "user success", err) != CUST_OK)
        return CUST_EDB;
    if (n == 1)
        return CUST_OK;
    enum cust_status st = user_exists(impl, name, err);
    return st ? st : cust_err_set(err, CUST_ECONFLICT, "code already used");
}

static enum cust_status pa_user_list(void *impl, cust_user_fn fn, void *arg, struct cust_err *err)
{
    PGresult *r;
    if (cust_pg_run(cust_pg_conn(impl), user_list_sql, NULL, false, &r, err, "users") != CUST_OK)
        return CUST_EDB;
    enum cust_status st = CUST_OK;
    for (int i = 0; st == CUST_OK && i < PQntuples(r); i++) {
        struct cust_user_row u = {cust_pg_get(r, i, 0), cust_pg_get(r, i, 1), cust_pg_get(r, i, 2),
                                  cust_pg_get_int(r, i, 3) != 0};
        st = fn(&u, arg);
    }
    PQclear(r);
    return st;
}

static enum cust_status sessions(void *impl, const char *sql, const char *key,
                                 cust_session_row_fn fn, void *arg, int *n, struct cust_err *err)
{
    struct cust_pg_params p = {0};
    cust_pg_text(&p, 1, key);
    PGresult *r;
    if (cust_pg_run(cust_pg_conn(impl), sql, &p, false, &r, err, "session") != CUST_OK)
        return CUST_EDB;
    enum cust_status st = CUST_OK;
    for (int i = 0; st == CUST_OK && i < PQntuples(r); i++) {
        struct cust_session_row s = {cust_pg_get(r, i, 0),     cust_pg_get(r, i, 1),
                                     cust_pg_get(r, i, 2),     cust_pg_get(r, i, 3),
                                     cust_pg_get_int(r, i, 4), cust_pg_get_int(r, i, 5)};
        st = fn(&s, arg);
    }
    *n = PQntuples(r);
    PQclear(r);
    return st;
}

static enum cust_status pa_session_get(void *impl, const char *id, cust_session_row_fn fn,
                                       void *arg, struct cust_err *err)
{
    int n;
    enum cust_status st = sessions(impl, session_get_sql, id, fn, arg, &n, err);
    if (st == CUST_OK && n == 0)
        return cust_err_set(err, CUST_ENOTFOUND, "no such session");
    return st;
}

static enum cust_status pa_session_put(void *impl, const struct cust_session_row *se,
                                       struct cust_err *err)
{
    struct cust_pg_params p = {0};
    cust_pg_text(&p, 1, se->id);
    cust_pg_text(&p, 2, se->csrf);
    cust_pg_text(&p, 3, se->user);
    cust_pg_text(&p, 4, se->role ? se->role : "none");
    cust_pg_int(&p, 5, se->created);
    cust_pg_int(&p, 6, se->last_seen);
    return cust_pg_do(cust_pg_conn(impl), session_put_sql, &p, err, "session");
}

static enum cust_status pa_session_delete(void *impl, const char *id, struct cust_err *err)
{
    struct cust_pg_params p = {0};
    cust_pg_text(&p, 1, id);
    return cust_pg_do(cust_pg_conn(impl), session_delete_sql, &p, err, "session");
}

static enum cust_status pa_user_set_role(void *impl, const char *name, const char *role,
                                         struct cust_err *err)
{
    struct cust_pg_params p = {0};
    cust_pg_text(&p, 1, name);
    cust_pg_text(&p, 2, role ? role : "none");
    long n;
    if (change(impl, user_set_role_sql, &p, &n, "user", err) != CUST_OK)
        return CUST_EDB;
    if (n == 0)
        return cust_err_set(err, CUST_ENOTFOUND, "no user '%s'", name);
    cust_pg_rows_track(impl, CT_USERS, 0, name); /* a covered column: journalled */
    return CUST_OK;
}

static enum cust_status pa_user_set_disabled(void *impl, const char *name, bool disabled,
                                             struct cust_err *err)
{
    struct cust_pg_params p = {0};
    cust_pg_text(&p, 1, name);
    cust_pg_int(&p, 2, disabled ? 1 : 0);
    long n;
    if (change(impl, user_set_disabled_sql, &p, &n, "user", err) != CUST_OK)
        return CUST_EDB;
    if (n == 0)
        return cust_err_set(err, CUST_ENOTFOUND, "no user '%s'", name);
    cust_pg_rows_track(impl, CT_USERS, 0, name);
    return CUST_OK;
}

static enum cust_status pa_session_list(void *impl, const char *user, cust_session_row_fn fn,
                                        void *arg, struct cust_err *err)
{
    int n;
    return sessions(impl, session_list_sql, user, fn, arg, &n, err);
}

static enum cust_status pa_session_end_all(void *impl, const char *user, size_t *ended,
                                           struct cust_err *err)
{
    struct cust_pg_params p = {0};
    cust_pg_text(&p, 1, user);
    long n = 0;
    enum cust_status st = change(impl, session_end_all_sql, &p, &n, "sessions", err);
    if (ended)
        *ended = (size_t)n;
    return st;
}

const struct cust_store_account_ops cust_pg_account_ops = {
    .account_get = pa_account_get,
    .account_put = pa_account_put,
    .user_claim = pa_user_claim,
    .user_success = pa_user_success,
    .user_list = pa_user_list,
    .session_get = pa_session_get,
    .session_put = pa_session_put,
    .session_delete = pa_session_delete,
    .user_set_role = pa_user_set_role,
    .user_set_disabled = pa_user_set_disabled,
    .session_list = pa_session_list,
    .session_end_all = pa_session_end_all,
};
