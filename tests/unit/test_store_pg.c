/*
 * The PostgreSQL test harness and schema (tests/pg/tests.cmake,
 * docs/internals/store-postgresql.md): the fixture's throwaway server is PostgreSQL 15, reached
 * on a Unix socket only, and a test can make (and drop) a database of its own there; a
 * PostgreSQL store has SQLite's schema: the same migrations, and every table with the same
 * columns in the same order and types of the same kind (what keeps the row hashes identical).
 * Skipped (77) without CUSTODIAN_TEST_PG.
 */
#include "custodian/compat.h"
#include "custodian/store.h"

#include <setjmp.h>
#include <stdarg.h>
#include <unistd.h>
#include <cmocka.h>
#include <libpq-fe.h>
#include <sqlite3.h>

/* The PostgreSQL backend's migrations (store_postgres_schema.c). */
extern const int cust_pg_migration_count;

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

/* The PostgreSQL type a SQLite declared type maps to (docs/internals/store-postgresql.md). */
static const char *pg_type_of(const char *table, const char *sqlite_type)
{
    if (strcmp(table, "schema_migrations") == 0 && strcmp(sqlite_type, "TEXT") == 0)
        return "text";
    if (strcmp(sqlite_type, "INTEGER") == 0)
        return "bigint";
    if (strcmp(sqlite_type, "TEXT") == 0)
        return "ctext";
    if (strcmp(sqlite_type, "BLOB") == 0)
        return "bytea";
    if (strcmp(sqlite_type, "REAL") == 0)
        return "double precision";
    return "?";
}

static void test_same_schema_as_sqlite(void **state)
{
    (void)state;
    assert_int_equal(cust_pg_migration_count, cust_store_schema_version());
    /* a SQLite store and a PostgreSQL store, both created now */
    char path[64];
    snprintf(path, sizeof(path), "/tmp/cust-pg-schema.%ld.db", (long)getpid());
    unlink(path);
    struct cust_store *s;
    struct cust_err err = CUST_ERR_INIT;
    assert_int_equal(cust_store_open(path, CUST_STORE_CREATE, &s, &err), CUST_OK);
    cust_store_close(s);
    PGconn *c = connect_to(url());
    char name[64], sql[256];
    snprintf(name, sizeof(name), "cust_schema_%ld", (long)getpid());
    snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", name);
    exec_ok(c, sql);
    snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
    exec_ok(c, sql);
    char pgurl[1024];
    snprintf(pgurl, sizeof(pgurl), "postgresql:///%s?host=%s&user=custodian", name, PQhost(c));
    if (cust_store_open(pgurl, CUST_STORE_CREATE, &s, &err) != CUST_OK)
        fail_msg("open %s: %s", pgurl, err.msg);
    assert_string_equal(cust_store_backend(s), "postgresql");
    cust_store_close(s);
    /* opening again migrates nothing and keeps the version */
    assert_int_equal(cust_store_open(pgurl, CUST_STORE_OPEN, &s, &err), CUST_OK);
    cust_store_close(s);

    char conninfo[1024];
    snprintf(conninfo, sizeof(conninfo), "host=%s user=custodian dbname=%s", PQhost(c), name);
    PGconn *d = connect_to(conninfo);
    char *v = one(d, "SELECT max(version) FROM schema_migrations");
    char want[16];
    snprintf(want, sizeof(want), "%d", cust_store_schema_version());
    assert_string_equal(v, want);
    free(v);

    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *t;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT m.name, c.name, upper(c.type) FROM sqlite_master m"
                                        " JOIN pragma_table_info(m.name) c"
                                        " WHERE m.type IN ('table', 'view')"
                                        " ORDER BY m.name, c.cid",
                                        -1, &t, NULL),
                     SQLITE_OK);
    int columns = 0;
    while (sqlite3_step(t) == SQLITE_ROW) {
        const char *table = (const char *)sqlite3_column_text(t, 0);
        const char *col = (const char *)sqlite3_column_text(t, 1);
        const char *type = (const char *)sqlite3_column_text(t, 2);
        /* the same column at the same place, of the mapped type (views: their columns) */
        const char *params[2] = {table, col};
        PGresult *r = PQexecParams(d,
                                   "SELECT coalesce(domain_name, data_type), ordinal_position"
                                   " FROM information_schema.columns"
                                   " WHERE table_schema = 'public' AND table_name = $1"
                                   " AND column_name = $2",
                                   2, NULL, params, NULL, NULL, 0);
        if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
            fail_msg("PostgreSQL has no column %s.%s", table, col);
        if (type && *type)
            if (strcmp(PQgetvalue(r, 0, 0), pg_type_of(table, type)) != 0)
                fail_msg("%s.%s: %s on SQLite, %s on PostgreSQL", table, col, type,
                         PQgetvalue(r, 0, 0));
        PQclear(r);
        columns++;
    }
    sqlite3_finalize(t);
    sqlite3_close(db);
    assert_true(columns > 200);
    /* and no column more */
    v = one(d, "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'public'");
    assert_int_equal(strtol(v, NULL, 10), columns);
    free(v);
    PQfinish(d);
    snprintf(sql, sizeof(sql), "DROP DATABASE %s", name);
    exec_ok(c, sql);
    PQfinish(c);
    unlink(path);
    char side[96];
    snprintf(side, sizeof(side), "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof(side), "%s-shm", path);
    unlink(side);
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
        cmocka_unit_test(test_same_schema_as_sqlite),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
