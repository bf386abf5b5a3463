/*
 * auth.h - staff authentication primitives: roles, passphrases (Argon2id), TOTP, sessions,
 * lockout, CSRF. Persistence goes through `struct cust_auth_backend` (an in-memory one ships
 * for tests; the store provides the real one).
 *
 * Time is always passed in (`now`, Unix seconds) so tests control the clock.
 *
 *     struct cust_session s;
 *     if (cust_auth_login(be, name, pass, code, now, &s, &err) == CUST_OK)
 *         set cookie s.token (HttpOnly, SameSite=Strict), embed s.csrf in forms
 */
#ifndef CUSTODIAN_AUTH_H
#define CUSTODIAN_AUTH_H

#include "custodian/buf.h"
#include "custodian/status.h"

/* ---- roles and actions: ONE matrix in src/auth/roles.c, deny by default -------------------- */

enum cust_role {
    CUST_ROLE_NONE = 0, /* unknown / not logged in: allowed nothing */
    CUST_ROLE_CLERK,
    CUST_ROLE_SUPERVISOR,
    CUST_ROLE_COUNSEL,
    CUST_ROLE_AUDITOR,
    CUST_ROLE_ADMIN,
    CUST_ROLE_COUNT
};

enum cust_action {
    CUST_ACT_ROSTER_READ,            /* roster.read */
    CUST_ACT_PERSON_READ_RESTRICTED, /* person.read_restricted */
    CUST_ACT_REQUEST_READ,           /* request.read */
    CUST_ACT_REQUEST_CREATE,         /* request.create */
    CUST_ACT_REQUEST_DECIDE,         /* request.decide */
    CUST_ACT_REQUEST_ACT,            /* request.act */
    CUST_ACT_REQUEST_CONFIRM_MATCH,  /* request.confirm_match */
    CUST_ACT_REQUEST_FULFILL,        /* request.fulfill */
    CUST_ACT_DUTY_READ,              /* duty.read */
    CUST_ACT_DUTY_COMPLETE,          /* duty.complete */
    CUST_ACT_AUDIT_READ,             /* audit.read */
    CUST_ACT_USER_MANAGE,            /* user.manage */
    CUST_ACT_POLICY_READ,            /* policy.read */
    CUST_ACT_REPORT_READ,            /* report.read: statistics, transfer report, forum pack */
    CUST_ACT_OVERSIGHT_READ,         /* oversight.read: the inspector general's view */
    CUST_ACT_RECORDS_EXPORT,         /* records.export: the public-records (CPRA) export */
    CUST_ACT_ENFORCEMENT_CREATE,     /* enforcement.create: record an enforcement action */
    CUST_ACT_ENFORCEMENT_READ,       /* enforcement.read: the log with names, its CSV */
    CUST_ACT_REQUEST_CLOSE, /* request.close: end a request by hand (close, withdraw, lift, expire)
                             */
    CUST_ACT_COUNT
};

/* "clerk", "supervisor", ... ; NULL for CUST_ROLE_NONE or out of range. */
const char *cust_role_name(enum cust_role role);
/* Parse a role name; false (and *out = CUST_ROLE_NONE) when unknown. */
bool cust_role_parse(const char *name, enum cust_role *out);
/* "roster.read", ... ; NULL out of range. */
const char *cust_action_name(enum cust_action action);
bool cust_action_parse(const char *name, enum cust_action *out);
/* The matrix. Anything out of range, CUST_ROLE_NONE, or not listed: false. */
bool cust_role_allows(enum cust_role role, enum cust_action action);
/* By name (unknown role or action: false). */
bool cust_role_allows_name(const char *role, const char *action);
/* The roles that may take `action`, as text ("supervisor, counsel"; "" when none), for a
 * refusal that says who may. */
void cust_action_roles(enum cust_action action, char *buf, size_t size);

/* ---- passphrases ---------------------------------------------------------------------------- */

#define CUST_PASS_MIN_CHARS 15  /* Unicode code points */
#define CUST_PASS_MAX_BYTES 128 /* UTF-8 bytes */

/* A set of forbidden passphrases (lowercased). */
struct cust_blocklist;

