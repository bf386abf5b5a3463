/*
 * store_postgres.c - the store on PostgreSQL (libpq): open and migrations, transactions, the
 * bookings and their versions, the roster, the ledger (docs/internals/store-postgresql.md).
 *
 * Writers take one advisory lock per database for the whole transaction (the single writer of
 * SQLite); a read snapshot is a REPEATABLE READ READ ONLY transaction. Ids of covered tables are
 * assigned max(id) + 1 under that lock, as SQLite assigns them, so both backends number, and
 * hash, the same rows the same way.
 */
#include "custodian/compat.h"
#include "custodian/buf.h"
#include "custodian/date.h"
#include "custodian/namekey.h"
#include "store_bytes.h"
#include "store_postgres.h"
#include "store_rows_sql.h"

#include <inttypes.h>

/* The writers' lock: one per database ("custodi" in ASCII). */
#define WRITER_LOCK "SELECT pg_advisory_xact_lock(27980863214084457)"

#define IN_CUSTODY_ON(p)                                                                           \
    "(" p "::bigint IS NULL OR (b.booked_day <= " p " AND (b.released_day IS NULL OR"              \
    " b.released_day > " p ")))"

#define CIT_WINS                                                                                   \
    "(?18::bigint IS NOT NULL AND (citizenship_rank < ?18 OR (citizenship_rank = ?18 AND"          \
    " citizenship_recorded_at <= ?19)))"

#define NEXT_ID(t) CUST_PG_NEXT_ID(t)

/* A new booking (version 1); the upsert adds the new-version case. ?21-?24: the name copy and
 * its keys (the person's name as just written). */
#define BOOKING_INSERT                                                                             \
    "INSERT INTO bookings(id, booking_number, person_id, version, booked_at, booked_ts,"           \
    " booked_day, facility, housing, arresting_agency, scheduled_release,"                         \
    " release_date_public, released_at, released_day, release_reason, sentence_imposed_on,"        \
    " sentence_term_days, sentence_presentence_days, computed_release, release_rule,"              \
    " release_disagreement, search_last, search_first, key_last, key_first, public_charges)"       \
    " VALUES(" NEXT_ID("bookings") ", ?1, ?2, 1, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"  \
                                   " ?14, ?15, ?16, ?17, ?18, ?19, ?21, ?22, ?23, ?24, ?20)"

static const char s_current[] =
    "SELECT b.version, v.doc FROM bookings b JOIN booking_versions v"
    " ON v.booking_id = b.id AND v.version = b.version WHERE b.booking_number = ?1";
static const char s_person_by_key[] = "SELECT id FROM persons WHERE person_key = ?1";
static const char s_person_by_cii[] = "SELECT id FROM persons WHERE cii = ?1 ORDER BY id LIMIT 1";
static const char s_person_by_fbi[] = "SELECT id FROM persons WHERE fbi = ?1 ORDER BY id LIMIT 1";
static const char s_person_by_sid[] = "SELECT id FROM persons WHERE sid = ?1 ORDER BY id LIMIT 1";
static const char s_person_insert[] =
    "INSERT INTO persons(id, person_key, last_name, first_name, middle_name, dob, sex, cii, fbi,"
    " sid, a_number, place_of_birth, home_address, immigration_status, aliases,"
    " sex_arson_registrant, citizenship_status, citizenship_rank, citizenship_recorded_at)"
    " VALUES(" NEXT_ID(
        "persons") ", ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
                   " ?15, coalesce(?16, 'unknown'), coalesce(?17::bigint, -1), coalesce(?18, ''))"
                   " RETURNING id";
static const char s_person_update[] =
    "UPDATE persons SET last_name = ?2, first_name = ?3, middle_name = ?4, dob = ?5,"
    " sex = coalesce(?6, sex), cii = coalesce(?7, cii), fbi = coalesce(?8, fbi),"
    " sid = coalesce(?9, sid), a_number = coalesce(?10, a_number),"
    " place_of_birth = coalesce(?11, place_of_birth),"
    " home_address = coalesce(?12, home_address),"
    " immigration_status = coalesce(?13, immigration_status),"
    " aliases = coalesce(?14, aliases),"
    " sex_arson_registrant = coalesce(?15::bigint, sex_arson_registrant),"
    " person_key = coalesce(person_key, ?1),"
    " citizenship_status = CASE WHEN " CIT_WINS " THEN ?17 ELSE citizenship_status END,"
    " citizenship_rank = CASE WHEN " CIT_WINS " THEN ?18 ELSE citizenship_rank END,"
    " citizenship_recorded_at = CASE WHEN " CIT_WINS " THEN ?19"
    " ELSE citizenship_recorded_at END WHERE id = ?16";
/* SQLite's trigger persons_name_copy, here (the keys come from C) */
static const char s_name_copy[] =
    "UPDATE bookings SET search_last = ?2, search_first = ?3, key_last = ?4, key_first = ?5"
    " WHERE person_id = ?1 AND (search_last IS DISTINCT FROM ?2"
    " OR search_first IS DISTINCT FROM ?3)";
static const char s_cit_insert[] =
    "INSERT INTO citizenship_history(id, person_id, status, country, source, verified,"
    " recorded_at, booking_number, entered_at) VALUES(" NEXT_ID(
        "citizenship_history") ", ?1, ?2,"
                               " coalesce(?3, ''), coalesce(?4, ''), ?5, coalesce(?6, ''), ?7, ?8)"
                               " ON CONFLICT DO NOTHING RETURNING id";
static const char s_booking_upsert[] =
    BOOKING_INSERT " ON CONFLICT(booking_number) DO UPDATE SET person_id = excluded.person_id,"
                   " version = bookings.version + 1, booked_at = excluded.booked_at,"
                   " booked_ts = excluded.booked_ts, booked_day = excluded.booked_day,"
                   " facility = excluded.facility, housing = excluded.housing,"
                   " arresting_agency = excluded.arresting_agency,"
                   " scheduled_release = excluded.scheduled_release,"
                   " release_date_public = excluded.release_date_public,"
                   " released_at = excluded.released_at, released_day = excluded.released_day,"
                   " release_reason = excluded.release_reason,"
                   " sentence_imposed_on = excluded.sentence_imposed_on,"
                   " sentence_term_days = excluded.sentence_term_days,"
                   " sentence_presentence_days = excluded.sentence_presentence_days,"
                   " computed_release = excluded.computed_release,"
                   " release_rule = excluded.release_rule,"
                   " release_disagreement = excluded.release_disagreement,"
                   " search_last = excluded.search_last, search_first = excluded.search_first,"
                   " key_last = excluded.key_last, key_first = excluded.key_first,"
                   " public_charges = excluded.public_charges"
                   " RETURNING id, version";
