/*
 * bench_namekey - the name key (namekey.h) and the locator's lookup by it, each with its anchor
 * in the same run.
 *
 *   build-release/bench/bench_namekey [--keys N] [--lookups N] [--bookings N] [--work DIR]
 *                                     [--bin CUSTODIAN]
 *
 * 1. Key rate: cust_name_key over a mix of names as a county records them (plain upper-case
 *    ASCII, Spanish and Vietnamese with accents, a few in other scripts), N times. Anchor: what
 *    the locator did before the key, an ASCII upper-casing copy of the same bytes.
 * 2. Lookup: on a generated county (`custodian gen --bookings N | custodian import -`, kept in
 *    --work), cust_store_public_search for last names sampled from the people in custody, as
 *    recorded (so accents included), 51 rows at most: the key of the query computed, then the
 *    range scan of bookings_open. Anchor: the plain lookup without computing a key, the same
 *    columns from public_bookings by `last_key = ?` (an exact index lookup) with the key
 *    precomputed.
 * CPU time (the machine is shared), median of 3 rounds.
 */
#include "custodian/compat.h"
#include "custodian/date.h"
#include "custodian/namekey.h"
#include "custodian/store.h"

#include <sqlite3.h>
#include <sys/stat.h>
#include <time.h>

static double cpu_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median3(double v[3])
{
    qsort(v, 3, sizeof(double), cmp_d);
    return v[1];
}

static const char *const mix[] = {
    "GARCIA",    "MEJÍA",  "HERNANDEZ", "NGUYỄN",   "SMITH",      "PEÑA",         "NÚÑEZ",
    "JOHNSON",   "SOLÍS",  "Đặng",      "MARTINEZ", "O'BRIEN",    "GARCÍA-LÓPEZ", "WILLIAMS",
    "RODRIGUEZ", "Иванов", "王",        "LEE",      "DE LA CRUZ", "TRẦN",
};

static volatile size_t sink;

static void upper_copy(const char *in, char *out, size_t cap)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)in; *p && n + 1 < cap; p++)
        out[n++] = (char)((*p >= 'a' && *p <= 'z') ? *p - 'a' + 'A' : *p);
    out[n] = '\0';
    sink += n;
}

static void bench_keys(size_t n)
{
    size_t m = CUST_ARRAY_LEN(mix);
    double key[3], anchor[3];
    char out[CUST_NAME_KEY_MAX];
    for (int r = 0; r < 3; r++) {
        double t0 = cpu_s();
        for (size_t i = 0; i < n; i++) {
            cust_name_key(mix[i % m], strlen(mix[i % m]), out, sizeof(out), NULL);
            sink += (size_t)out[0];
        }
        key[r] = cpu_s() - t0;
        t0 = cpu_s();
        for (size_t i = 0; i < n; i++)
            upper_copy(mix[i % m], out, sizeof(out));
        anchor[r] = cpu_s() - t0;
    }
    double k = median3(key), a = median3(anchor);
    printf("key:    %zu names, %.3f s CPU = %.0f names/s (%.0f ns a name)\n", n, k, n / k,
           k / n * 1e9);
    printf("anchor: ASCII upper-casing copy, %.3f s CPU = %.0f names/s (%.1f ns a name)\n", a,
           n / a, a / n * 1e9);
    printf("ratio:  %.1fx the anchor's time\n", k / a);
}

struct count {
    size_t rows;
};

static enum cust_status on_row(const struct cust_public_row *r, void *arg)
{
    (void)r;
    ((struct count *)arg)->rows++;
    return CUST_OK;
}

