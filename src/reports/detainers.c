/*
 * detainers.c - the detainer statistics (`custodian report detainers`).
 *
 * The requests of the report are those received in the period (local day of receipt); what
 * the report says about each is what the record holds about it now: matched (a confirmed
 * person), decided (a decision stored), each asked action done or declined, its status. Events
 * that have a date of their own are counted when they happened: transfers by the hand-over,
 * data-request disclosures by the day given. docs/internals/reports.md defines every figure.
 */
#include "custodian/compat.h"
#include "custodian/date.h"
#include "custodian/request.h"
#include "reports_internal.h"

static const char *const bases[] = {"judicial_warrant", "judicial_probable_cause", "7282.5"};

static bool acted(const struct rp_req *q, const char *action, const char *outcome)
{
    for (size_t i = 0; i < q->nacts; i++)
        if (strcmp(q->acts[i].action, action) == 0 && strcmp(q->acts[i].outcome, outcome) == 0)
            return true;
    return false;
}

static bool any_declined(const struct rp_req *q)
{
    for (size_t i = 0; i < q->nacts; i++)
        if (strcmp(q->acts[i].outcome, "declined") == 0)
            return true;
    return false;
}

/* Monthly series (only with --by month). */
struct month {
    json_int_t requests, detainers, holds_requested, holds_honored, notifications_requested,
        notifications_given, transfers[3], items_given, items_withheld;
};

struct xfer_ctx {
    int64_t from_ts, to_ts;
    int32_t from;
    json_t *by_basis, *criteria;
    json_int_t total;
    struct month *months;
    size_t nmonths;
};

static enum cust_status on_transfer(const struct cust_transfer_row *t, void *arg)
{
    struct xfer_ctx *c = arg;
    int64_t at;
    if (!t->at || !cust_time_parse(t->at, &at, NULL) || at < c->from_ts || at >= c->to_ts)
        return CUST_OK;
    c->total++;
    rp_count(c->by_basis, t->basis, 1);
    size_t b = 0;
    while (b < CUST_ARRAY_LEN(bases) && strcmp(bases[b], t->basis) != 0)
        b++;
    if (c->months && b < CUST_ARRAY_LEN(bases)) {
        size_t m = rp_month_index(c->from, cust_time_zone_day(at));
        if (m < c->nmonths)
            c->months[m].transfers[b]++;
    }
    if (strcmp(t->basis, "7282.5") == 0) {
        /* the criterion with the offense that allowed it */
        size_t i;
        json_t *e;
        json_array_foreach(c->criteria, i, e)
        {
            if (strcmp(json_string_value(json_object_get(e, "criterion")),
                       t->criterion ? t->criterion : "") == 0 &&
                strcmp(json_string_value(json_object_get(e, "offense")),
                       t->offense ? t->offense : "") == 0) {
                rp_count(e, "count", 1);
                return CUST_OK;
            }
        }
        json_array_append_new(c->criteria, json_pack("{s:s,s:s,s:i}", "criterion",
                                                     t->criterion ? t->criterion : "", "offense",
                                                     t->offense ? t->offense : "", "count", 1));
    }
    return CUST_OK;
}

struct disc_ctx {
    int64_t from_ts, to_ts;
    int32_t from;
    json_int_t rows, items_given, items_withheld;
    json_t *requests; /* set of request ids given to */
    struct month *months;
    size_t nmonths;
};

static enum cust_status on_disclosure(const struct cust_disclosure_row *x, void *arg)
{
    struct disc_ctx *c = arg;
    int64_t at;
    if (!x->at || !cust_time_parse(x->at, &at, NULL) || at < c->from_ts || at >= c->to_ts)
        return CUST_OK;
    json_t *given = json_loads(x->items, 0, NULL), *withheld = json_loads(x->withheld, 0, NULL);
    json_int_t g = (json_int_t)json_array_size(given), w = (json_int_t)json_array_size(withheld);
    json_decref(given);
    json_decref(withheld);
    c->rows++;
    c->items_given += g;
    c->items_withheld += w;
    json_object_set_new(c->requests, x->request_id, json_true());
    if (c->months) {
        size_t m = rp_month_index(c->from, cust_time_zone_day(at));
        if (m < c->nmonths) {
            c->months[m].items_given += g;
            c->months[m].items_withheld += w;
        }
    }
    return CUST_OK;
}

