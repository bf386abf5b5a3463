/*
 * desk_gen.c - the demo county's requests (desk.h): a realistic, deterministic year of
 * detainers, notification requests, administrative and judicial warrants, interview requests,
 * the DOJ data-request letter of 2025-07-17 and a later administrative subpoena, written as
 * request JSON Lines about the persons actually in custody in the store.
 *
 * Rates (docs/internals/desk.md): detainers ~995 a year by default; notification requests
 * 15% of that; judicial warrants ~10 a month from May to August 2025 and ~3 a month otherwise;
 * administrative warrants (I-200) ~2 a month; interview requests ~6 a month. A detainer's
 * subject is mostly a non-citizen in custody that day, sometimes a person of unknown status
 * and rarely a recorded citizen (the federal side errs too: the desk must flag those).
 */
#include "custodian/compat.h"
#include "custodian/date.h"
#include "custodian/gen.h"
#include "desk_internal.h"

#include <math.h>
#include <sodium.h>

struct gb {
    char *bn, *last, *first, *dob, *fbi, *a_number, *cit;
    int32_t booked_day, released_day; /* released_day: INT32_MAX while in custody */
};

struct gctx {
    struct gb *v;
    size_t n, cap;
    uint64_t rng;
};

static uint64_t next(struct gctx *g)
{
    uint64_t z = (g->rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static double unif(struct gctx *g)
{
    return (double)(next(g) >> 11) / 9007199254740992.0;
}

/* A Poisson draw (Knuth; rates here are small). */
static int poisson(struct gctx *g, double lambda)
{
    double l = exp(-lambda), p = 1.0;
    int k = 0;
    do {
        k++;
        p *= unif(g);
    } while (p > l && k < 1000);
    return k - 1;
}

static char *jdup(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? cust_xstrdup(s) : NULL;
}

static enum cust_status on_doc(const char *bn, const char *doc, void *arg)
{
    struct gctx *g = arg;
    json_t *r = json_loads(doc, 0, NULL);
    json_t *p = json_object_get(r, "person");
    int64_t t;
    int off;
    const char *booked = json_string_value(json_object_get(r, "booked_at"));
    if (!booked || !cust_time_parse(booked, &t, &off)) {
        json_decref(r);
        return CUST_OK;
    }
    if (g->n == g->cap) {
        g->cap = g->cap ? g->cap * 2 : 1024;
        g->v = cust_xrealloc(g->v, g->cap * sizeof(*g->v));
    }
    struct gb *b = &g->v[g->n++];
    memset(b, 0, sizeof(*b));
    b->bn = cust_xstrdup(bn);
    b->last = jdup(p, "last_name");
    b->first = jdup(p, "first_name");
    b->dob = jdup(p, "dob");
    b->fbi = jdup(json_object_get(p, "ids"), "fbi");
    b->a_number = jdup(json_object_get(p, "ids"), "a_number");
    b->cit = jdup(json_object_get(p, "citizenship"), "status");
    b->booked_day = cust_time_local_day(t, off);
    b->released_day = INT32_MAX;
    const char *rel = json_string_value(json_object_get(r, "released_at"));
    if (rel && cust_time_parse(rel, &t, &off))
        b->released_day = cust_time_local_day(t, off);
    json_decref(r);
    return CUST_OK;
}

static int cmp_booked(const void *a, const void *b)
{
    const struct gb *x = a, *y = b;
    return (x->booked_day > y->booked_day) - (x->booked_day < y->booked_day);
}

/* A booking in custody on `day`, with the citizenship preference of the request kind. */
static const struct gb *pick(struct gctx *g, int32_t day, bool detainer)
{
    /* bookings booked in the year before `day` (sorted by booked_day) */
    size_t lo = 0, hi = g->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (g->v[mid].booked_day < day - 365)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t first = lo;
    lo = first, hi = g->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (g->v[mid].booked_day <= day)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t end = lo;
    if (end <= first)
        return NULL;
    for (int tries = 0; tries < 4000; tries++) {
        const struct gb *b = &g->v[first + next(g) % (end - first)];
        if (b->released_day <= day)
            continue;
        double keep = 1.0;
        if (detainer) {
            const char *c = b->cit ? b->cit : "unknown";
            keep = !strcmp(c, "non_citizen") ? 1.0 : !strcmp(c, "unknown") ? 0.08 : 0.004;
        }
        if (unif(g) < keep)
            return b;
    }
    return NULL;
}

static void local_time(int32_t day, int minute_of_day, char out[32])
{
    int64_t t = (int64_t)day * 86400 + minute_of_day * 60;
    int off = cust_gen_la_offset(t + 8 * 3600);
    cust_time_format(t - (int64_t)off * 60, off, false, out);
}

static json_t *subject_of(struct gctx *g, const struct gb *b, bool strong)
{
    json_t *s = json_object();
    double u = unif(g);
    if (strong && u < 0.7)
        json_object_set_new(s, "booking_number", json_string(b->bn));
    if (strong && u < 0.9) {
        if (b->fbi)
            json_object_set_new(s, "fbi", json_string(b->fbi));
        if (b->a_number)
            json_object_set_new(s, "a_number", json_string(b->a_number));
    }
    if (b->last)
        json_object_set_new(s, "last_name", json_string(b->last));
    if (b->first)
        json_object_set_new(s, "first_name", json_string(b->first));
    if (b->dob)
        json_object_set_new(s, "dob", json_string(b->dob));
    if (json_object_size(s) == 0 || (!json_object_get(s, "booking_number") &&
                                     !json_object_get(s, "fbi") && !json_object_get(s, "dob")))
        json_object_set_new(s, "booking_number", json_string(b->bn));
    return s;
}

static json_t *document(const char *name, const char *text)
{
    size_t n = strlen(text);
    size_t cap = sodium_base64_encoded_len(n, sodium_base64_VARIANT_ORIGINAL);
    char *b64 = cust_xmalloc(cap);
    sodium_bin2base64(b64, cap, (const unsigned char *)text, n, sodium_base64_VARIANT_ORIGINAL);
    json_t *d = json_pack("{s:s,s:s}", "name", name, "content_base64", b64);
    free(b64);
    return json_pack("[o]", d);
}

static int emit(FILE *out, json_t *r)
{
    char *t = json_dumps(r, JSON_COMPACT | JSON_PRESERVE_ORDER);
    int rc = fprintf(out, "%s\n", t);
    free(t);
    json_decref(r);
    return rc < 0 ? -1 : 1;
}

static int subject_request(struct gctx *g, FILE *out, int32_t day, const char *kind,
                           const char *form, const char *agency, const char *office,
                           const char *note)
{
    const struct gb *b = pick(g, day, strcmp(kind, "judicial_warrant") != 0);
    if (!b)
        return 0;
    char at[32];
    local_time(day, 7 * 60 + (int)(next(g) % (11 * 60)), at);
    char text[256];
    snprintf(text, sizeof(text), "%s %s for %s, %s (booking %s)\n", form ? form : kind, kind,
             b->last ? b->last : "", b->first ? b->first : "", b->bn);
    json_t *r = json_pack("{s:s,s:s?,s:{s:s,s:s?},s:s,s:o,s:o,s:s?}", "kind", kind, "form", form,
                          "requester", "agency", agency, "office", office, "received_at", at,
                          "subject", subject_of(g, b, strcmp(kind, "interview_request") != 0),
                          "documents", document("request.txt", text), "note", note);
    return emit(out, r);
}

enum cust_status cust_desk_gen_requests(struct cust_store *s, const struct cust_desk_gen_opts *o,
                                        FILE *out, int64_t *count, struct cust_err *err)
{
    if (sodium_init() < 0)
        return cust_err_set(err, CUST_EINVAL, "libsodium failed to initialise");
    if (o->to_day < o->from_day || o->detainers_per_year < 0)
        return cust_err_set(err, CUST_EINVAL, "empty period or negative rate");
    struct gctx g = {NULL, 0, 0, o->seed ^ 0x6465736bull};
    enum cust_status st = cust_store_each_current(s, CUST_NO_DAY, on_doc, &g, err);
    if (st == CUST_OK)
        qsort(g.v, g.n, sizeof(*g.v), cmp_booked);
    int32_t doj_day, sub_day, jw_from, jw_to;
    (void)cust_date_parse("2025-07-17", &doj_day);
    (void)cust_date_parse("2025-09-22", &sub_day);
    (void)cust_date_parse("2025-05-01", &jw_from);
    (void)cust_date_parse("2025-08-31", &jw_to);
    double det = (double)o->detainers_per_year / 365.0;
    int64_t n = 0;
    for (int32_t day = o->from_day; st == CUST_OK && day <= o->to_day; day++) {
        int wd = cust_weekday(day);
        double weekday = (wd == 0 || wd == 6) ? 0.6 : 1.16; /* fewer on weekends */
        int k, rc = 0;
        for (k = poisson(&g, det * weekday); k > 0 && rc >= 0; k--)
            n +=
                (rc = subject_request(&g, out, day, "detainer", "I-247A", "ICE",
                                      "Enforcement and Removal Operations, Los Angeles", NULL)) > 0;
        for (k = poisson(&g, det * 0.15 * weekday); k > 0 && rc >= 0; k--)
            n += (rc = subject_request(&g, out, day, "notification_request", "I-247A", "ICE",
                                       "Enforcement and Removal Operations, Los Angeles",
                                       "release notification only")) > 0;
        double jw = (day >= jw_from && day <= jw_to) ? 10.0 / 30.4 : 3.0 / 30.4;
        for (k = poisson(&g, jw); k > 0 && rc >= 0; k--)
            n += (rc = subject_request(&g, out, day, "judicial_warrant", "AO 442",
                                       "U.S. Marshals Service", "Central District of California",
                                       "warrant for 8 U.S.C. 1326 signed by a magistrate judge")) >
                 0;
        for (k = poisson(&g, 2.0 / 30.4); k > 0 && rc >= 0; k--)
            n += (rc = subject_request(&g, out, day, "administrative_warrant", "I-200", "ICE", NULL,
                                       NULL)) > 0;
        for (k = poisson(&g, 6.0 / 30.4); k > 0 && rc >= 0; k--)
            n += (rc = subject_request(&g, out, day, "interview_request", NULL, "ICE", NULL,
                                       "interview about immigration status (civil)")) > 0;
        if (rc >= 0 && day == doj_day) {
            json_t *r = json_pack(
                "{s:s,s:s,s:{s:s,s:s},s:s,s:s,s:{s:s,s:s,s:s},s:[ssss],s:o,s:s}", "kind",
                "information_request", "form", "letter", "requester", "agency",
                "U.S. Department of Justice", "office", "Office of the Deputy Attorney General",
                "received_at", "2025-07-17T09:00:00-07:00", "due", "2025-08-16", "scope",
                "population", "in_custody", "citizenship", "non_citizen", "as_of", "2025-07-17",
                "items", "booking_facts", "charges", "convictions", "release_date", "documents",
                document("doj-letter.txt",
                         "Please provide within 30 days a list of all non-citizens in your "
                         "custody, with their charges, criminal history and release dates.\n"),
                "note", "list of non-citizens in custody with crimes and release dates, 30 days");
            n += (rc = emit(out, r)) > 0;
        }
        if (rc >= 0 && day == sub_day) {
            json_t *r = json_pack(
                "{s:s,s:s,s:{s:s,s:s},s:s,s:s,s:{s:s,s:s,s:s},s:[sss],s:o}", "kind",
                "administrative_subpoena", "form", "I-138", "requester", "agency", "ICE", "office",
                "Enforcement and Removal Operations, Los Angeles", "received_at",
                "2025-09-22T10:00:00-07:00", "due", "2025-10-06", "scope", "population",
                "in_custody", "citizenship", "non_citizen", "as_of", "2025-09-22", "items",
                "booking_facts", "release_date", "home_address", "documents",
                document("subpoena.txt", "Administrative subpoena under 8 U.S.C. 1225(d).\n"));
            n += (rc = emit(out, r)) > 0;
        }
        if (rc < 0)
            st = cust_err_set(err, CUST_EIO, "cannot write the requests");
    }
    for (size_t i = 0; i < g.n; i++) {
        struct gb *b = &g.v[i];
        free(b->bn);
        free(b->last);
        free(b->first);
        free(b->dob);
        free(b->fbi);
        free(b->a_number);
        free(b->cit);
    }
    free(g.v);
    if (count)
        *count = n;
    return st;
}
