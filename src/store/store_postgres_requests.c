/*
 * store_postgres_requests.c - the request desk's rows on PostgreSQL (store_requests.h): requests,
 * documents, links, decisions, actions, duties, transfers, disclosures, and the persons and
 * scopes the desk matches against. The statements are SQLite's (store_sqlite_requests.c) in
 * PostgreSQL's words where they differ: `INSERT OR IGNORE` / `OR REPLACE` are `ON CONFLICT`,
 * SQLite's two-argument min() is least(), new ids are max(id) + 1 as SQLite assigns them
 * (docs/internals/store-postgresql.md). Every write notes its covered row for the ledger.
 */
#include "custodian/compat.h"
#include "custodian/date.h"
#include "custodian/namekey.h"
#include "store_custody_sql.h"
#include "store_postgres.h"
#include "store_rows_sql.h"

#define REQ_COLS                                                                                   \
    "id, kind, form, agency, office, status, status_reason, received_at, received_ts,"             \
    " received_offset, due_ts, law_ts, law_rule, owner, created_at, updated_at, doc"
#define PENDING "status IN ('received', 'matched', 'decided')"
#define OPEN    "status NOT IN ('closed', 'withdrawn', 'lifted', 'expired', 'fulfilled')"
#define DEADLINE                                                                                   \
    "least(coalesce(due_ts, 9223372036854775807), coalesce(law_ts, 9223372036854775807))"
#define DUTY_COLS                                                                                  \
    "id, request_id, person_id, booking_number, duty, cite, status, due_ts, created_at,"           \
    " done_by, done_at, document_sha256, detail"
#define PERSON_SELECT                                                                              \
    "SELECT p.id, p.person_key, p.last_name, p.first_name, p.dob, p.aliases, p.cii, p.fbi,"        \
    " p.sid, p.a_number,"                                                                          \
    " (SELECT booking_number FROM bookings WHERE person_id = p.id"                                 \
    "  ORDER BY booked_ts DESC, id DESC LIMIT 1),"                                                 \
    " (SELECT '[' || coalesce(string_agg(to_json(booking_number)::text, ',' ORDER BY id), '')"     \
    "  || ']' FROM bookings WHERE person_id = p.id),"                                              \
    " p.citizenship_status,"                                                                       \
    " EXISTS(SELECT 1 FROM citizenship_history h WHERE h.person_id = p.id"                         \
    "  AND h.status = 'citizen' AND h.verified = 1),"                                              \
    " EXISTS(SELECT 1 FROM citizenship_history h WHERE h.person_id = p.id"                         \
    "  AND h.status = 'citizen' AND h.verified <> 1)"
#define DISC_COLS                                                                                  \
    "id, request_id, ord, person_id, booking_number, items, withheld, recipient, office, at,"      \
    " decision_id, row_hash"
#define PERSON_BOOKING_COLS                                                                        \
    "SELECT b.booking_number, b.person_id, p.citizenship_status, v.doc"                            \
    " FROM bookings b JOIN persons p ON p.id = b.person_id"                                        \
    " JOIN booking_versions v ON v.booking_id = b.id AND v.version = b.version"

static const char req_next[] = "SELECT coalesce(max(seq), 0) + 1 FROM requests WHERE year = ?1";
static const char req_insert_sql[] =
    "INSERT INTO requests(id, year, seq, kind, form, agency, office, status,"
    " status_reason, received_at, received_ts, received_offset, due_ts, law_ts,"
    " law_rule, owner, created_at, updated_at, doc) VALUES(?1, ?2, ?3, ?4, ?5,"
    " ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)";
static const char req_get_sql[] = "SELECT " REQ_COLS " FROM requests WHERE id = ?1";
/* The list with the console's filters, as SQLite's D_REQ_LIST. The agency's case is folded by
 * ctext's "C" collation, ASCII only, as SQLite's lower() does, whatever the database's locale.
 * One clause of `who` cannot be said in SQL here: the subject's last name as the request wrote
 * it, matched by its name key (namekey.h), which PostgreSQL cannot compute. The rows it could
 * match come as candidates, with that name (column 18) and whether another clause of `who`
 * matched (column 17, REQ_WHO), and req_list keeps a candidate only when its name's key is in
 * the range. ?9 who, ?10 its key ('' for none), ?11 the key's range end. */
#define REQ_WHO                                                                                    \
    "(?9::text IS NULL OR (doc::json #>> '{subject,booking_number}') = ?9"                         \
    " OR EXISTS(SELECT 1 FROM request_links l WHERE l.request_id = requests.id"                    \
    "  AND l.booking_number = ?9)"                                                                 \
    " OR (?10::text <> '' AND EXISTS(SELECT 1 FROM request_links l"                                \
    "  JOIN bookings b ON b.person_id = l.person_id WHERE l.request_id = requests.id"              \
    "  AND b.key_last >= ?10 AND b.key_last < ?11)))"
static const char req_list_sql[] =
    "SELECT " REQ_COLS ", " REQ_WHO ", doc::json #>> '{subject,last_name}'"
    " FROM requests WHERE (?1 = 0 OR " OPEN ")"
    " AND (?2::bigint IS NULL OR (" PENDING " AND " DEADLINE " < ?2))"
    " AND (?4::text IS NULL OR kind = ?4)"
    " AND (?5::text IS NULL OR status = ?5)"
    " AND (?6::text IS NULL OR strpos(lower(agency), lower(?6::ctext)) > 0)"
    " AND (?7::bigint = 0 OR received_ts >= ?7) AND (?8::bigint = 0 OR received_ts < ?8)"
    " AND (" REQ_WHO " OR (?10 <> '' AND (doc::json #>> '{subject,last_name}') IS NOT NULL))"
    " ORDER BY (" PENDING " AND " DEADLINE " < ?3) DESC, " DEADLINE ", id";
