/*
 * oversight.c - the inspector general's view (`custodian report oversight`, role auditor).
 *
 * Every disclosure and every override in the period, each with the decision it was made
 * under, the winning rule and its citations, who did it and when:
 *   - an action is an override when it departs from the law's default: a `required` action
 *     declined, or a `permitted` one taken (the discretion the county used);
 *   - a disclosure is information given to the requester: a notification done (the release
 *     date or time), or a row given by a data request (the items given; the row is an
 *     override too when an item given was only `permitted`).
 *   - a confirmation outside the candidates: a person who was never a match candidate
 *     confirmed as a request's subject, with the confirmer's reason (issue 12).
 * Filters: period (by the event's time), request, person (internal id) or booking, actor.
 */
#include "custodian/compat.h"
#include "custodian/date.h"
#include "reports_internal.h"

static const struct rp_decision *decision_of(const struct rp_req *q, int64_t id)
{
    for (size_t i = 0; q && i < q->ndecs; i++)
        if (q->decs[i].id == id)
            return &q->decs[i];
    return NULL;
}

static const char *booking_of(const struct rp_req *q, int64_t person_id)
{
    for (size_t i = 0; i < q->nlinks; i++)
        if (q->links[i].person_id == person_id)
            return q->links[i].booking_number;
    return NULL;
}

struct ctx {
    const struct cust_report_opts *o;
    const struct rp_set *set;
    int64_t from_ts, to_ts;
    json_t *rows;
    json_int_t disclosures, overrides, flagged;
    json_t *by_actor;
};

static bool wanted(const struct ctx *c, const char *request_id, int64_t person_id,
                   const char *booking, const char *actor)
{
    const struct cust_report_opts *o = c->o;
    if (o->request_id && (!request_id || strcmp(o->request_id, request_id) != 0))
        return false;
    if (o->person_id && o->person_id != person_id)
        return false;
    if (o->booking_number && (!booking || strcmp(o->booking_number, booking) != 0))
        return false;
    if (o->actor && (!actor || strcmp(o->actor, actor) != 0))
        return false;
    return true;
}

static void add_row(struct ctx *c, int64_t at, json_t *row, bool disclosure, bool override,
                    const char *actor)
{
    char local[32];
    cust_time_format(at, cust_time_zone_offset(at), false, local);
    json_object_set_new(row, "at", json_string(local));
    json_object_set_new(row, "disclosure", json_boolean(disclosure));
    json_object_set_new(row, "override", json_boolean(override));
    json_array_append_new(c->rows, row);
    c->disclosures += disclosure;
    c->overrides += override;
    rp_count(c->by_actor, actor ? actor : "unknown", 1);
}

static void actions(struct ctx *c, const struct rp_req *q)
{
    for (size_t k = 0; k < q->nacts; k++) {
        const struct rp_action *a = &q->acts[k];
        if (a->at < c->from_ts || a->at >= c->to_ts)
            continue;
        bool done = strcmp(a->outcome, "done") == 0;
        bool override = (done && strcmp(a->verdict, "permitted") == 0) ||
                        (!done && strcmp(a->verdict, "required") == 0);
        bool disclosure = done && strcmp(a->action, "notify") == 0;
        if (!override && !disclosure)
            continue;
        const char *bn = booking_of(q, a->person_id);
        if (!wanted(c, q->id, a->person_id, bn, a->by))
            continue;
        const struct rp_decision *d = decision_of(q, a->decision_id);
        json_t *entry =
            d && d->json ? json_object_get(json_object_get(d->json, "actions"), a->action) : NULL;
        json_t *cite = json_object_get(entry, "cite");
        cite = json_is_array(cite) ? json_incref(cite) : json_array();
        json_t *row = json_pack(
            "{s:s,s:s,s:s,s:s?,s:I,s:s?,s:s,s:s,s:s,s:I,s:s?,s:s?,s:s?,s:s?,s:o,s:s,s:s?}", "type",
            "action", "request_id", q->id, "request_kind", q->kind, "agency", q->agency,
            "person_id", (json_int_t)a->person_id, "booking_number", bn, "what", a->action,
            "outcome", a->outcome, "verdict", a->verdict, "decision_id", (json_int_t)a->decision_id,
            "policy", d ? d->policy_id : NULL, "policy_version", d ? d->policy_version : NULL,
            "decided_by", d ? d->decided_by : NULL, "rule",
            json_string_value(json_object_get(entry, "rule")), "cite", cite, "actor", a->by,
            "reason", a->reason);
        add_row(c, a->at, row, disclosure, override, a->by);
    }
}

/* Persons confirmed as the subject although never a match candidate. */
static void confirmations(struct ctx *c, const struct rp_req *q)
{
    for (size_t k = 0; k < q->nlinks; k++) {
        const struct rp_link *l = &q->links[k];
        if (!l->outside_reason || l->confirmed_ts == CUST_NO_TIME || l->confirmed_ts < c->from_ts ||
            l->confirmed_ts >= c->to_ts ||
            !wanted(c, q->id, l->person_id, l->booking_number, l->confirmed_by))
            continue;
        json_t *row =
            json_pack("{s:s,s:s,s:s,s:s?,s:I,s:s?,s:s,s:s,s:s,s:o,s:s?,s:s,s:b}", "type",
                      "confirmation", "request_id", q->id, "request_kind", q->kind, "agency",
                      q->agency, "person_id", (json_int_t)l->person_id, "booking_number",
                      l->booking_number, "what", "subject confirmed outside the match candidates",
                      "outcome", "confirmed", "verdict", "", "cite", json_array(), "actor",
                      l->confirmed_by, "reason", l->outside_reason, "outside_candidates", true);
        add_row(c, l->confirmed_ts, row, false, false, l->confirmed_by);
        c->flagged++;
    }
}

