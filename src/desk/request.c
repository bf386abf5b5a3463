#include "custodian/request.h"

#include "custodian/date.h"
#include "custodian/deadline.h"
#include "custodian/vocab.h"

#include <sodium.h>

#define kind_names cust_vocab_kinds
static const char *const *const ask_names = cust_vocab_targets;
static const char *const *const item_names = cust_vocab_targets + CUST_VOCAB_ACTIONS;
_Static_assert(CUST_REQ_KIND_COUNT == CUST_VOCAB_KINDS && CUST_ASK_COUNT == CUST_VOCAB_ACTIONS &&
                   CUST_ITEM_COUNT == CUST_VOCAB_ITEMS,
               "request kinds, asks and items follow vocab.h");

#define DOC_CONTENT_MAX (32u << 20)

const char *cust_request_kind_name(enum cust_request_kind k)
{
    return (unsigned)k < CUST_REQ_KIND_COUNT ? kind_names[k] : "unknown";
}

bool cust_request_kind_parse(const char *s, enum cust_request_kind *out)
{
    for (int i = 0; i < CUST_REQ_KIND_COUNT; i++)
        if (strcmp(s, kind_names[i]) == 0) {
            *out = (enum cust_request_kind)i;
            return true;
        }
    return false;
}

enum cust_status cust_request_kind_check(const char *kind, const char *what, struct cust_err *err)
{
    enum cust_request_kind k;
    if (!kind || cust_request_kind_parse(kind, &k))
        return CUST_OK;
    char kinds[256];
    cust_vocab_kinds_list(kinds, sizeof(kinds));
    return cust_err_set(err, CUST_EINVAL, "%s: unknown kind '%.64s' (one of: %s)", what, kind,
                        kinds);
}

static const char *bit_name(const char *const *names, size_t n, unsigned bit)
{
    for (size_t i = 0; i < n; i++)
        if (bit == 1u << i)
            return names[i];
    return "unknown";
}

const char *cust_request_ask_name(unsigned bit)
{
    return bit_name(ask_names, CUST_ASK_COUNT, bit);
}

const char *cust_request_item_name(unsigned bit)
{
    return bit_name(item_names, CUST_ITEM_COUNT, bit);
}

unsigned cust_request_default_asks(enum cust_request_kind k)
{
    return (unsigned)k < CUST_REQ_KIND_COUNT ? cust_vocab_default_asks[k] : 0;
}

bool cust_request_kind_is_data_request(enum cust_request_kind k)
{
    return k == CUST_REQ_INFORMATION || k == CUST_REQ_ADMIN_SUBPOENA || k == CUST_REQ_COURT_ORDER;
}

/* An optional string member: absent or null -> NULL; a non-string is a problem. */
static char *opt_string(const json_t *obj, const char *key, const char *path,
                        struct cust_diag *diag)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return NULL;
    if (!json_is_string(v)) {
        cust_diag_add(diag, path, "must be a string");
        return NULL;
    }
    if (json_string_length(v) == 0) {
        cust_diag_add(diag, path, "must not be empty");
        return NULL;
    }
    if (json_string_length(v) > 4096) {
        cust_diag_add(diag, path, "too long (more than 4096 bytes)");
        return NULL;
    }
    return cust_xstrdup(json_string_value(v));
}

static unsigned parse_flags(const json_t *arr, const char *path, const char *const *names, size_t n,
                            struct cust_diag *diag)
{
    unsigned flags = 0;
    char p[128];
    if (!json_is_array(arr)) {
        cust_diag_add(diag, path, "must be an array");
        return 0;
    }
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *v = json_array_get(arr, i);
        snprintf(p, sizeof(p), "%s[%zu]", path, i);
        if (!json_is_string(v)) {
            cust_diag_add(diag, p, "must be a string");
            continue;
        }
        size_t k = 0;
        while (k < n && strcmp(json_string_value(v), names[k]) != 0)
            k++;
        if (k == n) {
            cust_diag_add(diag, p, "unknown value '%.64s'", json_string_value(v));
            continue;
        }
        if (flags & (1u << k))
            cust_diag_add(diag, p, "'%s' listed twice", names[k]);
        flags |= 1u << k;
    }
    return flags;
}

