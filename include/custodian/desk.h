/*
 * desk.h - the request desk (shared/spec/requests.md, docs/internals/desk.md).
 *
 * Every outside request is received (cust_desk_add), matched to the persons it concerns
 * (cust_desk_match / cust_desk_confirm), decided under the policy for each matched person
 * (cust_desk_decide), acted on by a person with authority (cust_desk_act), or, for a data
 * request, fulfilled (cust_desk_fulfill). Each step is one store transaction that also appends
 * its ledger entries, so a step is either recorded completely or not at all. Duties the
 * decisions trigger become tasks with deadlines (cust_desk_duties, cust_desk_duty_done).
 *
 *     struct cust_desk_env *env;                         // once per process
 *     cust_desk_env_open(cfg, 0, &env, &err);
 *     struct cust_desk d;
 *     cust_desk_init(&d, env, store, "clerk1", "clerk");
 *     char id[CUST_REQUEST_ID_MAX];
 *     if (cust_desk_add(&d, doc, id, &diag, &err)) ...
 *
 * Status lifecycle: received -> matched -> decided -> acted | fulfilled -> closed, and from any
 * open status: withdrawn, lifted (a detainer lifted by its issuer) or expired.
 */
#ifndef CUSTODIAN_DESK_H
#define CUSTODIAN_DESK_H

#include "custodian/buf.h"
#include "custodian/deadline.h"
#include "custodian/diag.h"
#include "custodian/store_requests.h"

#include <jansson.h>
#include <stdio.h>

struct cust_config;
struct cust_policy_resolver;

/*
 * What every desk of a process shares, opened once from the configuration (config.h): the
 * holiday calendar ([county] calendar), the policies ([paths] policies, through one
 * cust_policy_resolver), the county's jurisdiction and agency name, the notice templates and
 * the duty deadline rules (policies/desk/duty-deadlines.csv). Immutable and safe to share
 * between threads once open; the CLI opens one per command, the server one for its life.
 */
struct cust_desk_env;
#define CUST_DESK_POLICY_FILES 1u /* the jurisdiction may name a policy file (the command line) */
#define CUST_DESK_PRELOAD      2u /* load every policy now, so a broken one fails at start */

enum cust_status cust_desk_env_open(const struct cust_config *cfg, unsigned flags,
                                    struct cust_desk_env **out, struct cust_err *err);
void cust_desk_env_free(struct cust_desk_env *e);
/* The policies cases are decided under (borrowed; thread-safe). */
struct cust_policy_resolver *cust_desk_env_policies(const struct cust_desk_env *e);
const struct cust_calendar *cust_desk_env_calendar(const struct cust_desk_env *e);
/* The policy id cases are decided under ([county] jurisdiction). */
const char *cust_desk_env_jurisdiction(const struct cust_desk_env *e);
/* When one of a decision's duties (`duty`: {"duty", "when"}) falls due: its rule's "when",
 * else the law's for the duty (policies/desk/duty-deadlines.csv "when", e.g. transfer_done);
 * NULL for a duty due at once. The desk creates duties by it; a front end shows it. */
const char *cust_desk_duty_trigger(const struct cust_desk_env *e, const json_t *duty);

/*
 * One desk: a store connection and who acts, over a shared environment. Not thread-safe (one
 * thread at a time); cheap to make per request (cust_desk_init) and to release.
 */
struct cust_desk {
    struct cust_store *store;
    const struct cust_desk_env *env; /* required (cust_desk_env_open) */
    const char *actor;               /* who acts (ledger) */
    const char *role;                /* ledger role; NULL = "clerk" */
    const char *lang;                /* notice language; NULL = "en" */
    bool no_decision_cache;          /* fulfilment: decide every person (tests; default caches) */
    bool match_all;                  /* matching: keep candidates under the floor (measurement) */
    void *cache;                     /* private: what the desk keeps (cust_desk_release) */
};

