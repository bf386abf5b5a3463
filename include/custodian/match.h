/*
 * match.h - person matching: name standardisation, a phonetic key (NYSIIS),
 * Jaro-Winkler similarity, date-of-birth agreement levels, and an in-memory
 * index that turns a subject (booking number, names, dob, strong ids) into
 * ranked candidates with a score and per-field reasons.
 *
 * The module is store-independent: the caller (the request desk) loads
 * persons from wherever it likes and adds them with cust_match_index_add().
 * Every string handed in is copied; the index owns its memory and the caller
 * keeps ownership of everything it passes. Scoring is a Fellegi-Sunter style
 * sum of log2 likelihood ratios ("points"); see docs/internals/match.md.
 *
 * Only a candidate with `strong == true` (exact booking number or exact
 * strong id, and no conflicting strong id) may be linked without a person
 * confirming it.
 *
 *     struct cust_match_index *ix = cust_match_index_new();
 *     cust_match_index_add(ix, &person, &err);      // for every person
 *     cust_match_index_build(ix, &err);
 *     cust_match_query(ix, &subject, NULL, cands, 10, &n, &err);
 *     cust_match_index_free(ix);
 */
#ifndef CUSTODIAN_MATCH_H
#define CUSTODIAN_MATCH_H

#include "custodian/status.h"

/* ---- name standardisation ------------------------------------------------------------------ */

#define CUST_NAME_MAX       128  /* bytes of a standardised name, NUL included */
#define CUST_NAME_MAX_PARTS 8    /* significant parts kept */
#define CUST_NAME_PART_MAX  32   /* bytes of one part, NUL included */
#define CUST_NAME_INPUT_MAX 1024 /* longer input is refused with CUST_ETOOBIG */

struct cust_std_name {
    /* All tokens, uppercase ASCII, single spaces: "DE LA CRUZ", "GARCIA LOPEZ". */
    char text[CUST_NAME_MAX];
    /* The tokens without spaces: "DELACRUZ", "GARCIALOPEZ", "OBRIEN". */
    char compact[CUST_NAME_MAX];
    /* Significant parts: tokens minus particles (DE, DEL, LA, VAN, ...) that precede another
     * token. "GARCIA-LOPEZ" -> GARCIA, LOPEZ; "de la Cruz" -> CRUZ; "VAN DER BERG" -> BERG. */
    char parts[CUST_NAME_MAX_PARTS][CUST_NAME_PART_MAX];
    size_t n_parts;
    /* A generational suffix found as the last token and stripped: "JR", "SR", "II", "III",
     * "IV" (JNR/SNR are normalised to JR/SR); "" when none. */
    char suffix[4];
    /* True when the input had more text than the fixed-size fields hold. */
    bool truncated;
};

/*
 * Standardise a UTF-8 name: its name key (namekey.h: NFKC, case folding, marks stripped, ø/ł/đ/æ
 * spelled in ASCII, apostrophes removed: "O'Brien" -> OBRIEN, other punctuation, hyphens and
 * spaces breaking tokens) in upper case, digits dropped, suffix stripped and reported, particles
 * set aside in `parts`. Letters of scripts other than Latin break tokens: the phonetic
 * comparison (NYSIIS, Jaro-Winkler) is for names written in Latin letters.
 * `utf8` may be NULL (an empty name). Returns CUST_EINVAL for malformed UTF-8 (overlong,
 * surrogate, truncated sequence) and CUST_ETOOBIG for input over CUST_NAME_INPUT_MAX bytes;
 * `out` is then an empty name.
 */
enum cust_status cust_name_standardize(const char *utf8, struct cust_std_name *out,
                                       struct cust_err *err);

/* ---- phonetic key and similarity ----------------------------------------------------------- */

#define CUST_NYSIIS_MAX 64 /* bytes of a key, NUL included; longer keys are cut */

/*
 * The NYSIIS key of `name` (letters A-Z / a-z are used, anything else is skipped), following the
 * original algorithm (Taft 1970, "Name Search Techniques") without the 6-character cut, so
 * "MCCORMACK" -> MCARNAC. Writes "" for a name without letters. Returns the key length.
 */
size_t cust_nysiis(const char *name, char out[CUST_NYSIIS_MAX]);

/*
 * Jaro-Winkler similarity of two byte strings in [0, 1]: Jaro with the usual match window
 * (max(len)/2 - 1), Winkler prefix bonus 0.1 per common leading character (up to 4), applied
 * when the Jaro value exceeds 0.7. Two empty strings give 1, one empty string 0. Strings are
 * compared over at most their first 64 bytes.
 */
double cust_jaro_winkler(const char *a, const char *b);

/* ---- date of birth agreement --------------------------------------------------------------- */

enum cust_dob_level {
    CUST_DOB_MISSING = 0, /* either date absent or unparsable: no evidence */
    CUST_DOB_EXACT,       /* same full date */
    CUST_DOB_PARTIAL,     /* a partial date (YYYY-MM-XX, YYYY-XX-XX) compatible with the other */
    CUST_DOB_ONE_DIGIT,   /* full dates differing in one digit of YYYYMMDD (a typo) */
    CUST_DOB_SWAPPED,     /* same year, day and month exchanged (04-02 vs 02-04) */
    CUST_DOB_YEAR_ONLY,   /* same year, nothing else agrees */
    CUST_DOB_NONE         /* disagreement */
};

