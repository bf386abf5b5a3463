/*
 * reader.c - a source file read through a mapping, one booking at a time, as a records
 * import source (records.h): CSV / TSV / fixed-width rows grouped into bookings (one row
 * per charge), or one XML element per booking (libxml2's streaming reader; XPath for the
 * fields). Each booking is rendered as one custody JSON line that the importer then
 * validates and stores exactly as a line of a JSONL file.
 */
#include "custodian/compat.h"
#include "feeds_int.h"

#include <errno.h>
#include <iconv.h>
#include <inttypes.h>
#include <libxml/tree.h>
#include <libxml/xmlreader.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <sodium.h>

#include "custodian/utf8.h"

#define FEED_FILE_MAX ((size_t)1 << 31) /* 2 GiB */

struct trow {
    int64_t line;
    const char *start, *end; /* the row's bytes in the input (rejects file) */
    size_t first, n;         /* its fields: offs[first .. first + n) */
};

/* Keys of the bookings already read (rows of one booking must be together). */
struct keyset {
    char **key;
    int64_t *line;
    size_t cap, n;
};

struct cust_feed_reader {
    const struct cust_map *m;
    char *label;
    char *data; /* the whole input, UTF-8 */
    size_t len;
    char sha256[65];
    struct feed_zone *zone;
    int *rule_col; /* per rule: the column index (tabular), -1 for a constant */
    size_t n_header;
    int key_col, order_col;
    /* tabular */
    const char *p;
    int64_t line;
    struct cust_buf text; /* the group's fields, each NUL-terminated */
    size_t *offs;
    size_t n_offs, offs_cap;
    struct trow *rows;
    size_t n_rows, rows_cap;
    bool pending; /* rows[n_rows - 1] belongs to the next booking */
    struct keyset seen;
    size_t *order;
    size_t *cpos; /* fixed-width: byte offset of each character of the line */
    size_t cpos_cap;
    /* xml */
    xmlTextReaderPtr xr;
    xmlXPathContextPtr xctx;
    const xmlChar *rec_uri, *rec_local;
    char xml_error[300];
    /* per booking */
    struct cust_buf scratch, json;
    struct feed_val *bv, *cv;
    size_t cv_cap;
    int64_t bookings;
};

/* ---- helpers ---------------------------------------------------------------------------- */

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

/* Add `k`; returns the line it was first seen on when already there, else 0. */
static int64_t keyset_add(struct keyset *s, const char *k, int64_t line)
{
    if ((s->n + 1) * 2 > s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 1024;
        char **nk = cust_xcalloc(ncap, sizeof(*nk));
        int64_t *nl = cust_xcalloc(ncap, sizeof(*nl));
        for (size_t i = 0; i < s->cap; i++) {
            if (!s->key[i])
                continue;
            size_t h = hash_str(s->key[i]) & (ncap - 1);
            while (nk[h])
                h = (h + 1) & (ncap - 1);
            nk[h] = s->key[i];
            nl[h] = s->line[i];
        }
        free(s->key);
        free(s->line);
        s->key = nk;
        s->line = nl;
        s->cap = ncap;
    }
    size_t h = hash_str(k) & (s->cap - 1);
    while (s->key[h]) {
        if (!strcmp(s->key[h], k))
            return s->line[h];
        h = (h + 1) & (s->cap - 1);
    }
    size_t n = strlen(k) + 1;
    s->key[h] = cust_xmalloc(n);
    memcpy(s->key[h], k, n);
    s->line[h] = line;
    s->n++;
    return 0;
}

static void keyset_release(struct keyset *s)
{
    for (size_t i = 0; i < s->cap; i++)
        free(s->key[i]);
    free(s->key);
    free(s->line);
}

static int64_t line_at(const char *data, const char *at)
{
    int64_t l = 1;
    for (const char *c = data; c < at; c++)
        l += *c == '\n';
    return l;
}

/* Read the whole file ("-" = stdin). */
static enum cust_status slurp(const char *path, char **out, size_t *len, struct cust_err *err)
{
    bool is_stdin = !strcmp(path, "-");
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f)
        return cust_err_set(err, CUST_EIO, "cannot open '%s': %s", path, strerror(errno));
    size_t cap = 1 << 16, n = 0;
    char *b = cust_xmalloc(cap + 1);
    size_t got;
    while ((got = fread(b + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            if (cap >= FEED_FILE_MAX) {
                free(b);
                if (!is_stdin)
                    fclose(f);
                return cust_err_set(err, CUST_ETOOBIG, "'%s' is larger than 2 GiB", path);
            }
            cap *= 2;
            b = cust_xrealloc(b, cap + 1);
        }
    }
    bool bad = ferror(f);
    if (!is_stdin)
        fclose(f);
    if (bad) {
        free(b);
        return cust_err_set(err, CUST_EIO, "cannot read '%s'", path);
    }
    b[n] = '\0';
    *out = b;
    *len = n;
    return CUST_OK;
}

