/*
 * store.h - the one storage interface of custodian.
 *
 * Callers hold an opaque `struct cust_store *` and call the cust_store_*() functions;
 * they never see the backend. The interface is grouped by the data it keeps: bookings,
 * persons, the public view and the ledger here; requests and what is kept with them in
 * store_requests.h; staff accounts and sessions in store_accounts.h. The store knows rows,
 * not what its callers make of them (no roles, no law). Each backend fills the vtables of
 * src/store/store_backend.h (SQLite now: src/store/store_sqlite*.c; PostgreSQL later,
 * behind the same ops). See docs/internals/store.md.
 *
 * Model: a booking is stored as versions. Every put of a booking appends a
 * version holding the source's complete JSON line (unknown fields included)
 * plus who/when/source; the current version is also projected into query
 * tables (bookings, persons, charges, prior_convictions, citizenship_history)
 * and the public view `public_bookings`. Nothing is overwritten in
 * booking_versions, citizenship_history or ledger.
 *
 * Strings in the value types below are borrowed (the caller owns them and
 * keeps them alive for the duration of the call); NULL means absent/null.
 */
#ifndef CUSTODIAN_STORE_H
#define CUSTODIAN_STORE_H

#include "custodian/status.h"

struct cust_buf;

#define CUST_NO_DAY INT32_MIN /* "no date" for day-number fields */

struct cust_charge {
    const char *code; /* normalized statute code, e.g. "PC 245(a)(1)" */
    const char *description;
    const char *level;  /* felony | misdemeanor | infraction | NULL */
    const char *status; /* pending | convicted | dismissed | acquitted | hold */
    int held_to_answer; /* 1, 0, or -1 when not stated */
    const char *case_number;
    const char *court;
    const char *next_court_date; /* YYYY-MM-DD or NULL */
    int64_t bail_cents;          /* -1 when not stated */
};

struct cust_prior {
    const char *code;
    const char *level;
    const char *date; /* YYYY-MM-DD, partial allowed, or NULL */
    const char *jurisdiction;
    const char *flags_json; /* classification flags (records.h cust_prior_flag_names) as a
                               compact JSON object: "flags", else the same keys given on the
                               conviction itself; NULL when neither */
};

struct cust_citizenship {
    const char *status; /* citizen | non_citizen | unknown */
    const char *country;
    const char *source; /* self_reported | consular_notification | document | federal_record |
                           court_record | NULL */
    int verified;       /* 1, 0, or -1 when not stated */
    const char *recorded_at;
};

struct cust_person {
    const char *person_key; /* the source's person_id, or NULL */
    const char *last_name, *first_name, *middle_name;
    const char *dob; /* YYYY-MM-DD or partial YYYY-MM-XX / YYYY-XX-XX */
    const char *sex;
    const char *cii, *fbi, *sid, *a_number;
    const char *place_of_birth;
    const char *home_address;       /* restricted: never in public_bookings */
    const char *immigration_status; /* kept apart from citizenship: as given, or the "status"
                                       of {"status", "proof_provided"} */
    int immigration_proof;          /* that object's proof_provided: 1, 0, -1 not stated */
    int address_public;             /* the home or work address is already public: 1, 0, -1 */
    const char *work_address_json;  /* restricted: any JSON value as given, compact, or NULL */
    const char *contact_info_json;  /* restricted: any JSON value as given, compact, or NULL */
    const char *aliases_json;       /* compact JSON array or NULL */
    int sex_arson_registrant;       /* 1, 0, -1 not stated */
    bool has_citizenship;
    struct cust_citizenship citizenship;
};

struct cust_booking {
    const char *booking_number;
    const char *booked_at; /* RFC 3339 as given */
    int64_t booked_ts;     /* unix seconds */
    int32_t booked_day;    /* local calendar day of booked_at at its own offset */
    const char *facility, *housing, *arresting_agency;
    const char *scheduled_release; /* as the source states it (YYYY-MM-DD) or NULL */
    int release_date_public;       /* 1 or 0 */
    const char *released_at;       /* RFC 3339 or NULL */
    int32_t released_day;          /* CUST_NO_DAY when not released */
    const char *release_reason;
    struct cust_person person;
    const struct cust_charge *charges;
    size_t n_charges;
    const struct cust_prior *priors;
    size_t n_priors;
    bool has_sentence;
    int32_t sentence_imposed_on, sentence_term_days, sentence_presentence_days;
    int32_t computed_release;  /* CUST_NO_DAY when not computed */
    const char *release_rule;  /* rule version of computed_release */
    bool release_disagreement; /* computed != source's scheduled_release */
    const char *attorney;      /* the attorney of record the source names (custody JSON "attorney":
                                  {"name", "phone", "address"}, as sent) as "NAME, PHONE, ADDRESS",
                                  or NULL */
    const char *doc;           /* the complete source JSON (one line, no newline) */
    size_t doc_len;
};

