/* Fuzz the mapping-file loader (YAML through libyaml, then every rule's checks). */
#include "custodian/compat.h"
#include "custodian/feeds.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cust_map *m = NULL;
    struct cust_diag d = CUST_DIAG_INIT;
    struct cust_err err = CUST_ERR_INIT;
    enum cust_status st = cust_map_parse("fuzz", (const char *)data, size, &m, &d, &err);
    /* a rejected mapping always says why; an accepted one has a name */
    CUST_ASSERT(st == CUST_OK ? m != NULL && cust_map_name(m) != NULL
                              : cust_diag_count(&d) > 0 || err.msg[0]);
    cust_map_free(m);
    cust_diag_release(&d);
    return 0;
}
