/*
 * statute.c - the one statute-code normaliser (include/custodian/statute.h).
 *
 * Three steps: clean the bytes (section sign and no-break space are spaces), cut the text into
 * tokens (designator words, section numbers, parenthesised groups, '/'), then read the tokens
 * as [TITLE] DESIGNATOR SECTION GROUP* (/ [DESIGNATOR] SECTION GROUP*)* with the designator
 * allowed before or after the sections. Anything else falls back to a generic clean-up.
 */
#include "custodian/compat.h"

#include "custodian/statute.h"

#include <ctype.h>

#define ST_MAX_IN   256
#define ST_MAX_TOKS 24
#define ST_TOK_LEN  48

enum st_kind { ST_WORD, ST_NUM, ST_GROUP, ST_SLASH, ST_AMP };

struct st_tok {
    enum st_kind k;
    char s[ST_TOK_LEN]; /* WORD: upper, no dots; NUM: digits, dots, lower suffix; GROUP: content */
    bool title;         /* NUM used as the title of a USC/CFR designator */
};

struct st_toks {
    struct st_tok t[ST_MAX_TOKS];
    size_t n;
};

/* Designator aliases, after upper-casing and dropping '.', '&' and spaces. */
static const char *const aliases[][2] = {
    {"PC", "PC"},    {"PEN", "PC"},          {"PENAL", "PC"},
    {"CPC", "PC"},   {"HS", "HS"},           {"HSC", "HS"},
    {"HLTHS", "HS"}, {"HEALTHSAFETY", "HS"}, {"HEALTHANDSAFETY", "HS"},
    {"VC", "VC"},    {"VEH", "VC"},          {"VEHICLE", "VC"},
    {"CVC", "VC"},   {"BP", "BP"},           {"BPC", "BP"},
    {"WI", "WI"},    {"WIC", "WI"},          {"WELFAREINSTITUTIONS", "WI"},
    {"GC", "GC"},    {"GOV", "GC"},          {"FG", "FG"},
    {"FGC", "FG"},   {"USC", "USC"},         {"CFR", "CFR"}};

/* Words that carry nothing: "PENAL CODE SECTION 187". */
static const char *const noise[] = {"CODE", "SEC", "SECT", "SECTION", "SECS", "SS"};

static const char *alias_of(const char *w)
{
    for (size_t i = 0; i < CUST_ARRAY_LEN(aliases); i++)
        if (strcmp(aliases[i][0], w) == 0)
            return aliases[i][1];
    return NULL;
}

static bool is_noise(const char *w)
{
    for (size_t i = 0; i < CUST_ARRAY_LEN(noise); i++)
        if (strcmp(noise[i], w) == 0)
            return true;
    return false;
}

static bool titled(const char *des)
{
    return strcmp(des, "USC") == 0 || strcmp(des, "CFR") == 0;
}

/* Bytes -> ASCII with the section sign and no-break space as spaces; false on anything else
 * outside printable ASCII. */
static bool clean_bytes(const char *in, char *out, size_t cap)
{
    size_t o = 0;
    for (const unsigned char *s = (const unsigned char *)in; *s; s++) {
        unsigned char c = *s;
        if (c == 0xC2 && (s[1] == 0xA7 || s[1] == 0xA0)) {
            c = ' ';
            s++;
        } else if (c == '\t' || c == '\n' || c == '\r') {
            c = ' ';
        } else if (c < 0x20 || c >= 0x7F) {
            return false;
        }
        if (o + 1 >= cap)
            return false;
        out[o++] = (char)c;
    }
    out[o] = '\0';
    return true;
}

static struct st_tok *push(struct st_toks *ts, enum st_kind k)
{
    if (ts->n >= ST_MAX_TOKS)
        return NULL;
    struct st_tok *t = &ts->t[ts->n++];
    memset(t, 0, sizeof(*t));
    t->k = k;
    return t;
}

/* Append c to a token's text; false when it does not fit. */
static bool tput(struct st_tok *t, char c)
{
    size_t n = strlen(t->s);
    if (n + 1 >= sizeof(t->s))
        return false;
    t->s[n] = c;
    t->s[n + 1] = '\0';
    return true;
}

/* A number: digits, inner dots ("12022.53"), then glued letters: a designator alias ("187PC")
 * becomes its own word, 1-3 other letters are the section's suffix ("288A" -> "288a"). */
