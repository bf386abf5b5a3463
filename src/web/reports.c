/*
 * reports.c - oversight on the web (reports.h): the API's reports (JSON, or CSV and a
 * printable HTML document as downloads), the console's report pages (web/templates: report,
 * reports, cpra, enforcement, enforcement_public; the report's own HTML fragment with its
 * charts, escaped by the reports module, as the page's one raw value), the inspector general's
 * view, the public-records export (a tar download, recorded in the ledger), and the
 * enforcement-action log: the console's form and list, its API, and the public page of counts (no
 * names).
 *
 * Every figure comes from reports.h, which the CLI calls too; this file only parses the
 * parameters, checks the role, and renders.
 */
#include "custodian/compat.h"
#include "custodian/date.h"
#include "custodian/reports.h"
#include "custodian/store_requests.h"
#include "custodian/date.h"
#include "web_internal.h"

#include <jansson.h>

/* ---- parameters ------------------------------------------------------------------------------ */

struct period {
    int32_t from, to;
    char text[32]; /* "2024-01-01..2024-12-31" */
};

/*
 * The period of a request: ?year=Y, or ?from=D&to=D, else this year to today. A bad value is
 * CUST_EINVAL with a message naming the parameter (never echoing it).
 */
static enum cust_status period_of(const struct cust_http_request *req, struct period *p,
                                  struct cust_err *err)
{
    const char *year = cust_kv_get(&req->query, "year");
    const char *from = cust_kv_get(&req->query, "from");
    const char *to = cust_kv_get(&req->query, "to");
    int32_t today = cust_time_zone_day(cust_now());
    int y;
    unsigned m, d;
    cust_civil_from_days(today, &y, &m, &d);
    if (year && *year) {
        char *end;
        long v = strtol(year, &end, 10);
        if (*end || v < 1900 || v > 2200)
            return cust_err_set(err, CUST_EINVAL, "year: not a year");
        p->from = cust_days_from_civil((int)v, 1, 1);
        p->to = cust_days_from_civil((int)v, 12, 31);
    } else if ((from && *from) || (to && *to)) {
        if (!from || !cust_date_parse(from, &p->from))
            return cust_err_set(err, CUST_EINVAL, "from: not a date (YYYY-MM-DD)");
        if (!to || !cust_date_parse(to, &p->to))
            return cust_err_set(err, CUST_EINVAL, "to: not a date (YYYY-MM-DD)");
        if (p->to < p->from)
            return cust_err_set(err, CUST_EINVAL, "to: before from");
        if (p->to - p->from > 366 * 20)
            return cust_err_set(err, CUST_EINVAL, "to: a period of at most twenty years");
    } else {
        p->from = cust_days_from_civil(y, 1, 1);
        p->to = today;
    }
    char f[11], t[11];
    cust_date_format(p->from, f);
    cust_date_format(p->to, t);
    snprintf(p->text, sizeof(p->text), "%s..%s", f, t);
    return CUST_OK;
}

static enum cust_status format_of(const struct cust_http_request *req, enum cust_report_format *fmt,
                                  struct cust_err *err)
{
    const char *f = cust_kv_get(&req->query, "format");
    *fmt = CUST_REPORT_JSON;
    if (f && (!cust_report_format_parse(f, fmt) || *fmt == CUST_REPORT_TEXT))
        return cust_err_set(err, CUST_EINVAL, "format: json, csv or html");
    return CUST_OK;
}

/* The oversight filters from the query (validated: a request id, a person number, a booking
 * number, a user name). */
