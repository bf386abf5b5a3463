/*
 * cmd_user.c - `custodian user add|list|rekey|disable|enable|role|sessions|revoke`: staff
 * accounts for the console and the API. Every change is a ledger entry (cust_auth_user_change,
 * cust_web_rekey).
 */
#include "custodian/compat.h"
#include "custodian/auth.h"
#include "custodian/date.h"
#include "custodian/ledger.h"
#include "custodian/store_accounts.h"
#include "custodian/web.h"
#include "cli.h"

#include <jansson.h>
#include <sodium.h>

static const char usage[] =
    "usage: custodian [--db PATH] user add NAME --role ROLE [--passphrase-file FILE]\n"
    "                                  [--key-file FILE] [--json]\n"
    "       custodian [--db PATH] user list [--json]\n"
    "       custodian [--db PATH] user rekey [--key-file FILE]\n"
    "       custodian [--db PATH] user disable|enable|sessions|revoke NAME [--json]\n"
    "       custodian [--db PATH] user role NAME ROLE\n"
    "\n"
    "add   create a staff account. The passphrase is the first line of FILE, or of standard\n"
    "      input (at least 15 characters, not a common or repetitive phrase, not containing\n"
    "      the name). Prints the TOTP provisioning URI (otpauth://...) to load into an\n"
    "      authenticator app; sign-in needs the passphrase and the app's 6-digit code.\n"
    "      ROLE: clerk | supervisor | counsel | auditor | admin. Recorded in the ledger.\n"
    "list  the accounts (name, role, created, disabled, live sessions)\n"
    "rekey rotate the key file: a new key, every account's TOTP secret sealed again under it\n"
    "      in one transaction (recorded in the ledger), then the old key kept as\n"
    "      FILE.old-<UTC time> and the new one put in its place. Staff keep their\n"
    "      authenticator apps. Stop the server first (it keeps the key it started with).\n"
    "      Running it again finishes a rotation a crash interrupted. A backup made before\n"
    "      the rotation needs the old key (docs/operations.md, \"Keys\").\n"
    "disable   refuse the account's sign-in and end its sessions at once\n"
    "enable    allow the account to sign in again (ended sessions stay ended)\n"
    "role      give the account ROLE; its live sessions act with it from their next request\n"
    "sessions  the account's live sessions (id prefix, role, began, last seen)\n"
    "revoke    end every session of the account (it may sign in again)\n"
    "Each change is a ledger entry (user_disable, user_enable, user_role, user_revoke).\n"
    "\n"
    "--key-file FILE  the server key that encrypts TOTP secrets in the store (default:\n"
    "      $CUSTODIAN_KEY_FILE, else the store's path + .key). `add` creates it (32 random\n"
    "      bytes, mode 0600) when missing; a key file group or others may read is refused.\n"
    "      Keep it off the store's backups: without it a stolen store forges no codes, and\n"
    "      with it lost, every account needs a new TOTP secret.\n";

/* The first line of `f` into out (newline stripped). */
static bool read_line(FILE *f, char *out, size_t cap)
{
    if (!fgets(out, (int)cap, f))
        return false;
    size_t n = strlen(out);
    if (n == cap - 1 && out[n - 1] != '\n')
        return false; /* too long */
    while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r'))
        out[--n] = '\0';
    return true;
}

static enum cust_status list_row(const struct cust_user_row *r, void *arg)
{
    json_t *arr = arg;
    if (!arr) {
        printf("%-24s %-10s %s%s\n", r->name, r->role, r->created_at ? r->created_at : "",
               r->disabled ? " (disabled)" : "");
        return CUST_OK;
    }
    json_array_append_new(arr, json_pack("{s:s, s:s, s:s?, s:b}", "name", r->name, "role", r->role,
                                         "created_at", r->created_at, "disabled", r->disabled));
    return CUST_OK;
}

static int user_list(struct cli_ctx *ctx, bool json)
{
    struct cust_err err = CUST_ERR_INIT;
    struct cust_store *s;
    if (cust_store_open(ctx->db_path, CUST_STORE_READONLY, &s, &err) != CUST_OK)
        return cli_fail(&err);
    json_t *arr = json ? json_array() : NULL;
    enum cust_status st = cust_store_user_list(s, list_row, arr, &err);
    cust_store_close(s);
    if (st == CUST_OK && arr) {
        json_dumpf(arr, stdout, JSON_INDENT(2));
        putchar('\n');
    }
    json_decref(arr);
    return st == CUST_OK ? 0 : cli_fail(&err);
}

/* ---- disable, enable, role, sessions, revoke --------------------------------------------- */

