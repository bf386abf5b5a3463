/* Fuzz the one statute-code normaliser: never crashes, never overruns its buffer, and its output
 * is a fixed point (normalising a canonical code gives it back). */
#include "custodian/compat.h"
#include "custodian/statute.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char in[512];
    if (size >= sizeof(in))
        size = sizeof(in) - 1;
    memcpy(in, data, size);
    in[size] = '\0';
    for (size_t cap = 1; cap <= 64; cap += 21) {
        char out[64], again[64];
        if (!cust_statute_code(in, out, cap))
            continue;
        CUST_ASSERT(strlen(out) < cap);
        CUST_ASSERT(cust_statute_code(out, again, sizeof(again)));
        CUST_ASSERT(strcmp(out, again) == 0);
    }
    return 0;
}
