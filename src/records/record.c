/* record.c - parse and validate one custody JSONL line (shared/spec/custody-jsonl.md). */
#include "custodian/compat.h"
#include "custodian/buf.h"
#include "custodian/date.h"
#include "custodian/records.h"
#include "custodian/release.h"
#include "custodian/statute.h"

#include <ctype.h>
#include <jansson.h>

#include "jscan.h"

const char *const cust_prior_flag_names[7] = {"serious", "violent",        "state_prison",
                                              "wobbler", "prop47_reduced", "aggravated_felony",
                                              "category"};

bool cust_in_custody(int32_t booked_day, int32_t released_day, int32_t day)
{
    return booked_day <= day && (released_day == CUST_NO_DAY || released_day > day);
}

/* The code in its canonical form (custodian/statute.h); a code the normaliser cannot read
 * (non-ASCII, too long) is kept as written, trimmed: the record never loses what the source said.
 * "" when blank. */
static char *statute_dup(const char *code)
{
    char buf[256];
    if (cust_statute_code(code, buf, sizeof(buf)))
        return cust_xstrdup(buf);
    while (isspace((unsigned char)*code))
        code++;
    size_t n = strlen(code);
    while (n && isspace((unsigned char)code[n - 1]))
        n--;
    return cust_xstrndup(code, n);
}

/* ---- validation helpers ---------------------------------------------------------------- */

struct ctx {
    struct cust_diag *diag;
    struct cust_record *rec;
};

static inline bool jv_is_null(const struct jv *v)
{
    return v->type == JV_NULL;
}
static inline bool jv_is_string(const struct jv *v)
{
    return v->type == JV_STRING;
}
static inline bool jv_is_boolean(const struct jv *v)
{
    return v->type == JV_TRUE || v->type == JV_FALSE;
}
static inline bool jv_is_true(const struct jv *v)
{
    return v->type == JV_TRUE;
}
static inline bool jv_is_integer(const struct jv *v)
{
    return v->type == JV_INT;
}
static inline bool jv_is_object(const struct jv *v)
{
    return v && v->type == JV_OBJECT;
}

static const char *type_name(const struct jv *v)
{
    switch ((enum jv_type)v->type) {
    case JV_OBJECT:
        return "an object";
    case JV_ARRAY:
        return "an array";
    case JV_STRING:
        return "a string";
    case JV_INT:
        return "an integer";
    case JV_REAL:
        return "a number";
    case JV_TRUE:
    case JV_FALSE:
        return "a boolean";
    default:
        return "null";
    }
}

/* An optional string: NULL when absent or null; records a problem for other types. */
static const char *opt_str(struct ctx *c, const struct jv *obj, const char *key, const char *path)
{
    const struct jv *v = jv_get(obj, key);
    if (!v || jv_is_null(v))
        return NULL;
    if (!jv_is_string(v)) {
        cust_diag_add(c->diag, path, "must be a string, not %s", type_name(v));
        return NULL;
    }
    return v->s;
}

static const char *req_str(struct ctx *c, const struct jv *obj, const char *key, const char *path)
{
    const struct jv *v = jv_get(obj, key);
    if (!v || jv_is_null(v)) {
        cust_diag_add(c->diag, path, "required");
        return NULL;
    }
    const char *s = opt_str(c, obj, key, path);
    if (s && !*s) {
        cust_diag_add(c->diag, path, "must not be empty");
        return NULL;
    }
    return s;
}

static const char *opt_enum(struct ctx *c, const struct jv *obj, const char *key, const char *path,
                            const char *const *allowed)
{
    const char *s = opt_str(c, obj, key, path);
    if (!s)
        return NULL;
    for (const char *const *a = allowed; *a; a++)
        if (strcmp(s, *a) == 0)
            return *a;
    struct cust_buf b = CUST_BUF_INIT;
    for (const char *const *a = allowed; *a; a++)
        if (cust_buf_appendf(&b, "%s%s", a == allowed ? "" : " | ", *a) != CUST_OK)
            break;
    cust_diag_add(c->diag, path, "'%s' is not one of %s", s, b.buf);
    cust_buf_release(&b);
    return NULL;
}

