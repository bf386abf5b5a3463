/*
 * backup.h - backups a county can restore at 3 a.m. (docs/operations.md "Backups").
 *
 * A backup is a folder: the store's consistent copy (the backend's files, store.h
 * cust_store_backup: SQLite's online backup API while the server runs) and `manifest.json`,
 * written last, which makes the folder a backup:
 *
 *   {"format": "custodian-backup", "format_version": 1, "created_at", "created_by",
 *    "custodian_version", "store": {"backend", "format", "path", "schema_version"},
 *    "files": [{"name", "bytes", "sha256"}],
 *    "ledger": {"entries", "head_seq", "head_hash", "root"},       (root: RFC 6962, hex)
 *    "checkpoint": "<the copy's checkpoint note: signed with the ledger key when given>",
 *    "published_checkpoint": "<a checkpoint kept elsewhere the copy was proved to extend>",
 *    "key_file": {"path", "included": false, "reminder"}}
 *
 * The TOTP key file is never in a backup (a backup holding both the sealed secrets and their
 * key defeats the sealing): it is backed up apart, and the manifest and the command say so.
 *
 * Restore checks before it replaces anything: every file's size and SHA-256 against the
 * manifest; the copy, staged beside the target and opened (an older schema migrates), must have
 * an intact chain and disclosures, exactly the manifest's head, and extend the manifest's
 * checkpoint (its signature checked with a verifier key when given) and any checkpoint kept
 * elsewhere (--checkpoint). Only then is the store put in place; one already there is moved
 * aside, never deleted, and never while a process has it open.
 */
#ifndef CUSTODIAN_BACKUP_H
#define CUSTODIAN_BACKUP_H

#include "custodian/store.h"

#define CUST_BACKUP_MANIFEST "manifest.json"

struct cust_backup_opts {
    const char *store_path; /* the store backed up (named in the manifest) */
    const char *key_file;   /* its TOTP key file (named in the reminder; never copied) */
    const char *ledger_key; /* a checkpoint signer key file (tlog.h), or NULL: unsigned */
    const char *checkpoint; /* a checkpoint kept elsewhere the copy must extend, or NULL */
    const char *pubkey;     /* the verifier key of `checkpoint`, or NULL (not checked) */
    const char *actor;      /* who, for the ledger entry `backup` in the store */
};

struct cust_backup_report {
    int schema_version;
    int64_t entries;    /* ledger entries in the copy */
    char head_hash[65]; /* the copy's ledger head */
    char root[65];      /* its Merkle tree head (hex) */
    bool signed_checkpoint;
    bool published_checked; /* the copy extends opts->checkpoint */
    size_t nfiles;
    char file[CUST_BACKUP_FILES_MAX][64];
    char sha256[CUST_BACKUP_FILES_MAX][65];
    int64_t bytes[CUST_BACKUP_FILES_MAX];
};

/*
 * Back the open store `s` up into folder `dir` (created mode 0700; an existing one must be
 * empty: CUST_ECONFLICT). The copy is checked (chain, disclosures, opts->checkpoint) before
 * anything describes it; the manifest is written and synced under a temporary name, a ledger
 * entry `backup` (folder, entries, root, files) appended to `s`, and only then the manifest is
 * named. On failure no manifest and no copy are left (a folder it created is removed).
 * CUST_EINTEGRITY when the copy's ledger is broken or does not extend opts->checkpoint.
 */
enum cust_status cust_backup_create(struct cust_store *s, const char *dir,
                                    const struct cust_backup_opts *o,
                                    struct cust_backup_report *rep,
                                    struct cust_err *err) CUST_WARN_UNUSED;

struct cust_restore_opts {
    const char *checkpoint; /* a checkpoint kept elsewhere the backup must extend, or NULL */
    const char *pubkey;     /* verifier key: checks the manifest's checkpoint and `checkpoint` */
    bool replace;           /* a store at the target is moved aside (else CUST_ECONFLICT) */
    const char *actor;      /* who, for the ledger entry `restore` in the restored store */
};

struct cust_restore_report {
    int64_t entries;        /* ledger entries restored (before the `restore` entry) */
    char root[65];          /* their tree head (hex) */
    char created_at[32];    /* the manifest's */
    bool signature_checked; /* the manifest's checkpoint signature verified with opts->pubkey */
    bool published_checked; /* the backup extends opts->checkpoint */
    char kept[4096];        /* where the replaced store was moved, or "" */
};

/*
 * Restore the backup in `dir` to the store path `target` (see above). CUST_EINTEGRITY when a
 * file, the ledger or a checkpoint does not match (nothing replaced), CUST_ECONFLICT when a
 * store is at `target` without opts->replace or it is in use.
 */
enum cust_status cust_backup_restore(const char *dir, const char *target,
                                     const struct cust_restore_opts *o,
                                     struct cust_restore_report *rep,
                                     struct cust_err *err) CUST_WARN_UNUSED;

#endif
