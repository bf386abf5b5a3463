/*
 * server.c - the HTTP server: libmicrohttpd's internal thread pool over epoll, wrapped so that
 * handlers see one parsed request and return one response.
 *
 * MHD calls the access handler several times per request: once after the headers, once per
 * body chunk, and once more at the end. We check the header size (431) and a declared
 * Content-Length (413) on the first call, accumulate the body with a cap across the chunk calls,
 * and dispatch through the router on the last call. The raw request target (with the query
 * string) comes from MHD's URI log callback, which also allocates our per-request state; the
 * completion callback writes the access log line and frees it.
 *
 * A slow handler (CUST_ROUTE_SLOW: a sign-in's Argon2id, ~64 MiB and tens of milliseconds
 * each) does not run on the connection threads: its connection is suspended
 * (MHD_suspend_connection), the handler runs on one of a few worker threads, and the
 * connection is resumed when the answer is ready. So twenty sign-ins at once wait for each
 * other, never /healthz or a page (docs/internals/http.md "Slow handlers").
 */
#include "custodian/compat.h"
#include "custodian/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <stdarg.h>

struct cust_http_server {
    struct MHD_Daemon *mhd;
    struct cust_http_config cfg;
    const struct cust_router *router;
    struct cust_ratelimit *rl;     /* CUST_ROUTE_RATE_LIMITED routes ([ratelimit] rate) */
    struct cust_ratelimit *rl_all; /* every request ([ratelimit] all_rate) */
    FILE *log;
    bool own_log;
    pthread_mutex_t log_lock;
    atomic_int inflight;
    atomic_bool stopping;
    uint16_t port;
    /* open connections per client address (the per-address limit; trusted proxies spared),
     * and every open connection (the header deadline's watchdog walks them) */
    pthread_mutex_t conn_lock;
    struct conn_count {
        char ip[INET6_ADDRSTRLEN];
        unsigned n;
    } * conns;
    size_t nconns, conns_alloc;
    struct conn_info *open_conns;
    pthread_t watchdog;
    pthread_cond_t watchdog_wake;
    bool watchdog_running, watchdog_stop;
    atomic_ullong header_timeouts; /* connections cut at the header deadline */
    /* the slow handlers' workers and their bounded queue of suspended requests */
    pthread_mutex_t slow_lock;
    pthread_cond_t slow_wake;
    struct slow_job *slow_head, *slow_tail;
    size_t slow_queued;
    pthread_t *slow_threads;
    size_t nslow;
    bool slow_stop;
};

/* A request waiting for a worker: its handler and where the answer goes. */
struct slow_job {
    struct req_state *st;
    cust_http_handler fn;
    void *ctx;
    struct slow_job *next;
};
/* At most this many requests wait per worker; past it a slow route answers 503 at once. */
#define SLOW_QUEUE_PER_WORKER 32
/* The workers' nice value (Linux: per thread), above the connection threads' 0. */
#define SLOW_NICE 19

/* One open connection (MHD's socket context): its address, its socket, and since when it has
 * been waiting for a request's headers (waiting: none has arrived since `since_us`). */
struct conn_info {
    char ip[INET6_ADDRSTRLEN];
    bool counted; /* in conns (the per-address limit) */
    int fd;
    bool waiting;
    int64_t since_us;
    struct conn_info *prev, *next;
};

struct req_state {
    struct cust_http_request req;
    struct cust_http_response res;
    struct cust_http_server *srv;
    bool started; /* first access-handler call done */
    bool queued;  /* a response was queued */
    bool too_big; /* body over the cap: answer 413 at the end */
    size_t discarded;
    int status;
    size_t bytes;
    int64_t start_us;
    const char *route;
    unsigned route_flags;
    bool deferred;     /* suspended: the handler runs on a worker */
    atomic_bool ready; /* ... and its answer is in `res` */
};

static int64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static struct req_state *state_new(struct cust_http_server *srv, const char *uri,
                                   struct MHD_Connection *con)
{
    struct req_state *st = cust_xcalloc(1, sizeof(*st));
    st->srv = srv;
    st->start_us = mono_us();
    st->req.arena = cust_http_arena_new();
    st->req.target = cust_http_arena_strndup(st->req.arena, uri ? uri : "", uri ? strlen(uri) : 0);
    st->req.server = srv;
    st->req.conn = con;
    st->req.tls = srv->cfg.tls || srv->cfg.public_https;
    cust_buf_init(&st->req.body, srv->cfg.body_limit);
    cust_http_res_init(&st->res);
    atomic_fetch_add(&srv->inflight, 1);

    char ip[INET6_ADDRSTRLEN] = "?";
    const union MHD_ConnectionInfo *ci =
        con ? MHD_get_connection_info(con, MHD_CONNECTION_INFO_CLIENT_ADDRESS) : NULL;
    if (ci && ci->client_addr) {
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, ip,
                      sizeof(ip));
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, ip,
                      sizeof(ip));
    }
    st->req.remote_addr = cust_http_arena_strndup(st->req.arena, ip, strlen(ip));
    return st;
}

