/*
 * diag.h - a list of input problems, each "json.path: reason".
 *
 * Validators append every problem they find instead of stopping at the first,
 * so a clerk sees all of them at once. Callers prefix lines with FILE:LINE
 * when printing (custody-jsonl.md, decide.md, requests.md).
 */
#ifndef CUSTODIAN_DIAG_H
#define CUSTODIAN_DIAG_H

#include "custodian/compat.h"

#define CUST_DIAG_MAX 200 /* problems kept per input; more are counted, not stored */

struct cust_diag {
    char **lines;
    size_t n;       /* stored lines */
    size_t dropped; /* problems beyond CUST_DIAG_MAX */
};

#define CUST_DIAG_INIT {NULL, 0, 0}

/* Add "path: reason" (formatted). */
void cust_diag_add(struct cust_diag *d, const char *path, const char *fmt, ...) CUST_PRINTF(3, 4);
/* Total problems seen (stored + dropped). */
size_t cust_diag_count(const struct cust_diag *d);
/* Print every line to `f`, each prefixed by `prefix` (may be NULL or ""). */
void cust_diag_print(const struct cust_diag *d, FILE *f, const char *prefix);
void cust_diag_release(struct cust_diag *d);

#endif
