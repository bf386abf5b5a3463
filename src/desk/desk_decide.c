/*
 * desk_decide.c - decisions, actions, duties, notices and transfers (desk.h,
 * docs/internals/desk.md).
 */
#include "custodian/compat.h"
#include "custodian/csv.h"
#include "custodian/date.h"
#include "custodian/policy.h"
#include "custodian/records.h"
#include "custodian/statute.h"
#include "custodian/template.h"
#include "desk_internal.h"

#include <sodium.h>
#include <unistd.h>

static void ignore(enum cust_status st)
{
    (void)st;
}

/* ---- the case ---------------------------------------------------------------------------- */

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

/* ---- duty rules and notices --------------------------------------------------------------- */

enum cust_status desk_duty_due(struct cust_desk *d, const char *duty, int64_t from, int offset,
                               int64_t *due, struct cust_err *err)
{
    (void)err;
    *due = CUST_NO_TIME;
    json_t *days = json_object_get(d->env->law.duty_days, duty);
    if (!json_is_integer(days))
        return CUST_OK;
    int32_t day = cust_time_local_day(from, offset);
    if (json_integer_value(days) > 0)
        day = cust_deadline_add_business_days(d->env->cal, day, (int)json_integer_value(days));
    *due = ((int64_t)day + 1) * 86400 - 1 - (int64_t)offset * 60;
    return CUST_OK;
}

static const char *duty_template(const char *duty)
{
    if (strcmp(duty, "serve_copy_to_subject") == 0)
        return "request_copy";
    if (strcmp(duty, "notice_to_subject_and_attorney") == 0)
        return "release_notice";
    if (strcmp(duty, "consent_form_before_interview") == 0)
        return "interview_consent";
    return NULL;
}

static enum cust_status render(struct cust_desk *d, const char *tpl, const char *lang,
                               const json_t *vars, struct cust_buf *out, struct cust_err *err)
{
    for (const char *c = lang; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || *c == '-'))
            return cust_err_set(err, CUST_EINVAL, "language '%s' is not a language code", lang);
    char path[1024], key[96];
    snprintf(path, sizeof(path), "%s/%s/%s.txt", d->env->templates_dir, lang, tpl);
    snprintf(key, sizeof(key), "%s/%s", lang, tpl);
    struct desk_cache *dc = desk_cache(d);
    if (!dc->templates)
        dc->templates = json_object();
    json_t *text = json_object_get(dc->templates, key);
    if (!text) {
        FILE *f = fopen(path, "rb");
        if (!f)
            return cust_err_set(err, CUST_ENOTFOUND,
                                "no '%s' notice in language '%s' (templates/notices/languages.csv "
                                "lists what is shipped)",
                                tpl, lang);
        struct cust_buf b;
        cust_buf_init(&b, 1u << 20);
        char chunk[4096];
        size_t n;
        enum cust_status st = CUST_OK;
        while (st == CUST_OK && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
            st = cust_buf_append(&b, chunk, n);
        fclose(f);
        if (st != CUST_OK) {
            cust_buf_release(&b);
            return cust_err_set(err, st, "template '%s' larger than 1 MiB", path);
        }
        text = json_stringn_nocheck(b.len ? b.buf : "", b.len);
        cust_buf_release(&b);
        json_object_set_new(dc->templates, key, text);
    }
    return cust_template_render(path, json_string_value(text), json_string_length(text), vars,
                                CUST_TEMPLATE_TEXT, out, err);
}

/* The words a notice needs in `lang` (templates/notices/<lang>/terms.csv: key,text), cached;
 * a language without the file uses English. */
static enum cust_status terms(struct cust_desk *d, const char *lang, json_t **out,
                              struct cust_err *err)
{
    struct desk_cache *dc = desk_cache(d);
    if (!dc->templates)
        dc->templates = json_object();
    char key[64];
    snprintf(key, sizeof(key), "%s/terms", lang);
    if ((*out = json_object_get(dc->templates, key)))
        return CUST_OK;
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s/terms.csv", d->env->templates_dir, lang);
    if (access(path, R_OK) != 0 && strcmp(lang, "en") != 0)
        return terms(d, "en", out, err);
    struct cust_csv csv;
    enum cust_status st = cust_csv_open_file(&csv, path, err);
    if (st != CUST_OK)
        return st;
    json_t *t = json_object();
    st = cust_csv_next(&csv, err);
    int ck = cust_csv_column(&csv, "key"), ct = cust_csv_column(&csv, "text");
    if (st == CUST_OK && (ck < 0 || ct < 0))
        st = cust_err_set(err, CUST_EINVAL, "%s:1: needs columns 'key' and 'text'", path);
    while (st == CUST_OK && (st = cust_csv_next(&csv, err)) == CUST_OK && csv.nfields) {
        if (csv.nfields <= (size_t)ck || csv.nfields <= (size_t)ct) {
            st = cust_err_set(err, CUST_EINVAL, "%s:%zu: expected key,text", path, csv.line);
            break;
        }
        json_object_set_new(t, csv.fields[ck], json_string(csv.fields[ct]));
    }
    cust_csv_release(&csv);
    if (st != CUST_OK) {
        json_decref(t);
        return st;
    }
    json_object_set_new(dc->templates, key, t);
    *out = t;
    return CUST_OK;
}

static const char *term(const json_t *t, const char *key)
{
    const char *s = json_string_value(json_object_get(t, key));
    return s ? s : key;
}

