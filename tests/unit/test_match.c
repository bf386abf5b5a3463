/* Unit tests for src/match: standardisation, NYSIIS, Jaro-Winkler, dob levels, scoring, index. */
#include "custodian/compat.h"
#include "custodian/match.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

static void std_ok(const char *in, struct cust_std_name *out)
{
    struct cust_err err = CUST_ERR_INIT;
    assert_int_equal(cust_name_standardize(in, out, &err), CUST_OK);
}

static void test_standardize_accents_case(void **state)
{
    (void)state;
    struct cust_std_name n;
    std_ok("José Núñez", &n);
    assert_string_equal(n.text, "JOSE NUNEZ");
    std_ok("MÜLLER", &n);
    assert_string_equal(n.compact, "MULLER");
    std_ok("françois", &n);
    assert_string_equal(n.compact, "FRANCOIS");
    std_ok("Ærøskøbing", &n); /* Æ -> AE, ø -> O */
    assert_string_equal(n.compact, "AEROSKOBING");
    std_ok("Straße", &n);
    assert_string_equal(n.compact, "STRASSE");
    std_ok("Łukasz Wałęsa", &n); /* Latin Extended-A */
    assert_string_equal(n.text, "LUKASZ WALESA");
    std_ok("Dvořák Šťastný", &n);
    assert_string_equal(n.text, "DVORAK STASTNY");
    std_ok("Jose\xCC\x81", &n); /* decomposed: E + combining acute */
    assert_string_equal(n.compact, "JOSE");
    std_ok("  ", &n);
    assert_string_equal(n.compact, "");
    assert_int_equal(n.n_parts, 0);
    std_ok(NULL, &n);
    assert_string_equal(n.text, "");
}

static void test_standardize_punctuation_suffix(void **state)
{
    (void)state;
    struct cust_std_name n;
    std_ok("O'Brien", &n);
    assert_string_equal(n.compact, "OBRIEN");
    std_ok("O\xE2\x80\x99"
           "Connor",
           &n); /* typographic apostrophe */
    assert_string_equal(n.compact, "OCONNOR");
    std_ok("Smith, Jr.", &n);
    assert_string_equal(n.text, "SMITH");
    assert_string_equal(n.suffix, "JR");
    std_ok("john smith iii", &n);
    assert_string_equal(n.text, "JOHN SMITH");
    assert_string_equal(n.suffix, "III");
    std_ok("Jones Snr", &n);
    assert_string_equal(n.suffix, "SR");
    std_ok("IV", &n); /* a lone token is a name, not a suffix */
    assert_string_equal(n.compact, "IV");
    assert_string_equal(n.suffix, "");
    std_ok("St. John-Smythe", &n);
    assert_string_equal(n.text, "ST JOHN SMYTHE");
    assert_int_equal(n.n_parts, 2);
    assert_string_equal(n.parts[0], "JOHN");
    std_ok("R2D2", &n);
    assert_string_equal(n.compact, "RD");
}

static void test_standardize_hyphen_particles(void **state)
{
    (void)state;
    struct cust_std_name a, b, c;
    std_ok("García-López", &a);
    std_ok("GARCIA LOPEZ", &b);
    assert_string_equal(a.compact, "GARCIALOPEZ");
    assert_string_equal(a.compact, b.compact);
    assert_int_equal(a.n_parts, 2);
    assert_string_equal(a.parts[0], "GARCIA");
    assert_string_equal(a.parts[1], "LOPEZ");
    std_ok("de la Cruz", &c);
    assert_string_equal(c.text, "DE LA CRUZ");
    assert_string_equal(c.compact, "DELACRUZ");
    assert_int_equal(c.n_parts, 1);
    assert_string_equal(c.parts[0], "CRUZ");
    std_ok("Van der Berg", &c);
    assert_int_equal(c.n_parts, 1);
    assert_string_equal(c.parts[0], "BERG");
    std_ok("Del", &c); /* a particle alone is the name */
    assert_int_equal(c.n_parts, 1);
    assert_string_equal(c.parts[0], "DEL");
}

