/*
 * tlog.c - the RFC 6962 / RFC 9162 Merkle tree: hashes, the streaming root, inclusion and
 * consistency proofs and their verification (tlog.h, docs/internals/ledger.md).
 *
 * SHA-256 is nettle's (SHA-NI when the CPU has it: about four times libsodium's portable one).
 */
#include "custodian/compat.h"
#include "custodian/tlog.h"

#include <inttypes.h>
#include <nettle/sha2.h>
#include <sodium.h>

#define H CUST_TLOG_HASH

void cust_tlog_sha256(const void *data, size_t len, unsigned char out[H])
{
    struct sha256_ctx c;
    sha256_init(&c);
    sha256_update(&c, len, data);
    sha256_digest(&c, H, out);
}

void cust_tlog_leaf_hash(const void *data, size_t len, unsigned char out[H])
{
    static const uint8_t zero = 0x00;
    struct sha256_ctx c;
    sha256_init(&c);
    sha256_update(&c, 1, &zero);
    sha256_update(&c, len, data);
    sha256_digest(&c, H, out);
}

void cust_tlog_node_hash(const unsigned char left[H], const unsigned char right[H],
                         unsigned char out[H])
{
    static const uint8_t one = 0x01;
    struct sha256_ctx c;
    sha256_init(&c);
    sha256_update(&c, 1, &one);
    sha256_update(&c, H, left);
    sha256_update(&c, H, right);
    sha256_digest(&c, H, out);
}

void cust_tlog_hash_b64(const unsigned char h[H], char out[45])
{
    sodium_bin2base64(out, 45, h, H, sodium_base64_VARIANT_ORIGINAL);
}

bool cust_tlog_unb64(const char *s, size_t len, unsigned char *out, size_t cap, size_t *n)
{
    /* libsodium 1.0.18 maps some bytes above 0x7f to base64 digits: check the alphabet first */
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '/' || c == '='))
            return false;
    }
    const char *end;
    if (sodium_base642bin(out, cap, s, len, NULL, n, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
        end != s + len)
        return false;
    size_t elen = sodium_base64_encoded_len(*n, sodium_base64_VARIANT_ORIGINAL);
    if (elen - 1 != len)
        return false;
    char *back = cust_xmalloc(elen);
    sodium_bin2base64(back, elen, out, *n, sodium_base64_VARIANT_ORIGINAL);
    bool same = memcmp(back, s, len) == 0;
    free(back);
    return same;
}

void cust_tlog_hash_hex(const unsigned char h[H], char out[65])
{
    sodium_bin2hex(out, 65, h, H);
}

/* ---- the streaming tree ------------------------------------------------------------------ */

/* The stack holds one perfect subtree root per 1 bit of `size`, largest (leftmost) first. */
void cust_tlog_tree_init(struct cust_tlog_tree *t)
{
    t->size = 0;
}

static int popcount64(uint64_t v)
{
    int n = 0;
    for (; v; v &= v - 1)
        n++;
    return n;
}

void cust_tlog_tree_push(struct cust_tlog_tree *t, const unsigned char leaf[H])
{
    int top = popcount64(t->size);
    unsigned char h[H];
    memcpy(h, leaf, H);
    for (uint64_t s = t->size; s & 1; s >>= 1) /* merge equal-sized subtrees */
        cust_tlog_node_hash(t->stack[--top], h, h);
    memcpy(t->stack[top], h, H);
    t->size++;
}

void cust_tlog_tree_root(const struct cust_tlog_tree *t, unsigned char root[H])
{
    int top = popcount64(t->size);
    if (top == 0) {
        cust_tlog_sha256("", 0, root);
        return;
    }
    unsigned char h[H];
    memcpy(h, t->stack[top - 1], H);
    for (int i = top - 2; i >= 0; i--)
        cust_tlog_node_hash(t->stack[i], h, h);
    memcpy(root, h, H);
}

/* ---- proofs over an array of leaf hashes ---------------------------------------------------- */

/* The largest power of two smaller than n (n >= 2). */
static uint64_t split(uint64_t n)
{
    uint64_t k = 1;
    while (k << 1 < n)
        k <<= 1;
    return k;
}

/* MTH(D[a:b]), b > a. */
static void mth(const unsigned char (*leaves)[H], uint64_t a, uint64_t b, unsigned char out[H])
{
    struct cust_tlog_tree t;
    cust_tlog_tree_init(&t);
    for (uint64_t i = a; i < b; i++)
        cust_tlog_tree_push(&t, leaves[i]);
    cust_tlog_tree_root(&t, out);
}

void cust_tlog_root(const unsigned char (*leaves)[H], uint64_t n, unsigned char root[H])
{
    if (n == 0)
        cust_tlog_sha256("", 0, root);
    else
        mth(leaves, 0, n, root);
}

/* PATH(m, D[a:b]) appended at proof[*len]. */
static void path(const unsigned char (*leaves)[H], uint64_t a, uint64_t b, uint64_t m,
                 unsigned char proof[][H], int *len)
{
    uint64_t n = b - a;
    if (n <= 1)
        return;
    uint64_t k = split(n);
    if (m < k) {
        path(leaves, a, a + k, m, proof, len);
        mth(leaves, a + k, b, proof[(*len)++]);
    } else {
        path(leaves, a + k, b, m - k, proof, len);
        mth(leaves, a, a + k, proof[(*len)++]);
    }
}

