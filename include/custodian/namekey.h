/*
 * namekey.h - the one Unicode key of a person's name, for search and matching.
 *
 * A name is written many ways: "Mejía", "MEJIA", "mejia", "Mejı́a" (combining accent),
 * "ＭＥＪＩＡ" (full-width). Their key is the same: "mejia". Every place that compares names
 * (the public and staff locators, the console's search and roster, the CLI's roster, the
 * matcher) compares keys made here, never its own folding.
 *
 * The key, built with utf8proc (Unicode data, not a hand-made table):
 *   1. NFKC compatibility composition: full-width and other compatibility forms become their
 *      plain letters (ＡＢＣ -> ABC, ﬁ -> fi);
 *   2. Unicode case folding (MEJÍA -> mejía, ß -> ss, Σ/ς -> σ);
 *   3. marks stripped (Mn, Mc, Me after canonical decomposition: í -> i, ễ -> e, Arabic
 *      harakat, Hebrew points, Japanese (semi-)voiced sound marks);
 *   4. the Latin letters that have no decomposition (ø, ł, đ, æ, þ, ı) spelled in ASCII by
 *      ICU's CLDR "Latin-ASCII" transliterator: Đặng -> dang, Wałęsa -> walesa;
 *   5. apostrophes (', ’, ʼ, `) removed inside a word (O'Brien -> obrien); every other
 *      character that is neither a letter nor a digit (spaces of any kind, hyphens, dashes,
 *      periods, commas, symbols, controls, default-ignorables) is a word break; words are
 *      joined by one ASCII space, none leading or trailing.
 * Letters of every script are kept: "Иванов" -> "иванов", "王小明" -> "王小明",
 * "Ελένη" -> "ελενη". The key is lower case; it is meant to be compared, not shown.
 */
#ifndef CUSTODIAN_NAMEKEY_H
#define CUSTODIAN_NAMEKEY_H

#include "custodian/compat.h"
#include "custodian/status.h"

#define CUST_NAME_KEY_MAX 256 /* bytes of a key, NUL included, for callers with a fixed buffer */

/*
 * Write the key of the `len` bytes at `utf8` to `out` (`cap` bytes, NUL-terminated). Returns
 * CUST_OK; CUST_EINVAL when the input is not strict UTF-8 (utf8.h), `out` then ""; CUST_ETOOBIG
 * when the key does not fit, `out` then holding as many whole characters as fit.
 */
enum cust_status cust_name_key(const char *utf8, size_t len, char *out, size_t cap,
                               struct cust_err *err);

/*
 * True when `utf8` looks like a name someone typed: strict UTF-8, at most `max_chars` characters,
 * each a letter of any script, a combining mark, a space (of any width), a hyphen or dash, an
 * apostrophe or a period. For forms that take a name from the public (the locator).
 */
bool cust_name_plausible(const char *utf8, size_t max_chars);

/* The number of characters (code points) of a key, spaces included. */
size_t cust_name_key_chars(const char *key);

/* True when `key` starts with `prefix` (both keys): "mejia" has the prefix "mej". */
bool cust_name_key_has_prefix(const char *key, const char *prefix);

/* A last name given with this many characters (of its key) or more is searched as a prefix. */
#define CUST_NAME_PREFIX_MIN 3

/*
 * The end of the range of keys that a search for the key `key` finds, for `k >= key AND k < end`
 * (byte order): every key starting with `key` when it has CUST_NAME_PREFIX_MIN characters or
 * more (cust_name_key_upper), else `key` alone (`key` followed by byte 0x01). `end` has `cap`
 * bytes, at least strlen(key) + 2.
 */
void cust_name_key_range(const char *key, char *end, size_t cap);

/*
 * The smallest text above every key starting with `prefix`, for a range scan (`key >= prefix
 * AND key < upper`, byte order): `prefix` with its last character's code point increased by
 * one, so still UTF-8 (a database may refuse other bytes as a parameter). Writes it to `upper`
 * (`cap` bytes; at least strlen(prefix) + 2: the character may take a byte more); "" for an
 * empty prefix (no bound).
 */
void cust_name_key_upper(const char *prefix, char *upper, size_t cap);

/*
 * The display width of UTF-8 text in a terminal's columns (utf8proc_charwidth: CJK and
 * full-width letters take 2, combining marks 0, controls 0). Invalid bytes count 1 each.
 */
size_t cust_text_width(const char *utf8);

/*
 * Copy `utf8` to `out` (`cap` bytes) cut to at most `width` columns (whole characters), padded
 * with spaces to exactly `width` columns when `pad`. Returns the columns written.
 */
size_t cust_text_fit(const char *utf8, size_t width, bool pad, char *out, size_t cap);

#endif
