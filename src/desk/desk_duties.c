/*
 * desk_duties.c - duties and notices: the duties a decision triggers, with their deadlines
 * (policies/desk/duty-deadlines.csv) and the notices rendered from templates in the person's
 * language, kept by their SHA-256 (desk.h, docs/internals/desk.md).
 */
#include "custodian/compat.h"
#include "custodian/datewords.h"
#include "custodian/csv.h"
#include "custodian/date.h"
#include "custodian/records.h"
#include "custodian/template.h"
#include "desk_internal.h"

#include <sodium.h>
#include <unistd.h>

static void ignore(enum cust_status st)
{
    (void)st;
}

enum cust_status desk_duty_due(struct cust_desk *d, const char *duty, int64_t from, int64_t *due,
                               struct cust_err *err)
{
    (void)err;
    *due = CUST_NO_TIME;
    json_t *days = json_object_get(d->env->law.duty_days, duty);
    if (!json_is_integer(days))
        return CUST_OK;
    int32_t day = cust_time_zone_day(from);
    if (json_integer_value(days) > 0)
        day = cust_deadline_add_business_days(d->env->cal, day, (int)json_integer_value(days));
    *due = cust_deadline_day_end(day);
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

/* A language code as languages.csv writes them ("es", "zh"): a-z and '-', else CUST_EINVAL. */
static enum cust_status lang_check(const char *lang, struct cust_err *err)
{
    for (const char *c = lang; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || *c == '-'))
            return cust_err_set(err, CUST_EINVAL, "language '%s' is not a language code", lang);
    return *lang ? CUST_OK : cust_err_set(err, CUST_EINVAL, "no language given");
}

