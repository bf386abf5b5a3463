/*
 * store_backend.h - what a storage backend implements (private to src/store).
 *
 * Callers see only the opaque `struct cust_store` and the cust_store_*() functions of store.h,
 * store_requests.h and store_accounts.h. A backend fills the vtables below, grouped by the data
 * they keep, and a constructor the dispatcher (store.c: cust_store_open) calls by the store's
 * path. SQLite is src/store/store_sqlite*.c; a PostgreSQL backend adds
 * store_postgres*.c with the same three tables of operations. Every function gets the backend's
 * private state (`impl`). Rows are borrowed (store.h). A group a backend does not keep may be
 * NULL: its wrappers then fail with CUST_EINVAL naming the backend.
 */
#ifndef CUSTODIAN_STORE_BACKEND_H
#define CUSTODIAN_STORE_BACKEND_H

#include "custodian/store.h"
#include "custodian/store_accounts.h"
#include "custodian/store_feed.h"
#include "custodian/store_reports.h"
#include "custodian/store_requests.h"
#include "custodian/store_rows.h"

struct cust_store_request_ops;
struct cust_store_account_ops;
struct cust_store_feed_ops;
struct cust_store_rows_ops;
struct cust_store_reports_ops;

/* The backend vtable. Every function gets the store's backend-private state. */
struct cust_store_ops {
    const char *name;
    void (*close)(void *impl);
    enum cust_status (*begin)(void *impl, struct cust_err *err);
    /* Optional (NULL = plain begin): begin a transaction for a bulk load (see
     * cust_store_begin_bulk); commit and rollback end the bulk mode. */
    enum cust_status (*begin_bulk)(void *impl, struct cust_err *err);
    enum cust_status (*commit)(void *impl, struct cust_err *err);
    enum cust_status (*rollback)(void *impl, struct cust_err *err);
    /* Optional (NULL = the backend's own wait always): how long a begin waits for another
     * writer's lock, in ms; -1 = the backend's default (cust_store_set_lock_wait). */
    void (*set_lock_wait)(void *impl, int ms);
    /* Optional (NULL = none): a read transaction pinned to one snapshot, and its end (see
     * cust_store_snapshot_begin). */
    enum cust_status (*snapshot_begin)(void *impl, struct cust_err *err);
    void (*snapshot_end)(void *impl);
    enum cust_status (*current_version)(void *impl, const char *booking_number, int *version,
                                        char **doc, struct cust_err *err);
    enum cust_status (*put_booking)(void *impl, const struct cust_booking *b,
                                    const struct cust_put_meta *meta, struct cust_put_result *res,
                                    struct cust_err *err);
    enum cust_status (*versions)(void *impl, const char *booking_number, cust_version_fn fn,
                                 void *arg, struct cust_err *err);
    enum cust_status (*roster)(void *impl, const struct cust_roster_filter *f, cust_roster_fn fn,
                               void *arg, struct cust_err *err);
    enum cust_status (*each_current)(void *impl, int32_t day, cust_doc_fn fn, void *arg,
                                     struct cust_err *err);
    enum cust_status (*person_json)(void *impl, const char *key, char **json, struct cust_err *err);
    enum cust_status (*booking_json)(void *impl, const char *booking_number, char **json,
                                     struct cust_err *err);
    enum cust_status (*count)(void *impl, const char *what, int64_t *n, struct cust_err *err);
    enum cust_status (*ledger_head)(void *impl, int64_t *seq, char hash[65], struct cust_err *err);
    enum cust_status (*ledger_insert)(void *impl, const struct cust_ledger_row *row,
                                      struct cust_err *err);
    enum cust_status (*ledger_each)(void *impl, cust_ledger_fn fn, void *arg, int64_t *head_seq,
                                    char head_hash[65], struct cust_err *err);
    enum cust_status (*ledger_entry)(void *impl, int64_t seq, cust_ledger_fn fn, void *arg,
                                     struct cust_err *err);
    /* A consistent copy of the whole store into the folder `dir` (cust_store_backup). */
    enum cust_status (*backup)(void *impl, const char *dir, struct cust_backup_files *files,
                               struct cust_err *err);
    /* persons and bookings as others read them (store.h) */
    enum cust_status (*persons)(void *impl, int64_t person_id, cust_person_row_fn fn, void *arg,
                                struct cust_err *err);
    enum cust_status (*scope)(void *impl, const struct cust_scope *sc, cust_scope_row_fn fn,
                              void *arg, struct cust_err *err);
    enum cust_status (*person_bookings)(void *impl, int64_t person_id, cust_scope_row_fn fn,
                                        void *arg, struct cust_err *err);
    enum cust_status (*scope_persons)(void *impl, const struct cust_scope *sc,
                                      cust_scope_row_fn fn, void *arg, struct cust_err *err);
    /* the public view, the locator's one read (store.h): the rows and, when `total` is not
     * NULL, their count in the same snapshot (cust_store_public_read) */
    enum cust_status (*public_search)(void *impl, const struct cust_public_query *q,
                                      cust_public_fn fn, void *arg, int64_t *total,
                                      struct cust_err *err);
    enum cust_status (*public_count)(void *impl, const struct cust_public_query *q, int64_t *total,
                                     struct cust_err *err);
    /* the public view published to a file of its own (store.h cust_store_publish) */
    enum cust_status (*publish)(void *impl, const char *out, int32_t today, int64_t *rows,
                                struct cust_err *err);
    /* the public view granted to a database role, and nothing else (store.h
     * cust_store_public_role); NULL where a public server reads a published file */
    enum cust_status (*public_role)(void *impl, const char *role, struct cust_err *err);
    /* ---- requests and what is kept with them (store_requests.h) ---- */
    const struct cust_store_request_ops *requests;
    /* ---- staff accounts and sessions (store_accounts.h) ---- */
    const struct cust_store_account_ops *accounts;
    /* ---- feeds: runs, what each source listed, review items (store_feed.h) ---- */
    const struct cust_store_feed_ops *feed;
    /* ---- oversight reports and the enforcement-action log (store_reports.h) ---- */
    const struct cust_store_reports_ops *reports;
    /* ---- rows the ledger commits to, and its journal (store_rows.h) ---- */
    const struct cust_store_rows_ops *rows;
};