static bool lex_number(const char **pp, struct st_toks *ts)
{
    const char *p = *pp;
    struct st_tok *t = push(ts, ST_NUM);
    if (!t)
        return false;
    while (isdigit((unsigned char)*p) || (*p == '.' && isdigit((unsigned char)p[1])))
        if (!tput(t, *p++))
            return false;
    if (*p == '.') /* "187." */
        p++;
    char letters[ST_TOK_LEN] = "";
    size_t nl = 0;
    while (isalpha((unsigned char)*p) || *p == '.' || *p == '&') {
        if (nl + 1 >= sizeof(letters))
            return false;
        if (isalpha((unsigned char)*p))
            letters[nl++] = (char)toupper((unsigned char)*p);
        p++;
    }
    letters[nl] = '\0';
    if (nl) {
        if (alias_of(letters)) {
            struct st_tok *w = push(ts, ST_WORD);
            if (!w)
                return false;
            memcpy(w->s, letters, nl + 1);
        } else if (nl <= 3) {
            for (size_t i = 0; i < nl; i++)
                if (!tput(t, (char)tolower((unsigned char)letters[i])))
                    return false;
        } else {
            return false;
        }
    }
    *pp = p;
    return true;
}

static bool lex_group(const char **pp, struct st_toks *ts)
{
    const char *p = *pp + 1;
    struct st_tok *t = push(ts, ST_GROUP);
    if (!t)
        return false;
    for (; *p && *p != ')'; p++) {
        if (*p == '(')
            return false;
        if (*p != ' ' && !tput(t, *p))
            return false;
    }
    if (*p != ')')
        return false;
    if (!t->s[0]) /* "()" says nothing */
        ts->n--;
    *pp = p + 1;
    return true;
}

static bool lex(const char *s, struct st_toks *ts)
{
    ts->n = 0;
    const char *p = s;
    while (*p) {
        unsigned char c = (unsigned char)*p;
        if (c == ' ' || c == ',' || c == ':' || c == '-' || c == '_' || c == ';') {
            p++;
        } else if (c == '(') {
            if (!lex_group(&p, ts))
                return false;
        } else if (c == '/') {
            if (!push(ts, ST_SLASH))
                return false;
            p++;
        } else if (c == '&') {
            if (!push(ts, ST_AMP))
                return false;
            p++;
        } else if (isdigit(c)) {
            if (!lex_number(&p, ts))
                return false;
        } else if (isalpha(c)) {
            struct st_tok *t = push(ts, ST_WORD);
            if (!t)
                return false;
            for (; isalpha((unsigned char)*p) || *p == '.' || *p == '&'; p++)
                if (isalpha((unsigned char)*p) && !tput(t, (char)toupper((unsigned char)*p)))
                    return false;
        } else {
            return false;
        }
    }
    return true;
}

/* Join a run of words that together spell a designator ("HEALTH AND SAFETY"), longest first. */
static void join_alias_runs(struct st_toks *ts)
{
    for (size_t i = 0; i < ts->n; i++) {
        if (ts->t[i].k != ST_WORD)
            continue;
        for (size_t len = 4; len >= 2; len--) {
            if (i + len > ts->n)
                continue;
            char joined[ST_TOK_LEN * 4] = "";
            bool words = true;
            for (size_t k = i; k < i + len && words; k++) {
                words = ts->t[k].k == ST_WORD;
                strncat(joined, ts->t[k].s, sizeof(joined) - strlen(joined) - 1);
            }
            if (!words || !alias_of(joined) || strlen(joined) >= ST_TOK_LEN)
                continue;
            memcpy(ts->t[i].s, joined, strlen(joined) + 1);
            memmove(&ts->t[i + 1], &ts->t[i + len], (ts->n - i - len) * sizeof(ts->t[0]));
            ts->n -= len - 1;
            break;
        }
    }
}

/* Join "H & S" into one word, map aliases, drop noise words. False on a stray '&'. */
static bool tidy_words(struct st_toks *ts)
{
    size_t o = 0;
    for (size_t i = 0; i < ts->n; i++) {
        struct st_tok *t = &ts->t[i];
        if (t->k == ST_AMP) {
            if (o == 0 || ts->t[o - 1].k != ST_WORD || i + 1 >= ts->n || ts->t[i + 1].k != ST_WORD)
                return false;
            struct st_tok *prev = &ts->t[o - 1];
            size_t a = strlen(prev->s), b = strlen(ts->t[i + 1].s);
            if (a + b + 1 > sizeof(prev->s))
                return false;
            memcpy(prev->s + a, ts->t[i + 1].s, b + 1);
            i++;
            continue;
        }
        if (t->k == ST_WORD && is_noise(t->s))
            continue;
        if (o != i)
            ts->t[o] = *t;
        o++;
    }
    ts->n = o;
    join_alias_runs(ts);
    for (size_t i = 0; i < ts->n; i++)
        if (ts->t[i].k == ST_WORD) {
            const char *a = alias_of(ts->t[i].s);
            if (a)
                snprintf(ts->t[i].s, sizeof(ts->t[i].s), "%s", a);
        }
    return true;
}

struct st_out {
    char *buf;
    size_t cap, n;
    bool ok;
};

static void emit(struct st_out *o, const char *s)
{
    size_t l = strlen(s);
    if (!o->ok || o->n + l + 1 > o->cap) {
        o->ok = false;
        return;
    }
    memcpy(o->buf + o->n, s, l + 1);
    o->n += l;
}

