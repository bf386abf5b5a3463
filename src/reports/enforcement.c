/*
 * enforcement.c - the enforcement-action log: federal immigration enforcement seen in the
 * county (when, where, which agency, who was detained and why, who said so), each entry kept
 * with its ledger entry; a public view of counts by area and month with no names.
 *
 * Entries are never changed: a correction is a new entry naming the one it `supersedes`, and
 * the counts leave the superseded one out.
 */
#include "custodian/compat.h"
#include "custodian/date.h"
#include "custodian/ledger.h"
#include "reports_internal.h"

#define MAX_SHORT 120
#define MAX_LONG  2000

/* A text field: a string without control characters, 1..max bytes (or absent if optional). */
static const char *text_field(const json_t *doc, const char *key, size_t max, bool required,
                              struct cust_diag *dg)
{
    json_t *v = json_object_get(doc, key);
    char path[64];
    snprintf(path, sizeof(path), "enforcement.%s", key);
    if (!v || json_is_null(v)) {
        if (required)
            cust_diag_add(dg, path, "required");
        return NULL;
    }
    const char *s = json_string_value(v);
    if (!s) {
        cust_diag_add(dg, path, "must be a string");
        return NULL;
    }
    size_t n = json_string_length(v);
    if (n == 0 || n > max) {
        cust_diag_add(dg, path, "must be 1 to %zu bytes", max);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
            cust_diag_add(dg, path, "control characters are not allowed");
            return NULL;
        }
    return s;
}

enum cust_status cust_enforcement_parse(const json_t *doc, int64_t now,
                                        struct cust_enforcement *out, struct cust_diag *dg)
{
    memset(out, 0, sizeof(*out));
    if (!json_is_object(doc)) {
        cust_diag_add(dg, "enforcement", "must be a JSON object");
        return CUST_EINVAL;
    }
    static const char *const known[] = {"occurred_at", "area",    "place",  "agency", "persons",
                                        "detained",    "reasons", "source", "note",   "supersedes"};
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)doc, k, v)
    {
        bool ok = false;
        for (size_t i = 0; i < CUST_ARRAY_LEN(known); i++)
            ok |= strcmp(k, known[i]) == 0;
        if (!ok) {
            char path[200];
            snprintf(path, sizeof(path), "enforcement.%.180s", k);
            cust_diag_add(dg, path, "unknown field");
        }
    }
    size_t before = cust_diag_count(dg);
    struct cust_enforcement e = {0};
    e.occurred_at = text_field(doc, "occurred_at", 40, true, dg);
    if (e.occurred_at && !cust_time_parse(e.occurred_at, &e.occurred_ts, &e.occurred_offset)) {
        cust_diag_add(dg, "enforcement.occurred_at",
                      "not an RFC 3339 date-time with an offset (2025-06-06T10:30:00-07:00)");
        e.occurred_at = NULL;
    }
    if (e.occurred_at && e.occurred_ts > now + 3600)
        cust_diag_add(dg, "enforcement.occurred_at", "is in the future");
    e.area = text_field(doc, "area", MAX_SHORT, true, dg);
    e.place = text_field(doc, "place", MAX_SHORT * 2, false, dg);
    e.agency = text_field(doc, "agency", MAX_SHORT, true, dg);
    e.reasons = text_field(doc, "reasons", MAX_LONG, false, dg);
    e.source = text_field(doc, "source", MAX_SHORT * 2, true, dg);
    e.note = text_field(doc, "note", MAX_LONG, false, dg);
    json_t *persons = json_array();
    json_t *pv = json_object_get(doc, "persons");
    if (pv && !json_is_null(pv) && !json_is_array(pv))
        cust_diag_add(dg, "enforcement.persons", "must be an array of {\"name\": ...}");
    size_t i;
    json_t *p;
    json_array_foreach(pv, i, p)
    {
        char path[64];
        snprintf(path, sizeof(path), "enforcement.persons[%zu].name", i);
        json_t *nm = json_is_string(p) ? p : json_object_get(p, "name");
        const char *name = json_string_value(nm);
        size_t n = name ? json_string_length(nm) : 0;
        bool ctrl = false;
        for (size_t c = 0; c < n; c++)
            ctrl |= (unsigned char)name[c] < 0x20 || name[c] == 0x7f;
        if (!name || n == 0 || n > MAX_SHORT || ctrl)
            cust_diag_add(dg, path, "a name of 1 to %d bytes without control characters",
                          MAX_SHORT);
        else
            json_array_append_new(persons, json_stringn(name, n));
        if (json_is_object(p) && json_object_size(p) != 1) {
            snprintf(path, sizeof(path), "enforcement.persons[%zu]", i);
            cust_diag_add(dg, path, "only \"name\" is kept for a person");
        }
    }
    e.detained = (int64_t)json_array_size(persons);
    json_t *dv = json_object_get(doc, "detained");
    if (dv && !json_is_null(dv)) {
        if (!json_is_integer(dv) || json_integer_value(dv) < 0 || json_integer_value(dv) > 100000)
            cust_diag_add(dg, "enforcement.detained", "must be a whole number from 0 to 100000");
        else if (json_integer_value(dv) < e.detained)
            cust_diag_add(dg, "enforcement.detained", "is less than the %lld names given",
                          (long long)e.detained);
        else
            e.detained = json_integer_value(dv);
    }
    json_t *sv = json_object_get(doc, "supersedes");
    if (sv && !json_is_null(sv)) {
        if (!json_is_integer(sv) || json_integer_value(sv) <= 0)
            cust_diag_add(dg, "enforcement.supersedes", "must be the number of an entry");
        else
            e.supersedes = json_integer_value(sv);
    }
    if (cust_diag_count(dg) > before) {
        json_decref(persons);
        return CUST_EINVAL;
    }
    /* the names as stored: [{"name": ...}] */
    json_t *stored = json_array();
    json_array_foreach(persons, i, p) json_array_append_new(stored, json_pack("{s:O}", "name", p));
    e.persons = json_dumps(stored, JSON_COMPACT);
    json_decref(stored);
    json_decref(persons);
    *out = e;
    return CUST_OK;
}

