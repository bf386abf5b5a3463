/* ledger_internal.h - shared between the ledger's files (not a public header). */
#ifndef CUSTODIAN_LEDGER_INTERNAL_H
#define CUSTODIAN_LEDGER_INTERNAL_H

#include "custodian/ledger.h"

/*
 * Journal the rows the current transaction wrote, under entry `seq`; *rows gets the entry's
 * commitment (JSON, new string). With `backfill` (the first entry since schema 9 of a store
 * that has rows from before), every other existing row is journaled under `seq` (the migration's
 * entry; its commitment in *backfill_rows, their count in *backfilled) and the written rows
 * under seq + 1.
 */
enum cust_status ledger_journal_rows(struct cust_store *s, int64_t seq, bool backfill, char **rows,
                                     char **backfill_rows, int64_t *backfilled,
                                     struct cust_err *err);

#endif