static void bench_lookups(const char *db, size_t n)
{
    struct cust_store *s = NULL;
    struct cust_err err = CUST_ERR_INIT;
    if (cust_store_open(db, CUST_STORE_READONLY, &s, &err) != CUST_OK) {
        fprintf(stderr, "bench_namekey: %s\n", err.msg);
        exit(1);
    }
    sqlite3 *raw;
    if (sqlite3_open_v2(db, &raw, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        fprintf(stderr, "bench_namekey: cannot open %s\n", db);
        exit(1);
    }
    /* 200 last names of people in custody, as recorded, and their keys */
    enum { NAMES = 200 };
    char *names[NAMES], *keys[NAMES];
    size_t nn = 0;
    sqlite3_stmt *q;
    sqlite3_prepare_v2(raw,
                       "SELECT search_last, key_last FROM bookings WHERE released_at IS NULL"
                       " ORDER BY random() LIMIT 200",
                       -1, &q, NULL);
    while (nn < NAMES && sqlite3_step(q) == SQLITE_ROW) {
        names[nn] = cust_xstrdup((const char *)sqlite3_column_text(q, 0));
        keys[nn] = cust_xstrdup((const char *)sqlite3_column_text(q, 1));
        nn++;
    }
    sqlite3_finalize(q);
    sqlite3_prepare_v2(raw,
                       "SELECT booking_number, last_name, first_name, middle_name, booked_at,"
                       " facility, arresting_agency, charges, scheduled_release"
                       " FROM public_bookings WHERE last_key = ?1 AND unreleased"
                       " AND booked_ts <= ?2 ORDER BY last_key, first_key, booking_number"
                       " LIMIT 51",
                       -1, &q, NULL);
    double key[3], anchor[3];
    size_t rows_key = 0, rows_anchor = 0;
    for (int r = 0; r < 3; r++) {
        struct count c = {0};
        double t0 = cpu_s();
        for (size_t i = 0; i < n; i++) {
            struct cust_public_query pq = {.last_name = names[i % nn],
                                           .booked_before = INT64_MAX,
                                           .today = cust_today(),
                                           .limit = 51};
            cust_store_public_search(s, &pq, on_row, &c, NULL);
        }
        key[r] = cpu_s() - t0;
        rows_key = c.rows;
        size_t ra = 0;
        t0 = cpu_s();
        for (size_t i = 0; i < n; i++) {
            sqlite3_bind_text(q, 1, keys[i % nn], -1, SQLITE_STATIC);
            sqlite3_bind_int64(q, 2, INT64_MAX);
            while (sqlite3_step(q) == SQLITE_ROW)
                ra += (size_t)sqlite3_column_bytes(q, 7) > 0;
            sqlite3_reset(q);
        }
        anchor[r] = cpu_s() - t0;
        rows_anchor = ra;
    }
    double k = median3(key), a = median3(anchor);
    printf("lookup: %zu locator searches by last name (as recorded), %zu rows: %.1f us CPU each\n",
           n, rows_key, k / n * 1e6);
    printf(
        "anchor: plain lookup by the precomputed key (last_key = ?), %zu rows: %.1f us CPU each\n",
        rows_anchor, a / n * 1e6);
    printf("ratio:  %.2fx the anchor's time\n", k / a);
    sqlite3_finalize(q);
    sqlite3_close(raw);
    for (size_t i = 0; i < nn; i++) {
        free(names[i]);
        free(keys[i]);
    }
    cust_store_close(s);
}

int main(int argc, char **argv)
{
    size_t keys = 2000000, lookups = 20000, bookings = 100000;
    const char *work = "bench-work", *bin = "./custodian";
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--keys") == 0)
            keys = strtoul(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--lookups") == 0)
            lookups = strtoul(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--bookings") == 0)
            bookings = strtoul(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--work") == 0)
            work = argv[i + 1];
        else if (strcmp(argv[i], "--bin") == 0)
            bin = argv[i + 1];
    }
    bench_keys(keys);
    char db[4096], cmd[8192];
    snprintf(db, sizeof(db), "%s/namekey-%zu.db", work, bookings);
    struct stat st;
    if (stat(db, &st) != 0) {
        mkdir(work, 0755);
        snprintf(cmd, sizeof(cmd),
                 "CUSTODIAN_DB='%s' CUSTODIAN_USER=bench sh -c \"'%s' gen --bookings %zu |"
                 " '%s' import - >/dev/null\"",
                 db, bin, bookings, bin);
        fprintf(stderr, "bench_namekey: building %s\n", db);
        if (system(cmd) != 0) {
            fprintf(stderr, "bench_namekey: could not build the county\n");
            return 1;
        }
    }
    bench_lookups(db, lookups);
    return 0;
}
