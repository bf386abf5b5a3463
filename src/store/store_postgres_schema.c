/*
 * store_postgres_schema.c - the schema of the PostgreSQL backend: migration N is the SQLite
 * backend's migration N (store.md "Migrations"), written for PostgreSQL
 * (docs/internals/store-postgresql.md "Migrations").
 *
 * Column types follow SQLite's declared affinity column by column (INTEGER -> bigint, TEXT ->
 * ctext, BLOB -> bytea, REAL -> double precision), so a covered row reads back as the same
 * canonical values on both backends and hashes to the same bytes. `ctext` is text with the
 * "C" collation: keys, names and numbers sort by their bytes, as SQLite's BINARY collation
 * does, whatever the database's locale (the verifier merges rows by key order). Integer keys
 * have no default: the backend assigns max(id) + 1 as SQLite does (store_postgres.c).
 * Append-only tables refuse UPDATE and DELETE through one trigger function.
 *
 * Steps that convert existing rows on SQLite (5, 7 and 10 fill new columns) have none to convert
 * here: a PostgreSQL store is created at the current schema; their DDL is kept step by step so
 * that the numbering, and a later migration's starting point, are the same.
 */
#include "custodian/compat.h"
#include "store_postgres.h"
#include "store_public_sql.h"

#define NO_CHANGE(table, what)                                                                     \
    "CREATE TRIGGER " table "_no_update BEFORE UPDATE ON " table                                   \
    " FOR EACH ROW EXECUTE FUNCTION cust_append_only('" what " are never overwritten')",           \
        "CREATE TRIGGER " table "_no_delete BEFORE DELETE ON " table                               \
        " FOR EACH ROW EXECUTE FUNCTION cust_append_only('" what " are never deleted')"

