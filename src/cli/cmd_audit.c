/* cmd_audit.c - `custodian audit verify|log`: check or list the hash-chained ledger. */
#include "custodian/compat.h"
#include "custodian/desk.h"
#include "custodian/ledger.h"
#include "cli.h"

#include <inttypes.h>
#include <jansson.h>

static const char usage[] =
    "usage: custodian [--db PATH] audit verify [--json]\n"
    "       custodian [--db PATH] audit log [--json]\n"
    "\n"
    "verify  recompute the ledger's SHA-256 chain; print `ledger ok: N entries`, or name the\n"
    "        first bad entry (changed, deleted or reordered) and exit 1; then check every\n"
    "        disclosure row against its fulfilment's ledger entry (`disclosures ok: N rows`,\n"
    "        or name the first row changed, deleted or inserted and exit 1)\n"
    "log     list the ledger entries (seq, time, actor, role, action, object, outcome)\n";

static enum cust_status on_entry(const struct cust_ledger_row *r, void *arg)
{
    json_t *arr = arg;
    if (!arr) {
        printf("%6" PRId64 "  %s  %-10s %-9s %-8s %s:%s  %s\n", r->seq, r->at, r->actor, r->role,
               r->action, r->object_type, r->object_id, r->outcome);
        return CUST_OK;
    }
    json_t *d = r->detail ? json_loads(r->detail, 0, NULL) : NULL;
    json_array_append_new(
        arr, json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:s,s:s}", "seq",
                       (json_int_t)r->seq, "at", r->at, "actor", r->actor, "role", r->role,
                       "action", r->action, "object_type", r->object_type, "object_id",
                       r->object_id, "outcome", r->outcome, "purpose", r->purpose, "detail",
                       d ? d : json_null(), "prev_hash", r->prev_hash, "hash", r->hash));
    return CUST_OK;
}

int cmd_audit(int argc, char **argv, struct cli_ctx *ctx)
{
    if (cli_wants_help(argc, argv))
        return cli_help(usage);
    const char *sub = NULL;
    bool json = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            json = true;
        else if (!sub)
            sub = argv[i];
        else
            return cli_usage_error(usage, "unexpected argument '%s'", argv[i]);
    }
    if (!sub || (strcmp(sub, "verify") != 0 && strcmp(sub, "log") != 0))
        return cli_usage_error(usage, "audit what? (verify | log)");
    struct cust_err err = CUST_ERR_INIT;
    struct cust_store *s;
    if (cust_store_open(ctx->db_path, CUST_STORE_OPEN, &s, &err) != CUST_OK)
        return cli_fail(&err);
    if (strcmp(sub, "log") == 0) {
        json_t *arr = json ? json_array() : NULL;
        int64_t hs;
        char hh[65];
        enum cust_status rc = cust_store_ledger_each(s, on_entry, arr, &hs, hh, &err);
        cust_store_close(s);
        if (arr && rc == CUST_OK) {
            json_dumpf(arr, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
            putchar('\n');
        }
        json_decref(arr);
        return rc == CUST_OK ? 0 : cli_fail(&err);
    }
    struct cust_ledger_report rep;
    enum cust_status rc = cust_ledger_verify(s, &rep, &err);
    /* the disclosure rows hang off ledger entries: checked once the chain is intact */
    struct cust_desk_verify_report drep;
    memset(&drep, 0, sizeof(drep));
    enum cust_status drc = rc == CUST_OK ? cust_desk_verify_disclosures(s, &drep, &err) : CUST_OK;
    cust_store_close(s);
    if ((rc != CUST_OK && rc != CUST_EINTEGRITY) || (drc != CUST_OK && drc != CUST_EINTEGRITY))
        return cli_fail(&err);
    if (json) {
        json_t *j = json_pack("{s:b,s:I,s:I}", "ok", rc == CUST_OK && drc == CUST_OK, "entries",
                              (json_int_t)rep.entries, "disclosures", (json_int_t)drep.rows);
        if (rc != CUST_OK) {
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
    if (rc == CUST_OK && !json)
        printf("ledger ok: %" PRId64 " entries\n", rep.entries);
    if (rc != CUST_OK) {
        fprintf(stderr, "ledger broken at entry %" PRId64 ": %s\n", rep.bad_seq, rep.reason);
        return 1;
    }
    if (drc != CUST_OK) {
        fprintf(stderr, "disclosures broken: %s\n", drep.reason);
        return 1;
    }
    if (!json)
        printf("disclosures ok: %" PRId64 " rows in %" PRId64 " fulfilments\n", drep.rows,
               drep.batches);
    return 0;
}
