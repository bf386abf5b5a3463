/*
 * desk_whole.c - a person's whole custody record as of a decision day: the convictions and
 * charges of every booking, the best-sourced citizenship and immigration status, each fact with
 * the booking it came from (desk_internal.h struct desk_whole; docs/internals/desk.md "Whole-
 * record cases"). desk_case.c turns it into the decide.md case.
 */
#include "custodian/compat.h"
#include "custodian/date.h"
#include "custodian/records.h"
#include "custodian/statute.h"
#include "desk_internal.h"

static void ignore(enum cust_status st)
{
    (void)st;
}

/* A copy of `s` kept as long as the whole (NULL stays NULL). */
static const char *keep(struct desk_whole *w, const char *s)
{
    if (!s)
        return NULL;
    if (w->n_owned == w->cap_owned) {
        w->cap_owned = w->cap_owned ? w->cap_owned * 2 : 8;
        w->owned = cust_xrealloc(w->owned, w->cap_owned * sizeof(*w->owned));
    }
    return w->owned[w->n_owned++] = cust_xstrdup(s);
}

/* One of the values a contract names, as a static string, or NULL. */
static const char *one_of(const char *s, const char *const *names, size_t n)
{
    for (size_t i = 0; s && i < n; i++)
        if (strcmp(s, names[i]) == 0)
            return names[i];
    return NULL;
}

static const char *const levels[] = {"felony", "misdemeanor"};
static const char *const jurisdictions[] = {"CA", "federal", "other_state"};
static const char *const charge_statuses[] = {"pending", "convicted", "dismissed", "acquitted",
                                              "hold"};
static const char *const cit_statuses[] = {"citizen", "non_citizen", "unknown"};
static const char *const cit_sources[] = {"self_reported", "consular_notification", "document",
                                          "court_record", "federal_record"};
static const char *const imm_statuses[] = {
    "lawful_permanent_resident",  "lawful_nonimmigrant", "refugee_or_asylee",
    "temporary_protected_status", "undocumented",        "unknown"};

/* A conviction date as decide.md wants it: a partial date (YYYY-MM-XX, YYYY-XX-XX) becomes its
 * earliest possible day, the reading that counts least against the person in a look-back.
 * False when `s` is no date. */
static bool conviction_day(const char *s, int32_t *day)
{
    struct cust_date pd;
    if (!s || !cust_date_parse_partial(s, &pd))
        return false;
    char buf[11];
    snprintf(buf, sizeof(buf), "%.4s-%.2s-%.2s", s, s[5] == 'X' ? "01" : s + 5,
             s[8] == 'X' ? "01" : s + 8);
    return cust_date_parse(buf, day);
}

static struct desk_fact *new_fact(struct desk_whole *w)
{
    if (w->n == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 8;
        w->facts = cust_xrealloc(w->facts, w->cap * sizeof(*w->facts));
    }
    struct desk_fact *f = &w->facts[w->n++];
    memset(f, 0, sizeof(*f));
    f->day = CUST_NO_DAY;
    return f;
}

static void add_priors(struct desk_whole *w, const struct cust_booking *b, const char *bn,
                       int32_t as_of)
{
    for (size_t i = 0; i < b->n_priors; i++) {
        const struct cust_prior *p = &b->priors[i];
        char code[sizeof(((struct desk_fact *)0)->code)];
        /* a code the engine cannot read is left out: one conviction fewer never makes a
         * verdict less protective */
        if (!p->code || !cust_statute_code(p->code, code, sizeof(code)))
            continue;
        int32_t day = CUST_NO_DAY;
        if (conviction_day(p->date, &day) && day > as_of)
            continue; /* not yet a conviction on the decision day */
        const char *jur = one_of(p->jurisdiction, jurisdictions, CUST_ARRAY_LEN(jurisdictions));
        const char *lvl = one_of(p->level, levels, CUST_ARRAY_LEN(levels));
        /* the same conviction listed again by a later booking is one conviction */
        bool seen = false;
        for (size_t k = 0; k < w->n && !seen; k++) {
            const struct desk_fact *f = &w->facts[k];
            seen = f->kind == DESK_FACT_PRIOR && strcmp(f->code, code) == 0 && f->day == day &&
                   f->jurisdiction == jur && f->level == lvl;
        }
        if (seen)
            continue;
        struct desk_fact *f = new_fact(w);
        f->kind = DESK_FACT_PRIOR;
        memcpy(f->code, code, sizeof(code));
        f->level = lvl;
        f->jurisdiction = jur;
        f->day = day;
        f->flags_json = keep(w, p->flags_json);
        f->date_text = keep(w, p->date);
        f->booking = bn;
    }
}

/* The charges of a booking: a later booking's word on the same case and code replaces an
 * earlier one (a charge pending then, convicted or dismissed since). */
