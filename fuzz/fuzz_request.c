/* Fuzz request intake: arbitrary bytes as JSON, then validation. */
#include "custodian/compat.h"
#include "custodian/request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t jerr;
    json_t *j = json_loadb((const char *)data, size, 0, &jerr);
    if (!j)
        return 0;
    struct cust_request r;
    struct cust_diag d = CUST_DIAG_INIT;
    if (cust_request_parse(j, &r, &d) == CUST_OK)
        CUST_ASSERT(r.has_subject != r.has_scope);
    cust_request_release(&r);
    cust_diag_release(&d);
    json_decref(j);
    return 0;
}
