/*
 * index.c - the in-memory person index: blocking keys, pair scoring, ranked
 * candidates with per-field reasons. Design: docs/internals/match.md.
 */
#include "custodian/compat.h"
#include "custodian/match.h"
#include "match_internal.h"

#include <math.h>

#define MAX_NAMES 64   /* names (primary + aliases) per person or subject */
#define PACK_MAX  2048 /* bytes of one packed standardised name */
#define ID_MAX    32   /* bytes of one normalised id */
#define MAX_KEYS  512  /* blocking keys per person or subject */
#define N_STRONG  4

/* Field order inside a packed name: NUL-separated strings. */
enum {
    F_LAST,        /* compact surname */
    F_LAST_PARTS,  /* significant surname parts, space-separated */
    F_LAST_KEYS,   /* NYSIIS of the compact surname, then of each part, space-separated */
    F_FIRST,       /* compact given names */
    F_FIRST_PARTS, /* given-name parts */
    F_FIRST_KEYS,  /* NYSIIS of the first given name */
    F_SUFFIX,
    F_COUNT
};

struct name_view {
    const char *f[F_COUNT];
    uint32_t dob;
};

struct field_view {
    const char *compact, *parts, *keys;
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

struct person_rec {
    int64_t id;
    uint32_t ids_off;    /* arena: cii\0fbi\0sid\0anum\0bookings\0 */
    uint32_t first_name; /* index into names */
    uint32_t n_names;
};

struct name_rec {
    uint32_t off; /* arena: packed name */
    uint32_t dob; /* packed dob */
};

struct key_rec {
    uint64_t h;
    uint32_t person;
};

struct cust_match_index {
    struct person_rec *persons;
    size_t n_persons, cap_persons;
    struct name_rec *names;
    size_t n_names, cap_names;
    char *arena;
    size_t arena_len, arena_cap;
    struct key_rec *keys;
    size_t n_keys, cap_keys;
    bool built;
};

/* ---- weights -------------------------------------------------------------------------------- */

enum field_kind { K_LAST, K_FIRST };
enum name_level { L_EXACT, L_JW_HIGH, L_PART, L_PHONETIC, L_JW_MID, L_INITIAL, L_NONE, L_MISSING };

/* log2(m/u) per level; see docs/internals/match.md for the m and u behind them. */
static const double name_weights[2][8] = {
    /* last  */ {9.0, 6.0, 5.5, 4.0, 2.0, 0.5, -4.5, 0.0},
    /* first */ {7.0, 5.0, 4.5, 3.5, 2.0, 1.0, -3.5, 0.0},
};

#define JW_HIGH        0.92
#define JW_MID         0.85
#define W_STRONG_EXACT 14.0
#define W_STRONG_CONFL -20.0
#define W_SUFFIX_AGREE 1.0
#define W_SUFFIX_CONFL -4.0
#define W_SWAP_PENALTY 1.0

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

struct packer {
    char *buf;
    size_t len, cap;
};

static void pk_puts(struct packer *p, const char *s, size_t n)
{
    if (p->len + n + 1 > p->cap)
        n = p->len + 1 < p->cap ? p->cap - p->len - 1 : 0;
    memcpy(p->buf + p->len, s, n);
    p->len += n;
}

static void pk_end(struct packer *p)
{
    if (p->len < p->cap)
        p->buf[p->len++] = '\0';
}

/* Standardise one name into a packed record: F_COUNT NUL-terminated strings. */
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
    struct packer p = {buf, 0, PACK_MAX};
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
    for (int i = 0; i < F_COUNT; i++) {
        v->f[i] = p;
        p += strlen(p) + 1;
    }
    v->dob = dob;
}

/* ---- blocking keys -------------------------------------------------------------------------- */

struct keyset {
    uint64_t h[MAX_KEYS];
    size_t n;
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
        add_initial_year(ks, v->f[F_LAST][0], v->dob);
        p = v->f[F_LAST_KEYS];
        if (next_token(&p, &t, &l))
            add_initial_given_n(ks, v->f[F_FIRST][0], t, l);
        uint32_t m = v->dob / 100 % 100, d = v->dob % 100;
        if (m && d && m != d && d <= 12)
            add_full_dob(ks, v->dob / 10000 * 10000 + d * 100 + m);
    }
    for (int s = 0; s < N_STRONG; s++)
        ks_add(ks, strong_tags[s], pv->ids[s], strlen(pv->ids[s]));
    const char *p = pv->bookings, *t;
    size_t l;
    while (next_token(&p, &t, &l))
        ks_add(ks, 'B', t, l);
}

