/*
 * checkpoint.c - the server's checkpoint writer and GET /api/v1/checkpoint (web.h,
 * docs/internals/ledger.md "Checkpoints from the server").
 *
 * One thread looks every few seconds whether a checkpoint is due (cust_ledger_publish: N entries
 * or M minutes since the last) and writes it through a pooled store connection; at start and at
 * shutdown it writes one if the ledger grew. The latest is public: it holds a tree size and a
 * root, nothing about anyone, and an oversight body fetching it often is what makes a rewrite
 * of the store detectable.
 */
#include "custodian/compat.h"
#include "custodian/config.h"
#include "custodian/date.h"
#include "custodian/ledger.h"
#include "web_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <time.h>

struct web_checkpointer {
    struct cust_note_signer signer;
    struct cust_ledger_publish_policy policy;
    char *dir;
    unsigned poll_s;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool stop;
    char last_error[CUST_ERR_MSG_MAX];
};

static void publish_once(struct cust_web *w)
{
    struct web_checkpointer *c = w->cp;
    struct cust_err err = CUST_ERR_INIT;
    uint64_t written = 0;
    struct cust_store *s = web_acquire(w);
    enum cust_status st =
        cust_ledger_publish(s, &c->signer, &c->policy, cust_now(), &written, &err);
    web_release(w, s);
    if (st != CUST_OK) {
        if (strcmp(err.msg, c->last_error) != 0) /* said once, not every few seconds */
            fprintf(stderr, "custodian: checkpoint: %s\n", err.msg);
        snprintf(c->last_error, sizeof(c->last_error), "%s", err.msg);
        return;
    }
    c->last_error[0] = '\0';
    if (written)
        fprintf(stderr, "custodian: checkpoint of %" PRIu64 " entries signed by %s\n", written,
                c->signer.name);
}

static void *run(void *arg)
{
    struct cust_web *w = arg;
    struct web_checkpointer *c = w->cp;
    pthread_mutex_lock(&c->lock);
    while (!c->stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += c->poll_s;
        pthread_cond_timedwait(&c->wake, &c->lock, &ts);
        if (c->stop)
            break;
        pthread_mutex_unlock(&c->lock);
        publish_once(w);
        pthread_mutex_lock(&c->lock);
    }
    pthread_mutex_unlock(&c->lock);
    return NULL;
}

/* A whole number of the configuration, from `min` up, naming its source when it is not. */
static enum cust_status config_uint(const struct cust_config *cfg, enum cust_config_key k,
                                    unsigned min, unsigned *out, struct cust_err *err)
{
    const char *v = cust_config_get(cfg, k);
    char *end = NULL;
    errno = 0;
    unsigned long n = strtoul(v, &end, 10);
    if (!*v || *end || errno || n < min || n > 100000000 || *v == '-')
        return cust_err_set(err, CUST_EINVAL, "%s: [%s] %s: expected a whole number from %u",
                            cust_config_source(cfg, k), cust_config_section(k), cust_config_name(k),
                            min);
    *out = (unsigned)n;
    return CUST_OK;
}

enum cust_status web_checkpointer_start(struct cust_web *w, const struct cust_web_config *wcfg,
                                        struct cust_err *err)
{
    const struct cust_config *cfg = wcfg->core;
    const char *key = cust_config_get(cfg, CUST_CFG_LEDGER_KEY);
    const char *dir = cust_config_get(cfg, CUST_CFG_LEDGER_CHECKPOINT_DIR);
    unsigned every = 0, minutes = 0;
    enum cust_status st = config_uint(cfg, CUST_CFG_LEDGER_CHECKPOINT_EVERY, 1, &every, err);
    if (st == CUST_OK)
        st = config_uint(cfg, CUST_CFG_LEDGER_CHECKPOINT_MINUTES, 0, &minutes, err);
    if (st != CUST_OK)
        return st;
    if (!*key) {
        static const enum cust_config_key needs_key[] = {CUST_CFG_LEDGER_CHECKPOINT_EVERY,
                                                         CUST_CFG_LEDGER_CHECKPOINT_MINUTES,
                                                         CUST_CFG_LEDGER_CHECKPOINT_DIR};
        for (size_t i = 0; i < CUST_ARRAY_LEN(needs_key); i++)
            if (!cust_config_is_default(cfg, needs_key[i]))
                return cust_err_set(err, CUST_EINVAL,
                                    "%s: [ledger] %s is set, but no [ledger] key signs the "
                                    "checkpoints (--checkpoint-key, $CUSTODIAN_LEDGER_KEY)",
                                    cust_config_source(cfg, needs_key[i]),
                                    cust_config_name(needs_key[i]));
        return CUST_OK; /* no key: the server signs no checkpoint */
    }
    struct web_checkpointer *c = cust_xcalloc(1, sizeof(*c));
    st = cust_note_signer_load(key, &c->signer, err);
    if (st != CUST_OK) {
        free(c);
        return st;
    }
    c->dir = *dir ? cust_xstrdup(dir) : NULL;
    c->policy.every_entries = every;
    c->policy.every_seconds = (int64_t)minutes * 60;
    c->policy.dir = c->dir;
    c->poll_s = wcfg->checkpoint_poll_s ? wcfg->checkpoint_poll_s : 5;
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->wake, NULL);
    w->cp = c;
    /* at start: a store that grew while the server was down is signed now (all is due) */
    struct cust_ledger_publish_policy now = c->policy;
    now.every_entries = 1;
    c->policy = now;
    publish_once(w); /* a ledger that does not verify is said, not fatal: the server serves */
    c->policy.every_entries = every;
    if (pthread_create(&c->thread, NULL, run, w) != 0)
        st = cust_err_set(err, CUST_EIO, "cannot start the checkpoint writer");
    if (st != CUST_OK) {
        pthread_mutex_destroy(&c->lock);
        pthread_cond_destroy(&c->wake);
        cust_note_signer_wipe(&c->signer);
        free(c->dir);
        free(c);
        w->cp = NULL;
    }
    return st;
}

void web_checkpointer_stop(struct cust_web *w)
{
    struct web_checkpointer *c = w->cp;
    if (!c)
        return;
    pthread_mutex_lock(&c->lock);
    c->stop = true;
    pthread_cond_signal(&c->wake);
    pthread_mutex_unlock(&c->lock);
    pthread_join(c->thread, NULL);
    /* at shutdown: what was written since the last one */
    c->policy.every_entries = 1;
    publish_once(w);
    pthread_mutex_destroy(&c->lock);
    pthread_cond_destroy(&c->wake);
    cust_note_signer_wipe(&c->signer);
    free(c->dir);
    free(c);
    w->cp = NULL;
}

enum cust_status web_api_checkpoint(struct cust_http_request *req, struct cust_http_response *res,
                                    void *ctx)
{
    (void)req;
    struct cust_web *w = ctx;
    struct cust_err err = CUST_ERR_INIT;
    char *note = NULL;
    struct cust_store *s = web_acquire(w);
    enum cust_status st = cust_ledger_checkpoint_latest(s, &note, &err);
    web_release(w, s);
    if (st != CUST_OK)
        return cust_http_res_error(res, st, err.msg);
    res->status = 200;
    res->content_type = "text/plain; charset=utf-8";
    cust_buf_reset(&res->body);
    st = cust_buf_puts(&res->body, note);
    free(note);
    if (st == CUST_OK)
        st = cust_http_res_header(res, "Cache-Control", "no-cache");
    return st;
}
