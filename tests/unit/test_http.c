/* Unit tests for src/http: target/query/cookie parsing, error table, responses, config. */
#include "custodian/compat.h"
#include "custodian/http.h"

#include <setjmp.h>
#include <unistd.h>
#include <stdarg.h>
#include <cmocka.h>

static void test_split_target(void **state)
{
    (void)state;
    struct cust_http_arena *a = cust_http_arena_new();
    char *path, *query;
    assert_int_equal(cust_http_split_target(a, "/a/b%20c?x=1&y", 14, &path, &query, NULL), CUST_OK);
    assert_string_equal(path, "/a/b c");
    assert_string_equal(query, "x=1&y");
    assert_int_equal(cust_http_split_target(a, "/", 1, &path, &query, NULL), CUST_OK);
    assert_string_equal(path, "/");
    assert_null(query);
    assert_int_equal(cust_http_split_target(a, "/caf%C3%A9", 10, &path, &query, NULL), CUST_OK);
    assert_string_equal(path, "/caf\xc3\xa9");
    static const char *const bad[] = {
        "",          "a/b",    "/a//b",  "/a/../b", "/a/./b",  "/..",        "/a%2Fb",
        "/a%2fb",    "/a%5Cb", "/a%00b", "/a%zz",   "/a%4",    "/a b",       "/a\tb",
        "/%2e%2e/x", "/%2E",   "/a#f",   "/a/",     "/%C3%28", "/%ED%A0%80", "/a%0Ab",
    };
    for (size_t i = 0; i < CUST_ARRAY_LEN(bad); i++) {
        struct cust_err err = CUST_ERR_INIT;
        assert_int_equal(cust_http_split_target(a, bad[i], strlen(bad[i]), &path, &query, &err),
                         CUST_EINVAL);
        assert_true(err.msg[0] != '\0');
    }
    cust_http_arena_free(a);
}

static void test_query(void **state)
{
    (void)state;
    struct cust_http_arena *a = cust_http_arena_new();
    struct cust_kv_list l = {0};
    const char *q = "name=Ana+Mar%C3%ADa&page=2&flag&empty=&&dup=1&dup=2&eq=a=b";
    assert_int_equal(cust_http_parse_query(a, q, strlen(q), &l, NULL), CUST_OK);
    assert_int_equal(l.len, 7);
    assert_string_equal(cust_kv_get(&l, "name"), "Ana Mar\xc3\xad" "a");
    assert_string_equal(cust_kv_get(&l, "page"), "2");
    assert_string_equal(cust_kv_get(&l, "flag"), "");
    assert_string_equal(cust_kv_get(&l, "empty"), "");
    assert_string_equal(cust_kv_get(&l, "dup"), "1");
    assert_string_equal(l.items[5].value, "2");
    assert_string_equal(cust_kv_get(&l, "eq"), "a=b");
    assert_null(cust_kv_get(&l, "missing"));
    struct cust_kv_list l2 = {0};
    assert_int_equal(cust_http_parse_query(a, "=x", 2, &l2, NULL), CUST_EINVAL);
    assert_int_equal(cust_http_parse_query(a, "a=%", 3, &l2, NULL), CUST_EINVAL);
    assert_int_equal(cust_http_parse_query(a, "a=%00", 5, &l2, NULL), CUST_EINVAL);
    assert_int_equal(cust_http_parse_query(a, "a=%FF", 5, &l2, NULL), CUST_EINVAL);
    /* The pair cap. */
    struct cust_buf b = CUST_BUF_INIT;
    for (int i = 0; i <= CUST_HTTP_MAX_PAIRS; i++)
        assert_int_equal(cust_buf_appendf(&b, "k%d=v&", i), CUST_OK);
    struct cust_kv_list l3 = {0};
    assert_int_equal(cust_http_parse_query(a, b.buf, b.len, &l3, NULL), CUST_ETOOBIG);
    cust_buf_release(&b);
    cust_http_arena_free(a);
}

static void test_cookies(void **state)
{
    (void)state;
    struct cust_http_arena *a = cust_http_arena_new();
    struct cust_kv_list l = {0};
    const char *c = "sid=abc123; csrf=\"q-1\";theme=dark ;  x=";
    assert_int_equal(cust_http_parse_cookies(a, c, strlen(c), &l, NULL), CUST_OK);
    assert_int_equal(l.len, 4);
    assert_string_equal(cust_kv_get(&l, "sid"), "abc123");
    assert_string_equal(cust_kv_get(&l, "csrf"), "q-1");
    assert_string_equal(cust_kv_get(&l, "theme"), "dark");
    assert_string_equal(cust_kv_get(&l, "x"), "");
    static const char *const bad[] = {"novalue", "=v",     "a b=1", "a=b c",
                                      "a=\"x",   "a=b\\c", "a=b,c"};
    for (size_t i = 0; i < CUST_ARRAY_LEN(bad); i++) {
        struct cust_kv_list l2 = {0};
        assert_int_equal(cust_http_parse_cookies(a, bad[i], strlen(bad[i]), &l2, NULL),
                         CUST_EINVAL);
    }
    cust_http_arena_free(a);
}

