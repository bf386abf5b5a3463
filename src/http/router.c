/*
 * router.c - method + path pattern matching with {param} segments.
 *
 * Routes are kept in a flat array (the API has tens of routes, not thousands); a match scans
 * all of them and prefers the route with the most literal segments, segment by segment from the
 * left, so "/requests/new" beats "/requests/{id}" whatever the registration order.
 */
#include "custodian/compat.h"
#include "custodian/http.h"

#define MAX_SEGMENTS 16

struct route {
    char *method;
    char *pattern;
    size_t nseg;
    char *seg[MAX_SEGMENTS]; /* literal text, or the parameter name when is_param */
    bool is_param[MAX_SEGMENTS];
    cust_http_handler fn;
    void *ctx;
    unsigned flags;
};

struct cust_router {
    struct route *routes;
    size_t len;
    size_t alloc;
};

struct cust_router *cust_router_new(void)
{
    return cust_xcalloc(1, sizeof(struct cust_router));
}

void cust_router_free(struct cust_router *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->len; i++) {
        free(r->routes[i].method);
        free(r->routes[i].pattern);
        for (size_t k = 0; k < r->routes[i].nseg; k++)
            free(r->routes[i].seg[k]);
    }
    free(r->routes);
    free(r);
}

static bool valid_method(const char *m)
{
    if (!*m)
        return false;
    for (const char *p = m; *p; p++)
        if (*p < 'A' || *p > 'Z')
            return false;
    return true;
}

enum cust_status cust_router_add(struct cust_router *r, const char *method, const char *pattern,
                                 cust_http_handler fn, void *ctx, unsigned flags)
{
    struct route rt = {0};
    struct cust_err err;
    if (!valid_method(method) || strcmp(method, "HEAD") == 0)
        return cust_err_set(&err, CUST_EINVAL, "invalid method '%s'", method);
    if (pattern[0] != '/' || !fn)
        return CUST_EINVAL;
    const char *p = pattern + 1;
    while (*p) {
        const char *end = strchr(p, '/');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n == 0 || rt.nseg == MAX_SEGMENTS)
            goto bad;
        bool param = p[0] == '{';
        if (param) {
            if (n < 3 || p[n - 1] != '}')
                goto bad;
            for (size_t k = 1; k + 1 < n; k++)
                if (!(p[k] == '_' || (p[k] >= 'a' && p[k] <= 'z') || (p[k] >= '0' && p[k] <= '9')))
                    goto bad;
            size_t np = 0;
            for (size_t k = 0; k < rt.nseg; k++)
                np += rt.is_param[k];
            if (np == CUST_ROUTE_MAX_PARAMS)
                goto bad;
            rt.seg[rt.nseg] = cust_xstrndup(p + 1, n - 2);
        } else {
            if (memchr(p, '{', n) || memchr(p, '}', n))
                goto bad;
            rt.seg[rt.nseg] = cust_xstrndup(p, n);
        }
        rt.is_param[rt.nseg++] = param;
        if (!end)
            break;
        p = end + 1;
        if (!*p)
            goto bad; /* trailing slash */
    }
    for (size_t i = 0; i < r->len; i++) {
        const struct route *o = &r->routes[i];
        if (strcmp(o->method, method) != 0 || o->nseg != rt.nseg)
            continue;
        bool same = true;
        for (size_t k = 0; k < rt.nseg && same; k++)
            same = o->is_param[k] == rt.is_param[k] &&
                   (rt.is_param[k] || strcmp(o->seg[k], rt.seg[k]) == 0);
        if (same) {
            for (size_t k = 0; k < rt.nseg; k++)
                free(rt.seg[k]);
            return CUST_ECONFLICT;
        }
    }
    rt.method = cust_xstrdup(method);
    rt.pattern = cust_xstrdup(pattern);
    rt.fn = fn;
    rt.ctx = ctx;
    rt.flags = flags;
    if (r->len == r->alloc) {
        r->alloc = r->alloc ? r->alloc * 2 : 16;
        r->routes = cust_xrealloc(r->routes, r->alloc * sizeof(*r->routes));
    }
    r->routes[r->len++] = rt;
    return CUST_OK;
