/*
 * actor.c - who `--by USER` is (cli.h cli_actor): an active staff account whose role may take
 * the action, or the CLI's configured operator ([cli] user: --as, $CUSTODIAN_USER). Anyone
 * else is refused before anything is written, and the ledger records the account's real role.
 */
#include "custodian/compat.h"
#include "custodian/auth.h"
#include "cli.h"

#include <sodium.h>

enum cust_status cli_actor(const struct cli_ctx *ctx, struct cust_store *s, const char *by,
                           enum cust_action action, const char **role, struct cust_err *err)
{
    *role = NULL;
    if (ctx->user && strcmp(by, ctx->user) == 0) {
        *role = "operator";
        return CUST_OK;
    }
    struct cust_user u;
    enum cust_status st = cust_auth_store_user_get(s, by, &u, err);
    bool disabled = st == CUST_OK && u.disabled;
    enum cust_role r = st == CUST_OK ? u.role : CUST_ROLE_NONE;
    sodium_memzero(&u, sizeof(u));
    if (st == CUST_ENOTFOUND)
        return cust_err_set(err, CUST_EDENIED,
                            "--by '%s': no such account ('custodian user add'), and not the "
                            "operator '%s' ([cli] user, --as)",
                            by, ctx->user ? ctx->user : "");
    if (st != CUST_OK)
        return st;
    if (disabled)
        return cust_err_set(err, CUST_EDENIED, "--by '%s': the account is disabled", by);
    if (!cust_role_allows(r, action)) {
        char who[96];
        cust_action_roles(action, who, sizeof(who));
        return cust_err_set(err, CUST_EDENIED, "--by '%s': a %s may not %s (%s may)", by,
                            cust_role_name(r) ? cust_role_name(r) : "?", cust_action_name(action),
                            who);
    }
    *role = cust_role_name(r);
    return CUST_OK;
}
