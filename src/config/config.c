/* config.c - the one configuration: defaults, file, environment, options (config.h). */
#include "custodian/compat.h"
#include "custodian/config.h"
#include "custodian/datadir.h"
#include "custodian/date.h"

#include <errno.h>
#include <ini.h>
#include <jansson.h>

/* Where a value is a path, relative paths in the file are relative to the file's folder. */
#define K_PATH 1u
/* A paragraph of text: it may continue on indented lines (inih's continuation lines), joined
 * with a space, since inih reads at most INI_MAX_LINE bytes a line. */
#define K_TEXT 2u

struct key_def {
    const char *section, *name;
    const char *env;    /* environment variable, or NULL */
    const char *dflt;   /* default; a relative path for K_PATH keys is under the data dir */
    bool data_relative; /* dflt is relative to cust_config_data_dir() */
    unsigned flags;
    const char *help;
};

static const struct key_def keys[CUST_CFG_COUNT] = {
    [CUST_CFG_STORE_PATH] = {"store", "path", "CUSTODIAN_DB", "custodian.db", false, K_PATH,
                             "the store (SQLite file)"},
    [CUST_CFG_KEY_FILE] = {"store", "key_file", "CUSTODIAN_KEY_FILE", "", false, K_PATH,
                           "the server key sealing TOTP secrets (default: the store's path + "
                           ".key)"},
    [CUST_CFG_JURISDICTION] = {"county", "jurisdiction", "CUSTODIAN_JURISDICTION", "us-ca", false,
                               0, "the policy cases are decided under (us-ca, us-tx, us-fl, ...)"},
    [CUST_CFG_AGENCY_NAME] = {"county", "agency_name", "CUSTODIAN_AGENCY_NAME",
                              "Sheriff's Department", false, 0, "the jail's agency, on notices"},
    [CUST_CFG_CALENDAR] = {"county", "calendar", "CUSTODIAN_CALENDAR",
                           "policies/calendars/us-federal-holidays.csv", true, K_PATH,
                           "the holiday calendar deadlines count business days by"},
    [CUST_CFG_TIMEZONE] = {"county", "timezone", "CUSTODIAN_TIMEZONE", "UTC", false, 0,
                           "the county's IANA time zone: what \"today\" is"},
    [CUST_CFG_AGENCY_ADDRESS] = {"county", "agency_address", "CUSTODIAN_AGENCY_ADDRESS", "", false,
                                 K_TEXT, "the agency's mailing address (the locator, notices)"},
    [CUST_CFG_AGENCY_PHONE] = {"county", "agency_phone", "CUSTODIAN_AGENCY_PHONE", "", false, 0,
                               "the agency's public phone number (the locator, notices)"},
    [CUST_CFG_AGENCY_EMAIL] = {"county", "agency_email", "CUSTODIAN_AGENCY_EMAIL", "", false, 0,
                               "the agency's public contact e-mail (the locator, notices)"},
    [CUST_CFG_AGENCY_WEBSITE] = {"county", "agency_website", "CUSTODIAN_AGENCY_WEBSITE", "", false,
                                 0,
                                 "the agency's website (https://...; a .gov host shows the"
                                 " official-site banner)"},
    [CUST_CFG_AGENCY_SEAL] =
        {"county", "agency_seal", "CUSTODIAN_AGENCY_SEAL", "", false, K_PATH,
         "the agency's seal or badge (PNG, SVG or JPEG), shown on the locator"},
    [CUST_CFG_VISITING] = {"county", "visiting", "CUSTODIAN_VISITING", "", false, K_TEXT,
                           "how to visit a person in custody (one paragraph, the locator)"},
    [CUST_CFG_BAIL_INFO] = {"county", "bail_info", "CUSTODIAN_BAIL_INFO", "", false, K_TEXT,
                            "how to post bail (one paragraph, the locator)"},
    [CUST_CFG_POLICIES] = {"paths", "policies", "CUSTODIAN_POLICIES", "policies", true, K_PATH,
                           "the policy directory (the law as data)"},
    [CUST_CFG_NOTICE_TEMPLATES] = {"paths", "notice_templates", "CUSTODIAN_NOTICE_TEMPLATES",
                                   "templates/notices", true, K_PATH,
                                   "notice templates, a folder per language"},
    [CUST_CFG_WEB_TEMPLATES] = {"paths", "web_templates", "CUSTODIAN_WEB_TEMPLATES",
                                "web/templates", true, K_PATH,
                                "console and locator page templates"},
    [CUST_CFG_ASSETS] = {"paths", "assets", "CUSTODIAN_ASSETS", "node_modules/@uswds/uswds/dist",
                         true, K_PATH, "the @uswds/uswds dist folder served under /static/uswds/"},
    [CUST_CFG_USER] = {"cli", "user", "CUSTODIAN_USER", "cli", false, 0,
                       "who acts, for the ledger (else $USER)"},
    [CUST_CFG_SERVER_LISTEN] = {"server", "listen", NULL, "127.0.0.1:8080", false, 0,
                                "where to listen (ADDR:PORT, [V6]:PORT)"},
    [CUST_CFG_SERVER_THREADS] = {"server", "threads", NULL, "4", false, 0, "worker threads"},
    [CUST_CFG_SERVER_BODY_LIMIT] = {"server", "body_limit", NULL, "1048576", false, 0,
                                    "largest request body (bytes)"},
    [CUST_CFG_SERVER_HEADER_LIMIT] = {"server", "header_limit", NULL, "8192", false, 0,
                                      "largest request line and headers (bytes)"},
    [CUST_CFG_SERVER_CONNECTIONS] = {"server", "connections", NULL, "256", false, 0,
                                     "open connections at most"},
    [CUST_CFG_SERVER_PER_IP_CONNECTIONS] = {"server", "per_ip_connections", NULL, "64", false, 0,
                                            "open connections per client address at most"},
    [CUST_CFG_SERVER_HEADER_TIMEOUT] = {"server", "header_timeout", NULL, "10", false, 0,
                                        "seconds a request's line and headers may take in all"
                                        " (from the connection or the previous answer; 0: no"
                                        " limit)"},
    [CUST_CFG_SERVER_TIMEOUT] = {"server", "timeout", NULL, "30", false, 0,
                                 "idle connection timeout (seconds)"},
    [CUST_CFG_SERVER_SHUTDOWN_GRACE_MS] = {"server", "shutdown_grace_ms", NULL, "10000", false, 0,
                                           "how long a stop waits for requests in flight"},
    [CUST_CFG_SERVER_ACCESS_LOG] = {"server", "access_log", NULL, "", false, K_PATH,
                                    "access log file (empty or -: standard error)"},
    [CUST_CFG_SERVER_TLS] = {"server", "tls", NULL, "false", false, 0,
                             "behind TLS: session cookies get Secure"},
    [CUST_CFG_SERVER_PUBLIC_URL] = {"server", "public_url", NULL, "", false, 0,
                                    "the address users reach (https://... behind a TLS proxy:"
                                    " Secure cookies and HSTS)"},
    [CUST_CFG_SERVER_PUBLISH_TO] = {"server", "publish_to", NULL, "", false, K_PATH,
                                    "publish the public view to this file (custodian publish"
                                    " --out) at start and every publish_every seconds"},
    [CUST_CFG_SERVER_PUBLISH_EVERY] = {"server", "publish_every", NULL, "60", false, 0,
                                       "seconds between publishes of the public view (0: only"
                                       " at start)"},
    [CUST_CFG_SERVER_TRUSTED_PROXIES] = {"server", "trusted_proxies", NULL, "", false, 0,
                                         "proxies (ADDR or ADDR/BITS, comma-separated) whose"
                                         " X-Forwarded-For names the client"},
    [CUST_CFG_RATELIMIT_RATE] = {"ratelimit", "rate", NULL, "5", false, 0,
                                 "public requests per second per client address"},
    [CUST_CFG_RATELIMIT_BURST] = {"ratelimit", "burst", NULL, "20", false, 0,
                                  "public requests a client may burst"},
    [CUST_CFG_RATELIMIT_SLOTS] = {"ratelimit", "slots", NULL, "4096", false, 0,
                                  "client addresses tracked"},
    [CUST_CFG_LOCATOR_HIDE_RECENT_HOURS] = {"locator", "hide_recent_hours", NULL, "2", false, 0,
                                            "the locator hides bookings this recent (hours)"},
    [CUST_CFG_LOCATOR_RESULT_CAP] = {"locator", "result_cap", NULL, "50", false, 0,
                                     "the locator returns at most this many rows"},
    [CUST_CFG_LOCATOR_CACHE_TTL] = {"locator", "cache_ttl", NULL, "30", false, 0,
                                    "seconds each locator API answer is kept (0: none)"},
    [CUST_CFG_LEDGER_KEY] = {"ledger", "key", "CUSTODIAN_LEDGER_KEY", "", false, K_PATH,
                             "the key checkpoints are signed with (`audit key generate`); "
                             "empty: the server signs none"},
    [CUST_CFG_LEDGER_CHECKPOINT_EVERY] = {"ledger", "checkpoint_every", NULL, "1000", false, 0,
                                          "the server signs a checkpoint after this many entries"},
    [CUST_CFG_LEDGER_CHECKPOINT_MINUTES] = {"ledger", "checkpoint_minutes", NULL, "60", false, 0,
                                            "... or after this many minutes if the ledger grew "
                                            "(0: by count only)"},
    [CUST_CFG_LEDGER_CHECKPOINT_DIR] = {"ledger", "checkpoint_dir", NULL, "", false, K_PATH,
                                        "each checkpoint also written here as "
                                        "checkpoint-SIZE.txt (empty: the store only)"},
};

