/*
 * desk_summary.c - a fulfilled data request read back for people (desk.h): the summary kept
 * with the answer (persons in scope, items given and withheld by reason, decisions grouped by
 * outcome, duties created), and the persons given something, a page at a time, each with
 * name, booking and what was given and withheld (docs/internals/desk.md "Answers").
 */
#include "custodian/compat.h"
#include "desk_internal.h"

enum cust_status cust_desk_summary(struct cust_desk *d, const char *id, json_t **out,
                                   struct cust_err *err)
{
    *out = NULL;
    struct cust_desk_document doc;
    enum cust_status st = cust_desk_document(d, id, "summary.json", &doc, err);
    if (st == CUST_ENOTFOUND)
        return cust_err_set(err, CUST_ENOTFOUND,
                            "request '%s' has no summary: it was not fulfilled", id);
    if (st != CUST_OK)
        return st;
    json_error_t je;
    *out = json_loadb(doc.content, doc.len, 0, &je);
    cust_desk_document_release(&doc);
    return *out ? CUST_OK
                : cust_err_set(err, CUST_EINTEGRITY, "request '%s': summary.json: %s", id, je.text);
}

struct page {
    struct cust_desk *d;
    int64_t offset, limit, total;
    json_t *rows;
    struct cust_err *err;
};

static enum cust_status on_name(const struct cust_person_row *p, void *arg)
{
    json_t *row = arg;
    json_object_set_new(row, "last_name", desk_str(p->last_name));
    json_object_set_new(row, "first_name", desk_str(p->first_name));
    return CUST_OK;
}

static enum cust_status on_disclosure(const struct cust_disclosure_row *x, void *arg)
{
    struct page *pg = arg;
    int64_t n = pg->total++;
    if (n < pg->offset || n >= pg->offset + pg->limit)
        return CUST_OK;
    json_t *given = json_loads(x->items, 0, NULL), *withheld = json_loads(x->withheld, 0, NULL);
    json_t *row =
        json_pack("{s:I,s:I,s:s?,s:n,s:n,s:o,s:o,s:I}", "ord", (json_int_t)x->ord, "person_id",
                  (json_int_t)x->person_id, "booking_number", x->booking_number, "last_name",
                  "first_name", "given", given ? given : json_array(), "withheld",
                  withheld ? withheld : json_array(), "decision_id", (json_int_t)x->decision_id);
    enum cust_status st = cust_store_persons(pg->d->store, x->person_id, on_name, row, pg->err);
    json_array_append_new(pg->rows, row);
    return st == CUST_ENOTFOUND ? CUST_OK : st;
}

enum cust_status cust_desk_disclosed(struct cust_desk *d, const char *id, int64_t page,
                                     int64_t per_page, json_t **out, struct cust_err *err)
{
    *out = NULL;
    if (page < 1 || per_page < 1 || per_page > 1000)
        return cust_err_set(err, CUST_EINVAL, "page must be 1 or more, per page 1 to 1000");
    struct desk_req q;
    enum cust_status st = desk_req_load(d, id, &q, err);
    if (st != CUST_OK)
        return st;
    desk_req_release(&q);
    struct page pg = {d, (page - 1) * per_page, per_page, 0, json_array(), err};
    st = cust_store_disclosures(d->store, id, on_disclosure, &pg, err);
    if (st != CUST_OK) {
        json_decref(pg.rows);
        return st;
    }
    int64_t pages = (pg.total + per_page - 1) / per_page;
    *out = json_pack("{s:I,s:I,s:I,s:I,s:o}", "total", (json_int_t)pg.total, "page",
                     (json_int_t)page, "pages", (json_int_t)(pages ? pages : 1), "per_page",
                     (json_int_t)per_page, "rows", pg.rows);
    return CUST_OK;
}