/* Compare two dob strings (`YYYY-MM-DD`, `YYYY-MM-XX`, `YYYY-XX-XX`, NULL or "" = missing). */
enum cust_dob_level cust_dob_compare(const char *a, const char *b);
/* The points (log2 likelihood ratio) a level contributes; see docs/internals/match.md. */
double cust_dob_weight(enum cust_dob_level level);
/* A stable label: "exact", "partial date compatible", "one digit off", "day/month swapped",
 * "year only", "disagree", "missing". */
const char *cust_dob_level_name(enum cust_dob_level level);

/* ---- the index ----------------------------------------------------------------------------- */

/* One name a person is known by (or a subject is given under). Fields may be NULL or "". */
struct cust_match_name {
    const char *last_name;
    const char *first_name;
    const char *dob; /* YYYY-MM-DD, YYYY-MM-XX, YYYY-XX-XX */
};

/*
 * A person (for the index) or a subject (for a query). names[0] is the primary name, the rest
 * are aliases. Strong ids may be NULL/"": they are normalised (uppercase, only letters and
 * digits; an A-number loses its leading "A" and leading zeros, so "A-012-345-678" equals
 * "12345678"). `person_id` is the caller's key and is only echoed back.
 */
struct cust_match_person {
    int64_t person_id;
    const struct cust_match_name *names;
    size_t n_names;
    const char *cii, *fbi, *sid, *a_number;
    const char *const *booking_numbers;
    size_t n_booking_numbers;
};

#define CUST_MATCH_MAX_REASONS 12

struct cust_match_reason {
    char field[24]; /* "last_name", "first_name", "dob", "fbi", "booking_number", "name", ... */
    char text[64];  /* "jaro-winkler 0.96", "day/month swapped", "exact", "conflict", ... */
    double points;  /* this field's contribution */
};

struct cust_match_candidate {
    int64_t person_id;
    double points;     /* sum of the reasons' points (log2 likelihood ratio) */
    double score;      /* posterior probability 1 / (1 + 2^(CUST_MATCH_PRIOR_POINTS - points)) */
    bool strong;       /* exact booking number or strong id, and no strong id in conflict */
    bool conflict;     /* some strong id present on both sides differs */
    size_t name_index; /* the person's name that matched best (0 = primary, k = alias k) */
    size_t n_reasons;
    struct cust_match_reason reasons[CUST_MATCH_MAX_REASONS];
};

/* Prior log2 odds against a random pair matching: score 0.5 at this many points. */
#define CUST_MATCH_PRIOR_POINTS 12.0

struct cust_match_options {
    double min_points; /* drop weaker candidates (strong ones are always kept); default 0 */
};

struct cust_match_index;

/* A new, empty index (aborts on out-of-memory like every internal allocation). */
struct cust_match_index *cust_match_index_new(void);
/* Free the index and everything it owns; NULL is fine. */
void cust_match_index_free(struct cust_match_index *ix);

/*
 * Copy a person into the index. Invalidates a previous build (call cust_match_index_build
 * again before querying). Returns CUST_EINVAL (naming the field, e.g. "names[1].last_name:
 * invalid utf-8 at byte 3") for a name that cannot be standardised, more than 64 names or more
 * than 1,000 booking numbers, CUST_ETOOBIG past 2^31 persons or 4 GiB of text; the index is
 * unchanged on error. Ids and booking numbers are compared over their first 31 normalised
 * characters.
 */
enum cust_status cust_match_index_add(struct cust_match_index *ix,
                                      const struct cust_match_person *p, struct cust_err *err);

/* Sort the blocking keys so the index can be queried. O(k log k) in the number of keys. */
enum cust_status cust_match_index_build(struct cust_match_index *ix, struct cust_err *err);

/* Persons added so far. */
size_t cust_match_index_count(const struct cust_match_index *ix);
/* Bytes of heap the index holds (arrays and text, excluding malloc overhead). */
size_t cust_match_index_memory(const struct cust_match_index *ix);

/*
 * Rank the persons that share a blocking key with `subject` (strong ids and booking numbers;
 * NYSIIS of the surname and of each surname part; first initial + birth year; full dob; surname
 * initial + NYSIIS of the first given name; the subject also probes those keys with first and
 * last name exchanged and with day and month exchanged) and write the best `cap` into `out`,
 * ordered strong first, then by points, then by person_id. `opt` may be NULL for the defaults.
 * *n_out receives the number written. The index is not modified, so concurrent queries on a
 * built index are safe. Returns CUST_ECONFLICT if the index was not built since the last add,
 * CUST_EINVAL for a subject that cannot be standardised (see cust_match_index_add).
 */
enum cust_status cust_match_query(const struct cust_match_index *ix,
                                  const struct cust_match_person *subject,
                                  const struct cust_match_options *opt,
                                  struct cust_match_candidate *out, size_t cap, size_t *n_out,
                                  struct cust_err *err);

/*
 * Score one subject against one person without an index (same rules as a query, whatever the
 * blocking keys). Useful for re-checking a single pair and in tests.
 */
enum cust_status cust_match_compare(const struct cust_match_person *subject,
                                    const struct cust_match_person *person,
                                    struct cust_match_candidate *out, struct cust_err *err);

#endif
