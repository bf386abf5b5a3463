/*
 * parse.c - the policy language's parser (docs/policy-language.md): recursive descent over
 * the tokens of lex.c, compiling statements into the policy's tables and conditions into
 * its node array. Cross-file checks are load.c's.
 */
#include "custodian/compat.h"

#include "custodian/date.h"
#include "parse_int.h"

#include <ctype.h>

static int32_t new_node(struct parser *ps, uint8_t op, const struct tok *at)
{
    struct cust_policy *p = ps->p;
    if (p->nnodes == p->anodes) {
        p->anodes = p->anodes ? p->anodes * 2 : 128;
        p->nodes = cust_xrealloc(p->nodes, p->anodes * sizeof(*p->nodes));
    }
    struct pi_node *n = &p->nodes[p->nnodes];
    memset(n, 0, sizeof(*n));
    n->op = op;
    n->l = n->r = -1;
    n->line = at ? at->line : 0;
    n->col = at ? at->col : 0;
    return (int32_t)p->nnodes++;
}

static int find_name(char *const *names, size_t stride_dummy, size_t n, const char *s);
static int find_fact(const struct cust_policy *p, const char *s)
{
    for (size_t i = 0; i < p->nfacts; i++)
        if (strcmp(p->facts[i].name, s) == 0)
            return (int)i;
    return -1;
}
static int find_attr(const struct cust_policy *p, const char *s)
{
    for (size_t i = 0; i < p->nattrs; i++)
        if (strcmp(p->attrs[i].name, s) == 0)
            return (int)i;
    return -1;
}
static int find_table(const struct cust_policy *p, const char *s)
{
    for (size_t i = 0; i < p->ntables; i++)
        if (strcmp(p->tables[i].name, s) == 0)
            return (int)i;
    return -1;
}
static int find_name(char *const *names, size_t stride_dummy, size_t n, const char *s)
{
    (void)stride_dummy;
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], s) == 0)
            return (int)i;
    return -1;
}
static int find_const(const char *const *names, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], s) == 0)
            return (int)i;
    return -1;
}

static const char *const level_names[] = {"unknown", "felony", "misdemeanor"};
static const char *const jur_names[] = {"", "CA", "federal", "other_state"};

/* Parse "= v" | "!= v" | "in [v, ...]" over a fixed vocabulary -> mask; *neg on "!=". */
static bool parse_enum_test(struct parser *ps, const char *const *vocab, size_t nv, uint64_t *mask,
                            bool *neg, const char *what)
{
    *mask = 0;
    *neg = false;
    char w[64];
    if (ps->t.k == TK_EQ || ps->t.k == TK_NE) {
        *neg = ps->t.k == TK_NE;
        pi_lex(ps);
        if (ps->t.k != TK_WORD || !pi_tok_copy(&ps->t, w, sizeof(w))) {
            pi_perr(ps, &ps->t, "expected a %s value", what);
            return false;
        }
        int v = find_const(vocab, nv, w);
        if (v < 0) {
            pi_perr(ps, &ps->t, "unknown %s '%s'", what, w);
            return false;
        }
        *mask = 1ull << v;
        pi_lex(ps);
        return true;
    }
    if (pi_is_word(&ps->t, "in")) {
        pi_lex(ps);
        ps->depth++;
        if (!pi_expect(ps, TK_LB, "'['")) {
            ps->depth--;
            return false;
        }
        for (;;) {
            if (ps->t.k != TK_WORD || !pi_tok_copy(&ps->t, w, sizeof(w))) {
                pi_perr(ps, &ps->t, "expected a %s value", what);
                ps->depth--;
                return false;
            }
            int v = find_const(vocab, nv, w);
            if (v < 0) {
                pi_perr(ps, &ps->t, "unknown %s '%s'", what, w);
                ps->depth--;
                return false;
            }
            *mask |= 1ull << v;
            pi_lex(ps);
            if (ps->t.k == TK_COMMA) {
                pi_lex(ps);
                continue;
            }
            break;
        }
        ps->depth--;
        return pi_expect(ps, TK_RB, "']'");
    }
    pi_perr(ps, &ps->t, "expected '=', '!=' or 'in' after %s", what);
    return false;
}

static int32_t parse_or(struct parser *ps, int elctx);
static bool parse_date_tok(struct parser *ps, int32_t *day);

static int32_t wrap_not(struct parser *ps, int32_t n, bool neg, const struct tok *at)
{
    if (!neg)
        return n;
    int32_t m = new_node(ps, N_NOT, at);
    ps->p->nodes[m].l = n;
    return m;
}

static int32_t parse_atom(struct parser *ps, int elctx);

static int32_t atom_paren(struct parser *ps, int elctx)
{
    ps->depth++;
    pi_lex(ps);
    int32_t n = parse_or(ps, elctx);
    ps->depth--;
    if (pi_failed(ps) || !pi_expect(ps, TK_RP, "')'"))
        return -1;
    return n;
}

static int32_t atom_not(struct parser *ps, const struct tok *at, int elctx)
{
    if (++ps->nest > 200) {
        pi_perr(ps, at, "condition nested too deeply");
        return -1;
    }
    int32_t k = parse_atom(ps, elctx);
    ps->nest--;
    if (k < 0)
        return -1;
    return wrap_not(ps, k, true, at);
}

