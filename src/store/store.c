/* store.c - the backend-neutral store front: dispatch through cust_store_ops. */
#include "custodian/compat.h"
#include "custodian/buf.h"
#include "store_backend.h"
#include "store_postgres.h"
#include "store_sqlite_backup.h"

#include <sys/stat.h>

enum cust_status cust_store_open(const char *path, enum cust_store_mode mode,
                                 struct cust_store **out, struct cust_err *err)
{
    *out = NULL;
    if (!path || !*path)
        return cust_err_set(err, CUST_EINVAL, "empty store path");
    struct cust_store *s = cust_xcalloc(1, sizeof(*s));
    enum cust_status st = strncmp(path, "postgres", 8) == 0
                              ? cust_store_pg_open(path, mode, s, err)
                              : cust_store_sqlite_open(path, mode, s, err);
    if (st != CUST_OK) {
        free(s);
        return st;
    }
    *out = s;
    return CUST_OK;
}

void cust_store_close(struct cust_store *s)
{
    if (!s)
        return;
    if (s->tx_depth > 0)
        s->ops->rollback(s->impl, NULL);
    s->ops->close(s->impl);
    free(s);
}

static enum cust_status no_write_in_snapshot(struct cust_store *s, struct cust_err *err)
{
    return s->snap_owned ? cust_err_set(err, CUST_EDB, "a transaction inside a read snapshot")
                         : CUST_OK;
}

enum cust_status cust_store_begin(struct cust_store *s, struct cust_err *err)
{
    if (no_write_in_snapshot(s, err) != CUST_OK)
        return CUST_EDB;
    if (s->tx_depth++ > 0)
        return CUST_OK;
    enum cust_status st = s->ops->begin(s->impl, err);
    if (st != CUST_OK)
        s->tx_depth = 0;
    return st;
}

enum cust_status cust_store_begin_bulk(struct cust_store *s, struct cust_err *err)
{
    if (no_write_in_snapshot(s, err) != CUST_OK)
        return CUST_EDB;
    if (s->tx_depth++ > 0)
        return CUST_OK;
    enum cust_status st =
        s->ops->begin_bulk ? s->ops->begin_bulk(s->impl, err) : s->ops->begin(s->impl, err);
    if (st != CUST_OK)
        s->tx_depth = 0;
    return st;
}

enum cust_status cust_store_commit(struct cust_store *s, struct cust_err *err)
{
    if (s->tx_depth <= 0)
        return cust_err_set(err, CUST_EDB, "commit without a transaction");
    if (--s->tx_depth > 0)
        return CUST_OK;
    enum cust_status st = s->ops->commit(s->impl, err);
    if (st != CUST_OK)
        s->ops->rollback(s->impl, NULL);
    return st;
}

void cust_store_set_lock_wait(struct cust_store *s, int ms)
{
    if (s->ops->set_lock_wait)
        s->ops->set_lock_wait(s->impl, ms);
}

bool cust_store_in_transaction(const struct cust_store *s)
{
    return s->tx_depth > 0;
}

void cust_store_rollback(struct cust_store *s)
{
    if (s->tx_depth <= 0)
        return;
    s->tx_depth = 0;
    s->ops->rollback(s->impl, NULL);
}

enum cust_status cust_store_snapshot_begin(struct cust_store *s, struct cust_err *err)
{
    if (s->snap_depth++ > 0)
        return CUST_OK;
    s->snap_owned = false;
    if (s->tx_depth > 0 || !s->ops->snapshot_begin)
        return CUST_OK;
    enum cust_status st = s->ops->snapshot_begin(s->impl, err);
    if (st != CUST_OK) {
        s->snap_depth = 0;
        return st;
    }
    s->snap_owned = true;
    return CUST_OK;
}

void cust_store_snapshot_end(struct cust_store *s)
{
    if (s->snap_depth <= 0 || --s->snap_depth > 0)
        return;
    if (s->snap_owned)
        s->ops->snapshot_end(s->impl);
    s->snap_owned = false;
}

enum cust_status cust_store_current_version(struct cust_store *s, const char *booking_number,
                                            int *version, char **doc, struct cust_err *err)
{
    return s->ops->current_version(s->impl, booking_number, version, doc, err);
}

enum cust_status cust_store_put_booking(struct cust_store *s, const struct cust_booking *b,
                                        const struct cust_put_meta *meta,
                                        struct cust_put_result *res, struct cust_err *err)
{
    if (s->tx_depth <= 0)
        return cust_err_set(err, CUST_EDB, "put_booking outside a transaction");
    return s->ops->put_booking(s->impl, b, meta, res, err);
}

