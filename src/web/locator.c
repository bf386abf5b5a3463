/*
 * locator.c - the public inmate locator: GET /locator (HTML, works without JavaScript) and
 * GET /api/v1/public/inmates (JSON).
 *
 * The only store call here is cust_store_public_read() (the rows and their count), whose SQL reads
 * the allow-listed view public_bookings and its in-custody rows public_custody, nothing else. Error
 * messages never repeat record data; inputs are checked against a narrow alphabet first, so
 * nothing odd reaches the store or the page.
 */
#include "custodian/compat.h"
#include "custodian/date.h"
#include "custodian/datewords.h"
#include "custodian/namekey.h"
#include "custodian/store_accounts.h"
#include "web_internal.h"

#include <jansson.h>
#include <time.h>

#define NAME_MAX_CHARS    64
#define NAME_MAX_BYTES    (NAME_MAX_CHARS * 4 + 1)
#define BOOKING_MAX_CHARS 32

struct locator_query {
    /* names as typed (trimmed; shown back in the form) and their keys (namekey.h) */
    char last[NAME_MAX_BYTES], first[NAME_MAX_BYTES], booking[BOOKING_MAX_CHARS + 1];
    char last_key[CUST_NAME_KEY_MAX], first_key[CUST_NAME_KEY_MAX];
    char dob[11]; /* a filter only: never echoed, never in a response */
    bool has_last, has_first, has_booking, has_dob, any;
};

/* Names: letters of any script with their marks, spaces, hyphens, apostrophes, periods
 * (cust_name_plausible), at most NAME_MAX_CHARS characters; kept as typed, trimmed, and searched
 * by their key. A name whose key is empty ("-") is not given. */
static bool clean_name(const char *in, char *out, size_t cap, char key[CUST_NAME_KEY_MAX])
{
    if (!cust_name_plausible(in, NAME_MAX_CHARS))
        return false;
    while (*in == ' ')
        in++;
    size_t n = strlen(in);
    while (n > 0 && in[n - 1] == ' ')
        n--;
    if (n >= cap)
        return false;
    memcpy(out, in, n);
    out[n] = '\0';
    if (cust_name_key(out, n, key, CUST_NAME_KEY_MAX, NULL) != CUST_OK)
        return false;
    if (!key[0])
        out[0] = '\0';
    return true;
}

static bool clean_booking(const char *in, char *out, size_t cap)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)in; *p; p++) {
        if (n + 1 >= cap)
            return false;
        unsigned char c = *p;
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-'))
            return false;
        out[n++] = (char)c;
    }
    out[n] = '\0';
    return true;
}

/*
 * Read and check the query. On a problem, `msg` gets a message that names the parameter only
 * (never its value).
 */
static bool parse_query(const struct cust_http_request *req, struct locator_query *q, char *msg,
                        size_t cap)
{
    memset(q, 0, sizeof(*q));
    for (size_t i = 0; i < req->query.len; i++) {
        const char *k = req->query.items[i].key, *v = req->query.items[i].value;
        bool ok = true, *has = NULL;
        char *out = NULL;
        if (strcmp(k, "last_name") == 0) {
            ok = clean_name(v, out = q->last, sizeof(q->last), q->last_key);
            has = &q->has_last;
        } else if (strcmp(k, "first_name") == 0) {
            ok = clean_name(v, out = q->first, sizeof(q->first), q->first_key);
            has = &q->has_first;
        } else if (strcmp(k, "booking_number") == 0) {
            ok = clean_booking(v, out = q->booking, sizeof(q->booking));
            has = &q->has_booking;
        } else if (strcmp(k, "dob") == 0) {
            /* Date of birth narrows a search (exact, a full calendar date) but is never shown:
             * the view has it as a filter column only. A partial date in the store
             * (YYYY-MM-XX) never equals a full one, so it never matches. */
            int32_t day;
            q->has_dob = false;
            if (!*v)
                continue;
            if (!cust_date_parse(v, &day)) {
                snprintf(msg, cap, "dob: a calendar date as YYYY-MM-DD");
                return false;
            }
            cust_date_format(day, q->dob);
            q->has_dob = true;
            continue;
        } else {
            snprintf(msg, cap,
                     "unknown parameter (allowed: last_name, first_name,"
                     " booking_number, dob)");
            return false;
        }
        if (!ok) {
            if (out == q->booking)
                snprintf(msg, cap, "booking_number: letters, digits and hyphens only, at most %d",
                         BOOKING_MAX_CHARS);
            else
                snprintf(msg, cap,
                         "%s: letters (any script, accents welcome), spaces, hyphens, apostrophes"
                         " and periods only, at most %d",
                         k, NAME_MAX_CHARS);
            return false;
        }
        *has = out[0] != '\0';
        q->any = q->any || *has;
    }
    if (q->any && !q->has_last && !q->has_booking) {
        snprintf(msg, cap, "give a last name or a booking number");
        return false;
    }
    return true;
}

