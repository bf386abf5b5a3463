/*
 * Unit tests for src/gen/gen_requests.c: determinism, every request valid for the desk
 * (cust_request_parse), subjects that are real persons of the county and in custody when the
 * request arrives, the noise the generator claims, volumes at the default scale, the DOJ letter
 * and the subpoena exactly as specified, judicial warrants concentrated in mid-2025.
 */
#include "custodian/compat.h"
#include "custodian/buf.h"
#include "custodian/date.h"
#include "custodian/diag.h"
#include "custodian/gen.h"
#include "custodian/request.h"

#include <inttypes.h>
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

static struct cust_gen_requests *make(uint64_t seed, int64_t bookings, int32_t end_day)
{
    struct cust_gen_opts o = CUST_GEN_OPTS_INIT;
    o.seed = seed;
    o.bookings = bookings;
    if (end_day)
        o.end_day = end_day;
    struct cust_gen_requests *rq;
    struct cust_err err = CUST_ERR_INIT;
    if (cust_gen_requests_new(&o, &rq, &err) != CUST_OK)
        fail_msg("cust_gen_requests_new: %s", err.msg);
    return rq;
}

static json_t *load(const struct cust_gen_requests *rq, size_t i)
{
    json_error_t e;
    json_t *v = json_loads(cust_gen_requests_json(rq, i), 0, &e);
    if (!v)
        fail_msg("request %zu: %s", i, e.text);
    return v;
}

static const char *sget(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* ---- the county, through the observer ------------------------------------------------- */

struct cbooking {
    size_t person;
    int64_t booked_t, release_t;
    bool released;
    char *last, *first, *dob, *fbi, *anum, *cit;
};

struct county {
    struct cbooking *v; /* indexed by booking_number - 6000000 */
    size_t n, alloc;
    int64_t end_t;
    const struct cust_gen_requests *only; /* keep names of these requests' subjects only */
    uint8_t *want;                        /* built from `only` (indexed like v) */
    size_t nwant;
};

static char *dup_or_null(const char *s)
{
    return s ? cust_xstrdup(s) : NULL;
}

static void observe(void *ctx, const struct cust_gen_booking *b)
{
    struct county *c = ctx;
    if (c->only && !c->want) {
        c->nwant = 400000;
        c->want = cust_xcalloc(c->nwant, 1);
        for (size_t i = 0; i < cust_gen_requests_count(c->only); i++) {
            uint64_t bn = cust_gen_requests_truth(c->only, i)->booking_number;
            if (bn >= 6000000 && bn - 6000000 < c->nwant)
                c->want[bn - 6000000] = 1;
        }
    }
    assert_int_equal(b->booking_number, 6000000 + c->n);
    if (c->n == c->alloc) {
        c->alloc = c->alloc ? 2 * c->alloc : 1024;
        c->v = cust_xrealloc(c->v, c->alloc * sizeof(*c->v));
    }
    struct cbooking *k = &c->v[c->n++];
    k->person = b->person;
    k->booked_t = b->booked_t;
    k->release_t = b->release_t;
    k->released = b->released;
    bool keep = !c->want || (c->n - 1 < c->nwant && c->want[c->n - 1]);
    k->last = keep ? cust_xstrdup(b->last_name) : NULL;
    k->first = keep ? cust_xstrdup(b->first_name) : NULL;
    k->dob = keep ? cust_xstrdup(b->dob) : NULL;
    k->fbi = keep ? dup_or_null(b->fbi) : NULL;
    k->anum = keep ? dup_or_null(b->a_number) : NULL;
    k->cit = keep ? cust_xstrdup(b->citizenship) : NULL;
}

static void county_load(struct county *c, uint64_t seed, int64_t bookings,
                        const struct cust_gen_requests *only)
{
    memset(c, 0, sizeof(*c));
    c->only = only;
    struct cust_gen_opts o = CUST_GEN_OPTS_INIT;
    o.seed = seed;
    o.bookings = bookings;
    struct cust_gen *g;
    assert_int_equal(cust_gen_new(&o, &g, NULL), CUST_OK);
    cust_gen_set_observer(g, observe, c);
    struct cust_buf b = CUST_BUF_INIT;
    bool done = false;
    while (!done) {
        cust_buf_reset(&b);
        assert_int_equal(cust_gen_next(g, &b, &done), CUST_OK);
    }
    cust_buf_release(&b);
    c->end_t = cust_gen_snapshot_time(g);
    cust_gen_free(g);
}

static void county_free(struct county *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->v[i].last);
        free(c->v[i].first);
        free(c->v[i].dob);
        free(c->v[i].fbi);
        free(c->v[i].anum);
        free(c->v[i].cit);
    }
    free(c->v);
    free(c->want);
}

