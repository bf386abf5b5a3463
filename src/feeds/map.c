/*
 * map.c - load a mapping file (YAML 1.1 through libyaml; the format is docs/mappings.md).
 *
 * The whole file is checked before anything is read through it: every problem is collected
 * as "LINE: path: reason" (path = the keys leading to the value, e.g. booking.booked_at.
 * datetime), so a county sees all of them at once.
 */
#include "custodian/compat.h"
#include "feeds_int.h"

#include <ctype.h>
#include <errno.h>
#include <libxml/xpath.h>
#include <yaml.h>

const struct feed_target feed_booking_targets[] = {
    {"booking_number", FT_STRING, NULL, true},
    {"booked_at", FT_DATETIME, NULL, true},
    {"facility", FT_STRING, NULL, false},
    {"housing", FT_STRING, NULL, false},
    {"arresting_agency", FT_STRING, NULL, false},
    {"person.person_id", FT_STRING, NULL, false},
    {"person.last_name", FT_STRING, NULL, true},
    {"person.first_name", FT_STRING, NULL, true},
    {"person.middle_name", FT_STRING, NULL, false},
    {"person.dob", FT_DATE, NULL, true},
    {"person.sex", FT_STRING, NULL, false},
    {"person.ids.cii", FT_STRING, NULL, false},
    {"person.ids.fbi", FT_STRING, NULL, false},
    {"person.ids.sid", FT_STRING, NULL, false},
    {"person.ids.a_number", FT_STRING, NULL, false},
    {"person.place_of_birth", FT_STRING, NULL, false},
    {"person.citizenship.status", FT_STRING, "citizen | non_citizen | unknown", false},
    {"person.citizenship.country", FT_STRING, NULL, false},
    {"person.citizenship.source", FT_STRING,
     "self_reported | consular_notification | document | federal_record | court_record", false},
    {"person.citizenship.verified", FT_BOOL, NULL, false},
    {"person.citizenship.recorded_at", FT_DATE, NULL, false},
    {"person.home_address", FT_STRING, NULL, false},
    {"person.immigration_status", FT_STRING, NULL, false},
    {"person.sex_arson_registrant", FT_BOOL, NULL, false},
    {"sentence.imposed_on", FT_DATE, NULL, false},
    {"sentence.term_days", FT_INT, NULL, false},
    {"sentence.presentence_custody_days", FT_INT, NULL, false},
    {"scheduled_release", FT_DATE, NULL, false},
    {"release_date_public", FT_BOOL, NULL, false},
    {"released_at", FT_DATETIME, NULL, false},
    {"release_reason", FT_STRING, NULL, false},
};
const size_t feed_n_booking_targets = CUST_ARRAY_LEN(feed_booking_targets);

const struct feed_target feed_charge_targets[] = {
    {"code", FT_STRING, NULL, false},
    {"description", FT_STRING, NULL, false},
    {"level", FT_STRING, "felony | misdemeanor | infraction", false},
    {"status", FT_STRING, "pending | convicted | dismissed | acquitted | hold", false},
    {"held_to_answer", FT_BOOL, NULL, false},
    {"case_number", FT_STRING, NULL, false},
    {"court", FT_STRING, NULL, false},
    {"next_court_date", FT_DATE, NULL, false},
    {"bail_cents", FT_INT, NULL, false},
};
const size_t feed_n_charge_targets = CUST_ARRAY_LEN(feed_charge_targets);

const struct feed_target *feed_target_find(const char *path, bool charge)
{
    const struct feed_target *t = charge ? feed_charge_targets : feed_booking_targets;
    size_t n = charge ? feed_n_charge_targets : feed_n_booking_targets;
    for (size_t i = 0; i < n; i++)
        if (strcmp(t[i].path, path) == 0)
            return &t[i];
    return NULL;
}

/* ---- walking the YAML document -------------------------------------------------------- */

struct mp {
    yaml_document_t doc;
    struct cust_diag *diag;
    struct cust_map *m;
};

static void problem(struct mp *p, const yaml_node_t *n, const char *path, const char *fmt, ...)
    CUST_PRINTF(4, 5);
static void problem(struct mp *p, const yaml_node_t *n, const char *path, const char *fmt, ...)
{
    char reason[400], where[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof(reason), fmt, ap);
    va_end(ap);
    snprintf(where, sizeof(where), "%zu: %s", n ? n->start_mark.line + 1 : 1, path);
    cust_diag_add(p->diag, where, "%s", reason);
}

