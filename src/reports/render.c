/*
 * render.c - a report's JSON as CSV or HTML (reports.h cust_report_render).
 *
 * The numbers are never computed here: every figure shown is read from the report's JSON, so
 * the CSV, the HTML and the API's JSON cannot disagree. HTML fragments use the U.S. Web
 * Design System's classes (the console's stylesheet); the standalone document adds a small
 * print stylesheet of its own. Text from the record is always escaped.
 */
#include "custodian/compat.h"
#include "reports_internal.h"

#include <stdarg.h>

struct out {
    struct cust_buf *b;
    enum cust_status st;
    int chart;                            /* charts drawn so far (unique ids) */
    const struct cust_report_window *win; /* the long table's window (NULL: every line) */
    size_t line, lines;                   /* the long table: the next line, how many */
};

static void put(struct out *o, const char *s)
{
    if (o->st == CUST_OK && s)
        o->st = cust_buf_puts(o->b, s);
}

static void h(struct out *o, const char *s)
{
    if (o->st == CUST_OK && s)
        o->st = cust_buf_html(o->b, s);
}

static void putf(struct out *o, const char *fmt, ...) CUST_PRINTF(2, 3);
static void putf(struct out *o, const char *fmt, ...)
{
    if (o->st != CUST_OK)
        return;
    char tmp[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    o->st = n < 0 || (size_t)n >= sizeof(tmp) ? CUST_ETOOBIG : cust_buf_puts(o->b, tmp);
}

static const char *str(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static json_int_t num(const json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

static json_int_t num2(const json_t *o, const char *k1, const char *k2)
{
    return json_integer_value(json_object_get(json_object_get(o, k1), k2));
}

/* ---- CSV ------------------------------------------------------------------------------------ */

enum cust_status rp_csv_field(struct cust_buf *b, const char *s)
{
    if (!s)
        return CUST_OK;
    /* a cell a spreadsheet would run as a formula gets a leading ' (OWASP, CSV injection) */
    bool formula = *s && strchr("=+-@\t\r", *s) != NULL;
    bool quote = formula || strpbrk(s, ",\"\r\n") != NULL;
    enum cust_status st = quote ? cust_buf_putc(b, '"') : CUST_OK;
    if (st == CUST_OK && formula)
        st = cust_buf_putc(b, '\'');
    for (const char *p = s; st == CUST_OK && *p; p++)
        st = *p == '"' ? cust_buf_puts(b, "\"\"") : cust_buf_putc(b, *p);
    return st == CUST_OK && quote ? cust_buf_putc(b, '"') : st;
}

enum cust_status rp_csv_int(struct cust_buf *b, json_int_t v)
{
    return cust_buf_appendf(b, "%lld", (long long)v);
}

static void cf(struct out *o, const char *s, bool last)
{
    if (o->st == CUST_OK)
        o->st = rp_csv_field(o->b, s);
    put(o, last ? "\r\n" : ",");
}

static void ci(struct out *o, json_int_t v, bool last)
{
    if (o->st == CUST_OK)
        o->st = rp_csv_int(o->b, v);
    put(o, last ? "\r\n" : ",");
}

/* A JSON array of strings joined by "; " (owned buffer). */
static char *joined(const json_t *arr)
{
    struct cust_buf b = CUST_BUF_INIT;
    size_t i;
    json_t *v;
    enum cust_status st = CUST_OK;
    json_array_foreach(arr, i, v)
    {
        if (st == CUST_OK && i)
            st = cust_buf_puts(&b, "; ");
        if (st == CUST_OK)
            st = cust_buf_puts(&b, json_string_value(v) ? json_string_value(v) : "");
    }
    char *s = cust_xstrdup(st == CUST_OK && b.buf ? b.buf : "");
    cust_buf_release(&b);
    return s;
}

/* An object {k: v} as "k: v; ..." (owned). */
static char *joined_obj(const json_t *obj)
{
    struct cust_buf b = CUST_BUF_INIT;
    const char *k;
    json_t *v;
    enum cust_status st = CUST_OK;
    bool first = true;
    json_object_foreach((json_t *)obj, k, v)
    {
        st = st ? st
                : cust_buf_appendf(&b, "%s%s: %s", first ? "" : "; ", k,
                                   json_string_value(v) ? json_string_value(v) : "");
        first = false;
    }
    char *s = cust_xstrdup(st == CUST_OK && b.buf ? b.buf : "");
    cust_buf_release(&b);
    return s;
}

static char *what_text(const json_t *row)
{
    json_t *w = json_object_get(row, "what");
    return json_is_array(w) ? joined(w)
                            : cust_xstrdup(json_string_value(w) ? json_string_value(w) : "");
}

static void csv_detainers(struct out *o, const json_t *r)
{
    put(o, "period,requests,detainers,holds_requested,holds_honored,notifications_requested,"
           "notifications_given,transfers_judicial_warrant,transfers_judicial_probable_cause,"
           "transfers_7282_5,items_given,items_withheld\r\n");
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(r, "months"), i, m)
    {
        cf(o, str(m, "month"), false);
        ci(o, num(m, "requests"), false);
        ci(o, num(m, "detainers"), false);
        ci(o, num(m, "holds_requested"), false);
        ci(o, num(m, "holds_honored"), false);
        ci(o, num(m, "notifications_requested"), false);
        ci(o, num(m, "notifications_given"), false);
        ci(o, num2(m, "transfers", "judicial_warrant"), false);
        ci(o, num2(m, "transfers", "judicial_probable_cause"), false);
        ci(o, num2(m, "transfers", "7282.5"), false);
        ci(o, num(m, "items_given"), false);
        ci(o, num(m, "items_withheld"), true);
    }
    char period[32];
    snprintf(period, sizeof(period), "%s..%s", str(r, "from"), str(r, "to"));
    cf(o, period, false);
    ci(o, num(r, "total"), false);
    ci(o, num2(r, "requests", "detainer"), false);
    ci(o, num2(r, "holds", "requested"), false);
    ci(o, num2(r, "holds", "honored"), false);
    ci(o, num2(r, "notifications", "requested"), false);
    ci(o, num2(r, "notifications", "given"), false);
    json_t *bb = json_object_get(json_object_get(r, "transfers"), "by_basis");
    ci(o, num(bb, "judicial_warrant"), false);
    ci(o, num(bb, "judicial_probable_cause"), false);
    ci(o, num(bb, "7282.5"), false);
    ci(o, num2(r, "data_requests", "items_given"), false);
    ci(o, num2(r, "data_requests", "items_withheld"), true);
}

static void csv_rows(struct out *o, const json_t *rows, const char *const *cols, size_t ncols)
{
    for (size_t c = 0; c < ncols; c++)
        cf(o, cols[c], c + 1 == ncols);
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        for (size_t c = 0; c < ncols; c++) {
            json_t *v = json_object_get(row, cols[c]);
            bool last = c + 1 == ncols;
            if (json_is_integer(v)) {
                ci(o, json_integer_value(v), last);
            } else if (json_is_boolean(v)) {
                cf(o, json_is_true(v) ? "yes" : "no", last);
            } else if (json_is_array(v)) {
                char *s = joined(v);
                cf(o, s, last);
                free(s);
            } else if (json_is_object(v)) {
                char *s = joined_obj(v);
                cf(o, s, last);
                free(s);
            } else {
                cf(o, json_string_value(v), last);
            }
        }
    }
}

static const char *const transfer_cols[] = {
    "date",      "request_id",     "request_kind", "booking_number", "agency", "basis",
    "authority", "warrant_number", "criterion",    "offense",        "at",     "recorded_by"};
static const char *const forum_cols[] = {
    "date",   "means",      "person",       "sex",   "age_band", "citizenship_country",
    "agency", "request_id", "request_kind", "detail"};
static const char *const oversight_cols[] = {
    "at",           "type",        "disclosure", "override",       "request_id",
    "request_kind", "agency",      "person_id",  "booking_number", "what",
    "outcome",      "verdict",     "rule",       "cite",           "actor",
    "reason",       "decision_id", "policy",     "policy_version"};
static const char *const enforcement_cols[] = {
    "id",      "occurred_at", "area", "place",      "agency",      "detained",   "names",
    "reasons", "source",      "note", "supersedes", "recorded_by", "recorded_at"};
static const char *const enforcement_cols_no_names[] = {
    "id",      "occurred_at", "area", "place",      "agency",      "detained",
    "reasons", "source",      "note", "supersedes", "recorded_by", "recorded_at"};
static const char *const enforcement_public_cols[] = {"month", "area", "entries", "detained"};

/* ---- HTML: shared pieces ---------------------------------------------------------------- */

static void table_begin(struct out *o, const char *caption, const char *const *heads, size_t n)
{
    put(o, "<div class=\"usa-table-container--scrollable\" tabindex=\"0\">"
           "<table class=\"usa-table usa-table--borderless usa-table--compact cust-table\">\n"
           "<caption>");
    h(o, caption);
    put(o, "</caption>\n<thead><tr>");
    for (size_t i = 0; i < n; i++) {
        put(o, "<th scope=\"col\">");
        h(o, heads[i]);
        put(o, "</th>");
    }
    put(o, "</tr></thead>\n<tbody>\n");
}

static void table_end(struct out *o)
{
    put(o, "</tbody></table></div>\n");
}

/* ---- the long table's window (cust_report_window: a page of the console) ------------------ */

static bool windowed(const struct out *o)
{
    return o->win && o->win->limit && o->win->href && o->lines > o->win->limit;
}

/* Before the long table of `total` lines: which of them this page shows. */
static void window_begin(struct out *o, size_t total)
{
    o->line = 0;
    o->lines = total;
    if (!windowed(o))
        return;
    size_t a = o->win->offset < total ? o->win->offset : total;
    size_t b = o->win->offset + o->win->limit < total ? o->win->offset + o->win->limit : total;
    if (a == b)
        putf(o,
             "<p class=\"cust-window\" id=\"lines-shown\">No lines from %zu: the table has "
             "%zu.</p>\n",
             o->win->offset + 1, total);
    else
        putf(o,
             "<p class=\"cust-window\" id=\"lines-shown\">Lines %zu&ndash;%zu of %zu below "
             "(every line is in the downloads).</p>\n",
             a + 1, b, total);
}

/* Whether the long table's next line is in the window (and count it). */
static bool shown(struct out *o)
{
    size_t k = o->line++;
    return !windowed(o) || (k >= o->win->offset && k < o->win->offset + o->win->limit);
}

static void page_link(struct out *o, size_t page, const char *cls, const char *label,
                      const char *id, bool current)
{
    put(o, "<a class=\"");
    put(o, cls);
    put(o, "\" href=\"");
    put(o, o->win->href);
    putf(o, "offset=%zu\"", page * o->win->limit);
    if (id)
        putf(o, " id=\"%s\"", id);
    if (current)
        put(o, " aria-current=\"page\"");
    put(o, " aria-label=\"");
    put(o, label);
    put(o, "\">");
}

/* After the long table: links to the other pages (the U.S. Web Design System's pagination). */
static void window_end(struct out *o)
{
    if (!windowed(o))
        return;
    size_t pages = (o->lines + o->win->limit - 1) / o->win->limit;
    size_t cur = o->win->offset / o->win->limit;
    put(o, "<nav aria-label=\"Pages of the table\" class=\"usa-pagination\">"
           "<ul class=\"usa-pagination__list\">\n");
    char label[48];
    if (cur > 0 && cur - 1 < pages) {
        put(o, "<li class=\"usa-pagination__item usa-pagination__arrow\">");
        page_link(o, cur - 1, "usa-pagination__link usa-pagination__previous-page", "Previous page",
                  "page-previous", false);
        put(o, "<span class=\"usa-pagination__link-text\">Previous</span></a></li>\n");
    }
    bool gap = false;
    for (size_t p = 0; p < pages; p++) {
        if (p != 0 && p + 1 != pages && (p + 2 < cur || p > cur + 2)) {
            if (!gap)
                put(o, "<li class=\"usa-pagination__item usa-pagination__overflow\" "
                       "aria-label=\"ellipsis indicating non-visible pages\"><span>"
                       "&hellip;</span></li>\n");
            gap = true;
            continue;
        }
        gap = false;
        put(o, "<li class=\"usa-pagination__item usa-pagination__page-no\">");
        snprintf(label, sizeof(label), "Page %zu", p + 1);
        page_link(o, p, p == cur ? "usa-pagination__button usa-current" : "usa-pagination__button",
                  label, NULL, p == cur);
        putf(o, "%zu</a></li>\n", p + 1);
    }
    if (cur + 1 < pages) {
        put(o, "<li class=\"usa-pagination__item usa-pagination__arrow\">");
        page_link(o, cur + 1, "usa-pagination__link usa-pagination__next-page", "Next page",
                  "page-next", false);
        put(o, "<span class=\"usa-pagination__link-text\">Next</span></a></li>\n");
    }
    put(o, "</ul></nav>\n");
}

/* The words for the wire names a report shows (request kinds, legal bases, means). */
static const char *words(const char *key)
{
    static const char *const w[][2] = {
        {"detainer", "Detainer (civil, I-247A)"},
        {"notification_request", "Notification request"},
        {"transfer_request", "Transfer request"},
        {"administrative_warrant", "Administrative warrant (I-200, I-205)"},
        {"judicial_warrant", "Judicial warrant"},
        {"judicial_probable_cause", "Judicial probable-cause determination"},
        {"interview_request", "Interview request"},
        {"information_request", "Information request"},
        {"administrative_subpoena", "Administrative subpoena"},
        {"court_order", "Court order"},
        {"7282.5", "Gov. Code 7282.5 criterion"},
        {"data_request", "data request"},
    };
    for (size_t i = 0; key && i < CUST_ARRAY_LEN(w); i++)
        if (strcmp(w[i][0], key) == 0)
            return w[i][1];
    return key;
}

/* A region code as a reader knows it: "Mexico (MX)"; anything else as it is. */
static void country(struct out *o, const char *code)
{
    char name[160];
    if (rp_country_name(code, name, sizeof(name))) {
        h(o, name);
        put(o, " (");
        h(o, code);
        put(o, ")");
    } else {
        h(o, code);
    }
}

/* A two-column table (label, count) from a JSON object of integers, in the object's order;
 * `countries`: the labels are region codes, shown with their names. */
static void count_table_of(struct out *o, const char *caption, const char *label, const json_t *obj,
                           bool countries)
{
    const char *heads[] = {label, "Count"};
    table_begin(o, caption, heads, 2);
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)obj, k, v)
    {
        put(o, "<tr><th scope=\"row\">");
        if (countries)
            country(o, k);
        else
            h(o, words(k));
        putf(o, "</th><td class=\"text-right\">%lld</td></tr>\n", (long long)json_integer_value(v));
    }
    table_end(o);
}

