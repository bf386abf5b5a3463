/* main.c - global options and subcommand dispatch. */
#include "custodian/compat.h"
#include "custodian/namekey.h"
#include "cli.h"

#include <errno.h>
#include <stdarg.h>

static int cmd_help(int argc, char **argv, struct cli_ctx *ctx);

static const struct cli_command commands[] = {
    {"init", cmd_init, "create an empty custody store"},
    {"import", cmd_import, "import bookings from custody JSON Lines"},
    {"export", cmd_export, "export bookings as custody JSON Lines"},
    {"feed", cmd_feed, "daily feeds from the jail system: run, status, review, convert"},
    {"roster", cmd_roster, "list bookings in custody on a day"},
    {"show", cmd_show, "show one booking or person"},
    {"history", cmd_history, "list every version of a booking"},
    {"audit", cmd_audit, "verify the audit ledger"},
    {"gen", cmd_gen, "generate a synthetic county as JSON Lines"},
    {"decide", cmd_decide, "decide one case under the law in force"},
    {"policy", cmd_policy, "check, show and explain policies"},
    {"request", cmd_request, "the request desk: add, match, decide, act, fulfil"},
    {"duties", cmd_duties, "duties triggered by requests: list, done"},
    {"serve", cmd_serve, "serve the HTTP API, the public locator and the staff console"},
    {"publish", cmd_publish, "write the public view alone to a file for a public server"},
    {"migrate", cmd_migrate, "bring an older store's schema up to date"},
    {"user", cmd_user, "manage staff accounts"},
    {"backup", cmd_backup, "back the store up into a folder, with a manifest"},
    {"restore", cmd_restore, "restore a backup, checked before anything is replaced"},
    {"report", cmd_report, "oversight reports: detainers, transfers, forum, IG view, CPRA"},
    {"enforcement", cmd_enforcement, "the log of federal enforcement actions in the county"},
    {"demo", cmd_demo, "the demo county's history, worked through the desk"},
    {"config", cmd_config, "show the effective configuration and where each value comes from"},
    {"help", cmd_help, "a command's own help: custodian help COMMAND [SUBCOMMAND]"},
};

static const char usage[] =
    "usage: custodian [--config FILE] [--db PATH] [--as USER] COMMAND [ARGS...]\n"
    "\n"
    "custodian keeps a county jail's custody record and answers federal\n"
    "immigration requests under the law in force on the day.\n"
    "\n"
    "global options:\n"
    "  --config FILE  the configuration file (default $CUSTODIAN_CONFIG; see\n"
    "                 `custodian config show`)\n"
    "  --db PATH      the store (default $CUSTODIAN_DB, else [store] path, else ./custodian.db)\n"
    "  --as USER      who is acting, for the ledger (default $CUSTODIAN_USER, else $USER)\n"
    "  --help         this text; `custodian help COMMAND [SUB]` (or COMMAND [SUB] --help) for\n"
    "                 a command's own\n"
    "\n"
    "commands:\n";

static void print_usage(FILE *f)
{
    fputs(usage, f);
    for (size_t i = 0; i < CUST_ARRAY_LEN(commands); i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
}

bool cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            return false;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return true;
    }
    return false;
}

static const struct cli_sub *sub_at(const void *subs, size_t size, size_t i)
{
    return (const struct cli_sub *)(const void *)((const char *)subs + i * size);
}

void cli_sub_list(FILE *f, const char *cmd_usage, const void *subs, size_t n, size_t size)
{
    fputs(cmd_usage, f);
    fputs("\ncommands (COMMAND --help for one's own help):\n", f);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "  %-10s %s\n", sub_at(subs, size, i)->name, sub_at(subs, size, i)->summary);
}

const void *cli_sub_find(const char *cmd, const char *cmd_usage, const void *subs, size_t n,
                         size_t size, int argc, char **argv, int *rc)
{
    if (argc < 2) {
        fprintf(stderr, "custodian: which %s command?\n", cmd);
        cli_sub_list(stderr, cmd_usage, subs, n, size);
        *rc = 2;
        return NULL;
    }
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        cli_sub_list(stdout, cmd_usage, subs, n, size);
        *rc = 0;
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        const struct cli_sub *s = sub_at(subs, size, i);
        if (strcmp(argv[1], s->name) != 0)
            continue;
        if (cli_wants_help(argc - 1, argv + 1)) {
            fputs(s->usage, stdout);
            *rc = 0;
            return NULL;
        }
        return s;
    }
    fprintf(stderr, "custodian: unknown %s command '%s'\n", cmd, argv[1]);
    cli_sub_list(stderr, cmd_usage, subs, n, size);
    *rc = 2;
    return NULL;
}

void cli_cell(const char *s, size_t width)
{
    char cell[512];
    cust_text_fit(s ? s : "-", width, true, cell, sizeof(cell));
    fputs(cell, stdout);
    putchar(' ');
}

int cli_help(const char *text)
{
    fputs(text, stdout);
    return 0;
}

