/* cmd_duties.c - `custodian duties` (placeholder until its module lands). */
#include "custodian/compat.h"
#include "cli.h"

int cmd_duties(int argc, char **argv, struct cli_ctx *ctx)
{
    (void)argc;
    (void)argv;
    (void)ctx;
    fprintf(stderr, "custodian: 'duties' is not built yet\n");
    return 1;
}
