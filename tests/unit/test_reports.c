/* Unit tests for src/reports and src/base/zone.c: the county's days around clock changes, the
 * process clock, age bands, SVG charts, CSV cells, rendering (escaping, every format), the
 * enforcement log (validation, corrections, public counts without names), and the detainer
 * statistics and oversight view of a few requests worked through the real desk. */
#include "custodian/compat.h"
#include "custodian/config.h"
#include "custodian/date.h"
#include "custodian/desk.h"
#include "custodian/ledger.h"
#include "custodian/records.h"
#include "custodian/reports.h"
#include "../../src/reports/reports_internal.h"

#include <setjmp.h>
#include <stdarg.h>
#include <unistd.h>
#include <cmocka.h>

static const char *src_dir(void)
{
    const char *s = getenv("CUST_SOURCE_DIR");
    return s && *s ? s : CUST_SOURCE_DIR;
}

static int64_t ts(const char *rfc)
{
    int64_t t;
    assert_true(cust_time_parse(rfc, &t, NULL));
    return t;
}

static int32_t day(const char *d)
{
    int32_t x;
    assert_true(cust_date_parse(d, &x));
    return x;
}

/* ---- zone and clock ------------------------------------------------------------------------ */

static void test_zone_days(void **state)
{
    (void)state;
    struct cust_err err = CUST_ERR_INIT;
    assert_int_equal(cust_time_zone_set("America/Los_Angeles", &err), CUST_OK);
    assert_string_equal(cust_time_zone_name(), "America/Los_Angeles");
    /* 06:30Z on 1 July is 30 June in Los Angeles (PDT, -7) */
    assert_int_equal(cust_time_zone_day(ts("2025-07-01T06:30:00Z")), day("2025-06-30"));
    assert_int_equal(cust_time_zone_offset(ts("2025-07-01T06:30:00Z")), -420);
    assert_int_equal(cust_time_zone_offset(ts("2025-01-15T12:00:00Z")), -480);
    /* days that begin in PST and end in PDT, and back */
    assert_int_equal(cust_time_zone_day_start(day("2025-03-09")), ts("2025-03-09T08:00:00Z"));
    assert_int_equal(cust_time_zone_day_start(day("2025-03-10")), ts("2025-03-10T07:00:00Z"));
    assert_int_equal(cust_time_zone_day_start(day("2025-11-02")), ts("2025-11-02T07:00:00Z"));
    assert_int_equal(cust_time_zone_day_start(day("2025-11-03")), ts("2025-11-03T08:00:00Z"));
    /* a local time of a day */
    assert_int_equal(cust_time_zone_local(day("2025-06-06"), 10 * 3600 + 30 * 60),
                     ts("2025-06-06T10:30:00-07:00"));
    assert_int_equal(cust_time_zone_local(day("2025-12-24"), 8 * 3600),
                     ts("2025-12-24T08:00:00-08:00"));
    /* an unknown zone is refused, the zone in use unchanged */
    assert_int_equal(cust_time_zone_set("Mars/Olympus_Mons", &err), CUST_EINVAL);
    assert_int_equal(cust_time_zone_set("../etc/passwd", &err), CUST_EINVAL);
    assert_string_equal(cust_time_zone_name(), "America/Los_Angeles");
    assert_int_equal(cust_time_zone_set("UTC", &err), CUST_OK);
    assert_int_equal(cust_time_zone_day(ts("2025-07-01T06:30:00Z")), day("2025-07-01"));
    assert_int_equal(cust_time_zone_set("America/Los_Angeles", &err), CUST_OK);
}

static void test_clock(void **state)
{
    (void)state;
    setenv("CUSTODIAN_NOW", "2025-01-01T00:00:00Z", 1);
    assert_int_equal(cust_now(), ts("2025-01-01T00:00:00Z"));
    cust_clock_set(ts("2024-05-05T05:05:05Z"));
    assert_int_equal(cust_now(), ts("2024-05-05T05:05:05Z")); /* the set clock wins */
    cust_clock_clear();
    assert_int_equal(cust_now(), ts("2025-01-01T00:00:00Z"));
    unsetenv("CUSTODIAN_NOW");
}

