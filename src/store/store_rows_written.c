/*
 * store_rows_written.c - the covered rows a transaction wrote, kept the same way by both
 * backends (store_rows_sql.h; docs/internals/ledger.md "Rows"): each put tracks its rows' keys,
 * or keeps the hash of the values it bound; the ledger's entry takes them, each distinct key
 * once, in key order (kept rows by that hash, the others read back and hashed).
 */
#include "custodian/compat.h"
#include "custodian/store.h"
#include "custodian/store_requests.h"
#include "store_rows_sql.h"

void cust_rows_written_add(struct cust_rows_written *w, int t, int64_t id, const char *text)
{
    struct cust_written_keys *k = &w->table[t];
    if (cust_row_tables_of[t].int_key) {
        if (k->n == k->cap) {
            k->cap = k->cap ? k->cap * 2 : 64;
            k->ids = cust_xrealloc(k->ids, k->cap * sizeof(*k->ids));
        }
        k->ids[k->n++] = id;
    } else {
        if (k->nt == k->capt) {
            k->capt = k->capt ? k->capt * 2 : 16;
            k->texts = cust_xrealloc(k->texts, k->capt * sizeof(*k->texts));
        }
        k->texts[k->nt++] = cust_xstrdup(text ? text : "");
    }
    w->pending++;
}

static void put_raw(struct cust_buf *b, const void *p, size_t n)
{
    CUST_ASSERT(cust_buf_append(b, p, n) == CUST_OK);
}

/* A new kept row of childless table t (its key v[0]: an id, or the text of a text key): its
 * slot, at the end of kbuf. */
static struct cust_written_keys *kept_slot(struct cust_rows_written *w, int t,
                                           const struct cust_val *v, size_t n)
{
    struct cust_written_keys *k = &w->table[t];
    bool int_key = cust_row_tables_of[t].int_key;
    CUST_ASSERT(!cust_row_catalog[t].child[0].name && n > 0 &&
                v[0].kind == (int_key ? CUST_VAL_INT : CUST_VAL_BYTES));
    if (k->nk == k->capk) {
        k->capk = k->capk ? k->capk * 2 : 64;
        k->kids = cust_xrealloc(k->kids, k->capk * sizeof(*k->kids));
        if (!int_key)
            k->ktexts = cust_xrealloc(k->ktexts, k->capk * sizeof(*k->ktexts));
    }
    k->kids[k->nk] = int_key ? v[0].i : 0;
    if (!int_key)
        k->ktexts[k->nk] = cust_xstrndup(v[0].p ? v[0].p : "", v[0].len);
    k->nk++;
    w->pending++;
    return k;
}

/* A canonical value of what was bound: text or NULL, and integers. */
static struct cust_val val_text(const char *v)
{
    return v ? (struct cust_val){.kind = CUST_VAL_BYTES, .p = v, .len = strlen(v)}
             : (struct cust_val){.kind = CUST_VAL_NULL};
}

static struct cust_val val_int(int64_t v)
{
    return (struct cust_val){.kind = CUST_VAL_INT, .i = v};
}

void cust_rows_written_keep_hash(struct cust_rows_written *w, int t, const struct cust_val *v,
                                 size_t n)
{
    struct cust_written_keys *k = kept_slot(w, t, v, n);
    unsigned char h[CUST_ROW_HASH];
    cust_row_hash(&(struct cust_row){.table = t, .id = v[0].i, .v = v, .n = n}, h);
    put_raw(&k->kbuf, h, sizeof(h));
}

size_t cust_rows_version_vals(struct cust_val v[CUST_ROWS_VERSION_VALS], int64_t id,
                              int64_t booking_id, int64_t version, const struct cust_put_meta *meta,
                              const char *doc, size_t doc_len)
{
    const struct cust_val row[CUST_ROWS_VERSION_VALS] = {
        val_int(id),
        val_int(booking_id),
        val_int(version),
        val_text(meta->recorded_at),
        val_text(meta->recorded_by),
        val_text(meta->source),
        val_text(meta->changed),
        {.kind = CUST_VAL_BYTES, .p = doc, .len = doc_len}};
    memcpy(v, row, sizeof(row));
    return CUST_ROWS_VERSION_VALS;
}

