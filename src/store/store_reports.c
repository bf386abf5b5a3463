/* store_reports.c - dispatch of the reports' store operations (store_reports.h). */
#include "custodian/compat.h"
#include "store_backend.h"

#define NEED(op)                                                                                   \
    if (!s->ops->reports || !s->ops->reports->op)                                                  \
    return cust_err_set(err, CUST_EINVAL, "the %s store has no reports", s->ops->name)

enum cust_status cust_store_requests_between(struct cust_store *s, int64_t from_ts, int64_t to_ts,
                                             cust_request_row_fn fn, void *arg,
                                             struct cust_err *err)
{
    NEED(requests_between);
    return s->ops->reports->requests_between(s->impl, from_ts, to_ts, fn, arg, err);
}

enum cust_status cust_store_report_person(struct cust_store *s, int64_t person_id,
                                          cust_report_person_fn fn, void *arg, struct cust_err *err)
{
    NEED(person);
    return s->ops->reports->person(s->impl, person_id, fn, arg, err);
}

enum cust_status cust_store_enforcement_put(struct cust_store *s, const struct cust_enforcement *e,
                                            int64_t *id, struct cust_err *err)
{
    NEED(enforcement_put);
    return s->ops->reports->enforcement_put(s->impl, e, id, err);
}

enum cust_status cust_store_enforcement_list(struct cust_store *s, int64_t from_ts, int64_t to_ts,
                                             cust_enforcement_fn fn, void *arg,
                                             struct cust_err *err)
{
    NEED(enforcement_list);
    return s->ops->reports->enforcement_list(s->impl, from_ts, to_ts, fn, arg, err);
}