enum cust_status cust_store_versions(struct cust_store *s, const char *booking_number,
                                     cust_version_fn fn, void *arg, struct cust_err *err)
{
    return s->ops->versions(s->impl, booking_number, fn, arg, err);
}

struct pick_version {
    int want;
    char *doc;
};

static enum cust_status pick_version(const struct cust_version *v, void *arg)
{
    struct pick_version *p = arg;
    if (v->version == p->want && !p->doc)
        p->doc = cust_xstrdup(v->doc);
    return CUST_OK;
}

enum cust_status cust_store_booking_version(struct cust_store *s, const char *booking_number,
                                            int version, char **doc, struct cust_err *err)
{
    struct pick_version p = {version, NULL};
    *doc = NULL;
    enum cust_status st = s->ops->versions(s->impl, booking_number, pick_version, &p, err);
    if (st != CUST_OK) {
        free(p.doc);
        return st;
    }
    if (!p.doc)
        return cust_err_set(err, CUST_ENOTFOUND, "booking '%s' has no version %d", booking_number,
                            version);
    *doc = p.doc;
    return CUST_OK;
}

enum cust_status cust_store_roster(struct cust_store *s, const struct cust_roster_filter *f,
                                   cust_roster_fn fn, void *arg, struct cust_err *err)
{
    return s->ops->roster(s->impl, f, fn, arg, err);
}

enum cust_status cust_store_each_current(struct cust_store *s, int32_t day, cust_doc_fn fn,
                                         void *arg, struct cust_err *err)
{
    return s->ops->each_current(s->impl, day, fn, arg, err);
}

enum cust_status cust_store_person_json(struct cust_store *s, const char *key, char **json,
                                        struct cust_err *err)
{
    return s->ops->person_json(s->impl, key, json, err);
}

enum cust_status cust_store_booking_json(struct cust_store *s, const char *booking_number,
                                         char **json, struct cust_err *err)
{
    return s->ops->booking_json(s->impl, booking_number, json, err);
}

enum cust_status cust_store_count(struct cust_store *s, const char *what, int64_t *n,
                                  struct cust_err *err)
{
    return s->ops->count(s->impl, what, n, err);
}

enum cust_status cust_store_ledger_head(struct cust_store *s, int64_t *seq, char hash[65],
                                        struct cust_err *err)
{
    return s->ops->ledger_head(s->impl, seq, hash, err);
}

enum cust_status cust_store_ledger_insert(struct cust_store *s, const struct cust_ledger_row *row,
                                          struct cust_err *err)
{
    if (s->tx_depth <= 0)
        return cust_err_set(err, CUST_EDB, "ledger insert outside a transaction");
    return s->ops->ledger_insert(s->impl, row, err);
}

enum cust_status cust_store_ledger_each(struct cust_store *s, cust_ledger_fn fn, void *arg,
                                        int64_t *head_seq, char head_hash[65], struct cust_err *err)
{
    return s->ops->ledger_each(s->impl, fn, arg, head_seq, head_hash, err);
}

enum cust_status cust_store_persons(struct cust_store *s, int64_t person_id, cust_person_row_fn fn,
                                    void *arg, struct cust_err *err)
{
    if (!s->ops->persons)
        return cust_err_set(err, CUST_EINVAL, "the %s store lists no persons", s->ops->name);
    return s->ops->persons(s->impl, person_id, fn, arg, err);
}

enum cust_status cust_store_scope(struct cust_store *s, const struct cust_scope *sc,
                                  cust_scope_row_fn fn, void *arg, struct cust_err *err)
{
    if (!s->ops->scope)
        return cust_err_set(err, CUST_EINVAL, "the %s store has no scope query", s->ops->name);
    return s->ops->scope(s->impl, sc, fn, arg, err);
}

enum cust_status cust_store_person_bookings(struct cust_store *s, int64_t person_id,
                                            cust_scope_row_fn fn, void *arg, struct cust_err *err)
{
    if (!s->ops->person_bookings)
        return cust_err_set(err, CUST_EINVAL, "the %s store lists no person's bookings",
                            s->ops->name);
    if (person_id <= 0)
        return cust_err_set(err, CUST_EINVAL, "person #%lld: no such person id",
                            (long long)person_id);
    return s->ops->person_bookings(s->impl, person_id, fn, arg, err);
}

enum cust_status cust_store_scope_persons(struct cust_store *s, const struct cust_scope *sc,
                                          cust_scope_row_fn fn, void *arg, struct cust_err *err)
{
    if (!s->ops->scope_persons)
        return cust_err_set(err, CUST_EINVAL, "the %s store has no scope query", s->ops->name);
    return s->ops->scope_persons(s->impl, sc, fn, arg, err);
}

