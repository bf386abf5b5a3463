/*
 * store_postgres_backup.c - backup and restore of a PostgreSQL store (store.h cust_store_backup,
 * cust_store_restore_*; docs/internals/backup.md, docs/internals/store-postgresql.md): PostgreSQL's
 * own tools, run as programs with argument vectors (never a shell):
 *   backup         pg_dump --format=custom (one consistent snapshot while writers go on) into
 *                  DIR/custodian.pgdump, synced and renamed into place;
 *   backup_open    pg_restore of that file into a scratch database beside the store, opened
 *                  read-only for the checks and dropped when closed;
 *   restore_stage  pg_restore into a new database TARGETDB_restoring_PID beside the target;
 *   restore_commit the target database renamed aside (TARGETDB_replaced_<UTC>, never dropped)
 *                  and the stage renamed to it, refused while a session has the target open.
 * The dump leaves out owners and grants (--no-owner --no-privileges): a restore belongs to the
 * role that restores it, and the public role is granted again (custodian publish --role).
 * Creating a database needs CREATEDB. A password goes to the tools in PGPASSWORD, never argv.
 */
#include "custodian/compat.h"
#include "custodian/buf.h"
#include "custodian/date.h"
#include "custodian/file.h"
#include "store_postgres.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define DUMP_FILE "custodian.pgdump"

/* ---- URLs -------------------------------------------------------------------------------- */

static void url_escape(struct cust_buf *b, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~' || c == '/')
            cust_buf_appendf(b, "%c", c);
        else
            cust_buf_appendf(b, "%%%02X", c);
    }
}

/* `url` with its database `db` (and without its password when `password` is not NULL: it is
 * returned there instead, or NULL when there is none): a new string, NULL when `url` cannot be
 * parsed (err says why). */
static char *url_with_db(const char *url, const char *db, char **password, struct cust_err *err)
{
    char *msg = NULL;
    PQconninfoOption *opts = PQconninfoParse(url, &msg);
    if (!opts) {
        cust_err_set(err, CUST_EINVAL, "store URL: %s", msg ? msg : "cannot be parsed");
        PQfreemem(msg);
        return NULL;
    }
    if (password)
        *password = NULL;
    struct cust_buf b = CUST_BUF_INIT;
    cust_buf_appendf(&b, "postgresql:///");
    url_escape(&b, db);
    char sep = '?';
    for (PQconninfoOption *o = opts; o->keyword; o++) {
        if (!o->val || !*o->val || strcmp(o->keyword, "dbname") == 0)
            continue;
        if (password && strcmp(o->keyword, "password") == 0) {
            *password = cust_xstrdup(o->val);
            continue;
        }
        cust_buf_appendf(&b, "%c%s=", sep, o->keyword);
        url_escape(&b, o->val);
        sep = '&';
    }
    PQconninfoFree(opts);
    return cust_buf_detach(&b, NULL);
}

/* The database name of `url` (a new string; NULL when it has none). */
static char *db_of(const char *url)
{
    PQconninfoOption *opts = PQconninfoParse(url, NULL);
    char *db = NULL;
    for (PQconninfoOption *o = opts; o && o->keyword; o++)
        if (strcmp(o->keyword, "dbname") == 0 && o->val && *o->val)
            db = cust_xstrdup(o->val);
    PQconninfoFree(opts);
    return db;
}

/* ---- running the tools --------------------------------------------------------------------- */

/* Run argv[0] (found on PATH) with `password` in PGPASSWORD; CUST_OK when it exits 0. Its own
 * messages go to stderr. */
static enum cust_status run_tool(char *const argv[], const char *password, struct cust_err *err)
{
    size_t n = 0;
    while (environ[n])
        n++;
    char **envp = cust_xcalloc(n + 2, sizeof(*envp));
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "PGPASSWORD=", 11) != 0)
            envp[m++] = environ[i];
    struct cust_buf pw = CUST_BUF_INIT;
    if (password) {
        cust_buf_appendf(&pw, "PGPASSWORD=%s", password);
        envp[m++] = pw.buf;
    }
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], NULL, NULL, argv, envp);
    enum cust_status st = CUST_OK;
    if (rc != 0) {
        st = cust_err_set(err, CUST_EIO, "cannot run %s: %s (Debian: postgresql-client-15)",
                          argv[0], strerror(rc));
    } else {
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            st = cust_err_set(err, CUST_EIO, "%s failed (exit %d; its messages are above)", argv[0],
                              WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    }
    cust_buf_release(&pw);
    free(envp);
    return st;
}

/* Run `sql` on a connection to `url` (not in a transaction: CREATE/DROP/ALTER DATABASE). */
static enum cust_status admin(const char *url, const char *sql, struct cust_err *err,
                              const char *what)
{
    PGconn *c = PQconnectdb(url);
    enum cust_status st = CUST_OK;
    if (PQstatus(c) != CONNECTION_OK) {
        char *m = cust_xstrdup(PQerrorMessage(c));
        m[strcspn(m, "\n")] = '\0';
        st = cust_err_set(err, CUST_EDB, "%s: %s", what, m);
        free(m);
    } else {
        PGresult *r = PQexec(c, sql);
        if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
            const char *m = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
            st = cust_err_set(err, CUST_EDB, "%s: %s", what, m ? m : PQerrorMessage(c));
        }
        PQclear(r);
    }
    PQfinish(c);
    return st;
}

