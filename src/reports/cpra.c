/*
 * cpra.c - the public-records export (`custodian report cpra --from D --to D --out DIR`).
 *
 * Gov. Code 7283.1(c): every record relating to ICE access is a public record, and personal
 * identifying information may be redacted before it is disclosed. The export holds, for every
 * request received in the period, the request, its documents (listed), decisions, actions,
 * duties, transfers and disclosures, each as a CSV file, redacted by two rules
 * (REDACTIONS.md, written into the export and kept in docs/internals/reports.md):
 *   1. by field: a field that identifies a person is left out or replaced (a person becomes
 *      "person N", numbered within the export in order of first appearance);
 *   2. by value: free text (notes, reasons, document names) has every identifying value of
 *      the persons the request concerns (names, aliases, dates of birth, booking numbers,
 *      identifiers, addresses, and the request's own subject fields) replaced by [redacted].
 * MANIFEST.json lists every file with its SHA-256 and the ledger's head at export time;
 * MANIFEST.json.sig signs it with the ledger's checkpoint key when one exists.
 */
#include "custodian/compat.h"
#include "custodian/date.h"
#include "custodian/ledger.h"
#include "custodian/request.h"
#include "custodian/tlog.h"
#include "reports_internal.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <sodium.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define REDACTED       "[redacted]"
#define REDACTION_LIST "custodian-cpra-redactions-v1"

static const char redactions_md[] =
    "# Redactions in this export (" REDACTION_LIST ")\n"
    "\n"
    "Cal. Gov. Code 7283.1(c) makes every record relating to ICE access a public record and "
    "allows personal identifying information to be redacted before disclosure. custodian "
    "redacts by two rules.\n"
    "\n"
    "## 1. By field\n"
    "\n"
    "| field | in this export |\n"
    "|---|---|\n"
    "| person's name, aliases, date of birth | left out |\n"
    "| booking number, internal person id, source person id | replaced by `person N` "
    "(numbered within this export in order of first appearance) |\n"
    "| A-number, FBI, CII, SID numbers | left out |\n"
    "| home and work address, contact information | left out |\n"
    "| citizenship and immigration status, place of birth | left out |\n"
    "| charges and criminal history | left out (an offense that allowed a transfer under "
    "Gov. Code 7282.5 is kept: it is the legal basis the law requires to be reported) |\n"
    "| the request's subject block (what the requester sent about the person) | left out |\n"
    "| requester's contact (officer name, telephone, e-mail) | left out; agency and office "
    "kept |\n"
    "| warrant and court case numbers | left out (a case number names the defendant); the "
    "basis `judicial_warrant` is kept |\n"
    "| disclosure row hashes | left out (a hash of a booking number can be checked against a "
    "guess) |\n"
    "| document contents | not exported: each document is listed by role, redacted name, "
    "size and SHA-256, so a records officer can produce a reviewed copy |\n"
    "| staff names (who decided, acted, recorded) | kept: public employees acting in their "
    "official capacity |\n"
    "| policy, rule, verdict, citation, dates and times, statuses | kept |\n"
    "\n"
    "## 2. By value\n"
    "\n"
    "In free text that is kept (request notes, status reasons, action reasons, document "
    "names), every identifying value of the persons the request concerns (names and their "
    "parts, aliases, dates of birth, booking numbers, identifiers, addresses) and every value "
    "of the request's own subject block is replaced by `" REDACTED "`, case-insensitively.\n";

/* ---- redaction by value --------------------------------------------------------------------- */

struct values {
    char **v;
    size_t n;
};

static void value_add(struct values *vs, const char *s)
{
    if (!s || strlen(s) < 3)
        return;
    for (size_t i = 0; i < vs->n; i++)
        if (strcasecmp(vs->v[i], s) == 0)
            return;
    vs->v = cust_xrealloc(vs->v, (vs->n + 1) * sizeof(*vs->v));
    vs->v[vs->n++] = cust_xstrdup(s);
}

static void values_free(struct values *vs)
{
    for (size_t i = 0; i < vs->n; i++)
        free(vs->v[i]);
    free(vs->v);
    memset(vs, 0, sizeof(*vs));
}

/* Every string under `j` (names, ids, dates, addresses, booking numbers). */
static void values_of_json(struct values *vs, const json_t *j, int depth)
{
    if (depth > 6)
        return;
    if (json_is_string(j)) {
        value_add(vs, json_string_value(j));
        /* the parts of a multi-word value too ("MARIA JOSE", "123 Main St") */
        char *copy = cust_xstrdup(json_string_value(j));
        char *save = NULL;
        for (char *t = strtok_r(copy, " ,", &save); t; t = strtok_r(NULL, " ,", &save))
            if (strlen(t) >= 4)
                value_add(vs, t);
        free(copy);
    } else if (json_is_object(j)) {
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)j, k, v) values_of_json(vs, v, depth + 1);
    } else if (json_is_array(j)) {
        size_t i;
        json_t *v;
        json_array_foreach(j, i, v) values_of_json(vs, v, depth + 1);
    }
}

