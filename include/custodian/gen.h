/*
 * gen.h - the synthetic county generator behind `custodian gen`.
 *
 * Produces a realistic, deterministic county jail as custody JSON Lines
 * (../shared/spec/custody-jsonl.md): bookings in chronological order over a
 * window of two years ending on `end_day`, plus the standing population
 * booked before the window and still in custody when it opens (`start_day` opens a
 * longer or shorter window: the demo's runs from 2024-01-01 to its today). Everything
 * derives from `seed` through a private PRNG (splitmix64 + xoshiro256**), so
 * the same options give byte-identical output on every run.
 *
 *     struct cust_gen_opts o = CUST_GEN_OPTS_INIT;
 *     o.seed = 42;
 *     struct cust_gen *g;
 *     if (cust_gen_new(&o, &g, &err) != CUST_OK) ...
 *     struct cust_buf line = CUST_BUF_INIT;
 *     bool done = false;
 *     while (cust_gen_next(g, &line, &done) == CUST_OK && !done) {
 *         fwrite(line.buf, 1, line.len, stdout);
 *         cust_buf_reset(&line);
 *     }
 *     cust_gen_free(g);
 *
 * cust_gen_requests_new (below) generates the federal requests the same county
 * receives (`custodian gen --requests`).
 *
 * Design, proportions and their sources: docs/internals/gen.md.
 */
#ifndef CUSTODIAN_GEN_H
#define CUSTODIAN_GEN_H

#include "custodian/buf.h"
#include "custodian/status.h"

/* Bookings in the two-year window at the default scale (a large urban county). */
#define CUST_GEN_DEFAULT_BOOKINGS 200000
/* The window a run covers by default, in days (two years). */
#define CUST_GEN_WINDOW_DAYS 730

struct cust_gen_opts {
    uint64_t seed;
    int64_t bookings;         /* bookings booked inside the window (> 0) */
    int32_t end_day;          /* last day of the window (day number); snapshot at its end */
    const char *policies_dir; /* holds tables/common-offenses.csv and tables/prop47-offenses.csv;
                                 NULL: $CUSTODIAN_POLICIES, else the data folder's policies/ */
    int32_t start_day;        /* first day of the window; 0 = CUST_GEN_WINDOW_DAYS before end.
                                 `bookings` are booked over the whole window, so a longer window
                                 at the default scale takes cust_gen_default_bookings(). */
};

/* seed 1, default scale, window ending 2026-10-31 (day 20757), default policies. */
#define CUST_GEN_OPTS_INIT                                                                         \
    {                                                                                              \
        1, CUST_GEN_DEFAULT_BOOKINGS, 20757, NULL, 0                                               \
    }

/* The window's first day and its length in days (start_day 0: the default two years). */
int32_t cust_gen_window_start(const struct cust_gen_opts *opts);
int32_t cust_gen_window_days(const struct cust_gen_opts *opts);
/* The default scale's bookings over a window of `days` days (100,000 a year). */
int64_t cust_gen_default_bookings(int32_t days);

/* One row of the offense table, as loaded. `level` is "felony", "misdemeanor",
 * "infraction", "wobbler" or "n/a" (a booking basis such as a parole hold). */
struct cust_gen_offense {
    char *code;        /* "PC 245(a)(1)" */
    char *description; /* upper-cased, as jail systems print it */
    char *level;
    bool serious, violent; /* "yes" in the table (not "conditional") */
    bool prop47;           /* a section Prop 47 reduced (prop47-offenses.csv) */
    unsigned weight;       /* from frequency_hint: high 20, medium 5, low 1 */
};

struct cust_gen;

/*
 * Validate `opts`, load the offense tables and set up a generator. Errors:
 * CUST_EINVAL for bad options or a malformed table (naming file, line and
 * column), CUST_EIO when a table cannot be read.
 */
enum cust_status cust_gen_new(const struct cust_gen_opts *opts, struct cust_gen **out,
                              struct cust_err *err) CUST_WARN_UNUSED;

/*
 * Append the next booking (one JSON object and '\n') to `line`. Sets *done
 * (and appends nothing) after the last one. Fails only if `line` hits its cap.
 */
enum cust_status cust_gen_next(struct cust_gen *g, struct cust_buf *line,
                               bool *done) CUST_WARN_UNUSED;

/* Generate everything into `f`. CUST_EIO on a write error. */
enum cust_status cust_gen_write(struct cust_gen *g, FILE *f, struct cust_err *err) CUST_WARN_UNUSED;

