/*
 * history.c - the demo county's history worked through the desk (demo.h,
 * docs/internals/demo.md).
 *
 * A discrete-event simulation: every generated request starts with its intake at its receipt
 * time; each step, when done, schedules the next ones (the supervisor's decision a working hour
 * or two later, the notification before the release, the transfer at it, the duties the next
 * working day, ...). Steps run in time order with the process clock set to each step's moment,
 * and a daily sweep expires the detainers whose hold window passed. Every choice a person makes
 * in the story (who works a request, how long it takes, whether a person consents to an
 * interview) comes from a PRNG keyed by the seed and the request, so the same county gives the
 * same history.
 */
#include "custodian/compat.h"
#include "custodian/date.h"
#include "custodian/demo.h"
#include "custodian/store_requests.h"
#include "custodian/desk.h"
#include "custodian/policy.h"
#include "custodian/reports.h"
#include "custodian/request.h"

#include <inttypes.h>

/* ---- the staff of the story (fictional) ------------------------------------------------- */

static const char *const clerks[] = {"dep.alvarez", "dep.nguyen", "dep.okafor", "dep.haddad"};
static const char *const supervisors[] = {"sgt.lopez", "sgt.brennan"};
static const char *const counsel = "counsel.reyes";

/* ---- PRNG (splitmix64) ----------------------------------------------------------------- */

static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static uint64_t draw(uint64_t *s)
{
    *s += 0x9e3779b97f4a7c15ULL;
    return mix(*s);
}

static int64_t range(uint64_t *s, int64_t lo, int64_t hi)
{
    return lo + (int64_t)(draw(s) % (uint64_t)(hi - lo + 1));
}

static bool chance(uint64_t *s, unsigned per_mille)
{
    return draw(s) % 1000 < per_mille;
}

/* ---- time of the story ------------------------------------------------------------------- */

#define MIN  60
#define HOUR 3600
#define DAY  86400

/* The instant of local time (day, second of day) in the county's zone. */
static int64_t local_instant(int32_t day, int32_t sod)
{
    return cust_time_zone_local(day, sod);
}

static int32_t local_sod(int64_t t)
{
    return (int32_t)(t + (int64_t)cust_time_zone_offset(t) * MIN -
                     (int64_t)cust_time_zone_day(t) * DAY);
}

static bool office_open(const struct cust_calendar *cal, int64_t t)
{
    int32_t sod = local_sod(t);
    return cust_calendar_is_business_day(cal, cust_time_zone_day(t)) && sod >= 8 * HOUR &&
           sod < 17 * HOUR;
}

/* `t` if the desk's office is open then, else the next opening (08:00 of a business day). */
static int64_t next_open(const struct cust_calendar *cal, int64_t t)
{
    if (office_open(cal, t))
        return t;
    int32_t day = cust_time_zone_day(t);
    if (local_sod(t) >= 8 * HOUR || !cust_calendar_is_business_day(cal, day)) {
        day++;
        while (!cust_calendar_is_business_day(cal, day))
            day++;
    }
    return local_instant(day, 8 * HOUR);
}

/* About `minutes` of working time after `t`. */
static int64_t work_after(const struct cust_calendar *cal, int64_t t, int64_t minutes)
{
    return next_open(cal, next_open(cal, t) + minutes * MIN);
}

/* ---- events ------------------------------------------------------------------------------ */

enum ev_kind {
    EV_SWEEP,
    EV_INTAKE,
    EV_WORK,
    EV_NOTIFY,
    EV_TRANSFER,
    EV_CONSENT,
    EV_INTERVIEW,
    EV_DUTIES,
    EV_LIFT,
    EV_WITHDRAW,
    EV_FULFIL,
    EV_COUNSEL,
    EV_CLOSE,
    EV_FINISH,
    EV_ENFORCE
};

struct ev {
    int64_t t;
    uint64_t seq;
    int kind;
    uint32_t req;
};

struct heap {
    struct ev *v;
    size_t n, cap;
    uint64_t seq;
};

static bool ev_less(const struct ev *a, const struct ev *b)
{
    return a->t != b->t ? a->t < b->t : a->seq < b->seq;
}

static void heap_push(struct heap *h, int64_t t, int kind, uint32_t req)
{
    if (h->n == h->cap) {
        h->cap = h->cap ? 2 * h->cap : 1024;
        h->v = cust_xrealloc(h->v, h->cap * sizeof(*h->v));
    }
    size_t i = h->n++;
    h->v[i] = (struct ev){t, h->seq++, kind, req};
    while (i > 0 && ev_less(&h->v[i], &h->v[(i - 1) / 2])) {
        struct ev x = h->v[i];
        h->v[i] = h->v[(i - 1) / 2];
        h->v[(i - 1) / 2] = x;
        i = (i - 1) / 2;
    }
}

