/* cmd_history.c - `custodian history BOOKING [--json]`: every version of a booking. */
#include "custodian/compat.h"
#include "custodian/store.h"
#include "cli.h"

#include <jansson.h>

static const char usage[] =
    "usage: custodian [--db PATH] history BOOKING [--json]\n"
    "\n"
    "List every version of a booking, oldest first: version number, when it was recorded,\n"
    "who recorded it (--as USER of the import), its source (file:line) and which fields\n"
    "changed from the version before.\n"
    "\n"
    "  --json   a JSON array of versions, each with its full record under \"record\"\n";

struct hist {
    bool json;
    json_t *arr;
};

static enum cust_status on_version(const struct cust_version *v, void *arg)
{
    struct hist *h = arg;
    json_t *changed = v->changed ? json_loads(v->changed, 0, NULL) : NULL;
    if (h->json) {
        json_t *o = json_object();
        json_object_set_new(o, "version", json_integer(v->version));
        json_object_set_new(o, "recorded_at", json_string(v->recorded_at));
        json_object_set_new(o, "recorded_by", json_string(v->recorded_by));
        json_object_set_new(o, "source", json_string(v->source));
        json_object_set_new(o, "changed", changed ? changed : json_null());
        json_t *rec = json_loads(v->doc, 0, NULL);
        json_object_set_new(o, "record", rec ? rec : json_null());
        json_array_append_new(h->arr, o);
        return CUST_OK;
    }
    printf("v%-3d %s  by %-12s from %s  ", v->version, v->recorded_at, v->recorded_by, v->source);
    if (!changed) {
        printf("created\n");
    } else {
        printf("changed:");
        size_t i;
        json_t *c;
        json_array_foreach(changed, i, c) printf(" %s", json_string_value(c));
        putchar('\n');
        json_decref(changed);
    }
    return CUST_OK;
}

int cmd_history(int argc, char **argv, struct cli_ctx *ctx)
{
    if (cli_wants_help(argc, argv))
        return cli_help(usage);
    const char *bn = NULL;
    bool json = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            json = true;
        else if (!bn)
            bn = argv[i];
        else
            return cli_usage_error(usage, "unexpected argument '%s'", argv[i]);
    }
    if (!bn)
        return cli_usage_error(usage, "which booking?");
    struct cust_err err = CUST_ERR_INIT;
    struct cust_store *s;
    if (cust_store_open(ctx->db_path, CUST_STORE_READONLY, &s, &err) != CUST_OK)
        return cli_fail(&err);
    struct hist h = {json, json_array()};
    enum cust_status rc = cust_store_versions(s, bn, on_version, &h, &err);
    cust_store_close(s);
    if (rc == CUST_OK && json) {
        json_dumpf(h.arr, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        putchar('\n');
    }
    json_decref(h.arr);
    return rc == CUST_OK ? 0 : cli_fail(&err);
}
