/*
 * table.c - offense tables (CSV) and the statute-code dictionary.
 *
 * Every table a policy declares is keyed by statute code. All keys of all
 * tables go into one open-addressing hash so that a conviction's code is
 * looked up once and yields its row in every table (docs/internals/policy.md).
 */
#include "custodian/compat.h"

#include "custodian/statute.h"
#include "policy_int.h"

#include <ctype.h>

/* Strip the last "(...)" group or "/..." part; false when nothing is left to strip. */
static bool code_strip(char *code)
{
    size_t n = strlen(code);
    if (n && code[n - 1] == ')') {
        char *open = strrchr(code, '(');
        if (open && open > code) {
            *open = '\0';
            return true;
        }
    }
    char *slash = strrchr(code, '/');
    if (slash && slash > code) {
        *slash = '\0';
        return true;
    }
    return false;
}

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static struct pi_code *code_slot(struct cust_policy *p, const char *code, bool create)
{
    if (create && (p->ncodes + 1) * 2 > p->ncodes_cap) {
        size_t ncap = p->ncodes_cap ? p->ncodes_cap * 2 : 256;
        struct pi_code *nc = cust_xcalloc(ncap, sizeof(*nc));
        for (size_t i = 0; i < p->ncodes_cap; i++) {
            if (!p->codes[i].code)
                continue;
            size_t j = hash_str(p->codes[i].code) & (ncap - 1);
            while (nc[j].code)
                j = (j + 1) & (ncap - 1);
            nc[j] = p->codes[i];
        }
        free(p->codes);
        p->codes = nc;
        p->ncodes_cap = ncap;
    }
    if (!p->ncodes_cap)
        return NULL;
    size_t j = hash_str(code) & (p->ncodes_cap - 1);
    while (p->codes[j].code) {
        if (strcmp(p->codes[j].code, code) == 0)
            return &p->codes[j];
        j = (j + 1) & (p->ncodes_cap - 1);
    }
    if (!create)
        return NULL;
    p->codes[j].code = cust_xstrdup(code);
    for (size_t t = 0; t < PI_MAX_TABLES; t++) {
        p->codes[j].row[t] = -1;
        p->codes[j].bare[t] = -1;
    }
    p->ncodes++;
    return &p->codes[j];
}

const struct pi_code *pi_code_lookup(const struct cust_policy *p, const char *code, bool *exact)
{
    char buf[PI_CODE_MAX];
    size_t n = strlen(code);
    *exact = true;
    if (n >= sizeof(buf) || !p->ncodes_cap)
        return NULL;
    memcpy(buf, code, n + 1);
    for (;;) {
        const struct pi_code *e = code_slot((struct cust_policy *)p, buf, false);
        if (e)
            return e;
        if (!code_strip(buf))
            return NULL;
        *exact = false;
    }
}

int pi_value_intern(struct cust_policy *p, const char *v)
{
    for (size_t i = 0; i < p->nvalues; i++)
        if (strcmp(p->values[i], v) == 0)
            return (int)i;
    if (p->nvalues >= PI_MAX_VALUES)
        return -1;
    p->values[p->nvalues] = cust_xstrdup(v);
    return (int)p->nvalues++;
}

int pi_table_col(const struct pi_table *t, const char *name)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (strcmp(t->colnames[i], name) == 0)
            return (int)i;
    return -1;
}

static void bput(struct cust_buf *b, char c)
{
    if (cust_buf_putc(b, c))
        abort(); /* uncapped buffer: only fails on OOM, which aborts anyway */
}

/* Parse one CSV record (RFC 4180) starting at *pos; fields appended to *f. */
static bool csv_record(const char *s, size_t len, size_t *pos, char ***f, size_t *nf)
{
    size_t i = *pos;
    *nf = 0;
    if (i >= len)
        return false;
    size_t cap = 0;
    for (;;) {
        struct cust_buf b = CUST_BUF_INIT;
        if (i < len && s[i] == '"') {
            i++;
            while (i < len) {
                if (s[i] == '"') {
                    if (i + 1 < len && s[i + 1] == '"') {
                        bput(&b, '"');
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                bput(&b, s[i++]);
            }
        }
        while (i < len && s[i] != ',' && s[i] != '\n' && s[i] != '\r')
            bput(&b, s[i++]);
        if (*nf == cap) {
            cap = cap ? cap * 2 : 16;
            *f = cust_xrealloc(*f, cap * sizeof(char *));
        }
        (*f)[(*nf)++] = cust_buf_detach(&b, NULL);
        if (i < len && s[i] == ',') {
            i++;
            continue;
        }
        while (i < len && (s[i] == '\r' || s[i] == '\n'))
            i++;
        break;
    }
    *pos = i;
    return true;
}

static uint8_t tri_of(const char *v)
{
    if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0)
        return TRI_T;
    if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0)
        return TRI_F;
    return TRI_U;
}

