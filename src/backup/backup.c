/*
 * backup.c - backup folders with a manifest, and restores that check before they replace
 * (backup.h, docs/operations.md "Backups").
 */
#include "custodian/compat.h"
#include "custodian/backup.h"
#include "custodian/date.h"
#include "custodian/desk.h"
#include "custodian/file.h"
#include "custodian/ledger.h"
#include "custodian/tlog.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#define MANIFEST_MAX   (1 << 20)
#define DEFAULT_ORIGIN "custodian-ledger"

static const char reminder[] =
    "The TOTP key file is not in this backup, by design: a backup holding both the sealed TOTP "
    "secrets and their key would defeat the sealing. Back the key file up apart (another medium, "
    "kept by someone else). Restoring without it means giving every staff account a new TOTP "
    "secret (docs/operations.md, Keys).";

static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + 1 + strlen(name) + 1;
    char *p = cust_xmalloc(n);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

/* SHA-256 (hex) and size of a file. */
static enum cust_status file_sha256(const char *path, char hex[65], int64_t *bytes,
                                    struct cust_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return cust_err_set(err, CUST_EIO, "cannot read '%s': %s", path, strerror(errno));
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    unsigned char buf[65536];
    size_t n;
    *bytes = 0;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
        crypto_hash_sha256_update(&h, buf, n);
        *bytes += (int64_t)n;
    }
    enum cust_status st =
        ferror(f) ? cust_err_set(err, CUST_EIO, "cannot read '%s': %s", path, strerror(errno))
                  : CUST_OK;
    fclose(f);
    unsigned char out[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&h, out);
    sodium_bin2hex(hex, 65, out, sizeof(out));
    return st;
}

/* Create `dir` (0700; *created), or accept an existing empty folder. */
static enum cust_status prepare_dir(const char *dir, bool *created, struct cust_err *err)
{
    if (mkdir(dir, 0700) == 0) {
        *created = true;
        return cust_dir_sync(dir, err);
    }
    if (errno != EEXIST)
        return cust_err_set(err, CUST_EIO, "cannot create the backup folder '%s': %s", dir,
                            strerror(errno));
    DIR *d = opendir(dir);
    if (!d)
        return cust_err_set(err, CUST_EIO, "'%s': %s", dir, strerror(errno));
    struct dirent *e;
    bool empty = true;
    while (empty && (e = readdir(d)))
        empty = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
    closedir(d);
    if (!empty)
        return cust_err_set(err, CUST_ECONFLICT,
                            "the backup folder '%s' is not empty (a backup goes into a new folder)",
                            dir);
    return CUST_OK;
}

/* Read a checkpoint note from a file (NULL path: none). */
static enum cust_status read_checkpoint_file(const char *path, const struct cust_note_verifier *v,
                                             struct cust_checkpoint *cp, char **text,
                                             struct cust_err *err)
{
    size_t len;
    enum cust_status st = cust_tlog_read_file(path, 65536, text, &len, err);
    bool signed_note;
    if (st == CUST_OK)
        st = cust_checkpoint_read(*text, len, v, cp, &signed_note, err);
    if (st != CUST_OK) {
        char why[CUST_ERR_MSG_MAX];
        snprintf(why, sizeof(why), "%s", err ? err->msg : "");
        cust_err_set(err, st, "checkpoint '%.200s': %.700s", path, why);
        free(*text);
        *text = NULL;
    }
    return st;
}

