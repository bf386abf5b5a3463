/* cmd_audit.c - `custodian audit` (placeholder until its module lands). */
#include "custodian/compat.h"
#include "cli.h"

int cmd_audit(int argc, char **argv, struct cli_ctx *ctx)
{
    (void)argc;
    (void)argv;
    (void)ctx;
    fprintf(stderr, "custodian: 'audit' is not built yet\n");
    return 1;
}
