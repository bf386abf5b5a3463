/*
 * desk_internal.h - shared helpers of the desk's source files (not a public header).
 */
#ifndef CUSTODIAN_DESK_INTERNAL_H
#define CUSTODIAN_DESK_INTERNAL_H

#include "custodian/deadline.h"
#include "custodian/desk.h"
#include "custodian/policy.h"
#include "custodian/request.h"

/* ---- the law the desk applies beside the verdicts, as data (desk_law.c) ---- */

/* A detainer's hold window (policies/desk/hold-windows.csv). */
struct desk_hold_window {
    char *rule;         /* stored as the request's law_rule, e.g. "detainer_48h" */
    char *request_kind; /* "detainer" */
    bool from_release;  /* counted from the release (else from receipt) */
    int hours;          /* business hours (weekends and holidays do not count) */
    char *cite;
};

/* On which basis a transfer is made (policies/desk/transfer-bases.csv). */
struct desk_transfer_basis {
    char *policy;       /* a policy id (its overlays too) or "*" */
    char *request_kind; /* or "*" */
    char *basis;        /* recorded with the transfer: judicial_warrant, 7282.5, request, ... */
    char *requires;     /* "warrant_number", "offense" (for the state report) or NULL */
    char *cite;
};

/* A duty that must be done before an action (policies/desk/action-prerequisites.csv). */
struct desk_prerequisite {
    char *action, *duty, *cite;
};

struct desk_law {
    json_t *duty_days;      /* duty -> business days (integer) or null (duty-deadlines.csv) */
    json_t *duty_cites;     /* duty -> the deadline's citation */
    json_t *duty_notes;     /* duty -> what it asks, in words (the task column) */
    json_t *duty_when;      /* duty -> its trigger when the decision gives none ("transfer_done") */
    json_t *duty_to_person; /* duty -> true when owed to the person (owed_to "person") */
    struct desk_hold_window holds[16];
    size_t nholds;
    struct desk_transfer_basis bases[64];
    size_t nbases;
    struct desk_prerequisite prereqs[16];
    size_t nprereqs;
};

/* Read the four tables from `policies_dir`/desk/; errors name FILE:LINE. */
enum cust_status desk_law_load(struct desk_law *law, const char *policies_dir,
                               struct cust_err *err);
void desk_law_release(struct desk_law *law);
/* The hold window of a request kind counted from receipt or from the release, or NULL. */
const struct desk_hold_window *desk_hold_window(const struct desk_law *law, const char *kind,
                                                bool from_release);
/* The hold window whose rule is `rule` (a request's stored law_rule), or NULL. */
const struct desk_hold_window *desk_hold_window_by_rule(const struct desk_law *law,
                                                        const char *rule);
/* The transfer basis for a decision under `policy` on a request of `kind`: the row naming the
 * policy (or the policy an overlay narrows) before "*", the kind before "*". NULL: none. */
const struct desk_transfer_basis *desk_transfer_basis(const struct desk_law *law,
                                                      const char *policy, const char *kind);

/* What every desk of a process shares (desk.h; desk_env.c). */
struct cust_desk_env {
    struct cust_calendar *cal;
    struct cust_policy_resolver *policies;
    char *jurisdiction, *agency_name, *templates_dir;
    char *agency_address, *agency_phone, *agency_email; /* "" when not configured */
    struct desk_law law;
};

/* Decide a case (decide.md JSON) under the environment's policies with `flags`
 * (CUST_DECIDE_TRACE), checking the policy fields the desk stores; *decision is new. */
enum cust_status desk_decide_case(struct cust_desk *d, const json_t *case_json, unsigned flags,
                                  json_t **decision, struct cust_err *err);

/* A stored request, loaded and re-parsed. */
struct desk_req {
    char id[CUST_REQUEST_ID_MAX];
    char *status, *owner, *received_at, *law_rule, *created_at, *updated_at, *status_reason;
    int64_t due_ts, law_ts;
    json_t *doc; /* the stored request document */
    struct cust_request r;
};