/* Re-encode a windows-1252 / iso-8859-1 input as UTF-8 (iconv). */
static enum cust_status to_utf8(struct cust_feed_reader *r, const char *enc, struct cust_err *err)
{
    iconv_t cd = iconv_open("UTF-8", !strcmp(enc, "windows-1252") ? "CP1252" : "ISO-8859-1");
    if (cd == (iconv_t)-1)
        return cust_err_set(err, CUST_EIO, "cannot convert from %s: %s", enc, strerror(errno));
    size_t cap = r->len * 3 + 1;
    char *out = cust_xmalloc(cap);
    char *in = r->data, *o = out;
    size_t inleft = r->len, outleft = cap - 1;
    size_t rc = iconv(cd, &in, &inleft, &o, &outleft);
    iconv_close(cd);
    if (rc == (size_t)-1) {
        int64_t l = line_at(r->data, in);
        free(out);
        return cust_err_set(err, CUST_EINVAL, "%s:%" PRId64 ": $: a byte that is not %s", r->label,
                            l, enc);
    }
    *o = '\0';
    free(r->data);
    r->data = out;
    r->len = (size_t)(o - out);
    return CUST_OK;
}

static void trim(const char **s, size_t *n)
{
    while (*n && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*n)--;
    }
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
        (*n)--;
}

static void add_field(struct cust_feed_reader *r, const char *s, size_t n)
{
    trim(&s, &n);
    if (r->n_offs == r->offs_cap) {
        r->offs_cap = r->offs_cap ? r->offs_cap * 2 : 256;
        r->offs = cust_xrealloc(r->offs, r->offs_cap * sizeof(*r->offs));
    }
    r->offs[r->n_offs++] = r->text.len;
    if (cust_buf_append(&r->text, s, n) != CUST_OK || cust_buf_putc(&r->text, '\0') != CUST_OK)
        abort(); /* unbounded buffer: only allocation failure, which aborts already */
}

static const char *field(const struct cust_feed_reader *r, const struct trow *row, int col)
{
    if (col < 0 || (size_t)col >= row->n)
        return NULL;
    return r->text.buf + r->offs[row->first + (size_t)col];
}

/* ---- tabular rows ------------------------------------------------------------------------ */

/* One row into r->rows (1), 0 at the end, -1 for malformed input (err). */
static int tab_row(struct cust_feed_reader *r, struct cust_err *err)
{
    const struct cust_map *m = r->m;
    const char *end = r->data + r->len;
    while (r->p < end && (*r->p == '\n' || *r->p == '\r')) {
        if (*r->p == '\n')
            r->line++;
        r->p++;
    }
    if (r->p >= end)
        return 0;
    if (r->n_rows == r->rows_cap) {
        r->rows_cap = r->rows_cap ? r->rows_cap * 2 : 16;
        r->rows = cust_xrealloc(r->rows, r->rows_cap * sizeof(*r->rows));
    }
    struct trow *row = &r->rows[r->n_rows];
    row->line = r->line;
    row->start = r->p;
    row->first = r->n_offs;
    if (m->format == FEED_FIXED) {
        const char *e = memchr(r->p, '\n', (size_t)(end - r->p));
        if (!e)
            e = end;
        size_t n = (size_t)(e - r->p);
        if (n && r->p[n - 1] == '\r')
            n--;
        /* columns count characters, not bytes: the byte offset of each character */
        size_t nch = 0, i = 0;
        uint32_t cp;
        if (r->cpos_cap < n + 1) {
            r->cpos_cap = n + 1;
            r->cpos = cust_xrealloc(r->cpos, r->cpos_cap * sizeof(*r->cpos));
        }
        while (i < n) {
            r->cpos[nch++] = i;
            if (!cust_utf8_next((const unsigned char *)r->p, n, &i, &cp))
                i++;
        }
        r->cpos[nch] = n;
        for (size_t c = 0; c < m->n_fixed; c++) {
            size_t a = m->fixed[c].start, b = a + m->fixed[c].width;
            if (a >= nch)
                add_field(r, "", 0);
            else
                add_field(r, r->p + r->cpos[a], r->cpos[b > nch ? nch : b] - r->cpos[a]);
        }
        r->p = e < end ? e + 1 : e;
        r->line++;
    } else {
        char delim = m->delimiter;
        bool quotes = m->format == FEED_CSV;
        struct cust_buf q = CUST_BUF_INIT;
        for (;;) {
            if (quotes && r->p < end && *r->p == '"') {
                int64_t at = r->line;
                cust_buf_reset(&q);
                r->p++;
                for (;;) {
                    if (r->p >= end) {
                        cust_buf_release(&q);
                        return cust_err_set(err, CUST_EINVAL,
                                            "%s:%" PRId64 ": $: malformed CSV: a quoted field "
                                            "is not closed",
                                            r->label, at),
                               -1;
                    }
                    char c = *r->p++;
                    if (c == '"') {
                        if (r->p < end && *r->p == '"')
                            r->p++;
                        else
                            break;
                    } else if (c == '\n') {
                        r->line++;
                    }
                    if (cust_buf_putc(&q, c) != CUST_OK)
                        abort();
                }
                if (r->p < end && *r->p != delim && *r->p != '\n' && *r->p != '\r') {
                    cust_buf_release(&q);
                    return cust_err_set(err, CUST_EINVAL,
                                        "%s:%" PRId64 ": $: malformed CSV: text after a closing "
                                        "quote",
                                        r->label, r->line),
                           -1;
                }
                add_field(r, q.buf, q.len);
            } else {
                const char *s = r->p;
                while (r->p < end && *r->p != delim && *r->p != '\n' && *r->p != '\r')
                    r->p++;
                add_field(r, s, (size_t)(r->p - s));
            }
            if (r->p < end && *r->p == delim) {
                r->p++;
                continue;
            }
            if (r->p < end && *r->p == '\r')
                r->p++;
            if (r->p < end && *r->p == '\n')
                r->p++;
            r->line++;
            break;
        }
        cust_buf_release(&q);
    }
    row->end = r->p;
    row->n = r->n_offs - row->first;
    r->n_rows++;
    return 1;
}