static void count_table(struct out *o, const char *caption, const char *label, const json_t *obj)
{
    count_table_of(o, caption, label, obj, false);
}

static void kv_row(struct out *o, const char *label, json_int_t v, const char *id)
{
    put(o, "<tr><th scope=\"row\">");
    h(o, label);
    if (id)
        putf(o, "</th><td class=\"text-right\" id=\"%s\">%lld</td></tr>\n", id, (long long)v);
    else
        putf(o, "</th><td class=\"text-right\">%lld</td></tr>\n", (long long)v);
}

static void period_line(struct out *o, const json_t *r)
{
    if (!json_string_value(json_object_get(r, "from"))) {
        put(o, "<p class=\"cust-period\">Every entry. Computed from the record at ");
        h(o, str(r, "generated_at"));
        put(o, ".</p>\n");
        return;
    }
    put(o, "<p class=\"cust-period\">Period: <strong>");
    h(o, str(r, "from"));
    put(o, "</strong> to <strong>");
    h(o, str(r, "to"));
    put(o, "</strong> (days in ");
    h(o, str(r, "zone"));
    put(o, "). Computed from the record at ");
    h(o, str(r, "generated_at"));
    put(o, ".</p>\n");
}

/* A chart over months, then its data as a table. */
static void month_chart(struct out *o, const char *title, const char *desc, const json_t *months,
                        const char *const *names, const char *const *keys, const char *const *sub,
                        const char *const *colors, size_t ns, bool stacked)
{
    size_t nc = json_array_size(months);
    if (nc == 0)
        return;
    const char **cats = cust_xcalloc(nc, sizeof(*cats));
    double *vals = cust_xcalloc(nc * ns, sizeof(*vals));
    struct cust_chart_series *series = cust_xcalloc(ns, sizeof(*series));
    for (size_t i = 0; i < nc; i++) {
        const json_t *m = json_array_get(months, i);
        cats[i] = str(m, "month");
        for (size_t k = 0; k < ns; k++)
            vals[k * nc + i] = (double)(sub && sub[k] ? num2(m, keys[k], sub[k]) : num(m, keys[k]));
    }
    for (size_t k = 0; k < ns; k++)
        series[k] = (struct cust_chart_series){names[k], colors[k], vals + k * nc};
    char id[32];
    snprintf(id, sizeof(id), "chart-%d", ++o->chart);
    struct cust_chart c = {id, title, desc, cats, nc, series, ns, stacked};
    put(o, "<figure class=\"cust-figure\">\n");
    if (o->st == CUST_OK)
        o->st = cust_chart_svg(&c, o->b);
    put(o, "<figcaption>");
    h(o, title);
    put(o, "</figcaption>\n</figure>\n");
    const char **heads = cust_xcalloc(ns + 1, sizeof(*heads));
    heads[0] = "Month";
    for (size_t k = 0; k < ns; k++)
        heads[k + 1] = names[k];
    char caption[256];
    snprintf(caption, sizeof(caption), "%s: the numbers", title);
    table_begin(o, caption, heads, ns + 1);
    for (size_t i = 0; i < nc; i++) {
        put(o, "<tr><th scope=\"row\">");
        h(o, cats[i]);
        put(o, "</th>");
        for (size_t k = 0; k < ns; k++)
            putf(o, "<td class=\"text-right\">%.0f</td>", vals[k * nc + i]);
        put(o, "</tr>\n");
    }
    table_end(o);
    free(heads);
    free(cats);
    free(vals);
    free(series);
}

