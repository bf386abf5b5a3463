/* cmd_show.c - `custodian show` (placeholder until its module lands). */
#include "custodian/compat.h"
#include "cli.h"

int cmd_show(int argc, char **argv, struct cli_ctx *ctx)
{
    (void)argc;
    (void)argv;
    (void)ctx;
    fprintf(stderr, "custodian: 'show' is not built yet\n");
    return 1;
}
