/*
 * gen.c - the synthetic county generator (see include/custodian/gen.h and
 * docs/internals/gen.md).
 *
 * Shape: the window is walked day by day. Each day gets an exact share of the
 * requested bookings; each booking's stay (kind, length, sentence) is drawn
 * from its own PRNG stream keyed by (seed, day, rank), so the stay does not
 * depend on anything generated before it. Persons are the only sequential
 * state: a booking either re-books an earlier person who is out of custody
 * (recidivism) or creates a new one; a person's attributes are drawn from a
 * stream keyed by (seed, person index), so every booking of a person repeats
 * the same name, date of birth, identifiers and criminal history.
 */
#include "custodian/compat.h"
#include "custodian/buf.h"
#include "custodian/datadir.h"
#include "custodian/date.h"
#include "custodian/gen.h"

#include "custodian/csv.h"
#include "custodian/release.h"
#include "gen_names.h"
#include "gen_rng.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>

/* ---- PRNG: gen_rng.h ---------------------------------------------------------------- */

/* Pick an index by integer weights. */
static size_t rng_weighted(struct rng *r, const unsigned *w, size_t n)
{
    unsigned total = 0;
    for (size_t i = 0; i < n; i++)
        total += w[i];
    unsigned x = rng_below(r, total);
    for (size_t i = 0; i < n; i++) {
        if (x < w[i])
            return i;
        x -= w[i];
    }
    return n - 1;
}

static const char *rng_pick(struct rng *r, const struct gen_list *l)
{
    return l->v[rng_below(r, (uint32_t)l->n)];
}

/* ---- LA local time ------------------------------------------------------------------- */

/* Day number of the n-th Sunday (n >= 1) of month m in year y. */
static int32_t nth_sunday(int y, unsigned m, int n)
{
    int32_t first = cust_days_from_civil(y, m, 1);
    int wd = cust_weekday(first);
    return first + (7 - wd) % 7 + 7 * (n - 1);
}

int cust_gen_la_offset(int64_t t)
{
    int32_t day = (int32_t)((t >= 0 ? t : t - 86399) / 86400);
    int y;
    unsigned m, d;
    cust_civil_from_days(day, &y, &m, &d);
    /* Since 2007: PDT from the second Sunday of March 02:00 PST (10:00 UTC) to the first
     * Sunday of November 02:00 PDT (09:00 UTC). */
    int64_t start = (int64_t)nth_sunday(y, 3, 2) * 86400 + 10 * 3600;
    int64_t end = (int64_t)nth_sunday(y, 11, 1) * 86400 + 9 * 3600;
    return (t >= start && t < end) ? -420 : -480;
}

/* The instant of local LA time (day, seconds of day). A time skipped by the spring change
 * is read as standard time (so it lands an hour later on the clock); a repeated hour in
 * November is read as daylight time. */
static int64_t la_instant(int32_t day, int32_t sod)
{
    int64_t local = (int64_t)day * 86400 + sod;
    int64_t dst = local + 420 * 60;
    if (cust_gen_la_offset(dst) == -420)
        return dst;
    return local + 480 * 60;
}

static int32_t la_day(int64_t t)
{
    return cust_time_local_day(t, cust_gen_la_offset(t));
}

/* ---- the offense table ---------------------------------------------------------------- */

/* The line writer (helpers below). */
struct w {
    char *p;
    size_t n, cap;
};

enum lvl { LVL_FELONY, LVL_MISDEMEANOR, LVL_INFRACTION, LVL_WOBBLER, LVL_NA };

struct offense {
    struct cust_gen_offense pub;
    enum lvl lvl;
};

struct cdf {
    uint32_t *cum; /* cumulative weights */
    uint32_t *idx; /* offense index per entry */
    size_t n;
};

struct cust_gen {
    struct cust_gen_opts opts;
    struct offense *off;
    size_t noff;
    struct cdf all, priors, serious_violent, felonies;
    /* walking the window */
    int32_t window_start, warm_start, day;
    int32_t window_days;
    int64_t end_t; /* end of the last day: the snapshot instant */
    struct stay *stays;
    size_t nstays, istay, stays_alloc;
    uint64_t booking_no;
    /* persons: the instant each one's latest stay ends */
    int64_t *free_at;
    int32_t *created;             /* the day each person was first booked (anchors their dates) */
    int32_t *conv_off, *conv_day; /* latest conviction from a booking in the output, or -1 */
    uint8_t *conv_felony;
    size_t npersons, persons_alloc;
    struct w *w;
    void (*observer)(void *ctx, const struct cust_gen_booking *b);
    void *observer_ctx;
};

static void cdf_build(struct cdf *c, const struct offense *off, size_t n,
                      bool (*keep)(const struct offense *))
{
    c->cum = cust_xcalloc(n ? n : 1, sizeof(*c->cum));
    c->idx = cust_xcalloc(n ? n : 1, sizeof(*c->idx));
    c->n = 0;
    uint32_t total = 0;
    for (size_t i = 0; i < n; i++) {
        if (!keep(&off[i]))
            continue;
        total += off[i].pub.weight;
        c->cum[c->n] = total;
        c->idx[c->n++] = (uint32_t)i;
    }
}

static size_t cdf_pick(const struct cdf *c, struct rng *r)
{
    uint32_t x = rng_below(r, c->cum[c->n - 1]);
    size_t lo = 0, hi = c->n - 1;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (c->cum[mid] > x)
            hi = mid;
        else
            lo = mid + 1;
    }
    return c->idx[lo];
}

static void cdf_free(struct cdf *c)
{
    free(c->cum);
    free(c->idx);
}

static bool keep_all(const struct offense *o)
{
    return o->lvl != LVL_INFRACTION || o->pub.weight > 0;
}
static bool keep_prior(const struct offense *o)
{
    return o->lvl != LVL_NA && o->lvl != LVL_INFRACTION;
}
static bool keep_sv(const struct offense *o)
{
    return (o->pub.serious || o->pub.violent) && (o->lvl == LVL_FELONY || o->lvl == LVL_WOBBLER);
}
static bool keep_felony(const struct offense *o)
{
    return o->lvl == LVL_FELONY || o->lvl == LVL_WOBBLER;
}

