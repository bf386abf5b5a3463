/* Unit tests for the CSV reader and the business-day calendar / deadline rules. */
#include "custodian/compat.h"
#include "custodian/csv.h"
#include "custodian/date.h"
#include "custodian/deadline.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

static int32_t D(const char *s)
{
    int32_t d = 0;
    assert_true(cust_date_parse(s, &d));
    return d;
}

static int64_t T(const char *s)
{
    int64_t t = 0;
    assert_true(cust_time_parse(s, &t, NULL));
    return t;
}

static void test_csv_quoting(void **state)
{
    (void)state;
    const char *text = "a,b,c\r\n1,\"x, y\",\"say \"\"hi\"\"\"\n\n2,\"multi\nline\",\n3,,z";
    struct cust_csv c;
    struct cust_err err = CUST_ERR_INIT;
    cust_csv_open_mem(&c, text, strlen(text));
    assert_int_equal(cust_csv_next(&c, &err), CUST_OK);
    assert_int_equal(c.nfields, 3);
    assert_int_equal(cust_csv_column(&c, "c"), 2);
    assert_int_equal(cust_csv_column(&c, "d"), -1);
    assert_int_equal(cust_csv_next(&c, &err), CUST_OK);
    assert_int_equal(c.line, 2);
    assert_string_equal(c.fields[1], "x, y");
    assert_string_equal(c.fields[2], "say \"hi\"");
    assert_int_equal(cust_csv_next(&c, &err), CUST_OK);
    assert_int_equal(c.line, 4); /* blank line 3 skipped */
    assert_string_equal(c.fields[1], "multi\nline");
    assert_string_equal(c.fields[2], "");
    assert_int_equal(cust_csv_next(&c, &err), CUST_OK);
    assert_int_equal(c.line, 6);
    assert_int_equal(c.nfields, 3);
    assert_string_equal(c.fields[1], "");
    assert_string_equal(c.fields[2], "z");
    assert_int_equal(cust_csv_next(&c, &err), CUST_OK);
    assert_int_equal(c.nfields, 0);
    cust_csv_release(&c);
}

static void test_csv_errors(void **state)
{
    (void)state;
    const char *bad[] = {"a,\"b\n", "a,\"b\"c\n", "a,b\"c\n"};
    for (size_t i = 0; i < CUST_ARRAY_LEN(bad); i++) {
        struct cust_csv c;
        struct cust_err err = CUST_ERR_INIT;
        cust_csv_open_mem(&c, bad[i], strlen(bad[i]));
        assert_int_equal(cust_csv_next(&c, &err), CUST_EINVAL);
        assert_int_equal(c.line, 1);
        assert_int_equal(cust_csv_error(&c, "t.csv", CUST_EINVAL, &err), CUST_EINVAL);
        assert_non_null(strstr(err.msg, "t.csv:1: malformed CSV: "));
        cust_csv_release(&c);
    }
}

static struct cust_calendar *shipped(void)
{
    char path[4096];
    const char *src = getenv("CUST_SOURCE_DIR");
    snprintf(path, sizeof(path), "%s/policies/calendars/us-federal-holidays.csv",
             src ? src : CUST_SOURCE_DIR);
    struct cust_calendar *cal = NULL;
    struct cust_err err = CUST_ERR_INIT;
    assert_int_equal(cust_calendar_load(path, &cal, &err), CUST_OK);
    return cal;
}

/* Independent check of the shipped calendar: every year has its 10 (11 from 2021) holidays. */
static void test_calendar_shipped(void **state)
{
    (void)state;
    struct cust_calendar *cal = shipped();
    assert_true(cust_calendar_count(cal) >= 250);
    assert_string_equal(cust_calendar_holiday(cal, D("2025-07-04")), "Independence Day");
    assert_string_equal(cust_calendar_holiday(cal, D("2025-11-27")), "Thanksgiving Day");
    /* 2021-12-25 was a Saturday: observed Friday 2021-12-24 */
    assert_non_null(cust_calendar_holiday(cal, D("2021-12-24")));
    assert_null(cust_calendar_holiday(cal, D("2021-12-25")));
    /* Juneteenth only from 2021 */
    assert_null(cust_calendar_holiday(cal, D("2020-06-19")));
    assert_non_null(cust_calendar_holiday(cal, D("2024-06-19")));
    for (int y = 2014; y <= 2030; y++) {
        int n = 0;
        for (int32_t d = cust_days_from_civil(y, 1, 1); d < cust_days_from_civil(y + 1, 1, 1); d++)
            n += cust_calendar_holiday(cal, d) != NULL;
        /* a New Year's Day falling on Saturday is observed in the previous year */
        int expect = y >= 2021 ? 11 : 10;
        assert_true(n == expect || n == expect - 1 || n == expect + 1);
    }
    assert_false(cust_calendar_is_business_day(cal, D("2025-07-19"))); /* Saturday */
    assert_false(cust_calendar_is_business_day(cal, D("2025-07-20"))); /* Sunday */
    assert_true(cust_calendar_is_business_day(cal, D("2025-07-17")));
    cust_calendar_free(cal);
}

