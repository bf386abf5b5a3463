/*
 * bench/reports.c - the time to build each oversight report (reports.h) on a 1,000,000-booking
 * county whose requests were worked through the desk (demo.h), and, in the same run, the anchor:
 * the sqlite3 shell computing the same key figures with plain SQL (the queries of
 * tests/integration/reports_figures.sh). See docs/bench-reports.md.
 *
 *     build-release/bench/bench_reports [STORE] [BOOKINGS]
 *
 * STORE (default /tmp/cust-bench-reports.db) is built when missing: `gen` of BOOKINGS (default
 * 1,000,000) bookings from 2024-01-01 to 2025-12-31, imported, and `demo history` over it.
 * Later runs reuse it. Each report is built three times; the best wall time and its CPU time
 * are printed.
 */
#include "custodian/compat.h"
#include "custodian/config.h"
#include "custodian/date.h"
#include "custodian/deadline.h"
#include "custodian/demo.h"
#include "custodian/gen.h"
#include "custodian/records.h"
#include "custodian/reports.h"
#include "custodian/store_requests.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static void die(const char *what, const struct cust_err *err)
{
    fprintf(stderr, "bench_reports: %s: %s\n", what, err->msg);
    exit(1);
}

static void build(const char *db, int64_t bookings)
{
    struct cust_err err = CUST_ERR_INIT;
    struct cust_gen_opts go = CUST_GEN_OPTS_INIT;
    go.bookings = bookings;
    go.start_day = cust_days_from_civil(2024, 1, 1);
    go.end_day = cust_days_from_civil(2025, 12, 31);
    char jsonl[512];
    snprintf(jsonl, sizeof(jsonl), "%s.county.jsonl", db);
    double t0 = wall();
    struct cust_gen *g;
    if (cust_gen_new(&go, &g, &err) != CUST_OK)
        die("gen", &err);
    FILE *f = fopen(jsonl, "w");
    if (!f || cust_gen_write(g, f, &err) != CUST_OK || fclose(f) != 0)
        die("gen write", &err);
    cust_gen_free(g);
    fprintf(stderr, "bench_reports: county generated in %.1f s\n", wall() - t0);
    struct cust_store *s;
    if (cust_store_open(db, CUST_STORE_CREATE, &s, &err) != CUST_OK)
        die("open", &err);
    t0 = wall();
    cust_clock_set(cust_time_zone_day_start(go.start_day));
    struct cust_import_opts io = {.path = jsonl, .actor = "demo-loader"};
    struct cust_import_stats ist;
    if (cust_import_file(s, &io, &ist, &err) != CUST_OK)
        die("import", &err);
    cust_clock_clear();
    unlink(jsonl);
    fprintf(stderr, "bench_reports: imported %lld bookings in %.1f s\n", (long long)ist.bookings,
            wall() - t0);
    /* the desk as the demo's: the source tree's policies, holidays and notices, us-ca */
    struct cust_config *cfg = cust_config_new();
    cust_config_set(cfg, CUST_CFG_POLICIES, CUST_SOURCE_DIR "/policies", "bench");
    cust_config_set(cfg, CUST_CFG_CALENDAR,
                    CUST_SOURCE_DIR "/policies/calendars/us-federal-holidays.csv", "bench");
    cust_config_set(cfg, CUST_CFG_NOTICE_TEMPLATES, CUST_SOURCE_DIR "/templates/notices", "bench");
    cust_config_set(cfg, CUST_CFG_JURISDICTION, "us-ca", "bench");
    struct cust_desk_env *env;
    if (cust_desk_env_open(cfg, 0, &env, &err) != CUST_OK)
        die("desk", &err);
    struct cust_demo_opts o = {.gen = go, .env = env, .until = CUST_NO_TIME, .progress = NULL};
    struct cust_demo_stats st;
    t0 = wall();
    double c0 = cpu();
    if (cust_demo_history(s, &o, &st, &err) != CUST_OK)
        die("demo history", &err);
    fprintf(stderr,
            "bench_reports: history of %lld requests (%lld desk steps) in %.1f s wall, %.1f s "
            "CPU\n",
            (long long)st.requests, (long long)st.steps, wall() - t0, cpu() - c0);
    cust_desk_env_free(env);
    cust_config_free(cfg);
    cust_store_close(s);
}