/* The identifying values of a person (store.h cust_store_person_json): names, dob, ids,
 * aliases, addresses, booking numbers, the source's person id. */
static enum cust_status values_of_person(struct cust_store *s, int64_t person_id, struct values *vs,
                                         struct cust_err *err)
{
    char key[32], *js = NULL;
    snprintf(key, sizeof(key), "#%lld", (long long)person_id);
    enum cust_status st = cust_store_person_json(s, key, &js, err);
    if (st == CUST_ENOTFOUND) {
        cust_err_clear(err);
        return CUST_OK;
    }
    if (st != CUST_OK)
        return st;
    json_t *p = json_loads(js, 0, NULL);
    free(js);
    static const char *const keys[] = {"person_id",   "last_name",    "first_name",
                                       "middle_name", "dob",          "ids",
                                       "aliases",     "home_address", "bookings"};
    for (size_t i = 0; i < CUST_ARRAY_LEN(keys); i++)
        values_of_json(vs, json_object_get(p, keys[i]), 0);
    json_decref(p);
    return CUST_OK;
}

/* `s` with every value replaced (owned). */
static char *redact(const struct values *vs, const char *s)
{
    if (!s)
        return NULL;
    char *cur = cust_xstrdup(s);
    for (size_t i = 0; i < vs->n; i++) {
        const char *v = vs->v[i];
        size_t vl = strlen(v);
        struct cust_buf b = CUST_BUF_INIT;
        const char *p = cur;
        bool hit = false;
        enum cust_status st = CUST_OK;
        while (*p && st == CUST_OK) {
            if (strncasecmp(p, v, vl) == 0) {
                st = cust_buf_puts(&b, REDACTED);
                p += vl;
                hit = true;
            } else {
                st = cust_buf_putc(&b, *p++);
            }
        }
        if (hit && st == CUST_OK) {
            free(cur);
            cur = cust_xstrdup(b.buf ? b.buf : "");
        }
        cust_buf_release(&b);
    }
    return cur;
}

/* ---- files ---------------------------------------------------------------------------------- */

struct csv {
    struct cust_buf *b;
    enum cust_status st;
};

static void cell(struct csv *c, const char *s, bool last)
{
    if (c->st == CUST_OK)
        c->st = rp_csv_field(c->b, s);
    if (c->st == CUST_OK)
        c->st = last ? cust_buf_puts(c->b, "\r\n") : cust_buf_putc(c->b, ',');
}

static void cell_int(struct csv *c, long long v, bool last)
{
    char t[32];
    snprintf(t, sizeof(t), "%lld", v);
    cell(c, t, last);
}

static void header(struct csv *c, const char *const *cols, size_t n)
{
    for (size_t i = 0; i < n; i++)
        cell(c, cols[i], i + 1 == n);
}

static struct cust_cpra_file *file_new(struct cust_cpra *x, const char *name)
{
    x->files = cust_xrealloc(x->files, (x->nfiles + 1) * sizeof(*x->files));
    struct cust_cpra_file *f = &x->files[x->nfiles++];
    memset(f, 0, sizeof(*f));
    f->name = cust_xstrdup(name);
    cust_buf_init(&f->data, 0);
    return f;
}

static void file_hash(struct cust_cpra_file *f)
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)(f->data.len ? f->data.buf : ""), f->data.len);
    sodium_bin2hex(f->sha256, sizeof(f->sha256), h, sizeof(h));
}

/* person id -> "person N" */
struct aliases {
    int64_t *ids;
    size_t n;
};

static void alias_of(struct aliases *a, int64_t id, char out[24])
{
    if (id <= 0) {
        snprintf(out, 24, "%s", "");
        return;
    }
    size_t i = 0;
    while (i < a->n && a->ids[i] != id)
        i++;
    if (i == a->n) {
        a->ids = cust_xrealloc(a->ids, (a->n + 1) * sizeof(*a->ids));
        a->ids[a->n++] = id;
    }
    snprintf(out, 24, "person %zu", i + 1);
}

static char *names_of(const unsigned bits, const char *(*name)(unsigned), int count)
{
    struct cust_buf b = CUST_BUF_INIT;
    enum cust_status st = CUST_OK;
    bool first = true;
    for (int k = 0; k < count; k++)
        if (bits & (1u << k)) {
            st = st ? st : cust_buf_appendf(&b, "%s%s", first ? "" : " ", name(1u << k));
            first = false;
        }
    char *s = cust_xstrdup(st == CUST_OK && b.buf ? b.buf : "");
    cust_buf_release(&b);
    return s;
}

struct doc_ctx {
    struct csv *c;
    const struct values *vs;
};

static enum cust_status on_document(const struct cust_document_row *d, void *arg)
{
    struct doc_ctx *x = arg;
    char *name = redact(x->vs, d->name);
    cell(x->c, d->request_id, false);
    cell(x->c, d->role, false);
    cell(x->c, name, false);
    cell_int(x->c, d->size, false);
    cell(x->c, d->sha256, true);
    free(name);
    return x->c->st;
}