static const char req_update_sql[] =
    "UPDATE requests SET status = coalesce(?2, status),"
    " status_reason = coalesce(?3, status_reason),"
    " law_ts = CASE WHEN ?5::text IS NULL THEN law_ts ELSE ?4::bigint END,"
    " law_rule = coalesce(?5, law_rule), updated_at = ?6 WHERE id = ?1";
static const char doc_put_sql[] = "INSERT INTO documents(sha256, size, content)"
                                  " VALUES(?1, ?2, ?3) ON CONFLICT DO NOTHING";
static const char doc_fill_sql[] = "UPDATE documents SET size = ?2, content = ?3"
                                   " WHERE sha256 = ?1 AND content IS NULL";
static const char doc_link_sql[] =
    "INSERT INTO request_documents(id, request_id, name, sha256, role)"
    " VALUES(" CUST_PG_NEXT_ID("request_documents") ", ?1, ?2, ?3, ?4) RETURNING id";
static const char doc_get_sql[] = "SELECT content FROM documents WHERE sha256 = ?1";
static const char docs_sql[] =
    "SELECT r.request_id, r.name, r.sha256, r.role, coalesce(d.size, -1)"
    " FROM request_documents r LEFT JOIN documents d ON d.sha256 = r.sha256"
    " WHERE r.request_id = ?1 ORDER BY r.id";
static const char link_put_sql[] =
    "INSERT INTO request_links(request_id, person_id, booking_number,"
    " score, strong, state, confirmed_by, confirmed_at, reasons, review,"
    " review_reason) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
    " ON CONFLICT(request_id, person_id) DO UPDATE SET booking_number = excluded.booking_number,"
    " score = excluded.score, strong = excluded.strong, state = excluded.state,"
    " confirmed_by = excluded.confirmed_by, confirmed_at = excluded.confirmed_at,"
    " reasons = excluded.reasons, review = excluded.review,"
    " review_reason = excluded.review_reason";
static const char links_sql[] =
    "SELECT request_id, person_id, booking_number, score, strong, state,"
    " confirmed_by, confirmed_at, reasons, review, review_reason"
    " FROM request_links WHERE request_id = ?1"
    " ORDER BY state = 'confirmed' DESC, strong DESC, score DESC, person_id";
static const char decs_sql[] =
    "SELECT id, request_id, person_id, booking_number, policy_id, policy_version,"
    " policy_sha256, decided_at, decided_by, decision FROM decisions"
    " WHERE request_id = ?1 ORDER BY id";
static const char dec_get_sql[] =
    "SELECT id, request_id, person_id, booking_number, policy_id, policy_version,"
    " policy_sha256, decided_at, decided_by, decision FROM decisions WHERE id = ?1";
static const char act_put_sql[] =
    "INSERT INTO actions(id, request_id, person_id, action, verdict, outcome, \"by\", at,"
    " reason, decision_id) VALUES(" CUST_PG_NEXT_ID("actions") ", ?1, ?2, ?3, ?4, ?5, ?6, ?7,"
                                                               " ?8, ?9) RETURNING id";
static const char acts_sql[] =
    "SELECT id, request_id, person_id, action, verdict, outcome, \"by\", at, reason,"
    " decision_id FROM actions WHERE request_id = ?1 ORDER BY id";
/* the worklist's filters (store_requests.h cust_duty_filter): ?3 the requests' owner, ?4 open
 * and due before */
#define DUTY_WORK                                                                                  \
    " AND (?3::text IS NULL OR request_id IN (SELECT id FROM requests WHERE owner = ?3))"          \
    " AND (?4::bigint = 0 OR (status = 'open' AND due_ts IS NOT NULL AND due_ts < ?4))"
static const char duties_sql[] =
    "SELECT " DUTY_COLS " FROM duties WHERE (?2 = 0 OR status = 'open')" DUTY_WORK
    " ORDER BY status = 'open' DESC, due_ts IS NULL, due_ts, id";
static const char duties_req_sql[] =
    "SELECT " DUTY_COLS
    " FROM duties WHERE request_id = ?1 AND (?2 = 0 OR status = 'open')" DUTY_WORK
    " ORDER BY status = 'open' DESC, due_ts IS NULL, due_ts, id";
static const char duty_one_sql[] =
    "SELECT " DUTY_COLS " FROM duties WHERE id = ?5 AND (?1::text IS NULL OR request_id = ?1)"
    " AND (?2 = 0 OR status = 'open')" DUTY_WORK;
static const char duty_status_sql[] = "SELECT status FROM duties WHERE id = ?1";
static const char duty_done_sql[] = "UPDATE duties SET status = 'done', done_by = ?2, done_at = ?3,"
                                    " document_sha256 = coalesce(?4, document_sha256)"
                                    " WHERE id = ?1 AND status = 'open'";
static const char xfer_put_sql[] =
    "INSERT INTO transfers(id, request_id, person_id, booking_number, at, agency,"
    " basis, warrant_number, criterion, offense, recorded_by, recorded_at)"
    " VALUES(" CUST_PG_NEXT_ID("transfers") ", ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
                                            " RETURNING id";
static const char xfers_sql[] =
    "SELECT id, request_id, person_id, booking_number, at, agency, basis,"
    " warrant_number, criterion, offense, recorded_by, recorded_at FROM transfers"
    " ORDER BY at, id";
