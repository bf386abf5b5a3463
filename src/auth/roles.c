/*
 * roles.c - who may do what: ONE role x action matrix, deny by default.
 *
 * Anything not marked here is refused, including unknown roles and actions. Documented (and
 * kept in sync) in docs/internals/auth.md; tests/unit/test_roles.c checks every cell.
 */
#include "custodian/compat.h"
#include "custodian/auth.h"

static const char *const role_names[CUST_ROLE_COUNT] = {
    [CUST_ROLE_NONE] = NULL,
    [CUST_ROLE_CLERK] = "clerk",
    [CUST_ROLE_SUPERVISOR] = "supervisor",
    [CUST_ROLE_COUNSEL] = "counsel",
    [CUST_ROLE_AUDITOR] = "auditor",
    [CUST_ROLE_ADMIN] = "admin",
};

static const char *const action_names[CUST_ACT_COUNT] = {
    [CUST_ACT_ROSTER_READ] = "roster.read",
    [CUST_ACT_PERSON_READ_RESTRICTED] = "person.read_restricted",
    [CUST_ACT_REQUEST_READ] = "request.read",
    [CUST_ACT_REQUEST_CREATE] = "request.create",
    [CUST_ACT_REQUEST_DECIDE] = "request.decide",
    [CUST_ACT_REQUEST_ACT] = "request.act",
    [CUST_ACT_REQUEST_CONFIRM_MATCH] = "request.confirm_match",
    [CUST_ACT_REQUEST_FULFILL] = "request.fulfill",
    [CUST_ACT_DUTY_READ] = "duty.read",
    [CUST_ACT_DUTY_COMPLETE] = "duty.complete",
    [CUST_ACT_AUDIT_READ] = "audit.read",
    [CUST_ACT_USER_MANAGE] = "user.manage",
    [CUST_ACT_POLICY_READ] = "policy.read",
    [CUST_ACT_REPORT_READ] = "report.read",
    [CUST_ACT_OVERSIGHT_READ] = "oversight.read",
    [CUST_ACT_RECORDS_EXPORT] = "records.export",
    [CUST_ACT_ENFORCEMENT_CREATE] = "enforcement.create",
    [CUST_ACT_ENFORCEMENT_READ] = "enforcement.read",
    [CUST_ACT_REQUEST_CLOSE] = "request.close",
};

#define Y true
#define _ false

/* clang-format off */
static const bool matrix[CUST_ACT_COUNT][CUST_ROLE_COUNT] = {
    /*                                   none clerk super counsel auditor admin */
    [CUST_ACT_ROSTER_READ]            = {_,   Y,    Y,    Y,      Y,      _},
    [CUST_ACT_PERSON_READ_RESTRICTED] = {_,   _,    Y,    Y,      _,      _},
    [CUST_ACT_REQUEST_READ]           = {_,   Y,    Y,    Y,      Y,      _},
    [CUST_ACT_REQUEST_CREATE]         = {_,   Y,    Y,    _,      _,      _},
    [CUST_ACT_REQUEST_DECIDE]         = {_,   _,    Y,    Y,      _,      _},
    [CUST_ACT_REQUEST_ACT]            = {_,   Y,    Y,    _,      _,      _},
    [CUST_ACT_REQUEST_CONFIRM_MATCH]  = {_,   _,    Y,    _,      _,      _},
    [CUST_ACT_REQUEST_FULFILL]        = {_,   _,    Y,    Y,      _,      _},
    [CUST_ACT_DUTY_READ]              = {_,   Y,    Y,    Y,      Y,      _},
    [CUST_ACT_DUTY_COMPLETE]          = {_,   Y,    Y,    _,      _,      _},
    [CUST_ACT_AUDIT_READ]             = {_,   _,    _,    _,      Y,      Y},
    [CUST_ACT_USER_MANAGE]            = {_,   _,    _,    _,      _,      Y},
    [CUST_ACT_POLICY_READ]            = {_,   Y,    Y,    Y,      Y,      Y},
    [CUST_ACT_REPORT_READ]            = {_,   _,    Y,    Y,      Y,      _},
    [CUST_ACT_OVERSIGHT_READ]         = {_,   _,    _,    _,      Y,      _},
    [CUST_ACT_RECORDS_EXPORT]         = {_,   _,    Y,    Y,      _,      _},
    [CUST_ACT_ENFORCEMENT_CREATE]     = {_,   Y,    Y,    _,      _,      _},
    [CUST_ACT_ENFORCEMENT_READ]       = {_,   _,    Y,    Y,      Y,      _},
    [CUST_ACT_REQUEST_CLOSE]          = {_,   _,    Y,    Y,      _,      _},
};
/* clang-format on */

#undef Y
#undef _

const char *cust_role_name(enum cust_role role)
{
    if ((int)role < 0 || role >= CUST_ROLE_COUNT)
        return NULL;
    return role_names[role];
}

bool cust_role_parse(const char *name, enum cust_role *out)
{
    *out = CUST_ROLE_NONE;
    for (int r = CUST_ROLE_NONE + 1; r < CUST_ROLE_COUNT; r++) {
        if (name && strcmp(name, role_names[r]) == 0) {
            *out = (enum cust_role)r;
            return true;
        }
    }
    return false;
}

const char *cust_action_name(enum cust_action action)
{
    if ((int)action < 0 || action >= CUST_ACT_COUNT)
        return NULL;
    return action_names[action];
}

bool cust_action_parse(const char *name, enum cust_action *out)
{
    for (int a = 0; a < CUST_ACT_COUNT; a++) {
        if (name && strcmp(name, action_names[a]) == 0) {
            *out = (enum cust_action)a;
            return true;
        }
    }
    return false;
}

bool cust_role_allows(enum cust_role role, enum cust_action action)
{
    if ((int)role <= CUST_ROLE_NONE || role >= CUST_ROLE_COUNT || (int)action < 0 ||
        action >= CUST_ACT_COUNT)
        return false;
    return matrix[action][role];
}

bool cust_role_allows_name(const char *role, const char *action)
{
    enum cust_role r;
    enum cust_action a;
    return cust_role_parse(role, &r) && cust_action_parse(action, &a) && cust_role_allows(r, a);
}

void cust_action_roles(enum cust_action action, char *buf, size_t size)
{
    size_t len = 0;
    if (size)
        buf[0] = '\0';
    for (int r = CUST_ROLE_NONE + 1; r < CUST_ROLE_COUNT && size; r++) {
        if (!cust_role_allows((enum cust_role)r, action))
            continue;
        int n = snprintf(buf + len, size - len, "%s%s", len ? ", " : "", role_names[r]);
        if (n < 0 || (size_t)n >= size - len) {
            buf[len] = '\0'; /* whole roles only */
            break;
        }
        len += (size_t)n;
    }
}