struct duty_ctx {
    struct csv *c;
    struct aliases *al;
};

static enum cust_status on_duty(const struct cust_duty_row *d, void *arg)
{
    struct duty_ctx *x = arg;
    char who[24], due[32] = "";
    alias_of(x->al, d->person_id, who);
    if (d->due_ts != CUST_NO_TIME)
        cust_time_format(d->due_ts, cust_time_zone_offset(d->due_ts), false, due);
    json_t *cite = d->cite ? json_loads(d->cite, 0, NULL) : NULL;
    struct cust_buf cb = CUST_BUF_INIT;
    size_t i;
    json_t *v;
    enum cust_status st = CUST_OK;
    json_array_foreach(cite, i, v) st =
        st ? st
           : cust_buf_appendf(&cb, "%s%s", i ? "; " : "",
                              json_string_value(v) ? json_string_value(v) : "");
    json_decref(cite);
    cell_int(x->c, d->id, false);
    cell(x->c, d->request_id, false);
    cell(x->c, who, false);
    cell(x->c, d->duty, false);
    cell(x->c, cb.buf ? cb.buf : "", false);
    cell(x->c, d->status, false);
    cell(x->c, due, false);
    cell(x->c, d->created_at, false);
    cell(x->c, d->done_by, false);
    cell(x->c, d->done_at, true);
    cust_buf_release(&cb);
    return x->c->st;
}

struct xfer_ctx {
    struct csv *c;
    struct aliases *al;
    const struct rp_set *set;
};

static enum cust_status on_transfer(const struct cust_transfer_row *t, void *arg)
{
    struct xfer_ctx *x = arg;
    if (!t->request_id || !rp_find(x->set, t->request_id))
        return CUST_OK;
    char who[24];
    alias_of(x->al, t->person_id, who);
    cell_int(x->c, t->id, false);
    cell(x->c, t->request_id, false);
    cell(x->c, who, false);
    cell(x->c, t->at, false);
    cell(x->c, t->agency, false);
    cell(x->c, t->basis, false);
    cell(x->c, t->criterion, false);
    cell(x->c, t->offense, false);
    cell(x->c, t->recorded_by, false);
    cell(x->c, t->recorded_at, true);
    return x->c->st;
}

struct disc_ctx {
    struct csv *c;
    struct aliases *al;
    const struct rp_set *set;
    int64_t rows;
};

static enum cust_status on_disclosure(const struct cust_disclosure_row *d, void *arg)
{
    struct disc_ctx *x = arg;
    if (!rp_find(x->set, d->request_id))
        return CUST_OK;
    char who[24];
    alias_of(x->al, d->person_id, who);
    json_t *items = json_loads(d->items, 0, NULL), *withheld = json_loads(d->withheld, 0, NULL);
    struct cust_buf ib = CUST_BUF_INIT, wb = CUST_BUF_INIT;
    size_t i;
    json_t *v;
    enum cust_status st = CUST_OK;
    json_array_foreach(items, i, v) st =
        st ? st
           : cust_buf_appendf(&ib, "%s%s", i ? " " : "",
                              json_string_value(v) ? json_string_value(v) : "");
    json_array_foreach(withheld, i, v) st =
        st ? st
           : cust_buf_appendf(&wb, "%s%s", i ? " " : "",
                              json_string_value(v) ? json_string_value(v) : "");
    json_decref(items);
    json_decref(withheld);
    cell(x->c, d->request_id, false);
    cell_int(x->c, d->ord, false);
    cell(x->c, who, false);
    cell(x->c, ib.buf ? ib.buf : "", false);
    cell(x->c, wb.buf ? wb.buf : "", false);
    cell(x->c, d->recipient, false);
    cell(x->c, d->office, false);
    cell(x->c, d->at, false);
    cell_int(x->c, d->decision_id, true);
    cust_buf_release(&ib);
    cust_buf_release(&wb);
    x->rows++;
    return x->c->st == CUST_OK ? st : x->c->st;
}

static void decision_rows(struct csv *c, const struct rp_req *q, const struct rp_decision *d,
                          const char *who)
{
    static const char *const sections[][2] = {{"actions", "action"}, {"disclose", "disclose"}};
    for (size_t s = 0; s < CUST_ARRAY_LEN(sections); s++) {
        const char *k;
        json_t *e;
        json_object_foreach(json_object_get(d->json, sections[s][0]), k, e)
        {
            struct cust_buf cb = CUST_BUF_INIT, bb = CUST_BUF_INIT;
            size_t i;
            json_t *v;
            enum cust_status st = CUST_OK;
            json_array_foreach(json_object_get(e, "cite"), i, v) st =
                st ? st
                   : cust_buf_appendf(&cb, "%s%s", i ? "; " : "",
                                      json_string_value(v) ? json_string_value(v) : "");
            json_array_foreach(json_object_get(e, "basis"), i, v) st =
                st ? st
                   : cust_buf_appendf(&bb, "%s%s", i ? "; " : "",
                                      json_string_value(v) ? json_string_value(v) : "");
            cell_int(c, d->id, false);
            cell(c, q->id, false);
            cell(c, who, false);
            cell(c, d->policy_id, false);
            cell(c, d->policy_version, false);
            cell(c, sections[s][1], false);
            cell(c, k, false);
            cell(c, json_string_value(json_object_get(e, "verdict")), false);
            cell(c, json_string_value(json_object_get(e, "rule")), false);
            cell(c, cb.buf ? cb.buf : "", false);
            cell(c, bb.buf ? bb.buf : "", false);
            cell(c, d->decided_by, false);
            cell(c, d->decided_at, true);
            cust_buf_release(&cb);
            cust_buf_release(&bb);
        }
    }
}

