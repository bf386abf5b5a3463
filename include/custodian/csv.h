/*
 * csv.h - an RFC 4180 reader for the project's data tables (offense tables,
 * holiday calendars, linkage test data).
 *
 * Quoted fields may hold commas, doubled quotes and line breaks; CRLF and LF
 * line ends are both accepted; blank lines are skipped. Each record reports the line it started on so
 * errors can name it.
 *
 *     struct cust_csv csv;
 *     cust_csv_open_mem(&csv, text, len);
 *     while ((st = cust_csv_next(&csv, &err)) == CUST_OK && csv.nfields) { ... csv.fields[i] ... }
 *     cust_csv_release(&csv);
 */
#ifndef CUSTODIAN_CSV_H
#define CUSTODIAN_CSV_H

#include "custodian/buf.h"

struct cust_csv {
    /* read-only for callers */
    char **fields;   /* the current record's fields, NUL-terminated, valid until the next call */
    size_t nfields;  /* 0 at end of input */
    size_t line;     /* line number (1-based) where the current record started */
    /* private */
    const char *p, *end;
    size_t next_line;
    char *owned; /* file contents when opened from a path */
    struct cust_buf store;
    size_t *offsets;
    size_t cap;
};

/* Read from memory (borrowed; must outlive the reader). */
void cust_csv_open_mem(struct cust_csv *c, const char *data, size_t len);
/* Read a whole file (at most 64 MiB). */
enum cust_status cust_csv_open_file(struct cust_csv *c, const char *path, struct cust_err *err)
    CUST_WARN_UNUSED;
/*
 * Advance to the next record. CUST_OK with nfields == 0 means end of input;
 * CUST_EINVAL means malformed CSV (unterminated quote, text after a closing
 * quote), with the reason in err and the record's first line in c->line.
 */
enum cust_status cust_csv_next(struct cust_csv *c, struct cust_err *err) CUST_WARN_UNUSED;
/* Rewrite the reason in `err` as "NAME:LINE: malformed CSV: reason"; returns `st`. */
enum cust_status cust_csv_error(const struct cust_csv *c, const char *name, enum cust_status st,
                                struct cust_err *err);
/* Index of a header field by name in the current record, or -1. */
int cust_csv_column(const struct cust_csv *c, const char *name);
void cust_csv_release(struct cust_csv *c);

#endif