size_t cust_rows_decision_vals(struct cust_val v[CUST_ROWS_DECISION_VALS], int64_t id,
                               const struct cust_decision_row *d)
{
    const struct cust_val row[CUST_ROWS_DECISION_VALS] = {val_int(id),
                                                          val_text(d->request_id),
                                                          val_int(d->person_id),
                                                          val_text(d->booking_number),
                                                          val_text(d->policy_id),
                                                          val_text(d->policy_version),
                                                          val_text(d->policy_sha256),
                                                          val_text(d->decided_at),
                                                          val_text(d->decided_by),
                                                          val_text(d->decision)};
    memcpy(v, row, sizeof(row));
    return CUST_ROWS_DECISION_VALS;
}

size_t cust_rows_duty_vals(struct cust_val v[CUST_ROWS_DUTY_VALS], int64_t id,
                           const struct cust_duty_row *d)
{
    const struct cust_val row[CUST_ROWS_DUTY_VALS] = {
        val_int(id),
        val_text(d->request_id),
        val_int(d->person_id),
        val_text(d->booking_number),
        val_text(d->duty),
        val_text(d->cite),
        val_text("open"),
        d->due_ts == CUST_NO_TIME ? val_text(NULL) : val_int(d->due_ts),
        val_text(d->created_at),
        val_text(NULL),
        val_text(NULL),
        val_text(d->document_sha256),
        val_text(d->detail)};
    memcpy(v, row, sizeof(row));
    return CUST_ROWS_DUTY_VALS;
}

size_t cust_rows_disclosure_vals(struct cust_val v[CUST_ROWS_DISCLOSURE_VALS], int64_t id,
                                 const struct cust_disclosure_row *x)
{
    const struct cust_val row[CUST_ROWS_DISCLOSURE_VALS] = {
        val_int(id),           val_text(x->request_id),     val_int(x->ord),
        val_int(x->person_id), val_text(x->booking_number), val_text(x->items),
        val_text(x->withheld), val_text(x->recipient),      val_text(x->office),
        val_text(x->at),       val_int(x->decision_id),     val_text(x->row_hash)};
    memcpy(v, row, sizeof(row));
    return CUST_ROWS_DISCLOSURE_VALS;
}

size_t cust_rows_document_vals(struct cust_val v[CUST_ROWS_DOCUMENT_VALS], const char *sha256,
                               const unsigned char *content, size_t len)
{
    const struct cust_val row[CUST_ROWS_DOCUMENT_VALS] = {
        val_text(sha256), content ? val_int((int64_t)len) : val_text(NULL),
        content ? (struct cust_val){.kind = CUST_VAL_BYTES, .p = content, .len = len}
                : val_text(NULL)};
    memcpy(v, row, sizeof(row));
    return CUST_ROWS_DOCUMENT_VALS;
}

size_t cust_rows_written_n(const struct cust_rows_written *w, int t)
{
    const struct cust_written_keys *k = &w->table[t];
    return (cust_row_tables_of[t].int_key ? k->n : k->nt) + k->nk;
}

bool cust_rows_written_all_kept(const struct cust_rows_written *w, int t)
{
    const struct cust_written_keys *k = &w->table[t];
    return k->nk > 0 && (cust_row_tables_of[t].int_key ? k->n : k->nt) == 0;
}

void cust_rows_written_clear(struct cust_rows_written *w)
{
    for (int t = 0; t < CT__N; t++) {
        struct cust_written_keys *k = &w->table[t];
        for (size_t i = 0; i < k->nt; i++)
            free(k->texts[i]);
        if (k->ktexts)
            for (size_t i = 0; i < k->nk; i++)
                free(k->ktexts[i]);
        k->n = k->nt = k->nk = 0;
        cust_buf_reset(&k->kbuf);
    }
    w->pending = 0;
}

void cust_rows_written_free(struct cust_rows_written *w)
{
    cust_rows_written_clear(w);
    for (int t = 0; t < CT__N; t++) {
        free(w->table[t].ids);
        free(w->table[t].texts);
        free(w->table[t].kids);
        free(w->table[t].ktexts);
        cust_buf_release(&w->table[t].kbuf);
    }
}

void cust_row_key_bytes(bool int_key, int64_t id, const char *text, unsigned char buf[8],
                        const void **key, size_t *len)
{
    if (int_key) {
        for (int i = 0; i < 8; i++)
            buf[i] = (unsigned char)((uint64_t)id >> (56 - 8 * i));
        *key = buf;
        *len = 8;
    } else {
        *key = text ? text : "";
        *len = text ? strlen(text) : 0;
    }
}

