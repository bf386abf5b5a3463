/*
 * records.c - the console's booking and person pages (docs/internals/web.md "Booking and
 * person pages"): every field under a label, values as people read them - dates in words,
 * instants in the county's zone (datewords.h), bail in dollars, a charge as
 * "PC 245(a)(1) — felony — pending", yes or no for flags. The record comes from
 * web_record_json (console.c), already without the restricted fields for a role not allowed
 * person.read_restricted, so a restricted section is shown only when its fields are there.
 */
#include "custodian/compat.h"
#include "custodian/datewords.h"
#include "web_internal.h"

#include <jansson.h>

#define RESTRICTED_HEADING "Identity, citizenship and criminal history"

static const char *str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s && *s ? s : NULL;
}

static const char *yes_no(const json_t *v)
{
    return json_is_true(v) ? "Yes" : "No";
}

/* A stored date or instant in words (English: the console's language). */
static json_t *words(const char *stored, const char *absent)
{
    if (!stored)
        return json_string(absent);
    char out[CUST_DATE_WORDS_MAX];
    cust_words_of(stored, "en", out);
    return json_string(out);
}

/* A code of the record's vocabulary as words: "consular_notification" -> "consular notification".
 */
static json_t *plain(const char *code, const char *absent)
{
    if (!code)
        return json_string(absent);
    char *s = cust_xstrdup(code);
    for (char *p = s; *p; p++)
        if (*p == '_')
            *p = ' ';
    json_t *v = json_string(s);
    free(s);
    return v;
}

/* "GARCIA, JOSE L" */
static json_t *full_name(const json_t *p)
{
    const char *last = str(p, "last_name"), *first = str(p, "first_name"),
               *middle = str(p, "middle_name");
    return json_sprintf("%s, %s%s%s", last ? last : "(no last name)", first ? first : "",
                        middle ? " " : "", middle ? middle : "");
}

/* A labelled row; `value` is stolen (NULL: left out). */
static void row(json_t *rows, const char *label, json_t *value)
{
    if (!value)
        return;
    if (json_is_array(value)) /* a list: one item a line */
        json_array_append_new(
            rows, json_pack("{s:s,s:b,s:o}", "label", label, "list", 1, "items", value));
    else
        json_array_append_new(rows, json_pack("{s:s,s:o}", "label", label, "value", value));
}

static void link_row(json_t *rows, const char *label, json_t *value, json_t *href)
{
    json_array_append_new(rows,
                          json_pack("{s:s,s:o,s:o}", "label", label, "value", value, "href", href));
}

/* A section of labelled rows {id, heading, rows, restricted} appended to `sections`; its rows
 * (borrowed) for the caller to fill. */
static json_t *section(json_t *sections, const char *id, const char *heading, bool restricted)
{
    json_t *rows = json_array();
    json_array_append_new(sections, json_pack("{s:s,s:s,s:o,s:b}", "id", id, "heading", heading,
                                              "rows", rows, "restricted", restricted));
    return rows;
}

/* The last section added (to add a table or an "empty" line to it). */
static json_t *last_section(json_t *sections)
{
    return json_array_get(sections, json_array_size(sections) - 1);
}

/* Every section says whether it has rows (the template's dl is never empty). */
static json_t *finish(json_t *sections)
{
    size_t i;
    json_t *s;
    json_array_foreach(sections, i, s) json_object_set_new(
        s, "has_rows", json_boolean(json_array_size(json_object_get(s, "rows")) > 0));
    return sections;
}

/* "PC 245(a)(1) — felony — pending" */
static json_t *charge_line(const json_t *c)
{
    const char *code = str(c, "code"), *level = str(c, "level"), *status = str(c, "status");
    return json_sprintf("%s%s%s%s%s", code ? code : "(no code)", level ? " — " : "",
                        level ? level : "", status ? " — " : "", status ? status : "");
}

static json_t *days(const json_t *v)
{
    if (!json_is_integer(v))
        return NULL;
    json_int_t n = json_integer_value(v);
    return json_sprintf("%lld %s", (long long)n, n == 1 ? "day" : "days");
}