static void test_standardize_errors(void **state)
{
    (void)state;
    struct cust_std_name n;
    struct cust_err err = CUST_ERR_INIT;
    assert_int_equal(cust_name_standardize("AB\xC3", &n, &err), CUST_EINVAL); /* truncated */
    assert_non_null(strstr(err.msg, "byte 2"));
    assert_int_equal(cust_name_standardize("\xC0\x80", &n, &err), CUST_EINVAL);     /* overlong */
    assert_int_equal(cust_name_standardize("\xED\xA0\x80", &n, &err), CUST_EINVAL); /* surrogate */
    assert_int_equal(cust_name_standardize("\xF5\x80\x80\x80", &n, &err), CUST_EINVAL);
    assert_string_equal(n.compact, "");
    char big[CUST_NAME_INPUT_MAX + 2];
    memset(big, 'A', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_int_equal(cust_name_standardize(big, &n, &err), CUST_ETOOBIG);
    /* long but accepted: truncated, flagged */
    char longname[600];
    for (size_t i = 0; i < sizeof(longname) - 1; i++)
        longname[i] = i % 7 == 6 ? ' ' : 'B';
    longname[sizeof(longname) - 1] = '\0';
    assert_int_equal(cust_name_standardize(longname, &n, &err), CUST_OK);
    assert_true(n.truncated);
    assert_true(strlen(n.text) < CUST_NAME_MAX);
    /* other scripts break tokens */
    std_ok("ИВАН Petrov", &n);
    assert_string_equal(n.text, "PETROV");
}

static void test_nysiis_published(void **state)
{
    (void)state;
    /* Examples published with the algorithm's common reference implementations. */
    static const char *const cases[][2] = {
        {"Bishop", "BASAP"},     {"Carlson", "CARLSAN"},   {"Carr", "CAR"},
        {"Chapman", "CAPNAN"},   {"Franklin", "FRANCLAN"}, {"Greene", "GRAN"},
        {"Harper", "HARPAR"},    {"Jacobs", "JACAB"},      {"Larson", "LARSAN"},
        {"Lawrence", "LARANC"},  {"Lawson", "LASAN"},      {"Lynch", "LYNC"},
        {"Mackenzie", "MCANSY"}, {"Matthews", "MAT"},      {"McCormack", "MCARNAC"},
        {"McDaniel", "MCDANAL"}, {"McDonald", "MCDANALD"}, {"Mclaughlin", "MCLAGLAN"},
        {"Morrison", "MARASAN"}, {"O'Banion", "OBANAN"},   {"O'Brien", "OBRAN"},
        {"Richards", "RACARD"},  {"Silva", "SALV"},        {"Watkins", "WATCAN"},
        {"Wheeler", "WALAR"},    {"Willis", "WAL"},        {"knight", "NAGT"},
        {"mitchell", "MATCAL"},  {"o'daniel", "ODANAL"},   {"hayes", "HAY"},
    };
    char key[CUST_NYSIIS_MAX];
    for (size_t i = 0; i < CUST_ARRAY_LEN(cases); i++) {
        cust_nysiis(cases[i][0], key);
        assert_string_equal(key, cases[i][1]);
    }
    assert_int_equal(cust_nysiis("", key), 0);
    assert_string_equal(key, "");
    assert_int_equal(cust_nysiis("123", key), 0);
    /* spelling variants share a key */
    char k2[CUST_NYSIIS_MAX];
    cust_nysiis("LARSEN", k2);
    cust_nysiis("LARSON", key);
    assert_string_equal(key, k2);
}

static void test_jaro_winkler_pairs(void **state)
{
    (void)state;
    assert_float_equal(cust_jaro_winkler("MARTHA", "MARHTA"), 0.961, 0.0005);
    assert_float_equal(cust_jaro_winkler("DWAYNE", "DUANE"), 0.84, 0.0005);
    assert_float_equal(cust_jaro_winkler("DIXON", "DICKSONX"), 0.813, 0.0005);
    assert_float_equal(cust_jaro_winkler("ABC", "ABC"), 1.0, 1e-12);
    assert_float_equal(cust_jaro_winkler("ABC", "XYZ"), 0.0, 1e-12);
    assert_float_equal(cust_jaro_winkler("", ""), 1.0, 1e-12);
    assert_float_equal(cust_jaro_winkler("A", ""), 0.0, 1e-12);
    /* symmetric */
    assert_float_equal(cust_jaro_winkler("DUANE", "DWAYNE"), cust_jaro_winkler("DWAYNE", "DUANE"),
                       1e-12);
}

static void test_dob_levels(void **state)
{
    (void)state;
    assert_int_equal(cust_dob_compare("1988-04-02", "1988-04-02"), CUST_DOB_EXACT);
    assert_int_equal(cust_dob_compare("1988-04-02", "1988-04-03"), CUST_DOB_ONE_DIGIT);
    assert_int_equal(cust_dob_compare("1988-04-02", "1989-04-02"), CUST_DOB_ONE_DIGIT);
    assert_int_equal(cust_dob_compare("1988-04-12", "1988-12-04"), CUST_DOB_SWAPPED);
    assert_int_equal(cust_dob_compare("1988-04-12", "1988-09-27"), CUST_DOB_YEAR_ONLY);
    assert_int_equal(cust_dob_compare("1988-04-XX", "1988-04-27"), CUST_DOB_PARTIAL);
    assert_int_equal(cust_dob_compare("1988-XX-XX", "1988-04-27"), CUST_DOB_PARTIAL);
    assert_int_equal(cust_dob_compare("1988-05-XX", "1988-04-27"), CUST_DOB_YEAR_ONLY);
    assert_int_equal(cust_dob_compare("1987-XX-XX", "1988-04-27"), CUST_DOB_NONE);
    assert_int_equal(cust_dob_compare("1970-01-01", "1988-04-27"), CUST_DOB_NONE);
    assert_int_equal(cust_dob_compare(NULL, "1988-04-27"), CUST_DOB_MISSING);
    assert_int_equal(cust_dob_compare("", "1988-04-27"), CUST_DOB_MISSING);
    assert_int_equal(cust_dob_compare("1988-13-01", "1988-04-27"), CUST_DOB_MISSING);
    assert_int_equal(cust_dob_compare("1988-XX-01", "1988-04-27"), CUST_DOB_MISSING);
    /* weights are ordered by strength of evidence */
    assert_true(cust_dob_weight(CUST_DOB_EXACT) > cust_dob_weight(CUST_DOB_ONE_DIGIT));
    assert_true(cust_dob_weight(CUST_DOB_SWAPPED) > cust_dob_weight(CUST_DOB_YEAR_ONLY));
    assert_true(cust_dob_weight(CUST_DOB_YEAR_ONLY) > cust_dob_weight(CUST_DOB_MISSING));
    assert_true(cust_dob_weight(CUST_DOB_NONE) < 0);
    assert_string_equal(cust_dob_level_name(CUST_DOB_SWAPPED), "day/month swapped");
}

/* ---- scoring and the index ---- */

static const struct cust_match_reason *find_reason(const struct cust_match_candidate *c,
                                                   const char *field)
{
    for (size_t i = 0; i < c->n_reasons; i++)
        if (strcmp(c->reasons[i].field, field) == 0)
            return &c->reasons[i];
    return NULL;
}

static void assert_reason(const struct cust_match_candidate *c, const char *field, const char *text)
{
    const struct cust_match_reason *r = find_reason(c, field);
    if (!r)
        fail_msg("no reason for '%s'", field);
    assert_string_equal(r->text, text);
}

static void compare(const struct cust_match_name *sn, const struct cust_match_name *pn,
                    struct cust_match_candidate *c)
{
    struct cust_match_person s = {.person_id = 0, .names = sn, .n_names = 1};
    struct cust_match_person p = {.person_id = 1, .names = pn, .n_names = 1};
    struct cust_err err = CUST_ERR_INIT;
    assert_int_equal(cust_match_compare(&s, &p, c, &err), CUST_OK);
}

/* The same name as people write it (the name key, namekey.h) is the same name to the matcher:
 * accents, case, combining marks, Vietnamese stacked marks, đ, full-width letters. */
static void test_compare_names_as_written(void **state)
{
    (void)state;
    static const char *const pairs[][2] = {
        {"Mejía", "MEJIA"},
        {"MEJÍA", "mejia"},
        {"Meji\xCC\x81"
         "a",
         "MEJIA"},
        {"Nguyễn", "NGUYEN"},
        {"Đặng", "DANG"},
        {"ＭＥＪＩＡ", "Mejia"},
        {"Peña", "PENA"},
        {"Núñez", "NUNEZ"},
    };
    struct cust_match_candidate c;
    for (size_t i = 0; i < CUST_ARRAY_LEN(pairs); i++) {
        struct cust_match_name a = {pairs[i][0], "Ana", "1990-05-06"};
        struct cust_match_name b = {pairs[i][1], "ANA", "1990-05-06"};
        compare(&a, &b, &c);
        const struct cust_match_reason *r = find_reason(&c, "last_name");
        if (!r || strcmp(r->text, "exact") != 0)
            fail_msg("'%s' vs '%s': last_name %s", pairs[i][0], pairs[i][1],
                     r ? r->text : "(no reason)");
        assert_true(c.score > 0.99);
    }
}

static void test_compare_reasons(void **state)
{
    (void)state;
    struct cust_match_candidate c;
    struct cust_match_name a = {"GARCIA", "JOSE", "1988-04-02"};
    struct cust_match_name b = {"García", "José", "1988-04-02"};
    compare(&a, &b, &c);
    assert_reason(&c, "last_name", "exact");
    assert_reason(&c, "first_name", "exact");
    assert_reason(&c, "dob", "exact");
    assert_false(c.strong);
    assert_true(c.score > 0.99);
    double full = c.points;

    struct cust_match_name d = {"GARCIA-LOPEZ", "JOSE", "1988-02-04"};
    compare(&a, &d, &c);
    assert_reason(&c, "last_name", "surname part");
    assert_reason(&c, "dob", "day/month swapped");
    assert_true(c.points < full);

    struct cust_match_name e = {"MARHTA", "DWAYNE", "1988-04-03"};
    struct cust_match_name f = {"MARTHA", "DUANE", "1988-04-02"};
    compare(&e, &f, &c);
    assert_reason(&c, "last_name", "jaro-winkler 0.96");
    assert_reason(&c, "dob", "one digit off");

    struct cust_match_name g = {"JOSE", "GARCIA", "1988-04-02"};
    compare(&a, &g, &c);
    assert_reason(&c, "name", "first/last swapped");
    assert_reason(&c, "last_name", "exact");

    struct cust_match_name h = {"SMITH JR", "JOHN", "1960-01-01"};
    struct cust_match_name i = {"SMITH", "JOHN SR", "1960-01-01"};
    compare(&h, &i, &c);
    assert_reason(&c, "suffix", "conflict");
    assert_true(find_reason(&c, "suffix")->points < 0);

    struct cust_match_name j = {"LARSON", "J", NULL};
    struct cust_match_name k = {"LARSEN", "JOHN", "1960-01-01"};
    compare(&j, &k, &c);
    assert_reason(&c, "first_name", "initial");
    assert_reason(&c, "dob", "missing");
    const struct cust_match_reason *r = find_reason(&c, "last_name");
    assert_true(strcmp(r->text, "phonetic (nysiis)") == 0 || strncmp(r->text, "jaro", 4) == 0);

    /* the points are the sum of the reasons */
    double sum = 0;
    for (size_t n = 0; n < c.n_reasons; n++)
        sum += c.reasons[n].points;
    assert_float_equal(sum, c.points, 1e-9);
}

/* A small population used by the index tests. */
struct fixture_person {
    int64_t id;
    struct cust_match_name names[3];
    size_t n_names;
    const char *cii, *fbi, *sid, *anum, *booking;
};

static const struct fixture_person people[] = {
    {1,
     {{"GARCIA", "JOSE", "1988-04-02"}, {"GARCIA", "JOE", "1988-04-02"}},
     2,
     "A12345678",
     "123456AB7",
     NULL,
     NULL,
     "6012345"},
    {2,
     {{"GARCIA LOPEZ", "JOSE LUIS", "1988-04-20"}},
     1,
     NULL,
     NULL,
     NULL,
     "A-098-765-432",
     "6012346"},
    {3, {{"GARCIA", "MARIA", "1990-01-15"}}, 1, NULL, "999999ZZ9", NULL, NULL, "6012347"},
    {4,
     {{"SMITH", "JOHN", "1960-05-05"}, {"SMYTHE", "JACK", "1960-05-05"}},
     2,
     NULL,
     NULL,
     "CA1234",
     NULL,
     "6012348"},
    {5, {{"NGUYEN", "THANH", "1975-11-30"}}, 1, NULL, NULL, NULL, NULL, "6012349"},
    {6, {{"GARSIA", "JOSE", "1988-04-XX"}}, 1, NULL, NULL, NULL, NULL, "6012350"},
};

static struct cust_match_index *build_fixture(void)
{
    struct cust_match_index *ix = cust_match_index_new();
    struct cust_err err = CUST_ERR_INIT;
    for (size_t i = 0; i < CUST_ARRAY_LEN(people); i++) {
        const struct fixture_person *f = &people[i];
        const char *bk[1] = {f->booking};
        struct cust_match_person p = {f->id,  f->names, f->n_names, f->cii, f->fbi,
                                      f->sid, f->anum,  bk,         1};
        assert_int_equal(cust_match_index_add(ix, &p, &err), CUST_OK);
    }
    assert_int_equal(cust_match_index_build(ix, &err), CUST_OK);
    assert_int_equal(cust_match_index_count(ix), CUST_ARRAY_LEN(people));
    assert_true(cust_match_index_memory(ix) > 0);
    return ix;
}

static size_t query(const struct cust_match_index *ix, const struct cust_match_person *s,
                    struct cust_match_candidate *out, size_t cap)
{
    size_t n = 0;
    struct cust_err err = CUST_ERR_INIT;
    struct cust_match_options opt = {-1000.0};
    assert_int_equal(cust_match_query(ix, s, &opt, out, cap, &n, &err), CUST_OK);
    return n;
}

static void test_index_ranking(void **state)
{
    (void)state;
    struct cust_match_index *ix = build_fixture();
    struct cust_match_candidate out[10];
    /* a name-only subject: exact person first, then the typo'd one, then the relatives */
    struct cust_match_name sn = {"Garcia", "Jose", "1988-04-02"};
    struct cust_match_person s = {0, &sn, 1, NULL, NULL, NULL, NULL, NULL, 0};
    size_t n = query(ix, &s, out, 10);
    assert_true(n >= 3);
    assert_int_equal(out[0].person_id, 1);
    assert_false(out[0].strong);
    assert_int_equal(out[1].person_id, 6);
    assert_reason(&out[1], "dob", "partial date compatible");
    for (size_t i = 1; i < n; i++)
        assert_true(out[i - 1].points >= out[i].points);
    /* the person with the typo'd surname is not found via NGUYEN's keys */
    for (size_t i = 0; i < n; i++)
        assert_int_not_equal(out[i].person_id, 5);

    /* an alias matches and is reported */
    struct cust_match_name an = {"SMYTHE", "JACK", "1960-05-05"};
    s.names = &an;
    n = query(ix, &s, out, 10);
    assert_true(n >= 1);
    assert_int_equal(out[0].person_id, 4);
    assert_int_equal(out[0].name_index, 1);
    assert_reason(&out[0], "name", "alias 1");

    /* cap limits the output, keeping the best */
    s.names = &sn;
    n = query(ix, &s, out, 1);
    assert_int_equal(n, 1);
    assert_int_equal(out[0].person_id, 1);

    /* default options drop candidates with negative evidence */
    struct cust_err err = CUST_ERR_INIT;
    struct cust_match_name nobody = {"ZZYZX", "QUENTIN", "1901-01-01"};
    s.names = &nobody;
    assert_int_equal(cust_match_query(ix, &s, NULL, out, 10, &n, &err), CUST_OK);
    assert_int_equal(n, 0);
    cust_match_index_free(ix);
}

static void test_index_strong_ids(void **state)
{
    (void)state;
    struct cust_match_index *ix = build_fixture();
    struct cust_match_candidate out[10];
    /* FBI exact beats a much better name match; only it is strong */
    struct cust_match_name sn = {"GARCIA", "MARIA", "1990-01-15"};
    struct cust_match_person s = {0, &sn, 1, NULL, "123456ab7", NULL, NULL, NULL, 0};
    size_t n = query(ix, &s, out, 10);
    assert_true(n >= 2);
    assert_int_equal(out[0].person_id, 1);
    assert_true(out[0].strong);
    assert_reason(&out[0], "fbi", "exact");
    assert_int_equal(out[1].person_id, 3);
    assert_false(out[1].strong);
    /* person 3 has a different FBI number: conflict, sharply lower */
    assert_true(out[1].conflict);
    assert_reason(&out[1], "fbi", "conflict");
    assert_true(out[1].points < 10.0);

    /* A-number normalisation; a conflicting CII removes the strong flag */
    s.fbi = NULL;
    s.a_number = "A098765432";
    struct cust_match_name sn2 = {"GARCIA-LOPEZ", "JOSE", "1988-04-20"};
    s.names = &sn2;
    n = query(ix, &s, out, 10);
    assert_int_equal(out[0].person_id, 2);
    assert_true(out[0].strong);
    assert_reason(&out[0], "a_number", "exact");
    s.cii = "A12345678"; /* person 1's CII: person 2 has none, so no conflict there */
    n = query(ix, &s, out, 10);
    assert_true(out[0].strong && out[1].strong); /* both have one exact strong id */
    s.cii = NULL;
    s.fbi = "000000AA0"; /* person 2 has no FBI: no conflict */
    n = query(ix, &s, out, 10);
    assert_int_equal(out[0].person_id, 2);
    assert_true(out[0].strong);

    /* exact FBI with a conflicting CII: not strong */
    struct cust_match_person s3 = {0, &sn, 1, "Z99999999", "123456AB7", NULL, NULL, NULL, 0};
    n = query(ix, &s3, out, 10);
    for (size_t i = 0; i < n; i++) {
        if (out[i].person_id == 1) {
            assert_false(out[i].strong);
            assert_true(out[i].conflict);
            assert_reason(&out[i], "cii", "conflict");
        }
    }

    /* booking number: strong even with a garbled name */
    const char *bk[1] = {"6012349"};
    struct cust_match_name junk = {"NGYUEN", "T", NULL};
    struct cust_match_person s4 = {0, &junk, 1, NULL, NULL, NULL, NULL, bk, 1};
    n = query(ix, &s4, out, 10);
    assert_true(n >= 1);
    assert_int_equal(out[0].person_id, 5);
    assert_true(out[0].strong);
    assert_reason(&out[0], "booking_number", "exact");
    cust_match_index_free(ix);
}

static void test_index_errors(void **state)
{
    (void)state;
    struct cust_match_index *ix = cust_match_index_new();
    struct cust_err err = CUST_ERR_INIT;
    struct cust_match_name bad[2] = {{"OK", "FINE", NULL}, {"BAD\xFF", "X", NULL}};
    struct cust_match_person p = {7, bad, 2, NULL, NULL, NULL, NULL, NULL, 0};
    assert_int_equal(cust_match_index_add(ix, &p, &err), CUST_EINVAL);
    assert_string_equal(err.msg, "names[1].last_name: invalid utf-8 at byte 3");
    assert_int_equal(cust_match_index_count(ix), 0);
    p.n_names = 1;
    assert_int_equal(cust_match_index_add(ix, &p, &err), CUST_OK);
    struct cust_match_candidate out[2];
    size_t n = 99;
    /* not built since the add */
    assert_int_equal(cust_match_query(ix, &p, NULL, out, 2, &n, &err), CUST_ECONFLICT);
    assert_int_equal(n, 0);
    assert_int_equal(cust_match_index_build(ix, &err), CUST_OK);
    assert_int_equal(cust_match_query(ix, &p, NULL, out, 2, &n, &err), CUST_OK);
    assert_int_equal(n, 1);
    assert_int_equal(out[0].person_id, 7);
    /* a bad subject */
    p.names = &bad[1];
    assert_int_equal(cust_match_query(ix, &p, NULL, out, 2, &n, &err), CUST_EINVAL);
    cust_match_index_free(ix);
    cust_match_index_free(NULL);
}

static void test_nicknames(void **state)
{
    (void)state;
    struct cust_match_candidate c;
    struct cust_match_name a = {"SMITH", "Bill", "1960-05-05"};
    struct cust_match_name b = {"SMITH", "WILLIAM", "1960-05-05"};
    compare(&a, &b, &c);
    assert_reason(&c, "first_name", "nickname");
    struct cust_match_name d = {"GARCIA", "Pepe", NULL};
    struct cust_match_name e = {"GARCIA", "José Luis", NULL};
    compare(&d, &e, &c);
    assert_reason(&c, "first_name", "nickname");
    struct cust_match_name f = {"GARCIA", "PACO", NULL};
    compare(&d, &f, &c); /* PEPE and PACO: different names */
    assert_reason(&c, "first_name", "disagree");

    /* the query probes the nickname's other names: surname misspelt, dob off by one digit */
    struct cust_match_index *ix = cust_match_index_new();
    struct cust_err err = CUST_ERR_INIT;
    struct cust_match_name pn = {"KOWALSKI", "WILLIAM", "1960-05-05"};
    struct cust_match_person p = {9, &pn, 1, NULL, NULL, NULL, NULL, NULL, 0};
    assert_int_equal(cust_match_index_add(ix, &p, &err), CUST_OK);
    assert_int_equal(cust_match_index_build(ix, &err), CUST_OK);
    struct cust_match_name sn = {"KOVALSKY", "BILL", "1961-05-05"};
    struct cust_match_person s = {0, &sn, 1, NULL, NULL, NULL, NULL, NULL, 0};
    struct cust_match_candidate out[2];
    size_t n = 0;
    struct cust_match_options opt = {-1000.0};
    assert_int_equal(cust_match_query(ix, &s, &opt, out, 2, &n, &err), CUST_OK);
    assert_int_equal(n, 1);
    assert_int_equal(out[0].person_id, 9);
    assert_reason(&out[0], "first_name", "nickname");
    assert_reason(&out[0], "dob", "one digit off");
    cust_match_index_free(ix);
}

/* A person with many bookings, a subject with only an id, too many bookings. */
static void test_bookings_and_ids_only(void **state)
{
    (void)state;
    struct cust_match_index *ix = cust_match_index_new();
    struct cust_err err = CUST_ERR_INIT;
    enum { NB = 60 };
    char bk[NB][16];
    const char *bkp[NB];
    for (int i = 0; i < NB; i++) {
        snprintf(bk[i], sizeof(bk[i]), "BK-%05d", i);
        bkp[i] = bk[i];
    }
    struct cust_match_name n = {"REYES", "ANA", "1979-03-03"};
    struct cust_match_person p = {42, &n, 1, NULL, NULL, "CA9911", NULL, bkp, NB};
    assert_int_equal(cust_match_index_add(ix, &p, &err), CUST_OK);
    struct cust_match_name other = {"REYES", "ANA", "1979-03-03"};
    struct cust_match_person q = {43, &other, 1, NULL, NULL, NULL, NULL, NULL, 0};
    assert_int_equal(cust_match_index_add(ix, &q, &err), CUST_OK);
    assert_int_equal(cust_match_index_build(ix, &err), CUST_OK);
    /* the last booking number still finds the person (normalised: "bk 00059") */
    const char *sb[1] = {"bk 00059"};
    struct cust_match_person s = {0, NULL, 0, NULL, NULL, NULL, NULL, sb, 1};
    struct cust_match_candidate out[4];
    size_t nout = 0;
    assert_int_equal(cust_match_query(ix, &s, NULL, out, 4, &nout, &err), CUST_OK);
    assert_int_equal(nout, 1);
    assert_int_equal(out[0].person_id, 42);
    assert_true(out[0].strong);
    assert_int_equal(out[0].n_reasons, 1);
    assert_reason(&out[0], "booking_number", "exact");
    /* an id-only subject: the namesake without the SID is not returned at default options */
    struct cust_match_person s2 = {0, NULL, 0, NULL, NULL, "ca-9911", NULL, NULL, 0};
    assert_int_equal(cust_match_query(ix, &s2, NULL, out, 4, &nout, &err), CUST_OK);
    assert_int_equal(nout, 1);
    assert_int_equal(out[0].person_id, 42);
    assert_reason(&out[0], "sid", "exact");
    /* with a name too, the namesake follows the strong candidate */
    s2.names = &n;
    s2.n_names = 1;
    assert_int_equal(cust_match_query(ix, &s2, NULL, out, 4, &nout, &err), CUST_OK);
    assert_int_equal(nout, 2);
    assert_int_equal(out[0].person_id, 42);
    assert_int_equal(out[1].person_id, 43);
    assert_false(out[1].strong);
    assert_true(out[0].points > out[1].points);
    /* too many booking numbers */
    const char **many = cust_xcalloc(1001, sizeof(*many));
    for (int i = 0; i < 1001; i++)
        many[i] = "1";
    struct cust_match_person big = {7, &n, 1, NULL, NULL, NULL, NULL, many, 1001};
    assert_int_equal(cust_match_index_add(ix, &big, &err), CUST_EINVAL);
    assert_string_equal(err.msg, "booking_numbers: more than 1000");
    assert_int_equal(cust_match_index_count(ix), 2);
    free(many);
    cust_match_index_free(ix);
}

/*
 * Early exits must not change the ranking: on a crowded population (few names, few years, so
 * blocks are large and many candidates tie) the best 3 of a query with pruning equal the first
 * 3 of the full ranking of every blocked candidate.
 */
static void test_pruning_is_exact(void **state)
{
    (void)state;
    static const char *const lasts[] = {"GARCIA", "GARZA",        "SMITH", "SMYTH",
                                        "NGUYEN", "GARCIA LOPEZ", "LOPEZ", "DE LA CRUZ"};
    static const char *const firsts[] = {"JOSE", "JOSEPH", "JOHN", "JUAN", "MARIA", "MARY"};
    enum { N = 1500, Q = 60 };
    struct cust_match_index *ix = cust_match_index_new();
    struct cust_err err = CUST_ERR_INIT;
    char dobs[N][11];
    struct cust_match_name names[N][2];
    uint64_t x = 88172645463325252ULL;
    for (size_t i = 0; i < N; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        snprintf(dobs[i], sizeof(dobs[i]), "%04u-%02u-%02u", 1980 + (unsigned)(x % 4),
                 1 + (unsigned)(x >> 8) % 12, 1 + (unsigned)(x >> 16) % 28);
        names[i][0] =
            (struct cust_match_name){lasts[(x >> 24) % 8], firsts[(x >> 32) % 6], dobs[i]};
        names[i][1] = (struct cust_match_name){lasts[(x >> 40) % 8], firsts[(x >> 48) % 6],
                                               dobs[(i * 7) % (i + 1)]};
        struct cust_match_person p = {
            (int64_t)i, names[i], 1 + (x >> 56) % 2, NULL, NULL, NULL, NULL, NULL, 0};
        assert_int_equal(cust_match_index_add(ix, &p, &err), CUST_OK);
    }
    assert_int_equal(cust_match_index_build(ix, &err), CUST_OK);
    struct cust_match_candidate *all = cust_xcalloc(N, sizeof(*all));
    struct cust_match_candidate few[3];
    struct cust_match_options opt = {-1e9};
    for (size_t q = 0; q < Q; q++) {
        struct cust_match_person s = {-1, names[q * 23 % N], 1, NULL, NULL, NULL, NULL, NULL, 0};
        size_t na = 0, nf = 0;
        assert_int_equal(cust_match_query(ix, &s, &opt, all, N, &na, &err), CUST_OK);
        assert_int_equal(cust_match_query(ix, &s, &opt, few, 3, &nf, &err), CUST_OK);
        assert_true(na > 3);
        assert_int_equal(nf, 3);
        for (size_t k = 0; k < 3; k++) {
            assert_int_equal(few[k].person_id, all[k].person_id);
            assert_float_equal(few[k].points, all[k].points, 1e-12);
        }
        /* and with the default floor */
        assert_int_equal(cust_match_query(ix, &s, NULL, few, 3, &nf, &err), CUST_OK);
        for (size_t k = 0; k < nf; k++)
            assert_int_equal(few[k].person_id, all[k].person_id);
    }
    free(all);
    cust_match_index_free(ix);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_standardize_accents_case),
        cmocka_unit_test(test_standardize_punctuation_suffix),
        cmocka_unit_test(test_standardize_hyphen_particles),
        cmocka_unit_test(test_standardize_errors),
        cmocka_unit_test(test_nysiis_published),
        cmocka_unit_test(test_jaro_winkler_pairs),
        cmocka_unit_test(test_dob_levels),
        cmocka_unit_test(test_compare_reasons),
        cmocka_unit_test(test_compare_names_as_written),
        cmocka_unit_test(test_index_ranking),
        cmocka_unit_test(test_index_strong_ids),
        cmocka_unit_test(test_index_errors),
        cmocka_unit_test(test_nicknames),
        cmocka_unit_test(test_bookings_and_ids_only),
        cmocka_unit_test(test_pruning_is_exact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
