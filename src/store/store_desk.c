/* store_desk.c - dispatch of the request desk's store operations (store_desk.h). */
#include "custodian/compat.h"
#include "custodian/store_desk.h"

enum cust_status cust_store_request_insert(struct cust_store *s, const struct cust_desk_request *r,
                                           char id[CUST_REQUEST_ID_MAX], struct cust_err *err)
{
    if (!s->ops->desk || !s->ops->desk->request_insert)
        return cust_err_set(err, CUST_EINVAL, "the %s store has no request desk", s->ops->name);
    return s->ops->desk->request_insert(s->impl, r, id, err);
}

enum cust_status cust_store_request_get(struct cust_store *s, const char *id,
                                        cust_desk_request_fn fn, void *arg, struct cust_err *err)
{
    if (!s->ops->desk || !s->ops->desk->request_get)
        return cust_err_set(err, CUST_EINVAL, "the %s store has no request desk", s->ops->name);
    return s->ops->desk->request_get(s->impl, id, fn, arg, err);
}

enum cust_status cust_store_request_list(struct cust_store *s,
                                         const struct cust_desk_request_filter *f,
                                         cust_desk_request_fn fn, void *arg, struct cust_err *err)
{
    if (!s->ops->desk || !s->ops->desk->request_list)
        return cust_err_set(err, CUST_EINVAL, "the %s store has no request desk", s->ops->name);
    return s->ops->desk->request_list(s->impl, f, fn, arg, err);
}

enum cust_status cust_store_request_update(struct cust_store *s, const char *id, const char *status,
                                           const char *reason, int64_t law_ts, const char *law_rule,
                                           const char *updated_at, struct cust_err *err)
{
    if (!s->ops->desk || !s->ops->desk->request_update)
        return cust_err_set(err, CUST_EINVAL, "the %s store has no request desk", s->ops->name);
    return s->ops->desk->request_update(s->impl, id, status, reason, law_ts, law_rule, updated_at,
                                        err);
}

enum cust_status cust_store_document_put(struct cust_store *s, const char *request_id,
                                         const char *name, const char *sha256,
                                         const unsigned char *content, size_t len, const char *role,
                                         struct cust_err *err)
{
    if (!s->ops->desk || !s->ops->desk->document_put)
        return cust_err_set(err, CUST_EINVAL, "the %s store has no request desk", s->ops->name);
    return s->ops->desk->document_put(s->impl, request_id, name, sha256, content, len, role, err);
}

enum cust_status cust_store_document_get(struct cust_store *s, const char *sha256, char **content,
                                         size_t *len, struct cust_err *err)
{
    if (!s->ops->desk || !s->ops->desk->document_get)
        return cust_err_set(err, CUST_EINVAL, "the %s store has no request desk", s->ops->name);
    return s->ops->desk->document_get(s->impl, sha256, content, len, err);
}

enum cust_status cust_store_link_put(struct cust_store *s, const struct cust_desk_link *l,
                                     struct cust_err *err)
{
    if (!s->ops->desk || !s->ops->desk->link_put)
        return cust_err_set(err, CUST_EINVAL, "the %s store has no request desk", s->ops->name);
    return s->ops->desk->link_put(s->impl, l, err);
}

enum cust_status cust_store_links(struct cust_store *s, const char *request_id,
                                  cust_desk_link_fn fn, void *arg, struct cust_err *err)
{
    if (!s->ops->desk || !s->ops->desk->links)
        return cust_err_set(err, CUST_EINVAL, "the %s store has no request desk", s->ops->name);
    return s->ops->desk->links(s->impl, request_id, fn, arg, err);
}

enum cust_status cust_store_decision_put(struct cust_store *s, const struct cust_desk_decision *d,
                                         int64_t *id, struct cust_err *err)
{
    if (!s->ops->desk || !s->ops->desk->decision_put)
        return cust_err_set(err, CUST_EINVAL, "the %s store has no request desk", s->ops->name);
    return s->ops->desk->decision_put(s->impl, d, id, err);
}

enum cust_status cust_store_decisions(struct cust_store *s, const char *request_id,
                                      cust_desk_decision_fn fn, void *arg, struct cust_err *err)
{
    if (!s->ops->desk || !s->ops->desk->decisions)
        return cust_err_set(err, CUST_EINVAL, "the %s store has no request desk", s->ops->name);
    return s->ops->desk->decisions(s->impl, request_id, fn, arg, err);
}

enum cust_status cust_store_action_put(struct cust_store *s, const struct cust_desk_action *a,
                                       int64_t *id, struct cust_err *err)
{
    if (!s->ops->desk || !s->ops->desk->action_put)
        return cust_err_set(err, CUST_EINVAL, "the %s store has no request desk", s->ops->name);
    return s->ops->desk->action_put(s->impl, a, id, err);
}

