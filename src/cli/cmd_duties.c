/* cmd_duties.c - `custodian duties`: the tasks requests trigger (serve a copy, notices, ...). */
#include "custodian/compat.h"
#include "custodian/desk.h"
#include "custodian/file.h"
#include "cli.h"

#include <errno.h>

static const char usage[] =
    "usage: custodian [--db PATH] [--as USER] duties COMMAND ...\n"
    "\n"
    "  list [--request ID] [--open] [--json]   duties, open first, earliest deadline first\n"
    "  done ID --by USER                        mark duty ID done\n"
    "  notice ID [--lang L] [--out FILE]        (re)generate the duty's notice or consent form;\n"
    "                                           the document is kept by its SHA-256\n"
    "\n"
    "Languages (--lang): en es zh tl vi ko, the six TRUTH Act languages of\n"
    "templates/notices/languages.csv; a translation is marked as needing review by a qualified\n"
    "translator until that file names who reviewed it.\n";

static const char *s_or(const json_t *o, const char *k, const char *dflt)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : dflt;
}

static int64_t id_arg(const char *s)
{
    if (!s)
        return -1;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || end == s || v <= 0)
        return -1;
    return v;
}

static const struct cli_sub subs[] = {
    {"list", "duties, open first, earliest deadline first",
     "usage: custodian [--db PATH] duties list [--request ID] [--open] [--json]\n\n"
     "Duties, open ones first, earliest deadline first, with their citations and the\n"
     "deadline's own (due_cite).\n"},
    {"done", "mark a duty done",
     "usage: custodian [--db PATH] duties done ID --by USER\n\n"
     "Mark duty ID done (its notice is rendered and kept first, when it has one).\n"},
    {"notice", "(re)generate a duty's notice or consent form",
     "usage: custodian [--db PATH] duties notice ID [--lang L] [--out FILE]\n\n"
     "Render the duty's notice or consent form; the document is kept by its SHA-256.\n"
     "L is one of en es zh tl vi ko, the six TRUTH Act languages of\n"
     "templates/notices/languages.csv; a translation is marked as needing review by a qualified\n"
     "translator until that file names who reviewed it (reviewed_by, reviewed_on).\n"},
};

int cmd_duties(int argc, char **argv, struct cli_ctx *ctx)
{
    int rc = 0;
    if (!cli_sub_find("duties", usage, subs, CUST_ARRAY_LEN(subs), sizeof(subs[0]), argc, argv,
                      &rc))
        return rc;
    const char *sub = argv[1];
    const char *request = NULL, *by = NULL, *lang = NULL, *outp = NULL, *idtext = NULL;
    bool json = false, open = false;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--request") == 0 && i + 1 < argc)
            request = argv[++i];
        else if (strcmp(a, "--by") == 0 && i + 1 < argc)
            by = argv[++i];
        else if (strcmp(a, "--lang") == 0 && i + 1 < argc)
            lang = argv[++i];
        else if (strcmp(a, "--out") == 0 && i + 1 < argc)
            outp = argv[++i];
        else if (strcmp(a, "--json") == 0)
            json = true;
        else if (strcmp(a, "--open") == 0)
            open = true;
        else if (a[0] == '-' && a[1])
            return cli_usage_error(usage, "unknown option '%s'", a);
        else if (!idtext)
            idtext = a;
        else
            return cli_usage_error(usage, "unexpected argument '%s'", a);
    }
    bool is_list = strcmp(sub, "list") == 0, is_done = strcmp(sub, "done") == 0,
         is_notice = strcmp(sub, "notice") == 0;
    if (!is_list && !is_done && !is_notice)
        return cli_usage_error(usage, "unknown duties command '%s'", sub);
    int64_t id = idtext ? id_arg(idtext) : -1;
    if (!is_list && id < 0)
        return cli_usage_error(usage, "duties %s: which duty (a number)?", sub);
    if (is_done && !by)
        return cli_usage_error(usage, "duties done: --by USER is required");

    struct cust_err err = CUST_ERR_INIT;
    struct cust_store *s = NULL;
    struct cust_desk_env *env = NULL;
    if (cust_desk_env_open(ctx->cfg, CUST_DESK_POLICY_FILES, &env, &err) != CUST_OK ||
        cust_store_open(ctx->db_path, is_list ? CUST_STORE_READONLY : CUST_STORE_OPEN, &s, &err) !=
            CUST_OK) {
        cust_desk_env_free(env);
        return cli_fail(&err);
    }
    struct cust_desk d;
    cust_desk_init(&d, env, s, ctx->user, "operator");
    enum cust_status st = CUST_OK;
    /* --by is who did it: an active account that may complete duties, or the operator */
    const char *role = NULL;
    if (is_done && (st = cli_actor(ctx, s, by, CUST_ACT_DUTY_COMPLETE, &role, &err)) != CUST_OK) {
        cust_desk_release(&d);
        cust_store_close(s);
        cust_desk_env_free(env);
        return cli_fail(&err);
    }
    if (is_done) {
        d.actor = by;
        d.role = role;
    }
    if (is_list) {
        struct cust_duty_filter f = {.request_id = request, .open_only = open};
        json_t *out = NULL;
        st = cust_desk_duties(&d, &f, &out, &err);
        if (st == CUST_OK && json) {
            json_dumpf(out, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
            putchar('\n');
        } else if (st == CUST_OK) {
            size_t i;
            json_t *x;
            json_array_foreach(out, i, x) printf(
                "%-6lld %-14s %-31s #%-7lld %-5s due %-20s%s\n",
                (long long)json_integer_value(json_object_get(x, "id")), s_or(x, "request_id", ""),
                s_or(x, "duty", ""), (long long)json_integer_value(json_object_get(x, "person_id")),
                s_or(x, "status", ""), s_or(x, "due", "-"),
                json_is_true(json_object_get(x, "overdue")) ? " OVERDUE" : "");
            printf("%zu dut%s\n", json_array_size(out), json_array_size(out) == 1 ? "y" : "ies");
        }
        json_decref(out);
    } else if (is_done) {
        st = cust_desk_duty_done(&d, id, by, &err);
        if (st == CUST_OK)
            printf("duty %lld done\n", (long long)id);
    } else {
        struct cust_buf b;
        cust_buf_init(&b, 0);
        st = cust_desk_notice(&d, id, lang, &b, &err);
        struct cust_outfile of; /* whole or absent (file.h) */
        if (st == CUST_OK && (st = cust_outfile_open(&of, outp, &err)) == CUST_OK) {
            if (fwrite(b.buf, 1, b.len, of.f) != b.len) {
                st = cust_err_set(&err, CUST_EIO, "cannot write '%s': %s", outp ? outp : "stdout",
                                  strerror(errno));
                cust_outfile_discard(&of);
            } else {
                st = cust_outfile_close(&of, &err);
            }
        }
        cust_buf_release(&b);
    }
    cust_desk_release(&d);
    cust_store_close(s);
    cust_desk_env_free(env);
    return st == CUST_OK ? 0 : cli_fail(&err);
}
