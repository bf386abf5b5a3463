/* Unit tests for src/records: statute codes, as-of rule, parsing and validation, diffs. */
#include "custodian/compat.h"
#include "custodian/date.h"
#include "custodian/records.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

static const char good[] =
    "{\"booking_number\": \"B1\", \"booked_at\": \"2025-03-14T23:22:00-07:00\","
    " \"facility\": \"MCJ\", \"person\": {\"person_id\": \"P1\", \"last_name\": \"GARCIA\","
    " \"first_name\": \"JOSE\", \"dob\": \"1988-04-XX\", \"ids\": {\"cii\": \"A1\", \"fbi\": null},"
    " \"citizenship\": {\"status\": \"non_citizen\", \"country\": \"MX\", \"source\": \"document\","
    " \"verified\": true, \"recorded_at\": \"2025-03-14\"}, \"x_unknown\": 1},"
    " \"charges\": [{\"code\": \"pc245 (A)(1)\", \"level\": \"felony\", \"status\": \"hold\","
    " \"bail_cents\": 100}],"
    " \"sentence\": {\"imposed_on\": \"2025-05-01\", \"term_days\": 30},"
    " \"scheduled_release\": \"2025-05-31\", \"released_at\": null}";

/* Records store every code in the one canonical form (custodian/statute.h), charges and priors
 * alike, so the public view, the desk and the policy tables agree on it. */
static void test_statute_codes_canonical(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"pc245 (A)(1)", "PC 245(a)(1)"},
        {"187 PC", "PC 187"},
        {"H&S 11350", "HS 11350"},
        {"8 U.S.C. 1326", "8 USC 1326"},
        {"VC23152(B)", "VC 23152(b)"},
        {"PC 245 \u2013 1", "PC 245 \u2013 1"}, /* unreadable: kept as written */
    };
    for (size_t i = 0; i < CUST_ARRAY_LEN(cases); i++) {
        char line[512];
        snprintf(
            line, sizeof(line),
            "{\"booking_number\": \"B1\", \"booked_at\": \"2025-03-14T10:00:00Z\","
            " \"person\": {\"last_name\": \"A\", \"first_name\": \"B\", \"dob\": \"1990-01-01\"},"
            " \"charges\": [{\"code\": \"%s\", \"status\": \"pending\"}],"
            " \"prior_convictions\": [{\"code\": \"%s\", \"level\": \"felony\"}]}",
            cases[i][0], cases[i][0]);
        struct cust_record r;
        struct cust_diag d = CUST_DIAG_INIT;
        assert_int_equal(cust_record_parse(line, strlen(line), &r, &d), CUST_OK);
        const char *want = cases[i][1];
        char decoded[64];
        if (strstr(want, "\\u2013")) { /* the JSON escape decodes to the UTF-8 en dash */
            snprintf(decoded, sizeof(decoded), "PC 245 \xe2\x80\x93 1");
            want = decoded;
        }
        assert_string_equal(r.b.charges[0].code, want);
        assert_string_equal(r.b.priors[0].code, want);
        cust_record_release(&r);
        cust_diag_release(&d);
    }
}

static void test_in_custody_boundaries(void **state)
{
    (void)state;
    int32_t d = cust_days_from_civil(2025, 3, 15);
    assert_true(cust_in_custody(d, CUST_NO_DAY, d));      /* booked on D: in custody */
    assert_false(cust_in_custody(d, CUST_NO_DAY, d - 1)); /* not before */
    assert_true(cust_in_custody(d, d + 5, d + 4));        /* day before release */
    assert_false(cust_in_custody(d, d + 5, d + 5));       /* released on D: not in custody */
    assert_false(cust_in_custody(d, d, d));               /* same-day release */
}

