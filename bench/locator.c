/*
 * bench_locator - the public locator under load, with its anchor in the same run.
 *
 *   build-release/bench/bench_locator [--bookings N] [--work DIR] [--duration S]
 *                                     [--connections C] [--threads T]
 *                                     [--bin CUSTODIAN] [--db STORE]
 *
 * 1. Builds (once; kept in --work) a county of N bookings (default 1,000,000) with
 *    `custodian gen | custodian import -`.
 * 2. Serves it with `custodian serve` (rate limit lifted, access log to /dev/null) and runs
 *    `wrk --latency` against GET /api/v1/public/inmates?last_name=NAME, NAME the most common
 *    last name in custody (so every response carries the full result cap of rows): once with
 *    the default 30 s answer cache, once with --cache-ttl 0 (every request runs the query).
 *    A third run serves the county's published view (`custodian publish --out`, what the public
 *    server of a deployment reads) with `serve --public-only`, also with --cache-ttl 0.
 * 3. Serves a static file of the same size as that response with nginx (worker_processes auto,
 *    access log off) on the same machine and runs the same wrk against it.
 * Prints both, the ratio (goal >= 50 %) and p99 at C connections (goal < 10 ms), and the CPU
 * time each server used during its measured run (utime + stime from /proc, the machine being
 * shared: CPU per request is the steadier figure). --bin and --db run another build (e.g. an
 * older one, for a before/after) against its own store.
 */
#include "custodian/compat.h"

#include <errno.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

struct wrk_result {
    double rps, p50_ms, p99_ms, cpu_s;
    long long requests, errors;
};

static double to_ms(double v, const char *unit)
{
    if (strcmp(unit, "us") == 0)
        return v / 1000.0;
    if (strcmp(unit, "s") == 0)
        return v * 1000.0;
    return v;
}

/* Run wrk and parse Requests/sec, the 50 % and 99 % latencies, and non-2xx/socket errors. */
static bool run_wrk(const char *url, unsigned threads, unsigned conns, unsigned secs,
                    struct wrk_result *r)
{
    char cmd[1024];
    snprintf(cmd, sizeof(cmd), "wrk -t%u -c%u -d%us --latency '%s' 2>&1", threads, conns, secs,
             url);
    FILE *p = popen(cmd, "r");
    if (!p)
        return false;
    memset(r, 0, sizeof(*r));
    char line[512];
    while (fgets(line, sizeof(line), p)) {
        double v;
        char unit[8];
        long long a, b, c, d;
        if (sscanf(line, " 50%% %lf%7s", &v, unit) == 2)
            r->p50_ms = to_ms(v, unit);
        else if (sscanf(line, " 99%% %lf%7s", &v, unit) == 2)
            r->p99_ms = to_ms(v, unit);
        else if (sscanf(line, "Requests/sec: %lf", &v) == 1)
            r->rps = v;
        else if (sscanf(line, " %lld requests in", &a) == 1)
            r->requests = a;
        else if (sscanf(line, " Non-2xx or 3xx responses: %lld", &a) == 1)
            r->errors += a;
        else if (sscanf(line, " Socket errors: connect %lld, read %lld, write %lld, timeout %lld",
                        &a, &b, &c, &d) == 4)
            r->errors += a + b + c + d;
    }
    return pclose(p) == 0 && r->rps > 0;
}

static pid_t spawn(const char *const argv[], const char *err_path)
{
    pid_t pid = fork();
    if (pid == 0) {
        FILE *e = freopen(err_path, "w", stderr);
        (void)e;
        execvp(argv[0], (char *const *)(uintptr_t)argv);
        _exit(127);
    }
    return pid;
}

static void stop(pid_t pid)
{
    if (pid <= 0)
        return;
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
}

/* utime + stime of a process and its direct children (nginx workers), in seconds. */
static double proc_cpu(pid_t pid)
{
    char path[128];
    double tick = (double)sysconf(_SC_CLK_TCK), total = 0;
    snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
    FILE *f = fopen(path, "r");
    if (f) {
        char buf[2048];
        size_t n = fread(buf, 1, sizeof(buf) - 1, f);
        buf[n] = '\0';
        fclose(f);
        const char *p = strrchr(buf, ')');
        unsigned long ut = 0, stt = 0;
        /* after "pid (comm)": state ppid pgrp session tty tpgid flags minflt cminflt majflt
         * cmajflt utime stime */
        if (p &&
            sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &stt) == 2)
            total += (double)(ut + stt) / tick;
    }
    snprintf(path, sizeof(path), "/proc/%ld/task/%ld/children", (long)pid, (long)pid);
    f = fopen(path, "r");
    if (f) {
        long child;
        while (fscanf(f, "%ld", &child) == 1)
            total += proc_cpu((pid_t)child);
        fclose(f);
    }
    return total;
}

