/*
 * cmd_audit.c - `custodian audit verify|log|checkpoint|prove|key`: check the ledger, publish
 * its tree head as a signed checkpoint, prove inclusion and consistency (ledger.h, tlog.h).
 */
#include "custodian/compat.h"
#include "custodian/config.h"
#include "custodian/desk.h"
#include "custodian/file.h"
#include "custodian/ledger.h"
#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <libgen.h>
#include <limits.h>
#include <sys/stat.h>

#define NOTE_FILE_MAX 65536 /* a checkpoint file */

/* Each subcommand's usage line(s) and description: the command's help is all of them, a
 * subcommand's (`audit SUB --help`, `custodian help audit SUB`) its own. */
#define USE_VERIFY                                                                                 \
    "custodian [--db PATH] audit verify [--checkpoint FILE [--pubkey FILE]] [--all]\n"             \
    "                                           [--json]\n"
#define DESC_VERIFY                                                                                \
    "verify      recompute the ledger's SHA-256 chain and its Merkle tree; print\n"                \
    "            `ledger ok: N entries` and the tree head, or name the first bad entry\n"          \
    "            (changed, deleted or reordered) and exit 1; then check every disclosure row\n"    \
    "            against its fulfilment's ledger entry. With --checkpoint (a checkpoint kept\n"    \
    "            elsewhere), prove the store still extends it: a cut tail, a rewritten or\n"       \
    "            reordered history is reported and exits 1. With --pubkey (the log's published\n"  \
    "            verifier key), the checkpoint must carry a valid signature by that key.\n"        \
    "            Then every row of the record and the desk is checked against the entry that\n"    \
    "            wrote it last: `rows ok: N rows ...`, or `row broken: TABLE KEY (WHAT): why`\n"   \
    "            naming the first bad row (--all: up to 1000), and exit 1.\n"                      \
    "            Opens the store read-only: never migrates, never takes a write lock.\n"

#define USE_LOG "custodian [--db PATH] audit log [--json]\n"
#define DESC_LOG                                                                                   \
    "log         list the ledger entries (seq, time, actor, role, action, object, outcome)\n"

#define USE_CHECKPOINT                                                                             \
    "custodian [--db PATH] audit checkpoint [--key FILE | --origin NAME] [-o FILE]\n"
#define DESC_CHECKPOINT                                                                            \
    "checkpoint  print the ledger's checkpoint (c2sp.org/tlog-checkpoint: origin, tree size,\n"    \
    "            root hash) signed with the key file --key (default $CUSTODIAN_LEDGER_KEY) as\n"   \
    "            a c2sp.org/signed-note; without a key, the bare checkpoint with origin\n"         \
    "            --origin (default custodian-ledger). Refuses a ledger that does not verify.\n"

#define USE_PROVE                                                                                  \
    "custodian [--db PATH] audit prove (--old SIZE | --entry N) [--size SIZE] [--json]\n"
#define DESC_PROVE                                                                                 \
    "prove       --old SIZE: a consistency proof (RFC 6962) that the tree of SIZE entries is\n"    \
    "            a prefix of the tree now (or of --size SIZE); --entry N: an inclusion proof\n"    \
    "            of entry N. Hashes in base64, deepest first.\n"

#define USE_KEY "custodian audit key generate --name NAME --out PREFIX\n"
#define DESC_KEY                                                                                   \
    "key         generate --name NAME --out PREFIX: a new Ed25519 key pair for checkpoints:\n"     \
    "            PREFIX.key (the signer key, mode 0600; keep it apart from the store) and\n"       \
    "            PREFIX.pub (the verifier key to publish, e.g. NAME+1a2b3c4d+AbC...).\n"

static const char usage[] =
    "usage: " USE_VERIFY "       " USE_LOG "       " USE_CHECKPOINT "       " USE_PROVE
    "       " USE_KEY "\n" DESC_VERIFY DESC_LOG DESC_CHECKPOINT DESC_PROVE DESC_KEY;

