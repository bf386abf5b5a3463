/* Fuzz the notice template renderer with a fixed set of values. */
#include "custodian/compat.h"
#include "custodian/template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *vars = json_pack("{s:s,s:b,s:b,s:i}", "name", "<x>", "yes", 1, "no", 0, "n", 7);
    struct cust_buf out;
    cust_buf_init(&out, 1 << 20);
    struct cust_err err = CUST_ERR_INIT;
    enum cust_status st = cust_template_render("fuzz", (const char *)data, size, vars,
                                               CUST_TEMPLATE_HTML, &out, &err);
    CUST_ASSERT(st == CUST_OK || err.msg[0] != '\0');
    cust_buf_release(&out);
    json_decref(vars);
    return 0;
}
