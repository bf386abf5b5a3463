/* cmd_import.c - `custodian import` (placeholder until its module lands). */
#include "custodian/compat.h"
#include "cli.h"

int cmd_import(int argc, char **argv, struct cli_ctx *ctx)
{
    (void)argc;
    (void)argv;
    (void)ctx;
    fprintf(stderr, "custodian: 'import' is not built yet\n");
    return 1;
}
