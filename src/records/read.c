/* read.c - custody facts read back from the store through the validator (records.h). */
#include "custodian/compat.h"
#include "custodian/records.h"

/* Parse a stored document into `rec` (which borrows from it). */
static enum cust_status parse_stored(const char *bn, const char *doc, struct cust_record *rec,
                                     struct cust_err *err)
{
    struct cust_diag diag = CUST_DIAG_INIT;
    enum cust_status st = cust_record_parse(doc, strlen(doc), rec, &diag);
    if (st != CUST_OK)
        st = cust_err_set(err, CUST_EINTEGRITY, "booking '%s': the stored record is invalid: %s",
                          bn, diag.n ? diag.lines[0] : "?");
    cust_diag_release(&diag);
    return st;
}

enum cust_status cust_record_current(struct cust_store *s, const char *booking_number,
                                     struct cust_record *rec, struct cust_err *err)
{
    memset(rec, 0, sizeof(*rec));
    char *doc = NULL;
    enum cust_status st = cust_store_current_version(s, booking_number, NULL, &doc, err);
    if (st != CUST_OK) {
        free(doc);
        return st;
    }
    st = parse_stored(booking_number, doc, rec, err);
    if (st != CUST_OK) {
        free(doc);
        return st;
    }
    /* the record borrows from the document: it goes with the record */
    rec->owned = cust_xrealloc(rec->owned, (rec->n_owned + 1) * sizeof(*rec->owned));
    rec->owned[rec->n_owned++] = doc;
    return CUST_OK;
}

struct scope_walk {
    cust_record_fn fn;
    void *arg;
    struct cust_err *err;
};

static enum cust_status on_scope_row(const struct cust_scope_row *r, void *arg)
{
    struct scope_walk *w = arg;
    struct cust_record rec;
    enum cust_status st = parse_stored(r->booking_number, r->doc ? r->doc : "", &rec, w->err);
    if (st != CUST_OK)
        return st;
    st = w->fn(&rec, r->person_id, w->arg);
    cust_record_release(&rec);
    return st;
}

enum cust_status cust_records_in_scope(struct cust_store *s, const struct cust_scope *sc,
                                       cust_record_fn fn, void *arg, struct cust_err *err)
{
    struct scope_walk w = {fn, arg, err};
    return cust_store_scope(s, sc, on_scope_row, &w, err);
}

enum cust_status cust_records_of_person(struct cust_store *s, int64_t person_id, cust_record_fn fn,
                                        void *arg, struct cust_err *err)
{
    struct scope_walk w = {fn, arg, err};
    return cust_store_person_bookings(s, person_id, on_scope_row, &w, err);
}

enum cust_status cust_records_of_scope_persons(struct cust_store *s, const struct cust_scope *sc,
                                               cust_record_fn fn, void *arg, struct cust_err *err)
{
    struct scope_walk w = {fn, arg, err};
    return cust_store_scope_persons(s, sc, on_scope_row, &w, err);
}
