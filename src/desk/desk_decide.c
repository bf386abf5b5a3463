/*
 * desk_decide.c - deciding a subject request: each confirmed person's case under the policies,
 * stored with its ledger entry, the duties it triggers created (desk.h, docs/internals/desk.md).
 */
#include "custodian/compat.h"
#include "custodian/date.h"
#include "custodian/records.h"
#include "desk_internal.h"

/* Run the decider and check the policy fields the desk stores. */
static enum cust_status run_decide(struct cust_desk *d, const json_t *c, json_t **dec,
                                   struct cust_err *err)
{
    /* a subject's decision is read by people: it keeps how each verdict was reached */
    return desk_decide_case(d, c, CUST_DECIDE_TRACE, dec, err);
}

/* The case of one person about one request: the whole record, the request's fields. */
static json_t *subject_case(struct cust_desk *d, const struct desk_whole *w,
                            const struct cust_booking *b, int32_t as_of,
                            const struct cust_request *rq)
{
    json_t *c = desk_case_whole(w, b, d->env->jurisdiction, as_of, cust_request_kind_name(rq->kind),
                                rq->asks, rq->items);
    if (rq->accompanying_warrant)
        json_object_set_new(json_object_get(c, "request"), "accompanying_warrant",
                            json_string(rq->accompanying_warrant));
    return c;
}

enum cust_status desk_case_of_person(struct cust_desk *d, int64_t person_id,
                                     const char *booking_number, int32_t as_of,
                                     const struct cust_request *rq, json_t **case_json,
                                     json_t **sources, struct cust_err *err)
{
    *case_json = NULL;
    struct cust_record rec;
    enum cust_status st = cust_record_current(d->store, booking_number, &rec, err);
    if (st != CUST_OK)
        return st;
    struct desk_whole w;
    st = desk_whole_read(d->store, person_id, booking_number, as_of, &w, err);
    if (st == CUST_OK) {
        *case_json = subject_case(d, &w, &rec.b, as_of, rq);
        if (sources)
            *sources = desk_whole_sources(&w, NULL);
        desk_whole_release(&w);
    }
    cust_record_release(&rec);
    return st;
}

enum cust_status desk_decide_whole(struct cust_desk *d, int64_t person_id,
                                   const char *booking_number, int32_t as_of,
                                   const struct cust_request *rq, json_t **dec,
                                   struct cust_err *err)
{
    *dec = NULL;
    struct cust_record rec;
    enum cust_status st = cust_record_current(d->store, booking_number, &rec, err);
    if (st != CUST_OK)
        return st;
    struct desk_whole w;
    st = desk_whole_read(d->store, person_id, booking_number, as_of, &w, err);
    if (st == CUST_OK) {
        json_t *c = subject_case(d, &w, &rec.b, as_of, rq);
        st = run_decide(d, c, dec, err);
        json_decref(c);
        /* the decision names the booking each fact of its case came from */
        if (st == CUST_OK) {
            json_t *trace = json_object_get(*dec, "trace");
            json_t *src = desk_whole_sources(&w, json_is_array(trace) ? trace : NULL);
            /* whom the decision is about, as the booking names them */
            const struct cust_person *p = &rec.b.person;
            char name[256];
            snprintf(name, sizeof(name), "%s, %s%s%s", p->last_name ? p->last_name : "",
                     p->first_name ? p->first_name : "", p->middle_name ? " " : "",
                     p->middle_name ? p->middle_name : "");
            json_object_set_new(src, "name", json_string(name));
            json_object_set_new(*dec, "record", src);
        }
        desk_whole_release(&w);
    }
    cust_record_release(&rec);
    return st;
}

enum cust_status desk_store_decision(struct cust_desk *d, const struct desk_req *q,
                                     int64_t person_id, const char *bn, const json_t *dec,
                                     int64_t *id, struct cust_err *err)
{
    char now[32];
    desk_now(now);
    json_t *p = json_object_get(dec, "policy");
    char *text = json_dumps(dec, JSON_COMPACT | JSON_PRESERVE_ORDER);
    struct cust_decision_row row = {0,
                                    q->id,
                                    person_id,
                                    bn,
                                    json_string_value(json_object_get(p, "id")),
                                    json_string_value(json_object_get(p, "version")),
                                    json_string_value(json_object_get(p, "sha256")),
                                    now,
                                    d->actor ? d->actor : "cli",
                                    text};
    enum cust_status st = cust_store_decision_put(d->store, &row, id, err);
    free(text);
    if (st == CUST_OK) {
        json_t *verdicts = json_object();
        const char *k;
        json_t *v;
        json_object_foreach(json_object_get(dec, "actions"), k, v)
            json_object_set(verdicts, k, json_object_get(v, "verdict"));
        st = desk_log(d, "request.decide", "request", q->id, "ok", "",
                      json_pack("{s:I,s:I,s:s?,s:O,s:o}", "decision_id", (json_int_t)*id,
                                "person_id", (json_int_t)person_id, "booking_number", bn, "policy",
                                p, "actions", verdicts),
                      err);
    }
    return st;
}

