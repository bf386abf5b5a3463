#include "custodian/template.h"

#define MAX_DEPTH 16

struct section {
    char name[64];
    bool emit_before; /* was output on when the section opened */
    size_t line;
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

static bool valid_name(const char *s, size_t n)
{
    if (n == 0 || n >= 64)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.'))
            return false;
    }
    return true;
}

static enum cust_status emit_value(const json_t *v, enum cust_template_escape esc,
                                   struct cust_buf *out)
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
    return esc == CUST_TEMPLATE_HTML ? cust_buf_html(out, s) : cust_buf_puts(out, s);
}

enum cust_status cust_template_render(const char *name, const char *tpl, size_t len,
                                      const json_t *vars, enum cust_template_escape esc,
                                      struct cust_buf *out, struct cust_err *err)
{
    struct section stack[MAX_DEPTH];
    size_t depth = 0;
    bool emit = true;
    const char *p = tpl, *end = tpl + len;
    while (p < end) {
        const char *open = NULL;
        for (const char *q = p; q + 1 < end; q++)
            if (q[0] == '{' && q[1] == '{') {
                open = q;
                break;
            }
        const char *text_end = open ? open : end;
        if (emit && cust_buf_append(out, p, (size_t)(text_end - p)))
            return cust_err_set(err, CUST_ETOOBIG, "%s: output too large", name);
        if (!open)
            break;
        const char *close = NULL;
        for (const char *q = open + 2; q + 1 < end; q++)
            if (q[0] == '}' && q[1] == '}') {
                close = q;
                break;
            }
        size_t line = line_of(tpl, open);
        if (!close)
            return cust_err_set(err, CUST_EINVAL, "%s:%zu: unclosed tag '{{'", name, line);
        const char *tag = open + 2;
        size_t tlen = (size_t)(close - tag);
        char sigil = tlen ? tag[0] : '\0';
        if (sigil == '#' || sigil == '^' || sigil == '/') {
            tag++;
            tlen--;
        }
        if (!valid_name(tag, tlen))
            return cust_err_set(err, CUST_EINVAL, "%s:%zu: bad tag name '%.*s'", name, line,
                                (int)(tlen > 40 ? 40 : tlen), tag);
        char key[64];
        memcpy(key, tag, tlen);
        key[tlen] = '\0';
        const json_t *v = json_is_object(vars) ? json_object_get(vars, key) : NULL;
        if (sigil == '#' || sigil == '^') {
            if (depth == MAX_DEPTH)
                return cust_err_set(err, CUST_EINVAL, "%s:%zu: sections nested too deep", name,
                                    line);
            struct section *s = &stack[depth++];
            memcpy(s->name, key, tlen + 1);
            s->emit_before = emit;
            s->line = line;
            bool on = truthy(v);
            emit = emit && (sigil == '#' ? on : !on);
        } else if (sigil == '/') {
            if (depth == 0 || strcmp(stack[depth - 1].name, key) != 0)
                return cust_err_set(err, CUST_EINVAL, "%s:%zu: '{{/%s}}' closes no open section",
                                    name, line, key);
            emit = stack[--depth].emit_before;
        } else if (emit) {
            if (!v || json_is_null(v))
                return cust_err_set(err, CUST_EINVAL, "%s:%zu: no value for '%s'", name, line, key);
            if (emit_value(v, esc, out))
                return cust_err_set(err, CUST_EINVAL, "%s:%zu: '%s' is not a string or number",
                                    name, line, key);
        }
        p = close + 2;
    }
    if (depth)
        return cust_err_set(err, CUST_EINVAL, "%s:%zu: section '%s' is never closed", name,
                            stack[depth - 1].line, stack[depth - 1].name);
    return CUST_OK;
}
