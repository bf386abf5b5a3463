/*
 * store_postgres_public.c - the locator's read of the public view on PostgreSQL: the same
 * statements as SQLite's (store_public_sql.h), the same keys (namekey.h), the view
 * public_bookings only (docs/internals/store-postgresql.md, web.md); the role a public server
 * connects as, granted that view and nothing else, and the check that it has no more.
 */
#include "custodian/compat.h"
#include "custodian/buf.h"
#include "custodian/namekey.h"
#include "store_postgres.h"
#include "store_public_sql.h"
#include "store_published.h"

struct public_keys {
    char last[CUST_NAME_KEY_MAX], end[CUST_NAME_KEY_MAX + 1], first[CUST_NAME_KEY_MAX];
};

/* Run the statement for `q` (by name or by number: its rows, their count, or with `read` both,
 * PUBLIC_READ). */
static enum cust_status run(void *impl, const struct cust_public_query *q, bool count, bool read,
                            PGresult **res, struct cust_err *err)
{
    if (!q->last_name && !q->booking_number)
        return cust_err_set(err, CUST_EINVAL, "give a last name or a booking number");
    enum public_stmt id = public_stmt_for(q, count);
    struct public_keys k;
    if (q->last_name) {
        cust_name_key(q->last_name, strlen(q->last_name), k.last, sizeof(k.last), NULL);
        cust_name_key_range(k.last, k.end, sizeof(k.end));
    }
    if (q->first_name)
        cust_name_key(q->first_name, strlen(q->first_name), k.first, sizeof(k.first), NULL);
    struct cust_pg_params p = {0};
    cust_pg_text(&p, 1, q->last_name ? k.last : NULL);
    cust_pg_text(&p, 2, q->first_name ? k.first : NULL);
    cust_pg_text(&p, 3, q->booking_number);
    cust_pg_int(&p, 4, q->booked_before);
    if (count)
        cust_pg_text(&p, 5, NULL);
    else
        cust_pg_int(&p, 5, q->limit);
    cust_pg_text(&p, 6, q->dob);
    cust_pg_int(&p, 7, q->today);
    cust_pg_text(&p, 8, q->last_name ? k.end : NULL);
    return cust_pg_run(cust_pg_conn(impl), read ? public_read_for(q) : public_sql[id], &p, false,
                       res, err, count ? "public count" : "public search");
}

/* With `total`, the rows and their count come from one statement (PUBLIC_READ): in READ
 * COMMITTED each statement has its own snapshot, and one round trip instead of two. */
enum cust_status cust_pg_public_search(void *impl, const struct cust_public_query *q,
                                       cust_public_fn fn, void *arg, int64_t *total,
                                       struct cust_err *err)
{
    PGresult *r;
    enum cust_status st = run(impl, q, false, total != NULL, &r, err);
    if (st != CUST_OK)
        return st;
    int n = PQntuples(r);
    for (int i = 0; st == CUST_OK && i < n; i++) {
        struct cust_public_row row = {
            .booking_number = cust_pg_get(r, i, 0),
            .last_name = cust_pg_get(r, i, 1),
            .first_name = cust_pg_get(r, i, 2),
            .middle_name = cust_pg_get(r, i, 3),
            .booked_at = cust_pg_get(r, i, 4),
            .facility = cust_pg_get(r, i, 5),
            .arresting_agency = cust_pg_get(r, i, 6),
            .charges_json = cust_pg_get(r, i, 7),
            .scheduled_release = cust_pg_get(r, i, 8),
            .fields = cust_pg_get(r, i, 11),
        };
        st = fn(&row, arg);
    }
    if (st == CUST_OK && total)
        *total = n > 0 && !PQgetisnull(r, 0, 12) ? cust_pg_get_int(r, 0, 12) : n;
    PQclear(r);
    return st;
}

enum cust_status cust_pg_public_count(void *impl, const struct cust_public_query *q, int64_t *total,
                                      struct cust_err *err)
{
    PGresult *r;
    enum cust_status st = run(impl, q, true, false, &r, err);
    if (st != CUST_OK)
        return st;
    *total = cust_pg_get_int(r, 0, 0);
    PQclear(r);
    return CUST_OK;
}

/* ---- the public role ------------------------------------------------------------------- */

/* The first table or view of the store's schema other than the public view that role ?1 can
 * read (a column of), if any: a public server's role must find none. */
