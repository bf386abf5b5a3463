/*
 * store_reports.h - the store's part for oversight reports (reports.h) and the
 * enforcement-action log: requests by time of receipt, the facts a report may show about a
 * person (sex, date of birth, citizenship as recorded), and the log's append-only rows.
 *
 * Every other record a report reads (links, decisions, actions, transfers, disclosures,
 * documents, duties) comes through the request operations (store_requests.h), so a figure in a
 * report is computed from exactly the rows the desk wrote. See docs/internals/reports.md.
 */
#ifndef CUSTODIAN_STORE_REPORTS_H
#define CUSTODIAN_STORE_REPORTS_H

#include "custodian/store.h"
#include "custodian/store_requests.h"

/* What a report may say about a person: never a name, an identifier or an address. */
struct cust_report_person {
    int64_t person_id;
    const char *sex;                 /* as recorded, or NULL */
    const char *dob;                 /* YYYY-MM-DD or partial, or NULL */
    const char *citizenship_status;  /* best-sourced status (citizen | non_citizen | unknown) */
    const char *citizenship_country; /* the country recorded with that status, or NULL */
};

/* One entry of the enforcement-action log (federal enforcement seen in the county). */
struct cust_enforcement {
    int64_t id;
    const char *occurred_at; /* RFC 3339 as given */
    int64_t occurred_ts;     /* Unix seconds */
    int occurred_offset;     /* minutes east of UTC, as given */
    const char *area;        /* the area counted on the public page (e.g. "Boyle Heights") */
    const char *place;       /* address or description of the place, or NULL */
    const char *agency;      /* e.g. "ICE ERO", "CBP", "HSI" */
    int64_t detained;        /* persons detained (at least the names given) */
    const char *persons;     /* JSON array of {"name": ...} when known (restricted), or "[]" */
    const char *reasons;     /* reasons given, or NULL */
    const char *source;      /* where it came from (witness, agency statement, press) */
    const char *note;        /* or NULL */
    int64_t supersedes;      /* the entry this one corrects, or 0 */
    const char *recorded_by, *recorded_at;
};

typedef enum cust_status (*cust_report_person_fn)(const struct cust_report_person *p, void *arg);
typedef enum cust_status (*cust_enforcement_fn)(const struct cust_enforcement *e, void *arg);

/* Requests received in [from_ts, to_ts) (CUST_NO_TIME: unbounded), by receipt time, then id. */
enum cust_status cust_store_requests_between(struct cust_store *s, int64_t from_ts, int64_t to_ts,
                                             cust_request_row_fn fn, void *arg,
                                             struct cust_err *err);
/* One person's report facts (CUST_ENOTFOUND when there is no such person). */
enum cust_status cust_store_report_person(struct cust_store *s, int64_t person_id,
                                          cust_report_person_fn fn, void *arg,
                                          struct cust_err *err);
/* Append a log entry (e->id ignored; *id may be NULL). Call inside the transaction that also
 * appends its ledger entry. */
enum cust_status cust_store_enforcement_put(struct cust_store *s, const struct cust_enforcement *e,
                                            int64_t *id, struct cust_err *err);
/* Log entries that occurred in [from_ts, to_ts) (CUST_NO_TIME: unbounded), by time, then id. */
enum cust_status cust_store_enforcement_list(struct cust_store *s, int64_t from_ts, int64_t to_ts,
                                             cust_enforcement_fn fn, void *arg,
                                             struct cust_err *err);

#endif