enum cust_status cust_report_detainers(struct cust_store *s, const struct cust_report_opts *o,
                                       json_t **out, struct cust_err *err)
{
    *out = NULL;
    if (o->to < o->from)
        return cust_err_set(err, CUST_EINVAL, "the period ends before it begins");
    int64_t from_ts, to_ts;
    rp_period(o->from, o->to, &from_ts, &to_ts);
    struct rp_set set;
    enum cust_status st = rp_collect(s, from_ts, to_ts, false, &set, err);
    if (st != CUST_OK)
        return st;
    size_t nmonths = o->by_month ? rp_months(o->from, o->to) : 0;
    struct month *months = nmonths ? cust_xcalloc(nmonths, sizeof(*months)) : NULL;

    json_t *kinds = json_object(), *agencies = json_object(), *forms = json_object(),
           *statuses = json_object();
    for (int k = 0; k < CUST_REQ_KIND_COUNT; k++)
        json_object_set_new(kinds, cust_request_kind_name((enum cust_request_kind)k),
                            json_integer(0));
    json_int_t matched = 0, decided = 0, hold_req = 0, hold_done = 0, hold_declined = 0,
               notify_req = 0, notify_done = 0, notify_declined = 0, iv_req = 0, iv_done = 0,
               iv_declined = 0, xfer_req = 0, xfer_declined = 0, declined = 0, data_req = 0,
               data_fulfilled = 0, data_referred = 0;
    for (size_t i = 0; i < set.n; i++) {
        const struct rp_req *q = &set.v[i];
        rp_count(kinds, q->kind, 1);
        rp_count(agencies, q->agency ? q->agency : "unknown", 1);
        rp_count(forms, q->form ? q->form : "none", 1);
        rp_count(statuses, q->status, 1);
        matched += q->nlinks > 0;
        decided += q->ndecs > 0;
        bool hold = q->asks & CUST_ASK_HOLD, notify = q->asks & CUST_ASK_NOTIFY;
        bool hd = hold && acted(q, "hold", "done"), nd = notify && acted(q, "notify", "done");
        hold_req += hold;
        hold_done += hd;
        hold_declined += hold && !hd && acted(q, "hold", "declined");
        notify_req += notify;
        notify_done += nd;
        notify_declined += notify && !nd && acted(q, "notify", "declined");
        if (q->asks & CUST_ASK_INTERVIEW) {
            iv_req++;
            bool d = acted(q, "interview", "done");
            iv_done += d;
            iv_declined += !d && acted(q, "interview", "declined");
        }
        if (q->asks & CUST_ASK_TRANSFER) {
            xfer_req++;
            xfer_declined += !acted(q, "transfer", "done") && acted(q, "transfer", "declined");
        }
        declined += any_declined(q);
        enum cust_request_kind k;
        if (cust_request_kind_parse(q->kind, &k) && cust_request_kind_is_data_request(k)) {
            data_req++;
            data_fulfilled += strcmp(q->status, "fulfilled") == 0;
            data_referred += rp_has_duty(q, "refer_to_counsel");
        }
        if (months) {
            size_t m = rp_month_index(o->from, q->day);
            if (m < nmonths) {
                months[m].requests++;
                months[m].detainers += strcmp(q->kind, "detainer") == 0;
                months[m].holds_requested += hold;
                months[m].holds_honored += hd;
                months[m].notifications_requested += notify;
                months[m].notifications_given += nd;
            }
        }
    }

    struct xfer_ctx xc = {from_ts, to_ts, o->from, json_object(), json_array(), 0, months, nmonths};
    for (size_t b = 0; b < CUST_ARRAY_LEN(bases); b++)
        json_object_set_new(xc.by_basis, bases[b], json_integer(0));
    st = cust_store_transfers(s, on_transfer, &xc, err);
    struct disc_ctx dc = {from_ts, to_ts, o->from, 0, 0, 0, json_object(), months, nmonths};
    if (st == CUST_OK)
        st = cust_store_disclosures(s, NULL, on_disclosure, &dc, err);

    json_t *r = NULL;
    if (st == CUST_OK) {
        r = rp_header("detainers", o->from, o->to);
        json_object_set_new(r, "total", json_integer((json_int_t)set.n));
        json_object_set_new(r, "requests", kinds);
        json_object_set_new(r, "by_agency", agencies);
        json_object_set_new(r, "by_form", forms);
        json_object_set_new(r, "matched", json_integer(matched));
        json_object_set_new(r, "decided", json_integer(decided));
        json_object_set_new(r, "holds",
                            json_pack("{s:I,s:I,s:I}", "requested", hold_req, "honored", hold_done,
                                      "declined", hold_declined));
        json_object_set_new(r, "notifications",
                            json_pack("{s:I,s:I,s:I}", "requested", notify_req, "given",
                                      notify_done, "declined", notify_declined));
        json_object_set_new(r, "interviews",
                            json_pack("{s:I,s:I,s:I}", "requested", iv_req, "done", iv_done,
                                      "declined", iv_declined));
        json_object_set_new(r, "transfers",
                            json_pack("{s:I,s:I,s:I,s:o,s:o}", "requested", xfer_req, "declined",
                                      xfer_declined, "total", xc.total, "by_basis", xc.by_basis,
                                      "by_criterion", xc.criteria));
        json_object_set_new(
            r, "data_requests",
            json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "received", data_req, "fulfilled",
                      data_fulfilled, "referred_to_counsel", data_referred, "answered",
                      (json_int_t)json_object_size(dc.requests), "rows_given", dc.rows,
                      "items_given", dc.items_given, "items_withheld", dc.items_withheld));
        json_object_set_new(r, "declined", json_integer(declined));
        json_object_set_new(r, "expired",
                            json_integer(json_integer_value(json_object_get(statuses, "expired"))));
        json_object_set_new(
            r, "withdrawn",
            json_integer(json_integer_value(json_object_get(statuses, "withdrawn"))));
        json_object_set_new(r, "lifted",
                            json_integer(json_integer_value(json_object_get(statuses, "lifted"))));
        json_object_set_new(r, "status", statuses);
        if (months) {
            json_t *arr = json_array();
            for (size_t m = 0; m < nmonths; m++) {
                char mt[8];
                rp_month_text(rp_month_day(o->from, m), mt);
                const struct month *x = &months[m];
                json_array_append_new(
                    arr,
                    json_pack("{s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:{s:I,s:I,s:I},s:I,s:I}", "month", mt,
                              "requests", x->requests, "detainers", x->detainers, "holds_requested",
                              x->holds_requested, "holds_honored", x->holds_honored,
                              "notifications_requested", x->notifications_requested,
                              "notifications_given", x->notifications_given, "transfers", bases[0],
                              x->transfers[0], bases[1], x->transfers[1], bases[2], x->transfers[2],
                              "items_given", x->items_given, "items_withheld", x->items_withheld));
            }
            json_object_set_new(r, "months", arr);
        }
    } else {
        json_decref(kinds);
        json_decref(agencies);
        json_decref(forms);
        json_decref(statuses);
        json_decref(xc.by_basis);
        json_decref(xc.criteria);
    }
    json_decref(dc.requests);
    free(months);
    rp_set_free(&set);
    *out = r;
    return st;
}