enum cust_status desk_req_load(struct cust_desk *d, const char *id, struct desk_req *out,
                               struct cust_err *err);
void desk_req_release(struct desk_req *q);

/* Append a ledger entry (detail is stolen; may be NULL). */
enum cust_status desk_log(struct cust_desk *d, const char *action, const char *object_type,
                          const char *object_id, const char *outcome, const char *purpose,
                          json_t *detail, struct cust_err *err);
/* The same, in its own transaction (for refusals). */
void desk_log_refusal(struct cust_desk *d, const char *id, const char *action, const char *why,
                      json_t *detail);

/* Change status with the lifecycle check and its ledger entry (inside a transaction). */
enum cust_status desk_transition(struct cust_desk *d, struct desk_req *q, const char *to,
                                 const char *reason, struct cust_err *err);

/* A copy of `s`, or NULL. */
char *desk_dup_or_null(const char *s);
/* received, matched or decided: a request still waiting for action. */
bool desk_is_pending(const char *status);

/* RFC 3339 UTC of now. */
void desk_now(char out[32]);
/* RFC 3339 UTC of t, or JSON null for CUST_NO_TIME. */
json_t *desk_time_json(int64_t t);
/* Set row's "name" ("FIRST LAST"), and with `dob` its "dob", from person `person_id` (nothing
 * for 0 or an unknown person): who a link, decision, action or duty is about. */
enum cust_status desk_name_row(struct cust_store *s, int64_t person_id, bool dob, json_t *row,
                               struct cust_err *err);
json_t *desk_str(const char *s);

/* The deadline of duty `duty` created at `from` (the end of a county-local day, deadline.h);
 * CUST_NO_TIME when the rules set none. */
enum cust_status desk_duty_due(struct cust_desk *d, const char *duty, int64_t from, int64_t *due,
                               struct cust_err *err);

/* Create a duty (and its notice document when it has a template) with its ledger entry. */
enum cust_status desk_duty_create(struct cust_desk *d, const struct desk_req *q, int64_t person_id,
                                  const char *booking_number, const char *duty, const json_t *cite,
                                  json_t *detail, int64_t *duty_id, struct cust_err *err);

/* ---- whole-record cases (desk_whole.c, desk_case.c) ---- */

enum desk_fact_kind { DESK_FACT_PRIOR = 1, DESK_FACT_CHARGE };

/* A conviction listed as a prior, or a charge of a booking, with the booking it came from. */
struct desk_fact {
    enum desk_fact_kind kind;
    char code[64];            /* as the engine reads it (cust_statute_code) */
    const char *level;        /* felony | misdemeanor | NULL */
    const char *jurisdiction; /* prior: CA | federal | other_state | NULL */
    const char *flags_json;   /* prior: its classification flags, or NULL */
    const char *status;       /* charge: pending | convicted | dismissed | ... */
    const char *case_number;  /* charge: or NULL */
    bool held;                /* charge: held to answer */
    int32_t day;              /* conviction date, CUST_NO_DAY when unknown */
    const char *date_text;    /* prior: the date as the record wrote it (may be partial) */
    const char *booking;      /* the booking number it came from */
};

/*
 * A person's custody record as of a decision day: every booking booked by then, their prior
 * convictions (each once), their charges (a later booking's word on the same case and code
 * replacing an earlier one), the best-sourced citizenship (cust_citizenship_rank) and
 * immigration status, the latest stated registrant and public-address flags. Strings are owned.
 */
struct desk_whole {
    struct desk_fact *facts;
    size_t n, cap;
    const char *bookings[32]; /* the first 32 bookings, in booking order */
    size_t n_bookings;
    bool has_cit;
    struct cust_citizenship cit;
    int cit_rank;
    const char *cit_booking;
    const char *imm_status;
    int imm_proof;
    const char *imm_booking;
    int registrant, address_public; /* 1, 0, -1 not stated */
    char **owned;
    size_t n_owned, cap_owned;
};

