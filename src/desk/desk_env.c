/*
 * desk_env.c - what every desk of a process shares, opened once from the configuration
 * (desk.h): the holiday calendar, the policies, the county's jurisdiction and agency, the notice
 * templates and the duty deadline rules; and the desk's decider over the policies.
 */
#include "custodian/compat.h"
#include "custodian/config.h"
#include "desk_internal.h"

enum cust_status cust_desk_env_open(const struct cust_config *cfg, unsigned flags,
                                    struct cust_desk_env **out, struct cust_err *err)
{
    *out = NULL;
    struct cust_desk_env *e = cust_xcalloc(1, sizeof(*e));
    e->jurisdiction = cust_xstrdup(cust_config_get(cfg, CUST_CFG_JURISDICTION));
    e->agency_name = cust_xstrdup(cust_config_get(cfg, CUST_CFG_AGENCY_NAME));
    e->agency_address = cust_xstrdup(cust_config_get(cfg, CUST_CFG_AGENCY_ADDRESS));
    e->agency_phone = cust_xstrdup(cust_config_get(cfg, CUST_CFG_AGENCY_PHONE));
    e->agency_email = cust_xstrdup(cust_config_get(cfg, CUST_CFG_AGENCY_EMAIL));
    e->templates_dir = cust_xstrdup(cust_config_get(cfg, CUST_CFG_NOTICE_TEMPLATES));
    const char *pdir = cust_config_get(cfg, CUST_CFG_POLICIES);
    unsigned rflags = ((flags & CUST_DESK_POLICY_FILES) ? CUST_RESOLVE_FILES : 0) |
                      ((flags & CUST_DESK_PRELOAD) ? CUST_RESOLVE_PRELOAD : 0);
    enum cust_status st = cust_calendar_load(cust_config_get(cfg, CUST_CFG_CALENDAR), &e->cal, err);
    if (st == CUST_OK)
        st = desk_law_load(&e->law, pdir, err);
    if (st == CUST_OK)
        st = cust_policy_resolver_new(pdir, rflags, &e->policies, err);
    if (st != CUST_OK) {
        cust_desk_env_free(e);
        return st;
    }
    *out = e;
    return CUST_OK;
}

void cust_desk_env_free(struct cust_desk_env *e)
{
    if (!e)
        return;
    cust_calendar_free(e->cal);
    cust_policy_resolver_free(e->policies);
    desk_law_release(&e->law);
    free(e->jurisdiction);
    free(e->agency_name);
    free(e->agency_address);
    free(e->agency_phone);
    free(e->agency_email);
    free(e->templates_dir);
    free(e);
}

struct cust_policy_resolver *cust_desk_env_policies(const struct cust_desk_env *e)
{
    return e->policies;
}

const struct cust_calendar *cust_desk_env_calendar(const struct cust_desk_env *e)
{
    return e->cal;
}

const char *cust_desk_env_jurisdiction(const struct cust_desk_env *e)
{
    return e->jurisdiction;
}

void cust_desk_init(struct cust_desk *d, const struct cust_desk_env *env, struct cust_store *s,
                    const char *actor, const char *role)
{
    memset(d, 0, sizeof(*d));
    d->store = s;
    d->env = env;
    d->actor = actor;
    d->role = role;
}

enum cust_status desk_decide_case(struct cust_desk *d, const json_t *case_json, unsigned flags,
                                  json_t **decision, struct cust_err *err)
{
    *decision = NULL;
    struct desk_cache *dc = desk_cache(d);
    if (!dc->decision)
        dc->decision = cust_decision_new();
    struct cust_diag diag = CUST_DIAG_INIT;
    enum cust_status st = cust_policy_decide_json(d->env->policies, NULL, NULL, case_json, flags,
                                                  dc->decision, decision, &diag, err);
    cust_diag_release(&diag);
    if (st != CUST_OK)
        return st;
    json_t *p = json_object_get(*decision, "policy");
    if (!json_string_value(json_object_get(p, "id")) ||
        !json_string_value(json_object_get(p, "version")) ||
        !json_string_value(json_object_get(p, "sha256"))) {
        json_decref(*decision);
        *decision = NULL;
        return cust_err_set(err, CUST_EINTEGRITY, "decision without policy id, version, sha256");
    }
    return CUST_OK;
}
