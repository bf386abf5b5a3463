/*
 * bench/match_floor.c - where to put the floor under a request's match candidates: a generated
 * county (`custodian gen`) and the federal requests it receives (`gen --requests`, which knows
 * each request's true subject) go through the desk's intake with every candidate kept
 * (struct cust_desk.match_all); each candidate is true (the subject's person) or false, and
 * the program counts both above and below candidate floors. Twice: the subjects as generated
 * (most carry a booking number or a strong identifier), and the same subjects with name and
 * date of birth only (identifiers removed: the case the floor is for). The floor the desk uses
 * is CUST_DESK_MATCH_FLOOR (desk.h); docs/benchmarks.md and docs/bench-desk.md have the figures.
 *
 *     CUSTODIAN_POLICIES=policies build-release/bench/bench_match_floor [BOOKINGS] [SEED]
 */
#include "custodian/compat.h"
#include "custodian/config.h"
#include "custodian/desk.h"
#include "custodian/gen.h"
#include "custodian/records.h"

#include <inttypes.h>
#include <math.h>
#include <unistd.h>

static const double floors[] = {0.0, 0.001, 0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8};
#define NF (sizeof(floors) / sizeof(floors[0]))

struct tally {
    long requests, true_found, true_top1;
    long true_above[NF], false_above[NF], requests_with_true_above[NF];
    long best_false_above[NF]; /* requests whose best false candidate is above the floor */
    /* the true person's score by the noise in the subject (gen.h enum cust_gen_noise) */
    long by_noise[4];
    double min_true[4];
};

static const char *const noise_names[] = {"none", "misspelled surname", "accent added or dropped",
                                          "day and month of birth swapped"};

static int noise_class(unsigned noise)
{
    return noise & CUST_GEN_NOISE_SPELLING   ? 1
           : noise & CUST_GEN_NOISE_ACCENT   ? 2
           : noise & CUST_GEN_NOISE_DOB_SWAP ? 3
                                             : 0;
}

/* booking number -> person id, from every person's booking numbers */
struct bmap {
    json_t *by_booking;
};

static enum cust_status on_person(const struct cust_person_row *p, void *arg)
{
    struct bmap *m = arg;
    json_t *bns = p->booking_numbers ? json_loads(p->booking_numbers, 0, NULL) : NULL;
    size_t i;
    json_t *b;
    json_array_foreach(bns, i, b)
        json_object_set_new(m->by_booking, json_string_value(b), json_integer(p->person_id));
    json_decref(bns);
    return CUST_OK;
}

static void count(struct tally *t, const json_t *links, int64_t truth, unsigned noise)
{
    t->requests++;
    int nc = noise_class(noise);
    if (t->by_noise[nc]++ == 0)
        t->min_true[nc] = 2;
    double best_false[NF] = {0};
    bool seen_true_above[NF] = {false};
    size_t i;
    json_t *l;
    json_array_foreach(links, i, l)
    {
        double score = json_real_value(json_object_get(l, "score"));
        bool is_true = json_integer_value(json_object_get(l, "person_id")) == truth;
        if (is_true) {
            t->true_found++;
            t->true_top1 += i == 0;
            t->min_true[nc] = fmin(t->min_true[nc], score);
        }
        for (size_t f = 0; f < NF; f++) {
            bool above = score >= floors[f] || json_is_true(json_object_get(l, "strong"));
            if (!above)
                continue;
            if (is_true) {
                t->true_above[f]++;
                seen_true_above[f] = true;
            } else {
                t->false_above[f]++;
                best_false[f] = 1;
            }
        }
    }
    for (size_t f = 0; f < NF; f++) {
        t->requests_with_true_above[f] += seen_true_above[f];
        t->best_false_above[f] += best_false[f] > 0;
    }
}

static void print(const char *title, const struct tally *t)
{
    printf("\n%s: %ld requests, the true person among the candidates in %ld (first in %ld)\n",
           title, t->requests, t->true_found, t->true_top1);
    printf("  %-8s %12s %12s %14s %18s\n", "floor", "true above", "false above", "true below",
           "requests w/ false");
    for (size_t f = 0; f < NF; f++)
        printf("  %-8.3f %12ld %12ld %14ld %18ld\n", floors[f], t->true_above[f], t->false_above[f],
               t->true_found - t->true_above[f], t->best_false_above[f]);
    for (int k = 0; k < 4; k++)
        if (t->by_noise[k])
            printf("  subject noise %-32s %4ld requests, lowest true score %.4f\n", noise_names[k],
                   t->by_noise[k], t->min_true[k]);
}

