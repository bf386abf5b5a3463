/* gen_names.h - embedded name and place lists for the generator (internal to src/gen). */
#ifndef CUSTODIAN_GEN_NAMES_H
#define CUSTODIAN_GEN_NAMES_H

#include "custodian/compat.h"

struct gen_list {
    const char *const *v;
    size_t n;
};

/* One origin group: surnames, male and female given names, a birth country. */
struct gen_group {
    const char *name;
    unsigned weight; /* share of the jail population, per mille */
    struct gen_list last, male, female;
    const char *country;              /* ISO 3166 alpha-2 birth country of the foreign-born */
    const char *const *alt_countries; /* other birth countries (NULL-terminated) or NULL */
    unsigned foreign_born;            /* per mille born abroad */
};

extern const struct gen_group gen_groups[];
extern const size_t gen_group_count;

extern const struct gen_list gen_streets, gen_street_types, gen_agencies;

struct gen_city {
    const char *name;
    unsigned zip_lo, zip_hi;
    unsigned weight;
};
extern const struct gen_city gen_cities[];
extern const size_t gen_city_count;

struct gen_court {
    const char *prefix; /* felony case number prefix, e.g. "BA" */
    const char *name;   /* "CCB" */
};
extern const struct gen_court gen_courts[];
extern const size_t gen_court_count;

/* Nickname for an alias ("JOSE" -> "JOE"), or NULL. */
const char *gen_nickname(const char *first);

#endif
