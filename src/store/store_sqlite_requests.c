/*
 * store_sqlite_requests.c - requests and what is kept with them in the SQLite backend
 * (store_requests.h, docs/internals/desk.md); and the persons and scope reads (store.h).
 *
 * Schema migration 2 adds requests, documents (content kept once per SHA-256), links between
 * requests and persons, decisions, actions, duties and transfers. Decisions, actions and
 * transfers are append-only (triggers refuse UPDATE and DELETE); a request's status and a
 * duty's completion are the only updates, and each is recorded in the ledger by the desk in
 * the same transaction. Statements are prepared once per connection, with bound parameters.
 */
#include "custodian/compat.h"
#include "custodian/date.h"
#include "custodian/namekey.h"
#include "store_sqlite_requests.h"
#include "store_sqlite_rows.h"
#include "store_sqlite_stmt.h"

#include <sqlite3.h>

const char *const cust_sqlite_requests_migration[] = {
    "CREATE TABLE requests("
    " id TEXT PRIMARY KEY, year INTEGER NOT NULL, seq INTEGER NOT NULL,"
    " kind TEXT NOT NULL, form TEXT, agency TEXT NOT NULL, office TEXT,"
    " status TEXT NOT NULL, status_reason TEXT,"
    " received_at TEXT NOT NULL, received_ts INTEGER NOT NULL, received_offset INTEGER NOT NULL,"
    " due_ts INTEGER, law_ts INTEGER, law_rule TEXT, owner TEXT,"
    " created_at TEXT NOT NULL, updated_at TEXT NOT NULL, doc TEXT NOT NULL,"
    " UNIQUE(year, seq))",
    "CREATE INDEX requests_status ON requests(status)",
    "CREATE TABLE documents(sha256 TEXT PRIMARY KEY, size INTEGER, content BLOB)",
    "CREATE TABLE request_documents("
    " id INTEGER PRIMARY KEY, request_id TEXT NOT NULL REFERENCES requests(id),"
    " name TEXT NOT NULL, sha256 TEXT NOT NULL, role TEXT NOT NULL)",
    "CREATE INDEX request_documents_request ON request_documents(request_id)",
    "CREATE TABLE request_links("
    " request_id TEXT NOT NULL REFERENCES requests(id), person_id INTEGER NOT NULL,"
    " booking_number TEXT, score REAL NOT NULL, strong INTEGER NOT NULL, state TEXT NOT NULL,"
    " confirmed_by TEXT, confirmed_at TEXT, reasons TEXT,"
    " review INTEGER NOT NULL DEFAULT 0, review_reason TEXT,"
    " PRIMARY KEY(request_id, person_id)) WITHOUT ROWID",
    "CREATE TABLE decisions("
    " id INTEGER PRIMARY KEY, request_id TEXT NOT NULL REFERENCES requests(id),"
    " person_id INTEGER NOT NULL, booking_number TEXT,"
    " policy_id TEXT NOT NULL, policy_version TEXT NOT NULL, policy_sha256 TEXT NOT NULL,"
    " decided_at TEXT NOT NULL, decided_by TEXT NOT NULL, decision TEXT NOT NULL)",
    "CREATE INDEX decisions_request ON decisions(request_id)",
    "CREATE TABLE actions("
    " id INTEGER PRIMARY KEY, request_id TEXT NOT NULL REFERENCES requests(id),"
    " person_id INTEGER NOT NULL, action TEXT NOT NULL, verdict TEXT NOT NULL,"
    " outcome TEXT NOT NULL, by TEXT NOT NULL, at TEXT NOT NULL, reason TEXT,"
    " decision_id INTEGER REFERENCES decisions(id))",
    "CREATE INDEX actions_request ON actions(request_id)",
    "CREATE TABLE duties("
    " id INTEGER PRIMARY KEY, request_id TEXT NOT NULL REFERENCES requests(id),"
    " person_id INTEGER NOT NULL, booking_number TEXT, duty TEXT NOT NULL, cite TEXT,"
    " status TEXT NOT NULL, due_ts INTEGER, created_at TEXT NOT NULL,"
    " done_by TEXT, done_at TEXT, document_sha256 TEXT, detail TEXT)",
    "CREATE INDEX duties_request ON duties(request_id)",
    "CREATE INDEX duties_open ON duties(status, due_ts)",
    "CREATE TABLE transfers("
    " id INTEGER PRIMARY KEY, request_id TEXT REFERENCES requests(id),"
    " person_id INTEGER NOT NULL, booking_number TEXT, at TEXT NOT NULL, agency TEXT NOT NULL,"
    " basis TEXT NOT NULL, warrant_number TEXT, criterion TEXT, offense TEXT,"
    " recorded_by TEXT NOT NULL, recorded_at TEXT NOT NULL)",
    "CREATE TRIGGER decisions_no_update BEFORE UPDATE ON decisions"
    " BEGIN SELECT RAISE(ABORT, 'decisions are never overwritten'); END",
    "CREATE TRIGGER decisions_no_delete BEFORE DELETE ON decisions"
    " BEGIN SELECT RAISE(ABORT, 'decisions are never deleted'); END",
    "CREATE TRIGGER actions_no_update BEFORE UPDATE ON actions"
    " BEGIN SELECT RAISE(ABORT, 'actions are never overwritten'); END",
    "CREATE TRIGGER actions_no_delete BEFORE DELETE ON actions"
    " BEGIN SELECT RAISE(ABORT, 'actions are never deleted'); END",
    "CREATE TRIGGER transfers_no_update BEFORE UPDATE ON transfers"
    " BEGIN SELECT RAISE(ABORT, 'transfers are never overwritten'); END",
    "CREATE TRIGGER transfers_no_delete BEFORE DELETE ON transfers"
    " BEGIN SELECT RAISE(ABORT, 'transfers are never deleted'); END",
    "CREATE TRIGGER documents_no_update BEFORE UPDATE ON documents"
    " BEGIN SELECT RAISE(ABORT, 'documents are never overwritten'); END",
    NULL};

/* Migration 3: one row per row given by a fulfilment, chained into the ledger by batch. */
const char *const cust_sqlite_disclosures_migration[] = {
    "CREATE TABLE disclosures("
    " id INTEGER PRIMARY KEY, request_id TEXT NOT NULL REFERENCES requests(id),"
    " ord INTEGER NOT NULL, person_id INTEGER NOT NULL, booking_number TEXT,"
    " items TEXT NOT NULL, withheld TEXT NOT NULL, recipient TEXT NOT NULL, office TEXT,"
    " at TEXT NOT NULL, decision_id INTEGER NOT NULL REFERENCES decisions(id),"
    " row_hash TEXT NOT NULL)",
    "CREATE INDEX disclosures_request ON disclosures(request_id, ord)",
    "CREATE TRIGGER disclosures_no_update BEFORE UPDATE ON disclosures"
    " BEGIN SELECT RAISE(ABORT, 'disclosures are never overwritten'); END",
    "CREATE TRIGGER disclosures_no_delete BEFORE DELETE ON disclosures"
    " BEGIN SELECT RAISE(ABORT, 'disclosures are never deleted'); END",
    NULL};