/* Put the language's words into the values: asks_text, comply_text, and the defaults. */
static enum cust_status localise(struct cust_desk *d, const char *lang, json_t *v,
                                 struct cust_err *err)
{
    json_t *t;
    enum cust_status st = terms(d, lang, &t, err);
    if (st != CUST_OK)
        return st;
    json_t *asks = json_object_get(v, "asks"), *verdicts = json_object_get(v, "verdicts");
    struct cust_buf at, ct;
    cust_buf_init(&at, 0);
    cust_buf_init(&ct, 0);
    size_t i;
    json_t *a;
    json_array_foreach(asks, i, a)
    {
        const char *name = json_string_value(a);
        const char *verdict = json_string_value(json_object_get(verdicts, name));
        ignore(cust_buf_appendf(&at, "%s%s", i ? "; " : "", term(t, name)));
        if (verdict && strcmp(verdict, "prohibited") != 0)
            ignore(cust_buf_appendf(&ct, "- %s (%s)\n", term(t, name), term(t, verdict)));
    }
    json_object_set_new(v, "asks_text",
                        at.len ? json_stringn(at.buf, at.len) : json_string(term(t, "nothing")));
    json_object_set_new(v, "comply_text", json_stringn(ct.len ? ct.buf : "", ct.len));
    cust_buf_release(&at);
    cust_buf_release(&ct);
    static const char *const defaults[][2] = {{"attorney_name", "attorney_name"},
                                              {"purpose", "purpose_default"},
                                              {"release_info", "release_info_default"},
                                              {"basis", "basis_decision"}};
    for (size_t k = 0; k < CUST_ARRAY_LEN(defaults); k++)
        if (!json_string_value(json_object_get(v, defaults[k][0])))
            json_object_set_new(v, defaults[k][0], json_string(term(t, defaults[k][1])));
    return CUST_OK;
}

static void sha256_hex(const void *data, size_t len, char out[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, data, len);
    sodium_bin2hex(out, 65, h, sizeof(h));
}

/* Render a duty's notice and keep it as a document of the request; *sha gets its hash. */
static enum cust_status keep_notice(struct cust_desk *d, const char *request_id, const char *duty,
                                    int64_t person_id, const char *lang, const json_t *vars,
                                    struct cust_buf *out, char sha[65], struct cust_err *err)
{
    const char *tpl = duty_template(duty);
    if (!tpl)
        return cust_err_set(err, CUST_ENOTFOUND, "duty '%s' has no notice", duty);
    json_t *v = json_deep_copy(vars);
    enum cust_status lst = localise(d, lang, v, err);
    if (lst != CUST_OK) {
        json_decref(v);
        return lst;
    }
    char today[11];
    cust_date_format(cust_today(), today);
    json_object_set_new(v, "notice_date", json_string(today));
    json_object_set_new(v, "request_id", json_string(request_id));
    json_object_set_new(v, "agency_name", json_string(d->env->agency_name));
    struct cust_buf local;
    cust_buf_init(&local, 0);
    struct cust_buf *b = out ? out : &local;
    size_t start = b->len;
    enum cust_status st = render(d, tpl, lang, v, b, err);
    json_decref(v);
    if (st == CUST_OK) {
        sha256_hex(b->buf + start, b->len - start, sha);
        char name[96];
        snprintf(name, sizeof(name), "%s-person-%lld.%s.txt", tpl, (long long)person_id, lang);
        st = cust_store_document_put(d->store, request_id, name, sha,
                                     (const unsigned char *)b->buf + start, b->len - start,
                                     "notice", err);
    }
    cust_buf_release(&local);
    return st;
}

enum cust_status desk_duty_create(struct cust_desk *d, const struct desk_req *q, int64_t person_id,
                                  const char *booking_number, const char *duty, const json_t *cite,
                                  json_t *detail, int64_t *duty_id, struct cust_err *err)
{
    return desk_duty_create_ex(d, q, person_id, booking_number, duty, cite, detail, 0, duty_id,
                               err);
}

