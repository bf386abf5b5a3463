/*
 * collect.c - what every report reads: the requests of a period with their confirmed persons,
 * decisions and actions (through the desk's store operations, so a report counts exactly the
 * rows the desk wrote), the period and month arithmetic in the county's zone, and the few
 * facts a report may show about a person.
 */
#include "custodian/compat.h"
#include "custodian/date.h"
#include "custodian/request.h"
#include "reports_internal.h"

#include <ctype.h>
#include <unicode/uloc.h>
#include <unicode/ustring.h>

static char *dup0(const char *s)
{
    return s ? cust_xstrdup(s) : NULL;
}

/* ---- periods and months ------------------------------------------------------------------ */

void rp_period(int32_t from, int32_t to, int64_t *from_ts, int64_t *to_ts)
{
    *from_ts = cust_time_zone_day_start(from);
    *to_ts = cust_time_zone_day_start(to + 1);
}

void rp_day_text(int32_t day, char out[11])
{
    cust_date_format(day, out);
}

void rp_month_text(int32_t day, char out[8])
{
    int y;
    unsigned m, d;
    cust_civil_from_days(day, &y, &m, &d);
    char tmp[32];
    snprintf(tmp, sizeof(tmp), "%04d-%02u", y, m);
    memcpy(out, tmp, 7);
    out[7] = '\0';
}

static int month_number(int32_t day)
{
    int y;
    unsigned m, d;
    cust_civil_from_days(day, &y, &m, &d);
    return y * 12 + (int)m - 1;
}

size_t rp_months(int32_t from, int32_t to)
{
    return to < from ? 0 : (size_t)(month_number(to) - month_number(from) + 1);
}

size_t rp_month_index(int32_t from, int32_t day)
{
    return (size_t)(month_number(day) - month_number(from));
}

int32_t rp_month_day(int32_t from, size_t i)
{
    int mn = month_number(from) + (int)i;
    return cust_days_from_civil(mn / 12, (unsigned)(mn % 12) + 1, 1);
}

json_t *rp_header(const char *report, int32_t from, int32_t to)
{
    char f[11], t[11], now[32];
    rp_day_text(from, f);
    rp_day_text(to, t);
    cust_time_format(cust_now(), 0, true, now);
    return json_pack("{s:s,s:s,s:s,s:s,s:s}", "report", report, "from", f, "to", t, "zone",
                     cust_time_zone_name(), "generated_at", now);
}

void rp_count(json_t *obj, const char *key, json_int_t by)
{
    json_t *v = json_object_get(obj, key);
    json_object_set_new(obj, key, json_integer((v ? json_integer_value(v) : 0) + by));
}

struct kc {
    const char *key;
    json_int_t n;
};

static int kc_cmp(const void *a, const void *b)
{
    const struct kc *x = a, *y = b;
    if (x->n != y->n)
        return x->n > y->n ? -1 : 1;
    return strcmp(x->key, y->key);
}

json_t *rp_counts_sorted(json_t *obj, const char *last)
{
    size_t n = json_object_size(obj), k = 0;
    struct kc *v = cust_xcalloc(n ? n : 1, sizeof(*v));
    const char *key;
    json_t *val;
    json_object_foreach(obj, key, val) if (!last || strcmp(key, last) != 0) v[k++] =
        (struct kc){key, json_integer_value(val)};
    qsort(v, k, sizeof(*v), kc_cmp);
    json_t *out = json_object();
    for (size_t i = 0; i < k; i++)
        json_object_set_new(out, v[i].key, json_integer(v[i].n));
    if (last && json_object_get(obj, last))
        json_object_set(out, last, json_object_get(obj, last));
    free(v);
    json_decref(obj);
    return out;
}

