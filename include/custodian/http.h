/*
 * http.h - the HTTP front end: server over libmicrohttpd, router, request parsing, responses.
 *
 * A resource plugs in as one handler file: it registers its routes on a `struct cust_router`
 * and each handler fills a `struct cust_http_response` from a parsed `struct cust_http_request`.
 *
 *     static enum cust_status get_version(struct cust_http_request *req,
 *                                         struct cust_http_response *res, void *ctx)
 *     {
 *         return cust_http_res_json_str(res, 200, "{\"version\":\"0.1.0\"}");
 *     }
 *     cust_router_add(r, "GET", "/api/v1/version", get_version, NULL, 0);
 *
 * A handler returning a status other than CUST_OK (and leaving the response empty) gets the
 * stable JSON error shape {"error":{"code":"invalid","message":"...","status":400}}, the code and
 * status taken from ONE table (cust_http_status_for). Memory: everything hanging off a request
 * (parsed strings, params) lives in the request arena and is valid until the request ends.
 */
#ifndef CUSTODIAN_HTTP_H
#define CUSTODIAN_HTTP_H

#include "custodian/auth.h"
#include "custodian/buf.h"
#include "custodian/status.h"

#include <jansson.h>

/* ---- request arena ------------------------------------------------------------------------ */

/* A bump allocator freed in one go at request end (h2o req->pool). Aborts on OOM. */
struct cust_http_arena;

struct cust_http_arena *cust_http_arena_new(void);
void cust_http_arena_free(struct cust_http_arena *a);
/* `n` bytes aligned for any type; never NULL. */
void *cust_http_arena_alloc(struct cust_http_arena *a, size_t n);
/* A NUL-terminated copy of s[0..n). */
char *cust_http_arena_strndup(struct cust_http_arena *a, const char *s, size_t n);

/* ---- parsing (pure functions, fuzzed by fuzz/fuzz_router_path.c) --------------------------- */

/* A slice: pointer + length, not NUL-terminated. */
struct cust_http_str {
    const char *p;
    size_t len;
};

struct cust_kv {
    const char *key;   /* decoded, NUL-terminated, arena */
    const char *value; /* decoded, NUL-terminated, arena */
};

/* A list of pairs in input order (duplicates kept). Arena-backed. */
struct cust_kv_list {
    struct cust_kv *items;
    size_t len;
    size_t alloc;
};

/* Most pairs accepted in one query string, form body or Cookie header (more: CUST_ETOOBIG). */
#define CUST_HTTP_MAX_PAIRS 128

/*
 * Percent-decode s[0..len) into a new arena string. `plus_space` turns '+' into ' ' (forms and
 * query strings). Rejects malformed escapes, "%00" and invalid UTF-8 (CUST_EINVAL).
 */
enum cust_status cust_http_url_decode(struct cust_http_arena *a, const char *s, size_t len,
                                      bool plus_space, char **out, struct cust_err *err);

/* Parse "a=1&b=x+y" (query string or application/x-www-form-urlencoded body), appending pairs. */
enum cust_status cust_http_parse_query(struct cust_http_arena *a, const char *s, size_t len,
                                       struct cust_kv_list *out, struct cust_err *err);

/*
 * Parse a Cookie header ("a=1; b=2"), appending pairs; values are not percent-decoded.
 * Pairs that break RFC 6265 (no '=', bad name or value bytes) are skipped, so one sloppy cookie
 * from another application on the host cannot make every request fail. Only the pair cap errs.
 */
enum cust_status cust_http_parse_cookies(struct cust_http_arena *a, const char *s, size_t len,
                                         struct cust_kv_list *out, struct cust_err *err);

/*
 * Split a request target "/p/a%20th?x=1" into the decoded path and the raw query (without '?',
 * NULL when absent). The path must start with '/', must not contain "." or ".." segments, empty
 * segments ("//"), NUL, control characters or an encoded '/'.
 */
enum cust_status cust_http_split_target(struct cust_http_arena *a, const char *target, size_t len,
                                        char **path, char **query, struct cust_err *err);

/* The value of the first pair named `key`, or NULL. */
const char *cust_kv_get(const struct cust_kv_list *l, const char *key);

/* ---- requests and responses ---------------------------------------------------------------- */

struct cust_http_server;