/* The anchor: sqlite3 computing the key figures of a report with plain SQL. */
static double anchor(const char *db, const char *sql)
{
    double best = 1e9;
    for (int k = 0; k < 3; k++) {
        double t0 = wall();
        pid_t pid;
        char prog[] = "sqlite3", batch[] = "-batch";
        char *argv[] = {prog, batch, (char *)db, (char *)sql, NULL};
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
        if (posix_spawnp(&pid, "sqlite3", &fa, NULL, argv, environ) != 0) {
            posix_spawn_file_actions_destroy(&fa);
            return -1;
        }
        posix_spawn_file_actions_destroy(&fa);
        int status;
        waitpid(pid, &status, 0);
        double t = wall() - t0;
        if (t < best)
            best = t;
    }
    return best;
}

struct timing {
    double wall, cpu;
    size_t bytes;
};

typedef enum cust_status (*report_fn)(struct cust_store *, const struct cust_report_opts *,
                                      json_t **, struct cust_err *);

static struct timing run(struct cust_store *s, report_fn fn, const struct cust_report_opts *o)
{
    struct timing best = {1e9, 0, 0};
    for (int k = 0; k < 3; k++) {
        struct cust_err err = CUST_ERR_INIT;
        double t0 = wall(), c0 = cpu();
        json_t *r = NULL;
        if (fn(s, o, &r, &err) != CUST_OK)
            die("report", &err);
        struct cust_buf b = CUST_BUF_INIT;
        if (cust_report_render(r, CUST_REPORT_HTML_DOC, &b, &err) != CUST_OK)
            die("render", &err);
        double t = wall() - t0, c = cpu() - c0;
        if (t < best.wall)
            best = (struct timing){t, c, b.len};
        cust_buf_release(&b);
        json_decref(r);
    }
    return best;
}

static const char detainers_sql[] =
    "SELECT kind, count(*) FROM requests WHERE substr(received_at, 1, 4) = '2024' GROUP BY kind;"
    "SELECT count(*) FROM requests r WHERE substr(received_at, 1, 4) = '2024' AND EXISTS("
    " SELECT 1 FROM json_each(r.doc, '$.asks') WHERE value = 'hold');"
    "SELECT a.action, a.outcome, count(DISTINCT a.request_id) FROM actions a JOIN requests r"
    " ON r.id = a.request_id WHERE substr(r.received_at, 1, 4) = '2024' GROUP BY 1, 2;"
    "SELECT status, count(*) FROM requests WHERE substr(received_at, 1, 4) = '2024' GROUP BY 1;"
    "SELECT basis, count(*) FROM transfers WHERE substr(at, 1, 4) = '2024' GROUP BY 1;";
static const char transfers_sql[] =
    "SELECT t.at, t.booking_number, t.agency, t.basis, t.warrant_number, t.offense, r.kind"
    " FROM transfers t JOIN requests r ON r.id = t.request_id WHERE substr(t.at, 1, 4) = '2025'"
    " ORDER BY t.at;";
static const char forum_sql[] =
    "WITH acc(person_id, means) AS (SELECT person_id, action FROM actions WHERE outcome = 'done'"
    " AND action IN ('hold', 'notify', 'interview') AND substr(at, 1, 4) = '2025' UNION ALL"
    " SELECT person_id, 'transfer' FROM transfers WHERE substr(at, 1, 4) = '2025' UNION ALL"
    " SELECT person_id, 'data' FROM disclosures WHERE substr(at, 1, 4) = '2025')"
    " SELECT means, count(*), count(DISTINCT person_id) FROM acc GROUP BY means;"
    "WITH acc(person_id) AS (SELECT person_id FROM actions WHERE outcome = 'done'"
    " AND substr(at, 1, 4) = '2025' UNION SELECT person_id FROM transfers WHERE"
    " substr(at, 1, 4) = '2025' UNION SELECT person_id FROM disclosures WHERE"
    " substr(at, 1, 4) = '2025') SELECT p.sex, count(*) FROM persons p JOIN acc ON"
    " acc.person_id = p.id GROUP BY 1;";
static const char oversight_sql[] =
    "SELECT a.*, json_extract(d.decision, '$.actions.' || a.action || '.rule'),"
    " json_extract(d.decision, '$.actions.' || a.action || '.cite') FROM actions a"
    " JOIN decisions d ON d.id = a.decision_id WHERE substr(a.at, 1, 4) = '2025' AND"
    " ((a.verdict = 'permitted' AND a.outcome = 'done') OR (a.verdict = 'required' AND"
    " a.outcome = 'declined') OR (a.action = 'notify' AND a.outcome = 'done'));"
    "SELECT x.*, d.decision FROM disclosures x JOIN decisions d ON d.id = x.decision_id"
    " WHERE substr(x.at, 1, 4) = '2025';";