static enum cust_status render(struct cust_desk *d, const char *tpl, const char *lang,
                               const json_t *vars, struct cust_buf *out, struct cust_err *err)
{
    enum cust_status lst = lang_check(lang, err);
    if (lst != CUST_OK)
        return lst;
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
        enum cust_status st = cust_buf_read(&b, f);
        fclose(f);
        if (st != CUST_OK) {
            cust_buf_release(&b);
            return cust_err_set(err, st, "template '%s' %s", path,
                                st == CUST_ETOOBIG ? "larger than 1 MiB" : "cannot be read");
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

/* templates/notices/languages.csv, cached: code -> {translation, reviewed_by, reviewed_on}. */
static enum cust_status languages(struct cust_desk *d, json_t **out, struct cust_err *err)
{
    struct desk_cache *dc = desk_cache(d);
    if (!dc->templates)
        dc->templates = json_object();
    if ((*out = json_object_get(dc->templates, "languages.csv")))
        return CUST_OK;
    char path[1024];
    snprintf(path, sizeof(path), "%s/languages.csv", d->env->templates_dir);
    struct cust_csv csv;
    enum cust_status st = cust_csv_open_file(&csv, path, err);
    if (st != CUST_OK)
        return st;
    json_t *t = json_object();
    st = cust_csv_next(&csv, err);
    static const char *const cols[] = {"code", "translation", "reviewed_by", "reviewed_on",
                                       "language"};
    int at[5];
    for (size_t i = 0; st == CUST_OK && i < CUST_ARRAY_LEN(cols); i++)
        if ((at[i] = cust_csv_column(&csv, cols[i])) < 0)
            st = cust_err_set(err, CUST_EINVAL, "%s:1: needs a column '%s'", path, cols[i]);
    while (st == CUST_OK && (st = cust_csv_next(&csv, err)) == CUST_OK && csv.nfields) {
        const char *f[5];
        for (size_t i = 0; i < CUST_ARRAY_LEN(cols); i++)
            f[i] = (size_t)at[i] < csv.nfields ? csv.fields[at[i]] : "";
        json_object_set_new(t, f[0],
                            json_pack("{s:s,s:s,s:s,s:s}", "translation", f[1], "reviewed_by", f[2],
                                      "reviewed_on", f[3], "language", f[4]));
    }
    cust_csv_release(&csv);
    if (st != CUST_OK) {
        json_decref(t);
        return st;
    }
    json_object_set_new(dc->templates, "languages.csv", t);
    *out = t;
    return CUST_OK;
}

enum cust_status cust_desk_language_reviewed(struct cust_desk *d, const char *lang, bool *reviewed,
                                             struct cust_err *err)
{
    json_t *all;
    enum cust_status st = languages(d, &all, err);
    if (st != CUST_OK)
        return st;
    json_t *l = json_object_get(all, lang);
    if (!l)
        return cust_err_set(err, CUST_ENOTFOUND,
                            "language '%s' is not in templates/notices/languages.csv", lang);
    const char *tr = json_string_value(json_object_get(l, "translation"));
    *reviewed =
        strcmp(tr, "source") == 0 || (*json_string_value(json_object_get(l, "reviewed_by")) &&
                                      *json_string_value(json_object_get(l, "reviewed_on")));
    return CUST_OK;
}

enum cust_status cust_desk_languages(struct cust_desk *d, json_t **out, struct cust_err *err)
{
    json_t *all;
    enum cust_status st = languages(d, &all, err);
    *out = NULL;
    if (st != CUST_OK)
        return st;
    *out = json_array();
    const char *code;
    json_t *l;
    json_object_foreach(all, code, l)
    {
        bool reviewed = false;
        (void)cust_desk_language_reviewed(d, code, &reviewed, NULL);
        json_array_append_new(*out,
                              json_pack("{s:s,s:O,s:b}", "code", code, "name",
                                        json_object_get(l, "language"), "reviewed", reviewed));
    }
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
    /* everything given, each with its label in the language, its value (a date in words) and
     * the rule and citation it was given under */
    json_t *given = json_object_get(v, "given");
    json_array_foreach(given, i, a)
    {
        char key[64], words[CUST_DATE_WORDS_MAX];
        const char *item = json_string_value(json_object_get(a, "item"));
        snprintf(key, sizeof(key), "item_%s", item ? item : "");
        json_object_set_new(a, "label", json_string(term(t, key)));
        const char *value = json_string_value(json_object_get(a, "value"));
        if (!value)
            json_object_set_new(a, "value", json_string(term(t, "release_info_default")));
        else if (cust_date_parse(value, &(int32_t){0})) {
            cust_words_of(value, lang, words);
            json_object_set_new(a, "value", json_string(words));
        }
        if (!json_string_value(json_object_get(a, "why")))
            json_object_set_new(a, "why", json_string(term(t, "basis_decision")));
    }
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
    enum cust_status cst = lang_check(lang, err);
    if (cst != CUST_OK)
        return cst;
    json_t *v = json_deep_copy(vars);
    enum cust_status lst = localise(d, lang, v, err);
    if (lst != CUST_OK) {
        json_decref(v);
        return lst;
    }
    /* dates in words in the notice's language (datewords.h): "July 18, 2025",
     * "18 de julio de 2025" */
    char today[11], words[CUST_DATE_WORDS_MAX];
    cust_date_format(cust_today(), today);
    cust_words_of(today, lang, words);
    json_object_set_new(v, "notice_date", json_string(words));
    static const char *const dated[] = {"disclosed_date", "received_date"};
    for (size_t i = 0; i < CUST_ARRAY_LEN(dated); i++) {
        const char *was = json_string_value(json_object_get(v, dated[i]));
        if (was) {
            cust_words_of(was, lang, words);
            json_object_set_new(v, dated[i], json_string(words));
        }
    }
    json_object_set_new(v, "request_id", json_string(request_id));
    json_object_set_new(v, "agency_name", json_string(d->env->agency_name));
    /* the agency's contact, where the county configured it ([county] agency_address, ...) */
    const struct {
        const char *name, *value;
    } contact[] = {{"agency_address", d->env->agency_address},
                   {"agency_phone", d->env->agency_phone},
                   {"agency_email", d->env->agency_email}};
    for (size_t i = 0; i < CUST_ARRAY_LEN(contact); i++)
        if (contact[i].value && *contact[i].value)
            json_object_set_new(v, contact[i].name, json_string(contact[i].value));
    struct cust_buf local;
    cust_buf_init(&local, 0);
    struct cust_buf *b = out ? out : &local;
    size_t start = b->len;
    bool reviewed = true;
    enum cust_status st = cust_desk_language_reviewed(d, lang, &reviewed, err);
    if (st == CUST_OK && !reviewed) {
        json_t *t = NULL;
        st = terms(d, lang, &t, err);
        if (st == CUST_OK)
            st = cust_buf_appendf(b, "%s\n%s\n\n", CUST_DESK_REVIEW_MARK, term(t, "review_note"));
    }
    if (st == CUST_OK)
        st = render(d, tpl, lang, v, b, err);
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

/* The duty row with its texts (cite and detail as stored), the notice's document `sha` ("" for
 * none), and its ledger entry unless DESK_DUTY_BATCHED. */
static enum cust_status duty_put(struct cust_desk *d, const struct desk_req *q, int64_t person_id,
                                 const char *booking_number, const char *duty,
                                 const char *cite_text, const char *detail_text, const char *sha,
                                 unsigned flags, int64_t *duty_id, struct cust_err *err)
{
    int64_t due;
    enum cust_status st = desk_duty_due(d, duty, cust_now(), &due, err);
    char created[32];
    desk_now(created);
    int64_t id = 0;
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
    if (st == CUST_OK && !(flags & DESK_DUTY_BATCHED))
        st = desk_log(d, "duty.create", "request", q->id, "ok", duty,
                      json_pack("{s:I,s:s,s:I,s:s?,s:o,s:s?,s:s?}", "duty_id", (json_int_t)id,
                                "duty", duty, "person_id", (json_int_t)person_id, "booking_number",
                                booking_number, "due", desk_time_json(due), "document",
                                sha[0] ? sha : NULL, "lang",
                                sha[0] ? (d->lang ? d->lang : "en") : NULL),
                      err);
    if (duty_id)
        *duty_id = id;
    return st;
}

enum cust_status desk_duty_create_ex(struct cust_desk *d, const struct desk_req *q,
                                     int64_t person_id, const char *booking_number,
                                     const char *duty, const json_t *cite, json_t *detail,
                                     unsigned flags, int64_t *duty_id, struct cust_err *err)
{
    char *cite_text = cite ? json_dumps(cite, JSON_COMPACT) : NULL;
    char *detail_text = detail ? json_dumps(detail, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    char sha[65] = "";
    enum cust_status st = CUST_OK;
    /* the notice first, so the duty row names its document */
    if (duty_template(duty) && detail && !(flags & DESK_DUTY_NO_NOTICE))
        st = keep_notice(d, q->id, duty, person_id, d->lang ? d->lang : "en", detail, NULL, sha,
                         err);
    if (st == CUST_OK)
        st = duty_put(d, q, person_id, booking_number, duty, cite_text, detail_text, sha, flags,
                      duty_id, err);
    free(cite_text);
    free(detail_text);
    return st;
}

enum cust_status desk_duty_create_text(struct cust_desk *d, const struct desk_req *q,
                                       int64_t person_id, const char *booking_number,
                                       const char *duty, const char *cite_text,
                                       const char *detail_text, unsigned flags, int64_t *duty_id,
                                       struct cust_err *err)
{
    return duty_put(d, q, person_id, booking_number, duty, cite_text, detail_text, "",
                    flags | DESK_DUTY_NO_NOTICE, duty_id, err);
}

/* ---- duties ------------------------------------------------------------------------------ */

struct duty_list {
    json_t *arr;
    const struct desk_law *law;
    struct cust_store *store;
    struct cust_err *err;
};

struct person_name {
    json_t *row;
    bool dob;
};

static enum cust_status on_person_name(const struct cust_person_row *p, void *arg)
{
    const struct person_name *pn = arg;
    char name[256];
    snprintf(name, sizeof(name), "%s%s%s", p->first_name ? p->first_name : "",
             p->first_name && p->last_name ? " " : "", p->last_name ? p->last_name : "");
    json_object_set_new(pn->row, "name", json_string(name));
    if (pn->dob && p->dob)
        json_object_set_new(pn->row, "dob", json_string(p->dob));
    return CUST_OK;
}

enum cust_status desk_name_row(struct cust_store *s, int64_t person_id, bool dob, json_t *row,
                               struct cust_err *err)
{
    if (person_id <= 0)
        return CUST_OK;
    struct person_name pn = {row, dob};
    enum cust_status st = cust_store_persons(s, person_id, on_person_name, &pn, err);
    return st == CUST_ENOTFOUND ? CUST_OK : st;
}

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
    json_t *row = json_pack(
        "{s:I,s:s,s:I,s:s?,s:s,s:o,s:s,s:o,s:s?,s:b,s:s,s:s?,s:s?,s:s?}", "id", (json_int_t)x->id,
        "request_id", x->request_id, "person_id", (json_int_t)x->person_id, "booking_number",
        x->booking_number, "duty", x->duty, "cite", cite ? cite : json_array(), "status", x->status,
        "due", desk_time_json(x->due_ts), "due_cite", due_cite, "overdue",
        open && x->due_ts != CUST_NO_TIME && x->due_ts < now, "created_at", x->created_at,
        "done_by", x->done_by, "done_at", x->done_at, "document", x->document_sha256);
    /* what it asks in words, and whether it has a notice to print */
    json_t *what = json_object_get(l->law->duty_notes, x->duty);
    if (what)
        json_object_set(row, "what", what);
    json_object_set_new(row, "notice", json_boolean(duty_template(x->duty) != NULL));
    json_array_append_new(l->arr, row);
    /* who the duty is about, by name (a request-level duty has no person) */
    return desk_name_row(l->store, x->person_id, false, row, l->err);
}

enum cust_status cust_desk_duties(struct cust_desk *d, const struct cust_duty_filter *f,
                                  json_t **out, struct cust_err *err)
{
    struct duty_list l = {json_array(), &d->env->law, d->store, err};
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
    f->row =
        json_pack("{s:s,s:s,s:s,s:I,s:o,s:s?,s:s?}", "request_id", x->request_id, "duty", x->duty,
                  "status", x->status, "person_id", (json_int_t)x->person_id, "detail",
                  detail ? detail : json_object(), "document", x->document_sha256, "cite", x->cite);
    return CUST_OK;
}

static enum cust_status duty_vars(struct cust_desk *d, const json_t *row, json_t **vars,
                                  struct cust_err *err);

static enum cust_status find_duty(struct cust_desk *d, int64_t id, json_t **row,
                                  struct cust_err *err)
{
    struct duty_find f = {id, NULL};
    struct cust_duty_filter flt = {.id = id};
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
            strcmp(json_string_value(json_object_get(row, "status")), "open") == 0) {
            json_t *vars = NULL;
            st = duty_vars(d, row, &vars, err);
            if (st == CUST_OK)
                st = keep_notice(d, json_string_value(json_object_get(row, "request_id")), duty,
                                 json_integer_value(json_object_get(row, "person_id")),
                                 d->lang ? d->lang : "en", vars, NULL, sha, err);
            json_decref(vars);
        }
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
        json_t *vars = NULL;
        st = duty_vars(d, row, &vars, err);
        if (st == CUST_OK)
            st = keep_notice(d, rid, duty, json_integer_value(json_object_get(row, "person_id")),
                             lg, vars, out, sha, err);
        json_decref(vars);
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

/* The name on booking `b`, "FIRST LAST" (new string); *attorney (may be NULL) gets a copy of its
 * attorney of record, or NULL. */
static char *name_of(const struct cust_booking *b, char **attorney)
{
    if (attorney)
        *attorney = b->attorney ? cust_xstrdup(b->attorney) : NULL;
    const char *f = b->person.first_name, *l = b->person.last_name;
    size_t n = (f ? strlen(f) : 0) + (l ? strlen(l) : 0) + 2;
    char *s = cust_xmalloc(n);
    snprintf(s, n, "%s%s%s", f ? f : "", f && l ? " " : "", l ? l : "");
    return s;
}

/* The name on a booking, "FIRST LAST"; *attorney (may be NULL) gets its attorney of record.
 * `known` is the booking when the caller has it read (nothing is read then). */
static char *subject_name(struct cust_desk *d, const char *bn, const struct cust_booking *known,
                          char **attorney)
{
    if (known)
        return name_of(known, attorney);
    struct cust_record rec;
    if (attorney)
        *attorney = NULL;
    if (!bn || cust_record_current(d->store, bn, &rec, NULL) != CUST_OK)
        return cust_xstrdup("(unknown)");
    char *s = name_of(&rec.b, attorney);
    cust_record_release(&rec);
    return s;
}

static char *requester_text(const struct cust_request *r)
{
    size_t n = strlen(r->agency) + (r->office ? strlen(r->office) : 0) + 4;
    char *s = cust_xmalloc(n);
    snprintf(s, n, "%s%s%s", r->agency, r->office ? ", " : "", r->office ? r->office : "");
    return s;
}

/* The template values a decision gives every notice of request `q` it makes a duty of: the
 * request's (the day received, the requester, form, purpose), what it asked with the verdicts,
 * and the law the notice states (new reference). */
static json_t *decision_vars(const struct cust_desk *d, const struct desk_req *q,
                             const json_t *decision)
{
    char *req = requester_text(&q->r);
    char received[11];
    cust_date_format(cust_time_zone_day(q->r.received_at), received);
    json_t *asks = json_array(), *verdicts = json_object();
    bool will = false, hold_refused = false, release_given = false;
    for (int i = 0; i < CUST_ASK_COUNT; i++) {
        unsigned bit = 1u << i;
        if (!(q->r.asks & bit))
            continue;
        const char *a = cust_request_ask_name(bit);
        const char *v = decision ? desk_verdict_of(decision, "actions", a) : NULL;
        json_array_append_new(asks, json_string(a));
        json_object_set_new(verdicts, a, json_string(v ? v : "prohibited"));
        will |= v && strcmp(v, "prohibited") != 0;
        hold_refused |= bit == CUST_ASK_HOLD && (!v || strcmp(v, "prohibited") == 0);
        release_given |= bit == CUST_ASK_NOTIFY && v && strcmp(v, "prohibited") != 0;
    }
    /* the notice promises a copy of any release notice only where the law makes it a duty:
     * one of the decision's duties owed once a release date is given (its trigger the rule's or
     * the law table's, cust_desk_duty_trigger, as for the duty itself) */
    bool promised = false;
    size_t di;
    json_t *dx;
    json_array_foreach(json_object_get(decision, "duties"), di, dx)
    {
        const char *when = cust_desk_duty_trigger(d->env, dx);
        promised |= when && strcmp(when, "notify_given") == 0;
    }
    release_given = release_given && promised;
    json_t *v = json_pack("{s:s,s:s,s:s?,s:o,s:o,s:b,s:b,s:b,s:s?}", "received_date", received,
                          "requester", req, "form", q->r.form, "asks", asks, "verdicts", verdicts,
                          "will_comply", will, "hold_refused", hold_refused, "release_date_given",
                          release_given, "purpose", q->r.note);
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
    free(req);
    return v;
}

/* Template values of a duty's notice (the duty's detail): the subject's, then the decision's. */
static json_t *notice_vars(struct cust_desk *d, const struct desk_req *q, const char *bn,
                           const struct cust_booking *known, const json_t *decision,
                           const char *known_name)
{
    char *attorney = NULL;
    char *name = subject_name(d, bn, known, &attorney);
    if (known_name) {
        free(name);
        name = cust_xstrdup(known_name);
    }
    json_t *v = json_pack("{s:s,s:s?}", "subject_name", name, "booking_number", bn);
    json_t *dv = decision_vars(d, q, decision);
    json_object_update(v, dv);
    json_decref(dv);
    if (attorney) /* else the language's "your attorney or the person you designated" */
        json_object_set_new(v, "attorney_name", json_string(attorney));
    free(attorney);
    free(name);
    return v;
}

struct decision_text {
    char *text;
};

static enum cust_status on_decision_text(const struct cust_decision_row *r, void *arg)
{
    struct decision_text *t = arg;
    free(t->text);
    t->text = r->decision ? cust_xstrdup(r->decision) : NULL;
    return CUST_OK;
}

/*
 * The template values of a duty's notice from its stored row (`row`: request_id, cite,
 * detail). A notice duty made at fulfilment keeps in its detail only its person's values
 * (name, booking, attorney, what was given and the date it was given) and the id of the
 * decision it was given under (`decision`); the values that decision gives every notice
 * (decision_vars), the duty's law (its `cite`) and each item's basis (the decision's rule and
 * citation for it) are worked out here, as they were at fulfilment. Any other duty keeps every
 * value (new reference in *vars).
 */
static enum cust_status duty_vars(struct cust_desk *d, const json_t *row, json_t **vars,
                                  struct cust_err *err)
{
    const json_t *detail = json_object_get(row, "detail");
    json_t *did = json_object_get(detail, "decision");
    *vars = NULL;
    if (!json_is_integer(did)) {
        *vars = json_incref((json_t *)detail);
        return CUST_OK;
    }
    const char *rid = json_string_value(json_object_get(row, "request_id"));
    struct decision_text dt = {NULL};
    enum cust_status st =
        cust_store_decision_get(d->store, json_integer_value(did), on_decision_text, &dt, err);
    json_t *dec = st == CUST_OK && dt.text ? json_loads(dt.text, 0, NULL) : NULL;
    free(dt.text);
    if (st != CUST_OK)
        return st;
    if (!dec)
        return cust_err_set(err, CUST_EINTEGRITY, "decision #%lld of request '%s' does not read",
                            (long long)json_integer_value(did), rid ? rid : "?");
    struct desk_req q;
    st = desk_req_load(d, rid ? rid : "", &q, err);
    if (st != CUST_OK) {
        json_decref(dec);
        return st;
    }
    json_t *v = json_pack("{s:O?,s:O?}", "subject_name", json_object_get(detail, "subject_name"),
                          "booking_number", json_object_get(detail, "booking_number"));
    json_t *dv = decision_vars(d, &q, dec);
    json_object_update(v, dv);
    json_decref(dv);
    desk_req_release(&q);
    json_t *att = json_object_get(detail, "attorney_name");
    if (att)
        json_object_set(v, "attorney_name", att);
    const char *cite_text = json_string_value(json_object_get(row, "cite"));
    json_t *cite = cite_text ? json_loads(cite_text, 0, NULL) : NULL;
    char *dc = desk_cite_join(cite);
    json_decref(cite);
    if (dc)
        json_object_set_new(v, "duty_cite", json_string(dc)); /* the notice's own law */
    free(dc);
    const char *const same[] = {"disclosed_date", "release_info"};
    for (size_t i = 0; i < CUST_ARRAY_LEN(same); i++)
        if (json_object_get(detail, same[i]))
            json_object_set(v, same[i], json_object_get(detail, same[i]));
    /* each item given with the rule and citation the decision gave it under */
    json_t *given = json_object_get(detail, "given");
    if (given) {
        json_t *list = json_array(), *disclose = json_object_get(dec, "disclose"), *x;
        size_t i;
        json_array_foreach(given, i, x)
        {
            const char *item = json_string_value(json_object_get(x, "item"));
            char *why = desk_rule_cite(json_object_get(disclose, item ? item : ""));
            json_array_append_new(list,
                                  json_pack("{s:O?,s:O?,s:s}", "item", json_object_get(x, "item"),
                                            "value", json_object_get(x, "value"), "why", why));
            free(why);
        }
        json_object_set_new(v, "given", list);
    }
    json_decref(dec);
    *vars = v;
    return CUST_OK;
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
    struct cust_duty_filter f = {.request_id = rid, .open_only = false};
    enum cust_status st = cust_store_duties(d->store, &f, on_have_duty, &h, err);
    *found = h.found;
    return st;
}

const char *cust_desk_duty_trigger(const struct cust_desk_env *e, const json_t *duty)
{
    const char *when = json_string_value(json_object_get(duty, "when"));
    if (!when) /* the state report counts transfers made, not transfers asked */
        when = json_string_value(
            json_object_get(e->law.duty_when, json_string_value(json_object_get(duty, "duty"))));
    return when;
}

void desk_ids_add(struct desk_ids *ids, int64_t id)
{
    if (ids->n == ids->cap) {
        ids->cap = ids->cap ? 2 * ids->cap : 64;
        ids->v = cust_xrealloc(ids->v, ids->cap * sizeof(*ids->v));
    }
    ids->v[ids->n++] = id;
}

enum cust_status desk_duties_from_decision(struct cust_desk *d, const struct desk_req *q,
                                           int64_t person_id, const char *bn,
                                           const json_t *decision, const char *trigger,
                                           json_t *extra, int *created, struct cust_err *err)
{
    return desk_duties_from_decision_ex(d, q, person_id, bn, NULL, decision, trigger, extra, 0,
                                        NULL, created, err);
}

enum cust_status desk_duties_from_decision_ex(struct cust_desk *d, const struct desk_req *q,
                                              int64_t person_id, const char *bn,
                                              const struct cust_booking *booking,
                                              const json_t *decision, const char *trigger,
                                              json_t *extra, unsigned flags, struct desk_ids *ids,
                                              int *created, struct cust_err *err)
{
    size_t i;
    json_t *x;
    enum cust_status st = CUST_OK;
    json_array_foreach(json_object_get(decision, "duties"), i, x)
    {
        const char *duty = json_string_value(json_object_get(x, "duty"));
        if (!duty)
            continue;
        const char *when = cust_desk_duty_trigger(d->env, x);
        bool now_due = trigger ? when && strcmp(when, trigger) == 0 : !when;
        if (!now_due)
            continue;
        /* a request-level decision (no person yet, e.g. a subpoena referred to counsel): duties
         * owed to the person (duty-deadlines.csv owed_to) come with each person's own decision */
        if (!bn && json_is_true(json_object_get(d->env->law.duty_to_person, duty)))
            continue;
        bool found = false;
        if (!trigger && (st = has_duty(d, q->id, person_id, duty, &found, err)) != CUST_OK)
            break;
        if (found)
            continue;
        json_t *vars = notice_vars(d, q, bn, booking, decision,
                                   json_string_value(json_object_get(extra, "subject_name")));
        char *dc = desk_cite_join(json_object_get(x, "cite"));
        if (dc)
            json_object_set_new(vars, "duty_cite", json_string(dc)); /* the notice's own law */
        free(dc);
        if (extra)
            json_object_update(vars, extra);
        int64_t id = 0;
        st = desk_duty_create_ex(d, q, person_id, bn, duty, json_object_get(x, "cite"), vars, flags,
                                 &id, err);
        if (st == CUST_OK && ids)
            desk_ids_add(ids, id);
        json_decref(vars);
        if (st != CUST_OK)
            break;
        if (created)
            (*created)++;
    }
    return st;
}
