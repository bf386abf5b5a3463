/*
 * answer.c - a fulfilled data request on the console's request page: the summary kept with the
 * answer (persons in scope, items given and withheld by reason, duties created), the decisions
 * grouped by outcome, and the persons given something, 50 a page (desk.h cust_desk_summary,
 * cust_desk_disclosed; request.html "answer").
 */
#include "custodian/compat.h"
#include "custodian/desk.h"
#include "web_internal.h"

#include <jansson.h>

static const char *s_of(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static json_int_t n_of(const json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

/* "a, b, c" of a JSON array of strings, or "nothing" (new reference). */
static json_t *names(const json_t *a)
{
    struct cust_buf b = CUST_BUF_INIT;
    size_t i;
    json_t *x;
    json_array_foreach(a, i, x)
    {
        cust_buf_puts(&b, i ? ", " : "");
        cust_buf_puts(&b, json_string_value(x) ? json_string_value(x) : "");
    }
    json_t *s = b.len ? json_stringn(b.buf, b.len) : json_string("nothing");
    cust_buf_release(&b);
    return s;
}

static json_t *items_vars(const json_t *summary)
{
    json_t *items = json_array();
    size_t i, j;
    json_t *it, *w;
    json_array_foreach(json_object_get(summary, "items"), i, it)
    {
        json_t *reasons = json_array();
        json_array_foreach(json_object_get(it, "withheld_by"), j, w)
            json_array_append_new(reasons, json_pack("{s:I,s:s}", "persons", n_of(w, "persons"),
                                                     "reason", s_of(w, "reason")));
        json_array_append_new(items, json_pack("{s:s,s:I,s:I,s:o}", "item", s_of(it, "item"),
                                               "given", n_of(it, "given"), "withheld",
                                               n_of(it, "withheld"), "reasons", reasons));
    }
    return items;
}

static json_t *outcome_vars(const json_t *summary)
{
    json_t *out = json_array();
    size_t i, j;
    json_t *g, *id;
    json_array_foreach(json_object_get(summary, "outcomes"), i, g)
    {
        json_t *withheld = json_array();
        const char *k;
        json_t *why;
        json_object_foreach(json_object_get(g, "withheld"), k, why) json_array_append_new(
            withheld, json_pack("{s:s,s:s}", "item", k, "why",
                                json_string_value(why) ? json_string_value(why) : ""));
        struct cust_buf ids = CUST_BUF_INIT;
        json_array_foreach(json_object_get(g, "decisions"), j, id)
            cust_buf_appendf(&ids, "%s%lld", j ? ", " : "", (long long)json_integer_value(id));
        json_int_t n = n_of(g, "persons");
        json_array_append_new(out, json_pack("{s:I,s:s,s:o,s:o,s:s%}", "persons", n, "persons_word",
                                             n == 1 ? "person" : "persons", "given",
                                             names(json_object_get(g, "given")), "withheld",
                                             withheld, "decisions", ids.buf, ids.len));
        cust_buf_release(&ids);
    }
    return out;
}

static json_t *people_vars(const json_t *page)
{
    json_t *rows = json_array();
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(page, "rows"), i, r)
    {
        json_t *w = json_object_get(r, "withheld");
        json_array_append_new(
            rows, json_pack("{s:s,s:s,s:s,s:I,s:o,s:o}", "booking_number",
                            s_of(r, "booking_number"), "last_name", s_of(r, "last_name"),
                            "first_name", s_of(r, "first_name"), "person_id", n_of(r, "person_id"),
                            "given", names(json_object_get(r, "given")), "withheld",
                            json_array_size(w) ? names(w) : json_string("nothing")));
    }
    json_int_t p = n_of(page, "page"), pages = n_of(page, "pages");
    json_t *v = json_pack("{s:I,s:I,s:I,s:o}", "total", n_of(page, "total"), "page", p, "pages",
                          pages, "rows", rows);
    if (p > 1)
        json_object_set_new(v, "prev", json_integer(p - 1));
    if (p < pages)
        json_object_set_new(v, "next", json_integer(p + 1));
    return v;
}

enum cust_status web_answer_vars(struct cust_desk *d, const char *id, const json_t *summary,
                                 int64_t page, json_t **out, struct cust_err *err)
{
    *out = NULL;
    json_t *pg = NULL;
    enum cust_status st = cust_desk_disclosed(d, id, page, 50, &pg, err);
    if (st != CUST_OK)
        return st;
    *out = json_pack("{s:s,s:s,s:s,s:I,s:I,s:I,s:I,s:o,s:o,s:o}", "as_of", s_of(summary, "as_of"),
                     "at", s_of(summary, "at"), "response_sha256", s_of(summary, "response_sha256"),
                     "persons", n_of(summary, "persons"), "given", n_of(summary, "given"),
                     "nothing_given", n_of(summary, "nothing_given"), "duties_created",
                     n_of(summary, "duties_created"), "items", items_vars(summary), "outcomes",
                     outcome_vars(summary), "people", people_vars(pg));
    json_decref(pg);
    return CUST_OK;
}
