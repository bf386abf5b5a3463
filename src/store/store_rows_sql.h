/*
 * store_rows_sql.h - the covered tables and their canonical columns, one text for both
 * backends (store_sqlite_rows.c, store_postgres_rows.c; docs/internals/ledger.md "Rows",
 * docs/internals/store-postgresql.md). A covered row is hashed from these columns in this
 * order: a list that differed between the backends would change every hash, so there is one.
 * Parameters are written `?1` (SQLite); the PostgreSQL backend prepares them as `$1`.
 * Not a public header.
 */
#ifndef CUSTODIAN_STORE_ROWS_SQL_H
#define CUSTODIAN_STORE_ROWS_SQL_H

#include "custodian/buf.h"
#include "custodian/store_rows.h"

/* The covered tables (indexes into cust_store_row_tables()). */
enum cust_sqlite_table {
    CT_BOOKING_VERSIONS,
    CT_BOOKINGS, /* with its charges and prior convictions */
    CT_PERSONS,
    CT_CITIZENSHIP,
    CT_REQUESTS, /* with its links to persons */
    CT_REQUEST_DOCUMENTS,
    CT_DOCUMENTS,
    CT_DECISIONS,
    CT_ACTIONS,
    CT_DUTIES,
    CT_TRANSFERS,
    CT_DISCLOSURES,
    CT_USERS,
    CT_FEED_RUNS,
    CT_FEED_REVIEWS,
    CT_ENFORCEMENT_ACTIONS,
    CT__N
};

/* Every row by key; one row (?1); a row's children by parent key; one parent's children. */
#define ROWS(cols, from, key) "SELECT " cols " FROM " from " ORDER BY " key
#define ONE(cols, from, key)  "SELECT " cols " FROM " from " WHERE " key " = ?1"
#define KIDS(parent, cols, from, order)                                                            \
    "SELECT " parent ", " cols " FROM " from " ORDER BY " parent ", " order
#define KIDS1(parent, cols, from, order)                                                           \
    "SELECT " parent ", " cols " FROM " from " WHERE " parent " = ?1 ORDER BY " order

#define BV "id, booking_id, version, recorded_at, recorded_by, source, changed, doc"
#define BK                                                                                         \
    "id, booking_number, person_id, version, booked_at, booked_ts, booked_day, facility,"          \
    " housing, arresting_agency, scheduled_release, release_date_public, released_at,"             \
    " released_day, release_reason, sentence_imposed_on, sentence_term_days,"                      \
    " sentence_presentence_days, computed_release, release_rule, release_disagreement,"            \
    " public_charges"
#define CH                                                                                         \
    "idx, code, description, level, status, held_to_answer, case_number, court,"                   \
    " next_court_date, bail_cents"
#define PR "idx, person_id, code, level, date, jurisdiction, flags"
#define PS                                                                                         \
    "id, person_key, last_name, first_name, middle_name, dob, sex, cii, fbi, sid, a_number,"       \
    " place_of_birth, home_address, immigration_status, aliases, sex_arson_registrant,"            \
    " citizenship_status, citizenship_rank, citizenship_recorded_at"
#define CI                                                                                         \
    "id, person_id, status, country, source, verified, recorded_at, booking_number, entered_at"
#define RQ                                                                                         \
    "id, year, seq, kind, form, agency, office, status, status_reason, received_at,"               \
    " received_ts, received_offset, due_ts, law_ts, law_rule, owner, created_at, updated_at, doc"
#define LK                                                                                         \
    "person_id, booking_number, score, strong, state, confirmed_by, confirmed_at, reasons,"        \
    " review, review_reason"
#define RD "id, request_id, name, sha256, role"
#define DC "sha256, size, content"
#define DE                                                                                         \
    "id, request_id, person_id, booking_number, policy_id, policy_version, policy_sha256,"         \
    " decided_at, decided_by, decision"
#define AC                                                                                         \
    "id, request_id, person_id, \"action\", verdict, outcome, \"by\", at, reason, decision_id"
#define DU                                                                                         \
    "id, request_id, person_id, booking_number, duty, cite, status, due_ts, created_at,"           \
    " done_by, done_at, document_sha256, detail"
#define TR                                                                                         \
    "id, request_id, person_id, booking_number, at, agency, basis, warrant_number, criterion,"     \
    " offense, recorded_by, recorded_at"
#define DS                                                                                         \
    "id, request_id, ord, person_id, booking_number, items, withheld, recipient, office, at,"      \
    " decision_id, row_hash"
#define US "name, role, pwhash, totp_key, totp_nonce, disabled, created_at"
#define FR                                                                                         \
    "id, source, file, sha256, snapshot, run_at, actor, records, created, updated, unchanged,"     \
    " released, missing, reviews_opened, reappeared, rejected, rejects_file"
#define FV                                                                                         \
    "id, source, booking_number, run_id, opened_at, reason, status, resolved_at, resolved_by,"     \
    " resolution"
#define EA                                                                                         \
    "id, occurred_at, occurred_ts, occurred_offset, area, place, agency, detained, persons,"       \
    " reasons, source, note, supersedes, recorded_by, recorded_at"

/* How a backend reads one covered table: every row by key, one row, a label, its children. */
struct cust_row_cchild {
    const char *name;
    const char *scan; /* parent key, then the child's columns, ordered by parent key */
    const char *get;  /* the same for one parent (?1) */
};

struct cust_row_ctab {
    const char *scan;  /* canonical columns (key first), every row by key */
    const char *get;   /* the same, one row (?1) */
    const char *label; /* a text naming one row (?1) */
    struct cust_row_cchild child[2];
};

/* The catalog, by enum cust_sqlite_table (store_rows_catalog.c); the labels are SQLite's text,
 * which PostgreSQL runs as they are (written to mean the same on both). */