bool rp_country_name(const char *code, char *out, size_t cap)
{
    if (!code || strlen(code) != 2 || !isupper((unsigned char)code[0]) ||
        !isupper((unsigned char)code[1]) || cap == 0)
        return false;
    char loc[4] = {'_', code[0], code[1], 0};
    UChar name[128];
    UErrorCode e = U_ZERO_ERROR;
    int32_t n = uloc_getDisplayCountry(loc, "en", name, (int32_t)CUST_ARRAY_LEN(name), &e);
    /* ICU answers an unknown region with its code */
    if (U_FAILURE(e) || e == U_USING_DEFAULT_WARNING || n <= 0 ||
        (n == 2 && name[0] == (UChar)code[0] && name[1] == (UChar)code[1]))
        return false;
    e = U_ZERO_ERROR;
    int32_t len = 0;
    u_strToUTF8(out, (int32_t)cap, &len, name, n, &e);
    if (U_FAILURE(e) || e == U_STRING_NOT_TERMINATED_WARNING || (size_t)len >= cap)
        return false;
    return true;
}

/* ---- persons ------------------------------------------------------------------------------ */

const char *const rp_age_bands[] = {"under 18", "18-24", "25-34",       "35-44",
                                    "45-54",    "55-64", "65 and over", "unknown"};
const size_t rp_nage_bands = CUST_ARRAY_LEN(rp_age_bands);

const char *rp_age_band(const char *dob, int32_t day)
{
    struct cust_date d;
    if (!dob || !cust_date_parse_partial(dob, &d))
        return "unknown";
    int by, ay;
    unsigned bm, bd, am, ad;
    cust_civil_from_days(d.day, &by, &bm, &bd);
    cust_civil_from_days(day, &ay, &am, &ad);
    int age = ay - by;
    if (d.precision == CUST_DATE_YEAR) {
        /* only the year: the age is age or age - 1; a band only when both agree */
        int lo = age - 1, hi = age;
        const char *a = NULL, *b = NULL;
        static const int limits[] = {18, 25, 35, 45, 55, 65};
        size_t ia = 0, ib = 0;
        while (ia < CUST_ARRAY_LEN(limits) && lo >= limits[ia])
            ia++;
        while (ib < CUST_ARRAY_LEN(limits) && hi >= limits[ib])
            ib++;
        a = rp_age_bands[ia];
        b = rp_age_bands[ib];
        return a == b ? a : "unknown";
    }
    if (am < bm || (am == bm && d.precision == CUST_DATE_DAY && ad < bd))
        age--;
    static const int limits[] = {18, 25, 35, 45, 55, 65};
    size_t i = 0;
    while (i < CUST_ARRAY_LEN(limits) && age >= limits[i])
        i++;
    return age < 0 || age > 130 ? "unknown" : rp_age_bands[i];
}

struct person_cb {
    struct rp_person p;
};

static enum cust_status on_person(const struct cust_report_person *p, void *arg)
{
    struct person_cb *c = arg;
    c->p = (struct rp_person){p->person_id, dup0(p->sex), dup0(p->dob), dup0(p->citizenship_status),
                              dup0(p->citizenship_country)};
    return CUST_OK;
}

const struct rp_person *rp_person_get(struct cust_store *s, struct rp_people *pp, int64_t id,
                                      struct cust_err *err)
{
    for (size_t i = 0; i < pp->n; i++) /* small sets; a report's people are few thousand */
        if (pp->v[i].id == id)
            return &pp->v[i];
    struct person_cb c = {{0}};
    if (cust_store_report_person(s, id, on_person, &c, err) != CUST_OK)
        return NULL;
    if (pp->n == pp->cap) {
        pp->cap = pp->cap ? 2 * pp->cap : 64;
        pp->v = cust_xrealloc(pp->v, pp->cap * sizeof(*pp->v));
    }
    pp->v[pp->n] = c.p;
    return &pp->v[pp->n++];
}

void rp_people_free(struct rp_people *pp)
{
    for (size_t i = 0; i < pp->n; i++) {
        free(pp->v[i].sex);
        free(pp->v[i].dob);
        free(pp->v[i].citizenship_status);
        free(pp->v[i].country);
    }
    free(pp->v);
    memset(pp, 0, sizeof(*pp));
}

