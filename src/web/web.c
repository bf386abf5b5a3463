/*
 * web.c - the web front end's core: the pool of store connections, the staff auth backend over
 * the store, the audit hook (events -> ledger), the guard, page layout, and THE route table
 * (registration and the route listing come from the same rows).
 */
#include "custodian/compat.h"
#include "custodian/config.h"
#include "custodian/date.h"
#include "custodian/deadline.h"
#include "custodian/desk.h"
#include "custodian/file.h"
#include "custodian/ledger.h"
#include "custodian/policy.h"
#include "custodian/store_accounts.h"
#include "custodian/template.h"
#include "web_internal.h"

#include <jansson.h>
#include <errno.h>
#include <sodium.h>
#include <time.h>
#include <unistd.h>

void cust_web_config_defaults(struct cust_web_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->connections = 4;
}

/* ---- pool --------------------------------------------------------------------------------- */

static _Thread_local unsigned tl_slot_hint;

struct cust_store *web_acquire(struct cust_web *w)
{
    for (unsigned i = 0; i < w->nslots; i++) {
        unsigned k = (tl_slot_hint + i) % w->nslots;
        if (pthread_mutex_trylock(&w->slots[k].lock) == 0) {
            tl_slot_hint = k;
            return w->slots[k].store;
        }
    }
    unsigned k = tl_slot_hint % w->nslots;
    pthread_mutex_lock(&w->slots[k].lock);
    return w->slots[k].store;
}

void web_release(struct cust_web *w, struct cust_store *s)
{
    for (unsigned i = 0; i < w->nslots; i++) {
        if (w->slots[i].store == s) {
            pthread_mutex_unlock(&w->slots[i].lock);
            return;
        }
    }
}

/* ---- auth backend over the store ------------------------------------------------------------ */

#define WITH_STORE(w, expr)                                                                        \
    struct cust_store *s_ = web_acquire(w);                                                        \
    enum cust_status st_ = (expr);                                                                 \
    web_release(w, s_);                                                                            \
    return st_

/*
 * TOTP secrets at rest: the store holds them sealed (nonce + crypto_secretbox under the server
 * key); this backend opens them for cust_auth_login (which sodium_memzero()s its copy) and
 * seals on every put. Without the key no account is handed out or written: sign-in fails.
 * A clear-text row (from before migration 6) is still read as such; cust_web_new seals every
 * one of them when it has the key, so none is left once the server has run with it.
 */
static enum cust_status be_get_user(void *ctx, const char *name, struct cust_user *out,
                                    struct cust_err *err)
{
    struct cust_web *w = ctx;
    struct cust_store *s = web_acquire(w);
    enum cust_status st = cust_auth_store_user_get(s, name, out, err);
    web_release(w, s);
    if (st != CUST_OK || !out->totp_sealed)
        return st;
    if (!w->has_key) {
        sodium_memzero(out, sizeof(*out));
        return cust_err_set(err, CUST_EDENIED, "no key file to open the TOTP secret");
    }
    st = cust_totp_open(w->key, out->totp_nonce, out->totp_box, out->totp_key, err);
    out->totp_sealed = false;
    if (st != CUST_OK)
        sodium_memzero(out, sizeof(*out));
    return st;
}
static enum cust_status be_put_user(void *ctx, const struct cust_user *u, struct cust_err *err)
{
    struct cust_web *w = ctx;
    if (!w->has_key)
        return cust_err_set(err, CUST_EDENIED, "no key file to seal the TOTP secret");
    struct cust_user sealed = *u;
    if (!u->totp_sealed) {
        cust_totp_seal(w->key, u->totp_key, sealed.totp_nonce, sealed.totp_box);
        sealed.totp_sealed = true;
        sodium_memzero(sealed.totp_key, sizeof(sealed.totp_key));
    }
    struct cust_store *s = web_acquire(w);
    /* the account row and the ledger entry that commits it, in one transaction */
    char detail[96];
    const char *role = cust_role_name(u->role);
    snprintf(detail, sizeof(detail), "{\"role\":\"%s\",\"disabled\":%s}", role ? role : "none",
             u->disabled ? "true" : "false");
    struct cust_ledger_entry e = {
        "custodian", "system", "account", "user", u->name, "ok", "a staff account written", detail};
    enum cust_status st = cust_store_begin(s, err);
    if (st == CUST_OK)
        st = cust_auth_store_user_put(s, &sealed, err);
    if (st == CUST_OK)
        st = cust_ledger_append(s, &e, err);
    if (st == CUST_OK)
        st = cust_store_commit(s, err);
    else
        cust_store_rollback(s);
    web_release(w, s);
    sodium_memzero(&sealed, sizeof(sealed));
    return st;
}
static enum cust_status be_claim_attempt(void *ctx, const char *name, int64_t now, unsigned max,
                                         int64_t lock_s, struct cust_err *err)
{
    WITH_STORE((struct cust_web *)ctx, cust_store_user_claim(s_, name, now, max, lock_s, err));
}
static enum cust_status be_record_success(void *ctx, const char *name, int64_t step,
                                          struct cust_err *err)
{
    WITH_STORE((struct cust_web *)ctx, cust_store_user_success(s_, name, step, err));
}
static enum cust_status be_get_session(void *ctx, const char *id, struct cust_session *out,
                                       struct cust_err *err)
{
    WITH_STORE((struct cust_web *)ctx, cust_auth_store_session_get(s_, id, out, err));
}
static enum cust_status be_put_session(void *ctx, const struct cust_session *se,
                                       struct cust_err *err)
{
    WITH_STORE((struct cust_web *)ctx, cust_auth_store_session_put(s_, se, err));
}
static enum cust_status be_delete_session(void *ctx, const char *id, struct cust_err *err)
{
    WITH_STORE((struct cust_web *)ctx, cust_store_session_delete(s_, id, err));
}

const struct cust_auth_backend *cust_web_auth(struct cust_web *w)
{
    return &w->auth;
}

bool cust_web_has_key(const struct cust_web *w)
{
    return w->has_key;
}

const char *cust_web_key_path(const struct cust_web *w)
{
    return w->key_path;
}

/* ---- server key and the sealing of clear-text rows ------------------------------------------ */

static enum cust_status collect_name(const struct cust_user_row *r, void *arg)
{
    struct cust_buf *names = arg;
    /* names are NUL-separated */
    return cust_buf_append(names, r->name, strlen(r->name) + 1);
}

/* Seal every clear-text TOTP secret (rows from before migration 6). Idempotent: a row sealed
 * already is left alone, so an interrupted run is finished by the next. */
