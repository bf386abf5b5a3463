/* cmd_serve.c - `custodian serve` (placeholder until its module lands). */
#include "custodian/compat.h"
#include "cli.h"

int cmd_serve(int argc, char **argv, struct cli_ctx *ctx)
{
    (void)argc;
    (void)argv;
    (void)ctx;
    fprintf(stderr, "custodian: 'serve' is not built yet\n");
    return 1;
}
