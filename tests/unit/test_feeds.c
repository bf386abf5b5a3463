/* Unit tests for src/feeds: mapping files, date patterns and the county's zone (DST and its
 * history), value rules, grouping, the row readers. Through the public API (feeds.h). */
#include "custodian/compat.h"
#include "custodian/buf.h"
#include "custodian/feeds.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

/* Read `data` through `map`: every record's JSON (one per line) into *json and every problem
 * ("LINE: path: reason") into *problems. Returns the reader's last result (0 = end, -1 = the
 * input could not be read on; then *problems holds err's message). */
static int run(const char *map, const char *data, char **json, char **problems)
{
    struct cust_map *m = NULL;
    struct cust_diag d = CUST_DIAG_INIT;
    struct cust_err err = CUST_ERR_INIT;
    struct cust_buf j = CUST_BUF_INIT, p = CUST_BUF_INIT;
    int got = -2;
    if (cust_map_parse("m.yaml", map, strlen(map), &m, &d, &err) != CUST_OK) {
        for (size_t i = 0; i < d.n; i++)
            assert_int_equal(cust_buf_appendf(&p, "%s\n", d.lines[i]), CUST_OK);
        cust_diag_release(&d);
        *json = cust_buf_detach(&j, NULL);
        *problems = cust_buf_detach(&p, NULL);
        return got;
    }
    struct cust_feed_reader *r;
    if (cust_feed_reader_open_mem(m, "in", data, strlen(data), &r, &err) != CUST_OK) {
        assert_int_equal(cust_buf_appendf(&p, "%s\n", err.msg), CUST_OK);
        got = -1;
    } else {
        struct cust_import_item it = {0};
        while ((got = cust_feed_reader_next(r, &it, &err)) > 0) {
            assert_int_equal(cust_buf_appendf(&j, "%s\n", it.json), CUST_OK);
            for (size_t i = 0; i < it.diag.n; i++)
                assert_int_equal(
                    cust_buf_appendf(&p, "%lld: %s\n", (long long)it.lineno, it.diag.lines[i]),
                    CUST_OK);
            cust_diag_release(&it.diag);
        }
        if (got < 0)
            assert_int_equal(cust_buf_appendf(&p, "%s\n", err.msg), CUST_OK);
        cust_import_item_release(&it);
        cust_feed_reader_free(r);
    }
    cust_map_free(m);
    *json = cust_buf_detach(&j, NULL);
    *problems = cust_buf_detach(&p, NULL);
    return got;
}

#define MAP_HEAD                                                                                   \
    "custodian_mapping: 1\nname: t\ninput: {format: csv}\n"                                        \
    "booking:\n  booking_number: BN\n  person.last_name: {const: X}\n"                             \
    "  person.first_name: {const: Y}\n  person.dob: {const: '2000-01-01'}\n"

static void expect_has(const char *hay, const char *needle)
{
    if (!strstr(hay, needle))
        fail_msg("'%s' not in:\n%s", needle, hay);
}

/* booked_at for each row's wall time in `zone` ("BN,T" rows). */
static void zone_case(const char *zone, const char *amb, const char *rows, const char *want_json,
                      const char *want_problem)
{
    char map[1024];
    snprintf(map, sizeof(map),
             MAP_HEAD "  booked_at: {column: T, datetime: '%%Y-%%m-%%d %%H:%%M'}\n"
                      "time_zone: %s\nambiguous_times: %s\n",
             zone, amb);
    char data[1024];
    snprintf(data, sizeof(data), "BN,T\n%s", rows);
    char *json, *probs;
    assert_int_equal(run(map, data, &json, &probs), 0);
    if (want_json)
        expect_has(json, want_json);
    if (want_problem)
        expect_has(probs, want_problem);
    else if (*probs)
        fail_msg("unexpected problems: %s", probs);
    free(json);
    free(probs);
}