static const char persons_sql[] = PERSON_SELECT " FROM persons p ORDER BY p.id";
static const char person_sql[] = PERSON_SELECT " FROM persons p WHERE p.id = ?1";
/* The bookings in custody on ?1 (c.id, c.person_id) and their persons (cp), from the indexes
 * alone (migration 17): the two ranges of bookings_custody, each an index-only scan, joined to
 * persons_citizenship; SCOPE_CITIZENSHIP keeps the persons of the scope's status ?2. */
#define SCOPE_CUSTODY     " FROM (" CUST_CUSTODY_ROWS("?1") ") c JOIN persons cp ON cp.id = c.person_id"
#define SCOPE_CITIZENSHIP " (?2::text IS NULL OR cp.citizenship_status = ?2)"
static const char scope_sql[] =
    "SELECT b.booking_number, b.person_id, cp.citizenship_status, v.doc" SCOPE_CUSTODY
    " JOIN bookings b ON b.id = c.id"
    " JOIN booking_versions v ON v.booking_id = b.id AND v.version = b.version"
    " WHERE" SCOPE_CITIZENSHIP " AND (?3::text IS NULL OR b.facility = ?3)"
    " ORDER BY b.booking_number";
static const char person_bookings_sql[] =
    PERSON_BOOKING_COLS " WHERE b.person_id = ?1 ORDER BY b.booked_ts, b.booking_number";
/* the persons of scope_sql's bookings (the same conditions) with another booking */
static const char scope_persons_sql[] = PERSON_BOOKING_COLS
    " WHERE b.person_id IN (SELECT c.person_id" SCOPE_CUSTODY " WHERE" SCOPE_CITIZENSHIP
    " AND (?3::text IS NULL OR (SELECT facility FROM bookings f"
    " WHERE f.id = c.id) = ?3) AND EXISTS (SELECT 1 FROM bookings o"
    " WHERE o.person_id = c.person_id AND o.id <> c.id))"
    " ORDER BY b.person_id, b.booked_ts, b.booking_number";
static const char discs_sql[] = "SELECT " DISC_COLS " FROM disclosures"
                                " WHERE (?1::text IS NULL OR request_id = ?1)"
                                " ORDER BY request_id, ord, id";

static struct cust_pg *conn(void *impl)
{
    return cust_pg_conn(impl);
}

static void time_param(struct cust_pg_params *p, int i, int64_t t)
{
    if (t == CUST_NO_TIME)
        cust_pg_text(p, i, NULL);
    else
        cust_pg_int(p, i, t);
}

static int64_t time_of(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? CUST_NO_TIME : cust_pg_get_int(r, row, col);
}

static bool bool_of(const PGresult *r, int row, int col)
{
    const char *v = cust_pg_get(r, row, col);
    return v && (strcmp(v, "t") == 0 || (v[0] >= '1' && v[0] <= '9'));
}

/* Run a write that returns the new row's id (RETURNING id) into *id. */
static enum cust_status insert_id(void *impl, const char *sql, const struct cust_pg_params *p,
                                  int64_t *id, const char *what, struct cust_err *err)
{
    PGresult *r;
    if (cust_pg_run(conn(impl), sql, p, false, &r, err, what) != CUST_OK)
        return CUST_EDB;
    *id = cust_pg_get_int(r, 0, 0);
    PQclear(r);
    return CUST_OK;
}

/* Rows changed by the last command of `r`. */
static long changed(const PGresult *r)
{
    return strtol(PQcmdTuples((PGresult *)r), NULL, 10);
}

/* ---- requests -------------------------------------------------------------------------- */

static enum cust_status req_insert(void *impl, const struct cust_request_row *x,
                                   char id[CUST_REQUEST_ID_MAX], struct cust_err *err)
{
    int y;
    unsigned m, d;
    cust_civil_from_days(cust_time_zone_day(x->received_ts), &y, &m, &d); /* the county's year */
    if (y < 1000 || y > 9999)
        return cust_err_set(err, CUST_EINVAL, "received_at: year %d out of range", y);
    struct cust_pg_params p = {0};
    cust_pg_int(&p, 1, y);
    int64_t seq;
    if (insert_id(impl, req_next, &p, &seq, "request id", err) != CUST_OK)
        return CUST_EDB;
    if (seq > 999999)
        return cust_err_set(err, CUST_ETOOBIG, "more than 999999 requests in %d", y);
    char buf[48];
    snprintf(buf, sizeof(buf), "R-%04d-%06d", y, (int)seq);
    memcpy(id, buf, CUST_REQUEST_ID_MAX - 1);
    id[CUST_REQUEST_ID_MAX - 1] = '\0';
    struct cust_pg_params q = {0};
    cust_pg_text(&q, 1, id);
    cust_pg_int(&q, 2, y);
    cust_pg_int(&q, 3, seq);
    cust_pg_text(&q, 4, x->kind);
    cust_pg_text(&q, 5, x->form);
    cust_pg_text(&q, 6, x->agency);
    cust_pg_text(&q, 7, x->office);
    cust_pg_text(&q, 8, x->status);
    cust_pg_text(&q, 9, x->status_reason);
    cust_pg_text(&q, 10, x->received_at);
    cust_pg_int(&q, 11, x->received_ts);
    cust_pg_int(&q, 12, x->received_offset);
    time_param(&q, 13, x->due_ts);
    time_param(&q, 14, x->law_ts);
    cust_pg_text(&q, 15, x->law_rule);
    cust_pg_text(&q, 16, x->owner);
    cust_pg_text(&q, 17, x->created_at);
    cust_pg_text(&q, 18, x->updated_at);
    cust_pg_text(&q, 19, x->doc);
    if (cust_pg_do(conn(impl), req_insert_sql, &q, err, "insert request") != CUST_OK)
        return CUST_EDB;
    cust_pg_rows_track(impl, CT_REQUESTS, 0, id);
    return CUST_OK;
}