/* ---- shared state: the default scale and a 20,000-booking county ------------------------- */

struct state {
    struct cust_gen_requests *big;   /* default scale, seed 1 */
    struct cust_gen_requests *small; /* 20,000 bookings, seed 3 */
    struct county county;            /* the county of `small` */
    struct county big_county;        /* the county of `big` (names of subjects only) */
};

static int setup(void **state)
{
    struct state *s = cust_xcalloc(1, sizeof(*s));
    s->big = make(1, CUST_GEN_DEFAULT_BOOKINGS, 0);
    s->small = make(3, 20000, 0);
    county_load(&s->county, 3, 20000, NULL);
    county_load(&s->big_county, 1, CUST_GEN_DEFAULT_BOOKINGS, s->big);
    *state = s;
    return 0;
}

static int teardown(void **state)
{
    struct state *s = *state;
    cust_gen_requests_free(s->big);
    cust_gen_requests_free(s->small);
    county_free(&s->county);
    county_free(&s->big_county);
    free(s);
    return 0;
}

/* ---- tests ------------------------------------------------------------------------------ */

static void test_deterministic(void **state)
{
    struct state *s = *state;
    (void)s;
    struct cust_gen_requests *a = make(5, 5000, 0), *a2 = make(5, 5000, 0), *b = make(6, 5000, 0);
    assert_true(cust_gen_requests_count(a) > 50);
    assert_int_equal(cust_gen_requests_count(a), cust_gen_requests_count(a2));
    for (size_t i = 0; i < cust_gen_requests_count(a); i++) {
        assert_string_equal(cust_gen_requests_json(a, i), cust_gen_requests_json(a2, i));
        const struct cust_gen_request_truth *x = cust_gen_requests_truth(a, i),
                                            *y = cust_gen_requests_truth(a2, i);
        assert_int_equal(x->booking_number, y->booking_number);
        assert_int_equal(x->person, y->person);
        assert_int_equal(x->received_t, y->received_t);
        assert_int_equal(x->noise, y->noise);
    }
    size_t same = 0, n = cust_gen_requests_count(b);
    for (size_t i = 0; i < n && i < cust_gen_requests_count(a); i++)
        same += strcmp(cust_gen_requests_json(a, i), cust_gen_requests_json(b, i)) == 0;
    assert_true(same < n / 10);
    assert_null(cust_gen_requests_json(a, cust_gen_requests_count(a)));
    assert_null(cust_gen_requests_truth(a, cust_gen_requests_count(a)));
    cust_gen_requests_free(a);
    cust_gen_requests_free(a2);
    cust_gen_requests_free(b);

    /* The observer changes nothing in the county's bytes. */
    struct cust_gen_opts o = CUST_GEN_OPTS_INIT;
    o.bookings = 3000;
    struct cust_buf x = CUST_BUF_INIT, y = CUST_BUF_INIT;
    struct county c;
    memset(&c, 0, sizeof(c));
    for (int k = 0; k < 2; k++) {
        struct cust_gen *g;
        assert_int_equal(cust_gen_new(&o, &g, NULL), CUST_OK);
        if (k)
            cust_gen_set_observer(g, observe, &c);
        bool done = false;
        while (!done)
            assert_int_equal(cust_gen_next(g, k ? &y : &x, &done), CUST_OK);
        cust_gen_free(g);
    }
    assert_int_equal(x.len, y.len);
    assert_memory_equal(x.buf, y.buf, x.len);
    size_t lines = 0;
    for (size_t i = 0; i < x.len; i++)
        lines += x.buf[i] == '\n';
    assert_int_equal(c.n, lines);
    cust_buf_release(&x);
    cust_buf_release(&y);
    county_free(&c);

    /* Bad options fail as for the county. */
    o.bookings = 0;
    struct cust_gen_requests *rq = (void *)1;
    struct cust_err err = CUST_ERR_INIT;
    assert_int_equal(cust_gen_requests_new(&o, &rq, &err), CUST_EINVAL);
    assert_null(rq);
    assert_non_null(strstr(err.msg, "bookings"));
    /* The last accepted end (sentences imposed after it stay in the release calculator's
     * range; 2150 used to abort) and the first refused one. */
    o.bookings = 300;
    o.end_day = cust_days_from_civil(2099, 12, 31);
    assert_int_equal(cust_gen_requests_new(&o, &rq, &err), CUST_OK);
    assert_true(cust_gen_requests_count(rq) >= 1);
    cust_gen_requests_free(rq);
    o.end_day++;
    assert_int_equal(cust_gen_requests_new(&o, &rq, &err), CUST_EINVAL);
    assert_non_null(strstr(err.msg, "2099-12-31"));
}

