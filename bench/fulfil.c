/*
 * bench/fulfil.c - fulfil a data request whose scope holds N persons (default 100,000) with
 * cust_desk_fulfill (policy decision per distinct case shape, withheld items with citations, a
 * disclosure row per row given under one ledger entry, notice duties per release date given)
 * and, in the same run, time
 * the sqlite3 shell running the equivalent plain SELECT (same rows and columns, no policy, no
 * ledger) as the anchor. See docs/bench-desk.md.
 *
 *     build-release/bench/bench_fulfil [N] [nocache]
 *
 * `nocache` decides every person (struct cust_desk.no_decision_cache), to measure the cache.
 * With BENCH_FULFIL_FLOOR=1 it also times SQLite alone reading the anchor's rows and writing the
 * rows a fulfilment must keep, without a checkpoint (floor_sql below): the lowest a fulfilment
 * could take on this store. With BENCH_FULFIL_KEEP=1 in the environment the store is kept (its
 * directory is printed), to compare what two builds wrote (bench/fulfil_compare.sh). With
 * BENCH_FULFIL_READ=1 it also times, after the fulfilment and on the same store, the reading alone:
 * the scope query with each booking's version JSON (cust_store_scope, nothing done with a row), and
 * the same read through records into typed bookings (cust_records_in_scope: the JSON parsed), what
 * rows from the query tables would replace (docs/bench-desk.md).
 */
#include "custodian/compat.h"
#include "custodian/config.h"
#include "custodian/buf.h"
#include "custodian/date.h"
#include "custodian/desk.h"
#include "custodian/records.h"

#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* CPU seconds (user and system) of this process (RUSAGE_SELF) or its reaped children. */
static double cpu_of(int who)
{
    struct rusage r;
    getrusage(who, &r);
    return (double)r.ru_utime.tv_sec + (double)r.ru_utime.tv_usec / 1e6 +
           (double)r.ru_stime.tv_sec + (double)r.ru_stime.tv_usec / 1e6;
}

static enum cust_status count_row(const struct cust_scope_row *r, void *arg)
{
    (void)r;
    (*(long *)arg)++;
    return CUST_OK;
}

static enum cust_status count_record(const struct cust_record *rec, int64_t person_id, void *arg)
{
    (void)rec;
    (void)person_id;
    (*(long *)arg)++;
    return CUST_OK;
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *const last_names[] = {"GARCIA", "SMITH",    "NGUYEN", "JOHNSON", "LOPEZ",
                                         "KIM",    "MARTINEZ", "BROWN",  "DAVIS",   "PEREZ"};
static const char *const first_names[] = {"JOSE", "MARIA", "JAMES",  "ANH",   "MICHAEL",
                                          "ANA",  "DAVID", "CARLOS", "SUSAN", "LUIS"};
static const char *const charges[][3] = {
    {"PC 245(a)(1)", "ASSAULT WITH A DEADLY WEAPON", "felony"},
    {"PC 459", "BURGLARY", "felony"},
    {"VC 23152(a)", "DRIVING UNDER THE INFLUENCE", "misdemeanor"},
    {"HS 11350(a)", "POSSESSION OF A CONTROLLED SUBSTANCE", "misdemeanor"},
    {"PC 484", "PETTY THEFT", "misdemeanor"},
};
static const char *const priors[][2] = {{"PC 211", "felony"},
                                        {"PC 459", "felony"},
                                        {"VC 23152(a)", "misdemeanor"},
                                        {"PC 484", "misdemeanor"},
                                        {"HS 11350(a)", "misdemeanor"}};

/* N persons, all non-citizens in custody on 2025-07-17; about a third with a qualifying
 * record; some release dates public. */
static int write_county(const char *path, long n)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    for (long i = 0; i < n; i++) {
        const char *const *c = charges[rnd() % CUST_ARRAY_LEN(charges)];
        fprintf(f,
                "{\"booking_number\":\"%08ld\",\"booked_at\":\"2025-%02u-%02uT10:00:00-07:00\","
                "\"facility\":\"Main Jail\",\"arresting_agency\":\"PD\","
                "\"person\":{\"person_id\":\"P%07ld\",\"last_name\":\"%s\",\"first_name\":\"%s\","
                "\"dob\":\"19%02u-%02u-%02u\",\"citizenship\":{\"status\":\"non_citizen\","
                "\"source\":\"consular_notification\",\"verified\":false,"
                "\"recorded_at\":\"2025-01-01\"}},"
                "\"charges\":[{\"code\":\"%s\",\"description\":\"%s\",\"level\":\"%s\","
                "\"status\":\"pending\",\"bail_cents\":%u}],\"prior_convictions\":[",
                10000000 + i, 1 + rnd() % 6, 1 + rnd() % 28, i, last_names[rnd() % 10],
                first_names[rnd() % 10], 50 + rnd() % 50, 1 + rnd() % 12, 1 + rnd() % 28, c[0],
                c[1], c[2], (rnd() % 100) * 100000);
        unsigned np = rnd() % 3;
        for (unsigned k = 0; k < np; k++) {
            const char *const *p = priors[rnd() % CUST_ARRAY_LEN(priors)];
            fprintf(f,
                    "%s{\"code\":\"%s\",\"level\":\"%s\",\"date\":\"20%02u-%02u-01\","
                    "\"jurisdiction\":\"CA\"}",
                    k ? "," : "", p[0], p[1], 5 + rnd() % 19, 1 + rnd() % 12);
        }
        fprintf(f, "],\"scheduled_release\":\"2025-%02u-%02u\",\"release_date_public\":%s}\n",
                8 + rnd() % 5, 1 + rnd() % 28, rnd() % 10 == 0 ? "true" : "false");
    }
    return fclose(f);
}