static struct cust_request_row request_of(const PGresult *r, int i)
{
    return (struct cust_request_row){
        .id = cust_pg_get(r, i, 0),
        .kind = cust_pg_get(r, i, 1),
        .form = cust_pg_get(r, i, 2),
        .agency = cust_pg_get(r, i, 3),
        .office = cust_pg_get(r, i, 4),
        .status = cust_pg_get(r, i, 5),
        .status_reason = cust_pg_get(r, i, 6),
        .received_at = cust_pg_get(r, i, 7),
        .received_ts = cust_pg_get_int(r, i, 8),
        .received_offset = (int)cust_pg_get_int(r, i, 9),
        .due_ts = time_of(r, i, 10),
        .law_ts = time_of(r, i, 11),
        .law_rule = cust_pg_get(r, i, 12),
        .owner = cust_pg_get(r, i, 13),
        .created_at = cust_pg_get(r, i, 14),
        .updated_at = cust_pg_get(r, i, 15),
        .doc = cust_pg_get(r, i, 16),
    };
}

/* The user's callback, whichever kind of row. */
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

/* Every row of a query through `row`; *n (when not NULL) counts them. */
typedef enum cust_status (*row_fn)(const PGresult *r, int i, const union dcb *fn, void *arg);

static enum cust_status each(void *impl, const char *sql, const struct cust_pg_params *p,
                             row_fn row, const union dcb *fn, void *arg, int *n, const char *what,
                             struct cust_err *err)
{
    PGresult *r;
    if (cust_pg_run(conn(impl), sql, p, false, &r, err, what) != CUST_OK)
        return CUST_EDB;
    enum cust_status st = CUST_OK;
    for (int i = 0; st == CUST_OK && i < PQntuples(r); i++)
        st = row(r, i, fn, arg);
    if (n)
        *n = PQntuples(r);
    PQclear(r);
    return st;
}

static enum cust_status req_row(const PGresult *r, int i, const union dcb *fn, void *arg)
{
    struct cust_request_row x = request_of(r, i);
    return fn->req(&x, arg);
}

static enum cust_status req_get(void *impl, const char *id, cust_request_row_fn fn, void *arg,
                                struct cust_err *err)
{
    struct cust_pg_params p = {0};
    cust_pg_text(&p, 1, id);
    int n;
    enum cust_status st =
        each(impl, req_get_sql, &p, req_row, &(union dcb){.req = fn}, arg, &n, "request", err);
    if (st == CUST_OK && n == 0)
        return cust_err_set(err, CUST_ENOTFOUND, "no request '%s'", id);
    return st;
}

/* A row of req_list_sql: kept when `who` matched other than by the subject's name as written,
 * or when that name's key is in [key, end). */
struct who_match {
    cust_request_row_fn fn;
    void *arg;
    const char *key, *end;
};

static enum cust_status req_row_who(const PGresult *r, int i, const union dcb *fn, void *arg)
{
    const struct who_match *w = arg;
    (void)fn;
    const char *matched = cust_pg_get(r, i, 17), *last = cust_pg_get(r, i, 18);
    if (!matched || strcmp(matched, "t") != 0) {
        char k[CUST_NAME_KEY_MAX] = "";
        if (!last || cust_name_key(last, strlen(last), k, sizeof(k), NULL) != CUST_OK ||
            strcmp(k, w->key) < 0 || strcmp(k, w->end) >= 0)
            return CUST_OK;
    }
    struct cust_request_row x = request_of(r, i);
    return w->fn(&x, w->arg);
}

static enum cust_status req_list(void *impl, const struct cust_request_filter *f,
                                 cust_request_row_fn fn, void *arg, struct cust_err *err)
{
    struct cust_pg_params p = {0};
    cust_pg_int(&p, 1, f->open_only ? 1 : 0);
    time_param(&p, 2, f->overdue_at);
    cust_pg_int(&p, 3, f->now);
    cust_pg_text(&p, 4, f->kind);
    cust_pg_text(&p, 5, f->status);
    cust_pg_text(&p, 6, f->agency);
    cust_pg_int(&p, 7, f->received_from);
    cust_pg_int(&p, 8, f->received_before);
    /* who: a booking number as given; a name by its key and the key's prefix range */
    char key[CUST_NAME_KEY_MAX] = "", end[CUST_NAME_KEY_MAX + 1] = "";
    if (f->who) {
        cust_name_key(f->who, strlen(f->who), key, sizeof(key), NULL);
        cust_name_key_range(key, end, sizeof(end));
    }
    cust_pg_text(&p, 9, f->who);
    cust_pg_text(&p, 10, key);
    cust_pg_text(&p, 11, end);
    struct who_match w = {fn, arg, key, end};
    return each(impl, req_list_sql, &p, req_row_who, NULL, &w, NULL, "list requests", err);
}

static enum cust_status req_update(void *impl, const char *id, const char *status,
                                   const char *reason, int64_t law_ts, const char *law_rule,
                                   const char *updated_at, struct cust_err *err)
{
    struct cust_pg_params p = {0};
    cust_pg_text(&p, 1, id);
    cust_pg_text(&p, 2, status);
    cust_pg_text(&p, 3, reason);
    time_param(&p, 4, law_ts);
    cust_pg_text(&p, 5, law_rule);
    cust_pg_text(&p, 6, updated_at);
    PGresult *r;
    if (cust_pg_run(conn(impl), req_update_sql, &p, false, &r, err, "update request") != CUST_OK)
        return CUST_EDB;
    long n = changed(r);
    PQclear(r);
    if (n == 0)
        return cust_err_set(err, CUST_ENOTFOUND, "no request '%s'", id);
    cust_pg_rows_track(impl, CT_REQUESTS, 0, id);
    return CUST_OK;
}

