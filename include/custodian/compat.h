/*
 * compat.h - the first include of every custodian .c file.
 *
 * Sets the feature macros the project builds against (C11 + POSIX 2008),
 * pulls in the few system headers nearly every file needs, and bans the
 * C library functions whose misuse is a classic bug (git's banned.h).
 */
#ifndef CUSTODIAN_COMPAT_H
#define CUSTODIAN_COMPAT_H

#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE 1
#endif

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__)
#define CUST_WARN_UNUSED __attribute__((warn_unused_result))
#define CUST_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define CUST_NORETURN __attribute__((noreturn))
#else
#define CUST_WARN_UNUSED
#define CUST_PRINTF(f, a)
#define CUST_NORETURN
#endif

#define CUST_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Internal allocations abort on exhaustion (client-driven growth is capped elsewhere). */
void *cust_xmalloc(size_t n);
void *cust_xcalloc(size_t n, size_t size);
void *cust_xrealloc(void *p, size_t n);
char *cust_xstrdup(const char *s);
char *cust_xstrndup(const char *s, size_t n);

/* Invariant checks stay on in release builds (redis serverAssert). */
CUST_NORETURN void cust__assert_fail(const char *expr, const char *file, int line);
#define CUST_ASSERT(e) ((e) ? (void)0 : cust__assert_fail(#e, __FILE__, __LINE__))

#ifndef CUST_ALLOW_BANNED
#define CUST_BANNED(func) sorry_##func##_is_a_banned_function
#undef strcpy
#define strcpy(x, y) CUST_BANNED(strcpy)
#undef strcat
#define strcat(x, y) CUST_BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) CUST_BANNED(strncpy)
#undef sprintf
#define sprintf(...) CUST_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) CUST_BANNED(vsprintf)
#undef strtok
#define strtok(x, y) CUST_BANNED(strtok)
#undef gets
#define gets(x) CUST_BANNED(gets)
#undef atoi
#define atoi(x) CUST_BANNED(atoi)
#undef localtime
#define localtime(x) CUST_BANNED(localtime)
#undef gmtime
#define gmtime(x) CUST_BANNED(gmtime)
#endif

#endif
