/*
 * index.c - the in-memory person index: blocking keys, pair scoring, ranked
 * candidates with per-field reasons. Design: docs/internals/match.md.
 */
#include "custodian/compat.h"
#include "custodian/match.h"
#include "match_internal.h"

#include <math.h>

#define MAX_NAMES    64   /* names (primary + aliases) per person or subject */
#define PACK_MAX     2048 /* bytes of one packed standardised name */
#define ID_MAX       32   /* bytes of one normalised id */
#define MAX_KEYS     2048 /* blocking keys per person or subject (64 names x 15 + ids + bookings) */
#define MAX_BOOKINGS 1000 /* booking numbers per person or subject */
#define N_STRONG     4

/* Field order inside a packed name (F_COUNT length bytes, then the fields NUL-terminated). */
enum {
    F_LAST,        /* compact surname */
    F_LAST_PARTS,  /* significant surname parts, space-separated */
    F_LAST_KEYS,   /* NYSIIS of the compact surname, then of each part, space-separated */
    F_FIRST,       /* compact given names */
    F_FIRST_PARTS, /* given-name parts */
    F_FIRST_KEYS,  /* NYSIIS of the first given name */
    F_FIRST_NICK,  /* nickname groups of the first given name, one char '0'+g each ("" = none) */
    F_SUFFIX,
    F_COUNT
};

struct name_view {
    const char *f[F_COUNT];
    uint32_t dob;
};

struct field_view {
    const char *compact, *parts, *keys, *nick;
};

/* A person or subject ready for scoring (pointers into the arena or a scratch buffer). */
struct pview {
    struct name_view nv[MAX_NAMES];
    size_t n;
    const char *ids[N_STRONG]; /* cii, fbi, sid, a_number ("" = none) */
    const char *bookings;      /* space-separated */
};

static const char *const strong_names[N_STRONG] = {"cii", "fbi", "sid", "a_number"};
static const char strong_tags[N_STRONG] = {'C', 'F', 'S', 'A'};

/*
 * A person's record in the arena, one contiguous blob so scoring a candidate touches one place:
 *   u8 n_names | u32 dob[n_names] (unaligned) | packed names | cii fbi sid a_number bookings
 * (the last five NUL-terminated).
 */

struct key_rec {
    uint64_t h;
    uint32_t person; /* index into persons / blob_off */
    uint32_t blob;   /* arena offset of the person's blob (saves a lookup per candidate) */
};

struct cust_match_index {
    int64_t *person_ids; /* caller ids, by person index */
    uint32_t *blob_off;  /* arena offset of each person's blob */
    size_t n_persons, cap_persons, cap_blob_off;
    char *arena;
    size_t arena_len, arena_cap;
    struct key_rec *keys;
    size_t n_keys, cap_keys;
    bool built;
};

/* ---- weights -------------------------------------------------------------------------------- */

enum field_kind { K_LAST, K_FIRST };
enum name_level {
    L_EXACT,
    L_JW_HIGH,
    L_PART,
    L_NICKNAME,
    L_PHONETIC,
    L_JW_MID,
    L_INITIAL,
    L_NONE,
    L_MISSING
};

/* log2(m/u) per level; see docs/internals/match.md for the m and u behind them. */
static const double name_weights[2][9] = {
    /* last  */ {9.0, 6.0, 5.5, 4.0, 4.0, 2.0, 0.5, -4.5, 0.0}, /* (no nicknames for surnames) */
    /* first */ {7.0, 5.0, 4.5, 4.0, 3.5, 2.0, 1.0, -3.5, 0.0},
};

#define JW_HIGH        0.92
#define JW_MID         0.85
#define W_STRONG_EXACT 14.0
#define W_STRONG_CONFL -20.0
#define W_SUFFIX_AGREE 1.0
#define W_SUFFIX_CONFL -4.0
#define W_SWAP_PENALTY 1.0
/* The most the names of one pair can add: both exact and an agreeing suffix. */
#define MAX_NAME_POINTS                                                                            \
    (name_weights[K_LAST][L_EXACT] + name_weights[K_FIRST][L_EXACT] + W_SUFFIX_AGREE)

/* ---- small helpers -------------------------------------------------------------------------- */

static uint64_t key_hash(char tag, const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    h = (h ^ (unsigned char)tag) * 1099511628211ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    /* splitmix64 finaliser: spread FNV's low-entropy high bits */
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    h ^= h >> 31;
    return h;
}

/* Normalise an id: uppercase letters and digits only; an A-number drops "A" and leading zeros. */
static void norm_id(const char *s, bool a_number, char out[ID_MAX])
{
    size_t n = 0;
    for (; s && *s && n < ID_MAX - 1; s++) {
        char c = *s;
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
            out[n++] = c;
    }
    out[n] = '\0';
    if (a_number) {
        size_t i = 0;
        if (out[0] == 'A')
            i = 1;
        while (out[i] == '0' && out[i + 1])
            i++;
        memmove(out, out + i, n - i + 1);
    }
}