static const char s_readable[] = "SELECT c.relname FROM pg_class c"
                                 " WHERE c.relnamespace = to_regnamespace(current_schema())"
                                 " AND c.relkind IN ('r', 'p', 'v', 'm', 'f')"
                                 " AND c.relname NOT IN ('public_bookings', 'public_custody',"
                                 " 'public_custody_names')"
                                 " AND has_any_column_privilege(CAST(?1 AS name), c.oid, 'SELECT')"
                                 " ORDER BY c.relname LIMIT 1";
/* whether role ?1 can read the view, its in-custody rows (migration 13) and their counts per
 * name (migration 14) (NULL: there is no view) */
static const char s_view_readable[] =
    "SELECT has_table_privilege(CAST(?1 AS name), to_regclass('public_bookings'), 'SELECT')"
    " AND has_table_privilege(CAST(?1 AS name), to_regclass('public_custody'), 'SELECT')"
    " AND has_table_privilege(CAST(?1 AS name), to_regclass('public_custody_names'), 'SELECT')";
static const char s_role_exists[] = "SELECT 1 FROM pg_roles WHERE rolname = ?1";
static const char s_names[] =
    "SELECT quote_ident(current_database()), quote_ident(current_schema())";
/* the roles (other than the owner) granted SELECT on the view, quoted, comma-separated */
static const char s_grantees[] =
    "SELECT string_agg(quote_ident(r.rolname), ', ' ORDER BY r.rolname)"
    " FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a"
    " JOIN pg_roles r ON r.oid = a.grantee"
    " WHERE c.oid = to_regclass('public_bookings') AND a.privilege_type = 'SELECT'"
    " AND a.grantee <> c.relowner";

/* One text value of a one-row query with text parameter ?1 (NULL: none). */
static enum cust_status one_text(struct cust_pg *g, const char *sql, const char *arg, char **out,
                                 struct cust_err *err, const char *what)
{
    *out = NULL;
    struct cust_pg_params p = {0};
    if (arg)
        cust_pg_text(&p, 1, arg);
    PGresult *r;
    if (cust_pg_run(g, sql, &p, false, &r, err, what) != CUST_OK)
        return CUST_EDB;
    if (PQntuples(r) > 0 && !PQgetisnull(r, 0, 0))
        *out = cust_xstrdup(PQgetvalue(r, 0, 0));
    PQclear(r);
    return CUST_OK;
}

/* Role `role` can read the view and nothing else of the store's schema. */
static enum cust_status check_role(struct cust_pg *g, const char *role, struct cust_err *err)
{
    char *v = NULL;
    enum cust_status st = one_text(g, s_view_readable, role, &v, err, "public role");
    if (st == CUST_OK && !v)
        st = cust_err_set(err, CUST_ENOTFOUND,
                          "store '%s' has no public view (not a custodian store)", g->name);
    else if (st == CUST_OK && strcmp(v, "t") != 0)
        st = cust_err_set(err, CUST_EINVAL,
                          "store '%s': the role '%s' cannot read the public view public_bookings,"
                          " public_custody and public_custody_names (custodian publish --role"
                          " NAME grants it)",
                          g->name, role);
    free(v);
    char *t = NULL;
    if (st == CUST_OK)
        st = one_text(g, s_readable, role, &t, err, "public role");
    if (st == CUST_OK && t)
        st = cust_err_set(err, CUST_EINVAL,
                          "store '%s': the role '%s' can read '%s', not only the public view: a"
                          " public server connects as a role granted the view alone (custodian"
                          " publish --role NAME; docs/operations.md)",
                          g->name, role, t);
    free(t);
    return st;
}

enum cust_status cust_pg_public_open_check(struct cust_pg *g, struct cust_err *err)
{
    const char *role = PQuser(g->conn);
    return check_role(g, role ? role : "", err);
}

