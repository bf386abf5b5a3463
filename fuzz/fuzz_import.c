/*
 * fuzz_import.c - libFuzzer target for the custody JSONL importer: every line goes through
 * cust_record_parse (validation), valid ones through the change diff and into an in-memory
 * store (rolled back per input), so parser, validator and store binding all see fuzzed data.
 */
#include "custodian/compat.h"
#include "custodian/records.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct cust_store *store;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!store && cust_store_open(":memory:", CUST_STORE_CREATE, &store, NULL) != CUST_OK)
        return 0;
    char *buf = cust_xmalloc(size + 1);
    memcpy(buf, data, size);
    buf[size] = '\0';
    if (cust_store_begin(store, NULL) != CUST_OK) {
        free(buf);
        return 0;
    }
    char *prev = NULL;
    size_t start = 0;
    int lineno = 0;
    while (start <= size) {
        size_t end = start;
        while (end < size && buf[end] != '\n')
            end++;
        buf[end] = '\0';
        struct cust_record rec;
        struct cust_diag d = CUST_DIAG_INIT;
        if (cust_record_parse(buf + start, end - start, &rec, &d) == CUST_OK) {
            if (prev) {
                char *ch = cust_record_changed(prev, rec.b.doc);
                free(ch);
            }
            free(prev);
            prev = cust_xstrdup(rec.b.doc);
            char src[32];
            snprintf(src, sizeof(src), "fuzz:%d", ++lineno);
            struct cust_put_meta m = {"fuzz", src, "2025-01-01T00:00:00Z", NULL};
            struct cust_put_result r;
            enum cust_status st = cust_store_put_booking(store, &rec.b, &m, &r, NULL);
            CUST_ASSERT(st == CUST_OK);
            cust_record_release(&rec);
        } else {
            CUST_ASSERT(cust_diag_count(&d) > 0);
        }
        cust_diag_release(&d);
        start = end + 1;
    }
    cust_store_rollback(store);
    free(prev);
    free(buf);
    return 0;
}
