/*
 * bench_match - person matching at county scale: index 1,000,000 synthetic
 * persons (deterministic PRNG; common surnames with a Zipf-like spread plus a
 * long tail of generated rare ones, two-part Hispanic surnames, accents,
 * aliases, partial dobs, strong ids, booking numbers), then time 1,000 queries
 * with noisy subjects (typos, swapped dob, one-digit dob, alias, first/last
 * exchanged, strong id only). Goal: under 50 ms a query.
 *
 * Anchor (measured in the same run): CPU ms for libc qsort of 1,000,000
 * random 32-bit integers, so figures from different machines can be compared. Query times are
 * given as wall time and as thread CPU time (the latter is immune to the
 * scheduler on a shared machine).
 *
 * Usage: bench_match [persons] [queries]
 */
#include "custodian/compat.h"
#include "custodian/match.h"

#include <math.h>
#include <sys/resource.h>
#include <time.h>

static const char *const surnames[] = {
    "GARCIA",     "HERNANDEZ", "LOPEZ",    "MARTINEZ",  "GONZALEZ",   "RODRIGUEZ", "SMITH",
    "JOHNSON",    "PEREZ",     "SANCHEZ",  "RAMIREZ",   "TORRES",     "FLORES",    "RIVERA",
    "GOMEZ",      "DIAZ",      "WILLIAMS", "BROWN",     "JONES",      "MILLER",    "DAVIS",
    "NGUYEN",     "CRUZ",      "REYES",    "MORALES",   "GUTIERREZ",  "ORTIZ",     "CHAVEZ",
    "RAMOS",      "RUIZ",      "ALVAREZ",  "MENDOZA",   "CASTILLO",   "JIMENEZ",   "MORENO",
    "ROMERO",     "HERRERA",   "MEDINA",   "AGUILAR",   "VARGAS",     "CASTRO",    "GUZMAN",
    "VASQUEZ",    "SALAZAR",   "WILSON",   "ANDERSON",  "TAYLOR",     "THOMAS",    "MOORE",
    "JACKSON",    "MARTIN",    "LEE",      "THOMPSON",  "WHITE",      "HARRIS",    "CLARK",
    "LEWIS",      "ROBINSON",  "WALKER",   "YOUNG",     "ALLEN",      "KING",      "WRIGHT",
    "SCOTT",      "HILL",      "GREEN",    "ADAMS",     "NELSON",     "BAKER",     "HALL",
    "CAMPBELL",   "MITCHELL",  "CARTER",   "ROBERTS",   "PHILLIPS",   "EVANS",     "TURNER",
    "PARKER",     "COLLINS",   "EDWARDS",  "STEWART",   "MORRIS",     "MURPHY",    "COOK",
    "ROGERS",     "MORGAN",    "COOPER",   "PETERSON",  "REED",       "BAILEY",    "BELL",
    "KELLY",      "HOWARD",    "WARD",     "COX",       "RICHARDSON", "WOOD",      "WATSON",
    "BROOKS",     "BENNETT",   "GRAY",     "JAMES",     "HUGHES",     "PRICE",     "SANDERS",
    "MYERS",      "LONG",      "ROSS",     "FOSTER",    "POWELL",     "JENKINS",   "PERRY",
    "RUSSELL",    "SULLIVAN",  "FISHER",   "HENDERSON", "COLEMAN",    "SIMMONS",   "PATTERSON",
    "JORDAN",     "REYNOLDS",  "HAMILTON", "GRAHAM",    "KIM",        "WALLACE",   "WEST",
    "COLE",       "HAYES",     "BRYANT",   "GIBSON",    "ELLIS",      "STEVENS",   "MURRAY",
    "FORD",       "MARSHALL",  "OWENS",    "MCDONALD",  "HARRISON",   "KENNEDY",   "WELLS",
    "TRAN",       "LE",        "PHAM",     "HUYNH",     "HOANG",      "PHAN",      "VU",
    "DANG",       "BUI",       "DO",       "HO",        "NGO",        "DUONG",     "LY",
    "WANG",       "LI",        "ZHANG",    "LIU",       "CHEN",       "YANG",      "HUANG",
    "ZHAO",       "WU",        "ZHOU",     "PATEL",     "SINGH",      "KAUR",      "SHAH",
    "KHAN",       "PARK",      "CHOI",     "JUNG",      "KANG",       "CHO",       "YOON",
    "SANTOS",     "DELGADO",   "VEGA",     "SOTO",      "CONTRERAS",  "ESPINOZA",  "SANDOVAL",
    "FIGUEROA",   "CORTEZ",    "LUNA",     "JUAREZ",    "DOMINGUEZ",  "ROJAS",     "CAMPOS",
    "NAVARRO",    "AVILA",     "MOLINA",   "RIOS",      "PACHECO",    "CARDENAS",  "ACOSTA",
    "VALENZUELA", "ESTRADA",   "IBARRA",   "SALINAS",   "FUENTES",    "CABRERA",   "CERVANTES",
    "MEJIA",      "VALDEZ",    "OROZCO",   "VELASQUEZ", "MARQUEZ",    "PADILLA",   "ROSALES",
    "CARRILLO",   "BECERRA",   "ZAMORA",   "TRUJILLO",  "ARELLANO",   "MIRANDA",   "LARA",
    "NUNEZ",      "MUNOZ",     "PENA",     "O'BRIEN",   "O'CONNOR",   "MACKENZIE", "DE LA CRUZ",
    "DEL RIO",    "VAN DYKE",  "ST. JOHN", "SCHMIDT",   "SCHNEIDER",  "MUELLER",   "WEBER",
    "FISCHER",    "WAGNER",    "BECKER",   "HOFFMAN",   "KOWALSKI",   "NOWAK",     "IVANOV",
    "PETROV",     "SMIRNOV",   "RUSSO",    "ROMANO",    "COLOMBO",    "RICCI",     "BRUNO",
    "GALLO",      "CONTI",     "ESPOSITO", "ABDULLAH",  "HASSAN",     "HUSSEIN",   "IBRAHIM",
    "OKAFOR",     "OKONKWO",   "MENSAH",   "BOATENG",   "DIALLO",     "TRAORE",    "YAMAMOTO",
    "TANAKA",     "WATANABE",  "SUZUKI",   "SATO"};

