/* Unit tests for the one configuration (config.h): the order defaults < file < environment <
 * options, sources, relative paths, errors naming FILE:LINE, the time zone. */
#include "custodian/compat.h"
#include "custodian/config.h"
#include "custodian/date.h"
#include "custodian/http.h"

#include <setjmp.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

static char dir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/cust-config.XXXXXX");
    assert_non_null(mkdtemp(dir));
    unsetenv("CUSTODIAN_CONFIG");
    unsetenv("CUSTODIAN_JURISDICTION");
    unsetenv("CUSTODIAN_DB");
    unsetenv("CUSTODIAN_TIMEZONE");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    return 0;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_defaults(void **state)
{
    (void)state;
    struct cust_config *c = cust_config_new();
    assert_string_equal(cust_config_get(c, CUST_CFG_JURISDICTION), "us-ca");
    assert_string_equal(cust_config_source(c, CUST_CFG_JURISDICTION), "default");
    assert_true(cust_config_is_default(c, CUST_CFG_JURISDICTION));
    assert_string_equal(cust_config_get(c, CUST_CFG_STORE_PATH), "custodian.db");
    assert_string_equal(cust_config_get(c, CUST_CFG_KEY_FILE), "custodian.db.key");
    /* data paths come from the one data folder */
    char want[512];
    snprintf(want, sizeof(want), "%s/policies", cust_config_data_dir());
    assert_string_equal(cust_config_get(c, CUST_CFG_POLICIES), want);
    assert_null(cust_config_file(c));
    /* the key file follows the store until it is set */
    cust_config_set(c, CUST_CFG_STORE_PATH, "/x/county.db", "option --db");
    assert_string_equal(cust_config_get(c, CUST_CFG_KEY_FILE), "/x/county.db.key");
    cust_config_set(c, CUST_CFG_KEY_FILE, "/keys/k", "option --key-file");
    cust_config_set(c, CUST_CFG_STORE_PATH, "/y.db", "option --db");
    assert_string_equal(cust_config_get(c, CUST_CFG_KEY_FILE), "/keys/k");
    /* names */
    assert_int_equal(cust_config_key_find("county.jurisdiction"), CUST_CFG_JURISDICTION);
    assert_int_equal(cust_config_key_find("jurisdiction"), CUST_CFG_JURISDICTION);
    assert_int_equal(cust_config_key_find("county.nothing"), CUST_CFG_COUNT);
    assert_string_equal(cust_config_env(CUST_CFG_CALENDAR), "CUSTODIAN_CALENDAR");
    cust_config_free(c);
}