/* "VERB DATABASE name[ rest]" with the name quoted, on a connection to `url`. */
static enum cust_status database_do(const char *url, const char *verb, const char *name,
                                    const char *rest, struct cust_err *err)
{
    struct cust_buf b = CUST_BUF_INIT;
    cust_buf_appendf(&b, "%s DATABASE \"", verb);
    for (const char *p = name; *p; p++)
        cust_buf_appendf(&b, *p == '"' ? "\"\"" : "%c", *p);
    cust_buf_appendf(&b, "\"%s", rest ? rest : "");
    enum cust_status st = admin(url, b.buf, err, verb);
    cust_buf_release(&b);
    return st;
}

/* pg_restore of DIR's dump into the new database `db` beside `url`'s (made here; dropped again
 * when the restore fails). *out: the new database's URL. */
static enum cust_status restore_into(const char *dir, const char *url, const char *db, char **out,
                                     struct cust_err *err)
{
    *out = NULL;
    char *password = NULL;
    char *to = url_with_db(url, db, &password, err);
    char *maint = to ? url_with_db(url, "postgres", NULL, err) : NULL;
    if (!to || !maint) {
        free(to);
        free(password);
        return CUST_EINVAL;
    }
    /* from the store's own database if it exists (its role may not reach "postgres") */
    const char *via = url;
    PGconn *probe = PQconnectdb(url);
    if (PQstatus(probe) != CONNECTION_OK)
        via = maint;
    PQfinish(probe);
    enum cust_status st =
        database_do(via, "CREATE", db, " ENCODING 'UTF8' TEMPLATE template0", err);
    struct cust_buf file = CUST_BUF_INIT;
    cust_buf_appendf(&file, "%s/%s", dir, DUMP_FILE);
    if (st == CUST_OK) {
        char *argv[] = {(char *)"pg_restore",
                        (char *)"--no-owner",
                        (char *)"--no-privileges",
                        (char *)"--exit-on-error",
                        (char *)"--single-transaction",
                        (char *)"--dbname",
                        to,
                        file.buf,
                        NULL};
        st = run_tool(argv, password, err);
        if (st != CUST_OK)
            database_do(via, "DROP", db, NULL, NULL);
    }
    cust_buf_release(&file);
    free(maint);
    free(password);
    if (st != CUST_OK) {
        free(to);
        return st;
    }
    *out = to;
    return CUST_OK;
}

/* ---- the ops ------------------------------------------------------------------------------- */

enum cust_status cust_pg_backup(void *impl, const char *dir, struct cust_backup_files *files,
                                struct cust_err *err)
{
    const char *url = cust_pg_url(impl);
    char *db = db_of(url);
    char *password = NULL;
    char *conn = db ? url_with_db(url, db, &password, err) : NULL;
    free(db);
    if (!conn)
        return err && err->code ? err->code : cust_err_set(err, CUST_EINVAL, "backup: no database");
    struct cust_buf part = CUST_BUF_INIT, final = CUST_BUF_INIT;
    cust_buf_appendf(&part, "%s/." DUMP_FILE ".partial", dir);
    cust_buf_appendf(&final, "%s/" DUMP_FILE, dir);
    /* one consistent snapshot (pg_dump's own); synced by pg_dump before it exits */
    char *argv[] = {(char *)"pg_dump",
                    (char *)"--format=custom",
                    (char *)"--no-owner",
                    (char *)"--no-privileges",
                    (char *)"--file",
                    part.buf,
                    (char *)"--dbname",
                    conn,
                    NULL};
    enum cust_status st = run_tool(argv, password, err);
    if (st == CUST_OK && chmod(part.buf, 0600) != 0)
        st = cust_err_set(err, CUST_EIO, "backup '%s': %s", part.buf, strerror(errno));
    if (st == CUST_OK)
        st = cust_path_sync(part.buf, err);
    if (st == CUST_OK && rename(part.buf, final.buf) != 0)
        st = cust_err_set(err, CUST_EIO, "backup '%s': %s", final.buf, strerror(errno));
    if (st == CUST_OK)
        st = cust_dir_sync(final.buf, err);
    if (st != CUST_OK)
        (void)unlink(part.buf);
    else {
        snprintf(files->format, sizeof(files->format), "pg_dump");
        files->n = 1;
        snprintf(files->name[0], sizeof(files->name[0]), DUMP_FILE);
    }
    cust_buf_release(&part);
    cust_buf_release(&final);
    free(conn);
    free(password);
    return st;
}

