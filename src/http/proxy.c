/*
 * proxy.c - trusted proxies (issue 12): address blocks, and the client an X-Forwarded-For chain
 * names when the peer is one of them.
 *
 * Only a trusted peer's X-Forwarded-For counts (anyone else's is the client's own claim). The
 * chain is read from the right, where each trusted proxy appended the address it saw: the first
 * address that is not a trusted proxy is the client; what lies left of it is the client's claim
 * and is ignored.
 */
#include "custodian/compat.h"
#include "custodian/http.h"

#include <arpa/inet.h>

/* One "ADDR[/BITS]" of `len` bytes into `net`. */
static bool net_parse(const char *s, size_t len, struct cust_http_net *net)
{
    char buf[80];
    if (len == 0 || len >= sizeof(buf))
        return false;
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *slash = strchr(buf, '/');
    if (slash)
        *slash = '\0';
    memset(net, 0, sizeof(*net));
    if (inet_pton(AF_INET, buf, net->addr) == 1) {
        net->family = AF_INET;
        net->prefix = 32;
    } else if (inet_pton(AF_INET6, buf, net->addr) == 1) {
        net->family = AF_INET6;
        net->prefix = 128;
    } else {
        return false;
    }
    if (slash) {
        char *end;
        unsigned long bits = strtoul(slash + 1, &end, 10);
        if (!slash[1] || *end || bits > net->prefix)
            return false;
        net->prefix = (unsigned)bits;
    }
    return true;
}

enum cust_status cust_http_nets_parse(const char *text, struct cust_http_net *out, size_t cap,
                                      size_t *n, struct cust_err *err)
{
    *n = 0;
    const char *p = text ? text : "";
    while (*p) {
        size_t skip = strspn(p, ", \t");
        p += skip;
        size_t len = strcspn(p, ", \t");
        if (len == 0)
            break;
        if (*n == cap)
            return cust_err_set(err, CUST_EINVAL, "more than %zu addresses", cap);
        if (!net_parse(p, len, &out[*n]))
            return cust_err_set(err, CUST_EINVAL, "'%.*s' is not an address or ADDR/BITS",
                                (int)(len > 64 ? 64 : len), p);
        (*n)++;
        p += len;
    }
    return CUST_OK;
}

static bool in_net(const struct cust_http_net *net, int family, const uint8_t *addr)
{
    if (net->family != family)
        return false;
    unsigned full = net->prefix / 8, rest = net->prefix % 8;
    if (memcmp(net->addr, addr, full) != 0)
        return false;
    if (rest == 0)
        return true;
    uint8_t mask = (uint8_t)(0xffu << (8 - rest));
    return (net->addr[full] & mask) == (addr[full] & mask);
}

/* `ip` as an address: AF_INET, AF_INET6 (an IPv4-mapped IPv6 address counts as IPv4), or 0. */
static int addr_parse(const char *ip, uint8_t addr[16])
{
    if (inet_pton(AF_INET, ip, addr) == 1)
        return AF_INET;
    if (inet_pton(AF_INET6, ip, addr) != 1)
        return 0;
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (memcmp(addr, mapped, sizeof(mapped)) == 0) {
        memmove(addr, addr + 12, 4);
        return AF_INET;
    }
    return AF_INET6;
}

bool cust_http_net_contains(const struct cust_http_net *nets, size_t n, const char *ip)
{
    uint8_t addr[16];
    int family = ip ? addr_parse(ip, addr) : 0;
    for (size_t i = 0; family && i < n; i++)
        if (in_net(&nets[i], family, addr))
            return true;
    return false;
}

bool cust_http_forwarded_client(const struct cust_http_net *nets, size_t n, const char *xff,
                                char out[64])
{
    if (!xff)
        return false;
    size_t end = strlen(xff);
    bool any = false;
    while (end > 0) {
        size_t start = end;
        while (start > 0 && xff[start - 1] != ',')
            start--;
        const char *s = xff + start;
        size_t len = end - start;
        while (len && (*s == ' ' || *s == '\t'))
            s++, len--;
        while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
            len--;
        end = start ? start - 1 : 0;
        if (len == 0)
            continue;
        char ip[64];
        uint8_t addr[16];
        if (len >= sizeof(ip))
            return false;
        memcpy(ip, s, len);
        ip[len] = '\0';
        if (!addr_parse(ip, addr))
            return false; /* not an address where one decides: keep the peer */
        memcpy(out, ip, len + 1);
        any = true;
        if (!cust_http_net_contains(nets, n, ip))
            return true; /* the first untrusted hop from the right: the client */
    }
    return any; /* every hop trusted: the leftmost */
}
