/* Unit tests for the name key (src/base/namekey.c): names from many scripts, written many ways. */
#include "custodian/compat.h"
#include "custodian/namekey.h"

#include <utf8proc.h>

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

static const char *key_of(const char *in, char out[CUST_NAME_KEY_MAX])
{
    struct cust_err err = CUST_ERR_INIT;
    enum cust_status st = cust_name_key(in, strlen(in), out, CUST_NAME_KEY_MAX, &err);
    if (st != CUST_OK)
        fail_msg("key of '%s': %s", in, err.msg);
    return out;
}

/* Each row: a name as someone wrote it, and its key. */
static const struct {
    const char *in, *key;
} table[] = {
    /* Latin with marks: precomposed, combining, upper, lower */
    {"Mejía", "mejia"},
    {"MEJÍA", "mejia"},
    {"MEJIA", "mejia"},
    {"mejia", "mejia"},
    {"Mejı\xCC\x81"
     "a",
     "mejia"}, /* dotless ı + combining acute */
    {"Meji\xCC\x81"
     "a",
     "mejia"}, /* i + combining acute (decomposed í) */
    {"PEÑA", "pena"},
    {"Pen\xCC\x83"
     "a",
     "pena"}, /* n + combining tilde */
    {"NÚÑEZ", "nunez"},
    {"Solís", "solis"},
    {"Müller", "muller"},
    {"François", "francois"},
    {"Dvořák Šťastný", "dvorak stastny"},
    /* Latin letters without a decomposition: ICU's Latin-ASCII */
    {"Łukasz Wałęsa", "lukasz walesa"},
    {"Ærøskøbing", "aeroskobing"},
    {"Straße", "strasse"},
    {"Þórsdóttir", "thorsdottir"},
    /* Vietnamese: stacked marks, đ */
    {"Nguyễn", "nguyen"},
    {"NGUYỄN", "nguyen"},
    {"Nguye\xCC\x82\xCC\x83n", "nguyen"}, /* e + combining circumflex + combining tilde */
    {"Đặng Thị Hương", "dang thi huong"},
    {"Trần", "tran"},
    /* Greek: accents stripped, final sigma folded */
    {"Ελένη Παπαδοπούλου", "ελενη παπαδοπουλου"},
    {"ΟΔΥΣΣΕΥΣ", "οδυσσευσ"},
    {"Οδυσσεύς", "οδυσσευσ"},
    /* Cyrillic: case, й keeps its identity as и + breve stripped, ё -> е */
    {"Иванов", "иванов"},
    {"ИВАНОВ", "иванов"},
    {"Фёдоров", "федоров"},
    /* CJK: kept as written; full-width Latin and spaces become plain */
    {"王小明", "王小明"},
    {"王　小明", "王 小明"}, /* ideographic space */
    {"ＭＥＪＩＡ", "mejia"},
    {"ｍｅｊíａ", "mejia"},
    {"김민준", "김민준"},
    /* Arabic: harakat stripped, letters kept */
    {"مُحَمَّد", "محمد"},
    {"محمد", "محمد"},
    /* Hebrew points stripped */
    {"כֹּהֵן", "כהן"},
    /* punctuation, spaces, apostrophes */
    {"O'Brien", "obrien"},
    {"O\xE2\x80\x99"
     "Connor",
     "oconnor"}, /* typographic apostrophe */
    {"García-López", "garcia lopez"},
    {"García\xE2\x80\x93López", "garcia lopez"}, /* en dash */
    {"  de  la   Cruz ", "de la cruz"},
    {"St. John", "st john"},
    {"Smith,\tJr.", "smith jr"},
    {"Smith\xC2\xA0Jones", "smith jones"}, /* no-break space */
    {"Jo\xE2\x80\x8B"
     "hn",
     "john"}, /* zero-width space is ignorable */
    {"\xEF\xAC\x81"
     "eld",
     "field"}, /* ligature fi */
    {"R2D2", "r2d2"},
    {"", ""},
    {" - . ", ""},
};

static void test_table(void **state)
{
    (void)state;
    char k[CUST_NAME_KEY_MAX];
    for (size_t i = 0; i < CUST_ARRAY_LEN(table); i++) {
        key_of(table[i].in, k);
        if (strcmp(k, table[i].key) != 0)
            fail_msg("key of '%s' is '%s', want '%s'", table[i].in, k, table[i].key);
    }
}

/* The key of a key is itself: it can be stored and compared with a key of a query. */
static void test_idempotent(void **state)
{
    (void)state;
    char k[CUST_NAME_KEY_MAX], again[CUST_NAME_KEY_MAX];
    for (size_t i = 0; i < CUST_ARRAY_LEN(table); i++) {
        key_of(table[i].in, k);
        key_of(k, again);
        assert_string_equal(k, again);
    }
}

