/* Unit tests for the request desk: store tables, lifecycle, matching, decisions, refusals,
 * duties and deadlines, fulfilment (with the real policy engine and holiday calendar). */
#include "custodian/compat.h"
#include "custodian/config.h"
#include "custodian/date.h"
#include "custodian/desk.h"
#include "custodian/gen.h"
#include "custodian/ledger.h"
#include "custodian/policy.h"
#include "custodian/records.h"
#include "custodian/request.h"
#include "../../src/desk/desk_internal.h"

#include <setjmp.h>
#include <stdarg.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>

struct fx {
    char dir[64], db[96];
    struct cust_store *s;
    struct cust_config *cfg;
    struct cust_desk_env *env;
    struct cust_desk d;
};

static const char *src_dir(void)
{
    const char *s = getenv("CUST_SOURCE_DIR");
    return s && *s ? s : CUST_SOURCE_DIR;
}

/* The configuration the desk is opened from: the source tree's data, the county us-ca. */
static struct cust_config *test_config(void)
{
    struct cust_config *cfg = cust_config_new();
    char path[512];
    snprintf(path, sizeof(path), "%s/policies", src_dir());
    cust_config_set(cfg, CUST_CFG_POLICIES, path, "test");
    snprintf(path, sizeof(path), "%s/policies/calendars/us-federal-holidays.csv", src_dir());
    cust_config_set(cfg, CUST_CFG_CALENDAR, path, "test");
    snprintf(path, sizeof(path), "%s/templates/notices", src_dir());
    cust_config_set(cfg, CUST_CFG_NOTICE_TEMPLATES, path, "test");
    cust_config_set(cfg, CUST_CFG_JURISDICTION, "us-ca", "test");
    return cfg;
}

static int setup(void **state)
{
    struct fx *f = cust_xcalloc(1, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/cust-desk.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->db, sizeof(f->db), "%s/t.db", f->dir);
    setenv("CUSTODIAN_NOW", "2025-07-18T19:00:00Z", 1);
    struct cust_err err = CUST_ERR_INIT;
    assert_int_equal(cust_store_open(f->db, CUST_STORE_CREATE, &f->s, &err), CUST_OK);
    char path[512];
    f->cfg = test_config();
    assert_int_equal(cust_desk_env_open(f->cfg, 0, &f->env, &err), CUST_OK);
    snprintf(path, sizeof(path), "%s/tests/data/desk/county.jsonl", src_dir());
    struct cust_import_opts o = {.path = path, .actor = "loader", .errors = stderr};
    struct cust_import_stats st;
    assert_int_equal(cust_import_file(f->s, &o, &st, &err), CUST_OK);
    cust_desk_init(&f->d, f->env, f->s, "clerk1", "clerk");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    cust_desk_release(&f->d);
    cust_store_close(f->s);
    cust_desk_env_free(f->env);
    cust_config_free(f->cfg);
    char cmd[160];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

/* Add a request given as JSON text; asserts success; the id goes to `id`. */
/* Add the request `text` to desk `d` (its diagnostics printed if it is refused). */
static void add_to(struct cust_desk *d, const char *text, char id[CUST_REQUEST_ID_MAX])
{
    json_error_t je;
    json_t *doc = json_loads(text, 0, &je);
    assert_non_null(doc);
    struct cust_diag diag = CUST_DIAG_INIT;
    struct cust_err err = CUST_ERR_INIT;
    enum cust_status st = cust_desk_add(d, doc, id, &diag, &err);
    if (st != CUST_OK) {
        cust_diag_print(&diag, stderr, NULL);
        fprintf(stderr, "%s\n", err.msg);
    }
    assert_int_equal(st, CUST_OK);
    cust_diag_release(&diag);
    json_decref(doc);
}

static void add(struct fx *f, const char *text, char id[CUST_REQUEST_ID_MAX])
{
    add_to(&f->d, text, id);
}

static json_t *show(struct fx *f, const char *id)
{
    json_t *j = NULL;
    struct cust_err err = CUST_ERR_INIT;
    assert_int_equal(cust_desk_show(&f->d, id, &j, &err), CUST_OK);
    return j;
}

/* Decide request `id`, which must succeed. */
static void decide_ok(struct fx *f, const char *id)
{
    json_t *out = NULL;
    struct cust_err err = CUST_ERR_INIT;
    assert_int_equal(cust_desk_decide(&f->d, id, &out, &err), CUST_OK);
    json_decref(out);
}

static const char *sget(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

struct cnt {
    const char *action, *outcome;
    int64_t n;
};

static enum cust_status on_ledger(const struct cust_ledger_row *r, void *arg)
{
    struct cnt *c = arg;
    if (strcmp(r->action, c->action) == 0 && (!c->outcome || strcmp(r->outcome, c->outcome) == 0))
        c->n++;
    return CUST_OK;
}

static enum cust_status count_disc(const struct cust_disclosure_row *x, void *arg)
{
    (void)x;
    (*(int64_t *)arg)++;
    return CUST_OK;
}

static int64_t disclosure_count(struct fx *f, const char *id)
{
    int64_t n = 0;
    struct cust_err err = CUST_ERR_INIT;
    assert_int_equal(cust_store_disclosures(f->s, id, count_disc, &n, &err), CUST_OK);
    return n;
}

/* Documents of a shown request with this role. */
static size_t doc_count(const json_t *shown, const char *role)
{
    size_t n = 0, k;
    json_t *x;
    json_array_foreach(json_object_get(shown, "documents"), k, x) n +=
        strcmp(json_string_value(json_object_get(x, "role")), role) == 0;
    return n;
}

static int64_t ledger_count(struct fx *f, const char *action, const char *outcome)
{
    struct cnt c = {action, outcome, 0};
    int64_t hs;
    char hh[65];
    struct cust_err err = CUST_ERR_INIT;
    assert_int_equal(cust_store_ledger_each(f->s, on_ledger, &c, &hs, hh, &err), CUST_OK);
    return c.n;
}

static void ledger_ok(struct fx *f)
{
    struct cust_ledger_report rep;
    struct cust_err err = CUST_ERR_INIT;
    assert_int_equal(cust_ledger_verify(f->s, &rep, &err), CUST_OK);
    struct cust_desk_verify_report vr;
    assert_int_equal(cust_desk_verify_disclosures(f->s, &vr, &err), CUST_OK);
    /* every row the desk wrote is the row its entry committed to */
    struct cust_ledger_rows_report rr;
    enum cust_status st = cust_ledger_verify_rows(f->s, 4, &rr, &err);
    if (st != CUST_OK)
        fail_msg("rows: %s", err.msg);
    cust_ledger_rows_report_release(&rr);
}

#define DETAINER(subject)                                                                          \
    "{\"kind\": \"detainer\", \"form\": \"I-247A\", \"requester\": {\"agency\": \"ICE\"},"         \
    " \"received_at\": \"2025-07-02T10:00:00-07:00\", \"subject\": " subject "}"

static int64_t duty_of(struct fx *f, const char *id, const char *duty, json_t **row);

/* ---- intake --------------------------------------------------------------------------------- */

static void test_invalid_request_stores_nothing(void **state)
{
    struct fx *f = *state;
    json_t *doc = json_loads("{\"kind\": \"telegram\", \"received_at\": \"yesterday\","
                             " \"subject\": {\"dob\": \"1988-13-40\"}}",
                             0, NULL);
    struct cust_diag diag = CUST_DIAG_INIT;
    struct cust_err err = CUST_ERR_INIT;
    char id[CUST_REQUEST_ID_MAX];
    int64_t before = 0, after = 0;
    assert_int_equal(cust_store_count(f->s, "ledger", &before, &err), CUST_OK);
    assert_int_equal(cust_desk_add(&f->d, doc, id, &diag, &err), CUST_EINVAL);
    assert_true(cust_diag_count(&diag) >= 3);
    bool kind = false, dob = false;
    for (size_t i = 0; i < diag.n; i++) {
        kind |= strncmp(diag.lines[i], "request.kind:", 13) == 0;
        dob |= strncmp(diag.lines[i], "request.subject.dob:", 20) == 0;
    }
    assert_true(kind && dob);
    assert_string_equal(id, "");
    assert_int_equal(cust_store_count(f->s, "ledger", &after, &err), CUST_OK);
    assert_int_equal(before, after);
    json_t *list = NULL;
    struct cust_request_filter flt = {.overdue_at = CUST_NO_TIME, .now = cust_now()};
    assert_int_equal(cust_desk_list(&f->d, &flt, &list, &err), CUST_OK);
    assert_int_equal(json_array_size(list), 0);
    json_decref(list);
    cust_diag_release(&diag);
    json_decref(doc);
}

static void test_ids_and_documents(void **state)
{
    struct fx *f = *state;
    char a[CUST_REQUEST_ID_MAX], b[CUST_REQUEST_ID_MAX];
    add(f,
        "{\"kind\": \"notification_request\", \"requester\": {\"agency\": \"ICE\"},"
        " \"received_at\": \"2025-01-01T01:00:00-08:00\", \"subject\": {\"booking_number\": "
        "\"1002\"}, \"documents\": [{\"name\": \"n.txt\", \"content_base64\": \"aGVsbG8=\"}]}",
        a);
    add(f, DETAINER("{\"booking_number\": \"1001\"}"), b);
    assert_string_equal(a, "R-2025-000001");
    assert_string_equal(b, "R-2025-000002");
    char *content = NULL;
    size_t len = 0;
    struct cust_err err = CUST_ERR_INIT;
    /* sha256("hello") */
    assert_int_equal(cust_store_document_get(
                         f->s, "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
                         &content, &len, &err),
                     CUST_OK);
    assert_int_equal(len, 5);
    assert_string_equal(content, "hello");
    free(content);
    json_t *j = show(f, a);
    json_t *docs = json_object_get(json_object_get(j, "request"), "documents");
    assert_null(json_object_get(json_array_get(docs, 0), "content_base64"));
    assert_string_equal(sget(json_array_get(docs, 0), "sha256"),
                        "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
    json_t *kept = json_array_get(json_object_get(j, "documents"), 0);
    assert_string_equal(sget(kept, "role"), "received");
    assert_string_equal(sget(kept, "name"), "n.txt");
    assert_int_equal(json_integer_value(json_object_get(kept, "size")), 5);
    json_decref(j);
    assert_int_equal(ledger_count(f, "request.add", "ok"), 2);
}

/* ---- matching and deadlines ---------------------------------------------------------------- */

static void test_strong_match_links_and_window(void **state)
{
    struct fx *f = *state;
    char id[CUST_REQUEST_ID_MAX];
    add(f, DETAINER("{\"fbi\": \"123456AB7\", \"last_name\": \"GARCIA\"}"), id);
    json_t *j = show(f, id);
    assert_string_equal(sget(j, "status"), "matched");
    json_t *l = json_array_get(json_object_get(j, "links"), 0);
    assert_string_equal(sget(l, "state"), "confirmed");
    assert_string_equal(sget(l, "confirmed_by"), "auto");
    assert_string_equal(sget(l, "booking_number"), "1001");
    /* release 2025-07-03 (Thu): Jul 4 holiday and the weekend do not count -> Tue 00:00 PDT */
    assert_string_equal(sget(j, "law_rule"), "detainer_48h_after_release");
    assert_string_equal(sget(j, "law_deadline"), "2025-07-08T07:00:00Z");
    json_decref(j);
}

static void test_conflicting_strong_ids_wait(void **state)
{
    struct fx *f = *state;
    char id[CUST_REQUEST_ID_MAX];
    /* booking 1001 is GARCIA's, CII C3333333 is SMITH's: no link without a person */
    add(f, DETAINER("{\"booking_number\": \"1001\", \"cii\": \"C3333333\"}"), id);
    json_t *j = show(f, id);
    assert_string_equal(sget(j, "status"), "received");
    size_t i;
    json_t *l;
    assert_true(json_array_size(json_object_get(j, "links")) >= 1);
    json_array_foreach(json_object_get(j, "links"), i, l)
        assert_string_equal(sget(l, "state"), "candidate");
    json_decref(j);
    assert_int_equal(ledger_count(f, "request.link", NULL), 0);
}

static void test_weak_match_waits_for_confirmation(void **state)
{
    struct fx *f = *state;
    char id[CUST_REQUEST_ID_MAX];
    add(f,
        DETAINER("{\"last_name\": \"GARSIA\", \"first_name\": \"JOSE\", \"dob\": \"1988-04-02\"}"),
        id);
    json_t *j = show(f, id);
    assert_string_equal(sget(j, "status"), "received");
    /* received Wed 10:00 PDT: 14 h Wed + 24 h Thu, Jul 4 and weekend skipped, 10 h Mon */
    assert_string_equal(sget(j, "law_rule"), "detainer_48h");
    assert_string_equal(sget(j, "law_deadline"), "2025-07-07T17:00:00Z");
    json_t *l = json_array_get(json_object_get(j, "links"), 0);
    assert_non_null(l);
    assert_string_equal(sget(l, "state"), "candidate");
    assert_true(json_array_size(json_object_get(l, "reasons")) > 0);
    int64_t pid = json_integer_value(json_object_get(l, "person_id"));
    json_decref(j);

    struct cust_err err = CUST_ERR_INIT;
    json_t *out = NULL;
    assert_int_equal(cust_desk_decide(&f->d, id, &out, &err), CUST_ECONFLICT);
    struct cust_desk_act a = {.action = "notify", .by = "sgt"};
    assert_int_equal(cust_desk_act(&f->d, id, &a, &out, &err), CUST_ECONFLICT);
    assert_int_equal(cust_desk_match(&f->d, id, &out, &err), CUST_OK);
    assert_true(json_array_size(out) >= 1);
    json_decref(out);
    assert_int_equal(cust_desk_confirm(&f->d, id, pid, "sgt", NULL, &err), CUST_OK);
    assert_int_equal(cust_desk_confirm(&f->d, id, pid, "sgt", NULL, &err), CUST_ECONFLICT);
    assert_int_equal(cust_desk_confirm(&f->d, id, 999, "sgt", NULL, &err), CUST_ENOTFOUND);
    j = show(f, id);
    assert_string_equal(sget(j, "status"), "matched");
    assert_string_equal(sget(json_array_get(json_object_get(j, "links"), 0), "confirmed_by"),
                        "sgt");
    json_decref(j);
    assert_int_equal(ledger_count(f, "request.confirm", "ok"), 1);
}

static void test_list_overdue_first(void **state)
{
    struct fx *f = *state;
    char a[CUST_REQUEST_ID_MAX], b[CUST_REQUEST_ID_MAX], c[CUST_REQUEST_ID_MAX];
    add(f,
        "{\"kind\": \"information_request\", \"requester\": {\"agency\": \"DOJ\"},"
        " \"received_at\": \"2025-07-17T09:00:00-07:00\", \"due\": \"2025-08-16\","
        " \"scope\": {\"population\": \"in_custody\", \"as_of\": \"2025-07-17\"},"
        " \"items\": [\"charges\"]}",
        a);
    add(f, DETAINER("{\"booking_number\": \"1003\"}"), b); /* no release date: 48 h from receipt */
    add(f,
        "{\"kind\": \"notification_request\", \"requester\": {\"agency\": \"ICE\"},"
        " \"received_at\": \"2025-07-10T09:00:00-07:00\", \"due\": \"2025-07-11\","
        " \"subject\": {\"booking_number\": \"1006\"}}",
        c);
    json_t *list = NULL;
    struct cust_err err = CUST_ERR_INIT;
    struct cust_request_filter flt = {
        .open_only = true, .overdue_at = CUST_NO_TIME, .now = cust_now()};
    assert_int_equal(cust_desk_list(&f->d, &flt, &list, &err), CUST_OK);
    assert_int_equal(json_array_size(list), 3);
    /* overdue (earliest deadline first), then the rest */
    assert_string_equal(sget(json_array_get(list, 0), "id"), b);
    assert_true(json_is_true(json_object_get(json_array_get(list, 0), "overdue")));
    assert_string_equal(sget(json_array_get(list, 1), "id"), c);
    assert_string_equal(sget(json_array_get(list, 2), "id"), a);
    assert_false(json_is_true(json_object_get(json_array_get(list, 2), "overdue")));
    assert_string_equal(sget(json_array_get(list, 2), "deadline"), "2025-08-17T06:59:59Z");
    json_decref(list);
    flt.overdue_at = cust_now();
    assert_int_equal(cust_desk_list(&f->d, &flt, &list, &err), CUST_OK);
    assert_int_equal(json_array_size(list), 2);
    json_decref(list);
    /* a lifted request is neither open nor overdue */
    assert_int_equal(cust_desk_set_status(&f->d, b, "lifted", "ICE lifted the detainer", &err),
                     CUST_OK);
    assert_int_equal(cust_desk_list(&f->d, &flt, &list, &err), CUST_OK);
    assert_int_equal(json_array_size(list), 1);
    json_decref(list);
}

/* ---- lifecycle ------------------------------------------------------------------------------ */

static void test_lifecycle_and_final_states(void **state)
{
    struct fx *f = *state;
    char id[CUST_REQUEST_ID_MAX];
    struct cust_err err = CUST_ERR_INIT;
    add(f, DETAINER("{\"booking_number\": \"1001\"}"), id);
    assert_int_equal(cust_desk_set_status(&f->d, id, "lifted", "", &err), CUST_EINVAL);
    assert_int_equal(cust_desk_set_status(&f->d, id, "decided", "x", &err), CUST_EINVAL);
    assert_int_equal(cust_desk_set_status(&f->d, id, "lifted", "lifted by ICE", &err), CUST_OK);
    assert_int_equal(cust_desk_set_status(&f->d, id, "lifted", "again", &err), CUST_ECONFLICT);
    assert_int_equal(cust_desk_set_status(&f->d, id, "closed", "x", &err), CUST_ECONFLICT);
    json_t *out = NULL;
    assert_int_equal(cust_desk_decide(&f->d, id, &out, &err), CUST_ECONFLICT);
    assert_int_equal(cust_desk_set_status(&f->d, "R-2025-999999", "withdrawn", "x", &err),
                     CUST_ENOTFOUND);
    json_t *j = show(f, id);
    assert_string_equal(sget(j, "status"), "lifted");
    assert_string_equal(sget(j, "status_reason"), "lifted by ICE");
    json_decref(j);
    /* received -> matched -> lifted: two transitions in the ledger */
    assert_int_equal(ledger_count(f, "request.status", "ok"), 2);

    char w[CUST_REQUEST_ID_MAX];
    add(f, DETAINER("{\"booking_number\": \"1002\"}"), w);
    assert_int_equal(cust_desk_decide(&f->d, w, &out, &err), CUST_OK);
    json_decref(out);
    assert_int_equal(cust_desk_set_status(&f->d, w, "withdrawn", "sent in error", &err), CUST_OK);
    ledger_ok(f);
}

/* ---- decisions, actions, refusals -------------------------------------------------------------
 */

static void test_detainer_decide_act_refuse(void **state)
{
    struct fx *f = *state;
    char id[CUST_REQUEST_ID_MAX];
    struct cust_err err = CUST_ERR_INIT;
    add(f, DETAINER("{\"booking_number\": \"1001\"}"), id);
    json_t *out = NULL;
    struct cust_desk_act a = {.action = "notify", .by = "sgt"};
    assert_int_equal(cust_desk_act(&f->d, id, &a, &out, &err), CUST_ECONFLICT); /* not decided */
    assert_int_equal(cust_desk_decide(&f->d, id, &out, &err), CUST_OK);
    json_t *dec = json_object_get(json_array_get(out, 0), "decision");
    assert_string_equal(sget(json_object_get(dec, "policy"), "id"), "us-ca");
    json_decref(out);
    json_t *j = show(f, id);
    assert_string_equal(sget(j, "status"), "decided");
    json_t *stored = json_array_get(json_object_get(j, "decisions"), 0);
    assert_string_equal(sget(json_object_get(stored, "policy"), "id"), "us-ca");
    assert_int_equal(strlen(sget(json_object_get(stored, "policy"), "sha256")), 64);
    assert_non_null(json_object_get(json_object_get(stored, "decision"), "actions"));
    /* the serve-copy duty exists with a deadline and a generated notice */
    bool serve = false, notice = false;
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(j, "duties"), i, x)
    {
        if (strcmp(sget(x, "duty"), "serve_copy_to_subject") == 0) {
            serve = true;
            /* decided Fri 2025-07-18: one business day -> end of Mon 07-21 PDT */
            assert_string_equal(sget(x, "due"), "2025-07-22T06:59:59Z");
            assert_non_null(sget(x, "document"));
        }
        notice |= strcmp(sget(x, "duty"), "notice_to_subject_and_attorney") == 0;
    }
    assert_true(serve);
    assert_false(notice); /* only once a release date is given */
    /* the copy served on the person, in Spanish: the request's asks and the answer in Spanish */
    int64_t serve_id = duty_of(f, id, "serve_copy_to_subject", NULL);
    struct cust_buf es;
    cust_buf_init(&es, 0);
    assert_int_equal(cust_desk_notice(&f->d, serve_id, "es", &es, &err), CUST_OK);
    assert_non_null(strstr(es.buf, "informarles la fecha y hora de su liberación (permitido"));
    assert_non_null(strstr(es.buf, "no le mantendrá bajo custodia")); /* not "lo": any gender */
    assert_null(strstr(es.buf, "notify"));
    cust_buf_release(&es);
    json_decref(j);

    /* hold is prohibited in California: refused, recorded */
    a.action = "hold";
    assert_int_equal(cust_desk_act(&f->d, id, &a, &out, &err), CUST_EDENIED);
    assert_int_equal(ledger_count(f, "request.act", "refused"), 1);
    /* not asked */
    a.action = "transfer";
    assert_int_equal(cust_desk_act(&f->d, id, &a, &out, &err), CUST_EDENIED);
    a.action = "teleport";
    assert_int_equal(cust_desk_act(&f->d, id, &a, &out, &err), CUST_EINVAL);
    /* declining a permitted notify needs a reason */
    a.action = "notify";
    a.decline = true;
    assert_int_equal(cust_desk_act(&f->d, id, &a, &out, &err), CUST_EINVAL);
    a.reason = "county policy: no notification";
    assert_int_equal(cust_desk_act(&f->d, id, &a, &out, &err), CUST_OK);
    assert_string_equal(sget(json_array_get(out, 0), "outcome"), "declined");
    json_decref(out);
    /* notify done: notice to person and attorney becomes a duty */
    a.decline = false;
    a.reason = NULL;
    assert_int_equal(cust_desk_act(&f->d, id, &a, &out, &err), CUST_OK);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(out, 0), "duties_created")),
                     1);
    json_decref(out);
    j = show(f, id);
    assert_string_equal(sget(j, "status"), "acted");
    assert_int_equal(json_array_size(json_object_get(j, "actions")), 2);
    notice = false;
    json_array_foreach(json_object_get(j, "duties"), i, x) notice |=
        strcmp(sget(x, "duty"), "notice_to_subject_and_attorney") == 0;
    assert_true(notice);
    json_decref(j);
    ledger_ok(f);
}