static const char s_version_insert[] =
    "INSERT INTO booking_versions(id, booking_id, version, recorded_at, recorded_by, source,"
    " changed, doc) VALUES(" NEXT_ID("booking_versions") ", ?1, ?2, ?3, ?4, ?5, ?6, ?7)"
                                                         " RETURNING id";
static const char s_charges_delete[] = "DELETE FROM charges WHERE booking_id = ?1";
static const char s_priors_delete[] = "DELETE FROM prior_convictions WHERE booking_id = ?1";
static const char s_charge_insert[] =
    "INSERT INTO charges(booking_id, idx, code, description, level, status, held_to_answer,"
    " case_number, court, next_court_date, bail_cents) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
    " ?9, ?10, ?11)";
static const char s_prior_insert[] =
    "INSERT INTO prior_convictions(booking_id, idx, person_id, code, level,"
    " date, jurisdiction, flags) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
static const char s_versions[] =
    "SELECT v.version, v.recorded_at, v.recorded_by, v.source, v.changed, v.doc"
    " FROM booking_versions v JOIN bookings b ON b.id = v.booking_id"
    " WHERE b.booking_number = ?1 ORDER BY v.version";
static const char s_roster[] =
    "SELECT b.booking_number, b.person_id, p.person_key, p.last_name, p.first_name,"
    " p.middle_name, b.booked_at, b.facility, b.housing, b.arresting_agency,"
    " p.citizenship_status, b.scheduled_release, b.computed_release, b.release_rule,"
    " b.release_disagreement, b.released_at, b.version"
    " FROM bookings b JOIN persons p ON p.id = b.person_id"
    " WHERE " IN_CUSTODY_ON(
        "?1") " AND (?2::text IS NULL OR p.citizenship_status = ?2)"
              " AND (?3::text IS NULL OR b.facility = ?3) AND (?4 = 0 OR b.release_disagreement = "
              "1)"
              " AND (?5::text IS NULL OR (b.key_last >= ?5 AND b.key_last < ?6))"
              " ORDER BY b.booking_number";
static const char s_each[] = "SELECT b.booking_number, v.doc FROM bookings b"
                             " JOIN booking_versions v"
                             " ON v.booking_id = b.id AND v.version = b.version"
                             " WHERE " IN_CUSTODY_ON("?1") " ORDER BY b.booking_number";
/* `show`: the same members as SQLite's json_object, built by PostgreSQL (json, not jsonb: the
 * record keeps its own key order) */
static const char s_person_json[] =
    "SELECT json_build_object('person_id', p.person_key, 'internal_id', p.id,"
    " 'last_name', p.last_name, 'first_name', p.first_name, 'middle_name', p.middle_name,"
    " 'dob', p.dob, 'sex', p.sex, 'ids', json_build_object('cii', p.cii, 'fbi', p.fbi,"
    " 'sid', p.sid, 'a_number', p.a_number), 'place_of_birth', p.place_of_birth,"
    " 'home_address', p.home_address, 'immigration_status', p.immigration_status,"
    " 'aliases', coalesce(p.aliases, '[]')::json,"
    " 'sex_arson_registrant', CASE p.sex_arson_registrant WHEN 1 THEN true WHEN 0 THEN false END,"
    " 'citizenship_status', p.citizenship_status,"
    " 'citizenship_history', (SELECT coalesce(json_agg(json_build_object('status', h.status,"
    "  'country', nullif(h.country, ''), 'source', nullif(h.source, ''),"
    "  'verified', CASE h.verified WHEN 1 THEN true WHEN 0 THEN false END,"
    "  'recorded_at', nullif(h.recorded_at, ''), 'booking_number', h.booking_number,"
    "  'entered_at', h.entered_at) ORDER BY h.id), '[]') FROM citizenship_history h"
    "  WHERE h.person_id = p.id),"
    " 'bookings', (SELECT coalesce(json_agg(booking_number ORDER BY booked_ts, id), '[]')"
    "  FROM bookings WHERE person_id = p.id),"
    " 'prior_convictions', (SELECT coalesce(json_agg(json_build_object('code', c.code,"
    "  'level', c.level, 'date', c.date, 'jurisdiction', c.jurisdiction)"
    "  ORDER BY c.date NULLS FIRST, c.code), '[]')"
    "  FROM (SELECT DISTINCT code, level, date, jurisdiction FROM prior_convictions"
    "  WHERE person_id = p.id) c))::text"
    " FROM persons p WHERE p.person_key = ?1 OR p.id = ?2::bigint"
    " ORDER BY p.person_key = ?1 DESC NULLS LAST LIMIT 1";
static const char s_booking_json[] =
    "SELECT json_build_object('booking_number', b.booking_number, 'version', b.version,"
    " 'person_internal_id', b.person_id, 'person_id', p.person_key,"
    " 'citizenship_status', p.citizenship_status,"
    " 'in_custody_today', " IN_CUSTODY_ON(
        "?2") ","
              " 'scheduled_release', b.scheduled_release,"
              " 'computed_release', b.computed_release, 'release_rule', b.release_rule,"
              " 'release_disagreement', b.release_disagreement <> 0,"
              " 'record', v.doc::json)::text"
              " FROM bookings b JOIN persons p ON p.id = b.person_id JOIN booking_versions v"
              " ON v.booking_id = b.id AND v.version = b.version WHERE b.booking_number = ?1";
static const char s_ledger_head[] = "SELECT seq, hash FROM ledger_head WHERE id = 1";
static const char s_ledger_insert[] =
    "INSERT INTO ledger(seq, at, actor, role, action, object_type, object_id,"
    " outcome, purpose, detail, prev_hash, hash, rows) VALUES(?1, ?2, ?3, ?4,"
    " ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";
static const char s_ledger_head_set[] = "UPDATE ledger_head SET seq = ?1, hash = ?2 WHERE id = 1";
static const char s_ledger_each[] =
    "SELECT seq, at, actor, role, action, object_type, object_id, outcome,"
    " purpose, detail, prev_hash, hash, rows FROM ledger ORDER BY seq";
static const char s_ledger_entry[] =
    "SELECT seq, at, actor, role, action, object_type, object_id, outcome,"
    " purpose, detail, prev_hash, hash, rows FROM ledger WHERE seq = ?1";
static const char s_count_bookings[] = "SELECT count(*) FROM bookings";
static const char s_count_persons[] = "SELECT count(*) FROM persons";
static const char s_count_versions[] = "SELECT count(*) FROM booking_versions";
static const char s_count_ledger[] = "SELECT count(*) FROM ledger";
static const char s_count_cit[] = "SELECT count(*) FROM citizenship_history";
static const char s_schema_version[] = "SELECT coalesce(max(version), 0) FROM schema_migrations";
static const char s_migrated[] =
    "INSERT INTO schema_migrations(version, applied_at) VALUES(?1, ?2)";

