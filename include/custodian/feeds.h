/*
 * feeds.h - feeds from the jail system a county already runs (docs/internals/feeds.md,
 * docs/mappings.md): a declarative mapping file (YAML) turns a source's export - CSV, TSV,
 * fixed-width or XML - into custody records, which then go through the records module's
 * import (the same validation, store and ledger path as a custody JSONL file); a feed run
 * loads a daily export as one tracked run: new versions for changed bookings, releases,
 * bookings missing from a full snapshot put up for review, one ledger entry per run.
 *
 *     struct cust_map *m;
 *     if (cust_map_load("jms.yaml", &m, &diag, &err) != CUST_OK) ...   // diag: LINE: path: reason
 *     struct cust_import_opts o = {.path = "jms.csv", .actor = "clerk1"};
 *     cust_feed_import(store, m, &o, &stats, &err);
 */
#ifndef CUSTODIAN_FEEDS_H
#define CUSTODIAN_FEEDS_H

#include "custodian/diag.h"
#include "custodian/records.h"
#include "custodian/store.h"

struct cust_map;

/*
 * Load a mapping file. On CUST_EINVAL every problem is in `diag` as "LINE: path: reason"
 * (print each with a "FILE:" prefix); other failures (unreadable file) are in `err`.
 */
enum cust_status cust_map_load(const char *path, struct cust_map **out, struct cust_diag *diag,
                               struct cust_err *err);
/* The same from memory; `label` names the mapping in messages. */
enum cust_status cust_map_parse(const char *label, const char *text, size_t len,
                                struct cust_map **out, struct cust_diag *diag,
                                struct cust_err *err);
void cust_map_free(struct cust_map *m);
/* The source's name (the mapping's `name`), e.g. "jms-charges". */
const char *cust_map_name(const struct cust_map *m);
/* True when the mapping says each file is a full snapshot (`feed: {snapshot: full}`). */
bool cust_map_snapshot_full(const struct cust_map *m);

/*
 * A source file read through a mapping, as a records import source (records.h): each
 * booking becomes one custody JSON line; problems the mapping finds (a code missing from a
 * value table, a date that does not match its pattern, a wall time the clocks skipped, rows
 * of one booking that disagree) are the record's problems, named by field and by the input
 * line. Malformed input (an unterminated quote, XML that is not well-formed) stops the read.
 */
struct cust_feed_reader;
enum cust_status cust_feed_reader_open(const struct cust_map *m, const char *path,
                                       struct cust_feed_reader **out, struct cust_err *err);
/* The same over `len` bytes of memory (copied); `label` names it in messages. */
enum cust_status cust_feed_reader_open_mem(const struct cust_map *m, const char *label,
                                           const char *data, size_t len,
                                           struct cust_feed_reader **out, struct cust_err *err);
/* The next booking: 1 (filled `it`, with the mapping's problems in it->diag), 0 at the end,
 * -1 when the input cannot be read on (err). This is the import source's next(). */
int cust_feed_reader_next(struct cust_feed_reader *r, struct cust_import_item *it,
                          struct cust_err *err);
/* Fill `src` so that cust_import_file reads from `r`. */
void cust_feed_reader_source(struct cust_feed_reader *r, struct cust_import_source *src);
void cust_feed_reader_free(struct cust_feed_reader *r);

/*
 * Import `o->path` through mapping `m` (cust_import_file with the reader as its source;
 * every option and outcome as for a JSONL import: all or nothing unless skip_invalid,
 * FILE:LINE: field: reason for every problem, one ledger entry naming the mapping).
 */
enum cust_status cust_feed_import(struct cust_store *s, const struct cust_map *m,
                                  const struct cust_import_opts *o, struct cust_import_stats *st,
                                  struct cust_err *err);

/*
 * Write `path` read through `m` as custody JSON Lines to `out` (no store): what an import
 * would store. Problems go to `errors` as FILE:LINE: field: reason (the record is left out);
 * *written and *invalid count the records. CUST_EINVAL when any record was invalid.
 */
enum cust_status cust_feed_convert(const struct cust_map *m, const char *path, FILE *out,
                                   FILE *errors, int64_t *written, int64_t *invalid,
                                   struct cust_err *err);

/* ---- feed runs ------------------------------------------------------------------------ */

enum cust_feed_snapshot {
    CUST_FEED_SNAPSHOT_MAPPING = 0, /* as the mapping says (feed: {snapshot: ...}) */
    CUST_FEED_SNAPSHOT_FULL,        /* the file lists every booking in custody */
    CUST_FEED_SNAPSHOT_DELTA        /* the file lists only what changed */
};

struct cust_feed_run_opts {
    const char *path;  /* the export */
    const char *actor; /* who runs it (ledger) */
    bool skip_invalid; /* as for an import */
    bool progress;
    FILE *errors; /* NULL = stderr */
    enum cust_feed_snapshot snapshot;
};

struct cust_feed_run_result {
    int64_t run_id;
    bool full;                      /* a full snapshot */
    struct cust_import_stats stats; /* the import's counts and the file's SHA-256 */
    int64_t released;               /* bookings whose release this run recorded */
    int64_t missing;        /* listed before, not now, still in custody (full snapshot only) */
    int64_t reviews_opened; /* of those, newly put up for review */
    int64_t reappeared;     /* open review items closed because the booking is listed again */
};

/*
 * Run one feed: import `o->path` through `m` and, in the same transaction, record the run
 * (feed_runs), what the source listed, the review items for bookings missing from a full
 * snapshot, and one ledger entry (action "feed_run": file, SHA-256, counts, the missing
 * booking numbers). A booking is never released because it is missing: a person reviews it
 * (cust_feed_review_resolve). Outcomes as for cust_feed_import.
 */
enum cust_status cust_feed_run(struct cust_store *s, const struct cust_map *m,
                               const struct cust_feed_run_opts *o, struct cust_feed_run_result *res,
                               struct cust_err *err);
/* Resolve review item `id` with what was found (`note`, required); one ledger entry. */
enum cust_status cust_feed_review_resolve(struct cust_store *s, int64_t id, const char *actor,
                                          const char *note, struct cust_err *err);

/*
 * Write every booking's current version (only those in custody on `day` unless CUST_NO_DAY)
 * as a NIEM booking exchange (schemas/niem-booking/booking-exchange.xsd), by booking number,
 * naming `sender` (or no sender when NULL). Citizenship, immigration status, place of birth,
 * address, aliases and prior convictions are never written. One ledger entry (action
 * "export", detail format "niem").
 */
enum cust_status cust_feed_export_niem(struct cust_store *s, FILE *out, int32_t day,
                                       const char *sender, const char *actor, const char *target,
                                       int64_t *count, struct cust_err *err);

#endif