static void test_notify_prohibited_without_record(void **state)
{
    struct fx *f = *state;
    char id[CUST_REQUEST_ID_MAX];
    struct cust_err err = CUST_ERR_INIT;
    add(f,
        "{\"kind\": \"notification_request\", \"requester\": {\"agency\": \"ICE\"},"
        " \"received_at\": \"2025-07-10T09:00:00-07:00\","
        " \"subject\": {\"booking_number\": \"1002\"}}",
        id);
    decide_ok(f, id);
    json_t *out = NULL;
    struct cust_desk_act a = {.action = "notify", .by = "sgt"};
    assert_int_equal(cust_desk_act(&f->d, id, &a, &out, &err), CUST_EDENIED);
    /* declining a prohibited action needs no reason */
    a.decline = true;
    assert_int_equal(cust_desk_act(&f->d, id, &a, &out, &err), CUST_OK);
    json_decref(out);
}

static void test_citizen_flagged_for_review(void **state)
{
    struct fx *f = *state;
    struct cust_err err = CUST_ERR_INIT;
    const char *subjects[] = {"{\"cii\": \"C3333333\"}", "{\"sid\": \"S4444\"}"};
    const char *reasons[] = {"recorded as a verified citizen", "claims citizenship"};
    for (int k = 0; k < 2; k++) {
        char text[512], id[CUST_REQUEST_ID_MAX];
        snprintf(text, sizeof(text),
                 "{\"kind\": \"notification_request\", \"requester\": {\"agency\": \"ICE\"},"
                 " \"received_at\": \"2025-07-10T09:00:00-07:00\", \"subject\": %s}",
                 subjects[k]);
        add(f, text, id);
        json_t *j = show(f, id);
        json_t *l = json_array_get(json_object_get(j, "links"), 0);
        assert_true(json_is_true(json_object_get(l, "review")));
        assert_string_equal(sget(l, "review_reason"), reasons[k]);
        int64_t pid = json_integer_value(json_object_get(l, "person_id"));
        json_decref(j);
        decide_ok(f, id);
        json_t *out = NULL;
        struct cust_desk_act a = {.action = "notify", .by = "sgt", .decline = true, .reason = "x"};
        assert_int_equal(cust_desk_act(&f->d, id, &a, &out, &err), CUST_EDENIED);
        assert_int_equal(cust_desk_review(&f->d, id, pid, "lt", "", &err), CUST_EINVAL);
        assert_int_equal(cust_desk_review(&f->d, id, pid, "lt", "checked: documents", &err),
                         CUST_OK);
        assert_int_equal(cust_desk_review(&f->d, id, pid, "lt", "again", &err), CUST_ECONFLICT);
        assert_int_equal(cust_desk_act(&f->d, id, &a, &out, &err), CUST_OK);
        json_decref(out);
    }
    assert_int_equal(ledger_count(f, "request.act", "refused"), 2);
}

static void test_interview_needs_consent(void **state)
{
    struct fx *f = *state;
    char id[CUST_REQUEST_ID_MAX];
    struct cust_err err = CUST_ERR_INIT;
    add(f,
        "{\"kind\": \"interview_request\", \"requester\": {\"agency\": \"ICE\"},"
        " \"received_at\": \"2025-07-10T09:00:00-07:00\", \"note\": \"status interview\","
        " \"subject\": {\"booking_number\": \"1002\"}}",
        id);
    decide_ok(f, id);
    json_t *out = NULL;
    struct cust_desk_act a = {.action = "interview", .by = "sgt"};
    assert_int_equal(cust_desk_act(&f->d, id, &a, &out, &err), CUST_EDENIED);
    json_t *duties = NULL;
    struct cust_duty_filter flt = {.request_id = id, .open_only = true};
    assert_int_equal(cust_desk_duties(&f->d, &flt, &duties, &err), CUST_OK);
    int64_t consent = 0;
    size_t i;
    json_t *x;
    json_array_foreach(duties, i, x) if (strcmp(sget(x, "duty"), "consent_form_before_interview") ==
                                         0) consent = json_integer_value(json_object_get(x, "id"));
    json_decref(duties);
    assert_true(consent > 0);
    /* the consent form renders in the six TRUTH Act languages; each translation not yet signed
     * off by a qualified translator starts with the mark saying so, English does not; a
     * language not listed is refused */
    struct cust_buf b;
    cust_buf_init(&b, 8192);
    static const char *const six[] = {"es", "zh", "tl", "vi", "ko"};
    for (size_t k = 0; k < CUST_ARRAY_LEN(six); k++) {
        cust_buf_reset(&b);
        if (cust_desk_notice(&f->d, consent, six[k], &b, &err) != CUST_OK)
            fail_msg("%s: %s", six[k], err.msg);
        assert_int_equal(cust_buf_putc(&b, '\0'), CUST_OK);
        assert_non_null(strstr(b.buf, "LOPEZ") ? b.buf : NULL);
        assert_int_equal(strncmp(b.buf, CUST_DESK_REVIEW_MARK, strlen(CUST_DESK_REVIEW_MARK)), 0);
        bool reviewed = true;
        assert_int_equal(cust_desk_language_reviewed(&f->d, six[k], &reviewed, &err), CUST_OK);
        assert_false(reviewed);
    }
    cust_buf_reset(&b);
    assert_int_equal(cust_desk_notice(&f->d, consent, "en", &b, &err), CUST_OK);
    assert_int_equal(cust_buf_putc(&b, '\0'), CUST_OK);
    assert_non_null(strstr(b.buf, "status interview"));
    assert_null(strstr(b.buf, "DRAFT TRANSLATION"));
    assert_int_equal(cust_desk_notice(&f->d, consent, "fr", &b, &err), CUST_ENOTFOUND);
    assert_int_equal(cust_desk_notice(&f->d, consent, "../x", &b, &err), CUST_EINVAL);
    cust_buf_release(&b);
    assert_int_equal(cust_desk_duty_done(&f->d, consent, "deputy", &err), CUST_OK);
    assert_int_equal(cust_desk_duty_done(&f->d, consent, "deputy", &err), CUST_ECONFLICT);
    assert_int_equal(cust_desk_duty_done(&f->d, 9999, "deputy", &err), CUST_ENOTFOUND);
    assert_int_equal(cust_desk_act(&f->d, id, &a, &out, &err), CUST_OK);
    json_decref(out);
}

static void test_transfers(void **state)
{
    struct fx *f = *state;
    struct cust_err err = CUST_ERR_INIT;
    char jw[CUST_REQUEST_ID_MAX], tr[CUST_REQUEST_ID_MAX];
    add(f,
        "{\"kind\": \"judicial_warrant\", \"requester\": {\"agency\": \"USMS\"},"
        " \"received_at\": \"2025-07-10T09:00:00-07:00\","
        " \"subject\": {\"booking_number\": \"1002\"}}",
        jw);
    json_t *out = NULL;
    assert_int_equal(cust_desk_decide(&f->d, jw, &out, &err), CUST_OK);
    json_decref(out);
    struct cust_desk_act a = {.action = "transfer", .by = "sgt"};
    assert_int_equal(cust_desk_act(&f->d, jw, &a, &out, &err), CUST_EINVAL); /* no agency */
    a.agency = "U.S. Marshals Service";
    assert_int_equal(cust_desk_act(&f->d, jw, &a, &out, &err), CUST_EINVAL); /* no warrant */
    a.warrant_number = "2:25-mj-01234";
    a.at = "not a time";
    assert_int_equal(cust_desk_act(&f->d, jw, &a, &out, &err), CUST_EINVAL);
    a.at = "2025-07-18T08:00:00-07:00";
    assert_int_equal(cust_desk_act(&f->d, jw, &a, &out, &err), CUST_OK);
    json_decref(out);
    /* a transfer request: permitted with a 7282.5(a) record, and needs the offense */
    add(f,
        "{\"kind\": \"transfer_request\", \"requester\": {\"agency\": \"ICE\"},"
        " \"received_at\": \"2025-07-10T09:00:00-07:00\","
        " \"subject\": {\"booking_number\": \"1006\"}}",
        tr);
    assert_int_equal(cust_desk_decide(&f->d, tr, &out, &err), CUST_OK);
    json_decref(out);
    struct cust_desk_act b = {.action = "transfer", .by = "sgt", .agency = "ICE ERO"};
    assert_int_equal(cust_desk_act(&f->d, tr, &b, &out, &err), CUST_EINVAL);
    b.offense = "PC 187(a)";
    assert_int_equal(cust_desk_act(&f->d, tr, &b, &out, &err), CUST_OK);
    json_decref(out);
    assert_int_equal(cust_desk_transfers(&f->d, &out, &err), CUST_OK);
    assert_int_equal(json_array_size(out), 2);
    json_t *t1 = json_array_get(out, 0), *t0 = json_array_get(out, 1);
    assert_string_equal(sget(t1, "basis"), "judicial_warrant");
    assert_string_equal(sget(t1, "warrant_number"), "2:25-mj-01234");
    assert_string_equal(sget(t0, "basis"), "7282.5");
    assert_string_equal(sget(t0, "offense"), "PC 187(a)");
    assert_non_null(sget(t0, "criterion"));
    json_decref(out);
    /* a transfer request for a person without a qualifying record is refused */
    char no[CUST_REQUEST_ID_MAX];
    add(f,
        "{\"kind\": \"transfer_request\", \"requester\": {\"agency\": \"ICE\"},"
        " \"received_at\": \"2025-07-10T09:00:00-07:00\","
        " \"subject\": {\"booking_number\": \"1002\"}}",
        no);
    assert_int_equal(cust_desk_decide(&f->d, no, &out, &err), CUST_OK);
    json_decref(out);
    assert_int_equal(cust_desk_act(&f->d, no, &b, &out, &err), CUST_EDENIED);
    assert_int_equal(ledger_count(f, "transfer", "ok"), 2);
}