/* Every request passes the desk's validator, is in received order, carries an LA offset that
 * is the one in force, and (mostly) arrived in business hours. */
static void check_valid(const struct cust_gen_requests *rq)
{
    size_t n = cust_gen_requests_count(rq), business = 0;
    int64_t prev = INT64_MIN;
    for (size_t i = 0; i < n; i++) {
        json_t *v = load(rq, i);
        struct cust_request r;
        struct cust_diag diag = CUST_DIAG_INIT;
        enum cust_status st = cust_request_parse(v, &r, &diag);
        if (st != CUST_OK)
            fail_msg("request %zu invalid: %s", i, diag.n ? diag.lines[0] : "");
        const struct cust_gen_request_truth *t = cust_gen_requests_truth(rq, i);
        assert_int_equal(r.received_at, t->received_t);
        assert_true(r.received_at >= prev);
        prev = r.received_at;
        assert_int_equal(r.received_offset, cust_gen_la_offset(r.received_at));
        assert_int_equal(r.has_scope, t->booking_number == 0);
        assert_non_null(r.agency);
        assert_non_null(r.contact);
        assert_non_null(strstr(r.contact, "example.gov"));
        int32_t day = cust_time_local_day(r.received_at, r.received_offset);
        int64_t sod = r.received_at + r.received_offset * 60 - (int64_t)day * 86400;
        int wd = cust_weekday(day);
        business += wd >= 1 && wd <= 5 && sod >= 8 * 3600 && sod < 18 * 3600;
        cust_request_release(&r);
        cust_diag_release(&diag);
        json_decref(v);
    }
    assert_true(business * 100 >= n * 70);
}

static void test_all_valid(void **state)
{
    struct state *s = *state;
    check_valid(s->small);
    check_valid(s->big);
}

/* Subjects: real bookings, in custody when the request came, identifiers from the record,
 * names as recorded unless the truth says there is noise, and the noise really there. */
static void check_subjects(const struct cust_gen_requests *rq, const struct county *c)
{
    size_t n = cust_gen_requests_count(rq), subjects = 0, citizens = 0, detainers = 0;
    unsigned seen_noise = 0;
    for (size_t i = 0; i < n; i++) {
        const struct cust_gen_request_truth *t = cust_gen_requests_truth(rq, i);
        if (!t->booking_number)
            continue;
        subjects++;
        assert_true(t->booking_number >= 6000000 && t->booking_number < 6000000 + c->n);
        const struct cbooking *b = &c->v[t->booking_number - 6000000];
        assert_int_equal(b->person, t->person);
        assert_true(b->booked_t <= t->received_t);
        assert_true(t->received_t < c->end_t);
        assert_true(!b->released || t->received_t < b->release_t);

        json_t *v = load(rq, i);
        json_t *sub = json_object_get(v, "subject");
        const char *kind = sget(v, "kind");
        if (strcmp(kind, "detainer") == 0) {
            detainers++;
            citizens += strcmp(b->cit, "citizen") == 0;
        }
        seen_noise |= t->noise;
        const char *bn = sget(sub, "booking_number");
        if (bn)
            assert_int_equal(strtoull(bn, NULL, 10), t->booking_number);
        if (sget(sub, "fbi"))
            assert_string_equal(sget(sub, "fbi"), b->fbi);
        if (sget(sub, "a_number") && b->anum)
            assert_string_equal(sget(sub, "a_number"), b->anum);
        bool name_only = !bn && !sget(sub, "fbi") && !sget(sub, "cii") && !sget(sub, "sid") &&
                         !sget(sub, "a_number");
        assert_int_equal(name_only, (t->noise & CUST_GEN_NOISE_NAME_ONLY) != 0);
        assert_string_equal(sget(sub, "first_name"), b->first);
        if (t->noise & (CUST_GEN_NOISE_SPELLING | CUST_GEN_NOISE_ACCENT))
            assert_string_not_equal(sget(sub, "last_name"), b->last);
        else
            assert_string_equal(sget(sub, "last_name"), b->last);
        const char *dob = sget(sub, "dob");
        if (t->noise & CUST_GEN_NOISE_DOB_SWAP) {
            assert_string_not_equal(dob, b->dob);
            assert_memory_equal(dob, b->dob, 5);
            assert_memory_equal(dob + 5, b->dob + 8, 2);
            assert_memory_equal(dob + 8, b->dob + 5, 2);
        } else {
            assert_string_equal(dob, b->dob);
        }
        json_decref(v);
    }
    assert_true(subjects + 3 >= n); /* all but the population requests */
    /* ICE sends a few detainers on recorded citizens; most are on non-citizens or unknown. */
    assert_true(citizens >= 1);
    assert_true(citizens * 100 < detainers * 6);
    assert_int_equal(seen_noise, CUST_GEN_NOISE_NAME_ONLY | CUST_GEN_NOISE_SPELLING |
                                     CUST_GEN_NOISE_ACCENT | CUST_GEN_NOISE_DOB_SWAP);
}

