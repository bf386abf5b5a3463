/*
 * checkpoint.c - the C2SP tlog-checkpoint note text: origin, tree size, root hash (tlog.h).
 */
#include "custodian/compat.h"
#include "custodian/buf.h"
#include "custodian/tlog.h"

#include <inttypes.h>

char *cust_checkpoint_format(const struct cust_checkpoint *c)
{
    char root[45];
    cust_tlog_hash_b64(c->root, root);
    struct cust_buf b = CUST_BUF_INIT;
    if (cust_buf_appendf(&b, "%s\n%" PRIu64 "\n%s\n", c->origin, c->size, root) != CUST_OK)
        cust__assert_fail("checkpoint buffer", __FILE__, __LINE__);
    return cust_buf_detach(&b, NULL);
}

enum cust_status cust_checkpoint_parse(const char *text, size_t len, struct cust_checkpoint *out,
                                       struct cust_err *err)
{
    memset(out, 0, sizeof(*out));
    const char *p = text, *end = text + len;
    for (int line = 1; p < end; line++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            return cust_err_set(err, CUST_EINVAL, "checkpoint line %d: no final newline", line);
        size_t n = (size_t)(nl - p);
        if (n == 0)
            return cust_err_set(err, CUST_EINVAL, "checkpoint line %d: empty", line);
        for (size_t i = 0; i < n; i++)
            if ((unsigned char)p[i] < 0x20)
                return cust_err_set(err, CUST_EINVAL, "checkpoint line %d: a control character",
                                    line);
        if (line == 1) {
            if (n >= sizeof(out->origin))
                return cust_err_set(err, CUST_EINVAL, "checkpoint line 1: origin too long");
            memcpy(out->origin, p, n);
        } else if (line == 2) {
            uint64_t v = 0;
            if (n > 20 || (n > 1 && p[0] == '0'))
                return cust_err_set(
                    err, CUST_EINVAL,
                    "checkpoint line 2: tree size: a decimal without leading zeros");
            for (size_t i = 0; i < n; i++) {
                if (p[i] < '0' || p[i] > '9')
                    return cust_err_set(err, CUST_EINVAL,
                                        "checkpoint line 2: tree size: not a "
                                        "decimal number");
                unsigned d = (unsigned)(p[i] - '0');
                if (v > (UINT64_MAX - d) / 10)
                    return cust_err_set(err, CUST_EINVAL, "checkpoint line 2: tree size too large");
                v = v * 10 + d;
            }
            out->size = v;
        } else if (line == 3) {
            size_t got = 0;
            if (!cust_tlog_unb64(p, n, out->root, sizeof(out->root), &got) || got != CUST_TLOG_HASH)
                return cust_err_set(err, CUST_EINVAL,
                                    "checkpoint line 3: root hash: not base64 of 32 bytes");
        } /* extension lines: non-empty, not interpreted */
        p = nl + 1;
        if (p == end && line < 3)
            return cust_err_set(err, CUST_EINVAL,
                                "checkpoint: %d lines; origin, tree size and root hash needed",
                                line);
    }
    if (len == 0)
        return cust_err_set(err, CUST_EINVAL, "checkpoint: empty");
    return CUST_OK;
}