struct cust_blocklist *cust_blocklist_new(void);
void cust_blocklist_free(struct cust_blocklist *bl);
/* Add one entry (lowercased on insert). */
void cust_blocklist_add(struct cust_blocklist *bl, const char *word);
/* Load a file: one entry a line, '#' comments and blank lines skipped. Appends to *out or
 * creates it when *out is NULL. */
enum cust_status cust_blocklist_load(const char *path, struct cust_blocklist **out,
                                     struct cust_err *err);
/* Whether `pass` (lowercased; also with trailing digits/punctuation stripped) is listed. */
bool cust_blocklist_contains(const struct cust_blocklist *bl, const char *pass);
size_t cust_blocklist_size(const struct cust_blocklist *bl);

/*
 * The passphrase policy: valid UTF-8 without control characters, >= 15 code points,
 * <= 128 bytes; not on the blocklist (may be NULL); not one short unit repeated
 * ("passwordpassword", "aaaaaaaaaaaaaaa"); not an ascending/descending run or a keyboard walk
 * ("abcdefghijklmnop", "123456789012345", "qwertyuiopasdfgh"); not containing `username`
 * (may be NULL). CUST_EINVAL with the reason.
 */
enum cust_status cust_passphrase_check(const char *pass, const char *username,
                                       const struct cust_blocklist *bl, struct cust_err *err);

/* Argon2id cost. Interactive = libsodium's OPSLIMIT/MEMLIMIT_INTERACTIVE (2 passes, 64 MiB). */
struct cust_pwhash_limits {
    unsigned long long ops;
    size_t mem;
};

#define CUST_PWHASH_STRBYTES 128

/* Libsodium interactive limits; tests use cust_pwhash_min() (fast, insecure). */
struct cust_pwhash_limits cust_pwhash_interactive(void);
struct cust_pwhash_limits cust_pwhash_min(void);

/* Hash into the PHC string "$argon2id$v=19$m=...". `lim` NULL = interactive. */
enum cust_status cust_passphrase_hash(const char *pass, const struct cust_pwhash_limits *lim,
                                      char out[CUST_PWHASH_STRBYTES], struct cust_err *err);
/* Constant-time verify of `pass` against a stored hash string. */
bool cust_passphrase_verify(const char *hash, const char *pass);

/* ---- TOTP (RFC 6238 over RFC 4226 HOTP, HMAC-SHA1 from nettle) ----------------------------- */

#define CUST_TOTP_KEY_BYTES 20 /* 160-bit secrets (RFC 4226 recommendation) */
#define CUST_TOTP_STEP      30
#define CUST_TOTP_DIGITS    6
#define CUST_TOTP_WINDOW    1 /* accept codes of the previous and next step too */

/* HOTP value for `counter`, truncated to `digits` (6..8). */
uint32_t cust_hotp(const uint8_t *key, size_t keylen, uint64_t counter, unsigned digits);
/* TOTP value at `unix_time` with `step` seconds (T0 = 0). */
uint32_t cust_totp(const uint8_t *key, size_t keylen, int64_t unix_time, unsigned step,
                   unsigned digits);

/*
 * Check a 6-digit code at `now` within +-1 step. One use per code: the matched step must be
 * greater than *last_step (the last step accepted for this user); on success *last_step is
 * set to the matched step. CUST_EDENIED for a wrong or replayed code, CUST_EINVAL for a
 * malformed one.
 */
enum cust_status cust_totp_verify(const uint8_t *key, size_t keylen, const char *code, int64_t now,
                                  int64_t *last_step, struct cust_err *err);

/* RFC 4648 base32 without padding; returns the length written (out gets a NUL). */
size_t cust_base32_encode(const uint8_t *in, size_t n, char *out, size_t outcap);
/* Decode base32 (case-insensitive, '=' padding and spaces ignored). */
enum cust_status cust_base32_decode(const char *s, uint8_t *out, size_t cap, size_t *outlen,
                                    struct cust_err *err);
/* A fresh random secret. */
void cust_totp_key_new(uint8_t key[CUST_TOTP_KEY_BYTES]);
/* otpauth://totp/custodian:NAME?secret=B32&issuer=custodian&algorithm=SHA1&digits=6&period=30 */
enum cust_status cust_totp_uri(const char *user, const uint8_t *key, size_t keylen,
                               struct cust_buf *out);