/* `+p.citizenship_status`: the plan SQLite chose before migration 16 (bookings in booking-number
 * order, each person by rowid). Given persons_citizenship, it drives from the persons of the
 * status and sorts the bookings: 0.58-0.94 s against 0.49-0.53 s at 100,000 persons, an anchor
 * slowed by our schema. The anchor keeps its faster plan. */
#define ANCHOR_SELECT                                                                              \
    "SELECT b.booking_number, p.last_name, p.first_name, p.dob,"                                   \
    " json_object('booked_at', b.booked_at, 'facility', b.facility, 'arresting_agency',"           \
    "  b.arresting_agency, 'bail_cents', (SELECT sum(bail_cents) FROM charges c"                   \
    "  WHERE c.booking_id = b.id)) AS booking_facts,"                                              \
    " (SELECT json_group_array(json_object('code', code, 'description', description, 'level',"     \
    "  level, 'status', status)) FROM charges c WHERE c.booking_id = b.id) AS charges,"            \
    " (SELECT json_group_array(json_object('code', code, 'level', level, 'date', date,"            \
    "  'jurisdiction', jurisdiction)) FROM prior_convictions x WHERE x.booking_id = b.id)"         \
    "  AS convictions,"                                                                            \
    " b.scheduled_release AS release_date"                                                         \
    " FROM bookings b JOIN persons p ON p.id = b.person_id"                                        \
    " WHERE b.booked_day <= 20286 AND (b.released_day IS NULL OR b.released_day > 20286)"          \
    " AND +p.citizenship_status = 'non_citizen' ORDER BY b.booking_number"

static const char anchor_sql[] = ".mode json\n.output /dev/null\n" ANCHOR_SELECT ";\n";

/* The floor (BENCH_FULFIL_FLOOR=1, docs/bench-desk.md "The floor"): what SQLite alone takes to
 * read the anchor's rows and write, durably, the rows the contract asks of a fulfilment
 * (requests.md: a disclosure row per row given, a notice duty per release date given; here a
 * third of the rows, as the bench's county gives), with the anchor's own values and no policy,
 * no hash, no ledger, and no checkpoint, even at close: a lower bound for any fulfilment on
 * this store. `floor_doc_sql` adds the kept answer (one JSON line per row, as the desk keeps
 * it). Each runs in a sqlite3 process of its own, on a copy of the store. */
#define FLOOR_ROWS                                                                                 \
    ".dbconfig no_ckpt_on_close on\n"                                                              \
    "PRAGMA synchronous = FULL; PRAGMA cache_size = -8192; PRAGMA temp_store = MEMORY;\n"          \
    "BEGIN;\n"                                                                                     \
    "CREATE TEMP TABLE ans AS " ANCHOR_SELECT ";\n"                                                \
    "INSERT INTO disclosures(request_id, ord, person_id, booking_number, items, withheld,"         \
    " recipient, office, at, decision_id, row_hash) SELECT 'R-2025-000001', rowid, rowid,"         \
    " booking_number, '[\"booking_facts\",\"charges\"]', '[\"convictions\",\"release_date\"]',"    \
    " 'DOJ', NULL, '2025-07-18T17:00:00Z', 1, hex(randomblob(32)) FROM ans;\n"                     \
    "INSERT INTO duties(request_id, person_id, booking_number, duty, cite, status, due_ts,"        \
    " created_at, detail) SELECT 'R-2025-000001', rowid, booking_number,"                          \
    " 'notice_to_subject_and_attorney', '[\"Cal. Gov. Code § 7283.1(b)\"]', 'open', 1753142399,"  \
    " '2025-07-18T17:00:00Z', json_object('decision', 2, 'subject_name', first_name || ' ' ||"     \
    " last_name, 'booking_number', booking_number, 'disclosed_date', '2025-07-18',"                \
    " 'release_info', release_date, 'given', json_array(json(booking_facts), json(charges)))"      \
    " FROM ans WHERE rowid % 3 = 0;\n"
