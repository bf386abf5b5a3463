/*
 * case.c - parsing and validating a case (shared/spec/decide.md "The case").
 * Every problem is reported as "case.<json path>: reason"; parsing continues
 * so all problems are listed at once.
 */
#include "custodian/compat.h"

#include "custodian/date.h"
#include "custodian/statute.h"
#include "custodian/vocab.h"
#include "policy_int.h"

static void get_bool(const json_t *o, const char *key, const char *path, bool *out,
                     struct cust_diag *dg)
{
    const json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v))
        return;
    if (!json_is_boolean(v)) {
        cust_diag_add(dg, path, "not a boolean");
        return;
    }
    *out = json_is_true(v);
}

static int get_enum(const json_t *o, const char *key, const char *path, const char *const *names,
                    size_t n, int dflt, struct cust_diag *dg)
{
    const json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v))
        return dflt;
    if (!json_is_string(v)) {
        cust_diag_add(dg, path, "not a string");
        return dflt;
    }
    for (size_t i = 0; i < n; i++)
        if (names[i][0] && strcmp(names[i], json_string_value(v)) == 0)
            return (int)i;
    cust_diag_add(dg, path, "unknown value '%.60s'", json_string_value(v));
    return dflt;
}

static const char *const level_names[] = {"", "felony", "misdemeanor"};
static const char *const jur_names[] = {"", "CA", "federal", "other_state"};

static void parse_el(const json_t *o, int list, size_t i, struct pi_el *e, struct cust_diag *dg)
{
    char path[128], p2[160];
    snprintf(path, sizeof(path), "case.subject.%s[%zu]", pi_list_json_names[list], i);
    memset(e, 0, sizeof(*e));
    e->jur = PJ_CA;
    if (!json_is_object(o)) {
        cust_diag_add(dg, path, "not an object");
        return;
    }
    const json_t *code = json_object_get(o, "code");
    snprintf(p2, sizeof(p2), "%s.code", path);
    if (!code)
        cust_diag_add(dg, p2, "required");
    else if (!json_is_string(code))
        cust_diag_add(dg, p2, "not a string");
    else if (!cust_statute_code(json_string_value(code), e->code, sizeof(e->code)))
        cust_diag_add(dg, p2, "not a statute code (e.g. \"PC 211\")");
    snprintf(p2, sizeof(p2), "%s.level", path);
    e->level = (uint8_t)get_enum(o, "level", p2, level_names, 3, PV_UNKNOWN, dg);
    snprintf(p2, sizeof(p2), "%s.jurisdiction", path);
    e->jur = (uint8_t)get_enum(o, "jurisdiction", p2, jur_names, 4, PJ_CA, dg);
    const json_t *date = json_object_get(o, "date");
    snprintf(p2, sizeof(p2), "%s.date", path);
    if (date && !json_is_null(date)) {
        if (!json_is_string(date) || !cust_date_parse(json_string_value(date), &e->date))
            cust_diag_add(dg, p2, "not a date (YYYY-MM-DD)");
        else
            e->has_date = true;
    }
    snprintf(p2, sizeof(p2), "%s.held_to_answer", path);
    get_bool(o, "held_to_answer", p2, &e->held_to_answer, dg);
    for (int k = 0; k < PO_COUNT; k++) {
        const json_t *v = json_object_get(o, pi_ov_names[k]);
        if (!v || json_is_null(v))
            continue;
        snprintf(p2, sizeof(p2), "%s.%s", path, pi_ov_names[k]);
        if (k == PO_CATEGORY) {
            const char *s = json_is_string(v) ? json_string_value(v) : NULL;
            bool ok = s && strlen(s) < sizeof(e->ov_category);
            for (const char *q = s; ok && *q; q++)
                ok = (*q >= 'A' && *q <= 'Z') || *q == ';';
            if (!ok) {
                cust_diag_add(dg, p2,
                              "not a category (letters A-AE, several joined by ';', or \"\")");
                continue;
            }
            memcpy(e->ov_category, s, strlen(s) + 1);
            e->ov_set |= (uint8_t)(1u << k);
            continue;
        }
        if (!json_is_boolean(v)) {
            cust_diag_add(dg, p2, "not a boolean");
            continue;
        }
        e->ov_set |= (uint8_t)(1u << k);
        if (json_is_true(v))
            e->ov_bool |= (uint8_t)(1u << k);
    }
}

