/*
 * words.c - the console's values as a clerk reads them (web_internal.h): a kind or a status
 * name as a label, an instant in words in the county's time (datewords.h), never the stored
 * "judicial_warrant" or RFC 3339.
 */
#include "custodian/compat.h"
#include "custodian/buf.h"
#include "custodian/date.h"
#include "custodian/datewords.h"
#include "custodian/store_requests.h"
#include "web_internal.h"

#include <jansson.h>

const char *web_or_empty(const char *s)
{
    return s ? s : "";
}

json_t *web_label(const char *name)
{
    char out[64]; /* a kind or a status name: the longest is 20 bytes */
    snprintf(out, sizeof(out), "%s", name ? name : "");
    for (char *p = out; *p; p++)
        if (*p == '_')
            *p = ' ';
    if (out[0] >= 'a' && out[0] <= 'z')
        out[0] = (char)(out[0] - 'a' + 'A');
    return json_string(out);
}

json_t *web_time_words(int64_t t, const char *absent)
{
    char out[CUST_DATE_WORDS_MAX];
    if (t == CUST_NO_TIME || t <= 0)
        return json_string(absent);
    if (cust_time_words(t, "en", out) != CUST_OK)
        cust_time_format(t, 0, true, out);
    return json_string(out);
}

json_t *web_words_of(const char *stored, const char *absent)
{
    if (!stored || !*stored)
        return json_string(absent);
    char out[CUST_DATE_WORDS_MAX];
    cust_words_of(stored, "en", out);
    return json_string(out);
}

json_t *web_count(int64_t n)
{
    struct cust_buf b = CUST_BUF_INIT;
    json_t *v = cust_buf_count(&b, n) == CUST_OK ? json_stringn(b.buf, b.len) : NULL;
    cust_buf_release(&b);
    return v ? v : json_integer(n);
}