static struct ev heap_pop(struct heap *h)
{
    struct ev top = h->v[0];
    h->v[0] = h->v[--h->n];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < h->n && ev_less(&h->v[l], &h->v[m]))
            m = l;
        if (r < h->n && ev_less(&h->v[r], &h->v[m]))
            m = r;
        if (m == i)
            break;
        struct ev x = h->v[i];
        h->v[i] = h->v[m];
        h->v[m] = x;
        i = m;
    }
    return top;
}

/* ---- the requests ------------------------------------------------------------------------ */

struct rs {
    char id[CUST_REQUEST_ID_MAX];
    enum cust_request_kind kind;
    uint64_t rng;
    const char *clerk, *sup;
    char booking[24];
    int64_t person;    /* internal person id of the subject's booking */
    int64_t release_t; /* the booking's release as recorded, or CUST_NO_TIME */
    char agency[96];
    char warrant[48];
    bool done_something; /* an action done (not only declined) */
};

struct run {
    struct cust_store *s;
    const struct cust_demo_opts *o;
    struct cust_desk d;
    const struct cust_calendar *cal; /* the desk's holidays (business days) */
    struct cust_gen_requests *gen;
    struct rs *rq;
    struct heap h;
    int64_t until, now;
    struct cust_demo_stats *stats;
    struct cust_err *err;
    FILE *devnull;
    uint64_t enf_rng; /* the enforcement log's story */
};

static void as(struct run *r, const char *actor, const char *role)
{
    r->d.actor = actor;
    r->d.role = role;
}

static enum cust_status fail(struct run *r, const struct rs *q, const char *step,
                             enum cust_status st)
{
    char msg[sizeof(r->err->msg)];
    snprintf(msg, sizeof(msg), "%s", r->err->msg);
    return cust_err_set(r->err, st, "demo history: %s %s: %s", q ? q->id : "-", step, msg);
}

static void later(struct run *r, int64_t t, int kind, uint32_t req)
{
    if (t < r->until)
        heap_push(&r->h, t, kind, req);
    else
        r->stats->pending++;
}

/* The subject's booking facts from the store: person, release. */
struct booking_facts {
    int64_t person, release_t;
};

static enum cust_status subject_facts(struct run *r, struct rs *q)
{
    char *js = NULL;
    enum cust_status st = cust_store_booking_json(r->s, q->booking, &js, r->err);
    if (st != CUST_OK)
        return st;
    json_t *j = json_loads(js, 0, NULL);
    free(js);
    q->person = json_integer_value(json_object_get(j, "person_internal_id"));
    const char *rel =
        json_string_value(json_object_get(json_object_get(j, "record"), "released_at"));
    int64_t t;
    q->release_t = rel && cust_time_parse(rel, &t, NULL) ? t : CUST_NO_TIME;
    json_decref(j);
    return CUST_OK;
}

struct status_cb {
    char status[16];
};

static enum cust_status on_status(const struct cust_request_row *x, void *arg)
{
    snprintf(((struct status_cb *)arg)->status, 16, "%s", x->status);
    return CUST_OK;
}

static bool is_open(struct run *r, const struct rs *q)
{
    struct status_cb c = {""};
    if (cust_store_request_get(r->s, q->id, on_status, &c, NULL) != CUST_OK)
        return false;
    return !cust_desk_status_is_final(c.status);
}

struct link_state {
    int64_t person;
    bool confirmed, review, any_confirmed;
    int64_t confirmed_person;
};

static enum cust_status on_link(const struct cust_link_row *l, void *arg)
{
    struct link_state *c = arg;
    if (strcmp(l->state, "confirmed") != 0)
        return CUST_OK;
    if (!c->any_confirmed) {
        c->any_confirmed = true;
        c->confirmed_person = l->person_id;
    }
    if (l->person_id == c->person) {
        c->confirmed = true;
        c->review = l->review;
    }
    return CUST_OK;
}

/* Record an action (done, or declined with the reason) as request q's clerk; `at` (RFC 3339, or
 * NULL for now) is when a transfer's hand-over took place, when it is recorded after it. */
static enum cust_status act_at(struct run *r, struct rs *q, const char *action, bool decline,
                               const char *reason, const char *at)
{
    as(r, q->clerk, "clerk");
    struct cust_desk_act a = {.action = action,
                              .by = q->clerk,
                              .reason = reason,
                              .decline = decline,
                              .agency = q->agency,
                              .at = at,
                              .warrant_number = q->warrant[0] ? q->warrant : NULL};
    json_t *out = NULL;
    enum cust_status st = cust_desk_act(&r->d, q->id, &a, &out, r->err);
    json_decref(out);
    r->stats->steps++;
    if (st != CUST_OK)
        return fail(r, q, action, st);
    q->done_something |= !decline;
    if (decline)
        r->stats->declined++;
    else if (strcmp(action, "notify") == 0)
        r->stats->notifications++;
    else if (strcmp(action, "transfer") == 0)
        r->stats->transfers++;
    else if (strcmp(action, "interview") == 0)
        r->stats->interviews++;
    return CUST_OK;
}

