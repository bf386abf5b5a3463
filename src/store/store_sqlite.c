/*
 * store_sqlite.c - the SQLite backend of the store (docs/internals/store.md).
 *
 * WAL journal, synchronous=FULL (a commit is durable when it returns), foreign keys on,
 * every statement prepared once (SQLITE_PREPARE_PERSISTENT) with bound parameters, schema
 * changes as numbered migrations recorded in schema_migrations.
 */
#include "custodian/compat.h"
#include "custodian/namekey.h"
#include "custodian/buf.h"
#include "custodian/date.h"
#include "store_bytes.h"
#include "store_sqlite_accounts.h"
#include "store_sqlite_backup.h"
#include "store_sqlite_feed.h"
#include "store_sqlite_public.h"
#include "store_sqlite_reports.h"
#include "store_sqlite_requests.h"
#include "store_sqlite_rows.h"
#include "store_sqlite_stmt.h"
#include "store_smap.h"

#include <errno.h>
#include <pthread.h>
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Page cache (negative = KiB, allocated as used) of every connection outside a bulk load. A
 * command reads most pages once: with 256 MiB every page read filled fresh memory (malloc and
 * the kernel's zeroed page: ~60% of `roster --as-of` on 266,095 bookings, 47% of a DOJ letter's
 * fulfilment on 1,065,482), and a small cache, reused, keeps what is read again (the b-trees'
 * interior pages). Measured: roster 1.30 -> 0.35 s CPU, audit verify 5.6 -> 4.3 s; the DOJ
 * letter on the 1M county 2.7-3.1 -> 1.6-1.7 s, peak RSS 313 -> 49 MiB (docs/benchmarks.md). */
#define CACHE_KIB "-8192"
/* A bulk load's (sq_begin_bulk to end_bulk): its random inserts into b-trees that outgrow any
 * cache gain from it. 1 GiB was measured: no faster than 256 MiB (400,000 bookings: 25.2 s CPU
 * vs 23.9 s) at 2.7x the peak RSS. */
#define BULK_CACHE_KIB "-262144"

/* ---- schema ---------------------------------------------------------------------------- */

/* Secondary indexes no lookup of a bulk load needs: dropped for a bulk load into an empty
 * store and built again (one sort each) before its commit. */
#define IDX_BOOKINGS_PERSON "CREATE INDEX bookings_person ON bookings(person_id)"
#define IDX_PRIORS_PERSON   "CREATE INDEX priors_person ON prior_convictions(person_id)"
/* Also the locator's in-custody indexes and the trigger that keeps each booking's copy of its
 * person's name (migration 5, store_sqlite_accounts.h): at the commit, one UPDATE brings every copy
 * up to date (a person whose name changed within the load) before the indexes are built. */
static const char *const bulk_indexes[][2] = {
    {"DROP INDEX bookings_person", IDX_BOOKINGS_PERSON},
    {"DROP INDEX priors_person", IDX_PRIORS_PERSON},
    {"DROP INDEX persons_name", CUST_SQLITE_IDX_PERSONS_NAME},
    {"DROP TRIGGER persons_name_copy", CUST_SQLITE_TRIGGER_NAME_COPY},
    {"DROP INDEX bookings_open", CUST_SQLITE_IDX_BOOKINGS_OPEN},
    {"DROP INDEX bookings_released_name", CUST_SQLITE_IDX_BOOKINGS_RELEASED},
    {"DROP INDEX bookings_custody", CUST_SQLITE_IDX_BOOKINGS_CUSTODY},
    {"DROP INDEX persons_citizenship", CUST_SQLITE_IDX_PERSONS_CITIZENSHIP},
    /* last: filled from the view once its indexes are back (migration 13) */
    {CUST_SQLITE_PUBLIC_CUSTODY_DROP_TRIGGERS,
     CUST_SQLITE_PUBLIC_CUSTODY_FILL_ALL CUST_SQLITE_PUBLIC_CUSTODY_TRIGGERS}};

/* The indexes a person is linked by when a booking carries no person_key (cii, then fbi, then
 * sid). A bulk load into an empty store drops them too and builds them again at its commit, or at
 * its first booking that must be linked by one of them (build_link_indexes): random inserts into
 * three indexes were about a third of a new person's insert. */
#define IDX_PERSONS_CII "CREATE INDEX persons_cii ON persons(cii) WHERE cii IS NOT NULL"
#define IDX_PERSONS_FBI "CREATE INDEX persons_fbi ON persons(fbi) WHERE fbi IS NOT NULL"
#define IDX_PERSONS_SID "CREATE INDEX persons_sid ON persons(sid) WHERE sid IS NOT NULL"
static const char *const link_indexes[][2] = {{"DROP INDEX persons_cii", IDX_PERSONS_CII},
                                              {"DROP INDEX persons_fbi", IDX_PERSONS_FBI},
                                              {"DROP INDEX persons_sid", IDX_PERSONS_SID}};

static const char *const migration_1[] = {
    "CREATE TABLE persons("
    " id INTEGER PRIMARY KEY,"
    " person_key TEXT UNIQUE,"
    " last_name TEXT NOT NULL, first_name TEXT NOT NULL, middle_name TEXT,"
    " dob TEXT NOT NULL, sex TEXT,"
    " cii TEXT, fbi TEXT, sid TEXT, a_number TEXT,"
    " place_of_birth TEXT, home_address TEXT, immigration_status TEXT, aliases TEXT,"
    " sex_arson_registrant INTEGER,"
    " citizenship_status TEXT NOT NULL DEFAULT 'unknown',"
    " citizenship_rank INTEGER NOT NULL DEFAULT -1,"
    " citizenship_recorded_at TEXT NOT NULL DEFAULT '')",
    IDX_PERSONS_CII, IDX_PERSONS_FBI, IDX_PERSONS_SID,
    "CREATE TABLE citizenship_history("
    " id INTEGER PRIMARY KEY,"
    " person_id INTEGER NOT NULL REFERENCES persons(id),"
    " status TEXT NOT NULL, country TEXT NOT NULL DEFAULT '', source TEXT NOT NULL DEFAULT '',"
    " verified INTEGER NOT NULL DEFAULT -1, recorded_at TEXT NOT NULL DEFAULT '',"
    " booking_number TEXT NOT NULL, entered_at TEXT NOT NULL,"
    " UNIQUE(person_id, status, country, source, verified, recorded_at))",
    "CREATE TABLE bookings("
    " id INTEGER PRIMARY KEY,"
    " booking_number TEXT NOT NULL UNIQUE,"
    " person_id INTEGER NOT NULL REFERENCES persons(id),"
    " version INTEGER NOT NULL,"
    " booked_at TEXT NOT NULL, booked_ts INTEGER NOT NULL, booked_day INTEGER NOT NULL,"
    " facility TEXT, housing TEXT, arresting_agency TEXT,"
    " scheduled_release TEXT, release_date_public INTEGER NOT NULL DEFAULT 0,"
    " released_at TEXT, released_day INTEGER, release_reason TEXT,"
    " sentence_imposed_on INTEGER, sentence_term_days INTEGER, sentence_presentence_days INTEGER,"
    " computed_release TEXT, release_rule TEXT,"
    " release_disagreement INTEGER NOT NULL DEFAULT 0)",
    IDX_BOOKINGS_PERSON,
    "CREATE TABLE booking_versions("
    " id INTEGER PRIMARY KEY,"
    " booking_id INTEGER NOT NULL REFERENCES bookings(id),"
    " version INTEGER NOT NULL,"
    " recorded_at TEXT NOT NULL, recorded_by TEXT NOT NULL, source TEXT NOT NULL,"
    " changed TEXT, doc TEXT NOT NULL,"
    " UNIQUE(booking_id, version))",
    "CREATE TRIGGER booking_versions_no_update BEFORE UPDATE ON booking_versions"
    " BEGIN SELECT RAISE(ABORT, 'booking versions are never overwritten'); END",
    "CREATE TRIGGER booking_versions_no_delete BEFORE DELETE ON booking_versions"
    " BEGIN SELECT RAISE(ABORT, 'booking versions are never deleted'); END",
    "CREATE TABLE charges("
    " booking_id INTEGER NOT NULL REFERENCES bookings(id), idx INTEGER NOT NULL,"
    " code TEXT, description TEXT, level TEXT, status TEXT, held_to_answer INTEGER,"
    " case_number TEXT, court TEXT, next_court_date TEXT, bail_cents INTEGER,"
    " PRIMARY KEY(booking_id, idx)) WITHOUT ROWID",
    "CREATE TABLE prior_convictions("
    " booking_id INTEGER NOT NULL REFERENCES bookings(id), idx INTEGER NOT NULL,"
    " person_id INTEGER NOT NULL REFERENCES persons(id),"
    " code TEXT, level TEXT, date TEXT, jurisdiction TEXT, flags TEXT,"
    " PRIMARY KEY(booking_id, idx)) WITHOUT ROWID",
    IDX_PRIORS_PERSON,
    "CREATE TABLE ledger("
    " seq INTEGER PRIMARY KEY,"
    " at TEXT NOT NULL, actor TEXT NOT NULL, role TEXT NOT NULL, action TEXT NOT NULL,"
    " object_type TEXT NOT NULL, object_id TEXT NOT NULL, outcome TEXT NOT NULL,"
    " purpose TEXT NOT NULL, detail TEXT, prev_hash TEXT NOT NULL, hash TEXT NOT NULL)",
    "CREATE TABLE ledger_head(id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL,"
    " hash TEXT NOT NULL)",
    "INSERT INTO ledger_head VALUES(1, 0,"
    " '0000000000000000000000000000000000000000000000000000000000000000')",
    "CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger"
    " BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END",
    "CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger"
    " BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END",
    /* The only thing the public locator may read (allow-list; no citizenship, immigration,
     * address, identifiers, date of birth or criminal history). */
    "CREATE VIEW public_bookings AS SELECT"
    " b.booking_number, p.last_name, p.first_name, p.middle_name,"
    " b.booked_at, b.facility, b.arresting_agency,"
    " (SELECT json_group_array(json_object('code', c.code, 'description', c.description,"
    "   'level', c.level, 'status', c.status, 'bail_cents', c.bail_cents,"
    "   'next_court_date', c.next_court_date, 'case_number', c.case_number, 'court', c.court))"
    "  FROM (SELECT * FROM charges WHERE booking_id = b.id ORDER BY idx) c) AS charges,"
    " CASE WHEN b.release_date_public = 1 THEN b.scheduled_release END AS scheduled_release,"
    " (b.released_at IS NULL OR b.released_day > CAST(julianday('now') - 2440587.5 AS INTEGER))"
    "  AS in_custody"
    " FROM bookings b JOIN persons p ON p.id = b.person_id",
    NULL};