enum dstmt {
    D_REQ_NEXT,
    D_REQ_INSERT,
    D_REQ_GET,
    D_REQ_LIST,
    D_REQ_UPDATE,
    D_DOC_PUT,
    D_DOC_FILL,
    D_DOC_LINK,
    D_DOC_GET,
    D_DOCS,
    D_LINK_PUT,
    D_LINKS,
    D_DEC_PUT,
    D_DECS,
    D_DEC_GET,
    D_ACT_PUT,
    D_ACTS,
    D_DUTY_PUT,
    D_DUTIES,
    D_DUTIES_REQ,
    D_DUTY_ONE,
    D_DUTY_STATUS,
    D_DUTY_DONE,
    D_XFER_PUT,
    D_XFERS,
    D_PERSONS,
    D_PERSON,
    D_SCOPE,
    D_SCOPE_SCAN,
    D_SCOPE_FEW,
    D_PERSON_BOOKINGS,
    D_SCOPE_PERSONS,
    D_DISC_PUT,
    D_DISCS,
    D_DISCS_REQ,
    D__N
};

#define REQ_COLS CUST_SQLITE_REQUEST_COLS
#define PENDING  "status IN ('received', 'matched', 'decided')"
#define OPEN     "status NOT IN ('closed', 'withdrawn', 'lifted', 'expired', 'fulfilled')"
#define DEADLINE "min(coalesce(due_ts, 9223372036854775807), coalesce(law_ts, 9223372036854775807))"
#define DUTY_COLS                                                                                  \
    "id, request_id, person_id, booking_number, duty, cite, status, due_ts, created_at,"           \
    " done_by, done_at, document_sha256, detail"
/* the worklist's filters: ?3 the requests' owner, ?4 open and due before */
#define DUTY_WORK                                                                                  \
    " AND (?3 IS NULL OR request_id IN (SELECT id FROM requests WHERE owner = ?3))"                \
    " AND (?4 = 0 OR (status = 'open' AND due_ts IS NOT NULL AND due_ts < ?4))"

#define SCOPE_COLS "SELECT b.booking_number, b.person_id, p.citizenship_status, v.doc"
/* ?2 a citizenship status: the persons of it, a range of persons_citizenship */
#define SCOPE_CITIZENSHIP(person)                                                                  \
    " (?2 IS NULL OR " person " IN (SELECT id FROM persons WHERE citizenship_status = ?2))"
/* the bookings in custody on ?1 (c.id, c.person_id) of the scope's citizenship ?2 */
#define SCOPE_CUSTODY " FROM (" CUST_CUSTODY_ROWS("?1") ") c WHERE" SCOPE_CITIZENSHIP("c.person_id")
#define SCOPE_SCAN(custody)                                                                        \
    SCOPE_COLS                                                                                     \
    " FROM bookings b JOIN persons p ON p.id = b.person_id"                                        \
    " JOIN booking_versions v ON v.booking_id = b.id AND v.version = b.version WHERE " custody     \
    " AND (?2 IS NULL OR p.citizenship_status = ?2)"                                               \
    " AND (?3 IS NULL OR b.facility = ?3) ORDER BY b.booking_number"
#define PERSON_SELECT                                                                              \
    "SELECT p.id, p.person_key, p.last_name, p.first_name, p.dob, p.aliases, p.cii, p.fbi,"        \
    " p.sid, p.a_number,"                                                                          \
    " (SELECT booking_number FROM bookings WHERE person_id = p.id"                                 \
    "  ORDER BY booked_ts DESC, id DESC LIMIT 1),"                                                 \
    " (SELECT json_group_array(booking_number) FROM (SELECT booking_number FROM bookings"          \
    "  WHERE person_id = p.id ORDER BY id)),"                                                      \
    " p.citizenship_status,"                                                                       \
    " EXISTS(SELECT 1 FROM citizenship_history h WHERE h.person_id = p.id"                         \
    "  AND h.status = 'citizen' AND h.verified = 1),"                                              \
    " EXISTS(SELECT 1 FROM citizenship_history h WHERE h.person_id = p.id"                         \
    "  AND h.status = 'citizen' AND h.verified <> 1)"
#define DISC_COLS                                                                                  \
    "id, request_id, ord, person_id, booking_number, items, withheld, recipient, office, at,"      \
    " decision_id, row_hash"

