/*
 * desk_documents.c - what was received with a request and what was sent in reply, kept by
 * SHA-256 and given back byte for byte (desk.h, docs/internals/desk.md "Documents").
 */
#include "custodian/compat.h"
#include "desk_internal.h"

#include <sodium.h>

static enum cust_status on_doc(const struct cust_document_row *x, void *arg)
{
    json_array_append_new(arg, json_pack("{s:s,s:s,s:s,s:I}", "name", x->name, "role", x->role,
                                         "sha256", x->sha256, "size", (json_int_t)x->size));
    return CUST_OK;
}

enum cust_status cust_desk_documents(struct cust_desk *d, const char *id, json_t **out,
                                     struct cust_err *err)
{
    *out = NULL;
    struct desk_req q;
    enum cust_status st = desk_req_load(d, id, &q, err);
    if (st != CUST_OK)
        return st;
    desk_req_release(&q);
    json_t *arr = json_array();
    st = cust_store_documents(d->store, id, on_doc, arr, err);
    if (st != CUST_OK)
        json_decref(arr);
    else
        *out = arr;
    return st;
}

struct doc_find {
    const char *name; /* or NULL: the response */
    char *found_name, *role, sha256[65];
    bool found;
};

static enum cust_status on_find(const struct cust_document_row *x, void *arg)
{
    struct doc_find *f = arg;
    bool match = f->name ? strcmp(x->name, f->name) == 0 : strcmp(x->role, "response") == 0;
    if (!match)
        return CUST_OK;
    /* the last kept under that name */
    free(f->found_name);
    free(f->role);
    f->found_name = cust_xstrdup(x->name);
    f->role = cust_xstrdup(x->role);
    snprintf(f->sha256, sizeof(f->sha256), "%s", x->sha256);
    f->found = true;
    return CUST_OK;
}

enum cust_status cust_desk_document(struct cust_desk *d, const char *id, const char *name,
                                    struct cust_desk_document *doc, struct cust_err *err)
{
    memset(doc, 0, sizeof(*doc));
    struct desk_req q;
    enum cust_status st = desk_req_load(d, id, &q, err);
    if (st != CUST_OK)
        return st;
    desk_req_release(&q);
    struct doc_find f = {.name = name};
    st = cust_store_documents(d->store, id, on_find, &f, err);
    if (st == CUST_OK && !f.found)
        st = name ? cust_err_set(err, CUST_ENOTFOUND, "request '%s' has no document '%s'", id, name)
                  : cust_err_set(err, CUST_ENOTFOUND,
                                 "request '%s' has no response: it was not fulfilled", id);
    char *content = NULL;
    size_t len = 0;
    if (st == CUST_OK)
        st = cust_store_document_get(d->store, f.sha256, &content, &len, err);
    if (st == CUST_ENOTFOUND && f.found)
        st = cust_err_set(err, CUST_ENOTFOUND,
                          "request '%s': only the SHA-256 of '%s' was received, not its bytes", id,
                          f.found_name ? f.found_name : name);
    if (st == CUST_OK) {
        /* the bytes given back are the bytes kept: checked against their recorded hash */
        unsigned char h[crypto_hash_sha256_BYTES];
        char hex[65];
        crypto_hash_sha256(h, (const unsigned char *)content, len);
        sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
        if (strcmp(hex, f.sha256) != 0)
            st = cust_err_set(err, CUST_EINTEGRITY,
                              "request '%s': document '%s' does not match its SHA-256 %s", id,
                              f.found_name, f.sha256);
    }
    if (st == CUST_OK) {
        doc->name = f.found_name;
        doc->role = f.role;
        memcpy(doc->sha256, f.sha256, sizeof(doc->sha256));
        doc->content = content;
        doc->len = len;
        return CUST_OK;
    }
    free(content);
    free(f.found_name);
    free(f.role);
    return st;
}

void cust_desk_document_release(struct cust_desk_document *doc)
{
    free(doc->name);
    free(doc->role);
    free(doc->content);
    memset(doc, 0, sizeof(*doc));
}