/* ---- data requests -------------------------------------------------------------------------- */

#define DOJ                                                                                        \
    "\"requester\": {\"agency\": \"U.S. Department of Justice\"},"                                 \
    " \"received_at\": \"2025-07-17T09:00:00-07:00\", \"due\": \"2025-08-16\","                    \
    " \"scope\": {\"population\": \"in_custody\", \"citizenship\": \"non_citizen\","               \
    " \"as_of\": \"2025-07-17\"}"

static void test_fulfil_doj_letter(void **state)
{
    struct fx *f = *state;
    char id[CUST_REQUEST_ID_MAX];
    struct cust_err err = CUST_ERR_INIT;
    add(f,
        "{\"kind\": \"information_request\", " DOJ ", \"items\": [\"booking_facts\", \"charges\","
        " \"convictions\", \"release_date\", \"home_address\"]}",
        id);
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    struct cust_desk_fulfil_stats st;
    assert_int_equal(cust_desk_fulfill(&f->d, id, CUST_DESK_JSON, false, mem, &st, &err), CUST_OK);
    fclose(mem);
    json_t *resp = json_loads(buf, 0, NULL);
    free(buf);
    assert_non_null(resp);
    json_t *rows = json_object_get(resp, "rows");
    /* non-citizens in custody on 2025-07-17: 1001, 1002, 1006 (1005 was released) */
    assert_int_equal(json_array_size(rows), 3);
    assert_int_equal(st.rows, 3);
    assert_int_equal(st.given, 3);
    json_t *r1 = json_array_get(rows, 0), *r2 = json_array_get(rows, 1);
    assert_string_equal(sget(r1, "booking_number"), "1001");
    assert_string_equal(sget(r1, "release_date"), "2025-07-03"); /* 7282.5(a) record */
    assert_null(json_object_get(r1, "home_address"));
    assert_non_null(strstr(sget(json_object_get(r1, "withheld"), "home_address"), "7284.6"));
    assert_string_equal(sget(r2, "booking_number"), "1002");
    assert_null(json_object_get(r2, "release_date")); /* no qualifying record: withheld */
    assert_non_null(strstr(sget(json_object_get(r2, "withheld"), "release_date"), "7284.6"));
    assert_non_null(json_object_get(r2, "charges"));
    json_decref(resp);
    /* each row a disclosure row, all three under one ledger entry; one notice duty per
     * release date given (1001 and 1006), both under one duty.create entry naming them */
    assert_int_equal(disclosure_count(f, id), 3);
    assert_int_equal(ledger_count(f, "disclosure", "ok"), 1);
    assert_int_equal(ledger_count(f, "duty.create", "ok"), 1);
    assert_int_equal(st.duties, 2);
    json_t *j = show(f, id);
    assert_string_equal(sget(j, "status"), "fulfilled");
    assert_int_equal(json_array_size(json_object_get(j, "duties")), 2);
    /* the response is kept; the notices are rendered when a duty is worked, not now */
    assert_int_equal(doc_count(j, "response"), 1);
    assert_int_equal(doc_count(j, "notice"), 0);
    json_t *duties = json_object_get(j, "duties");
    int64_t d1 = json_integer_value(json_object_get(json_array_get(duties, 0), "id"));
    int64_t d2 = json_integer_value(json_object_get(json_array_get(duties, 1), "id"));
    json_decref(j);
    /* viewed: rendered and kept */
    struct cust_buf nb;
    cust_buf_init(&nb, 0);
    assert_int_equal(cust_desk_notice(&f->d, d1, NULL, &nb, &err), CUST_OK);
    assert_int_equal(cust_buf_putc(&nb, '\0'), CUST_OK);
    /* everything given, in words, each with the rule and citation it was given under */
    if (!strstr(nb.buf, "- release date: July ") || !strstr(nb.buf, "  Basis: "))
        fail_msg("the notice lists what was given: %s", nb.buf);
    cust_buf_release(&nb);
    j = show(f, id);
    assert_int_equal(doc_count(j, "notice"), 1);
    json_decref(j);
    /* worked without being viewed: rendered when done */
    assert_int_equal(cust_desk_duty_done(&f->d, d2, "deputy", &err), CUST_OK);
    j = show(f, id);
    assert_int_equal(doc_count(j, "notice"), 2);
    json_decref(j);
    struct cust_desk_verify_report vr;
    assert_int_equal(cust_desk_verify_disclosures(f->s, &vr, &err), CUST_OK);
    assert_int_equal(vr.rows, 3);
    assert_int_equal(vr.batches, 1);
    /* fulfilled once only */
    assert_int_equal(cust_desk_fulfill(&f->d, id, CUST_DESK_JSON, false, NULL, &st, &err),
                     CUST_ECONFLICT);
    ledger_ok(f);
    /* each notice duty is still a row the ledger commits to: one changed, then one deleted,
     * is named by verify */
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
    char sql[256];
    snprintf(sql, sizeof(sql), "UPDATE duties SET due_ts = due_ts + 86400 WHERE id = %lld",
             (long long)d1);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    struct cust_ledger_rows_report rr;
    assert_int_equal(cust_ledger_verify_rows(f->s, 4, &rr, &err), CUST_EINTEGRITY);
    char want[64];
    snprintf(want, sizeof(want), "duties id %lld", (long long)d1);
    if (!strstr(err.msg, want) || !strstr(err.msg, "content does not match"))
        fail_msg("a changed notice duty: %s", err.msg);
    cust_ledger_rows_report_release(&rr);
    snprintf(sql, sizeof(sql),
             "UPDATE duties SET due_ts = due_ts - 86400 WHERE id = %lld;"
             " DELETE FROM duties WHERE id = %lld",
             (long long)d1, (long long)d2);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(cust_ledger_verify_rows(f->s, 4, &rr, &err), CUST_EINTEGRITY);
    snprintf(want, sizeof(want), "duties id %lld: deleted", (long long)d2);
    if (!strstr(err.msg, want))
        fail_msg("a deleted notice duty: %s", err.msg);
    cust_ledger_rows_report_release(&rr);
}

/* A notice duty made at fulfilment names the person's attorney of record as the booking gives
 * them (custody JSON "attorney"), as a notice made from a person's own decision does. */