struct pgs {
    struct cust_pg g;
    void *rows; /* covered rows: what this transaction wrote (store_postgres_rows.c) */
    bool readonly;
    struct cust_buf pub;      /* the public charges JSON of the booking being put (reused) */
    char *url;                /* as opened (may hold a password: never printed) */
    char *drop_via, *drop_db; /* a backup's scratch copy: dropped when closed */
};

struct cust_pg *cust_pg_conn(void *impl)
{
    return &((struct pgs *)impl)->g;
}

void **cust_pg_rows_slot(void *impl)
{
    return &((struct pgs *)impl)->rows;
}

/* Run `sql` and read one row into *r (NULL when none); a query error is returned. */
static enum cust_status query(struct pgs *q, const char *sql, const struct cust_pg_params *p,
                              PGresult **r, struct cust_err *err, const char *what)
{
    return cust_pg_run(&q->g, sql, p, false, r, err, what);
}

/* ---- open, migrations ------------------------------------------------------------------ */

static enum cust_status schema_have(struct pgs *q, int *have, struct cust_err *err)
{
    *have = 0;
    PGresult *r = PQexec(q->g.conn, "SELECT to_regclass('schema_migrations') IS NOT NULL");
    bool exists = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 &&
                  strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    bool ok = PQresultStatus(r) == PGRES_TUPLES_OK;
    PQclear(r);
    if (!ok)
        return cust_err_set(err, CUST_EDB, "store '%s': schema version: %s", q->g.name,
                            PQerrorMessage(q->g.conn));
    if (!exists)
        return CUST_OK;
    if (query(q, s_schema_version, NULL, &r, err, "schema version") != CUST_OK)
        return CUST_EDB;
    *have = (int)cust_pg_get_int(r, 0, 0);
    PQclear(r);
    return CUST_OK;
}

static enum cust_status migrate(struct pgs *q, struct cust_err *err)
{
    int have = 0, want = cust_pg_migration_count;
    enum cust_status st = schema_have(q, &have, err);
    if (st != CUST_OK || have == want)
        return st;
    if (have > want)
        return cust_err_set(err, CUST_EDB,
                            "store '%s' is at schema %d, newer than this program (%d)", q->g.name,
                            have, want);
    if ((st = cust_pg_exec(&q->g, "BEGIN", err, "migration")) != CUST_OK)
        return st;
    st = cust_pg_exec(&q->g, WRITER_LOCK, err, "migration");
    /* the server's NOTICEs ("relation ... already exists, skipping") are not the operator's:
     * libpq would print them on stderr */
    if (st == CUST_OK)
        st = cust_pg_exec(&q->g, "SET LOCAL client_min_messages = warning", err, "migration");
    if (st == CUST_OK)
        st = cust_pg_exec(&q->g,
                          "CREATE TABLE IF NOT EXISTS schema_migrations(version bigint PRIMARY KEY,"
                          " applied_at text NOT NULL)",
                          err, "migration");
    if (st == CUST_OK) /* again under the lock: another process may have migrated meanwhile */
        st = schema_have(q, &have, err);
    if (st == CUST_OK && have > want)
        st = cust_err_set(err, CUST_EDB, "store '%s' is at schema %d, newer than this program (%d)",
                          q->g.name, have, want);
    /* a migration may remake the public view: the roles granted it keep it */
    char *grantees = NULL;
    if (st == CUST_OK && have > 0)
        st = cust_pg_public_grants(&q->g, &grantees, err);
    for (int v = have + 1; st == CUST_OK && v <= want; v++) {
        for (const char *const *m = cust_pg_migrations[v - 1]; st == CUST_OK && *m; m++)
            st = cust_pg_exec(&q->g, *m, err, "migration");
        char now[32];
        cust_time_format(cust_now(), 0, true, now);
        struct cust_pg_params p = {0};
        cust_pg_int(&p, 1, v);
        cust_pg_text(&p, 2, now);
        if (st == CUST_OK)
            st = cust_pg_do(&q->g, s_migrated, &p, err, "migration");
    }
    if (st == CUST_OK)
        st = cust_pg_public_regrant(&q->g, grantees, err);
    free(grantees);
    if (st == CUST_OK)
        st = cust_pg_exec(&q->g, "COMMIT", err, "migration");
    if (st != CUST_OK)
        cust_pg_exec(&q->g, "ROLLBACK", NULL, "migration");
    return st;
}

/* A hot standby (a streaming replica) takes no write: a writer's open says so at once, not at
 * its first write (a read-only open and the public server's work there). */
static enum cust_status refuse_standby(struct pgs *q, struct cust_err *err)
{
    PGresult *r = PQexec(q->g.conn, "SELECT pg_is_in_recovery()");
    bool standby = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 &&
                   strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    PQclear(r);
    if (standby)
        return cust_err_set(err, CUST_EINVAL,
                            "store '%s' is a read-only standby (a streaming replica): write on"
                            " the primary; read commands and serve --public-only work here",
                            q->g.name);
    return CUST_OK;
}

const char *cust_pg_url(void *impl)
{
    return ((struct pgs *)impl)->url;
}

void cust_pg_drop_on_close(struct cust_store *s, const char *via, const char *db)
{
    struct pgs *q = s->impl;
    free(q->drop_via);
    free(q->drop_db);
    q->drop_via = cust_xstrdup(via);
    q->drop_db = cust_xstrdup(db);
}

static void pg_close(void *impl)
{
    struct pgs *q = impl;
    cust_pg_bulk_end(&q->g);
    cust_pg_defer_end(&q->g);
    cust_pg_rows_free(q->rows);
    if (q->g.conn)
        PQfinish(q->g.conn);
    if (q->drop_db)
        cust_pg_drop_database(q->drop_via, q->drop_db);
    free(q->drop_via);
    free(q->drop_db);
    free(q->url);
    free(q->g.stmts);
    free(q->g.name);
    cust_buf_release(&q->pub);
    free(q);
}

/* ---- transactions ---------------------------------------------------------------------- */

static enum cust_status pg_begin(void *impl, struct cust_err *err)
{
    struct pgs *q = impl;
    if (q->readonly)
        return cust_err_set(err, CUST_EDB, "store '%s': opened read-only", q->g.name);
    enum cust_status st = cust_pg_exec(&q->g, "BEGIN ISOLATION LEVEL READ COMMITTED", err, "begin");
    if (st == CUST_OK && (st = cust_pg_exec(&q->g, WRITER_LOCK, err, "begin")) != CUST_OK)
        cust_pg_exec(&q->g, "ROLLBACK", NULL, "rollback");
    cust_pg_defer_end(&q->g); /* nothing is buffered here; the ids are read under this lock */
    return st;
}

