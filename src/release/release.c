/* TEMPORARY: replaced by the gen branch */
/*
 * release.c - a stand-in so the records branch links: release day = imposed_on + term_days -
 * presentence_custody_days (never before imposed_on). No conduct credit. The real calculator
 * (PC 2900.5 + PC 4019) comes from the gen branch at merge.
 */
#include "custodian/compat.h"
#include "custodian/release.h"

const char *cust_release_rule_version(void)
{
    return "temporary-term-minus-credit/0";
}

enum cust_status cust_release_compute(const struct cust_sentence *s, struct cust_release_calc *out,
                                      struct cust_err *err)
{
    memset(out, 0, sizeof(*out));
    if (s->term_days <= 0)
        return cust_err_set(err, CUST_EINVAL, "term_days must be positive");
    if (s->presentence_custody_days < 0)
        return cust_err_set(err, CUST_EINVAL, "presentence_custody_days must not be negative");
    int32_t remaining = s->term_days - s->presentence_custody_days;
    if (remaining < 0)
        remaining = 0;
    out->presentence_credit = s->presentence_custody_days;
    out->remaining_days = remaining;
    out->days_to_serve = remaining;
    out->release_day = s->imposed_on + remaining;
    out->rule_version = cust_release_rule_version();
    return CUST_OK;
}