static int cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static int cmp_text(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Kept row `i` of table t to fn: its key and hash. */
static enum cust_status emit_kept(struct cust_rows_written *w, int t, size_t i, cust_row_fn fn,
                                  void *arg)
{
    const struct cust_written_keys *k = &w->table[t];
    unsigned char kb[8];
    bool int_key = cust_row_tables_of[t].int_key;
    struct cust_row row = {.table = t,
                           .id = k->kids[i],
                           .hash = (const unsigned char *)k->kbuf.buf + i * CUST_ROW_HASH};
    cust_row_key_bytes(int_key, row.id, int_key ? NULL : k->ktexts[i], kb, &row.key, &row.key_len);
    return fn(&row, arg);
}

struct kept_ix {
    int64_t id;
    const char *text; /* a text key's */
    size_t ix;        /* in the order written */
};

/* Key (a, at) against key (b, bt): integer keys, or text keys when at and bt are given. */
static int key_cmp(int64_t a, const char *at, int64_t b, const char *bt)
{
    return at ? strcmp(at, bt) : a < b ? -1 : a > b;
}

/* Kept rows by key, then in the order written. */
static int cmp_kept(const void *a, const void *b)
{
    const struct kept_ix *x = a, *y = b;
    int c = key_cmp(x->id, x->text, y->id, y->text);
    return c ? c : x->ix < y->ix ? -1 : x->ix > y->ix;
}

/* Added key x of k: its id (integer keys) or its text. */
static void added_key(const struct cust_written_keys *k, bool int_key, size_t x, int64_t *id,
                      const char **text)
{
    *id = int_key ? k->ids[x] : 0;
    *text = int_key ? NULL : k->texts[x];
}

/* Read key `id`/`text` through get; a row gone goes to fn as deleted. */
static enum cust_status read_one(int t, int64_t id, const char *text, void *impl,
                                 cust_row_get_fn get, cust_row_fn fn, void *arg,
                                 struct cust_err *err)
{
    bool found = false;
    enum cust_status s = get(impl, t, id, text, fn, arg, &found, err);
    if (s == CUST_OK && !found) {
        unsigned char kb[8];
        struct cust_row gone = {.table = t, .id = id, .deleted = true};
        cust_row_key_bytes(cust_row_tables_of[t].int_key, id, text, kb, &gone.key, &gone.key_len);
        s = fn(&gone, arg);
    }
    return s;
}

enum cust_status cust_rows_written_read(struct cust_rows_written *w, int t, void *impl,
                                        cust_row_get_fn get, cust_row_fn fn, void *arg,
                                        struct cust_err *err)
{
    /* the keys added (read back) merged with the rows kept (given as last kept); a key both
     * added and kept changed after it was kept, so it is read back */
    struct cust_written_keys *k = &w->table[t];
    bool int_key = cust_row_tables_of[t].int_key;
    size_t n = int_key ? k->n : k->nt;
    if (n > 1 && int_key)
        qsort(k->ids, n, sizeof(*k->ids), cmp_id);
    else if (n > 1)
        qsort(k->texts, n, sizeof(*k->texts), cmp_text);
    struct kept_ix *order = k->nk ? cust_xmalloc(k->nk * sizeof(*order)) : NULL;
    for (size_t i = 0; i < k->nk; i++)
        order[i] = (struct kept_ix){k->kids[i], int_key ? NULL : k->ktexts[i], i};
    if (k->nk > 1)
        qsort(order, k->nk, sizeof(*order), cmp_kept);
    enum cust_status s = CUST_OK;
    size_t i = 0, j = 0;
    while (s == CUST_OK && (i < n || j < k->nk)) {
        int64_t id = 0;
        const char *text = NULL;
        if (i < n)
            added_key(k, int_key, i, &id, &text);
        if (i == n || (j < k->nk && key_cmp(id, text, order[j].id, order[j].text) > 0)) {
            id = order[j].id; /* the next key is a kept row's */
            text = order[j].text;
        }
        bool read = false;
        size_t last = 0;
        while (i < n) {
            int64_t aid;
            const char *atext;
            added_key(k, int_key, i, &aid, &atext);
            if (key_cmp(aid, atext, id, text) != 0)
                break;
            i++;
            read = true;
        }
        while (j < k->nk && key_cmp(order[j].id, order[j].text, id, text) == 0)
            last = order[j++].ix;
        s = read ? read_one(t, id, text, impl, get, fn, arg, err) : emit_kept(w, t, last, fn, arg);
    }
    free(order);
    return s;
}