void desk_whole_init(struct desk_whole *w);
/* Add one booking of the person (its facts dated after `as_of` left out). */
void desk_whole_add(struct desk_whole *w, const struct cust_booking *b, int32_t as_of);
void desk_whole_release(struct desk_whole *w);
/* Read the bookings of `person_id` into `w` (initialised here; release it after): those booked
 * on or before `as_of`, and the booking asked about, `subject`, whenever it was booked. */
enum cust_status desk_whole_read(struct cust_store *s, int64_t person_id, const char *subject,
                                 int32_t as_of, struct desk_whole *w, struct cust_err *err);
/* Append to `out` a canonical encoding of every fact desk_case_whole reads: equal keys give
 * equal cases (with the same request fields), so the key can stand for the case when caching
 * decisions. Keep the two in step. With `cuts` (cust_policy_date_cuts of the policy deciding,
 * for the same as_of), a conviction's date is encoded by where it falls among them, not by
 * its day: cases equal but for dates the policy cannot tell apart share a key. */
void desk_whole_key(const struct desk_whole *w, const struct cust_booking *subject,
                    const int32_t *cuts, size_t ncuts, struct cust_buf *out);
/* The decide.md case of `w`, about `subject` (its release date's publicity); a new reference. */
json_t *desk_case_whole(const struct desk_whole *w, const struct cust_booking *subject,
                        const char *jurisdiction, int32_t as_of, const char *kind, unsigned asks,
                        unsigned items);
/* Where each fact of the case came from: {"bookings": [...], "facts": [{fact, ..., booking}]}
 * (new reference), and the same as "record: ..." lines appended to `trace` (may be NULL). */
json_t *desk_whole_sources(const struct desk_whole *w, json_t *trace);

/* The whole-record case of `person_id` about `booking_number` (its current version) as of
 * `as_of` (*case_json new) and, when `sources` is given, where its facts came from. */
enum cust_status desk_case_of_person(struct cust_desk *d, int64_t person_id,
                                     const char *booking_number, int32_t as_of,
                                     const struct cust_request *rq, json_t **case_json,
                                     json_t **sources, struct cust_err *err);
/* Decide the whole-record case of a person with its trace, the decision's "record" naming the
 * booking each fact came from (*dec new). */
enum cust_status desk_decide_whole(struct cust_desk *d, int64_t person_id,
                                   const char *booking_number, int32_t as_of,
                                   const struct cust_request *rq, json_t **dec,
                                   struct cust_err *err);

/* Flag a linked person for a supervisor's review (every action held until `request review`),
 * with its ledger entry; inside the caller's transaction. */
enum cust_status desk_link_hold(struct cust_desk *d, const char *id, int64_t person_id,
                                const char *reason, struct cust_err *err);

#define DESK_DUTY_NO_NOTICE 1u /* do not render the notice now (rendered when worked on) */
/* no ledger entry of its own: the caller records the duties it made under one entry (a
 * fulfilment's notice duties, desk_fulfil.c); each duty row is still journaled by hash */
#define DESK_DUTY_BATCHED 2u

/* The ids of the duties made (desk_duties_from_decision_ex), in order. */
struct desk_ids {
    int64_t *v;
    size_t n, cap;
};
/* Append `id` to `ids`. */
void desk_ids_add(struct desk_ids *ids, int64_t id);
/* desk_duty_create with flags (DESK_DUTY_*). */
enum cust_status desk_duty_create_ex(struct cust_desk *d, const struct desk_req *q,
                                     int64_t person_id, const char *booking_number,
                                     const char *duty, const json_t *cite, json_t *detail,
                                     unsigned flags, int64_t *duty_id, struct cust_err *err);

/* A duty whose cite and detail are given as the text stored (a fulfilment's notice duty: its
 * detail names its decision, desk_duties.c duty_vars); its notice is rendered when worked on. */
enum cust_status desk_duty_create_text(struct cust_desk *d, const struct desk_req *q,
                                       int64_t person_id, const char *booking_number,
                                       const char *duty, const char *cite_text,
                                       const char *detail_text, unsigned flags, int64_t *duty_id,
                                       struct cust_err *err);

