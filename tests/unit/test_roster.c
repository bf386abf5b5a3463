/* Unit tests for the one roster row (records.h): the same fields for the CLI and the API, the
 * restricted field only when asked for. */
#include "custodian/compat.h"
#include "custodian/records.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

static void test_row_fields(void **state)
{
    (void)state;
    struct cust_roster_row r = {.booking_number = "6012345",
                                .person_id = 7,
                                .person_key = "P1001",
                                .last_name = "GARCIA",
                                .first_name = "JOSE",
                                .booked_at = "2025-03-14T10:22:00-07:00",
                                .facility = "Men's Central Jail",
                                .citizenship_status = "non_citizen",
                                .scheduled_release = "2025-10-30",
                                .computed_release = "2025-10-29",
                                .release_rule = "ca-2900.5-4019/v1",
                                .release_disagreement = true,
                                .version = 2};
    json_t *pub = cust_roster_row_json(&r, 0);
    json_t *all = cust_roster_row_json(&r, CUST_ROSTER_RESTRICTED);
    assert_non_null(pub);
    assert_non_null(all);
    /* citizenship only when asked for */
    assert_null(json_object_get(pub, "citizenship_status"));
    assert_string_equal(json_string_value(json_object_get(all, "citizenship_status")),
                        "non_citizen");
    /* otherwise the same row, in the same order */
    json_object_del(all, "citizenship_status");
    char *a = json_dumps(pub, JSON_PRESERVE_ORDER | JSON_COMPACT);
    char *b = json_dumps(all, JSON_PRESERVE_ORDER | JSON_COMPACT);
    assert_string_equal(a, b);
    assert_non_null(strstr(a, "{\"booking_number\":\"6012345\",\"person_id\":\"P1001\","
                              "\"person_internal_id\":7,\"last_name\":\"GARCIA\""));
    assert_non_null(strstr(a, "\"release_rule\":\"ca-2900.5-4019/v1\","
                              "\"release_disagreement\":true,\"released_at\":null,\"version\":2}"));
    assert_true(json_is_null(json_object_get(pub, "middle_name")));
    free(a);
    free(b);
    json_decref(pub);
    json_decref(all);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_row_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
