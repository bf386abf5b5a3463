/*
 * namekey.c - the one Unicode key of a name (namekey.h): utf8proc's NFKC, case folding and
 * mark stripping, ICU's Latin-ASCII for the Latin letters without a decomposition, then words.
 */
#include "custodian/compat.h"
#include "custodian/namekey.h"
#include "custodian/utf8.h"

#include <pthread.h>
#include <unicode/ustring.h>
#include <unicode/utrans.h>
#include <utf8proc.h>

/* ---- ICU's Latin-ASCII, opened once, used under a lock (a transliterator is not
 * documented as safe for concurrent use; it runs only for the rare ø, ł, đ, æ, þ). */

static pthread_once_t latin_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t latin_lock = PTHREAD_MUTEX_INITIALIZER;
static UTransliterator *latin_ascii;

static void latin_open(void)
{
    static const UChar id[] = {'L', 'a', 't', 'i', 'n', '-', 'A', 'S', 'C', 'I', 'I', 0};
    UErrorCode e = U_ZERO_ERROR;
    latin_ascii = utrans_openU(id, -1, UTRANS_FORWARD, NULL, 0, NULL, &e);
    if (U_FAILURE(e))
        latin_ascii = NULL;
}

/* A Latin letter outside ASCII that survived decomposition and mark stripping. */
static bool latin_residue(utf8proc_int32_t cp)
{
    return (cp >= 0x80 && cp <= 0x24F) || (cp >= 0x1E00 && cp <= 0x1EFF) ||
           (cp >= 0x2C60 && cp <= 0x2C7F) || (cp >= 0xA720 && cp <= 0xA7FF) ||
           (cp >= 0xAB30 && cp <= 0xAB6F);
}

/* Transliterate the NUL-terminated UTF-8 `s` with Latin-ASCII; a new string, or NULL (then the
 * caller keeps `s`). */
static char *latin_to_ascii(const char *s)
{
    pthread_once(&latin_once, latin_open);
    if (!latin_ascii)
        return NULL;
    UErrorCode e = U_ZERO_ERROR;
    int32_t n16 = 0;
    u_strFromUTF8(NULL, 0, &n16, s, -1, &e);
    if (e != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(e))
        return NULL;
    int32_t cap16 = n16 * 4 + 16; /* room for æ -> ae, þ -> th */
    UChar *u = cust_xmalloc((size_t)cap16 * sizeof(UChar));
    e = U_ZERO_ERROR;
    u_strFromUTF8(u, cap16, &n16, s, -1, &e);
    int32_t limit = n16;
    if (U_SUCCESS(e)) {
        pthread_mutex_lock(&latin_lock);
        utrans_transUChars(latin_ascii, u, &n16, cap16, 0, &limit, &e);
        pthread_mutex_unlock(&latin_lock);
    }
    char *out = NULL;
    int32_t n8 = 0;
    if (U_SUCCESS(e)) {
        u_strToUTF8(NULL, 0, &n8, u, n16, &e);
        if (e == U_BUFFER_OVERFLOW_ERROR || U_SUCCESS(e)) {
            e = U_ZERO_ERROR;
            out = cust_xmalloc((size_t)n8 + 1);
            u_strToUTF8(out, n8 + 1, &n8, u, n16, &e);
            if (U_FAILURE(e)) {
                free(out);
                out = NULL;
            }
        }
    }
    free(u);
    return out;
}

/* ---- words -------------------------------------------------------------------------------- */

static bool apostrophe(utf8proc_int32_t cp)
{
    return cp == '\'' || cp == '`' || cp == 0x2BC || cp == 0x2018 || cp == 0x2019;
}

static bool word_char(utf8proc_int32_t cp)
{
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
        return true;
    default:
        return false;
    }
}

/* Write the words of the mapped text `m` to out; returns CUST_ETOOBIG when cut. */
static enum cust_status words(const utf8proc_uint8_t *m, char *out, size_t cap)
{
    size_t o = 0;
    bool pending_space = false;
    utf8proc_ssize_t step;
    utf8proc_int32_t cp;
    for (const utf8proc_uint8_t *p = m; *p; p += step) {
        step = utf8proc_iterate(p, -1, &cp);
        if (step <= 0)
            break; /* cannot happen: utf8proc wrote it */
        if (apostrophe(cp))
            continue;
        if (!word_char(cp)) {
            pending_space = o > 0;
            continue;
        }
        size_t need = (size_t)step + (pending_space ? 1 : 0);
        if (o + need + 1 > cap) {
            out[o] = '\0';
            return CUST_ETOOBIG;
        }
        if (pending_space)
            out[o++] = ' ';
        pending_space = false;
        memcpy(out + o, p, (size_t)step);
        o += (size_t)step;
    }
    out[o] = '\0';
    return CUST_OK;
}