static enum cust_status act(struct run *r, struct rs *q, const char *action, bool decline,
                            const char *reason)
{
    return act_at(r, q, action, decline, reason, NULL);
}

static const char *verdict(const json_t *decisions, const char *action)
{
    const json_t *dec = json_object_get(json_array_get(decisions, 0), "decision");
    return json_string_value(
        json_object_get(json_object_get(json_object_get(dec, "actions"), action), "verdict"));
}

/*
 * A decision resting on facts the record cannot settle (its `needs`: a prior's state-prison
 * sentence, a Prop 47 reduction, an unverified citizenship claim) holds every action on that
 * person for a supervisor's review (the desk's request.hold_for_review). The demo's supervisor
 * checks them against the court files and releases the hold, as the desk expects of a person.
 */
static enum cust_status review_needs(struct run *r, struct rs *q, const json_t *decisions)
{
    size_t i;
    const json_t *d;
    json_array_foreach(decisions, i, d)
    {
        const json_t *needs = json_object_get(json_object_get(d, "decision"), "needs");
        if (json_array_size(needs) == 0)
            continue;
        as(r, q->sup, "supervisor");
        enum cust_status st = cust_desk_review(
            &r->d, q->id, (int64_t)json_integer_value(json_object_get(d, "person_id")), q->sup,
            "the facts the decision needs checked against the court files: the decision stands",
            r->err);
        r->stats->steps++;
        if (st != CUST_OK)
            return fail(r, q, "review", st);
    }
    return CUST_OK;
}

/* When the jail tells ICE of a release: a few hours before it, in working time if it can. */
static int64_t notify_time(struct run *r, const struct rs *q, int64_t after)
{
    int64_t t = q->release_t - range(&((struct rs *)q)->rng, 2, 20) * HOUR;
    if (t < after)
        t = after;
    (void)r;
    return t;
}

static enum cust_status step_intake(struct run *r, uint32_t i)
{
    struct rs *q = &r->rq[i];
    json_t *doc = json_loads(cust_gen_requests_json(r->gen, i), 0, NULL);
    const char *kind = json_string_value(json_object_get(doc, "kind"));
    cust_request_kind_parse(kind, &q->kind);
    snprintf(q->agency, sizeof(q->agency), "%s",
             json_string_value(json_object_get(json_object_get(doc, "requester"), "agency"))
                 ? json_string_value(json_object_get(json_object_get(doc, "requester"), "agency"))
                 : "");
    /* the case number of a judicial warrant, from its note ("..., case 2:25-mj-03412, ...") */
    const char *note = json_string_value(json_object_get(doc, "note"));
    const char *cs = note ? strstr(note, "case ") : NULL;
    if (cs) {
        size_t n = strcspn(cs + 5, ", ");
        snprintf(q->warrant, sizeof(q->warrant), "%.*s", (int)(n < 40 ? n : 40), cs + 5);
    }
    /* a federal judge's warrant is executed by the Marshals, whoever sent it */
    if (q->kind == CUST_REQ_JUDICIAL_WARRANT || q->kind == CUST_REQ_JUDICIAL_PROBABLE_CAUSE)
        snprintf(q->agency, sizeof(q->agency), "%s", "U.S. Marshals Service");
    as(r, q->clerk, "clerk");
    struct cust_diag dg = CUST_DIAG_INIT;
    enum cust_status st = cust_desk_add(&r->d, doc, q->id, &dg, r->err);
    json_decref(doc);
    if (st == CUST_EINVAL && cust_diag_count(&dg))
        cust_err_set(r->err, st, "%s", dg.lines[0]);
    cust_diag_release(&dg);
    r->stats->steps++;
    if (st != CUST_OK)
        return fail(r, q, "intake", st);
    r->stats->requests++;
    const struct cust_gen_request_truth *truth = cust_gen_requests_truth(r->gen, i);
    if (truth->booking_number) {
        snprintf(q->booking, sizeof(q->booking), "%" PRIu64, truth->booking_number);
        if ((st = subject_facts(r, q)) != CUST_OK)
            return fail(r, q, "subject", st);
    }
    const struct cust_calendar *cal = r->cal;
    switch (q->kind) {
    case CUST_REQ_INFORMATION:
        /* the DOJ letter: answered within its 30 days, after a few weeks' review */
        later(r, work_after(cal, r->now + range(&q->rng, 16, 24) * DAY, range(&q->rng, 30, 300)),
              EV_FULFIL, i);
        break;
    case CUST_REQ_ADMIN_SUBPOENA:
        later(r, work_after(cal, r->now, range(&q->rng, 30, 240)), EV_FULFIL, i);
        break;
    default:
        later(r, work_after(cal, r->now, range(&q->rng, 15, 150)), EV_WORK, i);
        if (q->kind == CUST_REQ_DETAINER && chance(&q->rng, 20))
            later(r, work_after(cal, r->now + range(&q->rng, 2, 30) * DAY, 60), EV_LIFT, i);
        if (q->kind == CUST_REQ_NOTIFICATION && chance(&q->rng, 30))
            later(r, work_after(cal, r->now + range(&q->rng, 1, 6) * DAY, 90), EV_WITHDRAW, i);
        break;
    }
    return CUST_OK;
}

