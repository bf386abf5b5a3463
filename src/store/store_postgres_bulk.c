/*
 * store_postgres_bulk.c - a bulk load into an empty PostgreSQL store through COPY
 * (docs/internals/store-postgresql.md "Bulk import through COPY").
 *
 * While the store is empty at the start of a bulk load, nothing but this load's rows can
 * exist, so the lookups a put makes (is this booking number known, is this person_key) are
 * answered from memory, ids are counted in memory (max(id) + 1 as SQLite assigns them, rule 3),
 * and the new rows go into per-table buffers in COPY's binary form, sent with
 * `COPY … FROM STDIN (FORMAT binary)` when they reach a few MB and when the load is drained.
 * Persons are kept in memory with their current values, so a later booking of the same person
 * updates them there as the row-by-row UPDATE would (store_postgres.c s_person_update); a person
 * already sent and changed since is updated once at the drain, and so is the copy of its name
 * on its bookings (the row-by-row path's s_name_copy).
 *
 * The load is drained (everything sent, the updates made) before any other statement runs on
 * the connection (cust_pg_bulk_before, called by cust_pg_run/_do/_exec): a ledger entry, a
 * read, a put this path does not take (a booking number seen before in the load, a person
 * without person_key linked by cii/fbi/sid). After the drain the load goes on row by row, so
 * every case keeps the row-by-row semantics; the rows, ids and so the ledger are the same.
 */
#include "custodian/compat.h"
#include "custodian/buf.h"
#include "custodian/date.h"
#include "custodian/namekey.h"
#include "store_postgres.h"
#include "store_public_sql.h"
#include "store_rows_sql.h"
#include "store_smap.h"

#include <inttypes.h>

/* The tables a load writes, in the order a flush sends them (parents first). */
enum { BT_PERSONS, BT_CITIZENSHIP, BT_BOOKINGS, BT_VERSIONS, BT_CHARGES, BT_PRIORS, BT__N };

#define PERSON_COLS                                                                                \
    "id, person_key, last_name, first_name, middle_name, dob, sex, cii, fbi, sid, a_number,"       \
    " place_of_birth, home_address, immigration_status, aliases, sex_arson_registrant,"            \
    " citizenship_status, citizenship_rank, citizenship_recorded_at"

/* The columns each buffer holds, as the row-by-row inserts name them. */
static const char *const copy_sql[BT__N] = {
    [BT_PERSONS] = "COPY persons(" PERSON_COLS ") FROM STDIN (FORMAT binary)",
    [BT_CITIZENSHIP] = "COPY citizenship_history(id, person_id, status, country, source, verified,"
                       " recorded_at, booking_number, entered_at) FROM STDIN (FORMAT binary)",
    [BT_BOOKINGS] =
        "COPY bookings(id, booking_number, person_id, version, booked_at, booked_ts, booked_day,"
        " facility, housing, arresting_agency, scheduled_release, release_date_public,"
        " released_at, released_day, release_reason, sentence_imposed_on, sentence_term_days,"
        " sentence_presentence_days, computed_release, release_rule, release_disagreement,"
        " search_last, search_first, key_last, key_first, public_charges)"
        " FROM STDIN (FORMAT binary)",
    [BT_VERSIONS] = "COPY booking_versions(" BV ") FROM STDIN (FORMAT binary)",
    [BT_CHARGES] = "COPY charges(booking_id, idx, code, description, level, status,"
                   " held_to_answer, case_number, court, next_court_date, bail_cents)"
                   " FROM STDIN (FORMAT binary)",
    [BT_PRIORS] = "COPY prior_convictions(booking_id, idx, person_id, code, level, date,"
                  " jurisdiction, flags) FROM STDIN (FORMAT binary)",
};

/* Persons sent and changed since: their final values, then one UPDATE from them. */
static const char fix_persons_make[] =
    "CREATE TEMP TABLE cust_bulk_persons AS SELECT " PERSON_COLS " FROM persons WITH NO DATA";