/* Oversight reports and the enforcement-action log (store_reports.h). */
struct cust_store_reports_ops {
    enum cust_status (*requests_between)(void *impl, int64_t from_ts, int64_t to_ts,
                                         cust_request_row_fn fn, void *arg, struct cust_err *err);
    enum cust_status (*person)(void *impl, int64_t person_id, cust_report_person_fn fn, void *arg,
                               struct cust_err *err);
    enum cust_status (*enforcement_put)(void *impl, const struct cust_enforcement *e, int64_t *id,
                                        struct cust_err *err);
    enum cust_status (*enforcement_list)(void *impl, int64_t from_ts, int64_t to_ts,
                                         cust_enforcement_fn fn, void *arg, struct cust_err *err);
};

/* Rows the ledger commits to, and its journal (store_rows.h). */
struct cust_store_rows_ops {
    enum cust_status (*written)(void *impl, cust_row_fn fn, void *arg, struct cust_err *err);
    bool (*pending)(void *impl);
    enum cust_status (*each)(void *impl, int table, cust_row_fn fn, void *arg,
                             struct cust_err *err);
    enum cust_status (*get)(void *impl, int table, const void *key, size_t key_len, cust_row_fn fn,
                            void *arg, struct cust_err *err);
    enum cust_status (*label)(void *impl, int table, const void *key, size_t key_len, char **label,
                              struct cust_err *err);
    enum cust_status (*journal_put)(void *impl, const struct cust_journal_rec *j,
                                    struct cust_err *err);
    enum cust_status (*journal_each)(void *impl, int table, int64_t seq, cust_journal_fn fn,
                                     void *arg, struct cust_err *err);
    enum cust_status (*derived)(void *impl, cust_derived_fn fn, void *arg, struct cust_err *err);
    enum cust_status (*checkpoint_put)(void *impl, const struct cust_stored_checkpoint *c,
                                       struct cust_err *err);
    enum cust_status (*checkpoint_latest)(void *impl, cust_checkpoint_fn fn, void *arg,
                                          struct cust_err *err);
};

/* Requests and what is kept with them (store_requests.h). */
struct cust_store_request_ops {
    enum cust_status (*request_insert)(void *impl, const struct cust_request_row *r,
                                       char id[CUST_REQUEST_ID_MAX], struct cust_err *err);
    enum cust_status (*request_get)(void *impl, const char *id, cust_request_row_fn fn, void *arg,
                                    struct cust_err *err);
    enum cust_status (*request_list)(void *impl, const struct cust_request_filter *f,
                                     cust_request_row_fn fn, void *arg, struct cust_err *err);
    enum cust_status (*request_update)(void *impl, const char *id, const char *status,
                                       const char *reason, int64_t law_ts, const char *law_rule,
                                       const char *updated_at, struct cust_err *err);
    enum cust_status (*document_put)(void *impl, const char *request_id, const char *name,
                                     const char *sha256, const unsigned char *content, size_t len,
                                     const char *role, struct cust_err *err);
    enum cust_status (*document_get)(void *impl, const char *sha256, char **content, size_t *len,
                                     struct cust_err *err);
    enum cust_status (*documents)(void *impl, const char *request_id, cust_document_row_fn fn,
                                  void *arg, struct cust_err *err);
    enum cust_status (*link_put)(void *impl, const struct cust_link_row *l, struct cust_err *err);
    enum cust_status (*links)(void *impl, const char *request_id, cust_link_row_fn fn, void *arg,
                              struct cust_err *err);
    enum cust_status (*decision_put)(void *impl, const struct cust_decision_row *d, int64_t *id,
                                     struct cust_err *err);
    enum cust_status (*decisions)(void *impl, const char *request_id, cust_decision_row_fn fn,
                                  void *arg, struct cust_err *err);
    enum cust_status (*decision_get)(void *impl, int64_t id, cust_decision_row_fn fn, void *arg,
                                     struct cust_err *err);
    enum cust_status (*action_put)(void *impl, const struct cust_action_row *a, int64_t *id,
                                   struct cust_err *err);
    enum cust_status (*actions)(void *impl, const char *request_id, cust_action_row_fn fn,
                                void *arg, struct cust_err *err);
    enum cust_status (*duty_put)(void *impl, const struct cust_duty_row *d, int64_t *id,
                                 struct cust_err *err);
    enum cust_status (*duties)(void *impl, const struct cust_duty_filter *f, cust_duty_row_fn fn,
                               void *arg, struct cust_err *err);
    enum cust_status (*duty_done)(void *impl, int64_t id, const char *by, const char *at,
                                  const char *document_sha256, struct cust_err *err);
    enum cust_status (*transfer_put)(void *impl, const struct cust_transfer_row *t, int64_t *id,
                                     struct cust_err *err);
    enum cust_status (*transfers)(void *impl, cust_transfer_row_fn fn, void *arg,
                                  struct cust_err *err);
    enum cust_status (*disclosure_put)(void *impl, const struct cust_disclosure_row *x,
                                       struct cust_err *err);
    enum cust_status (*disclosures)(void *impl, const char *request_id, cust_disclosure_row_fn fn,
                                    void *arg, struct cust_err *err);
};

