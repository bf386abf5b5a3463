/*
 * parse_int.h - the policy language's front end, shared by lex.c (tokens), parse.c
 * (statements and conditions into a struct cust_policy) and load.c (files, overlays,
 * validation). See docs/internals/policy.md.
 */
#ifndef CUSTODIAN_PARSE_INT_H
#define CUSTODIAN_PARSE_INT_H

#include "policy_int.h"

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

/* lex.c */
bool pi_failed(struct parser *ps);
/* Record the first error as "FILE:LINE:COL: reason" at token t (NULL: the current position). */
void pi_perr(struct parser *ps, const struct tok *t, const char *fmt, ...) CUST_PRINTF(3, 4);
/* Advance ps->t to the next token. */
void pi_lex(struct parser *ps);
bool pi_is_word(const struct tok *t, const char *w);
char *pi_tok_dup(const struct tok *t);
/* Copy a word or string token into buf; false when it does not fit. */
bool pi_tok_copy(const struct tok *t, char *buf, size_t cap);
/* The current token must be k: consume it, else an error naming `what`. */
bool pi_expect(struct parser *ps, enum tok_kind k, const char *what);

/* parse.c: the statements of one file into p (no cross-file validation). */
enum cust_status pi_parse_text(struct cust_policy *p, const char *name, const char *text,
                               size_t len, const char *dir, bool overlay, struct cust_err *err);

#endif
