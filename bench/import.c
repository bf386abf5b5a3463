/*
 * bench/import.c - import N generated bookings (default 1,000,000) with cust_import_file and,
 * in the same run, time sqlite3's `.import` of the same bookings flattened to CSV (the anchor).
 * Reports bookings/s, peak memory (max RSS) and the ratio. See docs/bench-import.md.
 *
 *     build-release/bench/bench_import [N] [postgresql://…/MAINTENANCE_DB]
 *
 * With a PostgreSQL URL (a maintenance database, `postgres`), the same bookings are also
 * imported into a new database there (COPY, store_postgres_bulk.c) and, as that backend's anchor,
 * the same CSV is loaded with `psql \copy` into a one-table database; both databases are
 * dropped after. The server's CPU is measured when BENCH_PG_DATA names its data folder (the
 * postmaster's reaped children, /proc/PID/stat); the database's size is printed.
 */
#include "custodian/compat.h"
#include "custodian/buf.h"
#include "custodian/records.h"

#include <libpq-fe.h>

#include <inttypes.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static uint64_t rng = 0x2545F4914F6CDD1Dull;

static uint32_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

static const char *pick(const char *const *a, size_t n)
{
    return a[next() % n];
}

#define PICK(a) pick(a, CUST_ARRAY_LEN(a))

static const char *const last_names[] = {"GARCIA", "SMITH",    "NGUYEN",   "JOHNSON", "LOPEZ",
                                         "KIM",    "WILLIAMS", "MARTINEZ", "BROWN",   "DAVIS"};
static const char *const first_names[] = {"JOSE", "MARIA", "JAMES", "ANH",    "MICHAEL",
                                          "ANA",  "DAVID", "LINDA", "CARLOS", "SUSAN"};
static const char *const facilities[] = {"Men's Central Jail", "Twin Towers", "Century Regional",
                                         "Pitchess North"};
static const char *const agencies[] = {"LAPD", "LASD", "CHP", "Long Beach PD", "Pasadena PD"};
static const char *const codes[][3] = {
    {"PC 245(a)(1)", "ASSAULT WITH A DEADLY WEAPON", "felony"},
    {"PC 459", "BURGLARY", "felony"},
    {"VC 23152(a)", "DRIVING UNDER THE INFLUENCE", "misdemeanor"},
    {"HS 11350(a)", "POSSESSION OF A CONTROLLED SUBSTANCE", "misdemeanor"},
    {"PC 273.5(a)", "CORPORAL INJURY ON A SPOUSE", "felony"},
    {"PC 3056", "PAROLE HOLD", "felony"},
};
static const char *const cit[][3] = {{"citizen", "US", "document"},
                                     {"non_citizen", "MX", "consular_notification"},
                                     {"unknown", "", "self_reported"},
                                     {"citizen", "US", "self_reported"}};

