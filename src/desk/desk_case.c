/*
 * desk_case.c - the decide.md case the desk asks about a person, from their whole record
 * (desk_whole.c), and where each of its facts came from (desk.h, docs/internals/desk.md).
 */
#include "custodian/compat.h"
#include "custodian/date.h"
#include "custodian/records.h"
#include "custodian/statute.h"
#include "desk_internal.h"

static bool is_conviction(const struct desk_fact *f)
{
    return f->kind == DESK_FACT_PRIOR || strcmp(f->status, "convicted") == 0;
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

static json_t *day_json(int32_t day)
{
    char buf[11];
    cust_date_format(day, buf);
    return json_string(buf);
}

static json_t *conviction_json(const struct desk_fact *f)
{
    json_t *c = json_pack("{s:s}", "code", f->code);
    if (f->level)
        json_object_set_new(c, "level", json_string(f->level));
    if (f->day != CUST_NO_DAY)
        json_object_set_new(c, "date", day_json(f->day));
    if (f->jurisdiction)
        json_object_set_new(c, "jurisdiction", json_string(f->jurisdiction));
    add_flags(c, f->flags_json);
    return c;
}

json_t *desk_case_whole(const struct desk_whole *w, const struct cust_booking *subject,
                        const char *jurisdiction, int32_t as_of, const char *kind, unsigned asks,
                        unsigned items)
{
    json_t *convictions = json_array();
    json_t *pending = json_array();
    for (size_t i = 0; w && i < w->n; i++) {
        const struct desk_fact *f = &w->facts[i];
        if (is_conviction(f)) {
            json_array_append_new(convictions, conviction_json(f));
        } else if (strcmp(f->status, "pending") == 0) {
            json_t *c = json_pack("{s:s,s:b}", "code", f->code, "held_to_answer", f->held);
            if (f->level)
                json_object_set_new(c, "level", json_string(f->level));
            json_array_append_new(pending, c);
        }
    }
    const char *status = w && w->has_cit && w->cit.status ? w->cit.status : "unknown";
    char day[11];
    cust_date_format(as_of, day);
    json_t *c = json_pack(
        "{s:s,s:s,s:{s:s,s:o,s:o},s:{s:{s:s,s:b},s:b,s:o,s:o,s:b,s:b}}", "jurisdiction",
        jurisdiction ? jurisdiction : "us-ca", "as_of", day, "request", "kind", kind, "asks",
        desk_flag_names(asks, false), "items", desk_flag_names(items, true), "subject",
        "citizenship", "status", status, "verified", w && w->has_cit && w->cit.verified == 1,
        "release_date_public", subject && subject->release_date_public == 1, "convictions",
        convictions, "pending_charges", pending, "sex_arson_registrant", w && w->registrant == 1,
        "outstanding_federal_felony_warrant", false);
    json_t *subj = json_object_get(c, "subject");
    /* decide.md's subject.address_public and subject.immigration_status, when the record
     * carries them */
    if (subj && w && w->address_public >= 0)
        json_object_set_new(subj, "address_public", json_boolean(w->address_public == 1));
    if (subj && w && w->imm_status)
        json_object_set_new(
            subj, "immigration_status",
            json_pack("{s:s,s:b}", "status", w->imm_status, "proof_provided", w->imm_proof == 1));
    return c;
}

json_t *cust_desk_case_from_booking(const struct cust_booking *b, const char *jurisdiction,
                                    int32_t as_of, const char *kind, unsigned asks, unsigned items)
{
    struct desk_whole w;
    desk_whole_init(&w);
    if (b)
        desk_whole_add(&w, b, as_of);
    json_t *c = desk_case_whole(b ? &w : NULL, b, jurisdiction, as_of, kind, asks, items);
    desk_whole_release(&w);
    return c;
}

/* One fact's line and object. */
static void source_fact(const struct desk_fact *f, json_t *facts, json_t *trace)
{
    char date[11] = "";
    if (f->day != CUST_NO_DAY)
        cust_date_format(f->day, date);
    const char *what = is_conviction(f) ? "conviction" : "pending_charge";
    const char *from = f->kind == DESK_FACT_PRIOR ? "prior conviction listed" : "charge";
    json_t *o =
        json_pack("{s:s,s:s,s:s?,s:s,s:s}", "fact", what, "code", f->code, "level", f->level,
                  "from", f->kind == DESK_FACT_PRIOR ? "prior" : "charge", "booking", f->booking);
    if (date[0])
        json_object_set_new(o, "date", json_string(date));
    if (f->kind == DESK_FACT_CHARGE && !is_conviction(f))
        json_object_set_new(o, "held_to_answer", json_boolean(f->held));
    json_array_append_new(facts, o);
    if (!trace)
        return;
    char line[320];
    snprintf(line, sizeof(line), "record: %s %s%s%s%s%s%s (%s in booking %s)",
             is_conviction(f) ? "conviction" : "pending charge", f->code, f->level ? " " : "",
             f->level ? f->level : "", date[0] ? " on " : "", date,
             !is_conviction(f) ? (f->held ? ", held to answer" : ", not held to answer") : "",
             f->kind == DESK_FACT_PRIOR ? "prior conviction listed"
                                        : (is_conviction(f) ? "charge convicted" : from),
             f->booking);
    json_array_append_new(trace, json_string(line));
}

json_t *desk_whole_sources(const struct desk_whole *w, json_t *trace)
{
    json_t *bookings = json_array();
    for (size_t i = 0; i < w->n_bookings && i < CUST_ARRAY_LEN(w->bookings); i++)
        json_array_append_new(bookings, json_string(w->bookings[i]));
    json_t *facts = json_array();
    if (trace) {
        char *bl = json_dumps(bookings, JSON_COMPACT);
        char line[512];
        snprintf(line, sizeof(line), "record: the person's bookings up to the decision day: %s",
                 bl ? bl : "[]");
        free(bl);
        json_array_append_new(trace, json_string(line));
    }
    for (size_t i = 0; i < w->n; i++) {
        const struct desk_fact *f = &w->facts[i];
        if (is_conviction(f) || strcmp(f->status, "pending") == 0)
            source_fact(f, facts, trace);
    }
    json_t *o = json_pack("{s:o,s:o}", "bookings", bookings, "facts", facts);
    if (w->has_cit) {
        json_object_set_new(o, "citizenship",
                            json_pack("{s:s,s:b,s:s?,s:s}", "status", w->cit.status, "verified",
                                      w->cit.verified == 1, "source", w->cit.source, "booking",
                                      w->cit_booking));
        if (trace) {
            char line[320];
            snprintf(line, sizeof(line), "record: citizenship %s, %s, source %s (booking %s)",
                     w->cit.status, w->cit.verified == 1 ? "verified" : "not verified",
                     w->cit.source ? w->cit.source : "not stated", w->cit_booking);
            json_array_append_new(trace, json_string(line));
        }
    }
    if (w->imm_status) {
        json_object_set_new(o, "immigration_status",
                            json_pack("{s:s,s:b,s:s}", "status", w->imm_status, "proof_provided",
                                      w->imm_proof == 1, "booking", w->imm_booking));
        if (trace) {
            char line[320];
            snprintf(line, sizeof(line), "record: immigration status %s%s (booking %s)",
                     w->imm_status, w->imm_proof == 1 ? ", proof shown" : "", w->imm_booking);
            json_array_append_new(trace, json_string(line));
        }
    }
    return o;
}
