/*
 * The PostgreSQL test harness and schema (tests/pg/tests.cmake,
 * docs/internals/store-postgresql.md): the fixture's throwaway server is PostgreSQL 15, reached
 * on a Unix socket only, and a test can make (and drop) a database of its own there; a
 * PostgreSQL store has SQLite's schema: the same migrations, and every table with the same
 * columns in the same order and types of the same kind (what keeps the row hashes identical).
 * Skipped (77) without CUSTODIAN_TEST_PG.
 */
#include "custodian/compat.h"
#include "custodian/buf.h"
#include "custodian/ledger.h"
#include "custodian/store.h"
#include "custodian/store_accounts.h"
#include "custodian/store_requests.h"

#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <unistd.h>
#include <cmocka.h>
#include <libpq-fe.h>
#include <sqlite3.h>

/* The PostgreSQL backend's migrations (store_postgres_schema.c). */
extern const int cust_pg_migration_count;

static const char *url(void)
{
    return getenv("CUSTODIAN_TEST_PG");
}

static PGconn *connect_to(const char *conninfo)
{
    PGconn *c = PQconnectdb(conninfo);
    if (PQstatus(c) != CONNECTION_OK)
        fail_msg("connect to %s: %s", conninfo, PQerrorMessage(c));
    return c;
}

/* The one value of a one-row, one-column query. */
static char *one(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
        fail_msg("%s: %s", sql, PQerrorMessage(c));
    char *v = cust_xstrdup(PQgetvalue(r, 0, 0));
    PQclear(r);
    return v;
}

static void exec_ok(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        fail_msg("%s: %s", sql, PQerrorMessage(c));
    PQclear(r);
}

static void test_server_is_15_on_a_socket(void **state)
{
    (void)state;
    PGconn *c = connect_to(url());
    char *v = one(c, "SELECT current_setting('server_version_num')::int / 10000");
    assert_string_equal(v, "15");
    free(v);
    /* no TCP: the server listens on its socket only */
    v = one(c, "SHOW listen_addresses");
    assert_string_equal(v, "");
    free(v);
    assert_non_null(PQhost(c));
    assert_int_equal(PQhost(c)[0], '/');
    v = one(c, "SELECT pg_encoding_to_char(encoding) FROM pg_database"
               " WHERE datname = current_database()");
    assert_string_equal(v, "UTF8");
    free(v);
    PQfinish(c);
}

static void test_a_database_of_its_own(void **state)
{
    (void)state;
    PGconn *c = connect_to(url());
    char name[64], sql[128];
    snprintf(name, sizeof(name), "cust_harness_%ld", (long)getpid());
    snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", name);
    exec_ok(c, sql);
    snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
    exec_ok(c, sql);

    char conninfo[1024];
    const char *host = PQhost(c);
    snprintf(conninfo, sizeof(conninfo), "host=%s user=custodian dbname=%s", host, name);
    PGconn *d = connect_to(conninfo);
    exec_ok(d, "CREATE TABLE t(x bigint)");
    exec_ok(d, "INSERT INTO t VALUES (7)");
    char *v = one(d, "SELECT sum(x) FROM t");
    assert_string_equal(v, "7");
    free(v);
    PQfinish(d);

    snprintf(sql, sizeof(sql), "DROP DATABASE %s", name);
    exec_ok(c, sql);
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM pg_database WHERE datname = '%s'", name);
    v = one(c, sql);
    assert_string_equal(v, "0");
    free(v);
    PQfinish(c);
}

/* The PostgreSQL type a SQLite declared type maps to (docs/internals/store-postgresql.md). */
static const char *pg_type_of(const char *table, const char *sqlite_type)
{
    if (strcmp(table, "schema_migrations") == 0 && strcmp(sqlite_type, "TEXT") == 0)
        return "text";
    if (strcmp(sqlite_type, "INTEGER") == 0)
        return "bigint";
    if (strcmp(sqlite_type, "TEXT") == 0)
        return "ctext";
    if (strcmp(sqlite_type, "BLOB") == 0)
        return "bytea";
    if (strcmp(sqlite_type, "REAL") == 0)
        return "double precision";
    return "?";
}

