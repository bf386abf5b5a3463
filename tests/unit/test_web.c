/* Unit tests for the web module's store side and wiring: the locator's public search over
 * public_bookings, accounts and sessions (atomic failure/success updates), the auth backend
 * over the store (login with TOTP, replay, lockout), the expiry timer, and the route table. */
#include "custodian/compat.h"
#include "custodian/config.h"
#include "custodian/date.h"
#include "custodian/desk.h"
#include "custodian/ledger.h"
#include "custodian/records.h"
#include "custodian/store_accounts.h"
#include "custodian/web.h"

#include <setjmp.h>
#include <stdarg.h>
#include <unistd.h>
#include <cmocka.h>

/* An account row is written in a transaction with the ledger entry that commits it. */
static enum cust_status user_put(struct cust_store *s, const struct cust_user *u,
                                 struct cust_err *err)
{
    enum cust_status st = cust_store_begin(s, err);
    if (st != CUST_OK)
        return st;
    struct cust_ledger_entry e = {"tester", "test", "account", "user", u->name, "ok", "", NULL};
    st = cust_auth_store_user_put(s, u, err);
    if (st == CUST_OK)
        st = cust_ledger_append(s, &e, err);
    if (st == CUST_OK)
        return cust_store_commit(s, err);
    cust_store_rollback(s);
    return st;
}

struct fx {
    char path[64], jsonl[64], key[72];
    struct cust_store *s;
};