/* A subdivision group, cased by its depth (0-based): (a)(1)(A)(i)(I). */
static void emit_group(struct st_out *o, const char *g, size_t depth)
{
    char b[ST_TOK_LEN + 2];
    size_t n = 0;
    bool upper = depth == 2 || depth == 4;
    b[n++] = '(';
    for (const char *s = g; *s && n + 2 < sizeof(b); s++)
        b[n++] = upper ? (char)toupper((unsigned char)*s) : (char)tolower((unsigned char)*s);
    b[n++] = ')';
    b[n] = '\0';
    emit(o, b);
}

/*
 * Read the tokens as a code: one designator (before the sections, after them, or repeated
 * after a '/' as in "PC 664/PC 187"), a title number right before USC/CFR, and sections
 * NUM GROUP* joined by '/'. False when the tokens are anything else.
 */
static bool read_code(struct st_toks *ts, struct st_out *o)
{
    const char *des = NULL;
    const char *title = NULL;
    size_t nsec = 0;
    for (size_t i = 0; i < ts->n; i++) {
        struct st_tok *t = &ts->t[i];
        if (t->k != ST_WORD)
            continue;
        if (des && strcmp(des, t->s) != 0)
            return false; /* two different codes */
        des = t->s;
        if (titled(t->s)) {
            if (i == 0 || ts->t[i - 1].k != ST_NUM || title)
                return false;
            ts->t[i - 1].title = true;
            title = ts->t[i - 1].s;
        }
    }
    /* shape: [WORD] NUM GROUP* (/ [WORD] NUM GROUP*)* [WORD] */
    enum { S_START, S_LEAD, S_NUM, S_GROUP, S_SLASH, S_TRAIL } st = S_START;
    size_t last = ts->n;
    while (last > 0 && ts->t[last - 1].title)
        last--;
    for (size_t i = 0; i < ts->n; i++) {
        const struct st_tok *t = &ts->t[i];
        if (t->title)
            continue;
        bool after_section = st == S_NUM || st == S_GROUP;
        switch (t->k) {
        case ST_WORD:
            if (st == S_START || st == S_SLASH)
                st = S_LEAD;
            else if (after_section && i + 1 == last)
                st = S_TRAIL;
            else
                return false;
            break;
        case ST_NUM:
            if (st != S_START && st != S_LEAD && st != S_SLASH)
                return false;
            nsec++;
            st = S_NUM;
            break;
        case ST_GROUP:
        case ST_SLASH:
            if (!after_section)
                return false;
            st = t->k == ST_GROUP ? S_GROUP : S_SLASH;
            break;
        default:
            return false;
        }
    }
    if (nsec == 0 || !(st == S_NUM || st == S_GROUP || st == S_TRAIL))
        return false;
    if (title) {
        emit(o, title);
        emit(o, " ");
    }
    if (des) {
        emit(o, des);
        emit(o, " ");
    }
    size_t depth = 0;
    for (size_t i = 0; i < ts->n; i++) {
        const struct st_tok *t = &ts->t[i];
        if (t->title || t->k == ST_WORD)
            continue;
        if (t->k == ST_NUM) {
            emit(o, t->s);
            depth = 0;
        } else if (t->k == ST_GROUP) {
            emit_group(o, t->s, depth++);
        } else {
            emit(o, "/");
        }
    }
    return o->ok;
}

/* Not a code in the known forms: collapse whitespace, upper-case letters outside parentheses,
 * no space before '(' or around '/'. */
static bool generic(const char *s, struct st_out *o)
{
    int depth = 0;
    bool space = false;
    for (; *s; s++) {
        char c = *s;
        if (c == ' ') {
            space = o->n > 0 && depth == 0;
            continue;
        }
        if (c == '(')
            depth++;
        if (space && depth == 0 && c != '/' && o->buf[o->n - 1] != '/')
            emit(o, " ");
        space = false;
        if (c == ')' && depth > 0)
            depth--;
        char one[2] = {depth == 0 ? (char)toupper((unsigned char)c) : c, '\0'};
        emit(o, one);
    }
    return o->ok && o->n > 0;
}

bool cust_statute_code(const char *in, char *out, size_t cap)
{
    if (!out || cap == 0)
        return false;
    out[0] = '\0';
    char clean[ST_MAX_IN];
    if (!in || !clean_bytes(in, clean, sizeof(clean)))
        return false;
    struct st_out o = {out, cap, 0, true};
    struct st_toks ts;
    bool ok = lex(clean, &ts) && tidy_words(&ts) && read_code(&ts, &o);
    if (!ok && !o.ok) { /* a code that does not fit: never a shorter, different form */
        out[0] = '\0';
        return false;
    }
    if (!ok) {
        o.n = 0;
        o.ok = true;
        out[0] = '\0';
        ok = generic(clean, &o);
    }
    if (!ok)
        out[0] = '\0';
    return ok;
}
