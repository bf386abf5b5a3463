/*
 * ledger.h - the append-only, hash-chained audit ledger (docs/internals/ledger.md).
 *
 * Each entry records who (actor, role), did what (action) to which object (object_type,
 * object_id), with what outcome, why (purpose), when (UTC) and details (JSON). Entry N's
 * hash is SHA-256 over a canonical, length-prefixed encoding of all its other columns and
 * entry N-1's hash (prev_hash; 64 zeros for the first entry). The ledger lives in the store
 * (table `ledger`) and is appended inside the caller's transaction, so an entry exists if
 * and only if the change it records was committed.
 */
#ifndef CUSTODIAN_LEDGER_H
#define CUSTODIAN_LEDGER_H

#include "custodian/buf.h"
#include "custodian/store.h"
#include "custodian/store_rows.h"
#include "custodian/tlog.h"

#define CUST_LEDGER_GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

struct cust_ledger_entry {
    const char *actor;       /* the acting user (required) */
    const char *role;        /* e.g. "clerk", "cli" (required) */
    const char *action;      /* e.g. "import", "export", "disclosure", "login" (required) */
    const char *object_type; /* e.g. "file", "booking", "request" (required) */
    const char *object_id;   /* (required) */
    const char *outcome;     /* e.g. "ok", "rejected", "partial" (required) */
    const char *purpose;     /* why; may be "" but not NULL */
    const char *detail;      /* compact JSON object, or NULL */
};

/*
 * Append `e`. Runs inside the caller's transaction when one is open (cust_store_begin), else in
 * its own, so an entry exists if and only if the change it records was committed.
 */
enum cust_status cust_ledger_append(struct cust_store *s, const struct cust_ledger_entry *e,
                                    struct cust_err *err) CUST_WARN_UNUSED;
/* Like cust_ledger_append, and sets *seq_out to the new entry's sequence number. */
enum cust_status cust_ledger_append_seq(struct cust_store *s, const struct cust_ledger_entry *e,
                                        int64_t *seq_out, struct cust_err *err) CUST_WARN_UNUSED;

/*
 * The spool (src/ledger/spool.c): entries written durably aside while another writer (a long
 * import) holds the store, appended to the ledger in order as soon as it is free. Each such
 * entry's detail gains "spooled": {"id": spool id, "at": when it happened}. Thread-safe.
 */
struct cust_ledger_spool;
/* Open (create) the spool file at `path`; entries an earlier run left there stay pending. */
enum cust_status cust_ledger_spool_open(const char *path, struct cust_ledger_spool **out,
                                        struct cust_err *err) CUST_WARN_UNUSED;
void cust_ledger_spool_close(struct cust_ledger_spool *sp);
/* Entries waiting in the spool. */
int64_t cust_ledger_spool_pending(struct cust_ledger_spool *sp);
/* Append `e` to the ledger if the store's write lock comes within `wait_ms` (after the entries
 * already spooled), else write it to the spool (fsync'd) and set *spooled. An error only when
 * neither could be done, or `e` itself is invalid. */
enum cust_status cust_ledger_append_or_spool(struct cust_store *s, struct cust_ledger_spool *sp,
                                             const struct cust_ledger_entry *e, int wait_ms,
                                             bool *spooled, struct cust_err *err) CUST_WARN_UNUSED;
/* Append every spooled entry to the ledger (one transaction) and empty the spool. */
enum cust_status cust_ledger_spool_drain(struct cust_store *s, struct cust_ledger_spool *sp,
                                         struct cust_err *err) CUST_WARN_UNUSED;

