/*
 * Linkage quality of src/match on the Splink fake_1000 data set
 * (tests/data/linkage/fake_1000.csv, with its MIT licence: 1,000 records of 250 people, with
 * typos, missing fields and shifted dates). Every record is queried against an
 * index of all 1,000 (itself excluded); the figures are printed and checked
 * against floors set a little below what the matcher achieves, so a regression
 * fails. Only names and date of birth are used (city and e-mail are not fields
 * a jail matches on). Figures: docs/bench-match.md.
 */
#include "custodian/compat.h"
#include "custodian/csv.h"
#include "custodian/match.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#define N_MAX       2000
#define LINK_POINTS 12.0 /* the link threshold measured (score 0.5) */

/* Floors, a little below the figures measured (docs/bench-match.md). */
#define FLOOR_TOP1         0.97
#define FLOOR_TOP5         0.98
#define FLOOR_COMPLETENESS 0.94
#define FLOOR_PRECISION    0.99
#define FLOOR_RECALL       0.70

struct record {
    char *first, *last, *dob;
    long cluster;
};

static struct record recs[N_MAX];
static size_t n_recs;

/* A heap copy of `s` with surrounding spaces trimmed (the data set pads some names). */
static char *trimmed(const char *s)
{
    while (*s == ' ')
        s++;
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == ' ')
        n--;
    return cust_xstrndup(s, n);
}

static int load(void **state)
{
    (void)state;
    char path[4096];
    const char *src = getenv("CUST_SOURCE_DIR");
    snprintf(path, sizeof(path), "%s/tests/data/linkage/fake_1000.csv",
             src && *src ? src : CUST_SOURCE_DIR);
    struct cust_csv csv;
    struct cust_err err = CUST_ERR_INIT;
    if (cust_csv_open_file(&csv, path, &err) || cust_csv_next(&csv, &err)) {
        fprintf(stderr, "cannot read '%s': %s\n", path, err.msg);
        return -1;
    }
    int col_first = cust_csv_column(&csv, "first_name"),
        col_last = cust_csv_column(&csv, "surname");
    int col_dob = cust_csv_column(&csv, "dob"), col_cluster = cust_csv_column(&csv, "cluster");
    if (col_first < 0 || col_last < 0 || col_dob < 0 || col_cluster < 0) {
        cust_csv_release(&csv);
        return -1;
    }
    enum cust_status st;
    while ((st = cust_csv_next(&csv, &err)) == CUST_OK && csv.nfields && n_recs < N_MAX) {
        if (csv.nfields <= (size_t)col_cluster)
            continue;
        struct record *r = &recs[n_recs++];
        r->first = trimmed(csv.fields[col_first]);
        r->last = trimmed(csv.fields[col_last]);
        r->dob = trimmed(csv.fields[col_dob]);
        r->cluster = strtol(csv.fields[col_cluster], NULL, 10);
    }
    if (st)
        fprintf(stderr, "%s: %s\n", path, err.msg);
    cust_csv_release(&csv);
    return st ? -1 : 0;
}

static int unload(void **state)
{
    (void)state;
    for (size_t i = 0; i < n_recs; i++) {
        free(recs[i].first);
        free(recs[i].last);
        free(recs[i].dob);
    }
    n_recs = 0;
    return 0;
}