/* ---- TOTP secrets at rest (libsodium crypto_secretbox: XSalsa20-Poly1305) ------------------ */

#define CUST_TOTP_SERVER_KEY_BYTES 32                         /* crypto_secretbox_KEYBYTES */
#define CUST_TOTP_NONCE_BYTES      24                         /* crypto_secretbox_NONCEBYTES */
#define CUST_TOTP_BOX_BYTES        (CUST_TOTP_KEY_BYTES + 16) /* secret + MAC */

/* Encrypt `secret` under the server key with a fresh random nonce (written to `nonce`). */
void cust_totp_seal(const uint8_t server_key[CUST_TOTP_SERVER_KEY_BYTES],
                    const uint8_t secret[CUST_TOTP_KEY_BYTES], uint8_t nonce[CUST_TOTP_NONCE_BYTES],
                    uint8_t box[CUST_TOTP_BOX_BYTES]);
/* Decrypt and authenticate a sealed secret. CUST_EDENIED (and `secret` zeroed) for a wrong
 * key or a tampered nonce/box. The caller sodium_memzero()s `secret` after use. */
enum cust_status cust_totp_open(const uint8_t server_key[CUST_TOTP_SERVER_KEY_BYTES],
                                const uint8_t nonce[CUST_TOTP_NONCE_BYTES],
                                const uint8_t box[CUST_TOTP_BOX_BYTES],
                                uint8_t secret[CUST_TOTP_KEY_BYTES], struct cust_err *err);
/*
 * Read the 32-byte server key from `path`. A missing file is CUST_ENOTFOUND, unless `create`:
 * then 32 random bytes are written to a new file of mode 0600 (O_EXCL, fsync'd). Refused
 * (CUST_EDENIED) when the file is not a regular file or its mode gives group or others any
 * access (the message names the file and the `chmod 600` fix); CUST_EINVAL when it is not
 * exactly 32 bytes. The key is never written anywhere else (no log, no error text).
 */
enum cust_status cust_totp_keyfile_load(const char *path, bool create,
                                        uint8_t key[CUST_TOTP_SERVER_KEY_BYTES],
                                        struct cust_err *err);

/* ---- accounts, sessions, lockout ------------------------------------------------------------ */

#define CUST_SESSION_IDLE_S     (30 * 60)
#define CUST_SESSION_ABSOLUTE_S (12 * 60 * 60)
#define CUST_SESSION_TOUCH_S    60 /* last_seen is written at most this often */
#define CUST_LOCKOUT_FAILURES   5
#define CUST_LOCKOUT_S          (10 * 60)
#define CUST_TOKEN_HEX          33 /* 128-bit token as 32 hex digits + NUL */
#define CUST_USER_NAME_MAX      64

struct cust_user {
    char name[CUST_USER_NAME_MAX];
    enum cust_role role;
    char pwhash[CUST_PWHASH_STRBYTES];
    uint8_t totp_key[CUST_TOTP_KEY_BYTES]; /* the clear secret (in memory only) */
    /* At rest (the store's backend): totp_sealed says totp_nonce/totp_box hold the secret
     * encrypted under the server key and totp_key is unused; the web backend seals on put
     * and opens on get (web.md). The memory backend keeps totp_key and leaves these unset. */
    bool totp_sealed;
    uint8_t totp_nonce[CUST_TOTP_NONCE_BYTES];
    uint8_t totp_box[CUST_TOTP_BOX_BYTES];
    int64_t totp_last_step; /* last accepted TOTP step (replay protection) */
    unsigned failures;      /* consecutive failed logins */
    int64_t locked_until;   /* Unix seconds; 0 = not locked */
    bool disabled;
};

struct cust_session {
    char id[65]; /* hex BLAKE2b-256 of the token: what the backend stores */
    char csrf[CUST_TOKEN_HEX];
    char user[CUST_USER_NAME_MAX];
    enum cust_role role;
    int64_t created;
    int64_t last_seen;
};

