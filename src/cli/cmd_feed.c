/* cmd_feed.c - `custodian feed convert|run|status|review`: feeds through mapping files. */
#include "custodian/compat.h"
#include "custodian/feeds.h"
#include "cli.h"

#include <inttypes.h>

static const char usage[] =
    "usage: custodian [--db PATH] [--as USER] feed COMMAND ...\n"
    "\n"
    "Feeds from the jail management system a county already runs, read through a mapping\n"
    "file (docs/mappings.md).\n"
    "\n"
    "  feed convert --map MAPPING.yaml FILE   write FILE as custody JSON Lines on stdout\n"
    "                                         (no store; problems as FILE:LINE: field: reason)\n";

int cli_load_map(const char *path, struct cust_map **out)
{
    struct cust_diag d = CUST_DIAG_INIT;
    struct cust_err err = CUST_ERR_INIT;
    enum cust_status st = cust_map_load(path, out, &d, &err);
    if (st == CUST_OK)
        return 0;
    if (cust_diag_count(&d)) {
        char prefix[1024];
        snprintf(prefix, sizeof(prefix), "%s:", path);
        cust_diag_print(&d, stderr, prefix);
    }
    cust_diag_release(&d);
    return cli_fail(&err);
}

static int feed_convert(int argc, char **argv)
{
    const char *map_path = NULL, *path = NULL;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--map") == 0 && i + 1 < argc)
            map_path = argv[++i];
        else if (argv[i][0] == '-' && argv[i][1])
            return cli_usage_error(usage, "unknown option '%s'", argv[i]);
        else if (path)
            return cli_usage_error(usage, "one file at a time ('%s')", argv[i]);
        else
            path = argv[i];
    }
    if (!map_path || !path)
        return cli_usage_error(usage, "feed convert needs --map MAPPING and a FILE");
    struct cust_map *m;
    if (cli_load_map(map_path, &m) != 0)
        return 2;
    struct cust_err err = CUST_ERR_INIT;
    int64_t written, invalid;
    enum cust_status st = cust_feed_convert(m, path, stdout, stderr, &written, &invalid, &err);
    cust_map_free(m);
    if (fflush(stdout) != 0 && st == CUST_OK)
        st = cust_err_set(&err, CUST_EIO, "cannot write stdout");
    if (st != CUST_OK)
        return cli_fail(&err);
    fprintf(stderr, "converted %" PRId64 " bookings\n", written);
    return 0;
}

int cmd_feed(int argc, char **argv, struct cli_ctx *ctx)
{
    (void)ctx;
    if (argc < 2 || cli_wants_help(2, argv))
        return argc < 2 ? cli_usage_error(usage, "which feed command?") : cli_help(usage);
    if (strcmp(argv[1], "convert") == 0)
        return feed_convert(argc, argv);
    return cli_usage_error(usage, "'%s' is not a feed command", argv[1]);
}
