/*
 * desk.c - the request desk on the web: API resources (requests and their lifecycle, duties,
 * fulfilment) and the console's request pages (detail with the decision, its verdicts,
 * citations and rules in plain sentences, the allowed actions, duties; fulfilment preview and
 * download). Every step goes through desk.h, which writes the ledger in the same transaction.
 */
#include "custodian/compat.h"
#include "custodian/date.h"
#include "custodian/desk.h"
#include "custodian/request.h"
#include "custodian/policy.h"
#include "web_internal.h"

#include <jansson.h>

/* A desk over a borrowed store connection, acting as the session's user and role, until
 * desk_close. */
static void desk_open(struct cust_web *w, const struct cust_session *se, struct cust_desk *d)
{
    cust_desk_init(d, w->env, web_acquire(w), se->user, cust_role_name(se->role));
}

static void desk_close(struct cust_web *w, struct cust_desk *d)
{
    struct cust_store *s = d->store;
    cust_desk_release(d);
    web_release(w, s);
}

/* ---- request views by role ------------------------------------------------------------------ */

/* The subject's identifiers a request carries: shown only to roles that may read a person's
 * restricted fields (as on the person page), and such a view is recorded. */
static const char *const subject_ids[] = {"a_number", "dob", "fbi", "cii", "sid"};

/* Remove the identifiers from `subject`; true when it had any. With `keep`, only look. */
static bool subject_ids_in(json_t *subject, bool keep)
{
    bool any = false;
    for (size_t i = 0; json_is_object(subject) && i < CUST_ARRAY_LEN(subject_ids); i++)
        if (json_object_get(subject, subject_ids[i])) {
            any = true;
            if (!keep)
                json_object_del(subject, subject_ids[i]);
        }
    return any;
}

/* One request (or a list's entry) as the session's role may see it; true when it shows any of
 * the subject's identifiers (the caller records the view). */
static bool request_view(json_t *r, const struct cust_session *se)
{
    bool keep = cust_role_allows(se->role, CUST_ACT_PERSON_READ_RESTRICTED);
    bool any = subject_ids_in(json_object_get(r, "subject"), keep);
    any = subject_ids_in(json_object_get(json_object_get(r, "request"), "subject"), keep) || any;
    /* and each match candidate's (its date of birth) */
    size_t i;
    json_t *l;
    json_array_foreach(json_object_get(r, "links"), i, l) any = subject_ids_in(l, keep) || any;
    if (any && !keep)
        json_object_set_new(r, "restricted_fields_hidden", json_true());
    return any && keep;
}

/* Record a view that showed a subject's identifiers (ledger "view", object "request:ID"). */
static void record_view(struct cust_http_request *req, const struct cust_session *se,
                        const char *what)
{
    char detail[160];
    snprintf(detail, sizeof(detail), "request:%s", what);
    cust_http_audit(req, CUST_AUDIT_VIEW, 200, true, se->user, detail);
}

/* ---- API: requests ------------------------------------------------------------------------ */

enum cust_status web_api_requests(struct cust_http_request *req, struct cust_http_response *res,
                                  void *ctx)
{
    struct cust_web *w = ctx;
    struct cust_session se;
    enum cust_status st = web_guard(w, req, res, CUST_ACT_REQUEST_READ, false, &se);
    if (st != CUST_OK)
        return st;
    const char *open = cust_kv_get(&req->query, "open");
    const char *overdue = cust_kv_get(&req->query, "overdue");
    struct cust_request_filter f = {.open_only = (open && strcmp(open, "1") == 0) ||
                                                 (overdue && strcmp(overdue, "1") == 0),
                                    .overdue_at = CUST_NO_TIME,
                                    .now = cust_now(),
                                    .kind = cust_kv_get(&req->query, "kind")};
    if (overdue && strcmp(overdue, "1") == 0)
        f.overdue_at = f.now;
    struct cust_err err = CUST_ERR_INIT;
    if (cust_request_kind_check(f.kind, "kind", &err) != CUST_OK)
        return cust_http_res_error(res, CUST_EINVAL, err.msg);
    json_t *out = NULL;
    struct cust_desk d;
    desk_open(w, &se, &d);
    /* a reader: expiry is the server's timer's (sweeper.c) */
    st = cust_desk_list(&d, &f, &out, &err);
    desk_close(w, &d);
    if (st != CUST_OK)
        return cust_http_res_error(res, st, err.msg);
    size_t i;
    json_t *x;
    bool shown = false;
    json_array_foreach(out, i, x) shown = request_view(x, &se) || shown;
    if (shown)
        record_view(req, &se, "list");
    return web_send_json(res, 200, json_pack("{s:o}", "requests", out));
}