static void test_age_bands(void **state)
{
    (void)state;
    int32_t d = day("2025-06-15");
    assert_string_equal(rp_age_band("2007-06-15", d), "18-24"); /* 18 today */
    assert_string_equal(rp_age_band("2007-06-16", d), "under 18");
    assert_string_equal(rp_age_band("1960-06-15", d), "65 and over");
    assert_string_equal(rp_age_band("1990-07-XX", d), "25-34");   /* 34 whichever day */
    assert_string_equal(rp_age_band("1990-06-XX", d), "35-44");   /* 35 at the month's start */
    assert_string_equal(rp_age_band("1985-XX-XX", d), "35-44");   /* 39 or 40 */
    assert_string_equal(rp_age_band("1990-XX-XX", d), "unknown"); /* 34 or 35: two bands */
    assert_string_equal(rp_age_band(NULL, d), "unknown");
    assert_string_equal(rp_age_band("not a date", d), "unknown");
}

/* ---- charts, CSV, rendering --------------------------------------------------------------- */

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

static void test_chart_svg(void **state)
{
    (void)state;
    const char *cats[] = {"2025-01", "2025-02", "<b>"};
    double a[] = {3, 0, 7}, b[] = {1, 2, 0};
    struct cust_chart_series s[] = {{"Received", "#005ea2", a}, {"Held <script>", "#b50909", b}};
    struct cust_chart c = {"c1", "Title & more", "What it shows", cats, 3, s, 2, false};
    struct cust_buf out = CUST_BUF_INIT;
    assert_int_equal(cust_chart_svg(&c, &out), CUST_OK);
    const char *t = out.buf;
    assert_non_null(strstr(t, "role=\"img\""));
    assert_non_null(strstr(t, "aria-labelledby=\"c1-title c1-desc\""));
    assert_non_null(strstr(t, "<title id=\"c1-title\">Title &amp; more</title>"));
    assert_non_null(strstr(t, "<desc id=\"c1-desc\">What it shows</desc>"));
    assert_null(strstr(t, "<script"));
    assert_null(strstr(t, "<b>"));
    assert_null(strstr(t, "style="));
    assert_int_equal(count(t, "<rect"), 3 * 2 + 2); /* bars and the legend's swatches */
    assert_non_null(strstr(t, "<title>2025-01, Received: 3</title>"));
    /* the y axis ends on a round number at or above the largest bar */
    assert_non_null(strstr(t, ">8</text>"));
    cust_buf_release(&out);
    /* stacked: one bar per category reaches the sum */
    c.stacked = true;
    assert_int_equal(cust_chart_svg(&c, &out), CUST_OK);
    assert_non_null(strstr(out.buf, ">4</text>")); /* 3 + 1 */
    cust_buf_release(&out);
}

static void test_csv_cells(void **state)
{
    (void)state;
    struct cust_buf b = CUST_BUF_INIT;
    assert_int_equal(rp_csv_field(&b, "plain"), CUST_OK);
    assert_int_equal(rp_csv_field(&b, "a,b"), CUST_OK);
    assert_int_equal(rp_csv_field(&b, "say \"hi\""), CUST_OK);
    assert_int_equal(rp_csv_field(&b, "=HYPERLINK(\"x\")"), CUST_OK);
    assert_int_equal(rp_csv_field(&b, "+1"), CUST_OK);
    assert_int_equal(rp_csv_field(&b, "line\nbreak"), CUST_OK);
    assert_string_equal(b.buf, "plain\"a,b\"\"say \"\"hi\"\"\"\"'=HYPERLINK(\"\"x\"\")\"\"'+1\""
                               "\"line\nbreak\"");
    cust_buf_release(&b);
}

