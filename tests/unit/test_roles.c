/* Unit tests for src/auth/roles.c: every cell of the role x action matrix, deny by default. */
#include "custodian/compat.h"
#include "custodian/auth.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

/* The expected matrix, written out independently of roles.c (docs/internals/auth.md). */
static const struct {
    const char *action;
    const char *allowed; /* space-separated roles */
} expected[] = {
    {"roster.read", "clerk supervisor counsel auditor"},
    {"person.read_restricted", "supervisor counsel"},
    {"request.read", "clerk supervisor counsel auditor"},
    {"request.create", "clerk supervisor"},
    {"request.decide", "supervisor counsel"},
    {"request.act", "clerk supervisor"},
    {"request.confirm_match", "supervisor"},
    {"request.fulfill", "supervisor counsel"},
    {"duty.read", "clerk supervisor counsel auditor"},
    {"duty.complete", "clerk supervisor"},
    {"audit.read", "auditor admin"},
    {"user.manage", "admin"},
    {"policy.read", "clerk supervisor counsel auditor admin"},
    {"report.read", "supervisor counsel auditor"},
    {"oversight.read", "auditor"},
    {"records.export", "supervisor counsel"},
    {"enforcement.create", "clerk supervisor"},
    {"enforcement.read", "supervisor counsel auditor"},
    {"request.close", "supervisor counsel"},
};

static const char *const roles[] = {"clerk", "supervisor", "counsel", "auditor", "admin"};

static bool listed(const char *list, const char *role)
{
    size_t n = strlen(role);
    for (const char *p = list; (p = strstr(p, role)) != NULL; p += n)
        if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
            return true;
    return false;
}

static void test_every_cell(void **state)
{
    (void)state;
    assert_int_equal(CUST_ARRAY_LEN(expected), CUST_ACT_COUNT);
    size_t cells = 0;
    for (size_t a = 0; a < CUST_ARRAY_LEN(expected); a++) {
        enum cust_action act;
        assert_true(cust_action_parse(expected[a].action, &act));
        assert_string_equal(cust_action_name(act), expected[a].action);
        for (size_t r = 0; r < CUST_ARRAY_LEN(roles); r++) {
            enum cust_role role;
            assert_true(cust_role_parse(roles[r], &role));
            bool want = listed(expected[a].allowed, roles[r]);
            if (cust_role_allows(role, act) != want)
                fail_msg("%s x %s: expected %s", roles[r], expected[a].action,
                         want ? "allow" : "deny");
            assert_int_equal(cust_role_allows_name(roles[r], expected[a].action), want);
            cells++;
        }
        /* No role at all: nothing. */
        assert_false(cust_role_allows(CUST_ROLE_NONE, act));
    }
    assert_int_equal(cells, (size_t)(CUST_ROLE_COUNT - 1) * CUST_ACT_COUNT);
}

static void test_deny_by_default(void **state)
{
    (void)state;
    enum cust_role r;
    enum cust_action a;
    assert_false(cust_role_parse("root", &r));
    assert_int_equal(r, CUST_ROLE_NONE);
    assert_false(cust_role_parse("Admin", &r));
    assert_false(cust_role_parse(NULL, &r));
    assert_false(cust_action_parse("roster.write", &a));
    assert_false(cust_role_allows_name("admin", "everything"));
    assert_false(cust_role_allows_name("superuser", "roster.read"));
    assert_false(cust_role_allows((enum cust_role)99, CUST_ACT_ROSTER_READ));
    assert_false(cust_role_allows(CUST_ROLE_ADMIN, (enum cust_action)99));
    assert_false(cust_role_allows((enum cust_role) - 1, CUST_ACT_ROSTER_READ));
    assert_null(cust_role_name(CUST_ROLE_NONE));
    assert_null(cust_role_name(CUST_ROLE_COUNT));
    assert_null(cust_action_name(CUST_ACT_COUNT));
    /* Separation of duties: the admin manages accounts but touches no case. */
    assert_false(cust_role_allows(CUST_ROLE_ADMIN, CUST_ACT_REQUEST_DECIDE));
    assert_false(cust_role_allows(CUST_ROLE_ADMIN, CUST_ACT_PERSON_READ_RESTRICTED));
    /* A clerk may not end a request by hand; a refusal can say who may. */
    assert_false(cust_role_allows(CUST_ROLE_CLERK, CUST_ACT_REQUEST_CLOSE));
    char who[64];
    cust_action_roles(CUST_ACT_REQUEST_CLOSE, who, sizeof(who));
    assert_string_equal(who, "supervisor, counsel");
    cust_action_roles(CUST_ACT_USER_MANAGE, who, sizeof(who));
    assert_string_equal(who, "admin");
    cust_action_roles(CUST_ACT_ROSTER_READ, who, 12); /* cut at a whole role */
    assert_string_equal(who, "clerk");
    /* The auditor reads but never writes. */
    for (int act = 0; act < CUST_ACT_COUNT; act++) {
        const char *name = cust_action_name((enum cust_action)act);
        if (cust_role_allows(CUST_ROLE_AUDITOR, (enum cust_action)act))
            assert_non_null(strstr(name, ".read"));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_cell),
        cmocka_unit_test(test_deny_by_default),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
