/*
 * desk_policy.c - the policy engine as the desk's decider (desk.h): case JSON in, decision JSON
 * out, through the same functions as `custodian decide`.
 */
#include "custodian/compat.h"
#include "custodian/desk.h"
#include "custodian/policy.h"

#define POLICY_CACHE 8

struct cust_desk_policy {
    char *dir, *policy;
    char *ids[POLICY_CACHE];
    struct cust_policy *p[POLICY_CACHE];
    size_t n;
    unsigned flags; /* for cust_decide */
    struct cust_decision *dec;
};

struct cust_desk_policy *cust_desk_policy_new(const char *dir, const char *policy)
{
    struct cust_desk_policy *dp = cust_xcalloc(1, sizeof(*dp));
    dp->dir = dir ? cust_xstrdup(dir) : NULL;
    dp->policy = policy ? cust_xstrdup(policy) : NULL;
    dp->dec = cust_decision_new();
    return dp;
}

void cust_desk_policy_free(struct cust_desk_policy *dp)
{
    if (!dp)
        return;
    for (size_t i = 0; i < dp->n; i++) {
        free(dp->ids[i]);
        cust_policy_free(dp->p[i]);
    }
    cust_decision_free(dp->dec);
    free(dp->dir);
    free(dp->policy);
    free(dp);
}

void cust_desk_policy_set_flags(struct cust_desk_policy *dp, unsigned flags)
{
    dp->flags = flags;
}

static enum cust_status get_policy(struct cust_desk_policy *dp, const char *id,
                                   struct cust_policy **out, struct cust_err *err)
{
    for (size_t i = 0; i < dp->n; i++)
        if (strcmp(dp->ids[i], id) == 0) {
            *out = dp->p[i];
            return CUST_OK;
        }
    struct cust_policy *p;
    enum cust_status st = cust_policy_load(dp->dir, id, &p, err);
    if (st != CUST_OK)
        return st;
    if (dp->n == POLICY_CACHE) {
        free(dp->ids[0]);
        cust_policy_free(dp->p[0]);
        memmove(dp->ids, dp->ids + 1, (POLICY_CACHE - 1) * sizeof(dp->ids[0]));
        memmove(dp->p, dp->p + 1, (POLICY_CACHE - 1) * sizeof(dp->p[0]));
        dp->n--;
    }
    dp->ids[dp->n] = cust_xstrdup(id);
    dp->p[dp->n++] = p;
    *out = p;
    return CUST_OK;
}

enum cust_status cust_desk_policy_decide(void *arg, const json_t *case_json, json_t **decision,
                                         struct cust_err *err)
{
    struct cust_desk_policy *dp = arg;
    *decision = NULL;
    struct cust_case *c = NULL;
    struct cust_diag diag = CUST_DIAG_INIT;
    if (cust_case_from_json(case_json, &c, &diag) != CUST_OK) {
        enum cust_status st =
            cust_err_set(err, CUST_EINVAL, "%s", diag.n ? diag.lines[0] : "invalid case");
        cust_diag_release(&diag);
        return st;
    }
    cust_diag_release(&diag);
    const char *id = dp->policy ? dp->policy : cust_case_jurisdiction(c);
    struct cust_policy *p = NULL;
    enum cust_status st = id ? get_policy(dp, id, &p, err)
                             : cust_err_set(err, CUST_EINVAL, "case without jurisdiction");
    if (st == CUST_OK)
        st = cust_decide(p, c, dp->flags, dp->dec, err);
    if (st == CUST_OK)
        *decision = cust_decision_to_json(p, c, dp->dec);
    cust_case_free(c);
    return st;
}
