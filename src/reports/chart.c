/*
 * chart.c - bar charts drawn on the server as SVG (reports.h cust_chart_svg).
 *
 * Why SVG from C and not a charting library in the browser: the same chart must appear in the
 * console, in a printable HTML file the CLI writes for a board agenda (no server behind it),
 * and under the server's Content-Security-Policy (no inline script or style). An inline SVG
 * does all three with presentation attributes only, prints sharp, needs no JavaScript, and
 * carries its own accessible name and description; every chart is also followed by its data
 * as a table. The charts we need are bars over months, grouped or stacked: a hundred lines.
 */
#include "custodian/compat.h"
#include "reports_internal.h"

#include <math.h>
#include <stdarg.h>

#define W      720.0
#define H      300.0
#define LEFT   52.0
#define RIGHT  12.0
#define TOP    40.0
#define BOTTOM 46.0
#define INK    "#1b1b1b"
#define GRID   "#dfe1e2"
#define FONT   "Source Sans Pro Web, Helvetica Neue, Helvetica, Arial, sans-serif"

struct out {
    struct cust_buf *b;
    enum cust_status st;
};

static void put(struct out *o, const char *s)
{
    if (o->st == CUST_OK)
        o->st = cust_buf_puts(o->b, s);
}

static void text(struct out *o, const char *s)
{
    if (o->st == CUST_OK && s)
        o->st = cust_buf_html(o->b, s);
}

static void putf(struct out *o, const char *fmt, ...) CUST_PRINTF(2, 3);
static void putf(struct out *o, const char *fmt, ...)
{
    if (o->st != CUST_OK)
        return;
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(tmp))
        o->st = CUST_ETOOBIG;
    else
        o->st = cust_buf_puts(o->b, tmp);
}

/* A round upper bound for the axis (1, 2, 2.5, 5 x 10^k) and its step. */
static void axis(double max, double *top, double *step)
{
    if (max <= 0) {
        *top = 4;
        *step = 1;
        return;
    }
    double raw = max / 4, mag = pow(10, floor(log10(raw)));
    static const double nice[] = {1, 2, 2.5, 5, 10};
    double s = mag;
    for (size_t i = 0; i < CUST_ARRAY_LEN(nice); i++)
        if (nice[i] * mag >= raw) {
            s = nice[i] * mag;
            break;
        }
    if (s < 1)
        s = 1; /* counts: whole numbers on the axis */
    *step = s;
    *top = ceil(max / s) * s;
}

static void number(char *out, size_t cap, double v)
{
    snprintf(out, cap, "%.0f", v);
}

enum cust_status cust_chart_svg(const struct cust_chart *c, struct cust_buf *b)
{
    struct out o = {b, CUST_OK};
    size_t nc = c->ncategories, ns = c->nseries;
    double max = 0;
    for (size_t i = 0; i < nc; i++) {
        double sum = 0;
        for (size_t k = 0; k < ns; k++) {
            double v = c->series[k].values[i];
            sum += v;
            if (!c->stacked && v > max)
                max = v;
        }
        if (c->stacked && sum > max)
            max = sum;
    }
    double top, step;
    axis(max, &top, &step);
    double pw = W - LEFT - RIGHT, ph = H - TOP - BOTTOM;
    putf(&o,
         "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"cust-chart\" role=\"img\""
         " viewBox=\"0 0 %.0f %.0f\" width=\"100%%\" preserveAspectRatio=\"xMinYMin meet\""
         " aria-labelledby=\"%s-title %s-desc\" font-family=\"%s\" font-size=\"12\" fill=\"%s\">\n",
         W, H, c->id, c->id, FONT, INK);
    putf(&o, "<title id=\"%s-title\">", c->id);
    text(&o, c->title);
    putf(&o, "</title>\n<desc id=\"%s-desc\">", c->id);
    text(&o, c->desc);
    put(&o, "</desc>\n");
    /* legend, on top */
    double lx = LEFT;
    for (size_t k = 0; k < ns; k++) {
        putf(&o, "<rect x=\"%.1f\" y=\"10\" width=\"12\" height=\"12\" fill=\"%s\"/>", lx,
             c->series[k].color);
        putf(&o, "<text x=\"%.1f\" y=\"20\">", lx + 16);
        text(&o, c->series[k].name);
        put(&o, "</text>\n");
        lx += 16 + 7.0 * (double)strlen(c->series[k].name) + 20;
    }
    /* grid and y axis */
    for (double v = 0; v <= top + 1e-9; v += step) {
        double y = TOP + ph - ph * v / top;
        char num[32];
        number(num, sizeof(num), v);
        putf(&o,
             "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\""
             " stroke-width=\"1\"/><text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
             LEFT, y, W - RIGHT, y, v == 0 ? INK : GRID, LEFT - 6, y + 4, num);
    }
    /* bars */
    double band = nc ? pw / (double)nc : pw;
    double gap = band * 0.2;
    size_t every = nc > 12 ? (nc + 11) / 12 : 1;
    for (size_t i = 0; i < nc; i++) {
        double x0 = LEFT + band * (double)i + gap / 2, bw = band - gap;
        double base = TOP + ph;
        for (size_t k = 0; k < ns; k++) {
            double v = c->series[k].values[i];
            double h = top > 0 ? ph * v / top : 0;
            double x = c->stacked ? x0 : x0 + bw / (double)ns * (double)k;
            double w = c->stacked ? bw : bw / (double)ns;
            double y = c->stacked ? base - h : TOP + ph - h;
            char num[32];
            number(num, sizeof(num), v);
            putf(&o, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">", x,
                 y, w > 1 ? w - 0.5 : w, h, c->series[k].color);
            put(&o, "<title>");
            text(&o, c->categories[i]);
            put(&o, ", ");
            text(&o, c->series[k].name);
            putf(&o, ": %s</title></rect>", num);
            if (c->stacked)
                base -= h;
        }
        if (i % every == 0) {
            putf(&o, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">",
                 LEFT + band * ((double)i + 0.5), TOP + ph + 16);
            text(&o, c->categories[i]);
            put(&o, "</text>");
        }
        put(&o, "\n");
    }
    put(&o, "</svg>\n");
    return o.st;
}
