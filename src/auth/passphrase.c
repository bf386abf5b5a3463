/* passphrase.c - passphrase policy (length, blocklist, patterns) and Argon2id hashing. */
#include "custodian/compat.h"
#include "custodian/auth.h"

#include <ctype.h>
#include <errno.h>
#include <sodium.h>

/* ---- blocklist: a sorted array of lowercased strings, binary-searched ---------------------- */

struct cust_blocklist {
    char **words;
    size_t len;
    size_t alloc;
    bool sorted;
};

struct cust_blocklist *cust_blocklist_new(void)
{
    struct cust_blocklist *bl = cust_xcalloc(1, sizeof(*bl));
    bl->sorted = true;
    return bl;
}

void cust_blocklist_free(struct cust_blocklist *bl)
{
    if (!bl)
        return;
    for (size_t i = 0; i < bl->len; i++)
        free(bl->words[i]);
    free(bl->words);
    free(bl);
}

static void lower_ascii(char *s)
{
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s - 'A' + 'a');
}

void cust_blocklist_add(struct cust_blocklist *bl, const char *word)
{
    if (bl->len == bl->alloc) {
        bl->alloc = bl->alloc ? bl->alloc * 2 : 256;
        bl->words = cust_xrealloc(bl->words, bl->alloc * sizeof(char *));
    }
    char *w = cust_xstrdup(word);
    lower_ascii(w);
    bl->words[bl->len++] = w;
    bl->sorted = false;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void blocklist_sort(struct cust_blocklist *bl)
{
    if (!bl->sorted) {
        qsort(bl->words, bl->len, sizeof(char *), cmp_str);
        bl->sorted = true;
    }
}

enum cust_status cust_blocklist_load(const char *path, struct cust_blocklist **out,
                                     struct cust_err *err)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return cust_err_set(err, CUST_EIO, "cannot open blocklist '%s': %s", path, strerror(errno));
    struct cust_blocklist *bl = *out ? *out : cust_blocklist_new();
    char line[1024];
    while (fgets(line, sizeof(line), f)) {
        size_t n = strlen(line);
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' '))
            line[--n] = '\0';
        if (n == 0 || line[0] == '#')
            continue;
        cust_blocklist_add(bl, line);
    }
    bool bad = ferror(f);
    fclose(f);
    blocklist_sort(bl);
    *out = bl;
    if (bad)
        return cust_err_set(err, CUST_EIO, "cannot read blocklist '%s'", path);
    return CUST_OK;
}

size_t cust_blocklist_size(const struct cust_blocklist *bl)
{
    return bl ? bl->len : 0;
}

static bool bl_has(const struct cust_blocklist *bl, const char *w)
{
    if (!bl->sorted) {
        for (size_t i = 0; i < bl->len; i++)
            if (strcmp(bl->words[i], w) == 0)
                return true;
        return false;
    }
    return bsearch(&w, bl->words, bl->len, sizeof(char *), cmp_str) != NULL;
}

bool cust_blocklist_contains(const struct cust_blocklist *bl, const char *pass)
{
    if (!bl || !pass)
        return false;
    char *w = cust_xstrdup(pass);
    lower_ascii(w);
    bool hit = bl_has(bl, w);
    if (!hit) {
        /* "passwordpassword1!" counts as "passwordpassword". */
        size_t n = strlen(w);
        while (n && (isdigit((unsigned char)w[n - 1]) || ispunct((unsigned char)w[n - 1])))
            w[--n] = '\0';
        hit = n && bl_has(bl, w);
    }
    free(w);
    return hit;
}

/* ---- the policy ----------------------------------------------------------------------------- */

/* Count code points of valid UTF-8 (no control characters); -1 when invalid. */
static long utf8_chars(const unsigned char *s, size_t len)
{
    long chars = 0;
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        size_t n;
        uint32_t cp;
        if (c < 0x80) {
            if (c < 0x20 || c == 0x7f)
                return -1;
            n = 0;
            cp = c;
        } else if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            cp = c & 0x07;
        } else {
            return -1;
        }
        if (len - i <= n)
            return -1;
        for (size_t k = 1; k <= n; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return -1;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
            (cp >= 0xD800 && cp <= 0xDFFF) || (cp >= 0x80 && cp < 0xA0))
            return -1;
        i += n + 1;
        chars++;
    }
    return chars;
}

/* Is s one unit of length <= n/2 repeated (a trailing partial unit allowed)? */
static bool repeated_unit(const char *s, size_t n)
{
    for (size_t unit = 1; unit <= n / 2; unit++) {
        bool rep = true;
        for (size_t i = unit; i < n && rep; i++)
            rep = s[i] == s[i - unit];
        if (rep)
            return true;
    }
    return false;
}