/* Who/when/where of one put (the version's provenance). */
struct cust_put_meta {
    const char *recorded_by; /* the acting user */
    const char *source;      /* e.g. "bookings.jsonl:12" */
    const char *recorded_at; /* RFC 3339 UTC */
    const char *changed;     /* JSON array of changed field names, or NULL for a new booking */
};

struct cust_put_result {
    int64_t person_id; /* internal person row id */
    bool person_created;
    int version; /* the new version number (1 for a new booking) */
};

/* One version of a booking, for history and by-version reads. */
struct cust_version {
    int version;
    const char *recorded_at, *recorded_by, *source;
    const char *changed; /* JSON array or NULL (first version) */
    const char *doc;
};

/* A roster row (the current version's projection). */
struct cust_roster_row {
    const char *booking_number;
    int64_t person_id;
    const char *person_key;
    const char *last_name, *first_name, *middle_name;
    const char *booked_at, *facility, *housing, *arresting_agency;
    const char *citizenship_status; /* the person's best-sourced status */
    const char *scheduled_release;
    const char *computed_release; /* YYYY-MM-DD or NULL */
    const char *release_rule;
    bool release_disagreement;
    const char *released_at;
    int version;
};

struct cust_roster_filter {
    int32_t day;             /* in custody on this day (CUST_NO_DAY = every booking) */
    const char *citizenship; /* exact status, or NULL */
    const char *facility;    /* exact facility, or NULL */
    bool disagreements_only; /* only release-date disagreements */
    const char *last_name;   /* as written, or NULL: by its key (namekey.h), a prefix from
                              * CUST_NAME_PREFIX_MIN characters, else exact */
};

/* A person as the matcher sees it. */
struct cust_person_row {
    int64_t person_id;
    const char *person_key, *last_name, *first_name, *dob;
    const char *aliases; /* JSON array or NULL */
    const char *cii, *fbi, *sid, *a_number;
    const char *booking_number;  /* latest booking */
    const char *booking_numbers; /* JSON array of all */
    const char *citizenship_status;
    bool verified_citizen; /* any citizenship record: citizen, verified */
    bool claimed_citizen;  /* any citizenship record: citizen, self-reported */
};

/* A booking in a data request's scope. */
struct cust_scope_row {
    const char *booking_number;
    int64_t person_id;
    const char *citizenship_status; /* best-sourced */
    const char *doc;                /* the current version's JSON */
};

struct cust_scope {
    int32_t day;
    const char *citizenship; /* or NULL */
    const char *facility;    /* or NULL */
};

/* A locator search. At least one of last_name / booking_number must be given. */
struct cust_public_query {
    const char *last_name;      /* as written, or NULL: compared by its key (namekey.h), a
                                 * prefix from CUST_NAME_PREFIX_MIN characters, else exact */
    const char *first_name;     /* as written, or NULL: its key is a prefix of the first name's */
    const char *booking_number; /* exact, or NULL */
    const char *dob;            /* exact `YYYY-MM-DD` (a filter only, never returned), or NULL;
                                 * a partial date of birth in the store never equals one */
    int64_t booked_before;      /* only bookings booked at or before this Unix time */
    int32_t today;              /* in custody on this day: not released, or released after it */
    unsigned limit;             /* at most this many rows */
};

/* One public row; strings borrowed for the duration of the callback. */
struct cust_public_row {
    const char *booking_number;
    const char *last_name, *first_name, *middle_name;
    const char *booked_at, *facility, *arresting_agency;
    const char *charges_json;      /* JSON array from the view */
    const char *scheduled_release; /* NULL unless the booking's release date is public */
    const char *fields; /* booking_number .. arresting_agency as made by cust_store_public_fields,
                         * kept with an in-custody row (public_custody.fields); else NULL */
};