static yaml_node_t *node(struct mp *p, int id)
{
    return yaml_document_get_node(&p->doc, id);
}

/* A scalar's text, or NULL (and a problem) for a sequence or mapping. */
static const char *scalar(struct mp *p, const yaml_node_t *n, const char *path)
{
    if (n->type != YAML_SCALAR_NODE) {
        problem(p, n, path, "must be a single value");
        return NULL;
    }
    return (const char *)n->data.scalar.value;
}

static bool plain_bool(const yaml_node_t *n, bool *v)
{
    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    const char *s = (const char *)n->data.scalar.value;
    if (!strcmp(s, "true") || !strcmp(s, "yes")) {
        *v = true;
        return true;
    }
    if (!strcmp(s, "false") || !strcmp(s, "no")) {
        *v = false;
        return true;
    }
    return false;
}

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = cust_xmalloc(n);
    memcpy(d, s, n);
    return d;
}

static void join(char *out, size_t cap, const char *a, const char *b)
{
    snprintf(out, cap, "%s%s%s", a, *a ? "." : "", b);
}

/* Every key of mapping `n` must be a scalar, appear once and be one of `allowed` ("a|b|c", or
 * NULL for any). */
static bool check_keys(struct mp *p, const yaml_node_t *n, const char *path, const char *allowed)
{
    if (n->type != YAML_MAPPING_NODE) {
        problem(p, n, path, "must be a mapping (key: value lines)");
        return false;
    }
    bool ok = true;
    for (yaml_node_pair_t *a = n->data.mapping.pairs.start; a < n->data.mapping.pairs.top; a++) {
        yaml_node_t *k = node(p, a->key);
        if (k->type != YAML_SCALAR_NODE) {
            problem(p, k, path, "a key must be a single value");
            ok = false;
            continue;
        }
        const char *ks = (const char *)k->data.scalar.value;
        for (yaml_node_pair_t *b = n->data.mapping.pairs.start; b < a; b++) {
            yaml_node_t *k2 = node(p, b->key);
            if (k2->type == YAML_SCALAR_NODE && !strcmp((const char *)k2->data.scalar.value, ks)) {
                char kp[256];
                join(kp, sizeof(kp), path, ks);
                problem(p, k, kp, "given twice (also on line %zu)", k2->start_mark.line + 1);
                ok = false;
            }
        }
        if (allowed) {
            size_t kl = strlen(ks);
            const char *q = allowed;
            bool found = false;
            while (*q && !found) {
                const char *e = strchr(q, '|');
                size_t l = e ? (size_t)(e - q) : strlen(q);
                found = l == kl && !memcmp(q, ks, l);
                q = e ? e + 1 : q + l;
            }
            if (!found) {
                char kp[256];
                join(kp, sizeof(kp), path, ks);
                problem(p, k, kp, "unknown key (expected one of %s)", allowed);
                ok = false;
            }
        }
    }
    return ok;
}

/* The value of key `key` in mapping `n`, or NULL. */
static yaml_node_t *get(struct mp *p, const yaml_node_t *n, const char *key)
{
    if (!n || n->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *a = n->data.mapping.pairs.start; a < n->data.mapping.pairs.top; a++) {
        yaml_node_t *k = node(p, a->key);
        if (k->type == YAML_SCALAR_NODE && !strcmp((const char *)k->data.scalar.value, key))
            return node(p, a->value);
    }
    return NULL;
}

static char *get_str(struct mp *p, const yaml_node_t *n, const char *key, const char *path)
{
    yaml_node_t *v = get(p, n, key);
    if (!v)
        return NULL;
    char kp[256];
    join(kp, sizeof(kp), path, key);
    const char *s = scalar(p, v, kp);
    if (s && !*s) {
        problem(p, v, kp, "must not be empty");
        return NULL;
    }
    return s ? xstrdup(s) : NULL;
}

/* Is `s` one of the values of `list` ("a | b | c")? */
static bool in_list(const char *list, const char *s)
{
    size_t n = strlen(s);
    for (const char *q = list; *q;) {
        while (*q == ' ')
            q++;
        const char *e = strchr(q, '|');
        size_t l = e ? (size_t)(e - q) : strlen(q);
        while (l && q[l - 1] == ' ')
            l--;
        if (l == n && !memcmp(q, s, l))
            return true;
        q = e ? e + 1 : q + l;
    }
    return false;
}

