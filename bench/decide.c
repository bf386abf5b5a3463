/*
 * bench/decide.c - policy engine throughput (docs/bench-decide.md).
 *
 *   bench_decide [N_BATCH_CASES] [CUSTODIAN_BINARY]
 *
 * 1. In-engine: decisions per second on one thread over a realistic mix of pre-parsed cases
 *    (every request kind, 0-4 convictions from the common offense table, pending charges,
 *    CA / LA overlay / TX / FL / federal default, dates across all CA versions), with the trace
 *    off and on.
 * 2. End to end: `custodian decide --batch` over a generated JSONL file (default 200,000 cases)
 *    timed side by side with `jq -c .` over the same file, in the same run (the anchor).
 */
#include "custodian/compat.h"

#include "custodian/policy.h"

#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time of this process: on a machine shared with other builds, wall time counts the
 * waiting too; both are reported. */
static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

static const char *const kinds[] = {"detainer",
                                    "detainer",
                                    "detainer",
                                    "notification_request",
                                    "notification_request",
                                    "transfer_request",
                                    "administrative_warrant",
                                    "judicial_warrant",
                                    "judicial_probable_cause",
                                    "interview_request",
                                    "information_request",
                                    "administrative_subpoena",
                                    "court_order"};
static const char *const jurs[] = {
    "us-ca", "us-ca", "us-ca", "us-ca/los-angeles", "us-tx", "us-fl", "us-federal-default"};
/* the overlay is the illustrative one under policies/examples/, loaded by file */
static const char *policy_ref(const char *id, char *buf, size_t cap)
{
    if (strchr(id, '/') == NULL)
        return id;
    snprintf(buf, cap, "%s/examples/%s.policy", cust_policy_dir(NULL), id);
    return buf;
}
static const char *const codes[] = {
    "PC 211",      "PC 459/460(b)",  "PC 245(a)(1)", "PC 242",       "PC 273.5(a)",
    "HS 11377(a)", "HS 11378",       "VC 23152(a)",  "VC 23153(a)",  "PC 496(a)",
    "PC 487(a)",   "PC 32",          "PC 243(c)(2)", "PC 187(a)",    "PC 422(a)",
    "PC 490.2",    "PC 29800(a)(1)", "PC 4530",      "PC 148(a)(1)", "PC 243(d)",
    "PC 10851",    "HS 11350(a)",    "PC 69(a)",     "PC 646.9(a)"};
static const char *const items[] = {"booking_facts", "charges",      "convictions",
                                    "release_date",  "home_address", "citizenship"};

/* batch: the case names a policy id `custodian decide --batch` resolves; the illustrative
 * overlay is not shipped (policies/examples/), so its cases name its base there */
static void gen_case(struct cust_buf *b, bool batch)
{
    const char *jur = jurs[rnd(CUST_ARRAY_LEN(jurs))];
    if (batch && strchr(jur, '/'))
        jur = "us-ca";
    int year = strncmp(jur, "us-ca", 5) == 0 ? 2012 + (int)rnd(14) : 2020 + (int)rnd(6);
    int e =
        cust_buf_appendf(b,
                         "{\"jurisdiction\":\"%s\",\"as_of\":\"%04d-%02u-%02u\",\"request\":{"
                         "\"kind\":\"%s\"",
                         jur, year, 1 + rnd(12), 1 + rnd(28), kinds[rnd(CUST_ARRAY_LEN(kinds))]);
    if (rnd(3) == 0) {
        e |= cust_buf_appendf(b, ",\"items\":[\"%s\",\"%s\"]", items[rnd(6)], items[rnd(6)]);
    }
    e |= cust_buf_appendf(b,
                          "},\"subject\":{\"citizenship\":{\"status\":\"%s\",\"verified\":%s},"
                          "\"release_date_public\":%s,\"convictions\":[",
                          rnd(4) ? "non_citizen" : "citizen", rnd(5) ? "false" : "true",
                          rnd(6) ? "false" : "true");
    uint32_t nc = rnd(5);
    for (uint32_t i = 0; i < nc; i++)
        /* convicted before as_of (a later conviction is an invalid case, decide.md) */
        e |= cust_buf_appendf(b, "%s{\"code\":\"%s\",\"level\":\"%s\",\"date\":\"%04u-%02u-%02u\"}",
                              i ? "," : "", codes[rnd(CUST_ARRAY_LEN(codes))],
                              rnd(2) ? "felony" : "misdemeanor", 1990 + rnd((uint32_t)year - 1990),
                              1 + rnd(12), 1 + rnd(28));
    e |= cust_buf_puts(b, "],\"pending_charges\":[");
    if (rnd(3) == 0)
        e |= cust_buf_appendf(b, "{\"code\":\"%s\",\"level\":\"felony\",\"held_to_answer\":%s}",
                              codes[rnd(CUST_ARRAY_LEN(codes))], rnd(2) ? "true" : "false");
    e |= cust_buf_appendf(b, "],\"sex_arson_registrant\":%s}}", rnd(40) ? "false" : "true");
    if (e)
        abort();
}

#define NCASES 4096

