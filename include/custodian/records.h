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

#include <jansson.h>

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

/* The classification flags of a prior conviction a record may carry (struct cust_prior
 * flags_json): serious, violent, state_prison, wobbler, prop47_reduced, aggravated_felony
 * (booleans) and category (text). */
extern const char *const cust_prior_flag_names[7];

/*
 * Custody facts read back: the store keeps each version's document as the source gave it, and
 * these read it through the validator above into a typed record, so every reader (the desk's
 * cases, notices and fulfilments) interprets the custody schema the way import does. Never
 * parse a stored booking's JSON elsewhere.
 */
/* The current version of a booking. CUST_ENOTFOUND for an unknown booking; CUST_EINTEGRITY
 * when the stored document no longer validates. Release `rec` with cust_record_release. */
enum cust_status cust_record_current(struct cust_store *s, const char *booking_number,
                                     struct cust_record *rec, struct cust_err *err);
/* Each booking in a data request's scope (store.h), typed, by booking number; `rec` is valid
 * during the call. CUST_EINTEGRITY for a stored document that no longer validates. */
typedef enum cust_status (*cust_record_fn)(const struct cust_record *rec, int64_t person_id,
                                           void *arg);
enum cust_status cust_records_in_scope(struct cust_store *s, const struct cust_scope *sc,
                                       cust_record_fn fn, void *arg, struct cust_err *err);

/* Every booking of one person (store.h cust_store_person_bookings), typed, ordered by booking
 * time; `rec` is valid during the call. */
enum cust_status cust_records_of_person(struct cust_store *s, int64_t person_id, cust_record_fn fn,
                                        void *arg, struct cust_err *err);
/* Every booking of each person in a data request's scope who has more than one booking
 * (store.h cust_store_scope_persons), typed, ordered by person and booking time. */
enum cust_status cust_records_of_scope_persons(struct cust_store *s, const struct cust_scope *sc,
                                               cust_record_fn fn, void *arg, struct cust_err *err);

/*
 * The names of the fields that differ between two versions (top-level keys, and
 * "person.<key>" inside person), as a compact JSON array (new heap string), or NULL when the
 * two documents are equal. Both must be valid JSON objects.
 */
char *cust_record_changed(const char *old_doc, const char *new_doc);

/*
 * A roster row (store.h) as JSON (a new reference; NULL when out of memory), the same for the
 * CLI (`roster --json`) and the API (`GET /api/v1/roster`): booking_number, person_id (the
 * source's), person_internal_id, last_name, first_name, middle_name, booked_at, facility,
 * housing, arresting_agency, [citizenship_status], scheduled_release, computed_release,
 * release_rule, release_disagreement, released_at, version. citizenship_status is a restricted
 * field: only with CUST_ROSTER_RESTRICTED, for callers allowed to see it.
 */
#define CUST_ROSTER_RESTRICTED 1u
json_t *cust_roster_row_json(const struct cust_roster_row *r, unsigned flags);
/* The rows of cust_store_roster(f) as a JSON array (*out, new reference). */
enum cust_status cust_roster_list(struct cust_store *s, const struct cust_roster_filter *f,
                                  unsigned flags, json_t **out, struct cust_err *err);

/* Longest accepted line (bytes, without the newline); longer lines are invalid. */
#define CUST_IMPORT_MAX_LINE (1 << 20)

/*
 * One record handed to the importer by a source other than a JSONL file (a county's export
 * read through a mapping, feeds.h). The source renders the record as one custody JSON line;
 * the importer then validates and stores it exactly as it would that line from a JSONL file.
 * The buffers belong to the item and are reused from call to call (the source grows them).
 */
struct cust_import_item {
    char *json; /* the record as one custody JSON line, NUL-terminated, no newline */
    size_t len, cap;
    int64_t lineno;        /* the input line the record starts on */
    off_t done;            /* input bytes consumed so far (progress bar) */
    struct cust_diag diag; /* problems the source found ("path: reason"); any makes it invalid */
    char *input;           /* the record's own source text, for the rejects file */
    size_t input_len, input_cap;
    int64_t *charge_lines; /* the input line charges[i] came from (problems name that line) */
    size_t n_charges, charges_cap;
};

struct cust_import_source {
    void *arg;
    /* On the importer's reader thread: fill `it` with the next record and return 1; return 0
     * at the end of input; -1 when the input cannot be read on (err says why: the import
     * then writes nothing). Clear it->diag's problems before adding new ones. */
    int (*next)(void *arg, struct cust_import_item *it, struct cust_err *err);
    /* After next() returned 0: the SHA-256 of every input byte, 64 lowercase hex digits. */
    void (*sha256)(void *arg, char hex[65]);
    off_t total; /* input size in bytes for the progress bar (0 = unknown) */
};

/* Release an item's buffers. */
void cust_import_item_release(struct cust_import_item *it);

struct cust_import_stats;

/*
 * Optional callbacks into an import's transaction (a feed run, feeds.h). `booking` is called
 * for every valid record after it was written or found unchanged (`outcome` "created",
 * "updated" or "unchanged"; `changed` the changed fields as a JSON array, or NULL);
 * `finish` after the last record and before the import's own ledger entry, with the counts
 * and the input's SHA-256 in `stats`. A status other than CUST_OK rolls everything back.
 * `rejected` is told of each invalid record (the import goes on only with skip_invalid).
 */
struct cust_import_hooks {
    void *arg;
    /* `old_doc`: the version before this one (NULL for a new booking) */
    enum cust_status (*booking)(void *arg, struct cust_store *s, const struct cust_record *rec,
                                const char *outcome, const char *old_doc, const char *changed,
                                struct cust_err *err);
    /* A rejected record (its JSON text, possibly not even JSON); optional. */
    void (*rejected)(void *arg, const char *line, size_t len);
    enum cust_status (*finish)(void *arg, struct cust_store *s,
                               const struct cust_import_stats *stats, struct cust_err *err);
};

struct cust_import_opts {
    const char *path;  /* the file; "-" reads stdin */
    const char *actor; /* who imports (ledger, version provenance) */
    const char *role;  /* ledger role; NULL = "operator" */
    bool skip_invalid; /* write valid lines, put rejected ones in PATH.rejects.jsonl */
    bool progress;     /* draw a progress bar on stderr */
    FILE *errors;      /* where "FILE:LINE: path: reason" lines go (NULL = stderr) */
    /* Records from `source` instead of reading `path` as JSONL (`path` still names the
     * input in messages, the ledger and the rejects file). */
    const struct cust_import_source *source;
    const char *mapping;                   /* the mapping's name, for the ledger (or NULL) */
    const struct cust_import_hooks *hooks; /* or NULL */
    bool no_ledger_entry; /* the caller appends the run's ledger entry itself (hooks->finish) */
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
    char sha256[65];          /* of the input's bytes (filled before hooks->finish) */
    const char *rejects_path; /* the rejects file when one was written (valid in finish) */
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
