/* Unit tests for the policy folder scan (cust_policy_list) and the resolver (policy.h): one scan
 * with its depth limit; the set loaded once; files only when allowed. */
#include "custodian/compat.h"
#include "custodian/policy.h"

#include <setjmp.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <cmocka.h>

static const char *src_dir(void)
{
    const char *s = getenv("CUST_SOURCE_DIR");
    return s && *s ? s : CUST_SOURCE_DIR;
}

static void test_list_depth_and_skips(void **state)
{
    (void)state;
    char dir[] = "/tmp/cust-polset.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char cmd[1024];
    /* one policy per depth 0..6, one under tables/ and one hidden */
    snprintf(cmd, sizeof(cmd),
             "cd '%s' && p=. && for i in 0 1 2 3 4 5 6; do mkdir -p $p && touch $p/d$i.policy "
             "&& p=$p/s; done && mkdir tables .hid && touch tables/t.policy .hid/h.policy "
             "x.txt",
             dir);
    assert_int_equal(system(cmd), 0);
    char **ids = NULL;
    size_t n = 0;
    cust_policy_list(dir, &ids, &n);
    /* folders four deep at most (d0..d4), sorted */
    assert_int_equal(n, 5);
    assert_string_equal(ids[0], "d0");
    assert_string_equal(ids[1], "s/d1");
    assert_string_equal(ids[4], "s/s/s/s/d4");
    for (size_t i = 0; i < n; i++) {
        assert_null(strstr(ids[i], "d5"));
        assert_null(strstr(ids[i], "tables"));
        assert_null(strstr(ids[i], "hid"));
        free(ids[i]);
    }
    free(ids);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static void test_resolver(void **state)
{
    (void)state;
    char dir[512], file[600];
    snprintf(dir, sizeof(dir), "%s/policies", src_dir());
    snprintf(file, sizeof(file), "%s/us-tx.policy", dir);
    struct cust_err err = CUST_ERR_INIT;
    struct cust_policy_resolver *r = NULL;
    assert_int_equal(cust_policy_resolver_new(dir, CUST_RESOLVE_PRELOAD, &r, &err), CUST_OK);
    const struct cust_policy *a = NULL, *b = NULL;
    assert_int_equal(cust_policy_resolve(r, "us-tx", &a, &err), CUST_OK);
    assert_int_equal(cust_policy_resolve(r, "us-tx", &b, &err), CUST_OK);
    assert_ptr_equal(a, b); /* loaded once */
    assert_string_equal(cust_policy_id(a), "us-tx");
    assert_int_equal(cust_policy_resolve(r, "us-fl", &a, &err), CUST_OK);
    assert_int_equal(cust_policy_resolve(r, "us-zz", &a, &err), CUST_ENOTFOUND);
    /* a network caller's resolver never reads a file it is given */
    assert_int_equal(cust_policy_resolve(r, file, &a, &err), CUST_ENOTFOUND);
    cust_policy_resolver_free(r);
    assert_int_equal(cust_policy_resolver_new(dir, CUST_RESOLVE_FILES, &r, &err), CUST_OK);
    assert_int_equal(cust_policy_resolve(r, file, &a, &err), CUST_OK);
    assert_int_equal(cust_policy_resolve(r, file, &b, &err), CUST_OK);
    assert_ptr_equal(a, b);
    cust_policy_resolver_free(r);
    /* a directory without policies fails at preload */
    assert_int_equal(cust_policy_resolver_new("/nonexistent", CUST_RESOLVE_PRELOAD, &r, &err),
                     CUST_ENOTFOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_list_depth_and_skips),
        cmocka_unit_test(test_resolver),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
