/* handler_system.c - GET /healthz and GET /api/v1/version. */
#include "custodian/compat.h"
#include "custodian/http.h"

static enum cust_status get_healthz(struct cust_http_request *req, struct cust_http_response *res,
                                    void *ctx)
{
    (void)req;
    (void)ctx;
    return cust_http_res_json_str(res, 200,
                                  "{\"status\":\"ok\",\"version\":\"" CUSTODIAN_VERSION "\"}\n");
}

static enum cust_status get_version(struct cust_http_request *req, struct cust_http_response *res,
                                    void *ctx)
{
    (void)req;
    (void)ctx;
    return cust_http_res_json_str(res, 200,
                                  "{\"name\":\"custodian\",\"version\":\"" CUSTODIAN_VERSION
                                  "\",\"api\":\"v1\"}\n");
}

enum cust_status cust_http_register_system(struct cust_router *r)
{
    enum cust_status st = cust_router_add(r, "GET", "/healthz", get_healthz, NULL, 0);
    if (st == CUST_OK)
        st = cust_router_add(r, "GET", "/api/v1/version", get_version, NULL, CUST_ROUTE_AUDITED);
    return st;
}
