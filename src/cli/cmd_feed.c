/* cmd_feed.c - `custodian feed convert|run|status|review`: feeds through mapping files. */
#include "custodian/compat.h"
#include "custodian/feeds.h"
#include "custodian/store_feed.h"
#include "cli.h"

#include <inttypes.h>
#include <jansson.h>
#include <unistd.h>

static const char usage[] =
    "usage: custodian [--db PATH] [--as USER] feed COMMAND ...\n"
    "\n"
    "Feeds from the jail management system a county already runs, read through a mapping\n"
    "file (docs/mappings.md).\n";

#define U(x) "usage: custodian [--db PATH] [--as USER] feed " x

static const char run_usage[] =
    "usage: custodian [--db PATH] [--as USER] feed run --map MAPPING.yaml FILE\n"
    "           [--full|--delta] [--skip-invalid] [--no-progress]\n"
    "\n"
    "Load one export as a tracked run: changed bookings get new versions, unchanged ones\n"
    "cost nothing, releases are recorded; on a full snapshot (the mapping's feed.snapshot,\n"
    "or --full) a booking listed before, missing now and still in custody is put up for\n"
    "review, never released; one ledger entry per run with the file's SHA-256. All or\n"
    "nothing unless --skip-invalid (exit 1 then).\n";
static const char status_usage[] =
    U("status [--json]\n") "\nEach source's last run, its counts and open reviews.\n";
static const char review_usage[] =
    U("review [--all] [--json]\n") "\nBookings missing from a full snapshot (open ones; --all "
                                   "for resolved ones too).\n";
static const char resolve_usage[] =
    U("resolve ID --note TEXT\n") "\nClose a review item with what was found.\n";
static const char convert_usage[] =
    U("convert --map MAPPING.yaml FILE\n") "\nWrite FILE as custody JSON Lines on stdout (no "
                                           "store; problems as FILE:LINE: field: reason).\n";

int cli_load_map(const char *path, struct cust_map **out)
{
    struct cust_diag d = CUST_DIAG_INIT;
    struct cust_err err = CUST_ERR_INIT;
    enum cust_status st = cust_map_load(path, out, &d, &err);
    if (st == CUST_OK)
        return 0;
    if (cust_diag_count(&d)) {
        char prefix[1024];
        snprintf(prefix, sizeof(prefix), "%s:", path);
        cust_diag_print(&d, stderr, prefix);
    }
    cust_diag_release(&d);
    return cli_fail(&err);
}

static int feed_convert(int argc, char **argv)
{
    const char *map_path = NULL, *path = NULL;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--map") == 0 && i + 1 < argc)
            map_path = argv[++i];
        else if (argv[i][0] == '-' && argv[i][1])
            return cli_usage_error(convert_usage, "unknown option '%s'", argv[i]);
        else if (path)
            return cli_usage_error(convert_usage, "one file at a time ('%s')", argv[i]);
        else
            path = argv[i];
    }
    if (!map_path || !path)
        return cli_usage_error(convert_usage, "feed convert needs --map MAPPING and a FILE");
    struct cust_map *m;
    if (cli_load_map(map_path, &m) != 0)
        return 2;
    struct cust_err err = CUST_ERR_INIT;
    int64_t written, invalid;
    enum cust_status st = cust_feed_convert(m, path, stdout, stderr, &written, &invalid, &err);
    cust_map_free(m);
    if (fflush(stdout) != 0 && st == CUST_OK)
        st = cust_err_set(&err, CUST_EIO, "cannot write stdout");
    if (st != CUST_OK)
        return cli_fail(&err);
    fprintf(stderr, "converted %" PRId64 " bookings\n", written);
    return 0;
}