static void test_errors(void **state)
{
    (void)state;
    char k[CUST_NAME_KEY_MAX];
    struct cust_err err = CUST_ERR_INIT;
    assert_int_equal(cust_name_key("\xC0\xAF", 2, k, sizeof(k), &err), CUST_EINVAL); /* overlong */
    assert_string_equal(k, "");
    assert_int_equal(cust_name_key("\xED\xA0\x80", 3, k, sizeof(k), &err), CUST_EINVAL);
    assert_int_equal(cust_name_key("ab\0cd", 5, k, sizeof(k), &err), CUST_EINVAL);
    assert_int_equal(cust_name_key(NULL, 0, k, sizeof(k), &err), CUST_OK);
    assert_string_equal(k, "");
    /* too long: cut at a whole character */
    char small[6];
    assert_int_equal(cust_name_key("Иванов", strlen("Иванов"), small, sizeof(small), &err),
                     CUST_ETOOBIG);
    assert_string_equal(small, "ив");
}

static void test_prefix(void **state)
{
    (void)state;
    char k[CUST_NAME_KEY_MAX], p[CUST_NAME_KEY_MAX], up[CUST_NAME_KEY_MAX];
    key_of("MEJÍA", k);
    key_of("Mej", p);
    assert_true(cust_name_key_has_prefix(k, p));
    assert_int_equal(cust_name_key_chars(p), 3);
    assert_int_equal(cust_name_key_chars(key_of("Nguyễn", k)), 6);
    assert_int_equal(cust_name_key_chars(key_of("王小明", k)), 3);
    cust_name_key_upper("mej", up, sizeof(up));
    assert_string_equal(up, "mek");
    key_of("Mejía", k);
    assert_true(strcmp(k, "mej") >= 0 && strcmp(k, up) < 0);
    key_of("Mekonnen", k);
    assert_false(strcmp(k, up) < 0);
    cust_name_key_upper("", up, sizeof(up));
    assert_string_equal(up, "");
}

/* True when `s` is valid UTF-8 through its end. */
static bool valid_utf8(const char *s)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    utf8proc_ssize_t n = (utf8proc_ssize_t)strlen(s);
    while (n > 0) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate(p, n, &cp);
        if (k <= 0)
            return false;
        p += k;
        n -= k;
    }
    return true;
}

/* The end of a prefix's range is text a database takes as a parameter (PostgreSQL refuses
 * invalid UTF-8): a key whose last letter ends in byte 0xBF ("поп": п is D0 BF, Greek ο is
 * CE BF) must not end in 0xC0. Every key with the prefix is below it, the next letter's above. */
static void test_prefix_upper_is_text(void **state)
{
    (void)state;
    static const struct {
        const char *prefix, *inside, *above;
    } cases[] = {
        {"Поп", "Попов", "Пор"},
        {"Соо", "Соответов", "Сор"},
        {"Λοο", "Λοορ", "Λοπ"},
        {"abz", "abzz", "ac"},
        /* 丿丿丿 (U+4E3F, E4 B8 BF), 丿丿丿一, 丿丿乀 */
        {"\xE4\xB8\xBF\xE4\xB8\xBF\xE4\xB8\xBF", "\xE4\xB8\xBF\xE4\xB8\xBF\xE4\xB8\xBF\xE4\xB8\x80",
         "\xE4\xB8\xBF\xE4\xB8\xBF\xE4\xB9\x80"},
    };
    for (size_t i = 0; i < CUST_ARRAY_LEN(cases); i++) {
        char p[CUST_NAME_KEY_MAX], in[CUST_NAME_KEY_MAX], ab[CUST_NAME_KEY_MAX];
        char end[CUST_NAME_KEY_MAX + 1];
        key_of(cases[i].prefix, p);
        key_of(cases[i].inside, in);
        key_of(cases[i].above, ab);
        cust_name_key_range(p, end, sizeof(end));
        if (!valid_utf8(end))
            fail_msg("%s: the range's end is not UTF-8", cases[i].prefix);
        assert_true(strcmp(in, p) >= 0 && strcmp(in, end) < 0);
        assert_true(strcmp(ab, end) >= 0);
    }
    /* a key whose last character grows by a byte: U+07FF -> U+0800 */
    char up[8];
    cust_name_key_upper("ab\xDF\xBF", up, sizeof(up));
    assert_string_equal(up, "ab\xE0\xA0\x80");
}

static void test_width(void **state)
{
    (void)state;
    assert_int_equal(cust_text_width("MEJIA"), 5);
    assert_int_equal(cust_text_width("MEJÍA"), 5);
    assert_int_equal(cust_text_width("Meji\xCC\x81"
                                     "a"),
                     5); /* combining mark: 0 columns */
    assert_int_equal(cust_text_width("王小明"), 6);
    assert_int_equal(cust_text_width("ＭＥＪＩＡ"), 10);
    char out[64];
    assert_int_equal(cust_text_fit("王小明", 5, true, out, sizeof(out)), 5);
    assert_string_equal(out, "王小 "); /* a wide character is never cut in half */
    assert_int_equal(cust_text_fit("NÚÑEZ", 8, true, out, sizeof(out)), 8);
    assert_string_equal(out, "NÚÑEZ   ");
    assert_int_equal(cust_text_fit("NÚÑEZ", 3, false, out, sizeof(out)), 3);
    assert_string_equal(out, "NÚÑ");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),  cmocka_unit_test(test_idempotent),
        cmocka_unit_test(test_errors), cmocka_unit_test(test_prefix),
        cmocka_unit_test(test_width),  cmocka_unit_test(test_prefix_upper_is_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