static enum cust_status seal_clear_rows(struct cust_web *w, struct cust_err *err)
{
    struct cust_store *s = w->slots[0].store;
    struct cust_buf names = CUST_BUF_INIT;
    enum cust_status st = cust_store_user_list(s, collect_name, &names, err);
    unsigned sealed = 0;
    bool tx = false;
    for (size_t off = 0; st == CUST_OK && off < names.len; off += strlen(names.buf + off) + 1) {
        struct cust_user u;
        st = cust_auth_store_user_get(s, names.buf + off, &u, err);
        if (st == CUST_OK && !u.totp_sealed && !tx) {
            st = cust_store_begin(s, err);
            tx = st == CUST_OK;
        }
        if (st == CUST_OK && !u.totp_sealed) {
            struct cust_user c = u;
            cust_totp_seal(w->key, u.totp_key, c.totp_nonce, c.totp_box);
            c.totp_sealed = true;
            sodium_memzero(c.totp_key, sizeof(c.totp_key));
            st = cust_auth_store_user_put(s, &c, err);
            sodium_memzero(&c, sizeof(c));
            sealed++;
        }
        sodium_memzero(&u, sizeof(u));
    }
    cust_buf_release(&names);
    if (tx && st == CUST_OK) { /* the rewritten rows, committed by one entry */
        char detail[64];
        snprintf(detail, sizeof(detail), "{\"sealed\":%u}", sealed);
        struct cust_ledger_entry e = {"custodian",
                                      "system",
                                      "seal_totp",
                                      "user",
                                      "*",
                                      "ok",
                                      "clear-text TOTP secrets sealed under the key file",
                                      detail};
        st = cust_ledger_append(s, &e, err);
    }
    if (tx && st == CUST_OK)
        st = cust_store_commit(s, err);
    else if (tx)
        cust_store_rollback(s);
    if (st == CUST_OK && sealed > 0)
        fprintf(stderr, "custodian: sealed %u clear-text TOTP secret%s under key file '%s'\n",
                sealed, sealed == 1 ? "" : "s", w->key_path);
    return st;
}

static enum cust_status load_key(struct cust_web *w, const struct cust_web_config *cfg,
                                 struct cust_err *err)
{
    w->key_path = cust_xstrdup(cust_config_get(cfg->core, CUST_CFG_KEY_FILE));
    enum cust_status st = cust_totp_keyfile_load(w->key_path, cfg->create_key, w->key, err);
    if (st == CUST_ENOTFOUND && !cfg->create_key) {
        cust_err_clear(err);
        return CUST_OK; /* no key: the locator serves, staff sign-in is refused */
    }
    if (st != CUST_OK)
        return st;
    w->has_key = true;
    return seal_clear_rows(w, err);
}

/* ---- rotating the server key (`custodian user rekey`) --------------------------------------- */

/* Whether the stored secrets are sealed under `key`: the first sealed account opens with it
 * (true too when no account is sealed: there is nothing the key must open). */
static enum cust_status sealed_under(struct cust_store *s, const struct cust_buf *names,
                                     const uint8_t key[CUST_TOTP_SERVER_KEY_BYTES], bool *yes,
                                     struct cust_err *err)
{
    *yes = true;
    for (size_t off = 0; off < names->len; off += strlen(names->buf + off) + 1) {
        struct cust_user u;
        enum cust_status st = cust_auth_store_user_get(s, names->buf + off, &u, err);
        if (st != CUST_OK)
            return st;
        if (u.totp_sealed) {
            uint8_t secret[CUST_TOTP_KEY_BYTES];
            *yes = cust_totp_open(key, u.totp_nonce, u.totp_box, secret, NULL) == CUST_OK;
            sodium_memzero(secret, sizeof(secret));
            sodium_memzero(&u, sizeof(u));
            return CUST_OK;
        }
        sodium_memzero(&u, sizeof(u));
    }
    return CUST_OK;
}

/* KEY -> KEY.old-<UTC> (a hard link: KEY stays), then KEY.new -> KEY (atomic), folder synced. */
static enum cust_status put_new_key(const char *key_path, const char *new_path, char **old_out,
                                    struct cust_err *err)
{
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
    size_t n = strlen(key_path) + sizeof(stamp) + 8;
    char *old = cust_xmalloc(n);
    snprintf(old, n, "%s.old-%s", key_path, stamp);
    if (link(key_path, old) != 0 && errno != EEXIST) {
        enum cust_status st = cust_err_set(
            err, CUST_EIO, "key file: cannot keep the old key as '%s': %s", old, strerror(errno));
        free(old);
        return st;
    }
    if (rename(new_path, key_path) != 0) {
        enum cust_status st =
            cust_err_set(err, CUST_EIO, "key file: cannot rename '%s' to '%s': %s", new_path,
                         key_path, strerror(errno));
        free(old);
        return st;
    }
    *old_out = old;
    return cust_dir_sync(key_path, err);
}

enum cust_status cust_web_rekey(struct cust_web *w, const char *actor,
                                struct cust_web_rekey_result *out, struct cust_err *err)
{
    memset(out, 0, sizeof(*out));
    if (!w->has_key)
        return cust_err_set(err, CUST_ENOTFOUND, "key file '%s': not found", w->key_path);
    struct cust_store *s = w->slots[0].store;
    size_t n = strlen(w->key_path) + 5;
    char *new_path = cust_xmalloc(n);
    snprintf(new_path, n, "%s.new", w->key_path);
    struct cust_buf names = CUST_BUF_INIT;
    uint8_t nk[CUST_TOTP_SERVER_KEY_BYTES];
    bool under_new = false, under_old = false;
    enum cust_status st = cust_store_user_list(s, collect_name, &names, err);

    /* An interrupted rotation: KEY.new is the key of the store (committed; only the renames
     * were left) or a key nothing was sealed under (discarded, start over). */
    if (st == CUST_OK) {
        struct cust_err e2 = CUST_ERR_INIT;
        enum cust_status ks = cust_totp_keyfile_load(new_path, false, nk, &e2);
        if (ks == CUST_OK) {
            st = sealed_under(s, &names, w->key, &under_old, err);
            if (st == CUST_OK)
                st = sealed_under(s, &names, nk, &under_new, err);
            if (st == CUST_OK && under_new && !under_old) {
                st = put_new_key(w->key_path, new_path, &out->old_key_path, err);
                out->finished_interrupted = true;
                goto done;
            }
            if (st == CUST_OK && unlink(new_path) != 0)
                st = cust_err_set(err, CUST_EIO, "key file: cannot remove '%s': %s", new_path,
                                  strerror(errno));
        } else if (ks != CUST_ENOTFOUND) {
            st = cust_err_set(err, ks, "%s", e2.msg);
        }
    }
    if (st == CUST_OK)
        st = cust_totp_keyfile_load(new_path, true, nk, err); /* new, 0600, synced */
    if (st != CUST_OK)
        goto done;

