/* cmd_show.c - `custodian show BOOKING|PERSON [--json]`. */
#include "custodian/compat.h"
#include "custodian/store.h"
#include "cli.h"

#include <jansson.h>

static const char usage[] =
    "usage: custodian [--db PATH] show BOOKING|PERSON [--json]\n"
    "\n"
    "Show one booking (by booking_number) or one person (by the source's person_id, or #N for\n"
    "the internal person id). A booking number is tried first.\n"
    "\n"
    "  --json   the full record as JSON (a booking: its current version under \"record\",\n"
    "           the computed release date and the version; a person: identity, citizenship\n"
    "           history, bookings and prior convictions)\n";

static const char *sget(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "-";
}

static void show_booking_text(json_t *j)
{
    json_t *rec = json_object_get(j, "record");
    json_t *p = json_object_get(rec, "person");
    printf("booking      %s (version %lld)\n", sget(j, "booking_number"),
           (long long)json_integer_value(json_object_get(j, "version")));
    printf("person       %s, %s %s (person_id %s)\n", sget(p, "last_name"), sget(p, "first_name"),
           sget(p, "middle_name"), sget(j, "person_id"));
    printf("dob          %s\n", sget(p, "dob"));
    printf("citizenship  %s\n", sget(j, "citizenship_status"));
    printf("booked at    %s\n", sget(rec, "booked_at"));
    printf("facility     %s / %s\n", sget(rec, "facility"), sget(rec, "housing"));
    printf("agency       %s\n", sget(rec, "arresting_agency"));
    printf("release      scheduled %s, computed %s (%s)%s\n", sget(j, "scheduled_release"),
           sget(j, "computed_release"), sget(j, "release_rule"),
           json_is_true(json_object_get(j, "release_disagreement")) ? "  DISAGREEMENT" : "");
    printf("released at  %s %s\n", sget(rec, "released_at"), sget(rec, "release_reason"));
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(rec, "charges"), i, c)
        printf("charge %-5zu %s  %s  %s  %s\n", i + 1, sget(c, "code"), sget(c, "level"),
               sget(c, "status"), sget(c, "description"));
}

static void show_person_text(json_t *j)
{
    printf("person       %s, %s %s (person_id %s, #%lld)\n", sget(j, "last_name"),
           sget(j, "first_name"), sget(j, "middle_name"), sget(j, "person_id"),
           (long long)json_integer_value(json_object_get(j, "internal_id")));
    printf("dob          %s\n", sget(j, "dob"));
    printf("citizenship  %s\n", sget(j, "citizenship_status"));
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(j, "citizenship_history"), i, c)
        printf("  %s %s source %s recorded %s\n", sget(c, "status"), sget(c, "country"),
               sget(c, "source"), sget(c, "recorded_at"));
    json_array_foreach(json_object_get(j, "bookings"), i, c)
        printf("booking      %s\n", json_string_value(c));
}

int cmd_show(int argc, char **argv, struct cli_ctx *ctx)
{
    if (cli_wants_help(argc, argv))
        return cli_help(usage);
    const char *id = NULL;
    bool json = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            json = true;
        else if (!id)
            id = argv[i];
        else
            return cli_usage_error(usage, "unexpected argument '%s'", argv[i]);
    }
    if (!id)
        return cli_usage_error(usage, "which booking or person?");
    struct cust_err err = CUST_ERR_INIT;
    struct cust_store *s;
    if (cust_store_open(ctx->db_path, CUST_STORE_READONLY, &s, &err) != CUST_OK)
        return cli_fail(&err);
    char *text = NULL;
    bool is_booking = true;
    enum cust_status rc = cust_store_booking_json(s, id, &text, &err);
    if (rc == CUST_ENOTFOUND) {
        is_booking = false;
        rc = cust_store_person_json(s, id, &text, &err);
        if (rc == CUST_ENOTFOUND)
            cust_err_set(&err, CUST_ENOTFOUND, "no booking or person '%s'", id);
    }
    cust_store_close(s);
    if (rc != CUST_OK)
        return cli_fail(&err);
    json_t *j = json_loads(text, 0, NULL);
    free(text);
    if (!j) {
        cust_err_set(&err, CUST_EDB, "stored record for '%s' is not JSON", id);
        return cli_fail(&err);
    }
    if (json) {
        json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        putchar('\n');
    } else if (is_booking) {
        show_booking_text(j);
    } else {
        show_person_text(j);
    }
    json_decref(j);
    return 0;
}