static const char *const m1[] = {
    "CREATE DOMAIN ctext AS text COLLATE \"C\"",
    "CREATE FUNCTION cust_append_only() RETURNS trigger LANGUAGE plpgsql AS"
    " $$BEGIN RAISE EXCEPTION USING ERRCODE = 'restrict_violation', MESSAGE = TG_ARGV[0];"
    " END$$",
    "CREATE TABLE persons("
    " id bigint PRIMARY KEY,"
    " person_key ctext UNIQUE,"
    " last_name ctext NOT NULL, first_name ctext NOT NULL, middle_name ctext,"
    " dob ctext NOT NULL, sex ctext,"
    " cii ctext, fbi ctext, sid ctext, a_number ctext,"
    " place_of_birth ctext, home_address ctext, immigration_status ctext, aliases ctext,"
    " sex_arson_registrant bigint,"
    " citizenship_status ctext NOT NULL DEFAULT 'unknown',"
    " citizenship_rank bigint NOT NULL DEFAULT -1,"
    " citizenship_recorded_at ctext NOT NULL DEFAULT '')",
    "CREATE INDEX persons_cii ON persons(cii) WHERE cii IS NOT NULL",
    "CREATE INDEX persons_fbi ON persons(fbi) WHERE fbi IS NOT NULL",
    "CREATE INDEX persons_sid ON persons(sid) WHERE sid IS NOT NULL",
    "CREATE TABLE citizenship_history("
    " id bigint PRIMARY KEY,"
    " person_id bigint NOT NULL REFERENCES persons(id),"
    " status ctext NOT NULL, country ctext NOT NULL DEFAULT '', source ctext NOT NULL DEFAULT '',"
    " verified bigint NOT NULL DEFAULT -1, recorded_at ctext NOT NULL DEFAULT '',"
    " booking_number ctext NOT NULL, entered_at ctext NOT NULL,"
    " UNIQUE(person_id, status, country, source, verified, recorded_at))",
    "CREATE TABLE bookings("
    " id bigint PRIMARY KEY,"
    " booking_number ctext NOT NULL UNIQUE,"
    " person_id bigint NOT NULL REFERENCES persons(id),"
    " version bigint NOT NULL,"
    " booked_at ctext NOT NULL, booked_ts bigint NOT NULL, booked_day bigint NOT NULL,"
    " facility ctext, housing ctext, arresting_agency ctext,"
    " scheduled_release ctext, release_date_public bigint NOT NULL DEFAULT 0,"
    " released_at ctext, released_day bigint, release_reason ctext,"
    " sentence_imposed_on bigint, sentence_term_days bigint, sentence_presentence_days bigint,"
    " computed_release ctext, release_rule ctext,"
    " release_disagreement bigint NOT NULL DEFAULT 0)",
    "CREATE INDEX bookings_person ON bookings(person_id)",
    "CREATE TABLE booking_versions("
    " id bigint PRIMARY KEY,"
    " booking_id bigint NOT NULL REFERENCES bookings(id),"
    " version bigint NOT NULL,"
    " recorded_at ctext NOT NULL, recorded_by ctext NOT NULL, source ctext NOT NULL,"
    " changed ctext, doc ctext NOT NULL,"
    " UNIQUE(booking_id, version))",
    NO_CHANGE("booking_versions", "booking versions"),
    "CREATE TABLE charges("
    " booking_id bigint NOT NULL REFERENCES bookings(id), idx bigint NOT NULL,"
    " code ctext, description ctext, level ctext, status ctext, held_to_answer bigint,"
    " case_number ctext, court ctext, next_court_date ctext, bail_cents bigint,"
    " PRIMARY KEY(booking_id, idx))",
    "CREATE TABLE prior_convictions("
    " booking_id bigint NOT NULL REFERENCES bookings(id), idx bigint NOT NULL,"
    " person_id bigint NOT NULL REFERENCES persons(id),"
    " code ctext, level ctext, date ctext, jurisdiction ctext, flags ctext,"
    " PRIMARY KEY(booking_id, idx))",
    "CREATE INDEX priors_person ON prior_convictions(person_id)",
    "CREATE TABLE ledger("
    " seq bigint PRIMARY KEY,"
    " at ctext NOT NULL, actor ctext NOT NULL, role ctext NOT NULL, action ctext NOT NULL,"
    " object_type ctext NOT NULL, object_id ctext NOT NULL, outcome ctext NOT NULL,"
    " purpose ctext NOT NULL, detail ctext, prev_hash ctext NOT NULL, hash ctext NOT NULL)",
    "CREATE TABLE ledger_head(id bigint PRIMARY KEY CHECK (id = 1), seq bigint NOT NULL,"
    " hash ctext NOT NULL)",
    "INSERT INTO ledger_head VALUES(1, 0,"
    " '0000000000000000000000000000000000000000000000000000000000000000')",
    NO_CHANGE("ledger", "ledger entries"),
    /* the view as of migration 10 is made there; this one is SQLite's first, minus the JSON of
     * the charges (migration 7 replaces it with the precomputed column) */
    "CREATE VIEW public_bookings AS SELECT"
    " b.booking_number, p.last_name, p.first_name, p.middle_name,"
    " b.booked_at, b.facility, b.arresting_agency"
    " FROM bookings b JOIN persons p ON p.id = b.person_id",
    NULL};

