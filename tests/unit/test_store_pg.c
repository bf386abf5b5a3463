/*
 * The PostgreSQL test harness (tests/pg/tests.cmake, docs/internals/store-postgresql.md):
 * the fixture's throwaway server is PostgreSQL 15, reached on a Unix socket only, and a test
 * can make (and drop) a database of its own there. Skipped (77) without CUSTODIAN_TEST_PG.
 */
#include "custodian/compat.h"
#include "custodian/store.h"

#include <setjmp.h>
#include <stdarg.h>
#include <unistd.h>
#include <cmocka.h>
#include <libpq-fe.h>

static const char *url(void)
{
    return getenv("CUSTODIAN_TEST_PG");
}

static PGconn *connect_to(const char *conninfo)
{
    PGconn *c = PQconnectdb(conninfo);
    if (PQstatus(c) != CONNECTION_OK)
        fail_msg("connect to %s: %s", conninfo, PQerrorMessage(c));
    return c;
}

/* The one value of a one-row, one-column query. */
static char *one(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
        fail_msg("%s: %s", sql, PQerrorMessage(c));
    char *v = cust_xstrdup(PQgetvalue(r, 0, 0));
    PQclear(r);
    return v;
}

static void exec_ok(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        fail_msg("%s: %s", sql, PQerrorMessage(c));
    PQclear(r);
}

static void test_server_is_15_on_a_socket(void **state)
{
    (void)state;
    PGconn *c = connect_to(url());
    char *v = one(c, "SELECT current_setting('server_version_num')::int / 10000");
    assert_string_equal(v, "15");
    free(v);
    /* no TCP: the server listens on its socket only */
    v = one(c, "SHOW listen_addresses");
    assert_string_equal(v, "");
    free(v);
    assert_non_null(PQhost(c));
    assert_int_equal(PQhost(c)[0], '/');
    v = one(c, "SELECT pg_encoding_to_char(encoding) FROM pg_database"
               " WHERE datname = current_database()");
    assert_string_equal(v, "UTF8");
    free(v);
    PQfinish(c);
}

static void test_a_database_of_its_own(void **state)
{
    (void)state;
    PGconn *c = connect_to(url());
    char name[64], sql[128];
    snprintf(name, sizeof(name), "cust_harness_%ld", (long)getpid());
    snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", name);
    exec_ok(c, sql);
    snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
    exec_ok(c, sql);

    char conninfo[1024];
    const char *host = PQhost(c);
    snprintf(conninfo, sizeof(conninfo), "host=%s user=custodian dbname=%s", host, name);
    PGconn *d = connect_to(conninfo);
    exec_ok(d, "CREATE TABLE t(x bigint)");
    exec_ok(d, "INSERT INTO t VALUES (7)");
    char *v = one(d, "SELECT sum(x) FROM t");
    assert_string_equal(v, "7");
    free(v);
    PQfinish(d);

    snprintf(sql, sizeof(sql), "DROP DATABASE %s", name);
    exec_ok(c, sql);
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM pg_database WHERE datname = '%s'", name);
    v = one(c, sql);
    assert_string_equal(v, "0");
    free(v);
    PQfinish(c);
}

int main(void)
{
    if (!url() || !*url()) {
        fprintf(stderr, "test_store_pg: CUSTODIAN_TEST_PG is not set (the `pg` fixture of "
                        "tests/pg/tests.cmake sets it): skipped\n");
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_server_is_15_on_a_socket),
        cmocka_unit_test(test_a_database_of_its_own),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