static const char *const dsql[D__N] = {
    [D_REQ_NEXT] = "SELECT coalesce(max(seq), 0) + 1 FROM requests WHERE year = ?1",
    [D_REQ_INSERT] = "INSERT INTO requests(id, year, seq, kind, form, agency, office, status,"
                     " status_reason, received_at, received_ts, received_offset, due_ts, law_ts,"
                     " law_rule, owner, created_at, updated_at, doc) VALUES(?1, ?2, ?3, ?4, ?5,"
                     " ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
    [D_REQ_GET] = "SELECT " REQ_COLS " FROM requests WHERE id = ?1",
    [D_REQ_LIST] =
        "SELECT " REQ_COLS " FROM requests"
        " WHERE (?1 = 0 OR " OPEN ")"
        " AND (?2 IS NULL OR (" PENDING " AND " DEADLINE " < ?2))"
        " AND (?4 IS NULL OR kind = ?4)"
        " AND (?5 IS NULL OR status = ?5)"
        " AND (?6 IS NULL OR instr(lower(agency), lower(?6)) > 0)"
        " AND (?7 = 0 OR received_ts >= ?7) AND (?8 = 0 OR received_ts < ?8)"
        " AND (?9 IS NULL OR json_extract(doc, '$.subject.booking_number') = ?9"
        "  OR EXISTS(SELECT 1 FROM request_links l WHERE l.request_id = requests.id"
        "   AND l.booking_number = ?9)"
        "  OR (?10 <> '' AND cust_name_key(json_extract(doc, '$.subject.last_name'))"
        "   >= ?10 AND cust_name_key(json_extract(doc, '$.subject.last_name')) < ?11)"
        "  OR (?10 <> '' AND EXISTS(SELECT 1 FROM request_links l"
        "   JOIN bookings b ON b.person_id = l.person_id WHERE l.request_id = requests.id"
        "   AND b.key_last >= ?10 AND b.key_last < ?11)))"
        " ORDER BY (" PENDING " AND " DEADLINE " < ?3) DESC, " DEADLINE ", id",
    [D_REQ_UPDATE] = "UPDATE requests SET status = coalesce(?2, status),"
                     " status_reason = coalesce(?3, status_reason),"
                     " law_ts = CASE WHEN ?5 IS NULL THEN law_ts ELSE ?4 END,"
                     " law_rule = coalesce(?5, law_rule), updated_at = ?6 WHERE id = ?1",
    [D_DOC_PUT] = "INSERT OR IGNORE INTO documents(sha256, size, content) VALUES(?1, ?2, ?3)",
    [D_DOC_FILL] = "UPDATE documents SET size = ?2, content = ?3 WHERE sha256 = ?1"
                   " AND content IS NULL",
    [D_DOC_LINK] = "INSERT INTO request_documents(request_id, name, sha256, role)"
                   " VALUES(?1, ?2, ?3, ?4)",
    [D_DOC_GET] = "SELECT content FROM documents WHERE sha256 = ?1",
    [D_DOCS] = "SELECT r.request_id, r.name, r.sha256, r.role, coalesce(d.size, -1)"
               " FROM request_documents r LEFT JOIN documents d ON d.sha256 = r.sha256"
               " WHERE r.request_id = ?1 ORDER BY r.id",
    [D_LINK_PUT] = "INSERT OR REPLACE INTO request_links(request_id, person_id, booking_number,"
                   " score, strong, state, confirmed_by, confirmed_at, reasons, review,"
                   " review_reason) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    [D_LINKS] = "SELECT request_id, person_id, booking_number, score, strong, state,"
                " confirmed_by, confirmed_at, reasons, review, review_reason"
                " FROM request_links WHERE request_id = ?1"
                " ORDER BY state = 'confirmed' DESC, strong DESC, score DESC, person_id",
    [D_DEC_PUT] = "INSERT INTO decisions(request_id, person_id, booking_number, policy_id,"
                  " policy_version, policy_sha256, decided_at, decided_by, decision)"
                  " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    [D_DECS] = "SELECT id, request_id, person_id, booking_number, policy_id, policy_version,"
               " policy_sha256, decided_at, decided_by, decision FROM decisions"
               " WHERE request_id = ?1 ORDER BY id",
    [D_DEC_GET] = "SELECT id, request_id, person_id, booking_number, policy_id, policy_version,"
                  " policy_sha256, decided_at, decided_by, decision FROM decisions WHERE id = ?1",
    [D_ACT_PUT] = "INSERT INTO actions(request_id, person_id, action, verdict, outcome, by, at,"
                  " reason, decision_id) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    [D_ACTS] = "SELECT id, request_id, person_id, action, verdict, outcome, by, at, reason,"
               " decision_id FROM actions WHERE request_id = ?1 ORDER BY id",
    [D_DUTY_PUT] = "INSERT INTO duties(request_id, person_id, booking_number, duty, cite, status,"
                   " due_ts, created_at, document_sha256, detail)"
                   " VALUES(?1, ?2, ?3, ?4, ?5, 'open', ?6, ?7, ?8, ?9)",
    /* A key given gets a statement of its own: a prepared "?1 IS NULL OR key = ?1" cannot use
     * the key's index and scans the whole table for each call. */
    [D_DUTIES] = "SELECT " DUTY_COLS " FROM duties WHERE (?2 = 0 OR status = 'open')" DUTY_WORK
                 " ORDER BY status = 'open' DESC, due_ts IS NULL, due_ts, id",
    [D_DUTIES_REQ] = "SELECT " DUTY_COLS " FROM duties WHERE request_id = ?1"
                     " AND (?2 = 0 OR status = 'open')" DUTY_WORK
                     " ORDER BY status = 'open' DESC, due_ts IS NULL, due_ts, id",
    [D_DUTY_ONE] = "SELECT " DUTY_COLS " FROM duties WHERE id = ?5"
                   " AND (?1 IS NULL OR request_id = ?1) AND (?2 = 0 OR status = 'open')" DUTY_WORK,
    [D_DUTY_STATUS] = "SELECT status FROM duties WHERE id = ?1",
    [D_DUTY_DONE] = "UPDATE duties SET status = 'done', done_by = ?2, done_at = ?3,"
                    " document_sha256 = coalesce(?4, document_sha256)"
                    " WHERE id = ?1 AND status = 'open'",
    [D_XFER_PUT] = "INSERT INTO transfers(request_id, person_id, booking_number, at, agency,"
                   " basis, warrant_number, criterion, offense, recorded_by, recorded_at)"
                   " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    [D_XFERS] = "SELECT id, request_id, person_id, booking_number, at, agency, basis,"
                " warrant_number, criterion, offense, recorded_by, recorded_at FROM transfers"
                " ORDER BY at, id",
    [D_PERSONS] = PERSON_SELECT " FROM persons p ORDER BY p.id",
    [D_PERSON] = PERSON_SELECT " FROM persons p WHERE p.id = ?1",
    /* A scope is read one of two ways, the same rows in the same order (cust_sqlite_scope):
     * its bookings found by bookings_custody and then sorted, when they are few of the bookings
     * kept (a county's history), or every booking in booking-number order, when most are in it
     * (sorting most of the store's rows with their documents cost more than the scan). */
    [D_SCOPE] =
        SCOPE_COLS " FROM bookings b JOIN persons p ON p.id = b.person_id"
                   " JOIN booking_versions v ON v.booking_id = b.id AND v.version = b.version"
                   " WHERE b.id IN (SELECT c.id" SCOPE_CUSTODY ")"
                   " AND (?3 IS NULL OR b.facility = ?3) ORDER BY b.booking_number",
    [D_SCOPE_SCAN] =
        SCOPE_SCAN("b.booked_day <= ?1 AND (b.released_day IS NULL OR b.released_day > ?1)"),
    [D_SCOPE_FEW] = "SELECT (SELECT count(*) FROM (" CUST_CUSTODY_IDS(
        "?1") ")) * 4"
              " < coalesce((SELECT max(id) FROM bookings), 0)",
#define PERSON_BOOKING_COLS                                                                        \
    "SELECT b.booking_number, b.person_id, p.citizenship_status, v.doc"                            \
    " FROM bookings b JOIN persons p ON p.id = b.person_id"                                        \
    " JOIN booking_versions v ON v.booking_id = b.id AND v.version = b.version"
    [D_PERSON_BOOKINGS] = PERSON_BOOKING_COLS " WHERE b.person_id = ?1"
                                              " ORDER BY b.booked_ts, b.booking_number",
    /* the persons of D_SCOPE's bookings (the same conditions) with another booking */
    [D_SCOPE_PERSONS] = PERSON_BOOKING_COLS
    " WHERE b.person_id IN (SELECT c.person_id" SCOPE_CUSTODY
    " AND (?3 IS NULL OR (SELECT facility FROM bookings f WHERE f.id = c.id) = ?3)"
    " AND EXISTS (SELECT 1 FROM bookings o WHERE o.person_id = c.person_id AND o.id <> c.id))"
    " ORDER BY b.person_id, b.booked_ts, b.booking_number",
    [D_DISC_PUT] = "INSERT INTO disclosures(request_id, ord, person_id, booking_number, items,"
                   " withheld, recipient, office, at, decision_id, row_hash)"
                   " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    [D_DISCS] = "SELECT " DISC_COLS " FROM disclosures ORDER BY request_id, ord, id",
    [D_DISCS_REQ] = "SELECT " DISC_COLS " FROM disclosures WHERE request_id = ?1"
                    " ORDER BY request_id, ord, id",
};

struct dq {
    sqlite3 *db;
    const char *path;
    sqlite3_stmt **st; /* D__N, in the backend's requests slot */
};

void cust_sqlite_requests_free(void *stmts)
{
    sqlite3_stmt **st = stmts;
    if (!st)
        return;
    for (int i = 0; i < D__N; i++)
        sqlite3_finalize(st[i]);
    free(st);
}

static struct dq dq_of(void *impl)
{
    struct dq q;
    void **slot;
    q.db = cust_sqlite_handle(impl, &q.path, &slot);
    if (!*slot)
        *slot = cust_xcalloc(D__N, sizeof(sqlite3_stmt *));
    q.st = *slot;
    return q;
}

static enum cust_status derr(const struct dq *q, struct cust_err *err, const char *what)
{
    return cust_sqlite_err(q->db, q->path, err, what);
}