static uint32_t parse_targets(const json_t *arr, const char *path, bool actions, uint8_t *order,
                              uint8_t *norder, struct cust_diag *dg)
{
    uint32_t m = 0;
    char p2[96];
    if (!json_is_array(arr)) {
        cust_diag_add(dg, path, "not an array");
        return 0;
    }
    size_t i;
    const json_t *v;
    json_array_foreach(arr, i, v)
    {
        snprintf(p2, sizeof(p2), "%s[%zu]", path, i);
        int t = json_is_string(v) ? pi_target_from_name(json_string_value(v)) : -1;
        if (!json_is_string(v)) {
            cust_diag_add(dg, p2, "not a string");
            continue;
        }
        if (t < 0 || (actions != (t < PT_FIRST_ITEM))) {
            cust_diag_add(dg, p2, "unknown %s '%.60s'", actions ? "action" : "item",
                          json_string_value(v));
            continue;
        }
        if (!(m & (1u << t)) && order)
            order[(*norder)++] = (uint8_t)t;
        m |= 1u << t;
    }
    return m;
}

enum cust_status cust_case_from_json(const json_t *root, struct cust_case **out,
                                     struct cust_diag *dg)
{
    size_t before = cust_diag_count(dg);
    if (!json_is_object(root)) {
        cust_diag_add(dg, "case", "not an object");
        return CUST_EINVAL;
    }
    struct cust_case *c = cust_xcalloc(1, sizeof(*c));
    c->citizenship = PC_UNKNOWN;
    c->immigration = PI_IMM_UNKNOWN;
    const json_t *j = json_object_get(root, "jurisdiction");
    if (j && !json_is_null(j)) {
        if (!json_is_string(j) || !json_string_length(j) || json_string_length(j) > 100)
            cust_diag_add(dg, "case.jurisdiction", "not a policy id");
        else
            c->jurisdiction = cust_xstrdup(json_string_value(j));
    }
    const json_t *a = json_object_get(root, "as_of");
    bool as_of_ok = true;
    if (a && !json_is_null(a)) {
        if (!json_is_string(a) || !cust_date_parse(json_string_value(a), &c->as_of)) {
            cust_diag_add(dg, "case.as_of", "not a date (YYYY-MM-DD)");
            as_of_ok = false;
        }
    } else {
        c->as_of = cust_today();
    }
    const json_t *rq = json_object_get(root, "request");
    if (!rq) {
        cust_diag_add(dg, "case.request", "required");
    } else if (!json_is_object(rq)) {
        cust_diag_add(dg, "case.request", "not an object");
    } else {
        const json_t *k = json_object_get(rq, "kind");
        int kind = -1;
        if (!k)
            cust_diag_add(dg, "case.request.kind", "required");
        else if (!json_is_string(k))
            cust_diag_add(dg, "case.request.kind", "not a string");
        else if ((kind = pi_kind_from_name(json_string_value(k))) < 0) {
            char kinds[256];
            cust_vocab_kinds_list(kinds, sizeof(kinds));
            cust_diag_add(dg, "case.request.kind", "unknown kind '%.60s' (one of: %s)",
                          json_string_value(k), kinds);
        }
        if (kind >= 0)
            c->kind = (uint8_t)kind;
        const json_t *asks = json_object_get(rq, "asks");
        if (asks && !json_is_null(asks)) {
            c->asks =
                parse_targets(asks, "case.request.asks", true, c->asks_order, &c->nasks_order, dg);
        } else if (kind >= 0) {
            c->asks = pi_kind_default_asks[kind];
            for (int t = 0; t < PT_FIRST_ITEM; t++)
                if ((c->asks >> t) & 1u)
                    c->asks_order[c->nasks_order++] = (uint8_t)t;
        }
        get_bool(rq, "population", "case.request.population", &c->cbool[PB_POPULATION], dg);
        static const char *const warrants[PW_COUNT] = {"", "I-200", "I-205"};
        c->warrant =
            (uint8_t)get_enum(rq, "accompanying_warrant", "case.request.accompanying_warrant",
                              warrants, PW_COUNT, PW_NONE, dg);
        const json_t *items = json_object_get(rq, "items");
        if (items && !json_is_null(items))
            c->items = parse_targets(items, "case.request.items", false, c->asks_order,
                                     &c->nasks_order, dg);
    }
    const json_t *s = json_object_get(root, "subject");
    if (s && !json_is_null(s) && !json_is_object(s)) {
        cust_diag_add(dg, "case.subject", "not an object");
    } else if (s) {
        const json_t *cz = json_object_get(s, "citizenship");
        if (cz && !json_is_null(cz)) {
            if (!json_is_object(cz)) {
                cust_diag_add(dg, "case.subject.citizenship", "not an object");
            } else {
                c->citizenship = (uint8_t)get_enum(cz, "status", "case.subject.citizenship.status",
                                                   pi_citizenship_names, PC_COUNT, PC_UNKNOWN, dg);
                get_bool(cz, "verified", "case.subject.citizenship.verified",
                         &c->cbool[PB_CITIZENSHIP_VERIFIED], dg);
            }
        }
        const json_t *im = json_object_get(s, "immigration_status");
        if (im && !json_is_null(im)) {
            if (!json_is_object(im)) {
                cust_diag_add(dg, "case.subject.immigration_status", "not an object");
            } else {
                c->immigration =
                    (uint8_t)get_enum(im, "status", "case.subject.immigration_status.status",
                                      pi_immigration_names, PI_IMM_COUNT, PI_IMM_UNKNOWN, dg);
                get_bool(im, "proof_provided", "case.subject.immigration_status.proof_provided",
                         &c->cbool[PB_IMMIGRATION_PROOF], dg);
            }
        }
        for (int b = 0; b < PB_COUNT; b++) {
            if (b == PB_CITIZENSHIP_VERIFIED || b == PB_IMMIGRATION_PROOF || b == PB_POPULATION)
                continue;
            char p2[96];
            snprintf(p2, sizeof(p2), "case.subject.%s", pi_cbool_names[b]);
            get_bool(s, pi_cbool_names[b], p2, &c->cbool[b], dg);
        }
        for (int l = 0; l < PL_COUNT; l++) {
            const json_t *arr = json_object_get(s, pi_list_json_names[l]);
            char p2[96];
            snprintf(p2, sizeof(p2), "case.subject.%s", pi_list_json_names[l]);
            if (!arr || json_is_null(arr))
                continue;
            if (!json_is_array(arr)) {
                cust_diag_add(dg, p2, "not an array");
                continue;
            }
            size_t n = json_array_size(arr);
            if (n > PI_MAX_ELEMENTS) {
                cust_diag_add(dg, p2, "too many entries (max %d)", PI_MAX_ELEMENTS);
                continue;
            }
            c->els[l] = cust_xcalloc(n ? n : 1, sizeof(struct pi_el));
            c->nels[l] = n;
            for (size_t i = 0; i < n; i++) {
                parse_el(json_array_get(arr, i), l, i, &c->els[l][i], dg);
                /* a decision rests only on what was true on its day */
                if (l == PL_CONVICTIONS && as_of_ok && c->els[l][i].has_date &&
                    c->els[l][i].date > c->as_of) {
                    char p3[112];
                    snprintf(p3, sizeof(p3), "%s[%zu].date", p2, i);
                    cust_diag_add(dg, p3, "after as_of");
                }
            }
        }
    }
    if (cust_diag_count(dg) > before) {
        cust_case_free(c);
        return CUST_EINVAL;
    }
    *out = c;
    return CUST_OK;
}

enum cust_status cust_case_parse(const char *text, size_t len, struct cust_case **out,
                                 struct cust_diag *dg)
{
    json_error_t je;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        cust_diag_add(dg, "case", "not valid JSON (line %d, column %d: %s)", je.line, je.column,
                      je.text);
        return CUST_EINVAL;
    }
    enum cust_status st = cust_case_from_json(root, out, dg);
    json_decref(root);
    return st;
}

void cust_case_free(struct cust_case *c)
{
    if (!c)
        return;
    free(c->jurisdiction);
    for (int l = 0; l < PL_COUNT; l++)
        free(c->els[l]);
    free(c);
}

const char *cust_case_jurisdiction(const struct cust_case *c)
{
    return c->jurisdiction;
}
