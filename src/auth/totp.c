/* totp.c - RFC 4226 HOTP / RFC 6238 TOTP with HMAC-SHA1 (nettle), base32, otpauth URIs, and the
 * secrets at rest: crypto_secretbox under a server key file (docs/internals/auth.md). */
#include "custodian/compat.h"
#include "custodian/file.h"
#include "custodian/auth.h"

#include <errno.h>
#include <fcntl.h>
#include <nettle/hmac.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

_Static_assert(CUST_TOTP_SERVER_KEY_BYTES == crypto_secretbox_KEYBYTES, "secretbox key size");
_Static_assert(CUST_TOTP_NONCE_BYTES == crypto_secretbox_NONCEBYTES, "secretbox nonce size");
_Static_assert(CUST_TOTP_BOX_BYTES == CUST_TOTP_KEY_BYTES + crypto_secretbox_MACBYTES,
               "secretbox box size");

uint32_t cust_hotp(const uint8_t *key, size_t keylen, uint64_t counter, unsigned digits)
{
    uint8_t msg[8];
    for (int i = 7; i >= 0; i--) {
        msg[i] = (uint8_t)(counter & 0xff);
        counter >>= 8;
    }
    struct hmac_sha1_ctx ctx;
    uint8_t mac[SHA1_DIGEST_SIZE];
    hmac_sha1_set_key(&ctx, keylen, key);
    hmac_sha1_update(&ctx, sizeof(msg), msg);
    hmac_sha1_digest(&ctx, sizeof(mac), mac);
    sodium_memzero(&ctx, sizeof(ctx));
    unsigned off = mac[SHA1_DIGEST_SIZE - 1] & 0x0f;
    uint32_t bin = ((uint32_t)(mac[off] & 0x7f) << 24) | ((uint32_t)mac[off + 1] << 16) |
                   ((uint32_t)mac[off + 2] << 8) | mac[off + 3];
    uint32_t mod = 1;
    if (digits < 6)
        digits = 6;
    if (digits > 9)
        digits = 9;
    for (unsigned i = 0; i < digits; i++)
        mod *= 10;
    return bin % mod;
}

uint32_t cust_totp(const uint8_t *key, size_t keylen, int64_t unix_time, unsigned step,
                   unsigned digits)
{
    if (unix_time < 0)
        unix_time = 0;
    return cust_hotp(key, keylen, (uint64_t)unix_time / (step ? step : CUST_TOTP_STEP), digits);
}

enum cust_status cust_totp_verify(const uint8_t *key, size_t keylen, const char *code, int64_t now,
                                  int64_t *last_step, struct cust_err *err)
{
    if (!code || strlen(code) != CUST_TOTP_DIGITS)
        return cust_err_set(err, CUST_EINVAL, "code: expected %d digits", CUST_TOTP_DIGITS);
    uint32_t want = 0;
    for (const char *p = code; *p; p++) {
        if (*p < '0' || *p > '9')
            return cust_err_set(err, CUST_EINVAL, "code: expected %d digits", CUST_TOTP_DIGITS);
        want = want * 10 + (uint32_t)(*p - '0');
    }
    int64_t step = (now < 0 ? 0 : now) / CUST_TOTP_STEP;
    /* Check every step in the window (no early exit: same work for hit and miss). */
    int64_t matched = -1;
    for (int64_t d = -CUST_TOTP_WINDOW; d <= CUST_TOTP_WINDOW; d++) {
        int64_t s = step + d;
        if (s < 0)
            continue;
        uint32_t got = cust_hotp(key, keylen, (uint64_t)s, CUST_TOTP_DIGITS);
        if (got == want && s > *last_step && matched < 0)
            matched = s;
    }
    if (matched < 0)
        return cust_err_set(err, CUST_EDENIED, "code: wrong or already used");
    *last_step = matched;
    return CUST_OK;
}

static const char b32_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

