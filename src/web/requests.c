/*
 * requests.c - the console's request list (GET /console/requests): every request, overdue
 * first, filtered by kind, status, agency, overdue, received between two county-local days,
 * and searched by a person's name or booking number (issue 13 item 3). A plain GET form, so a
 * filtered list is a link a clerk can keep. The filters are the store's
 * (cust_request_filter); this file reads the query, checks it and lays the rows out.
 */
#include "custodian/compat.h"
#include "custodian/date.h"
#include "custodian/datewords.h"
#include "custodian/desk.h"
#include "custodian/namekey.h"
#include "custodian/request.h"
#include "custodian/store_requests.h"
#include "custodian/vocab.h"
#include "web_internal.h"

#include <jansson.h>

#define LIST_MAX 200 /* rows shown; all are counted */

static const char *const statuses[] = {"received", "matched",   "decided", "acted",  "fulfilled",
                                       "closed",   "withdrawn", "lifted",  "expired"};

struct listing {
    json_t *rows;
    size_t n;
    int64_t now;
};

static enum cust_status list_row(const struct cust_request_row *r, void *arg)
{
    struct listing *c = arg;
    if (c->n++ >= LIST_MAX)
        return CUST_OK;
    json_array_append_new(c->rows, json_pack("{s:s,s:o,s:s,s:o,s:o,s:o,s:b}", "id", r->id, "kind",
                                             web_label(r->kind), "agency", web_or_empty(r->agency),
                                             "status", web_label(r->status), "received",
                                             web_time_words(r->received_ts, "none"), "deadline",
                                             web_time_words(cust_request_deadline(r), "none"),
                                             "overdue", cust_request_overdue(r, c->now)));
    return CUST_OK;
}

/* A county-local day (YYYY-MM-DD) as the instant it starts in the county's zone. */
static bool day_start(const char *s, int64_t *t)
{
    int32_t day;
    if (!cust_date_parse(s, &day))
        return false;
    int64_t noon = (int64_t)day * 86400 + 43200;
    *t = (int64_t)day * 86400 - (int64_t)cust_time_zone_offset(noon) * 60;
    return true;
}

/* The options of a <select>: every value, the chosen one marked. */
static json_t *options(const char *const *values, size_t n, const char *chosen)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(a, json_pack("{s:s,s:o,s:b}", "value", values[i], "label",
                                           web_label(values[i]), "selected",
                                           chosen && strcmp(chosen, values[i]) == 0));
    }
    return a;
}

static const char *param(const struct cust_http_request *req, const char *name)
{
    const char *v = cust_kv_get(&req->query, name);
    return v && *v ? v : NULL;
}

/* Read and check the filters; on a problem `msg` names the field (never echoes the value). */
static bool read_filter(const struct cust_http_request *req, struct cust_request_filter *f,
                        char *msg, size_t cap)
{
    struct cust_err err = CUST_ERR_INIT;
    f->kind = param(req, "kind");
    if (cust_request_kind_check(f->kind, "kind", &err) != CUST_OK) {
        snprintf(msg, cap, "%s", err.msg);
        return false;
    }
    f->status = param(req, "status");
    bool known = !f->status;
    for (size_t i = 0; !known && i < CUST_ARRAY_LEN(statuses); i++)
        known = strcmp(f->status, statuses[i]) == 0;
    if (!known) {
        snprintf(msg, cap,
                 "status: one of received, matched, decided, acted, fulfilled, closed,"
                 " withdrawn, lifted, expired");
        return false;
    }
    f->agency = param(req, "agency");
    if (f->agency && !cust_name_plausible(f->agency, 80)) {
        snprintf(msg, cap, "agency: letters, spaces, hyphens, apostrophes and periods, at most 80");
        return false;
    }
    const char *from = param(req, "from"), *to = param(req, "to");
    int32_t last;
    if ((from && !day_start(from, &f->received_from)) || (to && !cust_date_parse(to, &last))) {
        snprintf(msg, cap, "received between: dates as YYYY-MM-DD");
        return false;
    }
    if (to) { /* through the whole of the last day: before the next one starts */
        char next[11];
        cust_date_format(last + 1, next);
        day_start(next, &f->received_before);
    }
    f->who = param(req, "q");
    if (f->who && strlen(f->who) > 64) {
        snprintf(msg, cap, "name or booking number: at most 64 characters");
        return false;
    }
    bool digits = f->who != NULL;
    for (const char *p = f->who; p && *p; p++)
        digits = digits && ((*p >= '0' && *p <= '9') || *p == '-' || (*p >= 'A' && *p <= 'Z'));
    if (f->who && !digits && !cust_name_plausible(f->who, 64)) {
        snprintf(msg, cap, "name or booking number: a last name (any script) or a booking number");
        return false;
    }
    const char *overdue = param(req, "overdue"), *open = param(req, "open");
    f->open_only = (open && strcmp(open, "1") == 0) || (overdue && strcmp(overdue, "1") == 0);
    if (overdue && strcmp(overdue, "1") == 0)
        f->overdue_at = f->now;
    return true;
}

WEB_HANDLER(web_requests_page)
{
    struct cust_web *w = ctx;
    struct cust_session s;
    enum cust_status st = web_guard(w, req, res, CUST_ACT_REQUEST_READ, true, &s);
    if (st != CUST_OK)
        return st;
    struct cust_request_filter f = {.overdue_at = CUST_NO_TIME, .now = cust_now()};
    char msg[200] = "";
    bool ok = read_filter(req, &f, msg, sizeof(msg));
    struct listing list = {.rows = json_array(), .now = f.now};
    struct cust_err err = CUST_ERR_INIT;
    if (ok) {
        /* a reader: expiry is the server's timer's (sweeper.c) */
        struct cust_store *store = web_acquire(w);
        st = cust_store_request_list(store, &f, list_row, &list, &err);
        web_release(w, store);
        if (st != CUST_OK) {
            json_decref(list.rows);
            return web_html_error(w, res, 500, "Requests unavailable", err.msg, &s);
        }
    }
    const char *overdue = param(req, "overdue"), *open = param(req, "open");
    json_t *v = json_pack("{s:o,s:o,s:s,s:s,s:s,s:s,s:b,s:b,s:o,s:o,s:b,s:b,s:o}", "kinds",
                          options(cust_vocab_kinds, CUST_VOCAB_KINDS, f.kind), "statuses",
                          options(statuses, CUST_ARRAY_LEN(statuses), f.status), "agency",
                          f.agency ? f.agency : "", "from",
                          ok && param(req, "from") ? param(req, "from") : "", "to",
                          ok && param(req, "to") ? param(req, "to") : "", "q", f.who ? f.who : "",
                          "overdue", overdue && strcmp(overdue, "1") == 0, "open",
                          open && strcmp(open, "1") == 0, "count", web_count((int64_t)list.n),
                          "shown", web_count((int64_t)(list.n < LIST_MAX ? list.n : LIST_MAX)),
                          "truncated", list.n > LIST_MAX, "any", list.n > 0, "rows", list.rows);
    if (!ok)
        json_object_set_new(v, "error", json_string(msg));
    return web_page(w, res, ok ? 200 : 400, "Requests", &s, "requests", v);
}