/* Optional boolean: 1/0, -1 when absent or null. */
static int opt_bool(struct ctx *c, const struct jv *obj, const char *key, const char *path)
{
    const struct jv *v = jv_get(obj, key);
    if (!v || jv_is_null(v))
        return -1;
    if (!jv_is_boolean(v)) {
        cust_diag_add(c->diag, path, "must be true or false, not %s", type_name(v));
        return -1;
    }
    return jv_is_true(v) ? 1 : 0;
}

/* Optional integer in [min, max]; `absent` when absent or null. */
static int64_t opt_int(struct ctx *c, const struct jv *obj, const char *key, const char *path,
                       int64_t min, int64_t max, int64_t absent)
{
    const struct jv *v = jv_get(obj, key);
    if (!v || jv_is_null(v))
        return absent;
    if (!jv_is_integer(v)) {
        cust_diag_add(c->diag, path, "must be an integer, not %s", type_name(v));
        return absent;
    }
    int64_t i = v->i;
    if (i < min || i > max) {
        cust_diag_add(c->diag, path, "%lld is out of range %lld..%lld", (long long)i,
                      (long long)min, (long long)max);
        return absent;
    }
    return (int64_t)i;
}

/* Optional YYYY-MM-DD (partial allowed when `partial`). Returns the string or NULL. */
static const char *opt_date(struct ctx *c, const struct jv *obj, const char *key, const char *path,
                            bool partial, int32_t *day)
{
    const char *s = opt_str(c, obj, key, path);
    if (day)
        *day = CUST_NO_DAY;
    if (!s)
        return NULL;
    struct cust_date d;
    bool ok = partial ? cust_date_parse_partial(s, &d) : cust_date_parse(s, &d.day);
    if (!ok) {
        cust_diag_add(c->diag, path, "'%s' is not a date (%s)", s,
                      partial ? "YYYY-MM-DD, YYYY-MM-XX or YYYY-XX-XX" : "YYYY-MM-DD");
        return NULL;
    }
    if (day)
        *day = d.day;
    return s;
}

/* Optional RFC 3339 date-time. */
static const char *opt_time(struct ctx *c, const struct jv *obj, const char *key, const char *path,
                            int64_t *ts, int *offset)
{
    const char *s = opt_str(c, obj, key, path);
    if (!s)
        return NULL;
    if (!cust_time_parse(s, ts, offset)) {
        cust_diag_add(c->diag, path, "'%s' is not an RFC 3339 date-time", s);
        return NULL;
    }
    return s;
}

static bool want_type(struct ctx *c, const struct jv *v, enum jv_type t, const char *path,
                      const char *what)
{
    if (!v || jv_is_null(v))
        return false;
    if ((enum jv_type)v->type != t) {
        cust_diag_add(c->diag, path, "must be %s, not %s", what, type_name(v));
        return false;
    }
    return true;
}

static char *own(struct cust_record *r, char *s)
{
    r->owned = cust_xrealloc(r->owned, (r->n_owned + 1) * sizeof(*r->owned));
    r->owned[r->n_owned++] = s;
    return s;
}

static const char *compact(struct cust_record *r, const struct jv *v)
{
    char *s = jv_compact(r->tree, v);
    return s ? own(r, s) : NULL;
}

static const char *const level_values[] = {"felony", "misdemeanor", "infraction", NULL};
static const char *const charge_status_values[] = {"pending",   "convicted", "dismissed",
                                                   "acquitted", "hold",      NULL};
static const char *const cit_status_values[] = {"citizen", "non_citizen", "unknown", NULL};
static const char *const cit_source_values[] = {
    "self_reported", "consular_notification", "document", "federal_record", "court_record", NULL};

/* ---- sections -------------------------------------------------------------------------- */

static void parse_citizenship(struct ctx *c, const struct jv *cit, struct cust_person *p)
{
    if (!want_type(c, cit, JV_OBJECT, "person.citizenship", "an object"))
        return;
    struct cust_citizenship *z = &p->citizenship;
    p->has_citizenship = true;
    z->status = opt_enum(c, cit, "status", "person.citizenship.status", cit_status_values);
    if (!z->status)
        z->status = "unknown";
    z->country = opt_str(c, cit, "country", "person.citizenship.country");
    z->source = opt_enum(c, cit, "source", "person.citizenship.source", cit_source_values);
    z->verified = opt_bool(c, cit, "verified", "person.citizenship.verified");
    z->recorded_at = opt_date(c, cit, "recorded_at", "person.citizenship.recorded_at", false, NULL);
    if (strcmp(z->status, "unknown") != 0) {
        const struct jv *src = jv_get(cit, "source");
        const struct jv *rec = jv_get(cit, "recorded_at");
        if (!src || jv_is_null(src))
            cust_diag_add(c->diag, "person.citizenship.source",
                          "required when status is '%s' (a citizenship value keeps its source)",
                          z->status);
        if (!rec || jv_is_null(rec))
            cust_diag_add(c->diag, "person.citizenship.recorded_at",
                          "required when status is '%s' (a citizenship value keeps its date)",
                          z->status);
    }
}