    /* Every secret re-sealed and the ledger entry, in one transaction. */
    st = cust_store_begin(s, err);
    for (size_t off = 0; st == CUST_OK && off < names.len; off += strlen(names.buf + off) + 1) {
        struct cust_user u;
        st = cust_auth_store_user_get(s, names.buf + off, &u, err);
        uint8_t secret[CUST_TOTP_KEY_BYTES];
        if (st == CUST_OK && u.totp_sealed &&
            cust_totp_open(w->key, u.totp_nonce, u.totp_box, secret, NULL) != CUST_OK)
            st = cust_err_set(err, CUST_EDENIED,
                              "account '%s': its TOTP secret does not open with key file '%s'; "
                              "nothing changed",
                              names.buf + off, w->key_path);
        else if (st == CUST_OK && !u.totp_sealed)
            memcpy(secret, u.totp_key, sizeof(secret));
        if (st == CUST_OK) {
            struct cust_user c = u;
            cust_totp_seal(nk, secret, c.totp_nonce, c.totp_box);
            c.totp_sealed = true;
            sodium_memzero(c.totp_key, sizeof(c.totp_key));
            st = cust_auth_store_user_put(s, &c, err);
            sodium_memzero(&c, sizeof(c));
            out->accounts++;
        }
        sodium_memzero(secret, sizeof(secret));
        sodium_memzero(&u, sizeof(u));
    }
    if (st == CUST_OK) {
        char detail[96];
        snprintf(detail, sizeof(detail), "{\"accounts\":%u}", out->accounts);
        struct cust_ledger_entry e = {.actor = actor,
                                      .role = "cli",
                                      .action = "user_rekey",
                                      .object_type = "key_file",
                                      .object_id = w->key_path,
                                      .outcome = "ok",
                                      .purpose = "",
                                      .detail = detail};
        st = cust_ledger_append(s, &e, err);
    }
    if (st == CUST_OK)
        st = cust_store_commit(s, err);
    if (st != CUST_OK) {
        cust_store_rollback(s);
        (void)unlink(new_path); /* nothing was sealed under it */
        goto done;
    }
    st = put_new_key(w->key_path, new_path, &out->old_key_path, err);
    if (st == CUST_OK)
        memcpy(w->key, nk, sizeof(nk));
done:
    sodium_memzero(nk, sizeof(nk));
    cust_buf_release(&names);
    free(new_path);
    return st;
}

static enum cust_status load_pages(struct cust_web *w, const char *dir, struct cust_err *err);

/* ---- lifecycle ------------------------------------------------------------------------------ */

static enum cust_status open_spool(struct cust_web *w, struct cust_err *err);
static void spool_drain_or_say(struct cust_web *w);

enum cust_status cust_web_new(struct cust_web **out, const struct cust_web_config *cfg,
                              struct cust_err *err)
{
    *out = NULL;
    if (!cfg->core)
        return cust_err_set(err, CUST_EINVAL, "no configuration given");
    struct cust_http_config hdef;
    const struct cust_http_config *http = cfg->http;
    if (!http) {
        cust_http_config_defaults(&hdef);
        http = &hdef;
    }
    struct cust_web *w = cust_xcalloc(1, sizeof(*w));
    w->db_path = cust_xstrdup(cust_config_get(cfg->core, CUST_CFG_STORE_PATH));
    w->assets_dir = cust_xstrdup(cust_config_get(cfg->core, CUST_CFG_ASSETS));
    w->cfg = (struct web_settings){.hide_recent_hours = http->locator_hide_recent_hours,
                                   .result_cap = http->locator_result_cap,
                                   .cache_ttl_s = http->locator_cache_ttl_s,
                                   .tls = http->tls || http->public_https,
                                   .assets_dir = w->assets_dir};
    if (w->cfg.result_cap == 0)
        w->cfg.result_cap = 1;
    w->nslots = cfg->connections ? cfg->connections : 1;
    w->cache = web_cache_new(w->cfg.cache_ttl_s);
    w->slots = cust_xcalloc(w->nslots, sizeof(*w->slots));
    enum cust_status st = CUST_OK;
    w->public_only = cfg->public_only;
    for (unsigned i = 0; i < w->nslots; i++) {
        pthread_mutex_init(&w->slots[i].lock, NULL);
        /* the first connection migrates an older store (serve at start), or creates one */
        if (st == CUST_OK)
            st = cust_store_open(w->db_path,
                                 cfg->public_only ? CUST_STORE_PUBLIC
                                 : i == 0         ? CUST_STORE_MIGRATE
                                                  : CUST_STORE_OPEN,
                                 &w->slots[i].store, err);
        if (st == CUST_ENOTFOUND && i == 0 && cfg->create && !cfg->public_only) {
            cust_err_clear(err);
            st = cust_store_open(w->db_path, CUST_STORE_CREATE, &w->slots[i].store, err);
        }
    }
    if (cfg->public_only) {
        /* the locator's pages and nothing else: no desk, no key, no ledger, no publisher */
        if (st == CUST_OK)
            st = load_pages(w, cust_config_get(cfg->core, CUST_CFG_WEB_TEMPLATES), err);
        if (st == CUST_OK) /* the agency's name, contacts and seal on the public pages */
            st = web_agency_load(w, cfg->core, err);
        if (st != CUST_OK) {
            cust_web_free(w);
            return st;
        }
        *out = w;
        return CUST_OK;
    }
    /* the desk as the CLI opens it, from the same configuration; every policy loaded now */
    if (st == CUST_OK && !cfg->accounts_only)
        st = cust_desk_env_open(cfg->core, CUST_DESK_PRELOAD, &w->env, err);
    if (st == CUST_OK)
        st = load_key(w, cfg, err);
    if (st == CUST_OK && !cfg->accounts_only)
        st = open_spool(w, err);
    if (st == CUST_OK && !cfg->accounts_only)
        st = load_pages(w, cust_config_get(cfg->core, CUST_CFG_WEB_TEMPLATES), err);
    if (st == CUST_OK && !cfg->accounts_only)
        st = web_agency_load(w, cfg->core, err);
    if (st == CUST_OK && !cfg->accounts_only)
        st = web_checkpointer_start(w, cfg, err);
    if (st == CUST_OK && !cfg->accounts_only)
        st = web_publisher_start(w, http->publish_to, http->publish_every_s, err);
    if (st == CUST_OK && !cfg->accounts_only)
        st = web_sweeper_start(w, cfg->sweep_every_s, err);
    w->auth = (struct cust_auth_backend){
        .ctx = w,
        .get_user = be_get_user,
        .put_user = be_put_user,
        .claim_attempt = be_claim_attempt,
        .record_success = be_record_success,
        .get_session = be_get_session,
        .put_session = be_put_session,
        .delete_session = be_delete_session,
    };
    if (st != CUST_OK) {
        cust_web_free(w);
        return st;
    }
    *out = w;
    return CUST_OK;
}