/* The charges table: one row per charge, and the bail set on them summed; NULL for none. */
static json_t *charges_table(const json_t *charges)
{
    json_t *lines = json_array();
    json_int_t bail = 0;
    bool any_bail = false;
    size_t i;
    json_t *c;
    json_array_foreach(charges, i, c)
    {
        json_t *bc = json_object_get(c, "bail_cents");
        bool has_bail = json_is_integer(bc) && json_integer_value(bc) >= 0;
        if (has_bail) {
            bail += json_integer_value(bc);
            any_bail = true;
        }
        json_array_append_new(
            lines,
            json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:s}", "charge", charge_line(c), "description",
                      plain(str(c, "description"), "—"), "case", plain(str(c, "case_number"), "—"),
                      "court", plain(str(c, "court"), "—"), "next_court_date",
                      words(str(c, "next_court_date"), "None scheduled"), "bail",
                      has_bail ? web_dollars(json_integer_value(bc)) : json_string("None set"),
                      "held_to_answer", yes_no(json_object_get(c, "held_to_answer"))));
    }
    if (json_array_size(lines) == 0) {
        json_decref(lines);
        return NULL;
    }
    return json_pack("{s:o,s:o}", "lines", lines, "total_bail",
                     any_bail ? web_dollars(bail) : json_string("None set"));
}

/* "PC 211 — felony — convicted May 1, 2012 (CA)" */
static json_t *conviction_line(const json_t *c)
{
    const char *code = str(c, "code"), *level = str(c, "level"), *jur = str(c, "jurisdiction");
    char when[CUST_DATE_WORDS_MAX] = "on a date not recorded";
    if (str(c, "date"))
        cust_words_of(str(c, "date"), "en", when);
    return json_sprintf("%s%s%s — convicted %s%s%s%s", code ? code : "(no code)",
                        level ? " — " : "", level ? level : "", when, jur ? " (" : "",
                        jur ? jur : "", jur ? ")" : "");
}

static json_t *list_of(const json_t *arr, json_t *(*line)(const json_t *), const char *none)
{
    if (json_array_size(arr) == 0)
        return json_string(none);
    json_t *items = json_array();
    size_t i;
    json_t *x;
    json_array_foreach(arr, i, x) json_array_append_new(items, line(x));
    return items;
}

/* "GARCIA, JOE, born April 2, 1988" */
static json_t *alias_line(const json_t *a)
{
    json_t *name = full_name(a);
    char born[CUST_DATE_WORDS_MAX] = "";
    if (str(a, "dob"))
        cust_words_of(str(a, "dob"), "en", born);
    json_t *v = json_sprintf("%s%s%s", json_string_value(name), *born ? ", born " : "", born);
    json_decref(name);
    return v;
}

/* "Not a U.S. citizen (country MX), from consular notification, not verified, recorded
 * March 14, 2025" */
static json_t *citizenship_line(const json_t *c)
{
    const char *status = str(c, "status"), *country = str(c, "country"), *source = str(c, "source");
    const char *said = !status                              ? "Not recorded"
                       : strcmp(status, "citizen") == 0     ? "U.S. citizen"
                       : strcmp(status, "non_citizen") == 0 ? "Not a U.S. citizen"
                                                            : "Unknown";
    json_t *src = plain(source, "no source");
    char when[CUST_DATE_WORDS_MAX] = "";
    if (str(c, "recorded_at"))
        cust_words_of(str(c, "recorded_at"), "en", when);
    json_t *v =
        json_sprintf("%s%s%s%s, from %s, %s%s%s%s%s", said, country ? " (country " : "",
                     country ? country : "", country ? ")" : "", json_string_value(src),
                     json_is_true(json_object_get(c, "verified")) ? "verified" : "not verified",
                     *when ? ", recorded " : "", when, str(c, "booking_number") ? ", booking " : "",
                     str(c, "booking_number") ? str(c, "booking_number") : "");
    json_decref(src);
    return v;
}

/* Identifiers, place of birth, address, aliases, registrant: the restricted identity fields
 * present in `p` (a person, or a booking's person). */
