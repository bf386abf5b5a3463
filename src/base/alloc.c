#include "custodian/compat.h"

static void oom(size_t n)
{
    fprintf(stderr, "custodian: out of memory allocating %zu bytes\n", n);
    abort();
}

void *cust_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom(n);
    return p;
}

void *cust_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        oom(n * size);
    return p;
}

void *cust_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        oom(n);
    return q;
}

char *cust_xstrdup(const char *s)
{
    return cust_xstrndup(s, strlen(s));
}

char *cust_xstrndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *p = cust_xmalloc(len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

void cust__assert_fail(const char *expr, const char *file, int line)
{
    fprintf(stderr, "custodian: assertion failed: %s (%s:%d)\n", expr, file, line);
    abort();
}
