/*
 * Unit tests for src/gen: the CSV reader, the LA clock, determinism, a validator of every line
 * against the custody JSON Lines rules (jansson), proportions, and the standing population at
 * the default scale.
 */
#include "custodian/compat.h"
#include "custodian/buf.h"
#include "custodian/date.h"
#include "custodian/gen.h"
#include "custodian/release.h"

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

static char *generate(uint64_t seed, int64_t bookings, size_t *len)
{
    struct cust_gen_opts o = CUST_GEN_OPTS_INIT;
    o.seed = seed;
    o.bookings = bookings;
    struct cust_gen *g;
    struct cust_err err = CUST_ERR_INIT;
    if (cust_gen_new(&o, &g, &err) != CUST_OK)
        fail_msg("cust_gen_new: %s", err.msg);
    struct cust_buf b = CUST_BUF_INIT;
    bool done = false;
    while (!done)
        assert_int_equal(cust_gen_next(g, &b, &done), CUST_OK);
    cust_gen_free(g);
    return cust_buf_detach(&b, len);
}

/* ---- small pieces -------------------------------------------------------------------- */

static void test_csv_split(void **state)
{
    (void)state;
    char scratch[256];
    char *f[8];
    const char *line = "PC 1,\"a, b\",\"say \"\"hi\"\"\",,x";
    assert_int_equal(cust_gen_csv_split(line, scratch, f, 8), 5);
    assert_string_equal(f[0], "PC 1");
    assert_string_equal(f[1], "a, b");
    assert_string_equal(f[2], "say \"hi\"");
    assert_string_equal(f[3], "");
    assert_string_equal(f[4], "x");
    assert_int_equal(cust_gen_csv_split("a,\"unterminated", scratch, f, 8), -1);
    assert_int_equal(cust_gen_csv_split("\"a\"b,c", scratch, f, 8), -1);
    assert_int_equal(cust_gen_csv_split("a,b,c", scratch, f, 2), -1);
    assert_int_equal(cust_gen_csv_split("", scratch, f, 2), 1);
    assert_int_equal(cust_gen_csv_split("a,", scratch, f, 4), 2);
    assert_string_equal(f[1], "");
}

static void test_la_offset(void **state)
{
    (void)state;
    /* 2026: PDT from Sunday 8 March 10:00 UTC to Sunday 1 November 09:00 UTC. */
    int64_t mar8 = (int64_t)cust_days_from_civil(2026, 3, 8) * 86400;
    int64_t nov1 = (int64_t)cust_days_from_civil(2026, 11, 1) * 86400;
    assert_int_equal(cust_gen_la_offset(mar8 + 10 * 3600 - 1), -480);
    assert_int_equal(cust_gen_la_offset(mar8 + 10 * 3600), -420);
    assert_int_equal(cust_gen_la_offset(nov1 + 9 * 3600 - 1), -420);
    assert_int_equal(cust_gen_la_offset(nov1 + 9 * 3600), -480);
    assert_int_equal(cust_gen_la_offset((int64_t)cust_days_from_civil(2025, 7, 4) * 86400), -420);
    assert_int_equal(cust_gen_la_offset((int64_t)cust_days_from_civil(2025, 1, 15) * 86400), -480);
}