static const struct {
    const char *name, *help;
} sub_help[] = {
    {"verify", "usage: " USE_VERIFY "\n" DESC_VERIFY},
    {"log", "usage: " USE_LOG "\n" DESC_LOG},
    {"checkpoint", "usage: " USE_CHECKPOINT "\n" DESC_CHECKPOINT},
    {"prove", "usage: " USE_PROVE "\n" DESC_PROVE},
    {"key", "usage: " USE_KEY "\n" DESC_KEY},
};

/* ---- log ---------------------------------------------------------------------------------- */

static enum cust_status on_entry(const struct cust_ledger_row *r, void *arg)
{
    json_t *arr = arg;
    if (!arr) {
        printf("%6" PRId64 "  %s  %-10s %-9s %-8s %s:%s  %s\n", r->seq, r->at, r->actor, r->role,
               r->action, r->object_type, r->object_id, r->outcome);
        return CUST_OK;
    }
    json_t *d = r->detail ? json_loads(r->detail, 0, NULL) : NULL;
    json_t *e = json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:s,s:s}", "seq",
                          (json_int_t)r->seq, "at", r->at, "actor", r->actor, "role", r->role,
                          "action", r->action, "object_type", r->object_type, "object_id",
                          r->object_id, "outcome", r->outcome, "purpose", r->purpose, "detail",
                          d ? d : json_null(), "prev_hash", r->prev_hash, "hash", r->hash);
    /* the detail exactly as stored (hashed): JSON re-encoding may not reproduce its bytes */
    json_object_set_new(e, "detail_text", r->detail ? json_string(r->detail) : json_null());
    json_array_append_new(arr, e);
    return CUST_OK;
}

