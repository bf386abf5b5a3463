/* set.c - every policy of a directory, loaded once (docs/internals/policy.md). */
#include "custodian/compat.h"

#include "policy_int.h"

#include <dirent.h>
#include <sys/stat.h>

struct cust_policy_set {
    char **ids;
    struct cust_policy **pols;
    size_t n;
};

static void scan(const char *root, const char *rel, char ***ids, size_t *n, int depth)
{
    char path[4096];
    int w = snprintf(path, sizeof(path), "%s%s%s", root, *rel ? "/" : "", rel);
    if (w < 0 || (size_t)w >= sizeof(path) || depth > 4)
        return;
    DIR *dp = opendir(path);
    if (!dp)
        return;
    struct dirent *de;
    while ((de = readdir(dp)) != NULL) {
        if (de->d_name[0] == '.' || strcmp(de->d_name, "tables") == 0 ||
            strcmp(de->d_name, "examples") == 0 || strcmp(de->d_name, "fixtures") == 0)
            continue;
        char sub[1024], full[8192];
        w = snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "", de->d_name);
        if (w < 0 || (size_t)w >= sizeof(sub))
            continue;
        snprintf(full, sizeof(full), "%s/%s", root, sub);
        /* lstat: a symbolic link is skipped, never followed (issue 12) - the set is what the
         * folder itself holds, so a link cannot bring in a policy from elsewhere */
        struct stat st;
        if (lstat(full, &st) != 0 || S_ISLNK(st.st_mode))
            continue;
        if (S_ISDIR(st.st_mode)) {
            scan(root, sub, ids, n, depth + 1);
            continue;
        }
        size_t l = strlen(sub);
        if (l > 7 && strcmp(sub + l - 7, ".policy") == 0) {
            *ids = cust_xrealloc(*ids, (*n + 1) * sizeof(char *));
            (*ids)[(*n)++] = cust_xstrndup(sub, l - 7);
        }
    }
    closedir(dp);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void cust_policy_list(const char *dir, char ***ids, size_t *n)
{
    *ids = NULL;
    *n = 0;
    scan(cust_policy_dir(dir), "", ids, n, 0);
    if (*n)
        qsort(*ids, *n, sizeof(char *), cmp_str);
}

enum cust_status cust_policy_set_load(const char *dir, struct cust_policy_set **out,
                                      struct cust_err *err)
{
    dir = cust_policy_dir(dir);
    struct cust_policy_set *s = cust_xcalloc(1, sizeof(*s));
    cust_policy_list(dir, &s->ids, &s->n);
    if (s->n == 0) {
        cust_policy_set_free(s);
        return cust_err_set(err, CUST_ENOTFOUND, "no policies in '%s'", dir);
    }
    s->pols = cust_xcalloc(s->n, sizeof(*s->pols));
    for (size_t i = 0; i < s->n; i++) {
        enum cust_status st = cust_policy_load(dir, s->ids[i], &s->pols[i], err);
        if (st) {
            cust_policy_set_free(s);
            return st;
        }
    }
    *out = s;
    return CUST_OK;
}

const struct cust_policy *cust_policy_set_get(const struct cust_policy_set *s, const char *id)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(s->ids[mid], id);
        if (c == 0)
            return s->pols[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

size_t cust_policy_set_count(const struct cust_policy_set *s)
{
    return s->n;
}

const char *cust_policy_set_id(const struct cust_policy_set *s, size_t i)
{
    return i < s->n ? s->ids[i] : NULL;
}

void cust_policy_set_free(struct cust_policy_set *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++) {
        free(s->ids[i]);
        if (s->pols)
            cust_policy_free(s->pols[i]);
    }
    free(s->ids);
    free(s->pols);
    free(s);
}
