/*
 * store_sqlite_public.c - the public view in the SQLite backend: the view public_bookings and
 * the locator's one read of it (store.h cust_store_public_search; docs/internals/web.md).
 *
 * Migration 5 makes the locator's in-custody search by name an index lookup over a million
 * bookings and adds dob to the view as a filter; migration 7 precomputes each booking's public
 * charges. The statements here name only the view public_bookings.
 */
#include "custodian/compat.h"
#include "store_public_sql.h"
#include "store_published.h"
#include "store_sqlite_public.h"
#include "store_sqlite_requests.h"
#include "store_sqlite_stmt.h"
#include "custodian/buf.h"
#include "custodian/date.h"
#include "custodian/namekey.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

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
    "ALTER TABLE bookings ADD COLUMN search_first TEXT",
    /* the objects as migration 5 made them (migration 10 replaces them) */
    "UPDATE bookings SET search_last = p.last_name, search_first = p.first_name FROM persons p"
    " WHERE p.id = bookings.person_id AND (bookings.search_last IS NOT p.last_name"
    " OR bookings.search_first IS NOT p.first_name)",
    "CREATE INDEX bookings_open ON bookings(search_last, search_first, booking_number)"
    " WHERE released_at IS NULL",
    "CREATE INDEX bookings_released_name ON bookings(search_last, released_day)"
    " WHERE released_day IS NOT NULL",
    "CREATE TRIGGER persons_name_copy AFTER UPDATE OF last_name, first_name ON persons"
    " WHEN OLD.last_name IS NOT NEW.last_name OR OLD.first_name IS NOT NEW.first_name"
    " BEGIN UPDATE bookings SET search_last = NEW.last_name, search_first = NEW.first_name"
    " WHERE person_id = NEW.id; END",
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

/*
 * Migration 10: names are searched by their key (namekey.h), so that "Mejía", "MEJIA" and "mejia"
 * find MEJÍA, and a last name of CUST_NAME_PREFIX_MIN characters or more is a prefix. Each
 * booking keeps the key of its name copy (key_last, key_first; filled for the existing rows
 * here, by the booking insert, the trigger persons_name_copy and a bulk load's fix-up, all
 * through the SQL function cust_name_key registered on every connection); the in-custody
 * indexes start with the key instead of the copy. The view gains last_key and first_key: search
 * columns derived from the public name only, nothing more is shown.
 */
const char *const cust_sqlite_public_name_key_migration[] = {
    "ALTER TABLE bookings ADD COLUMN key_last TEXT",
    "ALTER TABLE bookings ADD COLUMN key_first TEXT",
    "UPDATE bookings SET key_last = cust_name_key(search_last),"
    " key_first = cust_name_key(search_first)",
    "DROP INDEX bookings_open", "DROP INDEX bookings_released_name", CUST_SQLITE_IDX_BOOKINGS_OPEN,
    /* the shape of migration 10 (migration 13 replaces it) */
    "CREATE INDEX bookings_released_name ON bookings(key_last, released_day)"
    " WHERE released_day IS NOT NULL",
    "DROP TRIGGER persons_name_copy", CUST_SQLITE_TRIGGER_NAME_COPY, "DROP VIEW public_bookings",
    /* The only thing the public locator may read (allow-list; no citizenship, immigration,
     * address, identifiers or criminal history). dob, unreleased and released_day are there
     * to filter by, never returned; last_key and first_key are the names' search keys. */
    "CREATE VIEW public_bookings AS SELECT"
    " b.booking_number, b.search_last AS last_name, b.search_first AS first_name,"
    " p.middle_name, b.booked_at, b.facility, b.arresting_agency, b.public_charges AS charges,"
    " CASE WHEN b.release_date_public = 1 THEN b.scheduled_release END AS scheduled_release,"
    " p.dob AS dob, b.released_at IS NULL AS unreleased, b.released_day AS released_day,"
    " b.booked_ts AS booked_ts, b.key_last AS last_key, b.key_first AS first_key"
    " FROM bookings b JOIN persons p ON p.id = b.person_id",
    NULL};