/* Next space-separated token of *p (advanced); false at the end. */
static bool next_token(const char **p, const char **tok, size_t *len)
{
    const char *s = *p;
    while (*s == ' ')
        s++;
    if (!*s)
        return false;
    const char *e = s;
    while (*e && *e != ' ')
        e++;
    *tok = s;
    *len = (size_t)(e - s);
    *p = e;
    return true;
}

static bool token_lists_share(const char *a, const char *b)
{
    const char *pa = a, *ta, *tb;
    size_t la, lb;
    while (next_token(&pa, &ta, &la)) {
        const char *pb = b;
        while (next_token(&pb, &tb, &lb))
            if (la == lb && memcmp(ta, tb, la) == 0)
                return true;
    }
    return false;
}

static size_t token_count(const char *a)
{
    size_t n = 0, l;
    const char *t;
    while (next_token(&a, &t, &l))
        n++;
    return n;
}

/* Builds a packed name: F_COUNT length bytes, then the F_COUNT fields, each NUL-terminated. */
struct packer {
    char *buf;
    size_t len, cap;
    size_t field_start;
    int field;
};

#define FIELD_MAX 254 /* bytes of one packed field (its length fits the header byte) */

static void pk_init(struct packer *p, char *buf, size_t cap)
{
    *p = (struct packer){buf, F_COUNT, cap, F_COUNT, 0};
}

static void pk_puts(struct packer *p, const char *s, size_t n)
{
    size_t used = p->len - p->field_start;
    if (used + n > FIELD_MAX)
        n = FIELD_MAX - used;
    if (p->len + n + 1 > p->cap)
        n = p->len + 1 < p->cap ? p->cap - p->len - 1 : 0;
    memcpy(p->buf + p->len, s, n);
    p->len += n;
}

static void pk_end(struct packer *p)
{
    p->buf[p->field++] = (char)(unsigned char)(p->len - p->field_start);
    p->buf[p->len++] = '\0';
    p->field_start = p->len;
}

/* Standardise one name into a packed record (see struct packer); *len is its size. */
static enum cust_status pack_name(const struct cust_match_name *nm, size_t idx, char *buf,
                                  size_t *len, uint32_t *dob, struct cust_err *err)
{
    struct cust_std_name *last = cust_xmalloc(sizeof(*last));
    struct cust_std_name *first = cust_xmalloc(sizeof(*first));
    struct cust_err e2 = CUST_ERR_INIT;
    enum cust_status st = cust_name_standardize(nm->last_name, last, &e2);
    const char *field = "last_name";
    if (st == CUST_OK) {
        field = "first_name";
        st = cust_name_standardize(nm->first_name, first, &e2);
    }
    if (st != CUST_OK) {
        free(last);
        free(first);
        return cust_err_set(err, st, "names[%zu].%s: %s", idx, field, e2.msg);
    }
    struct packer p;
    pk_init(&p, buf, PACK_MAX);
    char key[CUST_NYSIIS_MAX];
    /* surname */
    pk_puts(&p, last->compact, strlen(last->compact));
    pk_end(&p);
    for (size_t i = 0; i < last->n_parts; i++) {
        if (i)
            pk_puts(&p, " ", 1);
        pk_puts(&p, last->parts[i], strlen(last->parts[i]));
    }
    pk_end(&p);
    size_t kn = cust_nysiis(last->compact, key);
    pk_puts(&p, key, kn);
    if (last->n_parts > 1 || (last->n_parts == 1 && strcmp(last->parts[0], last->compact))) {
        for (size_t i = 0; i < last->n_parts; i++) {
            kn = cust_nysiis(last->parts[i], key);
            if (kn) {
                pk_puts(&p, " ", 1);
                pk_puts(&p, key, kn);
            }
        }
    }
    pk_end(&p);
    /* given names */
    pk_puts(&p, first->compact, strlen(first->compact));
    pk_end(&p);
    for (size_t i = 0; i < first->n_parts; i++) {
        if (i)
            pk_puts(&p, " ", 1);
        pk_puts(&p, first->parts[i], strlen(first->parts[i]));
    }
    pk_end(&p);
    kn = first->n_parts ? cust_nysiis(first->parts[0], key) : 0;
    pk_puts(&p, key, kn);
    pk_end(&p);
    uint64_t nick = first->n_parts ? cust__nickname_groups(first->parts[0]) : 0;
    for (int g = 0; g < 64; g++) {
        if (nick >> g & 1) {
            char ch = (char)('0' + g);
            pk_puts(&p, &ch, 1);
        }
    }
    pk_end(&p);
    const char *suffix = last->suffix[0] ? last->suffix : first->suffix;
    pk_puts(&p, suffix, strlen(suffix));
    pk_end(&p);
    *len = p.len;
    *dob = cust__dob_pack(nm->dob);
    free(last);
    free(first);
    return CUST_OK;
}

static void view_from_packed(const char *p, uint32_t dob, struct name_view *v)
{
    const unsigned char *len = (const unsigned char *)p;
    const char *q = p + F_COUNT;
    for (int i = 0; i < F_COUNT; i++) {
        v->f[i] = q;
        q += len[i] + 1;
    }
    v->dob = dob;
}