static void unlink_db(const char *path)
{
    char p[96];
    unlink(path);
    snprintf(p, sizeof(p), "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof(p), "%s-shm", path);
    unlink(p);
    snprintf(p, sizeof(p), "%s.audit-spool", path); /* the staff server's (web.c) */
    unlink(p);
}

static void booking_dob(FILE *f, const char *number, const char *person, int64_t booked,
                        const char *last, const char *first, const char *dob, bool released,
                        bool release_public)
{
    char at[32];
    cust_time_format(booked, 0, true, at);
    fprintf(f,
            "{\"booking_number\":\"%s\",\"booked_at\":\"%s\",\"facility\":\"North\","
            "\"arresting_agency\":\"Sheriff\",\"person\":{\"person_id\":\"P%s\",\"last_name\":"
            "\"%s\",\"first_name\":\"%s\",\"dob\":\"%s\",\"home_address\":\"1 Secret "
            "Way\",\"ids\":{\"cii\":\"C%s\"}},\"charges\":[{\"code\":\"PC 459\",\"status\":"
            "\"pending\",\"bail_cents\":100}],\"scheduled_release\":\"2031-01-01\","
            "\"release_date_public\":%s,\"released_at\":%s}\n",
            number, at, person, last, first, dob, number, release_public ? "true" : "false",
            released ? "\"2020-01-02T00:00:00Z\"" : "null");
}

static void booking(FILE *f, const char *number, int64_t booked, const char *last,
                    const char *first, bool released, bool release_public)
{
    char person[16];
    snprintf(person, sizeof(person), "P%s", number);
    booking_dob(f, number, person, booked, last, first, "1970-01-01", released, release_public);
}

static int setup(void **state)
{
    struct fx *f = cust_xcalloc(1, sizeof(*f));
    snprintf(f->path, sizeof(f->path), "/tmp/cust-web-test.%ld.db", (long)getpid());
    snprintf(f->jsonl, sizeof(f->jsonl), "/tmp/cust-web-test.%ld.jsonl", (long)getpid());
    snprintf(f->key, sizeof(f->key), "%s.key", f->path);
    unlink_db(f->path);
    unlink(f->key);
    FILE *j = fopen(f->jsonl, "w");
    assert_non_null(j);
    int64_t now = cust_now();
    booking(j, "100", now - 5 * 3600, "ALVAREZ", "ANA", false, false);
    booking(j, "101", now - 5 * 3600, "ALVAREZ", "BEN", false, true);
    booking(j, "102", now - 5 * 3600, "ALVAREZ", "BELLA", false, false);
    booking(j, "103", now - 1800, "ALVAREZ", "CORA", false, false);       /* recent */
    booking(j, "104", now - 4000 * 86400, "ALVAREZ", "DAN", true, false); /* released */
    booking(j, "105", now - 5 * 3600, "BROOKS", "ANA", false, false);
    /* a partial date of birth never matches an exact one */
    booking_dob(j, "106", "P106", now - 5 * 3600, "CHEN", "LI", "1980-05-XX", false, false);
    booking_dob(j, "107", "P107", now - 5 * 3600, "CHEN", "MEI", "1980-05-07", false, false);
    /* one person renamed within the load: both bookings are found by the new name only */
    booking_dob(j, "108", "P108", now - 5 * 3600, "DIAZ", "EVA", "1990-02-02", false, false);
    booking_dob(j, "109", "P108", now - 4 * 3600, "DIAZ-ROSS", "EVA", "1990-02-02", false, false);
    fclose(j);
    struct cust_err err = CUST_ERR_INIT;
    if (cust_store_open(f->path, CUST_STORE_CREATE, &f->s, &err) != CUST_OK)
        fail_msg("open: %s", err.msg);
    struct cust_import_opts o = {.path = f->jsonl, .actor = "test"};
    struct cust_import_stats st;
    FILE *devnull = fopen("/dev/null", "w");
    o.errors = devnull;
    if (cust_import_file(f->s, &o, &st, &err) != CUST_OK)
        fail_msg("import: %s", err.msg);
    fclose(devnull);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    cust_store_close(f->s);
    unlink_db(f->path);
    unlink(f->jsonl);
    unlink(f->key);
    free(f);
    return 0;
}

struct got {
    char numbers[16][16];
    char release[16][16];
    size_t n;
    int64_t total; /* cust_store_public_count of the same query */
};

static enum cust_status collect(const struct cust_public_row *r, void *arg)
{
    struct got *g = arg;
    snprintf(g->numbers[g->n], 16, "%s", r->booking_number);
    snprintf(g->release[g->n], 16, "%s", r->scheduled_release ? r->scheduled_release : "-");
    assert_non_null(strstr(r->charges_json, "PC 459"));
    g->n++;
    return CUST_OK;
}

static struct got search_on(struct cust_store *s, const char *last, const char *first,
                            const char *number, const char *dob, int64_t before, int32_t today,
                            unsigned limit)
{
    struct got g;
    memset(&g, 0, sizeof(g));
    struct cust_public_query q = {.last_name = last,
                                  .first_name = first,
                                  .booking_number = number,
                                  .dob = dob,
                                  .booked_before = before,
                                  .today = today,
                                  .limit = limit};
    struct cust_err err = CUST_ERR_INIT;
    assert_int_equal(cust_store_public_search(s, &q, collect, &g, &err), CUST_OK);
    /* the count: every match, whatever the limit; the rows found when under it */
    assert_int_equal(cust_store_public_count(s, &q, &g.total, &err), CUST_OK);
    if (g.n < limit)
        assert_int_equal(g.total, (int64_t)g.n);
    return g;
}

static struct got search(struct cust_store *s, const char *last, const char *first,
                         const char *number, int64_t before, unsigned limit)
{
    return search_on(s, last, first, number, NULL, before, cust_today(), limit);
}

static void test_public_search(void **state)
{
    struct fx *f = *state;
    int64_t two_hours_ago = cust_now() - 7200;
    /* in custody, older than two hours; ordered by first name */
    struct got g = search(f->s, "ALVAREZ", NULL, NULL, two_hours_ago, 50);
    assert_int_equal(g.n, 3);
    assert_string_equal(g.numbers[0], "100");
    assert_string_equal(g.numbers[1], "102"); /* BELLA before BEN */
    assert_string_equal(g.numbers[2], "101");
    /* the release date only where it is public */
    assert_string_equal(g.release[0], "-");
    assert_string_equal(g.release[2], "2031-01-01");
    /* without the two-hour rule the recent booking appears; the released one never */
    g = search(f->s, "ALVAREZ", NULL, NULL, cust_now(), 50);
    assert_int_equal(g.n, 4);
    for (size_t i = 0; i < g.n; i++)
        assert_string_not_equal(g.numbers[i], "104");
    /* first-name prefix, booking number, limit */
    g = search(f->s, "ALVAREZ", "BE", NULL, two_hours_ago, 50);
    assert_int_equal(g.n, 2);
    g = search(f->s, NULL, NULL, "105", two_hours_ago, 50);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.numbers[0], "105");
    g = search(f->s, NULL, NULL, "103", two_hours_ago, 50);
    assert_int_equal(g.n, 0);
    g = search(f->s, "ALVAREZ", NULL, NULL, two_hours_ago, 2);
    assert_int_equal(g.n, 2);
    assert_int_equal(g.total, 3); /* "showing 2 of 3" */
    g = search(f->s, "alv", "be", NULL, two_hours_ago, 1);
    assert_int_equal(g.total, 2);
    g = search(f->s, "NOBODY", NULL, NULL, two_hours_ago, 50);
    assert_int_equal(g.n, 0);
    assert_int_equal(g.total, 0);
    struct cust_public_query none = {.limit = 5};
    struct cust_err err = CUST_ERR_INIT;
    int64_t total = 7;
    assert_int_equal(cust_store_public_count(f->s, &none, &total, &err), CUST_EINVAL);
    assert_int_equal(total, 0);
}