static void identity_rows(json_t *rows, const json_t *p)
{
    const json_t *ids = json_object_get(p, "ids");
    if (json_is_object(ids)) {
        static const struct {
            const char *key, *label;
        } id_labels[] = {{"cii", "CII number"},
                         {"fbi", "FBI number"},
                         {"sid", "State ID (SID)"},
                         {"a_number", "A-number"}};
        for (size_t i = 0; i < CUST_ARRAY_LEN(id_labels); i++)
            row(rows, id_labels[i].label, plain(str(ids, id_labels[i].key), "None recorded"));
    }
    if (json_object_get(p, "place_of_birth"))
        row(rows, "Place of birth", plain(str(p, "place_of_birth"), "Not recorded"));
    if (json_object_get(p, "home_address"))
        row(rows, "Home address", plain(str(p, "home_address"), "Not recorded"));
    if (json_object_get(p, "immigration_status"))
        row(rows, "Immigration status", plain(str(p, "immigration_status"), "Not recorded"));
    if (json_object_get(p, "aliases"))
        row(rows, "Other names", list_of(json_object_get(p, "aliases"), alias_line, "None"));
    if (json_object_get(p, "sex_arson_registrant"))
        row(rows, "Sex or arson registrant",
            json_string(yes_no(json_object_get(p, "sex_arson_registrant"))));
}

static json_t *person_href(json_int_t internal_id)
{
    return json_sprintf("/console/persons/%%23%lld", (long long)internal_id);
}

/* The booking page's variables from the booking JSON (store_booking_json, maybe redacted). */
static json_t *booking_vars(const json_t *v, const char *number)
{
    const json_t *r = json_object_get(v, "record");
    const json_t *p = json_object_get(r, "person");
    json_t *sections = json_array();

    json_t *rows = section(sections, "person", "Person", false);
    json_t *name = full_name(p);
    if (json_is_integer(json_object_get(v, "person_internal_id")))
        link_row(rows, "Name", json_incref(name),
                 person_href(json_integer_value(json_object_get(v, "person_internal_id"))));
    else
        row(rows, "Name", json_incref(name));
    row(rows, "Person ID (source)", plain(str(p, "person_id"), "None"));
    row(rows, "Date of birth", words(str(p, "dob"), "Not recorded"));
    row(rows, "Sex", plain(str(p, "sex"), "Not recorded"));

    rows = section(sections, "booking", "Booking", false);
    row(rows, "Booking number", json_string(number));
    row(rows, "Record version", json_deep_copy(json_object_get(v, "version")));
    row(rows, "Booked", words(str(r, "booked_at"), "Not recorded"));
    row(rows, "Facility", plain(str(r, "facility"), "Not recorded"));
    row(rows, "Housing", plain(str(r, "housing"), "Not recorded"));
    row(rows, "Arresting agency", plain(str(r, "arresting_agency"), "Not recorded"));
    row(rows, "In custody today", json_string(yes_no(json_object_get(v, "in_custody_today"))));
    row(rows, "Released", words(str(r, "released_at"), "Not released"));
    if (str(r, "release_reason"))
        row(rows, "Release reason", plain(str(r, "release_reason"), ""));

    section(sections, "charges", "Charges", false);
    json_t *charges = charges_table(json_object_get(r, "charges"));
    if (charges)
        json_object_set_new(last_section(sections), "charges", charges);
    else
        json_object_set_new(last_section(sections), "empty",
                            json_string("No charge is recorded on this booking."));

    rows = section(sections, "release", "Release date", false);
    row(rows, "Scheduled release (source)", words(str(v, "scheduled_release"), "Not stated"));
    row(rows, "Release date public",
        json_string(yes_no(json_object_get(r, "release_date_public"))));
    if (str(v, "computed_release")) {
        char when[CUST_DATE_WORDS_MAX];
        cust_words_of(str(v, "computed_release"), "en", when);
        row(rows, "Computed release",
            json_sprintf("%s (rule %s)", when,
                         str(v, "release_rule") ? str(v, "release_rule") : "?"));
    }
    if (json_is_true(json_object_get(v, "release_disagreement")))
        row(rows, "Check",
            json_string("The source's scheduled date and the computed date differ: check the "
                        "sentence before release."));
    const json_t *sentence = json_object_get(r, "sentence");
    if (json_is_object(sentence)) {
        rows = section(sections, "sentence", "Sentence", false);
        row(rows, "Imposed", words(str(sentence, "imposed_on"), "Not recorded"));
        row(rows, "Term", days(json_object_get(sentence, "term_days")));
        row(rows, "Presentence custody credit",
            days(json_object_get(sentence, "presentence_custody_days")));
    }

    /* restricted: present only for a role allowed person.read_restricted */
    json_t *restricted = json_array();
    identity_rows(restricted, p);
    if (json_object_get(p, "citizenship"))
        row(restricted, "Citizenship", citizenship_line(json_object_get(p, "citizenship")));
    if (json_object_get(r, "prior_convictions"))
        row(restricted, "Prior convictions",
            list_of(json_object_get(r, "prior_convictions"), conviction_line, "None recorded"));
    if (json_array_size(restricted) > 0)
        json_array_extend(section(sections, "restricted", RESTRICTED_HEADING, true), restricted);
    json_decref(restricted);

    return json_pack("{s:o,s:o}", "name", name, "sections", finish(sections));
}