/* Staff accounts and sessions (store_accounts.h). */
struct cust_store_account_ops {
    enum cust_status (*account_get)(void *impl, const char *name, cust_account_row_fn fn, void *arg,
                                    struct cust_err *err);
    enum cust_status (*account_put)(void *impl, const struct cust_account_row *a,
                                    struct cust_err *err);
    enum cust_status (*user_claim)(void *impl, const char *name, int64_t now, unsigned max,
                                   int64_t lock_s, struct cust_err *err);
    enum cust_status (*user_success)(void *impl, const char *name, int64_t step,
                                     struct cust_err *err);
    enum cust_status (*user_list)(void *impl, cust_user_fn fn, void *arg, struct cust_err *err);
    enum cust_status (*session_get)(void *impl, const char *id, cust_session_row_fn fn, void *arg,
                                    struct cust_err *err);
    enum cust_status (*session_put)(void *impl, const struct cust_session_row *s,
                                    struct cust_err *err);
    enum cust_status (*session_delete)(void *impl, const char *id, struct cust_err *err);
    enum cust_status (*user_set_role)(void *impl, const char *name, const char *role,
                                      struct cust_err *err);
    enum cust_status (*user_set_disabled)(void *impl, const char *name, bool disabled,
                                          struct cust_err *err);
    enum cust_status (*session_list)(void *impl, const char *user, cust_session_row_fn fn,
                                     void *arg, struct cust_err *err);
    enum cust_status (*session_end_all)(void *impl, const char *user, size_t *ended,
                                        struct cust_err *err);
};

/* Feed runs, what each source listed, review items (store_feed.h). */
struct cust_store_feed_ops {
    enum cust_status (*next_run_id)(void *impl, int64_t *id, struct cust_err *err);
    enum cust_status (*mark_seen)(void *impl, const char *source, int64_t run_id,
                                  const char *const *booking_numbers, size_t n,
                                  struct cust_err *err);
    enum cust_status (*missing)(void *impl, const char *source, int64_t run_id,
                                cust_feed_missing_fn fn, void *arg, struct cust_err *err);
    enum cust_status (*review_open)(void *impl, const char *source, const char *booking_number,
                                    int64_t run_id, const char *opened_at, const char *reason,
                                    struct cust_err *err);
    enum cust_status (*reviews_reappeared)(void *impl, const char *source, int64_t run_id,
                                           const char *at, int64_t *n, struct cust_err *err);
    enum cust_status (*run_insert)(void *impl, const struct cust_feed_run_row *r,
                                   struct cust_err *err);
    enum cust_status (*last_runs)(void *impl, cust_feed_run_fn fn, void *arg, struct cust_err *err);
    enum cust_status (*reviews)(void *impl, bool open_only, cust_feed_review_fn fn, void *arg,
                                struct cust_err *err);
    enum cust_status (*review_resolve)(void *impl, int64_t id, const char *by, const char *at,
                                       const char *resolution, char *source_out, size_t source_cap,
                                       char *booking_out, size_t booking_cap, struct cust_err *err);
};

struct cust_store {
    const struct cust_store_ops *ops;
    void *impl;
    int tx_depth;    /* nesting of cust_store_begin (inner levels are no-ops) */
    int snap_depth;  /* nesting of cust_store_snapshot_begin */
    bool snap_owned; /* the outermost snapshot began a read transaction (not inside a write) */
};

/* The SQLite backend's constructor: fills `s` (ops, impl) for the file at `path`. */
enum cust_status cust_store_sqlite_open(const char *path, enum cust_store_mode mode,
                                        struct cust_store *s, struct cust_err *err);

#endif