/* Chain, disclosures and (when given) a checkpoint, on an open copy. */
static enum cust_status check_copy(struct cust_store *copy, const struct cust_checkpoint *cp,
                                   struct cust_ledger_report *rep, int64_t *head_seq,
                                   char head_hash[65], struct cust_err *err)
{
    enum cust_status st = cust_ledger_verify_checkpoint(copy, cp, rep, err);
    if (st == CUST_EINTEGRITY) {
        char why[CUST_ERR_MSG_MAX];
        snprintf(why, sizeof(why), "%s", rep->reason);
        return cust_err_set(err, st, "%s: %s",
                            rep->checkpoint_bad ? "the copy does not extend the checkpoint"
                                                : "the copy's ledger is broken",
                            why);
    }
    if (st != CUST_OK)
        return st;
    struct cust_desk_verify_report drep;
    memset(&drep, 0, sizeof(drep));
    st = cust_desk_verify_disclosures(copy, &drep, err);
    if (st == CUST_EINTEGRITY)
        return cust_err_set(err, st, "the copy's disclosures are broken: %s", drep.reason);
    if (st != CUST_OK)
        return st;
    return cust_store_ledger_head(copy, head_seq, head_hash, err);
}

enum cust_status cust_backup_create(struct cust_store *s, const char *dir,
                                    const struct cust_backup_opts *o,
                                    struct cust_backup_report *rep, struct cust_err *err)
{
    memset(rep, 0, sizeof(*rep));
    if (sodium_init() < 0)
        return cust_err_set(err, CUST_EIO, "libsodium did not start");
    /* keys and the published checkpoint first: a wrong path fails before any copying */
    struct cust_note_signer signer;
    struct cust_note_verifier ver;
    bool have_signer = false;
    struct cust_checkpoint published;
    char *published_text = NULL;
    enum cust_status st = CUST_OK;
    if (o->ledger_key) {
        st = cust_note_signer_load(o->ledger_key, &signer, err);
        have_signer = st == CUST_OK;
    }
    if (st == CUST_OK && o->pubkey)
        st = cust_note_verifier_load(o->pubkey, &ver, err);
    if (st == CUST_OK && o->checkpoint)
        st = read_checkpoint_file(o->checkpoint, o->pubkey ? &ver : NULL, &published,
                                  &published_text, err);
    bool created = false, copied = false;
    if (st == CUST_OK)
        st = prepare_dir(dir, &created, err);
    struct cust_backup_files files;
    memset(&files, 0, sizeof(files));
    if (st == CUST_OK)
        st = cust_store_backup(s, dir, &files, err);
    copied = st == CUST_OK;
    /* check the copy itself: what is in the folder is what the manifest describes */
    struct cust_store *copy = NULL;
    struct cust_ledger_report lrep;
    int64_t head_seq = 0;
    if (st == CUST_OK)
        st = cust_store_backup_open(dir, &files, o->store_path, &copy, err);
    if (st == CUST_OK)
        st = check_copy(copy, o->checkpoint ? &published : NULL, &lrep, &head_seq, rep->head_hash,
                        err);
    cust_store_close(copy);
    char *cp_note = NULL;
    if (st == CUST_OK) {
        rep->schema_version = cust_store_schema_version();
        rep->entries = lrep.entries;
        cust_tlog_hash_hex(lrep.root, rep->root);
        rep->published_checked = o->checkpoint != NULL;
        struct cust_checkpoint cp = {.size = (uint64_t)lrep.entries};
        snprintf(cp.origin, sizeof(cp.origin), "%s", have_signer ? signer.name : DEFAULT_ORIGIN);
        memcpy(cp.root, lrep.root, sizeof(cp.root));
        cp_note = cust_ledger_checkpoint(&cp, have_signer ? &signer : NULL, err);
        if (!cp_note)
            st = err && err->code ? err->code : CUST_EINVAL;
        rep->signed_checkpoint = have_signer;
    }
    json_t *jfiles = json_array();
    for (size_t i = 0; st == CUST_OK && i < files.n; i++) {
        char *p = join(dir, files.name[i]);
        st = file_sha256(p, rep->sha256[i], &rep->bytes[i], err);
        free(p);
        snprintf(rep->file[i], sizeof(rep->file[i]), "%s", files.name[i]);
        rep->nfiles = i + 1;
        json_array_append_new(jfiles,
                              json_pack("{s:s,s:I,s:s}", "name", files.name[i], "bytes",
                                        (json_int_t)rep->bytes[i], "sha256", rep->sha256[i]));
    }
    char now[32];
    cust_time_format(cust_now(), 0, true, now);
    char key_default[4096];
    snprintf(key_default, sizeof(key_default), "%s.key", o->store_path ? o->store_path : "");
    /* the manifest is written and synced under a temporary name, the backup recorded in the
     * store's ledger, and only then the manifest named: a folder with a manifest is a backup
     * the ledger knows of; a copy that cannot be described or recorded is removed */
    struct cust_outfile mf;
    bool mf_open = false;
    char *mpath = join(dir, CUST_BACKUP_MANIFEST);
    if (st == CUST_OK) {
        json_t *m = json_pack(
            "{s:s,s:i,s:s,s:s,s:s,s:{s:s,s:s,s:s?,s:i},s:O,s:{s:I,s:I,s:s,s:s},s:s,s:s?,"
            "s:{s:s,s:b,s:s}}",
            "format", "custodian-backup", "format_version", 1, "created_at", now, "created_by",
            o->actor ? o->actor : "", "custodian_version", CUSTODIAN_VERSION, "store", "backend",
            cust_store_backend(s), "format", files.format, "path", o->store_path, "schema_version",
            rep->schema_version, "files", jfiles, "ledger", "entries", (json_int_t)rep->entries,
            "head_seq", (json_int_t)head_seq, "head_hash", rep->head_hash, "root", rep->root,
            "checkpoint", cp_note, "published_checkpoint", published_text, "key_file", "path",
            o->key_file ? o->key_file : key_default, "included", false, "reminder", reminder);
        st = m ? cust_outfile_open(&mf, mpath, err) : cust_err_set(err, CUST_ENOMEM, "manifest");
        mf_open = st == CUST_OK;
        if (st == CUST_OK && (json_dumpf(m, mf.f, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0 ||
                              fputc('\n', mf.f) == EOF))
            st = cust_err_set(err, CUST_EIO, "cannot write '%s': %s", mpath, strerror(errno));
        if (st == CUST_OK)
            st = cust_file_sync(mf.f, err);
        json_decref(m);
    }
    if (st == CUST_OK) { /* who took a copy of the whole record, and when */
        json_t *d = json_pack("{s:I,s:s,s:O,s:b}", "entries", (json_int_t)rep->entries, "root",
                              rep->root, "files", jfiles, "key_file_included", false);
        char *detail = json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER);
        json_decref(d);
        struct cust_ledger_entry e = {
            o->actor ? o->actor : "cli", "operator", "backup", "folder", dir, "ok",
            "backup of the store",       detail};
        st = cust_ledger_append(s, &e, err);
        free(detail);
    }
    if (mf_open) {
        if (st == CUST_OK)
            st = cust_outfile_close(&mf, err);
        else
            cust_outfile_discard(&mf);
    }
    free(mpath);
    if (st != CUST_OK && copied) {
        for (size_t i = 0; i < files.n; i++) {
            char *p = join(dir, files.name[i]);
            unlink(p);
            free(p);
        }
        if (created)
            rmdir(dir);
    } else if (st != CUST_OK && created) {
        rmdir(dir);
    }
    json_decref(jfiles);
    free(cp_note);
    free(published_text);
    if (have_signer)
        cust_note_signer_wipe(&signer);
    return st;
}

