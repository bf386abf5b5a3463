/*
 * publisher.c - the staff server keeps the published public view up to date (issue 12: a public
 * server that holds no secrets).
 *
 * With [server] publish_to set, the server writes the public view to that file at start and then
 * every [server] publish_every seconds (0: at start only), through cust_store_publish (store.h:
 * written beside the file, synced, renamed over it). A `serve --public-only` process reading the
 * file reopens it within a second. A failure is said on stderr once (not every period) and the
 * server goes on serving; the previous file stays as it was.
 */
#include "custodian/compat.h"
#include "custodian/date.h"
#include "custodian/store.h"
#include "web_internal.h"

#include <inttypes.h>
#include <pthread.h>
#include <time.h>

struct web_publisher {
    char *out;
    unsigned every_s;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool stop, running;
    char last_error[CUST_ERR_MSG_MAX];
};

static enum cust_status publish_once(struct cust_web *w, struct cust_err *err)
{
    struct web_publisher *p = w->publisher;
    int64_t rows = 0;
    struct cust_store *s = web_acquire(w);
    enum cust_status st = cust_store_publish(s, p->out, cust_today(), &rows, err);
    web_release(w, s);
    if (st != CUST_OK) {
        if (strcmp(err->msg, p->last_error) != 0) /* said once, not every period */
            fprintf(stderr, "custodian: publish: %s\n", err->msg);
        snprintf(p->last_error, sizeof(p->last_error), "%s", err->msg);
        return st;
    }
    p->last_error[0] = '\0';
    return CUST_OK;
}

static void *run(void *arg)
{
    struct cust_web *w = arg;
    struct web_publisher *p = w->publisher;
    pthread_mutex_lock(&p->lock);
    while (!p->stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += p->every_s;
        pthread_cond_timedwait(&p->wake, &p->lock, &ts);
        if (p->stop)
            break;
        pthread_mutex_unlock(&p->lock);
        struct cust_err err = CUST_ERR_INIT;
        (void)publish_once(w, &err);
        pthread_mutex_lock(&p->lock);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

enum cust_status web_publisher_start(struct cust_web *w, const char *out, unsigned every_s,
                                     struct cust_err *err)
{
    if (!out || !*out)
        return CUST_OK;
    struct web_publisher *p = cust_xcalloc(1, sizeof(*p));
    p->out = cust_xstrdup(out);
    p->every_s = every_s;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->wake, NULL);
    w->publisher = p;
    /* at start, synchronously: a server that cannot publish where it is told fails to start */
    enum cust_status st = publish_once(w, err);
    if (st == CUST_OK && every_s > 0) {
        if (pthread_create(&p->thread, NULL, run, w) != 0)
            st = cust_err_set(err, CUST_EIO, "cannot start the publisher");
        else
            p->running = true;
    }
    if (st != CUST_OK) {
        web_publisher_stop(w);
        return st;
    }
    return CUST_OK;
}

void web_publisher_stop(struct cust_web *w)
{
    struct web_publisher *p = w->publisher;
    if (!p)
        return;
    if (p->running) {
        pthread_mutex_lock(&p->lock);
        p->stop = true;
        pthread_cond_signal(&p->wake);
        pthread_mutex_unlock(&p->lock);
        pthread_join(p->thread, NULL);
    }
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->wake);
    free(p->out);
    free(p);
    w->publisher = NULL;
}