typedef enum cust_status (*cust_public_fn)(const struct cust_public_row *row, void *arg);
/* Append the public fields of `r` from booking_number to arresting_agency as the members of a JSON
 * object, in the locator API's order and escaping (cust_buf_json_safe):
 * "booking_number":...,"last_name":...,"first_name":...,"middle_name":...,"booked_at":...,
 * "facility":...,"arresting_agency":... public_custody keeps them ready for each in-custody row
 * (its column `fields`, migration 14: made by this function on SQLite, by the same escaping in
 * PL/pgSQL on PostgreSQL), so that an answer copies them instead of escaping seven strings. */
enum cust_status cust_store_public_fields(struct cust_buf *b, const struct cust_public_row *r);

/* A ledger row as stored. */
struct cust_ledger_row {
    int64_t seq;
    const char *at, *actor, *role, *action, *object_type, *object_id, *outcome, *purpose;
    const char *detail;           /* JSON text or NULL */
    const char *prev_hash, *hash; /* lowercase hex SHA-256 */
    const char *rows; /* the journal records it commits to (JSON); NULL for an entry written
                         before the ledger covered rows (schema 9) */
};

/* Callbacks return CUST_OK to continue; anything else stops the iteration and is returned. */
typedef enum cust_status (*cust_roster_fn)(const struct cust_roster_row *row, void *arg);
typedef enum cust_status (*cust_version_fn)(const struct cust_version *v, void *arg);
typedef enum cust_status (*cust_doc_fn)(const char *booking_number, const char *doc, void *arg);
typedef enum cust_status (*cust_ledger_fn)(const struct cust_ledger_row *row, void *arg);
typedef enum cust_status (*cust_person_row_fn)(const struct cust_person_row *p, void *arg);
typedef enum cust_status (*cust_scope_row_fn)(const struct cust_scope_row *r, void *arg);

/* The files of a backup, as the backend wrote them into the backup folder. */
#define CUST_BACKUP_FILES_MAX 4
struct cust_backup_files {
    char format[16]; /* "sqlite3": a database file; a PostgreSQL backend: "pg_dump" */
    size_t n;
    char name[CUST_BACKUP_FILES_MAX][64]; /* file names inside the folder */
};

/* A store (opaque; src/store/store_backend.h). */
struct cust_store;

enum cust_store_mode {
    CUST_STORE_OPEN = 0,   /* the store must exist */
    CUST_STORE_CREATE = 1, /* create it when missing */
    /* Read only: the store must exist and be at this program's schema. Never migrates, never
     * writes, never takes a write lock (it reads while a writer works); a copy on read-only
     * media is opened as immutable. Every write through it fails. For readers that must not
     * change what they read (audit verify). */
    CUST_STORE_READONLY = 2,
    /* The published public view (cust_store_publish) and nothing else: the file holds only the
     * locator's rows and columns, so a process that opens it cannot read a restricted field.
     * Opened immutable (the folder may be read-only); only cust_store_public_search works
     * (every other read fails: the file has no such table). When the file is replaced (a new
     * publish), a search at least a second after the last look reopens it. Refuses a file that
     * is not a published view. On PostgreSQL (a "postgresql://" path) the same mode connects as
     * a role granted SELECT on the view public_bookings only (cust_store_public_role): it
     * refuses a role that can read any other table or view of the store (CUST_EINVAL), never
     * migrates, writes or locks, and so also opens a hot standby (a streaming replica). */
    CUST_STORE_PUBLIC = 3,
    /* Read-write, and bring an older schema up to date: `custodian migrate`, and `serve` at
     * start. The other writing modes refuse a store at an older schema, naming `custodian
     * migrate` (a migration takes the write lock and rewrites tables: an operator's act, never a
     * side effect of a daily command). */
    CUST_STORE_MIGRATE = 4
};

/*
 * Open the store at `path` (a SQLite file; later "postgresql://..." picks the PostgreSQL
 * backend). Only CUST_STORE_MIGRATE applies pending migrations; every other mode refuses a
 * store at an older schema (CUST_EDB: "... run 'custodian migrate'"); a new (empty) store is
 * created at the current schema. CUST_ENOTFOUND when mode is CUST_STORE_OPEN,
 * CUST_STORE_READONLY or CUST_STORE_MIGRATE and the store does not exist. On success *out is a new
 * store; close it with cust_store_close.
 */