/* ---- scoring -------------------------------------------------------------------------------- */

static struct field_view fv_last(const struct name_view *v)
{
    return (struct field_view){v->f[F_LAST], v->f[F_LAST_PARTS], v->f[F_LAST_KEYS]};
}

static struct field_view fv_first(const struct name_view *v)
{
    return (struct field_view){v->f[F_FIRST], v->f[F_FIRST_PARTS], v->f[F_FIRST_KEYS]};
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

struct name_score {
    double points;
    bool swapped;
    enum name_level last, first;
    double jw_last, jw_first;
    enum cust_dob_level dob;
    int suffix; /* 0 none, 1 agree, -1 conflict */
};

static void score_names(const struct name_view *s, const struct name_view *p,
                        struct name_score *out)
{
    struct name_score r = {0};
    r.last = cmp_field(fv_last(s), fv_last(p), &r.jw_last);
    r.first = cmp_field(fv_first(s), fv_first(p), &r.jw_first);
    double straight = name_weights[K_LAST][r.last] + name_weights[K_FIRST][r.first];
    r.points = straight;
    /* first and last name exchanged (a common clerical error) */
    if (r.last != L_EXACT || r.first != L_EXACT) {
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
    r.dob = cust__dob_compare_packed(s->dob, p->dob);
    r.points += cust_dob_weight(r.dob);
    const char *sa = s->f[F_SUFFIX], *sb = p->f[F_SUFFIX];
    if (sa[0] && sb[0]) {
        r.suffix = strcmp(sa, sb) == 0 ? 1 : -1;
        r.points += r.suffix > 0 ? W_SUFFIX_AGREE : W_SUFFIX_CONFL;
    }
    *out = r;
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
                       struct cust_match_candidate *c)
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
    /* the best (subject name, person name) pair */
    struct name_score best = {0};
    bool have = false;
    size_t best_j = 0;
    for (size_t i = 0; i < s->n; i++) {
        for (size_t j = 0; j < p->n; j++) {
            struct name_score ns;
            score_names(&s->nv[i], &p->nv[j], &ns);
            if (!have || ns.points > best.points) {
                best = ns;
                best_j = j;
                have = true;
            }
        }
    }
    if (!have)
        return;
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
    char bookings[1024];
};

static void pscratch_free(struct pscratch *sc)
{
    free(sc->names);
    free(sc);
}

/* Standardise a caller-supplied person into `sc` (sc->names must be NULL on entry). */
static enum cust_status pview_from_input(const struct cust_match_person *in, struct pscratch *sc,
                                         struct pview *pv, struct cust_err *err)
{
    if (in->n_names > MAX_NAMES)
        return cust_err_set(err, CUST_EINVAL, "names: more than %d names", MAX_NAMES);
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
    for (size_t i = 0; i < in->n_booking_numbers; i++) {
        char b[ID_MAX];
        norm_id(in->booking_numbers ? in->booking_numbers[i] : NULL, false, b);
        size_t n = strlen(b);
        if (!n || bl + n + 2 > sizeof(sc->bookings))
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

static void pview_from_index(const struct cust_match_index *ix, uint32_t pi, struct pview *pv)
{
    const struct person_rec *pr = &ix->persons[pi];
    pv->n = pr->n_names;
    for (uint32_t j = 0; j < pr->n_names; j++) {
        const struct name_rec *nr = &ix->names[pr->first_name + j];
        view_from_packed(ix->arena + nr->off, nr->dob, &pv->nv[j]);
    }
    const char *p = ix->arena + pr->ids_off;
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
    free(ix->persons);
    free(ix->names);
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
    return sizeof(*ix) + ix->cap_persons * sizeof(*ix->persons) +
           ix->cap_names * sizeof(*ix->names) + ix->arena_cap + ix->cap_keys * sizeof(*ix->keys);
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
    /* measure the text first so a full arena leaves the index unchanged */
    size_t need = 0;
    for (size_t i = 0; i < pv->n; i++) {
        const char *end = pv->nv[i].f[F_SUFFIX];
        need += (size_t)(end - sc->names[i]) + strlen(end) + 1;
    }
    for (int s = 0; s < N_STRONG; s++)
        need += strlen(pv->ids[s]) + 1;
    need += strlen(pv->bookings) + 1;
    if (ix->arena_len + need > UINT32_MAX) {
        st = cust_err_set(err, CUST_ETOOBIG, "index text over 4 GiB");
        goto out;
    }
    uint32_t pi = (uint32_t)ix->n_persons;
    ix->persons = grow(ix->persons, &ix->cap_persons, ix->n_persons + 1, sizeof(*ix->persons));
    ix->names = grow(ix->names, &ix->cap_names, ix->n_names + pv->n, sizeof(*ix->names));
    struct person_rec *pr = &ix->persons[ix->n_persons++];
    pr->id = p->person_id;
    pr->first_name = (uint32_t)ix->n_names;
    pr->n_names = (uint32_t)pv->n;
    for (size_t i = 0; i < pv->n; i++) {
        const char *end = pv->nv[i].f[F_SUFFIX];
        size_t len = (size_t)(end - sc->names[i]) + strlen(end) + 1;
        struct name_rec *nr = &ix->names[ix->n_names++];
        nr->off = arena_put(ix, sc->names[i], len);
        nr->dob = pv->nv[i].dob;
    }
    pr->ids_off = (uint32_t)ix->arena_len;
    for (int s = 0; s < N_STRONG; s++)
        arena_put(ix, pv->ids[s], strlen(pv->ids[s]) + 1);
    arena_put(ix, pv->bookings, strlen(pv->bookings) + 1);
    /* keys come from the arena copy so the pview pointers stay valid in scratch */
    struct keyset *ks = cust_xmalloc(sizeof(*ks));
    keys_of(pv, false, ks);
    ix->keys = grow(ix->keys, &ix->cap_keys, ix->n_keys + ks->n, sizeof(*ix->keys));
    for (size_t k = 0; k < ks->n; k++)
        ix->keys[ix->n_keys++] = (struct key_rec){ks->h[k], pi};
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
    ix->built = true;
    return CUST_OK;
}

/* ---- queries -------------------------------------------------------------------------------- */

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

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
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
    uint32_t *cand = NULL;
    struct scored *top = NULL;
    size_t nc = 0, cc = 0;
    enum cust_status st = pview_from_input(subject, sc, sv, err);
    if (st != CUST_OK)
        goto out;
    /* 1. blocking: every person sharing a key */
    keys_of(sv, true, ks);
    for (size_t k = 0; k < ks->n; k++) {
        for (size_t i = lower_bound(ix->keys, ix->n_keys, ks->h[k]);
             i < ix->n_keys && ix->keys[i].h == ks->h[k]; i++) {
            cand = grow(cand, &cc, nc + 1, sizeof(*cand));
            cand[nc++] = ix->keys[i].person;
        }
    }
    if (nc)
        qsort(cand, nc, sizeof(*cand), cmp_u32);
    size_t u = 0;
    for (size_t i = 0; i < nc; i++)
        if (u == 0 || cand[u - 1] != cand[i])
            cand[u++] = cand[i];
    nc = u;
    /* 2. score without reasons, keep the best `cap` in a small sorted array */
    top = cust_xcalloc(cap ? cap : 1, sizeof(*top));
    size_t nt = 0;
    struct cust_match_candidate c;
    for (size_t i = 0; i < nc && cap; i++) {
        pview_from_index(ix, cand[i], pv);
        score_pair(sv, pv, false, &c);
        if (!c.strong && c.points < min_points)
            continue;
        struct scored sc1 = {c.points, ix->persons[cand[i]].id, cand[i], c.strong};
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
        pview_from_index(ix, pi, pv);
        score_pair(sv, pv, true, &out[i]);
        out[i].person_id = ix->persons[pi].id;
        out[i].score = to_score(out[i].points);
    }
    qsort(out, nt, sizeof(*out), cmp_cand_q);
    *n_out = nt;
out:
    free(top);
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
        score_pair(v1, v2, true, out);
        out->person_id = person->person_id;
        out->score = to_score(out->points);
    }
    pscratch_free(s1);
    pscratch_free(s2);
    free(v1);
    free(v2);
    return st;
}
