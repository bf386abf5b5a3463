/*
 * duties.c - the console's duty worklist (GET /console/duties, issue 13 item 3): the duties the
 * requests' decisions brought, open ones first by deadline, filtered to mine (the requests I
 * took in), overdue, open, or one request; each with what it asks in words, the person, the
 * deadline in words with its law, and two buttons: "Mark done" (POST with the session's CSRF
 * token, by the signed-in account, a "duty.done" ledger entry: cust_desk_duty_done) and "Print
 * notice" for a duty that has one (GET /console/duties/{id}/notice: the notice rendered by
 * cust_desk_notice, kept by its SHA-256 and recorded as "notice.generate", as a printable page).
 */
#include "custodian/compat.h"
#include "custodian/datewords.h"
#include "custodian/date.h"
#include "custodian/desk.h"
#include "custodian/store_requests.h"
#include "web_internal.h"

#include <jansson.h>

static const char *param(struct cust_http_request *req, const char *name)
{
    const char *v = cust_kv_get(&req->query, name);
    return v && *v ? v : NULL;
}

static bool checked(struct cust_http_request *req, const char *name)
{
    const char *v = param(req, name);
    return v && strcmp(v, "1") == 0;
}

/* A request id as the desk writes them (letters, digits, '-'), at most 64 bytes. */
static bool request_id_ok(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (!((s[n] >= 'A' && s[n] <= 'Z') || (s[n] >= 'a' && s[n] <= 'z') ||
              (s[n] >= '0' && s[n] <= '9') || s[n] == '-' || s[n] == '_'))
            return false;
    return n > 0 && n <= 64;
}

/* "A; B" */
static json_t *joined(const json_t *arr)
{
    struct cust_buf b = CUST_BUF_INIT;
    size_t i;
    json_t *x;
    json_array_foreach(arr, i, x)
    {
        if (i)
            (void)cust_buf_puts(&b, "; ");
        (void)cust_buf_puts(&b, json_string_value(x) ? json_string_value(x) : "");
    }
    json_t *s = json_stringn(b.len ? b.buf : "", b.len);
    cust_buf_release(&b);
    return s;
}

/* One row of the worklist from the desk's duty JSON (cust_desk_duties). */
static json_t *row_of(const json_t *d, bool may_complete)
{
    const char *status = json_string_value(json_object_get(d, "status"));
    bool open = status && strcmp(status, "open") == 0;
    json_t *r = json_pack(
        "{s:O,s:O,s:O,s:o,s:O?,s:O?,s:O?,s:o,s:O?,s:b,s:b,s:b,s:b}", "id", json_object_get(d, "id"),
        "duty", json_object_get(d, "duty"), "request_id", json_object_get(d, "request_id"), "cite",
        joined(json_object_get(d, "cite")), "what", json_object_get(d, "what"), "name",
        json_object_get(d, "name"), "booking_number", json_object_get(d, "booking_number"), "due",
        web_words_of(json_string_value(json_object_get(d, "due")), "No deadline"), "due_cite",
        json_object_get(d, "due_cite"), "overdue", json_is_true(json_object_get(d, "overdue")),
        "open", open, "can_done", open && may_complete, "notice",
        json_is_true(json_object_get(d, "notice")) && may_complete);
    if (r && !open) {
        const char *by = json_string_value(json_object_get(d, "done_by"));
        json_t *at = web_words_of(json_string_value(json_object_get(d, "done_at")),
                                  "at a time not recorded");
        json_object_set_new(
            r, "done",
            json_sprintf("Done by %s, %s", by ? by : "(unknown)", json_string_value(at)));
        json_decref(at);
    }
    return r;
}