static char *upper_dup(const char *s)
{
    char *d = cust_xstrdup(s);
    for (char *p = d; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    return d;
}

/* The Prop 47 table names sections ("HS 11350"); the common table names subdivisions
 * ("HS 11350(a)"). A code matches when it starts with the section and the next character
 * does not continue the section number. */
static bool section_matches(const char *code, const char *section)
{
    size_t n = strlen(section);
    if (strncmp(code, section, n) != 0)
        return false;
    char c = code[n];
    return c == '\0' || c == '(' || c == '/' || c == ' ';
}

static enum cust_status load_prop47(struct cust_gen *g, const char *path, struct cust_err *err)
{
    struct cust_csv csv;
    enum cust_status st = cust_csv_open_file(&csv, path, err);
    if (st != CUST_OK)
        return st;
    bool header = true;
    while ((st = cust_csv_next(&csv, err)) == CUST_OK && csv.nfields) {
        if (header) {
            header = false;
            continue;
        }
        for (size_t i = 0; i < g->noff; i++)
            if (section_matches(g->off[i].pub.code, csv.fields[0]))
                g->off[i].pub.prop47 = true;
    }
    if (st != CUST_OK)
        st = cust_csv_error(&csv, path, st, err);
    cust_csv_release(&csv);
    return st;
}

static enum cust_status load_offenses(struct cust_gen *g, const char *path, struct cust_err *err)
{
    struct cust_csv csv;
    enum cust_status st = cust_csv_open_file(&csv, path, err);
    if (st != CUST_OK)
        return st;
    static const char *const want[] = {
        "statute_code", "description",        "level",         "serious", "violent",
        "wobbler",      "trust_act_category", "frequency_hint"};
    size_t alloc = 0;
    bool header = true;
    while (st == CUST_OK) {
        if ((st = cust_csv_next(&csv, err)) != CUST_OK) {
            st = cust_csv_error(&csv, path, st, err);
            break;
        }
        if (!csv.nfields)
            break;
        char **fields = csv.fields;
        int nf = (int)csv.nfields;
        size_t lineno = csv.line;
        if (header) {
            header = false;
            for (size_t i = 0; i < CUST_ARRAY_LEN(want) && st == CUST_OK; i++)
                if ((int)i >= nf || strcmp(fields[i], want[i]) != 0)
                    st = cust_err_set(err, CUST_EINVAL, "%s:1: column %zu: expected '%s'", path,
                                      i + 1, want[i]);
        } else if (nf < 8) {
            st = cust_err_set(err, CUST_EINVAL, "%s:%zu: expected at least 8 fields, got %d", path,
                              lineno, nf);
        } else {
            enum lvl lv;
            if (strcmp(fields[2], "felony") == 0)
                lv = LVL_FELONY;
            else if (strcmp(fields[2], "misdemeanor") == 0)
                lv = LVL_MISDEMEANOR;
            else if (strcmp(fields[2], "infraction") == 0)
                lv = LVL_INFRACTION;
            else if (strcmp(fields[2], "wobbler") == 0)
                lv = LVL_WOBBLER;
            else if (strcmp(fields[2], "n/a") == 0)
                lv = LVL_NA;
            else
                lv = (enum lvl) - 1;
            unsigned w = strcmp(fields[7], "high") == 0     ? 20
                         : strcmp(fields[7], "medium") == 0 ? 5
                         : strcmp(fields[7], "low") == 0    ? 1
                                                            : 0;
            if ((int)lv < 0)
                st = cust_err_set(err, CUST_EINVAL, "%s:%zu: level: unknown value '%s'", path,
                                  lineno, fields[2]);
            else if (w == 0)
                st = cust_err_set(err, CUST_EINVAL, "%s:%zu: frequency_hint: unknown value '%s'",
                                  path, lineno, fields[7]);
            else if (!*fields[0])
                st = cust_err_set(err, CUST_EINVAL, "%s:%zu: statute_code: empty", path, lineno);
            if (st == CUST_OK) {
                if (g->noff == alloc) {
                    alloc = alloc ? 2 * alloc : 64;
                    g->off = cust_xrealloc(g->off, alloc * sizeof(*g->off));
                }
                struct offense *o = &g->off[g->noff++];
                memset(o, 0, sizeof(*o));
                o->pub.code = cust_xstrdup(fields[0]);
                o->pub.description = upper_dup(fields[1]);
                o->pub.level = cust_xstrdup(fields[2]);
                o->pub.serious = strcmp(fields[3], "yes") == 0;
                o->pub.violent = strcmp(fields[4], "yes") == 0;
                o->pub.weight =
                    lv == LVL_INFRACTION ? 0 : w; /* nobody is booked on an infraction */
                o->lvl = lv;
            }
        }
    }
    cust_csv_release(&csv);
    if (st == CUST_OK && g->noff == 0)
        st = cust_err_set(err, CUST_EINVAL, "%s: no offenses", path);
    return st;
}

size_t cust_gen_offense_count(const struct cust_gen *g)
{
    return g->noff;
}

const struct cust_gen_offense *cust_gen_offense_at(const struct cust_gen *g, size_t i)
{
    return i < g->noff ? &g->off[i].pub : NULL;
}

/* ---- setup ----------------------------------------------------------------------------- */

#define WARM_DAYS     1461 /* the longest stay we draw, so the window opens at steady state */
#define MAX_STAY_DAYS 1460

int32_t cust_gen_window_start(const struct cust_gen_opts *opts)
{
    return opts->start_day ? opts->start_day : opts->end_day - CUST_GEN_WINDOW_DAYS + 1;
}

int32_t cust_gen_window_days(const struct cust_gen_opts *opts)
{
    return opts->end_day - cust_gen_window_start(opts) + 1;
}

int64_t cust_gen_default_bookings(int32_t days)
{
    return (CUST_GEN_DEFAULT_BOOKINGS * (int64_t)days + CUST_GEN_WINDOW_DAYS / 2) /
           CUST_GEN_WINDOW_DAYS;
}

enum cust_status cust_gen_new(const struct cust_gen_opts *opts, struct cust_gen **out,
                              struct cust_err *err)
{
    *out = NULL;
    if (opts->bookings <= 0 || opts->bookings > 100000000)
        return cust_err_set(err, CUST_EINVAL, "'bookings' must be between 1 and 100000000");
    if (opts->end_day < cust_days_from_civil(2012, 1, 1) ||
        opts->end_day > cust_days_from_civil(2099, 12, 31)) /* sentences imposed after it must
                                                                stay in the calculator's range */
        return cust_err_set(err, CUST_EINVAL, "'end' must be between 2012-01-01 and 2099-12-31");
    if (opts->start_day &&
        (opts->start_day > opts->end_day || opts->end_day - opts->start_day + 1 > 36525))
        return cust_err_set(err, CUST_EINVAL,
                            "'start' must be on or before 'end', at most 100 years before it");
    const char *dir = opts->policies_dir;
    if (!dir || !*dir)
        dir = getenv("CUSTODIAN_POLICIES");
    if (!dir || !*dir)
        dir = cust_data_path("policies");

    struct cust_gen *g = cust_xcalloc(1, sizeof(*g));
    g->opts = *opts;
    g->opts.policies_dir = NULL;
    size_t plen = strlen(dir) + 64;
    char *path = cust_xmalloc(plen);
    snprintf(path, plen, "%s/tables/common-offenses.csv", dir);
    enum cust_status st = load_offenses(g, path, err);
    if (st == CUST_OK) {
        snprintf(path, plen, "%s/tables/prop47-offenses.csv", dir);
        st = load_prop47(g, path, err);
    }
    free(path);
    if (st != CUST_OK) {
        cust_gen_free(g);
        return st;
    }
    cdf_build(&g->all, g->off, g->noff, keep_all);
    cdf_build(&g->priors, g->off, g->noff, keep_prior);
    cdf_build(&g->serious_violent, g->off, g->noff, keep_sv);
    cdf_build(&g->felonies, g->off, g->noff, keep_felony);
    if (g->all.n == 0 || g->priors.n == 0 || g->serious_violent.n == 0 || g->felonies.n == 0) {
        cust_gen_free(g);
        return cust_err_set(err, CUST_EINVAL, "the offense table lacks felonies or misdemeanors");
    }
    g->window_start = cust_gen_window_start(opts);
    g->window_days = cust_gen_window_days(opts);
    g->warm_start = g->window_start - WARM_DAYS;
    g->day = g->warm_start;
    g->end_t = la_instant(opts->end_day + 1, 0);
    g->booking_no = 6000000;
    *out = g;
    return CUST_OK;
}

void cust_gen_free(struct cust_gen *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->noff; i++) {
        free(g->off[i].pub.code);
        free(g->off[i].pub.description);
        free(g->off[i].pub.level);
    }
    free(g->off);
    cdf_free(&g->all);
    cdf_free(&g->priors);
    cdf_free(&g->serious_violent);
    cdf_free(&g->felonies);
    free(g->stays);
    free(g->free_at);
    free(g->created);
    free(g->conv_off);
    free(g->conv_day);
    free(g->conv_felony);
    if (g->w)
        free(g->w->p);
    free(g->w);
    free(g);
}

/* ---- stays ----------------------------------------------------------------------------- */

enum kind { K_CITE, K_SHORT, K_PRETRIAL, K_SENTENCED, K_PRISON, K_LONG };

/* Shares per mille; lengths below. Calibrated so that the standing population is about
 * 13,000 at 200,000 bookings in two years (docs/internals/gen.md). */
static const unsigned kind_weights[] = {420, 220, 160, 170, 25, 5};

