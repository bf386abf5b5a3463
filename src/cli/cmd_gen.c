/* cmd_gen.c - `custodian gen` (placeholder until its module lands). */
#include "custodian/compat.h"
#include "cli.h"

int cmd_gen(int argc, char **argv, struct cli_ctx *ctx)
{
    (void)argc;
    (void)argv;
    (void)ctx;
    fprintf(stderr, "custodian: 'gen' is not built yet\n");
    return 1;
}
