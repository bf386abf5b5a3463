/*
 * lex.c - the policy language's lexer (docs/policy-language.md): words, strings, brackets,
 * '=' and '!='; '#' comments; newlines end statements except inside brackets. Errors are
 * "FILE:LINE:COL: reason" (see parse_int.h).
 */
#include "custodian/compat.h"

#include "parse_int.h"

#include <ctype.h>

bool pi_failed(struct parser *ps)
{
    return ps->st != CUST_OK;
}

void pi_perr(struct parser *ps, const struct tok *t, const char *fmt, ...)
{
    if (pi_failed(ps))
        return;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    ps->st = cust_err_set(ps->err, CUST_EINVAL, "%s:%d:%d: %s", ps->name, t ? t->line : ps->line,
                          t ? t->col : ps->col, msg);
}

void pi_lex(struct parser *ps)
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
            pi_perr(ps, t, "unterminated string");
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
        pi_perr(ps, t, "unexpected '!'");
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
        pi_perr(ps, t, "unexpected character '%c'", isprint((unsigned char)c) ? c : '?');
        return;
    }
    if (t->k != TK_WORD)
        t->n = 1;
    ps->col += (int)(ps->pos - start);
}

bool pi_is_word(const struct tok *t, const char *w)
{
    return t->k == TK_WORD && t->n == strlen(w) && memcmp(t->s, w, t->n) == 0;
}

char *pi_tok_dup(const struct tok *t)
{
    return cust_xstrndup(t->s, t->n);
}

/* copy a word/string token into buf; false if too long */
bool pi_tok_copy(const struct tok *t, char *buf, size_t cap)
{
    if (t->n >= cap)
        return false;
    memcpy(buf, t->s, t->n);
    buf[t->n] = '\0';
    return true;
}

bool pi_expect(struct parser *ps, enum tok_kind k, const char *what)
{
    if (ps->t.k != k) {
        pi_perr(ps, &ps->t, "expected %s", what);
        return false;
    }
    pi_lex(ps);
    return true;
}