enum cust_status pi_table_load(struct cust_policy *p, const char *dir, const char *name,
                               const char *file, const char *keycol, struct cust_err *err)
{
    if (p->ntables >= PI_MAX_TABLES)
        return cust_err_set(err, CUST_EINVAL, "too many tables (max %d)", PI_MAX_TABLES);
    if (!dir)
        return cust_err_set(err, CUST_EINVAL, "table '%s': no policy directory", name);
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return cust_err_set(err, CUST_ENOTFOUND, "table '%s': cannot open '%s'", name, path);
    struct cust_buf b = CUST_BUF_INIT;
    enum cust_status rs = cust_buf_read(&b, fp);
    fclose(fp);
    if (rs != CUST_OK) {
        cust_buf_release(&b);
        return cust_err_set(err, rs, "table '%s': cannot read '%s'", name, path);
    }

    struct pi_table *t = &p->tables[p->ntables];
    memset(t, 0, sizeof(*t));
    t->name = cust_xstrdup(name);
    t->file = cust_xstrdup(file);
    size_t pos = 0;
    char **f = NULL;
    size_t nf = 0;
    if (!csv_record(b.buf, b.len, &pos, &f, &nf) || nf == 0) {
        cust_buf_release(&b);
        free(f);
        return cust_err_set(err, CUST_EINVAL, "table '%s': empty file '%s'", name, file);
    }
    t->ncols = nf;
    t->colnames = f;
    f = NULL;
    p->ntables++; /* owned by p from here on, freed with it */
    int key = pi_table_col(t, keycol);
    if (key < 0) {
        cust_buf_release(&b);
        return cust_err_set(err, CUST_EINVAL, "table '%s': no column '%s'", name, keycol);
    }
    size_t arows = 0;
    while (csv_record(b.buf, b.len, &pos, &f, &nf)) {
        if (nf == 1 && f[0][0] == '\0') {
            free(f[0]);
            continue;
        }
        if (t->nrows == arows) {
            arows = arows ? arows * 2 : 64;
            t->cells = cust_xrealloc(t->cells, arows * t->ncols * sizeof(char *));
        }
        for (size_t c = 0; c < t->ncols; c++)
            t->cells[t->nrows * t->ncols + c] = c < nf ? f[c] : cust_xstrdup("");
        for (size_t c = t->ncols; c < nf; c++)
            free(f[c]);
        t->nrows++;
    }
    free(f);
    cust_buf_release(&b);
    if (t->nrows > 30000)
        return cust_err_set(err, CUST_EINVAL, "table '%s': too many rows", name);
    t->nreal = t->nrows;
    t->tri = cust_xcalloc(t->nrows * t->ncols + 1, 1);
    t->setv = cust_xcalloc(t->nrows * t->ncols + 1, sizeof(uint64_t));
    t->setm = cust_xcalloc(t->nrows * t->ncols + 1, sizeof(uint64_t));
    t->setfrom = cust_xcalloc(t->nrows * t->ncols + 1, sizeof(int32_t));
    for (size_t r = 0; r < t->nrows; r++)
        for (size_t c = 0; c < t->ncols; c++)
            t->tri[r * t->ncols + c] = tri_of(t->cells[r * t->ncols + c]);

    /* index keys: one cell may list several codes separated by ';' */
    size_t ti = p->ntables - 1;
    for (size_t r = 0; r < t->nrows; r++) {
        const char *cell = t->cells[r * t->ncols + (size_t)key];
        const char *s = cell;
        while (*s) {
            const char *e = strchr(s, ';');
            size_t l = e ? (size_t)(e - s) : strlen(s);
            char raw[PI_CODE_MAX], norm[PI_CODE_MAX];
            if (l > 0 && l < sizeof(raw)) {
                memcpy(raw, s, l);
                raw[l] = '\0';
                if (cust_statute_code(raw, norm, sizeof(norm))) {
                    struct pi_code *en = code_slot(p, norm, true);
                    if (en->row[ti] < 0)
                        en->row[ti] = (int16_t)r;
                    /* every less specific prefix is "partial" unless itself an entry */
                    while (code_strip(norm)) {
                        struct pi_code *pe = code_slot(p, norm, true);
                        if (pe->row[ti] == -1)
                            pe->row[ti] = -2;
                    }
                }
            }
            if (!e)
                break;
            s = e + 1;
        }
    }
    return CUST_OK;
}