static void parse_subject(const json_t *s, struct cust_request_subject *out, struct cust_diag *diag)
{
    static const char *const keys[] = {
        "booking_number", "last_name", "first_name", "dob", "fbi", "cii", "sid", "a_number"};
    char **fields[] = {&out->booking_number,
                       &out->last_name,
                       &out->first_name,
                       &out->dob,
                       &out->fbi,
                       &out->cii,
                       &out->sid,
                       &out->a_number};
    char path[64];
    for (size_t i = 0; i < CUST_ARRAY_LEN(keys); i++) {
        snprintf(path, sizeof(path), "request.subject.%s", keys[i]);
        *fields[i] = opt_string(s, keys[i], path, diag);
    }
    struct cust_date d;
    if (out->dob && !cust_date_parse_partial(out->dob, &d))
        cust_diag_add(diag, "request.subject.dob",
                      "not a date (YYYY-MM-DD, YYYY-MM-XX or YYYY-XX-XX)");
    bool strong = out->booking_number || out->fbi || out->cii || out->sid || out->a_number;
    if (!strong && !(out->last_name && out->dob))
        cust_diag_add(diag, "request.subject",
                      "needs a booking number, a strong id (fbi, cii, sid, a_number) or "
                      "last_name with dob");
}

static void parse_scope(const json_t *s, struct cust_request_scope *out, struct cust_diag *diag)
{
    out->population = opt_string(s, "population", "request.scope.population", diag);
    if (!out->population)
        cust_diag_add(diag, "request.scope.population", "required (\"in_custody\")");
    else if (strcmp(out->population, "in_custody") != 0)
        cust_diag_add(diag, "request.scope.population", "unknown population '%.64s'",
                      out->population);
    out->citizenship = opt_string(s, "citizenship", "request.scope.citizenship", diag);
    if (out->citizenship && strcmp(out->citizenship, "citizen") != 0 &&
        strcmp(out->citizenship, "non_citizen") != 0 && strcmp(out->citizenship, "unknown") != 0)
        cust_diag_add(diag, "request.scope.citizenship", "must be citizen, non_citizen or unknown");
    out->facility = opt_string(s, "facility", "request.scope.facility", diag);
    json_t *asof = json_object_get(s, "as_of");
    if (!json_is_string(asof) || !cust_date_parse(json_string_value(asof), &out->as_of))
        cust_diag_add(diag, "request.scope.as_of", "not a date (YYYY-MM-DD)");
}

static bool is_hex64(const char *s)
{
    if (strlen(s) != 64)
        return false;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
            return false;
    return true;
}

