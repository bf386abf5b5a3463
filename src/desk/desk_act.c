/*
 * desk_act.c - actions and transfers: what was done about a decided request, refused when the
 * decision prohibits it or a prerequisite is open, a transfer recorded on its legal basis
 * (policies/desk/transfer-bases.csv) for the state report (desk.h, docs/internals/desk.md).
 */
#include "custodian/compat.h"
#include "custodian/date.h"
#include "custodian/ledger.h"
#include "custodian/records.h"
#include "desk_internal.h"

#include <stdarg.h>

struct latest_decision {
    int64_t person_id;
    int64_t id;
    json_t *decision;
    const struct desk_transfer_basis *basis; /* a transfer's (transfer-bases.csv) */
};

static enum cust_status on_latest(const struct cust_decision_row *x, void *arg)
{
    struct latest_decision *l = arg;
    if (x->person_id != l->person_id)
        return CUST_OK;
    json_decref(l->decision);
    l->decision = json_loads(x->decision, 0, NULL);
    l->id = x->id;
    return CUST_OK;
}

struct duty_state {
    int64_t person_id;
    const char *duty;
    bool done;
};

static enum cust_status on_duty_state(const struct cust_duty_row *x, void *arg)
{
    struct duty_state *c = arg;
    if (x->person_id == c->person_id && strcmp(x->duty, c->duty) == 0)
        c->done = c->done || strcmp(x->status, "done") == 0;
    return CUST_OK;
}

static bool decision_has_duty(const json_t *decision, const char *duty)
{
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(decision, "duties"), i, x)
    {
        const char *name = json_string_value(json_object_get(x, "duty"));
        if (name && strcmp(name, duty) == 0)
            return true;
    }
    return false;
}

/* An action's prerequisites (action-prerequisites.csv): each duty the decision makes one must
 * be done before the action. NULL when none is open, else the first (and its citation). */
static enum cust_status open_prerequisite(struct cust_desk *d, const char *id, const char *action,
                                          int64_t person_id, const json_t *decision,
                                          const struct desk_prerequisite **open,
                                          struct cust_err *err)
{
    *open = NULL;
    const struct desk_law *law = &d->env->law;
    for (size_t k = 0; k < law->nprereqs && !*open; k++) {
        const struct desk_prerequisite *p = &law->prereqs[k];
        if (strcmp(p->action, action) != 0 || !decision_has_duty(decision, p->duty))
            continue;
        struct duty_state ds = {person_id, p->duty, false};
        struct cust_duty_filter f = {.request_id = id, .open_only = false};
        enum cust_status st = cust_store_duties(d->store, &f, on_duty_state, &ds, err);
        if (st != CUST_OK)
            return st;
        if (!ds.done)
            *open = p;
    }
    return CUST_OK;
}

static bool ask_bit(const char *name, unsigned *bit)
{
    for (int i = 0; i < CUST_ASK_COUNT; i++)
        if (strcmp(name, cust_request_ask_name(1u << i)) == 0) {
            *bit = 1u << i;
            return true;
        }
    return false;
}

/* Refuse with a ledger record of the refusal. */
static enum cust_status refuse(struct cust_desk *d, const char *id, const struct cust_desk_act *a,
                               int64_t person_id, const char *verdict, struct cust_err *err,
                               const char *why)
{
    desk_log_refusal(d, id, "request.act", why,
                     json_pack("{s:s,s:I,s:s?,s:s,s:b}", "action", a->action, "person_id",
                               (json_int_t)person_id, "verdict", verdict, "by", a->by, "decline",
                               a->decline));
    return cust_err_set(err, CUST_EDENIED, "request '%s': %s", id, why);
}

/* One act: the request, its persons acted on and their latest decisions. */
struct act_run {
    struct cust_desk *d;
    const char *id;
    const struct cust_desk_act *a;
    unsigned bit;
    struct desk_req q;
    struct link_list ll;
    struct latest_decision *ld; /* per person in ll */
    int64_t at_ts;              /* when the action was (or is) taken */
    const char *warrant;        /* a transfer's warrant number: --warrant, else the request's */
    char at_utc[32], now[32];
    struct cust_err *err;
};

static enum cust_status refuse_f(struct act_run *r, int64_t pid, const char *verdict,
                                 const char *fmt, ...) CUST_PRINTF(4, 5);