static enum cust_status step_work(struct run *r, uint32_t i)
{
    struct rs *q = &r->rq[i];
    if (!is_open(r, q))
        return CUST_OK; /* lifted or withdrawn before it was worked */
    struct link_state ls = {.person = q->person};
    enum cust_status st = cust_store_links(r->s, q->id, on_link, &ls, r->err);
    if (st != CUST_OK)
        return fail(r, q, "links", st);
    /* the supervisor confirms the subject (found by name or booking number when the matcher
     * could not link it alone) and clears a citizenship flag after checking the record */
    as(r, q->sup, "supervisor");
    if (!ls.confirmed && !ls.any_confirmed) {
        st = cust_desk_confirm(&r->d, q->id, q->person, q->sup,
                               "identified from the booking photograph and identifiers", r->err);
        r->stats->steps++;
        if (st != CUST_OK)
            return fail(r, q, "confirm", st);
        ls = (struct link_state){.person = q->person};
        if ((st = cust_store_links(r->s, q->id, on_link, &ls, r->err)) != CUST_OK)
            return fail(r, q, "links", st);
    }
    if (ls.review) {
        st = cust_desk_review(&r->d, q->id, q->person, q->sup,
                              "citizenship checked against the record: the request is decided "
                              "as the law stands for a United States citizen",
                              r->err);
        r->stats->steps++;
        if (st != CUST_OK)
            return fail(r, q, "review", st);
    }
    if (q->kind == CUST_REQ_COURT_ORDER)
        as(r, counsel, "counsel");
    json_t *decisions = NULL;
    st = cust_desk_decide(&r->d, q->id, &decisions, r->err);
    r->stats->steps++;
    if (st != CUST_OK)
        return fail(r, q, "decide", st);
    r->stats->decided++;
    st = review_needs(r, q, decisions);
    if (st != CUST_OK) {
        json_decref(decisions);
        return st;
    }
    const struct cust_calendar *cal = r->cal;
    /* the clerk answers a few minutes after the decision */
    r->now += range(&q->rng, 3, 25) * MIN;
    cust_clock_set(r->now);
    const char *v;
    switch (q->kind) {
    case CUST_REQ_DETAINER:
        if ((v = verdict(decisions, "hold")) && strcmp(v, "prohibited") == 0)
            st = act(r, q, "hold", true,
                     "hold prohibited (Cal. Gov. Code 7284.6(a)(1)(B)); ICE told the detainer is "
                     "declined");
        /* the notification a detainer also asks for, as for a notification request */
        __attribute__((fallthrough));
    case CUST_REQ_NOTIFICATION:
        v = st == CUST_OK ? verdict(decisions, "notify") : NULL;
        if (v && strcmp(v, "prohibited") == 0)
            st = act(r, q, "notify", true,
                     "notification prohibited: no Gov. Code 7282.5 record and the release date "
                     "is not public");
        else if (v && q->release_t != CUST_NO_TIME)
            later(r, notify_time(r, q, r->now + 30 * MIN), EV_NOTIFY, i);
        else if (v)
            r->stats->pending++; /* still in custody: told when a release is set */
        break;
    case CUST_REQ_TRANSFER:
    case CUST_REQ_ADMIN_WARRANT:
        if ((v = verdict(decisions, "arrest")))
            st = act(r, q, "arrest", true,
                     strcmp(v, "prohibited") == 0
                         ? "arrest on an immigration officer's warrant is prohibited"
                         : "county policy: no arrest on an administrative warrant");
        if (st == CUST_OK && (v = verdict(decisions, "transfer")))
            st = act(r, q, "transfer", true,
                     strcmp(v, "prohibited") == 0
                         ? "transfer prohibited: no Gov. Code 7282.5(a) record"
                         : "county policy: transfers to immigration custody only on a federal "
                           "judicial warrant or probable-cause determination");
        break;
    case CUST_REQ_JUDICIAL_WARRANT:
    case CUST_REQ_JUDICIAL_PROBABLE_CAUSE:
        v = verdict(decisions, "transfer");
        if (v && strcmp(v, "prohibited") == 0)
            st = act(r, q, "transfer", true, "transfer prohibited by the decision");
        else if (v && q->release_t != CUST_NO_TIME)
            /* handed to the Marshals when the county's custody ends */
            later(r, q->release_t > r->now + 2 * HOUR ? q->release_t : r->now + 2 * HOUR,
                  EV_TRANSFER, i);
        else if (v)
            r->stats->pending++;
        break;
    case CUST_REQ_INTERVIEW:
        later(r, work_after(cal, r->now + range(&q->rng, 1, 2) * DAY, range(&q->rng, 30, 300)),
              EV_CONSENT, i);
        break;
    case CUST_REQ_COURT_ORDER:
        later(r, work_after(cal, r->now + range(&q->rng, 4, 9) * DAY, 120), EV_CLOSE, i);
        break;
    default:
        break;
    }
    json_decref(decisions);
    if (st != CUST_OK)
        return st;
    later(r, work_after(cal, r->now, range(&q->rng, 60, 420)), EV_DUTIES, i);
    /* once the person has left, the clerk closes what is spent (a detainer declined in full
     * has expired by then) */
    if (q->release_t != CUST_NO_TIME && q->kind != CUST_REQ_COURT_ORDER)
        later(r,
              work_after(
                  cal, (q->release_t > r->now ? q->release_t : r->now) + range(&q->rng, 5, 8) * DAY,
                  range(&q->rng, 30, 400)),
              EV_FINISH, i);
    return CUST_OK;
}