static void test_subjects_in_custody(void **state)
{
    struct state *s = *state;
    check_subjects(s->small, &s->county);
    check_subjects(s->big, &s->big_county);
}

static size_t count_kind(const struct cust_gen_requests *rq, const char *kind)
{
    size_t k = 0;
    for (size_t i = 0; i < cust_gen_requests_count(rq); i++) {
        json_t *v = load(rq, i);
        k += strcmp(sget(v, "kind"), kind) == 0;
        json_decref(v);
    }
    return k;
}

#define assert_between(v, lo, hi)                                                                  \
    do {                                                                                           \
        size_t v_ = (v);                                                                           \
        if (v_ < (size_t)(lo) || v_ > (size_t)(hi))                                                \
            fail_msg("%s = %zu, expected %d..%d", #v, v_, (int)(lo), (int)(hi));                   \
    } while (0)

static void test_volumes(void **state)
{
    struct state *s = *state;
    /* Two years at the default scale: 995 detainers a year (LA County, 2024). */
    assert_between(count_kind(s->big, "detainer"), 1910, 2070);
    assert_between(count_kind(s->big, "notification_request"), 540, 660);
    assert_between(count_kind(s->big, "interview_request"), 60, 100);
    assert_between(count_kind(s->big, "transfer_request"), 4, 20);
    assert_between(count_kind(s->big, "administrative_warrant"), 14, 36);
    assert_between(count_kind(s->big, "judicial_warrant"), 80, 125);
    assert_between(count_kind(s->big, "judicial_probable_cause"), 1, 4);
    assert_int_equal(count_kind(s->big, "information_request"), 1);
    assert_int_equal(count_kind(s->big, "administrative_subpoena"), 1);
    assert_int_equal(count_kind(s->big, "court_order"), 1);
    /* A tenth of the county, a tenth of the detainers. */
    assert_between(count_kind(s->small, "detainer"), 170, 230);

    /* Most detainers carry an I-200 or I-205; names and ids as the desk will see them. */
    size_t n = cust_gen_requests_count(s->big), det = 0, with_warrant = 0, noisy[4] = {0};
    for (size_t i = 0; i < n; i++) {
        const struct cust_gen_request_truth *t = cust_gen_requests_truth(s->big, i);
        for (int k = 0; k < 4; k++)
            noisy[k] += (t->noise >> k) & 1;
        json_t *v = load(s->big, i);
        if (strcmp(sget(v, "kind"), "detainer") == 0) {
            det++;
            json_t *docs = json_object_get(v, "documents");
            assert_string_equal(sget(v, "form"), "I-247A");
            assert_int_equal(json_array_size(json_object_get(v, "asks")), 2);
            if (json_array_size(docs) == 2)
                with_warrant++;
        }
        json_decref(v);
    }
    assert_true(with_warrant * 100 > det * 80);
    assert_between(noisy[0], 150, 400); /* name and dob only */
    assert_true(noisy[1] > 30 && noisy[2] > 15 && noisy[3] > 15);
}

static void test_doj_letter_and_subpoena(void **state)
{
    struct state *s = *state;
    json_error_t e;
    json_t *want_scope =
        json_loads("{\"population\":\"in_custody\",\"citizenship\":\"non_citizen\","
                   "\"as_of\":\"2025-07-17\"}",
                   0, &e);
    json_t *want_items =
        json_loads("[\"booking_facts\",\"charges\",\"convictions\",\"release_date\"]", 0, &e);
    int letters = 0, subpoenas = 0;
    int64_t letter_t = 0;
    for (size_t i = 0; i < cust_gen_requests_count(s->big); i++) {
        json_t *v = load(s->big, i);
        const char *kind = sget(v, "kind");
        if (strcmp(kind, "information_request") == 0) {
            letters++;
            const char *at = sget(v, "received_at");
            assert_int_equal(strncmp(at, "2025-07-17T", 11), 0);
            assert_string_equal(at + 19, "-07:00");
            assert_string_equal(sget(v, "due"), "2025-08-16");
            assert_true(json_equal(json_object_get(v, "scope"), want_scope));
            assert_true(json_equal(json_object_get(v, "items"), want_items));
            assert_true(json_is_null(json_object_get(v, "subject")));
            json_t *req = json_object_get(v, "requester");
            assert_string_equal(sget(req, "agency"), "U.S. Department of Justice");
            assert_string_equal(sget(req, "office"), "Office of the Deputy Attorney General");
            json_t *doc = json_array_get(json_object_get(v, "documents"), 0);
            assert_non_null(sget(doc, "content_base64"));
            struct cust_request r;
            struct cust_diag diag = CUST_DIAG_INIT;
            assert_int_equal(cust_request_parse(v, &r, &diag), CUST_OK);
            assert_int_equal(r.ndocuments, 1);
            assert_non_null(r.documents[0].content);
            char *text =
                cust_xstrndup((const char *)r.documents[0].content, r.documents[0].content_len);
            assert_non_null(strstr(text, "within 30 days"));
            free(text);
            assert_int_equal(r.items, CUST_ITEM_BOOKING_FACTS | CUST_ITEM_CHARGES |
                                          CUST_ITEM_CONVICTIONS | CUST_ITEM_RELEASE_DATE);
            letter_t = r.received_at;
            cust_request_release(&r);
            cust_diag_release(&diag);
        } else if (strcmp(kind, "administrative_subpoena") == 0) {
            subpoenas++;
            struct cust_request r;
            struct cust_diag diag = CUST_DIAG_INIT;
            assert_int_equal(cust_request_parse(v, &r, &diag), CUST_OK);
            assert_true(r.received_at > letter_t && letter_t > 0);
            assert_true(r.items & CUST_ITEM_RELEASE_DATE);
            assert_true(r.items & CUST_ITEM_HOME_ADDRESS);
            assert_true(r.has_scope && r.has_due);
            assert_non_null(strstr(r.note, "1225(d)(4)"));
            assert_non_null(r.documents[0].content);
            cust_request_release(&r);
            cust_diag_release(&diag);
        }
        json_decref(v);
    }
    assert_int_equal(letters, 1);
    assert_int_equal(subpoenas, 1);
    json_decref(want_scope);
    json_decref(want_items);

    /* A window that ends before 2025-07-17 has neither. */
    struct cust_gen_requests *early = make(1, 2000, cust_days_from_civil(2025, 6, 30));
    assert_int_equal(count_kind(early, "information_request"), 0);
    assert_int_equal(count_kind(early, "administrative_subpoena"), 0);
    assert_true(count_kind(early, "detainer") > 5);
    cust_gen_requests_free(early);
}

static void test_judicial_mid_2025(void **state)
{
    struct state *s = *state;
    size_t months[24] = {0}; /* 2024-11 .. 2026-10 */
    int32_t start = cust_days_from_civil(2024, 11, 1);
    for (size_t i = 0; i < cust_gen_requests_count(s->big); i++) {
        json_t *v = load(s->big, i);
        if (strcmp(sget(v, "kind"), "judicial_warrant") == 0) {
            const char *agency = sget(json_object_get(v, "requester"), "agency");
            assert_true(strcmp(agency, "U.S. District Court") == 0 ||
                        strcmp(agency, "U.S. Marshals Service") == 0);
            assert_string_equal(sget(v, "form"), "AO 442");
            int32_t day;
            char d[11];
            memcpy(d, sget(v, "received_at"), 10);
            d[10] = '\0';
            assert_true(cust_date_parse(d, &day));
            assert_true(day >= start);
            int y;
            unsigned m, dd;
            cust_civil_from_days(day, &y, &m, &dd);
            months[(y - 2024) * 12 + (int)m - 11]++;
        }
        json_decref(v);
    }
    size_t mid = 0, other = 0;
    for (int k = 0; k < 24; k++) {
        bool summer = k >= 6 && k <= 9; /* 2025-05 .. 2025-08 */
        if (summer) {
            assert_between(months[k], 5, 16);
            mid += months[k];
        } else {
            other += months[k];
        }
    }
    /* about 10 a month in May-August 2025, fewer otherwise */
    assert_true(mid / 4.0 > 2.0 * (other / 20.0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deterministic),           cmocka_unit_test(test_all_valid),
        cmocka_unit_test(test_subjects_in_custody),     cmocka_unit_test(test_volumes),
        cmocka_unit_test(test_doj_letter_and_subpoena), cmocka_unit_test(test_judicial_mid_2025),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
