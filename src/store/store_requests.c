/* store_requests.c - dispatch of the store's request operations (store_requests.h). */
#include "custodian/compat.h"
#include "store_backend.h"

enum cust_status cust_store_request_insert(struct cust_store *s, const struct cust_request_row *r,
                                           char id[CUST_REQUEST_ID_MAX], struct cust_err *err)
{
    if (!cust_store_in_transaction(s)) /* a covered write goes with its ledger entry */
        return cust_err_set(err, CUST_EDB, "request insert outside a transaction");
    if (!s->ops->requests || !s->ops->requests->request_insert)
        return cust_err_set(err, CUST_EINVAL, "the %s store keeps no requests", s->ops->name);
    return s->ops->requests->request_insert(s->impl, r, id, err);
}

enum cust_status cust_store_request_get(struct cust_store *s, const char *id,
                                        cust_request_row_fn fn, void *arg, struct cust_err *err)
{
    if (!s->ops->requests || !s->ops->requests->request_get)
        return cust_err_set(err, CUST_EINVAL, "the %s store keeps no requests", s->ops->name);
    return s->ops->requests->request_get(s->impl, id, fn, arg, err);
}

enum cust_status cust_store_request_list(struct cust_store *s, const struct cust_request_filter *f,
                                         cust_request_row_fn fn, void *arg, struct cust_err *err)
{
    if (!s->ops->requests || !s->ops->requests->request_list)
        return cust_err_set(err, CUST_EINVAL, "the %s store keeps no requests", s->ops->name);
    return s->ops->requests->request_list(s->impl, f, fn, arg, err);
}

enum cust_status cust_store_request_update(struct cust_store *s, const char *id, const char *status,
                                           const char *reason, int64_t law_ts, const char *law_rule,
                                           const char *updated_at, struct cust_err *err)
{
    if (!cust_store_in_transaction(s)) /* a covered write goes with its ledger entry */
        return cust_err_set(err, CUST_EDB, "request update outside a transaction");
    if (!s->ops->requests || !s->ops->requests->request_update)
        return cust_err_set(err, CUST_EINVAL, "the %s store keeps no requests", s->ops->name);
    return s->ops->requests->request_update(s->impl, id, status, reason, law_ts, law_rule,
                                            updated_at, err);
}

enum cust_status cust_store_document_put(struct cust_store *s, const char *request_id,
                                         const char *name, const char *sha256,
                                         const unsigned char *content, size_t len, const char *role,
                                         struct cust_err *err)
{
    if (!cust_store_in_transaction(s)) /* a covered write goes with its ledger entry */
        return cust_err_set(err, CUST_EDB, "document put outside a transaction");
    if (!s->ops->requests || !s->ops->requests->document_put)
        return cust_err_set(err, CUST_EINVAL, "the %s store keeps no requests", s->ops->name);
    return s->ops->requests->document_put(s->impl, request_id, name, sha256, content, len, role,
                                          err);
}

enum cust_status cust_store_document_get(struct cust_store *s, const char *sha256, char **content,
                                         size_t *len, struct cust_err *err)
{
    if (!s->ops->requests || !s->ops->requests->document_get)
        return cust_err_set(err, CUST_EINVAL, "the %s store keeps no requests", s->ops->name);
    return s->ops->requests->document_get(s->impl, sha256, content, len, err);
}

enum cust_status cust_store_link_put(struct cust_store *s, const struct cust_link_row *l,
                                     struct cust_err *err)
{
    if (!cust_store_in_transaction(s)) /* a covered write goes with its ledger entry */
        return cust_err_set(err, CUST_EDB, "link put outside a transaction");
    if (!s->ops->requests || !s->ops->requests->link_put)
        return cust_err_set(err, CUST_EINVAL, "the %s store keeps no requests", s->ops->name);
    return s->ops->requests->link_put(s->impl, l, err);
}

enum cust_status cust_store_links(struct cust_store *s, const char *request_id, cust_link_row_fn fn,
                                  void *arg, struct cust_err *err)
{
    if (!s->ops->requests || !s->ops->requests->links)
        return cust_err_set(err, CUST_EINVAL, "the %s store keeps no requests", s->ops->name);
    return s->ops->requests->links(s->impl, request_id, fn, arg, err);
}

enum cust_status cust_store_decision_put(struct cust_store *s, const struct cust_decision_row *d,
                                         int64_t *id, struct cust_err *err)
{
    if (!cust_store_in_transaction(s)) /* a covered write goes with its ledger entry */
        return cust_err_set(err, CUST_EDB, "decision put outside a transaction");
    if (!s->ops->requests || !s->ops->requests->decision_put)
        return cust_err_set(err, CUST_EINVAL, "the %s store keeps no requests", s->ops->name);
    return s->ops->requests->decision_put(s->impl, d, id, err);
}

enum cust_status cust_store_decisions(struct cust_store *s, const char *request_id,
                                      cust_decision_row_fn fn, void *arg, struct cust_err *err)
{
    if (!s->ops->requests || !s->ops->requests->decisions)
        return cust_err_set(err, CUST_EINVAL, "the %s store keeps no requests", s->ops->name);
    return s->ops->requests->decisions(s->impl, request_id, fn, arg, err);
}

struct one_decision {
    cust_decision_row_fn fn;
    void *arg;
    bool found;
};

static enum cust_status on_one_decision(const struct cust_decision_row *d, void *arg)
{
    struct one_decision *o = arg;
    o->found = true;
    return o->fn(d, o->arg);
}