static const char *const req_cols[] = {"request_id",  "kind",  "form",    "agency",        "office",
                                       "received_at", "due",   "status",  "status_reason", "asks",
                                       "items",       "scope", "persons", "note"};
static const char *const doc_cols[] = {"request_id", "role", "name", "size", "sha256"};
static const char *const dec_cols[] = {
    "decision_id", "request_id", "person", "policy", "policy_version", "section",   "target",
    "verdict",     "rule",       "cite",   "basis",  "decided_by",     "decided_at"};
static const char *const act_cols[] = {"action_id", "request_id", "person", "action",
                                       "verdict",   "outcome",    "by",     "at",
                                       "reason",    "decision_id"};
static const char *const duty_cols[] = {"duty_id", "request_id", "person", "duty",
                                        "cite",    "status",     "due",    "created_at",
                                        "done_by", "done_at"};
static const char *const xfer_cols[] = {"transfer_id", "request_id", "person",    "at",
                                        "agency",      "basis",      "criterion", "offense",
                                        "recorded_by", "recorded_at"};
static const char *const disc_cols[] = {"request_id",     "ord",       "person", "items_given",
                                        "items_withheld", "recipient", "office", "at",
                                        "decision_id"};

static enum cust_status scope_text(const char *doc, char *out, size_t cap)
{
    out[0] = '\0';
    json_t *j = doc ? json_loads(doc, 0, NULL) : NULL;
    json_t *sc = json_object_get(j, "scope");
    if (json_is_object(sc))
        snprintf(out, cap, "%s%s%s as of %s",
                 json_string_value(json_object_get(sc, "population"))
                     ? json_string_value(json_object_get(sc, "population"))
                     : "population",
                 json_string_value(json_object_get(sc, "citizenship")) ? ", " : "",
                 json_string_value(json_object_get(sc, "citizenship"))
                     ? json_string_value(json_object_get(sc, "citizenship"))
                     : "",
                 json_string_value(json_object_get(sc, "as_of"))
                     ? json_string_value(json_object_get(sc, "as_of"))
                     : "?");
    json_decref(j);
    return CUST_OK;
}

struct reqdoc {
    char *doc, *note;
    int64_t due_ts;
};

static enum cust_status on_reqdoc(const struct cust_request_row *r, void *arg)
{
    struct reqdoc *x = arg;
    x->doc = r->doc ? cust_xstrdup(r->doc) : NULL;
    x->due_ts = r->due_ts;
    json_t *j = r->doc ? json_loads(r->doc, 0, NULL) : NULL;
    const char *note = json_string_value(json_object_get(j, "note"));
    x->note = note ? cust_xstrdup(note) : NULL;
    json_decref(j);
    return CUST_OK;
}

void cust_cpra_free(struct cust_cpra *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->nfiles; i++) {
        free(c->files[i].name);
        cust_buf_release(&c->files[i].data);
    }
    free(c->files);
    memset(c, 0, sizeof(*c));
}

/* One request's rows: requests.csv, documents.csv, decisions.csv, actions.csv, duties.csv
 * (each person named by their alias, every free text redacted of the persons' values). */
