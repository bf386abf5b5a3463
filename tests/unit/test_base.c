/* Unit tests for src/base: buffers, dates, diagnostics, statuses. */
#include "custodian/compat.h"
#include "custodian/buf.h"
#include "custodian/date.h"
#include "custodian/diag.h"
#include "custodian/utf8.h"

#include <inttypes.h>
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

static void test_buf_grow_and_detach(void **state)
{
    (void)state;
    struct cust_buf b = CUST_BUF_INIT;
    assert_string_equal(b.buf, "");
    for (int i = 0; i < 1000; i++)
        assert_int_equal(cust_buf_appendf(&b, "%d,", i), CUST_OK);
    assert_true(b.len > 1000);
    assert_int_equal(b.buf[b.len], '\0');
    size_t len;
    char *s = cust_buf_detach(&b, &len);
    assert_int_equal(strncmp(s, "0,1,2,", 6), 0);
    assert_int_equal(b.len, 0);
    assert_string_equal(b.buf, "");
    free(s);
}

/* A whole file read into a buffer: every byte (past one read's chunk, NULs included), the
 * cap, and a stream that cannot be read. */
static void test_buf_read(void **state)
{
    (void)state;
    FILE *f = tmpfile();
    assert_non_null(f);
    for (int i = 0; i < 40000; i++)
        assert_int_not_equal(fputc(i % 251, f), EOF);
    rewind(f);
    struct cust_buf b = CUST_BUF_INIT;
    assert_int_equal(cust_buf_puts(&b, "x"), CUST_OK); /* appended to what is there */
    assert_int_equal(cust_buf_read(&b, f), CUST_OK);
    assert_int_equal(b.len, 40001);
    for (int i = 0; i < 40000; i++)
        assert_int_equal((unsigned char)b.buf[1 + i], i % 251);
    assert_int_equal(b.buf[b.len], '\0');
    cust_buf_release(&b);
    rewind(f);
    cust_buf_init(&b, 39999);
    assert_int_equal(cust_buf_read(&b, f), CUST_ETOOBIG);
    assert_int_equal(b.len, 0);
    cust_buf_release(&b);
    fclose(f);
    FILE *w = fopen("/dev/null", "w"); /* open for writing: a read fails */
    assert_non_null(w);
    assert_int_equal(cust_buf_read(&b, w), CUST_EIO);
    fclose(w);
    cust_buf_release(&b);
}

static void test_buf_cap(void **state)
{
    (void)state;
    struct cust_buf b;
    cust_buf_init(&b, 8);
    assert_int_equal(cust_buf_puts(&b, "12345678"), CUST_OK);
    assert_int_equal(cust_buf_puts(&b, "9"), CUST_ETOOBIG);
    assert_int_equal(b.len, 0); /* released on failure */
    /* sticky: later appends, small enough or not, do nothing and report the first error */
    assert_int_equal(cust_buf_putc(&b, 'x'), CUST_ETOOBIG);
    assert_int_equal(cust_buf_appendf(&b, "%d", 1), CUST_ETOOBIG);
    assert_int_equal(cust_buf_html(&b, "<"), CUST_ETOOBIG);
    assert_int_equal(cust_buf_csv_field(&b, NULL), CUST_ETOOBIG);
    assert_int_equal(b.len, 0);
    assert_int_equal(cust_buf_status(&b), CUST_ETOOBIG);
    /* until the buffer is released or reset */
    cust_buf_release(&b);
    assert_int_equal(cust_buf_status(&b), CUST_OK);
    assert_int_equal(cust_buf_puts(&b, "ok"), CUST_OK);
    assert_string_equal(b.buf, "ok");
    cust_buf_release(&b);
}

static void test_buf_csv_html(void **state)
{
    (void)state;
    struct cust_buf b = CUST_BUF_INIT;
    assert_int_equal(cust_buf_csv_field(&b, "a,\"b\""), CUST_OK);
    assert_string_equal(b.buf, "\"a,\"\"b\"\"\"");
    cust_buf_reset(&b);
    assert_int_equal(cust_buf_html(&b, "<a href='x'>&</a>"), CUST_OK);
    assert_string_equal(b.buf, "&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;");
    cust_buf_release(&b);
}

/* A JSON string written byte for byte as jansson's compact dump writes it: every control
 * character, the quote, the backslash, the slash, DEL and UTF-8 of every length. */