static void state_free(struct req_state *st)
{
    atomic_fetch_sub(&st->srv->inflight, 1);
    cust_buf_release(&st->req.body);
    cust_http_res_release(&st->res);
    cust_http_arena_free(st->req.arena);
    free(st);
}

static void *uri_log_cb(void *cls, const char *uri, struct MHD_Connection *con)
{
    return state_new(cls, uri, con);
}

/* ---- trusted proxies and the per-address connection limit ----------------------------------- */

static void sockaddr_text(const struct sockaddr *sa, char ip[INET6_ADDRSTRLEN])
{
    snprintf(ip, INET6_ADDRSTRLEN, "?");
    if (sa && sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, ip,
                  INET6_ADDRSTRLEN);
    else if (sa && sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, ip,
                  INET6_ADDRSTRLEN);
}

/* The entry counting `ip`'s connections (added when `add`), or NULL. Under conn_lock. */
static struct conn_count *conn_entry(struct cust_http_server *srv, const char *ip, bool add)
{
    for (size_t i = 0; i < srv->nconns; i++)
        if (strcmp(srv->conns[i].ip, ip) == 0)
            return &srv->conns[i];
    if (!add)
        return NULL;
    if (srv->nconns == srv->conns_alloc) {
        srv->conns_alloc = srv->conns_alloc ? srv->conns_alloc * 2 : 64;
        srv->conns = cust_xrealloc(srv->conns, srv->conns_alloc * sizeof(*srv->conns));
    }
    struct conn_count *c = &srv->conns[srv->nconns++];
    snprintf(c->ip, sizeof(c->ip), "%s", ip);
    c->n = 0;
    return c;
}

/*
 * MHD's accept policy. While stopping, a new connection is closed as soon as it is accepted.
 * (MHD_quiesce_daemon would stop accepting instead, but with epoll and a thread pool
 * libmicrohttpd 0.9.75 races its own polling threads for the removal of the listening socket
 * from the epoll set, and the loser aborts the process: "Failed to remove listen FD from epoll
 * set" — seen on SIGTERM in tests/crash/fault_server.sh. Refusing here touches no epoll set.)
 * Otherwise at most per_ip_connection_limit open connections from one address, but a trusted
 * proxy's (everyone behind it shares its address: limiting it would let one client lock out the
 * rest).
 */
static enum MHD_Result accept_cb(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
    (void)addrlen;
    struct cust_http_server *srv = cls;
    if (atomic_load(&srv->stopping))
        return MHD_NO;
    if (!srv->cfg.per_ip_connection_limit)
        return MHD_YES;
    char ip[INET6_ADDRSTRLEN];
    sockaddr_text(addr, ip);
    if (cust_http_net_contains(srv->cfg.trusted, srv->cfg.ntrusted, ip))
        return MHD_YES;
    pthread_mutex_lock(&srv->conn_lock);
    const struct conn_count *c = conn_entry(srv, ip, false);
    bool ok = !c || c->n < srv->cfg.per_ip_connection_limit;
    pthread_mutex_unlock(&srv->conn_lock);
    return ok ? MHD_YES : MHD_NO;
}

/* Each connection opened and closed: counted per address, kept in the list the header
 * deadline's watchdog walks; the socket context is its conn_info. */
static void connection_cb(void *cls, struct MHD_Connection *con, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    struct cust_http_server *srv = cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        struct conn_info *ci = cust_xcalloc(1, sizeof(*ci));
        const union MHD_ConnectionInfo *a =
            MHD_get_connection_info(con, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        sockaddr_text(a ? a->client_addr : NULL, ci->ip);
        const union MHD_ConnectionInfo *f =
            MHD_get_connection_info(con, MHD_CONNECTION_INFO_CONNECTION_FD);
        ci->fd = f ? f->connect_fd : -1;
        ci->waiting = true;
        ci->since_us = mono_us();
        ci->counted = srv->cfg.per_ip_connection_limit &&
                      !cust_http_net_contains(srv->cfg.trusted, srv->cfg.ntrusted, ci->ip);
        pthread_mutex_lock(&srv->conn_lock);
        if (ci->counted)
            conn_entry(srv, ci->ip, true)->n++;
        ci->next = srv->open_conns;
        if (ci->next)
            ci->next->prev = ci;
        srv->open_conns = ci;
        pthread_mutex_unlock(&srv->conn_lock);
        *socket_context = ci;
        return;
    }
    struct conn_info *ci = *socket_context;
    if (!ci)
        return;
    pthread_mutex_lock(&srv->conn_lock);
    struct conn_count *c = ci->counted ? conn_entry(srv, ci->ip, false) : NULL;
    if (c && --c->n == 0)
        *c = srv->conns[--srv->nconns]; /* the last one takes its place */
    if (ci->prev)
        ci->prev->next = ci->next;
    else
        srv->open_conns = ci->next;
    if (ci->next)
        ci->next->prev = ci->prev;
    pthread_mutex_unlock(&srv->conn_lock);
    free(ci);
    *socket_context = NULL;
}