static sqlite3_stmt *dstmt(struct dq *q, enum dstmt id, struct cust_err *err)
{
    return cust_sqlite_stmt(q->db, q->path, &q->st[id], dsql[id], err);
}

static enum cust_status step_done(struct dq *q, sqlite3_stmt *s, const char *what,
                                  struct cust_err *err)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return derr(q, err, what);
    return CUST_OK;
}

/* Iterate the rows of a bound statement through `row` (which calls the user's callback). */
union dcb {
    cust_request_row_fn req;
    cust_link_row_fn link;
    cust_decision_row_fn dec;
    cust_action_row_fn act;
    cust_duty_row_fn duty;
    cust_transfer_row_fn xfer;
    cust_person_row_fn person;
    cust_scope_row_fn scope;
    cust_document_row_fn doc;
    cust_disclosure_row_fn disc;
};
typedef enum cust_status (*row_fn)(sqlite3_stmt *s, const union dcb *fn, void *arg);

static enum cust_status each(struct dq *q, sqlite3_stmt *s, row_fn row, const union dcb *fn,
                             void *arg, const char *what, int *n, struct cust_err *err)
{
    int rc;
    enum cust_status st = CUST_OK;
    int count = 0;
    while (st == CUST_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        count++;
        st = row(s, fn, arg);
    }
    if (st == CUST_OK && rc != SQLITE_DONE)
        st = derr(q, err, what);
    sqlite3_reset(s);
    if (n)
        *n = count;
    return st;
}

/* ---- requests -------------------------------------------------------------------------- */

static enum cust_status req_insert(void *impl, const struct cust_request_row *r,
                                   char id[CUST_REQUEST_ID_MAX], struct cust_err *err)
{
    struct dq q = dq_of(impl);
    int y;
    unsigned m, d;
    cust_civil_from_days(cust_time_zone_day(r->received_ts), &y, &m, &d); /* the county's year */
    if (y < 1000 || y > 9999)
        return cust_err_set(err, CUST_EINVAL, "received_at: year %d out of range", y);
    sqlite3_stmt *s = dstmt(&q, D_REQ_NEXT, err);
    if (!s)
        return CUST_EDB;
    sqlite3_bind_int(s, 1, y);
    if (sqlite3_step(s) != SQLITE_ROW) {
        sqlite3_reset(s);
        return derr(&q, err, "request id");
    }
    int64_t seq = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    if (seq > 999999)
        return cust_err_set(err, CUST_ETOOBIG, "more than 999999 requests in %d", y);
    char buf[48];
    snprintf(buf, sizeof(buf), "R-%04d-%06d", y, (int)seq);
    memcpy(id, buf, CUST_REQUEST_ID_MAX - 1);
    id[CUST_REQUEST_ID_MAX - 1] = '\0';
    if (!(s = dstmt(&q, D_REQ_INSERT, err)))
        return CUST_EDB;
    cust_sqlite_bind_text(s, 1, id);
    sqlite3_bind_int(s, 2, y);
    sqlite3_bind_int64(s, 3, seq);
    cust_sqlite_bind_text(s, 4, r->kind);
    cust_sqlite_bind_text(s, 5, r->form);
    cust_sqlite_bind_text(s, 6, r->agency);
    cust_sqlite_bind_text(s, 7, r->office);
    cust_sqlite_bind_text(s, 8, r->status);
    cust_sqlite_bind_text(s, 9, r->status_reason);
    cust_sqlite_bind_text(s, 10, r->received_at);
    sqlite3_bind_int64(s, 11, r->received_ts);
    sqlite3_bind_int(s, 12, r->received_offset);
    cust_sqlite_bind_time(s, 13, r->due_ts);
    cust_sqlite_bind_time(s, 14, r->law_ts);
    cust_sqlite_bind_text(s, 15, r->law_rule);
    cust_sqlite_bind_text(s, 16, r->owner);
    cust_sqlite_bind_text(s, 17, r->created_at);
    cust_sqlite_bind_text(s, 18, r->updated_at);
    cust_sqlite_bind_text(s, 19, r->doc);
    enum cust_status st = step_done(&q, s, "insert request", err);
    if (st == CUST_OK)
        cust_sqlite_rows_track(impl, CT_REQUESTS, 0, id);
    return st;
}

struct cust_request_row cust_sqlite_request_row(sqlite3_stmt *s)
{
    return (struct cust_request_row){
        .id = cust_sqlite_text(s, 0),
        .kind = cust_sqlite_text(s, 1),
        .form = cust_sqlite_text(s, 2),
        .agency = cust_sqlite_text(s, 3),
        .office = cust_sqlite_text(s, 4),
        .status = cust_sqlite_text(s, 5),
        .status_reason = cust_sqlite_text(s, 6),
        .received_at = cust_sqlite_text(s, 7),
        .received_ts = sqlite3_column_int64(s, 8),
        .received_offset = sqlite3_column_int(s, 9),
        .due_ts = cust_sqlite_time(s, 10),
        .law_ts = cust_sqlite_time(s, 11),
        .law_rule = cust_sqlite_text(s, 12),
        .owner = cust_sqlite_text(s, 13),
        .created_at = cust_sqlite_text(s, 14),
        .updated_at = cust_sqlite_text(s, 15),
        .doc = cust_sqlite_text(s, 16),
    };
}

static enum cust_status req_row(sqlite3_stmt *s, const union dcb *fn, void *arg)
{
    struct cust_request_row r = cust_sqlite_request_row(s);
    return fn->req(&r, arg);
}

static enum cust_status req_get(void *impl, const char *id, cust_request_row_fn fn, void *arg,
                                struct cust_err *err)
{
    struct dq q = dq_of(impl);
    sqlite3_stmt *s = dstmt(&q, D_REQ_GET, err);
    if (!s)
        return CUST_EDB;
    cust_sqlite_bind_text(s, 1, id);
    int n;
    enum cust_status st = each(&q, s, req_row, &(union dcb){.req = fn}, arg, "request", &n, err);
    if (st == CUST_OK && n == 0)
        return cust_err_set(err, CUST_ENOTFOUND, "no request '%s'", id);
    return st;
}

static enum cust_status req_list(void *impl, const struct cust_request_filter *f,
                                 cust_request_row_fn fn, void *arg, struct cust_err *err)
{
    struct dq q = dq_of(impl);
    sqlite3_stmt *s = dstmt(&q, D_REQ_LIST, err);
    if (!s)
        return CUST_EDB;
    sqlite3_bind_int(s, 1, f->open_only ? 1 : 0);
    cust_sqlite_bind_time(s, 2, f->overdue_at);
    sqlite3_bind_int64(s, 3, f->now);
    cust_sqlite_bind_text(s, 4, f->kind);
    cust_sqlite_bind_text(s, 5, f->status);
    cust_sqlite_bind_text(s, 6, f->agency);
    sqlite3_bind_int64(s, 7, f->received_from);
    sqlite3_bind_int64(s, 8, f->received_before);
    /* who: a booking number as given; a name by its key and the key's prefix range */
    char key[CUST_NAME_KEY_MAX] = "", end[CUST_NAME_KEY_MAX + 1] = "";
    if (f->who) {
        cust_name_key(f->who, strlen(f->who), key, sizeof(key), NULL);
        cust_name_key_range(key, end, sizeof(end));
    }
    cust_sqlite_bind_text(s, 9, f->who);
    cust_sqlite_bind_text(s, 10, key);
    cust_sqlite_bind_text(s, 11, end);
    return each(&q, s, req_row, &(union dcb){.req = fn}, arg, "list requests", NULL, err);
}