/* A desk over `env` and store `s`, acting as `actor` in `role` (lang NULL, caches empty). */
void cust_desk_init(struct cust_desk *d, const struct cust_desk_env *env, struct cust_store *s,
                    const char *actor, const char *role);

/* Free what the desk cached (the persons index, templates, its decision record). The desk stays
 * usable. */
void cust_desk_release(struct cust_desk *d);

/* Statuses a request can be in after which nothing more happens. */
bool cust_desk_status_is_final(const char *status);

/*
 * Validate and store a request (requests.md "Intake"). Invalid input: CUST_EINVAL with every
 * problem in `diag` ("request.path: reason") and nothing stored. Documents are kept by SHA-256
 * (with their content when given). A subject request is matched at once; an exact strong-id
 * match is linked without confirmation (status "matched"). The deadline the law sets (a
 * detainer's 48 business hours) is computed when the requester gave none.
 */
enum cust_status cust_desk_add(struct cust_desk *d, const json_t *doc, char id[CUST_REQUEST_ID_MAX],
                               struct cust_diag *diag, struct cust_err *err);

/* The request with its links, decisions, actions, duties and documents (new reference). */
enum cust_status cust_desk_show(struct cust_desk *d, const char *id, json_t **out,
                                struct cust_err *err);

/*
 * A request's deadline: the earlier of the requester's due date and the law's (CUST_NO_TIME
 * when it has neither). Overdue at `now`: past that deadline and still waiting on the desk
 * (received, matched or decided); a request acted on, answered or ended is never overdue. The
 * one rule the CLI, the console's pages and the store's "overdue first" order follow.
 */
int64_t cust_request_deadline(const struct cust_request_row *r);
bool cust_request_overdue(const struct cust_request_row *r, int64_t now);

/* Requests as a JSON array (new reference), overdue first; `now` decides what is overdue. */
enum cust_status cust_desk_list(struct cust_desk *d, const struct cust_request_filter *f,
                                json_t **out, struct cust_err *err);

/*
 * Move a request to `status` ("withdrawn", "lifted", "expired", "closed") with a reason. Refused
 * (CUST_ECONFLICT) from a final status.
 */
enum cust_status cust_desk_set_status(struct cust_desk *d, const char *id, const char *status,
                                      const char *reason, struct cust_err *err);

/*
 * Expire every detainer whose hold window has passed without action: a detainer still
 * received, matched or decided whose law deadline is the 48-hour window after its person's
 * release ("detainer_48h_after_release"), that window counted again from each confirmed
 * person's current record (48 hours excluding weekends and holidays from `released_at`, else
 * from the start of the `scheduled_release` day; the latest over the persons) and ended before
 * `now`. A window still open is stored again when it moved. Each becomes "expired" with a ledger
 * entry "request.status" by actor and role "system", purpose naming the rule, detail {from, to,
 * rule, deadline, as_of}; all in one transaction. Acted, fulfilled and final requests are never
 * touched, nor a detainer whose window is still counted from receipt (person not yet matched
 * or without a release date). Idempotent: a second sweep finds nothing. Returns the expired
 * requests (new reference: array of {id, from, deadline, rule}), possibly empty.
 */
enum cust_status cust_desk_sweep(struct cust_desk *d, int64_t now, json_t **out,
                                 struct cust_err *err);

/*
 * The floor under a request's match candidates: a candidate scoring below it (and without an
 * exact booking number or strong identifier) is neither kept nor shown; a person under it can
 * still be confirmed by number (cust_desk_confirm). 0.5 is 12 points, even odds: on a generated
 * county every true subject scored above it (the lowest 0.586, a misspelled surname, name and
 * date of birth only), and it leaves 3.5 % of the false candidates a floor of 0 kept
 * (bench/match_floor.c; figures in docs/bench-desk.md "Match candidates").
 */
#define CUST_DESK_MATCH_FLOOR 0.5

