/*
 * fuzz_config.c - the configuration file (config.h: INI sections, keys, values) and the
 * server's reading of it (http.h: [server], [ratelimit], [locator] values).
 *
 * The input is written to an anonymous in-memory file (memfd) and loaded by path, exactly as
 * `--config FILE` is. Checks: the parsers never crash; a refusal always says why (a message
 * naming the file); an accepted file gives every key a value and a source.
 */
#define _GNU_SOURCE
#include "custodian/compat.h"
#include "custodian/config.h"
#include "custodian/http.h"

#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = memfd_create("fuzz-config", 0);
    if (fd < 0)
        return 0;
    size_t off = 0;
    while (off < size) {
        ssize_t w = write(fd, data + off, size - off);
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    struct cust_config *cfg = cust_config_new();
    struct cust_err err = CUST_ERR_INIT;
    enum cust_status st = cust_config_load_file(cfg, path, &err);
    if (st != CUST_OK) {
        CUST_ASSERT(err.msg[0] != '\0');
    } else {
        for (int k = 0; k < CUST_CFG_COUNT; k++) {
            CUST_ASSERT(cust_config_get(cfg, (enum cust_config_key)k) != NULL);
            CUST_ASSERT(cust_config_source(cfg, (enum cust_config_key)k) != NULL);
        }
        struct cust_http_config hc;
        cust_http_config_defaults(&hc);
        err = (struct cust_err)CUST_ERR_INIT;
        if (cust_http_config_apply(&hc, cfg, &err) != CUST_OK)
            CUST_ASSERT(err.msg[0] != '\0');
    }
    cust_config_free(cfg);
    close(fd);
    return 0;
}