/* As of a day: a booking released after that day was in custody on it (the index of open
 * bookings does not hold it; the released-by-name one does), by name and by number. */
static void test_public_search_as_of(void **state)
{
    struct fx *f = *state;
    int32_t release_day;
    assert_true(cust_date_parse("2020-01-02", &release_day));
    struct got g = search_on(f->s, "ALVAREZ", "DAN", NULL, NULL, cust_now(), release_day - 1, 50);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.numbers[0], "104");
    g = search_on(f->s, NULL, NULL, "104", NULL, cust_now(), release_day - 1, 50);
    assert_int_equal(g.n, 1);
    /* ordered with the open ones */
    g = search_on(f->s, "ALVAREZ", NULL, NULL, NULL, cust_now(), release_day - 1, 50);
    assert_int_equal(g.n, 5);
    assert_string_equal(g.numbers[4], "104"); /* DAN after CORA */
    g = search_on(f->s, "ALVAREZ", "DAN", NULL, NULL, cust_now(), release_day, 50);
    assert_int_equal(g.n, 0);
    g = search_on(f->s, NULL, NULL, "104", NULL, cust_now(), release_day, 50);
    assert_int_equal(g.n, 0);
}

/* dob narrows by exact date; a partial dob in the store never matches. */
static void test_public_search_dob(void **state)
{
    struct fx *f = *state;
    int64_t before = cust_now() - 7200;
    struct got g = search_on(f->s, "CHEN", NULL, NULL, NULL, before, cust_today(), 50);
    assert_int_equal(g.n, 2);
    g = search_on(f->s, "CHEN", NULL, NULL, "1980-05-07", before, cust_today(), 50);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.numbers[0], "107");
    g = search_on(f->s, "CHEN", NULL, NULL, "1980-05-01", before, cust_today(), 50);
    assert_int_equal(g.n, 0);
    g = search_on(f->s, "ALVAREZ", NULL, NULL, "1970-01-01", before, cust_today(), 50);
    assert_int_equal(g.n, 3);
    g = search_on(f->s, NULL, NULL, "107", "1980-05-08", before, cust_today(), 50);
    assert_int_equal(g.n, 0);
}

/* The name copy on bookings follows the person: fixed at the end of a bulk load, and kept by
 * the trigger on a later import. */
