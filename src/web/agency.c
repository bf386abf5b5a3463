/*
 * agency.c - the agency as the public pages name it: name, address, phone, e-mail, website,
 * seal, visiting and bail information, read once from the configuration's [county] keys
 * (docs/internals/config.md), checked when the server starts, and given to every page's layout
 * (layout.html: title, header, footer, the official-site banner) and to the locator.
 *
 * GET /seal answers the seal image (public; 404 when none is configured).
 */
#include "custodian/compat.h"
#include "custodian/config.h"
#include "web_internal.h"

#include <jansson.h>
#include <strings.h>
#include <errno.h>

#define SEAL_MAX_BYTES (1024 * 1024)

/* The seal's content type by its file name, or NULL. */
static const char *seal_type(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (!dot)
        return NULL;
    if (strcasecmp(dot, ".png") == 0)
        return "image/png";
    if (strcasecmp(dot, ".svg") == 0)
        return "image/svg+xml";
    if (strcasecmp(dot, ".jpg") == 0 || strcasecmp(dot, ".jpeg") == 0)
        return "image/jpeg";
    return NULL;
}

static enum cust_status load_seal(struct cust_web *w, const struct cust_config *cfg,
                                  struct cust_err *err)
{
    const char *path = cust_config_get(cfg, CUST_CFG_AGENCY_SEAL);
    const char *src = cust_config_source(cfg, CUST_CFG_AGENCY_SEAL);
    if (!*path)
        return CUST_OK;
    const char *type = seal_type(path);
    if (!type)
        return cust_err_set(err, CUST_EINVAL,
                            "county.agency_seal (%s): '%s' is not a .png, .svg or .jpg file", src,
                            path);
    FILE *f = fopen(path, "rb");
    if (!f)
        return cust_err_set(err, CUST_EINVAL, "county.agency_seal (%s): cannot read '%s': %s", src,
                            path, strerror(errno));
    struct cust_buf b;
    cust_buf_init(&b, SEAL_MAX_BYTES);
    enum cust_status st = cust_buf_read(&b, f);
    fclose(f);
    if (st == CUST_OK && b.len == 0)
        st = CUST_EIO;
    if (st != CUST_OK) {
        cust_buf_release(&b);
        return cust_err_set(err, st == CUST_ENOMEM ? st : CUST_EINVAL,
                            "county.agency_seal (%s): '%s' is %s", src, path,
                            st == CUST_ETOOBIG ? "larger than 1 MiB" : "empty or unreadable");
    }
    w->seal = b;
    w->seal_type = type;
    return CUST_OK;
}

/* The website: https:// or http:// and a host; a host under .gov shows the official-site
 * banner (the U.S. Web Design System's banner pattern). */
static enum cust_status check_website(const struct cust_config *cfg, bool *gov,
                                      struct cust_err *err)
{
    const char *url = cust_config_get(cfg, CUST_CFG_AGENCY_WEBSITE);
    *gov = false;
    if (!*url)
        return CUST_OK;
    const char *host = strncmp(url, "https://", 8) == 0  ? url + 8
                       : strncmp(url, "http://", 7) == 0 ? url + 7
                                                         : NULL;
    size_t n = host ? strcspn(host, "/?#:") : 0;
    bool ok = n > 0;
    for (size_t i = 0; ok && i < n; i++) {
        char c = host[i];
        ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '-' || c == '.';
    }
    for (const char *p = url; ok && *p; p++)
        ok = (unsigned char)*p > 0x20 && *p != '"' && *p != '<' && *p != '>' && *p != 0x7f;
    if (!ok)
        return cust_err_set(
            err, CUST_EINVAL,
            "county.agency_website (%s): '%s' is not an https:// or http:// address",
            cust_config_source(cfg, CUST_CFG_AGENCY_WEBSITE), url);
    *gov = n > 4 && strncasecmp(host + n - 4, ".gov", 4) == 0;
    return CUST_OK;
}

/* Digits of a phone number for its tel: link ("(555) 010-0100" -> "+5550100100" keeps a
 * leading +); "" when it has fewer than 3 digits. */
static void tel_of(const char *phone, char out[40])
{
    size_t o = 0;
    for (const char *p = phone; *p && o + 1 < 40; p++)
        if ((*p >= '0' && *p <= '9') || (*p == '+' && o == 0))
            out[o++] = *p;
    out[o] = '\0';
    if (o < 3)
        out[0] = '\0';
}

enum cust_status web_agency_load(struct cust_web *w, const struct cust_config *cfg,
                                 struct cust_err *err)
{
    bool gov;
    enum cust_status st = check_website(cfg, &gov, err);
    st = st ? st : load_seal(w, cfg, err);
    if (st != CUST_OK)
        return st;
    const char *phone = cust_config_get(cfg, CUST_CFG_AGENCY_PHONE);
    char tel[40];
    tel_of(phone, tel);
    json_t *a = json_object();
    static const struct {
        const char *name;
        enum cust_config_key key;
    } text[] = {
        {"name", CUST_CFG_AGENCY_NAME},       {"address", CUST_CFG_AGENCY_ADDRESS},
        {"phone", CUST_CFG_AGENCY_PHONE},     {"email", CUST_CFG_AGENCY_EMAIL},
        {"website", CUST_CFG_AGENCY_WEBSITE}, {"visiting", CUST_CFG_VISITING},
        {"bail_info", CUST_CFG_BAIL_INFO},
    };
    for (size_t i = 0; i < CUST_ARRAY_LEN(text); i++) {
        const char *v = cust_config_get(cfg, text[i].key);
        if (*v) /* absent keys are absent: {{#agency.phone}} sections stay empty */
            json_object_set_new(a, text[i].name, json_string(v));
    }
    if (tel[0])
        json_object_set_new(a, "tel", json_string(tel));
    json_object_set_new(a, "info",
                        json_boolean(*cust_config_get(cfg, CUST_CFG_VISITING) ||
                                     *cust_config_get(cfg, CUST_CFG_BAIL_INFO)));
    json_object_set_new(a, "gov", json_boolean(gov));
    json_object_set_new(a, "seal", json_boolean(w->seal.len > 0));
    w->agency = a;
    return CUST_OK;
}

enum cust_status web_seal(struct cust_http_request *req, struct cust_http_response *res, void *ctx)
{
    (void)req;
    const struct cust_web *w = ctx;
    if (!w->seal.len)
        return cust_http_res_error(res, CUST_ENOTFOUND, "no seal is configured");
    cust_buf_reset(&res->body);
    if (cust_buf_append(&res->body, w->seal.buf, w->seal.len) != CUST_OK)
        return CUST_ENOMEM;
    res->status = 200;
    res->content_type = w->seal_type;
    return cust_http_res_header(res, "Cache-Control", "public, max-age=3600");
}
