/*
 * render.c - the decision as JSON (decide.md) and `policy show` (check.c proves a policy).
 */
#include "custodian/compat.h"

#include "custodian/date.h"
#include "policy_int.h"

static json_t *cites_json(const struct cust_policy *p, const uint64_t *winners, int first)
{
    json_t *a = json_array();
    bool seen[1024] = {false};
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < p->nrules; i++) {
            if (!((winners[i / 64] >> (i % 64)) & 1u))
                continue;
            if ((pass == 0) != ((int)i == first))
                continue;
            const struct pi_rule *r = &p->rules[i];
            for (size_t k = 0; k < r->ncites; k++) {
                uint16_t s = r->cites[k];
                if (s < 1024 && seen[s])
                    continue;
                if (s < 1024)
                    seen[s] = true;
                json_array_append_new(a, json_string(p->sources[s].cite));
            }
        }
    return a;
}

static json_t *entry_json(const struct cust_policy *p, const struct pi_entry *en)
{
    json_t *o = json_object();
    json_object_set_new(o, "verdict",
                        json_string(cust_verdict_name((enum cust_verdict)en->verdict)));
    if (en->basis) {
        json_t *b = json_array();
        for (size_t i = 0; i < p->nbasis_labels; i++)
            if ((en->basis >> i) & 1u)
                json_array_append_new(b, json_string(p->basis_labels[i]));
        json_object_set_new(o, "basis", b);
    }
    json_object_set_new(o, "rule", json_string(en->rule >= 0 ? p->rules[en->rule].id : ""));
    json_object_set_new(o, "cite", cites_json(p, en->winners, en->rule));
    return o;
}

json_t *cust_decision_to_json(const struct cust_policy *p, const struct cust_case *c,
                              const struct cust_decision *d)
{
    char ds[11];
    json_t *o = json_object();
    json_t *pol = json_object();
    json_object_set_new(pol, "id", json_string(p->id));
    json_object_set_new(pol, "version", json_string(pi_date_str(p->versions[d->version].from, ds)));
    json_object_set_new(pol, "version_name", json_string(p->versions[d->version].label));
    json_object_set_new(pol, "sha256", json_string(p->sha256));
    json_object_set_new(o, "policy", pol);
    json_object_set_new(o, "as_of", json_string(pi_date_str(d->as_of, ds)));
    json_object_set_new(o, "kind", json_string(pi_kind_names[d->kind]));
    json_t *actions = json_object(), *disclose = json_object();
    for (size_t k = 0; k < c->nasks_order; k++) {
        int t = c->asks_order[k];
        if (!((d->asked >> t) & 1u))
            continue;
        json_object_set_new(t < PT_FIRST_ITEM ? actions : disclose, pi_target_names[t],
                            entry_json(p, &d->entry[t]));
    }
    json_object_set_new(o, "actions", actions);
    json_object_set_new(o, "disclose", disclose);
    json_t *duties = json_array();
    for (size_t j = 0; j < d->nduties; j++) {
        const struct pi_rule *r = &p->rules[d->duties[j].rule];
        const struct pi_duty *du = &r->duties[d->duties[j].duty];
        json_t *x = json_object();
        json_object_set_new(x, "duty", json_string(du->duty));
        if (du->when)
            json_object_set_new(x, "when", json_string(du->when));
        uint64_t w[PI_RULE_WORDS] = {0};
        w[d->duties[j].rule / 64] |= 1ull << (d->duties[j].rule % 64);
        json_object_set_new(x, "cite", cites_json(p, w, d->duties[j].rule));
        json_object_set_new(x, "rule", json_string(r->id));
        json_array_append_new(duties, x);
    }
    json_object_set_new(o, "duties", duties);
    json_t *needs = json_array();
    for (size_t i = 0; i < d->nout_needs; i++) {
        const struct pi_need *n = &d->out_needs[i];
        char buf[160];
        if (n->list == 0xFF)
            snprintf(buf, sizeof(buf), "%s", n->name);
        else
            snprintf(buf, sizeof(buf), "%s[%u].%s", pi_list_json_names[n->list], (unsigned)n->idx,
                     n->name);
        json_array_append_new(needs, json_string(buf));
    }
    json_object_set_new(o, "needs", needs);
    json_t *trace = json_array();
    for (size_t i = 0; i < d->ntrace; i++)
        json_array_append_new(trace, json_string(cust_decision_trace_line(d, i)));
    json_object_set_new(o, "trace", trace);
    return o;
}

/* ---- policy show ---- */