static bool valid_extra_path(const char *s)
{
    if (!*s || *s == '.')
        return false;
    for (const char *c = s; *c; c++) {
        if (*c == '.' && (c[1] == '.' || c[1] == '\0'))
            return false;
        if (*c != '.' && *c != '_' && !isalnum((unsigned char)*c))
            return false;
    }
    return true;
}

/* Does a path (a.b.c) start with `prefix` followed by a dot? */
static bool under(const char *path, const char *prefix)
{
    size_t n = strlen(prefix);
    return !strncmp(path, prefix, n) && path[n] == '.';
}

/* An extra field must not sit inside a known value or be where a known object is, nor collide
 * with another extra. */
static bool extra_fits(const struct cust_map *m, const char *path, bool charge)
{
    const struct feed_target *t = charge ? feed_charge_targets : feed_booking_targets;
    size_t n = charge ? feed_n_charge_targets : feed_n_booking_targets;
    for (size_t i = 0; i < n; i++)
        if (under(path, t[i].path) || under(t[i].path, path))
            return false;
    if (!charge && (!strcmp(path, "charges") || under(path, "charges")))
        return false;
    for (size_t i = 0; i + 1 < m->n_rules; i++) {
        const struct feed_rule *r = &m->rules[i];
        if (r->charge == charge && r->extra &&
            (!strcmp(r->target, path) || under(path, r->target) || under(r->target, path)))
            return false;
    }
    return true;
}

/* ---- rules -------------------------------------------------------------------------------- */

static void add_formats(struct mp *p, struct feed_rule *r, const yaml_node_t *v, const char *path,
                        bool want_time)
{
    const yaml_node_t *items[16];
    size_t n = 0;
    if (v->type == YAML_SEQUENCE_NODE) {
        for (yaml_node_item_t *i = v->data.sequence.items.start; i < v->data.sequence.items.top;
             i++)
            if (n < CUST_ARRAY_LEN(items))
                items[n++] = node(p, *i);
    } else {
        items[n++] = v;
    }
    if (n == 0)
        problem(p, v, path, "needs at least one pattern");
    for (size_t i = 0; i < n; i++) {
        const char *s = scalar(p, items[i], path);
        if (!s)
            continue;
        bool has_time, has_offset;
        const char *why = feed_pattern_check(s, &has_time, &has_offset);
        if (why) {
            problem(p, items[i], path, "'%s' %s", s, why);
            continue;
        }
        if (want_time && !has_time)
            problem(p, items[i], path, "'%s' has no time of day (%%H:%%M)", s);
        if (want_time && !has_offset && !p->m->time_zone)
            problem(p, items[i], path,
                    "'%s' is a local time: the mapping needs a time_zone (e.g. "
                    "America/Los_Angeles)",
                    s);
        r->formats = cust_xrealloc(r->formats, (r->n_formats + 1) * sizeof(*r->formats));
        r->formats[r->n_formats++] = xstrdup(s);
    }
}

/* A rule's 'values' table (source value -> custody value, each checked against the field's
 * enumeration) and its 'default'. */
static void parse_rule_values(struct mp *p, const yaml_node_t *v, struct feed_rule *r,
                              const struct feed_target *t, const char *path)
{
    yaml_node_t *vt = get(p, v, "values");
    if (vt) {
        char kp[256];
        join(kp, sizeof(kp), path, "values");
        if (check_keys(p, vt, kp, NULL)) {
            for (yaml_node_pair_t *a = vt->data.mapping.pairs.start; a < vt->data.mapping.pairs.top;
                 a++) {
                yaml_node_t *k = node(p, a->key), *val = node(p, a->value);
                const char *to = scalar(p, val, kp);
                if (!to)
                    continue;
                if (t && t->values && !in_list(t->values, to))
                    problem(p, val, kp, "'%s' is not one of %s", to, t->values);
                r->from = cust_xrealloc(r->from, (r->n_values + 1) * sizeof(*r->from));
                r->to = cust_xrealloc(r->to, (r->n_values + 1) * sizeof(*r->to));
                r->from[r->n_values] = xstrdup((const char *)k->data.scalar.value);
                r->to[r->n_values++] = xstrdup(to);
            }
        }
    }
    r->value_default = get_str(p, v, "default", path);
    if (r->value_default && !vt)
        problem(p, get(p, v, "default"), path, "'default' goes with a 'values' table");
    if (r->value_default && t && t->values && !in_list(t->values, r->value_default))
        problem(p, get(p, v, "default"), path, "default '%s' is not one of %s", r->value_default,
                t->values);
}

