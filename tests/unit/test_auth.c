/* Unit tests for src/auth: passphrase policy and blocklist, Argon2id, TOTP, sessions,
 * lockout, CSRF. The clock is always passed in. */
#include "custodian/compat.h"
#include "custodian/auth.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

static const uint8_t rfc_key[] = "12345678901234567890"; /* RFC 4226 / 6238 SHA-1 seed */

static void test_hotp_rfc4226(void **state)
{
    (void)state;
    /* RFC 4226 Appendix D. */
    static const uint32_t want[] = {755224, 287082, 359152, 969429, 338314,
                                    254676, 287922, 162583, 399871, 520489};
    for (uint64_t c = 0; c < 10; c++)
        assert_int_equal(cust_hotp(rfc_key, 20, c, 6), want[c]);
}

static void test_totp_rfc6238(void **state)
{
    (void)state;
    /* RFC 6238 Appendix B, SHA1 column, 8 digits. */
    static const struct {
        int64_t t;
        uint32_t code;
    } v[] = {
        {59, 94287082},         {1111111109, 7081804},  {1111111111, 14050471},
        {1234567890, 89005924}, {2000000000, 69279037}, {20000000000LL, 65353130},
    };
    for (size_t i = 0; i < CUST_ARRAY_LEN(v); i++)
        assert_int_equal(cust_totp(rfc_key, 20, v[i].t, 30, 8), v[i].code);
}

static void code_at(int64_t t, char out[7])
{
    snprintf(out, 7, "%06u", (unsigned)cust_totp(rfc_key, 20, t, 30, 6));
}

static void test_totp_window_and_replay(void **state)
{
    (void)state;
    int64_t now = 1111111111; /* step 37037037 */
    int64_t step = now / 30;
    char code[7];
    int64_t last = -1;
    struct cust_err err = CUST_ERR_INIT;

    code_at(now, code);
    assert_int_equal(cust_totp_verify(rfc_key, 20, code, now, &last, &err), CUST_OK);
    assert_int_equal(last, step);
    /* One use per code. */
    assert_int_equal(cust_totp_verify(rfc_key, 20, code, now, &last, &err), CUST_EDENIED);
    /* The previous step's code is now also spent (it is older than the last used one). */
    code_at(now - 30, code);
    assert_int_equal(cust_totp_verify(rfc_key, 20, code, now, &last, &err), CUST_EDENIED);
    /* The next step's code is accepted early (clock skew), once. */
    code_at(now + 30, code);
    assert_int_equal(cust_totp_verify(rfc_key, 20, code, now, &last, &err), CUST_OK);
    assert_int_equal(last, step + 1);
    assert_int_equal(cust_totp_verify(rfc_key, 20, code, now + 30, &last, &err), CUST_EDENIED);

    /* Fresh user: -1 step accepted, -2 steps / +2 steps are outside the window. */
    last = -1;
    code_at(now - 30, code);
    assert_int_equal(cust_totp_verify(rfc_key, 20, code, now, &last, &err), CUST_OK);
    last = -1;
    code_at(now - 60, code);
    char cur[7];
    code_at(now, cur);
    if (strcmp(code, cur) != 0) {
        assert_int_equal(cust_totp_verify(rfc_key, 20, code, now, &last, &err), CUST_EDENIED);
    }
    code_at(now + 60, code);
    if (strcmp(code, cur) != 0)
        assert_int_equal(cust_totp_verify(rfc_key, 20, code, now, &last, &err), CUST_EDENIED);
    /* Malformed codes. */
    assert_int_equal(cust_totp_verify(rfc_key, 20, "12345", now, &last, &err), CUST_EINVAL);
    assert_int_equal(cust_totp_verify(rfc_key, 20, "12345a", now, &last, &err), CUST_EINVAL);
    assert_int_equal(cust_totp_verify(rfc_key, 20, NULL, now, &last, &err), CUST_EINVAL);
}

