/*
 * console.c - the staff console: login with passphrase + TOTP, logout, dashboard, roster,
 * booking and person pages (restricted fields only for roles allowed to see them, each such
 * view recorded in the ledger), audit status. Server-rendered HTML in USWDS markup.
 */
#include "custodian/compat.h"
#include "custodian/date.h"
#include "custodian/desk.h"
#include "custodian/ledger.h"
#include "custodian/store_requests.h"
#include "custodian/store_accounts.h"
#include "web_internal.h"

#include <jansson.h>

/* ---- restricted fields ---------------------------------------------------------------------- */

static const char *const restricted_keys[] = {
    "ids",
    "cii",
    "fbi",
    "sid",
    "a_number",
    "place_of_birth",
    "home_address",
    "immigration_status",
    "citizenship",
    "citizenship_status",
    "citizenship_history",
    "prior_convictions",
    "aliases",
    "sex_arson_registrant",
};

static bool is_restricted(const char *key)
{
    for (size_t i = 0; i < CUST_ARRAY_LEN(restricted_keys); i++)
        if (strcmp(key, restricted_keys[i]) == 0)
            return true;
    return false;
}

/* Remove restricted keys everywhere in `v`; true when anything was removed. */
static bool redact(json_t *v)
{
    bool any = false;
    if (json_is_object(v)) {
        const char *k;
        json_t *x;
        void *tmp;
        json_object_foreach_safe(v, tmp, k, x)
        {
            if (is_restricted(k)) {
                json_object_del(v, k);
                any = true;
            } else {
                any = redact(x) || any;
            }
        }
    } else if (json_is_array(v)) {
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) any = redact(x) || any;
    }
    return any;
}

json_t *web_record_json(struct cust_web *w, struct cust_http_request *req,
                        const struct cust_session *s, bool person, const char *key,
                        enum cust_status *status, struct cust_err *err)
{
    char *text = NULL;
    struct cust_store *st = web_acquire(w);
    *status = person ? cust_store_person_json(st, key, &text, err)
                     : cust_store_booking_json(st, key, &text, err);
    web_release(w, st);
    if (*status != CUST_OK)
        return NULL;
    json_t *v = json_loads(text, 0, NULL);
    free(text);
    if (!v) {
        *status = cust_err_set(err, CUST_EDB, "%s %s: the stored record is not JSON",
                               person ? "person" : "booking", key);
        return NULL;
    }
    if (cust_role_allows(s->role, CUST_ACT_PERSON_READ_RESTRICTED)) {
        char detail[160];
        snprintf(detail, sizeof(detail), "%s:%s", person ? "person" : "booking", key);
        cust_http_audit(req, CUST_AUDIT_VIEW, 200, true, s->user, detail);
    } else if (redact(v)) {
        json_object_set_new(v, "restricted_fields_hidden", json_true());
    }
    return v;
}

/* ---- login ---------------------------------------------------------------------------------- */

static enum cust_status login_form(const struct cust_web *w, struct cust_http_response *res,
                                   int status, const char *error, const char *name)
{
    return web_page(w, res, status, "Staff sign in", NULL, "login",
                    json_pack("{s:s?,s:s}", "error", error, "name", name ? name : ""));
}

enum cust_status web_login_page(struct cust_http_request *req, struct cust_http_response *res,
                                void *ctx)
{
    (void)req;
    return login_form(ctx, res, 200, NULL, "");
}