/* The person page's variables from the person JSON (store_person_json, maybe redacted). */
static json_t *person_vars(const json_t *v)
{
    json_t *sections = json_array();
    json_t *rows = section(sections, "person", "Person", false);
    json_t *name = full_name(v);
    row(rows, "Name", json_incref(name));
    row(rows, "Person ID (source)", plain(str(v, "person_id"), "None"));
    row(rows, "Internal number",
        json_sprintf("#%lld", (long long)json_integer_value(json_object_get(v, "internal_id"))));
    row(rows, "Date of birth", words(str(v, "dob"), "Not recorded"));
    row(rows, "Sex", plain(str(v, "sex"), "Not recorded"));

    rows = section(sections, "bookings", "Bookings", false);
    size_t i;
    json_t *b;
    json_array_foreach(json_object_get(v, "bookings"), i, b)
    {
        if (json_is_string(b))
            link_row(rows, "Booking number", json_incref(b),
                     json_sprintf("/console/bookings/%s", json_string_value(b)));
    }
    if (json_array_size(rows) == 0)
        json_object_set_new(last_section(sections), "empty",
                            json_string("No booking is recorded for this person."));

    json_t *restricted = json_array();
    identity_rows(restricted, v);
    if (json_object_get(v, "citizenship_history"))
        row(restricted, "Citizenship",
            list_of(json_object_get(v, "citizenship_history"), citizenship_line, "Not recorded"));
    if (json_object_get(v, "prior_convictions"))
        row(restricted, "Prior convictions",
            list_of(json_object_get(v, "prior_convictions"), conviction_line, "None recorded"));
    if (json_array_size(restricted) > 0)
        json_array_extend(section(sections, "restricted", RESTRICTED_HEADING, true), restricted);
    json_decref(restricted);
    return json_pack("{s:o,s:o}", "name", name, "sections", finish(sections));
}

static enum cust_status record_page(struct cust_http_request *req, struct cust_http_response *res,
                                    struct cust_web *w, bool person)
{
    struct cust_session s;
    enum cust_status st = web_guard(w, req, res, CUST_ACT_ROSTER_READ, true, &s);
    if (st != CUST_OK)
        return st;
    const char *key = cust_http_req_param(req, person ? "id" : "number");
    struct cust_err err = CUST_ERR_INIT;
    json_t *v = web_record_json(w, req, &s, person, key, &st, &err);
    if (!v)
        return web_html_error(
            w, res, cust_http_status_for(st), person ? "No such person" : "No such booking",
            st == CUST_ENOTFOUND ? "Nothing is stored under that key." : err.msg, &s);
    json_t *vars = person ? person_vars(v) : booking_vars(v, key);
    if (!vars) {
        json_decref(v);
        return CUST_ENOMEM;
    }
    json_object_set_new(vars, "hidden",
                        json_boolean(json_is_true(json_object_get(v, "restricted_fields_hidden"))));
    char title[200];
    snprintf(title, sizeof(title), "%s%s%s", json_string_value(json_object_get(vars, "name")),
             person ? "" : " — booking ", person ? "" : key);
    json_decref(v);
    return web_page(w, res, 200, title, &s, "record", vars);
}

enum cust_status web_booking_page(struct cust_http_request *req, struct cust_http_response *res,
                                  void *ctx)
{
    return record_page(req, res, ctx, false);
}

enum cust_status web_person_page(struct cust_http_request *req, struct cust_http_response *res,
                                 void *ctx)
{
    return record_page(req, res, ctx, true);
}
