/* cmd_enforcement.c - `custodian enforcement`: the enforcement-action log (reports.h). */
#include "custodian/compat.h"
#include "custodian/date.h"
#include "custodian/reports.h"
#include "cli.h"

static const char usage[] =
    "usage: custodian [--db PATH] [--as USER] enforcement COMMAND ...\n"
    "\n"
    "  add FILE|-                  record federal enforcement actions seen in the county: a\n"
    "                              JSON object, or an array of them (all or nothing):\n"
    "                              {\"occurred_at\": \"2025-06-06T10:30:00-07:00\",\n"
    "                               \"area\": \"Westlake\", \"place\": \"7th St and Alvarado\",\n"
    "                               \"agency\": \"ICE ERO\", \"detained\": 3,\n"
    "                               \"persons\": [{\"name\": \"...\"}],\n"
    "                               \"reasons\": \"...\", \"source\": \"...\"}\n"
    "                              (\"supersedes\": N corrects entry N); prints each new number\n"
    "  list [--from D --to D] [--json|--csv]\n"
    "                              every entry, with the names recorded\n"
    "  public [--from D --to D] [--json|--csv]\n"
    "                              the public counts by area and month (no names)\n"
    "\n"
    "Exit: 0 ok, 1 failure, 2 invalid input (FILE: enforcement.path: reason lines, nothing\n"
    "stored).\n";

int cmd_enforcement(int argc, char **argv, struct cli_ctx *ctx)
{
    if (argc < 2 || cli_wants_help(argc, argv))
        return argc < 2 ? cli_usage_error(usage, "which enforcement command?") : cli_help(usage);
    const char *sub = argv[1];
    bool add = strcmp(sub, "add") == 0, list = strcmp(sub, "list") == 0,
         pub = strcmp(sub, "public") == 0;
    if (!add && !list && !pub)
        return cli_usage_error(usage, "unknown enforcement command '%s' (add, list, public)", sub);
    const char *file = NULL, *from = NULL, *to = NULL;
    bool json = false, csv = false;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            json = true;
        else if (strcmp(argv[i], "--csv") == 0)
            csv = true;
        else if ((strcmp(argv[i], "--from") == 0 || strcmp(argv[i], "--to") == 0) && i + 1 < argc)
            *(strcmp(argv[i], "--from") == 0 ? &from : &to) = argv[i + 1], i++;
        else if (argv[i][0] == '-' && argv[i][1] != '\0')
            return cli_usage_error(usage, "unknown option '%s'", argv[i]);
        else if (!file && add)
            file = argv[i];
        else
            return cli_usage_error(usage, "unexpected argument '%s'", argv[i]);
    }
    if (add && !file)
        return cli_usage_error(usage, "enforcement add: which file? (- for standard input)");
    if (add && (json || csv || from || to))
        return cli_usage_error(usage, "enforcement add takes only FILE|-");
    if (json && csv)
        return cli_usage_error(usage, "--json or --csv, not both");
    int32_t dfrom = 1, dto = 0; /* from > to: every entry */
    if ((from != NULL) != (to != NULL))
        return cli_usage_error(usage, "--from and --to go together");
    if (from && (!cust_date_parse(from, &dfrom) || !cust_date_parse(to, &dto) || dto < dfrom))
        return cli_usage_error(usage, "--from/--to: two dates YYYY-MM-DD, in order");
    if (pub && !from) {
        /* the public page's default: the last twelve months to today */
        dto = cust_time_zone_day(cust_now());
        int y;
        unsigned m, d;
        cust_civil_from_days(dto, &y, &m, &d);
        dfrom = cust_days_from_civil(y - 1, m, 1);
    }
    json_t *doc = NULL;
    if (add) {
        json_error_t je;
        doc = strcmp(file, "-") == 0 ? json_loadf(stdin, JSON_REJECT_DUPLICATES, &je)
                                     : json_load_file(file, JSON_REJECT_DUPLICATES, &je);
        if (!doc) {
            fprintf(stderr, "%s:%d: enforcement: %s\n", strcmp(file, "-") == 0 ? "stdin" : file,
                    je.line, je.text);
            return 2;
        }
    }
    struct cust_err err = CUST_ERR_INIT;
    struct cust_store *s = NULL;
    if (cust_store_open(ctx->db_path, add ? CUST_STORE_OPEN : CUST_STORE_READONLY, &s, &err) !=
        CUST_OK) {
        json_decref(doc);
        return cli_fail(&err);
    }
    enum cust_status st = CUST_OK;
    int rc = 0;
    if (add) {
        /* an array is all or nothing: one transaction around every entry */
        bool many = json_is_array(doc);
        size_t n = many ? json_array_size(doc) : 1;
        int64_t *ids = cust_xcalloc(n ? n : 1, sizeof(*ids));
        size_t bad = 0;
        st = cust_store_begin(s, &err);
        for (size_t i = 0; st == CUST_OK && i < n; i++) {
            struct cust_diag dg = CUST_DIAG_INIT;
            enum cust_status r = cust_enforcement_add(s, many ? json_array_get(doc, i) : doc,
                                                      ctx->user, "cli", &ids[i], &dg, &err);
            if (r == CUST_EINVAL && cust_diag_count(&dg)) {
                char prefix[600];
                if (many)
                    snprintf(prefix, sizeof(prefix), "%s: [%zu] ",
                             strcmp(file, "-") == 0 ? "stdin" : file, i);
                else
                    snprintf(prefix, sizeof(prefix),
                             "%s: ", strcmp(file, "-") == 0 ? "stdin" : file);
                cust_diag_print(&dg, stderr, prefix);
                bad++;
                if (!cust_store_in_transaction(s))
                    st = cust_store_begin(s, &err);
            } else if (r != CUST_OK) {
                st = r;
            }
            cust_diag_release(&dg);
        }
        if (st == CUST_OK && bad == 0) {
            st = cust_store_commit(s, &err);
            for (size_t i = 0; st == CUST_OK && i < n; i++)
                printf("%lld\n", (long long)ids[i]);
        } else {
            cust_store_rollback(s);
            if (st == CUST_OK) {
                fprintf(stderr, "custodian: %zu invalid entr%s: nothing stored\n", bad,
                        bad == 1 ? "y" : "ies");
                rc = 2;
            }
        }
        free(ids);
    } else {
        json_t *r = NULL;
        st = list ? cust_enforcement_list(s, dfrom, dto, true, &r, &err)
                  : cust_enforcement_public(s, dfrom, dto, &r, &err);
        struct cust_buf b = CUST_BUF_INIT;
        if (st == CUST_OK)
            st = cust_report_render(r,
                                    json  ? CUST_REPORT_JSON
                                    : csv ? CUST_REPORT_CSV
                                          : CUST_REPORT_TEXT,
                                    &b, &err);
        if (st == CUST_OK)
            fwrite(b.len ? b.buf : "", 1, b.len, stdout);
        cust_buf_release(&b);
        json_decref(r);
    }
    json_decref(doc);
    cust_store_close(s);
    if (rc)
        return rc;
    return st == CUST_OK ? 0 : cli_fail(&err);
}