/* The nickname-group mask of a packed F_FIRST_NICK field. */
static uint64_t nick_mask(const char *s)
{
    uint64_t m = 0;
    for (; *s; s++)
        m |= 1ULL << ((unsigned)(*s - '0') & 63);
    return m;
}

/* ---- blocking keys -------------------------------------------------------------------------- */

struct keyset {
    uint64_t h[MAX_KEYS];
    size_t n;
    size_t n_strong; /* the first n_strong keys are strong ids and booking numbers */
};

static void ks_add(struct keyset *ks, char tag, const char *s, size_t n)
{
    if (n == 0 || ks->n == MAX_KEYS)
        return;
    uint64_t h = key_hash(tag, s, n);
    for (size_t i = 0; i < ks->n; i++)
        if (ks->h[i] == h)
            return;
    ks->h[ks->n++] = h;
}

static void add_initial_year(struct keyset *ks, char initial, uint32_t dob)
{
    unsigned year = dob / 10000;
    if (!year || !initial)
        return;
    char k[5];
    k[0] = initial;
    for (int d = 4; d >= 1; d--, year /= 10)
        k[d] = (char)('0' + year % 10);
    ks_add(ks, 'I', k, 5);
}

static void add_full_dob(struct keyset *ks, uint32_t dob)
{
    if (!(dob % 100) || !(dob / 100 % 100))
        return;
    char k[8];
    for (int d = 7; d >= 0; d--, dob /= 10)
        k[d] = (char)('0' + dob % 10);
    ks_add(ks, 'D', k, 8);
}

/* Surname initial + phonetic key of the first given name (catches surname typos). */
static void add_initial_given_n(struct keyset *ks, char initial, const char *key, size_t n)
{
    if (!initial || n == 0 || n > CUST_NYSIIS_MAX)
        return;
    char k[CUST_NYSIIS_MAX + 1];
    k[0] = initial;
    memcpy(k + 1, key, n);
    ks_add(ks, 'N', k, n + 1);
}

static void add_initial_given(struct keyset *ks, char initial, const char *key)
{
    add_initial_given_n(ks, initial, key, strlen(key));
}

/*
 * The blocking keys of a person (index side) or, with `query`, of a subject: the subject also
 * probes the keys its record would have with first and last name exchanged and with day and
 * month of birth exchanged, so those errors are found without indexing them twice.
 */
static void keys_of(const struct pview *pv, bool query, struct keyset *ks)
{
    ks->n = 0;
    for (int s = 0; s < N_STRONG; s++)
        ks_add(ks, strong_tags[s], pv->ids[s], strlen(pv->ids[s]));
    const char *bp = pv->bookings, *bt;
    size_t bl;
    while (next_token(&bp, &bt, &bl))
        ks_add(ks, 'B', bt, bl);
    ks->n_strong = ks->n;
    for (size_t i = 0; i < pv->n; i++) {
        const struct name_view *v = &pv->nv[i];
        const char *p = v->f[F_LAST_KEYS], *t;
        size_t l;
        while (next_token(&p, &t, &l))
            ks_add(ks, 'L', t, l);
        add_initial_year(ks, v->f[F_FIRST][0], v->dob);
        add_full_dob(ks, v->dob);
        add_initial_given(ks, v->f[F_LAST][0], v->f[F_FIRST_KEYS]);
        if (!query)
            continue;
        p = v->f[F_FIRST_KEYS];
        while (next_token(&p, &t, &l))
            ks_add(ks, 'L', t, l);
        p = v->f[F_LAST_KEYS];
        if (next_token(&p, &t, &l))
            add_initial_given_n(ks, v->f[F_FIRST][0], t, l);
        /* the other names of the given name's nickname groups (BILL finds WILLIAM) */
        if (v->f[F_FIRST_NICK][0]) {
            const char *var[48];
            size_t vl[48];
            size_t nv = cust__nickname_variants(nick_mask(v->f[F_FIRST_NICK]), var, vl,
                                                CUST_ARRAY_LEN(var));
            for (size_t k = 0; k < nv; k++) {
                char nm[CUST_NYSIIS_MAX], key[CUST_NYSIIS_MAX];
                if (vl[k] >= sizeof(nm))
                    continue;
                memcpy(nm, var[k], vl[k]);
                nm[vl[k]] = '\0';
                cust_nysiis(nm, key);
                add_initial_given(ks, v->f[F_LAST][0], key);
            }
        }
        uint32_t m = v->dob / 100 % 100, d = v->dob % 100;
        if (m && d && m != d && d <= 12)
            add_full_dob(ks, v->dob / 10000 * 10000 + d * 100 + m);
    }
}

/* ---- scoring -------------------------------------------------------------------------------- */

static struct field_view fv_last(const struct name_view *v)
{
    return (struct field_view){v->f[F_LAST], v->f[F_LAST_PARTS], v->f[F_LAST_KEYS], ""};
}

static struct field_view fv_first(const struct name_view *v)
{
    return (struct field_view){v->f[F_FIRST], v->f[F_FIRST_PARTS], v->f[F_FIRST_KEYS],
                               v->f[F_FIRST_NICK]};
}

