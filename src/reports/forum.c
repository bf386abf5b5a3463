/*
 * forum.c - the TRUTH Act community forum pack (`custodian report truth-forum --year Y`).
 *
 * Gov. Code 7283.1(d) asks for "the number of people ICE was given access to" in the year and
 * whether through a hold, transfer, notification or other means. An access is an event with a
 * date of its own, counted in the period it happened:
 *   hold          a hold action done            notification  a notify action done
 *   interview     an interview action done      transfer      a hand-over recorded
 *   data_request  a row given by a data request (information request, subpoena, court order)
 * People are distinct persons over the accesses; their sex, age band (on the day of their first
 * access) and country of citizenship are as the record holds them. The per-access table names
 * no one: each person is "person N", numbered in order of first access within the report.
 */
#include "custodian/compat.h"
#include "custodian/date.h"
#include "reports_internal.h"

static const char *const means_names[] = {"hold", "transfer", "notification", "interview",
                                          "data_request"};
enum { M_HOLD, M_TRANSFER, M_NOTIFY, M_INTERVIEW, M_DATA, M_COUNT };

struct access {
    int64_t at;
    int means;
    int64_t person_id;
    const char *request_id; /* borrowed from the set or owned (see own) */
    char *own_request_id;
    char *agency, *kind, *detail;
};

struct ctx {
    struct cust_store *s;
    const struct rp_set *set;
    int64_t from_ts, to_ts;
    struct access *v;
    size_t n, cap;
};

static void add(struct ctx *c, int64_t at, int means, int64_t person, const char *request_id,
                const char *agency, const char *kind, const char *detail)
{
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 256;
        c->v = cust_xrealloc(c->v, c->cap * sizeof(*c->v));
    }
    c->v[c->n++] = (struct access){at,
                                   means,
                                   person,
                                   NULL,
                                   request_id ? cust_xstrdup(request_id) : NULL,
                                   agency ? cust_xstrdup(agency) : NULL,
                                   kind ? cust_xstrdup(kind) : NULL,
                                   detail ? cust_xstrdup(detail) : NULL};
}

static enum cust_status on_transfer(const struct cust_transfer_row *t, void *arg)
{
    struct ctx *c = arg;
    int64_t at;
    if (!t->at || !cust_time_parse(t->at, &at, NULL) || at < c->from_ts || at >= c->to_ts)
        return CUST_OK;
    const struct rp_req *q = t->request_id ? rp_find(c->set, t->request_id) : NULL;
    add(c, at, M_TRANSFER, t->person_id, t->request_id, t->agency, q ? q->kind : NULL, t->basis);
    return CUST_OK;
}

static enum cust_status on_disclosure(const struct cust_disclosure_row *x, void *arg)
{
    struct ctx *c = arg;
    int64_t at;
    if (!x->at || !cust_time_parse(x->at, &at, NULL) || at < c->from_ts || at >= c->to_ts)
        return CUST_OK;
    const struct rp_req *q = rp_find(c->set, x->request_id);
    json_t *items = json_loads(x->items, 0, NULL);
    struct cust_buf b = CUST_BUF_INIT;
    size_t i;
    json_t *v;
    enum cust_status st = CUST_OK;
    json_array_foreach(items, i, v)
    {
        if (st == CUST_OK && i)
            st = cust_buf_puts(&b, ", ");
        if (st == CUST_OK)
            st = cust_buf_puts(&b, json_string_value(v) ? json_string_value(v) : "");
    }
    json_decref(items);
    if (st == CUST_OK)
        add(c, at, M_DATA, x->person_id, x->request_id, x->recipient, q ? q->kind : NULL, b.buf);
    cust_buf_release(&b);
    return st;
}

static int access_cmp(const void *a, const void *b)
{
    const struct access *x = a, *y = b;
    if (x->at != y->at)
        return x->at < y->at ? -1 : 1;
    if (x->means != y->means)
        return x->means - y->means;
    int r = strcmp(x->own_request_id ? x->own_request_id : "",
                   y->own_request_id ? y->own_request_id : "");
    if (r)
        return r;
    return x->person_id < y->person_id ? -1 : x->person_id > y->person_id;
}

/* person id -> pseudonym number, in order of first access */
struct alias {
    int64_t id;
    int n;
    int32_t first_day;
};

