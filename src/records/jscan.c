/* jscan.c - the import's fast JSON reader (see jscan.h and docs/internals/records.md). */
#include "jscan.h"

#include <jansson.h>

#define JV_MAX_DEPTH 64

struct jp {
    const unsigned char *s;
    size_t len, pos;
    struct jv_doc *doc;
    char *out; /* next free byte of the string area */
    int depth;
};

static void skip_ws(struct jp *p)
{
    while (p->pos < p->len) {
        unsigned char c = p->s[p->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            break;
        p->pos++;
    }
}

static long new_node(struct jp *p)
{
    struct jv_doc *d = p->doc;
    if (d->n == d->cap) {
        if (d->cap >= UINT32_MAX / 2)
            return -1;
        d->cap = d->cap ? d->cap * 2 : 64;
        d->nodes = cust_xrealloc(d->nodes, d->cap * sizeof(*d->nodes));
    }
    memset(&d->nodes[d->n], 0, sizeof(d->nodes[0]));
    return (long)d->n++;
}

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Length of the valid UTF-8 sequence at s[0..avail), 0 when invalid (strict: no overlongs,
 * no surrogates, nothing above U+10FFFF). */
static size_t utf8_len(const unsigned char *s, size_t avail)
{
    unsigned char c = s[0];
    size_t n;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else
        return 0;
    if (avail < n || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return n;
}

/* A string at p->pos (the opening quote); its unescaped, NUL-terminated copy goes to the
 * string area. NULL when outside the fast subset. */
static const char *string(struct jp *p)
{
    if (p->pos >= p->len || p->s[p->pos] != '"')
        return NULL;
    p->pos++;
    char *start = p->out, *o = p->out;
    for (;;) {
        if (p->pos >= p->len)
            return NULL;
        unsigned char c = p->s[p->pos];
        if (c == '"') {
            p->pos++;
            break;
        }
        if (c < 0x20)
            return NULL;
        if (c < 0x80 && c != '\\') {
            *o++ = (char)c;
            p->pos++;
        } else if (c >= 0x80) {
            size_t n = utf8_len(p->s + p->pos, p->len - p->pos);
            if (!n)
                return NULL;
            memcpy(o, p->s + p->pos, n);
            o += n;
            p->pos += n;
        } else {
            if (p->pos + 1 >= p->len)
                return NULL;
            unsigned char e = p->s[p->pos + 1];
            p->pos += 2;
            switch (e) {
            case '"':
            case '\\':
            case '/':
                *o++ = (char)e;
                break;
            case 'b':
                *o++ = '\b';
                break;
            case 'f':
                *o++ = '\f';
                break;
            case 'n':
                *o++ = '\n';
                break;
            case 'r':
                *o++ = '\r';
                break;
            case 't':
                *o++ = '\t';
                break;
            case 'u': {
                if (p->pos + 4 > p->len)
                    return NULL;
                unsigned u = 0;
                for (int i = 0; i < 4; i++) {
                    int h = hexval(p->s[p->pos + (size_t)i]);
                    if (h < 0)
                        return NULL;
                    u = u * 16 + (unsigned)h;
                }
                p->pos += 4;
                if (u == 0 || (u >= 0xD800 && u <= 0xDFFF))
                    return NULL; /* \u0000 and surrogates: leave to jansson */
                if (u < 0x80) {
                    *o++ = (char)u;
                } else if (u < 0x800) {
                    *o++ = (char)(0xC0 | (u >> 6));
                    *o++ = (char)(0x80 | (u & 0x3F));
                } else {
                    *o++ = (char)(0xE0 | (u >> 12));
                    *o++ = (char)(0x80 | ((u >> 6) & 0x3F));
                    *o++ = (char)(0x80 | (u & 0x3F));
                }
                break;
            }
            default:
                return NULL;
            }
        }
    }
    *o++ = '\0';
    p->out = o;
    return start;
}

static int cmp_key(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Whether the object at node index `at` has a duplicate member name. */
static bool has_duplicate(struct jp *p, size_t at)
{
    struct jv *o = &p->doc->nodes[at];
    if (o->n < 2)
        return false;
    if (o->n <= 16) {
        const char *k[16];
        size_t m = 0;
        for (const struct jv *x = jv_first(o); x; x = jv_next(o, x))
            k[m++] = x->key;
        for (size_t i = 1; i < m; i++)
            for (size_t j = 0; j < i; j++)
                if (strcmp(k[i], k[j]) == 0)
                    return true;
        return false;
    }
    const char **k = cust_xmalloc(o->n * sizeof(*k));
    size_t m = 0;
    for (const struct jv *x = jv_first(o); x; x = jv_next(o, x))
        k[m++] = x->key;
    qsort(k, m, sizeof(*k), cmp_key);
    bool dup = false;
    for (size_t i = 1; i < m && !dup; i++)
        dup = strcmp(k[i], k[i - 1]) == 0;
    free(k);
    return dup;
}

static bool value(struct jp *p, const char *key);

/* The members (object) or elements (array) after the opening bracket. */
static bool container(struct jp *p, size_t at, bool object)
{
    if (++p->depth > JV_MAX_DEPTH)
        return false;
    p->pos++;
    skip_ws(p);
    char close = object ? '}' : ']';
    uint32_t n = 0;
    if (p->pos < p->len && p->s[p->pos] == close) {
        p->pos++;
    } else {
        for (;;) {
            const char *key = NULL;
            if (object) {
                if (!(key = string(p)))
                    return false;
                skip_ws(p);
                if (p->pos >= p->len || p->s[p->pos] != ':')
                    return false;
                p->pos++;
                skip_ws(p);
            }
            if (!value(p, key))
                return false;
            if (n == UINT32_MAX)
                return false;
            n++;
            skip_ws(p);
            if (p->pos >= p->len)
                return false;
            if (p->s[p->pos] == ',') {
                p->pos++;
                skip_ws(p);
                continue;
            }
            if (p->s[p->pos] != close)
                return false;
            p->pos++;
            break;
        }
    }
    p->depth--;
    p->doc->nodes[at].n = n;
    p->doc->nodes[at].size = (uint32_t)(p->doc->n - at);
    return true;
}

static bool number(struct jp *p, struct jv *v)
{
    bool neg = false;
    if (p->s[p->pos] == '-') {
        neg = true;
        p->pos++;
    }
    size_t start = p->pos;
    int64_t x = 0;
    while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9') {
        if (p->pos - start >= 18)
            return false; /* maybe too big for jansson: let it decide */
        x = x * 10 + (p->s[p->pos] - '0');
        p->pos++;
    }
    size_t digits = p->pos - start;
    if (digits == 0 || (digits > 1 && p->s[start] == '0'))
        return false;
    if (p->pos < p->len && (p->s[p->pos] == '.' || p->s[p->pos] == 'e' || p->s[p->pos] == 'E'))
        return false; /* a real: jansson */
    v->type = JV_INT;
    v->i = neg ? -x : x;
    return true;
}

static bool literal(struct jp *p, const char *word, size_t n)
{
    if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n) != 0)
        return false;
    p->pos += n;
    return true;
}