/* Number 12 was handed to another branch that needed none: an empty migration, a no-op forever
 * (a store migrated past it would never run anything put there later). */
static const char *const cust_sqlite_reserved_migration[] = {NULL};

/* Migration 15: the index the roster, the export and the desk's scope read the bookings in
 * custody on a day from (CUST_CUSTODY_IDS), as it was then. */
static const char *const custody_migration[] = {
    "CREATE INDEX bookings_custody ON bookings(released_day, booked_day)", NULL};

/* Migration 16: a data request's scope (in custody on a day, of one citizenship status) found
 * from two indexes without reading a row: bookings_custody gains person_id, and persons are
 * indexed by citizenship status. The DOJ letter on a 1,065,482-booking county read 91,713 pages
 * to find its 9,034 bookings, and as many again for their persons' other bookings. */
static const char *const scope_migration[] = {"DROP INDEX bookings_custody",
                                              CUST_SQLITE_IDX_BOOKINGS_CUSTODY,
                                              CUST_SQLITE_IDX_PERSONS_CITIZENSHIP, NULL};

/* Migration 17 is PostgreSQL's alone (store_postgres_schema.c m17: its scope indexes carry the
 * row ids SQLite's carry already): an empty migration here, so the numbering stays the same. */
static const char *const scope_ids_migration[] = {NULL};

/* Migration 18: a document named by its SHA-256 alone gets its content when a later request
 * brings it (store_sqlite_requests.c D_DOC_FILL); every other change is still refused. Before,
 * migration 2's trigger refused the fill too, and the later request could not be added. */
static const char *const documents_fill_migration[] = {
    "DROP TRIGGER documents_no_update",
    "CREATE TRIGGER documents_no_update BEFORE UPDATE ON documents"
    " WHEN NOT (OLD.content IS NULL AND NEW.sha256 = OLD.sha256 AND NEW.content IS NOT NULL"
    " AND NEW.size IS length(NEW.content))"
    " BEGIN SELECT RAISE(ABORT, 'documents are never overwritten'); END",
    NULL};

/* Applied in this order; a migration's version is its position (1-based). Append only. */
static const char *const *const migrations[] = {
    migration_1,                           /* 1: records */
    cust_sqlite_requests_migration,        /* 2: requests and what is kept with them */
    cust_sqlite_accounts_migration,        /* 3: staff users and sessions */
    cust_sqlite_disclosures_migration,     /* 4: disclosures chained to the ledger */
    cust_sqlite_public_locator_migration,  /* 5: the locator's in-custody indexes, dob filter */
    cust_sqlite_accounts_totp_migration,   /* 6: TOTP secrets sealed at rest (users.totp_nonce) */
    cust_sqlite_public_charges_migration,  /* 7: precomputed public charges JSON */
    cust_sqlite_feed_migration,            /* 8: feed runs, what each source listed, reviews */
    cust_sqlite_rows_migration,            /* 9: every row in the ledger (row journal) */
    cust_sqlite_public_name_key_migration, /* 10: names searched by their key (namekey.h) */
    cust_sqlite_reports_migration,         /* 11: enforcement log, requests by receipt */
    cust_sqlite_reserved_migration,        /* 12: empty, a no-op (see above) */
    cust_sqlite_public_custody_migration,  /* 13: the locator's in-custody rows in its order */
    cust_sqlite_public_names_migration,    /* 14: the in-custody rows counted per last name */
    custody_migration,                     /* 15: the bookings in custody on a day, by index */
    scope_migration,                       /* 16: a scope's persons, by index */
    scope_ids_migration,                   /* 17: empty (PostgreSQL's scope indexes) */
    documents_fill_migration,              /* 18: a named document's content kept later */
};

int cust_store_schema_version(void)
{
    return (int)CUST_ARRAY_LEN(migrations);
}

/* ---- statements ------------------------------------------------------------------------ */

enum stmt_id {
    S_BEGIN,
    S_COMMIT,
    S_ROLLBACK,
    S_CURRENT,
    S_PERSON_BY_KEY,
    S_PERSON_BY_CII,
    S_PERSON_BY_FBI,
    S_PERSON_BY_SID,
    S_PERSON_INSERT,
    S_PERSON_UPDATE,
    S_CIT_INSERT,
    S_BOOKING_INSERT,
    S_BOOKING_UPSERT,
    S_VERSION_INSERT,
    S_CHARGES_DELETE,
    S_PRIORS_DELETE,
    S_CHARGE_INSERT,
    S_PRIOR_INSERT,
    S_VERSIONS,
    S_ROSTER,
    S_ROSTER_ALL,
    S_EACH,
    S_EACH_ALL,
    S_PERSON_JSON,
    S_BOOKING_JSON,
    S_LEDGER_HEAD,
    S_LEDGER_INSERT,
    S_LEDGER_HEAD_SET,
    S_LEDGER_EACH,
    S_LEDGER_ENTRY,
    S_COUNT_BOOKINGS,
    S_COUNT_PERSONS,
    S_COUNT_VERSIONS,
    S_COUNT_LEDGER,
    S_COUNT_CIT,
    S_STORE_EMPTY,
    S__N
};

#define IN_CUSTODY_ON(p)                                                                           \
    "(" p " IS NULL OR (b.booked_day <= " p " AND (b.released_day IS NULL OR b.released_day > " p  \
    ")))"

/* The roster and the export: the bookings in custody on day ?1 (CUST_CUSTODY_IDS), or
 * every booking (a statement of its own: "?1 IS NULL OR ..." could use no index). */
#define ROSTER(custody)                                                                            \
    "SELECT b.booking_number, b.person_id, p.person_key, p.last_name, p.first_name,"               \
    " p.middle_name, b.booked_at, b.facility, b.housing, b.arresting_agency,"                      \
    " p.citizenship_status, b.scheduled_release, b.computed_release, b.release_rule,"              \
    " b.release_disagreement, b.released_at, b.version"                                            \
    " FROM bookings b JOIN persons p ON p.id = b.person_id WHERE " custody                         \
    " AND (?2 IS NULL OR p.citizenship_status = ?2)"                                               \
    " AND (?3 IS NULL OR b.facility = ?3) AND (?4 = 0 OR b.release_disagreement = 1)"              \
    " AND (?5 IS NULL OR (b.key_last >= ?5 AND b.key_last < ?6)) ORDER BY b.booking_number"
#define EACH(custody)                                                                              \
    "SELECT b.booking_number, v.doc FROM bookings b JOIN booking_versions v"                       \
    " ON v.booking_id = b.id AND v.version = b.version WHERE " custody                             \
    " ORDER BY b.booking_number"

#define CIT_WINS                                                                                   \
    "(?18 IS NOT NULL AND (citizenship_rank < ?18 OR (citizenship_rank = ?18 AND"                  \
    " citizenship_recorded_at <= ?19)))"

/* A new booking (version 1); the upsert adds the new-version case. The booking's copy of its
 * person's name and its keys (?21-?24) are bound from C: the put has just written that name to the
 * person (put_person), and the keys are what the SQL function cust_name_key computes (the same C
 * function). Reading them back with four sub-selects cost ~15% of a bulk load's booking insert. */
#define BOOKING_INSERT                                                                             \
    "INSERT INTO bookings(booking_number, person_id, version, booked_at, booked_ts,"               \
    " booked_day, facility, housing, arresting_agency, scheduled_release,"                         \
    " release_date_public, released_at, released_day, release_reason, sentence_imposed_on,"        \
    " sentence_term_days, sentence_presentence_days, computed_release, release_rule,"              \
    " release_disagreement, search_last, search_first, key_last, key_first, public_charges)"       \
    " VALUES(?1, ?2, 1, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,"  \
    " ?19, ?21, ?22, ?23, ?24, ?20)"

