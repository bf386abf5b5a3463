/* cmd_report.c - `custodian report`: oversight reports (reports.h, docs/internals/reports.md). */
#include "custodian/compat.h"
#include "custodian/date.h"
#include "custodian/file.h"
#include "custodian/reports.h"
#include "custodian/tlog.h"
#include "cli.h"

#include <errno.h>

static const char usage[] =
    "usage: custodian [--db PATH] [--as USER] report REPORT [OPTIONS]\n"
    "\n"
    "  detainers --from D --to D [--by month]   requests received by kind, agency and form;\n"
    "                                          matched, decided; holds and notifications\n"
    "                                          requested and given; transfers by legal basis;\n"
    "                                          declined, expired, withdrawn\n"
    "  transfers --year Y                      every transfer to federal custody, with the\n"
    "                                          warrant or offense that allowed it (7284.6)\n"
    "  truth-forum --year Y                    the TRUTH Act forum pack: people given access\n"
    "                                          by month and means, demographics, each access\n"
    "  oversight --from D --to D [--request ID] [--person N] [--booking B] [--actor USER]\n"
    "                                          every disclosure and override with its decision,\n"
    "                                          rule, citation, actor and time\n"
    "  cpra --from D --to D --out DIR [--tar FILE] [--key FILE]\n"
    "                                          the public-records export: every record of access\n"
    "                                          for the period, redacted, with a manifest signed\n"
    "                                          by the ledger's checkpoint key (--key, default\n"
    "                                          [ledger] key, CUSTODIAN_LEDGER_KEY) when there is "
    "one\n"
    "  cpra-verify DIR [--pubkey FILE]         check an export: every file against the\n"
    "                                          manifest, the signature with the published key\n"
    "\n"
    "Options: --year Y is --from Y-01-01 --to Y-12-31. --format text|csv|json|html (default\n"
    "text; html is a standalone, printable document with charts), --out FILE (default stdout).\n"
    "Days are the county's ([county] timezone, CUSTODIAN_TIMEZONE).\n";

struct opts {
    const char *from, *to, *year, *by, *format, *out, *tar, *request, *person, *booking, *actor;
    const char *key;
};

static int day_arg(const char *name, const char *s, int32_t *day)
{
    if (!cust_date_parse(s, day))
        return cli_usage_error(usage, "%s: '%s' is not a date (YYYY-MM-DD)", name, s);
    return 0;
}

/* Write `b` to `path` (NULL: stdout), whole or absent (file.h): a failed write leaves no empty
 * or partial file under the name. */
static int write_out(const char *path, const struct cust_buf *b)
{
    struct cust_err err = CUST_ERR_INIT;
    struct cust_outfile of;
    if (cust_outfile_open(&of, path, &err) != CUST_OK)
        return cli_fail(&err);
    if (fwrite(b->len ? b->buf : "", 1, b->len, of.f) != b->len) {
        fprintf(stderr, "custodian: cannot write '%s': %s\n", path ? path : "stdout",
                strerror(errno));
        cust_outfile_discard(&of);
        return 1;
    }
    if (cust_outfile_close(&of, &err) != CUST_OK)
        return cli_fail(&err);
    return 0;
}

/* `report cpra-verify DIR [--pubkey FILE]` */
static int cpra_verify(int argc, char **argv)
{
    const char *dir = NULL, *pub = NULL;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--pubkey") == 0 && i + 1 < argc)
            pub = argv[++i];
        else if (argv[i][0] != '-' && !dir)
            dir = argv[i];
        else
            return cli_usage_error(usage, "report cpra-verify: unexpected argument '%s'", argv[i]);
    }
    if (!dir)
        return cli_usage_error(usage, "report cpra-verify: which folder?");
    struct cust_err err = CUST_ERR_INIT;
    struct cust_note_verifier v;
    if (pub && cust_note_verifier_load(pub, &v, &err) != CUST_OK)
        return cli_fail(&err);
    struct cust_cpra_check c;
    if (cust_cpra_verify(dir, pub ? &v : NULL, &c, &err) != CUST_OK) {
        fprintf(stderr, "custodian: export broken: %s\n", err.msg);
        return 1;
    }
    printf("export ok: %zu files match MANIFEST.json (sha256 %s); %s\n", c.files, c.manifest_sha256,
           !c.is_signed ? "not signed"
           : c.verified ? "signature verified"
                        : "signed, signature not checked (no --pubkey)");
    if (c.verified)
        printf("signed by %s at ledger tree size %llu\n", c.signer,
               (unsigned long long)c.tree_size);
    return 0;
}