static const char fix_persons_copy[] =
    "COPY cust_bulk_persons(" PERSON_COLS ") FROM STDIN (FORMAT binary)";
static const char fix_persons[] =
    "UPDATE persons p SET person_key = t.person_key, last_name = t.last_name,"
    " first_name = t.first_name, middle_name = t.middle_name, dob = t.dob, sex = t.sex,"
    " cii = t.cii, fbi = t.fbi, sid = t.sid, a_number = t.a_number,"
    " place_of_birth = t.place_of_birth, home_address = t.home_address,"
    " immigration_status = t.immigration_status, aliases = t.aliases,"
    " sex_arson_registrant = t.sex_arson_registrant, citizenship_status = t.citizenship_status,"
    " citizenship_rank = t.citizenship_rank, citizenship_recorded_at = t.citizenship_recorded_at"
    " FROM cust_bulk_persons t WHERE p.id = t.id";
/* Renamed persons: the copy of the name on their bookings (s_name_copy of store_postgres.c). */
static const char fix_names_make[] = "CREATE TEMP TABLE cust_bulk_names(id bigint, last ctext,"
                                     " first ctext, key_last ctext, key_first ctext)";
static const char fix_names_copy[] =
    "COPY cust_bulk_names(id, last, first, key_last, key_first) FROM STDIN (FORMAT binary)";
static const char fix_names[] =
    "UPDATE bookings b SET search_last = t.last, search_first = t.first, key_last = t.key_last,"
    " key_first = t.key_first FROM cust_bulk_names t WHERE b.person_id = t.id"
    " AND (b.search_last IS DISTINCT FROM t.last OR b.search_first IS DISTINCT FROM t.first)";
static const char fix_drop_persons[] = "DROP TABLE cust_bulk_persons";
static const char fix_drop_names[] = "DROP TABLE cust_bulk_names";
static const char fix_analyze[] = "ANALYZE cust_bulk_persons";

/* The locator's in-custody rows (public_custody, migration 13) are kept by row triggers; during
 * the load they are off (a trigger per COPY row, and per updated person, costs more than the
 * load) and the table is filled once at the drain, from the view, as the migration fills it.
 * ALTER TABLE takes the tables' lock to the end of the transaction: the store was empty, and a
 * reader waits for the load's commit (or gives up after its lock_timeout: "the store is busy"). */
static const char *const triggers_off[] = {
    "ALTER TABLE bookings DISABLE TRIGGER public_custody_booking",
    "ALTER TABLE persons DISABLE TRIGGER public_custody_person"};
static const char *const triggers_on[] = {
    "DELETE FROM public_custody", PUBLIC_CUSTODY_FILL("true"),
    "ALTER TABLE bookings ENABLE TRIGGER public_custody_booking",
    "ALTER TABLE persons ENABLE TRIGGER public_custody_person"};

/* The load's tables' foreign keys and non-unique indexes, each as the statement that drops it
 * and the one that makes it again as it was (its name and definition from the catalog, so the
 * migrations stay the one place they are written). They are dropped for the COPY and made
 * again at the drain: a foreign key is a trigger that looks its parent up for every row COPY
 * writes (prior_convictions, with two, took 29 s of a 217 s load of 1,065,482 bookings), and
 * an index built once is one sort instead of a random insert per row. Unique indexes stay:
 * after the drain the load goes on row by row, and its upserts need them. Every parent id a
 * COPY row carries was counted by this load (rule 3), and ADD CONSTRAINT checks them all
 * again at the drain. Rolled back with the load (DDL is transactional). */
static const char s_deferred[] =
    "WITH t(r) AS (SELECT unnest(ARRAY['persons', 'citizenship_history', 'bookings',"
    " 'booking_versions', 'charges', 'prior_convictions']::regclass[]))"
    " SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', c.conrelid::regclass, c.conname),"
    " format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname,"
    " pg_get_constraintdef(c.oid)), 1 AS k FROM pg_constraint c JOIN t ON t.r = c.conrelid"
    " WHERE c.contype = 'f'"
    " UNION ALL SELECT format('DROP INDEX %s', i.indexrelid::regclass),"
    " pg_get_indexdef(i.indexrelid), 0 FROM pg_index i JOIN t ON t.r = i.indrelid"
    " WHERE NOT i.indisunique AND NOT i.indisprimary ORDER BY 3, 2";