/* Refuse with a ledger record of the refusal (refuse) and a formatted reason. */
static enum cust_status refuse_f(struct act_run *r, int64_t pid, const char *verdict,
                                 const char *fmt, ...)
{
    char why[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    return refuse(r->d, r->id, r->a, pid, verdict, r->err, why);
}

/* The persons acted on: the confirmed ones (or the one named). */
static enum cust_status act_persons(struct act_run *r)
{
    const struct cust_desk_act *a = r->a;
    enum cust_status st = cust_store_links(r->d->store, r->id, desk_on_confirmed, &r->ll, r->err);
    if (st != CUST_OK)
        return st;
    size_t n = 0;
    r->ld = cust_xcalloc(r->ll.n ? r->ll.n : 1, sizeof(*r->ld));
    for (size_t i = 0; i < r->ll.n; i++) {
        if (a->person_id == 0 || r->ll.v[i].person_id == a->person_id) {
            r->ll.v[n] = r->ll.v[i];
            r->ld[n].person_id = r->ll.v[n].person_id;
            n++;
        } else {
            free(r->ll.v[i].booking_number);
            free(r->ll.v[i].review_reason);
        }
    }
    r->ll.n = n;
    if (n == 0 && a->person_id)
        return refuse_f(r, a->person_id, NULL, "person is not a confirmed match of this request");
    if (n == 0)
        return cust_err_set(r->err, CUST_ECONFLICT, "request '%s' has no confirmed person", r->id);
    return CUST_OK;
}

/* What a transfer of person i needs: its basis (transfer-bases.csv) and what that requires. */
static enum cust_status check_transfer(struct act_run *r, size_t i)
{
    const struct cust_desk_act *a = r->a;
    const char *pol =
        json_string_value(json_object_get(json_object_get(r->ld[i].decision, "policy"), "id"));
    const char *kind = cust_request_kind_name(r->q.r.kind);
    const struct desk_transfer_basis *b = desk_transfer_basis(&r->d->env->law, pol, kind);
    r->ld[i].basis = b;
    bool need_warrant = b && b->requires && strcmp(b->requires, "warrant_number") == 0;
    bool need_offense = b && b->requires && strcmp(b->requires, "offense") == 0;
    if (!b)
        return cust_err_set(r->err, CUST_EINVAL,
                            "no transfer basis for policy '%s' and a %s "
                            "(policies/desk/transfer-bases.csv)",
                            pol ? pol : "?", kind);
    /* every missing option at once */
    bool no_agency = !a->agency || !*a->agency;
    /* the warrant's number: as given, else the request's own (requests.md warrant_number) */
    if (need_warrant && (!a->warrant_number || !*a->warrant_number))
        r->warrant = r->q.r.warrant_number;
    else
        r->warrant = a->warrant_number;
    bool no_warrant = need_warrant && (!r->warrant || !*r->warrant);
    bool no_offense = need_offense && (!a->offense || !*a->offense);
    if (!no_agency && !no_warrant && !no_offense)
        return CUST_OK;
    return cust_err_set(r->err, CUST_EINVAL, "a %s transfer on a %s needs %s%s%s%s%s (%s)",
                        b->basis, kind, no_agency ? "--agency AG" : "",
                        no_agency && (no_warrant || no_offense) ? " and " : "",
                        no_warrant ? "--warrant NUMBER" : "", no_offense ? "--offense CODE" : "",
                        no_offense ? " (the offense that allowed it)" : "", b->cite);
}

/* Whether a person is in custody at `at`: one of their bookings booked at or before it and not
 * released before it (its booking number in `bn`, the last release before it in `left`). The
 * release instant itself still counts: a transfer is a release into another agency's custody,
 * recorded at the moment of the handover (the demo's transfers to the Marshals are). */
struct custody_at {
    int64_t at;
    bool in;
    char bn[64], left[40];
};

static enum cust_status on_custody(const struct cust_record *rec, int64_t person_id, void *arg)
{
    (void)person_id;
    struct custody_at *c = arg;
    int64_t booked = 0, released = 0;
    const struct cust_booking *b = &rec->b;
    if (!b->booked_at || !cust_time_parse(b->booked_at, &booked, NULL) || booked > c->at)
        return CUST_OK;
    if (b->released_at && cust_time_parse(b->released_at, &released, NULL) && released < c->at) {
        snprintf(c->left, sizeof(c->left), "%s", b->released_at);
        return CUST_OK;
    }
    c->in = true;
    snprintf(c->bn, sizeof(c->bn), "%s", b->booking_number);
    return CUST_OK;
}

/* A hold or a transfer acts on a body: refused unless the person is in custody then. */
static enum cust_status check_custody(struct act_run *r, size_t i)
{
    int64_t pid = r->ll.v[i].person_id;
    struct custody_at c = {.at = r->at_ts};
    enum cust_status st = cust_records_of_person(r->d->store, pid, on_custody, &c, r->err);
    if (st == CUST_ENOTFOUND)
        st = CUST_OK;
    if (st != CUST_OK || c.in)
        return st;
    char at[32];
    cust_time_format(r->at_ts, 0, true, at);
    return refuse_f(r, pid, NULL,
                    "refused: %s needs the person in custody, and person #%lld is not in custody "
                    "at %s%s%s%s",
                    r->a->action, (long long)pid, at, c.left[0] ? " (released " : "",
                    c.left[0] ? c.left : "", c.left[0] ? ")" : "");
}

/* May the action be taken (or declined) for person i? Refusals are recorded. */
static enum cust_status check_person(struct act_run *r, size_t i)
{
    const struct cust_desk_act *a = r->a;
    int64_t pid = r->ll.v[i].person_id;
    if (r->ll.v[i].review)
        return refuse_f(r, pid, NULL,
                        "person #%lld is held for a supervisor's review (%s): a supervisor "
                        "releases it with 'request review'",
                        (long long)pid,
                        r->ll.v[i].review_reason ? r->ll.v[i].review_reason : "citizenship");
    enum cust_status st = cust_store_decisions(r->d->store, r->id, on_latest, &r->ld[i], r->err);
    if (st != CUST_OK)
        return st;
    if (!r->ld[i].decision)
        return cust_err_set(r->err, CUST_ECONFLICT, "person #%lld has no decision: decide first",
                            (long long)pid);
    /* trust nothing not verified: the decision row must be the one its entry committed */
    struct cust_err ce = CUST_ERR_INIT;
    if (cust_ledger_check_row_id(r->d->store, "decisions", r->ld[i].id, NULL, &ce) != CUST_OK) {
        char why[512];
        snprintf(why, sizeof(why),
                 "decision #%lld does not match the ledger (%.300s): nothing was done",
                 (long long)r->ld[i].id, ce.msg);
        refuse(r->d, r->id, r->a, pid, NULL, r->err, why);
        return cust_err_set(r->err, CUST_EINTEGRITY, "request '%s': %s", r->id, why);
    }
    const char *v = desk_verdict_of(r->ld[i].decision, "actions", a->action);
    if (!v)
        return refuse_f(r, pid, NULL, "the decision has no verdict for '%s'", a->action);
    if (!a->decline && strcmp(v, "prohibited") == 0) {
        char *why = cust_desk_verdict_text(
            json_object_get(json_object_get(r->ld[i].decision, "actions"), a->action));
        st = refuse_f(r, pid, v, "refused: %s is %s (person #%lld, booking %s)", a->action, why,
                      (long long)pid, r->ll.v[i].booking_number ? r->ll.v[i].booking_number : "-");
        free(why);
        return st;
    }
    if (a->decline && strcmp(v, "prohibited") != 0 && (!a->reason || !*a->reason))
        return cust_err_set(r->err, CUST_EINVAL,
                            "declining a %s '%s' needs --reason (who declined and why is "
                            "recorded)",
                            v, a->action);
    if (a->decline)
        return CUST_OK;
    if (r->bit == CUST_ASK_HOLD || r->bit == CUST_ASK_TRANSFER) {
        st = check_custody(r, i);
        if (st != CUST_OK)
            return st;
    }
    const struct desk_prerequisite *p = NULL;
    st = open_prerequisite(r->d, r->id, a->action, pid, r->ld[i].decision, &p, r->err);
    if (st == CUST_OK && p)
        st = refuse_f(r, pid, v, "the duty %s (%s) is not done", p->duty, p->cite);
    if (st == CUST_OK && r->bit == CUST_ASK_TRANSFER)
        st = check_transfer(r, i);
    return st;
}

/* Record the hand-over of person i on its basis, with its ledger entry and the duties a
 * transfer done triggers; *tid gets the transfer's id. */
static enum cust_status record_transfer(struct act_run *r, size_t i, int64_t *tid)
{
    const struct cust_desk_act *a = r->a;
    const struct desk_transfer_basis *b = r->ld[i].basis;
    bool by_offense = b->requires && strcmp(b->requires, "offense") == 0;
    json_t *basis = json_object_get(
        json_object_get(json_object_get(r->ld[i].decision, "actions"), "transfer"), "basis");
    const char *criterion = json_string_value(json_array_get(basis, 0));
    struct cust_transfer_row t = {
        0,         r->id,    r->ll.v[i].person_id, r->ll.v[i].booking_number,     r->at_utc,
        a->agency, b->basis, r->warrant,           by_offense ? criterion : NULL, a->offense,
        a->by,     r->now};
    enum cust_status st = cust_store_transfer_put(r->d->store, &t, tid, r->err);
    if (st == CUST_OK)
        st = desk_log(r->d, "transfer", "request", r->id, "ok", "",
                      json_pack("{s:I,s:I,s:s?,s:s,s:s,s:s,s:s,s:s?,s:s?,s:s?}", "transfer_id",
                                (json_int_t)*tid, "person_id", (json_int_t)t.person_id,
                                "booking_number", t.booking_number, "at", t.at, "agency", t.agency,
                                "basis", t.basis, "basis_cite", b->cite, "warrant_number",
                                t.warrant_number, "criterion", t.criterion, "offense", t.offense),
                      r->err);
    if (st == CUST_OK)
        st = desk_duties_from_decision(r->d, &r->q, t.person_id, t.booking_number,
                                       r->ld[i].decision, "transfer_done", NULL, NULL, r->err);
    return st;
}

/* Record what was done (or declined) for person i; *entry gets its summary. */
static enum cust_status record_person(struct act_run *r, size_t i, json_t **entry)
{
    const struct cust_desk_act *a = r->a;
    const char *v = desk_verdict_of(r->ld[i].decision, "actions", a->action);
    int64_t pid = r->ll.v[i].person_id;
    struct cust_action_row row = {
        0,     r->id,  pid,       a->action,  v, a->decline ? "declined" : "done",
        a->by, r->now, a->reason, r->ld[i].id};
    int64_t aid = 0;
    enum cust_status st = cust_store_action_put(r->d->store, &row, &aid, r->err);
    if (st == CUST_OK)
        st =
            desk_log(r->d, "request.act", "request", r->id, row.outcome, a->reason ? a->reason : "",
                     json_pack("{s:I,s:s,s:I,s:s?,s:s,s:s,s:s,s:I}", "action_id", (json_int_t)aid,
                               "action", a->action, "person_id", (json_int_t)pid, "booking_number",
                               r->ll.v[i].booking_number, "verdict", v, "outcome", row.outcome,
                               "by", a->by, "decision_id", (json_int_t)r->ld[i].id),
                     r->err);
    *entry = json_pack("{s:I,s:I,s:s,s:s,s:s}", "action_id", (json_int_t)aid, "person_id",
                       (json_int_t)pid, "action", a->action, "verdict", v, "outcome", row.outcome);
    if (st == CUST_OK && !a->decline && r->bit == CUST_ASK_NOTIFY) {
        char today[11];
        cust_date_format(cust_today(), today);
        char *why = desk_rule_cite(
            json_object_get(json_object_get(r->ld[i].decision, "actions"), a->action));
        struct cust_record rec;
        const char *release = NULL;
        bool have =
            r->ll.v[i].booking_number &&
            cust_record_current(r->d->store, r->ll.v[i].booking_number, &rec, NULL) == CUST_OK;
        if (have)
            release = rec.b.scheduled_release;
        json_t *extra = json_pack("{s:s,s:[{s:s,s:s?,s:s}]}", "disclosed_date", today, "given",
                                  "item", "release_date", "value", release, "why", why);
        if (have)
            cust_record_release(&rec);
        free(why);
        int made = 0;
        st = desk_duties_from_decision(r->d, &r->q, pid, r->ll.v[i].booking_number,
                                       r->ld[i].decision, "notify_given", extra, &made, r->err);
        json_decref(extra);
        json_object_set_new(*entry, "duties_created", json_integer(made));
    }
    if (st == CUST_OK && !a->decline && r->bit == CUST_ASK_TRANSFER) {
        int64_t tid = 0;
        st = record_transfer(r, i, &tid);
        json_object_set_new(*entry, "transfer_id", json_integer(tid));
    }
    return st;
}

enum cust_status cust_desk_act(struct cust_desk *d, const char *id, const struct cust_desk_act *a,
                               json_t **out, struct cust_err *err)
{
    if (out)
        *out = NULL;
    if (!a->by || !*a->by)
        return cust_err_set(err, CUST_EINVAL, "--by USER is required");
    struct act_run r = {.d = d, .id = id, .a = a, .err = err};
    if (!a->action || !ask_bit(a->action, &r.bit))
        return cust_err_set(err, CUST_EINVAL, "unknown action '%s'", a->action ? a->action : "");
    enum cust_status st = desk_req_load(d, id, &r.q, err);
    if (st != CUST_OK)
        return st;
    if (cust_desk_status_is_final(r.q.status) ||
        (strcmp(r.q.status, "decided") != 0 && strcmp(r.q.status, "acted") != 0))
        st = cust_err_set(err, CUST_ECONFLICT, "request '%s' is %s: decide it first", id,
                          r.q.status);
    else if (!(r.q.r.asks & r.bit))
        st = refuse_f(&r, 0, NULL, "the request does not ask '%s'", a->action);
    r.at_ts = cust_now();
    if (st == CUST_OK && a->at && !cust_time_parse(a->at, &r.at_ts, NULL))
        st = cust_err_set(err, CUST_EINVAL, "--at: '%s' is not an RFC 3339 date-time", a->at);
    if (st == CUST_OK)
        st = act_persons(&r);
    for (size_t i = 0; st == CUST_OK && i < r.ll.n; i++)
        st = check_person(&r, i);
    cust_time_format(r.at_ts, 0, true, r.at_utc);
    desk_now(r.now);
    json_t *arr = json_array();
    if (st == CUST_OK)
        st = cust_store_begin(d->store, err);
    if (st == CUST_OK) {
        for (size_t i = 0; st == CUST_OK && i < r.ll.n; i++) {
            json_t *entry = NULL;
            st = record_person(&r, i, &entry);
            json_array_append_new(arr, entry);
        }
        if (st == CUST_OK)
            st = desk_transition(d, &r.q, "acted", a->decline ? "declined" : "action taken", err);
        if (st == CUST_OK)
            st = cust_store_commit(d->store, err);
        else
            cust_store_rollback(d->store);
    }
    for (size_t i = 0; r.ld && i < r.ll.n; i++)
        json_decref(r.ld[i].decision);
    free(r.ld);
    desk_link_list_free(&r.ll);
    desk_req_release(&r.q);
    if (st != CUST_OK || !out)
        json_decref(arr);
    else
        *out = arr;
    return st;
}

/* ---- transfers ---------------------------------------------------------------------------- */

static enum cust_status on_transfer(const struct cust_transfer_row *t, void *arg)
{
    json_array_append_new(
        arg, json_pack("{s:I,s:s?,s:I,s:s?,s:s,s:s,s:s,s:s?,s:s?,s:s?,s:s,s:s}", "id",
                       (json_int_t)t->id, "request_id", t->request_id, "person_id",
                       (json_int_t)t->person_id, "booking_number", t->booking_number, "at", t->at,
                       "agency", t->agency, "basis", t->basis, "warrant_number", t->warrant_number,
                       "criterion", t->criterion, "offense", t->offense, "recorded_by",
                       t->recorded_by, "recorded_at", t->recorded_at));
    return CUST_OK;
}

enum cust_status cust_desk_transfers(struct cust_desk *d, json_t **out, struct cust_err *err)
{
    json_t *arr = json_array();
    enum cust_status st = cust_store_transfers(d->store, on_transfer, arr, err);
    if (st != CUST_OK) {
        json_decref(arr);
        arr = NULL;
    }
    *out = arr;
    return st;
}
