/* Unit tests for src/release: hand-worked cases, edges, and a day-by-day reference model. */
#include "custodian/compat.h"
#include "custodian/date.h"
#include "custodian/release.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

static int32_t day_of(const char *s)
{
    int32_t d;
    assert_true(cust_date_parse(s, &d));
    return d;
}

static struct cust_release_calc compute_ok(int32_t imposed, int32_t term, int32_t pre)
{
    struct cust_sentence s = {imposed, term, pre};
    struct cust_release_calc c;
    struct cust_err err = CUST_ERR_INIT;
    assert_int_equal(cust_release_compute(&s, &c, &err), CUST_OK);
    return c;
}

static void assert_release(const char *imposed, int32_t term, int32_t pre, const char *want)
{
    struct cust_release_calc c = compute_ok(day_of(imposed), term, pre);
    char got[11];
    cust_date_format(c.release_day, got);
    assert_string_equal(got, want);
}

/*
 * The spec's example sentence: 365 days imposed 2025-05-01, 48 presentence days.
 *   2900.5 credit 48; 4019 conduct 2 * floor(48 / 2) = 48; remaining 365 - 96 = 269.
 *   a = 135 actual days: 135 + 2 * floor(135 / 2) = 135 + 134 = 269 >= 269,
 *   a = 134 gives 134 + 134 = 268 < 269.
 *   2025-05-01 + 135: May 31 (+30), Jun 30 (+60), Jul 31 (+91), Aug 31 (+122), Sep 13 (+135).
 */
static void test_spec_example(void **state)
{
    (void)state;
    struct cust_release_calc c = compute_ok(day_of("2025-05-01"), 365, 48);
    assert_int_equal(c.presentence_credit, 48);
    assert_int_equal(c.presentence_conduct, 48);
    assert_int_equal(c.remaining_days, 269);
    assert_int_equal(c.days_to_serve, 135);
    assert_string_equal(c.rule_version, "ca-pc4019-halftime/1");
    assert_string_equal(cust_release_rule_version(), c.rule_version);
    assert_release("2025-05-01", 365, 48, "2025-09-13");
}

/*
 * No presentence custody: 180 days imposed 2025-01-10.
 *   remaining 180; a = 90: 90 + 2 * 45 = 180. 2025-01-10 + 90 = 2025-04-10
 *   (Jan 31 +21, Feb 28 +49, Mar 31 +80, Apr 10 +90).
 */
static void test_zero_presentence(void **state)
{
    (void)state;
    struct cust_release_calc c = compute_ok(day_of("2025-01-10"), 180, 0);
    assert_int_equal(c.presentence_conduct, 0);
    assert_int_equal(c.remaining_days, 180);
    assert_int_equal(c.days_to_serve, 90);
    assert_release("2025-01-10", 180, 0, "2025-04-10");
}

/*
 * Odd presentence days earn conduct only on the whole blocks.
 *   term 10, P 3: conduct 2 * floor(3 / 2) = 2; remaining 10 - 3 - 2 = 5;
 *   a = 3: 3 + 2 * 1 = 5 (a = 2 gives 4). Release 2024-02-27 + 3 = 2024-03-01 (leap year).
 */
static void test_odd_days(void **state)
{
    (void)state;
    struct cust_release_calc c = compute_ok(day_of("2024-02-27"), 10, 3);
    assert_int_equal(c.presentence_conduct, 2);
    assert_int_equal(c.remaining_days, 5);
    assert_int_equal(c.days_to_serve, 3);
    assert_release("2024-02-27", 10, 3, "2024-03-01");
    /* term 2, P 0: a = 1 gives 1 < 2, a = 2 gives 4: two actual days. */
    assert_int_equal(compute_ok(0, 2, 0).days_to_serve, 2);
    /* term 3, P 0: also two days (2 + 2 >= 3); term 1: one day. */
    assert_int_equal(compute_ok(0, 3, 0).days_to_serve, 2);
    assert_int_equal(compute_ok(0, 1, 0).days_to_serve, 1);
    /* term 4, P 1: no conduct on a single day; remaining 3 -> 2 days. */
    assert_int_equal(compute_ok(0, 4, 1).presentence_conduct, 0);
    assert_int_equal(compute_ok(0, 4, 1).days_to_serve, 2);
}

/*
 * Custody covering the term: release on the sentencing day.
 *   term 10, P 7: 7 + 6 = 13 >= 10 -> remaining 0, release 2025-06-02.
 *   term 30, P 30: 30 + 30 = 60 -> 0. term 30, P 15: 15 + 14 = 29 -> remaining 1 -> 1 day.
 */
