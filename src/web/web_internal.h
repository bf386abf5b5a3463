/*
 * web_internal.h - shared between the files of src/web (not a public header).
 */
#ifndef CUSTODIAN_WEB_INTERNAL_H
#define CUSTODIAN_WEB_INTERNAL_H

#include "custodian/diag.h"
#include "custodian/http.h"
#include "custodian/store.h"
#include "custodian/web.h"

#include <pthread.h>

struct cust_desk_env;

struct web_slot {
    pthread_mutex_t lock;
    struct cust_store *store;
};

/* What the web keeps of its configuration. */
struct web_settings {
    unsigned hide_recent_hours; /* the locator hides bookings younger than this */
    unsigned result_cap;        /* the locator returns at most this many rows */
    unsigned cache_ttl_s;       /* the locator API caches each answer this long (0: never) */
    bool tls;                   /* cookies get Secure */
    const char *assets_dir;     /* the @uswds/uswds dist folder (web->assets_dir) */
};

struct cust_web {
    struct web_settings cfg;
    char *db_path, *assets_dir;
    unsigned nslots;
    struct web_slot *slots;
    struct cust_auth_backend auth;
    struct cust_desk_env *env; /* the desk's calendar, policies and county (one per server) */
    json_t *pages;             /* page templates by name (web/templates/NAME.html), read once */
    json_t *agency;            /* the agency as pages name it (agency.c; layout.html's agency) */
    struct cust_buf seal;      /* the agency's seal image (GET /seal), empty when none */
    const char *seal_type;     /* its content type */
    struct web_cache *cache;   /* the locator's short-lived response cache (locator.c) */
    char *key_path;            /* the server key file (TOTP secrets at rest) */
    bool has_key;
    uint8_t key[CUST_TOTP_SERVER_KEY_BYTES]; /* sodium_memzero'd by cust_web_free */
    /* the checkpoint writer (checkpoint.c): its thread, its key, how it stops */
    struct web_checkpointer *cp;
    /* the publisher of the public view (publisher.c), when [server] publish_to is set */
    struct web_publisher *publisher;
    /* serve --public-only: the store is a published public view (CUST_STORE_PUBLIC), only the
     * locator's routes are served, nothing is written */
    bool public_only;
    /* the expiry timer (sweeper.c): readers never write, this thread expires detainers */
    struct web_sweeper *sweeper;
    /* ledger entries written aside while another writer (an import) holds the store
     * (custodian/ledger.h "spool"): STORE.audit-spool, or the key file's name + .audit-spool */
    struct cust_ledger_spool *spool;
    /* Requests without a person behind them are counted here, never written to the ledger one
     * by one (issue 12); GET /metrics shows them. Relaxed atomics: counts, not order. */
    struct {
        unsigned long long unauth_denied, unauth_api, unknown_logins, ledger_entries;
    } metrics;
};

/* How long an audit entry waits for another writer's lock before it goes to the spool. */
#define WEB_LEDGER_WAIT_MS 200
/* Append what the spool holds to the ledger, if anything (sweeper.c's timer, the server's start
 * and stop), waiting up to `wait_ms` for another writer's lock (-1: the store's usual wait).
 * The timer waits WEB_LEDGER_WAIT_MS: while an import holds the store the spool stays, and
 * the readers' own entries, which wait for the spool while it drains, are not held up. */
enum cust_status web_spool_drain(struct cust_web *w, int wait_ms, struct cust_err *err);

/* The longest request path a ledger entry keeps (longer ones are cut, marked "..."). */
#define WEB_LEDGER_PATH_MAX 256

/* Guard kinds in the route table besides the role-matrix actions. */
#define WEB_PUBLIC  (-1) /* anyone, no session */
#define WEB_SESSION (-2) /* any logged-in staff member */
#define WEB_STEP    (-3) /* a request step: the action depends on {step} (desk.c) */
/* (navigation only) any of the report actions */
#define WEB_REPORTS (-4)

