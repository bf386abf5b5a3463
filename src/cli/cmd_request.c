/* cmd_request.c - `custodian request` (placeholder until its module lands). */
#include "custodian/compat.h"
#include "cli.h"

int cmd_request(int argc, char **argv, struct cli_ctx *ctx)
{
    (void)argc;
    (void)argv;
    (void)ctx;
    fprintf(stderr, "custodian: 'request' is not built yet\n");
    return 1;
}
