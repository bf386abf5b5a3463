/*
 * gen_requests.c - the federal requests the demo county receives (see
 * include/custodian/gen.h and docs/internals/gen.md, "Requests").
 *
 * Shape: the county is generated first (cust_gen_next with an observer that
 * keeps each booking's identity and custody interval). Then each kind of
 * request is drawn with its own PRNG stream keyed by (seed, kind, index):
 * - "stay first" kinds (detainers, notification, transfer and interview
 *   requests, administrative warrants) pick a booking inside the window,
 *   weighted by the person's recorded citizenship, then a receipt time a
 *   little after booking and before release;
 * - "time first" kinds (judicial warrants and probable-cause determinations,
 *   the court order) pick an instant, then a person in custody at it.
 * The DOJ letter and the administrative subpoena are population requests on
 * fixed dates. All requests are then sorted by receipt time.
 */
#include "custodian/compat.h"
#include "custodian/date.h"
#include "custodian/gen.h"
#include "gen_rng.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <sodium.h>

/* ---- PRNG (gen_rng.h, the same construction as gen.c; separate streams) ----------------- */

static const char *rng_pick(struct rng *r, const char *const *v, size_t n)
{
    return v[rng_below(r, (uint32_t)n)];
}

/* floor(x) plus one with probability frac(x): unbiased counts at any scale. */
static int64_t rng_round(struct rng *r, double x)
{
    double f = floor(x);
    return (int64_t)f + (rng_unit(r) < x - f ? 1 : 0);
}

/* Streams: one per kind of request (gen.c uses 1 and 2). */
enum {
    STREAM_DETAINER = 101,
    STREAM_NOTIFY,
    STREAM_TRANSFER,
    STREAM_ADMIN_WARRANT,
    STREAM_INTERVIEW,
    STREAM_JUDICIAL,
    STREAM_PROBABLE_CAUSE,
    STREAM_COURT_ORDER,
    STREAM_DOJ,
    STREAM_SUBPOENA,
    STREAM_ANUM,
    STREAM_COUNTS
};

/* ---- LA local time --------------------------------------------------------------------- */

/* The instant of local LA time (day, seconds of day); a skipped spring hour reads as PST. */
static int64_t la_instant(int32_t day, int32_t sod)
{
    int64_t local = (int64_t)day * 86400 + sod;
    int64_t dst = local + 420 * 60;
    if (cust_gen_la_offset(dst) == -420)
        return dst;
    return local + 480 * 60;
}

static void la_local(int64_t t, int32_t *day, int32_t *sod)
{
    int off = cust_gen_la_offset(t);
    int64_t local = t + (int64_t)off * 60;
    *day = cust_time_local_day(t, off);
    *sod = (int32_t)(local - (int64_t)*day * 86400);
}

static bool weekday(int32_t day)
{
    int wd = cust_weekday(day);
    return wd >= 1 && wd <= 5;
}

/* Business hours: Monday to Friday, 08:00 to 17:59 local. */
static bool business_hours(int64_t t)
{
    int32_t day, sod;
    la_local(t, &day, &sod);
    return weekday(day) && sod >= 8 * 3600 && sod < 18 * 3600;
}

/* The next business-hours instant at or after t (a random minute in the first hours). */
static int64_t next_business(struct rng *r, int64_t t)
{
    if (business_hours(t))
        return t;
    int32_t day, sod;
    la_local(t, &day, &sod);
    if (sod >= 8 * 3600)
        day++;
    while (!weekday(day))
        day++;
    return la_instant(day, 8 * 3600 + rng_range(r, 0, 180) * 60 + rng_range(r, 0, 59));
}

/* A business-hours instant on `day` (08:00 to 16:59). */
static int64_t business_time(struct rng *r, int32_t day)
{
    return la_instant(day, rng_range(r, 8 * 3600, 17 * 3600 - 1));
}

static void time_str(int64_t t, char out[32])
{
    cust_time_format(t, cust_gen_la_offset(t), false, out);
}

/* ---- the county, as seen by the request generator -------------------------------------- */

enum cit { CIT_CITIZEN, CIT_NON, CIT_UNKNOWN };

struct rstay {
    uint64_t booking_number;
    size_t person;
    int64_t booked_t, until_t; /* in custody over [booked_t, until_t) (until_t capped at the
                                  snapshot) */
    uint32_t str;              /* offset of 7 NUL-terminated strings in the arena: last, first,
                                  dob, fbi, cii, sid, a_number ("" when none) */
    uint8_t cit;
};

struct county {
    struct rstay *v;
    size_t n, alloc;
    char *arena;
    size_t arena_n, arena_cap;
    int64_t open_t, end_t;
};

static void arena_put(struct county *c, const char *s)
{
    size_t n = s ? strlen(s) + 1 : 1;
    if (c->arena_n + n > c->arena_cap) {
        size_t cap = c->arena_cap ? c->arena_cap : 1u << 20;
        while (cap < c->arena_n + n)
            cap *= 2;
        c->arena = cust_xrealloc(c->arena, cap);
        c->arena_cap = cap;
    }
    memcpy(c->arena + c->arena_n, s ? s : "", n);
    c->arena_n += n;
}

static void observe(void *ctx, const struct cust_gen_booking *b)
{
    struct county *c = ctx;
    int64_t until = b->released && b->release_t < c->end_t ? b->release_t : c->end_t;
    if (until <= c->open_t)
        return;
    if (c->n == c->alloc) {
        c->alloc = c->alloc ? 2 * c->alloc : 4096;
        c->v = cust_xrealloc(c->v, c->alloc * sizeof(*c->v));
    }
    struct rstay *s = &c->v[c->n++];
    s->booking_number = b->booking_number;
    s->person = b->person;
    s->booked_t = b->booked_t;
    s->until_t = until;
    s->cit = strcmp(b->citizenship, "citizen") == 0       ? CIT_CITIZEN
             : strcmp(b->citizenship, "non_citizen") == 0 ? CIT_NON
                                                          : CIT_UNKNOWN;
    CUST_ASSERT(c->arena_n < UINT32_MAX - 4096);
    s->str = (uint32_t)c->arena_n;
    arena_put(c, b->last_name);
    arena_put(c, b->first_name);
    arena_put(c, b->dob);
    arena_put(c, b->fbi);
    arena_put(c, b->cii);
    arena_put(c, b->sid);
    arena_put(c, b->a_number);
}

