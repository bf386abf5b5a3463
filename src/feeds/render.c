/*
 * render.c - one booking's source values to one custody JSON line: each rule's value
 * (value table, date pattern and the county's zone, statute normaliser, money), then the
 * record written in the spec's field order with the source-only fields after.
 */
#include "custodian/compat.h"
#include "feeds_int.h"

#include <ctype.h>
#include <inttypes.h>
#include <strings.h>

#include "custodian/date.h"
#include "custodian/records.h"
#include "custodian/statute.h"

/* ---- the output tree ------------------------------------------------------------------------ */

static char *dupn(const char *s, size_t n)
{
    char *d = cust_xmalloc(n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

static struct feed_node *kid(struct feed_node *obj, const char *key, size_t n, int rule, bool array)
{
    for (size_t i = 0; i < obj->n_kids; i++)
        if (strlen(obj->kids[i].key) == n && !memcmp(obj->kids[i].key, key, n))
            return &obj->kids[i];
    obj->kids = cust_xrealloc(obj->kids, (obj->n_kids + 1) * sizeof(*obj->kids));
    struct feed_node *k = &obj->kids[obj->n_kids++];
    memset(k, 0, sizeof(*k));
    k->key = dupn(key, n);
    k->rule = rule;
    k->array = array;
    return k;
}

static void insert(struct feed_node *obj, const char *path, int rule)
{
    const char *dot = strchr(path, '.');
    if (!dot) {
        kid(obj, path, strlen(path), rule, false);
        return;
    }
    insert(kid(obj, path, (size_t)(dot - path), -1, false), dot + 1, rule);
}

static int rule_of(const struct cust_map *m, const char *target, bool charge)
{
    for (size_t i = 0; i < m->n_rules; i++)
        if (m->rules[i].charge == charge && !m->rules[i].extra &&
            !strcmp(m->rules[i].target, target))
            return (int)i;
    return -1;
}

void feed_tree_build(struct cust_map *m)
{
    struct feed_node *root = cust_xcalloc(1, sizeof(*root));
    root->rule = -1;
    bool any_charge = false;
    for (size_t i = 0; i < m->n_rules; i++)
        any_charge |= m->rules[i].charge;
    for (size_t t = 0; t < feed_n_booking_targets; t++) {
        const char *path = feed_booking_targets[t].path;
        if (any_charge && !strcmp(path, "sentence.imposed_on")) {
            struct feed_node *ch = kid(root, "charges", 7, -1, true);
            for (size_t c = 0; c < feed_n_charge_targets; c++) {
                int r = rule_of(m, feed_charge_targets[c].path, true);
                if (r >= 0)
                    insert(ch, feed_charge_targets[c].path, r);
            }
            for (size_t r = 0; r < m->n_rules; r++)
                if (m->rules[r].charge && m->rules[r].extra)
                    insert(ch, m->rules[r].target, (int)r);
        }
        int r = rule_of(m, path, false);
        if (r >= 0)
            insert(root, path, r);
    }
    for (size_t r = 0; r < m->n_rules; r++)
        if (!m->rules[r].charge && m->rules[r].extra)
            insert(root, m->rules[r].target, (int)r);
    m->tree = root;
}

static void node_release(struct feed_node *n)
{
    for (size_t i = 0; i < n->n_kids; i++)
        node_release(&n->kids[i]);
    free(n->kids);
    free(n->key);
}

void feed_tree_free(struct feed_node *n)
{
    if (!n)
        return;
    node_release(n);
    free(n);
}

/* ---- values --------------------------------------------------------------------------------- */

static bool put(struct cust_buf *b, const char *s, size_t n, bool raw, struct feed_val *out)
{
    out->off = b->len;
    out->n = n;
    out->raw = raw;
    out->present = cust_buf_append(b, s, n) == CUST_OK && cust_buf_putc(b, '\0') == CUST_OK;
    return out->present;
}

/* Whole-dollar or dollar-and-cents text ("$1,500.00", "1500", "12.5") in cents. */
static bool dollars(const char *s, int64_t *cents)
{
    int64_t v = 0;
    int frac = -1, nd = 0;
    if (*s == '$')
        s++;
    for (; *s; s++) {
        if (*s == ',' && frac < 0 && nd > 0)
            continue;
        if (*s == '.' && frac < 0) {
            frac = 0;
            continue;
        }
        if (!isdigit((unsigned char)*s) || v > INT64_MAX / 100 - 10)
            return false;
        if (frac >= 0 && ++frac > 2)
            return false;
        v = v * 10 + (*s - '0');
        nd++;
    }
    if (!nd)
        return false;
    for (int k = frac < 0 ? 0 : frac; k < 2; k++)
        v *= 10;
    *cents = v;
    return true;
}

static bool whole_number(const char *s)
{
    if (*s == '-')
        s++;
    if (!*s || strlen(s) > 18)
        return false;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return false;
    return true;
}

static void list_codes(const struct feed_rule *r, char *out, size_t cap)
{
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < r->n_values && o + 1 < cap; i++) {
        int w = snprintf(out + o, cap - o, "%s%s", i ? ", " : "", r->from[i]);
        if (w < 0 || (size_t)w >= cap - o) {
            snprintf(out + (cap > 5 ? cap - 5 : 0), cap > 5 ? 5 : cap, " ...");
            return;
        }
        o += (size_t)w;
    }
}

bool feed_value(struct feed_ctx *x, const struct feed_rule *r, const char *raw, const char *path,
                struct feed_val *out)
{
    memset(out, 0, sizeof(*out));
    const char *col = r->column ? r->column : "const";
    const char *text = r->constant;
    if (!text) {
        /* raw arrives trimmed */
        if (!raw || !*raw) {
            if (!r->if_empty)
                return true;
            text = r->if_empty;
        } else if (r->n_values) {
            size_t i = 0;
            while (i < r->n_values && strcasecmp(r->from[i], raw))
                i++;
            if (i < r->n_values) {
                text = r->to[i];
            } else if (r->value_default) {
                text = r->value_default;
            } else {
                char codes[200];
                list_codes(r, codes, sizeof(codes));
                cust_diag_add(x->diag, path, "%s '%s' is not in the mapping's value table (%s)",
                              col, raw, codes);
                return false;
            }
        } else {
            text = raw;
        }
    }
    char buf[64];
    struct feed_wall w;
    switch (r->xform) {
    case FX_DATE:
    case FX_DATETIME: {
        size_t i = 0;
        while (i < r->n_formats && !feed_pattern_read(r->formats[i], text, &w))
            i++;
        if (i == r->n_formats) {
            cust_diag_add(x->diag, path, "%s '%s' is not a date written %s%s", col, text,
                          r->formats[0], r->n_formats > 1 ? " (nor the other patterns)" : "");
            return false;
        }
        if (r->xform == FX_DATE) {
            cust_date_format(cust_days_from_civil(w.year, (unsigned)w.month, (unsigned)w.day), buf);
            return put(x->scratch, buf, 10, false, out);
        }
        int64_t ts;
        int off;
        if (w.has_offset) {
            off = w.offset_minutes;
            ts = (int64_t)cust_days_from_civil(w.year, (unsigned)w.month, (unsigned)w.day) * 86400 +
                 w.hour * 3600 + w.minute * 60 + w.second - (int64_t)off * 60;
        } else {
            struct cust_err e = CUST_ERR_INIT;
            if (!x->zone ||
                feed_zone_resolve(x->zone, &w, x->ambiguous, &ts, &off, &e) != CUST_OK) {
                cust_diag_add(x->diag, path, "%s '%s': %s", col, text,
                              x->zone ? e.msg : "no time zone");
                return false;
            }
        }
        char t[32];
        cust_time_format(ts, off, false, t);
        return put(x->scratch, t, strlen(t), false, out);
    }
    case FX_STATUTE: {
        char code[256];
        if (!cust_statute_code(text, code, sizeof(code))) {
            cust_diag_add(x->diag, path,
                          "%s '%s' cannot be read as a statute code (a control or non-ASCII "
                          "character, or longer than %zu bytes)",
                          col, text, sizeof(code) - 1);
            return false;
        }
        return put(x->scratch, code, strlen(code), false, out);
    }
    case FX_DOLLARS: {
        int64_t cents;
        if (!dollars(text, &cents)) {
            cust_diag_add(x->diag, path, "%s '%s' is not an amount in dollars", col, text);
            return false;
        }
        snprintf(buf, sizeof(buf), "%" PRId64, cents);
        return put(x->scratch, buf, strlen(buf), true, out);
    }
    case FX_CENTS:
    case FX_NONE:
        break;
    }
    if (r->type == FT_INT) {
        if (!whole_number(text)) {
            cust_diag_add(x->diag, path, "%s '%s' is not a whole number", col, text);
            return false;
        }
        return put(x->scratch, text, strlen(text), true, out);
    }
    if (r->type == FT_BOOL) {
        static const char *const yes[] = {"true", "yes", "y", "t", "1"};
        static const char *const no[] = {"false", "no", "n", "f", "0"};
        for (size_t i = 0; i < CUST_ARRAY_LEN(yes); i++) {
            if (!strcasecmp(text, yes[i]))
                return put(x->scratch, "true", 4, true, out);
            if (!strcasecmp(text, no[i]))
                return put(x->scratch, "false", 5, true, out);
        }
        cust_diag_add(x->diag, path, "%s '%s' is not yes or no (true/false, Y/N, 1/0)", col, text);
        return false;
    }
    return put(x->scratch, text, strlen(text), false, out);
}

/* ---- JSON ------------------------------------------------------------------------------------ */

static enum cust_status json_str(struct cust_buf *o, const char *s, size_t n)
{
    enum cust_status st = cust_buf_putc(o, '"');
    size_t run = 0;
    for (size_t i = 0; i < n && st == CUST_OK; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        st = cust_buf_append(o, s + run, i - run);
        run = i + 1;
        char esc[8];
        if (c == '"' || c == '\\')
            snprintf(esc, sizeof(esc), "\\%c", c);
        else if (c == '\n')
            snprintf(esc, sizeof(esc), "\\n");
        else if (c == '\t')
            snprintf(esc, sizeof(esc), "\\t");
        else if (c == '\r')
            snprintf(esc, sizeof(esc), "\\r");
        else
            snprintf(esc, sizeof(esc), "\\u%04x", c);
        if (st == CUST_OK)
            st = cust_buf_puts(o, esc);
    }
    if (st == CUST_OK)
        st = cust_buf_append(o, s + run, n - run);
    return st == CUST_OK ? cust_buf_putc(o, '"') : st;
}

static bool has_value(const struct feed_node *n, const struct feed_val *v, size_t n_charges)
{
    if (n->array)
        return n_charges > 0;
    if (n->rule >= 0)
        return v[n->rule].present;
    for (size_t i = 0; i < n->n_kids; i++)
        if (has_value(&n->kids[i], v, n_charges))
            return true;
    return false;
}

static enum cust_status write_obj(struct cust_buf *o, const char *scratch,
                                  const struct feed_node *n, const struct feed_val *v,
                                  const struct feed_val *charges, size_t n_charges, size_t n_rules)
{
    enum cust_status st = cust_buf_putc(o, '{');
    bool first = true;
    for (size_t i = 0; i < n->n_kids && st == CUST_OK; i++) {
        const struct feed_node *k = &n->kids[i];
        if (!has_value(k, v, n_charges))
            continue;
        if (!first)
            st = cust_buf_putc(o, ',');
        first = false;
        if (st == CUST_OK)
            st = json_str(o, k->key, strlen(k->key));
        if (st == CUST_OK)
            st = cust_buf_putc(o, ':');
        if (st != CUST_OK)
            break;
        if (k->array) {
            st = cust_buf_putc(o, '[');
            for (size_t c = 0; c < n_charges && st == CUST_OK; c++) {
                if (c)
                    st = cust_buf_putc(o, ',');
                if (st == CUST_OK)
                    st = write_obj(o, scratch, k, charges + c * n_rules, NULL, 0, n_rules);
            }
            if (st == CUST_OK)
                st = cust_buf_putc(o, ']');
        } else if (k->rule >= 0) {
            const struct feed_val *val = &v[k->rule];
            st = val->raw ? cust_buf_append(o, scratch + val->off, val->n)
                          : json_str(o, scratch + val->off, val->n);
        } else {
            st = write_obj(o, scratch, k, v, charges, n_charges, n_rules);
        }
    }
    return st == CUST_OK ? cust_buf_putc(o, '}') : st;
}

enum cust_status feed_render(const struct cust_map *m, const char *scratch,
                             const struct feed_val *booking, const struct feed_val *charges,
                             size_t n_charges, struct cust_buf *out)
{
    return write_obj(out, scratch, m->tree, booking, charges, n_charges, m->n_rules);
}
