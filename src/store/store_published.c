/*
 * store_published.c - the published public view's file, the same from either backend
 * (store_published.h; store.h cust_store_publish; docs/security.md "A public server that holds
 * no secrets").
 */
#include "custodian/compat.h"
#include "custodian/date.h"
#include "custodian/file.h"
#include "custodian/store.h"
#include "store_published.h"
#include "store_sqlite_public.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

/* The published file: the table public_bookings (so the locator's statements read it as they
 * read the view), its two indexes (by booking number, the shape of P_NUMBER, and its released
 * rows by release day), the table public_custody (migration 13: its unreleased rows in the
 * locator's order, made from the file's own rows, so from the same snapshot, whichever backend
 * handed them over) and public_custody_names (migration 14: their counts per last name key, made
 * from those; and the rows' fields ready as JSON) and one row saying when it was made from which
 * schema. Marked by its application_id. */
static const char published_schema[] =
    "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
    " PRAGMA application_id=" CUST_SQLITE_PUBLIC_APP_ID_SQL ";"
    " BEGIN;"
    " CREATE TABLE public_bookings (booking_number TEXT NOT NULL, last_name TEXT,"
    " first_name TEXT, middle_name TEXT, booked_at TEXT, facility TEXT, arresting_agency TEXT,"
    " charges TEXT, scheduled_release TEXT, dob TEXT, unreleased INTEGER NOT NULL,"
    " released_day INTEGER, booked_ts INTEGER NOT NULL, last_key TEXT, first_key TEXT);"
    " CREATE TABLE public_custody(last_key TEXT NOT NULL, first_key TEXT NOT NULL,"
    " booking_number TEXT NOT NULL, booked_ts INTEGER NOT NULL, dob TEXT, last_name TEXT,"
    " first_name TEXT, middle_name TEXT, booked_at TEXT, facility TEXT, arresting_agency TEXT,"
    " charges TEXT, scheduled_release TEXT,"
    " fields TEXT GENERATED ALWAYS AS (" PUBLIC_CUSTODY_FIELDS_OF ") STORED,"
    " PRIMARY KEY(last_key, first_key, booking_number)) WITHOUT ROWID;"
    " CREATE TABLE public_custody_names(last_key TEXT NOT NULL PRIMARY KEY, n INTEGER NOT NULL)"
    " WITHOUT ROWID;"
    " CREATE TABLE published (at TEXT NOT NULL, rows INTEGER NOT NULL,"
    " source_schema INTEGER NOT NULL);";
static const char published_indexes[] =
    "CREATE INDEX public_by_number ON public_bookings(booking_number);"
    /* the released rows by release day, as the store's bookings_released_name: few or none.
     * No index by name: the in-custody rows are public_custody's, and one on the name would be
     * the planner's choice for the released half (a two-sided range looks narrower to it than
     * released_day > ?), a seek for every booking of the name (session 9: 4.7 ms an answer) */
    " CREATE INDEX public_released ON public_bookings(released_day, last_key)"
    " WHERE released_day IS NOT NULL;"
    " INSERT INTO public_custody(" PUBLIC_CUSTODY_COLS ") SELECT " PUBLIC_CUSTODY_COLS
    " FROM public_bookings WHERE unreleased ORDER BY last_key, first_key, booking_number;"
    " CREATE INDEX public_custody_count ON public_custody(last_key, first_key, booked_ts, dob);"
    " CREATE INDEX public_custody_booked ON public_custody(booked_ts); " PUBLIC_NAMES_FILL ";";

struct cust_published {
    sqlite3 *db;
    sqlite3_stmt *ins;
    char out[4096], tmp[4096];
    int64_t rows;
};

static enum cust_status file_err(struct cust_published *p, struct cust_err *err, const char *what)
{
    return cust_err_set(err, CUST_EIO, "publish '%s': %s: %s", p->tmp, what,
                        p->db ? sqlite3_errmsg(p->db) : "out of memory");
}

static enum cust_status exec(struct cust_published *p, const char *sql, struct cust_err *err)
{
    return sqlite3_exec(p->db, sql, NULL, NULL, NULL) == SQLITE_OK ? CUST_OK
                                                                   : file_err(p, err, "write");
}