/* ---- a short-lived response cache --------------------------------------------------------------
 * The locator's answers change slowly: a booking appears only hide_recent_hours after it is
 * made, and a release takes effect at most `ttl` seconds late. So the JSON body of a query is
 * kept for `ttl` seconds (default 30; 0 disables) in a direct-mapped table keyed by the
 * normalized query, each slot behind one of a few striped locks. */

#define CACHE_SLOTS   2048
#define CACHE_STRIPES 64
#define CACHE_KEY_MAX (CUST_NAME_KEY_MAX * 2 + BOOKING_MAX_CHARS + 11 + 8)

struct cache_entry {
    char key[CACHE_KEY_MAX];
    char *body;
    size_t len;
    int64_t expires_us;
};

struct web_cache {
    unsigned ttl_s;
    pthread_mutex_t stripe[CACHE_STRIPES];
    struct cache_entry e[CACHE_SLOTS];
};

struct web_cache *web_cache_new(unsigned ttl_s)
{
    struct web_cache *c = cust_xcalloc(1, sizeof(*c));
    c->ttl_s = ttl_s;
    for (size_t i = 0; i < CACHE_STRIPES; i++)
        pthread_mutex_init(&c->stripe[i], NULL);
    return c;
}

void web_cache_free(struct web_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < CACHE_SLOTS; i++)
        free(c->e[i].body);
    for (size_t i = 0; i < CACHE_STRIPES; i++)
        pthread_mutex_destroy(&c->stripe[i]);
    free(c);
}

