#include "custodian/deadline.h"

#include "custodian/csv.h"
#include "custodian/date.h"

struct holiday {
    int32_t day;
    char *name;
};

struct cust_calendar {
    struct holiday *days; /* sorted by day, unique */
    size_t n;
};

static int cmp_holiday(const void *a, const void *b)
{
    const struct holiday *x = a, *y = b;
    return (x->day > y->day) - (x->day < y->day);
}

static enum cust_status parse_rows(const char *name, struct cust_csv *csv,
                                   struct cust_calendar *cal, struct cust_err *err)
{
    enum cust_status st = cust_csv_next(csv, err);
    if (st)
        return cust_csv_error(csv, name, st, err);
    int cdate = cust_csv_column(csv, "date"), cname = cust_csv_column(csv, "holiday");
    if (cdate < 0 || cname < 0)
        return cust_err_set(err, CUST_EINVAL, "%s:1: header: needs columns 'date' and 'holiday'",
                            name);
    size_t cap = 0;
    while ((st = cust_csv_next(csv, err)) == CUST_OK && csv->nfields) {
        if (csv->nfields <= (size_t)cdate || csv->nfields <= (size_t)cname)
            return cust_err_set(err, CUST_EINVAL, "%s:%zu: row: expected at least %d fields", name,
                                csv->line, (cdate > cname ? cdate : cname) + 1);
        int32_t day;
        if (!cust_date_parse(csv->fields[cdate], &day))
            return cust_err_set(err, CUST_EINVAL, "%s:%zu: date: not a date (YYYY-MM-DD): '%s'",
                                name, csv->line, csv->fields[cdate]);
        if (!csv->fields[cname][0])
            return cust_err_set(err, CUST_EINVAL, "%s:%zu: holiday: empty", name, csv->line);
        if (cal->n == cap) {
            cap = cap ? cap * 2 : 64;
            cal->days = cust_xrealloc(cal->days, cap * sizeof(*cal->days));
        }
        cal->days[cal->n].day = day;
        cal->days[cal->n].name = cust_xstrdup(csv->fields[cname]);
        cal->n++;
    }
    if (st)
        return cust_csv_error(csv, name, st, err);
    if (cal->n)
        qsort(cal->days, cal->n, sizeof(*cal->days), cmp_holiday);
    for (size_t i = 1; i < cal->n; i++)
        if (cal->days[i].day == cal->days[i - 1].day) {
            char d[11];
            cust_date_format(cal->days[i].day, d);
            return cust_err_set(err, CUST_EINVAL, "%s: date: %s listed twice", name, d);
        }
    return CUST_OK;
}

enum cust_status cust_calendar_parse(const char *name, const char *data, size_t len,
                                     struct cust_calendar **out, struct cust_err *err)
{
    struct cust_csv csv;
    cust_csv_open_mem(&csv, data, len);
    struct cust_calendar *cal = cust_xcalloc(1, sizeof(*cal));
    enum cust_status st = parse_rows(name, &csv, cal, err);
    cust_csv_release(&csv);
    if (st) {
        cust_calendar_free(cal);
        return st;
    }
    *out = cal;
    return CUST_OK;
}

enum cust_status cust_calendar_load(const char *path, struct cust_calendar **out,
                                    struct cust_err *err)
{
    struct cust_csv csv;
    enum cust_status st = cust_csv_open_file(&csv, path, err);
    if (st)
        return st;
    struct cust_calendar *cal = cust_xcalloc(1, sizeof(*cal));
    st = parse_rows(path, &csv, cal, err);
    cust_csv_release(&csv);
    if (st) {
        cust_calendar_free(cal);
        return st;
    }
    *out = cal;
    return CUST_OK;
}

void cust_calendar_free(struct cust_calendar *cal)
{
    if (!cal)
        return;
    for (size_t i = 0; i < cal->n; i++)
        free(cal->days[i].name);
    free(cal->days);
    free(cal);
}

size_t cust_calendar_count(const struct cust_calendar *cal)
{
    return cal->n;
}

int32_t cust_calendar_first_day(const struct cust_calendar *cal)
{
    return cal->n ? cal->days[0].day : 0;
}

int32_t cust_calendar_last_day(const struct cust_calendar *cal)
{
    return cal->n ? cal->days[cal->n - 1].day : 0;
}

const char *cust_calendar_holiday(const struct cust_calendar *cal, int32_t day)
{
    struct holiday key = {day, NULL};
    if (!cal->n)
        return NULL;
    const struct holiday *h = bsearch(&key, cal->days, cal->n, sizeof(key), cmp_holiday);
    return h ? h->name : NULL;
}

bool cust_calendar_is_business_day(const struct cust_calendar *cal, int32_t day)
{
    int wd = cust_weekday(day);
    return wd != 0 && wd != 6 && !cust_calendar_holiday(cal, day);
}

int64_t cust_deadline_add_business_hours(const struct cust_calendar *cal, int64_t start, int hours)
{
    int64_t t = start, left = (int64_t)hours * 3600;
    for (;;) {
        int32_t day = cust_time_zone_day(t);
        int64_t next = cust_time_zone_day_start(day + 1);
        if (!cust_calendar_is_business_day(cal, day)) {
            t = next;
            continue;
        }
        if (t + left <= next)
            return t + left;
        left -= next - t;
        t = next;
    }
}

int64_t cust_deadline_day_end(int32_t day)
{
    return cust_time_zone_day_start(day + 1) - 1;
}

int32_t cust_deadline_add_business_days(const struct cust_calendar *cal, int32_t day, int days)
{
    while (days > 0 || !cust_calendar_is_business_day(cal, day)) {
        day++;
        if (cust_calendar_is_business_day(cal, day))
            days--;
    }
    return day;
}
