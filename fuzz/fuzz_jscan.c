/*
 * fuzz_jscan.c - differential libFuzzer target for the import's fast JSON reader
 * (src/records/jscan.c): whatever it accepts, jansson (JSON_REJECT_DUPLICATES) must accept
 * too, with the same tree (types, keys in order, values), and jv_compact must equal jansson's
 * compact dump. (What it refuses goes to jansson in the importer, so refusing is always safe.)
 */
#include "custodian/compat.h"

#include "../src/records/jscan.h"

#include <jansson.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same(const struct jv_doc *doc, const struct jv *v, const json_t *j)
{
    switch (v->type) {
    case JV_OBJECT: {
        CUST_ASSERT(json_is_object(j));
        CUST_ASSERT(json_object_size(j) == v->n);
        const char *k;
        json_t *x;
        const struct jv *c = jv_first(v);
        json_object_foreach((json_t *)j, k, x)
        {
            CUST_ASSERT(c && strcmp(c->key, k) == 0);
            CUST_ASSERT(jv_get(v, k) == c);
            same(doc, c, x);
            c = jv_next(v, c);
        }
        CUST_ASSERT(!c);
        break;
    }
    case JV_ARRAY: {
        CUST_ASSERT(json_is_array(j));
        CUST_ASSERT(json_array_size(j) == v->n);
        size_t i = 0;
        for (const struct jv *c = jv_first(v); c; c = jv_next(v, c), i++) {
            CUST_ASSERT(c->key == NULL);
            same(doc, c, json_array_get(j, i));
        }
        CUST_ASSERT(i == v->n);
        break;
    }
    case JV_STRING:
        CUST_ASSERT(json_is_string(j));
        CUST_ASSERT(strlen(v->s) == json_string_length(j));
        CUST_ASSERT(strcmp(v->s, json_string_value(j)) == 0);
        break;
    case JV_INT:
        CUST_ASSERT(json_is_integer(j) && json_integer_value(j) == v->i);
        break;
    case JV_TRUE:
        CUST_ASSERT(json_is_true(j));
        break;
    case JV_FALSE:
        CUST_ASSERT(json_is_false(j));
        break;
    case JV_NULL:
        CUST_ASSERT(json_is_null(j));
        break;
    default:
        CUST_ASSERT(!"a real from the fast reader");
    }
    char *a = jv_compact(doc, v);
    char *b = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
    CUST_ASSERT(a && b && strcmp(a, b) == 0);
    free(a);
    free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct jv_doc doc;
    json_t *j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    if (jv_parse((const char *)data, size, &doc)) {
        CUST_ASSERT(j != NULL);
        CUST_ASSERT(doc.nodes[0].size == doc.n);
        same(&doc, &doc.nodes[0], j);
        jv_doc_release(&doc);
    }
    if (j) {
        /* the fallback conversion keeps the tree too */
        jv_from_jansson(j, &doc);
        CUST_ASSERT(doc.nodes[0].size == doc.n);
        if (json_is_object(j))
            CUST_ASSERT(doc.nodes[0].type == JV_OBJECT && doc.nodes[0].n == json_object_size(j));
        char *a = jv_compact(&doc, &doc.nodes[0]);
        char *b = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
        CUST_ASSERT(a && b && strcmp(a, b) == 0);
        free(a);
        free(b);
        jv_doc_release(&doc);
        json_decref(j);
    }
    return 0;
}