/* A flush when the buffers hold this much (CUSTODIAN_PG_COPY_FLUSH=BYTES sets it: the tests send
 * after every booking, so that persons are sent and then changed). */
#define FLUSH_BYTES (8u << 20)

/* A person's text columns, in PERSON_COLS order after the id. */
enum {
    PF_KEY,
    PF_LAST,
    PF_FIRST,
    PF_MIDDLE,
    PF_DOB,
    PF_SEX,
    PF_CII,
    PF_FBI,
    PF_SID,
    PF_ANUM,
    PF_POB,
    PF_HOME,
    PF_IMM,
    PF_ALIASES,
    PF__N
};

struct bperson {
    char *f[PF__N];
    int64_t sar; /* sex_arson_registrant; -1 = NULL */
    char *cit_status, *cit_at;
    int64_t cit_rank;
    bool dirty;   /* sent, and changed since */
    bool renamed; /* its name changed after a booking of it was written */
};

struct cust_pg_bulk {
    struct cust_pg *g;
    bool drained;    /* everything sent; the load goes on row by row */
    bool scan_rows;  /* the rows written are every row of the record's tables (once) */
    size_t flush_at; /* bytes buffered that make a flush */
    struct cust_buf buf[BT__N];
    size_t nrows[BT__N];
    struct bperson *persons; /* id first_id + i */
    size_t npersons, cap, sent;
    int64_t next_booking, next_version, next_cit;
    struct cust_smap seen;  /* booking number -> booking id */
    struct cust_smap pkeys; /* person_key -> person id */
    struct cust_smap cits;  /* person, status, country, source, verified, recorded_at */
    char **restore;         /* s_deferred's second column: made again at the drain */
    size_t nrestore;
};

/* ---- COPY's binary form (store_postgres_copy.c) ---------------------------------------- */

static void row_start(struct cust_pg_bulk *bk, int t, int nfields)
{
    cust_pg_copy_tuple(&bk->buf[t], nfields);
    bk->nrows[t]++;
}

#define f_null cust_pg_copy_null
#define f_text cust_pg_copy_text
#define f_int  cust_pg_copy_int

/* An integer that is NULL when negative (a tri-state or "not stated"). */
static void f_tri(struct cust_buf *b, int64_t v)
{
    if (v < 0)
        f_null(b);
    else
        f_int(b, v);
}

/* ---- persons in memory ------------------------------------------------------------------ */

