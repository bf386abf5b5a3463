/*
 * deadline.h - business-day calendars and the deadlines the desk computes.
 *
 * A calendar is a set of holidays loaded from data (`policies/calendars/<name>.csv`,
 * columns `date,holiday,cite`); weekends are Saturday and Sunday. The detainer
 * window of 8 CFR 287.7(d) is "48 hours, excluding Saturdays, Sundays, and
 * holidays": cust_deadline_add_business_hours counts only the hours that fall
 * on business days. Days are the county's ([county] timezone, cust_time_zone_set in date.h):
 * a request stamped in UTC on Friday 01:00Z arrived on Thursday in Los Angeles, and a window
 * that crosses a change of clocks keeps the local day's boundaries.
 */
#ifndef CUSTODIAN_DEADLINE_H
#define CUSTODIAN_DEADLINE_H

#include "custodian/status.h"

struct cust_calendar;

/* Load a holiday calendar CSV. Errors name the line and field. Returns a new calendar. */
enum cust_status cust_calendar_load(const char *path, struct cust_calendar **out,
                                    struct cust_err *err) CUST_WARN_UNUSED;
/* Same, from memory (for tests and fuzzing); `name` is used in error messages. */
enum cust_status cust_calendar_parse(const char *name, const char *data, size_t len,
                                     struct cust_calendar **out,
                                     struct cust_err *err) CUST_WARN_UNUSED;
void cust_calendar_free(struct cust_calendar *cal);

/* Number of holidays loaded, and the first and last day covered (day numbers). */
size_t cust_calendar_count(const struct cust_calendar *cal);
int32_t cust_calendar_first_day(const struct cust_calendar *cal);
int32_t cust_calendar_last_day(const struct cust_calendar *cal);

/* The holiday's name on `day`, or NULL (borrowed, valid while the calendar lives). */
const char *cust_calendar_holiday(const struct cust_calendar *cal, int32_t day);
/* Not a Saturday, Sunday or holiday. */
bool cust_calendar_is_business_day(const struct cust_calendar *cal, int32_t day);

/*
 * The instant `hours` business hours after `start`, counting in the county's local days:
 * time on Saturdays, Sundays and holidays does not count. A start on a non-business day
 * begins counting at the next business day's first instant.
 */
int64_t cust_deadline_add_business_hours(const struct cust_calendar *cal, int64_t start, int hours);
/* The last second of the county's local day `day` (the end of a day-based deadline). */
int64_t cust_deadline_day_end(int32_t day);
/* `days` business days after `day` (the result is a business day). */
int32_t cust_deadline_add_business_days(const struct cust_calendar *cal, int32_t day, int days);

#endif
