/* config.c - `custodian serve` settings: defaults, --listen parsing, INI file (libinih). */
#include "custodian/compat.h"
#include "custodian/http.h"

#include <errno.h>
#include <ini.h>
#include <strings.h>

void cust_http_config_defaults(struct cust_http_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    snprintf(cfg->listen_host, sizeof(cfg->listen_host), "127.0.0.1");
    cfg->port = 8080;
    cfg->threads = 4;
    cfg->body_limit = 1u << 20;
    cfg->header_limit = 8192;
    cfg->connection_limit = 256;
    cfg->per_ip_connection_limit = 64;
    cfg->timeout_s = 30;
    cfg->rate_per_s = 5;
    cfg->rate_burst = 20;
    cfg->rate_slots = 4096;
    cfg->shutdown_grace_ms = 10000;
    cfg->locator_hide_recent_hours = 2; /* the issue: bookings of the last 2 hours are hidden */
    cfg->locator_result_cap = 50;
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

struct ini_ctx {
    struct cust_http_config *cfg;
    struct cust_err *err;
    const char *path;
    char why[512];
    bool failed;
};

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

static int on_setting(void *user, const char *section, const char *name, const char *value)
{
    struct ini_ctx *c = user;
    struct cust_http_config *cfg = c->cfg;
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
    if (why) {
        if (!c->failed)
            snprintf(c->why, sizeof(c->why), "[%s] %s: %s", section, name, why);
        c->failed = true;
        return 0;
    }
    return 1;
}

enum cust_status cust_http_config_load(struct cust_http_config *cfg, const char *path,
                                       struct cust_err *err)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return cust_err_set(err, CUST_EIO, "cannot open config '%s': %s", path, strerror(errno));
    struct ini_ctx c = {cfg, err, path, "", false};
    /* inih returns the line of the first error (a handler refusal or a syntax error). */
    int rc = ini_parse_file(f, on_setting, &c);
    fclose(f);
    if (c.failed)
        return cust_err_set(err, CUST_EINVAL, "%s:%d: %s", path, rc, c.why);
    if (rc != 0)
        return cust_err_set(err, CUST_EINVAL, "%s:%d: syntax error", path, rc);
    return CUST_OK;
}
