/*
 * eval.c - evaluating compiled conditions (Kleene three-valued logic) and
 * assembling a decision: rules in force, default/exception order, conflicts,
 * missing facts (`needs`), duties and the trace.
 */
#include "custodian/compat.h"

#include "custodian/date.h"
#include "policy_int.h"

#include <stdarg.h>

const char *const pi_citizenship_names[PC_COUNT] = {"citizen", "non_citizen", "unknown"};
const char *const pi_cbool_names[PB_COUNT] = {"release_date_public",
                                              "sex_arson_registrant",
                                              "outstanding_federal_felony_warrant",
                                              "citizenship_verified",
                                              "address_public",
                                              "immigration_status_proof",
                                              "population"};
const char *const pi_immigration_names[PI_IMM_COUNT] = {
    "lawful_permanent_resident",  "lawful_nonimmigrant", "refugee_or_asylee",
    "temporary_protected_status", "undocumented",        "unknown"};
const char *const pi_warrant_names[PW_COUNT] = {"none", "I-200", "I-205"};
const char *const pi_list_names[PL_COUNT] = {"convictions", "pending_charges"};
const char *const pi_list_json_names[PL_COUNT] = {"convictions", "pending_charges"};
const char *const pi_ov_names[PO_COUNT] = {"serious", "violent",        "state_prison",
                                           "wobbler", "prop47_reduced", "aggravated_felony",
                                           "category"};

const char *cust_verdict_name(enum cust_verdict v)
{
    switch (v) {
    case CUST_VERDICT_PROHIBITED:
        return "prohibited";
    case CUST_VERDICT_PERMITTED:
        return "permitted";
    case CUST_VERDICT_REQUIRED:
        return "required";
    default:
        return "none";
    }
}

int pi_target_from_name(const char *s)
{
    for (int i = 0; i < PT_COUNT; i++)
        if (strcmp(pi_target_names[i], s) == 0)
            return i;
    return -1;
}

int pi_kind_from_name(const char *s)
{
    for (int i = 0; i < PK_COUNT; i++)
        if (strcmp(pi_kind_names[i], s) == 0)
            return i;
    return -1;
}

const char *pi_date_str(int32_t day, char buf[11])
{
    cust_date_format(day, buf);
    return buf;
}

void pi_trace(struct cust_decision *d, const char *fmt, ...)
{
    if (!d->tracing)
        return;
    if (d->ntrace == d->atrace) {
        d->atrace = d->atrace ? d->atrace * 2 : 32;
        d->trace_off = cust_xrealloc(d->trace_off, d->atrace * sizeof(size_t));
    }
    d->trace_off[d->ntrace++] = d->trace.len;
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (cust_buf_puts(&d->trace, line) || cust_buf_putc(&d->trace, '\0'))
        d->ntrace--;
}

static void push_need(struct cust_decision *d, uint8_t list, size_t idx, const char *name)
{
    if (d->nneeds == d->aneeds) {
        d->aneeds = d->aneeds ? d->aneeds * 2 : 32;
        d->needs = cust_xrealloc(d->needs, d->aneeds * sizeof(*d->needs));
    }
    d->needs[d->nneeds].list = list;
    d->needs[d->nneeds].idx = (uint16_t)idx;
    d->needs[d->nneeds].name = name;
    d->nneeds++;
}

static uint8_t tri_not(uint8_t v)
{
    return v == TRI_U ? TRI_U : (uint8_t)!v;
}

/* The element's row in table t (see pi_code_row). */
static int el_row(struct pi_ctx *x, int list, size_t idx, size_t t)
{
    return pi_code_row(x->d->el_code[list][idx], x->d->el_exact[list][idx], t);
}

static uint8_t eval_attr(struct pi_ctx *x, int a, int list, size_t idx);

/* Set attribute: mask of values and whether known. */
/* Set attribute: *mask the values that hold, *maybe those that may (a qualified table value:
 * `[conditional]`, or `[from D]` unless the element is dated before D); TRI_U when no row. */
