/*
 * feed.c - a feed run: one daily export read through its mapping and imported as one
 * transaction with the bookkeeping of the feed (docs/internals/feeds.md):
 *   - changed bookings become new versions, unchanged ones write nothing (the records import);
 *   - releases the export records are counted;
 *   - on a full snapshot, a booking the source listed before, absent now and still in custody
 *     in the store, is put up for a person to review: never released silently;
 *   - a booking listed again closes its open review item;
 *   - the run is one row in feed_runs and one ledger entry with the file's SHA-256.
 */
#include "custodian/compat.h"
#include "feeds_int.h"

#include <inttypes.h>
#include <jansson.h>

#include "custodian/date.h"
#include "custodian/ledger.h"
#include "custodian/store_feed.h"

#define MISSING_LISTED 100 /* booking numbers named in the ledger entry (all are counted) */

struct run {
    const struct cust_map *m;
    const struct cust_feed_run_opts *o;
    struct cust_feed_run_result *res;
    char **seen; /* booking numbers this file lists (valid or not) */
    size_t n_seen, cap_seen;
    json_t *missing_list;
    char now[32];
};

static void seen_add(struct run *r, const char *bn)
{
    if (r->n_seen == r->cap_seen) {
        r->cap_seen = r->cap_seen ? r->cap_seen * 2 : 256;
        r->seen = cust_xrealloc(r->seen, r->cap_seen * sizeof(*r->seen));
    }
    size_t n = strlen(bn) + 1;
    r->seen[r->n_seen] = cust_xmalloc(n);
    memcpy(r->seen[r->n_seen++], bn, n);
}

/* Was the booking not released in `old_doc` (or is there none)? */
static bool unreleased(const char *old_doc)
{
    if (!old_doc)
        return true;
    json_t *o = json_loads(old_doc, 0, NULL);
    bool un = !o || !json_is_string(json_object_get(o, "released_at"));
    json_decref(o);
    return un;
}

static enum cust_status on_booking(void *arg, struct cust_store *s, const struct cust_record *rec,
                                   const char *outcome, const char *old_doc, const char *changed,
                                   struct cust_err *err)
{
    (void)s;
    (void)err;
    struct run *r = arg;
    seen_add(r, rec->b.booking_number);
    if (rec->b.released_at && strcmp(outcome, "unchanged") != 0 &&
        (!old_doc || (changed && strstr(changed, "\"released_at\""))) && unreleased(old_doc))
        r->res->released++;
    return CUST_OK;
}

/* An invalid record still lists its booking: it is not missing from the snapshot. */
static void on_rejected(void *arg, const char *line, size_t len)
{
    struct run *r = arg;
    json_t *o = json_loadb(line, len, 0, NULL);
    const char *bn = json_string_value(json_object_get(o, "booking_number"));
    if (bn && *bn)
        seen_add(r, bn);
    json_decref(o);
}

struct missing_ctx {
    struct run *r;
    struct cust_store *s;
    struct cust_err *err;
};

static enum cust_status on_missing(const char *bn, int64_t last_run, bool review_open, void *arg)
{
    struct missing_ctx *x = arg;
    struct run *r = x->r;
    r->res->missing++;
    if (json_array_size(r->missing_list) < MISSING_LISTED)
        json_array_append_new(r->missing_list, json_string(bn));
    if (review_open)
        return CUST_OK;
    char reason[512];
    snprintf(reason, sizeof(reason),
             "not in the full snapshot %s (run %" PRId64 "), last listed by run %" PRId64
             "; still in custody in the store: confirm a release or a correction",
             r->o->path, r->res->run_id, last_run);
    enum cust_status st = cust_store_feed_review_open(x->s, cust_map_name(r->m), bn, r->res->run_id,
                                                      r->now, reason, x->err);
    if (st == CUST_OK)
        r->res->reviews_opened++;
    return st;
}