static void test_same_schema_as_sqlite(void **state)
{
    (void)state;
    assert_int_equal(cust_pg_migration_count, cust_store_schema_version());
    /* a SQLite store and a PostgreSQL store, both created now */
    char path[64];
    snprintf(path, sizeof(path), "/tmp/cust-pg-schema.%ld.db", (long)getpid());
    unlink(path);
    struct cust_store *s;
    struct cust_err err = CUST_ERR_INIT;
    assert_int_equal(cust_store_open(path, CUST_STORE_CREATE, &s, &err), CUST_OK);
    cust_store_close(s);
    PGconn *c = connect_to(url());
    char name[64], sql[256];
    snprintf(name, sizeof(name), "cust_schema_%ld", (long)getpid());
    snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", name);
    exec_ok(c, sql);
    snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
    exec_ok(c, sql);
    char pgurl[1024];
    snprintf(pgurl, sizeof(pgurl), "postgresql:///%s?host=%s&user=custodian", name, PQhost(c));
    if (cust_store_open(pgurl, CUST_STORE_CREATE, &s, &err) != CUST_OK)
        fail_msg("open %s: %s", pgurl, err.msg);
    assert_string_equal(cust_store_backend(s), "postgresql");
    cust_store_close(s);
    /* opening again migrates nothing and keeps the version */
    assert_int_equal(cust_store_open(pgurl, CUST_STORE_OPEN, &s, &err), CUST_OK);
    cust_store_close(s);

    char conninfo[1024];
    snprintf(conninfo, sizeof(conninfo), "host=%s user=custodian dbname=%s", PQhost(c), name);
    PGconn *d = connect_to(conninfo);
    char *v = one(d, "SELECT max(version) FROM schema_migrations");
    char want[16];
    snprintf(want, sizeof(want), "%d", cust_store_schema_version());
    assert_string_equal(v, want);
    free(v);

    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *t;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT m.name, c.name, upper(c.type) FROM sqlite_master m"
                                        " JOIN pragma_table_xinfo(m.name) c"
                                        " WHERE m.type IN ('table', 'view')"
                                        " ORDER BY m.name, c.cid",
                                        -1, &t, NULL),
                     SQLITE_OK);
    int columns = 0;
    while (sqlite3_step(t) == SQLITE_ROW) {
        const char *table = (const char *)sqlite3_column_text(t, 0);
        const char *col = (const char *)sqlite3_column_text(t, 1);
        const char *type = (const char *)sqlite3_column_text(t, 2);
        /* the same column at the same place, of the mapped type (views: their columns; generated
         * columns too: table_xinfo) */
        const char *params[2] = {table, col};
        PGresult *r = PQexecParams(d,
                                   "SELECT coalesce(domain_name, data_type), ordinal_position"
                                   " FROM information_schema.columns"
                                   " WHERE table_schema = 'public' AND table_name = $1"
                                   " AND column_name = $2",
                                   2, NULL, params, NULL, NULL, 0);
        if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
            fail_msg("PostgreSQL has no column %s.%s", table, col);
        if (type && *type)
            if (strcmp(PQgetvalue(r, 0, 0), pg_type_of(table, type)) != 0)
                fail_msg("%s.%s: %s on SQLite, %s on PostgreSQL", table, col, type,
                         PQgetvalue(r, 0, 0));
        PQclear(r);
        columns++;
    }
    sqlite3_finalize(t);
    sqlite3_close(db);
    assert_true(columns > 200);
    /* and no column more */
    v = one(d, "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'public'");
    assert_int_equal(strtol(v, NULL, 10), columns);
    free(v);
    PQfinish(d);
    snprintf(sql, sizeof(sql), "DROP DATABASE %s", name);
    exec_ok(c, sql);
    PQfinish(c);
    unlink(path);
    char side[96];
    snprintf(side, sizeof(side), "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof(side), "%s-shm", path);
    unlink(side);
}

/* ---- the desk's rows: the same on both backends ------------------------------------------ */

static void ok(enum cust_status st, const struct cust_err *err, const char *what)
{
    if (st != CUST_OK)
        fail_msg("%s: %s", what, err->msg);
}

static void entry(struct cust_store *s, const char *action, const char *object)
{
    struct cust_ledger_entry e = {"builder", "test", action, "object", object, "ok", "", NULL};
    struct cust_err err = CUST_ERR_INIT;
    ok(cust_ledger_append(s, &e, &err), &err, "append");
}

/* Booking i of persons P000.. (i % persons), with its ledger entry. */
static void a_booking_of(struct cust_store *s, int i, int persons)
{
    char bn[16], key[16], doc[96];
    snprintf(bn, sizeof(bn), "B%04d", i);
    snprintf(key, sizeof(key), "P%03d", i % persons);
    snprintf(doc, sizeof(doc), "{\"booking_number\":\"%s\",\"n\":%d}", bn, i);
    struct cust_charge ch = {
        "PC 459", "burglary \"1st\"\t", "felony", "pending", -1, "C1", NULL, NULL, 500000};
    struct cust_booking b = {0};
    b.booking_number = bn;
    b.booked_at = "2025-03-14T10:00:00Z";
    b.booked_ts = 1741946400 + i;
    b.booked_day = 20161;
    b.facility = "MCJ";
    b.released_day = CUST_NO_DAY;
    b.computed_release = i % 2 ? 20300 : CUST_NO_DAY;
    b.release_rule = i % 2 ? "rule/1" : NULL;
    b.person.person_key = key;
    b.person.last_name = i % 3 ? "GARCÍA" : "Nguyễn";
    b.person.first_name = "JOSÉ";
    b.person.dob = "1980-01-XX";
    b.person.sex_arson_registrant = -1;
    b.person.has_citizenship = true;
    b.person.citizenship.status = i % 2 ? "non_citizen" : "citizen";
    b.person.citizenship.verified = i % 2;
    b.charges = &ch;
    b.n_charges = 1;
    b.doc = doc;
    b.doc_len = strlen(doc);
    struct cust_put_meta m = {"builder", "t:1", "2025-03-14T10:00:00Z", NULL};
    struct cust_put_result r;
    struct cust_err err = CUST_ERR_INIT;
    ok(cust_store_put_booking(s, &b, &m, &r, &err), &err, "put booking");
    entry(s, "import", bn);
}

static void a_booking(struct cust_store *s, int i)
{
    a_booking_of(s, i, 7);
}