struct cust_http_request {
    struct cust_http_arena *arena;
    const char *method;          /* "GET", "POST", ... ("HEAD" is routed as GET) */
    const char *target;          /* raw request target, e.g. "/api/v1/x?y=1" */
    const char *path;            /* decoded path */
    const char *raw_query;       /* raw query string or NULL */
    const char *route;           /* the matched route pattern, e.g. "/api/v1/requests/{id}" */
    struct cust_kv_list params;  /* {name} segments of the matched route */
    struct cust_kv_list query;   /* parsed query string */
    struct cust_kv_list cookies; /* parsed Cookie header */
    const char *content_type;    /* Content-Type header or NULL */
    const char *remote_addr;     /* client IP as text (behind a trusted proxy: the forwarded one) */
    const char *proxy_addr;      /* the trusted proxy it came through, or NULL */
    struct cust_buf body;        /* request body (capped by the server's body limit) */
    bool tls;                    /* served over TLS (cookies get Secure) */
    const char *user;            /* authenticated staff user, set by auth middleware; NULL */
    struct cust_http_server *server;
    void *conn; /* the MHD connection (NULL in unit tests) */
};

/* A request header by name (case-insensitive), or NULL (also NULL without a connection). */
const char *cust_http_req_header(const struct cust_http_request *req, const char *name);
/* The {name} route parameter, or NULL. */
const char *cust_http_req_param(const struct cust_http_request *req, const char *name);

/*
 * Parse the body as JSON (duplicate keys rejected). Returns a new reference the caller
 * decrefs, or NULL with `err` set to CUST_EINVAL ("body: line L column C: reason").
 */
json_t *cust_http_req_json(const struct cust_http_request *req, struct cust_err *err);

/* Parse an application/x-www-form-urlencoded body into `out` (arena-backed). */
enum cust_status cust_http_req_form(struct cust_http_request *req, struct cust_kv_list *out,
                                    struct cust_err *err);

#define CUST_HTTP_MAX_HEADERS 16

struct cust_http_response {
    int status;               /* 0 = not set yet */
    const char *content_type; /* static string */
    struct cust_buf body;
    char *problem; /* why a 5xx happened (heap copy), for the server's log: cust_http_res_problem */
    size_t nheaders;
    struct {
        char *name;
        char *value;
    } headers[CUST_HTTP_MAX_HEADERS]; /* heap copies, freed by cust_http_res_release */
    char incident[17]; /* a 5xx answer's incident id (cust_http_incident), "" if none */
};

void cust_http_res_init(struct cust_http_response *res);
void cust_http_res_release(struct cust_http_response *res);
/* Keep why the response is a server error (copied), for the server's log on standard error:
 * "custodian: http: 500 POST /api/v1/requests: <why>". cust_http_res_error does it for a 5xx. */
void cust_http_res_problem(struct cust_http_response *res, const char *why);
/* Add a response header (copied). At most CUST_HTTP_MAX_HEADERS (CUST_ETOOBIG). */
enum cust_status cust_http_res_header(struct cust_http_response *res, const char *name,
                                      const char *value);
/* Set a JSON body from a jansson value (borrowed) and the status. */
enum cust_status cust_http_res_json(struct cust_http_response *res, int status, const json_t *v);
/* Set a JSON body from a preformatted string. */
enum cust_status cust_http_res_json_str(struct cust_http_response *res, int status,
                                        const char *json);
/* Set an HTML body (already escaped/rendered). */
enum cust_status cust_http_res_html(struct cust_http_response *res, int status, const char *html);

/*
 * Set-Cookie: NAME=VALUE; Path=/; HttpOnly; SameSite=Strict[; Secure][; Max-Age=N].
 * `max_age` < 0 omits Max-Age (session cookie); 0 deletes the cookie. Value must be a token
 * (letters, digits, '-', '_', '.'), else CUST_EINVAL.
 */
enum cust_status cust_http_res_cookie(struct cust_http_response *res, const char *name,
                                      const char *value, long max_age, bool secure);

/* ---- errors: ONE table maps cust_status -> HTTP status + JSON code -------------------------- */

/* The HTTP status for a cust_status (CUST_EINVAL 400, CUST_ENOTFOUND 404, ...; unknown 500). */
int cust_http_status_for(enum cust_status code);
/* The stable JSON code for a cust_status ("invalid", "not_found", ...). */
const char *cust_http_code_for(enum cust_status code);

