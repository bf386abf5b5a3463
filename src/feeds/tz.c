/*
 * tz.c - the county's time zone and the date patterns of a mapping.
 *
 * Local wall times become instants through ICU's calendar over the tz database (the zone's
 * whole history of offsets and daylight-saving rules): a strict (non-lenient) calendar refuses
 * a wall time the spring-forward hour skips, and the two readings of a fall-back wall time are
 * told apart with the repeated-wall-time attribute. No offset is computed here. glibc's own tz
 * code was not used because it can only be pointed at a zone through the process-wide TZ
 * variable, which the importer's reader thread cannot change safely.
 */
#include "custodian/compat.h"
#include "feeds_int.h"

#include <ctype.h>
#include <strings.h>
#include <unicode/ucal.h>
#include <unicode/ustring.h>

#include "custodian/date.h"

struct feed_zone {
    UCalendar *cal;
    char name[64];
};

const char *feed_zone_data_version(void)
{
    UErrorCode e = U_ZERO_ERROR;
    const char *v = ucal_getTZDataVersion(&e);
    return U_FAILURE(e) ? "unknown" : v;
}

enum cust_status feed_zone_open(const char *name, struct feed_zone **out, struct cust_err *err)
{
    *out = NULL;
    UChar id[64], canon[64];
    size_t n = strlen(name);
    if (n == 0 || n >= CUST_ARRAY_LEN(id))
        return cust_err_set(err, CUST_EINVAL, "'%s' is not a tz database zone", name);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)name[i] >= 0x80)
            return cust_err_set(err, CUST_EINVAL, "'%s' is not a tz database zone", name);
    u_uastrncpy(id, name, (int32_t)CUST_ARRAY_LEN(id));
    UErrorCode e = U_ZERO_ERROR;
    UBool system = 0;
    ucal_getCanonicalTimeZoneID(id, (int32_t)n, canon, (int32_t)CUST_ARRAY_LEN(canon), &system, &e);
    if (U_FAILURE(e) || !system)
        return cust_err_set(err, CUST_EINVAL,
                            "'%s' is not a tz database zone (e.g. America/Los_Angeles)", name);
    UCalendar *cal = ucal_open(id, (int32_t)n, "en_US_POSIX", UCAL_GREGORIAN, &e);
    if (U_FAILURE(e) || !cal)
        return cust_err_set(err, CUST_EINVAL, "cannot open zone '%s': %s", name, u_errorName(e));
    ucal_setAttribute(cal, UCAL_LENIENT, 0);
    struct feed_zone *z = cust_xcalloc(1, sizeof(*z));
    z->cal = cal;
    snprintf(z->name, sizeof(z->name), "%s", name);
    *out = z;
    return CUST_OK;
}

void feed_zone_free(struct feed_zone *z)
{
    if (!z)
        return;
    ucal_close(z->cal);
    free(z);
}

/* The instant of the wall time under the given repeated-wall-time choice; false when the
 * calendar refuses it (a skipped wall time, or a field out of range). */
static bool resolve_one(struct feed_zone *z, const struct feed_wall *w, UCalendarWallTimeOption o,
                        UDate *ms, int *offset)
{
    UErrorCode e = U_ZERO_ERROR;
    ucal_setAttribute(z->cal, UCAL_REPEATED_WALL_TIME, o);
    ucal_clear(z->cal);
    ucal_setDateTime(z->cal, w->year, w->month - 1, w->day, w->hour, w->minute, w->second, &e);
    UDate t = ucal_getMillis(z->cal, &e);
    if (U_FAILURE(e))
        return false;
    int32_t zo = ucal_get(z->cal, UCAL_ZONE_OFFSET, &e);
    int32_t dst = ucal_get(z->cal, UCAL_DST_OFFSET, &e);
    if (U_FAILURE(e))
        return false;
    *ms = t;
    *offset = (zo + dst) / 60000;
    return true;
}

enum cust_status feed_zone_resolve(struct feed_zone *z, const struct feed_wall *w,
                                   enum feed_ambiguous amb, int64_t *unix_seconds,
                                   int *offset_minutes, struct cust_err *err)
{
    UDate first, last;
    int off_first, off_last;
    if (!resolve_one(z, w, UCAL_WALLTIME_FIRST, &first, &off_first))
        return cust_err_set(err, CUST_EINVAL,
                            "%04d-%02d-%02d %02d:%02d does not exist in %s (the clocks skip it)",
                            w->year, w->month, w->day, w->hour, w->minute, z->name);
    if (!resolve_one(z, w, UCAL_WALLTIME_LAST, &last, &off_last))
        return cust_err_set(err, CUST_EINVAL, "%04d-%02d-%02d %02d:%02d cannot be placed in %s",
                            w->year, w->month, w->day, w->hour, w->minute, z->name);
    bool later = false;
    if (first != last) {
        if (amb == FEED_AMBIG_REJECT)
            return cust_err_set(err, CUST_EINVAL,
                                "%04d-%02d-%02d %02d:%02d happens twice in %s (the clocks fall "
                                "back); the mapping says to reject such times",
                                w->year, w->month, w->day, w->hour, w->minute, z->name);
        later = amb == FEED_AMBIG_LATER;
    }
    UDate t = later ? last : first;
    *unix_seconds = (int64_t)(t / 1000.0);
    *offset_minutes = later ? off_last : off_first;
    return CUST_OK;
}

/* ---- date patterns -------------------------------------------------------------------------- */

static const char *const months[] = {"january",   "february", "march",    "april",
                                     "may",       "june",     "july",     "august",
                                     "september", "october",  "november", "december"};

