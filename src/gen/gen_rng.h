/*
 * gen_rng.h - the generator's PRNG (module-private, shared by gen.c and gen_requests.c):
 * splitmix64 to seed, xoshiro256** to draw. Deterministic by construction: never rand().
 * Each use draws from its own (seed, stream, index) so adding draws in one place never
 * shifts another's output.
 */
#ifndef CUSTODIAN_GEN_RNG_H
#define CUSTODIAN_GEN_RNG_H

#include "custodian/compat.h"

#include <math.h>

struct rng {
    uint64_t s[4];
};

static inline uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline void rng_seed(struct rng *r, uint64_t seed, uint64_t stream, uint64_t index)
{
    uint64_t x = seed;
    x = splitmix64(&x) ^ (stream * 0xd1342543de82ef95ULL);
    x = splitmix64(&x) ^ index;
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t rng_next(struct rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Uniform in [0, n) (n > 0), by multiply-shift (Lemire), bias negligible for our n. */
static inline uint32_t rng_below(struct rng *r, uint32_t n)
{
    return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform in [lo, hi]. */
static inline int32_t rng_range(struct rng *r, int32_t lo, int32_t hi)
{
    return lo + (int32_t)rng_below(r, (uint32_t)(hi - lo + 1));
}

/* Uniform in [0, 1). */
static inline double rng_unit(struct rng *r)
{
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* True with probability per_mille / 1000. */
static inline bool rng_chance(struct rng *r, unsigned per_mille)
{
    return rng_below(r, 1000) < per_mille;
}

/* Exponential with the given mean. */
static inline double rng_exp(struct rng *r, double mean)
{
    return -log(1.0 - rng_unit(r)) * mean;
}

#endif