static void test_fulfil_notice_names_attorney(void **state)
{
    struct fx *f = *state;
    char path[160];
    snprintf(path, sizeof(path), "%s/attorney.jsonl", f->dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("{\"booking_number\": \"3006\", \"booked_at\": \"2025-06-14T10:00:00-07:00\","
          " \"facility\": \"Main Jail\", \"person\": {\"person_id\": \"P36\", \"last_name\":"
          " \"BIANCHI\", \"first_name\": \"SARA\", \"dob\": \"1981-08-08\", \"citizenship\":"
          " {\"status\": \"non_citizen\", \"country\": \"IT\", \"source\": \"document\","
          " \"verified\": true, \"recorded_at\": \"2025-06-14\"}}, \"attorney\": {\"name\":"
          " \"ANA RUIZ\", \"phone\": \"555-0100\", \"address\": \"1 Court St\"}, \"charges\":"
          " [{\"code\": \"PC 459\", \"level\": \"felony\", \"status\": \"pending\"}],"
          " \"prior_convictions\": [{\"code\": \"PC 187(a)\", \"level\": \"felony\", \"date\":"
          " \"2005-01-01\", \"jurisdiction\": \"CA\"}], \"scheduled_release\": \"2025-10-01\","
          " \"release_date_public\": false}\n",
          fp);
    assert_int_equal(fclose(fp), 0);
    struct cust_err err = CUST_ERR_INIT;
    struct cust_import_opts io = {.path = path, .actor = "loader"};
    struct cust_import_stats ist;
    assert_int_equal(cust_import_file(f->s, &io, &ist, &err), CUST_OK);
    char id[CUST_REQUEST_ID_MAX];
    add(f, "{\"kind\": \"information_request\", " DOJ ", \"items\": [\"release_date\"]}", id);
    struct cust_desk_fulfil_stats st;
    assert_int_equal(cust_desk_fulfill(&f->d, id, CUST_DESK_JSON, false, NULL, &st, &err), CUST_OK);
    assert_int_equal(st.duties, 3); /* 1001, 1006 and 3006 */
    json_t *j = show(f, id);
    json_t *duties = json_object_get(j, "duties");
    int named = 0, unnamed = 0;
    for (size_t i = 0; i < json_array_size(duties); i++) {
        json_t *x = json_array_get(duties, i);
        struct cust_buf nb;
        cust_buf_init(&nb, 0);
        assert_int_equal(
            cust_desk_notice(&f->d, json_integer_value(json_object_get(x, "id")), NULL, &nb, &err),
            CUST_OK);
        assert_int_equal(cust_buf_putc(&nb, '\0'), CUST_OK);
        bool ruiz = strstr(nb.buf, "ANA RUIZ, 555-0100, 1 Court St") != NULL;
        if (strcmp(sget(x, "booking_number"), "3006") == 0)
            named += ruiz && strstr(nb.buf, "SARA BIANCHI") != NULL;
        else
            unnamed += !ruiz;
        cust_buf_release(&nb);
    }
    assert_int_equal(named, 1);
    assert_int_equal(unnamed, 2);
    json_decref(j);
}

/* Append to `g` every notice of request `id`'s duties as `cust_desk_notice` renders it in each
 * language of `langs`, and the duty list as the console reads it (cust_desk_duties). */
/* `got` against tests/data/desk/NAME, byte for byte; with CUST_WRITE_GOLDEN=1 it is written
 * there instead. A difference names its first byte and shows what is around it. */
static void golden_check(const char *name, const struct cust_buf *got)
{
    char golden[512];
    snprintf(golden, sizeof(golden), "%s/tests/data/desk/%s", src_dir(), name);
    const char *w = getenv("CUST_WRITE_GOLDEN");
    if (w && strcmp(w, "1") == 0) {
        FILE *o = fopen(golden, "wb");
        assert_non_null(o);
        assert_int_equal(fwrite(got->buf, 1, got->len, o), got->len);
        assert_int_equal(fclose(o), 0);
        return;
    }
    FILE *in = fopen(golden, "rb");
    assert_non_null(in);
    struct cust_buf want = CUST_BUF_INIT;
    assert_int_equal(cust_buf_read(&want, in), CUST_OK);
    fclose(in);
    if (want.len != got->len || memcmp(want.buf, got->buf, got->len) != 0) {
        size_t at = 0;
        while (at < want.len && at < got->len && want.buf[at] == got->buf[at])
            at++;
        size_t from = at > 200 ? at - 200 : 0;
        fail_msg("%s differs at byte %zu (of %zu, now %zu):\n--- want\n%.*s\n--- got\n%.*s", golden,
                 at, want.len, got->len, (int)((want.len - from) < 400 ? want.len - from : 400),
                 want.buf + from, (int)((got->len - from) < 400 ? got->len - from : 400),
                 got->buf + from);
    }
    cust_buf_release(&want);
}

static void golden_notices(struct fx *f, const char *id, const char *const *langs, size_t nlangs,
                           struct cust_buf *g)
{
    struct cust_err err = CUST_ERR_INIT;
    json_t *duties = NULL;
    struct cust_duty_filter flt = {.request_id = id, .open_only = false};
    assert_int_equal(cust_desk_duties(&f->d, &flt, &duties, &err), CUST_OK);
    char *list = json_dumps(duties, JSON_INDENT(1) | JSON_SORT_KEYS);
    assert_int_equal(cust_buf_appendf(g, "==== duties of %s\n%s\n", id, list), CUST_OK);
    free(list);
    size_t i;
    json_t *x;
    json_array_foreach(duties, i, x)
    {
        if (!json_is_true(json_object_get(x, "notice")))
            continue;
        for (size_t k = 0; k < nlangs; k++) {
            struct cust_buf nb;
            cust_buf_init(&nb, 0);
            int64_t duty = json_integer_value(json_object_get(x, "id"));
            assert_int_equal(cust_desk_notice(&f->d, duty, langs[k], &nb, &err), CUST_OK);
            assert_int_equal(cust_buf_appendf(g, "==== notice of duty %lld (%s, booking %s), %s\n",
                                              (long long)duty, sget(x, "duty"),
                                              sget(x, "booking_number"), langs[k]),
                             CUST_OK);
            assert_int_equal(cust_buf_append(g, nb.buf, nb.len), CUST_OK);
            cust_buf_release(&nb);
        }
    }
    json_decref(duties);
}

/* The notices rendered from duties, and the duty list, are the bytes kept in
 * tests/data/desk/notices.golden, written by the code of main 827da0f (before a fulfilment's
 * duties kept their decision's notice values once): a fulfilment's notice duties in every
 * language (one person with an attorney of record; an information request and a court order)
 * and a detainer's duties. CUST_WRITE_GOLDEN=1 writes the file instead of comparing: only
 * when a template, the terms or the law change the notices on purpose (then review its diff). */
static void test_notices_as_golden(void **state)
{
    struct fx *f = *state;
    struct cust_err err = CUST_ERR_INIT;
    char path[512];
    snprintf(path, sizeof(path), "%s/attorney.jsonl", f->dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("{\"booking_number\": \"3006\", \"booked_at\": \"2025-06-14T10:00:00-07:00\","
          " \"facility\": \"Main Jail\", \"arresting_agency\": \"SO\", \"person\": {\"person_id\":"
          " \"P36\", \"last_name\": \"BIANCHI\", \"first_name\": \"SARA\", \"dob\": \"1981-08-08\","
          " \"citizenship\": {\"status\": \"non_citizen\", \"country\": \"IT\", \"source\":"
          " \"document\", \"verified\": true, \"recorded_at\": \"2025-06-14\"}}, \"attorney\":"
          " {\"name\": \"ANA RUIZ\", \"phone\": \"555-0100\", \"address\": \"1 Court St\"},"
          " \"charges\": [{\"code\": \"PC 459\", \"description\": \"BURGLARY \\\"FIRST\\\"\","
          " \"level\": \"felony\", \"status\": \"pending\", \"bail_cents\": 5000000}],"
          " \"prior_convictions\": [{\"code\": \"PC 187(a)\", \"level\": \"felony\", \"date\":"
          " \"2005-01-01\", \"jurisdiction\": \"CA\"}], \"scheduled_release\": \"2025-10-01\","
          " \"release_date_public\": false}\n",
          fp);
    assert_int_equal(fclose(fp), 0);
    struct cust_import_opts io = {.path = path, .actor = "loader"};
    struct cust_import_stats ist;
    assert_int_equal(cust_import_file(f->s, &io, &ist, &err), CUST_OK);
    static const char *const six[] = {"en", "es", "zh", "tl", "vi", "ko"};
    struct cust_buf g;
    cust_buf_init(&g, 0);
    char id[CUST_REQUEST_ID_MAX];
    struct cust_desk_fulfil_stats st;
    add(f,
        "{\"kind\": \"information_request\", " DOJ ", \"items\": [\"booking_facts\", \"charges\","
        " \"convictions\", \"release_date\", \"home_address\"]}",
        id);
    assert_int_equal(cust_desk_fulfill(&f->d, id, CUST_DESK_JSON, false, NULL, &st, &err), CUST_OK);
    assert_int_equal(st.duties, 3);
    golden_notices(f, id, six, CUST_ARRAY_LEN(six), &g);
    add(f,
        "{\"kind\": \"court_order\", " DOJ ", \"items\": [\"release_date\", \"home_address\","
        " \"charges\"]}",
        id);
    assert_int_equal(cust_desk_fulfill(&f->d, id, CUST_DESK_JSON, false, NULL, &st, &err), CUST_OK);
    /* worked without being viewed: the notice rendered when done (read back below) */
    int64_t done2 = duty_of(f, id, "notice_to_subject_and_attorney", NULL);
    assert_int_equal(cust_desk_duty_done(&f->d, done2, "deputy", &err), CUST_OK);
    golden_notices(f, id, six, 2, &g);
    /* a detainer: its serve-copy duty, and the notice once notify is done */
    add(f, DETAINER("{\"booking_number\": \"1001\"}"), id);
    json_t *out = NULL;
    assert_int_equal(cust_desk_decide(&f->d, id, &out, &err), CUST_OK);
    json_decref(out);
    struct cust_desk_act a = {.action = "notify", .by = "sgt"};
    assert_int_equal(cust_desk_act(&f->d, id, &a, &out, &err), CUST_OK);
    json_decref(out);
    golden_notices(f, id, six, 2, &g);
    /* the duty done above kept the notice it rendered */
    json_t *row = NULL;
    json_t *duties = NULL;
    struct cust_duty_filter flt = {.request_id = NULL, .open_only = false};
    assert_int_equal(cust_desk_duties(&f->d, &flt, &duties, &err), CUST_OK);
    size_t i;
    json_t *x;
    json_array_foreach(duties, i, x) if (json_integer_value(json_object_get(x, "id")) == done2)
        row = x;
    assert_non_null(row);
    /* a California county's deadlines cite no other state's law (the serve-copy deadline named
     * Cal. Gov. Code § 7283.1(b) and Tex. Code Crim. Proc. art. 2.251(a)(2) together) */
    json_array_foreach(duties, i, x)
    {
        const char *dc = json_string_value(json_object_get(x, "due_cite"));
        if (dc && strstr(dc, "Tex."))
            fail_msg("duty %s: its deadline cites %s", sget(x, "duty"), dc);
    }
    char *doc = NULL;
    size_t dlen = 0;
    assert_int_equal(cust_store_document_get(f->s, sget(row, "document"), &doc, &dlen, &err),
                     CUST_OK);
    assert_int_equal(
        cust_buf_appendf(&g, "==== notice kept when duty %lld was done\n", (long long)done2),
        CUST_OK);
    assert_int_equal(cust_buf_append(&g, doc, dlen), CUST_OK);
    free(doc);
    json_decref(duties);
    golden_check("notices.golden", &g);
    cust_buf_release(&g);
}

/* The case key of a whole record (desk_whole_key: what the fulfilment's decisions are looked up
 * by) is the bytes kept in tests/data/desk/case-keys.golden, written by main 827da0f (keys
 * formatted with printf): every booking of a generated county alone, by exact date and by the
 * shape of its dates among the us-ca policy's cuts. CUST_WRITE_GOLDEN=1 writes the file. */
static void test_case_keys_as_golden(void **state)
{
    struct fx *f = *state;
    char path[512];
    snprintf(path, sizeof(path), "%s/keys.jsonl", f->dir);
    struct cust_gen_opts go = CUST_GEN_OPTS_INIT;
    go.seed = 11;
    go.bookings = 300;
    assert_true(cust_date_parse("2025-07-31", &go.end_day));
    struct cust_err err = CUST_ERR_INIT;
    struct cust_gen *g = NULL;
    FILE *out = fopen(path, "w");
    assert_non_null(out);
    assert_int_equal(cust_gen_new(&go, &g, &err), CUST_OK);
    assert_int_equal(cust_gen_write(g, out, &err), CUST_OK);
    cust_gen_free(g);
    assert_int_equal(fclose(out), 0);
    int32_t as_of;
    assert_true(cust_date_parse("2025-07-17", &as_of));
    const struct cust_policy *pol = NULL;
    assert_int_equal(cust_policy_resolve(f->env->policies, "us-ca", &pol, &err), CUST_OK);
    size_t ncuts = 0;
    int32_t *cuts = cust_policy_date_cuts(pol, as_of, &ncuts);
    assert_true(ncuts > 0);
    struct cust_buf keys = CUST_BUF_INIT, key = CUST_BUF_INIT;
    FILE *in = fopen(path, "r");
    assert_non_null(in);
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int undated = 0;
    while ((n = getline(&line, &cap, in)) > 0) {
        struct cust_record rec;
        struct cust_diag diag = CUST_DIAG_INIT;
        if (cust_record_parse(line, (size_t)n - (line[n - 1] == '\n'), &rec, &diag) != CUST_OK) {
            cust_diag_release(&diag);
            continue;
        }
        struct desk_whole w;
        desk_whole_init(&w);
        desk_whole_add(&w, &rec.b, as_of);
        for (int k = 0; k < 2; k++) {
            cust_buf_reset(&key);
            desk_whole_key(&w, &rec.b, k ? cuts : NULL, k ? ncuts : 0, &key);
            assert_int_equal(cust_buf_appendf(&keys, "%s %d ", rec.b.booking_number, k), CUST_OK);
            assert_int_equal(cust_buf_append(&keys, key.buf, key.len), CUST_OK);
            assert_int_equal(cust_buf_putc(&keys, '\n'), CUST_OK);
        }
        for (size_t i = 0; i < w.n; i++)
            undated += w.facts[i].day == CUST_NO_DAY;
        desk_whole_release(&w);
        cust_record_release(&rec);
    }
    free(line);
    fclose(in);
    free(cuts);
    cust_buf_release(&key);
    assert_true(keys.len > 10000);
    golden_check("case-keys.golden", &keys);
    assert_true(undated > 0); /* the undated conviction (INT64_MIN) is in the keys */
    cust_buf_release(&keys);
}

static void test_fulfil_csv(void **state)
{
    struct fx *f = *state;
    char id[CUST_REQUEST_ID_MAX];
    struct cust_err err = CUST_ERR_INIT;
    add(f, "{\"kind\": \"information_request\", " DOJ ", \"items\": [\"release_date\"]}", id);
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    struct cust_desk_fulfil_stats st;
    assert_int_equal(cust_desk_fulfill(&f->d, id, CUST_DESK_CSV, false, mem, &st, &err), CUST_OK);
    fclose(mem);
    /* one column per item and one with why it was withheld; plain values */
    assert_non_null(strstr(
        buf, "booking_number,last_name,first_name,dob,release_date,release_date_withheld\r\n"));
    assert_non_null(strstr(buf, "1001,GARCIA,JOSE,1988-04-02,2025-07-03,\r\n"));
    /* withheld: the value says so, the next column gives the rule and the citation */
    const char *w = strstr(buf, "1002,LOPEZ,MARIA,1990-01-15,withheld,\"ca.");
    assert_non_null(w);
    assert_non_null(strstr(w, ", Cal. Gov. Code § 7284.6"));
    assert_null(strstr(buf, "{")); /* no JSON in a cell */
    free(buf);
    /* 1002 had nothing given: not a disclosure */
    assert_int_equal(st.given, 2);
    assert_int_equal(disclosure_count(f, id), 2);
    assert_int_equal(ledger_count(f, "disclosure", "ok"), 1);
    /* the summary kept with the answer: persons, the item given and withheld by reason */
    json_t *sum = NULL;
    assert_int_equal(cust_desk_summary(&f->d, id, &sum, &err), CUST_OK);
    assert_int_equal(json_integer_value(json_object_get(sum, "persons")), 3);
    assert_int_equal(json_integer_value(json_object_get(sum, "nothing_given")), 1);
    json_t *item = json_array_get(json_object_get(sum, "items"), 0);
    assert_string_equal(sget(item, "item"), "release_date");
    assert_int_equal(json_integer_value(json_object_get(item, "given")), 2);
    assert_int_equal(json_integer_value(json_object_get(item, "withheld")), 1);
    json_t *why = json_array_get(json_object_get(item, "withheld_by"), 0);
    assert_int_equal(json_integer_value(json_object_get(why, "persons")), 1);
    assert_non_null(strstr(sget(why, "reason"), "7284.6"));
    json_t *outcomes = json_object_get(sum, "outcomes");
    assert_int_equal(json_array_size(outcomes), 2);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(outcomes, 0), "persons")),
                     2);
    json_decref(sum);
    /* the persons given something, by page, with their names */
    json_t *pg = NULL;
    assert_int_equal(cust_desk_disclosed(&f->d, id, 2, 1, &pg, &err), CUST_OK);
    assert_int_equal(json_integer_value(json_object_get(pg, "total")), 2);
    assert_int_equal(json_integer_value(json_object_get(pg, "pages")), 2);
    json_t *row = json_array_get(json_object_get(pg, "rows"), 0);
    assert_non_null(row);
    assert_non_null(sget(row, "last_name"));
    assert_int_equal(json_array_size(json_object_get(pg, "rows")), 1);
    json_decref(pg);
}

struct disc_rows {
    struct fx *f;
    json_t *a; /* [person_id, booking_number, ord, items, withheld, decision JSON] per row */
    json_t *decisions; /* id -> decision JSON */
};

static enum cust_status on_dec(const struct cust_decision_row *x, void *arg)
{
    char k[24];
    snprintf(k, sizeof(k), "%lld", (long long)x->id);
    json_object_set_new(arg, k, json_loads(x->decision, 0, NULL));
    return CUST_OK;
}

static enum cust_status on_disc(const struct cust_disclosure_row *x, void *arg)
{
    struct disc_rows *r = arg;
    char k[24];
    snprintf(k, sizeof(k), "%lld", (long long)x->decision_id);
    json_t *dec = json_object_get(r->decisions, k);
    assert_non_null(dec);
    json_array_append_new(r->a,
                          json_pack("[I,s,I,s,s,O]", (json_int_t)x->person_id, x->booking_number,
                                    (json_int_t)x->ord, x->items, x->withheld, dec));
    return CUST_OK;
}

struct duty_rows {
    json_t *a;         /* [person_id, booking_number, duty, cite, due_ts, detail, id] per duty */
    json_t *decisions; /* id -> decision JSON */
};

/* A notice duty as stored, its detail read with the decision it names in place of its id (a
 * fulfilment's duties name their decision: ids differ between two fulfilments). */
static enum cust_status on_duty_row(const struct cust_duty_row *x, void *arg)
{
    struct duty_rows *r = arg;
    json_t *detail = x->detail ? json_loads(x->detail, 0, NULL) : json_null();
    assert_non_null(detail);
    json_t *did = json_object_get(detail, "decision");
    if (json_is_integer(did)) {
        char k[24];
        snprintf(k, sizeof(k), "%lld", (long long)json_integer_value(did));
        json_t *dec = json_object_get(r->decisions, k);
        assert_non_null(dec);
        json_object_set(detail, "decision", dec);
    }
    json_array_append_new(r->a, json_pack("[I,s?,s,s?,I,o,I]", (json_int_t)x->person_id,
                                          x->booking_number, x->duty, x->cite,
                                          (json_int_t)x->due_ts, detail, (json_int_t)x->id));
    return CUST_OK;
}

/* Fulfil `doc`; the rows as parsed, and in `*disc` {disclosures: the disclosure rows with their
 * decisions, text: each row's bytes as sent, duties: the notice duties made}. */
static json_t *fulfil_rows(struct fx *f, const char *doc, bool cache,
                           struct cust_desk_fulfil_stats *st, json_t **disc)
{
    char id[CUST_REQUEST_ID_MAX];
    struct cust_err err = CUST_ERR_INIT;
    add(f, doc, id);
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    f->d.no_decision_cache = !cache;
    assert_int_equal(cust_desk_fulfill(&f->d, id, CUST_DESK_JSON, false, mem, st, &err), CUST_OK);
    f->d.no_decision_cache = false;
    fclose(mem);
    json_t *resp = json_loads(buf, 0, NULL);
    assert_non_null(resp);
    json_t *rows = json_incref(json_object_get(resp, "rows"));
    json_decref(resp);
    /* the rows as text: the answer's bytes, one row a line, compared as they were sent */
    json_t *text = json_array();
    for (char *line = strstr(buf, "\n  "); line; line = strstr(line, "\n  ")) {
        line += 3;
        size_t n = strcspn(line, "\n");
        json_array_append_new(text, json_stringn(line, n - (line[n - 1] == ',')));
    }
    free(buf);
    assert_int_equal(json_array_size(text), json_array_size(rows));
    struct disc_rows r = {f, json_array(), json_object()};
    assert_int_equal(cust_store_decisions(f->s, id, on_dec, r.decisions, &err), CUST_OK);
    assert_int_equal(cust_store_disclosures(f->s, id, on_disc, &r, &err), CUST_OK);
    /* the notice duties made: who, what, when due, their detail (what the notice gives) and
     * the notice each renders (in place of the duty's id) */
    struct duty_rows dr = {json_array(), r.decisions};
    struct cust_duty_filter flt = {.request_id = id};
    assert_int_equal(cust_store_duties(f->s, &flt, on_duty_row, &dr, &err), CUST_OK);
    size_t di;
    json_t *dx;
    json_array_foreach(dr.a, di, dx)
    {
        struct cust_buf nb;
        cust_buf_init(&nb, 0);
        assert_int_equal(
            cust_desk_notice(&f->d, json_integer_value(json_array_get(dx, 6)), "en", &nb, &err),
            CUST_OK);
        /* the request's own id in the text ("reference R-..."): the same text otherwise */
        struct cust_buf t;
        cust_buf_init(&t, 0);
        assert_int_equal(cust_buf_putc(&nb, '\0'), CUST_OK);
        const char *at = nb.buf, *hit;
        while ((hit = strstr(at, id)) != NULL) {
            assert_int_equal(cust_buf_append(&t, at, (size_t)(hit - at)), CUST_OK);
            assert_int_equal(cust_buf_puts(&t, "R-ID"), CUST_OK);
            at = hit + strlen(id);
        }
        assert_int_equal(cust_buf_puts(&t, at), CUST_OK);
        json_array_set_new(dx, 6, json_stringn(t.buf ? t.buf : "", t.len));
        cust_buf_release(&t);
        cust_buf_release(&nb);
    }
    *disc = json_pack("{s:o,s:o,s:o}", "disclosures", r.a, "text", text, "duties", dr.a);
    st->rows = (int64_t)json_object_size(r.decisions); /* distinct decisions stored */
    json_decref(r.decisions);
    return rows;
}