int main(int argc, char **argv)
{
    size_t nbatch = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 200000;
    char exe[4096];
    if (argc > 2) {
        snprintf(exe, sizeof(exe), "%s", argv[2]);
    } else {
        ssize_t l = readlink("/proc/self/exe", exe, sizeof(exe) - 32);
        if (l < 0)
            return 1;
        exe[l] = '\0';
        char *sl = strrchr(exe, '/');
        *sl = '\0';
        sl = strrchr(exe, '/');
        snprintf(sl, 32, "/custodian");
    }
    setenv("CUSTODIAN_NOW", "2025-07-17T12:00:00Z", 0);
    /* load the policies once */
    struct cust_policy *pol[CUST_ARRAY_LEN(jurs)];
    for (size_t i = 0; i < CUST_ARRAY_LEN(jurs); i++) {
        struct cust_err err = CUST_ERR_INIT;
        char ref[4096];
        if (cust_policy_load(NULL, policy_ref(jurs[i], ref, sizeof(ref)), &pol[i], &err)) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
    }
    /* a mix of pre-parsed cases */
    struct cust_case **cs = cust_xcalloc(NCASES, sizeof(*cs));
    const struct cust_policy **cp = cust_xcalloc(NCASES, sizeof(*cp));
    size_t nconv = 0;
    for (size_t i = 0; i < NCASES; i++) {
        struct cust_buf b = CUST_BUF_INIT;
        gen_case(&b, false);
        struct cust_diag dg = CUST_DIAG_INIT;
        if (cust_case_parse(b.buf, b.len, &cs[i], &dg)) {
            cust_diag_print(&dg, stderr, "bench: ");
            return 1;
        }
        cust_diag_release(&dg);
        nconv += (size_t)(strstr(b.buf, "\"code\"") != NULL);
        for (size_t j = 0; j < CUST_ARRAY_LEN(jurs); j++)
            if (strcmp(jurs[j], cust_case_jurisdiction(cs[i])) == 0)
                cp[i] = pol[j];
        cust_buf_release(&b);
    }
    struct cust_decision *d = cust_decision_new();
    for (int trace = 0; trace < 2; trace++) {
        size_t iters = trace ? 300000 : 3000000, errors = 0;
        volatile unsigned sink = 0;
        double t0 = now_s(), c0 = cpu_s();
        for (size_t i = 0; i < iters; i++) {
            size_t k = i % NCASES;
            if (cust_decide(cp[k], cs[k], trace ? CUST_DECIDE_TRACE : 0, d, NULL))
                errors++;
            sink += (unsigned)cust_decision_verdict(d, "hold");
        }
        double t = now_s() - t0, c = cpu_s() - c0;
        printf("in-engine, trace %-3s: %zu decisions in %.3f s = %.0f decisions/s (%.0f ns each; "
               "CPU time %.3f s = %.0f decisions/s; %zu refused: as_of before the first version)\n",
               trace ? "on" : "off", iters, t, (double)iters / t, t * 1e9 / (double)iters, c,
               (double)iters / c, errors);
        (void)sink;
    }
    /* JSON out, in-engine: decision -> json_t -> text, trace off */
    {
        size_t iters = 200000;
        double t0 = now_s();
        for (size_t i = 0; i < iters; i++) {
            size_t k = i % NCASES;
            if (cust_decide(cp[k], cs[k], 0, d, NULL))
                continue;
            json_t *o = cust_decision_to_json(cp[k], cs[k], d);
            char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
            free(s);
            json_decref(o);
        }
        double t = now_s() - t0;
        printf("in-engine + JSON rendering: %.0f decisions/s\n", (double)iters / t);
    }
    cust_decision_free(d);
    for (size_t i = 0; i < NCASES; i++)
        cust_case_free(cs[i]);
    free(cs);
    free(cp);
    for (size_t i = 0; i < CUST_ARRAY_LEN(jurs); i++)
        cust_policy_free(pol[i]);

    /* end to end: --batch vs jq -c . over the same file */
    char path[] = "/tmp/bench-decide-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return 1;
    FILE *f = fdopen(fd, "w");
    size_t bytes = 0;
    for (size_t i = 0; i < nbatch; i++) {
        struct cust_buf b = CUST_BUF_INIT;
        gen_case(&b, true);
        fputs(b.buf, f);
        fputc('\n', f);
        bytes += b.len + 1;
        cust_buf_release(&b);
    }
    fclose(f);
    printf("batch file: %zu cases, %.1f MB (in-engine mix: %zu of %d cases list a conviction or "
           "charge)\n",
           nbatch, (double)bytes / 1e6, nconv, NCASES);
    char cmd[8192];
    double tb = 0, tj = 0;
    for (int rep = 0; rep < 2; rep++) {
        snprintf(cmd, sizeof(cmd), "'%s' decide --batch '%s' > /dev/null 2>&1", exe, path);
        double t0 = now_s();
        int rc = system(cmd);
        double t1 = now_s();
        snprintf(cmd, sizeof(cmd), "jq -c . '%s' > /dev/null", path);
        int rc2 = system(cmd);
        double t2 = now_s();
        if (rc != 0 || rc2 != 0)
            fprintf(stderr, "bench: batch rc %d, jq rc %d\n", rc, rc2);
        if (rep == 0 || t1 - t0 < tb)
            tb = t1 - t0;
        if (rep == 0 || t2 - t1 < tj)
            tj = t2 - t1;
    }
    printf("custodian decide --batch: %.2f s = %.0f cases/s\n", tb, (double)nbatch / tb);
    printf("jq -c . (anchor, same file, same run): %.2f s = %.0f lines/s\n", tj,
           (double)nbatch / tj);
    printf("ratio batch/jq: %.2fx (goal <= 2x)\n", tb / tj);
    unlink(path);
    return 0;
}