/* The attorney of record when the booking names one (custody JSON "attorney": {"name", "phone",
 * "address"}, kept as the source sent it, not validated): "NAME, PHONE, ADDRESS", else NULL. */
static void parse_attorney(struct ctx *c, const struct jv *root)
{
    const struct jv *a = jv_get(root, "attorney");
    const struct jv *name = jv_is_object(a) ? jv_get(a, "name") : NULL;
    if (!name || !jv_is_string(name) || !*name->s)
        return;
    const struct jv *ph = jv_get(a, "phone"), *ad = jv_get(a, "address");
    const char *phone = ph && jv_is_string(ph) ? ph->s : NULL;
    const char *addr = ad && jv_is_string(ad) ? ad->s : NULL;
    size_t n = strlen(name->s) + (phone ? strlen(phone) : 0) + (addr ? strlen(addr) : 0) + 8;
    char *out = cust_xmalloc(n);
    snprintf(out, n, "%s%s%s%s%s", name->s, phone && *phone ? ", " : "", phone ? phone : "",
             addr && *addr ? ", " : "", addr ? addr : "");
    c->rec->b.attorney = own(c->rec, out);
}

static void parse_person(struct ctx *c, const struct jv *root)
{
    struct cust_person *p = &c->rec->b.person;
    const struct jv *o = jv_get(root, "person");
    if (!o || jv_is_null(o)) {
        cust_diag_add(c->diag, "person", "required");
        return;
    }
    if (!want_type(c, o, JV_OBJECT, "person", "an object"))
        return;
    p->sex_arson_registrant = -1;
    p->person_key = opt_str(c, o, "person_id", "person.person_id");
    if (p->person_key && !*p->person_key)
        cust_diag_add(c->diag, "person.person_id", "must not be empty");
    p->last_name = req_str(c, o, "last_name", "person.last_name");
    p->first_name = req_str(c, o, "first_name", "person.first_name");
    p->middle_name = opt_str(c, o, "middle_name", "person.middle_name");
    const struct jv *dob = jv_get(o, "dob");
    if (!dob || jv_is_null(dob))
        cust_diag_add(c->diag, "person.dob", "required");
    else
        p->dob = opt_date(c, o, "dob", "person.dob", true, NULL);
    p->sex = opt_str(c, o, "sex", "person.sex");
    p->place_of_birth = opt_str(c, o, "place_of_birth", "person.place_of_birth");
    p->home_address = opt_str(c, o, "home_address", "person.home_address");
    /* a status as text, or decide.md's {"status", "proof_provided"} */
    const struct jv *im = jv_get(o, "immigration_status");
    p->immigration_proof = -1;
    if (jv_is_object(im)) {
        p->immigration_status = opt_str(c, im, "status", "person.immigration_status.status");
        p->immigration_proof =
            opt_bool(c, im, "proof_provided", "person.immigration_status.proof_provided");
    } else {
        p->immigration_status = opt_str(c, o, "immigration_status", "person.immigration_status");
    }
    p->address_public = opt_bool(c, o, "address_public", "person.address_public");
    /* items a data request may ask for; any JSON value, kept as the source gave it */
    const struct jv *wa = jv_get(o, "work_address"), *ci = jv_get(o, "contact_info");
    p->work_address_json = wa && !jv_is_null(wa) ? compact(c->rec, wa) : NULL;
    p->contact_info_json = ci && !jv_is_null(ci) ? compact(c->rec, ci) : NULL;
    p->sex_arson_registrant = opt_bool(c, o, "sex_arson_registrant", "person.sex_arson_registrant");
    const struct jv *ids = jv_get(o, "ids");
    if (want_type(c, ids, JV_OBJECT, "person.ids", "an object")) {
        p->cii = opt_str(c, ids, "cii", "person.ids.cii");
        p->fbi = opt_str(c, ids, "fbi", "person.ids.fbi");
        p->sid = opt_str(c, ids, "sid", "person.ids.sid");
        p->a_number = opt_str(c, ids, "a_number", "person.ids.a_number");
    }
    const struct jv *al = jv_get(o, "aliases");
    if (want_type(c, al, JV_ARRAY, "person.aliases", "an array")) {
        size_t i = 0;
        char path[64];
        for (const struct jv *a = jv_first(al); a; a = jv_next(al, a), i++) {
            size_t pl = (size_t)snprintf(path, sizeof(path), "person.aliases[%zu]", i);
            if (!want_type(c, a, JV_OBJECT, path, "an object")) {
                if (jv_is_null(a))
                    cust_diag_add(c->diag, path, "must be an object, not null");
                continue;
            }
            memcpy(path + pl, ".last_name", sizeof(".last_name"));
            opt_str(c, a, "last_name", path);
            memcpy(path + pl, ".first_name", sizeof(".first_name"));
            opt_str(c, a, "first_name", path);
            memcpy(path + pl, ".dob", sizeof(".dob"));
            opt_date(c, a, "dob", path, true, NULL);
        }
        p->aliases_json = compact(c->rec, al);
    }
    parse_citizenship(c, jv_get(o, "citizenship"), p);
}