/* The list's own address with its filters, for "Mark done" to come back to. */
static json_t *back_of(bool mine, bool overdue, bool all, const char *request)
{
    struct cust_buf b = CUST_BUF_INIT;
    (void)cust_buf_puts(&b, "/console/duties");
    const char *sep = "?";
    const struct {
        bool on;
        const char *arg;
    } args[] = {{mine, "mine=1"}, {overdue, "overdue=1"}, {all, "all=1"}};
    for (size_t i = 0; i < CUST_ARRAY_LEN(args); i++)
        if (args[i].on) {
            (void)cust_buf_appendf(&b, "%s%s", sep, args[i].arg);
            sep = "&";
        }
    if (request) /* checked: letters, digits, '-' and '_' need no escaping */
        (void)cust_buf_appendf(&b, "%srequest=%s", sep, request);
    json_t *v = json_stringn(b.buf, b.len);
    cust_buf_release(&b);
    return v;
}

WEB_HANDLER(web_duties_page)
{
    struct cust_web *w = ctx;
    struct cust_session s;
    enum cust_status st = web_guard(w, req, res, CUST_ACT_DUTY_READ, true, &s);
    if (st != CUST_OK)
        return st;
    bool mine = checked(req, "mine"), overdue = checked(req, "overdue");
    /* open only unless asked for every duty: a worklist */
    bool all = checked(req, "all");
    const char *request = param(req, "request");
    if (request && !request_id_ok(request)) {
        return web_page(w, res, 400, "Duties", &s, "duties",
                        json_pack("{s:s,s:b,s:b,s:b,s:s,s:s}", "error",
                                  "request: expected a request id (letters, digits, '-')", "mine",
                                  mine, "overdue", overdue, "all", all, "request", "", "csrf",
                                  s.csrf));
    }
    struct cust_duty_filter f = {.request_id = request,
                                 .open_only = !all,
                                 .owner = mine ? s.user : NULL,
                                 .overdue_at = overdue ? cust_now() : 0};
    struct cust_err err = CUST_ERR_INIT;
    json_t *list = NULL;
    struct cust_desk d;
    cust_desk_init(&d, w->env, web_acquire(w), s.user, cust_role_name(s.role));
    st = cust_desk_duties(&d, &f, &list, &err);
    struct cust_store *store = d.store;
    cust_desk_release(&d);
    web_release(w, store);
    if (st != CUST_OK)
        return web_html_error(w, res, 500, "Duties unavailable", err.msg, &s);
    bool may_complete = cust_role_allows(s.role, CUST_ACT_DUTY_COMPLETE);
    json_t *rows = json_array();
    size_t i, open = 0, late = 0;
    json_t *x;
    json_array_foreach(list, i, x)
    {
        json_t *r = row_of(x, may_complete);
        open += json_is_true(json_object_get(r, "open"));
        late += json_is_true(json_object_get(r, "overdue"));
        json_array_append_new(rows, r);
    }
    json_decref(list);
    const char *done = param(req, "done");
    if (done && strspn(done, "0123456789") != strlen(done))
        done = NULL;
    json_t *v =
        json_pack("{s:b,s:b,s:b,s:s,s:o,s:I,s:I,s:I,s:b,s:s?,s:s,s:o}", "mine", mine, "overdue",
                  overdue, "all", all, "request", request ? request : "", "rows", rows, "count",
                  (json_int_t)json_array_size(rows), "open", (json_int_t)open, "late",
                  (json_int_t)late, "any", json_array_size(rows) > 0, "done_id", done, "csrf",
                  s.csrf, "back", back_of(mine, overdue, all, request));
    return web_page(w, res, 200, "Duties", &s, "duties", v);
}

static bool duty_id(struct cust_http_request *req, long long *id)
{
    const char *s = cust_http_req_param(req, "id");
    char *end = NULL;
    *id = s ? strtoll(s, &end, 10) : 0;
    return s && *s && !*end && *id > 0;
}

