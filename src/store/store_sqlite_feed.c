/*
 * store_sqlite_feed.c - the feeds' store operations over SQLite (store_feed.h): the tables
 * feed_runs (one row per run, never changed), feed_bookings (which run of a source last
 * listed each booking) and feed_reviews (bookings a full snapshot stopped listing).
 */
#include "custodian/compat.h"
#include "store_sqlite_feed.h"
#include "store_sqlite_rows.h"

#include <sqlite3.h>

#include "store_sqlite_requests.h" /* cust_sqlite_handle */

const char *const cust_sqlite_feed_migration[] = {
    "CREATE TABLE feed_runs("
    " id INTEGER PRIMARY KEY,"
    " source TEXT NOT NULL, file TEXT NOT NULL, sha256 TEXT NOT NULL,"
    " snapshot TEXT NOT NULL CHECK (snapshot IN ('full', 'delta')),"
    " run_at TEXT NOT NULL, actor TEXT NOT NULL,"
    " records INTEGER NOT NULL, created INTEGER NOT NULL, updated INTEGER NOT NULL,"
    " unchanged INTEGER NOT NULL, released INTEGER NOT NULL, missing INTEGER NOT NULL,"
    " reviews_opened INTEGER NOT NULL, reappeared INTEGER NOT NULL, rejected INTEGER NOT NULL,"
    " rejects_file TEXT)",
    "CREATE INDEX feed_runs_source ON feed_runs(source, id)",
    "CREATE TRIGGER feed_runs_no_update BEFORE UPDATE ON feed_runs"
    " BEGIN SELECT RAISE(ABORT, 'feed runs are never changed'); END",
    "CREATE TRIGGER feed_runs_no_delete BEFORE DELETE ON feed_runs"
    " BEGIN SELECT RAISE(ABORT, 'feed runs are never deleted'); END",
    "CREATE TABLE feed_bookings("
    " source TEXT NOT NULL, booking_number TEXT NOT NULL,"
    " first_run INTEGER NOT NULL, last_run INTEGER NOT NULL,"
    " PRIMARY KEY(source, booking_number)) WITHOUT ROWID",
    "CREATE INDEX feed_bookings_last ON feed_bookings(source, last_run)",
    "CREATE TABLE feed_reviews("
    " id INTEGER PRIMARY KEY,"
    " source TEXT NOT NULL, booking_number TEXT NOT NULL, run_id INTEGER NOT NULL,"
    " opened_at TEXT NOT NULL, reason TEXT NOT NULL,"
    " status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),"
    " resolved_at TEXT, resolved_by TEXT, resolution TEXT)",
    "CREATE UNIQUE INDEX feed_reviews_open ON feed_reviews(source, booking_number)"
    " WHERE status = 'open'",
    "CREATE TRIGGER feed_reviews_no_delete BEFORE DELETE ON feed_reviews"
    " BEGIN SELECT RAISE(ABORT, 'review items are never deleted'); END",
    /* a resolved item stays as it was resolved */
    "CREATE TRIGGER feed_reviews_resolved_once BEFORE UPDATE ON feed_reviews"
    " WHEN OLD.status = 'resolved'"
    " BEGIN SELECT RAISE(ABORT, 'a resolved review item is never changed'); END",
    NULL};

static enum cust_status db_err(sqlite3 *db, const char *path, struct cust_err *err,
                               const char *what)
{
    return cust_err_set(err, CUST_EDB, "%s: %s: %s", path, what, sqlite3_errmsg(db));
}

/* Prepare `sql` on the store's connection. */
static sqlite3_stmt *prep(void *impl, const char *sql, sqlite3 **db, const char **path,
                          struct cust_err *err)
{
    *db = cust_sqlite_handle(impl, path, NULL);
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(*db, sql, -1, &s, NULL) != SQLITE_OK) {
        db_err(*db, *path, err, "feeds");
        return NULL;
    }
    return s;
}

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, i);
}

static const char *col(sqlite3_stmt *s, int i)
{
    return (const char *)sqlite3_column_text(s, i);
}