static const char *const stmt_sql[S__N] = {
    [S_BEGIN] = "BEGIN IMMEDIATE",
    [S_COMMIT] = "COMMIT",
    [S_ROLLBACK] = "ROLLBACK",
    [S_CURRENT] = "SELECT b.version, v.doc FROM bookings b JOIN booking_versions v"
                  " ON v.booking_id = b.id AND v.version = b.version WHERE b.booking_number = ?1",
    [S_PERSON_BY_KEY] = "SELECT id FROM persons WHERE person_key = ?1",
    [S_PERSON_BY_CII] = "SELECT id FROM persons WHERE cii = ?1 ORDER BY id LIMIT 1",
    [S_PERSON_BY_FBI] = "SELECT id FROM persons WHERE fbi = ?1 ORDER BY id LIMIT 1",
    [S_PERSON_BY_SID] = "SELECT id FROM persons WHERE sid = ?1 ORDER BY id LIMIT 1",
    [S_PERSON_INSERT] =
        "INSERT INTO persons(person_key, last_name, first_name, middle_name, dob, sex, cii, fbi,"
        " sid, a_number, place_of_birth, home_address, immigration_status, aliases,"
        " sex_arson_registrant, citizenship_status, citizenship_rank, citizenship_recorded_at)"
        " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,"
        " coalesce(?16, 'unknown'), coalesce(?17, -1), coalesce(?18, ''))",
    [S_PERSON_UPDATE] =
        "UPDATE persons SET last_name = ?2, first_name = ?3, middle_name = ?4, dob = ?5,"
        " sex = coalesce(?6, sex), cii = coalesce(?7, cii), fbi = coalesce(?8, fbi),"
        " sid = coalesce(?9, sid), a_number = coalesce(?10, a_number),"
        " place_of_birth = coalesce(?11, place_of_birth),"
        " home_address = coalesce(?12, home_address),"
        " immigration_status = coalesce(?13, immigration_status),"
        " aliases = coalesce(?14, aliases),"
        " sex_arson_registrant = coalesce(?15, sex_arson_registrant),"
        " person_key = coalesce(person_key, ?1),"
        /* the carried citizenship value (?17 status, ?18 rank, ?19 recorded_at; NULL when none)
         * becomes current when it ranks at least as high; SET expressions see the old row */
        " citizenship_status = CASE WHEN " CIT_WINS " THEN ?17 ELSE citizenship_status END,"
        " citizenship_rank = CASE WHEN " CIT_WINS " THEN ?18 ELSE citizenship_rank END,"
        " citizenship_recorded_at = CASE WHEN " CIT_WINS " THEN ?19"
        " ELSE citizenship_recorded_at END WHERE id = ?16",
    [S_CIT_INSERT] =
        "INSERT OR IGNORE INTO citizenship_history(person_id, status, country, source, verified,"
        " recorded_at, booking_number, entered_at) VALUES(?1, ?2, coalesce(?3, ''),"
        " coalesce(?4, ''), ?5, coalesce(?6, ''), ?7, ?8)",
    [S_BOOKING_INSERT] = BOOKING_INSERT,
    [S_BOOKING_UPSERT] = BOOKING_INSERT
    " ON CONFLICT(booking_number) DO UPDATE SET person_id = excluded.person_id,"
    " version = version + 1, booked_at = excluded.booked_at, booked_ts = excluded.booked_ts,"
    " booked_day = excluded.booked_day, facility = excluded.facility,"
    " housing = excluded.housing, arresting_agency = excluded.arresting_agency,"
    " scheduled_release = excluded.scheduled_release,"
    " release_date_public = excluded.release_date_public,"
    " released_at = excluded.released_at, released_day = excluded.released_day,"
    " release_reason = excluded.release_reason,"
    " sentence_imposed_on = excluded.sentence_imposed_on,"
    " sentence_term_days = excluded.sentence_term_days,"
    " sentence_presentence_days = excluded.sentence_presentence_days,"
    " computed_release = excluded.computed_release, release_rule = excluded.release_rule,"
    " release_disagreement = excluded.release_disagreement,"
    " search_last = excluded.search_last, search_first = excluded.search_first,"
    " key_last = excluded.key_last, key_first = excluded.key_first,"
    " public_charges = excluded.public_charges"
    " RETURNING id, version",
    [S_VERSION_INSERT] = "INSERT INTO booking_versions(booking_id, version, recorded_at,"
                         " recorded_by, source, changed, doc) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [S_CHARGES_DELETE] = "DELETE FROM charges WHERE booking_id = ?1",
    [S_PRIORS_DELETE] = "DELETE FROM prior_convictions WHERE booking_id = ?1",
    [S_CHARGE_INSERT] =
        "INSERT INTO charges(booking_id, idx, code, description, level, status, held_to_answer,"
        " case_number, court, next_court_date, bail_cents) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
        " ?9, ?10, ?11)",
    [S_PRIOR_INSERT] = "INSERT INTO prior_convictions(booking_id, idx, person_id, code, level,"
                       " date, jurisdiction, flags) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [S_VERSIONS] = "SELECT v.version, v.recorded_at, v.recorded_by, v.source, v.changed, v.doc"
                   " FROM booking_versions v JOIN bookings b ON b.id = v.booking_id"
                   " WHERE b.booking_number = ?1 ORDER BY v.version",
    [S_ROSTER] = ROSTER("b.id IN (" CUST_CUSTODY_IDS("?1") ")"),
    [S_ROSTER_ALL] = ROSTER("?1 IS NULL"),
    [S_EACH] = EACH("b.id IN (" CUST_CUSTODY_IDS("?1") ")"),
    [S_EACH_ALL] = EACH("?1 IS NULL"),
    [S_PERSON_JSON] =
        "SELECT json_object('person_id', p.person_key, 'internal_id', p.id,"
        " 'last_name', p.last_name, 'first_name', p.first_name, 'middle_name', p.middle_name,"
        " 'dob', p.dob, 'sex', p.sex, 'ids', json_object('cii', p.cii, 'fbi', p.fbi, 'sid', p.sid,"
        " 'a_number', p.a_number), 'place_of_birth', p.place_of_birth,"
        " 'home_address', p.home_address, 'immigration_status', p.immigration_status,"
        " 'aliases', json(coalesce(p.aliases, '[]')),"
        " 'sex_arson_registrant', CASE p.sex_arson_registrant WHEN 1 THEN json('true')"
        "  WHEN 0 THEN json('false') END,"
        " 'citizenship_status', p.citizenship_status,"
        " 'citizenship_history', (SELECT json_group_array(json_object('status', h.status,"
        "  'country', nullif(h.country, ''), 'source', nullif(h.source, ''),"
        "  'verified', CASE h.verified WHEN 1 THEN json('true') WHEN 0 THEN json('false') END,"
        "  'recorded_at', nullif(h.recorded_at, ''), 'booking_number', h.booking_number,"
        "  'entered_at', h.entered_at)) FROM (SELECT * FROM citizenship_history"
        "  WHERE person_id = p.id ORDER BY id) h),"
        " 'bookings', (SELECT json_group_array(bn) FROM (SELECT booking_number AS bn"
        "  FROM bookings WHERE person_id = p.id ORDER BY booked_ts, id)),"
        " 'prior_convictions', (SELECT json_group_array(json_object('code', c.code,"
        "  'level', c.level, 'date', c.date, 'jurisdiction', c.jurisdiction))"
        "  FROM (SELECT DISTINCT code, level, date, jurisdiction FROM prior_convictions"
        "  WHERE person_id = p.id ORDER BY date, code) c))"
        " FROM persons p WHERE p.person_key = ?1 OR p.id = ?2 ORDER BY p.person_key = ?1 DESC"
        " LIMIT 1",
    [S_BOOKING_JSON] =
        "SELECT json_object('booking_number', b.booking_number, 'version', b.version,"
        " 'person_internal_id', b.person_id, 'person_id', p.person_key,"
        " 'citizenship_status', p.citizenship_status,"
        " 'in_custody_today', json(CASE WHEN " IN_CUSTODY_ON(
            "?2") " THEN 'true' ELSE 'false' END),"
                  " 'scheduled_release', b.scheduled_release,"
                  " 'computed_release', b.computed_release, 'release_rule', b.release_rule,"
                  " 'release_disagreement', json(CASE WHEN b.release_disagreement THEN 'true'"
                  "  ELSE 'false' END),"
                  " 'record', json(v.doc))"
                  " FROM bookings b JOIN persons p ON p.id = b.person_id JOIN booking_versions v"
                  " ON v.booking_id = b.id AND v.version = b.version WHERE b.booking_number = ?1",
    [S_LEDGER_HEAD] = "SELECT seq, hash FROM ledger_head WHERE id = 1",
    [S_LEDGER_INSERT] = "INSERT INTO ledger(seq, at, actor, role, action, object_type, object_id,"
                        " outcome, purpose, detail, prev_hash, hash, rows) VALUES(?1, ?2, ?3, ?4,"
                        " ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    [S_LEDGER_HEAD_SET] = "UPDATE ledger_head SET seq = ?1, hash = ?2 WHERE id = 1",
    [S_LEDGER_EACH] = "SELECT seq, at, actor, role, action, object_type, object_id, outcome,"
                      " purpose, detail, prev_hash, hash, rows FROM ledger ORDER BY seq",
    [S_LEDGER_ENTRY] = "SELECT seq, at, actor, role, action, object_type, object_id, outcome,"
                       " purpose, detail, prev_hash, hash, rows FROM ledger WHERE seq = ?1",
    [S_COUNT_BOOKINGS] = "SELECT count(*) FROM bookings",
    [S_COUNT_PERSONS] = "SELECT count(*) FROM persons",
    [S_COUNT_VERSIONS] = "SELECT count(*) FROM booking_versions",
    [S_COUNT_LEDGER] = "SELECT count(*) FROM ledger",
    [S_COUNT_CIT] = "SELECT count(*) FROM citizenship_history",
    [S_STORE_EMPTY] =
        "SELECT NOT EXISTS(SELECT 1 FROM bookings) AND NOT EXISTS(SELECT 1 FROM persons)",
};

struct sq {
    sqlite3 *db;
    char *path;
    sqlite3_stmt *st[S__N];
    void *requests; /* prepared statements of store_sqlite_requests.c */
    void *accounts; /* prepared statements of store_sqlite_accounts.c */
    void *public_;  /* prepared statements of store_sqlite_public.c */
    void *rows;     /* covered rows: statements and what this transaction wrote (_rows.c) */
    /* bulk load (sq_begin_bulk) */
    bool fk_off;            /* foreign_keys switched off for this transaction */
    bool bulk;              /* into a store that was empty: indexes dropped, lookups in memory */
    bool link_dropped;      /* the bulk load dropped link_indexes and has not built them again */
    struct cust_smap seen;  /* booking numbers put in this load -> booking row id */
    struct cust_smap pkeys; /* person_key -> person row id, for persons created in this load */
    struct cust_buf pub;    /* the public charges JSON of the booking being put (reused) */
    int64_t busy_since;     /* when the current wait for the write lock began (busy_wait), ns */
    int busy_ms;            /* how long busy_wait waits; 0 = BUSY_TIMEOUT_MS (set_lock_wait) */
    /* a published public view (CUST_STORE_PUBLIC): the file opened, when it was last looked at */
    bool public_file;
    dev_t pub_dev;
    ino_t pub_ino;
    int64_t pub_looked; /* monotonic seconds */
};

/*
 * Waiting for the write lock. SQLite's own busy handler (sqlite3_busy_timeout) sleeps 1, 2, 5,
 * 10, ... then 100 ms between tries, so under steady contention (the server's connections
 * all writing: every audited read appends to the ledger) a waiter that wakes late loses the
 * lock again and again, and after 5 s of that the request failed with "database is locked"
 * (the soak, docs/bench-soak.md). This one tries again every 0.5-1.5 ms (jittered, so waiters
 * do not wake in step) for up to BUSY_TIMEOUT_MS: the lock goes to a waiter within about a
 * millisecond of its release.
 */
#define BUSY_TIMEOUT_MS 5000

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int busy_wait(void *arg, int tries)
{
    struct sq *q = arg;
    int64_t now = mono_ns();
    if (tries == 0)
        q->busy_since = now;
    else if (now - q->busy_since >= (int64_t)(q->busy_ms ? q->busy_ms : BUSY_TIMEOUT_MS) * 1000000)
        return 0;
    struct timespec d = {0, 500000 + (long)((uint64_t)now % 1000000)};
    nanosleep(&d, NULL);
    return 1;
}

sqlite3_stmt *cust_sqlite_stmt(sqlite3 *db, const char *path, sqlite3_stmt **slot, const char *sql,
                               struct cust_err *err)
{
    if (!*slot) {
        if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, slot, NULL) != SQLITE_OK) {
            cust_sqlite_err(db, path, err, "prepare");
            *slot = NULL;
            return NULL;
        }
    } else {
        sqlite3_reset(*slot);
        sqlite3_clear_bindings(*slot);
    }
    return *slot;
}

static enum cust_status db_err(struct sq *q, struct cust_err *err, const char *what)
{
    return cust_sqlite_err(q->db, q->path, err, what);
}