WEB_HANDLER(web_duty_done_post)
{
    struct cust_web *w = ctx;
    struct cust_session s;
    enum cust_status st = web_guard(w, req, res, CUST_ACT_DUTY_COMPLETE, true, &s);
    if (st != CUST_OK)
        return st;
    long long id;
    if (!duty_id(req, &id))
        return web_html_error(w, res, 404, "No such duty", "A duty is named by its number.", &s);
    struct cust_kv_list form = {0};
    (void)cust_http_req_form(req, &form, NULL);
    struct cust_err err = CUST_ERR_INIT;
    struct cust_desk d;
    cust_desk_init(&d, w->env, web_acquire(w), s.user, cust_role_name(s.role));
    st = cust_desk_duty_done(&d, id, s.user, &err);
    struct cust_store *store = d.store;
    cust_desk_release(&d);
    web_release(w, store);
    if (st != CUST_OK)
        return web_html_error(w, res, cust_http_status_for(st), "Not done", err.msg, &s);
    /* back to the list the clerk was working, saying what was done */
    const char *back = cust_kv_get(&form, "back");
    char loc[512];
    if (back && strncmp(back, "/console/duties", 15) == 0 && !strpbrk(back, "\r\n#") &&
        strlen(back) < 400)
        snprintf(loc, sizeof(loc), "%s%sdone=%lld", back, strchr(back, '?') ? "&" : "?", id);
    else
        snprintf(loc, sizeof(loc), "/console/duties?done=%lld", id);
    return web_redirect(res, loc);
}

/* The notice page's language list: each language a link, the current one marked. */
static json_t *language_links(json_t *langs, const char *current)
{
    size_t i;
    json_t *l;
    json_array_foreach(langs, i, l) json_object_set_new(
        l, "current",
        json_boolean(strcmp(json_string_value(json_object_get(l, "code")), current) == 0));
    return langs;
}

WEB_HANDLER(web_duty_notice_page)
{
    struct cust_web *w = ctx;
    struct cust_session s;
    enum cust_status st = web_guard(w, req, res, CUST_ACT_DUTY_COMPLETE, true, &s);
    if (st != CUST_OK)
        return st;
    long long id;
    if (!duty_id(req, &id))
        return web_html_error(w, res, 404, "No such duty", "A duty is named by its number.", &s);
    const char *lang = param(req, "lang") ? param(req, "lang") : "en";
    struct cust_err err = CUST_ERR_INIT;
    struct cust_buf text;
    cust_buf_init(&text, 1u << 20);
    bool reviewed = true;
    json_t *langs = NULL;
    struct cust_desk d;
    cust_desk_init(&d, w->env, web_acquire(w), s.user, cust_role_name(s.role));
    st = cust_desk_language_reviewed(&d, lang, &reviewed, &err);
    if (st == CUST_OK)
        st = cust_desk_notice(&d, id, lang, &text, &err);
    if (st == CUST_OK)
        st = cust_desk_languages(&d, &langs, &err);
    struct cust_store *store = d.store;
    cust_desk_release(&d);
    web_release(w, store);
    if (st != CUST_OK) {
        cust_buf_release(&text);
        json_decref(langs);
        return web_html_error(w, res, cust_http_status_for(st), "No notice", err.msg, &s);
    }
    /* the page's language for fonts and screen readers: the notices' Chinese is Traditional */
    const char *html_lang = strcmp(lang, "zh") == 0 ? "zh-Hant" : lang;
    json_t *v =
        json_pack("{s:s%,s:s,s:o,s:b,s:o}", "text", text.buf ? text.buf : "", text.len, "html_lang",
                  html_lang, "title", json_sprintf("Notice of duty %lld (%s)", id, lang),
                  "needs_review", !reviewed, "languages", language_links(langs, lang));
    cust_buf_release(&text);
    struct cust_buf b;
    cust_buf_init(&b, 0);
    st = web_render(w, "notice", v, &b, &err);
    json_decref(v);
    if (st != CUST_OK) {
        cust_buf_release(&b);
        return web_html_error(w, res, 500, "No notice", err.msg, &s);
    }
    return web_send_html(res, 200, &b);
}

WEB_HANDLER(web_notice_css)
{
    struct cust_web *w = ctx;
    enum cust_status st = web_guard(w, req, res, WEB_SESSION, true, NULL);
    if (st != CUST_OK)
        return st;
    const json_t *css = web_page_text(w, "notice.css");
    cust_buf_reset(&res->body);
    if (cust_buf_append(&res->body, json_string_value(css), json_string_length(css)) != CUST_OK)
        return CUST_ENOMEM;
    res->status = 200;
    res->content_type = "text/css; charset=utf-8";
    return CUST_OK;
}
