/*
 * store_sqlite_backup.c - backup and restore of the SQLite backend (store.h, docs/operations.md).
 *
 * Backup: SQLite's online backup API copies every page of the store in one step, inside one
 * read transaction of the source (a snapshot; in WAL mode the server's writers go on), into a
 * new database file under a temporary name in the backup folder; that file is synced, renamed
 * to custodian.db and the folder synced. Restore: the backup's file is copied under a temporary
 * name beside the target (synced), opened and checked by the caller, then renamed into place;
 * a store already there is renamed aside with its WAL files, never deleted.
 */
#include "custodian/compat.h"
#include "custodian/date.h"
#include "custodian/file.h"
#include "custodian/store.h"
#include "store_sqlite_backup.h"
#include "store_sqlite_requests.h"
#include "store_sqlite_stmt.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#define BACKUP_DB "custodian.db"

/* "DIR/NAME" as a new string. */
static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + 1 + strlen(name) + 1;
    char *p = cust_xmalloc(n);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

enum cust_status cust_sqlite_backup(void *impl, const char *dir, struct cust_backup_files *files,
                                    struct cust_err *err)
{
    memset(files, 0, sizeof(*files));
    const char *src_path = NULL;
    sqlite3 *src = cust_sqlite_handle(impl, &src_path, NULL);
    char *final = join(dir, BACKUP_DB);
    char *tmp = join(dir, "." BACKUP_DB ".partial");
    unlink(tmp);
    sqlite3 *dst = NULL;
    enum cust_status st = CUST_OK;
    /* custody data: readable by the owner only (created here, before SQLite opens it) */
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0)
        close(fd);
    int rc = fd < 0 ? SQLITE_CANTOPEN
                    : sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc != SQLITE_OK) {
        st = cust_err_set(err, CUST_EIO, "backup: cannot create '%s': %s", tmp,
                          dst ? sqlite3_errmsg(dst) : "out of memory");
    } else {
        /* the copy is a plain file (no WAL beside it), written with full syncs */
        sqlite3_exec(dst, "PRAGMA journal_mode=DELETE; PRAGMA synchronous=FULL", NULL, NULL, NULL);
        sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
        if (!b) {
            st = cust_sqlite_err(dst, tmp, err, "backup");
        } else {
            /* -1: every page in one step, one read transaction of the source: a snapshot */
            rc = sqlite3_backup_step(b, -1);
            int fin = sqlite3_backup_finish(b);
            if (rc != SQLITE_DONE || fin != SQLITE_OK)
                st = rc == SQLITE_BUSY || rc == SQLITE_LOCKED
                         ? cust_err_set(err, CUST_EDB, "backup of '%s': the store is locked",
                                        src_path)
                         : cust_sqlite_err(dst, tmp, err, "backup");
        }
        /* the copied header says WAL (the source's mode): make the copy one self-contained
         * file, which a reader opens without creating -wal and -shm files beside it */
        if (st == CUST_OK &&
            sqlite3_exec(dst, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL) != SQLITE_OK)
            st = cust_sqlite_err(dst, tmp, err, "backup: journal mode");
    }
    if (dst && sqlite3_close(dst) != SQLITE_OK && st == CUST_OK)
        st = cust_err_set(err, CUST_EIO, "backup: cannot close '%s'", tmp);
    if (st == CUST_OK)
        st = cust_path_sync(tmp, err);
    bool named = false;
    if (st == CUST_OK && !(named = rename(tmp, final) == 0))
        st = cust_err_set(err, CUST_EIO, "backup: cannot name '%s': %s", final, strerror(errno));
    if (st == CUST_OK)
        st = cust_dir_sync(final, err);
    if (st != CUST_OK) { /* no copy is left behind */
        unlink(named ? final : tmp);
    } else {
        snprintf(files->format, sizeof(files->format), "sqlite3");
        snprintf(files->name[0], sizeof(files->name[0]), BACKUP_DB);
        files->n = 1;
    }
    free(tmp);
    free(final);
    return st;
}

static enum cust_status sqlite_file_of(const struct cust_backup_files *files, struct cust_err *err)
{
    if (strcmp(files->format, "sqlite3") != 0 || files->n != 1)
        return cust_err_set(err, CUST_EINVAL,
                            "backup format '%s' is not a SQLite store (this program reads "
                            "sqlite3 backups)",
                            files->format);
    return CUST_OK;
}

enum cust_status cust_sqlite_backup_open(const char *dir, const struct cust_backup_files *files,
                                         struct cust_store **out, struct cust_err *err)
{
    *out = NULL;
    enum cust_status st = sqlite_file_of(files, err);
    if (st != CUST_OK)
        return st;
    char *path = join(dir, files->name[0]);
    st = cust_store_open(path, CUST_STORE_READONLY, out, err);
    free(path);
    return st;
}

