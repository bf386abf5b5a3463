/*
 * desk_case.c - the decide.md case the desk asks about one booking, read through records, and
 * the key that stands for its facts when a fulfilment caches decisions (desk.h,
 * docs/internals/desk.md).
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

/* A conviction date as decide.md wants it: a partial date (YYYY-MM-XX, YYYY-XX-XX) becomes its
 * earliest possible day, the reading that counts least against the person in a look-back. */
static json_t *conviction_date(const char *s)
{
    struct cust_date pd;
    if (!s || !cust_date_parse_partial(s, &pd))
        return NULL;
    char buf[11];
    snprintf(buf, sizeof(buf), "%.4s-%.2s-%.2s", s, s[5] == 'X' ? "01" : s + 5,
             s[8] == 'X' ? "01" : s + 8);
    int32_t day;
    return cust_date_parse(buf, &day) ? json_string(buf) : NULL;
}

static bool is_level(const char *level)
{
    return level && (!strcmp(level, "felony") || !strcmp(level, "misdemeanor"));
}

/* decide.md's subject.address_public and subject.immigration_status, when the record's person
 * carries them: only values the contract names are passed. */
static void add_status(json_t *subject, const struct cust_person *person)
{
    if (person->address_public >= 0)
        json_object_set_new(subject, "address_public", json_boolean(person->address_public == 1));
    const char *st = person->immigration_status;
    static const char *const known[] = {
        "lawful_permanent_resident",  "lawful_nonimmigrant", "refugee_or_asylee",
        "temporary_protected_status", "undocumented",        "unknown"};
    for (size_t i = 0; st && i < CUST_ARRAY_LEN(known); i++)
        if (strcmp(st, known[i]) == 0)
            json_object_set_new(subject, "immigration_status",
                                json_pack("{s:s,s:b}", "status", st, "proof_provided",
                                          person->immigration_proof == 1));
}

/* The conviction's classification flags the engine takes, from the record's flags object. */
static void add_flags(json_t *c, const char *flags_json)
{
    json_t *flags = flags_json ? json_loads(flags_json, 0, NULL) : NULL;
    for (size_t k = 0; k < CUST_ARRAY_LEN(cust_prior_flag_names); k++) {
        json_t *v = json_object_get(flags, cust_prior_flag_names[k]);
        bool is_category = strcmp(cust_prior_flag_names[k], "category") == 0;
        if (is_category ? json_is_string(v) && json_string_length(v) > 0 : json_is_boolean(v))
            json_object_set(c, cust_prior_flag_names[k], v);
    }
    json_decref(flags);
}

json_t *cust_desk_case_from_booking(const struct cust_booking *b, const char *jurisdiction,
                                    int32_t as_of, const char *kind, unsigned asks, unsigned items)
{
    const struct cust_person *person = b ? &b->person : NULL;
    const char *status = person && person->has_citizenship ? person->citizenship.status : NULL;
    if (!status || (strcmp(status, "citizen") && strcmp(status, "non_citizen")))
        status = "unknown";
    json_t *convictions = json_array();
    for (size_t i = 0; b && i < b->n_priors; i++) {
        const struct cust_prior *p = &b->priors[i];
        /* a code the engine cannot read is left out: one conviction fewer never makes a
         * verdict less protective */
        char code[64];
        if (!p->code || !cust_statute_code(p->code, code, sizeof(code)))
            continue;
        json_t *c = json_pack("{s:s}", "code", code);
        if (is_level(p->level))
            json_object_set_new(c, "level", json_string(p->level));
        json_t *date = conviction_date(p->date);
        int32_t cday;
        if (date && cust_date_parse(json_string_value(date), &cday) && cday > as_of) {
            /* not yet a conviction on the request's day: the decision rests only on what was
             * true then (the engine refuses such a case) */
            json_decref(date);
            json_decref(c);
            continue;
        }
        if (date)
            json_object_set_new(c, "date", date);
        const char *jur = p->jurisdiction;
        if (jur && (!strcmp(jur, "CA") || !strcmp(jur, "federal") || !strcmp(jur, "other_state")))
            json_object_set_new(c, "jurisdiction", json_string(jur));
        add_flags(c, p->flags_json);
        json_array_append_new(convictions, c);
    }
    json_t *pending = json_array();
    for (size_t i = 0; b && i < b->n_charges; i++) {
        const struct cust_charge *ch = &b->charges[i];
        char code[64];
        if (!ch->code || !ch->status || strcmp(ch->status, "pending") != 0 ||
            !cust_statute_code(ch->code, code, sizeof(code)))
            continue;
        json_t *c = json_pack("{s:s,s:b}", "code", code, "held_to_answer", ch->held_to_answer == 1);
        if (is_level(ch->level))
            json_object_set_new(c, "level", json_string(ch->level));
        json_array_append_new(pending, c);
    }
    char day[11];
    cust_date_format(as_of, day);
    json_t *c = json_pack(
        "{s:s,s:s,s:{s:s,s:o,s:o},s:{s:{s:s,s:b},s:b,s:o,s:o,s:b,s:b}}", "jurisdiction",
        jurisdiction ? jurisdiction : "us-ca", "as_of", day, "request", "kind", kind, "asks",
        desk_flag_names(asks, false), "items", desk_flag_names(items, true), "subject",
        "citizenship", "status", status, "verified",
        person && person->has_citizenship && person->citizenship.verified == 1,
        "release_date_public", b && b->release_date_public == 1, "convictions", convictions,
        "pending_charges", pending, "sex_arson_registrant",
        person && person->sex_arson_registrant == 1, "outstanding_federal_felony_warrant", false);
    if (c && person)
        add_status(json_object_get(c, "subject"), person);
    return c;
}

/* One value of the record in the case key: self-delimiting (absent differs from empty). */
static void key_str(struct cust_buf *b, const char *s)
{
    if (!s)
        ignore(cust_buf_putc(b, '-'));
    else
        ignore(cust_buf_appendf(b, "s%zu:%s", strlen(s), s));
}

static void key_int(struct cust_buf *b, int64_t v)
{
    ignore(cust_buf_appendf(b, "i%lld;", (long long)v));
}

void desk_case_key(const struct cust_booking *bk, struct cust_buf *b)
{
    const struct cust_person *p = &bk->person;
    key_int(b, p->has_citizenship);
    key_str(b, p->has_citizenship ? p->citizenship.status : NULL);
    key_int(b, p->has_citizenship ? p->citizenship.verified : -1);
    key_int(b, bk->release_date_public);
    key_int(b, p->sex_arson_registrant);
    key_int(b, p->address_public);
    key_str(b, p->immigration_status);
    key_int(b, p->immigration_proof);
    ignore(cust_buf_putc(b, 'P'));
    for (size_t i = 0; i < bk->n_priors; i++) {
        const struct cust_prior *pr = &bk->priors[i];
        ignore(cust_buf_putc(b, '['));
        key_str(b, pr->code);
        key_str(b, pr->level);
        key_str(b, pr->date);
        key_str(b, pr->jurisdiction);
        key_str(b, pr->flags_json);
    }
    ignore(cust_buf_putc(b, 'C'));
    for (size_t i = 0; i < bk->n_charges; i++) {
        const struct cust_charge *ch = &bk->charges[i];
        ignore(cust_buf_putc(b, '['));
        key_str(b, ch->code);
        key_str(b, ch->status);
        key_int(b, ch->held_to_answer);
        key_str(b, ch->level);
    }
}