/* ---- documents ------------------------------------------------------------------------- */

static enum cust_status doc_put(void *impl, const char *request_id, const char *name,
                                const char *sha256, const unsigned char *content, size_t len,
                                const char *role, struct cust_err *err)
{
    for (int pass = 0; pass < 2; pass++) {
        struct cust_pg_params p = {0};
        cust_pg_text(&p, 1, sha256);
        cust_pg_text(&p, 2, NULL);
        cust_pg_text(&p, 3, NULL);
        if (content) {
            cust_pg_int(&p, 2, (int64_t)len);
            cust_pg_bytes(&p, 3, content, len);
        }
        PGresult *r;
        if (cust_pg_run(conn(impl), pass == 0 ? doc_put_sql : doc_fill_sql, &p, false, &r, err,
                        "store document") != CUST_OK)
            return CUST_EDB;
        long n = changed(r);
        PQclear(r);
        if (n > 0) { /* the row as bound, hashed now: not read back */
            struct cust_val v[CUST_ROWS_DOCUMENT_VALS];
            cust_pg_rows_keep_hash(impl, CT_DOCUMENTS, v,
                                   cust_rows_document_vals(v, sha256, content, len));
        }
        if (!content)
            break;
    }
    struct cust_pg_params p = {0};
    cust_pg_text(&p, 1, request_id);
    cust_pg_text(&p, 2, name);
    cust_pg_text(&p, 3, sha256);
    cust_pg_text(&p, 4, role);
    int64_t id;
    if (insert_id(impl, doc_link_sql, &p, &id, "link document", err) != CUST_OK)
        return CUST_EDB;
    cust_pg_rows_track(impl, CT_REQUEST_DOCUMENTS, id, NULL);
    return CUST_OK;
}

static enum cust_status doc_get(void *impl, const char *sha256, char **content, size_t *len,
                                struct cust_err *err)
{
    *content = NULL;
    *len = 0;
    struct cust_pg_params p = {0};
    cust_pg_text(&p, 1, sha256);
    PGresult *r;
    if (cust_pg_run(conn(impl), doc_get_sql, &p, true, &r, err, "document") != CUST_OK)
        return CUST_EDB;
    enum cust_status st = CUST_OK;
    if (PQntuples(r) > 0 && !PQgetisnull(r, 0, 0)) {
        size_t n = (size_t)PQgetlength(r, 0, 0);
        *content = cust_xmalloc(n + 1);
        if (n)
            memcpy(*content, PQgetvalue(r, 0, 0), n);
        (*content)[n] = '\0';
        *len = n;
    } else {
        st = cust_err_set(err, CUST_ENOTFOUND, "no content for document %s", sha256);
    }
    PQclear(r);
    return st;
}

static enum cust_status docs_row(const PGresult *r, int i, const union dcb *fn, void *arg)
{
    struct cust_document_row d = {cust_pg_get(r, i, 0), cust_pg_get(r, i, 1), cust_pg_get(r, i, 2),
                                  cust_pg_get(r, i, 3), cust_pg_get_int(r, i, 4)};
    return fn->doc(&d, arg);
}

static enum cust_status docs(void *impl, const char *request_id, cust_document_row_fn fn, void *arg,
                             struct cust_err *err)
{
    struct cust_pg_params p = {0};
    cust_pg_text(&p, 1, request_id);
    return each(impl, docs_sql, &p, docs_row, &(union dcb){.doc = fn}, arg, NULL, "documents", err);
}

/* ---- links ----------------------------------------------------------------------------- */

static enum cust_status link_put(void *impl, const struct cust_link_row *l, struct cust_err *err)
{
    struct cust_pg_params p = {0};
    char score[32];
    snprintf(score, sizeof(score), "%.17g", l->score);
    cust_pg_text(&p, 1, l->request_id);
    cust_pg_int(&p, 2, l->person_id);
    cust_pg_text(&p, 3, l->booking_number);
    cust_pg_text(&p, 4, score);
    cust_pg_int(&p, 5, l->strong ? 1 : 0);
    cust_pg_text(&p, 6, l->state);
    cust_pg_text(&p, 7, l->confirmed_by);
    cust_pg_text(&p, 8, l->confirmed_at);
    cust_pg_text(&p, 9, l->reasons);
    cust_pg_int(&p, 10, l->review ? 1 : 0);
    cust_pg_text(&p, 11, l->review_reason);
    if (cust_pg_do(conn(impl), link_put_sql, &p, err, "link") != CUST_OK)
        return CUST_EDB;
    cust_pg_rows_track(impl, CT_REQUESTS, 0, l->request_id); /* part of its request's row */
    return CUST_OK;
}

static enum cust_status link_row(const PGresult *r, int i, const union dcb *fn, void *arg)
{
    const char *score = cust_pg_get(r, i, 3);
    struct cust_link_row l = {
        .request_id = cust_pg_get(r, i, 0),
        .person_id = cust_pg_get_int(r, i, 1),
        .booking_number = cust_pg_get(r, i, 2),
        .score = score ? strtod(score, NULL) : 0,
        .strong = bool_of(r, i, 4),
        .state = cust_pg_get(r, i, 5),
        .confirmed_by = cust_pg_get(r, i, 6),
        .confirmed_at = cust_pg_get(r, i, 7),
        .reasons = cust_pg_get(r, i, 8),
        .review = bool_of(r, i, 9),
        .review_reason = cust_pg_get(r, i, 10),
    };
    return fn->link(&l, arg);
}