enum cust_status cust_store_open(const char *path, enum cust_store_mode mode,
                                 struct cust_store **out, struct cust_err *err) CUST_WARN_UNUSED;
/* Close and free (NULL is fine). Rolls back an open transaction. */
void cust_store_close(struct cust_store *s);
/* The schema version the store is at after open. */
int cust_store_schema_version(void);

/* Transactions nest: only the outermost begin/commit reach the backend. */
enum cust_status cust_store_begin(struct cust_store *s, struct cust_err *err) CUST_WARN_UNUSED;
enum cust_status cust_store_commit(struct cust_store *s, struct cust_err *err) CUST_WARN_UNUSED;
/*
 * Like cust_store_begin, for loading many bookings (an import). When this is the outermost
 * transaction the backend may organise the load for speed: defer index maintenance to the
 * commit, keep lookups it needs in memory, skip checks its own writes make redundant. What a
 * reader sees after the commit, and every put's result, are exactly as with cust_store_begin;
 * nested inside an open transaction it is cust_store_begin.
 */
enum cust_status cust_store_begin_bulk(struct cust_store *s, struct cust_err *err) CUST_WARN_UNUSED;
/* How long the next transactions wait for another writer's lock before they fail, in ms (-1:
 * the store's default, 5 s on SQLite). A caller with somewhere else to put its write (the
 * ledger spool, cust_ledger_append_or_spool) waits briefly instead of holding up its answer. */
void cust_store_set_lock_wait(struct cust_store *s, int ms);
/* Roll back the whole (outermost) transaction. */
void cust_store_rollback(struct cust_store *s);
/* Whether a transaction is open (cust_store_begin not yet committed or rolled back). */
bool cust_store_in_transaction(const struct cust_store *s);

/*
 * Read everything until cust_store_snapshot_end from one snapshot of the store: what other
 * connections commit meanwhile is not seen (a verify run while the server writes must not take
 * a half-seen write for tampering). Never takes the write lock; nests; inside an open
 * transaction it does nothing (that transaction is already one snapshot). No transaction may be
 * begun inside a snapshot (CUST_EDB).
 */
enum cust_status cust_store_snapshot_begin(struct cust_store *s,
                                           struct cust_err *err) CUST_WARN_UNUSED;
void cust_store_snapshot_end(struct cust_store *s);

/*
 * The current version number and JSON of a booking. CUST_ENOTFOUND when there is none.
 * `doc` may be NULL; otherwise *doc is a new heap string (free()).
 */
enum cust_status cust_store_current_version(struct cust_store *s, const char *booking_number,
                                            int *version, char **doc, struct cust_err *err);
/*
 * Store `b` as a new version of its booking (version 1 for a new booking number), link or
 * create its person, append its citizenship value to the person's history, and refresh the
 * query tables. Call inside a transaction.
 */
enum cust_status cust_store_put_booking(struct cust_store *s, const struct cust_booking *b,
                                        const struct cust_put_meta *meta,
                                        struct cust_put_result *res,
                                        struct cust_err *err) CUST_WARN_UNUSED;
/* Every version of a booking, oldest first. CUST_ENOTFOUND for an unknown booking. */
enum cust_status cust_store_versions(struct cust_store *s, const char *booking_number,
                                     cust_version_fn fn, void *arg, struct cust_err *err);
/*
 * The JSON of version `version` of a booking (a new heap string in *doc). CUST_ENOTFOUND when
 * the booking or that version does not exist. (Built on the versions op.)
 */
enum cust_status cust_store_booking_version(struct cust_store *s, const char *booking_number,
                                            int version, char **doc, struct cust_err *err);
/* The roster rows matching `f`, by booking_number. */
enum cust_status cust_store_roster(struct cust_store *s, const struct cust_roster_filter *f,
                                   cust_roster_fn fn, void *arg, struct cust_err *err);
/* Each booking's current JSON by booking_number; only those in custody on `day` unless
 * day == CUST_NO_DAY. */
enum cust_status cust_store_each_current(struct cust_store *s, int32_t day, cust_doc_fn fn,
                                         void *arg, struct cust_err *err);