enum cust_status cust_enforcement_add(struct cust_store *s, const json_t *doc, const char *actor,
                                      const char *role, int64_t *id, struct cust_diag *dg,
                                      struct cust_err *err)
{
    if (id)
        *id = 0;
    struct cust_enforcement e;
    if (cust_enforcement_parse(doc, cust_now(), &e, dg) != CUST_OK)
        return CUST_EINVAL;
    char *ptext = (char *)e.persons;
    bool names_given = strcmp(ptext, "[]") != 0;
    char now[32];
    cust_time_format(cust_now(), 0, true, now);
    e.recorded_by = actor && *actor ? actor : "cli";
    e.recorded_at = now;
    enum cust_status st = cust_store_begin(s, err);
    int64_t new_id = 0;
    if (st == CUST_OK)
        st = cust_store_enforcement_put(s, &e, &new_id, err);
    if (st == CUST_OK) {
        char oid[32];
        snprintf(oid, sizeof(oid), "%lld", (long long)new_id);
        /* the ledger entry names no one: the names are in the entry, restricted */
        json_t *d = json_pack("{s:s,s:s,s:s,s:I,s:I,s:b}", "occurred_at", e.occurred_at, "area",
                              e.area, "agency", e.agency, "detained", (json_int_t)e.detained,
                              "supersedes", (json_int_t)e.supersedes, "names_given", names_given);
        char *dt = json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER);
        json_decref(d);
        struct cust_ledger_entry le = {e.recorded_by,
                                       role && *role ? role : "cli",
                                       "enforcement.add",
                                       "enforcement",
                                       oid,
                                       "ok",
                                       e.source,
                                       dt};
        st = cust_ledger_append(s, &le, err);
        free(dt);
    }
    if (st == CUST_OK)
        st = cust_store_commit(s, err);
    else
        cust_store_rollback(s);
    free(ptext);
    if (st == CUST_OK && id)
        *id = new_id;
    return st;
}

/* ---- reading ------------------------------------------------------------------------------ */

struct entries {
    struct cust_enforcement *v;
    size_t n, cap;
};

static char *dup0(const char *s)
{
    return s ? cust_xstrdup(s) : NULL;
}

