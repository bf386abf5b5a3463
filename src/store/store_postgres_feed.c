/*
 * store_postgres_feed.c - the feeds' store operations on PostgreSQL (store_feed.h), the
 * counterpart of store_sqlite_feed.c: feed_runs (one row per run, never changed),
 * feed_bookings (which run of a source last listed each booking) and feed_reviews (bookings a
 * full snapshot stopped listing). The same statements as SQLite's where the dialects agree;
 * a review item's id is max(id) + 1 as SQLite assigns it (docs/internals/store-postgresql.md
 * rule 3), and the rows the ledger covers (feed_runs, feed_reviews) are tracked the same way.
 */
#include "custodian/compat.h"
#include "store_postgres.h"
#include "custodian/buf.h"
#include "store_rows_sql.h"

static const char s_next_run[] = "SELECT coalesce(max(id), 0) + 1 FROM feed_runs";
static const char s_mark_seen[] =
    "INSERT INTO feed_bookings(source, booking_number, first_run, last_run)"
    " SELECT ?1, u.b, ?3, ?3 FROM (SELECT DISTINCT unnest(CAST(?2 AS text[])) AS b) u"
    " ON CONFLICT(source, booking_number) DO UPDATE SET last_run = excluded.last_run";
static const char s_missing[] =
    "SELECT fb.booking_number, fb.last_run,"
    " EXISTS (SELECT 1 FROM feed_reviews r WHERE r.source = fb.source"
    "  AND r.booking_number = fb.booking_number AND r.status = 'open')"
    " FROM feed_bookings fb JOIN bookings b ON b.booking_number = fb.booking_number"
    " WHERE fb.source = ?1 AND fb.last_run < ?2 AND b.released_at IS NULL"
    " ORDER BY fb.booking_number";
static const char s_review_open[] =
    "INSERT INTO feed_reviews(id, source, booking_number, run_id, opened_at, reason)"
    " VALUES(" CUST_PG_NEXT_ID("feed_reviews") ", ?1, ?2, ?3, ?4, ?5)"
                                               " ON CONFLICT(source, booking_number) WHERE status "
                                               "= 'open' DO NOTHING RETURNING id";
static const char s_reappeared[] =
    "UPDATE feed_reviews SET status = 'resolved', resolved_at = ?3,"
    " resolved_by = 'feed', resolution = 'listed again by run ' || CAST(?2 AS bigint)"
    " WHERE source = ?1 AND status = 'open' AND booking_number IN"
    " (SELECT booking_number FROM feed_bookings WHERE source = ?1"
    "  AND last_run = CAST(?2 AS bigint)) RETURNING id";
static const char s_run_insert[] =
    "INSERT INTO feed_runs(id, source, file, sha256, snapshot, run_at, actor,"
    " records, created, updated, unchanged, released, missing,"
    " reviews_opened, reappeared, rejected, rejects_file)"
    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)";
static const char s_last_runs[] =
    "SELECT id, source, file, sha256, snapshot, run_at, actor, records,"
    " created, updated, unchanged, released, missing, reviews_opened,"
    " reappeared, rejected, rejects_file FROM feed_runs"
    " WHERE id IN (SELECT max(id) FROM feed_runs GROUP BY source) ORDER BY source";
static const char s_reviews[] =
    "SELECT id, source, booking_number, run_id, opened_at, reason, status,"
    " resolved_at, resolved_by, resolution FROM feed_reviews"
    " WHERE CAST(?1 AS bigint) = 0 OR status = 'open' ORDER BY id";
static const char s_review_get[] =
    "SELECT status, source, booking_number FROM feed_reviews WHERE id = ?1";
static const char s_review_resolve[] =
    "UPDATE feed_reviews SET status = 'resolved', resolved_at = ?2, resolved_by = ?3,"
    " resolution = ?4 WHERE id = ?1 AND status = 'open'";

static enum cust_status f_next_run_id(void *impl, int64_t *id, struct cust_err *err)
{
    PGresult *r;
    if (cust_pg_run(cust_pg_conn(impl), s_next_run, NULL, false, &r, err, "feed runs") != CUST_OK)
        return CUST_EDB;
    *id = cust_pg_get_int(r, 0, 0);
    PQclear(r);
    return CUST_OK;
}

/* The booking numbers as one text[] literal: {"a","b"} with " and \ escaped. */
static char *text_array(const char *const *v, size_t n)
{
    struct cust_buf b = CUST_BUF_INIT;
    cust_buf_putc(&b, '{');
    for (size_t i = 0; i < n; i++) {
        cust_buf_puts(&b, i ? ",\"" : "\"");
        for (const char *c = v[i]; *c; c++) {
            if (*c == '"' || *c == '\\')
                cust_buf_putc(&b, '\\');
            cust_buf_putc(&b, *c);
        }
        cust_buf_putc(&b, '"');
    }
    cust_buf_putc(&b, '}');
    if (cust_buf_status(&b) != CUST_OK) {
        cust_buf_release(&b);
        return NULL;
    }
    return cust_buf_detach(&b, NULL);
}

