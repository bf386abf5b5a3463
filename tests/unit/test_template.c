/* Unit tests for the notice template renderer and the shipped notice templates. */
#include "custodian/compat.h"
#include "custodian/csv.h"
#include "custodian/template.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

static char *render(const char *tpl, const char *vars_json, enum cust_status want)
{
    json_error_t jerr;
    json_t *vars = json_loads(vars_json, 0, &jerr);
    assert_non_null(vars);
    struct cust_buf out = CUST_BUF_INIT;
    struct cust_err err = CUST_ERR_INIT;
    enum cust_status st =
        cust_template_render("t.txt", tpl, strlen(tpl), vars, CUST_TEMPLATE_TEXT, &out, &err);
    json_decref(vars);
    if (st != want)
        fail_msg("status %d, wanted %d (%s)", st, want, err.msg);
    if (st) {
        cust_buf_release(&out);
        return cust_xstrdup(err.msg);
    }
    return cust_buf_detach(&out, NULL);
}

static void check(const char *tpl, const char *vars, enum cust_status want, const char *expect)
{
    char *got = render(tpl, vars, want);
    if (want == CUST_OK)
        assert_string_equal(got, expect);
    else if (!strstr(got, expect))
        fail_msg("error '%s' lacks '%s'", got, expect);
    free(got);
}

static void test_render(void **state)
{
    (void)state;
    check("Hello {{name}}!", "{\"name\":\"Ana\"}", CUST_OK, "Hello Ana!");
    check("n={{n}}", "{\"n\":42}", CUST_OK, "n=42");
    check("{{#yes}}A{{/yes}}{{^yes}}B{{/yes}}", "{\"yes\":true}", CUST_OK, "A");
    check("{{#yes}}A{{/yes}}{{^yes}}B{{/yes}}", "{\"yes\":false}", CUST_OK, "B");
    check("{{#yes}}A{{/yes}}{{^yes}}B{{/yes}}", "{}", CUST_OK, "B");
    check("{{#a}}1{{#b}}2{{/b}}3{{/a}}", "{\"a\":true,\"b\":false}", CUST_OK, "13");
    /* a missing value inside a section that is off is not needed */
    check("{{#a}}{{missing}}{{/a}}ok", "{\"a\":false}", CUST_OK, "ok");
    check("x {{ y", "{}", CUST_EINVAL, "t.txt:1: unclosed tag");
    check("line1\n{{nope}}", "{}", CUST_EINVAL, "t.txt:2: no value for 'nope'");
    check("{{#a}}x", "{\"a\":true}", CUST_EINVAL, "t.txt:1: section 'a' is never closed");
    check("{{#a}}x{{/b}}", "{\"a\":true}", CUST_EINVAL, "closes no open section");
    check("{{bad name}}", "{}", CUST_EINVAL, "bad tag name");
    check("{{o}}", "{\"o\":{}}", CUST_EINVAL, "not a string or number");
}

/* Lists, objects and the context stack (the web's pages). */
static void test_lists_and_contexts(void **state)
{
    (void)state;
    /* a list repeats its section, each element the innermost context */
    check("{{#rows}}[{{n}}]{{/rows}}", "{\"rows\":[{\"n\":1},{\"n\":2}]}", CUST_OK, "[1][2]");
    check("{{#rows}}x{{/rows}}{{^rows}}none{{/rows}}", "{\"rows\":[]}", CUST_OK, "none");
    check("{{#tags}}<{{.}}>{{/tags}}", "{\"tags\":[\"a\",\"b\"]}", CUST_OK, "<a><b>");
    /* names are looked up outwards: the page's values stay in reach inside a row */
    check("{{#rows}}{{id}}@{{page}} {{/rows}}",
          "{\"page\":\"P\",\"rows\":[{\"id\":\"a\"},{\"id\":\"b\",\"page\":\"Q\"}]}", CUST_OK,
          "a@P b@Q ");
    /* an object section: its fields, and a dotted name */
    check("{{#who}}{{name}}{{/who}} {{who.name}}", "{\"who\":{\"name\":\"Ana\"}}", CUST_OK,
          "Ana Ana");
    check("{{! a comment }}ok", "{}", CUST_OK, "ok");
    check("{{ name }}", "{\"name\":\"spaced\"}", CUST_OK, "spaced");
    /* nested lists, and strictness inside a row */
    check("{{#a}}{{#b}}{{.}}{{/b}};{{/a}}", "{\"a\":[{\"b\":[1,2]},{\"b\":[3]}]}", CUST_OK,
          "12;3;");
    check("{{#rows}}{{missing}}{{/rows}}", "{\"rows\":[{\"n\":1}]}", CUST_EINVAL,
          "t.txt:1: no value for 'missing'");
    check("{{.x}}", "{}", CUST_EINVAL, "bad tag name");
}