static void test_parse_good(void **state)
{
    (void)state;
    struct cust_record r;
    struct cust_diag d = CUST_DIAG_INIT;
    assert_int_equal(cust_record_parse(good, strlen(good), &r, &d), CUST_OK);
    assert_int_equal(cust_diag_count(&d), 0);
    assert_string_equal(r.b.booking_number, "B1");
    /* local day of booked_at at its own offset: the 14th, though it is the 15th in UTC */
    assert_int_equal(r.b.booked_day, cust_days_from_civil(2025, 3, 14));
    assert_int_equal(r.b.released_day, CUST_NO_DAY);
    assert_string_equal(r.b.person.person_key, "P1");
    assert_string_equal(r.b.person.dob, "1988-04-XX");
    assert_string_equal(r.b.person.cii, "A1");
    assert_null(r.b.person.fbi);
    assert_true(r.b.person.has_citizenship);
    assert_string_equal(r.b.person.citizenship.source, "document");
    assert_int_equal(r.b.person.citizenship.verified, 1);
    assert_int_equal(r.b.n_charges, 1);
    assert_string_equal(r.b.charges[0].code, "PC 245(a)(1)");
    assert_string_equal(r.b.charges[0].status, "hold");
    assert_int_equal(r.b.charges[0].bail_cents, 100);
    assert_int_equal(r.b.charges[0].held_to_answer, -1);
    assert_true(r.b.has_sentence);
    assert_int_equal(r.b.sentence_term_days, 30);
    assert_int_not_equal(r.b.computed_release, CUST_NO_DAY);
    assert_non_null(r.b.release_rule);
    /* the doc is the line itself, unknown fields included */
    assert_ptr_equal(r.b.doc, good);
    int32_t sched = cust_days_from_civil(2025, 5, 31);
    assert_int_equal(r.b.release_disagreement, r.b.computed_release != sched);
    cust_record_release(&r);
    cust_diag_release(&d);
}

/* The attorney of record, as the notices name them: kept as sent, never an error. */
static void test_parse_attorney(void **state)
{
    (void)state;
    static const char *const lines[][2] = {
        {"\"attorney\": {\"name\": \"ANA RUIZ\", \"phone\": \"555-0100\", \"address\": \"1 Court"
         " St\"}",
         "ANA RUIZ, 555-0100, 1 Court St"},
        {"\"attorney\": {\"name\": \"ANA RUIZ\", \"phone\": \"\", \"address\": \"1 Court St\"}",
         "ANA RUIZ, 1 Court St"},
        {"\"attorney\": {\"name\": \"ANA RUIZ\", \"phone\": 5550100}", "ANA RUIZ"},
        {"\"attorney\": {\"name\": \"\"}", NULL},
        {"\"attorney\": \"ANA RUIZ\"", NULL},
        {"\"attorney\": null", NULL},
    };
    for (size_t i = 0; i < CUST_ARRAY_LEN(lines); i++) {
        char line[512];
        snprintf(line, sizeof(line),
                 "{\"booking_number\": \"B1\", \"booked_at\": \"2025-03-14T22:00:00-07:00\","
                 " \"person\": {\"last_name\": \"A\", \"first_name\": \"B\", \"dob\":"
                 " \"1988-04-02\"}, %s}",
                 lines[i][0]);
        struct cust_record r;
        struct cust_diag d = CUST_DIAG_INIT;
        assert_int_equal(cust_record_parse(line, strlen(line), &r, &d), CUST_OK);
        if (lines[i][1])
            assert_string_equal(r.b.attorney, lines[i][1]);
        else
            assert_null(r.b.attorney);
        cust_record_release(&r);
        cust_diag_release(&d);
    }
}

