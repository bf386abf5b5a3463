/*
 * desk_expiry.c - the sweep: a request whose hold window after release (policies/desk/
 * hold-windows.csv) passed without action expires, by the system, with a ledger entry citing the
 * window (desk.h cust_desk_sweep, docs/internals/desk.md).
 */
#include "custodian/compat.h"
#include "custodian/date.h"
#include "custodian/records.h"
#include "desk_internal.h"

/* ---- expiry ---------------------------------------------------------------------------- */

struct sweep_item {
    char id[CUST_REQUEST_ID_MAX];
    char status[16];
    int64_t end;                      /* the stored window's end */
    const struct desk_hold_window *w; /* the window, counted from the release */
};

struct sweep_ctx {
    const struct desk_law *law;
    int64_t now;
    struct sweep_item *items;
    size_t n, cap;
};

static enum cust_status on_sweep(const struct cust_request_row *r, void *arg)
{
    struct sweep_ctx *c = arg;
    /* every open request with a hold window, whatever its stored end: the window is counted
     * again from the current record (a release earlier or later than scheduled moves it); one
     * still counted from receipt is counted from the release once a confirmed person's record
     * says released (its person may have been released with no release date stated before:
     * window_end finds no window until then); and one acted on only by declining (cust_desk_sweep
     * looks at its actions) */
    const struct desk_hold_window *w = desk_hold_window_by_rule(c->law, r->law_rule);
    if (w && !w->from_release)
        w = desk_hold_window(c->law, w->request_kind, true);
    if (!w || strcmp(r->kind, w->request_kind) != 0 ||
        (!desk_is_pending(r->status) && strcmp(r->status, "acted") != 0) || r->received_ts > c->now)
        return CUST_OK; /* (a sweep as of a past time leaves later requests alone) */
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 8;
        c->items = cust_xrealloc(c->items, c->cap * sizeof(*c->items));
    }
    struct sweep_item *it = &c->items[c->n++];
    snprintf(it->id, sizeof(it->id), "%s", r->id);
    snprintf(it->status, sizeof(it->status), "%s", r->status);
    it->end = r->law_ts;
    it->w = w;
    return CUST_OK;
}

struct sweep_links {
    char **bn;
    size_t n;
};

static enum cust_status on_sweep_link(const struct cust_link_row *l, void *arg)
{
    struct sweep_links *c = arg;
    if (strcmp(l->state, "confirmed") != 0 || !l->booking_number)
        return CUST_OK;
    c->bn = cust_xrealloc(c->bn, (c->n + 1) * sizeof(*c->bn));
    c->bn[c->n++] = cust_xstrdup(l->booking_number);
    return CUST_OK;
}

/* The end of one booking's hold window `w` from its current record: its business hours from the
 * actual release (`released_at`); CUST_NO_TIME when the person is not released. */
static int64_t booking_window_end(struct cust_desk *d, const struct desk_hold_window *w,
                                  const char *bn)
{
    struct cust_record rec;
    if (cust_record_current(d->store, bn, &rec, NULL) != CUST_OK)
        return CUST_NO_TIME;
    /* Only a release that happened starts the hold window: a person still in custody past a
     * stated release date (a postponed or stale date) is still the subject of the detainer. */
    const char *released = rec.b.released_at;
    int64_t start = CUST_NO_TIME, t;
    if (released && cust_time_parse(released, &t, NULL))
        start = t;
    cust_record_release(&rec);
    return start == CUST_NO_TIME ? CUST_NO_TIME
                                 : cust_deadline_add_business_hours(d->env->cal, start, w->hours);
}

/* The request's hold window end now: the latest over its confirmed persons (every one's window
 * must have passed); CUST_NO_TIME when a person's release is not known. */
static enum cust_status window_end(struct cust_desk *d, const struct sweep_item *it, int64_t *end,
                                   struct cust_err *err)
{
    struct sweep_links c = {0};
    enum cust_status st = cust_store_links(d->store, it->id, on_sweep_link, &c, err);
    *end = c.n ? INT64_MIN + 1 : CUST_NO_TIME;
    for (size_t i = 0; i < c.n; i++) {
        int64_t e = st == CUST_OK && *end != CUST_NO_TIME ? booking_window_end(d, it->w, c.bn[i])
                                                          : CUST_NO_TIME;
        if (e == CUST_NO_TIME)
            *end = CUST_NO_TIME;
        else if (*end != CUST_NO_TIME && e > *end)
            *end = e;
        free(c.bn[i]);
    }
    free(c.bn);
    return st;
}