static const char *const m2[] = {
    "CREATE TABLE requests("
    " id ctext PRIMARY KEY, year bigint NOT NULL, seq bigint NOT NULL,"
    " kind ctext NOT NULL, form ctext, agency ctext NOT NULL, office ctext,"
    " status ctext NOT NULL, status_reason ctext,"
    " received_at ctext NOT NULL, received_ts bigint NOT NULL, received_offset bigint NOT NULL,"
    " due_ts bigint, law_ts bigint, law_rule ctext, owner ctext,"
    " created_at ctext NOT NULL, updated_at ctext NOT NULL, doc ctext NOT NULL,"
    " UNIQUE(year, seq))",
    "CREATE INDEX requests_status ON requests(status)",
    "CREATE TABLE documents(sha256 ctext PRIMARY KEY, size bigint, content bytea)",
    "CREATE TABLE request_documents("
    " id bigint PRIMARY KEY, request_id ctext NOT NULL REFERENCES requests(id),"
    " name ctext NOT NULL, sha256 ctext NOT NULL, role ctext NOT NULL)",
    "CREATE INDEX request_documents_request ON request_documents(request_id)",
    "CREATE TABLE request_links("
    " request_id ctext NOT NULL REFERENCES requests(id), person_id bigint NOT NULL,"
    " booking_number ctext, score double precision NOT NULL, strong bigint NOT NULL,"
    " state ctext NOT NULL, confirmed_by ctext, confirmed_at ctext, reasons ctext,"
    " review bigint NOT NULL DEFAULT 0, review_reason ctext,"
    " PRIMARY KEY(request_id, person_id))",
    "CREATE TABLE decisions("
    " id bigint PRIMARY KEY, request_id ctext NOT NULL REFERENCES requests(id),"
    " person_id bigint NOT NULL, booking_number ctext,"
    " policy_id ctext NOT NULL, policy_version ctext NOT NULL, policy_sha256 ctext NOT NULL,"
    " decided_at ctext NOT NULL, decided_by ctext NOT NULL, decision ctext NOT NULL)",
    "CREATE INDEX decisions_request ON decisions(request_id)",
    "CREATE TABLE actions("
    " id bigint PRIMARY KEY, request_id ctext NOT NULL REFERENCES requests(id),"
    " person_id bigint NOT NULL, action ctext NOT NULL, verdict ctext NOT NULL,"
    " outcome ctext NOT NULL, \"by\" ctext NOT NULL, at ctext NOT NULL, reason ctext,"
    " decision_id bigint REFERENCES decisions(id))",
    "CREATE INDEX actions_request ON actions(request_id)",
    "CREATE TABLE duties("
    " id bigint PRIMARY KEY, request_id ctext NOT NULL REFERENCES requests(id),"
    " person_id bigint NOT NULL, booking_number ctext, duty ctext NOT NULL, cite ctext,"
    " status ctext NOT NULL, due_ts bigint, created_at ctext NOT NULL,"
    " done_by ctext, done_at ctext, document_sha256 ctext, detail ctext)",
    "CREATE INDEX duties_request ON duties(request_id)",
    "CREATE INDEX duties_open ON duties(status, due_ts)",
    "CREATE TABLE transfers("
    " id bigint PRIMARY KEY, request_id ctext REFERENCES requests(id),"
    " person_id bigint NOT NULL, booking_number ctext, at ctext NOT NULL, agency ctext NOT NULL,"
    " basis ctext NOT NULL, warrant_number ctext, criterion ctext, offense ctext,"
    " recorded_by ctext NOT NULL, recorded_at ctext NOT NULL)",
    NO_CHANGE("decisions", "decisions"),
    NO_CHANGE("actions", "actions"),
    NO_CHANGE("transfers", "transfers"),
    "CREATE TRIGGER documents_no_update BEFORE UPDATE ON documents"
    " FOR EACH ROW EXECUTE FUNCTION cust_append_only('documents are never overwritten')",
    NULL};

static const char *const m3[] = {
    "CREATE TABLE users("
    " name ctext PRIMARY KEY, role ctext NOT NULL, pwhash ctext NOT NULL, totp_key bytea NOT NULL,"
    " totp_last_step bigint NOT NULL DEFAULT 0, failures bigint NOT NULL DEFAULT 0,"
    " locked_until bigint NOT NULL DEFAULT 0, disabled bigint NOT NULL DEFAULT 0,"
    " created_at ctext NOT NULL"
    " DEFAULT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'))",
    "CREATE TABLE sessions("
    " id ctext PRIMARY KEY, csrf ctext NOT NULL, \"user\" ctext NOT NULL REFERENCES users(name),"
    " role ctext NOT NULL, created bigint NOT NULL, last_seen bigint NOT NULL)",
    "CREATE INDEX sessions_user ON sessions(\"user\")",
    "CREATE INDEX persons_name ON persons(last_name, first_name)", NULL};

