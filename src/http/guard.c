/* guard.c - the staff guard: session cookie -> session -> role matrix -> CSRF. */
#include "custodian/compat.h"
#include "custodian/http.h"

#include <strings.h>

static bool safe_method(const char *m)
{
    return m && (strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0);
}

static const char *submitted_csrf(struct cust_http_request *req)
{
    const char *h = cust_http_req_header(req, CUST_CSRF_HEADER);
    if (h)
        return h;
    const char *ct = req->content_type;
    if (!ct || strncasecmp(ct, "application/x-www-form-urlencoded", 33) != 0)
        return NULL;
    struct cust_kv_list form = {0};
    if (cust_http_req_form(req, &form, NULL) != CUST_OK)
        return NULL;
    return cust_kv_get(&form, CUST_CSRF_FIELD);
}

enum cust_status cust_http_require(struct cust_http_request *req, struct cust_http_response *res,
                                   const struct cust_auth_backend *be, enum cust_action action,
                                   int64_t now, struct cust_session *out)
{
    struct cust_session s;
    struct cust_err err = CUST_ERR_INIT;
    const char *token = cust_kv_get(&req->cookies, CUST_SESSION_COOKIE);
    enum cust_status st = token ? cust_auth_session_check(be, token, now, &s, &err) : CUST_EDENIED;
    if (st == CUST_EDENIED) {
        (void)cust_http_res_error_raw(res, 401, "unauthenticated",
                                      token ? err.msg : "authentication required");
        return CUST_EDENIED;
    }
    if (st != CUST_OK) {
        (void)cust_http_res_error(res, st, err.msg);
        return st;
    }
    req->user = cust_http_arena_strndup(req->arena, s.user, strlen(s.user));
    if (out) /* also on a refusal below: the page that says so is the signed-in user's */
        *out = s;
    if (!cust_role_allows(s.role, action)) {
        char msg[224], who[96];
        const char *role = cust_role_name(s.role);
        cust_action_roles(action, who, sizeof(who));
        snprintf(msg, sizeof(msg), "role '%s' may not '%s' (%s may)", role ? role : "none",
                 cust_action_name(action) ? cust_action_name(action) : "?",
                 who[0] ? who : "no role");
        (void)cust_http_res_error(res, CUST_EDENIED, msg);
        return CUST_EDENIED;
    }
    if (!safe_method(req->method) && !cust_auth_csrf_ok(&s, submitted_csrf(req))) {
        (void)cust_http_res_error(res, CUST_EDENIED, "missing or wrong CSRF token");
        return CUST_EDENIED;
    }
    return CUST_OK;
}
