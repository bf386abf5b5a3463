/*
 * transfers.c - the Values Act transfer report (`custodian report transfers --year Y`): one row
 * per hand-over to federal custody in the period, with the receiving agency, the legal basis
 * and the warrant or the offense that allowed it (Gov. Code 7284.6(a)(4), 7282.5; the desk
 * records each transfer with its basis, desk.h cust_desk_act).
 */
#include "custodian/compat.h"
#include "custodian/date.h"
#include "reports_internal.h"

struct ctx {
    struct cust_store *s;
    int64_t from_ts, to_ts;
    json_t *rows, *by_basis, *by_agency;
    struct cust_err *err;
};

static enum cust_status on_kind(const struct cust_request_row *r, void *arg)
{
    json_object_set_new(arg, "request_kind", json_string(r->kind));
    if (r->form)
        json_object_set_new(arg, "request_form", json_string(r->form));
    return CUST_OK;
}

static enum cust_status on_transfer(const struct cust_transfer_row *t, void *arg)
{
    struct ctx *c = arg;
    int64_t at;
    if (!t->at || !cust_time_parse(t->at, &at, NULL) || at < c->from_ts || at >= c->to_ts)
        return CUST_OK;
    char day[11], local[32];
    int32_t d = cust_time_zone_day(at);
    rp_day_text(d, day);
    cust_time_format(at, cust_time_zone_offset(at), false, local);
    bool judicial = strcmp(t->basis, "7282.5") != 0;
    char authority[256];
    if (judicial)
        snprintf(authority, sizeof(authority), "warrant %s",
                 t->warrant_number ? t->warrant_number : "(none recorded)");
    else
        snprintf(authority, sizeof(authority), "%s: %s", t->criterion ? t->criterion : "7282.5",
                 t->offense ? t->offense : "(no offense recorded)");
    json_t *row = json_pack("{s:s,s:s,s:s?,s:s?,s:s,s:s,s:s?,s:s?,s:s?,s:s,s:s}", "date", day, "at",
                            local, "request_id", t->request_id, "booking_number", t->booking_number,
                            "agency", t->agency, "basis", t->basis, "warrant_number",
                            t->warrant_number, "criterion", t->criterion, "offense", t->offense,
                            "authority", authority, "recorded_by", t->recorded_by);
    if (t->request_id &&
        cust_store_request_get(c->s, t->request_id, on_kind, row, c->err) != CUST_OK) {
        json_decref(row);
        return CUST_EDB;
    }
    json_array_append_new(c->rows, row);
    rp_count(c->by_basis, t->basis, 1);
    rp_count(c->by_agency, t->agency, 1);
    return CUST_OK;
}

enum cust_status cust_report_transfers(struct cust_store *s, const struct cust_report_opts *o,
                                       json_t **out, struct cust_err *err)
{
    *out = NULL;
    if (o->to < o->from)
        return cust_err_set(err, CUST_EINVAL, "the period ends before it begins");
    struct ctx c = {s, 0, 0, json_array(), json_object(), json_object(), err};
    rp_period(o->from, o->to, &c.from_ts, &c.to_ts);
    static const char *const bases[] = {"judicial_warrant", "judicial_probable_cause", "7282.5"};
    for (size_t b = 0; b < CUST_ARRAY_LEN(bases); b++)
        json_object_set_new(c.by_basis, bases[b], json_integer(0));
    enum cust_status st = cust_store_transfers(s, on_transfer, &c, err);
    if (st != CUST_OK) {
        json_decref(c.rows);
        json_decref(c.by_basis);
        json_decref(c.by_agency);
        return st;
    }
    json_t *r = rp_header("transfers", o->from, o->to);
    json_object_set_new(r, "total", json_integer((json_int_t)json_array_size(c.rows)));
    json_object_set_new(r, "by_basis", c.by_basis);
    json_object_set_new(r, "by_agency", c.by_agency);
    json_object_set_new(r, "rows", c.rows);
    *out = r;
    return CUST_OK;
}