/* The request's open duties, done by the clerk (up to a day's worth; the rest the next day).
 * A referral to counsel and the consent form are done in their own steps. */
static enum cust_status step_duties(struct run *r, uint32_t i)
{
    struct rs *q = &r->rq[i];
    struct cust_duty_filter f = {.request_id = q->id, .open_only = true};
    json_t *duties = NULL;
    enum cust_status st = cust_desk_duties(&r->d, &f, &duties, r->err);
    if (st != CUST_OK)
        return fail(r, q, "duties", st);
    size_t done = 0, k;
    json_t *x;
    bool more = false;
    json_array_foreach(duties, k, x)
    {
        const char *duty = json_string_value(json_object_get(x, "duty"));
        if (!duty || strcmp(duty, "refer_to_counsel") == 0 ||
            strcmp(duty, "consent_form_before_interview") == 0)
            continue;
        if (done == 20) {
            more = true;
            break;
        }
        as(r, q->clerk, "clerk");
        st = cust_desk_duty_done(&r->d, json_integer_value(json_object_get(x, "id")), q->clerk,
                                 r->err);
        r->stats->steps++;
        if (st != CUST_OK)
            break;
        r->stats->duties_done++;
        done++;
        r->now += range(&q->rng, 1, 3) * MIN;
        cust_clock_set(r->now);
    }
    json_decref(duties);
    if (st != CUST_OK)
        return fail(r, q, "duty done", st);
    if (more) /* the rest after the other work of the hour */
        later(r, work_after(r->cal, r->now + HOUR, 0), EV_DUTIES, i);
    return CUST_OK;
}

static enum cust_status step_consent(struct run *r, uint32_t i)
{
    struct rs *q = &r->rq[i];
    if (!is_open(r, q))
        return CUST_OK;
    struct cust_duty_filter f = {.request_id = q->id, .open_only = true};
    json_t *duties = NULL;
    enum cust_status st = cust_desk_duties(&r->d, &f, &duties, r->err);
    size_t k;
    json_t *x;
    json_array_foreach(duties, k, x)
    {
        const char *duty = json_string_value(json_object_get(x, "duty"));
        if (st == CUST_OK && duty && strcmp(duty, "consent_form_before_interview") == 0) {
            as(r, q->clerk, "clerk");
            st = cust_desk_duty_done(&r->d, json_integer_value(json_object_get(x, "id")), q->clerk,
                                     r->err);
            r->stats->steps++;
            r->stats->duties_done += st == CUST_OK;
        }
    }
    json_decref(duties);
    if (st != CUST_OK)
        return fail(r, q, "consent form", st);
    bool released = q->release_t != CUST_NO_TIME && q->release_t <= r->now;
    if (released)
        return act(r, q, "interview", true, "the person was released before the interview");
    /* most people decline an interview once the form tells them they may (7283.1(a)) */
    if (!chance(&q->rng, 250))
        return act(r, q, "interview", true,
                   "the person declined the interview in writing (Gov. Code 7283.1(a))");
    later(r, work_after(r->cal, r->now + range(&q->rng, 1, 3) * DAY, range(&q->rng, 60, 360)),
          EV_INTERVIEW, i);
    return CUST_OK;
}

static enum cust_status step_interview(struct run *r, uint32_t i)
{
    struct rs *q = &r->rq[i];
    if (!is_open(r, q))
        return CUST_OK;
    if (q->release_t != CUST_NO_TIME && q->release_t <= r->now)
        return act(r, q, "interview", true, "the person was released before the interview");
    return act(r, q, "interview", false, NULL);
}

static enum cust_status set_status(struct run *r, struct rs *q, const char *actor, const char *role,
                                   const char *status, const char *reason)
{
    as(r, actor, role);
    enum cust_status st = cust_desk_set_status(&r->d, q->id, status, reason, r->err);
    r->stats->steps++;
    return st == CUST_OK ? CUST_OK : fail(r, q, status, st);
}

