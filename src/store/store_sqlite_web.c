/*
 * store_sqlite_web.c - the web front end's tables and operations in the SQLite backend
 * (store_web.h, docs/internals/web.md).
 *
 * Migration 3 adds staff accounts and sessions and an index on persons(last_name, first_name);
 * migration 5 makes the locator's in-custody search by name an index lookup over a million
 * bookings and adds dob to the view as a filter; migration 6 adds users.totp_nonce: a row with a
 * nonce holds its TOTP secret sealed (crypto_secretbox under the server key file, which only
 * the web backend knows), a row without one is a clear-text secret from before (web.md). The
 * locator's statements (W_PUBLIC_*) name only the view public_bookings.
 */
#include "custodian/compat.h"
#include "store_sqlite_desk.h"
#include "store_sqlite_web.h"

#include <sqlite3.h>

const char *const cust_sqlite_web_migration[] = {
    "CREATE TABLE users("
    " name TEXT PRIMARY KEY, role TEXT NOT NULL, pwhash TEXT NOT NULL, totp_key BLOB NOT NULL,"
    " totp_last_step INTEGER NOT NULL DEFAULT 0, failures INTEGER NOT NULL DEFAULT 0,"
    " locked_until INTEGER NOT NULL DEFAULT 0, disabled INTEGER NOT NULL DEFAULT 0,"
    " created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')))",
    "CREATE TABLE sessions("
    " id TEXT PRIMARY KEY, csrf TEXT NOT NULL, user TEXT NOT NULL REFERENCES users(name),"
    " role TEXT NOT NULL, created INTEGER NOT NULL, last_seen INTEGER NOT NULL)",
    "CREATE INDEX sessions_user ON sessions(user)",
    "CREATE INDEX persons_name ON persons(last_name, first_name)", NULL};

/*
 * Migration 4: the locator's in-custody search becomes an index lookup, and it can narrow by
 * date of birth.
 *
 * Each booking carries a copy of its person's name (search_last, search_first): the booking
 * insert fills it, the trigger persons_name_copy keeps it when a person's name changes (a bulk
 * load drops the trigger and fixes every copy with one UPDATE at its commit), so that an index
 * can start with the name and be restricted to the bookings that are in custody. "In custody"
 * depends on the day asked about (CUSTODIAN_NOW, a release recorded ahead of time), which a
 * partial index cannot name, so it is two indexes: bookings_open (released_at IS NULL: most of
 * the population, and the only rows a search by name visits) and bookings_released_name (the
 * released ones by name and release day: a search visits only those released after the day
 * asked about, none on a live county).
 *
 * The view public_bookings is recreated: its name columns come from the copy (so the search
 * uses those indexes), `in_custody` (which read the wall clock) gives way to `unreleased` and
 * `released_day` so the caller passes the day, and `dob` is added. dob, unreleased and
 * released_day are filter columns: the locator's statement never selects them.
 */
const char *const cust_sqlite_web_locator_migration[] = {
    "ALTER TABLE bookings ADD COLUMN search_last TEXT",
    "ALTER TABLE bookings ADD COLUMN search_first TEXT", CUST_SQLITE_NAME_COPY_FIX,
    CUST_SQLITE_IDX_BOOKINGS_OPEN, CUST_SQLITE_IDX_BOOKINGS_RELEASED, CUST_SQLITE_TRIGGER_NAME_COPY,
    "DROP VIEW public_bookings",
    /* The only thing the public locator may read (allow-list; no citizenship, immigration,
     * address, identifiers or criminal history). dob, unreleased and released_day are there
     * to filter by, never returned. */
    "CREATE VIEW public_bookings AS SELECT"
    " b.booking_number, b.search_last AS last_name, b.search_first AS first_name,"
    " p.middle_name, b.booked_at, b.facility, b.arresting_agency,"
    " (SELECT json_group_array(json_object('code', c.code, 'description', c.description,"
    "   'level', c.level, 'status', c.status, 'bail_cents', c.bail_cents,"
    "   'next_court_date', c.next_court_date, 'case_number', c.case_number, 'court', c.court))"
    "  FROM (SELECT * FROM charges WHERE booking_id = b.id ORDER BY idx) c) AS charges,"
    " CASE WHEN b.release_date_public = 1 THEN b.scheduled_release END AS scheduled_release,"
    " p.dob AS dob, b.released_at IS NULL AS unreleased, b.released_day AS released_day,"
    " b.booked_ts AS booked_ts"
    " FROM bookings b JOIN persons p ON p.id = b.person_id",
    NULL};