enum cust_status cust_store_decision_get(struct cust_store *s, int64_t id, cust_decision_row_fn fn,
                                         void *arg, struct cust_err *err)
{
    if (!s->ops->requests || !s->ops->requests->decision_get)
        return cust_err_set(err, CUST_EINVAL, "the %s store keeps no requests", s->ops->name);
    struct one_decision o = {fn, arg, false};
    enum cust_status st = s->ops->requests->decision_get(s->impl, id, on_one_decision, &o, err);
    if (st == CUST_OK && !o.found)
        st = cust_err_set(err, CUST_ENOTFOUND, "no decision #%lld", (long long)id);
    return st;
}

enum cust_status cust_store_action_put(struct cust_store *s, const struct cust_action_row *a,
                                       int64_t *id, struct cust_err *err)
{
    if (!cust_store_in_transaction(s)) /* a covered write goes with its ledger entry */
        return cust_err_set(err, CUST_EDB, "action put outside a transaction");
    if (!s->ops->requests || !s->ops->requests->action_put)
        return cust_err_set(err, CUST_EINVAL, "the %s store keeps no requests", s->ops->name);
    return s->ops->requests->action_put(s->impl, a, id, err);
}

enum cust_status cust_store_actions(struct cust_store *s, const char *request_id,
                                    cust_action_row_fn fn, void *arg, struct cust_err *err)
{
    if (!s->ops->requests || !s->ops->requests->actions)
        return cust_err_set(err, CUST_EINVAL, "the %s store keeps no requests", s->ops->name);
    return s->ops->requests->actions(s->impl, request_id, fn, arg, err);
}

enum cust_status cust_store_duty_put(struct cust_store *s, const struct cust_duty_row *d,
                                     int64_t *id, struct cust_err *err)
{
    if (!cust_store_in_transaction(s)) /* a covered write goes with its ledger entry */
        return cust_err_set(err, CUST_EDB, "duty put outside a transaction");
    if (!s->ops->requests || !s->ops->requests->duty_put)
        return cust_err_set(err, CUST_EINVAL, "the %s store keeps no requests", s->ops->name);
    return s->ops->requests->duty_put(s->impl, d, id, err);
}

enum cust_status cust_store_duties(struct cust_store *s, const struct cust_duty_filter *f,
                                   cust_duty_row_fn fn, void *arg, struct cust_err *err)
{
    if (!s->ops->requests || !s->ops->requests->duties)
        return cust_err_set(err, CUST_EINVAL, "the %s store keeps no requests", s->ops->name);
    return s->ops->requests->duties(s->impl, f, fn, arg, err);
}

enum cust_status cust_store_duty_done(struct cust_store *s, int64_t id, const char *by,
                                      const char *at, const char *document_sha256,
                                      struct cust_err *err)
{
    if (!cust_store_in_transaction(s)) /* a covered write goes with its ledger entry */
        return cust_err_set(err, CUST_EDB, "duty done outside a transaction");
    if (!s->ops->requests || !s->ops->requests->duty_done)
        return cust_err_set(err, CUST_EINVAL, "the %s store keeps no requests", s->ops->name);
    return s->ops->requests->duty_done(s->impl, id, by, at, document_sha256, err);
}

enum cust_status cust_store_transfer_put(struct cust_store *s, const struct cust_transfer_row *t,
                                         int64_t *id, struct cust_err *err)
{
    if (!cust_store_in_transaction(s)) /* a covered write goes with its ledger entry */
        return cust_err_set(err, CUST_EDB, "transfer put outside a transaction");
    if (!s->ops->requests || !s->ops->requests->transfer_put)
        return cust_err_set(err, CUST_EINVAL, "the %s store keeps no requests", s->ops->name);
    return s->ops->requests->transfer_put(s->impl, t, id, err);
}

enum cust_status cust_store_transfers(struct cust_store *s, cust_transfer_row_fn fn, void *arg,
                                      struct cust_err *err)
{
    if (!s->ops->requests || !s->ops->requests->transfers)
        return cust_err_set(err, CUST_EINVAL, "the %s store keeps no requests", s->ops->name);
    return s->ops->requests->transfers(s->impl, fn, arg, err);
}

enum cust_status cust_store_documents(struct cust_store *s, const char *request_id,
                                      cust_document_row_fn fn, void *arg, struct cust_err *err)
{
    if (!s->ops->requests || !s->ops->requests->documents)
        return cust_err_set(err, CUST_EINVAL, "the %s store keeps no requests", s->ops->name);
    return s->ops->requests->documents(s->impl, request_id, fn, arg, err);
}

enum cust_status cust_store_disclosure_put(struct cust_store *s,
                                           const struct cust_disclosure_row *x,
                                           struct cust_err *err)
{
    if (!cust_store_in_transaction(s)) /* a covered write goes with its ledger entry */
        return cust_err_set(err, CUST_EDB, "disclosure put outside a transaction");
    if (!s->ops->requests || !s->ops->requests->disclosure_put)
        return cust_err_set(err, CUST_EINVAL, "the %s store keeps no requests", s->ops->name);
    return s->ops->requests->disclosure_put(s->impl, x, err);
}

enum cust_status cust_store_disclosures(struct cust_store *s, const char *request_id,
                                        cust_disclosure_row_fn fn, void *arg, struct cust_err *err)
{
    if (!s->ops->requests || !s->ops->requests->disclosures)
        return cust_err_set(err, CUST_EINVAL, "the %s store keeps no requests", s->ops->name);
    return s->ops->requests->disclosures(s->impl, request_id, fn, arg, err);
}
