/*
 * account.c - staff accounts and sessions kept in the store (auth.h): the store keeps rows with
 * the role as text (store_accounts.h); auth reads them into its records, giving the role its
 * meaning, and writes them back.
 */
#include "custodian/compat.h"
#include "custodian/auth.h"
#include "custodian/store_accounts.h"

#include <sodium.h>

static void copy_str(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

static enum cust_role role_of(const char *text)
{
    enum cust_role r;
    return text && cust_role_parse(text, &r) ? r : CUST_ROLE_NONE; /* unknown: may do nothing */
}

static enum cust_status on_account(const struct cust_account_row *r, void *arg)
{
    struct cust_user *out = arg;
    memset(out, 0, sizeof(*out));
    copy_str(out->name, sizeof(out->name), r->name);
    out->role = role_of(r->role);
    copy_str(out->pwhash, sizeof(out->pwhash), r->pwhash);
    if (r->totp_nonce) {
        /* sealed: a malformed row is marked sealed with a zero box, which never opens */
        out->totp_sealed = true;
        if (r->totp_nonce_len == CUST_TOTP_NONCE_BYTES && r->totp_secret &&
            r->totp_secret_len == CUST_TOTP_BOX_BYTES) {
            memcpy(out->totp_nonce, r->totp_nonce, CUST_TOTP_NONCE_BYTES);
            memcpy(out->totp_box, r->totp_secret, CUST_TOTP_BOX_BYTES);
        }
    } else if (r->totp_secret && r->totp_secret_len == CUST_TOTP_KEY_BYTES) {
        memcpy(out->totp_key, r->totp_secret, CUST_TOTP_KEY_BYTES);
    }
    out->totp_last_step = r->totp_last_step;
    out->failures = r->failures;
    out->locked_until = r->locked_until;
    out->disabled = r->disabled;
    return CUST_OK;
}

enum cust_status cust_auth_store_user_get(struct cust_store *s, const char *name,
                                          struct cust_user *out, struct cust_err *err)
{
    return cust_store_account_get(s, name, on_account, out, err);
}

enum cust_status cust_auth_store_user_put(struct cust_store *s, const struct cust_user *u,
                                          struct cust_err *err)
{
    const char *role = cust_role_name(u->role);
    struct cust_account_row r = {
        .name = u->name,
        .role = role ? role : "none",
        .pwhash = u->pwhash,
        .totp_secret = u->totp_sealed ? u->totp_box : u->totp_key,
        .totp_secret_len = u->totp_sealed ? CUST_TOTP_BOX_BYTES : CUST_TOTP_KEY_BYTES,
        .totp_nonce = u->totp_sealed ? u->totp_nonce : NULL,
        .totp_nonce_len = u->totp_sealed ? CUST_TOTP_NONCE_BYTES : 0,
        .totp_last_step = u->totp_last_step,
        .failures = u->failures,
        .locked_until = u->locked_until,
        .disabled = u->disabled,
    };
    return cust_store_account_put(s, &r, err);
}

static enum cust_status on_session(const struct cust_session_row *r, void *arg)
{
    struct cust_session *out = arg;
    memset(out, 0, sizeof(*out));
    copy_str(out->id, sizeof(out->id), r->id);
    copy_str(out->csrf, sizeof(out->csrf), r->csrf);
    copy_str(out->user, sizeof(out->user), r->user);
    out->role = role_of(r->role);
    out->created = r->created;
    out->last_seen = r->last_seen;
    return CUST_OK;
}

enum cust_status cust_auth_store_session_get(struct cust_store *s, const char *id,
                                             struct cust_session *out, struct cust_err *err)
{
    return cust_store_session_get(s, id, on_session, out, err);
}

enum cust_status cust_auth_store_session_put(struct cust_store *s, const struct cust_session *se,
                                             struct cust_err *err)
{
    const char *role = cust_role_name(se->role);
    struct cust_session_row r = {se->id,      se->csrf,     se->user, role ? role : "none",
                                 se->created, se->last_seen};
    return cust_store_session_put(s, &r, err);
}
