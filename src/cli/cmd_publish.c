/* cmd_publish.c - `custodian publish`: the public view, alone, in a file of its own, or (on
 * PostgreSQL) granted alone to the database role a public server connects as. */
#include "custodian/compat.h"
#include "custodian/date.h"
#include "custodian/ledger.h"
#include "custodian/store.h"
#include "cli.h"

#include <inttypes.h>
#include <jansson.h>

static const char usage[] =
    "usage: custodian [--db PATH] publish --out FILE [--json]\n"
    "       custodian --db postgresql://... publish --role NAME\n"
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
    "\n"
    "On PostgreSQL, --role NAME lets the database role NAME (made, with LOGIN and no\n"
    "password, when it does not exist: needs CREATEROLE) read the view public_bookings and\n"
    "nothing else, for `custodian serve --public-only --db postgresql://...?user=NAME`, which\n"
    "refuses a role that can read more. The grant reaches every streaming replica, and\n"
    "survives migrations. Recorded in the ledger (public_role). docs/operations.md.\n"
    "\n"
    "  --out FILE   the file to write (replaced)\n"
    "  --role NAME  grant the public view, alone, to the PostgreSQL role NAME\n"
    "  --json       {\"out\": FILE, \"rows\": N}\n";

/* --role NAME: the grant, then its ledger entry */
static int publish_role(struct cli_ctx *ctx, const char *role)
{
    struct cust_err err = CUST_ERR_INIT;
    struct cust_store *s;
    if (cust_store_open(ctx->db_path, CUST_STORE_OPEN, &s, &err) != CUST_OK)
        return cli_fail(&err);
    enum cust_status st = cust_store_public_role(s, role, &err);
    if (st == CUST_OK) {
        struct cust_ledger_entry e = {.actor = ctx->user,
                                      .role = "cli",
                                      .action = "public_role",
                                      .object_type = "role",
                                      .object_id = role,
                                      .outcome = "ok",
                                      .purpose = "",
                                      .detail = "{\"grant\":\"SELECT public_bookings\"}"};
        st = cust_ledger_append(s, &e, &err);
    }
    cust_store_close(s);
    if (st != CUST_OK)
        return cli_fail(&err);
    printf("role '%s' reads the public view public_bookings and nothing else\n", role);
    return 0;
}

int cmd_publish(int argc, char **argv, struct cli_ctx *ctx)
{
    if (cli_wants_help(argc, argv))
        return cli_help(usage);
    const char *out = NULL, *role = NULL;
    bool json = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            json = true;
        else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
            out = argv[++i];
        else if (strcmp(argv[i], "--role") == 0 && i + 1 < argc)
            role = argv[++i];
        else
            return cli_usage_error(usage, "unknown argument '%s'", argv[i]);
    }
    if (role && out)
        return cli_usage_error(usage, "--out and --role: one or the other");
    if (role)
        return publish_role(ctx, role);
    if (!out || !*out)
        return cli_usage_error(usage, "--out FILE (or --role NAME) is required");
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