const char *feed_pattern_check(const char *p, bool *has_time, bool *has_offset)
{
    bool y = false, m = false, d = false, h = false, i12 = false, pm = false, mi = false;
    *has_time = *has_offset = false;
    for (; *p; p++) {
        if (*p != '%')
            continue;
        switch (*++p) {
        case 'Y':
            y = true;
            break;
        case 'm':
        case 'b':
        case 'B':
            m = true;
            break;
        case 'd':
        case 'e':
            d = true;
            break;
        case 'H':
            h = true;
            break;
        case 'I':
            i12 = true;
            break;
        case 'p':
            pm = true;
            break;
        case 'M':
            mi = true;
            break;
        case 'S':
            break;
        case 'z':
            *has_offset = true;
            break;
        case 'T':
            h = mi = true;
            break;
        case 'F':
            y = m = d = true;
            break;
        case '%':
            break;
        case '\0':
            return "ends with a lone %";
        default:
            return "uses a directive other than %Y %m %d %e %H %I %M %S %p %b %B %z %T %F %%";
        }
    }
    if (!y || !m || !d)
        return "needs a year (%Y), a month (%m, %b) and a day (%d)";
    if (i12 != pm)
        return "%I (12-hour clock) and %p (AM/PM) go together";
    if ((h || i12) && !mi)
        return "an hour needs its minutes (%M)";
    if (h && i12)
        return "%H and %I both give the hour";
    *has_time = h || i12;
    return NULL;
}

/* Up to `max` digits (at least `min`). */
static bool digits(const char **s, int min, int max, int *out)
{
    int v = 0, n = 0;
    while (n < max && isdigit((unsigned char)**s)) {
        v = v * 10 + (**s - '0');
        (*s)++;
        n++;
    }
    *out = v;
    return n >= min;
}

bool feed_pattern_read(const char *p, const char *s, struct feed_wall *w)
{
    memset(w, 0, sizeof(*w));
    int hour12 = -1, ampm = -1;
    for (; *p; p++) {
        if (*p == ' ') {
            if (*s != ' ')
                return false;
            while (*s == ' ')
                s++;
            continue;
        }
        if (*p != '%') {
            if (*s++ != *p)
                return false;
            continue;
        }
        switch (*++p) {
        case 'Y':
            if (!digits(&s, 4, 4, &w->year))
                return false;
            break;
        case 'm':
            if (!digits(&s, 1, 2, &w->month))
                return false;
            break;
        case 'd':
        case 'e':
            if (*p == 'e' && *s == ' ')
                s++;
            if (!digits(&s, 1, 2, &w->day))
                return false;
            break;
        case 'H':
            if (!digits(&s, 1, 2, &w->hour) || w->hour > 23)
                return false;
            w->has_time = true;
            break;
        case 'I':
            if (!digits(&s, 1, 2, &hour12) || hour12 < 1 || hour12 > 12)
                return false;
            w->has_time = true;
            break;
        case 'M':
            if (!digits(&s, 2, 2, &w->minute) || w->minute > 59)
                return false;
            break;
        case 'S':
            if (!digits(&s, 2, 2, &w->second) || w->second > 59)
                return false;
            break;
        case 'T': {
            if (!digits(&s, 1, 2, &w->hour) || w->hour > 23 || *s++ != ':' ||
                !digits(&s, 2, 2, &w->minute) || w->minute > 59 || *s++ != ':' ||
                !digits(&s, 2, 2, &w->second) || w->second > 59)
                return false;
            w->has_time = true;
            break;
        }
        case 'F':
            if (!digits(&s, 4, 4, &w->year) || *s++ != '-' || !digits(&s, 2, 2, &w->month) ||
                *s++ != '-' || !digits(&s, 2, 2, &w->day))
                return false;
            break;
        case 'p':
            if (strncasecmp(s, "AM", 2) == 0)
                ampm = 0;
            else if (strncasecmp(s, "PM", 2) == 0)
                ampm = 1;
            else
                return false;
            s += 2;
            break;
        case 'b':
        case 'B': {
            size_t k = 0;
            for (; k < 12; k++) {
                size_t full = strlen(months[k]);
                if (strncasecmp(s, months[k], full) == 0) {
                    s += full;
                    break;
                }
                if (strncasecmp(s, months[k], 3) == 0 && !isalpha((unsigned char)s[3])) {
                    s += 3;
                    break;
                }
            }
            if (k == 12)
                return false;
            w->month = (int)k + 1;
            break;
        }
        case 'z': {
            if (*s == 'Z') {
                s++;
                w->offset_minutes = 0;
            } else {
                int sign = *s == '+' ? 1 : *s == '-' ? -1 : 0, hh, mm;
                if (!sign)
                    return false;
                s++;
                if (!digits(&s, 2, 2, &hh))
                    return false;
                if (*s == ':')
                    s++;
                if (!digits(&s, 2, 2, &mm) || hh > 18 || mm > 59)
                    return false;
                w->offset_minutes = sign * (hh * 60 + mm);
            }
            w->has_offset = true;
            break;
        }
        case '%':
            if (*s++ != '%')
                return false;
            break;
        default:
            return false;
        }
    }
    if (*s)
        return false;
    if (hour12 >= 0)
        w->hour = hour12 % 12 + (ampm == 1 ? 12 : 0);
    if (w->year < 1800 || w->year > 2200 || w->month < 1 || w->month > 12 || w->day < 1)
        return false;
    int32_t dn = cust_days_from_civil(w->year, (unsigned)w->month, (unsigned)w->day);
    int y;
    unsigned mo, d;
    cust_civil_from_days(dn, &y, &mo, &d);
    return y == w->year && (int)mo == w->month && (int)d == w->day;
}