static void test_raw_and_escape(void **state)
{
    (void)state;
    json_t *vars = json_pack("{s:s,s:[{s:s}]}", "x", "<b>", "rows", "q", "\"'&");
    struct cust_buf out = CUST_BUF_INIT;
    struct cust_err err = CUST_ERR_INIT;
    const char *t = "{{x}}|{{{x}}}|{{#rows}}<i title=\"{{q}}\">{{/rows}}";
    assert_int_equal(cust_template_render("t", t, strlen(t), vars, CUST_TEMPLATE_HTML, &out, &err),
                     CUST_OK);
    assert_string_equal(out.buf, "&lt;b&gt;|<b>|<i title=\"&quot;&#39;&amp;\">");
    cust_buf_release(&out);
    json_decref(vars);
}

static void test_html_escape(void **state)
{
    (void)state;
    json_t *vars = json_pack("{s:s}", "x", "<b>&");
    struct cust_buf out = CUST_BUF_INIT;
    struct cust_err err = CUST_ERR_INIT;
    assert_int_equal(cust_template_render("t", "[{{x}}]", 7, vars, CUST_TEMPLATE_HTML, &out, &err),
                     CUST_OK);
    assert_string_equal(out.buf, "[&lt;b&gt;&amp;]");
    cust_buf_release(&out);
    json_decref(vars);
}

static const char *const documents[] = {"request_copy", "release_notice", "interview_consent"};

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct cust_buf b = CUST_BUF_INIT;
    assert_int_equal(cust_buf_read(&b, f), CUST_OK);
    fclose(f);
    return cust_buf_detach(&b, len);
}

/* Collect the tag names of a template, sorted, as one string. */
static char *tag_set(const char *tpl)
{
    char names[64][64];
    size_t n = 0;
    for (const char *p = strstr(tpl, "{{"); p; p = strstr(p + 2, "{{")) {
        const char *q = p + 2;
        if (*q == '#' || *q == '^' || *q == '/')
            q++;
        const char *e = strstr(q, "}}");
        assert_non_null(e);
        char name[64];
        snprintf(name, sizeof(name), "%.*s", (int)(e - q), q);
        size_t k = 0;
        while (k < n && strcmp(names[k], name) != 0)
            k++;
        if (k == n && n < 64)
            memcpy(names[n++], name, sizeof(name));
    }
    qsort(names, n, sizeof(names[0]), (int (*)(const void *, const void *))strcmp);
    struct cust_buf b = CUST_BUF_INIT;
    for (size_t i = 0; i < n; i++)
        assert_int_equal(cust_buf_appendf(&b, "%s ", names[i]), CUST_OK);
    return cust_buf_detach(&b, NULL);
}

/* The names of a template's {{name}} tags (not sections), each once, in `out`. */
static size_t var_tags(const char *tpl, char names[][64], size_t max)
{
    size_t n = 0;
    for (const char *p = strstr(tpl, "{{"); p; p = strstr(p + 2, "{{")) {
        const char *q = p + 2;
        if (*q == '#' || *q == '^' || *q == '/' || *q == '!' || *q == '{')
            continue;
        const char *e = strstr(q, "}}");
        assert_non_null(e);
        char name[64];
        snprintf(name, sizeof(name), "%.*s", (int)(e - q), q);
        size_t k = 0;
        while (k < n && strcmp(names[k], name) != 0)
            k++;
        if (k == n && n < max)
            memcpy(names[n++], name, sizeof(name));
    }
    return n;
}

