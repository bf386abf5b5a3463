/*
 * replay.c - a main() for fuzz targets in ordinary builds: runs every file of
 * the given corpus directories (or files) through LLVMFuzzerTestOneInput once,
 * so ctest replays the committed corpus under ASan+UBSan (git's -runs=1 smoke).
 */
#include "custodian/compat.h"

#include <dirent.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return 1;
    }
    struct cust_buf_local {
        uint8_t *p;
        size_t len, cap;
    } b = {NULL, 0, 0};
    uint8_t chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (b.len + n > b.cap) {
            b.cap = (b.len + n) * 2;
            b.p = cust_xrealloc(b.p, b.cap);
        }
        memcpy(b.p + b.len, chunk, n);
        b.len += n;
    }
    fclose(f);
    /* Give the target an exact-size heap copy so overreads are caught. */
    uint8_t *exact = cust_xmalloc(b.len ? b.len : 1);
    if (b.len)
        memcpy(exact, b.p, b.len);
    LLVMFuzzerTestOneInput(exact, b.len);
    free(exact);
    free(b.p);
    return 0;
}

int main(int argc, char **argv)
{
    int files = 0, bad = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            perror(argv[i]);
            return 1;
        }
        if (!S_ISDIR(st.st_mode)) {
            bad |= run_file(argv[i]);
            files++;
            continue;
        }
        DIR *d = opendir(argv[i]);
        struct dirent *e;
        while (d && (e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.')
                continue;
            char path[4096];
            snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
            bad |= run_file(path);
            files++;
        }
        if (d)
            closedir(d);
    }
    printf("replayed %d inputs\n", files);
    return bad || files == 0;
}