static void test_buf_json_str(void **state)
{
    (void)state;
    static const char *const samples[] = {"", "plain", "a\"b\\c/d", "\x7f",
                                          "JOS\xc3\x89 \xe6\x9d\x8e \xf0\x9f\x98\x80 \xe2\x80\xa8"};
    char all[40];
    size_t k = 0;
    for (int c = 1; c < 0x20; c++)
        all[k++] = (char)c;
    all[k] = '\0';
    for (size_t i = 0; i <= sizeof(samples) / sizeof(samples[0]); i++) {
        const char *s = i < sizeof(samples) / sizeof(samples[0]) ? samples[i] : all;
        struct cust_buf b = CUST_BUF_INIT;
        assert_int_equal(cust_buf_json_str(&b, s), CUST_OK);
        json_t *v = json_string(s);
        assert_non_null(v);
        char *want = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        assert_string_equal(b.buf, want);
        free(want);
        json_decref(v);
        cust_buf_release(&b);
    }
    struct cust_buf b = CUST_BUF_INIT;
    assert_int_equal(cust_buf_json_str(&b, NULL), CUST_OK);
    assert_string_equal(b.buf, "null");
    cust_buf_release(&b);
}

/* The same with every character outside ASCII escaped, byte for byte as jansson's
 * JSON_ENSURE_ASCII writes it (the access log's lines): \uXXXX in upper case, a surrogate pair
 * above U+FFFF; a byte that is not UTF-8, which jansson refuses, as \uFFFD */
static void test_buf_json_ascii(void **state)
{
    (void)state;
    static const char *const samples[] = {
        "",
        "plain",
        "a\"b\\c/d\x7f",
        "\x01\x1f\b\f\n\r\t",
        "JOS\xc3\x89 \xe6\x9d\x8e \xf0\x9f\x98\x80 \xe2\x80\xa8 \xef\xbf\xbf \xf4\x8f\xbf\xbf",
        "Mej\xc3\xad"
        "a?last_name=*"};
    for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
        struct cust_buf b = CUST_BUF_INIT;
        assert_int_equal(cust_buf_json_ascii(&b, samples[i]), CUST_OK);
        json_t *v = json_string(samples[i]);
        assert_non_null(v);
        char *want = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_ENSURE_ASCII);
        assert_string_equal(b.buf, want);
        free(want);
        json_decref(v);
        cust_buf_release(&b);
    }
    struct cust_buf b = CUST_BUF_INIT;
    /* a lone continuation byte, a cut sequence, an overlong '/', a surrogate written as UTF-8 */
    assert_int_equal(cust_buf_json_ascii(&b, "a\x80"
                                             "b\xc3 \xc0\xaf\xed\xa0\x80z"),
                     CUST_OK);
    assert_string_equal(b.buf, "\"a\\uFFFDb\\uFFFD \\uFFFD\\uFFFD\\uFFFD\\uFFFD\\uFFFDz\"");
    cust_buf_reset(&b);
    assert_int_equal(cust_buf_json_ascii(&b, NULL), CUST_OK);
    assert_string_equal(b.buf, "null");
    cust_buf_release(&b);
}

/* Room reserved: appends up to it allocate nothing more (the buffer stays where it is); never
 * past the cap (a reserve over it is cut to it, not an error) */
static void test_buf_reserve(void **state)
{
    (void)state;
    struct cust_buf b = CUST_BUF_INIT;
    assert_int_equal(cust_buf_reserve(&b, 40000), CUST_OK);
    assert_true(b.alloc > 40000);
    const char *at = b.buf;
    for (int i = 0; i < 4000; i++)
        assert_int_equal(cust_buf_puts(&b, "0123456789"), CUST_OK);
    assert_ptr_equal(b.buf, at);
    assert_int_equal(b.len, 40000);
    cust_buf_release(&b);
    cust_buf_init(&b, 100);
    assert_int_equal(cust_buf_puts(&b, "abc"), CUST_OK);
    assert_int_equal(cust_buf_reserve(&b, 1000), CUST_OK);
    assert_true(b.alloc <= 128);
    assert_int_equal(cust_buf_reserve(&b, 1000), CUST_OK);
    assert_string_equal(b.buf, "abc");
    cust_buf_release(&b);
}

/* JSON strings as the locator writes them: quote and backslash escaped, control characters and
 * < > & as \u00xx (safe inside HTML), other bytes (UTF-8, DEL) as they are, NULL as null */
static void test_buf_json_safe(void **state)
{
    (void)state;
    struct cust_buf b = CUST_BUF_INIT;
    cust_buf_json_safe(&b, "Men's \"Central\" <Jail> & \\ \t\n\x01\x1f\x7f Mej\xc3\xad"
                           "a");
    cust_buf_putc(&b, ',');
    cust_buf_json_safe(&b, NULL);
    cust_buf_putc(&b, ',');
    assert_int_equal(cust_buf_json_safe(&b, ""), CUST_OK);
    assert_string_equal(b.buf, "\"Men's \\\"Central\\\" \\u003cJail\\u003e \\u0026 \\\\ "
                               "\\u0009\\u000a\\u0001\\u001f\x7f Mej\xc3\xad"
                               "a\",null,\"\"");
    cust_buf_release(&b);
}

