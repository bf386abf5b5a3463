/*
 * store_sqlite_public.c - the public view in the SQLite backend: the view public_bookings and
 * the locator's one read of it (store.h cust_store_public_search; docs/internals/web.md).
 *
 * Migration 5 makes the locator's in-custody search by name an index lookup over a million
 * bookings and adds dob to the view as a filter; migration 7 precomputes each booking's public
 * charges. The statements here name only the view public_bookings.
 */
#include "custodian/compat.h"
#include "store_sqlite_public.h"
#include "store_sqlite_requests.h"

#include <sqlite3.h>

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
const char *const cust_sqlite_public_locator_migration[] = {
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

/*
 * Migration 7: the public charges JSON of each booking is built once, when the booking is
 * written, instead of by a correlated subquery (a seek and a JSON build per charge) for every
 * row of every answer: that subquery was about half of an uncached answer's CPU (bench-locator.md).
 * bookings.public_charges holds it (CUST_SQLITE_PUBLIC_CHARGES_OF: the allow-listed fields only);
 * the booking put writes it after the booking's charges, a bulk load too, and this migration
 * fills it for the existing rows. The view keeps exactly its columns and their values.
 */
const char *const cust_sqlite_public_charges_migration[] = {
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

enum public_stmt { P_NAME, P_NUMBER, P__N };

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

static const char *const public_sql[P__N] = {
    [P_NAME] = "SELECT " PUBLIC_COLS " FROM public_bookings WHERE last_name = ?1"
               " AND unreleased AND " PUBLIC_FILTER " UNION ALL SELECT " PUBLIC_COLS
               " FROM public_bookings WHERE last_name = ?1 AND released_day > ?7"
               " AND NOT unreleased AND " PUBLIC_FILTER " ORDER BY " PUBLIC_ORDER,
    [P_NUMBER] = "SELECT " PUBLIC_COLS " FROM public_bookings WHERE booking_number = ?3"
                 " AND (unreleased OR released_day > ?7) AND (?1 IS NULL OR last_name = ?1)"
                 " AND " PUBLIC_FILTER " ORDER BY " PUBLIC_ORDER,
};

struct public_stmts {
    sqlite3_stmt *st[P__N];
};

void cust_sqlite_public_free(void *p)
{
    struct public_stmts *w = p;
    if (!w)
        return;
    for (int i = 0; i < P__N; i++)
        sqlite3_finalize(w->st[i]);
    free(w);
}

static enum cust_status db_err(sqlite3 *db, const char *path, struct cust_err *err,
                               const char *what)
{
    return cust_sqlite_err(db, path, err, what);
}

/* The prepared statement `id` of this connection, reset with bindings cleared. */
static sqlite3_stmt *pstmt(void *impl, enum public_stmt id, struct cust_err *err)
{
    const char *path = NULL;
    sqlite3 *db = cust_sqlite_handle(impl, &path, NULL);
    void **slot = cust_sqlite_public_slot(impl);
    struct public_stmts *w = *slot;
    if (!w)
        *slot = w = cust_xcalloc(1, sizeof(*w));
    if (!w->st[id]) {
        if (sqlite3_prepare_v3(db, public_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &w->st[id],
                               NULL) != SQLITE_OK) {
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

enum cust_status cust_sqlite_public_search(void *impl, const struct cust_public_query *q,
                                           cust_public_fn fn, void *arg, struct cust_err *err)
{
    if (!q->last_name && !q->booking_number)
        return cust_err_set(err, CUST_EINVAL, "give a last name or a booking number");
    sqlite3_stmt *s = pstmt(impl, q->last_name ? P_NAME : P_NUMBER, err);
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
