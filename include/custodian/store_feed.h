/*
 * store_feed.h - the feeds' part of the store interface (docs/internals/feeds.md): each feed
 * run, which bookings each source has sent and in which run, and the review items for
 * bookings a full snapshot no longer lists (never released silently).
 *
 * A backend provides these through `struct cust_store_feed_ops` (store_backend.h; SQLite:
 * src/store/store_sqlite_feed.c, schema migration 8). Callers use the cust_store_feed_*()
 * wrappers, normally through the feeds module (feeds.h), inside the run's transaction.
 * Strings in rows are borrowed for the duration of a callback; NULL means absent.
 */
#ifndef CUSTODIAN_STORE_FEED_H
#define CUSTODIAN_STORE_FEED_H

#include "custodian/store.h"

/* One feed run as recorded (never changed afterwards). */
struct cust_feed_run_row {
    int64_t id;
    const char *source;   /* the mapping's name */
    const char *file;     /* the file as named on the command line */
    const char *sha256;   /* of the file's bytes */
    const char *snapshot; /* "full" | "delta" */
    const char *run_at;   /* RFC 3339 UTC */
    const char *actor;
    int64_t records, created, updated, unchanged, released, missing, reviews_opened, reappeared,
        rejected;
    const char *rejects_file; /* or NULL */
};

/* A booking a full snapshot did not list while the store still holds it in custody. */
struct cust_feed_review_row {
    int64_t id;
    const char *source, *booking_number;
    int64_t run_id; /* the run that found it missing */
    const char *opened_at, *reason;
    const char *status; /* "open" | "resolved" */
    const char *resolved_at, *resolved_by, *resolution;
};

typedef enum cust_status (*cust_feed_run_fn)(const struct cust_feed_run_row *row, void *arg);
typedef enum cust_status (*cust_feed_review_fn)(const struct cust_feed_review_row *row, void *arg);
/* A missing booking: its number, the last run that listed it, and whether a review is open. */
typedef enum cust_status (*cust_feed_missing_fn)(const char *booking_number, int64_t last_run,
                                                 bool review_open, void *arg);

/* The id the next run will get (inside the run's transaction). */
enum cust_status cust_store_feed_next_run_id(struct cust_store *s, int64_t *id,
                                             struct cust_err *err);
/* Record that `source` listed these bookings in run `run_id`. */
enum cust_status cust_store_feed_mark_seen(struct cust_store *s, const char *source, int64_t run_id,
                                           const char *const *booking_numbers, size_t n,
                                           struct cust_err *err);
/* Bookings `source` listed before but not in run `run_id` that are still in custody (not
 * released), by booking number. */
enum cust_status cust_store_feed_missing(struct cust_store *s, const char *source, int64_t run_id,
                                         cust_feed_missing_fn fn, void *arg, struct cust_err *err);
/* Open a review item (at most one open per source and booking). */
enum cust_status cust_store_feed_review_open(struct cust_store *s, const char *source,
                                             const char *booking_number, int64_t run_id,
                                             const char *opened_at, const char *reason,
                                             struct cust_err *err);
/* Resolve the open items of bookings that run `run_id` listed again; *n = how many. */
enum cust_status cust_store_feed_reviews_reappeared(struct cust_store *s, const char *source,
                                                    int64_t run_id, const char *at, int64_t *n,
                                                    struct cust_err *err);
enum cust_status cust_store_feed_run_insert(struct cust_store *s, const struct cust_feed_run_row *r,
                                            struct cust_err *err);
/* The last run of each source, by source. */
enum cust_status cust_store_feed_last_runs(struct cust_store *s, cust_feed_run_fn fn, void *arg,
                                           struct cust_err *err);
/* Review items, oldest first (only the open ones when open_only). */
enum cust_status cust_store_feed_reviews(struct cust_store *s, bool open_only,
                                         cust_feed_review_fn fn, void *arg, struct cust_err *err);
/* Resolve open item `id`: CUST_ENOTFOUND, or CUST_ECONFLICT when already resolved. Fills the
 * item's source and booking number (for the ledger). */
enum cust_status cust_store_feed_review_resolve(struct cust_store *s, int64_t id, const char *by,
                                                const char *at, const char *resolution,
                                                char *source_out, size_t source_cap,
                                                char *booking_out, size_t booking_cap,
                                                struct cust_err *err);

#endif
