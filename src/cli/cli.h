/*
 * cli.h - the command-line front end: one file per subcommand (git builtin/).
 *
 * Each subcommand is `int cmd_<name>(int argc, char **argv, struct cli_ctx *ctx)`
 * where argv[0] is the subcommand name. Exit codes: 0 success, 1 failure,
 * 2 invalid input. Every subcommand answers `--help` with its usage on stdout.
 */
#ifndef CUSTODIAN_CLI_H
#define CUSTODIAN_CLI_H

#include "custodian/auth.h"
#include "custodian/config.h"
#include "custodian/status.h"

#include <jansson.h>
#include <stdio.h>

struct cli_ctx {
    struct cust_config *cfg; /* loaded once by main (config.h): defaults, file, env, options */
    const char *db_path;     /* [store] path: --db, else $CUSTODIAN_DB, else ./custodian.db */
    const char *user;        /* [cli] user: --as USER, else $CUSTODIAN_USER, else $USER, "cli" */
};

typedef int (*cli_fn)(int argc, char **argv, struct cli_ctx *ctx);

struct cli_command {
    const char *name;
    cli_fn fn;
    const char *summary;
};

/* A subcommand: its name, a line for the command's help, and its own help. */
struct cli_sub {
    const char *name;
    const char *summary;
    const char *usage;
};

/*
 * The subcommand argv[1] of command `cmd` (argv[0]) among `n` entries of `subs` (an array of
 * structs of `size` bytes, each starting with a struct cli_sub). NULL when the caller should
 * return *rc instead: argv[1] missing or unknown (usage error, 2), `cmd --help` (the command's
 * `usage` and its subcommands, 0), `cmd SUB --help` (the subcommand's own usage, 0).
 */
const void *cli_sub_find(const char *cmd, const char *usage, const void *subs, size_t n,
                         size_t size, int argc, char **argv, int *rc);
/* Print the command's usage with its subcommands' summaries to `f`. */
void cli_sub_list(FILE *f, const char *usage, const void *subs, size_t n, size_t size);

/* True when argv holds -h or --help (before any "--"). */
bool cli_wants_help(int argc, char **argv);
/* Print `usage` to stdout and return 0 (for --help) . */
int cli_help(const char *usage);

/* One cell of a terminal table on stdout: `s` (NULL as "-") cut to `width` columns and padded
 * to it by display width (namekey.h cust_text_fit: a CJK letter takes 2 columns, a combining
 * accent none, so MEJÍA and MEJIA line up), then one space. */
void cli_cell(const char *s, size_t width);
/* Print "custodian: <msg>" and the usage to stderr, return 2. */
int cli_usage_error(const char *usage, const char *fmt, ...) CUST_PRINTF(2, 3);
/* Print "custodian: <err->msg>" to stderr and return the status's exit code. */
int cli_fail(const struct cust_err *err);

/* Who `--by` is (actor.c): the configured operator (*role "operator"), or an active account
 * whose role may take `action` (*role its role name, static). CUST_EDENIED naming why not
 * (no such account, disabled, a role that may not); nothing is written. */
struct cust_store;
enum cust_status cli_actor(const struct cli_ctx *ctx, struct cust_store *s, const char *by,
                           enum cust_action action, const char **role, struct cust_err *err);

/* A fulfilled data request (request_print.c): the summary kept with its answer
 * (cust_desk_summary), its decisions grouped by outcome, a page of the persons given something
 * (cust_desk_disclosed). */
void cli_print_summary(FILE *f, const json_t *summary);
void cli_print_outcomes(FILE *f, const json_t *summary);
void cli_print_disclosed(const json_t *page, const char *id);

struct cust_map;
/* Load a mapping file; on failure print every problem (FILE:LINE: path: reason) and return 2. */
int cli_load_map(const char *path, struct cust_map **out);

int cmd_feed(int argc, char **argv, struct cli_ctx *ctx);
int cmd_init(int argc, char **argv, struct cli_ctx *ctx);
int cmd_import(int argc, char **argv, struct cli_ctx *ctx);
int cmd_export(int argc, char **argv, struct cli_ctx *ctx);
int cmd_roster(int argc, char **argv, struct cli_ctx *ctx);
int cmd_show(int argc, char **argv, struct cli_ctx *ctx);
int cmd_history(int argc, char **argv, struct cli_ctx *ctx);
int cmd_audit(int argc, char **argv, struct cli_ctx *ctx);
int cmd_gen(int argc, char **argv, struct cli_ctx *ctx);
int cmd_decide(int argc, char **argv, struct cli_ctx *ctx);
int cmd_policy(int argc, char **argv, struct cli_ctx *ctx);
int cmd_request(int argc, char **argv, struct cli_ctx *ctx);
int cmd_duties(int argc, char **argv, struct cli_ctx *ctx);
int cmd_serve(int argc, char **argv, struct cli_ctx *ctx);
int cmd_publish(int argc, char **argv, struct cli_ctx *ctx);
int cmd_migrate(int argc, char **argv, struct cli_ctx *ctx);
int cmd_user(int argc, char **argv, struct cli_ctx *ctx);
int cmd_backup(int argc, char **argv, struct cli_ctx *ctx);
int cmd_restore(int argc, char **argv, struct cli_ctx *ctx);
int cmd_config(int argc, char **argv, struct cli_ctx *ctx);
int cmd_report(int argc, char **argv, struct cli_ctx *ctx);
int cmd_enforcement(int argc, char **argv, struct cli_ctx *ctx);
int cmd_demo(int argc, char **argv, struct cli_ctx *ctx);

/* Read the configuration again with `file` (a command's own --config), keeping the options. */
enum cust_status cli_config_reload(struct cli_ctx *ctx, const char *file, struct cust_err *err);
/* Override a configuration value from a command's option (source "option NAME"). */
void cli_config_option(struct cli_ctx *ctx, enum cust_config_key key, const char *option,
                       const char *value);

#endif