/* Copy `from` to a new synced file `to` (created, mode 0600). */
static enum cust_status copy_file(const char *from, const char *to, struct cust_err *err)
{
    FILE *in = fopen(from, "rb");
    if (!in)
        return cust_err_set(err, CUST_EIO, "cannot read '%s': %s", from, strerror(errno));
    int fd = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    FILE *out = fd >= 0 ? fdopen(fd, "wb") : NULL;
    enum cust_status st = CUST_OK;
    if (!out) {
        st = cust_err_set(err, CUST_EIO, "cannot create '%s': %s", to, strerror(errno));
        if (fd >= 0)
            close(fd);
        fclose(in);
        return st;
    }
    char buf[65536];
    size_t n;
    while (st == CUST_OK && (n = fread(buf, 1, sizeof(buf), in)) > 0)
        if (fwrite(buf, 1, n, out) != n)
            st = cust_err_set(err, CUST_EIO, "cannot write '%s': %s", to, strerror(errno));
    if (st == CUST_OK && ferror(in))
        st = cust_err_set(err, CUST_EIO, "cannot read '%s': %s", from, strerror(errno));
    fclose(in);
    if (st == CUST_OK)
        st = cust_file_sync(out, err);
    if (fclose(out) != 0 && st == CUST_OK)
        st = cust_err_set(err, CUST_EIO, "cannot write '%s': %s", to, strerror(errno));
    if (st != CUST_OK)
        unlink(to);
    return st;
}

enum cust_status cust_sqlite_restore_stage(const char *dir, const struct cust_backup_files *files,
                                           const char *target, char **staged, struct cust_err *err)
{
    *staged = NULL;
    enum cust_status st = sqlite_file_of(files, err);
    if (st != CUST_OK)
        return st;
    char *from = join(dir, files->name[0]);
    size_t n = strlen(target) + 32;
    char *to = cust_xmalloc(n);
    snprintf(to, n, "%s.restoring", target);
    cust_store_restore_discard(to); /* a stage left by an interrupted restore */
    st = copy_file(from, to, err);
    free(from);
    if (st != CUST_OK) {
        free(to);
        return st;
    }
    *staged = to;
    return CUST_OK;
}

/*
 * Is the store at `path` open in another process? In WAL mode every open connection holds a
 * shared lock on the database file for as long as it is open, so an exclusive lock (locking
 * mode EXCLUSIVE, no waiting) is refused exactly while someone has it open.
 */
static enum cust_status ensure_not_in_use(const char *path, struct cust_err *err)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        sqlite3_close(db);
        return CUST_OK; /* not a store we can open: it is moved aside as it is */
    }
    sqlite3_busy_timeout(db, 0);
    int rc = sqlite3_exec(db, "PRAGMA locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE; COMMIT", NULL, NULL,
                          NULL);
    sqlite3_close(db);
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
        return cust_err_set(err, CUST_ECONFLICT,
                            "the store '%s' is in use (a server or another command has it open): "
                            "stop it first (systemctl stop custodian)",
                            path);
    return CUST_OK;
}

enum cust_status cust_sqlite_restore_commit(const char *staged, const char *target, char **kept,
                                            struct cust_err *err)
{
    *kept = NULL;
    struct stat sb;
    char wal[4096];
    snprintf(wal, sizeof(wal), "%s-wal", staged);
    if (stat(wal, &sb) == 0 && sb.st_size > 0) /* the checks must have closed it cleanly */
        return cust_err_set(err, CUST_EINVAL, "the staged store '%s' is still open", staged);
    bool exists = stat(target, &sb) == 0;
    enum cust_status st = exists ? ensure_not_in_use(target, err) : CUST_OK;
    if (st != CUST_OK)
        return st;
    if (exists) {
        char when[32];
        cust_time_format(cust_now(), 0, true, when); /* 2026-12-05T12:00:00Z */
        size_t n = strlen(target) + 64;
        char *aside = cust_xmalloc(n);
        snprintf(aside, n, "%s.replaced-%s", target, when);
        static const char *const sfx[] = {"-wal", "-shm", ""}; /* the db file last */
        for (size_t i = 0; st == CUST_OK && i < CUST_ARRAY_LEN(sfx); i++) {
            char from[4096], to[4096];
            snprintf(from, sizeof(from), "%s%s", target, sfx[i]);
            snprintf(to, sizeof(to), "%s%s", aside, sfx[i]);
            if (rename(from, to) != 0 && errno != ENOENT)
                st = cust_err_set(err, CUST_EIO, "cannot move '%s' aside to '%s': %s", from, to,
                                  strerror(errno));
        }
        if (st != CUST_OK) {
            free(aside);
            return st;
        }
        *kept = aside;
    }
    if (rename(staged, target) != 0)
        return cust_err_set(err, CUST_EIO, "cannot put the restored store at '%s': %s%s%s", target,
                            strerror(errno), *kept ? "; the old store is at " : "",
                            *kept ? *kept : "");
    return cust_dir_sync(target, err);
}

void cust_sqlite_restore_discard(const char *staged)
{
    static const char *const sfx[] = {"", "-wal", "-shm", "-journal"};
    for (size_t i = 0; i < CUST_ARRAY_LEN(sfx); i++) {
        char p[4096];
        snprintf(p, sizeof(p), "%s%s", staged, sfx[i]);
        unlink(p);
    }
}
