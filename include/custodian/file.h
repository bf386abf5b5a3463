/*
 * file.h - files that are on disk when a command says so, and whole or absent.
 *
 * An output file (an answer to a data request, an export, a backup's files) is written under a
 * temporary name beside its final one (`.NAME.XXXXXX`, mode 0600), synced, renamed into place
 * and its folder synced: a crash or a full disk leaves either the old state or the whole new
 * file, never a partial one with the final name. "-" means standard output (no temporary file;
 * cust_file_sync flushes it).
 *
 *     struct cust_outfile o;
 *     if (cust_outfile_open(&o, path, err) != CUST_OK) return ...;
 *     write to o.f ...; cust_file_sync(o.f, err)   // durable, still under the temporary name
 *     ... commit what the file records ...
 *     st = ok ? cust_outfile_close(&o, err) : (cust_outfile_discard(&o), st);
 */
#ifndef CUSTODIAN_FILE_H
#define CUSTODIAN_FILE_H

#include "custodian/status.h"

struct cust_outfile {
    FILE *f;    /* write here */
    char *path; /* the final name, or NULL for standard output */
    char *tmp;  /* the temporary name while open, or NULL */
};

/* Open an output file for `path` ("-" or NULL: standard output). CUST_EIO names the path. */
enum cust_status cust_outfile_open(struct cust_outfile *o, const char *path,
                                   struct cust_err *err) CUST_WARN_UNUSED;
/* Sync, close and rename into place; then sync the folder. On failure the temporary file is
 * removed and the final name untouched. Standard output is flushed (not closed). */
enum cust_status cust_outfile_close(struct cust_outfile *o, struct cust_err *err) CUST_WARN_UNUSED;
/* Close and remove the temporary file (after a failure); the final name is untouched. */
void cust_outfile_discard(struct cust_outfile *o);

/* Flush `f` and, when it is a regular file, fsync it: its bytes are on disk when this returns
 * CUST_OK. CUST_EIO (with strerror) otherwise. */
enum cust_status cust_file_sync(FILE *f, struct cust_err *err) CUST_WARN_UNUSED;
/* fsync the file at `path` (its bytes are on disk when this returns). */
enum cust_status cust_path_sync(const char *path, struct cust_err *err) CUST_WARN_UNUSED;
/* fsync the folder holding `path` (a new or renamed name in it is on disk). */
enum cust_status cust_dir_sync(const char *path, struct cust_err *err) CUST_WARN_UNUSED;
/* Write `len` bytes to a new file `path` created with `mode` (O_EXCL: never replaces one), sync
 * it and its folder; through a temporary name, so `path` appears whole or not at all. */
enum cust_status cust_file_create(const char *path, const void *data, size_t len, unsigned mode,
                                  struct cust_err *err) CUST_WARN_UNUSED;

#endif
