/* Unit tests for src/base/file.c: output files whole or absent, created files never replaced. */
#include "custodian/compat.h"
#include "custodian/file.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

struct fx {
    char dir[64];
    char path[128];
};

static int setup(void **state)
{
    struct fx *f = cust_xcalloc(1, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/cust-file-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->path, sizeof(f->path), "%s/answer.csv", f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    DIR *d = opendir(f->dir);
    struct dirent *e;
    char p[400];
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.' && (e->d_name[1] == '\0' || strcmp(e->d_name, "..") == 0))
            continue;
        snprintf(p, sizeof(p), "%s/%s", f->dir, e->d_name);
        unlink(p);
    }
    if (d)
        closedir(d);
    rmdir(f->dir);
    free(f);
    return 0;
}

/* Entries in the folder (the temporary files included). */
static int entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    while (d && (e = readdir(d)))
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    if (d)
        closedir(d);
    return n;
}

static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    char *b = cust_xcalloc(1, 4096);
    size_t n = fread(b, 1, 4095, fp);
    b[n] = '\0';
    fclose(fp);
    return b;
}

static void test_outfile_close_puts_it_in_place(void **state)
{
    struct fx *f = *state;
    struct cust_err err = CUST_ERR_INIT;
    struct cust_outfile o;
    assert_int_equal(cust_outfile_open(&o, f->path, &err), CUST_OK);
    fputs("a,b\n1,2\n", o.f);
    assert_int_equal(cust_file_sync(o.f, &err), CUST_OK);
    /* until closed the final name does not exist: a temporary file beside it does */
    assert_int_equal(access(f->path, F_OK), -1);
    assert_int_equal(entries(f->dir), 1);
    assert_int_equal(cust_outfile_close(&o, &err), CUST_OK);
    char *text = slurp(f->path);
    assert_non_null(text);
    assert_string_equal(text, "a,b\n1,2\n");
    free(text);
    assert_int_equal(entries(f->dir), 1);
    struct stat sb;
    assert_int_equal(stat(f->path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
}

static void test_outfile_discard_leaves_the_old_file(void **state)
{
    struct fx *f = *state;
    struct cust_err err = CUST_ERR_INIT;
    FILE *old = fopen(f->path, "wb");
    fputs("old answer\n", old);
    fclose(old);
    struct cust_outfile o;
    assert_int_equal(cust_outfile_open(&o, f->path, &err), CUST_OK);
    fputs("half of a new ans", o.f);
    cust_outfile_discard(&o);
    char *text = slurp(f->path);
    assert_string_equal(text, "old answer\n");
    free(text);
    assert_int_equal(entries(f->dir), 1); /* no temporary file left */
}

static void test_outfile_missing_folder(void **state)
{
    struct fx *f = *state;
    struct cust_err err = CUST_ERR_INIT;
    char bad[200];
    snprintf(bad, sizeof(bad), "%s/no/such/answer.csv", f->dir);
    struct cust_outfile o;
    assert_int_equal(cust_outfile_open(&o, bad, &err), CUST_EIO);
    assert_non_null(strstr(err.msg, "no/such/answer.csv"));
}

static void test_outfile_stdout(void **state)
{
    (void)state;
    struct cust_err err = CUST_ERR_INIT;
    struct cust_outfile o;
    assert_int_equal(cust_outfile_open(&o, "-", &err), CUST_OK);
    assert_ptr_equal(o.f, stdout);
    assert_null(o.tmp);
    assert_int_equal(cust_outfile_close(&o, &err), CUST_OK);
}

static void test_file_create_never_replaces(void **state)
{
    struct fx *f = *state;
    struct cust_err err = CUST_ERR_INIT;
    char key[80];
    snprintf(key, sizeof(key), "%s/store.key", f->dir);
    assert_int_equal(cust_file_create(key, "0123456789abcdef", 16, 0600, &err), CUST_OK);
    struct stat sb;
    assert_int_equal(stat(key, &sb), 0);
    assert_int_equal(sb.st_size, 16);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_int_equal(cust_file_create(key, "another key!!!!!", 16, 0600, &err), CUST_ECONFLICT);
    char *text = slurp(key);
    assert_string_equal(text, "0123456789abcdef");
    free(text);
    assert_int_equal(entries(f->dir), 1); /* the temporary name is gone either way */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_outfile_close_puts_it_in_place, setup, teardown),
        cmocka_unit_test_setup_teardown(test_outfile_discard_leaves_the_old_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_outfile_missing_folder, setup, teardown),
        cmocka_unit_test_setup_teardown(test_outfile_stdout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_create_never_replaces, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