static void test_offense_table(void **state)
{
    (void)state;
    struct cust_gen_opts o = CUST_GEN_OPTS_INIT;
    struct cust_gen *g;
    assert_int_equal(cust_gen_new(&o, &g, NULL), CUST_OK);
    assert_int_equal(cust_gen_offense_count(g), 171);
    bool saw_11350 = false, saw_quoted = false, saw_wobbler = false;
    for (size_t i = 0; i < cust_gen_offense_count(g); i++) {
        const struct cust_gen_offense *off = cust_gen_offense_at(g, i);
        if (strcmp(off->code, "HS 11350(a)") == 0) {
            saw_11350 = true;
            assert_true(off->prop47);
            assert_string_equal(off->level, "misdemeanor");
            assert_int_equal(off->weight, 20);
        }
        if (strcmp(off->code, "PC 187(a)") == 0) {
            assert_true(off->serious && off->violent);
            assert_false(off->prop47);
        }
        if (strcmp(off->code, "PC 245(a)(1)") == 0) {
            saw_wobbler = true;
            assert_string_equal(off->level, "wobbler");
        }
        if (strchr(off->description, ',')) /* a quoted field with a comma */
            saw_quoted = true;
        assert_null(strpbrk(off->description, "abcdefghijklmnopqrstuvwxyz"));
    }
    assert_true(saw_11350 && saw_quoted && saw_wobbler);
    assert_null(cust_gen_offense_at(g, 171));
    cust_gen_free(g);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_bad_options_and_tables(void **state)
{
    (void)state;
    struct cust_gen_opts o = CUST_GEN_OPTS_INIT;
    struct cust_gen *g;
    struct cust_err err = CUST_ERR_INIT;
    o.bookings = 0;
    assert_int_equal(cust_gen_new(&o, &g, &err), CUST_EINVAL);
    assert_null(g);
    o.bookings = 10;
    o.policies_dir = "/nonexistent/policies";
    assert_int_equal(cust_gen_new(&o, &g, &err), CUST_EIO);
    assert_non_null(strstr(err.msg, "common-offenses.csv"));

    char dir[] = "/tmp/cust-gen-test.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char tables[128], common[160], prop[160];
    snprintf(tables, sizeof(tables), "%s/tables", dir);
    snprintf(common, sizeof(common), "%s/common-offenses.csv", tables);
    snprintf(prop, sizeof(prop), "%s/prop47-offenses.csv", tables);
    assert_int_equal(mkdir(tables, 0700), 0);
    static const char header[] = "statute_code,description,level,serious,violent,wobbler,"
                                 "trust_act_category,frequency_hint,notes\n";
    char text[1024];
    snprintf(text, sizeof(text),
             "%sPC 1,\"A, b\",felony,no,no,no,,low,x\nPC 2,c,bogus,no,no,no,,low,\n", header);
    write_file(common, text);
    write_file(prop, "statute_code,description,notes\n");
    o.policies_dir = dir;
    assert_int_equal(cust_gen_new(&o, &g, &err), CUST_EINVAL);
    assert_non_null(strstr(err.msg, ":3: level"));
    snprintf(text, sizeof(text), "%sPC 1,\"unterminated,felony,no,no,no,,low,x\n", header);
    write_file(common, text);
    assert_int_equal(cust_gen_new(&o, &g, &err), CUST_EINVAL);
    assert_non_null(strstr(err.msg, ":2: malformed"));
    write_file(common, "code,description\nPC 1,x\n");
    assert_int_equal(cust_gen_new(&o, &g, &err), CUST_EINVAL);
    assert_non_null(strstr(err.msg, ":1: column 1"));
    /* A valid small table works. */
    snprintf(text, sizeof(text),
             "%sPC 211,Robbery,felony,yes,yes,no,,medium,\nPC 484(a)/488,\"Petty theft, "
             "$950\",misdemeanor,no,no,no,,high,\n",
             header);
    write_file(common, text);
    assert_int_equal(cust_gen_new(&o, &g, &err), CUST_OK);
    assert_int_equal(cust_gen_offense_count(g), 2);
    assert_string_equal(cust_gen_offense_at(g, 1)->description, "PETTY THEFT, $950");
    cust_gen_free(g);
    unlink(common);
    unlink(prop);
    rmdir(tables);
    rmdir(dir);
}

static void test_deterministic(void **state)
{
    (void)state;
    size_t la, lb, lc;
    char *a = generate(42, 3000, &la);
    char *b = generate(42, 3000, &lb);
    char *c = generate(43, 3000, &lc);
    assert_int_equal(la, lb);
    assert_memory_equal(a, b, la);
    assert_true(la != lc || memcmp(a, c, la) != 0);
    free(a);
    free(b);
    free(c);
}

/* ---- the validator ------------------------------------------------------------------- */

struct stats {
    size_t lines, in_custody, sentenced, disagree, public_release, partial_dob, aliases;
    size_t cit[3], imm_null, imm[4], sex_m;
    size_t charges, felony, misdemeanor, hold, pending, convicted, dismissed, acquitted, held;
    size_t wobbler_felony, wobbler_misd, priors, prior_felony_pre47;
    size_t persons, repeat_persons;
};

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond))                                                                               \
            fail_msg(__VA_ARGS__);                                                                 \
    } while (0)

