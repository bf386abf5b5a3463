/* session.c - accounts, login with lockout, sessions with idle/absolute expiry, CSRF. */
#include "custodian/compat.h"
#include "custodian/auth.h"

#include <sodium.h>

static void hex(const uint8_t *in, size_t n, char *out)
{
    sodium_bin2hex(out, n * 2 + 1, in, n);
}

void cust_auth_token_new(char out[CUST_TOKEN_HEX])
{
    uint8_t raw[16];
    if (sodium_init() < 0)
        cust__assert_fail("sodium_init", __FILE__, __LINE__);
    randombytes_buf(raw, sizeof(raw));
    hex(raw, sizeof(raw), out);
    sodium_memzero(raw, sizeof(raw));
}

/* The backend key of a token: hex BLAKE2b-256, so a leaked table holds no usable tokens. */
static void session_id(const char *token, char out[65])
{
    uint8_t h[32];
    crypto_generichash(h, sizeof(h), (const unsigned char *)token, strlen(token), NULL, 0);
    hex(h, sizeof(h), out);
}

static bool token_wellformed(const char *t)
{
    if (!t || strlen(t) != CUST_TOKEN_HEX - 1)
        return false;
    for (const char *p = t; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return false;
    return true;
}

static bool name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n >= CUST_USER_NAME_MAX)
        return false;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' ||
              *p == '-'))
            return false;
    return true;
}

enum cust_status cust_auth_user_create(const struct cust_auth_backend *be, const char *name,
                                       enum cust_role role, const char *pass,
                                       const struct cust_blocklist *bl,
                                       const struct cust_pwhash_limits *lim,
                                       uint8_t key_out[CUST_TOTP_KEY_BYTES], struct cust_err *err)
{
    if (!name_ok(name))
        return cust_err_set(err, CUST_EINVAL, "name '%s': expected 1-63 of a-z 0-9 . _ -", name);
    if (!cust_role_name(role))
        return cust_err_set(err, CUST_EINVAL, "role: unknown");
    enum cust_status st = cust_passphrase_check(pass, name, bl, err);
    if (st)
        return st;
    struct cust_user u;
    memset(&u, 0, sizeof(u));
    struct cust_err why = CUST_ERR_INIT;
    st = be->get_user(be->ctx, name, &u, &why);
    if (st == CUST_OK)
        return cust_err_set(err, CUST_ECONFLICT, "user '%s' already exists", name);
    if (st != CUST_ENOTFOUND)
        return cust_err_set(err, st, "cannot read user '%s': %s", name, why.msg);
    memset(&u, 0, sizeof(u));
    snprintf(u.name, sizeof(u.name), "%s", name);
    u.role = role;
    u.totp_last_step = -1;
    st = cust_passphrase_hash(pass, lim, u.pwhash, err);
    if (st)
        return st;
    cust_totp_key_new(u.totp_key);
    st = be->put_user(be->ctx, &u, &why);
    if (st == CUST_OK && key_out)
        memcpy(key_out, u.totp_key, CUST_TOTP_KEY_BYTES);
    sodium_memzero(&u, sizeof(u));
    if (st)
        return cust_err_set(err, st, "cannot store user '%s': %s", name, why.msg);
    return CUST_OK;
}

/* A hash to verify against when the user does not exist, so timing does not reveal names. */
static const char *dummy_hash(void)
{
    static char h[CUST_PWHASH_STRBYTES];
    static int done;
    /* Benign race: every thread computes an equally valid hash. */
    if (!__atomic_load_n(&done, __ATOMIC_ACQUIRE)) {
        char tmp[CUST_PWHASH_STRBYTES];
        if (cust_passphrase_hash("custodian-no-such-user", NULL, tmp, NULL) == CUST_OK) {
            memcpy(h, tmp, sizeof(h));
            __atomic_store_n(&done, 1, __ATOMIC_RELEASE);
        }
    }
    return h;
}

static const char *const reason_names[] = {
    [CUST_LOGIN_OK] = "ok",
    [CUST_LOGIN_UNKNOWN] = "unknown",
    [CUST_LOGIN_BAD_PASSPHRASE] = "bad_passphrase",
    [CUST_LOGIN_BAD_CODE] = "bad_code",
    [CUST_LOGIN_LOCKED] = "locked",
    [CUST_LOGIN_DISABLED] = "disabled",
    [CUST_LOGIN_ERROR] = "error",
};