struct entry {
    char *value;
    char *source;
    bool is_default;
};

struct cust_config {
    struct entry e[CUST_CFG_COUNT];
    char *file;
};

const char *cust_config_data_dir(void)
{
    return cust_data_dir(); /* the install prefix's share/custodian, or the source tree */
}

static char *join(const char *dir, const char *rel)
{
    size_t n = strlen(dir) + strlen(rel) + 2;
    char *s = cust_xmalloc(n);
    snprintf(s, n, "%s/%s", dir, rel);
    return s;
}

static void put(struct cust_config *cfg, enum cust_config_key k, char *value, const char *source,
                bool is_default)
{
    struct entry *e = &cfg->e[k];
    free(e->value);
    free(e->source);
    e->value = value;
    e->source = cust_xstrdup(source);
    e->is_default = is_default;
}

/* The key file follows the store unless it was set. */
static void derive_key_file(struct cust_config *cfg)
{
    if (!cfg->e[CUST_CFG_KEY_FILE].is_default)
        return;
    const char *db = cfg->e[CUST_CFG_STORE_PATH].value;
    size_t n = strlen(db) + 5;
    char *v = cust_xmalloc(n);
    snprintf(v, n, "%s.key", db);
    put(cfg, CUST_CFG_KEY_FILE, v, "default (store path + .key)", true);
}

