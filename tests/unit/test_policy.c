/* Unit tests for src/policy: code normalization, the language's errors, overlays, threads. */
#include "custodian/compat.h"

#include "custodian/date.h"
#include "custodian/policy.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

static const char *policies(void)
{
    const char *s = getenv("CUST_SOURCE_DIR");
    static char buf[4096];
    snprintf(buf, sizeof(buf), "%s/policies", s ? s : CUST_SOURCE_DIR);
    return buf;
}

static void expect_parse_error(const char *text, const char *want)
{
    struct cust_policy *p = NULL;
    struct cust_err err = CUST_ERR_INIT;
    assert_int_equal(cust_policy_parse("t.policy", text, strlen(text), NULL, &p, &err),
                     CUST_EINVAL);
    assert_null(p);
    if (!strstr(err.msg, want)) {
        fprintf(stderr, "got: %s\nwant: %s\n", err.msg, want);
        fail();
    }
}

#define HEAD                                                                                       \
    "policy t\nversion 2020-01-01 \"v\"\nsource s\n  cite \"c\"\n  url \"u\"\n  checked "          \
    "2020-01-01\n  confidence C\n"

static void test_parse_errors(void **state)
{
    (void)state;
    expect_parse_error("version 2020-01-01 \"v\"\n", "t.policy:1:1: missing 'policy ID' line");
    expect_parse_error(HEAD "rule r\n  cite s\n  when kind = bogus\n  then hold prohibited\n",
                       "t.policy:10:15: unknown kind 'bogus'");
    expect_parse_error(HEAD "rule r\n  cite nope\n", "t.policy:9:8: unknown source 'nope'");
    expect_parse_error(HEAD "rule r\n  cite s\n  when true\n",
                       "rule 'r' has no 'then', 'duty' or 'need'");
    expect_parse_error(HEAD "rule r\n  cite s\n  then hold prohibited\n", "rule 'r' has no 'when'");
    expect_parse_error(HEAD "rule r\n  cite s\n  when level = felony\n  then hold prohibited\n",
                       "'level' describes a conviction or charge: use it inside any/all");
    expect_parse_error(HEAD "rule r\n  cite s\n  when true\n  then hold maybe\n",
                       "expected a verdict (required, permitted, prohibited)");
    expect_parse_error(HEAD "rule a\n  cite s\n  when true\n  then hold prohibited\n  overrides b\n"
                            "rule b\n  cite s\n  when true\n  then hold permitted\n  overrides a\n",
                       "overrides itself through a cycle");
    expect_parse_error(HEAD "rule a\n  cite s\n  when true\n  then hold prohibited\n  overrides b\n"
                            "rule b\n  cite s\n  when true\n  then notify permitted\n",
                       "decides none of its actions or items");
    expect_parse_error(HEAD "source s\n", "source 's' declared twice");
    expect_parse_error(HEAD "fact f = \"x\n", "unterminated string");
    expect_parse_error(HEAD "table t \"../etc/passwd\" key x\n",
                       "relative to the policy directory");
    expect_parse_error(HEAD "rule r\n  cite s\n  when allows hold\n  then hold prohibited\n",
                       "'allows' may only be used by duty-only rules");
    expect_parse_error("policy t\nversion 2020-01-01 \"a\"\nversion 2019-01-01 \"b\"\n",
                       "increasing date order");
    /* issue 8 language: need, the new case enumerations, dated */
    expect_parse_error(HEAD "rule r\n  cite s\n  when true\n  then hold prohibited\n"
                            "  need citizenship.verified\n",
                       "'need' only in rules without 'then'");
    expect_parse_error(HEAD "rule r\n  cite s\n  when true\n  need Bad!\n",
                       "expected the name of a case fact");
    expect_parse_error(HEAD "fact f = immigration_status = green_card\n",
                       "unknown immigration_status 'green_card'");
    expect_parse_error(HEAD "fact f = accompanying_warrant in [I-200, I-247]\n",
                       "unknown accompanying_warrant 'I-247'");
    expect_parse_error(HEAD "fact f = any convictions (dated after 2011-10-01)\n",
                       "expected 'before DATE' or 'from DATE' after 'dated'");
    expect_parse_error(HEAD "fact f = any convictions (dated before 2011-13-01)\n",
                       "expected a date (YYYY-MM-DD)");
    expect_parse_error(HEAD "fact f = dated before 2011-10-01\n",
                       "'dated' describes a conviction or charge");
    struct cust_buf b = CUST_BUF_INIT;
    assert_int_equal(cust_buf_puts(&b, HEAD "fact f ="), CUST_OK);
    for (int i = 0; i < 300; i++)
        assert_int_equal(cust_buf_puts(&b, " not"), CUST_OK);
    assert_int_equal(cust_buf_puts(&b, " true\n"), CUST_OK);
    expect_parse_error(b.buf, "condition nested too deeply");
    cust_buf_reset(&b);
    assert_int_equal(cust_buf_puts(&b, HEAD "fact f = true"), CUST_OK);
    for (int i = 0; i < 300; i++)
        assert_int_equal(cust_buf_puts(&b, " and true"), CUST_OK);
    assert_int_equal(cust_buf_puts(&b, "\n"), CUST_OK);
    expect_parse_error(b.buf, "condition too long");
    cust_buf_release(&b);
}