bad:
    for (size_t k = 0; k < rt.nseg; k++)
        free(rt.seg[k]);
    return CUST_EINVAL;
}

/* Does `rt` match the split path? Writes a score (bit per literal segment, leftmost highest). */
static bool route_matches(const struct route *rt, size_t nseg, const struct cust_http_str *segs,
                          uint32_t *score)
{
    if (rt->nseg != nseg)
        return false;
    uint32_t s = 0;
    for (size_t k = 0; k < nseg; k++) {
        s <<= 1;
        if (rt->is_param[k])
            continue;
        if (strlen(rt->seg[k]) != segs[k].len || memcmp(rt->seg[k], segs[k].p, segs[k].len) != 0)
            return false;
        s |= 1;
    }
    *score = s;
    return true;
}

static void allow_add(char *allow, size_t cap, const char *method)
{
    /* Keep the list sorted and unique: small n, insertion into a comma list. */
    char tmp[96];
    const char *items[16];
    size_t n = 0;
    char copy[96];
    snprintf(copy, sizeof(copy), "%s", allow);
    for (char *save = NULL, *t = strtok_r(copy, ", ", &save); t && n < 15;
         t = strtok_r(NULL, ", ", &save)) {
        if (strcmp(t, method) == 0)
            return;
        items[n++] = t;
    }
    items[n++] = method;
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && strcmp(items[j - 1], items[j]) > 0; j--) {
            const char *x = items[j];
            items[j] = items[j - 1];
            items[j - 1] = x;
        }
    size_t o = 0;
    tmp[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        int w = snprintf(tmp + o, sizeof(tmp) - o, "%s%s", i ? ", " : "", items[i]);
        if (w < 0 || (size_t)w >= sizeof(tmp) - o)
            break;
        o += (size_t)w;
    }
    snprintf(allow, cap, "%s", tmp);
}

enum cust_route_result cust_router_match(const struct cust_router *r, const char *method,
                                         const char *path, struct cust_route_match *m)
{
    memset(m, 0, sizeof(*m));
    if (!path || path[0] != '/')
        return CUST_ROUTE_NOT_FOUND;
    struct cust_http_str segs[MAX_SEGMENTS];
    size_t nseg = 0;
    const char *p = path + 1;
    if (*p) {
        for (;;) {
            const char *end = strchr(p, '/');
            size_t n = end ? (size_t)(end - p) : strlen(p);
            if (n == 0 || nseg == MAX_SEGMENTS)
                return CUST_ROUTE_NOT_FOUND;
            segs[nseg].p = p;
            segs[nseg].len = n;
            nseg++;
            if (!end)
                break;
            p = end + 1;
        }
    }
    const char *want = strcmp(method, "HEAD") == 0 ? "GET" : method;
    const struct route *best = NULL;
    uint32_t best_score = 0;
    bool path_exists = false;
    for (size_t i = 0; i < r->len; i++) {
        const struct route *rt = &r->routes[i];
        uint32_t score;
        if (!route_matches(rt, nseg, segs, &score))
            continue;
        if (strcmp(rt->method, want) != 0) {
            path_exists = true;
            allow_add(m->allow, sizeof(m->allow), rt->method);
            if (strcmp(rt->method, "GET") == 0)
                allow_add(m->allow, sizeof(m->allow), "HEAD");
            continue;
        }
        if (!best || score > best_score) {
            best = rt;
            best_score = score;
        }
    }
    if (!best) {
        if (path_exists)
            return CUST_ROUTE_BAD_METHOD;
        m->allow[0] = '\0';
        return CUST_ROUTE_NOT_FOUND;
    }
    m->allow[0] = '\0';
    m->fn = best->fn;
    m->ctx = best->ctx;
    m->flags = best->flags;
    m->pattern = best->pattern;
    for (size_t k = 0; k < nseg; k++) {
        if (!best->is_param[k])
            continue;
        m->names[m->nparams] = best->seg[k];
        m->values[m->nparams] = segs[k];
        m->nparams++;
    }
    return CUST_ROUTE_FOUND;
}