enum cust_status cust_store_actions(struct cust_store *s, const char *request_id,
                                    cust_desk_action_fn fn, void *arg, struct cust_err *err)
{
    if (!s->ops->desk || !s->ops->desk->actions)
        return cust_err_set(err, CUST_EINVAL, "the %s store has no request desk", s->ops->name);
    return s->ops->desk->actions(s->impl, request_id, fn, arg, err);
}

enum cust_status cust_store_duty_put(struct cust_store *s, const struct cust_desk_duty *d,
                                     int64_t *id, struct cust_err *err)
{
    if (!s->ops->desk || !s->ops->desk->duty_put)
        return cust_err_set(err, CUST_EINVAL, "the %s store has no request desk", s->ops->name);
    return s->ops->desk->duty_put(s->impl, d, id, err);
}

enum cust_status cust_store_duties(struct cust_store *s, const struct cust_desk_duty_filter *f,
                                   cust_desk_duty_fn fn, void *arg, struct cust_err *err)
{
    if (!s->ops->desk || !s->ops->desk->duties)
        return cust_err_set(err, CUST_EINVAL, "the %s store has no request desk", s->ops->name);
    return s->ops->desk->duties(s->impl, f, fn, arg, err);
}

enum cust_status cust_store_duty_done(struct cust_store *s, int64_t id, const char *by,
                                      const char *at, const char *document_sha256,
                                      struct cust_err *err)
{
    if (!s->ops->desk || !s->ops->desk->duty_done)
        return cust_err_set(err, CUST_EINVAL, "the %s store has no request desk", s->ops->name);
    return s->ops->desk->duty_done(s->impl, id, by, at, document_sha256, err);
}

enum cust_status cust_store_transfer_put(struct cust_store *s, const struct cust_desk_transfer *t,
                                         int64_t *id, struct cust_err *err)
{
    if (!s->ops->desk || !s->ops->desk->transfer_put)
        return cust_err_set(err, CUST_EINVAL, "the %s store has no request desk", s->ops->name);
    return s->ops->desk->transfer_put(s->impl, t, id, err);
}

enum cust_status cust_store_transfers(struct cust_store *s, cust_desk_transfer_fn fn, void *arg,
                                      struct cust_err *err)
{
    if (!s->ops->desk || !s->ops->desk->transfers)
        return cust_err_set(err, CUST_EINVAL, "the %s store has no request desk", s->ops->name);
    return s->ops->desk->transfers(s->impl, fn, arg, err);
}

enum cust_status cust_store_desk_persons(struct cust_store *s, int64_t person_id,
                                         cust_desk_person_fn fn, void *arg, struct cust_err *err)
{
    if (!s->ops->desk || !s->ops->desk->persons)
        return cust_err_set(err, CUST_EINVAL, "the %s store has no request desk", s->ops->name);
    return s->ops->desk->persons(s->impl, person_id, fn, arg, err);
}

enum cust_status cust_store_desk_scope(struct cust_store *s, const struct cust_desk_scope *sc,
                                       cust_desk_scope_fn fn, void *arg, struct cust_err *err)
{
    if (!s->ops->desk || !s->ops->desk->scope)
        return cust_err_set(err, CUST_EINVAL, "the %s store has no request desk", s->ops->name);
    return s->ops->desk->scope(s->impl, sc, fn, arg, err);
}

enum cust_status cust_store_documents(struct cust_store *s, const char *request_id,
                                      cust_desk_document_fn fn, void *arg, struct cust_err *err)
{
    if (!s->ops->desk || !s->ops->desk->documents)
        return cust_err_set(err, CUST_EINVAL, "the %s store has no request desk", s->ops->name);
    return s->ops->desk->documents(s->impl, request_id, fn, arg, err);
}

enum cust_status cust_store_disclosure_put(struct cust_store *s,
                                           const struct cust_desk_disclosure *x,
                                           struct cust_err *err)
{
    if (!s->ops->desk || !s->ops->desk->disclosure_put)
        return cust_err_set(err, CUST_EINVAL, "the %s store has no request desk", s->ops->name);
    return s->ops->desk->disclosure_put(s->impl, x, err);
}

enum cust_status cust_store_disclosures(struct cust_store *s, const char *request_id,
                                        cust_desk_disclosure_fn fn, void *arg, struct cust_err *err)
{
    if (!s->ops->desk || !s->ops->desk->disclosures)
        return cust_err_set(err, CUST_EINVAL, "the %s store has no request desk", s->ops->name);
    return s->ops->desk->disclosures(s->impl, request_id, fn, arg, err);
}