size_t cust_base32_encode(const uint8_t *in, size_t n, char *out, size_t outcap)
{
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        acc = (acc << 8) | in[i];
        bits += 8;
        while (bits >= 5) {
            if (o + 1 < outcap)
                out[o++] = b32_alphabet[(acc >> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    if (bits > 0 && o + 1 < outcap)
        out[o++] = b32_alphabet[(acc << (5 - bits)) & 31];
    if (outcap)
        out[o] = '\0';
    return o;
}

enum cust_status cust_base32_decode(const char *s, uint8_t *out, size_t cap, size_t *outlen,
                                    struct cust_err *err)
{
    uint32_t acc = 0;
    int bits = 0;
    size_t o = 0;
    for (; *s; s++) {
        char c = *s;
        int v;
        if (c == '=' || c == ' ' || c == '-')
            continue;
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (c >= 'A' && c <= 'Z')
            v = c - 'A';
        else if (c >= '2' && c <= '7')
            v = c - '2' + 26;
        else
            return cust_err_set(err, CUST_EINVAL, "base32: invalid character '%c'", c);
        acc = (acc << 5) | (uint32_t)v;
        bits += 5;
        if (bits >= 8) {
            if (o == cap)
                return cust_err_set(err, CUST_ETOOBIG, "base32: secret too long");
            out[o++] = (uint8_t)((acc >> (bits - 8)) & 0xff);
            bits -= 8;
        }
    }
    *outlen = o;
    return CUST_OK;
}

void cust_totp_key_new(uint8_t key[CUST_TOTP_KEY_BYTES])
{
    if (sodium_init() < 0)
        cust__assert_fail("sodium_init", __FILE__, __LINE__);
    randombytes_buf(key, CUST_TOTP_KEY_BYTES);
}

static enum cust_status put_escaped(struct cust_buf *out, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        enum cust_status st;
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~')
            st = cust_buf_putc(out, (char)*p);
        else
            st = cust_buf_appendf(out, "%%%02X", *p);
        if (st)
            return st;
    }
    return CUST_OK;
}

enum cust_status cust_totp_uri(const char *user, const uint8_t *key, size_t keylen,
                               struct cust_buf *out)
{
    char b32[128];
    if (keylen > 64)
        return CUST_EINVAL;
    cust_base32_encode(key, keylen, b32, sizeof(b32));
    enum cust_status st = cust_buf_puts(out, "otpauth://totp/custodian:");
    if (!st)
        st = put_escaped(out, user);
    if (!st)
        st = cust_buf_appendf(out, "?secret=%s&issuer=custodian&algorithm=SHA1&digits=%d&period=%d",
                              b32, CUST_TOTP_DIGITS, CUST_TOTP_STEP);
    sodium_memzero(b32, sizeof(b32));
    return st;
}

static void sodium_ready(void)
{
    if (sodium_init() < 0)
        cust__assert_fail("sodium_init", __FILE__, __LINE__);
}

void cust_totp_seal(const uint8_t server_key[CUST_TOTP_SERVER_KEY_BYTES],
                    const uint8_t secret[CUST_TOTP_KEY_BYTES], uint8_t nonce[CUST_TOTP_NONCE_BYTES],
                    uint8_t box[CUST_TOTP_BOX_BYTES])
{
    sodium_ready();
    randombytes_buf(nonce, CUST_TOTP_NONCE_BYTES);
    crypto_secretbox_easy(box, secret, CUST_TOTP_KEY_BYTES, nonce, server_key);
}

enum cust_status cust_totp_open(const uint8_t server_key[CUST_TOTP_SERVER_KEY_BYTES],
                                const uint8_t nonce[CUST_TOTP_NONCE_BYTES],
                                const uint8_t box[CUST_TOTP_BOX_BYTES],
                                uint8_t secret[CUST_TOTP_KEY_BYTES], struct cust_err *err)
{
    sodium_ready();
    if (crypto_secretbox_open_easy(secret, box, CUST_TOTP_BOX_BYTES, nonce, server_key) != 0) {
        sodium_memzero(secret, CUST_TOTP_KEY_BYTES);
        return cust_err_set(err, CUST_EDENIED,
                            "totp secret: cannot decrypt (wrong key file or altered row)");
    }
    return CUST_OK;
}

/* A new key file, on disk (file and folder synced) and whole before any secret is sealed
 * under it: created under a temporary name and linked into place (never replacing one). */
static enum cust_status keyfile_create(const char *path, uint8_t key[CUST_TOTP_SERVER_KEY_BYTES],
                                       struct cust_err *err)
{
    sodium_ready();
    randombytes_buf(key, CUST_TOTP_SERVER_KEY_BYTES);
    struct cust_err e2 = CUST_ERR_INIT;
    enum cust_status st = cust_file_create(path, key, CUST_TOTP_SERVER_KEY_BYTES, 0600, &e2);
    if (st != CUST_OK) {
        sodium_memzero(key, CUST_TOTP_SERVER_KEY_BYTES);
        return cust_err_set(err, st, "key file: %s", e2.msg);
    }
    return CUST_OK;
}

enum cust_status cust_totp_keyfile_load(const char *path, bool create,
                                        uint8_t key[CUST_TOTP_SERVER_KEY_BYTES],
                                        struct cust_err *err)
{
    if (!path || !*path) /* e.g. a PostgreSQL store: no folder to keep the key beside */
        return cust_err_set(err, create ? CUST_EINVAL : CUST_ENOTFOUND,
                            "no key file given (set [store] key_file, CUSTODIAN_KEY_FILE or "
                            "--key-file: a PostgreSQL store has no folder to keep it beside)");
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
        if (create)
            return keyfile_create(path, key, err);
        return cust_err_set(err, CUST_ENOTFOUND, "key file '%s': not found", path);
    }
    if (fd < 0)
        return cust_err_set(err, CUST_EIO, "key file '%s': cannot open: %s", path, strerror(errno));
    struct stat sb;
    enum cust_status st = CUST_OK;
    if (fstat(fd, &sb) != 0)
        st = cust_err_set(err, CUST_EIO, "key file '%s': %s", path, strerror(errno));
    else if (!S_ISREG(sb.st_mode))
        st = cust_err_set(err, CUST_EDENIED, "key file '%s': not a regular file", path);
    else if (sb.st_mode & (S_IRWXG | S_IRWXO))
        st = cust_err_set(
            err, CUST_EDENIED,
            "key file '%s': mode 0%03o gives group or others access (must be 0600); run: chmod 600 "
            "'%s'",
            path, (unsigned)(sb.st_mode & 0777), path);
    else if (sb.st_size != CUST_TOTP_SERVER_KEY_BYTES)
        st = cust_err_set(err, CUST_EINVAL, "key file '%s': expected %d bytes, found %lld", path,
                          CUST_TOTP_SERVER_KEY_BYTES, (long long)sb.st_size);
    size_t done = 0;
    while (st == CUST_OK && done < CUST_TOTP_SERVER_KEY_BYTES) {
        ssize_t n = read(fd, key + done, CUST_TOTP_SERVER_KEY_BYTES - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            st = cust_err_set(err, CUST_EIO, "key file '%s': short read", path);
        else
            done += (size_t)n;
    }
    close(fd);
    if (st != CUST_OK)
        sodium_memzero(key, CUST_TOTP_SERVER_KEY_BYTES);
    return st;
}
