/*
 * desk_verify.c - disclosure rows and their ledger entries (desk.h, docs/internals/desk.md).
 *
 * A fulfilment writes one `disclosures` row per row given and ONE ledger entry ("disclosure",
 * object the request) carrying the row count and a SHA-256 over the rows' hashes in order, so
 * the hash chain covers every row without an entry per row. cust_desk_verify_disclosures walks
 * the rows by request and order and names the first one changed, deleted or inserted.
 */
#include "custodian/compat.h"
#include "custodian/desk.h"
#include "custodian/ledger.h"
#include "custodian/tlog.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdarg.h>

void cust_desk_disclosure_hash(const struct cust_disclosure_row *x, unsigned char out[32])
{
    /* the ledger's row encoder (ledger.h) */
    struct cust_buf b = CUST_BUF_INIT;
    cust_ledger_enc_text(&b, "custodian-disclosure-v1");
    cust_ledger_enc_text(&b, x->request_id);
    cust_ledger_enc_int(&b, x->ord);
    cust_ledger_enc_int(&b, x->person_id);
    cust_ledger_enc_text(&b, x->booking_number);
    cust_ledger_enc_text(&b, x->items);
    cust_ledger_enc_text(&b, x->withheld);
    cust_ledger_enc_text(&b, x->recipient);
    cust_ledger_enc_text(&b, x->office);
    cust_ledger_enc_text(&b, x->at);
    cust_ledger_enc_int(&b, x->decision_id);
    cust_tlog_sha256(b.buf, b.len, out);
    cust_buf_release(&b);
}

/* ---- the ledger's batch entries ---------------------------------------------------------- */

static enum cust_status on_entry(const struct cust_ledger_row *r, void *arg)
{
    json_t *batches = arg;
    if (strcmp(r->action, "disclosure") != 0 || strcmp(r->object_type, "request") != 0 ||
        !r->detail)
        return CUST_OK;
    json_t *d = json_loads(r->detail, 0, NULL);
    json_t *sha = json_object_get(d, "rows_sha256"), *count = json_object_get(d, "count");
    if (json_is_string(sha) && json_is_integer(count)) {
        json_t *prev = json_object_get(batches, r->object_id);
        if (prev) /* a request is fulfilled once: a second entry makes the set ambiguous */
            json_object_set_new(prev, "dup", json_integer(r->seq));
        else
            json_object_set_new(batches, r->object_id,
                                json_pack("{s:I,s:O,s:O,s:b}", "seq", (json_int_t)r->seq, "count",
                                          count, "sha", sha, "seen", false));
    }
    json_decref(d);
    return CUST_OK;
}

/* ---- the rows ---------------------------------------------------------------------------- */

struct vwalk {
    struct cust_desk_verify_report *rep;
    json_t *batches;
    char req[CUST_REQUEST_ID_MAX + 1];
    json_t *batch; /* of req (borrowed) */
    int64_t expect;
    crypto_hash_sha256_state set;
};

static enum cust_status bad(struct vwalk *w, int64_t id, const char *fmt, ...) CUST_PRINTF(3, 4);

static enum cust_status bad(struct vwalk *w, int64_t id, const char *fmt, ...)
{
    w->rep->bad_id = id;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->rep->reason, sizeof(w->rep->reason), fmt, ap);
    va_end(ap);
    return CUST_EINTEGRITY;
}

/* The end of a request's rows: all there, and their hashes as the ledger recorded. */
static enum cust_status finish(struct vwalk *w)
{
    if (!w->batch)
        return CUST_OK;
    int64_t count = json_integer_value(json_object_get(w->batch, "count"));
    int64_t seq = json_integer_value(json_object_get(w->batch, "seq"));
    if (w->expect < count)
        return bad(w, 0, "disclosure row %" PRId64 " of request %s missing (deleted)", w->expect,
                   w->req);
    unsigned char h[crypto_hash_sha256_BYTES];
    char hex[65];
    crypto_hash_sha256_final(&w->set, h);
    sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
    if (strcmp(hex, json_string_value(json_object_get(w->batch, "sha"))) != 0)
        return bad(w, 0,
                   "disclosures of request %s do not match ledger entry %" PRId64
                   " (a row and its hash were changed)",
                   w->req, seq);
    w->batch = NULL;
    return CUST_OK;
}