enum cust_status desk_duty_create_ex(struct cust_desk *d, const struct desk_req *q,
                                     int64_t person_id, const char *booking_number,
                                     const char *duty, const json_t *cite, json_t *detail,
                                     unsigned flags, int64_t *duty_id, struct cust_err *err)
{
    int64_t due;
    int64_t now = cust_now();
    enum cust_status st = desk_duty_due(d, duty, now, q->r.received_offset, &due, err);
    char *cite_text = cite ? json_dumps(cite, JSON_COMPACT) : NULL;
    char *detail_text = detail ? json_dumps(detail, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    char created[32];
    desk_now(created);
    int64_t id = 0;
    char sha[65] = "";
    /* the notice first, so the duty row names its document */
    if (st == CUST_OK && duty_template(duty) && detail && !(flags & DESK_DUTY_NO_NOTICE))
        st = keep_notice(d, q->id, duty, person_id, d->lang ? d->lang : "en", detail, NULL, sha,
                         err);
    if (st == CUST_OK) {
        struct cust_duty_row row = {.request_id = q->id,
                                    .person_id = person_id,
                                    .booking_number = booking_number,
                                    .duty = duty,
                                    .cite = cite_text,
                                    .due_ts = due,
                                    .created_at = created,
                                    .document_sha256 = sha[0] ? sha : NULL,
                                    .detail = detail_text};
        st = cust_store_duty_put(d->store, &row, &id, err);
    }
    if (st == CUST_OK)
        st = desk_log(d, "duty.create", "request", q->id, "ok", duty,
                      json_pack("{s:I,s:s,s:I,s:s?,s:o,s:s?,s:s?}", "duty_id", (json_int_t)id,
                                "duty", duty, "person_id", (json_int_t)person_id, "booking_number",
                                booking_number, "due", desk_time_json(due), "document",
                                sha[0] ? sha : NULL, "lang",
                                sha[0] ? (d->lang ? d->lang : "en") : NULL),
                      err);
    free(cite_text);
    free(detail_text);
    if (duty_id)
        *duty_id = id;
    return st;
}

/* ---- duties ------------------------------------------------------------------------------ */

struct duty_list {
    json_t *arr;
    const struct desk_law *law;
};

static enum cust_status on_duty(const struct cust_duty_row *x, void *arg)
{
    struct duty_list *l = arg;
    json_t *cite = x->cite ? json_loads(x->cite, 0, NULL) : NULL;
    int64_t now = cust_now();
    bool open = strcmp(x->status, "open") == 0;
    /* the deadline's own law, beside the duty's (duty-deadlines.csv) */
    const char *due_cite = x->due_ts != CUST_NO_TIME
                               ? json_string_value(json_object_get(l->law->duty_cites, x->duty))
                               : NULL;
    json_array_append_new(
        l->arr,
        json_pack("{s:I,s:s,s:I,s:s?,s:s,s:o,s:s,s:o,s:s?,s:b,s:s,s:s?,s:s?,s:s?}", "id",
                  (json_int_t)x->id, "request_id", x->request_id, "person_id",
                  (json_int_t)x->person_id, "booking_number", x->booking_number, "duty", x->duty,
                  "cite", cite ? cite : json_array(), "status", x->status, "due",
                  desk_time_json(x->due_ts), "due_cite", due_cite, "overdue",
                  open && x->due_ts != CUST_NO_TIME && x->due_ts < now, "created_at", x->created_at,
                  "done_by", x->done_by, "done_at", x->done_at, "document", x->document_sha256));
    return CUST_OK;
}

enum cust_status cust_desk_duties(struct cust_desk *d, const struct cust_duty_filter *f,
                                  json_t **out, struct cust_err *err)
{
    struct duty_list l = {json_array(), &d->env->law};
    enum cust_status st = cust_store_duties(d->store, f, on_duty, &l, err);
    if (st != CUST_OK) {
        json_decref(l.arr);
        l.arr = NULL;
    }
    *out = l.arr;
    return st;
}

struct duty_find {
    int64_t id;
    json_t *row; /* {request_id, duty, detail, status} */
};

static enum cust_status on_duty_find(const struct cust_duty_row *x, void *arg)
{
    struct duty_find *f = arg;
    if (x->id != f->id)
        return CUST_OK;
    json_t *detail = x->detail ? json_loads(x->detail, 0, NULL) : NULL;
    f->row = json_pack("{s:s,s:s,s:s,s:I,s:o,s:s?}", "request_id", x->request_id, "duty", x->duty,
                       "status", x->status, "person_id", (json_int_t)x->person_id, "detail",
                       detail ? detail : json_object(), "document", x->document_sha256);
    return CUST_OK;
}

static enum cust_status find_duty(struct cust_desk *d, int64_t id, json_t **row,
                                  struct cust_err *err)
{
    struct duty_find f = {id, NULL};
    struct cust_duty_filter flt = {NULL, false};
    enum cust_status st = cust_store_duties(d->store, &flt, on_duty_find, &f, err);
    if (st == CUST_OK && !f.row)
        st = cust_err_set(err, CUST_ENOTFOUND, "no duty %lld", (long long)id);
    *row = f.row;
    return st;
}

enum cust_status cust_desk_duty_done(struct cust_desk *d, int64_t duty_id, const char *by,
                                     struct cust_err *err)
{
    if (!by || !*by)
        return cust_err_set(err, CUST_EINVAL, "--by USER is required");
    json_t *row = NULL;
    enum cust_status st = find_duty(d, duty_id, &row, err);
    if (st == CUST_OK)
        st = cust_store_begin(d->store, err);
    if (st == CUST_OK) {
        char now[32], sha[65] = "";
        desk_now(now);
        /* a notice not rendered yet (duties created at fulfilment) is rendered now */
        const char *duty = json_string_value(json_object_get(row, "duty"));
        if (duty_template(duty) && !json_string_value(json_object_get(row, "document")) &&
            strcmp(json_string_value(json_object_get(row, "status")), "open") == 0)
            st = keep_notice(d, json_string_value(json_object_get(row, "request_id")), duty,
                             json_integer_value(json_object_get(row, "person_id")),
                             d->lang ? d->lang : "en", json_object_get(row, "detail"), NULL, sha,
                             err);
        if (st == CUST_OK)
            st = cust_store_duty_done(d->store, duty_id, by, now, sha[0] ? sha : NULL, err);
        if (st == CUST_OK)
            st = desk_log(d, "duty.done", "request",
                          json_string_value(json_object_get(row, "request_id")), "ok",
                          json_string_value(json_object_get(row, "duty")),
                          json_pack("{s:I,s:s,s:s?}", "duty_id", (json_int_t)duty_id, "by", by,
                                    "document", sha[0] ? sha : NULL),
                          err);
        if (st == CUST_OK)
            st = cust_store_commit(d->store, err);
        else
            cust_store_rollback(d->store);
    }
    json_decref(row);
    return st;
}

enum cust_status cust_desk_notice(struct cust_desk *d, int64_t duty_id, const char *lang,
                                  struct cust_buf *out, struct cust_err *err)
{
    json_t *row = NULL;
    enum cust_status st = find_duty(d, duty_id, &row, err);
    if (st == CUST_OK)
        st = cust_store_begin(d->store, err);
    if (st == CUST_OK) {
        char sha[65];
        const char *rid = json_string_value(json_object_get(row, "request_id"));
        const char *duty = json_string_value(json_object_get(row, "duty"));
        const char *lg = lang ? lang : d->lang ? d->lang : "en";
        st = keep_notice(d, rid, duty, json_integer_value(json_object_get(row, "person_id")), lg,
                         json_object_get(row, "detail"), out, sha, err);
        if (st == CUST_OK)
            st = desk_log(d, "notice.generate", "request", rid, "ok", duty,
                          json_pack("{s:I,s:s,s:s}", "duty_id", (json_int_t)duty_id, "document",
                                    sha, "lang", lg),
                          err);
        if (st == CUST_OK)
            st = cust_store_commit(d->store, err);
        else
            cust_store_rollback(d->store);
    }
    json_decref(row);
    return st;
}

/* ---- decisions ---------------------------------------------------------------------------- */

struct linked {
    int64_t person_id;
    char *booking_number;
    bool review;
};

struct link_list {
    struct linked *v;
    size_t n, cap;
};

static enum cust_status on_confirmed(const struct cust_link_row *l, void *arg)
{
    struct link_list *ll = arg;
    if (strcmp(l->state, "confirmed") != 0)
        return CUST_OK;
    if (ll->n == ll->cap) {
        ll->cap = ll->cap ? ll->cap * 2 : 4;
        ll->v = cust_xrealloc(ll->v, ll->cap * sizeof(*ll->v));
    }
    ll->v[ll->n++] = (struct linked){
        l->person_id, l->booking_number ? cust_xstrdup(l->booking_number) : NULL, l->review};
    return CUST_OK;
}

static void link_list_free(struct link_list *ll)
{
    for (size_t i = 0; i < ll->n; i++)
        free(ll->v[i].booking_number);
    free(ll->v);
}

/* The name on a booking, "FIRST LAST". */
static char *subject_name(struct cust_desk *d, const char *bn)
{
    struct cust_record rec;
    if (!bn || cust_record_current(d->store, bn, &rec, NULL) != CUST_OK)
        return cust_xstrdup("(unknown)");
    const char *f = rec.b.person.first_name, *l = rec.b.person.last_name;
    size_t n = (f ? strlen(f) : 0) + (l ? strlen(l) : 0) + 2;
    char *s = cust_xmalloc(n);
    snprintf(s, n, "%s%s%s", f ? f : "", f && l ? " " : "", l ? l : "");
    cust_record_release(&rec);
    return s;
}

static const char *verdict_of(const json_t *decision, const char *section, const char *target)
{
    return json_string_value(
        json_object_get(json_object_get(json_object_get(decision, section), target), "verdict"));
}

static char *requester_text(const struct cust_request *r)
{
    size_t n = strlen(r->agency) + (r->office ? strlen(r->office) : 0) + 4;
    char *s = cust_xmalloc(n);
    snprintf(s, n, "%s%s%s", r->agency, r->office ? ", " : "", r->office ? r->office : "");
    return s;
}

/* Template values of a duty's notice (the duty's detail). */
static json_t *notice_vars(struct cust_desk *d, const struct desk_req *q, const char *bn,
                           const json_t *decision, const char *known_name)
{
    char *name = known_name ? cust_xstrdup(known_name) : subject_name(d, bn);
    char *req = requester_text(&q->r);
    char received[11];
    cust_date_format(cust_time_local_day(q->r.received_at, q->r.received_offset), received);
    json_t *asks = json_array(), *verdicts = json_object();
    bool will = false, hold_refused = false, release_given = false;
    for (int i = 0; i < CUST_ASK_COUNT; i++) {
        unsigned bit = 1u << i;
        if (!(q->r.asks & bit))
            continue;
        const char *a = cust_request_ask_name(bit);
        const char *v = decision ? verdict_of(decision, "actions", a) : NULL;
        json_array_append_new(asks, json_string(a));
        json_object_set_new(verdicts, a, json_string(v ? v : "prohibited"));
        will |= v && strcmp(v, "prohibited") != 0;
        hold_refused |= bit == CUST_ASK_HOLD && (!v || strcmp(v, "prohibited") == 0);
        release_given |= bit == CUST_ASK_NOTIFY && v && strcmp(v, "prohibited") != 0;
    }
    /* the notice promises a copy of any release notice only where the law makes it a duty */
    bool promised = false;
    size_t di;
    json_t *dx;
    json_array_foreach(json_object_get(decision, "duties"), di, dx)
    {
        const char *when = json_string_value(json_object_get(dx, "when"));
        promised |= when && strcmp(when, "notify_given") == 0;
    }
    release_given = release_given && promised;
    json_t *v = json_pack("{s:s,s:s?,s:s,s:s,s:s?,s:o,s:o,s:b,s:b,s:b,s:s?}", "subject_name", name,
                          "booking_number", bn, "received_date", received, "requester", req, "form",
                          q->r.form, "asks", asks, "verdicts", verdicts, "will_comply", will,
                          "hold_refused", hold_refused, "release_date_given", release_given,
                          "purpose", q->r.note);
    /* the law a notice states is the decision's: each verdict's citations, as the policy gives
     * them (a Texas notice cites Texas law) */
    static const char *const cited[] = {"hold", "notify"};
    for (size_t k = 0; decision && k < CUST_ARRAY_LEN(cited); k++) {
        char key[32];
        snprintf(key, sizeof(key), "%s_cite", cited[k]);
        char *t = desk_cite_join(json_object_get(
            json_object_get(json_object_get(decision, "actions"), cited[k]), "cite"));
        if (t)
            json_object_set_new(v, key, json_string(t));
        free(t);
    }
    free(name);
    free(req);
    return v;
}

struct have_duty {
    int64_t person_id;
    const char *duty;
    bool found;
};

static enum cust_status on_have_duty(const struct cust_duty_row *x, void *arg)
{
    struct have_duty *h = arg;
    if (x->person_id == h->person_id && strcmp(x->duty, h->duty) == 0)
        h->found = true;
    return CUST_OK;
}

static enum cust_status has_duty(struct cust_desk *d, const char *rid, int64_t person_id,
                                 const char *duty, bool *found, struct cust_err *err)
{
    struct have_duty h = {person_id, duty, false};
    struct cust_duty_filter f = {rid, false};
    enum cust_status st = cust_store_duties(d->store, &f, on_have_duty, &h, err);
    *found = h.found;
    return st;
}

enum cust_status desk_duties_from_decision(struct cust_desk *d, const struct desk_req *q,
                                           int64_t person_id, const char *bn,
                                           const json_t *decision, const char *trigger,
                                           json_t *extra, int *created, struct cust_err *err)
{
    return desk_duties_from_decision_ex(d, q, person_id, bn, decision, trigger, extra, 0, NULL,
                                        created, err);
}

enum cust_status desk_duties_from_decision_ex(struct cust_desk *d, const struct desk_req *q,
                                              int64_t person_id, const char *bn,
                                              const json_t *decision, const char *trigger,
                                              json_t *extra, unsigned flags, int64_t *last_id,
                                              int *created, struct cust_err *err)
{
    size_t i;
    json_t *x;
    enum cust_status st = CUST_OK;
    json_array_foreach(json_object_get(decision, "duties"), i, x)
    {
        const char *duty = json_string_value(json_object_get(x, "duty"));
        const char *when = json_string_value(json_object_get(x, "when"));
        if (!duty)
            continue;
        /* the state report counts transfers made, not transfers asked */
        /* a trigger the law sets when the decision gives none (duty-deadlines.csv: the state
         * report counts transfers made, not transfers asked) */
        if (!when)
            when = json_string_value(json_object_get(d->env->law.duty_when, duty));
        bool now_due = trigger ? when && strcmp(when, trigger) == 0 : !when;
        if (!now_due)
            continue;
        /* a request-level decision (no person yet, e.g. a subpoena referred to counsel): duties
         * toward the person come with each person's own decision */
        if (!bn && (strcmp(duty, "serve_copy_to_subject") == 0 ||
                    strcmp(duty, "notice_to_subject_and_attorney") == 0 ||
                    strcmp(duty, "consent_form_before_interview") == 0))
            continue;
        bool found = false;
        if (!trigger && (st = has_duty(d, q->id, person_id, duty, &found, err)) != CUST_OK)
            break;
        if (found)
            continue;
        json_t *vars = notice_vars(d, q, bn, decision,
                                   json_string_value(json_object_get(extra, "subject_name")));
        char *dc = desk_cite_join(json_object_get(x, "cite"));
        if (dc)
            json_object_set_new(vars, "duty_cite", json_string(dc)); /* the notice's own law */
        free(dc);
        if (extra)
            json_object_update(vars, extra);
        st = desk_duty_create_ex(d, q, person_id, bn, duty, json_object_get(x, "cite"), vars, flags,
                                 last_id, err);
        json_decref(vars);
        if (st != CUST_OK)
            break;
        if (created)
            (*created)++;
    }
    return st;
}

/* Run the decider and check the policy fields the desk stores. */
static enum cust_status run_decide(struct cust_desk *d, const json_t *c, json_t **dec,
                                   struct cust_err *err)
{
    /* a subject's decision is read by people: it keeps how each verdict was reached */
    return desk_decide_case(d, c, CUST_DECIDE_TRACE, dec, err);
}

enum cust_status desk_store_decision(struct cust_desk *d, const struct desk_req *q,
                                     int64_t person_id, const char *bn, const json_t *dec,
                                     int64_t *id, struct cust_err *err)
{
    char now[32];
    desk_now(now);
    json_t *p = json_object_get(dec, "policy");
    char *text = json_dumps(dec, JSON_COMPACT | JSON_PRESERVE_ORDER);
    struct cust_decision_row row = {0,
                                    q->id,
                                    person_id,
                                    bn,
                                    json_string_value(json_object_get(p, "id")),
                                    json_string_value(json_object_get(p, "version")),
                                    json_string_value(json_object_get(p, "sha256")),
                                    now,
                                    d->actor ? d->actor : "cli",
                                    text};
    enum cust_status st = cust_store_decision_put(d->store, &row, id, err);
    free(text);
    if (st == CUST_OK) {
        json_t *verdicts = json_object();
        const char *k;
        json_t *v;
        json_object_foreach(json_object_get(dec, "actions"), k, v)
            json_object_set(verdicts, k, json_object_get(v, "verdict"));
        st = desk_log(d, "request.decide", "request", q->id, "ok", "",
                      json_pack("{s:I,s:I,s:s?,s:O,s:o}", "decision_id", (json_int_t)*id,
                                "person_id", (json_int_t)person_id, "booking_number", bn, "policy",
                                p, "actions", verdicts),
                      err);
    }
    return st;
}

enum cust_status cust_desk_decide(struct cust_desk *d, const char *id, json_t **out,
                                  struct cust_err *err)
{
    *out = NULL;
    struct desk_req q;
    enum cust_status st = desk_req_load(d, id, &q, err);
    if (st != CUST_OK)
        return st;
    struct link_list ll = {0};
    if (cust_desk_status_is_final(q.status))
        st = cust_err_set(err, CUST_ECONFLICT, "request '%s' is %s", id, q.status);
    else if (!q.r.has_subject)
        st = cust_err_set(err, CUST_EINVAL,
                          "request '%s' names a population: use 'request fulfill'", id);
    if (st == CUST_OK)
        st = cust_store_links(d->store, id, on_confirmed, &ll, err);
    if (st == CUST_OK && ll.n == 0)
        st = cust_err_set(err, CUST_ECONFLICT,
                          "request '%s' has no confirmed person (see 'request match')", id);
    json_t *arr = json_array();
    int32_t as_of = cust_time_local_day(q.r.received_at, q.r.received_offset);
    /* decide first (no store writes), then record everything in one transaction */
    json_t **decs = cust_xcalloc(ll.n ? ll.n : 1, sizeof(*decs));
    for (size_t i = 0; st == CUST_OK && i < ll.n; i++) {
        struct cust_record rec;
        st = cust_record_current(d->store, ll.v[i].booking_number, &rec, err);
        if (st != CUST_OK)
            break;
        json_t *c =
            cust_desk_case_from_booking(&rec.b, d->env->jurisdiction, as_of,
                                        cust_request_kind_name(q.r.kind), q.r.asks, q.r.items);
        cust_record_release(&rec);
        st = run_decide(d, c, &decs[i], err);
        json_decref(c);
    }
    if (st == CUST_OK)
        st = cust_store_begin(d->store, err);
    if (st == CUST_OK) {
        for (size_t i = 0; st == CUST_OK && i < ll.n; i++) {
            int64_t did = 0;
            st = desk_store_decision(d, &q, ll.v[i].person_id, ll.v[i].booking_number, decs[i],
                                     &did, err);
            if (st == CUST_OK)
                st = desk_duties_from_decision(d, &q, ll.v[i].person_id, ll.v[i].booking_number,
                                               decs[i], NULL, NULL, NULL, err);
            json_array_append_new(arr, json_pack("{s:I,s:I,s:s?,s:O}", "decision_id",
                                                 (json_int_t)did, "person_id",
                                                 (json_int_t)ll.v[i].person_id, "booking_number",
                                                 ll.v[i].booking_number, "decision", decs[i]));
        }
        if (st == CUST_OK)
            st = desk_transition(d, &q, "decided", "policy decision", err);
        if (st == CUST_OK)
            st = cust_store_commit(d->store, err);
        else
            cust_store_rollback(d->store);
    }
    for (size_t i = 0; i < ll.n; i++)
        json_decref(decs[i]);
    free(decs);
    link_list_free(&ll);
    desk_req_release(&q);
    if (st != CUST_OK) {
        json_decref(arr);
        return st;
    }
    *out = arr;
    return CUST_OK;
}

/* ---- actions ------------------------------------------------------------------------------ */

struct latest_decision {
    int64_t person_id;
    int64_t id;
    json_t *decision;
    const struct desk_transfer_basis *basis; /* a transfer's (transfer-bases.csv) */
};

static enum cust_status on_latest(const struct cust_decision_row *x, void *arg)
{
    struct latest_decision *l = arg;
    if (x->person_id != l->person_id)
        return CUST_OK;
    json_decref(l->decision);
    l->decision = json_loads(x->decision, 0, NULL);
    l->id = x->id;
    return CUST_OK;
}

struct duty_state {
    int64_t person_id;
    const char *duty;
    bool done;
};

static enum cust_status on_duty_state(const struct cust_duty_row *x, void *arg)
{
    struct duty_state *c = arg;
    if (x->person_id == c->person_id && strcmp(x->duty, c->duty) == 0)
        c->done = c->done || strcmp(x->status, "done") == 0;
    return CUST_OK;
}

static bool decision_has_duty(const json_t *decision, const char *duty)
{
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(decision, "duties"), i, x)
    {
        const char *name = json_string_value(json_object_get(x, "duty"));
        if (name && strcmp(name, duty) == 0)
            return true;
    }
    return false;
}

