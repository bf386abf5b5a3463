/* fuzz_case_parse.c - the case parser (src/policy/case.c) and a decision under us-ca and its
 * every shipped policy and the illustrative Los Angeles overlay (policies/examples/), on
 * arbitrary JSON text. */
#include "custodian/compat.h"

#include "custodian/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NPOLS 5
static struct cust_policy *pols[NPOLS];

static void load(void)
{
    static const char *const ids[NPOLS] = {"us-ca", "us-tx", "us-fl", "us-federal-default",
                                           CUST_SOURCE_DIR
                                           "/policies/examples/us-ca/los-angeles.policy"};
    for (int i = 0; i < NPOLS; i++) {
        struct cust_err err = CUST_ERR_INIT;
        if (cust_policy_load(CUST_SOURCE_DIR "/policies", ids[i], &pols[i], &err)) {
            fprintf(stderr, "%s\n", err.msg);
            abort();
        }
    }
}

static void unload(void)
{
    for (int i = 0; i < NPOLS; i++)
        cust_policy_free(pols[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!pols[0]) {
        load();
        atexit(unload);
    }
    struct cust_case *c = NULL;
    struct cust_diag dg = CUST_DIAG_INIT;
    if (cust_case_parse((const char *)data, size, &c, &dg) == CUST_OK) {
        struct cust_decision *d = cust_decision_new();
        for (int i = 0; i < NPOLS; i++) {
            struct cust_err err = CUST_ERR_INIT;
            if (cust_decide(pols[i], c, CUST_DECIDE_TRACE, d, &err) == CUST_OK) {
                json_t *o = cust_decision_to_json(pols[i], c, d);
                json_decref(o);
            }
        }
        cust_decision_free(d);
        cust_case_free(c);
    }
    cust_diag_release(&dg);
    return 0;
}
