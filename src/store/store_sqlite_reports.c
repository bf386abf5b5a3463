/*
 * store_sqlite_reports.c - the reports' reads and the enforcement-action log in the SQLite
 * backend (store_reports.h, docs/internals/reports.md).
 *
 * Migration 11 adds `enforcement_actions` (append-only: triggers refuse UPDATE and DELETE; a
 * correction is a new entry naming the one it supersedes) and an index of requests by receipt
 * time, which every report's period reads. Reports run rarely, so their statements are
 * prepared per call rather than kept per connection.
 */
#include "custodian/compat.h"
#include "store_sqlite_requests.h"
#include "store_sqlite_reports.h"
#include "store_sqlite_rows.h"
#include "store_sqlite_stmt.h"

#include <sqlite3.h>

const char *const cust_sqlite_reports_migration[] = {
    "CREATE INDEX requests_received ON requests(received_ts)",
    "CREATE TABLE enforcement_actions("
    " id INTEGER PRIMARY KEY,"
    " occurred_at TEXT NOT NULL, occurred_ts INTEGER NOT NULL, occurred_offset INTEGER NOT NULL,"
    " area TEXT NOT NULL, place TEXT, agency TEXT NOT NULL, detained INTEGER NOT NULL,"
    " persons TEXT NOT NULL, reasons TEXT, source TEXT NOT NULL, note TEXT,"
    " supersedes INTEGER REFERENCES enforcement_actions(id),"
    " recorded_by TEXT NOT NULL, recorded_at TEXT NOT NULL)",
    "CREATE INDEX enforcement_actions_time ON enforcement_actions(occurred_ts)",
    "CREATE TRIGGER enforcement_actions_no_update BEFORE UPDATE ON enforcement_actions"
    " BEGIN SELECT RAISE(ABORT, 'enforcement entries are never overwritten'); END",
    "CREATE TRIGGER enforcement_actions_no_delete BEFORE DELETE ON enforcement_actions"
    " BEGIN SELECT RAISE(ABORT, 'enforcement entries are never deleted'); END",
    NULL};

struct rq {
    sqlite3 *db;
    const char *path;
};

static struct rq rq_of(void *impl)
{
    struct rq q;
    q.db = cust_sqlite_handle(impl, &q.path, NULL);
    return q;
}

static enum cust_status rerr(const struct rq *q, struct cust_err *err, const char *what)
{
    return cust_sqlite_err(q->db, q->path, err, what);
}

static sqlite3_stmt *prep(const struct rq *q, const char *sql, struct cust_err *err)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(q->db, sql, -1, &s, NULL) != SQLITE_OK) {
        rerr(q, err, "prepare");
        return NULL;
    }
    return s;
}

/* ---- requests by receipt ---------------------------------------------------------------- */

static enum cust_status requests_between(void *impl, int64_t from_ts, int64_t to_ts,
                                         cust_request_row_fn fn, void *arg, struct cust_err *err)
{
    struct rq q = rq_of(impl);
    sqlite3_stmt *s =
        prep(&q,
             "SELECT " CUST_SQLITE_REQUEST_COLS " FROM requests"
             " WHERE (?1 IS NULL OR received_ts >= ?1) AND (?2 IS NULL OR received_ts < ?2)"
             " ORDER BY received_ts, id",
             err);
    if (!s)
        return CUST_EDB;
    cust_sqlite_bind_time(s, 1, from_ts);
    cust_sqlite_bind_time(s, 2, to_ts);
    enum cust_status st = CUST_OK;
    int rc;
    while (st == CUST_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct cust_request_row r = cust_sqlite_request_row(s);
        st = fn(&r, arg);
    }
    if (st == CUST_OK && rc != SQLITE_DONE)
        st = rerr(&q, err, "requests");
    sqlite3_finalize(s);
    return st;
}

/* ---- a person's report facts ------------------------------------------------------------ */

static enum cust_status person(void *impl, int64_t person_id, cust_report_person_fn fn, void *arg,
                               struct cust_err *err)
{
    struct rq q = rq_of(impl);
    /* the country recorded with the person's best-sourced status: the verified record first,
     * then the latest entered */
    sqlite3_stmt *s = prep(&q,
                           "SELECT p.id, p.sex, p.dob, p.citizenship_status,"
                           " (SELECT nullif(h.country, '') FROM citizenship_history h"
                           "  WHERE h.person_id = p.id AND h.status = p.citizenship_status"
                           "  ORDER BY h.country = '', h.verified = 1 DESC, h.id DESC LIMIT 1)"
                           " FROM persons p WHERE p.id = ?1",
                           err);
    if (!s)
        return CUST_EDB;
    sqlite3_bind_int64(s, 1, person_id);
    enum cust_status st = CUST_OK;
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        struct cust_report_person p = {sqlite3_column_int64(s, 0), cust_sqlite_text(s, 1),
                                       cust_sqlite_text(s, 2), cust_sqlite_text(s, 3),
                                       cust_sqlite_text(s, 4)};
        st = fn(&p, arg);
    } else if (rc == SQLITE_DONE) {
        st = cust_err_set(err, CUST_ENOTFOUND, "no person #%lld", (long long)person_id);
    } else {
        st = rerr(&q, err, "person");
    }
    sqlite3_finalize(s);
    return st;
}

