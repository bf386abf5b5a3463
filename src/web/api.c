/*
 * api.c - JSON resources under /api/v1 that mirror the CLI: roster, bookings, persons,
 * decide (the policy engine), audit verify and log. Each handler checks the role matrix first
 * (web_guard); the server records every /api/ request in the ledger through the audit hook.
 */
#include "custodian/compat.h"
#include "custodian/date.h"
#include "custodian/desk.h"
#include "custodian/ledger.h"
#include "custodian/policy.h"
#include "custodian/records.h"
#include "custodian/store_accounts.h"
#include "web_internal.h"

#include <jansson.h>

json_t *web_record_json(struct cust_web *w, struct cust_http_request *req,
                        const struct cust_session *s, bool person, const char *key,
                        enum cust_status *status, struct cust_err *err);

/* ---- roster --------------------------------------------------------------------------------- */

enum cust_status web_api_roster(struct cust_http_request *req, struct cust_http_response *res,
                                void *ctx)
{
    struct cust_web *w = ctx;
    enum cust_status st = web_guard(w, req, res, CUST_ACT_ROSTER_READ, false, NULL);
    if (st != CUST_OK)
        return st;
    struct cust_roster_filter f = {.day = cust_today()};
    const char *as_of = cust_kv_get(&req->query, "as_of");
    if (as_of && !cust_date_parse(as_of, &f.day))
        return cust_http_res_error(res, CUST_EINVAL, "as_of: expected YYYY-MM-DD");
    f.facility = cust_kv_get(&req->query, "facility");
    /* citizenship is a restricted field: filtering by it is not offered here */
    json_t *rows = NULL;
    struct cust_err err = CUST_ERR_INIT;
    struct cust_store *s = web_acquire(w);
    st = cust_roster_list(s, &f, 0, &rows, &err);
    web_release(w, s);
    if (st != CUST_OK)
        return cust_http_res_error(res, st, err.msg);
    char day[11];
    cust_date_format(f.day, day);
    return web_send_json(res, 200,
                         json_pack("{s:s, s:I, s:o}", "as_of", day, "count",
                                   (json_int_t)json_array_size(rows), "bookings", rows));
}

/* ---- bookings and persons ------------------------------------------------------------------- */

static enum cust_status record(struct cust_http_request *req, struct cust_http_response *res,
                               struct cust_web *w, bool person)
{
    struct cust_session s;
    enum cust_status st = web_guard(w, req, res, CUST_ACT_ROSTER_READ, false, &s);
    if (st != CUST_OK)
        return st;
    const char *key = cust_http_req_param(req, person ? "id" : "number");
    struct cust_err err = CUST_ERR_INIT;
    json_t *v = web_record_json(w, req, &s, person, key, &st, &err);
    if (!v)
        return cust_http_res_error(res, st,
                                   st != CUST_ENOTFOUND ? err.msg
                                   : person             ? "no such person"
                                                        : "no such booking");
    return web_send_json(res, 200, v);
}

enum cust_status web_api_booking(struct cust_http_request *req, struct cust_http_response *res,
                                 void *ctx)
{
    return record(req, res, ctx, false);
}

enum cust_status web_api_person(struct cust_http_request *req, struct cust_http_response *res,
                                void *ctx)
{
    return record(req, res, ctx, true);
}

/* ---- decide --------------------------------------------------------------------------------- */