static enum name_level cmp_field(struct field_view a, struct field_view b, double *jw)
{
    *jw = 0.0;
    if (!a.compact[0] || !b.compact[0])
        return L_MISSING;
    if (strcmp(a.compact, b.compact) == 0)
        return L_EXACT;
    *jw = cust_jaro_winkler(a.compact, b.compact);
    if (*jw >= JW_HIGH)
        return L_JW_HIGH;
    if ((token_count(a.parts) > 1 || token_count(b.parts) > 1 || strcmp(a.parts, a.compact) ||
         strcmp(b.parts, b.compact)) &&
        token_lists_share(a.parts, b.parts))
        return L_PART;
    if (a.nick[0] && b.nick[0] && nick_mask(a.nick) & nick_mask(b.nick))
        return L_NICKNAME;
    if (token_lists_share(a.keys, b.keys))
        return L_PHONETIC;
    if (*jw >= JW_MID)
        return L_JW_MID;
    if ((a.compact[1] == '\0' || b.compact[1] == '\0') && a.compact[0] == b.compact[0])
        return L_INITIAL;
    return L_NONE;
}

static void level_text(enum field_kind kind, enum name_level lv, double jw, char out[64])
{
    switch (lv) {
    case L_EXACT:
        snprintf(out, 64, "exact");
        break;
    case L_JW_HIGH:
    case L_JW_MID:
        snprintf(out, 64, "jaro-winkler %.2f", jw);
        break;
    case L_PART:
        snprintf(out, 64, kind == K_LAST ? "surname part" : "given name part");
        break;
    case L_NICKNAME:
        snprintf(out, 64, "nickname");
        break;
    case L_PHONETIC:
        snprintf(out, 64, "phonetic (nysiis)");
        break;
    case L_INITIAL:
        snprintf(out, 64, "initial");
        break;
    case L_NONE:
        snprintf(out, 64, "disagree");
        break;
    case L_MISSING:
        snprintf(out, 64, "missing");
        break;
    }
}

/*
 * A cheap test that two fields might agree at the phonetic level or better (same first letter
 * or same first letter of their phonetic keys, or a multi-part name); used to skip the
 * exchanged-names comparison for most pairs.
 */
static bool may_agree(struct field_view a, struct field_view b)
{
    if (!a.compact[0] || !b.compact[0])
        return false;
    return a.compact[0] == b.compact[0] || (a.keys[0] && a.keys[0] == b.keys[0]) ||
           strchr(a.parts, ' ') || strchr(b.parts, ' ');
}

struct name_score {
    double points;
    bool swapped;
    enum name_level last, first;
    double jw_last, jw_first;
    enum cust_dob_level dob;
    int suffix; /* 0 none, 1 agree, -1 conflict */
};

/*
 * Score one (subject name, person name) pair. When the pair provably cannot reach `need`
 * points (dob first, then the surname, each with the best case for the rest), stop early and
 * return false; the result is then unset.
 */
static bool score_names(const struct name_view *s, const struct name_view *p, double need,
                        struct name_score *out)
{
    struct name_score r = {0};
    r.dob = cust__dob_compare_packed(s->dob, p->dob);
    double dob_w = cust_dob_weight(r.dob);
    if (dob_w + MAX_NAME_POINTS < need)
        return false;
    bool may_swap = may_agree(fv_last(s), fv_first(p)) || may_agree(fv_first(s), fv_last(p));
    r.last = cmp_field(fv_last(s), fv_last(p), &r.jw_last);
    if (need > -INFINITY) {
        double best_rest = name_weights[K_LAST][r.last] + name_weights[K_FIRST][L_EXACT];
        if (may_swap)
            best_rest = fmax(best_rest, name_weights[K_LAST][L_EXACT] +
                                            name_weights[K_FIRST][L_EXACT] - W_SWAP_PENALTY);
        if (dob_w + best_rest + W_SUFFIX_AGREE < need)
            return false;
    }
    r.first = cmp_field(fv_first(s), fv_first(p), &r.jw_first);
    double straight = name_weights[K_LAST][r.last] + name_weights[K_FIRST][r.first];
    r.points = straight;
    /* first and last name exchanged (a common clerical error) */
    if ((r.last != L_EXACT || r.first != L_EXACT) && may_swap) {
        double j1, j2;
        enum name_level x1 = cmp_field(fv_last(s), fv_first(p), &j1);
        enum name_level x2 = cmp_field(fv_first(s), fv_last(p), &j2);
        if (x1 <= L_PHONETIC || x2 <= L_PHONETIC) {
            double sw = name_weights[K_LAST][x1] + name_weights[K_FIRST][x2] - W_SWAP_PENALTY;
            if (sw > straight) {
                r.points = sw;
                r.swapped = true;
                r.last = x1, r.first = x2, r.jw_last = j1, r.jw_first = j2;
            }
        }
    }
    r.points += dob_w;
    const char *sa = s->f[F_SUFFIX], *sb = p->f[F_SUFFIX];
    if (sa[0] && sb[0]) {
        r.suffix = strcmp(sa, sb) == 0 ? 1 : -1;
        r.points += r.suffix > 0 ? W_SUFFIX_AGREE : W_SUFFIX_CONFL;
    }
    *out = r;
    return true;
}