/* Every kind of desk row, as the desk writes them, each write with its ledger entry. */
static void desk_rows(struct cust_store *s, int i, char id[CUST_REQUEST_ID_MAX])
{
    struct cust_err err = CUST_ERR_INIT;
    char docj[64], sha[65];
    /* the subject's last name as a request writes it (the list's `who` matches its key) */
    snprintf(docj, sizeof(docj), "{\"n\":%d,\"subject\":{\"last_name\":\"%s\"}}", i,
             i % 2 ? "Mejía" : "ZED");
    struct cust_request_row r = {.kind = i % 2 ? "detainer" : "judicial_warrant",
                                 .agency = i == 1 ? "POLICÍA FEDERAL" : "ICE",
                                 .status = "received",
                                 .received_at = "2025-07-02T10:00:00-07:00",
                                 .received_ts = 1751475600 + i,
                                 .received_offset = -420,
                                 .due_ts = CUST_NO_TIME,
                                 .law_ts = 1751475600 + 172800,
                                 .law_rule = "detainer_48h",
                                 .owner = "clerk",
                                 .created_at = "2025-07-02T17:00:00Z",
                                 .updated_at = "2025-07-02T17:00:00Z",
                                 .doc = docj};
    ok(cust_store_request_insert(s, &r, id, &err), &err, "request");
    snprintf(sha, sizeof(sha), "%064x", i + 1);
    const unsigned char content[] = {'I', '-', 0, 0xff, '7', (unsigned char)i};
    ok(cust_store_document_put(s, id, "i247a.pdf", sha, content, sizeof(content), "received", &err),
       &err, "document");
    entry(s, "request.add", id);
    struct cust_link_row l = {id,     1 + i % 3, "B0001",     0.1 + 0.2, true, "confirmed",
                              "auto", NULL,      "[\"fbi\"]", false,     NULL};
    ok(cust_store_link_put(s, &l, &err), &err, "link");
    l.person_id = 2 + i % 3;
    l.score = 2.0 / 3.0;
    l.strong = false;
    l.state = "candidate";
    ok(cust_store_link_put(s, &l, &err), &err, "link 2");
    l.score = 0.75; /* replaced */
    ok(cust_store_link_put(s, &l, &err), &err, "link 2 again");
    ok(cust_store_request_update(s, id, "matched", "exact", CUST_NO_TIME, NULL,
                                 "2025-07-02T17:01:00Z", &err),
       &err, "update");
    entry(s, "request.match", id);
    struct cust_decision_row d = {0,       id,
                                  1,       "B0001",
                                  "us-ca", "2025.1",
                                  sha,     "2025-07-02T17:02:00Z",
                                  "sgt",   "{\"actions\":{}}"};
    int64_t did;
    ok(cust_store_decision_put(s, &d, &did, &err), &err, "decision");
    struct cust_action_row a = {
        0, id, 1, "notify", "permitted", "done", "sgt", "2025-07-02T17:03:00Z", NULL, did};
    ok(cust_store_action_put(s, &a, NULL, &err), &err, "action");
    struct cust_duty_row u = {
        0,    id,   1,    "B0001", "notice", "[]", "open", 1751500000, "2025-07-02T17:03:00Z",
        NULL, NULL, NULL, NULL};
    int64_t uid;
    ok(cust_store_duty_put(s, &u, &uid, &err), &err, "duty");
    entry(s, "request.act", id);
    ok(cust_store_duty_done(s, uid, "deputy", "2025-07-03T09:00:00Z", sha, &err), &err, "done");
    assert_int_equal(cust_store_duty_done(s, uid, "deputy", "x", NULL, &err), CUST_ECONFLICT);
    struct cust_transfer_row t = {0,
                                  id,
                                  1,
                                  "B0001",
                                  "2025-07-04T10:00:00Z",
                                  "ICE",
                                  "7282.5",
                                  NULL,
                                  "PC 1192.7(c)",
                                  "PC 211",
                                  "sgt",
                                  "2025-07-04T10:00:00Z"};
    ok(cust_store_transfer_put(s, &t, NULL, &err), &err, "transfer");
    struct cust_disclosure_row x = {
        0, id, 0, 1, "B0001", "[\"name\"]", "[]", "ICE", NULL, "2025-07-05T10:00:00Z", did, sha};
    ok(cust_store_disclosure_put(s, &x, &err), &err, "disclosure");
    entry(s, "duty.done", id);
}

/* What the desk reads back, as one text. */
static enum cust_status d_req(const struct cust_request_row *r, void *arg)
{
    return cust_buf_appendf(arg, "req %s %s %s %lld %lld|", r->id, r->status, r->doc,
                            (long long)r->due_ts, (long long)r->law_ts);
}
static enum cust_status d_link(const struct cust_link_row *l, void *arg)
{
    return cust_buf_appendf(arg, "link %lld %.17g %d %s|", (long long)l->person_id, l->score,
                            l->strong, l->state);
}
static enum cust_status d_dec(const struct cust_decision_row *d, void *arg)
{
    return cust_buf_appendf(arg, "dec %lld %s|", (long long)d->id, d->decision);
}
static enum cust_status d_act(const struct cust_action_row *a, void *arg)
{
    return cust_buf_appendf(arg, "act %lld %s %lld|", (long long)a->id, a->by,
                            (long long)a->decision_id);
}
static enum cust_status d_duty(const struct cust_duty_row *d, void *arg)
{
    return cust_buf_appendf(arg, "duty %lld %s %s|", (long long)d->id, d->status,
                            d->done_by ? d->done_by : "-");
}
static enum cust_status d_xfer(const struct cust_transfer_row *t, void *arg)
{
    return cust_buf_appendf(arg, "xfer %lld %s|", (long long)t->id, t->criterion);
}
static enum cust_status d_disc(const struct cust_disclosure_row *x, void *arg)
{
    return cust_buf_appendf(arg, "disc %lld %s|", (long long)x->id, x->items);
}
static enum cust_status d_doc(const struct cust_document_row *d, void *arg)
{
    return cust_buf_appendf(arg, "doc %s %lld|", d->name, (long long)d->size);
}
static enum cust_status d_person(const struct cust_person_row *p, void *arg)
{
    return cust_buf_appendf(arg, "person %lld %s %s %d %d|", (long long)p->person_id,
                            p->booking_number, p->booking_numbers, p->verified_citizen,
                            p->claimed_citizen);
}
static enum cust_status d_scope(const struct cust_scope_row *r, void *arg)
{
    return cust_buf_appendf(arg, "scope %s %lld|", r->booking_number, (long long)r->person_id);
}

