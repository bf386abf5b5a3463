/* cmd_decide.c - `custodian decide`: one case in, one decision out (shared/spec/decide.md). */
#include "custodian/compat.h"

#include "cli.h"
#include "custodian/policy.h"

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

/* A small cache of loaded policies for --batch (rosters mix few jurisdictions). */
struct pol_cache {
    char *id[16];
    struct cust_policy *p[16];
    size_t n;
};

static enum cust_status cache_get(struct pol_cache *pc, const char *dir, const char *id,
                                  struct cust_policy **out, struct cust_err *err)
{
    for (size_t i = 0; i < pc->n; i++)
        if (strcmp(pc->id[i], id) == 0) {
            *out = pc->p[i];
            return CUST_OK;
        }
    struct cust_policy *p;
    enum cust_status st = cust_policy_load(dir, id, &p, err);
    if (st)
        return st;
    if (pc->n == CUST_ARRAY_LEN(pc->id)) {
        free(pc->id[0]);
        cust_policy_free(pc->p[0]);
        memmove(pc->id, pc->id + 1, (pc->n - 1) * sizeof(char *));
        memmove(pc->p, pc->p + 1, (pc->n - 1) * sizeof(struct cust_policy *));
        pc->n--;
    }
    pc->id[pc->n] = cust_xstrdup(id);
    pc->p[pc->n++] = p;
    *out = p;
    return CUST_OK;
}

static void cache_free(struct pol_cache *pc)
{
    for (size_t i = 0; i < pc->n; i++) {
        free(pc->id[i]);
        cust_policy_free(pc->p[i]);
    }
}

static enum cust_status read_all(FILE *f, struct cust_buf *b)
{
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        if (cust_buf_append(b, chunk, n))
            return CUST_ENOMEM;
    return ferror(f) ? CUST_EIO : CUST_OK;
}

static int run_batch(const char *path, const char *policy, const char *dir, bool trace)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "custodian: cannot open '%s'\n", path);
        return 1;
    }
    struct pol_cache pc = {{0}, {0}, 0};
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
        if (cust_case_parse(line, (size_t)len, &c, &dg) == CUST_OK) {
            const char *id = policy ? policy : cust_case_jurisdiction(c);
            struct cust_policy *p = NULL;
            enum cust_status st = CUST_OK;
            if (!id) {
                cust_diag_add(&dg, "case.jurisdiction", "required (or give --policy)");
            } else if ((st = cache_get(&pc, dir, id, &p, &err)) != CUST_OK) {
                if (st == CUST_ENOTFOUND && !policy)
                    cust_diag_add(&dg, "case.jurisdiction", "%s", err.msg);
                else {
                    fprintf(stderr, "custodian: %s\n", err.msg);
                    rc = 1;
                }
            } else if ((st = cust_decide(p, c, trace ? CUST_DECIDE_TRACE : 0, d, &err)) !=
                       CUST_OK) {
                if (st == CUST_EINVAL)
                    cust_diag_add(&dg, "case.as_of", "%s",
                                  err.msg + (strncmp(err.msg, "case.as_of: ", 12) ? 0 : 12));
                else {
                    fprintf(stderr, "custodian: %zu: %s\n", lineno, err.msg);
                    rc = 1;
                }
            } else {
                json_t *o = cust_decision_to_json(p, c, d);
                char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
                fputs(s, stdout);
                fputc('\n', stdout);
                free(s);
                json_decref(o);
            }
        }
        if (cust_diag_count(&dg)) {
            invalid++;
            char prefix[64];
            snprintf(prefix, sizeof(prefix), "%zu:", lineno);
            cust_diag_print(&dg, stderr, prefix);
            json_t *o = json_object();
            json_object_set_new(o, "line", json_integer((json_int_t)lineno));
            json_t *errs = json_array();
            for (size_t i = 0; i < dg.n; i++)
                json_array_append_new(errs, json_string(dg.lines[i]));
            json_object_set_new(o, "errors", errs);
            char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
            fputs(s, stdout);
            fputc('\n', stdout);
            free(s);
            json_decref(o);
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
    cache_free(&pc);
    if (rc)
        return rc;
    return invalid ? 2 : 0;
}

int cmd_decide(int argc, char **argv, struct cli_ctx *ctx)
{
    (void)ctx;
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
    if (batch) {
        if (file)
            return cli_usage_error(usage, "--batch takes no other case file");
        return run_batch(batch, policy, dir, batch_trace);
    }
    if (!file)
        file = "-";
    FILE *f = strcmp(file, "-") == 0 ? stdin : fopen(file, "rb");
    if (!f) {
        fprintf(stderr, "custodian: cannot open '%s'\n", file);
        return 1;
    }
    struct cust_buf b = CUST_BUF_INIT;
    cust_buf_init(&b, 64u << 20);
    enum cust_status rs = read_all(f, &b);
    if (f != stdin)
        fclose(f);
    if (rs) {
        cust_buf_release(&b);
        fprintf(stderr, "custodian: cannot read '%s'\n", file);
        return rs == CUST_ETOOBIG ? 2 : 1;
    }
    struct cust_diag dg = CUST_DIAG_INIT;
    struct cust_case *c = NULL;
    int rc = 0;
    struct cust_policy *p = NULL;
    struct cust_decision *d = NULL;
    struct cust_err err = CUST_ERR_INIT;
    if (cust_case_parse(b.buf, b.len, &c, &dg)) {
        rc = 2;
        goto out;
    }
    const char *id = policy ? policy : cust_case_jurisdiction(c);
    if (!id) {
        cust_diag_add(&dg, "case.jurisdiction", "required (or give --policy)");
        rc = 2;
        goto out;
    }
    enum cust_status st = cust_policy_load(dir, id, &p, &err);
    if (st) {
        if (st == CUST_ENOTFOUND && !policy) {
            cust_diag_add(&dg, "case.jurisdiction", "%s", err.msg);
            rc = 2;
        } else {
            rc = cli_fail(&err);
            rc = rc == 2 ? 1 : rc; /* a broken policy file is not the case's fault */
        }
        goto out;
    }
    d = cust_decision_new();
    st = cust_decide(p, c, trace ? CUST_DECIDE_TRACE : 0, d, &err);
    if (st == CUST_EINVAL) {
        fprintf(stderr, "%s\n", err.msg);
        rc = 2;
        goto out;
    }
    if (st) {
        rc = 1;
        fprintf(stderr, "custodian: %s\n", err.msg);
        goto out;
    }
    json_t *o = cust_decision_to_json(p, c, d);
    char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    puts(s);
    free(s);
    json_decref(o);
out:
    if (cust_diag_count(&dg))
        cust_diag_print(&dg, stderr, NULL);
    cust_diag_release(&dg);
    cust_decision_free(d);
    cust_policy_free(p);
    cust_case_free(c);
    cust_buf_release(&b);
    return rc;
}
