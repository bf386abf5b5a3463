/*
 * release.c - the release-date calculator (PC 2900.5 + PC 4019 half-time).
 *
 * See docs/internals/release.md for the rules, the day-counting convention
 * and the open [U] questions. In short, for a term T, presentence custody P
 * (actual days, counted by the source) and sentencing day S:
 *
 *   presentence_credit  = P                      (PC 2900.5, day for day)
 *   presentence_conduct = 2 * floor(P / 2)       (PC 4019(f): 4 deemed per 2 actual)
 *   remaining           = max(0, T - P - conduct)
 *   days_to_serve       = the least a >= 0 with a + 2 * floor(a / 2) >= remaining
 *   release_day         = S + days_to_serve
 */
#include "custodian/compat.h"
#include "custodian/release.h"

#define RULE_VERSION "ca-pc4019-halftime/1"

/* 2200-12-31 and 1800-01-01 as day numbers: the range the date module parses. */
#define DAY_MIN (-62091)
#define DAY_MAX 84371

const char *cust_release_rule_version(void)
{
    return RULE_VERSION;
}

/* Days served in `a` actual days: a, plus 2 conduct days per whole 2-day block. */
static int64_t deemed_served(int64_t a)
{
    return a + 2 * (a / 2);
}

/* The least a >= 0 with deemed_served(a) >= r (r >= 0). */
static int32_t actual_days_for(int32_t r)
{
    if (r <= 0)
        return 0;
    /* deemed_served(a) is 2a for even a and 2a - 1 for odd a. */
    int64_t even = 2 * (((int64_t)r + 3) / 4); /* least even a with 2a >= r */
    int64_t odd = ((int64_t)r + 2) / 2;        /* least a with 2a - 1 >= r ... */
    if (odd % 2 == 0)
        odd++; /* ... made odd */
    int64_t a = even < odd ? even : odd;
    CUST_ASSERT(deemed_served(a) >= r && (a == 0 || deemed_served(a - 1) < r));
    return (int32_t)a;
}

enum cust_status cust_release_compute(const struct cust_sentence *s, struct cust_release_calc *out,
                                      struct cust_err *err)
{
    if (!s || !out)
        return cust_err_set(err, CUST_EINVAL, "no sentence given");
    if (s->term_days <= 0)
        return cust_err_set(err, CUST_EINVAL, "'term_days' must be positive (got %d)",
                            (int)s->term_days);
    if (s->term_days > CUST_RELEASE_MAX_DAYS)
        return cust_err_set(err, CUST_EINVAL, "'term_days' %d is longer than %d days",
                            (int)s->term_days, CUST_RELEASE_MAX_DAYS);
    if (s->presentence_custody_days < 0)
        return cust_err_set(err, CUST_EINVAL, "'presentence_custody_days' must not be negative");
    if (s->presentence_custody_days > CUST_RELEASE_MAX_DAYS)
        return cust_err_set(err, CUST_EINVAL,
                            "'presentence_custody_days' %d is longer than %d days",
                            (int)s->presentence_custody_days, CUST_RELEASE_MAX_DAYS);
    if (s->imposed_on < DAY_MIN || s->imposed_on > DAY_MAX - CUST_RELEASE_MAX_DAYS)
        return cust_err_set(err, CUST_EINVAL, "'imposed_on' is out of range");

    int32_t p = s->presentence_custody_days;
    int32_t conduct = 2 * (p / 2);
    int64_t remaining = (int64_t)s->term_days - p - conduct;
    if (remaining < 0)
        remaining = 0;
    int32_t serve = actual_days_for((int32_t)remaining);

    out->presentence_credit = p;
    out->presentence_conduct = conduct;
    out->remaining_days = (int32_t)remaining;
    out->days_to_serve = serve;
    out->release_day = s->imposed_on + serve;
    out->rule_version = RULE_VERSION;
    return CUST_OK;
}