static int audit_log(struct cust_store *s, bool json)
{
    struct cust_err err = CUST_ERR_INIT;
    json_t *arr = json ? json_array() : NULL;
    int64_t hs;
    char hh[65];
    enum cust_status rc = cust_store_ledger_each(s, on_entry, arr, &hs, hh, &err);
    if (arr && rc == CUST_OK) {
        json_dumpf(arr, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        putchar('\n');
    }
    json_decref(arr);
    return rc == CUST_OK ? 0 : cli_fail(&err);
}

/* ---- checkpoints from files ----------------------------------------------------------------- */

/*
 * Read a checkpoint file: a signed note (its signature checked with `v` when given) or, without
 * a verifier, a bare checkpoint text. *signed_note says which it was.
 */
static enum cust_status load_checkpoint(const char *path, const struct cust_note_verifier *v,
                                        struct cust_checkpoint *cp, bool *signed_note,
                                        struct cust_err *err)
{
    char *data;
    size_t len;
    enum cust_status st = cust_tlog_read_file(path, NOTE_FILE_MAX, &data, &len, err);
    if (st != CUST_OK)
        return st;
    st = cust_checkpoint_read(data, len, v, cp, signed_note, err);
    free(data);
    if (st != CUST_OK && err) {
        char why[CUST_ERR_MSG_MAX];
        snprintf(why, sizeof(why), "%s", err->msg);
        cust_err_set(err, st, "%.200s: %.700s", path, why);
    }
    return st;
}

/* ---- verify ------------------------------------------------------------------------------- */

static const char *const problem_kind[] = {"changed",   "deleted", "inserted",
                                           "rewritten", "journal", "derived"};

static int audit_verify(struct cust_store *s, const char *cp_path, const char *pub_path,
                        size_t max_problems, bool json)
{
    struct cust_err err = CUST_ERR_INIT;
    struct cust_note_verifier v;
    struct cust_checkpoint cp;
    bool have_cp = cp_path != NULL, signed_note = false;
    if (pub_path && cust_note_verifier_load(pub_path, &v, &err) != CUST_OK)
        return cli_fail(&err);
    if (have_cp) {
        enum cust_status cst =
            load_checkpoint(cp_path, pub_path ? &v : NULL, &cp, &signed_note, &err);
        if (cst == CUST_EINTEGRITY) { /* a signature that does not verify */
            fprintf(stderr, "checkpoint rejected: %s\n", err.msg);
            return 1;
        }
        if (cst != CUST_OK)
            return cli_fail(&err);
    }
    /* the chain, the disclosures and the rows from one snapshot: what the server commits
     * meanwhile is for the next verify */
    if (cust_store_snapshot_begin(s, &err) != CUST_OK)
        return cli_fail(&err);
    struct cust_ledger_report rep;
    enum cust_status rc = cust_ledger_verify_checkpoint(s, have_cp ? &cp : NULL, &rep, &err);
    /* the disclosure rows hang off ledger entries: checked once the chain is intact */
    struct cust_desk_verify_report drep;
    memset(&drep, 0, sizeof(drep));
    enum cust_status drc = CUST_OK;
    if (rc == CUST_OK || (rc == CUST_EINTEGRITY && rep.checkpoint_bad)) {
        struct cust_err derr = CUST_ERR_INIT;
        drc = cust_desk_verify_disclosures(s, &drep, &derr);
        if (drc != CUST_OK && drc != CUST_EINTEGRITY)
            err = derr;
    }
    if ((rc != CUST_OK && rc != CUST_EINTEGRITY) || (drc != CUST_OK && drc != CUST_EINTEGRITY)) {
        cust_store_snapshot_end(s);
        return cli_fail(&err);
    }
    bool chain_ok = rc == CUST_OK || rep.checkpoint_bad;
    /* every row against the journal, once the entries are known good */
    struct cust_ledger_rows_report rrep;
    memset(&rrep, 0, sizeof(rrep));
    enum cust_status rrc = CUST_OK;
    if (chain_ok) {
        struct cust_err rerr = CUST_ERR_INIT;
        rrc = cust_ledger_verify_rows(s, max_problems, &rrep, &rerr);
        if (rrc != CUST_OK && rrc != CUST_EINTEGRITY) {
            cust_store_snapshot_end(s);
            cust_ledger_rows_report_release(&rrep);
            return cli_fail(&rerr);
        }
    }
    cust_store_snapshot_end(s);
    char root[45];
    cust_tlog_hash_b64(rep.root, root);
    if (json) {
        json_t *j = json_pack("{s:b,s:I,s:I,s:I,s:b}", "ok",
                              rc == CUST_OK && drc == CUST_OK && rrc == CUST_OK, "entries",
                              (json_int_t)rep.entries, "disclosures", (json_int_t)drep.rows, "rows",
                              (json_int_t)rrep.rows, "rows_committed", !rrep.legacy);
        if (rrep.nproblems) {
            json_t *pa = json_array();
            const struct cust_row_table *tabs = cust_store_row_tables(NULL);
            for (size_t i = 0; i < rrep.nproblems; i++) {
                const struct cust_ledger_row_problem *p = &rrep.problems[i];
                json_array_append_new(pa, json_pack("{s:s,s:s?,s:s?,s:I,s:s}", "kind",
                                                    problem_kind[p->kind], "table",
                                                    p->table >= 0 ? tabs[p->table].name : NULL,
                                                    "key", p->key[0] ? p->key : NULL, "entry",
                                                    (json_int_t)p->seq, "message", p->message));
            }
            json_object_set_new(j, "row_problems", pa);
            json_object_set_new(j, "row_problems_total", json_integer(rrep.bad));
        }
        if (chain_ok)
            json_object_set_new(j, "root", json_string(root));
        if (have_cp) {
            char cr[45];
            cust_tlog_hash_b64(cp.root, cr);
            json_object_set_new(j, "checkpoint",
                                json_pack("{s:s,s:I,s:s,s:b,s:s}", "origin", cp.origin, "size",
                                          (json_int_t)cp.size, "root", cr, "ok",
                                          chain_ok && !rep.checkpoint_bad, "signature",
                                          pub_path      ? "verified"
                                          : signed_note ? "unchecked"
                                                        : "none"));
        }
        if (rc != CUST_OK) {
            if (rep.bad_seq)
                json_object_set_new(j, "bad_seq", json_integer(rep.bad_seq));
            json_object_set_new(j, "reason", json_string(rep.reason));
        } else if (drc != CUST_OK) {
            json_object_set_new(j, "bad_disclosure", json_integer(drep.bad_id));
            json_object_set_new(j, "reason", json_string(drep.reason));
        }
        json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        putchar('\n');
        json_decref(j);
    }
    if (!chain_ok) {
        fprintf(stderr, "ledger broken at entry %" PRId64 ": %s\n", rep.bad_seq, rep.reason);
        cust_ledger_rows_report_release(&rrep);
        return 1;
    }
    if (!json)
        printf("ledger ok: %" PRId64 " entries\ntree head: size %" PRId64 ", root %s\n",
               rep.entries, rep.entries, root);
    if (rep.checkpoint_bad) {
        fprintf(stderr, "checkpoint broken: %s\n", rep.reason);
        cust_ledger_rows_report_release(&rrep);
        return 1;
    }
    if (have_cp && !json)
        printf("checkpoint ok: the ledger extends %s at size %" PRIu64 " (%s)\n", cp.origin,
               cp.size,
               pub_path      ? "signature verified"
               : signed_note ? "signature not checked: no --pubkey"
                             : "unsigned checkpoint");
    /* the desk's own check of its disclosure batches first (it names the fulfilment), then
     * every row of every covered table */
    if (drc != CUST_OK) {
        fprintf(stderr, "disclosures broken: %s\n", drep.reason);
        cust_ledger_rows_report_release(&rrep);
        return 1;
    }
    if (!json)
        printf("disclosures ok: %" PRId64 " rows in %" PRId64 " fulfilments\n", drep.rows,
               drep.batches);
    if (rrc != CUST_OK) {
        for (size_t i = 0; i < rrep.nproblems; i++)
            fprintf(stderr, "row broken: %s\n", rrep.problems[i].message);
        if (rrep.bad > (int64_t)rrep.nproblems)
            fprintf(stderr, "... and %" PRId64 " more (--all lists up to 1000)\n",
                    rrep.bad - (int64_t)rrep.nproblems);
        cust_ledger_rows_report_release(&rrep);
        return 1;
    }
    if (!json && rrep.legacy)
        printf("rows: not committed yet: no ledger entry since the store moved to schema 9 "
               "(the next write to the store commits every row)\n");
    else if (!json)
        printf("rows ok: %" PRId64 " rows of the record and the desk match the ledger\n",
               rrep.rows);
    cust_ledger_rows_report_release(&rrep);
    return 0;
}

/* ---- checkpoint ---------------------------------------------------------------------------- */

static int audit_checkpoint(struct cust_store *s, const char *key_path, const char *origin,
                            const char *out_path)
{
    struct cust_err err = CUST_ERR_INIT;
    struct cust_note_signer signer;
    if (key_path && cust_note_signer_load(key_path, &signer, &err) != CUST_OK)
        return cli_fail(&err);
    if (key_path && origin && strcmp(origin, signer.name) != 0)
        return cli_usage_error(usage, "--origin '%s' differs from the key's name '%s'", origin,
                               signer.name);
    if (!key_path && origin && !cust_note_name_ok(origin))
        return cli_usage_error(usage, "--origin '%s': no spaces or '+'", origin);
    struct cust_ledger_report rep;
    enum cust_status rc = cust_ledger_verify(s, &rep, &err);
    if (rc == CUST_EINTEGRITY) {
        fprintf(stderr, "ledger broken at entry %" PRId64 ": %s (no checkpoint signed)\n",
                rep.bad_seq, rep.reason);
        cust_note_signer_wipe(&signer);
        return 1;
    }
    if (rc != CUST_OK)
        return cli_fail(&err);
    struct cust_checkpoint cp = {.size = (uint64_t)rep.entries};
    snprintf(cp.origin, sizeof(cp.origin), "%s",
             key_path ? signer.name
             : origin ? origin
                      : "custodian-ledger");
    memcpy(cp.root, rep.root, sizeof(cp.root));
    char *note = cust_ledger_checkpoint(&cp, key_path ? &signer : NULL, &err);
    cust_note_signer_wipe(&signer);
    if (!note)
        return cli_fail(&err);
    /* whole or absent (file.h): a failed write leaves no empty or partial checkpoint */
    struct cust_outfile of;
    if (cust_outfile_open(&of, out_path, &err) != CUST_OK) {
        free(note);
        return cli_fail(&err);
    }
    bool written = fputs(note, of.f) >= 0;
    free(note);
    if (!written) {
        fprintf(stderr, "custodian: '%s': %s\n", out_path ? out_path : "stdout", strerror(errno));
        cust_outfile_discard(&of);
        return 1;
    }
    if (cust_outfile_close(&of, &err) != CUST_OK)
        return cli_fail(&err);
    if (!key_path)
        fprintf(stderr, "custodian: checkpoint not signed (no --key, no $CUSTODIAN_LEDGER_KEY)\n");
    return 0;
}

/* ---- prove --------------------------------------------------------------------------------- */

static bool parse_u64(const char *s, uint64_t *v)
{
    if (!s || !*s || *s == '-' || *s == '+')
        return false;
    char *end;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 10);
    if (errno || *end)
        return false;
    *v = x;
    return true;
}