static enum cust_status step_done(sqlite3_stmt *s, sqlite3 *db, const char *path,
                                  struct cust_err *err, const char *what)
{
    int rc = sqlite3_step(s);
    enum cust_status st = rc == SQLITE_DONE ? CUST_OK : db_err(db, path, err, what);
    sqlite3_finalize(s);
    return st;
}

static enum cust_status f_next_run_id(void *impl, int64_t *id, struct cust_err *err)
{
    sqlite3 *db;
    const char *path;
    sqlite3_stmt *s = prep(impl, "SELECT coalesce(max(id), 0) + 1 FROM feed_runs", &db, &path, err);
    if (!s)
        return CUST_EDB;
    enum cust_status st = CUST_OK;
    if (sqlite3_step(s) == SQLITE_ROW)
        *id = sqlite3_column_int64(s, 0);
    else
        st = db_err(db, path, err, "feed runs");
    sqlite3_finalize(s);
    return st;
}

static enum cust_status f_mark_seen(void *impl, const char *source, int64_t run_id,
                                    const char *const *bns, size_t n, struct cust_err *err)
{
    sqlite3 *db;
    const char *path;
    sqlite3_stmt *s = prep(impl,
                           "INSERT INTO feed_bookings(source, booking_number, first_run, last_run)"
                           " VALUES(?1, ?2, ?3, ?3) ON CONFLICT(source, booking_number)"
                           " DO UPDATE SET last_run = excluded.last_run",
                           &db, &path, err);
    if (!s)
        return CUST_EDB;
    enum cust_status st = CUST_OK;
    for (size_t i = 0; i < n && st == CUST_OK; i++) {
        sqlite3_bind_text(s, 1, source, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, bns[i], -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 3, run_id);
        if (sqlite3_step(s) != SQLITE_DONE)
            st = db_err(db, path, err, "feed bookings");
        sqlite3_reset(s);
    }
    sqlite3_finalize(s);
    return st;
}

static enum cust_status f_missing(void *impl, const char *source, int64_t run_id,
                                  cust_feed_missing_fn fn, void *arg, struct cust_err *err)
{
    sqlite3 *db;
    const char *path;
    sqlite3_stmt *s = prep(impl,
                           "SELECT fb.booking_number, fb.last_run,"
                           " EXISTS (SELECT 1 FROM feed_reviews r WHERE r.source = fb.source"
                           "  AND r.booking_number = fb.booking_number AND r.status = 'open')"
                           " FROM feed_bookings fb JOIN bookings b"
                           "  ON b.booking_number = fb.booking_number"
                           " WHERE fb.source = ?1 AND fb.last_run < ?2 AND b.released_at IS NULL"
                           " ORDER BY fb.booking_number",
                           &db, &path, err);
    if (!s)
        return CUST_EDB;
    sqlite3_bind_text(s, 1, source, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, run_id);
    enum cust_status st = CUST_OK;
    int rc;
    while (st == CUST_OK && (rc = sqlite3_step(s)) == SQLITE_ROW)
        st = fn(col(s, 0), sqlite3_column_int64(s, 1), sqlite3_column_int(s, 2) != 0, arg);
    if (st == CUST_OK && rc != SQLITE_DONE)
        st = db_err(db, path, err, "feed bookings");
    sqlite3_finalize(s);
    return st;
}

static enum cust_status f_review_open(void *impl, const char *source, const char *bn,
                                      int64_t run_id, const char *at, const char *reason,
                                      struct cust_err *err)
{
    sqlite3 *db;
    const char *path;
    sqlite3_stmt *s = prep(impl,
                           "INSERT INTO feed_reviews(source, booking_number, run_id, opened_at,"
                           " reason) VALUES(?1, ?2, ?3, ?4, ?5)"
                           " ON CONFLICT(source, booking_number) WHERE status = 'open' DO NOTHING",
                           &db, &path, err);
    if (!s)
        return CUST_EDB;
    sqlite3_bind_text(s, 1, source, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, bn, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, run_id);
    sqlite3_bind_text(s, 4, at, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, reason, -1, SQLITE_STATIC);
    enum cust_status st = step_done(s, db, path, err, "feed reviews");
    if (st == CUST_OK && sqlite3_changes(db) > 0)
        cust_sqlite_rows_track(impl, CT_FEED_REVIEWS, sqlite3_last_insert_rowid(db), NULL);
    return st;
}

