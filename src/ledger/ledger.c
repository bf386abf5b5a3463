/* ledger.c - hash-chained audit ledger over the store (docs/internals/ledger.md). */
#include "custodian/compat.h"
#include "custodian/buf.h"
#include "custodian/date.h"
#include "custodian/ledger.h"
#include "ledger_internal.h"

#include <inttypes.h>
#include <sodium.h>

/* ---- the canonical encoding ------------------------------------------------------------ */

void cust_ledger_enc_bytes(struct cust_buf *b, const void *p, size_t n)
{
    unsigned char len[8];
    for (int i = 0; i < 8; i++)
        len[i] = (unsigned char)((uint64_t)n >> (56 - 8 * i));
    if (cust_buf_append(b, len, sizeof(len)) != CUST_OK || cust_buf_append(b, p, n) != CUST_OK)
        cust__assert_fail("ledger encoding buffer", __FILE__, __LINE__);
}

void cust_ledger_enc_text(struct cust_buf *b, const char *s)
{
    static const unsigned char null_len[8] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    if (s)
        cust_ledger_enc_bytes(b, s, strlen(s));
    else if (cust_buf_append(b, null_len, sizeof(null_len)) != CUST_OK)
        cust__assert_fail("ledger encoding buffer", __FILE__, __LINE__);
}

void cust_ledger_enc_int(struct cust_buf *b, int64_t v)
{
    char t[CUST_DEC_MAX];
    const char *p = cust_dec(v, t);
    cust_ledger_enc_bytes(b, p, (size_t)(t + CUST_DEC_MAX - p));
}

void cust_ledger_encode(const struct cust_ledger_row *r, struct cust_buf *out)
{
    cust_buf_reset(out);
    cust_ledger_enc_text(out, r->rows ? "custodian-ledger-v2" : "custodian-ledger-v1");
    cust_ledger_enc_int(out, r->seq);
    cust_ledger_enc_text(out, r->at);
    cust_ledger_enc_text(out, r->actor);
    cust_ledger_enc_text(out, r->role);
    cust_ledger_enc_text(out, r->action);
    cust_ledger_enc_text(out, r->object_type);
    cust_ledger_enc_text(out, r->object_id);
    cust_ledger_enc_text(out, r->outcome);
    cust_ledger_enc_text(out, r->purpose);
    cust_ledger_enc_text(out, r->detail);
    if (r->rows)
        cust_ledger_enc_text(out, r->rows);
    cust_ledger_enc_text(out, r->prev_hash);
}

void cust_ledger_hash(const struct cust_ledger_row *r, char out[65])
{
    struct cust_buf b = CUST_BUF_INIT;
    unsigned char dig[CUST_TLOG_HASH];
    cust_ledger_encode(r, &b);
    cust_tlog_sha256(b.buf, b.len, dig);
    cust_buf_release(&b);
    cust_tlog_hash_hex(dig, out);
}

void cust_ledger_leaf_hash(const struct cust_ledger_row *r, unsigned char out[CUST_TLOG_HASH])
{
    struct cust_buf b = CUST_BUF_INIT;
    cust_ledger_encode(r, &b);
    cust_tlog_leaf_hash(b.buf, b.len, out);
    cust_buf_release(&b);
}

enum cust_status cust_ledger_append(struct cust_store *s, const struct cust_ledger_entry *e,
                                    struct cust_err *err)
{
    return cust_ledger_append_seq(s, e, NULL, err);
}

static enum cust_status on_is_v2(const struct cust_ledger_row *r, void *arg)
{
    *(bool *)arg = r->rows != NULL;
    return CUST_OK;
}