static void parse_charges(struct ctx *c, const struct jv *root)
{
    const struct jv *arr = jv_get(root, "charges");
    if (!want_type(c, arr, JV_ARRAY, "charges", "an array"))
        return;
    size_t n = arr->n;
    struct cust_record *r = c->rec;
    r->charges = n ? cust_xcalloc(n, sizeof(*r->charges)) : NULL;
    char path[80];
    size_t i = 0;
    for (const struct jv *o = jv_first(arr); o; o = jv_next(arr, o), i++) {
        struct cust_charge *ch = &r->charges[r->b.n_charges];
        size_t pl = (size_t)snprintf(path, sizeof(path), "charges[%zu]", i);
        if (!jv_is_object(o)) {
            cust_diag_add(c->diag, path, "must be an object, not %s", type_name(o));
            continue;
        }
        path[pl++] = '.'; /* the prefix once; P(field) appends the field name */
#define P(field) (memcpy(path + pl, field, sizeof(field)), path)
        const char *code = req_str(c, o, "code", P("code"));
        ch->code = code ? own(r, statute_dup(code)) : NULL;
        if (code && !*ch->code)
            cust_diag_add(c->diag, P("code"), "'%s' is not a statute code", code);
        ch->description = opt_str(c, o, "description", P("description"));
        ch->level = opt_enum(c, o, "level", P("level"), level_values);
        ch->status = opt_enum(c, o, "status", P("status"), charge_status_values);
        if (!jv_get(o, "status") || jv_is_null(jv_get(o, "status")))
            cust_diag_add(c->diag, P("status"), "required");
        ch->held_to_answer = opt_bool(c, o, "held_to_answer", P("held_to_answer"));
        ch->case_number = opt_str(c, o, "case_number", P("case_number"));
        ch->court = opt_str(c, o, "court", P("court"));
        ch->next_court_date = opt_date(c, o, "next_court_date", P("next_court_date"), false, NULL);
        ch->bail_cents = opt_int(c, o, "bail_cents", P("bail_cents"), 0, INT64_C(1) << 50, -1);
#undef P
        r->b.n_charges++;
    }
    r->b.charges = r->charges;
}

/* The classification flags a source may give on the conviction itself instead of under
 * "flags" (serious, violent, ...): gathered into the same compact object, or NULL. */
static const char *top_level_flags(struct cust_record *r, const struct jv *o)
{
    struct cust_buf b = CUST_BUF_INIT;
    for (size_t k = 0; k < CUST_ARRAY_LEN(cust_prior_flag_names); k++) {
        const struct jv *v = jv_get(o, cust_prior_flag_names[k]);
        if (!v)
            continue;
        char *t = jv_compact(r->tree, v);
        cust_buf_appendf(&b, "%c\"%s\":%s", b.len ? ',' : '{', cust_prior_flag_names[k],
                         t ? t : "null");
        free(t);
    }
    if (b.len)
        cust_buf_putc(&b, '}');
    const char *out =
        cust_buf_status(&b) == CUST_OK && b.len ? own(r, cust_buf_detach(&b, NULL)) : NULL;
    cust_buf_release(&b);
    return out;
}