enum cust_status web_api_decide(struct cust_http_request *req, struct cust_http_response *res,
                                void *ctx)
{
    struct cust_web *w = ctx;
    enum cust_status st = web_guard(w, req, res, CUST_ACT_REQUEST_DECIDE, false, NULL);
    if (st != CUST_OK)
        return st;
    struct cust_err err = CUST_ERR_INIT;
    json_t *body = cust_http_req_json(req, &err);
    if (!body)
        return cust_http_res_error(res, CUST_EINVAL, err.msg);
    struct cust_diag dg = CUST_DIAG_INIT;
    struct cust_decision *d = cust_decision_new();
    json_t *out = NULL;
    /* the server's policy set (loaded once at start); never a file named by the caller */
    st = cust_policy_decide_json(cust_desk_env_policies(w->env), cust_kv_get(&req->query, "policy"),
                                 "?policy=", body, CUST_DECIDE_TRACE, d, &out, &dg, &err);
    json_decref(body);
    cust_decision_free(d);
    if (st == CUST_ENOTFOUND) /* a ?policy= the server does not have: the request's problem */
        st = CUST_EINVAL;
    if (st != CUST_OK && cust_http_status_for(st) >= 500) {
        cust_diag_release(&dg);
        return cust_http_res_error(res, st, err.msg); /* logged, answered with an incident id */
    }
    if (st != CUST_OK) {
        json_t *problems = json_array();
        for (size_t i = 0; i < dg.n; i++)
            json_array_append_new(problems, json_string(dg.lines[i]));
        if (!dg.n)
            json_array_append_new(problems, json_string(err.msg));
        int status = cust_http_status_for(st);
        out = json_pack("{s:{s:s, s:s, s:i, s:o}}", "error", "code", cust_http_code_for(st),
                        "message", dg.n ? dg.lines[0] : (err.msg[0] ? err.msg : "cannot decide"),
                        "status", status, "problems", problems);
        cust_diag_release(&dg);
        return web_send_json(res, status, out);
    }
    cust_diag_release(&dg);
    return web_send_json(res, 200, out);
}

/* ---- audit ---------------------------------------------------------------------------------- */

/* (the names of enum cust_row_problem, as `audit verify --json` gives them) */
static const char *const problem_kind[] = {"changed",   "deleted", "inserted",
                                           "rewritten", "journal", "derived"};

json_t *web_audit_verdict(struct cust_web *w, struct cust_err *err)
{
    struct cust_ledger_report rep;
    struct cust_desk_verify_report drep;
    struct cust_ledger_rows_report rrep;
    memset(&rep, 0, sizeof(rep));
    memset(&drep, 0, sizeof(drep));
    memset(&rrep, 0, sizeof(rrep));
    struct cust_err cerr = CUST_ERR_INIT, derr = CUST_ERR_INIT, rerr = CUST_ERR_INIT;
    enum cust_status dst = CUST_OK, rst = CUST_OK;
    struct cust_store *s = web_acquire(w);
    enum cust_status st = cust_store_snapshot_begin(s, &cerr);
    if (st == CUST_OK) {
        st = cust_ledger_verify(s, &rep, &cerr);
        if (st == CUST_OK) { /* rows and disclosures hang off entries known good */
            dst = cust_desk_verify_disclosures(s, &drep, &derr);
            rst = cust_ledger_verify_rows(s, 1, &rrep, &rerr);
        }
        cust_store_snapshot_end(s);
    }
    web_release(w, s);
    const struct cust_err *fail = st != CUST_OK && st != CUST_EINTEGRITY     ? &cerr
                                  : dst != CUST_OK && dst != CUST_EINTEGRITY ? &derr
                                  : rst != CUST_OK && rst != CUST_EINTEGRITY ? &rerr
                                                                             : NULL;
    if (fail) {
        cust_ledger_rows_report_release(&rrep);
        if (err)
            *err = *fail;
        return NULL;
    }
    bool chain_ok = st == CUST_OK;
    const char *reason = !chain_ok        ? cerr.msg
                         : dst != CUST_OK ? derr.msg
                         : rst != CUST_OK ? rerr.msg
                                          : "";
    json_t *o =
        json_pack("{s:b, s:I, s:I, s:s, s:b, s:b, s:I, s:b}", "ok",
                  chain_ok && dst == CUST_OK && rst == CUST_OK, "entries", (json_int_t)rep.entries,
                  "bad_seq", (json_int_t)rep.bad_seq, "reason", reason, "chain_ok", chain_ok,
                  "disclosures_ok", chain_ok && dst == CUST_OK, "rows", (json_int_t)rrep.rows,
                  "rows_ok", chain_ok && rst == CUST_OK);
    if (o && chain_ok) {
        char root[45];
        cust_tlog_hash_b64(rep.root, root);
        json_object_set_new(o, "root", json_string(root));
    }
    if (o && rrep.nproblems) {
        const struct cust_ledger_row_problem *p = &rrep.problems[0];
        const struct cust_row_table *tabs = cust_store_row_tables(NULL);
        json_object_set_new(o, "row_problem",
                            json_pack("{s:s,s:s?,s:s?,s:I,s:s}", "kind", problem_kind[p->kind],
                                      "table", p->table >= 0 ? tabs[p->table].name : NULL, "key",
                                      p->key[0] ? p->key : NULL, "entry", (json_int_t)p->seq,
                                      "message", p->message));
        json_object_set_new(o, "row_problems_total", json_integer(rrep.bad));
    }
    cust_ledger_rows_report_release(&rrep);
    if (!o)
        cust_err_set(err, CUST_ENOMEM, "out of memory");
    return o;
}

