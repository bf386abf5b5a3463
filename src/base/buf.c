#include "custodian/buf.h"
#include "custodian/utf8.h"

#include <inttypes.h>
#include <stdarg.h>

char cust_buf_empty[1];

void cust_buf_init(struct cust_buf *b, size_t cap)
{
    b->buf = cust_buf_empty;
    b->len = 0;
    b->alloc = 0;
    b->cap = cap;
    b->err = CUST_OK;
}

static void drop(struct cust_buf *b)
{
    if (b->alloc)
        free(b->buf);
    b->buf = cust_buf_empty;
    b->len = 0;
    b->alloc = 0;
}

void cust_buf_release(struct cust_buf *b)
{
    drop(b);
    b->err = CUST_OK;
}

void cust_buf_reset(struct cust_buf *b)
{
    b->len = 0;
    b->err = CUST_OK;
    if (b->alloc)
        b->buf[0] = '\0';
}

enum cust_status cust_buf_status(const struct cust_buf *b)
{
    return b->err;
}

char *cust_buf_detach(struct cust_buf *b, size_t *len)
{
    char *p = b->alloc ? b->buf : cust_xstrdup("");
    if (len)
        *len = b->len;
    b->buf = cust_buf_empty;
    b->len = 0;
    b->alloc = 0;
    return p;
}

/* Room for `extra` more bytes, or the buffer's (sticky) error. */
static enum cust_status grow(struct cust_buf *b, size_t extra)
{
    if (b->err)
        return b->err;
    size_t need = b->len + extra + 1;
    if (need < b->len || (b->cap && need > b->cap + 1)) {
        drop(b);
        return b->err = CUST_ETOOBIG;
    }
    if (need <= b->alloc)
        return CUST_OK;
    size_t n = b->alloc ? b->alloc : 64;
    while (n < need)
        n *= 2;
    if (b->alloc) {
        b->buf = cust_xrealloc(b->buf, n);
    } else {
        b->buf = cust_xmalloc(n);
        b->buf[0] = '\0';
    }
    b->alloc = n;
    return CUST_OK;
}

enum cust_status cust_buf_reserve(struct cust_buf *b, size_t extra)
{
    if (b->cap && extra > b->cap - b->len)
        extra = b->len < b->cap ? b->cap - b->len : 0; /* no more than the cap allows */
    return grow(b, extra);
}

const char *cust_dec(int64_t v, char tmp[CUST_DEC_MAX])
{
    char *p = tmp + CUST_DEC_MAX;
    /* the magnitude as unsigned, so INT64_MIN has one too */
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do
        *--p = (char)('0' + u % 10);
    while ((u /= 10) != 0);
    if (v < 0)
        *--p = '-';
    return p;
}

enum cust_status cust_buf_int(struct cust_buf *b, int64_t v)
{
    char tmp[CUST_DEC_MAX];
    const char *p = cust_dec(v, tmp);
    return cust_buf_append(b, p, (size_t)(tmp + CUST_DEC_MAX - p));
}

enum cust_status cust_buf_append(struct cust_buf *b, const void *data, size_t len)
{
    enum cust_status st = grow(b, len);
    if (st)
        return st;
    if (len)
        memcpy(b->buf + b->len, data, len);
    b->len += len;
    b->buf[b->len] = '\0';
    return CUST_OK;
}

enum cust_status cust_buf_puts(struct cust_buf *b, const char *s)
{
    return cust_buf_append(b, s, strlen(s));
}

enum cust_status cust_buf_putc(struct cust_buf *b, char c)
{
    return cust_buf_append(b, &c, 1);
}