static void gen_line(struct cust_buf *j, struct cust_buf *c, long i)
{
    int day = 1 + (int)(next() % 28), mon = 1 + (int)(next() % 12);
    const char *ln = PICK(last_names), *fn = PICK(first_names), *fac = PICK(facilities);
    const char *ag = PICK(agencies);
    size_t ci = next() % CUST_ARRAY_LEN(cit);
    int dob_y = 1950 + (int)(next() % 55);
    bool released = next() % 3 == 0;
    char bn[24], pid[24], cii[24], booked[48], sched[24], rel[48];
    snprintf(bn, sizeof(bn), "%08ld", 10000000 + i);
    snprintf(pid, sizeof(pid), "P%07ld", (long)(next() % 900000));
    snprintf(cii, sizeof(cii), "A%08u", next() % 100000000u);
    snprintf(booked, sizeof(booked), "2024-%02d-%02dT%02u:%02u:00-08:00", mon, day, next() % 24,
             next() % 60);
    snprintf(sched, sizeof(sched), "2025-%02d-%02d", mon, day);
    snprintf(rel, sizeof(rel), "2024-%02d-%02dT23:59:00-08:00", mon, day);
    cust_buf_reset(j);
    int ok = cust_buf_appendf(
                 j,
                 "{\"booking_number\":\"%s\",\"booked_at\":\"%s\",\"facility\":\"%s\","
                 "\"housing\":\"%c%u / %u / %u\",\"arresting_agency\":\"%s\","
                 "\"person\":{\"person_id\":\"%s\",\"last_name\":\"%s\",\"first_name\":\"%s\","
                 "\"middle_name\":\"%c\",\"dob\":\"%d-%02d-%02d\",\"sex\":\"%s\","
                 "\"aliases\":[{\"last_name\":\"%s\",\"first_name\":\"%.3s\"}],"
                 "\"ids\":{\"cii\":\"%s\",\"fbi\":\"%uAB%u\",\"sid\":null,\"a_number\":null},"
                 "\"place_of_birth\":\"%s\",\"citizenship\":{\"status\":\"%s\",\"country\":%s%s%s,"
                 "\"source\":\"%s\",\"verified\":false,\"recorded_at\":\"2024-%02d-%02d\"},"
                 "\"home_address\":\"%u Main St, Los Angeles, CA "
                 "900%02u\",\"sex_arson_registrant\":false},"
                 "\"charges\":[",
                 bn, booked, fac, 'A' + (int)(next() % 6), next() % 9000, next() % 100, next() % 40,
                 ag, pid, ln, fn, 'A' + (int)(next() % 26), dob_y, 1 + (int)(next() % 12),
                 1 + (int)(next() % 28), next() % 2 ? "M" : "F", ln, fn, cii, next() % 999999,
                 next() % 10, cit[ci][1][0] ? cit[ci][1] : "US", cit[ci][0],
                 cit[ci][1][0] ? "\"" : "null", cit[ci][1][0] ? cit[ci][1] : "",
                 cit[ci][1][0] ? "\"" : "", cit[ci][2], mon, day, next() % 9999,
                 next() % 100) == CUST_OK;
    /* (country printed as a string or null; the two-part format keeps the line compact) */
    int nch = 1 + (int)(next() % 4 == 0) + (int)(next() % 8 == 0);
    struct cust_buf charges = CUST_BUF_INIT;
    for (int k = 0; k < nch; k++) {
        size_t x = next() % CUST_ARRAY_LEN(codes);
        ok &= cust_buf_appendf(&charges,
                               "%s{\"code\":\"%s\",\"description\":\"%s\",\"level\":\"%s\","
                               "\"status\":\"%s\",\"held_to_answer\":%s,\"case_number\":\"BA%06u\","
                               "\"court\":\"CCB Dept %u\",\"next_court_date\":\"2025-%02d-%02d\","
                               "\"bail_cents\":%u}",
                               k ? "," : "", codes[x][0], codes[x][1], codes[x][2],
                               x == 5 ? "hold" : "pending", next() % 2 ? "true" : "false",
                               next() % 1000000, next() % 200, mon, day,
                               (next() % 1000) * 10000) == CUST_OK;
    }
    ok &= cust_buf_append(j, charges.buf, charges.len) == CUST_OK;
    ok &= cust_buf_puts(j, "],\"prior_convictions\":[") == CUST_OK;
    int npr = next() % 3 == 0 ? 1 + (int)(next() % 2) : 0;
    struct cust_buf priors = CUST_BUF_INIT;
    for (int k = 0; k < npr; k++) {
        size_t x = next() % CUST_ARRAY_LEN(codes);
        ok &= cust_buf_appendf(&priors,
                               "%s{\"code\":\"%s\",\"level\":\"%s\",\"date\":\"%d-%02d-01\","
                               "\"jurisdiction\":\"CA\"}",
                               k ? "," : "", codes[x][0], codes[x][2], 2000 + (int)(next() % 20),
                               1 + (int)(next() % 12)) == CUST_OK;
    }
    ok &= cust_buf_append(j, priors.buf, priors.len) == CUST_OK;
    ok &= cust_buf_appendf(j,
                           "],\"scheduled_release\":\"%s\",\"release_date_public\":%s,"
                           "\"released_at\":%s%s%s,\"release_reason\":%s}\n",
                           sched, next() % 2 ? "true" : "false", released ? "\"" : "",
                           released ? rel : "null", released ? "\"" : "",
                           released ? "\"bail\"" : "null") == CUST_OK;
    /* the same booking as one CSV row */
    cust_buf_reset(c);
    const char *fields[] = {bn,          booked,     fac,   ag,
                            pid,         ln,         fn,    cii,
                            cit[ci][0],  cit[ci][2], sched, released ? rel : "",
                            charges.buf, priors.buf};
    for (size_t k = 0; k < CUST_ARRAY_LEN(fields); k++) {
        if (k)
            ok &= cust_buf_putc(c, ',') == CUST_OK;
        ok &= cust_buf_csv_field(c, fields[k]) == CUST_OK;
    }
    ok &= cust_buf_putc(c, '\n') == CUST_OK;
    cust_buf_release(&charges);
    cust_buf_release(&priors);
    CUST_ASSERT(ok);
}

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_of(int who)
{
    struct rusage ru;
    getrusage(who, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static void rm_db(const char *p)
{
    char x[600];
    unlink(p);
    snprintf(x, sizeof(x), "%s-wal", p);
    unlink(x);
    snprintf(x, sizeof(x), "%s-shm", p);
    unlink(x);
}

/* ---- PostgreSQL ---------------------------------------------------------------------- */

/* CPU seconds of the PostgreSQL server's finished sessions (the postmaster's reaped children):
 * -1 without BENCH_PG_DATA. */
static double pg_server_cpu(void)
{
    const char *data = getenv("BENCH_PG_DATA");
    char path[600], line[1024];
    if (!data)
        return -1;
    snprintf(path, sizeof(path), "%s/postmaster.pid", data);
    FILE *f = fopen(path, "r");
    long pid = 0;
    if (!f || fscanf(f, "%ld", &pid) != 1) {
        if (f)
            fclose(f);
        return -1;
    }
    fclose(f);
    snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
    if (!(f = fopen(path, "r")))
        return -1;
    bool got = fgets(line, sizeof(line), f) != NULL;
    fclose(f);
    const char *p = got ? strrchr(line, ')') : NULL;
    if (!p)
        return -1;
    /* after the name: field 3 (the state, a letter), then numbers: 14 utime ... 16 cutime,
     * 17 cstime (man 5 proc) */
    unsigned long long v[18] = {0};
    char *q = strchr(p, ' ');
    q = q ? strchr(q + 1, ' ') : NULL; /* past the state */
    for (int k = 4; q && k <= 17; k++)
        v[k] = strtoull(q, &q, 10);
    return (double)(v[16] + v[17]) / (double)sysconf(_SC_CLK_TCK);
}

static bool pg_sql(const char *url, const char *sql)
{
    PGconn *c = PQconnectdb(url);
    PGresult *r = PQexec(c, sql);
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
    if (!ok)
        fprintf(stderr, "bench_import: %s: %s", sql, PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
    return ok;
}

/* url with its database replaced by db (postgresql:///DB?params) */
static void pg_url(const char *url, const char *db, char *out, size_t cap)
{
    const char *q = strchr(url, '?');
    const char *slash = strstr(url, "://");
    slash = slash ? strchr(slash + 3, '/') : NULL;
    snprintf(out, cap, "%.*s/%s%s", slash ? (int)(slash - url) : (int)strlen(url), url, db,
             q ? q : "");
}

static void pg_size(const char *url, const char *what)
{
    PGconn *c = PQconnectdb(url);
    PGresult *r = PQexec(c, "SELECT pg_database_size(current_database())");
    if (PQresultStatus(r) == PGRES_TUPLES_OK)
        printf("%s database size: %.1f MiB\n", what, strtod(PQgetvalue(r, 0, 0), NULL) / 1048576.0);
    PQclear(r);
    PQfinish(c);
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int bench_pg(const char *maint, const char *jpath, const char *cpath, long n)
{
    char db[64], adb[64], url[1024], aurl[1024], sql[256];
    snprintf(db, sizeof(db), "bench_import_%ld", (long)getpid());
    snprintf(adb, sizeof(adb), "bench_import_anchor_%ld", (long)getpid());
    pg_url(maint, db, url, sizeof(url));
    pg_url(maint, adb, aurl, sizeof(aurl));
    snprintf(sql, sizeof(sql), "CREATE DATABASE %s", db);
    if (!pg_sql(maint, sql))
        return 1;
    snprintf(sql, sizeof(sql), "CREATE DATABASE %s", adb);
    if (!pg_sql(maint, sql))
        return 1;
    struct cust_store *s;
    struct cust_err err = CUST_ERR_INIT;
    int rc = 1;
    if (cust_store_open(url, CUST_STORE_CREATE, &s, &err) != CUST_OK) {
        fprintf(stderr, "bench_import: %s\n", err.msg);
        goto drop;
    }
    struct cust_import_opts o = {.path = jpath, .actor = "bench"};
    struct cust_import_stats st;
    double srv0 = pg_server_cpu(), c0 = cpu_of(RUSAGE_SELF), t = mono();
    enum cust_status ist = cust_import_file(s, &o, &st, &err);
    double ti = mono() - t, ci = cpu_of(RUSAGE_SELF) - c0;
    cust_store_close(s);
    sleep_ms(300); /* the session's process ends and is reaped */
    double srv = srv0 >= 0 ? pg_server_cpu() - srv0 : -1;
    if (ist != CUST_OK) {
        fprintf(stderr, "bench_import: PostgreSQL: %s\n", err.msg);
        goto drop;
    }
    printf("custodian import on PostgreSQL (COPY): %" PRId64 " bookings in %.2f s = %.0f "
           "bookings/s (client CPU %.2f s, server CPU %.2f s)\n",
           st.bookings, ti, (double)st.bookings / ti, ci, srv);
    pg_size(url, "custodian");

    /* anchor: psql \copy of the same CSV into one table of 14 text columns */
    char create[600], copy[700];
    snprintf(create, sizeof(create),
             "CREATE TABLE bookings(booking_number text, booked_at text, facility text,"
             " arresting_agency text, person_id text, last_name text, first_name text, cii text,"
             " citizenship_status text, citizenship_source text, scheduled_release text,"
             " released_at text, charges text, prior_convictions text)");
    if (!pg_sql(aurl, create))
        goto drop;
    snprintf(copy, sizeof(copy), "\\copy bookings FROM '%s' WITH (FORMAT csv, HEADER true)", cpath);
    char prog[] = "psql", qflag[] = "-q", cflag[] = "-c";
    char *args[] = {prog, qflag, aurl, cflag, copy, NULL};
    pid_t pid;
    double ch0 = cpu_of(RUSAGE_CHILDREN);
    srv0 = pg_server_cpu();
    t = mono();
    if (posix_spawnp(&pid, "psql", NULL, NULL, args, environ) != 0) {
        perror("bench_import: psql");
        goto drop;
    }
    int wst;
    waitpid(pid, &wst, 0);
    double ta = mono() - t;
    sleep_ms(300);
    srv = srv0 >= 0 ? pg_server_cpu() - srv0 : -1;
    if (!WIFEXITED(wst) || WEXITSTATUS(wst) != 0)
        goto drop;
    printf("psql \\copy (CSV anchor): %ld rows in %.2f s = %.0f rows/s (psql CPU %.2f s, server "
           "CPU %.2f s)\n",
           n, ta, (double)n / ta, cpu_of(RUSAGE_CHILDREN) - ch0, srv);
    pg_size(aurl, "anchor");
    printf("wall ratio custodian/psql \\copy = %.2fx\n", ti / ta);
    rc = 0;
drop:
    snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", db);
    pg_sql(maint, sql);
    snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", adb);
    pg_sql(maint, sql);
    return rc;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 1000000;
    if (n <= 0)
        n = 1000000;
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char jpath[512], cpath[512], db[512], adb[512];
    snprintf(jpath, sizeof(jpath), "%s/bench-import-%ld.jsonl", tmp, (long)getpid());
    snprintf(cpath, sizeof(cpath), "%s/bench-import-%ld.csv", tmp, (long)getpid());
    snprintf(db, sizeof(db), "%s/bench-import-%ld.db", tmp, (long)getpid());
    snprintf(adb, sizeof(adb), "%s/bench-import-anchor-%ld.db", tmp, (long)getpid());

    FILE *jf = fopen(jpath, "wb"), *cf = fopen(cpath, "wb");
    if (!jf || !cf) {
        perror("bench_import: temp files");
        return 1;
    }
    fputs("booking_number,booked_at,facility,arresting_agency,person_id,last_name,first_name,"
          "cii,citizenship_status,citizenship_source,scheduled_release,released_at,charges,"
          "prior_convictions\n",
          cf);
    struct cust_buf j = CUST_BUF_INIT, c = CUST_BUF_INIT;
    size_t bytes = 0;
    double t = mono();
    for (long i = 0; i < n; i++) {
        gen_line(&j, &c, i);
        fwrite(j.buf, 1, j.len, jf);
        fwrite(c.buf, 1, c.len, cf);
        bytes += j.len;
    }
    fclose(jf);
    fclose(cf);
    cust_buf_release(&j);
    cust_buf_release(&c);
    printf("generated %ld bookings (%.0f bytes/line on average) in %.1f s\n", n,
           (double)bytes / (double)n, mono() - t);

    /* custodian import */
    rm_db(db);
    struct cust_store *s;
    struct cust_err err = CUST_ERR_INIT;
    if (cust_store_open(db, CUST_STORE_CREATE, &s, &err) != CUST_OK) {
        fprintf(stderr, "bench_import: %s\n", err.msg);
        return 1;
    }
    struct cust_import_opts o = {.path = jpath, .actor = "bench"};
    struct cust_import_stats st;
    t = mono();
    double c0 = cpu_of(RUSAGE_SELF);
    enum cust_status rc = cust_import_file(s, &o, &st, &err);
    double ti = mono() - t, ci = cpu_of(RUSAGE_SELF) - c0;
    cust_store_close(s);
    if (rc != CUST_OK) {
        fprintf(stderr, "bench_import: %s\n", err.msg);
        return 1;
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("custodian import: %" PRId64 " bookings (%" PRId64 " persons) in %.2f s = %.0f "
           "bookings/s (CPU %.2f s), peak RSS %.1f MiB\n",
           st.bookings, st.persons, ti, (double)st.bookings / ti, ci,
           (double)ru.ru_maxrss / 1024.0);

    /* anchor: sqlite3 .import of the same bookings as CSV */
    rm_db(adb);
    char cmd[1200];
    snprintf(cmd, sizeof(cmd), ".import --csv %s bookings", cpath);
    char prog[] = "sqlite3";
    char *args[] = {prog, adb, cmd, NULL};
    pid_t pid;
    t = mono();
    if (posix_spawnp(&pid, "sqlite3", NULL, NULL, args, environ) != 0) {
        perror("bench_import: sqlite3");
        return 1;
    }
    int wst;
    waitpid(pid, &wst, 0);
    double ta = mono() - t;
    /* (no RSS for the child: posix_spawn's shared-memory start makes its max RSS include ours) */
    printf("sqlite3 .import (CSV anchor): %ld rows in %.2f s = %.0f rows/s (CPU %.2f s)\n", n, ta,
           (double)n / ta, cpu_of(RUSAGE_CHILDREN));
    printf("CPU ratio custodian/sqlite3 = %.2fx\n", ci / cpu_of(RUSAGE_CHILDREN));
    printf("wall ratio custodian/sqlite3 = %.2fx (goal <= 3x); goal 100000 bookings/s: %s\n",
           ti / ta, (double)st.bookings / ti >= 100000 ? "met" : "NOT met");
    int pg_rc = argc > 2 ? bench_pg(argv[2], jpath, cpath, n) : 0;
    if (!getenv("BENCH_KEEP")) {
        unlink(jpath);
        unlink(cpath);
    }
    rm_db(db);
    rm_db(adb);
    return WIFEXITED(wst) && WEXITSTATUS(wst) == 0 && pg_rc == 0 ? 0 : 1;
}
