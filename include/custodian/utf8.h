/*
 * utf8.h - strict UTF-8 decoding (RFC 3629): no overlong forms, no surrogates,
 * nothing above U+10FFFF. Shared by every parser that takes text from outside
 * (names, passphrases, URLs, import lines).
 */
#ifndef CUSTODIAN_UTF8_H
#define CUSTODIAN_UTF8_H

#include "custodian/compat.h"

/*
 * Decode the code point starting at s[*i] (s holds len bytes, *i < len) into *cp
 * and advance *i past it. Returns false, leaving *i unchanged, on an invalid or
 * truncated sequence.
 */
bool cust_utf8_next(const unsigned char *s, size_t len, size_t *i, uint32_t *cp);

/* True when all len bytes of s are strict UTF-8. */
bool cust_utf8_valid(const unsigned char *s, size_t len);

#endif
