/*
 * console.c - the staff console: login with passphrase + TOTP, logout, dashboard, roster,
 * booking and person pages (restricted fields only for roles allowed to see them, each such
 * view recorded in the ledger), audit status. Server-rendered HTML in USWDS markup.
 */
#include "custodian/compat.h"
#include "custodian/date.h"
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

/*
 * A booking's or person's JSON for the session's role: the whole record for roles allowed
 * person.read_restricted (and that view goes to the ledger), else with restricted fields
 * removed and "restricted_fields_hidden": true. NULL with *status on failure.
 */
json_t *web_record_json(struct cust_web *w, struct cust_http_request *req,
                        const struct cust_session *s, bool person, const char *key,
                        enum cust_status *status);

json_t *web_record_json(struct cust_web *w, struct cust_http_request *req,
                        const struct cust_session *s, bool person, const char *key,
                        enum cust_status *status)
{
    char *text = NULL;
    struct cust_err err = CUST_ERR_INIT;
    struct cust_store *st = web_acquire(w);
    *status = person ? cust_store_person_json(st, key, &text, &err)
                     : cust_store_booking_json(st, key, &text, &err);
    web_release(w, st);
    if (*status != CUST_OK)
        return NULL;
    json_t *v = json_loads(text, 0, NULL);
    free(text);
    if (!v) {
        *status = CUST_EDB;
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

static enum cust_status login_form(struct cust_http_response *res, int status, const char *error,
                                   const char *name)
{
    struct cust_buf b;
    cust_buf_init(&b, 0);
    enum cust_status st = web_page_begin(&b, "Staff sign in", NULL);
    if (error) {
        st = st ? st
                : cust_buf_puts(&b, "<div class=\"usa-alert usa-alert--error\" role=\"alert\">"
                                    "<div class=\"usa-alert__body\"><p"
                                    " class=\"usa-alert__text\">");
        st = st ? st : web_h(&b, error);
        st = st ? st : cust_buf_puts(&b, "</p></div></div>\n");
    }
    st = st ? st
            : cust_buf_puts(&b, "<form class=\"usa-form\" method=\"post\" action=\"/login\">\n"
                                "<label class=\"usa-label\" for=\"name\">User name</label>\n"
                                "<input class=\"usa-input\" id=\"name\" name=\"name\" type=\"text\""
                                " autocomplete=\"username\" required value=\"");
    st = st ? st : web_h(&b, name);
    st = st ? st
            : cust_buf_puts(
                  &b, "\">\n<label class=\"usa-label\" for=\"passphrase\">Passphrase</label>\n"
                      "<input class=\"usa-input\" id=\"passphrase\" name=\"passphrase\""
                      " type=\"password\" autocomplete=\"current-password\" required>\n"
                      "<label class=\"usa-label\" for=\"code\">Authenticator code</label>\n"
                      "<div class=\"usa-hint\" id=\"code-hint\">Six digits from your"
                      " authenticator app</div>\n"
                      "<input class=\"usa-input usa-input--small\" id=\"code\" name=\"code\""
                      " type=\"text\" inputmode=\"numeric\" autocomplete=\"one-time-code\""
                      " aria-describedby=\"code-hint\" pattern=\"[0-9]{6}\" required>\n"
                      "<button class=\"usa-button\" type=\"submit\">Sign in</button>\n</form>\n");
    return web_page_send(res, status, &b, st);
}

enum cust_status web_login_page(struct cust_http_request *req, struct cust_http_response *res,
                                void *ctx)
{
    (void)req;
    (void)ctx;
    return login_form(res, 200, NULL, "");
}

enum cust_status web_login_post(struct cust_http_request *req, struct cust_http_response *res,
                                void *ctx)
{
    struct cust_web *w = ctx;
    struct cust_kv_list form = {0};
    struct cust_err err = CUST_ERR_INIT;
    if (cust_http_req_form(req, &form, &err) != CUST_OK)
        return login_form(res, 400, "The form could not be read.", "");
    const char *name = cust_kv_get(&form, "name");
    const char *pass = cust_kv_get(&form, "passphrase");
    const char *code = cust_kv_get(&form, "code");
    if (!name || !pass || !code || strlen(name) >= CUST_USER_NAME_MAX)
        return login_form(res, 400, "Give your user name, passphrase and code.", "");
    char token[CUST_TOKEN_HEX];
    struct cust_session s;
    enum cust_status st = cust_auth_login(&w->auth, name, pass, code, cust_now(), token, &s, &err);
    cust_http_audit(req, CUST_AUDIT_LOGIN, st == CUST_OK ? 303 : 401, st == CUST_OK, name,
                    st == CUST_OK ? NULL : err.msg);
    if (st == CUST_EDENIED)
        return login_form(res, 401, err.msg[0] ? err.msg : "Sign-in failed.", name);
    if (st != CUST_OK)
        return login_form(res, 500, "Sign-in is unavailable.", name);
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

struct counter {
    int64_t n;
    struct cust_buf *b;
    int64_t now;
    size_t shown;
};

static enum cust_status count_row(const struct cust_roster_row *r, void *arg)
{
    (void)r;
    ((struct counter *)arg)->n++;
    return CUST_OK;
}

static void fmt_ts(int64_t ts, char out[32])
{
    if (ts == INT64_MIN || ts <= 0)
        snprintf(out, 32, "none");
    else
        cust_time_format(ts, 0, true, out);
}

static enum cust_status request_row(const struct cust_request_row *r, void *arg)
{
    struct counter *c = arg;
    c->n++;
    if (c->shown >= 50)
        return CUST_OK;
    c->shown++;
    int64_t due = r->law_ts > 0 && r->law_ts != INT64_MIN ? r->law_ts : r->due_ts;
    bool overdue = due > 0 && due != INT64_MIN && due < c->now;
    char when[32];
    fmt_ts(due, when);
    struct cust_buf *b = c->b;
    enum cust_status st = cust_buf_puts(b, "<tr><th scope=\"row\"><a class=\"usa-link\""
                                           " href=\"/console/requests/");
    st = st ? st : web_h(b, r->id);
    st = st ? st : cust_buf_puts(b, "\">");
    st = st ? st : web_h(b, r->id);
    st = st ? st : cust_buf_puts(b, "</a></th><td>");
    st = st ? st : web_h(b, r->kind);
    st = st ? st : cust_buf_puts(b, "</td><td>");
    st = st ? st : web_h(b, r->agency);
    st = st ? st : cust_buf_puts(b, "</td><td>");
    st = st ? st : web_h(b, r->status);
    st = st ? st : cust_buf_puts(b, "</td><td>");
    st = st ? st : web_h(b, when);
    if (overdue)
        st = st ? st : cust_buf_puts(b, " <strong>(overdue)</strong>");
    return st ? st : cust_buf_puts(b, "</td></tr>\n");
}

static enum cust_status duty_row(const struct cust_duty_row *d, void *arg)
{
    struct counter *c = arg;
    c->n++;
    if (c->shown >= 50)
        return CUST_OK;
    c->shown++;
    char when[32];
    fmt_ts(d->due_ts, when);
    struct cust_buf *b = c->b;
    enum cust_status st = cust_buf_puts(b, "<tr><th scope=\"row\">");
    st = st ? st : web_h(b, d->duty);
    st = st ? st : cust_buf_puts(b, "</th><td>");
    st = st ? st : web_h(b, d->request_id);
    st = st ? st : cust_buf_puts(b, "</td><td>");
    st = st ? st : web_h(b, d->booking_number);
    st = st ? st : cust_buf_puts(b, "</td><td>");
    st = st ? st : web_h(b, when);
    return st ? st : cust_buf_puts(b, "</td></tr>\n");
}

enum cust_status web_dashboard(struct cust_http_request *req, struct cust_http_response *res,
                               void *ctx)
{
    struct cust_web *w = ctx;
    struct cust_session s;
    enum cust_status st = web_guard(w, req, res, WEB_SESSION, true, &s);
    if (st != CUST_OK)
        return st;
    struct cust_buf b, reqs, duties;
    cust_buf_init(&b, 0);
    cust_buf_init(&reqs, 0);
    cust_buf_init(&duties, 0);
    struct cust_err err = CUST_ERR_INIT;
    struct counter custody = {0}, open = {.b = &reqs, .now = cust_now()},
                   od = {.b = &duties, .now = cust_now()};
    bool roster = cust_role_allows(s.role, CUST_ACT_ROSTER_READ);
    bool rq = cust_role_allows(s.role, CUST_ACT_REQUEST_READ);
    /* detainers whose hold window passed are expired first (before taking a store slot: the
     * sweep takes its own) */
    if (rq)
        st = web_desk_sweep(w, &s, &err);
    struct cust_store *store = web_acquire(w);
    bool du = cust_role_allows(s.role, CUST_ACT_DUTY_READ);
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
        cust_buf_release(&b);
        cust_buf_release(&reqs);
        cust_buf_release(&duties);
        return web_html_error(res, 500, "Dashboard unavailable", "The store could not be read.",
                              &s);
    }
    st = web_page_begin(&b, "Dashboard", &s);
    if (roster)
        st = st ? st
                : cust_buf_appendf(&b,
                                   "<div class=\"usa-summary-box\" role=\"region\""
                                   " aria-labelledby=\"custody-h\"><div"
                                   " class=\"usa-summary-box__body\"><h2 class=\"usa-summary-box__"
                                   "heading\" id=\"custody-h\">In custody today</h2><p><span"
                                   " id=\"in-custody\">%lld</span> people. <a class=\"usa-link\""
                                   " href=\"/console/roster\">Roster</a></p></div></div>\n",
                                   (long long)custody.n);
    if (rq) {
        st =
            st ? st
               : cust_buf_appendf(&b, "<h2>Open requests (%lld), by deadline, overdue first</h2>\n",
                                  (long long)open.n);
        st = st ? st
                : cust_buf_puts(&b, "<table class=\"usa-table\"><caption>Open requests</caption>"
                                    "<thead><tr><th scope=\"col\">Request</th><th scope=\"col\">"
                                    "Kind</th><th scope=\"col\">Agency</th><th scope=\"col\">"
                                    "Status</th><th scope=\"col\">Deadline</th></tr></thead>"
                                    "<tbody>\n");
        st = st ? st : cust_buf_append(&b, reqs.buf ? reqs.buf : "", reqs.len);
        st = st ? st : cust_buf_puts(&b, "</tbody></table>\n");
    }
    if (du) {
        st = st ? st : cust_buf_appendf(&b, "<h2>Open duties (%lld)</h2>\n", (long long)od.n);
        st = st ? st
                : cust_buf_puts(&b, "<table class=\"usa-table\"><caption>Open duties</caption>"
                                    "<thead><tr><th scope=\"col\">Duty</th><th scope=\"col\">"
                                    "Request</th><th scope=\"col\">Booking</th><th scope=\"col\">"
                                    "Due</th></tr></thead><tbody>\n");
        st = st ? st : cust_buf_append(&b, duties.buf ? duties.buf : "", duties.len);
        st = st ? st : cust_buf_puts(&b, "</tbody></table>\n");
    }
    if (!roster && !rq && !du)
        st = st ? st
                : cust_buf_puts(&b, "<p>Your role has no desk work. Use the links above.</p>\n");
    cust_buf_release(&reqs);
    cust_buf_release(&duties);
    return web_page_send(res, 200, &b, st);
}

/* ---- roster --------------------------------------------------------------------------------- */

struct roster_page {
    struct cust_buf *b;
    const char *last; /* upper-case filter or NULL */
    size_t n;
};

static enum cust_status roster_row(const struct cust_roster_row *r, void *arg)
{
    struct roster_page *p = arg;
    if (p->last && (!r->last_name || strcasecmp(r->last_name, p->last) != 0))
        return CUST_OK;
    if (++p->n > 500)
        return CUST_OK;
    struct cust_buf *b = p->b;
    enum cust_status st = cust_buf_puts(b, "<tr><th scope=\"row\"><a class=\"usa-link\""
                                           " href=\"/console/bookings/");
    st = st ? st : web_h(b, r->booking_number);
    st = st ? st : cust_buf_puts(b, "\">");
    st = st ? st : web_h(b, r->booking_number);
    st = st ? st
            : cust_buf_appendf(b,
                               "</a></th><td><a class=\"usa-link\" href=\"/console/"
                               "persons/%%23%lld\">",
                               (long long)r->person_id);
    st = st ? st : web_h(b, r->last_name);
    st = st ? st : cust_buf_puts(b, ", ");
    st = st ? st : web_h(b, r->first_name);
    st = st ? st : cust_buf_puts(b, "</a></td><td>");
    st = st ? st : web_h(b, r->booked_at);
    st = st ? st : cust_buf_puts(b, "</td><td>");
    st = st ? st : web_h(b, r->facility);
    st = st ? st : cust_buf_puts(b, "</td><td>");
    st = st ? st : web_h(b, r->scheduled_release);
    return st ? st : cust_buf_puts(b, "</td></tr>\n");
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
    struct cust_buf b, rows;
    cust_buf_init(&b, 0);
    cust_buf_init(&rows, 0);
    struct roster_page p = {.b = &rows, .last = last};
    struct cust_roster_filter f = {.day = cust_today()};
    struct cust_err err = CUST_ERR_INIT;
    struct cust_store *store = web_acquire(w);
    st = cust_store_roster(store, &f, roster_row, &p, &err);
    web_release(w, store);
    if (st != CUST_OK) {
        cust_buf_release(&b);
        cust_buf_release(&rows);
        return web_html_error(res, 500, "Roster unavailable", "The store could not be read.", &s);
    }
    st = web_page_begin(&b, "Roster", &s);
    st = st ? st
            : cust_buf_puts(&b, "<form class=\"usa-search usa-search--small\" role=\"search\""
                                " method=\"get\" action=\"/console/roster\">"
                                "<label class=\"usa-sr-only\" for=\"roster-last\">Last name</label>"
                                "<input class=\"usa-input\" id=\"roster-last\" type=\"search\""
                                " name=\"last_name\" value=\"");
    st = st ? st : web_h(&b, last);
    st = st ? st
            : cust_buf_appendf(&b,
                               "\"><button class=\"usa-button\" type=\"submit\">"
                               "<span class=\"usa-search__submit-text\">Search</span></button>"
                               "</form>\n<p><span id=\"roster-count\">%zu</span> in custody"
                               " today%s.</p>\n",
                               p.n, p.n > 500 ? " (first 500 shown)" : "");
    st = st ? st
            : cust_buf_puts(&b, "<table class=\"usa-table\"><caption>In custody today</caption>"
                                "<thead><tr><th scope=\"col\">Booking</th><th scope=\"col\">Name"
                                "</th><th scope=\"col\">Booked</th><th scope=\"col\">Facility</th>"
                                "<th scope=\"col\">Scheduled release</th></tr></thead><tbody>\n");
    st = st ? st : cust_buf_append(&b, rows.buf ? rows.buf : "", rows.len);
    st = st ? st : cust_buf_puts(&b, "</tbody></table>\n");
    cust_buf_release(&rows);
    return web_page_send(res, 200, &b, st);
}

/* ---- booking and person pages ------------------------------------------------------------------
 */

/* Render a JSON value as a nested description list (keys and values escaped). */
static enum cust_status render_value(struct cust_buf *b, json_t *v)
{
    enum cust_status st = CUST_OK;
    if (json_is_object(v)) {
        st = cust_buf_puts(b, "<dl class=\"record\">");
        const char *k;
        json_t *x;
        json_object_foreach(v, k, x)
        {
            st = st ? st : cust_buf_puts(b, "<dt>");
            st = st ? st : web_h(b, k);
            st = st ? st : cust_buf_puts(b, "</dt><dd>");
            st = st ? st : render_value(b, x);
            st = st ? st : cust_buf_puts(b, "</dd>");
        }
        st = st ? st : cust_buf_puts(b, "</dl>");
    } else if (json_is_array(v)) {
        if (json_array_size(v) == 0)
            return cust_buf_puts(b, "none");
        st = cust_buf_puts(b, "<ol>");
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x)
        {
            st = st ? st : cust_buf_puts(b, "<li>");
            st = st ? st : render_value(b, x);
            st = st ? st : cust_buf_puts(b, "</li>");
        }
        st = st ? st : cust_buf_puts(b, "</ol>");
    } else if (json_is_string(v)) {
        st = web_h(b, json_string_value(v));
    } else if (json_is_null(v)) {
        st = cust_buf_puts(b, "—");
    } else {
        char *t = json_dumps(v, JSON_ENCODE_ANY);
        st = web_h(b, t ? t : "");
        free(t);
    }
    return st;
}

static enum cust_status record_page(struct cust_http_request *req, struct cust_http_response *res,
                                    struct cust_web *w, bool person)
{
    struct cust_session s;
    enum cust_status st = web_guard(w, req, res, CUST_ACT_ROSTER_READ, true, &s);
    if (st != CUST_OK)
        return st;
    const char *key = cust_http_req_param(req, person ? "id" : "number");
    json_t *v = web_record_json(w, req, &s, person, key, &st);
    if (!v)
        return web_html_error(res, cust_http_status_for(st),
                              person ? "No such person" : "No such booking",
                              st == CUST_ENOTFOUND ? "Nothing is stored under that key."
                                                   : "The store could not be read.",
                              &s);
    struct cust_buf b;
    cust_buf_init(&b, 0);
    char title[128];
    snprintf(title, sizeof(title), "%s %s", person ? "Person" : "Booking", key);
    st = web_page_begin(&b, title, &s);
    if (json_is_true(json_object_get(v, "restricted_fields_hidden")))
        st = st ? st
                : cust_buf_puts(&b, "<div class=\"usa-alert usa-alert--info usa-alert--slim\">"
                                    "<div class=\"usa-alert__body\"><p class=\"usa-alert__text\">"
                                    "Restricted fields (identifiers, citizenship, immigration,"
                                    " address, criminal history) are hidden for your role.</p>"
                                    "</div></div>\n");
    if (!person) {
        json_int_t pid = json_integer_value(json_object_get(v, "person_internal_id"));
        st = st ? st
                : cust_buf_appendf(&b,
                                   "<p><a class=\"usa-link\" href=\"/console/persons/%%23%lld\">"
                                   "The person</a></p>\n",
                                   (long long)pid);
    }
    st = st ? st : render_value(&b, v);
    json_decref(v);
    return web_page_send(res, 200, &b, st);
}

enum cust_status web_booking_page(struct cust_http_request *req, struct cust_http_response *res,
                                  void *ctx)
{
    return record_page(req, res, ctx, false);
}

enum cust_status web_person_page(struct cust_http_request *req, struct cust_http_response *res,
                                 void *ctx)
{
    return record_page(req, res, ctx, true);
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
    struct cust_ledger_report rep;
    memset(&rep, 0, sizeof(rep));
    struct cust_err err = CUST_ERR_INIT;
    struct cust_store *store = web_acquire(w);
    enum cust_status v = cust_ledger_verify(store, &rep, &err);
    web_release(w, store);
    struct cust_buf b;
    cust_buf_init(&b, 0);
    st = web_page_begin(&b, "Audit status", &s);
    if (v == CUST_OK)
        st = st ? st
                : cust_buf_appendf(&b,
                                   "<div class=\"usa-alert usa-alert--success\"><div"
                                   " class=\"usa-alert__body\"><h2 class=\"usa-alert__heading\">"
                                   "Ledger intact</h2><p class=\"usa-alert__text\" id=\"ledger\">"
                                   "ledger ok: %lld entries</p></div></div>\n",
                                   (long long)rep.entries);
    else {
        st = st ? st
                : cust_buf_appendf(&b,
                                   "<div class=\"usa-alert usa-alert--error\" role=\"alert\"><div"
                                   " class=\"usa-alert__body\"><h2 class=\"usa-alert__heading\">"
                                   "Ledger damaged</h2><p class=\"usa-alert__text\" id=\"ledger\">"
                                   "first bad entry %lld: ",
                                   (long long)rep.bad_seq);
        st = st ? st : web_h(&b, err.msg);
        st = st ? st : cust_buf_puts(&b, "</p></div></div>\n");
    }
    return web_page_send(res, 200, &b, st);
}

/* ---- accounts (admin) ----------------------------------------------------------------------- */

static enum cust_status user_row(const struct cust_user_row *r, void *arg)
{
    struct cust_buf *b = arg;
    enum cust_status st = cust_buf_puts(b, "<tr><th scope=\"row\">");
    st = st ? st : web_h(b, r->name);
    st = st ? st : cust_buf_puts(b, "</th><td>");
    st = st ? st : web_h(b, r->role);
    st = st ? st : cust_buf_puts(b, "</td><td>");
    st = st ? st : web_h(b, r->created_at);
    st = st ? st : cust_buf_puts(b, "</td><td>");
    st = st ? st : cust_buf_puts(b, r->disabled ? "disabled" : "active");
    return st ? st : cust_buf_puts(b, "</td></tr>\n");
}

enum cust_status web_users_page(struct cust_http_request *req, struct cust_http_response *res,
                                void *ctx)
{
    struct cust_web *w = ctx;
    struct cust_session s;
    enum cust_status st = web_guard(w, req, res, CUST_ACT_USER_MANAGE, true, &s);
    if (st != CUST_OK)
        return st;
    struct cust_buf b, rows;
    cust_buf_init(&b, 0);
    cust_buf_init(&rows, 0);
    struct cust_err err = CUST_ERR_INIT;
    struct cust_store *store = web_acquire(w);
    st = cust_store_user_list(store, user_row, &rows, &err);
    web_release(w, store);
    if (st != CUST_OK) {
        cust_buf_release(&b);
        cust_buf_release(&rows);
        return web_html_error(res, 500, "Accounts unavailable", "The store could not be read.", &s);
    }
    st = web_page_begin(&b, "Staff accounts", &s);
    st = st ? st
            : cust_buf_puts(&b, "<p>Accounts are created on the server with <code>custodian user"
                                " add NAME --role ROLE</code>, which prints the authenticator"
                                " (TOTP) provisioning URI.</p>\n<table class=\"usa-table\">"
                                "<caption>Staff accounts</caption><thead><tr><th scope=\"col\">"
                                "Name</th><th scope=\"col\">Role</th><th scope=\"col\">Created"
                                "</th><th scope=\"col\">State</th></tr></thead><tbody>\n");
    st = st ? st : cust_buf_append(&b, rows.buf ? rows.buf : "", rows.len);
    st = st ? st : cust_buf_puts(&b, "</tbody></table>\n");
    cust_buf_release(&rows);
    return web_page_send(res, 200, &b, st);
}
