/* datadir.c - the data folder of an installed or a build-tree binary (datadir.h). */
#include "custodian/compat.h"
#include "custodian/datadir.h"

#include <limits.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef CUST_SOURCE_DIR
#define CUST_SOURCE_DIR "."
#endif

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char data_dir[PATH_MAX];

static bool is_dir(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* BINDIR/../share/custodian of the running executable, when it holds policies/. */
static bool from_exe(char *out, size_t cap)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n <= 0)
        return false;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return false;
    *slash = '\0'; /* BINDIR */
    slash = strrchr(exe, '/');
    if (!slash)
        return false;
    *slash = '\0'; /* the prefix ("" for a binary in /bin) */
    char probe[PATH_MAX + 32];
    int len = snprintf(out, cap, "%s/share/custodian", exe);
    if (len < 0 || (size_t)len >= cap)
        return false;
    snprintf(probe, sizeof(probe), "%s/policies", out);
    return is_dir(probe);
}

static void resolve(void)
{
    if (from_exe(data_dir, sizeof(data_dir)))
        return;
#if defined(CUST_INSTALL_DATA_DIR)
    snprintf(data_dir, sizeof(data_dir), "%s", CUST_INSTALL_DATA_DIR);
#else
    snprintf(data_dir, sizeof(data_dir), "%s", CUST_SOURCE_DIR);
#endif
}

const char *cust_data_dir(void)
{
    pthread_once(&once, resolve);
    return data_dir;
}

/* The joined paths handed out: few (one per call site's constant), kept for the process. */
struct joined {
    struct joined *next;
    char *rel;
    char path[];
};

static pthread_mutex_t joined_lock = PTHREAD_MUTEX_INITIALIZER;
static struct joined *joined_list;

const char *cust_data_path(const char *rel)
{
    const char *dir = cust_data_dir();
    pthread_mutex_lock(&joined_lock);
    struct joined *j = joined_list;
    while (j && strcmp(j->rel, rel) != 0)
        j = j->next;
    if (!j) {
        size_t n = strlen(dir) + 1 + strlen(rel) + 1;
        j = cust_xmalloc(sizeof(*j) + n);
        snprintf(j->path, n, "%s/%s", dir, rel);
        j->rel = cust_xstrdup(rel);
        j->next = joined_list;
        joined_list = j;
    }
    pthread_mutex_unlock(&joined_lock);
    return j->path;
}