static const char *const first_names[] = {
    "JAMES",       "JOHN",      "ROBERT",   "MICHAEL",   "WILLIAM",   "DAVID",     "JOSE",
    "JUAN",        "LUIS",      "CARLOS",   "JESUS",     "MIGUEL",    "ANTONIO",   "FRANCISCO",
    "JORGE",       "ALEJANDRO", "RICARDO",  "FERNANDO",  "DANIEL",    "JOSEPH",    "THOMAS",
    "CHRISTOPHER", "CHARLES",   "MATTHEW",  "ANTHONY",   "MARK",      "DONALD",    "STEVEN",
    "PAUL",        "ANDREW",    "JOSHUA",   "KENNETH",   "KEVIN",     "BRIAN",     "GEORGE",
    "TIMOTHY",     "RONALD",    "EDWARD",   "JASON",     "JEFFREY",   "RYAN",      "JACOB",
    "GARY",        "NICHOLAS",  "ERIC",     "JONATHAN",  "STEPHEN",   "LARRY",     "JUSTIN",
    "SCOTT",       "BRANDON",   "BENJAMIN", "SAMUEL",    "GREGORY",   "ALEXANDER", "FRANK",
    "PATRICK",     "RAYMOND",   "JACK",     "DENNIS",    "JERRY",     "TYLER",     "AARON",
    "ADAM",        "NATHAN",    "HENRY",    "DOUGLAS",   "ZACHARY",   "PETER",     "KYLE",
    "ETHAN",       "WALTER",    "NOAH",     "JEREMY",    "CHRISTIAN", "KEITH",     "ROGER",
    "TERRY",       "AUSTIN",    "SEAN",     "GERALD",    "CARL",      "HAROLD",    "DYLAN",
    "ARTHUR",      "LAWRENCE",  "JORDAN",   "JESSE",     "BRYAN",     "BILLY",     "BRUCE",
    "GABRIEL",     "JOE",       "LOGAN",    "ALBERT",    "WILLIE",    "ALAN",      "EUGENE",
    "RUSSELL",     "VINCENT",   "RALPH",    "ROY",       "BOBBY",     "JOHNNY",    "PHILLIP",
    "MANUEL",      "EDUARDO",   "ROBERTO",  "PEDRO",     "RAFAEL",    "SERGIO",    "OSCAR",
    "ARMANDO",     "RAUL",      "ENRIQUE",  "MARIO",     "VICTOR",    "HECTOR",    "RAMON",
    "ALFREDO",     "JAVIER",    "ANGEL",    "OMAR",      "ERNESTO",   "GUSTAVO",   "MARIA",
    "MARY",        "PATRICIA",  "JENNIFER", "LINDA",     "ELIZABETH", "BARBARA",   "SUSAN",
    "JESSICA",     "SARAH",     "KAREN",    "NANCY",     "LISA",      "BETTY",     "MARGARET",
    "SANDRA",      "ASHLEY",    "KIMBERLY", "EMILY",     "DONNA",     "MICHELLE",  "DOROTHY",
    "CAROL",       "AMANDA",    "MELISSA",  "DEBORAH",   "STEPHANIE", "REBECCA",   "SHARON",
    "LAURA",       "CYNTHIA",   "KATHLEEN", "AMY",       "ANGELA",    "SHIRLEY",   "ANNA",
    "BRENDA",      "PAMELA",    "EMMA",     "NICOLE",    "HELEN",     "SAMANTHA",  "KATHERINE",
    "CHRISTINE",   "DEBRA",     "RACHEL",   "CAROLYN",   "JANET",     "CATHERINE", "GUADALUPE",
    "ROSA",        "ANA",       "VERONICA", "YOLANDA",   "ALEJANDRA", "GABRIELA",  "ADRIANA",
    "CLAUDIA",     "SOFIA",     "CAMILA",   "VALENTINA", "XIMENA",    "LUCIA",     "DANIELA",
    "MONICA",      "LETICIA",   "THANH",    "MINH",      "HUNG",      "TUAN",      "LINH",
    "HOA",         "WEI",       "MING",     "JIN",       "HYUN",      "JI",        "PRIYA",
    "RAJ",         "AMIT",      "MOHAMMED", "AHMED",     "ALI",       "FATIMA",    "AISHA",
    "CHIDI",       "KWAME",     "JOSÉ",     "JESÚS",     "RAMÓN",     "MARÍA",     "ANDRÉS",
    "JOAQUÍN",     "NÉSTOR",    "RENÉ",     "ZOË",       "FRANÇOIS"};