static void parse_documents(const json_t *arr, struct cust_request *r, struct cust_diag *diag)
{
    if (!json_is_array(arr)) {
        cust_diag_add(diag, "request.documents", "must be an array");
        return;
    }
    size_t n = json_array_size(arr);
    if (n > 100) {
        cust_diag_add(diag, "request.documents", "too many documents (more than 100)");
        return;
    }
    r->documents = cust_xcalloc(n ? n : 1, sizeof(*r->documents));
    char path[96];
    for (size_t i = 0; i < n; i++) {
        json_t *d = json_array_get(arr, i);
        struct cust_request_document *doc = &r->documents[r->ndocuments++];
        if (!json_is_object(d)) {
            snprintf(path, sizeof(path), "request.documents[%zu]", i);
            cust_diag_add(diag, path, "must be an object");
            continue;
        }
        snprintf(path, sizeof(path), "request.documents[%zu].name", i);
        doc->name = opt_string(d, "name", path, diag);
        if (!doc->name)
            cust_diag_add(diag, path, "required");
        /* a document is found by its request and name (`request document ID NAME`) */
        for (size_t j = 0; doc->name && j + 1 < r->ndocuments; j++)
            if (r->documents[j].name && strcmp(r->documents[j].name, doc->name) == 0) {
                cust_diag_add(diag, path,
                              "the same name as request.documents[%zu] (each document "
                              "of a request needs a name of its own)",
                              j);
                break;
            }
        snprintf(path, sizeof(path), "request.documents[%zu].content_base64", i);
        json_t *content = json_object_get(d, "content_base64");
        if (content && !json_is_null(content)) {
            if (!json_is_string(content)) {
                cust_diag_add(diag, path, "must be a string");
            } else {
                size_t len = json_string_length(content);
                size_t max = len / 4 * 3 + 3;
                if (max > DOC_CONTENT_MAX) {
                    cust_diag_add(diag, path, "document larger than 32 MiB");
                } else {
                    doc->content = cust_xmalloc(max ? max : 1);
                    if (sodium_base642bin(doc->content, max, json_string_value(content), len,
                                          "\n\r ", &doc->content_len, NULL,
                                          sodium_base64_VARIANT_ORIGINAL) != 0) {
                        cust_diag_add(diag, path, "not valid base64");
                        free(doc->content);
                        doc->content = NULL;
                        doc->content_len = 0;
                    }
                }
            }
        }
        snprintf(path, sizeof(path), "request.documents[%zu].sha256", i);
        json_t *sha = json_object_get(d, "sha256");
        unsigned char h[crypto_hash_sha256_BYTES];
        if (doc->content) {
            crypto_hash_sha256(h, doc->content, doc->content_len);
            sodium_bin2hex(doc->sha256, sizeof(doc->sha256), h, sizeof(h));
            if (json_is_string(sha) && strcmp(json_string_value(sha), doc->sha256) != 0)
                cust_diag_add(diag, path, "does not match the content (content hashes to %s)",
                              doc->sha256);
        } else if (!json_is_string(sha) || !is_hex64(json_string_value(sha))) {
            cust_diag_add(diag, path, "must be 64 lowercase hex digits (SHA-256)");
        } else {
            memcpy(doc->sha256, json_string_value(sha), 65);
        }
    }
}

static void parse_due(const json_t *v, struct cust_request *r, struct cust_diag *diag)
{
    if (!v || json_is_null(v))
        return;
    const char *s = json_string_value(v);
    int32_t day;
    int off;
    if (s && cust_time_parse(s, &r->due, &off)) {
        r->has_due = true;
    } else if (s && cust_date_parse(s, &day)) {
        /* a date means the end of that day in the county's time zone */
        r->due = cust_deadline_day_end(day);
        r->has_due = true;
    } else {
        cust_diag_add(diag, "request.due", "not a date (YYYY-MM-DD) or RFC 3339 date-time");
    }
}

enum cust_status cust_request_parse(const json_t *doc, struct cust_request *r,
                                    struct cust_diag *diag)
{
    memset(r, 0, sizeof(*r));
    if (sodium_init() < 0)
        return CUST_EINVAL;
    size_t before = cust_diag_count(diag);
    if (!json_is_object(doc)) {
        cust_diag_add(diag, "request", "must be a JSON object");
        return CUST_EINVAL;
    }
    json_t *kind = json_object_get(doc, "kind");
    char kinds[256];
    cust_vocab_kinds_list(kinds, sizeof(kinds));
    if (!json_is_string(kind))
        cust_diag_add(diag, "request.kind", "required (one of: %s)", kinds);
    else if (!cust_request_kind_parse(json_string_value(kind), &r->kind))
        cust_diag_add(diag, "request.kind", "unknown kind '%.64s' (one of: %s)",
                      json_string_value(kind), kinds);

    r->form = opt_string(doc, "form", "request.form", diag);
    json_t *req = json_object_get(doc, "requester");
    if (!json_is_object(req)) {
        cust_diag_add(diag, "request.requester", "required object with 'agency'");
    } else {
        r->agency = opt_string(req, "agency", "request.requester.agency", diag);
        if (!r->agency)
            cust_diag_add(diag, "request.requester.agency", "required");
        r->office = opt_string(req, "office", "request.requester.office", diag);
        r->contact = opt_string(req, "contact", "request.requester.contact", diag);
    }
    json_t *rec = json_object_get(doc, "received_at");
    if (!json_is_string(rec) ||
        !cust_time_parse(json_string_value(rec), &r->received_at, &r->received_offset))
        cust_diag_add(diag, "request.received_at", "not an RFC 3339 date-time");
    parse_due(json_object_get(doc, "due"), r, diag);

