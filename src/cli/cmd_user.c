/* cmd_user.c - `custodian user` (placeholder until its module lands). */
#include "custodian/compat.h"
#include "cli.h"

int cmd_user(int argc, char **argv, struct cli_ctx *ctx)
{
    (void)argc;
    (void)argv;
    (void)ctx;
    fprintf(stderr, "custodian: 'user' is not built yet\n");
    return 1;
}