#define BLUE   "#005ea2"
#define RED    "#b50909"
#define GREEN  "#00754a"
#define ORANGE "#c05600"
#define VIOLET "#6f42c1"

/* ---- HTML: each report -------------------------------------------------------------------- */

static void html_detainers(struct out *o, const json_t *r)
{
    period_line(o, r);
    json_t *holds = json_object_get(r, "holds"), *nt = json_object_get(r, "notifications"),
           *xf = json_object_get(r, "transfers"), *iv = json_object_get(r, "interviews"),
           *dr = json_object_get(r, "data_requests");
    put(o, "<h2>In short</h2>\n<p class=\"usa-intro\">");
    putf(o,
         "%lld civil immigration detainers received; %lld holds honored. %lld notifications "
         "given of %lld requested. %lld transfers to federal custody in the period.",
         (long long)num2(r, "requests", "detainer"), (long long)num(holds, "honored"),
         (long long)num(nt, "given"), (long long)num(nt, "requested"), (long long)num(xf, "total"));
    put(o, "</p>\n<h2>Requests received</h2>\n");
    count_table(o, "Requests received in the period, by kind", "Kind",
                json_object_get(r, "requests"));
    const char *heads[] = {"Figure", "Count"};
    table_begin(o, "What became of them", heads, 2);
    kv_row(o, "All requests received", num(r, "total"), "total");
    kv_row(o, "Matched to a person in custody", num(r, "matched"), "matched");
    kv_row(o, "Decided under the policy", num(r, "decided"), "decided");
    kv_row(o, "Holds requested", num(holds, "requested"), "holds-requested");
    kv_row(o, "Holds honored", num(holds, "honored"), "holds-honored");
    kv_row(o, "Holds declined", num(holds, "declined"), "holds-declined");
    kv_row(o, "Notifications requested", num(nt, "requested"), "notifications-requested");
    kv_row(o, "Notifications given", num(nt, "given"), "notifications-given");
    kv_row(o, "Notifications declined", num(nt, "declined"), NULL);
    kv_row(o, "Interviews requested", num(iv, "requested"), NULL);
    kv_row(o, "Interviews held (written consent first)", num(iv, "done"), NULL);
    kv_row(o, "Transfers requested", num(xf, "requested"), NULL);
    kv_row(o, "Transfer requests declined", num(xf, "declined"), NULL);
    kv_row(o, "Requests with an action declined", num(r, "declined"), "declined");
    kv_row(o, "Expired (hold window after release passed)", num(r, "expired"), "expired");
    kv_row(o, "Withdrawn", num(r, "withdrawn"), "withdrawn");
    kv_row(o, "Lifted by the issuer", num(r, "lifted"), "lifted");
    table_end(o);
    put(o, "<h2>Transfers to federal custody</h2>\n");
    count_table(o, "Transfers in the period, by legal basis", "Legal basis",
                json_object_get(xf, "by_basis"));
    json_t *crit = json_object_get(xf, "by_criterion");
    if (json_array_size(crit)) {
        const char *ch[] = {"Gov. Code 7282.5 criterion", "Offense", "Transfers"};
        table_begin(o, "Transfers under Gov. Code 7282.5, by criterion and offense", ch, 3);
        size_t i;
        json_t *e;
        json_array_foreach(crit, i, e)
        {
            put(o, "<tr><td>");
            h(o, str(e, "criterion"));
            put(o, "</td><td>");
            h(o, str(e, "offense"));
            putf(o, "</td><td class=\"text-right\">%lld</td></tr>\n", (long long)num(e, "count"));
        }
        table_end(o);
    }
    put(o, "<h2>Data requests</h2>\n");
    table_begin(o, "Data requests (information requests, subpoenas, court orders)", heads, 2);
    kv_row(o, "Received", num(dr, "received"), NULL);
    kv_row(o, "Fulfilled", num(dr, "fulfilled"), NULL);
    kv_row(o, "Referred to counsel", num(dr, "referred_to_counsel"), NULL);
    kv_row(o, "Rows given (persons), in the period", num(dr, "rows_given"), NULL);
    kv_row(o, "Items given", num(dr, "items_given"), NULL);
    kv_row(o, "Items withheld (in rows given)", num(dr, "items_withheld"), NULL);
    table_end(o);
    put(o, "<h2>Who asked</h2>\n");
    count_table(o, "Requests by requesting agency", "Agency", json_object_get(r, "by_agency"));
    count_table(o, "Requests by form", "Form", json_object_get(r, "by_form"));
    json_t *months = json_object_get(r, "months");
    if (json_array_size(months)) {
        put(o, "<h2>Month by month</h2>\n");
        {
            const char *n[] = {"Detainers received", "Holds honored"};
            const char *k[] = {"detainers", "holds_honored"};
            const char *c[] = {BLUE, RED};
            month_chart(o, "Detainers received and holds honored, by month of receipt",
                        "Bars per month: civil detainers received and, of those, holds honored.",
                        months, n, k, NULL, c, 2, false);
        }
        {
            const char *n[] = {"Judicial warrant", "Judicial probable cause", "Gov. Code 7282.5"};
            const char *k[] = {"transfers", "transfers", "transfers"};
            const char *sb[] = {"judicial_warrant", "judicial_probable_cause", "7282.5"};
            const char *c[] = {BLUE, GREEN, ORANGE};
            month_chart(o, "Transfers to federal custody by legal basis, by month of hand-over",
                        "Stacked bars per month: transfers on a judicial warrant, on a judicial "
                        "probable-cause determination, and under Gov. Code 7282.5.",
                        months, n, k, sb, c, 3, true);
        }
        {
            const char *n[] = {"Notifications requested", "Notifications given"};
            const char *k[] = {"notifications_requested", "notifications_given"};
            const char *c[] = {BLUE, GREEN};
            month_chart(o, "Release notifications requested and given, by month of receipt",
                        "Bars per month: requests asking to be notified of a release, and "
                        "notifications given on them.",
                        months, n, k, NULL, c, 2, false);
        }
        {
            const char *n[] = {"Items given", "Items withheld"};
            const char *k[] = {"items_given", "items_withheld"};
            const char *c[] = {BLUE, RED};
            month_chart(o, "Data requests: items given and withheld, by month given",
                        "Bars per month: data items given to requesters and items withheld "
                        "(in the rows given).",
                        months, n, k, NULL, c, 2, false);
        }
    }
}

