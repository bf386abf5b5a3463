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
/* Now, in Unix seconds; honours CUSTODIAN_NOW (RFC 3339) for reproducible tests. */
int64_t cust_now(void);
/* Today's day number in the process's time zone (per cust_now; UTC until cust_time_zone_set). */
int32_t cust_today(void);

/*
 * Set the process's time zone (an IANA name such as "America/Chicago", or "UTC") from the
 * system's tz database: what cust_today() and cust_time_zone_offset() mean. Call before threads
 * start. CUST_EINVAL for a name the tz database does not have.
 */
enum cust_status cust_time_zone_set(const char *name, struct cust_err *err);
/* The zone's offset from UTC (minutes east) at instant `t`, daylight saving included. */
int cust_time_zone_offset(int64_t t);
/* The zone's name ("UTC" by default). Borrowed. */
const char *cust_time_zone_name(void);

#endif