/* Build the same store on `url` and return the tree head and what the desk reads back. */
static enum cust_status d_user(const struct cust_user_row *u, void *arg)
{
    /* the store's clock (CUSTODIAN_NOW), not the database server's */
    assert_string_equal(u->created_at, "2025-07-06T12:00:00Z");
    cust_buf_appendf(arg, "user %s %s %s %d\n", u->name, u->role, u->created_at, u->disabled);
    return CUST_OK;
}

static void build_desk(const char *url, unsigned char root[32], struct cust_buf *dump)
{
    struct cust_store *s;
    struct cust_err err = CUST_ERR_INIT;
    ok(cust_store_open(url, CUST_STORE_CREATE, &s, &err), &err, "open");
    char id[CUST_REQUEST_ID_MAX] = "";
    ok(cust_store_begin(s, &err), &err, "begin");
    for (int i = 0; i < 12; i++)
        a_booking(s, i);
    struct cust_account_row acct = {.name = "clerk1",
                                    .role = "clerk",
                                    .pwhash = "$argon2id$x",
                                    .totp_secret = (const unsigned char *)"k",
                                    .totp_secret_len = 1};
    ok(cust_store_account_put(s, &acct, &err), &err, "account");
    entry(s, "user_add", "clerk1");
    ok(cust_store_commit(s, &err), &err, "commit");
    for (int i = 0; i < 3; i++) { /* a transaction each: ids after a rollback, below */
        ok(cust_store_begin(s, &err), &err, "begin");
        desk_rows(s, i, id);
        ok(cust_store_commit(s, &err), &err, "commit");
    }
    /* a rolled-back request: SQLite gives its ids back, and so must PostgreSQL */
    ok(cust_store_begin(s, &err), &err, "begin");
    char gone[CUST_REQUEST_ID_MAX];
    desk_rows(s, 9, gone);
    cust_store_rollback(s);
    ok(cust_store_begin(s, &err), &err, "begin");
    desk_rows(s, 4, id);
    ok(cust_store_commit(s, &err), &err, "commit");
    /* and a duty left open, due 1751500000 (the console's worklist, below) */
    ok(cust_store_begin(s, &err), &err, "begin");
    struct cust_duty_row open = {
        0,    id,   1,    "B0001", "notice", "[]", "open", 1751500000, "2025-07-02T17:04:00Z",
        NULL, NULL, NULL, NULL};
    ok(cust_store_duty_put(s, &open, NULL, &err), &err, "open duty");
    entry(s, "request.act", id);
    ok(cust_store_commit(s, &err), &err, "commit");

    struct cust_ledger_report rep;
    ok(cust_ledger_verify(s, &rep, &err), &err, "verify");
    memcpy(root, rep.root, 32);
    struct cust_ledger_rows_report rr;
    ok(cust_ledger_verify_rows(s, 10, &rr, &err), &err, "verify rows");
    assert_int_equal(rr.bad, 0);
    assert_true(rr.rows > 50);
    cust_ledger_rows_report_release(&rr);

    struct cust_request_filter f = {.overdue_at = CUST_NO_TIME, .now = 1751475600};
    ok(cust_store_request_list(s, &f, d_req, dump, &err), &err, "list");
    /* the console's filters (issue 13 item 3), each alone */
    static const struct {
        const char *label;
        struct cust_request_filter f;
    } lists[] = {
        {"matched", {.status = "matched"}},        {"fulfilled", {.status = "fulfilled"}},
        {"agency ic", {.agency = "ic"}},           {"agency fbi", {.agency = "fbi"}},
        {"agency POLICÍA", {.agency = "POLICÍA"}}, {"agency policía", {.agency = "policía"}},
        {"from", {.received_from = 1751475602}},   {"before", {.received_before = 1751475602}},
        {"who B0001", {.who = "B0001"}},           {"who B9999", {.who = "B9999"}},
        {"who mejia", {.who = "mejia"}},           {"who MEJ", {.who = "MEJ"}},
        {"who garcia", {.who = "garcia"}},         {"who zz", {.who = "zz"}},
    };
    for (size_t k = 0; k < CUST_ARRAY_LEN(lists); k++) {
        struct cust_request_filter lf = lists[k].f;
        lf.overdue_at = CUST_NO_TIME;
        lf.now = 1751475600;
        cust_buf_appendf(dump, "\n%s: ", lists[k].label);
        ok(cust_store_request_list(s, &lf, d_req, dump, &err), &err, lists[k].label);
    }
    cust_buf_putc(dump, '\n');
    ok(cust_store_request_get(s, id, d_req, dump, &err), &err, "get");
    ok(cust_store_links(s, id, d_link, dump, &err), &err, "links");
    ok(cust_store_decisions(s, id, d_dec, dump, &err), &err, "decisions");
    /* one by its id (a fulfilment's notice duty names its decision), and one there is not */
    ok(cust_store_decision_get(s, 2, d_dec, dump, &err), &err, "decision #2");
    assert_int_equal(cust_store_decision_get(s, 999999, d_dec, dump, &err), CUST_ENOTFOUND);
    ok(cust_store_actions(s, id, d_act, dump, &err), &err, "actions");
    struct cust_duty_filter df = {0};
    ok(cust_store_duties(s, &df, d_duty, dump, &err), &err, "duties");
    /* the console's worklist filters (issue 13 item 3): the requests' owner, open and overdue */
    static const struct {
        const char *label;
        struct cust_duty_filter f;
    } work[] = {
        {"clerk's", {.owner = "clerk"}},
        {"nobody's", {.owner = "nobody"}},
        {"overdue after", {.overdue_at = 1751500001}},
        {"overdue before", {.overdue_at = 1751499999}},
        {"clerk's open of the request", {.request_id = NULL, .open_only = true, .owner = "clerk"}},
        {"one", {.id = 5}},
        {"one done", {.id = 2}},
        {"one, open only", {.id = 2, .open_only = true}},
        {"one of nobody's", {.id = 5, .owner = "nobody"}},
        {"none such", {.id = 99}},
    };
    for (size_t k = 0; k < CUST_ARRAY_LEN(work); k++) {
        cust_buf_appendf(dump, "\n%s: ", work[k].label);
        ok(cust_store_duties(s, &work[k].f, d_duty, dump, &err), &err, work[k].label);
    }
    struct cust_duty_filter of_req = {.request_id = id, .owner = "nobody"};
    cust_buf_appendf(dump, "\nnobody's of the request: ");
    ok(cust_store_duties(s, &of_req, d_duty, dump, &err), &err, "of the request");
    of_req = (struct cust_duty_filter){.request_id = id, .overdue_at = 1751500001};
    cust_buf_appendf(dump, "\noverdue of the request: ");
    ok(cust_store_duties(s, &of_req, d_duty, dump, &err), &err, "overdue of the request");
    cust_buf_putc(dump, '\n');
    ok(cust_store_transfers(s, d_xfer, dump, &err), &err, "transfers");
    ok(cust_store_disclosures(s, NULL, d_disc, dump, &err), &err, "disclosures");
    ok(cust_store_documents(s, id, d_doc, dump, &err), &err, "documents");
    char sha[65], *content;
    size_t len;
    snprintf(sha, sizeof(sha), "%064x", 5);
    ok(cust_store_document_get(s, sha, &content, &len, &err), &err, "document");
    assert_int_equal(len, 6);
    assert_int_equal((unsigned char)content[3], 0xff);
    free(content);
    ok(cust_store_user_list(s, d_user, dump, &err), &err, "users");
    ok(cust_store_persons(s, 0, d_person, dump, &err), &err, "persons");
    struct cust_scope sc = {.day = 20200};
    ok(cust_store_scope(s, &sc, d_scope, dump, &err), &err, "scope");
    ok(cust_store_scope_persons(s, &sc, d_scope, dump, &err), &err, "scope's persons");
    cust_store_close(s);
}

