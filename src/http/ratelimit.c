/*
 * ratelimit.c - per-key (client IP) token buckets in a fixed-size table.
 *
 * Open addressing with a probe window of PROBE slots; the key hash is keyed SipHash
 * (crypto_shorthash with a random key) so clients cannot aim many IPs at one window. When every
 * slot of the window holds another key, the one seen least recently is evicted: a bucket untouched
 * for burst/rate seconds is full again anyway, so evicting the stalest loses the least state.
 * One mutex guards the table: a take is a hash, a few compares and arithmetic.
 */
#include "custodian/compat.h"
#include "custodian/http.h"

#include <pthread.h>
#include <sodium.h>

#define PROBE   8
#define KEY_MAX 64

struct bucket {
    char key[KEY_MAX]; /* "" = free */
    double tokens;
    int64_t last_us;
};

struct cust_ratelimit {
    pthread_mutex_t lock;
    double rate;
    double burst;
    size_t slots;
    unsigned char hkey[crypto_shorthash_KEYBYTES];
    struct bucket *table;
};

struct cust_ratelimit *cust_ratelimit_new(double rate, double burst, size_t slots)
{
    if (sodium_init() < 0)
        return NULL;
    struct cust_ratelimit *rl = cust_xcalloc(1, sizeof(*rl));
    rl->rate = rate > 0 ? rate : 1;
    rl->burst = burst >= 1 ? burst : 1;
    rl->slots = slots < PROBE ? PROBE : slots;
    rl->table = cust_xcalloc(rl->slots, sizeof(struct bucket));
    randombytes_buf(rl->hkey, sizeof(rl->hkey));
    pthread_mutex_init(&rl->lock, NULL);
    return rl;
}

void cust_ratelimit_free(struct cust_ratelimit *rl)
{
    if (!rl)
        return;
    pthread_mutex_destroy(&rl->lock);
    free(rl->table);
    free(rl);
}

bool cust_ratelimit_take(struct cust_ratelimit *rl, const char *key, int64_t now_us,
                         unsigned *retry_after_s)
{
    char k[KEY_MAX];
    snprintf(k, sizeof(k), "%s", key && *key ? key : "?");
    unsigned char h[crypto_shorthash_BYTES];
    crypto_shorthash(h, (const unsigned char *)k, strlen(k), rl->hkey);
    uint64_t hv;
    memcpy(&hv, h, sizeof(hv));
    size_t start = (size_t)(hv % rl->slots);

    pthread_mutex_lock(&rl->lock);
    struct bucket *b = NULL, *free_slot = NULL, *stalest = NULL;
    for (size_t i = 0; i < PROBE; i++) {
        struct bucket *c = &rl->table[(start + i) % rl->slots];
        if (c->key[0] == '\0') {
            if (!free_slot)
                free_slot = c;
            continue;
        }
        if (strcmp(c->key, k) == 0) {
            b = c;
            break;
        }
        if (!stalest || c->last_us < stalest->last_us)
            stalest = c;
    }
    if (!b) {
        b = free_slot ? free_slot : stalest;
        memcpy(b->key, k, strlen(k) + 1);
        b->tokens = rl->burst;
        b->last_us = now_us;
    }
    if (now_us > b->last_us) {
        b->tokens += (double)(now_us - b->last_us) / 1e6 * rl->rate;
        if (b->tokens > rl->burst)
            b->tokens = rl->burst;
        b->last_us = now_us;
    }
    bool ok = b->tokens >= 1.0;
    if (ok) {
        b->tokens -= 1.0;
    } else if (retry_after_s) {
        double wait = (1.0 - b->tokens) / rl->rate;
        unsigned s = (unsigned)wait;
        *retry_after_s = (double)s < wait ? s + 1 : s;
        if (*retry_after_s == 0)
            *retry_after_s = 1;
    }
    pthread_mutex_unlock(&rl->lock);
    return ok;
}