/* ---- requests ----------------------------------------------------------------------------- */

static unsigned names_to_bits(const json_t *arr, const char *(*name)(unsigned), int count)
{
    unsigned bits = 0;
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        const char *s = json_string_value(v);
        for (int k = 0; s && k < count; k++)
            if (strcmp(s, name(1u << k)) == 0)
                bits |= 1u << k;
    }
    return bits;
}

static enum cust_status on_request(const struct cust_request_row *r, void *arg)
{
    struct rp_set *set = arg;
    if (set->n == set->cap) {
        set->cap = set->cap ? 2 * set->cap : 256;
        set->v = cust_xrealloc(set->v, set->cap * sizeof(*set->v));
    }
    struct rp_req *q = &set->v[set->n++];
    memset(q, 0, sizeof(*q));
    q->id = dup0(r->id);
    q->kind = dup0(r->kind);
    q->form = dup0(r->form);
    q->agency = dup0(r->agency);
    q->office = dup0(r->office);
    q->status = dup0(r->status);
    q->status_reason = dup0(r->status_reason);
    q->received_at = dup0(r->received_at);
    q->received_ts = r->received_ts;
    q->day = cust_time_zone_day(r->received_ts);
    json_t *doc = r->doc ? json_loads(r->doc, 0, NULL) : NULL;
    json_t *asks = json_object_get(doc, "asks");
    enum cust_request_kind k;
    if (json_is_array(asks))
        q->asks = names_to_bits(asks, cust_request_ask_name, CUST_ASK_COUNT);
    else if (cust_request_kind_parse(r->kind, &k))
        q->asks = cust_request_default_asks(k);
    q->items =
        names_to_bits(json_object_get(doc, "items"), cust_request_item_name, CUST_ITEM_COUNT);
    json_t *scope = json_object_get(doc, "scope");
    q->population = json_is_object(scope);
    json_decref(doc);
    return CUST_OK;
}

struct req_ctx {
    struct rp_req *q;
    bool decision_json;
};

static enum cust_status on_link(const struct cust_link_row *l, void *arg)
{
    struct rp_req *q = arg;
    if (strcmp(l->state, "confirmed") != 0)
        return CUST_OK;
    /* a person confirmed outside the candidates: the link's one reason is the confirmer's */
    char *outside = NULL;
    if (l->reasons && strstr(l->reasons, CUST_LINK_OUTSIDE_CANDIDATES)) {
        json_t *r = json_loads(l->reasons, 0, NULL);
        json_t *first = json_array_get(r, 0);
        const char *field = json_string_value(json_object_get(first, "field"));
        if (field && strcmp(field, CUST_LINK_OUTSIDE_CANDIDATES) == 0)
            outside = dup0(json_string_value(json_object_get(first, "text")));
        json_decref(r);
    }
    int64_t ts = CUST_NO_TIME;
    if (!l->confirmed_at || !cust_time_parse(l->confirmed_at, &ts, NULL))
        ts = CUST_NO_TIME;
    q->links = cust_xrealloc(q->links, (q->nlinks + 1) * sizeof(*q->links));
    q->links[q->nlinks++] =
        (struct rp_link){l->person_id, dup0(l->booking_number), dup0(l->confirmed_by), ts, outside};
    return CUST_OK;
}

static enum cust_status on_decision(const struct cust_decision_row *d, void *arg)
{
    struct req_ctx *c = arg;
    struct rp_req *q = c->q;
    q->decs = cust_xrealloc(q->decs, (q->ndecs + 1) * sizeof(*q->decs));
    q->decs[q->ndecs++] = (struct rp_decision){
        d->id,
        d->person_id,
        dup0(d->booking_number),
        dup0(d->decided_by),
        dup0(d->decided_at),
        dup0(d->policy_id),
        dup0(d->policy_version),
        c->decision_json && d->decision ? json_loads(d->decision, 0, NULL) : NULL};
    return CUST_OK;
}

