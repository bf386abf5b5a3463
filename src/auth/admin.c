/*
 * admin.c - account administration over the store (auth.h "account administration"): disable,
 * enable, change role, end sessions. Each change and its ledger entry are one transaction, so
 * the ledger holds an entry if and only if the change was committed.
 */
#include "custodian/compat.h"
#include "custodian/auth.h"
#include "custodian/ledger.h"
#include "custodian/store_accounts.h"

#include <jansson.h>
#include <sodium.h>

static const char *const change_action[] = {
    [CUST_USER_DISABLE] = "user_disable",
    [CUST_USER_ENABLE] = "user_enable",
    [CUST_USER_SET_ROLE] = "user_role",
    [CUST_USER_REVOKE] = "user_revoke",
};

const char *cust_user_change_name(enum cust_user_change what)
{
    return (unsigned)what < CUST_ARRAY_LEN(change_action) ? change_action[what] : NULL;
}

/* The change itself (inside the caller's transaction). */
static enum cust_status apply(struct cust_store *s, const char *name, enum cust_user_change what,
                              enum cust_role role, size_t *ended, struct cust_err *err)
{
    switch (what) {
    case CUST_USER_DISABLE: {
        enum cust_status st = cust_store_user_set_disabled(s, name, true, err);
        return st ? st : cust_store_session_end_all(s, name, ended, err);
    }
    case CUST_USER_ENABLE:
        return cust_store_user_set_disabled(s, name, false, err);
    case CUST_USER_SET_ROLE:
        return cust_store_user_set_role(s, name, cust_role_name(role), err);
    case CUST_USER_REVOKE:
        return cust_store_session_end_all(s, name, ended, err);
    }
    return cust_err_set(err, CUST_EINVAL, "unknown account change");
}

static enum cust_status record(struct cust_store *s, const char *name, enum cust_user_change what,
                               const char *from, enum cust_role role, size_t ended,
                               const char *actor, const char *actor_role, struct cust_err *err)
{
    json_t *d = json_pack("{s:s, s:I}", "role", from, "sessions_ended", (json_int_t)ended);
    if (what == CUST_USER_SET_ROLE)
        json_object_set_new(d, "role_to", json_string(cust_role_name(role)));
    char *detail = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(d);
    struct cust_ledger_entry e = {.actor = actor,
                                  .role = actor_role,
                                  .action = cust_user_change_name(what),
                                  .object_type = "user",
                                  .object_id = name,
                                  .outcome = "ok",
                                  .purpose = "",
                                  .detail = detail};
    enum cust_status st = cust_ledger_append(s, &e, err);
    free(detail);
    return st;
}

enum cust_status cust_auth_user_change(struct cust_store *s, const char *name,
                                       enum cust_user_change what, enum cust_role role,
                                       const char *actor, const char *actor_role,
                                       size_t *sessions_ended, struct cust_err *err)
{
    if (!cust_user_change_name(what))
        return cust_err_set(err, CUST_EINVAL, "unknown account change");
    if (what == CUST_USER_SET_ROLE && !cust_role_name(role))
        return cust_err_set(err, CUST_EINVAL, "role: unknown");
    if (!actor || !*actor || !actor_role || !*actor_role)
        return cust_err_set(err, CUST_EINVAL, "an account change needs an actor");
    struct cust_user u;
    enum cust_status st = cust_store_begin(s, err);
    if (st)
        return st;
    st = cust_auth_store_user_get(s, name, &u, err);
    char from[24];
    snprintf(from, sizeof(from), "%s",
             st == CUST_OK && cust_role_name(u.role) ? cust_role_name(u.role) : "none");
    sodium_memzero(&u, sizeof(u));
    size_t ended = 0;
    if (st == CUST_OK)
        st = apply(s, name, what, role, &ended, err);
    if (st == CUST_OK)
        st = record(s, name, what, from, role, ended, actor, actor_role, err);
    if (st == CUST_OK)
        st = cust_store_commit(s, err);
    if (st) {
        cust_store_rollback(s);
        return st;
    }
    if (sessions_ended)
        *sessions_ended = ended;
    return CUST_OK;
}