static enum cust_status f_reappeared(void *impl, const char *source, int64_t run_id, const char *at,
                                     int64_t *n, struct cust_err *err)
{
    sqlite3 *db;
    const char *path;
    sqlite3_stmt *s = prep(impl,
                           "UPDATE feed_reviews SET status = 'resolved', resolved_at = ?3,"
                           " resolved_by = 'feed', resolution = 'listed again by run ' || ?2"
                           " WHERE source = ?1 AND status = 'open' AND booking_number IN"
                           " (SELECT booking_number FROM feed_bookings WHERE source = ?1"
                           "  AND last_run = ?2) RETURNING id",
                           &db, &path, err);
    if (!s)
        return CUST_EDB;
    sqlite3_bind_text(s, 1, source, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, run_id);
    sqlite3_bind_text(s, 3, at, -1, SQLITE_STATIC);
    int rc;
    *n = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) { /* each item resolved, for the ledger */
        cust_sqlite_rows_track(impl, CT_FEED_REVIEWS, sqlite3_column_int64(s, 0), NULL);
        (*n)++;
    }
    enum cust_status st = rc == SQLITE_DONE ? CUST_OK : db_err(db, path, err, "feed reviews");
    sqlite3_finalize(s);
    if (st != CUST_OK)
        *n = 0;
    return st;
}

static enum cust_status f_run_insert(void *impl, const struct cust_feed_run_row *r,
                                     struct cust_err *err)
{
    sqlite3 *db;
    const char *path;
    sqlite3_stmt *s =
        prep(impl,
             "INSERT INTO feed_runs(id, source, file, sha256, snapshot, run_at, actor,"
             " records, created, updated, unchanged, released, missing,"
             " reviews_opened, reappeared, rejected, rejects_file)"
             " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
             " ?15, ?16, ?17)",
             &db, &path, err);
    if (!s)
        return CUST_EDB;
    sqlite3_bind_int64(s, 1, r->id);
    bind_text(s, 2, r->source);
    bind_text(s, 3, r->file);
    bind_text(s, 4, r->sha256);
    bind_text(s, 5, r->snapshot);
    bind_text(s, 6, r->run_at);
    bind_text(s, 7, r->actor);
    const int64_t v[] = {r->records, r->created,        r->updated,    r->unchanged, r->released,
                         r->missing, r->reviews_opened, r->reappeared, r->rejected};
    for (size_t i = 0; i < CUST_ARRAY_LEN(v); i++)
        sqlite3_bind_int64(s, 8 + (int)i, v[i]);
    bind_text(s, 17, r->rejects_file);
    enum cust_status st = step_done(s, db, path, err, "feed runs");
    if (st == CUST_OK)
        cust_sqlite_rows_track(impl, CT_FEED_RUNS, r->id, NULL);
    return st;
}

static enum cust_status f_last_runs(void *impl, cust_feed_run_fn fn, void *arg,
                                    struct cust_err *err)
{
    sqlite3 *db;
    const char *path;
    sqlite3_stmt *s = prep(impl,
                           "SELECT id, source, file, sha256, snapshot, run_at, actor, records,"
                           " created, updated, unchanged, released, missing, reviews_opened,"
                           " reappeared, rejected, rejects_file FROM feed_runs"
                           " WHERE id IN (SELECT max(id) FROM feed_runs GROUP BY source)"
                           " ORDER BY source",
                           &db, &path, err);
    if (!s)
        return CUST_EDB;
    enum cust_status st = CUST_OK;
    int rc;
    while (st == CUST_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct cust_feed_run_row r = {
            .id = sqlite3_column_int64(s, 0),
            .source = col(s, 1),
            .file = col(s, 2),
            .sha256 = col(s, 3),
            .snapshot = col(s, 4),
            .run_at = col(s, 5),
            .actor = col(s, 6),
            .records = sqlite3_column_int64(s, 7),
            .created = sqlite3_column_int64(s, 8),
            .updated = sqlite3_column_int64(s, 9),
            .unchanged = sqlite3_column_int64(s, 10),
            .released = sqlite3_column_int64(s, 11),
            .missing = sqlite3_column_int64(s, 12),
            .reviews_opened = sqlite3_column_int64(s, 13),
            .reappeared = sqlite3_column_int64(s, 14),
            .rejected = sqlite3_column_int64(s, 15),
            .rejects_file = col(s, 16),
        };
        st = fn(&r, arg);
    }
    if (st == CUST_OK && rc != SQLITE_DONE)
        st = db_err(db, path, err, "feed runs");
    sqlite3_finalize(s);
    return st;
}

