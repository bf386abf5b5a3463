/*
 * store_published.h - the published public view's file (store.h cust_store_publish), written
 * the same way from either backend: a new SQLite file holding the table public_bookings (the
 * view's allow-listed columns, CUST_PUBLISHED_COLS), its indexes and one row saying when
 * it was made; written beside OUT, synced, renamed over it. Each backend reads its own view and
 * hands the rows over as values (store_rows.h cust_val). Not a public header.
 */
#ifndef CUSTODIAN_STORE_PUBLISHED_H
#define CUSTODIAN_STORE_PUBLISHED_H

#include "custodian/status.h"
#include "custodian/store_rows.h"

#include <stdint.h>

/* The columns of public_bookings a published file keeps, in this order: what the locator shows
 * and what it filters and orders by, nothing else. unreleased, released_day and booked_ts are
 * integers, the others text. */
#define CUST_PUBLISHED_COLS                                                                        \
    "booking_number, last_name, first_name, middle_name, booked_at, facility, arresting_agency,"   \
    " charges, scheduled_release, dob, unreleased, released_day, booked_ts, last_key, first_key"
#define CUST_PUBLISHED_NCOLS 15
/* The rows a publish on `today` keeps (the parameter ?1 is today): the locator's, today or
 * later. */
#define CUST_PUBLISHED_WHERE " WHERE unreleased OR released_day > ?1"

struct cust_published;

/* Start the file for `out`: OUT.publishing-PID, empty, with its schema. */
enum cust_status cust_published_begin(const char *out, struct cust_published **p,
                                      struct cust_err *err);
/* One row: CUST_PUBLISHED_NCOLS values in CUST_PUBLISHED_COLS order. */
enum cust_status cust_published_row(struct cust_published *p, const struct cust_val *v,
                                    struct cust_err *err);
/* Finish: the indexes, the `published` row, synced, renamed over `out` (the folder synced).
 * *rows: how many rows it holds. On failure (or when `ok` is false: the caller failed) the
 * file beside is removed and `out` left as it was. Frees p. */
enum cust_status cust_published_end(struct cust_published *p, bool ok, int64_t *rows,
                                    struct cust_err *err);

#endif
