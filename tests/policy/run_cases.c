/*
 * run_cases.c - the policy test suite as data (tests/policy/README.md).
 *
 * Reads every .jsonl file in tests/policy/cases/; each line is one case:
 *   {"name": "...", "case": {...}, "expect": {...}}        expect = subset of the decision
 *   {"name": "...", "case": {...}, "invalid": ["case.x: reason", ...]}   exact problem lines
 *   {"name": "...", "case_text": "...", "invalid": [...]}   raw text (bad JSON)
 *   {"name": "...", "case": {...}, "error": "substring"}   cust_decide refuses (e.g. before
 *                                                           the first version)
 * optional "policy": "ID" overrides the case's jurisdiction ("examples/ID": the illustrative
 * policy policies/examples/ID.policy, loaded by file).
 * Special expect keys: "duties_include"/"duties_exclude" (duty ids), "needs_include".
 * After all cases: every rule of every policy used must have fired at least once (rule
 * coverage), else the runner fails listing the rules that never fired.
 */
#include "custodian/compat.h"

#include "custodian/policy.h"

#include <dirent.h>

struct pol {
    char *id;
    struct cust_policy *p;
};

static struct pol pols[32];
static size_t npols;
static char *fired_all;
static size_t fired_len;

static struct cust_policy *get_policy(const char *dir, const char *id, char *msg, size_t cap)
{
    for (size_t i = 0; i < npols; i++)
        if (strcmp(pols[i].id, id) == 0)
            return pols[i].p;
    struct cust_err err = CUST_ERR_INIT;
    struct cust_policy *p;
    char file[4096];
    const char *ref = id;
    if (strncmp(id, "examples/", 9) == 0) { /* not shipped: loaded by file (policies/examples/) */
        snprintf(file, sizeof(file), "%s/%s.policy", dir, id);
        ref = file;
    }
    if (cust_policy_load(dir, ref, &p, &err)) {
        snprintf(msg, cap, "%s", err.msg);
        return NULL;
    }
    if (npols == CUST_ARRAY_LEN(pols))
        abort();
    pols[npols].id = cust_xstrdup(id);
    pols[npols].p = p;
    npols++;
    return p;
}

static void add_fired(const char *lines)
{
    size_t n = strlen(lines);
    fired_all = cust_xrealloc(fired_all, fired_len + n + 1);
    memcpy(fired_all + fired_len, lines, n + 1);
    fired_len += n;
}

/* expect is a subset of actual; report the first mismatch path in msg */
static bool subset(const json_t *exp, const json_t *act, const char *path, char *msg, size_t cap)
{
    if (json_is_object(exp)) {
        if (!json_is_object(act)) {
            snprintf(msg, cap, "%s: expected an object", path);
            return false;
        }
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)exp, k, v)
        {
            char sub[512];
            snprintf(sub, sizeof(sub), "%s.%s", path, k);
            const json_t *a = json_object_get(act, k);
            if (!a) {
                snprintf(msg, cap, "%s: missing", sub);
                return false;
            }
            if (!subset(v, a, sub, msg, cap))
                return false;
        }
        return true;
    }
    if (!json_equal((json_t *)exp, (json_t *)act)) {
        char *e = json_dumps(exp, JSON_COMPACT | JSON_ENCODE_ANY);
        char *a = json_dumps(act, JSON_COMPACT | JSON_ENCODE_ANY);
        snprintf(msg, cap, "%s: expected %s, got %s", path, e ? e : "?", a ? a : "?");
        free(e);
        free(a);
        return false;
    }
    return true;
}

static bool has_duty(const json_t *dec, const char *duty)
{
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(dec, "duties"), i,
                       d) if (strcmp(json_string_value(json_object_get(d, "duty")), duty) ==
                              0) return true;
    return false;
}

static bool has_str(const json_t *arr, const char *s)
{
    size_t i;
    json_t *d;
    json_array_foreach(arr, i, d) if (json_is_string(d) &&
                                      strcmp(json_string_value(d), s) == 0) return true;
    return false;
}

