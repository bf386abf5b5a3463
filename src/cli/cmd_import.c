/* cmd_import.c - `custodian import [--map MAPPING] FILE [--skip-invalid]`. */
#include "custodian/compat.h"
#include "custodian/feeds.h"
#include "custodian/records.h"
#include "cli.h"

#include <inttypes.h>
#include <unistd.h>

static const char usage[] =
    "usage: custodian [--db PATH] [--as USER] import [--map MAPPING.yaml] FILE [--skip-invalid]\n"
    "                 [--no-progress]\n"
    "\n"
    "Import bookings from custody JSON Lines (FILE '-' reads stdin), in one transaction.\n"
    "With --map, FILE is another system's export (CSV, TSV, fixed-width or XML) read through\n"
    "the mapping (docs/mappings.md); its bookings are validated and stored exactly as JSONL.\n"
    "By default one invalid line means nothing is imported: every problem is listed as\n"
    "FILE:LINE: json.path: reason on stderr and the exit status is 2.\n"
    "\n"
    "  --skip-invalid  import the valid lines; write each rejected line with its reasons to\n"
    "                  FILE.rejects.jsonl; exit 1 when any line was rejected\n"
    "  --no-progress   no progress bar (drawn only when stderr is a terminal)\n"
    "  --map FILE      read FILE through this mapping\n"
    "\n"
    "The summary line `imported N bookings (M persons) in X.Y s` goes to stderr.\n"
    "The store is created when it does not exist yet.\n";

int cmd_import(int argc, char **argv, struct cli_ctx *ctx)
{
    if (cli_wants_help(argc, argv))
        return cli_help(usage);
    struct cust_import_opts o = {.actor = ctx->user, .progress = isatty(2) != 0};
    const char *map_path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--map") == 0 && i + 1 < argc)
            map_path = argv[++i];
        else if (strcmp(argv[i], "--skip-invalid") == 0)
            o.skip_invalid = true;
        else if (strcmp(argv[i], "--no-progress") == 0)
            o.progress = false;
        else if (argv[i][0] == '-' && argv[i][1] != '\0')
            return cli_usage_error(usage, "unknown option '%s'", argv[i]);
        else if (o.path)
            return cli_usage_error(usage, "one file at a time ('%s')", argv[i]);
        else
            o.path = argv[i];
    }
    if (!o.path)
        return cli_usage_error(usage, "which file?");
    struct cust_err err = CUST_ERR_INIT;
    struct cust_map *map = NULL;
    if (map_path && cli_load_map(map_path, &map) != 0)
        return 2;
    struct cust_store *s;
    if (cust_store_open(ctx->db_path, CUST_STORE_CREATE, &s, &err) != CUST_OK) {
        cust_map_free(map);
        return cli_fail(&err);
    }
    struct cust_import_stats st;
    enum cust_status rc =
        map ? cust_feed_import(s, map, &o, &st, &err) : cust_import_file(s, &o, &st, &err);
    cust_store_close(s);
    cust_map_free(map);
    if (rc != CUST_OK)
        return cli_fail(&err);
    fprintf(stderr, "imported %" PRId64 " bookings (%" PRId64 " persons) in %.1f s\n", st.bookings,
            st.persons, st.seconds);
    if (st.updated || st.unchanged)
        fprintf(stderr,
                "  %" PRId64 " new, %" PRId64 " updated (new version), %" PRId64 " unchanged\n",
                st.created, st.updated, st.unchanged);
    if (st.rejected) {
        fprintf(stderr, "rejected %" PRId64 " line%s (see %s.rejects.jsonl)\n", st.rejected,
                st.rejected == 1 ? "" : "s", strcmp(o.path, "-") == 0 ? "stdin" : o.path);
        return 1;
    }
    return 0;
}