static enum cust_status req_update(void *impl, const char *id, const char *status,
                                   const char *reason, int64_t law_ts, const char *law_rule,
                                   const char *updated_at, struct cust_err *err)
{
    struct dq q = dq_of(impl);
    sqlite3_stmt *s = dstmt(&q, D_REQ_UPDATE, err);
    if (!s)
        return CUST_EDB;
    cust_sqlite_bind_text(s, 1, id);
    cust_sqlite_bind_text(s, 2, status);
    cust_sqlite_bind_text(s, 3, reason);
    cust_sqlite_bind_time(s, 4, law_ts);
    cust_sqlite_bind_text(s, 5, law_rule);
    cust_sqlite_bind_text(s, 6, updated_at);
    enum cust_status st = step_done(&q, s, "update request", err);
    if (st == CUST_OK && sqlite3_changes(q.db) == 0)
        return cust_err_set(err, CUST_ENOTFOUND, "no request '%s'", id);
    if (st == CUST_OK)
        cust_sqlite_rows_track(impl, CT_REQUESTS, 0, id);
    return st;
}

/* ---- documents ------------------------------------------------------------------------- */

static enum cust_status doc_put(void *impl, const char *request_id, const char *name,
                                const char *sha256, const unsigned char *content, size_t len,
                                const char *role, struct cust_err *err)
{
    struct dq q = dq_of(impl);
    for (int pass = 0; pass < 2; pass++) {
        sqlite3_stmt *s = dstmt(&q, pass == 0 ? D_DOC_PUT : D_DOC_FILL, err);
        if (!s)
            return CUST_EDB;
        cust_sqlite_bind_text(s, 1, sha256);
        if (content) {
            sqlite3_bind_int64(s, 2, (int64_t)len);
            sqlite3_bind_blob64(s, 3, content, len, SQLITE_STATIC);
        }
        if (step_done(&q, s, "store document", err) != CUST_OK)
            return CUST_EDB;
        if (sqlite3_changes(q.db) > 0) { /* the row as bound, hashed now: not read back */
            struct cust_val v[CUST_ROWS_DOCUMENT_VALS];
            cust_sqlite_rows_keep_hash(impl, CT_DOCUMENTS, v,
                                       cust_rows_document_vals(v, sha256, content, len));
        }
        if (!content)
            break;
    }
    sqlite3_stmt *s = dstmt(&q, D_DOC_LINK, err);
    if (!s)
        return CUST_EDB;
    cust_sqlite_bind_text(s, 1, request_id);
    cust_sqlite_bind_text(s, 2, name);
    cust_sqlite_bind_text(s, 3, sha256);
    cust_sqlite_bind_text(s, 4, role);
    enum cust_status st = step_done(&q, s, "link document", err);
    if (st == CUST_OK)
        cust_sqlite_rows_track(impl, CT_REQUEST_DOCUMENTS, sqlite3_last_insert_rowid(q.db), NULL);
    return st;
}

static enum cust_status doc_get(void *impl, const char *sha256, char **content, size_t *len,
                                struct cust_err *err)
{
    struct dq q = dq_of(impl);
    *content = NULL;
    *len = 0;
    sqlite3_stmt *s = dstmt(&q, D_DOC_GET, err);
    if (!s)
        return CUST_EDB;
    cust_sqlite_bind_text(s, 1, sha256);
    int rc = sqlite3_step(s);
    enum cust_status st = CUST_OK;
    if (rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL) {
        size_t n = (size_t)sqlite3_column_bytes(s, 0);
        *content = cust_xmalloc(n + 1);
        if (n)
            memcpy(*content, sqlite3_column_blob(s, 0), n);
        (*content)[n] = '\0';
        *len = n;
    } else if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
        st = cust_err_set(err, CUST_ENOTFOUND, "no content for document %s", sha256);
    } else {
        st = derr(&q, err, "document");
    }
    sqlite3_reset(s);
    return st;
}

static enum cust_status docs_row(sqlite3_stmt *s, const union dcb *fn, void *arg)
{
    struct cust_document_row d = {cust_sqlite_text(s, 0), cust_sqlite_text(s, 1),
                                  cust_sqlite_text(s, 2), cust_sqlite_text(s, 3),
                                  sqlite3_column_int64(s, 4)};
    return fn->doc(&d, arg);
}

static enum cust_status docs(void *impl, const char *request_id, cust_document_row_fn fn, void *arg,
                             struct cust_err *err)
{
    struct dq q = dq_of(impl);
    sqlite3_stmt *s = dstmt(&q, D_DOCS, err);
    if (!s)
        return CUST_EDB;
    cust_sqlite_bind_text(s, 1, request_id);
    return each(&q, s, docs_row, &(union dcb){.doc = fn}, arg, "documents", NULL, err);
}

/* ---- links ----------------------------------------------------------------------------- */

static enum cust_status link_put(void *impl, const struct cust_link_row *l, struct cust_err *err)
{
    struct dq q = dq_of(impl);
    sqlite3_stmt *s = dstmt(&q, D_LINK_PUT, err);
    if (!s)
        return CUST_EDB;
    cust_sqlite_bind_text(s, 1, l->request_id);
    sqlite3_bind_int64(s, 2, l->person_id);
    cust_sqlite_bind_text(s, 3, l->booking_number);
    sqlite3_bind_double(s, 4, l->score);
    sqlite3_bind_int(s, 5, l->strong ? 1 : 0);
    cust_sqlite_bind_text(s, 6, l->state);
    cust_sqlite_bind_text(s, 7, l->confirmed_by);
    cust_sqlite_bind_text(s, 8, l->confirmed_at);
    cust_sqlite_bind_text(s, 9, l->reasons);
    sqlite3_bind_int(s, 10, l->review ? 1 : 0);
    cust_sqlite_bind_text(s, 11, l->review_reason);
    enum cust_status st = step_done(&q, s, "link", err);
    if (st == CUST_OK) /* a link is part of its request's row */
        cust_sqlite_rows_track(impl, CT_REQUESTS, 0, l->request_id);
    return st;
}

static enum cust_status link_row(sqlite3_stmt *s, const union dcb *fn, void *arg)
{
    struct cust_link_row l = {
        .request_id = cust_sqlite_text(s, 0),
        .person_id = sqlite3_column_int64(s, 1),
        .booking_number = cust_sqlite_text(s, 2),
        .score = sqlite3_column_double(s, 3),
        .strong = sqlite3_column_int(s, 4) != 0,
        .state = cust_sqlite_text(s, 5),
        .confirmed_by = cust_sqlite_text(s, 6),
        .confirmed_at = cust_sqlite_text(s, 7),
        .reasons = cust_sqlite_text(s, 8),
        .review = sqlite3_column_int(s, 9) != 0,
        .review_reason = cust_sqlite_text(s, 10),
    };
    return fn->link(&l, arg);
}