/* A rule's conversion: 'date' or 'datetime' formats, 'statute', or 'money' (one at most). */
static void parse_rule_xform(struct mp *p, const yaml_node_t *v, struct feed_rule *r,
                             const char *target, bool extra, const char *path)
{
    bool b;
    yaml_node_t *x;
    int nx = 0;
    if ((x = get(p, v, "date"))) {
        char kp[256];
        join(kp, sizeof(kp), path, "date");
        if (r->type != FT_DATE && !extra)
            problem(p, x, kp, "'%s' is not a date field", target);
        r->xform = FX_DATE;
        add_formats(p, r, x, kp, false);
        nx++;
    }
    if ((x = get(p, v, "datetime"))) {
        char kp[256];
        join(kp, sizeof(kp), path, "datetime");
        if (r->type != FT_DATETIME && !extra)
            problem(p, x, kp, "'%s' is not a date-time field", target);
        r->xform = FX_DATETIME;
        add_formats(p, r, x, kp, true);
        nx++;
    }
    if ((x = get(p, v, "statute"))) {
        char kp[256];
        join(kp, sizeof(kp), path, "statute");
        if (!plain_bool(x, &b))
            problem(p, x, kp, "must be true or false");
        else if (b && r->type != FT_STRING)
            problem(p, x, kp, "a statute code is text; '%s' is not", target);
        else if (b) {
            r->xform = FX_STATUTE;
            nx++;
        }
    }
    if ((x = get(p, v, "money"))) {
        char kp[256];
        join(kp, sizeof(kp), path, "money");
        const char *s = scalar(p, x, kp);
        if (r->type != FT_INT)
            problem(p, x, kp, "'%s' is not an amount in cents", target);
        else if (s && !strcmp(s, "dollars"))
            r->xform = FX_DOLLARS;
        else if (s && !strcmp(s, "cents"))
            r->xform = FX_CENTS;
        else if (s)
            problem(p, x, kp, "'%s' is not one of dollars | cents", s);
        nx++;
    }
    if (nx > 1)
        problem(p, v, path, "date, datetime, statute and money exclude each other");
}

static void parse_rule(struct mp *p, const yaml_node_t *v, const char *target, bool charge,
                       bool extra, const char *path)
{
    struct cust_map *m = p->m;
    m->rules = cust_xrealloc(m->rules, (m->n_rules + 1) * sizeof(*m->rules));
    struct feed_rule *r = &m->rules[m->n_rules++];
    memset(r, 0, sizeof(*r));
    r->target = xstrdup(target);
    r->map_line = (int)v->start_mark.line + 1;
    r->charge = charge;
    r->extra = extra;
    r->col = -1;
    r->type = FT_STRING;
    const struct feed_target *t = extra ? NULL : feed_target_find(target, charge);
    if (!extra && !t) {
        problem(p, v, path,
                "'%s' is not a custody-JSONL field%s (a source-only field goes under "
                "'extra')",
                target, charge ? " of a charge" : "");
        return;
    }
    if (extra && (!valid_extra_path(target) || feed_target_find(target, charge))) {
        problem(p, v, path,
                feed_target_find(target, charge)
                    ? "'%s' is a custody-JSONL field: map it outside 'extra'"
                    : "'%s' is not a field name (letters, digits, '_', '.' between names)",
                target);
        return;
    }
    if (extra && !extra_fits(p->m, target, charge)) {
        problem(p, v, path, "'%s' collides with another field of the record", target);
        return;
    }
    if (t)
        r->type = t->type;
    const char *src_key = m->format == FEED_XML ? "path" : "column";
    if (v->type == YAML_SCALAR_NODE) {
        const char *s = (const char *)v->data.scalar.value;
        if (!*s)
            problem(p, v, path, "names no %s", src_key);
        r->column = xstrdup(s);
    } else {
        if (!check_keys(p, v, path,
                        "column|path|const|values|default|if_empty|date|datetime|statute|money"))
            return;
        r->column = get_str(p, v, src_key, path);
        const char *other = m->format == FEED_XML ? "column" : "path";
        yaml_node_t *o = get(p, v, other);
        if (o) {
            char kp[256];
            join(kp, sizeof(kp), path, other);
            problem(p, o, kp, "a %s mapping names its source with '%s'",
                    m->format == FEED_XML ? "XML" : "tabular", src_key);
        }
        yaml_node_t *c = get(p, v, "const");
        if (c) {
            char kp[256];
            join(kp, sizeof(kp), path, "const");
            const char *s = scalar(p, c, kp);
            if (s)
                r->constant = xstrdup(s);
        }
        if (!!r->column + !!r->constant != 1 && !o)
            problem(p, v, path, "needs either '%s' or 'const' (not both)", src_key);
        parse_rule_values(p, v, r, t, path);
        yaml_node_t *ie = get(p, v, "if_empty");
        if (ie) {
            char kp[256];
            join(kp, sizeof(kp), path, "if_empty");
            const char *s = scalar(p, ie, kp);
            if (s)
                r->if_empty = xstrdup(s);
        }
        parse_rule_xform(p, v, r, target, extra, path);
    }
    if (m->format == FEED_XML && r->column) {
        xmlXPathCompExprPtr c = xmlXPathCompile((const xmlChar *)r->column);
        if (!c)
            problem(p, v, path, "'%s' is not an XPath expression", r->column);
        r->xpath = c;
    }
}

