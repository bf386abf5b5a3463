/* cmd_export.c - `custodian export [--as-of D] [--format jsonl|niem] [-o FILE]`. */
#include "custodian/compat.h"
#include "custodian/date.h"
#include "custodian/feeds.h"
#include "custodian/records.h"
#include "custodian/file.h"
#include "cli.h"

#include <errno.h>

static const char usage[] =
    "usage: custodian [--db PATH] [--as USER] export [--as-of YYYY-MM-DD] [--format jsonl|niem]\n"
    "                 [-o FILE]\n"
    "\n"
    "Write every booking's current version as custody JSON Lines, exactly as it was imported\n"
    "(unknown fields included), ordered by booking_number, to stdout or FILE.\n"
    "\n"
    "  --as-of D   only the bookings in custody on day D\n"
    "  -o FILE     write to FILE instead of stdout\n"
    "  --format niem  a NIEM booking exchange (XML, schemas/niem-booking/) for a state agency\n"
    "              or a neighbouring county: no citizenship, immigration status, birthplace,\n"
    "              address, aliases or prior convictions; the sender is $CUSTODIAN_AGENCY_NAME\n"
    "\n"
    "Each export is recorded in the ledger.\n";

int cmd_export(int argc, char **argv, struct cli_ctx *ctx)
{
    if (cli_wants_help(argc, argv))
        return cli_help(usage);
    int32_t day = CUST_NO_DAY;
    const char *out_path = NULL;
    bool niem = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--as-of") == 0 && i + 1 < argc) {
            if (!cust_date_parse(argv[++i], &day))
                return cli_usage_error(usage, "--as-of: '%s' is not a date (YYYY-MM-DD)", argv[i]);
        } else if (strcmp(argv[i], "--format") == 0 && i + 1 < argc) {
            i++;
            if (strcmp(argv[i], "niem") == 0)
                niem = true;
            else if (strcmp(argv[i], "jsonl") != 0)
                return cli_usage_error(usage, "--format: '%s' is not one of jsonl | niem", argv[i]);
        } else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
            out_path = argv[++i];
        } else {
            return cli_usage_error(usage, "unexpected argument '%s'", argv[i]);
        }
    }
    struct cust_err err = CUST_ERR_INIT;
    struct cust_store *s;
    if (cust_store_open(ctx->db_path, CUST_STORE_OPEN, &s, &err) != CUST_OK)
        return cli_fail(&err);
    /* -o FILE: written under a temporary name, synced before the export is recorded in the
     * ledger, renamed into place after (file.h): never a partial export under the name given */
    struct cust_outfile of;
    if (cust_outfile_open(&of, out_path, &err) != CUST_OK) {
        cust_store_close(s);
        return cli_fail(&err);
    }
    enum cust_status rc = niem ? cust_feed_export_niem(s, of.f, day, getenv("CUSTODIAN_AGENCY_NAME"),
                                                       ctx->user, out_path, NULL, &err)
                               : cust_export(s, of.f, day, ctx->user, out_path, NULL, &err);
    if (rc == CUST_OK)
        rc = cust_outfile_close(&of, &err);
    else
        cust_outfile_discard(&of);
    cust_store_close(s);
    return rc == CUST_OK ? 0 : cli_fail(&err);
}
