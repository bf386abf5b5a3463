/*
 * match_internal.h - helpers shared by the files of src/match (not public API).
 */
#ifndef CUSTODIAN_MATCH_INTERNAL_H
#define CUSTODIAN_MATCH_INTERNAL_H

#include "custodian/match.h"

/* A dob as y*10000 + m*100 + d (m or d 0 when unknown); 0 = missing or unparsable. */
uint32_t cust__dob_pack(const char *s);
enum cust_dob_level cust__dob_compare_packed(uint32_t a, uint32_t b);

/* Bit g set when `name` (standardised) is in nickname group g; 0 when in none. */
uint64_t cust__nickname_groups(const char *name);
/* The names of the groups in `mask` (pointers into static text, not NUL-terminated at lens[k]). */
size_t cust__nickname_variants(uint64_t mask, const char **out, size_t *lens, size_t cap);

#endif