static void test_zone_dst_and_history(void **state)
{
    (void)state;
    const char *la = "America/Los_Angeles";
    /* 2006: DST began on the first Sunday of April (the rules changed in 2007) */
    zone_case(la, "earlier", "a,2006-03-20 12:00\n", "\"2006-03-20T12:00:00-08:00\"", NULL);
    zone_case(la, "earlier", "a,2007-03-20 12:00\n", "\"2007-03-20T12:00:00-07:00\"", NULL);
    zone_case(la, "earlier", "a,2006-04-02 03:00\n", "\"2006-04-02T03:00:00-07:00\"", NULL);
    /* spring forward 2025-03-09: 02:00-02:59 does not exist */
    zone_case(la, "earlier", "a,2025-03-09 01:59\n", "\"2025-03-09T01:59:00-08:00\"", NULL);
    zone_case(la, "earlier", "a,2025-03-09 03:00\n", "\"2025-03-09T03:00:00-07:00\"", NULL);
    zone_case(la, "earlier", "a,2025-03-09 02:30\n", NULL,
              "2: booked_at: T '2025-03-09 02:30': 2025-03-09 02:30 does not exist in "
              "America/Los_Angeles");
    /* fall back 2025-11-02: 01:00-01:59 happens twice */
    zone_case(la, "earlier", "a,2025-11-02 01:30\n", "\"2025-11-02T01:30:00-07:00\"", NULL);
    zone_case(la, "later", "a,2025-11-02 01:30\n", "\"2025-11-02T01:30:00-08:00\"", NULL);
    zone_case(la, "reject", "a,2025-11-02 01:30\n", NULL, "happens twice in America/Los_Angeles");
    zone_case(la, "reject", "a,2025-11-02 02:00\n", "\"2025-11-02T02:00:00-08:00\"", NULL);
    zone_case(la, "reject", "a,2025-11-02 00:59\n", "\"2025-11-02T00:59:00-07:00\"", NULL);
    /* zones without DST, half-hour offsets, a half-hour DST */
    zone_case("America/Phoenix", "earlier", "a,2025-07-01 12:00\n", "-07:00\"", NULL);
    zone_case("Asia/Kolkata", "earlier", "a,2025-07-01 12:00\n", "\"2025-07-01T12:00:00+05:30\"",
              NULL);
    zone_case("Australia/Lord_Howe", "earlier", "a,2025-01-15 12:00\n", "+11:00\"", NULL);
    zone_case("Australia/Lord_Howe", "earlier", "a,2025-07-15 12:00\n", "+10:30\"", NULL);
    zone_case("UTC", "earlier", "a,2025-07-15 12:00\n", "\"2025-07-15T12:00:00+00:00\"", NULL);
}

/* One value through a rule: "BN,V" with a single row. */
static void value_case(const char *rule, const char *value, const char *want_json,
                       const char *want_problem)
{
    char map[2048];
    snprintf(map, sizeof(map),
             MAP_HEAD "  booked_at: {const: '2025-01-01T00:00:00Z'}\n%s\n"
                      "time_zone: America/Los_Angeles\n",
             rule);
    char data[512];
    snprintf(data, sizeof(data), "BN,V\nb1,%s\n", value);
    char *json, *probs;
    int got = run(map, data, &json, &probs);
    if (got == -2)
        fail_msg("mapping rejected: %s", probs);
    if (want_json)
        expect_has(json, want_json);
    if (want_problem)
        expect_has(probs, want_problem);
    else if (*probs)
        fail_msg("unexpected problems for '%s': %s", value, probs);
    free(json);
    free(probs);
}