/* The k-th string of a stay (0 last, 1 first, 2 dob, 3 fbi, 4 cii, 5 sid, 6 a_number). */
static const char *sfield(const struct county *c, const struct rstay *s, int k)
{
    const char *p = c->arena + s->str;
    for (int i = 0; i < k; i++)
        p += strlen(p) + 1;
    return p;
}

/* ---- the generator state ----------------------------------------------------------------- */

struct req {
    int64_t t;
    uint32_t seq;
    char *json;
    struct cust_gen_request_truth truth;
};

struct cust_gen_requests {
    struct req *v;
    size_t n, alloc;
};

struct ctx {
    const struct cust_gen_opts *opts;
    struct county county;
    struct cust_gen_requests *out;
    double scale; /* bookings / default */
    int32_t window_start, end_day;
    uint8_t *used; /* per stay: bit k set when a request of stream k took it */
};

/* Citizenship weights (citizen, non-citizen, unknown), per mille. ICE asks about a few
 * citizens (a wrong database hit, a naturalised person): the desk must flag them. */
struct kind_spec {
    unsigned cit_w[3];
    unsigned business; /* per mille of receipts moved into business hours */
    double delay_min_h, delay_mean_h;
};

static const struct kind_spec spec_detainer = {{5, 1000, 450}, 800, 1.0, 20.0};
static const struct kind_spec spec_notify = {{5, 1000, 450}, 900, 2.0, 48.0};
static const struct kind_spec spec_transfer = {{0, 1000, 300}, 950, 24.0, 168.0};
static const struct kind_spec spec_admin = {{0, 1000, 300}, 900, 2.0, 48.0};
static const struct kind_spec spec_interview = {{0, 1000, 400}, 950, 24.0, 120.0};
static const struct kind_spec spec_judicial = {{0, 1000, 600}, 1000, 0, 0};

static void add_request(struct ctx *x, int64_t t, json_t *doc, const struct rstay *s,
                        unsigned noise)
{
    struct cust_gen_requests *o = x->out;
    if (o->n == o->alloc) {
        o->alloc = o->alloc ? 2 * o->alloc : 256;
        o->v = cust_xrealloc(o->v, o->alloc * sizeof(*o->v));
    }
    struct req *r = &o->v[o->n];
    r->t = t;
    r->seq = (uint32_t)o->n;
    r->json = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
    CUST_ASSERT(r->json != NULL);
    r->truth.booking_number = s ? s->booking_number : 0;
    r->truth.person = s ? s->person : 0;
    r->truth.received_t = t;
    r->truth.noise = noise;
    o->n++;
    json_decref(doc);
}

/* ---- names with noise -------------------------------------------------------------------- */

static bool is_upper(char c)
{
    return c >= 'A' && c <= 'Z';
}

/* Misspell an upper-case name in place (ASCII letters only, so UTF-8 stays valid). */
static bool misspell(struct rng *r, char *s, size_t cap)
{
    size_t n = strlen(s);
    if (n < 3)
        return false;
    char orig[128];
    snprintf(orig, sizeof(orig), "%s", s);
    for (int tries = 0; tries < 20; tries++) {
        size_t i = 1 + rng_below(r, (uint32_t)(n - 1)); /* keep the first letter */
        switch (rng_below(r, 4)) {
        case 0: /* swap two adjacent letters */
            if (i + 1 < n && is_upper(s[i]) && is_upper(s[i + 1]) && s[i] != s[i + 1]) {
                char t = s[i];
                s[i] = s[i + 1];
                s[i + 1] = t;
            }
            break;
        case 1: /* drop a letter */
            if (is_upper(s[i]) && n > 3) {
                memmove(s + i, s + i + 1, n - i);
                n--;
            }
            break;
        case 2: /* double a letter */
            if (is_upper(s[i]) && n + 2 < cap) {
                memmove(s + i + 1, s + i, n - i + 1);
                n++;
            }
            break;
        default: { /* a letter heard or typed wrong */
            static const char from[] = "ZSVBYIEOUI", to[] = "SZBVIYIUOE";
            const char *f = is_upper(s[i]) ? strchr(from, s[i]) : NULL;
            if (f)
                s[i] = to[f - from];
            break;
        }
        }
        if (strcmp(s, orig) != 0)
            return true;
    }
    return false;
}

/* Drop every accent of an upper-case UTF-8 name (Latin-1 range), or add one the way a clerk
 * would (GARCIA -> GARCÍA, LOPEZ -> LÓPEZ). False when neither applies. */