static void parse_priors(struct ctx *c, const struct jv *root)
{
    const struct jv *arr = jv_get(root, "prior_convictions");
    if (!want_type(c, arr, JV_ARRAY, "prior_convictions", "an array"))
        return;
    size_t n = arr->n;
    struct cust_record *r = c->rec;
    r->priors = n ? cust_xcalloc(n, sizeof(*r->priors)) : NULL;
    char path[80];
    size_t i = 0;
    for (const struct jv *o = jv_first(arr); o; o = jv_next(arr, o), i++) {
        struct cust_prior *pr = &r->priors[r->b.n_priors];
        size_t pl = (size_t)snprintf(path, sizeof(path), "prior_convictions[%zu]", i);
        if (!jv_is_object(o)) {
            cust_diag_add(c->diag, path, "must be an object, not %s", type_name(o));
            continue;
        }
        path[pl++] = '.'; /* the prefix once; P(field) appends the field name */
#define P(field) (memcpy(path + pl, field, sizeof(field)), path)
        const char *code = req_str(c, o, "code", P("code"));
        pr->code = code ? own(r, statute_dup(code)) : NULL;
        pr->level = opt_enum(c, o, "level", P("level"), level_values);
        pr->date = opt_date(c, o, "date", P("date"), true, NULL);
        pr->jurisdiction = opt_str(c, o, "jurisdiction", P("jurisdiction"));
        const struct jv *flags = jv_get(o, "flags");
        if (want_type(c, flags, JV_OBJECT, P("flags"), "an object"))
            pr->flags_json = compact(r, flags);
        else if (!flags || jv_is_null(flags))
            pr->flags_json = top_level_flags(r, o);
#undef P
        r->b.n_priors++;
    }
    r->b.priors = r->priors;
}

static void parse_sentence(struct ctx *c, const struct jv *root)
{
    const struct jv *o = jv_get(root, "sentence");
    if (!want_type(c, o, JV_OBJECT, "sentence", "an object"))
        return;
    struct cust_booking *b = &c->rec->b;
    size_t before = cust_diag_count(c->diag);
    int32_t day;
    if (!jv_get(o, "imposed_on") || jv_is_null(jv_get(o, "imposed_on")))
        cust_diag_add(c->diag, "sentence.imposed_on", "required");
    opt_date(c, o, "imposed_on", "sentence.imposed_on", false, &day);
    if (!jv_get(o, "term_days") || jv_is_null(jv_get(o, "term_days")))
        cust_diag_add(c->diag, "sentence.term_days", "required");
    int64_t term = opt_int(c, o, "term_days", "sentence.term_days", 1, 365 * 200, -1);
    int64_t pre = opt_int(c, o, "presentence_custody_days", "sentence.presentence_custody_days", 0,
                          365 * 200, 0);
    if (cust_diag_count(c->diag) != before)
        return;
    b->has_sentence = true;
    b->sentence_imposed_on = day;
    b->sentence_term_days = (int32_t)term;
    b->sentence_presentence_days = (int32_t)pre;
}

enum cust_status cust_record_parse(const char *line, size_t len, struct cust_record *rec,
                                   struct cust_diag *diag)
{
    memset(rec, 0, sizeof(*rec));
    struct cust_booking *b = &rec->b;
    b->released_day = CUST_NO_DAY;
    b->computed_release = CUST_NO_DAY;
    struct ctx c = {diag, rec};
    size_t before = cust_diag_count(diag);

    /* the fast reader for the usual line; jansson for anything outside its subset (it then
     * gives the error message, or the tree) - see jscan.h */
    struct jv_doc *doc = cust_xmalloc(sizeof(*doc));
    rec->tree = doc;
    if (!jv_parse(line, len, doc)) {
        json_error_t jerr;
        json_t *jroot = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
        if (!jroot) {
            cust_diag_add(diag, "$", "not valid JSON: %s (column %d)", jerr.text, jerr.column);
            cust_record_release(rec);
            return CUST_EINVAL;
        }
        rec->root = jroot;
        jv_from_jansson(jroot, doc);
    }
    const struct jv *root = &doc->nodes[0];
    if (!jv_is_object(root)) {
        cust_diag_add(diag, "$", "must be an object, not %s", type_name(root));
        cust_record_release(rec);
        return CUST_EINVAL;
    }
    b->doc = line;
    b->doc_len = len;