static void add_reason(struct cust_match_candidate *c, const char *field, const char *text,
                       double points)
{
    if (c->n_reasons == CUST_MATCH_MAX_REASONS)
        return;
    struct cust_match_reason *r = &c->reasons[c->n_reasons++];
    snprintf(r->field, sizeof(r->field), "%s", field);
    snprintf(r->text, sizeof(r->text), "%s", text);
    r->points = points;
}

static bool has_token(const char *list, const char *tok)
{
    size_t n = strlen(tok), l;
    const char *t;
    while (next_token(&list, &t, &l))
        if (l == n && memcmp(t, tok, n) == 0)
            return true;
    return false;
}

/*
 * Score subject `s` against person `p`. Fills `c` (points, strong, conflict, name_index and,
 * when `reasons`, the reasons).
 */
static void score_pair(const struct pview *s, const struct pview *p, bool reasons,
                       double prune_below, struct cust_match_candidate *c)
{
    c->points = 0.0;
    c->strong = c->conflict = false;
    c->n_reasons = 0;
    c->name_index = 0;
    bool any_exact = false;
    /* booking numbers */
    const char *bp = s->bookings, *bt;
    size_t bl;
    while (next_token(&bp, &bt, &bl)) {
        char tok[ID_MAX];
        if (bl >= ID_MAX)
            continue;
        memcpy(tok, bt, bl);
        tok[bl] = '\0';
        if (has_token(p->bookings, tok)) {
            any_exact = true;
            c->points += W_STRONG_EXACT;
            if (reasons)
                add_reason(c, "booking_number", "exact", W_STRONG_EXACT);
            break;
        }
    }
    for (int i = 0; i < N_STRONG; i++) {
        if (!s->ids[i][0] || !p->ids[i][0])
            continue;
        bool eq = strcmp(s->ids[i], p->ids[i]) == 0;
        double w = eq ? W_STRONG_EXACT : W_STRONG_CONFL;
        c->points += w;
        if (eq)
            any_exact = true;
        else
            c->conflict = true;
        if (reasons)
            add_reason(c, strong_names[i], eq ? "exact" : "conflict", w);
    }
    c->strong = any_exact && !c->conflict;
    /* the best (subject name, person name) pair; a pair that cannot lift the candidate to
     * `prune_below` is abandoned early (never when reasons are wanted) */
    double need = !c->strong && prune_below > -INFINITY ? prune_below - c->points : -INFINITY;
    struct name_score best = {0};
    bool have = false, pruned = false;
    size_t best_j = 0;
    for (size_t i = 0; i < s->n; i++) {
        for (size_t j = 0; j < p->n; j++) {
            struct name_score ns;
            if (!score_names(&s->nv[i], &p->nv[j], have ? fmax(need, best.points) : need, &ns)) {
                pruned = true;
                continue;
            }
            if (!have || ns.points > best.points) {
                best = ns;
                best_j = j;
                have = true;
            }
        }
    }
    if (!have) {
        if (pruned)
            c->points = -INFINITY;
        return;
    }
    c->points += best.points;
    c->name_index = best_j;
    if (!reasons)
        return;
    char text[64];
    if (best_j > 0) {
        snprintf(text, sizeof(text), "alias %zu", best_j);
        add_reason(c, "name", text, 0.0);
    }
    if (best.swapped)
        add_reason(c, "name", "first/last swapped", -W_SWAP_PENALTY);
    level_text(K_LAST, best.last, best.jw_last, text);
    add_reason(c, "last_name", text, name_weights[K_LAST][best.last]);
    level_text(K_FIRST, best.first, best.jw_first, text);
    add_reason(c, "first_name", text, name_weights[K_FIRST][best.first]);
    add_reason(c, "dob", cust_dob_level_name(best.dob), cust_dob_weight(best.dob));
    if (best.suffix)
        add_reason(c, "suffix", best.suffix > 0 ? "agree" : "conflict",
                   best.suffix > 0 ? W_SUFFIX_AGREE : W_SUFFIX_CONFL);
}

static double to_score(double points)
{
    return 1.0 / (1.0 + exp2(CUST_MATCH_PRIOR_POINTS - points));
}

/* ---- building a pview from caller input ----------------------------------------------------- */

/* Scratch text for a caller-supplied person: packed names, ids and bookings. */
struct pscratch {
    char (*names)[PACK_MAX]; /* n_names packed names (heap) */
    char ids[N_STRONG][ID_MAX];
    char *bookings; /* space-separated normalised booking numbers (heap) */
};

static void pscratch_free(struct pscratch *sc)
{
    free(sc->names);
    free(sc->bookings);
    free(sc);
}