static enum cust_status hold_for_needs(struct cust_desk *d, const struct desk_req *q,
                                       int64_t person_id, const json_t *dec, struct cust_err *err)
{
    json_t *needs = json_object_get(dec, "needs");
    if (json_array_size(needs) == 0)
        return CUST_OK;
    struct cust_buf why;
    cust_buf_init(&why, 0);
    enum cust_status st = cust_buf_puts(&why, "the decision needs ");
    size_t i;
    json_t *x;
    json_array_foreach(needs, i, x)
    {
        if (st == CUST_OK && i > 0)
            st = cust_buf_puts(&why, ", ");
        if (st == CUST_OK)
            st = cust_buf_puts(&why, json_string_value(x) ? json_string_value(x) : "?");
    }
    if (st == CUST_OK)
        st = cust_buf_puts(&why, ": every action held for a supervisor's review");
    if (st == CUST_OK)
        st = desk_link_hold(d, q->id, person_id, why.buf, err);
    cust_buf_release(&why);
    return st;
}

enum cust_status cust_desk_decide(struct cust_desk *d, const char *id, json_t **out,
                                  struct cust_err *err)
{
    *out = NULL;
    struct desk_req q;
    enum cust_status st = desk_req_load(d, id, &q, err);
    if (st != CUST_OK)
        return st;
    struct link_list ll = {0};
    if (cust_desk_status_is_final(q.status))
        st = cust_err_set(err, CUST_ECONFLICT, "request '%s' is %s", id, q.status);
    else if (!q.r.has_subject)
        st = cust_err_set(err, CUST_EINVAL,
                          "request '%s' names a population: use 'request fulfill'", id);
    if (st == CUST_OK)
        st = cust_store_links(d->store, id, desk_on_confirmed, &ll, err);
    if (st == CUST_OK && ll.n == 0)
        st = cust_err_set(err, CUST_ECONFLICT,
                          "request '%s' has no confirmed person (see 'request match')", id);
    json_t *arr = json_array();
    int32_t as_of = cust_time_zone_day(q.r.received_at);
    /* decide first (no store writes), then record everything in one transaction */
    json_t **decs = cust_xcalloc(ll.n ? ll.n : 1, sizeof(*decs));
    for (size_t i = 0; st == CUST_OK && i < ll.n; i++)
        st = desk_decide_whole(d, ll.v[i].person_id, ll.v[i].booking_number, as_of, &q.r, &decs[i],
                               err);
    if (st == CUST_OK)
        st = cust_store_begin(d->store, err);
    if (st == CUST_OK) {
        for (size_t i = 0; st == CUST_OK && i < ll.n; i++) {
            int64_t did = 0;
            st = desk_store_decision(d, &q, ll.v[i].person_id, ll.v[i].booking_number, decs[i],
                                     &did, err);
            if (st == CUST_OK)
                st = desk_duties_from_decision(d, &q, ll.v[i].person_id, ll.v[i].booking_number,
                                               decs[i], NULL, NULL, NULL, err);
            /* a verdict resting on a fact the record cannot settle (decide.md "needs": an
             * unverified claim of citizenship, a detainer's missing warrant) is not acted on
             * until a supervisor has reviewed it */
            if (st == CUST_OK)
                st = hold_for_needs(d, &q, ll.v[i].person_id, decs[i], err);
            json_array_append_new(
                arr,
                json_pack("{s:I,s:I,s:s?,s:O?,s:O}", "decision_id", (json_int_t)did, "person_id",
                          (json_int_t)ll.v[i].person_id, "booking_number", ll.v[i].booking_number,
                          "name", json_object_get(json_object_get(decs[i], "record"), "name"),
                          "decision", decs[i]));
        }
        if (st == CUST_OK)
            st = desk_transition(d, &q, "decided", "policy decision", err);
        if (st == CUST_OK)
            st = cust_store_commit(d->store, err);
        else
            cust_store_rollback(d->store);
    }
    for (size_t i = 0; i < ll.n; i++)
        json_decref(decs[i]);
    free(decs);
    desk_link_list_free(&ll);
    desk_req_release(&q);
    if (st != CUST_OK) {
        json_decref(arr);
        return st;
    }
    *out = arr;
    return CUST_OK;
}
