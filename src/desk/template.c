/*
 * template.c - the mustache subset of template.h: values, sections over booleans, strings,
 * objects and lists, inverted sections, raw values, comments; strict about every hole.
 *
 * The renderer walks the text once per pass over a section: a section's body is found by its
 * matching close tag and rendered once (a true value), once with an object as the innermost
 * context, once per element of a list, or not at all. Names are looked up from the innermost
 * context outwards, so a list element's fields shadow the page's and the page's stay in reach.
 */
#include "custodian/template.h"

#define MAX_DEPTH 16 /* nested sections, and contexts */

struct tag {
    const char *open, *close; /* "{{" and the first "}}" (or "}}}" end) */
    const char *after;        /* just past the tag */
    char sigil;               /* '#', '^', '/', '!', '{' (raw) or 0 */
    char name[64];
};

struct render {
    const char *file;              /* for messages */
    const char *tpl;               /* the whole text, for line numbers */
    enum cust_template_escape esc; /* of {{name}}; {{{name}}} is never escaped */
    const json_t *ctx[MAX_DEPTH];  /* the context stack, innermost last */
    size_t nctx;
    struct cust_buf *out;
    struct cust_err *err;
};

static size_t line_of(const char *tpl, const char *p)
{
    size_t n = 1;
    for (const char *q = tpl; q < p; q++)
        n += *q == '\n';
    return n;
}

static bool truthy(const json_t *v)
{
    if (!v || json_is_null(v) || json_is_false(v))
        return false;
    if (json_is_string(v))
        return json_string_length(v) > 0;
    if (json_is_array(v))
        return json_array_size(v) > 0;
    return true;
}

/* A name: letters, digits, '_', and '.' between parts ("a.b"); "." alone is the context. */
static bool valid_name(const char *s, size_t n)
{
    if (n == 0 || n >= 64)
        return false;
    if (n == 1 && s[0] == '.')
        return true;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.'))
            return false;
    }
    return s[0] != '.' && s[n - 1] != '.';
}

/* Find the next tag at or after `p`; false at the end of the text. */
static enum cust_status next_tag(struct render *r, const char *p, const char *end, struct tag *t,
                                 bool *found)
{
    *found = false;
    const char *open = NULL;
    for (const char *q = p; q + 1 < end; q++)
        if (q[0] == '{' && q[1] == '{') {
            open = q;
            break;
        }
    if (!open)
        return CUST_OK;
    bool raw = open + 2 < end && open[2] == '{';
    const char *close = NULL;
    for (const char *q = open + 2; q + 1 < end; q++)
        if (q[0] == '}' && q[1] == '}' && (!raw || (q + 2 < end && q[2] == '}'))) {
            close = q;
            break;
        }
    if (!close)
        return cust_err_set(r->err, CUST_EINVAL, "%s:%zu: unclosed tag '{{'", r->file,
                            line_of(r->tpl, open));
    const char *tag = open + 2;
    size_t tlen = (size_t)(close - tag);
    t->open = open;
    t->close = close;
    t->after = close + (raw ? 3 : 2);
    t->sigil = tlen ? tag[0] : '\0';
    if (t->sigil == '!') { /* a comment: anything up to the close */
        t->name[0] = '\0';
        *found = true;
        return CUST_OK;
    }
    if (t->sigil == '#' || t->sigil == '^' || t->sigil == '/' || t->sigil == '{') {
        tag++;
        tlen--;
    } else {
        t->sigil = '\0';
    }
    while (tlen && tag[0] == ' ') { /* {{ name }} */
        tag++;
        tlen--;
    }
    while (tlen && tag[tlen - 1] == ' ')
        tlen--;
    if (!valid_name(tag, tlen))
        return cust_err_set(r->err, CUST_EINVAL, "%s:%zu: bad tag name '%.*s'", r->file,
                            line_of(r->tpl, open), (int)(tlen > 40 ? 40 : tlen), tag);
    memcpy(t->name, tag, tlen);
    t->name[tlen] = '\0';
    *found = true;
    return CUST_OK;
}

/* The value of `name`: from the innermost context outwards; "a.b" walks into objects. */
static const json_t *lookup(const struct render *r, const char *name)
{
    if (strcmp(name, ".") == 0)
        return r->nctx ? r->ctx[r->nctx - 1] : NULL;
    char first[64];
    const char *dot = strchr(name, '.');
    size_t n = dot ? (size_t)(dot - name) : strlen(name);
    memcpy(first, name, n);
    first[n] = '\0';
    for (size_t i = r->nctx; i-- > 0;) {
        const json_t *v = json_is_object(r->ctx[i]) ? json_object_get(r->ctx[i], first) : NULL;
        if (!v)
            continue;
        while (dot && v) {
            const char *part = dot + 1;
            dot = strchr(part, '.');
            size_t pn = dot ? (size_t)(dot - part) : strlen(part);
            char key[64];
            memcpy(key, part, pn);
            key[pn] = '\0';
            v = json_is_object(v) ? json_object_get(v, key) : NULL;
        }
        return v;
    }
    return NULL;
}