    b->booking_number = req_str(&c, root, "booking_number", "booking_number");
    const struct jv *bat = jv_get(root, "booked_at");
    int offset = 0;
    if (!bat || jv_is_null(bat))
        cust_diag_add(diag, "booked_at", "required");
    else
        b->booked_at = opt_time(&c, root, "booked_at", "booked_at", &b->booked_ts, &offset);
    if (b->booked_at)
        b->booked_day = cust_time_local_day(b->booked_ts, offset);
    b->facility = opt_str(&c, root, "facility", "facility");
    b->housing = opt_str(&c, root, "housing", "housing");
    b->arresting_agency = opt_str(&c, root, "arresting_agency", "arresting_agency");
    int32_t sched_day;
    b->scheduled_release =
        opt_date(&c, root, "scheduled_release", "scheduled_release", false, &sched_day);
    int pub = opt_bool(&c, root, "release_date_public", "release_date_public");
    b->release_date_public = pub == 1;
    int64_t rts = 0;
    int roff = 0;
    b->released_at = opt_time(&c, root, "released_at", "released_at", &rts, &roff);
    if (b->released_at) {
        b->released_day = cust_time_local_day(rts, roff);
        if (b->booked_at && rts < b->booked_ts)
            cust_diag_add(diag, "released_at", "'%s' is before booked_at '%s'", b->released_at,
                          b->booked_at);
    }
    b->release_reason = opt_str(&c, root, "release_reason", "release_reason");

    parse_person(&c, root);
    parse_attorney(&c, root);
    parse_charges(&c, root);
    parse_priors(&c, root);
    parse_sentence(&c, root);

    if (cust_diag_count(diag) != before) {
        cust_record_release(rec);
        return CUST_EINVAL;
    }
    if (b->has_sentence) {
        struct cust_sentence s = {b->sentence_imposed_on, b->sentence_term_days,
                                  b->sentence_presentence_days};
        struct cust_release_calc calc;
        struct cust_err e = CUST_ERR_INIT;
        if (cust_release_compute(&s, &calc, &e) == CUST_OK) {
            b->computed_release = calc.release_day;
            b->release_rule = calc.rule_version;
            b->release_disagreement = b->scheduled_release && sched_day != calc.release_day;
        } else {
            /* the calculator cannot compute this sentence: keep the booking, flag it for a
             * person (no computed date) rather than reject what the source sent */
            b->release_rule = cust_release_rule_version();
            b->release_disagreement = true;
        }
    }
    return CUST_OK;
}

void cust_record_release(struct cust_record *rec)
{
    if (rec->tree) {
        jv_doc_release(rec->tree);
        free(rec->tree);
    }
    if (rec->root)
        json_decref(rec->root);
    for (size_t i = 0; i < rec->n_owned; i++)
        free(rec->owned[i]);
    free(rec->owned);
    free(rec->charges);
    free(rec->priors);
    memset(rec, 0, sizeof(*rec));
}

static void add_changed(json_t *out, const json_t *a, const json_t *b, const char *prefix)
{
    const char *key;
    json_t *v;
    char name[256];
    json_object_foreach((json_t *)b, key, v)
    {
        json_t *old = json_object_get(a, key);
        if (old && json_equal(old, v))
            continue;
        if (!prefix && strcmp(key, "person") == 0 && json_is_object(old) && json_is_object(v)) {
            add_changed(out, old, v, "person.");
            continue;
        }
        snprintf(name, sizeof(name), "%s%s", prefix ? prefix : "", key);
        json_array_append_new(out, json_string(name));
    }
    json_object_foreach((json_t *)a, key, v)
    {
        if (json_object_get(b, key))
            continue;
        snprintf(name, sizeof(name), "%s%s", prefix ? prefix : "", key);
        json_array_append_new(out, json_string(name));
    }
}

char *cust_record_changed(const char *old_doc, const char *new_doc)
{
    json_t *a = json_loads(old_doc, 0, NULL);
    json_t *b = json_loads(new_doc, 0, NULL);
    char *res = NULL;
    if (a && b && !json_equal(a, b)) {
        json_t *out = json_array();
        add_changed(out, a, b, NULL);
        char *s = json_dumps(out, JSON_COMPACT);
        res = cust_xstrdup(s ? s : "[]");
        free(s);
        json_decref(out);
    }
    json_decref(a);
    json_decref(b);
    return res;
}
