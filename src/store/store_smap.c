/*
 * store_smap.c - a set of strings with an int64 each (store_smap.h).
 */
#include "custodian/compat.h"
#include "store_smap.h"

static uint64_t smap_hash(const char *k)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *k; k++)
        h = (h ^ (unsigned char)*k) * 1099511628211ull;
    return h ? h : 1;
}

/* The slot for `k` (empty when absent). */
static struct cust_smap_slot *smap_find(const struct cust_smap *m, const char *k, uint64_t h)
{
    size_t i = (size_t)h & (m->cap - 1);
    while (m->slot[i].hash && (m->slot[i].hash != h || strcmp(m->arena + m->slot[i].off, k) != 0))
        i = (i + 1) & (m->cap - 1);
    return &m->slot[i];
}

bool cust_smap_get(const struct cust_smap *m, const char *k, int64_t *val)
{
    if (!m->cap)
        return false;
    const struct cust_smap_slot *sl = smap_find(m, k, smap_hash(k));
    if (!sl->hash)
        return false;
    if (val)
        *val = sl->val;
    return true;
}

static void grow(struct cust_smap *m)
{
    struct cust_smap old = *m;
    m->cap = old.cap ? old.cap * 2 : 4096;
    m->slot = cust_xcalloc(m->cap, sizeof(*m->slot));
    for (size_t i = 0; i < old.cap; i++) {
        if (!old.slot[i].hash)
            continue;
        size_t j = (size_t)old.slot[i].hash & (m->cap - 1);
        while (m->slot[j].hash)
            j = (j + 1) & (m->cap - 1);
        m->slot[j] = old.slot[i];
    }
    free(old.slot);
}

void cust_smap_put(struct cust_smap *m, const char *k, int64_t val)
{
    if ((m->n + 1) * 4 > m->cap * 3)
        grow(m);
    uint64_t h = smap_hash(k);
    struct cust_smap_slot *sl = smap_find(m, k, h);
    if (sl->hash) {
        sl->val = val;
        return;
    }
    size_t kl = strlen(k) + 1;
    if (m->alen + kl > m->acap) {
        m->acap = (m->alen + kl) * 2 > 65536 ? (m->alen + kl) * 2 : 65536;
        m->arena = cust_xrealloc(m->arena, m->acap);
    }
    memcpy(m->arena + m->alen, k, kl);
    sl->hash = h;
    sl->off = m->alen;
    sl->val = val;
    m->alen += kl;
    m->n++;
}

void cust_smap_release(struct cust_smap *m)
{
    free(m->slot);
    free(m->arena);
    memset(m, 0, sizeof(*m));
}
