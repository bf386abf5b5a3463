/* Unit tests for src/http/ratelimit.c: token bucket refill, burst, keys, eviction, threads. */
#include "custodian/compat.h"
#include "custodian/http.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#define SEC 1000000LL

static void test_burst_and_refill(void **state)
{
    (void)state;
    struct cust_ratelimit *rl = cust_ratelimit_new(2.0, 5.0, 64);
    int64_t t = 1000 * SEC;
    for (int i = 0; i < 5; i++)
        assert_true(cust_ratelimit_take(rl, "10.0.0.1", t, NULL));
    unsigned retry = 0;
    assert_false(cust_ratelimit_take(rl, "10.0.0.1", t, &retry));
    assert_int_equal(retry, 1); /* 0.5 s to the next token, rounded up */
    /* Another client is unaffected. */
    assert_true(cust_ratelimit_take(rl, "10.0.0.2", t, NULL));
    /* 0.4 s: 0.8 tokens, still refused; 0.5 s: one token. */
    assert_false(cust_ratelimit_take(rl, "10.0.0.1", t + 400000, NULL));
    assert_true(cust_ratelimit_take(rl, "10.0.0.1", t + 500000, NULL));
    assert_false(cust_ratelimit_take(rl, "10.0.0.1", t + 500000, NULL));
    /* A long pause refills to the burst, not beyond. */
    t += 3600 * SEC;
    for (int i = 0; i < 5; i++)
        assert_true(cust_ratelimit_take(rl, "10.0.0.1", t, NULL));
    assert_false(cust_ratelimit_take(rl, "10.0.0.1", t, NULL));
    /* The clock going backwards grants nothing. */
    assert_false(cust_ratelimit_take(rl, "10.0.0.1", t - 10 * SEC, NULL));
    cust_ratelimit_free(rl);
}

static void test_slow_rate_retry_after(void **state)
{
    (void)state;
    struct cust_ratelimit *rl = cust_ratelimit_new(0.1, 1.0, 8); /* one per 10 s */
    unsigned retry = 0;
    assert_true(cust_ratelimit_take(rl, "a", 0, NULL));
    assert_false(cust_ratelimit_take(rl, "a", 0, &retry));
    assert_int_equal(retry, 10);
    assert_false(cust_ratelimit_take(rl, "a", 7 * SEC, &retry));
    assert_int_equal(retry, 3);
    assert_true(cust_ratelimit_take(rl, "a", 10 * SEC, NULL));
    cust_ratelimit_free(rl);
}

static void test_fixed_memory_eviction(void **state)
{
    (void)state;
    /* 8 slots, 1000 clients: the table never grows; old clients are evicted (and come back
     * with a full bucket), the newest client keeps its state. */
    struct cust_ratelimit *rl = cust_ratelimit_new(1.0, 2.0, 8);
    char key[32];
    for (int i = 0; i < 1000; i++) {
        snprintf(key, sizeof(key), "192.0.2.%d", i);
        assert_true(cust_ratelimit_take(rl, key, i, NULL));
    }
    assert_true(cust_ratelimit_take(rl, "192.0.2.999", 1000, NULL));
    assert_false(cust_ratelimit_take(rl, "192.0.2.999", 1001, NULL));
    /* Long keys are truncated, not overflowed. */
    char longkey[300];
    memset(longkey, 'k', sizeof(longkey) - 1);
    longkey[sizeof(longkey) - 1] = '\0';
    assert_true(cust_ratelimit_take(rl, longkey, 2000, NULL));
    assert_true(cust_ratelimit_take(rl, "", 2000, NULL));
    cust_ratelimit_free(rl);
}

struct worker {
    struct cust_ratelimit *rl;
    int allowed;
};

static void *hammer(void *arg)
{
    struct worker *w = arg;
    for (int i = 0; i < 1000; i++)
        w->allowed += cust_ratelimit_take(w->rl, "203.0.113.7", 0, NULL);
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    /* Four threads at one frozen instant share exactly `burst` tokens. */
    struct cust_ratelimit *rl = cust_ratelimit_new(1.0, 100.0, 64);
    struct worker w[4];
    pthread_t th[4];
    for (int i = 0; i < 4; i++) {
        w[i].rl = rl;
        w[i].allowed = 0;
        assert_int_equal(pthread_create(&th[i], NULL, hammer, &w[i]), 0);
    }
    int total = 0;
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        total += w[i].allowed;
    }
    assert_int_equal(total, 100);
    cust_ratelimit_free(rl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_burst_and_refill),
        cmocka_unit_test(test_slow_rate_retry_after),
        cmocka_unit_test(test_fixed_memory_eviction),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