/* The connection's headers arrived (waiting false), or its answer was sent (waiting again: a
 * kept-alive connection may first sit idle for MHD's idle timeout, then the deadline runs). */
static void conn_waiting(struct cust_http_server *srv, struct MHD_Connection *con, bool waiting)
{
    const union MHD_ConnectionInfo *i =
        con ? MHD_get_connection_info(con, MHD_CONNECTION_INFO_SOCKET_CONTEXT) : NULL;
    struct conn_info *ci = i ? i->socket_context : NULL;
    if (!ci)
        return;
    pthread_mutex_lock(&srv->conn_lock);
    ci->waiting = waiting;
    ci->since_us = mono_us() + (waiting ? (int64_t)srv->cfg.timeout_s * 1000000 : 0);
    pthread_mutex_unlock(&srv->conn_lock);
}

/* The header deadline: twice a second, a connection that has waited longer than
 * header_timeout_s for a request's whole line and headers (a client sending a byte now and then
 * keeps MHD's idle timeout from firing) is shut down, and MHD then closes it. MHD calls the
 * closed notification before it closes the socket, and that is handled under conn_lock, so the
 * socket shut down is always this connection's. A connection whose bytes wait unread in its
 * socket is spared: the client sent them, the server has not read them yet (its threads were
 * busy), so the slow one is the server, not the client; it is looked at again next time. */
static void *watchdog_run(void *arg)
{
    struct cust_http_server *srv = arg;
    int64_t limit = (int64_t)srv->cfg.header_timeout_s * 1000000;
    pthread_mutex_lock(&srv->conn_lock);
    while (!srv->watchdog_stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 500 * 1000 * 1000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&srv->watchdog_wake, &srv->conn_lock, &ts);
        int64_t now = mono_us();
        for (struct conn_info *ci = srv->open_conns; ci; ci = ci->next) {
            if (!ci->waiting || ci->fd < 0 || now - ci->since_us <= limit)
                continue;
            int unread = 0;
            if (ioctl(ci->fd, FIONREAD, &unread) == 0 && unread > 0)
                continue;
            ci->waiting = false; /* once */
            (void)shutdown(ci->fd, SHUT_RDWR);
            atomic_fetch_add(&srv->header_timeouts, 1);
        }
    }
    pthread_mutex_unlock(&srv->conn_lock);
    return NULL;
}

/* Appends each X-Forwarded-For value (comma-joined, in order) to the cust_buf at cls. */
static enum MHD_Result join_xff(void *cls, enum MHD_ValueKind kind, const char *key,
                                const char *value)
{
    (void)kind;
    struct cust_buf *b = cls;
    if (strcasecmp(key, "X-Forwarded-For") == 0 && value)
        (void)cust_buf_appendf(b, "%s%s", b->len ? "," : "", value);
    return MHD_YES;
}

/* Behind a trusted proxy, the client is the one its X-Forwarded-For names (proxy.c). */
static void forwarded_client(struct req_state *st, struct MHD_Connection *con)
{
    const struct cust_http_config *cfg = &st->srv->cfg;
    if (!cfg->ntrusted || !cust_http_net_contains(cfg->trusted, cfg->ntrusted, st->req.remote_addr))
        return;
    struct cust_buf xff = CUST_BUF_INIT;
    MHD_get_connection_values(con, MHD_HEADER_KIND, join_xff, &xff);
    char client[64];
    if (xff.len && cust_buf_putc(&xff, '\0') == CUST_OK &&
        cust_http_forwarded_client(cfg->trusted, cfg->ntrusted, xff.buf, client)) {
        st->req.proxy_addr = st->req.remote_addr;
        st->req.remote_addr = cust_http_arena_strndup(st->req.arena, client, strlen(client));
    }
    cust_buf_release(&xff);
}