int cli_usage_error(const char *text, const char *fmt, ...)
{
    va_list ap;
    fputs("custodian: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fputs(text, stderr);
    return 2;
}

int cli_fail(const struct cust_err *err)
{
    fprintf(stderr, "custodian: %s\n", err->msg[0] ? err->msg : cust_status_name(err->code));
    return cust_status_exit_code(err->code);
}

/*
 * What a command printed on standard output is part of its answer (the id of a stored request,
 * an export): when it could not all be written (a full disk, a closed pipe's EIO), say so and
 * fail rather than exit 0 with the answer lost. Standard output is buffered, so the last write
 * happens here.
 */
static int finish(int rc)
{
    errno = 0;
    bool bad = ferror(stdout) != 0;
    bad = fflush(stdout) != 0 || bad;
    int e = errno;
    bad = fclose(stdout) != 0 || bad;
    if (!e)
        e = errno;
    if (!bad || rc != 0) /* a failed command has said why already */
        return rc;
    fprintf(stderr, "custodian: cannot write to standard output: %s\n",
            e ? strerror(e) : "write error");
    return 1;
}

/* `custodian help [COMMAND [SUBCOMMAND]]`: the command's own --help. */
static int cmd_help(int argc, char **argv, struct cli_ctx *ctx)
{
    if (argc < 2) {
        print_usage(stdout);
        return 0;
    }
    for (size_t c = 0; c < CUST_ARRAY_LEN(commands); c++) {
        if (strcmp(argv[1], commands[c].name) != 0 || commands[c].fn == cmd_help)
            continue;
        char help[] = "--help";
        char *args[4] = {argv[1], argc > 2 ? argv[2] : help, help, NULL};
        return commands[c].fn(argc > 2 ? 3 : 2, args, ctx);
    }
    fprintf(stderr, "custodian: '%s' is not a command; see 'custodian --help'\n", argv[1]);
    return 2;
}

void cli_config_option(struct cli_ctx *ctx, enum cust_config_key key, const char *option,
                       const char *value)
{
    char source[96];
    snprintf(source, sizeof(source), "option %s", option);
    cust_config_set(ctx->cfg, key, value, source);
    ctx->db_path = cust_config_get(ctx->cfg, CUST_CFG_STORE_PATH);
    ctx->user = cust_config_get(ctx->cfg, CUST_CFG_USER);
}

enum cust_status cli_config_reload(struct cli_ctx *ctx, const char *file, struct cust_err *err)
{
    struct cust_config *fresh = NULL;
    enum cust_status st = cust_config_load(file, &fresh, err);
    if (st != CUST_OK)
        return st;
    /* the options given so far still win */
    for (int k = 0; k < CUST_CFG_COUNT; k++) {
        const char *src = cust_config_source(ctx->cfg, (enum cust_config_key)k);
        if (strncmp(src, "option ", 7) == 0)
            cust_config_set(fresh, (enum cust_config_key)k,
                            cust_config_get(ctx->cfg, (enum cust_config_key)k), src);
    }
    cust_config_free(ctx->cfg);
    ctx->cfg = fresh;
    ctx->db_path = cust_config_get(ctx->cfg, CUST_CFG_STORE_PATH);
    ctx->user = cust_config_get(ctx->cfg, CUST_CFG_USER);
    return cust_config_apply(ctx->cfg, err);
}

static int run(int argc, char **argv, struct cli_ctx *ctx)
{
    const char *config = NULL, *db = NULL, *as = NULL;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
            db = argv[++i];
        } else if (strncmp(argv[i], "--db=", 5) == 0) {
            db = argv[i] + 5;
        } else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
            config = argv[++i];
        } else if (strcmp(argv[i], "--as") == 0 && i + 1 < argc) {
            as = argv[++i];
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            print_usage(stdout);
            return 0;
        } else if (strcmp(argv[i], "--version") == 0) {
            puts("custodian " CUSTODIAN_VERSION);
            return 0;
        } else {
            fprintf(stderr, "custodian: unknown option '%s'\n", argv[i]);
            print_usage(stderr);
            return 2;
        }
    }
    if (i >= argc) {
        print_usage(stderr);
        return 2;
    }
    const struct cli_command *cmd = NULL;
    for (size_t c = 0; c < CUST_ARRAY_LEN(commands); c++)
        if (strcmp(argv[i], commands[c].name) == 0)
            cmd = &commands[c];
    if (!cmd) {
        fprintf(stderr, "custodian: '%s' is not a command; see 'custodian --help'\n", argv[i]);
        return 2;
    }
    /* the one configuration: defaults, file, environment, then the options */
    struct cust_err err = CUST_ERR_INIT;
    if (cust_config_load(config, &ctx->cfg, &err) != CUST_OK)
        return cli_fail(&err);
    ctx->db_path = cust_config_get(ctx->cfg, CUST_CFG_STORE_PATH);
    ctx->user = cust_config_get(ctx->cfg, CUST_CFG_USER);
    if (db && *db)
        cli_config_option(ctx, CUST_CFG_STORE_PATH, "--db", db);
    if (as && *as)
        cli_config_option(ctx, CUST_CFG_USER, "--as", as);
    if (cust_config_apply(ctx->cfg, &err) != CUST_OK)
        return cli_fail(&err);
    return cmd->fn(argc - i, argv + i, ctx);
}

int main(int argc, char **argv)
{
    struct cli_ctx ctx = {0};
    int rc = run(argc, argv, &ctx);
    cust_config_free(ctx.cfg);
    return finish(rc);
}