enum cust_status cust_sqlite_err(sqlite3 *db, const char *path, struct cust_err *err,
                                 const char *what)
{
    /* an I/O failure names the system's reason too ("disk I/O error" alone hides a full disk) */
    int rc = sqlite3_errcode(db) & 0xff, sys = sqlite3_system_errno(db);
    if ((rc == SQLITE_IOERR || rc == SQLITE_FULL || rc == SQLITE_CANTOPEN) && sys > 0)
        return cust_err_set(err, CUST_EDB, "store '%s': %s: %s (%s)", path, what,
                            sqlite3_errmsg(db), strerror(sys));
    if (rc == SQLITE_IOERR) /* e.g. growing the WAL index: SQLite keeps no errno for it */
        return cust_err_set(err, CUST_EDB,
                            "store '%s': %s: %s (no reason given: check the free space and the "
                            "kernel log)",
                            path, what, sqlite3_errmsg(db));
    return cust_err_set(err, CUST_EDB, "store '%s': %s: %s", path, what, sqlite3_errmsg(db));
}

/* The prepared statement `id`, reset and with bindings cleared. */
static sqlite3_stmt *stmt(struct sq *q, enum stmt_id id, struct cust_err *err)
{
    return cust_sqlite_stmt(q->db, q->path, &q->st[id], stmt_sql[id], err);
}

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, i);
}

static void bind_tri(sqlite3_stmt *s, int i, int v)
{
    if (v < 0)
        sqlite3_bind_null(s, i);
    else
        sqlite3_bind_int(s, i, v);
}

static void bind_day(sqlite3_stmt *s, int i, int32_t day)
{
    if (day == CUST_NO_DAY)
        sqlite3_bind_null(s, i);
    else
        sqlite3_bind_int(s, i, day);
}

static const char *col_text(sqlite3_stmt *s, int i)
{
    return (const char *)sqlite3_column_text(s, i);
}

/* Step a statement that returns no rows. */
static enum cust_status run(struct sq *q, sqlite3_stmt *s, struct cust_err *err, const char *what)
{
    int rc = sqlite3_step(s);
    enum cust_status st = CUST_OK;
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        st = db_err(q, err, what); /* before the reset, which forgets the system's errno */
    sqlite3_reset(s);
    return st;
}

/* A statement's first words for a message (constant DDL or a pragma, no data): "BEGIN IMMEDIATE".
 */
static void sql_label(const char *sql, char *out, size_t n)
{
    sql += strspn(sql, " \t\n");
    snprintf(out, n, "%.*s", (int)strcspn(sql, "(;\n"), sql);
}

/* Run a script of constant DDL statements one prepared statement at a time. */
static enum cust_status run_script(struct sq *q, const char *sql, struct cust_err *err)
{
    const char *tail = sql;
    char what[48];
    while (tail && *tail) {
        sqlite3_stmt *s = NULL;
        const char *head = tail;
        int rc = sqlite3_prepare_v2(q->db, tail, -1, &s, &tail);
        if (rc == SQLITE_OK && !s)
            break;
        if (rc == SQLITE_OK)
            rc = sqlite3_step(s);
        sqlite3_finalize(s);
        if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
            sql_label(head, what, sizeof(what));
            return db_err(q, err, what);
        }
    }
    return CUST_OK;
}

static enum cust_status one_shot(struct sq *q, const char *sql, struct cust_err *err)
{
    return run_script(q, sql, err);
}

/* The schema version the store is at (0 for a new file), read without taking a lock. */
static enum cust_status schema_have(struct sq *q, int *have, struct cust_err *err)
{
    sqlite3_stmt *s = NULL;
    *have = 0;
    int rc = sqlite3_prepare_v2(q->db,
                                "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
                                " AND name = 'schema_migrations'",
                                -1, &s, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(s);
    bool exists = rc == SQLITE_ROW && sqlite3_column_int(s, 0) > 0;
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW)
        return db_err(q, err, "schema version");
    if (!exists)
        return CUST_OK;
    s = NULL;
    rc = sqlite3_prepare_v2(q->db, "SELECT coalesce(max(version), 0) FROM schema_migrations", -1,
                            &s, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *have = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    return rc == SQLITE_ROW ? CUST_OK : db_err(q, err, "schema version");
}

/* Bring the schema up to date. The write lock is taken only when a migration is due, so
 * opening a current store never waits for (or blocks) a writer. */
static enum cust_status migrate(struct sq *q, struct cust_err *err)
{
    int have = 0;
    enum cust_status st = schema_have(q, &have, err);
    if (st != CUST_OK || have == cust_store_schema_version())
        return st;
    if (have > cust_store_schema_version())
        return cust_err_set(err, CUST_EDB,
                            "store '%s' is at schema %d, newer than this program (%d)", q->path,
                            have, cust_store_schema_version());
    st = one_shot(q, "BEGIN IMMEDIATE", err);
    if (st != CUST_OK)
        return st;
    st = one_shot(q,
                  "CREATE TABLE IF NOT EXISTS schema_migrations(version INTEGER PRIMARY KEY,"
                  " applied_at TEXT NOT NULL)",
                  err);
    sqlite3_stmt *s = NULL;
    if (st == CUST_OK) { /* again under the lock: another process may have migrated meanwhile */
        if (sqlite3_prepare_v2(q->db, "SELECT coalesce(max(version), 0) FROM schema_migrations", -1,
                               &s, NULL) != SQLITE_OK ||
            sqlite3_step(s) != SQLITE_ROW)
            st = db_err(q, err, "schema version");
        else
            have = sqlite3_column_int(s, 0);
        sqlite3_finalize(s);
    }
    if (st == CUST_OK && have > cust_store_schema_version())
        st = cust_err_set(err, CUST_EDB, "store '%s' is at schema %d, newer than this program (%d)",
                          q->path, have, cust_store_schema_version());
    for (int v = have + 1; st == CUST_OK && v <= cust_store_schema_version(); v++) {
        for (const char *const *m = migrations[v - 1]; st == CUST_OK && *m; m++)
            st = run_script(q, *m, err);
        if (st != CUST_OK)
            break;
        char now[32];
        cust_time_format(cust_now(), 0, true, now);
        s = NULL;
        if (sqlite3_prepare_v2(q->db,
                               "INSERT INTO schema_migrations(version, applied_at) VALUES(?1, ?2)",
                               -1, &s, NULL) != SQLITE_OK) {
            st = db_err(q, err, "migration");
            break;
        }
        sqlite3_bind_int(s, 1, v);
        sqlite3_bind_text(s, 2, now, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(s) != SQLITE_DONE)
            st = db_err(q, err, "migration");
        sqlite3_finalize(s);
    }
    if (st != CUST_OK) {
        one_shot(q, "ROLLBACK", NULL);
        return st;
    }
    return one_shot(q, "COMMIT", err);
}

/* Without CUST_STORE_MIGRATE: a new (empty) store gets the whole schema; a store at an older
 * schema is refused, naming the command that migrates it. */
static enum cust_status schema_current(struct sq *q, struct cust_err *err)
{
    int have = 0;
    enum cust_status st = schema_have(q, &have, err);
    if (st != CUST_OK || have == cust_store_schema_version())
        return st;
    if (have == 0)
        return migrate(q, err);
    if (have > cust_store_schema_version())
        return cust_err_set(err, CUST_EDB,
                            "store '%s' is at schema %d, newer than this program (%d): use the "
                            "newer program that wrote it",
                            q->path, have, cust_store_schema_version());
    return cust_err_set(err, CUST_EDB,
                        "store '%s' is at schema %d and this program needs schema %d: run "
                        "'custodian migrate' (keep a copy of the store first)",
                        q->path, have, cust_store_schema_version());
}

/* ---- ops ------------------------------------------------------------------------------- */

static void sq_close(void *impl)
{
    struct sq *q = impl;
    for (int i = 0; i < S__N; i++)
        sqlite3_finalize(q->st[i]);
    cust_sqlite_requests_free(q->requests);
    cust_sqlite_accounts_free(q->accounts);
    cust_sqlite_public_free(q->public_);
    cust_sqlite_rows_free(q->rows);
    cust_buf_release(&q->pub);
    sqlite3_close_v2(q->db);
    cust_smap_release(&q->seen);
    cust_smap_release(&q->pkeys);
    free(q->path);
    free(q);
}

static enum cust_status sq_exec_id(struct sq *q, enum stmt_id id, struct cust_err *err)
{
    sqlite3_stmt *s = stmt(q, id, err);
    if (!s)
        return CUST_EDB;
    return run(q, s, err, stmt_sql[id]);
}

static void sq_set_lock_wait(void *impl, int ms)
{
    struct sq *q = impl;
    q->busy_ms = ms < 0 ? 0 : ms > 0 ? ms : 1;
}

static enum cust_status sq_begin(void *impl, struct cust_err *err)
{
    return sq_exec_id(impl, S_BEGIN, err);
}

/* A deferred transaction reading once: SQLite (WAL) pins the snapshot at its first read, and
 * every statement until COMMIT reads that snapshot. A read-only connection may do this too. */
static enum cust_status sq_snapshot_begin(void *impl, struct cust_err *err)
{
    struct sq *q = impl;
    enum cust_status st = one_shot(q, "BEGIN DEFERRED", err);
    if (st == CUST_OK && (st = run_script(q, "SELECT count(*) FROM sqlite_schema", err)) != CUST_OK)
        one_shot(q, "ROLLBACK", NULL);
    return st;
}

static void sq_snapshot_end(void *impl)
{
    struct sq *q = impl;
    if (one_shot(q, "COMMIT", NULL) != CUST_OK)
        one_shot(q, "ROLLBACK", NULL);
}

/* Leave bulk mode (after the transaction ended): foreign keys back on, maps freed. */
static void end_bulk(struct sq *q)
{
    if (q->fk_off)
        run_script(q, "PRAGMA foreign_keys=ON; PRAGMA cache_size=" CACHE_KIB, NULL);
    q->fk_off = false;
    q->bulk = false;
    q->link_dropped = false;
    cust_smap_release(&q->seen);
    cust_smap_release(&q->pkeys);
}

/*
 * A bulk load. Foreign keys are not checked during it: every id a put writes into a child row
 * is one this backend just read or created in the same transaction, so the checks (six parent
 * lookups per booking) could never fail. When the store is empty at the start, the secondary
 * indexes no lookup of the load needs are dropped and built again at the commit (a sort each
 * instead of a random insert per row), and "does this booking / person_key exist" is answered
 * from the in-memory sets of what this load wrote (nothing else can exist).
 */
static enum cust_status sq_begin_bulk(void *impl, struct cust_err *err)
{
    struct sq *q = impl;
    enum cust_status st =
        run_script(q, "PRAGMA foreign_keys=OFF; PRAGMA cache_size=" BULK_CACHE_KIB, err);
    if (st != CUST_OK)
        return st;
    q->fk_off = true;
    if ((st = sq_begin(q, err)) != CUST_OK) {
        end_bulk(q);
        return st;
    }
    sqlite3_stmt *s = stmt(q, S_STORE_EMPTY, err);
    if (!s)
        st = CUST_EDB;
    else if (sqlite3_step(s) != SQLITE_ROW)
        st = db_err(q, err, "bulk load");
    else
        q->bulk = sqlite3_column_int(s, 0) == 1;
    if (s)
        sqlite3_reset(s);
    for (size_t i = 0; st == CUST_OK && q->bulk && i < CUST_ARRAY_LEN(bulk_indexes); i++)
        st = run_script(q, bulk_indexes[i][0], err);
    for (size_t i = 0; st == CUST_OK && q->bulk && i < CUST_ARRAY_LEN(link_indexes); i++)
        st = run_script(q, link_indexes[i][0], err);
    q->link_dropped = q->bulk && st == CUST_OK;
    if (st != CUST_OK) {
        sq_exec_id(q, S_ROLLBACK, NULL);
        end_bulk(q);
    }
    return st;
}

/* Build the linking indexes a bulk load dropped (one sort each), if it did. */
static enum cust_status build_link_indexes(struct sq *q, struct cust_err *err)
{
    enum cust_status st = CUST_OK;
    for (size_t i = 0; q->link_dropped && st == CUST_OK && i < CUST_ARRAY_LEN(link_indexes); i++)
        st = run_script(q, link_indexes[i][1], err);
    if (st == CUST_OK)
        q->link_dropped = false;
    return st;
}

static enum cust_status sq_commit(void *impl, struct cust_err *err)
{
    struct sq *q = impl;
    enum cust_status st = CUST_OK;
    /* every covered row this transaction wrote must be in the ledger's journal */
    if (cust_sqlite_rows_ops.pending(q))
        return cust_err_set(err, CUST_EINTEGRITY,
                            "store '%s': rows were written without a ledger entry; not committed",
                            q->path);
    if (q->bulk)
        st = run_script(q, CUST_SQLITE_NAME_COPY_FIX, err);
    for (size_t i = 0; q->bulk && st == CUST_OK && i < CUST_ARRAY_LEN(bulk_indexes); i++)
        st = run_script(q, bulk_indexes[i][1], err);
    if (st == CUST_OK)
        st = build_link_indexes(q, err);
    if (st == CUST_OK)
        st = sq_exec_id(q, S_COMMIT, err);
    if (st == CUST_OK) {
        cust_sqlite_rows_forget(q);
        end_bulk(q);
    }
    return st; /* on failure the front calls rollback, which ends the bulk mode */
}

static enum cust_status sq_rollback(void *impl, struct cust_err *err)
{
    struct sq *q = impl;
    enum cust_status st = CUST_OK;
    if (!sqlite3_get_autocommit(q->db))
        st = sq_exec_id(q, S_ROLLBACK, err);
    cust_sqlite_rows_forget(q);
    end_bulk(q);
    return st;
}

static enum cust_status sq_current(void *impl, const char *bn, int *version, char **doc,
                                   struct cust_err *err)
{
    struct sq *q = impl;
    if (doc)
        *doc = NULL;
    if (q->bulk && !cust_smap_get(&q->seen, bn, NULL))
        return cust_err_set(err, CUST_ENOTFOUND, "no booking '%s'", bn);
    sqlite3_stmt *s = stmt(q, S_CURRENT, err);
    if (!s)
        return CUST_EDB;
    bind_text(s, 1, bn);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(s);
        return cust_err_set(err, CUST_ENOTFOUND, "no booking '%s'", bn);
    }
    if (rc != SQLITE_ROW)
        return db_err(q, err, "current version");
    if (version)
        *version = sqlite3_column_int(s, 0);
    if (doc)
        *doc = cust_xstrdup(col_text(s, 1));
    sqlite3_reset(s);
    return CUST_OK;
}