struct one_disc {
    int64_t ord, id, person_id, decision_id;
    char request_id[CUST_REQUEST_ID_MAX], bn[32], withheld[256], recipient[128], at[32];
};

static enum cust_status on_one_disc(const struct cust_disclosure_row *x, void *arg)
{
    struct one_disc *o = arg;
    if (x->ord != o->ord)
        return CUST_OK;
    o->id = x->id;
    o->person_id = x->person_id;
    o->decision_id = x->decision_id;
    snprintf(o->request_id, sizeof(o->request_id), "%s", x->request_id);
    snprintf(o->bn, sizeof(o->bn), "%s", x->booking_number);
    snprintf(o->withheld, sizeof(o->withheld), "%s", x->withheld);
    snprintf(o->recipient, sizeof(o->recipient), "%s", x->recipient);
    snprintf(o->at, sizeof(o->at), "%s", x->at);
    return CUST_OK;
}

/* A row changed together with a correctly recomputed row hash still fails verify: the set
 * hash in the ledger entry no longer matches. */
static void test_disclosure_rehashed_row(void **state)
{
    struct fx *f = *state;
    char id[CUST_REQUEST_ID_MAX];
    struct cust_err err = CUST_ERR_INIT;
    add(f, "{\"kind\": \"information_request\", " DOJ ", \"items\": [\"booking_facts\"]}", id);
    struct cust_desk_fulfil_stats st;
    assert_int_equal(cust_desk_fulfill(&f->d, id, CUST_DESK_JSON, false, NULL, &st, &err), CUST_OK);
    struct cust_desk_verify_report vr;
    assert_int_equal(cust_desk_verify_disclosures(f->s, &vr, &err), CUST_OK);
    assert_int_equal(vr.rows, 3);
    struct one_disc o = {.ord = 1};
    assert_int_equal(cust_store_disclosures(f->s, id, on_one_disc, &o, &err), CUST_OK);
    assert_true(o.id > 0);
    /* forge: give the row a different booking, with the hash that fits it */
    struct cust_disclosure_row x = {.request_id = o.request_id,
                                    .ord = 1,
                                    .person_id = o.person_id,
                                    .booking_number = "9999",
                                    .items = "[\"booking_facts\"]",
                                    .withheld = o.withheld,
                                    .recipient = o.recipient,
                                    .at = o.at,
                                    .decision_id = o.decision_id};
    unsigned char h[32];
    char hex[65];
    cust_desk_disclosure_hash(&x, h);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", h[i]);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
    char sql[512];
    snprintf(sql, sizeof(sql),
             "DROP TRIGGER disclosures_no_update; UPDATE disclosures SET booking_number = '9999',"
             " row_hash = '%s' WHERE id = %lld",
             hex, (long long)o.id);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(cust_desk_verify_disclosures(f->s, &vr, &err), CUST_EINTEGRITY);
    assert_non_null(strstr(vr.reason, "do not match ledger entry"));
    assert_non_null(strstr(err.msg, id));
}

/* Deciding once per distinct case gives exactly the rows deciding every person gives. */
static void test_fulfil_cache_same_rows(void **state)
{
    struct fx *f = *state;
    const char *doc = "{\"kind\": \"information_request\", " DOJ ", \"items\": [\"booking_facts\","
                      " \"charges\", \"convictions\", \"release_date\", \"home_address\"]}";
    /* two more persons with 1001's facts (other names, bail, description: not case facts) */
    char path[160];
    snprintf(path, sizeof(path), "%s/clones.jsonl", f->dir);
    FILE *cl = fopen(path, "w");
    assert_non_null(cl);
    for (int i = 1; i <= 2; i++)
        fprintf(cl,
                "{\"booking_number\": \"200%d\", \"booked_at\": \"2025-06-0%dT10:00:00-07:00\","
                " \"facility\": \"Main Jail\", \"arresting_agency\": \"SO\", \"person\":"
                " {\"person_id\": \"P2%d\", \"last_name\": \"CLONE\", \"first_name\": \"N%d\","
                " \"dob\": \"1980-01-0%d\", \"citizenship\": {\"status\": \"non_citizen\","
                " \"source\": \"consular_notification\", \"verified\": false,"
                " \"recorded_at\": \"2025-06-01\"}}, \"charges\": [{\"code\": \"PC 245(a)(1)\","
                " \"description\": \"ADW %d\", \"level\": \"felony\", \"status\": \"pending\","
                " \"held_to_answer\": true, \"bail_cents\": %d}], \"prior_convictions\":"
                " [{\"code\": \"PC 211\", \"level\": \"felony\", \"date\": \"2012-05-01\","
                " \"jurisdiction\": \"CA\"}], \"scheduled_release\": \"2025-08-0%d\","
                " \"release_date_public\": false}\n",
                i, i, i, i, i, i, 1000 * i, i);
    assert_int_equal(fclose(cl), 0);
    struct cust_err err = CUST_ERR_INIT;
    struct cust_import_opts io = {.path = path, .actor = "loader"};
    struct cust_import_stats ist;
    assert_int_equal(cust_import_file(f->s, &io, &ist, &err), CUST_OK);
    struct cust_desk_fulfil_stats a, b;
    json_t *da, *db;
    json_t *cached = fulfil_rows(f, doc, true, &a, &da);
    json_t *uncached = fulfil_rows(f, doc, false, &b, &db);
    assert_int_equal(json_array_size(cached), 5);
    assert_true(json_equal(cached, uncached));
    /* the same bytes, the same disclosure rows under the same decisions (each distinct decision
     * stored once), the same notice duties */
    assert_true(json_equal(da, db));
    assert_int_equal(a.rows, b.rows);
    assert_int_equal(b.decided, 5);                /* every person */
    assert_true(a.decided >= 1 && a.decided <= 3); /* the clones hit 1001's case */
    /* 1001 and its clones were given their rows under the same stored decision */
    json_t *r1001 = NULL, *r2001 = NULL, *r2002 = NULL, *x;
    size_t k;
    json_array_foreach(json_object_get(da, "disclosures"), k, x)
    {
        const char *bn = json_string_value(json_array_get(x, 1));
        if (strcmp(bn, "1001") == 0)
            r1001 = json_array_get(x, 5);
        else if (strcmp(bn, "2001") == 0)
            r2001 = json_array_get(x, 5);
        else if (strcmp(bn, "2002") == 0)
            r2002 = json_array_get(x, 5);
    }
    assert_non_null(r1001);
    assert_true(json_equal(r1001, r2001) && json_equal(r1001, r2002));
    assert_int_equal(a.given, b.given);
    assert_int_equal(a.withheld, b.withheld);
    assert_int_equal(a.duties, b.duties);
    json_decref(cached);
    json_decref(uncached);
    json_decref(da);
    json_decref(db);
}

/* The JSON answer's rows are written as text, without a tree per row: each row is byte for byte
 * what jansson's compact dump of the same object gives - every item given (a policy that gives
 * them all), strings that need escaping, values kept as JSON (work address, contact). */
static void test_fulfil_rows_as_jansson(void **state)
{
    struct fx *f = *state;
    char path[160];
    snprintf(path, sizeof(path), "%s/odd.jsonl", f->dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(
        "{\"booking_number\": \"4001/\\\"A\\\"\", \"booked_at\": \"2025-06-14T10:00:00-05:00\","
        " \"facility\": \"Main\\tJail \\u00e9\\u6771\", \"arresting_agency\": \"PD \\\\ SO\","
        " \"person\": {\"person_id\": \"P41\", \"last_name\": \"O'BRIEN \\\"BO\\\"\","
        " \"first_name\": \"\\u00c9MILE\\u0001\", \"dob\": \"1981-08-08\", \"citizenship\":"
        " {\"status\": \"non_citizen\", \"source\": \"document\", \"verified\": true,"
        " \"recorded_at\": \"2025-06-14\"}, \"immigration_status\": {\"status\": \"undocumented\"},"
        " \"home_address\": \"1 Main St\\nApt \\\"2\\\"\", \"work_address\": {\"street\":"
        " \"2 Mill Rd\", \"unit\": 7, \"geo\": [1.5, -2.25, null, true]}, \"contact_info\":"
        " [\"555-0100\", {\"email\": \"e@x.org\"}]}, \"charges\": [{\"code\": \"PC 459\","
        " \"description\": \"BURGLARY\\r\\n2ND\", \"level\": \"felony\", \"status\": \"pending\","
        " \"bail_cents\": 2500000}, {\"code\": \"PC 484\", \"level\": \"misdemeanor\", \"status\":"
        " \"convicted\", \"convicted_date\": \"2025-06-20\"}], \"prior_convictions\": [{\"code\":"
        " \"PC 187(a)\", \"level\": \"felony\", \"date\": \"2005-XX-XX\", \"jurisdiction\": "
        "\"CA\"}],"
        " \"scheduled_release\": \"2025-10-01\", \"release_date_public\": false}\n",
        fp);
    assert_int_equal(fclose(fp), 0);
    struct cust_err err = CUST_ERR_INIT;
    struct cust_import_opts io = {.path = path, .actor = "loader", .errors = stderr};
    struct cust_import_stats ist;
    if (cust_import_file(f->s, &io, &ist, &err) != CUST_OK)
        fail_msg("import: %s", err.msg);
    /* Texas law gives a data request what California's withholds */
    struct cust_config *cfg = test_config();
    cust_config_set(cfg, CUST_CFG_JURISDICTION, "us-tx", "test");
    struct cust_desk_env *env = NULL;
    assert_int_equal(cust_desk_env_open(cfg, 0, &env, &err), CUST_OK);
    cust_config_free(cfg);
    struct cust_desk d;
    cust_desk_init(&d, env, f->s, "clerk1", "clerk");
    json_t *doc = json_loads(
        "{\"kind\": \"information_request\", " DOJ ", \"items\": [\"booking_facts\", \"charges\","
        " \"convictions\", \"citizenship\", \"immigration_status\", \"release_date\","
        " \"home_address\", \"work_address\", \"contact_info\"]}",
        0, NULL);
    assert_non_null(doc);
    char id[CUST_REQUEST_ID_MAX];
    struct cust_diag diag = CUST_DIAG_INIT;
    assert_int_equal(cust_desk_add(&d, doc, id, &diag, &err), CUST_OK);
    json_decref(doc);
    cust_diag_release(&diag);
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    struct cust_desk_fulfil_stats st;
    if (cust_desk_fulfill(&d, id, CUST_DESK_JSON, false, mem, &st, &err) != CUST_OK)
        fail_msg("fulfil: %s", err.msg);
    fclose(mem);
    json_t *resp = json_loads(buf, 0, NULL);
    assert_non_null(resp);
    json_decref(resp);
    int rows = 0, odd = 0;
    unsigned seen = 0;
    for (char *line = strstr(buf, "\n  "); line; line = strstr(line, "\n  ")) {
        line += 3;
        size_t n = strcspn(line, "\n");
        n -= line[n - 1] == ',';
        json_error_t je;
        json_t *row = json_loadb(line, n, 0, &je);
        if (!row)
            fail_msg("row %d: %s", rows, je.text);
        char *want = json_dumps(row, JSON_COMPACT | JSON_PRESERVE_ORDER);
        if (strlen(want) != n || memcmp(want, line, n) != 0)
            fail_msg("row %d:\n  sent %.*s\n  want %s", rows, (int)n, line, want);
        for (int i = 0; i < CUST_ITEM_COUNT; i++)
            if (json_object_get(row, cust_request_item_name(1u << i)))
                seen |= 1u << i;
        odd += strstr(json_string_value(json_object_get(row, "booking_number")), "4001") != NULL;
        free(want);
        json_decref(row);
        rows++;
    }
    free(buf);
    assert_int_equal(rows, st.rows);
    assert_int_equal(odd, 1);
    /* every item was given to someone, so every item's writer was compared */
    for (int i = 0; i < CUST_ITEM_COUNT; i++)
        if (!(seen & (1u << i)))
            fail_msg("item %s never given", cust_request_item_name(1u << i));
    cust_desk_release(&d);
    cust_desk_env_free(env);
}

/* On a generated county (a population with repeat bookings, prior convictions of every age),
 * the answer with decisions shared by case shape - convictions dated between the same two of
 * the policy's date cuts - is the per-person path's, row by row, disclosure by disclosure. */
static void test_fulfil_shapes_same_rows_generated(void **state)
{
    struct fx *f = *state;
    char path[160];
    snprintf(path, sizeof(path), "%s/county.jsonl", f->dir);
    struct cust_gen_opts go = CUST_GEN_OPTS_INIT;
    go.seed = 7;
    go.bookings = 8000;
    assert_true(cust_date_parse("2025-07-31", &go.end_day));
    struct cust_err err = CUST_ERR_INIT;
    struct cust_gen *g = NULL;
    FILE *out = fopen(path, "w");
    assert_non_null(out);
    assert_int_equal(cust_gen_new(&go, &g, &err), CUST_OK);
    assert_int_equal(cust_gen_write(g, out, &err), CUST_OK);
    cust_gen_free(g);
    assert_int_equal(fclose(out), 0);
    struct cust_import_opts io = {.path = path, .actor = "loader"};
    struct cust_import_stats ist;
    assert_int_equal(cust_import_file(f->s, &io, &ist, &err), CUST_OK);
    const char *doc = "{\"kind\": \"information_request\", " DOJ ", \"items\": [\"booking_facts\","
                      " \"charges\", \"convictions\", \"release_date\"]}";
    struct cust_desk_fulfil_stats a, b;
    json_t *da, *db;
    json_t *shared = fulfil_rows(f, doc, true, &a, &da);
    json_t *each = fulfil_rows(f, doc, false, &b, &db);
    assert_true(json_array_size(each) > 50);
    assert_int_equal(json_array_size(shared), json_array_size(each));
    for (size_t i = 0; i < json_array_size(each); i++)
        assert_true(json_equal(json_array_get(shared, i), json_array_get(each, i)));
    /* byte for byte as sent, disclosure by disclosure, notice duty by notice duty */
    static const char *const parts[] = {"text", "disclosures", "duties"};
    for (size_t k = 0; k < 3; k++) {
        json_t *pa = json_object_get(da, parts[k]), *pb = json_object_get(db, parts[k]);
        assert_int_equal(json_array_size(pa), json_array_size(pb));
        for (size_t i = 0; i < json_array_size(pb); i++)
            if (!json_equal(json_array_get(pa, i), json_array_get(pb, i)))
                fail_msg("%s %zu differs", parts[k], i);
    }
    assert_true(json_array_size(json_object_get(db, "duties")) > 0);
    assert_int_equal(a.withheld, b.withheld);
    assert_int_equal(a.duties, b.duties);
    assert_int_equal(b.decided, (int64_t)json_array_size(each)); /* every person */
    /* (a generated county's cases differ in their charges too: few share a shape here;
     * bench/fulfil measures the sharing) */
    assert_true(a.decided <= b.decided);
    json_decref(shared);
    json_decref(each);
    json_decref(da);
    json_decref(db);
}

static void test_subpoena_routed_to_counsel(void **state)
{
    struct fx *f = *state;
    char id[CUST_REQUEST_ID_MAX];
    struct cust_err err = CUST_ERR_INIT;
    add(f, "{\"kind\": \"administrative_subpoena\", " DOJ ", \"items\": [\"release_date\"]}", id);
    struct cust_desk_fulfil_stats st;
    enum cust_status fst = cust_desk_fulfill(&f->d, id, CUST_DESK_JSON, false, NULL, &st, &err);
    if (fst)
        fail_msg("fulfill: %s", err.msg);
    assert_true(st.referred);
    assert_int_equal(st.rows, 0);
    assert_int_equal(ledger_count(f, "disclosure", NULL), 0);
    /* with counsel: nothing more until counsel releases it */
    assert_int_equal(cust_desk_fulfill(&f->d, id, CUST_DESK_JSON, false, NULL, &st, &err),
                     CUST_ECONFLICT);
    assert_int_equal(cust_desk_fulfill(&f->d, id, CUST_DESK_JSON, true, NULL, &st, &err),
                     CUST_EDENIED);
    json_t *duties = NULL;
    struct cust_duty_filter flt = {.request_id = id, .open_only = true};
    assert_int_equal(cust_desk_duties(&f->d, &flt, &duties, &err), CUST_OK);
    assert_int_equal(json_array_size(duties), 1);
    json_t *dt = json_array_get(duties, 0);
    assert_string_equal(sget(dt, "duty"), "refer_to_counsel");
    assert_non_null(sget(dt, "due"));
    int64_t did = json_integer_value(json_object_get(dt, "id"));
    json_decref(duties);
    assert_int_equal(cust_desk_duty_done(&f->d, did, "county counsel", &err), CUST_OK);
    assert_int_equal(cust_desk_fulfill(&f->d, id, CUST_DESK_JSON, true, NULL, &st, &err), CUST_OK);
    assert_int_equal(st.rows, 3);
    assert_int_equal(st.given, 2); /* verdicts as for an information request */
}

static void test_court_order_in_full(void **state)
{
    struct fx *f = *state;
    char id[CUST_REQUEST_ID_MAX];
    struct cust_err err = CUST_ERR_INIT;
    add(f, "{\"kind\": \"court_order\", " DOJ ", \"items\": [\"release_date\", \"home_address\"]}",
        id);
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    struct cust_desk_fulfil_stats st;
    assert_int_equal(cust_desk_fulfill(&f->d, id, CUST_DESK_JSON, false, mem, &st, &err), CUST_OK);
    fclose(mem);
    json_t *resp = json_loads(buf, 0, NULL);
    free(buf);
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(resp, "rows"), i, r)
        assert_int_equal(json_object_size(json_object_get(r, "withheld")), 0);
    assert_string_equal(sget(json_array_get(json_object_get(resp, "rows"), 1), "release_date"),
                        "2025-09-01");
    assert_int_equal(st.withheld, 0);
    assert_int_equal(st.given, 3);
    json_decref(resp);
}