/* any LIST (C) | all LIST (C) */
static int32_t atom_quantifier(struct parser *ps, const char *w, const struct tok *at, int elctx)
{
    char ln[64];
    if (ps->t.k != TK_WORD || !pi_tok_copy(&ps->t, ln, sizeof(ln))) {
        pi_perr(ps, &ps->t, "expected a list name (convictions, pending_charges)");
        return -1;
    }
    int l = find_const(pi_list_names, PL_COUNT, ln);
    if (l < 0) {
        pi_perr(ps, &ps->t, "unknown list '%s' (convictions, pending_charges)", ln);
        return -1;
    }
    if (elctx >= 0) {
        pi_perr(ps, at, "'%s' cannot be nested inside another any/all", w);
        return -1;
    }
    pi_lex(ps);
    if (ps->t.k != TK_LP) {
        pi_perr(ps, &ps->t, "expected '(' after '%s %s'", w, ln);
        return -1;
    }
    int32_t k = parse_atom(ps, l);
    if (k < 0)
        return -1;
    int32_t n = new_node(ps, w[1] == 'n' ? N_ANY : N_ALL, at);
    ps->p->nodes[n].a = (uint8_t)l;
    ps->p->nodes[n].l = k;
    return n;
}

/* The case-level enumerations: NAME = V | NAME != V | NAME in [V, ...]. */
static const struct {
    const char *name;
    uint8_t op;
    const char *const *vocab;
    size_t n;
} case_enums[] = {
    {"kind", N_KIND_IN, pi_kind_names, PK_COUNT},
    {"citizenship", N_CIT_IN, pi_citizenship_names, PC_COUNT},
    {"immigration_status", N_IMM_IN, pi_immigration_names, PI_IMM_COUNT},
    {"accompanying_warrant", N_WARRANT_IN, pi_warrant_names, PW_COUNT},
};

static int32_t atom_case_enum(struct parser *ps, size_t e, const struct tok *at)
{
    uint64_t mask;
    bool neg;
    if (!parse_enum_test(ps, case_enums[e].vocab, case_enums[e].n, &mask, &neg, case_enums[e].name))
        return -1;
    int32_t n = new_node(ps, case_enums[e].op, at);
    ps->p->nodes[n].mask = mask;
    return wrap_not(ps, n, neg, at);
}

/* asks TARGET | allows TARGET */
static int32_t atom_asks(struct parser *ps, const char *w, const struct tok *at)
{
    char tn[64];
    int tg = -1;
    if (ps->t.k == TK_WORD && pi_tok_copy(&ps->t, tn, sizeof(tn)))
        tg = pi_target_from_name(tn);
    if (tg < 0) {
        pi_perr(ps, &ps->t, "expected an action or item after '%s'", w);
        return -1;
    }
    pi_lex(ps);
    int32_t n = new_node(ps, w[1] == 's' ? N_ASKS : N_ALLOWS, at);
    ps->p->nodes[n].a = (uint8_t)tg;
    return n;
}

/* within Ny | within Nd */
static int32_t atom_within(struct parser *ps, const struct tok *at)
{
    char num[32];
    if (ps->t.k != TK_WORD || !pi_tok_copy(&ps->t, num, sizeof(num))) {
        pi_perr(ps, &ps->t, "expected a period such as 15y or 30d");
        return -1;
    }
    char *end;
    long v = strtol(num, &end, 10);
    if (v <= 0 || v > 200 || (strcmp(end, "y") != 0 && strcmp(end, "d") != 0)) {
        pi_perr(ps, &ps->t, "bad period '%s' (a number of years 'Ny' or days 'Nd')", num);
        return -1;
    }
    pi_lex(ps);
    int32_t n = new_node(ps, N_WITHIN, at);
    ps->p->nodes[n].n = *end == 'y' ? (int32_t)v : -(int32_t)v;
    return n;
}

/* dated before DATE | dated from DATE: the element's date against a fixed day. */
static int32_t atom_dated(struct parser *ps, const struct tok *at)
{
    bool before = pi_is_word(&ps->t, "before");
    if (!before && !pi_is_word(&ps->t, "from")) {
        pi_perr(ps, &ps->t, "expected 'before DATE' or 'from DATE' after 'dated'");
        return -1;
    }
    pi_lex(ps);
    int32_t day;
    if (!parse_date_tok(ps, &day))
        return -1;
    int32_t n = new_node(ps, N_DATED, at);
    ps->p->nodes[n].n = day;
    ps->p->nodes[n].b = before ? 0 : 1;
    return n;
}

/* in TABLE */
static int32_t atom_in_table(struct parser *ps, const struct tok *at)
{
    char tn[64];
    int t = -1;
    if (ps->t.k == TK_WORD && pi_tok_copy(&ps->t, tn, sizeof(tn)))
        t = find_table(ps->p, tn);
    if (t < 0) {
        pi_perr(ps, &ps->t, "expected a table name after 'in'");
        return -1;
    }
    pi_lex(ps);
    int32_t n = new_node(ps, N_IN_TABLE, at);
    ps->p->nodes[n].a = (uint8_t)t;
    return n;
}

