/*
 * store_postgres.h - private glue of the PostgreSQL backend (store_postgres*.c): the connection,
 * its statements (prepared once per connection from the same `?N` texts SQLite runs), typed
 * parameters and the wording of errors. Not a public header. docs/internals/store-postgresql.md.
 */
#ifndef CUSTODIAN_STORE_POSTGRES_H
#define CUSTODIAN_STORE_POSTGRES_H

#include "store_backend.h"

#include <libpq-fe.h>

struct cust_buf;

#define CUST_PG_MAX_PARAMS 32

/* A new row's id in covered table T as SQLite assigns it: max(id) + 1 (under the writer lock;
 * docs/internals/store-postgresql.md rule 3). */
#define CUST_PG_NEXT_ID(T) "(SELECT coalesce(max(id), 0) + 1 FROM " T ")"

/* The parameters of one statement, by number (1-based, as `?N`/`$N`); unset ones are NULL.
 * Text and numbers go as text, bytes as binary. */
struct cust_pg_params {
    int n;
    const char *v[CUST_PG_MAX_PARAMS];
    int len[CUST_PG_MAX_PARAMS];
    int fmt[CUST_PG_MAX_PARAMS];
    char num[CUST_PG_MAX_PARAMS][24];
};

void cust_pg_text(struct cust_pg_params *p, int i, const char *v);
void cust_pg_int(struct cust_pg_params *p, int i, int64_t v);
void cust_pg_bytes(struct cust_pg_params *p, int i, const void *v, size_t len);

/* One connection and what is prepared on it. */
struct cust_pg {
    PGconn *conn;
    char *name; /* the store as messages name it: postgresql://HOST/DB, no password */
    struct cust_pg_stmt {
        const char *sql; /* the constant text (by address) */
        char name[16];
        int ntypes; /* its parameters' types as prepared (0: inferred) */
        Oid types[CUST_PG_MAX_PARAMS];
    } * stmts;
    size_t nstmts, capstmts;
    unsigned cursors;            /* cursors opened on this connection: each gets a new name */
    struct cust_pg_bulk *bulk;   /* a bulk load through COPY, while one runs */
    struct cust_pg_defer *defer; /* rows this transaction writes by COPY (NULL: none yet) */
};

/* Prepare `sql` (`?N` parameters) once on this connection and run it; *res holds the result
 * (PQclear it) when it succeeded: rows (PGRES_TUPLES_OK) or none. `binary`: results in
 * binary form (the covered rows: integers and reals read exactly). On failure *res is NULL
 * and err says "store 'NAME': WHAT: <PostgreSQL's message>" (CUST_EDB; CUST_ECONFLICT for a
 * unique or foreign-key violation). */
enum cust_status cust_pg_run(struct cust_pg *g, const char *sql, const struct cust_pg_params *p,
                             bool binary, PGresult **res, struct cust_err *err, const char *what);
/* The same for a statement with no rows to read. */
enum cust_status cust_pg_do(struct cust_pg *g, const char *sql, const struct cust_pg_params *p,
                            struct cust_err *err, const char *what);
/* A cursor over a statement's answer, read a batch of rows at a time, so that memory holds one
 * batch whatever the answer's size (an export, a roster, a ledger or a covered table of a
 * state). It lives in the open transaction, or in a read-only REPEATABLE READ one begun here
 * and ended by its close (one snapshot, as one statement; cursors opened while it is open
 * share it and must be closed first). While it is open, the connection may be used to read,
 * not to begin, commit or write. */
struct cust_pg_cursor {
    struct cust_pg *g;
    PGresult *batch; /* the rows in hand */
    int at;          /* the next of them */
    bool binary, own, more;
    const char *what;
    char name[24]; /* "" for an answer read whole (cust_pg_cursor_of) */
};
enum cust_status cust_pg_cursor_open(struct cust_pg *g, const char *sql,
                                     const struct cust_pg_params *p, bool binary,
                                     struct cust_pg_cursor *c, struct cust_err *err,
                                     const char *what);
