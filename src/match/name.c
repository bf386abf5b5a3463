/*
 * name.c - UTF-8 name standardisation: accent folding, case, punctuation,
 * suffixes, particles, multi-part surnames.
 */
#include "custodian/compat.h"
#include "custodian/match.h"

/* ASCII folding of U+00C0..U+017F (Latin-1 Supplement letters and Latin Extended-A).
 * "" marks a non-letter (x, ÷) that breaks a token. */
static const char *const fold_table[0x180 - 0xC0] = {
    /* U+00C0 */ "A",
    "A",
    "A",
    "A",
    "A",
    "A",
    "AE",
    "C",
    "E",
    "E",
    "E",
    "E",
    "I",
    "I",
    "I",
    "I",
    /* U+00D0 */ "D",
    "N",
    "O",
    "O",
    "O",
    "O",
    "O",
    "",
    "O",
    "U",
    "U",
    "U",
    "U",
    "Y",
    "TH",
    "SS",
    /* U+00E0 */ "A",
    "A",
    "A",
    "A",
    "A",
    "A",
    "AE",
    "C",
    "E",
    "E",
    "E",
    "E",
    "I",
    "I",
    "I",
    "I",
    /* U+00F0 */ "D",
    "N",
    "O",
    "O",
    "O",
    "O",
    "O",
    "",
    "O",
    "U",
    "U",
    "U",
    "U",
    "Y",
    "TH",
    "Y",
    /* U+0100 */ "A",
    "A",
    "A",
    "A",
    "A",
    "A",
    "C",
    "C",
    "C",
    "C",
    "C",
    "C",
    "C",
    "C",
    "D",
    "D",
    /* U+0110 */ "D",
    "D",
    "E",
    "E",
    "E",
    "E",
    "E",
    "E",
    "E",
    "E",
    "E",
    "E",
    "G",
    "G",
    "G",
    "G",
    /* U+0120 */ "G",
    "G",
    "G",
    "G",
    "H",
    "H",
    "H",
    "H",
    "I",
    "I",
    "I",
    "I",
    "I",
    "I",
    "I",
    "I",
    /* U+0130 */ "I",
    "I",
    "IJ",
    "IJ",
    "J",
    "J",
    "K",
    "K",
    "K",
    "L",
    "L",
    "L",
    "L",
    "L",
    "L",
    "L",
    /* U+0140 */ "L",
    "L",
    "L",
    "N",
    "N",
    "N",
    "N",
    "N",
    "N",
    "N",
    "N",
    "N",
    "O",
    "O",
    "O",
    "O",
    /* U+0150 */ "O",
    "O",
    "OE",
    "OE",
    "R",
    "R",
    "R",
    "R",
    "R",
    "R",
    "S",
    "S",
    "S",
    "S",
    "S",
    "S",
    /* U+0160 */ "S",
    "S",
    "T",
    "T",
    "T",
    "T",
    "T",
    "T",
    "U",
    "U",
    "U",
    "U",
    "U",
    "U",
    "U",
    "U",
    /* U+0170 */ "U",
    "U",
    "U",
    "U",
    "W",
    "W",
    "Y",
    "Y",
    "Y",
    "Z",
    "Z",
    "Z",
    "Z",
    "Z",
    "Z",
    "S",
};

_Static_assert(CUST_ARRAY_LEN(fold_table) == 0x180 - 0xC0, "fold table covers U+00C0..U+017F");

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

/*
 * Decode one UTF-8 sequence at s[*i]; strict (no overlongs, surrogates or values past
 * U+10FFFF). Returns false on a malformed sequence.
 */
static bool utf8_next(const unsigned char *s, size_t n, size_t *i, uint32_t *cp)
{
    unsigned char c = s[*i];
    if (c < 0x80) {
        *cp = c;
        *i += 1;
        return true;
    }
    size_t need;
    uint32_t v, min;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 1, v = c & 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2, v = c & 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3, v = c & 0x07, min = 0x10000;
    } else {
        return false;
    }
    if (*i + need >= n)
        return false;
    for (size_t k = 1; k <= need; k++) {
        unsigned char cc = s[*i + k];
        if ((cc & 0xC0) != 0x80)
            return false;
        v = (v << 6) | (cc & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return false;
    *cp = v;
    *i += need + 1;
    return true;
}

static void feed(struct tokens *t, uint32_t cp)
{
    char one[2] = {0, 0};
    if (cp >= 'a' && cp <= 'z') {
        one[0] = (char)(cp - 'a' + 'A');
        tok_append(t, one);
    } else if ((cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9')) {
        one[0] = (char)cp;
        tok_append(t, one);
    } else if (cp == '\'' || cp == '`' || cp == 0x2018 || cp == 0x2019 || cp == 0x02BC ||
               cp == 0xB4 || (cp >= 0x300 && cp <= 0x36F)) {
        /* apostrophes and combining marks vanish inside a token: O'BRIEN -> OBRIEN */
    } else if (cp >= 0xC0 && cp < 0x180) {
        const char *f = fold_table[cp - 0xC0];
        if (*f)
            tok_append(t, f);
        else
            tok_break(t);
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
    struct tokens tk;
    struct tokens *t = &tk;
    t->n = 0;
    t->open = false;
    t->truncated = false;
    const unsigned char *s = (const unsigned char *)utf8;
    for (size_t i = 0; i < n;) {
        size_t at = i;
        uint32_t cp;
        if (!utf8_next(s, n, &i, &cp)) {
            return cust_err_set(err, CUST_EINVAL, "invalid utf-8 at byte %zu", at);
        }
        feed(t, cp);
    }
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