/*
 * Migration 13: a search by name reads its in-custody rows from one table in its own order.
 *
 * Before, each answer row was an entry of bookings_open, then a seek for its booking row and one
 * for its person row, and the count ("showing 50 of 573") did the two seeks for every match: on a
 * million-booking county, ~430 us of CPU for the 50 rows' count alone. public_custody
 * (store_public_sql.h) holds exactly the view's unreleased rows, the columns the locator reads
 * (each a column of the view, copied by selecting from the view itself), WITHOUT ROWID so the
 * answer's rows are neighbours in one b-tree, and public_custody_count makes the count a scan of
 * a narrow index. The triggers keep it in the transaction that writes: a booking inserted,
 * updated (a new version, a release, its name copy) or deleted, a person's middle name or date
 * of birth changed. A bulk load drops them and fills the table once at its commit (store_sqlite.c).
 *
 * bookings_released_name starts with the release day: the second half of a search by name (the
 * bookings released after the day asked about) was a walk over every released booking of the
 * name (8,389 for MENDOZA, ~440 us for the rows and as much for their count) to find none.
 *
 * Its objects are dropped first if present, so that it applies again to a store a test took back.
 */
const char *const cust_sqlite_public_custody_migration[] = {
    "DROP TRIGGER IF EXISTS public_custody_insert",
    "DROP TRIGGER IF EXISTS public_custody_update",
    "DROP TRIGGER IF EXISTS public_custody_delete",
    "DROP TRIGGER IF EXISTS public_custody_person",
    "DROP TABLE IF EXISTS public_custody",
    "CREATE TABLE public_custody(last_key TEXT NOT NULL, first_key TEXT NOT NULL,"
    " booking_number TEXT NOT NULL, booked_ts INTEGER NOT NULL, dob TEXT, last_name TEXT,"
    " first_name TEXT, middle_name TEXT, booked_at TEXT, facility TEXT, arresting_agency TEXT,"
    " charges TEXT, scheduled_release TEXT, PRIMARY KEY(last_key, first_key, booking_number))"
    " WITHOUT ROWID",
    "CREATE UNIQUE INDEX public_custody_number ON public_custody(booking_number)",
    "CREATE INDEX public_custody_count ON public_custody(last_key, first_key, booked_ts, dob)",
    CUST_SQLITE_PUBLIC_CUSTODY_FILL_ALL,
    CUST_SQLITE_PUBLIC_CUSTODY_TRIGGERS,
    "DROP INDEX bookings_released_name",
    CUST_SQLITE_IDX_BOOKINGS_RELEASED,
    NULL};

/*
 * Migration 14: the count of a search by last name alone is a sum over the keys of its range.
 *
 * After migration 13 the count ("showing 50 of 573") was the biggest part of an uncached answer:
 * a walk over every match in public_custody_count (573 index entries for MENDOZA on a
 * million-booking county, ~57 us of SQLite's time, more than the 50 rows themselves;
 * bench-locator.md). public_custody_names keeps how many rows public_custody has per last_key,
 * by triggers on public_custody (so whatever fills or empties it keeps the counts: its own
 * triggers, a bulk load's fill at its commit, this migration's fill); P_NAME_TOTAL sums the 50
 * keys MENDOZA's range covers and takes away the rows booked in the last hide_recent_hours,
 * found by public_custody_booked (a handful in the county). A count with a first name, a dob or
 * a booking number still counts its matches (P_NAME_COUNT).
 *
 * And the rows: an answer read nine columns of each of its 50 rows and escaped seven strings of
 * each into JSON. public_custody is made again with the stored generated column `fields`, those
 * seven fields already written as the API writes them (cust_public_fields, registered on every
 * connection: store.h cust_store_public_fields), so an answer copies one string a row. Made again
 * (a stored column cannot be added) and filled from the view as migration 13 did.
 *
 * Its objects are dropped first if present, so that it applies again to a store a test took back.
 */