void pi_node_text(const struct cust_policy *p, int32_t n, struct cust_buf *b, int prec)
{
    const struct pi_node *nd = &p->nodes[n];
    switch (nd->op) {
    case N_CONST:
        cust_buf_puts(b, nd->a == TRI_T ? "true" : nd->a == TRI_F ? "false" : "unknown");
        break;
    case N_AND:
    case N_OR: {
        int my = nd->op == N_AND ? 2 : 1;
        if (my < prec)
            cust_buf_putc(b, '(');
        pi_node_text(p, nd->l, b, my);
        cust_buf_puts(b, nd->op == N_AND ? " and " : " or ");
        pi_node_text(p, nd->r, b, my);
        if (my < prec)
            cust_buf_putc(b, ')');
        break;
    }
    case N_NOT:
        cust_buf_puts(b, "not ");
        pi_node_text(p, nd->l, b, 3);
        break;
    case N_KIND_IN:
    case N_CIT_IN:
    case N_IMM_IN:
    case N_WARRANT_IN:
    case N_LEVEL_IN:
    case N_JUR_IN:
    case N_SET_IN: {
        static const char *const lv[] = {"unknown", "felony", "misdemeanor"};
        static const char *const jv[] = {"", "CA", "federal", "other_state"};
        const char *const *names = nd->op == N_KIND_IN      ? pi_kind_names
                                   : nd->op == N_CIT_IN     ? pi_citizenship_names
                                   : nd->op == N_IMM_IN     ? pi_immigration_names
                                   : nd->op == N_WARRANT_IN ? pi_warrant_names
                                   : nd->op == N_LEVEL_IN   ? lv
                                   : nd->op == N_JUR_IN     ? jv
                                                            : (const char *const *)p->values;
        const char *what = nd->op == N_KIND_IN      ? "kind"
                           : nd->op == N_CIT_IN     ? "citizenship"
                           : nd->op == N_IMM_IN     ? "immigration_status"
                           : nd->op == N_WARRANT_IN ? "accompanying_warrant"
                           : nd->op == N_LEVEL_IN   ? "level"
                           : nd->op == N_JUR_IN     ? "jurisdiction"
                                                    : p->attrs[nd->a].name;
        if (nd->op == N_SET_IN && !nd->mask) {
            cust_buf_appendf(b, "%s any", what);
            break;
        }
        cust_buf_appendf(b, "%s in [", what);
        bool first = true;
        for (int i = 0; i < 64; i++)
            if ((nd->mask >> i) & 1u) {
                cust_buf_appendf(b, "%s%s", first ? "" : ", ", names[i]);
                first = false;
            }
        cust_buf_putc(b, ']');
        break;
    }
    case N_CBOOL:
        cust_buf_puts(b, pi_cbool_names[nd->a]);
        break;
    case N_ASKS:
        cust_buf_appendf(b, "asks %s", pi_target_names[nd->a]);
        break;
    case N_ALLOWS:
        cust_buf_appendf(b, "allows %s", pi_target_names[nd->a]);
        break;
    case N_FACT:
        cust_buf_puts(b, p->facts[nd->a].name);
        break;
    case N_ANY:
    case N_ALL:
        cust_buf_appendf(b, "%s %s (", nd->op == N_ANY ? "any" : "all", pi_list_names[nd->a]);
        pi_node_text(p, nd->l, b, 0);
        cust_buf_putc(b, ')');
        break;
    case N_ATTR:
        cust_buf_puts(b, p->attrs[nd->a].name);
        break;
    case N_HELD:
        cust_buf_puts(b, "held_to_answer");
        break;
    case N_WITHIN:
        cust_buf_appendf(b, "within %d%c", nd->n > 0 ? nd->n : -nd->n, nd->n > 0 ? 'y' : 'd');
        break;
    case N_DATED: {
        char ds[11];
        cust_buf_appendf(b, "dated %s %s", nd->b ? "from" : "before", pi_date_str(nd->n, ds));
        break;
    }
    case N_IN_TABLE:
        cust_buf_appendf(b, "in %s", p->tables[nd->a].name);
        break;
    case N_COL:
        cust_buf_appendf(b, "%s.%s", p->tables[nd->a].name, p->tables[nd->a].colnames[nd->b]);
        break;
    default:
        break;
    }
}

