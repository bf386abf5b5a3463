/* config.c - `custodian serve` settings: defaults, --listen parsing, INI file (libinih). */
#include "custodian/compat.h"
#include "custodian/config.h"
#include "custodian/http.h"

#include <errno.h>
#include <strings.h>

void cust_http_config_defaults(struct cust_http_config *cfg)
{
    /* the defaults are the configuration's (config.h): one table */
    memset(cfg, 0, sizeof(*cfg));
    struct cust_config *c = cust_config_new();
    enum cust_status st = cust_http_config_apply(cfg, c, NULL);
    cust_config_free(c);
    CUST_ASSERT(st == CUST_OK);
}

enum cust_status cust_http_config_listen(struct cust_http_config *cfg, const char *addr,
                                         struct cust_err *err)
{
    const char *host = addr, *colon;
    size_t hlen;
    if (addr[0] == '[') {
        const char *close = strchr(addr, ']');
        if (!close || close[1] != ':')
            return cust_err_set(err, CUST_EINVAL, "listen address '%s': expected [ADDR]:PORT",
                                addr);
        host = addr + 1;
        hlen = (size_t)(close - host);
        colon = close + 1;
    } else {
        colon = strrchr(addr, ':');
        if (!colon)
            return cust_err_set(err, CUST_EINVAL, "listen address '%s': expected ADDR:PORT", addr);
        hlen = (size_t)(colon - addr);
    }
    if (hlen == 0 || hlen >= sizeof(cfg->listen_host))
        return cust_err_set(err, CUST_EINVAL, "listen address '%s': bad host", addr);
    char *end;
    errno = 0;
    unsigned long port = strtoul(colon + 1, &end, 10);
    if (errno || end == colon + 1 || *end || port > 65535)
        return cust_err_set(err, CUST_EINVAL, "listen address '%s': bad port", addr);
    memcpy(cfg->listen_host, host, hlen);
    cfg->listen_host[hlen] = '\0';
    cfg->port = (uint16_t)port;
    return CUST_OK;
}

static bool parse_u64(const char *v, unsigned long long max, unsigned long long *out)
{
    char *end;
    errno = 0;
    if (*v == '-' || !*v)
        return false;
    unsigned long long n = strtoull(v, &end, 10);
    if (errno || *end || n > max)
        return false;
    *out = n;
    return true;
}

static bool parse_double(const char *v, double *out)
{
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    if (errno || end == v || *end || !(d >= 0) || d > 1e9)
        return false;
    *out = d;
    return true;
}