static enum cust_status links(void *impl, const char *request_id, cust_link_row_fn fn, void *arg,
                              struct cust_err *err)
{
    struct cust_pg_params p = {0};
    cust_pg_text(&p, 1, request_id);
    return each(impl, links_sql, &p, link_row, &(union dcb){.link = fn}, arg, NULL, "links", err);
}

/* ---- decisions and actions ------------------------------------------------------------- */

/* A row of a table a fulfilment writes by the thousand (store_postgres_defer.c): v[0..n) its
 * canonical values, v[0] the id, counted here; kept for the ledger by the hash of them. */
static enum cust_status put_counted(void *impl, enum cust_pg_defer_table t, int ct,
                                    struct cust_val *v, size_t n, int64_t *id, struct cust_err *err)
{
    struct cust_pg *g = conn(impl);
    if (cust_pg_defer_id(g, t, &v[0].i, err) != CUST_OK)
        return CUST_EDB;
    cust_pg_rows_keep_hash(impl, ct, v, n);
    if (id)
        *id = v[0].i;
    return cust_pg_defer_put(g, t, v, n, err);
}

static enum cust_status dec_put(void *impl, const struct cust_decision_row *d, int64_t *id,
                                struct cust_err *err)
{
    struct cust_val v[CUST_ROWS_DECISION_VALS];
    return put_counted(impl, CUST_PG_DEFER_DECISIONS, CT_DECISIONS, v,
                       cust_rows_decision_vals(v, 0, d), id, err);
}

static enum cust_status dec_row(const PGresult *r, int i, const union dcb *fn, void *arg)
{
    struct cust_decision_row d = {
        .id = cust_pg_get_int(r, i, 0),
        .request_id = cust_pg_get(r, i, 1),
        .person_id = cust_pg_get_int(r, i, 2),
        .booking_number = cust_pg_get(r, i, 3),
        .policy_id = cust_pg_get(r, i, 4),
        .policy_version = cust_pg_get(r, i, 5),
        .policy_sha256 = cust_pg_get(r, i, 6),
        .decided_at = cust_pg_get(r, i, 7),
        .decided_by = cust_pg_get(r, i, 8),
        .decision = cust_pg_get(r, i, 9),
    };
    return fn->dec(&d, arg);
}

static enum cust_status decs(void *impl, const char *request_id, cust_decision_row_fn fn, void *arg,
                             struct cust_err *err)
{
    struct cust_pg_params p = {0};
    cust_pg_text(&p, 1, request_id);
    return each(impl, decs_sql, &p, dec_row, &(union dcb){.dec = fn}, arg, NULL, "decisions", err);
}

static enum cust_status dec_get(void *impl, int64_t id, cust_decision_row_fn fn, void *arg,
                                struct cust_err *err)
{
    struct cust_pg_params p = {0};
    cust_pg_int(&p, 1, id);
    return each(impl, dec_get_sql, &p, dec_row, &(union dcb){.dec = fn}, arg, NULL, "decision",
                err);
}

static enum cust_status act_put(void *impl, const struct cust_action_row *a, int64_t *id,
                                struct cust_err *err)
{
    struct cust_pg_params p = {0};
    cust_pg_text(&p, 1, a->request_id);
    cust_pg_int(&p, 2, a->person_id);
    cust_pg_text(&p, 3, a->action);
    cust_pg_text(&p, 4, a->verdict);
    cust_pg_text(&p, 5, a->outcome);
    cust_pg_text(&p, 6, a->by);
    cust_pg_text(&p, 7, a->at);
    cust_pg_text(&p, 8, a->reason);
    cust_pg_text(&p, 9, NULL);
    if (a->decision_id > 0)
        cust_pg_int(&p, 9, a->decision_id);
    int64_t n;
    if (insert_id(impl, act_put_sql, &p, &n, "insert action", err) != CUST_OK)
        return CUST_EDB;
    cust_pg_rows_track(impl, CT_ACTIONS, n, NULL);
    if (id)
        *id = n;
    return CUST_OK;
}

static enum cust_status act_row(const PGresult *r, int i, const union dcb *fn, void *arg)
{
    struct cust_action_row a = {
        .id = cust_pg_get_int(r, i, 0),
        .request_id = cust_pg_get(r, i, 1),
        .person_id = cust_pg_get_int(r, i, 2),
        .action = cust_pg_get(r, i, 3),
        .verdict = cust_pg_get(r, i, 4),
        .outcome = cust_pg_get(r, i, 5),
        .by = cust_pg_get(r, i, 6),
        .at = cust_pg_get(r, i, 7),
        .reason = cust_pg_get(r, i, 8),
        .decision_id = cust_pg_get_int(r, i, 9),
    };
    return fn->act(&a, arg);
}

static enum cust_status acts(void *impl, const char *request_id, cust_action_row_fn fn, void *arg,
                             struct cust_err *err)
{
    struct cust_pg_params p = {0};
    cust_pg_text(&p, 1, request_id);
    return each(impl, acts_sql, &p, act_row, &(union dcb){.act = fn}, arg, NULL, "actions", err);
}

/* ---- duties ---------------------------------------------------------------------------- */

static enum cust_status duty_put(void *impl, const struct cust_duty_row *d, int64_t *id,
                                 struct cust_err *err)
{
    struct cust_val v[CUST_ROWS_DUTY_VALS];
    return put_counted(impl, CUST_PG_DEFER_DUTIES, CT_DUTIES, v, cust_rows_duty_vals(v, 0, d), id,
                       err);
}

