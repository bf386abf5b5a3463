/*
 * bench_verify - `custodian audit verify` of a county's store beside `sha256sum` of the same
 * store file, in the same run (docs/bench-ledger.md).
 *
 *   build-release/bench/bench_verify [--bookings N] [--work DIR] [--runs R] [--bin CUSTODIAN]
 *                                    [--db STORE]
 *
 * 1. Builds (once; kept in --work) a county of N bookings (default 1,000,000) with
 *    `custodian gen | custodian import -`: every booking, version, person, charge and prior
 *    committed to the ledger (ledger.md "Rows"). The WAL is folded into the store file first,
 *    so the file holds every byte a verify reads.
 * 2. Runs, alternately R times each (default 3), `custodian audit verify` (the chain, the
 *    Merkle tree, the disclosures and every row of every covered table) and `sha256sum` over
 *    the store file (the anchor: reading and hashing the same bytes once). Both read a file in
 *    the page cache (one untimed run of each first).
 * Prints each run's wall and CPU time (the machine is shared: CPU is the steadier figure), the
 * medians and their ratio (goal: within 2x).
 */
#include "custodian/compat.h"

#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct run {
    double wall, cpu;
    int status;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Run argv with stdout to /dev/null; wall and CPU (user + sys, the child's own) time. */
static struct run timed(const char *const argv[])
{
    struct run r = {0, 0, -1};
    fflush(stdout);
    double t0 = now_s();
    pid_t pid = fork();
    if (pid < 0)
        return r;
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stdout))
            _exit(127);
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    int st = 0;
    struct rusage ru;
    if (wait4(pid, &st, 0, &ru) != pid)
        return r;
    r.wall = now_s() - t0;
    r.cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
            (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
    return r;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static long long count(sqlite3 *h, const char *sql)
{
    sqlite3_stmt *s = NULL;
    long long n = -1;
    if (sqlite3_prepare_v2(h, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
        n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return n;
}

#define MAX_RUNS 15

int main(int argc, char **argv)
{
    long bookings = 1000000;
    int runs = 3;
    const char *work = "/tmp/cust-bench-verify", *bin_opt = NULL, *db_opt = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--bookings") == 0)
            bookings = strtol(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--work") == 0)
            work = argv[i + 1];
        else if (strcmp(argv[i], "--runs") == 0)
            runs = (int)strtol(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--bin") == 0)
            bin_opt = argv[i + 1];
        else if (strcmp(argv[i], "--db") == 0)
            db_opt = argv[i + 1];
        else {
            fprintf(stderr, "bench_verify: unknown option '%s'\n", argv[i]);
            return 2;
        }
    }
    if (runs < 1 || runs > MAX_RUNS || bookings < 1) {
        fprintf(stderr, "bench_verify: --runs 1..%d, --bookings from 1\n", MAX_RUNS);
        return 2;
    }
    char self[1024], bin[1100], db[1100], cmd[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n <= 0)
        return 1;
    self[n] = '\0';
    *strrchr(self, '/') = '\0';
    snprintf(bin, sizeof(bin), "%s/../custodian", self);
    if (bin_opt)
        snprintf(bin, sizeof(bin), "%s", bin_opt);
    mkdir(work, 0755);
    snprintf(db, sizeof(db), "%s/county-%ld.db", work, bookings);
    if (db_opt)
        snprintf(db, sizeof(db), "%s", db_opt);

    struct stat sb;
    if (stat(db, &sb) != 0) {
        fprintf(stderr, "building a county of %ld bookings in %s ...\n", bookings, db);
        snprintf(cmd, sizeof(cmd),
                 "'%s' gen --bookings %ld | '%s' --db '%s' import - --no-progress", bin, bookings,
                 bin, db);
        double t0 = now_s();
        if (system(cmd) != 0) {
            fprintf(stderr, "bench_verify: building the county failed\n");
            return 1;
        }
        fprintf(stderr, "built in %.1f s\n", now_s() - t0);
    }
    /* every byte in the store file (the WAL folded in), and what it holds */
    sqlite3 *h = NULL;
    if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        fprintf(stderr, "bench_verify: cannot open %s\n", db);
        return 1;
    }
    sqlite3_busy_timeout(h, 60000);
    if (sqlite3_exec(h, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL) != SQLITE_OK) {
        fprintf(stderr, "bench_verify: checkpoint: %s\n", sqlite3_errmsg(h));
        return 1;
    }
    long long nb = count(h, "SELECT count(*) FROM bookings"),
              nv = count(h, "SELECT count(*) FROM booking_versions"),
              np = count(h, "SELECT count(*) FROM persons"),
              ne = count(h, "SELECT count(*) FROM ledger"),
              nj = count(h, "SELECT coalesce(sum(n), 0) FROM ledger_rows");
    sqlite3_close(h);
    if (stat(db, &sb) != 0)
        return 1;
    printf("store: %s, %.1f MiB; %lld bookings, %lld versions, %lld persons; ledger: %lld "
           "entries committing %lld row versions\n",
           db, (double)sb.st_size / 1048576.0, nb, nv, np, ne, nj);

    const char *verify_argv[] = {bin, "--db", db, "audit", "verify", NULL};
    const char *sha_argv[] = {"sha256sum", db, NULL};
    /* warm the page cache, and check that the store verifies at all */
    struct run w = timed(verify_argv);
    if (w.status != 0) {
        fprintf(stderr, "bench_verify: audit verify exited %d\n", w.status);
        return 1;
    }
    if (timed(sha_argv).status != 0) {
        fprintf(stderr, "bench_verify: sha256sum failed\n");
        return 1;
    }
    double vw[MAX_RUNS], vc[MAX_RUNS], sw[MAX_RUNS], sc[MAX_RUNS];
    for (int i = 0; i < runs; i++) {
        struct run v = timed(verify_argv), s = timed(sha_argv);
        if (v.status != 0 || s.status != 0) {
            fprintf(stderr, "bench_verify: run %d failed\n", i + 1);
            return 1;
        }
        printf("run %d: audit verify %.2f s wall, %.2f s CPU; sha256sum %.2f s wall, %.2f s CPU\n",
               i + 1, v.wall, v.cpu, s.wall, s.cpu);
        vw[i] = v.wall;
        vc[i] = v.cpu;
        sw[i] = s.wall;
        sc[i] = s.cpu;
    }
    double mvw = median(vw, runs), mvc = median(vc, runs), msw = median(sw, runs),
           msc = median(sc, runs);
    printf("median: audit verify %.2f s wall (%.0f MB/s), %.2f s CPU; sha256sum %.2f s wall "
           "(%.0f MB/s), %.2f s CPU\n",
           mvw, (double)sb.st_size / 1e6 / mvw, mvc, msw, (double)sb.st_size / 1e6 / msw, msc);
    printf("ratio: %.2fx wall, %.2fx CPU (goal: within 2x)\n", mvw / msw, mvc / msc);
    return 0;
}
