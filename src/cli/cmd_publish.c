/* cmd_publish.c - `custodian publish`: the public view, alone, in a file of its own. */
#include "custodian/compat.h"
#include "custodian/date.h"
#include "custodian/store.h"
#include "cli.h"

#include <inttypes.h>
#include <jansson.h>

static const char usage[] =
    "usage: custodian [--db PATH] publish --out FILE [--json]\n"
    "\n"
    "Write the public view - the bookings the public locator can show today or later, with\n"
    "the allow-listed columns only (no citizenship, immigration request, address, identifier\n"
    "or criminal history: the file cannot hold them) - to FILE, a SQLite file that\n"
    "`custodian serve --public-only --db FILE` serves the locator from. FILE is replaced\n"
    "atomically (written beside it, synced, renamed): a server reading it sees the old file\n"
    "or the new one, whole, and reopens the new one within a second. Reads the store only\n"
    "(a read-only copy will do). A staff server republishes on its own with [server]\n"
    "publish_to and publish_every.\n"
    "\n"
    "  --out FILE   the file to write (replaced)\n"
    "  --json       {\"out\": FILE, \"rows\": N}\n";

int cmd_publish(int argc, char **argv, struct cli_ctx *ctx)
{
    if (cli_wants_help(argc, argv))
        return cli_help(usage);
    const char *out = NULL;
    bool json = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            json = true;
        else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
            out = argv[++i];
        else
            return cli_usage_error(usage, "unknown argument '%s'", argv[i]);
    }
    if (!out || !*out)
        return cli_usage_error(usage, "--out FILE is required");
    struct cust_err err = CUST_ERR_INIT;
    struct cust_store *s;
    if (cust_store_open(ctx->db_path, CUST_STORE_READONLY, &s, &err) != CUST_OK)
        return cli_fail(&err);
    int64_t rows = 0;
    enum cust_status st = cust_store_publish(s, out, cust_today(), &rows, &err);
    cust_store_close(s);
    if (st != CUST_OK)
        return cli_fail(&err);
    if (json) {
        json_t *o = json_pack("{s:s, s:I}", "out", out, "rows", (json_int_t)rows);
        json_dumpf(o, stdout, JSON_COMPACT);
        putchar('\n');
        json_decref(o);
    } else
        printf("published %" PRId64 " bookings to %s\n", rows, out);
    return 0;
}