static void test_public_search_rename(void **state)
{
    struct fx *f = *state;
    int64_t before = cust_now() - 3600;
    struct got g = search(f->s, "DIAZ-ROSS", NULL, NULL, before, 50);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.numbers[0], "108");
    /* a last name is a prefix of the key from 3 letters (namekey.h): DIAZ finds DIAZ-ROSS;
     * ROSS, a later word, does not */
    assert_int_equal(search(f->s, "DIAZ", NULL, NULL, before, 50).n, 2);
    assert_int_equal(search(f->s, "ROSS", NULL, NULL, before, 50).n, 0);
    /* a later import (not a bulk load: the store is not empty) renames BROOKS ANA */
    FILE *j = fopen(f->jsonl, "w");
    assert_non_null(j);
    booking_dob(j, "110", "P105", cust_now() - 5 * 3600, "ZUNIGA", "ANA", "1970-01-01", false,
                false);
    fclose(j);
    struct cust_import_opts o = {.path = f->jsonl, .actor = "test"};
    struct cust_import_stats st;
    struct cust_err err = CUST_ERR_INIT;
    FILE *devnull = fopen("/dev/null", "w");
    o.errors = devnull;
    assert_int_equal(cust_import_file(f->s, &o, &st, &err), CUST_OK);
    fclose(devnull);
    assert_int_equal(search(f->s, "BROOKS", NULL, NULL, before, 50).n, 0);
    g = search(f->s, "ZUNIGA", NULL, NULL, before, 50);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.numbers[0], "105");
    assert_string_equal(g.numbers[1], "110");
}

static void test_users_and_sessions(void **state)
{
    struct fx *f = *state;
    struct cust_err err = CUST_ERR_INIT;
    struct cust_user u;
    assert_int_equal(cust_auth_store_user_get(f->s, "nobody", &u, &err), CUST_ENOTFOUND);
    memset(&u, 0, sizeof(u));
    snprintf(u.name, sizeof(u.name), "clerk1");
    u.role = CUST_ROLE_CLERK;
    snprintf(u.pwhash, sizeof(u.pwhash), "$argon2id$x");
    u.totp_key[0] = 7;
    u.totp_last_step = -1;
    assert_int_equal(user_put(f->s, &u, &err), CUST_OK);
    struct cust_user back;
    assert_int_equal(cust_auth_store_user_get(f->s, "clerk1", &back, &err), CUST_OK);
    assert_int_equal(back.role, CUST_ROLE_CLERK);
    assert_int_equal(back.totp_key[0], 7);
    assert_int_equal(back.totp_last_step, -1);
    /* failures count up, and the third (max 3) locks and resets */
    for (int i = 0; i < 2; i++)
        assert_int_equal(cust_store_user_claim(f->s, "clerk1", 1000, 3, 600, &err), CUST_OK);
    assert_int_equal(cust_auth_store_user_get(f->s, "clerk1", &back, &err), CUST_OK);
    assert_int_equal(back.failures, 2);
    assert_int_equal(back.locked_until, 0);
    assert_int_equal(cust_store_user_claim(f->s, "clerk1", 1000, 3, 600, &err), CUST_OK);
    assert_int_equal(cust_auth_store_user_get(f->s, "clerk1", &back, &err), CUST_OK);
    assert_int_equal(back.failures, 0);
    assert_int_equal(back.locked_until, 1600);
    /* locked: an attempt is refused and changes nothing (issue 12: claimed before checking) */
    assert_int_equal(cust_store_user_claim(f->s, "clerk1", 1599, 3, 600, &err), CUST_EDENIED);
    assert_int_equal(cust_auth_store_user_get(f->s, "clerk1", &back, &err), CUST_OK);
    assert_int_equal(back.failures, 0);
    assert_int_equal(back.locked_until, 1600);
    assert_int_equal(cust_store_user_claim(f->s, "clerk1", 1600, 3, 600, &err), CUST_OK);
    assert_int_equal(cust_auth_store_user_get(f->s, "clerk1", &back, &err), CUST_OK);
    assert_int_equal(back.failures, 1);
    assert_int_equal(cust_store_user_claim(f->s, "ghost", 1000, 3, 600, &err), CUST_ENOTFOUND);
    /* a TOTP step is accepted once */
    assert_int_equal(cust_store_user_success(f->s, "clerk1", 55, &err), CUST_OK);
    assert_int_equal(cust_store_user_success(f->s, "clerk1", 55, &err), CUST_ECONFLICT);
    assert_int_equal(cust_store_user_success(f->s, "clerk1", 54, &err), CUST_ECONFLICT);
    assert_int_equal(cust_store_user_success(f->s, "ghost", 56, &err), CUST_ENOTFOUND);
    /* sessions */
    struct cust_session s = {.role = CUST_ROLE_CLERK, .created = 10, .last_seen = 10};
    snprintf(s.id, sizeof(s.id), "abc");
    snprintf(s.csrf, sizeof(s.csrf), "tok");
    snprintf(s.user, sizeof(s.user), "clerk1");
    assert_int_equal(cust_auth_store_session_put(f->s, &s, &err), CUST_OK);
    s.last_seen = 20;
    assert_int_equal(cust_auth_store_session_put(f->s, &s, &err), CUST_OK);
    struct cust_session sb;
    assert_int_equal(cust_auth_store_session_get(f->s, "abc", &sb, &err), CUST_OK);
    assert_int_equal(sb.last_seen, 20);
    assert_int_equal(sb.created, 10);
    assert_string_equal(sb.csrf, "tok");
    assert_int_equal(cust_store_session_delete(f->s, "abc", &err), CUST_OK);
    assert_int_equal(cust_auth_store_session_get(f->s, "abc", &sb, &err), CUST_ENOTFOUND);
}

