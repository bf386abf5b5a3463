/* cmd_history.c - `custodian history` (placeholder until its module lands). */
#include "custodian/compat.h"
#include "cli.h"

int cmd_history(int argc, char **argv, struct cli_ctx *ctx)
{
    (void)argc;
    (void)argv;
    (void)ctx;
    fprintf(stderr, "custodian: 'history' is not built yet\n");
    return 1;
}