const char *cust_http_req_header(const struct cust_http_request *req, const char *name)
{
    if (!req->conn)
        return NULL;
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

/* ---- access log ----------------------------------------------------------------------------- */

/* Query parameters whose values may be logged; every other value is replaced by "*". */
static const char *const log_safe_params[] = {"page",   "limit", "offset", "sort",  "order",
                                              "format", "as_of", "since",  "until", "status"};

static bool log_safe(const char *key)
{
    for (size_t i = 0; i < CUST_ARRAY_LEN(log_safe_params); i++)
        if (strcmp(key, log_safe_params[i]) == 0)
            return true;
    return false;
}

static void logged_path(struct req_state *st, struct cust_buf *out)
{
    const char *target = st->req.target;
    const char *q = strchr(target, '?');
    if (cust_buf_append(out, target, q ? (size_t)(q - target) : strlen(target)) || !q)
        return;
    struct cust_kv_list kv = {0};
    if (cust_http_parse_query(st->req.arena, q + 1, strlen(q + 1), &kv, NULL) != CUST_OK) {
        if (cust_buf_puts(out, "?<unparsable>") != CUST_OK)
            return;
        return;
    }
    for (size_t i = 0; i < kv.len; i++) {
        if (cust_buf_appendf(out, "%c%s=%s", i ? '&' : '?', kv.items[i].key,
                             log_safe(kv.items[i].key) ? kv.items[i].value : "*"))
            return;
    }
}

static const char *termination_name(enum MHD_RequestTerminationCode toe)
{
    switch (toe) {
    case MHD_REQUEST_TERMINATED_COMPLETED_OK:
        return NULL;
    case MHD_REQUEST_TERMINATED_TIMEOUT_REACHED:
        return "timeout";
    case MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN:
        return "shutdown";
    case MHD_REQUEST_TERMINATED_CLIENT_ABORT:
        return "client_abort";
    case MHD_REQUEST_TERMINATED_READ_ERROR:
        return "read_error";
    default:
        return "error";
    }
}

static void access_log(struct req_state *st, const char *method, int64_t dur_us,
                       enum MHD_RequestTerminationCode toe)
{
    struct cust_http_server *srv = st->srv;
    if (!srv->log)
        return;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char when[80];
    snprintf(when, sizeof(when), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
             (long)(ts.tv_nsec / 1000000) % 1000);
    struct cust_buf path = CUST_BUF_INIT;
    logged_path(st, &path);
    /* one JSON object a line, as jansson's compact ASCII dump wrote it (written here without it:
     * a line a request, docs/bench-locator.md session 7) */
    struct cust_buf line = CUST_BUF_INIT;
    cust_buf_puts(&line, "{\"time\":");
    cust_buf_json_ascii(&line, when);
    cust_buf_puts(&line, ",\"method\":");
    cust_buf_json_ascii(&line, method ? method : "?");
    cust_buf_puts(&line, ",\"path\":");
    cust_buf_json_ascii(&line, path.buf);
    cust_buf_appendf(&line,
                     ",\"status\":%d,\"bytes\":%lld,\"duration_us\":%lld,\"remote\":", st->status,
                     (long long)st->bytes, (long long)dur_us);
    cust_buf_json_ascii(&line, st->req.remote_addr);
    cust_buf_release(&path);
    const char *const opt_key[] = {",\"route\":", ",\"user\":", ",\"via\":", ",\"end\":"};
    const char *const opt_val[] = {st->route, st->req.user, st->req.proxy_addr,
                                   termination_name(toe)};
    for (size_t i = 0; i < CUST_ARRAY_LEN(opt_key); i++) {
        if (!opt_val[i])
            continue;
        cust_buf_puts(&line, opt_key[i]);
        cust_buf_json_ascii(&line, opt_val[i]);
    }
    cust_buf_puts(&line, "}\n");
    if (cust_buf_status(&line) == CUST_OK) {
        pthread_mutex_lock(&srv->log_lock);
        fwrite(line.buf, 1, line.len, srv->log);
        fflush(srv->log);
        pthread_mutex_unlock(&srv->log_lock);
    }
    cust_buf_release(&line);
}

/* Every API request is audited, matched or not; other routes when flagged. */
static bool audited(const struct req_state *st)
{
    return (st->route_flags & CUST_ROUTE_AUDITED) || strncmp(st->req.target, "/api/", 5) == 0;
}

static void conn_waiting(struct cust_http_server *srv, struct MHD_Connection *con, bool waiting);

static void completed_cb(void *cls, struct MHD_Connection *con, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    conn_waiting(cls, con, true); /* the next request's headers: the deadline starts now */
    struct req_state *st = *con_cls;
    if (!st)
        return;
    /* Audit after the response is sent, so every answered request is covered, 413/431 too. */
    if (st->queued) {
        if (st->status == 401 || st->status == 403)
            cust_http_audit(&st->req, CUST_AUDIT_DENIED, st->status, false, NULL, NULL);
        else if (audited(st))
            cust_http_audit(&st->req, CUST_AUDIT_API_REQUEST, st->status, st->status < 400, NULL,
                            NULL);
    }
    access_log(st, st->req.method, mono_us() - st->start_us, toe);
    state_free(st);
    *con_cls = NULL;
}

/* ---- audit ---------------------------------------------------------------------------------- */

/* The target without its query (query values may be restricted). */
static const char *path_only(const struct cust_http_request *req)
{
    const char *q = strchr(req->target, '?');
    if (!q)
        return req->target;
    return cust_http_arena_strndup(req->arena, req->target, (size_t)(q - req->target));
}

void cust_http_audit(const struct cust_http_request *req, enum cust_http_audit_kind kind,
                     int status, bool success, const char *user, const char *detail)
{
    const struct cust_http_server *srv = req->server;
    if (!srv || !srv->cfg.hooks.audit)
        return;
    struct cust_http_audit_event ev = {
        .kind = kind,
        .method = req->method,
        .path = req->path ? req->path : path_only(req),
        .route = req->route,
        .remote = req->remote_addr,
        .user = user ? user : req->user,
        .status = status,
        .success = success,
        .detail = detail,
    };
    srv->cfg.hooks.audit(srv->cfg.hooks.ctx, &ev);
}

/* ---- responding ----------------------------------------------------------------------------- */

/*
 * An error the server generates itself (before or instead of a handler): the stable JSON error
 * shape for the API and for clients that do not ask for HTML, a small HTML page for a browser
 * on an HTML route (cust_http_wants_html: not under /api/, Accept names text/html). Same
 * status either way; the page echoes nothing (the JSON message is a constant or the parser's).
 */
static void server_error(struct req_state *st, int status, const char *code, const char *message)
{
    const char *path = st->req.path ? st->req.path : st->req.target;
    if (cust_http_wants_html(path, cust_http_req_header(&st->req, "Accept")))
        (void)cust_http_res_error_page(&st->res, status, message);
    else
        (void)cust_http_res_error_raw(&st->res, status, code, message);
}

static void server_error_status(struct req_state *st, enum cust_status rc, const char *message)
{
    server_error(st, cust_http_status_for(rc), cust_http_code_for(rc), message);
}

static enum MHD_Result queue(struct req_state *st, struct MHD_Connection *con)
{
    struct cust_http_response *res = &st->res;
    if (res->status == 0)
        server_error(st, 500, "internal", "handler produced no response");
    /* the body is handed to MHD, not copied: it frees it with the response */
    size_t len = res->body.len;
    char *body = cust_buf_detach(&res->body, NULL);
    struct MHD_Response *r = MHD_create_response_from_buffer_with_free_callback(len, body, free);
    if (!r) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type",
                            res->content_type ? res->content_type : "application/octet-stream");
    MHD_add_response_header(r, "Content-Security-Policy",
                            "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
                            "form-action 'self'");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    if (st->srv->cfg.tls || st->srv->cfg.public_https)
        MHD_add_response_header(r, "Strict-Transport-Security", "max-age=31536000");
    if (atomic_load(&st->srv->stopping))
        MHD_add_response_header(r, "Connection", "close");
    for (size_t i = 0; i < res->nheaders; i++)
        MHD_add_response_header(r, res->headers[i].name, res->headers[i].value);
    enum MHD_Result ret = MHD_queue_response(con, (unsigned)res->status, r);
    MHD_destroy_response(r);
    if (res->status >= 500) { /* the operator's log (journald): what failed, not just a 500 */
        struct cust_buf path = CUST_BUF_INIT;
        logged_path(st, &path);
        fprintf(stderr, "custodian: http: %d %s %s: %s\n", res->status,
                st->req.method ? st->req.method : "?", path.buf,
                res->problem ? res->problem : "(no reason given)");
        cust_buf_release(&path);
    }
    st->queued = true;
    st->status = res->status;
    st->bytes = len;
    return ret;
}