static void test_patterns(void **state)
{
    (void)state;
    const char *dob = "  scheduled_release: {column: V, date: ['%d.%m.%Y', '%b %e %Y', '%F']}";
    value_case(dob, "14.03.2025", "\"scheduled_release\":\"2025-03-14\"", NULL);
    value_case(dob, "4.3.2025", "\"2025-03-04\"", NULL);
    value_case(dob, "Mar  4 2025", "\"2025-03-04\"", NULL);
    value_case(dob, "march 4 2025", "\"2025-03-04\"", NULL);
    value_case(dob, "2024-02-29", "\"2024-02-29\"", NULL);
    value_case(dob, "2025-02-29", NULL, "scheduled_release: V '2025-02-29' is not a date written");
    value_case(dob, "14.03.2025x", NULL, "is not a date written %d.%m.%Y (nor the other patterns)");
    value_case(dob, "", "{\"booking_number\":\"b1\",\"booked_at\"", NULL); /* empty: left out */
    const char *t12 = "  released_at: {column: V, datetime: '%m/%d/%Y %I:%M %p'}";
    value_case(t12, "07/04/2025 10:22 PM", "\"2025-07-04T22:22:00-07:00\"", NULL);
    value_case(t12, "07/04/2025 12:05 am", "\"2025-07-04T00:05:00-07:00\"", NULL);
    value_case(t12, "07/04/2025 13:05 PM", NULL, "is not a date written");
    const char *tz = "  released_at: {column: V, datetime: '%Y-%m-%dT%H:%M:%S%z'}";
    value_case(tz, "2025-03-14T10:22:00+0530", "\"2025-03-14T10:22:00+05:30\"", NULL);
    value_case(tz, "2025-03-14T10:22:00Z", "\"2025-03-14T10:22:00+00:00\"", NULL);
    value_case(tz, "2025-03-14T10:22:00-07:00", "\"2025-03-14T10:22:00-07:00\"", NULL);
}

static void test_value_rules(void **state)
{
    (void)state;
    const char *table = "  person.citizenship.status: {column: V, values: {US: citizen, NC: "
                        "non_citizen}, default: unknown, if_empty: unknown}";
    value_case(table, "us", "\"status\":\"citizen\"", NULL);       /* case-insensitive */
    value_case(table, " NC ", "\"status\":\"non_citizen\"", NULL); /* trimmed */
    value_case(table, "ZZ", "\"status\":\"unknown\"", NULL);       /* default */
    value_case(table, "", "\"status\":\"unknown\"", NULL);         /* if_empty */
    const char *strict = "  person.citizenship.status: {column: V, values: {US: citizen}}";
    value_case(strict, "ZZ", NULL,
               "person.citizenship.status: V 'ZZ' is not in the mapping's value table (US)");
    const char *money = "  sentence.term_days: {const: '30'}\n"
                        "  sentence.imposed_on: {const: '2025-01-01'}\n"
                        "charges:\n  code: {const: PC 1}\n  status: {const: pending}\n"
                        "  bail_cents: {column: V, money: dollars}";
    value_case(money, "\"$1,234.56\"", "\"bail_cents\":123456", NULL);
    value_case(money, "12.5", "\"bail_cents\":1250", NULL);
    value_case(money, "0", "\"bail_cents\":0", NULL);
    value_case(money, "1.234", NULL,
               "charges[0].bail_cents: V '1.234' is not an amount in dollars");
    value_case(money, "-5", NULL, "is not an amount in dollars");
    value_case(money, "12", "\"term_days\":30", NULL); /* a constant typed by its target */
    const char *cents = "charges:\n  code: {const: PC 1}\n  status: {const: pending}\n"
                        "  bail_cents: {column: V, money: cents}";
    value_case(cents, "150000", "\"bail_cents\":150000", NULL);
    value_case(cents, "15.00", NULL, "is not a whole number");
    const char *yes = "  release_date_public: V";
    value_case(yes, "Y", "\"release_date_public\":true", NULL);
    value_case(yes, "no", "\"release_date_public\":false", NULL);
    value_case(yes, "maybe", NULL, "release_date_public: V 'maybe' is not yes or no");
    const char *code = "charges:\n  code: {column: V, statute: true}\n  status: {const: hold}";
    value_case(code, "p.c. 245 (A)(1)", "\"code\":\"PC 245(a)(1)\"", NULL);
    value_case(code, "H&S 11350", "\"code\":\"HS 11350\"", NULL);
    value_case(code, "PC\x01 1", NULL,
               "charges[0].code: V 'PC\x01 1' cannot be read as a statute code");
    /* text is escaped, never interpreted */
    const char *text = "  facility: V";
    value_case(text, "\"A \"\"quoted\"\" \\ name\"", "\"facility\":\"A \\\"quoted\\\" \\\\ name\"",
               NULL);
    value_case(text, "\"tab\there\"", "\"facility\":\"tab\\there\"", NULL);
    value_case(text, "\x01", "\"facility\":\"\\u0001\"", NULL);
    /* extras keep the source's own fields */
    const char *extra = "  extra: {person.citizenship.jms_code: V, local.flag: V}";
    value_case(extra, "NC", "\"citizenship\":{\"jms_code\":\"NC\"}", NULL);
    value_case(extra, "NC", "\"local\":{\"flag\":\"NC\"}}", NULL);
}

