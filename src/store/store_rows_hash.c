/*
 * store_rows_hash.c - a covered row's content hash (store_rows.h cust_row_hash; docs/internals/
 * ledger.md "Rows"): SHA-256 over the canonical encoding of "custodian-row-v1", the table's name
 * and the row's values, each field as the ledger encodes one (cust_ledger_enc_*: its length as 8
 * big-endian bytes, then its bytes; integers in decimal (cust_dec), reals as %.17g; NULL is the
 * length 2^64-1). Here, beside the rows, so that a backend can hash a row it writes without
 * reading it back (a bulk load's booking versions) and the ledger hashes every other row the
 * same way.
 */
#include "custodian/compat.h"
#include "custodian/buf.h"
#include "custodian/store_rows.h"

#include <inttypes.h>
#include <nettle/sha2.h>

static void feed_len(struct sha256_ctx *c, uint64_t n)
{
    unsigned char len[8];
    for (int i = 0; i < 8; i++)
        len[i] = (unsigned char)(n >> (56 - 8 * i));
    sha256_update(c, 8, len);
}

/* One field: length then bytes; NULL is the length 2^64-1. */
static void feed(struct sha256_ctx *c, const struct cust_val *v)
{
    char t[40];
    const char *p = t;
    size_t n;
    switch (v->kind) {
    case CUST_VAL_NULL:
        feed_len(c, UINT64_MAX);
        return;
    case CUST_VAL_INT: /* decimal, as "%" PRId64 writes it */
        p = cust_dec(v->i, t);
        n = (size_t)(t + CUST_DEC_MAX - p);
        break;
    case CUST_VAL_REAL:
        n = (size_t)snprintf(t, sizeof(t), "%.17g", v->r);
        break;
    default:
        feed_len(c, v->len);
        sha256_update(c, v->len, v->p);
        return;
    }
    feed_len(c, (uint64_t)n);
    sha256_update(c, n, (const uint8_t *)p);
}

void cust_row_hash(const struct cust_row *r, unsigned char out[CUST_ROW_HASH])
{
    if (r->hash) {
        memcpy(out, r->hash, CUST_ROW_HASH);
        return;
    }
    const struct cust_row_table *t = cust_store_row_tables(NULL);
    struct sha256_ctx c;
    sha256_init(&c);
    static const char tag[] = "custodian-row-v1";
    struct cust_val v = {.kind = CUST_VAL_BYTES, .p = tag, .len = sizeof(tag) - 1};
    feed(&c, &v);
    v.p = t[r->table].name;
    v.len = strlen(t[r->table].name);
    feed(&c, &v);
    for (size_t i = 0; i < r->n; i++)
        feed(&c, &r->v[i]);
    sha256_digest(&c, CUST_ROW_HASH, out);
}
