/*
 * store_postgres_todo.c - the operations the PostgreSQL backend does not keep yet: each answers
 * CUST_EINVAL "WHAT on PostgreSQL: not built yet (docs/internals/store-postgresql.md)", never a
 * crash and never an empty answer that could be taken for "none" (the groups are filled, not
 * NULL, so the message says what is missing, not that the design lacks it).
 */
#include "custodian/compat.h"
#include "store_postgres.h"

enum cust_status cust_pg_not_built(struct cust_err *err, const char *what)
{
    return cust_err_set(err, CUST_EINVAL,
                        "%s on PostgreSQL: not built yet (docs/internals/store-postgresql.md)",
                        what);
}

/* ---- request desk ---- */
static enum cust_status req_request_insert(void *impl, const struct cust_request_row *r,
                                           char id[CUST_REQUEST_ID_MAX], struct cust_err *err)
{
    (void)impl, (void)r, (void)id;
    return cust_pg_not_built(err, "request desk");
}

static enum cust_status req_request_get(void *impl, const char *id, cust_request_row_fn fn,
                                        void *arg, struct cust_err *err)
{
    (void)impl, (void)id, (void)fn, (void)arg;
    return cust_pg_not_built(err, "request desk");
}

static enum cust_status req_request_list(void *impl, const struct cust_request_filter *f,
                                         cust_request_row_fn fn, void *arg, struct cust_err *err)
{
    (void)impl, (void)f, (void)fn, (void)arg;
    return cust_pg_not_built(err, "request desk");
}

static enum cust_status req_request_update(void *impl, const char *id, const char *status,
                                           const char *reason, int64_t law_ts, const char *law_rule,
                                           const char *updated_at, struct cust_err *err)
{
    (void)impl, (void)id, (void)status, (void)reason, (void)law_ts, (void)law_rule,
        (void)updated_at;
    return cust_pg_not_built(err, "request desk");
}

static enum cust_status req_document_put(void *impl, const char *request_id, const char *name,
                                         const char *sha256, const unsigned char *content,
                                         size_t len, const char *role, struct cust_err *err)
{
    (void)impl, (void)request_id, (void)name, (void)sha256, (void)content, (void)len, (void)role;
    return cust_pg_not_built(err, "request desk");
}

static enum cust_status req_document_get(void *impl, const char *sha256, char **content,
                                         size_t *len, struct cust_err *err)
{
    (void)impl, (void)sha256, (void)content, (void)len;
    return cust_pg_not_built(err, "request desk");
}

static enum cust_status req_documents(void *impl, const char *request_id, cust_document_row_fn fn,
                                      void *arg, struct cust_err *err)
{
    (void)impl, (void)request_id, (void)fn, (void)arg;
    return cust_pg_not_built(err, "request desk");
}

static enum cust_status req_link_put(void *impl, const struct cust_link_row *l,
                                     struct cust_err *err)
{
    (void)impl, (void)l;
    return cust_pg_not_built(err, "request desk");
}

static enum cust_status req_links(void *impl, const char *request_id, cust_link_row_fn fn,
                                  void *arg, struct cust_err *err)
{
    (void)impl, (void)request_id, (void)fn, (void)arg;
    return cust_pg_not_built(err, "request desk");
}

static enum cust_status req_decision_put(void *impl, const struct cust_decision_row *d, int64_t *id,
                                         struct cust_err *err)
{
    (void)impl, (void)d, (void)id;
    return cust_pg_not_built(err, "request desk");
}

static enum cust_status req_decisions(void *impl, const char *request_id, cust_decision_row_fn fn,
                                      void *arg, struct cust_err *err)
{
    (void)impl, (void)request_id, (void)fn, (void)arg;
    return cust_pg_not_built(err, "request desk");
}

static enum cust_status req_action_put(void *impl, const struct cust_action_row *a, int64_t *id,
                                       struct cust_err *err)
{
    (void)impl, (void)a, (void)id;
    return cust_pg_not_built(err, "request desk");
}

static enum cust_status req_actions(void *impl, const char *request_id, cust_action_row_fn fn,
                                    void *arg, struct cust_err *err)
{
    (void)impl, (void)request_id, (void)fn, (void)arg;
    return cust_pg_not_built(err, "request desk");
}

static enum cust_status req_duty_put(void *impl, const struct cust_duty_row *d, int64_t *id,
                                     struct cust_err *err)
{
    (void)impl, (void)d, (void)id;
    return cust_pg_not_built(err, "request desk");
}

static enum cust_status req_duties(void *impl, const struct cust_duty_filter *f,
                                   cust_duty_row_fn fn, void *arg, struct cust_err *err)
{
    (void)impl, (void)f, (void)fn, (void)arg;
    return cust_pg_not_built(err, "request desk");
}