/* An action's prerequisites (action-prerequisites.csv): each duty the decision makes one must
 * be done before the action. NULL when none is open, else the first (and its citation). */
static enum cust_status open_prerequisite(struct cust_desk *d, const char *id, const char *action,
                                          int64_t person_id, const json_t *decision,
                                          const struct desk_prerequisite **open,
                                          struct cust_err *err)
{
    *open = NULL;
    const struct desk_law *law = &d->env->law;
    for (size_t k = 0; k < law->nprereqs && !*open; k++) {
        const struct desk_prerequisite *p = &law->prereqs[k];
        if (strcmp(p->action, action) != 0 || !decision_has_duty(decision, p->duty))
            continue;
        struct duty_state ds = {person_id, p->duty, false};
        struct cust_duty_filter f = {id, false};
        enum cust_status st = cust_store_duties(d->store, &f, on_duty_state, &ds, err);
        if (st != CUST_OK)
            return st;
        if (!ds.done)
            *open = p;
    }
    return CUST_OK;
}

static bool ask_bit(const char *name, unsigned *bit)
{
    for (int i = 0; i < CUST_ASK_COUNT; i++)
        if (strcmp(name, cust_request_ask_name(1u << i)) == 0) {
            *bit = 1u << i;
            return true;
        }
    return false;
}