/* One setting; NULL when it is good, else why not. */
static const char *set_one(struct cust_http_config *cfg, const char *section, const char *name,
                           const char *value)
{
    unsigned long long n = 0;
    double d = 0;
    const char *why = NULL;
#define IS(s, k) (strcmp(section, s) == 0 && strcmp(name, k) == 0)
    if (IS("server", "listen")) {
        struct cust_err e2;
        if (cust_http_config_listen(cfg, value, &e2))
            why = "expected ADDR:PORT";
    } else if (IS("server", "threads")) {
        if (parse_u64(value, 256, &n) && n > 0)
            cfg->threads = (unsigned)n;
        else
            why = "expected 1..256";
    } else if (IS("server", "body_limit")) {
        if (parse_u64(value, 1ull << 30, &n) && n > 0)
            cfg->body_limit = (size_t)n;
        else
            why = "expected bytes, 1..1073741824";
    } else if (IS("server", "header_limit")) {
        if (parse_u64(value, 1u << 20, &n) && n >= 1024)
            cfg->header_limit = (size_t)n;
        else
            why = "expected bytes, 1024..1048576";
    } else if (IS("server", "connections")) {
        if (parse_u64(value, 100000, &n) && n > 0)
            cfg->connection_limit = (unsigned)n;
        else
            why = "expected 1..100000";
    } else if (IS("server", "per_ip_connections")) {
        if (parse_u64(value, 100000, &n))
            cfg->per_ip_connection_limit = (unsigned)n;
        else
            why = "expected 0..100000";
    } else if (IS("server", "header_timeout")) {
        if (parse_u64(value, 3600, &n))
            cfg->header_timeout_s = (unsigned)n;
        else
            why = "expected seconds, 0..3600";
    } else if (IS("server", "timeout")) {
        if (parse_u64(value, 3600, &n))
            cfg->timeout_s = (unsigned)n;
        else
            why = "expected seconds, 0..3600";
    } else if (IS("server", "shutdown_grace_ms")) {
        if (parse_u64(value, 600000, &n))
            cfg->shutdown_grace_ms = (unsigned)n;
        else
            why = "expected milliseconds, 0..600000";
    } else if (IS("locator", "cache_ttl")) {
        if (parse_u64(value, 3600, &n))
            cfg->locator_cache_ttl_s = (unsigned)n;
        else
            why = "expected seconds, 0..3600";
    } else if (IS("server", "access_log")) {
        if (strlen(value) < sizeof(cfg->access_log))
            snprintf(cfg->access_log, sizeof(cfg->access_log), "%s", value);
        else
            why = "path too long";
    } else if (IS("server", "tls")) {
        if (strcmp(value, "true") == 0 || strcmp(value, "false") == 0)
            cfg->tls = strcmp(value, "true") == 0;
        else
            why = "expected true or false";
    } else if (IS("server", "public_url")) {
        /* behind a TLS proxy the server speaks plain HTTP, yet users reach it over https:
         * cookies must be Secure and HSTS sent all the same (issue 12) */
        if (!*value || strncmp(value, "http://", 7) == 0)
            cfg->public_https = false;
        else if (strncmp(value, "https://", 8) == 0 && value[8] && !strpbrk(value, " \t\r\n"))
            cfg->public_https = true;
        else
            why = "expected an https:// (or http://) URL";
    } else if (IS("server", "publish_to")) {
        if (strlen(value) < sizeof(cfg->publish_to))
            snprintf(cfg->publish_to, sizeof(cfg->publish_to), "%s", value);
        else
            why = "path too long";
    } else if (IS("server", "publish_every")) {
        if (parse_u64(value, 86400, &n))
            cfg->publish_every_s = (unsigned)n;
        else
            why = "expected seconds, 0..86400";
    } else if (IS("server", "trusted_proxies")) {
        static _Thread_local char msg[CUST_ERR_MSG_MAX];
        struct cust_err e = CUST_ERR_INIT;
        if (cust_http_nets_parse(value, cfg->trusted, CUST_HTTP_MAX_PROXIES, &cfg->ntrusted, &e)) {
            snprintf(msg, sizeof(msg), "%s", e.msg);
            why = msg;
        }
    } else if (IS("ratelimit", "rate")) {
        if (parse_double(value, &d) && d > 0)
            cfg->rate_per_s = d;
        else
            why = "expected tokens per second > 0";
    } else if (IS("ratelimit", "burst")) {
        if (parse_double(value, &d) && d >= 1)
            cfg->rate_burst = d;
        else
            why = "expected >= 1";
    } else if (IS("ratelimit", "slots")) {
        if (parse_u64(value, 1u << 24, &n) && n >= 8)
            cfg->rate_slots = (size_t)n;
        else
            why = "expected 8..16777216";
    } else if (IS("locator", "hide_recent_hours")) {
        if (parse_u64(value, 24 * 365, &n))
            cfg->locator_hide_recent_hours = (unsigned)n;
        else
            why = "expected hours, 0..8760";
    } else if (IS("locator", "result_cap")) {
        if (parse_u64(value, 10000, &n) && n > 0)
            cfg->locator_result_cap = (unsigned)n;
        else
            why = "expected 1..10000";
    } else {
        why = "unknown setting";
    }
#undef IS
    return why;
}

enum cust_status cust_http_config_apply(struct cust_http_config *cfg, const struct cust_config *c,
                                        struct cust_err *err)
{
    static const char *const sections[] = {"server", "ratelimit", "locator"};
    for (int k = 0; k < CUST_CFG_COUNT; k++) {
        const char *section = cust_config_section((enum cust_config_key)k);
        bool ours = false;
        for (size_t i = 0; i < CUST_ARRAY_LEN(sections); i++)
            ours |= strcmp(section, sections[i]) == 0;
        if (!ours)
            continue;
        const char *name = cust_config_name((enum cust_config_key)k);
        const char *why = set_one(cfg, section, name, cust_config_get(c, (enum cust_config_key)k));
        if (why)
            return cust_err_set(err, CUST_EINVAL, "%s: [%s] %s: %s",
                                cust_config_source(c, (enum cust_config_key)k), section, name, why);
    }
    return CUST_OK;
}

enum cust_status cust_http_config_load(struct cust_http_config *cfg, const char *path,
                                       struct cust_err *err)
{
    struct cust_config *c = cust_config_new();
    enum cust_status st = cust_config_load_file(c, path, err);
    /* only what the file sets: the rest of `cfg` stays as it is */
    for (int k = 0; st == CUST_OK && k < CUST_CFG_COUNT; k++) {
        enum cust_config_key key = (enum cust_config_key)k;
        const char *section = cust_config_section(key);
        if (cust_config_is_default(c, key) ||
            (strcmp(section, "server") && strcmp(section, "ratelimit") &&
             strcmp(section, "locator")))
            continue;
        const char *why = set_one(cfg, section, cust_config_name(key), cust_config_get(c, key));
        if (why)
            st = cust_err_set(err, CUST_EINVAL, "%s: [%s] %s: %s", cust_config_source(c, key),
                              section, cust_config_name(key), why);
    }
    cust_config_free(c);
    return st;
}
