/*
 * keyfile.c - the ledger's signing and verifier key files (tlog.h, docs/internals/ledger.md).
 *
 * The signing key is the one secret of the tamper evidence: whoever holds it can sign a
 * checkpoint of any history. It is created 0600 (never over an existing file) and refused
 * when group or others may read it; it belongs apart from the store.
 */
#include "custodian/compat.h"
#include "custodian/tlog.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#define KEY_FILE_MAX 4096

static enum cust_status write_new(const char *path, mode_t mode, const char *text,
                                  struct cust_err *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0)
        return cust_err_set(err, CUST_EIO, "key file '%s': cannot create: %s", path,
                            strerror(errno));
    size_t len = strlen(text), done = 0;
    while (done < len) {
        ssize_t n = write(fd, text + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        done += (size_t)n;
    }
    bool ok = done == len && fchmod(fd, mode) == 0 && fsync(fd) == 0;
    int e = errno;
    ok = close(fd) == 0 && ok;
    if (!ok) {
        unlink(path);
        return cust_err_set(err, CUST_EIO, "key file '%s': cannot write: %s", path, strerror(e));
    }
    return CUST_OK;
}

enum cust_status cust_note_keyfiles_create(const char *name, const char *key_path,
                                           const char *pub_path, char **vkey, struct cust_err *err)
{
    if (vkey)
        *vkey = NULL;
    char *sk = NULL, *vk = NULL;
    enum cust_status st = cust_note_key_generate(name, &sk, &vk, err);
    if (st != CUST_OK)
        return st;
    size_t sl = strlen(sk);
    char *skn = cust_xmalloc(sl + 2);
    memcpy(skn, sk, sl);
    memcpy(skn + sl, "\n", 2);
    sodium_memzero(sk, sl);
    free(sk);
    st = write_new(key_path, 0600, skn, err);
    sodium_memzero(skn, sl + 1);
    free(skn);
    if (st == CUST_OK) {
        size_t vl = strlen(vk);
        char *vkn = cust_xmalloc(vl + 2);
        memcpy(vkn, vk, vl);
        memcpy(vkn + vl, "\n", 2);
        st = write_new(pub_path, 0644, vkn, err);
        free(vkn);
        if (st != CUST_OK)
            unlink(key_path);
    }
    if (st == CUST_OK && vkey)
        *vkey = vk;
    else
        free(vk);
    return st;
}

enum cust_status cust_tlog_read_file(const char *path, size_t cap, char **out, size_t *len,
                                     struct cust_err *err)
{
    *out = NULL;
    if (len)
        *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return cust_err_set(err, errno == ENOENT ? CUST_ENOTFOUND : CUST_EIO, "'%s': %s", path,
                            strerror(errno));
    char *buf = cust_xmalloc(cap + 1);
    size_t n = fread(buf, 1, cap + 1, f);
    bool rerr = ferror(f);
    fclose(f);
    if (rerr || n > cap) {
        free(buf);
        return cust_err_set(err, rerr ? CUST_EIO : CUST_ETOOBIG,
                            rerr ? "'%s': read error" : "'%s': larger than expected", path);
    }
    buf[n] = '\0';
    if (memchr(buf, '\0', n)) {
        free(buf);
        return cust_err_set(err, CUST_EINVAL, "'%s': not a text file", path);
    }
    *out = buf;
    if (len)
        *len = n;
    return CUST_OK;
}

enum cust_status cust_note_signer_load(const char *path, struct cust_note_signer *out,
                                       struct cust_err *err)
{
    memset(out, 0, sizeof(*out));
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return cust_err_set(err, errno == ENOENT ? CUST_ENOTFOUND : CUST_EIO, "key file '%s': %s",
                            path, strerror(errno));
    struct stat sb;
    enum cust_status st = CUST_OK;
    if (fstat(fd, &sb) != 0)
        st = cust_err_set(err, CUST_EIO, "key file '%s': %s", path, strerror(errno));
    else if (!S_ISREG(sb.st_mode))
        st = cust_err_set(err, CUST_EDENIED, "key file '%s': not a regular file", path);
    else if (sb.st_mode & (S_IRWXG | S_IRWXO))
        st = cust_err_set(
            err, CUST_EDENIED,
            "key file '%s': mode 0%03o gives group or others access (must be 0600); run: chmod 600 "
            "'%s'",
            path, (unsigned)(sb.st_mode & 0777), path);
    else if (sb.st_size > KEY_FILE_MAX)
        st = cust_err_set(err, CUST_EINVAL, "key file '%s': too large for a key", path);
    char buf[KEY_FILE_MAX + 1];
    size_t done = 0;
    while (st == CUST_OK) {
        ssize_t n = read(fd, buf + done, KEY_FILE_MAX - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            st = cust_err_set(err, CUST_EIO, "key file '%s': %s", path, strerror(errno));
        if (n <= 0)
            break;
        done += (size_t)n;
    }
    close(fd);
    buf[done] = '\0';
    if (st == CUST_OK) {
        st = cust_note_signer_parse(buf, out, err);
        if (st != CUST_OK && err) {
            char why[CUST_ERR_MSG_MAX];
            snprintf(why, sizeof(why), "%s", err->msg);
            cust_err_set(err, st, "key file '%s': %s", path, why);
        }
    }
    sodium_memzero(buf, sizeof(buf));
    return st;
}

enum cust_status cust_note_verifier_load(const char *path, struct cust_note_verifier *out,
                                         struct cust_err *err)
{
    memset(out, 0, sizeof(*out));
    char *text;
    enum cust_status st = cust_tlog_read_file(path, KEY_FILE_MAX, &text, NULL, err);
    if (st != CUST_OK)
        return st;
    st = cust_note_verifier_parse(text, out, err);
    free(text);
    if (st != CUST_OK && err) {
        char why[CUST_ERR_MSG_MAX];
        snprintf(why, sizeof(why), "%s", err->msg);
        cust_err_set(err, st, "public key file '%s': %s", path, why);
    }
    return st;
}