static int64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static uint32_t fnv1a(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static void cache_key(const struct locator_query *q, char key[CACHE_KEY_MAX])
{
    /* by the names' keys: "Mejía" and "mejia" are one query */
    snprintf(key, CACHE_KEY_MAX, "%s|%s|%s|%s", q->has_last ? q->last_key : "",
             q->has_first ? q->first_key : "", q->has_booking ? q->booking : "",
             q->has_dob ? q->dob : "");
}

/* On a hit, set the response from the cached body and return true. */
static bool cache_get(struct web_cache *c, const char *key, struct cust_http_response *res)
{
    if (!c || !c->ttl_s)
        return false;
    uint32_t h = fnv1a(key);
    struct cache_entry *e = &c->e[h % CACHE_SLOTS];
    pthread_mutex_t *m = &c->stripe[h % CACHE_STRIPES];
    bool hit = false;
    pthread_mutex_lock(m);
    if (e->body && e->expires_us > mono_us() && strcmp(e->key, key) == 0) {
        cust_buf_reset(&res->body);
        hit = cust_buf_append(&res->body, e->body, e->len) == CUST_OK;
    }
    pthread_mutex_unlock(m);
    if (hit) {
        res->status = 200;
        res->content_type = "application/json";
    }
    return hit;
}

static void cache_put(struct web_cache *c, const char *key, const char *body, size_t len)
{
    if (!c || !c->ttl_s)
        return;
    uint32_t h = fnv1a(key);
    struct cache_entry *e = &c->e[h % CACHE_SLOTS];
    pthread_mutex_t *m = &c->stripe[h % CACHE_STRIPES];
    char *copy = cust_xmalloc(len);
    memcpy(copy, body, len);
    pthread_mutex_lock(m);
    char *old = e->body;
    snprintf(e->key, sizeof(e->key), "%s", key);
    e->body = copy;
    e->len = len;
    e->expires_us = mono_us() + (int64_t)c->ttl_s * 1000000;
    pthread_mutex_unlock(m);
    free(old);
}

struct rows {
    struct cust_buf *json; /* the API's answer, written as it comes */
    json_t *page_rows;     /* the page's rows (locator.html) */
    size_t n;
    unsigned cap;
    bool truncated;
    int64_t total; /* every match, when truncated (search) */
};

static enum cust_status json_row(const struct cust_public_row *r, void *arg)
{
    struct rows *x = arg;
    if (x->n == x->cap) {
        x->truncated = true;
        return CUST_OK;
    }
    struct cust_buf *b = x->json;
    cust_buf_puts(b, x->n ? ",{" : "{");
    /* the seven fields as kept with an in-custody row, else made the same way */
    if (r->fields)
        cust_buf_puts(b, r->fields);
    else
        cust_store_public_fields(b, r);
    cust_buf_puts(b, ",\"charges\":");
    cust_buf_puts(b, r->charges_json ? r->charges_json : "[]");
    cust_buf_puts(b, ",\"release_date\":");
    cust_buf_json_safe(b, r->scheduled_release);
    cust_buf_putc(b, '}');
    x->n++;
    return cust_buf_status(b);
}

static int64_t booked_before(const struct cust_web *w)
{
    return cust_now() - (int64_t)w->cfg.hide_recent_hours * 3600;
}

/* The page's rows through `fn`; when there are more than the cap, x->total counts them all
 * (the honest "showing 50 of 212"), else it is the number shown. */
static enum cust_status search(struct cust_web *w, const struct locator_query *q, cust_public_fn fn,
                               struct rows *x, struct cust_err *err)
{
    struct cust_public_query pq = {
        .last_name = q->has_last ? q->last_key : NULL,
        .first_name = q->has_first ? q->first_key : NULL,
        .booking_number = q->has_booking ? q->booking : NULL,
        .dob = q->has_dob ? q->dob : NULL,
        .booked_before = booked_before(w),
        .today = cust_today(),
        .limit = x->cap + 1,
    };
    /* the rows and their count in one read: they agree, and one read transaction is cheaper */
    struct cust_store *s = web_acquire(w);
    enum cust_status st = cust_store_public_read(s, &pq, fn, x, &x->total, err);
    web_release(w, s);
    return st;
}

enum cust_status web_locator_api(struct cust_http_request *req, struct cust_http_response *res,
                                 void *ctx)
{
    struct cust_web *w = ctx;
    struct locator_query q;
    char msg[160];
    if (!parse_query(req, &q, msg, sizeof(msg)))
        return cust_http_res_error(res, CUST_EINVAL, msg);
    if (!q.any)
        return cust_http_res_error(res, CUST_EINVAL, "give a last name or a booking number");
    char key[CACHE_KEY_MAX];
    cache_key(&q, key);
    if (cache_get(w->cache, key, res))
        return CUST_OK;
    /* written straight into the response's body (no copy of the ~32 KB answer) */
    struct cust_buf *b = &res->body;
    cust_buf_reset(b);
    /* about what a full answer takes (~650 bytes a row), so that it is not copied as it grows */
    cust_buf_reserve(b, (size_t)w->cfg.result_cap * 768 + 256);
    struct rows x = {.json = b, .cap = w->cfg.result_cap};
    struct cust_err err = CUST_ERR_INIT;
    enum cust_status st = cust_buf_puts(b, "{\"results\":[");
    st = st ? st : search(w, &q, json_row, &x, &err);
    if (st != CUST_OK) {
        cust_buf_reset(b);
        /* a store failure: say so without detail */
        return cust_http_res_error_raw(res, 500, "internal", "the locator is unavailable");
    }
    st = cust_buf_appendf(b,
                          "],\"count\":%zu,\"total\":%lld,\"truncated\":%s,\"result_cap\":%u,"
                          "\"hidden_recent_hours\":%u}",
                          x.n, (long long)x.total, x.truncated ? "true" : "false",
                          w->cfg.result_cap, w->cfg.hide_recent_hours);
    if (st != CUST_OK) {
        cust_buf_reset(b);
        return st;
    }
    cache_put(w->cache, key, b->buf, b->len);
    res->status = 200;
    res->content_type = "application/json";
    return CUST_OK;
}

/* ---- HTML ----------------------------------------------------------------------------------- */

/* One row of the page: the public fields, the charges, their bail summed, the next court date. */
static enum cust_status html_row(const struct cust_public_row *r, void *arg)
{
    struct rows *x = arg;
    if (x->n == x->cap) {
        x->truncated = true;
        return CUST_OK;
    }
    x->n++;
    json_t *charges = r->charges_json ? json_loads(r->charges_json, 0, NULL) : NULL;
    json_int_t bail = 0;
    bool any_bail = false;
    const char *next_court = NULL;
    json_t *list = json_array();
    size_t i;
    json_t *c;
    json_array_foreach(charges, i, c)
    {
        const char *status = json_string_value(json_object_get(c, "status"));
        const char *court = json_string_value(json_object_get(c, "next_court_date"));
        json_t *bc = json_object_get(c, "bail_cents");
        if (json_is_integer(bc) && json_integer_value(bc) >= 0) {
            bail += json_integer_value(bc);
            any_bail = true;
        }
        if (court && (!next_court || strcmp(court, next_court) < 0))
            next_court = court;
        json_array_append_new(
            list, json_pack("{s:s,s:s?,s:b}", "code",
                            web_or_empty(json_string_value(json_object_get(c, "code"))),
                            "description", json_string_value(json_object_get(c, "description")),
                            "hold", status && strcmp(status, "hold") == 0));
    }
    /* dates as people read them, instants in the county's zone (datewords.h) */
    char booked[CUST_DATE_WORDS_MAX], court[CUST_DATE_WORDS_MAX], release[CUST_DATE_WORDS_MAX];
    cust_words_of(r->booked_at, "en", booked);
    cust_words_of(next_court ? next_court : "None scheduled", "en", court);
    cust_words_of(r->scheduled_release ? r->scheduled_release : "Not public", "en", release);
    json_t *row = json_pack(
        "{s:s,s:s,s:s?,s:s,s:s,s:s,s:s,s:o,s:o,s:s,s:s}", "last_name", web_or_empty(r->last_name),
        "first_name", web_or_empty(r->first_name), "middle_name",
        r->middle_name && *r->middle_name ? r->middle_name : NULL, "booking_number",
        web_or_empty(r->booking_number), "booked_at", booked, "facility", web_or_empty(r->facility),
        "arresting_agency", web_or_empty(r->arresting_agency), "charges", list, "bail",
        any_bail ? web_dollars(bail) : json_string("None set"), "next_court_date", court,
        "release_date", release);
    json_decref(charges);
    return row && json_array_append_new(x->page_rows, row) == 0 ? CUST_OK : CUST_ENOMEM;
}

enum cust_status web_locator_page(struct cust_http_request *req, struct cust_http_response *res,
                                  void *ctx)
{
    struct cust_web *w = ctx;
    struct locator_query q;
    char msg[160] = "";
    bool ok = parse_query(req, &q, msg, sizeof(msg));
    json_t *v = json_pack("{s:I,s:s,s:s,s:s,s:O?}", "hide_recent_hours",
                          (json_int_t)w->cfg.hide_recent_hours, "last_name",
                          q.has_last ? q.last : "", "first_name", q.has_first ? q.first : "",
                          "booking_number", q.has_booking ? q.booking : "", "agency", w->agency);
    int status = 200;
    if (!ok) {
        status = 400;
        json_object_set_new(v, "error", json_string(msg));
    } else if (q.any) {
        struct rows x = {.page_rows = json_array(), .cap = w->cfg.result_cap};
        struct cust_err err = CUST_ERR_INIT;
        if (search(w, &q, html_row, &x, &err) != CUST_OK) {
            status = 500;
            json_decref(x.page_rows);
            json_object_set_new(v, "error",
                                json_string("The locator is unavailable. Please try again later."));
        } else {
            json_object_set_new(v, "results",
                                json_pack("{s:I,s:I,s:b,s:b,s:I,s:b,s:o}", "count", (json_int_t)x.n,
                                          "total", (json_int_t)x.total, "one", x.n == 1,
                                          "truncated", x.truncated, "result_cap",
                                          (json_int_t)w->cfg.result_cap, "any", x.n > 0, "rows",
                                          x.page_rows));
        }
    }
    return web_page(w, res, status, "Inmate locator", NULL, "locator", v);
}

enum cust_status web_root(struct cust_http_request *req, struct cust_http_response *res, void *ctx)
{
    (void)req;
    (void)ctx;
    return web_redirect(res, "/locator");
}
