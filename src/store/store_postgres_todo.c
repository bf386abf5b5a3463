/*
 * store_postgres_todo.c - the operations the PostgreSQL backend does not keep yet: each answers
 * CUST_EINVAL "WHAT on PostgreSQL: not built yet (docs/internals/store-postgresql.md)", never a
 * crash and never an empty answer that could be taken for "none" (the groups are filled, not
 * NULL, so the message says what is missing, not that the design lacks it).
 */
#include "custodian/compat.h"
#include "store_postgres.h"

enum cust_status cust_pg_not_built(struct cust_err *err, const char *what)
{
    return cust_err_set(err, CUST_EINVAL,
                        "%s on PostgreSQL: not built yet (docs/internals/store-postgresql.md)",
                        what);
}

/* ---- feeds ---- */
static enum cust_status feed_next_run_id(void *impl, int64_t *id, struct cust_err *err)
{
    (void)impl, (void)id;
    return cust_pg_not_built(err, "feeds");
}

static enum cust_status feed_mark_seen(void *impl, const char *source, int64_t run_id,
                                       const char *const *booking_numbers, size_t n,
                                       struct cust_err *err)
{
    (void)impl, (void)source, (void)run_id, (void)booking_numbers, (void)n;
    return cust_pg_not_built(err, "feeds");
}

static enum cust_status feed_missing(void *impl, const char *source, int64_t run_id,
                                     cust_feed_missing_fn fn, void *arg, struct cust_err *err)
{
    (void)impl, (void)source, (void)run_id, (void)fn, (void)arg;
    return cust_pg_not_built(err, "feeds");
}

static enum cust_status feed_review_open(void *impl, const char *source, const char *booking_number,
                                         int64_t run_id, const char *opened_at, const char *reason,
                                         struct cust_err *err)
{
    (void)impl, (void)source, (void)booking_number, (void)run_id, (void)opened_at, (void)reason;
    return cust_pg_not_built(err, "feeds");
}

static enum cust_status feed_reviews_reappeared(void *impl, const char *source, int64_t run_id,
                                                const char *at, int64_t *n, struct cust_err *err)
{
    (void)impl, (void)source, (void)run_id, (void)at, (void)n;
    return cust_pg_not_built(err, "feeds");
}

static enum cust_status feed_run_insert(void *impl, const struct cust_feed_run_row *r,
                                        struct cust_err *err)
{
    (void)impl, (void)r;
    return cust_pg_not_built(err, "feeds");
}

static enum cust_status feed_last_runs(void *impl, cust_feed_run_fn fn, void *arg,
                                       struct cust_err *err)
{
    (void)impl, (void)fn, (void)arg;
    return cust_pg_not_built(err, "feeds");
}

static enum cust_status feed_reviews(void *impl, bool open_only, cust_feed_review_fn fn, void *arg,
                                     struct cust_err *err)
{
    (void)impl, (void)open_only, (void)fn, (void)arg;
    return cust_pg_not_built(err, "feeds");
}

static enum cust_status feed_review_resolve(void *impl, int64_t id, const char *by, const char *at,
                                            const char *resolution, char *source_out,
                                            size_t source_cap, char *booking_out,
                                            size_t booking_cap, struct cust_err *err)
{
    (void)impl, (void)id, (void)by, (void)at, (void)resolution, (void)source_out, (void)source_cap,
        (void)booking_out, (void)booking_cap;
    return cust_pg_not_built(err, "feeds");
}

const struct cust_store_feed_ops cust_pg_feed_ops = {
    .next_run_id = feed_next_run_id,
    .mark_seen = feed_mark_seen,
    .missing = feed_missing,
    .review_open = feed_review_open,
    .reviews_reappeared = feed_reviews_reappeared,
    .run_insert = feed_run_insert,
    .last_runs = feed_last_runs,
    .reviews = feed_reviews,
    .review_resolve = feed_review_resolve,
};
