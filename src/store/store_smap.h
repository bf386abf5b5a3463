/*
 * store_smap.h - a set of strings with an int64 each, for a bulk load's in-memory lookups
 * (private to src/store): open addressing, FNV-1a, keys copied into one growing arena.
 */
#ifndef CUSTODIAN_STORE_SMAP_H
#define CUSTODIAN_STORE_SMAP_H

#include "custodian/compat.h"

struct cust_smap {
    struct cust_smap_slot {
        uint64_t hash; /* 0 = empty */
        size_t off;    /* key offset in arena */
        int64_t val;
    } * slot;
    size_t cap, n;
    char *arena;
    size_t alen, acap;
};

/* Whether `k` is in the map; its value in *val (when val is not NULL). */
bool cust_smap_get(const struct cust_smap *m, const char *k, int64_t *val);
/* Set k's value (adding k when absent). */
void cust_smap_put(struct cust_smap *m, const char *k, int64_t val);
/* Free everything; the map is empty and usable again. */
void cust_smap_release(struct cust_smap *m);

#endif