static enum cust_status export_request(struct cust_store *s, const struct rp_req *q,
                                       struct aliases *al, struct csv *creq, struct csv *cdoc,
                                       struct csv *cdec, struct csv *cact, struct csv *cduty,
                                       struct cust_err *err)
{
    enum cust_status st;
    struct values vs = {0};
    struct reqdoc rd = {0};
    st = cust_store_request_get(s, q->id, on_reqdoc, &rd, err);
    json_t *doc = rd.doc ? json_loads(rd.doc, 0, NULL) : NULL;
    values_of_json(&vs, json_object_get(doc, "subject"), 0);
    json_decref(doc);
    for (size_t k = 0; st == CUST_OK && k < q->nlinks; k++)
        st = values_of_person(s, q->links[k].person_id, &vs, err);
    /* persons of a population request's disclosures are rows, not links: their values
     * never reach a free-text field of that request (its note is the letter's) */
    struct cust_buf persons = CUST_BUF_INIT;
    for (size_t k = 0; st == CUST_OK && k < q->nlinks; k++) {
        char who[24];
        alias_of(al, q->links[k].person_id, who);
        st = cust_buf_appendf(&persons, "%s%s", k ? "; " : "", who);
    }
    char scope[160], due[32] = "";
    scope_text(rd.doc, scope, sizeof(scope));
    if (rd.due_ts != CUST_NO_TIME)
        cust_time_format(rd.due_ts, cust_time_zone_offset(rd.due_ts), false, due);
    char *asks = names_of(q->asks, cust_request_ask_name, CUST_ASK_COUNT);
    char *items = names_of(q->items, cust_request_item_name, CUST_ITEM_COUNT);
    char *reason = redact(&vs, q->status_reason);
    char *note = redact(&vs, rd.note);
    if (st == CUST_OK) {
        cell(creq, q->id, false);
        cell(creq, q->kind, false);
        cell(creq, q->form, false);
        cell(creq, q->agency, false);
        cell(creq, q->office, false);
        cell(creq, q->received_at, false);
        cell(creq, due, false);
        cell(creq, q->status, false);
        cell(creq, reason, false);
        cell(creq, asks, false);
        cell(creq, items, false);
        cell(creq, scope, false);
        cell(creq, persons.buf ? persons.buf : "", false);
        cell(creq, note, true);
    }
    free(asks);
    free(items);
    free(reason);
    free(note);
    free(rd.doc);
    free(rd.note);
    cust_buf_release(&persons);
    struct doc_ctx dx = {cdoc, &vs};
    if (st == CUST_OK)
        st = cust_store_documents(s, q->id, on_document, &dx, err);
    for (size_t k = 0; st == CUST_OK && k < q->ndecs; k++) {
        char who[24];
        alias_of(al, q->decs[k].person_id, who);
        decision_rows(cdec, q, &q->decs[k], who);
    }
    for (size_t k = 0; st == CUST_OK && k < q->nacts; k++) {
        const struct rp_action *a = &q->acts[k];
        char who[24];
        alias_of(al, a->person_id, who);
        char *r = redact(&vs, a->reason);
        cell_int(cact, a->id, false);
        cell(cact, q->id, false);
        cell(cact, who, false);
        cell(cact, a->action, false);
        cell(cact, a->verdict, false);
        cell(cact, a->outcome, false);
        cell(cact, a->by, false);
        cell(cact, a->at_text, false);
        cell(cact, r, false);
        cell_int(cact, a->decision_id, true);
        free(r);
    }
    struct duty_ctx du = {cduty, al};
    struct cust_duty_filter df = {.request_id = q->id, .open_only = false};
    if (st == CUST_OK)
        st = cust_store_duties(s, &df, on_duty, &du, err);
    values_free(&vs);
    return st;
}

/* MANIFEST.json.sig: the manifest's hash and the ledger's tree head as a signed note by the
 * ledger's checkpoint key `key` (tlog.h). */
static enum cust_status sign_manifest(struct cust_cpra *x, const char *key, const char *from,
                                      const char *to, uint64_t tree_size, const char *root_b64,
                                      struct cust_err *err)
{
    struct cust_note_signer signer;
    enum cust_status st = cust_note_signer_load(key, &signer, err);
    char text[512];
    snprintf(text, sizeof(text), "custodian-cpra-export\n%s %s\nMANIFEST.json %s\nledger %llu %s\n",
             from, to, x->manifest_sha256, (unsigned long long)tree_size, root_b64);
    char *note = st == CUST_OK ? cust_note_sign(text, &signer, err) : NULL;
    cust_note_signer_wipe(&signer);
    if (st == CUST_OK && !note)
        st = CUST_EINVAL;
    if (st == CUST_OK) {
        struct cust_cpra_file *f = file_new(x, "MANIFEST.json.sig");
        st = cust_buf_puts(&f->data, note);
        file_hash(f);
        x->is_signed = true;
    }
    free(note);
    return st;
}