static enum cust_status on_row(const struct cust_disclosure_row *x, void *arg)
{
    struct vwalk *w = arg;
    const char *rid = x->request_id ? x->request_id : "";
    if (strcmp(rid, w->req) != 0 || (!w->batch && w->expect == 0)) {
        enum cust_status st = finish(w);
        if (st != CUST_OK)
            return st;
        snprintf(w->req, sizeof(w->req), "%s", rid);
        w->batch = json_object_get(w->batches, rid);
        w->expect = 0;
        crypto_hash_sha256_init(&w->set);
        if (!w->batch)
            return bad(w, x->id,
                       "disclosure #%" PRId64 " (request %s): no ledger entry records it "
                       "(inserted)",
                       x->id, rid);
        if (json_object_get(w->batch, "dup"))
            return bad(w, x->id, "request %s has two disclosure entries in the ledger (inserted)",
                       rid);
        json_object_set_new(w->batch, "seen", json_true());
    }
    int64_t count = json_integer_value(json_object_get(w->batch, "count"));
    if (x->ord < w->expect)
        return bad(w, x->id,
                   "disclosure #%" PRId64 " (request %s): a second row %" PRId64 " (inserted)",
                   x->id, rid, x->ord);
    if (x->ord >= count)
        return bad(w, x->id,
                   "disclosure #%" PRId64 " (request %s, row %" PRId64 "): beyond the %" PRId64
                   " rows the ledger recorded (inserted)",
                   x->id, rid, x->ord, count);
    unsigned char h[crypto_hash_sha256_BYTES];
    char hex[65];
    cust_desk_disclosure_hash(x, h);
    sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
    if (!x->row_hash || strcmp(hex, x->row_hash) != 0)
        return bad(w, x->id,
                   "disclosure #%" PRId64 " (request %s, row %" PRId64
                   "): contents do not match its hash (changed)",
                   x->id, rid, x->ord);
    if (x->ord > w->expect)
        return bad(w, 0, "disclosure row %" PRId64 " of request %s missing (deleted)", w->expect,
                   rid);
    crypto_hash_sha256_update(&w->set, h, sizeof(h));
    w->expect++;
    w->rep->rows++;
    return CUST_OK;
}

enum cust_status cust_desk_verify_disclosures(struct cust_store *s,
                                              struct cust_desk_verify_report *rep,
                                              struct cust_err *err)
{
    memset(rep, 0, sizeof(*rep));
    struct vwalk w = {.rep = rep, .batches = json_object()};
    int64_t head_seq;
    char head_hash[65];
    enum cust_status st = cust_store_ledger_each(s, on_entry, w.batches, &head_seq, head_hash, err);
    if (st == CUST_OK)
        st = cust_store_disclosures(s, NULL, on_row, &w, err);
    if (st == CUST_OK)
        st = finish(&w);
    if (st == CUST_OK) {
        const char *k;
        json_t *b;
        json_object_foreach(w.batches, k, b)
        {
            if (!json_is_true(json_object_get(b, "seen"))) {
                snprintf(w.req, sizeof(w.req), "%s", k);
                st = bad(&w, 0,
                         "disclosure row 0 of request %s missing (the %" JSON_INTEGER_FORMAT
                         " rows of ledger entry %" JSON_INTEGER_FORMAT " are deleted)",
                         k, json_integer_value(json_object_get(b, "count")),
                         json_integer_value(json_object_get(b, "seq")));
                break;
            }
            rep->batches++;
        }
    }
    json_decref(w.batches);
    if (st == CUST_EINTEGRITY)
        return cust_err_set(err, CUST_EINTEGRITY, "%s", rep->reason);
    return st;
}