static void html_transfers(struct out *o, const json_t *r)
{
    period_line(o, r);
    put(o, "<p class=\"usa-intro\">");
    putf(o, "%lld transfers to federal custody in the period.", (long long)num(r, "total"));
    put(o, "</p>\n<p>Every transfer of a person to immigration or other federal custody, with the "
           "legal basis that allowed it: a federal judicial warrant or probable-cause "
           "determination, or a Gov. Code 7282.5 criterion with the offense "
           "(Gov. Code 7284.6(a)(4)).</p>\n");
    count_table(o, "Transfers by legal basis", "Legal basis", json_object_get(r, "by_basis"));
    count_table(o, "Transfers by receiving agency", "Receiving agency",
                json_object_get(r, "by_agency"));
    const char *heads[] = {
        "Date", "Booking", "Receiving agency", "Legal basis", "Warrant or offense", "Request"};
    window_begin(o, json_array_size(json_object_get(r, "rows")));
    table_begin(o, "Each transfer", heads, CUST_ARRAY_LEN(heads));
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(r, "rows"), i, row)
    {
        if (!shown(o))
            continue;
        put(o, "<tr><td>");
        h(o, str(row, "date"));
        put(o, "</td><td>");
        h(o, str(row, "booking_number"));
        put(o, "</td><td>");
        h(o, str(row, "agency"));
        put(o, "</td><td>");
        h(o, words(str(row, "basis")));
        put(o, "</td><td>");
        h(o, str(row, "authority"));
        put(o, "</td><td>");
        h(o, str(row, "request_id"));
        put(o, "</td></tr>\n");
    }
    table_end(o);
    window_end(o);
}

