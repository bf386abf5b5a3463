/*
 * request_print.c - a fulfilled data request as `custodian request show` prints it: the
 * summary kept with the answer (items given and withheld by reason, decisions grouped by
 * outcome) and the persons given something, a page at a time (desk.h cust_desk_summary,
 * cust_desk_disclosed).
 */
#include "custodian/compat.h"
#include "cli.h"

static const char *str(const json_t *o, const char *k, const char *dflt)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : dflt;
}

static long long num(const json_t *o, const char *k)
{
    return (long long)json_integer_value(json_object_get(o, k));
}

/* "a, b, c" of a JSON array of strings, or "nothing". */
static void print_names(FILE *f, const json_t *a)
{
    size_t i;
    json_t *x;
    json_array_foreach(a, i, x) fprintf(f, "%s%s", i ? ", " : "", json_string_value(x));
    if (json_array_size(a) == 0)
        fputs("nothing", f);
}

void cli_print_outcomes(FILE *f, const json_t *summary)
{
    const json_t *outcomes = json_object_get(summary, "outcomes");
    size_t ndec = 0, i;
    json_t *g;
    json_array_foreach(outcomes, i, g) ndec += json_array_size(json_object_get(g, "decisions"));
    fprintf(f, "  decisions: %zu for %lld person%s, in %zu outcome%s:\n", ndec,
            num(summary, "persons"), num(summary, "persons") == 1 ? "" : "s",
            json_array_size(outcomes), json_array_size(outcomes) == 1 ? "" : "s");
    json_array_foreach(outcomes, i, g)
    {
        fprintf(f, "    %lld person%s: given ", num(g, "persons"),
                num(g, "persons") == 1 ? "" : "s");
        print_names(f, json_object_get(g, "given"));
        const char *k;
        json_t *why;
        json_object_foreach(json_object_get(g, "withheld"), k, why)
            fprintf(f, "\n      withheld %s: %s", k, json_string_value(why));
        fprintf(f, "\n      (decision%s",
                json_array_size(json_object_get(g, "decisions")) == 1 ? "" : "s");
        size_t j;
        json_t *id;
        json_array_foreach(json_object_get(g, "decisions"), j, id)
            fprintf(f, "%s %lld", j ? "," : "", (long long)json_integer_value(id));
        fputs(")\n", f);
    }
}

void cli_print_summary(FILE *f, const json_t *s)
{
    fprintf(f, "%s: answered %s (%s, sha256 %s) on the custody record as of %s\n",
            str(s, "request_id", ""), str(s, "at", ""), str(s, "format", ""),
            str(s, "response_sha256", ""), str(s, "as_of", ""));
    fprintf(f, "  persons in scope: %lld; given something: %lld; nothing given: %lld\n",
            num(s, "persons"), num(s, "given"), num(s, "nothing_given"));
    fprintf(f, "  duties created (notices): %lld\n", num(s, "duties_created"));
    fprintf(f, "  %-20s %8s %8s  %s\n", "ITEM", "GIVEN", "WITHHELD",
            "WHY WITHHELD (persons: rule, citation)");
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(s, "items"), i, it)
    {
        fprintf(f, "  %-20s %8lld %8lld", str(it, "item", ""), num(it, "given"),
                num(it, "withheld"));
        size_t j;
        json_t *w;
        json_array_foreach(json_object_get(it, "withheld_by"), j, w)
            fprintf(f, "%s%lld: %s",
                    j ? "\n  "
                        "                                     "
                      : "  ",
                    num(w, "persons"), str(w, "reason", ""));
        fputc('\n', f);
    }
    cli_print_outcomes(f, s);
}

void cli_print_disclosed(const json_t *page, const char *id)
{
    printf("  persons given something: %lld (page %lld of %lld; --page N)\n", num(page, "total"),
           num(page, "page"), num(page, "pages"));
    printf("  ");
    cli_cell("BOOKING", 12);
    cli_cell("NAME", 28);
    cli_cell("PERSON", 8);
    printf("GIVEN / WITHHELD\n");
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(page, "rows"), i, r)
    {
        char name[256], person[32];
        snprintf(name, sizeof(name), "%s, %s", str(r, "last_name", "?"), str(r, "first_name", "?"));
        snprintf(person, sizeof(person), "#%lld", num(r, "person_id"));
        printf("  ");
        cli_cell(str(r, "booking_number", "-"), 12);
        cli_cell(name, 28);
        cli_cell(person, 8);
        print_names(stdout, json_object_get(r, "given"));
        if (json_array_size(json_object_get(r, "withheld"))) {
            fputs(" / withheld ", stdout);
            print_names(stdout, json_object_get(r, "withheld"));
        }
        putchar('\n');
    }
    if (num(page, "page") < num(page, "pages"))
        printf("  next: custodian request show %s --page %lld\n", id, num(page, "page") + 1);
}
