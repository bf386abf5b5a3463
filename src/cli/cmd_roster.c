/* cmd_roster.c - `custodian roster`: who was in custody on a day. */
#include "custodian/compat.h"
#include "custodian/date.h"
#include "custodian/records.h"
#include "custodian/store.h"
#include "cli.h"

#include <jansson.h>

static const char usage[] =
    "usage: custodian [--db PATH] roster [--as-of YYYY-MM-DD] [--citizenship S] [--facility F]\n"
    "                 [--last-name N] [--release-disagreements] [--summary] [--all] [--json]\n"
    "\n"
    "List the bookings in custody on a day (default today in the county's time zone, [county]\n"
    "timezone), by booking_number.\n"
    "A booking is in custody on day D when it was booked on or before D (the calendar day of\n"
    "booked_at at its own offset) and not released, or released after D.\n"
    "\n"
    "  --as-of D                  the day (YYYY-MM-DD)\n"
    "  --all                      every booking, in custody or not\n"
    "  --citizenship S            citizen | non_citizen | unknown (best-sourced status)\n"
    "  --facility F               exact facility name\n"
    "  --last-name N              last name as written: accents, case and punctuation do not\n"
    "                             matter (Mejia finds MEJÍA); 3 letters or more are a prefix\n"
    "  --release-disagreements    only bookings whose computed release date differs from the\n"
    "                             source's scheduled_release (for a person to resolve)\n"
    "  --summary                  counts by facility and by citizenship status\n"
    "  --json                     JSON: an array of bookings (or the summary object)\n";

struct roster_out {
    bool json;
    json_t *arr;
    json_t *by_facility, *by_citizenship;
    int64_t n;
};

static enum cust_status on_row(const struct cust_roster_row *r, void *arg)
{
    struct roster_out *o = arg;
    o->n++;
    if (o->by_facility) {
        const char *keys[2] = {r->facility ? r->facility : "(none)", r->citizenship_status};
        json_t *maps[2] = {o->by_facility, o->by_citizenship};
        for (int i = 0; i < 2; i++) {
            json_t *v = json_object_get(maps[i], keys[i]);
            json_object_set_new(maps[i], keys[i], json_integer(v ? json_integer_value(v) + 1 : 1));
        }
        return CUST_OK;
    }
    if (o->json) /* the CLI's user reads the store directly: restricted fields included */
        return json_array_append_new(o->arr, cust_roster_row_json(r, CUST_ROSTER_RESTRICTED)) == 0
                   ? CUST_OK
                   : CUST_ENOMEM;
    if (o->n == 1)
        printf("%-12s %-28s %-25s %-22s %-11s %-10s %-10s\n", "BOOKING", "NAME", "BOOKED AT",
               "FACILITY", "CITIZENSHIP", "SCHEDULED", "COMPUTED");
    char name[256];
    snprintf(name, sizeof(name), "%s, %s", r->last_name ? r->last_name : "",
             r->first_name ? r->first_name : "");
    /* names and facilities by display width (cli_cell): accents and CJK letters line up */
    printf("%-12s ", r->booking_number);
    cli_cell(name, 28);
    printf("%-25s ", r->booked_at);
    cli_cell(r->facility, 22);
    printf("%-11s %-10s %-10s%s\n", r->citizenship_status,
           r->scheduled_release ? r->scheduled_release : "-",
           r->computed_release ? r->computed_release : "-",
           r->release_disagreement ? "  DISAGREE" : "");
    return CUST_OK;
}

static void print_counts(const char *title, json_t *m)
{
    printf("%s:\n", title);
    const char *k;
    json_t *v;
    json_object_foreach(m, k, v) printf("  %-30s %lld\n", k, (long long)json_integer_value(v));
}

int cmd_roster(int argc, char **argv, struct cli_ctx *ctx)
{
    if (cli_wants_help(argc, argv))
        return cli_help(usage);
    struct cust_roster_filter f = {.day = cust_today()};
    bool json = false, summary = false, all = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--as-of") == 0 && i + 1 < argc) {
            if (!cust_date_parse(argv[++i], &f.day))
                return cli_usage_error(usage, "--as-of: '%s' is not a date (YYYY-MM-DD)", argv[i]);
        } else if (strcmp(a, "--citizenship") == 0 && i + 1 < argc) {
            f.citizenship = argv[++i];
            if (strcmp(f.citizenship, "citizen") && strcmp(f.citizenship, "non_citizen") &&
                strcmp(f.citizenship, "unknown"))
                return cli_usage_error(usage,
                                       "--citizenship: '%s' is not citizen | non_citizen | unknown",
                                       f.citizenship);
        } else if (strcmp(a, "--facility") == 0 && i + 1 < argc) {
            f.facility = argv[++i];
        } else if (strcmp(a, "--last-name") == 0 && i + 1 < argc) {
            f.last_name = argv[++i];
        } else if (strcmp(a, "--release-disagreements") == 0) {
            f.disagreements_only = true;
        } else if (strcmp(a, "--summary") == 0) {
            summary = true;
        } else if (strcmp(a, "--all") == 0) {
            all = true;
        } else if (strcmp(a, "--json") == 0) {
            json = true;
        } else {
            return cli_usage_error(usage, "unexpected argument '%s'", a);
        }
    }
    int32_t asof = f.day;
    if (all)
        f.day = CUST_NO_DAY;
    struct cust_err err = CUST_ERR_INIT;
    struct cust_store *s;
    if (cust_store_open(ctx->db_path, CUST_STORE_READONLY, &s, &err) != CUST_OK)
        return cli_fail(&err);
    struct roster_out o = {json, json_array(), NULL, NULL, 0};
    if (summary) {
        o.by_facility = json_object();
        o.by_citizenship = json_object();
    }
    enum cust_status rc = cust_store_roster(s, &f, on_row, &o, &err);
    cust_store_close(s);
    if (rc == CUST_OK) {
        char day[11];
        cust_date_format(asof, day);
        if (summary && json) {
            json_t *j =
                json_pack("{s:s?,s:I,s:O,s:O}", "as_of", all ? NULL : day, "total", (json_int_t)o.n,
                          "by_facility", o.by_facility, "by_citizenship", o.by_citizenship);
            json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
            putchar('\n');
            json_decref(j);
        } else if (summary) {
            printf("in custody on %s: %lld\n", all ? "any day" : day, (long long)o.n);
            print_counts("by facility", o.by_facility);
            print_counts("by citizenship status", o.by_citizenship);
        } else if (json) {
            json_dumpf(o.arr, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
            putchar('\n');
        } else {
            printf("%lld booking%s %s %s\n", (long long)o.n, o.n == 1 ? "" : "s",
                   all ? "in the store" : "in custody on", all ? "" : day);
        }
    }
    json_decref(o.arr);
    json_decref(o.by_facility);
    json_decref(o.by_citizenship);
    return rc == CUST_OK ? 0 : cli_fail(&err);
}