/* Look a person up by one key statement; 0 when not found, -1 on error. */
static int64_t find_person(struct sq *q, enum stmt_id id, const char *key, struct cust_err *err)
{
    sqlite3_stmt *s = stmt(q, id, err);
    if (!s)
        return -1;
    bind_text(s, 1, key);
    int rc = sqlite3_step(s);
    int64_t pid = 0;
    if (rc == SQLITE_ROW)
        pid = sqlite3_column_int64(s, 0);
    else if (rc != SQLITE_DONE) {
        db_err(q, err, "find person");
        pid = -1;
    }
    sqlite3_reset(s);
    return pid;
}

static void bind_person(sqlite3_stmt *s, const struct cust_person *p)
{
    bind_text(s, 1, p->person_key);
    bind_text(s, 2, p->last_name);
    bind_text(s, 3, p->first_name);
    bind_text(s, 4, p->middle_name);
    bind_text(s, 5, p->dob);
    bind_text(s, 6, p->sex);
    bind_text(s, 7, p->cii);
    bind_text(s, 8, p->fbi);
    bind_text(s, 9, p->sid);
    bind_text(s, 10, p->a_number);
    bind_text(s, 11, p->place_of_birth);
    bind_text(s, 12, p->home_address);
    bind_text(s, 13, p->immigration_status);
    bind_text(s, 14, p->aliases_json);
    bind_tri(s, 15, p->sex_arson_registrant);
}

/* The carried citizenship value as (status, rank, recorded_at) at parameters i..i+2, left
 * NULL when the booking carries none. */
static void bind_citizenship(sqlite3_stmt *s, int i, const struct cust_person *p)
{
    if (!p->has_citizenship)
        return;
    const struct cust_citizenship *c = &p->citizenship;
    bind_text(s, i, c->status ? c->status : "unknown");
    sqlite3_bind_int(s, i + 1, cust_citizenship_rank(c));
    bind_text(s, i + 2, c->recorded_at ? c->recorded_at : "");
}

/* cust_name_key(name) as the SQL function computes it (NULL for NULL), into `key`. */
static const char *name_key_of(const char *name, char key[CUST_NAME_KEY_MAX])
{
    if (!name)
        return NULL;
    cust_name_key(name, strlen(name), key, CUST_NAME_KEY_MAX, NULL);
    return key;
}

static enum cust_status put_person(struct sq *q, const struct cust_booking *b,
                                   const struct cust_put_meta *meta, struct cust_put_result *res,
                                   struct cust_err *err)
{
    const struct cust_person *p = &b->person;
    int64_t pid = 0;
    if (p->person_key && q->bulk) {
        if (!cust_smap_get(&q->pkeys, p->person_key, &pid))
            pid = 0;
    } else if (p->person_key) {
        pid = find_person(q, S_PERSON_BY_KEY, p->person_key, err);
    } else if ((p->cii || p->fbi || p->sid) && build_link_indexes(q, err) != CUST_OK) {
        return CUST_EDB;
    } else {
        if (pid == 0 && p->cii)
            pid = find_person(q, S_PERSON_BY_CII, p->cii, err);
        if (pid == 0 && p->fbi)
            pid = find_person(q, S_PERSON_BY_FBI, p->fbi, err);
        if (pid == 0 && p->sid)
            pid = find_person(q, S_PERSON_BY_SID, p->sid, err);
    }
    if (pid < 0)
        return CUST_EDB;
    sqlite3_stmt *s;
    res->person_created = pid == 0;
    if (pid == 0) {
        if (!(s = stmt(q, S_PERSON_INSERT, err)))
            return CUST_EDB;
        bind_person(s, p);
        bind_citizenship(s, 16, p); /* a new person's current value is this one */
        if (run(q, s, err, "insert person") != CUST_OK)
            return CUST_EDB;
        pid = sqlite3_last_insert_rowid(q->db);
        if (q->bulk && p->person_key)
            cust_smap_put(&q->pkeys, p->person_key, pid);
    } else {
        if (!(s = stmt(q, S_PERSON_UPDATE, err)))
            return CUST_EDB;
        bind_person(s, p);
        sqlite3_bind_int64(s, 16, pid);
        bind_citizenship(s, 17, p);
        if (run(q, s, err, "update person") != CUST_OK)
            return CUST_EDB;
    }
    res->person_id = pid;
    cust_sqlite_rows_track(q, CT_PERSONS, pid, NULL);
    if (p->has_citizenship) {
        const struct cust_citizenship *c = &p->citizenship;
        if (!(s = stmt(q, S_CIT_INSERT, err)))
            return CUST_EDB;
        sqlite3_bind_int64(s, 1, pid);
        bind_text(s, 2, c->status ? c->status : "unknown");
        bind_text(s, 3, c->country);
        bind_text(s, 4, c->source);
        sqlite3_bind_int(s, 5, c->verified);
        bind_text(s, 6, c->recorded_at);
        bind_text(s, 7, b->booking_number);
        bind_text(s, 8, meta->recorded_at);
        if (run(q, s, err, "citizenship history") != CUST_OK)
            return CUST_EDB;
        if (sqlite3_changes(q->db) > 0) /* a value new for this person */
            cust_sqlite_rows_track(q, CT_CITIZENSHIP, sqlite3_last_insert_rowid(q->db), NULL);
    }
    return CUST_OK;
}

static enum cust_status sq_put(void *impl, const struct cust_booking *b,
                               const struct cust_put_meta *meta, struct cust_put_result *res,
                               struct cust_err *err)
{
    struct sq *q = impl;
    memset(res, 0, sizeof(*res));
    if (put_person(q, b, meta, res, err) != CUST_OK)
        return CUST_EDB;