const char *cust_login_reason_name(enum cust_login_reason why)
{
    return (unsigned)why < CUST_ARRAY_LEN(reason_names) ? reason_names[why] : NULL;
}

static const char denied[] = "invalid name, passphrase or code";

/* The one failure answer: the same status and message whatever the reason. */
static enum cust_status refuse(enum cust_login_reason reason, enum cust_login_reason *why,
                               struct cust_err *err)
{
    if (why)
        *why = reason;
    return cust_err_set(err, CUST_EDENIED, "%s", denied);
}

/* A new session for `name` acting as `role`; the token for the cookie. */
static enum cust_status session_begin(const struct cust_auth_backend *be, const char *name,
                                      enum cust_role role, int64_t now, char token[CUST_TOKEN_HEX],
                                      struct cust_session *out, struct cust_err *err)
{
    memset(out, 0, sizeof(*out));
    cust_auth_token_new(token);
    session_id(token, out->id);
    cust_auth_token_new(out->csrf);
    snprintf(out->user, sizeof(out->user), "%s", name);
    out->role = role;
    out->created = now;
    out->last_seen = now;
    struct cust_err why = CUST_ERR_INIT;
    enum cust_status st = be->put_session(be->ctx, out, &why);
    if (st) {
        sodium_memzero(token, CUST_TOKEN_HEX);
        return cust_err_set(err, st, "cannot store session: %s", why.msg);
    }
    return CUST_OK;
}

/*
 * Every path does the same work: read the account, one Argon2id verification (against a dummy
 * hash when there is no account), one TOTP check (against a zero key); an existing, enabled
 * account's attempt is claimed atomically before the slow check, and refused when locked.
 */
enum cust_status cust_auth_login_why(const struct cust_auth_backend *be, const char *name,
                                     const char *pass, const char *code, int64_t now,
                                     char token[CUST_TOKEN_HEX], struct cust_session *out,
                                     enum cust_login_reason *why, struct cust_err *err)
{
    struct cust_user u;
    memset(&u, 0, sizeof(u));
    token[0] = '\0';
    if (why)
        *why = CUST_LOGIN_ERROR;
    struct cust_err fail = CUST_ERR_INIT;
    enum cust_status st =
        name && name_ok(name) ? be->get_user(be->ctx, name, &u, &fail) : CUST_ENOTFOUND;
    if (st && st != CUST_ENOTFOUND)
        return cust_err_set(err, st, "cannot read user: %s", fail.msg);
    enum cust_login_reason reason = CUST_LOGIN_OK;
    if (st == CUST_ENOTFOUND) {
        reason = CUST_LOGIN_UNKNOWN;
        snprintf(u.pwhash, sizeof(u.pwhash), "%s", dummy_hash());
    } else if (u.disabled) {
        reason = CUST_LOGIN_DISABLED;
    } else {
        st = be->claim_attempt(be->ctx, name, now, CUST_LOCKOUT_FAILURES, CUST_LOCKOUT_S, &fail);
        if (st == CUST_EDENIED)
            reason = CUST_LOGIN_LOCKED;
        else if (st)
            reason = CUST_LOGIN_ERROR;
    }
    bool pass_ok = cust_passphrase_verify(u.pwhash, pass ? pass : "");
    int64_t step = u.totp_last_step;
    bool code_ok =
        cust_totp_verify(u.totp_key, sizeof(u.totp_key), code, now, &step, NULL) == CUST_OK;
    enum cust_role role = u.role;
    sodium_memzero(&u, sizeof(u));
    if (reason == CUST_LOGIN_ERROR)
        return cust_err_set(err, st, "cannot record the sign-in attempt: %s", fail.msg);
    if (reason != CUST_LOGIN_OK)
        return refuse(reason, why, err);
    if (!pass_ok || !code_ok)
        return refuse(pass_ok ? CUST_LOGIN_BAD_CODE : CUST_LOGIN_BAD_PASSPHRASE, why, err);
    /* Atomically claim the TOTP step: a concurrent login with the same code loses. */
    st = be->record_success(be->ctx, name, step, &fail);
    if (st == CUST_ECONFLICT)
        return refuse(CUST_LOGIN_BAD_CODE, why, err);
    if (st)
        return cust_err_set(err, st, "cannot record login: %s", fail.msg);
    st = session_begin(be, name, role, now, token, out, err);
    if (st == CUST_OK && why)
        *why = CUST_LOGIN_OK;
    return st;
}