/* lock_timeout for this session's next transactions (-1: the 5 s set at open) */
static void pg_set_lock_wait(void *impl, int ms)
{
    struct pgs *q = impl;
    char sql[64];
    snprintf(sql, sizeof(sql), "SET lock_timeout = '%dms'", ms < 0 ? 5000 : ms > 0 ? ms : 1);
    cust_pg_exec(&q->g, sql, NULL, "lock wait");
}

#define BULK_VACUUM                                                                                \
    "VACUUM (ANALYZE) persons, citizenship_history, bookings, booking_versions, charges,"          \
    " prior_convictions, public_custody, public_custody_names"

/* A bulk load: COPY into an empty store (store_postgres_bulk.c), else a plain begin. */
static enum cust_status pg_begin_bulk(void *impl, struct cust_err *err)
{
    struct pgs *q = impl;
    enum cust_status st = pg_begin(q, err);
    if (st == CUST_OK && (st = cust_pg_bulk_begin(&q->g, err)) != CUST_OK)
        cust_pg_exec(&q->g, "ROLLBACK", NULL, "rollback");
    return st;
}

static enum cust_status pg_commit(void *impl, struct cust_err *err)
{
    struct pgs *q = impl;
    if (cust_pg_rows_ops.pending(q))
        return cust_err_set(err, CUST_EINTEGRITY,
                            "store '%s': rows were written without a ledger entry; not committed",
                            q->g.name);
    bool copied = q->g.bulk != NULL;
    enum cust_status st = cust_pg_bulk_before(&q->g, err);
    if (st == CUST_OK && cust_pg_rows_ops.pending(q)) /* the drain wrote no covered row */
        st = cust_err_set(err, CUST_EINTEGRITY, "store '%s': bulk load: rows left", q->g.name);
    if (st == CUST_OK)
        st = cust_pg_exec(&q->g, "COMMIT", err, "commit");
    if (st == CUST_OK) {
        cust_pg_rows_forget(q);
        cust_pg_bulk_end(&q->g);
        cust_pg_defer_end(&q->g);
        /* A COPY load wrote every row of these tables: their statistics and visibility map
         * now, not when autovacuum comes (a scope's index-only scans read the heap until
         * then: the DOJ letter 7.3 s instead of 4.4 s on a county just loaded). What was
         * committed stays so whatever this does; autovacuum does it later if it fails. */
        if (copied)
            cust_pg_exec(&q->g, BULK_VACUUM, NULL, "vacuum");
    }
    return st; /* on failure the front calls rollback, which ends the bulk load */
}

static enum cust_status pg_rollback(void *impl, struct cust_err *err)
{
    struct pgs *q = impl;
    enum cust_status st = CUST_OK;
    cust_pg_bulk_end(&q->g); /* nothing buffered is sent */
    cust_pg_defer_end(&q->g);
    if (PQtransactionStatus(q->g.conn) != PQTRANS_IDLE)
        st = cust_pg_exec(&q->g, "ROLLBACK", err, "rollback");
    cust_pg_rows_forget(q);
    return st;
}