/* Refuse with a ledger record of the refusal. */
static enum cust_status refuse(struct cust_desk *d, const char *id, const struct cust_desk_act *a,
                               int64_t person_id, const char *verdict, struct cust_err *err,
                               const char *why)
{
    desk_log_refusal(d, id, "request.act", why,
                     json_pack("{s:s,s:I,s:s?,s:s,s:b}", "action", a->action, "person_id",
                               (json_int_t)person_id, "verdict", verdict, "by", a->by, "decline",
                               a->decline));
    return cust_err_set(err, CUST_EDENIED, "request '%s': %s", id, why);
}

enum cust_status cust_desk_act(struct cust_desk *d, const char *id, const struct cust_desk_act *a,
                               json_t **out, struct cust_err *err)
{
    if (out)
        *out = NULL;
    if (!a->by || !*a->by)
        return cust_err_set(err, CUST_EINVAL, "--by USER is required");
    unsigned bit;
    if (!a->action || !ask_bit(a->action, &bit))
        return cust_err_set(err, CUST_EINVAL, "unknown action '%s'", a->action ? a->action : "");
    struct desk_req q;
    enum cust_status st = desk_req_load(d, id, &q, err);
    if (st != CUST_OK)
        return st;
    struct link_list ll = {0};
    struct latest_decision *ld = NULL;
    char why[512];
#define REFUSE(pid, verdict, ...)                                                                  \
    (snprintf(why, sizeof(why), __VA_ARGS__), refuse(d, id, a, pid, verdict, err, why))
    if (cust_desk_status_is_final(q.status) ||
        (strcmp(q.status, "decided") != 0 && strcmp(q.status, "acted") != 0))
        st = cust_err_set(err, CUST_ECONFLICT, "request '%s' is %s: decide it first", id, q.status);
    else if (!(q.r.asks & bit))
        st = REFUSE(0, NULL, "the request does not ask '%s'", a->action);
    if (st == CUST_OK)
        st = cust_store_links(d->store, id, on_confirmed, &ll, err);
    /* the persons acted on */
    size_t n = 0;
    if (st == CUST_OK) {
        ld = cust_xcalloc(ll.n ? ll.n : 1, sizeof(*ld));
        for (size_t i = 0; i < ll.n; i++) {
            if (a->person_id == 0 || ll.v[i].person_id == a->person_id) {
                ll.v[n] = ll.v[i];
                ld[n].person_id = ll.v[n].person_id;
                n++;
            } else {
                free(ll.v[i].booking_number);
            }
        }
        ll.n = n;
        if (n == 0 && a->person_id)
            st = REFUSE(a->person_id, NULL, "person is not a confirmed match of this request");
        else if (n == 0)
            st = cust_err_set(err, CUST_ECONFLICT, "request '%s' has no confirmed person", id);
    }
    for (size_t i = 0; st == CUST_OK && i < n; i++) {
        if (ll.v[i].review)
            st = REFUSE(ll.v[i].person_id, NULL,
                        "person is flagged for supervisor review (citizenship)");
        if (st == CUST_OK)
            st = cust_store_decisions(d->store, id, on_latest, &ld[i], err);
        if (st == CUST_OK && !ld[i].decision)
            st = cust_err_set(err, CUST_ECONFLICT, "person #%lld has no decision: decide first",
                              (long long)ll.v[i].person_id);
        const char *v = st == CUST_OK ? verdict_of(ld[i].decision, "actions", a->action) : NULL;
        if (st == CUST_OK && !v)
            st = REFUSE(ll.v[i].person_id, NULL, "the decision has no verdict for '%s'", a->action);
        if (st != CUST_OK)
            break;
        if (!a->decline && strcmp(v, "prohibited") == 0)
            st = REFUSE(ll.v[i].person_id, v, "'%s' is prohibited by the decision", a->action);
        else if (a->decline && strcmp(v, "prohibited") != 0 && (!a->reason || !*a->reason))
            st = cust_err_set(err, CUST_EINVAL,
                              "declining a %s '%s' needs --reason (who declined and why is "
                              "recorded)",
                              v, a->action);
        else if (!a->decline) {
            const struct desk_prerequisite *p = NULL;
            st = open_prerequisite(d, id, a->action, ll.v[i].person_id, ld[i].decision, &p, err);
            if (st == CUST_OK && p)
                st = REFUSE(ll.v[i].person_id, v, "the duty %s (%s) is not done", p->duty, p->cite);
        }
        if (st == CUST_OK && !a->decline && bit == CUST_ASK_TRANSFER) {
            /* the basis the law gives this transfer, and what it must record */
            const char *pol =
                json_string_value(json_object_get(json_object_get(ld[i].decision, "policy"), "id"));
            const char *kind = cust_request_kind_name(q.r.kind);
            const struct desk_transfer_basis *b = desk_transfer_basis(&d->env->law, pol, kind);
            ld[i].basis = b;
            bool need_warrant = b && b->requires && strcmp(b->requires, "warrant_number") == 0;
            bool need_offense = b && b->requires && strcmp(b->requires, "offense") == 0;
            if (!a->agency || !*a->agency)
                st = cust_err_set(err, CUST_EINVAL, "a transfer needs --agency");
            else if (!b)
                st = cust_err_set(err, CUST_EINVAL,
                                  "no transfer basis for policy '%s' and a %s "
                                  "(policies/desk/transfer-bases.csv)",
                                  pol ? pol : "?", kind);
            else if (need_warrant && (!a->warrant_number || !*a->warrant_number))
                st = cust_err_set(err, CUST_EINVAL,
                                  "a transfer on a %s needs --warrant NUMBER (%s)", kind, b->cite);
            else if (need_offense && (!a->offense || !*a->offense))
                st = cust_err_set(err, CUST_EINVAL,
                                  "a %s transfer needs --offense CODE (the offense that allowed "
                                  "it; %s)",
                                  b->basis, b->cite);
        }
    }
    int64_t at_ts = cust_now();
    if (st == CUST_OK && a->at && !cust_time_parse(a->at, &at_ts, NULL))
        st = cust_err_set(err, CUST_EINVAL, "--at: '%s' is not an RFC 3339 date-time", a->at);
    char at_utc[32];
    cust_time_format(at_ts, 0, true, at_utc);
    json_t *arr = json_array();
    if (st == CUST_OK)
        st = cust_store_begin(d->store, err);
    if (st == CUST_OK) {
        char now[32];
        desk_now(now);
        for (size_t i = 0; st == CUST_OK && i < n; i++) {
            const char *v = verdict_of(ld[i].decision, "actions", a->action);
            struct cust_action_row row = {
                0,     id,  ll.v[i].person_id, a->action, v, a->decline ? "declined" : "done",
                a->by, now, a->reason,         ld[i].id};
            int64_t aid = 0;
            st = cust_store_action_put(d->store, &row, &aid, err);
            if (st == CUST_OK)
                st = desk_log(
                    d, "request.act", "request", id, row.outcome, a->reason ? a->reason : "",
                    json_pack("{s:I,s:s,s:I,s:s?,s:s,s:s,s:s,s:I}", "action_id", (json_int_t)aid,
                              "action", a->action, "person_id", (json_int_t)ll.v[i].person_id,
                              "booking_number", ll.v[i].booking_number, "verdict", v, "outcome",
                              row.outcome, "by", a->by, "decision_id", (json_int_t)ld[i].id),
                    err);
            json_t *entry = json_pack("{s:I,s:I,s:s,s:s,s:s}", "action_id", (json_int_t)aid,
                                      "person_id", (json_int_t)ll.v[i].person_id, "action",
                                      a->action, "verdict", v, "outcome", row.outcome);
            if (st == CUST_OK && !a->decline && bit == CUST_ASK_NOTIFY) {
                char today[11];
                cust_date_format(cust_today(), today);
                json_t *extra = json_pack("{s:s}", "disclosed_date", today);
                int made = 0;
                st = desk_duties_from_decision(d, &q, ll.v[i].person_id, ll.v[i].booking_number,
                                               ld[i].decision, "notify_given", extra, &made, err);
                json_decref(extra);
                json_object_set_new(entry, "duties_created", json_integer(made));
            }
            if (st == CUST_OK && !a->decline && bit == CUST_ASK_TRANSFER) {
                const struct desk_transfer_basis *b = ld[i].basis;
                bool by_offense = b->requires && strcmp(b->requires, "offense") == 0;
                json_t *basis = json_object_get(
                    json_object_get(json_object_get(ld[i].decision, "actions"), "transfer"),
                    "basis");
                const char *criterion = json_string_value(json_array_get(basis, 0));
                struct cust_transfer_row t = {0,
                                              id,
                                              ll.v[i].person_id,
                                              ll.v[i].booking_number,
                                              at_utc,
                                              a->agency,
                                              b->basis,
                                              a->warrant_number,
                                              by_offense ? criterion : NULL,
                                              a->offense,
                                              a->by,
                                              now};
                int64_t tid = 0;
                st = cust_store_transfer_put(d->store, &t, &tid, err);
                if (st == CUST_OK)
                    st = desk_log(d, "transfer", "request", id, "ok", "",
                                  json_pack("{s:I,s:I,s:s?,s:s,s:s,s:s,s:s,s:s?,s:s?,s:s?}",
                                            "transfer_id", (json_int_t)tid, "person_id",
                                            (json_int_t)t.person_id, "booking_number",
                                            t.booking_number, "at", t.at, "agency", t.agency,
                                            "basis", t.basis, "basis_cite", b->cite,
                                            "warrant_number", t.warrant_number, "criterion",
                                            t.criterion, "offense", t.offense),
                                  err);
                if (st == CUST_OK)
                    st =
                        desk_duties_from_decision(d, &q, ll.v[i].person_id, ll.v[i].booking_number,
                                                  ld[i].decision, "transfer_done", NULL, NULL, err);
                json_object_set_new(entry, "transfer_id", json_integer(tid));
            }
            json_array_append_new(arr, entry);
        }
        if (st == CUST_OK)
            st = desk_transition(d, &q, "acted", a->decline ? "declined" : "action taken", err);
        if (st == CUST_OK)
            st = cust_store_commit(d->store, err);
        else
            cust_store_rollback(d->store);
    }
    for (size_t i = 0; ld && i < n; i++)
        json_decref(ld[i].decision);
    free(ld);
    link_list_free(&ll);
    desk_req_release(&q);
    if (st != CUST_OK || !out)
        json_decref(arr);
    else
        *out = arr;
    return st;
}

/* ---- transfers ---------------------------------------------------------------------------- */

static enum cust_status on_transfer(const struct cust_transfer_row *t, void *arg)
{
    json_array_append_new(
        arg, json_pack("{s:I,s:s?,s:I,s:s?,s:s,s:s,s:s,s:s?,s:s?,s:s?,s:s,s:s}", "id",
                       (json_int_t)t->id, "request_id", t->request_id, "person_id",
                       (json_int_t)t->person_id, "booking_number", t->booking_number, "at", t->at,
                       "agency", t->agency, "basis", t->basis, "warrant_number", t->warrant_number,
                       "criterion", t->criterion, "offense", t->offense, "recorded_by",
                       t->recorded_by, "recorded_at", t->recorded_at));
    return CUST_OK;
}

enum cust_status cust_desk_transfers(struct cust_desk *d, json_t **out, struct cust_err *err)
{
    json_t *arr = json_array();
    enum cust_status st = cust_store_transfers(d->store, on_transfer, arr, err);
    if (st != CUST_OK) {
        json_decref(arr);
        arr = NULL;
    }
    *out = arr;
    return st;
}