static enum cust_status links(void *impl, const char *request_id, cust_link_row_fn fn, void *arg,
                              struct cust_err *err)
{
    struct dq q = dq_of(impl);
    sqlite3_stmt *s = dstmt(&q, D_LINKS, err);
    if (!s)
        return CUST_EDB;
    cust_sqlite_bind_text(s, 1, request_id);
    return each(&q, s, link_row, &(union dcb){.link = fn}, arg, "links", NULL, err);
}

/* ---- decisions and actions ------------------------------------------------------------- */

static enum cust_status dec_put(void *impl, const struct cust_decision_row *d, int64_t *id,
                                struct cust_err *err)
{
    struct dq q = dq_of(impl);
    sqlite3_stmt *s = dstmt(&q, D_DEC_PUT, err);
    if (!s)
        return CUST_EDB;
    cust_sqlite_bind_text(s, 1, d->request_id);
    sqlite3_bind_int64(s, 2, d->person_id);
    cust_sqlite_bind_text(s, 3, d->booking_number);
    cust_sqlite_bind_text(s, 4, d->policy_id);
    cust_sqlite_bind_text(s, 5, d->policy_version);
    cust_sqlite_bind_text(s, 6, d->policy_sha256);
    cust_sqlite_bind_text(s, 7, d->decided_at);
    cust_sqlite_bind_text(s, 8, d->decided_by);
    cust_sqlite_bind_text(s, 9, d->decision);
    enum cust_status st = step_done(&q, s, "insert decision", err);
    if (st == CUST_OK) {
        struct cust_val v[CUST_ROWS_DECISION_VALS]; /* kept as written, not read back */
        cust_sqlite_rows_keep_hash(impl, CT_DECISIONS, v,
                                   cust_rows_decision_vals(v, sqlite3_last_insert_rowid(q.db), d));
    }
    if (st == CUST_OK && id)
        *id = sqlite3_last_insert_rowid(q.db);
    return st;
}

static enum cust_status dec_row(sqlite3_stmt *s, const union dcb *fn, void *arg)
{
    struct cust_decision_row d = {
        .id = sqlite3_column_int64(s, 0),
        .request_id = cust_sqlite_text(s, 1),
        .person_id = sqlite3_column_int64(s, 2),
        .booking_number = cust_sqlite_text(s, 3),
        .policy_id = cust_sqlite_text(s, 4),
        .policy_version = cust_sqlite_text(s, 5),
        .policy_sha256 = cust_sqlite_text(s, 6),
        .decided_at = cust_sqlite_text(s, 7),
        .decided_by = cust_sqlite_text(s, 8),
        .decision = cust_sqlite_text(s, 9),
    };
    return fn->dec(&d, arg);
}

static enum cust_status decs(void *impl, const char *request_id, cust_decision_row_fn fn, void *arg,
                             struct cust_err *err)
{
    struct dq q = dq_of(impl);
    sqlite3_stmt *s = dstmt(&q, D_DECS, err);
    if (!s)
        return CUST_EDB;
    cust_sqlite_bind_text(s, 1, request_id);
    return each(&q, s, dec_row, &(union dcb){.dec = fn}, arg, "decisions", NULL, err);
}

static enum cust_status dec_get(void *impl, int64_t id, cust_decision_row_fn fn, void *arg,
                                struct cust_err *err)
{
    struct dq q = dq_of(impl);
    sqlite3_stmt *s = dstmt(&q, D_DEC_GET, err);
    if (!s)
        return CUST_EDB;
    sqlite3_bind_int64(s, 1, id);
    return each(&q, s, dec_row, &(union dcb){.dec = fn}, arg, "decision", NULL, err);
}

static enum cust_status act_put(void *impl, const struct cust_action_row *a, int64_t *id,
                                struct cust_err *err)
{
    struct dq q = dq_of(impl);
    sqlite3_stmt *s = dstmt(&q, D_ACT_PUT, err);
    if (!s)
        return CUST_EDB;
    cust_sqlite_bind_text(s, 1, a->request_id);
    sqlite3_bind_int64(s, 2, a->person_id);
    cust_sqlite_bind_text(s, 3, a->action);
    cust_sqlite_bind_text(s, 4, a->verdict);
    cust_sqlite_bind_text(s, 5, a->outcome);
    cust_sqlite_bind_text(s, 6, a->by);
    cust_sqlite_bind_text(s, 7, a->at);
    cust_sqlite_bind_text(s, 8, a->reason);
    if (a->decision_id > 0)
        sqlite3_bind_int64(s, 9, a->decision_id);
    enum cust_status st = step_done(&q, s, "insert action", err);
    if (st == CUST_OK)
        cust_sqlite_rows_track(impl, CT_ACTIONS, sqlite3_last_insert_rowid(q.db), NULL);
    if (st == CUST_OK && id)
        *id = sqlite3_last_insert_rowid(q.db);
    return st;
}

static enum cust_status act_row(sqlite3_stmt *s, const union dcb *fn, void *arg)
{
    struct cust_action_row a = {
        .id = sqlite3_column_int64(s, 0),
        .request_id = cust_sqlite_text(s, 1),
        .person_id = sqlite3_column_int64(s, 2),
        .action = cust_sqlite_text(s, 3),
        .verdict = cust_sqlite_text(s, 4),
        .outcome = cust_sqlite_text(s, 5),
        .by = cust_sqlite_text(s, 6),
        .at = cust_sqlite_text(s, 7),
        .reason = cust_sqlite_text(s, 8),
        .decision_id = sqlite3_column_int64(s, 9),
    };
    return fn->act(&a, arg);
}

static enum cust_status acts(void *impl, const char *request_id, cust_action_row_fn fn, void *arg,
                             struct cust_err *err)
{
    struct dq q = dq_of(impl);
    sqlite3_stmt *s = dstmt(&q, D_ACTS, err);
    if (!s)
        return CUST_EDB;
    cust_sqlite_bind_text(s, 1, request_id);
    return each(&q, s, act_row, &(union dcb){.act = fn}, arg, "actions", NULL, err);
}

/* ---- duties ---------------------------------------------------------------------------- */

static enum cust_status duty_put(void *impl, const struct cust_duty_row *d, int64_t *id,
                                 struct cust_err *err)
{
    struct dq q = dq_of(impl);
    sqlite3_stmt *s = dstmt(&q, D_DUTY_PUT, err);
    if (!s)
        return CUST_EDB;
    cust_sqlite_bind_text(s, 1, d->request_id);
    sqlite3_bind_int64(s, 2, d->person_id);
    cust_sqlite_bind_text(s, 3, d->booking_number);
    cust_sqlite_bind_text(s, 4, d->duty);
    cust_sqlite_bind_text(s, 5, d->cite);
    cust_sqlite_bind_time(s, 6, d->due_ts);
    cust_sqlite_bind_text(s, 7, d->created_at);
    cust_sqlite_bind_text(s, 8, d->document_sha256);
    cust_sqlite_bind_text(s, 9, d->detail);
    enum cust_status st = step_done(&q, s, "insert duty", err);
    int64_t rowid = sqlite3_last_insert_rowid(q.db);
    if (st == CUST_OK) {
        /* the row as written, in the canonical columns (store_rows_sql.h DU) */
        struct cust_val v[CUST_ROWS_DUTY_VALS];
        cust_sqlite_rows_keep_hash(impl, CT_DUTIES, v, cust_rows_duty_vals(v, rowid, d));
    }
    if (st == CUST_OK && id)
        *id = rowid;
    return st;
}

