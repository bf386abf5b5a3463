/*
 * static.c - the U.S. Web Design System's built assets (@uswds/uswds dist: css, js, img,
 * fonts), installed by the build from npm and served read-only under /static/uswds/.
 *
 * Every path segment must be a plain file name (letters, digits, '.', '-', '_', no leading
 * dot), the top folder one of four, so nothing outside the assets folder can be named.
 */
#include "custodian/compat.h"
#include "web_internal.h"

#include <errno.h>

static bool plain_name(const char *s)
{
    if (!s || !*s || *s == '.' || strlen(s) > 128)
        return false;
    for (const char *p = s; *p; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || c == '_'))
            return false;
    }
    return true;
}

static const char *content_type_for(const char *file)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        {".css", "text/css; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
        {".woff2", "font/woff2"},
        {".woff", "font/woff"},
        {".ttf", "font/ttf"},
        {".map", "application/json"},
    };
    size_t n = strlen(file);
    for (size_t i = 0; i < CUST_ARRAY_LEN(types); i++) {
        size_t e = strlen(types[i].ext);
        if (n > e && strcmp(file + n - e, types[i].ext) == 0)
            return types[i].type;
    }
    return NULL;
}

enum cust_status web_static(struct cust_http_request *req, struct cust_http_response *res,
                            void *ctx)
{
    struct cust_web *w = ctx;
    const char *dir = cust_http_req_param(req, "dir");
    const char *sub = cust_http_req_param(req, "sub");
    const char *file = cust_http_req_param(req, "file");
    const char *type = file ? content_type_for(file) : NULL;
    bool dir_ok = dir && (strcmp(dir, "css") == 0 || strcmp(dir, "js") == 0 ||
                          strcmp(dir, "img") == 0 || strcmp(dir, "fonts") == 0);
    if (!dir_ok || !plain_name(file) || (sub && !plain_name(sub)) || !type)
        return cust_http_res_error(res, CUST_ENOTFOUND, "no such asset");
    char path[4096];
    int n = sub ? snprintf(path, sizeof(path), "%s/%s/%s/%s", w->cfg.assets_dir, dir, sub, file)
                : snprintf(path, sizeof(path), "%s/%s/%s", w->cfg.assets_dir, dir, file);
    if (n < 0 || (size_t)n >= sizeof(path))
        return cust_http_res_error(res, CUST_ENOTFOUND, "no such asset");
    FILE *f = fopen(path, "rb");
    if (!f)
        return cust_http_res_error(res, CUST_ENOTFOUND, "no such asset");
    cust_buf_reset(&res->body);
    enum cust_status st = cust_buf_read(&res->body, f);
    fclose(f);
    if (st != CUST_OK) {
        cust_buf_reset(&res->body);
        return cust_http_res_error_raw(res, 500, "internal", "cannot read asset");
    }
    res->status = 200;
    res->content_type = type;
    return cust_http_res_header(res, "Cache-Control", "public, max-age=3600");
}
