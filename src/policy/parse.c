/*
 * parse.c - the policy language (docs/policy-language.md): a hand-written lexer
 * and recursive-descent parser that compiles a policy file into node arrays.
 * Errors are "FILE:LINE:COL: reason".
 */
#include "custodian/compat.h"

#include "custodian/date.h"
#include "policy_int.h"

#include <ctype.h>
#include <sodium.h>

enum tok_kind {
    TK_EOF,
    TK_NL,
    TK_WORD,
    TK_STR,
    TK_LP,
    TK_RP,
    TK_LB,
    TK_RB,
    TK_COMMA,
    TK_EQ,
    TK_NE
};

struct tok {
    enum tok_kind k;
    const char *s; /* WORD/STR text (not NUL-terminated) */
    size_t n;
    int line, col;
};

struct parser {
    const char *name;
    const char *src;
    size_t len, pos;
    int line, col;
    struct tok t; /* current token */
    struct cust_policy *p;
    const char *dir;
    bool overlay;
    struct cust_err *err;
    enum cust_status st;
    int depth;     /* paren depth: newlines are skipped inside */
    int nest;      /* recursion guard */
    int cur_block; /* 0 none, 1 source, 2 rule */
    bool saw_policy;
};

static bool failed(struct parser *ps)
{
    return ps->st != CUST_OK;
}

CUST_PRINTF(3, 4) static void perr(struct parser *ps, const struct tok *t, const char *fmt, ...)
{
    if (failed(ps))
        return;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    ps->st = cust_err_set(ps->err, CUST_EINVAL, "%s:%d:%d: %s", ps->name, t ? t->line : ps->line,
                          t ? t->col : ps->col, msg);
}

static void lex(struct parser *ps)
{
    const char *s = ps->src;
    for (;;) {
        while (ps->pos < ps->len &&
               (s[ps->pos] == ' ' || s[ps->pos] == '\t' || s[ps->pos] == '\r')) {
            ps->pos++;
            ps->col++;
        }
        if (ps->pos < ps->len && s[ps->pos] == '#') {
            while (ps->pos < ps->len && s[ps->pos] != '\n')
                ps->pos++;
        }
        if (ps->pos < ps->len && s[ps->pos] == '\n' && ps->depth > 0) {
            ps->pos++;
            ps->line++;
            ps->col = 1;
            continue;
        }
        break;
    }
    struct tok *t = &ps->t;
    t->line = ps->line;
    t->col = ps->col;
    t->s = s + ps->pos;
    t->n = 0;
    if (ps->pos >= ps->len) {
        t->k = TK_EOF;
        return;
    }
    char c = s[ps->pos];
    size_t start = ps->pos;
    if (c == '\n') {
        t->k = TK_NL;
        ps->pos++;
        ps->line++;
        ps->col = 1;
        return;
    }
    if (c == '"') {
        ps->pos++;
        while (ps->pos < ps->len && s[ps->pos] != '"' && s[ps->pos] != '\n')
            ps->pos++;
        if (ps->pos >= ps->len || s[ps->pos] != '"') {
            t->k = TK_EOF;
            perr(ps, t, "unterminated string");
            return;
        }
        t->k = TK_STR;
        t->s = s + start + 1;
        t->n = ps->pos - start - 1;
        ps->pos++;
        ps->col += (int)(ps->pos - start);
        return;
    }
    ps->pos++;
    switch (c) {
    case '(':
        t->k = TK_LP;
        break;
    case ')':
        t->k = TK_RP;
        break;
    case '[':
        t->k = TK_LB;
        break;
    case ']':
        t->k = TK_RB;
        break;
    case ',':
        t->k = TK_COMMA;
        break;
    case '=':
        t->k = TK_EQ;
        break;
    case '!':
        if (ps->pos < ps->len && s[ps->pos] == '=') {
            ps->pos++;
            t->k = TK_NE;
            break;
        }
        t->k = TK_EOF;
        perr(ps, t, "unexpected '!'");
        return;
    default:
        if (isalnum((unsigned char)c) || c == '_' || c == '.' || c == '-' || c == '/' || c == '*') {
            while (ps->pos < ps->len) {
                char d = s[ps->pos];
                if (!(isalnum((unsigned char)d) || d == '_' || d == '.' || d == '-' || d == '/' ||
                      d == '*'))
                    break;
                ps->pos++;
            }
            t->k = TK_WORD;
            t->n = ps->pos - start;
            break;
        }
        t->k = TK_EOF;
        perr(ps, t, "unexpected character '%c'", isprint((unsigned char)c) ? c : '?');
        return;
    }
    if (t->k != TK_WORD)
        t->n = 1;
    ps->col += (int)(ps->pos - start);
}

static bool is_word(const struct tok *t, const char *w)
{
    return t->k == TK_WORD && t->n == strlen(w) && memcmp(t->s, w, t->n) == 0;
}

static char *tok_dup(const struct tok *t)
{
    return cust_xstrndup(t->s, t->n);
}

/* copy a word/string token into buf; false if too long */
static bool tok_copy(const struct tok *t, char *buf, size_t cap)
{
    if (t->n >= cap)
        return false;
    memcpy(buf, t->s, t->n);
    buf[t->n] = '\0';
    return true;
}

