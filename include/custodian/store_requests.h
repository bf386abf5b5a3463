/*
 * store_requests.h - the store's requests: outside requests and what is kept with them -
 * documents, links to persons, decisions, actions, duties, transfers and disclosure rows
 * (docs/internals/store.md, docs/internals/desk.md).
 *
 * A backend provides these operations through `struct cust_store_request_ops` (store_backend.h;
 * SQLite: src/store/store_sqlite_requests.c, tables of schema migrations 2 and 4). Callers use
 * the wrappers below, normally through the desk module (desk.h), which wraps every change in a
 * transaction together with its ledger entry.
 *
 * As in store.h, strings in the value types are borrowed: the caller owns what it passes in;
 * in a callback, the row's strings are valid only during the call. NULL means absent.
 */
#ifndef CUSTODIAN_STORE_REQUESTS_H
#define CUSTODIAN_STORE_REQUESTS_H

#include "custodian/store.h"

#define CUST_NO_TIME        INT64_MIN /* "no instant" for unix-seconds fields */
#define CUST_REQUEST_ID_MAX 16        /* "R-2025-000123" + NUL */

/* One request as stored. The complete request document (as received, document contents left
 * out) is `doc`; the columns are what listing and deadlines need. */
struct cust_request_row {
    const char *id; /* R-YYYY-NNNNNN (filled by request_insert) */
    const char *kind, *form, *agency, *office;
    const char *status; /* received|matched|decided|acted|fulfilled|closed|withdrawn|lifted|
                           expired */
    const char *status_reason;
    const char *received_at; /* RFC 3339 as given */
    int64_t received_ts;
    int received_offset;  /* minutes east of UTC */
    int64_t due_ts;       /* the requester's due date, or CUST_NO_TIME */
    int64_t law_ts;       /* the deadline the law sets (e.g. the 48-h window), or CUST_NO_TIME */
    const char *law_rule; /* what law_ts is, e.g. "detainer_48h" */
    const char *owner;
    const char *created_at, *updated_at;
    const char *doc;
};

struct cust_request_filter {
    bool open_only;     /* not final (closed, withdrawn, lifted, expired) nor fulfilled */
    int64_t overdue_at; /* only open requests whose deadline is before this (CUST_NO_TIME: all) */
    int64_t now;        /* for ordering: overdue (deadline < now) first */
    const char *kind;   /* exact kind, or NULL */
    /* the console's filters (issue 13 item 3); zero/NULL: not filtered */
    const char *status;      /* exact status, or NULL */
    const char *agency;      /* a part of the requester's agency, any case, or NULL */
    int64_t received_from;   /* received at or after this instant (0: no bound) */
    int64_t received_before; /* received before this instant (0: no bound) */
    const char *who;         /* a booking number (exact), or a last name as written
                              * (by its key, namekey.h; a prefix from 3 letters), of
                              * the subject or of a person linked to the request */
};

/* The field of a link's only reason when a person who was never a match candidate was confirmed:
 * its text is the confirmer's reason (cust_desk_confirm), and the link is flagged for oversight. */
#define CUST_LINK_OUTSIDE_CANDIDATES "outside_candidates"

/* A link between a request and a person: a candidate, or a confirmed match. */
struct cust_link_row {
    const char *request_id;
    int64_t person_id;
    const char *booking_number; /* the person's booking the request concerns */
    double score;
    bool strong;                             /* exact booking number or strong id */
    const char *state;                       /* candidate | confirmed | rejected */
    const char *confirmed_by, *confirmed_at; /* "auto" for a strong exact match */
    const char *reasons; /* JSON array of {field, text, points}: why the person is linked */
    bool review;         /* flagged for supervisor review (citizenship) */
    const char *review_reason;
};

struct cust_decision_row {
    int64_t id;
    const char *request_id;
    int64_t person_id; /* 0 for a population request's aggregate */
    const char *booking_number;
    const char *policy_id, *policy_version, *policy_sha256;
    const char *decided_at, *decided_by;
    const char *decision; /* the whole decision JSON */
};

struct cust_action_row {
    int64_t id;
    const char *request_id;
    int64_t person_id;
    const char *action;  /* hold | notify | transfer | interview | arrest */
    const char *verdict; /* the decision's verdict */
    const char *outcome; /* done | declined */
    const char *by, *at, *reason;
    int64_t decision_id;
};