static void parse_section(struct mp *p, const yaml_node_t *sec, const char *name, bool charge)
{
    if (!check_keys(p, sec, name, NULL))
        return;
    for (yaml_node_pair_t *a = sec->data.mapping.pairs.start; a < sec->data.mapping.pairs.top;
         a++) {
        yaml_node_t *k = node(p, a->key), *v = node(p, a->value);
        if (k->type != YAML_SCALAR_NODE)
            continue;
        const char *key = (const char *)k->data.scalar.value;
        char kp[256];
        join(kp, sizeof(kp), name, key);
        if (charge && !strcmp(key, "each"))
            continue;
        if (!strcmp(key, "extra")) {
            if (!check_keys(p, v, kp, NULL))
                continue;
            for (yaml_node_pair_t *e = v->data.mapping.pairs.start; e < v->data.mapping.pairs.top;
                 e++) {
                yaml_node_t *ek = node(p, e->key);
                if (ek->type != YAML_SCALAR_NODE)
                    continue;
                char ekp[256];
                join(ekp, sizeof(ekp), kp, (const char *)ek->data.scalar.value);
                parse_rule(p, node(p, e->value), (const char *)ek->data.scalar.value, charge, true,
                           ekp);
            }
            continue;
        }
        parse_rule(p, v, key, charge, false, kp);
    }
}

