/*
 * policy.h - the policy engine: law as data (docs/policy-language.md), one
 * case in, one decision out (shared/spec/decide.md).
 *
 *     struct cust_policy *p;
 *     if (cust_policy_load(NULL, "us-ca", &p, &err)) ...        // from the policy directory
 *     struct cust_case *c;
 *     struct cust_diag d = CUST_DIAG_INIT;
 *     if (cust_case_from_json(root, &c, &d)) ...                // exit 2, print d
 *     struct cust_decision *dec = cust_decision_new();
 *     if (cust_decide(p, c, CUST_DECIDE_TRACE, dec, &err)) ...  // before first version, conflict
 *     json_t *out = cust_decision_to_json(p, c, dec);           // new reference, caller decrefs
 *
 * Threads: a loaded policy is immutable; any number of threads may call
 * cust_decide() on it at once, each with its own case and decision objects.
 */
#ifndef CUSTODIAN_POLICY_H
#define CUSTODIAN_POLICY_H

#include "custodian/buf.h"
#include "custodian/diag.h"
#include "custodian/status.h"

#include <jansson.h>

struct cust_policy;   /* a compiled policy (a base policy plus, for an overlay, its narrowing rules)
                       */
struct cust_case;     /* a validated case */
struct cust_decision; /* a reusable decision record */

/* Verdicts, from the most protective to the least (for the person). */
enum cust_verdict {
    CUST_VERDICT_NONE = 0, /* no rule gave a verdict (policy check reports this) */
    CUST_VERDICT_PROHIBITED,
    CUST_VERDICT_PERMITTED,
    CUST_VERDICT_REQUIRED
};

/* "prohibited" ... ; "none" for CUST_VERDICT_NONE. */
const char *cust_verdict_name(enum cust_verdict v);

/*
 * The policy directory: `dir` if non-NULL, else $CUSTODIAN_POLICIES, else the
 * data folder's policies/ (datadir.h). Returns a borrowed static or env string.
 */
const char *cust_policy_dir(const char *dir);

/*
 * Load and compile policy `id` (`us-ca`, `us-ca/los-angeles`) from `dir` (see
 * cust_policy_dir), or a file when `id` ends in ".policy" or contains no '-'
 * and names an existing file. An overlay (`narrows BASE`) loads its base too
 * and is refused when it would widen it. Errors: CUST_ENOTFOUND (no such
 * policy), CUST_EINVAL (syntax or consistency, message "FILE:LINE:COL: reason").
 * On success *out is owned by the caller (cust_policy_free).
 */
enum cust_status cust_policy_load(const char *dir, const char *id, struct cust_policy **out,
                                  struct cust_err *err);

/*
 * A policy set: every `*.policy` under the policy directory (see cust_policy_dir; the
 * `tables/` folder is skipped), loaded and checked for syntax at once, for long-running
 * callers (HTTP server, request desk). Immutable after loading: cust_policy_set_get may be
 * called from any thread. Fails on the first policy that does not load (message names it).
 */
struct cust_policy_set;
enum cust_status cust_policy_set_load(const char *dir, struct cust_policy_set **out,
                                      struct cust_err *err);
/* The policy with this id (`us-ca/los-angeles`), or NULL. Borrowed: valid until the set is freed.
 */
const struct cust_policy *cust_policy_set_get(const struct cust_policy_set *s, const char *id);
/* Number of policies and the i-th id (borrowed), sorted by id. */
size_t cust_policy_set_count(const struct cust_policy_set *s);
const char *cust_policy_set_id(const struct cust_policy_set *s, size_t i);
void cust_policy_set_free(struct cust_policy_set *s);

/* The ids of every `*.policy` under `dir` (see cust_policy_dir), sorted: folders four deep at
 * most, `tables/`, `examples/`, `fixtures/` and hidden entries skipped - the one scan of a policy
 * folder (the set, `policy check`). *ids and each id are heap memory (free them); *n is 0 when
 * there are none. */
void cust_policy_list(const char *dir, char ***ids, size_t *n);

/* Compile policy text held in memory (fuzzing, tests). `name` labels diagnostics; tables are
 * resolved relative to `dir` (may be NULL: then a `table` line is an error). */
enum cust_status cust_policy_parse(const char *name, const char *text, size_t len, const char *dir,
                                   struct cust_policy **out, struct cust_err *err);

void cust_policy_free(struct cust_policy *p);

/* The policy id (`us-ca/los-angeles` for an overlay) and sha256 (hex) of its files. Borrowed. */
const char *cust_policy_id(const struct cust_policy *p);
const char *cust_policy_sha256(const struct cust_policy *p);

/*
 * The days a decision of `p` as of day `as_of` compares a dated element (a conviction) with:
 * the first day before each `within` window (N years or days back from as_of), as_of itself,
 * each `dated before/from` day and the `from` day of each qualified table value (`S[from D]`);
 * ascending, without repeats, in a new array (free it) of *n days (as_of at least). Two
 * element dates that compare alike (before, on or after) with every one of them are decided
 * alike, so a decision can be shared by cases that differ only so (the desk's fulfilment).
 */
int32_t *cust_policy_date_cuts(const struct cust_policy *p, int32_t as_of, size_t *n);

/*
 * Parse and validate a case (decide.md "The case"). Every problem is added to
 * `diag` as "case.<path>: reason"; returns CUST_EINVAL when there is any.
 * `root` is borrowed. On success *out is owned by the caller (cust_case_free).
 */
enum cust_status cust_case_from_json(const json_t *root, struct cust_case **out,
                                     struct cust_diag *diag);
/* Same, from JSON text (used by the fuzz target and --batch). */
enum cust_status cust_case_parse(const char *text, size_t len, struct cust_case **out,
                                 struct cust_diag *diag);
