/* roster.c - a roster row as JSON, the same for every front end (records.h). */
#include "custodian/compat.h"
#include "custodian/records.h"

#include <jansson.h>

json_t *cust_roster_row_json(const struct cust_roster_row *r, unsigned flags)
{
    json_t *j =
        json_pack("{s:s, s:s?, s:I, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?}", "booking_number",
                  r->booking_number, "person_id", r->person_key, "person_internal_id",
                  (json_int_t)r->person_id, "last_name", r->last_name, "first_name", r->first_name,
                  "middle_name", r->middle_name, "booked_at", r->booked_at, "facility", r->facility,
                  "housing", r->housing, "arresting_agency", r->arresting_agency);
    if (!j)
        return NULL;
    /* citizenship is a restricted field: only for callers allowed to see it */
    if (flags & CUST_ROSTER_RESTRICTED)
        json_object_set_new(j, "citizenship_status",
                            r->citizenship_status ? json_string(r->citizenship_status)
                                                  : json_null());
    json_t *rest =
        json_pack("{s:s?, s:s?, s:s?, s:b, s:s?, s:i}", "scheduled_release", r->scheduled_release,
                  "computed_release", r->computed_release, "release_rule", r->release_rule,
                  "release_disagreement", r->release_disagreement, "released_at", r->released_at,
                  "version", r->version);
    if (!rest) {
        json_decref(j);
        return NULL;
    }
    json_object_update(j, rest);
    json_decref(rest);
    return j;
}

struct roster_list {
    json_t *rows;
    unsigned flags;
};

static enum cust_status on_row(const struct cust_roster_row *r, void *arg)
{
    struct roster_list *l = arg;
    json_t *o = cust_roster_row_json(r, l->flags);
    if (!o)
        return CUST_ENOMEM;
    return json_array_append_new(l->rows, o) == 0 ? CUST_OK : CUST_ENOMEM;
}

enum cust_status cust_roster_list(struct cust_store *s, const struct cust_roster_filter *f,
                                  unsigned flags, json_t **out, struct cust_err *err)
{
    struct roster_list l = {json_array(), flags};
    enum cust_status st = cust_store_roster(s, f, on_row, &l, err);
    if (st != CUST_OK) {
        json_decref(l.rows);
        *out = NULL;
        return st == CUST_ENOMEM ? cust_err_set(err, st, "out of memory") : st;
    }
    *out = l.rows;
    return CUST_OK;
}
