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
 * cust_store_public_search() (store.h), which reads only the view public_bookings.
 */
#ifndef CUSTODIAN_WEB_H
#define CUSTODIAN_WEB_H

#include "custodian/auth.h"
#include "custodian/http.h"
#include "custodian/status.h"

struct cust_config;
struct cust_http_config;
struct cust_desk_env;

struct cust_web_config {
    /* The configuration (config.h; required): the store ([store] path), the server key that
     * seals TOTP secrets at rest ([store] key_file; auth.md), the county and the data paths.
     * The desk is opened from it exactly as the CLI opens it (cust_desk_env_open). */
    const struct cust_config *core;
    /* The server's settings: the locator's [locator] hide_recent_hours, result_cap, cache_ttl
     * and [server] tls. NULL: the defaults. */
    const struct cust_http_config *http;
    unsigned connections; /* store connections in the pool (>= 1) */
    bool create;          /* create an empty store when there is none */
    /* A missing key file is created (mode 0600) when create_key, else the web runs without it
     * (locator only: no account can be read for sign-in or written). */
    bool create_key;
    bool accounts_only; /* only the staff accounts (no desk, no policies): `user add` */
    /* `serve --public-only`: the store ([store] path) is a published public view (custodian
     * publish; CUST_STORE_PUBLIC), opened read-only; no desk, no key, no ledger, no accounts;
     * cust_web_register registers the locator's routes only. */
    bool public_only;
    /* How often the checkpoint writer looks whether one is due (seconds; 0: 5). What it signs,
     * with which key and how often is the configuration's [ledger] (ledger.md "Checkpoints
     * from the server"). */
    unsigned checkpoint_poll_s;
    /* How often the expiry timer sweeps the detainers whose hold window passed (seconds; 0:
     * 60), besides once at the start (desk.md "Expiry"). */
    unsigned sweep_every_s;
};

/* Defaults: 4 connections, nothing created, everything served. `core` stays to be set. */
void cust_web_config_defaults(struct cust_web_config *cfg);

struct cust_web;

/* Open the pool of store connections, the desk's environment (calendar, policies - every one
 * loaded now, so a broken policy fails here - county) and the server key; with the key, every
 * clear-text TOTP secret left from before migration 6 is sealed in place. CUST_ENOTFOUND when
 * the store does not exist (and cfg->create is false); CUST_EDENIED for a key file that group
 * or others may read. */
enum cust_status cust_web_new(struct cust_web **out, const struct cust_web_config *cfg,
                              struct cust_err *err);
void cust_web_free(struct cust_web *w);

/*
 * Rotate the server key (`custodian user rekey`, docs/operations.md "Keys"). A new random key
 * is written to KEY.new (0600, synced); in one store transaction every account's TOTP secret
 * is opened with the current key and sealed under the new one, and the ledger entry
 * `user_rekey` appended; then the current key is kept as KEY.old-<UTC> (a hard link) and
 * KEY.new renamed over KEY, the folder synced. A secret that does not open with the current
 * key refuses the whole rotation (CUST_EDENIED, nothing changed). A crash leaves either the old
 * key with the old seals or the new seals with KEY.new beside KEY: the next call sees that
 * KEY.new opens the stored secrets and only does the renames (finished_interrupted); a KEY.new
 * nothing was sealed under is discarded. CUST_ENOTFOUND without a key file. `old_key_path` is
 * the caller's to free. The web must not be serving (a server keeps the key it started with).
 */
struct cust_web_rekey_result {
    unsigned accounts;         /* secrets re-sealed */
    bool finished_interrupted; /* only the renames of an earlier, committed rotation were done */
    char *old_key_path;        /* where the previous key is kept */
};
enum cust_status cust_web_rekey(struct cust_web *w, const char *actor,
                                struct cust_web_rekey_result *out,
                                struct cust_err *err) CUST_WARN_UNUSED;

/* Whether the server key was loaded (staff sign-in works only then), and its path. */
bool cust_web_has_key(const struct cust_web *w);
const char *cust_web_key_path(const struct cust_web *w);

/* The audit hooks to install in the server config: every event becomes a ledger entry
 * (except requests to the public locator, which go to the access log only). */
struct cust_http_hooks cust_web_hooks(struct cust_web *w);

/* The desk's environment the server decides with (NULL with accounts_only). Borrowed. */
const struct cust_desk_env *cust_web_desk_env(const struct cust_web *w);

/* The staff authentication backend over the store (users and sessions tables). */
const struct cust_auth_backend *cust_web_auth(struct cust_web *w);

/* Register every web route (locator, static assets, console pages, API resources). */
enum cust_status cust_web_register(struct cust_web *w, struct cust_router *r);

/* Each registered route as "METHOD PATTERN ACTION" lines (ACTION "public", "session" or the
 * role-matrix action guarding it), for --print-routes and the OpenAPI/route-matrix tests; only
 * those a `serve --public-only` registers when `public_only`. */
enum cust_status cust_web_routes(struct cust_buf *out, bool public_only);

#endif
