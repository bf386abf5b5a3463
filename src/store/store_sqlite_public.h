/*
 * store_sqlite_public.h - private glue between the SQLite backend (store_sqlite.c) and its public
 * view (store_sqlite_public.c). Not a public header.
 */
#ifndef CUSTODIAN_STORE_SQLITE_PUBLIC_H
#define CUSTODIAN_STORE_SQLITE_PUBLIC_H

#include "store_backend.h"
#include "store_public_sql.h"

/* Schema migration 5: the in-custody name copy and indexes, public_bookings with dob. */
extern const char *const cust_sqlite_public_locator_migration[];
/* Schema migration 7: each booking's public charges JSON, precomputed; public_bookings reads it. */
extern const char *const cust_sqlite_public_charges_migration[];

/* The public charges JSON of booking ID (an SQL expression naming a bookings id): its charges in
 * order, allow-listed fields only. Written to bookings.public_charges by the booking put (after
 * its charges) and by migration 7; the view public_bookings returns it as `charges`. */
#define CUST_SQLITE_PUBLIC_CHARGES_OF(ID)                                                          \
    "(SELECT json_group_array(json_object('code', c.code, 'description', c.description,"           \
    " 'level', c.level, 'status', c.status, 'bail_cents', c.bail_cents,"                           \
    " 'next_court_date', c.next_court_date, 'case_number', c.case_number, 'court', c.court))"      \
    " FROM (SELECT * FROM charges WHERE booking_id = " ID " ORDER BY idx) c)"

/* The public view's objects that a bulk load into an empty store drops and builds again at its
 * commit (store_sqlite.c), and the UPDATE that brings every booking's name copy up to date. As
 * of migration 10 (the name key): the indexes start with the key of the last name, and the
 * trigger and the UPDATE keep the keys with the copy. (Migration 5 keeps its own text.) */
#define CUST_SQLITE_IDX_BOOKINGS_OPEN                                                              \
    "CREATE INDEX bookings_open ON bookings(key_last, key_first, booking_number)"                  \
    " WHERE released_at IS NULL"
/* As of migration 13, by release day first: the locator's released rows are those released after
 * the day asked about (none on a live county), a range of this index whatever the name. */
#define CUST_SQLITE_IDX_BOOKINGS_RELEASED                                                          \
    "CREATE INDEX bookings_released_name ON bookings(released_day, key_last)"                      \
    " WHERE released_day IS NOT NULL"
#define CUST_SQLITE_TRIGGER_NAME_COPY                                                              \
    "CREATE TRIGGER persons_name_copy AFTER UPDATE OF last_name, first_name ON persons"            \
    " WHEN OLD.last_name IS NOT NEW.last_name OR OLD.first_name IS NOT NEW.first_name"             \
    " BEGIN UPDATE bookings SET search_last = NEW.last_name, search_first = NEW.first_name,"       \
    " key_last = cust_name_key(NEW.last_name), key_first = cust_name_key(NEW.first_name)"          \
    " WHERE person_id = NEW.id; END"
#define CUST_SQLITE_NAME_COPY_FIX                                                                  \
    "UPDATE bookings SET search_last = p.last_name, search_first = p.first_name,"                  \
    " key_last = cust_name_key(p.last_name), key_first = cust_name_key(p.first_name)"              \
    " FROM persons p WHERE p.id = bookings.person_id AND (bookings.search_last IS NOT p.last_name" \
    " OR bookings.search_first IS NOT p.first_name)"

/* The triggers that keep public_custody (migration 13, store_public_sql.h) with the bookings and
 * persons they are built from: a bulk load into an empty store drops them, fills the table with
 * CUST_SQLITE_PUBLIC_CUSTODY_FILL_ALL at its commit and creates them again. */
#define CUST_SQLITE_PUBLIC_CUSTODY_DROP_TRIGGERS                                                   \
    "DROP TRIGGER public_custody_insert; DROP TRIGGER public_custody_update;"                      \
    " DROP TRIGGER public_custody_delete; DROP TRIGGER public_custody_person;"
#define CUST_SQLITE_CUSTODY_OF_NEW PUBLIC_CUSTODY_FILL("booking_number = NEW.booking_number")
#define CUST_SQLITE_CUSTODY_OF_PERSON                                                              \
    PUBLIC_CUSTODY_FILL("booking_number IN (SELECT booking_number FROM bookings"                   \
                        " WHERE person_id = NEW.id)")
