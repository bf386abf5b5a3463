/*
 * sweeper.c - the server's expiry timer (web_internal.h, docs/internals/desk.md "Expiry").
 *
 * Readers never write: listing requests, the dashboard and the request pages only read. The
 * detainers whose hold window passed are expired here, once a minute (and at start), by one
 * thread through a pooled store connection, each expiry recorded once (cust_desk_sweep), as
 * `custodian request sweep` does from the command line.
 */
#include "custodian/compat.h"
#include "custodian/date.h"
#include "custodian/desk.h"
#include "custodian/ledger.h"
#include "web_internal.h"

#include <errno.h>
#include <pthread.h>
#include <time.h>

struct web_sweeper {
    unsigned every_s;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool stop;
    bool short_wait;      /* waiting a second (the spool pending): a nudge changes nothing */
    time_t spool_failing; /* since when drains fail (an import holding the store), 0 = none */
    bool spool_said;      /* said so; not again until a drain succeeds */
    char last_error[CUST_ERR_MSG_MAX];
};

/* Audit entries an import kept waiting, if any, with a short wait for the store. An import holds
 * it for as long as it runs (a million bookings: minutes), so a failure is expected and the next
 * second tries again; failing for SPOOL_SAY_AFTER_S is said once, until a drain succeeds. */
#define SPOOL_SAY_AFTER_S 600
static void drain(struct cust_web *w)
{
    struct web_sweeper *sw = w->sweeper;
    struct cust_err err = CUST_ERR_INIT;
    if (web_spool_drain(w, WEB_LEDGER_WAIT_MS, &err) == CUST_OK) {
        sw->spool_failing = 0;
        sw->spool_said = false;
        return;
    }
    time_t now = time(NULL);
    if (!sw->spool_failing)
        sw->spool_failing = now;
    else if (!sw->spool_said && now - sw->spool_failing >= SPOOL_SAY_AFTER_S) {
        fprintf(stderr,
                "custodian: ledger spool: audit entries have waited %lld minutes for the store: "
                "%s (kept; tried again every second)\n",
                (long long)(now - sw->spool_failing) / 60, err.msg);
        sw->spool_said = true;
    }
}

static void sweep_once(struct cust_web *w)
{
    drain(w);
    struct web_sweeper *sw = w->sweeper;
    struct cust_err err = CUST_ERR_INIT;
    struct cust_desk d;
    json_t *expired = NULL;
    cust_desk_init(&d, w->env, web_acquire(w), "custodian serve", "system");
    enum cust_status st = cust_desk_sweep(&d, cust_now(), &expired, &err);
    struct cust_store *s = d.store;
    cust_desk_release(&d);
    web_release(w, s);
    if (st != CUST_OK) {
        if (strcmp(err.msg, sw->last_error) != 0) /* said once, not every minute */
            fprintf(stderr, "custodian: expiry sweep: %s\n", err.msg);
        snprintf(sw->last_error, sizeof(sw->last_error), "%s", err.msg);
    } else {
        sw->last_error[0] = '\0';
        if (json_array_size(expired))
            fprintf(stderr, "custodian: %zu detainer%s expired (hold window passed)\n",
                    json_array_size(expired), json_array_size(expired) == 1 ? "" : "s");
    }
    json_decref(expired);
}

static void *run(void *arg)
{
    struct cust_web *w = arg;
    struct web_sweeper *sw = w->sweeper;
    pthread_mutex_lock(&sw->lock);
    time_t next_sweep = time(NULL) + sw->every_s;
    while (!sw->stop) {
        /* until the next sweep; while audit entries wait in the spool (an import holds the
         * store), a second */
        bool spooled = w->spool && cust_ledger_spool_pending(w->spool) > 0;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        if (spooled && ts.tv_sec + 1 < next_sweep)
            ts.tv_sec += 1;
        else
            ts = (struct timespec){.tv_sec = next_sweep};
        sw->short_wait = spooled;
        int rc = pthread_cond_timedwait(&sw->wake, &sw->lock, &ts);
        if (sw->stop)
            break;
        if (rc != ETIMEDOUT)
            continue; /* nudged (web_sweeper_nudge): the spool is pending, look within a second */
        pthread_mutex_unlock(&sw->lock);
        if (time(NULL) >= next_sweep) {
            sweep_once(w);
            next_sweep = time(NULL) + sw->every_s;
        } else {
            drain(w);
        }
        pthread_mutex_lock(&sw->lock);
    }
    pthread_mutex_unlock(&sw->lock);
    return NULL;
}

enum cust_status web_sweeper_start(struct cust_web *w, unsigned every_s, struct cust_err *err)
{
    struct web_sweeper *sw = cust_xcalloc(1, sizeof(*sw));
    sw->every_s = every_s ? every_s : 60;
    pthread_mutex_init(&sw->lock, NULL);
    pthread_cond_init(&sw->wake, NULL);
    w->sweeper = sw;
    sweep_once(w); /* what passed while the server was down */
    if (pthread_create(&sw->thread, NULL, run, w) == 0)
        return CUST_OK;
    pthread_mutex_destroy(&sw->lock);
    pthread_cond_destroy(&sw->wake);
    free(sw);
    w->sweeper = NULL;
    return cust_err_set(err, CUST_EIO, "cannot start the expiry sweep");
}

void web_sweeper_nudge(struct cust_web *w)
{
    struct web_sweeper *sw = w->sweeper;
    if (!sw)
        return;
    pthread_mutex_lock(&sw->lock);
    /* in the minute's wait only: readers spooling many entries a second must not keep
     * restarting the second's wait, which would starve the drain and the expiry sweep */
    if (!sw->short_wait)
        pthread_cond_signal(&sw->wake);
    pthread_mutex_unlock(&sw->lock);
}

void web_sweeper_stop(struct cust_web *w)
{
    struct web_sweeper *sw = w->sweeper;
    if (!sw)
        return;
    pthread_mutex_lock(&sw->lock);
    sw->stop = true;
    pthread_cond_signal(&sw->wake);
    pthread_mutex_unlock(&sw->lock);
    pthread_join(sw->thread, NULL);
    pthread_mutex_destroy(&sw->lock);
    pthread_cond_destroy(&sw->wake);
    free(sw);
    w->sweeper = NULL;
}