static enum cust_status pg_snapshot_begin(void *impl, struct cust_err *err)
{
    struct pgs *q = impl;
    return cust_pg_exec(&q->g, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", err, "snapshot");
}

static void pg_snapshot_end(void *impl)
{
    struct pgs *q = impl;
    if (cust_pg_exec(&q->g, "COMMIT", NULL, "snapshot") != CUST_OK)
        cust_pg_exec(&q->g, "ROLLBACK", NULL, "snapshot");
}

/* ---- bookings -------------------------------------------------------------------------- */

static enum cust_status pg_current(void *impl, const char *bn, int *version, char **doc,
                                   struct cust_err *err)
{
    struct pgs *q = impl;
    if (doc)
        *doc = NULL;
    if (cust_pg_bulk_unknown(&q->g, bn)) /* nothing but the load's rows exist */
        return cust_err_set(err, CUST_ENOTFOUND, "no booking '%s'", bn);
    struct cust_pg_params p = {0};
    cust_pg_text(&p, 1, bn);
    PGresult *r;
    if (query(q, s_current, &p, &r, err, "current version") != CUST_OK)
        return CUST_EDB;
    enum cust_status st = CUST_OK;
    if (PQntuples(r) == 0) {
        st = cust_err_set(err, CUST_ENOTFOUND, "no booking '%s'", bn);
    } else {
        if (version)
            *version = (int)cust_pg_get_int(r, 0, 0);
        if (doc)
            *doc = cust_xstrdup(PQgetvalue(r, 0, 1));
    }
    PQclear(r);
    return st;
}

/* A person's id by one lookup: 0 when none, -1 on error. */
static int64_t find_person(struct pgs *q, const char *sql, const char *key, struct cust_err *err)
{
    struct cust_pg_params p = {0};
    cust_pg_text(&p, 1, key);
    PGresult *r;
    if (query(q, sql, &p, &r, err, "find person") != CUST_OK)
        return -1;
    int64_t id = PQntuples(r) > 0 ? cust_pg_get_int(r, 0, 0) : 0;
    PQclear(r);
    return id;
}

static void tri(struct cust_pg_params *p, int i, int v)
{
    if (v >= 0)
        cust_pg_int(p, i, v);
    else
        cust_pg_text(p, i, NULL);
}

static void bind_person(struct cust_pg_params *p, const struct cust_person *x)
{
    cust_pg_text(p, 1, x->person_key);
    cust_pg_text(p, 2, x->last_name);
    cust_pg_text(p, 3, x->first_name);
    cust_pg_text(p, 4, x->middle_name);
    cust_pg_text(p, 5, x->dob);
    cust_pg_text(p, 6, x->sex);
    cust_pg_text(p, 7, x->cii);
    cust_pg_text(p, 8, x->fbi);
    cust_pg_text(p, 9, x->sid);
    cust_pg_text(p, 10, x->a_number);
    cust_pg_text(p, 11, x->place_of_birth);
    cust_pg_text(p, 12, x->home_address);
    cust_pg_text(p, 13, x->immigration_status);
    cust_pg_text(p, 14, x->aliases_json);
    tri(p, 15, x->sex_arson_registrant);
}

/* The carried citizenship value at parameters i..i+2 (NULL when the booking carries none). */
static void bind_citizenship(struct cust_pg_params *p, int i, const struct cust_person *x)
{
    if (!x->has_citizenship) {
        cust_pg_text(p, i, NULL);
        cust_pg_text(p, i + 1, NULL);
        cust_pg_text(p, i + 2, NULL);
        return;
    }
    const struct cust_citizenship *c = &x->citizenship;
    cust_pg_text(p, i, c->status ? c->status : "unknown");
    cust_pg_int(p, i + 1, cust_citizenship_rank(c));
    cust_pg_text(p, i + 2, c->recorded_at ? c->recorded_at : "");
}

/* The name keys of a person's name (namekey.h), as SQLite's cust_name_key() gives them. */
struct name_keys {
    char last[CUST_NAME_KEY_MAX], first[CUST_NAME_KEY_MAX];
};

static void name_keys(const struct cust_person *x, struct name_keys *k)
{
    k->last[0] = k->first[0] = '\0';
    if (x->last_name)
        cust_name_key(x->last_name, strlen(x->last_name), k->last, sizeof(k->last), NULL);
    if (x->first_name)
        cust_name_key(x->first_name, strlen(x->first_name), k->first, sizeof(k->first), NULL);
}

static enum cust_status put_citizenship(struct pgs *q, const struct cust_booking *b,
                                        const struct cust_put_meta *meta, int64_t pid,
                                        struct cust_err *err)
{
    const struct cust_citizenship *c = &b->person.citizenship;
    struct cust_pg_params p = {0};
    cust_pg_int(&p, 1, pid);
    cust_pg_text(&p, 2, c->status ? c->status : "unknown");
    cust_pg_text(&p, 3, c->country);
    cust_pg_text(&p, 4, c->source);
    cust_pg_int(&p, 5, c->verified);
    cust_pg_text(&p, 6, c->recorded_at);
    cust_pg_text(&p, 7, b->booking_number);
    cust_pg_text(&p, 8, meta->recorded_at);
    PGresult *r;
    if (query(q, s_cit_insert, &p, &r, err, "citizenship history") != CUST_OK)
        return CUST_EDB;
    if (PQntuples(r) > 0) /* a value new for this person */
        cust_pg_rows_track(q, CT_CITIZENSHIP, cust_pg_get_int(r, 0, 0), NULL);
    PQclear(r);
    return CUST_OK;
}

static enum cust_status put_person(struct pgs *q, const struct cust_booking *b,
                                   const struct cust_put_meta *meta, struct cust_put_result *res,
                                   const struct name_keys *k, struct cust_err *err)
{
    const struct cust_person *x = &b->person;
    int64_t pid = 0;
    if (x->person_key) {
        pid = find_person(q, s_person_by_key, x->person_key, err);
    } else {
        if (pid == 0 && x->cii)
            pid = find_person(q, s_person_by_cii, x->cii, err);
        if (pid == 0 && x->fbi)
            pid = find_person(q, s_person_by_fbi, x->fbi, err);
        if (pid == 0 && x->sid)
            pid = find_person(q, s_person_by_sid, x->sid, err);
    }
    if (pid < 0)
        return CUST_EDB;
    struct cust_pg_params p = {0};
    bind_person(&p, x);
    res->person_created = pid == 0;
    if (pid == 0) {
        bind_citizenship(&p, 16, x); /* a new person's current value is this one */
        PGresult *r;
        if (query(q, s_person_insert, &p, &r, err, "insert person") != CUST_OK)
            return CUST_EDB;
        pid = cust_pg_get_int(r, 0, 0);
        PQclear(r);
    } else {
        cust_pg_int(&p, 16, pid);
        bind_citizenship(&p, 17, x);
        if (cust_pg_do(&q->g, s_person_update, &p, err, "update person") != CUST_OK)
            return CUST_EDB;
        struct cust_pg_params c = {0};
        cust_pg_int(&c, 1, pid);
        cust_pg_text(&c, 2, x->last_name);
        cust_pg_text(&c, 3, x->first_name);
        cust_pg_text(&c, 4, k->last);
        cust_pg_text(&c, 5, k->first);
        if (cust_pg_do(&q->g, s_name_copy, &c, err, "name copy") != CUST_OK)
            return CUST_EDB;
    }
    res->person_id = pid;
    cust_pg_rows_track(q, CT_PERSONS, pid, NULL);
    return x->has_citizenship ? put_citizenship(q, b, meta, pid, err) : CUST_OK;
}

static enum cust_status put_children(struct pgs *q, const struct cust_booking *b, int64_t bid,
                                     int64_t pid, int version, struct cust_err *err)
{
    struct cust_pg_params p = {0};
    cust_pg_int(&p, 1, bid);
    if (version > 1 &&
        (cust_pg_do(&q->g, s_charges_delete, &p, err, "replace charges") != CUST_OK ||
         cust_pg_do(&q->g, s_priors_delete, &p, err, "replace priors") != CUST_OK))
        return CUST_EDB;
    for (size_t i = 0; i < b->n_charges; i++) {
        const struct cust_charge *c = &b->charges[i];
        cust_pg_int(&p, 2, (int64_t)i);
        cust_pg_text(&p, 3, c->code);
        cust_pg_text(&p, 4, c->description);
        cust_pg_text(&p, 5, c->level);
        cust_pg_text(&p, 6, c->status);
        tri(&p, 7, c->held_to_answer);
        cust_pg_text(&p, 8, c->case_number);
        cust_pg_text(&p, 9, c->court);
        cust_pg_text(&p, 10, c->next_court_date);
        if (c->bail_cents >= 0)
            cust_pg_int(&p, 11, c->bail_cents);
        else
            cust_pg_text(&p, 11, NULL);
        if (cust_pg_do(&q->g, s_charge_insert, &p, err, "insert charge") != CUST_OK)
            return CUST_EDB;
    }
    struct cust_pg_params r = {0};
    cust_pg_int(&r, 1, bid);
    cust_pg_int(&r, 3, pid);
    for (size_t i = 0; i < b->n_priors; i++) {
        const struct cust_prior *c = &b->priors[i];
        cust_pg_int(&r, 2, (int64_t)i);
        cust_pg_text(&r, 4, c->code);
        cust_pg_text(&r, 5, c->level);
        cust_pg_text(&r, 6, c->date);
        cust_pg_text(&r, 7, c->jurisdiction);
        cust_pg_text(&r, 8, c->flags_json);
        if (cust_pg_do(&q->g, s_prior_insert, &r, err, "insert prior conviction") != CUST_OK)
            return CUST_EDB;
    }
    return CUST_OK;
}

static void bind_booking(struct cust_pg_params *p, const struct cust_booking *b, int64_t pid,
                         char computed[11])
{
    cust_pg_text(p, 1, b->booking_number);
    cust_pg_int(p, 2, pid);
    cust_pg_text(p, 3, b->booked_at);
    cust_pg_int(p, 4, b->booked_ts);
    cust_pg_int(p, 5, b->booked_day);
    cust_pg_text(p, 6, b->facility);
    cust_pg_text(p, 7, b->housing);
    cust_pg_text(p, 8, b->arresting_agency);
    cust_pg_text(p, 9, b->scheduled_release);
    cust_pg_int(p, 10, b->release_date_public == 1);
    cust_pg_text(p, 11, b->released_at);
    if (b->released_day != CUST_NO_DAY)
        cust_pg_int(p, 12, b->released_day);
    else
        cust_pg_text(p, 12, NULL);
    cust_pg_text(p, 13, b->release_reason);
    for (int i = 14; i <= 18; i++)
        cust_pg_text(p, i, NULL);
    if (b->has_sentence) {
        cust_pg_int(p, 14, b->sentence_imposed_on);
        cust_pg_int(p, 15, b->sentence_term_days);
        cust_pg_int(p, 16, b->sentence_presentence_days);
    }
    if (b->computed_release != CUST_NO_DAY) {
        cust_date_format(b->computed_release, computed);
        cust_pg_text(p, 17, computed);
        cust_pg_text(p, 18, b->release_rule);
    }
    cust_pg_int(p, 19, b->release_disagreement ? 1 : 0);
}

static enum cust_status pg_put(void *impl, const struct cust_booking *b,
                               const struct cust_put_meta *meta, struct cust_put_result *res,
                               struct cust_err *err)
{
    struct pgs *q = impl;
    memset(res, 0, sizeof(*res));
    struct name_keys k;
    name_keys(&b->person, &k);
    if (cust_store_public_charges_json(&q->pub, b) != CUST_OK)
        return cust_err_set(err, CUST_ENOMEM, "public charges of '%s'", b->booking_number);
    if (q->g.bulk) {
        bool done;
        struct cust_pg_bulk_names nm = {k.last, k.first, q->pub.buf};
        enum cust_status st = cust_pg_bulk_put(&q->g, q, b, meta, &nm, res, &done, err);
        if (st != CUST_OK || done)
            return st;
    }
    if (put_person(q, b, meta, res, &k, err) != CUST_OK)
        return CUST_EDB;
    struct cust_pg_params p = {0};
    char computed[11] = "";
    bind_booking(&p, b, res->person_id, computed);
    cust_pg_text(&p, 20, q->pub.buf);
    cust_pg_text(&p, 21, b->person.last_name);
    cust_pg_text(&p, 22, b->person.first_name);
    cust_pg_text(&p, 23, b->person.last_name ? k.last : NULL);
    cust_pg_text(&p, 24, b->person.first_name ? k.first : NULL);
    PGresult *r;
    if (query(q, s_booking_upsert, &p, &r, err, "put booking") != CUST_OK)
        return CUST_EDB;
    int64_t bid = cust_pg_get_int(r, 0, 0);
    res->version = (int)cust_pg_get_int(r, 0, 1);
    PQclear(r);

