/* Unit tests for src/http: target/query/cookie parsing, error table, responses, config. */
#include "custodian/compat.h"
#include "custodian/http.h"

#include <setjmp.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
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
    assert_string_equal(cust_kv_get(&l, "name"), "Ana Mar\xc3\xad"
                                                 "a");
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
    /* Malformed pairs are skipped; the good ones around them are kept. */
    const char *mixed = "novalue; =v; a b=1; ok1=x; a=b c; q=\"x; bs=b\\c; cm=b,c; ok2=\"y\"";
    struct cust_kv_list l2 = {0};
    assert_int_equal(cust_http_parse_cookies(a, mixed, strlen(mixed), &l2, NULL), CUST_OK);
    assert_int_equal(l2.len, 2);
    assert_string_equal(l2.items[0].key, "ok1");
    assert_string_equal(l2.items[1].key, "ok2");
    assert_string_equal(l2.items[1].value, "y");
    /* The cap still holds. */
    struct cust_buf b = CUST_BUF_INIT;
    for (int i = 0; i <= CUST_HTTP_MAX_PAIRS; i++)
        assert_int_equal(cust_buf_appendf(&b, "c%d=v; ", i), CUST_OK);
    struct cust_kv_list l3 = {0};
    assert_int_equal(cust_http_parse_cookies(a, b.buf, b.len, &l3, NULL), CUST_ETOOBIG);
    cust_buf_release(&b);
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
    /* the locator's defaults live in the config, not in a caller */
    assert_int_equal(cfg.locator_hide_recent_hours, 2);
    assert_int_equal(cfg.locator_result_cap, 50);
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

/* ---- the real server, in-process, with a raw socket client ------------------------------- */

struct audit_log {
    pthread_mutex_t lock;
    int api, denied, login;
    char last_path[128];
    char last_user[64];
    char last_route[64];
};

static void on_audit(void *ctx, const struct cust_http_audit_event *ev)
{
    struct audit_log *a = ctx;
    pthread_mutex_lock(&a->lock);
    if (ev->kind == CUST_AUDIT_API_REQUEST)
        a->api++;
    else if (ev->kind == CUST_AUDIT_DENIED)
        a->denied++;
    else if (ev->kind == CUST_AUDIT_LOGIN)
        a->login++;
    snprintf(a->last_path, sizeof(a->last_path), "%s", ev->path ? ev->path : "");
    snprintf(a->last_user, sizeof(a->last_user), "%s", ev->user ? ev->user : "");
    snprintf(a->last_route, sizeof(a->last_route), "%s", ev->route ? ev->route : "");
    pthread_mutex_unlock(&a->lock);
}

static enum cust_status h_echo(struct cust_http_request *req, struct cust_http_response *res,
                               void *ctx)
{
    (void)ctx;
    json_t *o = json_pack("{s:s,s:s?,s:s?,s:I}", "id", cust_http_req_param(req, "id"), "q",
                          cust_kv_get(&req->query, "q"), "sid", cust_kv_get(&req->cookies, "sid"),
                          "body", (json_int_t)req->body.len);
    enum cust_status st = cust_http_res_json(res, 200, o);
    json_decref(o);
    return st;
}

static enum cust_status h_fail(struct cust_http_request *req, struct cust_http_response *res,
                               void *ctx)
{
    (void)req;
    (void)res;
    (void)ctx;
    return CUST_ECONFLICT;
}

static enum cust_status h_forbidden(struct cust_http_request *req, struct cust_http_response *res,
                                    void *ctx)
{
    (void)ctx;
    cust_http_audit(req, CUST_AUDIT_LOGIN, 403, false, "mallory", "bad code");
    return cust_http_res_error(res, CUST_EDENIED, "role 'clerk' may not 'user.manage'");
}

/* Send `raw`, return the whole response (connection: close). */
static char *roundtrip(uint16_t port, const char *raw)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sa = {0};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    size_t n = strlen(raw);
    assert_int_equal(write(fd, raw, n), (ssize_t)n);
    struct cust_buf b = CUST_BUF_INIT;
    char chunk[4096];
    ssize_t got;
    while ((got = read(fd, chunk, sizeof(chunk))) > 0)
        assert_int_equal(cust_buf_append(&b, chunk, (size_t)got), CUST_OK);
    close(fd);
    return cust_buf_detach(&b, NULL);
}

