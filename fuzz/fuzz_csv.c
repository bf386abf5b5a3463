/* Fuzz the RFC 4180 reader and the holiday-calendar loader built on it. */
#include "custodian/compat.h"
#include "custodian/csv.h"
#include "custodian/deadline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cust_csv c;
    struct cust_err err = CUST_ERR_INIT;
    cust_csv_open_mem(&c, (const char *)data, size);
    size_t records = 0;
    while (cust_csv_next(&c, &err) == CUST_OK && c.nfields) {
        for (size_t i = 0; i < c.nfields; i++)
            CUST_ASSERT(c.fields[i] != NULL);
        records++;
    }
    cust_csv_release(&c);
    struct cust_calendar *cal = NULL;
    if (cust_calendar_parse("fuzz", (const char *)data, size, &cal, &err) == CUST_OK) {
        if (cust_calendar_count(cal))
            (void)cust_deadline_add_business_days(cal, cust_calendar_first_day(cal), 3);
        cust_calendar_free(cal);
    }
    (void)records;
    return 0;
}