/* The handler, and a stable error when it failed without an answer. */
static void run_handler(struct req_state *st, cust_http_handler fn, void *ctx)
{
    enum cust_status rc = fn(&st->req, &st->res, ctx);
    if (rc != CUST_OK && st->res.status == 0) {
        char why[160]; /* logged with the incident, never answered */
        snprintf(why, sizeof(why), "%s %s: the handler failed (%s)", st->req.method, st->route,
                 cust_status_name(rc));
        server_error_status(st, rc, why);
    }
}

/* ---- slow handlers: a few workers, connections suspended meanwhile ------------------------ */

/* Hand the request to the workers and suspend its connection (before a worker can take it, so
 * that the resume always follows the suspend); a full queue answers 503 at once. */
static void slow_submit(struct req_state *st, cust_http_handler fn, void *ctx)
{
    struct cust_http_server *srv = st->srv;
    pthread_mutex_lock(&srv->slow_lock);
    bool full = srv->slow_stop || srv->slow_queued >= srv->nslow * SLOW_QUEUE_PER_WORKER;
    if (!full) {
        struct slow_job *j = cust_xcalloc(1, sizeof(*j));
        *j = (struct slow_job){st, fn, ctx, NULL};
        st->deferred = true;
        MHD_suspend_connection(st->req.conn);
        if (srv->slow_tail)
            srv->slow_tail->next = j;
        else
            srv->slow_head = j;
        srv->slow_tail = j;
        srv->slow_queued++;
        pthread_cond_signal(&srv->slow_wake);
    }
    pthread_mutex_unlock(&srv->slow_lock);
    if (full) {
        server_error(st, 503, "busy", "too many sign-ins at once; try again in a moment");
        (void)cust_http_res_header(&st->res, "Retry-After", "1");
    }
}