static void set_default(struct cust_config *cfg, enum cust_config_key k)
{
    const struct key_def *d = &keys[k];
    char *v = d->data_relative ? join(cust_config_data_dir(), d->dflt) : cust_xstrdup(d->dflt);
    put(cfg, k, v, "default", true);
}

struct cust_config *cust_config_new(void)
{
    struct cust_config *cfg = cust_xcalloc(1, sizeof(*cfg));
    for (int k = 0; k < CUST_CFG_COUNT; k++)
        set_default(cfg, (enum cust_config_key)k);
    derive_key_file(cfg);
    return cfg;
}

void cust_config_free(struct cust_config *cfg)
{
    if (!cfg)
        return;
    for (int k = 0; k < CUST_CFG_COUNT; k++) {
        free(cfg->e[k].value);
        free(cfg->e[k].source);
    }
    free(cfg->file);
    free(cfg);
}

void cust_config_set(struct cust_config *cfg, enum cust_config_key key, const char *value,
                     const char *source)
{
    CUST_ASSERT(key < CUST_CFG_COUNT);
    if (!value) {
        set_default(cfg, key);
        if (key == CUST_CFG_KEY_FILE || key == CUST_CFG_STORE_PATH)
            derive_key_file(cfg);
        return;
    }
    put(cfg, key, cust_xstrdup(value), source ? source : "set", false);
    if (key == CUST_CFG_STORE_PATH)
        derive_key_file(cfg);
}

const char *cust_config_get(const struct cust_config *cfg, enum cust_config_key key)
{
    CUST_ASSERT(key < CUST_CFG_COUNT);
    return cfg->e[key].value;
}

const char *cust_config_source(const struct cust_config *cfg, enum cust_config_key key)
{
    CUST_ASSERT(key < CUST_CFG_COUNT);
    return cfg->e[key].source;
}

bool cust_config_is_default(const struct cust_config *cfg, enum cust_config_key key)
{
    CUST_ASSERT(key < CUST_CFG_COUNT);
    return cfg->e[key].is_default;
}

const char *cust_config_file(const struct cust_config *cfg)
{
    return cfg->file;
}

const char *cust_config_section(enum cust_config_key key)
{
    return key < CUST_CFG_COUNT ? keys[key].section : NULL;
}

const char *cust_config_name(enum cust_config_key key)
{
    return key < CUST_CFG_COUNT ? keys[key].name : NULL;
}

const char *cust_config_env(enum cust_config_key key)
{
    return key < CUST_CFG_COUNT ? keys[key].env : NULL;
}

