/*
 * request.h - an outside request to the desk, as received (spec/requests.md).
 *
 * cust_request_parse validates a request document (the JSON of `custodian
 * request add` and `POST /api/v1/requests`) and fills a struct cust_request.
 * Every problem is collected as "json.path: reason" in a struct cust_diag;
 * the request is usable only when the returned status is CUST_OK. Nothing is
 * stored here: storage, matching and decisions are the desk's other parts.
 */
#ifndef CUSTODIAN_REQUEST_H
#define CUSTODIAN_REQUEST_H

#include "custodian/diag.h"
#include "custodian/status.h"

#include <jansson.h>

/* Request kinds, in decide.md's order. */
enum cust_request_kind {
    CUST_REQ_DETAINER = 0,
    CUST_REQ_NOTIFICATION,
    CUST_REQ_TRANSFER,
    CUST_REQ_ADMIN_WARRANT,
    CUST_REQ_JUDICIAL_WARRANT,
    CUST_REQ_JUDICIAL_PROBABLE_CAUSE,
    CUST_REQ_INTERVIEW,
    CUST_REQ_INFORMATION,
    CUST_REQ_ADMIN_SUBPOENA,
    CUST_REQ_COURT_ORDER,
    CUST_REQ_KIND_COUNT
};

/* Actions a request may ask for (bit flags). */
enum cust_request_asks {
    CUST_ASK_HOLD = 1 << 0,
    CUST_ASK_NOTIFY = 1 << 1,
    CUST_ASK_TRANSFER = 1 << 2,
    CUST_ASK_ARREST = 1 << 3,
    CUST_ASK_INTERVIEW = 1 << 4
};
#define CUST_ASK_COUNT 5

/* Data items a request may ask for (bit flags). */
enum cust_request_items {
    CUST_ITEM_BOOKING_FACTS = 1 << 0,
    CUST_ITEM_CHARGES = 1 << 1,
    CUST_ITEM_CONVICTIONS = 1 << 2,
    CUST_ITEM_CITIZENSHIP = 1 << 3,
    CUST_ITEM_IMMIGRATION_STATUS = 1 << 4,
    CUST_ITEM_RELEASE_DATE = 1 << 5,
    CUST_ITEM_HOME_ADDRESS = 1 << 6,
    CUST_ITEM_WORK_ADDRESS = 1 << 7,
    CUST_ITEM_CONTACT_INFO = 1 << 8
};
#define CUST_ITEM_COUNT 9

struct cust_request_subject {
    char *booking_number, *last_name, *first_name, *dob; /* dob as given (may be partial) */
    char *fbi, *cii, *sid, *a_number;
};

struct cust_request_scope {
    char *population;  /* "in_custody" */
    char *citizenship; /* "non_citizen" | "citizen" | "unknown" | NULL = any */
    int32_t as_of;     /* day number */
    char *facility;    /* optional narrowing */
};

struct cust_request_document {
    char *name;
    char sha256[65];        /* lowercase hex */
    unsigned char *content; /* decoded content when the request carried it, else NULL */
    size_t content_len;
};

struct cust_request {
    enum cust_request_kind kind;
    char *form;                      /* "I-247A", "I-200", ... or NULL */
    char *agency, *office, *contact; /* requester */
    int64_t received_at;             /* Unix seconds */
    int received_offset;             /* minutes east of UTC, as given */
    bool has_due;
    int64_t due; /* Unix seconds (a date means the end of that day, local) */
    bool has_subject;
    struct cust_request_subject subject;
    bool has_scope;
    struct cust_request_scope scope;
    unsigned asks; /* enum cust_request_asks; the kind's defaults when not given */
    bool asks_given;
    unsigned items; /* enum cust_request_items */
    struct cust_request_document *documents;
    size_t ndocuments;
    char *note;
    /* a detainer's administrative warrant sent with it: "I-200" | "I-205" | NULL (decide.md
     * request.accompanying_warrant; Fla. Stat. 908.102(2)) */
    char *accompanying_warrant;
    /* a warrant's own number (judicial_warrant, judicial_probable_cause, administrative_warrant),
     * or NULL: what `request act --action transfer` records when no --warrant is given */
    char *warrant_number;
};

/* The wire names ("detainer", "hold", "release_date", ...). */
const char *cust_request_kind_name(enum cust_request_kind k);
bool cust_request_kind_parse(const char *s, enum cust_request_kind *out);
/* CUST_OK when `kind` is NULL or a request kind; else CUST_EINVAL with "WHAT: unknown kind 'x'
 * (one of: detainer, ...)" (a filter given on a command line or in a query). */
enum cust_status cust_request_kind_check(const char *kind, const char *what, struct cust_err *err);
const char *cust_request_ask_name(unsigned ask_bit);
const char *cust_request_item_name(unsigned item_bit);
/* decide.md's default asks for a kind. */
unsigned cust_request_default_asks(enum cust_request_kind k);
/* True for kinds that come from immigration authorities asking custody actions. */
bool cust_request_kind_is_data_request(enum cust_request_kind k);

/*
 * Validate `doc` (borrowed) into `out` (caller-allocated; released with
 * cust_request_release whatever the result). Problems go to `diag` with paths
 * rooted at "request". Returns CUST_OK or CUST_EINVAL.
 */
enum cust_status cust_request_parse(const json_t *doc, struct cust_request *out,
                                    struct cust_diag *diag) CUST_WARN_UNUSED;
void cust_request_release(struct cust_request *r);

#endif