static enum cust_status on_action(const struct cust_action_row *a, void *arg)
{
    struct rp_req *q = arg;
    q->acts = cust_xrealloc(q->acts, (q->nacts + 1) * sizeof(*q->acts));
    int64_t t = 0;
    if (!a->at || !cust_time_parse(a->at, &t, NULL))
        t = 0;
    q->acts[q->nacts++] = (struct rp_action){a->id,
                                             a->person_id,
                                             a->decision_id,
                                             dup0(a->action),
                                             dup0(a->verdict),
                                             dup0(a->outcome),
                                             dup0(a->by),
                                             dup0(a->reason),
                                             dup0(a->at),
                                             t};
    return CUST_OK;
}

static enum cust_status on_duty(const struct cust_duty_row *d, void *arg)
{
    struct rp_req *q = arg;
    q->duties = cust_xrealloc(q->duties, (q->nduties + 1) * sizeof(*q->duties));
    q->duties[q->nduties++] = cust_xstrdup(d->duty);
    return CUST_OK;
}

bool rp_has_duty(const struct rp_req *q, const char *duty)
{
    for (size_t i = 0; i < q->nduties; i++)
        if (strcmp(q->duties[i], duty) == 0)
            return true;
    return false;
}

static int req_cmp(const void *a, const void *b)
{
    return strcmp(((const struct rp_req *)a)->id, ((const struct rp_req *)b)->id);
}

enum cust_status rp_collect(struct cust_store *s, int64_t from_ts, int64_t to_ts,
                            bool decision_json, struct rp_set *out, struct cust_err *err)
{
    memset(out, 0, sizeof(*out));
    enum cust_status st = cust_store_requests_between(s, from_ts, to_ts, on_request, out, err);
    for (size_t i = 0; st == CUST_OK && i < out->n; i++) {
        struct rp_req *q = &out->v[i];
        struct req_ctx c = {q, decision_json};
        st = cust_store_links(s, q->id, on_link, q, err);
        if (st == CUST_OK)
            st = cust_store_decisions(s, q->id, on_decision, &c, err);
        if (st == CUST_OK)
            st = cust_store_actions(s, q->id, on_action, q, err);
        struct cust_duty_filter df = {q->id, false};
        if (st == CUST_OK)
            st = cust_store_duties(s, &df, on_duty, q, err);
    }
    if (st == CUST_OK && out->n > 1)
        qsort(out->v, out->n, sizeof(*out->v), req_cmp);
    if (st != CUST_OK)
        rp_set_free(out);
    return st;
}

const struct rp_req *rp_find(const struct rp_set *set, const char *id)
{
    size_t lo = 0, hi = set->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(set->v[mid].id, id);
        if (c == 0)
            return &set->v[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

void rp_set_free(struct rp_set *set)
{
    for (size_t i = 0; i < set->n; i++) {
        struct rp_req *q = &set->v[i];
        free(q->id);
        free(q->kind);
        free(q->form);
        free(q->agency);
        free(q->office);
        free(q->status);
        free(q->status_reason);
        free(q->received_at);
        for (size_t k = 0; k < q->nlinks; k++) {
            free(q->links[k].booking_number);
            free(q->links[k].confirmed_by);
            free(q->links[k].outside_reason);
        }
        free(q->links);
        for (size_t k = 0; k < q->ndecs; k++) {
            free(q->decs[k].booking_number);
            free(q->decs[k].decided_by);
            free(q->decs[k].decided_at);
            free(q->decs[k].policy_id);
            free(q->decs[k].policy_version);
            json_decref(q->decs[k].json);
        }
        free(q->decs);
        for (size_t k = 0; k < q->nacts; k++) {
            struct rp_action *a = &q->acts[k];
            free(a->action);
            free(a->verdict);
            free(a->outcome);
            free(a->by);
            free(a->reason);
            free(a->at_text);
        }
        free(q->acts);
        for (size_t k = 0; k < q->nduties; k++)
            free(q->duties[k]);
        free(q->duties);
    }
    free(set->v);
    memset(set, 0, sizeof(*set));
}