/* The forum's access table as shown: the rows of one data request on one day are one line.
 * The index of the last row of the line that starts at row i. */
static size_t forum_line_end(const json_t *table, size_t i)
{
    size_t n = json_array_size(table), j = i;
    const json_t *row = json_array_get(table, i);
    if (strcmp(str(row, "means"), "data_request") != 0)
        return i;
    while (j + 1 < n && strcmp(str(json_array_get(table, j + 1), "means"), "data_request") == 0 &&
           strcmp(str(json_array_get(table, j + 1), "request_id"), str(row, "request_id")) == 0 &&
           strcmp(str(json_array_get(table, j + 1), "date"), str(row, "date")) == 0)
        j++;
    return j;
}

static void html_forum(struct out *o, const json_t *r)
{
    json_t *bm = json_object_get(r, "by_means");
    put(o, "<p class=\"usa-intro\">");
    putf(o,
         "In the period, federal authorities were given access to <strong>%lld</strong> "
         "%s, in %lld accesses (by receiving agency below).",
         (long long)num(r, "people"), num(r, "people") == 1 ? "person" : "people",
         (long long)num(r, "accesses"));
    put(o, "</p>\n");
    period_line(o, r);
    put(o, "<p>The TRUTH Act (Cal. Gov. Code 7283.1(d)) asks the county to hold a community "
           "forum each year and to present the number of people to whom ICE was given access, "
           "the dates, and whether through a hold, transfer, notification or other means. This "
           "pack is computed from the custody record and the request desk's record: an access "
           "is a hold or notification given, an interview held, a transfer, or a row of data "
           "given in answer to a data request. Names and identifiers are left out.</p>\n");
    const char *mh[] = {"Means", "Accesses", "People"};
    table_begin(o, "Access by means", mh, 3);
    static const char *const means[][2] = {{"hold", "Hold (detainer honored)"},
                                           {"transfer", "Transfer to federal custody"},
                                           {"notification", "Notification of release"},
                                           {"interview", "Interview"},
                                           {"data_request", "Data given on a data request"}};
    for (size_t k = 0; k < CUST_ARRAY_LEN(means); k++) {
        json_t *e = json_object_get(bm, means[k][0]);
        put(o, "<tr><th scope=\"row\">");
        h(o, means[k][1]);
        putf(o,
             "</th><td class=\"text-right\" id=\"means-%s\">%lld</td><td "
             "class=\"text-right\">%lld</td></tr>\n",
             means[k][0], (long long)num(e, "accesses"), (long long)num(e, "people"));
    }
    table_end(o);
    {
        const char *ah[] = {"Receiving agency", "Accesses", "People"};
        table_begin(o, "Access by receiving agency", ah, 3);
        const char *ag;
        json_t *e;
        json_object_foreach(json_object_get(r, "by_agency"), ag, e)
        {
            put(o, "<tr><th scope=\"row\">");
            h(o, ag);
            putf(o,
                 "</th><td class=\"text-right\">%lld</td><td class=\"text-right\">%lld</td>"
                 "</tr>\n",
                 (long long)num(e, "accesses"), (long long)num(e, "people"));
        }
        table_end(o);
        put(o, "<p>ICE access (Gov. Code 7283(d)) is access given to ICE for civil enforcement "
               "(and CBP, "
               "for whom the same requests arrive); a transfer on a federal judicial warrant is "
               "to the U.S. Marshals Service, and a data request's rows go to the agency that "
               "asked. Each is listed so the forum can tell them apart.</p>\n");
    }
    {
        const char *n[] = {"Hold", "Transfer", "Notification", "Interview", "Data request"};
        const char *k[] = {"hold", "transfer", "notification", "interview", "data_request"};
        const char *c[] = {RED, BLUE, GREEN, VIOLET, ORANGE};
        month_chart(o, "Accesses by month and means",
                    "Stacked bars per month: accesses given to immigration authorities by "
                    "hold, transfer, notification, interview and data request.",
                    json_object_get(r, "months"), n, k, NULL, c, 5, true);
    }
    put(o, "<h2>Who they were</h2>\n<p>Each person counted once, with sex and country of "
           "citizenship as recorded, and age on the day of their first access.</p>\n");
    json_t *dm = json_object_get(r, "demographics");
    count_table(o, "People by sex", "Sex", json_object_get(dm, "sex"));
    count_table(o, "People by age band", "Age", json_object_get(dm, "age_band"));
    count_table_of(o, "People by country of citizenship (as recorded)", "Country",
                   json_object_get(dm, "citizenship_country"), true);
    put(o, "<h2 class=\"cust-appendix\">Each access</h2>\n<p>One row per access; rows of one data "
           "request are shown as "
           "one line with the number of people (every row is in the CSV).</p>\n");
    const char *heads[] = {"Date", "Means", "Person", "Sex", "Age", "Country", "Agency", "Detail"};
    json_t *table = json_object_get(r, "access_table");
    size_t n = json_array_size(table), lines = 0;
    for (size_t i = 0; i < n; i = forum_line_end(table, i) + 1)
        lines++;
    window_begin(o, lines);
    table_begin(o, "Each access (redacted)", heads, CUST_ARRAY_LEN(heads));
    for (size_t i = 0; i < n; i++) {
        json_t *row = json_array_get(table, i);
        size_t j = forum_line_end(table, i);
        if (!shown(o)) {
            i = j;
            continue;
        }
        if (strcmp(str(row, "means"), "data_request") == 0) {
            /* the rows of one data request on one day: one line */
            put(o, "<tr><td>");
            h(o, str(row, "date"));
            put(o, "</td><td>data request</td>");
            putf(o, "<td>%zu %s</td><td></td><td></td><td></td><td>", j - i + 1,
                 j == i ? "person" : "people");
            h(o, str(row, "agency"));
            put(o, "</td><td>");
            h(o, words(str(row, "request_kind")));
            put(o, " ");
            h(o, str(row, "request_id"));
            put(o, "</td></tr>\n");
            i = j;
            continue;
        }
        put(o, "<tr><td>");
        h(o, str(row, "date"));
        put(o, "</td><td>");
        h(o, str(row, "means"));
        put(o, "</td><td>");
        h(o, str(row, "person"));
        put(o, "</td><td>");
        h(o, str(row, "sex"));
        put(o, "</td><td>");
        h(o, str(row, "age_band"));
        put(o, "</td><td>");
        country(o, str(row, "citizenship_country"));
        put(o, "</td><td>");
        h(o, str(row, "agency"));
        put(o, "</td><td>");
        h(o, words(str(row, "detail")));
        put(o, "</td></tr>\n");
    }
    table_end(o);
    window_end(o);
}