/* Integers in decimal as printf writes them, the two ends of int64_t included. */
static void test_buf_int(void **state)
{
    (void)state;
    const int64_t v[] = {0, 7, -1, 10, 1234567890123, INT64_MAX, INT64_MIN};
    struct cust_buf b = CUST_BUF_INIT, want = CUST_BUF_INIT;
    for (size_t i = 0; i < CUST_ARRAY_LEN(v); i++) {
        assert_int_equal(cust_buf_int(&b, v[i]), CUST_OK);
        assert_int_equal(cust_buf_putc(&b, ','), CUST_OK);
        assert_int_equal(cust_buf_appendf(&want, "%" PRId64 ",", v[i]), CUST_OK);
    }
    assert_string_equal(b.buf, want.buf);
    cust_buf_release(&b);
    cust_buf_release(&want);
}

/* amounts as people read them: thousands separated, always two cents digits, a sign */
static void test_buf_dollars(void **state)
{
    (void)state;
    static const struct {
        int64_t cents;
        const char *want;
    } cases[] = {{0, "$0.00"},
                 {5, "$0.05"},
                 {99999, "$999.99"},
                 {100000, "$1,000.00"},
                 {5000000, "$50,000.00"},
                 {123456789, "$1,234,567.89"},
                 {-500, "-$5.00"},
                 {INT64_MIN, "-$92,233,720,368,547,758.08"}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct cust_buf b = CUST_BUF_INIT;
        assert_int_equal(cust_buf_dollars(&b, cases[i].cents), CUST_OK);
        assert_int_equal(cust_buf_putc(&b, '\0'), CUST_OK);
        assert_string_equal(b.buf, cases[i].want);
        cust_buf_release(&b);
    }
}

static void test_buf_count(void **state)
{
    (void)state;
    static const struct {
        int64_t n;
        const char *want;
    } cases[] = {{0, "0"},
                 {999, "999"},
                 {1000, "1,000"},
                 {12966, "12,966"},
                 {1159450, "1,159,450"},
                 {-1234, "-1,234"},
                 {INT64_MIN, "-9,223,372,036,854,775,808"}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct cust_buf b = CUST_BUF_INIT;
        assert_int_equal(cust_buf_count(&b, cases[i].n), CUST_OK);
        assert_int_equal(cust_buf_putc(&b, '\0'), CUST_OK);
        assert_string_equal(b.buf, cases[i].want);
        cust_buf_release(&b);
    }
}

