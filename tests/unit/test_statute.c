/* Unit tests for the one statute-code normaliser (src/base/statute.c): the spellings real
 * bookings use, each to its canonical form; the form is a fixed point; refusals. */
#include "custodian/compat.h"
#include "custodian/statute.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

static const char *const spellings[][2] = {
    /* the forms issue 8 names */
    {"187 PC", "PC 187"},
    {"PC187", "PC 187"},
    {"P.C. 187(A)", "PC 187(a)"},
    {"187(a) PC", "PC 187(a)"},
    {"H&S 11350", "HS 11350"},
    {"HS11350", "HS 11350"},
    {"VC 23152(A)", "VC 23152(a)"},
    {"18 USC 1326", "18 USC 1326"},
    /* Penal Code */
    {"PC 187", "PC 187"},
    {"pc 187", "PC 187"},
    {"P.C.187", "PC 187"},
    {"P.C. § 187(a)", "PC 187(a)"},
    {"PC § 187(a)", "PC 187(a)"},
    {"PC\xc2\xa7"
     "187",
     "PC 187"},
    {"PC\xc2\xa0"
     "187(a)",
     "PC 187(a)"},
    {"187 P.C.", "PC 187"},
    {"187(A) P.C.", "PC 187(a)"},
    {"187PC", "PC 187"},
    {"PC-187", "PC 187"},
    {"PC 187.", "PC 187"},
    {"PEN 187", "PC 187"},
    {"PENAL CODE 187", "PC 187"},
    {"Penal Code section 187(a)", "PC 187(a)"},
    {"CPC 211", "PC 211"},
    {"PC 245(a)(1)", "PC 245(a)(1)"},
    {"pc245 (a)(1)", "PC 245(a)(1)"},
    {"PC245(A)(1)", "PC 245(a)(1)"},
    {"  P.C. 245 (a) (1) ", "PC 245(a)(1)"},
    {"245(A)(1) PC", "PC 245(a)(1)"},
    {"PC 245( a )( 1 )", "PC 245(a)(1)"},
    {"PC\t245(a)(1)", "PC 245(a)(1)"},
    {"PC 273.5(A)", "PC 273.5(a)"},
    {"PC 12022.53(D)", "PC 12022.53(d)"},
    {"12022.53(d) PC", "PC 12022.53(d)"},
    {"PC 1203.2", "PC 1203.2"},
    {"PC 288A(C)", "PC 288a(c)"},
    {"PC 288a(c)(2)(a)", "PC 288a(c)(2)(A)"},
    {"273AB PC", "PC 273ab"},
    {"PC 266H(B)", "PC 266h(b)"},
    {"PC 667(e)(2)(c)(IV)", "PC 667(e)(2)(C)(iv)"},
    {"PC 667(E)(2)(C)(IV)", "PC 667(e)(2)(C)(iv)"},
    {"PC 186.22(b)(1)(c)", "PC 186.22(b)(1)(C)"},
    {"PC 459/460(B)", "PC 459/460(b)"},
    {"PC 459 / 460(b)", "PC 459/460(b)"},
    {"PC 664/187(A)", "PC 664/187(a)"},
    {"PC 664/PC 187", "PC 664/187"},
    {"664/187 PC", "PC 664/187"},
    {"PC 484(A)/488", "PC 484(a)/488"},
    /* Health and Safety Code */
    {"H&S 11377(A)", "HS 11377(a)"},
    {"H & S 11377(a)", "HS 11377(a)"},
    {"H&SC 11350", "HS 11350"},
    {"HSC 11350(A)", "HS 11350(a)"},
    {"11350 H&S", "HS 11350"},
    {"11350(A)H&S", "HS 11350(a)"},
    {"11378 HS", "HS 11378"},
    {"HS 11379.6(A)", "HS 11379.6(a)"},
    {"Health & Safety Code 11350", "HS 11350"},
    {"HEALTH AND SAFETY 11351.5", "HS 11351.5"},
    /* Vehicle Code */
    {"VC23152(B)", "VC 23152(b)"},
    {"V.C. 23152(a)", "VC 23152(a)"},
    {"23152(A) VC", "VC 23152(a)"},
    {"23153 (a) V.C.", "VC 23153(a)"},
    {"VEH 10851(A)", "VC 10851(a)"},
    {"CVC 14601.1(a)", "VC 14601.1(a)"},
    {"VC 20001(C)", "VC 20001(c)"},
    /* other California codes */
    {"B&P 4060", "BP 4060"},
    {"BP 25662(A)", "BP 25662(a)"},
    {"W&I 5150", "WI 5150"},
    {"WIC 777(a)", "WI 777(a)"},
    {"F&G 2080", "FG 2080"},
    {"GC 7284.6(a)(1)(b)", "GC 7284.6(a)(1)(B)"},
    /* federal */
    {"8 USC 1326", "8 USC 1326"},
    {"8USC1326", "8 USC 1326"},
    {"8 U.S.C. 1326(a)", "8 USC 1326(a)"},
    {"8 U.S.C. \xc2\xa7 1326(b)(2)", "8 USC 1326(b)(2)"},
    {"18 usc 111(A)(1)", "18 USC 111(a)(1)"},
    {"21 U.S.C. 841(a)(1)", "21 USC 841(a)(1)"},
    {"8 CFR 287.7", "8 CFR 287.7"},
    {"8 C.F.R. 287.7(d)", "8 CFR 287.7(d)"},
    /* local and unknown designators are kept, cleaned */
    {"LAMC 41.18(D)", "LAMC 41.18(d)"},
    {"l.a.m.c. 41.18(d)", "LAMC 41.18(d)"},
    {"SFPC 1", "SFPC 1"},
    /* not a code: collapsed and upper-cased, parentheses kept */
    {"FTA", "FTA"},
    {"bench  warrant", "BENCH WARRANT"},
    {"PC 187 VC", "PC 187 VC"},
    {"PC 211, PC 459", "PC 211, PC 459"},
    {"PC 187 (a", "PC 187(a"},
    {"HOLD (Kern Co)", "HOLD(KernCo)"},
};