enum cust_status cust_report_cpra(struct cust_store *s, const struct cust_cpra_opts *o,
                                  struct cust_cpra *x, struct cust_err *err)
{
    memset(x, 0, sizeof(*x));
    if (o->to < o->from)
        return cust_err_set(err, CUST_EINVAL, "the period ends before it begins");
    if (sodium_init() < 0)
        return cust_err_set(err, CUST_EINVAL, "libsodium failed to initialise");
    int64_t from_ts, to_ts;
    rp_period(o->from, o->to, &from_ts, &to_ts);
    struct rp_set set;
    enum cust_status st = rp_collect(s, from_ts, to_ts, true, &set, err);
    if (st != CUST_OK)
        return st;
    struct aliases al = {0};
    static const char *const first[] = {"requests.csv", "documents.csv", "decisions.csv",
                                        "actions.csv", "duties.csv"};
    for (size_t i = 0; i < CUST_ARRAY_LEN(first); i++)
        file_new(x, first[i]);
    /* (file_new moves the array: these buffers are used only until the next file_new) */
    struct csv creq = {&x->files[0].data, CUST_OK}, cdoc = {&x->files[1].data, CUST_OK},
               cdec = {&x->files[2].data, CUST_OK}, cact = {&x->files[3].data, CUST_OK},
               cduty = {&x->files[4].data, CUST_OK};
    header(&creq, req_cols, CUST_ARRAY_LEN(req_cols));
    header(&cdoc, doc_cols, CUST_ARRAY_LEN(doc_cols));
    header(&cdec, dec_cols, CUST_ARRAY_LEN(dec_cols));
    header(&cact, act_cols, CUST_ARRAY_LEN(act_cols));
    header(&cduty, duty_cols, CUST_ARRAY_LEN(duty_cols));
    for (size_t i = 0; st == CUST_OK && i < set.n; i++)
        st = export_request(s, &set.v[i], &al, &creq, &cdoc, &cdec, &cact, &cduty, err);
    file_new(x, "transfers.csv");
    file_new(x, "disclosures.csv");
    struct csv cx = {&x->files[5].data, CUST_OK}, cd = {&x->files[6].data, CUST_OK};
    header(&cx, xfer_cols, CUST_ARRAY_LEN(xfer_cols));
    header(&cd, disc_cols, CUST_ARRAY_LEN(disc_cols));
    struct xfer_ctx xc = {&cx, &al, &set};
    if (st == CUST_OK)
        st = cust_store_transfers(s, on_transfer, &xc, err);
    struct disc_ctx dc = {&cd, &al, &set, 0};
    if (st == CUST_OK)
        st = cust_store_disclosures(s, NULL, on_disclosure, &dc, err);
    enum cust_status wst = creq.st    ? creq.st
                           : cdoc.st  ? cdoc.st
                           : cdec.st  ? cdec.st
                           : cact.st  ? cact.st
                           : cduty.st ? cduty.st
                           : cx.st    ? cx.st
                                      : cd.st;
    if (st == CUST_OK && wst != CUST_OK)
        st = cust_err_set(err, wst, "cannot build the export");
    x->requests = (int64_t)set.n;
    x->persons = (int64_t)al.n;

    char from[11], to[11], now[32];
    rp_day_text(o->from, from);
    rp_day_text(o->to, to);
    cust_time_format(cust_now(), 0, true, now);
    if (st == CUST_OK) {
        struct cust_cpra_file *f = file_new(x, "REDACTIONS.md");
        st = cust_buf_puts(&f->data, redactions_md);
    }
    if (st == CUST_OK) {
        struct cust_cpra_file *f = file_new(x, "README.txt");
        st = cust_buf_appendf(
            &f->data,
            "Public-records export of every record of access given to immigration authorities\n"
            "(Cal. Gov. Code 7283.1(c)) for requests received from %s to %s (days in %s).\n"
            "Produced by custodian at %s for %s.\n\n"
            "%lld requests, %lld persons (each named only as \"person N\" within this export).\n"
            "Files: requests.csv, documents.csv, decisions.csv, actions.csv, duties.csv,\n"
            "transfers.csv, disclosures.csv (one row per row of data given), REDACTIONS.md\n"
            "(what was redacted and how). MANIFEST.json lists every file with its SHA-256 and\n"
            "the audit ledger's head when the export was made; MANIFEST.json.sig, when present,\n"
            "is its signature by the ledger's checkpoint key.\n",
            from, to, cust_time_zone_name(), now, o->actor ? o->actor : "cli",
            (long long)x->requests, (long long)x->persons);
    }
    int64_t head_seq = 0;
    char head_hash[65] = "";
    uint64_t tree_size = 0;
    unsigned char tree_root[CUST_TLOG_HASH];
    char root_b64[45] = "";
    if (st == CUST_OK)
        st = cust_store_ledger_head(s, &head_seq, head_hash, err);
    if (st == CUST_OK)
        st = cust_ledger_tree_head(s, &tree_size, tree_root, err);
    if (st == CUST_OK)
        cust_tlog_hash_b64(tree_root, root_b64);
    if (st == CUST_OK) {
        json_t *files = json_array();
        for (size_t i = 0; i < x->nfiles; i++) {
            file_hash(&x->files[i]);
            json_array_append_new(files, json_pack("{s:s,s:s,s:I}", "name", x->files[i].name,
                                                   "sha256", x->files[i].sha256, "bytes",
                                                   (json_int_t)x->files[i].data.len));
        }
        json_t *m =
            json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:{s:I,s:s,s:I,s:s},s:I,s:I,s:o}", "export",
                      "cpra", "from", from, "to", to, "zone", cust_time_zone_name(), "generated_at",
                      now, "generated_by", o->actor ? o->actor : "cli", "redaction_list",
                      REDACTION_LIST, "ledger", "seq", (json_int_t)head_seq, "hash", head_hash,
                      "tree_size", (json_int_t)tree_size, "tree_root", root_b64, "requests",
                      (json_int_t)x->requests, "persons", (json_int_t)x->persons, "files", files);
        char *text = json_dumps(m, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        json_decref(m);
        struct cust_cpra_file *f = file_new(x, "MANIFEST.json");
        st = cust_buf_puts(&f->data, text);
        st = st ? st : cust_buf_putc(&f->data, '\n');
        free(text);
        file_hash(f);
        snprintf(x->manifest_sha256, sizeof(x->manifest_sha256), "%s", f->sha256);
    }
    /* signed with the ledger's checkpoint key when there is one */
    if (st == CUST_OK && o->key_path && *o->key_path)
        st = sign_manifest(x, o->key_path, from, to, tree_size, root_b64, err);
    /* the export is itself a record: one ledger entry naming the manifest */
    if (st == CUST_OK) {
        char oid[32];
        snprintf(oid, sizeof(oid), "%s..%s", from, to);
        json_t *d =
            json_pack("{s:s,s:s,s:s,s:I,s:I,s:I,s:s,s:b}", "from", from, "to", to,
                      "manifest_sha256", x->manifest_sha256, "files", (json_int_t)x->nfiles,
                      "requests", (json_int_t)x->requests, "persons", (json_int_t)x->persons,
                      "redaction_list", REDACTION_LIST, "signed", x->is_signed);
        char *dt = json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER);
        json_decref(d);
        struct cust_ledger_entry e = {o->actor && *o->actor ? o->actor : "cli",
                                      o->role && *o->role ? o->role : "cli",
                                      "export",
                                      "cpra",
                                      oid,
                                      "ok",
                                      "public-records export (Gov. Code 7283.1(c))",
                                      dt};
        st = cust_ledger_append(s, &e, err);
        free(dt);
    }
    free(al.ids);
    rp_set_free(&set);
    if (st != CUST_OK)
        cust_cpra_free(x);
    return st;
}