static void parse_input(struct mp *p, const yaml_node_t *in)
{
    struct cust_map *m = p->m;
    if (!in) {
        problem(p, yaml_document_get_root_node(&p->doc), "input", "required");
        return;
    }
    if (!check_keys(p, in, "input",
                    "format|delimiter|header|columns|encoding|booking_key|charge_order|record|"
                    "namespaces"))
        return;
    char *fmt = get_str(p, in, "format", "input");
    if (!fmt)
        problem(p, in, "input.format", "required (csv | tsv | fixed | xml)");
    else if (!strcmp(fmt, "csv"))
        m->format = FEED_CSV;
    else if (!strcmp(fmt, "tsv"))
        m->format = FEED_TSV;
    else if (!strcmp(fmt, "fixed"))
        m->format = FEED_FIXED;
    else if (!strcmp(fmt, "xml"))
        m->format = FEED_XML;
    else
        problem(p, get(p, in, "format"), "input.format",
                "'%s' is not one of csv | tsv | fixed | xml", fmt);
    free(fmt);
    m->delimiter = m->format == FEED_TSV ? '\t' : ',';
    m->header = m->format == FEED_CSV || m->format == FEED_TSV;
    yaml_node_t *v;
    if ((v = get(p, in, "delimiter"))) {
        const char *s = scalar(p, v, "input.delimiter");
        if (m->format != FEED_CSV)
            problem(p, v, "input.delimiter", "only a csv input has a delimiter");
        else if (s && (strlen(s) != 1 || *s == '"' || *s == '\n' || *s == '\r'))
            problem(p, v, "input.delimiter",
                    "must be one character other than a quote or a line end");
        else if (s)
            m->delimiter = *s;
    }
    if ((v = get(p, in, "header"))) {
        if (m->format != FEED_CSV && m->format != FEED_TSV)
            problem(p, v, "input.header", "only csv and tsv inputs have a header row");
        else if (!plain_bool(v, &m->header))
            problem(p, v, "input.header", "must be true or false");
    }
    if ((v = get(p, in, "columns"))) {
        if (m->format == FEED_FIXED) {
            if (check_keys(p, v, "input.columns", NULL)) {
                for (yaml_node_pair_t *a = v->data.mapping.pairs.start;
                     a < v->data.mapping.pairs.top; a++) {
                    yaml_node_t *k = node(p, a->key), *sp = node(p, a->value);
                    char kp[256];
                    join(kp, sizeof(kp), "input.columns", (const char *)k->data.scalar.value);
                    long st = 0, w = 0;
                    bool good = sp->type == YAML_SEQUENCE_NODE &&
                                sp->data.sequence.items.top - sp->data.sequence.items.start == 2;
                    if (good) {
                        const yaml_node_t *a0 = node(p, sp->data.sequence.items.start[0]);
                        const yaml_node_t *a1 = node(p, sp->data.sequence.items.start[1]);
                        char *e0 = NULL, *e1 = NULL;
                        good = a0->type == YAML_SCALAR_NODE && a1->type == YAML_SCALAR_NODE;
                        if (good) {
                            errno = 0;
                            st = strtol((const char *)a0->data.scalar.value, &e0, 10);
                            w = strtol((const char *)a1->data.scalar.value, &e1, 10);
                            good = !errno && !*e0 && !*e1 && st >= 1 && w >= 1 && st < 100000 &&
                                   w < 100000;
                        }
                    }
                    if (!good) {
                        problem(p, sp, kp, "must be [START, WIDTH] (first column is 1)");
                        continue;
                    }
                    m->fixed = cust_xrealloc(m->fixed, (m->n_fixed + 1) * sizeof(*m->fixed));
                    m->fixed[m->n_fixed++] = (struct feed_fixed_col){
                        xstrdup((const char *)k->data.scalar.value), (size_t)st - 1, (size_t)w};
                }
            }
        } else if (m->format == FEED_CSV || m->format == FEED_TSV) {
            if (v->type != YAML_SEQUENCE_NODE) {
                problem(p, v, "input.columns", "must be a list of column names");
            } else {
                for (yaml_node_item_t *i = v->data.sequence.items.start;
                     i < v->data.sequence.items.top; i++) {
                    const char *s = scalar(p, node(p, *i), "input.columns");
                    if (!s)
                        continue;
                    m->columns =
                        cust_xrealloc(m->columns, (m->n_columns + 1) * sizeof(*m->columns));
                    m->columns[m->n_columns++] = xstrdup(s);
                }
            }
        } else {
            problem(p, v, "input.columns", "an XML input names its fields by path");
        }
    }
    if (m->format == FEED_FIXED && !m->n_fixed)
        problem(p, in, "input.columns",
                "a fixed-width input needs its columns as NAME: [START, WIDTH]");
    if ((m->format == FEED_CSV || m->format == FEED_TSV) && !m->header && !m->n_columns)
        problem(p, in, "input.columns", "without a header row the columns must be listed");
    m->encoding = get_str(p, in, "encoding", "input");
    if (m->encoding) {
        for (char *c = m->encoding; *c; c++)
            *c = (char)tolower((unsigned char)*c);
        if (m->format == FEED_XML)
            problem(p, get(p, in, "encoding"), "input.encoding",
                    "an XML file declares its own encoding");
        else if (strcmp(m->encoding, "utf-8") && strcmp(m->encoding, "windows-1252") &&
                 strcmp(m->encoding, "iso-8859-1"))
            problem(p, get(p, in, "encoding"), "input.encoding",
                    "'%s' is not one of utf-8 | windows-1252 | iso-8859-1", m->encoding);
    }
    m->booking_key = get_str(p, in, "booking_key", "input");
    m->charge_key = get_str(p, in, "charge_order", "input");
    m->record = get_str(p, in, "record", "input");
    if (m->format == FEED_XML) {
        if (!m->record)
            problem(p, in, "input.record", "an XML input names the element that is one booking");
        if (m->booking_key || m->charge_key)
            problem(p, in, "input", "booking_key and charge_order are for tabular inputs");
        if ((v = get(p, in, "namespaces")) && check_keys(p, v, "input.namespaces", NULL)) {
            for (yaml_node_pair_t *a = v->data.mapping.pairs.start; a < v->data.mapping.pairs.top;
                 a++) {
                const char *uri = scalar(p, node(p, a->value), "input.namespaces");
                if (!uri)
                    continue;
                m->ns_prefix = cust_xrealloc(m->ns_prefix, (m->n_ns + 1) * sizeof(char *));
                m->ns_uri = cust_xrealloc(m->ns_uri, (m->n_ns + 1) * sizeof(char *));
                m->ns_prefix[m->n_ns] = xstrdup((const char *)node(p, a->key)->data.scalar.value);
                m->ns_uri[m->n_ns++] = xstrdup(uri);
            }
        }
    } else {
        if (m->record)
            problem(p, get(p, in, "record"), "input.record", "only an XML input has records");
        if (get(p, in, "namespaces"))
            problem(p, get(p, in, "namespaces"), "input.namespaces",
                    "only an XML input has namespaces");
    }
}

