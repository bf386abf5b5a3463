/*
 * demo.h - the demo county's history: its generated requests worked through the real desk, at
 * the times and by the staff of the story (`custodian demo history`, docs/internals/demo.md).
 *
 * The requests are those `custodian gen --requests` writes for the same generator options, so
 * the county must have been imported from `custodian gen` with those options first. Each step
 * is a desk call (desk.h: add, match, confirm, review, decide, act, fulfil, duties, set status,
 * sweep) made at its moment in the story: the process clock is set to that moment
 * (cust_clock_set) so every ledger entry, decision, action and duty carries it, and the ledger
 * tells the same story the reports count. The county works its requests the way the seed
 * county (Los Angeles, 2024-2025) does under California law: detainers' holds declined and the
 * detainers left to expire after release, release notifications given where the law permits,
 * transfers only on judicial warrants and probable-cause determinations, the DOJ letter
 * answered with what the law allows, the subpoena referred to counsel, interviews only with
 * written consent.
 */
#ifndef CUSTODIAN_DEMO_H
#define CUSTODIAN_DEMO_H

#include "custodian/deadline.h"
#include "custodian/desk.h"
#include "custodian/gen.h"
#include "custodian/store.h"

#include <stdio.h>

struct cust_demo_opts {
    struct cust_gen_opts gen;        /* the generator options the county was imported with */
    const struct cust_desk_env *env; /* the desk's policies, holidays (business days and the
                                        desk's deadlines) and jurisdiction (desk.h) */
    int64_t until;                   /* no step at or after this instant; CUST_NO_TIME: the
                                        county's snapshot (local midnight after its end) */
    FILE *progress;                  /* a line per month worked, or NULL */
};

struct cust_demo_stats {
    int64_t requests;      /* taken in */
    int64_t steps;         /* desk calls made */
    int64_t decided;       /* requests decided */
    int64_t declined;      /* actions declined */
    int64_t notifications; /* notifications given */
    int64_t transfers;     /* transfers done */
    int64_t interviews;    /* interviews held */
    int64_t expired;       /* detainers expired by the daily sweep */
    int64_t lifted;        /* detainers lifted by ICE */
    int64_t fulfilled;     /* data requests answered */
    int64_t duties_done;   /* duties marked done */
    int64_t pending;       /* steps left for after `until` (the story goes on) */
    int64_t enforcement;   /* enforcement actions recorded in the log */
};

/*
 * Work the history into the store `s` (holding the imported county and nothing of the desk
 * yet: CUST_ECONFLICT when requests are already there). A step the desk refuses stops the run
 * with the desk's error naming the request and the step; steps commit one story day at a time.
 */
enum cust_status cust_demo_history(struct cust_store *s, const struct cust_demo_opts *o,
                                   struct cust_demo_stats *stats, struct cust_err *err);

#endif