/* A person (key = source person_id, or "#N" for internal id N) as a JSON object with
 * citizenship history and bookings; *json is a new heap string. */
enum cust_status cust_store_person_json(struct cust_store *s, const char *key, char **json,
                                        struct cust_err *err);
/* A booking's current record, computed release and version as a JSON object (new string). */
enum cust_status cust_store_booking_json(struct cust_store *s, const char *booking_number,
                                         char **json, struct cust_err *err);
/* Row count of "bookings", "persons", "versions", "ledger", "citizenship_history". */
enum cust_status cust_store_count(struct cust_store *s, const char *what, int64_t *n,
                                  struct cust_err *err);

/* Every person (person_id 0) or one, for matching. */
enum cust_status cust_store_persons(struct cust_store *s, int64_t person_id, cust_person_row_fn fn,
                                    void *arg, struct cust_err *err);
/* The bookings in a data request's scope, by booking_number. */
enum cust_status cust_store_scope(struct cust_store *s, const struct cust_scope *sc,
                                  cust_scope_row_fn fn, void *arg, struct cust_err *err);
/*
 * Every booking of one person (person_id > 0) with its current version, ordered by booking time
 * and number: the whole custody record a person's case is built from (desk.h). CUST_ENOTFOUND
 * when the person has no booking, CUST_EINVAL for person_id <= 0. Rows as for the scope
 * (citizenship_status the person's best-sourced).
 */
enum cust_status cust_store_person_bookings(struct cust_store *s, int64_t person_id,
                                            cust_scope_row_fn fn, void *arg, struct cust_err *err);
/*
 * Every booking of each person with a booking in the scope `sc` and more than one booking, as
 * cust_store_person_bookings gives them, ordered by person, booking time and number: the whole
 * records a data request's cases are built from, read in one pass. What is read grows with the
 * scope, not with the store (every person with more than one booking was read before: 169,119
 * bookings for a scope of 2,189 in a county of 266,095).
 */
enum cust_status cust_store_scope_persons(struct cust_store *s, const struct cust_scope *sc,
                                          cust_scope_row_fn fn, void *arg, struct cust_err *err);
/*
 * The rank of a citizenship value, the one "best-sourced" order: unknown 0; then by source
 * (self_reported < consular_notification < document < court_record < federal_record), a
 * verified value above an unverified one of the same source. Ties go to the later recorded_at.
 */
int cust_citizenship_rank(const struct cust_citizenship *c);
/* Rows of public_bookings matching `q` (in custody on q->today, booked at or before
 * q->booked_before; the unreleased ones read from public_custody, the same rows kept in this
 * order), ordered by name then booking number, at most q->limit. CUST_EINVAL without a last
 * name and a booking number (no listing of everyone). */
enum cust_status cust_store_public_search(struct cust_store *s, const struct cust_public_query *q,
                                          cust_public_fn fn, void *arg, struct cust_err *err);
/* The locator's read: the rows of cust_store_public_search through `fn` and *total, in one read
 * of the store (one snapshot, so the count agrees with the rows): the number of rows given when
 * fewer than q->limit came, else every match (as cust_store_public_count would count them). */
enum cust_status cust_store_public_read(struct cust_store *s, const struct cust_public_query *q,
                                        cust_public_fn fn, void *arg, int64_t *total,
                                        struct cust_err *err);
/* How many rows of public_bookings match `q` (q->limit ignored): the locator's honest count
 * ("showing 50 of 212"). The same filters and the same indexes as cust_store_public_search. */
enum cust_status cust_store_public_count(struct cust_store *s, const struct cust_public_query *q,
                                         int64_t *total, struct cust_err *err);

/* Publish the public view as it is now to `out`, a new SQLite file: the rows of public_bookings
 * the locator can show on `today` or later (not released, or released after `today`), the view's
 * columns only (what it shows and its filters: date of birth, custody, booking time, the names'
 * search keys). Written beside `out` as OUT.publishing-PID, synced, then renamed over `out`, so a
 * reader sees the old file or the new one, whole. Reads one snapshot; works on a read-only
 * store. *rows (when not NULL): how many rows it holds. `serve --public-only` reads it
 * (CUST_STORE_PUBLIC). */