/*
 * Where accounts and sessions live. Every function returns CUST_OK, CUST_ENOTFOUND, or a
 * storage error, which it describes in `err` (may be NULL; the store's words, e.g. "disk I/O
 * error (No space left on device)"). claim_attempt and record_success must be atomic in the
 * backend (one UPDATE), so concurrent logins cannot lose a failure or reuse a TOTP step.
 */
struct cust_auth_backend {
    void *ctx;
    enum cust_status (*get_user)(void *ctx, const char *name, struct cust_user *out,
                                 struct cust_err *err);
    /* insert or replace */
    enum cust_status (*put_user)(void *ctx, const struct cust_user *u, struct cust_err *err);
    /* Claim one sign-in attempt before it is checked, in one atomic step: when the account is
     * not locked (locked_until <= now), failures += 1 and, when that reaches `max`,
     * locked_until = now + lock_s and failures = 0; CUST_OK. Locked: nothing changes,
     * CUST_EDENIED. So no more than `max` attempts are ever checked, however many run at once
     * (issue 12: checking the lock before the slow passphrase check let 16 parallel tries in). */
    enum cust_status (*claim_attempt)(void *ctx, const char *name, int64_t now, unsigned max,
                                      int64_t lock_s, struct cust_err *err);
    /* If totp_last_step < step: set it, failures = 0, locked_until = 0, OK. Else
     * CUST_ECONFLICT (replay). */
    enum cust_status (*record_success)(void *ctx, const char *name, int64_t step,
                                       struct cust_err *err);
    enum cust_status (*get_session)(void *ctx, const char *id, struct cust_session *out,
                                    struct cust_err *err);
    enum cust_status (*put_session)(void *ctx, const struct cust_session *s, struct cust_err *err);
    enum cust_status (*delete_session)(void *ctx, const char *id, struct cust_err *err);
};

/*
 * Accounts and sessions kept in the store (store_accounts.h keeps rows, the role as text): read
 * into and written from auth's records. A role the matrix does not know reads as
 * CUST_ROLE_NONE (allowed nothing); a TOTP secret is copied as stored, sealed or clear (a
 * malformed sealed row reads as sealed with a zero box, which never opens). CUST_ENOTFOUND for
 * an unknown name or session.
 */
struct cust_store;
enum cust_status cust_auth_store_user_get(struct cust_store *s, const char *name,
                                          struct cust_user *out, struct cust_err *err);
enum cust_status cust_auth_store_user_put(struct cust_store *s, const struct cust_user *u,
                                          struct cust_err *err);
enum cust_status cust_auth_store_session_get(struct cust_store *s, const char *id,
                                             struct cust_session *out, struct cust_err *err);
enum cust_status cust_auth_store_session_put(struct cust_store *s, const struct cust_session *se,
                                             struct cust_err *err);

/* ---- account administration (src/auth/admin.c) --------------------------------------------- */

enum cust_user_change {
    CUST_USER_DISABLE,  /* disabled = 1 and every session ended (ledger: user_disable) */
    CUST_USER_ENABLE,   /* disabled = 0; ended sessions stay ended (user_enable) */
    CUST_USER_SET_ROLE, /* a new role, in force on the account's next request (user_role) */
    CUST_USER_REVOKE,   /* every session ended; the account stays (user_revoke) */
};

/* The ledger action of a change ("user_disable", ...); NULL out of range. */
const char *cust_user_change_name(enum cust_user_change what);

/*
 * Change account `name` in the store: the change and its ledger entry (by `actor` acting as
 * `actor_role`; detail: the role before, the new role, how many sessions ended) are one
 * transaction. `role` is used by CUST_USER_SET_ROLE only. *sessions_ended (may be NULL) gets
 * how many sessions were ended. CUST_ENOTFOUND for an unknown name. Because every session
 * check re-reads the account (cust_auth_session_check), a change takes effect on the
 * account's very next request.
 */
enum cust_status cust_auth_user_change(struct cust_store *s, const char *name,
                                       enum cust_user_change what, enum cust_role role,
                                       const char *actor, const char *actor_role,
                                       size_t *sessions_ended, struct cust_err *err);

/* An in-memory, mutex-protected backend (tests, demos). Free with cust_auth_memory_free. */
struct cust_auth_backend *cust_auth_memory_new(void);
void cust_auth_memory_free(struct cust_auth_backend *be);