static void test_order_and_sources(void **state)
{
    (void)state;
    char path[256], sub[128];
    snprintf(sub, sizeof(sub), "%s/etc", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    snprintf(path, sizeof(path), "%s/custodian.conf", sub);
    write_file(path, "; county\n[county]\njurisdiction = us-tx\nagency_name = Travis County\n"
                     "[store]\npath = data/county.db\n[paths]\npolicies = /abs/policies\n"
                     "[server]\nthreads = 3\n");
    setenv("CUSTODIAN_AGENCY_NAME", "From The Environment", 1);
    struct cust_config *c = NULL;
    struct cust_err err = CUST_ERR_INIT;
    assert_int_equal(cust_config_load(path, &c, &err), CUST_OK);
    unsetenv("CUSTODIAN_AGENCY_NAME");
    assert_string_equal(cust_config_get(c, CUST_CFG_JURISDICTION), "us-tx");
    char src[300];
    snprintf(src, sizeof(src), "%s:3", path);
    assert_string_equal(cust_config_source(c, CUST_CFG_JURISDICTION), src);
    /* the environment wins over the file */
    assert_string_equal(cust_config_get(c, CUST_CFG_AGENCY_NAME), "From The Environment");
    assert_string_equal(cust_config_source(c, CUST_CFG_AGENCY_NAME), "env CUSTODIAN_AGENCY_NAME");
    /* a relative path is relative to the file; an absolute one stays */
    char want[300];
    snprintf(want, sizeof(want), "%s/data/county.db", sub);
    assert_string_equal(cust_config_get(c, CUST_CFG_STORE_PATH), want);
    assert_string_equal(cust_config_get(c, CUST_CFG_POLICIES), "/abs/policies");
    assert_string_equal(cust_config_file(c), path);
    /* an option wins over all */
    cust_config_set(c, CUST_CFG_JURISDICTION, "us-fl", "option --policy");
    assert_string_equal(cust_config_source(c, CUST_CFG_JURISDICTION), "option --policy");
    /* show: every key, its value and source */
    struct cust_buf b = CUST_BUF_INIT;
    assert_int_equal(cust_config_show(c, false, &b), CUST_OK);
    assert_non_null(strstr(b.buf, "county.jurisdiction         = us-fl"));
    assert_non_null(strstr(b.buf, "# option --policy\n"));
    assert_non_null(strstr(b.buf, "server.threads              = 3"));
    cust_buf_release(&b);
    assert_int_equal(cust_config_show(c, true, &b), CUST_OK);
    json_t *j = json_loads(b.buf, 0, NULL);
    assert_non_null(j);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(j, "county.agency_name"), "source")),
        "env CUSTODIAN_AGENCY_NAME");
    assert_int_equal(json_object_size(j), CUST_CFG_COUNT);
    json_decref(j);
    cust_buf_release(&b);
    /* the server's settings come from the same table */
    struct cust_http_config h;
    cust_http_config_defaults(&h);
    assert_int_equal(h.threads, 4);
    assert_int_equal(cust_http_config_apply(&h, c, &err), CUST_OK);
    assert_int_equal(h.threads, 3);
    cust_config_set(c, CUST_CFG_SERVER_THREADS, "lots", "option --threads");
    assert_int_equal(cust_http_config_apply(&h, c, &err), CUST_EINVAL);
    assert_non_null(strstr(err.msg, "option --threads: [server] threads: expected"));
    cust_config_free(c);
    /* $CUSTODIAN_CONFIG names the file when no path is given */
    setenv("CUSTODIAN_CONFIG", path, 1);
    assert_int_equal(cust_config_load(NULL, &c, &err), CUST_OK);
    unsetenv("CUSTODIAN_CONFIG");
    assert_string_equal(cust_config_get(c, CUST_CFG_JURISDICTION), "us-tx");
    cust_config_free(c);
}

static void test_bad_files(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof(path), "%s/bad.conf", dir);
    struct cust_config *c = NULL;
    struct cust_err err = CUST_ERR_INIT;
    write_file(path, "[county]\njurisdiction = us-tx\ncolour = blue\n");
    assert_int_equal(cust_config_load(path, &c, &err), CUST_EINVAL);
    assert_null(c);
    assert_non_null(strstr(err.msg, "bad.conf:3: [county] colour: unknown setting"));
    write_file(path, "[nowhere]\nx = 1\n");
    assert_int_equal(cust_config_load(path, &c, &err), CUST_EINVAL);
    assert_non_null(strstr(err.msg, "bad.conf:2: [nowhere] x: unknown setting"));
    write_file(path, "[county\njurisdiction = us-tx\n");
    assert_int_equal(cust_config_load(path, &c, &err), CUST_EINVAL);
    assert_non_null(strstr(err.msg, "bad.conf:1: syntax error"));
    snprintf(path, sizeof(path), "%s/missing.conf", dir);
    assert_int_equal(cust_config_load(path, &c, &err), CUST_EIO);
}

/* The agency's paragraphs continue on indented lines; a line longer than inih reads is an error
 * naming it; an indented line after any other key is an error. */