static const char *const syllables[] = {
    "AL",   "AN",  "AR",  "BA",  "BE",  "BO",  "CA",  "CE", "CO",  "DA", "DE", "DI", "DO", "EL",
    "EN",   "ER",  "FA",  "FE",  "GA",  "GO",  "HA",  "HE", "IN",  "KA", "KO", "LA", "LE", "LI",
    "LO",   "MA",  "ME",  "MI",  "MO",  "NA",  "NE",  "NI", "NO",  "OR", "PA", "PE", "RA", "RE",
    "RI",   "RO",  "SA",  "SE",  "SI",  "SO",  "TA",  "TE", "TO",  "VA", "VE", "WA", "YA", "ZA",
    "BERG", "SKI", "SON", "MAN", "TON", "LEY", "VIC", "EZ", "INI", "OV"};

/* ---- deterministic PRNG (splitmix64) ---- */

static uint64_t rng_state = 0x5EED0F1234ULL;

static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double rnd01(void)
{
    return (double)(rnd() >> 11) / 9007199254740992.0;
}

static size_t rnd_below(size_t n)
{
    return (size_t)(rnd01() * (double)n);
}

/* Zipf-like pick: weight of item i is 1/(i+offset). */
static size_t zipf(size_t n, double offset)
{
    double total = log(((double)n + offset) / offset);
    double x = offset * exp(rnd01() * total) - offset;
    size_t i = (size_t)x;
    return i < n ? i : n - 1;
}

static double cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* ---- synthetic persons ---- */

#define NAME_LEN 64

struct synth {
    char last[2][NAME_LEN], first[2][NAME_LEN], dob[2][11];
    size_t n_names;
    char fbi[32], cii[32], anum[32], booking[32];
};

