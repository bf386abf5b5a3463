/* Unit tests for src/http/router.c: patterns, params, precedence, 404/405 + Allow. */
#include "custodian/compat.h"
#include "custodian/http.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

static int tag_a, tag_b, tag_c, tag_d;

static enum cust_status h(struct cust_http_request *req, struct cust_http_response *res, void *ctx)
{
    (void)req;
    (void)res;
    (void)ctx;
    return CUST_OK;
}

static struct cust_router *make(void)
{
    struct cust_router *r = cust_router_new();
    assert_int_equal(cust_router_add(r, "GET", "/api/v1/requests", h, &tag_a, 0), CUST_OK);
    assert_int_equal(cust_router_add(r, "POST", "/api/v1/requests", h, &tag_b, 0), CUST_OK);
    assert_int_equal(cust_router_add(r, "GET", "/api/v1/requests/{id}", h, &tag_c, 0), CUST_OK);
    assert_int_equal(cust_router_add(r, "GET", "/api/v1/requests/new", h, &tag_d, 0), CUST_OK);
    assert_int_equal(cust_router_add(r, "POST", "/api/v1/requests/{id}/decide/{step}", h, &tag_a,
                                     CUST_ROUTE_AUDITED),
                     CUST_OK);
    assert_int_equal(cust_router_add(r, "GET", "/", h, &tag_b, 0), CUST_OK);
    return r;
}

static void test_literal_and_params(void **state)
{
    (void)state;
    struct cust_router *r = make();
    struct cust_route_match m;
    assert_int_equal(cust_router_match(r, "GET", "/api/v1/requests", &m), CUST_ROUTE_FOUND);
    assert_ptr_equal(m.ctx, &tag_a);
    assert_int_equal(m.nparams, 0);
    assert_int_equal(cust_router_match(r, "POST", "/api/v1/requests", &m), CUST_ROUTE_FOUND);
    assert_ptr_equal(m.ctx, &tag_b);
    assert_int_equal(cust_router_match(r, "GET", "/api/v1/requests/R-17", &m), CUST_ROUTE_FOUND);
    assert_ptr_equal(m.ctx, &tag_c);
    assert_int_equal(m.nparams, 1);
    assert_string_equal(m.names[0], "id");
    assert_int_equal(m.values[0].len, 4);
    assert_memory_equal(m.values[0].p, "R-17", 4);
    assert_string_equal(m.pattern, "/api/v1/requests/{id}");
    /* The literal wins over the parameter although registered later. */
    assert_int_equal(cust_router_match(r, "GET", "/api/v1/requests/new", &m), CUST_ROUTE_FOUND);
    assert_ptr_equal(m.ctx, &tag_d);
    assert_int_equal(cust_router_match(r, "POST", "/api/v1/requests/9/decide/2", &m),
                     CUST_ROUTE_FOUND);
    assert_int_equal(m.nparams, 2);
    assert_memory_equal(m.values[0].p, "9", 1);
    assert_memory_equal(m.values[1].p, "2", 1);
    assert_int_equal(m.flags, CUST_ROUTE_AUDITED);
    assert_int_equal(cust_router_match(r, "GET", "/", &m), CUST_ROUTE_FOUND);
    assert_ptr_equal(m.ctx, &tag_b);
    /* HEAD is served by GET routes. */
    assert_int_equal(cust_router_match(r, "HEAD", "/api/v1/requests/x", &m), CUST_ROUTE_FOUND);
    assert_ptr_equal(m.ctx, &tag_c);
    cust_router_free(r);
}

static void test_not_found_and_405(void **state)
{
    (void)state;
    struct cust_router *r = make();
    struct cust_route_match m;
    assert_int_equal(cust_router_match(r, "GET", "/api/v1/nothing", &m), CUST_ROUTE_NOT_FOUND);
    assert_int_equal(cust_router_match(r, "GET", "/api/v1/requests/", &m), CUST_ROUTE_NOT_FOUND);
    assert_int_equal(cust_router_match(r, "GET", "/api/v1//requests", &m), CUST_ROUTE_NOT_FOUND);
    assert_int_equal(cust_router_match(r, "GET", "/api/v1/requests/1/2", &m), CUST_ROUTE_NOT_FOUND);
    assert_int_equal(cust_router_match(r, "GET", "api/v1/requests", &m), CUST_ROUTE_NOT_FOUND);
    assert_int_equal(cust_router_match(r, "DELETE", "/api/v1/requests", &m), CUST_ROUTE_BAD_METHOD);
    assert_string_equal(m.allow, "GET, HEAD, POST");
    assert_int_equal(cust_router_match(r, "PUT", "/api/v1/requests/5", &m), CUST_ROUTE_BAD_METHOD);
    assert_string_equal(m.allow, "GET, HEAD");
    assert_int_equal(cust_router_match(r, "GET", "/api/v1/requests/5/decide/1", &m),
                     CUST_ROUTE_BAD_METHOD);
    assert_string_equal(m.allow, "POST");
    cust_router_free(r);
}

static void test_bad_patterns(void **state)
{
    (void)state;
    struct cust_router *r = cust_router_new();
    assert_int_equal(cust_router_add(r, "GET", "nope", h, NULL, 0), CUST_EINVAL);
    assert_int_equal(cust_router_add(r, "GET", "/a//b", h, NULL, 0), CUST_EINVAL);
    assert_int_equal(cust_router_add(r, "GET", "/a/", h, NULL, 0), CUST_EINVAL);
    assert_int_equal(cust_router_add(r, "GET", "/a/{}", h, NULL, 0), CUST_EINVAL);
    assert_int_equal(cust_router_add(r, "GET", "/a/{Id}", h, NULL, 0), CUST_EINVAL);
    assert_int_equal(cust_router_add(r, "GET", "/a/x{id}", h, NULL, 0), CUST_EINVAL);
    assert_int_equal(cust_router_add(r, "get", "/a", h, NULL, 0), CUST_EINVAL);
    assert_int_equal(cust_router_add(r, "HEAD", "/a", h, NULL, 0), CUST_EINVAL);
    assert_int_equal(cust_router_add(r, "GET", "/a", NULL, NULL, 0), CUST_EINVAL);
    assert_int_equal(cust_router_add(r, "GET", "/a/{id}", h, NULL, 0), CUST_OK);
    assert_int_equal(cust_router_add(r, "GET", "/a/{other}", h, NULL, 0), CUST_ECONFLICT);
    assert_int_equal(cust_router_add(r, "POST", "/a/{other}", h, NULL, 0), CUST_OK);
    assert_int_equal(cust_router_add(r, "GET", "/a/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}", h, NULL, 0),
                     CUST_OK);
    assert_int_equal(
        cust_router_add(r, "GET", "/a/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}/{i}", h, NULL, 0),
        CUST_EINVAL);
    cust_router_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_literal_and_params),
        cmocka_unit_test(test_not_found_and_405),
        cmocka_unit_test(test_bad_patterns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
