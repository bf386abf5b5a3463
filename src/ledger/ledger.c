/* ledger.c - hash-chained audit ledger over the store (docs/internals/ledger.md). */
#include "custodian/compat.h"
#include "custodian/date.h"
#include "custodian/ledger.h"

#include <inttypes.h>
#include <sodium.h>

/* Feed one field: 8-byte big-endian length (all ones for NULL), then the bytes. */
static void feed(crypto_hash_sha256_state *h, const char *s)
{
    uint64_t n = s ? (uint64_t)strlen(s) : UINT64_MAX;
    unsigned char len[8];
    for (int i = 0; i < 8; i++)
        len[i] = (unsigned char)(n >> (56 - 8 * i));
    crypto_hash_sha256_update(h, len, sizeof(len));
    if (s)
        crypto_hash_sha256_update(h, (const unsigned char *)s, strlen(s));
}

void cust_ledger_hash(const struct cust_ledger_row *r, char out[65])
{
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    char seq[24];
    snprintf(seq, sizeof(seq), "%" PRId64, r->seq);
    feed(&h, "custodian-ledger-v1");
    feed(&h, seq);
    feed(&h, r->at);
    feed(&h, r->actor);
    feed(&h, r->role);
    feed(&h, r->action);
    feed(&h, r->object_type);
    feed(&h, r->object_id);
    feed(&h, r->outcome);
    feed(&h, r->purpose);
    feed(&h, r->detail);
    feed(&h, r->prev_hash);
    unsigned char dig[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&h, dig);
    sodium_bin2hex(out, 65, dig, sizeof(dig));
}

enum cust_status cust_ledger_append(struct cust_store *s, const struct cust_ledger_entry *e,
                                    struct cust_err *err)
{
    return cust_ledger_append_seq(s, e, NULL, err);
}

enum cust_status cust_ledger_append_seq(struct cust_store *s, const struct cust_ledger_entry *e,
                                        int64_t *seq_out, struct cust_err *err)
{
    if (!e->actor || !*e->actor || !e->role || !e->action || !e->object_type || !e->object_id ||
        !e->outcome || !e->purpose)
        return cust_err_set(err, CUST_EINVAL, "ledger entry: a required field is missing");
    enum cust_status st = cust_store_begin(s, err);
    if (st != CUST_OK)
        return st;
    int64_t seq;
    char prev[65];
    st = cust_store_ledger_head(s, &seq, prev, err);
    if (st == CUST_OK) {
        char at[32], hash[65];
        cust_time_format(cust_now(), 0, true, at);
        struct cust_ledger_row r = {seq + 1,        at,           e->actor,   e->role,    e->action,
                                    e->object_type, e->object_id, e->outcome, e->purpose, e->detail,
                                    prev,           hash};
        cust_ledger_hash(&r, hash);
        st = cust_store_ledger_insert(s, &r, err);
        if (st == CUST_OK && seq_out)
            *seq_out = r.seq;
    }
    if (st != CUST_OK) {
        cust_store_rollback(s);
        return st;
    }
    return cust_store_commit(s, err);
}

struct walk {
    struct cust_ledger_report *rep;
    int64_t expect_seq;
    char prev[65];
};

static enum cust_status bad(struct walk *w, int64_t seq, const char *why)
{
    w->rep->bad_seq = seq;
    snprintf(w->rep->reason, sizeof(w->rep->reason), "%s", why);
    return CUST_EINTEGRITY;
}

static enum cust_status check_row(const struct cust_ledger_row *r, void *arg)
{
    struct walk *w = arg;
    if (r->seq != w->expect_seq)
        return bad(w, w->expect_seq,
                   r->seq > w->expect_seq ? "entry missing (deleted)" : "entry out of order");
    if (!r->prev_hash || strcmp(r->prev_hash, w->prev) != 0)
        return bad(w, r->seq, "prev_hash does not match the previous entry (deleted or reordered)");
    char h[65];
    cust_ledger_hash(r, h);
    if (!r->hash || strcmp(h, r->hash) != 0)
        return bad(w, r->seq, "hash does not match the entry's contents (changed)");
    snprintf(w->prev, sizeof(w->prev), "%s", r->hash);
    w->expect_seq++;
    w->rep->entries++;
    return CUST_OK;
}

enum cust_status cust_ledger_verify(struct cust_store *s, struct cust_ledger_report *rep,
                                    struct cust_err *err)
{
    memset(rep, 0, sizeof(*rep));
    struct walk w = {rep, 1, CUST_LEDGER_GENESIS};
    int64_t head_seq = 0;
    char head_hash[65] = "";
    enum cust_status st = cust_store_ledger_each(s, check_row, &w, &head_seq, head_hash, err);
    if (st == CUST_OK) {
        if (head_seq != w.expect_seq - 1)
            st = bad(&w, head_seq > w.expect_seq - 1 ? w.expect_seq : head_seq + 1,
                     head_seq > w.expect_seq - 1 ? "entry missing (the chain ends early)"
                                                 : "entry beyond the recorded head");
        else if (strcmp(head_hash, w.prev) != 0)
            st = bad(&w, head_seq, "the last entry does not match the recorded head");
    }
    if (st == CUST_EINTEGRITY && rep->bad_seq == 0) { /* e.g. the head row is gone */
        rep->bad_seq = w.expect_seq;
        const char *why = err && err->msg[0] ? err->msg : "the ledger head is missing";
        size_t n = strnlen(why, sizeof(rep->reason) - 1);
        memcpy(rep->reason, why, n);
        rep->reason[n] = '\0';
    }
    if (st == CUST_EINTEGRITY)
        return cust_err_set(err, CUST_EINTEGRITY, "ledger entry %" PRId64 ": %s", rep->bad_seq,
                            rep->reason);
    return st;
}