static int64_t duty_of(struct fx *f, const char *id, const char *duty, json_t **row)
{
    json_t *duties = NULL;
    struct cust_err err = CUST_ERR_INIT;
    struct cust_duty_filter flt = {.request_id = id, .open_only = false};
    assert_int_equal(cust_desk_duties(&f->d, &flt, &duties, &err), CUST_OK);
    int64_t found = 0;
    size_t i;
    json_t *x;
    json_array_foreach(duties, i, x)
    {
        if (strcmp(sget(x, "duty"), duty) == 0 && !found) {
            found = json_integer_value(json_object_get(x, "id"));
            if (row)
                *row = json_incref(x);
        }
    }
    json_decref(duties);
    return found;
}

static void test_close_and_expire_paths(void **state)
{
    struct fx *f = *state;
    struct cust_err err = CUST_ERR_INIT;
    json_t *out = NULL;
    /* received -> closed (no action, with a reason) */
    char a[CUST_REQUEST_ID_MAX];
    add(f, DETAINER("{\"last_name\": \"NOBODY\", \"dob\": \"1950-01-01\"}"), a);
    json_t *j = show(f, a);
    assert_string_equal(sget(j, "status"), "received");
    json_decref(j);
    assert_int_equal(cust_desk_set_status(&f->d, a, "closed", "no such person in custody", &err),
                     CUST_OK);
    /* matched -> expired: the 48-hour window ran out */
    char b[CUST_REQUEST_ID_MAX];
    add(f, DETAINER("{\"booking_number\": \"1001\"}"), b);
    assert_int_equal(cust_desk_set_status(&f->d, b, "expired", "window passed", &err), CUST_OK);
    assert_int_equal(cust_desk_match(&f->d, b, &out, &err), CUST_ECONFLICT);
    /* acted -> closed; then nothing more */
    char c[CUST_REQUEST_ID_MAX];
    add(f, DETAINER("{\"booking_number\": \"1001\"}"), c);
    assert_int_equal(cust_desk_decide(&f->d, c, &out, &err), CUST_OK);
    json_decref(out);
    /* decided again: a new decision, the request stays decided */
    assert_int_equal(cust_desk_decide(&f->d, c, &out, &err), CUST_OK);
    json_decref(out);
    j = show(f, c);
    assert_int_equal(json_array_size(json_object_get(j, "decisions")), 2);
    /* duties are not duplicated by deciding again */
    size_t i, serve = 0;
    json_t *x;
    json_array_foreach(json_object_get(j, "duties"), i, x) serve +=
        strcmp(sget(x, "duty"), "serve_copy_to_subject") == 0;
    assert_int_equal(serve, 1);
    json_decref(j);
    struct cust_desk_act act = {.action = "notify", .by = "sgt"};
    assert_int_equal(cust_desk_act(&f->d, c, &act, &out, &err), CUST_OK);
    json_decref(out);
    assert_int_equal(cust_desk_set_status(&f->d, c, "closed", "done", &err), CUST_OK);
    assert_int_equal(cust_desk_act(&f->d, c, &act, &out, &err), CUST_ECONFLICT);
    assert_int_equal(cust_desk_set_status(&f->d, c, "withdrawn", "late", &err), CUST_ECONFLICT);
    /* fulfilled -> closed */
    char d[CUST_REQUEST_ID_MAX];
    add(f, "{\"kind\": \"information_request\", " DOJ ", \"items\": [\"charges\"]}", d);
    struct cust_desk_fulfil_stats st;
    assert_int_equal(cust_desk_fulfill(&f->d, d, CUST_DESK_JSON, false, NULL, &st, &err), CUST_OK);
    assert_int_equal(cust_desk_set_status(&f->d, d, "closed", "answered", &err), CUST_OK);
    j = show(f, d);
    assert_string_equal(sget(j, "status"), "closed");
    json_decref(j);
    ledger_ok(f);
}

static void test_unconfirmed_person_refused(void **state)
{
    struct fx *f = *state;
    struct cust_err err = CUST_ERR_INIT;
    char id[CUST_REQUEST_ID_MAX];
    add(f, DETAINER("{\"booking_number\": \"1001\"}"), id);
    decide_ok(f, id);
    json_t *out = NULL;
    /* person #2 is not linked to this request */
    struct cust_desk_act a = {.action = "notify", .by = "sgt", .person_id = 2};
    assert_int_equal(cust_desk_act(&f->d, id, &a, &out, &err), CUST_EDENIED);
    assert_int_equal(ledger_count(f, "request.act", "refused"), 1);
    /* a candidate (not confirmed) is not acted on either */
    char w[CUST_REQUEST_ID_MAX];
    add(f,
        DETAINER("{\"last_name\": \"GARCIA\", \"first_name\": \"JOSE\", \"dob\": "
                 "\"1988-04-02\"}"),
        w);
    assert_int_equal(cust_desk_decide(&f->d, w, &out, &err), CUST_ECONFLICT);
    assert_int_equal(cust_desk_review(&f->d, w, 1, "lt", "x", &err), CUST_ECONFLICT);
}

static void test_admin_warrant_arrest_prohibited(void **state)
{
    struct fx *f = *state;
    struct cust_err err = CUST_ERR_INIT;
    char id[CUST_REQUEST_ID_MAX];
    add(f,
        "{\"kind\": \"administrative_warrant\", \"form\": \"I-200\", \"requester\":"
        " {\"agency\": \"ICE\"}, \"received_at\": \"2025-07-10T09:00:00-07:00\","
        " \"subject\": {\"booking_number\": \"1006\"}}",
        id);
    decide_ok(f, id);
    json_t *out = NULL;
    /* no state report duty before a transfer is made */
    assert_int_equal(duty_of(f, id, "report_transfer_to_state", NULL), 0);
    struct cust_desk_act a = {.action = "arrest", .by = "sgt"};
    assert_int_equal(cust_desk_act(&f->d, id, &a, &out, &err), CUST_EDENIED);
    struct cust_desk_act t = {
        .action = "transfer", .by = "sgt", .agency = "ICE ERO", .offense = "PC 187(a)"};
    assert_int_equal(cust_desk_act(&f->d, id, &t, &out, &err), CUST_OK);
    json_decref(out);
    json_t *row = NULL;
    assert_true(duty_of(f, id, "report_transfer_to_state", &row) > 0);
    assert_true(json_is_null(json_object_get(row, "due")));
    json_decref(row);
    /* a public-record duty has no deadline */
    row = NULL;
    assert_true(duty_of(f, id, "record_as_public_record", &row) > 0);
    assert_true(json_is_null(json_object_get(row, "due")));
    json_decref(row);
}

static void law_file(struct fx *f, const char *name, const char *text);
static enum cust_status law_env(struct fx *f, const char *jurisdiction, struct cust_desk_env **env,
                                struct cust_err *err);

static void test_duty_deadline_skips_holiday(void **state)
{
    struct fx *f = *state;
    struct cust_err err = CUST_ERR_INIT;
    /* decided Thursday 2025-07-03: Jul 4 and the weekend are not business days */
    setenv("CUSTODIAN_NOW", "2025-07-03T18:00:00Z", 1);
    char id[CUST_REQUEST_ID_MAX];
    add(f, DETAINER("{\"booking_number\": \"1001\"}"), id);
    decide_ok(f, id);
    json_t *out = NULL;
    json_t *row = NULL;
    assert_true(duty_of(f, id, "serve_copy_to_subject", &row) > 0);
    assert_string_equal(sget(row, "due"), "2025-07-08T06:59:59Z"); /* end of Mon 07-07 PDT */
    json_decref(row);
    struct cust_desk_act a = {.action = "notify", .by = "sgt"};
    assert_int_equal(cust_desk_act(&f->d, id, &a, &out, &err), CUST_OK);
    json_decref(out);
    row = NULL;
    assert_true(duty_of(f, id, "notice_to_subject_and_attorney", &row) > 0);
    assert_string_equal(sget(row, "due"), "2025-07-08T06:59:59Z");
    assert_false(json_is_true(json_object_get(row, "overdue")));
    json_decref(row);
    /* a week later the open duties are overdue */
    setenv("CUSTODIAN_NOW", "2025-07-10T18:00:00Z", 1);
    row = NULL;
    assert_true(duty_of(f, id, "notice_to_subject_and_attorney", &row) > 0);
    assert_true(json_is_true(json_object_get(row, "overdue")));
    json_decref(row);
    /* the duty rules are data: a bad file is an error naming the line, when the desk's
     * environment is opened (before anything is decided) */
    law_file(f, "duty-deadlines.csv",
             "duty,business_days,when,owed_to,cite,task\n"
             "serve_copy_to_subject,soon,,person,Cal. Gov. Code 7283.1(b)\n");
    struct cust_desk_env *env = NULL;
    assert_int_equal(law_env(f, NULL, &env, &err), CUST_EINVAL);
    assert_null(env);
    assert_non_null(strstr(err.msg, "duty-deadlines.csv:2: business_days"));
    /* every row carries its citation */
    law_file(f, "duty-deadlines.csv",
             "duty,business_days,when,owed_to,cite,task\nserve_copy_to_subject,1,,person,\n");
    assert_int_equal(law_env(f, NULL, &env, &err), CUST_EINVAL);
    assert_non_null(strstr(err.msg, "duty-deadlines.csv:2: cite: required"));
    /* and says to whom the duty is owed */
    law_file(
        f, "duty-deadlines.csv",
        "duty,business_days,when,owed_to,cite,task\nserve_copy_to_subject,1,,them,7283.1(b)\n");
    assert_int_equal(law_env(f, NULL, &env, &err), CUST_EINVAL);
    assert_non_null(strstr(err.msg, "duty-deadlines.csv:2: owed_to: one of"));
    /* and what it asks, in words, for the duty worklist */
    law_file(
        f, "duty-deadlines.csv",
        "duty,business_days,when,owed_to,cite,task\nserve_copy_to_subject,1,,person,7283.1(b)\n");
    assert_int_equal(law_env(f, NULL, &env, &err), CUST_EINVAL);
    assert_non_null(strstr(err.msg, "duty-deadlines.csv:2: task: required"));
}

/* ---- law as data (policies/desk/) ---------------------------------------------------------- */

/* A desk on the real policies whose desk/ tables the test may rewrite (law_file). */
static void law_dir(struct fx *f)
{
    char cmd[1024];
    snprintf(cmd, sizeof(cmd),
             "[ -d '%s/pol' ] || { mkdir -p '%s/pol/desk' && for x in '%s'/policies/*; do "
             "[ \"$(basename \"$x\")\" = desk ] || cp -r \"$x\" '%s/pol/'; done && "
             "cp '%s'/policies/desk/*.csv '%s/pol/desk/'; }",
             f->dir, f->dir, src_dir(), f->dir, src_dir(), f->dir);
    assert_int_equal(system(cmd), 0);
}