static enum cust_status step_fulfil(struct run *r, uint32_t i)
{
    struct rs *q = &r->rq[i];
    as(r, q->sup, "supervisor");
    struct cust_desk_fulfil_stats fs;
    enum cust_status st =
        cust_desk_fulfill(&r->d, q->id, CUST_DESK_JSON, false, r->devnull, &fs, r->err);
    r->stats->steps++;
    if (st != CUST_OK)
        return fail(r, q, "fulfil", st);
    if (fs.referred) {
        later(r, work_after(r->cal, r->now + range(&q->rng, 3, 8) * DAY, 120), EV_COUNSEL, i);
    } else {
        r->stats->fulfilled++;
        r->stats->decided++;
        later(r, work_after(r->cal, r->now, 120), EV_DUTIES, i);
    }
    return CUST_OK;
}

static enum cust_status step_counsel(struct run *r, uint32_t i)
{
    struct rs *q = &r->rq[i];
    struct cust_duty_filter f = {.request_id = q->id, .open_only = true};
    json_t *duties = NULL;
    enum cust_status st = cust_desk_duties(&r->d, &f, &duties, r->err);
    size_t k;
    json_t *x;
    json_array_foreach(duties, k, x)
    {
        const char *duty = json_string_value(json_object_get(x, "duty"));
        if (st == CUST_OK && duty && strcmp(duty, "refer_to_counsel") == 0) {
            as(r, counsel, "counsel");
            st = cust_desk_duty_done(&r->d, json_integer_value(json_object_get(x, "id")), counsel,
                                     r->err);
            r->stats->steps++;
            r->stats->duties_done += st == CUST_OK;
        }
    }
    json_decref(duties);
    if (st != CUST_OK)
        return fail(r, q, "counsel", st);
    return set_status(r, q, counsel, "counsel", "closed",
                      "county counsel: an administrative subpoena is not self-executing "
                      "(8 U.S.C. 1225(d)(4)) and no court has ordered compliance; nothing "
                      "disclosed");
}

/* ---- the enforcement-action log ------------------------------------------------------------ */

/* From 6 June 2025 (the first large federal operations in Los Angeles) the county's staff
 * record the federal immigration enforcement they see or are told of: a few a week that summer,
 * fewer after. Areas, agencies and sources are of the kind a county records; the rare names
 * are fictional. */
static const char *const enf_areas[] = {
    "Westlake",   "Boyle Heights", "Fashion District", "Pico-Union",        "Van Nuys",
    "Wilmington", "Panorama City", "Cypress Park",     "South Los Angeles", "Pacoima"};
static const char *const enf_places[] = {"home improvement store parking lot",
                                         "car wash",
                                         "bus stop",
                                         "swap meet",
                                         "garment factory",
                                         "day-laborer corner",
                                         "courthouse steps",
                                         "residential street"};
static const char *const enf_agencies[] = {"ICE ERO", "ICE ERO", "U.S. Border Patrol (CBP)", "HSI",
                                           "ICE ERO with U.S. Border Patrol"};
static const char *const enf_sources[] = {"deputy on patrol", "community report (hotline)",
                                          "city liaison", "news report",
                                          "family member at the jail lobby"};
static const char *const enf_reasons[] = {"none given", "administrative warrants (said on scene)",
                                          "roving stop, no warrant shown",
                                          "targeted arrest (one named person)"};
static const char *const enf_names[] = {"Rosa Elena Quintanilla", "Marco Antonio Ayala",
                                        "Thi Hoa Tran", "José Luis Chávez"};

static int64_t enf_first(void)
{
    return local_instant(cust_days_from_civil(2025, 6, 6), 10 * HOUR);
}

static enum cust_status step_enforce(struct run *r)
{
    uint64_t *g = &r->enf_rng;
    int64_t occurred = r->now - range(g, 1, 6) * HOUR;
    char when[32];
    cust_time_format(occurred, cust_time_zone_offset(occurred), false, when);
    size_t reason = (size_t)range(g, 0, (int64_t)CUST_ARRAY_LEN(enf_reasons) - 1);
    int64_t detained = reason == 3 ? 1 : range(g, 0, 4) + (chance(g, 250) ? range(g, 3, 14) : 0);
    json_t *doc = json_pack("{s:s,s:s,s:s,s:s,s:I,s:s,s:s}", "occurred_at", when, "area",
                            enf_areas[draw(g) % CUST_ARRAY_LEN(enf_areas)], "place",
                            enf_places[draw(g) % CUST_ARRAY_LEN(enf_places)], "agency",
                            enf_agencies[draw(g) % CUST_ARRAY_LEN(enf_agencies)], "detained",
                            (json_int_t)detained, "reasons", enf_reasons[reason], "source",
                            enf_sources[draw(g) % CUST_ARRAY_LEN(enf_sources)]);
    if (detained > 0 && chance(g, 150)) /* a family member gave a name */
        json_object_set_new(
            doc, "persons",
            json_pack("[{s:s}]", "name", enf_names[draw(g) % CUST_ARRAY_LEN(enf_names)]));
    const char *clerk = clerks[draw(g) % CUST_ARRAY_LEN(clerks)];
    struct cust_diag dg = CUST_DIAG_INIT;
    int64_t id;
    enum cust_status st = cust_enforcement_add(r->s, doc, clerk, "clerk", &id, &dg, r->err);
    if (st == CUST_EINVAL && dg.n)
        cust_err_set(r->err, st, "%s", dg.lines[0]);
    cust_diag_release(&dg);
    json_decref(doc);
    if (st != CUST_OK)
        return fail(r, NULL, "enforcement", st);
    r->stats->steps++;
    r->stats->enforcement++;
    /* that summer every day or two; from September, once or twice a week */
    bool summer = r->now < local_instant(cust_days_from_civil(2025, 9, 1), 0);
    int64_t gap = summer ? range(g, 12, 48) * HOUR : range(g, 2, 8) * DAY;
    later(r, r->now + gap + range(g, 0, 4 * 60) * MIN, EV_ENFORCE, 0);
    return CUST_OK;
}

