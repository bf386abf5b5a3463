/*
 * datewords.c - dates and times in words (datewords.h), with ICU's date formatter (udat) and
 * pattern generator (udatpg) over CLDR data: the words, their order and the zone's name are
 * the language's own.
 */
#include "custodian/compat.h"
#include "custodian/date.h"
#include "custodian/datewords.h"

#include <pthread.h>
#include <unicode/udat.h>
#include <unicode/udatpg.h>
#include <unicode/uloc.h>
#include <unicode/ustring.h>

enum kind { K_DAY, K_TIME };

/* A formatter per (kind, language, zone), opened once; formatting is under `lock` (a
 * UDateFormat is not safe for concurrent use). A handful of languages and one zone: a small
 * table, searched in order; a full one refuses new combinations rather than grow. */
#define FORMATTERS 32

static struct {
    enum kind kind;
    char lang[32], zone[64];
    UDateFormat *fmt;
} formatters[FORMATTERS];
static size_t nformatters;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/* Whether CLDR (ICU's data) has the language of `loc`. */
static bool has_language(const char *loc)
{
    char lang[16];
    UErrorCode e = U_ZERO_ERROR;
    uloc_getLanguage(loc, lang, (int32_t)sizeof(lang), &e);
    if (U_FAILURE(e) || e == U_STRING_NOT_TERMINATED_WARNING || !lang[0])
        return false;
    for (int32_t i = 0, n = uloc_countAvailable(); i < n; i++)
        if (strcmp(uloc_getAvailable(i), lang) == 0)
            return true;
    return false;
}

/* The ICU locale of a BCP 47 tag: "zh-Hans" -> "zh_Hans"; Tagalog ("tl") is CLDR's Filipino
 * ("fil", its standardized form); a malformed tag or a language CLDR lacks -> "en". */
static void icu_locale(const char *lang, char out[32])
{
    char tag[32];
    size_t n = 0;
    for (const char *p = lang ? lang : ""; *p && n + 1 < sizeof(tag); p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_')) {
            n = 0;
            break;
        }
        tag[n++] = c == '_' ? '-' : c;
    }
    tag[n] = '\0';
    if (strcmp(tag, "tl") == 0 || strncmp(tag, "tl-", 3) == 0)
        snprintf(tag, sizeof(tag), "fil");
    UErrorCode e = U_ZERO_ERROR;
    int32_t len = uloc_forLanguageTag(tag, out, 32, NULL, &e);
    if (!n || U_FAILURE(e) || len >= 32 || !has_language(out))
        snprintf(out, 32, "en");
}

/* Open the formatter: the skeleton's best pattern for the locale (CLDR), in `zone`. */
static UDateFormat *open_formatter(enum kind kind, const char *loc, const char *zone)
{
    /* a day: year, full month, day; an instant: the same, hour and minute in the locale's
     * clock (j), and the zone's short name */
    const char *skeleton = kind == K_DAY ? "yMMMMd" : "yMMMMdjmmz";
    UChar skel[16], zid[64], pattern[128];
    u_uastrncpy(skel, skeleton, (int32_t)CUST_ARRAY_LEN(skel));
    u_uastrncpy(zid, zone, (int32_t)CUST_ARRAY_LEN(zid));
    UErrorCode e = U_ZERO_ERROR;
    UDateTimePatternGenerator *gen = udatpg_open(loc, &e);

    int32_t plen = U_SUCCESS(e) ? udatpg_getBestPattern(gen, skel, -1, pattern,
                                                        (int32_t)CUST_ARRAY_LEN(pattern), &e)
                                : 0;
    udatpg_close(gen);
    if (U_FAILURE(e) || plen >= (int32_t)CUST_ARRAY_LEN(pattern))
        return NULL;
    UDateFormat *f = udat_open(UDAT_PATTERN, UDAT_PATTERN, loc, zid, -1, pattern, plen, &e);
    if (U_FAILURE(e)) {
        udat_close(f);
        return NULL;
    }
    return f;
}

/* Format `ms` (milliseconds since the epoch) with the (kind, lang, zone) formatter. */
static enum cust_status format(enum kind kind, const char *lang, const char *zone, double ms,
                               char out[CUST_DATE_WORDS_MAX])
{
    out[0] = '\0';
    char loc[32];
    icu_locale(lang, loc);
    enum cust_status st = CUST_EINVAL;
    pthread_mutex_lock(&lock);
    UDateFormat *f = NULL;
    for (size_t i = 0; i < nformatters && !f; i++)
        if (formatters[i].kind == kind && strcmp(formatters[i].lang, loc) == 0 &&
            strcmp(formatters[i].zone, zone) == 0)
            f = formatters[i].fmt;
    if (!f && nformatters < FORMATTERS && (f = open_formatter(kind, loc, zone)) != NULL) {
        formatters[nformatters].kind = kind;
        snprintf(formatters[nformatters].lang, sizeof(formatters[nformatters].lang), "%s", loc);
        snprintf(formatters[nformatters].zone, sizeof(formatters[nformatters].zone), "%s", zone);
        formatters[nformatters++].fmt = f;
    }
    if (f) {
        UChar text[CUST_DATE_WORDS_MAX];
        UErrorCode e = U_ZERO_ERROR;
        int32_t n = udat_format(f, ms, text, (int32_t)CUST_ARRAY_LEN(text), NULL, &e);
        if (U_SUCCESS(e) && n < (int32_t)CUST_ARRAY_LEN(text)) {
            u_strToUTF8(out, CUST_DATE_WORDS_MAX, NULL, text, n, &e);
            st = U_SUCCESS(e) && e != U_STRING_NOT_TERMINATED_WARNING ? CUST_OK : CUST_EINVAL;
        }
    }
    pthread_mutex_unlock(&lock);
    if (st != CUST_OK)
        out[0] = '\0';
    return st;
}

enum cust_status cust_date_words(int32_t day, const char *lang, char out[CUST_DATE_WORDS_MAX])
{
    /* a calendar day has no zone: noon UTC of that day, formatted in UTC */
    return format(K_DAY, lang, "UTC", ((double)day * 86400.0 + 43200.0) * 1000.0, out);
}

enum cust_status cust_time_words(int64_t t, const char *lang, char out[CUST_DATE_WORDS_MAX])
{
    return format(K_TIME, lang, cust_time_zone_name(), (double)t * 1000.0, out);
}

void cust_words_of(const char *stored, const char *lang, char out[CUST_DATE_WORDS_MAX])
{
    int32_t day;
    int64_t t;
    int off;
    enum cust_status st = CUST_EINVAL;
    if (stored && cust_date_parse(stored, &day))
        st = cust_date_words(day, lang, out);
    else if (stored && cust_time_parse(stored, &t, &off))
        st = cust_time_words(t, lang, out);
    if (st != CUST_OK)
        snprintf(out, CUST_DATE_WORDS_MAX, "%s", stored ? stored : "");
}