static const char *const m4[] = {
    "CREATE TABLE disclosures("
    " id bigint PRIMARY KEY, request_id ctext NOT NULL REFERENCES requests(id),"
    " ord bigint NOT NULL, person_id bigint NOT NULL, booking_number ctext,"
    " items ctext NOT NULL, withheld ctext NOT NULL, recipient ctext NOT NULL, office ctext,"
    " at ctext NOT NULL, decision_id bigint NOT NULL REFERENCES decisions(id),"
    " row_hash ctext NOT NULL)",
    "CREATE INDEX disclosures_request ON disclosures(request_id, ord)",
    NO_CHANGE("disclosures", "disclosures"), NULL};

/* The locator's name copy; the trigger that keeps it on SQLite is C here (store_postgres.c
 * put_person), since the copy's key (migration 10) is computed by C (namekey.h). */
static const char *const m5[] = {
    "ALTER TABLE bookings ADD COLUMN search_last ctext",
    "ALTER TABLE bookings ADD COLUMN search_first ctext",
    "CREATE INDEX bookings_open ON bookings(search_last, search_first, booking_number)"
    " WHERE released_at IS NULL",
    "CREATE INDEX bookings_released_name ON bookings(search_last, released_day)"
    " WHERE released_day IS NOT NULL",
    NULL};

static const char *const m6[] = {"ALTER TABLE users ADD COLUMN totp_nonce bytea", NULL};

static const char *const m7[] = {"ALTER TABLE bookings ADD COLUMN public_charges ctext", NULL};

static const char *const m8[] = {
    "CREATE TABLE feed_runs("
    " id bigint PRIMARY KEY,"
    " source ctext NOT NULL, file ctext NOT NULL, sha256 ctext NOT NULL,"
    " snapshot ctext NOT NULL CHECK (snapshot IN ('full', 'delta')),"
    " run_at ctext NOT NULL, actor ctext NOT NULL,"
    " records bigint NOT NULL, created bigint NOT NULL, updated bigint NOT NULL,"
    " unchanged bigint NOT NULL, released bigint NOT NULL, missing bigint NOT NULL,"
    " reviews_opened bigint NOT NULL, reappeared bigint NOT NULL, rejected bigint NOT NULL,"
    " rejects_file ctext)",
    "CREATE INDEX feed_runs_source ON feed_runs(source, id)",
    NO_CHANGE("feed_runs", "feed runs"),
    "CREATE TABLE feed_bookings("
    " source ctext NOT NULL, booking_number ctext NOT NULL,"
    " first_run bigint NOT NULL, last_run bigint NOT NULL,"
    " PRIMARY KEY(source, booking_number))",
    "CREATE INDEX feed_bookings_last ON feed_bookings(source, last_run)",
    "CREATE TABLE feed_reviews("
    " id bigint PRIMARY KEY,"
    " source ctext NOT NULL, booking_number ctext NOT NULL, run_id bigint NOT NULL,"
    " opened_at ctext NOT NULL, reason ctext NOT NULL,"
    " status ctext NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),"
    " resolved_at ctext, resolved_by ctext, resolution ctext)",
    "CREATE UNIQUE INDEX feed_reviews_open ON feed_reviews(source, booking_number)"
    " WHERE status = 'open'",
    "CREATE TRIGGER feed_reviews_no_delete BEFORE DELETE ON feed_reviews"
    " FOR EACH ROW EXECUTE FUNCTION cust_append_only('review items are never deleted')",
    "CREATE TRIGGER feed_reviews_resolved_once BEFORE UPDATE ON feed_reviews"
    " FOR EACH ROW WHEN (OLD.status = 'resolved')"
    " EXECUTE FUNCTION cust_append_only('a resolved review item is never changed')",
    NULL};