/* The same interface over an answer read whole (cust_pg_run): for a few rows, by key. */
enum cust_status cust_pg_cursor_of(struct cust_pg *g, const char *sql,
                                   const struct cust_pg_params *p, bool binary,
                                   struct cust_pg_cursor *c, struct cust_err *err,
                                   const char *what);
/* The row at the cursor as (*r, *i), the next batch fetched when this one is done; *r is NULL
 * at the end. The row stays valid until the cursor moves past its batch. */
enum cust_status cust_pg_cursor_peek(struct cust_pg_cursor *c, const PGresult **r, int *i,
                                     struct cust_err *err);
static inline void cust_pg_cursor_skip(struct cust_pg_cursor *c)
{
    c->at++;
}
/* Close it (and end the transaction it began: committed when st is CUST_OK, else rolled
 * back); returns st, or the close's failure. */
enum cust_status cust_pg_cursor_close(struct cust_pg_cursor *c, enum cust_status st,
                                      struct cust_err *err);
/* Every row of `sql`'s answer to `fn(r, i, arg)` through a cursor (stops at fn's first
 * failure, which it returns). */
typedef enum cust_status (*cust_pg_row_fn)(const PGresult *r, int i, void *arg);
enum cust_status cust_pg_each(struct cust_pg *g, const char *sql, const struct cust_pg_params *p,
                              bool binary, cust_pg_row_fn fn, void *arg, struct cust_err *err,
                              const char *what);
/* The error of a failed result: "store 'NAME': WHAT: message" (CUST_ECONFLICT for a unique or
 * foreign-key violation). */
enum cust_status cust_pg_result_err(struct cust_pg *g, const PGresult *r, struct cust_err *err,
                                    const char *what);
/* A constant statement without parameters, not prepared (DDL, BEGIN, COMMIT). */
enum cust_status cust_pg_exec(struct cust_pg *g, const char *sql, struct cust_err *err,
                              const char *what);
/* `sql` with `?N` written `$N` (outside quoted text and names): a new string. */
char *cust_pg_sql(const char *sql);

/* Column values of a text-format result: NULL for SQL NULL. */
static inline const char *cust_pg_get(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}
int64_t cust_pg_get_int(const PGresult *r, int row, int col);

/* Rows in COPY's binary form (store_postgres_copy.c): a tuple of `nfields`, then each field
 * in the order the COPY statement names the columns (text: NULL for SQL NULL; bigint). */
void cust_pg_copy_tuple(struct cust_buf *b, int nfields);
void cust_pg_copy_null(struct cust_buf *b);
void cust_pg_copy_text(struct cust_buf *b, const char *s);
void cust_pg_copy_int(struct cust_buf *b, int64_t v);
/* A whole tuple from a row's canonical values (store_rows.h): integers as bigint, reals as
 * double precision, bytes as text or bytea, in the order the COPY statement names the columns. */
struct cust_val;
void cust_pg_copy_vals(struct cust_buf *b, const struct cust_val *v, size_t n);
/* Send the tuples `rows` with `sql` (`COPY … FROM STDIN (FORMAT binary)`); errors as
 * cust_pg_run's, naming `what`. */
enum cust_status cust_pg_copy_send(struct cust_pg *g, const char *sql, const struct cust_buf *rows,
                                   struct cust_err *err, const char *what);

/* Rows a write transaction adds by the thousand (a fulfilment's decisions, disclosures and
 * duties: store_postgres_defer.c), sent by COPY instead of one INSERT and round trip each.
 * Their ids are counted in memory under the writer lock (max(id) + 1 read once in the
 * transaction, rule 3), so a put knows its row's id at once; the rows are sent, parents first,
 * before any other statement runs on the connection (cust_pg_run/_do/_exec, a cursor, the
 * commit) and dropped by a rollback. A failure to send (a foreign key, the server gone) is the
 * failure of that next statement, and the transaction is rolled back as for any failure. */
