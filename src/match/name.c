/*
 * name.c - UTF-8 name standardisation for the matcher: the name key (namekey.h: NFKC, case,
 * marks, punctuation) cut into tokens, then suffixes, particles, multi-part surnames.
 */
#include "custodian/compat.h"
#include "custodian/match.h"
#include "custodian/namekey.h"

/* Tokens preceding another token that are surname particles, not parts. */
static const char *const particles[] = {"DE",  "DEL", "DELA",  "LA",  "LAS", "LOS", "LE",
                                        "LES", "DA",  "DAS",   "DO",  "DOS", "DI",  "DU",
                                        "VAN", "VON", "DER",   "DEN", "TER", "TEN", "Y",
                                        "E",   "ST",  "SAINT", "AL",  "EL",  "BIN", "BEN"};

static const struct {
    const char *token, *suffix;
} suffixes[] = {{"JR", "JR"}, {"JNR", "JR"},  {"SR", "SR"}, {"SNR", "SR"},
                {"II", "II"}, {"III", "III"}, {"IV", "IV"}};

#define MAX_TOKENS 32

struct tokens {
    char tok[MAX_TOKENS][CUST_NAME_MAX];
    size_t len[MAX_TOKENS];
    size_t n;
    bool open; /* the last token is still being appended to */
    bool truncated;
};

static void tok_break(struct tokens *t)
{
    t->open = false;
}

static void tok_append(struct tokens *t, const char *s)
{
    for (; *s; s++) {
        if (!t->open) {
            if (t->n == MAX_TOKENS) {
                t->truncated = true;
                return;
            }
            t->len[t->n++] = 0;
            t->open = true;
        }
        size_t i = t->n - 1;
        if (t->len[i] + 1 >= CUST_NAME_MAX) {
            t->truncated = true;
            continue;
        }
        t->tok[i][t->len[i]++] = *s;
        t->tok[i][t->len[i]] = '\0';
    }
}

/* One byte of a name key (namekey.h): letters a-z become A-Z, digits stay, a space ends a
 * token; letters of other scripts (the bytes of a multi-byte character) end it too: the
 * phonetic comparison here is for names written in Latin letters. */
static void feed(struct tokens *t, unsigned char c)
{
    char one[2] = {0, 0};
    if (c >= 'a' && c <= 'z') {
        one[0] = (char)(c - 'a' + 'A');
        tok_append(t, one);
    } else if (c >= '0' && c <= '9') {
        one[0] = (char)c;
        tok_append(t, one);
    } else {
        tok_break(t);
    }
}

static bool is_particle(const char *s)
{
    for (size_t i = 0; i < CUST_ARRAY_LEN(particles); i++)
        if (strcmp(s, particles[i]) == 0)
            return true;
    return false;
}

/* Remove digits from a token in place. */
static size_t strip_digits(char *s)
{
    size_t w = 0;
    for (size_t r = 0; s[r]; r++)
        if (s[r] < '0' || s[r] > '9')
            s[w++] = s[r];
    s[w] = '\0';
    return w;
}

static void copy_trunc(char *dst, size_t cap, const char *src, bool *truncated)
{
    size_t n = strlen(src);
    if (n >= cap) {
        n = cap - 1;
        *truncated = true;
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
}

enum cust_status cust_name_standardize(const char *utf8, struct cust_std_name *out,
                                       struct cust_err *err)
{
    memset(out, 0, sizeof(*out));
    if (!utf8)
        return CUST_OK;
    size_t n = strlen(utf8);
    if (n > CUST_NAME_INPUT_MAX)
        return cust_err_set(err, CUST_ETOOBIG, "name longer than %d bytes", CUST_NAME_INPUT_MAX);
    char key[CUST_NAME_KEY_MAX];
    struct cust_err kerr = CUST_ERR_INIT;
    enum cust_status kst = cust_name_key(utf8, n, key, sizeof(key), &kerr);
    if (kst != CUST_OK && kst != CUST_ETOOBIG)
        return cust_err_set(err, kst, "%s", kerr.msg);
    struct tokens tk;
    struct tokens *t = &tk;
    t->n = 0;
    t->open = false;
    t->truncated = kst == CUST_ETOOBIG;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        feed(t, *p);
    bool trunc = t->truncated;

    /* Digits carry nothing in a name; tokens made only of digits go. */
    size_t nt = t->n, w = 0;
    for (size_t k = 0; k < nt; k++) {
        if (strip_digits(t->tok[k]) == 0)
            continue;
        if (w != k)
            memcpy(t->tok[w], t->tok[k], strlen(t->tok[k]) + 1);
        w++;
    }
    nt = w;
    /* A generational suffix is the last token of a name with more than one token. */
    if (nt > 1) {
        for (size_t k = 0; k < CUST_ARRAY_LEN(suffixes); k++) {
            if (strcmp(t->tok[nt - 1], suffixes[k].token) == 0) {
                copy_trunc(out->suffix, sizeof(out->suffix), suffixes[k].suffix, &trunc);
                nt--;
                break;
            }
        }
    }

    size_t tl = 0, cl = 0;
    for (size_t k = 0; k < nt; k++) {
        size_t len = strlen(t->tok[k]);
        if (tl + (k ? 1 : 0) + len < CUST_NAME_MAX) {
            if (k)
                out->text[tl++] = ' ';
            memcpy(out->text + tl, t->tok[k], len);
            tl += len;
        } else {
            trunc = true;
        }
        if (cl + len < CUST_NAME_MAX) {
            memcpy(out->compact + cl, t->tok[k], len);
            cl += len;
        } else {
            trunc = true;
        }
        bool particle = k + 1 < nt && is_particle(t->tok[k]);
        if (!particle) {
            if (out->n_parts < CUST_NAME_MAX_PARTS)
                copy_trunc(out->parts[out->n_parts++], CUST_NAME_PART_MAX, t->tok[k], &trunc);
            else
                trunc = true;
        }
    }
    out->text[tl] = '\0';
    out->compact[cl] = '\0';
    out->truncated = trunc;
    return CUST_OK;
}
