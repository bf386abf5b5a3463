/* cmd_request.c - `custodian request`: the request desk (shared/spec/requests.md). */
#include "custodian/compat.h"
#include "custodian/date.h"
#include "custodian/desk.h"
#include "cli.h"

#include <errno.h>

static const char usage[] =
    "usage: custodian [--db PATH] [--as USER] request COMMAND ...\n"
    "\n"
    "  add FILE|-                          take in a request (JSON, requests.md); prints its id\n"
    "  add --jsonl FILE|-                  take in one request a line, all or nothing\n"
    "                                      (e.g. the demo county's: custodian gen --requests)\n"
    "  list [--open|--overdue] [--kind K] [--json]\n"
    "                                      requests with deadline and owner, overdue first\n"
    "                                      (sweeps first, as below)\n"
    "  sweep [--as-of T] [--json]          expire every detainer whose hold window (48 hours\n"
    "                                      after release, excluding weekends and holidays)\n"
    "                                      passed without action (T: RFC 3339, default now)\n"
    "  show ID [--json]                    a request with links, decisions, actions, duties\n"
    "  match ID [--json]                   candidates for the subject, with score and reasons\n"
    "  confirm ID PERSON --by USER         confirm that person #PERSON is the subject\n"
    "  review ID PERSON --by USER --reason R\n"
    "                                      a supervisor clears a citizenship review flag\n"
    "  decide ID [--json] [--lang L]       decide under the policy for each confirmed person\n"
    "  act ID --action A --by USER [--reason R] [--decline] [--person N]\n"
    "         [--agency AG] [--at T] [--warrant NUMBER] [--offense CODE]\n"
    "                                      record what was done (A: hold|notify|transfer|\n"
    "                                      interview|arrest); a prohibited action is refused\n"
    "  fulfill ID [--format csv|json] [--out FILE] [--counsel-released]\n"
    "                                      answer a data request with what the law allows\n"
    "  lift ID --reason R | withdraw ID --reason R | expire ID --reason R | close ID --reason R\n"
    "  transfers [--json]                  every hand-over to federal custody, with its basis\n"
    "\n"
    "Options for every command: --policy ID|FILE (default: [county] jurisdiction,\n"
    "$CUSTODIAN_JURISDICTION, else us-ca), --policies DIR. Notices name the jail's agency\n"
    "([county] agency_name, $CUSTODIAN_AGENCY_NAME); deadlines count business days by\n"
    "[county] calendar ($CUSTODIAN_CALENDAR). See `custodian config show`.\n"
    "Exit: 0 ok, 1 failure or refusal, 2 invalid input (json.path: reason lines, nothing\n"
    "stored).\n";

struct opts {
    const char *id, *person, *by, *reason, *action, *agency, *at, *warrant, *offense;
    const char *format, *out, *kind, *policy, *policies, *lang, *file, *as_of;
    bool json, open, overdue, decline, counsel_released, jsonl;
};

static int parse(int argc, char **argv, int first, struct opts *o)
{
    static const struct {
        const char *name;
        size_t off;
    } valued[] = {
        {"--by", offsetof(struct opts, by)},
        {"--reason", offsetof(struct opts, reason)},
        {"--action", offsetof(struct opts, action)},
        {"--agency", offsetof(struct opts, agency)},
        {"--at", offsetof(struct opts, at)},
        {"--warrant", offsetof(struct opts, warrant)},
        {"--offense", offsetof(struct opts, offense)},
        {"--format", offsetof(struct opts, format)},
        {"--out", offsetof(struct opts, out)},
        {"--kind", offsetof(struct opts, kind)},
        {"--policy", offsetof(struct opts, policy)},
        {"--policies", offsetof(struct opts, policies)},
        {"--lang", offsetof(struct opts, lang)},
        {"--person", offsetof(struct opts, person)},
        {"--as-of", offsetof(struct opts, as_of)},
    };
    int positional = 0;
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];
        bool done = false;
        for (size_t k = 0; k < CUST_ARRAY_LEN(valued) && !done; k++) {
            if (strcmp(a, valued[k].name) != 0)
                continue;
            if (i + 1 >= argc)
                return cli_usage_error(usage, "%s needs a value", a);
            *(const char **)((char *)o + valued[k].off) = argv[++i];
            done = true;
        }
        if (done)
            continue;
        if (strcmp(a, "--json") == 0)
            o->json = true;
        else if (strcmp(a, "--open") == 0)
            o->open = true;
        else if (strcmp(a, "--overdue") == 0)
            o->overdue = true;
        else if (strcmp(a, "--decline") == 0)
            o->decline = true;
        else if (strcmp(a, "--jsonl") == 0)
            o->jsonl = true;
        else if (strcmp(a, "--counsel-released") == 0)
            o->counsel_released = true;
        else if (a[0] == '-' && a[1] != '\0')
            return cli_usage_error(usage, "unknown option '%s'", a);
        else if (positional == 0) {
            o->id = a;
            o->file = a;
            positional++;
        } else if (positional == 1) {
            o->person = a;
            positional++;
        } else
            return cli_usage_error(usage, "unexpected argument '%s'", a);
    }
    return 0;
}

