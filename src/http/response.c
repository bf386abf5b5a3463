/* response.c - response helpers, the ONE status -> HTTP error table, request body helpers. */
#include "custodian/compat.h"
#include "custodian/http.h"

#include <sodium.h>

/* ---- the error table ------------------------------------------------------------------------ */

static const struct {
    enum cust_status code;
    int http;
    const char *name; /* stable JSON code */
} error_table[] = {
    {CUST_OK, 200, "ok"},
    {CUST_ENOMEM, 503, "out_of_memory"},
    {CUST_EINVAL, 400, "invalid"},
    {CUST_ENOTFOUND, 404, "not_found"},
    {CUST_ECONFLICT, 409, "conflict"},
    {CUST_EDENIED, 403, "denied"},
    {CUST_ETOOBIG, 413, "too_big"},
    {CUST_EDB, 500, "storage"},
    {CUST_EIO, 500, "io"},
    {CUST_EINTEGRITY, 500, "integrity"},
};

int cust_http_status_for(enum cust_status code)
{
    for (size_t i = 0; i < CUST_ARRAY_LEN(error_table); i++)
        if (error_table[i].code == code)
            return error_table[i].http;
    return 500;
}

const char *cust_http_code_for(enum cust_status code)
{
    for (size_t i = 0; i < CUST_ARRAY_LEN(error_table); i++)
        if (error_table[i].code == code)
            return error_table[i].name;
    return "internal";
}

static const char *generic_message(int status)
{
    switch (status) {
    case 400:
        return "invalid request";
    case 401:
        return "authentication required";
    case 403:
        return "access denied";
    case 404:
        return "no such resource";
    case 405:
        return "method not allowed";
    case 409:
        return "conflict";
    case 413:
        return "request body too large";
    case 429:
        return "too many requests";
    case 431:
        return "request headers too large";
    case 503:
        return "service unavailable";
    default:
        return "internal error";
    }
}

/* ---- responses ------------------------------------------------------------------------------ */

void cust_http_res_init(struct cust_http_response *res)
{
    memset(res, 0, sizeof(*res));
    res->body = (struct cust_buf)CUST_BUF_INIT;
}

void cust_http_res_problem(struct cust_http_response *res, const char *why)
{
    free(res->problem);
    res->problem = why && *why ? cust_xstrdup(why) : NULL;
}

void cust_http_res_release(struct cust_http_response *res)
{
    free(res->problem);
    res->problem = NULL;
    cust_buf_release(&res->body);
    for (size_t i = 0; i < res->nheaders; i++) {
        free(res->headers[i].name);
        free(res->headers[i].value);
    }
    res->nheaders = 0;
}

enum cust_status cust_http_res_header(struct cust_http_response *res, const char *name,
                                      const char *value)
{
    if (res->nheaders == CUST_HTTP_MAX_HEADERS)
        return CUST_ETOOBIG;
    for (const char *p = value; *p; p++)
        if (*p == '\r' || *p == '\n')
            return CUST_EINVAL; /* no header injection */
    res->headers[res->nheaders].name = cust_xstrdup(name);
    res->headers[res->nheaders].value = cust_xstrdup(value);
    res->nheaders++;
    return CUST_OK;
}

static enum cust_status set_body(struct cust_http_response *res, int status, const char *ctype,
                                 const char *s)
{
    cust_buf_reset(&res->body);
    res->status = status;
    res->content_type = ctype;
    return cust_buf_puts(&res->body, s);
}

enum cust_status cust_http_res_json(struct cust_http_response *res, int status, const json_t *v)
{
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_ENCODE_ANY);
    if (!s)
        return CUST_ENOMEM;
    enum cust_status st = set_body(res, status, "application/json", s);
    free(s);
    if (st == CUST_OK)
        st = cust_buf_putc(&res->body, '\n');
    return st;
}

enum cust_status cust_http_res_json_str(struct cust_http_response *res, int status,
                                        const char *json)
{
    return set_body(res, status, "application/json", json);
}

enum cust_status cust_http_res_html(struct cust_http_response *res, int status, const char *html)
{
    return set_body(res, status, "text/html; charset=utf-8", html);
}

void cust_http_incident(struct cust_http_response *res, const char *detail, char id[17])
{
    uint8_t raw[8];
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2hex(id, 17, raw, sizeof(raw));
    struct cust_buf why = CUST_BUF_INIT;
    cust_buf_appendf(&why, "incident %s: %s", id, detail && *detail ? detail : "(no detail)");
    cust_http_res_problem(res, why.buf);
    cust_buf_release(&why);
}