/* One statement for the whole list (a run lists every booking in custody: one round trip
 * each would be most of a run's time on a remote server), each booking once (a list may name
 * one twice, and one INSERT ... ON CONFLICT DO UPDATE may not touch a row twice). */
static enum cust_status f_mark_seen(void *impl, const char *source, int64_t run_id,
                                    const char *const *bns, size_t n, struct cust_err *err)
{
    if (n == 0)
        return CUST_OK;
    char *arr = text_array(bns, n);
    if (!arr)
        return cust_err_set(err, CUST_ENOMEM, "feed bookings: out of memory");
    struct cust_pg_params p = {0};
    cust_pg_text(&p, 1, source);
    cust_pg_text(&p, 2, arr);
    cust_pg_int(&p, 3, run_id);
    enum cust_status st = cust_pg_do(cust_pg_conn(impl), s_mark_seen, &p, err, "feed bookings");
    free(arr);
    return st;
}

static enum cust_status f_missing(void *impl, const char *source, int64_t run_id,
                                  cust_feed_missing_fn fn, void *arg, struct cust_err *err)
{
    struct cust_pg_params p = {0};
    cust_pg_text(&p, 1, source);
    cust_pg_int(&p, 2, run_id);
    PGresult *r;
    if (cust_pg_run(cust_pg_conn(impl), s_missing, &p, false, &r, err, "feed bookings") != CUST_OK)
        return CUST_EDB;
    enum cust_status st = CUST_OK;
    for (int i = 0; st == CUST_OK && i < PQntuples(r); i++)
        st = fn(PQgetvalue(r, i, 0), cust_pg_get_int(r, i, 1),
                strcmp(PQgetvalue(r, i, 2), "t") == 0, arg);
    PQclear(r);
    return st;
}

static enum cust_status f_review_open(void *impl, const char *source, const char *bn,
                                      int64_t run_id, const char *at, const char *reason,
                                      struct cust_err *err)
{
    struct cust_pg_params p = {0};
    cust_pg_text(&p, 1, source);
    cust_pg_text(&p, 2, bn);
    cust_pg_int(&p, 3, run_id);
    cust_pg_text(&p, 4, at);
    cust_pg_text(&p, 5, reason);
    PGresult *r;
    if (cust_pg_run(cust_pg_conn(impl), s_review_open, &p, false, &r, err, "feed reviews") !=
        CUST_OK)
        return CUST_EDB;
    if (PQntuples(r) > 0) /* a new item (an open one for this booking is kept as it is) */
        cust_pg_rows_track(impl, CT_FEED_REVIEWS, cust_pg_get_int(r, 0, 0), NULL);
    PQclear(r);
    return CUST_OK;
}

static enum cust_status f_reappeared(void *impl, const char *source, int64_t run_id, const char *at,
                                     int64_t *n, struct cust_err *err)
{
    *n = 0;
    struct cust_pg_params p = {0};
    cust_pg_text(&p, 1, source);
    cust_pg_int(&p, 2, run_id);
    cust_pg_text(&p, 3, at);
    PGresult *r;
    if (cust_pg_run(cust_pg_conn(impl), s_reappeared, &p, false, &r, err, "feed reviews") !=
        CUST_OK)
        return CUST_EDB;
    for (int i = 0; i < PQntuples(r); i++) /* each item resolved, for the ledger */
        cust_pg_rows_track(impl, CT_FEED_REVIEWS, cust_pg_get_int(r, i, 0), NULL);
    *n = PQntuples(r);
    PQclear(r);
    return CUST_OK;
}

static enum cust_status f_run_insert(void *impl, const struct cust_feed_run_row *row,
                                     struct cust_err *err)
{
    struct cust_pg_params p = {0};
    cust_pg_int(&p, 1, row->id);
    cust_pg_text(&p, 2, row->source);
    cust_pg_text(&p, 3, row->file);
    cust_pg_text(&p, 4, row->sha256);
    cust_pg_text(&p, 5, row->snapshot);
    cust_pg_text(&p, 6, row->run_at);
    cust_pg_text(&p, 7, row->actor);
    const int64_t v[] = {row->records,        row->created,    row->updated,
                         row->unchanged,      row->released,   row->missing,
                         row->reviews_opened, row->reappeared, row->rejected};
    for (size_t i = 0; i < CUST_ARRAY_LEN(v); i++)
        cust_pg_int(&p, 8 + (int)i, v[i]);
    cust_pg_text(&p, 17, row->rejects_file);
    enum cust_status st = cust_pg_do(cust_pg_conn(impl), s_run_insert, &p, err, "feed runs");
    if (st == CUST_OK)
        cust_pg_rows_track(impl, CT_FEED_RUNS, row->id, NULL);
    return st;
}