void cust_web_free(struct cust_web *w)
{
    if (!w)
        return;
    web_publisher_stop(w);
    web_sweeper_stop(w);
    web_checkpointer_stop(w);
    spool_drain_or_say(w);
    cust_ledger_spool_close(w->spool);
    for (unsigned i = 0; i < w->nslots; i++) {
        cust_store_close(w->slots[i].store);
        pthread_mutex_destroy(&w->slots[i].lock);
    }
    free(w->slots);
    cust_desk_env_free(w->env);
    json_decref(w->pages);
    json_decref(w->agency);
    cust_buf_release(&w->seal);
    web_cache_free(w->cache);
    free(w->db_path);
    free(w->assets_dir);
    free(w->key_path);
    sodium_memzero(w->key, sizeof(w->key));
    free(w);
}

const struct cust_desk_env *cust_web_desk_env(const struct cust_web *w)
{
    return w->env;
}

/* ---- ledger --------------------------------------------------------------------------------- */

void web_ledger(struct cust_web *w, const char *actor, const char *role, const char *action,
                const char *object_type, const char *object_id, const char *outcome,
                const char *detail_json)
{
    struct cust_ledger_entry e = {
        .actor = actor && *actor ? actor : "anonymous",
        .role = role && *role ? role : "none",
        .action = action,
        .object_type = object_type,
        .object_id = object_id && *object_id ? object_id : "-",
        .outcome = outcome,
        .purpose = "",
        .detail = detail_json,
    };
    struct cust_err err = CUST_ERR_INIT;
    struct cust_store *s = web_acquire(w);
    bool spooled = false;
    /* an import holding the store makes the entry wait in the spool, not the answer */
    enum cust_status st =
        w->spool ? cust_ledger_append_or_spool(s, w->spool, &e, WEB_LEDGER_WAIT_MS, &spooled, &err)
                 : cust_ledger_append(s, &e, &err);
    web_release(w, s);
    if (spooled)
        web_sweeper_nudge(w);
    if (st != CUST_OK)
        fprintf(stderr, "custodian: ledger: %s\n", err.msg);
}

enum cust_status web_spool_drain(struct cust_web *w, int wait_ms, struct cust_err *err)
{
    if (!w->spool || cust_ledger_spool_pending(w->spool) == 0)
        return CUST_OK;
    struct cust_store *s = web_acquire(w);
    cust_store_set_lock_wait(s, wait_ms);
    enum cust_status st = cust_ledger_spool_drain(s, w->spool, err);
    cust_store_set_lock_wait(s, -1);
    web_release(w, s);
    return st;
}

static void spool_drain_or_say(struct cust_web *w)
{
    struct cust_err err = CUST_ERR_INIT;
    if (web_spool_drain(w, -1, &err) != CUST_OK)
        fprintf(stderr, "custodian: ledger spool: %s (kept; tried again later)\n", err.msg);
}

static const char *kind_action(enum cust_http_audit_kind k)
{
    switch (k) {
    case CUST_AUDIT_API_REQUEST:
        return "api_request";
    case CUST_AUDIT_DENIED:
        return "access_denied";
    case CUST_AUDIT_LOGIN:
        return "login";
    case CUST_AUDIT_VIEW:
        return "view";
    }
    return "event";
}

static void audit_hook(void *ctx, const struct cust_http_audit_event *ev)
{
    struct cust_web *w = ctx;
    if (w->public_only) {
        /* a published view has no ledger (and no person signs in): counted only */
        __atomic_fetch_add(ev->kind == CUST_AUDIT_DENIED ? &w->metrics.unauth_denied
                                                         : &w->metrics.unauth_api,
                           1, __ATOMIC_RELAXED);
        return;
    }
    /* Public locator requests are anonymous and rate-limited: the access log has them; writing
     * each to the ledger would let anyone grow it (and cost an fsync per search). */
    if (ev->kind == CUST_AUDIT_API_REQUEST && ev->path &&
        strncmp(ev->path, "/api/v1/public/", 15) == 0)
        return;
    if (ev->kind == CUST_AUDIT_API_REQUEST && ev->path &&
        (strcmp(ev->path, "/api/v1/version") == 0 || strcmp(ev->path, "/api/v1/checkpoint") == 0))
        return; /* (a checkpoint fetch logged would grow the log it certifies) */
    /* No person behind it (no session): counted, never a ledger entry, so nobody can grow the
     * ledger (an fsync'd, undeletable row each) by sending requests (issue 12). */
    if (!ev->user && ev->kind != CUST_AUDIT_LOGIN) {
        __atomic_fetch_add(ev->kind == CUST_AUDIT_DENIED ? &w->metrics.unauth_denied
                                                         : &w->metrics.unauth_api,
                           1, __ATOMIC_RELAXED);
        return;
    }
    __atomic_fetch_add(&w->metrics.ledger_entries, 1, __ATOMIC_RELAXED);
    char path[WEB_LEDGER_PATH_MAX + 4];
    if (ev->path && strlen(ev->path) > WEB_LEDGER_PATH_MAX)
        snprintf(path, sizeof(path), "%.*s...", WEB_LEDGER_PATH_MAX, ev->path);
    else
        snprintf(path, sizeof(path), "%s", ev->path ? ev->path : "");
    const char *role = "none";
    struct cust_user u;
    struct cust_store *s = web_acquire(w);
    if (ev->user && cust_auth_store_user_get(s, ev->user, &u, NULL) == CUST_OK)
        role = cust_role_name(u.role) ? cust_role_name(u.role) : "none";
    web_release(w, s);
    json_t *d = json_pack("{s:s?, s:s, s:s?, s:i, s:s?}", "method", ev->method, "path", path,
                          "remote", ev->remote, "status", ev->status, "detail", ev->detail);
    char *detail = d ? json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(d);
    const char *outcome = ev->kind == CUST_AUDIT_LOGIN ? (ev->success ? "ok" : "failed")
                          : ev->status >= 400
                              ? (ev->status == 401 || ev->status == 403 ? "denied" : "error")
                              : "ok";
    const char *object_type = ev->kind == CUST_AUDIT_LOGIN  ? "user"
                              : ev->kind == CUST_AUDIT_VIEW ? "record"
                                                            : "route";
    const char *object_id = ev->kind == CUST_AUDIT_LOGIN  ? ev->user
                            : ev->kind == CUST_AUDIT_VIEW ? (ev->detail ? ev->detail : ev->path)
                            : ev->route                   ? ev->route
                                                          : path;
    web_ledger(w, ev->user, role, kind_action(ev->kind), object_type, object_id, outcome, detail);
    free(detail);
}