static enum cust_status duty_row(const PGresult *r, int i, const union dcb *fn, void *arg)
{
    struct cust_duty_row d = {
        .id = cust_pg_get_int(r, i, 0),
        .request_id = cust_pg_get(r, i, 1),
        .person_id = cust_pg_get_int(r, i, 2),
        .booking_number = cust_pg_get(r, i, 3),
        .duty = cust_pg_get(r, i, 4),
        .cite = cust_pg_get(r, i, 5),
        .status = cust_pg_get(r, i, 6),
        .due_ts = time_of(r, i, 7),
        .created_at = cust_pg_get(r, i, 8),
        .done_by = cust_pg_get(r, i, 9),
        .done_at = cust_pg_get(r, i, 10),
        .document_sha256 = cust_pg_get(r, i, 11),
        .detail = cust_pg_get(r, i, 12),
    };
    return fn->duty(&d, arg);
}

static enum cust_status duties(void *impl, const struct cust_duty_filter *f, cust_duty_row_fn fn,
                               void *arg, struct cust_err *err)
{
    struct cust_pg_params p = {0};
    cust_pg_text(&p, 1, f->request_id);
    cust_pg_int(&p, 2, f->open_only ? 1 : 0);
    cust_pg_text(&p, 3, f->owner);
    cust_pg_int(&p, 4, f->overdue_at);
    if (f->id)
        cust_pg_int(&p, 5, f->id);
    return each(impl,
                f->id           ? duty_one_sql
                : f->request_id ? duties_req_sql
                                : duties_sql,
                &p, duty_row, &(union dcb){.duty = fn}, arg, NULL, "duties", err);
}

static enum cust_status duty_done(void *impl, int64_t id, const char *by, const char *at,
                                  const char *sha, struct cust_err *err)
{
    struct cust_pg_params p = {0};
    cust_pg_int(&p, 1, id);
    PGresult *r;
    if (cust_pg_run(conn(impl), duty_status_sql, &p, false, &r, err, "duty") != CUST_OK)
        return CUST_EDB;
    bool found = PQntuples(r) > 0;
    bool open = found && cust_pg_get(r, 0, 0) && strcmp(cust_pg_get(r, 0, 0), "open") == 0;
    PQclear(r);
    if (!found)
        return cust_err_set(err, CUST_ENOTFOUND, "no duty %lld", (long long)id);
    if (!open)
        return cust_err_set(err, CUST_ECONFLICT, "duty %lld is already done", (long long)id);
    cust_pg_text(&p, 2, by);
    cust_pg_text(&p, 3, at);
    cust_pg_text(&p, 4, sha);
    if (cust_pg_do(conn(impl), duty_done_sql, &p, err, "duty done") != CUST_OK)
        return CUST_EDB;
    cust_pg_rows_track(impl, CT_DUTIES, id, NULL);
    return CUST_OK;
}

/* ---- transfers ------------------------------------------------------------------------- */

static enum cust_status xfer_put(void *impl, const struct cust_transfer_row *t, int64_t *id,
                                 struct cust_err *err)
{
    struct cust_pg_params p = {0};
    cust_pg_text(&p, 1, t->request_id);
    cust_pg_int(&p, 2, t->person_id);
    cust_pg_text(&p, 3, t->booking_number);
    cust_pg_text(&p, 4, t->at);
    cust_pg_text(&p, 5, t->agency);
    cust_pg_text(&p, 6, t->basis);
    cust_pg_text(&p, 7, t->warrant_number);
    cust_pg_text(&p, 8, t->criterion);
    cust_pg_text(&p, 9, t->offense);
    cust_pg_text(&p, 10, t->recorded_by);
    cust_pg_text(&p, 11, t->recorded_at);
    int64_t n;
    if (insert_id(impl, xfer_put_sql, &p, &n, "insert transfer", err) != CUST_OK)
        return CUST_EDB;
    cust_pg_rows_track(impl, CT_TRANSFERS, n, NULL);
    if (id)
        *id = n;
    return CUST_OK;
}

static enum cust_status xfer_row(const PGresult *r, int i, const union dcb *fn, void *arg)
{
    struct cust_transfer_row t = {
        .id = cust_pg_get_int(r, i, 0),
        .request_id = cust_pg_get(r, i, 1),
        .person_id = cust_pg_get_int(r, i, 2),
        .booking_number = cust_pg_get(r, i, 3),
        .at = cust_pg_get(r, i, 4),
        .agency = cust_pg_get(r, i, 5),
        .basis = cust_pg_get(r, i, 6),
        .warrant_number = cust_pg_get(r, i, 7),
        .criterion = cust_pg_get(r, i, 8),
        .offense = cust_pg_get(r, i, 9),
        .recorded_by = cust_pg_get(r, i, 10),
        .recorded_at = cust_pg_get(r, i, 11),
    };
    return fn->xfer(&t, arg);
}

static enum cust_status xfers(void *impl, cust_transfer_row_fn fn, void *arg, struct cust_err *err)
{
    return each(impl, xfers_sql, NULL, xfer_row, &(union dcb){.xfer = fn}, arg, NULL, "transfers",
                err);
}

/* ---- persons and scope ----------------------------------------------------------------- */

static enum cust_status person_row(const PGresult *r, int i, const union dcb *fn, void *arg)
{
    struct cust_person_row p = {
        .person_id = cust_pg_get_int(r, i, 0),
        .person_key = cust_pg_get(r, i, 1),
        .last_name = cust_pg_get(r, i, 2),
        .first_name = cust_pg_get(r, i, 3),
        .dob = cust_pg_get(r, i, 4),
        .aliases = cust_pg_get(r, i, 5),
        .cii = cust_pg_get(r, i, 6),
        .fbi = cust_pg_get(r, i, 7),
        .sid = cust_pg_get(r, i, 8),
        .a_number = cust_pg_get(r, i, 9),
        .booking_number = cust_pg_get(r, i, 10),
        .booking_numbers = cust_pg_get(r, i, 11),
        .citizenship_status = cust_pg_get(r, i, 12),
        .verified_citizen = bool_of(r, i, 13),
        .claimed_citizen = bool_of(r, i, 14),
    };
    return fn->person(&p, arg);
}