/* The Marshals take the person at the release. A clerk still busy with the step before records
 * the hand-over a little later, at the time it took place (the desk checks custody then). */
static enum cust_status step_transfer(struct run *r, uint32_t i)
{
    struct rs *q = &r->rq[i];
    if (!is_open(r, q))
        return CUST_OK;
    char at[32];
    bool late = q->release_t != CUST_NO_TIME && r->now > q->release_t;
    if (late)
        cust_time_format(q->release_t, 0, true, at);
    enum cust_status st = act_at(r, q, "transfer", false, NULL, late ? at : NULL);
    if (st == CUST_OK)
        later(r, work_after(r->cal, r->now, range(&q->rng, 60, 480)), EV_DUTIES, i);
    return st;
}

static enum cust_status step(struct run *r, const struct ev *e)
{
    struct rs *q = e->kind == EV_SWEEP || e->kind == EV_ENFORCE ? NULL : &r->rq[e->req];
    enum cust_status st = CUST_OK;
    switch (e->kind) {
    case EV_SWEEP: {
        json_t *out = NULL;
        as(r, "system", "system");
        st = cust_desk_sweep(&r->d, r->now, &out, r->err);
        r->stats->steps++;
        r->stats->expired += (int64_t)json_array_size(out);
        json_decref(out);
        if (st != CUST_OK)
            return fail(r, NULL, "sweep", st);
        int32_t day = cust_time_zone_day(r->now) + 1;
        later(r, local_instant(day, 6 * HOUR), EV_SWEEP, 0);
        return CUST_OK;
    }
    case EV_ENFORCE:
        return step_enforce(r);
    case EV_INTAKE:
        return step_intake(r, e->req);
    case EV_WORK:
        return step_work(r, e->req);
    case EV_NOTIFY:
        if (!is_open(r, q))
            return CUST_OK;
        st = act(r, q, "notify", false, NULL);
        if (st == CUST_OK)
            later(r, work_after(r->cal, r->now, range(&q->rng, 20, 240)), EV_DUTIES, e->req);
        return st;
    case EV_TRANSFER:
        return step_transfer(r, e->req);
    case EV_CONSENT:
        return step_consent(r, e->req);
    case EV_INTERVIEW:
        return step_interview(r, e->req);
    case EV_DUTIES:
        return step_duties(r, e->req);
    case EV_LIFT:
        if (!is_open(r, q) || (q->release_t != CUST_NO_TIME && q->release_t <= r->now))
            return CUST_OK;
        st = set_status(r, q, q->clerk, "clerk", "lifted",
                        "ICE lifted the detainer (Form I-247A cancellation received by fax)");
        r->stats->lifted += st == CUST_OK;
        return st;
    case EV_WITHDRAW:
        if (!is_open(r, q) || (q->release_t != CUST_NO_TIME && q->release_t <= r->now))
            return CUST_OK;
        return set_status(r, q, q->clerk, "clerk", "withdrawn",
                          "ICE withdrew the request by e-mail");
    case EV_FULFIL:
        return step_fulfil(r, e->req);
    case EV_COUNSEL:
        return step_counsel(r, e->req);
    case EV_CLOSE:
        if (!is_open(r, q))
            return CUST_OK;
        return set_status(r, q, counsel, "counsel", "closed",
                          "county counsel produced the records the court ordered");
    case EV_FINISH: {
        struct status_cb c = {""};
        if (cust_store_request_get(r->s, q->id, on_status, &c, r->err) != CUST_OK)
            return fail(r, q, "status", CUST_EDB);
        if (strcmp(c.status, "acted") != 0 && strcmp(c.status, "decided") != 0)
            return CUST_OK;
        if (q->kind == CUST_REQ_DETAINER && !q->done_something)
            return CUST_OK; /* declined in full: it expires when its hold window passes */
        const char *why =
            q->kind == CUST_REQ_JUDICIAL_WARRANT || q->kind == CUST_REQ_JUDICIAL_PROBABLE_CAUSE
                ? "the person was handed to federal custody; the state report "
                  "records the transfer"
            : q->kind == CUST_REQ_INTERVIEW
                ? "the interview request was answered; the person has left custody"
                : "the person has left custody; nothing more to do";
        return set_status(r, q, q->clerk, "clerk", "closed", why);
    }
    }
    return st;
}