static void test_date_roundtrip(void **state)
{
    (void)state;
    assert_int_equal(cust_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(cust_days_from_civil(2000, 3, 1), 11017);
    for (int32_t d = -50000; d < 100000; d += 7) {
        int y;
        unsigned m, dd;
        cust_civil_from_days(d, &y, &m, &dd);
        assert_int_equal(cust_days_from_civil(y, m, dd), d);
    }
    int32_t day;
    assert_true(cust_date_parse("2024-02-29", &day));
    char out[11];
    cust_date_format(day, out);
    assert_string_equal(out, "2024-02-29");
    assert_false(cust_date_parse("2023-02-29", &day));
    assert_false(cust_date_parse("2023-13-01", &day));
    assert_false(cust_date_parse("2023-1-01", &day));
    assert_false(cust_date_parse("2023-01-01x", &day));
    assert_int_equal(cust_weekday(0), 4); /* 1970-01-01 was a Thursday */
    assert_true(cust_date_parse("2025-07-17", &day));
    assert_int_equal(cust_weekday(day), 4);
    assert_int_equal(cust_weekday(-1), 3);
}

static void test_date_partial(void **state)
{
    (void)state;
    struct cust_date d;
    char out[11];
    assert_true(cust_date_parse_partial("1988-04-XX", &d));
    assert_int_equal(d.precision, CUST_DATE_MONTH);
    cust_date_format_partial(&d, out);
    assert_string_equal(out, "1988-04-XX");
    assert_true(cust_date_parse_partial("1988-XX-XX", &d));
    assert_int_equal(d.precision, CUST_DATE_YEAR);
    cust_date_format_partial(&d, out);
    assert_string_equal(out, "1988-XX-XX");
    assert_false(cust_date_parse_partial("1988-XX-04", &d));
    assert_false(cust_date_parse_partial("19XX-01-01", &d));
}

static void test_time_parse(void **state)
{
    (void)state;
    int64_t t;
    int off;
    assert_true(cust_time_parse("2025-03-14T10:22:00-07:00", &t, &off));
    assert_int_equal(off, -420);
    char out[32];
    cust_time_format(t, 0, true, out);
    assert_string_equal(out, "2025-03-14T17:22:00Z");
    cust_time_format(t, off, true, out);
    assert_string_equal(out, "2025-03-14T10:22:00-07:00");
    assert_true(cust_time_parse("2025-03-14T17:22:00.123Z", &t, &off));
    assert_int_equal(off, 0);
    assert_false(cust_time_parse("2025-03-14 10:22", &t, &off));
    assert_false(cust_time_parse("2025-03-14T25:22:00Z", &t, &off));
    assert_false(cust_time_parse("2025-03-14T10:22:00+0700", &t, &off));
    /* late evening Pacific time is the next UTC day but the same local day */
    assert_true(cust_time_parse("2025-03-14T23:30:00-07:00", &t, &off));
    int32_t day;
    assert_true(cust_date_parse("2025-03-14", &day));
    assert_int_equal(cust_time_local_day(t, off), day);
    assert_int_equal(cust_time_local_day(t, 0), day + 1);
}

static void test_diag(void **state)
{
    (void)state;
    struct cust_diag d = CUST_DIAG_INIT;
    cust_diag_add(&d, "case.as_of", "not a date (%s)", "YYYY-MM-DD");
    assert_int_equal(cust_diag_count(&d), 1);
    assert_string_equal(d.lines[0], "case.as_of: not a date (YYYY-MM-DD)");
    for (int i = 0; i < CUST_DIAG_MAX + 5; i++)
        cust_diag_add(&d, "x", "y");
    assert_int_equal(cust_diag_count(&d), CUST_DIAG_MAX + 6);
    assert_int_equal(d.n, CUST_DIAG_MAX);
    cust_diag_release(&d);
}

static void test_utf8(void **state)
{
    (void)state;
    const unsigned char ok[] = "A\xc3\xb1\xe2\x82\xac\xf0\x9f\x98\x80"; /* A ñ € 😀 */
    size_t i = 0;
    uint32_t cp;
    const uint32_t want[] = {0x41, 0xF1, 0x20AC, 0x1F600};
    for (size_t k = 0; k < 4; k++) {
        assert_true(cust_utf8_next(ok, sizeof(ok) - 1, &i, &cp));
        assert_int_equal(cp, want[k]);
    }
    assert_int_equal(i, sizeof(ok) - 1);
    const char *bad[] = {"\xc0\xaf",         /* overlong '/' */
                         "\xe0\x80\xaf",     /* overlong, 3 bytes */
                         "\xed\xa0\x80",     /* surrogate U+D800 */
                         "\xf4\x90\x80\x80", /* above U+10FFFF */
                         "\xc3",             /* truncated */
                         "\xe2\x82",         /* truncated */
                         "\x80",             /* lone continuation */
                         "\xc3\x28"};        /* bad continuation */
    for (size_t k = 0; k < CUST_ARRAY_LEN(bad); k++) {
        i = 0;
        assert_false(cust_utf8_next((const unsigned char *)bad[k], strlen(bad[k]), &i, &cp));
        assert_int_equal(i, 0);
        assert_false(cust_utf8_valid((const unsigned char *)bad[k], strlen(bad[k])));
    }
    assert_true(cust_utf8_valid(ok, sizeof(ok) - 1));
}

static void test_status(void **state)
{
    (void)state;
    struct cust_err err = CUST_ERR_INIT;
    assert_int_equal(cust_err_set(&err, CUST_EINVAL, "bad '%s'", "x"), CUST_EINVAL);
    assert_string_equal(err.msg, "bad 'x'");
    assert_int_equal(cust_status_exit_code(CUST_EINVAL), 2);
    assert_int_equal(cust_status_exit_code(CUST_EDB), 1);
    assert_int_equal(cust_status_exit_code(CUST_OK), 0);
    assert_string_equal(cust_status_name(CUST_ENOTFOUND), "not_found");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf_grow_and_detach),
        cmocka_unit_test(test_buf_cap),
        cmocka_unit_test(test_buf_read),
        cmocka_unit_test(test_buf_int),
        cmocka_unit_test(test_buf_csv_html),
        cmocka_unit_test(test_buf_dollars),
        cmocka_unit_test(test_buf_count),
        cmocka_unit_test(test_buf_json_str),
        cmocka_unit_test(test_buf_json_ascii),
        cmocka_unit_test(test_buf_reserve),
        cmocka_unit_test(test_buf_json_safe),
        cmocka_unit_test(test_date_roundtrip),
        cmocka_unit_test(test_date_partial),
        cmocka_unit_test(test_time_parse),
        cmocka_unit_test(test_diag),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_status),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
