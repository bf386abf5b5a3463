/* cmd_config.c - `custodian config show`: the effective configuration and its sources. */
#include "custodian/compat.h"
#include "custodian/config.h"
#include "cli.h"

static const char usage[] =
    "usage: custodian [--config FILE] config show [--json]\n"
    "       custodian [--config FILE] config get SECTION.KEY\n"
    "\n"
    "custodian reads one configuration, once per command: built-in defaults, then the\n"
    "configuration file (--config FILE, else $CUSTODIAN_CONFIG), then the environment\n"
    "(CUSTODIAN_DB, CUSTODIAN_JURISDICTION, CUSTODIAN_AGENCY_NAME, CUSTODIAN_CALENDAR,\n"
    "CUSTODIAN_TIMEZONE, CUSTODIAN_POLICIES, ...), then command-line options; a later one wins.\n"
    "The CLI and the server (`custodian serve`) decide, notify and count deadlines from the\n"
    "same values.\n"
    "\n"
    "show   every setting with its effective value and where it came from\n"
    "       (default, FILE:LINE, env VAR or option NAME); --json for a JSON object\n"
    "get    one value (e.g. county.jurisdiction), nothing else\n"
    "\n"
    "The file is INI:\n"
    "  [store]   path key_file\n"
    "  [county]  jurisdiction agency_name calendar timezone\n"
    "  [paths]   policies notice_templates web_templates assets\n"
    "  [cli]     user\n"
    "  [server]  listen threads body_limit header_limit connections per_ip_connections\n"
    "            timeout shutdown_grace_ms access_log tls\n"
    "  [ratelimit] rate burst slots\n"
    "  [locator] hide_recent_hours result_cap cache_ttl\n"
    "Relative paths in the file are relative to the file's folder.\n";

int cmd_config(int argc, char **argv, struct cli_ctx *ctx)
{
    static const struct cli_sub subs[] = {
        {"show", "every setting, its effective value and where it came from",
         "usage: custodian [--config FILE] config show [--json]\n\n"
         "Every setting with its effective value and its source (default, FILE:LINE, env VAR\n"
         "or option NAME); --json: {\"section.key\": {\"value\": ..., \"source\": ...}}.\n"},
        {"get", "one value",
         "usage: custodian [--config FILE] config get SECTION.KEY\n\n"
         "Print one effective value (e.g. county.jurisdiction), nothing else.\n"},
    };
    int rc = 0;
    if (!cli_sub_find("config", usage, subs, CUST_ARRAY_LEN(subs), sizeof(subs[0]), argc, argv,
                      &rc))
        return rc;
    if (strcmp(argv[1], "get") == 0) {
        if (argc != 3)
            return cli_usage_error(usage, "config get takes one SECTION.KEY");
        enum cust_config_key k = cust_config_key_find(argv[2]);
        if (k == CUST_CFG_COUNT)
            return cli_usage_error(usage, "'%s' is not a setting", argv[2]);
        puts(cust_config_get(ctx->cfg, k));
        return 0;
    }
    if (strcmp(argv[1], "show") != 0)
        return cli_usage_error(usage, "unknown config command '%s'", argv[1]);
    bool json = false;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            json = true;
        else
            return cli_usage_error(usage, "unexpected argument '%s'", argv[i]);
    }
    struct cust_buf b = CUST_BUF_INIT;
    enum cust_status st = cust_config_show(ctx->cfg, json, &b);
    if (st == CUST_OK)
        fwrite(b.buf, 1, b.len, stdout);
    cust_buf_release(&b);
    return st == CUST_OK ? 0 : 1;
}