static enum cust_status on_disclosure(const struct cust_disclosure_row *x, void *arg)
{
    struct ctx *c = arg;
    int64_t at;
    if (!x->at || !cust_time_parse(x->at, &at, NULL) || at < c->from_ts || at >= c->to_ts)
        return CUST_OK;
    const struct rp_req *q = rp_find(c->set, x->request_id);
    const struct rp_decision *d = decision_of(q, x->decision_id);
    /* who gave it: the fulfilment's actor is the decision's (stored by the same call) */
    const char *actor = d ? d->decided_by : NULL;
    if (!wanted(c, x->request_id, x->person_id, x->booking_number, actor))
        return CUST_OK;
    json_t *items = json_loads(x->items, 0, NULL);
    json_t *withheld = json_loads(x->withheld, 0, NULL);
    json_t *rules = json_object(), *cites = json_array();
    bool permitted_only = false;
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        json_t *e = d && d->json ? json_object_get(json_object_get(d->json, "disclose"),
                                                   json_string_value(it))
                                 : NULL;
        const char *rule = json_string_value(json_object_get(e, "rule"));
        const char *verdict = json_string_value(json_object_get(e, "verdict"));
        if (verdict && strcmp(verdict, "permitted") == 0)
            permitted_only = true;
        if (rule)
            json_object_set_new(rules, json_string_value(it), json_string(rule));
        size_t k;
        json_t *ct;
        json_array_foreach(json_object_get(e, "cite"), k, ct)
        {
            bool have = false;
            size_t z;
            json_t *y;
            json_array_foreach(cites, z, y) have |= json_equal(y, ct);
            if (!have)
                json_array_append(cites, ct);
        }
    }
    json_t *row = json_pack(
        "{s:s,s:s,s:s?,s:s,s:s?,s:I,s:s?,s:o,s:o,s:s,s:s,s:I,s:s?,s:s?,s:o,s:o,s:s?}", "type",
        "disclosure", "request_id", x->request_id, "request_kind", q ? q->kind : NULL, "agency",
        x->recipient, "office", x->office, "person_id", (json_int_t)x->person_id, "booking_number",
        x->booking_number, "what", items ? items : json_array(), "withheld",
        withheld ? withheld : json_array(), "outcome", "given", "verdict",
        permitted_only ? "permitted" : "required", "decision_id", (json_int_t)x->decision_id,
        "policy", d ? d->policy_id : NULL, "policy_version", d ? d->policy_version : NULL, "rule",
        rules, "cite", cites, "actor", actor);
    add_row(c, at, row, true, permitted_only, actor);
    return CUST_OK;
}

static int row_cmp(const void *a, const void *b)
{
    const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    int64_t tx = 0, ty = 0;
    cust_time_parse(json_string_value(json_object_get(x, "at")), &tx, NULL);
    cust_time_parse(json_string_value(json_object_get(y, "at")), &ty, NULL);
    if (tx != ty)
        return tx < ty ? -1 : 1;
    int r = strcmp(json_string_value(json_object_get(x, "request_id")),
                   json_string_value(json_object_get(y, "request_id")));
    if (r)
        return r;
    json_int_t px = json_integer_value(json_object_get(x, "person_id")),
               py = json_integer_value(json_object_get(y, "person_id"));
    return px < py ? -1 : px > py;
}

enum cust_status cust_report_oversight(struct cust_store *s, const struct cust_report_opts *o,
                                       json_t **out, struct cust_err *err)
{
    *out = NULL;
    if (o->to < o->from)
        return cust_err_set(err, CUST_EINVAL, "the period ends before it begins");
    struct ctx c = {o, NULL, 0, 0, json_array(), 0, 0, 0, json_object()};
    rp_period(o->from, o->to, &c.from_ts, &c.to_ts);
    struct rp_set set;
    enum cust_status st = rp_collect(s, CUST_NO_TIME, c.to_ts, true, &set, err);
    if (st != CUST_OK) {
        json_decref(c.rows);
        json_decref(c.by_actor);
        return st;
    }
    c.set = &set;
    for (size_t i = 0; i < set.n; i++) {
        actions(&c, &set.v[i]);
        confirmations(&c, &set.v[i]);
    }
    st = cust_store_disclosures(s, o->request_id, on_disclosure, &c, err);
    json_t *r = NULL;
    if (st == CUST_OK) {
        size_t n = json_array_size(c.rows);
        json_t **v = cust_xcalloc(n ? n : 1, sizeof(*v));
        for (size_t i = 0; i < n; i++)
            v[i] = json_incref(json_array_get(c.rows, i));
        qsort(v, n, sizeof(*v), row_cmp);
        json_array_clear(c.rows);
        for (size_t i = 0; i < n; i++)
            json_array_append_new(c.rows, v[i]);
        free(v);
        r = rp_header("oversight", o->from, o->to);
        json_object_set_new(r, "filters",
                            json_pack("{s:s?,s:I,s:s?,s:s?}", "request_id", o->request_id,
                                      "person_id", (json_int_t)o->person_id, "booking_number",
                                      o->booking_number, "actor", o->actor));
        json_object_set_new(r, "disclosures", json_integer(c.disclosures));
        json_object_set_new(r, "overrides", json_integer(c.overrides));
        json_object_set_new(r, "flagged_confirmations", json_integer(c.flagged));
        json_object_set_new(r, "by_actor", c.by_actor);
        json_object_set_new(r, "rows", c.rows);
    } else {
        json_decref(c.rows);
        json_decref(c.by_actor);
    }
    rp_set_free(&set);
    *out = r;
    return st;
}