static enum cust_status on_entry(const struct cust_enforcement *e, void *arg)
{
    struct entries *c = arg;
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 32;
        c->v = cust_xrealloc(c->v, c->cap * sizeof(*c->v));
    }
    struct cust_enforcement *x = &c->v[c->n++];
    *x = *e;
    x->occurred_at = dup0(e->occurred_at);
    x->area = dup0(e->area);
    x->place = dup0(e->place);
    x->agency = dup0(e->agency);
    x->persons = dup0(e->persons);
    x->reasons = dup0(e->reasons);
    x->source = dup0(e->source);
    x->note = dup0(e->note);
    x->recorded_by = dup0(e->recorded_by);
    x->recorded_at = dup0(e->recorded_at);
    return CUST_OK;
}

static void entries_free(struct entries *c)
{
    for (size_t i = 0; i < c->n; i++) {
        struct cust_enforcement *x = &c->v[i];
        free((char *)x->occurred_at);
        free((char *)x->area);
        free((char *)x->place);
        free((char *)x->agency);
        free((char *)x->persons);
        free((char *)x->reasons);
        free((char *)x->source);
        free((char *)x->note);
        free((char *)x->recorded_by);
        free((char *)x->recorded_at);
    }
    free(c->v);
}

/* Every entry (a correction may name an entry outside the period). */
static enum cust_status load(struct cust_store *s, struct entries *c, struct cust_err *err)
{
    memset(c, 0, sizeof(*c));
    return cust_store_enforcement_list(s, CUST_NO_TIME, CUST_NO_TIME, on_entry, c, err);
}

static bool superseded(const struct entries *c, int64_t id)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->v[i].supersedes == id)
            return true;
    return false;
}

static void bounds(int32_t from, int32_t to, int64_t *from_ts, int64_t *to_ts)
{
    if (from > to) {
        *from_ts = INT64_MIN;
        *to_ts = INT64_MAX;
    } else {
        rp_period(from, to, from_ts, to_ts);
    }
}

enum cust_status cust_enforcement_list(struct cust_store *s, int32_t from, int32_t to, bool names,
                                       json_t **out, struct cust_err *err)
{
    *out = NULL;
    struct entries c;
    enum cust_status st = load(s, &c, err);
    if (st != CUST_OK) {
        entries_free(&c);
        return st;
    }
    int64_t from_ts, to_ts;
    bounds(from, to, &from_ts, &to_ts);
    json_t *rows = json_array();
    json_int_t detained = 0, entries = 0;
    for (size_t i = 0; i < c.n; i++) {
        const struct cust_enforcement *e = &c.v[i];
        if (e->occurred_ts < from_ts || e->occurred_ts >= to_ts)
            continue;
        bool sup = superseded(&c, e->id);
        json_t *row = json_pack(
            "{s:I,s:s,s:s,s:s?,s:s,s:I,s:s?,s:s,s:s?,s:I,s:b,s:s,s:s}", "id", (json_int_t)e->id,
            "occurred_at", e->occurred_at, "area", e->area, "place", e->place, "agency", e->agency,
            "detained", (json_int_t)e->detained, "reasons", e->reasons, "source", e->source, "note",
            e->note, "supersedes", (json_int_t)e->supersedes, "superseded", sup, "recorded_by",
            e->recorded_by, "recorded_at", e->recorded_at);
        if (names) {
            json_t *p = json_loads(e->persons ? e->persons : "[]", 0, NULL);
            struct cust_buf b = CUST_BUF_INIT;
            size_t k;
            json_t *x;
            enum cust_status bs = CUST_OK;
            json_array_foreach(p, k, x)
            {
                const char *n = json_string_value(json_object_get(x, "name"));
                bs = bs ? bs : (k ? cust_buf_puts(&b, "; ") : CUST_OK);
                bs = bs ? bs : cust_buf_puts(&b, n ? n : "");
            }
            json_object_set_new(row, "persons", p ? p : json_array());
            json_object_set_new(row, "names", json_string(bs == CUST_OK && b.buf ? b.buf : ""));
            cust_buf_release(&b);
        }
        json_array_append_new(rows, row);
        if (!sup) {
            entries++;
            detained += e->detained;
        }
    }
    json_t *r = rp_header("enforcement", from > to ? 0 : from, from > to ? 0 : to);
    if (from > to) {
        json_object_set_new(r, "from", json_null());
        json_object_set_new(r, "to", json_null());
    }
    json_object_set_new(r, "names_included", json_boolean(names));
    json_object_set_new(r, "entries", json_integer(entries));
    json_object_set_new(r, "detained", json_integer(detained));
    json_object_set_new(r, "rows", rows);
    entries_free(&c);
    *out = r;
    return CUST_OK;
}