enum cust_status cust_auth_login(const struct cust_auth_backend *be, const char *name,
                                 const char *pass, const char *code, int64_t now,
                                 char token[CUST_TOKEN_HEX], struct cust_session *out,
                                 struct cust_err *err)
{
    return cust_auth_login_why(be, name, pass, code, now, token, out, NULL, err);
}

bool cust_session_expired(const struct cust_session *s, int64_t now)
{
    return now - s->last_seen >= CUST_SESSION_IDLE_S ||
           now - s->created >= CUST_SESSION_ABSOLUTE_S || now < s->created;
}

/*
 * Every request re-reads the account behind a session: a disabled, deleted or role-less
 * account ends the session (deleted, so re-enabling does not revive it), and the session acts
 * with the account's role of now, not the one it began with (issue 12: a demoted supervisor
 * kept reading restricted records for up to 12 hours).
 */
static enum cust_status account_now(const struct cust_auth_backend *be, const char *id,
                                    struct cust_session *s, struct cust_err *err)
{
    struct cust_user u;
    memset(&u, 0, sizeof(u));
    struct cust_err why = CUST_ERR_INIT;
    enum cust_status st = be->get_user(be->ctx, s->user, &u, &why);
    bool gone = st == CUST_ENOTFOUND || (st == CUST_OK && (u.disabled || !cust_role_name(u.role)));
    enum cust_role role = u.role;
    sodium_memzero(&u, sizeof(u));
    if (gone) {
        (void)be->delete_session(be->ctx, id, NULL);
        memset(s, 0, sizeof(*s));
        return cust_err_set(err, CUST_EDENIED, "no valid session");
    }
    if (st) {
        memset(s, 0, sizeof(*s));
        return cust_err_set(err, st, "cannot read the session's account: %s", why.msg);
    }
    s->role = role;
    return CUST_OK;
}

enum cust_status cust_auth_session_check(const struct cust_auth_backend *be, const char *token,
                                         int64_t now, struct cust_session *out,
                                         struct cust_err *err)
{
    if (!token_wellformed(token))
        return cust_err_set(err, CUST_EDENIED, "no valid session");
    char id[65];
    session_id(token, id);
    struct cust_err why = CUST_ERR_INIT;
    enum cust_status st = be->get_session(be->ctx, id, out, &why);
    if (st == CUST_ENOTFOUND)
        return cust_err_set(err, CUST_EDENIED, "no valid session");
    if (st)
        return cust_err_set(err, st, "cannot read session: %s", why.msg);
    if (cust_session_expired(out, now)) {
        (void)be->delete_session(be->ctx, id, NULL);
        memset(out, 0, sizeof(*out));
        return cust_err_set(err, CUST_EDENIED, "session expired");
    }
    st = account_now(be, id, out, err);
    if (st)
        return st;
    /* Activity is written at most once a CUST_SESSION_TOUCH_S: a write (a synced commit) on
     * every authenticated request halved the API's throughput under load (docs/bench-soak.md).
     * The idle window then counts from the last recorded touch: it closes at most that much
     * early, never late. The account is still re-read on every request (above). */
    if (now - out->last_seen < CUST_SESSION_TOUCH_S && now >= out->last_seen)
        return CUST_OK;
    out->last_seen = now;
    st = be->put_session(be->ctx, out, &why);
    if (st)
        return cust_err_set(err, st, "cannot store session: %s", why.msg);
    return CUST_OK;
}

enum cust_status cust_auth_logout(const struct cust_auth_backend *be, const char *token)
{
    if (!token_wellformed(token))
        return CUST_OK;
    char id[65];
    session_id(token, id);
    enum cust_status st = be->delete_session(be->ctx, id, NULL);
    return st == CUST_ENOTFOUND ? CUST_OK : st;
}

bool cust_auth_csrf_ok(const struct cust_session *s, const char *submitted)
{
    size_t n = strlen(s->csrf);
    if (!submitted || n != CUST_TOKEN_HEX - 1 || strlen(submitted) != n)
        return false;
    return sodium_memcmp(s->csrf, submitted, n) == 0;
}