static enum cust_status duty_row(sqlite3_stmt *s, const union dcb *fn, void *arg)
{
    struct cust_duty_row d = {
        .id = sqlite3_column_int64(s, 0),
        .request_id = cust_sqlite_text(s, 1),
        .person_id = sqlite3_column_int64(s, 2),
        .booking_number = cust_sqlite_text(s, 3),
        .duty = cust_sqlite_text(s, 4),
        .cite = cust_sqlite_text(s, 5),
        .status = cust_sqlite_text(s, 6),
        .due_ts = cust_sqlite_time(s, 7),
        .created_at = cust_sqlite_text(s, 8),
        .done_by = cust_sqlite_text(s, 9),
        .done_at = cust_sqlite_text(s, 10),
        .document_sha256 = cust_sqlite_text(s, 11),
        .detail = cust_sqlite_text(s, 12),
    };
    return fn->duty(&d, arg);
}

static enum cust_status duties(void *impl, const struct cust_duty_filter *f, cust_duty_row_fn fn,
                               void *arg, struct cust_err *err)
{
    struct dq q = dq_of(impl);
    sqlite3_stmt *s = dstmt(&q, f->id ? D_DUTY_ONE : f->request_id ? D_DUTIES_REQ : D_DUTIES, err);
    if (!s)
        return CUST_EDB;
    if (f->request_id || f->id)
        cust_sqlite_bind_text(s, 1, f->request_id);
    sqlite3_bind_int(s, 2, f->open_only ? 1 : 0);
    cust_sqlite_bind_text(s, 3, f->owner);
    sqlite3_bind_int64(s, 4, f->overdue_at);
    if (f->id)
        sqlite3_bind_int64(s, 5, f->id);
    return each(&q, s, duty_row, &(union dcb){.duty = fn}, arg, "duties", NULL, err);
}

static enum cust_status duty_done(void *impl, int64_t id, const char *by, const char *at,
                                  const char *sha, struct cust_err *err)
{
    struct dq q = dq_of(impl);
    sqlite3_stmt *s = dstmt(&q, D_DUTY_STATUS, err);
    if (!s)
        return CUST_EDB;
    sqlite3_bind_int64(s, 1, id);
    int rc = sqlite3_step(s);
    bool open =
        rc == SQLITE_ROW && cust_sqlite_text(s, 0) && strcmp(cust_sqlite_text(s, 0), "open") == 0;
    sqlite3_reset(s);
    if (rc == SQLITE_DONE)
        return cust_err_set(err, CUST_ENOTFOUND, "no duty %lld", (long long)id);
    if (rc != SQLITE_ROW)
        return derr(&q, err, "duty");
    if (!open)
        return cust_err_set(err, CUST_ECONFLICT, "duty %lld is already done", (long long)id);
    if (!(s = dstmt(&q, D_DUTY_DONE, err)))
        return CUST_EDB;
    sqlite3_bind_int64(s, 1, id);
    cust_sqlite_bind_text(s, 2, by);
    cust_sqlite_bind_text(s, 3, at);
    cust_sqlite_bind_text(s, 4, sha);
    enum cust_status st = step_done(&q, s, "duty done", err);
    if (st == CUST_OK)
        cust_sqlite_rows_track(impl, CT_DUTIES, id, NULL);
    return st;
}

/* ---- transfers ------------------------------------------------------------------------- */

static enum cust_status xfer_put(void *impl, const struct cust_transfer_row *t, int64_t *id,
                                 struct cust_err *err)
{
    struct dq q = dq_of(impl);
    sqlite3_stmt *s = dstmt(&q, D_XFER_PUT, err);
    if (!s)
        return CUST_EDB;
    cust_sqlite_bind_text(s, 1, t->request_id);
    sqlite3_bind_int64(s, 2, t->person_id);
    cust_sqlite_bind_text(s, 3, t->booking_number);
    cust_sqlite_bind_text(s, 4, t->at);
    cust_sqlite_bind_text(s, 5, t->agency);
    cust_sqlite_bind_text(s, 6, t->basis);
    cust_sqlite_bind_text(s, 7, t->warrant_number);
    cust_sqlite_bind_text(s, 8, t->criterion);
    cust_sqlite_bind_text(s, 9, t->offense);
    cust_sqlite_bind_text(s, 10, t->recorded_by);
    cust_sqlite_bind_text(s, 11, t->recorded_at);
    enum cust_status st = step_done(&q, s, "insert transfer", err);
    if (st == CUST_OK)
        cust_sqlite_rows_track(impl, CT_TRANSFERS, sqlite3_last_insert_rowid(q.db), NULL);
    if (st == CUST_OK && id)
        *id = sqlite3_last_insert_rowid(q.db);
    return st;
}

static enum cust_status xfer_row(sqlite3_stmt *s, const union dcb *fn, void *arg)
{
    struct cust_transfer_row t = {
        .id = sqlite3_column_int64(s, 0),
        .request_id = cust_sqlite_text(s, 1),
        .person_id = sqlite3_column_int64(s, 2),
        .booking_number = cust_sqlite_text(s, 3),
        .at = cust_sqlite_text(s, 4),
        .agency = cust_sqlite_text(s, 5),
        .basis = cust_sqlite_text(s, 6),
        .warrant_number = cust_sqlite_text(s, 7),
        .criterion = cust_sqlite_text(s, 8),
        .offense = cust_sqlite_text(s, 9),
        .recorded_by = cust_sqlite_text(s, 10),
        .recorded_at = cust_sqlite_text(s, 11),
    };
    return fn->xfer(&t, arg);
}

static enum cust_status xfers(void *impl, cust_transfer_row_fn fn, void *arg, struct cust_err *err)
{
    struct dq q = dq_of(impl);
    sqlite3_stmt *s = dstmt(&q, D_XFERS, err);
    if (!s)
        return CUST_EDB;
    return each(&q, s, xfer_row, &(union dcb){.xfer = fn}, arg, "transfers", NULL, err);
}

/* ---- persons and scope ----------------------------------------------------------------- */

static enum cust_status person_row(sqlite3_stmt *s, const union dcb *fn, void *arg)
{
    struct cust_person_row p = {
        .person_id = sqlite3_column_int64(s, 0),
        .person_key = cust_sqlite_text(s, 1),
        .last_name = cust_sqlite_text(s, 2),
        .first_name = cust_sqlite_text(s, 3),
        .dob = cust_sqlite_text(s, 4),
        .aliases = cust_sqlite_text(s, 5),
        .cii = cust_sqlite_text(s, 6),
        .fbi = cust_sqlite_text(s, 7),
        .sid = cust_sqlite_text(s, 8),
        .a_number = cust_sqlite_text(s, 9),
        .booking_number = cust_sqlite_text(s, 10),
        .booking_numbers = cust_sqlite_text(s, 11),
        .citizenship_status = cust_sqlite_text(s, 12),
        .verified_citizen = sqlite3_column_int(s, 13) != 0,
        .claimed_citizen = sqlite3_column_int(s, 14) != 0,
    };
    return fn->person(&p, arg);
}

