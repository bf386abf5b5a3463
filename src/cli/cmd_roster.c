/* cmd_roster.c - `custodian roster` (placeholder until its module lands). */
#include "custodian/compat.h"
#include "cli.h"

int cmd_roster(int argc, char **argv, struct cli_ctx *ctx)
{
    (void)argc;
    (void)argv;
    (void)ctx;
    fprintf(stderr, "custodian: 'roster' is not built yet\n");
    return 1;
}