struct cust_http_hooks cust_web_hooks(struct cust_web *w)
{
    return (struct cust_http_hooks){.audit = audit_hook, .ctx = w};
}

/* ---- guard ---------------------------------------------------------------------------------- */

static enum cust_status web_incident_page(const struct cust_web *w, struct cust_http_response *res,
                                          int status, const char id[17],
                                          const struct cust_session *s);

enum cust_status web_guard(struct cust_web *w, struct cust_http_request *req,
                           struct cust_http_response *res, int action, bool html,
                           struct cust_session *out)
{
    struct cust_session s = {0}; /* a user's name once a session was found, even if refused */
    enum cust_status st;
    if (action == WEB_SESSION) {
        /* any session: check it through the guard with an action every role... has not; so
         * resolve the cookie directly and apply the same CSRF rule */
        const char *token = cust_kv_get(&req->cookies, CUST_SESSION_COOKIE);
        struct cust_err err = CUST_ERR_INIT;
        st = token ? cust_auth_session_check(&w->auth, token, cust_now(), &s, &err) : CUST_EDENIED;
        if (st == CUST_OK && s.role == CUST_ROLE_NONE)
            st = CUST_EDENIED;
        if (st == CUST_EDENIED)
            (void)cust_http_res_error_raw(res, 401, "unauthenticated", "authentication required");
        else if (st != CUST_OK)
            (void)cust_http_res_error(res, st, err.msg);
        else
            req->user = cust_http_arena_strndup(req->arena, s.user, strlen(s.user));
    } else {
        st = cust_http_require(req, res, &w->auth, (enum cust_action)action, cust_now(), &s);
    }
    if (st == CUST_OK) {
        if (out)
            *out = s;
        return CUST_OK;
    }
    if (html && res->status == 401) {
        /* a page: send the browser to the login form; the redirect is audited as a denial */
        cust_http_audit(req, CUST_AUDIT_DENIED, 401, false, NULL, "no session: sent to login");
        cust_http_res_release(res);
        cust_http_res_init(res);
        (void)web_redirect(res, "/login");
        return CUST_EDENIED;
    }
    if (html && res->status == 403) {
        /* the role's refusal says who may; a CSRF refusal says so */
        char said[256];
        snprintf(said, sizeof(said), "%.*s", (int)(res->body.len < 255 ? res->body.len : 255),
                 res->body.len ? res->body.buf : "");
        bool csrf = strstr(said, "CSRF") != NULL;
        cust_http_res_release(res);
        cust_http_res_init(res);
        char msg[224] = "Your role does not allow this page. The attempt was recorded.";
        if (csrf) {
            snprintf(msg, sizeof(msg),
                     "The form was stale or not from this site (CSRF token). "
                     "Reload the page and try again.");
        } else if (action != WEB_SESSION && cust_action_name((enum cust_action)action)) {
            char who[96];
            cust_action_roles((enum cust_action)action, who, sizeof(who));
            snprintf(msg, sizeof(msg),
                     "Your role does not allow this (%s: %s only). The attempt was recorded.",
                     cust_action_name((enum cust_action)action), who[0] ? who : "no role");
        }
        /* a signed-in user keeps the console's navigation (and its sign-out) */
        (void)web_html_error(w, res, 403, "Not allowed", msg, s.user[0] ? &s : NULL);
    }
    if (html && res->status >= 500 && res->incident[0]) {
        /* the account could not be checked: the page carries the incident already logged */
        int status = res->status;
        char id[17];
        memcpy(id, res->incident, sizeof(id));
        char *problem = res->problem; /* what the server logs with the incident: kept */
        res->problem = NULL;
        cust_http_res_release(res);
        cust_http_res_init(res);
        res->problem = problem;
        (void)web_incident_page(w, res, status, id, NULL);
    }
    return CUST_EDENIED;
}

/* ---- HTML ----------------------------------------------------------------------------------- */

/* ---- pages: templates under [paths] web_templates ----------------------------------------- */

/* The file `dir`/`file` into w->pages under `key` (read once: immutable, shared by the
 * server's threads). */
static enum cust_status load_file(struct cust_web *w, const char *dir, const char *file,
                                  const char *key, struct cust_err *err)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    FILE *f = fopen(path, "rb");
    if (!f)
        return cust_err_set(err, CUST_ENOTFOUND, "no page template '%s' ([paths] web_templates)",
                            path);
    struct cust_buf b;
    cust_buf_init(&b, 1u << 20);
    enum cust_status st = cust_buf_read(&b, f);
    fclose(f);
    if (st != CUST_OK) {
        cust_buf_release(&b);
        return cust_err_set(err, CUST_EIO, "cannot read page template '%s'", path);
    }
    json_object_set_new(w->pages, key, json_stringn(b.buf, b.len));
    cust_buf_release(&b);
    return CUST_OK;
}

const json_t *web_page_text(const struct cust_web *w, const char *name)
{
    return json_object_get(w->pages, name);
}

/* Every *.html of the templates folder, read once (immutable: shared by the server's threads). */
static enum cust_status load_pages(struct cust_web *w, const char *dir, struct cust_err *err)
{
    static const char *const names[] = {"layout",   "error",   "login",       "dashboard",
                                        "roster",   "record",  "audit",       "users",
                                        "locator",  "request", "fulfil",      "reports",
                                        "report",   "cpra",    "enforcement", "enforcement_public",
                                        "requests", "duties",  "notice"};
    w->pages = json_object();
    for (size_t i = 0; i < CUST_ARRAY_LEN(names); i++) {
        char file[64];
        snprintf(file, sizeof(file), "%s.html", names[i]);
        enum cust_status st = load_file(w, dir, file, names[i], err);
        if (st != CUST_OK)
            return st;
    }
    /* the notices' print stylesheet (GET /console/notice.css) */
    return load_file(w, dir, "notice.css", "notice.css", err);
}