enum cust_status web_login_post(struct cust_http_request *req, struct cust_http_response *res,
                                void *ctx)
{
    struct cust_web *w = ctx;
    struct cust_kv_list form = {0};
    struct cust_err err = CUST_ERR_INIT;
    if (cust_http_req_form(req, &form, &err) != CUST_OK)
        return login_form(w, res, 400, "The form could not be read.", "");
    const char *name = cust_kv_get(&form, "name");
    const char *pass = cust_kv_get(&form, "passphrase");
    const char *code = cust_kv_get(&form, "code");
    if (!name || !pass || !code || strlen(name) >= CUST_USER_NAME_MAX)
        return login_form(w, res, 400, "Give your user name, passphrase and code.", "");
    char token[CUST_TOKEN_HEX];
    struct cust_session s;
    enum cust_login_reason why = CUST_LOGIN_ERROR;
    enum cust_status st =
        cust_auth_login_why(&w->auth, name, pass, code, cust_now(), token, &s, &why, &err);
    /* the person signing in gets one answer; the ledger keeps why (issue 12) - for accounts
     * that exist: a name nobody has is counted (GET /metrics), never a ledger entry, so
     * guessing names cannot grow the ledger */
    if (st == CUST_EDENIED && why == CUST_LOGIN_UNKNOWN)
        __atomic_fetch_add(&w->metrics.unknown_logins, 1, __ATOMIC_RELAXED);
    else
        cust_http_audit(req, CUST_AUDIT_LOGIN, st == CUST_OK ? 303 : 401, st == CUST_OK, name,
                        st == CUST_OK ? NULL : cust_login_reason_name(why));
    if (st == CUST_EDENIED)
        return login_form(w, res, 401, err.msg[0] ? err.msg : "Sign-in failed.", name);
    if (st != CUST_OK)
        return login_form(w, res, 500, "Sign-in is unavailable.", name);
    st = cust_http_res_cookie(res, CUST_SESSION_COOKIE, token, -1, w->cfg.tls);
    return st ? st : web_redirect(res, "/console");
}

enum cust_status web_logout(struct cust_http_request *req, struct cust_http_response *res,
                            void *ctx)
{
    struct cust_web *w = ctx;
    struct cust_session s;
    enum cust_status st = web_guard(w, req, res, WEB_SESSION, true, &s);
    if (st != CUST_OK)
        return st;
    /* CSRF: logout is a POST */
    struct cust_kv_list form = {0};
    const char *csrf = cust_http_req_header(req, CUST_CSRF_HEADER);
    if (!csrf && cust_http_req_form(req, &form, NULL) == CUST_OK)
        csrf = cust_kv_get(&form, CUST_CSRF_FIELD);
    if (!cust_auth_csrf_ok(&s, csrf))
        return cust_http_res_error(res, CUST_EDENIED, "missing or wrong CSRF token");
    (void)cust_auth_logout(&w->auth, cust_kv_get(&req->cookies, CUST_SESSION_COOKIE));
    st = cust_http_res_cookie(res, CUST_SESSION_COOKIE, "x", 0, w->cfg.tls);
    return st ? st : web_redirect(res, "/login");
}

/* ---- dashboard ------------------------------------------------------------------------------ */

/* Rows of a dashboard table: all counted, the first 50 shown. */
struct listing {
    int64_t n, now;
    json_t *rows;
};

static enum cust_status count_row(const struct cust_roster_row *r, void *arg)
{
    (void)r;
    ((struct listing *)arg)->n++;
    return CUST_OK;
}

static enum cust_status request_row(const struct cust_request_row *r, void *arg)
{
    struct listing *c = arg;
    if (c->n++ >= 50)
        return CUST_OK;
    json_array_append_new(c->rows, json_pack("{s:s,s:o,s:s,s:o,s:o,s:b}", "id", r->id, "kind",
                                             web_label(r->kind), "agency", web_or_empty(r->agency),
                                             "status", web_label(r->status), "deadline",
                                             web_time_words(cust_request_deadline(r), "none"),
                                             "overdue", cust_request_overdue(r, c->now)));
    return CUST_OK;
}

static enum cust_status duty_row(const struct cust_duty_row *d, void *arg)
{
    struct listing *c = arg;
    if (c->n++ >= 50)
        return CUST_OK;
    json_array_append_new(c->rows, json_pack("{s:s,s:s,s:s,s:o}", "duty", d->duty, "request_id",
                                             web_or_empty(d->request_id), "booking_number",
                                             web_or_empty(d->booking_number), "due",
                                             web_time_words(d->due_ts, "none")));
    return CUST_OK;
}