const char *const cust_sqlite_public_names_migration[] = {
    "DROP TABLE IF EXISTS public_custody_names",
    "DROP TRIGGER IF EXISTS public_custody_insert",
    "DROP TRIGGER IF EXISTS public_custody_update",
    "DROP TRIGGER IF EXISTS public_custody_delete",
    "DROP TRIGGER IF EXISTS public_custody_person",
    "DROP TABLE public_custody",
    "CREATE TABLE public_custody(last_key TEXT NOT NULL, first_key TEXT NOT NULL,"
    " booking_number TEXT NOT NULL, booked_ts INTEGER NOT NULL, dob TEXT, last_name TEXT,"
    " first_name TEXT, middle_name TEXT, booked_at TEXT, facility TEXT, arresting_agency TEXT,"
    " charges TEXT, scheduled_release TEXT,"
    " fields TEXT GENERATED ALWAYS AS (" PUBLIC_CUSTODY_FIELDS_OF ") STORED,"
    " PRIMARY KEY(last_key, first_key, booking_number)) WITHOUT ROWID",
    "CREATE UNIQUE INDEX public_custody_number ON public_custody(booking_number)",
    "CREATE INDEX public_custody_count ON public_custody(last_key, first_key, booked_ts, dob)",
    "CREATE INDEX public_custody_booked ON public_custody(booked_ts)",
    CUST_SQLITE_PUBLIC_CUSTODY_FILL_ALL,
    CUST_SQLITE_PUBLIC_CUSTODY_TRIGGERS,
    "CREATE TABLE public_custody_names(last_key TEXT NOT NULL PRIMARY KEY, n INTEGER NOT NULL)"
    " WITHOUT ROWID",
    PUBLIC_NAMES_FILL,
    CUST_SQLITE_PUBLIC_NAMES_TRIGGERS,
    NULL};

/* cust_public_fields(booking_number, last_name, first_name, middle_name, booked_at, facility,
 * arresting_agency): store.h cust_store_public_fields, for public_custody.fields */
static void fields_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *v[7];
    for (int i = 0; i < 7; i++)
        v[i] = (const char *)sqlite3_value_text(argv[i]);
    struct cust_public_row r = {.booking_number = v[0],
                                .last_name = v[1],
                                .first_name = v[2],
                                .middle_name = v[3],
                                .booked_at = v[4],
                                .facility = v[5],
                                .arresting_agency = v[6]};
    struct cust_buf b = CUST_BUF_INIT;
    if (cust_store_public_fields(&b, &r) != CUST_OK || b.len > INT32_MAX) {
        cust_buf_release(&b);
        sqlite3_result_error_nomem(ctx);
        return;
    }
    size_t n = 0;
    char *text = cust_buf_detach(&b, &n);
    sqlite3_result_text(ctx, text, (int)n, free);
}

static void name_key_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(ctx);
        return;
    }
    const char *in = (const char *)sqlite3_value_text(argv[0]);
    int n = sqlite3_value_bytes(argv[0]);
    char key[CUST_NAME_KEY_MAX];
    /* a key cut at CUST_NAME_KEY_MAX (ETOOBIG) is still the key to search by; text that is not
     * UTF-8 cannot be in the store (every writer checks), and would key as "" */
    cust_name_key(in, (size_t)n, key, sizeof(key), NULL);
    sqlite3_result_text(ctx, key, -1, SQLITE_TRANSIENT);
}