int main(int argc, char **argv)
{
    long bookings = argc > 1 ? strtol(argv[1], NULL, 10) : 50000;
    uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 10) : 1;
    char dir[] = "/tmp/bench-floor.XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    char jsonl[128], db[128];
    snprintf(jsonl, sizeof(jsonl), "%s/county.jsonl", dir);
    snprintf(db, sizeof(db), "%s/bench.db", dir);
    struct cust_err err = CUST_ERR_INIT;
    struct cust_gen_opts go = CUST_GEN_OPTS_INIT;
    go.seed = seed;
    go.bookings = bookings;
    struct cust_gen *g = NULL;
    FILE *f = fopen(jsonl, "w");
    if (!f || cust_gen_new(&go, &g, &err) || cust_gen_write(g, f, &err) || fclose(f)) {
        fprintf(stderr, "bench: %s\n", err.msg);
        return 1;
    }
    cust_gen_free(g);
    struct cust_gen_requests *rq = NULL;
    if (cust_gen_requests_new(&go, &rq, &err)) {
        fprintf(stderr, "bench: %s\n", err.msg);
        return 1;
    }
    struct cust_store *s;
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
    struct bmap m = {json_object()};
    if (cust_store_persons(s, 0, on_person, &m, &err)) {
        fprintf(stderr, "bench: %s\n", err.msg);
        return 1;
    }
    struct cust_desk d;
    cust_desk_init(&d, env, s, "bench", NULL);
    d.match_all = true;
    struct tally as_sent = {0}, names_only = {0};
    long skipped = 0;
    for (size_t i = 0; i < cust_gen_requests_count(rq); i++) {
        const struct cust_gen_request_truth *t = cust_gen_requests_truth(rq, i);
        if (!t->booking_number)
            continue; /* a population request */
        char bn[24];
        snprintf(bn, sizeof(bn), "%" PRIu64, t->booking_number);
        int64_t truth = json_integer_value(json_object_get(m.by_booking, bn));
        if (truth <= 0) {
            skipped++;
            continue;
        }
        for (int variant = 0; variant < 2; variant++) {
            json_t *doc = json_loads(cust_gen_requests_json(rq, i), 0, NULL);
            json_t *subj = json_object_get(doc, "subject");
            if (variant == 1) {
                static const char *const ids[] = {"booking_number", "fbi", "cii", "sid",
                                                  "a_number"};
                for (size_t k = 0; k < CUST_ARRAY_LEN(ids); k++)
                    json_object_del(subj, ids[k]);
            }
            char id[CUST_REQUEST_ID_MAX];
            struct cust_diag diag = CUST_DIAG_INIT;
            json_t *shown = NULL;
            if (cust_desk_add(&d, doc, id, &diag, &err) || cust_desk_show(&d, id, &shown, &err)) {
                fprintf(stderr, "bench: request %zu: %s\n", i, err.msg);
                return 1;
            }
            count(variant ? &names_only : &as_sent, json_object_get(shown, "links"), truth,
                  t->noise);
            json_decref(shown);
            json_decref(doc);
            cust_diag_release(&diag);
        }
    }
    printf("county: %ld bookings in the window (seed %" PRIu64 "), %lld in the store; subject "
           "requests: %ld (%ld skipped: subject not in the store)\n",
           bookings, seed, (long long)json_object_size(m.by_booking), as_sent.requests, skipped);
    printf("candidates: the desk's top %d, every one kept (match_all); 'above' = score >= floor "
           "or a strong identifier\n",
           10);
    print("as sent (booking number or strong id in most)", &as_sent);
    print("name and date of birth only (identifiers removed)", &names_only);
    json_decref(m.by_booking);
    cust_desk_release(&d);
    cust_store_close(s);
    cust_desk_env_free(env);
    cust_config_free(cfg);
    cust_gen_requests_free(rq);
    char cmd[200];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : 1;
}