/* Resolve the mapping's columns against the header (or the listed / fixed columns). */
static enum cust_status tab_columns(struct cust_feed_reader *r, struct cust_err *err)
{
    const struct cust_map *m = r->m;
    char **names = NULL;
    size_t n = 0;
    int64_t line = 1;
    if (m->format == FEED_FIXED) {
        n = m->n_fixed;
        names = cust_xcalloc(n ? n : 1, sizeof(*names));
        for (size_t i = 0; i < n; i++)
            names[i] = m->fixed[i].name;
    } else if (m->header) {
        int got = tab_row(r, err);
        if (got < 0)
            return CUST_EINVAL;
        if (got == 0)
            return cust_err_set(err, CUST_EINVAL, "%s:1: $: no header row", r->label);
        line = r->rows[0].line;
        n = r->rows[0].n;
        names = cust_xcalloc(n ? n : 1, sizeof(*names));
        for (size_t i = 0; i < n; i++)
            names[i] = r->text.buf + r->offs[i];
    } else {
        n = m->n_columns;
        names = cust_xcalloc(n ? n : 1, sizeof(*names));
        for (size_t i = 0; i < n; i++)
            names[i] = m->columns[i];
    }
    r->n_header = n;
    enum cust_status st = CUST_OK;
    for (size_t i = 0; i < n && st == CUST_OK; i++)
        for (size_t j = 0; j < i && st == CUST_OK; j++)
            if (!strcmp(names[i], names[j]) && names[i][0])
                st = cust_err_set(err, CUST_EINVAL, "%s:%" PRId64 ": $: column '%s' is named twice",
                                  r->label, line, names[i]);
    const char *want[2] = {m->booking_key, m->charge_key};
    int *got[2] = {&r->key_col, &r->order_col};
    for (size_t k = 0; k < 2 + m->n_rules && st == CUST_OK; k++) {
        const char *col = k < 2 ? want[k] : m->rules[k - 2].column;
        int idx = -1;
        if (col) {
            for (size_t i = 0; i < n && idx < 0; i++)
                if (!strcmp(names[i], col))
                    idx = (int)i;
            if (idx < 0)
                st = cust_err_set(
                    err, CUST_EINVAL, "%s:%" PRId64 ": $: column '%s' (%s:%d) is not in the %s",
                    r->label, line, col, m->path, k < 2 ? 1 : m->rules[k - 2].map_line,
                    m->header && m->format != FEED_FIXED ? "header" : "columns");
        }
        if (k < 2)
            *got[k] = idx;
        else
            r->rule_col[k - 2] = idx;
    }
    free(names);
    /* the header row's fields are not part of any booking */
    r->n_rows = 0;
    r->n_offs = 0;
    cust_buf_reset(&r->text);
    return st;
}

/* Read the next booking's rows (all rows with the same key, which must be together). */
static int tab_group(struct cust_feed_reader *r, struct cust_err *err)
{
    if (r->pending) {
        /* move the row read ahead to the front */
        struct trow last = r->rows[r->n_rows - 1];
        size_t base = r->offs[last.first];
        memmove(r->text.buf, r->text.buf + base, r->text.len - base);
        r->text.len -= base;
        for (size_t i = 0; i < last.n; i++)
            r->offs[i] = r->offs[last.first + i] - base;
        r->n_offs = last.n;
        last.first = 0;
        r->rows[0] = last;
        r->n_rows = 1;
        r->pending = false;
    } else {
        r->n_rows = 0;
        r->n_offs = 0;
        cust_buf_reset(&r->text);
        int got = tab_row(r, err);
        if (got <= 0)
            return got;
    }
    for (;;) {
        int got = tab_row(r, err);
        if (got < 0)
            return -1;
        if (got == 0)
            return 1;
        const char *k0 = field(r, &r->rows[0], r->key_col);
        const char *k = field(r, &r->rows[r->n_rows - 1], r->key_col);
        if (strcmp(k0 ? k0 : "", k ? k : "")) {
            r->pending = true;
            return 1;
        }
    }
}

