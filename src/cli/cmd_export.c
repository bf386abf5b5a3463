/* cmd_export.c - `custodian export` (placeholder until its module lands). */
#include "custodian/compat.h"
#include "cli.h"

int cmd_export(int argc, char **argv, struct cli_ctx *ctx)
{
    (void)argc;
    (void)argv;
    (void)ctx;
    fprintf(stderr, "custodian: 'export' is not built yet\n");
    return 1;
}