static void make_surname(char *out)
{
    if (rnd01() < 0.4) { /* long tail of rare surnames */
        size_t n = 2 + rnd_below(2);
        out[0] = '\0';
        for (size_t i = 0; i < n; i++) {
            const char *s = syllables[rnd_below(CUST_ARRAY_LEN(syllables))];
            size_t l = strlen(out);
            snprintf(out + l, NAME_LEN - l, "%s", s);
        }
        return;
    }
    const char *a = surnames[zipf(CUST_ARRAY_LEN(surnames), 20.0)];
    if (rnd01() < 0.08) { /* two-part surname */
        const char *b = surnames[zipf(CUST_ARRAY_LEN(surnames), 20.0)];
        snprintf(out, NAME_LEN, "%s%s%s", a, rnd01() < 0.5 ? "-" : " ", b);
    } else {
        snprintf(out, NAME_LEN, "%s", a);
    }
}

static void make_dob(char *out)
{
    int y = 1940 + (int)rnd_below(68);
    unsigned m = 1 + (unsigned)rnd_below(12), d = 1 + (unsigned)rnd_below(28);
    double u = rnd01();
    char buf[48];
    if (u < 0.01)
        snprintf(buf, sizeof(buf), "%04d-XX-XX", y);
    else if (u < 0.03)
        snprintf(buf, sizeof(buf), "%04d-%02u-XX", y, m);
    else
        snprintf(buf, sizeof(buf), "%04d-%02u-%02u", y, m, d);
    memcpy(out, buf, 10);
    out[10] = '\0';
}

static void make_person(size_t i, struct synth *p)
{
    make_surname(p->last[0]);
    snprintf(p->first[0], NAME_LEN, "%s", first_names[zipf(CUST_ARRAY_LEN(first_names), 10.0)]);
    make_dob(p->dob[0]);
    p->n_names = 1;
    if (rnd01() < 0.2) { /* an alias: another surname or given name, same or other dob */
        p->n_names = 2;
        if (rnd01() < 0.5) {
            make_surname(p->last[1]);
            snprintf(p->first[1], NAME_LEN, "%s", p->first[0]);
        } else {
            snprintf(p->last[1], NAME_LEN, "%s", p->last[0]);
            snprintf(p->first[1], NAME_LEN, "%s",
                     first_names[zipf(CUST_ARRAY_LEN(first_names), 10.0)]);
        }
        if (rnd01() < 0.3)
            make_dob(p->dob[1]);
        else
            snprintf(p->dob[1], 11, "%s", p->dob[0]);
    }
    p->fbi[0] = p->cii[0] = p->anum[0] = '\0';
    if (rnd01() < 0.6)
        snprintf(p->fbi, sizeof(p->fbi), "%06zuAB%u", i, (unsigned)rnd_below(10));
    if (rnd01() < 0.5)
        snprintf(p->cii, sizeof(p->cii), "A%08zu", i);
    if (rnd01() < 0.1)
        snprintf(p->anum, sizeof(p->anum), "A%09zu", 100000000 + i);
    snprintf(p->booking, sizeof(p->booking), "%zu", 6000000 + i);
}

static void to_person(const struct synth *s, int64_t id, struct cust_match_name *names,
                      const char **bk, struct cust_match_person *p)
{
    for (size_t k = 0; k < s->n_names; k++)
        names[k] = (struct cust_match_name){s->last[k], s->first[k], s->dob[k]};
    bk[0] = s->booking;
    *p = (struct cust_match_person){id, names, s->n_names, s->cii, s->fbi, NULL, s->anum, bk, 1};
}

/* ---- noise ---- */

static void typo(char *s)
{
    size_t n = strlen(s);
    if (n < 3)
        return;
    size_t i = 1 + rnd_below(n - 2);
    if ((unsigned char)s[i] >= 0x80 || (unsigned char)s[i + 1] >= 0x80)
        return; /* keep UTF-8 valid */
    switch (rnd_below(3)) {
    case 0: { /* transpose */
        char t = s[i];
        s[i] = s[i + 1];
        s[i + 1] = t;
        break;
    }
    case 1: /* substitute */
        s[i] = (char)('A' + rnd_below(26));
        break;
    default: /* delete */
        memmove(s + i, s + i + 1, n - i);
        break;
    }
}