static enum cust_status count_requests(const struct cust_request_row *x, void *arg)
{
    (void)x;
    ++*(int64_t *)arg;
    return CUST_OK;
}

enum cust_status cust_demo_history(struct cust_store *s, const struct cust_demo_opts *o,
                                   struct cust_demo_stats *stats, struct cust_err *err)
{
    memset(stats, 0, sizeof(*stats));
    if (!o->env)
        return cust_err_set(err, CUST_EINVAL, "demo history: no desk environment");
    int64_t existing = 0;
    struct cust_request_filter lf = {.overdue_at = CUST_NO_TIME};
    enum cust_status st = cust_store_request_list(s, &lf, count_requests, &existing, err);
    if (st != CUST_OK)
        return st;
    if (existing)
        return cust_err_set(err, CUST_ECONFLICT,
                            "demo history: the store already holds %lld requests; the history "
                            "goes into a store with the county only",
                            (long long)existing);
    struct run r = {0};
    r.s = s;
    r.o = o;
    r.stats = stats;
    r.err = err;
    st = cust_gen_requests_new(&o->gen, &r.gen, err);
    if (st != CUST_OK)
        return st;
    /* never past the county's snapshot, nor past the present */
    int64_t snapshot = cust_time_zone_day_start(o->gen.end_day + 1);
    r.until = o->until != CUST_NO_TIME && o->until < snapshot ? o->until : snapshot;
    int64_t present = cust_now();
    if (present < r.until)
        r.until = present;
    r.cal = cust_desk_env_calendar(o->env);
    cust_desk_init(&r.d, o->env, s, "demo", "clerk");
    r.devnull = fopen("/dev/null", "w");
    size_t n = cust_gen_requests_count(r.gen);
    r.rq = cust_xcalloc(n ? n : 1, sizeof(*r.rq));
    for (size_t i = 0; i < n; i++) {
        struct rs *q = &r.rq[i];
        q->rng = mix(o->gen.seed * 0x100000001b3ULL + i);
        q->clerk = clerks[draw(&q->rng) % CUST_ARRAY_LEN(clerks)];
        q->sup = supervisors[draw(&q->rng) % CUST_ARRAY_LEN(supervisors)];
        q->release_t = CUST_NO_TIME;
        const struct cust_gen_request_truth *t = cust_gen_requests_truth(r.gen, i);
        later(&r, t->received_t, EV_INTAKE, (uint32_t)i);
    }
    if (n)
        later(&r,
              local_instant(cust_time_zone_day(cust_gen_requests_truth(r.gen, 0)->received_t) + 1,
                            6 * HOUR),
              EV_SWEEP, 0);
    r.enf_rng = mix(o->gen.seed * 0x9e3779b97f4a7c15ULL + 0x656e66);
    if (enf_first() >= cust_time_zone_day_start(o->gen.start_day))
        later(&r, enf_first(), EV_ENFORCE, 0);
    int32_t tx_day = INT32_MIN, month = -1;
    int64_t last = INT64_MIN;
    while (st == CUST_OK && r.h.n > 0) {
        struct ev e = heap_pop(&r.h);
        /* the staff work one step after another: a step due while the previous one was still
         * being done starts when that one ends, so the story's clock never runs back */
        r.now = e.t > last ? e.t : last;
        if (r.now >= r.until) {
            stats->pending++;
            continue;
        }
        cust_clock_set(r.now);
        int32_t day = cust_time_zone_day(r.now);
        if (day != tx_day) {
            /* one transaction per day of the story */
            if (tx_day != INT32_MIN)
                st = cust_store_commit(s, err);
            if (st == CUST_OK)
                st = cust_store_begin(s, err);
            if (st != CUST_OK)
                break;
            tx_day = day;
            int y;
            unsigned m, dd;
            cust_civil_from_days(day, &y, &m, &dd);
            if (o->progress && y * 12 + (int)m - 1 != month) {
                if (month >= 0)
                    fprintf(o->progress, "demo: %04d-%02d worked (%lld requests so far)\n",
                            month / 12, month % 12 + 1, (long long)stats->requests);
                month = y * 12 + (int)m - 1;
            }
        }
        st = step(&r, &e);
        last = r.now;
    }
    if (tx_day != INT32_MIN) {
        if (st == CUST_OK)
            st = cust_store_commit(s, err);
        else
            cust_store_rollback(s);
    }
    if (st == CUST_OK && o->progress && month >= 0)
        fprintf(o->progress, "demo: %04d-%02d worked (%lld requests)\n", month / 12, month % 12 + 1,
                (long long)stats->requests);
    cust_clock_clear();
    if (r.devnull)
        fclose(r.devnull);
    cust_desk_release(&r.d);
    cust_gen_requests_free(r.gen);
    free(r.rq);
    free(r.h.v);
    return st;
}