static void test_render_escapes_and_formats(void **state)
{
    (void)state;
    json_t *r = json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:I,s:I,s:[{s:I,s:s,s:s,s:s,s:s,s:I,s:s,s:s,s:s,s:I,s:b,s:s,s:s,"
        "s:[{s:s}],s:s}],s:b}",
        "report", "enforcement", "from", "2025-01-01", "to", "2025-12-31", "zone",
        "America/Los_Angeles", "generated_at", "2026-01-01T00:00:00Z", "entries", (json_int_t)1,
        "detained", (json_int_t)2, "rows", "id", (json_int_t)1, "occurred_at",
        "2025-06-06T10:30:00-07:00", "area", "<img src=x onerror=alert(1)>", "place", "=cmd()",
        "agency", "ICE", "detained", (json_int_t)2, "reasons", "a, b", "source", "witness", "note",
        "n", "supersedes", (json_int_t)0, "superseded", false, "recorded_by", "dep", "recorded_at",
        "2025-06-06T18:00:00Z", "persons", "name", "Ana", "names", "Ana", "names_included", true);
    assert_non_null(r);
    struct cust_err err = CUST_ERR_INIT;
    struct cust_buf b = CUST_BUF_INIT;
    assert_int_equal(cust_report_render(r, CUST_REPORT_HTML, &b, &err), CUST_OK);
    assert_null(strstr(b.buf, "<img"));
    assert_non_null(strstr(b.buf, "&lt;img src=x onerror=alert(1)&gt;"));
    assert_non_null(strstr(b.buf, ">Ana<"));
    cust_buf_release(&b);
    assert_int_equal(cust_report_render(r, CUST_REPORT_CSV, &b, &err), CUST_OK);
    assert_non_null(strstr(b.buf, "id,occurred_at,area,place,agency,detained,names,"));
    assert_non_null(strstr(b.buf, ",\"'=cmd()\","));
    assert_non_null(strstr(b.buf, ",\"a, b\","));
    cust_buf_release(&b);
    /* without names: the column is not there, the HTML says withheld */
    json_object_set_new(r, "names_included", json_false());
    assert_int_equal(cust_report_render(r, CUST_REPORT_CSV, &b, &err), CUST_OK);
    assert_null(strstr(b.buf, "names"));
    assert_null(strstr(b.buf, "Ana"));
    cust_buf_release(&b);
    assert_int_equal(cust_report_render(r, CUST_REPORT_HTML_DOC, &b, &err), CUST_OK);
    assert_non_null(strstr(b.buf, "<!DOCTYPE html>"));
    assert_non_null(strstr(b.buf, "(withheld)"));
    assert_null(strstr(b.buf, "Ana"));
    cust_buf_release(&b);
    /* not a report */
    json_object_del(r, "report");
    assert_int_equal(cust_report_render(r, CUST_REPORT_CSV, &b, &err), CUST_EINVAL);
    cust_buf_release(&b);
    json_decref(r);
    enum cust_report_format f;
    assert_true(cust_report_format_parse("html", &f));
    assert_int_equal(f, CUST_REPORT_HTML_DOC);
    assert_false(cust_report_format_parse("pdf", &f));
}

static size_t count_of(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* The console shows a long table a page at a time (an IG's year is thousands of rows); the
 * downloads keep every line. */
static void test_render_window(void **state)
{
    (void)state;
    json_t *rows = json_array();
    for (int i = 0; i < 250; i++)
        json_array_append_new(rows, json_pack("{s:s,s:s,s:s,s:I,s:s,s:s,s:s,s:b,s:b}", "at",
                                              "2025-08-04T10:36:00-07:00", "request_id",
                                              "R-2025-000787", "request_kind",
                                              "information_request", "person_id", (json_int_t)i,
                                              "outcome", "done", "verdict", "permitted", "actor",
                                              "sgt.lopez", "disclosure", true, "override", true));
    json_t *r =
        json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:I,s:{s:I},s:o}", "report", "oversight", "from",
                  "2025-01-01", "to", "2025-12-31", "zone", "America/Los_Angeles", "generated_at",
                  "2026-01-01T00:00:00Z", "disclosures", (json_int_t)250, "overrides",
                  (json_int_t)250, "by_actor", "sgt.lopez", (json_int_t)250, "rows", rows);
    assert_non_null(r);
    struct cust_err err = CUST_ERR_INIT;
    struct cust_buf b = CUST_BUF_INIT;
    struct cust_report_window w = {100, 100, "/console/oversight?year=2025&amp;actor=a&amp;"};
    assert_int_equal(cust_report_render_window(r, CUST_REPORT_HTML, &w, &b, &err), CUST_OK);
    assert_non_null(strstr(b.buf, "Lines 101&ndash;200 of 250 below"));
    assert_int_equal(count_of(b.buf, "R-2025-000787</a>"), 100);
    assert_non_null(strstr(b.buf, "#100 ")); /* the page's first line */
    assert_null(strstr(b.buf, "#99 "));
    assert_null(strstr(b.buf, "#200 "));
    assert_non_null(strstr(b.buf, "href=\"/console/oversight?year=2025&amp;actor=a&amp;offset=0\" "
                                  "id=\"page-previous\""));
    assert_non_null(strstr(b.buf, "offset=200\" id=\"page-next\""));
    assert_non_null(strstr(b.buf, "offset=100\" aria-current=\"page\" aria-label=\"Page 2\""));
    cust_buf_release(&b);
    /* past the end: no line, the count said, a way back */
    w.offset = 900;
    assert_int_equal(cust_report_render_window(r, CUST_REPORT_HTML, &w, &b, &err), CUST_OK);
    assert_non_null(strstr(b.buf, "No lines from 901: the table has 250."));
    assert_int_equal(count_of(b.buf, "R-2025-000787</a>"), 0);
    assert_non_null(strstr(b.buf, "offset=0\""));
    cust_buf_release(&b);
    /* no window, a window as large as the table, and the other formats: every line */
    assert_int_equal(cust_report_render(r, CUST_REPORT_HTML, &b, &err), CUST_OK);
    assert_int_equal(count_of(b.buf, "R-2025-000787</a>"), 250);
    assert_null(strstr(b.buf, "usa-pagination"));
    cust_buf_release(&b);
    w = (struct cust_report_window){0, 250, "/x?"};
    assert_int_equal(cust_report_render_window(r, CUST_REPORT_HTML, &w, &b, &err), CUST_OK);
    assert_int_equal(count_of(b.buf, "R-2025-000787</a>"), 250);
    assert_null(strstr(b.buf, "Lines "));
    cust_buf_release(&b);
    w = (struct cust_report_window){0, 10, "/x?"};
    assert_int_equal(cust_report_render_window(r, CUST_REPORT_CSV, &w, &b, &err), CUST_OK);
    assert_int_equal(count_of(b.buf, "\r\n"), 251);
    cust_buf_release(&b);
    json_decref(r);

    /* the forum: one line per data request and day, and the lines are what a page counts */
    json_t *table = json_array();
    json_array_append_new(table, json_pack("{s:s,s:s,s:s,s:s,s:s}", "date", "2025-01-01", "means",
                                           "transfer", "person", "person 1", "citizenship_country",
                                           "MX", "detail", "judicial_warrant"));
    for (int i = 0; i < 30; i++)
        json_array_append_new(table, json_pack("{s:s,s:s,s:s,s:s,s:s}", "date", "2025-08-04",
                                               "means", "data_request", "person", "person 2",
                                               "request_id", "R-2025-000787", "agency", "DOJ"));
    json_array_append_new(table, json_pack("{s:s,s:s,s:s,s:s,s:s}", "date", "2025-09-01", "means",
                                           "notification", "person", "person 3",
                                           "citizenship_country", "QQ", "detail", "permitted"));
    r = json_pack("{s:s,s:s,s:s,s:I,s:I,s:{s:{s:I},s:{s:I},s:{s:I,s:I}},s:o}", "report",
                  "truth-forum", "from", "2025-01-01", "to", "2025-12-31", "people", (json_int_t)3,
                  "accesses", (json_int_t)32, "demographics", "sex", "M", (json_int_t)3, "age_band",
                  "unknown", (json_int_t)3, "citizenship_country", "MX", (json_int_t)2,
                  "not recorded", (json_int_t)1, "access_table", table);
    assert_non_null(r);
    w = (struct cust_report_window){1, 1, "/f?"};
    assert_int_equal(cust_report_render_window(r, CUST_REPORT_HTML, &w, &b, &err), CUST_OK);
    assert_non_null(strstr(b.buf, "Lines 2&ndash;2 of 3 below"));
    assert_non_null(strstr(b.buf, "<td>30 people</td>"));
    assert_null(strstr(b.buf, "person 1<"));
    assert_null(strstr(b.buf, "person 3<"));
    /* countries by name (ICU), the code kept */
    assert_non_null(strstr(b.buf, ">Mexico (MX)<"));
    cust_buf_release(&b);
    w.offset = 0;
    assert_int_equal(cust_report_render_window(r, CUST_REPORT_HTML, &w, &b, &err), CUST_OK);
    assert_non_null(strstr(b.buf, "<td>Mexico (MX)</td>"));
    assert_non_null(strstr(b.buf, "<td>Judicial warrant</td>"));
    cust_buf_release(&b);
    w.offset = 2;
    assert_int_equal(cust_report_render_window(r, CUST_REPORT_HTML, &w, &b, &err), CUST_OK);
    assert_non_null(strstr(b.buf, "<td>QQ</td>")); /* not a region: as recorded */
    cust_buf_release(&b);
    assert_int_equal(cust_report_render(r, CUST_REPORT_TEXT, &b, &err), CUST_OK);
    assert_non_null(strstr(b.buf, "country of citizenship (as recorded):\n  MX"));
    cust_buf_release(&b);
    json_decref(r);
}

/* The public page of an empty log says so (it used to show an empty table). */
static void test_public_enforcement_empty(void **state)
{
    (void)state;
    json_t *r =
        json_pack("{s:s,s:s,s:s,s:s,s:I,s:I,s:[],s:[],s:[]}", "report", "enforcement-public",
                  "from", "2026-01-01", "to", "2026-12-05", "generated_at", "2026-12-05T00:00:00Z",
                  "entries", (json_int_t)0, "detained", (json_int_t)0, "months", "areas", "cells");
    assert_non_null(r);
    struct cust_err err = CUST_ERR_INIT;
    struct cust_buf b = CUST_BUF_INIT;
    assert_int_equal(cust_report_render(r, CUST_REPORT_HTML, &b, &err), CUST_OK);
    assert_non_null(strstr(b.buf, "id=\"no-entries\">No federal immigration enforcement action"));
    assert_null(strstr(b.buf, "<caption>By area"));
    cust_buf_release(&b);
    json_decref(r);
}

/* Country names from ICU; counts ordered for a reader. */
static void test_countries(void **state)
{
    (void)state;
    char name[64];
    assert_true(rp_country_name("MX", name, sizeof(name)));
    assert_string_equal(name, "Mexico");
    assert_true(rp_country_name("SV", name, sizeof(name)));
    assert_string_equal(name, "El Salvador");
    assert_false(rp_country_name("QQ", name, sizeof(name)));
    assert_false(rp_country_name("mx", name, sizeof(name)));
    assert_false(rp_country_name("MEX", name, sizeof(name)));
    assert_false(rp_country_name("not recorded", name, sizeof(name)));
    assert_false(rp_country_name("MX", name, 3)); /* too small: never cut */
    json_t *c = json_pack("{s:I,s:I,s:I,s:I}", "CU", (json_int_t)5, "not recorded", (json_int_t)40,
                          "MX", (json_int_t)20, "GT", (json_int_t)5);
    c = rp_counts_sorted(c, "not recorded");
    char *s = json_dumps(c, JSON_PRESERVE_ORDER | JSON_COMPACT);
    assert_string_equal(s, "{\"MX\":20,\"CU\":5,\"GT\":5,\"not recorded\":40}");
    free(s);
    json_decref(c);
}

/* ---- a store: the desk and the log ----------------------------------------------------------- */

struct fx {
    char dir[64], db[96];
    struct cust_store *s;
    struct cust_config *cfg;
    struct cust_desk_env *env;
    struct cust_desk d;
};

static int setup(void **state)
{
    struct fx *f = cust_xcalloc(1, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/cust-reports.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->db, sizeof(f->db), "%s/t.db", f->dir);
    setenv("CUSTODIAN_NOW", "2025-07-18T19:00:00Z", 1);
    struct cust_err err = CUST_ERR_INIT;
    assert_int_equal(cust_time_zone_set("America/Los_Angeles", &err), CUST_OK);
    assert_int_equal(cust_store_open(f->db, CUST_STORE_CREATE, &f->s, &err), CUST_OK);
    char path[512];
    f->cfg = cust_config_new();
    snprintf(path, sizeof(path), "%s/policies", src_dir());
    cust_config_set(f->cfg, CUST_CFG_POLICIES, path, "test");
    snprintf(path, sizeof(path), "%s/policies/calendars/us-federal-holidays.csv", src_dir());
    cust_config_set(f->cfg, CUST_CFG_CALENDAR, path, "test");
    snprintf(path, sizeof(path), "%s/templates/notices", src_dir());
    cust_config_set(f->cfg, CUST_CFG_NOTICE_TEMPLATES, path, "test");
    cust_config_set(f->cfg, CUST_CFG_JURISDICTION, "us-ca", "test");
    assert_int_equal(cust_desk_env_open(f->cfg, 0, &f->env, &err), CUST_OK);
    snprintf(path, sizeof(path), "%s/tests/data/desk/county.jsonl", src_dir());
    struct cust_import_opts o = {.path = path, .actor = "loader", .errors = stderr};
    struct cust_import_stats st;
    assert_int_equal(cust_import_file(f->s, &o, &st, &err), CUST_OK);
    cust_desk_init(&f->d, f->env, f->s, "clerk1", "clerk");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    cust_desk_release(&f->d);
    cust_store_close(f->s);
    cust_desk_env_free(f->env);
    cust_config_free(f->cfg);
    char cmd[160];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    unsetenv("CUSTODIAN_NOW");
    free(f);
    return 0;
}

static void add(struct fx *f, const char *bn, const char *received, const char *kind,
                char id[CUST_REQUEST_ID_MAX])
{
    char text[512];
    snprintf(text, sizeof(text),
             "{\"kind\": \"%s\", \"requester\": {\"agency\": \"ICE\"}, \"received_at\": \"%s\","
             " \"subject\": {\"booking_number\": \"%s\"}}",
             kind, received, bn);
    json_t *doc = json_loads(text, 0, NULL);
    struct cust_diag diag = CUST_DIAG_INIT;
    struct cust_err err = CUST_ERR_INIT;
    assert_int_equal(cust_desk_add(&f->d, doc, id, &diag, &err), CUST_OK);
    cust_diag_release(&diag);
    json_decref(doc);
}

static void act(struct fx *f, const char *id, const char *action, bool decline)
{
    struct cust_err err = CUST_ERR_INIT;
    json_t *out = NULL;
    struct cust_desk_act a = {.action = action,
                              .by = "dep",
                              .decline = decline,
                              .reason = decline ? "county policy" : NULL};
    enum cust_status st = cust_desk_act(&f->d, id, &a, &out, &err);
    if (st != CUST_OK)
        fprintf(stderr, "act %s %s: %s\n", id, action, err.msg);
    assert_int_equal(st, CUST_OK);
    json_decref(out);
}

static void decide(struct fx *f, const char *id)
{
    json_t *out = NULL;
    struct cust_err err = CUST_ERR_INIT;
    assert_int_equal(cust_desk_decide(&f->d, id, &out, &err), CUST_OK);
    json_decref(out);
}

static json_int_t geti(const json_t *r, const char *a, const char *b)
{
    const json_t *v = json_object_get(r, a);
    return json_integer_value(b ? json_object_get(v, b) : v);
}

static void test_detainers_and_oversight(void **state)
{
    struct fx *f = *state;
    char a[CUST_REQUEST_ID_MAX], b[CUST_REQUEST_ID_MAX], c[CUST_REQUEST_ID_MAX],
        late[CUST_REQUEST_ID_MAX];
    /* a: 1001 (a 7282.5 record): hold declined, notify given; b: 1002: both declined;
     * c: a notification request on 1001, decided, nothing done; late: the next year, 23:30 PST on
     * 31 December is still the old year in Los Angeles */
    add(f, "1001", "2025-07-01T10:00:00-07:00", "detainer", a);
    add(f, "1002", "2025-07-02T10:00:00-07:00", "detainer", b);
    add(f, "1001", "2025-07-03T10:00:00-07:00", "notification_request", c);
    add(f, "1001", "2025-12-31T23:30:00-08:00", "detainer", late);
    decide(f, a);
    decide(f, b);
    decide(f, c);
    act(f, a, "hold", true);
    act(f, a, "notify", false);
    act(f, b, "hold", true);
    act(f, b, "notify", true);
    struct cust_report_opts o = CUST_REPORT_OPTS_INIT;
    o.from = day("2025-07-01");
    o.to = day("2025-12-31");
    o.by_month = true;
    struct cust_err err = CUST_ERR_INIT;
    json_t *r = NULL;
    assert_int_equal(cust_report_detainers(f->s, &o, &r, &err), CUST_OK);
    assert_int_equal(geti(r, "requests", "detainer"), 3);
    assert_int_equal(geti(r, "requests", "notification_request"), 1);
    assert_int_equal(geti(r, "requests", "court_order"), 0); /* every kind, zeros included */
    assert_int_equal(geti(r, "total", NULL), 4);
    assert_int_equal(geti(r, "matched", NULL), 4);
    assert_int_equal(geti(r, "decided", NULL), 3);
    assert_int_equal(geti(r, "holds", "requested"), 3);
    assert_int_equal(geti(r, "holds", "honored"), 0);
    assert_int_equal(geti(r, "holds", "declined"), 2);
    assert_int_equal(geti(r, "notifications", "requested"), 4);
    assert_int_equal(geti(r, "notifications", "given"), 1);
    assert_int_equal(geti(r, "notifications", "declined"), 1);
    assert_int_equal(geti(r, "declined", NULL), 2);
    assert_int_equal(json_array_size(json_object_get(r, "months")), 6);
    const json_t *jul = json_array_get(json_object_get(r, "months"), 0);
    assert_int_equal(geti(jul, "detainers", NULL), 2);
    assert_int_equal(geti(jul, "notifications_given", NULL), 1);
    assert_int_equal(geti(json_array_get(json_object_get(r, "months"), 5), "detainers", NULL), 1);
    json_decref(r);
    /* the next year's report does not see the one of 31 December */
    o.from = day("2026-01-01");
    o.to = day("2026-12-31");
    assert_int_equal(cust_report_detainers(f->s, &o, &r, &err), CUST_OK);
    assert_int_equal(geti(r, "total", NULL), 0);
    json_decref(r);
    /* a period that ends before it begins */
    o.to = day("2025-01-01");
    assert_int_equal(cust_report_detainers(f->s, &o, &r, &err), CUST_EINVAL);

    /* the IG view: a's notification is a disclosure and (permitted, taken) an override; the
     * declines of prohibited actions are neither */
    o.from = day("2025-07-01");
    o.to = day("2025-07-31");
    assert_int_equal(cust_report_oversight(f->s, &o, &r, &err), CUST_OK);
    assert_int_equal(geti(r, "disclosures", NULL), 1);
    assert_int_equal(geti(r, "overrides", NULL), 1);
    const json_t *row = json_array_get(json_object_get(r, "rows"), 0);
    assert_string_equal(json_string_value(json_object_get(row, "request_id")), a);
    assert_string_equal(json_string_value(json_object_get(row, "what")), "notify");
    assert_string_equal(json_string_value(json_object_get(row, "verdict")), "permitted");
    assert_string_equal(json_string_value(json_object_get(row, "actor")), "dep");
    assert_non_null(json_string_value(json_object_get(row, "rule")));
    assert_true(json_array_size(json_object_get(row, "cite")) > 0);
    json_decref(r);
    o.actor = "somebody-else";
    assert_int_equal(cust_report_oversight(f->s, &o, &r, &err), CUST_OK);
    assert_int_equal(json_array_size(json_object_get(r, "rows")), 0);
    json_decref(r);
    o.actor = NULL;
    o.request_id = b;
    assert_int_equal(cust_report_oversight(f->s, &o, &r, &err), CUST_OK);
    assert_int_equal(json_array_size(json_object_get(r, "rows")), 0);
    json_decref(r);
}

static int64_t enforce(struct fx *f, const char *text, struct cust_diag *dg, enum cust_status want)
{
    json_t *doc = json_loads(text, 0, NULL);
    assert_non_null(doc);
    struct cust_err err = CUST_ERR_INIT;
    int64_t id = -1;
    assert_int_equal(cust_enforcement_add(f->s, doc, "dep", "clerk", &id, dg, &err), want);
    json_decref(doc);
    return id;
}

static bool has_line(const struct cust_diag *dg, const char *start)
{
    for (size_t i = 0; i < dg->n; i++)
        if (strncmp(dg->lines[i], start, strlen(start)) == 0)
            return true;
    return false;
}

static void test_enforcement_log(void **state)
{
    struct fx *f = *state;
    struct cust_diag dg = CUST_DIAG_INIT;
    int64_t e1 = enforce(f,
                         "{\"occurred_at\": \"2025-06-06T10:30:00-07:00\", \"area\": \"Westlake\","
                         " \"agency\": \"ICE\", \"persons\": [{\"name\": \"Ana Uno\"}, \"Bo Dos\"],"
                         " \"source\": \"deputy\"}",
                         &dg, CUST_OK);
    assert_true(e1 > 0);
    enforce(f,
            "{\"occurred_at\": \"2025-06-30T23:30:00-07:00\", \"area\": \"Boyle Heights\","
            " \"agency\": \"CBP\", \"detained\": 5, \"source\": \"press\"}",
            &dg, CUST_OK);
    /* every problem at once, nothing stored */
    enforce(f,
            "{\"occurred_at\": \"2025-06-06 10:30\", \"area\": 7, \"agency\": \"\","
            " \"detained\": 1, \"persons\": [{\"name\": \"A\"}, {\"name\": \"B\"}],"
            " \"mood\": \"x\", \"supersedes\": -2}",
            &dg, CUST_EINVAL);
    assert_true(has_line(&dg, "enforcement.occurred_at: not an RFC 3339"));
    assert_true(has_line(&dg, "enforcement.area: must be a string"));
    assert_true(has_line(&dg, "enforcement.agency: must be 1 to"));
    assert_true(has_line(&dg, "enforcement.detained: is less than the 2 names given"));
    assert_true(has_line(&dg, "enforcement.mood: unknown field"));
    assert_true(has_line(&dg, "enforcement.source: required"));
    assert_true(has_line(&dg, "enforcement.supersedes: must be the number of an entry"));
    cust_diag_release(&dg);
    /* a correction names an entry that exists */
    enforce(f,
            "{\"occurred_at\": \"2025-06-06T10:30:00-07:00\", \"area\": \"Westlake\","
            " \"agency\": \"ICE\", \"source\": \"x\", \"supersedes\": 999}",
            &dg, CUST_EINVAL);
    cust_diag_release(&dg);
    char fix[256];
    snprintf(fix, sizeof(fix),
             "{\"occurred_at\": \"2025-06-06T10:30:00-07:00\", \"area\": \"Westlake\","
             " \"agency\": \"ICE\", \"detained\": 3, \"source\": \"correction\","
             " \"supersedes\": %lld}",
             (long long)e1);
    enforce(f, fix, &dg, CUST_OK);

    struct cust_err err = CUST_ERR_INIT;
    json_t *r = NULL;
    assert_int_equal(cust_enforcement_list(f->s, 1, 0, true, &r, &err), CUST_OK);
    assert_int_equal(json_array_size(json_object_get(r, "rows")), 3);
    assert_int_equal(geti(r, "entries", NULL), 2); /* the superseded one is not counted */
    assert_int_equal(geti(r, "detained", NULL), 3 + 5);
    const json_t *first = json_array_get(json_object_get(r, "rows"), 0);
    assert_true(json_is_true(json_object_get(first, "superseded")));
    assert_string_equal(json_string_value(json_object_get(first, "names")), "Ana Uno; Bo Dos");
    json_decref(r);
    assert_int_equal(cust_enforcement_list(f->s, 1, 0, false, &r, &err), CUST_OK);
    char *text = json_dumps(r, 0);
    assert_null(strstr(text, "Ana Uno"));
    free(text);
    json_decref(r);
    /* public: by area and month, no name, no source; 23:30 PDT on 30 June is June */
    assert_int_equal(cust_enforcement_public(f->s, day("2025-01-01"), day("2025-12-31"), &r, &err),
                     CUST_OK);
    text = json_dumps(r, 0);
    assert_null(strstr(text, "Ana"));
    assert_null(strstr(text, "deputy"));
    assert_null(strstr(text, "press"));
    free(text);
    assert_int_equal(geti(r, "entries", NULL), 2);
    const json_t *june = json_array_get(json_object_get(r, "months"), 5);
    assert_string_equal(json_string_value(json_object_get(june, "month")), "2025-06");
    assert_int_equal(geti(june, "entries", NULL), 2);
    assert_int_equal(geti(june, "detained", NULL), 8);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(json_object_get(r, "areas"), 0), "area")),
        "Boyle Heights");
    json_decref(r);
    /* each entry in the ledger; the ledger verifies */
    struct cust_ledger_report rep;
    assert_int_equal(cust_ledger_verify(f->s, &rep, &err), CUST_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zone_days),
        cmocka_unit_test(test_clock),
        cmocka_unit_test(test_age_bands),
        cmocka_unit_test(test_chart_svg),
        cmocka_unit_test(test_csv_cells),
        cmocka_unit_test(test_render_escapes_and_formats),
        cmocka_unit_test(test_render_window),
        cmocka_unit_test(test_countries),
        cmocka_unit_test(test_public_enforcement_empty),
        cmocka_unit_test_setup_teardown(test_detainers_and_oversight, setup, teardown),
        cmocka_unit_test_setup_teardown(test_enforcement_log, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