struct stay {
    int64_t booked_t, release_t;
    int32_t booked_day;
    uint32_t rank;
    enum kind kind;
    int32_t pre_days, term_days, imposed_on, calc_release; /* K_SENTENCED */
    struct rng r;
};

enum { STREAM_STAY = 1, STREAM_PERSON = 2 };

static const unsigned hour_weights[24] = {5, 4, 3, 2, 2, 2, 2, 3, 4, 5, 5, 5,
                                          5, 5, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6};
static const int32_t term_menu[] = {30, 60, 90, 120, 180, 240, 270, 365, 480, 540, 730, 1095, 1460};
static const unsigned term_weights[] = {10, 10, 12, 10, 15, 5, 5, 15, 3, 3, 6, 4, 2};

static int32_t capped_days(double d, int32_t lo, int32_t hi)
{
    if (d < lo)
        return lo;
    if (d > hi)
        return hi;
    return (int32_t)d;
}

static void plan_stay(const struct cust_gen *g, int32_t day, uint32_t rank, struct stay *s)
{
    memset(s, 0, sizeof(*s));
    rng_seed(&s->r, g->opts.seed, STREAM_STAY, ((uint64_t)(uint32_t)day << 32) | rank);
    struct rng *r = &s->r;
    int32_t sod = (int32_t)rng_weighted(r, hour_weights, 24) * 3600 + rng_range(r, 0, 59) * 60;
    s->booked_day = day;
    s->booked_t = la_instant(day, sod);
    s->rank = rank;
    s->kind = (enum kind)rng_weighted(r, kind_weights, CUST_ARRAY_LEN(kind_weights));
    int64_t los = 0; /* seconds, for the kinds without a sentence */
    switch (s->kind) {
    case K_CITE:
        los = (int64_t)((3.0 + rng_exp(r, 18.0)) * 3600.0);
        if (los > 72 * 3600)
            los = 72 * 3600 - rng_range(r, 0, 3600);
        break;
    case K_SHORT:
        los = (int64_t)capped_days(2.0 + rng_exp(r, 6.0), 2, 30) * 86400 + rng_range(r, 0, 86399);
        break;
    case K_PRETRIAL:
        los =
            (int64_t)capped_days(20.0 + rng_exp(r, 55.0), 20, 400) * 86400 + rng_range(r, 0, 86399);
        break;
    case K_PRISON:
        los = (int64_t)capped_days(45.0 + rng_exp(r, 160.0), 45, 900) * 86400 +
              rng_range(r, 0, 86399);
        break;
    case K_LONG:
        los = (int64_t)capped_days(365.0 + rng_exp(r, 400.0), 365, MAX_STAY_DAYS) * 86400 +
              rng_range(r, 0, 86399);
        break;
    case K_SENTENCED: {
        s->pre_days = capped_days(1.0 + rng_exp(r, 25.0), 1, 300);
        s->term_days = term_menu[rng_weighted(r, term_weights, CUST_ARRAY_LEN(term_weights))];
        s->imposed_on = day + s->pre_days - 1;
        struct cust_sentence sen = {s->imposed_on, s->term_days, s->pre_days};
        struct cust_release_calc calc;
        enum cust_status st = cust_release_compute(&sen, &calc, NULL);
        CUST_ASSERT(st == CUST_OK);
        s->calc_release = calc.release_day;
        s->release_t = la_instant(calc.release_day, rng_range(r, 6 * 3600, 20 * 3600));
        if (s->release_t <= s->booked_t + 3600)
            s->release_t = s->booked_t + rng_range(r, 2 * 3600, 6 * 3600);
        return;
    }
    }
    s->release_t = s->booked_t + los;
}

static int stay_cmp(const void *a, const void *b)
{
    const struct stay *x = a, *y = b;
    if (x->booked_t != y->booked_t)
        return x->booked_t < y->booked_t ? -1 : 1;
    return x->rank < y->rank ? -1 : x->rank > y->rank;
}

/* Plan the stays booked on `day` that the output will hold, in booking order. */
static void fill_day(struct cust_gen *g, int32_t day)
{
    int64_t n = g->opts.bookings, w = g->window_days;
    int64_t i = day - g->window_start;
    while (i < 0)
        i += w; /* the warm-up days repeat the window's daily counts */
    int64_t k = ((i + 1) * n) / w - (i * n) / w;
    if ((size_t)k > g->stays_alloc) {
        g->stays_alloc = (size_t)k;
        g->stays = cust_xrealloc(g->stays, g->stays_alloc * sizeof(*g->stays));
    }
    int64_t open_t = la_instant(g->window_start, 0);
    g->nstays = 0;
    g->istay = 0;
    for (int64_t j = 0; j < k; j++) {
        struct stay *s = &g->stays[g->nstays];
        plan_stay(g, day, (uint32_t)j, s);
        if (day < g->window_start && s->release_t <= open_t)
            continue; /* released before the window opens */
        g->nstays++;
    }
    qsort(g->stays, g->nstays, sizeof(*g->stays), stay_cmp);
}

/* ---- small formatting helpers (snprintf dominated the profile) ---------------------------- */

/* Bounded copy of `s` (n bytes at most) into dst[cap], always terminated. */
static void copyn(char *dst, size_t cap, const char *s, size_t n)
{
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, s, n);
    dst[n] = '\0';
}

static void copy(char *dst, size_t cap, const char *s)
{
    copyn(dst, cap, s, strlen(s));
}

/* Append `s` to the string in dst[cap]. */
static void append(char *dst, size_t cap, const char *s)
{
    size_t len = strlen(dst);
    copy(dst + len, cap - len, s);
}