enum cust_status cust_name_key(const char *utf8, size_t len, char *out, size_t cap,
                               struct cust_err *err)
{
    CUST_ASSERT(cap > 0);
    out[0] = '\0';
    if (!utf8 || len == 0)
        return CUST_OK;
    for (size_t i = 0; i < len;) {
        size_t at = i;
        uint32_t c;
        if (!cust_utf8_next((const unsigned char *)utf8, len, &i, &c))
            return cust_err_set(err, CUST_EINVAL, "invalid utf-8 at byte %zu", at);
    }
    if (memchr(utf8, '\0', len))
        return cust_err_set(err, CUST_EINVAL, "name contains a NUL byte");
    utf8proc_uint8_t *m = NULL;
    utf8proc_ssize_t n =
        utf8proc_map((const utf8proc_uint8_t *)utf8, (utf8proc_ssize_t)len, &m,
                     UTF8PROC_COMPAT | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK |
                         UTF8PROC_IGNORE | UTF8PROC_LUMP | UTF8PROC_STRIPCC);
    if (n < 0) {
        free(m);
        return n == UTF8PROC_ERROR_NOMEM
                   ? cust_err_set(err, CUST_ENOMEM, "out of memory")
                   : cust_err_set(err, CUST_EINVAL, "name: %s", utf8proc_errmsg(n));
    }
    bool latin = false;
    utf8proc_ssize_t step;
    utf8proc_int32_t cp;
    for (const utf8proc_uint8_t *p = m; *p && !latin; p += step) {
        step = utf8proc_iterate(p, -1, &cp);
        if (step <= 0)
            break;
        latin = latin_residue(cp);
    }
    char *ascii = latin ? latin_to_ascii((const char *)m) : NULL;
    enum cust_status st = words(ascii ? (const utf8proc_uint8_t *)ascii : m, out, cap);
    free(ascii);
    free(m);
    if (st == CUST_ETOOBIG)
        return cust_err_set(err, st, "name key longer than %zu bytes", cap - 1);
    return CUST_OK;
}

bool cust_name_plausible(const char *utf8, size_t max_chars)
{
    size_t len = strlen(utf8), i = 0, n = 0;
    while (i < len) {
        uint32_t cp;
        if (!cust_utf8_next((const unsigned char *)utf8, len, &i, &cp) || ++n > max_chars)
            return false;
        utf8proc_category_t c = utf8proc_category((utf8proc_int32_t)cp);
        bool ok = (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_ME) ||
                  c == UTF8PROC_CATEGORY_ZS || c == UTF8PROC_CATEGORY_PD ||
                  apostrophe((utf8proc_int32_t)cp) || cp == '.' || cp == 0xFF0E;
        if (!ok)
            return false;
    }
    return true;
}

size_t cust_name_key_chars(const char *key)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        n += (*p & 0xC0) != 0x80;
    return n;
}

bool cust_name_key_has_prefix(const char *key, const char *prefix)
{
    return strncmp(key, prefix, strlen(prefix)) == 0;
}

void cust_name_key_upper(const char *prefix, char *upper, size_t cap)
{
    size_t n = strlen(prefix);
    CUST_ASSERT(cap >= n + 2);
    memcpy(upper, prefix, n + 1);
    if (n == 0)
        return;
    /* the last character's code point plus one, encoded: above every string that starts with
     * the prefix in byte order (UTF-8 keeps code point order), and still text where a byte
     * increased would not be (п is D0 BF: D0 C0 is no UTF-8; PostgreSQL refuses it) */
    size_t last = n - 1;
    while (last > 0 && ((unsigned char)prefix[last] & 0xC0) == 0x80)
        last--;
    utf8proc_int32_t cp;
    utf8proc_ssize_t len = utf8proc_iterate((const utf8proc_uint8_t *)prefix + last,
                                            (utf8proc_ssize_t)(n - last), &cp);
    if (len != (utf8proc_ssize_t)(n - last) || cp >= 0x10FFFF) {
        /* not a key (cust_name_key writes UTF-8, and no letter is U+10FFFF): bytes as bytes */
        CUST_ASSERT((unsigned char)upper[n - 1] < 0xFF);
        upper[n - 1] = (char)((unsigned char)upper[n - 1] + 1);
        return;
    }
    cp = cp == 0xD7FF ? 0xE000 : cp + 1; /* no surrogates */
    utf8proc_ssize_t w = utf8proc_encode_char(cp, (utf8proc_uint8_t *)upper + last);
    upper[last + (size_t)w] = '\0';
}

void cust_name_key_range(const char *key, char *end, size_t cap)
{
    size_t n = strlen(key);
    CUST_ASSERT(cap >= n + 2);
    if (cust_name_key_chars(key) >= CUST_NAME_PREFIX_MIN) {
        cust_name_key_upper(key, end, cap);
        return;
    }
    memcpy(end, key, n);
    end[n] = '\x01';
    end[n + 1] = '\0';
}

/* ---- display width ------------------------------------------------------------------------- */

size_t cust_text_width(const char *utf8)
{
    return cust_text_fit(utf8, SIZE_MAX, false, NULL, 0);
}

size_t cust_text_fit(const char *utf8, size_t width, bool pad, char *out, size_t cap)
{
    size_t w = 0, o = 0;
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)(utf8 ? utf8 : "");
    while (*p) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t step = utf8proc_iterate(p, -1, &cp);
        size_t cw = 1;
        if (step <= 0)
            step = 1; /* an invalid byte: one column */
        else
            cw = (size_t)(utf8proc_charwidth(cp) < 0 ? 0 : utf8proc_charwidth(cp));
        if (w + cw > width || (out && o + (size_t)step + 1 > cap))
            break;
        if (out)
            memcpy(out + o, p, (size_t)step);
        o += (size_t)step;
        w += cw;
        p += step;
    }
    while (out && pad && w < width && o + 2 <= cap) {
        out[o++] = ' ';
        w++;
    }
    if (out)
        out[o] = '\0';
    return w;
}