enum cust_status web_api_request_add(struct cust_http_request *req, struct cust_http_response *res,
                                     void *ctx)
{
    struct cust_web *w = ctx;
    struct cust_session se;
    enum cust_status st = web_guard(w, req, res, CUST_ACT_REQUEST_CREATE, false, &se);
    if (st != CUST_OK)
        return st;
    struct cust_err err = CUST_ERR_INIT;
    json_t *doc = cust_http_req_json(req, &err);
    if (!doc)
        return cust_http_res_error(res, CUST_EINVAL, err.msg);
    struct cust_diag dg = CUST_DIAG_INIT;
    char id[CUST_REQUEST_ID_MAX];
    struct cust_desk d;
    desk_open(w, &se, &d);
    st = cust_desk_add(&d, doc, id, &dg, &err);
    desk_close(w, &d);
    json_decref(doc);
    if (st != CUST_OK) {
        st = web_send_problems(res, st, &err, &dg);
        cust_diag_release(&dg);
        return st;
    }
    cust_diag_release(&dg);
    char loc[96];
    snprintf(loc, sizeof(loc), "/api/v1/requests/%s", id);
    st = cust_http_res_header(res, "Location", loc);
    return st ? st : web_send_json(res, 201, json_pack("{s:s}", "id", id));
}

enum cust_status web_api_request(struct cust_http_request *req, struct cust_http_response *res,
                                 void *ctx)
{
    struct cust_web *w = ctx;
    struct cust_session se;
    enum cust_status st = web_guard(w, req, res, CUST_ACT_REQUEST_READ, false, &se);
    if (st != CUST_OK)
        return st;
    struct cust_err err = CUST_ERR_INIT;
    json_t *out = NULL;
    struct cust_desk d;
    desk_open(w, &se, &d);
    st = cust_desk_show(&d, cust_http_req_param(req, "id"), &out, &err);
    desk_close(w, &d);
    if (st != CUST_OK)
        return cust_http_res_error(res, st, err.msg);
    if (request_view(out, &se))
        record_view(req, &se, cust_http_req_param(req, "id"));
    return web_send_json(res, 200, out);
}

/* The lifecycle steps: which action of the role matrix each needs. */
static const struct web_step steps[] = {
    {"match", CUST_ACT_REQUEST_CREATE},
    {"confirm", CUST_ACT_REQUEST_CONFIRM_MATCH},
    {"review", CUST_ACT_REQUEST_CONFIRM_MATCH},
    {"decide", CUST_ACT_REQUEST_DECIDE},
    {"act", CUST_ACT_REQUEST_ACT},
    /* ending a request by hand: a supervisor's or counsel's act, with a reason (issue 12) */
    {"withdraw", CUST_ACT_REQUEST_CLOSE},
    {"lift", CUST_ACT_REQUEST_CLOSE},
    {"expire", CUST_ACT_REQUEST_CLOSE},
    {"close", CUST_ACT_REQUEST_CLOSE},
};

const struct web_step *web_steps(size_t *n)
{
    *n = CUST_ARRAY_LEN(steps);
    return steps;
}

static const struct web_step *find_step(const char *name)
{
    for (size_t i = 0; name && i < CUST_ARRAY_LEN(steps); i++)
        if (strcmp(steps[i].name, name) == 0)
            return &steps[i];
    return NULL;
}