    struct cust_pg_params v = {0};
    cust_pg_int(&v, 1, bid);
    cust_pg_int(&v, 2, res->version);
    cust_pg_text(&v, 3, meta->recorded_at);
    cust_pg_text(&v, 4, meta->recorded_by);
    cust_pg_text(&v, 5, meta->source);
    cust_pg_text(&v, 6, meta->changed);
    char *doc = cust_xstrndup(b->doc, b->doc_len);
    cust_pg_text(&v, 7, doc);
    enum cust_status st = query(q, s_version_insert, &v, &r, err, "insert version");
    if (st == CUST_OK) { /* kept as its hash: a version is never changed */
        struct cust_val vals[CUST_ROWS_VERSION_VALS];
        cust_pg_rows_keep_hash(q, CT_BOOKING_VERSIONS, vals,
                               cust_rows_version_vals(vals, cust_pg_get_int(r, 0, 0), bid,
                                                      res->version, meta, doc, strlen(doc)));
        PQclear(r);
    }
    free(doc);
    if (st != CUST_OK)
        return CUST_EDB;
    cust_pg_rows_track(q, CT_BOOKINGS, bid, NULL); /* with its charges and priors */
    return put_children(q, b, bid, res->person_id, res->version, err);
}

static enum cust_status pg_versions(void *impl, const char *bn, cust_version_fn fn, void *arg,
                                    struct cust_err *err)
{
    struct pgs *q = impl;
    struct cust_pg_params p = {0};
    cust_pg_text(&p, 1, bn);
    PGresult *r;
    if (query(q, s_versions, &p, &r, err, "versions") != CUST_OK)
        return CUST_EDB;
    enum cust_status st = CUST_OK;
    int n = PQntuples(r);
    for (int i = 0; st == CUST_OK && i < n; i++) {
        struct cust_version v = {(int)cust_pg_get_int(r, i, 0), cust_pg_get(r, i, 1),
                                 cust_pg_get(r, i, 2),          cust_pg_get(r, i, 3),
                                 cust_pg_get(r, i, 4),          cust_pg_get(r, i, 5)};
        st = fn(&v, arg);
    }
    PQclear(r);
    if (st == CUST_OK && n == 0)
        return cust_err_set(err, CUST_ENOTFOUND, "no booking '%s'", bn);
    return st;
}

static void day_param(struct cust_pg_params *p, int i, int32_t day)
{
    if (day == CUST_NO_DAY)
        cust_pg_text(p, i, NULL);
    else
        cust_pg_int(p, i, day);
}

/* A reader's callback and its argument, for the rows cust_pg_each hands over. */
struct fwd {
    union {
        cust_roster_fn roster;
        cust_doc_fn doc;
        cust_ledger_fn ledger;
    } fn;
    void *arg;
};

static enum cust_status roster_row(const PGresult *r, int i, void *arg)
{
    const struct fwd *c = arg;
    struct cust_roster_row row = {
        .booking_number = cust_pg_get(r, i, 0),
        .person_id = cust_pg_get_int(r, i, 1),
        .person_key = cust_pg_get(r, i, 2),
        .last_name = cust_pg_get(r, i, 3),
        .first_name = cust_pg_get(r, i, 4),
        .middle_name = cust_pg_get(r, i, 5),
        .booked_at = cust_pg_get(r, i, 6),
        .facility = cust_pg_get(r, i, 7),
        .housing = cust_pg_get(r, i, 8),
        .arresting_agency = cust_pg_get(r, i, 9),
        .citizenship_status = cust_pg_get(r, i, 10),
        .scheduled_release = cust_pg_get(r, i, 11),
        .computed_release = cust_pg_get(r, i, 12),
        .release_rule = cust_pg_get(r, i, 13),
        .release_disagreement = cust_pg_get_int(r, i, 14) != 0,
        .released_at = cust_pg_get(r, i, 15),
        .version = (int)cust_pg_get_int(r, i, 16),
    };
    return c->fn.roster(&row, c->arg);
}

static enum cust_status pg_roster(void *impl, const struct cust_roster_filter *f, cust_roster_fn fn,
                                  void *arg, struct cust_err *err)
{
    struct pgs *q = impl;
    struct cust_pg_params p = {0};
    day_param(&p, 1, f->day);
    cust_pg_text(&p, 2, f->citizenship);
    cust_pg_text(&p, 3, f->facility);
    cust_pg_int(&p, 4, f->disagreements_only ? 1 : 0);
    char last[CUST_NAME_KEY_MAX], end[CUST_NAME_KEY_MAX + 1];
    if (f->last_name) {
        cust_name_key(f->last_name, strlen(f->last_name), last, sizeof(last), NULL);
        cust_name_key_range(last, end, sizeof(end));
    }
    cust_pg_text(&p, 5, f->last_name ? last : NULL);
    cust_pg_text(&p, 6, f->last_name ? end : NULL);
    struct fwd c = {.fn = {.roster = fn}, .arg = arg};
    return cust_pg_each(&q->g, s_roster, &p, false, roster_row, &c, err, "roster");
}

static enum cust_status doc_row(const PGresult *r, int i, void *arg)
{
    const struct fwd *c = arg;
    return c->fn.doc(cust_pg_get(r, i, 0), cust_pg_get(r, i, 1), c->arg);
}

static enum cust_status pg_each(void *impl, int32_t day, cust_doc_fn fn, void *arg,
                                struct cust_err *err)
{
    struct pgs *q = impl;
    struct cust_pg_params p = {0};
    day_param(&p, 1, day);
    struct fwd c = {.fn = {.doc = fn}, .arg = arg};
    return cust_pg_each(&q->g, s_each, &p, false, doc_row, &c, err, "export");
}

/* A one-row, one-text-column answer into *out (a new string). */
static enum cust_status one_text(struct pgs *q, const char *sql, const struct cust_pg_params *p,
                                 char **out, const char *what, const char *key,
                                 struct cust_err *err)
{
    PGresult *r;
    if (query(q, sql, p, &r, err, what) != CUST_OK)
        return CUST_EDB;
    enum cust_status st = CUST_OK;
    if (PQntuples(r) > 0 && !PQgetisnull(r, 0, 0))
        *out = cust_xstrdup(PQgetvalue(r, 0, 0));
    else
        st = cust_err_set(err, CUST_ENOTFOUND, "no %s '%s'", what, key);
    PQclear(r);
    return st;
}

static enum cust_status pg_person_json(void *impl, const char *key, char **json,
                                       struct cust_err *err)
{
    *json = NULL;
    struct cust_pg_params p = {0};
    cust_pg_text(&p, 1, key);
    cust_pg_text(&p, 2, NULL);
    if (key[0] == '#') {
        char *end;
        long long id = strtoll(key + 1, &end, 10);
        if (*end == '\0' && end != key + 1)
            cust_pg_int(&p, 2, id);
    }
    return one_text(impl, s_person_json, &p, json, "person", key, err);
}

static enum cust_status pg_booking_json(void *impl, const char *bn, char **json,
                                        struct cust_err *err)
{
    *json = NULL;
    struct cust_pg_params p = {0};
    cust_pg_text(&p, 1, bn);
    cust_pg_int(&p, 2, cust_today());
    return one_text(impl, s_booking_json, &p, json, "booking", bn, err);
}

static enum cust_status pg_count(void *impl, const char *what, int64_t *n, struct cust_err *err)
{
    static const struct {
        const char *name, *sql;
    } map[] = {{"bookings", s_count_bookings},
               {"persons", s_count_persons},
               {"versions", s_count_versions},
               {"ledger", s_count_ledger},
               {"citizenship_history", s_count_cit}};
    for (size_t i = 0; i < CUST_ARRAY_LEN(map); i++) {
        if (strcmp(what, map[i].name) != 0)
            continue;
        PGresult *r;
        if (query(impl, map[i].sql, NULL, &r, err, "count") != CUST_OK)
            return CUST_EDB;
        *n = cust_pg_get_int(r, 0, 0);
        PQclear(r);
        return CUST_OK;
    }
    return cust_err_set(err, CUST_EINVAL, "cannot count '%s'", what);
}

/* ---- the ledger ------------------------------------------------------------------------ */

static enum cust_status pg_ledger_head(void *impl, int64_t *seq, char hash[65],
                                       struct cust_err *err)
{
    PGresult *r;
    if (query(impl, s_ledger_head, NULL, &r, err, "ledger head") != CUST_OK)
        return CUST_EDB;
    enum cust_status st = CUST_OK;
    if (PQntuples(r) == 0) {
        st = cust_err_set(err, CUST_EINTEGRITY, "the ledger head is missing");
    } else {
        *seq = cust_pg_get_int(r, 0, 0);
        const char *h = cust_pg_get(r, 0, 1);
        snprintf(hash, 65, "%s", h ? h : "");
    }
    PQclear(r);
    return st;
}

static enum cust_status pg_ledger_insert(void *impl, const struct cust_ledger_row *row,
                                         struct cust_err *err)
{
    struct pgs *q = impl;
    struct cust_pg_params p = {0};
    cust_pg_int(&p, 1, row->seq);
    cust_pg_text(&p, 2, row->at);
    cust_pg_text(&p, 3, row->actor);
    cust_pg_text(&p, 4, row->role);
    cust_pg_text(&p, 5, row->action);
    cust_pg_text(&p, 6, row->object_type);
    cust_pg_text(&p, 7, row->object_id);
    cust_pg_text(&p, 8, row->outcome);
    cust_pg_text(&p, 9, row->purpose);
    cust_pg_text(&p, 10, row->detail);
    cust_pg_text(&p, 11, row->prev_hash);
    cust_pg_text(&p, 12, row->hash);
    cust_pg_text(&p, 13, row->rows);
    if (cust_pg_do(&q->g, s_ledger_insert, &p, err, "ledger append") != CUST_OK)
        return CUST_EDB;
    struct cust_pg_params h = {0};
    cust_pg_int(&h, 1, row->seq);
    cust_pg_text(&h, 2, row->hash);
    return cust_pg_do(&q->g, s_ledger_head_set, &h, err, "ledger head");
}

static struct cust_ledger_row ledger_row_of(const PGresult *r, int i)
{
    return (struct cust_ledger_row){
        .seq = cust_pg_get_int(r, i, 0),
        .at = cust_pg_get(r, i, 1),
        .actor = cust_pg_get(r, i, 2),
        .role = cust_pg_get(r, i, 3),
        .action = cust_pg_get(r, i, 4),
        .object_type = cust_pg_get(r, i, 5),
        .object_id = cust_pg_get(r, i, 6),
        .outcome = cust_pg_get(r, i, 7),
        .purpose = cust_pg_get(r, i, 8),
        .detail = cust_pg_get(r, i, 9),
        .prev_hash = cust_pg_get(r, i, 10),
        .hash = cust_pg_get(r, i, 11),
        .rows = cust_pg_get(r, i, 12),
    };
}

static enum cust_status ledger_row(const PGresult *r, int i, void *arg)
{
    const struct fwd *c = arg;
    struct cust_ledger_row row = ledger_row_of(r, i);
    return c->fn.ledger(&row, c->arg);
}

static enum cust_status pg_ledger_each(void *impl, cust_ledger_fn fn, void *arg, int64_t *head_seq,
                                       char head_hash[65], struct cust_err *err)
{
    enum cust_status st = pg_ledger_head(impl, head_seq, head_hash, err);
    if (st != CUST_OK)
        return st;
    struct fwd c = {.fn = {.ledger = fn}, .arg = arg};
    return cust_pg_each(cust_pg_conn(impl), s_ledger_each, NULL, false, ledger_row, &c, err,
                        "ledger");
}

static enum cust_status pg_ledger_entry(void *impl, int64_t seq, cust_ledger_fn fn, void *arg,
                                        struct cust_err *err)
{
    struct cust_pg_params p = {0};
    cust_pg_int(&p, 1, seq);
    PGresult *r;
    if (query(impl, s_ledger_entry, &p, &r, err, "ledger") != CUST_OK)
        return CUST_EDB;
    enum cust_status st;
    if (PQntuples(r) > 0) {
        struct cust_ledger_row row = ledger_row_of(r, 0);
        st = fn(&row, arg);
    } else {
        st = cust_err_set(err, CUST_ENOTFOUND, "no ledger entry %" PRId64, seq);
    }
    PQclear(r);
    return st;
}

static const struct cust_store_ops pg_ops = {
    .name = "postgresql",
    .close = pg_close,
    .begin = pg_begin,
    .begin_bulk = pg_begin_bulk,
    .set_lock_wait = pg_set_lock_wait,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .snapshot_begin = pg_snapshot_begin,
    .snapshot_end = pg_snapshot_end,
    .current_version = pg_current,
    .put_booking = pg_put,
    .versions = pg_versions,
    .roster = pg_roster,
    .each_current = pg_each,
    .person_json = pg_person_json,
    .booking_json = pg_booking_json,
    .count = pg_count,
    .ledger_head = pg_ledger_head,
    .ledger_insert = pg_ledger_insert,
    .ledger_each = pg_ledger_each,
    .ledger_entry = pg_ledger_entry,
    .backup = cust_pg_backup,
    .persons = cust_pg_persons,
    .scope = cust_pg_scope,
    .person_bookings = cust_pg_person_bookings,
    .scope_persons = cust_pg_scope_persons,
    .public_search = cust_pg_public_search,
    .public_count = cust_pg_public_count,
    .publish = cust_pg_public_publish,
    .public_role = cust_pg_public_role,
    .requests = &cust_pg_request_ops,
    .accounts = &cust_pg_account_ops,
    .feed = &cust_pg_feed_ops,
    .reports = &cust_pg_reports_ops,
    .rows = &cust_pg_rows_ops,
};

/* The store as messages name it: postgresql://HOST/DB (never a password). */
static char *display_name(PGconn *c)
{
    const char *host = PQhost(c), *db = PQdb(c);
    struct cust_buf b = CUST_BUF_INIT;
    cust_buf_appendf(&b, "postgresql://%s/%s", host && host[0] != '/' ? host : "", db ? db : "");
    if (host && host[0] == '/')
        cust_buf_appendf(&b, "?host=%s", host);
    return cust_buf_detach(&b, NULL);
}

enum cust_status cust_store_pg_open(const char *url, enum cust_store_mode mode,
                                    struct cust_store *s, struct cust_err *err)
{
    struct pgs *q = cust_xcalloc(1, sizeof(*q));
    cust_buf_init(&q->pub, 0);
    q->url = cust_xstrdup(url);
    q->g.conn = PQconnectdb(url);
    if (PQstatus(q->g.conn) != CONNECTION_OK) {
        /* libpq's message names the host and the reason; the URL may hold a password */
        char *msg = cust_xstrdup(PQerrorMessage(q->g.conn));
        msg[strcspn(msg, "\n")] = '\0';
        cust_err_set(err, mode == CUST_STORE_CREATE ? CUST_EDB : CUST_ENOTFOUND,
                     "cannot open the PostgreSQL store: %s", msg);
        free(msg);
        pg_close(q);
        return err ? err->code : CUST_EDB;
    }
    q->g.name = display_name(q->g.conn);
    q->readonly = mode == CUST_STORE_READONLY || mode == CUST_STORE_PUBLIC;
    /* the session's settings: a commit is on disk when it returns; a writer waits up to 5 s
     * for the lock (as SQLite's busy wait); UTC text for the server's own formatting */
    enum cust_status st = cust_pg_exec(&q->g,
                                       "SET synchronous_commit = on; SET lock_timeout = '5s';"
                                       " SET client_encoding = 'UTF8'; SET TimeZone = 'UTC';"
                                       " SET extra_float_digits = 3",
                                       err, "open");
    if (st == CUST_OK && mode == CUST_STORE_PUBLIC) {
        /* the public view alone, read-only: no schema check (the role cannot read
         * schema_migrations; the view's statements are checked when prepared), no migration,
         * no lock, so a hot standby opens too */
        st = cust_pg_exec(&q->g, "SET default_transaction_read_only = on", err, "open");
        if (st == CUST_OK)
            st = cust_pg_public_open_check(&q->g, err);
    } else if (st == CUST_OK && q->readonly) {
        int have = 0;
        st = schema_have(q, &have, err);
        if (st == CUST_OK && have != cust_pg_migration_count)
            st = cust_err_set(err, have == 0 ? CUST_ENOTFOUND : CUST_EDB,
                              "store '%s' is at schema %d and this program reads schema %d%s",
                              q->g.name, have, cust_pg_migration_count,
                              have == 0 ? " (not a custodian store yet)" : "");
        if (st == CUST_OK)
            st = cust_pg_exec(&q->g, "SET default_transaction_read_only = on", err, "open");
    } else if (st == CUST_OK) {
        st = refuse_standby(q, err);
        if (st == CUST_OK)
            st = migrate(q, err);
    }
    if (st != CUST_OK) {
        pg_close(q);
        return st;
    }
    s->ops = &pg_ops;
    s->impl = q;
    s->tx_depth = 0;
    return CUST_OK;
}