static void test_version_selection(void **state)
{
    (void)state;
    const char *text = HEAD "version 2021-06-01 \"w\"\n"
                            "rule r\n  cite s\n  when true\n  then hold prohibited\n"
                            "rule r2\n  cite s\n  effective 2021-06-01\n  when true\n"
                            "  then hold permitted\n  overrides r\n";
    struct cust_policy *p = NULL;
    struct cust_err err = CUST_ERR_INIT;
    assert_int_equal(cust_policy_parse("t.policy", text, strlen(text), NULL, &p, &err), CUST_OK);
    struct cust_decision *d = cust_decision_new();
    static const struct {
        const char *as_of;
        enum cust_status st;
        enum cust_verdict v;
    } cases[] = {{"2019-12-31", CUST_EINVAL, CUST_VERDICT_NONE},
                 {"2020-01-01", CUST_OK, CUST_VERDICT_PROHIBITED},
                 {"2021-05-31", CUST_OK, CUST_VERDICT_PROHIBITED},
                 {"2021-06-01", CUST_OK, CUST_VERDICT_PERMITTED}};
    for (size_t i = 0; i < CUST_ARRAY_LEN(cases); i++) {
        char js[256];
        snprintf(js, sizeof(js),
                 "{\"as_of\":\"%s\",\"request\":{\"kind\":\"detainer\",\"asks\":[\"hold\"]}}",
                 cases[i].as_of);
        struct cust_case *c = NULL;
        struct cust_diag dg = CUST_DIAG_INIT;
        assert_int_equal(cust_case_parse(js, strlen(js), &c, &dg), CUST_OK);
        assert_int_equal(cust_decide(p, c, 0, d, &err), cases[i].st);
        if (cases[i].st == CUST_OK)
            assert_int_equal(cust_decision_verdict(d, "hold"), cases[i].v);
        cust_case_free(c);
    }
    cust_decision_free(d);
    cust_policy_free(p);
}

struct worker {
    const struct cust_policy *p;
    const struct cust_case *c[2];
    int bad;
};