int cust_sqlite_functions_register(void *db)
{
    int rc = sqlite3_create_function(db, "cust_name_key", 1,
                                     SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
                                     name_key_fn, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_create_function(db, "cust_public_fields", 7,
                                     SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
                                     fields_fn, NULL, NULL);
    return rc;
}

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

/* The prepared statement `id` of this connection, reset with bindings cleared. */
static sqlite3_stmt *pstmt(void *impl, enum public_stmt id, struct cust_err *err)
{
    const char *path = NULL;
    sqlite3 *db = cust_sqlite_handle(impl, &path, NULL);
    void **slot = cust_sqlite_public_slot(impl);
    struct public_stmts *w = *slot;
    if (!w)
        *slot = w = cust_xcalloc(1, sizeof(*w));
    return cust_sqlite_stmt(db, path, &w->st[id],
                            id == P_NAME_TOTAL
                                ? PUBLIC_NAME_TOTAL(" INDEXED BY public_custody_booked")
                                : public_sql[id],
                            err);
}

static enum cust_status step_err(void *impl, struct cust_err *err, const char *what)
{
    const char *path = NULL;
    sqlite3 *db = cust_sqlite_handle(impl, &path, NULL);
    return cust_sqlite_err(db, path, err, what);
}

static void bind_opt(sqlite3_stmt *s, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, i);
}

/* The statement for `q` (by name or by number, rows or their count) with every parameter bound;
 * the keys live in `k` for as long as the statement runs. The caller has looked for a newer
 * published file first (cust_sqlite_public_refresh), never while a statement of it is running. */
struct public_keys {
    char last[CUST_NAME_KEY_MAX], end[CUST_NAME_KEY_MAX + 1], first[CUST_NAME_KEY_MAX];
};

static enum cust_status bound(void *impl, const struct cust_public_query *q, bool count,
                              struct public_keys *k, sqlite3_stmt **out, struct cust_err *err)
{
    if (!q->last_name && !q->booking_number)
        return cust_err_set(err, CUST_EINVAL, "give a last name or a booking number");
    enum public_stmt id = public_stmt_for(q, count);
    sqlite3_stmt *s = *out = pstmt(impl, id, err);
    if (!s)
        return CUST_EDB;
    /* names as written are searched by their keys (namekey.h) */
    if (q->last_name) {
        cust_name_key(q->last_name, strlen(q->last_name), k->last, sizeof(k->last), NULL);
        cust_name_key_range(k->last, k->end, sizeof(k->end));
    }
    if (q->first_name)
        cust_name_key(q->first_name, strlen(q->first_name), k->first, sizeof(k->first), NULL);
    bind_opt(s, 1, q->last_name ? k->last : NULL);
    bind_opt(s, 8, q->last_name ? k->end : NULL);
    bind_opt(s, 2, q->first_name ? k->first : NULL);
    bind_opt(s, 3, q->booking_number);
    sqlite3_bind_int64(s, 4, q->booked_before);
    if (!count)
        sqlite3_bind_int64(s, 5, q->limit);
    bind_opt(s, 6, q->dob);
    sqlite3_bind_int(s, 7, q->today);
    return CUST_OK;
}

/* The count of `q`'s matches into *total (P_NAME_TOTAL, P_NAME_COUNT or P_NUMBER_COUNT). */
static enum cust_status count_rows(void *impl, const struct cust_public_query *q, int64_t *total,
                                   struct cust_err *err)
{
    struct public_keys k;
    sqlite3_stmt *s;
    enum cust_status st = bound(impl, q, true, &k, &s, err);
    if (st != CUST_OK)
        return st;
    if (sqlite3_step(s) == SQLITE_ROW)
        *total = sqlite3_column_int64(s, 0);
    else
        st = step_err(impl, err, "public count");
    sqlite3_reset(s);
    return st;
}

/*
 * The rows, and with `total` their count in the same read transaction: SQLite keeps a
 * connection's read transaction (and its snapshot of the WAL) open while any of its statements
 * is running, so the count runs when the q->limit-th row has come, before the rows' statement is
 * stepped to its end. One read transaction an answer instead of two: its lock and file check are
 * most of an uncached answer's system calls (docs/bench-locator.md, session 7).
 */