static size_t group_rows(const struct cust_feed_reader *r)
{
    return r->n_rows - (r->pending ? 1 : 0);
}

static int cmp_key(const char *a, const char *b)
{
    a = a ? a : "";
    b = b ? b : "";
    char *ea, *eb;
    errno = 0;
    long long x = strtoll(a, &ea, 10), y = strtoll(b, &eb, 10);
    if (*a && *b && !*ea && !*eb && !errno)
        return x < y ? -1 : x > y;
    return strcmp(a, b);
}

static void path_of(char *out, size_t cap, const struct feed_rule *rule, size_t charge)
{
    if (rule->charge)
        snprintf(out, cap, "charges[%zu].%s", charge, rule->target);
    else
        snprintf(out, cap, "%s", rule->target);
}

static void grow_charges(struct cust_feed_reader *r, struct cust_import_item *it, size_t n)
{
    size_t nr = r->m->n_rules ? r->m->n_rules : 1;
    if (n > r->cv_cap) {
        r->cv_cap = n * 2;
        r->cv = cust_xrealloc(r->cv, r->cv_cap * nr * sizeof(*r->cv));
    }
    if (n > it->charges_cap) {
        it->charges_cap = n * 2;
        it->charge_lines = cust_xrealloc(it->charge_lines, it->charges_cap * sizeof(int64_t));
    }
}

/* The values of the current group: booking fields from its rows, one charge per row. */
static size_t tab_values(struct cust_feed_reader *r, struct cust_import_item *it,
                         struct feed_ctx *x)
{
    const struct cust_map *m = r->m;
    size_t n = group_rows(r);
    char path[300];
    const char *key = field(r, &r->rows[0], r->key_col);
    int64_t seen = keyset_add(&r->seen, key ? key : "", r->rows[0].line);
    if (seen)
        cust_diag_add(x->diag, "booking_number",
                      "the rows of booking '%s' are not together: it already appeared on line "
                      "%" PRId64 " (rows of a booking must follow each other)",
                      key ? key : "", seen);
    size_t want = m->format == FEED_FIXED ? m->n_fixed : r->n_header;
    for (size_t i = 0; i < n; i++)
        if (r->rows[i].n != want) {
            char where[32];
            snprintf(where, sizeof(where), "$");
            cust_diag_add(x->diag, where, "line %" PRId64 " has %zu fields; the %s has %zu",
                          r->rows[i].line, r->rows[i].n, m->header ? "header" : "mapping", want);
        }
    for (size_t k = 0; k < m->n_rules; k++) {
        const struct feed_rule *rule = &m->rules[k];
        if (rule->charge)
            continue;
        const char *raw = field(r, &r->rows[0], r->rule_col[k]);
        path_of(path, sizeof(path), rule, 0);
        if (r->rule_col[k] >= 0) {
            for (size_t i = 1; i < n; i++) {
                const char *o = field(r, &r->rows[i], r->rule_col[k]);
                if (strcmp(o ? o : "", raw ? raw : "")) {
                    cust_diag_add(x->diag, path,
                                  "%s differs between the rows of one booking: '%s' on line "
                                  "%" PRId64 ", '%s' on line %" PRId64,
                                  rule->column, raw ? raw : "", r->rows[0].line, o ? o : "",
                                  r->rows[i].line);
                    break;
                }
            }
        }
        feed_value(x, rule, raw, path, &r->bv[k]);
    }
    /* charges: one per row that has any charge column filled, in charge_order */
    bool any_charge_rule = false;
    for (size_t k = 0; k < m->n_rules; k++)
        any_charge_rule |= m->rules[k].charge;
    if (!any_charge_rule)
        return 0;
    r->order = cust_xrealloc(r->order, (n ? n : 1) * sizeof(*r->order));
    size_t nc = 0;
    for (size_t i = 0; i < n; i++) {
        bool filled = false;
        for (size_t k = 0; k < m->n_rules && !filled; k++) {
            const char *v = m->rules[k].charge ? field(r, &r->rows[i], r->rule_col[k]) : NULL;
            filled = v && *v;
        }
        if (filled)
            r->order[nc++] = i;
    }
    if (r->order_col >= 0) {
        for (size_t a = 1; a < nc; a++) { /* insertion sort: a booking has few charges */
            size_t v = r->order[a], b = a;
            const char *kv = field(r, &r->rows[v], r->order_col);
            while (b > 0 &&
                   cmp_key(field(r, &r->rows[r->order[b - 1]], r->order_col), kv ? kv : "") > 0) {
                r->order[b] = r->order[b - 1];
                b--;
            }
            r->order[b] = v;
        }
        for (size_t a = 1; a < nc; a++) {
            const char *p0 = field(r, &r->rows[r->order[a - 1]], r->order_col);
            const char *p1 = field(r, &r->rows[r->order[a]], r->order_col);
            if (!cmp_key(p0 ? p0 : "", p1 ? p1 : ""))
                cust_diag_add(x->diag, "charges",
                              "%s '%s' is given twice in one booking (lines %" PRId64
                              " and %" PRId64 ")",
                              m->charge_key, p1 ? p1 : "", r->rows[r->order[a - 1]].line,
                              r->rows[r->order[a]].line);
        }
    }
    grow_charges(r, it, nc);
    for (size_t c = 0; c < nc; c++) {
        const struct trow *row = &r->rows[r->order[c]];
        it->charge_lines[c] = row->line;
        for (size_t k = 0; k < m->n_rules; k++) {
            const struct feed_rule *rule = &m->rules[k];
            struct feed_val *v = &r->cv[c * m->n_rules + k];
            memset(v, 0, sizeof(*v));
            if (!rule->charge)
                continue;
            path_of(path, sizeof(path), rule, c);
            feed_value(x, rule, field(r, row, r->rule_col[k]), path, v);
        }
    }
    it->n_charges = nc;
    return nc;
}