enum noise {
    N_EXACT,
    N_LAST_TYPO,
    N_FIRST_TYPO,
    N_DOB_SWAP,
    N_DOB_DIGIT,
    N_ALIAS,
    N_SWAP_NAMES,
    N_STRONG_ONLY,
    N_COUNT
};
static const char *const noise_names[N_COUNT] = {
    "exact copy",    "surname typo", "given-name typo",      "dob day/month swapped",
    "dob one digit", "alias",        "first/last exchanged", "fbi only, garbled name"};

static enum noise make_subject(const struct synth *p, struct synth *s)
{
    *s = *p;
    s->n_names = 1;
    s->cii[0] = s->anum[0] = s->booking[0] = '\0';
    s->fbi[0] = '\0';
    enum noise kind = (enum noise)rnd_below(N_COUNT);
    switch (kind) {
    case N_EXACT:
        break;
    case N_LAST_TYPO:
        typo(s->last[0]);
        break;
    case N_FIRST_TYPO:
        typo(s->first[0]);
        break;
    case N_DOB_SWAP:
        if (s->dob[0][5] != 'X' && s->dob[0][8] != 'X' &&
            (s->dob[0][8] == '0' || (s->dob[0][8] == '1' && s->dob[0][9] <= '2'))) {
            char m0 = s->dob[0][5], m1 = s->dob[0][6];
            s->dob[0][5] = s->dob[0][8], s->dob[0][6] = s->dob[0][9];
            s->dob[0][8] = m0, s->dob[0][9] = m1;
        }
        break;
    case N_DOB_DIGIT:
        s->dob[0][3] = (char)('0' + (s->dob[0][3] - '0' + 1) % 10);
        break;
    case N_ALIAS:
        if (p->n_names > 1) {
            snprintf(s->last[0], NAME_LEN, "%s", p->last[1]);
            snprintf(s->first[0], NAME_LEN, "%s", p->first[1]);
            snprintf(s->dob[0], 11, "%s", p->dob[1]);
        }
        break;
    case N_SWAP_NAMES:
        snprintf(s->last[0], NAME_LEN, "%s", p->first[0]);
        snprintf(s->first[0], NAME_LEN, "%s", p->last[0]);
        break;
    case N_STRONG_ONLY:
        typo(s->last[0]);
        typo(s->first[0]);
        snprintf(s->fbi, sizeof(s->fbi), "%s", p->fbi);
        if (!p->fbi[0])
            snprintf(s->booking, sizeof(s->booking), "%s", p->booking);
        s->dob[0][0] = '\0';
        break;
    case N_COUNT:
        break;
    }
    return kind;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    size_t n_persons = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 1000000;
    size_t n_queries = argc > 2 ? (size_t)strtoull(argv[2], NULL, 10) : 1000;
    if (n_persons == 0 || n_queries == 0) {
        fprintf(stderr, "usage: bench_match [persons] [queries]\n");
        return 2;
    }

    /* anchor: libc qsort of 1,000,000 pseudo-random 32-bit integers (CPU time) */
    size_t n_anchor = 1000000;
    uint32_t *anchor = cust_xmalloc(n_anchor * sizeof(*anchor));
    for (size_t i = 0; i < n_anchor; i++)
        anchor[i] = (uint32_t)rnd();
    double t0 = cpu_ms();
    qsort(anchor, n_anchor, sizeof(*anchor), cmp_u32);
    double anchor_ms = cpu_ms() - t0;
    free(anchor);
    rng_state = 0x5EED0F1234ULL; /* the population does not depend on the anchor */

    struct cust_err err = CUST_ERR_INIT;
    struct cust_match_index *ix = cust_match_index_new();
    struct synth *pool = cust_xcalloc(n_queries, sizeof(*pool));
    size_t *pool_id = cust_xcalloc(n_queries, sizeof(*pool_id));
    size_t stride = n_persons / n_queries ? n_persons / n_queries : 1;
    size_t n_pool = 0;
    double t_add = now_ms(), c_add = cpu_ms();
    for (size_t i = 0; i < n_persons; i++) {
        struct synth s;
        make_person(i, &s);
        struct cust_match_name names[2];
        const char *bk[1];
        struct cust_match_person p;
        to_person(&s, (int64_t)i, names, bk, &p);
        if (cust_match_index_add(ix, &p, &err) != CUST_OK) {
            fprintf(stderr, "bench_match: %s\n", err.msg);
            return 1;
        }
        if (i % stride == 0 && n_pool < n_queries) {
            pool[n_pool] = s;
            pool_id[n_pool++] = i;
        }
    }
    t_add = now_ms() - t_add;
    c_add = cpu_ms() - c_add;
    double t_build = now_ms(), c_build = cpu_ms();
    if (cust_match_index_build(ix, &err) != CUST_OK) {
        fprintf(stderr, "bench_match: %s\n", err.msg);
        return 1;
    }
    t_build = now_ms() - t_build;
    c_build = cpu_ms() - c_build;

