/* cmd_init.c - `custodian init`: create (or migrate) the custody store. */
#include "custodian/compat.h"
#include "custodian/store.h"
#include "cli.h"

static const char usage[] =
    "usage: custodian [--db PATH] init\n"
    "\n"
    "Create an empty custody store at PATH (or bring an existing one to the\n"
    "current schema). Safe to run twice.\n";

int cmd_init(int argc, char **argv, struct cli_ctx *ctx)
{
    if (cli_wants_help(argc, argv))
        return cli_help(usage);
    if (argc > 1)
        return cli_usage_error(usage, "unexpected argument '%s'", argv[1]);
    struct cust_err err = CUST_ERR_INIT;
    struct cust_store *s;
    /* an existing store is brought up to date (asked for: init is an operator's command, the
     * unit's ExecStartPre); a missing one is created whole */
    enum cust_status st = cust_store_open(ctx->db_path, CUST_STORE_MIGRATE, &s, &err);
    if (st == CUST_ENOTFOUND) {
        cust_err_clear(&err);
        st = cust_store_open(ctx->db_path, CUST_STORE_CREATE, &s, &err);
    }
    if (st != CUST_OK)
        return cli_fail(&err);
    cust_store_close(s);
    printf("custody store ready at %s (schema %d)\n", ctx->db_path, cust_store_schema_version());
    return 0;
}