/* ---- writing -------------------------------------------------------------------------------- */

enum cust_status cust_cpra_write_dir(const struct cust_cpra *c, const char *dir,
                                     struct cust_err *err)
{
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return cust_err_set(err, CUST_EIO, "cannot create '%s': %s", dir, strerror(errno));
    for (size_t i = 0; i < c->nfiles; i++) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, c->files[i].name);
        if (access(path, F_OK) == 0)
            return cust_err_set(err, CUST_ECONFLICT,
                                "'%s' exists: an export goes into a new or empty folder", path);
    }
    for (size_t i = 0; i < c->nfiles; i++) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, c->files[i].name);
        FILE *f = fopen(path, "wbx");
        if (!f)
            return cust_err_set(err, CUST_EIO, "cannot write '%s': %s", path, strerror(errno));
        size_t n = c->files[i].data.len;
        bool ok = fwrite(n ? c->files[i].data.buf : "", 1, n, f) == n;
        ok = fflush(f) == 0 && ok;
        ok = fsync(fileno(f)) == 0 && ok;
        if (fclose(f) != 0 || !ok)
            return cust_err_set(err, CUST_EIO, "cannot write '%s'", path);
    }
    return CUST_OK;
}

struct tar_sink {
    struct cust_buf *out;
    enum cust_status st;
};

static la_ssize_t tar_write(struct archive *a, void *arg, const void *data, size_t n)
{
    (void)a;
    struct tar_sink *t = arg;
    if (t->st == CUST_OK)
        t->st = cust_buf_append(t->out, data, n);
    return t->st == CUST_OK ? (la_ssize_t)n : -1;
}

enum cust_status cust_cpra_write_tar(const struct cust_cpra *c, const char *folder,
                                     struct cust_buf *out, struct cust_err *err)
{
    struct archive *a = archive_write_new();
    struct tar_sink sink = {out, CUST_OK};
    if (!a || archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
        archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK ||
        archive_write_open(a, &sink, NULL, tar_write, NULL) != ARCHIVE_OK) {
        enum cust_status st =
            cust_err_set(err, CUST_EIO, "tar: %s", a ? archive_error_string(a) : "out of memory");
        archive_write_free(a);
        return st;
    }
    enum cust_status st = CUST_OK;
    time_t now = (time_t)cust_now();
    for (size_t i = 0; st == CUST_OK && i < c->nfiles; i++) {
        struct archive_entry *e = archive_entry_new();
        char path[512];
        snprintf(path, sizeof(path), "%s/%s", folder, c->files[i].name);
        archive_entry_set_pathname(e, path);
        archive_entry_set_size(e, (la_int64_t)c->files[i].data.len);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_entry_set_mtime(e, now, 0);
        if (archive_write_header(a, e) != ARCHIVE_OK ||
            (c->files[i].data.len &&
             archive_write_data(a, c->files[i].data.buf, c->files[i].data.len) < 0))
            st = cust_err_set(err, CUST_EIO, "tar: %s", archive_error_string(a));
        archive_entry_free(e);
    }
    if (archive_write_close(a) != ARCHIVE_OK && st == CUST_OK)
        st = cust_err_set(err, CUST_EIO, "tar: %s", archive_error_string(a));
    archive_write_free(a);
    if (st == CUST_OK && sink.st != CUST_OK)
        st = cust_err_set(err, sink.st, "tar: out of memory");
    return st;
}