static int feed_run(int argc, char **argv, struct cli_ctx *ctx)
{
    const char *map_path = NULL;
    struct cust_feed_run_opts o = {.actor = ctx->user, .progress = isatty(2) != 0};
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--map") == 0 && i + 1 < argc)
            map_path = argv[++i];
        else if (strcmp(argv[i], "--full") == 0)
            o.snapshot = CUST_FEED_SNAPSHOT_FULL;
        else if (strcmp(argv[i], "--delta") == 0)
            o.snapshot = CUST_FEED_SNAPSHOT_DELTA;
        else if (strcmp(argv[i], "--skip-invalid") == 0)
            o.skip_invalid = true;
        else if (strcmp(argv[i], "--no-progress") == 0)
            o.progress = false;
        else if (argv[i][0] == '-' && argv[i][1])
            return cli_usage_error(run_usage, "unknown option '%s'", argv[i]);
        else if (o.path)
            return cli_usage_error(run_usage, "one file at a time ('%s')", argv[i]);
        else
            o.path = argv[i];
    }
    if (!map_path || !o.path)
        return cli_usage_error(run_usage, "feed run needs --map MAPPING and a FILE");
    struct cust_map *m;
    if (cli_load_map(map_path, &m) != 0)
        return 2;
    struct cust_err err = CUST_ERR_INIT;
    struct cust_store *s;
    if (cust_store_open(ctx->db_path, CUST_STORE_CREATE, &s, &err) != CUST_OK) {
        cust_map_free(m);
        return cli_fail(&err);
    }
    struct cust_feed_run_result r;
    enum cust_status st = cust_feed_run(s, m, &o, &r, &err);
    cust_store_close(s);
    if (st != CUST_OK) {
        cust_map_free(m);
        return cli_fail(&err);
    }
    fprintf(stderr,
            "feed %s run %" PRId64 " (%s snapshot): %" PRId64 " bookings in %.1f s: %" PRId64
            " new, %" PRId64 " updated (new version), %" PRId64 " unchanged; %" PRId64
            " release%s recorded\n",
            cust_map_name(m), r.run_id, r.full ? "full" : "delta", r.stats.bookings,
            r.stats.seconds, r.stats.created, r.stats.updated, r.stats.unchanged, r.released,
            r.released == 1 ? "" : "s");
    if (r.full)
        fprintf(stderr,
                "  %" PRId64 " booking%s missing from the snapshot and still in custody (%" PRId64
                " new to review: custodian feed review)\n",
                r.missing, r.missing == 1 ? "" : "s", r.reviews_opened);
    if (r.reappeared)
        fprintf(stderr, "  %" PRId64 " review item%s closed: the booking is listed again\n",
                r.reappeared, r.reappeared == 1 ? "" : "s");
    cust_map_free(m);
    if (r.stats.rejected) {
        fprintf(stderr, "rejected %" PRId64 " booking%s (see %s.rejects.jsonl)\n", r.stats.rejected,
                r.stats.rejected == 1 ? "" : "s", o.path);
        return 1;
    }
    return 0;
}

struct list_ctx {
    bool json;
    json_t *arr;
    int64_t n;
};

static enum cust_status print_run(const struct cust_feed_run_row *r, void *arg)
{
    struct list_ctx *x = arg;
    x->n++;
    if (x->json) {
        json_t *o = json_pack(
            "{s:s,s:I,s:s,s:s,s:s,s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:s?}", "source",
            r->source, "run", (json_int_t)r->id, "run_at", r->run_at, "actor", r->actor, "file",
            r->file, "sha256", r->sha256, "snapshot", r->snapshot, "records",
            (json_int_t)r->records, "created", (json_int_t)r->created, "updated",
            (json_int_t)r->updated, "unchanged", (json_int_t)r->unchanged, "released",
            (json_int_t)r->released, "missing", (json_int_t)r->missing, "reviews_opened",
            (json_int_t)r->reviews_opened, "reappeared", (json_int_t)r->reappeared, "rejected",
            (json_int_t)r->rejected, "rejects_file", r->rejects_file);
        json_array_append_new(x->arr, o);
        return CUST_OK;
    }
    printf("%s: run %" PRId64 " at %s by %s (%s snapshot)\n  file %s\n  sha256 %s\n"
           "  %" PRId64 " bookings: %" PRId64 " new, %" PRId64 " updated, %" PRId64
           " unchanged; %" PRId64 " released; %" PRId64 " missing (%" PRId64
           " newly for review); %" PRId64 " rejected\n",
           r->source, r->id, r->run_at, r->actor, r->snapshot, r->file, r->sha256, r->records,
           r->created, r->updated, r->unchanged, r->released, r->missing, r->reviews_opened,
           r->rejected);
    return CUST_OK;
}

static enum cust_status print_review(const struct cust_feed_review_row *r, void *arg)
{
    struct list_ctx *x = arg;
    x->n++;
    if (x->json) {
        json_array_append_new(x->arr,
                              json_pack("{s:I,s:s,s:s,s:I,s:s,s:s,s:s,s:s?,s:s?,s:s?}", "id",
                                        (json_int_t)r->id, "source", r->source, "booking_number",
                                        r->booking_number, "run", (json_int_t)r->run_id,
                                        "opened_at", r->opened_at, "reason", r->reason, "status",
                                        r->status, "resolved_at", r->resolved_at, "resolved_by",
                                        r->resolved_by, "resolution", r->resolution));
        return CUST_OK;
    }
    printf("%-5" PRId64 " %-8s %-16s %-14s %s\n      %s\n", r->id, r->status, r->booking_number,
           r->source, r->opened_at, r->reason);
    if (r->resolution)
        printf("      resolved %s by %s: %s\n", r->resolved_at, r->resolved_by, r->resolution);
    return CUST_OK;
}