static void test_arena(void **state)
{
    (void)state;
    struct cust_http_arena *a = cust_http_arena_new();
    for (int i = 0; i < 1000; i++) {
        char *p = cust_http_arena_alloc(a, (size_t)(i % 37) + 1);
        assert_int_equal(((uintptr_t)p) % 16, 0);
        assert_int_equal(p[0], 0);
        p[0] = 'x';
    }
    char *big = cust_http_arena_alloc(a, 100000);
    memset(big, 1, 100000);
    char *s = cust_http_arena_strndup(a, "hello world", 5);
    assert_string_equal(s, "hello");
    cust_http_arena_free(a);
}

static void test_error_table(void **state)
{
    (void)state;
    static const struct {
        enum cust_status st;
        int http;
        const char *code;
    } want[] = {
        {CUST_EINVAL, 400, "invalid"},
        {CUST_ENOTFOUND, 404, "not_found"},
        {CUST_ECONFLICT, 409, "conflict"},
        {CUST_EDENIED, 403, "denied"},
        {CUST_ETOOBIG, 413, "too_big"},
        {CUST_EDB, 500, "storage"},
        {CUST_EIO, 500, "io"},
        {CUST_EINTEGRITY, 500, "integrity"},
        {CUST_ENOMEM, 503, "out_of_memory"},
    };
    for (size_t i = 0; i < CUST_ARRAY_LEN(want); i++) {
        assert_int_equal(cust_http_status_for(want[i].st), want[i].http);
        assert_string_equal(cust_http_code_for(want[i].st), want[i].code);
        /* The JSON codes agree with the project-wide status names. */
        assert_string_equal(cust_http_code_for(want[i].st), cust_status_name(want[i].st));
    }
    assert_int_equal(cust_http_status_for((enum cust_status)999), 500);

    struct cust_http_response res;
    cust_http_res_init(&res);
    assert_int_equal(cust_http_res_error(&res, CUST_EINVAL, "body.name: expected a string"),
                     CUST_OK);
    assert_int_equal(res.status, 400);
    assert_string_equal(res.content_type, "application/json");
    json_t *v = json_loads(res.body.buf, 0, NULL);
    assert_non_null(v);
    assert_string_equal(json_string_value(json_object_get(json_object_get(v, "error"), "code")),
                        "invalid");
    assert_string_equal(json_string_value(json_object_get(json_object_get(v, "error"), "message")),
                        "body.name: expected a string");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(v, "error"), "status")),
                     400);
    assert_int_equal(json_object_size(v), 1);
    assert_int_equal(json_object_size(json_object_get(v, "error")), 3);
    json_decref(v);
    /* Messages are JSON-escaped. */
    assert_int_equal(cust_http_res_error(&res, CUST_ENOTFOUND, "no \"x\"\n"), CUST_OK);
    assert_int_equal(res.status, 404);
    v = json_loads(res.body.buf, 0, NULL);
    assert_non_null(v);
    json_decref(v);
    cust_http_res_release(&res);
}