/*
 * The tamper-evident row encoder (docs/internals/ledger.md "Encoding"): the one way custodian
 * encodes a stored row it hashes - ledger entries (chain hash and Merkle leaf), the desk's
 * disclosure rows (cust_desk_disclosure_hash), and any row a later table adds - so `audit
 * verify` recomputes every hash from the row alone.
 *
 * A row is its fields in a fixed order, the first a domain string naming the kind of row and
 * its encoding version ("custodian-ledger-v1", "custodian-disclosure-v1"). A field is its
 * length as 8 bytes big-endian, then its bytes; NULL is the length 2^64-1 and no bytes (so
 * NULL != "" and no byte can move between fields: the encoding is injective); an integer is
 * its decimal text ("-12"). Each call appends one field to `b`; hash the result with
 * cust_tlog_sha256 (tlog.h):
 *
 *     struct cust_buf b = CUST_BUF_INIT;
 *     cust_ledger_enc_text(&b, "custodian-disclosure-v1");
 *     cust_ledger_enc_text(&b, row->request_id);   // NULL allowed
 *     cust_ledger_enc_int(&b, row->ord);
 *     cust_tlog_sha256(b.buf, b.len, digest);
 *     cust_buf_release(&b);
 *
 * A kind's fields or their order change only with a new domain ("-v2"), never silently:
 * stored hashes must stay checkable. A field is never left out for being absent: encode NULL.
 */
void cust_ledger_enc_bytes(struct cust_buf *b, const void *p, size_t n);
void cust_ledger_enc_text(struct cust_buf *b, const char *s); /* NULL allowed */
void cust_ledger_enc_int(struct cust_buf *b, int64_t v);

/* An entry's canonical encoding (all columns but `hash`) into `out` (reset first): the bytes
 * its chain hash and its Merkle leaf are computed over. Tagged "custodian-ledger-v2" with the
 * `rows` commitment after `detail`; an entry from before schema 9 (rows NULL) keeps its
 * "custodian-ledger-v1" encoding. */
void cust_ledger_encode(const struct cust_ledger_row *row, struct cust_buf *out);
/* The chain hash of a row as stored: SHA-256 of its encoding, as 64 lowercase hex digits + NUL. */
void cust_ledger_hash(const struct cust_ledger_row *row, char out[65]);
/* Its Merkle leaf hash (RFC 6962): SHA-256(0x00 || encoding). */
void cust_ledger_leaf_hash(const struct cust_ledger_row *row, unsigned char out[CUST_TLOG_HASH]);

struct cust_ledger_report {
    int64_t entries;  /* entries checked */
    int64_t bad_seq;  /* first bad entry's seq (0 when intact, or when only the tree is bad) */
    char reason[320]; /* why it is bad */
    unsigned char root[CUST_TLOG_HASH]; /* the Merkle tree head of all entries (when intact) */
    bool checkpoint_checked;            /* a checkpoint was given and compared */
    bool checkpoint_bad;                /* ... and the store does not extend it */
};

/*
 * Walk the whole chain. CUST_OK when intact; CUST_EINTEGRITY when an entry was changed,
 * deleted, inserted or reordered (rep->bad_seq names the first bad one; err says why).
 * rep->root is the Merkle tree head of the entries (leaves in seq order).
 */
enum cust_status cust_ledger_verify(struct cust_store *s, struct cust_ledger_report *rep,
                                    struct cust_err *err);
/*
 * cust_ledger_verify, then prove the store still extends the checkpoint `cp` (NULL: none):
 * at least cp->size entries, and the tree of the first cp->size has cp->root. A cut tail (with
 * `ledger_head` rewound to match), a rewritten, reordered or replaced history: CUST_EINTEGRITY
 * with rep->checkpoint_bad. The checkpoint's signature is the caller's to check (tlog.h).
 */
enum cust_status cust_ledger_verify_checkpoint(struct cust_store *s,
                                               const struct cust_checkpoint *cp,
                                               struct cust_ledger_report *rep,
                                               struct cust_err *err);

/* Every entry's leaf hash in seq order (*leaves: a new array of *n hashes; free()). The chain
 * is not checked (cust_ledger_verify does that). */
enum cust_status cust_ledger_leaves(struct cust_store *s, unsigned char (**leaves)[CUST_TLOG_HASH],
                                    uint64_t *n, struct cust_err *err);
/* The tree head: size and root of the tree over every entry. */
enum cust_status cust_ledger_tree_head(struct cust_store *s, uint64_t *size,
                                       unsigned char root[CUST_TLOG_HASH], struct cust_err *err);
/* The checkpoint note of `c`: signed by `signer` (a signed note), or the bare note text when
 * signer is NULL. A new heap string; NULL with err on failure. */
char *cust_ledger_checkpoint(const struct cust_checkpoint *c, const struct cust_note_signer *signer,
                             struct cust_err *err);

