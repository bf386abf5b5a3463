/* cmd_gen.c - `custodian gen`: write a synthetic county as custody JSON Lines to stdout. */
#include "custodian/compat.h"
#include "custodian/date.h"
#include "custodian/gen.h"
#include "cli.h"

#include <errno.h>

static const char usage[] =
    "usage: custodian gen [--requests] [--seed N] [--bookings N] [--start YYYY-MM-DD]\n"
    "                     [--end YYYY-MM-DD] [--policies DIR]\n"
    "\n"
    "Write a realistic, deterministic county jail as custody JSON Lines to stdout:\n"
    "the bookings of a window (two years ending on --end, or --start to --end), in\n"
    "booking order, plus the persons booked earlier and still in custody when the\n"
    "window opens. Bookings still in custody at the end of --end have\n"
    "\"released_at\": null. Same arguments, same bytes.\n"
    "\n"
    "options:\n"
    "  --seed N        the PRNG seed (default 1)\n"
    "  --bookings N    bookings inside the window (default 100,000 a year: a large\n"
    "                  urban county, about 13,000 in custody on any day); smaller\n"
    "                  values scale the county down proportionally\n"
    "  --start DATE    the first day of the window (default two years before --end)\n"
    "  --end DATE      the last day of the window (default 2026-10-31)\n"
    "  --policies DIR  where tables/common-offenses.csv lives (default [paths] policies,\n"
    "                  $CUSTODIAN_POLICIES, else the data folder's policies/)\n"
    "  --requests      write instead the federal requests this county receives over\n"
    "                  the window (detainers, notification, transfer and interview\n"
    "                  requests, ICE and judicial warrants, the 2025-07-17 DOJ\n"
    "                  letter, a subpoena, a court order), one `request add`\n"
    "                  document per line, in received order\n"
    "  --help          this text\n";

static bool parse_u64(const char *s, uint64_t *out)
{
    if (!s || !*s || *s == '-' || *s == '+')
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return false;
    *out = (uint64_t)v;
    return true;
}

int cmd_gen(int argc, char **argv, struct cli_ctx *ctx)
{
    if (cli_wants_help(argc, argv))
        return cli_help(usage);
    struct cust_gen_opts o = CUST_GEN_OPTS_INIT;
    bool requests = false, bookings_given = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        uint64_t n;
        if (strcmp(a, "--requests") == 0) {
            requests = true;
        } else if (strcmp(a, "--seed") == 0) {
            if (!parse_u64(v, &n))
                return cli_usage_error(usage, "--seed: expected a non-negative integer");
            o.seed = n;
            i++;
        } else if (strcmp(a, "--bookings") == 0) {
            bookings_given = true;
            if (!parse_u64(v, &n) || n == 0 || n > 100000000)
                return cli_usage_error(usage,
                                       "--bookings: expected an integer from 1 to 100000000");
            o.bookings = (int64_t)n;
            i++;
        } else if (strcmp(a, "--start") == 0) {
            int32_t d;
            if (!v || !cust_date_parse(v, &d))
                return cli_usage_error(usage, "--start: expected a date YYYY-MM-DD");
            o.start_day = d;
            i++;
        } else if (strcmp(a, "--end") == 0) {
            int32_t d;
            if (!v || !cust_date_parse(v, &d))
                return cli_usage_error(usage, "--end: expected a date YYYY-MM-DD");
            o.end_day = d;
            i++;
        } else if (strcmp(a, "--policies") == 0) {
            if (!v || !*v)
                return cli_usage_error(usage, "--policies: expected a directory");
            o.policies_dir = v;
            i++;
        } else {
            return cli_usage_error(usage, "gen: unknown argument '%s'", a);
        }
    }
    if (!o.policies_dir)
        o.policies_dir = cust_config_get(ctx->cfg, CUST_CFG_POLICIES);
    if (o.start_day && o.start_day > o.end_day)
        return cli_usage_error(usage, "--start must be on or before --end");
    if (!bookings_given)
        o.bookings = cust_gen_default_bookings(cust_gen_window_days(&o));
    struct cust_err err = CUST_ERR_INIT;
    if (requests) {
        struct cust_gen_requests *rq;
        if (cust_gen_requests_new(&o, &rq, &err) != CUST_OK)
            return cli_fail(&err);
        enum cust_status st = cust_gen_requests_write(rq, stdout, &err);
        cust_gen_requests_free(rq);
        return st == CUST_OK ? 0 : cli_fail(&err);
    }
    struct cust_gen *g;
    if (cust_gen_new(&o, &g, &err) != CUST_OK)
        return cli_fail(&err);
    enum cust_status st = cust_gen_write(g, stdout, &err);
    cust_gen_free(g);
    if (st != CUST_OK)
        return cli_fail(&err);
    return 0;
}
