/*
 * status.h - one error enum for the whole project, plus an optional detail
 * record (curl's CURLcode + git's error() idiom).
 *
 *     if (bad)
 *         return cust_err_set(err, CUST_EINVAL, "unknown field '%s'", name);
 *
 * Every fallible function returns enum cust_status; CUST_OK is 0. `err` may be
 * NULL everywhere; when given, it receives a one-line message (lowercase, no
 * full stop, subject quoted).
 */
#ifndef CUSTODIAN_STATUS_H
#define CUSTODIAN_STATUS_H

#include "custodian/compat.h"

enum cust_status {
    CUST_OK = 0,
    CUST_ENOMEM,    /* allocation failed */
    CUST_EINVAL,    /* invalid input (CLI exit 2, HTTP 400) */
    CUST_ENOTFOUND, /* no such object (HTTP 404) */
    CUST_ECONFLICT, /* state conflict, duplicate, policy conflict (HTTP 409) */
    CUST_EDENIED,   /* refused by policy or role (HTTP 403) */
    CUST_ETOOBIG,   /* input over a cap (HTTP 413) */
    CUST_EDB,       /* storage failure (HTTP 500) */
    CUST_EIO,       /* file or network I/O failure */
    CUST_EINTEGRITY /* ledger or data integrity violation */
};

#define CUST_ERR_MSG_MAX 1024

struct cust_err {
    enum cust_status code;
    char msg[CUST_ERR_MSG_MAX];
};

#define CUST_ERR_INIT {CUST_OK, {0}}

/* Fill `err` (if non-NULL) and return `code`, so callers can `return cust_err_set(...)`. */
enum cust_status cust_err_set(struct cust_err *err, enum cust_status code, const char *fmt, ...)
    CUST_PRINTF(3, 4);

/* Reset `err` to CUST_OK with an empty message. */
void cust_err_clear(struct cust_err *err);

/* A short stable name for a status ("invalid", "not_found", ...), used in JSON errors. */
const char *cust_status_name(enum cust_status code);

/* The CLI exit code for a status: 0 ok, 2 invalid input, 1 anything else. */
int cust_status_exit_code(enum cust_status code);

#endif
