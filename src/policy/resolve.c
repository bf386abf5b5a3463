/*
 * resolve.c - the policies a process decides under, loaded once and shared, and the one path by
 * which a case is decided (policy.h "Resolving and deciding"). Only the public policy API is
 * used here: the set (set.c) is the cache.
 */
#include "custodian/compat.h"
#include "custodian/policy.h"

#include <pthread.h>

struct file_policy {
    char *path;
    struct cust_policy *p;
};

struct cust_policy_resolver {
    char *dir;
    unsigned flags;
    pthread_mutex_t lock;           /* guards the lazy loads below */
    struct cust_policy_set *set;    /* the directory's policies, loaded on first use */
    enum cust_status set_status;    /* a failed load is remembered, with its message */
    char set_msg[CUST_ERR_MSG_MAX]; /* (a broken directory is not re-read per call) */
    struct file_policy *files;      /* CUST_RESOLVE_FILES: policy files by path */
    size_t nfiles;
};

static enum cust_status load_set(struct cust_policy_resolver *r, struct cust_err *err)
{
    /* under r->lock */
    if (r->set)
        return CUST_OK;
    if (r->set_status != CUST_OK)
        return cust_err_set(err, r->set_status, "%s", r->set_msg);
    struct cust_err e2 = CUST_ERR_INIT;
    enum cust_status st = cust_policy_set_load(r->dir, &r->set, &e2);
    if (st != CUST_OK) {
        r->set = NULL;
        r->set_status = st;
        snprintf(r->set_msg, sizeof(r->set_msg), "%s", e2.msg);
        return cust_err_set(err, st, "%s", e2.msg);
    }
    return CUST_OK;
}

enum cust_status cust_policy_resolver_new(const char *dir, unsigned flags,
                                          struct cust_policy_resolver **out, struct cust_err *err)
{
    struct cust_policy_resolver *r = cust_xcalloc(1, sizeof(*r));
    r->dir = cust_xstrdup(cust_policy_dir(dir));
    r->flags = flags;
    pthread_mutex_init(&r->lock, NULL);
    if (flags & CUST_RESOLVE_PRELOAD) {
        enum cust_status st = load_set(r, err);
        if (st != CUST_OK) {
            cust_policy_resolver_free(r);
            *out = NULL;
            return st;
        }
    }
    *out = r;
    return CUST_OK;
}

void cust_policy_resolver_free(struct cust_policy_resolver *r)
{
    if (!r)
        return;
    cust_policy_set_free(r->set);
    for (size_t i = 0; i < r->nfiles; i++) {
        free(r->files[i].path);
        cust_policy_free(r->files[i].p);
    }
    free(r->files);
    pthread_mutex_destroy(&r->lock);
    free(r->dir);
    free(r);
}

const char *cust_policy_resolver_dir(const struct cust_policy_resolver *r)
{
    return r->dir;
}

static bool is_file_id(const char *id)
{
    size_t n = strlen(id);
    return n > 7 && strcmp(id + n - 7, ".policy") == 0;
}

enum cust_status cust_policy_resolve(struct cust_policy_resolver *r, const char *id,
                                     const struct cust_policy **out, struct cust_err *err)
{
    *out = NULL;
    bool file = is_file_id(id);
    if (file && !(r->flags & CUST_RESOLVE_FILES))
        return cust_err_set(err, CUST_ENOTFOUND, "no policy '%s'", id);
    pthread_mutex_lock(&r->lock);
    enum cust_status st = CUST_OK;
    if (file) {
        for (size_t i = 0; i < r->nfiles && !*out; i++)
            if (strcmp(r->files[i].path, id) == 0)
                *out = r->files[i].p;
        struct cust_policy *p = NULL;
        if (!*out && (st = cust_policy_load(r->dir, id, &p, err)) == CUST_OK) {
            r->files = cust_xrealloc(r->files, (r->nfiles + 1) * sizeof(*r->files));
            r->files[r->nfiles++] = (struct file_policy){cust_xstrdup(id), p};
            *out = p;
        }
    } else if ((st = load_set(r, err)) == CUST_OK) {
        *out = cust_policy_set_get(r->set, id);
        /* a network caller's resolver names no folder (the install path is not its business) */
        if (!*out && (r->flags & CUST_RESOLVE_FILES))
            st = cust_err_set(err, CUST_ENOTFOUND, "no policy '%s' in '%s'", id, r->dir);
        else if (!*out)
            st = cust_err_set(err, CUST_ENOTFOUND, "no policy '%.64s' in the policy set", id);
    }
    pthread_mutex_unlock(&r->lock);
    return st;
}

enum cust_status cust_policy_decide_case(struct cust_policy_resolver *r, const char *force_id,
                                         const char *force_hint, const struct cust_case *c,
                                         unsigned flags, struct cust_decision *d, json_t **out,
                                         struct cust_diag *diag, struct cust_err *err)
{
    *out = NULL;
    const char *id = force_id ? force_id : cust_case_jurisdiction(c);
    if (!id) {
        if (force_hint)
            cust_diag_add(diag, "case.jurisdiction", "required (or give %s)", force_hint);
        else
            cust_diag_add(diag, "case.jurisdiction", "required");
        return cust_err_set(err, CUST_EINVAL, "case.jurisdiction: required");
    }
    const struct cust_policy *p = NULL;
    enum cust_status st = cust_policy_resolve(r, id, &p, err);
    char why[CUST_ERR_MSG_MAX];
    if (st == CUST_ENOTFOUND && !force_id) {
        /* the case names a jurisdiction without a policy: the case's problem */
        snprintf(why, sizeof(why), "%s", err ? err->msg : "no such policy");
        cust_diag_add(diag, "case.jurisdiction", "%s", why);
        return cust_err_set(err, CUST_EINVAL, "case.jurisdiction: %s", why);
    }
    if (st != CUST_OK)
        return st;
    st = cust_decide(p, c, flags, d, err);
    if (st == CUST_EINVAL) {
        /* as_of before the policy's first version: the case's problem too */
        snprintf(why, sizeof(why), "%s", err ? err->msg : "before the policy's first version");
        cust_diag_add(diag, "case.as_of", "%s",
                      strncmp(why, "case.as_of: ", 12) == 0 ? why + 12 : why);
        return CUST_EINVAL;
    }
    if (st != CUST_OK)
        return st;
    *out = cust_decision_to_json(p, c, d);
    return *out ? CUST_OK : cust_err_set(err, CUST_ENOMEM, "out of memory");
}

enum cust_status cust_policy_decide_json(struct cust_policy_resolver *r, const char *force_id,
                                         const char *force_hint, const json_t *case_json,
                                         unsigned flags, struct cust_decision *d, json_t **out,
                                         struct cust_diag *diag, struct cust_err *err)
{
    *out = NULL;
    struct cust_case *c = NULL;
    if (cust_case_from_json(case_json, &c, diag) != CUST_OK)
        return cust_err_set(err, CUST_EINVAL, "%s", diag->n ? diag->lines[0] : "invalid case");
    enum cust_status st =
        cust_policy_decide_case(r, force_id, force_hint, c, flags, d, out, diag, err);
    cust_case_free(c);
    return st;
}