    json_t *subject = json_object_get(doc, "subject");
    json_t *scope = json_object_get(doc, "scope");
    r->has_subject = subject && !json_is_null(subject);
    r->has_scope = scope && !json_is_null(scope);
    if (r->has_subject && !json_is_object(subject))
        cust_diag_add(diag, "request.subject", "must be an object");
    else if (r->has_subject)
        parse_subject(subject, &r->subject, diag);
    if (r->has_scope && !json_is_object(scope))
        cust_diag_add(diag, "request.scope", "must be an object");
    else if (r->has_scope)
        parse_scope(scope, &r->scope, diag);
    if (r->has_subject == r->has_scope)
        cust_diag_add(diag, "request", "needs exactly one of 'subject' or 'scope'");
    else if (r->has_scope && !cust_request_kind_is_data_request(r->kind))
        cust_diag_add(diag, "request.scope",
                      "only information requests, subpoenas and court orders name a population");

    json_t *asks = json_object_get(doc, "asks");
    if (asks && !json_is_null(asks) && json_array_size(asks) > 0) {
        r->asks = parse_flags(asks, "request.asks", ask_names, CUST_ASK_COUNT, diag);
        r->asks_given = true;
    } else if (asks && !json_is_null(asks) && !json_is_array(asks)) {
        cust_diag_add(diag, "request.asks", "must be an array");
    } else {
        r->asks = cust_request_default_asks(r->kind);
    }
    json_t *items = json_object_get(doc, "items");
    if (items && !json_is_null(items))
        r->items = parse_flags(items, "request.items", item_names, CUST_ITEM_COUNT, diag);
    if (cust_request_kind_is_data_request(r->kind) && r->items == 0)
        cust_diag_add(diag, "request.items", "a data request must name the items it asks for");

    json_t *docs = json_object_get(doc, "documents");
    if (docs && !json_is_null(docs))
        parse_documents(docs, r, diag);
    r->note = opt_string(doc, "note", "request.note", diag);
    r->accompanying_warrant =
        opt_string(doc, "accompanying_warrant", "request.accompanying_warrant", diag);
    if (r->accompanying_warrant && strcmp(r->accompanying_warrant, "I-200") != 0 &&
        strcmp(r->accompanying_warrant, "I-205") != 0)
        cust_diag_add(diag, "request.accompanying_warrant", "must be I-200 or I-205");
    else if (r->accompanying_warrant && r->kind != CUST_REQ_DETAINER)
        cust_diag_add(diag, "request.accompanying_warrant",
                      "only a detainer is sent with an accompanying warrant");
    r->warrant_number = opt_string(doc, "warrant_number", "request.warrant_number", diag);
    if (r->warrant_number && r->kind != CUST_REQ_JUDICIAL_WARRANT &&
        r->kind != CUST_REQ_JUDICIAL_PROBABLE_CAUSE && r->kind != CUST_REQ_ADMIN_WARRANT)
        cust_diag_add(diag, "request.warrant_number", "only a warrant has a warrant number");
    else if (r->warrant_number && !*r->warrant_number)
        cust_diag_add(diag, "request.warrant_number", "must not be empty");

    return cust_diag_count(diag) > before ? CUST_EINVAL : CUST_OK;
}

void cust_request_release(struct cust_request *r)
{
    struct cust_request_subject *s = &r->subject;
    free(s->booking_number);
    free(s->last_name);
    free(s->first_name);
    free(s->dob);
    free(s->fbi);
    free(s->cii);
    free(s->sid);
    free(s->a_number);
    free(r->scope.population);
    free(r->scope.citizenship);
    free(r->scope.facility);
    for (size_t i = 0; i < r->ndocuments; i++) {
        free(r->documents[i].name);
        free(r->documents[i].content);
    }
    free(r->documents);
    free(r->form);
    free(r->agency);
    free(r->office);
    free(r->contact);
    free(r->note);
    free(r->accompanying_warrant);
    free(r->warrant_number);
    memset(r, 0, sizeof(*r));
}