static enum cust_status emit_value(const json_t *v, bool escape, struct cust_buf *out)
{
    char num[64];
    const char *s = NULL;
    if (json_is_string(v)) {
        s = json_string_value(v);
    } else if (json_is_integer(v)) {
        snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        s = num;
    } else if (json_is_real(v)) {
        snprintf(num, sizeof(num), "%g", json_real_value(v));
        s = num;
    } else {
        return CUST_EINVAL;
    }
    return escape ? cust_buf_html(out, s) : cust_buf_puts(out, s);
}

/* The tag that closes the section opened by `open` (same name, nesting counted). */
static enum cust_status section_end(struct render *r, const struct tag *open, const char *end,
                                    struct tag *close)
{
    size_t depth = 0;
    const char *p = open->after;
    for (;;) {
        bool found;
        enum cust_status st = next_tag(r, p, end, close, &found);
        if (st != CUST_OK)
            return st;
        if (!found)
            return cust_err_set(r->err, CUST_EINVAL, "%s:%zu: section '%s' is never closed",
                                r->file, line_of(r->tpl, open->open), open->name);
        if (close->sigil == '#' || close->sigil == '^') {
            if (++depth > MAX_DEPTH)
                return cust_err_set(r->err, CUST_EINVAL, "%s:%zu: sections nested too deep",
                                    r->file, line_of(r->tpl, close->open));
        } else if (close->sigil == '/') {
            if (depth == 0) {
                if (strcmp(close->name, open->name) != 0)
                    return cust_err_set(r->err, CUST_EINVAL,
                                        "%s:%zu: '{{/%s}}' closes no open section", r->file,
                                        line_of(r->tpl, close->open), close->name);
                return CUST_OK;
            }
            depth--;
        }
        p = close->after;
    }
}

static enum cust_status render_span(struct render *r, const char *p, const char *end);

/* A section's body with `v` as the innermost context (NULL: the same context). */
static enum cust_status render_with(struct render *r, const json_t *v, const char *p,
                                    const char *end, const struct tag *t)
{
    if (!v)
        return render_span(r, p, end);
    if (r->nctx == MAX_DEPTH)
        return cust_err_set(r->err, CUST_EINVAL, "%s:%zu: sections nested too deep", r->file,
                            line_of(r->tpl, t->open));
    r->ctx[r->nctx++] = v;
    enum cust_status st = render_span(r, p, end);
    r->nctx--;
    return st;
}

static enum cust_status render_section(struct render *r, const struct tag *t, const char *body,
                                       const char *body_end)
{
    const json_t *v = lookup(r, t->name);
    if (t->sigil == '^')
        return truthy(v) ? CUST_OK : render_span(r, body, body_end);
    if (!truthy(v))
        return CUST_OK;
    if (json_is_array(v)) {
        size_t i;
        const json_t *x;
        json_array_foreach(v, i, x)
        {
            enum cust_status st = render_with(r, x, body, body_end, t);
            if (st != CUST_OK)
                return st;
        }
        return CUST_OK;
    }
    return render_with(r, json_is_object(v) ? v : NULL, body, body_end, t);
}

static enum cust_status render_span(struct render *r, const char *p, const char *end)
{
    for (;;) {
        struct tag t;
        bool found;
        enum cust_status st = next_tag(r, p, end, &t, &found);
        if (st != CUST_OK)
            return st;
        const char *text_end = found ? t.open : end;
        if (cust_buf_append(r->out, p, (size_t)(text_end - p)))
            return cust_err_set(r->err, CUST_ETOOBIG, "%s: output too large", r->file);
        if (!found)
            return CUST_OK;
#define LINE line_of(r->tpl, t.open)
        if (t.sigil == '!') {
            p = t.after;
        } else if (t.sigil == '#' || t.sigil == '^') {
            struct tag close;
            if ((st = section_end(r, &t, end, &close)) != CUST_OK ||
                (st = render_section(r, &t, t.after, close.open)) != CUST_OK)
                return st;
            p = close.after;
        } else if (t.sigil == '/') {
            return cust_err_set(r->err, CUST_EINVAL, "%s:%zu: '{{/%s}}' closes no open section",
                                r->file, LINE, t.name);
        } else {
            const json_t *v = lookup(r, t.name);
            if (!v || json_is_null(v))
                return cust_err_set(r->err, CUST_EINVAL, "%s:%zu: no value for '%s'", r->file, LINE,
                                    t.name);
            st = emit_value(v, t.sigil != '{' && r->esc == CUST_TEMPLATE_HTML, r->out);
            if (st == CUST_ETOOBIG)
                return cust_err_set(r->err, st, "%s: output too large", r->file);
            if (st != CUST_OK)
                return cust_err_set(r->err, CUST_EINVAL, "%s:%zu: '%s' is not a string or number",
                                    r->file, LINE, t.name);
            p = t.after;
        }
#undef LINE
    }
}

enum cust_status cust_template_render(const char *name, const char *tpl, size_t len,
                                      const json_t *vars, enum cust_template_escape esc,
                                      struct cust_buf *out, struct cust_err *err)
{
    struct render r = {.file = name, .tpl = tpl, .esc = esc, .out = out, .err = err};
    r.ctx[r.nctx++] = vars;
    return render_span(&r, tpl, tpl + len);
}