static void html_oversight(struct out *o, const json_t *r)
{
    period_line(o, r);
    put(o, "<p class=\"usa-intro\">");
    putf(o,
         "<span id=\"disclosures\">%lld</span> disclosures and <span id=\"overrides\">%lld</span> "
         "overrides in the period.",
         (long long)num(r, "disclosures"), (long long)num(r, "overrides"));
    putf(o,
         " <span id=\"flagged\">%lld</span> persons confirmed as a request's subject outside the "
         "match candidates.",
         (long long)num(r, "flagged_confirmations"));
    put(o, "</p>\n<p>An override departs from the law's default: a required action declined, or "
           "a permitted one taken. A disclosure is information given to the requester: a "
           "release notification, or a row of data on a data request.</p>\n");
    count_table(o, "Rows by actor", "Actor", json_object_get(r, "by_actor"));
    const char *heads[] = {"Time",    "Kind", "Request",  "Person", "What",  "Outcome",
                           "Verdict", "Rule", "Citation", "Actor",  "Reason"};
    window_begin(o, json_array_size(json_object_get(r, "rows")));
    table_begin(o, "Disclosures and overrides", heads, CUST_ARRAY_LEN(heads));
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(r, "rows"), i, row)
    {
        if (!shown(o))
            continue;
        char *what = what_text(row);
        json_t *rule = json_object_get(row, "rule");
        char *rules = json_is_object(rule)
                          ? joined_obj(rule)
                          : cust_xstrdup(json_string_value(rule) ? json_string_value(rule) : "");
        char *cites = joined(json_object_get(row, "cite"));
        put(o, "<tr><td>");
        h(o, str(row, "at"));
        put(o, "</td><td>");
        h(o, strcmp(str(row, "type"), "confirmation") == 0 ? "flagged confirmation"
             : json_is_true(json_object_get(row, "override")) &&
                     json_is_true(json_object_get(row, "disclosure"))
                 ? "disclosure, override"
             : json_is_true(json_object_get(row, "override")) ? "override"
                                                              : "disclosure");
        put(o, "</td><td>");
        put(o, "<a class=\"usa-link\" href=\"/console/requests/");
        h(o, str(row, "request_id"));
        put(o, "\">");
        h(o, str(row, "request_id"));
        put(o, "</a> ");
        h(o, words(str(row, "request_kind")));
        putf(o, "</td><td>#%lld ", (long long)num(row, "person_id"));
        h(o, str(row, "booking_number"));
        put(o, "</td><td>");
        h(o, what);
        put(o, "</td><td>");
        h(o, str(row, "outcome"));
        put(o, "</td><td>");
        h(o, str(row, "verdict"));
        put(o, "</td><td>");
        h(o, rules);
        put(o, "</td><td>");
        h(o, cites);
        put(o, "</td><td>");
        h(o, str(row, "actor"));
        put(o, "</td><td>");
        h(o, str(row, "reason"));
        put(o, "</td></tr>\n");
        free(what);
        free(rules);
        free(cites);
    }
    table_end(o);
    window_end(o);
}

static void html_enforcement(struct out *o, const json_t *r)
{
    period_line(o, r);
    putf(o, "<p class=\"usa-intro\">%lld entries; %lld people detained.</p>\n",
         (long long)num(r, "entries"), (long long)num(r, "detained"));
    bool names = json_is_true(json_object_get(r, "names_included"));
    const char *heads[] = {"#",        "When",  "Area",          "Place",  "Agency",
                           "Detained", "Names", "Reasons given", "Source", "Recorded by"};
    window_begin(o, json_array_size(json_object_get(r, "rows")));
    table_begin(o, "Enforcement actions", heads, CUST_ARRAY_LEN(heads));
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(r, "rows"), i, row)
    {
        if (!shown(o))
            continue;
        putf(o, "<tr><td>%lld", (long long)num(row, "id"));
        if (num(row, "supersedes"))
            putf(o, " (corrects #%lld)", (long long)num(row, "supersedes"));
        if (json_is_true(json_object_get(row, "superseded")))
            put(o, " (superseded)");
        put(o, "</td><td>");
        h(o, str(row, "occurred_at"));
        put(o, "</td><td>");
        h(o, str(row, "area"));
        put(o, "</td><td>");
        h(o, str(row, "place"));
        put(o, "</td><td>");
        h(o, str(row, "agency"));
        putf(o, "</td><td class=\"text-right\">%lld</td><td>", (long long)num(row, "detained"));
        h(o, names ? str(row, "names") : "(withheld)");
        put(o, "</td><td>");
        h(o, str(row, "reasons"));
        put(o, "</td><td>");
        h(o, str(row, "source"));
        put(o, "</td><td>");
        h(o, str(row, "recorded_by"));
        put(o, "</td></tr>\n");
    }
    table_end(o);
    window_end(o);
}