static int user_change(struct cli_ctx *ctx, const char *name, enum cust_user_change what,
                       const char *role_name, bool json)
{
    enum cust_role role = CUST_ROLE_NONE;
    if (what == CUST_USER_SET_ROLE && !cust_role_parse(role_name, &role))
        return cli_usage_error(usage, "role: unknown role '%s'", role_name);
    struct cust_err err = CUST_ERR_INIT;
    struct cust_store *s;
    if (cust_store_open(ctx->db_path, CUST_STORE_OPEN, &s, &err) != CUST_OK)
        return cli_fail(&err);
    size_t ended = 0;
    enum cust_status st =
        cust_auth_user_change(s, name, what, role, ctx->user, "cli", &ended, &err);
    cust_store_close(s);
    if (st != CUST_OK)
        return cli_fail(&err);
    if (json) {
        json_t *o = json_pack("{s:s, s:s, s:I}", "name", name, "change",
                              cust_user_change_name(what), "sessions_ended", (json_int_t)ended);
        if (what == CUST_USER_SET_ROLE)
            json_object_set_new(o, "role", json_string(cust_role_name(role)));
        json_dumpf(o, stdout, JSON_INDENT(2));
        putchar('\n');
        json_decref(o);
    } else {
        printf("%s %s%s%s; %zu session%s ended\n", cust_user_change_name(what), name,
               what == CUST_USER_SET_ROLE ? " -> " : "",
               what == CUST_USER_SET_ROLE ? cust_role_name(role) : "", ended,
               ended == 1 ? "" : "s");
    }
    return 0;
}

static enum cust_status session_row(const struct cust_session_row *r, void *arg)
{
    json_t *arr = arg;
    char began[32], seen[32];
    cust_time_format(r->created, 0, true, began);
    cust_time_format(r->last_seen, 0, true, seen);
    if (!arr) {
        printf("%.12s  %-10s %s  %s\n", r->id, r->role, began, seen);
        return CUST_OK;
    }
    json_array_append_new(arr, json_pack("{s:s#, s:s, s:s, s:s}", "id", r->id, 12, "role", r->role,
                                         "created", began, "last_seen", seen));
    return CUST_OK;
}

static int user_sessions(struct cli_ctx *ctx, const char *name, bool json)
{
    struct cust_err err = CUST_ERR_INIT;
    struct cust_store *s;
    if (cust_store_open(ctx->db_path, CUST_STORE_READONLY, &s, &err) != CUST_OK)
        return cli_fail(&err);
    struct cust_user u;
    enum cust_status st = cust_auth_store_user_get(s, name, &u, &err);
    sodium_memzero(&u, sizeof(u));
    json_t *arr = json ? json_array() : NULL;
    if (st == CUST_OK)
        st = cust_store_session_list(s, name, session_row, arr, &err);
    cust_store_close(s);
    if (st == CUST_OK && arr) {
        json_dumpf(arr, stdout, JSON_INDENT(2));
        putchar('\n');
    }
    json_decref(arr);
    return st == CUST_OK ? 0 : cli_fail(&err);
}