/* Whether `needle` occurs in `hay`, or any 8-byte run of it does. */
static bool has_bytes(const uint8_t *hay, size_t n, const uint8_t *needle, size_t m)
{
    for (size_t run = 8; run <= m; run = run == m ? m + 1 : m)
        for (size_t j = 0; j + run <= m; j++)
            for (size_t i = 0; i + run <= n; i++)
                if (memcmp(hay + i, needle + j, run) == 0)
                    return true;
    return false;
}

static struct cust_web *web_open(struct fx *f, const char *key_file, bool create_key)
{
    struct cust_err err = CUST_ERR_INIT;
    struct cust_config *cfg = cust_config_new();
    cust_config_set(cfg, CUST_CFG_STORE_PATH, f->path, "test");
    if (key_file)
        cust_config_set(cfg, CUST_CFG_KEY_FILE, key_file, "test");
    struct cust_web_config wc;
    cust_web_config_defaults(&wc);
    wc.core = cfg;
    wc.connections = 2;
    wc.create_key = create_key;
    struct cust_web *w = NULL;
    enum cust_status st = cust_web_new(&w, &wc, &err);
    cust_config_free(cfg); /* the web keeps what it needs */
    if (st != CUST_OK)
        fail_msg("cust_web_new: %s", err.msg);
    return w;
}

static enum cust_status login_now(struct cust_web *w, const char *name, const char *pass,
                                  const uint8_t key[CUST_TOTP_KEY_BYTES], int64_t now)
{
    char code[8], token[CUST_TOKEN_HEX];
    snprintf(code, sizeof(code), "%06u", cust_totp(key, CUST_TOTP_KEY_BYTES, now, 30, 6));
    struct cust_session s;
    return cust_auth_login(cust_web_auth(w), name, pass, code, now, token, &s, NULL);
}

