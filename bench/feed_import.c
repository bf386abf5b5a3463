/*
 * bench/feed_import.c - import N bookings (default 200,000) from a county's CSV export through
 * the shipped mapping (examples/mappings/jms-charges.yaml: one row per charge, local times,
 * value tables, statute codes, bail in dollars), and, in the same run, the same bookings as
 * custody JSONL (what the mapping turns the CSV into: the records stored are identical) with
 * the plain JSONL import: the anchor. Each is run twice, alternating, into a fresh store.
 * Reports wall and CPU time, bookings/s and the ratio. See docs/bench-import.md.
 *
 *     build-release/bench/bench_feed_import [N]
 */
#include "custodian/compat.h"
#include "custodian/buf.h"
#include "custodian/feeds.h"
#include "custodian/records.h"

#include <inttypes.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint32_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

#define PICK(a) (a)[next() % CUST_ARRAY_LEN(a)]

static const char *const last_names[] = {"GARCIA", "SMITH",   "NGUYỄN",   "JOHNSON", "LÓPEZ",
                                         "KIM",    "O'BRIEN", "MARTÍNEZ", "BROWN",   "MÜLLER"};
static const char *const first_names[] = {"JOSÉ", "MARIA", "JAMES", "ANH",    "MICHAEL",
                                          "ANA",  "DAVID", "LINDA", "CARLOS", "SEÁN"};
static const char *const facilities[] = {"Men's Central Jail", "Twin Towers",
                                         "Century Regional Detention Facility", "Pitchess North"};
static const char *const agencies[] = {"LAPD", "LASD", "CHP", "LBPD", "Pasadena PD"};
static const char *const codes[][3] = {
    {"PC 245(a)(1)", "ASSAULT WITH A DEADLY WEAPON", "F"},
    {"p.c. 459", "BURGLARY", "F"},
    {"VC 23152(A)", "DRIVING UNDER THE INFLUENCE", "M"},
    {"HS 11350 (a)", "POSSESSION OF A CONTROLLED SUBSTANCE", "M"},
    {"PC 273.5(a)", "CORPORAL INJURY ON A SPOUSE", "F"},
    {"BP 25620", "OPEN CONTAINER", "I"},
};
static const char *const cit[] = {"US", "NC", "UNK", "US"};
static const char *const statuses[] = {"PENDING", "PENDING", "SENTENCED", "HOLD"};

static double mono(void)
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

/* One booking: 1-3 rows, one per charge, in the columns of examples/mappings/jms-charges.csv. */
static void gen_booking(FILE *f, long i)
{
    int mon = 1 + (int)(next() % 12), day = 1 + (int)(next() % 28);
    unsigned hh = next() % 24, mm = next() % 60;
    if (mon == 3 && day == 9 && hh == 2)
        hh = 3; /* 02:xx on 2025-03-09 does not exist in Los Angeles */
    int dob_y = 1950 + (int)(next() % 55), dob_m = 1 + (int)(next() % 12),
        dob_d = 1 + (int)(next() % 28);
    const char *ln = PICK(last_names), *fn = PICK(first_names), *fac = PICK(facilities);
    const char *ag = PICK(agencies), *c = PICK(cit);
    bool released = next() % 3 == 0;
    char sex = next() % 2 ? 'M' : 'F';
    char cii[16], rel[32] = "";
    snprintf(cii, sizeof(cii), "A%08u", next() % 100000000u);
    if (released)
        snprintf(rel, sizeof(rel), "%02d/%02d/2025 %02u:%02u", mon, day, (hh + 5) % 24, mm);
    if (released && (hh + 5) % 24 < hh)
        rel[0] = '\0'; /* keep the release after the booking */
    int n = 1 + (int)(next() % 3);
    for (int k = 1; k <= n; k++) {
        const char *const *ch = codes[next() % CUST_ARRAY_LEN(codes)];
        fprintf(f,
                "2025-%07ld,%02d/%02d/2025 %02u:%02u,%s,%s,,%02d/%02d/%d,%c,%s,,%s,%s,\"%s\",%s,%d,"
                "%s,%s,%s,%s,CR%06ld,\"%u,%03u.00\",%02d/%02d/2025,,%s\n",
                i, mon, day, hh, mm, ln, fn, dob_m, dob_d, dob_y, sex, cii, c,
                strcmp(c, "NC") ? "US" : "MX", fac, ag, k, ch[0], ch[1], ch[2], PICK(statuses), i,
                next() % 100, next() % 1000, 1 + (int)(next() % 12), 1 + (int)(next() % 28), rel);
    }
}