    /* in a bulk load, a booking number the load has not written is new: a plain insert */
    bool fresh = q->bulk && !cust_smap_get(&q->seen, b->booking_number, NULL);
    sqlite3_stmt *s = stmt(q, fresh ? S_BOOKING_INSERT : S_BOOKING_UPSERT, err);
    if (!s)
        return CUST_EDB;
    char computed[11] = "", sentence_day[11] = "";
    (void)sentence_day;
    bind_text(s, 1, b->booking_number);
    sqlite3_bind_int64(s, 2, res->person_id);
    bind_text(s, 3, b->booked_at);
    sqlite3_bind_int64(s, 4, b->booked_ts);
    sqlite3_bind_int(s, 5, b->booked_day);
    bind_text(s, 6, b->facility);
    bind_text(s, 7, b->housing);
    bind_text(s, 8, b->arresting_agency);
    bind_text(s, 9, b->scheduled_release);
    sqlite3_bind_int(s, 10, b->release_date_public == 1);
    bind_text(s, 11, b->released_at);
    bind_day(s, 12, b->released_day);
    bind_text(s, 13, b->release_reason);
    if (b->has_sentence) {
        sqlite3_bind_int(s, 14, b->sentence_imposed_on);
        sqlite3_bind_int(s, 15, b->sentence_term_days);
        sqlite3_bind_int(s, 16, b->sentence_presentence_days);
    }
    if (b->computed_release != CUST_NO_DAY) {
        cust_date_format(b->computed_release, computed);
        bind_text(s, 17, computed);
        bind_text(s, 18, b->release_rule);
    }
    sqlite3_bind_int(s, 19, b->release_disagreement ? 1 : 0);
    /* bookings.public_charges (store_bytes.h), bound to the booking insert rather than set by
     * an UPDATE after the charges: that UPDATE cost ~9 µs a booking */
    if (cust_store_public_charges_json(&q->pub, b) != CUST_OK) {
        sqlite3_reset(s);
        return cust_err_set(err, CUST_ENOMEM, "public charges of '%s'", b->booking_number);
    }
    sqlite3_bind_text(s, 20, q->pub.buf, (int)q->pub.len, SQLITE_STATIC);
    char key_last[CUST_NAME_KEY_MAX], key_first[CUST_NAME_KEY_MAX];
    const struct cust_person *p = &b->person;
    bind_text(s, 21, p->last_name);
    bind_text(s, 22, p->first_name);
    bind_text(s, 23, name_key_of(p->last_name, key_last));
    bind_text(s, 24, name_key_of(p->first_name, key_first));
    int64_t bid;
    if (fresh) {
        if (run(q, s, err, "put booking") != CUST_OK)
            return CUST_EDB;
        bid = sqlite3_last_insert_rowid(q->db);
        res->version = 1;
    } else {
        if (sqlite3_step(s) != SQLITE_ROW) {
            enum cust_status st = db_err(q, err, "put booking");
            sqlite3_reset(s);
            return st;
        }
        bid = sqlite3_column_int64(s, 0);
        res->version = sqlite3_column_int(s, 1);
        sqlite3_reset(s);
    }
    if (q->bulk && res->version == 1)
        cust_smap_put(&q->seen, b->booking_number, bid);

    if (!(s = stmt(q, S_VERSION_INSERT, err)))
        return CUST_EDB;
    sqlite3_bind_int64(s, 1, bid);
    sqlite3_bind_int(s, 2, res->version);
    bind_text(s, 3, meta->recorded_at);
    bind_text(s, 4, meta->recorded_by);
    bind_text(s, 5, meta->source);
    bind_text(s, 6, meta->changed);
    sqlite3_bind_text(s, 7, b->doc, (int)b->doc_len, SQLITE_STATIC);
    if (run(q, s, err, "insert version") != CUST_OK)
        return CUST_EDB;
    struct cust_val vals[CUST_ROWS_VERSION_VALS]; /* kept as its hash: never changed */
    cust_sqlite_rows_keep_hash(q, CT_BOOKING_VERSIONS, vals,
                               cust_rows_version_vals(vals, sqlite3_last_insert_rowid(q->db), bid,
                                                      res->version, meta, b->doc, b->doc_len));
    cust_sqlite_rows_track(q, CT_BOOKINGS, bid, NULL); /* with its charges and priors */

    if (res->version > 1) {
        if (!(s = stmt(q, S_CHARGES_DELETE, err)))
            return CUST_EDB;
        sqlite3_bind_int64(s, 1, bid);
        if (run(q, s, err, "replace charges") != CUST_OK)
            return CUST_EDB;
        if (!(s = stmt(q, S_PRIORS_DELETE, err)))
            return CUST_EDB;
        sqlite3_bind_int64(s, 1, bid);
        if (run(q, s, err, "replace priors") != CUST_OK)
            return CUST_EDB;
    }
    for (size_t i = 0; i < b->n_charges; i++) {
        const struct cust_charge *c = &b->charges[i];
        if (!(s = stmt(q, S_CHARGE_INSERT, err)))
            return CUST_EDB;
        sqlite3_bind_int64(s, 1, bid);
        sqlite3_bind_int(s, 2, (int)i);
        bind_text(s, 3, c->code);
        bind_text(s, 4, c->description);
        bind_text(s, 5, c->level);
        bind_text(s, 6, c->status);
        bind_tri(s, 7, c->held_to_answer);
        bind_text(s, 8, c->case_number);
        bind_text(s, 9, c->court);
        bind_text(s, 10, c->next_court_date);
        if (c->bail_cents >= 0)
            sqlite3_bind_int64(s, 11, c->bail_cents);
        if (run(q, s, err, "insert charge") != CUST_OK)
            return CUST_EDB;
    }
    for (size_t i = 0; i < b->n_priors; i++) {
        const struct cust_prior *c = &b->priors[i];
        if (!(s = stmt(q, S_PRIOR_INSERT, err)))
            return CUST_EDB;
        sqlite3_bind_int64(s, 1, bid);
        sqlite3_bind_int(s, 2, (int)i);
        sqlite3_bind_int64(s, 3, res->person_id);
        bind_text(s, 4, c->code);
        bind_text(s, 5, c->level);
        bind_text(s, 6, c->date);
        bind_text(s, 7, c->jurisdiction);
        bind_text(s, 8, c->flags_json);
        if (run(q, s, err, "insert prior conviction") != CUST_OK)
            return CUST_EDB;
    }
    return CUST_OK;
}

static enum cust_status sq_versions(void *impl, const char *bn, cust_version_fn fn, void *arg,
                                    struct cust_err *err)
{
    struct sq *q = impl;
    sqlite3_stmt *s = stmt(q, S_VERSIONS, err);
    if (!s)
        return CUST_EDB;
    bind_text(s, 1, bn);
    int rc, n = 0;
    enum cust_status st = CUST_OK;
    while (st == CUST_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct cust_version v = {sqlite3_column_int(s, 0), col_text(s, 1), col_text(s, 2),
                                 col_text(s, 3),           col_text(s, 4), col_text(s, 5)};
        n++;
        st = fn(&v, arg);
    }
    if (st == CUST_OK && rc != SQLITE_DONE)
        st = db_err(q, err, "versions");
    sqlite3_reset(s);
    if (st == CUST_OK && n == 0)
        return cust_err_set(err, CUST_ENOTFOUND, "no booking '%s'", bn);
    return st;
}

static enum cust_status sq_roster(void *impl, const struct cust_roster_filter *f, cust_roster_fn fn,
                                  void *arg, struct cust_err *err)
{
    struct sq *q = impl;
    sqlite3_stmt *s = stmt(q, f->day == CUST_NO_DAY ? S_ROSTER_ALL : S_ROSTER, err);
    if (!s)
        return CUST_EDB;
    bind_day(s, 1, f->day);
    bind_text(s, 2, f->citizenship);
    bind_text(s, 3, f->facility);
    sqlite3_bind_int(s, 4, f->disagreements_only ? 1 : 0);
    char last[CUST_NAME_KEY_MAX], end[CUST_NAME_KEY_MAX + 1];
    if (f->last_name) {
        cust_name_key(f->last_name, strlen(f->last_name), last, sizeof(last), NULL);
        cust_name_key_range(last, end, sizeof(end));
    }
    bind_text(s, 5, f->last_name ? last : NULL);
    bind_text(s, 6, f->last_name ? end : NULL);
    int rc;
    enum cust_status st = CUST_OK;
    while (st == CUST_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct cust_roster_row r = {
            .booking_number = col_text(s, 0),
            .person_id = sqlite3_column_int64(s, 1),
            .person_key = col_text(s, 2),
            .last_name = col_text(s, 3),
            .first_name = col_text(s, 4),
            .middle_name = col_text(s, 5),
            .booked_at = col_text(s, 6),
            .facility = col_text(s, 7),
            .housing = col_text(s, 8),
            .arresting_agency = col_text(s, 9),
            .citizenship_status = col_text(s, 10),
            .scheduled_release = col_text(s, 11),
            .computed_release = col_text(s, 12),
            .release_rule = col_text(s, 13),
            .release_disagreement = sqlite3_column_int(s, 14) != 0,
            .released_at = col_text(s, 15),
            .version = sqlite3_column_int(s, 16),
        };
        st = fn(&r, arg);
    }
    if (st == CUST_OK && rc != SQLITE_DONE)
        st = db_err(q, err, "roster");
    sqlite3_reset(s);
    return st;
}

static enum cust_status sq_each(void *impl, int32_t day, cust_doc_fn fn, void *arg,
                                struct cust_err *err)
{
    struct sq *q = impl;
    sqlite3_stmt *s = stmt(q, day == CUST_NO_DAY ? S_EACH_ALL : S_EACH, err);
    if (!s)
        return CUST_EDB;
    bind_day(s, 1, day);
    int rc;
    enum cust_status st = CUST_OK;
    while (st == CUST_OK && (rc = sqlite3_step(s)) == SQLITE_ROW)
        st = fn(col_text(s, 0), col_text(s, 1), arg);
    if (st == CUST_OK && rc != SQLITE_DONE)
        st = db_err(q, err, "export");
    sqlite3_reset(s);
    return st;
}