static enum cust_status filters_of(const struct cust_http_request *req, struct cust_report_opts *o,
                                   struct cust_err *err)
{
    const char *rq = cust_kv_get(&req->query, "request");
    const char *person = cust_kv_get(&req->query, "person");
    const char *booking = cust_kv_get(&req->query, "booking");
    const char *actor = cust_kv_get(&req->query, "actor");
    static const char ok_id[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._";
    if (rq && *rq) {
        if (strlen(rq) >= CUST_REQUEST_ID_MAX || rq[strspn(rq, ok_id)])
            return cust_err_set(err, CUST_EINVAL, "request: not a request id");
        o->request_id = rq;
    }
    if (person && *person) {
        char *end;
        long long v = strtoll(person[0] == '#' ? person + 1 : person, &end, 10);
        if (*end || v <= 0)
            return cust_err_set(err, CUST_EINVAL, "person: not a person number");
        o->person_id = v;
    }
    if (booking && *booking) {
        if (strlen(booking) > 32 || booking[strspn(booking, ok_id)])
            return cust_err_set(err, CUST_EINVAL, "booking: not a booking number");
        o->booking_number = booking;
    }
    if (actor && *actor) {
        if (strlen(actor) >= CUST_USER_NAME_MAX || actor[strspn(actor, ok_id)])
            return cust_err_set(err, CUST_EINVAL, "actor: not a user name");
        o->actor = actor;
    }
    return CUST_OK;
}

/* Lines of a report's long table on one page of the console, unless ?lines=N (10 to 1000). */
#define REPORT_PAGE_LINES 100

/* A page of a report's long table: ?offset=N (its first line, from 0) and ?lines=N. */
static enum cust_status window_of(const struct cust_http_request *req, size_t *off, size_t *lines,
                                  struct cust_err *err)
{
    return web_window(req, 10, 1000, REPORT_PAGE_LINES, off, lines, err);
}

/* ---- computing ------------------------------------------------------------------------------- */

enum report_kind { R_DETAINERS, R_TRANSFERS, R_FORUM, R_OVERSIGHT };

static const struct {
    const char *name, *title, *path;
    int action;
} kinds[] = {
    [R_DETAINERS] = {"detainers", "Detainer statistics", "/console/reports/detainers",
                     CUST_ACT_REPORT_READ},
    [R_TRANSFERS] = {"transfers", "Transfers to federal custody", "/console/reports/transfers",
                     CUST_ACT_REPORT_READ},
    [R_FORUM] = {"truth-forum", "TRUTH Act forum pack", "/console/reports/truth-forum",
                 CUST_ACT_REPORT_READ},
    [R_OVERSIGHT] = {"oversight", "Oversight: disclosures and overrides", "/console/oversight",
                     CUST_ACT_OVERSIGHT_READ},
};

static enum cust_status compute(struct cust_web *w, enum report_kind k,
                                const struct cust_report_opts *o, json_t **out,
                                struct cust_err *err)
{
    struct cust_store *s = web_acquire(w);
    enum cust_status st;
    switch (k) {
    case R_DETAINERS:
        st = cust_report_detainers(s, o, out, err);
        break;
    case R_TRANSFERS:
        st = cust_report_transfers(s, o, out, err);
        break;
    case R_FORUM:
        st = cust_report_forum(s, o, out, err);
        break;
    default:
        st = cust_report_oversight(s, o, out, err);
        break;
    }
    web_release(w, s);
    return st;
}

/* Send a rendered report: JSON inline, CSV and HTML as downloads named after it. */
static enum cust_status send_report(struct cust_http_response *res, const json_t *r,
                                    enum cust_report_format fmt, const char *name,
                                    const struct period *p)
{
    struct cust_err err = CUST_ERR_INIT;
    if (fmt == CUST_REPORT_JSON)
        return cust_http_res_json(res, 200, r);
    struct cust_buf b = CUST_BUF_INIT;
    enum cust_status st = cust_report_render(r, fmt, &b, &err);
    if (st != CUST_OK) {
        cust_buf_release(&b);
        return cust_http_res_error(res, st, err.msg);
    }
    char cd[160];
    snprintf(cd, sizeof(cd), "attachment; filename=\"%s-%s.%s\"", name, p->text,
             fmt == CUST_REPORT_CSV ? "csv" : "html");
    st = cust_http_res_header(res, "Content-Disposition", cd);
    cust_buf_reset(&res->body);
    st = st ? st : cust_buf_append(&res->body, b.len ? b.buf : "", b.len);
    res->status = 200;
    res->content_type =
        fmt == CUST_REPORT_CSV ? "text/csv; charset=utf-8" : "text/html; charset=utf-8";
    cust_buf_release(&b);
    return st;
}

static enum cust_status api_report(struct cust_http_request *req, struct cust_http_response *res,
                                   void *ctx, enum report_kind k)
{
    struct cust_web *w = ctx;
    struct cust_session se;
    enum cust_status st = web_guard(w, req, res, kinds[k].action, false, &se);
    if (st != CUST_OK)
        return st;
    struct cust_err err = CUST_ERR_INIT;
    struct period p;
    enum cust_report_format fmt;
    struct cust_report_opts o = CUST_REPORT_OPTS_INIT;
    const char *by = cust_kv_get(&req->query, "by");
    if ((st = period_of(req, &p, &err)) != CUST_OK || (st = format_of(req, &fmt, &err)) != CUST_OK)
        return cust_http_res_error(res, st, err.msg);
    if (by && (k != R_DETAINERS || strcmp(by, "month") != 0))
        return cust_http_res_error(res, CUST_EINVAL, "by: only 'month', on the detainers report");
    if (k == R_OVERSIGHT && (st = filters_of(req, &o, &err)) != CUST_OK)
        return cust_http_res_error(res, st, err.msg);
    o.from = p.from;
    o.to = p.to;
    o.by_month = by != NULL;
    json_t *r = NULL;
    if ((st = compute(w, k, &o, &r, &err)) != CUST_OK)
        return cust_http_res_error(res, st, err.msg);
    st = send_report(res, r, fmt, kinds[k].name, &p);
    json_decref(r);
    return st;
}

WEB_HANDLER(web_api_report_detainers)
{
    return api_report(req, res, ctx, R_DETAINERS);
}
WEB_HANDLER(web_api_report_transfers)
{
    return api_report(req, res, ctx, R_TRANSFERS);
}
WEB_HANDLER(web_api_report_forum)
{
    return api_report(req, res, ctx, R_FORUM);
}
WEB_HANDLER(web_api_report_oversight)
{
    return api_report(req, res, ctx, R_OVERSIGHT);
}

/* ---- console pages: web/templates (report, reports, cpra, enforcement) ------------------- */

bool web_role_has_reports(enum cust_role role)
{
    static const enum cust_action any[] = {CUST_ACT_REPORT_READ, CUST_ACT_OVERSIGHT_READ,
                                           CUST_ACT_RECORDS_EXPORT, CUST_ACT_ENFORCEMENT_CREATE,
                                           CUST_ACT_ENFORCEMENT_READ};
    for (size_t i = 0; i < CUST_ARRAY_LEN(any); i++)
        if (cust_role_allows(role, any[i]))
            return true;
    return false;
}

/* The report pages: where each is, its title, what it shows (the Reports page's cards) and the
 * action that opens it. */
static const struct {
    const char *path, *label, *title, *what;
    int action;
} pages[] = {
    {"/console/reports/detainers", "Detainer statistics", "Detainer statistics",
     "Requests received by kind, agency and form; matched and decided; holds and notifications "
     "requested and given; transfers by legal basis; declined, expired, withdrawn. Month by "
     "month, with charts.",
     CUST_ACT_REPORT_READ},
    {"/console/reports/transfers", "Transfers", "Transfers to federal custody",
     "The Values Act report: every transfer with the warrant or offense that allowed it (Gov. "
     "Code 7284.6).",
     CUST_ACT_REPORT_READ},
    {"/console/reports/truth-forum", "TRUTH Act forum", "TRUTH Act community forum",
     "People to whom immigration authorities were given access, by month and means, with "
     "demographics and a redacted table of each access (Gov. Code 7283.1(d)).",
     CUST_ACT_REPORT_READ},
    {"/console/oversight", "Oversight", "Oversight: disclosures and overrides",
     "The inspector general's view: every disclosure and override with its decision, rule, "
     "citation, actor and time.",
     CUST_ACT_OVERSIGHT_READ},
    {"/console/reports/cpra", "Public-records export", "Public-records export",
     "Every record of access for a period, redacted, with a signed manifest (Gov. Code "
     "7283.1(c)).",
     CUST_ACT_RECORDS_EXPORT},
    {"/console/enforcement", "Enforcement log", "Enforcement-action log",
     "Federal enforcement actions seen in the county, with the names of the people detained "
     "and a CSV download.",
     CUST_ACT_ENFORCEMENT_READ},
    {"/console/enforcement/new", "Record enforcement", "Record an enforcement action",
     "When, where, which agency, who was detained and why, and the source.",
     CUST_ACT_ENFORCEMENT_CREATE},
};

/* The report pages this role may open, `current` marked (the pages' side navigation). */
static json_t *report_nav(const struct cust_session *se, const char *current)
{
    json_t *nav = json_array();
    for (size_t i = 0; i < CUST_ARRAY_LEN(pages); i++)
        if (cust_role_allows(se->role, (enum cust_action)pages[i].action))
            json_array_append_new(nav, json_pack("{s:s,s:s,s:b}", "path", pages[i].path, "label",
                                                 pages[i].label, "here",
                                                 current && !strcmp(current, pages[i].path)));
    return nav;
}

/* The period form's values: the dates, the oversight filters (`filters`), the year links. */
static void period_vars(json_t *v, const char *action, const struct period *p,
                        const struct cust_report_opts *filters)
{
    char f[11], t[11];
    cust_date_format(p->from, f);
    cust_date_format(p->to, t);
    json_object_set_new(v, "action", json_string(action));
    json_object_set_new(v, "from", json_string(f));
    json_object_set_new(v, "to", json_string(t));
    json_t *fl = json_array();
    if (filters) {
        char num[32] = "";
        if (filters->person_id)
            snprintf(num, sizeof(num), "%lld", (long long)filters->person_id);
        const char *names[] = {"request", "person", "booking", "actor"};
        const char *labels[] = {"Request", "Person number", "Booking number", "Actor (user)"};
        const char *vals[] = {filters->request_id, num, filters->booking_number, filters->actor};
        for (size_t i = 0; i < CUST_ARRAY_LEN(names); i++)
            json_array_append_new(fl, json_pack("{s:s,s:s,s:s}", "name", names[i], "label",
                                                labels[i], "value", vals[i] ? vals[i] : ""));
    }
    json_object_set_new(v, "has_filters", json_boolean(filters != NULL));
    json_object_set_new(v, "filters", fl);
    int y;
    unsigned m, d;
    cust_civil_from_days(cust_time_zone_day(cust_now()), &y, &m, &d);
    json_t *years = json_array();
    for (int k = y - 2; k <= y; k++)
        json_array_append_new(years, json_pack("{s:i,s:b}", "year", k, "last", k == y));
    json_object_set_new(v, "years", years);
}

/* The oversight filters of the query, as "&name=value" for a link (validated values: letters,
 * digits, '-', '.', '_'; the template escapes the link). */
static enum cust_status filter_query(const struct cust_http_request *req, struct cust_buf *out)
{
    static const char *const keep[] = {"request", "person", "booking", "actor"};
    enum cust_status st = CUST_OK;
    for (size_t i = 0; i < CUST_ARRAY_LEN(keep); i++) {
        const char *v = cust_kv_get(&req->query, keep[i]);
        if (v && *v)
            st = st ? st : cust_buf_appendf(out, "&%s=%s", keep[i], v);
    }
    return st;
}

/* The report's HTML fragment with its long table a page at a time; the links to the other
 * pages keep the period and the filters. */
static enum cust_status report_fragment(const struct cust_http_request *req, enum report_kind k,
                                        const struct period *p, const json_t *r, size_t offset,
                                        size_t lines, struct cust_buf *out, struct cust_err *err)
{
    struct cust_buf href = CUST_BUF_INIT;
    char f[11], t[11];
    cust_date_format(p->from, f);
    cust_date_format(p->to, t);
    enum cust_status st = cust_buf_appendf(&href, "%s?from=%s&amp;to=%s", kinds[k].path, f, t);
    if (st == CUST_OK && k == R_OVERSIGHT) {
        struct cust_buf q = CUST_BUF_INIT;
        st = filter_query(req, &q);
        if (st == CUST_OK && q.len)
            st = cust_buf_html(&href, q.buf); /* '&' as "&amp;" in the fragment's links */
        cust_buf_release(&q);
    }
    if (st == CUST_OK && lines != REPORT_PAGE_LINES)
        st = cust_buf_appendf(&href, "&amp;lines=%zu", lines);
    if (st == CUST_OK)
        st = cust_buf_puts(&href, "&amp;");
    struct cust_report_window win = {offset, lines, href.buf};
    if (st == CUST_OK)
        st = cust_report_render_window(r, CUST_REPORT_HTML, &win, out, err);
    cust_buf_release(&href);
    return st;
}

static enum cust_status console_report(struct cust_http_request *req,
                                       struct cust_http_response *res, void *ctx,
                                       enum report_kind k)
{
    struct cust_web *w = ctx;
    struct cust_session se;
    enum cust_status st = web_guard(w, req, res, kinds[k].action, true, &se);
    if (st != CUST_OK)
        return st;
    struct cust_err err = CUST_ERR_INIT;
    struct period p;
    struct cust_report_opts o = CUST_REPORT_OPTS_INIT;
    size_t offset, lines;
    if ((st = period_of(req, &p, &err)) != CUST_OK ||
        (k == R_OVERSIGHT && (st = filters_of(req, &o, &err)) != CUST_OK) ||
        (st = window_of(req, &offset, &lines, &err)) != CUST_OK)
        return web_html_error(w, res, 400, "Not a valid period or filter", err.msg, &se);
    o.from = p.from;
    o.to = p.to;
    o.by_month = k == R_DETAINERS;
    json_t *r = NULL;
    if ((st = compute(w, k, &o, &r, &err)) != CUST_OK)
        return web_html_error(w, res, 500, "Report unavailable", err.msg, &se);
    struct cust_buf frag = CUST_BUF_INIT, dl = CUST_BUF_INIT;
    st = report_fragment(req, k, &p, r, offset, lines, &frag, &err);
    json_decref(r);
    /* the same report from the API as downloads (the oversight filters travel with them) */
    char f[11], t[11];
    cust_date_format(p.from, f);
    cust_date_format(p.to, t);
    if (st == CUST_OK)
        st = cust_buf_appendf(&dl, "/api/v1/reports/%s?from=%s&to=%s%s", kinds[k].name, f, t,
                              k == R_DETAINERS ? "&by=month" : "");
    if (st == CUST_OK && k == R_OVERSIGHT)
        st = filter_query(req, &dl);
    json_t *v = NULL;
    if (st == CUST_OK) {
        v = json_pack("{s:o,s:s,s:s%}", "report_nav", report_nav(&se, kinds[k].path), "download",
                      dl.buf, "report", frag.buf ? frag.buf : "", frag.len);
        if (v)
            period_vars(v, kinds[k].path, &p, k == R_OVERSIGHT ? &o : NULL);
    }
    cust_buf_release(&frag);
    cust_buf_release(&dl);
    if (st != CUST_OK)
        return web_html_error(w, res, 500, "Report unavailable", err.msg, &se);
    return web_page(w, res, 200, kinds[k].title, &se, "report", v);
}

WEB_HANDLER(web_report_detainers_page)
{
    return console_report(req, res, ctx, R_DETAINERS);
}
WEB_HANDLER(web_report_transfers_page)
{
    return console_report(req, res, ctx, R_TRANSFERS);
}
WEB_HANDLER(web_report_forum_page)
{
    return console_report(req, res, ctx, R_FORUM);
}
WEB_HANDLER(web_oversight_page)
{
    return console_report(req, res, ctx, R_OVERSIGHT);
}

/* GET /console/reports: what the role may open. */
WEB_HANDLER(web_reports_page)
{
    struct cust_web *w = ctx;
    struct cust_session se;
    enum cust_status st = web_guard(w, req, res, WEB_SESSION, true, &se);
    if (st != CUST_OK)
        return st;
    json_t *cards = json_array();
    for (size_t i = 0; i < CUST_ARRAY_LEN(pages); i++)
        if (cust_role_allows(se.role, (enum cust_action)pages[i].action))
            json_array_append_new(cards, json_pack("{s:s,s:s,s:s}", "path", pages[i].path, "title",
                                                   pages[i].title, "what", pages[i].what));
    json_t *v = json_pack("{s:b,s:o}", "has_cards", json_array_size(cards) > 0, "cards", cards);
    return web_page(w, res, 200, "Reports", &se, "reports", v);
}

/* ---- the public-records export -------------------------------------------------------------- */

/* Build the export of [from, to] as a tar, recorded in the ledger by the session's user. */
static enum cust_status cpra_tar(struct cust_web *w, const struct cust_session *se,
                                 const struct period *p, struct cust_buf *tar, char name[64],
                                 struct cust_err *err)
{
    struct cust_cpra c;
    struct cust_cpra_opts co = {p->from, p->to, se->user, cust_role_name(se->role), NULL};
    struct cust_store *s = web_acquire(w);
    enum cust_status st = cust_report_cpra(s, &co, &c, err);
    web_release(w, s);
    snprintf(name, 64, "cpra-%s", p->text);
    for (char *q = name; *q; q++)
        if (*q == '.')
            *q = '_';
    if (st == CUST_OK)
        st = cust_cpra_write_tar(&c, name, tar, err);
    cust_cpra_free(&c);
    return st;
}

static enum cust_status send_tar(struct cust_http_response *res, struct cust_buf *tar,
                                 const char *name)
{
    char cd[128];
    snprintf(cd, sizeof(cd), "attachment; filename=\"%s.tar\"", name);
    enum cust_status st = cust_http_res_header(res, "Content-Disposition", cd);
    cust_buf_reset(&res->body);
    st = st ? st : cust_buf_append(&res->body, tar->len ? tar->buf : "", tar->len);
    res->status = 200;
    res->content_type = "application/x-tar";
    return st;
}

/* POST /api/v1/reports/cpra {"from": D, "to": D}: the export as a tar. */
WEB_HANDLER(web_api_report_cpra)
{
    struct cust_web *w = ctx;
    struct cust_session se;
    enum cust_status st = web_guard(w, req, res, CUST_ACT_RECORDS_EXPORT, false, &se);
    if (st != CUST_OK)
        return st;
    struct cust_err err = CUST_ERR_INIT;
    json_t *body = cust_http_req_json(req, &err);
    if (!body)
        return cust_http_res_error(res, CUST_EINVAL, err.msg);
    struct period p;
    const char *f = json_string_value(json_object_get(body, "from"));
    const char *t = json_string_value(json_object_get(body, "to"));
    if (!f || !cust_date_parse(f, &p.from))
        st = cust_err_set(&err, CUST_EINVAL, "body.from: a date (YYYY-MM-DD) is required");
    else if (!t || !cust_date_parse(t, &p.to) || p.to < p.from)
        st = cust_err_set(&err, CUST_EINVAL, "body.to: a date (YYYY-MM-DD) on or after from");
    json_decref(body);
    if (st != CUST_OK)
        return cust_http_res_error(res, st, err.msg);
    snprintf(p.text, sizeof(p.text), "%.10s..%.10s", f ? f : "", t ? t : "");
    struct cust_buf tar = CUST_BUF_INIT;
    char name[64];
    st = cpra_tar(w, &se, &p, &tar, name, &err);
    st = st == CUST_OK ? send_tar(res, &tar, name) : cust_http_res_error(res, st, err.msg);
    cust_buf_release(&tar);
    return st;
}

/* GET /console/reports/cpra: the form; POST: the download. */
WEB_HANDLER(web_cpra_page)
{
    struct cust_web *w = ctx;
    struct cust_session se;
    enum cust_status st = web_guard(w, req, res, CUST_ACT_RECORDS_EXPORT, true, &se);
    if (st != CUST_OK)
        return st;
    struct cust_err err = CUST_ERR_INIT;
    struct period p;
    if (period_of(req, &p, &err) != CUST_OK)
        return web_html_error(w, res, 400, "Not a valid period", err.msg, &se);
    char f[11], t[11];
    cust_date_format(p.from, f);
    cust_date_format(p.to, t);
    json_t *v =
        json_pack("{s:o,s:s,s:s,s:s}", "report_nav", report_nav(&se, "/console/reports/cpra"),
                  "csrf", se.csrf, "from", f, "to", t);
    return web_page(w, res, 200, "Public-records export", &se, "cpra", v);
}

WEB_HANDLER(web_cpra_post)
{
    struct cust_web *w = ctx;
    struct cust_session se;
    enum cust_status st = web_guard(w, req, res, CUST_ACT_RECORDS_EXPORT, true, &se);
    if (st != CUST_OK)
        return st;
    struct cust_kv_list form = {0};
    struct cust_err err = CUST_ERR_INIT;
    (void)cust_http_req_form(req, &form, NULL);
    const char *f = cust_kv_get(&form, "from"), *t = cust_kv_get(&form, "to");
    struct period p;
    if (!f || !t || !cust_date_parse(f, &p.from) || !cust_date_parse(t, &p.to) || p.to < p.from)
        return web_html_error(w, res, 400, "Not a valid period",
                              "Give two dates, the second on or after the first.", &se);
    snprintf(p.text, sizeof(p.text), "%.10s..%.10s", f, t);
    struct cust_buf tar = CUST_BUF_INIT;
    char name[64];
    st = cpra_tar(w, &se, &p, &tar, name, &err);
    st = st == CUST_OK ? send_tar(res, &tar, name)
                       : web_html_error(w, res, 500, "Export failed", err.msg, &se);
    cust_buf_release(&tar);
    return st;
}

/* ---- the enforcement-action log ------------------------------------------------------------- */

/* GET /api/v1/enforcement[?from&to][&format=csv]: the log with names. */
WEB_HANDLER(web_api_enforcement)
{
    struct cust_web *w = ctx;
    struct cust_session se;
    enum cust_status st = web_guard(w, req, res, CUST_ACT_ENFORCEMENT_READ, false, &se);
    if (st != CUST_OK)
        return st;
    struct cust_err err = CUST_ERR_INIT;
    enum cust_report_format fmt;
    struct period p = {1, 0, "all"};
    bool dated = cust_kv_get(&req->query, "from") || cust_kv_get(&req->query, "year");
    if ((dated && (st = period_of(req, &p, &err)) != CUST_OK) ||
        (st = format_of(req, &fmt, &err)) != CUST_OK)
        return cust_http_res_error(res, st, err.msg);
    json_t *r = NULL;
    struct cust_store *s = web_acquire(w);
    st = cust_enforcement_list(s, dated ? p.from : 1, dated ? p.to : 0, true, &r, &err);
    web_release(w, s);
    if (st != CUST_OK)
        return cust_http_res_error(res, st, err.msg);
    st = send_report(res, r, fmt, "enforcement", &p);
    json_decref(r);
    return st;
}

/* POST /api/v1/enforcement: one entry (JSON). */
WEB_HANDLER(web_api_enforcement_add)
{
    struct cust_web *w = ctx;
    struct cust_session se;
    enum cust_status st = web_guard(w, req, res, CUST_ACT_ENFORCEMENT_CREATE, false, &se);
    if (st != CUST_OK)
        return st;
    struct cust_err err = CUST_ERR_INIT;
    json_t *doc = cust_http_req_json(req, &err);
    if (!doc)
        return cust_http_res_error(res, CUST_EINVAL, err.msg);
    struct cust_diag dg = CUST_DIAG_INIT;
    int64_t id = 0;
    struct cust_store *s = web_acquire(w);
    st = cust_enforcement_add(s, doc, se.user, cust_role_name(se.role), &id, &dg, &err);
    web_release(w, s);
    json_decref(doc);
    if (st != CUST_OK)
        st = web_send_problems(res, st, &err, &dg);
    else
        st = web_send_json(res, 201, json_pack("{s:I}", "id", (json_int_t)id));
    cust_diag_release(&dg);
    return st;
}

/* The console's form fields -> an entry document; the local date and time are the county's. */
static json_t *entry_from_form(const struct cust_kv_list *form, struct cust_diag *dg)
{
    json_t *doc = json_object();
    const char *date = cust_kv_get(form, "date"), *time = cust_kv_get(form, "time");
    int32_t day;
    unsigned hh = 0, mm = 0;
    if (!date || !cust_date_parse(date, &day))
        cust_diag_add(dg, "date", "a date is required");
    else if (!time || sscanf(time, "%2u:%2u", &hh, &mm) != 2 || hh > 23 || mm > 59)
        cust_diag_add(dg, "time", "a time (hours and minutes) is required");
    else {
        int64_t t = cust_time_zone_local(day, (int32_t)(hh * 3600 + mm * 60));
        char at[32];
        cust_time_format(t, cust_time_zone_offset(t), false, at);
        json_object_set_new(doc, "occurred_at", json_string(at));
    }
    static const char *const text[] = {"area", "place", "agency", "reasons", "source", "note"};
    for (size_t i = 0; i < CUST_ARRAY_LEN(text); i++) {
        const char *v = cust_kv_get(form, text[i]);
        if (v && *v)
            json_object_set_new(doc, text[i], json_string(v));
    }
    const char *detained = cust_kv_get(form, "detained");
    if (detained && *detained) {
        char *end;
        long long n = strtoll(detained, &end, 10);
        if (*end || n < 0)
            cust_diag_add(dg, "detained", "a whole number");
        else
            json_object_set_new(doc, "detained", json_integer(n));
    }
    const char *names = cust_kv_get(form, "names");
    if (names && *names) {
        json_t *persons = json_array();
        const char *p = names;
        while (*p) {
            size_t n = strcspn(p, "\r\n");
            while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
                n--;
            size_t lead = strspn(p, " \t");
            if (n > lead)
                json_array_append_new(persons, json_pack("{s:s%}", "name", p + lead, n - lead));
            p += strcspn(p, "\r\n");
            p += strspn(p, "\r\n");
        }
        json_object_set_new(doc, "persons", persons);
    }
    return doc;
}

/* The entry form's fields: name, label, input type, hint, required. */
static const struct {
    const char *name, *label, *type, *hint;
    bool required;
} entry_fields[] = {
    {"date", "Date", "date", NULL, true},
    {"time", "Time (county time)", "time", NULL, true},
    {"area", "Area", "text", "Neighborhood or city: what the public page counts by", true},
    {"place", "Place", "text", "Address or description (not public)", false},
    {"agency", "Agency", "text", "For example ICE ERO, HSI, CBP, U.S. Marshals", true},
    {"detained", "People detained", "number", NULL, false},
    {"names", "Names of people detained, one a line (when known)", "textarea",
     "Never shown publicly", false},
    {"reasons", "Reasons given", "textarea", NULL, false},
    {"source", "Source", "text", "Who reported it: a deputy, a witness, the agency, the press",
     true},
};

/* The form's values (`form`: what was posted, shown again with its problems `dg`). */
static void form_vars(json_t *v, const struct cust_kv_list *form, const struct cust_diag *dg)
{
    json_t *fields = json_array(), *problems = json_array();
    for (size_t i = 0; i < CUST_ARRAY_LEN(entry_fields); i++) {
        const char *val = form ? cust_kv_get(form, entry_fields[i].name) : NULL;
        json_array_append_new(
            fields,
            json_pack("{s:s,s:s,s:s,s:s,s:b,s:b,s:b,s:s}", "name", entry_fields[i].name, "label",
                      entry_fields[i].label, "type", entry_fields[i].type, "hint",
                      entry_fields[i].hint ? entry_fields[i].hint : "", "required",
                      entry_fields[i].required, "textarea",
                      strcmp(entry_fields[i].type, "textarea") == 0, "number",
                      strcmp(entry_fields[i].type, "number") == 0, "value", val ? val : ""));
    }
    for (size_t i = 0; dg && i < dg->n; i++)
        json_array_append_new(problems, json_string(dg->lines[i]));
    json_object_set_new(v, "has_problems", json_boolean(json_array_size(problems) > 0));
    json_object_set_new(v, "problems", problems);
    json_object_set_new(v, "fields", fields);
}

/* The log page (`form_page`: with the form to record an entry, the page of enforcement.create).
 * Names are shown only to enforcement.read. */
static enum cust_status enforcement_page(struct cust_web *w, struct cust_http_response *res,
                                         const struct cust_session *se, int status, bool form_page,
                                         const struct cust_kv_list *form,
                                         const struct cust_diag *dg, int64_t added, size_t offset,
                                         size_t lines)
{
    bool create = cust_role_allows(se->role, CUST_ACT_ENFORCEMENT_CREATE);
    bool names = cust_role_allows(se->role, CUST_ACT_ENFORCEMENT_READ);
    struct cust_err err = CUST_ERR_INIT;
    json_t *r = NULL;
    struct cust_store *s = web_acquire(w);
    enum cust_status st = cust_enforcement_list(s, 1, 0, names, &r, &err);
    web_release(w, s);
    if (st != CUST_OK)
        return web_html_error(w, res, 500, "Log unavailable", err.msg, se);
    const char *here = form_page ? "/console/enforcement/new" : "/console/enforcement";
    char href[96];
    snprintf(href, sizeof(href), "%s?", here);
    if (lines != REPORT_PAGE_LINES)
        snprintf(href + strlen(href), sizeof(href) - strlen(href), "lines=%zu&amp;", lines);
    struct cust_report_window win = {offset, lines, href};
    struct cust_buf log = CUST_BUF_INIT;
    st = cust_report_render_window(r, CUST_REPORT_HTML, &win, &log, &err);
    json_decref(r);
    if (st != CUST_OK) {
        cust_buf_release(&log);
        return web_html_error(w, res, 500, "Log unavailable", err.msg, se);
    }
    json_t *v = json_pack("{s:o,s:s,s:b,s:b,s:b,s:s%}", "report_nav", report_nav(se, here), "csrf",
                          se->csrf, "names", names, "record_link", !form_page && create, "form",
                          form_page && create, "log", log.buf ? log.buf : "", log.len);
    cust_buf_release(&log);
    if (v && added > 0) {
        char n[24];
        snprintf(n, sizeof(n), "%lld", (long long)added);
        json_object_set_new(v, "added", json_string(n));
    }
    if (v)
        form_vars(v, form, dg);
    return web_page(w, res, status,
                    form_page ? "Record an enforcement action" : "Enforcement-action log", se,
                    "enforcement", v);
}

/* GET /console/enforcement: the log with names (enforcement.read). */
WEB_HANDLER(web_enforcement_page)
{
    struct cust_web *w = ctx;
    struct cust_session se;
    enum cust_status st = web_guard(w, req, res, CUST_ACT_ENFORCEMENT_READ, true, &se);
    if (st != CUST_OK)
        return st;
    struct cust_err err = CUST_ERR_INIT;
    size_t offset, lines;
    if (window_of(req, &offset, &lines, &err) != CUST_OK)
        return web_html_error(w, res, 400, "Not a valid page", err.msg, &se);
    return enforcement_page(w, res, &se, 200, false, NULL, NULL, 0, offset, lines);
}

/* GET /console/enforcement/new: the form, and the log without names (enforcement.create). */
WEB_HANDLER(web_enforcement_new_page)
{
    struct cust_web *w = ctx;
    struct cust_session se;
    enum cust_status st = web_guard(w, req, res, CUST_ACT_ENFORCEMENT_CREATE, true, &se);
    if (st != CUST_OK)
        return st;
    const char *added = cust_kv_get(&req->query, "added");
    struct cust_err err = CUST_ERR_INIT;
    size_t offset, lines;
    if (window_of(req, &offset, &lines, &err) != CUST_OK)
        return web_html_error(w, res, 400, "Not a valid page", err.msg, &se);
    return enforcement_page(w, res, &se, 200, true, NULL, NULL,
                            added ? strtoll(added, NULL, 10) : 0, offset, lines);
}

WEB_HANDLER(web_enforcement_post)
{
    struct cust_web *w = ctx;
    struct cust_session se;
    enum cust_status st = web_guard(w, req, res, CUST_ACT_ENFORCEMENT_CREATE, true, &se);
    if (st != CUST_OK)
        return st;
    struct cust_kv_list form = {0};
    struct cust_err err = CUST_ERR_INIT;
    (void)cust_http_req_form(req, &form, NULL);
    struct cust_diag dg = CUST_DIAG_INIT;
    json_t *doc = entry_from_form(&form, &dg);
    int64_t id = 0;
    if (!cust_diag_count(&dg)) {
        struct cust_store *s = web_acquire(w);
        st = cust_enforcement_add(s, doc, se.user, cust_role_name(se.role), &id, &dg, &err);
        web_release(w, s);
    } else {
        st = CUST_EINVAL;
    }
    json_decref(doc);
    if (st == CUST_EINVAL) {
        st = enforcement_page(w, res, &se, 400, true, &form, &dg, 0, 0, REPORT_PAGE_LINES);
        cust_diag_release(&dg);
        return st;
    }
    cust_diag_release(&dg);
    if (st != CUST_OK)
        return web_html_error(w, res, 500, "Not recorded", err.msg, &se);
    char loc[64];
    snprintf(loc, sizeof(loc), "/console/enforcement/new?added=%lld", (long long)id);
    return web_redirect(res, loc);
}

/* ---- public: counts by area and month ------------------------------------------------------- */

static enum cust_status public_counts(struct cust_web *w, const struct cust_http_request *req,
                                      json_t **out, struct cust_err *err)
{
    struct period p;
    enum cust_status st;
    if (cust_kv_get(&req->query, "from") || cust_kv_get(&req->query, "to") ||
        cust_kv_get(&req->query, "year")) {
        if ((st = period_of(req, &p, err)) != CUST_OK)
            return st;
    } else {
        /* the last twelve months to today */
        p.to = cust_time_zone_day(cust_now());
        int y;
        unsigned m, d;
        cust_civil_from_days(p.to, &y, &m, &d);
        if (m == 12)
            p.from = cust_days_from_civil(y, 1, 1);
        else
            p.from = cust_days_from_civil(y - 1, m + 1, 1);
    }
    for (size_t i = 0; i < req->query.len; i++) {
        const char *k = req->query.items[i].key;
        if (strcmp(k, "from") && strcmp(k, "to") && strcmp(k, "year"))
            return cust_err_set(err, CUST_EINVAL, "unknown parameter (from, to, year)");
    }
    struct cust_store *s = web_acquire(w);
    st = cust_enforcement_public(s, p.from, p.to, out, err);
    web_release(w, s);
    return st;
}

WEB_HANDLER(web_public_enforcement_api)
{
    struct cust_err err = CUST_ERR_INIT;
    json_t *r = NULL;
    enum cust_status st = public_counts(ctx, req, &r, &err);
    if (st != CUST_OK)
        return cust_http_res_error(res, st, err.msg);
    st = cust_http_res_json(res, 200, r);
    json_decref(r);
    return st;
}

WEB_HANDLER(web_public_enforcement_page)
{
    struct cust_web *w = ctx;
    struct cust_err err = CUST_ERR_INIT;
    json_t *r = NULL;
    enum cust_status st = public_counts(w, req, &r, &err);
    if (st != CUST_OK)
        return web_html_error(w, res, st == CUST_EINVAL ? 400 : 500, "Not a valid period",
                              st == CUST_EINVAL ? err.msg : "The counts could not be read.", NULL);
    struct cust_buf b = CUST_BUF_INIT;
    st = cust_report_render(r, CUST_REPORT_HTML, &b, &err);
    json_decref(r);
    json_t *v = st == CUST_OK ? json_pack("{s:s%}", "counts", b.buf ? b.buf : "", b.len) : NULL;
    cust_buf_release(&b);
    if (st != CUST_OK)
        return web_html_error(w, res, 500, "Counts unavailable", err.msg, NULL);
    return web_page(w, res, 200, "Federal immigration enforcement in the county", NULL,
                    "enforcement_public", v);
}
