/*
 * publish.c - checkpoints the server writes on its own: a new signed checkpoint every N entries
 * or M minutes, kept in the store (the latest is served at /api/v1/checkpoint) and, if asked,
 * as files (ledger.h, docs/internals/ledger.md "Checkpoints from the server").
 *
 * A log must never sign two heads that are not consistent: before signing, the ledger is
 * verified against the last checkpoint it signed; a store that no longer extends it is never
 * signed again (the error names the checkpoint; an operator must look).
 */
#include "custodian/compat.h"
#include "custodian/ledger.h"
#include "custodian/store_rows.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <unistd.h>

struct last {
    bool have;
    struct cust_checkpoint cp;
    int64_t at;
    char *note;
};

static enum cust_status on_last(const struct cust_stored_checkpoint *c, void *arg)
{
    struct last *l = arg;
    struct cust_note n;
    /* the note as kept: its text is the checkpoint (its signature was ours) */
    if (cust_note_open(c->note, strlen(c->note), NULL, &n, NULL) != CUST_OK)
        return CUST_EINTEGRITY;
    enum cust_status st = cust_checkpoint_parse(n.text, n.text_len, &l->cp, NULL);
    cust_note_release(&n);
    if (st != CUST_OK)
        return CUST_EINTEGRITY;
    l->have = true;
    l->at = c->at;
    l->note = cust_xstrdup(c->note);
    return CUST_OK;
}

enum cust_status cust_ledger_checkpoint_latest(struct cust_store *s, char **note,
                                               struct cust_err *err)
{
    struct last l = {0};
    *note = NULL;
    enum cust_status st = cust_store_checkpoint_latest(s, on_last, &l, err);
    if (st == CUST_EINTEGRITY)
        return cust_err_set(err, CUST_EINTEGRITY, "the latest kept checkpoint does not parse");
    if (st == CUST_OK)
        *note = l.note;
    return st;
}

/* Write `note` to DIR/checkpoint-SIZE.txt (never over an existing file; durable). */
static enum cust_status write_file(const char *dir, uint64_t size, const char *note,
                                   struct cust_err *err)
{
    char path[4096], tmp[4120];
    snprintf(path, sizeof(path), "%s/checkpoint-%" PRIu64 ".txt", dir, size);
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return cust_err_set(err, CUST_EIO, "checkpoint file '%s': %s", tmp, strerror(errno));
    size_t len = strlen(note), done = 0;
    while (done < len) {
        ssize_t n = write(fd, note + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        done += (size_t)n;
    }
    bool ok = done == len && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    if (!ok || link(tmp, path) != 0) { /* link: never over an existing checkpoint */
        int e = errno;
        unlink(tmp);
        return cust_err_set(err, CUST_EIO, "checkpoint file '%s': %s", path, strerror(e));
    }
    unlink(tmp);
    return CUST_OK;
}

enum cust_status cust_ledger_publish(struct cust_store *s, const struct cust_note_signer *signer,
                                     const struct cust_ledger_publish_policy *p, int64_t now,
                                     uint64_t *written, struct cust_err *err)
{
    *written = 0;
    struct last l = {0};
    enum cust_status st = cust_store_checkpoint_latest(s, on_last, &l, err);
    if (st == CUST_EINTEGRITY)
        return cust_err_set(err, CUST_EINTEGRITY, "the latest kept checkpoint does not parse");
    if (st != CUST_OK && st != CUST_ENOTFOUND)
        return st;
    int64_t head;
    char hh[65];
    if ((st = cust_store_snapshot_begin(s, err)) != CUST_OK) {
        free(l.note);
        return st;
    }
    if ((st = cust_store_ledger_head(s, &head, hh, err)) != CUST_OK) {
        cust_store_snapshot_end(s);
        free(l.note);
        return st;
    }
    uint64_t size = (uint64_t)head, last = l.have ? l.cp.size : 0;
    bool grew = size > last || !l.have;
    bool due = grew && (!l.have || size - last >= p->every_entries ||
                        (p->every_seconds > 0 && now - l.at >= p->every_seconds));
    if (!due || size == 0) {
        cust_store_snapshot_end(s);
        free(l.note);
        return CUST_OK;
    }
    /* the whole chain, and the last signed head, before signing a new one (the size signed
     * is the one verified, from the same snapshot) */
    struct cust_ledger_report rep;
    st = cust_ledger_verify_checkpoint(s, l.have ? &l.cp : NULL, &rep, err);
    cust_store_snapshot_end(s);
    free(l.note);
    if (st == CUST_EINTEGRITY)
        return cust_err_set(err, CUST_EINTEGRITY, "not signing: %s", rep.reason);
    if (st != CUST_OK)
        return st;
    struct cust_checkpoint cp = {.size = (uint64_t)rep.entries};
    snprintf(cp.origin, sizeof(cp.origin), "%s", signer->name);
    memcpy(cp.root, rep.root, sizeof(cp.root));
    char *note = cust_ledger_checkpoint(&cp, signer, err);
    if (!note)
        return CUST_EINVAL;
    char root[45];
    cust_tlog_hash_b64(cp.root, root);
    struct cust_stored_checkpoint sc = {(int64_t)cp.size, root, now, note};
    st = cust_store_checkpoint_put(s, &sc, err);
    if (st == CUST_OK && p->dir && *p->dir)
        st = write_file(p->dir, cp.size, note, err);
    free(note);
    if (st == CUST_OK)
        *written = cp.size;
    return st;
}