/* Run a one-row, one-text-column statement; *out is a new string. */
static enum cust_status one_text(struct sq *q, sqlite3_stmt *s, char **out, const char *what,
                                 const char *key, struct cust_err *err)
{
    int rc = sqlite3_step(s);
    enum cust_status st = CUST_OK;
    if (rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
        *out = cust_xstrdup(col_text(s, 0));
    else if (rc == SQLITE_DONE || rc == SQLITE_ROW)
        st = cust_err_set(err, CUST_ENOTFOUND, "no %s '%s'", what, key);
    else
        st = db_err(q, err, what);
    sqlite3_reset(s);
    return st;
}

static enum cust_status sq_person_json(void *impl, const char *key, char **json,
                                       struct cust_err *err)
{
    struct sq *q = impl;
    *json = NULL;
    sqlite3_stmt *s = stmt(q, S_PERSON_JSON, err);
    if (!s)
        return CUST_EDB;
    bind_text(s, 1, key);
    if (key[0] == '#') {
        char *end;
        long long id = strtoll(key + 1, &end, 10);
        if (*end == '\0' && end != key + 1)
            sqlite3_bind_int64(s, 2, id);
    }
    return one_text(q, s, json, "person", key, err);
}

static enum cust_status sq_booking_json(void *impl, const char *bn, char **json,
                                        struct cust_err *err)
{
    struct sq *q = impl;
    *json = NULL;
    sqlite3_stmt *s = stmt(q, S_BOOKING_JSON, err);
    if (!s)
        return CUST_EDB;
    bind_text(s, 1, bn);
    sqlite3_bind_int(s, 2, cust_today());
    return one_text(q, s, json, "booking", bn, err);
}

static enum cust_status sq_count(void *impl, const char *what, int64_t *n, struct cust_err *err)
{
    struct sq *q = impl;
    static const struct {
        const char *name;
        enum stmt_id id;
    } map[] = {{"bookings", S_COUNT_BOOKINGS},
               {"persons", S_COUNT_PERSONS},
               {"versions", S_COUNT_VERSIONS},
               {"ledger", S_COUNT_LEDGER},
               {"citizenship_history", S_COUNT_CIT}};
    for (size_t i = 0; i < CUST_ARRAY_LEN(map); i++) {
        if (strcmp(what, map[i].name) != 0)
            continue;
        sqlite3_stmt *s = stmt(q, map[i].id, err);
        if (!s)
            return CUST_EDB;
        if (sqlite3_step(s) != SQLITE_ROW) {
            sqlite3_reset(s);
            return db_err(q, err, "count");
        }
        *n = sqlite3_column_int64(s, 0);
        sqlite3_reset(s);
        return CUST_OK;
    }
    return cust_err_set(err, CUST_EINVAL, "cannot count '%s'", what);
}

static enum cust_status sq_ledger_head(void *impl, int64_t *seq, char hash[65],
                                       struct cust_err *err)
{
    struct sq *q = impl;
    sqlite3_stmt *s = stmt(q, S_LEDGER_HEAD, err);
    if (!s)
        return CUST_EDB;
    if (sqlite3_step(s) != SQLITE_ROW) {
        sqlite3_reset(s);
        return cust_err_set(err, CUST_EINTEGRITY, "the ledger head is missing");
    }
    *seq = sqlite3_column_int64(s, 0);
    const char *h = col_text(s, 1);
    snprintf(hash, 65, "%s", h ? h : "");
    sqlite3_reset(s);
    return CUST_OK;
}

static enum cust_status sq_ledger_insert(void *impl, const struct cust_ledger_row *r,
                                         struct cust_err *err)
{
    struct sq *q = impl;
    sqlite3_stmt *s = stmt(q, S_LEDGER_INSERT, err);
    if (!s)
        return CUST_EDB;
    sqlite3_bind_int64(s, 1, r->seq);
    bind_text(s, 2, r->at);
    bind_text(s, 3, r->actor);
    bind_text(s, 4, r->role);
    bind_text(s, 5, r->action);
    bind_text(s, 6, r->object_type);
    bind_text(s, 7, r->object_id);
    bind_text(s, 8, r->outcome);
    bind_text(s, 9, r->purpose);
    bind_text(s, 10, r->detail);
    bind_text(s, 11, r->prev_hash);
    bind_text(s, 12, r->hash);
    bind_text(s, 13, r->rows);
    if (run(q, s, err, "ledger append") != CUST_OK)
        return CUST_EDB;
    if (!(s = stmt(q, S_LEDGER_HEAD_SET, err)))
        return CUST_EDB;
    sqlite3_bind_int64(s, 1, r->seq);
    bind_text(s, 2, r->hash);
    return run(q, s, err, "ledger head");
}

/* The ledger row at a stepped statement of S_LEDGER_EACH or S_LEDGER_ENTRY (same columns). */
static struct cust_ledger_row ledger_row_of(sqlite3_stmt *s)
{
    return (struct cust_ledger_row){
        .seq = sqlite3_column_int64(s, 0),
        .at = col_text(s, 1),
        .actor = col_text(s, 2),
        .role = col_text(s, 3),
        .action = col_text(s, 4),
        .object_type = col_text(s, 5),
        .object_id = col_text(s, 6),
        .outcome = col_text(s, 7),
        .purpose = col_text(s, 8),
        .detail = col_text(s, 9),
        .prev_hash = col_text(s, 10),
        .hash = col_text(s, 11),
        .rows = col_text(s, 12),
    };
}

static enum cust_status sq_ledger_each(void *impl, cust_ledger_fn fn, void *arg, int64_t *head_seq,
                                       char head_hash[65], struct cust_err *err)
{
    struct sq *q = impl;
    enum cust_status st = sq_ledger_head(q, head_seq, head_hash, err);
    if (st != CUST_OK)
        return st;
    sqlite3_stmt *s = stmt(q, S_LEDGER_EACH, err);
    if (!s)
        return CUST_EDB;
    int rc;
    while (st == CUST_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct cust_ledger_row r = ledger_row_of(s);
        st = fn(&r, arg);
    }
    if (st == CUST_OK && rc != SQLITE_DONE)
        st = db_err(q, err, "ledger");
    sqlite3_reset(s);
    return st;
}

static enum cust_status sq_ledger_entry(void *impl, int64_t seq, cust_ledger_fn fn, void *arg,
                                        struct cust_err *err)
{
    struct sq *q = impl;
    sqlite3_stmt *s = stmt(q, S_LEDGER_ENTRY, err);
    if (!s)
        return CUST_EDB;
    sqlite3_bind_int64(s, 1, seq);
    int rc = sqlite3_step(s);
    enum cust_status st = CUST_OK;
    if (rc == SQLITE_ROW) {
        struct cust_ledger_row r = ledger_row_of(s);
        st = fn(&r, arg);
    } else if (rc == SQLITE_DONE) {
        st = cust_err_set(err, CUST_ENOTFOUND, "no ledger entry %" PRId64, seq);
    } else {
        st = db_err(q, err, "ledger");
    }
    sqlite3_reset(s);
    return st;
}

static const struct cust_store_ops sqlite_ops = {
    .name = "sqlite",
    .close = sq_close,
    .begin = sq_begin,
    .begin_bulk = sq_begin_bulk,
    .set_lock_wait = sq_set_lock_wait,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .snapshot_begin = sq_snapshot_begin,
    .snapshot_end = sq_snapshot_end,
    .current_version = sq_current,
    .put_booking = sq_put,
    .versions = sq_versions,
    .roster = sq_roster,
    .each_current = sq_each,
    .person_json = sq_person_json,
    .booking_json = sq_booking_json,
    .count = sq_count,
    .ledger_head = sq_ledger_head,
    .ledger_insert = sq_ledger_insert,
    .ledger_each = sq_ledger_each,
    .ledger_entry = sq_ledger_entry,
    .backup = cust_sqlite_backup,
    .persons = cust_sqlite_persons,
    .scope = cust_sqlite_scope,
    .person_bookings = cust_sqlite_person_bookings,
    .scope_persons = cust_sqlite_scope_persons,
    .public_search = cust_sqlite_public_search,
    .public_count = cust_sqlite_public_count,
    .publish = cust_sqlite_public_publish,
    .requests = &cust_sqlite_request_ops,
    .accounts = &cust_sqlite_account_ops,
    .feed = &cust_sqlite_feed_ops,
    .reports = &cust_sqlite_reports_ops,
    .rows = &cust_sqlite_rows_ops,
};

/* ---- hooks of the other files (store_sqlite_*.c) ---------------------------------------- */

sqlite3 *cust_sqlite_handle(void *impl, const char **path, void ***requests_slot)
{
    struct sq *q = impl;
    if (path)
        *path = q->path;
    if (requests_slot)
        *requests_slot = &q->requests;
    return q->db;
}

bool cust_sqlite_rows_bulk_empty(void *impl)
{
    return ((struct sq *)impl)->bulk;
}

sqlite3 *cust_sqlite_rows_handle(void *impl, const char **path, void ***slot)
{
    struct sq *q = impl;
    if (path)
        *path = q->path;
    if (slot)
        *slot = &q->rows;
    return q->db;
}

void **cust_sqlite_accounts_slot(void *impl)
{
    return &((struct sq *)impl)->accounts;
}

void **cust_sqlite_public_slot(void *impl)
{
    return &((struct sq *)impl)->public_;
}

/* A "file:" URI for `path` with `query` (the path percent-encoded where a URI needs it). */
static char *file_uri(const char *path, const char *query)
{
    struct cust_buf b = CUST_BUF_INIT;
    enum cust_status st = cust_buf_puts(&b, "file:");
    for (const unsigned char *p = (const unsigned char *)path; st == CUST_OK && *p; p++)
        st = (*p == '%' || *p == '?' || *p == '#' || *p < 0x21 || *p > 0x7e)
                 ? cust_buf_appendf(&b, "%%%02X", *p)
                 : cust_buf_putc(&b, (char)*p);
    if (st == CUST_OK)
        st = cust_buf_appendf(&b, "?%s", query);
    CUST_ASSERT(st == CUST_OK);
    return cust_buf_detach(&b, NULL);
}

/* Open read-only. A WAL store needs its -shm index, created on the first read; where it cannot
 * be (a copy on read-only media) and no -wal file holds commits, the file alone is the whole
 * store and is opened immutable (no locks, no -shm). */
static enum cust_status open_readonly(struct sq *q, const char *path, struct cust_err *err)
{
    int flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI;
    char *uri = file_uri(path, "mode=ro");
    int rc = sqlite3_open_v2(uri, &q->db, flags, NULL);
    free(uri);
    if (rc == SQLITE_CANTOPEN)
        return cust_err_set(err, CUST_ENOTFOUND, "no store at '%s'", path);
    if (rc != SQLITE_OK)
        return cust_err_set(err, CUST_EDB, "cannot open store '%s': %s", path,
                            q->db ? sqlite3_errmsg(q->db) : "out of memory");
    sqlite3_busy_handler(q->db, busy_wait, q);
    sqlite3_extended_result_codes(q->db, 1);
    cust_sqlite_functions_register(q->db);
    int have = 0;
    enum cust_status st = schema_have(q, &have, err);
    if (st != CUST_OK && (sqlite3_errcode(q->db) & 0xff) == SQLITE_CANTOPEN) {
        char wal[4096];
        snprintf(wal, sizeof(wal), "%s-wal", path);
        FILE *f = fopen(wal, "rb");
        bool commits = f && fgetc(f) != EOF;
        if (f)
            fclose(f);
        if (commits)
            return cust_err_set(err, CUST_EDB,
                                "store '%s': cannot read it read-only: its -wal file holds commits "
                                "and no -shm index can be made beside it (copy the store with "
                                "its -wal file to a writable directory, or checkpoint it first)",
                                path);
        sqlite3_close_v2(q->db);
        q->db = NULL;
        uri = file_uri(path, "immutable=1");
        rc = sqlite3_open_v2(uri, &q->db, flags, NULL);
        free(uri);
        if (rc != SQLITE_OK)
            return cust_err_set(err, CUST_EDB, "cannot open store '%s': %s", path,
                                q->db ? sqlite3_errmsg(q->db) : "out of memory");
        sqlite3_extended_result_codes(q->db, 1);
        cust_sqlite_functions_register(q->db);
        cust_err_clear(err);
        st = schema_have(q, &have, err);
    }
    if (st != CUST_OK)
        return st;
    if (have == 0) {
        /* a file whose creation never committed (killed at once) holds nothing: to a reader it
         * is an empty store, which an empty in-memory one stands for; the file is left alone */
        sqlite3_stmt *c = NULL;
        bool bare = sqlite3_prepare_v2(q->db, "SELECT count(*) FROM sqlite_master", -1, &c, NULL) ==
                        SQLITE_OK &&
                    sqlite3_step(c) == SQLITE_ROW && sqlite3_column_int(c, 0) == 0;
        sqlite3_finalize(c);
        if (!bare)
            return cust_err_set(err, CUST_ENOTFOUND, "'%s' is not a custodian store", path);
        sqlite3_close_v2(q->db);
        q->db = NULL;
        if (sqlite3_open_v2(":memory:", &q->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                            NULL) != SQLITE_OK)
            return cust_err_set(err, CUST_ENOMEM, "cannot open an empty store");
        sqlite3_extended_result_codes(q->db, 1);
        if ((st = migrate(q, err)) != CUST_OK)
            return st;
        return run_script(q, "PRAGMA query_only=1;", err);
    }
    if (have != cust_store_schema_version())
        return cust_err_set(err, CUST_EDB,
                            "store '%s' is at schema %d and this program reads schema %d: %s", path,
                            have, cust_store_schema_version(),
                            have > cust_store_schema_version()
                                ? "use the newer program that wrote it"
                                : "run 'custodian migrate' (keep a copy of the store first)");
    return run_script(
        q, "PRAGMA query_only=1; PRAGMA cache_size=" CACHE_KIB "; PRAGMA temp_store=MEMORY;", err);
}

static int64_t mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec;
}