/* A run where each character is the previous +1 (or -1), digits wrapping 9->0 (0->9). */
static bool sequential_run(const char *s, size_t n)
{
    for (int dir = -1; dir <= 1; dir += 2) {
        bool run = true;
        for (size_t i = 1; i < n && run; i++) {
            int a = (unsigned char)s[i - 1], b = (unsigned char)s[i];
            bool digit_wrap =
                isdigit(a) && isdigit(b) && ((b - '0') - (a - '0') + 10) % 10 == (dir + 10) % 10;
            run = b - a == dir || digit_wrap;
        }
        if (run)
            return true;
    }
    return false;
}

static const char *const keyboard_walks[] = {
    "1234567890qwertyuiopasdfghjklzxcvbnm", "qwertyuiopasdfghjklzxcvbnm",
    "qwertzuiopasdfghjklyxcvbnm",           "azertyuiopqsdfghjklmwxcvbn",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p", "zaq1xsw2cde3vfr4bgt5nhy6mju7ki8lo9p0",
    "qazwsxedcrfvtgbyhnujmikolp",           "!@#$%^&*()_+",
};

static bool keyboard_walk(const char *lower, size_t n)
{
    char rev[CUST_PASS_MAX_BYTES + 1];
    if (n > CUST_PASS_MAX_BYTES)
        return false;
    for (size_t i = 0; i < n; i++)
        rev[i] = lower[n - 1 - i];
    rev[n] = '\0';
    for (size_t k = 0; k < CUST_ARRAY_LEN(keyboard_walks); k++) {
        /* Walks repeated ("qwertyqwertyqwerty") are caught by repeated_unit. */
        if (strstr(keyboard_walks[k], lower) || strstr(keyboard_walks[k], rev))
            return true;
    }
    return false;
}

enum cust_status cust_passphrase_check(const char *pass, const char *username,
                                       const struct cust_blocklist *bl, struct cust_err *err)
{
    if (!pass)
        return cust_err_set(err, CUST_EINVAL, "passphrase: missing");
    size_t n = strlen(pass);
    if (n > CUST_PASS_MAX_BYTES)
        return cust_err_set(err, CUST_EINVAL, "passphrase: longer than %d bytes",
                            CUST_PASS_MAX_BYTES);
    long chars = utf8_chars((const unsigned char *)pass, n);
    if (chars < 0)
        return cust_err_set(err, CUST_EINVAL, "passphrase: invalid UTF-8 or control characters");
    if (chars < CUST_PASS_MIN_CHARS)
        return cust_err_set(err, CUST_EINVAL, "passphrase: shorter than %d characters",
                            CUST_PASS_MIN_CHARS);
    char lower[CUST_PASS_MAX_BYTES + 1];
    memcpy(lower, pass, n + 1);
    lower_ascii(lower);
    if (repeated_unit(lower, n))
        return cust_err_set(err, CUST_EINVAL, "passphrase: a short pattern repeated");
    if (sequential_run(lower, n))
        return cust_err_set(err, CUST_EINVAL, "passphrase: a sequence of characters");
    if (keyboard_walk(lower, n))
        return cust_err_set(err, CUST_EINVAL, "passphrase: a keyboard pattern");
    if (cust_blocklist_contains(bl, pass))
        return cust_err_set(err, CUST_EINVAL, "passphrase: a commonly used password");
    if (username && strlen(username) >= 3) {
        char u[CUST_USER_NAME_MAX];
        snprintf(u, sizeof(u), "%s", username);
        lower_ascii(u);
        if (strstr(lower, u))
            return cust_err_set(err, CUST_EINVAL, "passphrase: contains the account name");
    }
    return CUST_OK;
}

/* ---- Argon2id ------------------------------------------------------------------------------- */

struct cust_pwhash_limits cust_pwhash_interactive(void)
{
    struct cust_pwhash_limits l = {crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                   crypto_pwhash_MEMLIMIT_INTERACTIVE};
    return l;
}

struct cust_pwhash_limits cust_pwhash_min(void)
{
    struct cust_pwhash_limits l = {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};
    return l;
}

enum cust_status cust_passphrase_hash(const char *pass, const struct cust_pwhash_limits *lim,
                                      char out[CUST_PWHASH_STRBYTES], struct cust_err *err)
{
    _Static_assert(CUST_PWHASH_STRBYTES == crypto_pwhash_STRBYTES, "hash string size");
    if (sodium_init() < 0)
        return cust_err_set(err, CUST_EIO, "libsodium failed to initialise");
    struct cust_pwhash_limits l = lim ? *lim : cust_pwhash_interactive();
    if (crypto_pwhash_str_alg(out, pass, strlen(pass), l.ops, l.mem,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        return cust_err_set(err, CUST_ENOMEM, "argon2id: out of memory");
    return CUST_OK;
}

bool cust_passphrase_verify(const char *hash, const char *pass)
{
    if (sodium_init() < 0 || !hash || !pass)
        return false;
    if (strncmp(hash, "$argon2id$", 10) != 0)
        return false;
    return crypto_pwhash_str_verify(hash, pass, strlen(pass)) == 0;
}