#define CUST_SQLITE_PUBLIC_CUSTODY_TRIGGERS                                                        \
    "CREATE TRIGGER public_custody_insert AFTER INSERT ON bookings WHEN NEW.released_at IS NULL"   \
    " BEGIN " CUST_SQLITE_CUSTODY_OF_NEW "; END;"                                                  \
    " CREATE TRIGGER public_custody_update AFTER UPDATE ON bookings BEGIN"                         \
    " DELETE FROM public_custody WHERE booking_number = "                                          \
    "OLD.booking_number; " CUST_SQLITE_CUSTODY_OF_NEW "; END;"                                     \
    " CREATE TRIGGER public_custody_delete AFTER DELETE ON bookings BEGIN"                         \
    " DELETE FROM public_custody WHERE booking_number = OLD.booking_number; END;"                  \
    " CREATE TRIGGER public_custody_person AFTER UPDATE OF middle_name, dob ON persons"            \
    " WHEN OLD.middle_name IS NOT NEW.middle_name OR OLD.dob IS NOT NEW.dob BEGIN"                 \
    " DELETE FROM public_custody WHERE booking_number IN"                                          \
    " (SELECT booking_number FROM bookings WHERE person_id = "                                     \
    "NEW.id); " CUST_SQLITE_CUSTODY_OF_PERSON "; END;"
#define CUST_SQLITE_PUBLIC_CUSTODY_FILL_ALL                                                        \
    "INSERT INTO public_custody(" PUBLIC_CUSTODY_COLS ") SELECT " PUBLIC_CUSTODY_COLS              \
    " FROM public_bookings WHERE unreleased ORDER BY last_key, first_key, booking_number;"

/* Schema migration 13: public_custody, and bookings_released_name by release day. */
extern const char *const cust_sqlite_public_custody_migration[];

/* The triggers that keep public_custody_names (migration 14, store_public_sql.h) with the rows of
 * public_custody, whoever writes them (its own triggers, a bulk load's fill at its commit). */
#define CUST_SQLITE_PUBLIC_NAMES_TRIGGERS                                                          \
    "CREATE TRIGGER public_custody_names_insert AFTER INSERT ON public_custody BEGIN"              \
    " INSERT INTO public_custody_names(last_key, n) VALUES (NEW.last_key, 1)"                      \
    " ON CONFLICT(last_key) DO UPDATE SET n = n + 1; END;"                                         \
    " CREATE TRIGGER public_custody_names_delete AFTER DELETE ON public_custody BEGIN"             \
    " DELETE FROM public_custody_names WHERE last_key = OLD.last_key AND n = 1;"                   \
    " UPDATE public_custody_names SET n = n - 1 WHERE last_key = OLD.last_key; END;"               \
    " CREATE TRIGGER public_custody_names_update AFTER UPDATE OF last_key ON public_custody"       \
    " WHEN OLD.last_key IS NOT NEW.last_key BEGIN"                                                 \
    " DELETE FROM public_custody_names WHERE last_key = OLD.last_key AND n = 1;"                   \
    " UPDATE public_custody_names SET n = n - 1 WHERE last_key = OLD.last_key;"                    \
    " INSERT INTO public_custody_names(last_key, n) VALUES (NEW.last_key, 1)"                      \
    " ON CONFLICT(last_key) DO UPDATE SET n = n + 1; END;"

/* Schema migration 14: public_custody made again with its rows' public fields ready as JSON
 * (fields), public_custody_names (the in-custody rows counted per last name key) and
 * public_custody_booked (the recent rows a count leaves out). */
extern const char *const cust_sqlite_public_names_migration[];

/* Schema migration 10: the name key (namekey.h) of each booking's name copy, the indexes on it,
 * public_bookings with the keys as its search columns. */
extern const char *const cust_sqlite_public_name_key_migration[];

/* Register the SQL functions on `db` (a sqlite3 *): cust_name_key(TEXT) -> TEXT (namekey.h; NULL
 * for NULL), which the name trigger, the fix-up and the booking insert call, and
 * cust_public_fields(7 x TEXT) -> TEXT (store.h cust_store_public_fields), public_custody's
 * generated column. Returns an SQLite code. */
int cust_sqlite_functions_register(void *db);

/* The locator's read (store.h cust_store_public_search, cust_store_public_read). */
enum cust_status cust_sqlite_public_search(void *impl, const struct cust_public_query *q,
                                           cust_public_fn fn, void *arg, int64_t *total,
                                           struct cust_err *err);
/* The locator's count (store.h cust_store_public_count). */
enum cust_status cust_sqlite_public_count(void *impl, const struct cust_public_query *q,
                                          int64_t *total, struct cust_err *err);
/* A published public view (cust_store_publish) is a SQLite file with this application_id. */
#define CUST_SQLITE_PUBLIC_APP_ID     1129338434 /* 0x43505642, "CPVB" */
#define CUST_SQLITE_PUBLIC_APP_ID_SQL "1129338434"

/* Write the published public view (store.h cust_store_publish) from this connection's view. */
enum cust_status cust_sqlite_public_publish(void *impl, const char *out, int32_t today,
                                            int64_t *rows, struct cust_err *err);
/* From store_sqlite.c: for a store opened CUST_STORE_PUBLIC, reopen the published file when it
 * was replaced (looked at most once a second); nothing for another store. */
void cust_sqlite_public_refresh(void *impl);
/* From store_sqlite.c: the slot where the public view keeps its prepared statements. */
void **cust_sqlite_public_slot(void *impl);
/* Free what the public view keeps in its slot (called by the backend's close). */
void cust_sqlite_public_free(void *stmts);

#endif
