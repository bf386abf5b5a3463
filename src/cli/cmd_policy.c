/* cmd_policy.c - `custodian policy check|show|explain` (docs/policy-language.md). */
#include "custodian/compat.h"

#include "cli.h"
#include "custodian/date.h"
#include "custodian/desk.h"
#include "custodian/policy.h"

static const char usage[] =
    "usage: custodian policy check [ID|FILE...] [--policies DIR]\n"
    "       custodian policy show ID [--as-of YYYY-MM-DD] [--json] [--policies DIR]\n"
    "       custodian policy explain CASE.json [--policy ID] [--policies DIR]\n"
    "\n"
    "check    prove, by enumerating every combination of the facts the rules depend on\n"
    "         (for every request kind and every date the rules change), that each action\n"
    "         and item gets exactly one verdict and no rules conflict; prints a\n"
    "         counterexample otherwise. Without ID: every policy in the directory.\n"
    "show     list the rules (in force on --as-of) with their citations.\n"
    "explain  decide CASE.json and print the reasons as sentences.\n"
    "Exit: 0 ok, 1 a policy failed its check or could not be loaded, 2 invalid input.\n";

static int do_check(int argc, char **argv, const char *dir)
{
    char **ids = NULL;
    size_t n = 0;
    for (int i = 0; i < argc; i++) {
        ids = cust_xrealloc(ids, (n + 1) * sizeof(char *));
        ids[n++] = cust_xstrdup(argv[i]);
    }
    if (n == 0) {
        cust_policy_list(dir, &ids, &n);
        if (n == 0) {
            fprintf(stderr, "custodian: no policies in '%s'\n", cust_policy_dir(dir));
            free(ids);
            return 1;
        }
    }
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        struct cust_policy *p;
        struct cust_err err = CUST_ERR_INIT;
        if (cust_policy_load(dir, ids[i], &p, &err)) {
            fprintf(stderr, "custodian: %s\n", err.msg);
            rc = 1;
            continue;
        }
        struct cust_buf out = CUST_BUF_INIT;
        uint64_t count = 0;
        if (cust_policy_check(p, &out, &count))
            rc = 1;
        fputs(out.buf, stdout);
        cust_buf_release(&out);
        cust_policy_free(p);
    }
    for (size_t i = 0; i < n; i++)
        free(ids[i]);
    free(ids);
    return rc;
}

static int do_show(int argc, char **argv, const char *dir)
{
    const char *id = NULL, *as_of = NULL;
    bool json = false;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--as-of") == 0 && i + 1 < argc)
            as_of = argv[++i];
        else if (strcmp(argv[i], "--json") == 0)
            json = true;
        else if (argv[i][0] == '-')
            return cli_usage_error(usage, "unknown option '%s'", argv[i]);
        else if (!id)
            id = argv[i];
        else
            return cli_usage_error(usage, "policy show takes one policy id");
    }
    if (!id)
        return cli_usage_error(usage, "policy show needs a policy id");
    int32_t day = INT32_MIN;
    if (as_of && !cust_date_parse(as_of, &day))
        return cli_usage_error(usage, "--as-of: not a date (YYYY-MM-DD)");
    struct cust_policy *p;
    struct cust_err err = CUST_ERR_INIT;
    if (cust_policy_load(dir, id, &p, &err)) {
        fprintf(stderr, "custodian: %s\n", err.msg);
        return 1;
    }
    struct cust_buf out = CUST_BUF_INIT;
    int rc = 0;
    if (cust_policy_show(p, day, json, &out, &err))
        rc = cli_fail(&err);
    else
        fputs(out.buf, stdout);
    cust_buf_release(&out);
    cust_policy_free(p);
    return rc;
}