static bool value(struct jp *p, const char *key)
{
    if (p->pos >= p->len)
        return false;
    long at = new_node(p);
    if (at < 0)
        return false;
    size_t i = (size_t)at;
    p->doc->nodes[i].key = key;
    p->doc->nodes[i].span = (uint32_t)p->pos;
    unsigned char c = p->s[p->pos];
    bool ok;
    uint8_t type;
    switch (c) {
    case '{':
        type = JV_OBJECT;
        ok = container(p, i, true) && !has_duplicate(p, i);
        break;
    case '[':
        type = JV_ARRAY;
        ok = container(p, i, false);
        break;
    case '"': {
        const char *s = string(p);
        ok = s != NULL;
        p->doc->nodes[i].s = s;
        type = JV_STRING;
        break;
    }
    case 't':
        ok = literal(p, "true", 4);
        type = JV_TRUE;
        break;
    case 'f':
        ok = literal(p, "false", 5);
        type = JV_FALSE;
        break;
    case 'n':
        ok = literal(p, "null", 4);
        type = JV_NULL;
        break;
    default:
        if (c != '-' && (c < '0' || c > '9'))
            return false;
        ok = number(p, &p->doc->nodes[i]);
        type = JV_INT;
        break;
    }
    if (!ok)
        return false;
    struct jv *v = &p->doc->nodes[i];
    v->type = type;
    v->size = (uint32_t)(p->doc->n - i);
    v->span_len = (uint32_t)(p->pos - v->span);
    return true;
}