static const char *jstr(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* Run step `name` on request `id` with parameters `body` (may be NULL). */
static enum cust_status run_step(struct cust_web *w, const struct cust_session *se,
                                 const char *name, const char *id, const json_t *body, json_t **out,
                                 struct cust_err *err)
{
    struct cust_desk d;
    desk_open(w, se, &d);
    enum cust_status st;
    json_int_t pid = json_integer_value(json_object_get(body, "person_id"));
    const char *reason = jstr(body, "reason");
    if (strcmp(name, "match") == 0) {
        st = cust_desk_match(&d, id, out, err);
    } else if (strcmp(name, "confirm") == 0) {
        st = cust_desk_confirm(&d, id, pid, se->user, reason, err);
    } else if (strcmp(name, "review") == 0) {
        st = reason ? cust_desk_review(&d, id, pid, se->user, reason, err)
                    : cust_err_set(err, CUST_EINVAL, "reason: required");
    } else if (strcmp(name, "decide") == 0) {
        st = cust_desk_decide(&d, id, out, err);
    } else if (strcmp(name, "act") == 0) {
        struct cust_desk_act a = {
            .action = jstr(body, "action"),
            .person_id = pid,
            .by = se->user,
            .reason = reason,
            .decline = json_is_true(json_object_get(body, "decline")),
            .agency = jstr(body, "agency"),
            .at = jstr(body, "at"),
            .warrant_number = jstr(body, "warrant_number"),
            .offense = jstr(body, "offense"),
        };
        st = a.action ? cust_desk_act(&d, id, &a, out, err)
                      : cust_err_set(err, CUST_EINVAL, "action: required");
    } else {
        /* withdraw | lift | expire | close */
        static const struct {
            const char *step, *status;
        } to[] = {{"withdraw", "withdrawn"},
                  {"lift", "lifted"},
                  {"expire", "expired"},
                  {"close", "closed"}};
        const char *status = NULL;
        for (size_t i = 0; i < CUST_ARRAY_LEN(to); i++)
            if (strcmp(to[i].step, name) == 0)
                status = to[i].status;
        st = reason ? cust_desk_set_status(&d, id, status, reason, err)
                    : cust_err_set(err, CUST_EINVAL, "reason: required");
    }
    desk_close(w, &d);
    return st;
}

enum cust_status web_api_request_step(struct cust_http_request *req, struct cust_http_response *res,
                                      void *ctx)
{
    struct cust_web *w = ctx;
    const struct web_step *step = find_step(cust_http_req_param(req, "step"));
    if (!step)
        return cust_http_res_error(res, CUST_ENOTFOUND, "no such step");
    struct cust_session se;
    enum cust_status st = web_guard(w, req, res, (int)step->action, false, &se);
    if (st != CUST_OK)
        return st;
    struct cust_err err = CUST_ERR_INIT;
    json_t *body = NULL;
    if (req->body.len) {
        body = cust_http_req_json(req, &err);
        if (!body)
            return cust_http_res_error(res, CUST_EINVAL, err.msg);
    }
    json_t *out = NULL;
    st = run_step(w, &se, step->name, cust_http_req_param(req, "id"), body, &out, &err);
    json_decref(body);
    if (st != CUST_OK) {
        json_decref(out);
        return cust_http_res_error(res, st, err.msg);
    }
    /* match candidates: their dates of birth as the role may see them, a view recorded */
    if (strcmp(step->name, "match") == 0) {
        json_t *view = json_pack("{s:O}", "links", out);
        if (request_view(view, &se))
            record_view(req, &se, cust_http_req_param(req, "id"));
        json_decref(view);
    }
    return web_send_json(res, 200,
                         json_pack("{s:s, s:s, s:o}", "id", cust_http_req_param(req, "id"), "step",
                                   step->name, "result", out ? out : json_null()));
}

/*
 * Fulfil request `id` and send the result as a download, or the failure as an API error (or, for
 * the console, `html`, as a page).
 */
static enum cust_status fulfil_download(struct cust_web *w, const struct cust_session *se,
                                        const char *id, bool csv, bool html,
                                        struct cust_http_response *res)
{
    struct cust_err err = CUST_ERR_INIT;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    enum cust_status st = f ? CUST_OK : cust_err_set(&err, CUST_ENOMEM, "out of memory");
    if (f) {
        struct cust_desk_fulfil_stats fs;
        memset(&fs, 0, sizeof(fs));
        struct cust_desk d;
        desk_open(w, se, &d);
        st = cust_desk_fulfill(&d, id, csv ? CUST_DESK_CSV : CUST_DESK_JSON, false, f, &fs, &err);
        desk_close(w, &d);
        fclose(f);
    }
    if (st == CUST_OK) {
        char cd[128];
        snprintf(cd, sizeof(cd), "attachment; filename=\"%s.%s\"", id, csv ? "csv" : "json");
        st = cust_http_res_header(res, "Content-Disposition", cd);
        cust_buf_reset(&res->body);
        st = st ? st : cust_buf_append(&res->body, text, len);
        res->status = 200;
        res->content_type = csv ? "text/csv; charset=utf-8" : "application/json";
    } else if (html) {
        st = web_html_error(w, res, cust_http_status_for(st), "Not fulfilled", err.msg, se);
    } else {
        st = cust_http_res_error(res, st, err.msg);
    }
    free(text);
    return st;
}

enum cust_status web_api_request_fulfil(struct cust_http_request *req,
                                        struct cust_http_response *res, void *ctx)
{
    struct cust_web *w = ctx;
    struct cust_session se;
    enum cust_status st = web_guard(w, req, res, CUST_ACT_REQUEST_FULFILL, false, &se);
    if (st != CUST_OK)
        return st;
    const char *format = cust_kv_get(&req->query, "format");
    bool csv = format && strcmp(format, "csv") == 0;
    if (format && !csv && strcmp(format, "json") != 0)
        return cust_http_res_error(res, CUST_EINVAL, "format: json or csv");
    return fulfil_download(w, &se, cust_http_req_param(req, "id"), csv, false, res);
}

/* ---- API: duties ------------------------------------------------------------------------ */

enum cust_status web_api_duties(struct cust_http_request *req, struct cust_http_response *res,
                                void *ctx)
{
    struct cust_web *w = ctx;
    struct cust_session se;
    enum cust_status st = web_guard(w, req, res, CUST_ACT_DUTY_READ, false, &se);
    if (st != CUST_OK)
        return st;
    const char *open = cust_kv_get(&req->query, "open");
    const char *mine = cust_kv_get(&req->query, "mine");
    const char *overdue = cust_kv_get(&req->query, "overdue");
    /* the console's worklist filters (duties.c), the same in the store */
    struct cust_duty_filter f = {.request_id = cust_kv_get(&req->query, "request"),
                                 .open_only = open && strcmp(open, "1") == 0,
                                 .owner = mine && strcmp(mine, "1") == 0 ? se.user : NULL,
                                 .overdue_at =
                                     overdue && strcmp(overdue, "1") == 0 ? cust_now() : 0};
    struct cust_err err = CUST_ERR_INIT;
    json_t *out = NULL;
    struct cust_desk d;
    desk_open(w, &se, &d);
    st = cust_desk_duties(&d, &f, &out, &err);
    desk_close(w, &d);
    if (st != CUST_OK)
        return cust_http_res_error(res, st, err.msg);
    return web_send_json(res, 200, json_pack("{s:o}", "duties", out));
}

enum cust_status web_api_duty_done(struct cust_http_request *req, struct cust_http_response *res,
                                   void *ctx)
{
    struct cust_web *w = ctx;
    struct cust_session se;
    enum cust_status st = web_guard(w, req, res, CUST_ACT_DUTY_COMPLETE, false, &se);
    if (st != CUST_OK)
        return st;
    const char *ids = cust_http_req_param(req, "id");
    char *end = NULL;
    long long id = strtoll(ids, &end, 10);
    if (!*ids || *end || id <= 0)
        return cust_http_res_error(res, CUST_EINVAL, "duty id: expected a number");
    struct cust_err err = CUST_ERR_INIT;
    struct cust_desk d;
    desk_open(w, &se, &d);
    st = cust_desk_duty_done(&d, id, se.user, &err);
    desk_close(w, &d);
    if (st != CUST_OK)
        return cust_http_res_error(res, st, err.msg);
    return web_send_json(res, 200, json_pack("{s:I, s:s}", "id", (json_int_t)id, "status", "done"));
}

/* ---- console: request detail -------------------------------------------------------------- */

/* Citations as one text ("A; B"). */
static json_t *cite_json(const json_t *arr)
{
    struct cust_buf b = CUST_BUF_INIT;
    size_t i;
    json_t *c;
    json_array_foreach(arr, i, c)
    {
        if (i)
            cust_buf_puts(&b, "; ");
        cust_buf_puts(&b, web_or_empty(json_string_value(c)));
    }
    json_t *s = json_stringn(b.buf, b.len);
    cust_buf_release(&b);
    return s;
}

static const char *verdict_sentence(const char *v)
{
    if (!v)
        return "has no verdict";
    if (strcmp(v, "prohibited") == 0)
        return "is prohibited";
    if (strcmp(v, "permitted") == 0)
        return "is permitted (not required)";
    if (strcmp(v, "required") == 0)
        return "is required";
    return "has no verdict";
}

/* One stored decision as the page shows it: each verdict as a sentence with its rule and
 * citation, the duties it brings, the trace. */
static json_t *decision_vars(const struct cust_desk_env *env, const json_t *dec)
{
    const json_t *x = json_object_get(dec, "decision");
    const json_t *pol = json_object_get(x, "policy");
    json_t *verdicts = json_array();
    static const char *const groups[] = {"actions", "disclose"};
    for (size_t g = 0; g < 2; g++) {
        const char *k;
        json_t *v;
        json_object_foreach(json_object_get(x, groups[g]), k, v)
        {
            const char *verdict = jstr(v, "verdict");
            json_array_append_new(verdicts, json_pack("{s:s,s:s,s:s,s:s,s:s,s:o}", "verdict",
                                                      verdict ? verdict : "none", "lead",
                                                      g ? "Disclosing" : "To", "target", k,
                                                      "sentence", verdict_sentence(verdict), "rule",
                                                      web_or_empty(jstr(v, "rule")), "cite",
                                                      cite_json(json_object_get(v, "cite"))));
        }
    }
    json_t *duties = json_array();
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(x, "duties"), i, d) json_array_append_new(
        duties,
        json_pack("{s:s,s:s?,s:o}", "duty", web_or_empty(jstr(d, "duty")), "when",
                  cust_desk_duty_trigger(env, d), "cite", cite_json(json_object_get(d, "cite"))));
    json_t *lines = json_array();
    json_t *t;
    json_array_foreach(json_object_get(x, "trace"), i, t)
    {
        if (json_is_string(t)) {
            json_array_append(lines, t);
        } else {
            char *s = json_dumps(t, JSON_COMPACT);
            json_array_append_new(lines, json_string(s ? s : ""));
            free(s);
        }
    }
    json_t *v = json_pack(
        "{s:s,s:s?,s:I,s:s,s:s,s:s?,s:s,s:s,s:o}", "booking_number",
        web_or_empty(jstr(dec, "booking_number")), "name", jstr(dec, "name"), "person_id",
        json_integer_value(json_object_get(dec, "person_id")), "policy_id",
        web_or_empty(jstr(pol, "id")), "policy_version", web_or_empty(jstr(pol, "version")),
        "version_name", jstr(pol, "version_name"), "as_of", web_or_empty(jstr(x, "as_of")),
        "decided_by", web_or_empty(jstr(dec, "decided_by")), "verdicts", verdicts);
    /* present in every decision so the page's own "duties" and "trace" never show through */
    json_object_set_new(v, "duties",
                        json_array_size(duties) ? json_pack("{s:o}", "list", duties)
                                                : (json_decref(duties), json_false()));
    json_object_set_new(v, "trace",
                        json_array_size(lines) ? json_pack("{s:o}", "lines", lines)
                                               : (json_decref(lines), json_false()));
    return v;
}