    double *lat = cust_xcalloc(n_pool, sizeof(*lat));
    double *cpu = cust_xcalloc(n_pool, sizeof(*cpu));
    size_t top1[N_COUNT] = {0}, top5[N_COUNT] = {0}, count[N_COUNT] = {0}, total_cands = 0;
    struct cust_match_candidate out[5];
    for (size_t q = 0; q < n_pool; q++) {
        struct synth subj;
        enum noise kind = make_subject(&pool[q], &subj);
        struct cust_match_name names[2];
        const char *bk[1];
        struct cust_match_person s;
        to_person(&subj, -1, names, bk, &s);
        s.n_booking_numbers = subj.booking[0] ? 1 : 0;
        size_t n = 0;
        double tq = now_ms(), cq = cpu_ms();
        if (cust_match_query(ix, &s, NULL, out, 5, &n, &err) != CUST_OK) {
            fprintf(stderr, "bench_match: %s\n", err.msg);
            return 1;
        }
        lat[q] = now_ms() - tq;
        cpu[q] = cpu_ms() - cq;
        count[kind]++;
        total_cands += n;
        for (size_t k = 0; k < n; k++) {
            if (out[k].person_id == (int64_t)pool_id[q]) {
                top1[kind] += k == 0;
                top5[kind]++;
                break;
            }
        }
    }
    qsort(lat, n_pool, sizeof(*lat), cmp_double);
    qsort(cpu, n_pool, sizeof(*cpu), cmp_double);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);

    printf("bench_match: %zu persons, %zu queries\n", n_persons, n_pool);
    printf("  anchor: qsort of 1,000,000 random uint32 %.1f ms CPU\n", anchor_ms);
    printf("  index: add %.0f ms wall / %.0f ms CPU (%.2f us/person CPU), build (key sort) %.0f ms "
           "wall / %.0f ms CPU\n",
           t_add, c_add, c_add * 1e3 / (double)n_persons, t_build, c_build);
    printf("  memory: index %.1f MiB (%.0f bytes/person), max RSS %.1f MiB\n",
           (double)cust_match_index_memory(ix) / 1048576.0,
           (double)cust_match_index_memory(ix) / (double)n_persons, (double)ru.ru_maxrss / 1024.0);
    printf("  query wall time: median %.3f ms, p90 %.3f ms, p99 %.3f ms, max %.3f ms\n",
           lat[n_pool / 2], lat[n_pool * 90 / 100], lat[n_pool * 99 / 100], lat[n_pool - 1]);
    printf("  query CPU time:  median %.3f ms, p90 %.3f ms, p99 %.3f ms, max %.3f ms\n",
           cpu[n_pool / 2], cpu[n_pool * 90 / 100], cpu[n_pool * 99 / 100], cpu[n_pool - 1]);
    printf("  true person ranked first / within top 5, by noise:\n");
    size_t a1 = 0, a5 = 0;
    for (int k = 0; k < N_COUNT; k++) {
        a1 += top1[k];
        a5 += top5[k];
        printf("    %-24s %4zu queries  top-1 %5.1f%%  top-5 %5.1f%%\n", noise_names[k], count[k],
               count[k] ? 100.0 * (double)top1[k] / (double)count[k] : 0.0,
               count[k] ? 100.0 * (double)top5[k] / (double)count[k] : 0.0);
    }
    printf("    %-24s %4zu queries  top-1 %5.1f%%  top-5 %5.1f%%  (%.1f candidates returned)\n",
           "all", n_pool, 100.0 * (double)a1 / (double)n_pool, 100.0 * (double)a5 / (double)n_pool,
           (double)total_cands / (double)n_pool);
    free(lat);
    free(cpu);
    free(pool);
    free(pool_id);
    cust_match_index_free(ix);
    return 0;
}
