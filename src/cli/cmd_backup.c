/* cmd_backup.c - `custodian backup --out DIR` and `custodian restore DIR` (backup.h). */
#include "custodian/compat.h"
#include "custodian/backup.h"
#include "cli.h"

#include <inttypes.h>
#include <unistd.h>

static const char backup_usage[] =
    "usage: custodian [--db PATH] backup --out DIR [--key FILE] [--checkpoint FILE [--pubkey "
    "FILE]]\n"
    "\n"
    "Back the store up into the new folder DIR while the server keeps running: a consistent\n"
    "copy (SQLite's online backup API) and DIR/manifest.json, written last, with each file's\n"
    "size and SHA-256, the schema version, the ledger's head and tree root, and a checkpoint of\n"
    "the copy's ledger. The copy's ledger and disclosures are verified before the manifest is\n"
    "written; the backup is recorded in the store's ledger.\n"
    "\n"
    "  --out DIR         the backup folder (created mode 0700; an existing one must be empty)\n"
    "  --key FILE        sign the checkpoint with this ledger key (default $CUSTODIAN_LEDGER_KEY;\n"
    "                    see `custodian audit key generate`)\n"
    "  --checkpoint FILE the latest checkpoint kept elsewhere: the copy must extend it\n"
    "  --pubkey FILE     its verifier key: the checkpoint's signature must verify\n"
    "\n"
    "The TOTP key file (STORE.key, or $CUSTODIAN_KEY_FILE) is NOT copied, by design: back it\n"
    "up apart. Exit: 0 backed up, 1 failure (no manifest: not a backup), 2 invalid usage.\n";

static const char restore_usage[] =
    "usage: custodian [--db TARGET] restore DIR [--replace] [--checkpoint FILE] [--pubkey FILE]\n"
    "\n"
    "Restore the backup in DIR to the store TARGET (--db, $CUSTODIAN_DB). Before anything is\n"
    "replaced: every file's size and SHA-256 against the manifest; the copy, staged beside\n"
    "TARGET and opened (an older schema is migrated), must have an intact ledger chain and\n"
    "disclosures, exactly the manifest's ledger head, and extend the manifest's checkpoint.\n"
    "Then the restore is recorded in the restored store's ledger and it is put in place.\n"
    "\n"
    "  --replace         a store at TARGET is moved aside to TARGET.replaced-<time> (never\n"
    "                    deleted); refused while a server or command has it open\n"
    "  --checkpoint FILE a checkpoint kept elsewhere (published, or an auditor's): the backup\n"
    "                    must extend it, which a rewritten history in DIR cannot\n"
    "  --pubkey FILE     verifier key: the manifest's checkpoint and --checkpoint must carry\n"
    "                    a valid signature by it\n"
    "\n"
    "The TOTP key file is not in a backup: put TARGET.key back from where it is kept.\n"
    "Exit: 0 restored, 1 refused or failed (nothing replaced), 2 invalid usage.\n";

/* The TOTP key file of a store: --key-file is not a global option, so the environment or the
 * default beside the store (as `serve` and `user` find it). */
static const char *key_file_of(const char *db, char *buf, size_t n)
{
    const char *k = getenv("CUSTODIAN_KEY_FILE");
    if (k && *k)
        return k;
    snprintf(buf, n, "%s.key", db);
    return buf;
}