enum cust_status cust_sqlite_persons(void *impl, int64_t person_id, cust_person_row_fn fn,
                                     void *arg, struct cust_err *err)
{
    struct dq q = dq_of(impl);
    sqlite3_stmt *s = dstmt(&q, person_id ? D_PERSON : D_PERSONS, err);
    if (!s)
        return CUST_EDB;
    if (person_id)
        sqlite3_bind_int64(s, 1, person_id);
    int n;
    enum cust_status st =
        each(&q, s, person_row, &(union dcb){.person = fn}, arg, "persons", &n, err);
    if (st == CUST_OK && n == 0 && person_id != 0)
        return cust_err_set(err, CUST_ENOTFOUND, "no person #%lld", (long long)person_id);
    return st;
}

static enum cust_status scope_row(sqlite3_stmt *s, const union dcb *fn, void *arg)
{
    struct cust_scope_row r = {cust_sqlite_text(s, 0), sqlite3_column_int64(s, 1),
                               cust_sqlite_text(s, 2), cust_sqlite_text(s, 3)};
    return fn->scope(&r, arg);
}

enum cust_status cust_sqlite_scope(void *impl, const struct cust_scope *sc, cust_scope_row_fn fn,
                                   void *arg, struct cust_err *err)
{
    struct dq q = dq_of(impl);
    /* few: in custody on the day are fewer than a quarter of the bookings kept (ids from 1) */
    sqlite3_stmt *s = dstmt(&q, D_SCOPE_FEW, err);
    if (!s)
        return CUST_EDB;
    sqlite3_bind_int(s, 1, sc->day);
    int rc = sqlite3_step(s);
    bool few = rc == SQLITE_ROW && sqlite3_column_int(s, 0) != 0;
    sqlite3_reset(s);
    if (rc != SQLITE_ROW)
        return cust_sqlite_err(q.db, q.path, err, "scope");
    s = dstmt(&q, few ? D_SCOPE : D_SCOPE_SCAN, err);
    if (!s)
        return CUST_EDB;
    sqlite3_bind_int(s, 1, sc->day);
    cust_sqlite_bind_text(s, 2, sc->citizenship);
    cust_sqlite_bind_text(s, 3, sc->facility);
    return each(&q, s, scope_row, &(union dcb){.scope = fn}, arg, "scope", NULL, err);
}

enum cust_status cust_sqlite_person_bookings(void *impl, int64_t person_id, cust_scope_row_fn fn,
                                             void *arg, struct cust_err *err)
{
    struct dq q = dq_of(impl);
    sqlite3_stmt *s = dstmt(&q, D_PERSON_BOOKINGS, err);
    if (!s)
        return CUST_EDB;
    sqlite3_bind_int64(s, 1, person_id);
    int n;
    enum cust_status st =
        each(&q, s, scope_row, &(union dcb){.scope = fn}, arg, "person's bookings", &n, err);
    if (st == CUST_OK && n == 0)
        return cust_err_set(err, CUST_ENOTFOUND, "no booking of person #%lld",
                            (long long)person_id);
    return st;
}

enum cust_status cust_sqlite_scope_persons(void *impl, const struct cust_scope *sc,
                                           cust_scope_row_fn fn, void *arg, struct cust_err *err)
{
    struct dq q = dq_of(impl);
    sqlite3_stmt *s = dstmt(&q, D_SCOPE_PERSONS, err);
    if (!s)
        return CUST_EDB;
    sqlite3_bind_int(s, 1, sc->day);
    cust_sqlite_bind_text(s, 2, sc->citizenship);
    cust_sqlite_bind_text(s, 3, sc->facility);
    return each(&q, s, scope_row, &(union dcb){.scope = fn}, arg, "scope's persons", NULL, err);
}

/* ---- disclosures ---------------------------------------------------------------------- */

static enum cust_status disc_put(void *impl, const struct cust_disclosure_row *x,
                                 struct cust_err *err)
{
    struct dq q = dq_of(impl);
    sqlite3_stmt *s = dstmt(&q, D_DISC_PUT, err);
    if (!s)
        return CUST_EDB;
    cust_sqlite_bind_text(s, 1, x->request_id);
    sqlite3_bind_int64(s, 2, x->ord);
    sqlite3_bind_int64(s, 3, x->person_id);
    cust_sqlite_bind_text(s, 4, x->booking_number);
    cust_sqlite_bind_text(s, 5, x->items);
    cust_sqlite_bind_text(s, 6, x->withheld);
    cust_sqlite_bind_text(s, 7, x->recipient);
    cust_sqlite_bind_text(s, 8, x->office);
    cust_sqlite_bind_text(s, 9, x->at);
    sqlite3_bind_int64(s, 10, x->decision_id);
    cust_sqlite_bind_text(s, 11, x->row_hash);
    enum cust_status st = step_done(&q, s, "insert disclosure", err);
    if (st == CUST_OK) {
        /* the row as written, in the canonical columns (store_rows_sql.h DS) */
        struct cust_val v[CUST_ROWS_DISCLOSURE_VALS];
        cust_sqlite_rows_keep_hash(
            impl, CT_DISCLOSURES, v,
            cust_rows_disclosure_vals(v, sqlite3_last_insert_rowid(q.db), x));
    }
    return st;
}

static enum cust_status disc_row(sqlite3_stmt *s, const union dcb *fn, void *arg)
{
    struct cust_disclosure_row x = {
        .id = sqlite3_column_int64(s, 0),
        .request_id = cust_sqlite_text(s, 1),
        .ord = sqlite3_column_int64(s, 2),
        .person_id = sqlite3_column_int64(s, 3),
        .booking_number = cust_sqlite_text(s, 4),
        .items = cust_sqlite_text(s, 5),
        .withheld = cust_sqlite_text(s, 6),
        .recipient = cust_sqlite_text(s, 7),
        .office = cust_sqlite_text(s, 8),
        .at = cust_sqlite_text(s, 9),
        .decision_id = sqlite3_column_int64(s, 10),
        .row_hash = cust_sqlite_text(s, 11),
    };
    return fn->disc(&x, arg);
}

static enum cust_status discs(void *impl, const char *request_id, cust_disclosure_row_fn fn,
                              void *arg, struct cust_err *err)
{
    struct dq q = dq_of(impl);
    sqlite3_stmt *s = dstmt(&q, request_id ? D_DISCS_REQ : D_DISCS, err);
    if (!s)
        return CUST_EDB;
    if (request_id)
        cust_sqlite_bind_text(s, 1, request_id);
    return each(&q, s, disc_row, &(union dcb){.disc = fn}, arg, "disclosures", NULL, err);
}

const struct cust_store_request_ops cust_sqlite_request_ops = {
    .request_insert = req_insert,
    .request_get = req_get,
    .request_list = req_list,
    .request_update = req_update,
    .document_put = doc_put,
    .document_get = doc_get,
    .documents = docs,
    .link_put = link_put,
    .links = links,
    .decision_put = dec_put,
    .decisions = decs,
    .decision_get = dec_get,
    .action_put = act_put,
    .actions = acts,
    .duty_put = duty_put,
    .duties = duties,
    .duty_done = duty_done,
    .transfer_put = xfer_put,
    .transfers = xfers,
    .disclosure_put = disc_put,
    .disclosures = discs,
};