/*
 * Re-run matching for a subject request: stores every candidate above CUST_DESK_MATCH_FLOOR (a
 * candidate never replaces a confirmed link) and returns them (new reference: array of
 * {person_id, booking_number, name, dob, score, points, strong, state, reasons}). An exact
 * strong-id match with no conflict is confirmed automatically ("auto"); anything else waits for
 * cust_desk_confirm.
 */
enum cust_status cust_desk_match(struct cust_desk *d, const char *id, json_t **out,
                                 struct cust_err *err);

/*
 * A person confirms that `person_id` is the request's subject. A person recorded as a verified
 * citizen, or who claimed citizenship, is linked but flagged for supervisor review; no action is
 * taken on a flagged link until cust_desk_review clears it. A person who was not among the match
 * candidates (no stored link, and not found by matching again now) needs a `reason` (else
 * CUST_EINVAL, nothing written): the link's reasons are then that reason alone, as one entry
 * whose field is CUST_LINK_OUTSIDE_CANDIDATES, and the link shows `outside_candidates` and
 * `confirm_reason` (cust_desk_show; the inspector general's view lists it). `reason` (may be
 * NULL for a candidate) is the ledger entry's purpose.
 */
enum cust_status cust_desk_confirm(struct cust_desk *d, const char *id, int64_t person_id,
                                   const char *by, const char *reason, struct cust_err *err);
/* A supervisor clears the review flag of a link, with a reason. */
enum cust_status cust_desk_review(struct cust_desk *d, const char *id, int64_t person_id,
                                  const char *by, const char *reason, struct cust_err *err);

/*
 * Decide the request for every confirmed person (subject requests) under the environment's
 * policies (the jurisdiction's, with the trace of how each verdict was reached), store each
 * decision (policy id, version, sha256, whole JSON), create the duties it triggers now (serve a
 * copy, consent form, refer to counsel, ...) with their deadlines and notices, and move the
 * request to "decided". Returns the decisions (new reference, array). CUST_ECONFLICT when no
 * person is confirmed.
 */
enum cust_status cust_desk_decide(struct cust_desk *d, const char *id, json_t **out,
                                  struct cust_err *err);

struct cust_desk_act {
    const char *action; /* hold | notify | transfer | interview | arrest */
    int64_t person_id;  /* 0 = every confirmed person */
    const char *by;     /* who acts (required) */
    const char *reason; /* why; required to decline a required or permitted action */
    bool decline;       /* record that the action was NOT taken */
    /* transfer details (transfer done): */
    const char *agency;         /* receiving agency (required for a transfer) */
    const char *at;             /* RFC 3339; NULL = now */
    const char *warrant_number; /* judicial warrant's number */
    const char *offense;        /* the offense that allowed a 7282.5 transfer */
};

/*
 * Record what was done. Refusals (CUST_EDENIED, nothing stored but a ledger entry "refused"):
 * a prohibited action; an action not asked; a person not confirmed or flagged for review; an
 * interview before the consent form duty is done. Declining a required or permitted action
 * needs a reason (CUST_EINVAL). A notify done creates the notice to the person and attorney; a
 * transfer done records the hand-over (agency, time, legal basis) for the state report.
 */
enum cust_status cust_desk_act(struct cust_desk *d, const char *id, const struct cust_desk_act *a,
                               json_t **out, struct cust_err *err);

/* Duties as a JSON array (new reference): open ones first, earliest deadline first. */
enum cust_status cust_desk_duties(struct cust_desk *d, const struct cust_duty_filter *f,
                                  json_t **out, struct cust_err *err);
/* Mark a duty done by `by` (ledger "duty.done"). */
enum cust_status cust_desk_duty_done(struct cust_desk *d, int64_t duty_id, const char *by,
                                     struct cust_err *err);
/*
 * Whether the notices in `lang` may be served as they are: English is the source; a translation
 * is marked "needs review by a qualified translator" until templates/notices/languages.csv
 * names who reviewed it and when (reviewed_by, reviewed_on). Until then every notice in that
 * language starts with CUST_DESK_REVIEW_MARK and the language's own words for it.
 * CUST_ENOTFOUND for a language the file does not list.
 */
