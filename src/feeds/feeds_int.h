/*
 * feeds_int.h - the feeds module's private parts (docs/internals/feeds.md): the loaded
 * mapping, the county's time zone, date patterns, the row readers and the renderer that turns
 * one booking's rows into one custody JSON line.
 */
#ifndef CUSTODIAN_FEEDS_INT_H
#define CUSTODIAN_FEEDS_INT_H

#include "custodian/buf.h"
#include "custodian/diag.h"
#include "custodian/feeds.h"

/* ---- time: the county's zone (ICU) and date patterns (tz.c) ---------------------------- */

/* A wall-clock reading as a source wrote it. */
struct feed_wall {
    int year, month, day, hour, minute, second;
    bool has_time;
    bool has_offset; /* the text carried its own UTC offset (%z) */
    int offset_minutes;
};

/* What to do with a wall time the fall-back hour makes happen twice. */
enum feed_ambiguous { FEED_AMBIG_EARLIER = 0, FEED_AMBIG_LATER, FEED_AMBIG_REJECT };

struct feed_zone; /* one per thread: not shareable */

/* Open a tz database zone ("America/Los_Angeles"). CUST_EINVAL for an unknown name. */
enum cust_status feed_zone_open(const char *name, struct feed_zone **out, struct cust_err *err);
void feed_zone_free(struct feed_zone *z);
/* The tz data version in use ("2024a"). */
const char *feed_zone_data_version(void);
/*
 * The instant of a local wall time in the zone, and its offset (minutes east of UTC).
 * CUST_EINVAL (err says why) for a wall time the spring-forward hour skips, or one the
 * fall-back hour repeats when `amb` is FEED_AMBIG_REJECT.
 */
enum cust_status feed_zone_resolve(struct feed_zone *z, const struct feed_wall *w,
                                   enum feed_ambiguous amb, int64_t *unix_seconds,
                                   int *offset_minutes, struct cust_err *err);

/*
 * Check a date pattern (strptime's directives: %Y %m %d %e %H %I %M %S %p %b %B %z %T %F %%;
 * a space matches one or more spaces). Returns NULL when good, else why not (static text).
 */
const char *feed_pattern_check(const char *pattern, bool *has_time, bool *has_offset);
/* Read `text` (all of it) by `pattern`; false when it does not match or is not a real date. */
bool feed_pattern_read(const char *pattern, const char *text, struct feed_wall *w);

/* ---- the mapping (map.c) ------------------------------------------------------------------ */

enum feed_format { FEED_CSV, FEED_TSV, FEED_FIXED, FEED_XML };
enum feed_type { FT_STRING, FT_DATE, FT_DATETIME, FT_BOOL, FT_INT };
enum feed_xform { FX_NONE, FX_DATE, FX_DATETIME, FX_STATUTE, FX_DOLLARS, FX_CENTS };

/* One target field of the custody record and how to get its value. */
struct feed_rule {
    char *target;        /* custody-JSONL path ("person.dob"; relative inside charges) */
    int map_line;        /* where the mapping file says so */
    enum feed_type type; /* the target's JSON type */
    bool charge;         /* a field of each charge */
    bool extra;          /* a field the spec does not name (kept as an unknown field) */
    /* the source: a column / XPath, or a constant */
    char *column;   /* column name, fixed-width field name, or XPath (xml) */
    char *constant; /* when no column */
    int col;        /* resolved column index (csv/tsv/fixed) */
    void *xpath;    /* compiled XPath (xmlXPathCompExprPtr), xml */
    /* the value table */
    char **from, **to;
    size_t n_values;
    char *value_default; /* for a code the table does not list (NULL = a problem) */
    char *if_empty;      /* when the source is empty (NULL = the field is left out) */
    enum feed_xform xform;
    char **formats; /* date / datetime patterns, tried in order */
    size_t n_formats;
};

struct feed_fixed_col {
    char *name;
    size_t start, width; /* 0-based byte offset and width */
};

struct cust_map {
    char *path; /* the mapping file (messages) */
    char *name; /* the source's name */
    enum feed_format format;
    char delimiter;
    bool header;
    char **columns; /* csv/tsv without header: the column names */
    size_t n_columns;
    struct feed_fixed_col *fixed;
    size_t n_fixed;
    char *encoding;    /* NULL = UTF-8 */
    char *booking_key; /* column whose value groups rows into bookings (tabular) */
    char *charge_key;  /* column ordering charges within a booking (optional) */
    int key_col, charge_key_col;
    char *record;        /* xml: the element that is one booking (prefix:name) */
    char *charge_each;   /* xml: XPath of each charge relative to the record */
    void *charge_each_x; /* compiled */
    char **ns_prefix, **ns_uri;
    size_t n_ns;
    char *time_zone;
    enum feed_ambiguous ambiguous;
    bool snapshot_full; /* a feed run's file lists every booking in custody */
    struct feed_rule *rules;
    size_t n_rules;
    /* the output tree (render.c) */
    struct feed_node *tree;
};

/* ---- the output tree (render.c) ----------------------------------------------------------- */

struct feed_node {
    char *key;
    int rule;   /* leaf: index into rules; -1 for an object or the charges array */
    bool array; /* the charges array: children are one charge's fields */
    struct feed_node *kids;
    size_t n_kids;
};

/* A field the custody-JSONL spec names, in the spec's order (the order records are written). */
struct feed_target {
    const char *path;
    enum feed_type type;
    const char *values; /* "a | b | c" for an enumeration, else NULL */
    bool required;
};
extern const struct feed_target feed_booking_targets[];
extern const size_t feed_n_booking_targets;
extern const struct feed_target feed_charge_targets[];
extern const size_t feed_n_charge_targets;

/* Build m->tree from m->rules (canonical custody-JSONL order, extras after). */
void feed_tree_build(struct cust_map *m);
void feed_tree_free(struct feed_node *n);
/* The known target `path` (inside a charge when `charge`), or NULL. */
const struct feed_target *feed_target_find(const char *path, bool charge);

/* ---- values and rendering (render.c) ------------------------------------------------------ */

/* One rule's value for one booking or charge: text in the scratch buffer at `off`. */
struct feed_val {
    size_t off, n;
    bool present; /* false: the field is left out */
    bool raw;     /* a JSON literal (number, true, false), not a string */
};

struct feed_ctx {
    struct cust_diag *diag;   /* the record's problems */
    struct cust_buf *scratch; /* the values' text */
    struct feed_zone *zone;   /* the county's zone, or NULL */
    enum feed_ambiguous ambiguous;
};

/*
 * The value of rule `r` from `raw` (the source's text, trimmed; NULL or "" when empty): value
 * table, pattern and zone, normaliser, money, type. False after adding a problem at `path`.
 */
bool feed_value(struct feed_ctx *x, const struct feed_rule *r, const char *raw, const char *path,
                struct feed_val *out);
/* The record as one JSON line: booking values indexed by rule, charges n_charges x n_rules. */
enum cust_status feed_render(const struct cust_map *m, const char *scratch,
                             const struct feed_val *booking, const struct feed_val *charges,
                             size_t n_charges, struct cust_buf *out);

#endif