/* Standardise a caller-supplied person into `sc` (sc->names must be NULL on entry). */
static enum cust_status pview_from_input(const struct cust_match_person *in, struct pscratch *sc,
                                         struct pview *pv, struct cust_err *err)
{
    if (in->n_names > MAX_NAMES)
        return cust_err_set(err, CUST_EINVAL, "names: more than %d names", MAX_NAMES);
    if (in->n_booking_numbers > MAX_BOOKINGS)
        return cust_err_set(err, CUST_EINVAL, "booking_numbers: more than %d", MAX_BOOKINGS);
    if (in->n_names && !in->names)
        return cust_err_set(err, CUST_EINVAL, "names: missing");
    pv->n = 0;
    sc->names = cust_xmalloc((in->n_names ? in->n_names : 1) * sizeof(*sc->names));
    for (size_t i = 0; i < in->n_names; i++) {
        size_t len;
        uint32_t dob;
        enum cust_status st = pack_name(&in->names[i], i, sc->names[i], &len, &dob, err);
        if (st != CUST_OK)
            return st;
        view_from_packed(sc->names[i], dob, &pv->nv[pv->n++]);
    }
    const char *ids[N_STRONG] = {in->cii, in->fbi, in->sid, in->a_number};
    for (int s = 0; s < N_STRONG; s++) {
        norm_id(ids[s], s == 3, sc->ids[s]);
        pv->ids[s] = sc->ids[s];
    }
    size_t bl = 0;
    sc->bookings = cust_xmalloc(in->n_booking_numbers * ID_MAX + 1);
    for (size_t i = 0; i < in->n_booking_numbers; i++) {
        char b[ID_MAX];
        norm_id(in->booking_numbers ? in->booking_numbers[i] : NULL, false, b);
        size_t n = strlen(b);
        if (!n)
            continue;
        if (bl)
            sc->bookings[bl++] = ' ';
        memcpy(sc->bookings + bl, b, n);
        bl += n;
    }
    sc->bookings[bl] = '\0';
    pv->bookings = sc->bookings;
    return CUST_OK;
}

static const char *packed_end(const char *p)
{
    const unsigned char *len = (const unsigned char *)p;
    size_t n = F_COUNT;
    for (int i = 0; i < F_COUNT; i++)
        n += (size_t)len[i] + 1;
    return p + n;
}

static uint32_t blob_dob(const char *blob, size_t j)
{
    uint32_t d;
    memcpy(&d, blob + 1 + 4 * j, sizeof(d));
    return d;
}

static void pview_from_blob(const char *blob, struct pview *pv)
{
    pv->n = (unsigned char)blob[0];
    const char *p = blob + 1 + 4 * pv->n;
    for (size_t j = 0; j < pv->n; j++) {
        view_from_packed(p, blob_dob(blob, j), &pv->nv[j]);
        p = packed_end(p);
    }
    for (int s = 0; s < N_STRONG; s++) {
        pv->ids[s] = p;
        p += strlen(p) + 1;
    }
    pv->bookings = p;
}

/* ---- the index ------------------------------------------------------------------------------ */

struct cust_match_index *cust_match_index_new(void)
{
    struct cust_match_index *ix = cust_xcalloc(1, sizeof(*ix));
    return ix;
}

void cust_match_index_free(struct cust_match_index *ix)
{
    if (!ix)
        return;
    free(ix->person_ids);
    free(ix->blob_off);
    free(ix->arena);
    free(ix->keys);
    free(ix);
}

size_t cust_match_index_count(const struct cust_match_index *ix)
{
    return ix->n_persons;
}

size_t cust_match_index_memory(const struct cust_match_index *ix)
{
    return sizeof(*ix) + ix->cap_persons * sizeof(*ix->person_ids) +
           ix->cap_blob_off * sizeof(*ix->blob_off) + ix->arena_cap +
           ix->cap_keys * sizeof(*ix->keys);
}

static void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return p;
    size_t c = *cap ? *cap : 1024;
    while (c < need)
        c += c / 2;
    *cap = c;
    return cust_xrealloc(p, c * elem);
}

static uint32_t arena_put(struct cust_match_index *ix, const char *s, size_t n)
{
    ix->arena = grow(ix->arena, &ix->arena_cap, ix->arena_len + n, 1);
    uint32_t off = (uint32_t)ix->arena_len;
    memcpy(ix->arena + off, s, n);
    ix->arena_len += n;
    return off;
}