static void test_spellings(void **state)
{
    (void)state;
    for (size_t i = 0; i < CUST_ARRAY_LEN(spellings); i++) {
        char out[64];
        if (!cust_statute_code(spellings[i][0], out, sizeof(out)))
            fail_msg("'%s' refused", spellings[i][0]);
        if (strcmp(out, spellings[i][1]) != 0)
            fail_msg("'%s' -> '%s', want '%s'", spellings[i][0], out, spellings[i][1]);
    }
}

/* Normalising the canonical form again changes nothing. */
static void test_fixed_point(void **state)
{
    (void)state;
    for (size_t i = 0; i < CUST_ARRAY_LEN(spellings); i++) {
        char again[64];
        assert_true(cust_statute_code(spellings[i][1], again, sizeof(again)));
        assert_string_equal(again, spellings[i][1]);
    }
}

static void test_refusals(void **state)
{
    (void)state;
    char out[64] = "x";
    assert_false(cust_statute_code("", out, sizeof(out)));
    assert_string_equal(out, "");
    assert_false(cust_statute_code("   \t ", out, sizeof(out)));
    assert_false(cust_statute_code(NULL, out, sizeof(out)));
    assert_false(cust_statute_code("PC 211\x01", out, sizeof(out)));
    assert_false(cust_statute_code("PC 245 \xe2\x80\x93 1", out, sizeof(out))); /* en dash */
    assert_false(cust_statute_code("PC 2111111111", out, 8));                   /* too long */
    assert_string_equal(out, "");
    char big[400];
    memset(big, '1', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_false(cust_statute_code(big, out, sizeof(out)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spellings),
        cmocka_unit_test(test_fixed_point),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
