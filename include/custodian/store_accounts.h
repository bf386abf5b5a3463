/*
 * store_accounts.h - the store's staff accounts and sessions (docs/internals/store.md).
 *
 * Rows, not roles: an account's role is text here; the auth module (auth.h) gives it meaning
 * and converts rows to and from its own records (cust_auth_user_from_row ...). The store knows
 * nothing of roles, passphrases or TOTP beyond the bytes it keeps.
 *
 * As in store.h, strings and byte arrays in the value types are borrowed: the caller owns what
 * it passes in; in a callback, the row's are valid only during the call. NULL means absent.
 */
#ifndef CUSTODIAN_STORE_ACCOUNTS_H
#define CUSTODIAN_STORE_ACCOUNTS_H

#include "custodian/store.h"

/* A staff account as stored. */
struct cust_account_row {
    const char *name;
    const char *role;   /* text ("clerk", "supervisor", ...) */
    const char *pwhash; /* the passphrase hash (Argon2id string) */
    /* The TOTP secret: sealed (a secretbox, `totp_secret` the box) when `totp_nonce` is set,
     * else the clear secret of a row from before schema migration 6. */
    const unsigned char *totp_secret;
    size_t totp_secret_len;
    const unsigned char *totp_nonce; /* NULL: not sealed */
    size_t totp_nonce_len;
    int64_t totp_last_step; /* last accepted TOTP step (replay protection) */
    unsigned failures;      /* consecutive failed sign-ins */
    int64_t locked_until;   /* Unix seconds; 0 = not locked */
    bool disabled;
    const char *created_at; /* RFC 3339 UTC (read only; set by the store on insert) */
};

/* A staff account as listed (no secrets). */
struct cust_user_row {
    const char *name, *role, *created_at;
    bool disabled;
};

/* A session as stored: the id is the hash of the bearer token. */
struct cust_session_row {
    const char *id, *csrf, *user;
    const char *role; /* text: the user's role when the session began */
    int64_t created, last_seen;
};

typedef enum cust_status (*cust_account_row_fn)(const struct cust_account_row *row, void *arg);
typedef enum cust_status (*cust_user_fn)(const struct cust_user_row *row, void *arg);
typedef enum cust_status (*cust_session_row_fn)(const struct cust_session_row *row, void *arg);

/* An account (the callback runs once with it). CUST_ENOTFOUND for an unknown name. */
enum cust_status cust_store_account_get(struct cust_store *s, const char *name,
                                        cust_account_row_fn fn, void *arg, struct cust_err *err);
/* Insert or replace an account (created_at is kept on a replace). */
enum cust_status cust_store_account_put(struct cust_store *s, const struct cust_account_row *a,
                                        struct cust_err *err);
/* Claim a sign-in attempt, one atomic UPDATE: when not locked (locked_until <= now),
 * failures += 1 and at `max` locked_until = now + lock_s, failures = 0 (CUST_OK); when locked,
 * nothing changes (CUST_EDENIED). CUST_ENOTFOUND for an unknown name. */
enum cust_status cust_store_user_claim(struct cust_store *s, const char *name, int64_t now,
                                       unsigned max, int64_t lock_s, struct cust_err *err);
/* One atomic UPDATE: if totp_last_step < step, set it, failures = 0 and locked_until = 0;
 * else CUST_ECONFLICT. */
enum cust_status cust_store_user_success(struct cust_store *s, const char *name, int64_t step,
                                         struct cust_err *err);
/* Every account by name. */
enum cust_status cust_store_user_list(struct cust_store *s, cust_user_fn fn, void *arg,
                                      struct cust_err *err);
/* Sessions by id (the hash of the bearer token). CUST_ENOTFOUND for an unknown one. */
enum cust_status cust_store_session_get(struct cust_store *s, const char *id,
                                        cust_session_row_fn fn, void *arg, struct cust_err *err);
enum cust_status cust_store_session_put(struct cust_store *s, const struct cust_session_row *row,
                                        struct cust_err *err);
enum cust_status cust_store_session_delete(struct cust_store *s, const char *id,
                                           struct cust_err *err);

/* One UPDATE each: an account's role (text) or whether it is disabled. CUST_ENOTFOUND for an
 * unknown name. */
enum cust_status cust_store_user_set_role(struct cust_store *s, const char *name, const char *role,
                                          struct cust_err *err);
enum cust_status cust_store_user_set_disabled(struct cust_store *s, const char *name, bool disabled,
                                              struct cust_err *err);
/* The sessions of `user`, oldest first. */
enum cust_status cust_store_session_list(struct cust_store *s, const char *user,
                                         cust_session_row_fn fn, void *arg, struct cust_err *err);
/* Delete every session of `user`; *ended (may be NULL) receives how many there were. */
enum cust_status cust_store_session_end_all(struct cust_store *s, const char *user, size_t *ended,
                                            struct cust_err *err);

#endif
