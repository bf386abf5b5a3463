#include "custodian/diag.h"

#include <stdarg.h>

void cust_diag_add(struct cust_diag *d, const char *path, const char *fmt, ...)
{
    if (d->n >= CUST_DIAG_MAX) {
        d->dropped++;
        return;
    }
    char reason[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof(reason), fmt, ap);
    va_end(ap);
    size_t len = strlen(path) + strlen(reason) + 3;
    char *line = cust_xmalloc(len);
    snprintf(line, len, "%s: %s", path, reason);
    d->lines = cust_xrealloc(d->lines, (d->n + 1) * sizeof(*d->lines));
    d->lines[d->n++] = line;
}

size_t cust_diag_count(const struct cust_diag *d)
{
    return d->n + d->dropped;
}

void cust_diag_print(const struct cust_diag *d, FILE *f, const char *prefix)
{
    for (size_t i = 0; i < d->n; i++)
        fprintf(f, "%s%s\n", prefix ? prefix : "", d->lines[i]);
    if (d->dropped)
        fprintf(f, "%s... and %zu more problems\n", prefix ? prefix : "", d->dropped);
}

void cust_diag_release(struct cust_diag *d)
{
    for (size_t i = 0; i < d->n; i++)
        free(d->lines[i]);
    free(d->lines);
    d->lines = NULL;
    d->n = 0;
    d->dropped = 0;
}