/* Migration 6: TOTP secrets encrypted at rest. totp_key keeps the box (secret + MAC, 36 bytes)
 * when totp_nonce is set; NULL totp_nonce marks a clear-text row, sealed by the web backend on
 * the first open with the key (cust_web_new). Additive: old rows stay readable. */
const char *const cust_sqlite_web_totp_migration[] = {
    "ALTER TABLE users ADD COLUMN totp_nonce BLOB", NULL};

/*
 * Migration 7: the public charges JSON of each booking is built once, when the booking is
 * written, instead of by a correlated subquery (a seek and a JSON build per charge) for every
 * row of every answer: that subquery was about half of an uncached answer's CPU (bench-locator.md).
 * bookings.public_charges holds it (CUST_SQLITE_PUBLIC_CHARGES_OF: the allow-listed fields only);
 * the booking put writes it after the booking's charges, a bulk load too, and this migration
 * fills it for the existing rows. The view keeps exactly its columns and their values.
 */
const char *const cust_sqlite_web_public_charges_migration[] = {
    "ALTER TABLE bookings ADD COLUMN public_charges TEXT",
    "UPDATE bookings SET public_charges = " CUST_SQLITE_PUBLIC_CHARGES_OF("bookings.id"),
    "DROP VIEW public_bookings",
    /* The only thing the public locator may read (allow-list; no citizenship, immigration,
     * address, identifiers or criminal history). dob, unreleased and released_day are there
     * to filter by, never returned. */
    "CREATE VIEW public_bookings AS SELECT"
    " b.booking_number, b.search_last AS last_name, b.search_first AS first_name,"
    " p.middle_name, b.booked_at, b.facility, b.arresting_agency, b.public_charges AS charges,"
    " CASE WHEN b.release_date_public = 1 THEN b.scheduled_release END AS scheduled_release,"
    " p.dob AS dob, b.released_at IS NULL AS unreleased, b.released_day AS released_day,"
    " b.booked_ts AS booked_ts"
    " FROM bookings b JOIN persons p ON p.id = b.person_id",
    NULL};

enum web_stmt {
    W_PUBLIC_NAME,
    W_PUBLIC_NUMBER,
    W_USER_GET,
    W_USER_PUT,
    W_USER_FAILURE,
    W_USER_SUCCESS,
    W_USER_EXISTS,
    W_USER_LIST,
    W_SESSION_GET,
    W_SESSION_PUT,
    W_SESSION_DELETE,
    W__N
};

/* The public locator: this view and nothing else, and only these columns of it (dob,
 * unreleased, released_day and booked_ts are filters). Two shapes, so that each is an index
 * lookup: by last name (the in-custody rows of the name in bookings_open, in name order,
 * stopping at the limit, merged with the rows of bookings_released_name released after the
 * day asked about) and by booking number. ?1 last name, ?2 first-name prefix, ?3 booking
 * number, ?4 booked at or before (Unix), ?5 limit, ?6 dob, ?7 today (day number). */
#define PUBLIC_COLS                                                                                \
    "booking_number, last_name, first_name, middle_name, booked_at, facility, arresting_agency,"   \
    " charges, scheduled_release"
#define PUBLIC_FILTER                                                                              \
    "(?2 IS NULL OR substr(first_name, 1, length(?2)) = ?2)"                                       \
    " AND (?3 IS NULL OR booking_number = ?3) AND booked_ts <= ?4"                                 \
    " AND (?6 IS NULL OR dob = ?6)"
#define PUBLIC_ORDER "last_name, first_name, booking_number LIMIT ?5"