/* An attribute: bool, or a set with "any" / "= V" / "in [...]". */
static int32_t atom_attr(struct parser *ps, int a, const char *w, const struct tok *at)
{
    if (!ps->p->attrs[a].is_set) {
        int32_t n = new_node(ps, N_ATTR, at);
        ps->p->nodes[n].a = (uint8_t)a;
        return n;
    }
    int32_t n = new_node(ps, N_SET_IN, at);
    ps->p->nodes[n].a = (uint8_t)a;
    if (pi_is_word(&ps->t, "any")) {
        pi_lex(ps);
        return n;
    }
    bool neg = false;
    uint64_t mask = 0;
    const char *vocab[PI_MAX_VALUES];
    for (size_t i = 0; i < ps->p->nvalues; i++)
        vocab[i] = ps->p->values[i];
    if (!parse_enum_test(ps, vocab, ps->p->nvalues, &mask, &neg, w))
        return -1;
    ps->p->nodes[n].mask = mask;
    return wrap_not(ps, n, neg, at);
}

/* TABLE.COLUMN */
static int32_t atom_column(struct parser *ps, char *w, const struct tok *at)
{
    char *dot = strchr(w, '.');
    *dot = '\0';
    int t = find_table(ps->p, w);
    int c = t >= 0 ? pi_table_col(&ps->p->tables[t], dot + 1) : -1;
    if (c < 0) {
        pi_perr(ps, at, "unknown table column '%s.%s'", w, dot + 1);
        return -1;
    }
    int32_t n = new_node(ps, N_COL, at);
    ps->p->nodes[n].a = (uint8_t)t;
    ps->p->nodes[n].b = (uint16_t)c;
    return n;
}

/* Names that describe one conviction or charge (inside any/all and in attr definitions). */
static int32_t atom_element(struct parser *ps, char *w, const struct tok *at, int elctx)
{
    bool elword = strcmp(w, "level") == 0 || strcmp(w, "jurisdiction") == 0 ||
                  strcmp(w, "held_to_answer") == 0 || strcmp(w, "within") == 0 ||
                  strcmp(w, "dated") == 0 || strcmp(w, "in") == 0 || find_attr(ps->p, w) >= 0 ||
                  strchr(w, '.') != NULL;
    if (!elword) {
        pi_perr(ps, at, "unknown name '%s'", w);
        return -1;
    }
    if (elctx < 0) {
        pi_perr(ps, at, "'%s' describes a conviction or charge: use it inside any/all", w);
        return -1;
    }
    if (strcmp(w, "level") == 0 || strcmp(w, "jurisdiction") == 0) {
        uint64_t mask;
        bool neg;
        bool isl = w[0] == 'l';
        if (!parse_enum_test(ps, isl ? level_names : jur_names, isl ? 3 : 4, &mask, &neg, w))
            return -1;
        int32_t n = new_node(ps, isl ? N_LEVEL_IN : N_JUR_IN, at);
        ps->p->nodes[n].mask = mask;
        return wrap_not(ps, n, neg, at);
    }
    if (strcmp(w, "held_to_answer") == 0)
        return new_node(ps, N_HELD, at);
    if (strcmp(w, "within") == 0)
        return atom_within(ps, at);
    if (strcmp(w, "dated") == 0)
        return atom_dated(ps, at);
    if (strcmp(w, "in") == 0)
        return atom_in_table(ps, at);
    int a = find_attr(ps->p, w);
    if (a >= 0)
        return atom_attr(ps, a, w, at);
    return atom_column(ps, w, at);
}

/* elctx: -1 case level, else the list (PL_*) whose element is in scope */
static int32_t parse_atom(struct parser *ps, int elctx)
{
    struct tok at = ps->t;
    char w[128];
    if (ps->t.k == TK_LP)
        return atom_paren(ps, elctx);
    if (ps->t.k != TK_WORD || !pi_tok_copy(&ps->t, w, sizeof(w))) {
        pi_perr(ps, &ps->t, "expected a condition");
        return -1;
    }
    pi_lex(ps);
    if (strcmp(w, "true") == 0 || strcmp(w, "false") == 0 || strcmp(w, "unknown") == 0) {
        int32_t n = new_node(ps, N_CONST, &at);
        ps->p->nodes[n].a = w[0] == 't' ? TRI_T : w[0] == 'f' ? TRI_F : TRI_U;
        return n;
    }
    if (strcmp(w, "not") == 0)
        return atom_not(ps, &at, elctx);
    if (strcmp(w, "any") == 0 || strcmp(w, "all") == 0)
        return atom_quantifier(ps, w, &at, elctx);
    for (size_t e = 0; e < CUST_ARRAY_LEN(case_enums); e++)
        if (strcmp(w, case_enums[e].name) == 0)
            return atom_case_enum(ps, e, &at);
    if (strcmp(w, "asks") == 0 || strcmp(w, "allows") == 0)
        return atom_asks(ps, w, &at);
    int cb = find_const(pi_cbool_names, PB_COUNT, w);
    if (cb >= 0) {
        int32_t n = new_node(ps, N_CBOOL, &at);
        ps->p->nodes[n].a = (uint8_t)cb;
        return n;
    }
    int f = find_fact(ps->p, w);
    if (f >= 0) {
        int32_t n = new_node(ps, N_FACT, &at);
        ps->p->nodes[n].a = (uint8_t)f;
        return n;
    }
    return atom_element(ps, w, &at, elctx);
}

