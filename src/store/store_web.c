/* store_web.c - dispatch of the web front end's store operations (store_web.h). */
#include "custodian/compat.h"
#include "custodian/store_web.h"

#define WEB_OPS(s, f, err)                                                                         \
    do {                                                                                           \
        if (!(s)->ops->web || !(s)->ops->web->f)                                                   \
            return cust_err_set(err, CUST_EINVAL, "the %s store has no web tables",                \
                                (s)->ops->name);                                                   \
    } while (0)

enum cust_status cust_store_public_search(struct cust_store *s, const struct cust_public_query *q,
                                          cust_public_fn fn, void *arg, struct cust_err *err)
{
    WEB_OPS(s, public_search, err);
    return s->ops->web->public_search(s->impl, q, fn, arg, err);
}

enum cust_status cust_store_user_get(struct cust_store *s, const char *name, struct cust_user *out,
                                     struct cust_err *err)
{
    WEB_OPS(s, user_get, err);
    return s->ops->web->user_get(s->impl, name, out, err);
}

enum cust_status cust_store_user_put(struct cust_store *s, const struct cust_user *u,
                                     struct cust_err *err)
{
    WEB_OPS(s, user_put, err);
    return s->ops->web->user_put(s->impl, u, err);
}

enum cust_status cust_store_user_failure(struct cust_store *s, const char *name, int64_t now,
                                         unsigned max, int64_t lock_s, struct cust_err *err)
{
    WEB_OPS(s, user_failure, err);
    return s->ops->web->user_failure(s->impl, name, now, max, lock_s, err);
}

enum cust_status cust_store_user_success(struct cust_store *s, const char *name, int64_t step,
                                         struct cust_err *err)
{
    WEB_OPS(s, user_success, err);
    return s->ops->web->user_success(s->impl, name, step, err);
}

enum cust_status cust_store_user_list(struct cust_store *s, cust_user_fn fn, void *arg,
                                      struct cust_err *err)
{
    WEB_OPS(s, user_list, err);
    return s->ops->web->user_list(s->impl, fn, arg, err);
}

enum cust_status cust_store_session_get(struct cust_store *s, const char *id,
                                        struct cust_session *out, struct cust_err *err)
{
    WEB_OPS(s, session_get, err);
    return s->ops->web->session_get(s->impl, id, out, err);
}

enum cust_status cust_store_session_put(struct cust_store *s, const struct cust_session *sess,
                                        struct cust_err *err)
{
    WEB_OPS(s, session_put, err);
    return s->ops->web->session_put(s->impl, sess, err);
}

enum cust_status cust_store_session_delete(struct cust_store *s, const char *id,
                                           struct cust_err *err)
{
    WEB_OPS(s, session_delete, err);
    return s->ops->web->session_delete(s->impl, id, err);
}
