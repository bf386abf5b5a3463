/*
 * spool.c - ledger entries kept durably aside while another writer holds the store
 * (custodian/ledger.h "Spool", docs/internals/ledger.md "The spool").
 *
 * A staff server must write an entry for every audited read, but a long import holds the
 * store's write lock for its whole transaction (all or nothing). An entry that cannot be
 * appended within a short wait is written to the spool instead: one JSON line, fsync'd before
 * the caller answers. The spool is appended to the ledger, in order, as soon as the lock is free
 * (the next entry, or cust_ledger_spool_drain on a timer); each such entry's detail carries
 * "spooled": {"id", "at"} - its spool id and when it happened. A crash between the ledger's
 * commit and the spool's truncation appends the spooled entries a second time at the next drain
 * (at least once): the repeat carries the same spool id, so it is recognisably the same event.
 */
#include "custodian/compat.h"
#include "custodian/date.h"
#include "custodian/ledger.h"
#include "custodian/store.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* After a failed drain, entries go straight to the spool (no wait) for this long. */
#define RETRY_NS 1000000000LL

struct cust_ledger_spool {
    pthread_mutex_t mu;
    char *path;
    int fd;
    int64_t n;         /* entries in the file */
    int64_t failed_ns; /* when the last drain failed (monotonic), 0 = none since */
};

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Count the lines of the spool file (entries left by an earlier run). */
static int64_t count_lines(int fd)
{
    char buf[8192];
    int64_t n = 0;
    ssize_t got;
    off_t at = 0;
    while ((got = pread(fd, buf, sizeof(buf), at)) > 0) {
        for (ssize_t i = 0; i < got; i++)
            n += buf[i] == '\n';
        at += got;
    }
    return n;
}

enum cust_status cust_ledger_spool_open(const char *path, struct cust_ledger_spool **out,
                                        struct cust_err *err)
{
    *out = NULL;
    int fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0)
        return cust_err_set(err, CUST_EIO, "ledger spool '%s': %s", path, strerror(errno));
    struct cust_ledger_spool *sp = cust_xcalloc(1, sizeof(*sp));
    pthread_mutex_init(&sp->mu, NULL);
    sp->path = cust_xstrdup(path);
    sp->fd = fd;
    sp->n = count_lines(fd);
    *out = sp;
    return CUST_OK;
}

void cust_ledger_spool_close(struct cust_ledger_spool *sp)
{
    if (!sp)
        return;
    close(sp->fd);
    pthread_mutex_destroy(&sp->mu);
    free(sp->path);
    free(sp);
}

int64_t cust_ledger_spool_pending(struct cust_ledger_spool *sp)
{
    pthread_mutex_lock(&sp->mu);
    int64_t n = sp->n;
    pthread_mutex_unlock(&sp->mu);
    return n;
}

/* Write `e` as one line and make it durable. */
static enum cust_status spool_put(struct cust_ledger_spool *sp, const struct cust_ledger_entry *e,
                                  struct cust_err *err)
{
    unsigned char id[8];
    char hex[17], at[32];
    randombytes_buf(id, sizeof(id));
    sodium_bin2hex(hex, sizeof(hex), id, sizeof(id));
    cust_time_format(cust_now(), 0, true, at);
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s?,s:s}", "actor", e->actor, "role",
                          e->role, "action", e->action, "object_type", e->object_type, "object_id",
                          e->object_id, "outcome", e->outcome, "purpose", e->purpose, "id", hex,
                          "detail", e->detail, "at", at);
    char *line = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(o);
    if (!line)
        return cust_err_set(err, CUST_ENOMEM, "ledger spool: cannot encode an entry");
    size_t len = strlen(line);
    line[len] = '\n'; /* the NUL becomes the newline (written, not read as a string again) */
    enum cust_status st = CUST_OK;
    if (write(sp->fd, line, len + 1) != (ssize_t)(len + 1) || fdatasync(sp->fd) != 0)
        st = cust_err_set(err, CUST_EIO, "ledger spool '%s': %s", sp->path, strerror(errno));
    else
        sp->n++;
    free(line);
    return st;
}