/* ---- XML records ------------------------------------------------------------------------- */

static void xml_error(void *arg, xmlErrorPtr e)
{
    struct cust_feed_reader *r = arg;
    if (!e || r->xml_error[0] || e->level < XML_ERR_ERROR)
        return;
    char msg[200];
    snprintf(msg, sizeof(msg), "%s", e->message ? e->message : "error");
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        msg[--n] = '\0';
    snprintf(r->xml_error, sizeof(r->xml_error), "%s:%d: $: not well-formed XML: %s", r->label,
             e->line, msg);
}

static void xml_silent(void *arg, xmlErrorPtr e)
{
    (void)arg;
    (void)e;
}

/* The text an XPath gives at `ctx` (trimmed, in r->scratch-independent storage), NULL when it
 * selects nothing; *count = the number of nodes selected. */
static char *xpath_text(struct cust_feed_reader *r, void *comp, xmlNodePtr ctx, int *count)
{
    r->xctx->node = ctx;
    xmlXPathObjectPtr res = xmlXPathCompiledEval(comp, r->xctx);
    *count = 0;
    if (!res)
        return NULL;
    xmlChar *s = NULL;
    if (res->type == XPATH_NODESET) {
        *count = res->nodesetval ? res->nodesetval->nodeNr : 0;
        if (*count > 0)
            s = xmlNodeGetContent(res->nodesetval->nodeTab[0]);
    } else {
        *count = 1;
        s = xmlXPathCastToString(res);
    }
    xmlXPathFreeObject(res);
    if (!s)
        return NULL;
    const char *p = (const char *)s;
    size_t n = strlen(p);
    while (n && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) {
        p++;
        n--;
    }
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\n' || p[n - 1] == '\r'))
        n--;
    char *out = cust_xmalloc(n + 1);
    memcpy(out, p, n);
    out[n] = '\0';
    xmlFree(s);
    return out;
}

static bool xml_is_record(struct cust_feed_reader *r)
{
    if (xmlTextReaderNodeType(r->xr) != XML_READER_TYPE_ELEMENT)
        return false;
    const xmlChar *local = xmlTextReaderConstLocalName(r->xr);
    const xmlChar *uri = xmlTextReaderConstNamespaceUri(r->xr);
    if (!local || xmlStrcmp(local, r->rec_local))
        return false;
    if (!r->rec_uri)
        return uri == NULL;
    return uri && !xmlStrcmp(uri, r->rec_uri);
}

/* The next record element expanded (1), 0 at the end, -1 when the XML is broken. */
static int xml_record(struct cust_feed_reader *r, xmlNodePtr *out, struct cust_err *err)
{
    int rc = xmlTextReaderRead(r->xr);
    while (rc == 1 && !xml_is_record(r))
        rc = xmlTextReaderRead(r->xr);
    if (rc == 1) {
        xmlNodePtr n = xmlTextReaderExpand(r->xr);
        if (n) {
            if (!r->xctx) {
                r->xctx = xmlXPathNewContext(n->doc);
                for (size_t i = 0; i < r->m->n_ns; i++)
                    xmlXPathRegisterNs(r->xctx, (const xmlChar *)r->m->ns_prefix[i],
                                       (const xmlChar *)r->m->ns_uri[i]);
            }
            *out = n;
            return 1;
        }
        rc = -1;
    }
    if (rc == 0 && !r->xml_error[0])
        return 0;
    if (r->xml_error[0])
        cust_err_set(err, CUST_EINVAL, "%s", r->xml_error);
    else
        cust_err_set(err, CUST_EINVAL, "%s: $: not well-formed XML", r->label);
    return -1;
}