int cust_tlog_inclusion_proof(const unsigned char (*leaves)[H], uint64_t n, uint64_t index,
                              unsigned char proof[][H])
{
    if (index >= n)
        return -1;
    int len = 0;
    path(leaves, 0, n, index, proof, &len);
    return len;
}

/* SUBPROOF(m, D[a:b], complete) appended at proof[*len]. */
static void subproof(const unsigned char (*leaves)[H], uint64_t a, uint64_t b, uint64_t m,
                     bool complete, unsigned char proof[][H], int *len)
{
    uint64_t n = b - a;
    if (m == n) {
        if (!complete)
            mth(leaves, a, b, proof[(*len)++]);
        return;
    }
    uint64_t k = split(n);
    if (m <= k) {
        subproof(leaves, a, a + k, m, complete, proof, len);
        mth(leaves, a + k, b, proof[(*len)++]);
    } else {
        subproof(leaves, a + k, b, m - k, false, proof, len);
        mth(leaves, a, a + k, proof[(*len)++]);
    }
}

int cust_tlog_consistency_proof(const unsigned char (*leaves)[H], uint64_t n, uint64_t m,
                                unsigned char proof[][H])
{
    if (m > n)
        return -1;
    int len = 0;
    if (m > 0 && m < n)
        subproof(leaves, 0, n, m, true, proof, &len);
    return len;
}

/* ---- verification (RFC 9162 2.1.3.2 and 2.1.4.2) -------------------------------------------- */

enum cust_status cust_tlog_verify_inclusion(uint64_t index, uint64_t size,
                                            const unsigned char leaf[H],
                                            const unsigned char (*proof)[H], size_t len,
                                            const unsigned char root[H], struct cust_err *err)
{
    if (index >= size)
        return cust_err_set(err, CUST_EINTEGRITY,
                            "inclusion proof: leaf %" PRIu64 " is not in a tree of %" PRIu64, index,
                            size);
    uint64_t fn = index, sn = size - 1;
    unsigned char r[H];
    memcpy(r, leaf, H);
    for (size_t i = 0; i < len; i++) {
        if (sn == 0)
            return cust_err_set(err, CUST_EINTEGRITY, "inclusion proof: too many hashes");
        if ((fn & 1) || fn == sn) {
            cust_tlog_node_hash(proof[i], r, r);
            while (!(fn & 1) && fn != 0) {
                fn >>= 1;
                sn >>= 1;
            }
        } else {
            cust_tlog_node_hash(r, proof[i], r);
        }
        fn >>= 1;
        sn >>= 1;
    }
    if (sn != 0)
        return cust_err_set(err, CUST_EINTEGRITY, "inclusion proof: too few hashes");
    if (sodium_memcmp(r, root, H) != 0)
        return cust_err_set(err, CUST_EINTEGRITY,
                            "inclusion proof: the path does not lead to the root");
    return CUST_OK;
}

enum cust_status cust_tlog_verify_consistency(uint64_t m, uint64_t n,
                                              const unsigned char (*proof)[H], size_t len,
                                              const unsigned char root_m[H],
                                              const unsigned char root_n[H], struct cust_err *err)
{
    if (m > n)
        return cust_err_set(err, CUST_EINTEGRITY,
                            "consistency proof: the old tree (%" PRIu64
                            ") is larger than the new (%" PRIu64 ")",
                            m, n);
    if (m == n) {
        if (len != 0)
            return cust_err_set(err, CUST_EINTEGRITY,
                                "consistency proof: trees of equal size need an empty proof");
        if (sodium_memcmp(root_m, root_n, H) != 0)
            return cust_err_set(err, CUST_EINTEGRITY,
                                "consistency proof: equal sizes with different roots");
        return CUST_OK;
    }
    if (m == 0) {
        if (len != 0)
            return cust_err_set(err, CUST_EINTEGRITY,
                                "consistency proof: an empty old tree needs an empty proof");
        return CUST_OK;
    }
    if (len == 0)
        return cust_err_set(err, CUST_EINTEGRITY, "consistency proof: empty");
    /* when m is a power of two its root is the first node of the path */
    bool pow2 = (m & (m - 1)) == 0;
    size_t i = 0;
    unsigned char fr[H], sr[H];
    if (pow2) {
        memcpy(fr, root_m, H);
    } else {
        memcpy(fr, proof[0], H);
        i = 1;
    }
    memcpy(sr, fr, H);
    uint64_t fn = m - 1, sn = n - 1;
    while (fn & 1) {
        fn >>= 1;
        sn >>= 1;
    }
    for (; i < len; i++) {
        if (sn == 0)
            return cust_err_set(err, CUST_EINTEGRITY, "consistency proof: too many hashes");
        if ((fn & 1) || fn == sn) {
            cust_tlog_node_hash(proof[i], fr, fr);
            cust_tlog_node_hash(proof[i], sr, sr);
            while (!(fn & 1) && fn != 0) {
                fn >>= 1;
                sn >>= 1;
            }
        } else {
            cust_tlog_node_hash(sr, proof[i], sr);
        }
        fn >>= 1;
        sn >>= 1;
    }
    if (sn != 0)
        return cust_err_set(err, CUST_EINTEGRITY, "consistency proof: too few hashes");
    if (sodium_memcmp(fr, root_m, H) != 0)
        return cust_err_set(err, CUST_EINTEGRITY,
                            "consistency proof: does not lead to the old root");
    if (sodium_memcmp(sr, root_n, H) != 0)
        return cust_err_set(err, CUST_EINTEGRITY,
                            "consistency proof: does not lead to the new root");
    return CUST_OK;
}
