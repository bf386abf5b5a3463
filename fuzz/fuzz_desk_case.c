/* Fuzz the desk's case builder: any booking record that records reads (cust_record_parse, as
 * the desk reads stored bookings) must give a case the policy engine accepts (the desk never
 * asks the engine an invalid question). */
#include "custodian/compat.h"
#include "custodian/desk.h"
#include "custodian/policy.h"
#include "custodian/records.h"
#include "custodian/request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *doc = cust_xmalloc(size + 1);
    memcpy(doc, data, size);
    doc[size] = '\0';
    struct cust_record rec;
    struct cust_diag rdiag = CUST_DIAG_INIT;
    enum cust_status rst = cust_record_parse(doc, size, &rec, &rdiag);
    cust_diag_release(&rdiag);
    if (rst != CUST_OK) {
        free(doc);
        return 0;
    }
    static const char *const kinds[] = {"detainer", "information_request", "court_order"};
    unsigned items = (1u << CUST_ITEM_COUNT) - 1;
    for (size_t k = 0; k < CUST_ARRAY_LEN(kinds); k++) {
        json_t *c = cust_desk_case_from_booking(&rec.b, "us-ca", 20286, kinds[k],
                                                k == 0 ? CUST_ASK_HOLD | CUST_ASK_NOTIFY : 0,
                                                k == 0 ? 0 : items);
        if (!c)
            continue;
        struct cust_case *cs = NULL;
        struct cust_diag diag = CUST_DIAG_INIT;
        enum cust_status st = cust_case_from_json(c, &cs, &diag);
        if (st != CUST_OK)
            cust_diag_print(&diag, stderr, "invalid case: ");
        CUST_ASSERT(st == CUST_OK);
        cust_case_free(cs);
        cust_diag_release(&diag);
        json_decref(c);
    }
    cust_record_release(&rec);
    free(doc);
    return 0;
}