static const char *str_or_null(json_t *o, const char *key, size_t line)
{
    json_t *v = json_object_get(o, key);
    CHECK(v != NULL, "line %zu: %s: missing", line, key);
    CHECK(json_is_string(v) || json_is_null(v), "line %zu: %s: not a string or null", line, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static const char *str_req(json_t *o, const char *key, size_t line)
{
    const char *s = str_or_null(o, key, line);
    CHECK(s && *s, "line %zu: %s: required", line, key);
    return s;
}

static bool in_set(const char *s, const char *const *set)
{
    for (; *set; set++)
        if (strcmp(s, *set) == 0)
            return true;
    return false;
}

static void check_time(const char *s, size_t line, const char *key, int64_t *t)
{
    int off;
    CHECK(cust_time_parse(s, t, &off), "line %zu: %s: not RFC 3339: %s", line, key, s);
    CHECK(off == cust_gen_la_offset(*t), "line %zu: %s: wrong LA offset %d: %s", line, key, off, s);
    CHECK(strlen(s) == 25, "line %zu: %s: unexpected form %s", line, key, s);
}

static void check_date(const char *s, size_t line, const char *key, int32_t *d)
{
    CHECK(s && cust_date_parse(s, d), "line %zu: %s: not YYYY-MM-DD: %s", line, key,
          s ? s : "null");
}

struct person_seen {
    char *id, *name, *dob;
};

static int cmp_seen(const void *a, const void *b)
{
    return strcmp(((const struct person_seen *)a)->id, ((const struct person_seen *)b)->id);
}

static void validate(const char *text, size_t len, struct stats *st)
{
    static const char *const levels[] = {"felony", "misdemeanor", "infraction", NULL};
    static const char *const cstat[] = {"pending",   "convicted", "dismissed",
                                        "acquitted", "hold",      NULL};
    static const char *const cits[] = {"citizen", "non_citizen", "unknown", NULL};
    static const char *const sources[] = {"self_reported",  "consular_notification", "document",
                                          "federal_record", "court_record",          NULL};
    static const char *const imms[] = {"permanent_resident", "visa_holder", "undocumented",
                                       "unknown", NULL};
    memset(st, 0, sizeof(*st));
    size_t seen_alloc = 1024, nseen = 0;
    struct person_seen *seen = malloc(seen_alloc * sizeof(*seen));
    const char *p = text, *end = text + len;
    int64_t prev_booked = INT64_MIN;
    long long prev_no = -1;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        CHECK(nl != NULL, "last line not newline-terminated");
        size_t line = ++st->lines;
        json_error_t jerr;
        json_t *b = json_loadb(p, (size_t)(nl - p), 0, &jerr);
        CHECK(b && json_is_object(b), "line %zu: invalid JSON: %s", line, jerr.text);
        p = nl + 1;

        const char *bn = str_req(b, "booking_number", line);
        long long no = strtoll(bn, NULL, 10);
        CHECK(no > prev_no, "line %zu: booking_number not increasing", line);
        prev_no = no;
        int64_t booked, released = 0;
        check_time(str_req(b, "booked_at", line), line, "booked_at", &booked);
        CHECK(booked >= prev_booked, "line %zu: bookings out of order", line);
        prev_booked = booked;
        str_req(b, "facility", line);
        str_req(b, "housing", line);
        str_req(b, "arresting_agency", line);
        int32_t booked_day = cust_time_local_day(booked, cust_gen_la_offset(booked));

        json_t *per = json_object_get(b, "person");
        CHECK(json_is_object(per), "line %zu: person: not an object", line);
        const char *pid = str_req(per, "person_id", line);
        const char *last = str_req(per, "last_name", line);
        str_req(per, "first_name", line);
        str_or_null(per, "middle_name", line);
        const char *dob = str_req(per, "dob", line);
        struct cust_date dd;
        CHECK(cust_date_parse_partial(dob, &dd), "line %zu: person.dob: bad %s", line, dob);
        CHECK(booked_day - dd.day >= 18 * 365, "line %zu: person.dob: under 18 at booking", line);
        st->partial_dob += dd.precision != CUST_DATE_DAY;
        const char *sex = str_req(per, "sex", line);
        st->sex_m += strcmp(sex, "M") == 0;
        json_t *al = json_object_get(per, "aliases");
        CHECK(json_is_array(al), "line %zu: person.aliases: not an array", line);
        st->aliases += json_array_size(al) > 0;
        for (size_t i = 0; i < json_array_size(al); i++) {
            json_t *a = json_array_get(al, i);
            str_req(a, "last_name", line);
            str_req(a, "first_name", line);
            CHECK(cust_date_parse_partial(str_req(a, "dob", line), &dd), "line %zu: alias dob",
                  line);
        }
        json_t *ids = json_object_get(per, "ids");
        CHECK(json_is_object(ids), "line %zu: person.ids", line);
        const char *cii = str_or_null(ids, "cii", line);
        CHECK(!cii || (strlen(cii) == 9 && cii[0] == 'A'), "line %zu: ids.cii format", line);
        const char *fbi = str_or_null(ids, "fbi", line);
        CHECK(!fbi || strlen(fbi) == 9, "line %zu: ids.fbi format", line);
        str_or_null(ids, "sid", line);
        const char *an = str_or_null(ids, "a_number", line);
        CHECK(!an || (strlen(an) == 10 && an[0] == 'A'), "line %zu: ids.a_number format", line);
        str_or_null(per, "place_of_birth", line);
        json_t *cz = json_object_get(per, "citizenship");
        CHECK(json_is_object(cz), "line %zu: person.citizenship", line);
        const char *cs = str_req(cz, "status", line);
        CHECK(in_set(cs, cits), "line %zu: citizenship.status %s", line, cs);
        CHECK(in_set(str_req(cz, "source", line), sources), "line %zu: citizenship.source", line);
        CHECK(json_is_boolean(json_object_get(cz, "verified")), "line %zu: verified", line);
        int32_t rec;
        check_date(str_or_null(cz, "recorded_at", line), line, "citizenship.recorded_at", &rec);
        const char *country = str_or_null(cz, "country", line);
        const char *imm = str_or_null(per, "immigration_status", line);
        if (strcmp(cs, "citizen") == 0) {
            st->cit[0]++;
            CHECK(imm == NULL, "line %zu: immigration_status set for a citizen", line);
            CHECK(country && strcmp(country, "US") == 0, "line %zu: citizen country", line);
        } else {
            st->cit[strcmp(cs, "non_citizen") == 0 ? 1 : 2]++;
            CHECK(imm && in_set(imm, imms), "line %zu: immigration_status", line);
            CHECK(!an || strcmp(cs, "non_citizen") == 0, "line %zu: a_number for non-non-citizen",
                  line);
        }
        if (!imm)
            st->imm_null++;
        else
            for (int i = 0; imms[i]; i++)
                st->imm[i] += strcmp(imm, imms[i]) == 0;
        CHECK(json_is_boolean(json_object_get(per, "sex_arson_registrant")), "line %zu: registrant",
              line);
        str_or_null(per, "home_address", line);

        /* The same person_id always carries the same name and date of birth. */
        if (nseen == seen_alloc) {
            seen_alloc *= 2;
            seen = realloc(seen, seen_alloc * sizeof(*seen));
        }
        seen[nseen].id = strdup(pid);
        seen[nseen].name = strdup(last);
        seen[nseen].dob = strdup(dob);
        nseen++;

        json_t *ch = json_object_get(b, "charges");
        CHECK(json_is_array(ch) && json_array_size(ch) > 0, "line %zu: charges", line);
        for (size_t i = 0; i < json_array_size(ch); i++) {
            json_t *c = json_array_get(ch, i);
            st->charges++;
            const char *code = str_req(c, "code", line);
            str_req(c, "description", line);
            const char *lv = str_req(c, "level", line);
            CHECK(in_set(lv, levels), "line %zu: charges[%zu].level %s", line, i, lv);
            const char *s = str_req(c, "status", line);
            CHECK(in_set(s, cstat), "line %zu: charges[%zu].status %s", line, i, s);
            st->felony += strcmp(lv, "felony") == 0;
            st->misdemeanor += strcmp(lv, "misdemeanor") == 0;
            st->hold += strcmp(s, "hold") == 0;
            st->pending += strcmp(s, "pending") == 0;
            st->convicted += strcmp(s, "convicted") == 0;
            st->dismissed += strcmp(s, "dismissed") == 0;
            st->acquitted += strcmp(s, "acquitted") == 0;
            if (strcmp(code, "PC 245(a)(1)") == 0) {
                st->wobbler_felony += strcmp(lv, "felony") == 0;
                st->wobbler_misd += strcmp(lv, "misdemeanor") == 0;
            }
            json_t *h = json_object_get(c, "held_to_answer");
            CHECK(json_is_boolean(h), "line %zu: held_to_answer", line);
            if (json_is_true(h)) {
                st->held++;
                CHECK(strcmp(lv, "felony") == 0, "line %zu: held to answer on a non-felony", line);
            }
            str_or_null(c, "case_number", line);
            str_or_null(c, "court", line);
            const char *ncd = str_or_null(c, "next_court_date", line);
            int32_t d;
            if (ncd)
                check_date(ncd, line, "next_court_date", &d);
            json_t *bail = json_object_get(c, "bail_cents");
            CHECK(json_is_null(bail) || (json_is_integer(bail) && json_integer_value(bail) >= 0),
                  "line %zu: bail_cents", line);
        }
        json_t *pr = json_object_get(b, "prior_convictions");
        CHECK(json_is_array(pr), "line %zu: prior_convictions", line);
        int32_t prev_prior = INT32_MIN;
        for (size_t i = 0; i < json_array_size(pr); i++) {
            json_t *c = json_array_get(pr, i);
            int32_t d;
            str_req(c, "code", line);
            const char *lv = str_req(c, "level", line);
            CHECK(in_set(lv, levels), "line %zu: prior level", line);
            check_date(str_or_null(c, "date", line), line, "prior date", &d);
            CHECK(d < booked_day, "line %zu: prior conviction after the booking", line);
            CHECK(d >= prev_prior, "line %zu: prior convictions out of date order", line);
            prev_prior = d;
            CHECK(d >= dd.day, "line %zu: prior conviction before birth", line);
            str_req(c, "jurisdiction", line);
            st->priors++;
            const char *code = json_string_value(json_object_get(c, "code"));
            if (strncmp(code, "HS 11350", 8) == 0 && strcmp(lv, "felony") == 0 &&
                d < cust_days_from_civil(2014, 11, 5))
                st->prior_felony_pre47++;
        }
        json_t *sen = json_object_get(b, "sentence");
        const char *sched = str_or_null(b, "scheduled_release", line);
        if (json_is_object(sen)) {
            st->sentenced++;
            struct cust_sentence s;
            json_t *t = json_object_get(sen, "term_days"),
                   *pc = json_object_get(sen, "presentence_custody_days");
            CHECK(json_is_integer(t) && json_is_integer(pc), "line %zu: sentence fields", line);
            check_date(json_string_value(json_object_get(sen, "imposed_on")), line, "imposed_on",
                       &s.imposed_on);
            s.term_days = (int32_t)json_integer_value(t);
            s.presentence_custody_days = (int32_t)json_integer_value(pc);
            CHECK(s.imposed_on >= booked_day, "line %zu: sentenced before booking", line);
            struct cust_release_calc calc;
            CHECK(cust_release_compute(&s, &calc, NULL) == CUST_OK, "line %zu: sentence invalid",
                  line);
            int32_t sd;
            check_date(sched, line, "scheduled_release", &sd);
            st->disagree += sd != calc.release_day;
        } else {
            CHECK(json_is_null(sen), "line %zu: sentence: not an object or null", line);
            CHECK(sched == NULL, "line %zu: scheduled_release without a sentence", line);
        }
        json_t *pub = json_object_get(b, "release_date_public");
        CHECK(json_is_boolean(pub), "line %zu: release_date_public", line);
        st->public_release += json_is_true(pub);
        const char *rel = str_or_null(b, "released_at", line);
        const char *why = str_or_null(b, "release_reason", line);
        CHECK((rel == NULL) == (why == NULL), "line %zu: released_at vs release_reason", line);
        if (rel) {
            check_time(rel, line, "released_at", &released);
            CHECK(released > booked, "line %zu: released before booked", line);
        } else {
            st->in_custody++;
        }
        json_decref(b);
    }
    qsort(seen, nseen, sizeof(*seen), cmp_seen);
    for (size_t i = 0; i < nseen; i++) {
        if (i == 0 || strcmp(seen[i].id, seen[i - 1].id) != 0) {
            st->persons++;
            if (i + 1 < nseen && strcmp(seen[i].id, seen[i + 1].id) == 0)
                st->repeat_persons++;
        } else {
            CHECK(strcmp(seen[i].name, seen[i - 1].name) == 0 &&
                      strcmp(seen[i].dob, seen[i - 1].dob) == 0,
                  "person %s: name or dob differ between bookings", seen[i].id);
        }
    }
    for (size_t i = 0; i < nseen; i++) {
        free(seen[i].id);
        free(seen[i].name);
        free(seen[i].dob);
    }
    free(seen);
}

static void assert_share(size_t part, size_t whole, double lo, double hi, const char *what)
{
    double s = whole ? (double)part / (double)whole : 0;
    if (s < lo || s > hi)
        fail_msg("%s: share %.4f outside [%.4f, %.4f] (%zu / %zu)", what, s, lo, hi, part, whole);
}

static void test_valid_and_proportions(void **state)
{
    (void)state;
    size_t len;
    char *text = generate(7, 20000, &len);
    struct stats st;
    validate(text, len, &st);
    free(text);
    print_message(
        "lines %zu persons %zu (repeat %zu) cit %zu/%zu/%zu imm pr %zu visa %zu undoc %zu "
        "unk %zu sentenced %zu disagree %zu holds %zu/%zu held %zu in custody %zu\n",
        st.lines, st.persons, st.repeat_persons, st.cit[0], st.cit[1], st.cit[2], st.imm[0],
        st.imm[1], st.imm[2], st.imm[3], st.sentenced, st.disagree, st.hold, st.charges, st.held,
        st.in_custody);
    /* 20,000 in the window plus the standing population carried in (about 6.5 %). */
    assert_true(st.lines > 20000 && st.lines < 22000);
    /* Citizenship: mostly citizens; non-citizens split; some unknown. */
    assert_share(st.cit[0], st.lines, 0.76, 0.86, "citizens");
    assert_share(st.cit[1], st.lines, 0.10, 0.18, "non-citizens");
    assert_share(st.cit[2], st.lines, 0.03, 0.08, "citizenship unknown");
    assert_share(st.imm[0], st.cit[1] + st.cit[2], 0.20, 0.35, "permanent residents");
    assert_share(st.imm[1], st.cit[1] + st.cit[2], 0.03, 0.10, "visa holders");
    assert_share(st.imm[2], st.cit[1] + st.cit[2], 0.35, 0.55, "undocumented");
    assert_share(st.sex_m, st.lines, 0.80, 0.88, "men");
    /* Recidivism: a fair share of persons have several bookings. */
    assert_share(st.repeat_persons, st.persons, 0.15, 0.45, "persons with several bookings");
    assert_share(st.sentenced, st.lines, 0.12, 0.25, "sentenced");
    assert_share(st.disagree, st.sentenced, 0.01, 0.06, "scheduled_release disagreements");
    assert_share(st.public_release, st.lines, 0.01, 0.08, "release_date_public");
    assert_share(st.aliases, st.lines, 0.10, 0.25, "aliases");
    assert_true(st.partial_dob > 0);
    assert_share(st.partial_dob, st.lines, 0.002, 0.02, "partial dob");
    assert_share(st.hold, st.charges, 0.05, 0.25, "holds");
    assert_true(st.pending > 0 && st.convicted > 0 && st.dismissed > 0 && st.acquitted > 0);
    assert_true(st.held > 0);
    assert_true(st.wobbler_felony > 0 && st.wobbler_misd > 0);
    assert_true(st.wobbler_felony > st.wobbler_misd);
    assert_true(st.priors > st.lines / 2);
    assert_true(st.prior_felony_pre47 > 0); /* old Prop 47 drug felonies */
    /* The in-custody share at the end: 13,000 of ~213,000 lines at default scale. */
    assert_share(st.in_custody, st.lines, 0.045, 0.08, "in custody at the end");
}

/* In custody on day D at local noon, from booked_at / released_at found by string search. */
static void test_default_scale_population(void **state)
{
    (void)state;
    size_t len;
    char *text = generate(1, CUST_GEN_DEFAULT_BOOKINGS, &len);
    static const char *const days[] = {"2024-11-15", "2025-06-01", "2026-01-15", "2026-10-30"};
    int64_t at[4];
    size_t count[4] = {0};
    for (int i = 0; i < 4; i++) {
        int32_t d;
        assert_true(cust_date_parse(days[i], &d));
        at[i] = (int64_t)d * 86400 + 20 * 3600; /* noon PST/PDT, close enough */
    }
    size_t lines = 0;
    for (char *p = text; p < text + len;) {
        char *nl = strchr(p, '\n');
        *nl = '\0';
        lines++;
        char *b = strstr(p, "\"booked_at\":\"");
        char *r = strstr(p, "\"released_at\":");
        assert_non_null(b);
        assert_non_null(r);
        char tb[26], tr[26];
        snprintf(tb, sizeof(tb), "%.25s", b + 13);
        int64_t booked, released = INT64_MAX;
        int off;
        assert_true(cust_time_parse(tb, &booked, &off));
        if (r[14] == '"') {
            snprintf(tr, sizeof(tr), "%.25s", r + 15);
            assert_true(cust_time_parse(tr, &released, &off));
        }
        for (int i = 0; i < 4; i++)
            count[i] += booked <= at[i] && released > at[i];
        p = nl + 1;
    }
    free(text);
    assert_true(lines > 200000 && lines < 220000);
    for (int i = 0; i < 4; i++) {
        print_message("in custody on %s: %zu\n", days[i], count[i]);
        assert_in_range(count[i], 11050, 14950); /* 13,000 +- 15 % */
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_split),
        cmocka_unit_test(test_la_offset),
        cmocka_unit_test(test_offense_table),
        cmocka_unit_test(test_bad_options_and_tables),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_valid_and_proportions),
        cmocka_unit_test(test_default_scale_population),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