/* The actions the decision allows for this role: a form each. */
static void action_vars(json_t *v, const json_t *r, const struct cust_session *se)
{
    const char *status = jstr(r, "status");
    bool closed = cust_desk_status_is_final(status ? status : "");
    json_object_set_new(v, "closed", json_boolean(closed));
    bool can_decide = cust_role_allows(se->role, CUST_ACT_REQUEST_DECIDE) && status &&
                      strcmp(status, "matched") == 0;
    json_t *acts = json_array();
    const json_t *decs = json_object_get(r, "decisions");
    const json_t *last =
        json_array_get(decs, json_array_size(decs) ? json_array_size(decs) - 1 : 0);
    if (cust_role_allows(se->role, CUST_ACT_REQUEST_ACT) && last) {
        const char *k;
        json_t *a;
        json_object_foreach(json_object_get(json_object_get(last, "decision"), "actions"), k, a)
        {
            const char *verdict = jstr(a, "verdict");
            if (verdict)
                json_array_append_new(acts, json_pack("{s:s,s:b}", "action", k, "prohibited",
                                                      strcmp(verdict, "prohibited") == 0));
        }
    }
    const json_t *scope = json_object_get(json_object_get(r, "request"), "scope");
    bool can_fulfil = cust_role_allows(se->role, CUST_ACT_REQUEST_FULFILL) && jstr(r, "kind") &&
                      scope && !json_is_null(scope) && !closed && status &&
                      strcmp(status, "fulfilled") != 0; /* answered once */
    /* a supervisor confirms the subject (a person outside the candidates with a reason);
     * a supervisor or counsel ends the request by hand, with a reason (issue 12) */
    const json_t *subject = json_object_get(json_object_get(r, "request"), "subject");
    bool can_confirm = cust_role_allows(se->role, CUST_ACT_REQUEST_CONFIRM_MATCH) && !closed &&
                       subject && !json_is_null(subject);
    bool can_close = cust_role_allows(se->role, CUST_ACT_REQUEST_CLOSE) && !closed;
    json_t *ends = json_array();
    static const char *const end[][2] = {{"close", "Close the request"},
                                         {"withdraw", "Record: withdrawn by the requester"},
                                         {"lift", "Record: lifted by the issuer"}};
    for (size_t i = 0; can_close && i < CUST_ARRAY_LEN(end); i++)
        json_array_append_new(ends, json_pack("{s:s,s:s}", "step", end[i][0], "label", end[i][1]));
    json_object_set_new(v, "can_decide", json_boolean(can_decide));
    json_object_set_new(v, "can_fulfil", json_boolean(can_fulfil));
    json_object_set_new(v, "can_confirm", json_boolean(can_confirm));
    json_object_set_new(v, "ends",
                        can_close ? json_pack("{s:o}", "list", ends)
                                  : (json_decref(ends), json_false()));
    json_object_set_new(v, "nothing",
                        json_boolean(!can_decide && !can_fulfil && !can_confirm && !can_close &&
                                     !json_array_size(acts)));
    json_object_set_new(v, "acts", acts);
}

