/* parse.c - request target, query string, form and cookie parsing (pure; fuzzed). */
#include "custodian/compat.h"
#include "custodian/http.h"

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Strict UTF-8 (no overlongs, no surrogates, <= U+10FFFF). */
static bool utf8_valid(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n;
        uint32_t cp;
        if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (len - i <= n)
            return false;
        for (size_t k = 1; k <= n; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += n + 1;
    }
    return true;
}

enum cust_status cust_http_url_decode(struct cust_http_arena *a, const char *s, size_t len,
                                      bool plus_space, char **out, struct cust_err *err)
{
    char *d = cust_http_arena_alloc(a, len + 1);
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '%') {
            if (len - i < 3 || hexval(s[i + 1]) < 0 || hexval(s[i + 2]) < 0)
                return cust_err_set(err, CUST_EINVAL, "malformed percent escape");
            int v = hexval(s[i + 1]) * 16 + hexval(s[i + 2]);
            if (v == 0)
                return cust_err_set(err, CUST_EINVAL, "encoded NUL byte");
            d[o++] = (char)v;
            i += 2;
        } else if (c == '\0') {
            return cust_err_set(err, CUST_EINVAL, "NUL byte");
        } else if (c == '+' && plus_space) {
            d[o++] = ' ';
        } else {
            d[o++] = c;
        }
    }
    d[o] = '\0';
    if (!utf8_valid((const unsigned char *)d, o))
        return cust_err_set(err, CUST_EINVAL, "invalid UTF-8");
    *out = d;
    return CUST_OK;
}

static enum cust_status kv_push(struct cust_http_arena *a, struct cust_kv_list *l, const char *key,
                                const char *value, struct cust_err *err)
{
    if (l->len >= CUST_HTTP_MAX_PAIRS)
        return cust_err_set(err, CUST_ETOOBIG, "more than %d parameters", CUST_HTTP_MAX_PAIRS);
    if (l->len == l->alloc) {
        size_t n = l->alloc ? l->alloc * 2 : 8;
        struct cust_kv *items = cust_http_arena_alloc(a, n * sizeof(*items));
        if (l->len)
            memcpy(items, l->items, l->len * sizeof(*items));
        l->items = items;
        l->alloc = n;
    }
    l->items[l->len].key = key;
    l->items[l->len].value = value;
    l->len++;
    return CUST_OK;
}

enum cust_status cust_http_parse_query(struct cust_http_arena *a, const char *s, size_t len,
                                       struct cust_kv_list *out, struct cust_err *err)
{
    size_t i = 0;
    while (i < len) {
        size_t end = i;
        while (end < len && s[end] != '&')
            end++;
        if (end > i) {
            const char *eq = memchr(s + i, '=', end - i);
            size_t klen = eq ? (size_t)(eq - (s + i)) : end - i;
            char *key, *value;
            enum cust_status st = cust_http_url_decode(a, s + i, klen, true, &key, err);
            if (st)
                return st;
            if (!*key)
                return cust_err_set(err, CUST_EINVAL, "empty parameter name");
            if (eq)
                st = cust_http_url_decode(a, eq + 1, (size_t)(s + end - eq - 1), true, &value, err);
            else
                value = cust_http_arena_strndup(a, "", 0);
            if (st)
                return st;
            st = kv_push(a, out, key, value, err);
            if (st)
                return st;
        }
        i = end + 1;
    }
    return CUST_OK;
}

static bool is_cookie_name_char(unsigned char c)
{
    /* RFC 6265 token: visible ASCII minus separators. */
    return c > 0x20 && c < 0x7f && !strchr("()<>@,;:\\\"/[]?={}", c);
}

static bool is_cookie_value_char(unsigned char c)
{
    return c == 0x21 || (c >= 0x23 && c <= 0x2B) || (c >= 0x2D && c <= 0x3A) ||
           (c >= 0x3C && c <= 0x5B) || (c >= 0x5D && c <= 0x7E);
}