/* A worker: runs queued handlers until stopped and the queue is empty. Once it resumes a
 * connection the request's state belongs to MHD again (it may be freed at once). */
static void *slow_run(void *arg)
{
    struct cust_http_server *srv = arg;
    /* below the connection threads: a busy CPU serves a page before the next hash (a sign-in
     * waits a little longer; nothing else waits for sign-ins) */
    (void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), SLOW_NICE);
    pthread_mutex_lock(&srv->slow_lock);
    for (;;) {
        while (!srv->slow_head && !srv->slow_stop)
            pthread_cond_wait(&srv->slow_wake, &srv->slow_lock);
        struct slow_job *j = srv->slow_head;
        if (!j)
            break;
        srv->slow_head = j->next;
        if (!srv->slow_head)
            srv->slow_tail = NULL;
        srv->slow_queued--;
        pthread_mutex_unlock(&srv->slow_lock);
        struct MHD_Connection *con = j->st->req.conn;
        run_handler(j->st, j->fn, j->ctx);
        atomic_store(&j->st->ready, true);
        free(j);
        MHD_resume_connection(con);
        pthread_mutex_lock(&srv->slow_lock);
    }
    pthread_mutex_unlock(&srv->slow_lock);
    return NULL;
}

/* Stop the workers after they ran every queued handler. */
static void slow_stop(struct cust_http_server *srv)
{
    pthread_mutex_lock(&srv->slow_lock);
    srv->slow_stop = true;
    pthread_cond_broadcast(&srv->slow_wake);
    pthread_mutex_unlock(&srv->slow_lock);
    for (size_t i = 0; i < srv->nslow; i++)
        pthread_join(srv->slow_threads[i], NULL);
    free(srv->slow_threads);
    srv->slow_threads = NULL;
    srv->nslow = 0;
}

static void dispatch(struct req_state *st)
{
    struct cust_http_request *req = &st->req;
    struct cust_http_response *res = &st->res;
    struct cust_err err = CUST_ERR_INIT;
    char *path = NULL, *query = NULL;

    if (cust_http_split_target(req->arena, req->target, strlen(req->target), &path, &query, &err)) {
        server_error_status(st, err.code, err.msg);
        return;
    }
    req->path = path;
    req->raw_query = query;
    if (query && cust_http_parse_query(req->arena, query, strlen(query), &req->query, &err)) {
        server_error_status(st, err.code, err.msg);
        return;
    }
    const char *cookie = cust_http_req_header(req, "Cookie");
    if (cookie &&
        cust_http_parse_cookies(req->arena, cookie, strlen(cookie), &req->cookies, &err)) {
        server_error_status(st, err.code, err.msg);
        return;
    }
    req->content_type = cust_http_req_header(req, "Content-Type");

    struct cust_route_match m;
    switch (cust_router_match(st->srv->router, req->method, path, &m)) {
    case CUST_ROUTE_NOT_FOUND:
        server_error(st, 404, "not_found", "no such resource");
        return;
    case CUST_ROUTE_BAD_METHOD:
        server_error(st, 405, "method_not_allowed", "method not allowed");
        (void)cust_http_res_header(res, "Allow", m.allow);
        return;
    case CUST_ROUTE_FOUND:
        break;
    }
    st->route = m.pattern;
    req->route = m.pattern;
    st->route_flags = m.flags;
    if ((m.flags & CUST_ROUTE_RATE_LIMITED) && st->srv->rl) {
        unsigned retry = 1;
        if (!cust_ratelimit_take(st->srv->rl, req->remote_addr, mono_us(), &retry)) {
            char n[16];
            snprintf(n, sizeof(n), "%u", retry);
            server_error(st, 429, "rate_limited", "too many requests");
            (void)cust_http_res_header(res, "Retry-After", n);
            return;
        }
    }
    for (size_t i = 0; i < m.nparams; i++) {
        struct cust_kv *kv;
        if (req->params.len == req->params.alloc) {
            size_t n = req->params.alloc ? req->params.alloc * 2 : CUST_ROUTE_MAX_PARAMS;
            kv = cust_http_arena_alloc(req->arena, n * sizeof(*kv));
            if (req->params.len)
                memcpy(kv, req->params.items, req->params.len * sizeof(*kv));
            req->params.items = kv;
            req->params.alloc = n;
        }
        kv = &req->params.items[req->params.len++];
        kv->key = m.names[i];
        kv->value = cust_http_arena_strndup(req->arena, m.values[i].p, m.values[i].len);
    }
    if ((m.flags & CUST_ROUTE_SLOW) && st->srv->nslow)
        slow_submit(st, m.fn, m.ctx);
    else
        run_handler(st, m.fn, m.ctx);
}

