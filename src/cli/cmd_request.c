/* cmd_request.c - `custodian request`: the request desk (shared/spec/requests.md). */
#include "custodian/compat.h"
#include "custodian/date.h"
#include "custodian/desk.h"
#include "custodian/file.h"
#include "custodian/request.h"
#include "cli.h"

#include <errno.h>
#include <sodium.h>
#include <stdarg.h>

static const char usage[] =
    "usage: custodian [--db PATH] [--as USER] request COMMAND ... [--policy ID|FILE]\n"
    "       [--policies DIR]\n"
    "\n"
    "The request desk (shared/spec/requests.md): take in an outside request, match it to the\n"
    "persons it concerns, decide under the law in force, record what was done, answer a data\n"
    "request with what the law allows.\n"
    "\n"
    "Options for every command: --policy ID|FILE (default: [county] jurisdiction,\n"
    "$CUSTODIAN_JURISDICTION, else us-ca), --policies DIR. Notices name the jail's agency\n"
    "([county] agency_name, $CUSTODIAN_AGENCY_NAME); deadlines count business days by\n"
    "[county] calendar ($CUSTODIAN_CALENDAR). See `custodian config show`.\n"
    "Exit: 0 ok, 1 failure or refusal, 2 invalid input (json.path: reason lines, nothing\n"
    "stored).\n";

struct opts {
    const char *id, *person, *by, *reason, *action, *agency, *at, *warrant, *offense;
    const char *format, *out, *kind, *policy, *policies, *lang, *file, *as_of, *page;
    bool json, open, overdue, decline, counsel_released, jsonl, summary;
    const char *attach[100]; /* add --attach FILE, repeatable */
    size_t nattach;
};

