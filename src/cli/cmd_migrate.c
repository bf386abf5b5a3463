/* cmd_migrate.c - `custodian migrate`: bring an older store's schema up to date. */
#include "custodian/compat.h"
#include "custodian/store.h"
#include "cli.h"

static const char usage[] =
    "usage: custodian [--db PATH] migrate\n"
    "\n"
    "Apply the schema migrations this program has and the store lacks, in one transaction\n"
    "(all or none). Only this command and `custodian serve` (at start) migrate: every other\n"
    "command refuses a store at an older schema and names this one, so an upgrade is an\n"
    "operator's act (keep a copy of the store first: `custodian backup` with the program that\n"
    "wrote it), never a side effect of a daily command or a reader. A store already at this\n"
    "program's schema is left alone.\n";

int cmd_migrate(int argc, char **argv, struct cli_ctx *ctx)
{
    if (cli_wants_help(argc, argv))
        return cli_help(usage);
    if (argc > 1)
        return cli_usage_error(usage, "unexpected argument '%s'", argv[1]);
    struct cust_err err = CUST_ERR_INIT;
    struct cust_store *s = NULL;
    /* already current: said without taking the write lock */
    if (cust_store_open(ctx->db_path, CUST_STORE_READONLY, &s, &err) == CUST_OK) {
        cust_store_close(s);
        printf("store '%s' is at schema %d: nothing to migrate\n", ctx->db_path,
               cust_store_schema_version());
        return 0;
    }
    if (err.code == CUST_ENOTFOUND)
        return cli_fail(&err);
    cust_err_clear(&err);
    if (cust_store_open(ctx->db_path, CUST_STORE_MIGRATE, &s, &err) != CUST_OK)
        return cli_fail(&err);
    cust_store_close(s);
    printf("store '%s' migrated to schema %d\n", ctx->db_path, cust_store_schema_version());
    return 0;
}
