/* Unit tests for src/store: open/migrate, transactions, versioned puts, person linking, roster.
 * Backend-neutral: with CUSTODIAN_TEST_PG (the `pg` fixture, tests/pg/tests.cmake) the same tests
 * run on PostgreSQL, each in a database of its own (registered again as pg/test_store). */
#include "custodian/compat.h"
#include "custodian/buf.h"
#include "custodian/date.h"
#include "custodian/store.h"
#include "custodian/store_feed.h"
#include "custodian/store_rows.h"

#include <setjmp.h>
#include <stdarg.h>
#include <unistd.h>
#include <cmocka.h>
#include <libpq-fe.h>
#include <sqlite3.h>

struct fx {
    char path[512];
    char db[64]; /* PostgreSQL: the database made for this test */
    struct cust_store *s;
};

/* The maintenance database's URL when the tests run on PostgreSQL, else NULL. */
static const char *pg_url(void)
{
    const char *u = getenv("CUSTODIAN_TEST_PG");
    return u && *u ? u : NULL;
}

/* Run one statement on the maintenance database (CREATE or DROP DATABASE). */
static void pg_admin(const char *sql)
{
    PGconn *c = PQconnectdb(pg_url());
    if (PQstatus(c) != CONNECTION_OK)
        fail_msg("connect: %s", PQerrorMessage(c));
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        fail_msg("%s: %s", sql, PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
}

/* A URL like the maintenance one for database `db`: postgresql:///DB?host=...&user=... */
static void pg_url_for(const char *db, char *out, size_t cap)
{
    const char *u = pg_url(), *q = strchr(u, '?');
    snprintf(out, cap, "postgresql:///%s%s", db, q ? q : "");
}

static int setup(void **state)
{
    static int n;
    struct fx *f = cust_xcalloc(1, sizeof(*f));
    if (pg_url()) {
        snprintf(f->db, sizeof(f->db), "cust_store_%ld_%d", (long)getpid(), n++);
        char sql[128];
        snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", f->db);
        pg_admin(sql);
        snprintf(sql, sizeof(sql), "CREATE DATABASE %s", f->db);
        pg_admin(sql);
        pg_url_for(f->db, f->path, sizeof(f->path));
    } else {
        snprintf(f->path, sizeof(f->path), "/tmp/cust-store-test.%ld.db", (long)getpid());
        unlink(f->path);
    }
    struct cust_err err = CUST_ERR_INIT;
    if (cust_store_open(f->path, CUST_STORE_CREATE, &f->s, &err) != CUST_OK)
        fail_msg("open: %s", err.msg);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    cust_store_close(f->s);
    if (f->db[0]) {
        char sql[128];
        snprintf(sql, sizeof(sql), "DROP DATABASE %s", f->db);
        pg_admin(sql);
        free(f);
        return 0;
    }
    char p[600];
    unlink(f->path);
    snprintf(p, sizeof(p), "%s-wal", f->path);
    unlink(p);
    snprintf(p, sizeof(p), "%s-shm", f->path);
    unlink(p);
    free(f);
    return 0;
}

static struct cust_booking booking(const char *bn, const char *key, const char *cii, int32_t day,
                                   const char *doc)
{
    struct cust_booking b = {0};
    b.booking_number = bn;
    b.booked_at = "2025-03-14T10:00:00Z";
    b.booked_ts = (int64_t)day * 86400 + 36000;
    b.booked_day = day;
    b.facility = "MCJ";
    b.released_day = CUST_NO_DAY;
    b.computed_release = CUST_NO_DAY;
    b.person.person_key = key;
    b.person.last_name = "DOE";
    b.person.first_name = "JANE";
    b.person.dob = "1980-01-01";
    b.person.cii = cii;
    b.person.sex_arson_registrant = -1;
    b.doc = doc;
    b.doc_len = strlen(doc);
    return b;
}

/* The ledger's part (store_rows.h), played by the test: take the rows written. */
static enum cust_status count_row(const struct cust_row *r, void *arg)
{
    (void)r;
    (*(int *)arg)++;
    return CUST_OK;
}

static enum cust_status put(struct cust_store *s, const struct cust_booking *b,
                            struct cust_put_result *res)
{
    struct cust_err err = CUST_ERR_INIT;
    struct cust_put_meta m = {"tester", "unit:1", "2025-03-14T00:00:00Z", NULL};
    assert_int_equal(cust_store_begin(s, &err), CUST_OK);
    enum cust_status st = cust_store_put_booking(s, b, &m, res, &err);
    int written = 0;
    if (st == CUST_OK)
        st = cust_store_rows_written(s, count_row, &written, &err);
    if (st == CUST_OK)
        assert_true(written >= 3); /* version, booking, person (and any citizenship value) */
    if (st == CUST_OK)
        st = cust_store_commit(s, &err);
    else
        cust_store_rollback(s);
    return st;
}

static int64_t count(struct cust_store *s, const char *what)
{
    int64_t n = -1;
    assert_int_equal(cust_store_count(s, what, &n, NULL), CUST_OK);
    return n;
}

static void test_open_missing_and_reopen(void **state)
{
    struct fx *f = *state;
    struct cust_store *s = NULL;
    struct cust_err err = CUST_ERR_INIT;
    assert_int_equal(cust_store_open("/tmp/definitely/not/here.db", CUST_STORE_OPEN, &s, &err),
                     CUST_ENOTFOUND);
    assert_null(s);
    /* reopening an existing store applies no migration twice */
    assert_int_equal(cust_store_open(f->path, CUST_STORE_OPEN, &s, &err), CUST_OK);
    assert_int_equal(count(s, "bookings"), 0);
    assert_int_equal(count(s, "ledger"), 0);
    assert_int_equal(cust_store_count(s, "nope", &(int64_t){0}, &err), CUST_EINVAL);
    cust_store_close(s);
    /* 2: the desk tables, 3: web users, 4: disclosures, 5: the locator's in-custody indexes and
     * dob filter, 6: TOTP secrets sealed, 7: the precomputed public charges, 8: feed runs,
     * what each source listed and the review items, 9: the row journal of the ledger, 10: the
     * names' search keys, 11: the enforcement log and the requests' receipt index, 12: (empty),
     * 13: the locator's in-custody rows */
    assert_int_equal(cust_store_schema_version(), 18);
}

static void test_put_versions(void **state)
{
    struct fx *f = *state;
    int32_t d = cust_days_from_civil(2025, 3, 14);
    struct cust_booking b = booking("B1", "P1", NULL, d, "{\"v\":1}");
    struct cust_put_result r;
    assert_int_equal(put(f->s, &b, &r), CUST_OK);
    assert_int_equal(r.version, 1);
    assert_true(r.person_created);
    b.doc = "{\"v\":2}";
    b.doc_len = 7;
    b.facility = "TTCF";
    assert_int_equal(put(f->s, &b, &r), CUST_OK);
    assert_int_equal(r.version, 2);
    assert_false(r.person_created);
    int v = 0;
    char *doc = NULL;
    assert_int_equal(cust_store_current_version(f->s, "B1", &v, &doc, NULL), CUST_OK);
    assert_int_equal(v, 2);
    assert_string_equal(doc, "{\"v\":2}");
    free(doc);
    assert_int_equal(cust_store_current_version(f->s, "B9", &v, NULL, NULL), CUST_ENOTFOUND);
    assert_int_equal(count(f->s, "versions"), 2);
    assert_int_equal(count(f->s, "bookings"), 1);
    assert_int_equal(count(f->s, "persons"), 1);
}

static enum cust_status collect_version(const struct cust_version *v, void *arg)
{
    struct cust_buf *b = arg;
    return cust_buf_appendf(b, "%d:%s;", v->version, v->doc);
}

static void test_versions_listing(void **state)
{
    struct fx *f = *state;
    test_put_versions(state);
    struct cust_buf b = CUST_BUF_INIT;
    assert_int_equal(cust_store_versions(f->s, "B1", collect_version, &b, NULL), CUST_OK);
    assert_string_equal(b.buf, "1:{\"v\":1};2:{\"v\":2};");
    cust_buf_release(&b);
    assert_int_equal(cust_store_versions(f->s, "B2", collect_version, &b, NULL), CUST_ENOTFOUND);
    char *doc = NULL;
    assert_int_equal(cust_store_booking_version(f->s, "B1", 1, &doc, NULL), CUST_OK);
    assert_string_equal(doc, "{\"v\":1}");
    free(doc);
    assert_int_equal(cust_store_booking_version(f->s, "B1", 3, &doc, NULL), CUST_ENOTFOUND);
    assert_null(doc);
    assert_int_equal(cust_store_booking_version(f->s, "B2", 1, &doc, NULL), CUST_ENOTFOUND);
}

static void test_rollback_writes_nothing(void **state)
{
    struct fx *f = *state;
    struct cust_err err = CUST_ERR_INIT;
    struct cust_booking b = booking("B1", "P1", NULL, 20000, "{}");
    struct cust_put_meta m = {"t", "s", "2025-01-01T00:00:00Z", NULL};
    struct cust_put_result r;
    assert_int_equal(cust_store_begin(f->s, &err), CUST_OK);
    assert_int_equal(cust_store_begin(f->s, &err), CUST_OK); /* nested */
    assert_int_equal(cust_store_put_booking(f->s, &b, &m, &r, &err), CUST_OK);
    assert_int_equal(cust_store_commit(f->s, &err), CUST_OK); /* inner: no-op */
    cust_store_rollback(f->s);
    assert_int_equal(count(f->s, "bookings"), 0);
    assert_int_equal(count(f->s, "persons"), 0);
    /* put outside a transaction is refused */
    assert_int_equal(cust_store_put_booking(f->s, &b, &m, &r, &err), CUST_EDB);
}

static void test_person_linking(void **state)
{
    struct fx *f = *state;
    struct cust_put_result r1, r2, r3, r4;
    struct cust_booking a = booking("A", NULL, "CII1", 20000, "{}");
    struct cust_booking b = booking("B", NULL, "CII1", 20001, "{}"); /* same cii: linked */
    struct cust_booking c = booking("C", NULL, NULL, 20002, "{}");   /* same name+dob: not */
    struct cust_booking d = booking("D", NULL, NULL, 20003, "{}");
    assert_int_equal(put(f->s, &a, &r1), CUST_OK);
    assert_int_equal(put(f->s, &b, &r2), CUST_OK);
    assert_int_equal(put(f->s, &c, &r3), CUST_OK);
    assert_int_equal(put(f->s, &d, &r4), CUST_OK);
    assert_int_equal(r1.person_id, r2.person_id);
    assert_false(r2.person_created);
    assert_int_not_equal(r3.person_id, r1.person_id);
    assert_int_not_equal(r3.person_id, r4.person_id);
    assert_int_equal(count(f->s, "persons"), 3);
}

static enum cust_status collect_roster(const struct cust_roster_row *r, void *arg)
{
    struct cust_buf *b = arg;
    return cust_buf_appendf(b, "%s,", r->booking_number);
}

static void test_roster_as_of(void **state)
{
    struct fx *f = *state;
    int32_t d = 20000;
    struct cust_booking a = booking("A", "P1", NULL, d, "{}");
    struct cust_booking b = booking("B", "P2", NULL, d + 1, "{}");
    b.released_at = "x";
    b.released_day = d + 3;
    b.facility = "TTCF";
    /* released the day it was booked: in custody on no day; released the day after: that day */
    struct cust_booking c = booking("C", "P3", NULL, d + 2, "{}");
    c.released_at = "x";
    c.released_day = d + 2;
    struct cust_booking e = booking("E", "P4", NULL, d, "{}");
    e.released_at = "x";
    e.released_day = d + 1;
    struct cust_put_result r;
    assert_int_equal(put(f->s, &a, &r), CUST_OK);
    assert_int_equal(put(f->s, &b, &r), CUST_OK);
    assert_int_equal(put(f->s, &c, &r), CUST_OK);
    assert_int_equal(put(f->s, &e, &r), CUST_OK);
    const struct {
        int32_t day;
        const char *facility;
        const char *want;
    } cases[] = {{d - 1, NULL, ""},
                 {d, NULL, "A,E,"},
                 {d + 1, NULL, "A,B,"},
                 {d + 2, NULL, "A,B,"},
                 {d + 3, NULL, "A,"},
                 {d + 2, "TTCF", "B,"},
                 {CUST_NO_DAY, NULL, "A,B,C,E,"}};
    for (size_t i = 0; i < CUST_ARRAY_LEN(cases); i++) {
        struct cust_buf out = CUST_BUF_INIT;
        struct cust_roster_filter flt = {.day = cases[i].day, .facility = cases[i].facility};
        assert_int_equal(cust_store_roster(f->s, &flt, collect_roster, &out, NULL), CUST_OK);
        assert_string_equal(out.buf, cases[i].want);
        cust_buf_release(&out);
    }
}

static enum cust_status collect_scope(const struct cust_scope_row *r, void *arg)
{
    return cust_buf_appendf(arg, "%s,", r->booking_number);
}

/* The whole records of a scope's persons: every booking of each person with a booking in the
 * scope and another booking (any day: the desk leaves out what came after), by person and
 * booking time; not the persons outside the scope, nor those with one booking (before, every
 * person with more than one booking in the store was read). */
static void test_scope_persons(void **state)
{
    struct fx *f = *state;
    int32_t d = 20000;
    struct cust_booking bk[] = {
        booking("A2", "P1", NULL, d - 1, "{}"),  booking("A1", "P1", NULL, d - 10, "{}"),
        booking("B1", "P2", NULL, d - 10, "{}"), booking("B2", "P2", NULL, d - 3, "{}"),
        booking("C1", "P3", NULL, d - 2, "{}"),  booking("E1", "P4", NULL, d, "{}"),
        booking("E2", "P4", NULL, d + 2, "{}"),
    };
    bk[1].released_at = bk[2].released_at = bk[3].released_at = "x";
    bk[1].released_day = bk[2].released_day = d - 5;
    bk[3].released_day = d - 1;
    bk[5].facility = bk[6].facility = "TTCF";
    struct cust_put_result r;
    for (size_t i = 0; i < CUST_ARRAY_LEN(bk); i++)
        assert_int_equal(put(f->s, &bk[i], &r), CUST_OK);
    const struct {
        struct cust_scope sc;
        const char *want;
    } cases[] = {
        {{.day = d}, "A1,A2,E1,E2,"},
        {{.day = d, .facility = "TTCF"}, "E1,E2,"},
        {{.day = d - 6}, "A1,A2,B1,B2,"},
        {{.day = d, .citizenship = "citizen"}, ""},
    };
    for (size_t i = 0; i < CUST_ARRAY_LEN(cases); i++) {
        struct cust_buf out = CUST_BUF_INIT;
        assert_int_equal(cust_store_scope_persons(f->s, &cases[i].sc, collect_scope, &out, NULL),
                         CUST_OK);
        assert_string_equal(out.buf ? out.buf : "", cases[i].want);
        cust_buf_release(&out);
    }
    /* one person's bookings: a person id, not 0 */
    struct cust_buf out = CUST_BUF_INIT;
    assert_int_equal(cust_store_person_bookings(f->s, 0, collect_scope, &out, NULL), CUST_EINVAL);
    cust_buf_release(&out);
}

/* A scope's bookings are the same whichever way the backend reads them (SQLite: by the custody
 * index when they are under a quarter of the bookings kept, in booking-number order otherwise). */
static void test_scope_read_ways(void **state)
{
    struct fx *f = *state;
    int32_t d = 20000;
    struct cust_booking a = booking("A", "P1", NULL, d - 1, "{}");
    struct cust_booking b = booking("B", "P2", NULL, d - 8, "{}");
    b.released_at = "x";
    b.released_day = d - 5;
    struct cust_booking c = booking("C", "P3", NULL, d - 2, "{}");
    struct cust_put_result r;
    assert_int_equal(put(f->s, &c, &r), CUST_OK);
    assert_int_equal(put(f->s, &a, &r), CUST_OK);
    assert_int_equal(put(f->s, &b, &r), CUST_OK);
    struct cust_scope now = {.day = d}, then = {.day = d - 95};
    struct cust_buf out = CUST_BUF_INIT;
    assert_int_equal(cust_store_scope(f->s, &now, collect_scope, &out, NULL), CUST_OK);
    assert_string_equal(out.buf, "A,C,"); /* 2 of 3 in custody */
    cust_buf_release(&out);
    char bn[10][4], key[10][4];
    for (int i = 0; i < 10; i++) {
        snprintf(bn[i], sizeof(bn[i]), "Z%02d", i);
        snprintf(key[i], sizeof(key[i]), "K%02d", i);
        struct cust_booking z = booking(bn[i], key[i], NULL, d - 100, "{}");
        z.released_at = "x";
        z.released_day = d - 90;
        assert_int_equal(put(f->s, &z, &r), CUST_OK);
    }
    assert_int_equal(cust_store_scope(f->s, &now, collect_scope, &out, NULL), CUST_OK);
    assert_string_equal(out.buf, "A,C,"); /* 2 of 13 */
    cust_buf_release(&out);
    assert_int_equal(cust_store_scope(f->s, &then, collect_scope, &out, NULL), CUST_OK);
    assert_string_equal(out.buf, "Z00,Z01,Z02,Z03,Z04,Z05,Z06,Z07,Z08,Z09,"); /* 10 of 13 */
    cust_buf_release(&out);
}

/* A bulk transaction into an empty store: existence answers come from what the load wrote
 * (a booking put earlier in the load is found, a new person_key links), a rollback leaves
 * nothing, and a bulk load into a non-empty store finds what was there before. */
static void test_bulk_load(void **state)
{
    struct fx *f = *state;
    struct cust_err err = CUST_ERR_INIT;
    struct cust_put_meta m = {"tester", "unit:1", "2025-03-14T00:00:00Z", NULL};
    struct cust_put_result r1, r2, r3;
    struct cust_booking b1 = booking("B1", "K1", NULL, 20000, "{\"v\":1}");
    struct cust_booking b2 = booking("B2", "K1", NULL, 20000, "{\"v\":2}");
    struct cust_booking b1v2 = booking("B1", "K1", NULL, 20000, "{\"v\":3}");
    int version = 0;

    assert_int_equal(cust_store_begin_bulk(f->s, &err), CUST_OK);
    assert_int_equal(cust_store_current_version(f->s, "B1", &version, NULL, NULL), CUST_ENOTFOUND);
    assert_int_equal(cust_store_put_booking(f->s, &b1, &m, &r1, &err), CUST_OK);
    assert_int_equal(cust_store_current_version(f->s, "B1", &version, NULL, NULL), CUST_OK);
    assert_int_equal(version, 1);
    assert_int_equal(cust_store_put_booking(f->s, &b2, &m, &r2, &err), CUST_OK);
    assert_false(r2.person_created);
    assert_int_equal(r2.person_id, r1.person_id);
    cust_store_rollback(f->s);
    assert_int_equal(count(f->s, "bookings"), 0);
    assert_int_equal(count(f->s, "persons"), 0);

    assert_int_equal(cust_store_begin_bulk(f->s, &err), CUST_OK);
    assert_int_equal(cust_store_put_booking(f->s, &b1, &m, &r1, &err), CUST_OK);
    /* rows written and not taken by the ledger: the commit refuses, nothing is kept */
    assert_int_equal(cust_store_commit(f->s, &err), CUST_EINTEGRITY);
    assert_non_null(strstr(err.msg, "without a ledger entry"));
    assert_int_equal(count(f->s, "bookings"), 0);
    assert_int_equal(cust_store_begin_bulk(f->s, &err), CUST_OK);
    assert_int_equal(cust_store_put_booking(f->s, &b1, &m, &r1, &err), CUST_OK);
    int written = 0;
    assert_int_equal(cust_store_rows_written(f->s, count_row, &written, &err), CUST_OK);
    assert_int_equal(written, 3);
    assert_int_equal(cust_store_commit(f->s, &err), CUST_OK);
    /* not empty now: the ordinary lookups */
    assert_int_equal(cust_store_begin_bulk(f->s, &err), CUST_OK);
    assert_int_equal(cust_store_current_version(f->s, "B1", &version, NULL, NULL), CUST_OK);
    assert_int_equal(cust_store_put_booking(f->s, &b1v2, &m, &r3, &err), CUST_OK);
    assert_int_equal(r3.version, 2);
    assert_false(r3.person_created);
    assert_int_equal(cust_store_rows_written(f->s, count_row, &written, &err), CUST_OK);
    assert_int_equal(cust_store_commit(f->s, &err), CUST_OK);
    assert_int_equal(count(f->s, "persons"), 1);
    assert_int_equal(count(f->s, "versions"), 2);
    /* nested inside an open transaction it is a plain begin */
    assert_int_equal(cust_store_begin(f->s, &err), CUST_OK);
    assert_int_equal(cust_store_begin_bulk(f->s, &err), CUST_OK);
    assert_int_equal(cust_store_commit(f->s, &err), CUST_OK);
    assert_int_equal(cust_store_commit(f->s, &err), CUST_OK);
}

static int fields_checked;

static enum cust_status collect_public(const struct cust_public_row *r, void *arg)
{
    struct cust_buf *b = arg;
    /* an in-custody row's fields, kept as JSON by the backend (migration 14: SQLite's C function,
     * PostgreSQL's PL/pgSQL), are byte for byte what cust_store_public_fields makes of its
     * columns */
    if (r->fields) {
        struct cust_buf want = CUST_BUF_INIT;
        assert_int_equal(cust_store_public_fields(&want, r), CUST_OK);
        assert_string_equal(r->fields, want.buf);
        cust_buf_release(&want);
        fields_checked++;
    }
    return cust_buf_appendf(b, "%s:%s:%s:%s,", r->booking_number, r->first_name,
                            r->middle_name ? r->middle_name : "-", r->facility);
}

/* A row callback that, at the first row, writes a booking through another connection. */
struct between {
    const char *path;
    struct cust_booking b;
    struct cust_buf *out;
    bool written;
};

static enum cust_status write_between(const struct cust_public_row *r, void *arg)
{
    struct between *w = arg;
    if (!w->written) {
        struct cust_store *other;
        struct cust_err err = CUST_ERR_INIT;
        struct cust_put_result res;
        assert_int_equal(cust_store_open(w->path, CUST_STORE_OPEN, &other, &err), CUST_OK);
        assert_int_equal(put(other, &w->b, &res), CUST_OK);
        cust_store_close(other);
        w->written = true;
    }
    return collect_public(r, w->out);
}

/* The locator's search on either backend: the in-custody rows (public_custody, migration 13) in
 * key order, kept as bookings are written: a new one, a new version, a release (gone, but found
 * while the day asked about is before the release day), a person's middle name and dob; the
 * count (kept per name key, migration 14, or counted) with the rows booked too recently left out;
 * a bulk load. */
/* A feed run may list a booking twice (two lines of one booking in a delta, or a rejected line
 * and its corrected one): its bookings are marked seen all the same, on either backend
 * (PostgreSQL's one INSERT ... ON CONFLICT DO UPDATE for the list refused a key twice). */
static void test_feed_seen_twice(void **state)
{
    struct fx *f = *state;
    struct cust_err err = CUST_ERR_INIT;
    static const char *const bns[] = {"B1", "B2", "B1"};
    for (int run = 0; run < 2; run++) {
        assert_int_equal(cust_store_begin(f->s, &err), CUST_OK);
        int64_t id = 0;
        assert_int_equal(cust_store_feed_next_run_id(f->s, &id, &err), CUST_OK);
        if (cust_store_feed_mark_seen(f->s, "jms", id + run, bns, CUST_ARRAY_LEN(bns), &err) !=
            CUST_OK)
            fail_msg("run %d: %s", run, err.msg);
        assert_int_equal(cust_store_commit(f->s, &err), CUST_OK);
    }
}

/* A person's prior convictions in the same order on both backends: by date, one without a date
 * first (SQLite's NULLs come first; PostgreSQL put them last), then by code. */
static void test_person_priors_order(void **state)
{
    struct fx *f = *state;
    struct cust_err err = CUST_ERR_INIT;
    struct cust_put_result r;
    static const struct cust_prior priors[] = {
        {"PC 459", "felony", "2019-01-01", "CA", NULL},
        {"PC 211", "felony", NULL, "CA", NULL},
        {"PC 484", "misdemeanor", "2010-05", "CA", NULL},
    };
    struct cust_booking b = booking("PR1", "PPRI", NULL, 20000, "{}");
    b.priors = priors;
    b.n_priors = CUST_ARRAY_LEN(priors);
    assert_int_equal(put(f->s, &b, &r), CUST_OK);
    char *json = NULL;
    assert_int_equal(cust_store_person_json(f->s, "PPRI", &json, &err), CUST_OK);
    const char *a = strstr(json, "PC 211"), *c = strstr(json, "PC 484"),
               *d = strstr(json, "PC 459");
    if (!a || !c || !d || !(a < c && c < d))
        fail_msg("priors out of order: %s", json);
    free(json);
}

static void test_public_search(void **state)
{
    struct fx *f = *state;
    struct cust_err err = CUST_ERR_INIT;
    struct cust_put_result r;
    int32_t d = 20000;
    struct cust_booking a = booking("A1", "P1", NULL, d, "{}");
    struct cust_booking b = booking("B1", "P2", NULL, d, "{}");
    b.person.first_name = "ADAM";
    struct cust_booking c = booking("C1", "P3", NULL, d, "{}");
    c.person.last_name = "DOEY"; /* a prefix match of DOE */
    c.person.first_name = "ZOE";
    c.booked_ts += 3600;
    /* text JSON must escape, in every field the backend keeps as JSON */
    struct cust_booking e = booking("E\"1<&>", "P4", NULL, d, "{}");
    e.person.last_name = "O'QUOTE \\ \"X\"";
    e.person.first_name = "<b>&amp;";
    e.person.middle_name = "Mar\xc3\xad"
                           "a\t\x01\x1f\x7f";
    e.facility = "Men's \"Central\" <Jail> & \\";
    e.arresting_agency = "A\nB";
    e.booked_at = "2025-03-14T10:00:00-07:00";
    assert_int_equal(put(f->s, &e, &r), CUST_OK);
    assert_int_equal(put(f->s, &a, &r), CUST_OK);
    assert_int_equal(put(f->s, &b, &r), CUST_OK);
    assert_int_equal(put(f->s, &c, &r), CUST_OK);
    struct cust_public_query q = {
        .last_name = "Doe", .booked_before = INT64_MAX, .today = d + 1, .limit = 10};
    struct cust_buf out = CUST_BUF_INIT;
    int64_t total = -1;
#define SEARCH(WANT, TOTAL)                                                                        \
    do {                                                                                           \
        cust_buf_reset(&out);                                                                      \
        assert_int_equal(cust_store_public_search(f->s, &q, collect_public, &out, &err), CUST_OK); \
        assert_string_equal(out.len ? out.buf : "", WANT);                                         \
        assert_int_equal(cust_store_public_count(f->s, &q, &total, &err), CUST_OK);                \
        assert_int_equal(total, TOTAL);                                                            \
        /* the rows and their count in one read: the same rows, the same total */                  \
        cust_buf_reset(&out);                                                                      \
        total = -1;                                                                                \
        assert_int_equal(cust_store_public_read(f->s, &q, collect_public, &out, &total, &err),     \
                         CUST_OK);                                                                 \
        assert_string_equal(out.len ? out.buf : "", WANT);                                         \
        assert_int_equal(total, TOTAL);                                                            \
    } while (0)
    SEARCH("B1:ADAM:-:MCJ,A1:JANE:-:MCJ,C1:ZOE:-:MCJ,", 3);
    /* a prefix whose last letter ends in byte 0xBF (п is D0 BF): its range's end is text too
     * (its last byte increased, D0 C0, was refused by PostgreSQL as a parameter), for the
     * locator and for the roster's last name */
    struct cust_booking k = booking("K1", "P6", NULL, d, "{}");
    k.person.last_name = "Попов";
    k.person.first_name = "ИВАН";
    assert_int_equal(put(f->s, &k, &r), CUST_OK);
    q.last_name = "Поп";
    SEARCH("K1:ИВАН:-:MCJ,", 1);
    q.last_name = "Doe";
    struct cust_roster_filter kf = {.day = d, .last_name = "ПОП"};
    cust_buf_reset(&out);
    assert_int_equal(cust_store_roster(f->s, &kf, collect_roster, &out, &err), CUST_OK);
    assert_non_null(strstr(out.len ? out.buf : "", "K1"));
    q.limit = 2;
    SEARCH("B1:ADAM:-:MCJ,A1:JANE:-:MCJ,", 3);
    /* the count is of the rows' snapshot: a booking of the name written by another connection
     * while the rows are read is in neither (two reads, rows then count, counted it: 4) */
    struct between w = {.path = f->path, .b = booking("W1", "P5", NULL, d, "{}")};
    w.b.person.first_name = "WALT";
    for (int by_first = 0; by_first < 2; by_first++) {
        q.first_name = by_first ? "" : NULL; /* the kept counts, then counting (a first name) */
        cust_buf_reset(&out);
        w.out = &out;
        w.written = false;
        w.b.booking_number = by_first ? "W2" : "W1";
        assert_int_equal(cust_store_public_read(f->s, &q, write_between, &w, &total, &err),
                         CUST_OK);
        assert_true(w.written);
        assert_string_equal(out.buf, "B1:ADAM:-:MCJ,A1:JANE:-:MCJ,");
        assert_int_equal(total, 3 + by_first);
        SEARCH("B1:ADAM:-:MCJ,A1:JANE:-:MCJ,", 4 + by_first); /* the next read sees it */
    }
    q.first_name = NULL;
    /* released before the day asked about: gone again */
    w.b.released_at = "2024-10-03T10:00:00Z";
    w.b.released_day = d;
    w.b.doc = "{\"v\":2}";
    w.b.doc_len = strlen(w.b.doc);
    for (int i = 0; i < 2; i++) {
        w.b.booking_number = i ? "W2" : "W1";
        assert_int_equal(put(f->s, &w.b, &r), CUST_OK);
    }
    SEARCH("B1:ADAM:-:MCJ,A1:JANE:-:MCJ,", 3);
    /* booked after booked_before (the last hide_recent_hours): neither shown nor counted, by the
     * kept counts (last name alone, migration 14) and by counting (a first name given) */
    q.booked_before = c.booked_ts - 1;
    SEARCH("B1:ADAM:-:MCJ,A1:JANE:-:MCJ,", 2);
    q.limit = 1;
    SEARCH("B1:ADAM:-:MCJ,", 2);
    q.first_name = "j";
    SEARCH("A1:JANE:-:MCJ,", 1);
    q.first_name = NULL;
    q.booked_before = INT64_MAX;
    q.limit = 10;
    /* a new version (another facility), a person's new middle name, a release on d + 2 */
    a.facility = "TTCF";
    a.doc = "{\"v\":2}";
    a.doc_len = strlen(a.doc);
    assert_int_equal(put(f->s, &a, &r), CUST_OK);
    c.person.middle_name = "Q";
    c.doc = "{\"v\":2}";
    c.doc_len = strlen(c.doc);
    assert_int_equal(put(f->s, &c, &r), CUST_OK);
    SEARCH("B1:ADAM:-:MCJ,A1:JANE:-:TTCF,C1:ZOE:Q:MCJ,", 3);
    b.released_at = "2024-10-04T10:00:00Z";
    b.released_day = d + 2;
    b.doc = "{\"v\":2}";
    b.doc_len = strlen(b.doc);
    assert_int_equal(put(f->s, &b, &r), CUST_OK);
    SEARCH("B1:ADAM:-:MCJ,A1:JANE:-:TTCF,C1:ZOE:Q:MCJ,", 3); /* released after the day asked */
    q.today = d + 2;
    SEARCH("A1:JANE:-:TTCF,C1:ZOE:Q:MCJ,", 2);
    q.dob = "1980-01-01";
    q.first_name = "z";
    SEARCH("C1:ZOE:Q:MCJ,", 1);
    q.dob = "1980-01-02";
    SEARCH("", 0);
    q.dob = NULL;
    q.first_name = NULL;
    q.last_name = "o'quote";
    fields_checked = 0;
    SEARCH("E\"1<&>:<b>&amp;:Mar\xc3\xad"
           "a\t\x01\x1f\x7f:Men's \"Central\" <Jail> & \\,",
           1);
    assert_int_equal(fields_checked, 2); /* the search and the read */
    q.last_name = NULL;
    q.booking_number = "A1";
    SEARCH("A1:JANE:-:TTCF,", 1);
    /* a bulk load into an empty store: filled at its commit */
    q.booking_number = NULL;
    q.last_name = "DOE";
    teardown(state);
    setup(state);
    f = *state;
    struct cust_put_meta m = {"tester", "unit:1", "2025-03-14T00:00:00Z", NULL};
    int written = 0;
    assert_int_equal(cust_store_begin_bulk(f->s, &err), CUST_OK);
    assert_int_equal(cust_store_put_booking(f->s, &a, &m, &r, &err), CUST_OK);
    assert_int_equal(cust_store_put_booking(f->s, &c, &m, &r, &err), CUST_OK);
    assert_int_equal(cust_store_rows_written(f->s, count_row, &written, &err), CUST_OK);
    assert_int_equal(cust_store_commit(f->s, &err), CUST_OK);
    SEARCH("A1:JANE:-:TTCF,C1:ZOE:Q:MCJ,", 2);
#undef SEARCH
    cust_buf_release(&out);
}

static void test_ledger_rows(void **state)
{
    struct fx *f = *state;
    int64_t seq;
    char h[65];
    assert_int_equal(cust_store_ledger_head(f->s, &seq, h, NULL), CUST_OK);
    assert_int_equal(seq, 0);
    assert_int_equal(strlen(h), 64);
    struct cust_ledger_row row = {1, "t", "a", "r", "x", "o", "i", "ok", "p", NULL, h, "abc", "{}"};
    assert_int_equal(cust_store_ledger_insert(f->s, &row, NULL), CUST_EDB); /* no transaction */
    assert_int_equal(cust_store_begin(f->s, NULL), CUST_OK);
    assert_int_equal(cust_store_ledger_insert(f->s, &row, NULL), CUST_OK);
    assert_int_equal(cust_store_commit(f->s, NULL), CUST_OK);
    assert_int_equal(cust_store_ledger_head(f->s, &seq, h, NULL), CUST_OK);
    assert_int_equal(seq, 1);
    assert_string_equal(h, "abc");
}

/* SQLite keeps no count of its memory once a store is open (SQLITE_CONFIG_MEMSTATUS off: with
 * it every allocation of every thread took one global mutex) */
static void test_sqlite_memstatus(void **state)
{
    struct fx *f = *state;
    struct cust_booking b = booking("MS1", "P1", NULL, 20000, "{\"n\":1}");
    struct cust_put_result res;
    assert_int_equal(put(f->s, &b, &res), CUST_OK);
    assert_int_equal(sqlite3_memory_used(), 0);
}

/* A read-only open reads what is there, writes nothing, and refuses what it cannot read as is. */
static void test_open_readonly(void **state)
{
    struct fx *f = *state;
    struct cust_booking b = booking("RO1", "P1", NULL, 20000, "{\"n\":1}");
    struct cust_put_result res;
    assert_int_equal(put(f->s, &b, &res), CUST_OK);
    struct cust_store *ro;
    struct cust_err err = CUST_ERR_INIT;
    assert_int_equal(cust_store_open(f->path, CUST_STORE_READONLY, &ro, &err), CUST_OK);
    assert_int_equal(count(ro, "bookings"), 1);
    /* a read-only store takes no writes (not even a write transaction) */
    struct cust_booking b2 = booking("RO2", "P2", NULL, 20000, "{\"n\":2}");
    struct cust_put_meta m = {"tester", "unit:1", "2025-03-14T00:00:00Z", NULL};
    if (cust_store_begin(ro, &err) == CUST_OK) {
        assert_int_not_equal(cust_store_put_booking(ro, &b2, &m, &res, &err), CUST_OK);
        cust_store_rollback(ro);
    }
    cust_store_close(ro);
    assert_int_equal(count(f->s, "bookings"), 1);
    /* it neither creates a missing store nor opens a file that is not one */
    char missing[600];
    if (f->db[0])
        pg_url_for("cust_no_such_database", missing, sizeof(missing));
    else
        snprintf(missing, sizeof(missing), "%s.missing", f->path);
    assert_int_equal(cust_store_open(missing, CUST_STORE_READONLY, &ro, &err), CUST_ENOTFOUND);
    assert_int_not_equal(access(missing, F_OK), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_open_missing_and_reopen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_put_versions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_versions_listing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rollback_writes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_person_linking, setup, teardown),
        cmocka_unit_test_setup_teardown(test_roster_as_of, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scope_persons, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scope_read_ways, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ledger_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bulk_load, setup, teardown),
        cmocka_unit_test_setup_teardown(test_feed_seen_twice, setup, teardown),
        cmocka_unit_test_setup_teardown(test_person_priors_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_public_search, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sqlite_memstatus, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_readonly, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