static const char *const m9[] = {
    "ALTER TABLE ledger ADD COLUMN rows ctext",
    "CREATE TABLE ledger_rows("
    " id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, seq bigint NOT NULL,"
    " tbl ctext NOT NULL, part bigint NOT NULL, n bigint NOT NULL, hashes bytea NOT NULL,"
    " UNIQUE(seq, tbl, part))",
    "CREATE INDEX ledger_rows_tbl ON ledger_rows(tbl, seq)",
    NO_CHANGE("ledger_rows", "row journal records"),
    "CREATE TABLE checkpoints(id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    " size bigint NOT NULL, root ctext NOT NULL, at bigint NOT NULL, note ctext NOT NULL)",
    NULL};

/* The names' keys; the view as the locator reads it (the same columns as SQLite's, in the same
 * order; `unreleased` is a boolean here, an integer there: a filter, never shown). */
static const char *const m10[] = {
    "ALTER TABLE bookings ADD COLUMN key_last ctext",
    "ALTER TABLE bookings ADD COLUMN key_first ctext",
    "DROP INDEX bookings_open",
    "DROP INDEX bookings_released_name",
    "CREATE INDEX bookings_open ON bookings(key_last, key_first, booking_number)"
    " WHERE released_at IS NULL",
    "CREATE INDEX bookings_released_name ON bookings(key_last, released_day)"
    " WHERE released_day IS NOT NULL",
    "DROP VIEW public_bookings",
    "CREATE VIEW public_bookings AS SELECT"
    " b.booking_number, b.search_last AS last_name, b.search_first AS first_name,"
    " p.middle_name, b.booked_at, b.facility, b.arresting_agency, b.public_charges AS charges,"
    " CASE WHEN b.release_date_public = 1 THEN b.scheduled_release END AS scheduled_release,"
    " p.dob AS dob, b.released_at IS NULL AS unreleased, b.released_day AS released_day,"
    " b.booked_ts AS booked_ts, b.key_last AS last_key, b.key_first AS first_key"
    " FROM bookings b JOIN persons p ON p.id = b.person_id",
    NULL};

static const char *const m11[] = {
    "CREATE INDEX requests_received ON requests(received_ts)",
    "CREATE TABLE enforcement_actions("
    " id bigint PRIMARY KEY,"
    " occurred_at ctext NOT NULL, occurred_ts bigint NOT NULL, occurred_offset bigint NOT NULL,"
    " area ctext NOT NULL, place ctext, agency ctext NOT NULL, detained bigint NOT NULL,"
    " persons ctext NOT NULL, reasons ctext, source ctext NOT NULL, note ctext,"
    " supersedes bigint REFERENCES enforcement_actions(id),"
    " recorded_by ctext NOT NULL, recorded_at ctext NOT NULL)",
    "CREATE INDEX enforcement_actions_time ON enforcement_actions(occurred_ts)",
    NO_CHANGE("enforcement_actions", "enforcement entries"), NULL};

/* 12: empty, a no-op forever (as on SQLite) */
static const char *const m12[] = {NULL};

/* The locator's in-custody rows in its order (store_public_sql.h, store_sqlite_public.c
 * migration 13), kept by row triggers in the writing transaction (COPY fires them too), and
 * bookings_released_name by release day first. */
#define CUSTODY_OF_NEW PUBLIC_CUSTODY_FILL("booking_number = NEW.booking_number")
#define CUSTODY_OF_PERSON                                                                          \
    PUBLIC_CUSTODY_FILL("booking_number IN (SELECT booking_number FROM bookings"                   \
                        " WHERE person_id = NEW.id)")