static json_t *hashes_json(const unsigned char (*p)[CUST_TLOG_HASH], int n)
{
    json_t *a = json_array();
    for (int i = 0; i < n; i++) {
        char b[45];
        cust_tlog_hash_b64(p[i], b);
        json_array_append_new(a, json_string(b));
    }
    return a;
}

static int audit_prove(struct cust_store *s, const char *old_s, const char *entry_s,
                       const char *size_s, bool json)
{
    struct cust_err err = CUST_ERR_INIT;
    uint64_t old = 0, entry = 0, size = 0;
    if ((old_s != NULL) == (entry_s != NULL))
        return cli_usage_error(usage, "prove what? (--old SIZE or --entry N)");
    if (old_s && !parse_u64(old_s, &old))
        return cli_usage_error(usage, "--old '%s': a tree size (0, 1, 2, ...)", old_s);
    if (entry_s && (!parse_u64(entry_s, &entry) || entry == 0))
        return cli_usage_error(usage, "--entry '%s': an entry number (1, 2, ...)", entry_s);
    if (size_s && !parse_u64(size_s, &size))
        return cli_usage_error(usage, "--size '%s': a tree size", size_s);
    unsigned char(*leaves)[CUST_TLOG_HASH];
    uint64_t n;
    if (cust_ledger_leaves(s, &leaves, &n, &err) != CUST_OK)
        return cli_fail(&err);
    const unsigned char(*cl)[CUST_TLOG_HASH] = (const unsigned char(*)[CUST_TLOG_HASH])leaves;
    if (!size_s)
        size = n;
    int rc = 0;
    if (size > n) {
        fprintf(stderr, "custodian: --size %" PRIu64 ": the ledger has %" PRIu64 " entries\n", size,
                n);
        rc = 2;
    } else if (old_s && old > size) {
        fprintf(stderr, "custodian: --old %" PRIu64 ": larger than the tree (%" PRIu64 ")\n", old,
                size);
        rc = 2;
    } else if (entry_s && entry > size) {
        fprintf(stderr, "custodian: --entry %" PRIu64 ": the tree has %" PRIu64 " entries\n", entry,
                size);
        rc = 2;
    }
    if (rc) {
        free(leaves);
        return rc;
    }
    unsigned char proof[CUST_TLOG_MAX_PROOF][CUST_TLOG_HASH], root[CUST_TLOG_HASH],
        other[CUST_TLOG_HASH];
    cust_tlog_root(cl, size, root);
    int len;
    if (old_s) {
        cust_tlog_root(cl, old, other);
        len = cust_tlog_consistency_proof(cl, size, old, proof);
    } else {
        memcpy(other, leaves[entry - 1], CUST_TLOG_HASH);
        len = cust_tlog_inclusion_proof(cl, size, entry - 1, proof);
    }
    free(leaves);
    char rb[45], ob[45];
    cust_tlog_hash_b64(root, rb);
    cust_tlog_hash_b64(other, ob);
    const unsigned char(*cp)[CUST_TLOG_HASH] = (const unsigned char(*)[CUST_TLOG_HASH])proof;
    if (json) {
        json_t *j = old_s ? json_pack("{s:s,s:I,s:s,s:I,s:s,s:o}", "proof", "consistency",
                                      "old_size", (json_int_t)old, "old_root", ob, "size",
                                      (json_int_t)size, "root", rb, "hashes", hashes_json(cp, len))
                          : json_pack("{s:s,s:I,s:I,s:s,s:I,s:s,s:o}", "proof", "inclusion",
                                      "entry", (json_int_t)entry, "leaf_index",
                                      (json_int_t)(entry - 1), "leaf_hash", ob, "size",
                                      (json_int_t)size, "root", rb, "hashes", hashes_json(cp, len));
        json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        putchar('\n');
        json_decref(j);
        return 0;
    }
    if (old_s)
        printf("consistency proof\nold size %" PRIu64 "\nold root %s\nsize %" PRIu64 "\nroot %s\n",
               old, ob, size, rb);
    else
        printf("inclusion proof\nentry %" PRIu64 "\nleaf index %" PRIu64
               "\nleaf hash %s\nsize %" PRIu64 "\nroot %s\n",
               entry, entry - 1, ob, size, rb);
    for (int i = 0; i < len; i++) {
        char b[45];
        cust_tlog_hash_b64(proof[i], b);
        printf("%s\n", b);
    }
    return 0;
}