static const char *const web_sql[W__N] = {
    [W_PUBLIC_NAME] = "SELECT " PUBLIC_COLS " FROM public_bookings WHERE last_name = ?1"
                      " AND unreleased AND " PUBLIC_FILTER " UNION ALL SELECT " PUBLIC_COLS
                      " FROM public_bookings WHERE last_name = ?1 AND released_day > ?7"
                      " AND NOT unreleased AND " PUBLIC_FILTER " ORDER BY " PUBLIC_ORDER,
    [W_PUBLIC_NUMBER] = "SELECT " PUBLIC_COLS " FROM public_bookings WHERE booking_number = ?3"
                        " AND (unreleased OR released_day > ?7) AND (?1 IS NULL OR last_name = ?1)"
                        " AND " PUBLIC_FILTER " ORDER BY " PUBLIC_ORDER,
    [W_USER_GET] = "SELECT name, role, pwhash, totp_key, totp_last_step, failures, locked_until,"
                   " disabled, totp_nonce FROM users WHERE name = ?1",
    [W_USER_PUT] = "INSERT INTO users(name, role, pwhash, totp_key, totp_last_step, failures,"
                   " locked_until, disabled, totp_nonce) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
                   " ON CONFLICT(name) DO UPDATE SET role = excluded.role,"
                   " pwhash = excluded.pwhash, totp_key = excluded.totp_key,"
                   " totp_last_step = excluded.totp_last_step, failures = excluded.failures,"
                   " locked_until = excluded.locked_until, disabled = excluded.disabled,"
                   " totp_nonce = excluded.totp_nonce",
    [W_USER_FAILURE] = "UPDATE users SET"
                       " locked_until = CASE WHEN failures + 1 >= ?3 THEN ?2 + ?4"
                       "  ELSE locked_until END,"
                       " failures = CASE WHEN failures + 1 >= ?3 THEN 0 ELSE failures + 1 END"
                       " WHERE name = ?1",
    [W_USER_SUCCESS] = "UPDATE users SET totp_last_step = ?2, failures = 0"
                       " WHERE name = ?1 AND totp_last_step < ?2",
    [W_USER_EXISTS] = "SELECT 1 FROM users WHERE name = ?1",
    [W_USER_LIST] = "SELECT name, role, created_at, disabled FROM users ORDER BY name",
    [W_SESSION_GET] = "SELECT id, csrf, user, role, created, last_seen FROM sessions WHERE id = ?1",
    [W_SESSION_PUT] = "INSERT INTO sessions(id, csrf, user, role, created, last_seen)"
                      " VALUES(?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(id) DO UPDATE SET"
                      " last_seen = excluded.last_seen, role = excluded.role",
    [W_SESSION_DELETE] = "DELETE FROM sessions WHERE id = ?1",
};

struct web_stmts {
    sqlite3_stmt *st[W__N];
};

void cust_sqlite_web_free(void *web)
{
    struct web_stmts *w = web;
    if (!w)
        return;
    for (int i = 0; i < W__N; i++)
        sqlite3_finalize(w->st[i]);
    free(w);
}

static enum cust_status db_err(sqlite3 *db, const char *path, struct cust_err *err,
                               const char *what)
{
    return cust_err_set(err, CUST_EDB, "store '%s': %s: %s", path, what, sqlite3_errmsg(db));
}

/* The prepared statement `id` of this connection, reset with bindings cleared. */
static sqlite3_stmt *wstmt(void *impl, enum web_stmt id, struct cust_err *err)
{
    const char *path = NULL;
    sqlite3 *db = cust_sqlite_handle(impl, &path, NULL);
    void **slot = cust_sqlite_web_slot(impl);
    struct web_stmts *w = *slot;
    if (!w)
        *slot = w = cust_xcalloc(1, sizeof(*w));
    if (!w->st[id]) {
        if (sqlite3_prepare_v3(db, web_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &w->st[id], NULL) !=
            SQLITE_OK) {
            db_err(db, path, err, "prepare");
            return NULL;
        }
    } else {
        sqlite3_reset(w->st[id]);
        sqlite3_clear_bindings(w->st[id]);
    }
    return w->st[id];
}

static enum cust_status step_err(void *impl, struct cust_err *err, const char *what)
{
    const char *path = NULL;
    sqlite3 *db = cust_sqlite_handle(impl, &path, NULL);
    return db_err(db, path, err, what);
}

static void bind_opt(sqlite3_stmt *s, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, i);
}

static const char *ctext(sqlite3_stmt *s, int i)
{
    return (const char *)sqlite3_column_text(s, i);
}

static enum cust_status sw_public_search(void *impl, const struct cust_public_query *q,
                                         cust_public_fn fn, void *arg, struct cust_err *err)
{
    if (!q->last_name && !q->booking_number)
        return cust_err_set(err, CUST_EINVAL, "give a last name or a booking number");
    sqlite3_stmt *s = wstmt(impl, q->last_name ? W_PUBLIC_NAME : W_PUBLIC_NUMBER, err);
    if (!s)
        return CUST_EDB;
    bind_opt(s, 1, q->last_name);
    bind_opt(s, 2, q->first_name);
    bind_opt(s, 3, q->booking_number);
    sqlite3_bind_int64(s, 4, q->booked_before);
    sqlite3_bind_int64(s, 5, q->limit);
    bind_opt(s, 6, q->dob);
    sqlite3_bind_int(s, 7, q->today);
    enum cust_status st = CUST_OK;
    int rc;
    while (st == CUST_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct cust_public_row r = {
            .booking_number = ctext(s, 0),
            .last_name = ctext(s, 1),
            .first_name = ctext(s, 2),
            .middle_name = ctext(s, 3),
            .booked_at = ctext(s, 4),
            .facility = ctext(s, 5),
            .arresting_agency = ctext(s, 6),
            .charges_json = ctext(s, 7),
            .scheduled_release = ctext(s, 8),
        };
        st = fn(&r, arg);
    }
    if (st == CUST_OK && rc != SQLITE_DONE)
        st = step_err(impl, err, "public search");
    sqlite3_reset(s);
    return st;
}