static void test_parse_collects_every_problem(void **state)
{
    (void)state;
    const char *bad = "{\"booked_at\": \"2025-13-01T00:00:00Z\", \"person\": {\"last_name\": \"\","
                      " \"dob\": \"1990-02-30\", \"citizenship\": {\"status\": \"citizen\"}},"
                      " \"charges\": [{\"code\": \"PC 1\", \"status\": \"open\"}, 7]}";
    struct cust_record r;
    struct cust_diag d = CUST_DIAG_INIT;
    assert_int_equal(cust_record_parse(bad, strlen(bad), &r, &d), CUST_EINVAL);
    const char *want[] = {"booking_number: required",
                          "booked_at: '2025-13-01T00:00:00Z' is not an RFC 3339 date-time",
                          "person.last_name: must not be empty",
                          "person.first_name: required",
                          "person.dob: '1990-02-30' is not a date",
                          "person.citizenship.source: required when status is 'citizen'",
                          "person.citizenship.recorded_at: required when status is 'citizen'",
                          "charges[0].status: 'open' is not one of",
                          "charges[1]: must be an object, not an integer"};
    for (size_t i = 0; i < CUST_ARRAY_LEN(want); i++) {
        bool found = false;
        for (size_t j = 0; j < d.n; j++)
            found |= strncmp(d.lines[j], want[i], strlen(want[i])) == 0;
        if (!found)
            fail_msg("missing problem '%s'", want[i]);
    }
    assert_int_equal(cust_diag_count(&d), CUST_ARRAY_LEN(want));
    assert_null(r.root);
    cust_diag_release(&d);
}

static void test_parse_rejects_non_objects(void **state)
{
    (void)state;
    const char *inputs[] = {"", "[1]", "\"x\"", "{\"a\":1,\"a\":2}", "{", "nul"};
    for (size_t i = 0; i < CUST_ARRAY_LEN(inputs); i++) {
        struct cust_record r;
        struct cust_diag d = CUST_DIAG_INIT;
        assert_int_equal(cust_record_parse(inputs[i], strlen(inputs[i]), &r, &d), CUST_EINVAL);
        assert_true(cust_diag_count(&d) >= 1);
        assert_memory_equal(d.lines[0], "$: ", 3);
        cust_diag_release(&d);
    }
}

static void test_released_before_booked(void **state)
{
    (void)state;
    const char *line = "{\"booking_number\": \"B\", \"booked_at\": \"2025-03-14T10:00:00Z\","
                       " \"released_at\": \"2025-03-14T09:59:59Z\", \"person\": {\"last_name\":"
                       " \"A\", \"first_name\": \"B\", \"dob\": \"1990-01-01\"}}";
    struct cust_record r;
    struct cust_diag d = CUST_DIAG_INIT;
    assert_int_equal(cust_record_parse(line, strlen(line), &r, &d), CUST_EINVAL);
    assert_int_equal(cust_diag_count(&d), 1);
    assert_memory_equal(d.lines[0], "released_at: ", 13);
    cust_diag_release(&d);
}

static void test_citizenship_defaults(void **state)
{
    (void)state;
    const char *line = "{\"booking_number\": \"B\", \"booked_at\": \"2025-03-14T10:00:00Z\","
                       " \"person\": {\"last_name\": \"A\", \"first_name\": \"B\","
                       " \"dob\": \"1990-01-01\", \"citizenship\": {\"country\": \"MX\"}}}";
    struct cust_record r;
    struct cust_diag d = CUST_DIAG_INIT;
    assert_int_equal(cust_record_parse(line, strlen(line), &r, &d), CUST_OK);
    assert_string_equal(r.b.person.citizenship.status, "unknown"); /* default */
    assert_int_equal(r.b.person.citizenship.verified, -1);
    assert_false(r.b.release_disagreement);
    assert_int_equal(r.b.computed_release, CUST_NO_DAY); /* no sentence, nothing computed */
    cust_record_release(&r);
    cust_diag_release(&d);
}

static void test_changed_fields(void **state)
{
    (void)state;
    char *c =
        cust_record_changed("{\"a\":1,\"b\":[1],\"person\":{\"x\":1,\"y\":2},\"gone\":0}",
                            "{\"a\":1,\"b\":[2],\"person\":{\"x\":1,\"y\":3,\"z\":0},\"new\":1}");
    assert_string_equal(c, "[\"b\",\"person.y\",\"person.z\",\"new\",\"gone\"]");
    free(c);
    /* key order and whitespace do not make a change */
    assert_null(cust_record_changed("{\"a\":1, \"b\":2}", "{\"b\":2,\"a\":1}"));
}

