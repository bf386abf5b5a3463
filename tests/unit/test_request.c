/* Unit tests for request intake validation (spec/requests.md). */
#include "custodian/compat.h"
#include "custodian/date.h"
#include "custodian/request.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

static json_t *load(const char *name)
{
    char path[4096];
    const char *src = getenv("CUST_SOURCE_DIR");
    snprintf(path, sizeof(path), "%s/tests/data/requests/%s", src ? src : CUST_SOURCE_DIR, name);
    json_error_t jerr;
    json_t *j = json_load_file(path, 0, &jerr);
    assert_non_null(j);
    return j;
}

static void test_detainer_valid(void **state)
{
    (void)state;
    json_t *j = load("detainer.json");
    struct cust_request r;
    struct cust_diag d = CUST_DIAG_INIT;
    assert_int_equal(cust_request_parse(j, &r, &d), CUST_OK);
    assert_int_equal(cust_diag_count(&d), 0);
    assert_int_equal(r.kind, CUST_REQ_DETAINER);
    assert_int_equal(r.asks, CUST_ASK_HOLD | CUST_ASK_NOTIFY);
    assert_true(r.has_subject);
    assert_false(r.has_scope);
    assert_false(r.has_due);
    assert_string_equal(r.subject.booking_number, "6012345");
    assert_string_equal(r.subject.a_number, "A123456789");
    assert_string_equal(r.agency, "ICE");
    assert_int_equal(r.received_offset, -480);
    assert_int_equal(r.ndocuments, 1);
    assert_int_equal(r.documents[0].content, NULL);
    cust_request_release(&r);
    json_decref(j);
}

static void test_doj_letter_valid(void **state)
{
    (void)state;
    json_t *j = load("doj-letter.json");
    struct cust_request r;
    struct cust_diag d = CUST_DIAG_INIT;
    assert_int_equal(cust_request_parse(j, &r, &d), CUST_OK);
    assert_int_equal(r.kind, CUST_REQ_INFORMATION);
    assert_int_equal(r.asks, 0);
    assert_int_equal(r.items, CUST_ITEM_BOOKING_FACTS | CUST_ITEM_CHARGES | CUST_ITEM_CONVICTIONS |
                                  CUST_ITEM_RELEASE_DATE);
    assert_true(r.has_scope);
    int32_t asof;
    assert_true(cust_date_parse("2025-07-17", &asof));
    assert_int_equal(r.scope.as_of, asof);
    assert_string_equal(r.scope.citizenship, "non_citizen");
    /* due "2025-08-16" = the end of that day in the county's time zone (Los Angeles, -07:00) */
    int64_t due;
    assert_true(cust_time_parse("2025-08-16T23:59:59-07:00", &due, NULL));
    assert_true(r.has_due);
    assert_int_equal(r.due, due);
    /* content given: its SHA-256 is computed */
    assert_int_equal(r.documents[0].content_len, strlen("DOJ data request"));
    assert_memory_equal(r.documents[0].content, "DOJ data request", r.documents[0].content_len);
    assert_int_equal(strlen(r.documents[0].sha256), 64);
    cust_request_release(&r);
    json_decref(j);
}

/* Each mutation of a valid request must produce exactly the expected problem path. */
struct bad_case {
    const char *base, *patch, *path;
};