enum cust_status cust_pg_public_role(void *impl, const char *role, struct cust_err *err)
{
    struct cust_pg *g = cust_pg_conn(impl);
    char *id = PQescapeIdentifier(g->conn, role, strlen(role));
    if (!id)
        return cust_err_set(err, CUST_EINVAL, "public role '%s': %s", role,
                            PQerrorMessage(g->conn));
    enum cust_status st = cust_pg_exec(g, "BEGIN", err, "public role");
    char *exists = NULL;
    if (st == CUST_OK)
        st = one_text(g, s_role_exists, role, &exists, err, "public role");
    struct cust_buf sql = CUST_BUF_INIT;
    if (st == CUST_OK && !exists) {
        cust_buf_appendf(&sql, "CREATE ROLE %s LOGIN", id);
        st = cust_pg_exec(g, sql.buf, err, "public role");
    }
    free(exists);
    PGresult *r = NULL;
    if (st == CUST_OK)
        st = cust_pg_run(g, s_names, NULL, false, &r, err, "public role");
    if (st == CUST_OK) {
        cust_buf_reset(&sql);
        cust_buf_appendf(
            &sql,
            "GRANT CONNECT ON DATABASE %s TO %s; GRANT USAGE ON SCHEMA %s TO %s;"
            " GRANT SELECT ON public_bookings, public_custody, public_custody_names TO %s",
            PQgetvalue(r, 0, 0), id, PQgetvalue(r, 0, 1), id, id);
        st = cust_pg_exec(g, sql.buf, err, "public role");
    }
    PQclear(r);
    if (st == CUST_OK)
        st = check_role(g, role, err);
    if (st == CUST_OK)
        st = cust_pg_exec(g, "COMMIT", err, "public role");
    if (st != CUST_OK)
        cust_pg_exec(g, "ROLLBACK", NULL, "public role");
    cust_buf_release(&sql);
    PQfreemem(id);
    return st;
}

enum cust_status cust_pg_public_grants(struct cust_pg *g, char **grantees, struct cust_err *err)
{
    return one_text(g, s_grantees, NULL, grantees, err, "public view grants");
}

enum cust_status cust_pg_public_regrant(struct cust_pg *g, const char *grantees,
                                        struct cust_err *err)
{
    if (!grantees)
        return CUST_OK;
    struct cust_buf sql = CUST_BUF_INIT;
    cust_buf_appendf(&sql,
                     "GRANT SELECT ON public_bookings, public_custody, public_custody_names TO %s",
                     grantees);
    enum cust_status st = cust_pg_exec(g, sql.buf, err, "public view grants");
    cust_buf_release(&sql);
    return st;
}

/* ---- the published public view (cust_store_publish) ------------------------------------- */

static const char s_published[] =
    "SELECT " CUST_PUBLISHED_COLS " FROM public_bookings" CUST_PUBLISHED_WHERE;

/* Column `c` of row `i` as the value SQLite's view gives: integers (and the boolean
 * `unreleased`, 0 or 1) as integers, the rest as text. */
static struct cust_val value_of(const PGresult *r, int i, int c)
{
    const char *x = cust_pg_get(r, i, c);
    if (!x)
        return (struct cust_val){.kind = CUST_VAL_NULL};
    switch (PQftype(r, c)) {
    case 16: /* bool */
        return (struct cust_val){.kind = CUST_VAL_INT, .i = x[0] == 't'};
    case 20: /* int8 */
    case 21: /* int2 */
    case 23: /* int4 */
        return (struct cust_val){.kind = CUST_VAL_INT, .i = strtoll(x, NULL, 10)};
    default:
        return (struct cust_val){
            .kind = CUST_VAL_BYTES, .p = x, .len = (size_t)PQgetlength(r, i, c)};
    }
}

/* The published file being written, for the rows cust_pg_each hands over. */
struct publishing {
    struct cust_published *f;
    struct cust_err *err;
};

static enum cust_status published_row(const PGresult *r, int i, void *arg)
{
    const struct publishing *w = arg;
    struct cust_val v[CUST_PUBLISHED_NCOLS];
    for (int c = 0; c < CUST_PUBLISHED_NCOLS; c++)
        v[c] = value_of(r, i, c);
    return cust_published_row(w->f, v, w->err);
}

enum cust_status cust_pg_public_publish(void *impl, const char *out, int32_t today, int64_t *rows,
                                        struct cust_err *err)
{
    struct cust_pg_params p = {0};
    cust_pg_int(&p, 1, today);
    struct cust_published *f;
    enum cust_status st = cust_published_begin(out, &f, err);
    if (st != CUST_OK)
        return st;
    st = cust_pg_each(cust_pg_conn(impl), s_published, &p, false, published_row,
                      &(struct publishing){f, err}, err, "publish: read the public view");
    enum cust_status end = cust_published_end(f, st == CUST_OK, rows, st == CUST_OK ? err : NULL);
    return st == CUST_OK ? end : st;
}
