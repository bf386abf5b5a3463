/*
 * store_rows.h - the rows the ledger commits to, and the journal of their hashes
 * (docs/internals/ledger.md "Rows").
 *
 * Every row of the record and the desk lives in a "covered" table. The store presents a row as
 * its canonical values (a flat list: the row's columns in a fixed order, then, for a row that
 * owns child rows, each child table's name, count and the children's columns), with a key and
 * a label to name it by; it never hashes. The ledger module hashes them with its one encoder,
 * and keeps the hashes in the journal: records (entry seq, table, part, n, blob) where the blob
 * holds, for each row written by the entry's transaction, the row's key and its hash (32 zero
 * bytes for a deleted row). The ledger entry commits to its journal records.
 *
 * The store remembers which covered rows a transaction wrote (inserted, changed, deleted) and
 * refuses to commit a transaction whose written rows no ledger entry has journaled, so no write
 * escapes the ledger. Writes to covered tables outside a transaction are refused.
 */
#ifndef CUSTODIAN_STORE_ROWS_H
#define CUSTODIAN_STORE_ROWS_H

#include "custodian/store.h"

enum cust_val_kind {
    CUST_VAL_NULL = 0,
    CUST_VAL_INT,
    CUST_VAL_REAL,
    CUST_VAL_BYTES /* text or blob */
};

/* One canonical value. Strings and bytes are borrowed for the duration of the callback. */
struct cust_val {
    enum cust_val_kind kind;
    int64_t i;
    double r;
    const void *p;
    size_t len;
};

/* A covered table: its name, whether its key is an integer (else text), whether its rows are
 * append-only (written once, never changed or deleted). */
struct cust_row_table {
    const char *name;
    bool int_key;
    bool append_only;
};

/* A row of a covered table (borrowed for the duration of the callback). */
struct cust_row {
    int table;       /* index into cust_store_row_tables() */
    const void *key; /* integer keys: 8 bytes big-endian; text keys: the text */
    size_t key_len;
    int64_t id;               /* the integer key (0 for a text key) */
    const struct cust_val *v; /* canonical values */
    size_t n;
    bool deleted;       /* (rows written only) the row no longer exists; no values */
    const char *orphan; /* (every row only) child rows of this child table whose parent,
                           this key, does not exist; no values */
    /* (rows written only) the row's hash as its writer computed it from the values it bound
     * (cust_row_hash; a booking version, never changed: not read back); no values */
    const unsigned char *hash;
};

/* A row's content hash (32 bytes): SHA-256 over the ledger's canonical encoding of
 * "custodian-row-v1", the table's name and the row's values (docs/internals/ledger.md "Rows");
 * a row that carries its hash (r->hash), that hash. */
#define CUST_ROW_HASH 32
void cust_row_hash(const struct cust_row *r, unsigned char out[CUST_ROW_HASH]);

typedef enum cust_status (*cust_row_fn)(const struct cust_row *r, void *arg);

/* A journal record: the hashes of the rows of one table written by entry `seq` (part 0, 1, ...
 * when the blob was split). */
struct cust_journal_rec {
    int64_t seq;
    int table; /* index into cust_store_row_tables() */
    int64_t part, n;
    const unsigned char *blob;
    size_t len;
};

typedef enum cust_status (*cust_journal_fn)(const struct cust_journal_rec *j, void *arg);

/* Rows whose derived copies disagree with what they copy (e.g. a booking's copy of its
 * person's name): one call each; `what` names the row and the copy. */
typedef enum cust_status (*cust_derived_fn)(const char *what, void *arg);

/* A checkpoint the server signed and kept (ledger.md "Checkpoints from the server"). */
struct cust_stored_checkpoint {
    int64_t size;
    const char *root; /* base64 */
    int64_t at;       /* unix seconds */
    const char *note; /* the signed note */
};
typedef enum cust_status (*cust_checkpoint_fn)(const struct cust_stored_checkpoint *c, void *arg);

/* The covered tables, in the order the ledger commits them; *n gets their count. */
const struct cust_row_table *cust_store_row_tables(size_t *n);
/* The index of a covered table by name, or -1. */
int cust_store_row_table(const char *name);

/*
 * Every covered row the current transaction wrote since the last call, each once, table by
 * table (in cust_store_row_tables() order) and by key: its current values, or `deleted`.
 * Forgets them: the caller (the ledger) journals them in the same transaction.
 */
enum cust_status cust_store_rows_written(struct cust_store *s, cust_row_fn fn, void *arg,
                                         struct cust_err *err);
/* True when the current transaction wrote covered rows not yet given to rows_written. */
bool cust_store_rows_pending(struct cust_store *s);
/* Every row of covered table `table`, by key. */
enum cust_status cust_store_rows_each(struct cust_store *s, int table, cust_row_fn fn, void *arg,
                                      struct cust_err *err);
/* One row by key (fn is not called, CUST_ENOTFOUND, when there is none). */
enum cust_status cust_store_row_get(struct cust_store *s, int table, const void *key,
                                    size_t key_len, cust_row_fn fn, void *arg,
                                    struct cust_err *err);
/* How to name a row to a person, e.g. "booking 6146109 v1" (*label: a new string).
 * CUST_ENOTFOUND when the row does not exist. */
enum cust_status cust_store_row_label(struct cust_store *s, int table, const void *key,
                                      size_t key_len, char **label, struct cust_err *err);
/* Append a journal record (inside the transaction of entry j->seq). */
enum cust_status cust_store_journal_put(struct cust_store *s, const struct cust_journal_rec *j,
                                        struct cust_err *err);
/* Journal records, by seq, table order, part; only table `table` when >= 0, only entry `seq`
 * when > 0. */
enum cust_status cust_store_journal_each(struct cust_store *s, int table, int64_t seq,
                                         cust_journal_fn fn, void *arg, struct cust_err *err);
/* Rows whose derived copies disagree with their source. */
enum cust_status cust_store_rows_derived(struct cust_store *s, cust_derived_fn fn, void *arg,
                                         struct cust_err *err);

/* Keep a signed checkpoint (its own transaction is fine: no covered row). */
enum cust_status cust_store_checkpoint_put(struct cust_store *s,
                                           const struct cust_stored_checkpoint *c,
                                           struct cust_err *err);
/* The latest kept checkpoint (fn runs once); CUST_ENOTFOUND when none. */
enum cust_status cust_store_checkpoint_latest(struct cust_store *s, cust_checkpoint_fn fn,
                                              void *arg, struct cust_err *err);

#endif
