/* cmd_serve.c - `custodian serve`: the HTTP API (and, later, the locator and staff console). */
#include "custodian/compat.h"
#include "custodian/http.h"
#include "custodian/web.h"
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

/*
 * SIGTERM/SIGINT reach a handler that writes the signal number to a self-pipe; the main thread
 * blocks reading it. Unlike sigwait() with blocked signals, this does not depend on every thread
 * (including ones a library or sanitizer creates) having the signals blocked.
 */
static int stop_pipe[2] = {-1, -1};

static void on_stop_signal(int sig)
{
    unsigned char c = (unsigned char)sig;
    ssize_t r = write(stop_pipe[1], &c, 1);
    (void)r;
}

/* Every answer's body (~40 KB for a full locator page) is freed when it is sent. glibc gave the
 * top of a thread's heap back to the kernel past 128 KiB free (madvise, a TLB flush on every
 * core) and faulted it in again for the next answer: 14 % of an uncached locator answer's CPU
 * (docs/bench-locator.md, session 9). Keep up to 64 MiB; bodies under 4 MiB come from the heap,
 * larger ones (exports) are mapped and unmapped as before. */
static void keep_freed_heap(void)
{
#ifdef __GLIBC__
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
    mallopt(M_MMAP_THRESHOLD, 4 << 20);
#endif
}

static const char usage[] =
    "usage: custodian serve [--listen ADDR:PORT] [--config FILE] [--port-file FILE]\n"
    "                       [--assets DIR] [--cache-ttl S] [--key-file FILE]\n"
    "                       [--checkpoint-key FILE [--checkpoint-every N]\n"
    "                        [--checkpoint-minutes M] [--checkpoint-dir DIR]]\n"
    "                       [--public-only --store PUBLIC.db] [--print-routes]\n"
    "\n"
    "Serve the public inmate locator (/locator, /api/v1/public/inmates), the staff\n"
    "console (/console, /login) and the JSON API under /api/v1 (and GET /healthz) from\n"
    "the store until SIGTERM or SIGINT, then\n"
    "stop accepting, finish in-flight requests and exit 0. One JSON access-log line per\n"
    "request goes to stderr, or to [server] access_log in the config file. Requests are\n"
    "decided under [county] jurisdiction, notices name [county] agency_name, deadlines\n"
    "count by [county] calendar and \"today\" is [county] timezone's, as on the command line.\n"
    "\n"
    "options:\n"
    "  --listen ADDR:PORT  where to listen (default 127.0.0.1:8080; [::1]:PORT for IPv6;\n"
    "                      port 0 picks a free port)\n"
    "  --config FILE       the configuration file (as the global --config; see `custodian\n"
    "                      config show`): [server] listen threads body_limit header_limit\n"
    "                      connections per_ip_connections timeout access_log tls\n"
    "                      public_url shutdown_grace_ms publish_to publish_every;\n"
    "                      [ratelimit] rate burst slots;\n"
    "                      [locator] hide_recent_hours (default 2) result_cap\n"
    "                      (default 50) cache_ttl; [county] jurisdiction agency_name\n"
    "                      calendar timezone; [paths] ...\n"
    "  --port-file FILE    write the bound port to FILE once listening (for tests)\n"
    "  --assets DIR        the @uswds/uswds dist folder served under /static/uswds/\n"
    "                      (default [paths] assets: node_modules/@uswds/uswds/dist of the\n"
    "                      data folder)\n"
    "  --cache-ttl S       keep each public locator API answer S seconds (default 30;\n"
    "                      0: no cache); bookings appear only hide_recent_hours after\n"
    "                      booking anyway, a release shows at most S seconds late\n"
    "  --key-file FILE     the 32-byte server key that decrypts staff TOTP secrets\n"
    "                      (default: $CUSTODIAN_KEY_FILE, else the store's path + .key);\n"
    "                      must be mode 0600. Without it the locator serves but staff\n"
    "                      sign-in is refused; `custodian user add` creates it. With it,\n"
    "                      clear-text secrets from older stores are encrypted at start\n"
    "  --checkpoint-key FILE  sign the ledger's tree head with this key (`custodian audit\n"
    "                      key generate`; [ledger] key, $CUSTODIAN_LEDGER_KEY) at start,\n"
    "                      after every N entries ([ledger] checkpoint_every, default 1000)\n"
    "                      or M minutes (checkpoint_minutes, default 60) if the ledger\n"
    "                      grew, and at shutdown; the latest is served at\n"
    "                      GET /api/v1/checkpoint, each also written to DIR\n"
    "                      (checkpoint_dir) as checkpoint-SIZE.txt. A ledger that no\n"
    "                      longer extends the last checkpoint is never signed again\n"
    "                      (said on stderr)\n"
    "  --public-only       serve only the public locator, from a published public view\n"
    "                      (`custodian publish --out FILE`, or a staff server's [server]\n"
    "                      publish_to): the process opens that file alone, read-only, and\n"
    "                      holds no restricted data, no key and no account; a new publish\n"
    "                      is read within a second\n"
    "  --store FILE        the store to serve (as the global --db); with --public-only,\n"
    "                      the published view\n"
    "  --print-routes      print every route as METHOD PATTERN GUARD and exit (with\n"
    "                      --public-only first: the public server's)\n"
    "  --db PATH           (global option) the store\n";

