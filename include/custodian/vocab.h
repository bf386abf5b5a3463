/*
 * vocab.h - the fixed vocabulary of the decide and request contracts
 * (shared/spec/decide.md, requests.md): request kinds, the actions a request
 * may ask for, the data items it may ask for, and each kind's default asks.
 *
 * One list, used by the policy engine (case parsing, rendering) and by the
 * request desk (intake), so the two can never disagree on a name or an order.
 * Targets are the actions followed by the items; an action's bit in an asks
 * mask is 1 << its target index.
 */
#ifndef CUSTODIAN_VOCAB_H
#define CUSTODIAN_VOCAB_H

#include "custodian/compat.h"

#define CUST_VOCAB_KINDS   10 /* detainer ... court_order */
#define CUST_VOCAB_ACTIONS 5  /* hold notify transfer arrest interview */
#define CUST_VOCAB_ITEMS   9  /* booking_facts ... contact_info */
#define CUST_VOCAB_TARGETS (CUST_VOCAB_ACTIONS + CUST_VOCAB_ITEMS)

/* "detainer", "notification_request", ..., "court_order" (decide.md's order). */
extern const char *const cust_vocab_kinds[CUST_VOCAB_KINDS];
/* The kinds as a reader wants them in an error: "detainer, notification_request, ...,
 * court_order" (cut to `cap` bytes, NUL-terminated). */
void cust_vocab_kinds_list(char *out, size_t cap);
/* "hold", "notify", "transfer", "arrest", "interview", then "booking_facts", ..., "contact_info".
 */
extern const char *const cust_vocab_targets[CUST_VOCAB_TARGETS];
/* Each kind's default asks, as a mask of action bits (1 << target index). */
extern const uint32_t cust_vocab_default_asks[CUST_VOCAB_KINDS];

#endif
