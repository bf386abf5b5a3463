/*
 * store_web.h - the store operations of the web front end (docs/internals/web.md):
 * the public locator's one narrow read, and staff accounts and sessions.
 *
 * cust_store_public_search() is the ONLY store call a public route makes. Its SQL names only
 * the allow-listed view `public_bookings` (booking number, names, booking time, facility,
 * arresting agency, charges with bail and court dates, a release date only where published),
 * so no public code path can reach citizenship, immigration, addresses, identifiers, date of
 * birth or criminal history.
 */
#ifndef CUSTODIAN_STORE_WEB_H
#define CUSTODIAN_STORE_WEB_H

#include "custodian/auth.h"
#include "custodian/store.h"

/* A locator search. At least one of last_name / booking_number must be given. */
struct cust_public_query {
    const char *last_name;      /* exact, compared in upper case, or NULL */
    const char *first_name;     /* prefix, upper case, or NULL */
    const char *booking_number; /* exact, or NULL */
    const char *dob;            /* exact `YYYY-MM-DD` (a filter only, never returned), or NULL;
                                 * a partial date of birth in the store never equals one */
    int64_t booked_before;      /* only bookings booked at or before this Unix time */
    int32_t today;              /* in custody on this day: not released, or released after it */
    unsigned limit;             /* at most this many rows */
};

/* One public row; strings borrowed for the duration of the callback. */
struct cust_public_row {
    const char *booking_number;
    const char *last_name, *first_name, *middle_name;
    const char *booked_at, *facility, *arresting_agency;
    const char *charges_json;      /* JSON array from the view */
    const char *scheduled_release; /* NULL unless the booking's release date is public */
};

typedef enum cust_status (*cust_public_fn)(const struct cust_public_row *row, void *arg);

/* A staff account as listed (no secrets). */
struct cust_user_row {
    const char *name, *role, *created_at;
    bool disabled;
};
typedef enum cust_status (*cust_user_fn)(const struct cust_user_row *row, void *arg);

struct cust_store_web_ops {
    enum cust_status (*public_search)(void *impl, const struct cust_public_query *q,
                                      cust_public_fn fn, void *arg, struct cust_err *err);
    enum cust_status (*user_get)(void *impl, const char *name, struct cust_user *out,
                                 struct cust_err *err);
    enum cust_status (*user_put)(void *impl, const struct cust_user *u, struct cust_err *err);
    enum cust_status (*user_failure)(void *impl, const char *name, int64_t now, unsigned max,
                                     int64_t lock_s, struct cust_err *err);
    enum cust_status (*user_success)(void *impl, const char *name, int64_t step,
                                     struct cust_err *err);
    enum cust_status (*user_list)(void *impl, cust_user_fn fn, void *arg, struct cust_err *err);
    enum cust_status (*session_get)(void *impl, const char *id, struct cust_session *out,
                                    struct cust_err *err);
    enum cust_status (*session_put)(void *impl, const struct cust_session *s, struct cust_err *err);
    enum cust_status (*session_delete)(void *impl, const char *id, struct cust_err *err);
};

/* Rows of public_bookings matching `q` (in custody on q->today, booked at or before
 * q->booked_before),
 * ordered by name then booking number, at most q->limit. CUST_EINVAL without a last name and
 * a booking number (no listing of everyone). */
enum cust_status cust_store_public_search(struct cust_store *s, const struct cust_public_query *q,
                                          cust_public_fn fn, void *arg, struct cust_err *err);

/* Accounts. CUST_ENOTFOUND for an unknown name. */
enum cust_status cust_store_user_get(struct cust_store *s, const char *name, struct cust_user *out,
                                     struct cust_err *err);
/* Insert or replace an account. */
enum cust_status cust_store_user_put(struct cust_store *s, const struct cust_user *u,
                                     struct cust_err *err);
/* One atomic UPDATE: failures += 1; at `max`: locked_until = now + lock_s, failures = 0. */
enum cust_status cust_store_user_failure(struct cust_store *s, const char *name, int64_t now,
                                         unsigned max, int64_t lock_s, struct cust_err *err);
/* One atomic UPDATE: if totp_last_step < step, set it and failures = 0; else CUST_ECONFLICT. */
enum cust_status cust_store_user_success(struct cust_store *s, const char *name, int64_t step,
                                         struct cust_err *err);
/* Every account by name. */
enum cust_status cust_store_user_list(struct cust_store *s, cust_user_fn fn, void *arg,
                                      struct cust_err *err);
/* Sessions by id (the hash of the bearer token). */
enum cust_status cust_store_session_get(struct cust_store *s, const char *id,
                                        struct cust_session *out, struct cust_err *err);
enum cust_status cust_store_session_put(struct cust_store *s, const struct cust_session *sess,
                                        struct cust_err *err);
enum cust_status cust_store_session_delete(struct cust_store *s, const char *id,
                                           struct cust_err *err);

#endif