/*
 * Create an account: checks the name and passphrase policy, hashes, makes a TOTP key.
 * `key_out` (may be NULL) receives the TOTP secret for the provisioning URI.
 * CUST_ECONFLICT if the name exists.
 */
enum cust_status cust_auth_user_create(const struct cust_auth_backend *be, const char *name,
                                       enum cust_role role, const char *pass,
                                       const struct cust_blocklist *bl,
                                       const struct cust_pwhash_limits *lim,
                                       uint8_t key_out[CUST_TOTP_KEY_BYTES], struct cust_err *err);

/* Why a sign-in failed: for the ledger and the operator, never for the person signing in. */
enum cust_login_reason {
    CUST_LOGIN_OK = 0,
    CUST_LOGIN_UNKNOWN,        /* no such account (or a malformed name) */
    CUST_LOGIN_BAD_PASSPHRASE, /* wrong passphrase (the code may be wrong too) */
    CUST_LOGIN_BAD_CODE,       /* right passphrase, wrong or replayed TOTP code */
    CUST_LOGIN_LOCKED,         /* locked after CUST_LOCKOUT_FAILURES failures */
    CUST_LOGIN_DISABLED,       /* the account is disabled */
    CUST_LOGIN_ERROR,          /* the backend failed */
};
/* "ok", "unknown", "bad_passphrase", "bad_code", "locked", "disabled", "error". */
const char *cust_login_reason_name(enum cust_login_reason why);

/*
 * Log in with passphrase + TOTP code at `now`. On success a new session is stored and `token`
 * receives the 128-bit bearer token (hex) for the cookie (only its hash is stored) and `out`
 * the session (with its CSRF token).
 *
 * Uniform failures (issue 12): an unknown name, a wrong passphrase, a wrong or replayed code, a
 * locked and a disabled account are all CUST_EDENIED with the one message "invalid name,
 * passphrase or code", and each costs one Argon2id verification and one TOTP check, so neither
 * the answer nor its time tells them apart. Each attempt on an account is claimed atomically
 * before it is checked (claim_attempt): the 5th consecutive failure locks the account for 10
 * minutes, during which even correct credentials are refused, and parallel attempts cannot
 * get past the limit. `why` (may be NULL) receives the reason, for the ledger.
 */
enum cust_status cust_auth_login_why(const struct cust_auth_backend *be, const char *name,
                                     const char *pass, const char *code, int64_t now,
                                     char token[CUST_TOKEN_HEX], struct cust_session *out,
                                     enum cust_login_reason *why, struct cust_err *err);
/* cust_auth_login_why without the reason. */
enum cust_status cust_auth_login(const struct cust_auth_backend *be, const char *name,
                                 const char *pass, const char *code, int64_t now,
                                 char token[CUST_TOKEN_HEX], struct cust_session *out,
                                 struct cust_err *err);

/*
 * Resolve a cookie token at `now`: expired sessions (30 min idle, 12 h absolute) are deleted
 * and refused (CUST_EDENIED); so is the session of an account that is gone, disabled or holds
 * no known role (the account is re-read on every check). A valid one gets last_seen = now and
 * the account's role of now in `out->role`; last_seen is written to the backend only when the
 * stored one is CUST_SESSION_TOUCH_S or more old (so idle expiry may come up to that much early,
 * never late).
 */
enum cust_status cust_auth_session_check(const struct cust_auth_backend *be, const char *token,
                                         int64_t now, struct cust_session *out,
                                         struct cust_err *err);

/* Delete the session of `token` (logout). Unknown tokens are fine. */
enum cust_status cust_auth_logout(const struct cust_auth_backend *be, const char *token);

/* Constant-time check of a submitted CSRF token against the session's. */
bool cust_auth_csrf_ok(const struct cust_session *s, const char *submitted);

/* Pure expiry rule (for tests and the store's sweeper). */
bool cust_session_expired(const struct cust_session *s, int64_t now);

/* 128 random bits as 32 lowercase hex digits. */
void cust_auth_token_new(char out[CUST_TOKEN_HEX]);

#endif