static void test_calendar_errors(void **state)
{
    (void)state;
    struct cust_calendar *cal = NULL;
    struct cust_err err = CUST_ERR_INIT;
    const char *nohdr = "day,name\n2025-01-01,x\n";
    assert_int_equal(cust_calendar_parse("c.csv", nohdr, strlen(nohdr), &cal, &err), CUST_EINVAL);
    assert_non_null(strstr(err.msg, "c.csv:1: header"));
    const char *baddate = "date,holiday\n2025-01-01,x\n2025-02-30,y\n";
    assert_int_equal(cust_calendar_parse("c.csv", baddate, strlen(baddate), &cal, &err),
                     CUST_EINVAL);
    assert_non_null(strstr(err.msg, "c.csv:3: date: not a date"));
    const char *dup = "date,holiday\n2025-01-01,x\n2025-01-01,y\n";
    assert_int_equal(cust_calendar_parse("c.csv", dup, strlen(dup), &cal, &err), CUST_EINVAL);
    assert_non_null(strstr(err.msg, "listed twice"));
    assert_null(cal);
}

/* Reference: walk minute by minute, counting only minutes on business days. */
static int64_t reference_add(const struct cust_calendar *cal, int64_t start, int hours)
{
    int64_t t = start, left = (int64_t)hours * 60;
    while (left > 0) {
        if (cust_calendar_is_business_day(cal, cust_time_zone_day(t)))
            left--;
        t += 60;
    }
    /* a start on a non-business day with 0 hours would not move; not used below */
    return t;
}

static void test_business_hours(void **state)
{
    (void)state;
    struct cust_calendar *cal = shipped();
    struct cust_err err = CUST_ERR_INIT;
    assert_int_equal(cust_time_zone_set("America/Los_Angeles", &err), CUST_OK);
    /* Thursday 10:00 + 48 business hours = Monday 10:00 (weekend skipped) */
    assert_int_equal(cust_deadline_add_business_hours(cal, T("2025-07-17T10:00:00-07:00"), 48),
                     T("2025-07-21T10:00:00-07:00"));
    /* Wednesday 2025-07-02 09:00 + 48 h: Thu 3rd, Fri 4th is Independence Day -> Monday 09:00 */
    assert_int_equal(cust_deadline_add_business_hours(cal, T("2025-07-02T09:00:00-07:00"), 48),
                     T("2025-07-07T09:00:00-07:00"));
    /* Saturday start: counting begins Monday 00:00 */
    assert_int_equal(cust_deadline_add_business_hours(cal, T("2025-07-19T15:00:00-07:00"), 48),
                     T("2025-07-23T00:00:00-07:00"));
    /* Thanksgiving week: Wed 20:00 (4 h), Thu holiday, Fri (24 h), weekend, Mon 20 h */
    assert_int_equal(cust_deadline_add_business_hours(cal, T("2025-11-26T20:00:00-08:00"), 48),
                     T("2025-12-01T20:00:00-08:00"));
    /* the same instant stamped in UTC counts the same local days (Thursday evening in LA) */
    assert_int_equal(cust_deadline_add_business_hours(cal, T("2025-11-27T04:00:00Z"), 48),
                     T("2025-12-01T20:00:00-08:00"));
    /* across the end of daylight saving (Sunday 2 Nov 2025): Fri 14 h, Mon 24 h, Tue 10 h ->
     * Tuesday 10:00 PST (a fixed -07:00 offset says 09:00 PST) */
    assert_int_equal(cust_deadline_add_business_hours(cal, T("2025-10-31T10:00:00-07:00"), 48),
                     T("2025-11-04T10:00:00-08:00"));
    /* a day-based deadline ends at the last second of the local day, in either season */
    assert_int_equal(cust_deadline_day_end(D("2025-07-04")), T("2025-07-04T23:59:59-07:00"));
    assert_int_equal(cust_deadline_day_end(D("2025-12-05")), T("2025-12-05T23:59:59-08:00"));
    /* against the minute-walking reference over a year of starts on business days */
    for (int64_t t = T("2025-01-02T00:00:00-08:00"); t < T("2026-01-01T00:00:00-08:00");
         t += 7 * 3600 + 13 * 60) {
        if (!cust_calendar_is_business_day(cal, cust_time_zone_day(t)))
            continue;
        assert_int_equal(cust_deadline_add_business_hours(cal, t, 48), reference_add(cal, t, 48));
    }
    assert_int_equal(cust_time_zone_set("UTC", &err), CUST_OK);
    /* in a UTC county the same stamp is Thursday 04:00 (Thanksgiving): counting begins Friday */
    assert_int_equal(cust_deadline_add_business_hours(cal, T("2025-11-27T04:00:00Z"), 48),
                     T("2025-12-02T00:00:00Z"));
    cust_calendar_free(cal);
}

static void test_business_days(void **state)
{
    (void)state;
    struct cust_calendar *cal = shipped();
    assert_int_equal(cust_deadline_add_business_days(cal, D("2025-07-17"), 2), D("2025-07-21"));
    assert_int_equal(cust_deadline_add_business_days(cal, D("2025-07-03"), 1), D("2025-07-07"));
    assert_int_equal(cust_deadline_add_business_days(cal, D("2025-07-19"), 0), D("2025-07-21"));
    assert_int_equal(cust_deadline_add_business_days(cal, D("2025-07-17"), 0), D("2025-07-17"));
    cust_calendar_free(cal);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_quoting),      cmocka_unit_test(test_csv_errors),
        cmocka_unit_test(test_calendar_shipped), cmocka_unit_test(test_calendar_errors),
        cmocka_unit_test(test_business_hours),   cmocka_unit_test(test_business_days),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