/* `name` as one path segment: every byte but letters, digits and -._~ percent-encoded (a
 * document named "I-247A form #2.pdf" still downloads). New string. */
static char *path_segment(const char *name)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(name);
    char *out = cust_xmalloc(3 * n + 1), *o = out;
    for (const unsigned char *c = (const unsigned char *)name; *c; c++) {
        if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
            strchr("-._~", *c)) {
            *o++ = (char)*c;
        } else {
            *o++ = '%';
            *o++ = hex[*c >> 4];
            *o++ = hex[*c & 15];
        }
    }
    *o = '\0';
    return out;
}

/* The request page's values (request.html). */
static json_t *request_vars(const struct cust_desk_env *env, const json_t *r,
                            const struct cust_session *se)
{
    const json_t *rq = json_object_get(r, "requester");
    json_t *v = json_pack(
        "{s:s,s:o,s:s,s:s,s:o,s:o,s:o,s:s?,s:b,s:s}", "id", web_or_empty(jstr(r, "id")), "kind",
        web_label(jstr(r, "kind")), "form", web_or_empty(jstr(r, "form")), "agency",
        web_or_empty(jstr(rq, "agency")), "status", web_label(jstr(r, "status")), "received_at",
        web_words_of(jstr(r, "received_at"), "not recorded"), "deadline",
        web_words_of(jstr(r, "deadline"), "none"), "law_rule", jstr(r, "law_rule"), "overdue",
        json_is_true(json_object_get(r, "overdue")), "csrf", se->csrf);
    json_t *links = json_array();
    size_t i;
    json_t *l;
    bool dob = cust_role_allows(se->role, CUST_ACT_PERSON_READ_RESTRICTED);
    json_array_foreach(json_object_get(r, "links"), i, l)
    {
        char score[32];
        snprintf(score, sizeof(score), "%.2f", json_number_value(json_object_get(l, "score")));
        /* why a candidate is one: each field's agreement and its points */
        struct cust_buf why = CUST_BUF_INIT;
        size_t k;
        json_t *x;
        json_array_foreach(json_object_get(l, "reasons"), k, x)
        {
            (void)cust_buf_appendf(&why, "%s%s %s %+.1f", k ? ", " : "",
                                   web_or_empty(jstr(x, "field")), web_or_empty(jstr(x, "text")),
                                   json_number_value(json_object_get(x, "points")));
        }
        json_array_append_new(
            links,
            json_pack("{s:I,s:s?,s:s?,s:s,s:s,s:s,s:b,s:b,s:b,s:s,s:s,s:s}", "person_id",
                      (json_int_t)json_integer_value(json_object_get(l, "person_id")), "name",
                      jstr(l, "name"), "dob", dob ? jstr(l, "dob") : NULL, "booking_number",
                      web_or_empty(jstr(l, "booking_number")), "state",
                      web_or_empty(jstr(l, "state")), "score", score, "strong",
                      json_is_true(json_object_get(l, "strong")), "review",
                      json_is_true(json_object_get(l, "review")), "outside",
                      json_is_true(json_object_get(l, "outside_candidates")), "confirmed_by",
                      web_or_empty(jstr(l, "confirmed_by")), "confirm_reason",
                      web_or_empty(jstr(l, "confirm_reason")), "why", why.buf ? why.buf : ""));
        cust_buf_release(&why);
    }
    json_object_set_new(v, "links", links);
    json_t *decs = json_array();
    json_t *dec;
    json_array_foreach(json_object_get(r, "decisions"), i, dec)
        json_array_append_new(decs, decision_vars(env, dec));
    json_object_set_new(v, "decisions", decs);
    action_vars(v, r, se);
    json_t *acts = json_array();
    json_t *a;
    json_array_foreach(json_object_get(r, "actions"), i, a) json_array_append_new(
        acts, json_pack("{s:s,s:s,s:s,s:s?,s:s,s:I}", "action", web_or_empty(jstr(a, "action")),
                        "outcome", web_or_empty(jstr(a, "outcome")), "by",
                        web_or_empty(jstr(a, "by")), "name", jstr(a, "name"), "booking_number",
                        web_or_empty(jstr(a, "booking_number")), "person_id",
                        json_integer_value(json_object_get(a, "person_id"))));
    json_object_set_new(v, "actions",
                        json_array_size(acts) ? json_pack("{s:o}", "list", acts)
                                              : (json_decref(acts), json_false()));
    json_t *duties = json_array();
    json_t *d;
    json_array_foreach(json_object_get(r, "duties"), i, d) json_array_append_new(
        duties,
        json_pack("{s:s,s:s?,s:s?,s:I,s:s,s:b,s:o,s:o}", "duty", web_or_empty(jstr(d, "duty")),
                  "name", jstr(d, "name"), "booking_number", jstr(d, "booking_number"), "person_id",
                  json_integer_value(json_object_get(d, "person_id")), "status",
                  web_or_empty(jstr(d, "status")), "overdue",
                  json_is_true(json_object_get(d, "overdue")), "due",
                  web_words_of(jstr(d, "due"), "none"), "cite",
                  cite_json(json_object_get(d, "cite"))));
    json_object_set_new(v, "duties",
                        json_array_size(duties) ? json_pack("{s:o}", "list", duties)
                                                : (json_decref(duties), json_false()));
    /* every document received and sent, each a download */
    json_t *docs = json_array();
    json_t *doc;
    json_array_foreach(json_object_get(r, "documents"), i, doc)
    {
        /* size null: only the hash was received (a JSON null is not 0 bytes kept) */
        const json_t *size = json_object_get(doc, "size");
        char *seg = path_segment(web_or_empty(jstr(doc, "name")));
        json_array_append_new(
            docs, json_pack("{s:s,s:s,s:s,s:s,s:I,s:b}", "name", web_or_empty(jstr(doc, "name")),
                            "href", seg, "role", web_or_empty(jstr(doc, "role")), "sha256",
                            web_or_empty(jstr(doc, "sha256")), "size", json_integer_value(size),
                            "kept", json_is_integer(size) && json_integer_value(size) >= 0));
        free(seg);
    }
    json_object_set_new(v, "documents",
                        json_array_size(docs) ? json_pack("{s:o}", "list", docs)
                                              : (json_decref(docs), json_false()));
    return v;
}