static int alias_find(struct alias *v, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (v[i].id == id)
            return (int)i;
    return -1;
}

/* Every access in the period into c->v, by time: the actions done (holds, notifications,
 * interviews), the transfers and the rows disclosed. c->set holds the requests read (NULL when
 * reading them failed). */
static enum cust_status gather(struct ctx *c, struct rp_set *set, struct cust_err *err)
{
    /* every request received before the period ends: an access happens after its receipt */
    enum cust_status st = rp_collect(c->s, CUST_NO_TIME, c->to_ts, false, set, err);
    if (st != CUST_OK)
        return st;
    c->set = set;
    for (size_t i = 0; i < set->n; i++) {
        const struct rp_req *q = &set->v[i];
        for (size_t k = 0; k < q->nacts; k++) {
            const struct rp_action *a = &q->acts[k];
            if (strcmp(a->outcome, "done") != 0 || a->at < c->from_ts || a->at >= c->to_ts)
                continue;
            int m = strcmp(a->action, "hold") == 0        ? M_HOLD
                    : strcmp(a->action, "notify") == 0    ? M_NOTIFY
                    : strcmp(a->action, "interview") == 0 ? M_INTERVIEW
                                                          : -1;
            if (m >= 0)
                add(c, a->at, m, a->person_id, q->id, q->agency, q->kind, a->verdict);
        }
    }
    st = cust_store_transfers(c->s, on_transfer, c, err);
    if (st == CUST_OK)
        st = cust_store_disclosures(c->s, NULL, on_disclosure, c, err);
    if (st == CUST_OK && c->n > 1)
        qsort(c->v, c->n, sizeof(*c->v), access_cmp);
    return st;
}

/* Count an access by receiving agency, and its person (pseudonym number `pn`) as seen by it. */
static void count_agency(json_t *acc, json_t *seen_by, const char *agency, int pn)
{
    const char *ag = agency && *agency ? agency : "not recorded";
    rp_count(acc, ag, 1);
    json_t *seen = json_object_get(seen_by, ag);
    if (!seen) {
        seen = json_object();
        json_object_set_new(seen_by, ag, seen);
    }
    char t[24];
    snprintf(t, sizeof(t), "%d", pn);
    json_object_set_new(seen, t, json_true());
}