static enum cust_status f_reviews(void *impl, bool open_only, cust_feed_review_fn fn, void *arg,
                                  struct cust_err *err)
{
    sqlite3 *db;
    const char *path;
    sqlite3_stmt *s = prep(impl,
                           "SELECT id, source, booking_number, run_id, opened_at, reason, status,"
                           " resolved_at, resolved_by, resolution FROM feed_reviews"
                           " WHERE ?1 = 0 OR status = 'open' ORDER BY id",
                           &db, &path, err);
    if (!s)
        return CUST_EDB;
    sqlite3_bind_int(s, 1, open_only);
    enum cust_status st = CUST_OK;
    int rc;
    while (st == CUST_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct cust_feed_review_row r = {
            .id = sqlite3_column_int64(s, 0),
            .source = col(s, 1),
            .booking_number = col(s, 2),
            .run_id = sqlite3_column_int64(s, 3),
            .opened_at = col(s, 4),
            .reason = col(s, 5),
            .status = col(s, 6),
            .resolved_at = col(s, 7),
            .resolved_by = col(s, 8),
            .resolution = col(s, 9),
        };
        st = fn(&r, arg);
    }
    if (st == CUST_OK && rc != SQLITE_DONE)
        st = db_err(db, path, err, "feed reviews");
    sqlite3_finalize(s);
    return st;
}

static enum cust_status f_review_resolve(void *impl, int64_t id, const char *by, const char *at,
                                         const char *resolution, char *src_out, size_t src_cap,
                                         char *bn_out, size_t bn_cap, struct cust_err *err)
{
    sqlite3 *db;
    const char *path;
    sqlite3_stmt *s = prep(impl,
                           "SELECT status, source, booking_number FROM feed_reviews"
                           " WHERE id = ?1",
                           &db, &path, err);
    if (!s)
        return CUST_EDB;
    sqlite3_bind_int64(s, 1, id);
    enum cust_status st = CUST_OK;
    int rc = sqlite3_step(s);
    if (rc == SQLITE_DONE)
        st = cust_err_set(err, CUST_ENOTFOUND, "no review item %lld", (long long)id);
    else if (rc != SQLITE_ROW)
        st = db_err(db, path, err, "feed reviews");
    else if (strcmp(col(s, 0), "open") != 0)
        st = cust_err_set(err, CUST_ECONFLICT, "review item %lld is already resolved",
                          (long long)id);
    else {
        snprintf(src_out, src_cap, "%s", col(s, 1));
        snprintf(bn_out, bn_cap, "%s", col(s, 2));
    }
    sqlite3_finalize(s);
    if (st != CUST_OK)
        return st;
    s = prep(impl,
             "UPDATE feed_reviews SET status = 'resolved', resolved_at = ?2, resolved_by = ?3,"
             " resolution = ?4 WHERE id = ?1 AND status = 'open'",
             &db, &path, err);
    if (!s)
        return CUST_EDB;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_text(s, 2, at, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, by, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, resolution, -1, SQLITE_STATIC);
    enum cust_status st2 = step_done(s, db, path, err, "feed reviews");
    if (st2 == CUST_OK)
        cust_sqlite_rows_track(impl, CT_FEED_REVIEWS, id, NULL);
    return st2;
}

const struct cust_store_feed_ops cust_sqlite_feed_ops = {
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
