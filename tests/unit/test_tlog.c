/*
 * Unit tests for the transparency-log formats (tlog.h) against published vectors:
 * - RFC 6962 Merkle tree: the 8 leaves, roots, inclusion and consistency proofs of the
 *   reference test suite (github.com/transparency-dev/merkle proof/verify_test.go, used as
 *   data), and the corruptions that suite applies to each proof;
 * - Ed25519: RFC 8032 section 7.1 tests 1-3;
 * - signed notes: the example key and note of golang.org/x/mod/sumdb/note and the example of
 *   c2sp.org/signed-note; checkpoints: the example of c2sp.org/tlog-checkpoint.
 */
#include "custodian/compat.h"
#include "custodian/tlog.h"

#include <setjmp.h>
#include <sodium.h>
#include <stdarg.h>
#include <cmocka.h>

#define H CUST_TLOG_HASH

static void unhex(const char *hex, unsigned char *out, size_t *n)
{
    size_t len = strlen(hex);
    assert_int_equal(sodium_hex2bin(out, len / 2, hex, len, NULL, n, NULL), 0);
}

static void hash_of(const char *hex, unsigned char out[H])
{
    size_t n;
    unhex(hex, out, &n);
    assert_int_equal(n, H);
}

/* ---- RFC 6962 vectors ------------------------------------------------------------------------ */

static const char *const leaf_hex[8] = {"",
                                        "00",
                                        "10",
                                        "2021",
                                        "3031",
                                        "40414243",
                                        "5051525354555657",
                                        "606162636465666768696a6b6c6d6e6f"};

