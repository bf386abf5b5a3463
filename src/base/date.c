#include "custodian/date.h"

#include <time.h>
#include <unistd.h>

/* Howard Hinnant's days_from_civil / civil_from_days algorithms. */
int32_t cust_days_from_civil(int y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int32_t)(era * 146097 + (int)doe - 719468);
}

void cust_civil_from_days(int32_t z, int *y, unsigned *m, unsigned *d)
{
    z += 719468;
    const int era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)yoe + era * 400 + (*m <= 2);
}

int cust_weekday(int32_t day)
{
    return (int)(day >= -4 ? (day + 4) % 7 : (day + 5) % 7 + 6);
}

static int days_in_month(int y, unsigned m)
{
    static const int dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dim[m - 1];
}

static bool digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

static bool parse_ymd(const char *s, int *y, int *m, int *d)
{
    if (!digits(s, 4, y) || s[4] != '-' || !digits(s + 5, 2, m) || s[7] != '-' ||
        !digits(s + 8, 2, d))
        return false;
    if (*y < 1800 || *y > 2200 || *m < 1 || *m > 12 || *d < 1 ||
        *d > days_in_month(*y, (unsigned)*m))
        return false;
    return true;
}

bool cust_date_parse(const char *s, int32_t *day)
{
    int y, m, d;
    if (!s || strlen(s) != 10 || !parse_ymd(s, &y, &m, &d))
        return false;
    *day = cust_days_from_civil(y, (unsigned)m, (unsigned)d);
    return true;
}

bool cust_date_parse_partial(const char *s, struct cust_date *out)
{
    int y, m;
    if (!s || strlen(s) != 10)
        return false;
    if (cust_date_parse(s, &out->day)) {
        out->precision = CUST_DATE_DAY;
        return true;
    }
    if (!digits(s, 4, &y) || y < 1800 || y > 2200 || s[4] != '-' || s[7] != '-')
        return false;
    if (strcmp(s + 5, "XX-XX") == 0) {
        out->day = cust_days_from_civil(y, 1, 1);
        out->precision = CUST_DATE_YEAR;
        return true;
    }
    if (digits(s + 5, 2, &m) && m >= 1 && m <= 12 && strcmp(s + 8, "XX") == 0) {
        out->day = cust_days_from_civil(y, (unsigned)m, 1);
        out->precision = CUST_DATE_MONTH;
        return true;
    }
    return false;
}

void cust_date_format(int32_t day, char out[11])
{
    int y;
    unsigned m, d;
    char tmp[40];
    cust_civil_from_days(day, &y, &m, &d);
    snprintf(tmp, sizeof(tmp), "%04d-%02u-%02u", y % 10000, m % 100, d % 100);
    memcpy(out, tmp, 10);
    out[10] = '\0';
}

void cust_date_format_partial(const struct cust_date *dt, char out[11])
{
    cust_date_format(dt->day, out);
    if (dt->precision == CUST_DATE_MONTH) {
        out[8] = out[9] = 'X';
    } else if (dt->precision == CUST_DATE_YEAR) {
        out[5] = out[6] = out[8] = out[9] = 'X';
    }
}

bool cust_time_parse(const char *s, int64_t *unix_seconds, int *offset_minutes)
{
    int y, mo, d, h, mi, sec, oh = 0, om = 0;
    if (!s || strlen(s) < 20 || !parse_ymd(s, &y, &mo, &d))
        return false;
    if ((s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(s + 11, 2, &h) || s[13] != ':' ||
        !digits(s + 14, 2, &mi) || s[16] != ':' || !digits(s + 17, 2, &sec))
        return false;
    if (h > 23 || mi > 59 || sec > 60)
        return false;
    const char *p = s + 19;
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9')
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    int sign = 0;
    if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
        sign = 0;
    } else if ((*p == '+' || *p == '-') && strlen(p) == 6 && digits(p + 1, 2, &oh) && p[3] == ':' &&
               digits(p + 4, 2, &om) && oh <= 23 && om <= 59) {
        sign = *p == '-' ? -1 : 1;
    } else {
        return false;
    }
    int off = sign * (oh * 60 + om);
    int64_t days = cust_days_from_civil(y, (unsigned)mo, (unsigned)d);
    *unix_seconds = days * 86400 + h * 3600 + mi * 60 + (sec > 59 ? 59 : sec) - off * 60;
    if (offset_minutes)
        *offset_minutes = off;
    return true;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

void cust_time_format(int64_t t, int offset_minutes, bool utc_z, char out[32])
{
    int64_t local = t + (int64_t)offset_minutes * 60;
    int64_t day = floor_div(local, 86400);
    int64_t sod = local - day * 86400;
    int y;
    unsigned m, d;
    cust_civil_from_days((int32_t)day, &y, &m, &d);
    int h = (int)(sod / 3600), mi = (int)(sod / 60 % 60), s = (int)(sod % 60);
    char tmp[96];
    if (offset_minutes == 0 && utc_z) {
        snprintf(tmp, sizeof(tmp), "%04d-%02u-%02uT%02d:%02d:%02dZ", y, m, d, h, mi, s);
    } else {
        int a = offset_minutes < 0 ? -offset_minutes : offset_minutes;
        snprintf(tmp, sizeof(tmp), "%04d-%02u-%02uT%02d:%02d:%02d%c%02d:%02d", y, m, d, h, mi, s,
                 offset_minutes < 0 ? '-' : '+', a / 60, a % 60);
    }
    snprintf(out, 32, "%.31s", tmp);
}

int32_t cust_time_local_day(int64_t t, int offset_minutes)
{
    return (int32_t)floor_div(t + (int64_t)offset_minutes * 60, 86400);
}

/* A clock set by the program itself (a replayed history): CUST_NO_CLOCK when unset. */
#define CUST_NO_CLOCK INT64_MIN
static _Atomic int64_t clock_set = CUST_NO_CLOCK;

void cust_clock_set(int64_t t)
{
    clock_set = t;
}

void cust_clock_clear(void)
{
    clock_set = CUST_NO_CLOCK;
}

int64_t cust_now(void)
{
    int64_t c = clock_set;
    if (c != CUST_NO_CLOCK)
        return c;
    const char *fixed = getenv("CUSTODIAN_NOW");
    int64_t t;
    if (fixed && *fixed && cust_time_parse(fixed, &t, NULL))
        return t;
    return (int64_t)time(NULL);
}

int32_t cust_today(void)
{
    int64_t now = cust_now();
    return cust_time_local_day(now, cust_time_zone_offset(now));
}