enum cust_status cust_pg_persons(void *impl, int64_t person_id, cust_person_row_fn fn, void *arg,
                                 struct cust_err *err)
{
    struct cust_pg_params p = {0};
    if (person_id)
        cust_pg_int(&p, 1, person_id);
    int n;
    enum cust_status st = each(impl, person_id ? person_sql : persons_sql, person_id ? &p : NULL,
                               person_row, &(union dcb){.person = fn}, arg, &n, "persons", err);
    if (st == CUST_OK && n == 0 && person_id != 0)
        return cust_err_set(err, CUST_ENOTFOUND, "no person #%lld", (long long)person_id);
    return st;
}

static enum cust_status scope_row(const PGresult *r, int i, const union dcb *fn, void *arg)
{
    struct cust_scope_row s = {cust_pg_get(r, i, 0), cust_pg_get_int(r, i, 1), cust_pg_get(r, i, 2),
                               cust_pg_get(r, i, 3)};
    return fn->scope(&s, arg);
}

enum cust_status cust_pg_scope(void *impl, const struct cust_scope *sc, cust_scope_row_fn fn,
                               void *arg, struct cust_err *err)
{
    struct cust_pg_params p = {0};
    cust_pg_int(&p, 1, sc->day);
    cust_pg_text(&p, 2, sc->citizenship);
    cust_pg_text(&p, 3, sc->facility);
    return each(impl, scope_sql, &p, scope_row, &(union dcb){.scope = fn}, arg, NULL, "scope", err);
}

enum cust_status cust_pg_person_bookings(void *impl, int64_t person_id, cust_scope_row_fn fn,
                                         void *arg, struct cust_err *err)
{
    struct cust_pg_params p = {0};
    cust_pg_int(&p, 1, person_id);
    int n;
    enum cust_status st = each(impl, person_bookings_sql, &p, scope_row, &(union dcb){.scope = fn},
                               arg, &n, "person's bookings", err);
    if (st == CUST_OK && n == 0)
        return cust_err_set(err, CUST_ENOTFOUND, "no booking of person #%lld",
                            (long long)person_id);
    return st;
}

enum cust_status cust_pg_scope_persons(void *impl, const struct cust_scope *sc,
                                       cust_scope_row_fn fn, void *arg, struct cust_err *err)
{
    struct cust_pg_params p = {0};
    cust_pg_int(&p, 1, sc->day);
    cust_pg_text(&p, 2, sc->citizenship);
    cust_pg_text(&p, 3, sc->facility);
    return each(impl, scope_persons_sql, &p, scope_row, &(union dcb){.scope = fn}, arg, NULL,
                "scope's persons", err);
}

/* ---- disclosures ---------------------------------------------------------------------- */

static enum cust_status disc_put(void *impl, const struct cust_disclosure_row *x,
                                 struct cust_err *err)
{
    struct cust_val v[CUST_ROWS_DISCLOSURE_VALS];
    return put_counted(impl, CUST_PG_DEFER_DISCLOSURES, CT_DISCLOSURES, v,
                       cust_rows_disclosure_vals(v, 0, x), NULL, err);
}

static enum cust_status disc_row(const PGresult *r, int i, const union dcb *fn, void *arg)
{
    struct cust_disclosure_row x = {
        .id = cust_pg_get_int(r, i, 0),
        .request_id = cust_pg_get(r, i, 1),
        .ord = cust_pg_get_int(r, i, 2),
        .person_id = cust_pg_get_int(r, i, 3),
        .booking_number = cust_pg_get(r, i, 4),
        .items = cust_pg_get(r, i, 5),
        .withheld = cust_pg_get(r, i, 6),
        .recipient = cust_pg_get(r, i, 7),
        .office = cust_pg_get(r, i, 8),
        .at = cust_pg_get(r, i, 9),
        .decision_id = cust_pg_get_int(r, i, 10),
        .row_hash = cust_pg_get(r, i, 11),
    };
    return fn->disc(&x, arg);
}

static enum cust_status discs(void *impl, const char *request_id, cust_disclosure_row_fn fn,
                              void *arg, struct cust_err *err)
{
    struct cust_pg_params p = {0};
    cust_pg_text(&p, 1, request_id);
    return each(impl, discs_sql, &p, disc_row, &(union dcb){.disc = fn}, arg, NULL, "disclosures",
                err);
}

/* The requests received in [from_ts, to_ts) (either bound CUST_NO_TIME: open), by receipt
 * (the reports' period, store_reports.h). */
static const char req_between_sql[] =
    "SELECT " REQ_COLS " FROM requests"
    " WHERE (?1::bigint IS NULL OR received_ts >= ?1) AND (?2::bigint IS NULL OR received_ts < ?2)"
    " ORDER BY received_ts, id";

enum cust_status cust_pg_requests_between(void *impl, int64_t from_ts, int64_t to_ts,
                                          cust_request_row_fn fn, void *arg, struct cust_err *err)
{
    struct cust_pg_params p = {0};
    time_param(&p, 1, from_ts);
    time_param(&p, 2, to_ts);
    return each(impl, req_between_sql, &p, req_row, &(union dcb){.req = fn}, arg, NULL, "requests",
                err);
}

const struct cust_store_request_ops cust_pg_request_ops = {
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