static const char *const root_hex[8] = {
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

struct vec {
    uint64_t a, b; /* inclusion: leaf (1-based), size; consistency: size1, size2 */
    int n;
    const char *proof[4];
};

static const struct vec inclusion[] = {
    {1, 1, 0, {0}},
    {1,
     8,
     3,
     {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {6,
     8,
     3,
     {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    {3, 3, 1, {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
    {2,
     5,
     3,
     {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
};

static const struct vec consistency[] = {
    {1, 1, 0, {0}},
    {1,
     8,
     3,
     {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {6,
     8,
     3,
     {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    {2,
     5,
     2,
     {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
    {6,
     7,
     3,
     {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
};

static unsigned char leaves[8][H];

static void make_leaves(void)
{
    for (int i = 0; i < 8; i++) {
        unsigned char d[16];
        size_t n = 0;
        if (*leaf_hex[i])
            unhex(leaf_hex[i], d, &n);
        cust_tlog_leaf_hash(d, n, leaves[i]);
    }
}

#define CL ((const unsigned char(*)[H])leaves)

static void test_roots(void **state)
{
    (void)state;
    make_leaves();
    unsigned char want[H], got[H];
    cust_tlog_root(CL, 0, got);
    hash_of("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", want);
    assert_memory_equal(got, want, H); /* the empty tree: SHA-256 of nothing */
    struct cust_tlog_tree t;
    cust_tlog_tree_init(&t);
    cust_tlog_tree_root(&t, got);
    assert_memory_equal(got, want, H);
    for (int n = 1; n <= 8; n++) {
        hash_of(root_hex[n - 1], want);
        cust_tlog_root(CL, (uint64_t)n, got);
        assert_memory_equal(got, want, H);
        cust_tlog_tree_push(&t, leaves[n - 1]); /* the streaming tree agrees at every size */
        cust_tlog_tree_root(&t, got);
        assert_memory_equal(got, want, H);
    }
}

static void flip(unsigned char (*p)[H], int i, unsigned char bit)
{
    p[i][0] ^= bit;
}

static void test_inclusion_vectors(void **state)
{
    (void)state;
    make_leaves();
    for (size_t v = 0; v < CUST_ARRAY_LEN(inclusion); v++) {
        const struct vec *x = &inclusion[v];
        uint64_t idx = x->a - 1, size = x->b;
        unsigned char want[4][H], got[CUST_TLOG_MAX_PROOF][H], root[H];
        for (int i = 0; i < x->n; i++)
            hash_of(x->proof[i], want[i]);
        int n = cust_tlog_inclusion_proof(CL, size, idx, got);
        assert_int_equal(n, x->n);
        if (n)
            assert_memory_equal(got, want, (size_t)n * H);
        hash_of(root_hex[size - 1], root);
        const unsigned char(*pw)[H] = (const unsigned char(*)[H])want;
        assert_int_equal(
            cust_tlog_verify_inclusion(idx, size, leaves[idx], pw, (size_t)n, root, NULL), CUST_OK);
        /* the corruptions of the reference suite: each must fail */
        assert_int_not_equal(
            cust_tlog_verify_inclusion(idx + 1, size, leaves[idx], pw, (size_t)n, root, NULL),
            CUST_OK);
        if (idx > 0)
            assert_int_not_equal(
                cust_tlog_verify_inclusion(idx - 1, size, leaves[idx], pw, (size_t)n, root, NULL),
                CUST_OK);
        if ((idx ^ 2) < size && x->n)
            assert_int_not_equal(
                cust_tlog_verify_inclusion(idx ^ 2, size, leaves[idx], pw, (size_t)n, root, NULL),
                CUST_OK);
        assert_int_not_equal(
            cust_tlog_verify_inclusion(idx, size * 2, leaves[idx], pw, (size_t)n, root, NULL),
            CUST_OK);
        if (size / 2 > idx && x->n)
            assert_int_not_equal(
                cust_tlog_verify_inclusion(idx, size / 2, leaves[idx], pw, (size_t)n, root, NULL),
                CUST_OK);
        unsigned char wrong[H];
        cust_tlog_leaf_hash("WrongLeaf", 9, wrong);
        assert_int_not_equal(
            cust_tlog_verify_inclusion(idx, size, wrong, pw, (size_t)n, root, NULL), CUST_OK);
        cust_tlog_sha256("", 0, wrong);
        assert_int_not_equal(
            cust_tlog_verify_inclusion(idx, size, leaves[idx], pw, (size_t)n, wrong, NULL),
            CUST_OK);
        unsigned char ext[CUST_TLOG_MAX_PROOF][H];
        memcpy(ext, want, (size_t)n * H); /* trailing root */
        memcpy(ext[n], root, H);
        assert_int_not_equal(cust_tlog_verify_inclusion(idx, size, leaves[idx],
                                                        (const unsigned char(*)[H])ext,
                                                        (size_t)n + 1, root, NULL),
                             CUST_OK);
        memcpy(ext[0], root, H); /* preceding root */
        memcpy(ext + 1, want, (size_t)n * H);
        assert_int_not_equal(cust_tlog_verify_inclusion(idx, size, leaves[idx],
                                                        (const unsigned char(*)[H])ext,
                                                        (size_t)n + 1, root, NULL),
                             CUST_OK);
        for (int i = 0; i < n; i++) { /* one bit changed */
            memcpy(ext, want, (size_t)n * H);
            flip(ext, i, 8);
            assert_int_not_equal(cust_tlog_verify_inclusion(idx, size, leaves[idx],
                                                            (const unsigned char(*)[H])ext,
                                                            (size_t)n, root, NULL),
                                 CUST_OK);
        }
        if (n > 0) /* a component removed */
            assert_int_not_equal(
                cust_tlog_verify_inclusion(idx, size, leaves[idx], pw, (size_t)n - 1, root, NULL),
                CUST_OK);
    }
}

static void test_consistency_vectors(void **state)
{
    (void)state;
    make_leaves();
    for (size_t v = 0; v < CUST_ARRAY_LEN(consistency); v++) {
        const struct vec *x = &consistency[v];
        unsigned char want[4][H], got[CUST_TLOG_MAX_PROOF][H], r1[H], r2[H];
        for (int i = 0; i < x->n; i++)
            hash_of(x->proof[i], want[i]);
        int n = cust_tlog_consistency_proof(CL, x->b, x->a, got);
        assert_int_equal(n, x->n);
        if (n)
            assert_memory_equal(got, want, (size_t)n * H);
        hash_of(root_hex[x->a - 1], r1);
        hash_of(root_hex[x->b - 1], r2);
        const unsigned char(*pw)[H] = (const unsigned char(*)[H])want;
        assert_int_equal(cust_tlog_verify_consistency(x->a, x->b, pw, (size_t)n, r1, r2, NULL),
                         CUST_OK);
        if (n == 0)
            continue;
        /* the corruptions of the reference suite */
        assert_int_not_equal(
            cust_tlog_verify_consistency(x->a - 1, x->b, pw, (size_t)n, r1, r2, NULL), CUST_OK);
        assert_int_not_equal(
            cust_tlog_verify_consistency(x->a + 1, x->b, pw, (size_t)n, r1, r2, NULL), CUST_OK);
        assert_int_not_equal(
            cust_tlog_verify_consistency(x->a ^ 2, x->b, pw, (size_t)n, r1, r2, NULL), CUST_OK);
        assert_int_not_equal(
            cust_tlog_verify_consistency(x->a, x->b * 2, pw, (size_t)n, r1, r2, NULL), CUST_OK);
        assert_int_not_equal(
            cust_tlog_verify_consistency(x->a, x->b / 2, pw, (size_t)n, r1, r2, NULL), CUST_OK);
        assert_int_not_equal(cust_tlog_verify_consistency(x->a, x->b, pw, (size_t)n, r2, r1, NULL),
                             CUST_OK);
        assert_int_not_equal(cust_tlog_verify_consistency(x->a, x->b, pw, 0, r1, r2, NULL),
                             CUST_OK);
        assert_int_not_equal(
            cust_tlog_verify_consistency(x->a, x->b, pw, (size_t)n - 1, r1, r2, NULL), CUST_OK);
        unsigned char ext[CUST_TLOG_MAX_PROOF][H];
        const unsigned char *extra[] = {r1, r2, want[0]};
        for (size_t e = 0; e < CUST_ARRAY_LEN(extra); e++) {
            memcpy(ext, want, (size_t)n * H);
            memcpy(ext[n], extra[e], H);
            assert_int_not_equal(cust_tlog_verify_consistency(x->a, x->b,
                                                              (const unsigned char(*)[H])ext,
                                                              (size_t)n + 1, r1, r2, NULL),
                                 CUST_OK);
            memcpy(ext[0], extra[e], H);
            memcpy(ext + 1, want, (size_t)n * H);
            assert_int_not_equal(cust_tlog_verify_consistency(x->a, x->b,
                                                              (const unsigned char(*)[H])ext,
                                                              (size_t)n + 1, r1, r2, NULL),
                                 CUST_OK);
        }
        for (int i = 0; i < n; i++) {
            memcpy(ext, want, (size_t)n * H);
            flip(ext, i, 16);
            assert_int_not_equal(cust_tlog_verify_consistency(x->a, x->b,
                                                              (const unsigned char(*)[H])ext,
                                                              (size_t)n, r1, r2, NULL),
                                 CUST_OK);
        }
    }
    /* sizes that are always consistent, and time travel */
    unsigned char a[H], b[H];
    cust_tlog_sha256("a", 1, a);
    cust_tlog_sha256("b", 1, b);
    assert_int_equal(cust_tlog_verify_consistency(0, 0, NULL, 0, a, a, NULL), CUST_OK);
    assert_int_equal(cust_tlog_verify_consistency(0, 5, NULL, 0, a, b, NULL), CUST_OK);
    assert_int_not_equal(cust_tlog_verify_consistency(1, 1, NULL, 0, a, b, NULL), CUST_OK);
    assert_int_not_equal(cust_tlog_verify_consistency(2, 1, NULL, 0, a, b, NULL), CUST_OK);
    assert_int_not_equal(cust_tlog_verify_consistency(1, 2, NULL, 0, a, b, NULL), CUST_OK);
}

/* Every proof of every tree up to 70 leaves verifies, and a flipped bit or a wrong size fails. */
static void test_proofs_exhaustive(void **state)
{
    (void)state;
    enum { N = 70 };
    unsigned char lv[N][H], roots[N + 1][H], proof[CUST_TLOG_MAX_PROOF][H];
    for (int i = 0; i < N; i++) {
        char d[8];
        snprintf(d, sizeof(d), "%d", i);
        cust_tlog_leaf_hash(d, strlen(d), lv[i]);
    }
    const unsigned char(*L)[H] = (const unsigned char(*)[H])lv;
    const unsigned char(*P)[H] = (const unsigned char(*)[H])proof;
    for (uint64_t n = 0; n <= N; n++)
        cust_tlog_root(L, n, roots[n]);
    for (uint64_t n = 1; n <= N; n++) {
        for (uint64_t i = 0; i < n; i++) {
            int len = cust_tlog_inclusion_proof(L, n, i, proof);
            assert_true(len >= 0);
            assert_int_equal(
                cust_tlog_verify_inclusion(i, n, lv[i], P, (size_t)len, roots[n], NULL), CUST_OK);
            if (len) {
                flip(proof, len - 1, 1);
                assert_int_not_equal(
                    cust_tlog_verify_inclusion(i, n, lv[i], P, (size_t)len, roots[n], NULL),
                    CUST_OK);
            }
            assert_int_not_equal(
                cust_tlog_verify_inclusion(i, n + 1, lv[i], P, (size_t)len, roots[n], NULL),
                CUST_OK);
        }
        for (uint64_t m = 0; m <= n; m++) {
            int len = cust_tlog_consistency_proof(L, n, m, proof);
            assert_true(len >= 0);
            assert_int_equal(
                cust_tlog_verify_consistency(m, n, P, (size_t)len, roots[m], roots[n], NULL),
                CUST_OK);
            if (m > 0 && m < n) {
                assert_int_not_equal(cust_tlog_verify_consistency(m, n, P, (size_t)len, roots[m],
                                                                  roots[n - 1], NULL),
                                     CUST_OK);
                flip(proof, 0, 1);
                assert_int_not_equal(
                    cust_tlog_verify_consistency(m, n, P, (size_t)len, roots[m], roots[n], NULL),
                    CUST_OK);
            }
        }
    }
    assert_int_equal(cust_tlog_inclusion_proof(L, 3, 3, proof), -1);
    assert_int_equal(cust_tlog_consistency_proof(L, 3, 4, proof), -1);
}

/* ---- Ed25519: RFC 8032 section 7.1 ---------------------------------------------------------- */

static void test_rfc8032(void **state)
{
    (void)state;
    static const struct {
        const char *seed, *pk, *msg, *sig;
    } t[] = {
        {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
         "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
         "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701"
         "c"
         "f9b46bd25bf5f0595bbe24655141438e7a100b"},
        {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
         "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
         "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d"
         "0"
         "f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
        {"c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
         "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
         "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f7609"
         "8"
         "4dc6594a7c15e9716ed28dc027beceea1ec40a"},
    };
    for (size_t i = 0; i < CUST_ARRAY_LEN(t); i++) {
        unsigned char seed[32], pk[32], want_pk[32], sk[64], msg[8], sig[64], want_sig[64];
        size_t n, mlen = 0;
        unhex(t[i].seed, seed, &n);
        unhex(t[i].pk, want_pk, &n);
        if (*t[i].msg)
            unhex(t[i].msg, msg, &mlen);
        unhex(t[i].sig, want_sig, &n);
        crypto_sign_seed_keypair(pk, sk, seed);
        assert_memory_equal(pk, want_pk, 32);
        crypto_sign_detached(sig, NULL, msg, mlen, sk);
        assert_memory_equal(sig, want_sig, 64);
        assert_int_equal(crypto_sign_verify_detached(want_sig, msg, mlen, pk), 0);
        want_sig[10] ^= 1;
        assert_int_not_equal(crypto_sign_verify_detached(want_sig, msg, mlen, pk), 0);
    }
}

/* ---- signed notes -----------------------------------------------------------------------------
 */

static const char go_skey[] =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
static const char go_vkey[] = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
static const char go_text[] = "If you think cryptography is the answer to your problem,\n"
                              "then you don't know what your problem is.\n";
static const char go_note[] = "If you think cryptography is the answer to your problem,\n"
                              "then you don't know what your problem is.\n"
                              "\n"
                              "\xe2\x80\x94 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZ"
                              "InNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

static void test_go_note_vector(void **state)
{
    (void)state;
    struct cust_note_signer s;
    struct cust_note_verifier v;
    assert_int_equal(cust_note_signer_parse(go_skey, &s, NULL), CUST_OK);
    assert_int_equal(s.key_id, 0xc74f20a3u);
    assert_string_equal(s.name, "PeterNeumann");
    char *vt = cust_note_verifier_text(&s);
    assert_string_equal(vt, go_vkey);
    free(vt);
    assert_int_equal(cust_note_verifier_parse(go_vkey, &v, NULL), CUST_OK);
    assert_int_equal(v.key_id, 0xc74f20a3u);
    char *note = cust_note_sign(go_text, &s, NULL);
    assert_string_equal(note, go_note); /* Ed25519 is deterministic: byte for byte */
    free(note);
    struct cust_note n;
    assert_int_equal(cust_note_open(go_note, strlen(go_note), &v, &n, NULL), CUST_OK);
    assert_true(n.verified);
    assert_int_equal(n.signatures, 1);
    assert_int_equal(n.text_len, strlen(go_text));
    assert_memory_equal(n.text, go_text, n.text_len);
    cust_note_release(&n);
    /* a changed text does not verify */
    char bad[sizeof(go_note)];
    memcpy(bad, go_note, sizeof(go_note));
    bad[3] = 'Y';
    struct cust_err err = CUST_ERR_INIT;
    assert_int_equal(cust_note_open(bad, strlen(bad), &v, &n, &err), CUST_EINTEGRITY);
    /* another key (same name, another ID) does not vouch for it */
    char *sk2, *vk2;
    assert_int_equal(cust_note_key_generate("PeterNeumann", &sk2, &vk2, NULL), CUST_OK);
    struct cust_note_verifier v2;
    assert_int_equal(cust_note_verifier_parse(vk2, &v2, NULL), CUST_OK);
    assert_int_equal(cust_note_open(go_note, strlen(go_note), &v2, &n, &err), CUST_EINTEGRITY);
    assert_non_null(strstr(err.msg, "not signed by"));
    free(sk2);
    free(vk2);
    /* without a verifier it parses */
    assert_int_equal(cust_note_open(go_note, strlen(go_note), NULL, &n, NULL), CUST_OK);
    assert_false(n.verified);
    cust_note_release(&n);
    /* a key ID that does not match the key is refused */
    assert_int_equal(
        cust_note_verifier_parse(
            "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", &v, NULL),
        CUST_EINVAL);
    cust_note_signer_wipe(&s);
}

static void test_c2sp_note_vector(void **state)
{
    (void)state;
    static const char vkey[] =
        "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";
    static const char note[] =
        "This is an example message.\n\n"
        "\xe2\x80\x94 example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi"
        "2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n";
    struct cust_note_verifier v;
    assert_int_equal(cust_note_verifier_parse(vkey, &v, NULL), CUST_OK);
    assert_int_equal(v.key_id, 0x530d903au);
    struct cust_note n;
    assert_int_equal(cust_note_open(note, strlen(note), &v, &n, NULL), CUST_OK);
    assert_true(n.verified);
    assert_string_equal(n.text, "This is an example message.\n");
    cust_note_release(&n);
}

static void test_note_malformed(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "no blank line\n\xe2\x80\x94 k AAAAAAA=\n",
        "text\n\n",
        "text\n\n- k AAAAAAAA\n",                 /* not an em dash */
        "text\n\n\xe2\x80\x94 k\n",               /* no signature */
        "text\n\n\xe2\x80\x94 k AAAA\n",          /* fewer than 5 bytes */
        "text\n\n\xe2\x80\x94 k !!!!!!!!\n",      /* not base64 */
        "text\n\n\xe2\x80\x94 k+x AAAAAAAA\n",    /* '+' in the name */
        "text\n\n\xe2\x80\x94 k AAAAAAAA",        /* no final newline */
        "te\txt\n\n\xe2\x80\x94 k AAAAAAAA\n",    /* a control character */
        "te\xff xt\n\n\xe2\x80\x94 k AAAAAAAA\n", /* not UTF-8 */
    };
    for (size_t i = 0; i < CUST_ARRAY_LEN(bad); i++) {
        struct cust_note n;
        struct cust_err err = CUST_ERR_INIT;
        assert_int_equal(cust_note_open(bad[i], strlen(bad[i]), NULL, &n, &err), CUST_EINVAL);
        assert_true(err.msg[0] != '\0');
    }
    struct cust_note_signer s;
    assert_int_equal(cust_note_signer_parse(go_skey, &s, NULL), CUST_OK);
    assert_null(cust_note_sign("no newline", &s, NULL));
    assert_null(cust_note_sign("", &s, NULL));
    assert_false(cust_note_name_ok("a b"));
    assert_false(cust_note_name_ok("a+b"));
    assert_false(cust_note_name_ok("a\xc2\xa0z")); /* U+00A0 no-break space */
    assert_false(cust_note_name_ok(""));
    assert_true(cust_note_name_ok("county.example/jail-ledger"));
    assert_true(cust_note_name_ok("condado.example/cárcel"));
    char *sk, *vk;
    assert_int_equal(cust_note_key_generate("a b", &sk, &vk, NULL), CUST_EINVAL);
    assert_int_equal(cust_note_signer_parse("PRIVATE+KEY+x+00000000+AAAA", &s, NULL), CUST_EINVAL);
    assert_int_equal(cust_note_signer_parse("x+00000000+AAAA", &s, NULL), CUST_EINVAL);
}

static void test_generated_keys_roundtrip(void **state)
{
    (void)state;
    char *sk, *vk;
    assert_int_equal(cust_note_key_generate("county.example/ledger", &sk, &vk, NULL), CUST_OK);
    assert_true(strncmp(sk, "PRIVATE+KEY+county.example/ledger+", 34) == 0);
    struct cust_note_signer s;
    struct cust_note_verifier v;
    assert_int_equal(cust_note_signer_parse(sk, &s, NULL), CUST_OK);
    assert_int_equal(cust_note_verifier_parse(vk, &v, NULL), CUST_OK);
    assert_int_equal(s.key_id, v.key_id);
    char *vt = cust_note_verifier_text(&s);
    assert_string_equal(vt, vk);
    char *note = cust_note_sign("county.example/ledger\n3\nAAAA\n", &s, NULL);
    assert_non_null(note);
    struct cust_note n;
    assert_int_equal(cust_note_open(note, strlen(note), &v, &n, NULL), CUST_OK);
    cust_note_release(&n);
    free(note);
    free(vt);
    free(sk);
    free(vk);
    cust_note_signer_wipe(&s);
}

/* ---- checkpoints ------------------------------------------------------------------------------
 */

static void test_checkpoint_format(void **state)
{
    (void)state;
    static const char ex[] = "example.com/behind-the-sofa\n20852163\n"
                             "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
    struct cust_checkpoint c;
    assert_int_equal(cust_checkpoint_parse(ex, strlen(ex), &c, NULL), CUST_OK);
    assert_string_equal(c.origin, "example.com/behind-the-sofa");
    assert_true(c.size == 20852163);
    char *back = cust_checkpoint_format(&c);
    assert_string_equal(back, ex);
    free(back);
    static const char ext[] = "o\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\nextension\n";
    assert_int_equal(cust_checkpoint_parse(ext, strlen(ext), &c, NULL), CUST_OK);
    assert_true(c.size == 0);
    static const char *const bad[] = {
        "",
        "o\n1\n",
        "o\n01\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
        "o\n-1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
        "o\n1x\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
        "o\n99999999999999999999\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
        "o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jx\n",
        "o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=",
        "o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n",
        "\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
        /* not canonical base64: a non-ASCII letter (libsodium 1.0.18 would decode it), spare
         * bits set, a missing pad */
        "o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h\xce\x92"
        "B2MPA3j2jxq2I=\n",
        "o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=\n",
        "o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n",
    };
    for (size_t i = 0; i < CUST_ARRAY_LEN(bad); i++) {
        struct cust_err err = CUST_ERR_INIT;
        assert_int_equal(cust_checkpoint_parse(bad[i], strlen(bad[i]), &c, &err), CUST_EINVAL);
        assert_non_null(strstr(err.msg, "checkpoint"));
    }
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roots),
        cmocka_unit_test(test_inclusion_vectors),
        cmocka_unit_test(test_consistency_vectors),
        cmocka_unit_test(test_proofs_exhaustive),
        cmocka_unit_test(test_rfc8032),
        cmocka_unit_test(test_go_note_vector),
        cmocka_unit_test(test_c2sp_note_vector),
        cmocka_unit_test(test_note_malformed),
        cmocka_unit_test(test_generated_keys_roundtrip),
        cmocka_unit_test(test_checkpoint_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
