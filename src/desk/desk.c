/*
 * desk.c - the request desk: the lifecycle, loading a request, show and list, and the helpers
 * the desk's files share (desk.h, docs/internals/desk.md). Intake and matching are in
 * desk_intake.c, expiry in desk_expiry.c, cases in desk_case.c, duties and notices in
 * desk_duties.c, decisions in desk_decide.c, actions and transfers in desk_act.c.
 */
#include "custodian/compat.h"
#include "custodian/date.h"
#include "custodian/ledger.h"
#include "custodian/records.h"
#include "desk_internal.h"

/* ---- small helpers --------------------------------------------------------------------- */

void desk_now(char out[32])
{
    cust_time_format(cust_now(), 0, true, out);
}

json_t *desk_str(const char *s)
{
    return s ? json_string(s) : json_null();
}

json_t *desk_time_json(int64_t t)
{
    if (t == CUST_NO_TIME)
        return json_null();
    char buf[32];
    cust_time_format(t, 0, true, buf);
    return json_string(buf);
}

char *cust_desk_verdict_text(const json_t *entry)
{
    char *cite = desk_cite_join(json_object_get(entry, "cite"));
    const char *v = json_string_value(json_object_get(entry, "verdict"));
    const char *rule = json_string_value(json_object_get(entry, "rule"));
    struct cust_buf b;
    cust_buf_init(&b, 0);
    (void)cust_buf_appendf(&b, "%s by %s, %s", v ? v : "no verdict", rule ? rule : "no rule",
                           cite ? cite : "no citation");
    free(cite);
    char *out = cust_buf_status(&b) == CUST_OK && b.buf ? cust_xstrdup(b.buf) : cust_xstrdup("?");
    cust_buf_release(&b);
    return out;
}

char *desk_rule_cite(const json_t *entry)
{
    char *cite = desk_cite_join(json_object_get(entry, "cite"));
    const char *rule = json_string_value(json_object_get(entry, "rule"));
    struct cust_buf b;
    cust_buf_init(&b, 0);
    (void)cust_buf_appendf(&b, "%s, %s", rule ? rule : "no rule", cite ? cite : "no citation");
    free(cite);
    char *out = cust_buf_status(&b) == CUST_OK && b.buf ? cust_xstrdup(b.buf) : cust_xstrdup("?");
    cust_buf_release(&b);
    return out;
}

char *desk_cite_join(const json_t *cites)
{
    struct cust_buf b;
    cust_buf_init(&b, 0);
    size_t i;
    json_t *c;
    json_array_foreach(cites, i, c)
    {
        const char *s = json_string_value(c);
        if (!s || !*s)
            continue;
        if (b.len)
            cust_buf_puts(&b, "; ");
        cust_buf_puts(&b, s);
    }
    char *out = cust_buf_status(&b) == CUST_OK && b.len ? cust_xstrdup(b.buf) : NULL;
    cust_buf_release(&b);
    return out;
}

json_t *desk_flag_names(unsigned flags, bool items)
{
    json_t *a = json_array();
    int n = items ? CUST_ITEM_COUNT : CUST_ASK_COUNT;
    for (int i = 0; i < n; i++)
        if (flags & (1u << i))
            json_array_append_new(a, json_string(items ? cust_request_item_name(1u << i)
                                                       : cust_request_ask_name(1u << i)));
    return a;
}

static const char *role_of(const struct cust_desk *d)
{
    return d->role ? d->role : "clerk";
}