static bool expect(struct parser *ps, enum tok_kind k, const char *what)
{
    if (ps->t.k != k) {
        perr(ps, &ps->t, "expected %s", what);
        return false;
    }
    lex(ps);
    return true;
}

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
        lex(ps);
        if (ps->t.k != TK_WORD || !tok_copy(&ps->t, w, sizeof(w))) {
            perr(ps, &ps->t, "expected a %s value", what);
            return false;
        }
        int v = find_const(vocab, nv, w);
        if (v < 0) {
            perr(ps, &ps->t, "unknown %s '%s'", what, w);
            return false;
        }
        *mask = 1ull << v;
        lex(ps);
        return true;
    }
    if (is_word(&ps->t, "in")) {
        lex(ps);
        ps->depth++;
        if (!expect(ps, TK_LB, "'['")) {
            ps->depth--;
            return false;
        }
        for (;;) {
            if (ps->t.k != TK_WORD || !tok_copy(&ps->t, w, sizeof(w))) {
                perr(ps, &ps->t, "expected a %s value", what);
                ps->depth--;
                return false;
            }
            int v = find_const(vocab, nv, w);
            if (v < 0) {
                perr(ps, &ps->t, "unknown %s '%s'", what, w);
                ps->depth--;
                return false;
            }
            *mask |= 1ull << v;
            lex(ps);
            if (ps->t.k == TK_COMMA) {
                lex(ps);
                continue;
            }
            break;
        }
        ps->depth--;
        return expect(ps, TK_RB, "']'");
    }
    perr(ps, &ps->t, "expected '=', '!=' or 'in' after %s", what);
    return false;
}

static int32_t parse_or(struct parser *ps, int elctx);

static int32_t wrap_not(struct parser *ps, int32_t n, bool neg, const struct tok *at)
{
    if (!neg)
        return n;
    int32_t m = new_node(ps, N_NOT, at);
    ps->p->nodes[m].l = n;
    return m;
}