void cust_case_free(struct cust_case *c);
/* The case's jurisdiction (policy id) or NULL when absent. Borrowed. */
const char *cust_case_jurisdiction(const struct cust_case *c);

/* Decision record: allocate once, reuse across cust_decide() calls. */
struct cust_decision *cust_decision_new(void);
void cust_decision_free(struct cust_decision *d);

#define CUST_DECIDE_TRACE 1u /* record the human-readable trace */

/*
 * Decide `c` under `p` into `d` (overwritten). Errors: CUST_EINVAL when the
 * case's as_of is before the policy's first version; CUST_ECONFLICT when two
 * applicable rules of the same rank disagree (message names both). Allocates
 * nothing when `d` has been used before with a case of similar size.
 */
enum cust_status cust_decide(const struct cust_policy *p, const struct cust_case *c, unsigned flags,
                             struct cust_decision *d, struct cust_err *err);

/* The verdict for an asked action or requested item name ("hold", "release_date"), or NONE. */
enum cust_verdict cust_decision_verdict(const struct cust_decision *d, const char *target);

/*
 * The decision as JSON, exactly per decide.md. Returns a NEW reference (caller
 * json_decref's it). `p`, `c`, `d` are borrowed and must be those of the cust_decide call.
 */
json_t *cust_decision_to_json(const struct cust_policy *p, const struct cust_case *c,
                              const struct cust_decision *d);

/* Number of trace lines and line i (borrowed, valid until the next cust_decide on d). */
size_t cust_decision_trace_len(const struct cust_decision *d);
const char *cust_decision_trace_line(const struct cust_decision *d, size_t i);

/* The `explain` sentence of rule `id`, or NULL. Borrowed from the policy. */
const char *cust_policy_rule_explain(const struct cust_policy *p, const char *id);

/* Every rule of the policy (an overlay's base rules included), one "ID<TAB>FILE" per line. */
enum cust_status cust_policy_rule_list(const struct cust_policy *p, struct cust_buf *out);

/* Rules that won or applied in the last decision, one "ID<TAB>FILE" per line. */
enum cust_status cust_decision_fired_rules(const struct cust_policy *p,
                                           const struct cust_decision *d, struct cust_buf *out);

/*
 * `policy check`: for every version and every request kind, enumerate every
 * combination of the boolean facts the rules depend on and verify that every
 * action and item gets exactly one verdict with no conflict. Writes a report
 * (and the first counterexamples) to `out`; returns CUST_OK when sound,
 * CUST_ECONFLICT otherwise. *cases_checked receives the number of combinations.
 */
enum cust_status cust_policy_check(const struct cust_policy *p, struct cust_buf *out,
                                   uint64_t *cases_checked);

/* `policy show`: the rules in force on `as_of` (day number; INT32_MIN for all), with citations. */
enum cust_status cust_policy_show(const struct cust_policy *p, int32_t as_of, bool as_json,
                                  struct cust_buf *out, struct cust_err *err);

/* ---- Resolving and deciding (resolve.c) -------------------------------------------------------
 *
 * A resolver holds the policies a process decides under: the policy set of one directory
 * (cust_policy_set_load), loaded whole on first use (or at once with CUST_RESOLVE_PRELOAD) and
 * kept, plus - only with CUST_RESOLVE_FILES, for the command line's `--policy FILE` - policy
 * files named by a path ending in ".policy", each loaded on first use and kept. Every front end
 * and the desk decide through it, so a policy is parsed once per process. Thread-safe: any
 * number of threads may resolve and decide at once (each with its own cust_decision).
 */
struct cust_policy_resolver;
#define CUST_RESOLVE_FILES   1u /* also resolve "PATH.policy" (never for a network caller) */
#define CUST_RESOLVE_PRELOAD 2u /* load the directory's set now: a broken policy fails here */

enum cust_status cust_policy_resolver_new(const char *dir, unsigned flags,
                                          struct cust_policy_resolver **out, struct cust_err *err);
void cust_policy_resolver_free(struct cust_policy_resolver *r);
/* The directory (cust_policy_dir of the one given). Borrowed. */
const char *cust_policy_resolver_dir(const struct cust_policy_resolver *r);
/* The policy `id` (borrowed; lives as long as the resolver). CUST_ENOTFOUND when there is none;
 * a policy of the directory that does not load fails every id (message names it). */
enum cust_status cust_policy_resolve(struct cust_policy_resolver *r, const char *id,
                                     const struct cust_policy **out, struct cust_err *err);

/*
 * Decide case `c` under policy `force_id` (NULL: the case's jurisdiction), resolved by `r`, into
 * decision JSON (*out, a new reference; decide.md). The case's own problems - no jurisdiction
 * (the message suggests `force_hint`, e.g. "--policy", when given), a jurisdiction without a
 * policy, an as_of before the policy's first version - are CUST_EINVAL with each problem added
 * to `diag` ("case.path: reason") and the first in `err`. A forced policy that does not exist
 * is CUST_ENOTFOUND, a broken policy file CUST_EINVAL with `diag` unchanged, a rule conflict
 * CUST_ECONFLICT.
 */
enum cust_status cust_policy_decide_case(struct cust_policy_resolver *r, const char *force_id,
                                         const char *force_hint, const struct cust_case *c,
                                         unsigned flags, struct cust_decision *d, json_t **out,
                                         struct cust_diag *diag, struct cust_err *err);
/* The same for a case given as JSON (validated first: CUST_EINVAL with its problems in diag). */
enum cust_status cust_policy_decide_json(struct cust_policy_resolver *r, const char *force_id,
                                         const char *force_hint, const json_t *case_json,
                                         unsigned flags, struct cust_decision *d, json_t **out,
                                         struct cust_diag *diag, struct cust_err *err);

#endif