static void test_fake_1000(void **state)
{
    (void)state;
    assert_int_equal(n_recs, 1000);
    struct cust_err err = CUST_ERR_INIT;
    struct cust_match_index *ix = cust_match_index_new();
    struct cust_match_name *names = cust_xcalloc(n_recs, sizeof(*names));
    for (size_t i = 0; i < n_recs; i++) {
        names[i] = (struct cust_match_name){recs[i].last, recs[i].first, recs[i].dob};
        struct cust_match_person p = {(int64_t)i, &names[i], 1, NULL, NULL, NULL, NULL, NULL, 0};
        assert_int_equal(cust_match_index_add(ix, &p, &err), CUST_OK);
    }
    assert_int_equal(cust_match_index_build(ix, &err), CUST_OK);

    size_t cap = n_recs;
    struct cust_match_candidate *out = cust_xcalloc(cap, sizeof(*out));
    struct cust_match_options opt = {-1e9}; /* every blocked candidate, ranked */
    /* best points per unordered pair over both query directions; -INF = never blocked */
    float *pts = cust_xmalloc(n_recs * n_recs * sizeof(*pts));
    for (size_t k = 0; k < n_recs * n_recs; k++)
        pts[k] = -INFINITY;
    size_t with_mate = 0, top1 = 0, top5 = 0;
    for (size_t i = 0; i < n_recs; i++) {
        struct cust_match_person s = {-1, &names[i], 1, NULL, NULL, NULL, NULL, NULL, 0};
        size_t n = 0;
        assert_int_equal(cust_match_query(ix, &s, &opt, out, cap, &n, &err), CUST_OK);
        size_t rank = 0;
        bool hit1 = false, hit5 = false, mate = false;
        for (size_t j = 0; j < n_recs; j++)
            mate |= j != i && recs[j].cluster == recs[i].cluster;
        for (size_t k = 0; k < n; k++) {
            size_t j = (size_t)out[k].person_id;
            if (j == i)
                continue;
            bool same = recs[j].cluster == recs[i].cluster;
            hit1 |= rank == 0 && same;
            hit5 |= rank < 5 && same;
            rank++;
            size_t lo = i < j ? i : j, hi = i < j ? j : i;
            if ((float)out[k].points > pts[lo * n_recs + hi])
                pts[lo * n_recs + hi] = (float)out[k].points;
        }
        if (mate) {
            with_mate++;
            top1 += hit1;
            top5 += hit5;
        }
    }
    const char *verbose = getenv("CUST_LINKAGE_VERBOSE");
    double thresholds[] = {6, 8, 10, 12, 14, 16};
    size_t ttp[6] = {0}, tfp[6] = {0};
    size_t true_pairs = 0, blocked_true = 0, blocked_pairs = 0, tp = 0, fp = 0;
    for (size_t i = 0; i < n_recs; i++) {
        for (size_t j = i + 1; j < n_recs; j++) {
            bool same = recs[j].cluster == recs[i].cluster;
            float p = pts[i * n_recs + j];
            bool blocked = p != -INFINITY;
            true_pairs += same;
            blocked_pairs += blocked;
            blocked_true += same && blocked;
            if (p >= LINK_POINTS) {
                tp += same;
                fp += !same;
            }
            for (size_t t = 0; t < 6; t++) {
                if (p >= thresholds[t]) {
                    ttp[t] += same;
                    tfp[t] += !same;
                }
            }
            if (verbose && same != (p >= LINK_POINTS))
                printf("  %s %6.1f  %s|%s|%s  ~  %s|%s|%s\n", same ? "missed" : "false ", p,
                       recs[i].last, recs[i].first, recs[i].dob, recs[j].last, recs[j].first,
                       recs[j].dob);
        }
    }
    free(pts);
    double p_top1 = (double)top1 / (double)with_mate;
    double p_top5 = (double)top5 / (double)with_mate;
    double completeness = (double)blocked_true / (double)true_pairs;
    double precision = tp + fp ? (double)tp / (double)(tp + fp) : 0.0;
    double recall = (double)tp / (double)true_pairs;
    double f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0.0;
    double all_pairs = (double)n_recs * (double)(n_recs - 1) / 2.0;
    printf("fake_1000: %zu records, %zu with a same-cluster mate, %zu true pairs\n", n_recs,
           with_mate, true_pairs);
    printf("  top-1 same cluster  %.1f%% (%zu/%zu)\n", 100 * p_top1, top1, with_mate);
    printf("  top-5 same cluster  %.1f%% (%zu/%zu)\n", 100 * p_top5, top5, with_mate);
    printf("  blocking: %zu candidate pairs (%.2f%% of %.0f), pairs-completeness %.1f%%\n",
           blocked_pairs, 100.0 * (double)blocked_pairs / all_pairs, all_pairs, 100 * completeness);
    printf("  link at >= %.0f points: precision %.3f recall %.3f F1 %.3f (tp %zu fp %zu)\n",
           LINK_POINTS, precision, recall, f1, tp, fp);
    for (size_t t = 0; t < 6; t++) {
        double pr = ttp[t] + tfp[t] ? (double)ttp[t] / (double)(ttp[t] + tfp[t]) : 0.0;
        double rc = (double)ttp[t] / (double)true_pairs;
        printf("    threshold %4.0f: precision %.3f recall %.3f F1 %.3f\n", thresholds[t], pr, rc,
               pr + rc > 0 ? 2 * pr * rc / (pr + rc) : 0.0);
    }
    /* floors: a little below the measured figures (docs/bench-match.md) */
    assert_true(p_top1 >= FLOOR_TOP1);
    assert_true(p_top5 >= FLOOR_TOP5);
    assert_true(completeness >= FLOOR_COMPLETENESS);
    assert_true(precision >= FLOOR_PRECISION);
    assert_true(recall >= FLOOR_RECALL);
    free(out);
    free(names);
    cust_match_index_free(ix);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fake_1000),
    };
    return cmocka_run_group_tests(tests, load, unload);
}