/*
 * Set the error body {"error":{"code":CODE,"message":MSG,"status":STATUS}} and the status.
 * An internal error (500, or any 5xx but 503) never carries its message to the client, which
 * may hold a path or SQL text (issue 12): the message is logged in full with a new incident id
 * (cust_http_incident) and the client gets "internal error (incident ID)" and "incident": ID.
 * A 503's message is the answer and is logged too (cust_http_res_problem).
 */
enum cust_status cust_http_res_error_raw(struct cust_http_response *res, int status,
                                         const char *code, const char *message);
/* A new random incident id (64 bits, 16 hex digits, into `id`) for an answer that must not
 * carry `detail`: `detail` becomes the response's problem as "incident ID: DETAIL", which the
 * server logs in full on stderr with the method and path ("custodian: http: 500 GET /x:
 * incident ID: DETAIL"). */
void cust_http_incident(struct cust_http_response *res, const char *detail, char id[17]);
/* Set a small HTML error page for `status` (text/html): a title and advice chosen by the
 * status alone, so nothing from the request is echoed. A 5xx but 503 logs `detail` as an
 * incident (res->incident) and the page says only "Something went wrong (incident ID)." The
 * server uses it for the errors it generates itself when cust_http_wants_html(). */
enum cust_status cust_http_res_error_page(struct cust_http_response *res, int status,
                                          const char *detail);
/* True when an error for this request should be an HTML page: the path is not under /api/
 * and the Accept header names text/html (a browser). */
bool cust_http_wants_html(const char *path, const char *accept);
/* The same, from a status (message: err->msg if non-empty, else a generic one). */
enum cust_status cust_http_res_error(struct cust_http_response *res, enum cust_status code,
                                     const char *message);

/* ---- router --------------------------------------------------------------------------------- */

typedef enum cust_status (*cust_http_handler)(struct cust_http_request *req,
                                              struct cust_http_response *res, void *ctx);

enum cust_route_flags {
    CUST_ROUTE_RATE_LIMITED = 1 << 0, /* per-IP token bucket applies (public locator) */
    CUST_ROUTE_AUDITED = 1 << 1,      /* every request fires the audit hook (all /api/ routes) */
    /* the handler is slow on purpose (a sign-in's Argon2id): it runs on the server's small
     * worker pool while its connection is suspended, never on a connection thread */
    CUST_ROUTE_SLOW = 1 << 2,
};

struct cust_router;

#define CUST_ROUTE_MAX_PARAMS 8

struct cust_route_match {
    cust_http_handler fn;
    void *ctx;
    unsigned flags;
    const char *pattern; /* the matched pattern, e.g. "/api/v1/requests/{id}" (for logs) */
    size_t nparams;
    const char *names[CUST_ROUTE_MAX_PARAMS];
    struct cust_http_str values[CUST_ROUTE_MAX_PARAMS]; /* slices of the matched path */
    char allow[96]; /* on CUST_ROUTE_BAD_METHOD: "GET, HEAD, POST" */
};

enum cust_route_result {
    CUST_ROUTE_FOUND,
    CUST_ROUTE_NOT_FOUND,
    CUST_ROUTE_BAD_METHOD, /* the path exists under other methods: 405 with Allow */
};

struct cust_router *cust_router_new(void);
void cust_router_free(struct cust_router *r);

/*
 * Register METHOD PATTERN. Pattern segments are literals or "{name}" (one whole segment).
 * CUST_EINVAL on a malformed pattern, CUST_ECONFLICT when METHOD+PATTERN is already taken.
 * Literal segments win over parameters regardless of registration order.
 */
enum cust_status cust_router_add(struct cust_router *r, const char *method, const char *pattern,
                                 cust_http_handler fn, void *ctx, unsigned flags);

/* Match a decoded path. HEAD matches GET routes. Not thread-unsafe: read-only after setup. */
enum cust_route_result cust_router_match(const struct cust_router *r, const char *method,
                                         const char *path, struct cust_route_match *m);

/* ---- per-IP rate limiting (token bucket) ---------------------------------------------------- */

struct cust_ratelimit;

/*
 * A limiter of `rate` tokens per second, bursts up to `burst`, tracking at most `slots` keys
 * (fixed memory; the least recently seen key in a full probe window is evicted). Thread-safe.
 */