static void test_invalid(void **state)
{
    (void)state;
    const struct bad_case cases[] = {
        {"detainer.json", "{\"kind\": \"hold_please\"}", "request.kind: unknown kind"},
        {"detainer.json", "{\"kind\": null}", "request.kind: required"},
        {"detainer.json", "{\"received_at\": \"2024-03-02\"}",
         "request.received_at: not an RFC 3339"},
        {"detainer.json", "{\"requester\": {\"office\": \"x\"}}",
         "request.requester.agency: required"},
        {"detainer.json", "{\"asks\": [\"hold\", \"deport\"]}", "request.asks[1]: unknown value"},
        {"detainer.json", "{\"asks\": [\"hold\", \"hold\"]}",
         "request.asks[1]: 'hold' listed twice"},
        {"detainer.json", "{\"asks\": 3}", "request.asks: must be an array"},
        {"detainer.json", "{\"due\": \"soon\"}", "request.due: not a date"},
        {"detainer.json", "{\"subject\": null}", "request: needs exactly one of"},
        {"detainer.json", "{\"subject\": {\"last_name\": \"GARCIA\"}}",
         "request.subject: needs a booking number"},
        {"detainer.json", "{\"subject\": {\"last_name\": \"X\", \"dob\": \"1988-13-01\"}}",
         "request.subject.dob: not a date"},
        {"detainer.json", "{\"subject\": {\"fbi\": 12}}", "request.subject.fbi: must be a string"},
        {"detainer.json",
         "{\"scope\": {\"population\": \"in_custody\", \"as_of\": \"2025-07-17\"}}",
         "request: needs exactly one of"},
        {"detainer.json", "{\"documents\": [{\"name\": \"a.pdf\", \"sha256\": \"XYZ\"}]}",
         "request.documents[0].sha256: must be 64"},
        {"detainer.json",
         "{\"documents\": [{\"sha256\": "
         "\"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\"}]}",
         "request.documents[0].name: required"},
        {"detainer.json", "{\"documents\": [{\"name\": \"a\", \"content_base64\": \"!!!\"}]}",
         "request.documents[0].content_base64: not valid base64"},
        {"detainer.json",
         "{\"documents\": [{\"name\": \"a\", \"content_base64\": \"YQ==\", \"sha256\": "
         "\"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\"}]}",
         "request.documents[0].sha256: does not match"},
        /* two documents under one name: `request document ID NAME` could reach only one */
        {"detainer.json",
         "{\"documents\": [{\"name\": \"scan.pdf\", \"content_base64\": \"YQ==\"},"
         " {\"name\": \"a.pdf\", \"content_base64\": \"Yg==\"},"
         " {\"name\": \"scan.pdf\", \"content_base64\": \"Yw==\"}]}",
         "request.documents[2].name: the same name as request.documents[0]"},
        {"doj-letter.json", "{\"items\": []}", "request.items: a data request must name"},
        {"doj-letter.json", "{\"items\": [\"shoe_size\"]}", "request.items[0]: unknown value"},
        {"doj-letter.json",
         "{\"scope\": {\"population\": \"everyone\", \"as_of\": \"2025-07-17\"}}",
         "request.scope.population: unknown population"},
        {"doj-letter.json", "{\"scope\": {\"population\": \"in_custody\"}}",
         "request.scope.as_of: not a date"},
        {"doj-letter.json",
         "{\"scope\": {\"population\": \"in_custody\", \"as_of\": \"2025-07-17\", \"citizenship\": "
         "\"alien\"}}",
         "request.scope.citizenship: must be"},
        {"doj-letter.json", "{\"kind\": \"detainer\"}", "request.scope: only information requests"},
    };
    for (size_t i = 0; i < CUST_ARRAY_LEN(cases); i++) {
        json_t *j = load(cases[i].base);
        json_error_t jerr;
        json_t *patch = json_loads(cases[i].patch, 0, &jerr);
        assert_non_null(patch);
        assert_int_equal(json_object_update(j, patch), 0);
        struct cust_request r;
        struct cust_diag d = CUST_DIAG_INIT;
        if (cust_request_parse(j, &r, &d) != CUST_EINVAL)
            fail_msg("case %zu (%s) was accepted", i, cases[i].patch);
        bool found = false;
        for (size_t k = 0; k < d.n; k++)
            found |= strncmp(d.lines[k], cases[i].path, strlen(cases[i].path)) == 0;
        if (!found) {
            cust_diag_print(&d, stderr, "  got: ");
            fail_msg("case %zu: expected '%s'", i, cases[i].path);
        }
        cust_diag_release(&d);
        cust_request_release(&r);
        json_decref(patch);
        json_decref(j);
    }
}

static void test_names(void **state)
{
    (void)state;
    for (int k = 0; k < CUST_REQ_KIND_COUNT; k++) {
        enum cust_request_kind back;
        assert_true(
            cust_request_kind_parse(cust_request_kind_name((enum cust_request_kind)k), &back));
        assert_int_equal(back, k);
    }
    assert_string_equal(cust_request_ask_name(CUST_ASK_TRANSFER), "transfer");
    assert_string_equal(cust_request_item_name(CUST_ITEM_RELEASE_DATE), "release_date");
    assert_int_equal(cust_request_default_asks(CUST_REQ_ADMIN_WARRANT),
                     CUST_ASK_ARREST | CUST_ASK_TRANSFER);
    assert_int_equal(cust_request_default_asks(CUST_REQ_COURT_ORDER), 0);
}

int main(void)
{
    /* the test county is in California: the desk counts its days in Los Angeles */
    struct cust_err zerr = CUST_ERR_INIT;
    if (cust_time_zone_set("America/Los_Angeles", &zerr) != CUST_OK)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_detainer_valid),
        cmocka_unit_test(test_doj_letter_valid),
        cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
