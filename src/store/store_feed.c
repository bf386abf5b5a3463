/* store_feed.c - dispatch of the feeds' store operations (store_feed.h). */
#include "custodian/compat.h"
#include "store_backend.h"

#define FEED_OPS(s, op)                                                                            \
    if (!(s)->ops->feed || !(s)->ops->feed->op)                                                    \
        return cust_err_set(err, CUST_EINVAL, "the %s store keeps no feeds", (s)->ops->name);

enum cust_status cust_store_feed_next_run_id(struct cust_store *s, int64_t *id,
                                             struct cust_err *err)
{
    FEED_OPS(s, next_run_id)
    return s->ops->feed->next_run_id(s->impl, id, err);
}

enum cust_status cust_store_feed_mark_seen(struct cust_store *s, const char *source, int64_t run_id,
                                           const char *const *booking_numbers, size_t n,
                                           struct cust_err *err)
{
    FEED_OPS(s, mark_seen)
    return s->ops->feed->mark_seen(s->impl, source, run_id, booking_numbers, n, err);
}

enum cust_status cust_store_feed_missing(struct cust_store *s, const char *source, int64_t run_id,
                                         cust_feed_missing_fn fn, void *arg, struct cust_err *err)
{
    FEED_OPS(s, missing)
    return s->ops->feed->missing(s->impl, source, run_id, fn, arg, err);
}

enum cust_status cust_store_feed_review_open(struct cust_store *s, const char *source,
                                             const char *booking_number, int64_t run_id,
                                             const char *opened_at, const char *reason,
                                             struct cust_err *err)
{
    FEED_OPS(s, review_open)
    return s->ops->feed->review_open(s->impl, source, booking_number, run_id, opened_at, reason,
                                     err);
}

enum cust_status cust_store_feed_reviews_reappeared(struct cust_store *s, const char *source,
                                                    int64_t run_id, const char *at, int64_t *n,
                                                    struct cust_err *err)
{
    FEED_OPS(s, reviews_reappeared)
    return s->ops->feed->reviews_reappeared(s->impl, source, run_id, at, n, err);
}

enum cust_status cust_store_feed_run_insert(struct cust_store *s, const struct cust_feed_run_row *r,
                                            struct cust_err *err)
{
    FEED_OPS(s, run_insert)
    return s->ops->feed->run_insert(s->impl, r, err);
}

enum cust_status cust_store_feed_last_runs(struct cust_store *s, cust_feed_run_fn fn, void *arg,
                                           struct cust_err *err)
{
    FEED_OPS(s, last_runs)
    return s->ops->feed->last_runs(s->impl, fn, arg, err);
}

enum cust_status cust_store_feed_reviews(struct cust_store *s, bool open_only,
                                         cust_feed_review_fn fn, void *arg, struct cust_err *err)
{
    FEED_OPS(s, reviews)
    return s->ops->feed->reviews(s->impl, open_only, fn, arg, err);
}

enum cust_status cust_store_feed_review_resolve(struct cust_store *s, int64_t id, const char *by,
                                                const char *at, const char *resolution,
                                                char *source_out, size_t source_cap,
                                                char *booking_out, size_t booking_cap,
                                                struct cust_err *err)
{
    FEED_OPS(s, review_resolve)
    return s->ops->feed->review_resolve(s->impl, id, by, at, resolution, source_out, source_cap,
                                        booking_out, booking_cap, err);
}