enum cust_status cust_enforcement_public(struct cust_store *s, int32_t from, int32_t to,
                                         json_t **out, struct cust_err *err)
{
    *out = NULL;
    if (from > to)
        return cust_err_set(err, CUST_EINVAL, "the period ends before it begins");
    struct entries c;
    enum cust_status st = load(s, &c, err);
    if (st != CUST_OK) {
        entries_free(&c);
        return st;
    }
    int64_t from_ts, to_ts;
    rp_period(from, to, &from_ts, &to_ts);
    size_t nmonths = rp_months(from, to);
    json_int_t *me = cust_xcalloc(nmonths ? nmonths : 1, sizeof(*me));
    json_int_t *md = cust_xcalloc(nmonths ? nmonths : 1, sizeof(*md));
    json_t *areas = json_object(), *cells = json_object();
    json_int_t entries = 0, detained = 0;
    for (size_t i = 0; i < c.n; i++) {
        const struct cust_enforcement *e = &c.v[i];
        if (e->occurred_ts < from_ts || e->occurred_ts >= to_ts || superseded(&c, e->id))
            continue;
        entries++;
        detained += e->detained;
        int32_t day = cust_time_zone_day(e->occurred_ts);
        size_t m = rp_month_index(from, day);
        if (m < nmonths) {
            me[m]++;
            md[m] += e->detained;
        }
        json_t *a = json_object_get(areas, e->area);
        if (!a) {
            a = json_pack("{s:s,s:I,s:I}", "area", e->area, "entries", (json_int_t)0, "detained",
                          (json_int_t)0);
            json_object_set_new(areas, e->area, a);
        }
        rp_count(a, "entries", 1);
        rp_count(a, "detained", e->detained);
        char key[200], mt[8];
        rp_month_text(day, mt);
        snprintf(key, sizeof(key), "%s\t%s", mt, e->area);
        json_t *cell = json_object_get(cells, key);
        if (!cell) {
            cell = json_pack("{s:s,s:s,s:I,s:I}", "month", mt, "area", e->area, "entries",
                             (json_int_t)0, "detained", (json_int_t)0);
            json_object_set_new(cells, key, cell);
        }
        rp_count(cell, "entries", 1);
        rp_count(cell, "detained", e->detained);
    }
    json_t *r = rp_header("enforcement-public", from, to);
    json_object_set_new(r, "entries", json_integer(entries));
    json_object_set_new(r, "detained", json_integer(detained));
    json_t *months = json_array();
    for (size_t m = 0; m < nmonths; m++) {
        char mt[8];
        rp_month_text(rp_month_day(from, m), mt);
        json_array_append_new(
            months, json_pack("{s:s,s:I,s:I}", "month", mt, "entries", me[m], "detained", md[m]));
    }
    json_object_set_new(r, "months", months);
    /* areas and cells in name / month order (object keys are kept in insertion order) */
    json_t *alist = json_array(), *clist = json_array();
    const char **keys =
        cust_xcalloc(json_object_size(areas) + json_object_size(cells) + 1, sizeof(*keys));
    size_t nk = 0;
    const char *k;
    json_t *v;
    json_object_foreach(areas, k, v) keys[nk++] = k;
    for (size_t a = 1; a < nk; a++)
        for (size_t b = a; b > 0 && strcmp(keys[b - 1], keys[b]) > 0; b--) {
            const char *t = keys[b];
            keys[b] = keys[b - 1];
            keys[b - 1] = t;
        }
    for (size_t a = 0; a < nk; a++)
        json_array_append(alist, json_object_get(areas, keys[a]));
    nk = 0;
    json_object_foreach(cells, k, v) keys[nk++] = k;
    for (size_t a = 1; a < nk; a++)
        for (size_t b = a; b > 0 && strcmp(keys[b - 1], keys[b]) > 0; b--) {
            const char *t = keys[b];
            keys[b] = keys[b - 1];
            keys[b - 1] = t;
        }
    for (size_t a = 0; a < nk; a++)
        json_array_append(clist, json_object_get(cells, keys[a]));
    free(keys);
    json_object_set_new(r, "areas", alist);
    json_object_set_new(r, "cells", clist);
    json_decref(areas);
    json_decref(cells);
    free(me);
    free(md);
    entries_free(&c);
    *out = r;
    return CUST_OK;
}