enum cust_status web_api_audit_verify(struct cust_http_request *req, struct cust_http_response *res,
                                      void *ctx)
{
    struct cust_web *w = ctx;
    enum cust_status st = web_guard(w, req, res, CUST_ACT_AUDIT_READ, false, NULL);
    if (st != CUST_OK)
        return st;
    struct cust_err err = CUST_ERR_INIT;
    json_t *o = web_audit_verdict(w, &err);
    if (!o)
        return cust_http_res_error(res, err.code, err.msg);
    return web_send_json(res, 200, o);
}

struct log_ctx {
    json_t *rows;
    int64_t after;
    size_t limit;
};

static enum cust_status log_row(const struct cust_ledger_row *r, void *arg)
{
    struct log_ctx *c = arg;
    if (r->seq <= c->after || json_array_size(c->rows) >= c->limit)
        return CUST_OK;
    json_t *detail = r->detail ? json_loads(r->detail, 0, NULL) : NULL;
    json_t *o =
        json_pack("{s:I, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:o?, s:s?}", "seq",
                  (json_int_t)r->seq, "at", r->at, "actor", r->actor, "role", r->role, "action",
                  r->action, "object_type", r->object_type, "object_id", r->object_id, "outcome",
                  r->outcome, "purpose", r->purpose, "detail", detail, "hash", r->hash);
    if (!o)
        return CUST_ENOMEM;
    return json_array_append_new(c->rows, o) == 0 ? CUST_OK : CUST_ENOMEM;
}

enum cust_status web_api_audit_log(struct cust_http_request *req, struct cust_http_response *res,
                                   void *ctx)
{
    struct cust_web *w = ctx;
    enum cust_status st = web_guard(w, req, res, CUST_ACT_AUDIT_READ, false, NULL);
    if (st != CUST_OK)
        return st;
    struct log_ctx c = {.rows = json_array(), .after = 0, .limit = 1000};
    const char *after = cust_kv_get(&req->query, "after");
    if (after) {
        char *end = NULL;
        long long v = strtoll(after, &end, 10);
        if (!*after || *end || v < 0) {
            json_decref(c.rows);
            return cust_http_res_error(res, CUST_EINVAL, "after: expected a sequence number");
        }
        c.after = v;
    }
    int64_t head = 0;
    char hash[65];
    struct cust_err err = CUST_ERR_INIT;
    struct cust_store *s = web_acquire(w);
    st = cust_store_ledger_each(s, log_row, &c, &head, hash, &err);
    web_release(w, s);
    if (st != CUST_OK) {
        json_decref(c.rows);
        return cust_http_res_error(res, st, err.msg);
    }
    return web_send_json(res, 200,
                         json_pack("{s:I, s:s, s:o}", "head_seq", (json_int_t)head, "head_hash",
                                   hash, "entries", c.rows));
}

/* ---- users ---------------------------------------------------------------------------------- */

static enum cust_status user_json_row(const struct cust_user_row *r, void *arg)
{
    json_t *o = json_pack("{s:s, s:s, s:s?, s:b}", "name", r->name, "role", r->role, "created_at",
                          r->created_at, "disabled", r->disabled);
    if (!o)
        return CUST_ENOMEM;
    return json_array_append_new(arg, o) == 0 ? CUST_OK : CUST_ENOMEM;
}

enum cust_status web_api_users(struct cust_http_request *req, struct cust_http_response *res,
                               void *ctx)
{
    struct cust_web *w = ctx;
    enum cust_status st = web_guard(w, req, res, CUST_ACT_USER_MANAGE, false, NULL);
    if (st != CUST_OK)
        return st;
    json_t *rows = json_array();
    struct cust_err err = CUST_ERR_INIT;
    struct cust_store *s = web_acquire(w);
    st = cust_store_user_list(s, user_json_row, rows, &err);
    web_release(w, s);
    if (st != CUST_OK) {
        json_decref(rows);
        return cust_http_res_error(res, st, err.msg);
    }
    return web_send_json(res, 200, json_pack("{s:o}", "users", rows));
}