static void test_login_over_store(void **state)
{
    struct fx *f = *state;
    struct cust_err err = CUST_ERR_INIT;
    struct cust_web *w = web_open(f, f->key, true);
    assert_true(cust_web_has_key(w));
    const struct cust_auth_backend *be = cust_web_auth(w);
    struct cust_pwhash_limits lim = cust_pwhash_min();
    uint8_t key[CUST_TOTP_KEY_BYTES];
    const char *pass = "violet harbor seventeen kites";
    assert_int_equal(
        cust_auth_user_create(be, "sup1", CUST_ROLE_SUPERVISOR, pass, NULL, &lim, key, &err),
        CUST_OK);
    /* the row holds the secret sealed, not in the clear */
    struct cust_user raw;
    assert_int_equal(cust_auth_store_user_get(f->s, "sup1", &raw, &err), CUST_OK);
    assert_true(raw.totp_sealed);
    assert_false(has_bytes(raw.totp_box, sizeof(raw.totp_box), key, sizeof(key)));
    int64_t now = cust_now();
    char code[8];
    snprintf(code, sizeof(code), "%06u", cust_totp(key, sizeof(key), now, 30, 6));
    char token[CUST_TOKEN_HEX];
    struct cust_session s;
    assert_int_equal(cust_auth_login(be, "sup1", pass, code, now, token, &s, &err), CUST_OK);
    assert_int_equal(s.role, CUST_ROLE_SUPERVISOR);
    struct cust_session chk;
    assert_int_equal(cust_auth_session_check(be, token, now + 5, &chk, &err), CUST_OK);
    assert_string_equal(chk.user, "sup1");
    /* the same code again is a replay */
    assert_int_equal(cust_auth_login(be, "sup1", pass, code, now, token, &s, &err), CUST_EDENIED);
    assert_int_equal(cust_auth_logout(be, token), CUST_OK);
    assert_int_equal(cust_auth_session_check(be, token, now + 6, &chk, &err), CUST_EDENIED);
    /* the row stays sealed after the login's updates */
    assert_int_equal(cust_auth_store_user_get(f->s, "sup1", &raw, &err), CUST_OK);
    assert_true(raw.totp_sealed);
    cust_web_free(w);

    /* another server key: the secret does not open, so no code signs in */
    char other[80];
    snprintf(other, sizeof(other), "%s.other", f->key);
    unlink(other);
    w = web_open(f, other, true);
    assert_int_equal(login_now(w, "sup1", pass, key, now + 60), CUST_EDENIED);
    cust_web_free(w);
    unlink(other);

    /* no key file at all: the web opens (locator only), sign-in and account writes refused */
    w = web_open(f, other, false);
    assert_false(cust_web_has_key(w));
    assert_int_equal(login_now(w, "sup1", pass, key, now + 90), CUST_EDENIED);
    assert_int_not_equal(cust_auth_user_create(cust_web_auth(w), "sup2", CUST_ROLE_CLERK, pass,
                                               NULL, &lim, NULL, &err),
                         CUST_OK);
    cust_web_free(w);

    /* a tampered box (one bit) does not open either, with the right key */
    assert_int_equal(cust_auth_store_user_get(f->s, "sup1", &raw, &err), CUST_OK);
    raw.totp_box[3] ^= 0x04;
    assert_int_equal(user_put(f->s, &raw, &err), CUST_OK);
    w = web_open(f, f->key, false);
    assert_int_equal(login_now(w, "sup1", pass, key, now + 120), CUST_EDENIED);
    raw.totp_box[3] ^= 0x04; /* restored: signs in again */
    assert_int_equal(user_put(f->s, &raw, &err), CUST_OK);
    assert_int_equal(login_now(w, "sup1", pass, key, now + 150), CUST_OK);
    cust_web_free(w);
}

/* A store from before migration 6 (clear-text secret): the first open with a key seals it,
 * and sign-in still works with the same authenticator. */