/* ---- checking an export ---------------------------------------------------------------------- */

static enum cust_status file_sha(const char *path, char hex[65], int64_t *size,
                                 struct cust_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return cust_err_set(err, CUST_EINTEGRITY, "'%s' is missing", path);
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    unsigned char chunk[65536], dig[crypto_hash_sha256_BYTES];
    size_t n;
    *size = 0;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        crypto_hash_sha256_update(&h, chunk, n);
        *size += (int64_t)n;
    }
    bool bad = ferror(f);
    fclose(f);
    if (bad)
        return cust_err_set(err, CUST_EIO, "cannot read '%s'", path);
    crypto_hash_sha256_final(&h, dig);
    sodium_bin2hex(hex, 65, dig, sizeof(dig));
    return CUST_OK;
}

static bool listed(const json_t *files, const char *name)
{
    size_t i;
    json_t *f;
    json_array_foreach(files, i, f)
    {
        const char *n = json_string_value(json_object_get(f, "name"));
        if (n && strcmp(n, name) == 0)
            return true;
    }
    return false;
}

enum cust_status cust_cpra_verify(const char *dir, const struct cust_note_verifier *v,
                                  struct cust_cpra_check *out, struct cust_err *err)
{
    memset(out, 0, sizeof(*out));
    if (sodium_init() < 0)
        return cust_err_set(err, CUST_EINVAL, "libsodium failed to initialise");
    char path[4096];
    snprintf(path, sizeof(path), "%s/MANIFEST.json", dir);
    int64_t size;
    enum cust_status st = file_sha(path, out->manifest_sha256, &size, err);
    if (st != CUST_OK)
        return st;
    json_error_t je;
    json_t *m = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    json_t *files = json_object_get(m, "files");
    if (!json_is_array(files)) {
        json_decref(m);
        return cust_err_set(err, CUST_EINTEGRITY, "%s: not an export manifest", path);
    }
    size_t i;
    json_t *f;
    json_array_foreach(files, i, f)
    {
        const char *name = json_string_value(json_object_get(f, "name"));
        const char *want = json_string_value(json_object_get(f, "sha256"));
        if (!name || !want || strchr(name, '/') || name[0] == '.') {
            st = cust_err_set(err, CUST_EINTEGRITY, "MANIFEST.json: files[%zu]: bad entry", i);
            break;
        }
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        char hex[65];
        if ((st = file_sha(path, hex, &size, err)) != CUST_OK)
            break;
        if (strcmp(hex, want) != 0 || size != json_integer_value(json_object_get(f, "bytes"))) {
            st = cust_err_set(err, CUST_EINTEGRITY,
                              "%s: its SHA-256 or size differs from the manifest's", name);
            break;
        }
        out->files++;
    }
    /* nothing besides the listed files, the manifest and its signature */
    DIR *d = st == CUST_OK ? opendir(dir) : NULL;
    struct dirent *e;
    while (d && st == CUST_OK && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
            strcmp(e->d_name, "MANIFEST.json") == 0 || strcmp(e->d_name, "MANIFEST.json.sig") == 0)
            continue;
        if (!listed(files, e->d_name))
            st = cust_err_set(err, CUST_EINTEGRITY, "%s is not in the manifest", e->d_name);
    }
    if (d)
        closedir(d);
    json_decref(m);
    if (st != CUST_OK)
        return st;
    snprintf(path, sizeof(path), "%s/MANIFEST.json.sig", dir);
    if (access(path, F_OK) != 0)
        return v ? cust_err_set(err, CUST_EINTEGRITY, "the export is not signed") : CUST_OK;
    out->is_signed = true;
    char *data = NULL;
    size_t len = 0;
    if ((st = cust_tlog_read_file(path, 65536, &data, &len, err)) != CUST_OK)
        return st;
    struct cust_note note;
    st = cust_note_open(data, len, v, &note, err);
    free(data);
    if (st == CUST_EINVAL)
        return cust_err_set(err, CUST_EINTEGRITY, "MANIFEST.json.sig: not a signed note");
    if (st != CUST_OK)
        return st;
    out->verified = note.verified;
    /* the note's text names this manifest */
    char want[128];
    snprintf(want, sizeof(want), "\nMANIFEST.json %s\n", out->manifest_sha256);
    if (strncmp(note.text, "custodian-cpra-export\n", 22) != 0 || !strstr(note.text, want))
        st = cust_err_set(err, CUST_EINTEGRITY,
                          "MANIFEST.json.sig signs another manifest than this one");
    const char *lg = strstr(note.text, "\nledger ");
    if (st == CUST_OK && lg)
        out->tree_size = strtoull(lg + 8, NULL, 10);
    if (v)
        snprintf(out->signer, sizeof(out->signer), "%s", v->name);
    cust_note_release(&note);
    return st;
}
