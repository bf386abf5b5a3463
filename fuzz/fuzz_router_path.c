/*
 * fuzz_router_path.c - request target, query, cookie and form parsing plus routing.
 *
 * Input: "TARGET\nCOOKIE-HEADER\nBODY" (missing parts are empty). Checks the parsers never
 * crash, and the invariants the server relies on: a split path starts with '/' and has no
 * "." / ".." / empty segments; every parsed pair is NUL-terminated and the pair cap holds;
 * route parameters are slices of the path.
 */
#include "custodian/compat.h"
#include "custodian/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static enum cust_status h(struct cust_http_request *req, struct cust_http_response *res, void *ctx)
{
    (void)req;
    (void)res;
    (void)ctx;
    return CUST_OK;
}

static struct cust_router *router(void)
{
    static struct cust_router *r;
    if (!r) {
        r = cust_router_new();
        CUST_ASSERT(cust_router_add(r, "GET", "/healthz", h, NULL, 0) == CUST_OK);
        CUST_ASSERT(cust_router_add(r, "GET", "/api/v1/requests", h, NULL, 0) == CUST_OK);
        CUST_ASSERT(cust_router_add(r, "POST", "/api/v1/requests", h, NULL, 0) == CUST_OK);
        CUST_ASSERT(cust_router_add(r, "GET", "/api/v1/requests/{id}", h, NULL, 0) == CUST_OK);
        CUST_ASSERT(cust_router_add(r, "POST", "/api/v1/requests/{id}/actions/{n}", h, NULL, 0) ==
                    CUST_OK);
        CUST_ASSERT(cust_router_add(r, "GET", "/locator/{name}", h, NULL, 0) == CUST_OK);
    }
    return r;
}

static void check_pairs(const struct cust_kv_list *l)
{
    CUST_ASSERT(l->len <= CUST_HTTP_MAX_PAIRS);
    for (size_t i = 0; i < l->len; i++) {
        CUST_ASSERT(l->items[i].key && l->items[i].value);
        (void)strlen(l->items[i].key);
        (void)strlen(l->items[i].value);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    const char *nl1 = memchr(s, '\n', size);
    size_t tlen = nl1 ? (size_t)(nl1 - s) : size;
    const char *cookie = nl1 ? nl1 + 1 : s + size;
    size_t rest = (size_t)(s + size - cookie);
    const char *nl2 = memchr(cookie, '\n', rest);
    size_t clen = nl2 ? (size_t)(nl2 - cookie) : rest;
    const char *body = nl2 ? nl2 + 1 : cookie + clen;
    size_t blen = (size_t)(s + size - body);

    struct cust_http_arena *a = cust_http_arena_new();
    struct cust_err err = CUST_ERR_INIT;
    char *path = NULL, *query = NULL;
    if (cust_http_split_target(a, s, tlen, &path, &query, &err) == CUST_OK) {
        CUST_ASSERT(path[0] == '/');
        CUST_ASSERT(!strstr(path, "//"));
        CUST_ASSERT(!strstr(path, "/../") && !strstr(path, "/./"));
        struct cust_route_match m;
        static const char *const methods[] = {"GET", "POST", "HEAD", "DELETE"};
        for (size_t i = 0; i < CUST_ARRAY_LEN(methods); i++) {
            if (cust_router_match(router(), methods[i], path, &m) == CUST_ROUTE_FOUND) {
                for (size_t k = 0; k < m.nparams; k++) {
                    CUST_ASSERT(m.values[k].p >= path &&
                                m.values[k].p + m.values[k].len <= path + strlen(path));
                    CUST_ASSERT(m.values[k].len > 0);
                }
            }
        }
        if (query) {
            struct cust_kv_list q = {0};
            if (cust_http_parse_query(a, query, strlen(query), &q, &err) == CUST_OK)
                check_pairs(&q);
        }
    }
    struct cust_kv_list c = {0};
    if (cust_http_parse_cookies(a, cookie, clen, &c, &err) == CUST_OK)
        check_pairs(&c);
    struct cust_kv_list f = {0};
    if (cust_http_parse_query(a, body, blen, &f, &err) == CUST_OK)
        check_pairs(&f);
    cust_http_arena_free(a);
    return 0;
}