/* Whether a role opens any report page (reports.c). */
bool web_role_has_reports(enum cust_role role);

struct web_cache *web_cache_new(unsigned ttl_s);

/* Start the checkpoint writer when the configuration's [ledger] key is set (writes one at once;
 * a bad [ledger] value is CUST_EINVAL naming its source); stop it (writing a last one). */
enum cust_status web_checkpointer_start(struct cust_web *w, const struct cust_web_config *cfg,
                                        struct cust_err *err);
void web_checkpointer_stop(struct cust_web *w);
/* Publish the public view to `out` now (a failure is CUST_EIO/CUST_EDB: the server does not
 * start), then every `every_s` seconds (0: never again) until web_publisher_stop. Nothing when
 * `out` is empty. */
enum cust_status web_publisher_start(struct cust_web *w, const char *out, unsigned every_s,
                                     struct cust_err *err);
void web_publisher_stop(struct cust_web *w);
/* GET /api/v1/checkpoint: the latest signed checkpoint, text/plain (public). */
enum cust_status web_api_checkpoint(struct cust_http_request *req, struct cust_http_response *res,
                                    void *ctx);
void web_cache_free(struct web_cache *c);

/* What `custodian audit verify` checks, from one snapshot: the chain and tree, the disclosure
 * rows and every row of the record and the desk, as the JSON object GET /api/v1/audit/verify
 * answers (ok, chain_ok, disclosures_ok, rows_ok, entries, rows, root, reason, row_problem) and
 * the console's audit page shows. NULL with *err when the store cannot be read. */
json_t *web_audit_verdict(struct cust_web *w, struct cust_err *err);

/* Read the agency's [county] keys (name, address, phone, e-mail, website, seal, visiting, bail)
 * into w->agency and w->seal; a bad website or an unreadable seal is CUST_EINVAL/CUST_EIO
 * naming the key and its source (agency.c). */
enum cust_status web_agency_load(struct cust_web *w, const struct cust_config *cfg,
                                 struct cust_err *err);

/* Borrow a store connection (exclusive until web_release). */
struct cust_store *web_acquire(struct cust_web *w);
void web_release(struct cust_web *w, struct cust_store *s);

/*
 * The staff guard for a page or API route: `action` >= 0 is a role-matrix action, WEB_SESSION
 * any session. On refusal returns CUST_EDENIED with `res` filled: pages (`html`) without a
 * session get a 303 to /login (the denial audited here), otherwise the JSON 401/403.
 */
enum cust_status web_guard(struct cust_web *w, struct cust_http_request *req,
                           struct cust_http_response *res, int action, bool html,
                           struct cust_session *out);

/* Append a ledger entry from a web event (ignores failures after logging them to stderr). */
void web_ledger(struct cust_web *w, const char *actor, const char *role, const char *action,
                const char *object_type, const char *object_id, const char *outcome,
                const char *detail_json);

/* ---- HTML: pages from the templates of [paths] web_templates (web/templates/NAME.html) ---- */
/* Render template `page` ("request" for request.html) with `vars`, HTML-escaped by default. */
enum cust_status web_render(const struct cust_web *w, const char *page, const json_t *vars,
                            struct cust_buf *out, struct cust_err *err);
/* Send a page: template `page` with `vars` (stolen; NULL: out of memory) inside layout.html
 * with `title` and, for staff (`s`), the navigation their role allows and the sign-out form. */
enum cust_status web_page(const struct cust_web *w, struct cust_http_response *res, int status,
                          const char *title, const struct cust_session *s, const char *page,
                          json_t *vars);
/* A non-HTML file of the templates folder read at start ("notice.css"), or NULL. */
const json_t *web_page_text(const struct cust_web *w, const char *name);
/* Finish: set the HTML response and release the buffer. */
enum cust_status web_send_html(struct cust_http_response *res, int status, struct cust_buf *b);
/* Send `v` (owned; NULL: out of memory) as the JSON response with `status`. */
enum cust_status web_send_json(struct cust_http_response *res, int status, json_t *v);
/* An API error for `st`: with the input's problems (`dg`, one line each, the first as the
 * message) when there are any, else `err`'s message (cust_http_res_error: a 5xx answers only
 * an incident id). */
