/*
 * fuzz_name_standardize - the UTF-8 name parser (cust_name_standardize) and
 * what is built on its output: NYSIIS, Jaro-Winkler, dob levels, and a
 * one-pair score. Checks the documented invariants of every result.
 *
 * Input: bytes; the first NUL-free half is the name, the rest a second name
 * (compared with the first), each also tried as a dob.
 */
#include "custodian/compat.h"
#include "custodian/match.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_std(const struct cust_std_name *n)
{
    size_t tl = strlen(n->text), cl = strlen(n->compact);
    CUST_ASSERT(tl < CUST_NAME_MAX && cl < CUST_NAME_MAX);
    CUST_ASSERT(n->truncated || cl <= tl);
    for (size_t i = 0; i < tl; i++) {
        char c = n->text[i];
        CUST_ASSERT((c >= 'A' && c <= 'Z') || c == ' ');
    }
    CUST_ASSERT(tl == 0 || (n->text[0] != ' ' && n->text[tl - 1] != ' '));
    for (size_t i = 0; i < cl; i++)
        CUST_ASSERT(n->compact[i] >= 'A' && n->compact[i] <= 'Z');
    CUST_ASSERT(n->n_parts <= CUST_NAME_MAX_PARTS);
    for (size_t i = 0; i < n->n_parts; i++) {
        CUST_ASSERT(n->parts[i][0] != '\0');
        CUST_ASSERT(strlen(n->parts[i]) < CUST_NAME_PART_MAX);
    }
    CUST_ASSERT(strlen(n->suffix) < sizeof(n->suffix));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t half = size / 2;
    char *a = cust_xstrndup((const char *)data, half);
    char *b = cust_xstrndup((const char *)data + half, size - half);
    struct cust_std_name *na = cust_xmalloc(sizeof(*na)), *nb = cust_xmalloc(sizeof(*nb));
    struct cust_err err = CUST_ERR_INIT;
    enum cust_status sa = cust_name_standardize(a, na, &err);
    CUST_ASSERT(sa == CUST_OK || sa == CUST_EINVAL || sa == CUST_ETOOBIG);
    check_std(na);
    enum cust_status sb = cust_name_standardize(b, nb, &err);
    check_std(nb);
    if (sa == CUST_OK) {
        /* standardising is idempotent on its own output */
        struct cust_std_name *again = cust_xmalloc(sizeof(*again));
        CUST_ASSERT(cust_name_standardize(na->text, again, NULL) == CUST_OK);
        if (!na->suffix[0] && !na->truncated)
            CUST_ASSERT(strcmp(again->compact, na->compact) == 0);
        free(again);
    }
    char ka[CUST_NYSIIS_MAX], kb[CUST_NYSIIS_MAX];
    size_t la = cust_nysiis(na->compact, ka);
    CUST_ASSERT(la == strlen(ka) && la < CUST_NYSIIS_MAX);
    CUST_ASSERT((la == 0) == (na->compact[0] == '\0'));
    cust_nysiis(b, kb); /* raw bytes too */
    double jw = cust_jaro_winkler(na->compact, nb->compact);
    CUST_ASSERT(jw >= 0.0 && jw <= 1.0);
    double jw2 = cust_jaro_winkler(nb->compact, na->compact);
    CUST_ASSERT(jw - jw2 < 1e-9 && jw2 - jw < 1e-9);
    enum cust_dob_level lv = cust_dob_compare(a, b);
    CUST_ASSERT(lv == cust_dob_compare(b, a));
    CUST_ASSERT(cust_dob_level_name(lv)[0] != '\0');
    if (sa == CUST_OK && sb == CUST_OK) {
        struct cust_match_name n1 = {a, b, a}, n2 = {b, a, b};
        struct cust_match_person p1 = {1, &n1, 1, a, b, NULL, a, NULL, 0};
        struct cust_match_person p2 = {2, &n2, 1, a, a, NULL, b, NULL, 0};
        struct cust_match_candidate *c = cust_xmalloc(sizeof(*c));
        CUST_ASSERT(cust_match_compare(&p1, &p2, c, NULL) == CUST_OK);
        CUST_ASSERT(c->score >= 0.0 && c->score <= 1.0);
        CUST_ASSERT(c->n_reasons <= CUST_MATCH_MAX_REASONS);
        free(c);
    }
    free(na);
    free(nb);
    free(a);
    free(b);
    return 0;
}