/* The loaded offense table (valid until cust_gen_free). */
size_t cust_gen_offense_count(const struct cust_gen *g);
const struct cust_gen_offense *cust_gen_offense_at(const struct cust_gen *g, size_t i);

/*
 * One booking as the generator writes it, for an observer (the request
 * generator, tests). Everything is borrowed and valid only during the call.
 */
struct cust_gen_booking {
    uint64_t booking_number; /* as written ("6000123") */
    size_t person;           /* person index: person_id is "P" (1000001 + person) */
    int64_t booked_t;        /* Unix seconds */
    int64_t release_t;       /* Unix seconds; the planned release when still in custody */
    bool released;           /* released by the snapshot (released_at not null) */
    const char *last_name, *first_name, *dob; /* dob as written (may be YYYY-MM-XX) */
    const char *fbi, *cii, *sid, *a_number;   /* NULL when the person has none */
    const char *citizenship;                  /* "citizen" | "non_citizen" | "unknown" */
    bool citizenship_verified;
    const char *facility;
};

/*
 * Call fn(ctx, booking) for every booking cust_gen_next writes from now on
 * (after its line is formatted). fn NULL removes the observer. Additive: the
 * output bytes do not change.
 */
void cust_gen_set_observer(struct cust_gen *g,
                           void (*fn)(void *ctx, const struct cust_gen_booking *b), void *ctx);

/* The first instant after the window (local midnight after `end_day`): the snapshot. */
int64_t cust_gen_snapshot_time(const struct cust_gen *g);

/* The LA offset (minutes east of UTC: -420 PDT or -480 PST) in force at an instant. */
int cust_gen_la_offset(int64_t unix_seconds);

void cust_gen_free(struct cust_gen *g);

/* ---- the county's federal requests (src/gen/gen_requests.c) ---------------------------- */

/* Annual volumes at the default scale (CUST_GEN_DEFAULT_BOOKINGS); they scale with
 * `bookings`. Sources and the rest of the mix: docs/internals/gen.md. */
#define CUST_GEN_DETAINERS_PER_YEAR     995
#define CUST_GEN_NOTIFICATIONS_PER_YEAR 300
#define CUST_GEN_INTERVIEWS_PER_YEAR    40

/* Noise put into a request's subject, so matching has work to do (bit flags). */
enum cust_gen_noise {
    CUST_GEN_NOISE_NAME_ONLY = 1 << 0, /* no booking number and no strong id */
    CUST_GEN_NOISE_SPELLING = 1 << 1,  /* a misspelled surname */
    CUST_GEN_NOISE_ACCENT = 1 << 2,    /* an accent added or dropped */
    CUST_GEN_NOISE_DOB_SWAP = 1 << 3   /* day and month of birth swapped */
};

/* What the generator knows about a request and the desk must find out. */
struct cust_gen_request_truth {
    uint64_t booking_number; /* the subject's booking; 0 for a population (scope) request */
    size_t person;           /* the subject's person index (see struct cust_gen_booking) */
    int64_t received_t;      /* Unix seconds */
    unsigned noise;          /* enum cust_gen_noise bits */
};

struct cust_gen_requests;

/*
 * Generate the county `opts` describes (as cust_gen_new would) and the federal
 * requests it receives over the window, in received order. Deterministic: the
 * same options give the same requests. Errors as cust_gen_new.
 */
enum cust_status cust_gen_requests_new(const struct cust_gen_opts *opts,
                                       struct cust_gen_requests **out,
                                       struct cust_err *err) CUST_WARN_UNUSED;

/* The number of requests generated. */
size_t cust_gen_requests_count(const struct cust_gen_requests *rq);

/* Request i (< count) as one compact JSON object in the `request add` format of
 * spec/requests.md, without a newline. Valid until cust_gen_requests_free. */
const char *cust_gen_requests_json(const struct cust_gen_requests *rq, size_t i);

/* What request i is really about (< count). */
const struct cust_gen_request_truth *cust_gen_requests_truth(const struct cust_gen_requests *rq,
                                                             size_t i);

/* Write all requests as JSON Lines into `f`. CUST_EIO on a write error. */
enum cust_status cust_gen_requests_write(const struct cust_gen_requests *rq, FILE *f,
                                         struct cust_err *err) CUST_WARN_UNUSED;

void cust_gen_requests_free(struct cust_gen_requests *rq);

#endif