static void test_server_inprocess(void **state)
{
    (void)state;
    struct audit_log log = {.lock = PTHREAD_MUTEX_INITIALIZER};
    struct cust_router *r = cust_router_new();
    assert_int_equal(cust_http_register_system(r), CUST_OK);
    assert_int_equal(cust_router_add(r, "POST", "/api/v1/things/{id}", h_echo, NULL, 0), CUST_OK);
    assert_int_equal(
        cust_router_add(r, "GET", "/locator/{id}", h_echo, NULL, CUST_ROUTE_RATE_LIMITED), CUST_OK);
    assert_int_equal(cust_router_add(r, "GET", "/api/v1/conflict", h_fail, NULL, 0), CUST_OK);
    assert_int_equal(cust_router_add(r, "GET", "/console/users", h_forbidden, NULL, 0), CUST_OK);
    struct cust_http_config cfg;
    cust_http_config_defaults(&cfg);
    cfg.port = 0;
    cfg.threads = 2;
    cfg.rate_per_s = 0.001;
    cfg.rate_burst = 2;
    cfg.body_limit = 1000;
    snprintf(cfg.access_log, sizeof(cfg.access_log), "/dev/null");
    cfg.hooks.audit = on_audit;
    cfg.hooks.ctx = &log;
    struct cust_http_server *srv = NULL;
    struct cust_err err = CUST_ERR_INIT;
    assert_int_equal(cust_http_server_start(&srv, &cfg, r, &err), CUST_OK);
    uint16_t port = cust_http_server_port(srv);
    assert_true(port > 0);

    char *resp = roundtrip(port, "POST /api/v1/things/T%2D9?q=a+b HTTP/1.1\r\nHost: x\r\n"
                                 "Cookie: sid=abc\r\nContent-Length: 5\r\nConnection: close\r\n"
                                 "\r\nhello");
    assert_non_null(strstr(resp, "HTTP/1.1 200"));
    assert_non_null(strstr(resp, "{\"id\":\"T-9\",\"q\":\"a b\",\"sid\":\"abc\",\"body\":5}"));
    free(resp);

    resp = roundtrip(port, "GET /api/v1/conflict HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert_non_null(strstr(resp, "HTTP/1.1 409"));
    assert_non_null(strstr(resp, "{\"error\":{\"code\":\"conflict\""));
    free(resp);

    resp = roundtrip(port, "GET /console/users HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert_non_null(strstr(resp, "HTTP/1.1 403"));
    assert_non_null(strstr(resp, "role 'clerk' may not 'user.manage'"));
    free(resp);

    /* Token bucket on flagged routes: burst 2, then 429 with Retry-After. */
    for (int i = 0; i < 2; i++) {
        resp = roundtrip(port, "GET /locator/x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assert_non_null(strstr(resp, "HTTP/1.1 200"));
        free(resp);
    }
    resp = roundtrip(port, "GET /locator/x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert_non_null(strstr(resp, "HTTP/1.1 429"));
    assert_non_null(strstr(resp, "Retry-After: "));
    assert_non_null(strstr(resp, "\"code\":\"rate_limited\""));
    free(resp);
    /* Unflagged routes are not limited. */
    for (int i = 0; i < 3; i++) {
        resp = roundtrip(port, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assert_non_null(strstr(resp, "HTTP/1.1 200"));
        free(resp);
    }
    /* A refused body on an API path is audited too. */
    resp = roundtrip(port, "POST /api/v1/things/1?name=Secret HTTP/1.1\r\nHost: x\r\n"
                           "Content-Length: 5000\r\nConnection: close\r\n\r\n");
    assert_non_null(strstr(resp, "HTTP/1.1 413"));
    free(resp);
    /* The hook runs at request completion, which may trail the client's EOF a little. */
    for (int i = 0; i < 200; i++) {
        pthread_mutex_lock(&log.lock);
        int n = log.api;
        pthread_mutex_unlock(&log.lock);
        if (n == 3)
            break;
        usleep(5000);
    }
    pthread_mutex_lock(&log.lock);
    assert_int_equal(log.api, 3);
    assert_string_equal(log.last_path, "/api/v1/things/1"); /* no query values */
    pthread_mutex_unlock(&log.lock);
    /* Unknown API paths are audited too. */
    resp = roundtrip(port, "GET /api/v1/nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert_non_null(strstr(resp, "HTTP/1.1 404"));
    free(resp);

    cust_http_server_stop(srv);
    /* API requests: things, conflict, 413, nope. Denied: the 403. Login: fired by the handler. */
    assert_int_equal(log.api, 4);
    assert_int_equal(log.denied, 1);
    assert_int_equal(log.login, 1);
    assert_string_equal(log.last_path, "/api/v1/nope");
    cust_router_free(r);
}

/* ---- the staff guard --------------------------------------------------------------------------
 */

static void guard_req(struct cust_http_request *req, const char *method, const char *cookie,
                      const char *ctype, const char *body)
{
    memset(req, 0, sizeof(*req));
    req->arena = cust_http_arena_new();
    req->method = method;
    if (cookie)
        assert_int_equal(
            cust_http_parse_cookies(req->arena, cookie, strlen(cookie), &req->cookies, NULL),
            CUST_OK);
    req->content_type = ctype;
    cust_buf_init(&req->body, 4096);
    if (body)
        assert_int_equal(cust_buf_puts(&req->body, body), CUST_OK);
}

static void guard_req_release(struct cust_http_request *req)
{
    cust_buf_release(&req->body);
    cust_http_arena_free(req->arena);
}

static int expect_guard(const struct cust_auth_backend *be, const char *method, const char *cookie,
                        const char *ctype, const char *body, enum cust_action act, int64_t now,
                        const char *want_code)
{
    struct cust_http_request req;
    struct cust_http_response res;
    guard_req(&req, method, cookie, ctype, body);
    cust_http_res_init(&res);
    struct cust_session s;
    enum cust_status st = cust_http_require(&req, &res, be, act, now, &s);
    int status = res.status;
    if (want_code) {
        assert_int_equal(st, CUST_EDENIED);
        if (!strstr(res.body.buf, want_code))
            fail_msg("expected %s, got %s", want_code, res.body.buf);
    } else {
        if (st != CUST_OK)
            fail_msg("refused: %s", res.body.buf);
        assert_int_equal(res.status, 0); /* the guard leaves the response to the handler */
        assert_string_equal(req.user, "cleo");
        assert_string_equal(s.user, "cleo");
        status = 200;
    }
    cust_http_res_release(&res);
    guard_req_release(&req);
    return status;
}

static void test_guard(void **state)
{
    (void)state;
    struct cust_auth_backend *be = cust_auth_memory_new();
    struct cust_pwhash_limits lim = cust_pwhash_min();
    uint8_t key[CUST_TOTP_KEY_BYTES];
    assert_int_equal(cust_auth_user_create(be, "cleo", CUST_ROLE_CLERK,
                                           "violet harbor tuesday lamp", NULL, &lim, key, NULL),
                     CUST_OK);
    int64_t now = 1800000000;
    char code[7], token[CUST_TOKEN_HEX];
    snprintf(code, sizeof(code), "%06u", (unsigned)cust_totp(key, sizeof(key), now, 30, 6));
    struct cust_session s;
    assert_int_equal(
        cust_auth_login(be, "cleo", "violet harbor tuesday lamp", code, now, token, &s, NULL),
        CUST_OK);
    char cookie[128], body[128];
    snprintf(cookie, sizeof(cookie), "theme=dark; " CUST_SESSION_COOKIE "=%s", token);
    const char *form = "application/x-www-form-urlencoded";

    /* No cookie / unknown token: 401. */
    assert_int_equal(expect_guard(be, "GET", NULL, NULL, NULL, CUST_ACT_ROSTER_READ, now + 1,
                                  "\"unauthenticated\""),
                     401);
    assert_int_equal(expect_guard(be, "GET",
                                  CUST_SESSION_COOKIE "=0123456789abcdef0123456789abcdef", NULL,
                                  NULL, CUST_ACT_ROSTER_READ, now + 1, "\"unauthenticated\""),
                     401);
    /* Allowed read. */
    assert_int_equal(
        expect_guard(be, "GET", cookie, NULL, NULL, CUST_ACT_ROSTER_READ, now + 2, NULL), 200);
    /* The role matrix: a clerk may not decide. */
    assert_int_equal(expect_guard(be, "GET", cookie, NULL, NULL, CUST_ACT_REQUEST_DECIDE, now + 3,
                                  "role 'clerk' may not 'request.decide'"),
                     403);
    /* Unsafe methods need the CSRF token. */
    assert_int_equal(
        expect_guard(be, "POST", cookie, form, "note=x", CUST_ACT_REQUEST_CREATE, now + 4, "CSRF"),
        403);
    assert_int_equal(expect_guard(be, "POST", cookie, form, "csrf=00000000000000000000000000000000",
                                  CUST_ACT_REQUEST_CREATE, now + 5, "CSRF"),
                     403);
    snprintf(body, sizeof(body), "note=x&csrf=%s", s.csrf);
    assert_int_equal(expect_guard(be, "POST", cookie, "application/json", body,
                                  CUST_ACT_REQUEST_CREATE, now + 6, "CSRF"),
                     403);
    assert_int_equal(
        expect_guard(be, "POST", cookie, form, body, CUST_ACT_REQUEST_CREATE, now + 7, NULL), 200);
    /* Idle expiry through the guard. */
    assert_int_equal(expect_guard(be, "GET", cookie, NULL, NULL, CUST_ACT_ROSTER_READ,
                                  now + 7 + CUST_SESSION_IDLE_S, "session expired"),
                     401);
    cust_auth_memory_free(be);
}

/* Server-generated errors as HTML: only off /api/ and for a client that asks for HTML; the page
 * is chosen by the status alone. */
/* trusted proxies (issue 12): blocks, and the client an X-Forwarded-For chain names */
static void test_trusted_proxies(void **state)
{
    (void)state;
    struct cust_http_net nets[4];
    size_t n = 0;
    struct cust_err err = CUST_ERR_INIT;
    assert_int_equal(
        cust_http_nets_parse("10.0.0.0/8, 192.168.1.7 ::1 2001:db8::/32", nets, 4, &n, &err),
        CUST_OK);
    assert_int_equal(n, 4);
    assert_true(cust_http_net_contains(nets, n, "10.200.3.4"));
    assert_false(cust_http_net_contains(nets, n, "11.0.0.1"));
    assert_true(cust_http_net_contains(nets, n, "192.168.1.7"));
    assert_false(cust_http_net_contains(nets, n, "192.168.1.8"));
    assert_true(cust_http_net_contains(nets, n, "::ffff:10.1.1.1")); /* IPv4-mapped */
    assert_true(cust_http_net_contains(nets, n, "2001:db8:ffff::1"));
    assert_false(cust_http_net_contains(nets, n, "2001:db9::1"));
    assert_false(cust_http_net_contains(nets, n, "not an address"));
    assert_int_equal(cust_http_nets_parse("10.0.0.0/33", nets, 4, &n, &err), CUST_EINVAL);
    assert_int_equal(cust_http_nets_parse("10.0.0.1/", nets, 4, &n, &err), CUST_EINVAL);
    assert_int_equal(cust_http_nets_parse("proxy.example", nets, 4, &n, &err), CUST_EINVAL);
    assert_int_equal(
        cust_http_nets_parse("1.1.1.1 2.2.2.2 3.3.3.3 4.4.4.4 5.5.5.5", nets, 4, &n, &err),
        CUST_EINVAL);
    assert_int_equal(cust_http_nets_parse("", nets, 4, &n, &err), CUST_OK);
    assert_int_equal(n, 0);

    assert_int_equal(cust_http_nets_parse("10.0.0.0/8", nets, 4, &n, &err), CUST_OK);
    char c[64];
    assert_true(cust_http_forwarded_client(nets, n, "203.0.113.5", c));
    assert_string_equal(c, "203.0.113.5");
    /* left of the first untrusted hop from the right is the client's own claim */
    assert_true(cust_http_forwarded_client(nets, n, "1.2.3.4, 203.0.113.5, 10.1.1.1", c));
    assert_string_equal(c, "203.0.113.5");
    assert_true(cust_http_forwarded_client(nets, n, " 10.9.9.9 ,10.1.1.1 ", c)); /* all ours */
    assert_string_equal(c, "10.9.9.9");
    assert_true(cust_http_forwarded_client(nets, n, "2001:db8::7", c));
    assert_string_equal(c, "2001:db8::7");
    assert_true(cust_http_forwarded_client(nets, n, "junk, 203.0.113.5", c)); /* decided first */
    assert_string_equal(c, "203.0.113.5");
    assert_false(cust_http_forwarded_client(nets, n, "203.0.113.5, junk", c));
    assert_false(cust_http_forwarded_client(nets, n, "", c));
    assert_false(cust_http_forwarded_client(nets, n, " , ", c));
    assert_false(cust_http_forwarded_client(nets, n, NULL, c));
}

static void test_error_page(void **state)
{
    (void)state;
    const char *browser = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8";
    assert_true(cust_http_wants_html("/locator", browser));
    assert_true(cust_http_wants_html("/console/x", "text/html"));
    assert_false(cust_http_wants_html("/locator", NULL));
    assert_false(cust_http_wants_html("/locator", "*/*"));
    assert_false(cust_http_wants_html("/locator", "application/json"));
    assert_false(cust_http_wants_html("/api/v1/public/inmates", browser));
    assert_false(cust_http_wants_html("/api", browser));
    assert_false(cust_http_wants_html(NULL, browser));
    struct cust_http_response res;
    cust_http_res_init(&res);
    assert_int_equal(cust_http_res_error_page(&res, 429, NULL), CUST_OK);
    assert_int_equal(res.status, 429);
    assert_string_equal(res.content_type, "text/html; charset=utf-8");
    assert_int_equal(cust_buf_putc(&res.body, '\0'), CUST_OK);
    assert_non_null(strstr(res.body.buf, "<h1>Too many requests</h1>"));
    assert_non_null(strstr(res.body.buf, "Error 429."));
    assert_int_equal(cust_http_res_error_page(&res, 404, "ignored"), CUST_OK);
    assert_int_equal(cust_buf_putc(&res.body, '\0'), CUST_OK);
    assert_non_null(strstr(res.body.buf, "<h1>Page not found</h1>"));
    assert_null(strstr(res.body.buf, "429"));
    assert_null(strstr(res.body.buf, "ignored"));
    assert_string_equal(res.incident, "");
    /* a 5xx: a fixed message with an incident id, the detail only in the log */
    assert_int_equal(cust_http_res_error_page(&res, 500, "SELECT secret FROM /var/x.db"), CUST_OK);
    assert_int_equal(cust_buf_putc(&res.body, '\0'), CUST_OK);
    assert_int_equal(strlen(res.incident), 16);
    char want[64];
    snprintf(want, sizeof(want), "Something went wrong (incident %s).", res.incident);
    assert_non_null(strstr(res.body.buf, want));
    assert_null(strstr(res.body.buf, "SELECT"));
    assert_null(strstr(res.body.buf, "/var/x.db"));
    cust_http_res_release(&res);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_target),
        cmocka_unit_test(test_query),
        cmocka_unit_test(test_cookies),
        cmocka_unit_test(test_arena),
        cmocka_unit_test(test_error_table),
        cmocka_unit_test(test_error_page),
        cmocka_unit_test(test_response_headers_and_cookie),
        cmocka_unit_test(test_request_body),
        cmocka_unit_test(test_config),
        cmocka_unit_test(test_server_inprocess),
        cmocka_unit_test(test_guard),
        cmocka_unit_test(test_trusted_proxies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