static int32_t parse_and(struct parser *ps, int elctx)
{
    if (++ps->nest > 200) {
        pi_perr(ps, &ps->t, "condition nested too deeply");
        return -1;
    }
    int32_t l = parse_atom(ps, elctx);
    int terms = 0;
    while (l >= 0 && !pi_failed(ps) && pi_is_word(&ps->t, "and")) {
        if (++terms > 256) {
            pi_perr(ps, &ps->t, "condition too long (more than 256 'and' terms)");
            return -1;
        }
        struct tok at = ps->t;
        ps->depth++; /* a line may end after "and" */
        pi_lex(ps);
        ps->depth--;
        int32_t r = parse_atom(ps, elctx);
        if (r < 0)
            return -1;
        int32_t n = new_node(ps, N_AND, &at);
        ps->p->nodes[n].l = l;
        ps->p->nodes[n].r = r;
        l = n;
    }
    ps->nest--;
    return pi_failed(ps) ? -1 : l;
}

static int32_t parse_or(struct parser *ps, int elctx)
{
    if (++ps->nest > 200) {
        pi_perr(ps, &ps->t, "condition nested too deeply");
        return -1;
    }
    int32_t l = parse_and(ps, elctx);
    int terms = 0;
    while (l >= 0 && !pi_failed(ps) && pi_is_word(&ps->t, "or")) {
        if (++terms > 256) {
            pi_perr(ps, &ps->t, "condition too long (more than 256 'or' terms)");
            return -1;
        }
        struct tok at = ps->t;
        ps->depth++;
        pi_lex(ps);
        ps->depth--;
        int32_t r = parse_and(ps, elctx);
        if (r < 0)
            return -1;
        int32_t n = new_node(ps, N_OR, &at);
        ps->p->nodes[n].l = l;
        ps->p->nodes[n].r = r;
        l = n;
    }
    ps->nest--;
    return pi_failed(ps) ? -1 : l;
}

static bool end_of_line(struct parser *ps)
{
    if (ps->t.k != TK_NL && ps->t.k != TK_EOF) {
        pi_perr(ps, &ps->t, "unexpected text at end of line");
        return false;
    }
    return true;
}

static bool parse_date_tok(struct parser *ps, int32_t *day)
{
    char w[32];
    if (ps->t.k != TK_WORD || !pi_tok_copy(&ps->t, w, sizeof(w)) || !cust_date_parse(w, day)) {
        pi_perr(ps, &ps->t, "expected a date (YYYY-MM-DD)");
        return false;
    }
    pi_lex(ps);
    return true;
}

static bool want_str(struct parser *ps, char **out, const char *what)
{
    if (ps->t.k != TK_STR) {
        pi_perr(ps, &ps->t, "expected %s in double quotes", what);
        return false;
    }
    free(*out);
    *out = pi_tok_dup(&ps->t);
    pi_lex(ps);
    return true;
}

static bool valid_name(const char *s, bool dots)
{
    if (!*s || !(islower((unsigned char)*s)))
        return false;
    for (; *s; s++)
        if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '_' ||
              (dots && (*s == '.' || *s == '-' || *s == '/' || isupper((unsigned char)*s)))))
            return false;
    return true;
}

static bool name_tok(struct parser *ps, char *buf, size_t cap, bool dots, const char *what)
{
    if (ps->t.k != TK_WORD || !pi_tok_copy(&ps->t, buf, cap) || !valid_name(buf, dots)) {
        pi_perr(ps, &ps->t, "expected %s (lowercase letters, digits, '_'%s)", what,
                dots ? ", '.', '-'" : "");
        return false;
    }
    pi_lex(ps);
    return true;
}

static struct pi_rule *cur_rule(struct parser *ps)
{
    return ps->cur_block == 2 ? &ps->p->rules[ps->p->nrules - 1] : NULL;
}
static struct pi_source *cur_source(struct parser *ps)
{
    return ps->cur_block == 1 ? &ps->p->sources[ps->p->nsources - 1] : NULL;
}

static int basis_intern(struct cust_policy *p, const char *s)
{
    int i = find_name(p->basis_labels, 0, p->nbasis_labels, s);
    if (i >= 0)
        return i;
    if (p->nbasis_labels >= CUST_ARRAY_LEN(p->basis_labels))
        return -1;
    p->basis_labels[p->nbasis_labels] = cust_xstrdup(s);
    return (int)p->nbasis_labels++;
}

