/*
 * similarity.c - NYSIIS phonetic key, Jaro-Winkler similarity, date-of-birth
 * agreement levels.
 */
#include "custodian/compat.h"
#include "custodian/match.h"
#include "match_internal.h"

/* ---- NYSIIS --------------------------------------------------------------------------------- */

static bool is_vowel(char c)
{
    return c == 'A' || c == 'E' || c == 'I' || c == 'O' || c == 'U';
}

static bool starts(const char *s, size_t n, const char *p)
{
    size_t pn = strlen(p);
    return n >= pn && memcmp(s, p, pn) == 0;
}

static bool ends(const char *s, size_t n, const char *p)
{
    size_t pn = strlen(p);
    return n >= pn && memcmp(s + n - pn, p, pn) == 0;
}

size_t cust_nysiis(const char *name, char out[CUST_NYSIIS_MAX])
{
    char s[CUST_NYSIIS_MAX * 2];
    size_t n = 0;
    for (const char *p = name ? name : ""; *p && n < sizeof(s) - 1; p++) {
        char c = *p;
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (c >= 'A' && c <= 'Z')
            s[n++] = c;
    }
    s[n] = '\0';
    out[0] = '\0';
    if (n == 0)
        return 0;

    /* 1. first letters */
    if (starts(s, n, "MAC"))
        memcpy(s, "MCC", 3);
    else if (starts(s, n, "KN"))
        memcpy(s, "NN", 2);
    else if (starts(s, n, "K"))
        s[0] = 'C';
    else if (starts(s, n, "PH") || starts(s, n, "PF"))
        memcpy(s, "FF", 2);
    else if (starts(s, n, "SCH"))
        memcpy(s, "SSS", 3);
    /* 2. last letters */
    if (ends(s, n, "EE") || ends(s, n, "IE")) {
        s[n - 2] = 'Y';
        s[--n] = '\0';
    } else if (ends(s, n, "DT") || ends(s, n, "RT") || ends(s, n, "RD") || ends(s, n, "NT") ||
               ends(s, n, "ND")) {
        s[n - 2] = 'D';
        s[--n] = '\0';
    }
    /* 3. first character of the key */
    char key[CUST_NYSIIS_MAX * 2];
    size_t k = 0;
    key[k++] = s[0];
    /* 4. scan the rest, rewriting the name in place */
    for (size_t i = 1; i < n; i++) {
        char prev = s[i - 1], cur = s[i];
        char next = i + 1 < n ? s[i + 1] : ' ';
        char next2 = i + 2 < n ? s[i + 2] : ' ';
        if (cur == 'E' && next == 'V') {
            s[i] = 'A', s[i + 1] = 'F';
        } else if (is_vowel(cur)) {
            s[i] = 'A';
        } else if (cur == 'Q') {
            s[i] = 'G';
        } else if (cur == 'Z') {
            s[i] = 'S';
        } else if (cur == 'M') {
            s[i] = 'N';
        } else if (cur == 'K') {
            s[i] = next == 'N' ? 'N' : 'C';
        } else if (cur == 'S' && next == 'C' && next2 == 'H') {
            s[i] = s[i + 1] = s[i + 2] = 'S';
        } else if (cur == 'P' && next == 'H') {
            s[i] = s[i + 1] = 'F';
        } else if (cur == 'H' && (!is_vowel(prev) || !is_vowel(next))) {
            s[i] = prev;
        } else if (cur == 'W' && is_vowel(prev)) {
            s[i] = prev;
        }
        if (s[i] != s[i - 1] && k < sizeof(key) - 1)
            key[k++] = s[i];
    }
    /* 5-7. trailing S, AY, A */
    if (k > 1 && key[k - 1] == 'S')
        k--;
    if (k > 2 && key[k - 2] == 'A' && key[k - 1] == 'Y') {
        key[k - 2] = 'Y';
        k--;
    }
    if (k > 1 && key[k - 1] == 'A')
        k--;
    if (k > CUST_NYSIIS_MAX - 1)
        k = CUST_NYSIIS_MAX - 1;
    memcpy(out, key, k);
    out[k] = '\0';
    return k;
}

/* ---- Jaro-Winkler ---------------------------------------------------------------------------- */

#define JW_MAX 64 /* must stay 64: matched positions are bits of a uint64_t */