#define CUST_DESK_REVIEW_MARK                                                                      \
    "DRAFT TRANSLATION - needs review by a qualified translator before it is served; the "         \
    "English notice governs."
enum cust_status cust_desk_language_reviewed(struct cust_desk *d, const char *lang, bool *reviewed,
                                             struct cust_err *err);
/* The notice languages in file order: [{code, name, reviewed}] (new reference in *out). */
enum cust_status cust_desk_languages(struct cust_desk *d, json_t **out, struct cust_err *err);
/* Render a duty's notice in `lang` (NULL = d->lang) into `out`; the document is stored by its
 * SHA-256 and linked to the request. CUST_ENOTFOUND when the duty has no notice template. */
enum cust_status cust_desk_notice(struct cust_desk *d, int64_t duty_id, const char *lang,
                                  struct cust_buf *out, struct cust_err *err);

/* Every transfer recorded (new reference: array) for the state report. */
enum cust_status cust_desk_transfers(struct cust_desk *d, json_t **out, struct cust_err *err);

enum cust_desk_format { CUST_DESK_JSON = 0, CUST_DESK_CSV = 1 };

struct cust_desk_fulfil_stats {
    int64_t rows;     /* persons in scope */
    int64_t given;    /* rows with at least one item given (each a ledger disclosure) */
    int64_t withheld; /* items withheld, summed over rows */
    int64_t duties;   /* duties created */
    int64_t decided;  /* decisions taken (distinct fact patterns, unless no_decision_cache) */
    bool referred;    /* a subpoena: referred to counsel, nothing disclosed */
};

/*
 * Fulfil a data request with a scope (requests.md "Data requests"): one row per person in
 * scope, each requested item given or withheld with its citation, decided under the policies once
 * per distinct case (the case is exactly the decider's input; equal decisions are stored once
 * and every row points to its own). Each row given is a disclosure row (what, to whom, when,
 * under which decision); one ledger "disclosure" entry per fulfilment carries their count and
 * a SHA-256 over their row hashes in order (cust_desk_verify_disclosures). The duties the
 * disclosures trigger (a notice to the person and their attorney per release date given) are
 * created with their deadlines, recorded by one ledger "duty.create" entry; their notices are
 * rendered when worked on (cust_desk_notice, or cust_desk_duty_done). An
 * administrative subpoena is referred to counsel (duty refer_to_counsel) and nothing is
 * disclosed unless `counsel_released`; a court order gives every item. Writes the response
 * to `out` and moves the request to "fulfilled". The response is written to `out`, flushed
 * and (a regular file) synced BEFORE the commit: a fulfilment is never recorded with an
 * answer that did not reach `out`; when the commit fails, what `out` holds must be discarded
 * (the CLI writes to a temporary file it renames only on success, file.h).
 */
enum cust_status cust_desk_fulfill(struct cust_desk *d, const char *id, enum cust_desk_format fmt,
                                   bool counsel_released, FILE *out,
                                   struct cust_desk_fulfil_stats *stats, struct cust_err *err);

/*
 * The summary kept with a fulfilment (document "summary.json", its SHA-256 in the ledger's
 * request.fulfill entry as summary_sha256): {request_id, as_of, at, format, response_sha256,
 * persons (in scope), given (rows with an item given), nothing_given, duties_created,
 * items: [{item, given, withheld, withheld_by: [{reason "RULE, CITATION", persons}]}],
 * outcomes: [{persons, given: [items], withheld: {item: "RULE, CITATION"}, decisions: [ids]}]
 * (the decisions grouped by what they gave and why they withheld, the largest group first)}.
 * CUST_ENOTFOUND when the request was not fulfilled. New reference in *out.
 */
enum cust_status cust_desk_summary(struct cust_desk *d, const char *id, json_t **out,
                                   struct cust_err *err);

