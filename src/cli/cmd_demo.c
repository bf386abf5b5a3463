/* cmd_demo.c - `custodian demo history`: the demo county's requests worked through the desk at
 * the times of the story (demo.h, docs/internals/demo.md). */
#include "custodian/compat.h"
#include "custodian/date.h"
#include "custodian/demo.h"
#include "custodian/store_requests.h"
#include "cli.h"

#include <errno.h>

static const char usage[] =
    "usage: custodian [--db PATH] demo history [--seed N] [--bookings N] [--start D] [--end D]\n"
    "                 [--until T] [--quiet]\n"
    "\n"
    "Take in the requests `custodian gen --requests` writes for these options and work them\n"
    "through the desk as the demo county's staff did, each step at its moment in the story:\n"
    "detainers declined and left to expire after release, notifications given where the law\n"
    "permits, transfers on judicial warrants, interviews only with written consent, the DOJ\n"
    "letter answered, the subpoena referred to counsel. The store must hold the county\n"
    "imported from `custodian gen` with the same options, and no request yet.\n"
    "\n"
    "  --seed N, --bookings N, --start D, --end D   as for `custodian gen`\n"
    "  --until T      stop the story at this instant (RFC 3339; default: the end of the\n"
    "                 county's last day, or now if earlier)\n"
    "  --quiet        no progress lines\n";

int cmd_demo(int argc, char **argv, struct cli_ctx *ctx)
{
    if (argc < 2 || cli_wants_help(argc, argv))
        return argc < 2 ? cli_usage_error(usage, "demo: which command? (history)")
                        : cli_help(usage);
    if (strcmp(argv[1], "history") != 0)
        return cli_usage_error(usage, "unknown demo command '%s'", argv[1]);
    struct cust_demo_opts o = {
        .gen = CUST_GEN_OPTS_INIT, .until = CUST_NO_TIME, .progress = stderr};
    bool bookings_given = false;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        char *end;
        errno = 0;
        if (strcmp(a, "--quiet") == 0) {
            o.progress = NULL;
            continue;
        }
        if (!v)
            return cli_usage_error(usage, "unknown or incomplete option '%s'", a);
        i++;
        if (strcmp(a, "--seed") == 0) {
            unsigned long long n = strtoull(v, &end, 10);
            if (errno || *end || !*v || *v == '-')
                return cli_usage_error(usage, "--seed: expected a non-negative integer");
            o.gen.seed = n;
        } else if (strcmp(a, "--bookings") == 0) {
            long long n = strtoll(v, &end, 10);
            if (errno || *end || n <= 0 || n > 100000000)
                return cli_usage_error(usage,
                                       "--bookings: expected an integer from 1 to 100000000");
            o.gen.bookings = n;
            bookings_given = true;
        } else if (strcmp(a, "--start") == 0 || strcmp(a, "--end") == 0) {
            int32_t d;
            if (!cust_date_parse(v, &d))
                return cli_usage_error(usage, "%s: expected a date YYYY-MM-DD", a);
            *(strcmp(a, "--start") == 0 ? &o.gen.start_day : &o.gen.end_day) = d;
        } else if (strcmp(a, "--until") == 0) {
            if (!cust_time_parse(v, &o.until, NULL))
                return cli_usage_error(usage, "--until: expected an RFC 3339 time");
        } else {
            return cli_usage_error(usage, "unknown option '%s'", a);
        }
    }
    if (o.gen.start_day && o.gen.start_day > o.gen.end_day)
        return cli_usage_error(usage, "--start must be on or before --end");
    if (!bookings_given)
        o.gen.bookings = cust_gen_default_bookings(cust_gen_window_days(&o.gen));
    struct cust_err err = CUST_ERR_INIT;
    struct cust_store *s = NULL;
    struct cust_desk_env *env = NULL;
    /* the generated county is Los Angeles's (gen.h): its story is told in its own zone */
    if (cust_time_zone_set("America/Los_Angeles", &err) != CUST_OK ||
        cust_desk_env_open(ctx->cfg, CUST_DESK_POLICY_FILES, &env, &err) != CUST_OK ||
        cust_store_open(ctx->db_path, CUST_STORE_OPEN, &s, &err) != CUST_OK) {
        cust_desk_env_free(env);
        return cli_fail(&err);
    }
    o.env = env;
    struct cust_demo_stats st;
    enum cust_status rc = cust_demo_history(s, &o, &st, &err);
    cust_store_close(s);
    cust_desk_env_free(env);
    if (rc != CUST_OK)
        return cli_fail(&err);
    fprintf(stderr,
            "demo history: %lld requests, %lld decided, %lld actions declined, %lld "
            "notifications, %lld transfers, %lld interviews, %lld expired, %lld lifted, %lld "
            "data requests answered, %lld duties done, %lld enforcement actions logged; %lld steps "
            "(%lld "
            "wait beyond the end)\n",
            (long long)st.requests, (long long)st.decided, (long long)st.declined,
            (long long)st.notifications, (long long)st.transfers, (long long)st.interviews,
            (long long)st.expired, (long long)st.lifted, (long long)st.fulfilled,
            (long long)st.duties_done, (long long)st.enforcement, (long long)st.steps,
            (long long)st.pending);
    return 0;
}