enum cust_status cust_match_index_add(struct cust_match_index *ix,
                                      const struct cust_match_person *p, struct cust_err *err)
{
    if (ix->n_persons >= INT32_MAX)
        return cust_err_set(err, CUST_ETOOBIG, "index full");
    struct pscratch *sc = cust_xcalloc(1, sizeof(*sc));
    struct pview *pv = cust_xmalloc(sizeof(*pv));
    enum cust_status st = pview_from_input(p, sc, pv, err);
    if (st != CUST_OK)
        goto out;
    /* measure the blob first so a full arena leaves the index unchanged */
    size_t need = 1 + 4 * pv->n;
    for (size_t i = 0; i < pv->n; i++)
        need += (size_t)(packed_end(sc->names[i]) - sc->names[i]);
    for (int s = 0; s < N_STRONG; s++)
        need += strlen(pv->ids[s]) + 1;
    need += strlen(pv->bookings) + 1;
    if (ix->arena_len + need > UINT32_MAX) {
        st = cust_err_set(err, CUST_ETOOBIG, "index text over 4 GiB");
        goto out;
    }
    uint32_t pi = (uint32_t)ix->n_persons;
    ix->person_ids =
        grow(ix->person_ids, &ix->cap_persons, ix->n_persons + 1, sizeof(*ix->person_ids));
    ix->blob_off = grow(ix->blob_off, &ix->cap_blob_off, ix->n_persons + 1, sizeof(*ix->blob_off));
    ix->person_ids[pi] = p->person_id;
    ix->n_persons++;
    unsigned char nn = (unsigned char)pv->n;
    uint32_t off = arena_put(ix, (const char *)&nn, 1);
    ix->blob_off[pi] = off;
    for (size_t i = 0; i < pv->n; i++)
        arena_put(ix, (const char *)&pv->nv[i].dob, 4);
    for (size_t i = 0; i < pv->n; i++)
        arena_put(ix, sc->names[i], (size_t)(packed_end(sc->names[i]) - sc->names[i]));
    for (int s = 0; s < N_STRONG; s++)
        arena_put(ix, pv->ids[s], strlen(pv->ids[s]) + 1);
    arena_put(ix, pv->bookings, strlen(pv->bookings) + 1);
    /* keys come from the arena copy so the pview pointers stay valid in scratch */
    struct keyset *ks = cust_xmalloc(sizeof(*ks));
    keys_of(pv, false, ks);
    ix->keys = grow(ix->keys, &ix->cap_keys, ix->n_keys + ks->n, sizeof(*ix->keys));
    for (size_t k = 0; k < ks->n; k++)
        ix->keys[ix->n_keys++] = (struct key_rec){ks->h[k], pi, off};
    free(ks);
    ix->built = false;
out:
    pscratch_free(sc);
    free(pv);
    return st;
}

static int cmp_key(const void *a, const void *b)
{
    const struct key_rec *x = a, *y = b;
    if (x->h != y->h)
        return x->h < y->h ? -1 : 1;
    return (x->person > y->person) - (x->person < y->person);
}