enum cust_status web_render(const struct cust_web *w, const char *page, const json_t *vars,
                            struct cust_buf *out, struct cust_err *err)
{
    const json_t *t = json_object_get(w->pages, page);
    if (!t)
        return cust_err_set(err, CUST_ENOTFOUND, "no page template '%s'", page);
    char name[96];
    snprintf(name, sizeof(name), "%s.html", page);
    return cust_template_render(name, json_string_value(t), json_string_length(t), vars,
                                CUST_TEMPLATE_HTML, out, err);
}

/* The layout's values: the title, the agency (agency.c), and for staff the navigation their
 * role allows. */
static json_t *layout_vars(const struct cust_web *w, const char *title,
                           const struct cust_session *s)
{
    json_t *v = json_pack("{s:s,s:O?}", "title", title, "agency", w->agency);
    if (!s)
        return v;
    static const struct {
        const char *href, *label;
        int action;
    } items[] = {
        {"/console", "Dashboard", WEB_SESSION},
        {"/console/requests", "Requests", CUST_ACT_REQUEST_READ},
        {"/console/duties", "Duties", CUST_ACT_DUTY_READ},
        {"/console/roster", "Roster", CUST_ACT_ROSTER_READ},
        {"/console/audit", "Audit", CUST_ACT_AUDIT_READ},
        {"/console/reports", "Reports", WEB_REPORTS},
        {"/console/users", "Accounts", CUST_ACT_USER_MANAGE},
    };
    json_t *nav = json_array();
    for (size_t i = 0; i < CUST_ARRAY_LEN(items); i++)
        if (items[i].action == WEB_REPORTS
                ? web_role_has_reports(s->role)
                : items[i].action < 0 ||
                      cust_role_allows(s->role, (enum cust_action)items[i].action))
            json_array_append_new(
                nav, json_pack("{s:s,s:s}", "href", items[i].href, "label", items[i].label));
    const char *role = cust_role_name(s->role);
    json_object_set_new(v, "staff", json_true());
    json_object_set_new(v, "nav", nav);
    json_object_set_new(v, "csrf", json_string(s->csrf));
    json_object_set_new(v, "user", json_string(s->user));
    json_object_set_new(v, "role", json_string(role ? role : "none"));
    return v;
}

enum cust_status web_page(const struct cust_web *w, struct cust_http_response *res, int status,
                          const char *title, const struct cust_session *s, const char *page,
                          json_t *vars)
{
    struct cust_buf body, html;
    cust_buf_init(&body, 0);
    cust_buf_init(&html, 0);
    struct cust_err err = CUST_ERR_INIT;
    enum cust_status st = vars ? web_render(w, page, vars, &body, &err) : CUST_ENOMEM;
    json_decref(vars);
    json_t *lv = st == CUST_OK ? layout_vars(w, title, s) : NULL;
    if (lv) {
        json_object_set_new(lv, "body", json_stringn(body.buf, body.len));
        st = web_render(w, "layout", lv, &html, &err);
        json_decref(lv);
    }
    cust_buf_release(&body);
    if (st != CUST_OK) {
        if (err.msg[0])
            fprintf(stderr, "custodian: page %s: %s\n", page, err.msg);
        cust_buf_release(&html);
        return st;
    }
    return web_send_html(res, status, &html);
}

enum cust_status web_send_html(struct cust_http_response *res, int status, struct cust_buf *b)
{
    enum cust_status st = cust_buf_putc(b, '\0');
    if (st == CUST_OK)
        st = cust_http_res_html(res, status, b->buf);
    cust_buf_release(b);
    return st;
}

enum cust_status web_send_json(struct cust_http_response *res, int status, json_t *v)
{
    enum cust_status st = v ? cust_http_res_json(res, status, v) : CUST_ENOMEM;
    json_decref(v);
    return st;
}

enum cust_status web_send_problems(struct cust_http_response *res, enum cust_status st,
                                   const struct cust_err *err, const struct cust_diag *dg)
{
    if (dg && cust_diag_count(dg)) {
        json_t *problems = json_array();
        for (size_t i = 0; i < dg->n; i++)
            json_array_append_new(problems, json_string(dg->lines[i]));
        int status = cust_http_status_for(st);
        return web_send_json(res, status,
                             json_pack("{s:{s:s, s:s, s:i, s:o}}", "error", "code",
                                       cust_http_code_for(st), "message", dg->lines[0], "status",
                                       status, "problems", problems));
    }
    return cust_http_res_error(res, st, err->msg);
}

/* A 5xx page: a fixed title and message with the incident id (already logged), nothing else. */
static enum cust_status web_incident_page(const struct cust_web *w, struct cust_http_response *res,
                                          int status, const char id[17],
                                          const struct cust_session *s)
{
    char text[96];
    snprintf(text, sizeof(text), "Something went wrong (incident %s).", id);
    enum cust_status st = web_page(w, res, status, "Something went wrong", s, "error",
                                   json_pack("{s:s}", "message", text));
    memcpy(res->incident, id, 17);
    return st;
}

enum cust_status web_html_error(const struct cust_web *w, struct cust_http_response *res,
                                int status, const char *title, const char *message,
                                const struct cust_session *s)
{
    if (status == 503)
        cust_http_res_problem(res, message);
    if (status >= 500 && status != 503) {
        /* logged in full; the page carries only the incident id (issue 12) */
        char id[17];
        cust_http_incident(res, message, id);
        return web_incident_page(w, res, status, id, s);
    }
    return web_page(w, res, status, title, s, "error", json_pack("{s:s}", "message", message));
}

enum cust_status web_window(const struct cust_http_request *req, size_t min, size_t max,
                            size_t dflt, size_t *off, size_t *lines, struct cust_err *err)
{
    const struct {
        const char *name;
        long long min, max, dflt;
    } q[] = {{"offset", 0, 100000000, 0},
             {"lines", (long long)min, (long long)max, (long long)dflt}};
    size_t *out[] = {off, lines};
    for (size_t i = 0; i < CUST_ARRAY_LEN(q); i++) {
        const char *v = cust_kv_get(&req->query, q[i].name);
        *out[i] = (size_t)q[i].dflt;
        if (!v || !*v)
            continue;
        char *end;
        long long n = strtoll(v, &end, 10);
        if (*end || v[0] == '-' || v[0] == '+' || v[0] == ' ' || n < q[i].min || n > q[i].max)
            return cust_err_set(err, CUST_EINVAL, "%s: a whole number from %lld to %lld", q[i].name,
                                q[i].min, q[i].max);
        *out[i] = (size_t)n;
    }
    return CUST_OK;
}

