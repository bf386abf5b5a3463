/*
 * web.h - custodian's faces on the web (docs/internals/web.md): the public inmate locator,
 * the staff console (server-rendered pages in the U.S. Web Design System's look) and the JSON
 * API resources under /api/v1, all registered on the HTTP front end's router (http.h).
 *
 *     struct cust_web *w;
 *     cust_web_new(&w, &wcfg, &err);                 // opens a small pool of store connections
 *     hcfg.hooks = cust_web_hooks(w);                // login/denied/API/view events -> ledger
 *     cust_web_register(w, router);                  // locator, console, API routes
 *     ... cust_http_server_start(...) ... stop ...
 *     cust_web_free(w);
 *
 * Public routes (/locator, /api/v1/public/inmates) reach the store through exactly one call,
 * cust_store_public_search() (store_web.h), which reads only the view public_bookings.
 */
#ifndef CUSTODIAN_WEB_H
#define CUSTODIAN_WEB_H

#include "custodian/auth.h"
#include "custodian/http.h"
#include "custodian/status.h"

struct cust_web_config {
    const char *db_path;        /* the store (must exist) */
    unsigned connections;       /* store connections in the pool (>= 1) */
    unsigned hide_recent_hours; /* the locator hides bookings younger than this */
    unsigned result_cap;        /* the locator returns at most this many rows */
    unsigned cache_ttl_s;       /* the locator API caches each answer this long (0: never) */
    const char *assets_dir;     /* the @uswds/uswds dist folder, served under /static/uswds/ */
    bool tls;                   /* cookies get Secure */
    bool create;                /* create an empty store when there is none */
    /* The server key that seals TOTP secrets at rest (auth.md). NULL: $CUSTODIAN_KEY_FILE,
     * else the store's path + ".key". Missing: created (mode 0600) when create_key, else the
     * web runs without it (locator only: no account can be read for sign-in or written). */
    const char *key_file;
    bool create_key;
};

/* Defaults: 4 connections, 2 hours, 50 rows, a 30 s locator cache, assets from the source
 * tree's node_modules. */
void cust_web_config_defaults(struct cust_web_config *cfg);

struct cust_web;

/* Open the pool of store connections and load the server key (cfg->key_file); with the key,
 * every clear-text TOTP secret left from before migration 6 is sealed in place. CUST_ENOTFOUND
 * when the store does not exist (and cfg->create is false); CUST_EDENIED for a key file that
 * group or others may read. */
enum cust_status cust_web_new(struct cust_web **out, const struct cust_web_config *cfg,
                              struct cust_err *err);
void cust_web_free(struct cust_web *w);

/* Whether the server key was loaded (staff sign-in works only then), and its path. */
bool cust_web_has_key(const struct cust_web *w);
const char *cust_web_key_path(const struct cust_web *w);

/* The audit hooks to install in the server config: every event becomes a ledger entry
 * (except requests to the public locator, which go to the access log only). */
struct cust_http_hooks cust_web_hooks(struct cust_web *w);

/* The staff authentication backend over the store (users and sessions tables). */
const struct cust_auth_backend *cust_web_auth(struct cust_web *w);

/* Register every web route (locator, static assets, console pages, API resources). */
enum cust_status cust_web_register(struct cust_web *w, struct cust_router *r);

/* Each registered route as "METHOD PATTERN ACTION" lines (ACTION "public", "session" or the
 * role-matrix action guarding it), for --print-routes and the OpenAPI/route-matrix tests. */
enum cust_status cust_web_routes(struct cust_buf *out);

#endif