/* GET /console/requests/{id}/documents/{name}: a kept document, byte for byte. */
enum cust_status web_request_document(struct cust_http_request *req, struct cust_http_response *res,
                                      void *ctx)
{
    struct cust_web *w = ctx;
    struct cust_session se;
    enum cust_status st = web_guard(w, req, res, CUST_ACT_REQUEST_READ, true, &se);
    if (st != CUST_OK)
        return st;
    struct cust_err err = CUST_ERR_INIT;
    struct cust_desk d;
    struct cust_desk_document doc;
    desk_open(w, &se, &d);
    st = cust_desk_document(&d, cust_http_req_param(req, "id"), cust_http_req_param(req, "name"),
                            &doc, &err);
    desk_close(w, &d);
    if (st != CUST_OK)
        return web_html_error(w, res, cust_http_status_for(st), "No such document", err.msg, &se);
    char cd[300];
    /* the name as kept, without quotes or controls in the header */
    char safe[200];
    size_t n = 0;
    for (const char *c = doc.name; *c && n + 1 < sizeof(safe); c++)
        safe[n++] = (*c == '"' || *c == '\\' || (unsigned char)*c < 0x20) ? '_' : *c;
    safe[n] = '\0';
    snprintf(cd, sizeof(cd), "attachment; filename=\"%s\"", safe);
    st = cust_http_res_header(res, "Content-Disposition", cd);
    if (st == CUST_OK)
        st = cust_http_res_header(res, "X-Content-SHA256", doc.sha256);
    cust_buf_reset(&res->body);
    if (st == CUST_OK)
        st = cust_buf_append(&res->body, doc.content, doc.len);
    res->status = 200;
    size_t len = strlen(doc.name);
    res->content_type =
        len > 4 && strcmp(doc.name + len - 4, ".csv") == 0    ? "text/csv; charset=utf-8"
        : len > 5 && strcmp(doc.name + len - 5, ".json") == 0 ? "application/json"
                                                              : "application/octet-stream";
    cust_desk_document_release(&doc);
    return st;
}