enum cust_status cust_buf_appendf(struct cust_buf *b, const char *fmt, ...)
{
    va_list ap;
    char small[256];
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (b->err)
        return b->err;
    if (n < 0)
        return b->err = CUST_EINVAL;
    if ((size_t)n < sizeof(small))
        return cust_buf_append(b, small, (size_t)n);
    enum cust_status st = grow(b, (size_t)n);
    if (st)
        return st;
    va_start(ap, fmt);
    vsnprintf(b->buf + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return CUST_OK;
}

enum cust_status cust_buf_csv_field(struct cust_buf *b, const char *s)
{
    if (!s)
        return b->err;
    if (!strpbrk(s, ",\"\r\n"))
        return cust_buf_puts(b, s);
    cust_buf_putc(b, '"');
    for (const char *p = s; !b->err && *p; p++) {
        if (*p == '"')
            cust_buf_putc(b, '"');
        cust_buf_putc(b, *p);
    }
    return cust_buf_putc(b, '"');
}

enum cust_status cust_buf_html(struct cust_buf *b, const char *s)
{
    const char *run = s ? s : "";
    for (const char *p = run; !b->err && *p; p++) {
        const char *esc = *p == '&'    ? "&amp;"
                          : *p == '<'  ? "&lt;"
                          : *p == '>'  ? "&gt;"
                          : *p == '"'  ? "&quot;"
                          : *p == '\'' ? "&#39;"
                                       : NULL;
        if (!esc)
            continue;
        cust_buf_append(b, run, (size_t)(p - run));
        cust_buf_puts(b, esc);
        run = p + 1;
    }
    return cust_buf_puts(b, run);
}

/* cust_buf_json_str, and with `ascii` cust_buf_json_ascii */
static enum cust_status json_string(struct cust_buf *b, const char *s, bool ascii)
{
    if (!s)
        return cust_buf_puts(b, "null");
    cust_buf_putc(b, '"');
    const char *run = s;
    size_t len = ascii ? strlen(s) : 0;
    for (const char *p = s; !b->err && *p;) {
        unsigned char c = (unsigned char)*p;
        if (c >= 0x20 && c != '"' && c != '\\' && (c < 0x80 || !ascii)) {
            p++;
            continue;
        }
        cust_buf_append(b, run, (size_t)(p - run));
        if (c >= 0x80) {
            size_t i = (size_t)(p - s);
            uint32_t cp;
            if (!cust_utf8_next((const unsigned char *)s, len, &i, &cp)) {
                cp = 0xFFFD; /* not UTF-8: one byte replaced */
                i++;
            }
            if (cp >= 0x10000)
                cust_buf_appendf(b, "\\u%04X\\u%04X", (unsigned)(0xD800 + ((cp - 0x10000) >> 10)),
                                 (unsigned)(0xDC00 + ((cp - 0x10000) & 0x3FF)));
            else
                cust_buf_appendf(b, "\\u%04X", (unsigned)cp);
            p = s + i;
            run = p;
            continue;
        }
        run = ++p;
        const char *esc = c == '"'    ? "\\\""
                          : c == '\\' ? "\\\\"
                          : c == '\b' ? "\\b"
                          : c == '\f' ? "\\f"
                          : c == '\n' ? "\\n"
                          : c == '\r' ? "\\r"
                          : c == '\t' ? "\\t"
                                      : NULL;
        if (esc)
            cust_buf_puts(b, esc);
        else
            cust_buf_appendf(b, "\\u%04X", (unsigned)c);
    }
    cust_buf_puts(b, run);
    return cust_buf_putc(b, '"');
}

enum cust_status cust_buf_json_str(struct cust_buf *b, const char *s)
{
    return json_string(b, s, false);
}

enum cust_status cust_buf_json_ascii(struct cust_buf *b, const char *s)
{
    return json_string(b, s, true);
}

enum cust_status cust_buf_json_safe(struct cust_buf *b, const char *s)
{
    if (!s)
        return cust_buf_append(b, "null", 4);
    cust_buf_putc(b, '"');
    const char *run = s;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char c = *p;
        if (c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&')
            continue;
        cust_buf_append(b, run, (size_t)((const char *)p - run));
        char esc[8] = {'\\', (char)c, 0};
        if (c != '"' && c != '\\')
            snprintf(esc, sizeof(esc), "\\u%04x", c);
        cust_buf_puts(b, esc);
        run = (const char *)p + 1;
    }
    cust_buf_puts(b, run);
    return cust_buf_putc(b, '"');
}

enum cust_status cust_buf_read(struct cust_buf *b, FILE *f)
{
    char chunk[16384];
    size_t n;
    while (b->err == CUST_OK && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        cust_buf_append(b, chunk, n);
    if (b->err == CUST_OK && ferror(f))
        return CUST_EIO;
    return b->err;
}

/* the digits of u in groups of three ("12,966") */
static enum cust_status grouped(struct cust_buf *b, uint64_t u)
{
    char digits[32];
    snprintf(digits, sizeof(digits), "%" PRIu64, u);
    size_t n = strlen(digits);
    enum cust_status st = CUST_OK;
    for (size_t i = 0; st == CUST_OK && i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            st = cust_buf_putc(b, ',');
        if (st == CUST_OK)
            st = cust_buf_putc(b, digits[i]);
    }
    return st;
}

enum cust_status cust_buf_count(struct cust_buf *b, int64_t n)
{
    /* unsigned: INT64_MIN has no positive counterpart */
    enum cust_status st = n < 0 ? cust_buf_putc(b, '-') : CUST_OK;
    return st == CUST_OK ? grouped(b, n < 0 ? 0 - (uint64_t)n : (uint64_t)n) : st;
}

enum cust_status cust_buf_dollars(struct cust_buf *b, int64_t cents)
{
    uint64_t u = cents < 0 ? 0 - (uint64_t)cents : (uint64_t)cents;
    enum cust_status st = cust_buf_puts(b, cents < 0 ? "-$" : "$");
    if (st == CUST_OK)
        st = grouped(b, u / 100);
    return st == CUST_OK ? cust_buf_appendf(b, ".%02u", (unsigned)(u % 100)) : st;
}
