/*
 * reports.h - oversight: the figures a county must be able to show about federal immigration
 * requests, computed from the record the desk kept (docs/internals/reports.md).
 *
 *   detainers    requests received by kind, agency and form; matched, decided; holds and
 *                notifications requested and given; transfers by legal basis; declined,
 *                expired, withdrawn (the detainer statistics)
 *   transfers    one row per hand-over to federal custody in a year (Gov. Code 7284.6 report)
 *   truth-forum  people to whom immigration authorities were given access in a year: counts
 *                and demographics by month and by means, a redacted per-access table
 *                (Gov. Code 7283.1(d), the TRUTH Act community forum)
 *   oversight    the inspector general's view: every disclosure and every override with its
 *                decision, rule, citation, actor and time
 *   cpra         every record of access for a period, redacted, with a signed manifest
 *                (Gov. Code 7283.1(c): those records are public records)
 * and the enforcement-action log (federal enforcement seen in the county, with a public page
 * of counts by area and month).
 *
 * Each report is computed once, into JSON (the canonical form; the CLI's --format json and the
 * API's answer), and rendered from that JSON as CSV or HTML by cust_report_render, so every
 * format shows the same numbers. Periods are local days of the county's time zone (date.h
 * cust_time_zone_*).
 *
 *     struct cust_report_opts o = CUST_REPORT_OPTS_INIT;
 *     o.from = cust_days_from_civil(2024, 1, 1); o.to = cust_days_from_civil(2024, 12, 31);
 *     json_t *r;
 *     if (cust_report_detainers(store, &o, &r, &err) == CUST_OK)
 *         cust_report_render(r, CUST_REPORT_HTML_DOC, &buf, &err);
 */
#ifndef CUSTODIAN_REPORTS_H
#define CUSTODIAN_REPORTS_H

#include "custodian/buf.h"
#include "custodian/diag.h"
#include "custodian/store.h"

#include <jansson.h>

struct cust_report_opts {
    int32_t from, to; /* the period: local days, both included */
    bool by_month;    /* detainers: add the monthly series */
    /* oversight filters (NULL / 0: any) */
    const char *request_id;
    int64_t person_id;
    const char *booking_number; /* the person of this booking */
    const char *actor;
};

#define CUST_REPORT_OPTS_INIT                                                                      \
    {                                                                                              \
        0, 0, false, NULL, 0, NULL, NULL                                                           \
    }

/* The detainer statistics of requests received in the period (see docs for each figure). */
enum cust_status cust_report_detainers(struct cust_store *s, const struct cust_report_opts *o,
                                       json_t **out, struct cust_err *err);
/* Every transfer to federal custody in the period, with its legal basis. */
enum cust_status cust_report_transfers(struct cust_store *s, const struct cust_report_opts *o,
                                       json_t **out, struct cust_err *err);
/* The TRUTH Act forum pack for the period (a year). */
enum cust_status cust_report_forum(struct cust_store *s, const struct cust_report_opts *o,
                                   json_t **out, struct cust_err *err);
/* The inspector general's view: disclosures and overrides in the period, filtered. */
enum cust_status cust_report_oversight(struct cust_store *s, const struct cust_report_opts *o,
                                       json_t **out, struct cust_err *err);

enum cust_report_format {
    CUST_REPORT_JSON = 0, /* the report as computed (indented) */
    CUST_REPORT_CSV,      /* its main table (RFC 4180, a header row) */
    CUST_REPORT_HTML,     /* an HTML fragment for a page (no <html>; charts as inline SVG) */
    CUST_REPORT_HTML_DOC, /* a standalone, printable HTML document (styles inline) */
    CUST_REPORT_TEXT      /* for a terminal: the key figures, one line per row */
};

/* Parse "json", "csv", "html" (the standalone document), "text"; false for anything else. */
bool cust_report_format_parse(const char *s, enum cust_report_format *out);

/* Render a report computed above (by its "report" member) into `out`. */
enum cust_status cust_report_render(const json_t *report, enum cust_report_format fmt,
                                    struct cust_buf *out, struct cust_err *err);

/* A page of a report's long table (the transfers, the forum's accesses, the oversight rows,
 * the enforcement entries) for the console: the lines from `offset`, at most `limit` of them,
 * a line saying which are shown, and links to the other pages, each `href` followed by
 * "offset=N" (`href` is HTML already: escaped, ending in '?' or "&amp;"). Only the HTML
 * fragment is windowed; a table of at most `limit` lines, or limit 0, is shown whole. */
struct cust_report_window {
    size_t offset, limit;
    const char *href;
};

/* cust_report_render with a window on the long table (NULL: every line). */
enum cust_status cust_report_render_window(const json_t *report, enum cust_report_format fmt,
                                           const struct cust_report_window *w, struct cust_buf *out,
                                           struct cust_err *err);

/* ---- charts (server-drawn SVG: docs/internals/reports.md "Charts") ------------------------ */

struct cust_chart_series {
    const char *name;     /* legend */
    const char *color;    /* "#rrggbb" (contrast >= 3:1 on white) */
    const double *values; /* one per category */
};