static const char *const m13[] = {
    "CREATE TABLE public_custody(last_key ctext NOT NULL, first_key ctext NOT NULL,"
    " booking_number ctext NOT NULL, booked_ts bigint NOT NULL, dob ctext, last_name ctext,"
    " first_name ctext, middle_name ctext, booked_at ctext, facility ctext,"
    " arresting_agency ctext, charges ctext, scheduled_release ctext,"
    " PRIMARY KEY(last_key, first_key, booking_number))",
    "CREATE UNIQUE INDEX public_custody_number ON public_custody(booking_number)",
    "CREATE INDEX public_custody_count ON public_custody(last_key, first_key, booked_ts, dob)",
    PUBLIC_CUSTODY_FILL("true"),
    "CREATE FUNCTION cust_public_custody_booking() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN"
    " IF TG_OP <> 'INSERT' THEN"
    " DELETE FROM public_custody WHERE booking_number = OLD.booking_number; END IF;"
    " IF TG_OP <> 'DELETE' AND NEW.released_at IS NULL THEN " CUSTODY_OF_NEW "; END IF;"
    " RETURN NULL; END$$",
    "CREATE TRIGGER public_custody_booking AFTER INSERT OR UPDATE OR DELETE ON bookings"
    " FOR EACH ROW EXECUTE FUNCTION cust_public_custody_booking()",
    "CREATE FUNCTION cust_public_custody_person() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN"
    " DELETE FROM public_custody WHERE booking_number IN"
    " (SELECT booking_number FROM bookings WHERE person_id = NEW.id); " CUSTODY_OF_PERSON ";"
    " RETURN NULL; END$$",
    "CREATE TRIGGER public_custody_person AFTER UPDATE OF middle_name, dob ON persons"
    " FOR EACH ROW WHEN (OLD.middle_name IS DISTINCT FROM NEW.middle_name"
    " OR OLD.dob IS DISTINCT FROM NEW.dob) EXECUTE FUNCTION cust_public_custody_person()",
    "DROP INDEX bookings_released_name",
    "CREATE INDEX bookings_released_name ON bookings(released_day, key_last)"
    " WHERE released_day IS NOT NULL",
    NULL};

/* The in-custody rows' fields ready as JSON and counted per last name key (store_public_sql.h,
 * store_sqlite_public.c migration 14): public_custody.fields, public_custody_names kept by a row
 * trigger on public_custody, and public_custody_booked. */
static const char *const m14[] = {
    /* store.h cust_store_public_fields (buf.h cust_buf_json_safe) in PL/pgSQL, byte for byte: the
     * seven public fields as JSON members, a stored column of each in-custody row */
    "CREATE FUNCTION cust_json_str(s text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$"
    "DECLARE r text; i int; BEGIN"
    " IF s IS NULL THEN RETURN 'null'; END IF;"
    " r := replace(replace(s, '\\', '\\\\'), '\"', '\\\"');"
    " r := replace(replace(replace(r, '<', '\\u003c'), '>', '\\u003e'), '&', '\\u0026');"
    " IF r ~ '[\\x01-\\x1f]' THEN FOR i IN 1..31 LOOP"
    " r := replace(r, chr(i), '\\u' || lpad(to_hex(i), 4, '0')); END LOOP; END IF;"
    " RETURN '\"' || r || '\"'; END$$",
    /* the search path it was made under goes with it: pg_restore computes the stored column
     * with an empty one, where cust_json_str would not be found */
    "CREATE FUNCTION cust_public_fields(bn text, ln text, fn text, mn text, ba text, fa text,"
    " aa text) RETURNS text LANGUAGE sql IMMUTABLE SET search_path FROM CURRENT"
    " AS $$SELECT '\"booking_number\":'"
    " || cust_json_str(bn) || ',\"last_name\":' || cust_json_str(ln) || ',\"first_name\":'"
    " || cust_json_str(fn) || ',\"middle_name\":' || cust_json_str(mn) || ',\"booked_at\":'"
    " || cust_json_str(ba) || ',\"facility\":' || cust_json_str(fa)"
    " || ',\"arresting_agency\":' || cust_json_str(aa)$$",
    "ALTER TABLE public_custody ADD COLUMN fields ctext GENERATED ALWAYS AS "
    "(" PUBLIC_CUSTODY_FIELDS_OF ") STORED",
    "CREATE TABLE public_custody_names(last_key ctext NOT NULL PRIMARY KEY, n bigint NOT NULL)",
    PUBLIC_NAMES_FILL, "CREATE INDEX public_custody_booked ON public_custody(booked_ts)",
    "CREATE FUNCTION cust_public_custody_names() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN"
    " IF TG_OP <> 'INSERT' THEN"
    " DELETE FROM public_custody_names WHERE last_key = OLD.last_key AND n = 1;"
    " UPDATE public_custody_names SET n = n - 1 WHERE last_key = OLD.last_key; END IF;"
    " IF TG_OP <> 'DELETE' THEN INSERT INTO public_custody_names(last_key, n)"
    " VALUES (NEW.last_key, 1) ON CONFLICT (last_key)"
    " DO UPDATE SET n = public_custody_names.n + 1; END IF;"
    " RETURN NULL; END$$",
    "CREATE TRIGGER public_custody_names AFTER INSERT OR DELETE OR UPDATE OF last_key"
    " ON public_custody FOR EACH ROW EXECUTE FUNCTION cust_public_custody_names()",
    NULL};

