/*
 * release.h - the release-date calculator for sentenced jail terms.
 *
 * From a sentence (term, date imposed, presentence custody) it computes the
 * day the person is due out under California's credit rules (PC 2900.5
 * presentence custody credit, PC 4019 conduct credit at half-time; see
 * docs/internals/release.md and law/california.md §6), and names the rule
 * version it used so a stored result can always be re-derived. The records
 * module stores the result beside the source system's stated date and flags
 * any disagreement for a person to resolve; it never silently picks one.
 */
#ifndef CUSTODIAN_RELEASE_H
#define CUSTODIAN_RELEASE_H

#include "custodian/status.h"

/* The longest term or presentence custody accepted (100 years, in days). */
#define CUST_RELEASE_MAX_DAYS 36525

struct cust_sentence {
    int32_t imposed_on;               /* day number the sentence was imposed */
    int32_t term_days;                /* the term imposed, in days (> 0) */
    int32_t presentence_custody_days; /* actual days in custody before sentencing (>= 0) */
};

struct cust_release_calc {
    int32_t release_day;         /* the computed release day (day number) */
    int32_t presentence_credit;  /* PC 2900.5 actual-custody days credited */
    int32_t presentence_conduct; /* PC 4019 conduct credit earned before sentencing */
    int32_t remaining_days;      /* term left after presentence credits (>= 0) */
    int32_t days_to_serve;       /* actual days still to serve after sentencing */
    const char *rule_version;    /* static string naming the rules, e.g. "ca-pc4019-halftime/1" */
};

/*
 * Compute the release day for `s`:
 *
 *   presentence_credit  = P                  (PC 2900.5, actual custody day for day)
 *   presentence_conduct = 2 * floor(P / 2)   (PC 4019(f): 4 days deemed per 2 actual)
 *   remaining_days      = max(0, term - P - conduct)
 *   days_to_serve       = least a >= 0 with a + 2 * floor(a / 2) >= remaining_days
 *   release_day         = imposed_on + days_to_serve
 *
 * P counts the days of custody up to and including the sentencing day, as the
 * source states them; service after sentencing starts the next day, and the
 * person is released on the last day served (on the sentencing day itself
 * when the credits cover the term). Returns CUST_EINVAL (with a message in
 * `err`) for a sentence that cannot be computed: term <= 0, negative custody,
 * term or custody over CUST_RELEASE_MAX_DAYS, or a day outside 1800-2200.
 */
enum cust_status cust_release_compute(const struct cust_sentence *s, struct cust_release_calc *out,
                                      struct cust_err *err) CUST_WARN_UNUSED;

/* The rule version cust_release_compute currently applies. */
const char *cust_release_rule_version(void);

#endif