static bool same(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* dst = v (the row-by-row UPDATE's `col = ?N`); whether it changed */
static bool assign(char **dst, const char *v)
{
    if (same(*dst, v))
        return false;
    free(*dst);
    *dst = v ? cust_xstrdup(v) : NULL;
    return true;
}

/* dst = coalesce(v, dst) */
static bool keep(char **dst, const char *v)
{
    return v ? assign(dst, v) : false;
}

static void person_values(const struct cust_person *x, const char *v[PF__N])
{
    const char *f[PF__N] = {x->person_key,
                            x->last_name,
                            x->first_name,
                            x->middle_name,
                            x->dob,
                            x->sex,
                            x->cii,
                            x->fbi,
                            x->sid,
                            x->a_number,
                            x->place_of_birth,
                            x->home_address,
                            x->immigration_status,
                            x->aliases_json};
    memcpy(v, f, sizeof(f));
}

static struct bperson *person_new(struct cust_pg_bulk *bk, const struct cust_person *x)
{
    if (bk->npersons == bk->cap) {
        bk->cap = bk->cap ? bk->cap * 2 : 1024;
        bk->persons = cust_xrealloc(bk->persons, bk->cap * sizeof(*bk->persons));
    }
    struct bperson *p = &bk->persons[bk->npersons++];
    memset(p, 0, sizeof(*p));
    const char *v[PF__N];
    person_values(x, v);
    for (int i = 0; i < PF__N; i++)
        p->f[i] = v[i] ? cust_xstrdup(v[i]) : NULL;
    p->sar = x->sex_arson_registrant;
    const struct cust_citizenship *c = &x->citizenship;
    p->cit_status = cust_xstrdup(x->has_citizenship && c->status ? c->status : "unknown");
    p->cit_rank = x->has_citizenship ? cust_citizenship_rank(c) : -1;
    p->cit_at = cust_xstrdup(x->has_citizenship && c->recorded_at ? c->recorded_at : "");
    return p;
}

/* The row-by-row UPDATE of a known person (s_person_update), in memory. */
static void person_update(struct bperson *p, const struct cust_person *x, bool sent)
{
    const char *v[PF__N];
    person_values(x, v);
    bool ch = false, renamed = false;
    renamed |= assign(&p->f[PF_LAST], v[PF_LAST]);
    renamed |= assign(&p->f[PF_FIRST], v[PF_FIRST]);
    ch |= renamed;
    ch |= assign(&p->f[PF_MIDDLE], v[PF_MIDDLE]);
    ch |= assign(&p->f[PF_DOB], v[PF_DOB]);
    for (int i = PF_SEX; i < PF__N; i++)
        ch |= keep(&p->f[i], v[i]);
    if (!p->f[PF_KEY])
        ch |= keep(&p->f[PF_KEY], v[PF_KEY]);
    if (x->sex_arson_registrant >= 0 && p->sar != x->sex_arson_registrant) {
        p->sar = x->sex_arson_registrant;
        ch = true;
    }
    if (x->has_citizenship) { /* CIT_WINS: a rank as high, recorded as late, or later */
        const struct cust_citizenship *c = &x->citizenship;
        int64_t rank = cust_citizenship_rank(c);
        const char *at = c->recorded_at ? c->recorded_at : "";
        if (p->cit_rank < rank || (p->cit_rank == rank && strcmp(p->cit_at, at) <= 0)) {
            ch |= assign(&p->cit_status, c->status ? c->status : "unknown");
            ch |= assign(&p->cit_at, at);
            ch |= p->cit_rank != rank;
            p->cit_rank = rank;
        }
    }
    p->renamed |= renamed;
    p->dirty |= ch && sent;
}

static void person_row(struct cust_buf *b, const struct bperson *p, int64_t id)
{
    cust_pg_copy_tuple(b, 19);
    f_int(b, id);
    for (int i = 0; i < PF__N; i++)
        f_text(b, p->f[i]);
    f_tri(b, p->sar);
    f_text(b, p->cit_status);
    f_int(b, p->cit_rank);
    f_text(b, p->cit_at);
}

static void person_free(struct bperson *p)
{
    for (int i = 0; i < PF__N; i++)
        free(p->f[i]);
    free(p->cit_status);
    free(p->cit_at);
}

/* ---- flush and drain -------------------------------------------------------------------- */

static size_t buffered(const struct cust_pg_bulk *bk)
{
    size_t n = 0;
    for (int t = 0; t < BT__N; t++)
        n += bk->buf[t].len;
    return n;
}

/* Send the persons not sent yet, then every buffer, parents first. */
static enum cust_status flush(struct cust_pg_bulk *bk, struct cust_err *err)
{
    for (size_t i = bk->sent; i < bk->npersons; i++) {
        person_row(&bk->buf[BT_PERSONS], &bk->persons[i], (int64_t)i + 1);
        bk->nrows[BT_PERSONS]++;
    }
    bk->sent = bk->npersons;
    enum cust_status st = CUST_OK;
    for (int t = 0; st == CUST_OK && t < BT__N; t++) {
        if (bk->nrows[t] == 0)
            continue;
        st = cust_pg_copy_send(bk->g, copy_sql[t], &bk->buf[t], err, "bulk load");
        cust_buf_reset(&bk->buf[t]);
        bk->nrows[t] = 0;
    }
    return st;
}

/* The persons sent and changed since: their final values, one UPDATE. */
static enum cust_status fix_persons_sent(struct cust_pg_bulk *bk, struct cust_err *err)
{
    struct cust_buf b = CUST_BUF_INIT, n = CUST_BUF_INIT;
    size_t dirty = 0, renamed = 0;
    for (size_t i = 0; i < bk->npersons; i++) {
        const struct bperson *p = &bk->persons[i];
        if (p->dirty) {
            person_row(&b, p, (int64_t)i + 1);
            dirty++;
        }
        if (p->renamed) {
            char kl[CUST_NAME_KEY_MAX] = "", kf[CUST_NAME_KEY_MAX] = "";
            if (p->f[PF_LAST])
                cust_name_key(p->f[PF_LAST], strlen(p->f[PF_LAST]), kl, sizeof(kl), NULL);
            if (p->f[PF_FIRST])
                cust_name_key(p->f[PF_FIRST], strlen(p->f[PF_FIRST]), kf, sizeof(kf), NULL);
            cust_pg_copy_tuple(&n, 5);
            f_int(&n, (int64_t)i + 1);
            f_text(&n, p->f[PF_LAST]);
            f_text(&n, p->f[PF_FIRST]);
            f_text(&n, p->f[PF_LAST] ? kl : NULL);
            f_text(&n, p->f[PF_FIRST] ? kf : NULL);
            renamed++;
        }
    }
    struct cust_pg *g = bk->g;
    enum cust_status st = CUST_OK;
    if (cust_buf_status(&b) != CUST_OK || cust_buf_status(&n) != CUST_OK)
        st = cust_err_set(err, CUST_ENOMEM, "bulk load: out of memory");
    if (st == CUST_OK && dirty &&
        (st = cust_pg_exec(g, fix_persons_make, err, "bulk load")) == CUST_OK &&
        (st = cust_pg_copy_send(g, fix_persons_copy, &b, err, "bulk load")) == CUST_OK &&
        (st = cust_pg_exec(g, fix_analyze, err, "bulk load")) == CUST_OK)
        st = cust_pg_exec(g, fix_persons, err, "bulk load: persons");
    if (st == CUST_OK && renamed &&
        (st = cust_pg_exec(g, fix_names_make, err, "bulk load")) == CUST_OK &&
        (st = cust_pg_copy_send(g, fix_names_copy, &n, err, "bulk load")) == CUST_OK)
        st = cust_pg_exec(g, fix_names, err, "bulk load: name copies");
    /* (only what was made: DROP … IF EXISTS would print a NOTICE on the caller's stderr) */
    if (st == CUST_OK && dirty)
        st = cust_pg_exec(g, fix_drop_persons, err, "bulk load");
    if (st == CUST_OK && renamed)
        st = cust_pg_exec(g, fix_drop_names, err, "bulk load");
    cust_buf_release(&b);
    cust_buf_release(&n);
    return st;
}

static enum cust_status drain(struct cust_pg_bulk *bk, struct cust_err *err)
{
    if (bk->drained)
        return CUST_OK;
    bk->drained = true; /* the statements below run as any other */
    enum cust_status st = flush(bk, err);
    if (st == CUST_OK)
        st = fix_persons_sent(bk, err);
    for (size_t i = 0; st == CUST_OK && i < CUST_ARRAY_LEN(triggers_on); i++)
        st = cust_pg_exec(bk->g, triggers_on[i], err, "bulk load: public_custody");
    for (size_t i = 0; st == CUST_OK && i < bk->nrestore; i++) /* indexes, then the keys */
        st = cust_pg_exec(bk->g, bk->restore[i], err, "bulk load: indexes and foreign keys");
    for (size_t i = 0; i < bk->npersons; i++)
        person_free(&bk->persons[i]);
    free(bk->persons);
    bk->persons = NULL;
    bk->npersons = bk->cap = bk->sent = 0;
    for (int t = 0; t < BT__N; t++)
        cust_buf_release(&bk->buf[t]);
    cust_smap_release(&bk->seen);
    cust_smap_release(&bk->pkeys);
    cust_smap_release(&bk->cits);
    return st;
}

enum cust_status cust_pg_bulk_before(struct cust_pg *g, struct cust_err *err)
{
    return g->bulk && !g->bulk->drained ? drain(g->bulk, err) : CUST_OK;
}

/* ---- the load --------------------------------------------------------------------------- */

static void bulk_free(struct cust_pg_bulk *bk)
{
    if (!bk)
        return;
    for (size_t i = 0; i < bk->npersons; i++)
        person_free(&bk->persons[i]);
    free(bk->persons);
    for (int t = 0; t < BT__N; t++)
        cust_buf_release(&bk->buf[t]);
    cust_smap_release(&bk->seen);
    cust_smap_release(&bk->pkeys);
    cust_smap_release(&bk->cits);
    for (size_t i = 0; i < bk->nrestore; i++)
        free(bk->restore[i]);
    free(bk->restore);
    free(bk);
}

static const char s_empty[] =
    "SELECT NOT EXISTS(SELECT 1 FROM bookings) AND NOT EXISTS(SELECT 1 FROM persons)";

enum cust_status cust_pg_bulk_begin(struct cust_pg *g, struct cust_err *err)
{
    /* CUSTODIAN_PG_COPY=off: every load row by row (the path COPY is checked against) */
    const char *copy = getenv("CUSTODIAN_PG_COPY");
    if (copy && strcmp(copy, "off") == 0)
        return CUST_OK;
    PGresult *r;
    if (cust_pg_run(g, s_empty, NULL, false, &r, err, "bulk load") != CUST_OK)
        return CUST_EDB;
    bool empty = PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    PQclear(r);
    if (!empty)
        return CUST_OK; /* a load into a store that has records: row by row */
    enum cust_status st = CUST_OK;
    for (size_t i = 0; st == CUST_OK && i < CUST_ARRAY_LEN(triggers_off); i++)
        st = cust_pg_exec(g, triggers_off[i], err, "bulk load");
    if (st != CUST_OK || cust_pg_run(g, s_deferred, NULL, false, &r, err, "bulk load") != CUST_OK)
        return CUST_EDB;
    struct cust_pg_bulk *bk = cust_xcalloc(1, sizeof(*bk));
    bk->nrestore = (size_t)PQntuples(r);
    bk->restore = cust_xcalloc(bk->nrestore + 1, sizeof(*bk->restore));
    for (size_t i = 0; st == CUST_OK && i < bk->nrestore; i++) {
        bk->restore[i] = cust_xstrdup(PQgetvalue(r, (int)i, 1));
        st = cust_pg_exec(g, PQgetvalue(r, (int)i, 0), err, "bulk load");
    }
    PQclear(r);
    if (st != CUST_OK) {
        bulk_free(bk);
        return st;
    }
    bk->g = g;
    bk->scan_rows = true;
    const char *fl = getenv("CUSTODIAN_PG_COPY_FLUSH");
    bk->flush_at = fl && atol(fl) > 0 ? (size_t)atol(fl) : FLUSH_BYTES;
    bk->next_booking = bk->next_version = bk->next_cit = 1; /* the tables are empty */
    for (int t = 0; t < BT__N; t++)
        cust_buf_init(&bk->buf[t], 0);
    g->bulk = bk;
    return CUST_OK;
}

void cust_pg_bulk_end(struct cust_pg *g)
{
    struct cust_pg_bulk *bk = g->bulk;
    g->bulk = NULL;
    bulk_free(bk);
}

bool cust_pg_bulk_unknown(struct cust_pg *g, const char *booking_number)
{
    return g->bulk && !g->bulk->drained && !cust_smap_get(&g->bulk->seen, booking_number, NULL);
}

bool cust_pg_bulk_scan_rows(struct cust_pg *g)
{
    if (!g->bulk || !g->bulk->scan_rows)
        return false;
    g->bulk->scan_rows = false;
    return true;
}

/* The person of a booking: known by its person_key, else new. */
static int64_t bulk_person(struct cust_pg_bulk *bk, const struct cust_person *x, bool *created)
{
    int64_t pid = 0;
    if (x->person_key && cust_smap_get(&bk->pkeys, x->person_key, &pid)) {
        person_update(&bk->persons[pid - 1], x, (size_t)pid <= bk->sent);
        *created = false;
        return pid;
    }
    person_new(bk, x);
    pid = (int64_t)bk->npersons;
    if (x->person_key)
        cust_smap_put(&bk->pkeys, x->person_key, pid);
    *created = true;
    return pid;
}

/* A value of citizenship new for this person goes into its history (ON CONFLICT DO NOTHING). */
static void bulk_citizenship(struct cust_pg_bulk *bk, void *impl, const struct cust_booking *b,
                             const struct cust_put_meta *meta, int64_t pid)
{
    const struct cust_citizenship *c = &b->person.citizenship;
    const char *status = c->status ? c->status : "unknown";
    struct cust_buf k = CUST_BUF_INIT;
    cust_buf_appendf(&k, "%" PRId64 "\x1f%s\x1f%s\x1f%s\x1f%d\x1f%s", pid, status,
                     c->country ? c->country : "", c->source ? c->source : "", c->verified,
                     c->recorded_at ? c->recorded_at : "");
    bool fresh = k.buf && !cust_smap_get(&bk->cits, k.buf, NULL);
    if (fresh) {
        int64_t id = bk->next_cit++;
        cust_smap_put(&bk->cits, k.buf, id);
        struct cust_buf *o = &bk->buf[BT_CITIZENSHIP];
        row_start(bk, BT_CITIZENSHIP, 9);
        f_int(o, id);
        f_int(o, pid);
        f_text(o, status);
        f_text(o, c->country ? c->country : "");
        f_text(o, c->source ? c->source : "");
        f_int(o, c->verified);
        f_text(o, c->recorded_at ? c->recorded_at : "");
        f_text(o, b->booking_number);
        f_text(o, meta->recorded_at);
        cust_pg_rows_track(impl, CT_CITIZENSHIP, id, NULL);
    }
    cust_buf_release(&k);
}

static void bulk_booking_row(struct cust_pg_bulk *bk, const struct cust_booking *b, int64_t id,
                             int64_t pid, const struct cust_pg_bulk_names *nm)
{
    struct cust_buf *o = &bk->buf[BT_BOOKINGS];
    row_start(bk, BT_BOOKINGS, 26);
    f_int(o, id);
    f_text(o, b->booking_number);
    f_int(o, pid);
    f_int(o, 1);
    f_text(o, b->booked_at);
    f_int(o, b->booked_ts);
    f_int(o, b->booked_day);
    f_text(o, b->facility);
    f_text(o, b->housing);
    f_text(o, b->arresting_agency);
    f_text(o, b->scheduled_release);
    f_int(o, b->release_date_public == 1);
    f_text(o, b->released_at);
    if (b->released_day != CUST_NO_DAY)
        f_int(o, b->released_day);
    else
        f_null(o);
    f_text(o, b->release_reason);
    for (int i = 0; i < 3; i++) {
        int32_t v[3] = {b->sentence_imposed_on, b->sentence_term_days,
                        b->sentence_presentence_days};
        if (b->has_sentence)
            f_int(o, v[i]);
        else
            f_null(o);
    }
    char computed[11] = "";
    if (b->computed_release != CUST_NO_DAY) {
        cust_date_format(b->computed_release, computed);
        f_text(o, computed);
        f_text(o, b->release_rule);
    } else {
        f_null(o);
        f_null(o);
    }
    f_int(o, b->release_disagreement ? 1 : 0);
    f_text(o, b->person.last_name);
    f_text(o, b->person.first_name);
    f_text(o, b->person.last_name ? nm->key_last : NULL);
    f_text(o, b->person.first_name ? nm->key_first : NULL);
    f_text(o, nm->public_charges);
}

/* The version row from its canonical values (store_rows_sql.h BV), and their hash kept for the
 * ledger (the row is never changed, so the entry need not read its 1-2 KB document back). */
static void bulk_version_row(struct cust_pg_bulk *bk, void *impl, const struct cust_booking *b,
                             const struct cust_put_meta *meta, int64_t id, int64_t bid)
{
    size_t n = strnlen(b->doc, b->doc_len); /* as the row-by-row insert binds it */
    struct cust_val v[CUST_ROWS_VERSION_VALS];
    size_t nv = cust_rows_version_vals(v, id, bid, 1, meta, b->doc, n);
    cust_pg_copy_vals(&bk->buf[BT_VERSIONS], v, nv);
    bk->nrows[BT_VERSIONS]++;
    cust_pg_rows_keep_hash(impl, CT_BOOKING_VERSIONS, v, nv);
}

static void bulk_children(struct cust_pg_bulk *bk, const struct cust_booking *b, int64_t bid,
                          int64_t pid)
{
    struct cust_buf *o = &bk->buf[BT_CHARGES];
    for (size_t i = 0; i < b->n_charges; i++) {
        const struct cust_charge *c = &b->charges[i];
        row_start(bk, BT_CHARGES, 11);
        f_int(o, bid);
        f_int(o, (int64_t)i);
        f_text(o, c->code);
        f_text(o, c->description);
        f_text(o, c->level);
        f_text(o, c->status);
        f_tri(o, c->held_to_answer);
        f_text(o, c->case_number);
        f_text(o, c->court);
        f_text(o, c->next_court_date);
        f_tri(o, c->bail_cents);
    }
    o = &bk->buf[BT_PRIORS];
    for (size_t i = 0; i < b->n_priors; i++) {
        const struct cust_prior *c = &b->priors[i];
        row_start(bk, BT_PRIORS, 8);
        f_int(o, bid);
        f_int(o, (int64_t)i);
        f_int(o, pid);
        f_text(o, c->code);
        f_text(o, c->level);
        f_text(o, c->date);
        f_text(o, c->jurisdiction);
        f_text(o, c->flags_json);
    }
}

enum cust_status cust_pg_bulk_put(struct cust_pg *g, void *impl, const struct cust_booking *b,
                                  const struct cust_put_meta *meta,
                                  const struct cust_pg_bulk_names *nm, struct cust_put_result *res,
                                  bool *done, struct cust_err *err)
{
    struct cust_pg_bulk *bk = g->bulk;
    *done = false;
    if (!bk || bk->drained)
        return CUST_OK;
    const struct cust_person *x = &b->person;
    /* what only the row-by-row statements do: a booking number this load wrote already (a new
     * version), a person linked by cii/fbi/sid */
    if (cust_smap_get(&bk->seen, b->booking_number, NULL) ||
        (!x->person_key && (x->cii || x->fbi || x->sid)))
        return drain(bk, err);
    bool created;
    int64_t pid = bulk_person(bk, x, &created);
    res->person_id = pid;
    res->person_created = created;
    res->version = 1;
    cust_pg_rows_track(impl, CT_PERSONS, pid, NULL);
    if (x->has_citizenship)
        bulk_citizenship(bk, impl, b, meta, pid);
    int64_t bid = bk->next_booking++, vid = bk->next_version++;
    cust_smap_put(&bk->seen, b->booking_number, bid);
    bulk_booking_row(bk, b, bid, pid, nm);
    bulk_version_row(bk, impl, b, meta, vid, bid);
    bulk_children(bk, b, bid, pid);
    cust_pg_rows_track(impl, CT_BOOKINGS, bid, NULL);
    *done = true;
    return buffered(bk) >= bk->flush_at ? flush(bk, err) : CUST_OK;
}