static void test_grouping(void **state)
{
    (void)state;
    const char *map = MAP_HEAD "  booked_at: {const: '2025-01-01T00:00:00Z'}\n"
                               "input: {format: csv, charge_order: S}\n"
                               "charges:\n  code: C\n  status: {const: pending}\n";
    (void)map;
    /* input given twice is a mapping problem; write the whole mapping instead */
    const char *m2 = "custodian_mapping: 1\nname: t\ninput: {format: csv, charge_order: S}\n"
                     "booking:\n  booking_number: BN\n  person.last_name: L\n"
                     "  person.first_name: {const: Y}\n  person.dob: {const: '2000-01-01'}\n"
                     "  booked_at: {const: '2025-01-01T00:00:00Z'}\n"
                     "charges:\n  code: C\n  status: {const: pending}\n";
    char *json, *probs;
    /* numeric charge order (10 after 9); a row with no charge column is no charge */
    assert_int_equal(run(m2, "BN,L,S,C\nb1,A,10,PC 10\nb1,A,9,PC 9\nb2,B,,\n", &json, &probs), 0);
    expect_has(json, "\"charges\":[{\"code\":\"PC 9\",\"status\":\"pending\"},{\"code\":\"PC 10\"");
    expect_has(json,
               "{\"booking_number\":\"b2\",\"booked_at\":\"2025-01-01T00:00:00Z\","
               "\"person\":{\"last_name\":\"B\",\"first_name\":\"Y\",\"dob\":\"2000-01-01\"}}");
    assert_string_equal(probs, "");
    free(json);
    free(probs);
    /* the rows of a booking must agree on its fields */
    assert_int_equal(run(m2, "BN,L,S,C\nb1,A,1,PC 1\nb1,B,2,PC 2\n", &json, &probs), 0);
    expect_has(probs,
               "2: person.last_name: L differs between the rows of one booking: 'A' on line 2, "
               "'B' on line 3");
    free(json);
    free(probs);
    /* headerless, another delimiter, CRLF, a byte-order mark, blank lines */
    const char *m3 = "custodian_mapping: 1\nname: t\n"
                     "input: {format: csv, header: false, delimiter: ';', columns: [BN, L]}\n"
                     "booking:\n  booking_number: BN\n  person.last_name: L\n"
                     "  person.first_name: {const: Y}\n  person.dob: {const: '2000-01-01'}\n"
                     "  booked_at: {const: '2025-01-01T00:00:00Z'}\n";
    assert_int_equal(run(m3,
                         "\xEF\xBB\xBF"
                         "b1;\"A;B\"\r\n\r\nb2;C\r\n",
                         &json, &probs),
                     0);
    expect_has(json, "\"last_name\":\"A;B\"");
    expect_has(json, "{\"booking_number\":\"b2\"");
    assert_string_equal(probs, "");
    free(json);
    free(probs);
    /* a NUL byte is refused, naming its line */
    {
        struct cust_map *m = NULL;
        struct cust_diag d = CUST_DIAG_INIT;
        struct cust_err err = CUST_ERR_INIT;
        struct cust_feed_reader *r = NULL;
        assert_int_equal(cust_map_parse("m", m2, strlen(m2), &m, &d, &err), CUST_OK);
        assert_int_equal(cust_feed_reader_open_mem(m, "in", "BN,L,S,C\nb1,A\0B,1,X\n", 20, &r, &err),
                         CUST_EINVAL);
        assert_string_equal(err.msg, "in:2: $: contains a NUL byte");
        cust_map_free(m);
    }
    /* an empty file has no bookings; a header only, too */
    assert_int_equal(run(m2, "", &json, &probs), -1);
    expect_has(probs, "in:1: $: no header row");
    free(json);
    free(probs);
    assert_int_equal(run(m2, "BN,L,S,C\n", &json, &probs), 0);
    assert_string_equal(json, "");
    free(json);
    free(probs);
}