int cmd_backup(int argc, char **argv, struct cli_ctx *ctx)
{
    if (cli_wants_help(argc, argv))
        return cli_help(backup_usage);
    struct cust_backup_opts o = {.store_path = ctx->db_path, .actor = ctx->user};
    const char *out = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has = i + 1 < argc;
        if (strcmp(a, "--out") == 0 && has)
            out = argv[++i];
        else if (strcmp(a, "--key") == 0 && has)
            o.ledger_key = argv[++i];
        else if (strcmp(a, "--checkpoint") == 0 && has)
            o.checkpoint = argv[++i];
        else if (strcmp(a, "--pubkey") == 0 && has)
            o.pubkey = argv[++i];
        else
            return cli_usage_error(backup_usage, "unexpected argument '%s'", a);
    }
    if (!out)
        return cli_usage_error(backup_usage, "backup: --out DIR is required");
    if (o.pubkey && !o.checkpoint)
        return cli_usage_error(backup_usage, "--pubkey checks a --checkpoint");
    if (!o.ledger_key) {
        const char *k = getenv("CUSTODIAN_LEDGER_KEY");
        o.ledger_key = k && *k ? k : NULL;
    }
    char keybuf[4096];
    o.key_file = key_file_of(ctx->db_path, keybuf, sizeof(keybuf));
    struct cust_err err = CUST_ERR_INIT;
    struct cust_store *s;
    if (cust_store_open(ctx->db_path, CUST_STORE_OPEN, &s, &err) != CUST_OK)
        return cli_fail(&err);
    struct cust_backup_report rep;
    enum cust_status st = cust_backup_create(s, out, &o, &rep, &err);
    cust_store_close(s);
    if (st != CUST_OK)
        return cli_fail(&err);
    printf("backup %s: %" PRId64 " ledger entries, tree root %s, schema %d\n", out, rep.entries,
           rep.root, rep.schema_version);
    for (size_t i = 0; i < rep.nfiles; i++)
        printf("  %s  %" PRId64 " bytes  sha256 %s\n", rep.file[i], rep.bytes[i], rep.sha256[i]);
    printf("  %s  checkpoint %s%s\n", CUST_BACKUP_MANIFEST,
           rep.signed_checkpoint ? "signed" : "unsigned (no --key, no $CUSTODIAN_LEDGER_KEY)",
           rep.published_checked ? "; extends the checkpoint given" : "");
    fprintf(stderr,
            "custodian: the TOTP key file %s is NOT in this backup: back it up apart (another "
            "medium, kept by someone else)\n",
            o.key_file);
    return 0;
}

int cmd_restore(int argc, char **argv, struct cli_ctx *ctx)
{
    if (cli_wants_help(argc, argv))
        return cli_help(restore_usage);
    struct cust_restore_opts o = {.actor = ctx->user};
    const char *dir = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has = i + 1 < argc;
        if (strcmp(a, "--replace") == 0)
            o.replace = true;
        else if (strcmp(a, "--checkpoint") == 0 && has)
            o.checkpoint = argv[++i];
        else if (strcmp(a, "--pubkey") == 0 && has)
            o.pubkey = argv[++i];
        else if (a[0] == '-' && a[1])
            return cli_usage_error(restore_usage, "unknown option '%s'", a);
        else if (dir)
            return cli_usage_error(restore_usage, "one backup at a time ('%s')", a);
        else
            dir = a;
    }
    if (!dir)
        return cli_usage_error(restore_usage, "restore: which backup folder?");
    struct cust_err err = CUST_ERR_INIT;
    struct cust_restore_report rep;
    enum cust_status st = cust_backup_restore(dir, ctx->db_path, &o, &rep, &err);
    if (st != CUST_OK) {
        fprintf(stderr, "custodian: restore refused, nothing replaced: %s\n", err.msg);
        return cust_status_exit_code(st) == 2 ? 2 : 1;
    }
    printf("restored %s to %s: %" PRId64 " ledger entries, tree root %s (backup of %s)\n", dir,
           ctx->db_path, rep.entries, rep.root, rep.created_at);
    printf("  checked: files, ledger chain, disclosures, the manifest's checkpoint%s%s\n",
           rep.signature_checked ? " (signature verified)" : "",
           rep.published_checked ? ", the checkpoint given" : "");
    if (rep.kept[0])
        printf("  the store that was there is kept at %s\n", rep.kept);
    char keybuf[4096];
    const char *key = key_file_of(ctx->db_path, keybuf, sizeof(keybuf));
    if (access(key, F_OK) != 0)
        fprintf(stderr,
                "custodian: no TOTP key file at %s: put it back from where it is kept, or staff "
                "cannot sign in\n",
                key);
    return 0;
}
