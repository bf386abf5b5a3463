/* Unit tests for dates and times in words (src/base/datewords.c): per language, in the county's
 * zone, daylight saving included; anything unreadable is kept as it was. */
#include "custodian/compat.h"
#include "custodian/date.h"
#include "custodian/datewords.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

/* ICU writes a narrow no-break space (U+202F) or a no-break space before "PM" in some
 * languages; the tests compare with plain spaces. */
static const char *plain(const char *in, char out[CUST_DATE_WORDS_MAX])
{
    size_t o = 0;
    for (const char *p = in; *p && o + 1 < CUST_DATE_WORDS_MAX;) {
        if (strncmp(p, "\xE2\x80\xAF", 3) == 0) {
            out[o++] = ' ';
            p += 3;
        } else if (strncmp(p, "\xC2\xA0", 2) == 0) {
            out[o++] = ' ';
            p += 2;
        } else {
            out[o++] = *p++;
        }
    }
    out[o] = '\0';
    return out;
}

static const struct {
    const char *lang, *words;
} days[] = {
    {"en", "December 5, 2026"},   {"es", "5 de diciembre de 2026"},  {"zh-Hans", "2026年12月5日"},
    {"zh-Hant", "2026年12月5日"}, {"ko", "2026년 12월 5일"},         {"vi", "5 tháng 12, 2026"},
    {"tl", "Disyembre 5, 2026"},  {"bogus!tag", "December 5, 2026"}, {"xq", "December 5, 2026"},
};

static void test_day_per_language(void **state)
{
    (void)state;
    int32_t day;
    assert_true(cust_date_parse("2026-12-05", &day));
    for (size_t i = 0; i < CUST_ARRAY_LEN(days); i++) {
        char out[CUST_DATE_WORDS_MAX], p[CUST_DATE_WORDS_MAX];
        assert_int_equal(cust_date_words(day, days[i].lang, out), CUST_OK);
        if (strcmp(plain(out, p), days[i].words) != 0)
            fail_msg("%s: got '%s', want '%s'", days[i].lang, out, days[i].words);
    }
}

/* A calendar day is the same day in every zone (no shift to the day before in the west). */
static void test_day_has_no_zone(void **state)
{
    (void)state;
    int32_t day;
    assert_true(cust_date_parse("2027-01-01", &day));
    char out[CUST_DATE_WORDS_MAX];
    assert_int_equal(cust_time_zone_set("Pacific/Honolulu", NULL), CUST_OK);
    assert_int_equal(cust_date_words(day, "en", out), CUST_OK);
    assert_string_equal(out, "January 1, 2027");
    assert_int_equal(cust_time_zone_set("Pacific/Kiritimati", NULL), CUST_OK);
    assert_int_equal(cust_date_words(day, "en", out), CUST_OK);
    assert_string_equal(out, "January 1, 2027");
    assert_int_equal(cust_time_zone_set("UTC", NULL), CUST_OK);
}

/* An instant in the county's zone: standard and daylight time, the day it falls on there. */
static void test_time_in_county_zone(void **state)
{
    (void)state;
    int64_t t;
    int off;
    char out[CUST_DATE_WORDS_MAX], p[CUST_DATE_WORDS_MAX];
    assert_int_equal(cust_time_zone_set("America/Los_Angeles", NULL), CUST_OK);
    /* 02:15 UTC on Dec 6 is the evening of Dec 5 in California */
    assert_true(cust_time_parse("2026-12-06T02:15:00Z", &t, &off));
    assert_int_equal(cust_time_words(t, "en", out), CUST_OK);
    assert_string_equal(plain(out, p), "December 5, 2026 at 6:15 PM PST");
    assert_true(cust_time_parse("2026-07-04T19:30:00Z", &t, &off));
    assert_int_equal(cust_time_words(t, "en", out), CUST_OK);
    assert_string_equal(plain(out, p), "July 4, 2026 at 12:30 PM PDT");
    /* Spanish: 24-hour clock, the zone's name in the language's own form */
    assert_int_equal(cust_time_words(t, "es", out), CUST_OK);
    assert_non_null(strstr(out, "4 de julio de 2026"));
    assert_non_null(strstr(out, "12:30"));
    assert_int_equal(cust_time_zone_set("America/Chicago", NULL), CUST_OK);
    assert_int_equal(cust_time_words(t, "en", out), CUST_OK);
    assert_string_equal(plain(out, p), "July 4, 2026 at 2:30 PM CDT");
    assert_int_equal(cust_time_zone_set("UTC", NULL), CUST_OK);
    assert_int_equal(cust_time_words(t, "en", out), CUST_OK);
    assert_string_equal(plain(out, p), "July 4, 2026 at 7:30 PM UTC");
}

/* A stored value: a date, an instant, or kept as it was. */
static void test_words_of(void **state)
{
    (void)state;
    char out[CUST_DATE_WORDS_MAX], p[CUST_DATE_WORDS_MAX];
    cust_words_of("2026-12-10", "en", out);
    assert_string_equal(out, "December 10, 2026");
    cust_words_of("2026-12-10T08:00:00-08:00", "en", out);
    assert_string_equal(plain(out, p), "December 10, 2026 at 4:00 PM UTC");
    cust_words_of("1980-07-XX", "en", out);
    assert_string_equal(out, "1980-07-XX");
    cust_words_of("", "en", out);
    assert_string_equal(out, "");
    cust_words_of(NULL, "en", out);
    assert_string_equal(out, "");
    cust_words_of("2026-02-30", "en", out);
    assert_string_equal(out, "2026-02-30");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_day_per_language),
        cmocka_unit_test(test_day_has_no_zone),
        cmocka_unit_test(test_time_in_county_zone),
        cmocka_unit_test(test_words_of),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
