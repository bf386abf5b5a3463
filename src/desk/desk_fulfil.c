/*
 * desk_fulfil.c - answering a data request with what the law allows (desk.h,
 * shared/spec/requests.md "Data requests").
 *
 * Each person in scope is decided on their own record; an item is given only when its verdict
 * is permitted or required, otherwise it is left out of the row and listed under "withheld"
 * with the citation of the rule that withheld it. The whole answer is built in memory, recorded
 * (disclosures, duties, the response document, the status) in one transaction, and written to
 * `out` (and synced) just before that transaction commits: a commit that fails leaves an answer
 * the caller discards, never a recorded fulfilment whose answer did not reach `out`.
 */
#include "custodian/compat.h"
#include "custodian/date.h"
#include "custodian/file.h"
#include "custodian/records.h"
#include "custodian/tlog.h"
#include "desk_internal.h"

#include <errno.h>
#include <inttypes.h>

#include <sodium.h>

static void ignore(enum cust_status st)
{
    (void)st;
}

static int out_cb(const char *buf, size_t size, void *data)
{
    return cust_buf_append(data, buf, size) == CUST_OK ? 0 : -1;
}

/* A value kept as the source gave it (compact JSON), written as jansson writes the value it
 * reads (null when there is none or it does not read). */
static enum cust_status raw_json(struct cust_buf *out, const char *text)
{
    json_t *v = text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;
    if (!v)
        return cust_buf_puts(out, "null");
    int rc = json_dump_callback(v, out_cb, out, JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(v);
    return rc == 0 ? cust_buf_status(out) : CUST_ENOMEM;
}

/* The value of one item from a booking (as records read it) and the person's whole record `w`
 * (convictions) written as JSON text into `out` (null when it has none): the bytes jansson's
 * compact dump of the same value gives (tests/unit/test_desk test_fulfil_rows_as_jansson). */
static enum cust_status item_write(struct cust_buf *out, const struct cust_booking *b,
                                   const struct desk_whole *w, unsigned item)
{
    const struct cust_person *person = &b->person;
    switch (item) {
    case CUST_ITEM_BOOKING_FACTS: {
        int64_t bail = 0;
        bool any = false;
        for (size_t i = 0; i < b->n_charges; i++)
            if (b->charges[i].bail_cents >= 0) {
                bail += b->charges[i].bail_cents;
                any = true;
            }
        cust_buf_puts(out, "{\"booked_at\":");
        cust_buf_json_str(out, b->booked_at);
        cust_buf_puts(out, ",\"facility\":");
        cust_buf_json_str(out, b->facility);
        cust_buf_puts(out, ",\"arresting_agency\":");
        cust_buf_json_str(out, b->arresting_agency);
        if (any)
            return cust_buf_appendf(out, ",\"bail_cents\":%" PRId64 "}", bail);
        return cust_buf_puts(out, ",\"bail_cents\":null}");
    }
    case CUST_ITEM_CHARGES:
        cust_buf_putc(out, '[');
        for (size_t i = 0; i < b->n_charges; i++) {
            const struct cust_charge *c = &b->charges[i];
            cust_buf_puts(out, i ? ",{\"code\":" : "{\"code\":");
            cust_buf_json_str(out, c->code);
            cust_buf_puts(out, ",\"description\":");
            cust_buf_json_str(out, c->description);
            cust_buf_puts(out, ",\"level\":");
            cust_buf_json_str(out, c->level);
            cust_buf_puts(out, ",\"status\":");
            cust_buf_json_str(out, c->status);
            cust_buf_putc(out, '}');
        }
        return cust_buf_putc(out, ']');
    case CUST_ITEM_CONVICTIONS:
        /* every booking's: prior convictions and convicted charges, with dates and bookings */
        return desk_whole_convictions_write(w, out);
    case CUST_ITEM_CITIZENSHIP:
        return cust_buf_json_str(out, person->has_citizenship && person->citizenship.status
                                          ? person->citizenship.status
                                          : "unknown");
    case CUST_ITEM_IMMIGRATION_STATUS:
        return cust_buf_json_str(out, person->immigration_status);
    case CUST_ITEM_RELEASE_DATE:
        return cust_buf_json_str(out, b->scheduled_release);
    case CUST_ITEM_HOME_ADDRESS:
        return cust_buf_json_str(out, person->home_address);
    case CUST_ITEM_WORK_ADDRESS:
        return raw_json(out, person->work_address_json);
    case CUST_ITEM_CONTACT_INFO:
        return raw_json(out, person->contact_info_json);
    default:
        return cust_buf_puts(out, "null");
    }
}

static json_t *cite_text(const json_t *entry)
{
    char *t = desk_cite_join(json_object_get(entry, "cite"));
    json_t *s = json_string(t ? t : "no verdict");
    free(t);
    return s;
}

/* One distinct decision of a fulfilment: decisions with the same JSON share one entry and one
 * stored row. What the rows need from it is worked out once. */
struct dec_entry {
    json_t *dec;         /* the decision JSON */
    int64_t id;          /* its row in `decisions` */
    unsigned given;      /* items given (request item bits) */
    json_t *withheld;    /* item -> citation text, items withheld (the JSON answer's) */
    json_t *why;         /* item -> "rule, citation", items withheld (the CSV's, the summary's) */
    int64_t rows;        /* persons in scope given this decision */
    char *given_text;    /* JSON array of the items given */
    char *withheld_text; /* JSON array of the items withheld */
    char *withheld_json; /* `withheld` as the JSON answer's rows write it */
    int nwithheld;
    /* the duties it makes when a release date is given ("when": notify_given), in its order:
     * the duty and its citations as the duty row keeps them */
    struct {
        const char *duty; /* in `dec` */
        char *cite_text;
    } notify[8];
    int nnotify;
};

/*
 * The detail of a notice duty made at fulfilment, as the text the duty row keeps: the id of the
 * decision the row was given under, then what is the person's - name, booking, attorney of
 * record, the day it was given, the release date, and each item given with its plain value
 * (desk_plain_item, convictions from the whole record `w`). The values the decision gives every
 * notice of it (the request's, the verdicts', each item's rule and citation) are the decision's,
 * kept once with it and worked out when the notice is rendered (desk_duties.c duty_vars).
 */
static enum cust_status notice_detail(struct cust_buf *o, struct cust_buf *v,
                                      const struct cust_booking *b, const struct desk_whole *w,
                                      const struct dec_entry *e, const char *name,
                                      const char *today)
{
    cust_buf_reset(o);
    cust_buf_appendf(o, "{\"decision\":%" PRId64 ",\"subject_name\":", e->id);
    cust_buf_json_str(o, name);
    cust_buf_puts(o, ",\"booking_number\":");
    cust_buf_json_str(o, b->booking_number);
    if (b->attorney) {
        cust_buf_puts(o, ",\"attorney_name\":");
        cust_buf_json_str(o, b->attorney);
    }
    cust_buf_puts(o, ",\"disclosed_date\":");
    cust_buf_json_str(o, today);
    cust_buf_puts(o, ",\"release_info\":");
    cust_buf_json_str(o, b->scheduled_release);
    cust_buf_puts(o, ",\"given\":[");
    bool first = true;
    for (int i = 0; i < CUST_ITEM_COUNT; i++) {
        unsigned bit = 1u << i;
        if (!(e->given & bit))
            continue;
        cust_buf_reset(v);
        enum cust_status st = desk_plain_item(v, b, w, bit);
        cust_buf_puts(o, first ? "{\"item\":" : ",{\"item\":");
        first = false;
        cust_buf_json_str(o, cust_request_item_name(bit));
        cust_buf_puts(o, ",\"value\":");
        cust_buf_json_str(o, st == CUST_OK && v->len ? v->buf : "none");
        cust_buf_putc(o, '}');
    }
    return cust_buf_puts(o, "]}");
}

struct fulfil {
    struct cust_desk *d;
    struct desk_req *q;
    enum cust_desk_format fmt;
    int32_t as_of;
    struct cust_buf out;
    struct cust_desk_fulfil_stats *stats;
    struct cust_err *err;
    bool first;
    char at[32];            /* when the rows were given (one instant per fulfilment) */
    struct cust_buf key;    /* the current record's case key */
    json_t *by_case;        /* case key -> index in decs */
    struct cust_buf fp;     /* the current decision's canonical walk */
    struct cust_buf cell;   /* one CSV value being written */
    struct cust_buf detail; /* a notice duty's detail being written */
    json_t *by_dec;         /* canonical decision JSON -> index in decs */
    struct dec_entry *decs; /* distinct decisions */
    size_t ndecs, cap;
    crypto_hash_sha256_state set; /* over the disclosure row hashes, in order */
    int64_t ndisc;                /* disclosure rows written */
    /* the days the policy compares a conviction's date with (cust_policy_date_cuts): dates
     * between the same two are one case shape, decided once */
    int32_t *cuts;
    size_t ncuts;
    /* the whole records of persons with more than one booking, read once (desk_whole.c) */
    struct desk_whole *wholes;
    size_t nwholes, capwholes;
    int64_t *whole_person;  /* person id of wholes[i], ascending */
    struct desk_ids duties; /* the notice duties made, recorded under one entry (log_duties) */
};

static enum cust_status on_other_booking(const struct cust_record *rec, int64_t person_id,
                                         void *arg)
{
    struct fulfil *f = arg;
    if (rec->b.booked_day > f->as_of)
        return CUST_OK; /* not part of the record on the scope's day */
    if (f->nwholes == 0 || f->whole_person[f->nwholes - 1] != person_id) {
        if (f->nwholes == f->capwholes) {
            f->capwholes = f->capwholes ? f->capwholes * 2 : 64;
            f->wholes = cust_xrealloc(f->wholes, f->capwholes * sizeof(*f->wholes));
            f->whole_person =
                cust_xrealloc(f->whole_person, f->capwholes * sizeof(*f->whole_person));
        }
        desk_whole_init(&f->wholes[f->nwholes]);
        f->whole_person[f->nwholes++] = person_id;
    }
    desk_whole_add(&f->wholes[f->nwholes - 1], &rec->b, f->as_of);
    return CUST_OK;
}

/* The whole record of a person with more than one booking, or NULL. */
static const struct desk_whole *whole_of(const struct fulfil *f, int64_t person_id)
{
    size_t lo = 0, hi = f->nwholes;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (f->whole_person[mid] < person_id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < f->nwholes && f->whole_person[lo] == person_id ? &f->wholes[lo] : NULL;
}

static void fulfil_free(struct fulfil *f)
{
    for (size_t i = 0; i < f->ndecs; i++) {
        struct dec_entry *e = &f->decs[i];
        json_decref(e->dec);
        json_decref(e->withheld);
        json_decref(e->why);
        free(e->given_text);
        free(e->withheld_text);
        free(e->withheld_json);
        for (int k = 0; k < e->nnotify; k++)
            free(e->notify[k].cite_text);
    }
    free(f->decs);
    free(f->cuts);
    for (size_t i = 0; i < f->nwholes; i++)
        desk_whole_release(&f->wholes[i]);
    free(f->wholes);
    free(f->whole_person);
    free(f->duties.v);
    cust_buf_release(&f->key);
    cust_buf_release(&f->fp);
    cust_buf_release(&f->cell);
    cust_buf_release(&f->detail);
    json_decref(f->by_case);
    json_decref(f->by_dec);
}

static void fp_len(struct cust_buf *b, uint64_t n)
{
    unsigned char x[8];
    for (int i = 0; i < 8; i++)
        x[i] = (unsigned char)(n >> (56 - 8 * i));
    ignore(cust_buf_append(b, x, sizeof(x)));
}

/* A canonical walk of a JSON value into `b`: its type, then (length-prefixed) its contents; an
 * object's members in their order. Equal walks, equal JSON text as the engine wrote it, without
 * formatting the text. */
static void fp_walk(struct cust_buf *b, const json_t *v)
{
    ignore(cust_buf_putc(b, (char)('0' + json_typeof(v))));
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        const char *k;
        size_t klen;
        json_t *x;
        fp_len(b, json_object_size(v));
        json_object_keylen_foreach((json_t *)v, k, klen, x)
        {
            fp_len(b, klen);
            ignore(cust_buf_append(b, k, klen));
            fp_walk(b, x);
        }
        break;
    }
    case JSON_ARRAY: {
        size_t i;
        json_t *x;
        fp_len(b, json_array_size(v));
        json_array_foreach(v, i, x) fp_walk(b, x);
        break;
    }
    case JSON_STRING:
        fp_len(b, json_string_length(v));
        ignore(cust_buf_append(b, json_string_value(v), json_string_length(v)));
        break;
    case JSON_INTEGER:
        fp_len(b, (uint64_t)json_integer_value(v));
        break;
    case JSON_REAL: {
        double d = json_real_value(v);
        ignore(cust_buf_append(b, &d, sizeof(d)));
        break;
    }
    default:
        break;
    }
}