/* Open a published public view (CUST_STORE_PUBLIC): immutable (it is replaced, never changed in
 * place), refused unless it carries the published view's application_id. */
static enum cust_status open_public(struct sq *q, const char *path, struct cust_err *err)
{
    struct stat sb;
    if (stat(path, &sb) != 0)
        return cust_err_set(err, errno == ENOENT ? CUST_ENOTFOUND : CUST_EIO,
                            "no published public view at '%s': %s (custodian publish --out "
                            "writes one)",
                            path, strerror(errno));
    char *uri = file_uri(path, "immutable=1");
    int rc = sqlite3_open_v2(uri, &q->db,
                             SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI, NULL);
    free(uri);
    if (rc != SQLITE_OK)
        return cust_err_set(err, CUST_EDB, "cannot open '%s': %s", path,
                            q->db ? sqlite3_errmsg(q->db) : "out of memory");
    sqlite3_extended_result_codes(q->db, 1);
    sqlite3_stmt *s = NULL;
    int id = 0;
    if (sqlite3_prepare_v2(q->db, "PRAGMA application_id", -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
        id = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    if (id != CUST_SQLITE_PUBLIC_APP_ID)
        return cust_err_set(err, CUST_EINVAL,
                            "'%s' is not a published public view (custodian publish --out "
                            "writes one; the store itself is never served as the public view)",
                            path);
    q->public_file = true;
    q->pub_dev = sb.st_dev;
    q->pub_ino = sb.st_ino;
    q->pub_looked = mono_s();
    return run_script(q, "PRAGMA query_only=1;", err);
}

void cust_sqlite_public_refresh(void *impl)
{
    struct sq *q = impl;
    if (!q->public_file || mono_s() == q->pub_looked)
        return;
    q->pub_looked = mono_s();
    struct stat sb;
    if (stat(q->path, &sb) != 0 || (sb.st_dev == q->pub_dev && sb.st_ino == q->pub_ino))
        return; /* unchanged, or gone for now (a publish renames over it: never gone for long) */
    struct sq *fresh = cust_xcalloc(1, sizeof(*fresh));
    cust_buf_init(&fresh->pub, 0);
    fresh->path = cust_xstrdup(q->path);
    struct cust_err err = CUST_ERR_INIT;
    if (open_public(fresh, q->path, &err) != CUST_OK) {
        fprintf(stderr, "custodian: %s (still serving the one opened before)\n", err.msg);
        sq_close(fresh);
        return;
    }
    /* swap the connections; only the public view's statements were ever prepared on it */
    sqlite3 *old = q->db;
    cust_sqlite_public_free(q->public_);
    q->public_ = NULL;
    for (int i = 0; i < S__N; i++) {
        sqlite3_finalize(q->st[i]);
        q->st[i] = NULL;
    }
    q->db = fresh->db;
    q->pub_dev = fresh->pub_dev;
    q->pub_ino = fresh->pub_ino;
    fresh->db = old;
    sq_close(fresh);
}

/* Open `path` read-write (creating it when `create`) with the connection's pragmas. */
static enum cust_status open_readwrite(struct sq *q, const char *path, bool create,
                                       struct cust_err *err)
{
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
    int rc = sqlite3_open_v2(path, &q->db, flags, NULL);
    if (rc == SQLITE_CANTOPEN && !create)
        return cust_err_set(err, CUST_ENOTFOUND, "no store at '%s' (run 'custodian init')", path);
    if (rc != SQLITE_OK)
        return cust_err_set(err, CUST_EDB, "cannot open store '%s': %s", path,
                            q->db ? sqlite3_errmsg(q->db) : "out of memory");
    sqlite3_busy_handler(q->db, busy_wait, q);
    sqlite3_extended_result_codes(q->db, 1);
    if (cust_sqlite_functions_register(q->db) != SQLITE_OK)
        return cust_err_set(err, CUST_EDB, "store '%s': cannot register cust_name_key", path);
    return run_script(q,
                      "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
                      " PRAGMA cache_size=" CACHE_KIB "; PRAGMA temp_store=MEMORY;",
                      err);
}

/* fsync the folder holding `path`, so a name made or removed in it is durable. */
static void sync_parent(const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, sizeof(dir), ".");
    else
        snprintf(dir, sizeof(dir), "%.*s", (int)(slash == path ? 1 : slash - path), path);
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}

/* Remove what a creator killed midway left beside `path` (PATH.creating-PID*, its process gone). */
static void remove_stale_creations(const char *path)
{
    const char *slash = strrchr(path, '/');
    char dir[4096];
    snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash == path ? 1 : slash - path) : 1,
             slash ? path : ".");
    const char *base = slash ? slash + 1 : path;
    char prefix[1024];
    if ((size_t)snprintf(prefix, sizeof(prefix), "%s.creating-", base) >= sizeof(prefix))
        return;
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, prefix, strlen(prefix)) != 0)
            continue;
        char *end;
        long pid = strtol(e->d_name + strlen(prefix), &end, 10);
        if (pid <= 0 || end == e->d_name + strlen(prefix) ||
            (kill((pid_t)pid, 0) != 0 && errno == ESRCH)) {
            char full[8192];
            snprintf(full, sizeof(full), "%s/%s", dir, e->d_name);
            (void)unlink(full);
        }
    }
    closedir(d);
}

/*
 * A new store appears at `path` whole or not at all: it is made and migrated under a temporary
 * name beside it (PATH.creating-PID), closed (the WAL checkpointed into the file), then linked
 * to `path`. A process killed while creating leaves no half-made store at `path` (at most the
 * temporary file, removed by the next creation); another process that created `path` meanwhile
 * wins, and this one opens it.
 */
static enum cust_status create_whole(const char *path, struct cust_err *err)
{
    char tmp[4096];
    if ((size_t)snprintf(tmp, sizeof(tmp), "%s.creating-%ld", path, (long)getpid()) >= sizeof(tmp))
        return cust_err_set(err, CUST_EINVAL, "store path too long: '%s'", path);
    remove_stale_creations(path);
    (void)unlink(tmp);
    struct sq *t = cust_xcalloc(1, sizeof(*t));
    cust_buf_init(&t->pub, 0);
    t->path = cust_xstrdup(tmp);
    enum cust_status st = open_readwrite(t, tmp, true, err);
    if (st == CUST_OK)
        st = migrate(t, err);
    if (st == CUST_OK)
        st = run_script(t, "PRAGMA wal_checkpoint(TRUNCATE);", err);
    sq_close(t);
    if (st == CUST_OK && link(tmp, path) != 0 && errno != EEXIST)
        st = cust_err_set(err, CUST_EIO, "cannot create store '%s': %s", path, strerror(errno));
    (void)unlink(tmp);
    char side[4200];
    snprintf(side, sizeof(side), "%s-wal", tmp);
    (void)unlink(side);
    snprintf(side, sizeof(side), "%s-shm", tmp);
    (void)unlink(side);
    if (st == CUST_OK)
        sync_parent(path);
    return st;
}

/* Before SQLite is first used in the process: no count of its memory (SQLITE_CONFIG_MEMSTATUS,
 * on in Debian's build). Kept, every sqlite3_malloc and sqlite3_free takes one global mutex:
 * the threads of a server wait on each other there (futex waits, task switches) in every read
 * of a row too long for its page (docs/bench-locator.md, session 7). Nothing reads the count.
 * SQLite refuses it, harmlessly, when it has already been used. */
static pthread_once_t sqlite_config_once = PTHREAD_ONCE_INIT;

static void sqlite_config(void)
{
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

enum cust_status cust_store_sqlite_open(const char *path, enum cust_store_mode mode,
                                        struct cust_store *s, struct cust_err *err)
{
    pthread_once(&sqlite_config_once, sqlite_config);
    struct sq *q = cust_xcalloc(1, sizeof(*q));
    cust_buf_init(&q->pub, 0);
    q->path = cust_xstrdup(path);
    if (mode == CUST_STORE_READONLY || mode == CUST_STORE_PUBLIC) {
        enum cust_status st =
            mode == CUST_STORE_PUBLIC ? open_public(q, path, err) : open_readonly(q, path, err);
        if (st != CUST_OK) {
            sq_close(q);
            return st;
        }
        s->ops = &sqlite_ops;
        s->impl = q;
        s->tx_depth = 0;
        return CUST_OK;
    }
    if (mode == CUST_STORE_CREATE && strcmp(path, ":memory:") != 0 && access(path, F_OK) != 0 &&
        errno == ENOENT) {
        enum cust_status st = create_whole(path, err);
        if (st != CUST_OK) {
            sq_close(q);
            return st;
        }
    }
    enum cust_status st = open_readwrite(q, path, mode == CUST_STORE_CREATE, err);
    if (st == CUST_OK)
        st = mode == CUST_STORE_MIGRATE ? migrate(q, err) : schema_current(q, err);
    if (st != CUST_OK) {
        sq_close(q);
        return st;
    }
    s->ops = &sqlite_ops;
    s->impl = q;
    s->tx_depth = 0;
    return CUST_OK;
}