enum cust_status web_dashboard(struct cust_http_request *req, struct cust_http_response *res,
                               void *ctx)
{
    struct cust_web *w = ctx;
    struct cust_session s;
    enum cust_status st = web_guard(w, req, res, WEB_SESSION, true, &s);
    if (st != CUST_OK)
        return st;
    struct cust_err err = CUST_ERR_INIT;
    struct listing custody = {0}, open = {.now = cust_now(), .rows = json_array()},
                   od = {.now = cust_now(), .rows = json_array()};
    bool roster = cust_role_allows(s.role, CUST_ACT_ROSTER_READ);
    bool rq = cust_role_allows(s.role, CUST_ACT_REQUEST_READ);
    bool du = cust_role_allows(s.role, CUST_ACT_DUTY_READ);
    /* a reader: detainers whose hold window passed are expired by the server's timer */
    struct cust_store *store = web_acquire(w);
    if (st == CUST_OK && roster) {
        struct cust_roster_filter f = {.day = cust_today()};
        st = cust_store_roster(store, &f, count_row, &custody, &err);
    }
    if (st == CUST_OK && rq) {
        struct cust_request_filter f = {
            .open_only = true, .overdue_at = INT64_MIN, .now = cust_now()};
        st = cust_store_request_list(store, &f, request_row, &open, &err);
    }
    if (st == CUST_OK && du) {
        struct cust_duty_filter f = {.open_only = true};
        st = cust_store_duties(store, &f, duty_row, &od, &err);
    }
    web_release(w, store);
    if (st != CUST_OK) {
        json_decref(open.rows);
        json_decref(od.rows);
        return web_html_error(w, res, 500, "Dashboard unavailable", err.msg, &s);
    }
    json_t *v = json_pack("{s:b,s:o,s:b}", "roster", roster, "in_custody",
                          web_count((int64_t)custody.n), "nothing", !roster && !rq && !du);
    json_object_set_new(
        v, "requests",
        rq ? json_pack("{s:o,s:o}", "count", web_count((int64_t)open.n), "rows", open.rows)
           : json_false());
    json_object_set_new(
        v, "duties",
        du ? json_pack("{s:o,s:o}", "count", web_count((int64_t)od.n), "rows", od.rows)
           : json_false());
    if (!rq)
        json_decref(open.rows);
    if (!du)
        json_decref(od.rows);
    return web_page(w, res, 200, "Dashboard", &s, "dashboard", v);
}

/* ---- roster --------------------------------------------------------------------------------- */

/* Rows of the roster on one page unless ?lines=N (1 to 500); ?offset=N pages through it. */
#define ROSTER_PAGE_LINES 500

struct roster_page {
    json_t *rows;
    size_t n, offset, lines;
};

static enum cust_status roster_row(const struct cust_roster_row *r, void *arg)
{
    struct roster_page *p = arg;
    if (p->n++ < p->offset || p->n > p->offset + p->lines)
        return CUST_OK;
    json_array_append_new(
        p->rows, json_pack("{s:s,s:I,s:s,s:s,s:o,s:s,s:o}", "booking_number", r->booking_number,
                           "person_internal_id", (json_int_t)r->person_id, "last_name",
                           web_or_empty(r->last_name), "first_name", web_or_empty(r->first_name),
                           "booked_at", web_words_of(r->booked_at, ""), "facility",
                           web_or_empty(r->facility), "scheduled_release",
                           web_words_of(r->scheduled_release, "")));
    return CUST_OK;
}