struct result {
    double wall, cpu;
    int64_t bookings;
};

static struct result run(const char *db, const char *path, const struct cust_map *m)
{
    unlink(db);
    char wal[512];
    snprintf(wal, sizeof(wal), "%s-wal", db);
    unlink(wal);
    snprintf(wal, sizeof(wal), "%s-shm", db);
    unlink(wal);
    struct cust_store *s;
    struct cust_err err = CUST_ERR_INIT;
    if (cust_store_open(db, CUST_STORE_CREATE, &s, &err) != CUST_OK) {
        fprintf(stderr, "%s\n", err.msg);
        exit(1);
    }
    struct cust_import_opts o = {.path = path, .actor = "bench"};
    struct cust_import_stats st;
    double w0 = mono(), c0 = cpu();
    enum cust_status rc =
        m ? cust_feed_import(s, m, &o, &st, &err) : cust_import_file(s, &o, &st, &err);
    struct result r = {mono() - w0, cpu() - c0, st.bookings};
    cust_store_close(s);
    if (rc != CUST_OK) {
        fprintf(stderr, "import failed: %s\n", err.msg);
        exit(1);
    }
    return r;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 200000;
    char dir[] = "/tmp/custodian-bench-feed.XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    char csv[256], jsonl[256], db[256];
    snprintf(csv, sizeof(csv), "%s/jms.csv", dir);
    snprintf(jsonl, sizeof(jsonl), "%s/jms.jsonl", dir);
    snprintf(db, sizeof(db), "%s/bench.db", dir);
    FILE *f = fopen(csv, "wb");
    if (!f)
        return 1;
    fputs("BookingNumber,BookingDateTime,LastName,FirstName,MiddleName,DOB,Sex,CII,FBI,"
          "CitizenshipCode,BirthCountry,Facility,ArrestingAgency,ChargeSeq,ChargeCode,"
          "ChargeDescription,ChargeLevel,ChargeStatus,CaseNumber,BailAmount,NextCourtDate,"
          "ScheduledRelease,ReleaseDateTime\n",
          f);
    for (long i = 0; i < n; i++)
        gen_booking(f, i);
    fclose(f);
    struct cust_map *m;
    struct cust_diag d = CUST_DIAG_INIT;
    struct cust_err err = CUST_ERR_INIT;
    if (cust_map_load(CUST_SOURCE_DIR "/examples/mappings/jms-charges.yaml", &m, &d, &err) !=
        CUST_OK) {
        cust_diag_print(&d, stderr, "mapping: ");
        return 1;
    }
    /* the anchor's input: exactly the records the mapping makes of the CSV */
    FILE *j = fopen(jsonl, "wb");
    int64_t written, invalid;
    double t0 = mono();
    if (!j || cust_feed_convert(m, csv, j, stderr, &written, &invalid, &err) != CUST_OK) {
        fprintf(stderr, "convert: %s\n", err.msg);
        return 1;
    }
    fclose(j);
    double conv = mono() - t0;
    struct result a1 = run(db, jsonl, NULL);
    struct result b1 = run(db, csv, m);
    struct result a2 = run(db, jsonl, NULL);
    struct result b2 = run(db, csv, m);
    struct result a = a1.wall < a2.wall ? a1 : a2, b = b1.wall < b2.wall ? b1 : b2;
    printf("bookings: %" PRId64 " (csv rows: 1-3 per booking); convert alone (no store): %.2f s\n",
           written, conv);
    printf("JSONL import (anchor):  %.2f s, %.2f s  (CPU %.2f s, %.2f s)\n", a1.wall, a2.wall,
           a1.cpu, a2.cpu);
    printf("mapped CSV import:      %.2f s, %.2f s  (CPU %.2f s, %.2f s)\n", b1.wall, b2.wall,
           b1.cpu, b2.cpu);
    printf("best: %.0f vs %.0f bookings/s; wall ratio %.2fx, CPU ratio %.2fx (goal <= 1.5x)\n",
           (double)b.bookings / b.wall, (double)a.bookings / a.wall, b.wall / a.wall,
           ((b1.cpu + b2.cpu) / 2) / ((a1.cpu + a2.cpu) / 2));
    cust_map_free(m);
    unlink(csv);
    unlink(jsonl);
    unlink(db);
    char side[300];
    snprintf(side, sizeof(side), "%s-wal", db);
    unlink(side);
    snprintf(side, sizeof(side), "%s-shm", db);
    unlink(side);
    rmdir(dir);
    return 0;
}