/* ---- restore --------------------------------------------------------------------------------- */

static const char *jstr(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* The manifest, with every file's size and SHA-256 checked; *files from it. */
static enum cust_status read_manifest(const char *dir, json_t **out,
                                      struct cust_backup_files *files, struct cust_err *err)
{
    *out = NULL;
    memset(files, 0, sizeof(*files));
    char *path = join(dir, CUST_BACKUP_MANIFEST);
    char *text = NULL;
    size_t len;
    enum cust_status st = cust_tlog_read_file(path, MANIFEST_MAX, &text, &len, err);
    if (st == CUST_ENOTFOUND || (st != CUST_OK && access(path, F_OK) != 0))
        st = cust_err_set(err, CUST_ENOTFOUND,
                          "'%s' is not a backup: no %s (an interrupted backup?)", dir,
                          CUST_BACKUP_MANIFEST);
    json_t *m = NULL;
    if (st == CUST_OK) {
        json_error_t je;
        m = json_loadb(text, len, 0, &je);
        if (!m)
            st = cust_err_set(err, CUST_EINVAL, "%s:%d: %s", path, je.line, je.text);
    }
    free(text);
    if (st == CUST_OK && (!jstr(m, "format") || strcmp(jstr(m, "format"), "custodian-backup") != 0))
        st = cust_err_set(err, CUST_EINVAL, "%s: format: not a custodian backup", path);
    if (st == CUST_OK && json_integer_value(json_object_get(m, "format_version")) != 1)
        st =
            cust_err_set(err, CUST_EINVAL, "%s: format_version: %lld is not 1 (a newer program's?)",
                         path, (long long)json_integer_value(json_object_get(m, "format_version")));
    json_t *store = json_object_get(m, "store"), *jf = json_object_get(m, "files");
    if (st == CUST_OK && (!jstr(store, "format") || !json_is_array(jf) ||
                          json_array_size(jf) == 0 || json_array_size(jf) > CUST_BACKUP_FILES_MAX))
        st = cust_err_set(err, CUST_EINVAL, "%s: store.format or files: missing", path);
    if (st == CUST_OK)
        snprintf(files->format, sizeof(files->format), "%s", jstr(store, "format"));
    size_t i;
    json_t *f;
    json_array_foreach(jf, i, f)
    {
        if (st != CUST_OK)
            break;
        const char *name = jstr(f, "name"), *sha = jstr(f, "sha256");
        if (!name || !sha || strchr(name, '/') || name[0] == '.' ||
            strlen(name) >= sizeof(files->name[0])) {
            st = cust_err_set(err, CUST_EINVAL, "%s: files[%zu]: a name and a sha256", path, i);
            break;
        }
        char *fp = join(dir, name);
        char hex[65];
        int64_t bytes = 0;
        st = file_sha256(fp, hex, &bytes, err);
        free(fp);
        if (st == CUST_OK &&
            (bytes != json_integer_value(json_object_get(f, "bytes")) || strcmp(hex, sha) != 0))
            st = cust_err_set(err, CUST_EINTEGRITY,
                              "%s: the file does not match the manifest (%lld bytes, sha256 %s; "
                              "the manifest says %lld bytes, %s)",
                              name, (long long)bytes, hex,
                              (long long)json_integer_value(json_object_get(f, "bytes")), sha);
        snprintf(files->name[i], sizeof(files->name[i]), "%s", name);
        files->n = i + 1;
    }
    free(path);
    if (st != CUST_OK) {
        json_decref(m);
        return st;
    }
    *out = m;
    return CUST_OK;
}

/* Verify the staged store against the manifest and the checkpoints, then record the restore. */
static enum cust_status check_staged(const char *staged, json_t *m, const char *dir,
                                     const struct cust_restore_opts *o,
                                     const struct cust_note_verifier *ver,
                                     const struct cust_checkpoint *published,
                                     struct cust_restore_report *rep, struct cust_err *err)
{
    json_t *ledger = json_object_get(m, "ledger");
    const char *note = jstr(m, "checkpoint");
    if (!note || !jstr(ledger, "head_hash"))
        return cust_err_set(err, CUST_EINVAL, "manifest: ledger.head_hash and checkpoint: missing");
    struct cust_checkpoint cp;
    bool signed_note = false;
    enum cust_status st = cust_checkpoint_read(note, strlen(note), ver, &cp, &signed_note, err);
    if (st != CUST_OK) {
        char why[CUST_ERR_MSG_MAX];
        snprintf(why, sizeof(why), "%s", err ? err->msg : "");
        return cust_err_set(err, st, "the manifest's checkpoint: %s", why);
    }
    rep->signature_checked = ver != NULL;
    struct cust_store *s = NULL;
    st = cust_store_open(staged, CUST_STORE_MIGRATE, &s, err); /* an older backup: migrated here */
    struct cust_ledger_report lrep;
    int64_t head_seq = 0;
    char head_hash[65] = "";
    if (st == CUST_OK)
        st = check_copy(s, &cp, &lrep, &head_seq, head_hash, err);
    if (st == CUST_OK && published) {
        struct cust_ledger_report prep;
        st = cust_ledger_verify_checkpoint(s, published, &prep, err);
        if (st == CUST_EINTEGRITY)
            st = cust_err_set(err, st, "the backup does not extend the checkpoint given: %s",
                              prep.reason);
        rep->published_checked = st == CUST_OK;
    }
    /* exactly the manifest's ledger: a copy with entries cut or added is not this backup */
    if (st == CUST_OK &&
        (head_seq != json_integer_value(json_object_get(ledger, "head_seq")) ||
         strcmp(head_hash, jstr(ledger, "head_hash")) != 0 || (uint64_t)lrep.entries != cp.size))
        st = cust_err_set(err, CUST_EINTEGRITY,
                          "the backup's ledger (head %lld %s) is not the manifest's (head %lld %s)",
                          (long long)head_seq, head_hash,
                          (long long)json_integer_value(json_object_get(ledger, "head_seq")),
                          jstr(ledger, "head_hash"));
    if (st == CUST_OK) {
        rep->entries = lrep.entries;
        cust_tlog_hash_hex(lrep.root, rep->root);
        snprintf(rep->created_at, sizeof(rep->created_at), "%s",
                 jstr(m, "created_at") ? jstr(m, "created_at") : "");
        json_t *d = json_pack("{s:s,s:s,s:I,s:s,s:b,s:b}", "from", dir, "backup_created_at",
                              rep->created_at, "entries", (json_int_t)rep->entries, "root",
                              rep->root, "signature_checked", rep->signature_checked,
                              "published_checkpoint_checked", rep->published_checked);
        char *detail = json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER);
        json_decref(d);
        struct cust_ledger_entry e = {
            o->actor ? o->actor : "cli",          "operator", "restore", "folder", dir, "ok",
            "restore of the store from a backup", detail};
        st = cust_ledger_append(s, &e, err);
        free(detail);
    }
    cust_store_close(s);
    return st;
}

