/* backend_memory.c - an in-memory auth backend (tests and demos): arrays behind one mutex. */
#include "custodian/compat.h"
#include "custodian/auth.h"

#include <pthread.h>
#include <sodium.h>

struct mem {
    pthread_mutex_t lock;
    struct cust_user *users;
    size_t nusers, ausers;
    struct cust_session *sessions;
    size_t nsessions, asessions;
};

static struct cust_user *find_user(struct mem *m, const char *name)
{
    for (size_t i = 0; i < m->nusers; i++)
        if (strcmp(m->users[i].name, name) == 0)
            return &m->users[i];
    return NULL;
}

static struct cust_session *find_session(struct mem *m, const char *id)
{
    for (size_t i = 0; i < m->nsessions; i++)
        if (strcmp(m->sessions[i].id, id) == 0)
            return &m->sessions[i];
    return NULL;
}

static enum cust_status get_user(void *ctx, const char *name, struct cust_user *out,
                                 struct cust_err *err)
{
    (void)err; /* memory never fails */
    struct mem *m = ctx;
    pthread_mutex_lock(&m->lock);
    struct cust_user *u = find_user(m, name);
    if (u)
        *out = *u;
    pthread_mutex_unlock(&m->lock);
    return u ? CUST_OK : CUST_ENOTFOUND;
}

static enum cust_status put_user(void *ctx, const struct cust_user *in, struct cust_err *err)
{
    (void)err; /* memory never fails */
    struct mem *m = ctx;
    pthread_mutex_lock(&m->lock);
    struct cust_user *u = find_user(m, in->name);
    if (!u) {
        if (m->nusers == m->ausers) {
            m->ausers = m->ausers ? m->ausers * 2 : 8;
            m->users = cust_xrealloc(m->users, m->ausers * sizeof(*m->users));
        }
        u = &m->users[m->nusers++];
    }
    *u = *in;
    pthread_mutex_unlock(&m->lock);
    return CUST_OK;
}

static enum cust_status claim_attempt(void *ctx, const char *name, int64_t now, unsigned max,
                                      int64_t lock_s, struct cust_err *err)
{
    (void)err; /* memory never fails */
    struct mem *m = ctx;
    enum cust_status st = CUST_ENOTFOUND;
    pthread_mutex_lock(&m->lock);
    struct cust_user *u = find_user(m, name);
    if (u && u->locked_until > now) {
        st = CUST_EDENIED;
    } else if (u) {
        if (++u->failures >= max) {
            u->failures = 0;
            u->locked_until = now + lock_s;
        }
        st = CUST_OK;
    }
    pthread_mutex_unlock(&m->lock);
    return st;
}

static enum cust_status record_success(void *ctx, const char *name, int64_t step,
                                       struct cust_err *err)
{
    (void)err; /* memory never fails */
    struct mem *m = ctx;
    enum cust_status st = CUST_ENOTFOUND;
    pthread_mutex_lock(&m->lock);
    struct cust_user *u = find_user(m, name);
    if (u && u->totp_last_step >= step) {
        st = CUST_ECONFLICT;
    } else if (u) {
        u->totp_last_step = step;
        u->failures = 0;
        u->locked_until = 0;
        st = CUST_OK;
    }
    pthread_mutex_unlock(&m->lock);
    return st;
}

static enum cust_status get_session(void *ctx, const char *id, struct cust_session *out,
                                    struct cust_err *err)
{
    (void)err; /* memory never fails */
    struct mem *m = ctx;
    pthread_mutex_lock(&m->lock);
    struct cust_session *s = find_session(m, id);
    if (s)
        *out = *s;
    pthread_mutex_unlock(&m->lock);
    return s ? CUST_OK : CUST_ENOTFOUND;
}

static enum cust_status put_session(void *ctx, const struct cust_session *in, struct cust_err *err)
{
    (void)err; /* memory never fails */
    struct mem *m = ctx;
    pthread_mutex_lock(&m->lock);
    struct cust_session *s = find_session(m, in->id);
    if (!s) {
        if (m->nsessions == m->asessions) {
            m->asessions = m->asessions ? m->asessions * 2 : 8;
            m->sessions = cust_xrealloc(m->sessions, m->asessions * sizeof(*m->sessions));
        }
        s = &m->sessions[m->nsessions++];
    }
    *s = *in;
    pthread_mutex_unlock(&m->lock);
    return CUST_OK;
}

static enum cust_status delete_session(void *ctx, const char *id, struct cust_err *err)
{
    (void)err; /* memory never fails */
    struct mem *m = ctx;
    pthread_mutex_lock(&m->lock);
    struct cust_session *s = find_session(m, id);
    if (s)
        *s = m->sessions[--m->nsessions];
    pthread_mutex_unlock(&m->lock);
    return s ? CUST_OK : CUST_ENOTFOUND;
}

struct cust_auth_backend *cust_auth_memory_new(void)
{
    struct cust_auth_backend *be = cust_xcalloc(1, sizeof(*be));
    struct mem *m = cust_xcalloc(1, sizeof(*m));
    pthread_mutex_init(&m->lock, NULL);
    be->ctx = m;
    be->get_user = get_user;
    be->put_user = put_user;
    be->claim_attempt = claim_attempt;
    be->record_success = record_success;
    be->get_session = get_session;
    be->put_session = put_session;
    be->delete_session = delete_session;
    return be;
}

void cust_auth_memory_free(struct cust_auth_backend *be)
{
    if (!be)
        return;
    struct mem *m = be->ctx;
    pthread_mutex_destroy(&m->lock);
    if (m->users)
        sodium_memzero(m->users, m->ausers * sizeof(*m->users));
    free(m->users);
    free(m->sessions);
    free(m);
    free(be);
}