static enum cust_status write_port_file(const char *path, uint16_t port, struct cust_err *err)
{
    char tmp[4096];
    int n = snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    if (n < 0 || (size_t)n >= sizeof(tmp))
        return cust_err_set(err, CUST_EINVAL, "port file path too long");
    FILE *f = fopen(tmp, "w");
    if (!f)
        return cust_err_set(err, CUST_EIO, "cannot write '%s': %s", tmp, strerror(errno));
    fprintf(f, "%u\n", port);
    if (fclose(f) != 0 || rename(tmp, path) != 0)
        return cust_err_set(err, CUST_EIO, "cannot write '%s': %s", path, strerror(errno));
    return CUST_OK;
}

/* --print-routes: every route the server registers (the public server's with --public-only) */
static int print_routes(bool public_only)
{
    struct cust_buf b = CUST_BUF_INIT;
    enum cust_status st = cust_buf_puts(&b, "GET /healthz public\n"
                                            "GET /api/v1/version public\n");
    st = st ? st : cust_web_routes(&b, public_only);
    if (st == CUST_OK)
        fwrite(b.buf, 1, b.len, stdout);
    cust_buf_release(&b);
    return st == CUST_OK ? 0 : 1;
}

int cmd_serve(int argc, char **argv, struct cli_ctx *ctx)
{
    if (cli_wants_help(argc, argv))
        return cli_help(usage);
    const char *listen = NULL, *config = NULL, *port_file = NULL, *assets = NULL, *ttl = NULL;
    const char *key_file = NULL, *cp_key = NULL, *cp_every = NULL, *cp_minutes = NULL,
               *cp_dir = NULL, *store = NULL;
    bool public_only = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = NULL;
        if (strcmp(a, "--public-only") == 0) {
            public_only = true;
            continue;
        }
        if (strcmp(a, "--print-routes") == 0)
            return print_routes(public_only);
        if (strcmp(a, "--assets") == 0)
            slot = &assets;
        else if (strcmp(a, "--cache-ttl") == 0)
            slot = &ttl;
        else if (strcmp(a, "--listen") == 0)
            slot = &listen;
        else if (strcmp(a, "--config") == 0)
            slot = &config;
        else if (strcmp(a, "--port-file") == 0)
            slot = &port_file;
        else if (strcmp(a, "--key-file") == 0)
            slot = &key_file;
        else if (strcmp(a, "--checkpoint-key") == 0)
            slot = &cp_key;
        else if (strcmp(a, "--checkpoint-every") == 0)
            slot = &cp_every;
        else if (strcmp(a, "--checkpoint-minutes") == 0)
            slot = &cp_minutes;
        else if (strcmp(a, "--checkpoint-dir") == 0)
            slot = &cp_dir;
        else if (strcmp(a, "--store") == 0)
            slot = &store;
        else
            return cli_usage_error(usage, "unknown argument '%s'", a);
        if (i + 1 >= argc)
            return cli_usage_error(usage, "'%s' needs a value", a);
        *slot = argv[++i];
    }

    struct cust_err err = CUST_ERR_INIT;
    /* the options override the configuration (config.h) for this run */
    if (config && cli_config_reload(ctx, config, &err) != CUST_OK)
        return cli_fail(&err);
    static const struct {
        const char *option;
        enum cust_config_key key;
    } overrides[] = {{"--listen", CUST_CFG_SERVER_LISTEN},
                     {"--assets", CUST_CFG_ASSETS},
                     {"--cache-ttl", CUST_CFG_LOCATOR_CACHE_TTL},
                     {"--key-file", CUST_CFG_KEY_FILE},
                     {"--checkpoint-key", CUST_CFG_LEDGER_KEY},
                     {"--checkpoint-every", CUST_CFG_LEDGER_CHECKPOINT_EVERY},
                     {"--checkpoint-minutes", CUST_CFG_LEDGER_CHECKPOINT_MINUTES},
                     {"--checkpoint-dir", CUST_CFG_LEDGER_CHECKPOINT_DIR},
                     {"--store", CUST_CFG_STORE_PATH}};
    const char *values[] = {listen,   assets,     ttl,    key_file, cp_key,
                            cp_every, cp_minutes, cp_dir, store};
    for (size_t i = 0; i < CUST_ARRAY_LEN(overrides); i++)
        if (values[i])
            cli_config_option(ctx, overrides[i].key, overrides[i].option, values[i]);
    struct cust_http_config cfg;
    cust_http_config_defaults(&cfg);
    if (cust_http_config_apply(&cfg, ctx->cfg, &err) != CUST_OK)
        return cli_fail(&err);

    struct cust_web_config wcfg;
    cust_web_config_defaults(&wcfg);
    wcfg.core = ctx->cfg;
    wcfg.http = &cfg;
    wcfg.connections = cfg.threads + 1;
    wcfg.create = !public_only; /* an empty county is served as such */
    wcfg.public_only = public_only;
    struct cust_web *web = NULL;
    if (cust_web_new(&web, &wcfg, &err))
        return cli_fail(&err);
    if (!public_only && !cust_web_has_key(web))
        fprintf(stderr,
                "custodian: no key file '%s': staff sign-in is refused until "
                "`custodian user add` creates it (or --key-file names it)\n",
                cust_web_key_path(web));
    cfg.hooks = cust_web_hooks(web);

    struct cust_router *router = cust_router_new();
    if (cust_http_register_system(router) != CUST_OK || cust_web_register(web, router) != CUST_OK) {
        cust_router_free(router);
        cust_web_free(web);
        cust_err_set(&err, CUST_EINVAL, "cannot register routes");
        return cli_fail(&err);
    }

    if (pipe(stop_pipe) != 0) {
        cust_router_free(router);
        cust_web_free(web);
        cust_err_set(&err, CUST_EIO, "pipe: %s", strerror(errno));
        return cli_fail(&err);
    }
    fcntl(stop_pipe[1], F_SETFL, O_NONBLOCK);
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    keep_freed_heap();
    struct cust_http_server *srv = NULL;
    if (cust_http_server_start(&srv, &cfg, router, &err)) {
        cust_router_free(router);
        cust_web_free(web);
        return cli_fail(&err);
    }
    uint16_t port = cust_http_server_port(srv);
    bool v6 = strchr(cfg.listen_host, ':') != NULL;
    fprintf(stderr, "listening on http://%s%s%s:%u\n", v6 ? "[" : "", cfg.listen_host,
            v6 ? "]" : "", port);
    fflush(stderr);
    if (port_file && write_port_file(port_file, port, &err)) {
        cust_http_server_stop(srv);
        cust_router_free(router);
        cust_web_free(web);
        return cli_fail(&err);
    }

    unsigned char sig = 0;
    while (read(stop_pipe[0], &sig, 1) != 1) {
        if (errno != EINTR)
            break;
    }
    fprintf(stderr, "custodian: %s received, finishing in-flight requests\n",
            sig == SIGINT ? "SIGINT" : "SIGTERM");
    cust_http_server_stop(srv);
    cust_router_free(router);
    cust_web_free(web);
    close(stop_pipe[0]);
    close(stop_pipe[1]);
    fprintf(stderr, "custodian: server stopped\n");
    return 0;
}