static void map_check(struct mp *p)
{
    struct cust_map *m = p->m;
    yaml_node_t *root = yaml_document_get_root_node(&p->doc);
    for (size_t i = 0; i < feed_n_booking_targets; i++) {
        if (!feed_booking_targets[i].required)
            continue;
        bool found = false;
        for (size_t r = 0; r < m->n_rules && !found; r++)
            found =
                !m->rules[r].charge && !strcmp(m->rules[r].target, feed_booking_targets[i].path);
        if (!found)
            problem(p, get(p, root, "booking") ? get(p, root, "booking") : root, "booking",
                    "'%s' is required and not mapped", feed_booking_targets[i].path);
    }
    if (m->format != FEED_XML) {
        if (!m->booking_key) {
            for (size_t r = 0; r < m->n_rules; r++)
                if (!m->rules[r].charge && !strcmp(m->rules[r].target, "booking_number") &&
                    m->rules[r].column)
                    m->booking_key = xstrdup(m->rules[r].column);
        }
        if (!m->booking_key)
            problem(p, root, "input.booking_key",
                    "rows are grouped into bookings by a column: name it, or map booking_number "
                    "from one");
    }
    yaml_node_t *ch = get(p, root, "charges");
    yaml_node_t *each = ch ? get(p, ch, "each") : NULL;
    if (each) {
        const char *s = scalar(p, each, "charges.each");
        if (m->format != FEED_XML)
            problem(p, each, "charges.each", "in a tabular input each row is one charge");
        else if (s) {
            m->charge_each = xstrdup(s);
            if (!(m->charge_each_x = xmlXPathCompile((const xmlChar *)s)))
                problem(p, each, "charges.each", "'%s' is not an XPath expression", s);
        }
    } else if (ch && m->format == FEED_XML) {
        problem(p, ch, "charges.each",
                "an XML input names the element of each charge (an XPath "
                "relative to the record)");
    }
}

/* libxml2 reports a bad XPath on stderr by default; the mapping's own problem says it. */
static void xml_quiet(void *arg, xmlErrorPtr e)
{
    (void)arg;
    (void)e;
}