static void copy_str(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

static enum cust_status sw_user_get(void *impl, const char *name, struct cust_user *out,
                                    struct cust_err *err)
{
    sqlite3_stmt *s = wstmt(impl, W_USER_GET, err);
    if (!s)
        return CUST_EDB;
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    enum cust_status st = CUST_OK;
    if (rc == SQLITE_ROW) {
        memset(out, 0, sizeof(*out));
        copy_str(out->name, sizeof(out->name), ctext(s, 0));
        if (!cust_role_parse(ctext(s, 1) ? ctext(s, 1) : "", &out->role))
            out->role = CUST_ROLE_NONE;
        copy_str(out->pwhash, sizeof(out->pwhash), ctext(s, 2));
        int n = sqlite3_column_bytes(s, 3);
        const void *k = sqlite3_column_blob(s, 3);
        int nn = sqlite3_column_bytes(s, 8);
        const void *nonce = sqlite3_column_blob(s, 8);
        if (nonce) {
            /* sealed: a malformed row is marked sealed with a zero box, which never opens */
            out->totp_sealed = true;
            if (nn == CUST_TOTP_NONCE_BYTES && k && n == CUST_TOTP_BOX_BYTES) {
                memcpy(out->totp_nonce, nonce, CUST_TOTP_NONCE_BYTES);
                memcpy(out->totp_box, k, CUST_TOTP_BOX_BYTES);
            }
        } else if (k && n == CUST_TOTP_KEY_BYTES) {
            memcpy(out->totp_key, k, CUST_TOTP_KEY_BYTES);
        }
        out->totp_last_step = sqlite3_column_int64(s, 4);
        out->failures = (unsigned)sqlite3_column_int(s, 5);
        out->locked_until = sqlite3_column_int64(s, 6);
        out->disabled = sqlite3_column_int(s, 7) != 0;
    } else if (rc == SQLITE_DONE) {
        st = cust_err_set(err, CUST_ENOTFOUND, "no user '%s'", name);
    } else {
        st = step_err(impl, err, "user");
    }
    sqlite3_reset(s);
    return st;
}

static enum cust_status sw_user_put(void *impl, const struct cust_user *u, struct cust_err *err)
{
    sqlite3_stmt *s = wstmt(impl, W_USER_PUT, err);
    if (!s)
        return CUST_EDB;
    const char *role = cust_role_name(u->role);
    sqlite3_bind_text(s, 1, u->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, role ? role : "none", -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, u->pwhash, -1, SQLITE_STATIC);
    if (u->totp_sealed) {
        sqlite3_bind_blob(s, 4, u->totp_box, CUST_TOTP_BOX_BYTES, SQLITE_STATIC);
        sqlite3_bind_blob(s, 9, u->totp_nonce, CUST_TOTP_NONCE_BYTES, SQLITE_STATIC);
    } else {
        sqlite3_bind_blob(s, 4, u->totp_key, CUST_TOTP_KEY_BYTES, SQLITE_STATIC);
        sqlite3_bind_null(s, 9);
    }
    sqlite3_bind_int64(s, 5, u->totp_last_step);
    sqlite3_bind_int64(s, 6, u->failures);
    sqlite3_bind_int64(s, 7, u->locked_until);
    sqlite3_bind_int(s, 8, u->disabled ? 1 : 0);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? CUST_OK : step_err(impl, err, "user");
}

static enum cust_status user_exists(void *impl, const char *name, struct cust_err *err)
{
    sqlite3_stmt *s = wstmt(impl, W_USER_EXISTS, err);
    if (!s)
        return CUST_EDB;
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc == SQLITE_ROW)
        return CUST_OK;
    if (rc == SQLITE_DONE)
        return cust_err_set(err, CUST_ENOTFOUND, "no user '%s'", name);
    return step_err(impl, err, "user");
}

