/* arena.c - a per-request bump allocator (h2o req->pool): freed in one go at request end. */
#include "custodian/compat.h"
#include "custodian/http.h"

#define ARENA_CHUNK 4096
#define ARENA_ALIGN 16

struct arena_chunk {
    struct arena_chunk *next;
    size_t used;
    size_t size;
    _Alignas(ARENA_ALIGN) unsigned char data[];
};

struct cust_http_arena {
    struct arena_chunk *head;
};

struct cust_http_arena *cust_http_arena_new(void)
{
    return cust_xcalloc(1, sizeof(struct cust_http_arena));
}

void cust_http_arena_free(struct cust_http_arena *a)
{
    if (!a)
        return;
    struct arena_chunk *c = a->head;
    while (c) {
        struct arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    free(a);
}

void *cust_http_arena_alloc(struct cust_http_arena *a, size_t n)
{
    size_t need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (need < n)
        cust__assert_fail("arena size overflow", __FILE__, __LINE__);
    struct arena_chunk *c = a->head;
    if (!c || c->size - c->used < need) {
        size_t size = need > ARENA_CHUNK / 2 ? need : ARENA_CHUNK;
        c = cust_xmalloc(sizeof(*c) + size);
        c->used = 0;
        c->size = size;
        if (size == need && a->head) {
            /* A large block: keep the current chunk at the head for small allocations. */
            c->next = a->head->next;
            a->head->next = c;
        } else {
            c->next = a->head;
            a->head = c;
        }
    }
    void *p = c->data + c->used;
    c->used += need;
    memset(p, 0, n);
    return p;
}

char *cust_http_arena_strndup(struct cust_http_arena *a, const char *s, size_t n)
{
    char *p = cust_http_arena_alloc(a, n + 1);
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}
