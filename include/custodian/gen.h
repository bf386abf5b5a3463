/*
 * gen.h - the synthetic county generator behind `custodian gen`.
 *
 * Produces a realistic, deterministic county jail as custody JSON Lines
 * (../shared/spec/custody-jsonl.md): bookings in chronological order over a
 * window of two years ending on `end_day`, plus the standing population
 * booked before the window and still in custody when it opens. Everything
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
 * Design, proportions and their sources: docs/internals/gen.md.
 */
#ifndef CUSTODIAN_GEN_H
#define CUSTODIAN_GEN_H

#include "custodian/buf.h"
#include "custodian/status.h"

/* Bookings in the two-year window at the default scale (a large urban county). */
#define CUST_GEN_DEFAULT_BOOKINGS 200000
/* The window every run covers, in days (two years). */
#define CUST_GEN_WINDOW_DAYS 730

struct cust_gen_opts {
    uint64_t seed;
    int64_t bookings;         /* bookings booked inside the window (> 0) */
    int32_t end_day;          /* last day of the window (day number); snapshot at its end */
    const char *policies_dir; /* holds tables/common-offenses.csv and tables/prop47-offenses.csv;
                                 NULL: $CUSTODIAN_POLICIES, else CUST_SOURCE_DIR "/policies" */
};

/* seed 1, default scale, window ending 2026-10-31 (day 20757), default policies. */
#define CUST_GEN_OPTS_INIT                                                                         \
    {                                                                                              \
        1, CUST_GEN_DEFAULT_BOOKINGS, 20757, NULL                                                  \
    }

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
 * Split one CSV record (RFC 4180: quoted fields may hold commas and doubled
 * quotes; no embedded newlines) into at most `max` fields, written into
 * `scratch` (at least strlen(line) + 1 bytes). Returns the field count, or -1
 * for an unterminated quote or more than `max` fields.
 */
int cust_gen_csv_split(const char *line, char *scratch, char **fields, int max);

/* The LA offset (minutes east of UTC: -420 PDT or -480 PST) in force at an instant. */
int cust_gen_la_offset(int64_t unix_seconds);

void cust_gen_free(struct cust_gen *g);

#endif