/* Insert entry seq (prev_hash `prev`) with commitment `rows`; its hash into `hash`. */
static enum cust_status insert_entry(struct cust_store *s, int64_t seq, const char *prev,
                                     const struct cust_ledger_entry *e, const char *rows,
                                     char hash[65], struct cust_err *err)
{
    char at[32];
    cust_time_format(cust_now(), 0, true, at);
    struct cust_ledger_row r = {
        seq,          at,         e->actor,   e->role,   e->action, e->object_type,
        e->object_id, e->outcome, e->purpose, e->detail, prev,      hash,
        rows};
    cust_ledger_hash(&r, hash);
    return cust_store_ledger_insert(s, &r, err);
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
    char prev[65], hash[65];
    st = cust_store_ledger_head(s, &seq, prev, err);
    /* the first entry since schema 9 of a store with entries from before commits, first, every
     * row written before (the migration's entry) */
    bool v2 = true;
    if (st == CUST_OK && seq > 0)
        st = cust_store_ledger_entry(s, seq, on_is_v2, &v2, err);
    char *rows = NULL, *old_rows = NULL;
    int64_t backfilled = 0;
    if (st == CUST_OK)
        st = ledger_journal_rows(s, seq + 1, !v2, &rows, &old_rows, &backfilled, err);
    if (st == CUST_OK && !v2) {
        char detail[96];
        snprintf(detail, sizeof(detail), "{\"schema\":9,\"rows\":%" PRId64 "}", backfilled);
        struct cust_ledger_entry m = {"custodian",
                                      "system",
                                      "migrate",
                                      "store",
                                      "rows",
                                      "ok",
                                      "every row written before the ledger covered rows",
                                      detail};
        st = insert_entry(s, ++seq, prev, &m, old_rows, hash, err);
        memcpy(prev, hash, sizeof(prev));
    }
    if (st == CUST_OK)
        st = insert_entry(s, ++seq, prev, e, rows, hash, err);
    if (st == CUST_OK && seq_out)
        *seq_out = seq;
    free(rows);
    free(old_rows);
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
    struct cust_buf enc;
    struct cust_tlog_tree tree;
    const struct cust_checkpoint *cp; /* or NULL */
    bool cp_root_taken;
    unsigned char cp_root[CUST_TLOG_HASH]; /* the store's root at the checkpoint's size */
};

static enum cust_status bad(struct walk *w, int64_t seq, const char *why)
{
    w->rep->bad_seq = seq;
    snprintf(w->rep->reason, sizeof(w->rep->reason), "%s", why);
    return CUST_EINTEGRITY;
}

/* The tree's root at the checkpoint's size, taken when the walk reaches it. */
static void take_cp_root(struct walk *w)
{
    if (w->cp && !w->cp_root_taken && w->tree.size == w->cp->size) {
        cust_tlog_tree_root(&w->tree, w->cp_root);
        w->cp_root_taken = true;
    }
}

static enum cust_status check_row(const struct cust_ledger_row *r, void *arg)
{
    struct walk *w = arg;
    if (r->seq != w->expect_seq)
        return bad(w, w->expect_seq,
                   r->seq > w->expect_seq ? "entry missing (deleted)" : "entry out of order");
    if (!r->prev_hash || strcmp(r->prev_hash, w->prev) != 0)
        return bad(w, r->seq, "prev_hash does not match the previous entry (deleted or reordered)");
    unsigned char dig[CUST_TLOG_HASH];
    char h[65];
    cust_ledger_encode(r, &w->enc);
    cust_tlog_sha256(w->enc.buf, w->enc.len, dig);
    cust_tlog_hash_hex(dig, h);
    if (!r->hash || strcmp(h, r->hash) != 0)
        return bad(w, r->seq, "hash does not match the entry's contents (changed)");
    cust_tlog_leaf_hash(w->enc.buf, w->enc.len, dig);
    cust_tlog_tree_push(&w->tree, dig);
    take_cp_root(w);
    snprintf(w->prev, sizeof(w->prev), "%s", r->hash);
    w->expect_seq++;
    w->rep->entries++;
    return CUST_OK;
}

enum cust_status cust_ledger_verify(struct cust_store *s, struct cust_ledger_report *rep,
                                    struct cust_err *err)
{
    return cust_ledger_verify_checkpoint(s, NULL, rep, err);
}

static enum cust_status verify_checkpoint(struct cust_store *s, const struct cust_checkpoint *cp,
                                          struct cust_ledger_report *rep, struct cust_err *err);

/* the head and every entry from one snapshot: an entry appended meanwhile by another connection
 * is neither "beyond the recorded head" nor missing */
enum cust_status cust_ledger_verify_checkpoint(struct cust_store *s,
                                               const struct cust_checkpoint *cp,
                                               struct cust_ledger_report *rep, struct cust_err *err)
{
    memset(rep, 0, sizeof(*rep));
    enum cust_status st = cust_store_snapshot_begin(s, err);
    if (st != CUST_OK)
        return st;
    st = verify_checkpoint(s, cp, rep, err);
    cust_store_snapshot_end(s);
    return st;
}

