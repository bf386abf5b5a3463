#include "custodian/csv.h"

#include <sys/stat.h>

#define CSV_FILE_MAX (64u << 20)

void cust_csv_open_mem(struct cust_csv *c, const char *data, size_t len)
{
    memset(c, 0, sizeof(*c));
    c->p = data;
    c->end = data + len;
    c->next_line = 1;
    cust_buf_init(&c->store, 0);
}

enum cust_status cust_csv_open_file(struct cust_csv *c, const char *path, struct cust_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return cust_err_set(err, CUST_EIO, "cannot open '%s'", path);
    struct cust_buf b;
    cust_buf_init(&b, CSV_FILE_MAX);
    enum cust_status st = cust_buf_read(&b, f);
    fclose(f);
    if (st) {
        cust_buf_release(&b);
        return cust_err_set(err, st, "cannot read '%s'", path);
    }
    size_t len;
    char *data = cust_buf_detach(&b, &len);
    cust_csv_open_mem(c, data, len);
    c->owned = data;
    return CUST_OK;
}

static void end_field(struct cust_csv *c)
{
    if (c->nfields == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 16;
        c->offsets = cust_xrealloc(c->offsets, c->cap * sizeof(*c->offsets));
    }
    c->offsets[c->nfields++] = c->store.len;
}

enum cust_status cust_csv_next(struct cust_csv *c, struct cust_err *err)
{
    c->nfields = 0;
    cust_buf_reset(&c->store);
    while (c->p < c->end && (*c->p == '\n' || *c->p == '\r')) { /* blank lines are skipped */
        if (*c->p == '\n')
            c->next_line++;
        c->p++;
    }
    if (c->p >= c->end)
        return CUST_OK;
    c->line = c->next_line;
    size_t start = 0;
    enum cust_status st = CUST_OK;
    for (;;) {
        /* one field */
        if (c->p < c->end && *c->p == '"') {
            c->p++;
            for (;;) {
                if (c->p >= c->end)
                    return cust_err_set(err, CUST_EINVAL, "unterminated quoted field");
                char ch = *c->p++;
                if (ch == '"') {
                    if (c->p < c->end && *c->p == '"') {
                        c->p++;
                    } else {
                        break;
                    }
                } else if (ch == '\n') {
                    c->next_line++;
                }
                st = cust_buf_putc(&c->store, ch);
                if (st)
                    return cust_err_set(err, st, "field too large");
            }
            if (c->p < c->end && *c->p != ',' && *c->p != '\n' && *c->p != '\r')
                return cust_err_set(err, CUST_EINVAL, "text after a closing quote");
        } else {
            while (c->p < c->end && *c->p != ',' && *c->p != '\n' && *c->p != '\r') {
                if (*c->p == '"')
                    return cust_err_set(err, CUST_EINVAL, "quote inside unquoted field");
                st = cust_buf_putc(&c->store, *c->p++);
                if (st)
                    return cust_err_set(err, st, "field too large");
            }
        }
        st = cust_buf_putc(&c->store, '\0');
        if (st)
            return cust_err_set(err, st, "field too large");
        end_field(c);
        if (c->p < c->end && *c->p == ',') {
            c->p++;
            continue;
        }
        if (c->p < c->end && *c->p == '\r')
            c->p++;
        if (c->p < c->end && *c->p == '\n')
            c->p++;
        c->next_line++;
        break;
    }
    /* fields point into the buffer, which no longer moves for this record */
    c->fields = cust_xrealloc(c->fields, c->cap * sizeof(*c->fields));
    for (size_t i = 0; i < c->nfields; i++) {
        c->fields[i] = c->store.buf + start;
        start = c->offsets[i];
    }
    return CUST_OK;
}

int cust_csv_column(const struct cust_csv *c, const char *name)
{
    for (size_t i = 0; i < c->nfields; i++)
        if (strcmp(c->fields[i], name) == 0)
            return (int)i;
    return -1;
}

void cust_csv_release(struct cust_csv *c)
{
    cust_buf_release(&c->store);
    free(c->offsets);
    free(c->fields);
    free(c->owned);
    memset(c, 0, sizeof(*c));
}

enum cust_status cust_csv_error(const struct cust_csv *c, const char *name, enum cust_status st,
                                struct cust_err *err)
{
    char reason[CUST_ERR_MSG_MAX];
    snprintf(reason, sizeof(reason), "%s", err && err->msg[0] ? err->msg : "malformed");
    return cust_err_set(err, st, "%s:%zu: malformed CSV: %s", name, c->line, reason);
}