static void member_then(struct parser *ps, struct pi_rule *r)
{
    char w[128];
    for (;;) {
        char tv[64];
        int tg = -1, v = -1;
        if (ps->t.k == TK_WORD && pi_tok_copy(&ps->t, w, sizeof(w)))
            tg = pi_target_from_name(w);
        if (tg < 0) {
            pi_perr(ps, &ps->t, "expected an action or item");
            return;
        }
        pi_lex(ps);
        if (ps->t.k == TK_WORD && pi_tok_copy(&ps->t, tv, sizeof(tv))) {
            for (int k = CUST_VERDICT_PROHIBITED; k <= CUST_VERDICT_REQUIRED; k++)
                if (strcmp(tv, cust_verdict_name((enum cust_verdict)k)) == 0)
                    v = k;
        }
        if (v < 0) {
            pi_perr(ps, &ps->t, "expected a verdict (required, permitted, prohibited)");
            return;
        }
        if (r->then_mask & (1u << tg)) {
            pi_perr(ps, &ps->t, "'%s' given twice in rule '%s'", w, r->id);
            return;
        }
        r->then[r->nthen].target = (uint8_t)tg;
        r->then[r->nthen].verdict = (uint8_t)v;
        r->nthen++;
        r->then_mask |= 1u << tg;
        pi_lex(ps);
        if (ps->t.k != TK_COMMA)
            break;
        pi_lex(ps);
    }
}

static void member_need(struct parser *ps, struct pi_rule *r)
{
    char w[128];
    if (ps->t.k != TK_WORD || !pi_tok_copy(&ps->t, w, sizeof(w)) || !valid_name(w, true)) {
        pi_perr(ps, &ps->t, "expected the name of a case fact (e.g. citizenship.verified)");
        return;
    }
    if (r->nneed_names >= PI_MAX_DUTIES) {
        pi_perr(ps, &ps->t, "too many needs");
        return;
    }
    r->need_names[r->nneed_names++] = cust_xstrdup(w);
    pi_lex(ps);
}

static void member_duty(struct parser *ps, struct pi_rule *r)
{
    char w[128];
    static const char *const duties[] = {
        "serve_copy_to_subject",         "notice_to_subject_and_attorney",
        "consent_form_before_interview", "refer_to_counsel",
        "record_as_public_record",       "report_transfer_to_state",
        "notify_court_of_detainer",      "record_detainer_in_case_file"};
    if (ps->t.k != TK_WORD || !pi_tok_copy(&ps->t, w, sizeof(w)) ||
        find_const(duties, CUST_ARRAY_LEN(duties), w) < 0) {
        pi_perr(ps, &ps->t, "expected a duty id (decide.md)");
        return;
    }
    if (r->nduties >= PI_MAX_DUTIES) {
        pi_perr(ps, &ps->t, "too many duties");
        return;
    }
    struct pi_duty *du = &r->duties[r->nduties++];
    du->duty = cust_xstrdup(w);
    pi_lex(ps);
    if (pi_is_word(&ps->t, "when")) {
        pi_lex(ps);
        if (ps->t.k != TK_WORD) {
            pi_perr(ps, &ps->t, "expected a word after 'when'");
            return;
        }
        du->when = pi_tok_dup(&ps->t);
        pi_lex(ps);
    }
}

static void parse_rule_member(struct parser *ps, const char *kw, const struct tok *at)
{
    struct cust_policy *p = ps->p;
    struct pi_rule *r = cur_rule(ps);
    char w[128];
    if (strcmp(kw, "explain") == 0) {
        want_str(ps, &r->explain, "an explanation");
    } else if (strcmp(kw, "cite") == 0) {
        for (;;) {
            if (ps->t.k != TK_WORD || !pi_tok_copy(&ps->t, w, sizeof(w))) {
                pi_perr(ps, &ps->t, "expected a source id");
                return;
            }
            size_t i;
            for (i = 0; i < p->nsources; i++)
                if (strcmp(p->sources[i].id, w) == 0)
                    break;
            if (i == p->nsources) {
                pi_perr(ps, &ps->t, "unknown source '%s' (declare it with 'source')", w);
                return;
            }
            if (r->ncites >= PI_MAX_CITES) {
                pi_perr(ps, &ps->t, "too many citations (max %d)", PI_MAX_CITES);
                return;
            }
            r->cites[r->ncites++] = (uint16_t)i;
            pi_lex(ps);
            if (ps->t.k != TK_COMMA)
                break;
            pi_lex(ps);
        }
    } else if (strcmp(kw, "effective") == 0) {
        if (!parse_date_tok(ps, &r->from))
            return;
        if (pi_is_word(&ps->t, "to")) {
            pi_lex(ps);
            if (!parse_date_tok(ps, &r->to))
                return;
            if (r->to < r->from)
                pi_perr(ps, at, "effective interval ends before it starts");
        }
    } else if (strcmp(kw, "when") == 0) {
        if (r->cond >= 0) {
            pi_perr(ps, at, "rule '%s' has two 'when' lines (join them with 'and')", r->id);
            return;
        }
        r->cond = parse_or(ps, -1);
    } else if (strcmp(kw, "then") == 0) {
        member_then(ps, r);
    } else if (strcmp(kw, "basis") == 0) {
        char *label = NULL;
        if (!want_str(ps, &label, "a basis label"))
            return;
        int li = basis_intern(p, label);
        free(label);
        if (li < 0 || r->nbasis >= PI_MAX_BASIS) {
            pi_perr(ps, at, "too many basis labels");
            return;
        }
        int32_t cond = -1;
        if (pi_is_word(&ps->t, "if")) {
            pi_lex(ps);
            cond = parse_or(ps, -1);
            if (cond < 0)
                return;
        }
        r->basis[r->nbasis].label = (uint8_t)li;
        r->basis[r->nbasis].node = cond;
        r->nbasis++;
    } else if (strcmp(kw, "need") == 0) {
        member_need(ps, r);
    } else if (strcmp(kw, "duty") == 0) {
        member_duty(ps, r);
    } else if (strcmp(kw, "overrides") == 0) {
        for (;;) {
            if (ps->t.k != TK_WORD || !pi_tok_copy(&ps->t, w, sizeof(w))) {
                pi_perr(ps, &ps->t, "expected a rule id");
                return;
            }
            if (r->noverrides >= PI_MAX_OVERRIDES) {
                pi_perr(ps, &ps->t, "too many overrides");
                return;
            }
            r->override_names[r->noverrides++] = cust_xstrdup(w);
            pi_lex(ps);
            if (ps->t.k != TK_COMMA)
                break;
            pi_lex(ps);
        }
    } else {
        pi_perr(ps, at, "unknown rule field '%s'", kw);
    }
}

