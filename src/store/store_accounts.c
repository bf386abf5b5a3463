/* store_accounts.c - dispatch of the store's account and session operations (store_accounts.h). */
#include "custodian/compat.h"
#include "store_backend.h"

#define ACCOUNT_OPS(s, f, err)                                                                     \
    do {                                                                                           \
        if (!(s)->ops->accounts || !(s)->ops->accounts->f)                                         \
            return cust_err_set(err, CUST_EINVAL, "the %s store keeps no accounts",                \
                                (s)->ops->name);                                                   \
    } while (0)

enum cust_status cust_store_account_get(struct cust_store *s, const char *name,
                                        cust_account_row_fn fn, void *arg, struct cust_err *err)
{
    ACCOUNT_OPS(s, account_get, err);
    return s->ops->accounts->account_get(s->impl, name, fn, arg, err);
}

enum cust_status cust_store_account_put(struct cust_store *s, const struct cust_account_row *a,
                                        struct cust_err *err)
{
    if (!cust_store_in_transaction(s)) /* a covered write goes with its ledger entry */
        return cust_err_set(err, CUST_EDB, "user put outside a transaction");
    ACCOUNT_OPS(s, account_put, err);
    return s->ops->accounts->account_put(s->impl, a, err);
}

enum cust_status cust_store_user_claim(struct cust_store *s, const char *name, int64_t now,
                                       unsigned max, int64_t lock_s, struct cust_err *err)
{
    ACCOUNT_OPS(s, user_claim, err);
    return s->ops->accounts->user_claim(s->impl, name, now, max, lock_s, err);
}

enum cust_status cust_store_user_success(struct cust_store *s, const char *name, int64_t step,
                                         struct cust_err *err)
{
    ACCOUNT_OPS(s, user_success, err);
    return s->ops->accounts->user_success(s->impl, name, step, err);
}

enum cust_status cust_store_user_list(struct cust_store *s, cust_user_fn fn, void *arg,
                                      struct cust_err *err)
{
    ACCOUNT_OPS(s, user_list, err);
    return s->ops->accounts->user_list(s->impl, fn, arg, err);
}

enum cust_status cust_store_session_get(struct cust_store *s, const char *id,
                                        cust_session_row_fn fn, void *arg, struct cust_err *err)
{
    ACCOUNT_OPS(s, session_get, err);
    return s->ops->accounts->session_get(s->impl, id, fn, arg, err);
}

enum cust_status cust_store_session_put(struct cust_store *s, const struct cust_session_row *row,
                                        struct cust_err *err)
{
    ACCOUNT_OPS(s, session_put, err);
    return s->ops->accounts->session_put(s->impl, row, err);
}

enum cust_status cust_store_session_delete(struct cust_store *s, const char *id,
                                           struct cust_err *err)
{
    ACCOUNT_OPS(s, session_delete, err);
    return s->ops->accounts->session_delete(s->impl, id, err);
}

enum cust_status cust_store_user_set_role(struct cust_store *s, const char *name, const char *role,
                                          struct cust_err *err)
{
    ACCOUNT_OPS(s, user_set_role, err);
    return s->ops->accounts->user_set_role(s->impl, name, role, err);
}

enum cust_status cust_store_user_set_disabled(struct cust_store *s, const char *name, bool disabled,
                                              struct cust_err *err)
{
    ACCOUNT_OPS(s, user_set_disabled, err);
    return s->ops->accounts->user_set_disabled(s->impl, name, disabled, err);
}

enum cust_status cust_store_session_list(struct cust_store *s, const char *user,
                                         cust_session_row_fn fn, void *arg, struct cust_err *err)
{
    ACCOUNT_OPS(s, session_list, err);
    return s->ops->accounts->session_list(s->impl, user, fn, arg, err);
}

enum cust_status cust_store_session_end_all(struct cust_store *s, const char *user, size_t *ended,
                                            struct cust_err *err)
{
    ACCOUNT_OPS(s, session_end_all, err);
    return s->ops->accounts->session_end_all(s->impl, user, ended, err);
}