enum cust_status web_roster_page(struct cust_http_request *req, struct cust_http_response *res,
                                 void *ctx)
{
    struct cust_web *w = ctx;
    struct cust_session s;
    enum cust_status st = web_guard(w, req, res, CUST_ACT_ROSTER_READ, true, &s);
    if (st != CUST_OK)
        return st;
    const char *last = cust_kv_get(&req->query, "last_name");
    if (last && !*last)
        last = NULL;
    struct roster_page p = {0};
    struct cust_err err = CUST_ERR_INIT;
    if (web_window(req, 1, ROSTER_PAGE_LINES, ROSTER_PAGE_LINES, &p.offset, &p.lines, &err) !=
        CUST_OK)
        return web_html_error(w, res, 400, "Not a valid page", err.msg, &s);
    p.rows = json_array();
    /* the last name as typed, matched by its key (namekey.h) in the store */
    struct cust_roster_filter f = {.day = cust_today(), .last_name = last};
    struct cust_store *store = web_acquire(w);
    st = cust_store_roster(store, &f, roster_row, &p, &err);
    web_release(w, store);
    if (st != CUST_OK) {
        json_decref(p.rows);
        return web_html_error(w, res, 500, "Roster unavailable", err.msg, &s);
    }
    /* the lines shown (1-based) and where the pages before and after start (the template's
     * Previous and Next are GET forms keeping the search) */
    json_t *v =
        json_pack("{s:s,s:o,s:b,s:o,s:o,s:I,s:o,s:b,s:I,s:b,s:I}", "last_name", web_or_empty(last),
                  "count", web_count((int64_t)p.n), "paged", p.offset > 0 || p.n > p.lines,
                  "shown_from", web_count((int64_t)p.offset + 1), "shown_to",
                  web_count((int64_t)(p.offset + json_array_size(p.rows))), "lines",
                  (json_int_t)p.lines, "rows", p.rows, "has_prev", p.offset > 0, "prev",
                  (json_int_t)(p.offset > p.lines ? p.offset - p.lines : 0), "has_next",
                  p.n > p.offset + p.lines, "next", (json_int_t)(p.offset + p.lines));
    if (json_array_size(p.rows) == 0 && p.offset > 0) /* a page past the end */
        json_object_set_new(v, "past_end", json_true());
    return web_page(w, res, 200, "Roster", &s, "roster", v);
}

/* ---- audit status --------------------------------------------------------------------------- */

enum cust_status web_audit_page(struct cust_http_request *req, struct cust_http_response *res,
                                void *ctx)
{
    struct cust_web *w = ctx;
    struct cust_session s;
    enum cust_status st = web_guard(w, req, res, CUST_ACT_AUDIT_READ, true, &s);
    if (st != CUST_OK)
        return st;
    struct cust_err err = CUST_ERR_INIT;
    json_t *v = web_audit_verdict(w, &err);
    if (!v)
        return cust_http_res_error(res, err.code, err.msg);
    return web_page(w, res, 200, "Audit status", &s, "audit", v);
}

/* ---- accounts (admin) ----------------------------------------------------------------------- */

static enum cust_status user_row(const struct cust_user_row *r, void *arg)
{
    json_array_append_new(arg, json_pack("{s:s,s:s,s:s,s:s}", "name", r->name, "role",
                                         web_or_empty(r->role), "created_at",
                                         web_or_empty(r->created_at), "state",
                                         r->disabled ? "disabled" : "active"));
    return CUST_OK;
}

enum cust_status web_users_page(struct cust_http_request *req, struct cust_http_response *res,
                                void *ctx)
{
    struct cust_web *w = ctx;
    struct cust_session s;
    enum cust_status st = web_guard(w, req, res, CUST_ACT_USER_MANAGE, true, &s);
    if (st != CUST_OK)
        return st;
    json_t *rows = json_array();
    struct cust_err err = CUST_ERR_INIT;
    struct cust_store *store = web_acquire(w);
    st = cust_store_user_list(store, user_row, rows, &err);
    web_release(w, store);
    if (st != CUST_OK) {
        json_decref(rows);
        return web_html_error(w, res, 500, "Accounts unavailable", err.msg, &s);
    }
    return web_page(w, res, 200, "Staff accounts", &s, "users", json_pack("{s:o}", "rows", rows));
}