static void test_response_headers_and_cookie(void **state)
{
    (void)state;
    struct cust_http_response res;
    cust_http_res_init(&res);
    assert_int_equal(cust_http_res_cookie(&res, "sid", "0123abcd", -1, true), CUST_OK);
    assert_string_equal(res.headers[0].name, "Set-Cookie");
    assert_string_equal(res.headers[0].value,
                        "sid=0123abcd; Path=/; HttpOnly; SameSite=Strict; Secure");
    assert_int_equal(cust_http_res_cookie(&res, "sid", "", 0, false), CUST_OK);
    assert_string_equal(res.headers[1].value, "sid=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    assert_int_equal(cust_http_res_cookie(&res, "sid", "a;b", -1, false), CUST_EINVAL);
    assert_int_equal(cust_http_res_cookie(&res, "s d", "a", -1, false), CUST_EINVAL);
    assert_int_equal(cust_http_res_header(&res, "X-A", "evil\r\nSet-Cookie: x=1"), CUST_EINVAL);
    for (size_t i = res.nheaders; i < CUST_HTTP_MAX_HEADERS; i++)
        assert_int_equal(cust_http_res_header(&res, "X-N", "1"), CUST_OK);
    assert_int_equal(cust_http_res_header(&res, "X-N", "1"), CUST_ETOOBIG);
    assert_int_equal(cust_http_res_html(&res, 200, "<p>hi</p>"), CUST_OK);
    assert_string_equal(res.body.buf, "<p>hi</p>");
    assert_string_equal(res.content_type, "text/html; charset=utf-8");
    cust_http_res_release(&res);
}

static void test_request_body(void **state)
{
    (void)state;
    struct cust_http_request req;
    memset(&req, 0, sizeof(req));
    req.arena = cust_http_arena_new();
    cust_buf_init(&req.body, 64);
    struct cust_err err = CUST_ERR_INIT;
    assert_null(cust_http_req_json(&req, &err));
    assert_int_equal(err.code, CUST_EINVAL);
    assert_int_equal(cust_buf_puts(&req.body, "{\"a\":1,\"a\":2}"), CUST_OK);
    assert_null(cust_http_req_json(&req, &err));
    assert_non_null(strstr(err.msg, "body: line 1"));
    cust_buf_reset(&req.body);
    assert_int_equal(cust_buf_puts(&req.body, "{\"a\":[1,2]}"), CUST_OK);
    json_t *v = cust_http_req_json(&req, &err);
    assert_non_null(v);
    assert_int_equal(json_array_size(json_object_get(v, "a")), 2);
    json_decref(v);
    cust_buf_reset(&req.body);
    assert_int_equal(cust_buf_puts(&req.body, "user=ana&csrf=x%2By"), CUST_OK);
    struct cust_kv_list form = {0};
    assert_int_equal(cust_http_req_form(&req, &form, &err), CUST_OK);
    assert_string_equal(cust_kv_get(&form, "csrf"), "x+y");
    /* The body cap holds. */
    char big[100];
    memset(big, 'x', sizeof(big));
    assert_int_equal(cust_buf_append(&req.body, big, sizeof(big)), CUST_ETOOBIG);
    cust_buf_release(&req.body);
    cust_http_arena_free(req.arena);
}

static void test_config(void **state)
{
    (void)state;
    struct cust_http_config cfg;
    cust_http_config_defaults(&cfg);
    assert_string_equal(cfg.listen_host, "127.0.0.1");
    assert_int_equal(cfg.port, 8080);
    assert_int_equal(cust_http_config_listen(&cfg, "0.0.0.0:9000", NULL), CUST_OK);
    assert_string_equal(cfg.listen_host, "0.0.0.0");
    assert_int_equal(cfg.port, 9000);
    assert_int_equal(cust_http_config_listen(&cfg, "[::1]:0", NULL), CUST_OK);
    assert_string_equal(cfg.listen_host, "::1");
    assert_int_equal(cfg.port, 0);
    assert_int_equal(cust_http_config_listen(&cfg, "localhost", NULL), CUST_EINVAL);
    assert_int_equal(cust_http_config_listen(&cfg, "1.2.3.4:70000", NULL), CUST_EINVAL);
    assert_int_equal(cust_http_config_listen(&cfg, ":80", NULL), CUST_EINVAL);
    assert_int_equal(cust_http_config_listen(&cfg, "[::1]80", NULL), CUST_EINVAL);

    char path[] = "/tmp/cust-http-cfg-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("; comment\n[server]\nlisten = 127.0.0.1:0\nthreads = 2\nbody_limit = 4096\n"
          "access_log = /tmp/x.log\ntls = true\n[ratelimit]\nrate = 0.5\nburst = 3\n"
          "[locator]\nhide_recent_hours = 24\nresult_cap = 25\n",
          f);
    fclose(f);
    struct cust_err err = CUST_ERR_INIT;
    assert_int_equal(cust_http_config_load(&cfg, path, &err), CUST_OK);
    assert_int_equal(cfg.port, 0);
    assert_int_equal(cfg.threads, 2);
    assert_int_equal(cfg.body_limit, 4096);
    assert_string_equal(cfg.access_log, "/tmp/x.log");
    assert_true(cfg.tls);
    assert_true(cfg.rate_per_s == 0.5);
    assert_true(cfg.rate_burst == 3);
    assert_int_equal(cfg.locator_hide_recent_hours, 24);
    assert_int_equal(cfg.locator_result_cap, 25);

    f = fopen(path, "w");
    fputs("[server]\nthreads = 2\nthreads = zero\n", f);
    fclose(f);
    assert_int_equal(cust_http_config_load(&cfg, path, &err), CUST_EINVAL);
    assert_non_null(strstr(err.msg, ":3: [server] threads: expected"));
    f = fopen(path, "w");
    fputs("[server]\nbogus = 1\n", f);
    fclose(f);
    assert_int_equal(cust_http_config_load(&cfg, path, &err), CUST_EINVAL);
    assert_non_null(strstr(err.msg, ":2: [server] bogus: unknown setting"));
    unlink(path);
    assert_int_equal(cust_http_config_load(&cfg, path, &err), CUST_EIO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_target), cmocka_unit_test(test_query),
        cmocka_unit_test(test_cookies),      cmocka_unit_test(test_arena),
        cmocka_unit_test(test_error_table),  cmocka_unit_test(test_response_headers_and_cookie),
        cmocka_unit_test(test_request_body), cmocka_unit_test(test_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