static void law_file(struct fx *f, const char *name, const char *text)
{
    law_dir(f);
    char path[256];
    snprintf(path, sizeof(path), "%s/pol/desk/%s", f->dir, name);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static enum cust_status law_env(struct fx *f, const char *jurisdiction, struct cust_desk_env **env,
                                struct cust_err *err)
{
    law_dir(f);
    struct cust_config *cfg = test_config();
    char pol[160];
    snprintf(pol, sizeof(pol), "%s/pol", f->dir);
    cust_config_set(cfg, CUST_CFG_POLICIES, pol, "test");
    if (jurisdiction)
        cust_config_set(cfg, CUST_CFG_JURISDICTION, jurisdiction, "test");
    enum cust_status st = cust_desk_env_open(cfg, 0, env, err);
    cust_config_free(cfg);
    return st;
}

/* The hold window is data: its hours and its rule name come from hold-windows.csv. */
static void test_law_hold_window_is_data(void **state)
{
    struct fx *f = *state;
    struct cust_err err = CUST_ERR_INIT;
    law_file(f, "hold-windows.csv",
             "rule,request_kind,counted_from,business_hours,cite\n"
             "detainer_24h,detainer,received,24,\"8 C.F.R. 287.7(d) (test: shortened)\"\n"
             "detainer_24h_after_release,detainer,release,24,\"8 C.F.R. 287.7(d)\"\n");
    struct cust_desk_env *env = NULL;
    assert_int_equal(law_env(f, NULL, &env, &err), CUST_OK);
    struct cust_desk d;
    cust_desk_init(&d, env, f->s, "clerk1", "clerk");
    /* received Wednesday 2025-07-02 10:00 -07:00: 24 business hours end Thursday 10:00 */
    char id[CUST_REQUEST_ID_MAX];
    add_to(&d, DETAINER("{\"booking_number\": \"NONE-1\"}"), id);
    json_t *r = NULL;
    assert_int_equal(cust_desk_show(&d, id, &r, &err), CUST_OK);
    assert_string_equal(sget(r, "law_rule"), "detainer_24h");
    assert_string_equal(sget(r, "law_deadline"), "2025-07-03T17:00:00Z");
    json_decref(r);
    cust_desk_release(&d);
    cust_desk_env_free(env);
    /* a window without its citation is refused */
    law_file(f, "hold-windows.csv",
             "rule,request_kind,counted_from,business_hours,cite\n"
             "detainer_48h,detainer,received,48,\n");
    assert_int_equal(law_env(f, NULL, &env, &err), CUST_EINVAL);
    assert_non_null(strstr(err.msg, "hold-windows.csv:2: cite: required"));
}

/* Whom a duty is owed to is data: a request-level decision (a subpoena referred to counsel, no
 * person yet) creates the duties owed to counsel and others, not those owed to the person, which
 * come with each person's own decision. Marked as owed to the person, the referral to counsel
 * waits for one too. */
static void test_law_duty_owed_to_is_data(void **state)
{
    struct fx *f = *state;
    struct cust_err err = CUST_ERR_INIT;
    for (int pass = 0; pass < 2; pass++) {
        law_file(
            f, "duty-deadlines.csv",
            pass == 0
                ? "duty,business_days,when,owed_to,cite,task\n"
                  "refer_to_counsel,1,,counsel,8 U.S.C. 1225(d)(4),refer\n"
                  "serve_copy_to_subject,1,,person,Cal. Gov. Code 7283.1(b),copy\n"
                  "notice_to_subject_and_attorney,1,,person,Cal. Gov. Code 7283.1(b),notice\n"
                : "duty,business_days,when,owed_to,cite,task\n"
                  "refer_to_counsel,1,,person,8 U.S.C. 1225(d)(4),refer\n"
                  "serve_copy_to_subject,1,,person,Cal. Gov. Code 7283.1(b),copy\n"
                  "notice_to_subject_and_attorney,1,,person,Cal. Gov. Code 7283.1(b),notice\n");
        struct cust_desk_env *env = NULL;
        assert_int_equal(law_env(f, NULL, &env, &err), CUST_OK);
        struct cust_desk d;
        cust_desk_init(&d, env, f->s, "clerk1", "clerk");
        json_t *doc = json_loads("{\"kind\": \"administrative_subpoena\", " DOJ
                                 ", \"items\": [\"release_date\"]}",
                                 0, NULL);
        assert_non_null(doc);
        char id[CUST_REQUEST_ID_MAX];
        struct cust_diag diag = CUST_DIAG_INIT;
        assert_int_equal(cust_desk_add(&d, doc, id, &diag, &err), CUST_OK);
        json_decref(doc);
        cust_diag_release(&diag);
        struct cust_desk_fulfil_stats st;
        if (cust_desk_fulfill(&d, id, CUST_DESK_JSON, false, NULL, &st, &err) != CUST_OK)
            fail_msg("fulfill: %s", err.msg);
        assert_true(st.referred);
        json_t *duties = NULL;
        struct cust_duty_filter flt = {.request_id = id, .open_only = true};
        assert_int_equal(cust_desk_duties(&d, &flt, &duties, &err), CUST_OK);
        bool counsel = false, copy = false, notice = false;
        size_t i;
        json_t *dt;
        json_array_foreach(duties, i, dt)
        {
            counsel |= strcmp(sget(dt, "duty"), "refer_to_counsel") == 0;
            copy |= strcmp(sget(dt, "duty"), "serve_copy_to_subject") == 0;
            notice |= strcmp(sget(dt, "duty"), "notice_to_subject_and_attorney") == 0;
        }
        json_decref(duties);
        assert_int_equal(counsel, pass == 0);
        assert_false(copy);
        assert_false(notice);
        cust_desk_release(&d);
        cust_desk_env_free(env);
    }
}

/* A duty's trigger may come from the law's table (duty-deadlines.csv "when") instead of the
 * policy's rule, and the copy served on the person promises a copy of any release notice where
 * the notice to the person and their attorney is owed once a release date is given, whichever
 * of the two says so (desk_duty_when). Pass 0: the real policy, its rule saying "when
 * notify_given"; pass 1: the rule without "when", the table saying notify_given. */
static void test_law_duty_when_from_table_promises_copy(void **state)
{
    struct fx *f = *state;
    struct cust_err err = CUST_ERR_INIT;
    law_dir(f);
    char cmd[512];
    snprintf(cmd, sizeof(cmd),
             "sed -i 's/^  duty notice_to_subject_and_attorney when notify_given$/"
             "  duty notice_to_subject_and_attorney/' '%s/pol/us-ca.policy' && "
             "grep -q '^  duty notice_to_subject_and_attorney$' '%s/pol/us-ca.policy'",
             f->dir, f->dir);
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            assert_int_equal(system(cmd), 0);
            law_file(f, "duty-deadlines.csv",
                     "duty,business_days,when,owed_to,cite,task\n"
                     "serve_copy_to_subject,1,,person,Cal. Gov. Code 7283.1(b),copy\n"
                     "notice_to_subject_and_attorney,1,notify_given,person,"
                     "Cal. Gov. Code 7283.1(b),notice\n"
                     "record_as_public_record,,,public,Cal. Gov. Code 7283.1(c),record\n");
        }
        struct cust_desk_env *env = NULL;
        if (law_env(f, NULL, &env, &err) != CUST_OK)
            fail_msg("pass %d: %s", pass, err.msg);
        struct cust_desk d;
        cust_desk_init(&d, env, f->s, "clerk1", "clerk");
        char id[CUST_REQUEST_ID_MAX];
        add_to(&d, DETAINER("{\"booking_number\": \"1001\"}"), id);
        json_t *out = NULL;
        assert_int_equal(cust_desk_decide(&d, id, &out, &err), CUST_OK);
        json_decref(out);
        /* the notice to the person and their attorney waits for a release date given */
        assert_int_equal(duty_of(f, id, "notice_to_subject_and_attorney", NULL), 0);
        int64_t serve_id = duty_of(f, id, "serve_copy_to_subject", NULL);
        assert_true(serve_id > 0);
        struct cust_buf en;
        cust_buf_init(&en, 0);
        assert_int_equal(cust_desk_notice(&d, serve_id, "en", &en, &err), CUST_OK);
        if (!strstr(en.buf, "a copy of that notice"))
            fail_msg("pass %d: the copy does not promise the release notice:\n%s", pass, en.buf);
        cust_buf_release(&en);
        cust_desk_release(&d);
        cust_desk_env_free(env);
    }
}

/* Transfer bases are data, per policy: under Texas law a transfer on an immigration request is
 * made on the request itself (no 7282.5, no offense to report); under California's it needs the
 * 7282.5(a) offense. An interview's consent-form prerequisite applies only where the decision
 * makes it a duty. */
static void test_law_transfer_basis_per_policy(void **state)
{
    struct fx *f = *state;
    struct cust_err err = CUST_ERR_INIT;
    struct cust_desk_env *env = NULL;
    assert_int_equal(law_env(f, "us-tx", &env, &err), CUST_OK);
    struct cust_desk d;
    cust_desk_init(&d, env, f->s, "clerk1", "clerk");
    json_t *doc = json_loads("{\"kind\": \"transfer_request\", \"requester\": {\"agency\":"
                             " \"ICE\"}, \"received_at\": \"2025-07-10T09:00:00-05:00\","
                             " \"subject\": {\"booking_number\": \"1002\"}}",
                             0, NULL);
    assert_non_null(doc);
    char id[CUST_REQUEST_ID_MAX];
    struct cust_diag diag = CUST_DIAG_INIT;
    assert_int_equal(cust_desk_add(&d, doc, id, &diag, &err), CUST_OK);
    json_decref(doc);
    json_t *out = NULL;
    assert_int_equal(cust_desk_decide(&d, id, &out, &err), CUST_OK);
    assert_string_equal(
        sget(json_object_get(json_object_get(json_array_get(out, 0), "decision"), "policy"), "id"),
        "us-tx");
    json_decref(out);
    struct cust_desk_act a = {.action = "transfer", .by = "sgt", .agency = "ICE ERO"};
    assert_int_equal(cust_desk_act(&d, id, &a, &out, &err), CUST_OK); /* no --offense needed */
    json_decref(out);
    assert_int_equal(cust_desk_transfers(&d, &out, &err), CUST_OK);
    json_t *t = json_array_get(out, json_array_size(out) - 1);
    assert_string_equal(sget(t, "basis"), "request");
    assert_true(json_is_null(json_object_get(t, "criterion")));
    json_decref(out);
    /* the same basis names its law in the ledger */
    assert_true(ledger_count(f, "transfer", "ok") >= 1);
    /* an interview under Texas law: no consent-form duty, so no prerequisite to refuse it */
    doc = json_loads("{\"kind\": \"interview_request\", \"requester\": {\"agency\": \"ICE\"},"
                     " \"received_at\": \"2025-07-10T09:00:00-05:00\","
                     " \"subject\": {\"booking_number\": \"1002\"}}",
                     0, NULL);
    assert_int_equal(cust_desk_add(&d, doc, id, &diag, &err), CUST_OK);
    json_decref(doc);
    cust_diag_release(&diag);
    assert_int_equal(cust_desk_decide(&d, id, &out, &err), CUST_OK);
    json_decref(out);
    struct cust_desk_act iv = {.action = "interview", .by = "sgt"};
    assert_int_equal(cust_desk_act(&d, id, &iv, &out, &err), CUST_OK);
    json_decref(out);
    cust_desk_release(&d);
    cust_desk_env_free(env);
    /* a table that gives no basis refuses the transfer, naming the table */
    law_file(f, "transfer-bases.csv",
             "policy,request_kind,basis,requires,cite\n"
             "us-fl,*,request,,Fla. Stat. 908.104\n");
    assert_int_equal(law_env(f, "us-tx", &env, &err), CUST_OK);
    cust_desk_init(&d, env, f->s, "clerk1", "clerk");
    doc = json_loads("{\"kind\": \"transfer_request\", \"requester\": {\"agency\": \"ICE\"},"
                     " \"received_at\": \"2025-07-10T09:00:00-05:00\","
                     " \"subject\": {\"booking_number\": \"1002\"}}",
                     0, NULL);
    assert_int_equal(cust_desk_add(&d, doc, id, &diag, &err), CUST_OK);
    json_decref(doc);
    cust_diag_release(&diag);
    assert_int_equal(cust_desk_decide(&d, id, &out, &err), CUST_OK);
    json_decref(out);
    assert_int_equal(cust_desk_act(&d, id, &a, &out, &err), CUST_EINVAL);
    assert_non_null(strstr(err.msg, "transfer-bases.csv"));
    cust_desk_release(&d);
    cust_desk_env_free(env);
}

/* A booking record (custody JSONL) read as records read it; asserts it is valid. */
static void parse_record(const char *doc, struct cust_record *rec)
{
    struct cust_diag diag = CUST_DIAG_INIT;
    if (cust_record_parse(doc, strlen(doc), rec, &diag) != CUST_OK) {
        cust_diag_print(&diag, stderr, "record: ");
        fail_msg("invalid test record");
    }
    cust_diag_release(&diag);
}

#define RECORD_HEAD "{\"booking_number\": \"9\", \"booked_at\": \"2010-01-01T00:00:00Z\", "

static void test_case_from_booking(void **state)
{
    (void)state;
    const char *doc =
        RECORD_HEAD "\"release_date_public\": true, \"person\": {\"last_name\": \"X\","
                    " \"first_name\": \"Y\", \"dob\": \"1980-01-01\", \"citizenship\":"
                    " {\"status\": \"citizen\", \"verified\": true, \"source\": \"document\","
                    " \"recorded_at\": \"2010-01-01\"}, \"sex_arson_registrant\": true},"
                    " \"charges\": [{\"code\": \"PC 459\", \"level\": \"felony\", \"status\":"
                    " \"pending\", \"held_to_answer\": true}, {\"code\": \"PC 1\", \"status\":"
                    " \"dismissed\"}], \"prior_convictions\": [{\"code\": \"HS 11350\", \"level\":"
                    " \"felony\", \"date\": \"2001-XX-XX\", \"jurisdiction\": \"CA\", \"flags\":"
                    " {\"serious\": false}}, {\"code\": \"PC 211\", \"level\": \"felony\","
                    " \"violent\": true, \"category\": \"robbery\"}]}";
    struct cust_record rec;
    parse_record(doc, &rec);
    json_t *c = cust_desk_case_from_booking(&rec.b, "us-tx", 20000, "detainer",
                                            CUST_ASK_HOLD | CUST_ASK_NOTIFY, 0);
    cust_record_release(&rec);
    assert_non_null(c);
    assert_string_equal(sget(c, "jurisdiction"), "us-tx");
    json_t *s = json_object_get(c, "subject");
    assert_true(json_is_true(json_object_get(json_object_get(s, "citizenship"), "verified")));
    assert_true(json_is_true(json_object_get(s, "release_date_public")));
    assert_true(json_is_true(json_object_get(s, "sex_arson_registrant")));
    assert_int_equal(json_array_size(json_object_get(s, "pending_charges")), 1);
    json_t *cv = json_array_get(json_object_get(s, "convictions"), 0);
    assert_string_equal(sget(cv, "date"), "2001-01-01"); /* earliest possible day */
    assert_true(json_is_false(json_object_get(cv, "serious")));
    /* flags given on the conviction itself, not under "flags", are read the same */
    cv = json_array_get(json_object_get(s, "convictions"), 1);
    assert_true(json_is_true(json_object_get(cv, "violent")));
    assert_string_equal(sget(cv, "category"), "robbery");
    assert_int_equal(json_array_size(json_object_get(json_object_get(c, "request"), "asks")), 2);
    assert_null(json_object_get(s, "address_public")); /* not in the record: not in the case */
    assert_null(json_object_get(s, "immigration_status"));
    json_decref(c);
    /* decide.md's address_public and immigration_status pass through when the record has them;
     * a status the contract does not name is left out */
    const char *doc2 = RECORD_HEAD
        "\"person\": {\"last_name\": \"X\", \"first_name\": \"Y\", \"dob\": \"1980-01-01\","
        " \"address_public\": true, \"immigration_status\": {\"status\":"
        " \"lawful_permanent_resident\", \"proof_provided\": true}}}";
    parse_record(doc2, &rec);
    c = cust_desk_case_from_booking(&rec.b, "us-tx", 20000, "detainer", CUST_ASK_HOLD, 0);
    cust_record_release(&rec);
    s = json_object_get(c, "subject");
    assert_true(json_is_true(json_object_get(s, "address_public")));
    json_t *im = json_object_get(s, "immigration_status");
    assert_string_equal(sget(im, "status"), "lawful_permanent_resident");
    assert_true(json_is_true(json_object_get(im, "proof_provided")));
    json_decref(c);
    const char *doc3 = RECORD_HEAD
        "\"person\": {\"last_name\": \"X\", \"first_name\": \"Y\", \"dob\": \"1980-01-01\","
        " \"immigration_status\": \"green card\"}}";
    parse_record(doc3, &rec);
    c = cust_desk_case_from_booking(&rec.b, "us-tx", 20000, "detainer", CUST_ASK_HOLD, 0);
    cust_record_release(&rec);
    assert_null(json_object_get(json_object_get(c, "subject"), "immigration_status"));
    json_decref(c);
    /* a request about no one (a subpoena): every fact unknown */
    c = cust_desk_case_from_booking(NULL, NULL, 0, "administrative_subpoena", 0, 0);
    assert_non_null(c);
    s = json_object_get(c, "subject");
    assert_string_equal(sget(json_object_get(s, "citizenship"), "status"), "unknown");
    assert_int_equal(json_array_size(json_object_get(s, "convictions")), 0);
    json_decref(c);
}

/* ---- expiry (cust_desk_sweep) ------------------------------------------------------------ */