/* ---- key generate ------------------------------------------------------------------------- */

/* The directory of `path`, resolved (NULL when it does not exist). */
static char *dir_of(const char *path)
{
    char *copy = cust_xstrdup(path);
    char *real = realpath(dirname(copy), NULL);
    free(copy);
    return real;
}

static int audit_key(int argc, char **argv, struct cli_ctx *ctx)
{
    const char *name = NULL, *out = NULL;
    if (argc < 1 || strcmp(argv[0], "generate") != 0)
        return cli_usage_error(usage, "audit key what? (generate)");
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--name") == 0 && i + 1 < argc)
            name = argv[++i];
        else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
            out = argv[++i];
        else
            return cli_usage_error(usage, "unexpected argument '%s'", argv[i]);
    }
    if (!name || !out)
        return cli_usage_error(usage,
                               "audit key generate needs --name (e.g. county.example/jail-ledger) "
                               "and --out PREFIX");
    if (!cust_note_name_ok(name))
        return cli_usage_error(usage, "--name '%s': non-empty, no spaces, no '+'", name);
    size_t ol = strlen(out);
    char *key_path = cust_xmalloc(ol + 5), *pub_path = cust_xmalloc(ol + 5);
    snprintf(key_path, ol + 5, "%s.key", out);
    snprintf(pub_path, ol + 5, "%s.pub", out);
    /* the signing key must not sit beside the store: whoever copies one would have both */
    char *kd = dir_of(key_path), *sd = dir_of(ctx->db_path);
    bool beside = kd && sd && strcmp(kd, sd) == 0;
    free(kd);
    free(sd);
    int rc = 0;
    if (beside) {
        fprintf(stderr,
                "custodian: '%s' is in the store's directory; keep the signing key apart from "
                "the store (another directory, another machine)\n",
                key_path);
        rc = 2;
    } else {
        struct cust_err err = CUST_ERR_INIT;
        char *vkey = NULL;
        if (cust_note_keyfiles_create(name, key_path, pub_path, &vkey, &err) != CUST_OK) {
            rc = cli_fail(&err);
        } else {
            printf("%s\n", vkey);
            fprintf(stderr,
                    "custodian: wrote %s (the signer key, 0600) and %s (publish this one)\n",
                    key_path, pub_path);
        }
        free(vkey);
    }
    free(key_path);
    free(pub_path);
    return rc;
}