static int parse(const char *usage_text, int argc, char **argv, int first, struct opts *o)
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
        {"--page", offsetof(struct opts, page)},
    };
    int positional = 0;
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];
        bool done = false;
        for (size_t k = 0; k < CUST_ARRAY_LEN(valued) && !done; k++) {
            if (strcmp(a, valued[k].name) != 0)
                continue;
            if (i + 1 >= argc)
                return cli_usage_error(usage_text, "%s needs a value", a);
            *(const char **)((char *)o + valued[k].off) = argv[++i];
            done = true;
        }
        if (done)
            continue;
        if (strcmp(a, "--attach") == 0) {
            if (i + 1 >= argc)
                return cli_usage_error(usage_text, "%s needs a value", a);
            if (o->nattach == CUST_ARRAY_LEN(o->attach))
                return cli_usage_error(usage_text, "--attach: at most %zu files",
                                       CUST_ARRAY_LEN(o->attach));
            o->attach[o->nattach++] = argv[++i];
        } else if (strcmp(a, "--json") == 0)
            o->json = true;
        else if (strcmp(a, "--open") == 0)
            o->open = true;
        else if (strcmp(a, "--overdue") == 0)
            o->overdue = true;
        else if (strcmp(a, "--decline") == 0)
            o->decline = true;
        else if (strcmp(a, "--jsonl") == 0)
            o->jsonl = true;
        else if (strcmp(a, "--summary") == 0)
            o->summary = true;
        else if (strcmp(a, "--counsel-released") == 0)
            o->counsel_released = true;
        else if (a[0] == '-' && a[1] != '\0')
            return cli_usage_error(usage_text, "unknown option '%s'", a);
        else if (positional == 0) {
            o->id = a;
            o->file = a;
            positional++;
        } else if (positional == 1) {
            o->person = a;
            positional++;
        } else
            return cli_usage_error(usage_text, "unexpected argument '%s'", a);
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
    {
        printf("  match %s, born %s (person #%lld, booking %s): %s (score %.3f%s)%s%s\n",
               s_or(x, "name", "(no name)"), s_or(x, "dob", "?"),
               (long long)json_integer_value(json_object_get(x, "person_id")),
               s_or(x, "booking_number", "-"), s_or(x, "state", ""),
               json_real_value(json_object_get(x, "score")),
               json_is_true(json_object_get(x, "strong")) ? ", strong id" : "",
               json_is_true(json_object_get(x, "review")) ? "  REVIEW: " : "",
               s_or(x, "review_reason", ""));
        if (json_is_true(json_object_get(x, "outside_candidates")))
            printf("    FLAGGED: confirmed outside the match candidates: %s\n",
                   s_or(x, "confirm_reason", ""));
        /* why a candidate is one: each field's agreement and its points */
        size_t k;
        json_t *why;
        if (strcmp(s_or(x, "state", ""), "candidate") == 0)
            json_array_foreach(json_object_get(x, "reasons"), k, why)
                printf("%s %s %s %+.1f%s", k ? "," : "    ", s_or(why, "field", ""),
                       s_or(why, "text", ""), json_number_value(json_object_get(why, "points")),
                       k + 1 == json_array_size(json_object_get(x, "reasons")) ? "\n" : "");
    }
    const json_t *summary = json_object_get(j, "summary");
    if (summary)
        cli_print_outcomes(stdout, summary);
    json_array_foreach(summary ? NULL : json_object_get(j, "decisions"), i, x)
    {
        json_t *dec = json_object_get(x, "decision");
        printf("  decision %lld %s (person #%lld, booking %s) under %s %s:",
               (long long)json_integer_value(json_object_get(x, "id")),
               s_or(x, "name", "(no name)"),
               (long long)json_integer_value(json_object_get(x, "person_id")),
               s_or(x, "booking_number", "-"), s_or(json_object_get(x, "policy"), "id", ""),
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
        printf("  action %s %s (person #%lld, booking %s): %s (verdict %s) by %s at %s%s%s\n",
               s_or(x, "action", ""), s_or(x, "name", "(no name)"),
               (long long)json_integer_value(json_object_get(x, "person_id")),
               s_or(x, "booking_number", "-"), s_or(x, "outcome", ""), s_or(x, "verdict", ""),
               s_or(x, "by", ""), s_or(x, "at", ""),
               json_string_value(json_object_get(x, "reason")) ? ": " : "", s_or(x, "reason", ""));
    json_array_foreach(json_object_get(j, "documents"), i, x)
        printf("  document %-8s %-36s %s\n", s_or(x, "role", ""), s_or(x, "name", ""),
               s_or(x, "sha256", ""));
    json_array_foreach(json_object_get(j, "duties"), i, x)
    {
        printf("  duty %lld %s", (long long)json_integer_value(json_object_get(x, "id")),
               s_or(x, "duty", ""));
        if (json_integer_value(json_object_get(x, "person_id")) > 0)
            printf(" %s (person #%lld, booking %s)", s_or(x, "name", "?"),
                   (long long)json_integer_value(json_object_get(x, "person_id")),
                   s_or(x, "booking_number", "-"));
        printf(": %s, due %s%s\n", s_or(x, "status", ""), s_or(x, "due", "-"),
               json_is_true(json_object_get(x, "overdue")) ? " OVERDUE" : "");
    }
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

/* ---- the subcommands ------------------------------------------------------------------- */

/* What every subcommand works with: its options, the desk opened from the configuration. */
struct req {
    const struct cli_ctx *ctx;
    const char *name, *usage;
    struct opts o;
    struct cust_desk d;
    struct cust_err err;
    json_t *out; /* a result to print (released by run) */
    int rc;      /* an exit code decided by the subcommand (usage errors) */
};

/* --by is who acts: the desk writes the ledger as them, with their real role (actor.c). */
static enum cust_status act_as_by(struct req *r, enum cust_action action)
{
    const char *role = NULL;
    enum cust_status st = cli_actor(r->ctx, r->d.store, r->o.by, action, &role, &r->err);
    if (st == CUST_OK) {
        r->d.actor = r->o.by;
        r->d.role = role;
    }
    return st;
}

typedef enum cust_status (*req_fn)(struct req *r);

#define R_ID   1u /* needs a request id (or, for add, a file) */
#define R_LANG 2u /* takes --lang */
#define R_ASOF 4u /* takes --as-of */
#define R_READ 8u /* only reads: opens the store read-only (works on a read-only copy) */

struct req_sub {
    struct cli_sub sub;
    req_fn fn;
    unsigned flags;
};

static enum cust_status usage_error(struct req *r, const char *fmt, ...) CUST_PRINTF(2, 3);

/* A usage error of the subcommand: its message and usage, exit 2. */
static enum cust_status usage_error(struct req *r, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    r->rc = cli_usage_error(r->usage, "request %s: %s", r->name, msg);
    return CUST_OK;
}

/* The documents a request arrived with, as files (`add --attach FILE`): each becomes
 * request.documents[] {name: the file's name, content_base64}, or fills the content of the entry
 * the request already names that way (its sha256 is then checked against the bytes). The desk
 * keeps each by SHA-256 as a received document. Exit 2 when a file cannot be read. */
static int attach_files(json_t *doc, const char *const *files, size_t n)
{
    json_t *docs = json_object_get(doc, "documents");
    if (!docs) {
        docs = json_array();
        json_object_set_new(doc, "documents", docs);
    }
    if (!json_is_array(docs))
        return 0; /* the contract check says so */
    for (size_t i = 0; i < n; i++) {
        FILE *f = fopen(files[i], "rb");
        if (!f) {
            fprintf(stderr, "custodian: --attach '%s': %s\n", files[i], strerror(errno));
            return 2;
        }
        struct cust_buf b;
        cust_buf_init(&b, 32u << 20);
        enum cust_status rs = cust_buf_read(&b, f);
        fclose(f);
        if (rs != CUST_OK) {
            fprintf(stderr, "custodian: --attach '%s': %s\n", files[i],
                    rs == CUST_ETOOBIG ? "larger than 32 MiB" : "cannot read it");
            cust_buf_release(&b);
            return 2;
        }
        size_t cap = sodium_base64_ENCODED_LEN(b.len, sodium_base64_VARIANT_ORIGINAL);
        char *b64 = cust_xmalloc(cap);
        sodium_bin2base64(b64, cap, (const unsigned char *)b.buf, b.len,
                          sodium_base64_VARIANT_ORIGINAL);
        cust_buf_release(&b);
        const char *slash = strrchr(files[i], '/');
        const char *name = slash ? slash + 1 : files[i];
        json_t *entry = NULL, *e;
        size_t k;
        json_array_foreach(docs, k, e)
        {
            const char *nm = json_string_value(json_object_get(e, "name"));
            if (nm && strcmp(nm, name) == 0 && !json_object_get(e, "content_base64"))
                entry = e;
        }
        if (!entry) {
            entry = json_pack("{s:s}", "name", name);
            json_array_append_new(docs, entry);
        }
        json_object_set_new(entry, "content_base64", json_string(b64));
        free(b64);
    }
    return 0;
}

static enum cust_status do_add(struct req *r)
{
    if (r->o.jsonl && r->o.nattach)
        return usage_error(r, "--attach applies to one request (FILE), not to --jsonl");
    if (r->o.jsonl) {
        enum cust_status st = CUST_OK;
        r->rc = add_lines(&r->d, r->o.file, &r->err, &st);
        return st;
    }
    /* every problem names the file: "FILE:LINE:COLUMN: ..." for JSON syntax, "FILE: path:
     * reason" for the contract */
    const char *name = strcmp(r->o.file, "-") == 0 ? "stdin" : r->o.file;
    json_error_t je;
    json_t *doc = read_json(r->o.file, &je);
    if (!doc) {
        if (je.line < 0)
            fprintf(stderr, "custodian: %s\n", je.text);
        else
            fprintf(stderr, "%s:%d:%d: not valid JSON: %s\n", name, je.line, je.column, je.text);
        r->rc = 2;
        return CUST_OK;
    }
    if (r->o.nattach && json_is_object(doc) &&
        (r->rc = attach_files(doc, r->o.attach, r->o.nattach)) != 0) {
        json_decref(doc);
        return CUST_OK;
    }
    char id[CUST_REQUEST_ID_MAX];
    struct cust_diag diag = CUST_DIAG_INIT;
    enum cust_status st = cust_desk_add(&r->d, doc, id, &diag, &r->err);
    json_decref(doc);
    if (st == CUST_EINVAL && cust_diag_count(&diag)) {
        char prefix[1100];
        snprintf(prefix, sizeof(prefix), "%s: ", name);
        cust_diag_print(&diag, stderr, prefix);
        r->rc = 2;
        st = CUST_OK;
    } else if (st == CUST_OK) {
        puts(id);
    }
    cust_diag_release(&diag);
    return st;
}

static enum cust_status do_sweep(struct req *r)
{
    int64_t at = cust_now();
    if (r->o.as_of && !cust_time_parse(r->o.as_of, &at, NULL))
        return usage_error(r, "--as-of: '%s' is not an RFC 3339 time", r->o.as_of);
    enum cust_status st = cust_desk_sweep(&r->d, at, &r->out, &r->err);
    if (st == CUST_OK && r->o.json) {
        print_json(r->out);
    } else if (st == CUST_OK) {
        size_t i;
        json_t *x;
        json_array_foreach(r->out, i, x)
        {
            printf("%s: expired (was %s; %s ended %s)\n", s_or(x, "id", ""), s_or(x, "from", ""),
                   s_or(x, "rule", ""), s_or(x, "deadline", ""));
        }
        printf("%zu expired\n", json_array_size(r->out));
    }
    return st;
}

static enum cust_status do_list(struct req *r)
{
    struct cust_request_filter f = {.open_only = r->o.open || r->o.overdue,
                                    .overdue_at = CUST_NO_TIME,
                                    .now = cust_now(),
                                    .kind = r->o.kind};
    if (r->o.overdue)
        f.overdue_at = f.now;
    if (cust_request_kind_check(r->o.kind, "--kind", &r->err) != CUST_OK)
        return usage_error(r, "%s", r->err.msg);
    /* a reader never writes: expiry is `request sweep`'s and the server's timer's */
    enum cust_status st = cust_desk_list(&r->d, &f, &r->out, &r->err);
    if (st == CUST_OK)
        r->o.json ? print_json(r->out) : print_list(r->out);
    return st;
}

static enum cust_status do_show(struct req *r)
{
    long long page = 1;
    if (r->o.page && (sscanf(r->o.page, "%lld", &page) != 1 || page < 1))
        return usage_error(r, "--page: '%s' is not a page number", r->o.page);
    if (r->o.summary) {
        enum cust_status st = cust_desk_summary(&r->d, r->o.id, &r->out, &r->err);
        if (st == CUST_OK)
            r->o.json ? print_json(r->out) : cli_print_summary(stdout, r->out);
        return st;
    }
    enum cust_status st = cust_desk_show(&r->d, r->o.id, &r->out, &r->err);
    if (st != CUST_OK || r->o.json) {
        if (st == CUST_OK)
            print_json(r->out);
        return st;
    }
    print_show(r->out);
    if (!json_object_get(r->out, "summary"))
        return st;
    /* a fulfilled data request: the persons given something, a page at a time */
    json_t *pg = NULL;
    st = cust_desk_disclosed(&r->d, r->o.id, page, 50, &pg, &r->err);
    if (st == CUST_OK)
        cli_print_disclosed(pg, r->o.id);
    json_decref(pg);
    return st;
}

static void print_candidate(const json_t *c)
{
    printf("%s, born %s (person #%lld, booking %s): score %.4f (%.1f points)%s: %s%s%s\n",
           s_or(c, "name", "(no name)"), s_or(c, "dob", "?"),
           (long long)json_integer_value(json_object_get(c, "person_id")),
           s_or(c, "booking_number", "-"), json_real_value(json_object_get(c, "score")),
           json_real_value(json_object_get(c, "points")),
           json_is_true(json_object_get(c, "strong")) ? " strong id" : "", s_or(c, "state", ""),
           json_is_true(json_object_get(c, "review")) ? "  REVIEW: " : "",
           s_or(c, "review_reason", ""));
    size_t k;
    json_t *why;
    json_array_foreach(json_object_get(c, "reasons"), k, why)
        printf("    %-16s %-32s %+.2f\n", s_or(why, "field", ""), s_or(why, "text", ""),
               json_real_value(json_object_get(why, "points")));
}

static enum cust_status do_match(struct req *r)
{
    enum cust_status st = cust_desk_match(&r->d, r->o.id, &r->out, &r->err);
    if (st == CUST_OK && r->o.json) {
        print_json(r->out);
    } else if (st == CUST_OK) {
        size_t i;
        json_t *c;
        json_array_foreach(r->out, i, c) print_candidate(c);
        if (json_array_size(r->out) == 0)
            printf("no candidates scoring %.2f or more (a person can still be confirmed by "
                   "number: request confirm %s PERSON)\n",
                   CUST_DESK_MATCH_FLOOR, r->o.id);
    }
    return st;
}

/* confirm and review: PERSON and --by; review also --reason. */
static enum cust_status do_link(struct req *r)
{
    bool confirm = strcmp(r->name, "confirm") == 0;
    int64_t pid = person_arg(r->o.person);
    if (pid < 0)
        return usage_error(r, "PERSON must be a person number");
    if (!r->o.by)
        return usage_error(r, "--by USER is required");
    if (!confirm && !r->o.reason)
        return usage_error(r, "--reason is required");
    if (act_as_by(r, CUST_ACT_REQUEST_CONFIRM_MATCH) != CUST_OK)
        return CUST_EDENIED;
    enum cust_status st =
        confirm ? cust_desk_confirm(&r->d, r->o.id, pid, r->o.by, r->o.reason, &r->err)
                : cust_desk_review(&r->d, r->o.id, pid, r->o.by, r->o.reason, &r->err);
    if (st == CUST_OK)
        printf("%s: person #%lld %s\n", r->o.id, (long long)pid,
               confirm ? "confirmed" : "review cleared");
    return st;
}

static enum cust_status do_decide(struct req *r)
{
    enum cust_status st = cust_desk_decide(&r->d, r->o.id, &r->out, &r->err);
    if (st != CUST_OK || r->o.json) {
        if (st == CUST_OK)
            print_json(r->out);
        return st;
    }
    size_t i;
    json_t *x;
    json_array_foreach(r->out, i, x)
    {
        json_t *dec = json_object_get(x, "decision");
        printf("%s, person #%lld booking %s (%s %s):", s_or(x, "name", "(no name)"),
               (long long)json_integer_value(json_object_get(x, "person_id")),
               s_or(x, "booking_number", "-"), s_or(json_object_get(dec, "policy"), "id", ""),
               s_or(json_object_get(dec, "policy"), "version", ""));
        const char *k;
        json_t *v;
        json_object_foreach(json_object_get(dec, "actions"), k, v)
            printf(" %s=%s", k, s_or(v, "verdict", "?"));
        putchar('\n');
        /* each verdict with the rule and the law it rests on */
        json_object_foreach(json_object_get(dec, "actions"), k, v)
        {
            char *why = cust_desk_verdict_text(v);
            printf("  %s: %s\n", k, why);
            free(why);
        }
        json_t *needs = json_object_get(dec, "needs");
        if (json_array_size(needs) > 0) {
            char *n = json_dumps(needs, JSON_COMPACT);
            printf("  needs %s: every action held for a supervisor's review\n", n ? n : "?");
            free(n);
        }
    }
    return st;
}

static enum cust_status do_act(struct req *r)
{
    const struct opts *o = &r->o;
    int64_t pid = o->person ? person_arg(o->person) : 0;
    /* every missing option at once */
    if (!o->action || !o->by)
        return usage_error(r, "%s%s%s %s required", o->action ? "" : "--action A",
                           !o->action && !o->by ? " and " : "", o->by ? "" : "--by USER",
                           !o->action && !o->by ? "are" : "is");
    if (pid < 0)
        return usage_error(r, "--person must be a person number");
    if (act_as_by(r, CUST_ACT_REQUEST_ACT) != CUST_OK)
        return CUST_EDENIED;
    struct cust_desk_act a = {o->action, pid,   o->by,      o->reason, o->decline,
                              o->agency, o->at, o->warrant, o->offense};
    enum cust_status st = cust_desk_act(&r->d, o->id, &a, &r->out, &r->err);
    if (st == CUST_OK && o->json)
        print_json(r->out);
    else if (st == CUST_OK)
        printf("%s: %s %s for %zu person%s\n", o->id, o->action, o->decline ? "declined" : "done",
               json_array_size(r->out), json_array_size(r->out) == 1 ? "" : "s");
    return st;
}

static enum cust_status do_fulfill(struct req *r)
{
    const struct opts *o = &r->o;
    if (o->format && strcmp(o->format, "csv") != 0 && strcmp(o->format, "json") != 0)
        return usage_error(r, "--format: '%s' is not csv or json", o->format);
    /* the answer goes to a temporary file put in place only once the fulfilment is recorded:
     * a failure leaves no partial answer under the name given (file.h) */
    struct cust_outfile of;
    enum cust_status st = cust_outfile_open(&of, o->out, &r->err);
    if (st != CUST_OK)
        return st;
    struct cust_desk_fulfil_stats fs;
    st = cust_desk_fulfill(
        &r->d, o->id, o->format && strcmp(o->format, "csv") == 0 ? CUST_DESK_CSV : CUST_DESK_JSON,
        o->counsel_released, of.f, &fs, &r->err);
    if (st != CUST_OK) {
        cust_outfile_discard(&of);
        return st;
    }
    if ((st = cust_outfile_close(&of, &r->err)) != CUST_OK) {
        char why[sizeof(r->err.msg)];
        snprintf(why, sizeof(why), "%s", r->err.msg);
        return cust_err_set(&r->err, CUST_EIO,
                            "%s: the fulfilment is recorded and its response kept in the store, "
                            "but the answer file failed: %s",
                            o->id, why);
    }
    if (o->summary && !fs.referred) {
        json_t *sum = NULL;
        st = cust_desk_summary(&r->d, o->id, &sum, &r->err);
        /* beside the answer: on stdout when the answer went to a file */
        if (st == CUST_OK)
            cli_print_summary(o->out ? stdout : stderr, sum);
        json_decref(sum);
    }
    if (st != CUST_OK)
        return st;
    if (fs.referred)
        fprintf(stderr, "%s: referred to counsel; nothing disclosed\n", o->id);
    else
        fprintf(stderr, "%s: %lld rows, %lld given, %lld items withheld, %lld duties created\n",
                o->id, (long long)fs.rows, (long long)fs.given, (long long)fs.withheld,
                (long long)fs.duties);
    return CUST_OK;
}

/* Write a kept document to --out (or stdout), its SHA-256 on stderr. */
static enum cust_status write_document(struct req *r, const char *name)
{
    const struct opts *o = &r->o;
    struct cust_desk_document doc;
    enum cust_status st = cust_desk_document(&r->d, o->id, name, &doc, &r->err);
    if (st != CUST_OK)
        return st;
    /* whole or absent: a failed write leaves no empty or partial file under the name (file.h) */
    struct cust_outfile of;
    st = cust_outfile_open(&of, o->out, &r->err);
    if (st == CUST_OK && fwrite(doc.content, 1, doc.len, of.f) != doc.len) {
        st = cust_err_set(&r->err, CUST_EIO, "cannot write '%s': %s", o->out ? o->out : "stdout",
                          strerror(errno));
        cust_outfile_discard(&of);
    } else if (st == CUST_OK) {
        st = cust_outfile_close(&of, &r->err);
    }
    if (st == CUST_OK)
        fprintf(stderr, "%s: %s (%s), %zu bytes, sha256 %s\n", o->id, doc.name, doc.role, doc.len,
                doc.sha256);
    cust_desk_document_release(&doc);
    return st;
}

static enum cust_status do_response(struct req *r)
{
    return write_document(r, NULL);
}

static enum cust_status do_document(struct req *r)
{
    if (!r->o.person)
        return usage_error(r, "NAME is required (see 'request documents ID')");
    return write_document(r, r->o.person);
}

static enum cust_status do_documents(struct req *r)
{
    enum cust_status st = cust_desk_documents(&r->d, r->o.id, &r->out, &r->err);
    if (st != CUST_OK || r->o.json) {
        if (st == CUST_OK)
            print_json(r->out);
        return st;
    }
    size_t i;
    json_t *x;
    printf("%-9s %10s  %-64s  %s\n", "ROLE", "BYTES", "SHA256", "NAME");
    json_array_foreach(r->out, i, x)
    {
        json_int_t size = json_integer_value(json_object_get(x, "size"));
        char bytes[32];
        if (size < 0)
            snprintf(bytes, sizeof(bytes), "hash only");
        else
            snprintf(bytes, sizeof(bytes), "%lld", (long long)size);
        printf("%-9s %10s  %-64s  %s\n", s_or(x, "role", ""), bytes, s_or(x, "sha256", ""),
               s_or(x, "name", ""));
    }
    return st;
}

static enum cust_status do_transfers(struct req *r)
{
    enum cust_status st = cust_desk_transfers(&r->d, &r->out, &r->err);
    if (st != CUST_OK || r->o.json) {
        if (st == CUST_OK)
            print_json(r->out);
        return st;
    }
    size_t i;
    json_t *t;
    json_array_foreach(r->out, i, t)
        printf("%s %s booking %s to %s: %s %s%s\n", s_or(t, "at", ""), s_or(t, "request_id", "-"),
               s_or(t, "booking_number", "-"), s_or(t, "agency", ""), s_or(t, "basis", ""),
               s_or(t, "warrant_number", s_or(t, "criterion", "")),
               json_string_value(json_object_get(t, "offense")) ? s_or(t, "offense", "") : "");
    printf("%zu transfer%s\n", json_array_size(r->out), json_array_size(r->out) == 1 ? "" : "s");
    return st;
}

/* lift, withdraw, expire, close: the status each sets by hand, with a reason. */
static enum cust_status do_status(struct req *r)
{
    static const char *const to[][2] = {
        {"lift", "lifted"}, {"withdraw", "withdrawn"}, {"expire", "expired"}, {"close", "closed"}};
    const char *status = NULL;
    for (size_t i = 0; i < CUST_ARRAY_LEN(to); i++)
        if (strcmp(r->name, to[i][0]) == 0)
            status = to[i][1];
    if (!r->o.by)
        return usage_error(r, "--by USER is required");
    if (!r->o.reason)
        return usage_error(r, "--reason is required");
    if (act_as_by(r, CUST_ACT_REQUEST_CLOSE) != CUST_OK)
        return CUST_EDENIED;
    enum cust_status st = cust_desk_set_status(&r->d, r->o.id, status, r->o.reason, &r->err);
    if (st == CUST_OK)
        printf("%s: %s\n", r->o.id, status);
    return st;
}

#define U(line) "usage: custodian [--db PATH] [--as USER] request " line

static const struct req_sub subs[] = {
    {{"add", "take in a request (JSON, requests.md); prints its id",
      U("add FILE|- [--attach DOC]... [--jsonl]\n") "\n"
                                                    "Take in a request (requests.md): every "
                                                    "problem as "
                                                    "request.path: reason, exit 2, nothing\n"
                                                    "stored. --attach DOC (repeatable): a document "
                                                    "that came "
                                                    "with it (the I-247A PDF, the\n"
                                                    "warrant), kept by SHA-256 as received; listed "
                                                    "by `request "
                                                    "documents`. --jsonl: one\n"
                                                    "request a line, all or nothing (e.g. "
                                                    "custodian gen "
                                                    "--requests).\n"},
     do_add,
     R_ID},
    {{"list", "requests with deadline and owner, overdue first",
      U("list [--open|--overdue] [--kind K] [--json]\n") "\n"
                                                         "Requests with deadline and "
                                                         "owner, overdue first. --open: "
                                                         "not in a final state\n"
                                                         "(closed, withdrawn, lifted, expired) "
                                                         "nor fulfilled. Only reads: expiry "
                                                         "is\n"
                                                         "`request sweep`'s (and the server's, "
                                                         "once a minute).\n"},
     do_list,
     R_READ},
    {{"sweep", "expire every detainer whose hold window passed without action",
      U("sweep [--as-of T] [--json]\n") "\n"
                                        "Expire every request whose hold window after "
                                        "release (policies/desk/hold-windows.csv:\n"
                                        "48 business hours for a detainer) passed "
                                        "without action. T: RFC 3339, default now.\n"},
     do_sweep,
     R_ASOF},
    {{"show", "a request with links, decisions, actions, duties",
      U("show ID [--json] [--summary] [--page N]\n") "\n"
                                                     "The request with its links, decisions, "
                                                     "actions, duties "
                                                     "and documents. A fulfilled\n"
                                                     "data request shows its decisions grouped by "
                                                     "outcome and "
                                                     "the persons given\n"
                                                     "something, 50 a page (--page N). --summary: "
                                                     "what the "
                                                     "answer gave and withheld,\n"
                                                     "by item and reason (the summary kept with "
                                                     "it).\n"},
     do_show,
     R_ID | R_READ},
    {{"match", "candidates for the subject, with score and reasons",
      U("match ID [--json]\n") "\n"
                               "Match the subject against the persons in the store: "
                               "candidates with score and per-field\n"
                               "reasons; an exact strong-identifier match is confirmed "
                               "at once.\n"},
     do_match,
     R_ID},
    {{"confirm", "confirm that a person is the subject",
      U("confirm ID PERSON --by USER [--reason R]\n") "\n"
                                                      "Confirm that person #PERSON is the "
                                                      "request's subject. A recorded or "
                                                      "claimed citizen is\n"
                                                      "linked but flagged for supervisor "
                                                      "review. A person who was not among "
                                                      "the match\n"
                                                      "candidates needs --reason, and the "
                                                      "link is flagged for oversight.\n"},
     do_link,
     R_ID},
    {{"review", "a supervisor clears a citizenship review flag",
      U("review ID PERSON --by USER --reason R\n") "\n"
                                                   "A supervisor clears the "
                                                   "citizenship review flag of a "
                                                   "linked person, with a reason.\n"},
     do_link,
     R_ID},
    {{"decide", "decide under the policy for each confirmed person",
      U("decide ID [--json] [--lang L]\n") "\n"
                                           "Decide the request for each confirmed "
                                           "person under the law in force on the day "
                                           "of\n"
                                           "receipt; create the duties it triggers "
                                           "with their deadlines and notices "
                                           "(--lang).\n"},
     do_decide,
     R_ID | R_LANG},
    {{"act", "record what was done; a prohibited action is refused",
      U("act ID --action A --by USER [--reason R] [--decline]\n"
        "       [--person N] [--agency AG] [--at T] [--warrant NUMBER] [--offense "
        "CODE]\n"
        "       [--lang L]\n") "\n"
                               "Record what was done (A: hold | notify | transfer | "
                               "interview | arrest). A prohibited\n"
                               "action is refused (and the refusal recorded); "
                               "declining a required or permitted one\n"
                               "needs --reason. A transfer needs --agency and what its "
                               "basis requires\n"
                               "(policies/desk/transfer-bases.csv: --warrant NUMBER or "
                               "--offense CODE).\n"},
     do_act,
     R_ID | R_LANG},
    {{"fulfill", "answer a data request with what the law allows",
      U("fulfill ID [--format csv|json] [--out FILE] [--summary] [--counsel-released]\n"
        "       [--lang L]\n") "\n"
                               "Answer a data request: one row per person in scope, each item "
                               "given "
                               "or withheld with\n"
                               "its citation; every row given recorded as a disclosure. A subpoena "
                               "is referred to\n"
                               "counsel until --counsel-released. CSV: one column per item, plain "
                               "values (\"no date\",\n"
                               "\"none\", or \"withheld\") and ITEM_withheld giving the rule and "
                               "citation. --summary: what\n"
                               "was given and withheld, by item and reason (stdout with --out, "
                               "else "
                               "stderr).\n"},
     do_fulfill,
     R_ID | R_LANG},
    {{"response", "the response that was sent, byte for byte",
      U("response ID [--out FILE]\n") "\n"
                                      "Write the exact bytes a fulfilment sent (as kept, "
                                      "checked against their SHA-256,\n"
                                      "which goes to stderr and is the ledger's "
                                      "request.fulfill response_sha256).\n"},
     do_response,
     R_ID | R_READ},
    {{"documents", "the documents received with and sent for a request",
      U("documents ID [--json]\n") "\n"
                                   "Every document kept for the request: role (received, "
                                   "notice, response), size,\n"
                                   "SHA-256 and name.\n"},
     do_documents,
     R_ID | R_READ},
    {{"document", "one kept document, byte for byte",
      U("document ID NAME [--out FILE]\n") "\n"
                                           "Write one kept document (the last kept under "
                                           "NAME), checked against its SHA-256.\n"},
     do_document,
     R_ID | R_READ},
    {{"lift", "the issuer lifted the request",
      U("lift ID --by USER --reason R\n") "\nThe issuer lifted the request (final). A supervisor's "
                                          "or counsel's act.\n"},
     do_status,
     R_ID},
    {{"withdraw", "the requester withdrew the request",
      U("withdraw ID --by USER --reason R\n") "\nThe requester withdrew the request (final). A "
                                              "supervisor's or counsel's act.\n"},
     do_status,
     R_ID},
    {{"expire", "the request expired",
      U("expire ID --by USER --reason R\n") "\nThe request expired (final). A supervisor's or "
                                            "counsel's act.\n"},
     do_status,
     R_ID},
    {{"close", "close the request",
      U("close ID --by USER --reason R\n") "\nClose the request (final), with a reason. A "
                                           "supervisor's or counsel's act.\n"},
     do_status,
     R_ID},
    {{"transfers", "every hand-over to federal custody, with its basis",
      U("transfers [--json]\n") "\n"
                                "Every hand-over to federal custody with its legal "
                                "basis, for the state report.\n"},
     do_transfers,
     R_READ},
};

int cmd_request(int argc, char **argv, struct cli_ctx *ctx)
{
    int rc = 0;
    const struct req_sub *sub = cli_sub_find("request", usage, subs, CUST_ARRAY_LEN(subs),
                                             sizeof(subs[0]), argc, argv, &rc);
    if (!sub)
        return rc;
    struct req r = {
        .ctx = ctx, .name = sub->sub.name, .usage = sub->sub.usage, .err = CUST_ERR_INIT};
    if ((rc = parse(r.usage, argc, argv, 2, &r.o)) != 0)
        return rc;
    if ((sub->flags & R_ID) && !r.o.id)
        return cli_usage_error(r.usage, "request %s: which %s?", r.name,
                               strcmp(r.name, "add") == 0 ? "file" : "request id");
    if (r.o.lang && !(sub->flags & R_LANG))
        return cli_usage_error(r.usage, "--lang applies to decide, act and fulfill");
    if (r.o.nattach && strcmp(r.name, "add") != 0)
        return cli_usage_error(r.usage, "--attach applies to add");
    if (r.o.as_of && !(sub->flags & R_ASOF))
        return cli_usage_error(r.usage, "--as-of applies to sweep");
    /* --policy and --policies override the configuration for this command */
    if (r.o.policy)
        cli_config_option(ctx, CUST_CFG_JURISDICTION, "--policy", r.o.policy);
    if (r.o.policies)
        cli_config_option(ctx, CUST_CFG_POLICIES, "--policies", r.o.policies);
    struct cust_store *s = NULL;
    struct cust_desk_env *env = NULL;
    if (cust_desk_env_open(ctx->cfg, CUST_DESK_POLICY_FILES, &env, &r.err) != CUST_OK ||
        cust_store_open(ctx->db_path, (sub->flags & R_READ) ? CUST_STORE_READONLY : CUST_STORE_OPEN,
                        &s, &r.err) != CUST_OK) {
        cust_desk_env_free(env);
        return cli_fail(&r.err);
    }
    cust_desk_init(&r.d, env, s, ctx->user, "operator");
    r.d.lang = r.o.lang;
    enum cust_status st = sub->fn(&r);
    json_decref(r.out);
    cust_desk_release(&r.d);
    cust_store_close(s);
    cust_desk_env_free(env);
    if (r.rc)
        return r.rc;
    return st == CUST_OK ? 0 : cli_fail(&r.err);
}