struct sys_cnt {
    const char *object_id;
    int64_t n;
    bool purpose_ok;
};

static enum cust_status on_sys(const struct cust_ledger_row *r, void *arg)
{
    struct sys_cnt *c = arg;
    if (strcmp(r->actor, "system") == 0 && strcmp(r->action, "request.status") == 0 &&
        strcmp(r->object_id, c->object_id) == 0) {
        c->n++;
        c->purpose_ok = strncmp(r->purpose, "detainer_48h_after_release: ", 28) == 0 &&
                        strcmp(r->role, "system") == 0;
    }
    return CUST_OK;
}

static int64_t system_entries(struct fx *f, const char *id, bool *purpose_ok)
{
    struct sys_cnt c = {id, 0, false};
    int64_t hs;
    char hh[65];
    struct cust_err err = CUST_ERR_INIT;
    assert_int_equal(cust_store_ledger_each(f->s, on_sys, &c, &hs, hh, &err), CUST_OK);
    if (purpose_ok)
        *purpose_ok = c.purpose_ok;
    return c.n;
}

static size_t sweep_at(struct fx *f, const char *t, json_t **out)
{
    int64_t now;
    assert_true(cust_time_parse(t, &now, NULL));
    struct cust_err err = CUST_ERR_INIT;
    json_t *o = NULL;
    assert_int_equal(cust_desk_sweep(&f->d, now, &o, &err), CUST_OK);
    assert_non_null(o);
    size_t n = json_array_size(o);
    if (out)
        *out = o;
    else
        json_decref(o);
    return n;
}

static const char *status_of(struct fx *f, const char *id, char buf[16])
{
    json_t *j = show(f, id);
    snprintf(buf, 16, "%s", sget(j, "status"));
    json_decref(j);
    return buf;
}

/* Import a new version of a fixture booking with released_at set (the person left custody). */
static void release_booking(struct fx *f, const char *bn, const char *released_at)
{
    char path[600];
    snprintf(path, sizeof(path), "%s/tests/data/desk/county.jsonl", src_dir());
    FILE *in = fopen(path, "r");
    assert_non_null(in);
    char line[8192], key[64];
    snprintf(key, sizeof(key), "\"booking_number\": \"%s\"", bn);
    json_t *rec = NULL;
    while (!rec && fgets(line, sizeof(line), in))
        if (strstr(line, key))
            rec = json_loads(line, 0, NULL);
    fclose(in);
    assert_non_null(rec);
    json_object_set_new(rec, "released_at", json_string(released_at));
    json_object_set_new(rec, "release_reason", json_string("sentence_completed"));
    snprintf(path, sizeof(path), "%s/release-%s.jsonl", f->dir, bn);
    FILE *out = fopen(path, "w");
    assert_non_null(out);
    assert_int_equal(json_dumpf(rec, out, JSON_COMPACT), 0);
    fputc('\n', out);
    assert_int_equal(fclose(out), 0);
    json_decref(rec);
    struct cust_err err = CUST_ERR_INIT;
    struct cust_import_opts io = {.path = path, .actor = "loader"};
    struct cust_import_stats ist;
    assert_int_equal(cust_import_file(f->s, &io, &ist, &err), CUST_OK);
}

static void test_sweep_expires_passed_windows(void **state)
{
    struct fx *f = *state;
    struct cust_err err = CUST_ERR_INIT;
    json_t *out = NULL;
    char st[16];
    /* a: matched to 1001 (release 07-03, window ends 2025-07-08T07:00:00Z), no action */
    char a[CUST_REQUEST_ID_MAX], b[CUST_REQUEST_ID_MAX], c[CUST_REQUEST_ID_MAX];
    char w[CUST_REQUEST_ID_MAX], u[CUST_REQUEST_ID_MAX], dd[CUST_REQUEST_ID_MAX];
    add(f, DETAINER("{\"booking_number\": \"1001\"}"), a);
    /* b: matched to 1002 (release 09-01): its window is still open in July */
    add(f, DETAINER("{\"booking_number\": \"1002\"}"), b);
    /* c: acted on (notify done): never expired */
    add(f, DETAINER("{\"booking_number\": \"1001\"}"), c);
    decide_ok(f, c);
    struct cust_desk_act act = {.action = "notify", .by = "sgt"};
    assert_int_equal(cust_desk_act(&f->d, c, &act, &out, &err), CUST_OK);
    json_decref(out);
    /* dd: decided, not acted: expires like a */
    add(f, DETAINER("{\"booking_number\": \"1001\"}"), dd);
    decide_ok(f, dd);
    /* x: acted on only by declining (the hold declined, as a California jail does): it is over
     * when the window passes, like a */
    char x[CUST_REQUEST_ID_MAX];
    add(f, DETAINER("{\"booking_number\": \"1001\"}"), x);
    decide_ok(f, x);
    struct cust_desk_act decline = {.action = "hold", .by = "sgt", .decline = true};
    assert_int_equal(cust_desk_act(&f->d, x, &decline, &out, &err), CUST_OK);
    json_decref(out);
    assert_string_equal(status_of(f, x, st), "acted");
    /* n3: matched to 1003, which states no release date: counted from receipt until the record
     * says the person was released, then its hold window passes like a's */
    char n3[CUST_REQUEST_ID_MAX];
    add(f, DETAINER("{\"booking_number\": \"1003\"}"), n3);
    /* w: withdrawn: untouched */
    add(f, DETAINER("{\"booking_number\": \"1001\"}"), w);
    assert_int_equal(cust_desk_set_status(&f->d, w, "withdrawn", "issuer withdrew", &err), CUST_OK);
    /* u: no person matched: its window is counted from receipt, not a hold window */
    add(f, DETAINER("{\"last_name\": \"NOBODY\", \"dob\": \"1950-01-01\"}"), u);
    /* late: received 07-20, after 1001's window ended: a sweep as of an earlier time leaves it */
    char late[CUST_REQUEST_ID_MAX];
    add(f,
        "{\"kind\": \"detainer\", \"form\": \"I-247A\", \"requester\": {\"agency\": \"ICE\"},"
        " \"received_at\": \"2025-07-20T10:00:00-07:00\", \"subject\": {\"booking_number\":"
        " \"1001\"}}",
        late);

    /* still in custody past its stated release date (07-03): the detainer stays open */
    assert_int_equal(sweep_at(f, "2025-07-18T19:00:00Z", NULL), 0);
    /* released 07-03 00:00 PDT: Thursday, then the 4th of July and a weekend: the window ends
     * Tuesday 2025-07-08 00:00 PDT */
    release_booking(f, "1001", "2025-07-03T00:00:00-07:00");
    release_booking(f, "1003", "2025-07-03T00:00:00-07:00");
    /* one second before the window ends: nothing */
    assert_int_equal(sweep_at(f, "2025-07-08T06:59:59Z", NULL), 0);
    assert_int_equal(sweep_at(f, "2025-07-08T07:00:00Z", NULL), 0); /* the last instant */
    assert_string_equal(status_of(f, a, st), "matched");
    /* passed: a, dd, x and n3 expire, once */
    assert_int_equal(sweep_at(f, "2025-07-08T07:00:01Z", &out), 4);
    assert_string_equal(sget(json_array_get(out, 0), "rule"), "detainer_48h_after_release");
    assert_string_equal(sget(json_array_get(out, 0), "deadline"), "2025-07-08T07:00:00Z");
    json_decref(out);
    json_t *j = show(f, a);
    assert_string_equal(sget(j, "status"), "expired");
    assert_non_null(strstr(sget(j, "status_reason"), "detainer_48h_after_release"));
    json_decref(j);
    assert_string_equal(status_of(f, dd, st), "expired");
    j = show(f, x);
    assert_string_equal(sget(j, "status"), "expired");
    assert_non_null(strstr(sget(j, "status_reason"), "after it was declined"));
    json_decref(j);
    assert_string_equal(status_of(f, b, st), "matched");
    assert_string_equal(status_of(f, c, st), "acted");
    assert_string_equal(status_of(f, w, st), "withdrawn");
    assert_string_equal(status_of(f, u, st), "received");
    assert_string_equal(status_of(f, late, st), "matched");
    /* twice: nothing more, one ledger entry each, by the system, naming the rule */
    assert_int_equal(sweep_at(f, "2025-07-18T19:00:00Z", NULL), 0);
    bool purpose_ok = false;
    assert_int_equal(system_entries(f, a, &purpose_ok), 1);
    assert_true(purpose_ok);
    assert_int_equal(system_entries(f, dd, NULL), 1);
    assert_int_equal(system_entries(f, x, NULL), 1);
    assert_int_equal(system_entries(f, n3, NULL), 1);
    assert_string_equal(status_of(f, n3, st), "expired");
    assert_int_equal(system_entries(f, c, NULL), 0);
    assert_int_equal(system_entries(f, w, NULL), 0);
    /* an expired request takes no action */
    assert_int_equal(cust_desk_act(&f->d, a, &act, &out, &err), CUST_ECONFLICT);
    /* later, 1002 is released (Labor Day, then two business days) and b's window passes too;
     * the acted, withdrawn and unmatched ones still stay */
    release_booking(f, "1002", "2025-09-01T00:00:00-07:00");
    assert_int_equal(sweep_at(f, "2025-12-01T00:00:00Z", NULL), 2);
    assert_string_equal(status_of(f, late, st), "expired");
    assert_string_equal(status_of(f, b, st), "expired");
    assert_string_equal(status_of(f, c, st), "acted");
    assert_string_equal(status_of(f, w, st), "withdrawn");
    assert_string_equal(status_of(f, u, st), "received");
    assert_int_equal(system_entries(f, b, NULL), 1);
    ledger_ok(f);
}

/* Nothing to expire: an empty list, no ledger entry. */
static void test_sweep_empty_store(void **state)
{
    struct fx *f = *state;
    assert_int_equal(sweep_at(f, "2030-01-01T00:00:00Z", NULL), 0);
    ledger_ok(f);
}

static void test_case_leaves_out_later_convictions(void **state)
{
    (void)state;
    const char *doc = RECORD_HEAD
        "\"person\": {\"last_name\": \"X\", \"first_name\": \"Y\", \"dob\": \"1980-01-01\"},"
        " \"prior_convictions\": ["
        "{\"code\": \"PC 211\", \"level\": \"felony\", \"date\": \"2015-06-01\"},"
        "{\"code\": \"PC 459\", \"level\": \"felony\", \"date\": \"2015-06-02\"},"
        "{\"code\": \"PC 245\", \"level\": \"felony\", \"date\": \"2016-XX-XX\"},"
        "{\"code\": \"PC 187\", \"level\": \"felony\", \"date\": \"2015-XX-XX\"},"
        "{\"code\": \"PC 484\", \"level\": \"misdemeanor\"}]}";
    struct cust_record rec;
    parse_record(doc, &rec);
    int32_t day;
    assert_true(cust_date_parse("2015-06-01", &day));
    json_t *c = cust_desk_case_from_booking(&rec.b, "us-ca", day, "detainer", CUST_ASK_HOLD, 0);
    assert_non_null(c);
    json_t *cv = json_object_get(json_object_get(c, "subject"), "convictions");
    /* kept: the day itself, 2015-XX-XX (earliest 2015-01-01) and the undated one */
    assert_int_equal(json_array_size(cv), 3);
    assert_string_equal(sget(json_array_get(cv, 0), "code"), "PC 211");
    assert_string_equal(sget(json_array_get(cv, 1), "code"), "PC 187");
    assert_string_equal(sget(json_array_get(cv, 2), "code"), "PC 484");
    /* the engine takes the case (it refuses one with a later conviction) */
    char path[512];
    snprintf(path, sizeof(path), "%s/policies", src_dir());
    struct cust_policy_resolver *r = NULL;
    struct cust_err err = CUST_ERR_INIT;
    assert_int_equal(cust_policy_resolver_new(path, 0, &r, &err), CUST_OK);
    struct cust_decision *d = cust_decision_new();
    struct cust_diag diag = CUST_DIAG_INIT;
    json_t *dec = NULL;
    assert_int_equal(cust_policy_decide_json(r, NULL, NULL, c, 0, d, &dec, &diag, &err), CUST_OK);
    json_decref(dec);
    /* the same record as of a day before everything: no dated conviction */
    json_decref(c);
    assert_true(cust_date_parse("2014-12-31", &day));
    c = cust_desk_case_from_booking(&rec.b, "us-ca", day, "detainer", CUST_ASK_HOLD, 0);
    cust_record_release(&rec);
    cv = json_object_get(json_object_get(c, "subject"), "convictions");
    assert_int_equal(json_array_size(cv), 1);
    assert_string_equal(sget(json_array_get(cv, 0), "code"), "PC 484");
    /* a later conviction put in by hand is refused by the engine */
    json_array_append_new(
        cv, json_pack("{s:s,s:s,s:s}", "code", "PC 211", "level", "felony", "date", "2016-03-02"));
    assert_int_equal(cust_policy_decide_json(r, NULL, NULL, c, 0, d, &dec, &diag, &err),
                     CUST_EINVAL);
    assert_non_null(strstr(err.msg, "after as_of"));
    cust_diag_release(&diag);
    json_decref(c);
    cust_decision_free(d);
    cust_policy_resolver_free(r);
}

int main(void)
{
    /* the test county is in California: the desk counts its days in Los Angeles */
    struct cust_err zerr = CUST_ERR_INIT;
    if (cust_time_zone_set("America/Los_Angeles", &zerr) != CUST_OK)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_invalid_request_stores_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ids_and_documents, setup, teardown),
        cmocka_unit_test_setup_teardown(test_strong_match_links_and_window, setup, teardown),
        cmocka_unit_test_setup_teardown(test_conflicting_strong_ids_wait, setup, teardown),
        cmocka_unit_test_setup_teardown(test_weak_match_waits_for_confirmation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_overdue_first, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lifecycle_and_final_states, setup, teardown),
        cmocka_unit_test_setup_teardown(test_detainer_decide_act_refuse, setup, teardown),
        cmocka_unit_test_setup_teardown(test_notify_prohibited_without_record, setup, teardown),
        cmocka_unit_test_setup_teardown(test_citizen_flagged_for_review, setup, teardown),
        cmocka_unit_test_setup_teardown(test_interview_needs_consent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transfers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fulfil_doj_letter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fulfil_csv, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fulfil_cache_same_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fulfil_shapes_same_rows_generated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fulfil_rows_as_jansson, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fulfil_notice_names_attorney, setup, teardown),
        cmocka_unit_test_setup_teardown(test_notices_as_golden, setup, teardown),
        cmocka_unit_test_setup_teardown(test_case_keys_as_golden, setup, teardown),
        cmocka_unit_test_setup_teardown(test_disclosure_rehashed_row, setup, teardown),
        cmocka_unit_test_setup_teardown(test_subpoena_routed_to_counsel, setup, teardown),
        cmocka_unit_test_setup_teardown(test_law_duty_owed_to_is_data, setup, teardown),
        cmocka_unit_test_setup_teardown(test_law_duty_when_from_table_promises_copy, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_court_order_in_full, setup, teardown),
        cmocka_unit_test_setup_teardown(test_close_and_expire_paths, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unconfirmed_person_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_admin_warrant_arrest_prohibited, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duty_deadline_skips_holiday, setup, teardown),
        cmocka_unit_test(test_case_from_booking),
        cmocka_unit_test_setup_teardown(test_law_hold_window_is_data, setup, teardown),
        cmocka_unit_test_setup_teardown(test_law_transfer_basis_per_policy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sweep_expires_passed_windows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sweep_empty_store, setup, teardown),
        cmocka_unit_test(test_case_leaves_out_later_convictions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