static void parse_source_member(struct parser *ps, const char *kw, const struct tok *at)
{
    struct pi_source *s = cur_source(ps);
    if (strcmp(kw, "cite") == 0) {
        want_str(ps, &s->cite, "a citation");
    } else if (strcmp(kw, "url") == 0) {
        want_str(ps, &s->url, "an address");
    } else if (strcmp(kw, "checked") == 0) {
        int32_t d;
        struct tok t = ps->t;
        if (parse_date_tok(ps, &d)) {
            free(s->checked);
            s->checked = pi_tok_dup(&t);
        }
    } else if (strcmp(kw, "confidence") == 0) {
        if (!(pi_is_word(&ps->t, "C") || pi_is_word(&ps->t, "S") || pi_is_word(&ps->t, "U"))) {
            pi_perr(ps, &ps->t, "expected a confidence C, S or U");
            return;
        }
        free(s->confidence);
        s->confidence = pi_tok_dup(&ps->t);
        pi_lex(ps);
    } else {
        pi_perr(ps, at, "unknown source field '%s'", kw);
    }
}

static void stmt_policy(struct parser *ps, const struct tok *at, const char *kw)
{
    struct cust_policy *p = ps->p;
    (void)kw;
    char name[128];
    if (!name_tok(ps, name, sizeof(name), true, "a policy id"))
        return;
    if (ps->overlay) {
        if (!p->id || strcmp(p->id, name) != 0)
            pi_perr(ps, at, "overlay declares policy '%s', expected '%s'", name,
                    p->id ? p->id : "?");
    } else {
        free(p->id);
        p->id = cust_xstrdup(name);
    }
    ps->saw_policy = true;
    ps->cur_block = 0;
}

static void stmt_title(struct parser *ps, const struct tok *at, const char *kw)
{
    struct cust_policy *p = ps->p;
    (void)kw;
    (void)at;
    if (!ps->overlay)
        want_str(ps, &p->title, "a title");
    else {
        char *t = NULL;
        if (want_str(ps, &t, "a title")) {
            free(p->title);
            p->title = t;
        }
    }
}

static void stmt_narrows(struct parser *ps, const struct tok *at, const char *kw)
{
    struct cust_policy *p = ps->p;
    (void)kw;
    (void)at;
    char name[128];
    if (!name_tok(ps, name, sizeof(name), true, "a policy id"))
        return;
    if (!ps->overlay) {
        free(p->base_id);
        p->base_id = cust_xstrdup(name);
    }
}

static void stmt_version(struct parser *ps, const struct tok *at, const char *kw)
{
    struct cust_policy *p = ps->p;
    (void)kw;
    if (ps->overlay) {
        pi_perr(ps, at, "an overlay cannot declare versions (it follows its base policy)");
        return;
    }
    int32_t d;
    if (!parse_date_tok(ps, &d))
        return;
    if (p->nversions && d <= p->versions[p->nversions - 1].from) {
        pi_perr(ps, at, "versions must be listed in increasing date order");
        return;
    }
    p->versions = cust_xrealloc(p->versions, (p->nversions + 1) * sizeof(*p->versions));
    p->versions[p->nversions].from = d;
    p->versions[p->nversions].label = NULL;
    p->nversions++;
    want_str(ps, &p->versions[p->nversions - 1].label, "a version label");
    ps->cur_block = 0;
}

static void stmt_source(struct parser *ps, const struct tok *at, const char *kw)
{
    struct cust_policy *p = ps->p;
    (void)kw;
    char name[128];
    if (!name_tok(ps, name, sizeof(name), true, "a source id"))
        return;
    for (size_t i = 0; i < p->nsources; i++)
        if (strcmp(p->sources[i].id, name) == 0) {
            pi_perr(ps, at, "source '%s' declared twice", name);
            return;
        }
    p->sources = cust_xrealloc(p->sources, (p->nsources + 1) * sizeof(*p->sources));
    struct pi_source *s = &p->sources[p->nsources++];
    memset(s, 0, sizeof(*s));
    s->id = cust_xstrdup(name);
    s->line = at->line;
    ps->cur_block = 1;
}

