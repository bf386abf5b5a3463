/*
 * fuzz_name_key - the name key (namekey.h: cust_name_key) on any bytes, with the documented
 * invariants of every result: valid UTF-8, no leading, trailing or double space, no ASCII upper
 * case, idempotent (the key of a key is itself), cut at a whole character when it does not fit;
 * and the display width helpers on the same bytes.
 */
#include "custodian/compat.h"
#include "custodian/namekey.h"
#include "custodian/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_key(const char *k)
{
    size_t n = strlen(k);
    CUST_ASSERT(n < CUST_NAME_KEY_MAX);
    CUST_ASSERT(cust_utf8_valid((const unsigned char *)k, n));
    CUST_ASSERT(n == 0 || (k[0] != ' ' && k[n - 1] != ' '));
    CUST_ASSERT(!strstr(k, "  "));
    for (size_t i = 0; i < n; i++)
        CUST_ASSERT(!(k[i] >= 'A' && k[i] <= 'Z') && k[i] != '\'' && k[i] != '-');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *k = cust_xmalloc(CUST_NAME_KEY_MAX);
    enum cust_status st = cust_name_key((const char *)data, size, k, CUST_NAME_KEY_MAX, NULL);
    CUST_ASSERT(st == CUST_OK || st == CUST_EINVAL || st == CUST_ETOOBIG);
    if (st == CUST_EINVAL)
        CUST_ASSERT(k[0] == '\0');
    check_key(k);
    if (st == CUST_OK) {
        char *again = cust_xmalloc(CUST_NAME_KEY_MAX);
        CUST_ASSERT(cust_name_key(k, strlen(k), again, CUST_NAME_KEY_MAX, NULL) == CUST_OK);
        CUST_ASSERT(strcmp(k, again) == 0);
        char end[CUST_NAME_KEY_MAX + 1];
        cust_name_key_range(k, end, sizeof(end));
        CUST_ASSERT(strcmp(k, end) < 0);
        free(again);
    }
    char *text = cust_xstrndup((const char *)data, size);
    (void)cust_name_plausible(text, 64);
    char cell[64];
    size_t w = cust_text_fit(text, 20, true, cell, sizeof(cell));
    CUST_ASSERT(w <= 20 && strlen(cell) < sizeof(cell));
    (void)cust_text_width(text);
    free(text);
    free(k);
    return 0;
}
