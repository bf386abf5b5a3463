/*
 * note.c - C2SP signed notes with Ed25519 keys, and the key text formats (tlog.h).
 *
 * A signed note is a text ending in a newline, a blank line, then lines
 * "— <key name> <base64(4-byte key ID || signature)>" (c2sp.org/signed-note). The signature is
 * Ed25519 (RFC 8032, libsodium) over the text including its final newline. Keys travel as the
 * Go sumdb/note encodings, so other tools read them: "PRIVATE+KEY+name+id+base64(0x01||seed)"
 * and "name+id+base64(0x01||public key)".
 */
#include "custodian/compat.h"
#include "custodian/buf.h"
#include "custodian/tlog.h"
#include "custodian/utf8.h"

#include <inttypes.h>
#include <sodium.h>

#define ALG_ED25519 0x01
#define MAX_SIGS    100     /* signature lines accepted in one note */
#define MAX_NOTE    1048576 /* bytes of a note */

static const char em_dash[] = "\xe2\x80\x94 "; /* U+2014 then a space */

uint32_t cust_note_key_id(const char *name, const unsigned char pk[32])
{
    struct cust_buf b = CUST_BUF_INIT;
    unsigned char h[CUST_TLOG_HASH];
    char sep[2] = {'\n', ALG_ED25519};
    if (cust_buf_puts(&b, name) != CUST_OK || cust_buf_append(&b, sep, 2) != CUST_OK ||
        cust_buf_append(&b, pk, 32) != CUST_OK)
        cust__assert_fail("key id buffer", __FILE__, __LINE__);
    cust_tlog_sha256(b.buf, b.len, h);
    cust_buf_release(&b);
    return (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
}

/* Unicode White_Space (PropList.txt): what a key name may not contain, with '+'. */
static bool is_space(uint32_t cp)
{
    return (cp >= 0x09 && cp <= 0x0d) || cp == 0x20 || cp == 0x85 || cp == 0xa0 || cp == 0x1680 ||
           (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 || cp == 0x2029 || cp == 0x202f ||
           cp == 0x205f || cp == 0x3000;
}

/* A key name of `len` bytes at `s`. */
static bool name_ok(const char *s, size_t len)
{
    if (len == 0 || len >= CUST_NOTE_NAME_MAX)
        return false;
    size_t i = 0;
    uint32_t cp;
    while (i < len) {
        if (!cust_utf8_next((const unsigned char *)s, len, &i, &cp))
            return false;
        if (cp == '+' || is_space(cp) || cp < 0x20)
            return false;
    }
    return true;
}

bool cust_note_name_ok(const char *name)
{
    return name && name_ok(name, strlen(name));
}

/* base64 (standard, padded) of n bytes: a new heap string. */
static char *b64(const unsigned char *p, size_t n)
{
    size_t cap = sodium_base64_encoded_len(n, sodium_base64_VARIANT_ORIGINAL);
    char *out = cust_xmalloc(cap);
    sodium_bin2base64(out, cap, p, n, sodium_base64_VARIANT_ORIGINAL);
    return out;
}

static bool unb64(const char *s, size_t len, unsigned char *out, size_t cap, size_t *n)
{
    return cust_tlog_unb64(s, len, out, cap, n);
}

static char *key_text(const char *prefix, const char *name, uint32_t id, const unsigned char *key)
{
    unsigned char raw[33];
    raw[0] = ALG_ED25519;
    memcpy(raw + 1, key, 32);
    char *k = b64(raw, sizeof(raw));
    struct cust_buf b = CUST_BUF_INIT;
    if (cust_buf_appendf(&b, "%s%s+%08" PRIx32 "+%s", prefix, name, id, k) != CUST_OK)
        cust__assert_fail("key text", __FILE__, __LINE__);
    free(k);
    sodium_memzero(raw, sizeof(raw));
    return cust_buf_detach(&b, NULL);
}

enum cust_status cust_note_key_generate(const char *name, char **skey, char **vkey,
                                        struct cust_err *err)
{
    *skey = *vkey = NULL;
    if (!cust_note_name_ok(name))
        return cust_err_set(err, CUST_EINVAL,
                            "key name '%s': must be non-empty UTF-8 without spaces or '+'",
                            name ? name : "");
    if (sodium_init() < 0)
        return cust_err_set(err, CUST_EIO, "libsodium could not start");
    unsigned char seed[32], pk[32], sk[64];
    randombytes_buf(seed, sizeof(seed));
    crypto_sign_seed_keypair(pk, sk, seed);
    uint32_t id = cust_note_key_id(name, pk);
    *skey = key_text("PRIVATE+KEY+", name, id, seed);
    *vkey = key_text("", name, id, pk);
    sodium_memzero(seed, sizeof(seed));
    sodium_memzero(sk, sizeof(sk));
    return CUST_OK;
}

/* Split "name+hex8+base64" (after any prefix) into its parts; *key gets the 32 key bytes. */
static enum cust_status parse_key(const char *what, const char *s, size_t len, char *name,
                                  uint32_t *id, unsigned char key[32], struct cust_err *err)
{
    const char *p1 = memchr(s, '+', len);
    if (!p1)
        return cust_err_set(err, CUST_EINVAL, "%s: expected name+id+key", what);
    size_t nlen = (size_t)(p1 - s);
    if (!name_ok(s, nlen))
        return cust_err_set(err, CUST_EINVAL, "%s: bad key name", what);
    memcpy(name, s, nlen);
    name[nlen] = '\0';
    const char *hex = p1 + 1, *end = s + len;
    if (end - hex < 10 || hex[8] != '+')
        return cust_err_set(err, CUST_EINVAL, "%s: the key ID must be 8 hex digits", what);
    uint32_t v = 0;
    for (int i = 0; i < 8; i++) {
        char c = hex[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (d < 0)
            return cust_err_set(err, CUST_EINVAL, "%s: the key ID must be 8 lowercase hex digits",
                                what);
        v = v << 4 | (uint32_t)d;
    }
    *id = v;
    unsigned char raw[64];
    size_t n = 0;
    const char *k = hex + 9;
    if (!unb64(k, (size_t)(end - k), raw, sizeof(raw), &n) || n != 33 || raw[0] != ALG_ED25519) {
        sodium_memzero(raw, sizeof(raw));
        return cust_err_set(err, CUST_EINVAL, "%s: the key must be base64 of 0x01 and 32 bytes",
                            what);
    }
    memcpy(key, raw + 1, 32);
    sodium_memzero(raw, sizeof(raw));
    return CUST_OK;
}

/* The text without surrounding whitespace: its start and length. */
static const char *trim(const char *s, size_t *len)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    while (n && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')) {
        s++;
        n--;
    }
    *len = n;
    return s;
}

enum cust_status cust_note_signer_parse(const char *skey, struct cust_note_signer *out,
                                        struct cust_err *err)
{
    memset(out, 0, sizeof(*out));
    size_t len;
    const char *s = trim(skey, &len);
    static const char prefix[] = "PRIVATE+KEY+";
    if (len < sizeof(prefix) - 1 || memcmp(s, prefix, sizeof(prefix) - 1) != 0)
        return cust_err_set(err, CUST_EINVAL, "signer key: must start with PRIVATE+KEY+");
    unsigned char seed[32], pk[32];
    uint32_t id;
    enum cust_status st = parse_key("signer key", s + sizeof(prefix) - 1,
                                    len - (sizeof(prefix) - 1), out->name, &id, seed, err);
    if (st != CUST_OK)
        return st;
    crypto_sign_seed_keypair(pk, out->sk, seed);
    sodium_memzero(seed, sizeof(seed));
    out->key_id = cust_note_key_id(out->name, pk);
    if (out->key_id != id) {
        sodium_memzero(out, sizeof(*out));
        return cust_err_set(err, CUST_EINVAL, "signer key: the key ID does not match the key");
    }
    return CUST_OK;
}

enum cust_status cust_note_verifier_parse(const char *vkey, struct cust_note_verifier *out,
                                          struct cust_err *err)
{
    memset(out, 0, sizeof(*out));
    size_t len;
    const char *s = trim(vkey, &len);
    uint32_t id;
    enum cust_status st = parse_key("verifier key", s, len, out->name, &id, out->pk, err);
    if (st != CUST_OK)
        return st;
    out->key_id = cust_note_key_id(out->name, out->pk);
    if (out->key_id != id)
        return cust_err_set(err, CUST_EINVAL, "verifier key: the key ID does not match the key");
    return CUST_OK;
}

void cust_note_signer_wipe(struct cust_note_signer *s)
{
    sodium_memzero(s, sizeof(*s));
}

char *cust_note_verifier_text(const struct cust_note_signer *s)
{
    return key_text("", s->name, s->key_id, s->sk + 32);
}

/* Valid UTF-8 without control characters other than newline. */
static bool text_ok(const char *s, size_t len)
{
    if (!cust_utf8_valid((const unsigned char *)s, len))
        return false;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 && s[i] != '\n')
            return false;
    return true;
}

char *cust_note_sign(const char *text, const struct cust_note_signer *s, struct cust_err *err)
{
    size_t len = strlen(text);
    if (len == 0 || text[len - 1] != '\n' || !text_ok(text, len) || len > MAX_NOTE) {
        cust_err_set(err, CUST_EINVAL,
                     "note text: must be UTF-8 ending in a newline, without control characters");
        return NULL;
    }
    unsigned char sig[4 + crypto_sign_BYTES];
    sig[0] = (unsigned char)(s->key_id >> 24);
    sig[1] = (unsigned char)(s->key_id >> 16);
    sig[2] = (unsigned char)(s->key_id >> 8);
    sig[3] = (unsigned char)s->key_id;
    crypto_sign_detached(sig + 4, NULL, (const unsigned char *)text, len, s->sk);
    char *sb = b64(sig, sizeof(sig));
    struct cust_buf b = CUST_BUF_INIT;
    if (cust_buf_append(&b, text, len) != CUST_OK ||
        cust_buf_appendf(&b, "\n%s%s %s\n", em_dash, s->name, sb) != CUST_OK)
        cust__assert_fail("note buffer", __FILE__, __LINE__);
    free(sb);
    return cust_buf_detach(&b, NULL);
}

void cust_note_release(struct cust_note *n)
{
    free(n->text);
    memset(n, 0, sizeof(*n));
}

enum cust_status cust_note_open(const char *data, size_t len, const struct cust_note_verifier *v,
                                struct cust_note *out, struct cust_err *err)
{
    memset(out, 0, sizeof(*out));
    if (len > MAX_NOTE)
        return cust_err_set(err, CUST_EINVAL, "signed note: larger than %d bytes", MAX_NOTE);
    if (!text_ok(data, len))
        return cust_err_set(err, CUST_EINVAL,
                            "signed note: not UTF-8, or a control character other than newline");
    /* the text ends at the last blank line */
    size_t split = SIZE_MAX;
    for (size_t i = len; i >= 2; i--)
        if (data[i - 1] == '\n' && data[i - 2] == '\n') {
            split = i - 1; /* the text is data[0, split) including its final newline */
            break;
        }
    if (split == SIZE_MAX || split == 0)
        return cust_err_set(err, CUST_EINVAL,
                            "signed note: no blank line between the text and the signatures");
    if (len == 0 || data[len - 1] != '\n')
        return cust_err_set(err, CUST_EINVAL, "signed note: must end with a newline");
    const char *p = data + split + 1, *end = data + len;
    if (p >= end)
        return cust_err_set(err, CUST_EINVAL, "signed note: no signature lines");
    int lines = 0, mine = 0;
    bool bad = false;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t ll = (size_t)(nl - p);
        if (++lines > MAX_SIGS)
            return cust_err_set(err, CUST_EINVAL, "signed note: more than %d signatures", MAX_SIGS);
        size_t dl = sizeof(em_dash) - 1;
        if (ll < dl || memcmp(p, em_dash, dl) != 0)
            return cust_err_set(err, CUST_EINVAL,
                                "signed note: signature line %d does not start with an em dash",
                                lines);
        const char *name = p + dl, *sp = memchr(name, ' ', (size_t)(nl - name));
        if (!sp || !name_ok(name, (size_t)(sp - name)))
            return cust_err_set(err, CUST_EINVAL, "signed note: signature line %d: bad key name",
                                lines);
        unsigned char sig[4 + 4096];
        size_t n = 0;
        if (!unb64(sp + 1, (size_t)(nl - sp - 1), sig, sizeof(sig), &n) || n < 5)
            return cust_err_set(err, CUST_EINVAL,
                                "signed note: signature line %d: bad base64 signature", lines);
        uint32_t id =
            (uint32_t)sig[0] << 24 | (uint32_t)sig[1] << 16 | (uint32_t)sig[2] << 8 | sig[3];
        if (v && id == v->key_id && (size_t)(sp - name) == strlen(v->name) &&
            memcmp(name, v->name, (size_t)(sp - name)) == 0) {
            mine++;
            if (n != 4 + crypto_sign_BYTES ||
                crypto_sign_verify_detached(sig + 4, (const unsigned char *)data, split, v->pk) !=
                    0)
                bad = true;
        }
        p = nl + 1;
    }
    if (v && bad)
        return cust_err_set(err, CUST_EINTEGRITY,
                            "signed note: the signature of %s+%08" PRIx32 " does not verify",
                            v->name, v->key_id);
    if (v && !mine)
        return cust_err_set(err, CUST_EINTEGRITY, "signed note: not signed by %s+%08" PRIx32,
                            v->name, v->key_id);
    out->text = cust_xstrndup(data, split);
    out->text_len = split;
    out->signatures = lines;
    out->verified = v != NULL;
    return CUST_OK;
}