enum cust_status cust_map_parse(const char *label, const char *text, size_t len,
                                struct cust_map **out, struct cust_diag *diag, struct cust_err *err)
{
    *out = NULL;
    xmlSetStructuredErrorFunc(NULL, xml_quiet);
    struct mp p = {.diag = diag};
    yaml_parser_t yp;
    if (!yaml_parser_initialize(&yp))
        return cust_err_set(err, CUST_ENOMEM, "out of memory");
    yaml_parser_set_input_string(&yp, (const unsigned char *)text, len);
    if (!yaml_parser_load(&yp, &p.doc)) {
        char where[32];
        snprintf(where, sizeof(where), "%zu: $", yp.problem_mark.line + 1);
        cust_diag_add(diag, where, "not valid YAML: %s%s%s", yp.problem ? yp.problem : "error",
                      yp.context ? " " : "", yp.context ? yp.context : "");
        yaml_parser_delete(&yp);
        return cust_err_set(err, CUST_EINVAL, "'%s' is not a valid mapping", label);
    }
    yaml_parser_delete(&yp);
    yaml_node_t *root = yaml_document_get_root_node(&p.doc);
    struct cust_map *m = cust_xcalloc(1, sizeof(*m));
    p.m = m;
    m->path = xstrdup(label);
    m->key_col = m->charge_key_col = -1;
    if (!root) {
        cust_diag_add(diag, "1: $", "the mapping is empty");
    } else if (check_keys(&p, root, "",
                          "custodian_mapping|name|input|time_zone|ambiguous_times|feed|booking|"
                          "charges")) {
        yaml_node_t *v = get(&p, root, "custodian_mapping");
        const char *ver = v ? scalar(&p, v, "custodian_mapping") : NULL;
        if (!v)
            problem(&p, root, "custodian_mapping", "required (the format's version: 1)");
        else if (ver && strcmp(ver, "1"))
            problem(&p, v, "custodian_mapping", "version '%s' is not known (this is version 1)",
                    ver);
        m->name = get_str(&p, root, "name", "");
        if (!m->name && !get(&p, root, "name"))
            problem(&p, root, "name", "required (the source's name, e.g. jms-charges)");
        m->time_zone = get_str(&p, root, "time_zone", "");
        if (m->time_zone) {
            struct feed_zone *z;
            struct cust_err e2 = CUST_ERR_INIT;
            if (feed_zone_open(m->time_zone, &z, &e2) != CUST_OK)
                problem(&p, get(&p, root, "time_zone"), "time_zone", "%s", e2.msg);
            else
                feed_zone_free(z);
        }
        if ((v = get(&p, root, "ambiguous_times"))) {
            const char *s = scalar(&p, v, "ambiguous_times");
            if (s && !strcmp(s, "earlier"))
                m->ambiguous = FEED_AMBIG_EARLIER;
            else if (s && !strcmp(s, "later"))
                m->ambiguous = FEED_AMBIG_LATER;
            else if (s && !strcmp(s, "reject"))
                m->ambiguous = FEED_AMBIG_REJECT;
            else if (s)
                problem(&p, v, "ambiguous_times", "'%s' is not one of earlier | later | reject", s);
        }
        if ((v = get(&p, root, "feed")) && check_keys(&p, v, "feed", "snapshot")) {
            yaml_node_t *sn = get(&p, v, "snapshot");
            const char *s = sn ? scalar(&p, sn, "feed.snapshot") : NULL;
            if (s && !strcmp(s, "full"))
                m->snapshot_full = true;
            else if (s && strcmp(s, "delta"))
                problem(&p, sn, "feed.snapshot", "'%s' is not one of full | delta", s);
        }
        parse_input(&p, get(&p, root, "input"));
        yaml_node_t *bk = get(&p, root, "booking");
        if (bk)
            parse_section(&p, bk, "booking", false);
        yaml_node_t *ch = get(&p, root, "charges");
        if (ch)
            parse_section(&p, ch, "charges", true);
        map_check(&p);
    }
    yaml_document_delete(&p.doc);
    if (cust_diag_count(diag)) {
        cust_map_free(m);
        return cust_err_set(err, CUST_EINVAL, "'%s' is not a valid mapping", label);
    }
    feed_tree_build(m);
    *out = m;
    return CUST_OK;
}

enum cust_status cust_map_load(const char *path, struct cust_map **out, struct cust_diag *diag,
                               struct cust_err *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return cust_err_set(err, CUST_EIO, "cannot open '%s': %s", path, strerror(errno));
    struct cust_buf b;
    cust_buf_init(&b, 1u << 20);
    enum cust_status st = cust_buf_read(&b, f);
    fclose(f);
    if (st != CUST_OK) {
        cust_buf_release(&b);
        return cust_err_set(err, st == CUST_ETOOBIG ? st : CUST_EIO, "cannot read '%s'%s", path,
                            st == CUST_ETOOBIG ? ": larger than 1 MiB" : "");
    }
    st = cust_map_parse(path, b.buf, b.len, out, diag, err);
    cust_buf_release(&b);
    return st;
}

static void free_strs(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void cust_map_free(struct cust_map *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n_rules; i++) {
        struct feed_rule *r = &m->rules[i];
        free(r->target);
        free(r->column);
        free(r->constant);
        if (r->xpath)
            xmlXPathFreeCompExpr(r->xpath);
        free_strs(r->from, r->n_values);
        free_strs(r->to, r->n_values);
        free(r->value_default);
        free(r->if_empty);
        free_strs(r->formats, r->n_formats);
    }
    free(m->rules);
    for (size_t i = 0; i < m->n_fixed; i++)
        free(m->fixed[i].name);
    free(m->fixed);
    free_strs(m->columns, m->n_columns);
    free_strs(m->ns_prefix, m->n_ns);
    free_strs(m->ns_uri, m->n_ns);
    if (m->charge_each_x)
        xmlXPathFreeCompExpr(m->charge_each_x);
    free(m->charge_each);
    free(m->record);
    free(m->encoding);
    free(m->booking_key);
    free(m->charge_key);
    free(m->time_zone);
    free(m->name);
    free(m->path);
    feed_tree_free(m->tree);
    free(m);
}

const char *cust_map_name(const struct cust_map *m)
{
    return m->name;
}

bool cust_map_snapshot_full(const struct cust_map *m)
{
    return m->snapshot_full;
}