static enum cust_status req_duty_done(void *impl, int64_t id, const char *by, const char *at,
                                      const char *document_sha256, struct cust_err *err)
{
    (void)impl, (void)id, (void)by, (void)at, (void)document_sha256;
    return cust_pg_not_built(err, "request desk");
}

static enum cust_status req_transfer_put(void *impl, const struct cust_transfer_row *t, int64_t *id,
                                         struct cust_err *err)
{
    (void)impl, (void)t, (void)id;
    return cust_pg_not_built(err, "request desk");
}

static enum cust_status req_transfers(void *impl, cust_transfer_row_fn fn, void *arg,
                                      struct cust_err *err)
{
    (void)impl, (void)fn, (void)arg;
    return cust_pg_not_built(err, "request desk");
}

static enum cust_status req_disclosure_put(void *impl, const struct cust_disclosure_row *x,
                                           struct cust_err *err)
{
    (void)impl, (void)x;
    return cust_pg_not_built(err, "request desk");
}

const struct cust_store_request_ops cust_pg_request_ops = {
    .request_insert = req_request_insert,
    .request_get = req_request_get,
    .request_list = req_request_list,
    .request_update = req_request_update,
    .document_put = req_document_put,
    .document_get = req_document_get,
    .documents = req_documents,
    .link_put = req_link_put,
    .links = req_links,
    .decision_put = req_decision_put,
    .decisions = req_decisions,
    .action_put = req_action_put,
    .actions = req_actions,
    .duty_put = req_duty_put,
    .duties = req_duties,
    .duty_done = req_duty_done,
    .transfer_put = req_transfer_put,
    .transfers = req_transfers,
    .disclosure_put = req_disclosure_put,
    .disclosures = cust_pg_disclosures,
};

/* ---- staff accounts ---- */
static enum cust_status acct_account_get(void *impl, const char *name, cust_account_row_fn fn,
                                         void *arg, struct cust_err *err)
{
    (void)impl, (void)name, (void)fn, (void)arg;
    return cust_pg_not_built(err, "staff accounts");
}

static enum cust_status acct_account_put(void *impl, const struct cust_account_row *a,
                                         struct cust_err *err)
{
    (void)impl, (void)a;
    return cust_pg_not_built(err, "staff accounts");
}

static enum cust_status acct_user_claim(void *impl, const char *name, int64_t now, unsigned max,
                                        int64_t lock_s, struct cust_err *err)
{
    (void)impl, (void)name, (void)now, (void)max, (void)lock_s;
    return cust_pg_not_built(err, "staff accounts");
}

static enum cust_status acct_user_success(void *impl, const char *name, int64_t step,
                                          struct cust_err *err)
{
    (void)impl, (void)name, (void)step;
    return cust_pg_not_built(err, "staff accounts");
}

static enum cust_status acct_user_list(void *impl, cust_user_fn fn, void *arg, struct cust_err *err)
{
    (void)impl, (void)fn, (void)arg;
    return cust_pg_not_built(err, "staff accounts");
}

static enum cust_status acct_session_get(void *impl, const char *id, cust_session_row_fn fn,
                                         void *arg, struct cust_err *err)
{
    (void)impl, (void)id, (void)fn, (void)arg;
    return cust_pg_not_built(err, "staff accounts");
}

static enum cust_status acct_session_put(void *impl, const struct cust_session_row *s,
                                         struct cust_err *err)
{
    (void)impl, (void)s;
    return cust_pg_not_built(err, "staff accounts");
}

static enum cust_status acct_session_delete(void *impl, const char *id, struct cust_err *err)
{
    (void)impl, (void)id;
    return cust_pg_not_built(err, "staff accounts");
}

static enum cust_status acct_user_set_role(void *impl, const char *name, const char *role,
                                           struct cust_err *err)
{
    (void)impl, (void)name, (void)role;
    return cust_pg_not_built(err, "staff accounts");
}

static enum cust_status acct_user_set_disabled(void *impl, const char *name, bool disabled,
                                               struct cust_err *err)
{
    (void)impl, (void)name, (void)disabled;
    return cust_pg_not_built(err, "staff accounts");
}

static enum cust_status acct_session_list(void *impl, const char *user, cust_session_row_fn fn,
                                          void *arg, struct cust_err *err)
{
    (void)impl, (void)user, (void)fn, (void)arg;
    return cust_pg_not_built(err, "staff accounts");
}

static enum cust_status acct_session_end_all(void *impl, const char *user, size_t *ended,
                                             struct cust_err *err)
{
    (void)impl, (void)user, (void)ended;
    return cust_pg_not_built(err, "staff accounts");
}

const struct cust_store_account_ops cust_pg_account_ops = {
    .account_get = acct_account_get,
    .account_put = acct_account_put,
    .user_claim = acct_user_claim,
    .user_success = acct_user_success,
    .user_list = acct_user_list,
    .session_get = acct_session_get,
    .session_put = acct_session_put,
    .session_delete = acct_session_delete,
    .user_set_role = acct_user_set_role,
    .user_set_disabled = acct_user_set_disabled,
    .session_list = acct_session_list,
    .session_end_all = acct_session_end_all,
};

