/* cmd_policy.c - `custodian policy` (placeholder until its module lands). */
#include "custodian/compat.h"
#include "cli.h"

int cmd_policy(int argc, char **argv, struct cli_ctx *ctx)
{
    (void)argc;
    (void)argv;
    (void)ctx;
    fprintf(stderr, "custodian: 'policy' is not built yet\n");
    return 1;
}