/* The sentinel each variable of a notice is given: its name in capitals, so that it can be
 * found in the output whatever the language does around it. */
static json_t *sentinel_vars(bool flags, bool with_given)
{
    static const char *const names[] = {
        "agency_name",   "agency_address", "agency_phone", "agency_email",  "duty_cite",
        "subject_name",  "booking_number", "notice_date",  "received_date", "requester",
        "form",          "asks_text",      "comply_text",  "hold_cite",     "request_id",
        "attorney_name", "disclosed_date", "release_info", "basis",         "notify_cite",
        "purpose"};
    json_t *v = json_object();
    for (size_t i = 0; i < CUST_ARRAY_LEN(names); i++) {
        char s[64];
        snprintf(s, sizeof(s), "@%s@", names[i]);
        json_object_set_new(v, names[i], json_string(s));
    }
    json_object_set_new(v, "will_comply", json_boolean(flags));
    json_object_set_new(v, "hold_refused", json_boolean(flags));
    json_object_set_new(v, "release_date_given", json_boolean(flags));
    json_object_set_new(v, "given",
                        with_given ? json_pack("[{s:s,s:s,s:s}]", "label", "@label@", "value",
                                               "@value@", "why", "@why@")
                                   : json_array());
    return v;
}

/* The notice renderer per language for every variable: each document of each of the six
 * languages, rendered with every condition on and off and with and without items given,
 * shows the value of every {{variable}} it has somewhere; and every language's terms.csv has
 * every term English has. */
static void test_every_variable_every_language(void **state)
{
    (void)state;
    const char *src = getenv("CUST_SOURCE_DIR");
    src = src ? src : CUST_SOURCE_DIR;
    static const char *const langs[] = {"en", "es", "zh", "tl", "vi", "ko"};
    struct cust_err err = CUST_ERR_INIT;
    char path[4096];
    snprintf(path, sizeof(path), "%s/templates/notices/en/terms.csv", src);
    size_t en_len;
    char *en_terms = slurp(path, &en_len);
    assert_non_null(en_terms);
    for (size_t l = 0; l < CUST_ARRAY_LEN(langs); l++) {
        for (size_t d = 0; d < CUST_ARRAY_LEN(documents); d++) {
            snprintf(path, sizeof(path), "%s/templates/notices/%s/%s.txt", src, langs[l],
                     documents[d]);
            size_t len;
            char *tpl = slurp(path, &len);
            if (!tpl)
                fail_msg("missing template %s", path);
            struct cust_buf all = CUST_BUF_INIT;
            for (int pass = 0; pass < 4; pass++) {
                json_t *vars = sentinel_vars(pass & 1, pass & 2);
                if (cust_template_render(path, tpl, len, vars, CUST_TEMPLATE_TEXT, &all, &err))
                    fail_msg("%s: %s", path, err.msg);
                json_decref(vars);
            }
            assert_int_equal(cust_buf_putc(&all, '\0'), CUST_OK);
            char names[64][64];
            size_t n = var_tags(tpl, names, 64);
            assert_true(n >= 8);
            for (size_t k = 0; k < n; k++) {
                char s[70];
                snprintf(s, sizeof(s), "@%s@", names[k]);
                if (!strstr(all.buf, s))
                    fail_msg("%s: {{%s}} is never shown", path, names[k]);
            }
            cust_buf_release(&all);
            free(tpl);
        }
        /* the words the renderer puts in: every key English has */
        snprintf(path, sizeof(path), "%s/templates/notices/%s/terms.csv", src, langs[l]);
        struct cust_csv en, tr;
        cust_csv_open_mem(&en, en_terms, en_len);
        assert_int_equal(cust_csv_open_file(&tr, path, &err), CUST_OK);
        json_t *keys = json_object();
        while (cust_csv_next(&tr, &err) == CUST_OK && tr.nfields)
            json_object_set_new(keys, tr.fields[0], json_true());
        while (cust_csv_next(&en, &err) == CUST_OK && en.nfields)
            if (strcmp(en.fields[0], "review_note") != 0 && !json_object_get(keys, en.fields[0]))
                fail_msg("%s: no term '%s'", path, en.fields[0]);
        if (strcmp(langs[l], "en") != 0 && !json_object_get(keys, "review_note"))
            fail_msg("%s: no review_note (the translation's own words for 'needs review')", path);
        json_decref(keys);
        cust_csv_release(&en);
        cust_csv_release(&tr);
    }
    free(en_terms);
}