/* ---- checkpoints the server writes (ledger.md "Checkpoints from the server") ------------- */

struct cust_ledger_publish_policy {
    uint64_t every_entries; /* a new checkpoint after this many entries (>= 1) */
    int64_t every_seconds;  /* ... or after this long, if the ledger grew (0: never by time) */
    const char *dir;        /* also write DIR/checkpoint-SIZE.txt (NULL: the store only) */
};

/*
 * Write a new checkpoint when one is due under `p` at `now` (unix seconds): the ledger is
 * verified (chain, tree, and that it still extends the last checkpoint kept, which a log must
 * never contradict), the head signed by `signer` and kept in the store (and `p->dir`).
 * *written gets the new checkpoint's size, or 0 when none was due. CUST_EINTEGRITY when the
 * ledger does not verify or no longer extends the last checkpoint: nothing is signed.
 */
enum cust_status cust_ledger_publish(struct cust_store *s, const struct cust_note_signer *signer,
                                     const struct cust_ledger_publish_policy *p, int64_t now,
                                     uint64_t *written, struct cust_err *err);
/* The latest checkpoint kept in the store (a signed note; *note a new string); CUST_ENOTFOUND
 * when none was written yet. */
enum cust_status cust_ledger_checkpoint_latest(struct cust_store *s, char **note,
                                               struct cust_err *err);

/* ---- rows (docs/internals/ledger.md "Rows") ------------------------------------------- */

/* A row's content hash is store_rows.h's cust_row_hash (beside the rows, so a backend can hash a
 * row it writes). */

enum cust_row_problem {
    CUST_ROW_CHANGED,   /* its content does not match the entry that wrote it last */
    CUST_ROW_DELETED,   /* committed, gone */
    CUST_ROW_INSERTED,  /* there, no entry commits to it */
    CUST_ROW_REWRITTEN, /* an append-only row written more than once */
    CUST_ROW_JOURNAL,   /* the journal does not match an entry's commitment */
    CUST_ROW_DERIVED    /* a derived copy disagrees with its source */
};

struct cust_ledger_row_problem {
    enum cust_row_problem kind;
    int table;     /* covered table, or -1 */
    int64_t id;    /* its integer key */
    char key[128]; /* its key as text (the integer in decimal) */
    int64_t seq;   /* the entry concerned, or 0 */
    char message[512];
};

struct cust_ledger_rows_report {
    int64_t rows;       /* rows checked */
    int64_t v2_entries; /* entries with a rows commitment */
    bool legacy;        /* no entry since schema 9: the rows are not committed yet */
    int64_t bad;        /* problems found (all, even beyond `max`) */
    struct cust_ledger_row_problem *problems; /* the first `max` of them, in table, key order */
    size_t nproblems, max;
};

/*
 * Check every row of every covered table against the journal and the journal against the
 * entries (run cust_ledger_verify first: the entries are trusted here). Collects up to
 * `max_problems` problems (at least 1), the first by table order then key. CUST_OK when none;
 * CUST_EINTEGRITY (err = the first problem's message) otherwise. Release the report with
 * cust_ledger_rows_report_release.
 */
enum cust_status cust_ledger_verify_rows(struct cust_store *s, size_t max_problems,
                                         struct cust_ledger_rows_report *rep, struct cust_err *err);
void cust_ledger_rows_report_release(struct cust_ledger_rows_report *rep);

/*
 * Check one row (covered table `table`, key as in store_rows.h) against the entry that wrote it
 * last: its content hash is the journaled one, the journal of that entry matches the entry's
 * commitment, the entry's hash matches its contents and the next entry (or the head) links to
 * it. CUST_OK, or CUST_EINTEGRITY with what is wrong; *seq (may be NULL) gets the entry.
 * For the desk, before it acts on a stored decision.
 */
enum cust_status cust_ledger_check_row(struct cust_store *s, const char *table, const void *key,
                                       size_t key_len, int64_t *seq, struct cust_err *err);
/* The same for a row with an integer key. */
enum cust_status cust_ledger_check_row_id(struct cust_store *s, const char *table, int64_t id,
                                          int64_t *seq, struct cust_err *err);

#endif