/* Adds key + ": " + value + CRLF to the size_t at cls. */
static enum MHD_Result sum_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                  const char *value)
{
    (void)kind;
    size_t *total = cls;
    *total += strlen(key) + (value ? strlen(value) : 0) + 4;
    return MHD_YES;
}

static enum MHD_Result access_cb(void *cls, struct MHD_Connection *con, const char *url,
                                 const char *method, const char *version, const char *upload,
                                 size_t *upload_size, void **con_cls)
{
    struct cust_http_server *srv = cls;
    (void)version;
    struct req_state *st = *con_cls;
    if (!st) {
        st = state_new(srv, url, con);
        *con_cls = st;
    }
    if (!st->started) {
        st->started = true;
        st->req.method = cust_http_arena_strndup(st->req.arena, method, strlen(method));
        conn_waiting(srv, con, false);
        forwarded_client(st, con);
        /* 429: every request takes from its client's bucket first, whatever it asks for */
        unsigned retry = 1;
        if (srv->rl_all &&
            !cust_ratelimit_take(srv->rl_all, st->req.remote_addr, mono_us(), &retry)) {
            char n[16];
            snprintf(n, sizeof(n), "%u", retry);
            server_error(st, 429, "rate_limited", "too many requests");
            (void)cust_http_res_header(&st->res, "Retry-After", n);
            return queue(st, con);
        }
        /* 431: request line + headers over the cap. */
        size_t hsize = strlen(st->req.target) + strlen(method) + 12;
        MHD_get_connection_values(con, MHD_HEADER_KIND, sum_header, &hsize);
        if (hsize > srv->cfg.header_limit) {
            server_error(st, 431, "headers_too_big", "request headers too large");
            return queue(st, con);
        }
        const char *cl = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "Content-Length");
        if (cl) {
            char *end;
            errno = 0;
            unsigned long long n = strtoull(cl, &end, 10);
            if (errno || *end || n > srv->cfg.body_limit) {
                server_error(st, 413, "too_big", "request body too large");
                return queue(st, con);
            }
        }
        return MHD_YES;
    }
    if (*upload_size > 0) {
        if (!st->too_big && cust_buf_append(&st->req.body, upload, *upload_size) != CUST_OK)
            st->too_big = true;
        if (st->too_big) {
            st->discarded += *upload_size;
            if (st->discarded > 16 * srv->cfg.body_limit + (1u << 20))
                return MHD_NO; /* a client streaming without end: drop the connection */
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (st->queued)
        return MHD_YES;
    if (st->deferred) /* a worker has it: answered once it is ready (after the resume) */
        return atomic_load(&st->ready) ? queue(st, con) : MHD_YES;
    if (st->too_big)
        server_error(st, 413, "too_big", "request body too large");
    else
        dispatch(st);
    if (st->deferred)
        return MHD_YES;
    enum MHD_Result ret = queue(st, con);
    return ret;
}

/* ---- lifecycle ------------------------------------------------------------------------------ */

CUST_PRINTF(2, 0) static void mhd_logger(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    fputs("custodian: http: ", stderr);
    vfprintf(stderr, fmt, ap);
}

enum cust_status cust_http_server_start(struct cust_http_server **out,
                                        const struct cust_http_config *cfg,
                                        const struct cust_router *router, struct cust_err *err)
{
    *out = NULL;
    union {
        struct sockaddr sa;
        struct sockaddr_in v4;
        struct sockaddr_in6 v6;
    } addr;
    memset(&addr, 0, sizeof(addr));
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC;
    if (inet_pton(AF_INET, cfg->listen_host, &addr.v4.sin_addr) == 1) {
        addr.v4.sin_family = AF_INET;
        addr.v4.sin_port = htons(cfg->port);
    } else if (inet_pton(AF_INET6, cfg->listen_host, &addr.v6.sin6_addr) == 1) {
        addr.v6.sin6_family = AF_INET6;
        addr.v6.sin6_port = htons(cfg->port);
        flags |= MHD_USE_IPv6;
    } else {
        return cust_err_set(err, CUST_EINVAL, "listen address '%s' is not an IP address",
                            cfg->listen_host);
    }
    struct cust_http_server *srv = cust_xcalloc(1, sizeof(*srv));
    srv->cfg = *cfg;
    srv->router = router;
    atomic_init(&srv->inflight, 0);
    atomic_init(&srv->stopping, false);
    pthread_mutex_init(&srv->log_lock, NULL);
    pthread_mutex_init(&srv->conn_lock, NULL);
    pthread_cond_init(&srv->watchdog_wake, NULL);
    pthread_mutex_init(&srv->slow_lock, NULL);
    pthread_cond_init(&srv->slow_wake, NULL);
    if (cfg->slow_workers)
        flags |= MHD_ALLOW_SUSPEND_RESUME;
    if (cfg->access_log[0] && strcmp(cfg->access_log, "-") != 0) {
        srv->log = fopen(cfg->access_log, "a");
        if (!srv->log) {
            int e = errno;
            pthread_mutex_destroy(&srv->log_lock);
            pthread_mutex_destroy(&srv->conn_lock);
            pthread_cond_destroy(&srv->watchdog_wake);
            pthread_mutex_destroy(&srv->slow_lock);
            pthread_cond_destroy(&srv->slow_wake);
            free(srv);
            return cust_err_set(err, CUST_EIO, "cannot open access log '%s': %s", cfg->access_log,
                                strerror(e));
        }
        srv->own_log = true;
    } else {
        srv->log = stderr;
    }
    if (cfg->rate_per_s > 0)
        srv->rl = cust_ratelimit_new(cfg->rate_per_s, cfg->rate_burst, cfg->rate_slots);
    if (cfg->all_rate_per_s > 0)
        srv->rl_all = cust_ratelimit_new(cfg->all_rate_per_s, cfg->all_burst, cfg->rate_slots);
    /* The memory pool holds the headers and the read buffer: leave room above our 431 cap. */
    size_t mem = cfg->header_limit * 4;
    if (mem < 32768)
        mem = 32768;
    srv->mhd = MHD_start_daemon(
        flags, 0, accept_cb, srv, access_cb, srv, MHD_OPTION_SOCK_ADDR, &addr.sa,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(cfg->threads ? cfg->threads : 1),
        MHD_OPTION_CONNECTION_LIMIT, cfg->connection_limit, MHD_OPTION_NOTIFY_CONNECTION,
        connection_cb, srv, MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout_s,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, mem, MHD_OPTION_URI_LOG_CALLBACK, uri_log_cb, srv,
        MHD_OPTION_NOTIFY_COMPLETED, completed_cb, srv, MHD_OPTION_EXTERNAL_LOGGER, mhd_logger, srv,
        MHD_OPTION_END);
    if (!srv->mhd) {
        int e = errno;
        cust_http_server_stop(srv);
        return cust_err_set(err, CUST_EIO, "cannot listen on %s port %u: %s", cfg->listen_host,
                            cfg->port, e ? strerror(e) : "libmicrohttpd refused to start");
    }
    srv->slow_threads = cust_xcalloc(cfg->slow_workers ? cfg->slow_workers : 1, sizeof(pthread_t));
    for (unsigned i = 0; i < cfg->slow_workers; i++) {
        if (pthread_create(&srv->slow_threads[i], NULL, slow_run, srv) != 0) {
            cust_http_server_stop(srv);
            return cust_err_set(err, CUST_EIO, "cannot start the sign-in workers");
        }
        srv->nslow++;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(srv->mhd, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = di ? di->port : cfg->port;
    if (cfg->header_timeout_s > 0) {
        if (pthread_create(&srv->watchdog, NULL, watchdog_run, srv) != 0) {
            cust_http_server_stop(srv);
            return cust_err_set(err, CUST_EIO, "cannot start the header deadline's watchdog");
        }
        srv->watchdog_running = true;
    }
    *out = srv;
    return CUST_OK;
}

uint16_t cust_http_server_port(const struct cust_http_server *s)
{
    return s->port;
}

void cust_http_server_stop(struct cust_http_server *srv)
{
    if (!srv)
        return;
    if (srv->watchdog_running) {
        pthread_mutex_lock(&srv->conn_lock);
        srv->watchdog_stop = true;
        pthread_cond_signal(&srv->watchdog_wake);
        pthread_mutex_unlock(&srv->conn_lock);
        pthread_join(srv->watchdog, NULL);
        srv->watchdog_running = false;
    }
    if (srv->mhd) {
        /* From now on new connections are closed at once (accept_cb). */
        atomic_store(&srv->stopping, true);
        int64_t deadline = mono_us() + (int64_t)srv->cfg.shutdown_grace_ms * 1000;
        while (atomic_load(&srv->inflight) > 0 && mono_us() < deadline) {
            struct timespec ts = {0, 10 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
        slow_stop(srv); /* every suspended connection resumed before the daemon goes */
        MHD_stop_daemon(srv->mhd);
    }
    cust_ratelimit_free(srv->rl);
    cust_ratelimit_free(srv->rl_all);
    if (srv->own_log)
        fclose(srv->log);
    pthread_mutex_destroy(&srv->log_lock);
    pthread_mutex_destroy(&srv->conn_lock);
    pthread_cond_destroy(&srv->watchdog_wake);
    if (srv->nslow)
        slow_stop(srv);
    free(srv->slow_threads);
    pthread_mutex_destroy(&srv->slow_lock);
    pthread_cond_destroy(&srv->slow_wake);
    free(srv->conns);
    free(srv);
}