static void test_xml(void **state)
{
    (void)state;
    const char *map = "custodian_mapping: 1\nname: x\n"
                      "input: {format: xml, record: 'b:B', namespaces: {b: 'urn:b'}}\n"
                      "booking:\n  booking_number: b:N\n  person.last_name: b:P/@last\n"
                      "  person.first_name: {path: 'b:P/@first', if_empty: UNKNOWN}\n"
                      "  person.dob: {path: b:D, date: '%m/%d/%Y'}\n"
                      "  booked_at: {path: b:T, datetime: '%Y-%m-%d %H:%M'}\n"
                      "time_zone: America/New_York\n"
                      "charges:\n  each: b:C\n  code: {path: '.', statute: true}\n"
                      "  status: {const: pending}\n";
    const char *xml = "<?xml version='1.0'?>\n<r xmlns='urn:b' xmlns:o='urn:other'>\n"
                      "<o:B><N>skip</N></o:B>\n" /* same local name, another namespace */
                      "<B><N>x1</N><P last='Ó&amp;B'/><D>12/31/1999</D><T>2025-01-02 03:04</T>"
                      "<C>pc 1</C><C>vc 2 (a)</C></B>\n</r>\n";
    char *json, *probs;
    assert_int_equal(run(map, xml, &json, &probs), 0);
    assert_string_equal(json,
                        "{\"booking_number\":\"x1\",\"booked_at\":\"2025-01-02T03:04:00-05:00\","
                        "\"person\":{\"last_name\":\"Ó&B\",\"first_name\":\"UNKNOWN\",\"dob\":"
                        "\"1999-12-31\"},\"charges\":[{\"code\":\"PC 1\",\"status\":\"pending\"},"
                        "{\"code\":\"VC 2(a)\",\"status\":\"pending\"}]}\n");
    assert_string_equal(probs, "");
    free(json);
    free(probs);
    assert_int_equal(run(map, "<r xmlns='urn:b'><B><N>x</N></B>", &json, &probs), -1);
    expect_has(probs, "in:1: $: not well-formed XML");
    free(json);
    free(probs);
    /* an entity that expands without end is refused, not expanded */
    assert_true(
        run(map,
            "<!DOCTYPE r [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;'>"
            "<!ENTITY c '&b;&b;&b;&b;&b;&b;&b;&b;'>]><r xmlns='urn:b'><B><N>&c;</N></B></r>",
            &json, &probs) <= 0);
    free(json);
    free(probs);
    /* an external entity is never fetched (no file, no network) */
    assert_int_equal(run(map,
                         "<!DOCTYPE r [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>"
                         "<r xmlns='urn:b'><B><N>&x;</N></B></r>",
                         &json, &probs),
                     0);
    assert_null(strstr(json, "root:"));
    assert_null(strstr(json, "booking_number")); /* the entity stays unexpanded: no number */
    free(json);
    free(probs);
}

static void map_error(const char *yaml, const char *want)
{
    char *json, *probs;
    assert_int_equal(run(yaml, "", &json, &probs), -2);
    expect_has(probs, want);
    free(json);
    free(probs);
}

