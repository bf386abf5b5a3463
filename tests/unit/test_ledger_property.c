/*
 * The property test of issue 10: over a store of at least 100,000 ledger entries and their rows
 * in every covered table, every single changed, deleted, inserted and reordered row of every
 * covered table is detected, and so is every truncation and every full rewrite, against a
 * checkpoint.
 *
 * Every row is mutated once per kind: in round r of R, the rows whose key is r modulo R in
 * every table at once, on a fresh copy of the store, then one `verify rows` pass (collecting
 * every problem) must name each mutated row and nothing else. Detection is per row (a row's
 * hash against the last entry that committed it), so a round tests as many single-row
 * mutations as it holds. Truncations (the head rewound to match) are checked at the edges and
 * at sampled sizes; full rewrites (a row changed with its journal, the entry's commitment and
 * the chain recomputed, as an insider with the file can) pass the chain and row checks and are
 * caught by the checkpoint.
 */
#include "custodian/compat.h"
#include "custodian/auth.h"
#include "custodian/buf.h"
#include "custodian/ledger.h"
#include "custodian/store_feed.h"
#include "custodian/store_requests.h"
#include "custodian/store_rows.h"
#include "custodian/store_accounts.h"

#include <inttypes.h>
#include <jansson.h>
#include <setjmp.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <unistd.h>
#include <cmocka.h>

#define ENTRIES  100000 /* at least */
#define BOOKINGS 6000
#define PERSONS  4000
#define REQUESTS 400
#define USERS    24
#define FEEDRUNS 60
#define ROUNDS   2

static char base[96], copy[112];
static struct cust_checkpoint cp;

/* ---- building the store ----------------------------------------------------------------- */

static void entry(struct cust_store *s, const char *action, const char *object)
{
    struct cust_ledger_entry e = {"builder", "test", action, "object", object, "ok", "", NULL};
    struct cust_err err = CUST_ERR_INIT;
    if (cust_ledger_append(s, &e, &err) != CUST_OK)
        fail_msg("append: %s", err.msg);
}

static void ok(enum cust_status st, const struct cust_err *err, const char *what)
{
    if (st != CUST_OK)
        fail_msg("%s: %s", what, err->msg);
}

static void put_booking(struct cust_store *s, int i, int version)
{
    char bn[16], key[16], cii[16], doc[160], bail[8];
    snprintf(bn, sizeof(bn), "B%06d", i);
    snprintf(key, sizeof(key), "P%05d", i % PERSONS);
    snprintf(cii, sizeof(cii), "A%07d", i % PERSONS);
    snprintf(doc, sizeof(doc), "{\"booking_number\":\"%s\",\"version\":%d}", bn, version);
    snprintf(bail, sizeof(bail), "%d", i % 7);
    struct cust_charge ch[3] = {
        {"PC 459", "burglary", "felony", "pending", -1, "C1", "Superior", NULL, 500000},
        {"VC 23152(a)", "dui", "misdemeanor", version > 1 ? "convicted" : "pending", 1, NULL, NULL,
         "2025-08-01", -1},
        {"PC 148(a)(1)", bail, "misdemeanor", "pending", 0, NULL, NULL, NULL, 1000},
    };
    struct cust_prior pr[2] = {{"PC 211", "felony", "2010-01-XX", "CA", NULL},
                               {"HS 11350", "felony", "2015-06-01", "CA", "{\"serious\":false}"}};
    struct cust_booking b = {0};
    b.booking_number = bn;
    b.booked_at = "2025-03-14T10:00:00Z";
    b.booked_ts = 1741946400 + i;
    b.booked_day = 20161;
    b.facility = i % 2 ? "MCJ" : "TTCF";
    b.released_day = CUST_NO_DAY;
    b.computed_release = CUST_NO_DAY;
    b.release_date_public = i % 3 == 0;
    b.scheduled_release = version > 1 ? "2025-09-01" : NULL;
    b.person.person_key = key;
    b.person.last_name = i % 5 ? "GARCÍA" : "NGUYEN";
    b.person.first_name = "JOSE";
    b.person.dob = "1980-01-XX";
    b.person.cii = cii;
    b.person.a_number = i % 4 == 0 ? "A012345678" : NULL;
    b.person.immigration_status = i % 6 == 0 ? "lpr" : NULL;
    b.person.sex_arson_registrant = -1;
    b.person.has_citizenship = true;
    b.person.citizenship.status = i % 3 ? "non_citizen" : "citizen";
    b.person.citizenship.source = i % 2 ? "self_reported" : "document";
    b.person.citizenship.verified = i % 2;
    b.person.citizenship.recorded_at = version > 1 ? "2025-04-01" : "2025-03-14";
    b.charges = ch;
    b.n_charges = (size_t)(1 + i % 3);
    b.priors = pr;
    b.n_priors = (size_t)(i % 3);
    b.doc = doc;
    b.doc_len = strlen(doc);
    struct cust_put_meta m = {"builder", "prop:1", "2025-03-14T10:00:00Z",
                              version > 1 ? "[\"status\"]" : NULL};
    struct cust_put_result r;
    struct cust_err err = CUST_ERR_INIT;
    ok(cust_store_put_booking(s, &b, &m, &r, &err), &err, "put booking");
    entry(s, version > 1 ? "correct" : "import", bn);
}

