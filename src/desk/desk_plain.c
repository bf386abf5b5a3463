/*
 * desk_plain.c - the items of a data request as a person reads them: one plain value per item
 * for the CSV answer (desk_internal.h desk_plain_item; docs/internals/desk.md "Answers").
 *
 * Charges read "PC 245(a)(1) felony pending; VC 23152(a) misdemeanor convicted", bail is in
 * dollars, dates are dates. A value the record does not have is "none" ("no date" for the
 * release date): never an empty cell, which would read like "withheld".
 */
#include "custodian/compat.h"
#include "desk_internal.h"

/* Words separated by one space, NULL words left out. */
static enum cust_status words(struct cust_buf *b, const char *const *w, size_t n)
{
    enum cust_status st = CUST_OK;
    bool first = true;
    for (size_t i = 0; st == CUST_OK && i < n; i++) {
        if (!w[i] || !*w[i])
            continue;
        if (!first)
            st = cust_buf_putc(b, ' ');
        if (st == CUST_OK)
            st = cust_buf_puts(b, w[i]);
        first = false;
    }
    return st;
}

/* "2025-07-01 10:00" from an RFC 3339 time as the record wrote it (its own local time). */
static enum cust_status local_minute(struct cust_buf *b, const char *t)
{
    size_t n = strlen(t);
    if (n >= 16 && t[10] == 'T')
        return cust_buf_appendf(b, "%.10s %.5s", t, t + 11);
    return cust_buf_puts(b, t);
}

static enum cust_status booking_facts(struct cust_buf *b, const struct cust_booking *bk)
{
    int64_t bail = 0;
    bool any = false;
    for (size_t i = 0; i < bk->n_charges; i++)
        if (bk->charges[i].bail_cents >= 0) {
            bail += bk->charges[i].bail_cents;
            any = true;
        }
    enum cust_status st = cust_buf_puts(b, "booked ");
    if (st == CUST_OK)
        st = bk->booked_at ? local_minute(b, bk->booked_at) : cust_buf_puts(b, "(no time)");
    if (st == CUST_OK && bk->facility)
        st = cust_buf_appendf(b, ", %s", bk->facility);
    if (st == CUST_OK && bk->arresting_agency)
        st = cust_buf_appendf(b, ", arrested by %s", bk->arresting_agency);
    if (st == CUST_OK)
        st = cust_buf_puts(b, any ? ", bail " : ", no bail set");
    if (st == CUST_OK && any)
        st = cust_buf_dollars(b, bail);
    return st;
}

static enum cust_status charges(struct cust_buf *b, const struct cust_booking *bk)
{
    enum cust_status st = CUST_OK;
    for (size_t i = 0; st == CUST_OK && i < bk->n_charges; i++) {
        const struct cust_charge *c = &bk->charges[i];
        const char *w[] = {c->code ? c->code : c->description, c->level, c->status};
        if (i > 0)
            st = cust_buf_puts(b, "; ");
        if (st == CUST_OK)
            st = words(b, w, CUST_ARRAY_LEN(w));
    }
    return st;
}

/* Every conviction of the whole record, each with its date and booking: "PC 211 felony convicted
 * 2019-03-04 (CA, booking 6000123); PC 459 felony convicted 2025-06-30 (booking 6012345)". */
static enum cust_status convictions(struct cust_buf *b, const struct desk_whole *w)
{
    json_t *all = desk_whole_convictions(w);
    enum cust_status st = CUST_OK;
    size_t i;
    json_t *c;
    json_array_foreach(all, i, c)
    {
        const char *date = json_string_value(json_object_get(c, "date"));
        const char *wd[] = {json_string_value(json_object_get(c, "code")),
                            json_string_value(json_object_get(c, "level")), "convicted",
                            date ? date : "(date not recorded)"};
        const char *jur = json_string_value(json_object_get(c, "jurisdiction"));
        if (st == CUST_OK && i > 0)
            st = cust_buf_puts(b, "; ");
        if (st == CUST_OK)
            st = words(b, wd, CUST_ARRAY_LEN(wd));
        if (st == CUST_OK)
            st = cust_buf_appendf(b, " (%s%sbooking %s)", jur ? jur : "", jur ? ", " : "",
                                  json_string_value(json_object_get(c, "booking")));
    }
    json_decref(all);
    return st;
}

/* A value the source gave as any JSON (work address, contact information): strings as they
 * are, an object's members as "name: value", lists joined with "; ". */
static enum cust_status plain_json(struct cust_buf *b, const json_t *v)
{
    enum cust_status st = CUST_OK;
    size_t i;
    const char *k;
    json_t *x;
    switch (json_typeof(v)) {
    case JSON_STRING:
        return cust_buf_puts(b, json_string_value(v));
    case JSON_ARRAY:
        json_array_foreach(v, i, x)
        {
            if (st == CUST_OK && i > 0)
                st = cust_buf_puts(b, "; ");
            if (st == CUST_OK)
                st = plain_json(b, x);
        }
        return st;
    case JSON_OBJECT:
        i = 0;
        json_object_foreach((json_t *)v, k, x)
        {
            if (json_is_null(x))
                continue;
            if (st == CUST_OK)
                st = cust_buf_appendf(b, "%s%s: ", i++ ? "; " : "", k);
            if (st == CUST_OK)
                st = plain_json(b, x);
        }
        return st;
    case JSON_NULL:
        return CUST_OK;
    default: {
        char *t = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
        st = cust_buf_puts(b, t ? t : "");
        free(t);
        return st;
    }
    }
}

static enum cust_status raw(struct cust_buf *b, const char *json_text)
{
    json_t *v = json_loads(json_text, JSON_DECODE_ANY, NULL);
    enum cust_status st = v ? plain_json(b, v) : cust_buf_puts(b, json_text);
    json_decref(v);
    return st;
}

enum cust_status desk_plain_item(struct cust_buf *b, const struct cust_booking *bk,
                                 const struct desk_whole *w, unsigned item)
{
    const struct cust_person *p = &bk->person;
    size_t before = b->len;
    enum cust_status st = CUST_OK;
    switch (item) {
    case CUST_ITEM_BOOKING_FACTS:
        st = booking_facts(b, bk);
        break;
    case CUST_ITEM_CHARGES:
        st = charges(b, bk);
        break;
    case CUST_ITEM_CONVICTIONS:
        st = convictions(b, w);
        break;
    case CUST_ITEM_CITIZENSHIP:
        st = cust_buf_puts(b, p->has_citizenship && p->citizenship.status ? p->citizenship.status
                                                                          : "unknown");
        break;
    case CUST_ITEM_IMMIGRATION_STATUS:
        st = p->immigration_status ? cust_buf_puts(b, p->immigration_status) : CUST_OK;
        break;
    case CUST_ITEM_RELEASE_DATE:
        st = bk->scheduled_release ? cust_buf_puts(b, bk->scheduled_release) : CUST_OK;
        break;
    case CUST_ITEM_HOME_ADDRESS:
        st = p->home_address ? cust_buf_puts(b, p->home_address) : CUST_OK;
        break;
    case CUST_ITEM_WORK_ADDRESS:
        st = p->work_address_json ? raw(b, p->work_address_json) : CUST_OK;
        break;
    case CUST_ITEM_CONTACT_INFO:
        st = p->contact_info_json ? raw(b, p->contact_info_json) : CUST_OK;
        break;
    default:
        break;
    }
    if (st == CUST_OK && b->len == before)
        st = cust_buf_puts(b, item == CUST_ITEM_RELEASE_DATE ? "no date" : "none");
    return st;
}