enum cust_status cust_report_forum(struct cust_store *s, const struct cust_report_opts *o,
                                   json_t **out, struct cust_err *err)
{
    *out = NULL;
    if (o->to < o->from)
        return cust_err_set(err, CUST_EINVAL, "the period ends before it begins");
    struct ctx c = {0};
    c.s = s;
    rp_period(o->from, o->to, &c.from_ts, &c.to_ts);
    struct rp_set set;
    enum cust_status st = gather(&c, &set, err);
    if (st != CUST_OK && !c.set)
        return st;

    size_t nmonths = rp_months(o->from, o->to);
    json_int_t(*per_month)[M_COUNT] = cust_xcalloc(nmonths ? nmonths : 1, sizeof(*per_month));
    json_int_t means_acc[M_COUNT] = {0};
    struct alias *people = cust_xcalloc(c.n ? c.n : 1, sizeof(*people));
    size_t npeople = 0;
    /* distinct people per means and per month */
    bool *seen_means = cust_xcalloc((c.n ? c.n : 1) * M_COUNT, 1);
    bool *seen_month = cust_xcalloc((c.n ? c.n : 1) * (nmonths ? nmonths : 1), 1);
    json_int_t means_people[M_COUNT] = {0};
    json_int_t *month_people = cust_xcalloc(nmonths ? nmonths : 1, sizeof(*month_people));
    json_t *table = json_array();
    struct rp_people pp = {0};
    json_t *sex = json_object(), *age = json_object(), *country = json_object();
    /* by receiving agency: accesses, and the people seen (pseudonym numbers) */
    json_t *agency_acc = json_object(), *agency_seen = json_object();
    for (size_t b = 0; b < rp_nage_bands; b++)
        json_object_set_new(age, rp_age_bands[b], json_integer(0));
    for (size_t i = 0; st == CUST_OK && i < c.n; i++) {
        const struct access *a = &c.v[i];
        int32_t day = cust_time_zone_day(a->at);
        size_t m = rp_month_index(o->from, day);
        int p = alias_find(people, npeople, a->person_id);
        const struct rp_person *who = rp_person_get(s, &pp, a->person_id, err);
        if (!who && a->person_id != 0) {
            st = CUST_EDB;
            break;
        }
        if (p < 0) {
            p = (int)npeople;
            people[npeople++] = (struct alias){a->person_id, p + 1, day};
            rp_count(sex, who && who->sex && *who->sex ? who->sex : "unknown", 1);
            rp_count(age, who ? rp_age_band(who->dob, day) : "unknown", 1);
            rp_count(country, who && who->country ? who->country : "not recorded", 1);
        }
        means_acc[a->means]++;
        count_agency(agency_acc, agency_seen, a->agency, people[p].n);
        if (!seen_means[(size_t)p * M_COUNT + (size_t)a->means]) {
            seen_means[(size_t)p * M_COUNT + (size_t)a->means] = true;
            means_people[a->means]++;
        }
        if (m < nmonths) {
            per_month[m][a->means]++;
            if (!seen_month[(size_t)p * nmonths + m]) {
                seen_month[(size_t)p * nmonths + m] = true;
                month_people[m]++;
            }
        }
        char dtext[11], person[24];
        rp_day_text(day, dtext);
        snprintf(person, sizeof(person), "person %d", people[p].n);
        json_array_append_new(
            table,
            json_pack("{s:s,s:s,s:s,s:s?,s:s?,s:s?,s:s,s:s,s:s,s:s?}", "date", dtext, "means",
                      means_names[a->means], "person", person, "agency", a->agency, "request_id",
                      a->own_request_id, "request_kind", a->kind, "sex",
                      who && who->sex && *who->sex ? who->sex : "unknown", "age_band",
                      who ? rp_age_band(who->dob, day) : "unknown", "citizenship_country",
                      who && who->country ? who->country : "not recorded", "detail", a->detail));
    }
    json_t *r = NULL;
    if (st == CUST_OK) {
        r = rp_header("truth-forum", o->from, o->to);
        json_object_set_new(r, "people", json_integer((json_int_t)npeople));
        json_object_set_new(r, "accesses", json_integer((json_int_t)c.n));
        json_t *bm = json_object();
        for (int k = 0; k < M_COUNT; k++)
            json_object_set_new(
                bm, means_names[k],
                json_pack("{s:I,s:I}", "accesses", means_acc[k], "people", means_people[k]));
        json_object_set_new(r, "by_means", bm);
        /* who received the access: ICE, CBP, or another federal authority (a transfer on a
         * judicial warrant is to the U.S. Marshals; a data request's rows go to its requester) */
        json_t *ba = json_object(), *order = rp_counts_sorted(json_deep_copy(agency_acc), NULL);
        const char *ag;
        json_t *n;
        json_object_foreach(order, ag, n) json_object_set_new(
            ba, ag,
            json_pack("{s:I,s:I}", "accesses", json_integer_value(n), "people",
                      (json_int_t)json_object_size(json_object_get(agency_seen, ag))));
        json_decref(order);
        json_object_set_new(r, "by_agency", ba);
        json_t *months = json_array();
        for (size_t m = 0; m < nmonths; m++) {
            char mt[8];
            rp_month_text(rp_month_day(o->from, m), mt);
            json_t *e = json_pack("{s:s,s:I}", "month", mt, "people", month_people[m]);
            for (int k = 0; k < M_COUNT; k++)
                json_object_set_new(e, means_names[k], json_integer(per_month[m][k]));
            json_array_append_new(months, e);
        }
        json_object_set_new(r, "months", months);
        json_object_set_new(r, "demographics",
                            json_pack("{s:o,s:o,s:o}", "sex", sex, "age_band", age,
                                      "citizenship_country",
                                      rp_counts_sorted(country, "not recorded")));
        json_object_set_new(r, "access_table", table);
    } else {
        json_decref(table);
        json_decref(sex);
        json_decref(age);
        json_decref(country);
    }
    json_decref(agency_acc);
    json_decref(agency_seen);
    for (size_t i = 0; i < c.n; i++) {
        free(c.v[i].own_request_id);
        free(c.v[i].agency);
        free(c.v[i].kind);
        free(c.v[i].detail);
    }
    free(c.v);
    free(per_month);
    free(people);
    free(seen_means);
    free(seen_month);
    free(month_people);
    rp_people_free(&pp);
    rp_set_free(&set);
    *out = r;
    return st;
}
