/*
 * reports_internal.h - shared between the files of src/reports (not a public header).
 */
#ifndef CUSTODIAN_REPORTS_INTERNAL_H
#define CUSTODIAN_REPORTS_INTERNAL_H

#include "custodian/reports.h"
#include "custodian/store_requests.h"
#include "custodian/store_reports.h"

/* One action recorded on a request (done or declined). */
struct rp_action {
    int64_t id, person_id, decision_id;
    char *action, *verdict, *outcome, *by, *reason, *at_text;
    int64_t at; /* Unix seconds */
};

/* One decision stored for a request (the whole JSON kept only when asked). */
struct rp_decision {
    int64_t id, person_id;
    char *booking_number, *decided_by, *decided_at, *policy_id, *policy_version;
    json_t *json; /* NULL unless collected with details */
};

struct rp_link {
    int64_t person_id;
    char *booking_number;
    char *confirmed_by;
    int64_t confirmed_ts; /* CUST_NO_TIME when unknown */
    char *outside_reason; /* confirmed outside the match candidates: why; else NULL */
};

/* A request and what happened to it. */
struct rp_req {
    char *id, *kind, *form, *agency, *office, *status, *status_reason, *received_at;
    int64_t received_ts;
    int32_t day;    /* local day of receipt (county zone) */
    unsigned asks;  /* enum cust_request_asks (the kind's defaults when not given) */
    unsigned items; /* enum cust_request_items */
    bool population;
    struct rp_link *links; /* confirmed persons */
    size_t nlinks;
    struct rp_decision *decs;
    size_t ndecs;
    struct rp_action *acts;
    size_t nacts;
    char **duties; /* the duty ids created for it (decide.md), in order */
    size_t nduties;
};
/* Whether the request has a duty `duty`. */
bool rp_has_duty(const struct rp_req *q, const char *duty);

struct rp_set {
    struct rp_req *v;
    size_t n, cap;
};

/* Requests received in [from_ts, to_ts) (CUST_NO_TIME: unbounded) with their confirmed links,
 * decisions and actions; decision JSON too when `decision_json`. */
enum cust_status rp_collect(struct cust_store *s, int64_t from_ts, int64_t to_ts,
                            bool decision_json, struct rp_set *out, struct cust_err *err);
void rp_set_free(struct rp_set *set);
/* The request of that id in the set (binary search: the set is sorted by id after collect). */
const struct rp_req *rp_find(const struct rp_set *set, const char *id);

/* The period [from, to] (local days) as instants [*from_ts, *to_ts). */
void rp_period(int32_t from, int32_t to, int64_t *from_ts, int64_t *to_ts);
/* "YYYY-MM-DD" of a local day; "YYYY-MM" of its month. */
void rp_day_text(int32_t day, char out[11]);
void rp_month_text(int32_t day, char out[8]);
/* The months of [from, to] in order: count, and index of a day's month. */
size_t rp_months(int32_t from, int32_t to);
size_t rp_month_index(int32_t from, int32_t day);
/* The first day of the i-th month of the period (for labels). */
int32_t rp_month_day(int32_t from, size_t i);
/* The report's header members: report, from, to, zone, generated_at. */
json_t *rp_header(const char *report, int32_t from, int32_t to);

/* What a report may say about a person, cached by id. */
struct rp_person {
    int64_t id;
    char *sex, *dob, *citizenship_status, *country;
};
struct rp_people {
    struct rp_person *v;
    size_t n, cap;
};
/* The person's facts (loaded once); NULL when the person is unknown. */
const struct rp_person *rp_person_get(struct cust_store *s, struct rp_people *pp, int64_t id,
                                      struct cust_err *err);
void rp_people_free(struct rp_people *pp);
/* Age band on `day` from a (possibly partial) date of birth: "under 18", "18-24", ...,
 * "65 and over", "unknown". */
const char *rp_age_band(const char *dob, int32_t day);
extern const char *const rp_age_bands[];
extern const size_t rp_nage_bands;

/* Counting by name: a JSON object of integers. */
void rp_count(json_t *obj, const char *key, json_int_t by);
/* `obj` (a JSON object of counts, consumed) as a new object ordered by count, largest first
 * (ties by key), with the key `last` (when present) at the end. */
json_t *rp_counts_sorted(json_t *obj, const char *last);
/* The English name of an ISO 3166-1 alpha-2 region code ("MX": "Mexico"), from ICU's locale
 * data; false (and `out` unspecified) for anything ICU does not know as a region. */
bool rp_country_name(const char *code, char *out, size_t cap);

/* ---- rendering helpers (render.c) ---- */
enum cust_status rp_csv_field(struct cust_buf *b, const char *s);
enum cust_status rp_csv_int(struct cust_buf *b, json_int_t v);
enum cust_status rp_html_text(struct cust_buf *b, const char *s);

#endif