static enum cust_status f_last_runs(void *impl, cust_feed_run_fn fn, void *arg,
                                    struct cust_err *err)
{
    PGresult *r;
    if (cust_pg_run(cust_pg_conn(impl), s_last_runs, NULL, false, &r, err, "feed runs") != CUST_OK)
        return CUST_EDB;
    enum cust_status st = CUST_OK;
    for (int i = 0; st == CUST_OK && i < PQntuples(r); i++) {
        struct cust_feed_run_row row = {
            .id = cust_pg_get_int(r, i, 0),
            .source = cust_pg_get(r, i, 1),
            .file = cust_pg_get(r, i, 2),
            .sha256 = cust_pg_get(r, i, 3),
            .snapshot = cust_pg_get(r, i, 4),
            .run_at = cust_pg_get(r, i, 5),
            .actor = cust_pg_get(r, i, 6),
            .records = cust_pg_get_int(r, i, 7),
            .created = cust_pg_get_int(r, i, 8),
            .updated = cust_pg_get_int(r, i, 9),
            .unchanged = cust_pg_get_int(r, i, 10),
            .released = cust_pg_get_int(r, i, 11),
            .missing = cust_pg_get_int(r, i, 12),
            .reviews_opened = cust_pg_get_int(r, i, 13),
            .reappeared = cust_pg_get_int(r, i, 14),
            .rejected = cust_pg_get_int(r, i, 15),
            .rejects_file = cust_pg_get(r, i, 16),
        };
        st = fn(&row, arg);
    }
    PQclear(r);
    return st;
}

static enum cust_status f_reviews(void *impl, bool open_only, cust_feed_review_fn fn, void *arg,
                                  struct cust_err *err)
{
    struct cust_pg_params p = {0};
    cust_pg_int(&p, 1, open_only ? 1 : 0);
    PGresult *r;
    if (cust_pg_run(cust_pg_conn(impl), s_reviews, &p, false, &r, err, "feed reviews") != CUST_OK)
        return CUST_EDB;
    enum cust_status st = CUST_OK;
    for (int i = 0; st == CUST_OK && i < PQntuples(r); i++) {
        struct cust_feed_review_row row = {
            .id = cust_pg_get_int(r, i, 0),
            .source = cust_pg_get(r, i, 1),
            .booking_number = cust_pg_get(r, i, 2),
            .run_id = cust_pg_get_int(r, i, 3),
            .opened_at = cust_pg_get(r, i, 4),
            .reason = cust_pg_get(r, i, 5),
            .status = cust_pg_get(r, i, 6),
            .resolved_at = cust_pg_get(r, i, 7),
            .resolved_by = cust_pg_get(r, i, 8),
            .resolution = cust_pg_get(r, i, 9),
        };
        st = fn(&row, arg);
    }
    PQclear(r);
    return st;
}

static enum cust_status f_review_resolve(void *impl, int64_t id, const char *by, const char *at,
                                         const char *resolution, char *src_out, size_t src_cap,
                                         char *bn_out, size_t bn_cap, struct cust_err *err)
{
    struct cust_pg *g = cust_pg_conn(impl);
    struct cust_pg_params p = {0};
    cust_pg_int(&p, 1, id);
    PGresult *r;
    if (cust_pg_run(g, s_review_get, &p, false, &r, err, "feed reviews") != CUST_OK)
        return CUST_EDB;
    enum cust_status st = CUST_OK;
    if (PQntuples(r) == 0)
        st = cust_err_set(err, CUST_ENOTFOUND, "no review item %lld", (long long)id);
    else if (strcmp(PQgetvalue(r, 0, 0), "open") != 0)
        st = cust_err_set(err, CUST_ECONFLICT, "review item %lld is already resolved",
                          (long long)id);
    else {
        snprintf(src_out, src_cap, "%s", PQgetvalue(r, 0, 1));
        snprintf(bn_out, bn_cap, "%s", PQgetvalue(r, 0, 2));
    }
    PQclear(r);
    if (st != CUST_OK)
        return st;
    cust_pg_text(&p, 2, at);
    cust_pg_text(&p, 3, by);
    cust_pg_text(&p, 4, resolution);
    st = cust_pg_do(g, s_review_resolve, &p, err, "feed reviews");
    if (st == CUST_OK)
        cust_pg_rows_track(impl, CT_FEED_REVIEWS, id, NULL);
    return st;
}

const struct cust_store_feed_ops cust_pg_feed_ops = {
    .next_run_id = f_next_run_id,
    .mark_seen = f_mark_seen,
    .missing = f_missing,
    .review_open = f_review_open,
    .reviews_reappeared = f_reappeared,
    .run_insert = f_run_insert,
    .last_runs = f_last_runs,
    .reviews = f_reviews,
    .review_resolve = f_review_resolve,
};