/* Keep a new distinct decision (steals `dec`): store it once, work out what it gives. */
static enum cust_status add_decision(struct fulfil *f, json_t *dec, const struct cust_buf *fp,
                                     size_t *ix)
{
    struct cust_desk *d = f->d;
    const struct cust_request *rq = &f->q->r;
    json_t *p = json_object_get(dec, "policy");
    if (!json_string_value(json_object_get(p, "id")) ||
        !json_string_value(json_object_get(p, "version")) ||
        !json_string_value(json_object_get(p, "sha256"))) {
        json_decref(dec);
        return cust_err_set(f->err, CUST_EINTEGRITY, "decision without policy id, version, sha256");
    }
    int64_t id = 0;
    enum cust_status st = desk_store_decision(d, f->q, 0, NULL, dec, &id, f->err);
    if (st != CUST_OK) {
        json_decref(dec);
        return st;
    }
    if (f->ndecs == f->cap) {
        f->cap = f->cap ? 2 * f->cap : 16;
        f->decs = cust_xrealloc(f->decs, f->cap * sizeof(*f->decs));
    }
    struct dec_entry *e = &f->decs[f->ndecs];
    memset(e, 0, sizeof(*e));
    e->dec = dec;
    e->id = id;
    e->withheld = json_object();
    e->why = json_object();
    json_t *given = json_array(), *withheld_names = json_array();
    json_t *disclose = json_object_get(dec, "disclose");
    for (int i = 0; i < CUST_ITEM_COUNT; i++) {
        unsigned bit = 1u << i;
        if (!(rq->items & bit))
            continue;
        const char *name = cust_request_item_name(bit);
        json_t *x = json_object_get(disclose, name);
        const char *v = json_string_value(json_object_get(x, "verdict"));
        if (v && (strcmp(v, "permitted") == 0 || strcmp(v, "required") == 0)) {
            e->given |= bit;
            json_array_append_new(given, json_string(name));
        } else {
            json_object_set_new(e->withheld, name, cite_text(x));
            char *why = desk_rule_cite(x);
            json_object_set_new(e->why, name, json_string(why));
            free(why);
            json_array_append_new(withheld_names, json_string(name));
            e->nwithheld++;
        }
    }
    e->given_text = json_dumps(given, JSON_COMPACT);
    e->withheld_text = json_dumps(withheld_names, JSON_COMPACT);
    e->withheld_json = json_dumps(e->withheld, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(given);
    json_decref(withheld_names);
    /* the duties a release date given triggers (desk_duties_from_decision_ex's "notify_given") */
    size_t k;
    json_t *x;
    json_array_foreach(json_object_get(dec, "duties"), k, x)
    {
        const char *duty = json_string_value(json_object_get(x, "duty"));
        const char *when = duty ? cust_desk_duty_trigger(d->env, x) : NULL;
        if (!when || strcmp(when, "notify_given") != 0)
            continue;
        if (e->nnotify == (int)CUST_ARRAY_LEN(e->notify)) {
            f->ndecs++; /* kept, to be freed with the others */
            return cust_err_set(f->err, CUST_EINVAL, "decision #%lld: more than %d notice duties",
                                (long long)id, (int)CUST_ARRAY_LEN(e->notify));
        }
        json_t *cite = json_object_get(x, "cite");
        e->notify[e->nnotify].duty = duty;
        e->notify[e->nnotify++].cite_text = cite ? json_dumps(cite, JSON_COMPACT) : NULL;
    }
    json_object_setn_new_nocheck(f->by_dec, fp->buf ? fp->buf : "", fp->len,
                                 json_integer((json_int_t)f->ndecs));
    *ix = f->ndecs++;
    return CUST_OK;
}

/*
 * The decision for a record: looked up by the case key (desk_whole_key: every fact of the
 * record the case is built from, with the request fields fixed for the fulfilment, so equal
 * keys give equal cases and equal decisions), decided on a miss. Equal decisions share one
 * stored row whether or not the case was cached.
 */
static enum cust_status decision_for(struct fulfil *f, const struct cust_booking *b,
                                     const struct desk_whole *w, size_t *ix)
{
    struct cust_desk *d = f->d;
    const struct cust_request *rq = &f->q->r;
    if (!d->no_decision_cache) {
        f->key.len = 0;
        desk_whole_key(w, b, f->cuts, f->ncuts, &f->key);
        json_t *hit = json_object_getn(f->by_case, f->key.buf ? f->key.buf : "", f->key.len);
        if (hit) {
            *ix = (size_t)json_integer_value(hit);
            return CUST_OK;
        }
    }
    json_t *c = desk_case_whole(w, b, d->env->jurisdiction, f->as_of,
                                cust_request_kind_name(rq->kind), 0, rq->items);
    /* a scope is a population request (decide.md request.population; 7284.6(b)(2)) */
    json_object_set_new(json_object_get(c, "request"), "population", json_true());
    json_t *dec = NULL;
    /* in bulk: no trace (the rows cite each withheld item's rule) */
    enum cust_status st = desk_decide_case(d, c, 0, &dec, f->err);
    json_decref(c);
    f->stats->decided += st == CUST_OK;
    /* equal decisions by a fingerprint of their JSON (the engine writes keys in a fixed order) */
    if (st == CUST_OK) {
        f->fp.len = 0;
        fp_walk(&f->fp, dec);
        json_t *same = json_object_getn(f->by_dec, f->fp.buf ? f->fp.buf : "", f->fp.len);
        if (same) {
            *ix = (size_t)json_integer_value(same);
            json_decref(dec);
        } else {
            st = add_decision(f, dec, &f->fp, ix);
        }
        dec = NULL;
    }
    json_decref(dec);
    if (st == CUST_OK && !d->no_decision_cache)
        json_object_setn_new_nocheck(f->by_case, f->key.buf ? f->key.buf : "", f->key.len,
                                     json_integer((json_int_t)*ix));
    return st;
}

static enum cust_status csv_header(struct fulfil *f)
{
    enum cust_status st = cust_buf_puts(&f->out, "booking_number,last_name,first_name,dob");
    for (int i = 0; st == CUST_OK && i < CUST_ITEM_COUNT; i++)
        if (f->q->r.items & (1u << i))
            st = cust_buf_appendf(&f->out, ",%s,%s_withheld", cust_request_item_name(1u << i),
                                  cust_request_item_name(1u << i));
    if (st == CUST_OK)
        st = cust_buf_puts(&f->out, "\r\n");
    return st;
}

/* A field, empty when NULL. */
static enum cust_status csv_str(struct cust_buf *b, const char *s)
{
    enum cust_status st = cust_buf_putc(b, ',');
    return st == CUST_OK && s ? cust_buf_csv_field(b, s) : st;
}

/* One CSV row: who, then per item its plain value (or "withheld") and why it was withheld. */
static enum cust_status csv_row(struct fulfil *f, const struct cust_booking *b,
                                const struct desk_whole *w, const struct dec_entry *e)
{
    const struct cust_person *p = &b->person;
    enum cust_status st = cust_buf_csv_field(&f->out, b->booking_number);
    if (st == CUST_OK)
        st = csv_str(&f->out, p->last_name);
    if (st == CUST_OK)
        st = csv_str(&f->out, p->first_name);
    if (st == CUST_OK)
        st = csv_str(&f->out, p->dob);
    for (int i = 0; st == CUST_OK && i < CUST_ITEM_COUNT; i++) {
        unsigned bit = 1u << i;
        if (!(f->q->r.items & bit))
            continue;
        const char *why = json_string_value(json_object_get(e->why, cust_request_item_name(bit)));
        if (e->given & bit) {
            f->cell.len = 0;
            st = desk_plain_item(&f->cell, b, w, bit);
            if (st == CUST_OK)
                st = csv_str(&f->out, f->cell.buf ? f->cell.buf : "");
        } else {
            st = csv_str(&f->out, "withheld");
        }
        if (st == CUST_OK)
            st = csv_str(&f->out, why);
    }
    return st == CUST_OK ? cust_buf_puts(&f->out, "\r\n") : st;
}

/* Record the row given as a disclosure and add its hash to the fulfilment's set. */
static enum cust_status disclose(struct fulfil *f, const struct cust_booking *b, int64_t person_id,
                                 const struct dec_entry *e)
{
    struct cust_disclosure_row x = {.request_id = f->q->id,
                                    .ord = f->ndisc,
                                    .person_id = person_id,
                                    .booking_number = b->booking_number,
                                    .items = e->given_text,
                                    .withheld = e->withheld_text,
                                    .recipient = f->q->r.agency,
                                    .office = f->q->r.office,
                                    .at = f->at,
                                    .decision_id = e->id};
    char hex[65];
    unsigned char h[crypto_hash_sha256_BYTES];
    cust_desk_disclosure_hash(&x, h);
    sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
    x.row_hash = hex;
    enum cust_status st = cust_store_disclosure_put(f->d->store, &x, f->err);
    if (st == CUST_OK) {
        crypto_hash_sha256_update(&f->set, h, sizeof(h));
        f->ndisc++;
    }
    return st;
}

/* One row of the JSON answer written as text (no tree per row): who, each item given, and the
 * items withheld with their citations - the bytes jansson's compact dump of the same object
 * gives (tests/unit/test_desk test_fulfil_rows_as_jansson). */
static enum cust_status row_json(struct fulfil *f, const struct cust_booking *b,
                                 const struct desk_whole *w, const struct dec_entry *e)
{
    const struct cust_person *p = &b->person;
    struct cust_buf *o = &f->out;
    cust_buf_puts(o, f->first ? "\n  {\"booking_number\":" : ",\n  {\"booking_number\":");
    cust_buf_json_str(o, b->booking_number);
    cust_buf_puts(o, ",\"last_name\":");
    cust_buf_json_str(o, p->last_name);
    cust_buf_puts(o, ",\"first_name\":");
    cust_buf_json_str(o, p->first_name);
    cust_buf_puts(o, ",\"dob\":");
    enum cust_status st = cust_buf_json_str(o, p->dob);
    for (int i = 0; st == CUST_OK && i < CUST_ITEM_COUNT; i++) {
        unsigned bit = 1u << i;
        if (!(e->given & bit))
            continue;
        cust_buf_puts(o, ",\"");
        cust_buf_puts(o, cust_request_item_name(bit));
        cust_buf_puts(o, "\":");
        st = item_write(o, b, w, bit);
    }
    cust_buf_puts(o, ",\"withheld\":");
    cust_buf_puts(o, e->withheld_json ? e->withheld_json : "{}");
    return cust_buf_putc(o, '}');
}

static enum cust_status on_scope(const struct cust_record *rec, int64_t person_id, void *arg)
{
    struct fulfil *f = arg;
    struct cust_desk *d = f->d;
    const struct cust_booking *b = &rec->b;
    /* the person's whole record: read before for a person with other bookings, else this one */
    struct desk_whole one;
    const struct desk_whole *w = whole_of(f, person_id);
    desk_whole_init(&one);
    if (!w) {
        desk_whole_add(&one, b, f->as_of);
        w = &one;
    }
    size_t ix = 0;
    enum cust_status st = decision_for(f, b, w, &ix);
    if (st != CUST_OK) {
        desk_whole_release(&one);
        return st;
    }
    struct dec_entry *e = &f->decs[ix];
    e->rows++;
    const struct cust_person *person = &b->person;
    /* a notice to the person when their release date is given */
    bool release_given = (e->given & CUST_ITEM_RELEASE_DATE) && b->scheduled_release;
    f->stats->withheld += e->nwithheld;
    f->stats->rows++;
    if (e->given) {
        f->stats->given++;
        st = disclose(f, b, person_id, e);
        if (st == CUST_OK && release_given) {
            char today[11];
            cust_date_format(cust_today(), today);
            const char *fn = person->first_name, *ln = person->last_name;
            char name[256];
            snprintf(name, sizeof(name), "%s%s%s", fn ? fn : "", fn && ln ? " " : "", ln ? ln : "");
            if (e->nnotify)
                st = notice_detail(&f->detail, &f->cell, b, w, e, name, today);
            for (int k = 0; st == CUST_OK && k < e->nnotify; k++) {
                int64_t did = 0;
                st = desk_duty_create_text(d, f->q, person_id, b->booking_number, e->notify[k].duty,
                                           e->notify[k].cite_text, f->detail.buf, DESK_DUTY_BATCHED,
                                           &did, f->err);
                if (st == CUST_OK)
                    desk_ids_add(&f->duties, did);
                f->stats->duties += st == CUST_OK;
            }
        }
    }
    if (st == CUST_OK && f->fmt == CUST_DESK_JSON)
        st = row_json(f, b, w, e);
    else if (st == CUST_OK)
        st = csv_row(f, b, w, e);
    desk_whole_release(&one);
    if (st == CUST_ENOMEM || st == CUST_ETOOBIG)
        st = cust_err_set(f->err, st, "the response does not fit in memory");
    f->first = false;
    return st;
}

/* One item's line of the summary: persons given it, withheld it, and why (reason -> persons). */
static json_t *summary_item(const struct fulfil *f, unsigned bit)
{
    const char *name = cust_request_item_name(bit);
    json_int_t given = 0, withheld = 0;
    json_t *by = json_object(), *arr = json_array();
    for (size_t i = 0; i < f->ndecs; i++) {
        const struct dec_entry *e = &f->decs[i];
        if (e->given & bit) {
            given += e->rows;
            continue;
        }
        withheld += e->rows;
        const char *why = json_string_value(json_object_get(e->why, name));
        json_t *n = json_object_get(by, why ? why : "?");
        json_object_set_new(by, why ? why : "?",
                            json_integer(json_integer_value(n) + (json_int_t)e->rows));
    }
    const char *k;
    json_t *n;
    json_object_foreach(by, k, n)
    {
        if (json_integer_value(n) > 0)
            json_array_append_new(arr, json_pack("{s:s,s:O}", "reason", k, "persons", n));
    }
    json_decref(by);
    return json_pack("{s:s,s:I,s:I,s:o}", "item", name, "given", given, "withheld", withheld,
                     "withheld_by", arr);
}

/* The decisions grouped by outcome (the items given, and each withheld one's reason), the
 * largest group first. */
static json_t *summary_outcomes(const struct fulfil *f)
{
    json_t *by_key = json_object(), *groups = json_array();
    for (size_t i = 0; i < f->ndecs; i++) {
        const struct dec_entry *e = &f->decs[i];
        if (e->rows == 0)
            continue;
        char *why = json_dumps(e->why, JSON_COMPACT | JSON_SORT_KEYS);
        char key[64];
        snprintf(key, sizeof(key), "%u:", e->given);
        struct cust_buf kb = CUST_BUF_INIT;
        (void)cust_buf_puts(&kb, key);
        (void)cust_buf_puts(&kb, why ? why : "");
        free(why);
        json_t *g = json_object_get(by_key, kb.buf ? kb.buf : "");
        if (!g) {
            g = json_pack("{s:I,s:o,s:O,s:[]}", "persons", (json_int_t)0, "given",
                          desk_flag_names(e->given, true), "withheld", e->why, "decisions");
            json_object_set_new(by_key, kb.buf ? kb.buf : "", g);
            json_array_append(groups, g);
        }
        cust_buf_release(&kb);
        json_object_set_new(
            g, "persons",
            json_integer(json_integer_value(json_object_get(g, "persons")) + (json_int_t)e->rows));
        json_array_append_new(json_object_get(g, "decisions"), json_integer(e->id));
    }
    json_decref(by_key);
    /* largest first (a handful of groups: insertion sort) */
    size_t n = json_array_size(groups);
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0; j--) {
            json_t *a = json_array_get(groups, j - 1), *b = json_array_get(groups, j);
            if (json_integer_value(json_object_get(a, "persons")) >=
                json_integer_value(json_object_get(b, "persons")))
                break;
            json_incref(a);
            json_array_set(groups, j - 1, b);
            json_array_set_new(groups, j, a);
        }
    return groups;
}