struct cust_duty_row {
    int64_t id;
    const char *request_id;
    int64_t person_id;
    const char *booking_number;
    const char *duty;   /* decide.md duty id */
    const char *cite;   /* JSON array */
    const char *status; /* open | done */
    int64_t due_ts;     /* CUST_NO_TIME when the law sets none */
    const char *created_at, *done_by, *done_at;
    const char *document_sha256; /* generated notice, or NULL */
    const char *detail;          /* JSON object, or NULL */
};

struct cust_duty_filter {
    const char *request_id; /* or NULL */
    int64_t id;             /* one duty by its id, or 0 (a statement of its own: its key) */
    bool open_only;
    /* the console's worklist (issue 13 item 3); NULL/0: not filtered */
    const char *owner;  /* duties of the requests this account took in (requests.owner) */
    int64_t overdue_at; /* open duties whose deadline is before this instant */
};

struct cust_transfer_row {
    int64_t id;
    const char *request_id;
    int64_t person_id;
    const char *booking_number;
    const char *at;     /* RFC 3339: when custody was handed over */
    const char *agency; /* the receiving agency */
    const char *basis;  /* judicial_warrant | judicial_probable_cause | 7282.5 */
    const char *warrant_number, *criterion, *offense;
    const char *recorded_by, *recorded_at;
};

/* A document kept for a request (received with it, a notice, a response). */
struct cust_document_row {
    const char *request_id, *name, *sha256, *role;
    int64_t size; /* -1 when only the hash is kept */
};

/*
 * One row given by a fulfilment (what, to whom, when, under which decision). The rows of one
 * fulfilment are numbered from 0 (`ord`, response order); `row_hash` is the SHA-256 of the row's
 * canonical encoding (cust_desk_disclosure_hash) and the ledger's one "disclosure" entry of that
 * fulfilment carries their count and a SHA-256 over them in order.
 */
struct cust_disclosure_row {
    int64_t id;
    const char *request_id;
    int64_t ord;
    int64_t person_id;
    const char *booking_number;
    const char *items;     /* JSON array of the items given */
    const char *withheld;  /* JSON array of the items withheld */
    const char *recipient; /* the requesting agency */
    const char *office;    /* or NULL */
    const char *at;        /* RFC 3339 UTC */
    int64_t decision_id;   /* the stored decision the row was given under */
    const char *row_hash;  /* 64 lowercase hex digits */
};

typedef enum cust_status (*cust_request_row_fn)(const struct cust_request_row *r, void *arg);
typedef enum cust_status (*cust_link_row_fn)(const struct cust_link_row *l, void *arg);
typedef enum cust_status (*cust_decision_row_fn)(const struct cust_decision_row *d, void *arg);
typedef enum cust_status (*cust_action_row_fn)(const struct cust_action_row *a, void *arg);
typedef enum cust_status (*cust_duty_row_fn)(const struct cust_duty_row *d, void *arg);
typedef enum cust_status (*cust_transfer_row_fn)(const struct cust_transfer_row *t, void *arg);
typedef enum cust_status (*cust_document_row_fn)(const struct cust_document_row *d, void *arg);
typedef enum cust_status (*cust_disclosure_row_fn)(const struct cust_disclosure_row *x, void *arg);

/*
 * Wrappers. Writes belong inside the caller's transaction (cust_store_begin) with the ledger
 * entry that records them. Lookups of one row return CUST_ENOTFOUND when there is none.
 */
/* Insert a new request; its id is R-<year of received_at, local>-<6-digit sequence>. */
enum cust_status cust_store_request_insert(struct cust_store *s, const struct cust_request_row *r,
                                           char id[CUST_REQUEST_ID_MAX], struct cust_err *err);
/* One request by id (the callback runs once). */
enum cust_status cust_store_request_get(struct cust_store *s, const char *id,
                                        cust_request_row_fn fn, void *arg, struct cust_err *err);
/* Requests matching `f`: overdue open ones first (earliest deadline first), then the others by
 * deadline, then by id. */