static void html_enforcement_public(struct out *o, const json_t *r)
{
    period_line(o, r);
    putf(o,
         "<p class=\"usa-intro\"><span id=\"entries\">%lld</span> federal immigration "
         "enforcement %s recorded; <span id=\"detained\">%lld</span> %s detained.</p>\n",
         (long long)num(r, "entries"), num(r, "entries") == 1 ? "action" : "actions",
         (long long)num(r, "detained"), num(r, "detained") == 1 ? "person" : "people");
    put(o, "<p>Counts of the federal immigration enforcement actions county staff recorded, by "
           "area and month. No names, places or other details of the people concerned are "
           "published here.</p>\n");
    {
        const char *n[] = {"Actions", "People detained"};
        const char *k[] = {"entries", "detained"};
        const char *c[] = {BLUE, ORANGE};
        month_chart(o, "Enforcement actions and people detained, by month",
                    "Bars per month: federal enforcement actions recorded and people detained.",
                    json_object_get(r, "months"), n, k, NULL, c, 2, false);
    }
    if (json_array_size(json_object_get(r, "areas")) == 0) {
        put(o, "<p id=\"no-entries\">No federal immigration enforcement action was recorded "
               "in the period.</p>\n");
        return;
    }
    const char *heads[] = {"Area", "Actions", "People detained"};
    table_begin(o, "By area", heads, 3);
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(r, "areas"), i, row)
    {
        put(o, "<tr><th scope=\"row\">");
        h(o, str(row, "area"));
        putf(o, "</th><td class=\"text-right\">%lld</td><td class=\"text-right\">%lld</td></tr>\n",
             (long long)num(row, "entries"), (long long)num(row, "detained"));
    }
    table_end(o);
}

/* ---- text, for a terminal ----------------------------------------------------------------- */

static void text_counts(struct out *o, const char *title, const json_t *obj)
{
    putf(o, "%s:\n", title);
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)obj, k, v)
        putf(o, "  %-32s %8lld\n", k, (long long)json_integer_value(v));
}

static void text_report(struct out *o, const char *kind, const json_t *r)
{
    if (json_string_value(json_object_get(r, "from")))
        putf(o, "%s, %s to %s (%s)\n", kind, str(r, "from"), str(r, "to"), str(r, "zone"));
    if (strcmp(kind, "detainers") == 0) {
        json_t *hd = json_object_get(r, "holds"), *nt = json_object_get(r, "notifications"),
               *xf = json_object_get(r, "transfers"), *dr = json_object_get(r, "data_requests");
        text_counts(o, "requests received", json_object_get(r, "requests"));
        putf(o, "  %-32s %8lld\n", "total", (long long)num(r, "total"));
        putf(o, "matched %lld, decided %lld\n", (long long)num(r, "matched"),
             (long long)num(r, "decided"));
        putf(o, "holds: %lld requested, %lld honored, %lld declined\n",
             (long long)num(hd, "requested"), (long long)num(hd, "honored"),
             (long long)num(hd, "declined"));
        putf(o, "notifications: %lld requested, %lld given, %lld declined\n",
             (long long)num(nt, "requested"), (long long)num(nt, "given"),
             (long long)num(nt, "declined"));
        putf(o, "transfers in the period: %lld", (long long)num(xf, "total"));
        const char *k;
        json_t *v;
        json_object_foreach(json_object_get(xf, "by_basis"), k, v)
            putf(o, ", %s %lld", k, (long long)json_integer_value(v));
        put(o, "\n");
        putf(o, "data requests: %lld received, %lld rows given, %lld items given, %lld withheld\n",
             (long long)num(dr, "received"), (long long)num(dr, "rows_given"),
             (long long)num(dr, "items_given"), (long long)num(dr, "items_withheld"));
        putf(o, "declined %lld, expired %lld, withdrawn %lld, lifted %lld\n",
             (long long)num(r, "declined"), (long long)num(r, "expired"),
             (long long)num(r, "withdrawn"), (long long)num(r, "lifted"));
        size_t i;
        json_t *m;
        json_array_foreach(json_object_get(r, "months"), i, m)
            putf(o, "%s  detainers %5lld  holds honored %4lld  notifications given %4lld\n",
                 str(m, "month"), (long long)num(m, "detainers"),
                 (long long)num(m, "holds_honored"), (long long)num(m, "notifications_given"));
    } else if (strcmp(kind, "transfers") == 0) {
        size_t i;
        json_t *row;
        json_array_foreach(json_object_get(r, "rows"), i, row)
            putf(o, "%s  %-10s %-24s %-24s %s\n", str(row, "date"), str(row, "booking_number"),
                 str(row, "agency"), str(row, "basis"), str(row, "authority"));
        putf(o, "%lld transfers\n", (long long)num(r, "total"));
    } else if (strcmp(kind, "truth-forum") == 0) {
        putf(o, "people given access: %lld (%lld accesses)\n", (long long)num(r, "people"),
             (long long)num(r, "accesses"));
        const char *k;
        json_t *v;
        json_object_foreach(json_object_get(r, "by_means"), k, v)
            putf(o, "  %-14s %6lld accesses %6lld people\n", k, (long long)num(v, "accesses"),
                 (long long)num(v, "people"));
        putf(o, "by receiving agency:\n");
        json_object_foreach(json_object_get(r, "by_agency"), k, v)
            putf(o, "  %-30s %6lld accesses %6lld people\n", k, (long long)num(v, "accesses"),
                 (long long)num(v, "people"));
        json_t *dm = json_object_get(r, "demographics");
        text_counts(o, "sex", json_object_get(dm, "sex"));
        text_counts(o, "age band", json_object_get(dm, "age_band"));
        text_counts(o, "country of citizenship (as recorded)",
                    json_object_get(dm, "citizenship_country"));
    } else if (strcmp(kind, "oversight") == 0) {
        size_t i;
        json_t *row;
        json_array_foreach(json_object_get(r, "rows"), i, row)
        {
            char *what = what_text(row);
            putf(o, "%s  %-13s %-24s #%-7lld %-10s %-9s %-10s %s\n", str(row, "at"),
                 str(row, "request_id"), str(row, "request_kind"), (long long)num(row, "person_id"),
                 what, str(row, "outcome"), str(row, "verdict"), str(row, "actor"));
            free(what);
        }
        putf(o, "%lld disclosures, %lld overrides, %lld confirmations outside the candidates\n",
             (long long)num(r, "disclosures"), (long long)num(r, "overrides"),
             (long long)num(r, "flagged_confirmations"));
    } else if (strcmp(kind, "enforcement") == 0) {
        size_t i;
        json_t *row;
        json_array_foreach(json_object_get(r, "rows"), i, row)
            putf(o, "#%-4lld %s  %-20s %-10s detained %lld%s\n", (long long)num(row, "id"),
                 str(row, "occurred_at"), str(row, "area"), str(row, "agency"),
                 (long long)num(row, "detained"),
                 json_is_true(json_object_get(row, "superseded")) ? "  (superseded)" : "");
        putf(o, "%lld entries, %lld detained\n", (long long)num(r, "entries"),
             (long long)num(r, "detained"));
    } else if (strcmp(kind, "enforcement-public") == 0) {
        size_t i;
        json_t *row;
        json_array_foreach(json_object_get(r, "cells"), i, row)
            putf(o, "%s  %-24s %4lld actions %5lld detained\n", str(row, "month"), str(row, "area"),
                 (long long)num(row, "entries"), (long long)num(row, "detained"));
    }
}