enum cust_status desk_log(struct cust_desk *d, const char *action, const char *object_type,
                          const char *object_id, const char *outcome, const char *purpose,
                          json_t *detail, struct cust_err *err)
{
    char *text = detail ? json_dumps(detail, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(detail);
    struct cust_ledger_entry e = {
        d->actor ? d->actor : "cli", role_of(d), action, object_type, object_id, outcome,
        purpose ? purpose : "",      text};
    enum cust_status st = cust_ledger_append(d->store, &e, err);
    free(text);
    return st;
}

void desk_log_refusal(struct cust_desk *d, const char *id, const char *action, const char *why,
                      json_t *detail)
{
    /* best effort: the refusal is what the caller reports; its record must not mask it */
    struct cust_err e2 = CUST_ERR_INIT;
    if (cust_store_begin(d->store, &e2) != CUST_OK) {
        json_decref(detail);
        return;
    }
    if (desk_log(d, action, "request", id, "refused", why, detail, &e2) != CUST_OK ||
        cust_store_commit(d->store, &e2) != CUST_OK)
        cust_store_rollback(d->store);
}

bool cust_desk_status_is_final(const char *s)
{
    return strcmp(s, "closed") == 0 || strcmp(s, "withdrawn") == 0 || strcmp(s, "lifted") == 0 ||
           strcmp(s, "expired") == 0;
}

/* The lifecycle: which status may follow which. */
static bool transition_ok(const char *from, const char *to)
{
    static const struct {
        const char *from, *to;
    } allowed[] = {
        {"received", "matched"},  {"received", "decided"}, {"matched", "matched"},
        {"matched", "decided"},   {"decided", "decided"},  {"decided", "acted"},
        {"decided", "fulfilled"}, {"acted", "acted"},      {"fulfilled", "fulfilled"},
        {"acted", "closed"},      {"fulfilled", "closed"}, {"decided", "closed"},
    };
    if (cust_desk_status_is_final(from))
        return false;
    if (strcmp(to, "withdrawn") == 0 || strcmp(to, "lifted") == 0 || strcmp(to, "expired") == 0)
        return true;
    if (strcmp(to, "closed") == 0 &&
        (strcmp(from, "received") == 0 || strcmp(from, "matched") == 0))
        return true; /* closed without action, with a reason */
    for (size_t i = 0; i < CUST_ARRAY_LEN(allowed); i++)
        if (strcmp(allowed[i].from, from) == 0 && strcmp(allowed[i].to, to) == 0)
            return true;
    return false;
}

enum cust_status desk_transition(struct cust_desk *d, struct desk_req *q, const char *to,
                                 const char *reason, struct cust_err *err)
{
    if (!transition_ok(q->status, to))
        return cust_err_set(err, CUST_ECONFLICT, "request '%s' is %s: cannot become %s", q->id,
                            q->status, to);
    if (strcmp(q->status, to) == 0)
        return CUST_OK;
    char now[32];
    desk_now(now);
    enum cust_status st =
        cust_store_request_update(d->store, q->id, to, reason, CUST_NO_TIME, NULL, now, err);
    if (st == CUST_OK)
        st = desk_log(d, "request.status", "request", q->id, "ok", reason,
                      json_pack("{s:s,s:s}", "from", q->status, "to", to), err);
    if (st == CUST_OK) {
        free(q->status);
        q->status = cust_xstrdup(to);
    }
    return st;
}

/* ---- decisions' helpers ------------------------------------------------------------------ */

enum cust_status desk_on_confirmed(const struct cust_link_row *l, void *arg)
{
    struct link_list *ll = arg;
    if (strcmp(l->state, "confirmed") != 0)
        return CUST_OK;
    if (ll->n == ll->cap) {
        ll->cap = ll->cap ? ll->cap * 2 : 4;
        ll->v = cust_xrealloc(ll->v, ll->cap * sizeof(*ll->v));
    }
    ll->v[ll->n++] = (struct linked){l->person_id, desk_dup_or_null(l->booking_number), l->review,
                                     desk_dup_or_null(l->review_reason)};
    return CUST_OK;
}

void desk_link_list_free(struct link_list *ll)
{
    for (size_t i = 0; i < ll->n; i++) {
        free(ll->v[i].booking_number);
        free(ll->v[i].review_reason);
    }
    free(ll->v);
}

const char *desk_verdict_of(const json_t *decision, const char *section, const char *target)
{
    return json_string_value(
        json_object_get(json_object_get(json_object_get(decision, section), target), "verdict"));
}

/* ---- loading a request ----------------------------------------------------------------- */

char *desk_dup_or_null(const char *s)
{
    return s ? cust_xstrdup(s) : NULL;
}

static enum cust_status on_req(const struct cust_request_row *r, void *arg)
{
    struct desk_req *q = arg;
    snprintf(q->id, sizeof(q->id), "%s", r->id);
    q->status = desk_dup_or_null(r->status);
    q->owner = desk_dup_or_null(r->owner);
    q->received_at = desk_dup_or_null(r->received_at);
    q->law_rule = desk_dup_or_null(r->law_rule);
    q->created_at = desk_dup_or_null(r->created_at);
    q->updated_at = desk_dup_or_null(r->updated_at);
    q->status_reason = desk_dup_or_null(r->status_reason);
    q->due_ts = r->due_ts;
    q->law_ts = r->law_ts;
    q->doc = json_loads(r->doc, 0, NULL);
    return CUST_OK;
}

enum cust_status desk_req_load(struct cust_desk *d, const char *id, struct desk_req *q,
                               struct cust_err *err)
{
    memset(q, 0, sizeof(*q));
    enum cust_status st = cust_store_request_get(d->store, id, on_req, q, err);
    if (st != CUST_OK)
        return st;
    struct cust_diag diag = CUST_DIAG_INIT;
    if (!q->doc || cust_request_parse(q->doc, &q->r, &diag) != CUST_OK) {
        cust_diag_release(&diag);
        return cust_err_set(err, CUST_EINTEGRITY, "request '%s': stored document is invalid", id);
    }
    cust_diag_release(&diag);
    return CUST_OK;
}

void desk_req_release(struct desk_req *q)
{
    free(q->status);
    free(q->owner);
    free(q->received_at);
    free(q->law_rule);
    free(q->created_at);
    free(q->updated_at);
    free(q->status_reason);
    json_decref(q->doc);
    cust_request_release(&q->r);
    memset(q, 0, sizeof(*q));
}

struct desk_cache *desk_cache(struct cust_desk *d)
{
    if (!d->cache)
        d->cache = cust_xcalloc(1, sizeof(struct desk_cache));
    return d->cache;
}

void cust_desk_release(struct cust_desk *d)
{
    struct desk_cache *dc = d->cache;
    if (!dc)
        return;
    if (dc->persons) {
        desk_person_set_free(dc->persons);
        free(dc->persons);
    }
    json_decref(dc->templates);
    cust_decision_free(dc->decision);
    free(dc);
    d->cache = NULL;
}

/* ---- show and list --------------------------------------------------------------------- */

int64_t cust_request_deadline(const struct cust_request_row *r)
{
    if (r->due_ts == CUST_NO_TIME)
        return r->law_ts;
    if (r->law_ts == CUST_NO_TIME)
        return r->due_ts;
    return r->due_ts < r->law_ts ? r->due_ts : r->law_ts;
}

bool cust_request_overdue(const struct cust_request_row *r, int64_t now)
{
    int64_t dl = cust_request_deadline(r);
    return desk_is_pending(r->status) && dl != CUST_NO_TIME && dl < now;
}

bool desk_is_pending(const char *status)
{
    return strcmp(status, "received") == 0 || strcmp(status, "matched") == 0 ||
           strcmp(status, "decided") == 0;
}

static json_t *request_summary(const struct cust_request_row *r, int64_t now)
{
    int64_t dl = cust_request_deadline(r);
    json_t *doc = json_loads(r->doc, 0, NULL);
    json_t *j = json_pack(
        "{s:s,s:s,s:s?,s:{s:s,s:s?},s:s,s:s?,s:s,s:o,s:o,s:s?,s:o,s:b,s:s?,s:O?,s:O?,s:O?}", "id",
        r->id, "kind", r->kind, "form", r->form, "requester", "agency", r->agency, "office",
        r->office, "status", r->status, "status_reason", r->status_reason, "received_at",
        r->received_at, "due", desk_time_json(r->due_ts), "law_deadline", desk_time_json(r->law_ts),
        "law_rule", r->law_rule, "deadline", desk_time_json(dl), "overdue",
        cust_request_overdue(r, now), "owner", r->owner, "subject", json_object_get(doc, "subject"),
        "scope", json_object_get(doc, "scope"), "note", json_object_get(doc, "note"));
    json_t *aw = json_object_get(doc, "accompanying_warrant");
    if (json_is_string(aw))
        json_object_set(j, "accompanying_warrant", aw);
    json_t *wn = json_object_get(doc, "warrant_number");
    if (json_is_string(wn))
        json_object_set(j, "warrant_number", wn);
    json_object_set(j, "request", doc);
    json_decref(doc);
    return j;
}

struct list_ctx {
    json_t *arr;
    int64_t now;
};

static enum cust_status on_list(const struct cust_request_row *r, void *arg)
{
    struct list_ctx *c = arg;
    json_t *j = request_summary(r, c->now);
    json_object_del(j, "request");
    json_array_append_new(c->arr, j);
    return CUST_OK;
}

enum cust_status cust_desk_list(struct cust_desk *d, const struct cust_request_filter *f,
                                json_t **out, struct cust_err *err)
{
    enum cust_status st = cust_request_kind_check(f->kind, "kind", err);
    if (st != CUST_OK) {
        *out = NULL;
        return st;
    }
    struct list_ctx c = {json_array(), f->now};
    st = cust_store_request_list(d->store, f, on_list, &c, err);
    if (st != CUST_OK) {
        json_decref(c.arr);
        *out = NULL;
        return st;
    }
    *out = c.arr;
    return CUST_OK;
}

static enum cust_status on_show(const struct cust_request_row *r, void *arg)
{
    json_t **j = arg;
    *j = request_summary(r, cust_now());
    return CUST_OK;
}

static enum cust_status on_show_link(const struct cust_link_row *l, void *arg)
{
    json_t *reasons = l->reasons ? json_loads(l->reasons, 0, NULL) : NULL;
    /* confirmed outside the candidates: its one reason is the confirmer's */
    json_t *first = json_array_get(reasons, 0);
    const char *field = json_string_value(json_object_get(first, "field"));
    bool outside = field && strcmp(field, CUST_LINK_OUTSIDE_CANDIDATES) == 0;
    json_t *o = json_pack(
        "{s:I,s:s?,s:f,s:b,s:s,s:s?,s:s?,s:b,s:s?,s:b,s:s?}", "person_id", (json_int_t)l->person_id,
        "booking_number", l->booking_number, "score", l->score, "strong", l->strong, "state",
        l->state, "confirmed_by", l->confirmed_by, "confirmed_at", l->confirmed_at, "review",
        l->review, "review_reason", l->review_reason, "outside_candidates", outside,
        "confirm_reason", outside ? json_string_value(json_object_get(first, "text")) : NULL);
    json_object_set_new(o, "reasons", reasons ? reasons : json_array());
    json_array_append_new(arg, o);
    return CUST_OK;
}

static enum cust_status on_show_decision(const struct cust_decision_row *x, void *arg)
{
    json_t *dec = json_loads(x->decision, 0, NULL);
    json_array_append_new(
        arg, json_pack("{s:I,s:I,s:s?,s:{s:s,s:s,s:s},s:s,s:s,s:o}", "id", (json_int_t)x->id,
                       "person_id", (json_int_t)x->person_id, "booking_number", x->booking_number,
                       "policy", "id", x->policy_id, "version", x->policy_version, "sha256",
                       x->policy_sha256, "decided_at", x->decided_at, "decided_by", x->decided_by,
                       "decision", dec ? dec : json_null()));
    return CUST_OK;
}

static enum cust_status on_show_action(const struct cust_action_row *a, void *arg)
{
    json_array_append_new(arg, json_pack("{s:I,s:I,s:s,s:s,s:s,s:s,s:s,s:s?,s:I}", "id",
                                         (json_int_t)a->id, "person_id", (json_int_t)a->person_id,
                                         "action", a->action, "verdict", a->verdict, "outcome",
                                         a->outcome, "by", a->by, "at", a->at, "reason", a->reason,
                                         "decision_id", (json_int_t)a->decision_id));
    return CUST_OK;
}

static enum cust_status on_show_document(const struct cust_document_row *x, void *arg)
{
    json_array_append_new(arg, json_pack("{s:s,s:s,s:s,s:o}", "name", x->name, "sha256", x->sha256,
                                         "role", x->role, "size",
                                         x->size >= 0 ? json_integer(x->size) : json_null()));
    return CUST_OK;
}

enum cust_status cust_desk_show(struct cust_desk *d, const char *id, json_t **out,
                                struct cust_err *err)
{
    *out = NULL;
    json_t *j = NULL;
    enum cust_status st = cust_store_request_get(d->store, id, on_show, &j, err);
    json_t *links = json_array(), *decs = json_array(), *acts = json_array(), *duties = NULL;
    json_t *docs = json_array();
    if (st == CUST_OK)
        st = cust_store_documents(d->store, id, on_show_document, docs, err);
    if (st == CUST_OK)
        st = cust_store_links(d->store, id, on_show_link, links, err);
    if (st == CUST_OK)
        st = cust_store_decisions(d->store, id, on_show_decision, decs, err);
    if (st == CUST_OK)
        st = cust_store_actions(d->store, id, on_show_action, acts, err);
    struct cust_duty_filter f = {.request_id = id, .open_only = false};
    if (st == CUST_OK)
        st = cust_desk_duties(d, &f, &duties, err);
    if (st != CUST_OK) {
        json_decref(j);
        json_decref(links);
        json_decref(decs);
        json_decref(acts);
        json_decref(docs);
        return st;
    }
    /* a fulfilled data request: the summary kept with its answer */
    size_t i;
    json_t *doc, *x, *summary = NULL;
    json_array_foreach(docs, i, doc)
    {
        const char *role = json_string_value(json_object_get(doc, "role"));
        if (role && strcmp(role, "summary") == 0 && !summary)
            st = cust_desk_summary(d, id, &summary, err);
    }
    /* an action's booking: its decision's */
    json_array_foreach(acts, i, x)
    {
        size_t k;
        json_t *dec;
        json_array_foreach(decs, k, dec)
        {
            if (json_equal(json_object_get(dec, "id"), json_object_get(x, "decision_id")))
                json_object_set(x, "booking_number", json_object_get(dec, "booking_number"));
        }
    }
    /* who each link, decision and action is about, by name beside the booking and person id */
    json_t *groups[] = {links, decs, acts};
    for (size_t g = 0; g < CUST_ARRAY_LEN(groups) && st == CUST_OK; g++)
        json_array_foreach(groups[g], i, x)
        {
            /* a candidate with its date of birth */
            if (st == CUST_OK)
                st = desk_name_row(d->store, json_integer_value(json_object_get(x, "person_id")),
                                   g == 0, x, err);
        }
    if (st != CUST_OK) {
        json_decref(j);
        json_decref(links);
        json_decref(decs);
        json_decref(acts);
        json_decref(docs);
        json_decref(duties);
        json_decref(summary);
        return st;
    }
    if (summary)
        json_object_set_new(j, "summary", summary);
    json_object_set_new(j, "documents", docs);
    json_object_set_new(j, "links", links);
    json_object_set_new(j, "decisions", decs);
    json_object_set_new(j, "actions", acts);
    json_object_set_new(j, "duties", duties);
    *out = j;
    return CUST_OK;
}

enum cust_status cust_desk_set_status(struct cust_desk *d, const char *id, const char *status,
                                      const char *reason, struct cust_err *err)
{
    static const char *const manual[] = {"withdrawn", "lifted", "expired", "closed"};
    bool ok = false;
    for (size_t i = 0; i < CUST_ARRAY_LEN(manual); i++)
        ok |= strcmp(status, manual[i]) == 0;
    if (!ok)
        return cust_err_set(err, CUST_EINVAL, "status '%s' is not set by hand", status);
    if (!reason || !*reason)
        return cust_err_set(err, CUST_EINVAL, "a reason is required");
    struct desk_req q;
    enum cust_status st = desk_req_load(d, id, &q, err);
    if (st != CUST_OK)
        return st;
    st = cust_store_begin(d->store, err);
    if (st == CUST_OK) {
        st = desk_transition(d, &q, status, reason, err);
        if (st == CUST_OK)
            st = cust_store_commit(d->store, err);
        else
            cust_store_rollback(d->store);
    }
    desk_req_release(&q);
    return st;
}