enum cust_status web_request_page(struct cust_http_request *req, struct cust_http_response *res,
                                  void *ctx)
{
    struct cust_web *w = ctx;
    struct cust_session se;
    enum cust_status st = web_guard(w, req, res, CUST_ACT_REQUEST_READ, true, &se);
    if (st != CUST_OK)
        return st;
    const char *id = cust_http_req_param(req, "id");
    struct cust_err err = CUST_ERR_INIT;
    json_t *r = NULL;
    struct cust_desk d;
    desk_open(w, &se, &d);
    st = cust_desk_show(&d, id, &r, &err);
    desk_close(w, &d);
    if (st != CUST_OK)
        return web_html_error(w, res, cust_http_status_for(st), "No such request",
                              st == CUST_ENOTFOUND ? "There is no request with that id." : err.msg,
                              &se);
    char title[96];
    snprintf(title, sizeof(title), "Request %s", id);
    json_t *v = request_vars(w->env, r, &se);
    /* a fulfilled data request: its answer in place of one box per distinct decision */
    const json_t *summary = json_object_get(r, "summary");
    if (summary) {
        const char *p = cust_kv_get(&req->query, "page");
        long long page = p ? strtoll(p, NULL, 10) : 1;
        json_t *answer = NULL;
        desk_open(w, &se, &d);
        st = web_answer_vars(&d, id, summary, page >= 1 ? page : 1, &answer, &err);
        desk_close(w, &d);
        if (st != CUST_OK) {
            json_decref(v);
            json_decref(r);
            return web_html_error(w, res, cust_http_status_for(st), "No such page", err.msg, &se);
        }
        json_object_set_new(v, "answer", answer);
    }
    json_decref(r);
    return web_page(w, res, 200, title, &se, "request", v);
}