static const char floor_sql[] = FLOOR_ROWS "COMMIT;\n";
static const char floor_doc_sql[] = FLOOR_ROWS
    "INSERT INTO documents(sha256, size, content) SELECT hex(randomblob(32)), sum(length(j)),"
    " CAST(group_concat(j, char(10)) AS BLOB) FROM (SELECT json_object('booking_number',"
    " booking_number, 'last_name', last_name, 'first_name', first_name, 'dob', dob,"
    " 'booking_facts', json(booking_facts), 'charges', json(charges), 'withheld',"
    " json_object('convictions', 'Cal. Gov. Code § 7284.6(a)(1)(C)', 'release_date',"
    " 'Cal. Gov. Code § 7284.6(a)(1)(C)')) AS j FROM ans);\n"
    "COMMIT;\n";

/* The sqlite3 shell running `script` on db (read-only when `ro`): its wall time (or -1), its
 * CPU into *cpu. */
static double run_sqlite3(const char *db, const char *script, bool ro, double *cpu)
{
    char sqlpath[256];
    snprintf(sqlpath, sizeof(sqlpath), "%s.bench.sql", db);
    FILE *f = fopen(sqlpath, "w");
    if (!f || fputs(script, f) < 0 || fclose(f) != 0)
        return -1;
    char init[300];
    snprintf(init, sizeof(init), ".read %s", sqlpath);
    char a0[] = "sqlite3", a1[] = "-readonly", a2[128];
    snprintf(a2, sizeof(a2), "%s", db);
    char *argv_ro[] = {a0, a1, a2, init, NULL}, *argv_rw[] = {a0, a2, init, NULL};
    double c0 = cpu_of(RUSAGE_CHILDREN), t0 = now_s();
    pid_t pid;
    if (posix_spawnp(&pid, "sqlite3", NULL, NULL, ro ? argv_ro : argv_rw, environ) != 0)
        return -1;
    int status;
    waitpid(pid, &status, 0);
    double t = now_s() - t0;
    *cpu = cpu_of(RUSAGE_CHILDREN) - c0;
    unlink(sqlpath);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? t : -1;
}