/* ---- the enforcement-action log --------------------------------------------------------- */

static enum cust_status enforcement_put(void *impl, const struct cust_enforcement *e, int64_t *id,
                                        struct cust_err *err)
{
    struct rq q = rq_of(impl);
    sqlite3_stmt *s = prep(&q,
                           "INSERT INTO enforcement_actions(occurred_at, occurred_ts,"
                           " occurred_offset, area, place, agency, detained, persons, reasons,"
                           " source, note, supersedes, recorded_by, recorded_at)"
                           " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
                           err);
    if (!s)
        return CUST_EDB;
    cust_sqlite_bind_text(s, 1, e->occurred_at);
    sqlite3_bind_int64(s, 2, e->occurred_ts);
    sqlite3_bind_int(s, 3, e->occurred_offset);
    cust_sqlite_bind_text(s, 4, e->area);
    cust_sqlite_bind_text(s, 5, e->place);
    cust_sqlite_bind_text(s, 6, e->agency);
    sqlite3_bind_int64(s, 7, e->detained);
    cust_sqlite_bind_text(s, 8, e->persons ? e->persons : "[]");
    cust_sqlite_bind_text(s, 9, e->reasons);
    cust_sqlite_bind_text(s, 10, e->source);
    cust_sqlite_bind_text(s, 11, e->note);
    if (e->supersedes > 0)
        sqlite3_bind_int64(s, 12, e->supersedes);
    else
        sqlite3_bind_null(s, 12);
    cust_sqlite_bind_text(s, 13, e->recorded_by);
    cust_sqlite_bind_text(s, 14, e->recorded_at);
    int rc = sqlite3_step(s);
    enum cust_status st = CUST_OK;
    if (rc != SQLITE_DONE)
        st = sqlite3_extended_errcode(q.db) == SQLITE_CONSTRAINT_FOREIGNKEY
                 ? cust_err_set(err, CUST_EINVAL, "supersedes: no entry %lld",
                                (long long)e->supersedes)
                 : rerr(&q, err, "insert enforcement entry");
    else {
        /* a covered row (store_rows.h): the ledger entry of this transaction journals it */
        int64_t rowid = sqlite3_last_insert_rowid(q.db);
        cust_sqlite_rows_track(impl, CT_ENFORCEMENT_ACTIONS, rowid, NULL);
        if (id)
            *id = rowid;
    }
    sqlite3_finalize(s);
    return st;
}

static enum cust_status enforcement_list(void *impl, int64_t from_ts, int64_t to_ts,
                                         cust_enforcement_fn fn, void *arg, struct cust_err *err)
{
    struct rq q = rq_of(impl);
    sqlite3_stmt *s = prep(&q,
                           "SELECT id, occurred_at, occurred_ts, occurred_offset, area, place,"
                           " agency, detained, persons, reasons, source, note,"
                           " coalesce(supersedes, 0), recorded_by, recorded_at"
                           " FROM enforcement_actions"
                           " WHERE (?1 IS NULL OR occurred_ts >= ?1)"
                           " AND (?2 IS NULL OR occurred_ts < ?2) ORDER BY occurred_ts, id",
                           err);
    if (!s)
        return CUST_EDB;
    cust_sqlite_bind_time(s, 1, from_ts);
    cust_sqlite_bind_time(s, 2, to_ts);
    enum cust_status st = CUST_OK;
    int rc;
    while (st == CUST_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct cust_enforcement e = {
            .id = sqlite3_column_int64(s, 0),
            .occurred_at = cust_sqlite_text(s, 1),
            .occurred_ts = sqlite3_column_int64(s, 2),
            .occurred_offset = sqlite3_column_int(s, 3),
            .area = cust_sqlite_text(s, 4),
            .place = cust_sqlite_text(s, 5),
            .agency = cust_sqlite_text(s, 6),
            .detained = sqlite3_column_int64(s, 7),
            .persons = cust_sqlite_text(s, 8),
            .reasons = cust_sqlite_text(s, 9),
            .source = cust_sqlite_text(s, 10),
            .note = cust_sqlite_text(s, 11),
            .supersedes = sqlite3_column_int64(s, 12),
            .recorded_by = cust_sqlite_text(s, 13),
            .recorded_at = cust_sqlite_text(s, 14),
        };
        st = fn(&e, arg);
    }
    if (st == CUST_OK && rc != SQLITE_DONE)
        st = rerr(&q, err, "enforcement entries");
    sqlite3_finalize(s);
    return st;
}

const struct cust_store_reports_ops cust_sqlite_reports_ops = {
    .requests_between = requests_between,
    .person = person,
    .enforcement_put = enforcement_put,
    .enforcement_list = enforcement_list,
};