/* A pair of scratch stores for comparing the backends: a new PostgreSQL database NAME_PID
 * (its URL) and a SQLite path beside it in /tmp; scratch_drop removes both. */
struct scratch {
    char db[64], url[1024], path[64];
};

static void scratch_make(struct scratch *x, const char *name)
{
    PGconn *c = connect_to(url());
    char sql[160];
    snprintf(x->db, sizeof(x->db), "cust_%s_%ld", name, (long)getpid());
    snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", x->db);
    exec_ok(c, sql);
    /* character classes of all of Unicode, as a county's database will have (the server's own
     * are C's: ASCII only), so that a query folding case by the database's rules shows */
    snprintf(sql, sizeof(sql),
             "CREATE DATABASE %s TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C'"
             " LC_CTYPE 'C.UTF-8'",
             x->db);
    exec_ok(c, sql);
    snprintf(x->url, sizeof(x->url), "postgresql:///%s?host=%s&user=custodian", x->db, PQhost(c));
    PQfinish(c);
    snprintf(x->path, sizeof(x->path), "/tmp/cust-pg-%s.%ld.db", name, (long)getpid());
    unlink(x->path);
}

static void scratch_drop(const struct scratch *x)
{
    PGconn *c = connect_to(url());
    char sql[160];
    snprintf(sql, sizeof(sql), "DROP DATABASE %s", x->db);
    exec_ok(c, sql);
    PQfinish(c);
    char side[96];
    unlink(x->path);
    snprintf(side, sizeof(side), "%s-wal", x->path);
    unlink(side);
    snprintf(side, sizeof(side), "%s-shm", x->path);
    unlink(side);
}

static void test_desk_rows_same_on_both(void **state)
{
    (void)state;
    struct scratch x;
    scratch_make(&x, "desk");
    unsigned char sq_root[32], pg_root[32];
    struct cust_buf sq = CUST_BUF_INIT, pg = CUST_BUF_INIT;
    build_desk(x.path, sq_root, &sq);
    build_desk(x.url, pg_root, &pg);
    assert_string_equal(pg.buf, sq.buf);
    /* and the filters themselves, not only the backends' agreement on them */
    static const char *const want[] = {
        "\none: duty 5 open -|\n",
        "\none done: duty 2 done deputy|\n",
        "\none, open only: \n",
        "\none of nobody's: \n",
        "\nnone such: \n",
        "\nnobody's: \n",
        "\noverdue after: duty 5 open -|\n",
        "\noverdue before: \n",
        "\nnobody's of the request: \n",
        "\nagency fbi: \n",
        "\nwho B9999: \n",
        "\nwho zz: \n",
    };
    for (size_t k = 0; k < CUST_ARRAY_LEN(want); k++)
        if (!strstr(sq.buf, want[k]))
            fail_msg("missing %s", want[k]);
    /* who by the subject's name as written: the one request that names Mejía, no other */
    const char *who = strstr(sq.buf, "\nwho mejia: ");
    assert_non_null(who);
    char *line = strndup(who + 1, strcspn(who + 1, "\n"));
    assert_non_null(strstr(line, "R-2025-000002"));
    assert_null(strstr(line, "R-2025-000001"));
    free(line);
    assert_memory_equal(pg_root, sq_root, 32);
    cust_buf_release(&sq);
    cust_buf_release(&pg);
    scratch_drop(&x);
}