static void print_json(json_t *j)
{
    json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    putchar('\n');
}

static const char *s_or(const json_t *o, const char *k, const char *dflt)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : dflt;
}

static void print_list(json_t *arr)
{
    size_t i;
    json_t *r;
    printf("%-14s %-24s %-9s %-20s %-8s %-10s %s\n", "ID", "KIND", "STATUS", "DEADLINE", "",
           "OWNER", "REQUESTER");
    json_array_foreach(arr, i, r)
    {
        printf("%-14s %-24s %-9s %-20s %-8s %-10s %s\n", s_or(r, "id", ""), s_or(r, "kind", ""),
               s_or(r, "status", ""), s_or(r, "deadline", "-"),
               json_is_true(json_object_get(r, "overdue")) ? "OVERDUE" : "", s_or(r, "owner", "-"),
               s_or(json_object_get(r, "requester"), "agency", ""));
    }
    printf("%zu request%s\n", json_array_size(arr), json_array_size(arr) == 1 ? "" : "s");
}

static void print_show(json_t *j)
{
    printf("%s  %s%s%s  %s\n", s_or(j, "id", ""), s_or(j, "kind", ""),
           json_string_value(json_object_get(j, "form")) ? " " : "", s_or(j, "form", ""),
           s_or(j, "status", ""));
    printf("  requester: %s%s%s\n", s_or(json_object_get(j, "requester"), "agency", ""),
           json_string_value(json_object_get(json_object_get(j, "requester"), "office")) ? ", "
                                                                                         : "",
           s_or(json_object_get(j, "requester"), "office", ""));
    printf("  received:  %s\n  deadline:  %s%s%s%s\n  owner:     %s\n", s_or(j, "received_at", ""),
           s_or(j, "deadline", "none"),
           json_string_value(json_object_get(j, "law_rule")) ? " (" : "", s_or(j, "law_rule", ""),
           json_string_value(json_object_get(j, "law_rule")) ? ")" : "", s_or(j, "owner", "-"));
    if (json_is_true(json_object_get(j, "overdue")))
        printf("  OVERDUE\n");
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(j, "links"), i, x)
        printf("  person #%lld booking %s: %s (score %.3f%s)%s%s\n",
               (long long)json_integer_value(json_object_get(x, "person_id")),
               s_or(x, "booking_number", "-"), s_or(x, "state", ""),
               json_real_value(json_object_get(x, "score")),
               json_is_true(json_object_get(x, "strong")) ? ", strong id" : "",
               json_is_true(json_object_get(x, "review")) ? "  REVIEW: " : "",
               s_or(x, "review_reason", ""));
    json_array_foreach(json_object_get(j, "decisions"), i, x)
    {
        json_t *dec = json_object_get(x, "decision");
        printf("  decision %lld person #%lld under %s %s:",
               (long long)json_integer_value(json_object_get(x, "id")),
               (long long)json_integer_value(json_object_get(x, "person_id")),
               s_or(json_object_get(x, "policy"), "id", ""),
               s_or(json_object_get(x, "policy"), "version", ""));
        const char *k;
        json_t *v;
        json_object_foreach(json_object_get(dec, "actions"), k, v)
            printf(" %s=%s", k, s_or(v, "verdict", "?"));
        json_object_foreach(json_object_get(dec, "disclose"), k, v)
            printf(" %s=%s", k, s_or(v, "verdict", "?"));
        putchar('\n');
    }
    json_array_foreach(json_object_get(j, "actions"), i, x)
        printf("  action %s person #%lld: %s (verdict %s) by %s at %s%s%s\n", s_or(x, "action", ""),
               (long long)json_integer_value(json_object_get(x, "person_id")),
               s_or(x, "outcome", ""), s_or(x, "verdict", ""), s_or(x, "by", ""), s_or(x, "at", ""),
               json_string_value(json_object_get(x, "reason")) ? ": " : "", s_or(x, "reason", ""));
    json_array_foreach(json_object_get(j, "documents"), i, x)
        printf("  document %-8s %-36s %s\n", s_or(x, "role", ""), s_or(x, "name", ""),
               s_or(x, "sha256", ""));
    json_array_foreach(json_object_get(j, "duties"), i, x) printf(
        "  duty %lld %s person #%lld: %s, due %s%s\n",
        (long long)json_integer_value(json_object_get(x, "id")), s_or(x, "duty", ""),
        (long long)json_integer_value(json_object_get(x, "person_id")), s_or(x, "status", ""),
        s_or(x, "due", "-"), json_is_true(json_object_get(x, "overdue")) ? " OVERDUE" : "");
}