static void test_clear_rows_sealed(void **state)
{
    struct fx *f = *state;
    struct cust_err err = CUST_ERR_INIT;
    struct cust_pwhash_limits lim = cust_pwhash_min();
    const char *pass = "violet harbor seventeen kites";
    struct cust_user u;
    memset(&u, 0, sizeof(u));
    snprintf(u.name, sizeof(u.name), "old1");
    u.role = CUST_ROLE_CLERK;
    assert_int_equal(cust_passphrase_hash(pass, &lim, u.pwhash, &err), CUST_OK);
    cust_totp_key_new(u.totp_key);
    assert_int_equal(user_put(f->s, &u, &err), CUST_OK);
    struct cust_user raw;
    assert_int_equal(cust_auth_store_user_get(f->s, "old1", &raw, &err), CUST_OK);
    assert_false(raw.totp_sealed);
    assert_memory_equal(raw.totp_key, u.totp_key, sizeof(u.totp_key));

    struct cust_web *w = web_open(f, f->key, true);
    assert_int_equal(cust_auth_store_user_get(f->s, "old1", &raw, &err), CUST_OK);
    assert_true(raw.totp_sealed);
    assert_false(has_bytes(raw.totp_box, sizeof(raw.totp_box), u.totp_key, sizeof(u.totp_key)));
    int64_t now = cust_now();
    assert_int_equal(login_now(w, "old1", pass, u.totp_key, now), CUST_OK);
    cust_web_free(w);
    /* a second open leaves the sealed row as it is */
    uint8_t box[CUST_TOTP_BOX_BYTES];
    memcpy(box, raw.totp_box, sizeof(box));
    w = web_open(f, f->key, false);
    assert_int_equal(cust_auth_store_user_get(f->s, "old1", &raw, &err), CUST_OK);
    assert_memory_equal(raw.totp_box, box, sizeof(box));
    cust_web_free(w);
}

/* The desk's data from the source tree (CUST_SOURCE_DIR, set by ctest), county us-ca. */
static void desk_config(struct cust_config *cfg)
{
    const char *src = getenv("CUST_SOURCE_DIR");
    assert_non_null(src);
    char path[512];
    snprintf(path, sizeof(path), "%s/policies", src);
    cust_config_set(cfg, CUST_CFG_POLICIES, path, "test");
    snprintf(path, sizeof(path), "%s/policies/calendars/us-federal-holidays.csv", src);
    cust_config_set(cfg, CUST_CFG_CALENDAR, path, "test");
    snprintf(path, sizeof(path), "%s/templates/notices", src);
    cust_config_set(cfg, CUST_CFG_NOTICE_TEMPLATES, path, "test");
    snprintf(path, sizeof(path), "%s/web/templates", src);
    cust_config_set(cfg, CUST_CFG_WEB_TEMPLATES, path, "test");
    cust_config_set(cfg, CUST_CFG_JURISDICTION, "us-ca", "test");
}

static const char *request_status(struct cust_desk *d, const char *id, char out[32])
{
    json_t *j = NULL;
    struct cust_err err = CUST_ERR_INIT;
    if (cust_desk_show(d, id, &j, &err) != CUST_OK)
        fail_msg("show %s: %s", id, err.msg);
    snprintf(out, 32, "%s", json_string_value(json_object_get(j, "status")));
    json_decref(j);
    return out;
}

/* The server's timer expires a detainer whose hold window passes while it runs, at its next
 * sweep, not only at the server's start (desk_expiry.sh covers the start): booking 104 was
 * released 2020-01-02T00:00:00Z; the clock is set before the window's end when the server starts,
 * then after it. */