static enum cust_status on_finish(void *arg, struct cust_store *s,
                                  const struct cust_import_stats *stats, struct cust_err *err)
{
    struct run *r = arg;
    struct cust_feed_run_result *res = r->res;
    const char *source = cust_map_name(r->m);
    res->stats = *stats;
    enum cust_status st = cust_store_feed_next_run_id(s, &res->run_id, err);
    if (st == CUST_OK)
        st = cust_store_feed_mark_seen(s, source, res->run_id, (const char *const *)r->seen,
                                       r->n_seen, err);
    if (st == CUST_OK)
        st = cust_store_feed_reviews_reappeared(s, source, res->run_id, r->now, &res->reappeared,
                                                err);
    if (st == CUST_OK && res->full) {
        struct missing_ctx x = {r, s, err};
        st = cust_store_feed_missing(s, source, res->run_id, on_missing, &x, err);
    }
    if (st != CUST_OK)
        return st;
    struct cust_feed_run_row row = {
        .id = res->run_id,
        .source = source,
        .file = r->o->path,
        .sha256 = stats->sha256,
        .snapshot = res->full ? "full" : "delta",
        .run_at = r->now,
        .actor = r->o->actor,
        .records = stats->lines,
        .created = stats->created,
        .updated = stats->updated,
        .unchanged = stats->unchanged,
        .released = res->released,
        .missing = res->missing,
        .reviews_opened = res->reviews_opened,
        .reappeared = res->reappeared,
        .rejected = stats->rejected,
        .rejects_file = stats->rejects_path,
    };
    st = cust_store_feed_run_insert(s, &row, err);
    if (st != CUST_OK)
        return st;
    json_t *d =
        json_pack("{s:I,s:s,s:s,s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:O,s:I,s:I,s:I}", "run",
                  (json_int_t)res->run_id, "file", r->o->path, "sha256", stats->sha256, "mapping",
                  r->m->path, "snapshot", row.snapshot, "records", (json_int_t)stats->lines,
                  "created", (json_int_t)stats->created, "updated", (json_int_t)stats->updated,
                  "unchanged", (json_int_t)stats->unchanged, "released", (json_int_t)res->released,
                  "missing", (json_int_t)res->missing, "missing_bookings", r->missing_list,
                  "reviews_opened", (json_int_t)res->reviews_opened, "reappeared",
                  (json_int_t)res->reappeared, "rejected", (json_int_t)stats->rejected);
    if (stats->rejects_path)
        json_object_set_new(d, "rejects_file", json_string(stats->rejects_path));
    char *detail = json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(d);
    struct cust_ledger_entry e = {r->o->actor,
                                  "operator",
                                  "feed_run",
                                  "feed",
                                  source,
                                  stats->rejected ? "partial" : "ok",
                                  "daily feed from the jail management system",
                                  detail};
    st = cust_ledger_append(s, &e, err);
    free(detail);
    return st;
}

enum cust_status cust_feed_run(struct cust_store *s, const struct cust_map *m,
                               const struct cust_feed_run_opts *o, struct cust_feed_run_result *res,
                               struct cust_err *err)
{
    memset(res, 0, sizeof(*res));
    res->full = o->snapshot == CUST_FEED_SNAPSHOT_FULL ||
                (o->snapshot == CUST_FEED_SNAPSHOT_MAPPING && m->snapshot_full);
    struct run r = {.m = m, .o = o, .res = res, .missing_list = json_array()};
    cust_time_format(cust_now(), 0, true, r.now);
    struct cust_import_hooks hooks = {&r, on_booking, on_rejected, on_finish};
    struct cust_import_opts io = {
        .path = o->path,
        .actor = o->actor,
        .skip_invalid = o->skip_invalid,
        .progress = o->progress,
        .errors = o->errors,
        .hooks = &hooks,
        .no_ledger_entry = true,
    };
    struct cust_import_stats st;
    enum cust_status rc = cust_feed_import(s, m, &io, &st, err);
    if (rc == CUST_OK)
        res->stats = st;
    res->stats.seconds = st.seconds;
    for (size_t i = 0; i < r.n_seen; i++)
        free(r.seen[i]);
    free(r.seen);
    json_decref(r.missing_list);
    return rc;
}

enum cust_status cust_feed_review_resolve(struct cust_store *s, int64_t id, const char *actor,
                                          const char *note, struct cust_err *err)
{
    if (!note || !*note)
        return cust_err_set(err, CUST_EINVAL, "a resolution says what was found (--note)");
    char now[32], source[256], bn[256];
    cust_time_format(cust_now(), 0, true, now);
    enum cust_status st = cust_store_begin(s, err);
    if (st != CUST_OK)
        return st;
    st = cust_store_feed_review_resolve(s, id, actor, now, note, source, sizeof(source), bn,
                                        sizeof(bn), err);
    if (st == CUST_OK) {
        json_t *d = json_pack("{s:I,s:s,s:s,s:s}", "review", (json_int_t)id, "source", source,
                              "booking_number", bn, "resolution", note);
        char *detail = json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER);
        json_decref(d);
        struct cust_ledger_entry e = {actor,
                                      "operator",
                                      "feed_review_resolve",
                                      "booking",
                                      bn,
                                      "ok",
                                      "a booking missing from a full snapshot, reviewed",
                                      detail};
        st = cust_ledger_append(s, &e, err);
        free(detail);
    }
    if (st == CUST_OK)
        st = cust_store_commit(s, err);
    else
        cust_store_rollback(s);
    return st;
}
