/*
 * config.h - the one configuration of custodian (docs/internals/config.md).
 *
 * Every setting a front end or the core needs is one key of this table, read once per process
 * from, in this order (a later one wins):
 *
 *     1. the built-in default (data paths from cust_config_data_dir()),
 *     2. the configuration file: `--config FILE`, else $CUSTODIAN_CONFIG, else none
 *        (INI: `[county] jurisdiction = us-tx`; relative paths are relative to the file),
 *     3. the environment (each key's variable, e.g. CUSTODIAN_JURISDICTION),
 *     4. command-line options (cust_config_set with the option as its source).
 *
 * Each value remembers where it came from, so `custodian config show` prints the effective
 * value and its source ("default", "FILE:LINE", "env VAR", "option --db"). The CLI and the server
 * open the store, the policies and the desk from the same `struct cust_config`, so a county set
 * up for Texas gets Texas's law from the console exactly as from the command line.
 *
 *     struct cust_config *cfg;
 *     if (cust_config_load(path_or_NULL, &cfg, &err)) ...       // defaults + file + environment
 *     cust_config_set(cfg, CUST_CFG_STORE_PATH, "x.db", "option --db");
 *     const char *jur = cust_config_get(cfg, CUST_CFG_JURISDICTION);
 *     cust_config_free(cfg);
 *
 * Values are text; the consumer of a key validates it (the server's settings, for instance,
 * are checked by cust_http_config_apply, which names the value's source on error).
 */
#ifndef CUSTODIAN_CONFIG_H
#define CUSTODIAN_CONFIG_H

#include "custodian/buf.h"
#include "custodian/status.h"

enum cust_config_key {
    /* [store] */
    CUST_CFG_STORE_PATH, /* the store (SQLite file); CUSTODIAN_DB, --db */
    CUST_CFG_KEY_FILE,   /* the server key sealing TOTP secrets; default: store path + ".key" */
    /* [county] */
    CUST_CFG_JURISDICTION, /* the policy id cases are decided under (us-ca, us-tx, ...) */
    CUST_CFG_AGENCY_NAME,  /* the jail's agency, named on notices */
    CUST_CFG_CALENDAR,     /* the holiday calendar CSV deadlines count business days by */
    CUST_CFG_TIMEZONE,     /* IANA zone of the county: what "today" means (default UTC) */
    /* [county] the agency as the public and the notices name it (the locator, notices) */
    CUST_CFG_AGENCY_ADDRESS, /* its mailing address, one line */
    CUST_CFG_AGENCY_PHONE,   /* its public phone number */
    CUST_CFG_AGENCY_EMAIL,   /* its public contact e-mail */
    CUST_CFG_AGENCY_WEBSITE, /* https://...; a .gov host shows the official-site banner */
    CUST_CFG_AGENCY_SEAL,    /* its seal or badge: a PNG, SVG or JPEG file served as /seal */
    CUST_CFG_VISITING,       /* how to visit someone in custody, one paragraph */
    CUST_CFG_BAIL_INFO,      /* how to post bail, one paragraph */
    /* [paths] */
    CUST_CFG_POLICIES,         /* the policy directory (law as data) */
    CUST_CFG_NOTICE_TEMPLATES, /* notice templates, one folder per language */
    CUST_CFG_WEB_TEMPLATES,    /* console and locator page templates */
    CUST_CFG_ASSETS,           /* the @uswds/uswds dist folder served under /static/uswds/ */
    /* [cli] */
    CUST_CFG_USER, /* who acts, for the ledger: CUSTODIAN_USER, else $USER, else "cli"; --as */
    /* [server] (validated by the HTTP front end) */
    CUST_CFG_SERVER_LISTEN,
    CUST_CFG_SERVER_THREADS,
    CUST_CFG_SERVER_BODY_LIMIT,
    CUST_CFG_SERVER_HEADER_LIMIT,
    CUST_CFG_SERVER_CONNECTIONS,
    CUST_CFG_SERVER_PER_IP_CONNECTIONS,
    CUST_CFG_SERVER_TIMEOUT,
    CUST_CFG_SERVER_HEADER_TIMEOUT, /* a request's line and headers arrive within this, whole */
    CUST_CFG_SERVER_SHUTDOWN_GRACE_MS,
    CUST_CFG_SERVER_ACCESS_LOG,
    CUST_CFG_SERVER_TLS,
    CUST_CFG_SERVER_PUBLIC_URL,      /* https://...: behind a TLS proxy (Secure cookies, HSTS) */
    CUST_CFG_SERVER_PUBLISH_TO,      /* the published public view the server keeps up to date */
    CUST_CFG_SERVER_PUBLISH_EVERY,   /* ... every this many seconds (0: only at start) */
    CUST_CFG_SERVER_TRUSTED_PROXIES, /* proxies whose X-Forwarded-For names the client */
    /* [ratelimit] */
    CUST_CFG_RATELIMIT_RATE,
    CUST_CFG_RATELIMIT_BURST,
    CUST_CFG_RATELIMIT_SLOTS,
    /* [locator] */
    CUST_CFG_LOCATOR_HIDE_RECENT_HOURS,
    CUST_CFG_LOCATOR_RESULT_CAP,
    CUST_CFG_LOCATOR_CACHE_TTL,
    /* [ledger] (the server's checkpoints, validated by the web front end) */
    CUST_CFG_LEDGER_KEY,                /* the key file checkpoints are signed with */
    CUST_CFG_LEDGER_CHECKPOINT_EVERY,   /* a new checkpoint after this many entries */
    CUST_CFG_LEDGER_CHECKPOINT_MINUTES, /* ... or this many minutes, if the ledger grew */
    CUST_CFG_LEDGER_CHECKPOINT_DIR,     /* each also written here as checkpoint-SIZE.txt */
    CUST_CFG_COUNT
};