static void test_expiry_timer(void **state)
{
    struct fx *f = *state;
    struct cust_err err = CUST_ERR_INIT;
    cust_clock_set(1577926800); /* 2020-01-02T01:00:00Z */
    struct cust_config *cfg = cust_config_new();
    cust_config_set(cfg, CUST_CFG_STORE_PATH, f->path, "test");
    desk_config(cfg);
    struct cust_desk_env *env = NULL;
    assert_int_equal(cust_desk_env_open(cfg, 0, &env, &err), CUST_OK);
    struct cust_desk d;
    cust_desk_init(&d, env, f->s, "clerk1", "clerk");
    json_t *doc =
        json_loads("{\"kind\": \"detainer\", \"form\": \"I-247A\", \"requester\":"
                   " {\"agency\": \"ICE\"}, \"received_at\": \"2019-12-31T10:00:00-08:00\","
                   " \"subject\": {\"booking_number\": \"104\"}}",
                   0, NULL);
    assert_non_null(doc);
    char id[CUST_REQUEST_ID_MAX], status[32];
    struct cust_diag diag = CUST_DIAG_INIT;
    if (cust_desk_add(&d, doc, id, &diag, &err) != CUST_OK)
        fail_msg("add: %s", err.msg);
    json_decref(doc);
    cust_diag_release(&diag);

    struct cust_web_config wc;
    cust_web_config_defaults(&wc);
    wc.core = cfg;
    wc.connections = 2;
    wc.sweep_every_s = 1;
    struct cust_web *w = NULL;
    if (cust_web_new(&w, &wc, &err) != CUST_OK)
        fail_msg("cust_web_new: %s", err.msg);
    assert_string_equal(request_status(&d, id, status), "matched"); /* the start's sweep */

    cust_clock_set(1580515200); /* 2020-02-01T00:00:00Z: the window has passed */
    for (int i = 0; i < 200 && strcmp(request_status(&d, id, status), "expired") != 0; i++)
        usleep(25000);
    assert_string_equal(status, "expired");
    cust_web_free(w);
    cust_clock_clear();
    cust_desk_release(&d);
    cust_desk_env_free(env);
    cust_config_free(cfg);
}

static void test_routes(void **state)
{
    (void)state;
    struct cust_buf b = CUST_BUF_INIT;
    assert_int_equal(cust_web_routes(&b, false), CUST_OK);
    assert_int_equal(cust_buf_putc(&b, '\0'), CUST_OK);
    assert_non_null(strstr(b.buf, "GET /api/v1/public/inmates public\n"));
    assert_non_null(strstr(b.buf, "GET /api/v1/roster roster.read\n"));
    assert_non_null(strstr(b.buf, "POST /api/v1/requests/{id}/decide request.decide\n"));
    assert_non_null(strstr(b.buf, "POST /api/v1/requests/{id}/confirm request.confirm_match\n"));
    assert_null(strstr(b.buf, "{step}"));
    /* every staff route is guarded: nothing but the locator, the enforcement counts (no
     * names: reports.md), assets, the agency's seal (an image the configuration names), login,
     * metrics (counts only) and the ledger's signed
     * checkpoint (a tree size and a root, nothing about anyone) is public */
    for (char *line = b.buf; *line;) {
        char *nl = strchr(line, '\n');
        *nl = '\0';
        if (strstr(line, " public")) {
            bool ok = strstr(line, " / ") || strstr(line, "/locator") ||
                      strstr(line, "/api/v1/public/") || strstr(line, "/static/uswds/") ||
                      strstr(line, " /seal public") || strstr(line, " /login ") ||
                      strstr(line, " /api/v1/checkpoint public") ||
                      strstr(line, " /metrics ") || /* counts only (issue 12) */
                      strstr(line, " /enforcement public");
            if (!ok)
                fail_msg("unexpected public route: %s", line);
        }
        line = nl + 1;
    }
    cust_buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_public_search, setup, teardown),
        cmocka_unit_test_setup_teardown(test_public_search_as_of, setup, teardown),
        cmocka_unit_test_setup_teardown(test_public_search_dob, setup, teardown),
        cmocka_unit_test_setup_teardown(test_public_search_rename, setup, teardown),
        cmocka_unit_test_setup_teardown(test_users_and_sessions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_login_over_store, setup, teardown),
        cmocka_unit_test_setup_teardown(test_clear_rows_sealed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expiry_timer, setup, teardown),
        cmocka_unit_test(test_routes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