static int64_t person_arg(const char *s)
{
    if (!s)
        return -1;
    if (*s == '#')
        s++;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || end == s || v <= 0)
        return -1;
    return v;
}

static json_t *read_json(const char *path, json_error_t *je)
{
    if (strcmp(path, "-") == 0)
        return json_loadf(stdin, JSON_REJECT_DUPLICATES, je);
    return json_load_file(path, JSON_REJECT_DUPLICATES, je);
}

/* `add --jsonl`: every line a request, in one transaction; any invalid line: nothing stored. */
static int add_lines(struct cust_desk *d, const char *path, struct cust_err *err,
                     enum cust_status *st)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        *st = cust_err_set(err, CUST_EIO, "cannot open '%s'", path);
        return 0;
    }
    char *line = NULL;
    size_t cap = 0, lineno = 0, added = 0, bad = 0;
    ssize_t len;
    *st = cust_store_begin(d->store, err);
    while (*st == CUST_OK && (len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        if (len <= 1)
            continue;
        json_error_t je;
        json_t *doc = json_loadb(line, (size_t)len, JSON_REJECT_DUPLICATES, &je);
        char prefix[1100];
        snprintf(prefix, sizeof(prefix), "%s:%zu: ", path, lineno);
        if (!doc) {
            fprintf(stderr, "%srequest: %s\n", prefix, je.text);
            bad++;
            continue;
        }
        struct cust_diag diag = CUST_DIAG_INIT;
        char id[CUST_REQUEST_ID_MAX];
        enum cust_status r = cust_desk_add(d, doc, id, &diag, err);
        json_decref(doc);
        if (r == CUST_EINVAL && cust_diag_count(&diag)) {
            cust_diag_print(&diag, stderr, prefix);
            bad++;
            /* keep checking the other lines; the transaction is gone, start another */
            if (!cust_store_in_transaction(d->store))
                *st = cust_store_begin(d->store, err);
        } else if (r != CUST_OK) {
            *st = r;
        } else {
            added++;
        }
        cust_diag_release(&diag);
    }
    free(line);
    if (f != stdin)
        fclose(f);
    if (*st == CUST_OK && bad == 0) {
        *st = cust_store_commit(d->store, err);
        if (*st == CUST_OK)
            fprintf(stderr, "added %zu requests\n", added);
        return 0;
    }
    cust_store_rollback(d->store);
    if (*st == CUST_OK) {
        fprintf(stderr, "custodian: %zu invalid request%s: nothing stored\n", bad,
                bad == 1 ? "" : "s");
        return 2;
    }
    return 0;
}