double cust_jaro_winkler(const char *a, const char *b)
{
    size_t la = strnlen(a, JW_MAX), lb = strnlen(b, JW_MAX);
    if (la == 0 && lb == 0)
        return 1.0;
    if (la == 0 || lb == 0)
        return 0.0;
    size_t longer = la > lb ? la : lb;
    size_t window = longer / 2 > 0 ? longer / 2 - 1 : 0;
    uint64_t ma = 0, mb = 0; /* matched positions, one bit each (JW_MAX == 64) */
    size_t m = 0;
    for (size_t i = 0; i < la; i++) {
        size_t lo = i > window ? i - window : 0;
        size_t hi = i + window + 1 < lb ? i + window + 1 : lb;
        for (size_t j = lo; j < hi; j++) {
            if (!(mb >> j & 1) && a[i] == b[j]) {
                ma |= 1ULL << i;
                mb |= 1ULL << j;
                m++;
                break;
            }
        }
    }
    if (m == 0)
        return 0.0;
    size_t t = 0;
    uint64_t ra = ma, rb = mb;
    while (ra) {
        int i = __builtin_ctzll(ra), j = __builtin_ctzll(rb);
        if (a[i] != b[j])
            t++;
        ra &= ra - 1;
        rb &= rb - 1;
    }
    double md = (double)m;
    double jaro = (md / (double)la + md / (double)lb + (md - (double)t / 2.0) / md) / 3.0;
    if (jaro <= 0.7)
        return jaro;
    size_t prefix = 0;
    while (prefix < 4 && prefix < la && prefix < lb && a[prefix] == b[prefix])
        prefix++;
    return jaro + (double)prefix * 0.1 * (1.0 - jaro);
}

/* ---- dates of birth ------------------------------------------------------------------------- */

static bool two_digits(const char *s, unsigned *v)
{
    if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
        return false;
    *v = (unsigned)((s[0] - '0') * 10 + (s[1] - '0'));
    return true;
}

uint32_t cust__dob_pack(const char *s)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    unsigned y = 0;
    for (int i = 0; i < 4; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        y = y * 10 + (unsigned)(s[i] - '0');
    }
    unsigned m = 0, d = 0;
    bool mx = s[5] == 'X' && s[6] == 'X', dx = s[8] == 'X' && s[9] == 'X';
    if (!mx && (!two_digits(s + 5, &m) || m < 1 || m > 12))
        return 0;
    if (!dx && (!two_digits(s + 8, &d) || d < 1 || d > 31))
        return 0;
    if (mx && !dx)
        return 0; /* YYYY-XX-DD is not a partial date */
    if (y < 1800 || y > 2200)
        return 0;
    return (uint32_t)(y * 10000 + m * 100 + d);
}

enum cust_dob_level cust__dob_compare_packed(uint32_t a, uint32_t b)
{
    if (a == 0 || b == 0)
        return CUST_DOB_MISSING;
    unsigned ya = a / 10000, ma = a / 100 % 100, da = a % 100;
    unsigned yb = b / 10000, mb = b / 100 % 100, db = b % 100;
    bool full = ma && da && mb && db;
    if (!full) {
        if (ya != yb)
            return CUST_DOB_NONE;
        if (ma && mb && ma != mb)
            return CUST_DOB_YEAR_ONLY;
        if (ma && mb && da && db && da != db)
            return CUST_DOB_YEAR_ONLY;
        return CUST_DOB_PARTIAL;
    }
    if (a == b)
        return CUST_DOB_EXACT;
    int diffs = 0;
    for (uint32_t x = a, y = b; x || y; x /= 10, y /= 10)
        diffs += x % 10 != y % 10;
    if (diffs == 1)
        return CUST_DOB_ONE_DIGIT;
    if (ya == yb && ma == db && da == mb)
        return CUST_DOB_SWAPPED;
    if (ya == yb)
        return CUST_DOB_YEAR_ONLY;
    return CUST_DOB_NONE;
}

enum cust_dob_level cust_dob_compare(const char *a, const char *b)
{
    return cust__dob_compare_packed(cust__dob_pack(a), cust__dob_pack(b));
}

double cust_dob_weight(enum cust_dob_level level)
{
    switch (level) {
    case CUST_DOB_EXACT:
        return 10.0;
    case CUST_DOB_PARTIAL:
        return 5.0;
    case CUST_DOB_ONE_DIGIT:
        return 6.0;
    case CUST_DOB_SWAPPED:
        return 6.0;
    case CUST_DOB_YEAR_ONLY:
        return 1.5;
    case CUST_DOB_NONE:
        return -4.5;
    case CUST_DOB_MISSING:
        break;
    }
    return 0.0;
}

const char *cust_dob_level_name(enum cust_dob_level level)
{
    switch (level) {
    case CUST_DOB_EXACT:
        return "exact";
    case CUST_DOB_PARTIAL:
        return "partial date compatible";
    case CUST_DOB_ONE_DIGIT:
        return "one digit off";
    case CUST_DOB_SWAPPED:
        return "day/month swapped";
    case CUST_DOB_YEAR_ONLY:
        return "year only";
    case CUST_DOB_NONE:
        return "disagree";
    case CUST_DOB_MISSING:
        break;
    }
    return "missing";
}