static enum cust_status on_sweep_done(const struct cust_action_row *a, void *arg)
{
    if (strcmp(a->outcome, "done") == 0)
        *(bool *)arg = true;
    return CUST_OK;
}

enum cust_status cust_desk_sweep(struct cust_desk *d, int64_t now, json_t **out,
                                 struct cust_err *err)
{
    *out = NULL;
    /* the system acts, whoever ran the command */
    struct cust_desk sys = *d;
    sys.actor = "system";
    sys.role = "system";
    struct sweep_ctx c = {.law = &d->env->law, .now = now};
    struct cust_request_filter f = {.open_only = true, .overdue_at = CUST_NO_TIME, .now = now};
    json_t *arr = json_array();
    char nowtxt[32], updated[32];
    cust_time_format(now, 0, true, nowtxt);
    desk_now(updated);
    /* listed inside the (immediate) transaction: nothing acts on a request between the look and
     * the change */
    enum cust_status st = cust_store_begin(d->store, err);
    if (st != CUST_OK) {
        json_decref(arr);
        return st;
    }
    st = cust_store_request_list(d->store, &f, on_sweep, &c, err);
    for (size_t i = 0; st == CUST_OK && i < c.n; i++) {
        const struct sweep_item *it = &c.items[i];
        /* a request acted on only by declining (the hold refused, the notification refused)
         * ends with its window like one never acted on; one on which something was done (a
         * notification given, a hold honored) was acted on in time and stays */
        bool done = false;
        if (strcmp(it->status, "acted") == 0 &&
            (st = cust_store_actions(d->store, it->id, on_sweep_done, &done, err)) != CUST_OK)
            break;
        if (done)
            continue;
        int64_t e;
        if ((st = window_end(d, it, &e, err)) != CUST_OK)
            break;
        if (e == CUST_NO_TIME)
            continue; /* a release no longer known: no window to pass */
        if (e >= now) {
            /* still open; keep the stored deadline true to the record */
            if (e != it->end) {
                char was[32] = "", now_end[32];
                if (it->end != CUST_NO_TIME)
                    cust_time_format(it->end, 0, true, was);
                cust_time_format(e, 0, true, now_end);
                st = cust_store_request_update(d->store, it->id, NULL, NULL, e, it->w->rule,
                                               updated, err);
                if (st == CUST_OK) /* the entry that commits the changed request row */
                    st = desk_log(&sys, "request.deadline", "request", it->id, "ok",
                                  "hold window recomputed from the booking record",
                                  json_pack("{s:s?,s:s,s:s,s:s}", "from", was[0] ? was : NULL, "to",
                                            now_end, "rule", it->w->rule, "as_of", nowtxt),
                                  err);
            }
            continue;
        }
        char end[32], reason[400];
        cust_time_format(e, 0, true, end);
        snprintf(reason, sizeof(reason),
                 "%s: hold window (%s, %d hours after release excluding weekends and "
                 "holidays) ended %s %s",
                 it->w->rule, it->w->cite, it->w->hours, end,
                 strcmp(it->status, "acted") == 0 ? "after it was declined" : "without action");
        st = cust_store_request_update(d->store, it->id, "expired", reason, CUST_NO_TIME, NULL,
                                       updated, err);
        if (st == CUST_OK)
            st = desk_log(&sys, "request.status", "request", it->id, "ok", reason,
                          json_pack("{s:s,s:s,s:s,s:s,s:s}", "from", it->status, "to", "expired",
                                    "rule", it->w->rule, "deadline", end, "as_of", nowtxt),
                          err);
        if (st == CUST_OK)
            json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:s}", "id", it->id, "from",
                                                 it->status, "deadline", end, "rule", it->w->rule));
    }
    free(c.items);
    if (st == CUST_OK)
        st = cust_store_commit(d->store, err);
    else
        cust_store_rollback(d->store);
    if (st != CUST_OK) {
        json_decref(arr);
        return st;
    }
    *out = arr;
    return CUST_OK;
}