enum cust_status cust_sqlite_public_search(void *impl, const struct cust_public_query *q,
                                           cust_public_fn fn, void *arg, int64_t *total,
                                           struct cust_err *err)
{
    cust_sqlite_public_refresh(impl);
    struct public_keys k;
    sqlite3_stmt *s;
    enum cust_status st = bound(impl, q, false, &k, &s, err);
    if (st != CUST_OK)
        return st;
    int rc = SQLITE_DONE;
    int64_t n = 0;
    while (st == CUST_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct cust_public_row r = {
            .booking_number = cust_sqlite_text(s, 0),
            .last_name = cust_sqlite_text(s, 1),
            .first_name = cust_sqlite_text(s, 2),
            .middle_name = cust_sqlite_text(s, 3),
            .booked_at = cust_sqlite_text(s, 4),
            .facility = cust_sqlite_text(s, 5),
            .arresting_agency = cust_sqlite_text(s, 6),
            .charges_json = cust_sqlite_text(s, 7),
            .scheduled_release = cust_sqlite_text(s, 8),
            .fields = cust_sqlite_text(s, 11),
        };
        st = fn(&r, arg);
        if (st == CUST_OK && ++n == (int64_t)q->limit && total)
            st = count_rows(impl, q, total, err); /* `s` still running: the same snapshot */
    }
    if (st == CUST_OK && rc != SQLITE_DONE)
        st = step_err(impl, err, "public search");
    sqlite3_reset(s);
    if (st == CUST_OK && total && n < (int64_t)q->limit)
        *total = n;
    return st;
}

enum cust_status cust_sqlite_public_count(void *impl, const struct cust_public_query *q,
                                          int64_t *total, struct cust_err *err)
{
    cust_sqlite_public_refresh(impl);
    return count_rows(impl, q, total, err);
}

/* ---- the published public view (cust_store_publish, CUST_STORE_PUBLIC) ---------------------- */

/* Column `c` of `st` as a value (bytes valid until the next step). */
static struct cust_val value_of(sqlite3_stmt *st, int c)
{
    struct cust_val v = {.kind = CUST_VAL_NULL};
    switch (sqlite3_column_type(st, c)) {
    case SQLITE_NULL:
        break;
    case SQLITE_INTEGER:
        v.kind = CUST_VAL_INT;
        v.i = sqlite3_column_int64(st, c);
        break;
    case SQLITE_FLOAT:
        v.kind = CUST_VAL_REAL;
        v.r = sqlite3_column_double(st, c);
        break;
    default:
        v.kind = CUST_VAL_BYTES;
        v.p = sqlite3_column_text(st, c);
        v.len = (size_t)sqlite3_column_bytes(st, c);
        break;
    }
    return v;
}

enum cust_status cust_sqlite_public_publish(void *impl, const char *out, int32_t today,
                                            int64_t *rows, struct cust_err *err)
{
    const char *src_path = NULL;
    sqlite3 *src = cust_sqlite_handle(impl, &src_path, NULL);
    struct cust_published *p;
    enum cust_status st = cust_published_begin(out, &p, err);
    if (st != CUST_OK)
        return st;
    sqlite3_stmt *sel = NULL;
    if (sqlite3_prepare_v2(
            src, "SELECT " CUST_PUBLISHED_COLS " FROM public_bookings" CUST_PUBLISHED_WHERE, -1,
            &sel, NULL) != SQLITE_OK) {
        st = cust_sqlite_err(src, src_path, err, "publish: read the public view");
    } else {
        sqlite3_bind_int(sel, 1, today);
        struct cust_val v[CUST_PUBLISHED_NCOLS];
        int rc;
        while (st == CUST_OK && (rc = sqlite3_step(sel)) == SQLITE_ROW) {
            for (int i = 0; i < CUST_PUBLISHED_NCOLS; i++)
                v[i] = value_of(sel, i);
            st = cust_published_row(p, v, err);
        }
        if (st == CUST_OK && rc != SQLITE_DONE)
            st = cust_sqlite_err(src, src_path, err, "publish: read the public view");
    }
    sqlite3_finalize(sel);
    enum cust_status end = cust_published_end(p, st == CUST_OK, rows, st == CUST_OK ? err : NULL);
    return st == CUST_OK ? end : st;
}
