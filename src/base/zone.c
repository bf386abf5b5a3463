/*
 * zone.c - the county's time zone through ICU's calendar over the tz database (date.h
 * cust_time_zone_*).
 *
 * ICU, not glibc: glibc's tz code can only be pointed at a zone through the process-wide TZ
 * variable, which no thread may change while others read the time. Each thread keeps its own
 * UCalendar for the zone (a UCalendar is not thread-safe); the zone's name is set once, before
 * threads start. UTC is computed without a calendar.
 */
#include "custodian/compat.h"
#include "custodian/date.h"

#include <pthread.h>
#include <stdio.h>
#include <unicode/ucal.h>
#include <unicode/ustring.h>

#define ZONE_NAME_MAX 64

static char zone[ZONE_NAME_MAX] = "UTC";
static bool zone_utc = true;

/* A zone of the tz database ICU knows, by its canonical system ID. */
static bool zone_exists(const char *name)
{
    size_t n = strlen(name);
    UChar id[ZONE_NAME_MAX], canon[ZONE_NAME_MAX];
    if (n == 0 || n >= ZONE_NAME_MAX || name[0] == '/' || strstr(name, ".."))
        return false;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '/' || *p == '_' || *p == '-' || *p == '+'))
            return false;
    u_uastrncpy(id, name, (int32_t)CUST_ARRAY_LEN(id));
    UErrorCode e = U_ZERO_ERROR;
    UBool system = 0;
    ucal_getCanonicalTimeZoneID(id, (int32_t)n, canon, (int32_t)CUST_ARRAY_LEN(canon), &system, &e);
    return U_SUCCESS(e) && system;
}

enum cust_status cust_time_zone_set(const char *name, struct cust_err *err)
{
    if (!name || !*name || strcmp(name, "UTC") == 0) {
        snprintf(zone, sizeof(zone), "UTC");
        zone_utc = true;
        return CUST_OK;
    }
    if (!zone_exists(name))
        return cust_err_set(err, CUST_EINVAL,
                            "'%s' is not a time zone of the tz database (e.g. America/Chicago)",
                            name);
    snprintf(zone, sizeof(zone), "%s", name);
    zone_utc = false;
    return CUST_OK;
}

const char *cust_time_zone_name(void)
{
    return zone;
}

/* This thread's calendar for the zone in use (opened again when the zone changed), closed when
 * the thread ends (a pthread key's destructor). */
struct tcal {
    UCalendar *cal;
    char zone[ZONE_NAME_MAX];
};
static pthread_key_t cal_key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

static void tcal_free(void *p)
{
    struct tcal *c = p;
    if (c && c->cal)
        ucal_close(c->cal);
    free(c);
}

static void key_init(void)
{
    (void)pthread_key_create(&cal_key, tcal_free);
}

static UCalendar *calendar(void)
{
    pthread_once(&key_once, key_init);
    struct tcal *c = pthread_getspecific(cal_key);
    if (c && c->cal && strcmp(c->zone, zone) == 0)
        return c->cal;
    if (!c) {
        c = cust_xcalloc(1, sizeof(*c));
        (void)pthread_setspecific(cal_key, c);
    }
    if (c->cal)
        ucal_close(c->cal);
    UChar id[ZONE_NAME_MAX];
    u_uastrncpy(id, zone, (int32_t)CUST_ARRAY_LEN(id));
    UErrorCode e = U_ZERO_ERROR;
    c->cal = ucal_open(id, (int32_t)strlen(zone), "en_US_POSIX", UCAL_GREGORIAN, &e);
    if (U_FAILURE(e))
        c->cal = NULL;
    snprintf(c->zone, sizeof(c->zone), "%s", zone);
    return c->cal;
}

int cust_time_zone_offset(int64_t t)
{
    if (zone_utc)
        return 0;
    UCalendar *cal = calendar();
    if (!cal)
        return 0;
    UErrorCode e = U_ZERO_ERROR;
    ucal_setMillis(cal, (UDate)t * 1000.0, &e);
    int32_t zo = ucal_get(cal, UCAL_ZONE_OFFSET, &e), dst = ucal_get(cal, UCAL_DST_OFFSET, &e);
    return U_FAILURE(e) ? 0 : (int)((zo + dst) / 60000);
}

int32_t cust_time_zone_day(int64_t t)
{
    return cust_time_local_day(t, cust_time_zone_offset(t));
}

int64_t cust_time_zone_local(int32_t day, int32_t second)
{
    int64_t naive = (int64_t)day * 86400 + second;
    int64_t guess = naive - (int64_t)cust_time_zone_offset(naive) * 60;
    return naive - (int64_t)cust_time_zone_offset(guess) * 60;
}

int64_t cust_time_zone_day_start(int32_t day)
{
    /* local midnight at the offsets in force around it: the first instant whose local day is
     * `day` */
    int64_t t = cust_time_zone_local(day, 0);
    if (cust_time_zone_day(t) == day && cust_time_zone_day(t - 1) != day)
        return t;
    /* midnight skipped or doubled by a clock change at 00:00: search the hours around it */
    int64_t lo = t - 7200, hi = t + 7200; /* day(lo) < day <= day(hi) */
    while (cust_time_zone_day(lo) >= day)
        lo -= 3600;
    while (cust_time_zone_day(hi) < day)
        hi += 3600;
    while (hi - lo > 1) {
        int64_t mid = lo + (hi - lo) / 2;
        if (cust_time_zone_day(mid) >= day)
            hi = mid;
        else
            lo = mid;
    }
    return hi;
}