/* What the answer gave, in numbers a reader can check against it (desk.h cust_desk_summary). */
static json_t *summary_json(const struct fulfil *f, const char *format, const char *response_sha)
{
    const struct cust_desk_fulfil_stats *s = f->stats;
    char as_of[11] = "";
    if (f->as_of != CUST_NO_DAY)
        cust_date_format(f->as_of, as_of);
    json_t *items = json_array();
    for (int i = 0; i < CUST_ITEM_COUNT; i++)
        if (f->q->r.items & (1u << i))
            json_array_append_new(items, summary_item(f, 1u << i));
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:I,s:I,s:I,s:o,s:o}", "request_id", f->q->id,
                     "as_of", as_of, "at", f->at, "format", format, "response_sha256", response_sha,
                     "persons", (json_int_t)s->rows, "given", (json_int_t)s->given, "nothing_given",
                     (json_int_t)(s->rows - s->given), "duties_created", (json_int_t)s->duties,
                     "items", items, "outcomes", summary_outcomes(f));
}

/* Keep the response and its summary with the request (documents response.* and summary.json);
 * their SHA-256 in `sha` and `summary_sha`. */
static enum cust_status keep_answer(struct fulfil *f, char sha[65], char summary_sha[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    bool csv = f->fmt == CUST_DESK_CSV;
    /* nettle's SHA-256 (the ledger's), several times libsodium's portable one on ~40 MB */
    cust_tlog_sha256(f->out.buf, f->out.len, h);
    sodium_bin2hex(sha, 65, h, sizeof(h));
    enum cust_status st =
        cust_store_document_put(f->d->store, f->q->id, csv ? "response.csv" : "response.json", sha,
                                (const unsigned char *)f->out.buf, f->out.len, "response", f->err);
    json_t *sum = summary_json(f, csv ? "csv" : "json", sha);
    char *text = json_dumps(sum, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(sum);
    if (!text)
        return st == CUST_OK ? cust_err_set(f->err, CUST_ENOMEM, "out of memory") : st;
    size_t len = strlen(text);
    text = cust_xrealloc(text, len + 2);
    text[len++] = '\n';
    text[len] = '\0';
    cust_tlog_sha256(text, len, h);
    sodium_bin2hex(summary_sha, 65, h, sizeof(h));
    if (st == CUST_OK)
        st = cust_store_document_put(f->d->store, f->q->id, "summary.json", summary_sha,
                                     (const unsigned char *)text, len, "summary", f->err);
    free(text);
    return st;
}

/* The fulfilment's one "disclosure" ledger entry over every row given: count and SHA-256 of the
 * ordered row hashes. */
static enum cust_status log_batches(struct fulfil *f)
{
    const struct cust_request *rq = &f->q->r;
    enum cust_status st = CUST_OK;
    if (f->ndisc > 0) {
        unsigned char h[crypto_hash_sha256_BYTES];
        char hex[65];
        crypto_hash_sha256_final(&f->set, h);
        sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
        json_t *ids = json_array();
        for (size_t i = 0; i < f->ndecs; i++)
            json_array_append_new(ids, json_integer(f->decs[i].id));
        st = desk_log(f->d, "disclosure", "request", f->q->id, "ok", "",
                      json_pack("{s:s,s:s,s:s?,s:s,s:I,s:s,s:o}", "request_id", f->q->id, "to",
                                rq->agency, "office", rq->office, "at", f->at, "count",
                                (json_int_t)f->ndisc, "rows_sha256", hex, "decisions", ids),
                      f->err);
    }
    return st;
}

/* The fulfilment's one "duty.create" ledger entry over the notice duties it made: how many
 * and their ids (as ranges [first, last]). Each duty is a row of its own, journaled by hash
 * under the entries of this transaction like every row (docs/internals/ledger.md "Rows"). */
static enum cust_status log_duties(struct fulfil *f)
{
    const struct desk_ids *ids = &f->duties;
    if (ids->n == 0)
        return CUST_OK;
    json_t *ranges = json_array();
    for (size_t i = 0; i < ids->n;) {
        size_t j = i;
        while (j + 1 < ids->n && ids->v[j + 1] == ids->v[j] + 1)
            j++;
        json_array_append_new(ranges,
                              json_pack("[I,I]", (json_int_t)ids->v[i], (json_int_t)ids->v[j]));
        i = j + 1;
    }
    char purpose[96];
    snprintf(purpose, sizeof(purpose), "%zu notice duties of the fulfilment", ids->n);
    return desk_log(f->d, "duty.create", "request", f->q->id, "ok", purpose,
                    json_pack("{s:s,s:s,s:I,s:o}", "request_id", f->q->id, "trigger",
                              "notify_given", "count", (json_int_t)ids->n, "duty_ids", ranges),
                    f->err);
}

struct counsel {
    bool exists, done;
};

static enum cust_status on_counsel(const struct cust_duty_row *x, void *arg)
{
    struct counsel *c = arg;
    if (strcmp(x->duty, "refer_to_counsel") == 0) {
        c->exists = true;
        c->done = c->done || strcmp(x->status, "done") == 0;
    }
    return CUST_OK;
}

/* A subpoena: decide the request itself (no person), store it, create refer_to_counsel. */
static enum cust_status refer(struct cust_desk *d, struct desk_req *q, int32_t as_of,
                              struct cust_desk_fulfil_stats *stats, struct cust_err *err)
{
    json_t *c = cust_desk_case_from_booking(NULL, d->env->jurisdiction, as_of,
                                            cust_request_kind_name(q->r.kind), 0, q->r.items);
    json_t *dec = NULL;
    enum cust_status st = desk_decide_case(d, c, CUST_DECIDE_TRACE, &dec, err);
    json_decref(c);
    if (st == CUST_OK)
        st = cust_store_begin(d->store, err);
    if (st == CUST_OK) {
        int64_t did = 0;
        int made = 0;
        st = desk_store_decision(d, q, 0, NULL, dec, &did, err);
        if (st == CUST_OK)
            st = desk_duties_from_decision(d, q, 0, NULL, dec, NULL, NULL, &made, err);
        if (st == CUST_OK)
            st = desk_log(d, "request.refer", "request", q->id, "ok",
                          "administrative subpoena: not self-executing; referred to counsel",
                          json_pack("{s:I}", "duties_created", (json_int_t)made), err);
        if (st == CUST_OK && strcmp(q->status, "decided") != 0)
            st = desk_transition(d, q, "decided", "referred to counsel", err);
        if (st == CUST_OK)
            st = cust_store_commit(d->store, err);
        else
            cust_store_rollback(d->store);
        stats->duties = made;
        stats->referred = true;
    }
    json_decref(dec);
    return st;
}

enum cust_status cust_desk_fulfill(struct cust_desk *d, const char *id, enum cust_desk_format fmt,
                                   bool counsel_released, FILE *out,
                                   struct cust_desk_fulfil_stats *stats, struct cust_err *err)
{
    memset(stats, 0, sizeof(*stats));
    struct desk_req q;
    enum cust_status st = desk_req_load(d, id, &q, err);
    if (st != CUST_OK)
        return st;
    int32_t as_of = CUST_NO_DAY;
    if (!cust_request_kind_is_data_request(q.r.kind) || !q.r.has_scope)
        st = cust_err_set(err, CUST_EINVAL, "request '%s' is not a data request with a scope", id);
    else if (strcmp(q.status, "fulfilled") == 0)
        st = cust_err_set(err, CUST_ECONFLICT,
                          "request '%s' is fulfilled: a request is answered once; the response "
                          "that was sent is kept ('custodian request response %s --out FILE', "
                          "GET /console/requests/%s/response)",
                          id, id, id);
    else if (cust_desk_status_is_final(q.status))
        st = cust_err_set(err, CUST_ECONFLICT, "request '%s' is %s", id, q.status);
    else
        as_of = q.r.scope.as_of;
    if (st == CUST_OK && q.r.kind == CUST_REQ_ADMIN_SUBPOENA) {
        struct counsel cs = {false, false};
        struct cust_duty_filter flt = {.request_id = id, .open_only = false};
        st = cust_store_duties(d->store, &flt, on_counsel, &cs, err);
        if (st == CUST_OK && !counsel_released) {
            if (cs.exists)
                st = cust_err_set(err, CUST_ECONFLICT,
                                  "request '%s' is with counsel: fulfil with --counsel-released "
                                  "once counsel has released it",
                                  id);
            else
                st = refer(d, &q, as_of, stats, err);
            if (st == CUST_OK && out) {
                json_t *j = json_pack("{s:s,s:b,s:[]}", "request_id", id, "referred_to_counsel",
                                      true, "rows");
                char *t = json_dumps(j, JSON_COMPACT);
                fprintf(out, "%s\n", t);
                free(t);
                json_decref(j);
            }
            desk_req_release(&q);
            return st;
        }
        if (st == CUST_OK && !cs.done) {
            desk_log_refusal(d, id, "request.fulfill",
                             "counsel has not released the subpoena (refer_to_counsel not done)",
                             NULL);
            st = cust_err_set(err, CUST_EDENIED,
                              "request '%s': the refer_to_counsel duty is not done", id);
        }
    }
    struct fulfil f = {
        .d = d, .q = &q, .fmt = fmt, .as_of = as_of, .stats = stats, .err = err, .first = true};
    cust_buf_init(&f.out, 0);
    desk_now(f.at);
    cust_buf_init(&f.key, 0);
    cust_buf_init(&f.fp, 0);
    cust_buf_init(&f.cell, 0);
    cust_buf_init(&f.detail, 0);
    f.by_case = json_object();
    f.by_dec = json_object();
    const struct cust_policy *pol = NULL;
    if (st == CUST_OK && as_of != CUST_NO_DAY &&
        cust_policy_resolve(d->env->policies, d->env->jurisdiction, &pol, NULL) == CUST_OK)
        f.cuts = cust_policy_date_cuts(pol, as_of, &f.ncuts);
    crypto_hash_sha256_init(&f.set);
    if (st == CUST_OK)
        st = cust_store_begin(d->store, err);
    if (st == CUST_OK) {
        if (fmt == CUST_DESK_CSV)
            st = csv_header(&f);
        else
            st = cust_buf_appendf(&f.out, "{\"request_id\": \"%s\", \"rows\": [", id);
        struct cust_scope sc = {q.r.scope.as_of, q.r.scope.citizenship, q.r.scope.facility};
        /* every person in the scope with other bookings: their whole record, in one pass */
        if (st == CUST_OK)
            st = cust_records_of_scope_persons(d->store, &sc, on_other_booking, &f, err);
        if (st == CUST_OK)
            st = cust_records_in_scope(d->store, &sc, on_scope, &f, err);
        if (st == CUST_OK && fmt == CUST_DESK_JSON)
            st = cust_buf_puts(&f.out, f.first ? "]}\n" : "\n]}\n");
        if (st == CUST_OK)
            st = log_duties(&f);
        if (st == CUST_OK)
            st = log_batches(&f);
        char sha[65] = "", summary_sha[65] = "";
        if (st == CUST_OK)
            st = keep_answer(&f, sha, summary_sha);
        if (st == CUST_OK)
            st = desk_log(d, "request.fulfill", "request", id, "ok",
                          counsel_released ? "released by counsel" : "",
                          json_pack("{s:I,s:I,s:I,s:I,s:s,s:s,s:s,s:O?}", "rows",
                                    (json_int_t)stats->rows, "given", (json_int_t)stats->given,
                                    "withheld_items", (json_int_t)stats->withheld, "duties",
                                    (json_int_t)stats->duties, "response_sha256", sha,
                                    "summary_sha256", summary_sha, "to", q.r.agency, "policy",
                                    f.ndecs ? json_object_get(f.decs[0].dec, "policy") : NULL),
                          err);
        if (st == CUST_OK && strcmp(q.status, "decided") != 0)
            st = desk_transition(d, &q, "decided", "decided per person at fulfilment", err);
        if (st == CUST_OK)
            st = desk_transition(d, &q, "fulfilled", "response produced", err);
        /* the answer reaches `out` (on disk, for a file) before the fulfilment is recorded */
        if (st == CUST_OK && out && fwrite(f.out.buf, 1, f.out.len, out) != f.out.len)
            st = cust_err_set(err, CUST_EIO, "cannot write the response: %s", strerror(errno));
        if (st == CUST_OK && out)
            st = cust_file_sync(out, err);
        if (st == CUST_OK)
            st = cust_store_commit(d->store, err);
        else
            cust_store_rollback(d->store);
    }
    cust_buf_release(&f.out);
    fulfil_free(&f);
    desk_req_release(&q);
    return st;
}