enum cust_pg_defer_table {
    CUST_PG_DEFER_DECISIONS,
    CUST_PG_DEFER_DISCLOSURES,
    CUST_PG_DEFER_DUTIES,
    CUST_PG_DEFER__N
};
/* The id of a new row of table t (the next of its table in this transaction). */
enum cust_status cust_pg_defer_id(struct cust_pg *g, enum cust_pg_defer_table t, int64_t *id,
                                  struct cust_err *err);
/* Buffer the row of table t given by its canonical values v[0..n) (the catalog's columns,
 * store_rows_sql.h; v[0] the id cust_pg_defer_id gave); sent at once when the buffers are
 * large or no transaction is open. */
enum cust_status cust_pg_defer_put(struct cust_pg *g, enum cust_pg_defer_table t,
                                   const struct cust_val *v, size_t n, struct cust_err *err);
/* Send what is buffered (nothing to do when nothing is). */
enum cust_status cust_pg_defer_send(struct cust_pg *g, struct cust_err *err);
/* The transaction ended: what is buffered is dropped and the ids are read again next time. */
void cust_pg_defer_end(struct cust_pg *g);

/* A bulk load into an empty store through COPY (store_postgres_bulk.c). begin: when the
 * store is empty, g->bulk is set and puts go to COPY buffers (else nothing changes: row by
 * row); end: forget it (after the commit or rollback). */
enum cust_status cust_pg_bulk_begin(struct cust_pg *g, struct cust_err *err);
void cust_pg_bulk_end(struct cust_pg *g);
/* Before any statement on the connection: everything the load buffered is sent and the
 * persons it changed are updated; the load goes on row by row (cust_pg_run/_do/_exec). */
enum cust_status cust_pg_bulk_before(struct cust_pg *g, struct cust_err *err);
/* What a booking's put computed for its row: the name keys and the public charges. */
struct cust_pg_bulk_names {
    const char *key_last, *key_first, *public_charges;
};
/* Put a booking through the buffers: *done false when the row-by-row path must do it (a
 * booking number the load wrote already, a person linked by cii/fbi/sid; the load was drained
 * first) or no bulk load runs. */
enum cust_status cust_pg_bulk_put(struct cust_pg *g, void *impl, const struct cust_booking *b,
                                  const struct cust_put_meta *meta,
                                  const struct cust_pg_bulk_names *nm, struct cust_put_result *res,
                                  bool *done, struct cust_err *err);
/* A booking number the load has not written, while nothing but the load's rows can exist. */
bool cust_pg_bulk_unknown(struct cust_pg *g, const char *booking_number);
/* True once per bulk load: the rows written are every row of the record's tables. */
bool cust_pg_bulk_scan_rows(struct cust_pg *g);

/* The backend's parts: their statements and state hang off the backend's handle. */
struct cust_pg *cust_pg_conn(void *impl);
/* Remember that the current transaction wrote covered row `id` / `text` of table `t`. */
void cust_pg_rows_track(void *impl, int t, int64_t id, const char *text);
/* ... or wrote the row whose canonical values are v[0..n), kept by their hash
 * (cust_rows_written_keep_hash): the ledger's entry takes it instead of reading the row back. */
void cust_pg_rows_keep_hash(void *impl, int t, const struct cust_val *v, size_t n);
void cust_pg_rows_forget(void *impl);
void cust_pg_rows_free(void *state);
void **cust_pg_rows_slot(void *impl);
extern const struct cust_store_rows_ops cust_pg_rows_ops;

/* The public view (store_postgres_public.c). */
enum cust_status cust_pg_public_search(void *impl, const struct cust_public_query *q,
                                       cust_public_fn fn, void *arg, int64_t *total,
                                       struct cust_err *err);
enum cust_status cust_pg_public_count(void *impl, const struct cust_public_query *q, int64_t *total,
                                      struct cust_err *err);