/* ---- rows a transaction adds by the thousand --------------------------------------------- */

enum { MANY_ROWS = 3000 }; /* 3,000 disclosures of 4 KB: more than one send (8 MB) */

static enum cust_status count_disc(const struct cust_disclosure_row *x, void *arg)
{
    (void)x;
    ++*(int *)arg;
    return CUST_OK;
}

/* Every row of s verifies, and the ledger: its tree head's root, in hex, to dump. */
static void verified_root(struct cust_store *s, struct cust_buf *dump)
{
    struct cust_err err = CUST_ERR_INIT;
    struct cust_ledger_rows_report rr;
    ok(cust_ledger_verify_rows(s, 10, &rr, &err), &err, "verify rows");
    assert_int_equal(rr.bad, 0);
    cust_ledger_rows_report_release(&rr);
    struct cust_ledger_report rep;
    ok(cust_ledger_verify(s, &rep, &err), &err, "verify");
    for (int i = 0; i < 32; i++)
        cust_buf_appendf(dump, "%02x", rep.root[i]);
}

/* A fulfilment's worth of decisions, disclosures and duties in one transaction, read back
 * inside it; then a disclosure naming no decision: refused (at the put on SQLite, at the
 * ledger entry after it on PostgreSQL, which sends it by COPY then), and nothing of that
 * transaction stays. */
static void copy_rows(const char *url, struct cust_buf *dump)
{
    struct cust_store *s;
    struct cust_err err = CUST_ERR_INIT;
    ok(cust_store_open(url, CUST_STORE_CREATE, &s, &err), &err, "open");
    char id[CUST_REQUEST_ID_MAX] = "";
    ok(cust_store_begin(s, &err), &err, "begin");
    for (int i = 0; i < 3; i++)
        a_booking(s, i);
    desk_rows(s, 0, id);
    ok(cust_store_commit(s, &err), &err, "commit");

    char *items = cust_xmalloc(4001);
    memset(items, 'x', 4000);
    items[0] = '"';
    items[3999] = '"';
    items[4000] = '\0';
    ok(cust_store_begin(s, &err), &err, "begin");
    int64_t did = 0;
    for (int i = 0; i < MANY_ROWS; i++) {
        if (i % 100 == 0) {
            struct cust_decision_row d = {0,         id,
                                          1 + i % 3, "B0001",
                                          "us-ca",   "2025.1",
                                          "ab",      "2025-07-05T10:00:00Z",
                                          "sgt",     "{\"actions\":{}}"};
            ok(cust_store_decision_put(s, &d, &did, &err), &err, "decision");
        }
        struct cust_disclosure_row x = {0,     id,   i,     1 + i % 3, "B0001",
                                        items, "[]", "DOJ", NULL,      "2025-07-05T10:00:00Z",
                                        did,   "cd"};
        ok(cust_store_disclosure_put(s, &x, &err), &err, "disclosure");
        if (i % 10 == 0) {
            struct cust_duty_row u = {0,
                                      id,
                                      1 + i % 3,
                                      "B0001",
                                      "notice",
                                      "[]",
                                      "open",
                                      i % 20 ? CUST_NO_TIME : 1751500000 + i,
                                      "2025-07-05T10:00:00Z",
                                      NULL,
                                      NULL,
                                      NULL,
                                      "{}"};
            ok(cust_store_duty_put(s, &u, NULL, &err), &err, "duty");
        }
    }
    int n = 0; /* read in the same transaction: every row, the last ones not yet sent */
    ok(cust_store_disclosures(s, id, count_disc, &n, &err), &err, "disclosures");
    assert_int_equal(n, MANY_ROWS + 1);
    entry(s, "request.fulfill", id);
    ok(cust_store_commit(s, &err), &err, "commit");
    free(items);

    ok(cust_store_begin(s, &err), &err, "begin");
    struct cust_decision_row d = {
        0, id, 1, "B0001", "us-ca", "2025.1", "ab", "2025-07-05T11:00:00Z", "sgt", "{}"};
    ok(cust_store_decision_put(s, &d, &did, &err), &err, "decision");
    struct cust_disclosure_row bad = {
        0, id, 0, 1, "B0001", "[]", "[]", "DOJ", NULL, "2025-07-05T11:00:00Z", 999999, "ef"};
    enum cust_status st = cust_store_disclosure_put(s, &bad, &err);
    if (st == CUST_OK) { /* PostgreSQL: sent before the entry's first statement */
        struct cust_ledger_entry e = {"builder", "test", "request.fulfill", "object", id, "ok",
                                      "",        NULL};
        st = cust_ledger_append(s, &e, &err);
        if (st == CUST_OK)
            st = cust_store_commit(s, &err);
    }
    assert_int_not_equal(st, CUST_OK);
    if (!strstr(err.msg, "disclosure"))
        fail_msg("the refusal does not name the disclosure: %s", err.msg);
    cust_store_rollback(s);
    cust_err_clear(&err);
    n = 0;
    ok(cust_store_disclosures(s, id, count_disc, &n, &err), &err, "disclosures after");
    assert_int_equal(n, MANY_ROWS + 1);
    /* the ids the refused transaction counted are given again */
    ok(cust_store_begin(s, &err), &err, "begin");
    ok(cust_store_decision_put(s, &d, &did, &err), &err, "decision again");
    assert_int_equal(did, MANY_ROWS / 100 + 2);
    entry(s, "request.decide", id);
    ok(cust_store_commit(s, &err), &err, "commit");

    verified_root(s, dump);
    cust_buf_putc(dump, '\n');
    ok(cust_store_decisions(s, id, d_dec, dump, &err), &err, "decisions");
    struct cust_duty_filter df = {0};
    ok(cust_store_duties(s, &df, d_duty, dump, &err), &err, "duties");
    cust_store_close(s);
}