/* Create the decision's duties for which `trigger` holds: NULL = those due at once (no "when",
 * or the consent form), else those whose "when" equals trigger ("notify_given",
 * "transfer_done"). `extra` adds notice values; *created counts them (may be NULL). */
enum cust_status desk_duties_from_decision(struct cust_desk *d, const struct desk_req *q,
                                           int64_t person_id, const char *bn,
                                           const json_t *decision, const char *trigger,
                                           json_t *extra, int *created, struct cust_err *err);
/* The same with DESK_DUTY_* flags; `ids` (may be NULL) gets each duty's id. `booking`
 * (may be NULL) is booking `bn` as the caller read it: its name and attorney go into the
 * notices without reading it again. */
enum cust_status desk_duties_from_decision_ex(struct cust_desk *d, const struct desk_req *q,
                                              int64_t person_id, const char *bn,
                                              const struct cust_booking *booking,
                                              const json_t *decision, const char *trigger,
                                              json_t *extra, unsigned flags, struct desk_ids *ids,
                                              int *created, struct cust_err *err);
/* Store a decision with its ledger entry; *id gets its row id. */
enum cust_status desk_store_decision(struct cust_desk *d, const struct desk_req *q,
                                     int64_t person_id, const char *bn, const json_t *dec,
                                     int64_t *id, struct cust_err *err);

/* Append to `b` the plain text of request item `item` (a CUST_ITEM_* bit) of booking `bk`, as
 * the CSV answer gives it (desk_plain.c): "none" ("no date") when the record has no value. The
 * convictions are the whole record's `w` (every booking's prior convictions and convicted
 * charges as of the scope's day, each with its date and booking). */
enum cust_status desk_plain_item(struct cust_buf *b, const struct cust_booking *bk,
                                 const struct desk_whole *w, unsigned item);
/* The convictions of whole record `w` as the JSON answer gives them (new reference): [{code,
 * level, date, jurisdiction, booking, from: "prior_conviction" | "charge"}]. */
json_t *desk_whole_convictions(const struct desk_whole *w);
/* The same array written into `b` as JSON text, byte for byte as jansson's compact dump of
 * desk_whole_convictions would write it (a fulfilment's rows, without a tree per row). */
enum cust_status desk_whole_convictions_write(const struct desk_whole *w, struct cust_buf *b);

/* Why a verdict entry ({verdict, rule, cite}) withheld or refused: "RULE, CITATION; ..." (new
 * heap string; "no rule" / "no citation" for what the entry lacks). */
char *desk_rule_cite(const json_t *entry);

/* Citations (a JSON array of strings) as one text, "; " between them; NULL when there are none.
 * New heap string. */
char *desk_cite_join(const json_t *cites);

/* A request's confirmed persons (cust_store_links with desk_on_confirmed). */
struct linked {
    int64_t person_id;
    char *booking_number;
    bool review;
    char *review_reason; /* why the person is held for review, or NULL */
};
struct link_list {
    struct linked *v;
    size_t n, cap;
};
enum cust_status desk_on_confirmed(const struct cust_link_row *l, void *arg);
void desk_link_list_free(struct link_list *ll);

/* The verdict of `target` in a decision's `section` ("actions", "disclose"), or NULL. */
const char *desk_verdict_of(const json_t *decision, const char *section, const char *target);

/* Asked actions / items as JSON string arrays. */
json_t *desk_flag_names(unsigned flags, bool items);

struct person_set;
/* Free the matching index (desk_intake.c). */
void desk_person_set_free(struct person_set *ps);
/* What a desk keeps between calls (d->cache), freed by cust_desk_release. */
struct desk_cache {
    struct person_set *persons;     /* matching index */
    json_t *templates;              /* "lang/name" -> template text */
    struct cust_decision *decision; /* the decision record reused by every decide */
};
struct desk_cache *desk_cache(struct cust_desk *d);

#endif