/*
 * The persons a fulfilment gave something about (its disclosures, in the answer's order), page
 * `page` (from 1) of `per_page` (1..1000): {total, page, pages, per_page, rows: [{ord,
 * person_id, booking_number, last_name, first_name, given: [items], withheld: [items],
 * decision_id}]}. New reference in *out.
 */
enum cust_status cust_desk_disclosed(struct cust_desk *d, const char *id, int64_t page,
                                     int64_t per_page, json_t **out, struct cust_err *err);

/*
 * The SHA-256 of a disclosure row by the ledger's row encoder (ledger.h, cust_ledger_enc_*):
 * "custodian-disclosure-v1", request_id, ord, person_id, booking_number, items, withheld,
 * recipient, office, at, decision_id. `id` and `row_hash` are not part of it.
 */
void cust_desk_disclosure_hash(const struct cust_disclosure_row *x, unsigned char out[32]);

struct cust_desk_verify_report {
    int64_t rows;     /* disclosure rows checked */
    int64_t batches;  /* fulfilments (ledger "disclosure" entries with a row set) checked */
    int64_t bad_id;   /* the first bad disclosure's id (0 when not a row, e.g. one deleted) */
    char reason[200]; /* why */
};

/*
 * Check every disclosure row against its ledger entry: each row's stored hash against its
 * contents (changed), the rows of each fulfilment numbered 0..count-1 (deleted, inserted), a
 * ledger entry for every fulfilment with rows (inserted) and the SHA-256 over the row hashes
 * against the entry's `rows_sha256`. CUST_OK when intact; CUST_EINTEGRITY naming the first bad
 * disclosure (err and rep->reason). Run it after cust_ledger_verify (the entries are trusted).
 */
enum cust_status cust_desk_verify_disclosures(struct cust_store *s,
                                              struct cust_desk_verify_report *rep,
                                              struct cust_err *err);

/* A request's documents in the order they were kept: [{name, role (received | notice |
 * response | ...), sha256, size (-1: only the hash was received)}] (new reference). */
enum cust_status cust_desk_documents(struct cust_desk *d, const char *id, json_t **out,
                                     struct cust_err *err);

/* One kept document, its bytes as kept. */
struct cust_desk_document {
    char *name, *role;
    char sha256[65];
    char *content; /* NUL-terminated after `len` bytes */
    size_t len;
};
/*
 * The document of request `id` named `name` (the last kept under that name), or with `name`
 * NULL the response that was sent (the fulfilment's stored answer). The bytes are checked
 * against their SHA-256 (CUST_EINTEGRITY when they differ). CUST_ENOTFOUND for an unknown
 * request or document, or one of which only the hash was received. Release with
 * cust_desk_document_release.
 */
enum cust_status cust_desk_document(struct cust_desk *d, const char *id, const char *name,
                                    struct cust_desk_document *doc, struct cust_err *err);
void cust_desk_document_release(struct cust_desk_document *doc);

/* A verdict entry of a decision (decide.md actions/disclose) as a person reads it, with the rule
 * and the law it rests on: "prohibited by ca.hold, Cal. Gov. Code § 7284.6(a)(1)(B)" (new
 * string; free()). The CLI, the console and refusals say it alike. */
char *cust_desk_verdict_text(const json_t *entry);

/*
 * Build the decide.md case from one booking alone, as records read it (records.h
 * cust_record_current), the way the desk reads a person's whole record (docs/internals/desk.md
 * "Whole-record cases") when that booking is all there is: citizenship, public release date,
 * convictions (prior convictions and the booking's convicted charges; statute codes as the
 * engine reads them; a partial date as its earliest day; those after `as_of` left out),
 * pending charges, registrant flag; `as_of` and request fields from the caller. `b` NULL: a request
 * about no one (a subpoena), every fact unknown. Returns a new reference.
 */
struct cust_booking;
json_t *cust_desk_case_from_booking(const struct cust_booking *b, const char *jurisdiction,
                                    int32_t as_of, const char *kind, unsigned asks, unsigned items);

#endif