/* `build` run on a new SQLite store and a new PostgreSQL database: the same dump from both. */
static void same_on_both(const char *name, void (*build)(const char *url, struct cust_buf *dump))
{
    struct scratch x;
    scratch_make(&x, name);
    struct cust_buf sq = CUST_BUF_INIT, pg = CUST_BUF_INIT;
    build(x.path, &sq);
    build(x.url, &pg);
    assert_string_equal(pg.buf, sq.buf);
    cust_buf_release(&sq);
    cust_buf_release(&pg);
    scratch_drop(&x);
}

static void test_rows_by_copy(void **state)
{
    (void)state;
    same_on_both("copy", copy_rows);
}

/* Documents journaled by the hash of the values bound, not read back: one named before its
 * content and filled in the same transaction, one of 3 MB put twice, one empty, one named in
 * a later transaction beside a put that changes nothing. Every row verifies (the journal's
 * hash is the stored row's), and the tree head is the same on both backends. */
static void docs_kept(const char *url, struct cust_buf *dump)
{
    struct cust_store *s;
    struct cust_err err = CUST_ERR_INIT;
    ok(cust_store_open(url, CUST_STORE_CREATE, &s, &err), &err, "open");
    char id[CUST_REQUEST_ID_MAX] = "";
    ok(cust_store_begin(s, &err), &err, "begin");
    a_booking(s, 0);
    desk_rows(s, 0, id);
    ok(cust_store_commit(s, &err), &err, "commit");

    size_t big = 3u << 20;
    unsigned char *content = cust_xmalloc(big);
    for (size_t i = 0; i < big; i++)
        content[i] = (unsigned char)(i * 7 + i / 4096);
    char sha[4][65];
    for (int i = 0; i < 4; i++)
        snprintf(sha[i], sizeof(sha[i]), "%064x", 0xd0c0 + i);
    ok(cust_store_begin(s, &err), &err, "begin");
    ok(cust_store_document_put(s, id, "a.pdf", sha[0], NULL, 0, "received", &err), &err, "named");
    ok(cust_store_document_put(s, id, "a.pdf", sha[0], content, 100, "received", &err), &err,
       "filled");
    for (int k = 0; k < 2; k++)
        ok(cust_store_document_put(s, id, "b.json", sha[1], content, big, "response", &err), &err,
           "big");
    ok(cust_store_document_put(s, id, "c.txt", sha[2], content, 0, "received", &err), &err,
       "empty");
    entry(s, "request.fulfill", id);
    ok(cust_store_commit(s, &err), &err, "commit");
    ok(cust_store_begin(s, &err), &err, "begin");
    ok(cust_store_document_put(s, id, "a.pdf", sha[0], content, 100, "received", &err), &err,
       "again");
    ok(cust_store_document_put(s, id, "d.pdf", sha[3], NULL, 0, "received", &err), &err, "d");
    entry(s, "request.update", id);
    ok(cust_store_commit(s, &err), &err, "commit");

    verified_root(s, dump);
    const size_t want[3] = {100, big, 0};
    for (int i = 0; i < 3; i++) {
        char *got;
        size_t len;
        ok(cust_store_document_get(s, sha[i], &got, &len, &err), &err, "get");
        assert_int_equal(len, want[i]);
        assert_memory_equal(got, content, len);
        free(got);
    }
    free(content);
    cust_store_close(s);
}

static void test_documents_kept_by_hash(void **state)
{
    (void)state;
    same_on_both("docs", docs_kept);
}

/* ---- readers of a whole table: a batch at a time ------------------------------------------- */

/* A reader's rows as text, one line each. */
struct seen {
    struct cust_buf lines;
    int n;
};

static enum cust_status s_roster(const struct cust_roster_row *r, void *arg)
{
    struct seen *w = arg;
    w->n++;
    cust_buf_appendf(&w->lines, "%s %s %s\n", r->booking_number, r->person_key, r->last_name);
    return CUST_OK;
}

static enum cust_status s_doc(const char *bn, const char *doc, void *arg)
{
    struct seen *w = arg;
    w->n++;
    cust_buf_appendf(&w->lines, "%s %s\n", bn, doc);
    return CUST_OK;
}

static enum cust_status s_entry(const struct cust_ledger_row *r, void *arg)
{
    struct seen *w = arg;
    w->n++;
    cust_buf_appendf(&w->lines, "%" PRId64 " %s %s\n", r->seq, r->action, r->hash);
    return CUST_OK;
}