enum cust_status cust_backup_restore(const char *dir, const char *target,
                                     const struct cust_restore_opts *o,
                                     struct cust_restore_report *rep, struct cust_err *err)
{
    memset(rep, 0, sizeof(*rep));
    if (sodium_init() < 0)
        return cust_err_set(err, CUST_EIO, "libsodium did not start");
    struct cust_note_verifier ver;
    struct cust_checkpoint published;
    char *published_text = NULL;
    enum cust_status st = CUST_OK;
    if (o->pubkey)
        st = cust_note_verifier_load(o->pubkey, &ver, err);
    if (st == CUST_OK && o->checkpoint)
        st = read_checkpoint_file(o->checkpoint, o->pubkey ? &ver : NULL, &published,
                                  &published_text, err);
    free(published_text);
    json_t *m = NULL;
    struct cust_backup_files files;
    if (st == CUST_OK)
        st = read_manifest(dir, &m, &files, err);
    if (st == CUST_OK && !o->replace && cust_store_exists(target))
        st = cust_err_set(err, CUST_ECONFLICT,
                          "a store is at '%s': --replace moves it aside (it is never deleted)",
                          target);
    char *staged = NULL;
    if (st == CUST_OK)
        st = cust_store_restore_stage(dir, &files, target, &staged, err);
    if (st == CUST_OK)
        st = check_staged(staged, m, dir, o, o->pubkey ? &ver : NULL,
                          o->checkpoint ? &published : NULL, rep, err);
    char *kept = NULL;
    if (st == CUST_OK)
        st = cust_store_restore_commit(staged, target, &kept, err);
    if (st != CUST_OK && staged)
        cust_store_restore_discard(staged);
    if (kept)
        snprintf(rep->kept, sizeof(rep->kept), "%s", kept);
    free(kept);
    free(staged);
    json_decref(m);
    return st;
}