static void test_paragraphs(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof(path), "%s/county.conf", dir);
    struct cust_config *c = NULL;
    struct cust_err err = CUST_ERR_INIT;
    write_file(path, "[county]\nagency_name = Example County Sheriff\n"
                     "visiting = Saturdays and Sundays,\n  8 a.m. to 4 p.m.\n\tBring an ID.\n"
                     "agency_phone = (555) 010-0100\n");
    assert_int_equal(cust_config_load(path, &c, &err), CUST_OK);
    assert_string_equal(cust_config_get(c, CUST_CFG_VISITING),
                        "Saturdays and Sundays, 8 a.m. to 4 p.m. Bring an ID.");
    char src[200];
    snprintf(src, sizeof(src), "%s:3", path);
    assert_string_equal(cust_config_source(c, CUST_CFG_VISITING), src);
    assert_string_equal(cust_config_get(c, CUST_CFG_AGENCY_PHONE), "(555) 010-0100");
    cust_config_free(c);
    c = NULL;
    char line[400];
    memset(line, 'x', sizeof(line));
    memcpy(line, "bail_info = ", 12);
    snprintf(line + 300, sizeof(line) - 300, "\n");
    char text[600];
    snprintf(text, sizeof(text), "[county]\nagency_name = A\n%sagency_phone = 1\n", line);
    write_file(path, text);
    assert_int_equal(cust_config_load(path, &c, &err), CUST_EINVAL);
    assert_null(c);
    assert_non_null(strstr(err.msg, "county.conf:3: longer than 199 bytes"));
    write_file(path, "[county]\nagency_name = A\n  continued\n");
    assert_int_equal(cust_config_load(path, &c, &err), CUST_EINVAL);
    assert_non_null(strstr(err.msg, "county.conf:3: [county] agency_name: an indented line"));
}

static void test_time_zone(void **state)
{
    (void)state;
    struct cust_config *c = cust_config_new();
    struct cust_err err = CUST_ERR_INIT;
    /* 02:30 UTC on Saturday is still Friday evening in Chicago */
    setenv("CUSTODIAN_NOW", "2025-07-19T02:30:00Z", 1);
    int32_t fri, sat;
    assert_true(cust_date_parse("2025-07-18", &fri));
    assert_true(cust_date_parse("2025-07-19", &sat));
    assert_int_equal(cust_config_apply(c, &err), CUST_OK);
    assert_int_equal(cust_today(), sat); /* UTC by default */
    cust_config_set(c, CUST_CFG_TIMEZONE, "America/Chicago", "test");
    assert_int_equal(cust_config_apply(c, &err), CUST_OK);
    assert_int_equal(cust_today(), fri);
    assert_string_equal(cust_time_zone_name(), "America/Chicago");
    int64_t t;
    assert_true(cust_time_parse("2025-01-15T12:00:00Z", &t, NULL));
    assert_int_equal(cust_time_zone_offset(t), -6 * 60); /* standard time */
    assert_true(cust_time_parse("2025-07-15T12:00:00Z", &t, NULL));
    assert_int_equal(cust_time_zone_offset(t), -5 * 60); /* daylight saving */
    cust_config_set(c, CUST_CFG_TIMEZONE, "Mars/Olympus_Mons", "env CUSTODIAN_TIMEZONE");
    assert_int_equal(cust_config_apply(c, &err), CUST_EINVAL);
    assert_non_null(strstr(err.msg, "county.timezone (env CUSTODIAN_TIMEZONE)"));
    cust_config_set(c, CUST_CFG_TIMEZONE, "../../etc/passwd", "test");
    assert_int_equal(cust_config_apply(c, &err), CUST_EINVAL);
    assert_string_equal(cust_time_zone_name(), "America/Chicago"); /* unchanged */
    cust_config_set(c, CUST_CFG_TIMEZONE, "UTC", "test");
    assert_int_equal(cust_config_apply(c, &err), CUST_OK);
    assert_int_equal(cust_today(), sat);
    unsetenv("CUSTODIAN_NOW");
    cust_config_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_order_and_sources, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_paragraphs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_time_zone, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