static int user_add(struct cli_ctx *ctx, const char *name, const char *role_name,
                    const char *pass_file, const char *key_file, bool json)
{
    enum cust_role role;
    if (!cust_role_parse(role_name, &role))
        return cli_usage_error(usage, "--role: unknown role '%s'", role_name);
    char pass[CUST_PASS_MAX_BYTES + 2];
    FILE *f = stdin;
    if (pass_file && strcmp(pass_file, "-") != 0) {
        f = fopen(pass_file, "r");
        if (!f) {
            fprintf(stderr, "custodian: cannot read '%s'\n", pass_file);
            return 2;
        }
    }
    bool ok = read_line(f, pass, sizeof(pass));
    if (f != stdin)
        fclose(f);
    if (!ok) {
        sodium_memzero(pass, sizeof(pass));
        fprintf(stderr, "custodian: passphrase: expected one line of at most %d bytes\n",
                CUST_PASS_MAX_BYTES);
        return 2;
    }
    struct cust_err err = CUST_ERR_INIT;
    if (key_file)
        cli_config_option(ctx, CUST_CFG_KEY_FILE, "--key-file", key_file);
    struct cust_web_config wc;
    cust_web_config_defaults(&wc);
    wc.core = ctx->cfg;
    wc.connections = 1;
    wc.create_key = true;
    wc.accounts_only = true;
    struct cust_web *w = NULL;
    if (cust_web_new(&w, &wc, &err) != CUST_OK) {
        sodium_memzero(pass, sizeof(pass));
        return cli_fail(&err);
    }
    uint8_t key[CUST_TOTP_KEY_BYTES];
    enum cust_status st =
        cust_auth_user_create(cust_web_auth(w), name, role, pass, NULL, NULL, key, &err);
    sodium_memzero(pass, sizeof(pass));
    cust_web_free(w);
    if (st != CUST_OK)
        return cli_fail(&err);

    /* the ledger records who created which account with which role */
    struct cust_store *s;
    if (cust_store_open(ctx->db_path, CUST_STORE_OPEN, &s, &err) == CUST_OK) {
        char detail[160];
        snprintf(detail, sizeof(detail), "{\"role\":\"%s\"}", cust_role_name(role));
        struct cust_ledger_entry e = {.actor = ctx->user,
                                      .role = "cli",
                                      .action = "user_add",
                                      .object_type = "user",
                                      .object_id = name,
                                      .outcome = "ok",
                                      .purpose = "",
                                      .detail = detail};
        st = cust_ledger_append(s, &e, &err);
        cust_store_close(s);
    }
    struct cust_buf uri = CUST_BUF_INIT;
    if (st == CUST_OK)
        st = cust_totp_uri(name, key, sizeof(key), &uri);
    sodium_memzero(key, sizeof(key));
    if (st != CUST_OK) {
        cust_buf_release(&uri);
        return cli_fail(&err);
    }
    if (json) {
        json_t *o = json_pack("{s:s, s:s, s:s#}", "name", name, "role", cust_role_name(role),
                              "totp_uri", uri.buf, (int)uri.len);
        json_dumpf(o, stdout, JSON_INDENT(2));
        putchar('\n');
        json_decref(o);
    } else {
        printf("%.*s\n", (int)uri.len, uri.buf);
        fprintf(stderr, "user '%s' (%s) created; load the URI above into an authenticator app\n",
                name, cust_role_name(role));
    }
    cust_buf_release(&uri);
    return 0;
}

static int user_rekey(struct cli_ctx *ctx, const char *key_file)
{
    struct cust_err err = CUST_ERR_INIT;
    if (key_file)
        cli_config_option(ctx, CUST_CFG_KEY_FILE, "--key-file", key_file);
    struct cust_web_config wc;
    cust_web_config_defaults(&wc);
    wc.core = ctx->cfg;
    wc.connections = 1;
    wc.accounts_only = true;
    struct cust_web *w = NULL;
    if (cust_web_new(&w, &wc, &err) != CUST_OK)
        return cli_fail(&err);
    struct cust_web_rekey_result r;
    enum cust_status st = cust_web_rekey(w, ctx->user, &r, &err);
    if (st == CUST_OK && r.finished_interrupted)
        fprintf(stderr,
                "custodian: finished an interrupted rotation: key file '%s' is the new key; "
                "the old one is kept as '%s'\n",
                cust_web_key_path(w), r.old_key_path);
    else if (st == CUST_OK)
        fprintf(stderr,
                "custodian: %u TOTP secret%s sealed under a new key file '%s'; the old key "
                "is kept as '%s' (keep it with older backups, apart from them, or destroy "
                "it)\n",
                r.accounts, r.accounts == 1 ? "" : "s", cust_web_key_path(w), r.old_key_path);
    free(r.old_key_path);
    cust_web_free(w);
    return st == CUST_OK ? 0 : cli_fail(&err);
}