enum cust_status cust_store_request_list(struct cust_store *s, const struct cust_request_filter *f,
                                         cust_request_row_fn fn, void *arg, struct cust_err *err);
/* Set status (and reason), and the law deadline when law_rule is non-NULL. */
enum cust_status cust_store_request_update(struct cust_store *s, const char *id, const char *status,
                                           const char *reason, int64_t law_ts, const char *law_rule,
                                           const char *updated_at, struct cust_err *err);
/* Keep a document (content may be NULL when only its hash is known) and link it to a request
 * with a role ("received", "notice", "response"). Contents are stored once per SHA-256. */
enum cust_status cust_store_document_put(struct cust_store *s, const char *request_id,
                                         const char *name, const char *sha256,
                                         const unsigned char *content, size_t len, const char *role,
                                         struct cust_err *err);
/* A document's content (new heap buffer, NUL-terminated). */
enum cust_status cust_store_document_get(struct cust_store *s, const char *sha256, char **content,
                                         size_t *len, struct cust_err *err);
/* A request's documents in the order they were kept. */
enum cust_status cust_store_documents(struct cust_store *s, const char *request_id,
                                      cust_document_row_fn fn, void *arg, struct cust_err *err);
/* Insert or replace the link (request_id, person_id). */
enum cust_status cust_store_link_put(struct cust_store *s, const struct cust_link_row *l,
                                     struct cust_err *err);
/* A request's links, best score first. */
enum cust_status cust_store_links(struct cust_store *s, const char *request_id, cust_link_row_fn fn,
                                  void *arg, struct cust_err *err);
/* Append a decision; *id (may be NULL) gets its row id. */
enum cust_status cust_store_decision_put(struct cust_store *s, const struct cust_decision_row *d,
                                         int64_t *id, struct cust_err *err);
/* A request's decisions, oldest first (the last one per person is in force). */
enum cust_status cust_store_decisions(struct cust_store *s, const char *request_id,
                                      cust_decision_row_fn fn, void *arg, struct cust_err *err);
/* One decision by its row id (the callback runs once; CUST_ENOTFOUND when there is none). */
enum cust_status cust_store_decision_get(struct cust_store *s, int64_t id, cust_decision_row_fn fn,
                                         void *arg, struct cust_err *err);
/* Append what was done or declined; *id (may be NULL) gets its row id. */
enum cust_status cust_store_action_put(struct cust_store *s, const struct cust_action_row *a,
                                       int64_t *id, struct cust_err *err);
/* A request's actions, oldest first. */
enum cust_status cust_store_actions(struct cust_store *s, const char *request_id,
                                    cust_action_row_fn fn, void *arg, struct cust_err *err);
/* Create an open duty; *id (may be NULL) gets its id. */
enum cust_status cust_store_duty_put(struct cust_store *s, const struct cust_duty_row *d,
                                     int64_t *id, struct cust_err *err);
/* Duties matching `f`, earliest deadline first (none last), then by id. */
enum cust_status cust_store_duties(struct cust_store *s, const struct cust_duty_filter *f,
                                   cust_duty_row_fn fn, void *arg, struct cust_err *err);
/* Mark an open duty done. CUST_ENOTFOUND for an unknown id, CUST_ECONFLICT when already done. */
enum cust_status cust_store_duty_done(struct cust_store *s, int64_t id, const char *by,
                                      const char *at, const char *document_sha256,
                                      struct cust_err *err);
/* Append a hand-over to federal custody; *id (may be NULL) gets its row id. */
enum cust_status cust_store_transfer_put(struct cust_store *s, const struct cust_transfer_row *t,
                                         int64_t *id, struct cust_err *err);
/* Every transfer, in order of hand-over. */
enum cust_status cust_store_transfers(struct cust_store *s, cust_transfer_row_fn fn, void *arg,
                                      struct cust_err *err);
/* Append a disclosure row (x->id is ignored). */
enum cust_status cust_store_disclosure_put(struct cust_store *s,
                                           const struct cust_disclosure_row *x,
                                           struct cust_err *err);
/* A request's disclosures (request_id NULL: every request's), by request_id, ord, id. */
enum cust_status cust_store_disclosures(struct cust_store *s, const char *request_id,
                                        cust_disclosure_row_fn fn, void *arg, struct cust_err *err);

#endif
