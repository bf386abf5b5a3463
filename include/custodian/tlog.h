/*
 * tlog.h - the transparency-log formats the ledger publishes (docs/internals/ledger.md).
 *
 * Pure functions, no store: the RFC 6962 / RFC 9162 Merkle tree (hashes, inclusion and
 * consistency proofs and their verification), C2SP signed notes signed with Ed25519
 * (c2sp.org/signed-note; libsodium), their key formats (the Go sumdb/note encodings), and
 * C2SP checkpoints (c2sp.org/tlog-checkpoint). The ledger module (ledger.h) applies them to
 * the store's ledger; anyone holding a checkpoint, a proof and the public key can check them
 * with any implementation of those specifications.
 */
#ifndef CUSTODIAN_TLOG_H
#define CUSTODIAN_TLOG_H

#include "custodian/status.h"

#define CUST_TLOG_HASH      32  /* SHA-256 */
#define CUST_TLOG_MAX_PROOF 130 /* hashes in any proof of a tree of at most 2^64-1 leaves */

/* ---- Merkle tree (RFC 6962 section 2.1, RFC 9162 section 2.1) ------------------------------- */

/* SHA-256 of `len` bytes. */
void cust_tlog_sha256(const void *data, size_t len, unsigned char out[CUST_TLOG_HASH]);
/* The leaf hash: SHA-256(0x00 || data). */
void cust_tlog_leaf_hash(const void *data, size_t len, unsigned char out[CUST_TLOG_HASH]);
/* An interior node: SHA-256(0x01 || left || right). */
void cust_tlog_node_hash(const unsigned char left[CUST_TLOG_HASH],
                         const unsigned char right[CUST_TLOG_HASH],
                         unsigned char out[CUST_TLOG_HASH]);

/*
 * A tree grown one leaf at a time: the roots of its perfect subtrees, largest first (a
 * "compact range"), so the root of the first n leaves is known after the n-th push without
 * keeping the leaves.
 */
struct cust_tlog_tree {
    uint64_t size;
    unsigned char stack[64][CUST_TLOG_HASH];
};
void cust_tlog_tree_init(struct cust_tlog_tree *t);
void cust_tlog_tree_push(struct cust_tlog_tree *t, const unsigned char leaf_hash[CUST_TLOG_HASH]);
/* MTH of the leaves pushed so far (of no leaves: SHA-256 of the empty string). */
void cust_tlog_tree_root(const struct cust_tlog_tree *t, unsigned char root[CUST_TLOG_HASH]);

/* MTH(D[0:n]) of `n` leaf hashes. */
void cust_tlog_root(const unsigned char (*leaves)[CUST_TLOG_HASH], uint64_t n,
                    unsigned char root[CUST_TLOG_HASH]);
/*
 * The inclusion proof (audit path, RFC 6962 2.1.1) of leaf `index` in the tree of the `n`
 * leaf hashes, deepest sibling first, into proof[]; returns the number of hashes, or -1 when
 * index >= n.
 */
int cust_tlog_inclusion_proof(const unsigned char (*leaves)[CUST_TLOG_HASH], uint64_t n,
                              uint64_t index, unsigned char proof[][CUST_TLOG_HASH]);
/*
 * The consistency proof (RFC 6962 2.1.2) between the tree of the first `m` leaves and the tree
 * of all `n`; returns the number of hashes (0 when m == 0 or m == n), or -1 when m > n.
 */
int cust_tlog_consistency_proof(const unsigned char (*leaves)[CUST_TLOG_HASH], uint64_t n,
                                uint64_t m, unsigned char proof[][CUST_TLOG_HASH]);
/* RFC 9162 2.1.3.2: CUST_OK when `proof` shows `leaf_hash` at `index` in the tree (size, root);
 * CUST_EINTEGRITY otherwise (err says why). */
enum cust_status cust_tlog_verify_inclusion(uint64_t index, uint64_t size,
                                            const unsigned char leaf_hash[CUST_TLOG_HASH],
                                            const unsigned char (*proof)[CUST_TLOG_HASH],
                                            size_t len, const unsigned char root[CUST_TLOG_HASH],
                                            struct cust_err *err);
/* RFC 9162 2.1.4.2: CUST_OK when `proof` shows the tree (n, root_n) extends (m, root_m). */
enum cust_status
cust_tlog_verify_consistency(uint64_t m, uint64_t n, const unsigned char (*proof)[CUST_TLOG_HASH],
                             size_t len, const unsigned char root_m[CUST_TLOG_HASH],
                             const unsigned char root_n[CUST_TLOG_HASH], struct cust_err *err);

/* ---- keys and signed notes (c2sp.org/signed-note, Ed25519) --------------------------------- */

#define CUST_NOTE_NAME_MAX 256 /* bytes of a key name, NUL included */

/* A signing key: its name, the Ed25519 secret key (seed + public key) and the key ID. */
struct cust_note_signer {
    char name[CUST_NOTE_NAME_MAX];
    unsigned char sk[64]; /* libsodium layout: 32-byte seed then the 32-byte public key */
    uint32_t key_id;
};

/* A verifier key: name, Ed25519 public key, key ID. */
struct cust_note_verifier {
    char name[CUST_NOTE_NAME_MAX];
    unsigned char pk[32];
    uint32_t key_id;
};

/* The key ID: the first 4 bytes (big-endian) of SHA-256(name || 0x0A || 0x01 || public key). */
uint32_t cust_note_key_id(const char *name, const unsigned char pk[32]);
/* A valid key name: non-empty, at most CUST_NOTE_NAME_MAX-1 bytes, UTF-8, no spaces, no '+'. */
bool cust_note_name_ok(const char *name);