static void test_base32_and_uri(void **state)
{
    (void)state;
    char out[64];
    /* RFC 4648 test vectors (without padding). */
    assert_int_equal(cust_base32_encode((const uint8_t *)"foobar", 6, out, sizeof(out)), 10);
    assert_string_equal(out, "MZXW6YTBOI");
    cust_base32_encode((const uint8_t *)"f", 1, out, sizeof(out));
    assert_string_equal(out, "MY");
    cust_base32_encode(rfc_key, 20, out, sizeof(out));
    assert_string_equal(out, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    uint8_t back[32];
    size_t n;
    assert_int_equal(
        cust_base32_decode("gezd gnbv gy3t qojq gezd gnbv gy3t qojq", back, sizeof(back), &n, NULL),
        CUST_OK);
    assert_int_equal(n, 20);
    assert_memory_equal(back, rfc_key, 20);
    assert_int_equal(cust_base32_decode("MZXW6YTBOI======", back, sizeof(back), &n, NULL), CUST_OK);
    assert_memory_equal(back, "foobar", 6);
    assert_int_equal(cust_base32_decode("MZ1W", back, sizeof(back), &n, NULL), CUST_EINVAL);
    assert_int_equal(cust_base32_decode("MZXW6YTBOI", back, 3, &n, NULL), CUST_ETOOBIG);

    struct cust_buf b = CUST_BUF_INIT;
    assert_int_equal(cust_totp_uri("ana.lopez", rfc_key, 20, &b), CUST_OK);
    assert_string_equal(b.buf, "otpauth://totp/custodian:ana.lopez?secret="
                               "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=custodian"
                               "&algorithm=SHA1&digits=6&period=30");
    cust_buf_reset(&b);
    assert_int_equal(cust_totp_uri("a b&c", rfc_key, 20, &b), CUST_OK);
    assert_non_null(strstr(b.buf, "custodian:a%20b%26c?secret="));
    cust_buf_release(&b);

    uint8_t k1[CUST_TOTP_KEY_BYTES], k2[CUST_TOTP_KEY_BYTES];
    cust_totp_key_new(k1);
    cust_totp_key_new(k2);
    assert_memory_not_equal(k1, k2, sizeof(k1));
}

static struct cust_blocklist *load_blocklist(void)
{
    const char *src = getenv("CUST_SOURCE_DIR");
    char path[4096];
    snprintf(path, sizeof(path), "%s/web/data/common-passwords.txt", src ? src : CUST_SOURCE_DIR);
    struct cust_blocklist *bl = NULL;
    struct cust_err err = CUST_ERR_INIT;
    assert_int_equal(cust_blocklist_load(path, &bl, &err), CUST_OK);
    return bl;
}

static void test_passphrase_policy(void **state)
{
    (void)state;
    struct cust_blocklist *bl = load_blocklist();
    assert_true(cust_blocklist_size(bl) > 200);
    struct cust_err err = CUST_ERR_INIT;

    static const char *const good[] = {
        "violet harbor tuesday lamp",
        "Sixteen chars ok", /* exactly 16 */
        "fifteen chars!!",  /* exactly 15 */
        "ünïcödé pässwörd", /* 16 code points, more bytes */
        "a-Very-long-but-fine-passphrase-of-sixty-four-characters-123456", /* 64 */
        "correct horse battery stapler and more words",
    };
    for (size_t i = 0; i < CUST_ARRAY_LEN(good); i++) {
        if (cust_passphrase_check(good[i], "ana", bl, &err) != CUST_OK)
            fail_msg("'%s' refused: %s", good[i], err.msg);
    }
    /* 128 bytes accepted, 129 refused. */
    char max[130];
    uint32_t x = 12345;
    for (int i = 0; i < 129; i++) {
        x = x * 1103515245u + 12345u;
        max[i] = (char)('a' + (x >> 16) % 26);
    }
    max[128] = '\0';
    assert_int_equal(cust_passphrase_check(max, NULL, bl, &err), CUST_OK);
    max[128] = 'x';
    max[129] = '\0';
    assert_int_equal(cust_passphrase_check(max, NULL, bl, &err), CUST_EINVAL);
    assert_non_null(strstr(err.msg, "longer than 128"));

    static const struct {
        const char *pass;
        const char *why;
    } bad[] = {
        {"fourteen chars", "shorter than 15"},
        {"ünïcödé pässwö", "shorter than 15"}, /* 14 code points, 21 bytes */
        {"passwordpassword", "repeated"},
        {"PasswordPassword", "repeated"},
        {"iloveyouiloveyou", "repeated"},
        {"aaaaaaaaaaaaaaaaaaaa", "repeated"},
        {"abcabcabcabcabcab", "repeated"},
        {"abcdefghijklmnop", "sequence"},
        {"123456789012345", "sequence"},
        {"987654321098765", "sequence"},
        {"qwertyuiopasdfgh", "keyboard"},
        {"hgfdsapoiuytrewq", "keyboard"},
        {"1qaz2wsx3edc4rfv", "keyboard"},
        {"correcthorsebatterystaple", "commonly used"},
        {"CorrectHorseBatteryStaple", "commonly used"},
        {"maytheforcebewithyou2024!", "commonly used"},
        {"thinblueline1234", "commonly used"},
        {"my name is ana and i like it", "account name"},
        {"bad\x01control chars", "invalid UTF-8"},
        {"bad utf8 \xc3\x28 here!!", "invalid UTF-8"},
    };
    for (size_t i = 0; i < CUST_ARRAY_LEN(bad); i++) {
        cust_err_clear(&err);
        assert_int_equal(cust_passphrase_check(bad[i].pass, "ana", bl, &err), CUST_EINVAL);
        if (!strstr(err.msg, bad[i].why))
            fail_msg("'%s': got '%s', expected '%s'", bad[i].pass, err.msg, bad[i].why);
    }
    /* Without a blocklist, only the rules apply. */
    assert_int_equal(cust_passphrase_check("correcthorsebatterystaple", NULL, NULL, &err), CUST_OK);
    cust_blocklist_free(bl);
}

static void test_argon2id(void **state)
{
    (void)state;
    struct cust_pwhash_limits lim = cust_pwhash_min();
    char h1[CUST_PWHASH_STRBYTES], h2[CUST_PWHASH_STRBYTES];
    assert_int_equal(cust_passphrase_hash("violet harbor tuesday lamp", &lim, h1, NULL), CUST_OK);
    assert_int_equal(strncmp(h1, "$argon2id$v=19$", 15), 0);
    assert_int_equal(cust_passphrase_hash("violet harbor tuesday lamp", &lim, h2, NULL), CUST_OK);
    assert_string_not_equal(h1, h2); /* salted */
    assert_true(cust_passphrase_verify(h1, "violet harbor tuesday lamp"));
    assert_true(cust_passphrase_verify(h2, "violet harbor tuesday lamp"));
    assert_false(cust_passphrase_verify(h1, "violet harbor tuesday lamP"));
    assert_false(cust_passphrase_verify(h1, ""));
    assert_false(cust_passphrase_verify("", "x"));
    assert_false(cust_passphrase_verify("$argon2i$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA", "x"));
    /* The interactive limits are libsodium's (at least 64 MiB). */
    assert_true(cust_pwhash_interactive().mem >= 64u << 20);
}

/* ---- accounts, login, sessions -------------------------------------------------------------- */

struct fixture {
    struct cust_auth_backend *be;
    uint8_t key[CUST_TOTP_KEY_BYTES];
};

static int setup(void **state)
{
    struct fixture *f = cust_xcalloc(1, sizeof(*f));
    f->be = cust_auth_memory_new();
    struct cust_pwhash_limits lim = cust_pwhash_min();
    struct cust_err err = CUST_ERR_INIT;
    if (cust_auth_user_create(f->be, "ana", CUST_ROLE_SUPERVISOR, "violet harbor tuesday lamp",
                              NULL, &lim, f->key, &err) != CUST_OK)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    cust_auth_memory_free(f->be);
    free(f);
    return 0;
}

static void code_for(const struct fixture *f, int64_t t, char out[7])
{
    snprintf(out, 7, "%06u", (unsigned)cust_totp(f->key, sizeof(f->key), t, 30, 6));
}

static void test_user_create(void **state)
{
    struct fixture *f = *state;
    struct cust_pwhash_limits lim = cust_pwhash_min();
    struct cust_err err = CUST_ERR_INIT;
    assert_int_equal(cust_auth_user_create(f->be, "ana", CUST_ROLE_CLERK, "another fine passphrase",
                                           NULL, &lim, NULL, &err),
                     CUST_ECONFLICT);
    assert_int_equal(cust_auth_user_create(f->be, "Bad Name", CUST_ROLE_CLERK,
                                           "another fine passphrase", NULL, &lim, NULL, &err),
                     CUST_EINVAL);
    assert_int_equal(cust_auth_user_create(f->be, "bo", CUST_ROLE_NONE, "another fine passphrase",
                                           NULL, &lim, NULL, &err),
                     CUST_EINVAL);
    assert_int_equal(
        cust_auth_user_create(f->be, "bo", CUST_ROLE_CLERK, "short", NULL, &lim, NULL, &err),
        CUST_EINVAL);
    struct cust_user u;
    assert_int_equal(f->be->get_user(f->be->ctx, "bo", &u, NULL), CUST_ENOTFOUND);
    assert_int_equal(f->be->get_user(f->be->ctx, "ana", &u, NULL), CUST_OK);
    assert_int_equal(u.role, CUST_ROLE_SUPERVISOR);
    assert_memory_equal(u.totp_key, f->key, sizeof(f->key));
    assert_null(strstr(u.pwhash, "violet")); /* only the hash is stored */
}

static void test_login_and_session_expiry(void **state)
{
    struct fixture *f = *state;
    int64_t now = 1800000000;
    char code[7], token[CUST_TOKEN_HEX];
    struct cust_session s, s2;
    struct cust_err err = CUST_ERR_INIT;

    code_for(f, now, code);
    assert_int_equal(
        cust_auth_login(f->be, "ana", "violet harbor tuesday lamp", code, now, token, &s, &err),
        CUST_OK);
    assert_int_equal(strlen(token), 32);
    assert_int_equal(strlen(s.csrf), 32);
    assert_string_not_equal(token, s.csrf);
    assert_null(strstr(s.id, token)); /* the backend key is a hash of the token */
    assert_string_equal(s.user, "ana");
    assert_int_equal(s.role, CUST_ROLE_SUPERVISOR);

    /* The same code cannot log in twice (replay), even with the right passphrase. */
    char token2[CUST_TOKEN_HEX];
    assert_int_equal(cust_auth_login(f->be, "ana", "violet harbor tuesday lamp", code, now + 5,
                                     token2, &s2, &err),
                     CUST_EDENIED);

    /* Idle: valid at 29:59 of inactivity, each check slides the idle window. */
    assert_int_equal(cust_auth_session_check(f->be, token, now + 1799, &s2, &err), CUST_OK);
    assert_int_equal(s2.last_seen, now + 1799);
    assert_int_equal(cust_auth_session_check(f->be, token, now + 1799 + 1799, &s2, &err), CUST_OK);
    /* 30 minutes idle: gone, and stays gone. */
    assert_int_equal(cust_auth_session_check(f->be, token, now + 1799 + 1799 + 1800, &s2, &err),
                     CUST_EDENIED);
    assert_string_equal(err.msg, "session expired");
    assert_int_equal(cust_auth_session_check(f->be, token, now + 3600, &s2, &err), CUST_EDENIED);

    /* Absolute: active every 20 minutes, still cut at 12 hours. */
    int64_t t = now + 3600;
    code_for(f, t, code);
    assert_int_equal(
        cust_auth_login(f->be, "ana", "violet harbor tuesday lamp", code, t, token, &s, &err),
        CUST_OK);
    int64_t k;
    for (k = t + 1200; k < t + CUST_SESSION_ABSOLUTE_S; k += 1200)
        assert_int_equal(cust_auth_session_check(f->be, token, k, &s2, &err), CUST_OK);
    assert_int_equal(cust_auth_session_check(f->be, token, t + CUST_SESSION_ABSOLUTE_S, &s2, &err),
                     CUST_EDENIED);

    /* Logout and garbage tokens. */
    t += CUST_SESSION_ABSOLUTE_S + 60;
    code_for(f, t, code);
    assert_int_equal(
        cust_auth_login(f->be, "ana", "violet harbor tuesday lamp", code, t, token, &s, &err),
        CUST_OK);
    assert_int_equal(cust_auth_logout(f->be, token), CUST_OK);
    assert_int_equal(cust_auth_session_check(f->be, token, t + 1, &s2, &err), CUST_EDENIED);
    assert_int_equal(cust_auth_logout(f->be, "nonsense"), CUST_OK);
    assert_int_equal(cust_auth_session_check(f->be, "", t, &s2, &err), CUST_EDENIED);
    assert_int_equal(cust_auth_session_check(f->be, "ZZZZ", t, &s2, &err), CUST_EDENIED);
    assert_int_equal(
        cust_auth_session_check(f->be, "0123456789abcdef0123456789abcdef", t, &s2, &err),
        CUST_EDENIED);
}

static void test_session_expired_rule(void **state)
{
    (void)state;
    struct cust_session s = {.created = 1000, .last_seen = 1000};
    assert_false(cust_session_expired(&s, 1000));
    assert_false(cust_session_expired(&s, 1000 + CUST_SESSION_IDLE_S - 1));
    assert_true(cust_session_expired(&s, 1000 + CUST_SESSION_IDLE_S));
    s.last_seen = 1000 + CUST_SESSION_ABSOLUTE_S - 10;
    assert_false(cust_session_expired(&s, 1000 + CUST_SESSION_ABSOLUTE_S - 1));
    assert_true(cust_session_expired(&s, 1000 + CUST_SESSION_ABSOLUTE_S));
    assert_true(cust_session_expired(&s, 999)); /* clock before creation */
}

/* A backend that counts session writes, around the memory one. */
static const struct cust_auth_backend *counted_inner;
static int session_puts;

static enum cust_status counted_put_session(void *ctx, const struct cust_session *se,
                                            struct cust_err *err)
{
    session_puts++;
    return counted_inner->put_session(ctx, se, err);
}

/* Activity is written at most once a minute: a request a second costs one write a minute, and
 * the idle window still closes (early by at most that minute, never late). */
static void test_session_touch(void **state)
{
    struct fixture *f = *state;
    struct cust_auth_backend be = *f->be;
    counted_inner = f->be;
    be.put_session = counted_put_session;
    int64_t now = 1760000000;
    char code[7], token[CUST_TOKEN_HEX];
    struct cust_session s, s2;
    struct cust_err err = CUST_ERR_INIT;
    code_for(f, now, code);
    assert_int_equal(
        cust_auth_login(&be, "ana", "violet harbor tuesday lamp", code, now, token, &s, &err),
        CUST_OK);
    session_puts = 0;
    for (int64_t t = now + 1; t < now + CUST_SESSION_TOUCH_S; t++)
        assert_int_equal(cust_auth_session_check(&be, token, t, &s2, &err), CUST_OK);
    assert_int_equal(session_puts, 0);
    assert_int_equal(s2.last_seen, now); /* as stored */
    assert_int_equal(cust_auth_session_check(&be, token, now + CUST_SESSION_TOUCH_S, &s2, &err),
                     CUST_OK);
    assert_int_equal(session_puts, 1);
    assert_int_equal(s2.last_seen, now + CUST_SESSION_TOUCH_S);
    /* a request a second for an hour: one write a minute */
    session_puts = 0;
    for (int64_t t = now + CUST_SESSION_TOUCH_S + 1; t <= now + 3600; t++)
        assert_int_equal(cust_auth_session_check(&be, token, t, &s2, &err), CUST_OK);
    assert_int_equal(session_puts, 59);
    /* idle from the last recorded touch: refused 30 minutes after it at the latest */
    int64_t touched = s2.last_seen;
    assert_int_equal(cust_auth_session_check(&be, token, touched + CUST_SESSION_IDLE_S, &s2, &err),
                     CUST_EDENIED);
}

static void test_lockout(void **state)
{
    struct fixture *f = *state;
    int64_t now = 1900000000;
    char code[7], token[CUST_TOKEN_HEX];
    struct cust_session s;
    struct cust_err err = CUST_ERR_INIT;
    code_for(f, now, code);
    /* Four failures (wrong passphrase, wrong code, both), then success resets the count. */
    for (int i = 0; i < 4; i++)
        assert_int_equal(
            cust_auth_login(f->be, "ana", "wrong passphrase here", code, now + i, token, &s, &err),
            CUST_EDENIED);
    assert_string_equal(err.msg, "invalid name, passphrase or code");
    assert_int_equal(
        cust_auth_login(f->be, "ana", "violet harbor tuesday lamp", code, now + 4, token, &s, &err),
        CUST_OK);
    struct cust_user u;
    assert_int_equal(f->be->get_user(f->be->ctx, "ana", &u, NULL), CUST_OK);
    assert_int_equal(u.failures, 0);

    /* Five failures lock the account for 10 minutes, even against the right credentials. */
    now += 300;
    for (int i = 0; i < 5; i++)
        assert_int_equal(cust_auth_login(f->be, "ana", "violet harbor tuesday lamp", "000000",
                                         now + i, token, &s, &err),
                         CUST_EDENIED);
    code_for(f, now + 10, code);
    assert_int_equal(cust_auth_login(f->be, "ana", "violet harbor tuesday lamp", code, now + 10,
                                     token, &s, &err),
                     CUST_EDENIED);
    assert_string_equal(err.msg, "invalid name, passphrase or code"); /* issue 12: uniform */
    int64_t unlock = now + 4 + CUST_LOCKOUT_S;
    code_for(f, unlock - 1, code);
    assert_int_equal(cust_auth_login(f->be, "ana", "violet harbor tuesday lamp", code, unlock - 1,
                                     token, &s, &err),
                     CUST_EDENIED);
    code_for(f, unlock + 60, code);
    assert_int_equal(cust_auth_login(f->be, "ana", "violet harbor tuesday lamp", code, unlock + 60,
                                     token, &s, &err),
                     CUST_OK);

    /* Unknown users get the same answer as wrong passphrases. */
    assert_int_equal(cust_auth_login(f->be, "nobody", "violet harbor tuesday lamp", code,
                                     unlock + 61, token, &s, &err),
                     CUST_EDENIED);
    assert_string_equal(err.msg, "invalid name, passphrase or code");
    assert_string_equal(token, "");
}

/* Issue 12: a disabled, deleted or demoted account loses its live sessions at once: every
 * session check re-reads the account (fails on the old code, which trusted the session's
 * role for up to 12 hours). */
static void test_session_rechecks_account(void **state)
{
    struct fixture *f = *state;
    int64_t now = 1850000000;
    char code[7], token[CUST_TOKEN_HEX];
    struct cust_session s, s2;
    struct cust_err err = CUST_ERR_INIT;
    code_for(f, now, code);
    assert_int_equal(
        cust_auth_login(f->be, "ana", "violet harbor tuesday lamp", code, now, token, &s, &err),
        CUST_OK);
    assert_int_equal(s.role, CUST_ROLE_SUPERVISOR);

    /* demoted: the next check carries the new role, not the one the session began with */
    struct cust_user u;
    assert_int_equal(f->be->get_user(f->be->ctx, "ana", &u, NULL), CUST_OK);
    u.role = CUST_ROLE_CLERK;
    assert_int_equal(f->be->put_user(f->be->ctx, &u, NULL), CUST_OK);
    assert_int_equal(cust_auth_session_check(f->be, token, now + 1, &s2, &err), CUST_OK);
    assert_int_equal(s2.role, CUST_ROLE_CLERK);
    assert_false(cust_role_allows(s2.role, CUST_ACT_PERSON_READ_RESTRICTED));

    /* a role the matrix does not know: the session ends */
    u.role = CUST_ROLE_NONE;
    assert_int_equal(f->be->put_user(f->be->ctx, &u, NULL), CUST_OK);
    assert_int_equal(cust_auth_session_check(f->be, token, now + 2, &s2, &err), CUST_EDENIED);

    /* disabled: the session ends and stays ended after re-enabling */
    u.role = CUST_ROLE_SUPERVISOR;
    assert_int_equal(f->be->put_user(f->be->ctx, &u, NULL), CUST_OK);
    code_for(f, now + 60, code);
    assert_int_equal(cust_auth_login(f->be, "ana", "violet harbor tuesday lamp", code, now + 60,
                                     token, &s, &err),
                     CUST_OK);
    u.disabled = true;
    assert_int_equal(f->be->put_user(f->be->ctx, &u, NULL), CUST_OK);
    assert_int_equal(cust_auth_session_check(f->be, token, now + 61, &s2, &err), CUST_EDENIED);
    assert_string_equal(err.msg, "no valid session");
    u.disabled = false;
    assert_int_equal(f->be->put_user(f->be->ctx, &u, NULL), CUST_OK);
    assert_int_equal(cust_auth_session_check(f->be, token, now + 62, &s2, &err), CUST_EDENIED);
}

/* Issue 12, uniform failures: an unknown name, a wrong passphrase, a wrong code, a locked and a
 * disabled account get the same status and message (the old code said "account locked" to a
 * locked account, without verifying anything); the reason goes to the ledger only. */
static void test_uniform_failures(void **state)
{
    struct fixture *f = *state;
    struct cust_pwhash_limits lim = cust_pwhash_min();
    struct cust_err err = CUST_ERR_INIT;
    uint8_t k2[CUST_TOTP_KEY_BYTES];
    assert_int_equal(cust_auth_user_create(f->be, "off", CUST_ROLE_CLERK,
                                           "violet harbor tuesday lamp", NULL, &lim, k2, &err),
                     CUST_OK);
    struct cust_user u;
    assert_int_equal(f->be->get_user(f->be->ctx, "off", &u, NULL), CUST_OK);
    u.disabled = true;
    assert_int_equal(f->be->put_user(f->be->ctx, &u, NULL), CUST_OK);
    int64_t now = 1950000000;
    char code[7], token[CUST_TOKEN_HEX];
    struct cust_session s;
    code_for(f, now, code);
    for (int i = 0; i < CUST_LOCKOUT_FAILURES; i++)
        assert_int_equal(
            cust_auth_login(f->be, "ana", "wrong passphrase here", code, now, token, &s, &err),
            CUST_EDENIED);
    struct {
        const char *name, *pass, *code;
        enum cust_login_reason why;
    } cases[] = {
        {"nobody", "violet harbor tuesday lamp", code, CUST_LOGIN_UNKNOWN},
        {"ana", "violet harbor tuesday lamp", code, CUST_LOGIN_LOCKED},
        {"off", "violet harbor tuesday lamp", code, CUST_LOGIN_DISABLED},
        {"Bad Name!", "x", "1", CUST_LOGIN_UNKNOWN},
    };
    for (size_t i = 0; i < CUST_ARRAY_LEN(cases); i++) {
        enum cust_login_reason why = CUST_LOGIN_OK;
        err = (struct cust_err)CUST_ERR_INIT;
        assert_int_equal(cust_auth_login_why(f->be, cases[i].name, cases[i].pass, cases[i].code,
                                             now + 1, token, &s, &why, &err),
                         CUST_EDENIED);
        assert_string_equal(err.msg, "invalid name, passphrase or code");
        assert_int_equal(why, cases[i].why);
        assert_string_equal(token, "");
        assert_non_null(cust_login_reason_name(why));
    }
    uint8_t k3[CUST_TOTP_KEY_BYTES];
    assert_int_equal(cust_auth_user_create(f->be, "bea", CUST_ROLE_CLERK,
                                           "violet harbor tuesday lamp", NULL, &lim, k3, &err),
                     CUST_OK);
    enum cust_login_reason why;
    assert_int_equal(cust_auth_login_why(f->be, "bea", "wrong passphrase here", code, now, token,
                                         &s, &why, &err),
                     CUST_EDENIED);
    assert_string_equal(err.msg, "invalid name, passphrase or code");
    assert_int_equal(why, CUST_LOGIN_BAD_PASSPHRASE);
    assert_int_equal(cust_auth_login_why(f->be, "bea", "violet harbor tuesday lamp", "000000", now,
                                         token, &s, &why, &err),
                     CUST_EDENIED);
    assert_string_equal(err.msg, "invalid name, passphrase or code");
    assert_int_equal(why, CUST_LOGIN_BAD_CODE);
}

/* A backend that holds every get_user until all the logins are inside, so each reads the
 * account before any is checked: the race the old code lost. The rest is forwarded. */
#define PARALLEL_LOGINS 16
struct held {
    const struct cust_auth_backend *in;
    pthread_barrier_t gate;
};
static enum cust_status held_get_user(void *ctx, const char *name, struct cust_user *out,
                                      struct cust_err *err)
{
    struct held *h = ctx;
    pthread_barrier_wait(&h->gate);
    return h->in->get_user(h->in->ctx, name, out, err);
}
static enum cust_status held_put_user(void *ctx, const struct cust_user *u, struct cust_err *err)
{
    const struct cust_auth_backend *in = ((struct held *)ctx)->in;
    return in->put_user(in->ctx, u, err);
}
static enum cust_status held_claim(void *ctx, const char *name, int64_t now, unsigned max,
                                   int64_t lock_s, struct cust_err *err)
{
    const struct cust_auth_backend *in = ((struct held *)ctx)->in;
    return in->claim_attempt(in->ctx, name, now, max, lock_s, err);
}
static enum cust_status held_success(void *ctx, const char *name, int64_t step,
                                     struct cust_err *err)
{
    const struct cust_auth_backend *in = ((struct held *)ctx)->in;
    return in->record_success(in->ctx, name, step, err);
}
static enum cust_status held_put_session(void *ctx, const struct cust_session *se,
                                         struct cust_err *err)
{
    const struct cust_auth_backend *in = ((struct held *)ctx)->in;
    return in->put_session(in->ctx, se, err);
}

struct attempt {
    const struct cust_auth_backend *be;
    char code[7];
    enum cust_login_reason why;
};
static void *bad_login(void *arg)
{
    struct attempt *a = arg;
    char token[CUST_TOKEN_HEX];
    struct cust_session s;
    (void)cust_auth_login_why(a->be, "ana", "wrong passphrase here", a->code, 2000000000, token, &s,
                              &a->why, NULL);
    return NULL;
}

/* Issue 12, atomic lockout: 16 parallel bad logins get at most 5 tries (the old code read the
 * lock before the slow check, so all 16 were tried). */
static void test_lockout_parallel(void **state)
{
    struct fixture *f = *state;
    struct held h = {.in = f->be};
    pthread_barrier_init(&h.gate, NULL, PARALLEL_LOGINS);
    struct cust_auth_backend be = {.ctx = &h,
                                   .get_user = held_get_user,
                                   .put_user = held_put_user,
                                   .claim_attempt = held_claim,
                                   .record_success = held_success,
                                   .put_session = held_put_session};
    struct attempt a[PARALLEL_LOGINS];
    pthread_t t[PARALLEL_LOGINS];
    for (int i = 0; i < PARALLEL_LOGINS; i++) {
        a[i] = (struct attempt){.be = &be, .why = CUST_LOGIN_OK};
        code_for(f, 2000000000, a[i].code);
        assert_int_equal(pthread_create(&t[i], NULL, bad_login, &a[i]), 0);
    }
    int tried = 0, locked = 0;
    for (int i = 0; i < PARALLEL_LOGINS; i++) {
        pthread_join(t[i], NULL);
        tried += a[i].why == CUST_LOGIN_BAD_PASSPHRASE;
        locked += a[i].why == CUST_LOGIN_LOCKED;
    }
    pthread_barrier_destroy(&h.gate);
    assert_int_equal(tried, CUST_LOCKOUT_FAILURES);
    assert_int_equal(locked, PARALLEL_LOGINS - CUST_LOCKOUT_FAILURES);
    /* and the account is locked against the right credentials */
    char code[7], token[CUST_TOKEN_HEX];
    struct cust_session s;
    enum cust_login_reason why;
    code_for(f, 2000000001, code);
    assert_int_equal(cust_auth_login_why(f->be, "ana", "violet harbor tuesday lamp", code,
                                         2000000001, token, &s, &why, NULL),
                     CUST_EDENIED);
    assert_int_equal(why, CUST_LOGIN_LOCKED);
}

static void test_csrf(void **state)
{
    struct fixture *f = *state;
    int64_t now = 2000000000;
    char code[7], token[CUST_TOKEN_HEX];
    struct cust_session s;
    code_for(f, now, code);
    assert_int_equal(
        cust_auth_login(f->be, "ana", "violet harbor tuesday lamp", code, now, token, &s, NULL),
        CUST_OK);
    assert_true(cust_auth_csrf_ok(&s, s.csrf));
    char other[CUST_TOKEN_HEX];
    memcpy(other, s.csrf, sizeof(other));
    other[31] = other[31] == '0' ? '1' : '0';
    assert_false(cust_auth_csrf_ok(&s, other));
    assert_false(cust_auth_csrf_ok(&s, ""));
    assert_false(cust_auth_csrf_ok(&s, NULL));
    assert_false(cust_auth_csrf_ok(&s, token)); /* the session token is not the CSRF token */
    other[31] = '\0';
    assert_false(cust_auth_csrf_ok(&s, other)); /* prefix */
    /* The token survives the backend round trip. */
    struct cust_session s2;
    assert_int_equal(cust_auth_session_check(f->be, token, now + 1, &s2, NULL), CUST_OK);
    assert_true(cust_auth_csrf_ok(&s2, s.csrf));
    /* Tokens are random. */
    char t1[CUST_TOKEN_HEX], t2[CUST_TOKEN_HEX];
    cust_auth_token_new(t1);
    cust_auth_token_new(t2);
    assert_string_not_equal(t1, t2);
}

/* ---- TOTP secrets at rest ---- */

static void test_seal_round_trip(void **state)
{
    (void)state;
    uint8_t k1[CUST_TOTP_SERVER_KEY_BYTES], k2[CUST_TOTP_SERVER_KEY_BYTES];
    memset(k1, 0x11, sizeof(k1));
    memset(k2, 0x11, sizeof(k2));
    k2[31] ^= 1; /* one bit off */
    uint8_t secret[CUST_TOTP_KEY_BYTES], back[CUST_TOTP_KEY_BYTES];
    cust_totp_key_new(secret);
    uint8_t n1[CUST_TOTP_NONCE_BYTES], b1[CUST_TOTP_BOX_BYTES];
    uint8_t n2[CUST_TOTP_NONCE_BYTES], b2[CUST_TOTP_BOX_BYTES];
    cust_totp_seal(k1, secret, n1, b1);
    cust_totp_seal(k1, secret, n2, b2);
    /* a fresh nonce each time, so the same secret never seals the same way twice */
    assert_memory_not_equal(n1, n2, sizeof(n1));
    assert_memory_not_equal(b1, b2, sizeof(b1));
    /* the box does not carry the secret in the clear */
    assert_memory_not_equal(b1, secret, sizeof(secret));
    struct cust_err err = CUST_ERR_INIT;
    assert_int_equal(cust_totp_open(k1, n1, b1, back, &err), CUST_OK);
    assert_memory_equal(back, secret, sizeof(secret));
    assert_int_equal(cust_totp_open(k1, n2, b2, back, &err), CUST_OK);
    assert_memory_equal(back, secret, sizeof(secret));
    /* wrong key: refused, and nothing of the secret is left in the output */
    assert_int_equal(cust_totp_open(k2, n1, b1, back, &err), CUST_EDENIED);
    assert_non_null(strstr(err.msg, "cannot decrypt"));
    uint8_t zero[CUST_TOTP_KEY_BYTES] = {0};
    assert_memory_equal(back, zero, sizeof(zero));
    /* tampered ciphertext, tampered MAC, tampered nonce, boxes swapped between nonces */
    for (size_t i = 0; i < CUST_TOTP_BOX_BYTES; i += 7) {
        uint8_t t[CUST_TOTP_BOX_BYTES];
        memcpy(t, b1, sizeof(t));
        t[i] ^= 0x01;
        assert_int_equal(cust_totp_open(k1, n1, t, back, NULL), CUST_EDENIED);
    }
    uint8_t tn[CUST_TOTP_NONCE_BYTES];
    memcpy(tn, n1, sizeof(tn));
    tn[0] ^= 0x80;
    assert_int_equal(cust_totp_open(k1, tn, b1, back, NULL), CUST_EDENIED);
    assert_int_equal(cust_totp_open(k1, n2, b1, back, NULL), CUST_EDENIED);
}

static void test_keyfile(void **state)
{
    (void)state;
    char path[64];
    snprintf(path, sizeof(path), "/tmp/cust-auth-key.%ld.key", (long)getpid());
    unlink(path);
    struct cust_err err = CUST_ERR_INIT;
    uint8_t k[CUST_TOTP_SERVER_KEY_BYTES], k2[CUST_TOTP_SERVER_KEY_BYTES];
    /* missing: not found, unless asked to create */
    assert_int_equal(cust_totp_keyfile_load(path, false, k, &err), CUST_ENOTFOUND);
    assert_non_null(strstr(err.msg, path));
    assert_int_equal(cust_totp_keyfile_load(path, true, k, &err), CUST_OK);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_int_equal(sb.st_size, CUST_TOTP_SERVER_KEY_BYTES);
    /* read back: the same key; create on an existing file reads it, never replaces it */
    assert_int_equal(cust_totp_keyfile_load(path, false, k2, &err), CUST_OK);
    assert_memory_equal(k, k2, sizeof(k));
    assert_int_equal(cust_totp_keyfile_load(path, true, k2, &err), CUST_OK);
    assert_memory_equal(k, k2, sizeof(k));
    /* group or world may read it: refused, naming the file and the fix */
    static const mode_t bad[] = {0644, 0640, 0604, 0660, 0610};
    for (size_t i = 0; i < CUST_ARRAY_LEN(bad); i++) {
        assert_int_equal(chmod(path, bad[i]), 0);
        memset(k2, 0xAA, sizeof(k2));
        assert_int_equal(cust_totp_keyfile_load(path, false, k2, &err), CUST_EDENIED);
        assert_non_null(strstr(err.msg, path));
        assert_non_null(strstr(err.msg, "chmod 600"));
        /* the key does not leak through the output on refusal */
        uint8_t zero[CUST_TOTP_SERVER_KEY_BYTES] = {0};
        assert_memory_equal(k2, zero, sizeof(zero));
    }
    assert_int_equal(chmod(path, 0400), 0); /* owner read-only is fine */
    assert_int_equal(cust_totp_keyfile_load(path, false, k2, &err), CUST_OK);
    assert_memory_equal(k, k2, sizeof(k));
    /* wrong length */
    assert_int_equal(chmod(path, 0600), 0);
    FILE *f = fopen(path, "a");
    assert_non_null(f);
    fputc('x', f);
    fclose(f);
    assert_int_equal(cust_totp_keyfile_load(path, false, k2, &err), CUST_EINVAL);
    assert_non_null(strstr(err.msg, "expected 32 bytes"));
    unlink(path);
    /* not a regular file */
    assert_int_equal(cust_totp_keyfile_load("/tmp", false, k2, &err), CUST_EDENIED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hotp_rfc4226),
        cmocka_unit_test(test_totp_rfc6238),
        cmocka_unit_test(test_totp_window_and_replay),
        cmocka_unit_test(test_base32_and_uri),
        cmocka_unit_test(test_passphrase_policy),
        cmocka_unit_test(test_argon2id),
        cmocka_unit_test(test_session_expired_rule),
        cmocka_unit_test_setup_teardown(test_user_create, setup, teardown),
        cmocka_unit_test_setup_teardown(test_login_and_session_expiry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_session_touch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lockout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_session_rechecks_account, setup, teardown),
        cmocka_unit_test_setup_teardown(test_uniform_failures, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lockout_parallel, setup, teardown),
        cmocka_unit_test_setup_teardown(test_csrf, setup, teardown),
        cmocka_unit_test(test_seal_round_trip),
        cmocka_unit_test(test_keyfile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
