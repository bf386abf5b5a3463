/*
 * datewords.h - dates and times in words, as people read them, per language.
 *
 * The record keeps dates as `YYYY-MM-DD` and instants as RFC 3339 (date.h); what the public
 * locator and the notices show is "December 5, 2026", "5 de diciembre de 2026",
 * "2026年12月5日", and an instant in the county's time zone (cust_time_zone_name(), date.h)
 * with the zone's name: "December 5, 2026 at 3:04 PM PST". The words and their order are the
 * language's own, from ICU's CLDR data (udat/udatpg), never a table of month names here.
 *
 * `lang` is a BCP 47 tag ("en", "es", "zh-Hans", "zh-Hant", "tl", "vi", "ko"; Tagalog is CLDR's
 * Filipino, "fil"); a
 * language CLDR does not have, or a malformed tag, is English. Formatters are opened once
 * per (kind, language, zone) and shared under a lock: safe from any thread.
 */
#ifndef CUSTODIAN_DATEWORDS_H
#define CUSTODIAN_DATEWORDS_H

#include "custodian/compat.h"
#include "custodian/status.h"

#define CUST_DATE_WORDS_MAX 128 /* bytes, NUL included, enough for every form below */

/* The calendar day `day` (a day number, date.h) in words: "December 5, 2026". CUST_EINVAL
 * when ICU cannot format it (out then ""). */
enum cust_status cust_date_words(int32_t day, const char *lang, char out[CUST_DATE_WORDS_MAX]);

/* The instant `t` (Unix seconds) in the county's zone, in words with the zone's short name:
 * "December 5, 2026 at 3:04 PM PST". */
enum cust_status cust_time_words(int64_t t, const char *lang, char out[CUST_DATE_WORDS_MAX]);

/* A stored value in words: `YYYY-MM-DD` as cust_date_words, an RFC 3339 instant as
 * cust_time_words. Anything else (a partial date, "") is copied unchanged, so the caller never
 * loses a value it cannot read. */
void cust_words_of(const char *stored, const char *lang, char out[CUST_DATE_WORDS_MAX]);

#endif