/* The entry a spool line stands for, its detail with "spooled": {"id", "at"} added. */
static enum cust_status append_line(struct cust_store *s, const char *line, struct cust_err *err)
{
    json_error_t je;
    json_t *o = json_loads(line, 0, &je);
    if (!o)
        return cust_err_set(err, CUST_EINVAL, "ledger spool: a line is not JSON: %s", je.text);
    json_t *d = NULL;
    const char *detail = json_string_value(json_object_get(o, "detail"));
    if (detail)
        d = json_loads(detail, 0, NULL);
    if (!json_is_object(d)) {
        json_decref(d);
        d = json_object();
    }
    json_object_set_new(
        d, "spooled",
        json_pack("{s:O,s:O}", "id", json_object_get(o, "id"), "at", json_object_get(o, "at")));
    char *dj = json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(d);
#define F(k) json_string_value(json_object_get(o, k))
    struct cust_ledger_entry e = {F("actor"),     F("role"),    F("action"),  F("object_type"),
                                  F("object_id"), F("outcome"), F("purpose"), dj};
#undef F
    enum cust_status st = cust_ledger_append(s, &e, err);
    free(dj);
    json_decref(o);
    return st;
}

/* Append every spooled entry in one transaction, then empty the spool. Caller holds sp->mu. */
static enum cust_status drain_locked(struct cust_store *s, struct cust_ledger_spool *sp,
                                     struct cust_err *err)
{
    if (sp->n == 0)
        return CUST_OK;
    FILE *f = fdopen(dup(sp->fd), "r");
    if (!f)
        return cust_err_set(err, CUST_EIO, "ledger spool '%s': %s", sp->path, strerror(errno));
    rewind(f);
    enum cust_status st = cust_store_begin(s, err);
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    while (st == CUST_OK && (got = getline(&line, &cap, f)) > 0) {
        if (line[got - 1] != '\n')
            break; /* torn by a crash during its write: never fsync'd, so never answered */
        st = append_line(s, line, err);
    }
    free(line);
    fclose(f);
    if (st == CUST_OK)
        st = cust_store_commit(s, err);
    else
        cust_store_rollback(s);
    if (st != CUST_OK) {
        sp->failed_ns = mono_ns();
        return st;
    }
    /* the entries are in the ledger: empty the spool (a crash before this repeats them once) */
    if (ftruncate(sp->fd, 0) != 0 || fsync(sp->fd) != 0)
        return cust_err_set(err, CUST_EIO, "ledger spool '%s': %s", sp->path, strerror(errno));
    sp->n = 0;
    sp->failed_ns = 0;
    return CUST_OK;
}

enum cust_status cust_ledger_spool_drain(struct cust_store *s, struct cust_ledger_spool *sp,
                                         struct cust_err *err)
{
    pthread_mutex_lock(&sp->mu);
    enum cust_status st = drain_locked(s, sp, err);
    pthread_mutex_unlock(&sp->mu);
    return st;
}

enum cust_status cust_ledger_append_or_spool(struct cust_store *s, struct cust_ledger_spool *sp,
                                             const struct cust_ledger_entry *e, int wait_ms,
                                             bool *spooled, struct cust_err *err)
{
    *spooled = false;
    if (!e->actor || !*e->actor || !e->role || !e->action || !e->object_type || !e->object_id ||
        !e->outcome || !e->purpose) /* as cust_ledger_append: spooling it would not help */
        return cust_err_set(err, CUST_EINVAL, "ledger entry: a required field is missing");
    pthread_mutex_lock(&sp->mu);
    /* entries already waiting go first (the ledger keeps the order); after a failed attempt,
     * the next try is a second later, so a busy store costs each caller no wait */
    bool try_store = sp->n == 0 || mono_ns() - sp->failed_ns >= RETRY_NS;
    enum cust_status st = CUST_EDB;
    if (try_store) {
        cust_store_set_lock_wait(s, wait_ms);
        struct cust_err quiet = CUST_ERR_INIT;
        st = drain_locked(s, sp, &quiet);
        if (st == CUST_OK)
            st = cust_ledger_append(s, e, &quiet);
        cust_store_set_lock_wait(s, -1);
        if (st != CUST_OK)
            sp->failed_ns = mono_ns();
    }
    if (st != CUST_OK) {
        st = spool_put(sp, e, err);
        *spooled = st == CUST_OK;
    }
    pthread_mutex_unlock(&sp->mu);
    return st;
}