static void stmt_table(struct parser *ps, const struct tok *at, const char *kw)
{
    struct cust_policy *p = ps->p;
    (void)kw;
    char name[128];
    char file[512], key[64];
    if (!name_tok(ps, name, sizeof(name), false, "a table name"))
        return;
    if (ps->t.k != TK_STR || !pi_tok_copy(&ps->t, file, sizeof(file))) {
        pi_perr(ps, &ps->t, "expected the table file in double quotes");
        return;
    }
    pi_lex(ps);
    if (!pi_is_word(&ps->t, "key")) {
        pi_perr(ps, &ps->t, "expected 'key COLUMN'");
        return;
    }
    pi_lex(ps);
    if (ps->t.k != TK_WORD || !pi_tok_copy(&ps->t, key, sizeof(key))) {
        pi_perr(ps, &ps->t, "expected a key column");
        return;
    }
    pi_lex(ps);
    if (find_table(p, name) >= 0) {
        pi_perr(ps, at, "table '%s' declared twice", name);
        return;
    }
    if (strstr(file, "..") || file[0] == '/') {
        pi_perr(ps, at, "table file must be relative to the policy directory");
        return;
    }
    bool bare = false;
    if (pi_is_word(&ps->t, "bare_sections")) {
        bare = true;
        pi_lex(ps);
    }
    struct cust_err e2 = CUST_ERR_INIT;
    if (pi_table_load(p, ps->dir, name, file, key, &e2)) {
        pi_perr(ps, at, "%s", e2.msg);
        return;
    }
    p->tables[p->ntables - 1].bare_sections = bare;
    ps->cur_block = 0;
}

/*
 * One set-column cell: values separated by ';', each optionally qualified in brackets:
 * `S[from 2026-01-01]` holds only for offenses on or after that day, `S[conditional]` only on
 * facts the table cannot see; both make the value uncertain (*maybe) rather than known (*m).
 * *from: the cell's `from` day (one per cell), else INT32_MIN.
 */
static bool intern_set_cell(struct parser *ps, const char *cell, uint64_t *m, uint64_t *maybe,
                            int32_t *from, const char *name, const struct tok *at)
{
    *m = *maybe = 0;
    *from = INT32_MIN;
    const char *s = cell;
    while (*s) {
        const char *e = strchr(s, ';');
        size_t l = e ? (size_t)(e - s) : strlen(s);
        char v[64];
        while (l && *s == ' ') {
            s++;
            l--;
        }
        while (l && s[l - 1] == ' ')
            l--;
        if (l && l < sizeof(v)) {
            memcpy(v, s, l);
            v[l] = '\0';
            char *q = strchr(v, '[');
            bool qualified = q != NULL;
            if (q) {
                char *end = strchr(q, ']');
                char *fw = strstr(q, "from ");
                *q = '\0';
                if (!end || (!fw && !strstr(q + 1, "conditional"))) {
                    pi_perr(ps, at,
                            "'%s': bad qualifier in '%s' (expected [from DATE], "
                            "[conditional] or both)",
                            name, cell);
                    return false;
                }
                char day[11] = "";
                if (fw && end - (fw + 5) >= 10) {
                    memcpy(day, fw + 5, 10);
                    day[10] = '\0';
                }
                if (fw && !cust_date_parse(day, from)) {
                    pi_perr(ps, at, "'%s': bad date in '%s'", name, cell);
                    return false;
                }
            }
            int vi = pi_value_intern(ps->p, v);
            if (vi < 0) {
                pi_perr(ps, at, "too many distinct values in '%s'", name);
                return false;
            }
            if (qualified)
                *maybe |= 1ull << vi;
            else
                *m |= 1ull << vi;
        }
        if (!e)
            break;
        s = e + 1;
    }
    return true;
}

static void stmt_attr_or_fact(struct parser *ps, const struct tok *at, const char *kw)
{
    struct cust_policy *p = ps->p;
    char name[128];
    bool isattr = kw[0] == 'a';
    if (!name_tok(ps, name, sizeof(name), false, isattr ? "an attribute name" : "a fact name"))
        return;
    if (find_attr(p, name) >= 0 || find_fact(p, name) >= 0 ||
        find_const(pi_cbool_names, PB_COUNT, name) >= 0) {
        pi_perr(ps, at, "name '%s' already defined", name);
        return;
    }
    if (!pi_expect(ps, TK_EQ, "'='"))
        return;
    ps->cur_block = 0;
    if (isattr) {
        struct pi_attr a;
        memset(&a, 0, sizeof(a));
        a.node = -1;
        a.ov = find_const(pi_ov_names, PO_COUNT, name);
        if (pi_is_word(&ps->t, "set")) {
            pi_lex(ps);
            a.is_set = true;
            for (;;) {
                char tc[128];
                char *dot;
                int t = -1, c = -1;
                if (ps->t.k == TK_WORD && pi_tok_copy(&ps->t, tc, sizeof(tc)) &&
                    (dot = strchr(tc, '.')) != NULL) {
                    *dot = '\0';
                    t = find_table(p, tc);
                    c = t >= 0 ? pi_table_col(&p->tables[t], dot + 1) : -1;
                }
                if (c < 0 || a.ncols >= 4) {
                    pi_perr(ps, &ps->t, "expected TABLE.COLUMN");
                    return;
                }
                a.tab[a.ncols] = (uint8_t)t;
                a.col[a.ncols] = (uint16_t)c;
                a.ncols++;
                /* intern every value of the column ("P;Q" -> P, Q) */
                struct pi_table *tb = &p->tables[t];
                for (size_t r = 0; r < tb->nrows; r++) {
                    size_t cell = r * tb->ncols + (size_t)c;
                    if (!intern_set_cell(ps, tb->cells[cell], &tb->setv[cell], &tb->setm[cell],
                                         &tb->setfrom[cell], name, at))
                        return;
                }
                pi_lex(ps);
                if (ps->t.k != TK_COMMA)
                    break;
                pi_lex(ps);
            }
        } else {
            a.node = parse_or(ps, PL_CONVICTIONS);
            if (a.node < 0)
                return;
        }
        a.name = cust_xstrdup(name);
        p->attrs = cust_xrealloc(p->attrs, (p->nattrs + 1) * sizeof(*p->attrs));
        p->attrs[p->nattrs++] = a;
        if (p->nattrs > 200)
            pi_perr(ps, at, "too many attributes");
    } else {
        int32_t n = parse_or(ps, -1);
        if (n < 0)
            return;
        if (p->nfacts >= 250) {
            pi_perr(ps, at, "too many facts");
            return;
        }
        p->facts = cust_xrealloc(p->facts, (p->nfacts + 1) * sizeof(*p->facts));
        p->facts[p->nfacts].name = cust_xstrdup(name);
        p->facts[p->nfacts].node = n;
        p->nfacts++;
    }
}