static size_t xml_values(struct cust_feed_reader *r, xmlNodePtr rec, struct cust_import_item *it,
                         struct feed_ctx *x)
{
    const struct cust_map *m = r->m;
    char path[300];
    for (size_t k = 0; k < m->n_rules; k++) {
        const struct feed_rule *rule = &m->rules[k];
        if (rule->charge)
            continue;
        path_of(path, sizeof(path), rule, 0);
        int count = 0;
        char *raw = rule->xpath ? xpath_text(r, rule->xpath, rec, &count) : NULL;
        if (count > 1)
            cust_diag_add(x->diag, path,
                          "%s selects %d elements of one booking; it must select one", rule->column,
                          count);
        feed_value(x, rule, raw, path, &r->bv[k]);
        free(raw);
    }
    if (!m->charge_each_x) {
        it->n_charges = 0;
        return 0;
    }
    r->xctx->node = rec;
    xmlXPathObjectPtr each = xmlXPathCompiledEval(m->charge_each_x, r->xctx);
    size_t nc = 0;
    if (each && each->type == XPATH_NODESET && each->nodesetval)
        nc = (size_t)each->nodesetval->nodeNr;
    grow_charges(r, it, nc);
    for (size_t c = 0; c < nc; c++) {
        xmlNodePtr cn = each->nodesetval->nodeTab[c];
        it->charge_lines[c] = xmlGetLineNo(cn);
        for (size_t k = 0; k < m->n_rules; k++) {
            const struct feed_rule *rule = &m->rules[k];
            struct feed_val *v = &r->cv[c * m->n_rules + k];
            memset(v, 0, sizeof(*v));
            if (!rule->charge)
                continue;
            path_of(path, sizeof(path), rule, c);
            int count = 0;
            char *raw = rule->xpath ? xpath_text(r, rule->xpath, cn, &count) : NULL;
            if (count > 1)
                cust_diag_add(x->diag, path,
                              "%s selects %d elements of one charge; it must select one",
                              rule->column, count);
            feed_value(x, rule, raw, path, v);
            free(raw);
        }
    }
    if (each)
        xmlXPathFreeObject(each);
    it->n_charges = nc;
    return nc;
}

/* ---- the import source ---------------------------------------------------------------------- */

static void set_input(struct cust_import_item *it, const char *s, size_t n)
{
    if (n + 1 > it->input_cap) {
        it->input_cap = n + 1;
        it->input = cust_xrealloc(it->input, it->input_cap);
    }
    memcpy(it->input, s, n);
    it->input[n] = '\0';
    it->input_len = n;
}

static int src_next(void *arg, struct cust_import_item *it, struct cust_err *err)
{
    struct cust_feed_reader *r = arg;
    const struct cust_map *m = r->m;
    cust_buf_reset(&r->scratch);
    struct feed_ctx x = {&it->diag, &r->scratch, r->zone, m->ambiguous};
    memset(r->bv, 0, (m->n_rules ? m->n_rules : 1) * sizeof(*r->bv));
    size_t nc;
    if (m->format == FEED_XML) {
        xmlNodePtr rec;
        int got = xml_record(r, &rec, err);
        if (got <= 0)
            return got;
        it->lineno = xmlGetLineNo(rec);
        it->done = (off_t)xmlTextReaderByteConsumed(r->xr);
        nc = xml_values(r, rec, it, &x);
        xmlBufferPtr b = xmlBufferCreate();
        if (b) {
            xmlNodeDump(b, rec->doc, rec, 0, 0);
            set_input(it, (const char *)xmlBufferContent(b), (size_t)xmlBufferLength(b));
            xmlBufferFree(b);
        }
        xmlTextReaderNext(r->xr); /* past the record (frees it) */
    } else {
        int got = tab_group(r, err);
        if (got <= 0)
            return got;
        size_t n = group_rows(r);
        it->lineno = r->rows[0].line;
        it->done = (off_t)(r->rows[n - 1].end - r->data);
        set_input(it, r->rows[0].start, (size_t)(r->rows[n - 1].end - r->rows[0].start));
        while (it->input_len &&
               (it->input[it->input_len - 1] == '\n' || it->input[it->input_len - 1] == '\r'))
            it->input[--it->input_len] = '\0';
        nc = tab_values(r, it, &x);
    }
    cust_buf_reset(&r->json);
    if (feed_render(m, r->scratch.buf, r->bv, r->cv, nc, &r->json) != CUST_OK)
        return cust_err_set(err, CUST_ENOMEM, "out of memory"), -1;
    if (r->json.len + 1 > it->cap) {
        it->cap = r->json.len + 1;
        it->json = cust_xrealloc(it->json, it->cap);
    }
    memcpy(it->json, r->json.buf, r->json.len + 1);
    it->len = r->json.len;
    r->bookings++;
    return 1;
}

static void src_sha256(void *arg, char hex[65])
{
    struct cust_feed_reader *r = arg;
    memcpy(hex, r->sha256, 65);
}