static void test_map_errors(void **state)
{
    (void)state;
    map_error("", "1: $: the mapping is empty");
    map_error("- a\n- b\n", "must be a mapping");
    map_error("custodian_mapping: 1\nname: t\n", "input: required");
    map_error(MAP_HEAD "  booked_at: X\nbogus: 1\n", "bogus: unknown key");
    map_error(MAP_HEAD "  booked_at: X\n  extra: {booking_number.x: Y}\n",
              "'booking_number.x' collides with another field");
    map_error(MAP_HEAD "  booked_at: X\n  extra: {'a..b': Y}\n", "'a..b' is not a field name");
    map_error(MAP_HEAD "  booked_at: X\ncharges:\n  each: C\n  code: X\n",
              "charges.each: in a tabular input each row is one charge");
    map_error(MAP_HEAD "  booked_at: {column: X, date: '%Y-%m-%d'}\n",
              "booking.booked_at.date: 'booked_at' is not a date field");
    map_error(MAP_HEAD "  booked_at: X\n  scheduled_release: {column: X, datetime: '%F %H:%M'}\n",
              "'scheduled_release' is not a date-time field");
    map_error(MAP_HEAD "  booked_at: X\n  facility: {column: X, money: dollars}\n",
              "'facility' is not an amount in cents");
    map_error(MAP_HEAD "  booked_at: X\n  sentence.term_days: {column: X, statute: true}\n",
              "a statute code is text; 'sentence.term_days' is not");
    map_error(MAP_HEAD "  booked_at: X\n  facility: {column: X, default: A}\n",
              "'default' goes with a 'values' table");
    map_error(MAP_HEAD "  booked_at: X\n  facility: {column: X, path: Y}\n",
              "a tabular mapping names its source with 'column'");
    map_error(MAP_HEAD "  booked_at: {column: X, datetime: '%H:%M'}\ntime_zone: UTC\n",
              "needs a year (%Y), a month (%m, %b) and a day (%d)");
    map_error(MAP_HEAD "  booked_at: {column: X, datetime: '%F %I:%M'}\ntime_zone: UTC\n",
              "%I (12-hour clock) and %p (AM/PM) go together");
    map_error(MAP_HEAD "  booked_at: {column: X, datetime: '%F %H'}\ntime_zone: UTC\n",
              "an hour needs its minutes (%M)");
    map_error(MAP_HEAD "  booked_at: X\nambiguous_times: both\n",
              "'both' is not one of earlier | later | reject");
    map_error(MAP_HEAD "  booked_at: X\nfeed: {snapshot: weekly}\n",
              "'weekly' is not one of full | delta");
    map_error("custodian_mapping: 1\nname: t\ninput: {format: fixed}\n",
              "a fixed-width input needs its columns");
    map_error("custodian_mapping: 1\nname: t\ninput: {format: fixed, columns: {A: [0, 3]}}\n",
              "input.columns.A: must be [START, WIDTH] (first column is 1)");
    map_error("custodian_mapping: 1\nname: t\ninput: {format: csv, header: false}\n",
              "without a header row the columns must be listed");
    map_error("custodian_mapping: 1\nname: t\ninput: {format: tsv, delimiter: ';'}\n",
              "only a csv input has a delimiter");
    map_error("custodian_mapping: 1\nname: t\ninput: {format: csv, encoding: ebcdic}\n",
              "'ebcdic' is not one of utf-8 | windows-1252 | iso-8859-1");
    map_error("custodian_mapping: 1\nname: t\ninput: {format: xml}\n",
              "an XML input names the element that is one booking");
    map_error("custodian_mapping: 1\nname: t\ninput: {format: xml, record: B}\n"
              "booking:\n  booking_number: 'a[[['\n",
              "'a[[[' is not an XPath expression");
    map_error("custodian_mapping: 1\nname: t\ninput: {format: xml, record: B}\n"
              "charges:\n  code: C\n",
              "an XML input names the element of each charge");
    map_error("custodian_mapping: 1\nname: t\ninput: {format: csv}\n"
              "booking:\n  booking_number: {const: X}\n",
              "rows are grouped into bookings by a column");
    map_error("custodian_mapping: 1\nname: t\ninput: {format: csv, format: tsv}\n",
              "input.format: given twice (also on line 3)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zone_dst_and_history),
        cmocka_unit_test(test_patterns),
        cmocka_unit_test(test_value_rules),
        cmocka_unit_test(test_grouping),
        cmocka_unit_test(test_xml),
        cmocka_unit_test(test_map_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