enum cust_status cust_published_begin(const char *out, struct cust_published **pp,
                                      struct cust_err *err)
{
    *pp = NULL;
    struct cust_published *p = cust_xcalloc(1, sizeof(*p));
    if ((size_t)snprintf(p->out, sizeof(p->out), "%s", out) >= sizeof(p->out) ||
        (size_t)snprintf(p->tmp, sizeof(p->tmp), "%s.publishing-%ld", out, (long)getpid()) >=
            sizeof(p->tmp)) {
        free(p);
        return cust_err_set(err, CUST_EINVAL, "publish: path too long: '%s'", out);
    }
    (void)unlink(p->tmp);
    enum cust_status st = CUST_OK;
    if (sqlite3_open_v2(p->tmp, &p->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK)
        st = file_err(p, err, "create");
    /* public_custody.fields is made by cust_public_fields */
    if (st == CUST_OK && cust_sqlite_functions_register(p->db) != SQLITE_OK)
        st = file_err(p, err, "register functions");
    if (st == CUST_OK)
        st = exec(p, published_schema, err);
    if (st == CUST_OK &&
        sqlite3_prepare_v2(p->db,
                           "INSERT INTO public_bookings (" CUST_PUBLISHED_COLS ") VALUES (?, ?,"
                           " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           -1, &p->ins, NULL) != SQLITE_OK)
        st = file_err(p, err, "prepare");
    if (st != CUST_OK) {
        cust_published_end(p, false, NULL, NULL);
        return st;
    }
    *pp = p;
    return CUST_OK;
}

enum cust_status cust_published_row(struct cust_published *p, const struct cust_val *v,
                                    struct cust_err *err)
{
    for (int i = 0; i < CUST_PUBLISHED_NCOLS; i++) {
        int c = i + 1;
        switch (v[i].kind) {
        case CUST_VAL_NULL:
            sqlite3_bind_null(p->ins, c);
            break;
        case CUST_VAL_INT:
            sqlite3_bind_int64(p->ins, c, v[i].i);
            break;
        case CUST_VAL_REAL:
            sqlite3_bind_double(p->ins, c, v[i].r);
            break;
        case CUST_VAL_BYTES:
            sqlite3_bind_text(p->ins, c, v[i].p, (int)v[i].len, SQLITE_STATIC);
            break;
        }
    }
    enum cust_status st =
        sqlite3_step(p->ins) == SQLITE_DONE ? CUST_OK : file_err(p, err, "insert");
    sqlite3_reset(p->ins);
    if (st == CUST_OK)
        p->rows++;
    return st;
}

enum cust_status cust_published_end(struct cust_published *p, bool ok, int64_t *rows,
                                    struct cust_err *err)
{
    enum cust_status st = ok ? CUST_OK : CUST_EINVAL;
    sqlite3_finalize(p->ins);
    if (st == CUST_OK)
        st = exec(p, published_indexes, err);
    if (st == CUST_OK) {
        char at[32], sql[160];
        cust_time_format(cust_now(), 0, true, at);
        snprintf(sql, sizeof(sql), "INSERT INTO published VALUES ('%s', %" PRId64 ", %d); COMMIT;",
                 at, p->rows, cust_store_schema_version());
        st = exec(p, sql, err);
    }
    if (sqlite3_close(p->db) != SQLITE_OK && st == CUST_OK)
        st = cust_err_set(err, CUST_EIO, "publish '%s': close failed", p->tmp);
    /* durable before it is visible, then visible whole: fsync, rename, fsync the folder */
    if (st == CUST_OK && chmod(p->tmp, 0644) != 0)
        st = cust_err_set(err, CUST_EIO, "publish '%s': %s", p->tmp, strerror(errno));
    if (st == CUST_OK)
        st = cust_path_sync(p->tmp, err);
    if (st == CUST_OK && rename(p->tmp, p->out) != 0)
        st = cust_err_set(err, CUST_EIO, "publish: cannot replace '%s': %s", p->out,
                          strerror(errno));
    if (st == CUST_OK)
        st = cust_dir_sync(p->out, err); /* the new name on disk before publish says done */
    else
        (void)unlink(p->tmp);
    if (rows)
        *rows = st == CUST_OK ? p->rows : 0;
    free(p);
    return st;
}