static int feed_list(int argc, char **argv, struct cli_ctx *ctx, bool reviews)
{
    struct list_ctx x = {0};
    bool all = false;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            x.json = true;
        else if (reviews && strcmp(argv[i], "--all") == 0)
            all = true;
        else
            return cli_usage_error(reviews ? review_usage : status_usage,
                                   "unexpected argument '%s'", argv[i]);
    }
    struct cust_err err = CUST_ERR_INIT;
    struct cust_store *s;
    if (cust_store_open(ctx->db_path, CUST_STORE_READONLY, &s, &err) != CUST_OK)
        return cli_fail(&err);
    x.arr = json_array();
    enum cust_status st = reviews ? cust_store_feed_reviews(s, !all, print_review, &x, &err)
                                  : cust_store_feed_last_runs(s, print_run, &x, &err);
    int64_t open = 0;
    if (st == CUST_OK && !reviews) {
        struct list_ctx y = {.json = true, .arr = json_array()};
        st = cust_store_feed_reviews(s, true, print_review, &y, &err);
        open = y.n;
        json_decref(y.arr);
    }
    cust_store_close(s);
    if (st != CUST_OK) {
        json_decref(x.arr);
        return cli_fail(&err);
    }
    if (x.json) {
        json_t *out = x.arr;
        if (!reviews)
            out = json_pack("{s:O,s:I}", "sources", x.arr, "open_reviews", (json_int_t)open);
        json_dumpf(out, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        fputc('\n', stdout);
        if (out != x.arr)
            json_decref(out);
    } else if (reviews) {
        printf("%" PRId64 " %sreview item%s\n", x.n, all ? "" : "open ", x.n == 1 ? "" : "s");
    } else {
        printf("%" PRId64 " source%s; %" PRId64 " open review item%s (custodian feed review)\n",
               x.n, x.n == 1 ? "" : "s", open, open == 1 ? "" : "s");
    }
    json_decref(x.arr);
    return 0;
}

static int feed_resolve(int argc, char **argv, struct cli_ctx *ctx)
{
    const char *note = NULL;
    int64_t id = -1;
    for (int i = 2; i < argc; i++) {
        char *end;
        if (strcmp(argv[i], "--note") == 0 && i + 1 < argc)
            note = argv[++i];
        else if (id < 0 && (id = strtoll(argv[i], &end, 10), *argv[i] && !*end && id > 0))
            continue;
        else
            return cli_usage_error(resolve_usage, "unexpected argument '%s'", argv[i]);
    }
    if (id <= 0 || !note)
        return cli_usage_error(resolve_usage, "feed resolve needs a review ID and --note TEXT");
    struct cust_err err = CUST_ERR_INIT;
    struct cust_store *s;
    if (cust_store_open(ctx->db_path, CUST_STORE_OPEN, &s, &err) != CUST_OK)
        return cli_fail(&err);
    enum cust_status st = cust_feed_review_resolve(s, id, ctx->user, note, &err);
    cust_store_close(s);
    if (st != CUST_OK)
        return cli_fail(&err);
    fprintf(stderr, "review item %" PRId64 " resolved\n", id);
    return 0;
}

static int feed_status(int argc, char **argv, struct cli_ctx *ctx)
{
    return feed_list(argc, argv, ctx, false);
}

static int feed_review(int argc, char **argv, struct cli_ctx *ctx)
{
    return feed_list(argc, argv, ctx, true);
}

static int feed_convert_cmd(int argc, char **argv, struct cli_ctx *ctx)
{
    (void)ctx;
    return feed_convert(argc, argv);
}

struct feed_sub {
    struct cli_sub sub;
    cli_fn fn;
};

static const struct feed_sub subs[] = {
    {{"run", "load one export as a tracked run (versions, releases, reviews)", run_usage},
     feed_run},
    {{"status", "each source's last run, its counts and open reviews", status_usage}, feed_status},
    {{"review", "bookings missing from a full snapshot", review_usage}, feed_review},
    {{"resolve", "close a review item with what was found", resolve_usage}, feed_resolve},
    {{"convert", "write an export as custody JSON Lines (no store)", convert_usage},
     feed_convert_cmd},
};

int cmd_feed(int argc, char **argv, struct cli_ctx *ctx)
{
    int rc = 0;
    const struct feed_sub *sub =
        cli_sub_find("feed", usage, subs, CUST_ARRAY_LEN(subs), sizeof(subs[0]), argc, argv, &rc);
    return sub ? sub->fn(argc, argv, ctx) : rc;
}