static bool wait_file(const char *path)
{
    struct stat sb;
    for (int i = 0; i < 600; i++) {
        if (stat(path, &sb) == 0 && sb.st_size > 0)
            return true;
        usleep(50000);
    }
    return false;
}

static long body_size(const char *url)
{
    char cmd[1024];
    snprintf(cmd, sizeof(cmd), "curl -s '%s' | wc -c", url);
    FILE *p = popen(cmd, "r");
    long n = -1;
    if (p) {
        if (fscanf(p, "%ld", &n) != 1)
            n = -1;
        pclose(p);
    }
    return n;
}

int main(int argc, char **argv)
{
    long bookings = 1000000;
    unsigned secs = 10, conns = 64, threads = 2;
    const char *work = "/tmp/cust-bench-locator", *bin_opt = NULL, *db_opt = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--bookings") == 0)
            bookings = strtol(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--work") == 0)
            work = argv[i + 1];
        else if (strcmp(argv[i], "--duration") == 0)
            secs = (unsigned)strtoul(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--connections") == 0)
            conns = (unsigned)strtoul(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--threads") == 0)
            threads = (unsigned)strtoul(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--bin") == 0)
            bin_opt = argv[i + 1];
        else if (strcmp(argv[i], "--db") == 0)
            db_opt = argv[i + 1];
    }
    char self[1024], bin[1100], db[1100], path[1200], cmd[4096];
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
        if (system(cmd) != 0) {
            fprintf(stderr, "bench_locator: building the county failed\n");
            return 1;
        }
    }

    /* the most common last name among persons in custody */
    sqlite3 *h = NULL;
    char name[128] = "";
    long in_custody = 0;
    if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
        /* in custody today: schema 4 names the day; an older store has in_custody */
        static const char *const in_custody_sql[] = {
            "(unreleased OR released_day > CAST(julianday('now') - 2440587.5 AS INTEGER))",
            "in_custody"};
        for (size_t k = 0; k < 2 && !*name; k++) {
            char sql[512];
            sqlite3_stmt *s = NULL;
            snprintf(sql, sizeof(sql),
                     "SELECT last_name, count(*), (SELECT count(*) FROM public_bookings WHERE %s)"
                     " FROM public_bookings WHERE %s GROUP BY last_name ORDER BY count(*) DESC"
                     " LIMIT 1",
                     in_custody_sql[k], in_custody_sql[k]);
            if (sqlite3_prepare_v2(h, sql, -1, &s, NULL) == SQLITE_OK &&
                sqlite3_step(s) == SQLITE_ROW) {
                snprintf(name, sizeof(name), "%s", (const char *)sqlite3_column_text(s, 0));
                in_custody = sqlite3_column_int64(s, 2);
            }
            sqlite3_finalize(s);
        }
    }
    sqlite3_close(h);
    if (!*name) {
        fprintf(stderr, "bench_locator: no booking in custody\n");
        return 1;
    }
    for (char *c = name; *c; c++)
        if (*c == ' ')
            *c = '+';

    /* custodian serve */
    char ini[1200], port_file[1200], errf[1200];
    snprintf(ini, sizeof(ini), "%s/serve.ini", work);
    snprintf(port_file, sizeof(port_file), "%s/port", work);
    snprintf(errf, sizeof(errf), "%s/serve.err", work);
    unlink(port_file);
    FILE *f = fopen(ini, "w");
    if (!f)
        return 1;
    fprintf(f,
            "[server]\nthreads = %u\naccess_log = /dev/null\nconnections = 1024\n"
            "per_ip_connections = 1024\n[ratelimit]\nrate = 1000000000\nburst = "
            "1000000000\nall_rate = 1000000000\nall_burst = 1000000000\n",
            threads);
    fclose(f);
    /* three runs: the default 30 s answer cache, then no cache (every request a query), then
     * no cache from the published view by the public server */
    char pub[1200];
    snprintf(pub, sizeof(pub), "%s/public.db", work);
    snprintf(cmd, sizeof(cmd), "'%s' --db '%s' publish --out '%s' >/dev/null", bin, db, pub);
    if (system(cmd) != 0) {
        fprintf(stderr, "bench_locator: publish failed\n");
        return 1;
    }
    struct wrk_result ng;
    struct wrk_result cu[3];
    bool ok_cu[3] = {false, false, false};
    long size = -1;
    char url[512] = "";
    unsigned port = 0;
    for (int run = 0; run < 3; run++) {
        unlink(port_file);
        const char *sargv[] = {bin,
                               "--db",
                               run == 2 ? pub : db,
                               "serve",
                               "--listen",
                               "127.0.0.1:0",
                               "--config",
                               ini,
                               "--port-file",
                               port_file,
                               "--cache-ttl",
                               run == 0 ? "30" : "0",
                               run == 2 ? "--public-only" : NULL,
                               NULL};
        pid_t srv = spawn(sargv, errf);
        if (!wait_file(port_file)) {
            fprintf(stderr, "bench_locator: server did not start (see %s)\n", errf);
            stop(srv);
            return 1;
        }
        f = fopen(port_file, "r");
        if (!f || fscanf(f, "%u", &port) != 1)
            port = 0;
        if (f)
            fclose(f);
        snprintf(url, sizeof(url), "http://127.0.0.1:%u/api/v1/public/inmates?last_name=%s", port,
                 name);
        size = body_size(url);
        run_wrk(url, threads, conns, 2, &cu[run]); /* warm the caches */
        double cpu0 = proc_cpu(srv);
        ok_cu[run] = run_wrk(url, threads, conns, secs, &cu[run]);
        cu[run].cpu_s = proc_cpu(srv) - cpu0;
        stop(srv);
    }

    /* nginx with a static file of the same size */
    snprintf(path, sizeof(path), "%s/www", work);
    mkdir(path, 0755);
    snprintf(path, sizeof(path), "%s/www/inmates.json", work);
    f = fopen(path, "w");
    if (!f)
        return 1;
    for (long i = 0; i < size; i++)
        fputc(i == 0 ? '{' : i == size - 1 ? '}' : ' ', f);
    fclose(f);
    unsigned nport = port + 1;
    snprintf(path, sizeof(path), "%s/nginx.conf", work);
    f = fopen(path, "w");
    if (!f)
        return 1;
    fprintf(f,
            "daemon off; worker_processes auto; pid %s/nginx.pid; error_log %s/nginx.err;\n"
            "events { worker_connections 1024; }\n"
            "http { access_log off; default_type application/json;\n"
            "  client_body_temp_path %s; proxy_temp_path %s; fastcgi_temp_path %s;\n"
            "  uwsgi_temp_path %s; scgi_temp_path %s;\n"
            "  server { listen 127.0.0.1:%u; root %s/www; location / { } } }\n",
            work, work, work, work, work, work, work, nport, work);
    fclose(f);
    const char *nargv[] = {"nginx", "-c", path, "-p", work, NULL};
    snprintf(errf, sizeof(errf), "%s/nginx.stderr", work);
    pid_t ngx = spawn(nargv, errf);
    usleep(500000);
    char nurl[256];
    snprintf(nurl, sizeof(nurl), "http://127.0.0.1:%u/inmates.json", nport);
    run_wrk(nurl, threads, conns, 2, &ng);
    double ncpu0 = proc_cpu(ngx);
    bool ok_ng = run_wrk(nurl, threads, conns, secs, &ng);
    ng.cpu_s = proc_cpu(ngx) - ncpu0;
    stop(ngx);

    printf("locator benchmark: %ld bookings generated, %ld in custody; query last_name=%s; "
           "response %ld bytes; wrk -t%u -c%u -d%us\n",
           bookings, in_custody, name, size, threads, conns, secs);
    printf("%-34s %12s %10s %10s %12s %8s %9s %9s\n", "server", "req/s", "p50 ms", "p99 ms",
           "requests", "errors", "cpu s", "cpu us/r");
    static const char *const label[3] = {"custodian, 30 s answer cache", "custodian, no cache",
                                         "public-only (published), no cache"};
    for (int run = 0; run < 3; run++) {
        if (ok_cu[run])
            printf("%-34s %12.0f %10.2f %10.2f %12lld %8lld %9.2f %9.1f\n", label[run], cu[run].rps,
                   cu[run].p50_ms, cu[run].p99_ms, cu[run].requests, cu[run].errors, cu[run].cpu_s,
                   cu[run].requests ? 1e6 * cu[run].cpu_s / (double)cu[run].requests : 0.0);
        else
            printf("%s: wrk failed\n", label[run]);
    }
    if (ok_ng)
        printf("%-34s %12.0f %10.2f %10.2f %12lld %8lld %9.2f %9.1f\n",
               "anchor: nginx static, same size", ng.rps, ng.p50_ms, ng.p99_ms, ng.requests,
               ng.errors, ng.cpu_s, ng.requests ? 1e6 * ng.cpu_s / (double)ng.requests : 0.0);
    else
        printf("nginx: wrk failed (see %s)\n", errf);
    for (int run = 0; run < 3 && ok_ng; run++)
        if (ok_cu[run])
            printf("%s / nginx = %.1f %% (goal >= 50 %%); p99 %.2f ms (goal < 10 ms)\n", label[run],
                   100.0 * cu[run].rps / ng.rps, cu[run].p99_ms);
    return ok_cu[0] && ok_cu[1] && ok_cu[2] && ok_ng ? 0 : 1;
}