/* POST /console/requests/{id}/{step} from the page's forms, then back to the page. */
enum cust_status web_request_step_post(struct cust_http_request *req,
                                       struct cust_http_response *res, void *ctx)
{
    struct cust_web *w = ctx;
    const struct web_step *step = find_step(cust_http_req_param(req, "step"));
    if (!step)
        return web_html_error(w, res, 404, "No such step", "That is not a request step.", NULL);
    struct cust_session se;
    enum cust_status st = web_guard(w, req, res, (int)step->action, true, &se);
    if (st != CUST_OK)
        return st;
    struct cust_kv_list form = {0};
    struct cust_err err = CUST_ERR_INIT;
    (void)cust_http_req_form(req, &form, NULL);
    json_t *body = json_object();
    static const char *const fields[] = {"action", "reason",         "agency",
                                         "at",     "warrant_number", "offense"};
    for (size_t i = 0; i < CUST_ARRAY_LEN(fields); i++)
        if (cust_kv_get(&form, fields[i]))
            json_object_set_new(body, fields[i], json_string(cust_kv_get(&form, fields[i])));
    const char *pid = cust_kv_get(&form, "person_id");
    if (pid)
        json_object_set_new(body, "person_id", json_integer(strtoll(pid, NULL, 10)));
    if (cust_kv_get(&form, "decline"))
        json_object_set_new(body, "decline", json_true());
    json_t *out = NULL;
    const char *id = cust_http_req_param(req, "id");
    st = run_step(w, &se, step->name, id, body, &out, &err);
    json_decref(body);
    json_decref(out);
    if (st != CUST_OK)
        return web_html_error(w, res, cust_http_status_for(st), "Not done", err.msg, &se);
    char loc[96];
    snprintf(loc, sizeof(loc), "/console/requests/%s", id);
    return web_redirect(res, loc);
}

/* ---- console: fulfilment -------------------------------------------------------------------- */

enum cust_status web_fulfil_page(struct cust_http_request *req, struct cust_http_response *res,
                                 void *ctx)
{
    struct cust_web *w = ctx;
    struct cust_session se;
    enum cust_status st = web_guard(w, req, res, CUST_ACT_REQUEST_FULFILL, true, &se);
    if (st != CUST_OK)
        return st;
    const char *id = cust_http_req_param(req, "id");
    struct cust_err err = CUST_ERR_INIT;
    json_t *r = NULL;
    struct cust_desk d;
    desk_open(w, &se, &d);
    st = cust_desk_show(&d, id, &r, &err);
    desk_close(w, &d);
    if (st != CUST_OK)
        return web_html_error(w, res, cust_http_status_for(st), "No such request",
                              st == CUST_ENOTFOUND ? "There is no request with that id." : err.msg,
                              &se);
    const json_t *rq = json_object_get(r, "request");
    char *scope = json_dumps(json_object_get(rq, "scope"), JSON_ENCODE_ANY | JSON_COMPACT);
    struct cust_buf items = CUST_BUF_INIT;
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(rq, "items"), i, it)
    {
        cust_buf_puts(&items, i ? ", " : "");
        cust_buf_puts(&items, web_or_empty(json_string_value(it)));
    }
    json_t *v = json_pack("{s:s,s:s,s:s,s:s,s:s%,s:s,s:[{s:s,s:s},{s:s,s:s}]}", "id", id, "agency",
                          web_or_empty(jstr(json_object_get(r, "requester"), "agency")), "status",
                          web_or_empty(jstr(r, "status")), "scope", scope ? scope : "none", "items",
                          items.buf, items.len, "csrf", se.csrf, "formats", "format", "json",
                          "label", "JSON", "format", "csv", "label", "CSV");
    free(scope);
    cust_buf_release(&items);
    json_decref(r);
    char title[96];
    snprintf(title, sizeof(title), "Fulfil request %s", id);
    return web_page(w, res, 200, title, &se, "fulfil", v);
}

enum cust_status web_fulfil_post(struct cust_http_request *req, struct cust_http_response *res,
                                 void *ctx)
{
    struct cust_web *w = ctx;
    struct cust_session se;
    enum cust_status st = web_guard(w, req, res, CUST_ACT_REQUEST_FULFILL, true, &se);
    if (st != CUST_OK)
        return st;
    const char *format = cust_kv_get(&req->query, "format");
    bool csv = format && strcmp(format, "csv") == 0;
    return fulfil_download(w, &se, cust_http_req_param(req, "id"), csv, true, res);
}