enum cust_status cust_store_publish(struct cust_store *s, const char *out, int32_t today,
                                    int64_t *rows, struct cust_err *err);

/* On PostgreSQL: let the database role `role` (made, with LOGIN, when it does not exist) read
 * the public view public_bookings and nothing else, so that `serve --public-only` can connect
 * as it (CUST_STORE_PUBLIC refuses a role that can read more). Grants CONNECT on the database,
 * USAGE on the store's schema and SELECT on the view; then checks that the role can read no
 * other table or view of the store's schema (CUST_EINVAL naming the one it can, changing
 * nothing). Needs a role that may create roles (CREATEROLE) when `role` is new. The grant
 * survives the migrations that remake the view. A SQLite store's public server reads a
 * published file instead (cust_store_publish): CUST_EINVAL. */
enum cust_status cust_store_public_role(struct cust_store *s, const char *role,
                                        struct cust_err *err);

/* Ledger storage (use the ledger module, ledger.h, which computes the hashes). */
enum cust_status cust_store_ledger_head(struct cust_store *s, int64_t *seq, char hash[65],
                                        struct cust_err *err);
enum cust_status cust_store_ledger_insert(struct cust_store *s, const struct cust_ledger_row *row,
                                          struct cust_err *err);
/* Rows in seq order; also reports the separately kept head (seq, hash) for tail checks. */
enum cust_status cust_store_ledger_each(struct cust_store *s, cust_ledger_fn fn, void *arg,
                                        int64_t *head_seq, char head_hash[65],
                                        struct cust_err *err);

/* One entry by seq (fn runs once); CUST_ENOTFOUND when there is none. */
enum cust_status cust_store_ledger_entry(struct cust_store *s, int64_t seq, cust_ledger_fn fn,
                                         void *arg, struct cust_err *err);
/* ---- backup and restore (docs/operations.md "Backups"; the backup module, backup.h) ---- */

/* The backend's name ("sqlite"), as a backup's manifest records it. */
const char *cust_store_backend(const struct cust_store *s);
/*
 * Write a consistent copy of the whole store into the existing folder `dir` while others keep
 * writing, each file synced and whole or absent; *files names what was written. SQLite: the
 * online backup API in one step (one read transaction: a snapshot; in WAL mode writers are not
 * blocked) into DIR/custodian.db. A PostgreSQL backend: `pg_dump --format=custom` of one
 * snapshot into DIR/custodian.pgdump.
 */
enum cust_status cust_store_backup(struct cust_store *s, const char *dir,
                                   struct cust_backup_files *files,
                                   struct cust_err *err) CUST_WARN_UNUSED;
/*
 * Open what cust_store_backup wrote in `dir`, read-only, to check it (SQLite: the copied file;
 * PostgreSQL: the dump restored into a scratch database beside `store_path`, the store that
 * was backed up, dropped again when the copy is closed).
 */
enum cust_status cust_store_backup_open(const char *dir, const struct cust_backup_files *files,
                                        const char *store_path, struct cust_store **out,
                                        struct cust_err *err) CUST_WARN_UNUSED;
/* Whether a store is at `path` (a file exists; a PostgreSQL database answers). */
bool cust_store_exists(const char *path);
/*
 * Stage a backup as a new store beside `target` (nothing at `target` is touched): *staged (a
 * new string) is a store path cust_store_open accepts (it migrates an older copy), to check
 * before it replaces anything. SQLite: a synced copy under a temporary name in the target's
 * folder. PostgreSQL: pg_restore into a new database.
 */
enum cust_status cust_store_restore_stage(const char *dir, const struct cust_backup_files *files,
                                          const char *target, char **staged,
                                          struct cust_err *err) CUST_WARN_UNUSED;
/*
 * Put a staged store in place of `target`. Refused (CUST_ECONFLICT) while a process has the
 * store at `target` open (stop the server first). A store already at `target` is never
 * deleted: it is renamed, with its WAL files, to *kept (a new string, "TARGET.replaced-<UTC>"),
 * or *kept is NULL when there was none.
 */
enum cust_status cust_store_restore_commit(const char *staged, const char *target, char **kept,
                                           struct cust_err *err) CUST_WARN_UNUSED;
/* Remove a staged store (a check failed). */
void cust_store_restore_discard(const char *staged);

#endif
