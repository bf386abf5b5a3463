/*
 * check.c - `policy check`: prove a policy by enumerating, for every date on which the rules in
 * force change, every citizenship value and every combination of the independent facts the
 * rules depend on, every request kind, and verifying on each decision (docs/policy-language.md):
 *
 *  1. soundness: every action and item gets exactly one verdict, no two rules conflict;
 *  2. citizens (decide.md, "Semantics in every policy and every era"): a verified citizen is
 *     never held, arrested or transferred on a civil immigration request (every kind but
 *     judicial_warrant, judicial_probable_cause and court_order): those verdicts are
 *     `prohibited`, and `notify` is never `required`; on a judicial kind a citizen's decision
 *     carries duty `refer_to_counsel`;
 *  3. overlays restrict effects, not request kinds: an effect an overlay rule forbids for one
 *     civil request kind is forbidden for every civil kind with the same facts (a release
 *     date is one effect, whether asked as `notify` or as `disclose.release_date`).
 *
 * Facts are variables (case booleans, enumerations other than kind and citizenship, each
 * any/all over the lists): an over-approximation, so a pass is a proof.
 */
#include "custodian/compat.h"

#include "policy_int.h"

#define CHECK_MAX_VARS 22
#define CHECK_SHOW     5 /* counterexamples printed per property */

struct check_vars {
    int32_t *var_of_node;
    int32_t var_node[CHECK_MAX_VARS];
    size_t nvars;
    bool too_many;
    int verified_var; /* the variable of `citizenship_verified`, or -1 */
};

static void collect(const struct cust_policy *p, int32_t n, struct check_vars *cv)
{
    if (n < 0)
        return;
    const struct pi_node *nd = &p->nodes[n];
    if (cv->var_of_node[n] >= 0)
        return;
    switch (nd->op) {
    case N_CBOOL:
    case N_IMM_IN:
    case N_WARRANT_IN:
    case N_ANY:
    case N_ALL: {
        /* identical case booleans share one variable */
        int32_t same = -1;
        for (size_t i = 0; i < cv->nvars && nd->op == N_CBOOL; i++) {
            const struct pi_node *o = &p->nodes[cv->var_node[i]];
            if (o->op == N_CBOOL && o->a == nd->a)
                same = (int32_t)i;
        }
        if (same < 0) {
            if (cv->nvars >= CHECK_MAX_VARS) {
                cv->too_many = true;
                return;
            }
            cv->var_node[cv->nvars] = n;
            if (nd->op == N_CBOOL && nd->a == PB_CITIZENSHIP_VERIFIED)
                cv->verified_var = (int)cv->nvars;
            same = (int32_t)cv->nvars++;
        }
        cv->var_of_node[n] = same;
        return;
    }
    case N_FACT:
        collect(p, p->facts[nd->a].node, cv);
        return;
    default:
        collect(p, nd->l, cv);
        collect(p, nd->r, cv);
    }
}

/* Mark the variables condition n depends on (facts expanded). */
static void mark_vars(const struct cust_policy *p, const struct check_vars *cv, int32_t n,
                      bool *used)
{
    if (n < 0)
        return;
    if (cv->var_of_node[n] >= 0) {
        used[cv->var_of_node[n]] = true;
        return;
    }
    const struct pi_node *nd = &p->nodes[n];
    if (nd->op == N_FACT) {
        mark_vars(p, cv, p->facts[nd->a].node, used);
        return;
    }
    mark_vars(p, cv, nd->l, used);
    mark_vars(p, cv, nd->r, used);
}

