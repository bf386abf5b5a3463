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

#include "custodian/store.h"

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

/* The hash of a row as stored (all columns but `hash`), as 64 lowercase hex digits + NUL. */
void cust_ledger_hash(const struct cust_ledger_row *row, char out[65]);

struct cust_ledger_report {
    int64_t entries;  /* entries checked */
    int64_t bad_seq;  /* first bad entry's seq (0 when intact) */
    char reason[160]; /* why it is bad */
};

/*
 * Walk the whole chain. CUST_OK when intact; CUST_EINTEGRITY when an entry was changed,
 * deleted, inserted or reordered (rep->bad_seq names the first bad one; err says why).
 */
enum cust_status cust_ledger_verify(struct cust_store *s, struct cust_ledger_report *rep,
                                    struct cust_err *err);

#endif