static void *work(void *arg)
{
    struct worker *w = arg;
    struct cust_decision *d = cust_decision_new();
    for (int i = 0; i < 2000; i++) {
        const struct cust_case *c = w->c[i % 2];
        if (cust_decide(w->p, c, (i % 3) ? CUST_DECIDE_TRACE : 0, d, NULL) != CUST_OK) {
            w->bad++;
            continue;
        }
        enum cust_verdict want = (i % 2) ? CUST_VERDICT_PERMITTED : CUST_VERDICT_PROHIBITED;
        if (cust_decision_verdict(d, "notify") != want)
            w->bad++;
    }
    cust_decision_free(d);
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    struct cust_policy *p = NULL;
    struct cust_err err = CUST_ERR_INIT;
    assert_int_equal(cust_policy_load(policies(), "us-ca", &p, &err), CUST_OK);
    static const char *const js[2] = {
        "{\"as_of\":\"2025-07-17\",\"request\":{\"kind\":\"notification_request\"},\"subject\":"
        "{\"convictions\":[{\"code\":\"PC "
        "32\",\"level\":\"felony\",\"date\":\"2005-01-01\",\"state_prison\":false}]}}",
        "{\"as_of\":\"2025-07-17\",\"request\":{\"kind\":\"notification_request\"},\"subject\":"
        "{\"convictions\":[{\"code\":\"PC 211\",\"level\":\"felony\",\"date\":\"2016-01-01\"}]}}"};
    struct cust_case *c[2];
    for (int i = 0; i < 2; i++) {
        struct cust_diag dg = CUST_DIAG_INIT;
        assert_int_equal(cust_case_parse(js[i], strlen(js[i]), &c[i], &dg), CUST_OK);
    }
    pthread_t th[4];
    struct worker w[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (struct worker){p, {c[0], c[1]}, 0};
        assert_int_equal(pthread_create(&th[i], NULL, work, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(w[i].bad, 0);
    }
    cust_case_free(c[0]);
    cust_case_free(c[1]);
    cust_policy_free(p);
}

/* The days us-ca compares a conviction's date with, as of 2025-07-17: 15 and 5 years back
 * (within 15y, within 5y), Realignment (dated before 2011-10-01), a qualified table value's
 * day (S[from 2026-01-01]) and as_of itself; ascending, each once. */
static void test_date_cuts(void **state)
{
    (void)state;
    struct cust_policy *p = NULL;
    struct cust_err err = CUST_ERR_INIT;
    assert_int_equal(cust_policy_load(policies(), "us-ca", &p, &err), CUST_OK);
    int32_t as_of, want[5];
    assert_true(cust_date_parse("2025-07-17", &as_of));
    static const char *const days[] = {"2010-07-17", "2011-10-01", "2020-07-17", "2025-07-17",
                                       "2026-01-01"};
    for (int i = 0; i < 5; i++)
        assert_true(cust_date_parse(days[i], &want[i]));
    size_t n = 0;
    int32_t *cuts = cust_policy_date_cuts(p, as_of, &n);
    for (int i = 0; i < 5; i++) {
        bool found = false;
        for (size_t k = 0; k < n; k++)
            found |= cuts[k] == want[i];
        assert_true(found);
    }
    for (size_t k = 1; k < n; k++)
        assert_true(cuts[k - 1] < cuts[k]);
    free(cuts);
    cust_policy_free(p);
}

static void test_overlay_refused(void **state)
{
    (void)state;
    struct cust_policy *p = NULL;
    struct cust_err err = CUST_ERR_INIT;
    char path[4096];
    const char *s = getenv("CUST_SOURCE_DIR");
    snprintf(path, sizeof(path), "%s/tests/policy/fixtures/widen.policy", s ? s : CUST_SOURCE_DIR);
    assert_int_equal(cust_policy_load(policies(), path, &p, &err), CUST_EINVAL);
    assert_non_null(strstr(err.msg, "widens the state policy"));
    /* the illustrative overlay is not shipped: not loadable by id, loadable by file */
    assert_int_equal(cust_policy_load(policies(), "us-ca/los-angeles", &p, &err), CUST_ENOTFOUND);
    char ex[4096];
    snprintf(ex, sizeof(ex), "%s/examples/us-ca/los-angeles.policy", policies());
    assert_int_equal(cust_policy_load(policies(), ex, &p, &err), CUST_OK);
    assert_string_equal(cust_policy_id(p), "us-ca/los-angeles");
    assert_int_equal(strlen(cust_policy_sha256(p)), 64);
    cust_policy_free(p);
    assert_int_equal(cust_policy_load(policies(), "../etc/passwd", &p, &err), CUST_ENOTFOUND);
    assert_int_equal(cust_policy_load(policies(), "us-zz", &p, &err), CUST_ENOTFOUND);
}

static void test_policy_set(void **state)
{
    (void)state;
    struct cust_policy_set *s = NULL;
    struct cust_err err = CUST_ERR_INIT;
    assert_int_equal(cust_policy_set_load(policies(), &s, &err), CUST_OK);
    /* shipped policies only: policies/examples/ is not part of the set */
    assert_int_equal(cust_policy_set_count(s), 4);
    assert_string_equal(cust_policy_set_id(s, 0), "us-ca");
    assert_string_equal(cust_policy_set_id(s, 1), "us-federal-default");
    assert_null(cust_policy_set_get(s, "us-ca/los-angeles"));
    const struct cust_policy *p = cust_policy_set_get(s, "us-ca");
    assert_non_null(p);
    assert_string_equal(cust_policy_id(p), "us-ca");
    assert_non_null(cust_policy_set_get(s, "us-federal-default"));
    assert_null(cust_policy_set_get(s, "us-zz"));
    cust_policy_set_free(s);
    assert_int_equal(cust_policy_set_load("/nonexistent-dir", &s, &err), CUST_ENOTFOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_errors), cmocka_unit_test(test_version_selection),
        cmocka_unit_test(test_threads),      cmocka_unit_test(test_overlay_refused),
        cmocka_unit_test(test_date_cuts),    cmocka_unit_test(test_policy_set),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