enum cust_status web_send_problems(struct cust_http_response *res, enum cust_status st,
                                   const struct cust_err *err, const struct cust_diag *dg);
/* An HTML error page (public-safe: the message is ours, never record data). */
enum cust_status web_html_error(const struct cust_web *w, struct cust_http_response *res,
                                int status, const char *title, const char *message,
                                const struct cust_session *s);
/* 303 See Other to `location`. */
enum cust_status web_redirect(struct cust_http_response *res, const char *location);

/* ---- JSON ---- */
/* An amount in cents as a JSON string in dollars, "$1,234.56" (cust_buf_dollars). */
json_t *web_dollars(int64_t cents);

/* ---- handlers (one file per area) ---- */
/*
 * A booking's or person's JSON for the session's role: the whole record for roles allowed
 * person.read_restricted (and that view goes to the ledger), else with restricted fields
 * removed and "restricted_fields_hidden": true. NULL with *status and `err` on failure.
 */
json_t *web_record_json(struct cust_web *w, struct cust_http_request *req,
                        const struct cust_session *s, bool person, const char *key,
                        enum cust_status *status, struct cust_err *err);

/* The request page's "answer" of a fulfilled data request (answer.c): its summary, decisions
 * grouped by outcome, page `page` of the persons given something. New reference in *out. */
struct cust_desk;
enum cust_status web_answer_vars(struct cust_desk *d, const char *id, const json_t *summary,
                                 int64_t page, json_t **out, struct cust_err *err);

enum cust_status web_locator_page(struct cust_http_request *req, struct cust_http_response *res,
                                  void *ctx);
enum cust_status web_locator_api(struct cust_http_request *req, struct cust_http_response *res,
                                 void *ctx);
enum cust_status web_static(struct cust_http_request *req, struct cust_http_response *res,
                            void *ctx);
enum cust_status web_seal(struct cust_http_request *req, struct cust_http_response *res, void *ctx);
enum cust_status web_root(struct cust_http_request *req, struct cust_http_response *res, void *ctx);
enum cust_status web_login_page(struct cust_http_request *req, struct cust_http_response *res,
                                void *ctx);
enum cust_status web_login_post(struct cust_http_request *req, struct cust_http_response *res,
                                void *ctx);
enum cust_status web_logout(struct cust_http_request *req, struct cust_http_response *res,
                            void *ctx);
enum cust_status web_dashboard(struct cust_http_request *req, struct cust_http_response *res,
                               void *ctx);
enum cust_status web_roster_page(struct cust_http_request *req, struct cust_http_response *res,
                                 void *ctx);
enum cust_status web_booking_page(struct cust_http_request *req, struct cust_http_response *res,
                                  void *ctx);
enum cust_status web_person_page(struct cust_http_request *req, struct cust_http_response *res,
                                 void *ctx);
enum cust_status web_audit_page(struct cust_http_request *req, struct cust_http_response *res,
                                void *ctx);
enum cust_status web_api_roster(struct cust_http_request *req, struct cust_http_response *res,
                                void *ctx);
enum cust_status web_api_booking(struct cust_http_request *req, struct cust_http_response *res,
                                 void *ctx);
enum cust_status web_api_person(struct cust_http_request *req, struct cust_http_response *res,
                                void *ctx);
enum cust_status web_api_decide(struct cust_http_request *req, struct cust_http_response *res,
                                void *ctx);
enum cust_status web_api_audit_verify(struct cust_http_request *req, struct cust_http_response *res,
                                      void *ctx);
enum cust_status web_api_audit_log(struct cust_http_request *req, struct cust_http_response *res,
                                   void *ctx);

/* The request lifecycle steps (POST .../requests/{id}/{step}) and the action each needs. */
struct web_step {
    const char *name;
    enum cust_action action;
};
const struct web_step *web_steps(size_t *n);

