/*
 * date.h - calendar dates as day numbers and instants as Unix seconds (UTC).
 *
 * A day number counts days since 1970-01-01 (proleptic Gregorian), so date
 * arithmetic is integer arithmetic. Partial dates (`YYYY-MM-XX`, `YYYY-XX-XX`,
 * used for a partly unknown date of birth) keep their precision in a separate
 * field; their day number is that of the first possible day.
 */
#ifndef CUSTODIAN_DATE_H
#define CUSTODIAN_DATE_H

#include "custodian/status.h"

enum cust_date_precision {
    CUST_DATE_DAY = 0,   /* YYYY-MM-DD */
    CUST_DATE_MONTH = 1, /* YYYY-MM-XX */
    CUST_DATE_YEAR = 2   /* YYYY-XX-XX */
};

struct cust_date {
    int32_t day; /* day number of the first possible day */
    enum cust_date_precision precision;
};

/* Day number of y-m-d (no validation). */
int32_t cust_days_from_civil(int y, unsigned m, unsigned d);
/* Inverse of cust_days_from_civil. */
void cust_civil_from_days(int32_t z, int *y, unsigned *m, unsigned *d);
/* 0 = Sunday ... 6 = Saturday. */
int cust_weekday(int32_t day);

/*
 * Parse exactly `YYYY-MM-DD` (the whole string, a real calendar day, year
 * 1800-2200). Returns true and sets *day on success.
 */
bool cust_date_parse(const char *s, int32_t *day);
/* Like cust_date_parse but also accepts `YYYY-MM-XX` and `YYYY-XX-XX`. */
bool cust_date_parse_partial(const char *s, struct cust_date *out);
/* Write `YYYY-MM-DD` (11 bytes with NUL) into out. */
void cust_date_format(int32_t day, char out[11]);
/* Write a partial date back in its own precision (`YYYY-MM-XX` ...). */
void cust_date_format_partial(const struct cust_date *d, char out[11]);

/*
 * Parse an RFC 3339 date-time (`2025-03-14T10:22:00-07:00`, `...Z`, optional
 * fraction which is ignored). Sets the instant in Unix seconds and the offset
 * in minutes east of UTC. Returns false for anything else.
 */
bool cust_time_parse(const char *s, int64_t *unix_seconds, int *offset_minutes);
/* Format an instant as RFC 3339 at the given offset (`...-07:00`, or `Z` when utc_z and offset 0).
 */
void cust_time_format(int64_t unix_seconds, int offset_minutes, bool utc_z, char out[32]);
/* The calendar day (at the given offset) an instant falls on. */
int32_t cust_time_local_day(int64_t unix_seconds, int offset_minutes);
/* Now, in Unix seconds: the clock set by cust_clock_set, else CUSTODIAN_NOW (RFC 3339, for
 * reproducible tests), else the system clock. */
int64_t cust_now(void);
/*
 * Set the process's clock to `t` until cust_clock_clear: every "now" (ledger entries, desk
 * steps, versions) reads it. For replaying a history at its own times (the demo's, demo.h);
 * a server never sets it.
 */
void cust_clock_set(int64_t t);
void cust_clock_clear(void);
/* Today's day number in the process's time zone (per cust_now; UTC until cust_time_zone_set). */
int32_t cust_today(void);

/*
 * The county's time zone (src/base/zone.c): an IANA name of the tz database, read through ICU's
 * calendar (the zone's whole history of offsets and daylight-saving rules; a calendar per
 * thread, never the process-wide TZ variable, so safe in the server's threads). Reports count
 * "a day" and "a month" in it: a transfer at 06:30Z on 1 July is 30 June in Los Angeles.
 *
 * Set the process's time zone (an IANA name such as "America/Chicago", or "UTC"; NULL or ""
 * means UTC): what cust_today(), cust_time_zone_offset() and cust_time_zone_day() mean. Call
 * before threads start (the configuration does: [county] timezone, CUSTODIAN_TIMEZONE).
 * CUST_EINVAL for a name the tz database does not have (the zone in use is left unchanged).
 */
enum cust_status cust_time_zone_set(const char *name, struct cust_err *err);
/* The zone's offset from UTC (minutes east) at instant `t`, daylight saving included. */
int cust_time_zone_offset(int64_t t);
/* The zone's name ("UTC" by default). Borrowed. */
const char *cust_time_zone_name(void);
/* The zone's local calendar day (day number) of instant `t`. */
int32_t cust_time_zone_day(int64_t t);
/* The instant the zone's local day `day` begins (its first second; a day starting in a skipped
 * hour begins at the first instant that exists). */
int64_t cust_time_zone_day_start(int32_t day);
/* The instant of the zone's local time `second` (0..86399) of `day`; a local time skipped by a
 * clock change reads at the offset before it, one repeated reads at the first of the two. */
int64_t cust_time_zone_local(int32_t day, int32_t second);

#endif