static void test_custody_exceeds_term(void **state)
{
    (void)state;
    struct cust_release_calc c = compute_ok(day_of("2025-06-02"), 10, 7);
    assert_int_equal(c.remaining_days, 0);
    assert_int_equal(c.days_to_serve, 0);
    assert_release("2025-06-02", 10, 7, "2025-06-02");
    assert_int_equal(compute_ok(100, 30, 30).release_day, 100);
    assert_int_equal(compute_ok(100, 30, 400).release_day, 100);
    assert_int_equal(compute_ok(100, 30, 15).release_day, 101);
}

static void test_invalid(void **state)
{
    (void)state;
    struct cust_release_calc c;
    struct cust_err err = CUST_ERR_INIT;
    struct cust_sentence s = {day_of("2025-01-01"), 0, 0};
    assert_int_equal(cust_release_compute(&s, &c, &err), CUST_EINVAL);
    assert_non_null(strstr(err.msg, "term_days"));
    s.term_days = -5;
    assert_int_equal(cust_release_compute(&s, &c, &err), CUST_EINVAL);
    s.term_days = CUST_RELEASE_MAX_DAYS + 1;
    assert_int_equal(cust_release_compute(&s, &c, &err), CUST_EINVAL);
    s.term_days = 30;
    s.presentence_custody_days = -1;
    assert_int_equal(cust_release_compute(&s, &c, &err), CUST_EINVAL);
    assert_non_null(strstr(err.msg, "presentence_custody_days"));
    s.presentence_custody_days = CUST_RELEASE_MAX_DAYS + 1;
    assert_int_equal(cust_release_compute(&s, &c, &err), CUST_EINVAL);
    s.presentence_custody_days = 0;
    s.imposed_on = day_of("2199-01-01"); /* + 100 years would leave the date range */
    assert_int_equal(cust_release_compute(&s, &c, &err), CUST_EINVAL);
    assert_non_null(strstr(err.msg, "imposed_on"));
    assert_int_equal(cust_release_compute(NULL, &c, NULL), CUST_EINVAL);
    /* The largest term is accepted. */
    s.imposed_on = day_of("2025-01-01");
    s.term_days = CUST_RELEASE_MAX_DAYS;
    assert_int_equal(cust_release_compute(&s, &c, NULL), CUST_OK);
}

/*
 * The reference model, written independently of the implementation: walk the
 * days one at a time. Before sentencing, P actual days were served; every
 * second one adds two conduct days. After sentencing, each day served adds
 * one, and every second day adds two more, until the term is covered.
 */
static int32_t reference_release(int32_t imposed, int32_t term, int32_t pre)
{
    int64_t credited = 0;
    for (int32_t d = 1; d <= pre; d++) {
        credited += 1;
        if (d % 2 == 0)
            credited += 2;
    }
    int32_t day = imposed;
    int32_t served = 0;
    while (credited < term) {
        day++;
        served++;
        credited += 1;
        if (served % 2 == 0)
            credited += 2;
    }
    return day;
}

static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void test_against_reference(void **state)
{
    (void)state;
    uint64_t x = 20261125;
    int32_t base = day_of("2015-01-01");
    int covered = 0;
    for (int i = 0; i < 120000; i++) {
        uint64_t r = splitmix(&x);
        int32_t imposed = base + (int32_t)(r % 4000);
        int32_t term;
        switch ((r >> 16) % 4) {
        case 0:
            term = 1 + (int32_t)((r >> 24) % 12);
            break; /* tiny terms: rounding */
        case 1:
            term = 1 + (int32_t)((r >> 24) % 365);
            break;
        case 2:
            term = 1 + (int32_t)((r >> 24) % 1500);
            break;
        default:
            term = 1 + (int32_t)((r >> 24) % 5000);
            break;
        }
        int32_t pre = (int32_t)((r >> 40) % 3 == 0 ? 0 : (r >> 44) % (uint64_t)(term + 20));
        struct cust_release_calc c = compute_ok(imposed, term, pre);
        int32_t want = reference_release(imposed, term, pre);
        if (c.release_day != want)
            fail_msg("term %d pre %d: got %d want %d", term, pre, c.release_day - imposed,
                     want - imposed);
        assert_true(c.release_day >= imposed);
        covered += c.release_day == imposed;
    }
    assert_true(covered > 100); /* the "custody covers the term" branch was exercised */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spec_example), cmocka_unit_test(test_zero_presentence),
        cmocka_unit_test(test_odd_days),     cmocka_unit_test(test_custody_exceeds_term),
        cmocka_unit_test(test_invalid),      cmocka_unit_test(test_against_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