/* The floor's script on a fresh copy of db: "floor LABEL WALL s, CPU C s, Rx the anchor". */
static void run_floor(const char *db, const char *label, const char *script, double cpu_sql)
{
    char copy[160], cmd[640];
    snprintf(copy, sizeof(copy), "%s.floor", db);
    snprintf(cmd, sizeof(cmd), "cp '%s' '%s' && rm -f '%s-wal' '%s-shm'", db, copy, copy, copy);
    double cpu = 0, t = system(cmd) == 0 ? run_sqlite3(copy, script, false, &cpu) : -1;
    if (t < 0)
        printf("floor: %s failed\n", label);
    else
        printf("floor: %-20s %.3f s, CPU %.3f s  (%.2fx the anchor's CPU)\n", label, t, cpu,
               cpu_sql > 0 ? cpu / cpu_sql : 0.0);
    snprintf(cmd, sizeof(cmd), "rm -f '%s' '%s-wal' '%s-shm'", copy, copy, copy);
    if (system(cmd) != 0)
        fprintf(stderr, "bench: could not remove %s\n", copy);
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 100000;
    if (n <= 0)
        return 2;
    char dir[] = "/tmp/bench-fulfil.XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    char jsonl[128], db[128];
    snprintf(jsonl, sizeof(jsonl), "%s/county.jsonl", dir);
    snprintf(db, sizeof(db), "%s/bench.db", dir);
    setenv("CUSTODIAN_NOW", "2025-07-18T17:00:00Z", 1);
    if (write_county(jsonl, n) != 0)
        return 1;
    struct cust_err err = CUST_ERR_INIT;
    struct cust_store *s;
    /* the desk as the front ends open it: from the (default) configuration, county us-ca */
    struct cust_config *cfg = cust_config_new();
    cust_config_set(cfg, CUST_CFG_JURISDICTION, "us-ca", "bench");
    struct cust_desk_env *env = NULL;
    if (cust_store_open(db, CUST_STORE_CREATE, &s, &err) ||
        cust_desk_env_open(cfg, 0, &env, &err)) {
        fprintf(stderr, "bench: %s\n", err.msg);
        return 1;
    }
    struct cust_import_opts io = {.path = jsonl, .actor = "bench"};
    struct cust_import_stats ist;
    if (cust_import_file(s, &io, &ist, &err)) {
        fprintf(stderr, "bench: %s\n", err.msg);
        return 1;
    }
    struct cust_desk d;
    cust_desk_init(&d, env, s, "bench", NULL);
    d.no_decision_cache = argc > 2 && strcmp(argv[2], "nocache") == 0;
    json_t *doc =
        json_loads("{\"kind\": \"information_request\", \"requester\": {\"agency\": \"DOJ\"},"
                   " \"received_at\": \"2025-07-17T09:00:00-07:00\", \"due\": \"2025-08-16\","
                   " \"scope\": {\"population\": \"in_custody\", \"citizenship\": \"non_citizen\","
                   " \"as_of\": \"2025-07-17\"}, \"items\": [\"booking_facts\", \"charges\","
                   " \"convictions\", \"release_date\"]}",
                   0, NULL);
    char id[CUST_REQUEST_ID_MAX];
    struct cust_diag diag = CUST_DIAG_INIT;
    if (cust_desk_add(&d, doc, id, &diag, &err)) {
        fprintf(stderr, "bench: %s\n", err.msg);
        return 1;
    }
    json_decref(doc);
    FILE *null = fopen("/dev/null", "w");
    struct cust_desk_fulfil_stats fs;
    struct rusage r0, r1;
    getrusage(RUSAGE_SELF, &r0);
    double t0 = now_s();
    enum cust_status st = cust_desk_fulfill(&d, id, CUST_DESK_JSON, false, null, &fs, &err);
    double t_fulfil = now_s() - t0;
    getrusage(RUSAGE_SELF, &r1);
    double cpu = (double)(r1.ru_utime.tv_sec - r0.ru_utime.tv_sec) +
                 (double)(r1.ru_utime.tv_usec - r0.ru_utime.tv_usec) / 1e6 +
                 (double)(r1.ru_stime.tv_sec - r0.ru_stime.tv_sec) +
                 (double)(r1.ru_stime.tv_usec - r0.ru_stime.tv_usec) / 1e6;
    fclose(null);
    if (st) {
        fprintf(stderr, "bench: %s\n", err.msg);
        return 1;
    }
    const char *rd = getenv("BENCH_FULFIL_READ");
    if (rd && *rd && strcmp(rd, "0") != 0) {
        struct cust_scope sc = {20286, "non_citizen", NULL}; /* 2025-07-17, as the request */
        long nrows = 0, nrecs = 0;
        double c0 = cpu_of(RUSAGE_SELF), w0 = now_s();
        enum cust_status rs = cust_store_scope(s, &sc, count_row, &nrows, &err);
        double c1 = cpu_of(RUSAGE_SELF), w1 = now_s();
        if (rs == CUST_OK)
            rs = cust_records_in_scope(s, &sc, count_record, &nrecs, &err);
        double c2 = cpu_of(RUSAGE_SELF), w2 = now_s();
        if (rs != CUST_OK) {
            fprintf(stderr, "bench: %s\n", err.msg);
            return 1;
        }
        printf("read: scope query    %.3f s, CPU %.3f s  (%ld rows with their version JSON)\n",
               w1 - w0, c1 - c0, nrows);
        printf("read: + parsed       %.3f s, CPU %.3f s  (%ld typed bookings, records)\n", w2 - w1,
               c2 - c1, nrecs);
    }
    cust_desk_release(&d);
    cust_store_close(s);
    cust_desk_env_free(env);
    cust_config_free(cfg);
    double cpu_sql = 0, t_sql = run_sqlite3(db, anchor_sql, true, &cpu_sql);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("persons in scope     %ld\n", (long)fs.rows);
    printf("rows given           %ld (disclosure rows, one ledger entry)\n", (long)fs.given);
    printf("decisions taken      %ld (distinct cases)\n", (long)fs.decided);
    printf("items withheld       %ld\n", (long)fs.withheld);
    printf("notice duties        %ld\n", (long)fs.duties);
    printf("fulfil               %.3f s  (%.0f rows/s), CPU %.3f s\n", t_fulfil,
           (double)fs.rows / t_fulfil, cpu);
    printf("sqlite3 plain SELECT %.3f s, CPU %.3f s  (anchor, same rows and columns, no policy)\n",
           t_sql, cpu_sql);
    if (t_sql > 0)
        printf("ratio                %.2fx (wall), %.2fx (CPU)\n", t_fulfil / t_sql,
               cpu_sql > 0 ? cpu / cpu_sql : 0.0);
    printf("max RSS              %ld MiB\n", ru.ru_maxrss / 1024);
    const char *fl = getenv("BENCH_FULFIL_FLOOR");
    if (fl && *fl && strcmp(fl, "0") != 0) {
        run_floor(db, "rows", floor_sql, cpu_sql);
        run_floor(db, "rows and answer", floor_doc_sql, cpu_sql);
    }
    const char *keep = getenv("BENCH_FULFIL_KEEP");
    if (keep && *keep && strcmp(keep, "0") != 0) {
        printf("store kept           %s (request %s)\n", db, id);
        return 0;
    }
    char cmd[200];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : 1;
}
