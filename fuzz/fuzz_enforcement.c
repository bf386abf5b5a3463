/* Fuzz the enforcement-action log's input: arbitrary bytes as JSON, then validation
 * (cust_enforcement_parse). A valid entry has its required fields, a count at least the names
 * given, and names stored as a JSON array of {"name": string}. */
#include "custodian/compat.h"
#include "custodian/reports.h"
#include "custodian/store_reports.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t jerr;
    json_t *j = json_loadb((const char *)data, size, 0, &jerr);
    if (!j)
        return 0;
    struct cust_enforcement e;
    struct cust_diag d = CUST_DIAG_INIT;
    if (cust_enforcement_parse(j, 1767225600 /* 2026-01-01 */, &e, &d) == CUST_OK) {
        CUST_ASSERT(cust_diag_count(&d) == 0);
        CUST_ASSERT(e.occurred_at && e.area && e.agency && e.source && e.persons);
        json_t *p = json_loads(e.persons, 0, NULL);
        CUST_ASSERT(json_is_array(p) && (int64_t)json_array_size(p) <= e.detained);
        size_t i;
        json_t *x;
        json_array_foreach(p, i, x) CUST_ASSERT(json_is_string(json_object_get(x, "name")));
        json_decref(p);
        free((char *)e.persons);
    } else {
        CUST_ASSERT(cust_diag_count(&d) > 0);
    }
    cust_diag_release(&d);
    json_decref(j);
    return 0;
}