enum cust_status cust_http_parse_cookies(struct cust_http_arena *a, const char *s, size_t len,
                                         struct cust_kv_list *out, struct cust_err *err)
{
    size_t i = 0;
    while (i < len) {
        while (i < len && (s[i] == ' ' || s[i] == '\t'))
            i++;
        size_t end = i;
        while (end < len && s[end] != ';')
            end++;
        size_t stop = end;
        while (stop > i && (s[stop - 1] == ' ' || s[stop - 1] == '\t'))
            stop--;
        const char *eq = stop > i ? memchr(s + i, '=', stop - i) : NULL;
        bool valid = eq && eq > s + i;
        for (const char *p = s + i; valid && p < eq; p++)
            valid = is_cookie_name_char((unsigned char)*p);
        const char *v = valid ? eq + 1 : NULL;
        size_t vlen = valid ? (size_t)(s + stop - v) : 0;
        if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"') {
            v++;
            vlen -= 2;
        }
        for (size_t k = 0; valid && k < vlen; k++)
            valid = is_cookie_value_char((unsigned char)v[k]);
        /* Malformed pairs (another application's sloppy cookie) are skipped, not fatal. */
        if (valid) {
            enum cust_status st =
                kv_push(a, out, cust_http_arena_strndup(a, s + i, (size_t)(eq - (s + i))),
                        cust_http_arena_strndup(a, v, vlen), err);
            if (st)
                return st;
        }
        i = end + 1;
    }
    return CUST_OK;
}

enum cust_status cust_http_split_target(struct cust_http_arena *a, const char *target, size_t len,
                                        char **path, char **query, struct cust_err *err)
{
    if (len == 0 || target[0] != '/')
        return cust_err_set(err, CUST_EINVAL, "request target must start with '/'");
    const char *q = memchr(target, '?', len);
    size_t plen = q ? (size_t)(q - target) : len;
    const char *hash = memchr(target, '#', len);
    if (hash)
        return cust_err_set(err, CUST_EINVAL, "fragment in request target");
    /* Check segments on the raw path: no "", ".", "..", no encoded '/' or '\'. */
    size_t i = 1;
    while (i <= plen) {
        size_t end = i;
        while (end < plen && target[end] != '/')
            end++;
        size_t seg = end - i;
        bool last = end >= plen;
        if (seg == 0 && !(last && plen == 1))
            return cust_err_set(err, CUST_EINVAL, "empty path segment");
        if ((seg == 1 && target[i] == '.') ||
            (seg == 2 && target[i] == '.' && target[i + 1] == '.'))
            return cust_err_set(err, CUST_EINVAL, "dot segment in path");
        for (size_t k = i; k < end; k++) {
            unsigned char c = (unsigned char)target[k];
            if (c < 0x21 || c == 0x7f)
                return cust_err_set(err, CUST_EINVAL, "control character or space in path");
            if (c == '%') {
                if (end - k < 3 || hexval(target[k + 1]) < 0 || hexval(target[k + 2]) < 0)
                    return cust_err_set(err, CUST_EINVAL, "malformed percent escape");
                int v = hexval(target[k + 1]) * 16 + hexval(target[k + 2]);
                if (v == '/' || v == '\\' || v < 0x20 || v == 0x7f)
                    return cust_err_set(err, CUST_EINVAL, "encoded separator or control in path");
            }
        }
        if (seg >= 3 && target[i] == '%') {
            /* "%2e" or "%2e%2e" segments are dot segments too. */
            char *dec;
            if (cust_http_url_decode(a, target + i, seg, false, &dec, NULL) == CUST_OK &&
                (strcmp(dec, ".") == 0 || strcmp(dec, "..") == 0))
                return cust_err_set(err, CUST_EINVAL, "dot segment in path");
        }
        i = end + 1;
    }
    enum cust_status st = cust_http_url_decode(a, target, plen, false, path, err);
    if (st)
        return st;
    *query = q ? cust_http_arena_strndup(a, q + 1, len - plen - 1) : NULL;
    return CUST_OK;
}

const char *cust_kv_get(const struct cust_kv_list *l, const char *key)
{
    for (size_t i = 0; i < l->len; i++)
        if (strcmp(l->items[i].key, key) == 0)
            return l->items[i].value;
    return NULL;
}
