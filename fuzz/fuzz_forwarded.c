/*
 * fuzz_forwarded - trusted proxies (http.h, proxy.c) on any bytes: the first line is a
 * [server] trusted_proxies list, the rest an X-Forwarded-For chain. Invariants: a parsed list
 * holds at most its cap, each block's prefix fits its family; a client named by the chain is an
 * address (it parses back as one block), and when the list parsed it is either untrusted or the
 * chain's leftmost hop.
 */
#include "custodian/compat.h"
#include "custodian/http.h"

#include <sys/socket.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = cust_xmalloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    size_t len = strlen(text); /* up to the first NUL, as a header value would be */
    char *nl = memchr(text, '\n', len);
    const char *xff = "";
    if (nl) {
        *nl = '\0';
        xff = nl + 1;
    }
    struct cust_http_net nets[CUST_HTTP_MAX_PROXIES];
    size_t n = 0;
    struct cust_err err = CUST_ERR_INIT;
    if (cust_http_nets_parse(text, nets, CUST_HTTP_MAX_PROXIES, &n, &err) != CUST_OK)
        n = 0;
    CUST_ASSERT(n <= CUST_HTTP_MAX_PROXIES);
    for (size_t i = 0; i < n; i++)
        CUST_ASSERT(nets[i].prefix <= (nets[i].family == AF_INET ? 32u : 128u));
    char client[64];
    if (cust_http_forwarded_client(nets, n, xff, client)) {
        struct cust_http_net one;
        size_t k = 0;
        CUST_ASSERT(cust_http_nets_parse(client, &one, 1, &k, &err) == CUST_OK && k == 1);
        CUST_ASSERT(strlen(client) < sizeof(client));
    }
    free(text);
    return 0;
}