enum cust_status cust_policy_show(const struct cust_policy *p, int32_t as_of, bool as_json,
                                  struct cust_buf *out, struct cust_err *err)
{
    char ds[11], a[11], b[11];
    int v = as_of == INT32_MIN ? -1 : pi_version_at(p, as_of);
    if (as_of != INT32_MIN && v < 0)
        return cust_err_set(err, CUST_EINVAL, "%s is before the first version of policy '%s' (%s)",
                            pi_date_str(as_of, ds), p->id, pi_date_str(p->versions[0].from, a));
    json_t *root = json_object();
    json_object_set_new(root, "id", json_string(p->id));
    json_object_set_new(root, "title", json_string(p->title ? p->title : ""));
    json_object_set_new(root, "sha256", json_string(p->sha256));
    if (p->base_id)
        json_object_set_new(root, "narrows", json_string(p->base_id));
    json_t *vers = json_array();
    for (size_t i = 0; i < p->nversions; i++) {
        json_t *x = json_object();
        json_object_set_new(x, "from", json_string(pi_date_str(p->versions[i].from, ds)));
        json_object_set_new(x, "name", json_string(p->versions[i].label));
        json_object_set_new(x, "in_force", json_boolean((int)i == v));
        json_array_append_new(vers, x);
    }
    json_object_set_new(root, "versions", vers);
    json_t *rules = json_array();
    for (size_t i = 0; i < p->nrules; i++) {
        const struct pi_rule *r = &p->rules[i];
        if (as_of != INT32_MIN && !(r->from <= as_of && as_of <= r->to))
            continue;
        json_t *x = json_object();
        json_object_set_new(x, "id", json_string(r->id));
        if (r->overlay)
            json_object_set_new(x, "overlay", json_true());
        json_object_set_new(x, "effective_from",
                            r->from == INT32_MIN ? json_null()
                                                 : json_string(pi_date_str(r->from, a)));
        json_object_set_new(x, "effective_to",
                            r->to == INT32_MAX ? json_null() : json_string(pi_date_str(r->to, b)));
        struct cust_buf cb = CUST_BUF_INIT;
        pi_node_text(p, r->cond, &cb, 0);
        json_object_set_new(x, "when", json_string(cb.buf));
        cust_buf_release(&cb);
        json_t *th = json_object();
        for (size_t k = 0; k < r->nthen; k++)
            json_object_set_new(
                th, pi_target_names[r->then[k].target],
                json_string(cust_verdict_name((enum cust_verdict)r->then[k].verdict)));
        json_object_set_new(x, "then", th);
        json_t *du = json_array();
        for (size_t k = 0; k < r->nduties; k++)
            json_array_append_new(du, json_string(r->duties[k].duty));
        json_object_set_new(x, "duties", du);
        json_t *ov = json_array();
        for (size_t k = 0; k < r->noverrides; k++)
            json_array_append_new(ov, json_string(r->override_names[k]));
        json_object_set_new(x, "overrides", ov);
        json_t *cites = json_array();
        for (size_t k = 0; k < r->ncites; k++) {
            const struct pi_source *s = &p->sources[r->cites[k]];
            json_t *c = json_object();
            json_object_set_new(c, "cite", json_string(s->cite));
            json_object_set_new(c, "url", json_string(s->url));
            json_object_set_new(c, "checked", json_string(s->checked));
            json_object_set_new(c, "confidence", json_string(s->confidence));
            json_array_append_new(cites, c);
        }
        json_object_set_new(x, "cite", cites);
        if (r->explain)
            json_object_set_new(x, "explain", json_string(r->explain));
        json_array_append_new(rules, x);
    }
    json_object_set_new(root, "rules", rules);
    if (as_json) {
        char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        cust_buf_puts(out, s ? s : "{}");
        cust_buf_putc(out, '\n');
        free(s);
    } else {
        cust_buf_appendf(out, "%s - %s\n", p->id, p->title ? p->title : "");
        if (p->base_id)
            cust_buf_appendf(out, "narrows %s (overlay rules may only prohibit)\n", p->base_id);
        cust_buf_appendf(out, "sha256 %s\nversions:\n", p->sha256);
        for (size_t i = 0; i < p->nversions; i++)
            cust_buf_appendf(out, "  %s  %s%s\n", pi_date_str(p->versions[i].from, ds),
                             p->versions[i].label, (int)i == v ? "   <- in force" : "");
        cust_buf_appendf(out, "rules%s%s:\n", as_of == INT32_MIN ? "" : " in force on ",
                         as_of == INT32_MIN ? "" : pi_date_str(as_of, ds));
        size_t idx;
        json_t *r;
        json_array_foreach(rules, idx, r)
        {
            cust_buf_appendf(out, "\n  %s%s\n", json_string_value(json_object_get(r, "id")),
                             json_is_true(json_object_get(r, "overlay")) ? "  (overlay)" : "");
            const json_t *ex = json_object_get(r, "explain");
            if (ex)
                cust_buf_appendf(out, "    %s\n", json_string_value(ex));
            cust_buf_appendf(out, "    when %s\n", json_string_value(json_object_get(r, "when")));
            const char *k;
            json_t *val;
            size_t j2;
            json_object_foreach(json_object_get(r, "then"), k, val)
                cust_buf_appendf(out, "    then %s %s\n", k, json_string_value(val));
            json_array_foreach(json_object_get(r, "duties"), j2, val)
                cust_buf_appendf(out, "    duty %s\n", json_string_value(val));
            json_array_foreach(json_object_get(r, "overrides"), j2, val)
                cust_buf_appendf(out, "    overrides %s\n", json_string_value(val));
            const json_t *ef = json_object_get(r, "effective_from");
            const json_t *et = json_object_get(r, "effective_to");
            cust_buf_appendf(out, "    effective %s to %s\n",
                             json_is_string(ef) ? json_string_value(ef) : "always",
                             json_is_string(et) ? json_string_value(et) : "open");
            json_array_foreach(json_object_get(r, "cite"), j2, val)
                cust_buf_appendf(out, "    cite %s [%s] %s (checked %s)\n",
                                 json_string_value(json_object_get(val, "cite")),
                                 json_string_value(json_object_get(val, "confidence")),
                                 json_string_value(json_object_get(val, "url")),
                                 json_string_value(json_object_get(val, "checked")));
        }
    }
    json_decref(root);
    return cust_buf_status(out) ? cust_err_set(err, cust_buf_status(out), "out of memory")
                                : CUST_OK;
}