int cust_citizenship_rank(const struct cust_citizenship *c)
{
    static const char *const order[] = {"self_reported", "consular_notification", "document",
                                        "court_record", "federal_record"};
    if (!c->status || strcmp(c->status, "unknown") == 0)
        return 0;
    int r = 1;
    for (size_t i = 0; c->source && i < CUST_ARRAY_LEN(order); i++)
        if (strcmp(c->source, order[i]) == 0)
            r = (int)i + 1;
    return r * 2 + (c->verified == 1 ? 1 : 0);
}

enum cust_status cust_store_public_fields(struct cust_buf *b, const struct cust_public_row *r)
{
    static const char *const name[] = {
        "\"booking_number\":", ",\"last_name\":", ",\"first_name\":",      ",\"middle_name\":",
        ",\"booked_at\":",     ",\"facility\":",  ",\"arresting_agency\":"};
    const char *value[] = {r->booking_number, r->last_name, r->first_name,      r->middle_name,
                           r->booked_at,      r->facility,  r->arresting_agency};
    for (size_t i = 0; i < CUST_ARRAY_LEN(name); i++) {
        cust_buf_puts(b, name[i]);
        cust_buf_json_safe(b, value[i]);
    }
    return cust_buf_status(b);
}

enum cust_status cust_store_public_search(struct cust_store *s, const struct cust_public_query *q,
                                          cust_public_fn fn, void *arg, struct cust_err *err)
{
    if (!s->ops->public_search)
        return cust_err_set(err, CUST_EINVAL, "the %s store has no public view", s->ops->name);
    return s->ops->public_search(s->impl, q, fn, arg, NULL, err);
}

enum cust_status cust_store_public_read(struct cust_store *s, const struct cust_public_query *q,
                                        cust_public_fn fn, void *arg, int64_t *total,
                                        struct cust_err *err)
{
    *total = 0;
    if (!s->ops->public_search)
        return cust_err_set(err, CUST_EINVAL, "the %s store has no public view", s->ops->name);
    return s->ops->public_search(s->impl, q, fn, arg, total, err);
}

enum cust_status cust_store_public_count(struct cust_store *s, const struct cust_public_query *q,
                                         int64_t *total, struct cust_err *err)
{
    *total = 0;
    if (!s->ops->public_count)
        return cust_err_set(err, CUST_EINVAL, "the %s store has no public view", s->ops->name);
    return s->ops->public_count(s->impl, q, total, err);
}

enum cust_status cust_store_publish(struct cust_store *s, const char *out, int32_t today,
                                    int64_t *rows, struct cust_err *err)
{
    if (!s->ops->publish)
        return cust_err_set(err, CUST_EINVAL, "the %s store cannot publish its public view",
                            s->ops->name);
    if (!out || !*out)
        return cust_err_set(err, CUST_EINVAL, "publish: no output file");
    int64_t n = 0;
    enum cust_status st = s->ops->publish(s->impl, out, today, &n, err);
    if (rows)
        *rows = n;
    return st;
}

enum cust_status cust_store_public_role(struct cust_store *s, const char *role,
                                        struct cust_err *err)
{
    if (!s->ops->public_role)
        return cust_err_set(err, CUST_EINVAL,
                            "the %s store has no database roles: its public server reads a"
                            " published file (custodian publish --out FILE)",
                            s->ops->name);
    if (!role || !*role)
        return cust_err_set(err, CUST_EINVAL, "public role: no role named");
    if (s->tx_depth > 0)
        return cust_err_set(err, CUST_EINVAL, "public role: inside a transaction");
    return s->ops->public_role(s->impl, role, err);
}

enum cust_status cust_store_ledger_entry(struct cust_store *s, int64_t seq, cust_ledger_fn fn,
                                         void *arg, struct cust_err *err)
{
    return s->ops->ledger_entry(s->impl, seq, fn, arg, err);
}

/* ---- rows the ledger commits to (store_rows.h) ------------------------------------------ */

enum cust_status cust_store_rows_written(struct cust_store *s, cust_row_fn fn, void *arg,
                                         struct cust_err *err)
{
    if (s->tx_depth <= 0)
        return cust_err_set(err, CUST_EDB, "rows written: outside a transaction");
    return s->ops->rows->written(s->impl, fn, arg, err);
}

bool cust_store_rows_pending(struct cust_store *s)
{
    return s->ops->rows->pending(s->impl);
}

enum cust_status cust_store_rows_each(struct cust_store *s, int table, cust_row_fn fn, void *arg,
                                      struct cust_err *err)
{
    return s->ops->rows->each(s->impl, table, fn, arg, err);
}

enum cust_status cust_store_row_get(struct cust_store *s, int table, const void *key,
                                    size_t key_len, cust_row_fn fn, void *arg, struct cust_err *err)
{
    return s->ops->rows->get(s->impl, table, key, key_len, fn, arg, err);
}