extern const struct cust_row_ctab cust_row_catalog[CT__N];
extern const struct cust_row_table cust_row_tables_of[CT__N];

/* ---- the rows a transaction wrote (store_rows_written.c), kept alike by both backends ---- */

/* Per covered table, what the transaction wrote: the keys of rows to read back when the entry
 * takes them (integer ids or text keys, cust_row_tables_of[t].int_key; duplicates allowed), and
 * the rows the writer hashed from the canonical values it bound (kept: the entry takes each
 * hash instead of reading the row back; tables without children only): kept row i's key is
 * kids[i] (text keys: ktexts[i]), its 32-byte hash at kbuf + 32 i. Zeroed is empty. */
struct cust_rows_written {
    struct cust_written_keys {
        int64_t *ids;
        size_t n, cap;
        char **texts;
        size_t nt, capt;
        int64_t *kids; /* kept rows, in the order written */
        char **ktexts;
        size_t nk, capk;
        struct cust_buf kbuf;
    } table[CT__N];
    size_t pending; /* keys added and rows kept since the last clear */
};

/* Remember that row `id` (an integer key) or `text` (a text key) of table t was written: the
 * entry reads it back as it is then (a kept row of the same key too: it changed since). */
void cust_rows_written_add(struct cust_rows_written *w, int t, int64_t id, const char *text);
/* The canonical values (DE, DU, DS) of a decision, a duty or a disclosure row just inserted
 * with id `id`, as each backend binds them (the duty open, not done): what both hash instead of
 * reading the row back, and what PostgreSQL sends by COPY. The values point into the row's
 * strings. Returns how many (CUST_ROWS_DECISION_VALS, _DUTY_VALS, _DISCLOSURE_VALS). */
#define CUST_ROWS_DECISION_VALS   10
#define CUST_ROWS_DUTY_VALS       13
#define CUST_ROWS_DISCLOSURE_VALS 12
#define CUST_ROWS_VERSION_VALS    8
#define CUST_ROWS_DOCUMENT_VALS   3
struct cust_decision_row;
struct cust_duty_row;
struct cust_disclosure_row;
struct cust_put_meta;
/* ... and of a booking version (BV): id, its booking, its number, the meta, the document's
 * `doc_len` bytes as bound. A version is never changed once written (append-only), so every
 * backend keeps its hash (cust_rows_written_keep_hash) instead of reading it back. */
size_t cust_rows_version_vals(struct cust_val v[CUST_ROWS_VERSION_VALS], int64_t id,
                              int64_t booking_id, int64_t version, const struct cust_put_meta *meta,
                              const char *doc, size_t doc_len);
size_t cust_rows_decision_vals(struct cust_val v[CUST_ROWS_DECISION_VALS], int64_t id,
                               const struct cust_decision_row *d);
size_t cust_rows_duty_vals(struct cust_val v[CUST_ROWS_DUTY_VALS], int64_t id,
                           const struct cust_duty_row *d);
size_t cust_rows_disclosure_vals(struct cust_val v[CUST_ROWS_DISCLOSURE_VALS], int64_t id,
                                 const struct cust_disclosure_row *x);
/* ... and of a document (DC) as doc_put binds it: its SHA-256, and its size and content, or
 * NULL and NULL (a document named before its content is kept). */
size_t cust_rows_document_vals(struct cust_val v[CUST_ROWS_DOCUMENT_VALS], const char *sha256,
                               const unsigned char *content, size_t len);
/* Keep a row the transaction just wrote to childless table t, given by its canonical values
 * v[0..n) (v[0] its key; each value as the column stores it), by their hash (cust_row_hash):
 * 32 bytes whatever the row's size. For rows the writer binds whole: booking versions (1-2 KB),
 * a fulfilment's decisions, duties and disclosures (100,000 of them in one transaction), and
 * documents (a fulfilment's answer is tens of MB). A row changed again in the transaction is
 * also added (cust_rows_written_add) and is then read back. */
void cust_rows_written_keep_hash(struct cust_rows_written *w, int t, const struct cust_val *v,
                                 size_t n);
/* True when every row of table t the transaction wrote was kept (none to read back). */
bool cust_rows_written_all_kept(const struct cust_rows_written *w, int t);
/* How many keys of table t were added or rows kept (duplicates counted). */
size_t cust_rows_written_n(const struct cust_rows_written *w, int t);
/* Forget every key and kept row (after the entry took them, or at a rollback). */
void cust_rows_written_clear(struct cust_rows_written *w);
/* Free what `w` holds (not w itself). */
void cust_rows_written_free(struct cust_rows_written *w);

/* A backend's read of one covered row by key: calls fn with it (and its children) and sets
 * *found, or leaves *found false when no such row exists. */
typedef enum cust_status (*cust_row_get_fn)(void *impl, int t, int64_t id, const char *text,
                                            cust_row_fn fn, void *arg, bool *found,
                                            struct cust_err *err);
/* Table t's written rows to fn, each distinct key once, in key order (ids by value, text keys
 * by bytes): a key added is read through `get` (a key whose row no longer exists goes to fn as
 * a deleted row: .deleted, no values), a key only kept is given as last kept. Sorts the keys in
 * place. */
enum cust_status cust_rows_written_read(struct cust_rows_written *w, int t, void *impl,
                                        cust_row_get_fn get, cust_row_fn fn, void *arg,
                                        struct cust_err *err);
/* A row's key as the ledger hashes it: an integer id as 8 big-endian bytes (in buf), a text
 * key as its bytes. */
void cust_row_key_bytes(bool int_key, int64_t id, const char *text, unsigned char buf[8],
                        const void **key, size_t *len);

#endif