/* Write v as exactly `width` digits (v >= 0). */
static void put_digits(char *o, unsigned v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        o[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

/* YYYY-MM-DD, or YYYY-MM-XX / YYYY-XX-XX for a partial date (out: 11 bytes). */
static void fmt_date(int32_t day, enum cust_date_precision prec, char out[11])
{
    int y;
    unsigned m, d;
    cust_civil_from_days(day, &y, &m, &d);
    put_digits(out, (unsigned)y, 4);
    out[4] = '-';
    put_digits(out + 5, m, 2);
    out[7] = '-';
    put_digits(out + 8, d, 2);
    if (prec != CUST_DATE_DAY)
        out[8] = out[9] = 'X';
    if (prec == CUST_DATE_YEAR)
        out[5] = out[6] = 'X';
    out[10] = '\0';
}

/* ---- persons --------------------------------------------------------------------------- */

enum cit { CIT_CITIZEN, CIT_NON, CIT_UNKNOWN };
static const char *const cit_names[] = {"citizen", "non_citizen", "unknown"};
static const char *const imm_names[] = {NULL, "permanent_resident", "visa_holder", "undocumented",
                                        "unknown"};
static const char *const source_names[] = {"self_reported", "consular_notification", "document",
                                           "federal_record", "court_record"};

struct alias {
    char last[96], first[64], dob[11];
};

struct prior {
    size_t off;
    int32_t day;
    bool felony;
    const char *jurisdiction;
};

#define MAX_PRIORS 12

struct person {
    size_t idx;
    const struct gen_group *grp;
    char last[96], first[64], middle[64];
    bool has_middle;
    struct cust_date dob;
    char sex;
    const char *pob;
    enum cit cit;
    int imm; /* index into imm_names */
    int source;
    bool verified;
    char cii[16], fbi[16], sid[16], anum[16];
    char address[160];
    bool has_address, registrant;
    int naliases;
    struct alias aliases[2];
    int npriors;
    struct prior priors[MAX_PRIORS];
};

/* Replace upper-case Latin-1 letters with accents (UTF-8 C3 80..9F) by their base letter. */
static void strip_accents(char *s)
{
    static const char base[] = "AAAAAAACEEEEIIIIDNOOOOOxOUUUUYTs";
    char *o = s;
    for (const char *p = s; *p; p++) {
        if ((unsigned char)p[0] == 0xC3 && (unsigned char)p[1] >= 0x80 &&
            (unsigned char)p[1] <= 0x9F) {
            *o++ = base[(unsigned char)p[1] - 0x80];
            p++;
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
}

static const char *pick_given(struct rng *r, const struct gen_group *grp, char sex)
{
    return rng_pick(r, sex == 'F' ? &grp->female : &grp->male);
}

static void digits(struct rng *r, char *out, int n)
{
    for (int i = 0; i < n; i++)
        out[i] = (char)('0' + rng_below(r, 10));
    out[n] = '\0';
}

/* A person's names: surname (two-part, hyphenated), given and middle names, a suffix, accents
 * dropped as many systems do. */
static void make_names(struct rng *r, const struct gen_group *grp, char sex_for_names,
                       struct person *p)
{
    const char *l1 = rng_pick(r, &grp->last);
    unsigned form = rng_below(r, 1000);
    if (grp == &gen_groups[0] && form < 150) /* Hispanic two-part surname */
    {
        copy(p->last, sizeof(p->last), l1);
        append(p->last, sizeof(p->last), form < 110 ? " " : "-");
        append(p->last, sizeof(p->last), rng_pick(r, &grp->last));
    } else if (sex_for_names == 'F' && form > 965) {
        copy(p->last, sizeof(p->last), l1);
        append(p->last, sizeof(p->last), "-");
        append(p->last, sizeof(p->last), rng_pick(r, &grp->last));
    } else
        copy(p->last, sizeof(p->last), l1);
    copy(p->first, sizeof(p->first), pick_given(r, grp, sex_for_names));
    unsigned mid = rng_below(r, 1000);
    if (mid < 450) {
        const char *m = pick_given(r, grp, sex_for_names);
        copyn(p->middle, sizeof(p->middle), m, 1);
        p->has_middle = true;
    } else if (mid < 650) {
        copy(p->middle, sizeof(p->middle), pick_given(r, grp, sex_for_names));
        p->has_middle = strcmp(p->middle, p->first) != 0;
    }
    if (sex_for_names == 'M' && grp->weight >= 130 && rng_chance(r, 40)) {
        static const char *const suffixes[] = {" JR", " JR", " JR", " SR", " II", " III"};
        size_t len = strlen(p->last);
        snprintf(p->last + len, sizeof(p->last) - len, "%s",
                 suffixes[rng_below(r, CUST_ARRAY_LEN(suffixes))]);
    }
    if (rng_chance(r, 450)) { /* many systems drop accents */
        strip_accents(p->last);
        strip_accents(p->first);
        strip_accents(p->middle);
    }
}

/* Date of birth: 18 or older at the first booking; a few known only to the month or year.
 * Returns the exact day drawn (before any loss of precision). */
static int32_t make_dob(struct rng *r, int32_t created_day, struct person *p)
{
    int32_t age_days = (int32_t)(18.0 * 365.25) + (int32_t)(rng_exp(r, 14.0) * 365.25);
    if (age_days > 75 * 365)
        age_days = 75 * 365 - rng_range(r, 0, 3000);
    int32_t dob = created_day - age_days - rng_range(r, 0, 364);
    p->dob.day = dob;
    unsigned dp = rng_below(r, 1000);
    p->dob.precision = dp < 6 ? CUST_DATE_MONTH : dp < 8 ? CUST_DATE_YEAR : CUST_DATE_DAY;
    if (p->dob.precision != CUST_DATE_DAY) {
        int y;
        unsigned m, d;
        cust_civil_from_days(dob, &y, &m, &d);
        p->dob.day = cust_days_from_civil(y, p->dob.precision == CUST_DATE_MONTH ? m : 1, 1);
    }
    return dob;
}

/* Birthplace, citizenship, its source and whether it was verified, immigration status. */
static void make_citizenship(struct rng *r, const struct gen_group *grp, struct person *p)
{
    bool foreign = rng_chance(r, grp->foreign_born);
    if (!foreign) {
        p->pob = rng_chance(r, 15) ? NULL : "US";
    } else if (grp->alt_countries) {
        size_t n = 0;
        while (grp->alt_countries[n])
            n++;
        p->pob = grp->alt_countries[rng_below(r, (uint32_t)n)];
    } else {
        p->pob = grp->country;
    }
    unsigned c = rng_below(r, 1000);
    if (!foreign)
        p->cit = c < 980 ? CIT_CITIZEN : CIT_UNKNOWN;
    else
        p->cit = c < 300 ? CIT_CITIZEN : c < 850 ? CIT_NON : CIT_UNKNOWN;
    if (p->cit == CIT_CITIZEN) {
        static const unsigned w[] = {800, 0, 150, 0, 50};
        p->source = (int)rng_weighted(r, w, 5);
        p->imm = 0;
    } else if (p->cit == CIT_NON) {
        static const unsigned w[] = {400, 200, 100, 250, 50};
        static const unsigned iw[] = {0, 350, 80, 500, 70};
        p->source = (int)rng_weighted(r, w, 5);
        p->imm = (int)rng_weighted(r, iw, 5);
    } else {
        p->source = 0;
        p->imm = 4;
    }
    p->verified = (p->source == 2 || p->source == 3) && rng_chance(r, 600);
}

/* Identifiers: CII, FBI, an out-of-state SID, an A-number for some non-citizens. */
static void make_identifiers(struct rng *r, struct person *p)
{
    if (rng_chance(r, 880)) {
        p->cii[0] = 'A';
        digits(r, p->cii + 1, 8);
    }
    if (rng_chance(r, 750)) {
        digits(r, p->fbi, 6);
        p->fbi[6] = (char)('A' + rng_below(r, 26));
        p->fbi[7] = (char)('A' + rng_below(r, 26));
        digits(r, p->fbi + 8, 1);
    }
    if (rng_chance(r, 30)) {
        static const char *const st[] = {"NV", "AZ", "TX", "OR", "WA"};
        snprintf(p->sid, sizeof(p->sid), "%s", st[rng_below(r, 5)]);
        digits(r, p->sid + 2, 8);
    }
    unsigned an = p->imm == 1 || p->imm == 2 ? 850 : p->imm == 3 ? 450 : p->imm == 4 ? 60 : 0;
    if (p->cit == CIT_NON && rng_chance(r, an)) {
        p->anum[0] = 'A';
        p->anum[1] = rng_chance(r, 500) ? '0' : '2';
        digits(r, p->anum + 2, 8);
    }
}

/* Home address: none, transient, out of county, or a street in a county city. */
static void make_address(struct rng *r, struct person *p)
{
    unsigned a = rng_below(r, 1000);
    p->has_address = a >= 30;
    if (a >= 30 && a < 140) {
        snprintf(p->address, sizeof(p->address), "TRANSIENT, Los Angeles, CA");
    } else if (a >= 140 && a < 180) {
        static const char *const other[] = {"Riverside, CA 92501", "San Bernardino, CA 92401",
                                            "Santa Ana, CA 92701", "Las Vegas, NV 89101",
                                            "Oxnard, CA 93030",    "Phoenix, AZ 85003"};
        snprintf(p->address, sizeof(p->address), "%d %s %s, %s", rng_range(r, 100, 19999),
                 rng_pick(r, &gen_streets), rng_pick(r, &gen_street_types),
                 other[rng_below(r, CUST_ARRAY_LEN(other))]);
    } else if (a >= 180) {
        unsigned cw[64];
        for (size_t i = 0; i < gen_city_count; i++)
            cw[i] = gen_cities[i].weight;
        const struct gen_city *city = &gen_cities[rng_weighted(r, cw, gen_city_count)];
        static const char *const dirs[] = {"", "", "", "N ", "S ", "E ", "W "};
        char apt[24] = "";
        if (rng_chance(r, 300))
            snprintf(apt, sizeof(apt), " Apt %d", rng_range(r, 1, 40));
        snprintf(p->address, sizeof(p->address), "%d %s%s %s%s, %s, CA %05u",
                 rng_range(r, 100, 19999), dirs[rng_below(r, CUST_ARRAY_LEN(dirs))],
                 rng_pick(r, &gen_streets), rng_pick(r, &gen_street_types), apt, city->name,
                 city->zip_lo + rng_below(r, city->zip_hi - city->zip_lo + 1));
    }
    p->registrant = rng_chance(r, 25);
}

/* Aliases: a nickname, one part of a two-part surname, a date of birth off by a little, or
 * another surname. */
static void make_aliases(struct rng *r, const struct gen_group *grp, struct person *p)
{
    char dob_s[11];
    fmt_date(p->dob.day, p->dob.precision, dob_s);
    if (rng_chance(r, 180)) {
        p->naliases = rng_chance(r, 700) ? 1 : 2;
        for (int i = 0; i < p->naliases; i++) {
            struct alias *al = &p->aliases[i];
            copy(al->last, sizeof(al->last), p->last);
            copy(al->first, sizeof(al->first), p->first);
            copy(al->dob, sizeof(al->dob), dob_s);
            unsigned t = rng_below(r, 4);
            const char *nick = gen_nickname(p->first);
            char *sp = strpbrk(p->last, " -");
            if (t == 0 && nick) {
                copy(al->first, sizeof(al->first), nick);
            } else if (t == 1 && sp && grp == &gen_groups[0]) {
                copyn(al->last, sizeof(al->last), p->last, (size_t)(sp - p->last));
            } else if (t == 2 && p->dob.precision == CUST_DATE_DAY) {
                struct cust_date d = {p->dob.day + (rng_chance(r, 500) ? 365 : rng_range(r, -3, 3)),
                                      CUST_DATE_DAY};
                fmt_date(d.day, d.precision, al->dob);
            } else {
                copy(al->last, sizeof(al->last), rng_pick(r, &grp->last));
            }
        }
    }
}

/* Prior convictions: dated from age 18 to two years after the first booking, sorted;
 * a booking shows those before its own date. */
static void make_priors(const struct cust_gen *g, struct rng *r, int32_t dob, int32_t created_day,
                        struct person *p)
{
    static const unsigned nw[] = {350, 150, 120, 100, 80, 60, 50, 30, 25, 15, 10, 6, 4};
    p->npriors = (int)rng_weighted(r, nw, CUST_ARRAY_LEN(nw));
    int32_t lo = dob + (int32_t)(18 * 365.25), hi = created_day + 730;
    const int32_t prop47_day = cust_days_from_civil(2014, 11, 5);
    for (int i = 0; i < p->npriors; i++) {
        struct prior *pr = &p->priors[i];
        bool sv = rng_chance(r, 90);
        pr->off = cdf_pick(sv ? &g->serious_violent : &g->priors, r);
        pr->day = lo + (int32_t)((double)(hi - lo) * sqrt(rng_unit(r)));
        const struct offense *o = &g->off[pr->off];
        if (sv || o->lvl == LVL_FELONY)
            pr->felony = true;
        else if (o->pub.prop47 && pr->day < prop47_day && strncmp(o->pub.code, "PC 459.5", 8))
            pr->felony = rng_chance(r, 600); /* convicted as a felony before Prop 47 */
        else if (o->lvl == LVL_WOBBLER)
            pr->felony = rng_chance(r, 450);
        else
            pr->felony = false;
        static const char *const jur[] = {"NV", "AZ", "TX", "OR", "WA", "FL", "IL", "NY"};
        pr->jurisdiction = rng_chance(r, 950) ? "CA" : jur[rng_below(r, CUST_ARRAY_LEN(jur))];
    }
    for (int i = 1; i < p->npriors; i++) /* insertion sort by date */
        for (int j = i; j > 0 && p->priors[j - 1].day > p->priors[j].day; j--) {
            struct prior t = p->priors[j];
            p->priors[j] = p->priors[j - 1];
            p->priors[j - 1] = t;
        }
}

/* One person of the county, the same for the same seed and index: each part draws from the
 * person's own stream in a fixed order. */
static void make_person(const struct cust_gen *g, size_t idx, int32_t created_day, struct person *p)
{
    struct rng rr, *r = &rr;
    rng_seed(r, g->opts.seed, STREAM_PERSON, idx);
    memset(p, 0, sizeof(*p));
    p->idx = idx;
    unsigned gw[16];
    for (size_t i = 0; i < gen_group_count; i++)
        gw[i] = gen_groups[i].weight;
    const struct gen_group *grp = &gen_groups[rng_weighted(r, gw, gen_group_count)];
    p->grp = grp;
    unsigned sx = rng_below(r, 1000);
    p->sex = sx < 838 ? 'M' : sx < 998 ? 'F' : 'X';
    char sex_for_names = p->sex == 'X' ? (rng_chance(r, 500) ? 'M' : 'F') : p->sex;

    make_names(r, grp, sex_for_names, p);
    int32_t dob = make_dob(r, created_day, p);
    make_citizenship(r, grp, p);
    make_identifiers(r, p);
    make_address(r, p);
    make_aliases(r, grp, p);
    make_priors(g, r, dob, created_day, p);
}

/* ---- the line writer ------------------------------------------------------------------- */

static void w_reserve(struct w *w, size_t more)
{
    if (w->n + more <= w->cap)
        return;
    size_t cap = w->cap ? w->cap : 4096;
    while (cap < w->n + more)
        cap *= 2;
    w->p = cust_xrealloc(w->p, cap);
    w->cap = cap;
}

static void w_raw(struct w *w, const char *s, size_t n)
{
    w_reserve(w, n);
    memcpy(w->p + w->n, s, n);
    w->n += n;
}

#define W_LIT(w, s) w_raw((w), (s), sizeof(s) - 1)

static void w_str(struct w *w, const char *s)
{
    size_t n = strlen(s);
    w_reserve(w, 6 * n + 2);
    char *o = w->p + w->n;
    *o++ = '"';
    for (const unsigned char *q = (const unsigned char *)s; *q; q++) {
        if (*q == '"' || *q == '\\') {
            *o++ = '\\';
            *o++ = (char)*q;
        } else if (*q < 0x20) {
            o += snprintf(o, 7, "\\u%04x", *q);
        } else {
            *o++ = (char)*q;
        }
    }
    *o++ = '"';
    w->n = (size_t)(o - w->p);
}

static void w_str_or_null(struct w *w, const char *s)
{
    if (s && *s)
        w_str(w, s);
    else
        W_LIT(w, "null");
}

static void w_int(struct w *w, int64_t v)
{
    char tmp[CUST_DEC_MAX];
    const char *p = cust_dec(v, tmp);
    w_raw(w, p, (size_t)(tmp + CUST_DEC_MAX - p));
}

static void w_bool(struct w *w, bool b)
{
    if (b)
        W_LIT(w, "true");
    else
        W_LIT(w, "false");
}

static void w_date(struct w *w, int32_t day)
{
    w_reserve(w, 12);
    w->p[w->n] = '"';
    char d[11];
    fmt_date(day, CUST_DATE_DAY, d);
    memcpy(w->p + w->n + 1, d, 10);
    w->p[w->n + 11] = '"';
    w->n += 12;
}

/* "YYYY-MM-DDTHH:MM:SS-07:00" at the LA offset in force at t. */
static void w_time(struct w *w, int64_t t)
{
    int off = cust_gen_la_offset(t);
    int64_t local = t + (int64_t)off * 60;
    int32_t day = (int32_t)((local >= 0 ? local : local - 86399) / 86400);
    unsigned sod = (unsigned)(local - (int64_t)day * 86400);
    w_reserve(w, 27);
    char *o = w->p + w->n;
    o[0] = '"';
    char d[11];
    fmt_date(day, CUST_DATE_DAY, d);
    memcpy(o + 1, d, 10);
    o[11] = 'T';
    put_digits(o + 12, sod / 3600, 2);
    o[14] = ':';
    put_digits(o + 15, sod / 60 % 60, 2);
    o[17] = ':';
    put_digits(o + 18, sod % 60, 2);
    o[20] = off < 0 ? '-' : '+';
    put_digits(o + 21, (unsigned)(off < 0 ? -off : off) / 60, 2);
    o[23] = ':';
    put_digits(o + 24, (unsigned)(off < 0 ? -off : off) % 60, 2);
    o[26] = '"';
    w->n += 27;
}

/* ---- bookings -------------------------------------------------------------------------- */

enum outcome {
    OUT_IN_CUSTODY, /* still in custody at the snapshot, not sentenced */
    OUT_SENTENCED,  /* sentenced to jail time (in custody or released) */
    OUT_PENDING,    /* released with the case pending (bail, OR, citation) */
    OUT_DISMISSED,
    OUT_ACQUITTED,
    OUT_TIME_SERVED, /* convicted, released on time served */
    OUT_PRISON       /* sentenced to state prison and transferred */
};

/* Pick a person for a stay: an earlier person out of custody (recidivism) or a new one. */
static size_t pick_person(struct cust_gen *g, struct stay *s)
{
    struct rng *r = &s->r;
    if (g->npersons > 0 && rng_chance(r, 420)) {
        for (int tries = 0; tries < 3; tries++) {
            /* Favour recent persons: u^2 puts most picks near the newest. */
            double u = rng_unit(r);
            size_t back = (size_t)((double)g->npersons * u * u);
            size_t j = g->npersons - 1 - (back < g->npersons ? back : g->npersons - 1);
            if (g->free_at[j] + 86400 < s->booked_t) {
                g->free_at[j] = s->release_t;
                return j;
            }
        }
    }
    if (g->npersons == g->persons_alloc) {
        g->persons_alloc = g->persons_alloc ? 2 * g->persons_alloc : 4096;
        g->free_at = cust_xrealloc(g->free_at, g->persons_alloc * sizeof(*g->free_at));
        g->created = cust_xrealloc(g->created, g->persons_alloc * sizeof(*g->created));
        g->conv_off = cust_xrealloc(g->conv_off, g->persons_alloc * sizeof(*g->conv_off));
        g->conv_day = cust_xrealloc(g->conv_day, g->persons_alloc * sizeof(*g->conv_day));
        g->conv_felony = cust_xrealloc(g->conv_felony, g->persons_alloc * sizeof(*g->conv_felony));
    }
    g->free_at[g->npersons] = s->release_t;
    g->created[g->npersons] = s->booked_day;
    g->conv_off[g->npersons] = -1;
    g->conv_day[g->npersons] = 0;
    g->conv_felony[g->npersons] = 0;
    return g->npersons++;
}

static bool is_hold_code(const struct offense *o)
{
    return o->lvl == LVL_NA;
}

static void write_person(struct w *w, const struct person *p, int32_t booked_day)
{
    char tmp[48];
    W_LIT(w, "\"person\":{\"person_id\":");
    W_LIT(w, "\"P");
    w_int(w, (int64_t)(1000001 + p->idx));
    W_LIT(w, "\"");
    W_LIT(w, ",\"last_name\":");
    w_str(w, p->last);
    W_LIT(w, ",\"first_name\":");
    w_str(w, p->first);
    W_LIT(w, ",\"middle_name\":");
    w_str_or_null(w, p->has_middle ? p->middle : NULL);
    W_LIT(w, ",\"dob\":");
    char dob[11];
    fmt_date(p->dob.day, p->dob.precision, dob);
    w_str(w, dob);
    W_LIT(w, ",\"sex\":");
    tmp[0] = p->sex;
    tmp[1] = '\0';
    w_str(w, tmp);
    W_LIT(w, ",\"aliases\":[");
    for (int i = 0; i < p->naliases; i++) {
        if (i)
            W_LIT(w, ",");
        W_LIT(w, "{\"last_name\":");
        w_str(w, p->aliases[i].last);
        W_LIT(w, ",\"first_name\":");
        w_str(w, p->aliases[i].first);
        W_LIT(w, ",\"dob\":");
        w_str(w, p->aliases[i].dob);
        W_LIT(w, "}");
    }
    W_LIT(w, "],\"ids\":{\"cii\":");
    w_str_or_null(w, p->cii);
    W_LIT(w, ",\"fbi\":");
    w_str_or_null(w, p->fbi);
    W_LIT(w, ",\"sid\":");
    w_str_or_null(w, p->sid);
    W_LIT(w, ",\"a_number\":");
    w_str_or_null(w, p->anum);
    W_LIT(w, "},\"place_of_birth\":");
    w_str_or_null(w, p->pob);
    W_LIT(w, ",\"citizenship\":{\"status\":");
    w_str(w, cit_names[p->cit]);
    W_LIT(w, ",\"country\":");
    w_str_or_null(w, p->cit == CIT_CITIZEN ? "US" : p->cit == CIT_NON ? p->pob : NULL);
    W_LIT(w, ",\"source\":");
    w_str(w, source_names[p->source]);
    W_LIT(w, ",\"verified\":");
    w_bool(w, p->verified);
    W_LIT(w, ",\"recorded_at\":");
    w_date(w, booked_day);
    W_LIT(w, "},\"immigration_status\":");
    w_str_or_null(w, imm_names[p->imm]);
    W_LIT(w, ",\"home_address\":");
    w_str_or_null(w, p->has_address ? p->address : NULL);
    W_LIT(w, ",\"sex_arson_registrant\":");
    w_bool(w, p->registrant);
    W_LIT(w, "}");
}

static const char *facility_and_housing(struct rng *r, char sex, bool reception, char *housing,
                                        size_t hlen)
{
    if (reception) {
        snprintf(housing, hlen, "IRC / RECEPTION / %d", rng_range(r, 1, 30));
        return "Inmate Reception Center";
    }
    if (sex == 'F') {
        snprintf(housing, hlen, "CRDF %d00 / %d / %02d", rng_range(r, 1, 3) * 10 + 3,
                 rng_range(r, 2300, 2999), rng_range(r, 1, 40));
        return "Century Regional Detention Facility";
    }
    unsigned f = rng_below(r, 100);
    if (f < 40) {
        int mod = rng_range(r, 2, 9);
        snprintf(housing, hlen, "MCJ %d000 / %d%d00 / %d", mod, mod, rng_range(r, 1, 9),
                 rng_range(r, 1, 40));
        return "Men's Central Jail";
    }
    if (f < 60) {
        snprintf(housing, hlen, "TTCF T%d / %d / %c / %02d", rng_range(r, 1, 2),
                 rng_range(r, 101, 292), 'A' + rng_range(r, 0, 3), rng_range(r, 1, 16));
        return "Twin Towers Correctional Facility";
    }
    if (f < 85) {
        snprintf(housing, hlen, "NCCF %d00 / %d / %02d", rng_range(r, 1, 9), rng_range(r, 100, 999),
                 rng_range(r, 1, 60));
        return "North County Correctional Facility";
    }
    snprintf(housing, hlen, "PDCN %d / %d / %02d", rng_range(r, 1, 4) * 100, rng_range(r, 100, 499),
             rng_range(r, 1, 60));
    return "Pitchess Detention Center North";
}

static void write_prior(const struct cust_gen *g, struct w *w, const struct prior *pr, bool comma)
{
    if (comma)
        W_LIT(w, ",");
    W_LIT(w, "{\"code\":");
    w_str(w, g->off[pr->off].pub.code);
    W_LIT(w, ",\"level\":");
    w_str(w, pr->felony ? "felony" : "misdemeanor");
    W_LIT(w, ",\"date\":");
    w_date(w, pr->day);
    W_LIT(w, ",\"jurisdiction\":");
    w_str(w, pr->jurisdiction);
    W_LIT(w, "}");
}

/* How a stay ends (or stands at the snapshot): sentenced, still in custody, or for a released
 * person an outcome drawn by the kind of stay. */
static enum outcome stay_outcome(struct rng *r, const struct stay *s, bool released, bool sentenced)
{
    enum outcome out;
    if (sentenced) {
        out = OUT_SENTENCED;
    } else if (!released) {
        out = OUT_IN_CUSTODY;
    } else {
        unsigned x = rng_below(r, 1000);
        switch (s->kind) {
        case K_CITE:
            out = x < 800 ? OUT_PENDING : OUT_DISMISSED;
            break;
        case K_SHORT:
            out = x < 550 ? OUT_PENDING : x < 850 ? OUT_DISMISSED : OUT_TIME_SERVED;
            break;
        case K_PRETRIAL:
            out = x < 250   ? OUT_PENDING
                  : x < 600 ? OUT_DISMISSED
                  : x < 650 ? OUT_ACQUITTED
                            : OUT_TIME_SERVED;
            break;
        case K_PRISON:
            out = OUT_PRISON;
            break;
        default:
            out = x < 600 ? OUT_TIME_SERVED : x < 750 ? OUT_ACQUITTED : OUT_DISMISSED;
            break;
        }
    }
    return out;
}

/* The offenses charged on a stay (a serious or violent one leads a long stay, a felony a prison
 * or sentenced one), sometimes with a hold added; returns how many (at most 5). */
static int pick_charges(const struct cust_gen *g, struct rng *r, const struct stay *s,
                        size_t offs[6])
{
    static const unsigned ncw[] = {0, 550, 280, 120, 50};
    int ncharges = (int)rng_weighted(r, ncw, CUST_ARRAY_LEN(ncw));
    int n = 0;
    for (int i = 0; i < ncharges; i++) {
        const struct cdf *c = &g->all;
        if (i == 0 && s->kind == K_LONG)
            c = &g->serious_violent;
        else if (i == 0 && (s->kind == K_PRISON || (s->kind == K_SENTENCED && rng_chance(r, 600))))
            c = &g->felonies;
        else if (i == 0 && s->kind != K_CITE && s->kind != K_SHORT)
            c = &g->priors; /* a real charge, not a hold, leads a longer stay */
        size_t o = cdf_pick(c, r);
        if (n > 0 && o == offs[n - 1])
            o = cdf_pick(c, r);
        offs[n++] = o;
    }
    if (rng_chance(r, 70)) { /* an added hold: warrant, parole, probation */
        for (int tries = 0; tries < 20; tries++) {
            size_t o = cdf_pick(&g->all, r);
            if (is_hold_code(&g->off[o])) {
                offs[n++] = o;
                break;
            }
        }
    }
    return n;
}

/* What one booking's parts share while it is written. */
struct bk {
    struct cust_gen *g;
    struct w *w;
    struct rng *r;
    const struct stay *s;
    enum outcome out;
    bool released;
    int32_t shown_end; /* the release day, or the snapshot's for those still held */
    int32_t days_held;
    int court; /* the court of the booking's cases */
};

/* A booking's charges and what the rest of the booking needs to know of them. */
struct charges {
    int n;
    size_t offs[6];
    int primary; /* the first charge that is not a hold, or -1 */
    bool primary_felony;
    bool all_holds;
};

/* Charge i: its level, its status by the stay's outcome, case number, court, next date, bail. */
static void write_charge(const struct bk *bk, struct charges *ch, int i)
{
    struct w *w = bk->w;
    struct rng *r = bk->r;
    const struct stay *s = bk->s;
    enum outcome out = bk->out;
    bool released = bk->released;
    int32_t shown_end = bk->shown_end, days_held = bk->days_held;
    int court = bk->court;
    char tmp[64];
    const struct offense *o = &bk->g->off[ch->offs[i]];
    bool hold = is_hold_code(o);
    bool felony;
    const char *level;
    if (o->lvl == LVL_FELONY)
        felony = true;
    else if (o->lvl == LVL_WOBBLER)
        felony = s->kind == K_PRISON || s->kind == K_LONG || rng_chance(r, 600);
    else if (hold)
        felony =
            strncmp(o->pub.code, "PC 978.5", 8) != 0 && strncmp(o->pub.code, "PC 1203.2", 9) != 0
                ? true
                : rng_chance(r, 450);
    else
        felony = false;
    level = felony ? "felony" : o->lvl == LVL_INFRACTION ? "infraction" : "misdemeanor";
    const char *status;
    if (hold) {
        status = "hold";
    } else {
        ch->all_holds = false;
        bool first = ch->primary < 0;
        if (first) {
            ch->primary = i;
            ch->primary_felony = felony;
        }
        switch (out) {
        case OUT_IN_CUSTODY:
        case OUT_PENDING:
            status = "pending";
            break;
        case OUT_DISMISSED:
            status = "dismissed";
            break;
        case OUT_ACQUITTED:
            status = first || rng_chance(r, 500) ? "acquitted" : "dismissed";
            break;
        default:
            status = first || rng_chance(r, 400) ? "convicted" : "dismissed";
            break;
        }
    }
    bool pending = strcmp(status, "pending") == 0;
    if (i)
        W_LIT(w, ",");
    W_LIT(w, "{\"code\":");
    w_str(w, o->pub.code);
    W_LIT(w, ",\"description\":");
    w_str(w, o->pub.description);
    W_LIT(w, ",\"level\":");
    w_str(w, level);
    W_LIT(w, ",\"status\":");
    w_str(w, status);
    W_LIT(w, ",\"held_to_answer\":");
    w_bool(w, felony && !hold && (pending || strcmp(status, "convicted") == 0) && days_held >= 10 &&
                  rng_chance(r, 800));
    W_LIT(w, ",\"case_number\":");
    if (hold && strncmp(o->pub.code, "PC 978.5", 8) != 0 &&
        strncmp(o->pub.code, "PC 1203.2", 9) != 0) {
        W_LIT(w, "null");
    } else {
        int y;
        unsigned m, d;
        cust_civil_from_days(s->booked_day, &y, &m, &d);
        if (felony)
            snprintf(tmp, sizeof(tmp), "%s%06u", gen_courts[court].prefix, rng_below(r, 1000000));
        else
            snprintf(tmp, sizeof(tmp), "%dCJ%05u", y % 10, rng_below(r, 100000));
        w_str(w, tmp);
    }
    W_LIT(w, ",\"court\":");
    if (hold && strncmp(o->pub.code, "PC 978.5", 8) != 0 &&
        strncmp(o->pub.code, "PC 1203.2", 9) != 0) {
        W_LIT(w, "null");
    } else {
        snprintf(tmp, sizeof(tmp), "%s Dept %d", gen_courts[court].name, rng_range(r, 1, 130));
        w_str(w, tmp);
    }
    W_LIT(w, ",\"next_court_date\":");
    if (pending || (hold && !released))
        w_date(w, shown_end + rng_range(r, 1, 45));
    else
        W_LIT(w, "null");
    W_LIT(w, ",\"bail_cents\":");
    if (hold || strcmp(o->pub.code, "PC 187(a)") == 0 || strcmp(status, "convicted") == 0) {
        W_LIT(w, "null");
    } else if (felony) {
        static const int64_t fb[] = {2000000,  3000000,  5000000,  5000000,  7500000,
                                     10000000, 10000000, 20000000, 50000000, 100000000};
        int64_t b = fb[rng_below(r, CUST_ARRAY_LEN(fb))];
        if (o->pub.serious || o->pub.violent)
            b *= 2;
        w_int(w, b);
    } else {
        static const int64_t mb[] = {0, 0, 50000, 100000, 200000, 500000, 1000000, 2000000};
        w_int(w, mb[rng_below(r, CUST_ARRAY_LEN(mb))]);
    }
    W_LIT(w, "}");
}

/* Prior convictions known at booking: the person's history, plus the conviction from their latest
 * earlier booking in the output, in date order. */
static void write_known_priors(const struct cust_gen *g, struct w *w, const struct person *p,
                               size_t pidx, const struct stay *s)
{
    W_LIT(w, "],\"prior_convictions\":[");
    struct prior own = {0, 0, false, "CA"};
    bool have_own = g->conv_off[pidx] >= 0;
    if (have_own) {
        own.off = (size_t)g->conv_off[pidx];
        own.day = g->conv_day[pidx];
        own.felony = g->conv_felony[pidx];
    }
    bool any = false;
    for (int i = 0; i <= p->npriors; i++) {
        const struct prior *pr = i < p->npriors ? &p->priors[i] : NULL;
        if (pr && pr->day >= s->booked_day)
            pr = NULL;
        if (have_own && (!pr || own.day < pr->day)) {
            write_prior(g, w, &own, any);
            any = true;
            have_own = false;
        }
        if (!pr)
            break;
        write_prior(g, w, pr, any);
        any = true;
    }
    W_LIT(w, "]");
}

/* Sentence and the source system's release date (which now and then disagrees), whether the
 * release date is public, the release and its reason. */
static void write_release(const struct bk *b, bool sentenced, bool all_holds)
{
    struct w *w = b->w;
    struct rng *r = b->r;
    const struct stay *s = b->s;
    enum outcome out = b->out;
    bool released = b->released;
    if (sentenced) {
        W_LIT(w, ",\"sentence\":{\"imposed_on\":");
        w_date(w, s->imposed_on);
        W_LIT(w, ",\"term_days\":");
        w_int(w, s->term_days);
        W_LIT(w, ",\"presentence_custody_days\":");
        w_int(w, s->pre_days);
        W_LIT(w, "},\"scheduled_release\":");
        int32_t sched = s->calc_release;
        if (rng_chance(r, 30)) {
            int32_t delta = rng_range(r, 1, 30);
            sched += rng_chance(r, 500) ? delta : -delta;
        }
        w_date(w, sched);
    } else {
        W_LIT(w, ",\"sentence\":null,\"scheduled_release\":null");
    }
    W_LIT(w, ",\"release_date_public\":");
    w_bool(w, rng_chance(r, 40));
    W_LIT(w, ",\"released_at\":");
    if (released)
        w_time(w, s->release_t);
    else
        W_LIT(w, "null");
    W_LIT(w, ",\"release_reason\":");
    if (!released) {
        W_LIT(w, "null");
    } else {
        const char *why;
        switch (out) {
        case OUT_SENTENCED:
            why = "sentence_completed";
            break;
        case OUT_DISMISSED:
            why = "charges_dismissed";
            break;
        case OUT_ACQUITTED:
            why = "acquitted";
            break;
        case OUT_TIME_SERVED:
            why = "time_served";
            break;
        case OUT_PRISON:
            why = "transferred_state_prison";
            break;
        default:
            if (all_holds)
                why = "released_to_other_agency";
            else if (s->kind == K_CITE)
                why = rng_chance(r, 550)   ? "cite_release"
                      : rng_chance(r, 600) ? "bail_posted"
                                           : "own_recognizance";
            else
                why = rng_chance(r, 650) ? "bail_posted" : "own_recognizance";
            break;
        }
        w_str(w, why);
    }
}

static void write_booking(struct cust_gen *g, struct stay *s)
{
    struct w *w = g->w;
    struct rng *r = &s->r;
    size_t pidx = pick_person(g, s);
    struct person p;
    make_person(g, pidx, g->created[pidx], &p);

    bool released = s->release_t < g->end_t;
    bool sentenced = s->kind == K_SENTENCED && s->imposed_on <= g->opts.end_day;
    enum outcome out = stay_outcome(r, s, released, sentenced);
    int32_t shown_end = released ? la_day(s->release_t) : g->opts.end_day;
    int32_t days_held = shown_end - s->booked_day;

    uint64_t booking_number = g->booking_no;
    W_LIT(w, "{\"booking_number\":");
    W_LIT(w, "\"");
    w_int(w, (int64_t)g->booking_no++);
    W_LIT(w, "\"");
    W_LIT(w, ",\"booked_at\":");
    w_time(w, s->booked_t);
    char housing[64];
    bool reception = s->kind == K_CITE && s->release_t - s->booked_t < 20 * 3600;
    const char *facility = facility_and_housing(r, p.sex, reception, housing, sizeof(housing));
    W_LIT(w, ",\"facility\":");
    w_str(w, facility);
    W_LIT(w, ",\"housing\":");
    w_str(w, housing);
    W_LIT(w, ",\"arresting_agency\":");
    w_str(w, rng_pick(r, &gen_agencies));
    W_LIT(w, ",");
    write_person(w, &p, s->booked_day);

    struct charges ch = {.primary = -1, .all_holds = true};
    ch.n = pick_charges(g, r, s, ch.offs);
    W_LIT(w, ",\"charges\":[");
    struct bk bk = {g, w, r, s, out, released, shown_end, days_held, 0};
    bk.court = (int)rng_below(r, (uint32_t)gen_court_count);
    for (int i = 0; i < ch.n; i++)
        write_charge(&bk, &ch, i);
    write_known_priors(g, w, &p, pidx, s);

    /* Remember this booking's conviction for the person's later bookings. */
    if (ch.primary >= 0 && (out == OUT_SENTENCED || out == OUT_TIME_SERVED || out == OUT_PRISON)) {
        int32_t day = out == OUT_SENTENCED ? s->imposed_on : la_day(s->release_t);
        if (day <= g->opts.end_day) {
            g->conv_off[pidx] = (int32_t)ch.offs[ch.primary];
            g->conv_day[pidx] = day;
            g->conv_felony[pidx] = ch.primary_felony;
        }
    }

    write_release(&bk, sentenced, ch.all_holds);
    W_LIT(w, "}\n");
    if (g->observer) {
        char dob[11];
        fmt_date(p.dob.day, p.dob.precision, dob);
        struct cust_gen_booking b = {booking_number,
                                     pidx,
                                     s->booked_t,
                                     s->release_t,
                                     released,
                                     p.last,
                                     p.first,
                                     dob,
                                     p.fbi[0] ? p.fbi : NULL,
                                     p.cii[0] ? p.cii : NULL,
                                     p.sid[0] ? p.sid : NULL,
                                     p.anum[0] ? p.anum : NULL,
                                     cit_names[p.cit],
                                     p.verified,
                                     facility};
        g->observer(g->observer_ctx, &b);
    }
}

void cust_gen_set_observer(struct cust_gen *g,
                           void (*fn)(void *ctx, const struct cust_gen_booking *b), void *ctx)
{
    g->observer = fn;
    g->observer_ctx = ctx;
}

int64_t cust_gen_snapshot_time(const struct cust_gen *g)
{
    return g->end_t;
}

enum cust_status cust_gen_next(struct cust_gen *g, struct cust_buf *line, bool *done)
{
    *done = false;
    while (g->istay >= g->nstays) {
        if (g->day > g->opts.end_day) {
            *done = true;
            return CUST_OK;
        }
        fill_day(g, g->day++);
    }
    if (!g->w)
        g->w = cust_xcalloc(1, sizeof(*g->w));
    g->w->n = 0;
    write_booking(g, &g->stays[g->istay++]);
    return cust_buf_append(line, g->w->p, g->w->n);
}

enum cust_status cust_gen_write(struct cust_gen *g, FILE *f, struct cust_err *err)
{
    struct cust_buf b = CUST_BUF_INIT;
    bool done = false;
    enum cust_status st = CUST_OK;
    while (st == CUST_OK) {
        st = cust_gen_next(g, &b, &done);
        if (st != CUST_OK || done || b.len >= (1u << 16)) {
            if (b.len && fwrite(b.buf, 1, b.len, f) != b.len)
                st = CUST_EIO;
            cust_buf_reset(&b);
        }
        if (done)
            break;
    }
    cust_buf_release(&b);
    if (st == CUST_OK && fflush(f) != 0)
        st = CUST_EIO;
    if (st != CUST_OK)
        return cust_err_set(err, st, "cannot write the generated county: %s", strerror(errno));
    return CUST_OK;
}