static const struct cli_sub subs[] = {
    {"add", "create a staff account (prints its TOTP provisioning URI)",
     "usage: custodian [--db PATH] user add NAME --role ROLE [--passphrase-file FILE]\n"
     "                                  [--key-file FILE] [--json]\n\n"
     "Create a staff account. The passphrase is the first line of FILE, or of standard input\n"
     "(at least 15 characters, not a common or repetitive phrase, not containing the name).\n"
     "Prints the TOTP provisioning URI (otpauth://...) to load into an authenticator app.\n"
     "ROLE: clerk | supervisor | counsel | auditor | admin. Recorded in the ledger.\n"
     "--key-file FILE: the server key that seals TOTP secrets ([store] key_file; created, mode\n"
     "0600, when missing).\n"},
    {"list", "the accounts (name, role, created, disabled)",
     "usage: custodian [--db PATH] user list [--json]\n\nThe accounts: name, role, created,\n"
     "whether disabled.\n"},
    {"rekey", "rotate the TOTP key file: every secret sealed again under a new key",
     "usage: custodian [--db PATH] user rekey [--key-file FILE]\n\n"
     "Rotate the key file ([store] key_file, --key-file): a new key, every account's TOTP secret\n"
     "sealed again under it in one transaction (recorded in the ledger), then the old key kept\n"
     "as FILE.old-<UTC time> and the new one put in its place. Staff keep their authenticator\n"
     "apps. Stop the server first (it keeps the key it started with). Running it again finishes\n"
     "a rotation a crash interrupted. A backup made before the rotation needs the old key\n"
     "(docs/operations.md, \"Keys\").\n"},
    {"disable", "refuse the account's sign-in and end its sessions",
     "usage: custodian [--db PATH] user disable NAME [--json]\n\n"
     "Refuse the account's sign-in and end every session it has, at once. A ledger entry\n"
     "(user_disable) records who did it and how many sessions ended.\n"},
    {"enable", "allow a disabled account to sign in again",
     "usage: custodian [--db PATH] user enable NAME [--json]\n\n"
     "Allow the account to sign in again; sessions ended by `disable` stay ended. Ledger:\n"
     "user_enable.\n"},
    {"role", "give an account another role",
     "usage: custodian [--db PATH] user role NAME ROLE [--json]\n\n"
     "Give the account ROLE (clerk | supervisor | counsel | auditor | admin). Its live\n"
     "sessions act with the new role from their next request. Ledger: user_role (from, to).\n"},
    {"sessions", "the account's live sessions",
     "usage: custodian [--db PATH] user sessions NAME [--json]\n\n"
     "The account's sessions: the first 12 hex digits of the session id (a hash of the\n"
     "cookie, never the cookie), the role it began with, when it began, when last seen.\n"
     "Works on a read-only copy of the store.\n"},
    {"revoke", "end every session of an account",
     "usage: custodian [--db PATH] user revoke NAME [--json]\n\n"
     "End every session of the account at once (it may sign in again). Ledger: user_revoke.\n"},
};

static const struct {
    const char *name;
    enum cust_user_change what;
} changes[] = {{"disable", CUST_USER_DISABLE},
               {"enable", CUST_USER_ENABLE},
               {"role", CUST_USER_SET_ROLE},
               {"revoke", CUST_USER_REVOKE}};

int cmd_user(int argc, char **argv, struct cli_ctx *ctx)
{
    int rc = 0;
    if (!cli_sub_find("user", usage, subs, CUST_ARRAY_LEN(subs), sizeof(subs[0]), argc, argv, &rc))
        return rc;
    const char *sub = NULL, *name = NULL, *role = NULL, *pass_file = NULL, *key_file = NULL,
               *arg3 = NULL;
    bool json = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--json") == 0) {
            json = true;
        } else if (strcmp(a, "--role") == 0 || strcmp(a, "--passphrase-file") == 0 ||
                   strcmp(a, "--key-file") == 0) {
            if (i + 1 >= argc)
                return cli_usage_error(usage, "'%s' needs a value", a);
            *(a[2] == 'r' ? &role : a[2] == 'p' ? &pass_file : &key_file) = argv[++i];
        } else if (a[0] == '-' && a[1] != '\0') {
            return cli_usage_error(usage, "unknown option '%s'", a);
        } else if (!sub) {
            sub = a;
        } else if (!name) {
            name = a;
        } else if (!arg3 && strcmp(sub, "role") == 0) {
            arg3 = a;
        } else {
            return cli_usage_error(usage, "unexpected argument '%s'", a);
        }
    }
    if (sub && strcmp(sub, "list") == 0 && !name)
        return user_list(ctx, json);
    if (sub && strcmp(sub, "rekey") == 0 && !name && !role && !pass_file && !json)
        return user_rekey(ctx, key_file);
    if (sub && strcmp(sub, "sessions") == 0)
        return name ? user_sessions(ctx, name, json)
                    : cli_usage_error(usage, "sessions: give the user's NAME");
    for (size_t i = 0; sub && i < CUST_ARRAY_LEN(changes); i++) {
        if (strcmp(sub, changes[i].name) != 0)
            continue;
        if (!name)
            return cli_usage_error(usage, "%s: give the user's NAME", sub);
        if (changes[i].what == CUST_USER_SET_ROLE && !arg3)
            return cli_usage_error(usage, "role: give the NAME and the new ROLE");
        return user_change(ctx, name, changes[i].what, arg3, json);
    }
    if (!sub || strcmp(sub, "add") != 0)
        return cli_usage_error(
            usage, "user what? (add | list | rekey | disable | enable | role | sessions | revoke)");
    if (!name)
        return cli_usage_error(usage, "add: give the user's NAME");
    if (!role)
        return cli_usage_error(usage, "add: give --role");
    return user_add(ctx, name, role, pass_file, key_file, json);
}
