/*
 * records.h - custody records: parsing and validating custody JSON Lines
 * (shared/spec/custody-jsonl.md), import, export and as-of custody
 * (docs/internals/records.md).
 *
 *     struct cust_import_opts o = {.path = "bookings.jsonl", .actor = "clerk1"};
 *     struct cust_import_stats st;
 *     enum cust_status rc = cust_import_file(store, &o, &st, &err);
 */
#ifndef CUSTODIAN_RECORDS_H
#define CUSTODIAN_RECORDS_H

#include "custodian/diag.h"
#include "custodian/store.h"

/* In custody on day D: booked_day <= D and (released_day is CUST_NO_DAY or released_day > D). */
bool cust_in_custody(int32_t booked_day, int32_t released_day, int32_t day);

/*
 * One parsed booking. `b` borrows its strings from `tree` (the parsed JSON) and from the
 * owned arrays; valid until cust_record_release.
 */
struct cust_record {
    struct cust_booking b;
    void *root; /* json_t * of the line when jansson parsed it (see src/records/jscan.h) */
    void *tree; /* the parsed nodes (struct jv_doc *) the strings are borrowed from */
    struct cust_charge *charges;
    struct cust_prior *priors;
    char **owned; /* strings allocated for this record */
    size_t n_owned;
};

/*
 * Parse and validate one line (without its newline). On success returns CUST_OK and fills
 * `rec` (release it with cust_record_release). Otherwise returns CUST_EINVAL with every
 * problem in `diag` as "json.path: reason"; `rec` holds nothing then. The computed release
 * date (release.h) is filled when a sentence is present, with the disagreement flag.
 */
enum cust_status cust_record_parse(const char *line, size_t len, struct cust_record *rec,
                                   struct cust_diag *diag);
void cust_record_release(struct cust_record *rec);

/*
 * The names of the fields that differ between two versions (top-level keys, and
 * "person.<key>" inside person), as a compact JSON array (new heap string), or NULL when the
 * two documents are equal. Both must be valid JSON objects.
 */
char *cust_record_changed(const char *old_doc, const char *new_doc);

/* Longest accepted line (bytes, without the newline); longer lines are invalid. */
#define CUST_IMPORT_MAX_LINE (1 << 20)

struct cust_import_opts {
    const char *path;  /* the file; "-" reads stdin */
    const char *actor; /* who imports (ledger, version provenance) */
    const char *role;  /* ledger role; NULL = "operator" */
    bool skip_invalid; /* write valid lines, put rejected ones in PATH.rejects.jsonl */
    bool progress;     /* draw a progress bar on stderr */
    FILE *errors;      /* where "FILE:LINE: path: reason" lines go (NULL = stderr) */
};

struct cust_import_stats {
    int64_t lines;     /* non-empty lines read */
    int64_t bookings;  /* valid lines */
    int64_t created;   /* new bookings */
    int64_t updated;   /* bookings given a new version */
    int64_t unchanged; /* identical to the current version (no new version) */
    int64_t persons;   /* distinct persons the valid lines belong to */
    int64_t rejected;  /* invalid lines */
    double seconds;
};

/*
 * Import a custody JSONL file in one transaction, with one ledger entry (action "import")
 * and one per correction (action "correct"). Default all-or-nothing: any invalid line means
 * nothing is written and CUST_EINVAL is returned after listing every problem. With
 * skip_invalid the valid lines are written, rejected ones go to PATH.rejects.jsonl, and
 * CUST_OK is returned (stats->rejected tells the caller).
 */
enum cust_status cust_import_file(struct cust_store *s, const struct cust_import_opts *o,
                                  struct cust_import_stats *stats, struct cust_err *err);

/*
 * Write every booking's current version (exactly as imported, unknown fields included), one
 * per line, ordered by booking_number; only those in custody on `day` unless CUST_NO_DAY.
 * Appends a ledger entry (action "export"). *count (may be NULL) gets the number written.
 */
enum cust_status cust_export(struct cust_store *s, FILE *out, int32_t day, const char *actor,
                             const char *target, int64_t *count, struct cust_err *err);

#endif
