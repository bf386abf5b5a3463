#include "custodian/vocab.h"

const char *const cust_vocab_kinds[CUST_VOCAB_KINDS] = {"detainer",
                                                        "notification_request",
                                                        "transfer_request",
                                                        "administrative_warrant",
                                                        "judicial_warrant",
                                                        "judicial_probable_cause",
                                                        "interview_request",
                                                        "information_request",
                                                        "administrative_subpoena",
                                                        "court_order"};

const char *const cust_vocab_targets[CUST_VOCAB_TARGETS] = {
    "hold",          "notify",       "transfer",     "arrest",      "interview",
    "booking_facts", "charges",      "convictions",  "citizenship", "immigration_status",
    "release_date",  "home_address", "work_address", "contact_info"};

enum {
    HOLD = 1u << 0,
    NOTIFY = 1u << 1,
    TRANSFER = 1u << 2,
    ARREST = 1u << 3,
    INTERVIEW = 1u << 4
};

const uint32_t cust_vocab_default_asks[CUST_VOCAB_KINDS] = {
    HOLD | NOTIFY,     /* detainer: I-247A asks both */
    NOTIFY,            /* notification_request */
    TRANSFER,          /* transfer_request */
    ARREST | TRANSFER, /* administrative_warrant */
    TRANSFER,          /* judicial_warrant */
    TRANSFER,          /* judicial_probable_cause */
    INTERVIEW,         /* interview_request */
    0,                 /* information_request: items only */
    0,                 /* administrative_subpoena */
    0};                /* court_order */

void cust_vocab_kinds_list(char *out, size_t cap)
{
    size_t n = 0;
    if (!cap)
        return;
    out[0] = '\0';
    for (size_t i = 0; i < CUST_VOCAB_KINDS && n < cap; i++) {
        int w = snprintf(out + n, cap - n, "%s%s", i ? ", " : "", cust_vocab_kinds[i]);
        if (w < 0)
            break;
        n += (size_t)w;
    }
}