static bool run_one(const char *dir, const json_t *t, char *msg, size_t cap)
{
    const json_t *ctext = json_object_get(t, "case_text");
    const json_t *cj = json_object_get(t, "case");
    const json_t *invalid = json_object_get(t, "invalid");
    struct cust_diag dg = CUST_DIAG_INIT;
    struct cust_case *c = NULL;
    enum cust_status st;
    if (ctext)
        st = cust_case_parse(json_string_value(ctext), json_string_length(ctext), &c, &dg);
    else
        st = cust_case_from_json(cj, &c, &dg);
    if (invalid) {
        bool exact = json_is_array(invalid);
        bool ok = st == CUST_EINVAL && (exact ? dg.n == json_array_size(invalid) : dg.n > 0);
        for (size_t i = 0; ok && exact && i < dg.n; i++)
            ok = strcmp(dg.lines[i], json_string_value(json_array_get(invalid, i))) == 0;
        if (!ok) {
            struct cust_buf b = CUST_BUF_INIT;
            for (size_t i = 0; i < dg.n; i++)
                if (cust_buf_appendf(&b, "%s%s", i ? " | " : "", dg.lines[i]))
                    break;
            snprintf(msg, cap, "expected the case to be invalid with the listed problems; got: %s",
                     st ? b.buf : "(valid)");
            cust_buf_release(&b);
        }
        cust_diag_release(&dg);
        cust_case_free(c);
        return ok;
    }
    if (st) {
        snprintf(msg, cap, "case invalid: %s", dg.n ? dg.lines[0] : "?");
        cust_diag_release(&dg);
        return false;
    }
    cust_diag_release(&dg);
    /* a misspelt or misplaced key would silently assert nothing: refuse it */
    static const char *const keys[] = {"name",    "case",  "case_text", "expect",
                                       "invalid", "error", "policy"};
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)t, key, val)
    {
        bool known = false;
        for (size_t k = 0; k < CUST_ARRAY_LEN(keys) && !known; k++)
            known = strcmp(key, keys[k]) == 0;
        if (!known) {
            snprintf(msg, cap, "unknown key '%s' (duties_* and needs_include go inside expect)",
                     key);
            return false;
        }
    }
    const json_t *pj = json_object_get(t, "policy");
    const char *id = pj ? json_string_value(pj) : cust_case_jurisdiction(c);
    struct cust_policy *p = id ? get_policy(dir, id, msg, cap) : NULL;
    if (!p) {
        if (!id)
            snprintf(msg, cap, "no jurisdiction");
        cust_case_free(c);
        return false;
    }
    struct cust_decision *d = cust_decision_new();
    struct cust_err err = CUST_ERR_INIT;
    st = cust_decide(p, c, CUST_DECIDE_TRACE, d, &err);
    const json_t *experr = json_object_get(t, "error");
    bool ok = true;
    if (experr) {
        ok = st != CUST_OK && strstr(err.msg, json_string_value(experr)) != NULL;
        if (!ok)
            snprintf(msg, cap, "expected error containing '%s', got %s", json_string_value(experr),
                     st ? err.msg : "a decision");
    } else if (st) {
        snprintf(msg, cap, "decide failed: %s", err.msg);
        ok = false;
    } else {
        json_t *dec = cust_decision_to_json(p, c, d);
        json_t *exp = json_deep_copy(json_object_get(t, "expect"));
        json_t *inc = json_object_get(exp, "duties_include");
        json_t *exc = json_object_get(exp, "duties_exclude");
        json_t *needs = json_object_get(exp, "needs_include");
        size_t i;
        json_t *v;
        json_array_foreach(inc, i, v) if (ok && !has_duty(dec, json_string_value(v)))
        {
            snprintf(msg, cap, "missing duty %s", json_string_value(v));
            ok = false;
        }
        json_array_foreach(exc, i, v) if (ok && has_duty(dec, json_string_value(v)))
        {
            snprintf(msg, cap, "unexpected duty %s", json_string_value(v));
            ok = false;
        }
        json_array_foreach(
            needs, i, v) if (ok && !has_str(json_object_get(dec, "needs"), json_string_value(v)))
        {
            char *n = json_dumps(json_object_get(dec, "needs"), JSON_COMPACT);
            snprintf(msg, cap, "needs lacks %s (got %s)", json_string_value(v), n);
            free(n);
            ok = false;
        }
        json_object_del(exp, "duties_include");
        json_object_del(exp, "duties_exclude");
        json_object_del(exp, "needs_include");
        if (ok)
            ok = subset(exp, dec, "decision", msg, cap);
        if (ok) {
            struct cust_buf fb = CUST_BUF_INIT;
            if (cust_decision_fired_rules(p, d, &fb) == CUST_OK)
                add_fired(fb.buf);
            cust_buf_release(&fb);
        } else if (getenv("POLICY_CASES_VERBOSE")) {
            char *s = json_dumps(dec, JSON_INDENT(2));
            fprintf(stderr, "%s\n", s);
            free(s);
        }
        json_decref(exp);
        json_decref(dec);
    }
    cust_decision_free(d);
    cust_case_free(c);
    return ok;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    const char *src = getenv("CUST_SOURCE_DIR");
    char casedir[4096], poldir[4096];
    snprintf(casedir, sizeof(casedir), "%s/tests/policy/cases", src ? src : CUST_SOURCE_DIR);
    snprintf(poldir, sizeof(poldir), "%s/policies", src ? src : CUST_SOURCE_DIR);
    if (argc > 1)
        snprintf(casedir, sizeof(casedir), "%s", argv[1]);
    /* as_of defaults to today: make "today" fixed for the suite */
    setenv("CUSTODIAN_NOW", "2025-07-17T12:00:00Z", 0);
    DIR *dp = opendir(casedir);
    if (!dp) {
        fprintf(stderr, "cannot open %s\n", casedir);
        return 1;
    }
    char *files[256];
    size_t nfiles = 0;
    struct dirent *de;
    while ((de = readdir(dp)) != NULL && nfiles < 256) {
        size_t l = strlen(de->d_name);
        if (l > 6 && strcmp(de->d_name + l - 6, ".jsonl") == 0)
            files[nfiles++] = cust_xstrdup(de->d_name);
    }
    closedir(dp);
    qsort(files, nfiles, sizeof(char *), cmp_str);
    size_t total = 0, failed = 0;
    for (size_t f = 0; f < nfiles; f++) {
        char path[8192];
        snprintf(path, sizeof(path), "%s/%s", casedir, files[f]);
        FILE *fp = fopen(path, "r");
        if (!fp) {
            fprintf(stderr, "cannot open %s\n", path);
            return 1;
        }
        char *line = NULL;
        size_t cap = 0;
        ssize_t n;
        size_t lineno = 0;
        while ((n = getline(&line, &cap, fp)) >= 0) {
            lineno++;
            if (n <= 1 || line[0] == '#')
                continue;
            json_error_t je;
            json_t *t = json_loadb(line, (size_t)n, 0, &je);
            total++;
            char msg[2048] = "";
            if (!t) {
                fprintf(stderr, "FAIL %s:%zu: bad test line: %s\n", files[f], lineno, je.text);
                failed++;
                continue;
            }
            if (!run_one(poldir, t, msg, sizeof(msg))) {
                fprintf(stderr, "FAIL %s:%zu %s: %s\n", files[f], lineno,
                        json_string_value(json_object_get(t, "name")), msg);
                failed++;
            }
            json_decref(t);
        }
        free(line);
        fclose(fp);
        free(files[f]);
    }
    /* rule coverage */
    size_t never = 0, rules = 0;
    for (size_t i = 0; i < npols; i++) {
        struct cust_buf b = CUST_BUF_INIT;
        if (cust_policy_rule_list(pols[i].p, &b))
            abort();
        char *s = b.buf;
        while (*s) {
            char *e = strchr(s, '\n');
            *e = '\0';
            bool seen = false;
            const char *q = fired_all ? fired_all : "";
            size_t l = strlen(s);
            while (!seen && (q = strstr(q, s)) != NULL) {
                seen = (q == fired_all || q[-1] == '\n') && q[l] == '\n';
                q++;
            }
            rules++;
            if (!seen) {
                /* report each rule once even when several loaded policies share it */
                bool dup = false;
                for (size_t j = 0; j < i && !dup; j++) {
                    struct cust_buf b2 = CUST_BUF_INIT;
                    if (cust_policy_rule_list(pols[j].p, &b2))
                        abort();
                    dup = strstr(b2.buf, s) != NULL;
                    cust_buf_release(&b2);
                }
                if (!dup) {
                    fprintf(stderr, "RULE NEVER FIRED: %s\n", s);
                    never++;
                }
            }
            s = e + 1;
        }
        cust_buf_release(&b);
    }
    printf(
        "policy cases: %zu run, %zu failed; %zu policies, %zu rule uses, %zu rules never fired\n",
        total, failed, npols, rules, never);
    for (size_t i = 0; i < npols; i++) {
        free(pols[i].id);
        cust_policy_free(pols[i].p);
    }
    free(fired_all);
    return failed || never || total < 100 ? 1 : 0;
}
