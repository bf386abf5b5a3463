/*
 * locator.c - the public inmate locator: GET /locator (HTML, works without JavaScript) and
 * GET /api/v1/public/inmates (JSON).
 *
 * The only store call here is cust_store_public_search(), whose SQL reads the allow-listed view
 * public_bookings and nothing else. Error messages never repeat record data; inputs are checked
 * against a narrow alphabet first, so nothing odd reaches the store or the page.
 */
#include "custodian/compat.h"
#include "custodian/date.h"
#include "custodian/store_accounts.h"
#include "web_internal.h"

#include <jansson.h>
#include <time.h>

#define NAME_MAX_CHARS    64
#define BOOKING_MAX_CHARS 32

struct locator_query {
    char last[NAME_MAX_CHARS + 1], first[NAME_MAX_CHARS + 1], booking[BOOKING_MAX_CHARS + 1];
    char dob[11]; /* a filter only: never echoed, never in a response */
    bool has_last, has_first, has_booking, has_dob, any;
};

/* Names: letters, space, hyphen, apostrophe, period; stored upper case. */
static bool clean_name(const char *in, char *out, size_t cap)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)in; *p; p++) {
        if (n + 1 >= cap)
            return false;
        unsigned char c = *p;
        if (c >= 'a' && c <= 'z')
            c = (unsigned char)(c - 'a' + 'A');
        if (!((c >= 'A' && c <= 'Z') || c == ' ' || c == '-' || c == '\'' || c == '.'))
            return false;
        out[n++] = (char)c;
    }
    while (n > 0 && out[n - 1] == ' ')
        n--;
    out[n] = '\0';
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
            ok = clean_name(v, out = q->last, sizeof(q->last));
            has = &q->has_last;
        } else if (strcmp(k, "first_name") == 0) {
            ok = clean_name(v, out = q->first, sizeof(q->first));
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
                         "%s: letters, spaces, hyphens, apostrophes and periods only, at most %d",
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
#define CACHE_KEY_MAX (NAME_MAX_CHARS * 2 + BOOKING_MAX_CHARS + 11 + 8)

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
    snprintf(key, CACHE_KEY_MAX, "%s|%s|%s|%s", q->has_last ? q->last : "",
             q->has_first ? q->first : "", q->has_booking ? q->booking : "",
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
    json_t **items; /* HTML: parsed rows */
    struct cust_buf *json;
    size_t n;
    unsigned cap;
    bool truncated;
    /* HTML */
    struct cust_buf *html;
};

static enum cust_status json_row(const struct cust_public_row *r, void *arg)
{
    struct rows *x = arg;
    if (x->n == x->cap) {
        x->truncated = true;
        return CUST_OK;
    }
    struct cust_buf *b = x->json;
    enum cust_status st = cust_buf_puts(b, x->n ? ",{\"booking_number\":" : "{\"booking_number\":");
    st = st ? st : web_json_str(b, r->booking_number);
    st = st ? st : cust_buf_puts(b, ",\"last_name\":");
    st = st ? st : web_json_str(b, r->last_name);
    st = st ? st : cust_buf_puts(b, ",\"first_name\":");
    st = st ? st : web_json_str(b, r->first_name);
    st = st ? st : cust_buf_puts(b, ",\"middle_name\":");
    st = st ? st : web_json_str(b, r->middle_name);
    st = st ? st : cust_buf_puts(b, ",\"booked_at\":");
    st = st ? st : web_json_str(b, r->booked_at);
    st = st ? st : cust_buf_puts(b, ",\"facility\":");
    st = st ? st : web_json_str(b, r->facility);
    st = st ? st : cust_buf_puts(b, ",\"arresting_agency\":");
    st = st ? st : web_json_str(b, r->arresting_agency);
    st = st ? st : cust_buf_puts(b, ",\"charges\":");
    st = st ? st : cust_buf_puts(b, r->charges_json ? r->charges_json : "[]");
    st = st ? st : cust_buf_puts(b, ",\"release_date\":");
    st = st ? st : web_json_str(b, r->scheduled_release);
    st = st ? st : cust_buf_putc(b, '}');
    x->n++;
    return st;
}

static int64_t booked_before(const struct cust_web *w)
{
    return cust_now() - (int64_t)w->cfg.hide_recent_hours * 3600;
}

static enum cust_status search(struct cust_web *w, const struct locator_query *q, cust_public_fn fn,
                               struct rows *x, struct cust_err *err)
{
    struct cust_public_query pq = {
        .last_name = q->has_last ? q->last : NULL,
        .first_name = q->has_first ? q->first : NULL,
        .booking_number = q->has_booking ? q->booking : NULL,
        .dob = q->has_dob ? q->dob : NULL,
        .booked_before = booked_before(w),
        .today = cust_today(),
        .limit = x->cap + 1,
    };
    struct cust_store *s = web_acquire(w);
    enum cust_status st = cust_store_public_search(s, &pq, fn, x, err);
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
    struct cust_buf b;
    cust_buf_init(&b, 0);
    struct rows x = {.json = &b, .cap = w->cfg.result_cap};
    struct cust_err err = CUST_ERR_INIT;
    enum cust_status st = cust_buf_puts(&b, "{\"results\":[");
    st = st ? st : search(w, &q, json_row, &x, &err);
    if (st != CUST_OK) {
        cust_buf_release(&b);
        /* a store failure: say so without detail */
        return cust_http_res_error_raw(res, 500, "internal", "the locator is unavailable");
    }
    st = cust_buf_appendf(&b,
                          "],\"count\":%zu,\"truncated\":%s,\"result_cap\":%u,"
                          "\"hidden_recent_hours\":%u}",
                          x.n, x.truncated ? "true" : "false", w->cfg.result_cap,
                          w->cfg.hide_recent_hours);
    if (st == CUST_OK)
        cache_put(w->cache, key, b.buf, b.len);
    st = st ? st : cust_buf_putc(&b, '\0');
    st = st ? st : cust_http_res_json_str(res, 200, b.buf);
    cust_buf_release(&b);
    return st;
}

/* ---- HTML ----------------------------------------------------------------------------------- */

static enum cust_status money(struct cust_buf *b, json_int_t cents)
{
    char digits[32];
    snprintf(digits, sizeof(digits), "%lld", (long long)(cents / 100));
    size_t n = strlen(digits);
    enum cust_status st = cust_buf_putc(b, '$');
    for (size_t i = 0; st == CUST_OK && i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            st = cust_buf_putc(b, ',');
        st = st ? st : cust_buf_putc(b, digits[i]);
    }
    return st ? st : cust_buf_appendf(b, ".%02lld", (long long)(cents % 100));
}

static enum cust_status html_row(const struct cust_public_row *r, void *arg)
{
    struct rows *x = arg;
    if (x->n == x->cap) {
        x->truncated = true;
        return CUST_OK;
    }
    struct cust_buf *b = x->html;
    x->n++;
    enum cust_status st = cust_buf_puts(b, "<tr><th scope=\"row\">");
    st = st ? st : web_h(b, r->last_name);
    st = st ? st : cust_buf_puts(b, ", ");
    st = st ? st : web_h(b, r->first_name);
    if (r->middle_name && *r->middle_name) {
        st = st ? st : cust_buf_putc(b, ' ');
        st = st ? st : web_h(b, r->middle_name);
    }
    st = st ? st : cust_buf_puts(b, "</th><td>");
    st = st ? st : web_h(b, r->booking_number);
    st = st ? st : cust_buf_puts(b, "</td><td>");
    st = st ? st : web_h(b, r->booked_at);
    st = st ? st : cust_buf_puts(b, "</td><td>");
    st = st ? st : web_h(b, r->facility);
    st = st ? st : cust_buf_puts(b, "</td><td>");
    st = st ? st : web_h(b, r->arresting_agency);
    st = st ? st : cust_buf_puts(b, "</td><td><ul class=\"usa-list usa-list--unstyled\">");
    json_t *charges = r->charges_json ? json_loads(r->charges_json, 0, NULL) : NULL;
    json_int_t bail = 0;
    bool any_bail = false;
    const char *next_court = NULL;
    size_t i;
    json_t *c;
    json_array_foreach(charges, i, c)
    {
        const char *code = json_string_value(json_object_get(c, "code"));
        const char *desc = json_string_value(json_object_get(c, "description"));
        const char *status = json_string_value(json_object_get(c, "status"));
        const char *court = json_string_value(json_object_get(c, "next_court_date"));
        json_t *bc = json_object_get(c, "bail_cents");
        if (json_is_integer(bc) && json_integer_value(bc) >= 0) {
            bail += json_integer_value(bc);
            any_bail = true;
        }
        if (court && (!next_court || strcmp(court, next_court) < 0))
            next_court = court;
        st = st ? st : cust_buf_puts(b, "<li>");
        st = st ? st : web_h(b, code);
        if (desc) {
            st = st ? st : cust_buf_puts(b, " ");
            st = st ? st : web_h(b, desc);
        }
        if (status && strcmp(status, "hold") == 0)
            st = st ? st : cust_buf_puts(b, " (hold)");
        st = st ? st : cust_buf_puts(b, "</li>");
    }
    st = st ? st : cust_buf_puts(b, "</ul></td><td>");
    if (any_bail)
        st = st ? st : money(b, bail);
    else
        st = st ? st : cust_buf_puts(b, "None set");
    st = st ? st : cust_buf_puts(b, "</td><td>");
    st = st ? st : web_h(b, next_court ? next_court : "None scheduled");
    st = st ? st : cust_buf_puts(b, "</td><td>");
    st = st ? st : web_h(b, r->scheduled_release ? r->scheduled_release : "Not public");
    st = st ? st : cust_buf_puts(b, "</td></tr>\n");
    json_decref(charges);
    return st;
}

static enum cust_status field(struct cust_buf *b, const char *id, const char *label,
                              const char *value, const char *hint)
{
    enum cust_status st =
        cust_buf_appendf(b, "<label class=\"usa-label\" for=\"%s\">%s</label>\n", id, label);
    if (hint)
        st =
            st ? st
               : cust_buf_appendf(b, "<div class=\"usa-hint\" id=\"%s-hint\">%s</div>\n", id, hint);
    st = st ? st
            : cust_buf_appendf(b,
                               "<input class=\"usa-input\" id=\"%s\" name=\"%s\"%s%s%s"
                               " type=\"text\" value=\"",
                               id, id, hint ? " aria-describedby=\"" : "", hint ? id : "",
                               hint ? "-hint\"" : "");
    st = st ? st : web_h(b, value);
    return st ? st : cust_buf_puts(b, "\">\n");
}

enum cust_status web_locator_page(struct cust_http_request *req, struct cust_http_response *res,
                                  void *ctx)
{
    struct cust_web *w = ctx;
    struct locator_query q;
    char msg[160] = "";
    bool ok = parse_query(req, &q, msg, sizeof(msg));
    struct cust_buf b;
    cust_buf_init(&b, 0);
    enum cust_status st = web_page_begin(&b, "Inmate locator", NULL);
    st = st ? st
            : cust_buf_appendf(
                  &b,
                  "<p class=\"usa-intro\">Find a person in the county jail's custody. The list "
                  "shows what state law makes public about an arrest: name, booking number and "
                  "time, facility, charges, bail, next court date and arresting agency. Bookings "
                  "from the last %u hours are not shown yet.</p>\n",
                  w->cfg.hide_recent_hours);
    st = st ? st
            : cust_buf_puts(&b, "<form class=\"usa-form\" method=\"get\" action=\"/locator\""
                                " role=\"search\" aria-label=\"Inmate search\">\n");
    st = st ? st
            : field(&b, "last_name", "Last name", q.has_last ? q.last : "",
                    "Required unless you give a booking number");
    st = st ? st : field(&b, "first_name", "First name", q.has_first ? q.first : "", NULL);
    st = st ? st
            : field(&b, "booking_number", "Booking number", q.has_booking ? q.booking : "", NULL);
    st = st ? st
            : cust_buf_puts(&b, "<button class=\"usa-button\" type=\"submit\">Search"
                                "</button>\n</form>\n");
    int status = 200;
    if (!ok) {
        status = 400;
        st = st ? st
                : cust_buf_puts(&b, "<div class=\"usa-alert usa-alert--error\" role=\"alert\">"
                                    "<div class=\"usa-alert__body\"><p"
                                    " class=\"usa-alert__text\">");
        st = st ? st : web_h(&b, msg);
        st = st ? st : cust_buf_puts(&b, "</p></div></div>\n");
    } else if (q.any && st == CUST_OK) {
        struct cust_buf rows;
        cust_buf_init(&rows, 0);
        struct rows x = {.html = &rows, .cap = w->cfg.result_cap};
        struct cust_err err = CUST_ERR_INIT;
        if (search(w, &q, html_row, &x, &err) != CUST_OK) {
            status = 500;
            st = cust_buf_puts(&b, "<div class=\"usa-alert usa-alert--error\" role=\"alert\">"
                                   "<div class=\"usa-alert__body\"><p class=\"usa-alert__text\">"
                                   "The locator is unavailable. Please try again later.</p></div>"
                                   "</div>\n");
        } else {
            st = cust_buf_appendf(&b, "<h2 id=\"results\">%zu %s</h2>\n", x.n,
                                  x.n == 1 ? "person found" : "people found");
            if (x.truncated)
                st = st ? st
                        : cust_buf_appendf(
                              &b,
                              "<div class=\"usa-alert usa-alert--info usa-alert--slim\">"
                              "<div class=\"usa-alert__body\"><p"
                              " class=\"usa-alert__text\">Only the first %u are shown;"
                              " add a first name to narrow the search.</p></div>"
                              "</div>\n",
                              w->cfg.result_cap);
            if (x.n)
                st = st ? st
                        : cust_buf_puts(
                              &b, "<table class=\"usa-table usa-table--stacked\">\n"
                                  "<caption>Search results</caption>\n<thead><tr>"
                                  "<th scope=\"col\">Name</th><th scope=\"col\">Booking number</th>"
                                  "<th scope=\"col\">Booked</th><th scope=\"col\">Facility</th>"
                                  "<th scope=\"col\">Arresting agency</th>"
                                  "<th scope=\"col\">Charges</th><th scope=\"col\">Bail</th>"
                                  "<th scope=\"col\">Next court date</th>"
                                  "<th scope=\"col\">Release date</th></tr></thead>\n<tbody>\n");
            st = st ? st : cust_buf_append(&b, rows.buf ? rows.buf : "", rows.len);
            if (x.n)
                st = st ? st : cust_buf_puts(&b, "</tbody>\n</table>\n");
        }
        cust_buf_release(&rows);
    }
    st = st ? st : web_page_end(&b);
    if (st) {
        cust_buf_release(&b);
        return st;
    }
    return web_send_html(res, status, &b);
}

enum cust_status web_root(struct cust_http_request *req, struct cust_http_response *res, void *ctx)
{
    (void)req;
    (void)ctx;
    return web_redirect(res, "/locator");
}