enum {
    MANY = 2100,
    STOP = 2050
}; /* more than one of the PostgreSQL readers' batches (2,000 rows) */

/* Stops at row STOP (in the second batch): the reader stops there, the store stays usable. */
static enum cust_status s_stop(const struct cust_roster_row *r, void *arg)
{
    (void)r;
    return ++((struct seen *)arg)->n == STOP ? CUST_EINVAL : CUST_OK;
}

static void read_all(const char *url, struct cust_buf *out)
{
    struct cust_store *s;
    struct cust_err err = CUST_ERR_INIT;
    ok(cust_store_open(url, CUST_STORE_CREATE, &s, &err), &err, "open");
    ok(cust_store_begin(s, &err), &err, "begin");
    for (int i = 0; i < MANY; i++)
        a_booking_of(s, i, MANY); /* a person each: no name copies rewritten */
    ok(cust_store_commit(s, &err), &err, "commit");
    struct cust_roster_filter f = {.day = 20200};
    struct seen w[4] = {
        {CUST_BUF_INIT, 0}, {CUST_BUF_INIT, 0}, {CUST_BUF_INIT, 0}, {CUST_BUF_INIT, 0}};
    ok(cust_store_roster(s, &f, s_roster, &w[0], &err), &err, "roster");
    ok(cust_store_each_current(s, 20200, s_doc, &w[1], &err), &err, "export");
    int64_t head;
    char hash[65];
    ok(cust_store_ledger_each(s, s_entry, &w[2], &head, hash, &err), &err, "ledger");
    /* inside an open transaction, and a reader stopped half-way by its callback */
    ok(cust_store_begin(s, &err), &err, "begin");
    assert_int_equal(cust_store_roster(s, &f, s_stop, &w[3], &err), CUST_EINVAL);
    struct seen again = {CUST_BUF_INIT, 0};
    ok(cust_store_roster(s, &f, s_roster, &again, &err), &err, "roster in a transaction");
    ok(cust_store_commit(s, &err), &err, "commit");
    assert_int_equal(w[3].n, STOP);
    w[3].n = 0;
    assert_int_equal(cust_store_roster(s, &f, s_stop, &w[3], &err), CUST_EINVAL);
    ok(cust_store_roster(s, &f, s_roster, &w[3], &err), &err, "roster after a stop");
    assert_int_equal(w[0].n, MANY);
    assert_int_equal(w[1].n, MANY);
    assert_int_equal(w[2].n, MANY);
    assert_int_equal(again.n, MANY);
    assert_int_equal(w[3].n, STOP + MANY);
    assert_string_equal(again.lines.buf, w[0].lines.buf);
    /* every covered row, its charges read through a second cursor beside the bookings' */
    struct cust_ledger_rows_report rr;
    ok(cust_ledger_verify_rows(s, 10, &rr, &err), &err, "verify rows");
    assert_int_equal(rr.bad, 0);
    assert_true(rr.rows > 3 * MANY);
    cust_buf_appendf(out, "rows %" PRId64 "\n", rr.rows);
    cust_ledger_rows_report_release(&rr);
    for (int i = 0; i < 3; i++)
        cust_buf_appendf(out, "--\n%s", w[i].lines.buf);
    for (int i = 0; i < 4; i++)
        cust_buf_release(&w[i].lines);
    cust_buf_release(&again.lines);
    cust_store_close(s);
}

/* The roster, the export and the ledger of a store larger than a batch: every row once, in
 * order, the same as SQLite's; a reader stopped by its callback, or inside a transaction,
 * leaves the store as it was. */
static void test_readers_in_batches(void **state)
{
    (void)state;
    struct scratch x;
    scratch_make(&x, "each");
    struct cust_buf sq = CUST_BUF_INIT, pg = CUST_BUF_INIT;
    read_all(x.path, &sq);
    read_all(x.url, &pg);
    assert_string_equal(pg.buf, sq.buf);
    /* a charge changed behind the ledger's back, in the second batch: named */
    PGconn *d = connect_to(x.url);
    exec_ok(d, "UPDATE charges SET description = 'theft' WHERE booking_id ="
               " (SELECT id FROM bookings WHERE booking_number = 'B2050')");
    PQfinish(d);
    struct cust_store *st;
    struct cust_err err = CUST_ERR_INIT;
    ok(cust_store_open(x.url, CUST_STORE_READONLY, &st, &err), &err, "open");
    struct cust_ledger_rows_report rr;
    assert_int_equal(cust_ledger_verify_rows(st, 10, &rr, &err), CUST_EINTEGRITY);
    assert_int_equal(rr.bad, 1);
    assert_non_null(strstr(rr.problems[0].message, "B2050"));
    cust_ledger_rows_report_release(&rr);
    cust_store_close(st);
    cust_buf_release(&sq);
    cust_buf_release(&pg);
    scratch_drop(&x);
}

int main(void)
{
    setenv("CUSTODIAN_NOW", "2025-07-06T12:00:00Z", 1);
    if (!url() || !*url()) {
        fprintf(stderr, "test_store_pg: CUSTODIAN_TEST_PG is not set (the `pg` fixture of "
                        "tests/pg/tests.cmake sets it): skipped\n");
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_server_is_15_on_a_socket),
        cmocka_unit_test(test_a_database_of_its_own),
        cmocka_unit_test(test_same_schema_as_sqlite),
        cmocka_unit_test(test_desk_rows_same_on_both),
        cmocka_unit_test(test_readers_in_batches),
        cmocka_unit_test(test_rows_by_copy),
        cmocka_unit_test(test_documents_kept_by_hash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