struct cust_ratelimit *cust_ratelimit_new(double rate, double burst, size_t slots);
void cust_ratelimit_free(struct cust_ratelimit *rl);
/*
 * Take one token for `key` at `now_us` (monotonic microseconds). True if allowed; when refused
 * and `retry_after_s` is given, it receives the whole seconds until a token is available.
 */
bool cust_ratelimit_take(struct cust_ratelimit *rl, const char *key, int64_t now_us,
                         unsigned *retry_after_s);

/* ---- server --------------------------------------------------------------------------------- */

/* What the ledger hears about (the server never writes the ledger itself). */
enum cust_http_audit_kind {
    CUST_AUDIT_API_REQUEST, /* every request on a CUST_ROUTE_AUDITED route */
    CUST_AUDIT_DENIED,      /* any 401 or 403 response */
    CUST_AUDIT_LOGIN,       /* login attempt (fired by the login handler via cust_http_audit) */
    CUST_AUDIT_VIEW,        /* page view of a restricted record (fired by handlers) */
};

struct cust_http_audit_event {
    enum cust_http_audit_kind kind;
    const char *method;
    const char *path;   /* decoded path, no query */
    const char *route;  /* matched pattern or NULL */
    const char *remote; /* client IP */
    const char *user;   /* authenticated user or the login name tried, may be NULL */
    int status;         /* HTTP status sent */
    bool success;       /* for logins */
    const char *detail; /* free text, may be NULL */
};

struct cust_http_hooks {
    /* Called from server threads (concurrently): must be thread-safe. `ev` is borrowed. */
    void (*audit)(void *ctx, const struct cust_http_audit_event *ev);
    void *ctx;
};

/* An address block: `prefix` leading bits of `addr` (4 bytes for AF_INET, 16 for AF_INET6). */
struct cust_http_net {
    int family;
    uint8_t addr[16];
    unsigned prefix;
};
#define CUST_HTTP_MAX_PROXIES 32

struct cust_http_config {
    char listen_host[64];  /* "127.0.0.1", "::1", "0.0.0.0" */
    uint16_t port;         /* 0 = any free port */
    unsigned threads;      /* MHD thread pool size (epoll per thread) */
    unsigned slow_workers; /* threads for CUST_ROUTE_SLOW handlers ([server] login_workers) */
    size_t body_limit;     /* bytes; larger bodies get 413 */
    size_t header_limit;   /* bytes of request line + headers; larger get 431 */
    unsigned connection_limit;
    unsigned per_ip_connection_limit;
    unsigned timeout_s; /* idle connection timeout */
    /* the whole request line and headers must arrive within this many seconds of the
     * connection or of the previous answer on it (slow clients; 0: no deadline) */
    unsigned header_timeout_s;
    double rate_per_s; /* token bucket for CUST_ROUTE_RATE_LIMITED routes */
    double rate_burst;
    size_t rate_slots;
    /* [ratelimit] all_rate, all_burst: a second bucket per client address that every request
     * takes from, on any route and on none (404, 405), before anything else is done (issue 12:
     * no route escapes the limiter); generous, so a console's page loads never meet it */
    double all_rate_per_s;
    double all_burst;
    unsigned shutdown_grace_ms;         /* wait this long for in-flight requests on stop */
    char access_log[1024];              /* path, "" or "-" = stderr */
    unsigned locator_hide_recent_hours; /* the locator hides bookings this recent (default 2) */
    unsigned locator_result_cap;        /* the locator returns at most this many (default 50) */
    unsigned locator_cache_ttl_s;       /* each locator API answer is kept this long (default 30) */
    bool tls;                           /* behind TLS: cookies get Secure */
    bool public_https;                  /* [server] public_url is https://: as tls (issue 12) */
    char publish_to[1024];              /* [server] publish_to: the published public view */
    unsigned publish_every_s;           /* [server] publish_every (0: at start only) */
    /* [server] trusted_proxies: peers whose X-Forwarded-For names the client (rate limits,
     * the access log, the audit trail), and which the per-address connection limit spares */
    struct cust_http_net trusted[CUST_HTTP_MAX_PROXIES];
    size_t ntrusted;
    struct cust_http_hooks hooks;
};

/* Parse "ADDR[/BITS]" items separated by commas or spaces (IPv4 or IPv6) into `out` (at most
 * `cap`); CUST_EINVAL naming the item that is not one. An empty list is fine (*n = 0). */
