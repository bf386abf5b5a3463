/* file.c - output files that are synced, and whole or absent (file.h). */
#include "custodian/compat.h"
#include "custodian/file.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

/* The folder of `path` ("." when it has none), as a new string. */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return cust_xstrdup(".");
    if (slash == path)
        return cust_xstrdup("/");
    return cust_xstrndup(path, (size_t)(slash - path));
}

/* "<dir>/.<base>.XXXXXX" for mkstemp. */
static char *tmp_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t dlen = slash ? (size_t)(slash - path) + 1 : 0;
    const char *base = path + dlen;
    size_t n = dlen + 1 + strlen(base) + 8 + 1;
    char *t = cust_xmalloc(n);
    snprintf(t, n, "%.*s.%s.XXXXXX", (int)dlen, path, base);
    return t;
}

enum cust_status cust_dir_sync(const char *path, struct cust_err *err)
{
    char *dir = dir_of(path);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    enum cust_status st = CUST_OK;
    if (fd < 0 || fsync(fd) != 0)
        st = cust_err_set(err, CUST_EIO, "cannot sync the folder '%s': %s", dir, strerror(errno));
    if (fd >= 0)
        close(fd);
    free(dir);
    return st;
}

enum cust_status cust_path_sync(const char *path, struct cust_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    enum cust_status st = CUST_OK;
    if (fd < 0 || fsync(fd) != 0)
        st = cust_err_set(err, CUST_EIO, "cannot sync '%s': %s", path, strerror(errno));
    if (fd >= 0)
        close(fd);
    return st;
}

/* Flush `f` and fsync it when it is a regular file: 0, or the errno of the failure. */
static int flush_sync(FILE *f)
{
    errno = 0;
    if (fflush(f) != 0 || ferror(f))
        return errno ? errno : EIO;
    int fd = fileno(f);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))
        return 0; /* a pipe, a terminal, a memory stream: nothing to sync */
    return fsync(fd) == 0 ? 0 : errno;
}

enum cust_status cust_file_sync(FILE *f, struct cust_err *err)
{
    int e = flush_sync(f);
    return e ? cust_err_set(err, CUST_EIO, "cannot write the output: %s", strerror(e)) : CUST_OK;
}

enum cust_status cust_outfile_open(struct cust_outfile *o, const char *path, struct cust_err *err)
{
    memset(o, 0, sizeof(*o));
    if (!path || strcmp(path, "-") == 0) {
        o->f = stdout;
        return CUST_OK;
    }
    o->tmp = tmp_name(path);
    int fd = mkstemp(o->tmp);
    if (fd < 0 || !(o->f = fdopen(fd, "wb"))) {
        enum cust_status st =
            cust_err_set(err, CUST_EIO, "cannot write '%s': %s", path, strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(o->tmp);
        }
        free(o->tmp);
        o->tmp = NULL;
        return st;
    }
    o->path = cust_xstrdup(path);
    return CUST_OK;
}

static void outfile_free(struct cust_outfile *o)
{
    free(o->path);
    free(o->tmp);
    memset(o, 0, sizeof(*o));
}

void cust_outfile_discard(struct cust_outfile *o)
{
    if (o->f && o->f != stdout)
        fclose(o->f);
    if (o->tmp)
        unlink(o->tmp);
    outfile_free(o);
}

enum cust_status cust_outfile_close(struct cust_outfile *o, struct cust_err *err)
{
    if (o->f == stdout) {
        enum cust_status st = cust_file_sync(stdout, err);
        outfile_free(o);
        return st;
    }
    int e = flush_sync(o->f);
    FILE *f = o->f;
    o->f = NULL;
    if (fclose(f) != 0 && !e)
        e = errno;
    enum cust_status st = CUST_OK;
    if (e)
        st = cust_err_set(err, CUST_EIO, "cannot write '%s': %s", o->path, strerror(e));
    if (st == CUST_OK && rename(o->tmp, o->path) != 0)
        st = cust_err_set(err, CUST_EIO, "cannot put '%s' in place: %s", o->path, strerror(errno));
    if (st != CUST_OK) {
        unlink(o->tmp);
        outfile_free(o);
        return st;
    }
    st = cust_dir_sync(o->path, err);
    outfile_free(o);
    return st;
}

enum cust_status cust_file_create(const char *path, const void *data, size_t len, unsigned mode,
                                  struct cust_err *err)
{
    char *tmp = tmp_name(path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        enum cust_status st =
            cust_err_set(err, CUST_EIO, "cannot create '%s': %s", path, strerror(errno));
        free(tmp);
        return st;
    }
    enum cust_status st = CUST_OK;
    const unsigned char *p = data;
    size_t done = 0;
    while (st == CUST_OK && done < len) {
        ssize_t n = write(fd, p + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            st = cust_err_set(err, CUST_EIO, "cannot write '%s': %s", path,
                              n < 0 ? strerror(errno) : "short write");
        else
            done += (size_t)n;
    }
    if (st == CUST_OK && fchmod(fd, (mode_t)mode) != 0)
        st = cust_err_set(err, CUST_EIO, "cannot set the mode of '%s': %s", path, strerror(errno));
    if (st == CUST_OK && fsync(fd) != 0)
        st = cust_err_set(err, CUST_EIO, "cannot sync '%s': %s", path, strerror(errno));
    if (close(fd) != 0 && st == CUST_OK)
        st = cust_err_set(err, CUST_EIO, "cannot write '%s': %s", path, strerror(errno));
    /* link() refuses an existing name: the file is created, never replaced */
    if (st == CUST_OK && link(tmp, path) != 0)
        st = cust_err_set(err, errno == EEXIST ? CUST_ECONFLICT : CUST_EIO,
                          "cannot create '%s': %s", path, strerror(errno));
    unlink(tmp);
    free(tmp);
    if (st == CUST_OK)
        st = cust_dir_sync(path, err);
    return st;
}
