/*
 * desk_intake.c - taking in a request and matching its subject to the persons in the store:
 * candidates with scores and reasons, an exact strong match linked at once, confirmation and
 * the citizenship review; the hold window counted again from a confirmed person's release
 * (desk.h, docs/internals/desk.md).
 */
#include "custodian/compat.h"
#include "custodian/date.h"
#include "custodian/ledger.h"
#include "custodian/match.h"
#include "custodian/records.h"
#include "desk_internal.h"

#include <math.h>

/* ---- matching -------------------------------------------------------------------------- */

struct person_set {
    struct cust_match_index *ix;
    /* what the matcher does not keep, by person_id */
    struct pinfo {
        int64_t id;
        char *booking_number, *name, *dob;
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
    char name[256];
    snprintf(name, sizeof(name), "%s%s%s", p->first_name ? p->first_name : "",
             p->first_name && p->last_name ? " " : "", p->last_name ? p->last_name : "");
    ps->info[ps->n++] = (struct pinfo){p->person_id,        desk_dup_or_null(p->booking_number),
                                       cust_xstrdup(name),  desk_dup_or_null(p->dob),
                                       p->verified_citizen, p->claimed_citizen};
    return CUST_OK;
}

void desk_person_set_free(struct person_set *ps)
{
    cust_match_index_free(ps->ix);
    for (size_t i = 0; i < ps->n; i++) {
        free(ps->info[i].booking_number);
        free(ps->info[i].name);
        free(ps->info[i].dob);
    }
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
        desk_person_set_free(ps);
        free(ps);
        *out = NULL;
        return st;
    }
    dc->persons = ps;
    *out = ps;
    return CUST_OK;
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
        /* only candidates worth a look: above the floor, or with a strong identifier */
        struct cust_match_options opt = {
            d->match_all ? 0.0 : CUST_MATCH_PRIOR_POINTS - log2(1.0 / CUST_DESK_MATCH_FLOOR - 1.0)};
        st = cust_match_query(ps->ix, &subj, &opt, cands, MATCH_CAP, &n, err);
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
        json_array_append_new(
            arr,
            json_pack("{s:I,s:s?,s:s?,s:s?,s:f,s:f,s:b,s:b,s:s,s:b,s:s?,s:o}", "person_id",
                      (json_int_t)c->person_id, "booking_number", pi ? pi->booking_number : NULL,
                      "name", pi ? pi->name : NULL, "dob", pi ? pi->dob : NULL, "score",
                      round(c->score * 1e4) / 1e4, "points", round(c->points * 100) / 100, "strong",
                      c->strong, "conflict", c->conflict, "state", state, "review", rr != NULL,
                      "review_reason", rr, "reasons", reasons));
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
        int64_t end =
            cust_deadline_add_business_hours(d->env->cal, cust_time_zone_day_start(day), w->hours);
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
    char *confirmed_by, *confirmed_at;
};

static enum cust_status on_link_find(const struct cust_link_row *l, void *arg)
{
    struct one_link *o = arg;
    if (l->person_id != o->person_id)
        return CUST_OK;
    o->found = true;
    o->review = l->review;
    snprintf(o->state, sizeof(o->state), "%s", l->state);
    o->booking_number = desk_dup_or_null(l->booking_number);
    o->score = l->score;
    o->strong = l->strong;
    o->reasons = desk_dup_or_null(l->reasons);
    o->review_reason = desk_dup_or_null(l->review_reason);
    o->confirmed_by = desk_dup_or_null(l->confirmed_by);
    o->confirmed_at = desk_dup_or_null(l->confirmed_at);
    return CUST_OK;
}

static void one_link_free(struct one_link *o)
{
    free(o->booking_number);
    free(o->reasons);
    free(o->review_reason);
    free(o->confirmed_by);
    free(o->confirmed_at);
}

enum cust_status desk_link_hold(struct cust_desk *d, const char *id, int64_t person_id,
                                const char *reason, struct cust_err *err)
{
    struct one_link o = {.person_id = person_id};
    enum cust_status st = cust_store_links(d->store, id, on_link_find, &o, err);
    if (st == CUST_OK && !o.found)
        st = cust_err_set(err, CUST_ENOTFOUND, "person #%lld is not linked to '%s'",
                          (long long)person_id, id);
    if (st == CUST_OK) {
        struct cust_link_row l = {id,      person_id,      o.booking_number, o.score,   o.strong,
                                  o.state, o.confirmed_by, o.confirmed_at,   o.reasons, true,
                                  reason};
        st = cust_store_link_put(d->store, &l, err);
    }
    if (st == CUST_OK)
        st = desk_log(d, "request.hold_for_review", "request", id, "ok", reason,
                      json_pack("{s:I}", "person_id", (json_int_t)person_id), err);
    one_link_free(&o);
    return st;
}

/* The reasons of a link confirmed outside the candidates: the confirmer's reason alone. */
static json_t *outside_reasons(const char *reason)
{
    return json_pack("[{s:s,s:s,s:f}]", "field", CUST_LINK_OUTSIDE_CANDIDATES, "text", reason,
                     "points", 0.0);
}

enum cust_status cust_desk_confirm(struct cust_desk *d, const char *id, int64_t person_id,
                                   const char *by, const char *reason, struct cust_err *err)
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
    /* never a candidate, stored or found again now: the confirmer says why (issue 12) */
    bool outside = st == CUST_OK && !o.found && !reasons;
    if (outside && (!reason || !*reason))
        st = cust_err_set(err, CUST_EINVAL,
                          "person #%lld is not among the match candidates for '%s': confirming "
                          "needs a reason",
                          (long long)person_id, id);
    if (outside && st == CUST_OK)
        reasons = outside_reasons(reason);
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
        if (st == CUST_OK) /* before the entry, which commits the request row it changes */
            st = rewindow(d, &q, pi->booking_number, err);
        if (st == CUST_OK)
            st = desk_log(d, "request.confirm", "request", id, "ok", reason ? reason : "",
                          json_pack("{s:I,s:s?,s:s,s:f,s:b,s:s?,s:b}", "person_id",
                                    (json_int_t)person_id, "booking_number", pi->booking_number,
                                    "by", by, "score", score, "review", rr != NULL, "review_reason",
                                    rr, "outside_candidates", outside),
                          err);
        if (st == CUST_OK && strcmp(q.status, "received") == 0)
            st = desk_transition(d, &q, "matched", "match confirmed", err);
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
        law_ts = cust_deadline_add_business_hours(d->env->cal, r.received_at, w->hours);
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
        /* last, so the entry commits every row the intake wrote (links, the window too) */
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