enum cust_status cust_http_nets_parse(const char *text, struct cust_http_net *out, size_t cap,
                                      size_t *n, struct cust_err *err);
/* Whether the address `ip` (text) is in one of the blocks. */
bool cust_http_net_contains(const struct cust_http_net *nets, size_t n, const char *ip);
/*
 * The client behind trusted proxies: `xff` is the X-Forwarded-For value (all such headers
 * joined by commas, in order). Walking from the right, the first address that is not a trusted
 * proxy is the client; every hop trusted: the leftmost. False (keep the peer) when an entry
 * that would decide is not an IP address. `out` gets the address as text.
 */
bool cust_http_forwarded_client(const struct cust_http_net *nets, size_t n, const char *xff,
                                char out[64]);

/* Defaults (the configuration's, config.h): 127.0.0.1:8080, 4 threads, 1 MiB body, 8 KiB
 * headers, 256 connections, 30 s; [locator] hide_recent_hours 2 (the rule), result_cap
 * 50, cache_ttl 30. */
void cust_http_config_defaults(struct cust_http_config *cfg);

struct cust_config;
/*
 * Set every [server], [ratelimit] and [locator] value of the configuration on `cfg` (start from
 * cust_http_config_defaults). A bad value is CUST_EINVAL naming its source:
 * "FILE:LINE: [server] threads: expected 1..256".
 */
enum cust_status cust_http_config_apply(struct cust_http_config *cfg, const struct cust_config *c,
                                        struct cust_err *err);

/* Set listen_host/port from "ADDR:PORT" or "[V6]:PORT". */
enum cust_status cust_http_config_listen(struct cust_http_config *cfg, const char *addr,
                                         struct cust_err *err);

/*
 * Overlay what an INI file (config.h) sets in [server] (listen threads body_limit header_limit
 * connections per_ip_connections timeout access_log tls shutdown_grace_ms), [ratelimit] (rate
 * burst slots all_rate all_burst) and [locator] (hide_recent_hours result_cap cache_ttl) on `cfg`.
 * Unknown keys or bad values: CUST_EINVAL naming "FILE:LINE: [section] key: reason".
 */
enum cust_status cust_http_config_load(struct cust_http_config *cfg, const char *path,
                                       struct cust_err *err);

/*
 * Start serving `router` (borrowed; must outlive the server) with MHD's internal thread pool
 * over epoll. Returns once listening; see cust_http_server_port().
 */
enum cust_status cust_http_server_start(struct cust_http_server **out,
                                        const struct cust_http_config *cfg,
                                        const struct cust_router *router, struct cust_err *err);
/* The bound TCP port (useful with port 0). */
uint16_t cust_http_server_port(const struct cust_http_server *s);
/*
 * Graceful stop: stop accepting, let in-flight requests finish (up to the grace period),
 * then stop the threads and free. NULL-safe.
 */
void cust_http_server_stop(struct cust_http_server *s);

/* Fire the audit hook (for handlers: logins, restricted views). */
void cust_http_audit(const struct cust_http_request *req, enum cust_http_audit_kind kind,
                     int status, bool success, const char *user, const char *detail);

/* ---- staff guard: session cookie + role matrix + CSRF ---------------------------------------- */

#define CUST_SESSION_COOKIE "custodian_session"
#define CUST_CSRF_FIELD     "csrf"         /* form field */
#define CUST_CSRF_HEADER    "X-CSRF-Token" /* or this header (JSON clients) */

/*
 * Gate a handler: resolve the session cookie at `now` (idle/absolute expiry), check `action`
 * against the role matrix, and for any method other than GET/HEAD require the session's CSRF
 * token (header X-CSRF-Token, or form field "csrf" in an urlencoded body). On success fills
 * `out` (may be NULL) and sets req->user; returns CUST_OK. On refusal fills `res` with 401
 * "unauthenticated" (no or expired session) or 403 "denied" (role or CSRF; `out` then holds the
 * session refused, for a page that keeps its user's navigation) and returns CUST_EDENIED: the
 * handler returns that, and the server fires the DENIED audit event.
 */
enum cust_status cust_http_require(struct cust_http_request *req, struct cust_http_response *res,
                                   const struct cust_auth_backend *be, enum cust_action action,
                                   int64_t now, struct cust_session *out);

/* Register GET /healthz and GET /api/v1/version. */
enum cust_status cust_http_register_system(struct cust_router *r);

#endif
