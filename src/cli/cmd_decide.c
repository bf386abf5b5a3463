/* cmd_decide.c - `custodian decide` (placeholder until its module lands). */
#include "custodian/compat.h"
#include "cli.h"

int cmd_decide(int argc, char **argv, struct cli_ctx *ctx)
{
    (void)argc;
    (void)argv;
    (void)ctx;
    fprintf(stderr, "custodian: 'decide' is not built yet\n");
    return 1;
}
