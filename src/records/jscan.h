/*
 * jscan.h - the import's fast JSON reader (internal to src/records; docs/internals/records.md).
 *
 * One custody JSONL line is parsed into a flat array of nodes (pre-order; a node's subtree is
 * the `size` nodes starting at it) plus one string area, i.e. two allocations per line instead
 * of jansson's one per value. The reader is deliberately *stricter* than jansson: it accepts a
 * subset of what `json_loadb(..., JSON_REJECT_DUPLICATES)` accepts (an object at the top,
 * integers of at most 18 digits, no reals, no \u0000 or surrogate escapes, valid UTF-8,
 * nesting up to 64) and refuses everything else; the caller then falls back to jansson,
 * which either produces the error message or the tree (converted with jv_from_jansson). So
 * the set of accepted lines, the values and the error messages are exactly jansson's.
 * fuzz/fuzz_jscan.c checks that differentially.
 */
#ifndef CUST_RECORDS_JSCAN_H
#define CUST_RECORDS_JSCAN_H

#include "custodian/compat.h"

enum jv_type { JV_NULL, JV_FALSE, JV_TRUE, JV_INT, JV_REAL, JV_STRING, JV_ARRAY, JV_OBJECT };

struct jv {
    const char *key;  /* member name inside an object (NUL-terminated), else NULL */
    const char *s;    /* JV_STRING: the unescaped value, NUL-terminated */
    const void *orig; /* the jansson node when converted from jansson, else NULL */
    int64_t i;        /* JV_INT */
    double d;         /* JV_REAL */
    uint32_t size;    /* nodes in this subtree, itself included */
    uint32_t n;       /* JV_ARRAY/JV_OBJECT: number of children */
    uint32_t span;    /* fast path: byte offset of the value in the line */
    uint32_t span_len;
    uint8_t type;
};

/* A parsed line: nodes[0] is the root. */
struct jv_doc {
    struct jv *nodes;
    size_t n, cap;
    char *strings; /* the string area (fast path) */
    const char *src;
};

/*
 * Parse `len` bytes at `src` as a JSON object. true on success (doc filled; free with
 * jv_doc_release); false when the line is not in the fast subset (doc holds nothing then):
 * parse it with jansson instead.
 */
bool jv_parse(const char *src, size_t len, struct jv_doc *doc);
/* Convert a jansson tree (json_t *) into `doc`; strings are borrowed from the tree. */
void jv_from_jansson(const void *root, struct jv_doc *doc);
void jv_doc_release(struct jv_doc *doc);

/* The member `key` of object `o`, or NULL (also when `o` is NULL or not an object). */
const struct jv *jv_get(const struct jv *o, const char *key);

static inline const struct jv *jv_first(const struct jv *c)
{
    return c->n ? c + 1 : NULL;
}
/* The sibling after child `x` of container `c`, or NULL. */
static inline const struct jv *jv_next(const struct jv *c, const struct jv *x)
{
    const struct jv *nx = x + x->size;
    return nx < c + c->size ? nx : NULL;
}

/*
 * The value as compact JSON text, byte-identical to jansson's
 * json_dumps(JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY): a new heap string, or NULL.
 */
char *jv_compact(const struct jv_doc *doc, const struct jv *v);

#endif