enum cust_status web_redirect(struct cust_http_response *res, const char *location)
{
    enum cust_status st = cust_http_res_header(res, "Location", location);
    if (st == CUST_OK)
        st = cust_http_res_html(res, 303, "");
    return st;
}

/* ---- JSON ----------------------------------------------------------------------------------- */

json_t *web_dollars(int64_t cents)
{
    struct cust_buf b;
    cust_buf_init(&b, 32);
    json_t *v = NULL;
    if (cust_buf_dollars(&b, cents) == CUST_OK)
        v = json_stringn(b.buf, b.len);
    cust_buf_release(&b);
    return v;
}

/* ---- the route table ------------------------------------------------------------------------ */

struct web_route {
    const char *method, *pattern;
    cust_http_handler fn;
    int action; /* WEB_PUBLIC, WEB_SESSION or an enum cust_action */
    unsigned flags;
    bool public_server; /* served by `serve --public-only` too (from the published view only) */
};

/* GET /metrics: what the server counts instead of writing (Prometheus text format). */
static enum cust_status web_metrics(struct cust_http_request *req, struct cust_http_response *res,
                                    void *ctx)
{
    (void)req;
    struct cust_web *w = ctx;
    char out[768];
    snprintf(out, sizeof(out),
             "# HELP custodian_unauthenticated_denied_total 401/403 answers without a session\n"
             "# TYPE custodian_unauthenticated_denied_total counter\n"
             "custodian_unauthenticated_denied_total %llu\n"
             "# HELP custodian_unauthenticated_api_total API requests without a session\n"
             "# TYPE custodian_unauthenticated_api_total counter\n"
             "custodian_unauthenticated_api_total %llu\n"
             "# HELP custodian_unknown_logins_total sign-ins with a name no account has\n"
             "# TYPE custodian_unknown_logins_total counter\n"
             "custodian_unknown_logins_total %llu\n"
             "# HELP custodian_ledger_entries_total ledger entries written by requests\n"
             "# TYPE custodian_ledger_entries_total counter\n"
             "custodian_ledger_entries_total %llu\n",
             __atomic_load_n(&w->metrics.unauth_denied, __ATOMIC_RELAXED),
             __atomic_load_n(&w->metrics.unauth_api, __ATOMIC_RELAXED),
             __atomic_load_n(&w->metrics.unknown_logins, __ATOMIC_RELAXED),
             __atomic_load_n(&w->metrics.ledger_entries, __ATOMIC_RELAXED));
    enum cust_status st = cust_http_res_html(res, 200, out);
    res->content_type = "text/plain; version=0.0.4; charset=utf-8";
    return st;
}