void cust_feed_reader_source(struct cust_feed_reader *r, struct cust_import_source *src)
{
    memset(src, 0, sizeof(*src));
    src->arg = r;
    src->next = src_next;
    src->sha256 = src_sha256;
    src->total = (off_t)r->len;
}

/* Set up a reader over `data` (taken over: freed with the reader). */
static enum cust_status reader_init(const struct cust_map *m, const char *label, char *data,
                                    size_t len, struct cust_feed_reader **out, struct cust_err *err)
{
    *out = NULL;
    struct cust_feed_reader *r = cust_xcalloc(1, sizeof(*r));
    r->m = m;
    size_t ln = strlen(label) + 1;
    r->label = cust_xmalloc(ln);
    memcpy(r->label, label, ln);
    r->line = 1;
    r->key_col = r->order_col = -1;
    r->rule_col = cust_xcalloc(m->n_rules ? m->n_rules : 1, sizeof(*r->rule_col));
    r->bv = cust_xcalloc(m->n_rules ? m->n_rules : 1, sizeof(*r->bv));
    cust_buf_init(&r->text, 0);
    cust_buf_init(&r->scratch, 0);
    cust_buf_init(&r->json, 0);
    r->data = data;
    r->len = len;
    enum cust_status st = CUST_OK;
    {
        unsigned char dig[crypto_hash_sha256_BYTES];
        crypto_hash_sha256(dig, (const unsigned char *)r->data, r->len);
        sodium_bin2hex(r->sha256, sizeof(r->sha256), dig, sizeof(dig));
    }
    if (st == CUST_OK && m->time_zone)
        st = feed_zone_open(m->time_zone, &r->zone, err);
    if (st == CUST_OK && m->format != FEED_XML) {
        if (m->encoding && strcmp(m->encoding, "utf-8"))
            st = to_utf8(r, m->encoding, err);
        if (st == CUST_OK && !cust_utf8_valid((const unsigned char *)r->data, r->len)) {
            size_t i = 0;
            uint32_t cp;
            while (i < r->len && cust_utf8_next((const unsigned char *)r->data, r->len, &i, &cp))
                ;
            st = cust_err_set(err, CUST_EINVAL,
                              "%s:%" PRId64 ": $: not valid UTF-8 (if the file is windows-1252, "
                              "say so in the mapping's input.encoding)",
                              r->label, line_at(r->data, r->data + i));
        }
        const char *nul = st == CUST_OK ? memchr(r->data, '\0', r->len) : NULL;
        if (nul)
            st = cust_err_set(err, CUST_EINVAL, "%s:%" PRId64 ": $: contains a NUL byte", r->label,
                              line_at(r->data, nul));
        if (st == CUST_OK && r->len >= 3 && !memcmp(r->data, "\xEF\xBB\xBF", 3))
            r->p = r->data + 3; /* a byte-order mark */
        else
            r->p = r->data;
        if (st == CUST_OK)
            st = tab_columns(r, err);
    } else if (st == CUST_OK) {
        xmlInitParser();
        r->xr = xmlReaderForMemory(r->data, (int)(r->len > INT32_MAX ? INT32_MAX : r->len),
                                   r->label, NULL, XML_PARSE_NONET | XML_PARSE_BIG_LINES);
        if (!r->xr || r->len > INT32_MAX)
            st = cust_err_set(err, CUST_EINVAL, "%s: cannot read as XML", r->label);
        else
            xmlTextReaderSetStructuredErrorHandler(r->xr, xml_error, r);
        const char *rec = m->record, *colon = strchr(rec, ':');
        r->rec_local = (const xmlChar *)(colon ? colon + 1 : rec);
        if (colon) {
            for (size_t i = 0; i < m->n_ns && !r->rec_uri; i++)
                if (strlen(m->ns_prefix[i]) == (size_t)(colon - rec) &&
                    !memcmp(m->ns_prefix[i], rec, (size_t)(colon - rec)))
                    r->rec_uri = (const xmlChar *)m->ns_uri[i];
            if (!r->rec_uri && st == CUST_OK)
                st = cust_err_set(err, CUST_EINVAL,
                                  "%s: input.record '%s': prefix not in "
                                  "input.namespaces",
                                  m->path, rec);
        }
        xmlSetStructuredErrorFunc(NULL, xml_silent);
    }
    if (st != CUST_OK) {
        cust_feed_reader_free(r);
        return st;
    }
    *out = r;
    return CUST_OK;
}

enum cust_status cust_feed_reader_open(const struct cust_map *m, const char *path,
                                       struct cust_feed_reader **out, struct cust_err *err)
{
    *out = NULL;
    char *data;
    size_t len;
    enum cust_status st = slurp(path, &data, &len, err);
    if (st != CUST_OK)
        return st;
    return reader_init(m, strcmp(path, "-") ? path : "<stdin>", data, len, out, err);
}

enum cust_status cust_feed_reader_open_mem(const struct cust_map *m, const char *label,
                                           const char *data, size_t len,
                                           struct cust_feed_reader **out, struct cust_err *err)
{
    char *copy = cust_xmalloc(len + 1);
    memcpy(copy, data, len);
    copy[len] = '\0';
    return reader_init(m, label, copy, len, out, err);
}

