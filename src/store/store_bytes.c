/* store_bytes.c - the stored text both backends compute in C (store_bytes.h). */
#include "custodian/compat.h"
#include "store_bytes.h"

#include <inttypes.h>

/* A JSON string exactly as SQLite's json_object writes a text value (json.c, 3.40: `"` and `\`
 * escaped, \b \t \n \f \r, other bytes below 0x20 as \u00xx, everything else as is), or null. */
static void json_text(struct cust_buf *o, const char *v)
{
    if (!v) {
        cust_buf_puts(o, "null");
        return;
    }
    static const char special[32] = {[8] = 'b', [9] = 't', [10] = 'n', [12] = 'f', [13] = 'r'};
    cust_buf_putc(o, '"');
    const char *run = v;
    for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
        if (*p != '"' && *p != '\\' && *p >= 0x20)
            continue;
        cust_buf_append(o, run, (size_t)((const char *)p - run));
        if (*p == '"' || *p == '\\')
            cust_buf_appendf(o, "\\%c", *p);
        else if (special[*p])
            cust_buf_appendf(o, "\\%c", special[*p]);
        else
            cust_buf_appendf(o, "\\u00%02x", *p);
        run = (const char *)p + 1;
    }
    cust_buf_puts(o, run);
    cust_buf_putc(o, '"');
}

enum cust_status cust_store_public_charges_json(struct cust_buf *o, const struct cust_booking *b)
{
    cust_buf_reset(o);
    cust_buf_putc(o, '[');
    for (size_t i = 0; i < b->n_charges; i++) {
        const struct cust_charge *c = &b->charges[i];
        cust_buf_puts(o, i ? ",{\"code\":" : "{\"code\":");
        json_text(o, c->code);
        cust_buf_puts(o, ",\"description\":");
        json_text(o, c->description);
        cust_buf_puts(o, ",\"level\":");
        json_text(o, c->level);
        cust_buf_puts(o, ",\"status\":");
        json_text(o, c->status);
        if (c->bail_cents >= 0)
            cust_buf_appendf(o, ",\"bail_cents\":%" PRId64, c->bail_cents);
        else
            cust_buf_puts(o, ",\"bail_cents\":null");
        cust_buf_puts(o, ",\"next_court_date\":");
        json_text(o, c->next_court_date);
        cust_buf_puts(o, ",\"case_number\":");
        json_text(o, c->case_number);
        cust_buf_puts(o, ",\"court\":");
        json_text(o, c->court);
        cust_buf_putc(o, '}');
    }
    cust_buf_putc(o, ']');
    return cust_buf_status(o);
}
