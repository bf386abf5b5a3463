/*
 * fuzz_locator.c - the public locator's handlers (HTML and JSON) on arbitrary query strings,
 * against a real store holding a canary person.
 *
 * Input: the raw query string. Checks nothing crashes, every answer is 200 or 400, and no
 * response ever contains any of the canary's restricted values (citizenship country, A-number,
 * CII, FBI, SID, address, immigration status, priors, date of birth, a non-public release
 * date) unless the query itself typed it (the HTML form shows the visitor's query back).
 */
#include "custodian/compat.h"
#include "custodian/config.h"
#include "custodian/date.h"
#include "custodian/http.h"
#include "custodian/records.h"
#include "custodian/web.h"

#include <stdlib.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const canary[] = {
    "1901-02-03",  "QXALIAS",    "Q99887766", "887766QX3",   "CA55443322",
    "A987650123",  "QXBIRTH",    "QXCOUNTRY", "non_citizen", "Quixotic",
    "QXIMMSTATUS", "QXPRIORJUR", "12022.53",  "2031-07-17",  "PCANARY",
};

static char dir[64];
static struct cust_web *web;
static struct cust_router *router;

static void cleanup(void)
{
    cust_router_free(router);
    cust_web_free(web);
    char p[128];
    static const char *const files[] = {"c.db", "c.db-wal", "c.db-shm", "c.db.audit-spool",
                                        "c.jsonl"};
    for (size_t i = 0; i < CUST_ARRAY_LEN(files); i++) {
        snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
        unlink(p);
    }
    rmdir(dir);
}

static void setup(void)
{
    snprintf(dir, sizeof(dir), "/tmp/cust-fuzz-locator.XXXXXX");
    CUST_ASSERT(mkdtemp(dir));
    char db[128], jsonl[128], at[32];
    snprintf(db, sizeof(db), "%s/c.db", dir);
    snprintf(jsonl, sizeof(jsonl), "%s/c.jsonl", dir);
    cust_time_format(cust_now() - 5 * 3600, 0, true, at);
    FILE *f = fopen(jsonl, "w");
    CUST_ASSERT(f);
    fprintf(f,
            "{\"booking_number\":\"7770001\",\"booked_at\":\"%s\",\"facility\":\"North\","
            "\"arresting_agency\":\"Sheriff\",\"person\":{\"person_id\":\"PCANARY1\","
            "\"last_name\":\"FINCH\",\"first_name\":\"ODA\",\"dob\":\"1901-02-03\","
            "\"aliases\":[{\"last_name\":\"QXALIAS\",\"first_name\":\"Z\"}],"
            "\"ids\":{\"cii\":\"Q99887766\",\"fbi\":\"887766QX3\",\"sid\":\"CA55443322\","
            "\"a_number\":\"A987650123\"},\"place_of_birth\":\"QXBIRTH\",\"citizenship\":"
            "{\"status\":\"non_citizen\",\"country\":\"QXCOUNTRY\",\"source\":\"self_reported\","
            "\"recorded_at\":\"2025-01-02\"},"
            "\"home_address\":\"1 Quixotic Lane\",\"immigration_status\":\"QXIMMSTATUS\"},"
            "\"charges\":[{\"code\":\"PC 459\",\"status\":\"pending\",\"bail_cents\":100}],"
            "\"prior_convictions\":[{\"code\":\"PC 12022.53\",\"level\":\"felony\","
            "\"date\":\"1999-09-09\",\"jurisdiction\":\"QXPRIORJUR\"}],"
            "\"scheduled_release\":\"2031-07-17\",\"release_date_public\":false}\n",
            at);
    fclose(f);
    struct cust_err err = CUST_ERR_INIT;
    struct cust_store *s = NULL;
    CUST_ASSERT(cust_store_open(db, CUST_STORE_CREATE, &s, &err) == CUST_OK);
    struct cust_import_opts o = {.path = jsonl, .actor = "fuzz"};
    struct cust_import_stats st;
    CUST_ASSERT(cust_import_file(s, &o, &st, &err) == CUST_OK);
    cust_store_close(s);
    struct cust_config *cfg = cust_config_new();
    cust_config_set(cfg, CUST_CFG_STORE_PATH, db, "fuzz");
    struct cust_web_config wc;
    cust_web_config_defaults(&wc);
    wc.core = cfg;
    wc.connections = 1;
    CUST_ASSERT(cust_web_new(&web, &wc, &err) == CUST_OK);
    cust_config_free(cfg);
    router = cust_router_new();
    CUST_ASSERT(cust_web_register(web, router) == CUST_OK);
    atexit(cleanup);
}

static bool contains(const char *hay, size_t n, const char *needle, bool fold)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++) {
        size_t j = 0;
        while (j < k &&
               (fold ? (hay[i + j] | 0x20) == (needle[j] | 0x20) : hay[i + j] == needle[j]))
            j++;
        if (j == k)
            return true;
    }
    return false;
}

static void run(const char *path, const char *raw, size_t len)
{
    struct cust_route_match m;
    CUST_ASSERT(cust_router_match(router, "GET", path, &m) == CUST_ROUTE_FOUND);
    struct cust_http_request req;
    memset(&req, 0, sizeof(req));
    req.arena = cust_http_arena_new();
    req.method = "GET";
    req.path = path;
    req.target = path;
    req.route = m.pattern;
    req.remote_addr = "127.0.0.1";
    if (cust_http_parse_query(req.arena, raw, len, &req.query, NULL) != CUST_OK) {
        cust_http_arena_free(req.arena);
        return;
    }
    struct cust_http_response res;
    cust_http_res_init(&res);
    enum cust_status st = m.fn(&req, &res, m.ctx);
    CUST_ASSERT(st == CUST_OK);
    CUST_ASSERT(res.status == 200 || res.status == 400);
    /* (the search form shows the visitor's own query back: a value typed in is not a leak) */
    for (size_t i = 0; i < CUST_ARRAY_LEN(canary); i++)
        CUST_ASSERT(contains(raw, len, canary[i], true) ||
                    !contains(res.body.buf ? res.body.buf : "", res.body.len, canary[i], false));
    cust_http_res_release(&res);
    cust_http_arena_free(req.arena);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!web)
        setup();
    if (size > 4096)
        return 0;
    char *raw = cust_xmalloc(size + 1);
    memcpy(raw, data, size);
    raw[size] = '\0';
    run("/api/v1/public/inmates", raw, size);
    run("/locator", raw, size);
    free(raw);
    return 0;
}