/* Every shipped language has every document; all render with the same variables. */
static void test_shipped_templates(void **state)
{
    (void)state;
    const char *src = getenv("CUST_SOURCE_DIR");
    src = src ? src : CUST_SOURCE_DIR;
    char path[4096];
    snprintf(path, sizeof(path), "%s/templates/notices/languages.csv", src);
    struct cust_csv csv;
    struct cust_err err = CUST_ERR_INIT;
    assert_int_equal(cust_csv_open_file(&csv, path, &err), CUST_OK);
    assert_int_equal(cust_csv_next(&csv, &err), CUST_OK);
    int ccode = cust_csv_column(&csv, "code"), cship = cust_csv_column(&csv, "shipped");
    assert_true(ccode >= 0 && cship >= 0);
    json_t *vars = json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:s,s:b,s:b,s:s,s:s,s:s,s:s,s:s}", "agency_name",
        "Los Angeles County Sheriff's Department", "subject_name", "JOSE GARCIA", "booking_number",
        "6012345", "notice_date", "2025-07-18", "received_date", "2025-07-17", "requester",
        "ICE Los Angeles Field Office", "form", "I-247A", "asks_text", "hold; notify",
        "will_comply", 0, "comply_text", "", "hold_refused", 1, "release_date_given", 0,
        "request_id", "R-2025-000001", "attorney_name", "A. Lawyer", "disclosed_date", "2025-07-18",
        "release_info", "2025-08-01", "basis", "Gov. Code 7282.5(a)(1)");
    json_object_set_new(vars, "purpose", json_string("civil immigration interview"));
    int languages = 0, shipped = 0;
    char *reference[CUST_ARRAY_LEN(documents)] = {0};
    while (cust_csv_next(&csv, &err) == CUST_OK && csv.nfields) {
        languages++;
        if (strcmp(csv.fields[cship], "yes") != 0)
            continue;
        shipped++;
        for (size_t d = 0; d < CUST_ARRAY_LEN(documents); d++) {
            snprintf(path, sizeof(path), "%s/templates/notices/%s/%s.txt", src, csv.fields[ccode],
                     documents[d]);
            size_t len;
            char *tpl = slurp(path, &len);
            if (!tpl)
                fail_msg("missing template %s", path);
            struct cust_buf out = CUST_BUF_INIT;
            if (cust_template_render(path, tpl, len, vars, CUST_TEMPLATE_TEXT, &out, &err))
                fail_msg("%s", err.msg);
            assert_non_null(strstr(out.buf, "6012345"));
            char *tags = tag_set(tpl);
            if (!reference[d])
                reference[d] = cust_xstrdup(tags);
            else
                assert_string_equal(tags, reference[d]);
            free(tags);
            cust_buf_release(&out);
            free(tpl);
        }
    }
    assert_int_equal(languages, 6); /* the TRUTH Act's six */
    assert_int_equal(shipped, 6);   /* each a template of its own (a draft until reviewed) */
    for (size_t d = 0; d < CUST_ARRAY_LEN(documents); d++)
        free(reference[d]);
    json_decref(vars);
    cust_csv_release(&csv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_render),
        cmocka_unit_test(test_lists_and_contexts),
        cmocka_unit_test(test_raw_and_escape),
        cmocka_unit_test(test_html_escape),
        cmocka_unit_test(test_shipped_templates),
        cmocka_unit_test(test_every_variable_every_language),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