#define WEB_HANDLER(name)                                                                          \
    enum cust_status name(struct cust_http_request *req, struct cust_http_response *res, void *ctx)
WEB_HANDLER(web_api_users);
/* reports.c: oversight reports, the public-records export, the enforcement-action log */
WEB_HANDLER(web_api_report_detainers);
WEB_HANDLER(web_api_report_transfers);
WEB_HANDLER(web_api_report_forum);
WEB_HANDLER(web_api_report_oversight);
WEB_HANDLER(web_api_report_cpra);
WEB_HANDLER(web_api_enforcement);
WEB_HANDLER(web_api_enforcement_add);
WEB_HANDLER(web_reports_page);
WEB_HANDLER(web_report_detainers_page);
WEB_HANDLER(web_report_transfers_page);
WEB_HANDLER(web_report_forum_page);
WEB_HANDLER(web_oversight_page);
WEB_HANDLER(web_cpra_page);
WEB_HANDLER(web_cpra_post);
WEB_HANDLER(web_enforcement_page);
WEB_HANDLER(web_enforcement_new_page);
WEB_HANDLER(web_enforcement_post);
WEB_HANDLER(web_public_enforcement_page);
WEB_HANDLER(web_public_enforcement_api);
WEB_HANDLER(web_users_page);
WEB_HANDLER(web_api_requests);
WEB_HANDLER(web_api_request_add);
WEB_HANDLER(web_api_request);
WEB_HANDLER(web_api_request_step);
WEB_HANDLER(web_api_request_fulfil);
WEB_HANDLER(web_api_duties);
WEB_HANDLER(web_api_duty_done);
WEB_HANDLER(web_request_page);
WEB_HANDLER(web_request_document);
WEB_HANDLER(web_requests_page);
WEB_HANDLER(web_duties_page);
WEB_HANDLER(web_duty_done_post);
WEB_HANDLER(web_duty_notice_page);
WEB_HANDLER(web_notice_css);
WEB_HANDLER(web_request_step_post);
WEB_HANDLER(web_fulfil_page);
WEB_HANDLER(web_fulfil_post);

/* The expiry timer: cust_desk_sweep at start and every `every_s` seconds (0: 60) on its own
 * thread, as "custodian serve" (role system); stopped (joined) by web_sweeper_stop. */
enum cust_status web_sweeper_start(struct cust_web *w, unsigned every_s, struct cust_err *err);
void web_sweeper_stop(struct cust_web *w);
/* A page of a long list from the query: ?offset=N (its first line, from 0) and ?lines=N
 * (`min`..`max`, `dflt` when absent); a bad value is CUST_EINVAL naming the parameter and its
 * range. */
enum cust_status web_window(const struct cust_http_request *req, size_t min, size_t max,
                            size_t dflt, size_t *off, size_t *lines, struct cust_err *err);
/* ---- words.c: values as a clerk reads them ---- */
/* `s`, or "" for NULL. */
const char *web_or_empty(const char *s);
/* A stored name (a kind, a status) as a label: "judicial_warrant" -> "Judicial warrant". A JSON
 * string. */
json_t *web_label(const char *name);
/* An instant (Unix seconds) in words in the county's time ("July 15, 2025 at 9:00 AM PDT"), or
 * `absent` for none (CUST_NO_TIME or <= 0). A JSON string. */
json_t *web_time_words(int64_t t, const char *absent);
/* A stored date or RFC 3339 instant in words (cust_words_of), or `absent` for NULL or "". */
json_t *web_words_of(const char *stored, const char *absent);
/* A count as people read it ("12,966", cust_buf_count). A JSON string. */
json_t *web_count(int64_t n);

/* An audit entry went to the spool: the timer, which may be in its minute's wait, looks again
 * and drains the spool within a second of the store being free (not at the next sweep). */
void web_sweeper_nudge(struct cust_web *w);

#endif