enum cust_status cust_http_res_error_raw(struct cust_http_response *res, int status,
                                         const char *code, const char *message)
{
    if (status == 503)
        cust_http_res_problem(res, message);
    if (status >= 500 && status != 503) {
        char id[17], text[64];
        cust_http_incident(res, message, id);
        memcpy(res->incident, id, sizeof(id));
        snprintf(text, sizeof(text), "internal error (incident %s)", id);
        json_t *o = json_pack("{s:{s:s,s:s,s:i,s:s}}", "error", "code", code, "message", text,
                              "status", status, "incident", id);
        enum cust_status st = o ? cust_http_res_json(res, status, o) : CUST_ENOMEM;
        json_decref(o);
        return st;
    }
    json_t *o =
        json_pack("{s:{s:s,s:s,s:i}}", "error", "code", code, "message",
                  message && *message ? message : generic_message(status), "status", status);
    if (!o)
        return CUST_ENOMEM;
    enum cust_status st = cust_http_res_json(res, status, o);
    json_decref(o);
    return st;
}

static const char *page_title(int status)
{
    switch (status) {
    case 400:
        return "Invalid request";
    case 401:
        return "Sign-in required";
    case 403:
        return "Access denied";
    case 404:
        return "Page not found";
    case 405:
        return "Method not allowed";
    case 413:
        return "Request too large";
    case 429:
        return "Too many requests";
    case 431:
        return "Request headers too large";
    case 503:
        return "Service unavailable";
    default:
        return "Something went wrong";
    }
}

static const char *page_advice(int status)
{
    switch (status) {
    case 404:
        return "There is no page at this address.";
    case 429:
        return "You have made many requests in a short time. Please wait a moment and try again.";
    case 400:
        return "The request could not be understood.";
    case 405:
        return "This page cannot be used that way.";
    default:
        return "The request could not be completed.";
    }
}

enum cust_status cust_http_res_error_page(struct cust_http_response *res, int status,
                                          const char *detail)
{
    /* Constant text only (chosen by the status): nothing from the request can reach the page. */
    cust_buf_reset(&res->body);
    res->status = status;
    res->content_type = "text/html; charset=utf-8";
    char advice[96];
    snprintf(advice, sizeof(advice), "%s", page_advice(status));
    if (status >= 500 && status != 503) {
        cust_http_incident(res, detail, res->incident);
        snprintf(advice, sizeof(advice), "Something went wrong (incident %s).", res->incident);
    }
    return cust_buf_appendf(
        &res->body,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<title>%s - Custodian</title>\n"
        "<link rel=\"stylesheet\" href=\"/static/uswds/css/uswds.min.css\">\n</head>\n<body>\n"
        "<main id=\"main-content\" class=\"usa-section\">\n<div class=\"grid-container\">\n"
        "<h1>%s</h1>\n<p class=\"usa-intro\">%s</p>\n<p>Error %d.</p>\n"
        "<p><a class=\"usa-link\" href=\"/locator\">Go to the inmate locator</a></p>\n"
        "</div>\n</main>\n</body>\n</html>\n",
        page_title(status), page_title(status), advice, status);
}

bool cust_http_wants_html(const char *path, const char *accept)
{
    if (!path || strncmp(path, "/api/", 5) == 0 || strcmp(path, "/api") == 0)
        return false;
    return accept && strstr(accept, "text/html") != NULL;
}

enum cust_status cust_http_res_error(struct cust_http_response *res, enum cust_status code,
                                     const char *message)
{
    return cust_http_res_error_raw(res, cust_http_status_for(code), cust_http_code_for(code),
                                   message);
}

static bool cookie_token(const char *s)
{
    if (!*s)
        return false;
    for (const char *p = s; *p; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.'))
            return false;
    }
    return true;
}

enum cust_status cust_http_res_cookie(struct cust_http_response *res, const char *name,
                                      const char *value, long max_age, bool secure)
{
    if (!cookie_token(name) || (*value && !cookie_token(value)))
        return CUST_EINVAL;
    char line[512];
    char age[32] = "";
    if (max_age >= 0)
        snprintf(age, sizeof(age), "; Max-Age=%ld", max_age);
    int n = snprintf(line, sizeof(line), "%s=%s; Path=/; HttpOnly; SameSite=Strict%s%s", name,
                     value, secure ? "; Secure" : "", age);
    if (n < 0 || (size_t)n >= sizeof(line))
        return CUST_ETOOBIG;
    return cust_http_res_header(res, "Set-Cookie", line);
}

/* ---- request helpers ------------------------------------------------------------------------ */

const char *cust_http_req_param(const struct cust_http_request *req, const char *name)
{
    return cust_kv_get(&req->params, name);
}

json_t *cust_http_req_json(const struct cust_http_request *req, struct cust_err *err)
{
    if (req->body.len == 0) {
        cust_err_set(err, CUST_EINVAL, "body: expected a JSON document");
        return NULL;
    }
    json_error_t jerr;
    json_t *v = json_loadb(req->body.buf, req->body.len, JSON_REJECT_DUPLICATES, &jerr);
    if (!v)
        cust_err_set(err, CUST_EINVAL, "body: line %d column %d: %s", jerr.line, jerr.column,
                     jerr.text);
    return v;
}

enum cust_status cust_http_req_form(struct cust_http_request *req, struct cust_kv_list *out,
                                    struct cust_err *err)
{
    return cust_http_parse_query(req->arena, req->body.buf, req->body.len, out, err);
}