static void add_charges(struct desk_whole *w, const struct cust_booking *b, const char *bn,
                        int32_t as_of)
{
    /* the day a conviction in this booking is known to have happened by: its sentence */
    int32_t sentenced = b->has_sentence ? b->sentence_imposed_on : CUST_NO_DAY;
    for (size_t i = 0; i < b->n_charges; i++) {
        const struct cust_charge *c = &b->charges[i];
        char code[sizeof(((struct desk_fact *)0)->code)];
        const char *status = one_of(c->status, charge_statuses, CUST_ARRAY_LEN(charge_statuses));
        if (!c->code || !status || !cust_statute_code(c->code, code, sizeof(code)))
            continue;
        struct desk_fact *f = NULL;
        for (size_t k = 0; c->case_number && k < w->n && !f; k++)
            if (w->facts[k].kind == DESK_FACT_CHARGE && w->facts[k].case_number &&
                strcmp(w->facts[k].case_number, c->case_number) == 0 &&
                strcmp(w->facts[k].code, code) == 0 && w->facts[k].booking != bn)
                f = &w->facts[k];
        if (!f) {
            f = new_fact(w);
            f->case_number = keep(w, c->case_number);
        }
        f->kind = DESK_FACT_CHARGE;
        memcpy(f->code, code, sizeof(code));
        f->level = one_of(c->level, levels, CUST_ARRAY_LEN(levels));
        f->held = c->held_to_answer == 1;
        f->day = CUST_NO_DAY;
        if (strcmp(status, "convicted") == 0 && sentenced != CUST_NO_DAY && sentenced > as_of)
            status = "pending"; /* sentenced after the decision day: still pending then */
        else if (strcmp(status, "convicted") == 0)
            f->day = sentenced;
        f->status = status;
        f->booking = bn;
    }
}

static void add_person(struct desk_whole *w, const struct cust_booking *b, const char *bn)
{
    const struct cust_person *p = &b->person;
    if (p->has_citizenship) {
        struct cust_citizenship c = p->citizenship;
        c.status = one_of(c.status, cit_statuses, CUST_ARRAY_LEN(cit_statuses));
        c.source = one_of(c.source, cit_sources, CUST_ARRAY_LEN(cit_sources));
        int rank = cust_citizenship_rank(&c);
        const char *at = c.recorded_at ? c.recorded_at : "";
        /* the store's order: a better source wins, a tie goes to the later record */
        if (c.status && (!w->has_cit || rank > w->cit_rank ||
                         (rank == w->cit_rank && strcmp(at, w->cit.recorded_at) >= 0))) {
            w->has_cit = true;
            w->cit = c;
            w->cit.country = NULL;
            w->cit.recorded_at = keep(w, at);
            w->cit_rank = rank;
            w->cit_booking = bn;
        }
    }
    const char *imm = one_of(p->immigration_status, imm_statuses, CUST_ARRAY_LEN(imm_statuses));
    /* a status with proof shown outranks one without; else the later booking's word */
    if (imm && (!w->imm_status || p->immigration_proof == 1 || w->imm_proof != 1)) {
        w->imm_status = imm;
        w->imm_proof = p->immigration_proof;
        w->imm_booking = bn;
    }
    if (p->sex_arson_registrant >= 0)
        w->registrant = p->sex_arson_registrant;
    if (p->address_public >= 0)
        w->address_public = p->address_public;
}

void desk_whole_init(struct desk_whole *w)
{
    memset(w, 0, sizeof(*w));
    w->registrant = -1;
    w->address_public = -1;
}

void desk_whole_add(struct desk_whole *w, const struct cust_booking *b, int32_t as_of)
{
    const char *bn = keep(w, b->booking_number);
    if (w->n_bookings < CUST_ARRAY_LEN(w->bookings))
        w->bookings[w->n_bookings] = bn;
    w->n_bookings++;
    add_priors(w, b, bn, as_of);
    add_charges(w, b, bn, as_of);
    add_person(w, b, bn);
}

void desk_whole_release(struct desk_whole *w)
{
    for (size_t i = 0; i < w->n_owned; i++)
        free(w->owned[i]);
    free(w->owned);
    free(w->facts);
    desk_whole_init(w);
}

struct whole_walk {
    struct desk_whole *w;
    int32_t as_of;
    const char *subject; /* the booking asked about: always part of the record */
};

static enum cust_status on_booking(const struct cust_record *rec, int64_t person_id, void *arg)
{
    (void)person_id;
    struct whole_walk *ww = arg;
    /* another booking booked after the decision day was not part of the record then */
    if (rec->b.booked_day <= ww->as_of ||
        (ww->subject && strcmp(rec->b.booking_number, ww->subject) == 0))
        desk_whole_add(ww->w, &rec->b, ww->as_of);
    return CUST_OK;
}