static enum cust_status verify_checkpoint(struct cust_store *s, const struct cust_checkpoint *cp,
                                          struct cust_ledger_report *rep, struct cust_err *err)
{
    struct walk w = {.rep = rep, .expect_seq = 1, .prev = CUST_LEDGER_GENESIS, .cp = cp};
    cust_buf_init(&w.enc, 0);
    cust_tlog_tree_init(&w.tree);
    take_cp_root(&w); /* a checkpoint of the empty tree */
    int64_t head_seq = 0;
    char head_hash[65] = "";
    enum cust_status st = cust_store_ledger_each(s, check_row, &w, &head_seq, head_hash, err);
    cust_buf_release(&w.enc);
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
    if (st != CUST_OK)
        return st;
    cust_tlog_tree_root(&w.tree, rep->root);
    if (!cp)
        return CUST_OK;
    /* the store must still extend the checkpoint: as many entries at least, and the same tree
     * over the first cp->size of them */
    rep->checkpoint_checked = true;
    if ((uint64_t)rep->entries < cp->size) {
        snprintf(rep->reason, sizeof(rep->reason),
                 "the ledger has %" PRId64 " entries, the checkpoint of %.120s recorded %" PRIu64
                 " (truncated)",
                 rep->entries, cp->origin, cp->size);
        rep->bad_seq = rep->entries + 1;
        rep->checkpoint_bad = true;
        return cust_err_set(err, CUST_EINTEGRITY, "%s", rep->reason);
    }
    if (!w.cp_root_taken || sodium_memcmp(w.cp_root, cp->root, CUST_TLOG_HASH) != 0) {
        snprintf(rep->reason, sizeof(rep->reason),
                 "the first %" PRIu64 " entries do not hash to the root of the checkpoint of %.120s"
                 " (rewritten, reordered or replaced)",
                 cp->size, cp->origin);
        rep->checkpoint_bad = true;
        return cust_err_set(err, CUST_EINTEGRITY, "%s", rep->reason);
    }
    return CUST_OK;
}

/* ---- the tree over the store's ledger --------------------------------------------------- */

struct leaves {
    unsigned char (*h)[CUST_TLOG_HASH];
    uint64_t n, cap;
    struct cust_buf enc;
};

static enum cust_status add_leaf(const struct cust_ledger_row *r, void *arg)
{
    struct leaves *l = arg;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 1024;
        l->h = cust_xrealloc(l->h, l->cap * CUST_TLOG_HASH);
    }
    cust_ledger_encode(r, &l->enc);
    cust_tlog_leaf_hash(l->enc.buf, l->enc.len, l->h[l->n++]);
    return CUST_OK;
}

enum cust_status cust_ledger_leaves(struct cust_store *s, unsigned char (**leaves)[CUST_TLOG_HASH],
                                    uint64_t *n, struct cust_err *err)
{
    struct leaves l = {0};
    cust_buf_init(&l.enc, 0);
    int64_t hs;
    char hh[65];
    enum cust_status st = cust_store_ledger_each(s, add_leaf, &l, &hs, hh, err);
    cust_buf_release(&l.enc);
    if (st != CUST_OK) {
        free(l.h);
        *leaves = NULL;
        *n = 0;
        return st;
    }
    *leaves = l.h;
    *n = l.n;
    return CUST_OK;
}

enum cust_status cust_ledger_tree_head(struct cust_store *s, uint64_t *size,
                                       unsigned char root[CUST_TLOG_HASH], struct cust_err *err)
{
    unsigned char(*h)[CUST_TLOG_HASH];
    uint64_t n;
    enum cust_status st = cust_ledger_leaves(s, &h, &n, err);
    if (st != CUST_OK)
        return st;
    cust_tlog_root((const unsigned char(*)[CUST_TLOG_HASH])h, n, root);
    *size = n;
    free(h);
    return CUST_OK;
}

char *cust_ledger_checkpoint(const struct cust_checkpoint *c, const struct cust_note_signer *signer,
                             struct cust_err *err)
{
    char *text = cust_checkpoint_format(c);
    if (!signer)
        return text;
    char *note = cust_note_sign(text, signer, err);
    free(text);
    return note;
}