static const char cpra_sql[] =
    "SELECT * FROM requests WHERE substr(received_at, 1, 4) = '2025';"
    "SELECT d.* FROM decisions d JOIN requests r ON r.id = d.request_id"
    " WHERE substr(r.received_at, 1, 4) = '2025';"
    "SELECT a.* FROM actions a JOIN requests r ON r.id = a.request_id"
    " WHERE substr(r.received_at, 1, 4) = '2025';"
    "SELECT u.* FROM duties u JOIN requests r ON r.id = u.request_id"
    " WHERE substr(r.received_at, 1, 4) = '2025';"
    "SELECT x.* FROM disclosures x JOIN requests r ON r.id = x.request_id"
    " WHERE substr(r.received_at, 1, 4) = '2025';";

int main(int argc, char **argv)
{
    const char *db = argc > 1 ? argv[1] : "/tmp/cust-bench-reports.db";
    int64_t bookings = argc > 2 ? strtoll(argv[2], NULL, 10) : 1000000;
    struct cust_err err = CUST_ERR_INIT;
    if (cust_time_zone_set("America/Los_Angeles", &err) != CUST_OK)
        die("zone", &err);
    if (access(db, F_OK) != 0)
        build(db, bookings);
    struct cust_store *s;
    if (cust_store_open(db, CUST_STORE_OPEN, &s, &err) != CUST_OK)
        die("open", &err);
    int64_t nb = 0, nr = 0;
    cust_store_count(s, "bookings", &nb, &err);
    printf("store: %s, %lld bookings\n", db, (long long)nb);
    (void)nr;
    static const struct {
        const char *name;
        report_fn fn;
        int year;
        bool by_month;
        const char *sql;
    } reports[] = {
        {"detainers 2024 --by month", cust_report_detainers, 2024, true, detainers_sql},
        {"transfers 2025", cust_report_transfers, 2025, false, transfers_sql},
        {"truth-forum 2025", cust_report_forum, 2025, false, forum_sql},
        {"oversight 2025", cust_report_oversight, 2025, false, oversight_sql},
    };
    printf("%-28s %10s %10s %10s %12s %8s\n", "report", "wall s", "CPU s", "HTML KB", "anchor s",
           "ratio");
    for (size_t i = 0; i < CUST_ARRAY_LEN(reports); i++) {
        struct cust_report_opts o = CUST_REPORT_OPTS_INIT;
        o.from = cust_days_from_civil(reports[i].year, 1, 1);
        o.to = cust_days_from_civil(reports[i].year, 12, 31);
        o.by_month = reports[i].by_month;
        struct timing t = run(s, reports[i].fn, &o);
        double a = anchor(db, reports[i].sql);
        printf("%-28s %10.3f %10.3f %10.1f %12.3f %7.1fx\n", reports[i].name, t.wall, t.cpu,
               (double)t.bytes / 1024, a, a > 0 ? t.wall / a : 0);
    }
    /* the export: built in memory (its ledger entry appended each time) */
    double best = 1e9, bc = 0;
    size_t bytes = 0;
    for (int k = 0; k < 3; k++) {
        struct cust_cpra c;
        struct cust_cpra_opts co = {cust_days_from_civil(2025, 1, 1),
                                    cust_days_from_civil(2025, 12, 31), "bench", "cli", NULL};
        double t0 = wall(), c0 = cpu();
        if (cust_report_cpra(s, &co, &c, &err) != CUST_OK)
            die("cpra", &err);
        double t = wall() - t0;
        if (t < best) {
            best = t;
            bc = cpu() - c0;
            bytes = 0;
            for (size_t f = 0; f < c.nfiles; f++)
                bytes += c.files[f].data.len;
        }
        cust_cpra_free(&c);
    }
    double a = anchor(db, cpra_sql);
    printf("%-28s %10.3f %10.3f %10.1f %12.3f %7.1fx\n", "cpra 2025 (in memory)", best, bc,
           (double)bytes / 1024, a, a > 0 ? best / a : 0);
    /* the public enforcement counts (an empty log here: the cost of the page itself) */
    double t0 = wall();
    json_t *r = NULL;
    if (cust_enforcement_public(s, cust_days_from_civil(2025, 1, 1),
                                cust_days_from_civil(2025, 12, 31), &r, &err) != CUST_OK)
        die("enforcement", &err);
    json_decref(r);
    printf("%-28s %10.3f\n", "enforcement public 2025", wall() - t0);
    cust_store_close(s);
    return 0;
}
