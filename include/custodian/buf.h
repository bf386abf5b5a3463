/*
 * buf.h - a growable, always NUL-terminated byte buffer (curl dynbuf + git strbuf).
 *
 * Invariants: `buf` is never NULL (it points at a static "" until the first
 * append) and buf[len] == '\0'. Growth past `cap` (0 = unlimited) fails with
 * CUST_ETOOBIG and releases the buffer, so client-driven input cannot grow it
 * without bound. Internal growth aborts on out-of-memory.
 *
 * Errors are sticky: after the first failure every append is a no-op returning that error,
 * so a sequence of appends is checked once, at the end, with cust_buf_status():
 *
 *     struct cust_buf b = CUST_BUF_INIT;
 *     cust_buf_puts(&b, "<p>");
 *     cust_buf_html(&b, name);
 *     cust_buf_appendf(&b, " (%d rows)", n);
 *     if (cust_buf_status(&b)) ...             // the first error, if any
 *     char *s = cust_buf_detach(&b, NULL);     // caller now owns s
 *
 * Each append still returns the buffer's status, for callers that stop early.
 */
#ifndef CUSTODIAN_BUF_H
#define CUSTODIAN_BUF_H

#include "custodian/status.h"

#include <stdio.h>

struct cust_buf {
    char *buf;
    size_t len;
    size_t alloc;
    size_t cap;           /* 0 = no cap */
    enum cust_status err; /* the first error of an append (sticky), else CUST_OK */
};

extern char cust_buf_empty[];
#define CUST_BUF_INIT                                                                              \
    {                                                                                              \
        cust_buf_empty, 0, 0, 0, CUST_OK                                                           \
    }

/* Initialise with a size cap (0 = none). Allocates nothing. */
void cust_buf_init(struct cust_buf *b, size_t cap);
/* Free the contents; the buffer is reusable (empty, no error) afterwards. */
void cust_buf_release(struct cust_buf *b);
/* Keep the allocation, set length to 0 and forget the error. */
void cust_buf_reset(struct cust_buf *b);
/* Hand the NUL-terminated contents to the caller (always heap memory) and reset. */
char *cust_buf_detach(struct cust_buf *b, size_t *len);

/* The first error of an append since the last release or reset (CUST_ETOOBIG past the cap),
 * or CUST_OK. */
enum cust_status cust_buf_status(const struct cust_buf *b);

/* Room for `extra` more bytes, so that appends up to that much allocate nothing more (an answer
 * whose size is known roughly: no copy each time it doubles). The buffer's status after it. */
enum cust_status cust_buf_reserve(struct cust_buf *b, size_t extra);

/* Appends: each returns the buffer's status after it (sticky; see above). */
enum cust_status cust_buf_append(struct cust_buf *b, const void *data, size_t len);
enum cust_status cust_buf_puts(struct cust_buf *b, const char *s);
enum cust_status cust_buf_putc(struct cust_buf *b, char c);
/* Append everything `f` has left to read (a file, stdin, a pipe); `f` is not closed. The
 * buffer's status after it (CUST_ETOOBIG past the cap: the file is larger than the caller
 * accepts), or CUST_EIO when reading failed. */
enum cust_status cust_buf_read(struct cust_buf *b, FILE *f);
enum cust_status cust_buf_appendf(struct cust_buf *b, const char *fmt, ...) CUST_PRINTF(2, 3);
/* `v` in decimal, without printf (for text written once per row: the printf family's parse of
 * its format was most of the time of a case key, a generated line). */
enum cust_status cust_buf_int(struct cust_buf *b, int64_t v);
/* The same into the end of `tmp`; returns where the digits start (they end at tmp + 24). */
#define CUST_DEC_MAX 24
const char *cust_dec(int64_t v, char tmp[CUST_DEC_MAX]);

/* Append `s` as a CSV field (RFC 4180 quoting when needed). */
enum cust_status cust_buf_csv_field(struct cust_buf *b, const char *s);
/* Append `s` HTML-escaped (& < > " '; NULL appends nothing). */
enum cust_status cust_buf_html(struct cust_buf *b, const char *s);
/* Append `s` as a JSON string literal, byte for byte as jansson's compact dump writes it (no
 * ENSURE_ASCII, no ESCAPE_SLASH): the quote and the backslash escaped, the controls \b \f \n \r
 * \t by name and the others as \u00XX (upper-case hex), everything else (UTF-8) as given; NULL
 * appends null. */
enum cust_status cust_buf_json_str(struct cust_buf *b, const char *s);
/* The same with every character outside ASCII escaped, as jansson's JSON_ENSURE_ASCII writes it:
 * \uXXXX (upper-case hex), a pair of surrogates above U+FFFF; a byte that is not UTF-8 (where
 * jansson would refuse the string) as \uFFFD. For lines read by any tool (the access log). */
enum cust_status cust_buf_json_ascii(struct cust_buf *b, const char *s);
/* Append `s` as a JSON string safe inside HTML, as the public locator's answers write it: the
 * quote and the backslash after a backslash, control characters and < > & as \u00xx (lower-case
 * hex), every other byte as it is; NULL as null. */
enum cust_status cust_buf_json_safe(struct cust_buf *b, const char *s);
/* Append a count as people read it, the digits grouped by three: "12,966" ("-1,234"). */
enum cust_status cust_buf_count(struct cust_buf *b, int64_t n);
/* Append an amount in cents as US dollars, as people read it: "$1,234.56" ("-$5.00"). */
enum cust_status cust_buf_dollars(struct cust_buf *b, int64_t cents);

#endif