struct cust_chart {
    const char *id;                /* unique in the page (ids of the title and description) */
    const char *title;             /* also the accessible name */
    const char *desc;              /* a sentence saying what the chart shows (screen readers) */
    const char *const *categories; /* x axis labels (e.g. "2024-01") */
    size_t ncategories;
    const struct cust_chart_series *series;
    size_t nseries;
    bool stacked; /* stacked bars; else side by side */
};

/* Append an accessible SVG bar chart (presentation attributes only, no script, no style
 * element: it works under the server's CSP and in a file). */
enum cust_status cust_chart_svg(const struct cust_chart *c, struct cust_buf *out);

/* ---- the public-records export ------------------------------------------------------------ */

struct cust_cpra_file {
    char *name; /* a plain file name */
    struct cust_buf data;
    char sha256[65];
};

struct cust_cpra {
    struct cust_cpra_file *files; /* the records, REDACTIONS.md, README.txt, MANIFEST.json */
    size_t nfiles;
    char manifest_sha256[65];
    bool is_signed; /* MANIFEST.json.sig holds a signature by the ledger's checkpoint key */
    int64_t requests, persons;
};

struct cust_cpra_opts {
    int32_t from, to;     /* local days, both included */
    const char *actor;    /* who exports (ledger) */
    const char *role;     /* ledger role; NULL = "cli" */
    const char *key_path; /* the ledger's checkpoint signer key (tlog.h); NULL: the
                             export is unsigned (the CLI passes [ledger] key) */
};

/*
 * Build the export of every record of access in the period (requests, their documents,
 * decisions, actions, duties, transfers, disclosures and responses) with personal data
 * redacted per the redaction list (REDACTIONS.md in the export, docs/internals/reports.md), a
 * manifest with each file's SHA-256, signed when a checkpoint key exists; and append the
 * export's ledger entry (action "export", object "cpra"). Free with cust_cpra_free.
 */
enum cust_status cust_report_cpra(struct cust_store *s, const struct cust_cpra_opts *o,
                                  struct cust_cpra *out, struct cust_err *err);
/*
 * MANIFEST.json.sig, when the export is signed, is a C2SP signed note (c2sp.org/signed-note,
 * Ed25519, the ledger's checkpoint key) over the text
 *     custodian-cpra-export
 *     FROM TO
 *     MANIFEST.json SHA256-HEX
 *     ledger TREE-SIZE BASE64-ROOT
 * binding the manifest (and through it every file) to the ledger's Merkle tree at export time.
 */
struct cust_cpra_check {
    size_t files; /* files listed and checked */
    char manifest_sha256[65];
    bool is_signed;     /* MANIFEST.json.sig present */
    bool verified;      /* ... and its signature verified with the key given */
    char signer[256];   /* the key name on the signature */
    uint64_t tree_size; /* the ledger tree size the note names */
};
struct cust_note_verifier;
/*
 * Check an export folder: every file the manifest lists is there with its size and SHA-256, no
 * other file is; a signature, when present, names this manifest's SHA-256 and (with `v`, the
 * published verifier key) verifies. CUST_EINTEGRITY naming the first discrepancy.
 */
enum cust_status cust_cpra_verify(const char *dir, const struct cust_note_verifier *v,
                                  struct cust_cpra_check *out, struct cust_err *err);

/* Write the export's files into directory `dir` (created if missing; must be empty). */
enum cust_status cust_cpra_write_dir(const struct cust_cpra *c, const char *dir,
                                     struct cust_err *err);
/* The export as one POSIX tar archive (for a download), into `out`. */
enum cust_status cust_cpra_write_tar(const struct cust_cpra *c, const char *folder,
                                     struct cust_buf *out, struct cust_err *err);
void cust_cpra_free(struct cust_cpra *c);

/* ---- the enforcement-action log ----------------------------------------------------------- */

struct cust_enforcement;
/*
 * Validate an entry document (below) into `out`: its strings are borrowed from `doc`, except
 * out->persons, the names as stored (`[{"name": ...}]`, a new heap string the caller frees).
 * An occurred_at more than an hour after `now` is refused. CUST_EINVAL with every problem in
 * `diag` ("enforcement.path: reason"); nothing is allocated then.
 */
enum cust_status cust_enforcement_parse(const json_t *doc, int64_t now,
                                        struct cust_enforcement *out, struct cust_diag *diag);
/*
 * Validate and append one entry (a JSON object: occurred_at, area, agency, source required;
 * place, persons [{name}], detained, reasons, note, supersedes optional), with its ledger entry
 * ("enforcement.add") in the same transaction. Invalid input: CUST_EINVAL with every problem in
 * `diag` as "enforcement.path: reason", nothing stored.
 */
enum cust_status cust_enforcement_add(struct cust_store *s, const json_t *doc, const char *actor,
                                      const char *role, int64_t *id, struct cust_diag *diag,
                                      struct cust_err *err);
/* Entries in the period (from > to: every entry) as a report ("report": "enforcement"), names
 * included only when `names` (an authorized role). */
enum cust_status cust_enforcement_list(struct cust_store *s, int32_t from, int32_t to, bool names,
                                       json_t **out, struct cust_err *err);
/* The public counts ("report": "enforcement-public"): entries and persons detained by area
 * and by month, superseded entries left out; never a name, a place, a reason or a source. */
enum cust_status cust_enforcement_public(struct cust_store *s, int32_t from, int32_t to,
                                         json_t **out, struct cust_err *err);

#endif