/* The published public view's file from this store's view (store.h cust_store_publish). */
enum cust_status cust_pg_public_publish(void *impl, const char *out, int32_t today, int64_t *rows,
                                        struct cust_err *err);
/* The role a public server connects as: the view granted (store.h cust_store_public_role). */
enum cust_status cust_pg_public_role(void *impl, const char *role, struct cust_err *err);
/* At a CUST_STORE_PUBLIC open: the connection's role reads the view and nothing else. */
enum cust_status cust_pg_public_open_check(struct cust_pg *g, struct cust_err *err);
/* The roles granted the view (quoted, "a, b"; NULL when none), read before a migration that
 * may remake it, and granted again after it. */
enum cust_status cust_pg_public_grants(struct cust_pg *g, char **grantees, struct cust_err *err);
enum cust_status cust_pg_public_regrant(struct cust_pg *g, const char *grantees,
                                        struct cust_err *err);

/* The schema (store_postgres_schema.c): migration N is SQLite's migration N. */
extern const char *const *const cust_pg_migrations[];
extern const int cust_pg_migration_count;

/* The feeds' runs, listed bookings and review items (store_postgres_feed.c). */
extern const struct cust_store_feed_ops cust_pg_feed_ops;
/* The request desk (store_postgres_requests.c): its sub-table, and the persons and scopes the
 * desk matches against. */
extern const struct cust_store_request_ops cust_pg_request_ops;
/* The requests received in a period, for the reports (store_postgres_requests.c). */
enum cust_status cust_pg_requests_between(void *impl, int64_t from_ts, int64_t to_ts,
                                          cust_request_row_fn fn, void *arg, struct cust_err *err);
/* Oversight reports and the enforcement log (store_postgres_reports.c). */
extern const struct cust_store_reports_ops cust_pg_reports_ops;
/* Staff accounts and sessions (store_postgres_accounts.c). */
extern const struct cust_store_account_ops cust_pg_account_ops;
enum cust_status cust_pg_persons(void *impl, int64_t person_id, cust_person_row_fn fn, void *arg,
                                 struct cust_err *err);
enum cust_status cust_pg_scope(void *impl, const struct cust_scope *sc, cust_scope_row_fn fn,
                               void *arg, struct cust_err *err);
enum cust_status cust_pg_person_bookings(void *impl, int64_t person_id, cust_scope_row_fn fn,
                                         void *arg, struct cust_err *err);
enum cust_status cust_pg_scope_persons(void *impl, const struct cust_scope *sc,
                                       cust_scope_row_fn fn, void *arg, struct cust_err *err);

/* Backup and restore (store_postgres_backup.c; store.h cust_store_backup, _restore_*). */
enum cust_status cust_pg_backup(void *impl, const char *dir, struct cust_backup_files *files,
                                struct cust_err *err);
/* Restore DIR's dump into a scratch database beside the store at `near` and open it read-only;
 * the scratch database is dropped when the store is closed. */
enum cust_status cust_pg_backup_open(const char *dir, const char *near, struct cust_store **out,
                                     struct cust_err *err);
enum cust_status cust_pg_restore_stage(const char *dir, const char *target, char **staged,
                                       struct cust_err *err);
enum cust_status cust_pg_restore_commit(const char *staged, const char *target, char **kept,
                                        struct cust_err *err);
void cust_pg_restore_discard(const char *staged);
/* Whether a database answers at `url`. */
bool cust_pg_exists(const char *url);
/* DROP DATABASE db, on a connection to `via` (errors ignored: a scratch database). */
void cust_pg_drop_database(const char *via, const char *db);
/* The URL the store was opened with (store_postgres.c). */
const char *cust_pg_url(void *impl);
/* Drop the database `db` (through `via`) when the store `s` is closed: a backup's scratch copy. */
void cust_pg_drop_on_close(struct cust_store *s, const char *via, const char *db);

enum cust_status cust_store_pg_open(const char *url, enum cust_store_mode mode,
                                    struct cust_store *s, struct cust_err *err);

#endif