/* A line outside the fast reader's subset (a real number, a surrogate pair, a large integer)
 * goes through jansson and gives the same record; escapes and whitespace give the same
 * compact aliases/flags text as jansson's dump. */
static void test_parse_fast_and_fallback_agree(void **state)
{
    (void)state;
    static const char *const lines[] = {
        "{\"booking_number\":\"B1\",\"booked_at\":\"2025-03-14T10:00:00Z\",\"person\":"
        "{\"last_name\":\"P\\u00c9REZ\",\"first_name\":\"A\",\"dob\":\"1990-01-02\","
        "\"aliases\":[{\"last_name\":\"X\",\"n\":-0}]},\"charges\":[],"
        "\"prior_convictions\":[{\"code\":\"PC 211\",\"flags\":{\"serious\":true}}]}",
        /* the same booking with whitespace and a real number in an unknown field (jansson) */
        " { \"booking_number\" : \"B1\", \"booked_at\": \"2025-03-14T10:00:00Z\", \"person\":"
        " {\"last_name\": \"P\u00c9REZ\", \"first_name\": \"A\", \"dob\": \"1990-01-02\","
        " \"aliases\": [ {\"last_name\": \"X\", \"n\": 0} ], \"x\": 1.5},"
        " \"charges\": [], \"prior_convictions\": [{\"code\": \"PC 211\","
        " \"flags\": { \"serious\" : true }}], \"big\": 123456789012345678} ",
    };
    for (size_t i = 0; i < CUST_ARRAY_LEN(lines); i++) {
        struct cust_record r;
        struct cust_diag d = CUST_DIAG_INIT;
        assert_int_equal(cust_record_parse(lines[i], strlen(lines[i]), &r, &d), CUST_OK);
        assert_int_equal(i == 0 ? r.root == NULL : r.root != NULL, 1); /* fast vs jansson */
        assert_string_equal(r.b.booking_number, "B1");
        assert_string_equal(r.b.person.last_name, "P\xc3\x89REZ");
        assert_string_equal(r.b.person.aliases_json, "[{\"last_name\":\"X\",\"n\":0}]");
        assert_int_equal(r.b.n_priors, 1);
        assert_string_equal(r.b.priors[0].flags_json, "{\"serious\":true}");
        cust_record_release(&r);
        cust_diag_release(&d);
    }
    /* stricter cases the fast reader leaves to jansson keep jansson's verdict and message */
    static const char *const bad[] = {"{\"a\":\"\\u0000\"}", "{\"a\":1e999}",
                                      "{\"a\":99999999999999999999}", "{\"a\":\"\\ud800\"}"};
    for (size_t i = 0; i < CUST_ARRAY_LEN(bad); i++) {
        struct cust_record r;
        struct cust_diag d = CUST_DIAG_INIT;
        assert_int_equal(cust_record_parse(bad[i], strlen(bad[i]), &r, &d), CUST_EINVAL);
        assert_memory_equal(d.lines[0], "$: not valid JSON: ", 19);
        cust_diag_release(&d);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_statute_codes_canonical),
        cmocka_unit_test(test_in_custody_boundaries),
        cmocka_unit_test(test_parse_good),
        cmocka_unit_test(test_parse_attorney),
        cmocka_unit_test(test_parse_collects_every_problem),
        cmocka_unit_test(test_parse_rejects_non_objects),
        cmocka_unit_test(test_released_before_booked),
        cmocka_unit_test(test_citizenship_defaults),
        cmocka_unit_test(test_changed_fields),
        cmocka_unit_test(test_parse_fast_and_fallback_agree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