static const struct web_route routes[] = {
    /* public */
    {"GET", "/", web_root, WEB_PUBLIC, 0, true},
    {"GET", "/locator", web_locator_page, WEB_PUBLIC, CUST_ROUTE_RATE_LIMITED, true},
    {"GET", "/seal", web_seal, WEB_PUBLIC, 0, true},
    {"GET", "/api/v1/public/inmates", web_locator_api, WEB_PUBLIC, CUST_ROUTE_RATE_LIMITED, true},
    {"GET", "/api/v1/checkpoint", web_api_checkpoint, WEB_PUBLIC, CUST_ROUTE_RATE_LIMITED, false},
    {"GET", "/static/uswds/{dir}/{file}", web_static, WEB_PUBLIC, 0, true},
    {"GET", "/static/uswds/{dir}/{sub}/{file}", web_static, WEB_PUBLIC, 0, true},
    {"GET", "/login", web_login_page, WEB_PUBLIC, 0, false},
    {"POST", "/login", web_login_post, WEB_PUBLIC, CUST_ROUTE_RATE_LIMITED | CUST_ROUTE_SLOW,
     false},
    {"GET", "/metrics", web_metrics, WEB_PUBLIC, CUST_ROUTE_RATE_LIMITED, true},
    {"GET", "/enforcement", web_public_enforcement_page, WEB_PUBLIC, CUST_ROUTE_RATE_LIMITED,
     false},
    {"GET", "/api/v1/public/enforcement", web_public_enforcement_api, WEB_PUBLIC,
     CUST_ROUTE_RATE_LIMITED, false},
    /* staff pages */
    {"POST", "/logout", web_logout, WEB_SESSION, 0, false},
    {"GET", "/console", web_dashboard, WEB_SESSION, 0, false},
    {"GET", "/console/roster", web_roster_page, CUST_ACT_ROSTER_READ, 0, false},
    {"GET", "/console/bookings/{number}", web_booking_page, CUST_ACT_ROSTER_READ, 0, false},
    {"GET", "/console/persons/{id}", web_person_page, CUST_ACT_ROSTER_READ, 0, false},
    {"GET", "/console/audit", web_audit_page, CUST_ACT_AUDIT_READ, 0, false},
    {"GET", "/console/users", web_users_page, CUST_ACT_USER_MANAGE, 0, false},
    {"GET", "/console/requests", web_requests_page, CUST_ACT_REQUEST_READ, 0, false},
    {"GET", "/console/requests/{id}", web_request_page, CUST_ACT_REQUEST_READ, 0, false},
    {"GET", "/console/requests/{id}/documents/{name}", web_request_document, CUST_ACT_REQUEST_READ,
     0, false},
    {"POST", "/console/requests/{id}/{step}", web_request_step_post, WEB_STEP, 0, false},
    {"GET", "/console/duties", web_duties_page, CUST_ACT_DUTY_READ, 0, false},
    {"POST", "/console/duties/{id}/done", web_duty_done_post, CUST_ACT_DUTY_COMPLETE, 0, false},
    {"GET", "/console/duties/{id}/notice", web_duty_notice_page, CUST_ACT_DUTY_COMPLETE, 0, false},
    {"GET", "/console/notice.css", web_notice_css, WEB_SESSION, 0, false},
    {"GET", "/console/requests/{id}/fulfil", web_fulfil_page, CUST_ACT_REQUEST_FULFILL, 0, false},
    {"POST", "/console/requests/{id}/fulfil", web_fulfil_post, CUST_ACT_REQUEST_FULFILL, 0, false},
    {"GET", "/console/reports", web_reports_page, WEB_SESSION, 0, false},
    {"GET", "/console/reports/detainers", web_report_detainers_page, CUST_ACT_REPORT_READ, 0,
     false},
    {"GET", "/console/reports/transfers", web_report_transfers_page, CUST_ACT_REPORT_READ, 0,
     false},
    {"GET", "/console/reports/truth-forum", web_report_forum_page, CUST_ACT_REPORT_READ, 0, false},
    {"GET", "/console/oversight", web_oversight_page, CUST_ACT_OVERSIGHT_READ, 0, false},
    {"GET", "/console/reports/cpra", web_cpra_page, CUST_ACT_RECORDS_EXPORT, 0, false},
    {"POST", "/console/reports/cpra", web_cpra_post, CUST_ACT_RECORDS_EXPORT, 0, false},
    {"GET", "/console/enforcement", web_enforcement_page, CUST_ACT_ENFORCEMENT_READ, 0, false},
    {"GET", "/console/enforcement/new", web_enforcement_new_page, CUST_ACT_ENFORCEMENT_CREATE, 0,
     false},
    {"POST", "/console/enforcement", web_enforcement_post, CUST_ACT_ENFORCEMENT_CREATE, 0, false},
    /* API */
    {"GET", "/api/v1/roster", web_api_roster, CUST_ACT_ROSTER_READ, 0, false},
    {"GET", "/api/v1/bookings/{number}", web_api_booking, CUST_ACT_ROSTER_READ, 0, false},
    {"GET", "/api/v1/persons/{id}", web_api_person, CUST_ACT_ROSTER_READ, 0, false},
    {"POST", "/api/v1/decide", web_api_decide, CUST_ACT_REQUEST_DECIDE, 0, false},
    {"GET", "/api/v1/audit/verify", web_api_audit_verify, CUST_ACT_AUDIT_READ, 0, false},
    {"GET", "/api/v1/audit/log", web_api_audit_log, CUST_ACT_AUDIT_READ, 0, false},
    {"GET", "/api/v1/users", web_api_users, CUST_ACT_USER_MANAGE, 0, false},
    {"GET", "/api/v1/requests", web_api_requests, CUST_ACT_REQUEST_READ, 0, false},
    {"POST", "/api/v1/requests", web_api_request_add, CUST_ACT_REQUEST_CREATE, 0, false},
    {"GET", "/api/v1/requests/{id}", web_api_request, CUST_ACT_REQUEST_READ, 0, false},
    {"POST", "/api/v1/requests/{id}/{step}", web_api_request_step, WEB_STEP, 0, false},
    {"POST", "/api/v1/requests/{id}/fulfil", web_api_request_fulfil, CUST_ACT_REQUEST_FULFILL, 0,
     false},
    {"GET", "/api/v1/duties", web_api_duties, CUST_ACT_DUTY_READ, 0, false},
    {"POST", "/api/v1/duties/{id}/done", web_api_duty_done, CUST_ACT_DUTY_COMPLETE, 0, false},
    {"GET", "/api/v1/reports/detainers", web_api_report_detainers, CUST_ACT_REPORT_READ, 0, false},
    {"GET", "/api/v1/reports/transfers", web_api_report_transfers, CUST_ACT_REPORT_READ, 0, false},
    {"GET", "/api/v1/reports/truth-forum", web_api_report_forum, CUST_ACT_REPORT_READ, 0, false},
    {"GET", "/api/v1/reports/oversight", web_api_report_oversight, CUST_ACT_OVERSIGHT_READ, 0,
     false},
    {"POST", "/api/v1/reports/cpra", web_api_report_cpra, CUST_ACT_RECORDS_EXPORT, 0, false},
    {"GET", "/api/v1/enforcement", web_api_enforcement, CUST_ACT_ENFORCEMENT_READ, 0, false},
    {"POST", "/api/v1/enforcement", web_api_enforcement_add, CUST_ACT_ENFORCEMENT_CREATE, 0, false},
};

enum cust_status cust_web_register(struct cust_web *w, struct cust_router *r)
{
    for (size_t i = 0; i < CUST_ARRAY_LEN(routes); i++) {
        if (w->public_only && !routes[i].public_server)
            continue;
        unsigned flags = routes[i].flags;
        if (strncmp(routes[i].pattern, "/api/", 5) == 0)
            flags |= CUST_ROUTE_AUDITED;
        enum cust_status st =
            cust_router_add(r, routes[i].method, routes[i].pattern, routes[i].fn, w, flags);
        if (st != CUST_OK)
            return st;
    }
    return CUST_OK;
}

enum cust_status cust_web_routes(struct cust_buf *out, bool public_only)
{
    enum cust_status st = CUST_OK;
    for (size_t i = 0; st == CUST_OK && i < CUST_ARRAY_LEN(routes); i++) {
        if (public_only && !routes[i].public_server)
            continue;
        if (routes[i].action == WEB_STEP) {
            /* one line per step, the step's literal in place of {step} */
            size_t n;
            const struct web_step *steps = web_steps(&n);
            const char *at = strstr(routes[i].pattern, "{step}");
            for (size_t k = 0; st == CUST_OK && k < n; k++)
                st = cust_buf_appendf(out, "%s %.*s%s %s\n", routes[i].method,
                                      (int)(at - routes[i].pattern), routes[i].pattern,
                                      steps[k].name, cust_action_name(steps[k].action));
            continue;
        }
        const char *a = routes[i].action == WEB_PUBLIC    ? "public"
                        : routes[i].action == WEB_SESSION ? "session"
                                                          : cust_action_name(routes[i].action);
        st = cust_buf_appendf(out, "%s %s %s\n", routes[i].method, routes[i].pattern, a);
    }
    return st;
}

/* Open the spool beside the store (a file store) or the key file (PostgreSQL), and append
 * what a previous run left in it. */
static enum cust_status open_spool(struct cust_web *w, struct cust_err *err)
{
    bool url = strncmp(w->db_path, "postgres", 8) == 0;
    const char *base = url ? w->key_path : w->db_path;
    if (!base || strcmp(base, ":memory:") == 0)
        return CUST_OK;
    struct cust_buf p = CUST_BUF_INIT;
    CUST_ASSERT(cust_buf_appendf(&p, "%s.audit-spool", base) == CUST_OK);
    enum cust_status st = cust_ledger_spool_open(p.buf, &w->spool, err);
    cust_buf_release(&p);
    if (st == CUST_OK)
        spool_drain_or_say(w);
    return st;
}