static void stmt_rule(struct parser *ps, const struct tok *at, const char *kw)
{
    struct cust_policy *p = ps->p;
    (void)kw;
    char name[128];
    if (!name_tok(ps, name, sizeof(name), true, "a rule id"))
        return;
    for (size_t i = 0; i < p->nrules; i++)
        if (strcmp(p->rules[i].id, name) == 0) {
            pi_perr(ps, at, "rule '%s' declared twice", name);
            return;
        }
    if (p->nrules >= PI_MAX_RULES) {
        pi_perr(ps, at, "too many rules (max %d)", PI_MAX_RULES);
        return;
    }
    p->rules = cust_xrealloc(p->rules, (p->nrules + 1) * sizeof(*p->rules));
    struct pi_rule *r = &p->rules[p->nrules++];
    memset(r, 0, sizeof(*r));
    r->id = cust_xstrdup(name);
    r->file = cust_xstrdup(ps->name);
    r->line = at->line;
    r->overlay = ps->overlay;
    r->from = INT32_MIN;
    r->to = INT32_MAX;
    r->cond = -1;
    ps->cur_block = 2;
}

/* One statement per keyword; member lines of the last `source` or `rule` block otherwise. */
static const struct {
    const char *kw;
    void (*fn)(struct parser *ps, const struct tok *at, const char *kw);
} statements[] = {
    {"policy", stmt_policy},     {"title", stmt_title},       {"narrows", stmt_narrows},
    {"version", stmt_version},   {"source", stmt_source},     {"table", stmt_table},
    {"attr", stmt_attr_or_fact}, {"fact", stmt_attr_or_fact}, {"rule", stmt_rule},
};

static void parse_statement(struct parser *ps)
{
    struct tok at = ps->t;
    char kw[64];
    if (ps->t.k != TK_WORD || !pi_tok_copy(&ps->t, kw, sizeof(kw))) {
        pi_perr(ps, &ps->t, "expected a keyword");
        return;
    }
    pi_lex(ps);
    size_t i;
    for (i = 0; i < CUST_ARRAY_LEN(statements); i++)
        if (strcmp(kw, statements[i].kw) == 0)
            break;
    if (i < CUST_ARRAY_LEN(statements))
        statements[i].fn(ps, &at, kw);
    else if (ps->cur_block == 2)
        parse_rule_member(ps, kw, &at);
    else if (ps->cur_block == 1)
        parse_source_member(ps, kw, &at);
    else
        pi_perr(ps, &at, "unknown keyword '%s'", kw);
    if (!pi_failed(ps))
        end_of_line(ps);
}

enum cust_status pi_parse_text(struct cust_policy *p, const char *name, const char *text,
                               size_t len, const char *dir, bool overlay, struct cust_err *err)
{
    struct parser ps;
    memset(&ps, 0, sizeof(ps));
    ps.name = name;
    ps.src = text;
    ps.len = len;
    ps.line = 1;
    ps.col = 1;
    ps.p = p;
    ps.dir = dir;
    ps.overlay = overlay;
    ps.err = err;
    if (memchr(text, '\0', len))
        return cust_err_set(err, CUST_EINVAL, "%s: contains a NUL byte", name);
    pi_lex(&ps);
    while (!pi_failed(&ps) && ps.t.k != TK_EOF) {
        if (ps.t.k == TK_NL) {
            pi_lex(&ps);
            continue;
        }
        ps.nest = 0;
        parse_statement(&ps);
        if (!pi_failed(&ps) && ps.t.k == TK_NL)
            pi_lex(&ps);
    }
    if (pi_failed(&ps))
        return ps.st;
    if (!ps.saw_policy)
        return cust_err_set(err, CUST_EINVAL, "%s:1:1: missing 'policy ID' line", name);
    return CUST_OK;
}