/* elctx: -1 case level, else the list (PL_*) whose element is in scope */
static int32_t parse_atom(struct parser *ps, int elctx)
{
    struct tok at = ps->t;
    char w[128];
    if (ps->t.k == TK_LP) {
        ps->depth++;
        lex(ps);
        int32_t n = parse_or(ps, elctx);
        ps->depth--;
        if (failed(ps) || !expect(ps, TK_RP, "')'"))
            return -1;
        return n;
    }
    if (ps->t.k != TK_WORD || !tok_copy(&ps->t, w, sizeof(w))) {
        perr(ps, &ps->t, "expected a condition");
        return -1;
    }
    lex(ps);
    if (strcmp(w, "true") == 0 || strcmp(w, "false") == 0 || strcmp(w, "unknown") == 0) {
        int32_t n = new_node(ps, N_CONST, &at);
        ps->p->nodes[n].a = w[0] == 't' ? TRI_T : w[0] == 'f' ? TRI_F : TRI_U;
        return n;
    }
    if (strcmp(w, "not") == 0) {
        if (++ps->nest > 200) {
            perr(ps, &at, "condition nested too deeply");
            return -1;
        }
        int32_t k = parse_atom(ps, elctx);
        ps->nest--;
        if (k < 0)
            return -1;
        return wrap_not(ps, k, true, &at);
    }
    if (strcmp(w, "any") == 0 || strcmp(w, "all") == 0) {
        char ln[64];
        if (ps->t.k != TK_WORD || !tok_copy(&ps->t, ln, sizeof(ln))) {
            perr(ps, &ps->t, "expected a list name (convictions, pending_charges)");
            return -1;
        }
        int l = find_const(pi_list_names, PL_COUNT, ln);
        if (l < 0) {
            perr(ps, &ps->t, "unknown list '%s' (convictions, pending_charges)", ln);
            return -1;
        }
        if (elctx >= 0) {
            perr(ps, &at, "'%s' cannot be nested inside another any/all", w);
            return -1;
        }
        lex(ps);
        if (ps->t.k != TK_LP) {
            perr(ps, &ps->t, "expected '(' after '%s %s'", w, ln);
            return -1;
        }
        int32_t k = parse_atom(ps, l);
        if (k < 0)
            return -1;
        int32_t n = new_node(ps, w[1] == 'n' ? N_ANY : N_ALL, &at);
        ps->p->nodes[n].a = (uint8_t)l;
        ps->p->nodes[n].l = k;
        return n;
    }
    if (strcmp(w, "kind") == 0 || strcmp(w, "citizenship") == 0) {
        uint64_t mask;
        bool neg;
        bool isk = w[0] == 'k';
        if (!parse_enum_test(ps, isk ? pi_kind_names : pi_citizenship_names,
                             isk ? PK_COUNT : PC_COUNT, &mask, &neg, w))
            return -1;
        int32_t n = new_node(ps, isk ? N_KIND_IN : N_CIT_IN, &at);
        ps->p->nodes[n].mask = mask;
        return wrap_not(ps, n, neg, &at);
    }
    if (strcmp(w, "asks") == 0 || strcmp(w, "allows") == 0) {
        char tn[64];
        int tg = -1;
        if (ps->t.k == TK_WORD && tok_copy(&ps->t, tn, sizeof(tn)))
            tg = pi_target_from_name(tn);
        if (tg < 0) {
            perr(ps, &ps->t, "expected an action or item after '%s'", w);
            return -1;
        }
        lex(ps);
        int32_t n = new_node(ps, w[1] == 's' ? N_ASKS : N_ALLOWS, &at);
        ps->p->nodes[n].a = (uint8_t)tg;
        return n;
    }
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
    /* element-level atoms */
    bool elword = strcmp(w, "level") == 0 || strcmp(w, "jurisdiction") == 0 ||
                  strcmp(w, "held_to_answer") == 0 || strcmp(w, "within") == 0 ||
                  strcmp(w, "in") == 0 || find_attr(ps->p, w) >= 0 || strchr(w, '.') != NULL;
    if (elword && elctx < 0) {
        perr(ps, &at, "'%s' describes a conviction or charge: use it inside any/all", w);
        return -1;
    }
    if (strcmp(w, "level") == 0 || strcmp(w, "jurisdiction") == 0) {
        uint64_t mask;
        bool neg;
        bool isl = w[0] == 'l';
        if (!parse_enum_test(ps, isl ? level_names : jur_names, isl ? 3 : 4, &mask, &neg, w))
            return -1;
        int32_t n = new_node(ps, isl ? N_LEVEL_IN : N_JUR_IN, &at);
        ps->p->nodes[n].mask = mask;
        return wrap_not(ps, n, neg, &at);
    }
    if (strcmp(w, "held_to_answer") == 0)
        return new_node(ps, N_HELD, &at);
    if (strcmp(w, "within") == 0) {
        char num[32];
        if (ps->t.k != TK_WORD || !tok_copy(&ps->t, num, sizeof(num))) {
            perr(ps, &ps->t, "expected a period such as 15y or 30d");
            return -1;
        }
        char *end;
        long v = strtol(num, &end, 10);
        if (v <= 0 || v > 200 || (strcmp(end, "y") != 0 && strcmp(end, "d") != 0)) {
            perr(ps, &ps->t, "bad period '%s' (a number of years 'Ny' or days 'Nd')", num);
            return -1;
        }
        lex(ps);
        int32_t n = new_node(ps, N_WITHIN, &at);
        ps->p->nodes[n].n = *end == 'y' ? (int32_t)v : -(int32_t)v;
        return n;
    }
    if (strcmp(w, "in") == 0) {
        char tn[64];
        int t = -1;
        if (ps->t.k == TK_WORD && tok_copy(&ps->t, tn, sizeof(tn)))
            t = find_table(ps->p, tn);
        if (t < 0) {
            perr(ps, &ps->t, "expected a table name after 'in'");
            return -1;
        }
        lex(ps);
        int32_t n = new_node(ps, N_IN_TABLE, &at);
        ps->p->nodes[n].a = (uint8_t)t;
        return n;
    }
    int a = find_attr(ps->p, w);
    if (a >= 0) {
        if (!ps->p->attrs[a].is_set) {
            int32_t n = new_node(ps, N_ATTR, &at);
            ps->p->nodes[n].a = (uint8_t)a;
            return n;
        }
        int32_t n = new_node(ps, N_SET_IN, &at);
        ps->p->nodes[n].a = (uint8_t)a;
        if (is_word(&ps->t, "any")) {
            lex(ps);
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
        return wrap_not(ps, n, neg, &at);
    }
    char *dot = strchr(w, '.');
    if (dot) {
        *dot = '\0';
        int t = find_table(ps->p, w);
        int c = t >= 0 ? pi_table_col(&ps->p->tables[t], dot + 1) : -1;
        if (c < 0) {
            perr(ps, &at, "unknown table column '%s.%s'", w, dot + 1);
            return -1;
        }
        int32_t n = new_node(ps, N_COL, &at);
        ps->p->nodes[n].a = (uint8_t)t;
        ps->p->nodes[n].b = (uint16_t)c;
        return n;
    }
    perr(ps, &at, "unknown name '%s'", w);
    return -1;
}

static int32_t parse_and(struct parser *ps, int elctx)
{
    if (++ps->nest > 200) {
        perr(ps, &ps->t, "condition nested too deeply");
        return -1;
    }
    int32_t l = parse_atom(ps, elctx);
    int terms = 0;
    while (l >= 0 && !failed(ps) && is_word(&ps->t, "and")) {
        if (++terms > 256) {
            perr(ps, &ps->t, "condition too long (more than 256 'and' terms)");
            return -1;
        }
        struct tok at = ps->t;
        ps->depth++; /* a line may end after "and" */
        lex(ps);
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
    return failed(ps) ? -1 : l;
}

static int32_t parse_or(struct parser *ps, int elctx)
{
    if (++ps->nest > 200) {
        perr(ps, &ps->t, "condition nested too deeply");
        return -1;
    }
    int32_t l = parse_and(ps, elctx);
    int terms = 0;
    while (l >= 0 && !failed(ps) && is_word(&ps->t, "or")) {
        if (++terms > 256) {
            perr(ps, &ps->t, "condition too long (more than 256 'or' terms)");
            return -1;
        }
        struct tok at = ps->t;
        ps->depth++;
        lex(ps);
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
    return failed(ps) ? -1 : l;
}

static bool end_of_line(struct parser *ps)
{
    if (ps->t.k != TK_NL && ps->t.k != TK_EOF) {
        perr(ps, &ps->t, "unexpected text at end of line");
        return false;
    }
    return true;
}

static bool parse_date_tok(struct parser *ps, int32_t *day)
{
    char w[32];
    if (ps->t.k != TK_WORD || !tok_copy(&ps->t, w, sizeof(w)) || !cust_date_parse(w, day)) {
        perr(ps, &ps->t, "expected a date (YYYY-MM-DD)");
        return false;
    }
    lex(ps);
    return true;
}

static bool want_str(struct parser *ps, char **out, const char *what)
{
    if (ps->t.k != TK_STR) {
        perr(ps, &ps->t, "expected %s in double quotes", what);
        return false;
    }
    free(*out);
    *out = tok_dup(&ps->t);
    lex(ps);
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
    if (ps->t.k != TK_WORD || !tok_copy(&ps->t, buf, cap) || !valid_name(buf, dots)) {
        perr(ps, &ps->t, "expected %s (lowercase letters, digits, '_'%s)", what,
             dots ? ", '.', '-'" : "");
        return false;
    }
    lex(ps);
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

static void parse_rule_member(struct parser *ps, const char *kw, const struct tok *at)
{
    struct cust_policy *p = ps->p;
    struct pi_rule *r = cur_rule(ps);
    char w[128];
    if (strcmp(kw, "explain") == 0) {
        want_str(ps, &r->explain, "an explanation");
    } else if (strcmp(kw, "cite") == 0) {
        for (;;) {
            if (ps->t.k != TK_WORD || !tok_copy(&ps->t, w, sizeof(w))) {
                perr(ps, &ps->t, "expected a source id");
                return;
            }
            size_t i;
            for (i = 0; i < p->nsources; i++)
                if (strcmp(p->sources[i].id, w) == 0)
                    break;
            if (i == p->nsources) {
                perr(ps, &ps->t, "unknown source '%s' (declare it with 'source')", w);
                return;
            }
            if (r->ncites >= PI_MAX_CITES) {
                perr(ps, &ps->t, "too many citations (max %d)", PI_MAX_CITES);
                return;
            }
            r->cites[r->ncites++] = (uint16_t)i;
            lex(ps);
            if (ps->t.k != TK_COMMA)
                break;
            lex(ps);
        }
    } else if (strcmp(kw, "effective") == 0) {
        if (!parse_date_tok(ps, &r->from))
            return;
        if (is_word(&ps->t, "to")) {
            lex(ps);
            if (!parse_date_tok(ps, &r->to))
                return;
            if (r->to < r->from)
                perr(ps, at, "effective interval ends before it starts");
        }
    } else if (strcmp(kw, "when") == 0) {
        if (r->cond >= 0) {
            perr(ps, at, "rule '%s' has two 'when' lines (join them with 'and')", r->id);
            return;
        }
        r->cond = parse_or(ps, -1);
    } else if (strcmp(kw, "then") == 0) {
        for (;;) {
            char tv[64];
            int tg = -1, v = -1;
            if (ps->t.k == TK_WORD && tok_copy(&ps->t, w, sizeof(w)))
                tg = pi_target_from_name(w);
            if (tg < 0) {
                perr(ps, &ps->t, "expected an action or item");
                return;
            }
            lex(ps);
            if (ps->t.k == TK_WORD && tok_copy(&ps->t, tv, sizeof(tv))) {
                for (int k = CUST_VERDICT_PROHIBITED; k <= CUST_VERDICT_REQUIRED; k++)
                    if (strcmp(tv, cust_verdict_name((enum cust_verdict)k)) == 0)
                        v = k;
            }
            if (v < 0) {
                perr(ps, &ps->t, "expected a verdict (required, permitted, prohibited)");
                return;
            }
            if (r->then_mask & (1u << tg)) {
                perr(ps, &ps->t, "'%s' given twice in rule '%s'", w, r->id);
                return;
            }
            r->then[r->nthen].target = (uint8_t)tg;
            r->then[r->nthen].verdict = (uint8_t)v;
            r->nthen++;
            r->then_mask |= 1u << tg;
            lex(ps);
            if (ps->t.k != TK_COMMA)
                break;
            lex(ps);
        }
    } else if (strcmp(kw, "basis") == 0) {
        char *label = NULL;
        if (!want_str(ps, &label, "a basis label"))
            return;
        int li = basis_intern(p, label);
        free(label);
        if (li < 0 || r->nbasis >= PI_MAX_BASIS) {
            perr(ps, at, "too many basis labels");
            return;
        }
        int32_t cond = -1;
        if (is_word(&ps->t, "if")) {
            lex(ps);
            cond = parse_or(ps, -1);
            if (cond < 0)
                return;
        }
        r->basis[r->nbasis].label = (uint8_t)li;
        r->basis[r->nbasis].node = cond;
        r->nbasis++;
    } else if (strcmp(kw, "duty") == 0) {
        static const char *const duties[] = {
            "serve_copy_to_subject",         "notice_to_subject_and_attorney",
            "consent_form_before_interview", "refer_to_counsel",
            "record_as_public_record",       "report_transfer_to_state"};
        if (ps->t.k != TK_WORD || !tok_copy(&ps->t, w, sizeof(w)) ||
            find_const(duties, CUST_ARRAY_LEN(duties), w) < 0) {
            perr(ps, &ps->t, "expected a duty id (decide.md)");
            return;
        }
        if (r->nduties >= PI_MAX_DUTIES) {
            perr(ps, &ps->t, "too many duties");
            return;
        }
        struct pi_duty *du = &r->duties[r->nduties++];
        du->duty = cust_xstrdup(w);
        lex(ps);
        if (is_word(&ps->t, "when")) {
            lex(ps);
            if (ps->t.k != TK_WORD) {
                perr(ps, &ps->t, "expected a word after 'when'");
                return;
            }
            du->when = tok_dup(&ps->t);
            lex(ps);
        }
    } else if (strcmp(kw, "overrides") == 0) {
        for (;;) {
            if (ps->t.k != TK_WORD || !tok_copy(&ps->t, w, sizeof(w))) {
                perr(ps, &ps->t, "expected a rule id");
                return;
            }
            if (r->noverrides >= PI_MAX_OVERRIDES) {
                perr(ps, &ps->t, "too many overrides");
                return;
            }
            r->override_names[r->noverrides++] = cust_xstrdup(w);
            lex(ps);
            if (ps->t.k != TK_COMMA)
                break;
            lex(ps);
        }
    } else {
        perr(ps, at, "unknown rule field '%s'", kw);
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
            s->checked = tok_dup(&t);
        }
    } else if (strcmp(kw, "confidence") == 0) {
        if (!(is_word(&ps->t, "C") || is_word(&ps->t, "S") || is_word(&ps->t, "U"))) {
            perr(ps, &ps->t, "expected a confidence C, S or U");
            return;
        }
        free(s->confidence);
        s->confidence = tok_dup(&ps->t);
        lex(ps);
    } else {
        perr(ps, at, "unknown source field '%s'", kw);
    }
}

static void parse_statement(struct parser *ps)
{
    struct cust_policy *p = ps->p;
    struct tok at = ps->t;
    char kw[64], name[128];
    if (ps->t.k != TK_WORD || !tok_copy(&ps->t, kw, sizeof(kw))) {
        perr(ps, &ps->t, "expected a keyword");
        return;
    }
    lex(ps);
    if (strcmp(kw, "policy") == 0) {
        if (!name_tok(ps, name, sizeof(name), true, "a policy id"))
            return;
        if (ps->overlay) {
            if (!p->id || strcmp(p->id, name) != 0)
                perr(ps, &at, "overlay declares policy '%s', expected '%s'", name,
                     p->id ? p->id : "?");
        } else {
            free(p->id);
            p->id = cust_xstrdup(name);
        }
        ps->saw_policy = true;
        ps->cur_block = 0;
    } else if (strcmp(kw, "title") == 0) {
        if (!ps->overlay)
            want_str(ps, &p->title, "a title");
        else {
            char *t = NULL;
            if (want_str(ps, &t, "a title")) {
                free(p->title);
                p->title = t;
            }
        }
    } else if (strcmp(kw, "narrows") == 0) {
        if (!name_tok(ps, name, sizeof(name), true, "a policy id"))
            return;
        if (!ps->overlay) {
            free(p->base_id);
            p->base_id = cust_xstrdup(name);
        }
    } else if (strcmp(kw, "version") == 0) {
        if (ps->overlay) {
            perr(ps, &at, "an overlay cannot declare versions (it follows its base policy)");
            return;
        }
        int32_t d;
        if (!parse_date_tok(ps, &d))
            return;
        if (p->nversions && d <= p->versions[p->nversions - 1].from) {
            perr(ps, &at, "versions must be listed in increasing date order");
            return;
        }
        p->versions = cust_xrealloc(p->versions, (p->nversions + 1) * sizeof(*p->versions));
        p->versions[p->nversions].from = d;
        p->versions[p->nversions].label = NULL;
        p->nversions++;
        want_str(ps, &p->versions[p->nversions - 1].label, "a version label");
        ps->cur_block = 0;
    } else if (strcmp(kw, "source") == 0) {
        if (!name_tok(ps, name, sizeof(name), true, "a source id"))
            return;
        for (size_t i = 0; i < p->nsources; i++)
            if (strcmp(p->sources[i].id, name) == 0) {
                perr(ps, &at, "source '%s' declared twice", name);
                return;
            }
        p->sources = cust_xrealloc(p->sources, (p->nsources + 1) * sizeof(*p->sources));
        struct pi_source *s = &p->sources[p->nsources++];
        memset(s, 0, sizeof(*s));
        s->id = cust_xstrdup(name);
        s->line = at.line;
        ps->cur_block = 1;
    } else if (strcmp(kw, "table") == 0) {
        char file[512], key[64];
        if (!name_tok(ps, name, sizeof(name), false, "a table name"))
            return;
        if (ps->t.k != TK_STR || !tok_copy(&ps->t, file, sizeof(file))) {
            perr(ps, &ps->t, "expected the table file in double quotes");
            return;
        }
        lex(ps);
        if (!is_word(&ps->t, "key")) {
            perr(ps, &ps->t, "expected 'key COLUMN'");
            return;
        }
        lex(ps);
        if (ps->t.k != TK_WORD || !tok_copy(&ps->t, key, sizeof(key))) {
            perr(ps, &ps->t, "expected a key column");
            return;
        }
        lex(ps);
        if (find_table(p, name) >= 0) {
            perr(ps, &at, "table '%s' declared twice", name);
            return;
        }
        if (strstr(file, "..") || file[0] == '/') {
            perr(ps, &at, "table file must be relative to the policy directory");
            return;
        }
        struct cust_err e2 = CUST_ERR_INIT;
        if (pi_table_load(p, ps->dir, name, file, key, &e2)) {
            perr(ps, &at, "%s", e2.msg);
            return;
        }
        ps->cur_block = 0;
    } else if (strcmp(kw, "attr") == 0 || strcmp(kw, "fact") == 0) {
        bool isattr = kw[0] == 'a';
        if (!name_tok(ps, name, sizeof(name), false, isattr ? "an attribute name" : "a fact name"))
            return;
        if (find_attr(p, name) >= 0 || find_fact(p, name) >= 0 ||
            find_const(pi_cbool_names, PB_COUNT, name) >= 0) {
            perr(ps, &at, "name '%s' already defined", name);
            return;
        }
        if (!expect(ps, TK_EQ, "'='"))
            return;
        ps->cur_block = 0;
        if (isattr) {
            struct pi_attr a;
            memset(&a, 0, sizeof(a));
            a.node = -1;
            a.ov = find_const(pi_ov_names, PO_COUNT, name);
            if (is_word(&ps->t, "set")) {
                lex(ps);
                a.is_set = true;
                for (;;) {
                    char tc[128];
                    char *dot;
                    int t = -1, c = -1;
                    if (ps->t.k == TK_WORD && tok_copy(&ps->t, tc, sizeof(tc)) &&
                        (dot = strchr(tc, '.')) != NULL) {
                        *dot = '\0';
                        t = find_table(p, tc);
                        c = t >= 0 ? pi_table_col(&p->tables[t], dot + 1) : -1;
                    }
                    if (c < 0 || a.ncols >= 4) {
                        perr(ps, &ps->t, "expected TABLE.COLUMN");
                        return;
                    }
                    a.tab[a.ncols] = (uint8_t)t;
                    a.col[a.ncols] = (uint16_t)c;
                    a.ncols++;
                    /* intern every value of the column ("P;Q" -> P, Q) */
                    struct pi_table *tb = &p->tables[t];
                    for (size_t r = 0; r < tb->nrows; r++) {
                        const char *cell = tb->cells[r * tb->ncols + (size_t)c];
                        uint64_t m = 0;
                        const char *s = cell;
                        while (*s) {
                            const char *e = strchr(s, ';');
                            size_t l = e ? (size_t)(e - s) : strlen(s);
                            char v[32];
                            while (l && *s == ' ') {
                                s++;
                                l--;
                            }
                            if (l && l < sizeof(v)) {
                                memcpy(v, s, l);
                                v[l] = '\0';
                                int vi = pi_value_intern(p, v);
                                if (vi < 0) {
                                    perr(ps, &at, "too many distinct values in '%s'", name);
                                    return;
                                }
                                m |= 1ull << vi;
                            }
                            if (!e)
                                break;
                            s = e + 1;
                        }
                        tb->setv[r * tb->ncols + (size_t)c] = m;
                    }
                    lex(ps);
                    if (ps->t.k != TK_COMMA)
                        break;
                    lex(ps);
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
                perr(ps, &at, "too many attributes");
        } else {
            int32_t n = parse_or(ps, -1);
            if (n < 0)
                return;
            if (p->nfacts >= 250) {
                perr(ps, &at, "too many facts");
                return;
            }
            p->facts = cust_xrealloc(p->facts, (p->nfacts + 1) * sizeof(*p->facts));
            p->facts[p->nfacts].name = cust_xstrdup(name);
            p->facts[p->nfacts].node = n;
            p->nfacts++;
        }
    } else if (strcmp(kw, "rule") == 0) {
        if (!name_tok(ps, name, sizeof(name), true, "a rule id"))
            return;
        for (size_t i = 0; i < p->nrules; i++)
            if (strcmp(p->rules[i].id, name) == 0) {
                perr(ps, &at, "rule '%s' declared twice", name);
                return;
            }
        if (p->nrules >= PI_MAX_RULES) {
            perr(ps, &at, "too many rules (max %d)", PI_MAX_RULES);
            return;
        }
        p->rules = cust_xrealloc(p->rules, (p->nrules + 1) * sizeof(*p->rules));
        struct pi_rule *r = &p->rules[p->nrules++];
        memset(r, 0, sizeof(*r));
        r->id = cust_xstrdup(name);
        r->file = cust_xstrdup(ps->name);
        r->line = at.line;
        r->overlay = ps->overlay;
        r->from = INT32_MIN;
        r->to = INT32_MAX;
        r->cond = -1;
        ps->cur_block = 2;
    } else if (ps->cur_block == 2) {
        parse_rule_member(ps, kw, &at);
    } else if (ps->cur_block == 1) {
        parse_source_member(ps, kw, &at);
    } else {
        perr(ps, &at, "unknown keyword '%s'", kw);
    }
    if (!failed(ps))
        end_of_line(ps);
}

static bool node_uses(const struct cust_policy *p, int32_t n, uint8_t op)
{
    if (n < 0)
        return false;
    const struct pi_node *nd = &p->nodes[n];
    if (nd->op == op)
        return true;
    if (nd->op == N_FACT)
        return node_uses(p, p->facts[nd->a].node, op);
    return node_uses(p, nd->l, op) || node_uses(p, nd->r, op);
}

static enum cust_status parse_text(struct cust_policy *p, const char *name, const char *text,
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
    size_t first_rule = p->nrules;
    if (memchr(text, '\0', len))
        return cust_err_set(err, CUST_EINVAL, "%s: contains a NUL byte", name);
    lex(&ps);
    while (!failed(&ps) && ps.t.k != TK_EOF) {
        if (ps.t.k == TK_NL) {
            lex(&ps);
            continue;
        }
        ps.nest = 0;
        parse_statement(&ps);
        if (!failed(&ps) && ps.t.k == TK_NL)
            lex(&ps);
    }
    if (failed(&ps))
        return ps.st;
    if (!ps.saw_policy)
        return cust_err_set(err, CUST_EINVAL, "%s:1:1: missing 'policy ID' line", name);
    /* per-file validation */
    for (size_t i = 0; i < p->nsources; i++) {
        struct pi_source *s = &p->sources[i];
        if (!s->cite || !s->url || !s->checked || !s->confidence)
            return cust_err_set(err, CUST_EINVAL,
                                "%s:%d:1: source '%s' needs cite, url, checked and confidence",
                                name, s->line, s->id);
    }
    for (size_t i = first_rule; i < p->nrules; i++) {
        struct pi_rule *r = &p->rules[i];
        if (r->cond < 0)
            return cust_err_set(err, CUST_EINVAL, "%s:%d:1: rule '%s' has no 'when'", name, r->line,
                                r->id);
        if (r->ncites == 0)
            return cust_err_set(err, CUST_EINVAL, "%s:%d:1: rule '%s' has no 'cite'", name, r->line,
                                r->id);
        if (r->nthen == 0 && r->nduties == 0)
            return cust_err_set(err, CUST_EINVAL,
                                "%s:%d:1: rule '%s' has neither 'then' nor 'duty'", name, r->line,
                                r->id);
        r->uses_allows = node_uses(p, r->cond, N_ALLOWS);
        if (r->uses_allows && r->nthen)
            return cust_err_set(err, CUST_EINVAL,
                                "%s:%d:1: rule '%s': 'allows' may only be used by duty-only rules",
                                name, r->line, r->id);
        for (size_t b = 0; b < r->nbasis; b++)
            if (node_uses(p, r->basis[b].node, N_ALLOWS))
                return cust_err_set(err, CUST_EINVAL, "%s:%d:1: 'allows' in a basis condition",
                                    name, r->line);
        if (overlay) {
            for (size_t k = 0; k < r->nthen; k++)
                if (r->then[k].verdict != CUST_VERDICT_PROHIBITED)
                    return cust_err_set(
                        err, CUST_EINVAL,
                        "%s:%d:1: overlay rule '%s' widens the state policy: '%s %s' (an overlay "
                        "may only narrow, i.e. prohibit)",
                        name, r->line, r->id, pi_target_names[r->then[k].target],
                        cust_verdict_name((enum cust_verdict)r->then[k].verdict));
        }
    }
    for (size_t i = first_rule; i < p->nrules; i++) {
        struct pi_rule *r = &p->rules[i];
        for (size_t k = 0; k < r->noverrides; k++) {
            size_t j;
            for (j = 0; j < p->nrules; j++)
                if (strcmp(p->rules[j].id, r->override_names[k]) == 0)
                    break;
            if (j == p->nrules)
                return cust_err_set(err, CUST_EINVAL,
                                    "%s:%d:1: rule '%s' overrides unknown rule '%s'", name, r->line,
                                    r->id, r->override_names[k]);
            if (j == i)
                return cust_err_set(err, CUST_EINVAL, "%s:%d:1: rule '%s' overrides itself", name,
                                    r->line, r->id);
            if (overlay && !p->rules[j].overlay)
                return cust_err_set(err, CUST_EINVAL,
                                    "%s:%d:1: overlay rule '%s' cannot override state rule '%s' "
                                    "(an overlay may only narrow)",
                                    name, r->line, r->id, p->rules[j].id);
            if ((r->then_mask & p->rules[j].then_mask) == 0)
                return cust_err_set(err, CUST_EINVAL,
                                    "%s:%d:1: rule '%s' overrides '%s' but decides none of its "
                                    "actions or items",
                                    name, r->line, r->id, p->rules[j].id);
            r->overrides[k] = (int16_t)j;
        }
    }
    return CUST_OK;
}

static void closure(struct cust_policy *p)
{
    for (size_t i = 0; i < p->nrules; i++) {
        memset(p->rules[i].beats, 0, sizeof(p->rules[i].beats));
        for (size_t k = 0; k < p->rules[i].noverrides; k++) {
            int j = p->rules[i].overrides[k];
            p->rules[i].beats[j / 64] |= 1ull << (j % 64);
        }
    }
    bool changed = true;
    while (changed) {
        changed = false;
        for (size_t i = 0; i < p->nrules; i++)
            for (size_t j = 0; j < p->nrules; j++)
                if (p->rules[i].beats[j / 64] & (1ull << (j % 64)))
                    for (size_t w = 0; w < PI_RULE_WORDS; w++) {
                        uint64_t nb = p->rules[i].beats[w] | p->rules[j].beats[w];
                        if (nb != p->rules[i].beats[w]) {
                            p->rules[i].beats[w] = nb;
                            changed = true;
                        }
                    }
    }
}

static enum cust_status finish(struct cust_policy *p, struct cust_err *err)
{
    if (p->nversions == 0)
        return cust_err_set(err, CUST_EINVAL, "policy '%s' declares no version", p->id);
    closure(p);
    for (size_t i = 0; i < p->nrules; i++)
        if (p->rules[i].beats[i / 64] & (1ull << (i % 64)))
            return cust_err_set(err, CUST_EINVAL,
                                "%s:%d:1: rule '%s' overrides itself through a cycle",
                                p->rules[i].file, p->rules[i].line, p->rules[i].id);
    pi_tables_finish(p);
    for (int t = 0; t < PT_COUNT; t++) {
        free(p->tgt_rules[t]);
        p->tgt_rules[t] = cust_xcalloc(p->nrules + 1, sizeof(uint16_t));
        p->ntgt_rules[t] = 0;
        for (size_t i = 0; i < p->nrules; i++)
            if ((p->rules[i].then_mask >> t) & 1u)
                p->tgt_rules[t][p->ntgt_rules[t]++] = (uint16_t)i;
    }
    return CUST_OK;
}

enum cust_status cust_policy_parse(const char *name, const char *text, size_t len, const char *dir,
                                   struct cust_policy **out, struct cust_err *err)
{
    struct cust_policy *p = cust_xcalloc(1, sizeof(*p));
    enum cust_status st = parse_text(p, name, text, len, dir, false, err);
    if (!st && p->base_id)
        st = cust_err_set(err, CUST_EINVAL, "%s: an overlay must be loaded by id", name);
    if (!st)
        st = finish(p, err);
    if (st) {
        cust_policy_free(p);
        return st;
    }
    snprintf(p->sha256, sizeof(p->sha256), "%s", "");
    *out = p;
    return CUST_OK;
}

const char *cust_policy_dir(const char *dir)
{
    if (dir && *dir)
        return dir;
    const char *e = getenv("CUSTODIAN_POLICIES");
    if (e && *e)
        return e;
    return CUST_SOURCE_DIR "/policies";
}

static enum cust_status read_file(const char *path, struct cust_buf *b, struct cust_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return cust_err_set(err, CUST_ENOTFOUND, "cannot open policy '%s'", path);
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        if (cust_buf_append(b, chunk, n)) {
            fclose(f);
            return cust_err_set(err, CUST_ENOMEM, "out of memory");
        }
    bool bad = ferror(f);
    fclose(f);
    if (bad)
        return cust_err_set(err, CUST_EIO, "cannot read '%s'", path);
    return CUST_OK;
}

static bool valid_id(const char *id)
{
    if (!*id || strlen(id) > 100 || strstr(id, "..") || id[0] == '/' || id[0] == '.')
        return false;
    for (const char *s = id; *s; s++)
        if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '-' || *s == '_' ||
              *s == '/'))
            return false;
    return true;
}

enum cust_status cust_policy_load(const char *dir, const char *id, struct cust_policy **out,
                                  struct cust_err *err)
{
    dir = cust_policy_dir(dir);
    const char *root = dir;
    char path[4096], bpath[4096];
    char pdir[4096];
    size_t idl = strlen(id);
    bool is_file = idl > 7 && strcmp(id + idl - 7, ".policy") == 0;
    if (is_file) {
        snprintf(path, sizeof(path), "%s", id);
        /* tables resolve against the file's policy root: its directory */
        snprintf(pdir, sizeof(pdir), "%s", id);
        char *sl = strrchr(pdir, '/');
        if (sl)
            *sl = '\0';
        else
            snprintf(pdir, sizeof(pdir), ".");
        dir = pdir;
    } else {
        if (!valid_id(id))
            return cust_err_set(err, CUST_ENOTFOUND, "no policy '%s'", id);
        snprintf(path, sizeof(path), "%s/%s.policy", dir, id);
    }
    struct cust_buf text = CUST_BUF_INIT, btext = CUST_BUF_INIT;
    enum cust_status st = read_file(path, &text, err);
    if (st) {
        if (st == CUST_ENOTFOUND && !is_file)
            cust_err_set(err, CUST_ENOTFOUND, "no policy '%s' (looked for '%s')", id, path);
        return st;
    }
    /* an overlay? find "narrows BASE" before parsing to load the base first */
    struct cust_policy *p = cust_xcalloc(1, sizeof(*p));
    const char *nl = text.buf;
    char base[128] = "";
    while (nl && *nl) {
        while (*nl == ' ' || *nl == '\t')
            nl++;
        if (strncmp(nl, "narrows ", 8) == 0) {
            const char *s = nl + 8;
            while (*s == ' ')
                s++;
            size_t k = 0;
            while (s[k] && s[k] != '\n' && s[k] != ' ' && s[k] != '#' && s[k] != '\r' &&
                   k + 1 < sizeof(base))
                k++;
            memcpy(base, s, k);
            base[k] = '\0';
            break;
        }
        nl = strchr(nl, '\n');
        if (nl)
            nl++;
    }
    crypto_hash_sha256_state hs;
    crypto_hash_sha256_init(&hs);
    if (*base) {
        if (!valid_id(base)) {
            st = cust_err_set(err, CUST_EINVAL, "%s: bad base policy id '%s'", path, base);
            goto fail;
        }
        dir = root; /* an overlay's base (and its tables) come from the policy directory */
        int w = snprintf(bpath, sizeof(bpath), "%s/%s.policy", dir, base);
        if (w < 0 || (size_t)w >= sizeof(bpath)) {
            st = cust_err_set(err, CUST_EINVAL, "policy path too long");
            goto fail;
        }
        st = read_file(bpath, &btext, err);
        if (st)
            goto fail;
        st = parse_text(p, bpath, btext.buf, btext.len, dir, false, err);
        if (st)
            goto fail;
        if (p->base_id) {
            st = cust_err_set(err, CUST_EINVAL, "%s: an overlay cannot narrow another overlay",
                              path);
            goto fail;
        }
        if (strcmp(p->id, base) != 0) {
            st = cust_err_set(err, CUST_EINVAL, "%s: declares policy '%s', expected '%s'", bpath,
                              p->id, base);
            goto fail;
        }
        crypto_hash_sha256_update(&hs, (const unsigned char *)btext.buf, btext.len);
        p->files[p->nfiles++] = cust_xstrdup(bpath);
        char *bid = p->id;
        p->id = NULL;
        /* the overlay's own id: from its 'policy' line (checked by parse_text) */
        const char *s = text.buf;
        while (s && strncmp(s, "policy ", 7) != 0) {
            s = strchr(s, '\n');
            if (s)
                s++;
        }
        char oid[128] = "";
        if (s) {
            s += 7;
            size_t k = 0;
            while (s[k] && s[k] != '\n' && s[k] != ' ' && s[k] != '\r' && k + 1 < sizeof(oid))
                k++;
            memcpy(oid, s, k);
            oid[k] = '\0';
        }
        p->id = cust_xstrdup(is_file ? oid : id);
        p->base_id = bid;
        st = parse_text(p, path, text.buf, text.len, dir, true, err);
        if (st)
            goto fail;
    } else {
        st = parse_text(p, path, text.buf, text.len, dir, false, err);
        if (st)
            goto fail;
        if (!is_file && strcmp(p->id, id) != 0) {
            st = cust_err_set(err, CUST_EINVAL, "%s: declares policy '%s', expected '%s'", path,
                              p->id, id);
            goto fail;
        }
    }
    crypto_hash_sha256_update(&hs, (const unsigned char *)text.buf, text.len);
    p->files[p->nfiles++] = cust_xstrdup(path);
    /* the tables are part of the law: hash them too */
    for (size_t t = 0; t < p->ntables; t++) {
        struct cust_buf tb = CUST_BUF_INIT;
        char tp[4096];
        int w = snprintf(tp, sizeof(tp), "%s/%s", dir, p->tables[t].file);
        if (w < 0 || (size_t)w >= sizeof(tp))
            continue;
        if (read_file(tp, &tb, NULL) == CUST_OK)
            crypto_hash_sha256_update(&hs, (const unsigned char *)tb.buf, tb.len);
        cust_buf_release(&tb);
    }
    st = finish(p, err);
    if (st)
        goto fail;
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&hs, h);
    for (size_t i = 0; i < sizeof(h); i++)
        snprintf(p->sha256 + 2 * i, 3, "%02x", h[i]);
    cust_buf_release(&text);
    cust_buf_release(&btext);
    *out = p;
    return CUST_OK;
fail:
    cust_buf_release(&text);
    cust_buf_release(&btext);
    cust_policy_free(p);
    return st;
}

void cust_policy_free(struct cust_policy *p)
{
    if (!p)
        return;
    free(p->id);
    free(p->base_id);
    free(p->title);
    free(p->nodes);
    for (size_t t = 0; t < p->ntables; t++) {
        struct pi_table *tb = &p->tables[t];
        free(tb->name);
        free(tb->file);
        for (size_t i = 0; i < tb->ncols; i++)
            free(tb->colnames[i]);
        free(tb->colnames);
        for (size_t i = 0; i < tb->nrows * tb->ncols; i++)
            free(tb->cells[i]);
        free(tb->cells);
        free(tb->tri);
        free(tb->setv);
    }
    for (size_t i = 0; i < p->ncodes_cap; i++)
        free(p->codes[i].code);
    free(p->codes);
    for (size_t i = 0; i < p->nattrs; i++)
        free(p->attrs[i].name);
    free(p->attrs);
    for (size_t i = 0; i < p->nfacts; i++)
        free(p->facts[i].name);
    free(p->facts);
    for (size_t i = 0; i < p->nsources; i++) {
        free(p->sources[i].id);
        free(p->sources[i].cite);
        free(p->sources[i].url);
        free(p->sources[i].checked);
        free(p->sources[i].confidence);
    }
    free(p->sources);
    for (size_t i = 0; i < p->nversions; i++)
        free(p->versions[i].label);
    free(p->versions);
    for (size_t i = 0; i < p->nrules; i++) {
        struct pi_rule *r = &p->rules[i];
        free(r->id);
        free(r->file);
        free(r->explain);
        for (size_t k = 0; k < r->nduties; k++) {
            free(r->duties[k].duty);
            free(r->duties[k].when);
        }
        for (size_t k = 0; k < r->noverrides; k++)
            free(r->override_names[k]);
    }
    free(p->rules);
    for (size_t i = 0; i < p->nvalues; i++)
        free(p->values[i]);
    for (size_t i = 0; i < p->nbasis_labels; i++)
        free(p->basis_labels[i]);
    for (size_t i = 0; i < p->nfiles; i++)
        free(p->files[i]);
    for (int t = 0; t < PT_COUNT; t++)
        free(p->tgt_rules[t]);
    free(p);
}

const char *cust_policy_id(const struct cust_policy *p)
{
    return p->id;
}

const char *cust_policy_sha256(const struct cust_policy *p)
{
    return p->sha256;
}