enum cust_status cust_pg_backup_open(const char *dir, const char *near, struct cust_store **out,
                                     struct cust_err *err)
{
    char *db = db_of(near);
    if (!db)
        return cust_err_set(err, CUST_EINVAL, "backup check: the store's URL names no database");
    struct cust_buf name = CUST_BUF_INIT;
    cust_buf_appendf(&name, "%.40s_check_%ld", db, (long)getpid());
    free(db);
    char *scratch = NULL;
    enum cust_status st = restore_into(dir, near, name.buf, &scratch, err);
    if (st == CUST_OK) {
        st = cust_store_open(scratch, CUST_STORE_READONLY, out, err);
        if (st == CUST_OK)
            cust_pg_drop_on_close(*out, near, name.buf);
        else
            cust_pg_restore_discard(scratch);
    }
    free(scratch);
    cust_buf_release(&name);
    return st;
}

enum cust_status cust_pg_restore_stage(const char *dir, const char *target, char **staged,
                                       struct cust_err *err)
{
    char *db = db_of(target);
    if (!db)
        return cust_err_set(err, CUST_EINVAL, "restore: the target URL names no database");
    struct cust_buf name = CUST_BUF_INIT;
    cust_buf_appendf(&name, "%.40s_restoring_%ld", db, (long)getpid());
    free(db);
    enum cust_status st = restore_into(dir, target, name.buf, staged, err);
    cust_buf_release(&name);
    return st;
}

enum cust_status cust_pg_restore_commit(const char *staged, const char *target, char **kept,
                                        struct cust_err *err)
{
    *kept = NULL;
    char *tdb = db_of(target), *sdb = db_of(staged);
    char *maint = url_with_db(target, "postgres", NULL, err);
    enum cust_status st = tdb && sdb && maint ? CUST_OK : CUST_EINVAL;
    if (st != CUST_OK && err && !err->code)
        cust_err_set(err, CUST_EINVAL, "restore: a URL names no database");
    PGconn *c = st == CUST_OK ? PQconnectdb(maint) : NULL;
    if (st == CUST_OK && PQstatus(c) != CONNECTION_OK)
        st = cust_err_set(err, CUST_EDB, "restore: cannot reach the server's postgres database");
    bool exists = false;
    if (st == CUST_OK) {
        const char *v[1] = {tdb};
        PGresult *r = PQexecParams(c,
                                   "SELECT (SELECT count(*) FROM pg_database WHERE datname = $1),"
                                   " (SELECT count(*) FROM pg_stat_activity WHERE datname = $1)",
                                   1, NULL, v, NULL, NULL, 0);
        if (PQresultStatus(r) != PGRES_TUPLES_OK)
            st = cust_err_set(err, CUST_EDB, "restore: %s", PQerrorMessage(c));
        else if (strtol(PQgetvalue(r, 0, 1), NULL, 10) > 0)
            st = cust_err_set(err, CUST_ECONFLICT,
                              "the store '%s' is open (%s sessions): stop its server first", tdb,
                              PQgetvalue(r, 0, 1));
        else
            exists = strtol(PQgetvalue(r, 0, 0), NULL, 10) > 0;
        PQclear(r);
    }
    PQfinish(c);
    struct cust_buf aside = CUST_BUF_INIT;
    if (st == CUST_OK && exists) {
        char now[32];
        cust_time_format(cust_now(), 0, true, now);
        cust_buf_appendf(&aside, "%.40s_replaced_", tdb);
        for (const char *p = now; *p; p++)
            if (*p >= '0' && *p <= '9')
                cust_buf_appendf(&aside, "%c", *p);
        struct cust_buf rest = CUST_BUF_INIT;
        cust_buf_appendf(&rest, " RENAME TO \"%s\"", aside.buf);
        st = database_do(maint, "ALTER", tdb, rest.buf, err);
        cust_buf_release(&rest);
        if (st == CUST_OK)
            *kept = url_with_db(target, aside.buf, NULL, NULL);
    }
    if (st == CUST_OK) {
        struct cust_buf rest = CUST_BUF_INIT;
        cust_buf_appendf(&rest, " RENAME TO \"");
        for (const char *p = tdb; *p; p++)
            cust_buf_appendf(&rest, *p == '"' ? "\"\"" : "%c", *p);
        cust_buf_appendf(&rest, "\"");
        st = database_do(maint, "ALTER", sdb, rest.buf, err);
        cust_buf_release(&rest);
    }
    cust_buf_release(&aside);
    free(tdb);
    free(sdb);
    free(maint);
    return st;
}

void cust_pg_drop_database(const char *via, const char *db)
{
    (void)database_do(via, "DROP", db, NULL, NULL);
}

void cust_pg_restore_discard(const char *staged)
{
    char *db = db_of(staged);
    char *maint = db ? url_with_db(staged, "postgres", NULL, NULL) : NULL;
    if (maint)
        (void)database_do(maint, "DROP", db, NULL, NULL);
    free(db);
    free(maint);
}

bool cust_pg_exists(const char *url)
{
    PGconn *c = PQconnectdb(url);
    bool ok = PQstatus(c) == CONNECTION_OK;
    PQfinish(c);
    return ok;
}
