/* main.c - global options and subcommand dispatch. */
#include "custodian/compat.h"
#include "cli.h"

#include <stdarg.h>

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
    {"user", cmd_user, "manage staff accounts"},
};

static const char usage[] =
    "usage: custodian [--db PATH] [--as USER] COMMAND [ARGS...]\n"
    "\n"
    "custodian keeps a county jail's custody record and answers federal\n"
    "immigration requests under the law in force on the day.\n"
    "\n"
    "global options:\n"
    "  --db PATH    the store (default $CUSTODIAN_DB, else ./custodian.db)\n"
    "  --as USER    who is acting, for the ledger (default $CUSTODIAN_USER, else $USER)\n"
    "  --help       this text; `custodian COMMAND --help` for a command\n"
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

int main(int argc, char **argv)
{
    struct cli_ctx ctx = {0};
    ctx.db_path = getenv("CUSTODIAN_DB");
    ctx.user = getenv("CUSTODIAN_USER");
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
            ctx.db_path = argv[++i];
        } else if (strncmp(argv[i], "--db=", 5) == 0) {
            ctx.db_path = argv[i] + 5;
        } else if (strcmp(argv[i], "--as") == 0 && i + 1 < argc) {
            ctx.user = argv[++i];
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
    if (!ctx.db_path || !*ctx.db_path)
        ctx.db_path = "custodian.db";
    if (!ctx.user || !*ctx.user)
        ctx.user = getenv("USER");
    if (!ctx.user || !*ctx.user)
        ctx.user = "cli";
    if (i >= argc) {
        print_usage(stderr);
        return 2;
    }
    for (size_t c = 0; c < CUST_ARRAY_LEN(commands); c++) {
        if (strcmp(argv[i], commands[c].name) == 0)
            return commands[c].fn(argc - i, argv + i, &ctx);
    }
    fprintf(stderr, "custodian: '%s' is not a command; see 'custodian --help'\n", argv[i]);
    return 2;
}