const char *cust_config_help(enum cust_config_key key)
{
    return key < CUST_CFG_COUNT ? keys[key].help : NULL;
}

enum cust_config_key cust_config_key_find(const char *name)
{
    const char *dot = strchr(name, '.');
    enum cust_config_key found = CUST_CFG_COUNT;
    for (int k = 0; k < CUST_CFG_COUNT; k++) {
        const struct key_def *d = &keys[k];
        if (dot) {
            size_t sl = (size_t)(dot - name);
            if (strlen(d->section) == sl && strncmp(d->section, name, sl) == 0 &&
                strcmp(d->name, dot + 1) == 0)
                return (enum cust_config_key)k;
        } else if (strcmp(d->name, name) == 0) {
            if (found != CUST_CFG_COUNT)
                return CUST_CFG_COUNT; /* ambiguous without its section */
            found = (enum cust_config_key)k;
        }
    }
    return found;
}

/* ---- the file ---------------------------------------------------------------------------- */

struct ini_ctx {
    struct cust_config *cfg;
    const char *path;
    char *dir; /* the file's folder, for relative paths */
    int line;
    char why[512];
    bool failed;
    int last_key; /* the key the previous setting was for (continuation lines), or -1 */
};

static int on_setting(void *user, const char *section, const char *name, const char *value,
                      int lineno, bool continued)
{
    struct ini_ctx *c = user;
    enum cust_config_key k = CUST_CFG_COUNT;
    for (int i = 0; i < CUST_CFG_COUNT; i++)
        if (strcmp(keys[i].section, section) == 0 && strcmp(keys[i].name, name) == 0)
            k = (enum cust_config_key)i;
    if (k == CUST_CFG_COUNT) {
        if (!c->failed) {
            snprintf(c->why, sizeof(c->why), "[%s] %s: unknown setting", section, name);
            c->line = lineno;
        }
        c->failed = true;
        return 0;
    }
    bool more = continued && c->last_key == (int)k;
    c->last_key = (int)k;
    if (more && !(keys[k].flags & K_TEXT)) {
        if (!c->failed) {
            snprintf(c->why, sizeof(c->why),
                     "[%s] %s: an indented line continues only a paragraph (agency_address,"
                     " visiting, bail_info)",
                     section, name);
            c->line = lineno;
        }
        c->failed = true;
        return 0;
    }
    if (more) { /* a paragraph's next line: joined with a space, the source its first line */
        const char *prev = cust_config_get(c->cfg, k);
        size_t n = strlen(prev) + strlen(value) + 2;
        char *joined = cust_xmalloc(n), *src = cust_xstrdup(cust_config_source(c->cfg, k));
        snprintf(joined, n, "%s %s", prev, value);
        cust_config_set(c->cfg, k, joined, src);
        free(joined);
        free(src);
        return 1;
    }
    char source[1100];
    snprintf(source, sizeof(source), "%s:%d", c->path, lineno);
    if ((keys[k].flags & K_PATH) && value[0] && value[0] != '/' && strcmp(value, "-") != 0) {
        char *v = join(c->dir, value);
        cust_config_set(c->cfg, k, v, source);
        free(v);
    } else {
        cust_config_set(c->cfg, k, value, source);
    }
    return 1;
}

/* inih's handler without the line number: ini_parse_stream_ex is not in Debian 12's inih, so
 * the line is counted from the file as it is read. */
struct line_reader {
    FILE *f;
    int line;
    bool continued; /* the line read starts with a space or a tab */
    int too_long;   /* the first line longer than inih reads, or 0 */
};

static char *read_line(char *str, int num, void *stream)
{
    struct line_reader *r = stream;
    char *s = fgets(str, num, r->f);
    if (!s)
        return s;
    r->line++;
    r->continued = s[0] == ' ' || s[0] == '\t';
    size_t n = strlen(s);
    if (n > 0 && s[n - 1] != '\n' && !feof(r->f) && !r->too_long) {
        r->too_long = r->line;
        int ch;
        while ((ch = fgetc(r->f)) != EOF && ch != '\n') /* the rest of it is not a line */
            ;
    }
    return s;
}

struct ini_shim {
    struct ini_ctx *c;
    struct line_reader *r;
};

static int on_setting_shim(void *user, const char *section, const char *name, const char *value)
{
    struct ini_shim *s = user;
    return on_setting(s->c, section, name, value, s->r->line, s->r->continued);
}