static int do_explain(int argc, char **argv, const char *dir, const struct cust_config *cfg)
{
    const char *file = NULL, *policy = NULL;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--policy") == 0 && i + 1 < argc)
            policy = argv[++i];
        else if (argv[i][0] == '-' && argv[i][1])
            return cli_usage_error(usage, "unknown option '%s'", argv[i]);
        else if (!file)
            file = argv[i];
        else
            return cli_usage_error(usage, "policy explain takes one case file");
    }
    if (!file)
        return cli_usage_error(usage, "policy explain needs a case file");
    FILE *f = strcmp(file, "-") == 0 ? stdin : fopen(file, "rb");
    if (!f) {
        fprintf(stderr, "custodian: cannot open '%s'\n", file);
        return 1;
    }
    struct cust_buf b = CUST_BUF_INIT;
    enum cust_status rs = cust_buf_read(&b, f);
    if (f != stdin)
        fclose(f);
    if (rs != CUST_OK) {
        fprintf(stderr, "custodian: cannot read '%s'\n", file);
        cust_buf_release(&b);
        return 1;
    }
    struct cust_diag dg = CUST_DIAG_INIT;
    struct cust_case *c = NULL;
    struct cust_policy *p = NULL;
    struct cust_decision *d = NULL;
    struct cust_err err = CUST_ERR_INIT;
    int rc = 0;
    if (cust_case_parse(b.buf, b.len, &c, &dg)) {
        cust_diag_print(&dg, stderr, NULL);
        rc = 2;
        goto out;
    }
    const char *id = policy ? policy : cust_case_jurisdiction(c);
    if (!id) {
        fprintf(stderr, "case.jurisdiction: required (or give --policy)\n");
        rc = 2;
        goto out;
    }
    if (cust_policy_load(dir, id, &p, &err)) {
        fprintf(stderr, "custodian: %s\n", err.msg);
        rc = 1;
        goto out;
    }
    d = cust_decision_new();
    enum cust_status st = cust_decide(p, c, CUST_DECIDE_TRACE, d, &err);
    if (st) {
        fprintf(stderr, "%s\n", err.msg);
        rc = st == CUST_EINVAL ? 2 : 1;
        goto out;
    }
    json_t *o = cust_decision_to_json(p, c, d);
    const json_t *pol = json_object_get(o, "policy");
    printf("Decision under %s, version of %s (%s), for a %s received on %s.\n",
           json_string_value(json_object_get(pol, "id")),
           json_string_value(json_object_get(pol, "version")),
           json_string_value(json_object_get(pol, "version_name")),
           json_string_value(json_object_get(o, "kind")),
           json_string_value(json_object_get(o, "as_of")));
    for (int pass = 0; pass < 2; pass++) {
        const char *k;
        json_t *e;
        json_object_foreach(json_object_get(o, pass ? "disclose" : "actions"), k, e)
        {
            const char *v = json_string_value(json_object_get(e, "verdict"));
            const char *verb = strcmp(v, "required") == 0    ? "must"
                               : strcmp(v, "permitted") == 0 ? "may"
                                                             : "must not";
            const char *what = pass ? "give out" : "";
            printf("\n- The jail %s %s%s%s (%s).\n", verb, what, pass ? " the " : "", k, v);
            printf("  Rule %s", json_string_value(json_object_get(e, "rule")));
            size_t i;
            json_t *c2;
            json_array_foreach(json_object_get(e, "cite"), i, c2)
                printf("%s%s", i ? "; " : ", citing ", json_string_value(c2));
            printf(".\n");
            json_t *basis = json_object_get(e, "basis");
            if (basis) {
                printf("  Because of:");
                json_array_foreach(basis, i, c2)
                    printf("%s %s", i ? "," : "", json_string_value(c2));
                printf(".\n");
            }
            const char *ex =
                cust_policy_rule_explain(p, json_string_value(json_object_get(e, "rule")));
            if (ex)
                printf("  %s\n", ex);
        }
    }
    /* when each duty falls due as the desk creates it: the rule's trigger, else the law's table's
     * (cust_desk_duty_trigger; the rule's alone when the desk's tables do not open) */
    struct cust_desk_env *env = NULL;
    struct cust_err derr = CUST_ERR_INIT;
    if (cust_desk_env_open(cfg, CUST_DESK_POLICY_FILES, &env, &derr) != CUST_OK)
        env = NULL;
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(o, "duties"), i, x)
    {
        const char *w =
            env ? cust_desk_duty_trigger(env, x) : json_string_value(json_object_get(x, "when"));
        printf("%sDuty: %s%s%s (rule %s).\n", i ? "" : "\n",
               json_string_value(json_object_get(x, "duty")), w ? ", when " : "", w ? w : "",
               json_string_value(json_object_get(x, "rule")));
    }
    cust_desk_env_free(env);
    if (json_array_size(json_object_get(o, "needs"))) {
        printf("\nThe answer above is the most protective one because these facts are missing:\n");
        json_array_foreach(json_object_get(o, "needs"), i, x)
            printf("  - %s\n", json_string_value(x));
    }
    printf("\nHow the rules were weighed:\n");
    json_array_foreach(json_object_get(o, "trace"), i, x) printf("  %s\n", json_string_value(x));
    json_decref(o);
out:
    cust_diag_release(&dg);
    cust_decision_free(d);
    cust_policy_free(p);
    cust_case_free(c);
    cust_buf_release(&b);
    return rc;
}

int cmd_policy(int argc, char **argv, struct cli_ctx *ctx)
{
    static const struct cli_sub subs[] = {
        {"check", "prove every action and item gets exactly one verdict",
         "usage: custodian policy check [ID|FILE...] [--policies DIR]\n\n"
         "Prove, by enumerating every combination of the facts the rules depend on (for every\n"
         "request kind and every date the rules change), that each action and item gets exactly\n"
         "one verdict and no rules conflict; print a counterexample otherwise. Without ID: every\n"
         "policy in the directory.\n"},
        {"show", "the rules in force on a day, with citations",
         "usage: custodian policy show ID [--as-of YYYY-MM-DD] [--json] [--policies DIR]\n\n"
         "List the rules (in force on --as-of) with their citations.\n"},
        {"explain", "decide a case and print the reasons as sentences",
         "usage: custodian policy explain CASE.json [--policy ID] [--policies DIR]\n\n"
         "Decide CASE.json and print the reasons as sentences.\n"},
    };
    int src = 0;
    if (!cli_sub_find("policy", usage, subs, CUST_ARRAY_LEN(subs), sizeof(subs[0]), argc, argv,
                      &src))
        return src;
    const char *dir = NULL;
    char **rest = cust_xcalloc((size_t)argc, sizeof(char *));
    int nrest = 0;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--policies") == 0 && i + 1 < argc)
            dir = argv[++i];
        else
            rest[nrest++] = argv[i];
    }
    if (dir)
        cli_config_option(ctx, CUST_CFG_POLICIES, "--policies", dir);
    dir = cust_config_get(ctx->cfg, CUST_CFG_POLICIES);
    int rc;
    if (strcmp(argv[1], "check") == 0)
        rc = do_check(nrest, rest, dir);
    else if (strcmp(argv[1], "show") == 0)
        rc = do_show(nrest, rest, dir);
    else if (strcmp(argv[1], "explain") == 0)
        rc = do_explain(nrest, rest, dir, ctx->cfg);
    else
        rc = cli_usage_error(usage, "unknown subcommand '%s'", argv[1]);
    free(rest);
    return rc;
}