static void desk_rows(struct cust_store *s, int i)
{
    struct cust_err err = CUST_ERR_INIT;
    char id[CUST_REQUEST_ID_MAX], docj[64], sha[65], bn[16];
    snprintf(docj, sizeof(docj), "{\"n\":%d}", i);
    struct cust_request_row r = {.kind = i % 2 ? "detainer" : "judicial_warrant",
                                 .agency = "ICE",
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
    char content[32];
    snprintf(content, sizeof(content), "I-247A %d", i);
    ok(cust_store_document_put(s, id, "i247a.txt", sha, (const unsigned char *)content,
                               strlen(content), "received", &err),
       &err, "document");
    entry(s, "request.add", id);
    int64_t pa = 1 + (i * 7) % PERSONS, pb = 1 + (i * 13) % PERSONS;
    snprintf(bn, sizeof(bn), "B%06d", i % BOOKINGS);
    struct cust_link_row l = {id,     pa,   bn,          0.97,  true, "confirmed",
                              "auto", NULL, "[\"fbi\"]", false, NULL};
    ok(cust_store_link_put(s, &l, &err), &err, "link");
    l.person_id = pb;
    l.score = 0.61;
    l.strong = false;
    l.state = "candidate";
    l.confirmed_by = NULL;
    ok(cust_store_link_put(s, &l, &err), &err, "link 2");
    ok(cust_store_request_update(s, id, "matched", "exact", CUST_NO_TIME, NULL,
                                 "2025-07-02T17:01:00Z", &err),
       &err, "update");
    entry(s, "request.match", id);
    struct cust_decision_row d = {0,       id,
                                  pa,      bn,
                                  "us-ca", "2025.1",
                                  sha,     "2025-07-02T17:02:00Z",
                                  "sgt",   "{\"actions\":{\"hold\":{\"verdict\":\"prohibited\"}}}"};
    int64_t did;
    ok(cust_store_decision_put(s, &d, &did, &err), &err, "decision");
    ok(cust_store_request_update(s, id, "decided", NULL, CUST_NO_TIME, NULL, "2025-07-02T17:02:00Z",
                                 &err),
       &err, "update");
    entry(s, "request.decide", id);
    struct cust_action_row a = {
        0, id, pa, "notify", "permitted", "done", "sgt", "2025-07-02T17:03:00Z", NULL, did};
    ok(cust_store_action_put(s, &a, NULL, &err), &err, "action");
    struct cust_duty_row u = {0,
                              id,
                              pa,
                              bn,
                              "notice_to_subject",
                              "[\"GC 7283.1\"]",
                              "open",
                              1751500000,
                              "2025-07-02T17:03:00Z",
                              NULL,
                              NULL,
                              NULL,
                              NULL};
    int64_t uid;
    ok(cust_store_duty_put(s, &u, &uid, &err), &err, "duty");
    entry(s, "request.act", id);
    if (i % 2 == 0) {
        ok(cust_store_duty_done(s, uid, "deputy", "2025-07-03T09:00:00Z", sha, &err), &err,
           "duty done");
        entry(s, "duty.done", id);
    }
    if (i % 4 == 0) {
        struct cust_transfer_row t = {0,
                                      id,
                                      pa,
                                      bn,
                                      "2025-07-04T10:00:00Z",
                                      "ICE",
                                      "7282.5",
                                      NULL,
                                      "PC 1192.7(c)",
                                      "PC 211",
                                      "sgt",
                                      "2025-07-04T10:00:00Z"};
        ok(cust_store_transfer_put(s, &t, NULL, &err), &err, "transfer");
        entry(s, "transfer", id);
    }
    if (i % 5 == 0) {
        for (int k = 0; k < 3; k++) {
            struct cust_disclosure_row x = {
                0,   id, k, pa + k, bn, "[\"name\"]", "[]", "ICE", NULL, "2025-07-05T10:00:00Z",
                did, sha};
            ok(cust_store_disclosure_put(s, &x, &err), &err, "disclosure");
        }
        entry(s, "disclosure", id);
    }
}

static void build(void)
{
    snprintf(base, sizeof(base), "/tmp/cust-ledger-prop.%ld.db", (long)getpid());
    snprintf(copy, sizeof(copy), "%s.copy", base);
    unlink(base);
    struct cust_store *s;
    struct cust_err err = CUST_ERR_INIT;
    ok(cust_store_open(base, CUST_STORE_CREATE, &s, &err), &err, "open");
    ok(cust_store_begin(s, &err), &err, "begin");
    for (int i = 0; i < BOOKINGS; i++)
        put_booking(s, i, 1);
    for (int i = 0; i < BOOKINGS; i += 3) /* corrections: new versions */
        put_booking(s, i, 2);
    for (int i = 0; i < REQUESTS; i++)
        desk_rows(s, i);
    for (int i = 0; i < USERS; i++) {
        struct cust_user u;
        memset(&u, 0, sizeof(u));
        snprintf(u.name, sizeof(u.name), "user%02d", i);
        u.role = (enum cust_role)(1 + i % 5);
        snprintf(u.pwhash, sizeof(u.pwhash), "$argon2id$v=19$m=65536$%d", i);
        u.totp_key[0] = (uint8_t)i;
        u.totp_last_step = -1;
        ok(cust_auth_store_user_put(s, &u, &err), &err, "user");
        entry(s, "account", u.name);
    }
    for (int i = 0; i < FEEDRUNS; i++) { /* daily feed runs; some leave review items */
        int64_t run;
        char sha[65], bn[16], at[32];
        ok(cust_store_feed_next_run_id(s, &run, &err), &err, "run id");
        snprintf(sha, sizeof(sha), "%064x", 1000 + i);
        snprintf(at, sizeof(at), "2025-07-%02dT06:00:00Z", 1 + i % 28);
        struct cust_feed_run_row fr = {run,
                                       i % 2 ? "jms-north" : "jms-south",
                                       "daily.csv",
                                       sha,
                                       i % 3 ? "full" : "delta",
                                       at,
                                       "feed",
                                       100,
                                       3,
                                       5,
                                       92,
                                       1,
                                       2,
                                       2,
                                       0,
                                       0,
                                       NULL};
        ok(cust_store_feed_run_insert(s, &fr, &err), &err, "feed run");
        for (int k = 0; k < 2; k++) {
            snprintf(bn, sizeof(bn), "B%06d", (i * 2 + k) % BOOKINGS);
            ok(cust_store_feed_review_open(s, fr.source, bn, run, at,
                                           "missing from a full snapshot", &err),
               &err, "review");
        }
        entry(s, "feed_run", fr.source);
    }
    for (int64_t id = 1; id <= FEEDRUNS; id += 2) {
        char src[64], bn[32];
        ok(cust_store_feed_review_resolve(s, id, "sgt", "2025-07-30T10:00:00Z", "released", src,
                                          sizeof(src), bn, sizeof(bn), &err),
           &err, "resolve");
        entry(s, "feed_review_resolve", bn);
    }
    int64_t n = 0;
    ok(cust_store_count(s, "ledger", &n, &err), &err, "count");
    for (int64_t i = n; i < ENTRIES; i++) /* the rest of the day: sign-ins, look-ups */
        entry(s, i % 2 ? "login" : "export", "-");
    ok(cust_store_commit(s, &err), &err, "commit");
    struct cust_ledger_report rep;
    ok(cust_ledger_verify(s, &rep, &err), &err, "verify");
    assert_true(rep.entries >= ENTRIES);
    snprintf(cp.origin, sizeof(cp.origin), "county.example/ledger");
    cp.size = (uint64_t)rep.entries;
    memcpy(cp.root, rep.root, sizeof(cp.root));
    cust_store_close(s);
}

/* ---- copies and raw edits ---------------------------------------------------------------- */

static sqlite3 *raw_copy(void)
{
    sqlite3 *src, *dst;
    unlink(copy);
    assert_int_equal(sqlite3_open(base, &src), SQLITE_OK);
    assert_int_equal(sqlite3_open(copy, &dst), SQLITE_OK);
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
    assert_non_null(b);
    assert_int_equal(sqlite3_backup_step(b, -1), SQLITE_DONE);
    sqlite3_backup_finish(b);
    sqlite3_close(src);
    /* as an insider would: no guards */
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(dst,
                                        "SELECT group_concat('DROP TRIGGER ' || name, ';') FROM"
                                        " sqlite_master WHERE type = 'trigger' AND name !="
                                        " 'persons_name_copy'",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    char *drop = cust_xstrdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    assert_int_equal(sqlite3_exec(dst, drop, NULL, NULL, NULL), SQLITE_OK);
    free(drop);
    return dst;
}

static void exec(sqlite3 *db, const char *fmt, ...) CUST_PRINTF(2, 3);

static void exec(sqlite3 *db, const char *fmt, ...)
{
    char sql[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof(sql), fmt, ap);
    va_end(ap);
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg);
}

/* The keys (as text) a query returns, into a set: "table\tkey" lines. */
struct keys {
    char **v;
    size_t n, cap;
};

static void keys_add(struct keys *k, const char *table, const char *key)
{
    if (k->n == k->cap) {
        k->cap = k->cap ? k->cap * 2 : 256;
        k->v = cust_xrealloc(k->v, k->cap * sizeof(*k->v));
    }
    size_t len = strlen(table) + strlen(key) + 2;
    k->v[k->n] = cust_xmalloc(len);
    snprintf(k->v[k->n++], len, "%s\t%s", table, key);
}

static void keys_query(sqlite3 *db, struct keys *k, const char *table, const char *fmt, ...)
    CUST_PRINTF(4, 5);

static void keys_query(sqlite3 *db, struct keys *k, const char *table, const char *fmt, ...)
{
    char sql[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof(sql), fmt, ap);
    va_end(ap);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    while (sqlite3_step(st) == SQLITE_ROW)
        keys_add(k, table, (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void keys_free(struct keys *k)
{
    for (size_t i = 0; i < k->n; i++)
        free(k->v[i]);
    free(k->v);
    memset(k, 0, sizeof(*k));
}

/* ---- the mutations ------------------------------------------------------------------------ */

enum kind { CHANGE, DELETE, INSERT, REORDER };

/* Subset r of R of a table's rows, by its integer key (or rowid for a text key). */
#define SUB(col) "(" col ") %% %d = %d"

/* Apply one kind of mutation to subset r of every covered table; `want` gets the keys. */
static void mutate(sqlite3 *db, enum kind k, int r, struct keys *want)
{
    const int R = ROUNDS;
    switch (k) {
    case CHANGE:
        /* the record */
        keys_query(db, want, "booking_versions", "SELECT id FROM booking_versions WHERE " SUB("id"),
                   R, r);
        exec(db, "UPDATE booking_versions SET doc = doc || ' ' WHERE " SUB("id"), R, r);
        keys_query(
            db, want, "bookings",
            "SELECT id FROM bookings WHERE " SUB(
                "id") " AND id %% 3 = 0 UNION"
                      " SELECT booking_id FROM charges WHERE " SUB(
                          "booking_id") " AND booking_id %% 3 = 1 UNION SELECT booking_id FROM "
                                        "prior_convictions"
                                        " WHERE " SUB("booking_id") " AND booking_id %% 3 = 2",
            R, r, R, r, R, r);
        exec(db,
             "UPDATE bookings SET released_at = '2025-07-01T00:00:00Z' WHERE " SUB(
                 "id") " AND id "
                       "%% 3 = 0; "
                       "UPDATE "
                       "charges "
                       "SET level "
                       "= "
                       "'infractio"
                       "n' "
                       "WHERE"
                       " " SUB("bo"
                               "ok"
                               "in"
                               "g_"
                               "i"
                               "d") " AND booking_id %% 3 = 1; UPDATE prior_convictions SET date = "
                                    "'1999-01-01' WHERE " SUB("bookin"
                                                              "g_id") " AND booking_id %% 3 = 2",
             R, r, R, r, R, r);
        keys_query(db, want, "persons", "SELECT id FROM persons WHERE " SUB("id"), R, r);
        exec(db,
             "UPDATE persons SET citizenship_status = CASE citizenship_status WHEN 'citizen'"
             " THEN 'non_citizen' ELSE 'citizen' END WHERE " SUB("id"),
             R, r);
        keys_query(db, want, "citizenship_history",
                   "SELECT id FROM citizenship_history WHERE " SUB("id"), R, r);
        exec(db, "UPDATE citizenship_history SET verified = 1 - verified WHERE " SUB("id"), R, r);
        /* the desk */
        keys_query(
            db, want, "requests",
            "SELECT id FROM requests WHERE " SUB(
                "rowid") " AND rowid %% 2 = 0 UNION"
                         " SELECT request_id FROM request_links JOIN requests ON id = request_id"
                         " WHERE " SUB("requests.rowid") " AND requests.rowid %% 2 = 1",
            R, r, R, r);
        exec(db,
             "UPDATE requests SET status = 'closed' WHERE " SUB(
                 "rowid") " AND rowid %% 2 = 0;"
                          " UPDATE request_links SET state = 'rejected' WHERE request_id IN "
                          "(SELECT id FROM"
                          " requests WHERE " SUB("rowid") " AND rowid %% 2 = 1)",
             R, r, R, r);
        keys_query(db, want, "request_documents",
                   "SELECT id FROM request_documents WHERE " SUB("id"), R, r);
        exec(db, "UPDATE request_documents SET role = 'notice' WHERE " SUB("id"), R, r);
        keys_query(db, want, "documents", "SELECT sha256 FROM documents WHERE " SUB("rowid"), R, r);
        exec(db, "UPDATE documents SET content = X'00' WHERE " SUB("rowid"), R, r);
        keys_query(db, want, "decisions", "SELECT id FROM decisions WHERE " SUB("id"), R, r);
        exec(db,
             "UPDATE decisions SET decision = replace(decision, 'prohibited', 'permitted')"
             " WHERE " SUB("id"),
             R, r);
        keys_query(db, want, "actions", "SELECT id FROM actions WHERE " SUB("id"), R, r);
        exec(db, "UPDATE actions SET outcome = 'declined' WHERE " SUB("id"), R, r);
        keys_query(db, want, "duties", "SELECT id FROM duties WHERE " SUB("id"), R, r);
        exec(db, "UPDATE duties SET due_ts = due_ts + 86400 WHERE " SUB("id"), R, r);
        keys_query(db, want, "transfers", "SELECT id FROM transfers WHERE " SUB("id"), R, r);
        exec(db, "UPDATE transfers SET agency = 'CBP' WHERE " SUB("id"), R, r);
        keys_query(db, want, "disclosures", "SELECT id FROM disclosures WHERE " SUB("id"), R, r);
        exec(db, "UPDATE disclosures SET items = '[\"name\",\"address\"]' WHERE " SUB("id"), R, r);
        keys_query(db, want, "users", "SELECT name FROM users WHERE " SUB("rowid"), R, r);
        exec(db, "UPDATE users SET role = 'admin' || role WHERE " SUB("rowid"), R, r);
        keys_query(db, want, "feed_runs", "SELECT id FROM feed_runs WHERE " SUB("id"), R, r);
        exec(db, "UPDATE feed_runs SET missing = missing + 1 WHERE " SUB("id"), R, r);
        keys_query(db, want, "feed_reviews", "SELECT id FROM feed_reviews WHERE " SUB("id"), R, r);
        exec(db, "UPDATE feed_reviews SET reason = 'none' WHERE " SUB("id"), R, r);
        break;
    case DELETE: {
        static const struct {
            const char *table, *key, *sub;
        } t[] = {{"booking_versions", "id", "id"}, {"bookings", "id", "id"},
                 {"persons", "id", "id"},          {"citizenship_history", "id", "id"},
                 {"requests", "id", "rowid"},      {"request_documents", "id", "id"},
                 {"documents", "sha256", "rowid"}, {"decisions", "id", "id"},
                 {"actions", "id", "id"},          {"duties", "id", "id"},
                 {"transfers", "id", "id"},        {"disclosures", "id", "id"},
                 {"users", "name", "rowid"},       {"feed_runs", "id", "id"},
                 {"feed_reviews", "id", "id"}};
        for (size_t i = 0; i < CUST_ARRAY_LEN(t); i++) {
            keys_query(db, want, t[i].table, "SELECT %s FROM %s WHERE (%s) %% %d = %d", t[i].key,
                       t[i].table, t[i].sub, R, r);
            exec(db, "DELETE FROM %s WHERE (%s) %% %d = %d", t[i].table, t[i].sub, R, r);
        }
        break;
    }
    case INSERT: {
        /* copies of existing rows under new keys: well-formed rows no entry committed */
        static const struct {
            const char *table, *sql, *keys;
        } t[] = {
            {"booking_versions",
             "INSERT INTO booking_versions(id, booking_id, version, recorded_at, recorded_by,"
             " source, changed, doc) SELECT id + 1000000, booking_id, version + 10, recorded_at,"
             " recorded_by, source, changed, doc FROM booking_versions WHERE (id) %% %d = %d",
             "SELECT id FROM booking_versions WHERE id > 1000000"},
            {"persons",
             "INSERT INTO persons(id, person_key, last_name, first_name, dob) SELECT id +"
             " 1000000, 'X' || id, last_name, first_name, dob FROM persons WHERE (id) %% %d = %d",
             "SELECT id FROM persons WHERE id > 1000000"},
            {"citizenship_history",
             "INSERT INTO citizenship_history(id, person_id, status, recorded_at, booking_number,"
             " entered_at) SELECT id + 1000000, person_id, 'citizen', '1900-01-01 ' || id,"
             " booking_number, entered_at FROM citizenship_history WHERE (id) %% %d = %d",
             "SELECT id FROM citizenship_history WHERE id > 1000000"},
            {"requests",
             "INSERT INTO requests(id, year, seq, kind, agency, status, received_at, received_ts,"
             " received_offset, created_at, updated_at, doc) SELECT id || 'X', year, seq +"
             " 500000, kind, agency, status, received_at, received_ts, received_offset,"
             " created_at, updated_at, doc FROM requests WHERE (rowid) %% %d = %d",
             "SELECT id FROM requests WHERE id LIKE '%X'"},
            {"decisions",
             "INSERT INTO decisions(id, request_id, person_id, policy_id, policy_version,"
             " policy_sha256, decided_at, decided_by, decision) SELECT id + 1000000, request_id,"
             " person_id, policy_id, policy_version, policy_sha256, decided_at, decided_by,"
             " replace(decision, 'prohibited', 'permitted') FROM decisions WHERE (id) %% %d = %d",
             "SELECT id FROM decisions WHERE id > 1000000"},
            {"actions",
             "INSERT INTO actions(id, request_id, person_id, action, verdict, outcome, by, at)"
             " SELECT id + 1000000, request_id, person_id, 'hold', 'permitted', 'done', by, at"
             " FROM actions WHERE (id) %% %d = %d",
             "SELECT id FROM actions WHERE id > 1000000"},
            {"duties",
             "INSERT INTO duties(id, request_id, person_id, duty, status, created_at) SELECT id +"
             " 1000000, request_id, person_id, duty, 'done', created_at FROM duties WHERE (id) %%"
             " %d = %d",
             "SELECT id FROM duties WHERE id > 1000000"},
            {"transfers",
             "INSERT INTO transfers(id, request_id, person_id, at, agency, basis, recorded_by,"
             " recorded_at) SELECT id + 1000000, request_id, person_id, at, agency, basis,"
             " recorded_by, recorded_at FROM transfers WHERE (id) %% %d = %d",
             "SELECT id FROM transfers WHERE id > 1000000"},
            {"disclosures",
             "INSERT INTO disclosures(id, request_id, ord, person_id, items, withheld,"
             " recipient, at, decision_id, row_hash) SELECT id + 1000000, request_id, ord + 100,"
             " person_id, items, withheld, recipient, at, decision_id, row_hash FROM disclosures"
             " WHERE (id) %% %d = %d",
             "SELECT id FROM disclosures WHERE id > 1000000"},
            {"request_documents",
             "INSERT INTO request_documents(id, request_id, name, sha256, role) SELECT id +"
             " 1000000, request_id, 'forged.txt', sha256, role FROM request_documents WHERE"
             " (id) %% %d = %d",
             "SELECT id FROM request_documents WHERE id > 1000000"},
            {"documents",
             "INSERT INTO documents(sha256, size, content) SELECT 'f' || substr(sha256, 2), size,"
             " content FROM documents WHERE (rowid) %% %d = %d",
             "SELECT sha256 FROM documents WHERE sha256 LIKE 'f%'"},
            {"users",
             "INSERT INTO users(name, role, pwhash, totp_key) SELECT name || 'x', 'admin',"
             " pwhash, totp_key FROM users WHERE (rowid) %% %d = %d",
             "SELECT name FROM users WHERE name LIKE '%x'"},
            {"feed_runs",
             "INSERT INTO feed_runs SELECT id + 1000000, source, file, sha256, snapshot, run_at,"
             " actor, records, created, updated, unchanged, released, missing, reviews_opened,"
             " reappeared, rejected, rejects_file FROM feed_runs WHERE (id) %% %d = %d",
             "SELECT id FROM feed_runs WHERE id > 1000000"},
            {"feed_reviews",
             "INSERT INTO feed_reviews(id, source, booking_number, run_id, opened_at, reason,"
             " status) SELECT id + 1000000, source, booking_number || 'X', run_id, opened_at,"
             " reason, 'resolved' FROM feed_reviews WHERE (id) %% %d = %d",
             "SELECT id FROM feed_reviews WHERE id > 1000000"},
        };
        for (size_t i = 0; i < CUST_ARRAY_LEN(t); i++) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
            exec(db, t[i].sql, R, r);
#pragma GCC diagnostic pop
            keys_query(db, want, t[i].table, "%s", t[i].keys);
        }
        /* a booking: with a fresh person and charges, inserted whole */
        exec(db,
             "INSERT INTO bookings(id, booking_number, person_id, version, booked_at, booked_ts,"
             " booked_day) SELECT id + 1000000, booking_number || 'X', person_id, 1, booked_at,"
             " booked_ts, booked_day FROM bookings WHERE (id) %% %d = %d",
             R, r);
        keys_query(db, want, "bookings", "SELECT id FROM bookings WHERE id > 1000000");
        break;
    }
    case REORDER: {
        /* rows of each integer-keyed table swapped in pairs (keys 2k+r... exchanged) */
        static const char *const t[] = {
            "booking_versions", "persons", "citizenship_history", "request_documents", "decisions",
            "actions",          "duties",  "transfers",           "disclosures",       "feed_runs",
            "feed_reviews"};
        for (size_t i = 0; i < CUST_ARRAY_LEN(t); i++) {
            /* pairs (a, a+1) with a %% (2R) == 2r + 1 */
            keys_query(db, want, t[i],
                       "SELECT id FROM %s WHERE id %% %d IN (%d, %d) AND (id + 1) IN (SELECT id"
                       " FROM %s) OR id %% %d = %d AND (id - 1) IN (SELECT id FROM %s) AND"
                       " (id - 1) %% %d = %d",
                       t[i], 2 * R, 2 * r + 1, -1, t[i], 2 * R, (2 * r + 2) % (2 * R), t[i], 2 * R,
                       2 * r + 1);
            exec(db,
                 "UPDATE %s SET id = -id WHERE id %% %d = %d AND (id + 1) IN (SELECT id FROM %s);"
                 " UPDATE %s SET id = id - 1 WHERE id > 0 AND (id - 1) %% %d = %d AND -(id - 1)"
                 " IN (SELECT id FROM %s);"
                 " UPDATE %s SET id = -id + 1 WHERE id < 0",
                 t[i], 2 * R, 2 * r + 1, t[i], t[i], 2 * R, 2 * r + 1, t[i], t[i]);
        }
        /* bookings: swap the charges of neighbouring bookings */
        keys_query(db, want, "bookings",
                   "SELECT DISTINCT booking_id FROM charges WHERE booking_id %% %d = %d AND"
                   " booking_id %% 3 = 2",
                   R, r);
        exec(db,
             "UPDATE charges SET idx = 9 - idx WHERE booking_id %% %d = %d AND booking_id %% 3 = 2",
             R, r);
        break;
    }
    }
}

/* Verify the copy; every key in `want` must be reported; report what else was. */
static void expect_found(const struct keys *want_in, const char *what)
{
    struct keys want = *want_in;
    if (want.n > 1) /* (qsort of an empty, NULL array is undefined) */
        qsort(want.v, want.n, sizeof(*want.v), cmp_str);
    struct cust_store *s;
    struct cust_err err = CUST_ERR_INIT;
    ok(cust_store_open(copy, CUST_STORE_READONLY, &s, &err), &err, "open copy");
    struct cust_ledger_rows_report rep;
    enum cust_status st = cust_ledger_verify_rows(s, 10000000, &rep, &err);
    assert_int_equal(st, want.n ? CUST_EINTEGRITY : CUST_OK);
    struct keys got = {0};
    const struct cust_row_table *t = cust_store_row_tables(NULL);
    for (size_t i = 0; i < rep.nproblems; i++)
        if (rep.problems[i].table >= 0 && rep.problems[i].key[0])
            keys_add(&got, t[rep.problems[i].table].name, rep.problems[i].key);
    if (got.n > 1)
        qsort(got.v, got.n, sizeof(*got.v), cmp_str);
    size_t missing = 0;
    for (size_t i = 0; i < want.n; i++)
        if (!bsearch(&want.v[i], got.v, got.n, sizeof(*got.v), cmp_str)) {
            if (missing++ < 5)
                print_error("%s: not detected: %s\n", what, want.v[i]);
        }
    /* what else was reported: rows that hang off a deleted or moved one (orphans) */
    size_t other = 0;
    for (size_t i = 0; i < rep.nproblems; i++) {
        const struct cust_ledger_row_problem *p = &rep.problems[i];
        char line[200];
        snprintf(line, sizeof(line), "%s\t%s", p->table >= 0 ? t[p->table].name : "-", p->key);
        char *lp = line;
        if (!bsearch(&lp, want.v, want.n, sizeof(*want.v), cmp_str) && other++ < 3)
            print_message("  also: %s\n", p->message);
    }
    print_message("%s: %zu rows mutated, %zu problems reported (%zu others), %zu missed\n", what,
                  want.n, rep.nproblems, other, missing);
    assert_int_equal(missing, 0);
    assert_true((int64_t)rep.nproblems == rep.bad);
    cust_ledger_rows_report_release(&rep);
    keys_free(&got);
    cust_store_close(s);
}

static int setup(void **state)
{
    (void)state;
    build();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    const char *sfx[] = {"", "-wal", "-shm"};
    char p[160];
    for (size_t i = 0; i < CUST_ARRAY_LEN(sfx); i++) {
        snprintf(p, sizeof(p), "%s%s", base, sfx[i]);
        unlink(p);
        snprintf(p, sizeof(p), "%s%s", copy, sfx[i]);
        unlink(p);
    }
    return 0;
}

/* ---- the tests ---------------------------------------------------------------------------- */

static void test_clean(void **state)
{
    (void)state;
    sqlite3 *db = raw_copy();
    sqlite3_close(db);
    struct keys none = {0};
    expect_found(&none, "clean store");
}

static void run_kind(enum kind k, const char *name)
{
    for (int r = 0; r < ROUNDS; r++) {
        sqlite3 *db = raw_copy();
        struct keys want = {0};
        mutate(db, k, r, &want);
        assert_true(want.n > 0);
        sqlite3_close(db);
        char what[64];
        snprintf(what, sizeof(what), "%s, round %d of %d", name, r + 1, ROUNDS);
        expect_found(&want, what);
        keys_free(&want);
    }
}

static void test_every_row_changed(void **state)
{
    (void)state;
    run_kind(CHANGE, "changed");
}

static void test_every_row_deleted(void **state)
{
    (void)state;
    run_kind(DELETE, "deleted");
}

static void test_rows_inserted(void **state)
{
    (void)state;
    run_kind(INSERT, "inserted");
}

static void test_rows_reordered(void **state)
{
    (void)state;
    run_kind(REORDER, "reordered");
}

/* The tail cut and the head rewound: the chain is whole, the checkpoint is not extended. */
static void truncate_at(int64_t keep)
{
    sqlite3 *db = raw_copy();
    exec(db,
         "DELETE FROM ledger WHERE seq > %" PRId64 "; DELETE FROM ledger_rows WHERE seq > %" PRId64
         "; UPDATE ledger_head SET seq = %" PRId64 ", hash = coalesce((SELECT hash FROM ledger"
         " WHERE seq = %" PRId64 "), '%064d')",
         keep, keep, keep, keep, 0);
    sqlite3_close(db);
    struct cust_store *s;
    struct cust_err err = CUST_ERR_INIT;
    ok(cust_store_open(copy, CUST_STORE_READONLY, &s, &err), &err, "open copy");
    struct cust_ledger_report rep;
    assert_int_equal(cust_ledger_verify(s, &rep, &err), CUST_OK); /* the chain alone is fooled */
    assert_int_equal(cust_ledger_verify_checkpoint(s, &cp, &rep, &err), CUST_EINTEGRITY);
    assert_true(rep.checkpoint_bad);
    assert_non_null(strstr(rep.reason, "truncated"));
    cust_store_close(s);
}

static void test_truncations(void **state)
{
    (void)state;
    int64_t m = (int64_t)cp.size;
    int64_t at[] = {0, 1, 2, m / 3, m / 2, m - 1000, m - 2, m - 1};
    for (size_t i = 0; i < CUST_ARRAY_LEN(at); i++)
        truncate_at(at[i]);
    unsigned seed = 12345;
    for (int i = 0; i < 8; i++) {
        seed = seed * 1103515245u + 12345u;
        truncate_at((int64_t)(seed % (unsigned)m));
    }
}

/* Recompute every entry's prev_hash and hash from `from` on, and the head (the insider's
 * rewrite; the Merkle tree cannot be re-signed without the key). */
static void rechain(sqlite3 *db, int64_t from)
{
    sqlite3_stmt *sel, *upd;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT seq, at, actor, role, action, object_type,"
                                        " object_id, outcome, purpose, detail, prev_hash, rows"
                                        " FROM ledger WHERE seq >= ?1 ORDER BY seq",
                                        -1, &sel, NULL),
                     SQLITE_OK);
    assert_int_equal(
        sqlite3_prepare_v2(db, "UPDATE ledger SET prev_hash = ?2, hash = ?3 WHERE seq = ?1", -1,
                           &upd, NULL),
        SQLITE_OK);
    char prev[65];
    sqlite3_stmt *p;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT hash FROM ledger WHERE seq = ?1", -1, &p, NULL),
                     SQLITE_OK);
    sqlite3_bind_int64(p, 1, from - 1);
    if (sqlite3_step(p) == SQLITE_ROW)
        snprintf(prev, sizeof(prev), "%s", sqlite3_column_text(p, 0));
    else
        snprintf(prev, sizeof(prev), "%s", CUST_LEDGER_GENESIS);
    sqlite3_finalize(p);
    exec(db, "BEGIN");
    sqlite3_bind_int64(sel, 1, from);
    int64_t last = 0;
    while (sqlite3_step(sel) == SQLITE_ROW) {
#define T(i) ((const char *)sqlite3_column_text(sel, i))
        char hash[65];
        struct cust_ledger_row r = {sqlite3_column_int64(sel, 0),
                                    T(1),
                                    T(2),
                                    T(3),
                                    T(4),
                                    T(5),
                                    T(6),
                                    T(7),
                                    T(8),
                                    T(9),
                                    prev,
                                    hash,
                                    T(11)};
#undef T
        cust_ledger_hash(&r, hash);
        sqlite3_reset(upd);
        sqlite3_bind_int64(upd, 1, r.seq);
        sqlite3_bind_text(upd, 2, prev, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(upd, 3, hash, -1, SQLITE_TRANSIENT);
        assert_int_equal(sqlite3_step(upd), SQLITE_DONE);
        memcpy(prev, hash, sizeof(prev));
        last = r.seq;
    }
    exec(db, "UPDATE ledger_head SET seq = %" PRId64 ", hash = '%s'; COMMIT", last, prev);
    sqlite3_finalize(sel);
    sqlite3_finalize(upd);
}

static enum cust_status hash_row(const struct cust_row *r, void *arg)
{
    cust_row_hash(r, arg);
    return CUST_OK;
}

/* Change row `id` of `table` (integer key) and recompute its journal record, the entry's
 * commitment and the chain, as an insider with the file can: only the checkpoint can tell. */
static void forge(const char *table, const char *set, int64_t id)
{
    sqlite3 *db = raw_copy();
    exec(db, "UPDATE %s SET %s WHERE id = %" PRId64, table, set, id);
    sqlite3_close(db);
    /* the row's new hash, as the ledger computes it */
    struct cust_store *s;
    struct cust_err err = CUST_ERR_INIT;
    ok(cust_store_open(copy, CUST_STORE_READONLY, &s, &err), &err, "open copy");
    unsigned char key[8], h[CUST_TLOG_HASH];
    for (int i = 0; i < 8; i++)
        key[i] = (unsigned char)((uint64_t)id >> (56 - 8 * i));
    assert_int_equal(cust_store_row_get(s, cust_store_row_table(table), key, 8, hash_row, h, &err),
                     CUST_OK);
    cust_store_close(s);
    /* its latest journal record, patched */
    assert_int_equal(sqlite3_open(copy, &db), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT id, seq, hashes FROM ledger_rows WHERE tbl = ?1"
                                        " ORDER BY seq, id",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    int64_t rec = 0, seq = 0;
    size_t at = 0, len = 0;
    unsigned char *blob = NULL;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const unsigned char *b = sqlite3_column_blob(st, 2);
        size_t n = (size_t)sqlite3_column_bytes(st, 2);
        for (size_t off = 0; off + 8 <= n;) {
            uint64_t l = 0;
            for (int i = 0; i < 8; i++)
                l = l << 8 | b[off + (size_t)i];
            if (l == 8 && memcmp(b + off + 8, key, 8) == 0) {
                rec = sqlite3_column_int64(st, 0);
                seq = sqlite3_column_int64(st, 1);
                at = off + 16;
                free(blob);
                blob = cust_xmalloc(n);
                memcpy(blob, b, n);
                len = n;
            }
            off += 8 + (size_t)l + CUST_TLOG_HASH;
        }
    }
    sqlite3_finalize(st);
    assert_true(rec > 0);
    memcpy(blob + at, h, CUST_TLOG_HASH);
    assert_int_equal(
        sqlite3_prepare_v2(db, "UPDATE ledger_rows SET hashes = ?2 WHERE id = ?1", -1, &st, NULL),
        SQLITE_OK);
    sqlite3_bind_int64(st, 1, rec);
    sqlite3_bind_blob(st, 2, blob, (int)len, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    free(blob);
    /* the entry's commitment to that table */
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT n, hashes FROM ledger_rows WHERE seq = ?1 AND"
                                        " tbl = ?2 ORDER BY part",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_int64(st, 1, seq);
    sqlite3_bind_text(st, 2, table, -1, SQLITE_STATIC);
    struct cust_buf all = CUST_BUF_INIT;
    int64_t n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        n += sqlite3_column_int64(st, 0);
        assert_int_equal(
            cust_buf_append(&all, sqlite3_column_blob(st, 1), (size_t)sqlite3_column_bytes(st, 1)),
            CUST_OK);
    }
    sqlite3_finalize(st);
    unsigned char d[CUST_TLOG_HASH];
    char hex[65];
    cust_tlog_sha256(all.buf, all.len, d);
    cust_tlog_hash_hex(d, hex);
    cust_buf_release(&all);
    assert_int_equal(
        sqlite3_prepare_v2(db, "SELECT rows FROM ledger WHERE seq = ?1", -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_int64(st, 1, seq);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    json_t *rows = json_loads((const char *)sqlite3_column_text(st, 0), 0, NULL);
    sqlite3_finalize(st);
    json_object_set_new(rows, table, json_pack("[I,s]", (json_int_t)n, hex));
    char *text = json_dumps(rows, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(rows);
    assert_int_equal(
        sqlite3_prepare_v2(db, "UPDATE ledger SET rows = ?2 WHERE seq = ?1", -1, &st, NULL),
        SQLITE_OK);
    sqlite3_bind_int64(st, 1, seq);
    sqlite3_bind_text(st, 2, text, -1, SQLITE_TRANSIENT);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    free(text);
    rechain(db, seq);
    sqlite3_close(db);
    /* chain and rows check out; the checkpoint does not */
    ok(cust_store_open(copy, CUST_STORE_READONLY, &s, &err), &err, "open copy");
    struct cust_ledger_report rep;
    ok(cust_ledger_verify(s, &rep, &err), &err, "the forged chain");
    struct cust_ledger_rows_report rr;
    ok(cust_ledger_verify_rows(s, 10, &rr, &err), &err, "the forged rows");
    cust_ledger_rows_report_release(&rr);
    assert_int_equal(cust_ledger_verify_checkpoint(s, &cp, &rep, &err), CUST_EINTEGRITY);
    assert_true(rep.checkpoint_bad);
    assert_non_null(strstr(rep.reason, "rewritten"));
    cust_store_close(s);
}

static void test_full_rewrites(void **state)
{
    (void)state;
    forge("decisions", "decision = replace(decision, 'prohibited', 'permitted')", 1);
    forge("persons", "citizenship_status = 'citizen', a_number = NULL", PERSONS / 2);
    forge("booking_versions", "doc = replace(doc, 'version', 'versio')", BOOKINGS);
    forge("actions", "outcome = 'declined'", REQUESTS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clean),
        cmocka_unit_test(test_every_row_changed),
        cmocka_unit_test(test_every_row_deleted),
        cmocka_unit_test(test_rows_inserted),
        cmocka_unit_test(test_rows_reordered),
        cmocka_unit_test(test_truncations),
        cmocka_unit_test(test_full_rewrites),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