struct cust_config;

/*
 * The folder the data files (policies/, templates/, web/, node_modules/) are read from by
 * default: an installed binary's BINDIR/../share/custodian, a build-tree binary's source tree
 * (cust_data_dir, datadir.h). Borrowed, static.
 */
const char *cust_config_data_dir(void);

/* A configuration holding only the built-in defaults (no file, no environment). */
struct cust_config *cust_config_new(void);
void cust_config_free(struct cust_config *cfg);

/*
 * Defaults, then the file `path` (NULL: $CUSTODIAN_CONFIG when set and not empty, else none),
 * then the environment. A bad file (unreadable, a syntax error, an unknown section or key) is
 * CUST_EINVAL (CUST_EIO when it cannot be read) naming "FILE:LINE: [section] key: reason".
 */
enum cust_status cust_config_load(const char *path, struct cust_config **out,
                                  struct cust_err *err) CUST_WARN_UNUSED;

/* Overlay an INI file (step 2 of the order above) on `cfg`; errors as cust_config_load. */
enum cust_status cust_config_load_file(struct cust_config *cfg, const char *path,
                                       struct cust_err *err) CUST_WARN_UNUSED;
/* Overlay the environment (step 3). */
void cust_config_load_env(struct cust_config *cfg);

/* Set a value (copied) with its source (copied; e.g. "option --db"). NULL value: the default. */
void cust_config_set(struct cust_config *cfg, enum cust_config_key key, const char *value,
                     const char *source);

/* The effective value (borrowed; never NULL, possibly "") and where it came from. */
const char *cust_config_get(const struct cust_config *cfg, enum cust_config_key key);
const char *cust_config_source(const struct cust_config *cfg, enum cust_config_key key);
/* Whether the value is still the built-in default. */
bool cust_config_is_default(const struct cust_config *cfg, enum cust_config_key key);
/* The file read (borrowed), or NULL. */
const char *cust_config_file(const struct cust_config *cfg);

/* The key's section and name ("county", "jurisdiction"), its environment variable (or NULL)
 * and a one-line description. */
const char *cust_config_section(enum cust_config_key key);
const char *cust_config_name(enum cust_config_key key);
const char *cust_config_env(enum cust_config_key key);
const char *cust_config_help(enum cust_config_key key);
/* The key named "section.name" (or "name" when unique), or CUST_CFG_COUNT. */
enum cust_config_key cust_config_key_find(const char *name);

/* `config show`: one "section.name = value  # source" line per key, or a JSON object
 * {"section.name": {"value":..., "source":...}, ...} when `json`. */
enum cust_status cust_config_show(const struct cust_config *cfg, bool json, struct cust_buf *out);

/*
 * Apply what the configuration sets for the whole process: the county's time zone (what
 * cust_today() means). Call once, before threads start. CUST_EINVAL for an unknown zone.
 */
enum cust_status cust_config_apply(const struct cust_config *cfg, struct cust_err *err);

#endif