/* ---- feeds ---- */
static enum cust_status feed_next_run_id(void *impl, int64_t *id, struct cust_err *err)
{
    (void)impl, (void)id;
    return cust_pg_not_built(err, "feeds");
}

static enum cust_status feed_mark_seen(void *impl, const char *source, int64_t run_id,
                                       const char *const *booking_numbers, size_t n,
                                       struct cust_err *err)
{
    (void)impl, (void)source, (void)run_id, (void)booking_numbers, (void)n;
    return cust_pg_not_built(err, "feeds");
}

static enum cust_status feed_missing(void *impl, const char *source, int64_t run_id,
                                     cust_feed_missing_fn fn, void *arg, struct cust_err *err)
{
    (void)impl, (void)source, (void)run_id, (void)fn, (void)arg;
    return cust_pg_not_built(err, "feeds");
}

static enum cust_status feed_review_open(void *impl, const char *source, const char *booking_number,
                                         int64_t run_id, const char *opened_at, const char *reason,
                                         struct cust_err *err)
{
    (void)impl, (void)source, (void)booking_number, (void)run_id, (void)opened_at, (void)reason;
    return cust_pg_not_built(err, "feeds");
}

static enum cust_status feed_reviews_reappeared(void *impl, const char *source, int64_t run_id,
                                                const char *at, int64_t *n, struct cust_err *err)
{
    (void)impl, (void)source, (void)run_id, (void)at, (void)n;
    return cust_pg_not_built(err, "feeds");
}

static enum cust_status feed_run_insert(void *impl, const struct cust_feed_run_row *r,
                                        struct cust_err *err)
{
    (void)impl, (void)r;
    return cust_pg_not_built(err, "feeds");
}

static enum cust_status feed_last_runs(void *impl, cust_feed_run_fn fn, void *arg,
                                       struct cust_err *err)
{
    (void)impl, (void)fn, (void)arg;
    return cust_pg_not_built(err, "feeds");
}

static enum cust_status feed_reviews(void *impl, bool open_only, cust_feed_review_fn fn, void *arg,
                                     struct cust_err *err)
{
    (void)impl, (void)open_only, (void)fn, (void)arg;
    return cust_pg_not_built(err, "feeds");
}

static enum cust_status feed_review_resolve(void *impl, int64_t id, const char *by, const char *at,
                                            const char *resolution, char *source_out,
                                            size_t source_cap, char *booking_out,
                                            size_t booking_cap, struct cust_err *err)
{
    (void)impl, (void)id, (void)by, (void)at, (void)resolution, (void)source_out, (void)source_cap,
        (void)booking_out, (void)booking_cap;
    return cust_pg_not_built(err, "feeds");
}

const struct cust_store_feed_ops cust_pg_feed_ops = {
    .next_run_id = feed_next_run_id,
    .mark_seen = feed_mark_seen,
    .missing = feed_missing,
    .review_open = feed_review_open,
    .reviews_reappeared = feed_reviews_reappeared,
    .run_insert = feed_run_insert,
    .last_runs = feed_last_runs,
    .reviews = feed_reviews,
    .review_resolve = feed_review_resolve,
};

/* ---- oversight reports ---- */
static enum cust_status rep_requests_between(void *impl, int64_t from_ts, int64_t to_ts,
                                             cust_request_row_fn fn, void *arg,
                                             struct cust_err *err)
{
    (void)impl, (void)from_ts, (void)to_ts, (void)fn, (void)arg;
    return cust_pg_not_built(err, "oversight reports");
}

static enum cust_status rep_person(void *impl, int64_t person_id, cust_report_person_fn fn,
                                   void *arg, struct cust_err *err)
{
    (void)impl, (void)person_id, (void)fn, (void)arg;
    return cust_pg_not_built(err, "oversight reports");
}

static enum cust_status rep_enforcement_put(void *impl, const struct cust_enforcement *e,
                                            int64_t *id, struct cust_err *err)
{
    (void)impl, (void)e, (void)id;
    return cust_pg_not_built(err, "oversight reports");
}

static enum cust_status rep_enforcement_list(void *impl, int64_t from_ts, int64_t to_ts,
                                             cust_enforcement_fn fn, void *arg,
                                             struct cust_err *err)
{
    (void)impl, (void)from_ts, (void)to_ts, (void)fn, (void)arg;
    return cust_pg_not_built(err, "oversight reports");
}

const struct cust_store_reports_ops cust_pg_reports_ops = {
    .requests_between = rep_requests_between,
    .person = rep_person,
    .enforcement_put = rep_enforcement_put,
    .enforcement_list = rep_enforcement_list,
};