static uint8_t eval_set(struct pi_ctx *x, int a, int list, size_t idx, uint64_t *mask,
                        uint64_t *maybe)
{
    const struct cust_policy *p = x->p;
    const struct pi_attr *at = &p->attrs[a];
    const struct pi_el *e = &x->c->els[list][idx];
    *mask = *maybe = 0;
    if (at->ov == PO_CATEGORY && (e->ov_set & (1u << PO_CATEGORY))) {
        const char *s = e->ov_category;
        while (*s) {
            const char *q = strchr(s, ';');
            size_t l = q ? (size_t)(q - s) : strlen(s);
            for (size_t v = 0; v < p->nvalues; v++)
                if (strlen(p->values[v]) == l && memcmp(p->values[v], s, l) == 0)
                    *mask |= 1ull << v;
            if (!q)
                break;
            s = q + 1;
        }
        return TRI_T;
    }
    bool known = false, disagree = false;
    for (size_t k = 0; k < at->ncols; k++) {
        int t = at->tab[k];
        int row = el_row(x, list, idx, (size_t)t);
        if (row >= 0) {
            const struct pi_table *tb = &p->tables[t];
            size_t cell = (size_t)row * tb->ncols + at->col[k];
            if ((size_t)row >= tb->nreal && tb->tri[cell] == TRI_U && tb->cells[cell][0] == '\0')
                disagree = true; /* a bare section whose subdivisions disagree */
            *mask |= tb->setv[cell];
            if (tb->setm[cell] &&
                !(tb->setfrom[cell] != INT32_MIN && e->has_date && e->date < tb->setfrom[cell]))
                *maybe |= tb->setm[cell];
            known = true;
        }
    }
    return known && !disagree ? TRI_T : TRI_U;
}

static int32_t years_back(int32_t as_of, int n)
{
    int y;
    unsigned m, dd;
    cust_civil_from_days(as_of, &y, &m, &dd);
    y -= n;
    if (m == 2 && dd == 29)
        dd = 28;
    return cust_days_from_civil(y, m, dd);
}