int cmd_request(int argc, char **argv, struct cli_ctx *ctx)
{
    if (argc < 2 || cli_wants_help(argc, argv))
        return argc < 2 ? cli_usage_error(usage, "which request command?") : cli_help(usage);
    const char *sub = argv[1];
    struct opts o = {0};
    int rc = parse(argc, argv, 2, &o);
    if (rc)
        return rc;
    static const char *const subs[] = {"add",      "list",   "show",  "match",     "confirm",
                                       "review",   "decide", "act",   "fulfill",   "lift",
                                       "withdraw", "expire", "close", "transfers", "sweep"};
    bool known = false;
    for (size_t i = 0; i < CUST_ARRAY_LEN(subs); i++)
        known |= strcmp(sub, subs[i]) == 0;
    if (!known)
        return cli_usage_error(usage, "unknown request command '%s'", sub);
    bool needs_id =
        strcmp(sub, "list") != 0 && strcmp(sub, "transfers") != 0 && strcmp(sub, "sweep") != 0;
    if (needs_id && !o.id)
        return cli_usage_error(usage, "request %s: which %s?", sub,
                               strcmp(sub, "add") == 0 ? "file" : "request id");
    if (o.format && strcmp(o.format, "csv") != 0 && strcmp(o.format, "json") != 0)
        return cli_usage_error(usage, "--format: '%s' is not csv or json", o.format);
    if (o.lang && strcmp(sub, "decide") != 0 && strcmp(sub, "act") != 0 &&
        strcmp(sub, "fulfill") != 0)
        return cli_usage_error(usage, "--lang applies to decide, act and fulfill");
    int64_t sweep_at = cust_now();
    if (o.as_of && strcmp(sub, "sweep") != 0)
        return cli_usage_error(usage, "--as-of applies to sweep");
    if (o.as_of && !cust_time_parse(o.as_of, &sweep_at, NULL))
        return cli_usage_error(usage, "--as-of: '%s' is not an RFC 3339 time", o.as_of);

    json_t *doc = NULL;
    if (strcmp(sub, "add") == 0 && !o.jsonl) {
        json_error_t je;
        doc = read_json(o.file, &je);
        if (!doc) {
            fprintf(stderr, "request: line %d column %d: %s\n", je.line, je.column, je.text);
            return 2;
        }
    }

    /* --policy and --policies override the configuration for this command */
    if (o.policy)
        cli_config_option(ctx, CUST_CFG_JURISDICTION, "--policy", o.policy);
    if (o.policies)
        cli_config_option(ctx, CUST_CFG_POLICIES, "--policies", o.policies);
    struct cust_err err = CUST_ERR_INIT;
    struct cust_store *s = NULL;
    struct cust_desk_env *env = NULL;
    if (cust_desk_env_open(ctx->cfg, CUST_DESK_POLICY_FILES, &env, &err) != CUST_OK ||
        cust_store_open(ctx->db_path, CUST_STORE_OPEN, &s, &err) != CUST_OK) {
        json_decref(doc);
        cust_desk_env_free(env);
        return cli_fail(&err);
    }
    struct cust_desk d;
    cust_desk_init(&d, env, s, ctx->user, "clerk");
    d.lang = o.lang;
    enum cust_status st = CUST_OK;
    json_t *out = NULL;
    rc = 0;
    if (strcmp(sub, "add") == 0 && o.jsonl) {
        rc = add_lines(&d, o.file, &err, &st);
    } else if (strcmp(sub, "add") == 0) {
        char id[CUST_REQUEST_ID_MAX];
        struct cust_diag diag = CUST_DIAG_INIT;
        st = cust_desk_add(&d, doc, id, &diag, &err);
        if (st == CUST_EINVAL && cust_diag_count(&diag)) {
            cust_diag_print(&diag, stderr, NULL);
            rc = 2;
        } else if (st == CUST_OK) {
            puts(id);
        }
        cust_diag_release(&diag);
    } else if (strcmp(sub, "sweep") == 0) {
        st = cust_desk_sweep(&d, sweep_at, &out, &err);
        if (st == CUST_OK && o.json) {
            print_json(out);
        } else if (st == CUST_OK) {
            size_t i;
            json_t *x;
            json_array_foreach(out, i, x)
            {
                printf("%s: expired (was %s; %s ended %s)\n", s_or(x, "id", ""),
                       s_or(x, "from", ""), s_or(x, "rule", ""), s_or(x, "deadline", ""));
            }
            printf("%zu expired\n", json_array_size(out));
        }
    } else if (strcmp(sub, "list") == 0) {
        struct cust_request_filter f = {o.open || o.overdue, CUST_NO_TIME, sweep_at, o.kind};
        if (o.overdue)
            f.overdue_at = f.now;
        /* no stale open detainer in a list: expire what has passed first */
        st = cust_desk_sweep(&d, f.now, &out, &err);
        if (st == CUST_OK && json_array_size(out) > 0)
            fprintf(stderr, "request list: %zu detainer%s expired (hold window passed)\n",
                    json_array_size(out), json_array_size(out) == 1 ? "" : "s");
        json_decref(out);
        out = NULL;
        if (st == CUST_OK)
            st = cust_desk_list(&d, &f, &out, &err);
        if (st == CUST_OK)
            o.json ? print_json(out) : print_list(out);
    } else if (strcmp(sub, "show") == 0) {
        st = cust_desk_show(&d, o.id, &out, &err);
        if (st == CUST_OK)
            o.json ? print_json(out) : print_show(out);
    } else if (strcmp(sub, "match") == 0) {
        st = cust_desk_match(&d, o.id, &out, &err);
        if (st == CUST_OK && o.json) {
            print_json(out);
        } else if (st == CUST_OK) {
            size_t i;
            json_t *c;
            json_array_foreach(out, i, c)
            {
                printf("person #%lld booking %s score %.4f (%.1f points)%s: %s%s%s\n",
                       (long long)json_integer_value(json_object_get(c, "person_id")),
                       s_or(c, "booking_number", "-"), json_real_value(json_object_get(c, "score")),
                       json_real_value(json_object_get(c, "points")),
                       json_is_true(json_object_get(c, "strong")) ? " strong id" : "",
                       s_or(c, "state", ""),
                       json_is_true(json_object_get(c, "review")) ? "  REVIEW: " : "",
                       s_or(c, "review_reason", ""));
                size_t k;
                json_t *r;
                json_array_foreach(json_object_get(c, "reasons"), k, r)
                    printf("    %-16s %-32s %+.2f\n", s_or(r, "field", ""), s_or(r, "text", ""),
                           json_real_value(json_object_get(r, "points")));
            }
            if (json_array_size(out) == 0)
                puts("no candidates");
        }
    } else if (strcmp(sub, "confirm") == 0 || strcmp(sub, "review") == 0) {
        int64_t pid = person_arg(o.person);
        if (pid < 0)
            rc = cli_usage_error(usage, "request %s: PERSON must be a person number", sub);
        else if (!o.by)
            rc = cli_usage_error(usage, "request %s: --by USER is required", sub);
        else if (strcmp(sub, "confirm") == 0)
            st = cust_desk_confirm(&d, o.id, pid, o.by, &err);
        else if (!o.reason)
            rc = cli_usage_error(usage, "request review: --reason is required");
        else
            st = cust_desk_review(&d, o.id, pid, o.by, o.reason, &err);
        if (!rc && st == CUST_OK)
            printf("%s: person #%lld %s\n", o.id, (long long)pid,
                   strcmp(sub, "confirm") == 0 ? "confirmed" : "review cleared");
    } else if (strcmp(sub, "decide") == 0) {
        st = cust_desk_decide(&d, o.id, &out, &err);
        if (st == CUST_OK && o.json) {
            print_json(out);
        } else if (st == CUST_OK) {
            size_t i;
            json_t *x;
            json_array_foreach(out, i, x)
            {
                json_t *dec = json_object_get(x, "decision");
                printf("person #%lld booking %s (%s %s):",
                       (long long)json_integer_value(json_object_get(x, "person_id")),
                       s_or(x, "booking_number", "-"),
                       s_or(json_object_get(dec, "policy"), "id", ""),
                       s_or(json_object_get(dec, "policy"), "version", ""));
                const char *k;
                json_t *v;
                json_object_foreach(json_object_get(dec, "actions"), k, v)
                    printf(" %s=%s", k, s_or(v, "verdict", "?"));
                putchar('\n');
            }
        }
    } else if (strcmp(sub, "act") == 0) {
        int64_t pid = o.person ? person_arg(o.person) : 0;
        if (!o.action)
            rc = cli_usage_error(usage, "request act: --action is required");
        else if (!o.by)
            rc = cli_usage_error(usage, "request act: --by USER is required");
        else if (pid < 0)
            rc = cli_usage_error(usage, "request act: --person must be a person number");
        else {
            struct cust_desk_act a = {o.action, pid,  o.by,      o.reason, o.decline,
                                      o.agency, o.at, o.warrant, o.offense};
            st = cust_desk_act(&d, o.id, &a, &out, &err);
            if (st == CUST_OK && o.json)
                print_json(out);
            else if (st == CUST_OK)
                printf("%s: %s %s for %zu person%s\n", o.id, o.action,
                       o.decline ? "declined" : "done", json_array_size(out),
                       json_array_size(out) == 1 ? "" : "s");
        }
    } else if (strcmp(sub, "fulfill") == 0) {
        FILE *f = o.out ? fopen(o.out, "wb") : stdout;
        if (!f) {
            st = cust_err_set(&err, CUST_EIO, "cannot write '%s'", o.out);
        } else {
            struct cust_desk_fulfil_stats fs;
            st = cust_desk_fulfill(
                &d, o.id, o.format && strcmp(o.format, "csv") == 0 ? CUST_DESK_CSV : CUST_DESK_JSON,
                o.counsel_released, f, &fs, &err);
            if (f != stdout && fclose(f) != 0 && st == CUST_OK)
                st = cust_err_set(&err, CUST_EIO, "cannot write '%s'", o.out);
            if (st == CUST_OK && fs.referred)
                fprintf(stderr, "%s: referred to counsel; nothing disclosed\n", o.id);
            else if (st == CUST_OK)
                fprintf(stderr,
                        "%s: %lld rows, %lld given, %lld items withheld, %lld duties created\n",
                        o.id, (long long)fs.rows, (long long)fs.given, (long long)fs.withheld,
                        (long long)fs.duties);
        }
    } else if (strcmp(sub, "transfers") == 0) {
        st = cust_desk_transfers(&d, &out, &err);
        if (st == CUST_OK && o.json) {
            print_json(out);
        } else if (st == CUST_OK) {
            size_t i;
            json_t *t;
            json_array_foreach(out, i, t) printf(
                "%s %s booking %s to %s: %s %s%s\n", s_or(t, "at", ""), s_or(t, "request_id", "-"),
                s_or(t, "booking_number", "-"), s_or(t, "agency", ""), s_or(t, "basis", ""),
                s_or(t, "warrant_number", s_or(t, "criterion", "")),
                json_string_value(json_object_get(t, "offense")) ? s_or(t, "offense", "") : "");
            printf("%zu transfer%s\n", json_array_size(out), json_array_size(out) == 1 ? "" : "s");
        }
    } else { /* lift, withdraw, expire, close */
        static const char *const to[][2] = {{"lift", "lifted"},
                                            {"withdraw", "withdrawn"},
                                            {"expire", "expired"},
                                            {"close", "closed"}};
        const char *status = NULL;
        for (size_t i = 0; i < CUST_ARRAY_LEN(to); i++)
            if (strcmp(sub, to[i][0]) == 0)
                status = to[i][1];
        if (!o.reason)
            rc = cli_usage_error(usage, "request %s: --reason is required", sub);
        else
            st = cust_desk_set_status(&d, o.id, status, o.reason, &err);
        if (!rc && st == CUST_OK)
            printf("%s: %s\n", o.id, status);
    }
    json_decref(out);
    json_decref(doc);
    cust_desk_release(&d);
    cust_store_close(s);
    cust_desk_env_free(env);
    if (rc)
        return rc;
    return st == CUST_OK ? 0 : cli_fail(&err);
}