enum cust_status desk_whole_read(struct cust_store *s, int64_t person_id, const char *subject,
                                 int32_t as_of, struct desk_whole *w, struct cust_err *err)
{
    desk_whole_init(w);
    struct whole_walk ww = {w, as_of, subject};
    enum cust_status st = cust_records_of_person(s, person_id, on_booking, &ww, err);
    if (st != CUST_OK)
        desk_whole_release(w);
    return st;
}

/* One value of the record in the case key: self-delimiting (absent differs from empty); a key
 * is written per person in scope, so without printf (cust_buf_int). */
static void key_str(struct cust_buf *b, const char *s)
{
    if (!s) {
        ignore(cust_buf_putc(b, '-'));
        return;
    }
    size_t n = strlen(s);
    ignore(cust_buf_putc(b, 's'));
    ignore(cust_buf_int(b, (int64_t)n));
    ignore(cust_buf_putc(b, ':'));
    ignore(cust_buf_append(b, s, n));
}

static void key_int(struct cust_buf *b, int64_t v)
{
    ignore(cust_buf_putc(b, 'i'));
    ignore(cust_buf_int(b, v));
    ignore(cust_buf_putc(b, ';'));
}

/* Where `day` falls among ascending `cuts`: 2 x (cuts before it) + 1 when it is one of them. */
static int64_t day_shape(int32_t day, const int32_t *cuts, size_t n)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cuts[mid] < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 2 * (int64_t)lo + (lo < n && cuts[lo] == day);
}

void desk_whole_key(const struct desk_whole *w, const struct cust_booking *subject,
                    const int32_t *cuts, size_t ncuts, struct cust_buf *b)
{
    key_int(b, subject ? subject->release_date_public : 0);
    key_int(b, w->has_cit);
    key_str(b, w->has_cit ? w->cit.status : NULL);
    key_int(b, w->has_cit ? w->cit.verified : -1);
    key_int(b, w->registrant);
    key_int(b, w->address_public);
    key_str(b, w->imm_status);
    key_int(b, w->imm_proof);
    for (size_t i = 0; i < w->n; i++) {
        const struct desk_fact *f = &w->facts[i];
        if (f->kind == DESK_FACT_CHARGE && strcmp(f->status, "pending") != 0 &&
            strcmp(f->status, "convicted") != 0)
            continue; /* a dismissed or acquitted charge is not in the case */
        ignore(cust_buf_putc(b, f->kind == DESK_FACT_PRIOR ? 'P' : 'C'));
        key_str(b, f->code);
        key_str(b, f->level);
        key_str(b, f->status);
        key_str(b, f->jurisdiction);
        key_str(b, f->flags_json);
        key_int(b, f->day == CUST_NO_DAY ? INT64_MIN
                   : cuts                ? day_shape(f->day, cuts, ncuts)
                                         : f->day);
        key_int(b, f->held);
    }
}

json_t *desk_whole_convictions(const struct desk_whole *w)
{
    /* the one selection of convictions is the writer's; this reads back what it writes */
    struct cust_buf b = CUST_BUF_INIT;
    json_t *a = desk_whole_convictions_write(w, &b) == CUST_OK ? json_loads(b.buf, 0, NULL) : NULL;
    cust_buf_release(&b);
    return a ? a : json_array();
}

enum cust_status desk_whole_convictions_write(const struct desk_whole *w, struct cust_buf *b)
{
    bool first = true;
    cust_buf_putc(b, '[');
    for (size_t i = 0; i < w->n; i++) {
        const struct desk_fact *f = &w->facts[i];
        bool prior = f->kind == DESK_FACT_PRIOR;
        if (!prior &&
            !(f->kind == DESK_FACT_CHARGE && f->status && !strcmp(f->status, "convicted")))
            continue;
        char day[11] = "";
        if (!prior && f->day != CUST_NO_DAY)
            cust_date_format(f->day, day);
        cust_buf_puts(b, first ? "{\"code\":" : ",{\"code\":");
        first = false;
        cust_buf_json_str(b, f->code);
        cust_buf_puts(b, ",\"level\":");
        cust_buf_json_str(b, f->level);
        cust_buf_puts(b, ",\"date\":");
        cust_buf_json_str(b, prior ? f->date_text : day[0] ? day : NULL);
        cust_buf_puts(b, ",\"jurisdiction\":");
        cust_buf_json_str(b, f->jurisdiction);
        cust_buf_puts(b, ",\"booking\":");
        cust_buf_json_str(b, f->booking);
        cust_buf_puts(b, prior ? ",\"from\":\"prior_conviction\"}" : ",\"from\":\"charge\"}");
    }
    return cust_buf_putc(b, ']');
}