static int cmp_day(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* Every day eval_el below compares an element's date with (keep the two in step). */
int32_t *cust_policy_date_cuts(const struct cust_policy *p, int32_t as_of, size_t *n)
{
    size_t cap = 1, k = 0;
    for (size_t i = 0; i < p->nnodes; i++)
        cap += p->nodes[i].op == N_WITHIN || p->nodes[i].op == N_DATED;
    for (size_t t = 0; t < p->ntables; t++)
        if (p->tables[t].setfrom)
            cap += p->tables[t].nrows * p->tables[t].ncols;
    int32_t *cuts = cust_xmalloc(cap * sizeof(*cuts));
    cuts[k++] = as_of; /* within: on or before as_of */
    for (size_t i = 0; i < p->nnodes; i++) {
        const struct pi_node *nd = &p->nodes[i];
        if (nd->op == N_WITHIN) /* after the day N years (days) back */
            cuts[k++] = nd->n > 0 ? years_back(as_of, nd->n) : as_of + nd->n;
        else if (nd->op == N_DATED) /* before day n, or on or after it */
            cuts[k++] = nd->n;
    }
    for (size_t t = 0; t < p->ntables; t++) {
        const struct pi_table *tb = &p->tables[t];
        for (size_t c = 0; tb->setfrom && c < tb->nrows * tb->ncols; c++)
            if (tb->setfrom[c] != INT32_MIN) /* a qualified value: dated before its day */
                cuts[k++] = tb->setfrom[c];
    }
    qsort(cuts, k, sizeof(*cuts), cmp_day);
    size_t u = 0;
    for (size_t i = 0; i < k; i++)
        if (u == 0 || cuts[u - 1] != cuts[i])
            cuts[u++] = cuts[i];
    *n = u;
    return cuts;
}

static uint8_t eval_el(struct pi_ctx *x, const struct pi_node *nd, int list, size_t idx)
{
    const struct pi_el *e = &x->c->els[list][idx];
    switch (nd->op) {
    case N_ATTR:
        return eval_attr(x, nd->a, list, idx);
    case N_SET_IN: {
        uint64_t m, maybe;
        uint8_t k = eval_set(x, nd->a, list, idx, &m, &maybe);
        uint64_t want = nd->mask ? nd->mask : ~0ull;
        if (k == TRI_T && (m & want))
            return TRI_T;
        if (k == TRI_U || (maybe & want)) {
            push_need(x->d, (uint8_t)list, idx, x->p->attrs[nd->a].name);
            return TRI_U;
        }
        return TRI_F;
    }
    case N_LEVEL_IN:
        if (e->level == PV_UNKNOWN) {
            if (nd->mask & 1u)
                return TRI_T;
            push_need(x->d, (uint8_t)list, idx, "level");
            return TRI_U;
        }
        return (nd->mask >> e->level) & 1u;
    case N_JUR_IN:
        return (nd->mask >> e->jur) & 1u;
    case N_HELD:
        return e->held_to_answer;
    case N_WITHIN: {
        if (!e->has_date) {
            push_need(x->d, (uint8_t)list, idx, "date");
            return TRI_U;
        }
        int32_t as_of = x->d->as_of;
        int32_t lo = nd->n > 0 ? years_back(as_of, nd->n) : as_of + nd->n;
        /* within N years: the conviction date is after the day N years before as_of */
        return e->date > lo && e->date <= as_of;
    }
    case N_DATED:
        if (!e->has_date) {
            push_need(x->d, (uint8_t)list, idx, "date");
            return TRI_U;
        }
        return nd->b ? e->date >= nd->n : e->date < nd->n;
    case N_IN_TABLE: {
        int row = el_row(x, list, idx, nd->a);
        if (row == -2) {
            push_need(x->d, (uint8_t)list, idx, "code");
            return TRI_U;
        }
        return row >= 0;
    }
    case N_COL: {
        int row = el_row(x, list, idx, nd->a);
        if (row < 0)
            return TRI_U; /* the enclosing attr names the need */
        const struct pi_table *tb = &x->p->tables[nd->a];
        return tb->tri[(size_t)row * tb->ncols + nd->b];
    }
    default:
        return TRI_U;
    }
}

static uint8_t eval_attr(struct pi_ctx *x, int a, int list, size_t idx)
{
    const struct cust_policy *p = x->p;
    const struct pi_attr *at = &p->attrs[a];
    const struct pi_el *e = &x->c->els[list][idx];
    if (at->ov >= 0 && (e->ov_set & (1u << at->ov)))
        return (e->ov_bool >> at->ov) & 1u;
    size_t base = list == PL_CONVICTIONS ? 0 : x->c->nels[PL_CONVICTIONS];
    uint8_t *memo = &x->d->attr_val[(base + idx) * p->nattrs + (size_t)a];
    uint8_t v = *memo;
    if (v == 0xFF) {
        size_t mark = x->d->nneeds;
        if (at->node >= 0)
            v = pi_eval(x, at->node, list, (size_t)idx);
        else
            v = TRI_U;
        x->d->nneeds = mark; /* inner needs are named by the attribute */
        *memo = v;
    }
    if (v == TRI_U)
        push_need(x->d, (uint8_t)list, idx, at->name);
    return v;
}

uint8_t pi_eval(struct pi_ctx *x, int32_t node, int list, size_t idx)
{
    const struct pi_node *nd = &x->p->nodes[node];
    if (x->assign && x->var_of_node[node] >= 0)
        return x->assign[x->var_of_node[node]];
    switch (nd->op) {
    case N_CONST:
        return nd->a;
    case N_AND: {
        size_t mark = x->d->nneeds;
        uint8_t l = pi_eval(x, nd->l, list, idx);
        if (l == TRI_F) {
            x->d->nneeds = mark;
            return TRI_F;
        }
        uint8_t r = pi_eval(x, nd->r, list, idx);
        if (r == TRI_F) {
            x->d->nneeds = mark;
            return TRI_F;
        }
        return (l == TRI_T && r == TRI_T) ? TRI_T : TRI_U;
    }
    case N_OR: {
        size_t mark = x->d->nneeds;
        uint8_t l = pi_eval(x, nd->l, list, idx);
        if (l == TRI_T) {
            x->d->nneeds = mark;
            return TRI_T;
        }
        uint8_t r = pi_eval(x, nd->r, list, idx);
        if (r == TRI_T) {
            x->d->nneeds = mark;
            return TRI_T;
        }
        return (l == TRI_F && r == TRI_F) ? TRI_F : TRI_U;
    }
    case N_NOT:
        return tri_not(pi_eval(x, nd->l, list, idx));
    case N_KIND_IN:
        return (nd->mask >> x->c->kind) & 1u;
    case N_CIT_IN:
        return (nd->mask >> x->c->citizenship) & 1u;
    case N_IMM_IN:
        return (nd->mask >> x->c->immigration) & 1u;
    case N_WARRANT_IN:
        return (nd->mask >> x->c->warrant) & 1u;
    case N_CBOOL:
        return x->c->cbool[nd->a];
    case N_ASKS:
        return (x->d->asked >> nd->a) & 1u;
    case N_ALLOWS: {
        const struct pi_entry *en = &x->d->entry[nd->a];
        return ((x->d->asked >> nd->a) & 1u) && en->verdict >= CUST_VERDICT_PERMITTED;
    }
    case N_FACT: {
        struct cust_decision *d = x->d;
        uint8_t v = d->fact_val[nd->a];
        if (v == 0xFF) {
            size_t mark = d->nneeds;
            v = pi_eval(x, x->p->facts[nd->a].node, -1, 0);
            d->fact_val[nd->a] = v;
            d->fact_need_lo[nd->a] = (uint32_t)mark;
            d->fact_need_hi[nd->a] = (uint32_t)d->nneeds;
        } else if (v == TRI_U) {
            for (uint32_t k = d->fact_need_lo[nd->a]; k < d->fact_need_hi[nd->a]; k++)
                push_need(d, d->needs[k].list, d->needs[k].idx, d->needs[k].name);
        }
        return v;
    }
    case N_ANY:
    case N_ALL: {
        bool any = nd->op == N_ANY;
        uint8_t acc = any ? TRI_F : TRI_T;
        size_t mark = x->d->nneeds;
        for (size_t i = 0; i < x->c->nels[nd->a]; i++) {
            uint8_t v = pi_eval(x, nd->l, nd->a, i);
            if (any && v == TRI_T) {
                x->d->nneeds = mark;
                return TRI_T;
            }
            if (!any && v == TRI_F) {
                x->d->nneeds = mark;
                return TRI_F;
            }
            if (v == TRI_U)
                acc = TRI_U;
        }
        return acc;
    }
    default:
        if (list < 0)
            return TRI_U;
        return eval_el(x, nd, list, idx);
    }
}

int pi_version_at(const struct cust_policy *p, int32_t day)
{
    int v = -1;
    for (size_t i = 0; i < p->nversions; i++)
        if (p->versions[i].from <= day)
            v = (int)i;
    return v;
}

static bool rule_in_force(const struct pi_rule *r, int32_t day)
{
    return r->from <= day && day <= r->to;
}

static void set_bit(uint64_t *w, size_t i)
{
    w[i / 64] |= 1ull << (i % 64);
}
static bool has_bit(const uint64_t *w, size_t i)
{
    return (w[i / 64] >> (i % 64)) & 1u;
}

static void add_out_need(struct cust_decision *d, const struct pi_need *n)
{
    for (size_t i = 0; i < d->nout_needs; i++)
        if (d->out_needs[i].list == n->list && d->out_needs[i].idx == n->idx &&
            strcmp(d->out_needs[i].name, n->name) == 0)
            return;
    if (d->nout_needs == d->aout_needs) {
        d->aout_needs = d->aout_needs ? d->aout_needs * 2 : 16;
        d->out_needs = cust_xrealloc(d->out_needs, d->aout_needs * sizeof(*d->out_needs));
    }
    d->out_needs[d->nout_needs++] = *n;
}

static void need_text(const struct pi_need *n, char *buf, size_t cap)
{
    if (n->list == 0xFF)
        snprintf(buf, cap, "%s", n->name);
    else
        snprintf(buf, cap, "%s[%u].%s", pi_list_json_names[n->list], (unsigned)n->idx, n->name);
}

static void trace_needs(struct cust_decision *d, uint32_t lo, uint32_t hi, char *buf, size_t cap)
{
    size_t o = 0;
    buf[0] = '\0';
    for (uint32_t k = lo; k < hi && o + 2 < cap; k++) {
        char one[160];
        need_text(&d->needs[k], one, sizeof(one));
        int w = snprintf(buf + o, cap - o, "%s%s", o ? ", " : "", one);
        if (w < 0 || (size_t)w >= cap - o)
            break;
        o += (size_t)w;
    }
}

/* Phase 1: evaluate every verdict rule in force that decides an asked target. */
static void eval_rules(struct pi_ctx *x, uint32_t targets, int32_t as_of)
{
    const struct cust_policy *p = x->p;
    struct cust_decision *d = x->d;
    for (size_t h = 0; h < p->nhot; h++) {
        const struct pi_hot *r = &p->hot[h];
        size_t i = r->idx;
        d->rule_val[i] = TRI_F;
        d->rule_need_lo[i] = d->rule_need_hi[i] = 0;
        if (!(r->then_mask & targets))
            continue;
        if (r->from > as_of || as_of > r->to) {
            d->rule_val[i] = 3; /* not in force */
            continue;
        }
        uint32_t mark = (uint32_t)d->nneeds;
        uint8_t v = pi_eval(x, r->cond, -1, 0);
        d->rule_val[i] = v;
        if (v == TRI_U) {
            d->rule_need_lo[i] = mark;
            d->rule_need_hi[i] = (uint32_t)d->nneeds;
        } else {
            d->nneeds = mark;
        }
    }
}

/*
 * Phase 2, one target: applicable rules minus those an applicable exception overrides; an
 * unknown rule more protective than the result wins; overlay narrowing; needs; basis.
 */
static enum cust_status decide_target(struct pi_ctx *x, int t, int32_t as_of, struct cust_err *err)
{
    const struct cust_policy *p = x->p;
    struct cust_decision *d = x->d;
    char ds[11];
    struct pi_entry *en = &d->entry[t];
    memset(en, 0, sizeof(*en));
    en->rule = -1;
    const uint16_t *tl = p->tgt_rules[t];
    size_t nt = p->ntgt_rules[t];
    uint64_t app[PI_RULE_WORDS] = {0};
    for (size_t ii = 0, i = nt ? tl[0] : 0; ii < nt; i = ++ii < nt ? tl[ii] : 0)
        if (d->rule_val[i] == TRI_T && !p->is_overlay[i])
            set_bit(app, i);
    uint8_t verdict = 0;
    for (size_t ii = 0, i = nt ? tl[0] : 0; ii < nt; i = ++ii < nt ? tl[ii] : 0) {
        if (!has_bit(app, i))
            continue;
        bool beaten = false;
        for (size_t jj = 0, j = nt ? tl[0] : 0; jj < nt && !beaten; j = ++jj < nt ? tl[jj] : 0)
            if (j != i && has_bit(app, j) && has_bit(p->beats_of[j], i))
                beaten = true;
        if (beaten)
            continue;
        uint8_t v = p->verdict_of[i][t];
        if (verdict && v != verdict) {
            return cust_err_set(
                err, CUST_ECONFLICT,
                "policy '%s' on %s: rules '%s' and '%s' disagree on '%s' (%s vs %s)", p->id,
                pi_date_str(as_of, ds), p->rules[en->rule].id, p->rules[i].id, pi_target_names[t],
                cust_verdict_name((enum cust_verdict)verdict),
                cust_verdict_name((enum cust_verdict)v));
        }
        verdict = v;
        if (en->rule < 0)
            en->rule = (int16_t)i;
        set_bit(en->winners, i);
    }
    /* an unknown rule more protective than the result wins: never rest on a guess */
    for (size_t ii = 0, i = nt ? tl[0] : 0; ii < nt; i = ++ii < nt ? tl[ii] : 0) {
        if (d->rule_val[i] != TRI_U || p->is_overlay[i])
            continue;
        uint8_t v = p->verdict_of[i][t];
        bool beaten = false;
        for (size_t jj = 0, j = nt ? tl[0] : 0; jj < nt && !beaten; j = ++jj < nt ? tl[jj] : 0)
            beaten = has_bit(en->winners, j) && has_bit(p->beats_of[j], i);
        if (verdict && v < verdict && !beaten) {
            verdict = v;
            memset(en->winners, 0, sizeof(en->winners));
            set_bit(en->winners, i);
            en->rule = (int16_t)i;
        }
    }
    if (!verdict)
        return cust_err_set(err, CUST_ECONFLICT, "policy '%s' on %s gives no verdict for '%s'",
                            p->id, pi_date_str(as_of, ds), pi_target_names[t]);
    /* overlay narrowing */
    for (size_t ii = 0, i = nt ? tl[0] : 0; ii < nt; i = ++ii < nt ? tl[ii] : 0) {
        if (!p->is_overlay[i])
            continue;
        uint8_t rv = d->rule_val[i];
        if (rv != TRI_T && rv != TRI_U)
            continue;
        if (verdict == CUST_VERDICT_REQUIRED)
            return cust_err_set(err, CUST_ECONFLICT,
                                "policy '%s' on %s: overlay rule '%s' would prohibit '%s', "
                                "which the state policy requires (rule '%s')",
                                p->id, pi_date_str(as_of, ds), p->rules[i].id, pi_target_names[t],
                                p->rules[en->rule].id);
        if (verdict == CUST_VERDICT_PERMITTED) {
            verdict = CUST_VERDICT_PROHIBITED;
            memset(en->winners, 0, sizeof(en->winners));
            en->rule = (int16_t)i;
            en->basis = 0;
        }
        if ((size_t)en->rule == i || has_bit(en->winners, i) || rv == TRI_T)
            set_bit(en->winners, i);
        if (rv == TRI_T)
            break;
    }
    en->verdict = verdict;
    /* needs: unknown rules whose verdict differs from the result */
    for (size_t ii = 0, i = nt ? tl[0] : 0; ii < nt; i = ++ii < nt ? tl[ii] : 0) {
        if (d->rule_val[i] != TRI_U)
            continue;
        if (p->verdict_of[i][t] == verdict && !has_bit(en->winners, i))
            continue;
        for (uint32_t k = d->rule_need_lo[i]; k < d->rule_need_hi[i]; k++)
            add_out_need(d, &d->needs[k]);
    }
    /* basis of the winners (only the base rules' when the overlay did not narrow) */
    for (size_t ii = 0, i = nt ? tl[0] : 0; ii < nt; i = ++ii < nt ? tl[ii] : 0) {
        if (!has_bit(en->winners, i))
            continue;
        set_bit(d->fired, i);
        const struct pi_rule *r = &p->rules[i];
        for (size_t b = 0; b < r->nbasis; b++) {
            bool on = r->basis[b].node < 0;
            if (!on) {
                size_t mark = d->nneeds;
                on = pi_eval(x, r->basis[b].node, -1, 0) == TRI_T;
                d->nneeds = mark;
            }
            if (on)
                en->basis |= 1ull << r->basis[b].label;
        }
    }
    return CUST_OK;
}

/* Phase 3: duties of the rules that won, duty-only rules (unknown counts as applying: duties
 * protect) and need-only rules (a case-level fact to ask for when their condition holds). */
static void apply_duties(struct pi_ctx *x, int32_t as_of)
{
    const struct cust_policy *p = x->p;
    struct cust_decision *d = x->d;
    for (size_t si = 0; si < p->nside; si++) {
        size_t i = p->side[si];
        const struct pi_rule *r = &p->rules[i];
        if (r->nneed_names && !r->nthen && rule_in_force(r, as_of)) {
            size_t mark = d->nneeds;
            uint8_t v = pi_eval(x, r->cond, -1, 0);
            d->nneeds = mark;
            if (v == TRI_T) {
                set_bit(d->fired, i);
                for (size_t k = 0; k < r->nneed_names; k++) {
                    struct pi_need n = {0xFF, 0, r->need_names[k]};
                    add_out_need(d, &n);
                }
            }
        }
        if (!r->nduties)
            continue;
        bool on = false;
        if (r->nthen) {
            on = has_bit(d->fired, i);
        } else if (rule_in_force(r, as_of)) {
            size_t mark = d->nneeds;
            x->duty_phase = true;
            uint8_t v = pi_eval(x, r->cond, -1, 0);
            x->duty_phase = false;
            d->nneeds = mark;
            on = v != TRI_F;
            if (on)
                set_bit(d->fired, i);
        }
        if (!on)
            continue;
        for (size_t k = 0; k < r->nduties; k++) {
            bool dup = false;
            for (size_t j = 0; j < d->nduties && !dup; j++) {
                const struct pi_duty *o = &p->rules[d->duties[j].rule].duties[d->duties[j].duty];
                dup = strcmp(o->duty, r->duties[k].duty) == 0 &&
                      ((!o->when && !r->duties[k].when) ||
                       (o->when && r->duties[k].when && strcmp(o->when, r->duties[k].when) == 0));
            }
            if (dup)
                continue;
            if (d->nduties == d->aduties) {
                d->aduties = d->aduties ? d->aduties * 2 : 8;
                d->duties = cust_xrealloc(d->duties, d->aduties * sizeof(*d->duties));
            }
            d->duties[d->nduties].rule = (int16_t)i;
            d->duties[d->nduties].duty = (uint8_t)k;
            d->nduties++;
        }
    }
}

/* Phase 4: one trace line per rule considered and per duty. */
static void write_trace(struct pi_ctx *x, uint32_t targets, int32_t as_of)
{
    const struct cust_policy *p = x->p;
    struct cust_decision *d = x->d;
    char ds[11];
    const struct pi_version *v = &p->versions[d->version];
    pi_trace(d, "policy %s, version %s (%s) in force on %s", p->id, pi_date_str(v->from, ds),
             v->label, pi_date_str(as_of, (char[11]){0}));
    for (size_t i = 0; i < p->nrules; i++) {
        const struct pi_rule *r = &p->rules[i];
        if (!r->nthen || !(r->then_mask & targets))
            continue;
        uint8_t rv = d->rule_val[i];
        if (rv == 3) {
            char a[11], b[11];
            pi_trace(d, "%s: not in force on %s (effective %s to %s)", r->id,
                     pi_date_str(as_of, ds),
                     r->from == INT32_MIN ? "always" : pi_date_str(r->from, a),
                     r->to == INT32_MAX ? "open" : pi_date_str(r->to, b));
            continue;
        }
        if (rv == TRI_F) {
            pi_trace(d, "%s: not applicable (its condition is false)", r->id);
            continue;
        }
        for (size_t k = 0; k < r->nthen; k++) {
            int t = r->then[k].target;
            if (!((targets >> t) & 1u))
                continue;
            const struct pi_entry *en = &d->entry[t];
            const char *vn = cust_verdict_name((enum cust_verdict)r->then[k].verdict);
            if (rv == TRI_U) {
                char nb[512];
                trace_needs(d, d->rule_need_lo[i], d->rule_need_hi[i], nb, sizeof(nb));
                pi_trace(d, "%s: cannot tell whether it applies to %s (%s) - missing: %s%s", r->id,
                         pi_target_names[t], vn, nb,
                         has_bit(en->winners, i) ? "; applied as the more protective answer"
                                                 : "; not relied on");
            } else if (has_bit(en->winners, i)) {
                pi_trace(d, "%s: applies -> %s %s", r->id, pi_target_names[t], vn);
            } else if (en->rule >= 0) {
                pi_trace(d, "%s: applies (%s %s) but is overridden by %s", r->id,
                         pi_target_names[t], vn, p->rules[en->rule].id);
            }
        }
    }
    for (size_t i = 0; i < p->nrules; i++)
        if (p->rules[i].nneed_names && !p->rules[i].nthen && has_bit(d->fired, i))
            pi_trace(d, "%s: applies -> needs %s", p->rules[i].id, p->rules[i].need_names[0]);
    for (size_t j = 0; j < d->nduties; j++) {
        const struct pi_rule *r = &p->rules[d->duties[j].rule];
        pi_trace(d, "%s: duty %s", r->id, r->duties[d->duties[j].duty].duty);
    }
}

/*
 * Evaluate the rules for `targets` under the version in force on `as_of` and fill
 * x->d's entries, duties and needs. In check mode (x->assign) facts are variables.
 */
enum cust_status pi_assemble(struct pi_ctx *x, uint32_t targets, int32_t as_of,
                             struct cust_err *err)
{
    const struct cust_policy *p = x->p;
    struct cust_decision *d = x->d;
    d->as_of = as_of;
    d->asked = targets;
    d->nduties = 0;
    d->nneeds = 0;
    d->nout_needs = 0;
    memset(d->fired, 0, sizeof(d->fired));
    for (size_t f = 0; f < p->nfacts; f++)
        d->fact_val[f] = 0xFF;
    size_t nel = x->c ? x->c->nels[0] + x->c->nels[1] : 0;
    if (nel && p->nattrs)
        memset(d->attr_val, 0xFF, nel * p->nattrs);
    eval_rules(x, targets, as_of);
    for (int t = 0; t < PT_COUNT; t++) {
        struct pi_entry *en = &d->entry[t];
        memset(en, 0, sizeof(*en));
        en->rule = -1;
        if (!((targets >> t) & 1u))
            continue;
        enum cust_status st = decide_target(x, t, as_of, err);
        if (st)
            return st;
    }
    apply_duties(x, as_of);
    if (d->tracing)
        write_trace(x, targets, as_of);
    return CUST_OK;
}

struct cust_decision *cust_decision_new(void)
{
    struct cust_decision *d = cust_xcalloc(1, sizeof(*d));
    cust_buf_init(&d->trace, 0);
    return d;
}

void cust_decision_free(struct cust_decision *d)
{
    if (!d)
        return;
    free(d->duties);
    free(d->needs);
    free(d->out_needs);
    free(d->fact_val);
    free(d->fact_need_lo);
    free(d->fact_need_hi);
    free(d->attr_val);
    for (int l = 0; l < PL_COUNT; l++) {
        free(d->el_code[l]);
        free(d->el_exact[l]);
    }
    cust_buf_release(&d->trace);
    free(d->trace_off);
    free(d);
}

static void ensure_scratch(const struct cust_policy *p, const struct cust_case *c,
                           struct cust_decision *d)
{
    if (d->afacts < p->nfacts) {
        d->afacts = p->nfacts;
        d->fact_val = cust_xrealloc(d->fact_val, d->afacts);
        d->fact_need_lo = cust_xrealloc(d->fact_need_lo, d->afacts * sizeof(uint32_t));
        d->fact_need_hi = cust_xrealloc(d->fact_need_hi, d->afacts * sizeof(uint32_t));
    }
    size_t nel = c ? c->nels[0] + c->nels[1] : 0;
    if (d->aattr < nel * p->nattrs) {
        d->aattr = nel * p->nattrs;
        d->attr_val = cust_xrealloc(d->attr_val, d->aattr);
    }
    for (int l = 0; c && l < PL_COUNT; l++)
        if (d->ael_code[l] < c->nels[l]) {
            d->ael_code[l] = c->nels[l];
            d->el_code[l] = cust_xrealloc(d->el_code[l], c->nels[l] * sizeof(*d->el_code[l]));
            d->el_exact[l] = cust_xrealloc(d->el_exact[l], c->nels[l]);
        }
}

enum cust_status cust_decide(const struct cust_policy *p, const struct cust_case *c, unsigned flags,
                             struct cust_decision *d, struct cust_err *err)
{
    char ds[11], fs[11];
    int v = pi_version_at(p, c->as_of);
    if (v < 0)
        return cust_err_set(err, CUST_EINVAL,
                            "case.as_of: %s is before the first version of policy '%s' (%s)",
                            pi_date_str(c->as_of, ds), p->id, pi_date_str(p->versions[0].from, fs));
    ensure_scratch(p, c, d);
    d->tracing = (flags & CUST_DECIDE_TRACE) != 0;
    cust_buf_reset(&d->trace);
    d->ntrace = 0;
    d->version = v;
    d->kind = c->kind;
    for (int l = 0; l < PL_COUNT; l++)
        for (size_t i = 0; i < c->nels[l]; i++) {
            bool exact;
            d->el_code[l][i] = pi_code_lookup(p, c->els[l][i].code, &exact);
            d->el_exact[l][i] = exact;
        }
    struct pi_ctx x = {p, c, d, NULL, NULL, false};
    uint32_t targets = c->asks | c->items;
    return pi_assemble(&x, targets, c->as_of, err);
}

enum cust_verdict cust_decision_verdict(const struct cust_decision *d, const char *target)
{
    int t = pi_target_from_name(target);
    if (t < 0 || !((d->asked >> t) & 1u))
        return CUST_VERDICT_NONE;
    return (enum cust_verdict)d->entry[t].verdict;
}

size_t cust_decision_trace_len(const struct cust_decision *d)
{
    return d->ntrace;
}

const char *cust_decision_trace_line(const struct cust_decision *d, size_t i)
{
    return i < d->ntrace ? d->trace.buf + d->trace_off[i] : NULL;
}

enum cust_status cust_decision_fired_rules(const struct cust_policy *p,
                                           const struct cust_decision *d, struct cust_buf *out)
{
    for (size_t i = 0; i < p->nrules; i++)
        if (has_bit(d->fired, i))
            if (cust_buf_appendf(out, "%s\t%s\n", p->rules[i].id, p->rules[i].file))
                return CUST_ENOMEM;
    return CUST_OK;
}

enum cust_status cust_policy_rule_list(const struct cust_policy *p, struct cust_buf *out)
{
    for (size_t i = 0; i < p->nrules; i++)
        if (cust_buf_appendf(out, "%s\t%s\n", p->rules[i].id, p->rules[i].file))
            return CUST_ENOMEM;
    return CUST_OK;
}

const char *cust_policy_rule_explain(const struct cust_policy *p, const char *id)
{
    for (size_t i = 0; i < p->nrules; i++)
        if (strcmp(p->rules[i].id, id) == 0)
            return p->rules[i].explain;
    return NULL;
}