bool jv_parse(const char *src, size_t len, struct jv_doc *doc)
{
    memset(doc, 0, sizeof(*doc));
    if (len >= UINT32_MAX)
        return false;
    doc->strings = cust_xmalloc(len + 1);
    doc->src = src;
    struct jp p = {(const unsigned char *)src, len, 0, doc, doc->strings, 0};
    skip_ws(&p);
    bool ok = p.pos < len && src[p.pos] == '{' && value(&p, NULL);
    if (ok) {
        skip_ws(&p);
        ok = p.pos == len;
    }
    if (!ok)
        jv_doc_release(doc);
    return ok;
}

static void convert(struct jv_doc *doc, const json_t *j, const char *key)
{
    if (doc->n == doc->cap) {
        doc->cap = doc->cap ? doc->cap * 2 : 64;
        doc->nodes = cust_xrealloc(doc->nodes, doc->cap * sizeof(*doc->nodes));
    }
    size_t at = doc->n++;
    struct jv *v = &doc->nodes[at];
    memset(v, 0, sizeof(*v));
    v->key = key;
    v->orig = j;
    uint32_t n = 0;
    uint8_t type = JV_NULL;
    switch (json_typeof(j)) {
    case JSON_OBJECT: {
        type = JV_OBJECT;
        const char *k;
        json_t *x;
        json_object_foreach((json_t *)j, k, x)
        {
            convert(doc, x, k);
            n++;
        }
        break;
    }
    case JSON_ARRAY: {
        type = JV_ARRAY;
        size_t idx;
        json_t *x;
        json_array_foreach(j, idx, x)
        {
            convert(doc, x, NULL);
            n++;
        }
        break;
    }
    case JSON_STRING:
        type = JV_STRING;
        doc->nodes[at].s = json_string_value(j);
        break;
    case JSON_INTEGER:
        type = JV_INT;
        doc->nodes[at].i = (int64_t)json_integer_value(j);
        break;
    case JSON_REAL:
        type = JV_REAL;
        doc->nodes[at].d = json_real_value(j);
        break;
    case JSON_TRUE:
        type = JV_TRUE;
        break;
    case JSON_FALSE:
        type = JV_FALSE;
        break;
    case JSON_NULL:
        type = JV_NULL;
        break;
    }
    v = &doc->nodes[at];
    v->type = type;
    v->n = n;
    v->size = (uint32_t)(doc->n - at);
}

void jv_from_jansson(const void *root, struct jv_doc *doc)
{
    memset(doc, 0, sizeof(*doc));
    convert(doc, root, NULL);
}

void jv_doc_release(struct jv_doc *doc)
{
    free(doc->nodes);
    free(doc->strings);
    memset(doc, 0, sizeof(*doc));
}

const struct jv *jv_get(const struct jv *o, const char *key)
{
    if (!o || o->type != JV_OBJECT)
        return NULL;
    for (const struct jv *x = jv_first(o); x; x = jv_next(o, x))
        if (x->key[0] == key[0] && strcmp(x->key, key) == 0)
            return x;
    return NULL;
}

/* Whether jansson's compact dump of the source text `s` is the text itself: no whitespace
 * between tokens, no escapes, no "-0" (fast-path values hold no reals). */
static bool verbatim(const char *s, size_t n)
{
    bool in_str = false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '\\')
            return false;
        if (c == '"')
            in_str = !in_str;
        else if (!in_str && (c == ' ' || c == '\t' || c == '\n' || c == '\r'))
            return false;
        else if (!in_str && c == '-' && i + 1 < n && s[i + 1] == '0')
            return false;
    }
    return true;
}

char *jv_compact(const struct jv_doc *doc, const struct jv *v)
{
    const size_t flags = JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY;
    json_t *tmp = NULL;
    const json_t *j = v->orig;
    if (!j) {
        const char *s = doc->src + v->span;
        if (verbatim(s, v->span_len)) {
            char *out = cust_xmalloc((size_t)v->span_len + 1);
            memcpy(out, s, v->span_len);
            out[v->span_len] = '\0';
            return out;
        }
        j = tmp = json_loadb(s, v->span_len, JSON_DECODE_ANY, NULL);
        if (!j)
            return NULL;
    }
    char *d = json_dumps(j, flags);
    json_decref(tmp);
    if (!d)
        return NULL;
    char *out = cust_xstrdup(d);
    free(d);
    return out;
}