enum cust_status cust_store_row_label(struct cust_store *s, int table, const void *key,
                                      size_t key_len, char **label, struct cust_err *err)
{
    return s->ops->rows->label(s->impl, table, key, key_len, label, err);
}

enum cust_status cust_store_journal_put(struct cust_store *s, const struct cust_journal_rec *j,
                                        struct cust_err *err)
{
    if (s->tx_depth <= 0)
        return cust_err_set(err, CUST_EDB, "row journal: outside a transaction");
    return s->ops->rows->journal_put(s->impl, j, err);
}

enum cust_status cust_store_journal_each(struct cust_store *s, int table, int64_t seq,
                                         cust_journal_fn fn, void *arg, struct cust_err *err)
{
    return s->ops->rows->journal_each(s->impl, table, seq, fn, arg, err);
}

enum cust_status cust_store_rows_derived(struct cust_store *s, cust_derived_fn fn, void *arg,
                                         struct cust_err *err)
{
    return s->ops->rows->derived(s->impl, fn, arg, err);
}

enum cust_status cust_store_checkpoint_put(struct cust_store *s,
                                           const struct cust_stored_checkpoint *c,
                                           struct cust_err *err)
{
    return s->ops->rows->checkpoint_put(s->impl, c, err);
}

enum cust_status cust_store_checkpoint_latest(struct cust_store *s, cust_checkpoint_fn fn,
                                              void *arg, struct cust_err *err)
{
    return s->ops->rows->checkpoint_latest(s->impl, fn, arg, err);
}

/* ---- backup and restore: the backend is chosen by the path, as in cust_store_open ---------- */

static bool is_postgres(const char *path)
{
    return path && strncmp(path, "postgres", 8) == 0;
}

const char *cust_store_backend(const struct cust_store *s)
{
    return s->ops->name;
}

enum cust_status cust_store_backup(struct cust_store *s, const char *dir,
                                   struct cust_backup_files *files, struct cust_err *err)
{
    if (!s->ops->backup)
        return cust_err_set(err, CUST_EINVAL, "the %s store cannot be backed up", s->ops->name);
    if (s->tx_depth > 0)
        return cust_err_set(err, CUST_EINVAL, "backup inside a transaction");
    return s->ops->backup(s->impl, dir, files, err);
}

static bool is_dump(const struct cust_backup_files *files)
{
    return strcmp(files->format, "pg_dump") == 0;
}

/* A backup restores into a store of its own backend (moving between them: export | import). */
static enum cust_status same_backend(const struct cust_backup_files *files, const char *path,
                                     struct cust_err *err)
{
    if (is_dump(files) == is_postgres(path))
        return CUST_OK;
    return cust_err_set(err, CUST_EINVAL,
                        "a %s backup restores into a %s store (to move a county between them:"
                        " custodian export | custodian --db ... import)",
                        is_dump(files) ? "PostgreSQL" : "SQLite",
                        is_dump(files) ? "PostgreSQL" : "SQLite");
}

enum cust_status cust_store_backup_open(const char *dir, const struct cust_backup_files *files,
                                        const char *store_path, struct cust_store **out,
                                        struct cust_err *err)
{
    *out = NULL;
    if (!is_dump(files))
        return cust_sqlite_backup_open(dir, files, out, err);
    if (same_backend(files, store_path, err) != CUST_OK)
        return CUST_EINVAL;
    return cust_pg_backup_open(dir, store_path, out, err);
}

bool cust_store_exists(const char *path)
{
    struct stat sb;
    return is_postgres(path) ? cust_pg_exists(path) : stat(path, &sb) == 0;
}

enum cust_status cust_store_restore_stage(const char *dir, const struct cust_backup_files *files,
                                          const char *target, char **staged, struct cust_err *err)
{
    *staged = NULL;
    if (same_backend(files, target, err) != CUST_OK)
        return CUST_EINVAL;
    if (is_postgres(target))
        return cust_pg_restore_stage(dir, target, staged, err);
    return cust_sqlite_restore_stage(dir, files, target, staged, err);
}

enum cust_status cust_store_restore_commit(const char *staged, const char *target, char **kept,
                                           struct cust_err *err)
{
    *kept = NULL;
    if (is_postgres(target))
        return cust_pg_restore_commit(staged, target, kept, err);
    return cust_sqlite_restore_commit(staged, target, kept, err);
}

void cust_store_restore_discard(const char *staged)
{
    if (staged && is_postgres(staged))
        cust_pg_restore_discard(staged);
    else if (staged)
        cust_sqlite_restore_discard(staged);
}