static enum cust_status sw_user_failure(void *impl, const char *name, int64_t now, unsigned max,
                                        int64_t lock_s, struct cust_err *err)
{
    const char *path = NULL;
    sqlite3 *db = cust_sqlite_handle(impl, &path, NULL);
    sqlite3_stmt *s = wstmt(impl, W_USER_FAILURE, err);
    if (!s)
        return CUST_EDB;
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, now);
    sqlite3_bind_int64(s, 3, max);
    sqlite3_bind_int64(s, 4, lock_s);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return step_err(impl, err, "user failure");
    if (sqlite3_changes(db) == 0)
        return cust_err_set(err, CUST_ENOTFOUND, "no user '%s'", name);
    return CUST_OK;
}

static enum cust_status sw_user_success(void *impl, const char *name, int64_t step,
                                        struct cust_err *err)
{
    const char *path = NULL;
    sqlite3 *db = cust_sqlite_handle(impl, &path, NULL);
    sqlite3_stmt *s = wstmt(impl, W_USER_SUCCESS, err);
    if (!s)
        return CUST_EDB;
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, step);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return step_err(impl, err, "user success");
    if (sqlite3_changes(db) == 1)
        return CUST_OK;
    enum cust_status st = user_exists(impl, name, err);
    if (st != CUST_OK)
        return st;
    return cust_err_set(err, CUST_ECONFLICT, "code already used");
}

static enum cust_status sw_user_list(void *impl, cust_user_fn fn, void *arg, struct cust_err *err)
{
    sqlite3_stmt *s = wstmt(impl, W_USER_LIST, err);
    if (!s)
        return CUST_EDB;
    enum cust_status st = CUST_OK;
    int rc;
    while (st == CUST_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct cust_user_row r = {ctext(s, 0), ctext(s, 1), ctext(s, 2),
                                  sqlite3_column_int(s, 3) != 0};
        st = fn(&r, arg);
    }
    if (st == CUST_OK && rc != SQLITE_DONE)
        st = step_err(impl, err, "users");
    sqlite3_reset(s);
    return st;
}

static enum cust_status sw_session_get(void *impl, const char *id, struct cust_session *out,
                                       struct cust_err *err)
{
    sqlite3_stmt *s = wstmt(impl, W_SESSION_GET, err);
    if (!s)
        return CUST_EDB;
    sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    enum cust_status st = CUST_OK;
    if (rc == SQLITE_ROW) {
        memset(out, 0, sizeof(*out));
        copy_str(out->id, sizeof(out->id), ctext(s, 0));
        copy_str(out->csrf, sizeof(out->csrf), ctext(s, 1));
        copy_str(out->user, sizeof(out->user), ctext(s, 2));
        if (!cust_role_parse(ctext(s, 3) ? ctext(s, 3) : "", &out->role))
            out->role = CUST_ROLE_NONE;
        out->created = sqlite3_column_int64(s, 4);
        out->last_seen = sqlite3_column_int64(s, 5);
    } else if (rc == SQLITE_DONE) {
        st = cust_err_set(err, CUST_ENOTFOUND, "no such session");
    } else {
        st = step_err(impl, err, "session");
    }
    sqlite3_reset(s);
    return st;
}

static enum cust_status sw_session_put(void *impl, const struct cust_session *se,
                                       struct cust_err *err)
{
    sqlite3_stmt *s = wstmt(impl, W_SESSION_PUT, err);
    if (!s)
        return CUST_EDB;
    const char *role = cust_role_name(se->role);
    sqlite3_bind_text(s, 1, se->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, se->csrf, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, se->user, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, role ? role : "none", -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 5, se->created);
    sqlite3_bind_int64(s, 6, se->last_seen);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? CUST_OK : step_err(impl, err, "session");
}

static enum cust_status sw_session_delete(void *impl, const char *id, struct cust_err *err)
{
    sqlite3_stmt *s = wstmt(impl, W_SESSION_DELETE, err);
    if (!s)
        return CUST_EDB;
    sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? CUST_OK : step_err(impl, err, "session");
}

const struct cust_store_web_ops cust_sqlite_web_ops = {
    .public_search = sw_public_search,
    .user_get = sw_user_get,
    .user_put = sw_user_put,
    .user_failure = sw_user_failure,
    .user_success = sw_user_success,
    .user_list = sw_user_list,
    .session_get = sw_session_get,
    .session_put = sw_session_put,
    .session_delete = sw_session_delete,
};