/* ---- dispatch ------------------------------------------------------------------------------ */

int cmd_audit(int argc, char **argv, struct cli_ctx *ctx)
{
    if (cli_wants_help(argc, argv)) {
        for (size_t i = 0; argc >= 2 && i < CUST_ARRAY_LEN(sub_help); i++)
            if (strcmp(argv[1], sub_help[i].name) == 0)
                return cli_help(sub_help[i].help);
        return cli_help(usage);
    }
    if (argc >= 2 && strcmp(argv[1], "key") == 0)
        return audit_key(argc - 2, argv + 2, ctx);
    const char *sub = NULL, *cp_path = NULL, *pub_path = NULL, *key_path = NULL, *origin = NULL,
               *out_path = NULL, *old_s = NULL, *entry_s = NULL, *size_s = NULL;
    bool json = false, all = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has = i + 1 < argc;
        if (strcmp(a, "--json") == 0)
            json = true;
        else if (strcmp(a, "--all") == 0)
            all = true;
        else if (strcmp(a, "--checkpoint") == 0 && has)
            cp_path = argv[++i];
        else if (strcmp(a, "--pubkey") == 0 && has)
            pub_path = argv[++i];
        else if (strcmp(a, "--key") == 0 && has)
            key_path = argv[++i];
        else if (strcmp(a, "--origin") == 0 && has)
            origin = argv[++i];
        else if (strcmp(a, "-o") == 0 && has)
            out_path = argv[++i];
        else if (strcmp(a, "--old") == 0 && has)
            old_s = argv[++i];
        else if (strcmp(a, "--entry") == 0 && has)
            entry_s = argv[++i];
        else if (strcmp(a, "--size") == 0 && has)
            size_s = argv[++i];
        else if (!sub && a[0] != '-')
            sub = a;
        else
            return cli_usage_error(usage, "unexpected argument '%s'", a);
    }
    static const char *const subs[] = {"verify", "log", "checkpoint", "prove"};
    bool known = false;
    for (size_t i = 0; sub && i < CUST_ARRAY_LEN(subs); i++)
        known = known || strcmp(sub, subs[i]) == 0;
    if (!known)
        return cli_usage_error(usage, "audit what? (verify | log | checkpoint | prove | key)");
    bool is_verify = strcmp(sub, "verify") == 0, is_cp = strcmp(sub, "checkpoint") == 0,
         is_prove = strcmp(sub, "prove") == 0;
    if ((cp_path || pub_path) && !is_verify)
        return cli_usage_error(usage, "--checkpoint and --pubkey belong to audit verify");
    if (all && !is_verify)
        return cli_usage_error(usage, "--all belongs to audit verify");
    if (pub_path && !cp_path)
        return cli_usage_error(usage, "--pubkey checks a --checkpoint: give both");
    if ((key_path || origin || out_path) && !is_cp)
        return cli_usage_error(usage, "--key, --origin and -o belong to audit checkpoint");
    if ((old_s || entry_s || size_s) && !is_prove)
        return cli_usage_error(usage, "--old, --entry and --size belong to audit prove");
    if (json && is_cp)
        return cli_usage_error(usage, "audit checkpoint prints a note, not JSON");
    if (is_cp && !key_path) {
        const char *k = cust_config_get(ctx->cfg, CUST_CFG_LEDGER_KEY); /* [ledger] key */
        if (*k && !origin)
            key_path = k;
    }
    struct cust_err err = CUST_ERR_INIT;
    struct cust_store *s;
    if (cust_store_open(ctx->db_path, CUST_STORE_READONLY, &s, &err) != CUST_OK)
        return cli_fail(&err);
    int rc;
    if (strcmp(sub, "log") == 0)
        rc = audit_log(s, json);
    else if (is_cp)
        rc = audit_checkpoint(s, key_path, origin, out_path);
    else if (is_prove)
        rc = audit_prove(s, old_s, entry_s, size_s, json);
    else
        rc = audit_verify(s, cp_path, pub_path, all ? 1000 : 1, json);
    cust_store_close(s);
    return rc;
}