static bool toggle_accent(char *s, size_t cap)
{
    static const char base[] = "AAAAAAACEEEEIIIIDNOOOOOxOUUUUYTs";
    bool had = false;
    char *o = s;
    for (const char *p = s; *p; p++) {
        if ((unsigned char)p[0] == 0xC3 && (unsigned char)p[1] >= 0x80 &&
            (unsigned char)p[1] <= 0x9F) {
            *o++ = base[(unsigned char)p[1] - 0x80];
            p++;
            had = true;
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
    if (had)
        return true;
    size_t n = strlen(s);
    if (n + 2 >= cap)
        return false;
    char *at = NULL;
    unsigned char acc = 0;
    if (n >= 3 && strcmp(s + n - 2, "IA") == 0) {
        at = s + n - 2;
        acc = 0x8D; /* Í */
    } else if ((at = strchr(s + 1, 'O')) != NULL) {
        acc = 0x93; /* Ó */
    } else if ((at = strchr(s + 1, 'E')) != NULL) {
        acc = 0x89; /* É */
    } else if ((at = strchr(s + 1, 'A')) != NULL) {
        acc = 0x81; /* Á */
    }
    if (!at)
        return false;
    memmove(at + 1, at, strlen(at) + 1);
    at[0] = (char)0xC3;
    at[1] = (char)acc;
    return true;
}

/* Swap day and month of a full date when the result is still a date and differs. */
static bool swap_day_month(char dob[11])
{
    if (strlen(dob) != 10 || dob[8] == 'X' || dob[5] == 'X')
        return false;
    if (dob[8] == dob[5] && dob[9] == dob[6])
        return false;
    if (dob[8] > '1' || (dob[8] == '1' && dob[9] > '2') || (dob[8] == '0' && dob[9] == '0'))
        return false;
    char t0 = dob[5], t1 = dob[6];
    dob[5] = dob[8];
    dob[6] = dob[9];
    dob[8] = t0;
    dob[9] = t1;
    int32_t d;
    return cust_date_parse(dob, &d);
}

/* ---- subjects ------------------------------------------------------------------------------ */

struct id_mix {
    unsigned name_only; /* per mille: name and dob only */
    unsigned booking;   /* per mille: the booking number */
    unsigned fbi;       /* per mille: the FBI number, when the person has one */
    unsigned anum;      /* per mille: an A-number (ICE knows one even when the jail does not) */
    unsigned cii;       /* per mille: the CII, when the person has one */
};

static const struct id_mix ids_ice = {70, 850, 700, 850, 50};
static const struct id_mix ids_phone = {300, 600, 400, 600, 0};
static const struct id_mix ids_court = {50, 550, 800, 300, 300};

/* An A-number ICE holds for a person the jail has none for: stable per person. */
static void ice_anumber(const struct ctx *x, size_t person, char out[16])
{
    struct rng r;
    rng_seed(&r, x->opts->seed, STREAM_ANUM, person);
    out[0] = 'A';
    out[1] = '2';
    for (int i = 2; i < 10; i++)
        out[i] = (char)('0' + rng_below(&r, 10));
    out[10] = '\0';
}

static json_t *subject_json(const struct ctx *x, struct rng *r, const struct rstay *s,
                            const struct id_mix *mix, unsigned *noise)
{
    const struct county *c = &x->county;
    char last[128], first[96], dob[11];
    snprintf(last, sizeof(last), "%s", sfield(c, s, 0));
    snprintf(first, sizeof(first), "%s", sfield(c, s, 1));
    snprintf(dob, sizeof(dob), "%s", sfield(c, s, 2));
    const char *fbi = sfield(c, s, 3), *cii = sfield(c, s, 4), *anum = sfield(c, s, 6);
    *noise = 0;
    bool name_only = rng_chance(r, mix->name_only);
    /* Name-only requests usually carry a slip; others now and then. */
    if (rng_chance(r, name_only ? 850 : 40)) {
        unsigned k = rng_below(r, 100);
        if (k < 30 && swap_day_month(dob))
            *noise |= CUST_GEN_NOISE_DOB_SWAP;
        else if (k < 55 && toggle_accent(last, sizeof(last)))
            *noise |= CUST_GEN_NOISE_ACCENT;
        else if (misspell(r, last, sizeof(last)))
            *noise |= CUST_GEN_NOISE_SPELLING;
    }
    json_t *o = json_object();
    if (name_only) {
        *noise |= CUST_GEN_NOISE_NAME_ONLY;
    } else {
        bool bn = rng_chance(r, mix->booking);
        bool f = *fbi && rng_chance(r, mix->fbi);
        bool a = rng_chance(r, mix->anum);
        bool ci = *cii && rng_chance(r, mix->cii);
        if (!bn && !f && !a && !ci)
            bn = true;
        if (bn) {
            char b[24];
            snprintf(b, sizeof(b), "%" PRIu64, s->booking_number);
            json_object_set_new(o, "booking_number", json_string(b));
        }
        json_object_set_new(o, "last_name", json_string(last));
        json_object_set_new(o, "first_name", json_string(first));
        json_object_set_new(o, "dob", json_string(dob));
        if (f)
            json_object_set_new(o, "fbi", json_string(fbi));
        if (ci)
            json_object_set_new(o, "cii", json_string(cii));
        if (a) {
            char an[16];
            if (*anum)
                snprintf(an, sizeof(an), "%s", anum);
            else
                ice_anumber(x, s->person, an);
            json_object_set_new(o, "a_number", json_string(an));
        }
        return o;
    }
    json_object_set_new(o, "last_name", json_string(last));
    json_object_set_new(o, "first_name", json_string(first));
    json_object_set_new(o, "dob", json_string(dob));
    return o;
}

/* ---- documents ------------------------------------------------------------------------------ */

static void sha256_hex(const void *p, size_t n, char out[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, p, n);
    sodium_bin2hex(out, 65, h, sizeof(h));
}

/* A document known by name and hash: the hash of a short synthetic text naming it. */
static json_t *doc_ref(const char *name, const char *about, int64_t t)
{
    char text[512], hex[65];
    int n = snprintf(text, sizeof(text),
                     "SYNTHETIC DOCUMENT (custodian gen)\n%s\n%s\n%" PRId64 "\n", name, about, t);
    sha256_hex(text, (size_t)n, hex);
    json_t *d = json_object();
    json_object_set_new(d, "name", json_string(name));
    json_object_set_new(d, "sha256", json_string(hex));
    return d;
}

/* A document carried in full (content_base64 + its sha256). */
static json_t *doc_full(const char *name, const char *text)
{
    size_t n = strlen(text);
    char hex[65];
    sha256_hex(text, n, hex);
    size_t blen = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
    char *b64 = cust_xmalloc(blen);
    sodium_bin2base64(b64, blen, (const unsigned char *)text, n, sodium_base64_VARIANT_ORIGINAL);
    json_t *d = json_object();
    json_object_set_new(d, "name", json_string(name));
    json_object_set_new(d, "sha256", json_string(hex));
    json_object_set_new(d, "content_base64", json_string(b64));
    free(b64);
    return d;
}

/* ---- requesters --------------------------------------------------------------------------- */

static const char *const officers[] = {
    "Deportation Officer M. ALVAREZ", "Deportation Officer K. NGUYEN",
    "Deportation Officer T. BROOKS",  "Supervisory Detention and Deportation Officer R. SALAZAR",
    "Deportation Officer L. PARK",    "Immigration Enforcement Agent D. HOLLOWAY",
    "Deportation Officer S. OKAFOR",  "Enforcement and Removal Assistant J. MEDINA"};

static json_t *requester(const char *agency, const char *office, const char *contact)
{
    json_t *o = json_object();
    json_object_set_new(o, "agency", json_string(agency));
    json_object_set_new(o, "office", json_string(office));
    json_object_set_new(o, "contact", json_string(contact));
    return o;
}

/* An ICE ERO requester: the Los Angeles Field Office or the Pacific Enforcement Response
 * Center (which issues most detainers after a fingerprint match); CBP now and then. */
static json_t *ice_requester(struct rng *r, unsigned cbp_per_mille, bool perc)
{
    char contact[192];
    if (rng_chance(r, cbp_per_mille)) {
        snprintf(
            contact, sizeof(contact), "CBP Officer %c. %s, (562) 555-01%02u, lalb-ofo@example.gov",
            'A' + rng_below(r, 26), rng_chance(r, 500) ? "REYES" : "CALLAHAN", rng_below(r, 100));
        return requester("CBP", "Office of Field Operations, Los Angeles Field Office", contact);
    }
    const char *who = rng_pick(r, officers, CUST_ARRAY_LEN(officers));
    if (perc && rng_chance(r, 450)) {
        snprintf(contact, sizeof(contact), "%s, (949) 555-01%02u, perc-detainers@example.gov", who,
                 rng_below(r, 100));
        return requester("ICE", "Pacific Enforcement Response Center", contact);
    }
    snprintf(contact, sizeof(contact), "%s, (213) 555-01%02u, ero-la@example.gov", who,
             rng_below(r, 100));
    return requester("ICE", "ERO Los Angeles Field Office", contact);
}

static json_t *asks(const char *a, const char *b)
{
    json_t *v = json_array();
    json_array_append_new(v, json_string(a));
    if (b)
        json_array_append_new(v, json_string(b));
    return v;
}

/* The common head of a request document, in the spec's field order. */
static json_t *request_head(const char *kind, const char *form, json_t *req, int64_t t,
                            const char *due)
{
    char ts[32];
    time_str(t, ts);
    json_t *o = json_object();
    json_object_set_new(o, "kind", json_string(kind));
    json_object_set_new(o, "form", form ? json_string(form) : json_null());
    json_object_set_new(o, "requester", req);
    json_object_set_new(o, "received_at", json_string(ts));
    json_object_set_new(o, "due", due ? json_string(due) : json_null());
    return o;
}

/* ---- picking subjects ------------------------------------------------------------------------ */

/* Cumulative citizenship weights over the stays booked inside the window. */
struct picker {
    uint64_t *cum;
    size_t *idx;
    size_t n;
};

static void picker_build(struct picker *p, const struct ctx *x, const struct kind_spec *k)
{
    const struct county *c = &x->county;
    p->cum = cust_xcalloc(c->n ? c->n : 1, sizeof(*p->cum));
    p->idx = cust_xcalloc(c->n ? c->n : 1, sizeof(*p->idx));
    p->n = 0;
    uint64_t total = 0;
    for (size_t i = 0; i < c->n; i++) {
        const struct rstay *s = &c->v[i];
        unsigned w = k->cit_w[s->cit];
        if (!w || s->booked_t < c->open_t || s->until_t - s->booked_t < 4 * 3600)
            continue;
        total += w;
        p->cum[p->n] = total;
        p->idx[p->n++] = i;
    }
}

static size_t picker_pick(const struct picker *p, struct rng *r)
{
    uint64_t total = p->cum[p->n - 1];
    uint64_t v = (uint64_t)(rng_unit(r) * (double)total);
    size_t lo = 0, hi = p->n - 1;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (p->cum[mid] > v)
            hi = mid;
        else
            lo = mid + 1;
    }
    return p->idx[lo];
}

static void picker_free(struct picker *p)
{
    free(p->cum);
    free(p->idx);
}

/* A stay for stream `stream` and its receipt time: booked, then a delay, moved into
 * business hours most of the time, and still before release. False when none was found. */
static bool pick_stay(struct ctx *x, const struct picker *p, const struct kind_spec *k,
                      unsigned stream, struct rng *r, size_t *out, int64_t *t_out)
{
    if (p->n == 0)
        return false;
    for (int tries = 0; tries < 64; tries++) {
        size_t i = picker_pick(p, r);
        const struct rstay *s = &x->county.v[i];
        if (x->used[i] & (1u << (stream - STREAM_DETAINER)))
            continue;
        int64_t t = s->booked_t + (int64_t)((k->delay_min_h + rng_exp(r, k->delay_mean_h)) * 3600);
        if (rng_chance(r, k->business)) {
            int64_t b = next_business(r, t);
            if (b < s->until_t - 1800)
                t = b;
        }
        if (t >= s->until_t - 1800 || t >= x->county.end_t)
            continue;
        x->used[i] |= (uint8_t)(1u << (stream - STREAM_DETAINER));
        *out = i;
        *t_out = t;
        return true;
    }
    return false;
}

/* A weighted pick among those in custody at t (not the ones `used` for this stream). */
static bool pick_in_custody(struct ctx *x, const struct kind_spec *k, unsigned stream,
                            struct rng *r, int64_t t, size_t *out)
{
    const struct county *c = &x->county;
    uint64_t total = 0;
    unsigned bit = stream >= STREAM_DETAINER + 8 ? 0 : 1u << (stream - STREAM_DETAINER);
    for (size_t i = 0; i < c->n; i++) {
        const struct rstay *s = &c->v[i];
        if (s->booked_t + 3600 <= t && t < s->until_t - 1800 && !(x->used[i] & bit))
            total += k->cit_w[s->cit];
    }
    if (total == 0)
        return false;
    uint64_t v = (uint64_t)(rng_unit(r) * (double)total);
    for (size_t i = 0; i < c->n; i++) {
        const struct rstay *s = &c->v[i];
        if (s->booked_t + 3600 <= t && t < s->until_t - 1800 && !(x->used[i] & bit)) {
            unsigned w = k->cit_w[s->cit];
            if (v < w) {
                x->used[i] |= (uint8_t)bit;
                *out = i;
                return true;
            }
            v -= w;
        }
    }
    return false;
}

/* The number of requests of a kind over the window, at `per_year` for the default scale. */
static int64_t scaled_count(struct ctx *x, struct rng *r, double per_year)
{
    double days = (double)(x->end_day - x->window_start + 1);
    return rng_round(r, per_year * x->scale * days / 365.25);
}

/* ---- the kinds ----------------------------------------------------------------------------- */

static const char *const receipt_notes[] = {"received by fax", "received by fax",
                                            "received by e-mail", "received by e-mail",
                                            "served at the facility by ERO"};

static void gen_detainers(struct ctx *x)
{
    struct rng cr;
    rng_seed(&cr, x->opts->seed, STREAM_COUNTS, STREAM_DETAINER);
    int64_t n = scaled_count(x, &cr, CUST_GEN_DETAINERS_PER_YEAR);
    struct picker p;
    picker_build(&p, x, &spec_detainer);
    for (int64_t j = 0; j < n; j++) {
        struct rng r;
        rng_seed(&r, x->opts->seed, STREAM_DETAINER, (uint64_t)j);
        size_t i;
        int64_t t;
        if (!pick_stay(x, &p, &spec_detainer, STREAM_DETAINER, &r, &i, &t))
            continue;
        const struct rstay *s = &x->county.v[i];
        unsigned noise;
        json_t *d = request_head("detainer", "I-247A", ice_requester(&r, 40, true), t, NULL);
        json_object_set_new(d, "subject", subject_json(x, &r, s, &ids_ice, &noise));
        json_object_set_new(d, "asks", asks("hold", "notify"));
        json_object_set_new(d, "items", json_array());
        json_object_set_new(d, "scope", json_null());
        json_t *docs = json_array();
        char name[64], about[64];
        snprintf(about, sizeof(about), "booking %" PRIu64, s->booking_number);
        snprintf(name, sizeof(name), "I-247A-%" PRId64 ".pdf", 250000 + j);
        json_array_append_new(docs, doc_ref(name, about, t));
        /* ICE policy 10074.2: a signed I-200 or I-205 goes with every detainer; now and then
         * it does not arrive. */
        unsigned w = rng_below(&r, 1000);
        if (w < 880) {
            snprintf(name, sizeof(name), "%s-%" PRId64 ".pdf", w < 760 ? "I-200" : "I-205",
                     250000 + j);
            json_array_append_new(docs, doc_ref(name, about, t));
        }
        json_object_set_new(d, "documents", docs);
        json_object_set_new(d, "note", json_string(rng_pick(&r, receipt_notes, 4)));
        add_request(x, t, d, s, noise);
    }
    picker_free(&p);
}

static void gen_notifications(struct ctx *x)
{
    struct rng cr;
    rng_seed(&cr, x->opts->seed, STREAM_COUNTS, STREAM_NOTIFY);
    int64_t n = scaled_count(x, &cr, CUST_GEN_NOTIFICATIONS_PER_YEAR);
    struct picker p;
    picker_build(&p, x, &spec_notify);
    for (int64_t j = 0; j < n; j++) {
        struct rng r;
        rng_seed(&r, x->opts->seed, STREAM_NOTIFY, (uint64_t)j);
        size_t i;
        int64_t t;
        if (!pick_stay(x, &p, &spec_notify, STREAM_NOTIFY, &r, &i, &t))
            continue;
        const struct rstay *s = &x->county.v[i];
        unsigned how = rng_below(&r, 100); /* I-247A notify box 45, phone 35, e-mail 20 */
        unsigned noise;
        json_t *d = request_head("notification_request", how < 45 ? "I-247A" : NULL,
                                 ice_requester(&r, 20, how < 45), t, NULL);
        json_object_set_new(d, "subject",
                            subject_json(x, &r, s, how < 45 ? &ids_ice : &ids_phone, &noise));
        json_object_set_new(d, "asks", asks("notify", NULL));
        json_object_set_new(d, "items", json_array());
        json_object_set_new(d, "scope", json_null());
        json_t *docs = json_array();
        char name[64], about[64];
        snprintf(about, sizeof(about), "booking %" PRIu64, s->booking_number);
        const char *note;
        if (how < 45) {
            snprintf(name, sizeof(name), "I-247A-N%" PRId64 ".pdf", 80000 + j);
            json_array_append_new(docs, doc_ref(name, about, t));
            note = "I-247A with only the notification box checked; received by fax";
        } else if (how < 80) {
            note = "telephone request for the release date and time; call logged by the "
                   "records clerk";
        } else {
            snprintf(name, sizeof(name), "ero-email-%" PRId64 ".eml", 80000 + j);
            json_array_append_new(docs, doc_ref(name, about, t));
            note = "e-mail asking to be told of the release date and time";
        }
        json_object_set_new(d, "documents", docs);
        json_object_set_new(d, "note", json_string(note));
        add_request(x, t, d, s, noise);
    }
    picker_free(&p);
}

/* Transfer requests, standalone administrative warrants and interview requests. */
static void gen_other_ice(struct ctx *x, unsigned stream, double per_year)
{
    const struct kind_spec *k = stream == STREAM_TRANSFER    ? &spec_transfer
                                : stream == STREAM_INTERVIEW ? &spec_interview
                                                             : &spec_admin;
    struct rng cr;
    rng_seed(&cr, x->opts->seed, STREAM_COUNTS, stream);
    int64_t n = scaled_count(x, &cr, per_year);
    struct picker p;
    picker_build(&p, x, k);
    for (int64_t j = 0; j < n; j++) {
        struct rng r;
        rng_seed(&r, x->opts->seed, stream, (uint64_t)j);
        size_t i;
        int64_t t;
        if (!pick_stay(x, &p, k, stream, &r, &i, &t))
            continue;
        const struct rstay *s = &x->county.v[i];
        char name[64], about[64];
        snprintf(about, sizeof(about), "booking %" PRIu64, s->booking_number);
        json_t *d, *docs = json_array();
        const char *note;
        if (stream == STREAM_TRANSFER) {
            d = request_head("transfer_request", NULL, ice_requester(&r, 50, false), t, NULL);
            snprintf(name, sizeof(name), "ero-transfer-%" PRId64 ".eml", 5000 + j);
            json_array_append_new(docs, doc_ref(name, about, t));
            note = "e-mail asking the jail to hand the person to ERO officers at release";
        } else if (stream == STREAM_INTERVIEW) {
            bool hsi = rng_chance(&r, 200);
            d = request_head("interview_request", NULL,
                             hsi ? requester("ICE", "Homeland Security Investigations, Los Angeles",
                                             "Special Agent P. DUARTE, (213) 555-0188, "
                                             "hsi-la@example.gov")
                                 : ice_requester(&r, 0, false),
                             t, NULL);
            note = "asks to interview the person at the facility";
        } else {
            bool i205 = rng_chance(&r, 300);
            d = request_head("administrative_warrant", i205 ? "I-205" : "I-200",
                             ice_requester(&r, 0, false), t, NULL);
            snprintf(name, sizeof(name), "%s-S%" PRId64 ".pdf", i205 ? "I-205" : "I-200", 7000 + j);
            json_array_append_new(docs, doc_ref(name, about, t));
            note = i205 ? "warrant of removal signed by an ICE officer, sent without a detainer"
                        : "warrant for arrest of alien signed by an ICE supervisory officer";
        }
        unsigned noise;
        json_object_set_new(d, "subject", subject_json(x, &r, s, &ids_ice, &noise));
        json_object_set_new(d, "asks",
                            stream == STREAM_TRANSFER    ? asks("transfer", NULL)
                            : stream == STREAM_INTERVIEW ? asks("interview", NULL)
                                                         : asks("arrest", "transfer"));
        json_object_set_new(d, "items", json_array());
        json_object_set_new(d, "scope", json_null());
        json_object_set_new(d, "documents", docs);
        json_object_set_new(d, "note", json_string(note));
        add_request(x, t, d, s, noise);
    }
    picker_free(&p);
}

/* Judicial warrants per month at the default scale: LA County handed 20 people to ICE on
 * federal judicial warrants in May-June 2025; the pace held through the summer. */
static double judicial_per_month(int y, unsigned m)
{
    int ym = y * 12 + (int)m;
    if (ym >= 2025 * 12 + 5 && ym <= 2025 * 12 + 8)
        return 10.0;
    if (ym > 2025 * 12 + 8)
        return 4.0;
    return 1.0;
}

static json_t *court_requester(struct rng *r, bool marshals)
{
    char contact[160];
    if (marshals) {
        snprintf(contact, sizeof(contact),
                 "Deputy U.S. Marshal %c. %s, (213) 555-01%02u, "
                 "usms-cdca-warrants@example.gov",
                 'A' + rng_below(r, 26), rng_chance(r, 500) ? "HARGROVE" : "QUINTERO",
                 rng_below(r, 100));
        return requester("U.S. Marshals Service", "Central District of California", contact);
    }
    snprintf(contact, sizeof(contact),
             "Criminal Intake, Clerk's Office, (213) 555-01%02u, "
             "cdca-intake@example.gov",
             rng_below(r, 100));
    return requester("U.S. District Court", "Central District of California", contact);
}

static void judicial_case(struct rng *r, int64_t t, bool magistrate, char out[32])
{
    int32_t day, sod;
    la_local(t, &day, &sod);
    int y;
    unsigned m, d;
    cust_civil_from_days(day, &y, &m, &d);
    snprintf(out, 32, "2:%02d-%s-%05u", y % 100, magistrate ? "mj" : "cr",
             magistrate ? rng_range(r, 1000, 6999) : rng_range(r, 100, 899));
}

static void gen_judicial(struct ctx *x)
{
    struct rng cr;
    rng_seed(&cr, x->opts->seed, STREAM_COUNTS, STREAM_JUDICIAL);
    int y;
    unsigned m, d;
    cust_civil_from_days(x->window_start, &y, &m, &d);
    uint64_t j = 0;
    for (;;) {
        int32_t first = cust_days_from_civil(y, m, 1);
        if (first > x->end_day)
            break;
        int32_t next =
            m == 12 ? cust_days_from_civil(y + 1, 1, 1) : cust_days_from_civil(y, m + 1, 1);
        int32_t lo = first < x->window_start ? x->window_start : first;
        int32_t hi = next - 1 > x->end_day ? x->end_day : next - 1;
        double share = (double)(hi - lo + 1) / (double)(next - first);
        int64_t n = rng_round(&cr, judicial_per_month(y, m) * x->scale * share);
        for (int64_t k = 0; k < n; k++, j++) {
            struct rng r;
            rng_seed(&r, x->opts->seed, STREAM_JUDICIAL, j);
            int32_t day = rng_range(&r, lo, hi);
            for (int i = 0; i < 7 && !weekday(day); i++)
                day = day + 1 > hi ? lo : day + 1;
            int64_t t = business_time(&r, day);
            size_t i;
            if (t >= x->county.end_t ||
                !pick_in_custody(x, &spec_judicial, STREAM_JUDICIAL, &r, t, &i))
                continue;
            const struct rstay *s = &x->county.v[i];
            bool marshals = rng_chance(&r, 600);
            bool magistrate = rng_chance(&r, 700);
            char cs[32], name[64], note[256];
            judicial_case(&r, t, magistrate, cs);
            json_t *dd =
                request_head("judicial_warrant", "AO 442", court_requester(&r, marshals), t, NULL);
            unsigned noise;
            json_object_set_new(dd, "subject", subject_json(x, &r, s, &ids_court, &noise));
            json_object_set_new(dd, "asks", asks("transfer", NULL));
            json_object_set_new(dd, "items", json_array());
            json_object_set_new(dd, "scope", json_null());
            json_t *docs = json_array();
            snprintf(name, sizeof(name), "AO442-%s.pdf", cs);
            json_array_append_new(docs, doc_ref(name, "arrest warrant", t));
            json_object_set_new(dd, "documents", docs);
            snprintf(note, sizeof(note),
                     "arrest warrant, United States v. %s, case %s, 8 U.S.C. %s; signed by a U.S. "
                     "%s Judge",
                     sfield(&x->county, s, 0), cs, rng_chance(&r, 850) ? "1326(a)" : "1326(b)(2)",
                     magistrate ? "Magistrate" : "District");
            json_object_set_new(dd, "note", json_string(note));
            add_request(x, t, dd, s, noise);
        }
        y = m == 12 ? y + 1 : y;
        m = m == 12 ? 1 : m + 1;
    }
}

/* A couple of probable-cause determinations over the window. */
static void gen_probable_cause(struct ctx *x)
{
    struct rng cr;
    rng_seed(&cr, x->opts->seed, STREAM_COUNTS, STREAM_PROBABLE_CAUSE);
    int64_t n = scaled_count(x, &cr, 1.0);
    for (int64_t j = 0; j < n; j++) {
        struct rng r;
        rng_seed(&r, x->opts->seed, STREAM_PROBABLE_CAUSE, (uint64_t)j);
        int32_t day = rng_range(&r, x->window_start, x->end_day);
        while (!weekday(day))
            day--;
        int64_t t = business_time(&r, day);
        size_t i;
        if (day < x->window_start || t >= x->county.end_t ||
            !pick_in_custody(x, &spec_judicial, STREAM_PROBABLE_CAUSE, &r, t, &i))
            continue;
        const struct rstay *s = &x->county.v[i];
        char cs[32], name[64], note[256];
        judicial_case(&r, t, true, cs);
        json_t *d =
            request_head("judicial_probable_cause", NULL, court_requester(&r, false), t, NULL);
        unsigned noise;
        json_object_set_new(d, "subject", subject_json(x, &r, s, &ids_court, &noise));
        json_object_set_new(d, "asks", asks("transfer", NULL));
        json_object_set_new(d, "items", json_array());
        json_object_set_new(d, "scope", json_null());
        json_t *docs = json_array();
        snprintf(name, sizeof(name), "pc-determination-%s.pdf", cs);
        json_array_append_new(docs, doc_ref(name, "probable cause", t));
        json_object_set_new(d, "documents", docs);
        snprintf(note, sizeof(note),
                 "probable-cause determination by a U.S. Magistrate Judge on a criminal complaint, "
                 "case %s, 8 U.S.C. 1326(a)",
                 cs);
        json_object_set_new(d, "note", json_string(note));
        add_request(x, t, d, s, noise);
    }
}

static json_t *items(const char *const *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

static json_t *scope_non_citizens(int32_t as_of)
{
    char d[11];
    cust_date_format(as_of, d);
    json_t *s = json_object();
    json_object_set_new(s, "population", json_string("in_custody"));
    json_object_set_new(s, "citizenship", json_string("non_citizen"));
    json_object_set_new(s, "as_of", json_string(d));
    return s;
}

static bool in_window(const struct ctx *x, int32_t day)
{
    return day >= x->window_start && day <= x->end_day;
}

static const char doj_letter[] =
    "SYNTHETIC DOCUMENT generated by `custodian gen` for testing. Not a real letter.\n"
    "\n"
    "U.S. Department of Justice\n"
    "Office of the Deputy Attorney General\n"
    "Washington, D.C.\n"
    "\n"
    "July 17, 2025\n"
    "\n"
    "To the Sheriff of the County\n"
    "\n"
    "Re: Request for information on non-citizens in your custody\n"
    "\n"
    "The Department requests that you provide, within 30 days of the date of this letter, a list\n"
    "of every person in your jail who is not a United States citizen, as of the date of this\n"
    "letter, with each person's name, date of birth and booking information, the crimes for which\n"
    "the person was arrested or convicted, and the person's scheduled release date.\n"
    "\n"
    "Please send the list to the contact below by August 16, 2025.\n"
    "\n"
    "Office of the Deputy Attorney General\n"
    "(202) 555-0100  odag-data-requests@example.gov\n";

static void gen_doj_letter(struct ctx *x)
{
    int32_t day = cust_days_from_civil(2025, 7, 17);
    if (!in_window(x, day))
        return;
    struct rng r;
    rng_seed(&r, x->opts->seed, STREAM_DOJ, 0);
    int64_t t = la_instant(day, rng_range(&r, 9 * 60, 16 * 60) * 60 + rng_range(&r, 0, 59));
    if (t >= x->county.end_t)
        return;
    json_t *d = request_head("information_request", NULL,
                             requester("U.S. Department of Justice",
                                       "Office of the Deputy Attorney General",
                                       "(202) 555-0100, odag-data-requests@example.gov"),
                             t, "2025-08-16");
    json_object_set_new(d, "subject", json_null());
    json_object_set_new(d, "asks", json_array());
    static const char *const it[] = {"booking_facts", "charges", "convictions", "release_date"};
    json_object_set_new(d, "items", items(it, CUST_ARRAY_LEN(it)));
    json_object_set_new(d, "scope", scope_non_citizens(day));
    json_t *docs = json_array();
    json_array_append_new(docs, doc_full("doj-odag-letter-2025-07-17.txt", doj_letter));
    json_object_set_new(d, "documents", docs);
    json_object_set_new(d, "note",
                        json_string("letter to California sheriffs asking for every non-citizen "
                                    "in custody, with crimes of arrest or conviction and "
                                    "scheduled release dates, within 30 days; received by e-mail"));
    add_request(x, t, d, NULL, 0);
}

static const char subpoena_text[] =
    "SYNTHETIC DOCUMENT generated by `custodian gen` for testing. Not a real subpoena.\n"
    "\n"
    "U.S. Department of Homeland Security\n"
    "Immigration and Customs Enforcement, ERO Los Angeles Field Office\n"
    "\n"
    "SUBPOENA FOR RECORDS (Form I-138)\n"
    "Issued under 8 U.S.C. 1225(d)(4) and 8 CFR 287.4\n"
    "\n"
    "To the Custodian of Records, County Sheriff's Department, Custody Division\n"
    "\n"
    "You are commanded to produce, by November 4, 2025, for every person in your custody on\n"
    "October 21, 2025 who is not a United States citizen: booking records, charges, criminal\n"
    "history, citizenship information, scheduled release date and home address.\n"
    "\n"
    "Contact: ERO Los Angeles, (213) 555-0150, ero-la-subpoenas@example.gov\n";

static void gen_subpoena(struct ctx *x)
{
    int32_t day = cust_days_from_civil(2025, 10, 21);
    if (!in_window(x, day))
        return;
    struct rng r;
    rng_seed(&r, x->opts->seed, STREAM_SUBPOENA, 0);
    int64_t t = la_instant(day, rng_range(&r, 9 * 60, 16 * 60) * 60 + rng_range(&r, 0, 59));
    if (t >= x->county.end_t)
        return;
    json_t *d = request_head("administrative_subpoena", "I-138",
                             requester("ICE", "ERO Los Angeles Field Office",
                                       "Supervisory Detention and Deportation Officer R. SALAZAR, "
                                       "(213) 555-0150, ero-la-subpoenas@example.gov"),
                             t, "2025-11-04");
    json_object_set_new(d, "subject", json_null());
    json_object_set_new(d, "asks", json_array());
    static const char *const it[] = {"booking_facts", "charges",      "convictions",
                                     "citizenship",   "release_date", "home_address"};
    json_object_set_new(d, "items", items(it, CUST_ARRAY_LEN(it)));
    json_object_set_new(d, "scope", scope_non_citizens(day));
    json_t *docs = json_array();
    json_array_append_new(docs, doc_full("ice-i138-subpoena-2025-10-21.txt", subpoena_text));
    json_object_set_new(d, "documents", docs);
    json_object_set_new(d, "note",
                        json_string("administrative subpoena under 8 U.S.C. 1225(d)(4); not "
                                    "self-executing: only a district court order compels "
                                    "compliance; served in person"));
    add_request(x, t, d, NULL, 0);
}

/* One federal court order compelling production of one person's custody records. */
static void gen_court_order(struct ctx *x)
{
    int32_t day = cust_days_from_civil(2026, 1, 13);
    if (!in_window(x, day))
        return;
    struct rng r;
    rng_seed(&r, x->opts->seed, STREAM_COURT_ORDER, 0);
    int64_t t = business_time(&r, day);
    size_t i;
    if (t >= x->county.end_t || !pick_in_custody(x, &spec_judicial, STREAM_COURT_ORDER, &r, t, &i))
        return;
    const struct rstay *s = &x->county.v[i];
    char cs[32], name[64], note[256], due[11];
    judicial_case(&r, t, false, cs);
    cust_date_format(day + 14, due);
    json_t *d = request_head("court_order", NULL, court_requester(&r, false), t, due);
    unsigned noise;
    json_object_set_new(d, "subject", subject_json(x, &r, s, &ids_court, &noise));
    json_object_set_new(d, "asks", json_array());
    static const char *const it[] = {"booking_facts", "charges", "convictions", "release_date"};
    json_object_set_new(d, "items", items(it, CUST_ARRAY_LEN(it)));
    json_object_set_new(d, "scope", json_null());
    json_t *docs = json_array();
    snprintf(name, sizeof(name), "order-%s.pdf", cs);
    json_array_append_new(docs, doc_ref(name, "order compelling production", t));
    json_object_set_new(d, "documents", docs);
    snprintf(note, sizeof(note),
             "order of a U.S. District Judge in United States v. %s, case %s, compelling "
             "production of the defendant's custody records within 14 days",
             sfield(&x->county, s, 0), cs);
    json_object_set_new(d, "note", json_string(note));
    add_request(x, t, d, s, noise);
}

/* ---- public API --------------------------------------------------------------------------- */

static int req_cmp(const void *a, const void *b)
{
    const struct req *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

enum cust_status cust_gen_requests_new(const struct cust_gen_opts *opts,
                                       struct cust_gen_requests **out, struct cust_err *err)
{
    *out = NULL;
    if (sodium_init() < 0)
        return cust_err_set(err, CUST_EINVAL, "libsodium failed to initialise");
    struct cust_gen *g;
    enum cust_status st = cust_gen_new(opts, &g, err);
    if (st != CUST_OK)
        return st;
    struct ctx x;
    memset(&x, 0, sizeof(x));
    x.opts = opts;
    x.end_day = opts->end_day;
    x.window_start = cust_gen_window_start(opts);
    /* bookings a day against the default scale's (the volumes are per year at that scale) */
    x.scale = ((double)opts->bookings / (double)cust_gen_window_days(opts)) /
              ((double)CUST_GEN_DEFAULT_BOOKINGS / (double)CUST_GEN_WINDOW_DAYS);
    x.county.open_t = la_instant(x.window_start, 0);
    x.county.end_t = cust_gen_snapshot_time(g);
    cust_gen_set_observer(g, observe, &x.county);
    struct cust_buf line = CUST_BUF_INIT;
    bool done = false;
    while (st == CUST_OK && !done) {
        cust_buf_reset(&line);
        st = cust_gen_next(g, &line, &done);
    }
    cust_buf_release(&line);
    cust_gen_free(g);
    if (st != CUST_OK) {
        free(x.county.v);
        free(x.county.arena);
        return cust_err_set(err, st, "cannot generate the county");
    }
    x.used = cust_xcalloc(x.county.n ? x.county.n : 1, 1);
    x.out = cust_xcalloc(1, sizeof(*x.out));

    gen_detainers(&x);
    gen_notifications(&x);
    gen_other_ice(&x, STREAM_TRANSFER, 5.0);
    gen_other_ice(&x, STREAM_ADMIN_WARRANT, 12.0);
    gen_other_ice(&x, STREAM_INTERVIEW, CUST_GEN_INTERVIEWS_PER_YEAR);
    gen_judicial(&x);
    gen_probable_cause(&x);
    gen_doj_letter(&x);
    gen_subpoena(&x);
    gen_court_order(&x);

    qsort(x.out->v, x.out->n, sizeof(*x.out->v), req_cmp);
    free(x.used);
    free(x.county.v);
    free(x.county.arena);
    *out = x.out;
    return CUST_OK;
}

size_t cust_gen_requests_count(const struct cust_gen_requests *rq)
{
    return rq->n;
}

const char *cust_gen_requests_json(const struct cust_gen_requests *rq, size_t i)
{
    return i < rq->n ? rq->v[i].json : NULL;
}

const struct cust_gen_request_truth *cust_gen_requests_truth(const struct cust_gen_requests *rq,
                                                             size_t i)
{
    return i < rq->n ? &rq->v[i].truth : NULL;
}

enum cust_status cust_gen_requests_write(const struct cust_gen_requests *rq, FILE *f,
                                         struct cust_err *err)
{
    for (size_t i = 0; i < rq->n; i++)
        if (fputs(rq->v[i].json, f) == EOF || fputc('\n', f) == EOF)
            return cust_err_set(err, CUST_EIO, "cannot write the requests: %s", strerror(errno));
    if (fflush(f) != 0)
        return cust_err_set(err, CUST_EIO, "cannot write the requests: %s", strerror(errno));
    return CUST_OK;
}

void cust_gen_requests_free(struct cust_gen_requests *rq)
{
    if (!rq)
        return;
    for (size_t i = 0; i < rq->n; i++)
        free(rq->v[i].json);
    free(rq->v);
    free(rq);
}