enum cust_status cust_config_load_file(struct cust_config *cfg, const char *path,
                                       struct cust_err *err)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return cust_err_set(err, CUST_EIO, "cannot open config '%s': %s", path, strerror(errno));
    const char *slash = strrchr(path, '/');
    struct ini_ctx c = {.cfg = cfg, .path = path, .last_key = -1};
    c.dir = slash ? cust_xstrndup(path, (size_t)(slash - path)) : cust_xstrdup(".");
    if (slash == path) {
        free(c.dir);
        c.dir = cust_xstrdup("/");
    }
    struct line_reader r = {.f = f};
    struct ini_shim shim = {&c, &r};
    /* inih returns the line of the first error (a handler refusal or a syntax error). */
    int rc = ini_parse_stream(read_line, &r, on_setting_shim, &shim);
    fclose(f);
    free(c.dir);
    free(cfg->file);
    cfg->file = cust_xstrdup(path);
    /* inih reports the first bad line, ours or a syntax error */
    if (r.too_long && (rc == 0 || rc >= r.too_long) && (!c.failed || c.line >= r.too_long))
        return cust_err_set(err, CUST_EINVAL,
                            "%s:%d: longer than %d bytes: continue a paragraph on indented lines",
                            path, r.too_long, INI_MAX_LINE - 1);
    if (c.failed && (rc == 0 || rc == c.line))
        return cust_err_set(err, CUST_EINVAL, "%s:%d: %s", path, c.line, c.why);
    if (rc != 0)
        return cust_err_set(err, CUST_EINVAL, "%s:%d: syntax error", path, rc);
    return CUST_OK;
}

void cust_config_load_env(struct cust_config *cfg)
{
    for (int k = 0; k < CUST_CFG_COUNT; k++) {
        const char *var = keys[k].env;
        const char *v = var ? getenv(var) : NULL;
        if (!v || !*v)
            continue;
        char source[64];
        snprintf(source, sizeof(source), "env %s", var);
        cust_config_set(cfg, (enum cust_config_key)k, v, source);
    }
    /* the acting user falls back to the login name */
    const char *login = getenv("USER");
    if (cfg->e[CUST_CFG_USER].is_default && login && *login)
        cust_config_set(cfg, CUST_CFG_USER, login, "env USER");
}

enum cust_status cust_config_load(const char *path, struct cust_config **out, struct cust_err *err)
{
    *out = NULL;
    struct cust_config *cfg = cust_config_new();
    if (!path) {
        const char *env = getenv("CUSTODIAN_CONFIG");
        path = env && *env ? env : NULL;
    }
    if (path) {
        enum cust_status st = cust_config_load_file(cfg, path, err);
        if (st != CUST_OK) {
            cust_config_free(cfg);
            return st;
        }
    }
    cust_config_load_env(cfg);
    *out = cfg;
    return CUST_OK;
}

/* ---- show and apply ---------------------------------------------------------------------- */

enum cust_status cust_config_show(const struct cust_config *cfg, bool json, struct cust_buf *out)
{
    if (json) {
        json_t *o = json_object();
        for (int k = 0; k < CUST_CFG_COUNT; k++) {
            char name[64];
            snprintf(name, sizeof(name), "%s.%s", keys[k].section, keys[k].name);
            json_object_set_new(
                o, name,
                json_pack("{s:s,s:s}", "value", cfg->e[k].value, "source", cfg->e[k].source));
        }
        char *t = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        json_decref(o);
        if (!t)
            return CUST_ENOMEM;
        cust_buf_puts(out, t);
        free(t);
        return cust_buf_putc(out, '\n');
    }
    enum cust_status st = CUST_OK;
    if (cfg->file)
        st = cust_buf_appendf(out, "# configuration file: %s\n", cfg->file);
    else
        st = cust_buf_puts(out, "# no configuration file (--config FILE or $CUSTODIAN_CONFIG)\n");
    for (int k = 0; st == CUST_OK && k < CUST_CFG_COUNT; k++) {
        char name[64];
        snprintf(name, sizeof(name), "%s.%s", keys[k].section, keys[k].name);
        st = cust_buf_appendf(out, "%-27s = %-40s # %s\n", name, cfg->e[k].value, cfg->e[k].source);
    }
    return st;
}

enum cust_status cust_config_apply(const struct cust_config *cfg, struct cust_err *err)
{
    struct cust_err e2 = CUST_ERR_INIT;
    enum cust_status st = cust_time_zone_set(cust_config_get(cfg, CUST_CFG_TIMEZONE), &e2);
    if (st != CUST_OK)
        return cust_err_set(err, st, "county.timezone (%s): %s",
                            cust_config_source(cfg, CUST_CFG_TIMEZONE), e2.msg);
    return CUST_OK;
}