/*
 * A new key pair named `name` (from libsodium's random source), as the two text encodings:
 * *skey = "PRIVATE+KEY+<name>+<id hex>+<base64(0x01 || seed)>", *vkey = "<name>+<id hex>+
 * <base64(0x01 || public key)>" (new heap strings, no newline; the Go sumdb/note formats).
 */
enum cust_status cust_note_key_generate(const char *name, char **skey, char **vkey,
                                        struct cust_err *err) CUST_WARN_UNUSED;
/* Parse a signer key (as above; surrounding whitespace ignored). CUST_EINVAL when malformed. */
enum cust_status cust_note_signer_parse(const char *skey, struct cust_note_signer *out,
                                        struct cust_err *err) CUST_WARN_UNUSED;
/* Parse a verifier key; its key ID must match name and key. CUST_EINVAL when malformed. */
enum cust_status cust_note_verifier_parse(const char *vkey, struct cust_note_verifier *out,
                                          struct cust_err *err) CUST_WARN_UNUSED;
/* Forget a signer's secret (zeroes the struct). */
void cust_note_signer_wipe(struct cust_note_signer *s);
/* The verifier key of a signer, as text (a new heap string). */
char *cust_note_verifier_text(const struct cust_note_signer *s);

/*
 * Sign `text` (UTF-8, ending in a newline, no other control characters): returns the signed
 * note "text\n— name base64(key ID || signature)\n" as a new heap string, or NULL with
 * CUST_EINVAL in err when the text is not a valid note text.
 */
char *cust_note_sign(const char *text, const struct cust_note_signer *s, struct cust_err *err);

/* A parsed note: the text (the signed bytes) and how many signature lines it carried. */
struct cust_note {
    char *text; /* heap, NUL-terminated: the note text including its final newline */
    size_t text_len;
    int signatures;
    bool verified; /* a signature by the verifier given to cust_note_open verified */
};

/*
 * Parse a signed note of `len` bytes. With a verifier `v`, a signature line with v's name and
 * key ID must be present and verify (a failed one rejects the note: CUST_EINTEGRITY); other
 * keys' lines are ignored. Without one, the signatures are only parsed. CUST_EINVAL for a
 * malformed note. Free with cust_note_release.
 */
enum cust_status cust_note_open(const char *data, size_t len, const struct cust_note_verifier *v,
                                struct cust_note *out, struct cust_err *err) CUST_WARN_UNUSED;
void cust_note_release(struct cust_note *n);

/*
 * Key files. The signer key file holds the signer key text and a newline; it is created mode
 * 0600, never over an existing file, and a key file group or others may access is refused on
 * load. The verifier key file (the public key, to publish) holds the verifier key and a
 * newline. *vkey (may be NULL) gets the verifier key text (new heap string).
 */
enum cust_status cust_note_keyfiles_create(const char *name, const char *key_path,
                                           const char *pub_path, char **vkey,
                                           struct cust_err *err) CUST_WARN_UNUSED;
enum cust_status cust_note_signer_load(const char *path, struct cust_note_signer *out,
                                       struct cust_err *err) CUST_WARN_UNUSED;
enum cust_status cust_note_verifier_load(const char *path, struct cust_note_verifier *out,
                                         struct cust_err *err) CUST_WARN_UNUSED;
/* A whole small file (at most `cap` bytes) as a new NUL-terminated heap string. */
enum cust_status cust_tlog_read_file(const char *path, size_t cap, char **out, size_t *len,
                                     struct cust_err *err) CUST_WARN_UNUSED;

/* ---- checkpoints (c2sp.org/tlog-checkpoint) ------------------------------------------------ */

/* A checkpoint body: origin line, tree size (decimal), root hash (base64), then any extension
 * lines (kept, not interpreted). */
struct cust_checkpoint {
    char origin[CUST_NOTE_NAME_MAX];
    uint64_t size;
    unsigned char root[CUST_TLOG_HASH];
};

/* The note text of a checkpoint: "origin\nsize\nbase64(root)\n" (a new heap string). */
char *cust_checkpoint_format(const struct cust_checkpoint *c);
/* Parse a checkpoint note text (the text of a signed note, or a bare body). CUST_EINVAL with
 * the line and reason when malformed. */
enum cust_status cust_checkpoint_parse(const char *text, size_t len, struct cust_checkpoint *out,
                                       struct cust_err *err) CUST_WARN_UNUSED;

/*
 * A checkpoint as kept in a file or a backup's manifest: a signed note (its signature checked
 * with `v` when given: a failing or missing one is CUST_EINTEGRITY) or, without a verifier, a
 * bare checkpoint text. *signed_note says which it was.
 */
enum cust_status cust_checkpoint_read(const char *data, size_t len,
                                      const struct cust_note_verifier *v,
                                      struct cust_checkpoint *cp, bool *signed_note,
                                      struct cust_err *err) CUST_WARN_UNUSED;

/*
 * Decode canonical base64 (RFC 4648 section 4, padded): exactly `len` characters, which must be
 * what encoding the decoded bytes gives back (no stray characters, no non-zero spare bits).
 * False when not, or when the bytes do not fit in `cap`.
 */
bool cust_tlog_unb64(const char *s, size_t len, unsigned char *out, size_t cap, size_t *n);
/* base64 (RFC 4648 section 4, padded) of a hash into out (45 bytes with the NUL). */
void cust_tlog_hash_b64(const unsigned char h[CUST_TLOG_HASH], char out[45]);
/* Lowercase hex of a hash into out (65 bytes with the NUL). */
void cust_tlog_hash_hex(const unsigned char h[CUST_TLOG_HASH], char out[65]);

#endif
