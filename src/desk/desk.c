/*
 * desk.c - the request desk: intake, listing, lifecycle and matching (desk.h,
 * docs/internals/desk.md).
 */
#include "custodian/compat.h"
#include "custodian/date.h"
#include "custodian/ledger.h"
#include "custodian/match.h"
#include "custodian/records.h"
#include "desk_internal.h"

#include <math.h>

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

/* ---- loading a request ----------------------------------------------------------------- */

static char *dup_or_null(const char *s)
{
    return s ? cust_xstrdup(s) : NULL;
}

static enum cust_status on_req(const struct cust_request_row *r, void *arg)
{
    struct desk_req *q = arg;
    snprintf(q->id, sizeof(q->id), "%s", r->id);
    q->status = dup_or_null(r->status);
    q->owner = dup_or_null(r->owner);
    q->received_at = dup_or_null(r->received_at);
    q->law_rule = dup_or_null(r->law_rule);
    q->created_at = dup_or_null(r->created_at);
    q->updated_at = dup_or_null(r->updated_at);
    q->status_reason = dup_or_null(r->status_reason);
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

/* ---- matching -------------------------------------------------------------------------- */

struct person_set {
    struct cust_match_index *ix;
    /* what the matcher does not keep, by person_id */
    struct pinfo {
        int64_t id;
        char *booking_number;
        bool verified_citizen, claimed_citizen;
    } * info;
    size_t n, cap;
    struct cust_err *err;
};

static enum cust_status on_person(const struct cust_person_row *p, void *arg)
{
    struct person_set *ps = arg;
    struct cust_match_name names[9];
    size_t nn = 0;
    names[nn++] = (struct cust_match_name){p->last_name, p->first_name, p->dob};
    json_t *aliases = p->aliases ? json_loads(p->aliases, 0, NULL) : NULL;
    for (size_t i = 0; i < json_array_size(aliases) && nn < CUST_ARRAY_LEN(names); i++) {
        json_t *a = json_array_get(aliases, i);
        names[nn++] = (struct cust_match_name){json_string_value(json_object_get(a, "last_name")),
                                               json_string_value(json_object_get(a, "first_name")),
                                               json_string_value(json_object_get(a, "dob"))
                                                   ? json_string_value(json_object_get(a, "dob"))
                                                   : p->dob};
    }
    json_t *bns = p->booking_numbers ? json_loads(p->booking_numbers, 0, NULL) : NULL;
    size_t nb = json_array_size(bns);
    const char **bn = cust_xcalloc(nb ? nb : 1, sizeof(*bn));
    for (size_t i = 0; i < nb; i++)
        bn[i] = json_string_value(json_array_get(bns, i));
    struct cust_match_person mp = {p->person_id, names,       nn, p->cii, p->fbi,
                                   p->sid,       p->a_number, bn, nb};
    enum cust_status st = cust_match_index_add(ps->ix, &mp, ps->err);
    free(bn);
    json_decref(bns);
    json_decref(aliases);
    if (st != CUST_OK)
        return CUST_OK; /* a person whose name cannot be standardised is skipped, not fatal */
    if (ps->n == ps->cap) {
        ps->cap = ps->cap ? ps->cap * 2 : 256;
        ps->info = cust_xrealloc(ps->info, ps->cap * sizeof(*ps->info));
    }
    ps->info[ps->n++] = (struct pinfo){p->person_id, dup_or_null(p->booking_number),
                                       p->verified_citizen, p->claimed_citizen};
    return CUST_OK;
}

static void person_set_free(struct person_set *ps)
{
    cust_match_index_free(ps->ix);
    for (size_t i = 0; i < ps->n; i++)
        free(ps->info[i].booking_number);
    free(ps->info);
}

static const struct pinfo *pinfo_find(const struct person_set *ps, int64_t id)
{
    size_t lo = 0, hi = ps->n; /* persons come ordered by id */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (ps->info[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < ps->n && ps->info[lo].id == id ? &ps->info[lo] : NULL;
}

/* The persons index, built on first use and kept in d->cache until cust_desk_release. */
static enum cust_status load_persons(struct cust_desk *d, struct person_set **out,
                                     struct cust_err *err)
{
    struct desk_cache *dc = desk_cache(d);
    if (dc->persons) {
        *out = dc->persons;
        return CUST_OK;
    }
    struct person_set *ps = cust_xcalloc(1, sizeof(*ps));
    ps->ix = cust_match_index_new();
    ps->err = err;
    enum cust_status st = cust_store_persons(d->store, 0, on_person, ps, err);
    if (st == CUST_OK)
        st = cust_match_index_build(ps->ix, err);
    if (st != CUST_OK) {
        person_set_free(ps);
        free(ps);
        *out = NULL;
        return st;
    }
    dc->persons = ps;
    *out = ps;
    return CUST_OK;
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
        person_set_free(dc->persons);
        free(dc->persons);
    }
    json_decref(dc->templates);
    cust_decision_free(dc->decision);
    free(dc);
    d->cache = NULL;
}

static json_t *reasons_json(const struct cust_match_candidate *c)
{
    json_t *a = json_array();
    for (size_t i = 0; i < c->n_reasons; i++)
        json_array_append_new(a, json_pack("{s:s,s:s,s:f}", "field", c->reasons[i].field, "text",
                                           c->reasons[i].text, "points",
                                           round(c->reasons[i].points * 100) / 100));
    return a;
}

/* The review flag for a person about to be linked. */
static const char *review_reason(const struct pinfo *pi)
{
    if (pi && pi->verified_citizen)
        return "recorded as a verified citizen";
    if (pi && pi->claimed_citizen)
        return "claims citizenship";
    return NULL;
}

struct existing_links {
    json_t *by_person; /* person_id (text) -> state */
};

static enum cust_status on_existing(const struct cust_link_row *l, void *arg)
{
    struct existing_links *e = arg;
    char k[24];
    snprintf(k, sizeof(k), "%lld", (long long)l->person_id);
    json_object_set_new(e->by_person, k, json_string(l->state));
    return CUST_OK;
}

#define MATCH_CAP 10

/* Match the request's subject, store candidates, auto-confirm a single exact strong match.
 * Inside a transaction. *out: candidates array (new reference). */
static enum cust_status match_locked(struct cust_desk *d, struct desk_req *q, json_t **out,
                                     struct cust_err *err)
{
    if (!q->r.has_subject)
        return cust_err_set(err, CUST_EINVAL, "request '%s' names a scope, not a subject", q->id);
    struct person_set *ps = NULL;
    enum cust_status st = load_persons(d, &ps, err);
    struct existing_links ex = {json_object()};
    if (st == CUST_OK)
        st = cust_store_links(d->store, q->id, on_existing, &ex, err);
    struct cust_match_candidate cands[MATCH_CAP];
    size_t n = 0;
    const struct cust_request_subject *sj = &q->r.subject;
    if (st == CUST_OK) {
        struct cust_match_name name = {sj->last_name, sj->first_name, sj->dob};
        const char *bn[1] = {sj->booking_number};
        struct cust_match_person subj = {
            0, &name, 1, sj->cii, sj->fbi, sj->sid, sj->a_number, bn, sj->booking_number ? 1u : 0u};
        st = cust_match_query(ps->ix, &subj, NULL, cands, MATCH_CAP, &n, err);
    }
    size_t strong = 0;
    for (size_t i = 0; i < n; i++)
        if (cands[i].strong && !cands[i].conflict)
            strong++;
    json_t *arr = json_array();
    char now[32];
    desk_now(now);
    for (size_t i = 0; st == CUST_OK && i < n; i++) {
        const struct cust_match_candidate *c = &cands[i];
        const struct pinfo *pi = pinfo_find(ps, c->person_id);
        char k[24];
        snprintf(k, sizeof(k), "%lld", (long long)c->person_id);
        const char *prev = json_string_value(json_object_get(ex.by_person, k));
        bool auto_link = strong == 1 && c->strong && !c->conflict;
        const char *state = prev && strcmp(prev, "candidate") != 0 ? prev
                            : auto_link                            ? "confirmed"
                                                                   : "candidate";
        json_t *reasons = reasons_json(c);
        char *rtext = json_dumps(reasons, JSON_COMPACT);
        const char *rr = review_reason(pi);
        if (!prev || strcmp(prev, "candidate") == 0) {
            struct cust_link_row l = {q->id,
                                      c->person_id,
                                      pi ? pi->booking_number : NULL,
                                      c->score,
                                      c->strong && !c->conflict,
                                      state,
                                      auto_link ? "auto" : NULL,
                                      auto_link ? now : NULL,
                                      rtext,
                                      rr != NULL,
                                      rr};
            st = cust_store_link_put(d->store, &l, err);
            if (st == CUST_OK && auto_link)
                st = desk_log(
                    d, "request.link", "request", q->id, "ok", "exact strong-identifier match",
                    json_pack("{s:I,s:s?,s:b,s:s?}", "person_id", (json_int_t)c->person_id,
                              "booking_number", pi ? pi->booking_number : NULL, "review",
                              rr != NULL, "review_reason", rr),
                    err);
        }
        free(rtext);
        json_array_append_new(arr, json_pack("{s:I,s:s?,s:f,s:f,s:b,s:b,s:s,s:b,s:s?,s:o}",
                                             "person_id", (json_int_t)c->person_id,
                                             "booking_number", pi ? pi->booking_number : NULL,
                                             "score", round(c->score * 1e4) / 1e4, "points",
                                             round(c->points * 100) / 100, "strong", c->strong,
                                             "conflict", c->conflict, "state", state, "review",
                                             rr != NULL, "review_reason", rr, "reasons", reasons));
    }
    if (st == CUST_OK && strong == 1 && strcmp(q->status, "received") == 0)
        st = desk_transition(d, q, "matched", "exact strong-identifier match", err);
    json_decref(ex.by_person);
    if (st != CUST_OK) {
        json_decref(arr);
        return st;
    }
    *out = arr;
    return CUST_OK;
}

enum cust_status cust_desk_match(struct cust_desk *d, const char *id, json_t **out,
                                 struct cust_err *err)
{
    *out = NULL;
    struct desk_req q;
    enum cust_status st = desk_req_load(d, id, &q, err);
    if (st == CUST_OK && cust_desk_status_is_final(q.status))
        st = cust_err_set(err, CUST_ECONFLICT, "request '%s' is %s", id, q.status);
    if (st == CUST_OK)
        st = cust_store_begin(d->store, err);
    if (st == CUST_OK) {
        st = match_locked(d, &q, out, err);
        if (st == CUST_OK)
            st = desk_log(d, "request.match", "request", id, "ok", "",
                          json_pack("{s:I}", "candidates", (json_int_t)json_array_size(*out)), err);
        if (st == CUST_OK)
            st = cust_store_commit(d->store, err);
        else
            cust_store_rollback(d->store);
        if (st != CUST_OK) {
            json_decref(*out);
            *out = NULL;
        }
    }
    desk_req_release(&q);
    return st;
}

/* Recompute a request's hold window (policies/desk/hold-windows.csv, counted from the release)
 * from the linked booking's scheduled release date. */
static enum cust_status rewindow(struct cust_desk *d, struct desk_req *q, const char *bn,
                                 struct cust_err *err)
{
    const struct desk_hold_window *w =
        desk_hold_window(&d->env->law, cust_request_kind_name(q->r.kind), true);
    if (!w || q->r.has_due || !bn)
        return CUST_OK;
    struct cust_record rec;
    if (cust_record_current(d->store, bn, &rec, NULL) != CUST_OK)
        return CUST_OK;
    const char *rel = rec.b.scheduled_release;
    int32_t day;
    enum cust_status st = CUST_OK;
    if (rel && cust_date_parse(rel, &day)) {
        int64_t start = (int64_t)day * 86400 - (int64_t)q->r.received_offset * 60;
        int64_t end =
            cust_deadline_add_business_hours(d->env->cal, start, q->r.received_offset, w->hours);
        char now[32];
        desk_now(now);
        st = cust_store_request_update(d->store, q->id, NULL, NULL, end, w->rule, now, err);
    }
    cust_record_release(&rec);
    return st;
}

struct one_link {
    int64_t person_id;
    bool found, review;
    char state[16];
    char *booking_number;
    double score;
    bool strong;
    char *reasons;
    char *review_reason;
};

static enum cust_status on_link_find(const struct cust_link_row *l, void *arg)
{
    struct one_link *o = arg;
    if (l->person_id != o->person_id)
        return CUST_OK;
    o->found = true;
    o->review = l->review;
    snprintf(o->state, sizeof(o->state), "%s", l->state);
    o->booking_number = dup_or_null(l->booking_number);
    o->score = l->score;
    o->strong = l->strong;
    o->reasons = dup_or_null(l->reasons);
    o->review_reason = dup_or_null(l->review_reason);
    return CUST_OK;
}

static void one_link_free(struct one_link *o)
{
    free(o->booking_number);
    free(o->reasons);
    free(o->review_reason);
}

enum cust_status cust_desk_confirm(struct cust_desk *d, const char *id, int64_t person_id,
                                   const char *by, struct cust_err *err)
{
    struct desk_req q;
    enum cust_status st = desk_req_load(d, id, &q, err);
    if (st != CUST_OK)
        return st;
    if (cust_desk_status_is_final(q.status)) {
        st = cust_err_set(err, CUST_ECONFLICT, "request '%s' is %s", id, q.status);
        desk_req_release(&q);
        return st;
    }
    if (!q.r.has_subject) {
        desk_req_release(&q);
        return cust_err_set(err, CUST_EINVAL, "request '%s' names a scope, not a subject", id);
    }
    struct person_set *ps = NULL;
    st = load_persons(d, &ps, err);
    struct one_link o = {.person_id = person_id};
    if (st == CUST_OK)
        st = cust_store_links(d->store, id, on_link_find, &o, err);
    const struct pinfo *pi = ps ? pinfo_find(ps, person_id) : NULL;
    if (st == CUST_OK && !pi)
        st = cust_err_set(err, CUST_ENOTFOUND, "no person #%lld", (long long)person_id);
    /* score the pair even when it was never a candidate: the record shows what was confirmed */
    json_t *reasons = NULL;
    double score = o.score;
    bool strong = o.strong;
    if (st == CUST_OK && !o.found) {
        struct cust_match_candidate cands[MATCH_CAP];
        size_t n = 0;
        const struct cust_request_subject *sj = &q.r.subject;
        struct cust_match_name name = {sj->last_name, sj->first_name, sj->dob};
        const char *bn[1] = {sj->booking_number};
        struct cust_match_person subj = {
            0, &name, 1, sj->cii, sj->fbi, sj->sid, sj->a_number, bn, sj->booking_number ? 1u : 0u};
        if (cust_match_query(ps->ix, &subj, NULL, cands, MATCH_CAP, &n, NULL) == CUST_OK)
            for (size_t i = 0; i < n; i++)
                if (cands[i].person_id == person_id) {
                    reasons = reasons_json(&cands[i]);
                    score = cands[i].score;
                    strong = cands[i].strong && !cands[i].conflict;
                }
    }
    if (st == CUST_OK && o.found && strcmp(o.state, "confirmed") == 0)
        st = cust_err_set(err, CUST_ECONFLICT, "person #%lld is already confirmed for '%s'",
                          (long long)person_id, id);
    if (st == CUST_OK)
        st = cust_store_begin(d->store, err);
    if (st == CUST_OK) {
        char now[32];
        desk_now(now);
        const char *rr = review_reason(pi);
        char *rtext = reasons ? json_dumps(reasons, JSON_COMPACT) : NULL;
        struct cust_link_row l = {
            id, person_id, pi->booking_number,        score,      strong, "confirmed",
            by, now,       rtext ? rtext : o.reasons, rr != NULL, rr};
        st = cust_store_link_put(d->store, &l, err);
        free(rtext);
        if (st == CUST_OK)
            st = desk_log(d, "request.confirm", "request", id, "ok", "",
                          json_pack("{s:I,s:s?,s:s,s:f,s:b,s:s?}", "person_id",
                                    (json_int_t)person_id, "booking_number", pi->booking_number,
                                    "by", by, "score", score, "review", rr != NULL, "review_reason",
                                    rr),
                          err);
        if (st == CUST_OK && strcmp(q.status, "received") == 0)
            st = desk_transition(d, &q, "matched", "match confirmed", err);
        if (st == CUST_OK)
            st = rewindow(d, &q, pi->booking_number, err);
        if (st == CUST_OK)
            st = cust_store_commit(d->store, err);
        else
            cust_store_rollback(d->store);
    }
    json_decref(reasons);
    one_link_free(&o);
    desk_req_release(&q);
    return st;
}

enum cust_status cust_desk_review(struct cust_desk *d, const char *id, int64_t person_id,
                                  const char *by, const char *reason, struct cust_err *err)
{
    if (!reason || !*reason)
        return cust_err_set(err, CUST_EINVAL, "a review needs a reason");
    struct one_link o = {.person_id = person_id};
    enum cust_status st = cust_store_links(d->store, id, on_link_find, &o, err);
    if (st == CUST_OK && !o.found)
        st = cust_err_set(err, CUST_ENOTFOUND, "person #%lld is not linked to '%s'",
                          (long long)person_id, id);
    if (st == CUST_OK && !o.review)
        st = cust_err_set(err, CUST_ECONFLICT, "person #%lld is not flagged for review",
                          (long long)person_id);
    if (st == CUST_OK)
        st = cust_store_begin(d->store, err);
    if (st == CUST_OK) {
        char now[32];
        desk_now(now);
        struct cust_link_row l = {id,   person_id, o.booking_number, o.score, o.strong, o.state,
                                  NULL, NULL,      o.reasons,        false,   NULL};
        if (strcmp(o.state, "confirmed") == 0) {
            l.confirmed_by = by;
            l.confirmed_at = now;
        }
        st = cust_store_link_put(d->store, &l, err);
        if (st == CUST_OK)
            st = desk_log(d, "request.review", "request", id, "ok", reason,
                          json_pack("{s:I,s:s,s:s?}", "person_id", (json_int_t)person_id, "by", by,
                                    "flag", o.review_reason),
                          err);
        if (st == CUST_OK)
            st = cust_store_commit(d->store, err);
        else
            cust_store_rollback(d->store);
    }
    one_link_free(&o);
    return st;
}

/* ---- intake ---------------------------------------------------------------------------- */

/* The request document as stored: as received, document contents replaced by their hash. */
static json_t *stored_doc(const json_t *doc, const struct cust_request *r)
{
    json_t *copy = json_deep_copy(doc);
    json_t *docs = json_object_get(copy, "documents");
    for (size_t i = 0; i < json_array_size(docs) && i < r->ndocuments; i++) {
        json_t *e = json_array_get(docs, i);
        json_object_del(e, "content_base64");
        json_object_set_new(e, "sha256", json_string(r->documents[i].sha256));
    }
    return copy;
}

enum cust_status cust_desk_add(struct cust_desk *d, const json_t *doc, char id[CUST_REQUEST_ID_MAX],
                               struct cust_diag *diag, struct cust_err *err)
{
    id[0] = '\0';
    struct cust_request r;
    if (cust_request_parse(doc, &r, diag) != CUST_OK) {
        cust_request_release(&r);
        return cust_err_set(err, CUST_EINVAL, "invalid request");
    }
    int64_t law_ts = CUST_NO_TIME;
    const char *law_rule = NULL;
    /* the deadline the law sets when the requester gave none (hold-windows.csv) */
    const struct desk_hold_window *w =
        r.has_due ? NULL : desk_hold_window(&d->env->law, cust_request_kind_name(r.kind), false);
    if (w) {
        law_ts = cust_deadline_add_business_hours(d->env->cal, r.received_at, r.received_offset,
                                                  w->hours);
        law_rule = w->rule;
    }
    char received[32], now[32];
    cust_time_format(r.received_at, r.received_offset, false, received);
    desk_now(now);
    json_t *sdoc = stored_doc(doc, &r);
    char *text = json_dumps(sdoc, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(sdoc);
    struct cust_request_row row = {
        .kind = cust_request_kind_name(r.kind),
        .form = r.form,
        .agency = r.agency,
        .office = r.office,
        .status = "received",
        .received_at = received,
        .received_ts = r.received_at,
        .received_offset = r.received_offset,
        .due_ts = r.has_due ? r.due : CUST_NO_TIME,
        .law_ts = law_ts,
        .law_rule = law_rule,
        .owner = d->actor,
        .created_at = now,
        .updated_at = now,
        .doc = text,
    };
    enum cust_status st = cust_store_begin(d->store, err);
    if (st == CUST_OK) {
        st = cust_store_request_insert(d->store, &row, id, err);
        for (size_t i = 0; st == CUST_OK && i < r.ndocuments; i++)
            st = cust_store_document_put(d->store, id, r.documents[i].name, r.documents[i].sha256,
                                         r.documents[i].content, r.documents[i].content_len,
                                         "received", err);
        if (st == CUST_OK) {
            json_t *docs = json_array();
            for (size_t i = 0; i < r.ndocuments; i++)
                json_array_append_new(docs,
                                      json_pack("{s:s,s:s,s:b}", "name", r.documents[i].name,
                                                "sha256", r.documents[i].sha256, "content_kept",
                                                r.documents[i].content != NULL));
            st = desk_log(d, "request.add", "request", id, "ok", "",
                          json_pack("{s:s,s:s,s:s?,s:s,s:o,s:o,s:o}", "kind", row.kind, "agency",
                                    r.agency, "form", r.form, "received_at", received, "due",
                                    desk_time_json(row.due_ts), "deadline", desk_time_json(law_ts),
                                    "documents", docs),
                          err);
        }
        if (st == CUST_OK && r.has_subject) {
            struct desk_req q;
            memset(&q, 0, sizeof(q));
            snprintf(q.id, sizeof(q.id), "%s", id);
            q.status = cust_xstrdup("received");
            q.r = r;
            json_t *cands = NULL;
            st = match_locked(d, &q, &cands, err);
            if (st == CUST_OK) {
                /* a confirmed link at intake: the detainer window from the release date */
                size_t i;
                json_t *c;
                json_array_foreach(cands, i, c)
                {
                    if (st == CUST_OK &&
                        strcmp(json_string_value(json_object_get(c, "state")), "confirmed") == 0)
                        st = rewindow(d, &q,
                                      json_string_value(json_object_get(c, "booking_number")), err);
                }
            }
            json_decref(cands);
            free(q.status);
        }
        if (st == CUST_OK)
            st = cust_store_commit(d->store, err);
        else
            cust_store_rollback(d->store);
    }
    if (st != CUST_OK)
        id[0] = '\0';
    free(text);
    cust_request_release(&r);
    return st;
}

/* ---- show and list --------------------------------------------------------------------- */

static int64_t deadline_of(int64_t due, int64_t law)
{
    if (due == CUST_NO_TIME)
        return law;
    if (law == CUST_NO_TIME)
        return due;
    return due < law ? due : law;
}

static bool is_pending(const char *status)
{
    return strcmp(status, "received") == 0 || strcmp(status, "matched") == 0 ||
           strcmp(status, "decided") == 0;
}

static json_t *request_summary(const struct cust_request_row *r, int64_t now)
{
    int64_t dl = deadline_of(r->due_ts, r->law_ts);
    json_t *doc = json_loads(r->doc, 0, NULL);
    json_t *j = json_pack(
        "{s:s,s:s,s:s?,s:{s:s,s:s?},s:s,s:s?,s:s,s:o,s:o,s:s?,s:o,s:b,s:s?,s:O?,s:O?,s:O?}", "id",
        r->id, "kind", r->kind, "form", r->form, "requester", "agency", r->agency, "office",
        r->office, "status", r->status, "status_reason", r->status_reason, "received_at",
        r->received_at, "due", desk_time_json(r->due_ts), "law_deadline", desk_time_json(r->law_ts),
        "law_rule", r->law_rule, "deadline", desk_time_json(dl), "overdue",
        is_pending(r->status) && dl != CUST_NO_TIME && dl < now, "owner", r->owner, "subject",
        json_object_get(doc, "subject"), "scope", json_object_get(doc, "scope"), "note",
        json_object_get(doc, "note"));
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
    struct list_ctx c = {json_array(), f->now};
    enum cust_status st = cust_store_request_list(d->store, f, on_list, &c, err);
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
    json_array_append_new(arg,
                          json_pack("{s:I,s:s?,s:f,s:b,s:s,s:s?,s:s?,s:b,s:s?,s:o}", "person_id",
                                    (json_int_t)l->person_id, "booking_number", l->booking_number,
                                    "score", l->score, "strong", l->strong, "state", l->state,
                                    "confirmed_by", l->confirmed_by, "confirmed_at",
                                    l->confirmed_at, "review", l->review, "review_reason",
                                    l->review_reason, "reasons", reasons ? reasons : json_array()));
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
    json_array_append_new(
        arg, json_pack("{s:I,s:I,s:s,s:s,s:s,s:s,s:s,s:s?}", "id", (json_int_t)a->id, "person_id",
                       (json_int_t)a->person_id, "action", a->action, "verdict", a->verdict,
                       "outcome", a->outcome, "by", a->by, "at", a->at, "reason", a->reason));
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
    struct cust_duty_filter f = {id, false};
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

/* ---- expiry ---------------------------------------------------------------------------- */

struct sweep_item {
    char id[CUST_REQUEST_ID_MAX];
    char status[16];
    int64_t end;                      /* the stored window's end */
    int offset;                       /* the request's offset (release days are local days) */
    const struct desk_hold_window *w; /* the window, counted from the release */
};

struct sweep_ctx {
    const struct desk_law *law;
    int64_t now;
    struct sweep_item *items;
    size_t n, cap;
};

static enum cust_status on_sweep(const struct cust_request_row *r, void *arg)
{
    struct sweep_ctx *c = arg;
    /* every open request with a hold window counted from the release, whatever its stored end:
     * the window is counted again from the current record (a release earlier or later than
     * scheduled moves it) */
    const struct desk_hold_window *w = desk_hold_window_by_rule(c->law, r->law_rule);
    if (!w || !w->from_release || strcmp(r->kind, w->request_kind) != 0 || !is_pending(r->status) ||
        r->received_ts > c->now)
        return CUST_OK; /* (a sweep as of a past time leaves later requests alone) */
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 8;
        c->items = cust_xrealloc(c->items, c->cap * sizeof(*c->items));
    }
    struct sweep_item *it = &c->items[c->n++];
    snprintf(it->id, sizeof(it->id), "%s", r->id);
    snprintf(it->status, sizeof(it->status), "%s", r->status);
    it->end = r->law_ts;
    it->offset = r->received_offset;
    it->w = w;
    return CUST_OK;
}

struct sweep_links {
    char **bn;
    size_t n;
};

static enum cust_status on_sweep_link(const struct cust_link_row *l, void *arg)
{
    struct sweep_links *c = arg;
    if (strcmp(l->state, "confirmed") != 0 || !l->booking_number)
        return CUST_OK;
    c->bn = cust_xrealloc(c->bn, (c->n + 1) * sizeof(*c->bn));
    c->bn[c->n++] = cust_xstrdup(l->booking_number);
    return CUST_OK;
}

/* The end of one booking's hold window `w` from its current record: its business hours from the
 * actual release (`released_at`); CUST_NO_TIME when the person is not released. */
static int64_t booking_window_end(struct cust_desk *d, const struct desk_hold_window *w,
                                  const char *bn, int offset)
{
    struct cust_record rec;
    if (cust_record_current(d->store, bn, &rec, NULL) != CUST_OK)
        return CUST_NO_TIME;
    /* Only a release that happened starts the hold window: a person still in custody past a
     * stated release date (a postponed or stale date) is still the subject of the detainer. */
    const char *released = rec.b.released_at;
    int64_t start = CUST_NO_TIME, t;
    if (released && cust_time_parse(released, &t, NULL))
        start = t;
    cust_record_release(&rec);
    return start == CUST_NO_TIME
               ? CUST_NO_TIME
               : cust_deadline_add_business_hours(d->env->cal, start, offset, w->hours);
}

/* The request's hold window end now: the latest over its confirmed persons (every one's window
 * must have passed); CUST_NO_TIME when a person's release is not known. */
static enum cust_status window_end(struct cust_desk *d, const struct sweep_item *it, int64_t *end,
                                   struct cust_err *err)
{
    struct sweep_links c = {0};
    enum cust_status st = cust_store_links(d->store, it->id, on_sweep_link, &c, err);
    *end = c.n ? INT64_MIN + 1 : CUST_NO_TIME;
    for (size_t i = 0; i < c.n; i++) {
        int64_t e = st == CUST_OK && *end != CUST_NO_TIME
                        ? booking_window_end(d, it->w, c.bn[i], it->offset)
                        : CUST_NO_TIME;
        if (e == CUST_NO_TIME)
            *end = CUST_NO_TIME;
        else if (*end != CUST_NO_TIME && e > *end)
            *end = e;
        free(c.bn[i]);
    }
    free(c.bn);
    return st;
}

enum cust_status cust_desk_sweep(struct cust_desk *d, int64_t now, json_t **out,
                                 struct cust_err *err)
{
    *out = NULL;
    /* the system acts, whoever ran the command */
    struct cust_desk sys = *d;
    sys.actor = "system";
    sys.role = "system";
    struct sweep_ctx c = {.law = &d->env->law, .now = now};
    struct cust_request_filter f = {true, CUST_NO_TIME, now, NULL};
    json_t *arr = json_array();
    char nowtxt[32], updated[32];
    cust_time_format(now, 0, true, nowtxt);
    desk_now(updated);
    /* listed inside the (immediate) transaction: nothing acts on a request between the look and
     * the change */
    enum cust_status st = cust_store_begin(d->store, err);
    if (st != CUST_OK) {
        json_decref(arr);
        return st;
    }
    st = cust_store_request_list(d->store, &f, on_sweep, &c, err);
    for (size_t i = 0; st == CUST_OK && i < c.n; i++) {
        const struct sweep_item *it = &c.items[i];
        int64_t e;
        if ((st = window_end(d, it, &e, err)) != CUST_OK)
            break;
        if (e == CUST_NO_TIME)
            continue; /* a release no longer known: no window to pass */
        if (e >= now) {
            /* still open; keep the stored deadline true to the record */
            if (e != it->end)
                st = cust_store_request_update(d->store, it->id, NULL, NULL, e, it->w->rule,
                                               updated, err);
            continue;
        }
        char end[32], reason[400];
        cust_time_format(e, 0, true, end);
        snprintf(reason, sizeof(reason),
                 "%s: hold window (%s, %d hours after release excluding weekends and "
                 "holidays) ended %s without action",
                 it->w->rule, it->w->cite, it->w->hours, end);
        st = cust_store_request_update(d->store, it->id, "expired", reason, CUST_NO_TIME, NULL,
                                       updated, err);
        if (st == CUST_OK)
            st = desk_log(&sys, "request.status", "request", it->id, "ok", reason,
                          json_pack("{s:s,s:s,s:s,s:s,s:s}", "from", it->status, "to", "expired",
                                    "rule", it->w->rule, "deadline", end, "as_of", nowtxt),
                          err);
        if (st == CUST_OK)
            json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:s}", "id", it->id, "from",
                                                 it->status, "deadline", end, "rule", it->w->rule));
    }
    free(c.items);
    if (st == CUST_OK)
        st = cust_store_commit(d->store, err);
    else
        cust_store_rollback(d->store);
    if (st != CUST_OK) {
        json_decref(arr);
        return st;
    }
    *out = arr;
    return CUST_OK;
}