/* The bookings in custody on a day (store_sqlite_stmt.h CUST_SQLITE_IDX_BOOKINGS_CUSTODY): the
 * same index on both backends; PostgreSQL's planner reads IN_CUSTODY_ON's two ranges from it
 * (a BitmapOr) where SQLite needs the ranges written out. */
static const char *const m15[] = {
    "CREATE INDEX bookings_custody ON bookings(released_day, booked_day)", NULL};

/* A data request's scope by index (SQLite's migration 16, store_sqlite_stmt.h): bookings_custody
 * with person_id, and persons by citizenship status. */
static const char *const m16[] = {
    "DROP INDEX bookings_custody",
    "CREATE INDEX bookings_custody ON bookings(released_day, booked_day, person_id)",
    "CREATE INDEX persons_citizenship ON persons(citizenship_status)", NULL};

/* The same two indexes covering a scope's statements (store_postgres_requests.c SCOPE_CUSTODY):
 * a PostgreSQL index holds no row id, as SQLite's holds the rowid, so bookings_custody carries
 * the booking's id and persons_citizenship the person's, and the scope is found from the indexes
 * alone (index-only scans) instead of reading every booking in custody and its person from the
 * heap. The DOJ letter's two scope statements on a 1,065,482-booking county: 1.4-1.7 s -> 0.6 s
 * for the first (docs/bench-desk.md "The scope on PostgreSQL"). SQLite's migration 17 is empty. */
static const char *const m17[] = {
    "DROP INDEX bookings_custody",
    "CREATE INDEX bookings_custody ON bookings(released_day, booked_day, person_id, id)",
    "DROP INDEX persons_citizenship",
    "CREATE INDEX persons_citizenship ON persons(citizenship_status, id)", NULL};

/* A document named by its SHA-256 alone gets its content when a later request brings it
 * (doc_fill_sql); every other change is still refused (SQLite's migration 18). */
static const char *const m18[] = {
    "DROP TRIGGER documents_no_update ON documents",
    "CREATE TRIGGER documents_no_update BEFORE UPDATE ON documents FOR EACH ROW"
    " WHEN (NOT (OLD.content IS NULL AND NEW.sha256 = OLD.sha256 AND NEW.content IS NOT NULL"
    " AND NEW.size IS NOT DISTINCT FROM octet_length(NEW.content)))"
    " EXECUTE FUNCTION cust_append_only('documents are never overwritten')",
    NULL};

const char *const *const cust_pg_migrations[] = {m1,  m2,  m3,  m4,  m5,  m6,  m7,  m8,  m9,
                                                 m10, m11, m12, m13, m14, m15, m16, m17, m18};
const int cust_pg_migration_count = (int)CUST_ARRAY_LEN(cust_pg_migrations);