/* Append one row to table t: the values every row in `rows` agrees on (a column that
 * disagrees is unknown). Returns its index. */
static int16_t bare_row(struct pi_table *tb, const size_t *rows, size_t nr)
{
    size_t r = tb->nrows++;
    tb->cells = cust_xrealloc(tb->cells, tb->nrows * tb->ncols * sizeof(char *));
    tb->tri = cust_xrealloc(tb->tri, tb->nrows * tb->ncols + 1);
    tb->setv = cust_xrealloc(tb->setv, (tb->nrows * tb->ncols + 1) * sizeof(uint64_t));
    tb->setm = cust_xrealloc(tb->setm, (tb->nrows * tb->ncols + 1) * sizeof(uint64_t));
    tb->setfrom = cust_xrealloc(tb->setfrom, (tb->nrows * tb->ncols + 1) * sizeof(int32_t));
    for (size_t c = 0; c < tb->ncols; c++) {
        const char *first = tb->cells[rows[0] * tb->ncols + c];
        bool same = true;
        for (size_t k = 1; k < nr && same; k++)
            same = strcmp(tb->cells[rows[k] * tb->ncols + c], first) == 0;
        tb->cells[r * tb->ncols + c] = cust_xstrdup(same ? first : "");
        tb->tri[r * tb->ncols + c] = same ? tb->tri[rows[0] * tb->ncols + c] : TRI_U;
        tb->setv[r * tb->ncols + c] = same ? tb->setv[rows[0] * tb->ncols + c] : 0;
        tb->setm[r * tb->ncols + c] = same ? tb->setm[rows[0] * tb->ncols + c] : 0;
        tb->setfrom[r * tb->ncols + c] = same ? tb->setfrom[rows[0] * tb->ncols + c] : INT32_MIN;
    }
    return (int16_t)r;
}

/* A bare section of a `bare_sections` table ("PC 187" when the table has "PC 187(a)"): one
 * row holding what every subdivision row of the section agrees on (issue 8 item 12). Called
 * after the set columns are interned, so agreement covers them too. */
void pi_tables_bare_rows(struct cust_policy *p)
{
    size_t *rows = NULL;
    for (size_t t = 0; t < p->ntables; t++) {
        struct pi_table *tb = &p->tables[t];
        if (!tb->bare_sections || tb->nrows != tb->nreal)
            continue;
        rows = cust_xrealloc(rows, (tb->nreal + 1) * sizeof(size_t));
        for (size_t i = 0; i < p->ncodes_cap; i++) {
            struct pi_code *e = &p->codes[i];
            if (!e->code || e->row[t] != -2)
                continue;
            size_t nr = 0, l = strlen(e->code);
            for (size_t j = 0; j < p->ncodes_cap; j++) {
                const struct pi_code *o = &p->codes[j];
                if (!o->code || o->row[t] < 0 || strncmp(o->code, e->code, l) != 0 ||
                    (o->code[l] != '(' && o->code[l] != '/'))
                    continue;
                bool dup = false;
                for (size_t k = 0; k < nr && !dup; k++)
                    dup = rows[k] == (size_t)o->row[t];
                if (!dup && nr < tb->nreal)
                    rows[nr++] = (size_t)o->row[t];
            }
            if (nr)
                e->bare[t] = bare_row(tb, rows, nr);
        }
    }
    free(rows);
}

/* After all tables: resolve each dictionary entry's rows through less specific codes, so
 * "PC 245(a)(1)" (a key of one table) finds "PC 245" in another table. */
void pi_tables_finish(struct cust_policy *p)
{
    for (size_t i = 0; i < p->ncodes_cap; i++) {
        struct pi_code *e = &p->codes[i];
        if (!e->code)
            continue;
        for (size_t t = 0; t < p->ntables; t++) {
            if (e->row[t] != -1)
                continue;
            char buf[PI_CODE_MAX];
            snprintf(buf, sizeof(buf), "%s", e->code);
            while (code_strip(buf)) {
                const struct pi_code *pe = code_slot(p, buf, false);
                if (pe && pe->row[t] >= 0) {
                    e->row[t] = pe->row[t];
                    break;
                }
            }
        }
    }
}
