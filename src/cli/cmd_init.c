/* cmd_init.c - `custodian init` (placeholder until its module lands). */
#include "custodian/compat.h"
#include "cli.h"

int cmd_init(int argc, char **argv, struct cli_ctx *ctx)
{
    (void)argc;
    (void)argv;
    (void)ctx;
    fprintf(stderr, "custodian: 'init' is not built yet\n");
    return 1;
}