int cust_feed_reader_next(struct cust_feed_reader *r, struct cust_import_item *it,
                          struct cust_err *err)
{
    return src_next(r, it, err);
}

void cust_feed_reader_free(struct cust_feed_reader *r)
{
    if (!r)
        return;
    if (r->xctx)
        xmlXPathFreeContext(r->xctx);
    if (r->xr)
        xmlFreeTextReader(r->xr);
    feed_zone_free(r->zone);
    keyset_release(&r->seen);
    cust_buf_release(&r->text);
    cust_buf_release(&r->scratch);
    cust_buf_release(&r->json);
    free(r->offs);
    free(r->rows);
    free(r->order);
    free(r->cpos);
    free(r->bv);
    free(r->cv);
    free(r->rule_col);
    free(r->data);
    free(r->label);
    free(r);
}

/* ---- import and convert -----------------------------------------------------------------------
 */

enum cust_status cust_feed_import(struct cust_store *s, const struct cust_map *m,
                                  const struct cust_import_opts *o, struct cust_import_stats *st,
                                  struct cust_err *err)
{
    memset(st, 0, sizeof(*st));
    struct cust_feed_reader *r;
    enum cust_status rc = cust_feed_reader_open(m, o->path, &r, err);
    if (rc == CUST_EINVAL) { /* FILE:LINE: $: reason, printed like every other problem */
        fprintf(o->errors ? o->errors : stderr, "%s\n", err ? err->msg : "invalid input");
        return cust_err_set(err, rc, "'%s' cannot be read; nothing was imported", o->path);
    }
    if (rc != CUST_OK)
        return rc;
    struct cust_import_source src;
    cust_feed_reader_source(r, &src);
    struct cust_import_opts oo = *o;
    oo.source = &src;
    oo.mapping = m->name;
    rc = cust_import_file(s, &oo, st, err);
    cust_feed_reader_free(r);
    return rc;
}

static void print_item(FILE *errs, const char *label, const struct cust_import_item *it,
                       const struct cust_diag *d)
{
    for (size_t i = 0; i < d->n; i++) {
        const char *p = d->lines[i];
        int64_t line = it->lineno;
        unsigned long k;
        char *end;
        if (!strncmp(p, "charges[", 8) && (k = strtoul(p + 8, &end, 10), *end == ']') &&
            k < it->n_charges)
            line = it->charge_lines[k];
        fprintf(errs, "%s:%" PRId64 ": %s\n", label, line, p);
    }
    if (d->dropped)
        fprintf(errs, "%s:%" PRId64 ": ... and %zu more problems\n", label, it->lineno, d->dropped);
}

enum cust_status cust_feed_convert(const struct cust_map *m, const char *path, FILE *out,
                                   FILE *errors, int64_t *written, int64_t *invalid,
                                   struct cust_err *err)
{
    *written = *invalid = 0;
    struct cust_feed_reader *r;
    enum cust_status rc = cust_feed_reader_open(m, path, &r, err);
    if (rc == CUST_EINVAL) {
        fprintf(errors, "%s\n", err ? err->msg : "invalid input");
        return cust_err_set(err, rc, "'%s' cannot be read", path);
    }
    if (rc != CUST_OK)
        return rc;
    struct cust_import_item it = {0};
    int got;
    while ((got = src_next(r, &it, err)) > 0) {
        struct cust_diag v = CUST_DIAG_INIT;
        if (!cust_diag_count(&it.diag)) {
            struct cust_record rec;
            if (cust_record_parse(it.json, it.len, &rec, &v) == CUST_OK)
                cust_record_release(&rec);
        }
        if (cust_diag_count(&it.diag) || cust_diag_count(&v)) {
            print_item(errors, r->label, &it, cust_diag_count(&it.diag) ? &it.diag : &v);
            ++*invalid;
        } else if (fwrite(it.json, 1, it.len, out) != it.len || fputc('\n', out) == EOF) {
            got = -1;
            rc = cust_err_set(err, CUST_EIO, "cannot write the records");
        } else {
            ++*written;
        }
        cust_diag_release(&v);
        cust_diag_release(&it.diag);
        if (got < 0)
            break;
    }
    if (got < 0 && rc == CUST_OK) {
        rc = err && err->code ? err->code : CUST_EINVAL;
        if (rc == CUST_EINVAL) {
            fprintf(errors, "%s\n", err ? err->msg : "invalid input");
            cust_err_set(err, rc, "'%s' cannot be read on", path);
        }
    }
    cust_import_item_release(&it);
    cust_feed_reader_free(r);
    if (rc == CUST_OK && *invalid)
        rc = cust_err_set(err, CUST_EINVAL, "'%s': %" PRId64 " invalid record%s", path, *invalid,
                          *invalid == 1 ? "" : "s");
    return rc;
}
