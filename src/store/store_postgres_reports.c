/*
 * store_postgres_reports.c - the reports' reads and the enforcement-action log on PostgreSQL
 * (store_reports.h, docs/internals/reports.md; store_sqlite_reports.c's counterpart: the same
 * statements, ids assigned as SQLite assigns them, docs/internals/store-postgresql.md).
 */
#include "custodian/compat.h"
#include "store_postgres.h"
#include "store_rows_sql.h"

/* the country recorded with the person's best-sourced status: the verified record first, then
 * the latest entered (SQLite's order: a false comparison before a true one) */
static const char person_sql[] =
    "SELECT p.id, p.sex, p.dob, p.citizenship_status,"
    " (SELECT nullif(h.country, '') FROM citizenship_history h"
    "  WHERE h.person_id = p.id AND h.status = p.citizenship_status"
    "  ORDER BY h.country = '', h.verified = 1 DESC, h.id DESC LIMIT 1)"
    " FROM persons p WHERE p.id = ?1";
static const char enf_insert_sql[] =
    "INSERT INTO enforcement_actions(id, occurred_at, occurred_ts, occurred_offset, area, place,"
    " agency, detained, persons, reasons, source, note, supersedes, recorded_by, recorded_at)"
    " VALUES(" CUST_PG_NEXT_ID("enforcement_actions") ", ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
    " ?10, ?11, ?12, ?13, ?14) RETURNING id";
static const char enf_list_sql[] =
    "SELECT id, occurred_at, occurred_ts, occurred_offset, area, place, agency, detained,"
    " persons, reasons, source, note, coalesce(supersedes, 0), recorded_by, recorded_at"
    " FROM enforcement_actions WHERE (?1::bigint IS NULL OR occurred_ts >= ?1)"
    " AND (?2::bigint IS NULL OR occurred_ts < ?2) ORDER BY occurred_ts, id";

static void time_param(struct cust_pg_params *p, int i, int64_t t)
{
    if (t == CUST_NO_TIME)
        cust_pg_text(p, i, NULL);
    else
        cust_pg_int(p, i, t);
}

static enum cust_status person(void *impl, int64_t person_id, cust_report_person_fn fn, void *arg,
                               struct cust_err *err)
{
    struct cust_pg_params p = {0};
    cust_pg_int(&p, 1, person_id);
    PGresult *r;
    if (cust_pg_run(cust_pg_conn(impl), person_sql, &p, false, &r, err, "person") != CUST_OK)
        return CUST_EDB;
    enum cust_status st;
    if (PQntuples(r) > 0) {
        struct cust_report_person x = {cust_pg_get_int(r, 0, 0), cust_pg_get(r, 0, 1),
                                       cust_pg_get(r, 0, 2), cust_pg_get(r, 0, 3),
                                       cust_pg_get(r, 0, 4)};
        st = fn(&x, arg);
    } else {
        st = cust_err_set(err, CUST_ENOTFOUND, "no person #%lld", (long long)person_id);
    }
    PQclear(r);
    return st;
}

static enum cust_status enforcement_put(void *impl, const struct cust_enforcement *e, int64_t *id,
                                        struct cust_err *err)
{
    struct cust_pg_params p = {0};
    cust_pg_text(&p, 1, e->occurred_at);
    cust_pg_int(&p, 2, e->occurred_ts);
    cust_pg_int(&p, 3, e->occurred_offset);
    cust_pg_text(&p, 4, e->area);
    cust_pg_text(&p, 5, e->place);
    cust_pg_text(&p, 6, e->agency);
    cust_pg_int(&p, 7, e->detained);
    cust_pg_text(&p, 8, e->persons ? e->persons : "[]");
    cust_pg_text(&p, 9, e->reasons);
    cust_pg_text(&p, 10, e->source);
    cust_pg_text(&p, 11, e->note);
    if (e->supersedes > 0)
        cust_pg_int(&p, 12, e->supersedes);
    else
        cust_pg_text(&p, 12, NULL);
    cust_pg_text(&p, 13, e->recorded_by);
    cust_pg_text(&p, 14, e->recorded_at);
    PGresult *r;
    enum cust_status st = cust_pg_run(cust_pg_conn(impl), enf_insert_sql, &p, false, &r, err,
                                      "insert enforcement entry");
    if (st == CUST_ECONFLICT) /* the only key it can miss: supersedes */
        return cust_err_set(err, CUST_EINVAL, "supersedes: no entry %lld",
                            (long long)e->supersedes);
    if (st != CUST_OK)
        return st;
    int64_t rowid = cust_pg_get_int(r, 0, 0);
    PQclear(r);
    /* a covered row (store_rows.h): the ledger entry of this transaction journals it */
    cust_pg_rows_track(impl, CT_ENFORCEMENT_ACTIONS, rowid, NULL);
    if (id)
        *id = rowid;
    return CUST_OK;
}

static enum cust_status enforcement_list(void *impl, int64_t from_ts, int64_t to_ts,
                                         cust_enforcement_fn fn, void *arg, struct cust_err *err)
{
    struct cust_pg_params p = {0};
    time_param(&p, 1, from_ts);
    time_param(&p, 2, to_ts);
    PGresult *r;
    if (cust_pg_run(cust_pg_conn(impl), enf_list_sql, &p, false, &r, err,
                    "enforcement entries") != CUST_OK)
        return CUST_EDB;
    enum cust_status st = CUST_OK;
    for (int i = 0; st == CUST_OK && i < PQntuples(r); i++) {
        struct cust_enforcement e = {
            .id = cust_pg_get_int(r, i, 0),
            .occurred_at = cust_pg_get(r, i, 1),
            .occurred_ts = cust_pg_get_int(r, i, 2),
            .occurred_offset = (int)cust_pg_get_int(r, i, 3),
            .area = cust_pg_get(r, i, 4),
            .place = cust_pg_get(r, i, 5),
            .agency = cust_pg_get(r, i, 6),
            .detained = cust_pg_get_int(r, i, 7),
            .persons = cust_pg_get(r, i, 8),
            .reasons = cust_pg_get(r, i, 9),
            .source = cust_pg_get(r, i, 10),
            .note = cust_pg_get(r, i, 11),
            .supersedes = cust_pg_get_int(r, i, 12),
            .recorded_by = cust_pg_get(r, i, 13),
            .recorded_at = cust_pg_get(r, i, 14),
        };
        st = fn(&e, arg);
    }
    PQclear(r);
    return st;
}

const struct cust_store_reports_ops cust_pg_reports_ops = {
    .requests_between = cust_pg_requests_between,
    .person = person,
    .enforcement_put = enforcement_put,
    .enforcement_list = enforcement_list,
};
