/* cmd_decide.c - `custodian decide`: one case in, one decision out (shared/spec/decide.md). */
#include "custodian/compat.h"

#include "cli.h"
#include "custodian/policy.h"

#include <errno.h>

static const char usage[] =
    "usage: custodian decide [--policy ID|FILE] [--policies DIR] [--no-trace] [CASE.json | -]\n"
    "       custodian decide --batch CASES.jsonl [--trace] [--policy ID|FILE] [--policies DIR]\n"
    "\n"
    "Decide what the law in force on the case's as_of date requires, permits or\n"
    "forbids for an immigration request, with citations (docs/policy-language.md).\n"
    "The policy is the case's \"jurisdiction\" unless --policy names one.\n"
    "--batch reads one case per line and writes one decision per line (compact JSON,\n"
    "trace off unless --trace); an invalid line gives {\"line\":N,\"errors\":[...]}.\n"
    "Exit: 0 decided, 2 invalid case (problems on stderr as 'json.path: reason'),\n"
    "1 policy missing or inconsistent.\n";

static void print_line(json_t *o)
{
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    fputs(s, stdout);
    fputc('\n', stdout);
    free(s);
    json_decref(o);
}

static int run_batch(const char *path, const char *policy, struct cust_policy_resolver *r,
                     bool trace)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "custodian: cannot open '%s': %s\n", path, strerror(errno));
        return 1;
    }
    struct cust_decision *d = cust_decision_new();
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    size_t lineno = 0, invalid = 0;
    int rc = 0;
    static char obuf[1 << 16];
    setvbuf(stdout, obuf, _IOFBF, sizeof(obuf));
    while ((len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        if (len == 0 || (len == 1 && line[0] == '\n'))
            continue;
        struct cust_diag dg = CUST_DIAG_INIT;
        struct cust_case *c = NULL;
        struct cust_err err = CUST_ERR_INIT;
        json_t *out = NULL;
        if (cust_case_parse(line, (size_t)len, &c, &dg) == CUST_OK) {
            enum cust_status st = cust_policy_decide_case(
                r, policy, "--policy", c, trace ? CUST_DECIDE_TRACE : 0, d, &out, &dg, &err);
            if (st == CUST_OK) {
                print_line(out);
            } else if (!cust_diag_count(&dg)) {
                fprintf(stderr, "custodian: %zu: %s\n", lineno, err.msg);
                rc = 1;
            }
        }
        if (cust_diag_count(&dg)) {
            invalid++;
            char prefix[1100]; /* FILE:LINE: */
            snprintf(prefix, sizeof(prefix), "%s:%zu: ", strcmp(path, "-") == 0 ? "stdin" : path,
                     lineno);
            cust_diag_print(&dg, stderr, prefix);
            json_t *errs = json_array();
            for (size_t i = 0; i < dg.n; i++)
                json_array_append_new(errs, json_string(dg.lines[i]));
            print_line(json_pack("{s:I,s:o}", "line", (json_int_t)lineno, "errors", errs));
        }
        cust_diag_release(&dg);
        cust_case_free(c);
    }
    free(line);
    if (f != stdin)
        fclose(f);
    fflush(stdout);
    setvbuf(stdout, NULL, _IOLBF, 0);
    cust_decision_free(d);
    if (rc)
        return rc;
    return invalid ? 2 : 0;
}

static int run_one(const char *file, const char *policy, struct cust_policy_resolver *r, bool trace)
{
    FILE *f = strcmp(file, "-") == 0 ? stdin : fopen(file, "rb");
    if (!f) {
        fprintf(stderr, "custodian: cannot open '%s': %s\n", file, strerror(errno));
        return 1;
    }
    struct cust_buf b = CUST_BUF_INIT;
    cust_buf_init(&b, 64u << 20);
    enum cust_status rs = cust_buf_read(&b, f);
    if (f != stdin)
        fclose(f);
    if (rs) {
        cust_buf_release(&b);
        fprintf(stderr, "custodian: cannot read '%s'\n", file);
        return rs == CUST_ETOOBIG ? 2 : 1;
    }
    struct cust_diag dg = CUST_DIAG_INIT;
    struct cust_case *c = NULL;
    struct cust_decision *d = NULL;
    struct cust_err err = CUST_ERR_INIT;
    int rc = 0;
    json_t *o = NULL;
    if (cust_case_parse(b.buf, b.len, &c, &dg) != CUST_OK) {
        rc = 2;
    } else {
        d = cust_decision_new();
        enum cust_status st = cust_policy_decide_case(
            r, policy, "--policy", c, trace ? CUST_DECIDE_TRACE : 0, d, &o, &dg, &err);
        if (st != CUST_OK && cust_diag_count(&dg)) {
            rc = 2; /* the case's problem */
        } else if (st != CUST_OK) {
            fprintf(stderr, "custodian: %s\n", err.msg);
            rc = 1; /* a missing or broken policy is not the case's fault */
        } else {
            char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
            puts(s);
            free(s);
        }
    }
    json_decref(o);
    if (cust_diag_count(&dg)) { /* each problem names the file */
        char prefix[1100];
        snprintf(prefix, sizeof(prefix), "%s: ", strcmp(file, "-") == 0 ? "stdin" : file);
        cust_diag_print(&dg, stderr, prefix);
    }
    cust_diag_release(&dg);
    cust_decision_free(d);
    cust_case_free(c);
    cust_buf_release(&b);
    return rc;
}

int cmd_decide(int argc, char **argv, struct cli_ctx *ctx)
{
    if (cli_wants_help(argc, argv))
        return cli_help(usage);
    const char *policy = NULL, *dir = NULL, *batch = NULL, *file = NULL;
    bool trace = true, batch_trace = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if ((strcmp(a, "--policy") == 0 || strcmp(a, "--policies") == 0 ||
             strcmp(a, "--batch") == 0) &&
            i + 1 < argc) {
            const char **dst = a[2] == 'b' ? &batch : strcmp(a, "--policy") == 0 ? &policy : &dir;
            *dst = argv[++i];
        } else if (strcmp(a, "--no-trace") == 0) {
            trace = false;
        } else if (strcmp(a, "--trace") == 0) {
            batch_trace = true;
        } else if (a[0] == '-' && a[1] != '\0') {
            return cli_usage_error(usage, "unknown option '%s'", a);
        } else if (!file) {
            file = a;
        } else {
            return cli_usage_error(usage, "more than one case file");
        }
    }
    if (dir)
        cli_config_option(ctx, CUST_CFG_POLICIES, "--policies", dir);
    struct cust_err err = CUST_ERR_INIT;
    struct cust_policy_resolver *r = NULL;
    if (cust_policy_resolver_new(cust_config_get(ctx->cfg, CUST_CFG_POLICIES), CUST_RESOLVE_FILES,
                                 &r, &err) != CUST_OK)
        return cli_fail(&err);
    int rc = batch ? (file ? cli_usage_error(usage, "--batch takes no other case file")
                           : run_batch(batch, policy, r, batch_trace))
                   : run_one(file ? file : "-", policy, r, trace);
    cust_policy_resolver_free(r);
    return rc;
}