int cmd_report(int argc, char **argv, struct cli_ctx *ctx)
{
    if (argc < 2 || cli_wants_help(argc, argv))
        return argc < 2 ? cli_usage_error(usage, "which report?") : cli_help(usage);
    const char *which = argv[1];
    if (strcmp(which, "cpra-verify") == 0)
        return cpra_verify(argc, argv);
    static const char *const reports[] = {"detainers", "transfers", "truth-forum", "oversight",
                                          "cpra"};
    bool known = false;
    for (size_t i = 0; i < CUST_ARRAY_LEN(reports); i++)
        known |= strcmp(which, reports[i]) == 0;
    if (!known)
        return cli_usage_error(usage,
                               "unknown report '%s' (detainers, transfers, truth-forum, "
                               "oversight, cpra)",
                               which);
    struct opts o = {0};
    static const struct {
        const char *name;
        size_t off;
    } valued[] = {
        {"--from", offsetof(struct opts, from)},     {"--to", offsetof(struct opts, to)},
        {"--year", offsetof(struct opts, year)},     {"--by", offsetof(struct opts, by)},
        {"--format", offsetof(struct opts, format)}, {"--out", offsetof(struct opts, out)},
        {"--tar", offsetof(struct opts, tar)},       {"--request", offsetof(struct opts, request)},
        {"--person", offsetof(struct opts, person)}, {"--booking", offsetof(struct opts, booking)},
        {"--actor", offsetof(struct opts, actor)},   {"--key", offsetof(struct opts, key)},
    };
    for (int i = 2; i < argc; i++) {
        bool done = false;
        for (size_t k = 0; k < CUST_ARRAY_LEN(valued) && !done; k++) {
            if (strcmp(argv[i], valued[k].name) != 0)
                continue;
            if (i + 1 >= argc)
                return cli_usage_error(usage, "%s needs a value", argv[i]);
            *(const char **)((char *)&o + valued[k].off) = argv[++i];
            done = true;
        }
        if (!done)
            return cli_usage_error(usage, "report %s: unexpected argument '%s'", which, argv[i]);
    }
    struct cust_report_opts ro = CUST_REPORT_OPTS_INIT;
    int rc = 0;
    if (o.year) {
        char *end;
        errno = 0;
        long y = strtol(o.year, &end, 10);
        if (errno || *end || y < 1900 || y > 2200)
            return cli_usage_error(usage, "--year: '%s' is not a year", o.year);
        if (o.from || o.to)
            return cli_usage_error(usage, "--year and --from/--to: give one or the other");
        ro.from = cust_days_from_civil((int)y, 1, 1);
        ro.to = cust_days_from_civil((int)y, 12, 31);
    } else if (o.from && o.to) {
        if ((rc = day_arg("--from", o.from, &ro.from)) || (rc = day_arg("--to", o.to, &ro.to)))
            return rc;
        if (ro.to < ro.from)
            return cli_usage_error(usage, "--to %s is before --from %s", o.to, o.from);
    } else {
        return cli_usage_error(usage, "report %s: the period: --from D --to D, or --year Y", which);
    }
    if (o.by && strcmp(o.by, "month") != 0)
        return cli_usage_error(usage, "--by: only 'month'");
    if (o.by && strcmp(which, "detainers") != 0)
        return cli_usage_error(usage, "--by applies to the detainers report");
    ro.by_month = o.by != NULL;
    bool filters = o.request || o.person || o.booking || o.actor;
    if (filters && strcmp(which, "oversight") != 0)
        return cli_usage_error(usage, "--request, --person, --booking and --actor filter the "
                                      "oversight report");
    ro.request_id = o.request;
    ro.booking_number = o.booking;
    ro.actor = o.actor;
    if (o.person) {
        const char *p = o.person[0] == '#' ? o.person + 1 : o.person;
        char *end;
        errno = 0;
        long long v = strtoll(p, &end, 10);
        if (errno || *end || v <= 0)
            return cli_usage_error(usage, "--person: '%s' is not a person number", o.person);
        ro.person_id = v;
    }
    enum cust_report_format fmt = CUST_REPORT_TEXT;
    if (o.format && !cust_report_format_parse(o.format, &fmt))
        return cli_usage_error(usage, "--format: '%s' is not text, csv, json or html", o.format);
    bool cpra = strcmp(which, "cpra") == 0;
    if (cpra && (!o.out || o.format))
        return cli_usage_error(usage, "report cpra: --out DIR is required (the export is a "
                                      "folder of files); --format does not apply");
    if (!cpra && (o.tar || o.key))
        return cli_usage_error(usage, "--tar and --key apply to the cpra export");

    struct cust_err err = CUST_ERR_INIT;
    struct cust_store *s = NULL;
    if (cust_store_open(ctx->db_path, cpra ? CUST_STORE_OPEN : CUST_STORE_READONLY, &s, &err) !=
        CUST_OK)
        return cli_fail(&err);
    enum cust_status st = CUST_OK;
    if (cpra) {
        struct cust_cpra c;
        /* --key, else the ledger's checkpoint key of the configuration ([ledger] key) */
        const char *key = o.key ? o.key : cust_config_get(ctx->cfg, CUST_CFG_LEDGER_KEY);
        struct cust_cpra_opts co = {ro.from, ro.to, ctx->user, "cli", key && *key ? key : NULL};
        st = cust_report_cpra(s, &co, &c, &err);
        if (st == CUST_OK)
            st = cust_cpra_write_dir(&c, o.out, &err);
        if (st == CUST_OK && o.tar) {
            struct cust_buf t = CUST_BUF_INIT;
            st = cust_cpra_write_tar(&c, "cpra", &t, &err);
            if (st == CUST_OK)
                rc = write_out(o.tar, &t);
            cust_buf_release(&t);
        }
        if (st == CUST_OK && !rc)
            fprintf(stderr,
                    "cpra: %lld requests, %lld persons, %zu files in %s (manifest sha256 %s, "
                    "%s)\n",
                    (long long)c.requests, (long long)c.persons, c.nfiles, o.out, c.manifest_sha256,
                    c.is_signed ? "signed" : "unsigned: no checkpoint key");
        cust_cpra_free(&c);
    } else {
        json_t *r = NULL;
        if (strcmp(which, "detainers") == 0)
            st = cust_report_detainers(s, &ro, &r, &err);
        else if (strcmp(which, "transfers") == 0)
            st = cust_report_transfers(s, &ro, &r, &err);
        else if (strcmp(which, "truth-forum") == 0)
            st = cust_report_forum(s, &ro, &r, &err);
        else
            st = cust_report_oversight(s, &ro, &r, &err);
        struct cust_buf b = CUST_BUF_INIT;
        if (st == CUST_OK)
            st = cust_report_render(r, fmt, &b, &err);
        if (st == CUST_OK)
            rc = write_out(o.out, &b);
        cust_buf_release(&b);
        json_decref(r);
    }
    cust_store_close(s);
    if (rc)
        return rc;
    return st == CUST_OK ? 0 : cli_fail(&err);
}
