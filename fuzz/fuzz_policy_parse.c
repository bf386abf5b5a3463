/* fuzz_policy_parse.c - the policy language parser (src/policy/parse.c) on arbitrary text. */
#include "custodian/compat.h"

#include "custodian/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536)
        return 0;
    struct cust_policy *p = NULL;
    struct cust_err err = CUST_ERR_INIT;
    if (cust_policy_parse("fuzz.policy", (const char *)data, size, CUST_SOURCE_DIR "/policies", &p,
                          &err) == CUST_OK) {
        struct cust_buf out = CUST_BUF_INIT;
        uint64_t n = 0;
        (void)cust_policy_check(p, &out, &n);
        cust_buf_reset(&out);
        (void)cust_policy_show(p, INT32_MIN, false, &out, NULL);
        cust_buf_release(&out);
        cust_policy_free(p);
    }
    return 0;
}