/* The variables of the rules in force on `day`, into act[]; returns their number. */
static size_t active_vars(const struct cust_policy *p, const struct check_vars *cv, int32_t day,
                          size_t *act)
{
    bool used[CHECK_MAX_VARS] = {false};
    for (size_t i = 0; i < p->nrules; i++) {
        const struct pi_rule *r = &p->rules[i];
        if (r->from > day || day > r->to)
            continue;
        mark_vars(p, cv, r->cond, used);
        for (size_t b = 0; b < r->nbasis; b++)
            mark_vars(p, cv, r->basis[b].node, used);
    }
    size_t n = 0;
    for (size_t v = 0; v < cv->nvars; v++)
        if (used[v])
            act[n++] = v;
    return n;
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* Every date on which the rules in force can change, sorted, unique. */
static size_t check_dates(const struct cust_policy *p, int32_t **out)
{
    size_t n = 0;
    int32_t *dates = cust_xcalloc(p->nversions + 2 * p->nrules + 1, sizeof(int32_t));
    for (size_t i = 0; i < p->nversions; i++)
        dates[n++] = p->versions[i].from;
    for (size_t i = 0; i < p->nrules; i++) {
        if (p->rules[i].from != INT32_MIN && p->rules[i].from >= p->versions[0].from)
            dates[n++] = p->rules[i].from;
        if (p->rules[i].to != INT32_MAX && p->rules[i].to + 1 >= p->versions[0].from)
            dates[n++] = p->rules[i].to + 1;
    }
    qsort(dates, n, sizeof(int32_t), cmp_i32);
    size_t nd = 0;
    for (size_t i = 0; i < n; i++)
        if (nd == 0 || dates[nd - 1] != dates[i])
            dates[nd++] = dates[i];
    *out = dates;
    return nd;
}

static bool judicial_kind(int k)
{
    return k == PK_JUDICIAL_WARRANT || k == PK_JUDICIAL_PROBABLE_CAUSE || k == PK_COURT_ORDER;
}

/* The targets that are one effect with t: a release date given is `notify` or `release_date`. */
static uint32_t effect_of(int t)
{
    if (t == PT_NOTIFY || t == PT_RELEASE_DATE)
        return (1u << PT_NOTIFY) | (1u << PT_RELEASE_DATE);
    return 1u << t;
}

struct check_run {
    const struct cust_policy *p;
    struct check_vars cv;
    struct cust_case dummy;
    struct cust_decision *d;
    uint8_t assign[CHECK_MAX_VARS];
    struct cust_buf *out;
    uint64_t count, bad_sound, bad_citizen, bad_overlay;
};

static void describe(struct check_run *cr, int32_t day, int k, int cz)
{
    char ds[11];
    cust_buf_appendf(cr->out, "counterexample: as_of %s, kind %s, citizenship %s",
                     pi_date_str(day, ds), pi_kind_names[k], pi_citizenship_names[cz]);
    for (size_t v = 0; v < cr->cv.nvars; v++) {
        struct cust_buf nb = CUST_BUF_INIT;
        pi_node_text(cr->p, cr->cv.var_node[v], &nb, 0);
        cust_buf_appendf(cr->out, "%s %s = %s", v ? "," : ":", nb.buf,
                         cr->assign[v] ? "true" : "false");
        cust_buf_release(&nb);
    }
}

static bool has_duty(const struct cust_policy *p, const struct cust_decision *d, const char *id)
{
    for (size_t j = 0; j < d->nduties; j++)
        if (strcmp(p->rules[d->duties[j].rule].duties[d->duties[j].duty].duty, id) == 0)
            return true;
    return false;
}

/* Property 2 on one decision; reports and returns false on a violation. */
static bool citizen_ok(struct check_run *cr, int32_t day, int k, int cz)
{
    const struct cust_decision *d = cr->d;
    bool verified = cr->cv.verified_var < 0 || cr->assign[cr->cv.verified_var];
    if (cz != PC_CITIZEN)
        return true;
    char why[160] = "";
    if (judicial_kind(k)) {
        if (!has_duty(cr->p, d, "refer_to_counsel"))
            snprintf(why, sizeof(why), "a citizen's %s lacks duty refer_to_counsel",
                     pi_kind_names[k]);
    } else if (verified) {
        static const int acts[] = {PT_HOLD, PT_ARREST, PT_TRANSFER};
        for (size_t i = 0; i < CUST_ARRAY_LEN(acts) && !why[0]; i++)
            if (d->entry[acts[i]].verdict != CUST_VERDICT_PROHIBITED)
                snprintf(
                    why, sizeof(why), "verified citizen: %s %s (rule %s)", pi_target_names[acts[i]],
                    cust_verdict_name((enum cust_verdict)d->entry[acts[i]].verdict),
                    d->entry[acts[i]].rule >= 0 ? cr->p->rules[d->entry[acts[i]].rule].id : "-");
        if (!why[0] && d->entry[PT_NOTIFY].verdict == CUST_VERDICT_REQUIRED)
            snprintf(why, sizeof(why), "verified citizen: notify required (rule %s)",
                     cr->p->rules[d->entry[PT_NOTIFY].rule].id);
    }
    if (!why[0])
        return true;
    if (cr->bad_citizen++ < CHECK_SHOW) {
        describe(cr, day, k, cz);
        cust_buf_appendf(cr->out, "\n  -> %s\n", why);
    }
    return false;
}

/*
 * Property 3 over the decisions of every kind for one combination of facts: verdicts[k][t],
 * forbid[k] = the targets an applicable overlay rule prohibits under kind k.
 */
static void overlay_ok(struct check_run *cr, int32_t day, int cz,
                       uint8_t verdicts[PK_COUNT][PT_COUNT], const uint32_t *forbid)
{
    uint32_t effects = 0;
    for (int k = 0; k < PK_COUNT; k++)
        if (!judicial_kind(k))
            for (int t = 0; t < PT_COUNT; t++)
                if ((forbid[k] >> t) & 1u)
                    effects |= effect_of(t);
    for (int k = 0; k < PK_COUNT; k++) {
        if (judicial_kind(k))
            continue;
        for (int t = 0; t < PT_COUNT; t++) {
            if (!((effects >> t) & 1u) || verdicts[k][t] == CUST_VERDICT_PROHIBITED)
                continue;
            if (cr->bad_overlay++ < CHECK_SHOW) {
                describe(cr, day, k, cz);
                cust_buf_appendf(cr->out,
                                 "\n  -> an overlay forbids '%s' for another request "
                                 "kind with these facts, but %s gives it %s\n",
                                 pi_target_names[t], pi_kind_names[k],
                                 cust_verdict_name((enum cust_verdict)verdicts[k][t]));
            }
            return;
        }
    }
}

/* One combination of facts on one date, every kind. */
static void check_combination(struct check_run *cr, int32_t day, int cz)
{
    const struct cust_policy *p = cr->p;
    uint8_t verdicts[PK_COUNT][PT_COUNT];
    uint32_t forbid[PK_COUNT];
    memset(verdicts, 0, sizeof(verdicts));
    memset(forbid, 0, sizeof(forbid));
    struct pi_ctx x = {p, &cr->dummy, cr->d, cr->cv.var_of_node, cr->assign, false};
    for (int k = 0; k < PK_COUNT; k++) {
        cr->dummy.kind = (uint8_t)k;
        cr->dummy.citizenship = (uint8_t)cz;
        struct cust_err err = CUST_ERR_INIT;
        cr->count++;
        if (pi_assemble(&x, PT_ALL_MASK, day, &err) != CUST_OK) {
            if (cr->bad_sound++ < CHECK_SHOW) {
                describe(cr, day, k, cz);
                cust_buf_appendf(cr->out, "\n  -> %s\n", err.msg);
            }
            continue;
        }
        citizen_ok(cr, day, k, cz);
        for (int t = 0; t < PT_COUNT; t++)
            verdicts[k][t] = cr->d->entry[t].verdict;
        for (size_t i = 0; i < p->nrules; i++)
            if (p->rules[i].overlay && cr->d->rule_val[i] == TRI_T)
                for (size_t j = 0; j < p->rules[i].nthen; j++)
                    forbid[k] |= 1u << p->rules[i].then[j].target;
    }
    overlay_ok(cr, day, cz, verdicts, forbid);
}

static void report(struct check_run *cr, size_t nd)
{
    const struct cust_policy *p = cr->p;
    uint64_t bad = cr->bad_sound + cr->bad_citizen + cr->bad_overlay;
    if (bad) {
        cust_buf_appendf(
            cr->out,
            "policy %s: FAILED - of %llu combinations, %llu have a conflict or no verdict, %llu "
            "let a citizen be held, arrested or transferred (or lack refer_to_counsel), %llu let "
            "a request kind obtain an effect an overlay forbids\n",
            p->id, (unsigned long long)cr->count, (unsigned long long)cr->bad_sound,
            (unsigned long long)cr->bad_citizen, (unsigned long long)cr->bad_overlay);
        return;
    }
    cust_buf_appendf(cr->out,
                     "policy %s: ok - %llu combinations (%zu dates x %d kinds x %d "
                     "citizenship values x up to 2^%zu facts), every action and item has "
                     "one verdict, no conflict; no verified citizen held, arrested or "
                     "transferred on a civil request, notify never required for one, "
                     "refer_to_counsel on judicial kinds; %s\n",
                     p->id, (unsigned long long)cr->count, nd, PK_COUNT, PC_COUNT, cr->cv.nvars,
                     p->base_id ? "every effect the overlay forbids is forbidden for "
                                  "every civil request kind"
                                : "no overlay");
}

enum cust_status cust_policy_check(const struct cust_policy *p, struct cust_buf *out,
                                   uint64_t *cases_checked)
{
    struct check_run cr;
    memset(&cr, 0, sizeof(cr));
    cr.p = p;
    cr.out = out;
    cr.cv.verified_var = -1;
    cr.cv.var_of_node = cust_xcalloc(p->nnodes + 1, sizeof(int32_t));
    for (size_t i = 0; i < p->nnodes; i++)
        cr.cv.var_of_node[i] = -1;
    for (size_t i = 0; i < p->nrules; i++) {
        collect(p, p->rules[i].cond, &cr.cv);
        for (size_t b = 0; b < p->rules[i].nbasis; b++)
            collect(p, p->rules[i].basis[b].node, &cr.cv);
    }
    if (cr.cv.too_many) {
        enum cust_status st =
            cust_buf_appendf(out, "policy %s: more than %d independent facts; cannot enumerate\n",
                             p->id, CHECK_MAX_VARS);
        free(cr.cv.var_of_node);
        return st ? st : CUST_ECONFLICT;
    }
    int32_t *dates;
    size_t nd = check_dates(p, &dates);
    cr.dummy.immigration = PI_IMM_UNKNOWN;
    cr.d = cust_decision_new();
    cr.d->afacts = p->nfacts;
    cr.d->fact_val = cust_xcalloc(p->nfacts + 1, 1);
    cr.d->fact_need_lo = cust_xcalloc(p->nfacts + 1, sizeof(uint32_t));
    cr.d->fact_need_hi = cust_xcalloc(p->nfacts + 1, sizeof(uint32_t));
    for (size_t di = 0; di < nd; di++) {
        cr.d->version = pi_version_at(p, dates[di]);
        /* only the facts of the rules in force that day can change a decision: enumerate
         * those, hold the others at false */
        size_t act[CHECK_MAX_VARS];
        size_t nact = active_vars(p, &cr.cv, dates[di], act);
        memset(cr.assign, 0, sizeof(cr.assign));
        uint32_t combos = 1u << nact;
        for (int cz = 0; cz < PC_COUNT; cz++)
            for (uint32_t m = 0; m < combos; m++) {
                for (size_t v = 0; v < nact; v++)
                    cr.assign[act[v]] = (m >> v) & 1u;
                check_combination(&cr, dates[di], cz);
            }
    }
    report(&cr, nd);
    if (cases_checked)
        *cases_checked = cr.count;
    cust_decision_free(cr.d);
    free(dates);
    free(cr.cv.var_of_node);
    if (cust_buf_status(out))
        return cust_buf_status(out); /* the report is incomplete */
    return cr.bad_sound + cr.bad_citizen + cr.bad_overlay ? CUST_ECONFLICT : CUST_OK;
}