/* ---- the standalone document ------------------------------------------------------------ */

static const char doc_css[] =
    "body{font-family:'Source Sans Pro Web',Helvetica,Arial,sans-serif;color:#1b1b1b;"
    "max-width:60rem;margin:1.5rem auto;padding:0 1rem;line-height:1.45}"
    "h1{font-size:1.7rem;margin-bottom:.2rem}h2{font-size:1.3rem;margin-top:2rem;"
    "border-bottom:1px solid #dfe1e2}caption{text-align:left;font-weight:bold;padding:.4rem 0}"
    "table{border-collapse:collapse;margin:.5rem 0 1rem;width:100%}"
    "th,td{border-bottom:1px solid #dfe1e2;padding:.2rem .5rem;text-align:left;"
    "vertical-align:top;font-size:.9rem}.text-right{text-align:right}"
    "figure{margin:1rem 0}figcaption{font-size:.9rem;color:#454545}"
    ".usa-intro{font-size:1.2rem}"
    "@media print{body{margin:0;max-width:none}h2{break-after:avoid}tr,figure{break-inside:avoid}"
    ".cust-appendix{break-before:page}}";

static const char *title_of(const char *report)
{
    static const char *const t[][2] = {
        {"detainers", "Immigration detainers and requests: statistics"},
        {"transfers", "Transfers to federal custody (Gov. Code 7284.6)"},
        {"truth-forum", "TRUTH Act community forum: access given to immigration authorities"},
        {"oversight", "Oversight: disclosures and overrides"},
        {"enforcement", "Federal enforcement actions: the log"},
        {"enforcement-public", "Federal immigration enforcement actions in the county"}};
    for (size_t i = 0; i < CUST_ARRAY_LEN(t); i++)
        if (strcmp(t[i][0], report) == 0)
            return t[i][1];
    return "Report";
}

bool cust_report_format_parse(const char *s, enum cust_report_format *out)
{
    if (!s)
        return false;
    if (strcmp(s, "json") == 0)
        *out = CUST_REPORT_JSON;
    else if (strcmp(s, "csv") == 0)
        *out = CUST_REPORT_CSV;
    else if (strcmp(s, "html") == 0)
        *out = CUST_REPORT_HTML_DOC;
    else if (strcmp(s, "text") == 0)
        *out = CUST_REPORT_TEXT;
    else
        return false;
    return true;
}

enum cust_status cust_report_render(const json_t *report, enum cust_report_format fmt,
                                    struct cust_buf *b, struct cust_err *err)
{
    return cust_report_render_window(report, fmt, NULL, b, err);
}

enum cust_status cust_report_render_window(const json_t *report, enum cust_report_format fmt,
                                           const struct cust_report_window *w, struct cust_buf *b,
                                           struct cust_err *err)
{
    const char *kind = json_string_value(json_object_get(report, "report"));
    if (!kind)
        return cust_err_set(err, CUST_EINVAL, "not a report");
    struct out o = {b, CUST_OK, 0, fmt == CUST_REPORT_HTML ? w : NULL, 0, 0};
    if (fmt == CUST_REPORT_JSON) {
        char *s = json_dumps(report, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        put(&o, s);
        put(&o, "\n");
        free(s);
        return o.st;
    }
    if (fmt == CUST_REPORT_TEXT) {
        text_report(&o, kind, report);
        return o.st;
    }
    json_t *rows = json_object_get(report, "rows");
    bool names = json_is_true(json_object_get(report, "names_included"));
    if (fmt == CUST_REPORT_CSV) {
        if (strcmp(kind, "detainers") == 0)
            csv_detainers(&o, report);
        else if (strcmp(kind, "transfers") == 0)
            csv_rows(&o, rows, transfer_cols, CUST_ARRAY_LEN(transfer_cols));
        else if (strcmp(kind, "truth-forum") == 0)
            csv_rows(&o, json_object_get(report, "access_table"), forum_cols,
                     CUST_ARRAY_LEN(forum_cols));
        else if (strcmp(kind, "oversight") == 0)
            csv_rows(&o, rows, oversight_cols, CUST_ARRAY_LEN(oversight_cols));
        else if (strcmp(kind, "enforcement") == 0 && names)
            csv_rows(&o, rows, enforcement_cols, CUST_ARRAY_LEN(enforcement_cols));
        else if (strcmp(kind, "enforcement") == 0)
            csv_rows(&o, rows, enforcement_cols_no_names,
                     CUST_ARRAY_LEN(enforcement_cols_no_names));
        else if (strcmp(kind, "enforcement-public") == 0)
            csv_rows(&o, json_object_get(report, "cells"), enforcement_public_cols,
                     CUST_ARRAY_LEN(enforcement_public_cols));
        else
            return cust_err_set(err, CUST_EINVAL, "no CSV for report '%s'", kind);
        return o.st;
    }
    bool doc = fmt == CUST_REPORT_HTML_DOC;
    if (doc) {
        put(&o, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                "<title>");
        h(&o, title_of(kind));
        put(&o, "</title>\n<style>");
        put(&o, doc_css);
        put(&o, "</style>\n</head>\n<body>\n<main>\n<h1>");
        h(&o, title_of(kind));
        put(&o, "</h1>\n");
    }
    put(&o, "<div class=\"cust-report\">\n");
    if (strcmp(kind, "detainers") == 0)
        html_detainers(&o, report);
    else if (strcmp(kind, "transfers") == 0)
        html_transfers(&o, report);
    else if (strcmp(kind, "truth-forum") == 0)
        html_forum(&o, report);
    else if (strcmp(kind, "oversight") == 0)
        html_oversight(&o, report);
    else if (strcmp(kind, "enforcement") == 0)
        html_enforcement(&o, report);
    else if (strcmp(kind, "enforcement-public") == 0)
        html_enforcement_public(&o, report);
    else
        return cust_err_set(err, CUST_EINVAL, "no HTML for report '%s'", kind);
    put(&o, "</div>\n");
    if (doc)
        put(&o, "<footer><p>Produced by custodian from the custody and request record.</p>"
                "</footer>\n</main>\n</body>\n</html>\n");
    return o.st;
}