/* LSD radix sort on the 64-bit hash, 16 bits a pass (stable, so person order is kept). */
static void sort_keys(struct key_rec *k, size_t n)
{
    if (n < 4096) {
        qsort(k, n, sizeof(*k), cmp_key);
        return;
    }
    struct key_rec *tmp = cust_xmalloc(n * sizeof(*tmp));
    size_t *count = cust_xmalloc(65536 * sizeof(*count));
    struct key_rec *src = k, *dst = tmp;
    for (int shift = 0; shift < 64; shift += 16) {
        memset(count, 0, 65536 * sizeof(*count));
        for (size_t i = 0; i < n; i++)
            count[(src[i].h >> shift) & 0xFFFF]++;
        size_t sum = 0;
        for (size_t b = 0; b < 65536; b++) {
            size_t c = count[b];
            count[b] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            dst[count[(src[i].h >> shift) & 0xFFFF]++] = src[i];
        struct key_rec *t = src;
        src = dst;
        dst = t;
    }
    /* four passes: the result is back in k */
    free(tmp);
    free(count);
}

enum cust_status cust_match_index_build(struct cust_match_index *ix, struct cust_err *err)
{
    (void)err;
    sort_keys(ix->keys, ix->n_keys);
    /* give back the growth slack: the index is usually built once and then only queried */
    if (ix->arena_cap > ix->arena_len) {
        ix->arena = cust_xrealloc(ix->arena, ix->arena_len);
        ix->arena_cap = ix->arena_len;
    }
    if (ix->cap_keys > ix->n_keys) {
        ix->keys = cust_xrealloc(ix->keys, ix->n_keys * sizeof(*ix->keys));
        ix->cap_keys = ix->n_keys;
    }
    ix->built = true;
    return CUST_OK;
}

/* ---- queries -------------------------------------------------------------------------------- */

/* A person found by blocking. */
struct cand {
    uint32_t person, blob;
    bool id_block; /* found through a strong id or booking number key */
};

/* A candidate during ranking (before reasons are written). */
struct scored {
    double points;
    int64_t id;
    uint32_t person;
    bool strong;
};

/* Strong first, then more points, then the smaller person id. */
static int cmp_scored(const struct scored *x, const struct scored *y)
{
    if (x->strong != y->strong)
        return x->strong ? -1 : 1;
    if (x->points != y->points)
        return x->points > y->points ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

static int cmp_cand_q(const void *a, const void *b)
{
    const struct cust_match_candidate *x = a, *y = b;
    struct scored sx = {x->points, x->person_id, 0, x->strong};
    struct scored sy = {y->points, y->person_id, 0, y->strong};
    return cmp_scored(&sx, &sy);
}

static size_t lower_bound(const struct key_rec *k, size_t n, uint64_t h)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (k[mid].h < h)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

enum cust_status cust_match_query(const struct cust_match_index *ix,
                                  const struct cust_match_person *subject,
                                  const struct cust_match_options *opt,
                                  struct cust_match_candidate *out, size_t cap, size_t *n_out,
                                  struct cust_err *err)
{
    *n_out = 0;
    if (!ix->built && ix->n_persons)
        return cust_err_set(err, CUST_ECONFLICT, "match index not built since the last add");
    double min_points = opt ? opt->min_points : 0.0;
    struct pscratch *sc = cust_xcalloc(1, sizeof(*sc));
    struct pview *sv = cust_xmalloc(sizeof(*sv));
    struct pview *pv = cust_xmalloc(sizeof(*pv));
    struct keyset *ks = cust_xmalloc(sizeof(*ks));
    struct cand *cand = NULL;
    uint64_t *seen = NULL; /* one bit per person: already a candidate */
    struct scored *top = NULL;
    size_t nc = 0, cc = 0;
    enum cust_status st = pview_from_input(subject, sc, sv, err);
    if (st != CUST_OK)
        goto out;
    /* 1. blocking: every person sharing a key, strong-id blocks first */
    keys_of(sv, true, ks);
    seen = cust_xcalloc(ix->n_persons / 64 + 1, sizeof(*seen));
    for (size_t k = 0; k < ks->n; k++) {
        for (size_t i = lower_bound(ix->keys, ix->n_keys, ks->h[k]);
             i < ix->n_keys && ix->keys[i].h == ks->h[k]; i++) {
            uint32_t pi = ix->keys[i].person;
            uint64_t bit = 1ULL << (pi % 64);
            if (seen[pi / 64] & bit)
                continue;
            seen[pi / 64] |= bit;
            cand = grow(cand, &cc, nc + 1, sizeof(*cand));
            cand[nc++] = (struct cand){pi, ix->keys[i].blob, k < ks->n_strong};
        }
    }
    /* 2. score without reasons, keep the best `cap` in a small sorted array */
    top = cust_xcalloc(cap ? cap : 1, sizeof(*top));
    size_t nt = 0;
    struct cust_match_candidate c;
    for (size_t i = 0; i < nc && cap; i++) {
        double floor = min_points;
        if (nt == cap)
            floor = top[nt - 1].strong ? INFINITY : fmax(floor, top[nt - 1].points);
        const char *blob = ix->arena + cand[i].blob;
        if (!cand[i].id_block) {
            /* Not in a strong-id block: cannot be strong and its ids only subtract, so the best
             * dob agreement plus perfect names bounds its points. */
            size_t np = (unsigned char)blob[0];
            double best_dob = -INFINITY;
            for (size_t a = 0; a < sv->n; a++)
                for (size_t j = 0; j < np; j++) {
                    double w =
                        cust_dob_weight(cust__dob_compare_packed(sv->nv[a].dob, blob_dob(blob, j)));
                    best_dob = w > best_dob ? w : best_dob;
                }
            if (best_dob + MAX_NAME_POINTS < floor)
                continue;
        }
        pview_from_blob(blob, pv);
        score_pair(sv, pv, false, floor, &c);
        if (!c.strong && c.points < min_points)
            continue;
        struct scored sc1 = {c.points, ix->person_ids[cand[i].person], cand[i].person, c.strong};
        if (nt == cap) {
            if (cmp_scored(&sc1, &top[nt - 1]) >= 0)
                continue;
            nt--;
        }
        size_t pos = nt;
        while (pos > 0 && cmp_scored(&sc1, &top[pos - 1]) < 0) {
            top[pos] = top[pos - 1];
            pos--;
        }
        top[pos] = sc1;
        nt++;
    }
    /* 3. rescore the winners with reasons */
    for (size_t i = 0; i < nt; i++) {
        uint32_t pi = top[i].person;
        pview_from_blob(ix->arena + ix->blob_off[pi], pv);
        score_pair(sv, pv, true, -INFINITY, &out[i]);
        out[i].person_id = ix->person_ids[pi];
        out[i].score = to_score(out[i].points);
    }
    qsort(out, nt, sizeof(*out), cmp_cand_q);
    *n_out = nt;
out:
    free(top);
    free(seen);
    free(cand);
    free(ks);
    free(pv);
    free(sv);
    pscratch_free(sc);
    return st;
}

enum cust_status cust_match_compare(const struct cust_match_person *subject,
                                    const struct cust_match_person *person,
                                    struct cust_match_candidate *out, struct cust_err *err)
{
    struct pscratch *s1 = cust_xcalloc(1, sizeof(*s1)), *s2 = cust_xcalloc(1, sizeof(*s2));
    struct pview *v1 = cust_xmalloc(sizeof(*v1)), *v2 = cust_xmalloc(sizeof(*v2));
    enum cust_status st = pview_from_input(subject, s1, v1, err);
    if (st == CUST_OK)
        st = pview_from_input(person, s2, v2, err);
    if (st == CUST_OK) {
        score_pair(v1, v2, true, -INFINITY, out);
        out->person_id = person->person_id;
        out->score = to_score(out->points);
    }
    pscratch_free(s1);
    pscratch_free(s2);
    free(v1);
    free(v2);
    return st;
}
