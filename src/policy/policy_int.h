/*
 * policy_int.h - internals of the policy engine, shared by the files of src/policy/.
 * See docs/internals/policy.md for the design.
 */
#ifndef CUSTODIAN_POLICY_INT_H
#define CUSTODIAN_POLICY_INT_H

#include "custodian/buf.h"
#include "custodian/policy.h"
#include "custodian/vocab.h"

#define PI_MAX_RULES     256
#define PI_RULE_WORDS    (PI_MAX_RULES / 64)
#define PI_MAX_TABLES    8
#define PI_MAX_CITES     8
#define PI_MAX_BASIS     8
#define PI_MAX_DUTIES    4
#define PI_MAX_OVERRIDES 16
#define PI_MAX_VALUES    64 /* interned set values (category letters ...) */
#define PI_MAX_ELEMENTS  1000
#define PI_CODE_MAX      64

/* Targets: asked actions, then requested items (decide.md). */
enum pi_target {
    PT_HOLD,
    PT_NOTIFY,
    PT_TRANSFER,
    PT_ARREST,
    PT_INTERVIEW,
    PT_BOOKING_FACTS,
    PT_CHARGES,
    PT_CONVICTIONS,
    PT_CITIZENSHIP,
    PT_IMMIGRATION_STATUS,
    PT_RELEASE_DATE,
    PT_HOME_ADDRESS,
    PT_WORK_ADDRESS,
    PT_CONTACT_INFO,
    PT_COUNT
};
#define PT_FIRST_ITEM   PT_BOOKING_FACTS
#define PT_ACTIONS_MASK ((1u << PT_FIRST_ITEM) - 1u)
#define PT_ALL_MASK     ((1u << PT_COUNT) - 1u)
/* The contract's names live in base (vocab.h), shared with the request desk. */
#define pi_target_names cust_vocab_targets

enum pi_kind {
    PK_DETAINER,
    PK_NOTIFICATION_REQUEST,
    PK_TRANSFER_REQUEST,
    PK_ADMINISTRATIVE_WARRANT,
    PK_JUDICIAL_WARRANT,
    PK_JUDICIAL_PROBABLE_CAUSE,
    PK_INTERVIEW_REQUEST,
    PK_INFORMATION_REQUEST,
    PK_ADMINISTRATIVE_SUBPOENA,
    PK_COURT_ORDER,
    PK_COUNT
};
#define pi_kind_names        cust_vocab_kinds
#define pi_kind_default_asks cust_vocab_default_asks
_Static_assert(PT_COUNT == CUST_VOCAB_TARGETS && PK_COUNT == CUST_VOCAB_KINDS &&
                   PT_FIRST_ITEM == CUST_VOCAB_ACTIONS,
               "policy targets and kinds follow vocab.h");

enum pi_citizenship { PC_CITIZEN, PC_NON_CITIZEN, PC_UNKNOWN, PC_COUNT };
extern const char *const pi_citizenship_names[PC_COUNT];

/* subject.immigration_status.status (decide.md); absent = unknown. */
enum pi_immigration {
    PI_IMM_LPR,
    PI_IMM_NONIMMIGRANT,
    PI_IMM_REFUGEE_ASYLEE,
    PI_IMM_TPS,
    PI_IMM_UNDOCUMENTED,
    PI_IMM_UNKNOWN,
    PI_IMM_COUNT
};
extern const char *const pi_immigration_names[PI_IMM_COUNT];

/* request.accompanying_warrant: the administrative warrant sent with a detainer; absent = none. */
enum pi_warrant { PW_NONE, PW_I200, PW_I205, PW_COUNT };
extern const char *const pi_warrant_names[PW_COUNT]; /* "none", "I-200", "I-205" */

/* Case-level booleans (decide.md "subject"). */
enum pi_cbool {
    PB_RELEASE_DATE_PUBLIC,
    PB_SEX_ARSON_REGISTRANT,
    PB_OUTSTANDING_FEDERAL_FELONY_WARRANT,
    PB_CITIZENSHIP_VERIFIED,
    PB_ADDRESS_PUBLIC,
    PB_IMMIGRATION_PROOF, /* subject.immigration_status.proof_provided */
    PB_POPULATION,        /* request.population: a request about a population, not one person */
    PB_COUNT
};
extern const char *const pi_cbool_names[PB_COUNT];

enum pi_list { PL_CONVICTIONS, PL_PENDING, PL_COUNT };
extern const char *const pi_list_names[PL_COUNT];      /* policy-language names */
extern const char *const pi_list_json_names[PL_COUNT]; /* case JSON names */

enum pi_level { PV_UNKNOWN = 0, PV_FELONY = 1, PV_MISDEMEANOR = 2 };
enum pi_jur { PJ_CA = 1, PJ_FEDERAL = 2, PJ_OTHER_STATE = 3 };

/* Per-element overrides the contract names (decide.md); the policy binds attrs to them by name. */
enum pi_ov {
    PO_SERIOUS,
    PO_VIOLENT,
    PO_STATE_PRISON,
    PO_WOBBLER,
    PO_PROP47_REDUCED,
    PO_AGGRAVATED_FELONY,
    PO_CATEGORY,
    PO_COUNT
};
extern const char *const pi_ov_names[PO_COUNT];

enum pi_tri { TRI_F = 0, TRI_T = 1, TRI_U = 2 };

/* ---- the case ---- */
struct pi_el {
    char code[PI_CODE_MAX]; /* normalized */
    int32_t date;
    bool has_date;
    uint8_t level; /* enum pi_level */
    uint8_t jur;   /* enum pi_jur */
    bool held_to_answer;
    uint8_t ov_set;       /* bit per enum pi_ov given */
    uint8_t ov_bool;      /* bit per enum pi_ov (bool value) */
    char ov_category[64]; /* raw category override ("F", "P;Q") */
};

struct cust_case {
    char *jurisdiction;
    int32_t as_of;
    uint8_t kind;
    uint32_t asks;  /* target mask (actions) */
    uint32_t items; /* target mask (items) */
    uint8_t asks_order[PT_COUNT];
    uint8_t nasks_order;
    uint8_t citizenship;
    uint8_t immigration; /* enum pi_immigration */
    uint8_t warrant;     /* enum pi_warrant */
    bool cbool[PB_COUNT];
    struct pi_el *els[PL_COUNT];
    size_t nels[PL_COUNT];
};

/* ---- the compiled policy ---- */
enum pi_op {
    N_CONST,
    N_AND,
    N_OR,
    N_NOT,
    N_KIND_IN,    /* mask over pi_kind */
    N_CIT_IN,     /* mask over pi_citizenship */
    N_CBOOL,      /* a = pi_cbool */
    N_ASKS,       /* a = target */
    N_ALLOWS,     /* a = target (duty phase only) */
    N_FACT,       /* a = fact index */
    N_ANY,        /* a = list, l = element condition */
    N_ALL,        /* a = list, l = element condition */
    N_ATTR,       /* a = attr index (bool) */
    N_SET_IN,     /* a = attr index (set), mask = values; mask 0 = "any" */
    N_LEVEL_IN,   /* mask over pi_level */
    N_JUR_IN,     /* mask over pi_jur */
    N_HELD,       /* held_to_answer */
    N_WITHIN,     /* n = years (>0) or -days (<0) */
    N_IN_TABLE,   /* a = table */
    N_COL,        /* a = table, b = column: yes/no */
    N_IMM_IN,     /* mask over pi_immigration */
    N_WARRANT_IN, /* mask over pi_warrant */
    N_DATED       /* element date: b = 0 before day n, 1 on or after day n */
};

struct pi_node {
    uint8_t op;
    uint8_t a;
    uint16_t b;
    int32_t l, r;
    int32_t n;
    uint64_t mask;
    int32_t line, col;
};

struct pi_table {
    char *name;
    char *file;
    size_t ncols, nrows;
    char **colnames;
    char **cells;       /* nrows * ncols */
    uint8_t *tri;       /* nrows * ncols: yes/no/unknown */
    uint64_t *setv;     /* nrows * ncols: interned values (set columns only), else 0 */
    uint64_t *setm;     /* nrows * ncols: qualified values (`S[from D]`, `[conditional]`) */
    int32_t *setfrom;   /* nrows * ncols: the `from` day of the qualified values, or INT32_MIN */
    size_t nreal;       /* rows from the file; rows from nreal on are bare-section rows */
    bool bare_sections; /* `bare_sections`: a bare section takes what its subdivisions agree on */
};

/* Code dictionary entry: per table, row >= 0 matched, -1 absent, -2 a more specific entry exists.
 */
struct pi_code {
    char *code;
    int16_t row[PI_MAX_TABLES];
    int16_t bare[PI_MAX_TABLES]; /* for a partial entry: its bare-section row, or -1 */
};

struct pi_attr {
    char *name;
    bool is_set;
    int ov;       /* enum pi_ov bound by name, or -1 */
    int32_t node; /* bool attrs: definition (element context), -1 = table columns only */
    uint8_t ncols;
    uint8_t tab[4];
    uint16_t col[4];
};

struct pi_fact {
    char *name;
    int32_t node;
};

struct pi_hot {
    uint16_t idx;
    uint32_t then_mask;
    int32_t from, to, cond;
};

struct pi_source {
    char *id, *cite, *url, *checked, *confidence;
    int line;
};

struct pi_version {
    int32_t from;
    char *label;
};

struct pi_then {
    uint8_t target, verdict;
};

struct pi_basis {
    uint8_t label; /* interned basis label */
    int32_t node;  /* -1 = always */
};

struct pi_duty {
    char *duty;
    char *when; /* NULL or the "when" value */
};

struct pi_rule {
    char *id;
    char *file;
    int line;
    bool overlay;
    int32_t from, to;
    int32_t cond;
    char *explain;
    uint8_t nthen, ncites, nbasis, nduties, noverrides;
    uint32_t then_mask;
    struct pi_then then[PT_COUNT];
    uint16_t cites[PI_MAX_CITES];
    struct pi_basis basis[PI_MAX_BASIS];
    struct pi_duty duties[PI_MAX_DUTIES];
    char *need_names[PI_MAX_DUTIES]; /* `need NAME`: case-level facts to ask for */
    uint8_t nneed_names;
    char *override_names[PI_MAX_OVERRIDES];
    int16_t overrides[PI_MAX_OVERRIDES];
    uint64_t beats[PI_RULE_WORDS]; /* transitive closure of overrides */
    bool uses_allows;
};

struct cust_policy {
    char *id;
    char *base_id; /* overlay: the narrowed policy */
    char *title;
    char sha256[65];
    struct pi_node *nodes;
    size_t nnodes, anodes;
    struct pi_table tables[PI_MAX_TABLES];
    size_t ntables;
    struct pi_code *codes; /* open-addressing hash, size ncodes_cap (power of two) */
    size_t ncodes, ncodes_cap;
    struct pi_attr *attrs;
    size_t nattrs;
    struct pi_fact *facts;
    size_t nfacts;
    struct pi_source *sources;
    size_t nsources;
    struct pi_version *versions;
    size_t nversions;
    struct pi_rule *rules;
    size_t nrules;
    char *values[PI_MAX_VALUES]; /* interned set values */
    size_t nvalues;
    char *basis_labels[64];
    size_t nbasis_labels;
    char *files[4];
    size_t nfiles;
    uint16_t *tgt_rules[PT_COUNT]; /* per target: the rules that decide it, in file order */
    uint16_t ntgt_rules[PT_COUNT];
    /* Compact copies of what every decision reads (load.c, finish): the big pi_rule structs
     * stay out of the hot loops. */
    struct pi_hot *hot; /* the verdict rules (with `then`), in file order */
    size_t nhot;
    uint16_t *side; /* the rules with duties or needs, in file order */
    size_t nside;
    uint8_t (*verdict_of)[PT_COUNT];     /* per rule, per target: its verdict or 0 */
    uint64_t (*beats_of)[PI_RULE_WORDS]; /* per rule: the rules it beats (closure) */
    uint8_t *is_overlay;                 /* per rule */
};

/* ---- the decision ---- */
struct pi_need {
    uint8_t list; /* PL_*, or 0xFF for a case-level fact */
    uint16_t idx;
    const char *name;
};

struct pi_entry {
    uint8_t verdict;
    int16_t rule; /* first winner */
    uint64_t winners[PI_RULE_WORDS];
    uint64_t basis;
};

struct pi_duty_out {
    int16_t rule;
    uint8_t duty; /* index into that rule's duties */
};

struct cust_decision {
    int32_t as_of;
    int version; /* index */
    uint8_t kind;
    uint32_t asked; /* target mask */
    struct pi_entry entry[PT_COUNT];
    struct pi_duty_out *duties;
    size_t nduties, aduties;
    struct pi_need *needs; /* scratch during evaluation */
    size_t nneeds, aneeds;
    struct pi_need *out_needs;
    size_t nout_needs, aout_needs;
    /* per-rule evaluation */
    uint8_t rule_val[PI_MAX_RULES];
    uint32_t rule_need_lo[PI_MAX_RULES], rule_need_hi[PI_MAX_RULES];
    uint64_t fired[PI_RULE_WORDS];
    /* memo */
    uint8_t *fact_val;
    uint32_t *fact_need_lo, *fact_need_hi;
    size_t afacts;
    uint8_t *attr_val; /* per element per attr */
    size_t aattr;
    const struct pi_code **el_code[PL_COUNT];
    uint8_t *el_exact[PL_COUNT]; /* the element's code is the entry itself, not a subdivision */
    size_t ael_code[PL_COUNT];
    /* trace */
    bool tracing;
    struct cust_buf trace;
    size_t *trace_off;
    size_t ntrace, atrace;
    char **trace_lines; /* view built on demand */
};

/* Evaluation context. `assign` is non-NULL in policy check (variables instead of facts). */
struct pi_ctx {
    const struct cust_policy *p;
    const struct cust_case *c;
    struct cust_decision *d;
    const int32_t *var_of_node; /* check mode */
    const uint8_t *assign;
    bool duty_phase;
};

/* eval.c */
uint8_t pi_eval(struct pi_ctx *x, int32_t node, int list, size_t idx);
enum cust_status pi_assemble(struct pi_ctx *x, uint32_t targets, int32_t as_of,
                             struct cust_err *err);
int pi_version_at(const struct cust_policy *p, int32_t day);

/* render.c: condition n as policy text (prec: 0 top, 1 or, 2 and, 3 not). */
void pi_node_text(const struct cust_policy *p, int32_t n, struct cust_buf *b, int prec);

/* table.c */
enum cust_status pi_table_load(struct cust_policy *p, const char *dir, const char *name,
                               const char *file, const char *keycol, struct cust_err *err);
/* The dictionary entry for `code` or its nearest less specific form; *exact: no stripping. */
const struct pi_code *pi_code_lookup(const struct cust_policy *p, const char *code, bool *exact);
/* The row of `pc` in table t: its own row, the bare-section row when the code is exactly a
 * bare section of a `bare_sections` table, -2 when only more specific rows exist, else -1.
 * Inline: it is on the path of every table test of every decision. */
static inline int pi_code_row(const struct pi_code *pc, bool exact, size_t t)
{
    if (!pc)
        return -1;
    if (pc->row[t] == -2 && exact && pc->bare[t] >= 0)
        return pc->bare[t];
    return pc->row[t];
}
int pi_value_intern(struct cust_policy *p, const char *v);
int pi_table_col(const struct pi_table *t, const char *name);
void pi_tables_finish(struct cust_policy *p);
void pi_tables_bare_rows(struct cust_policy *p);

/* util */
int pi_target_from_name(const char *s);
int pi_kind_from_name(const char *s);
void pi_trace(struct cust_decision *d, const char *fmt, ...) CUST_PRINTF(2, 3);
const char *pi_date_str(int32_t day, char buf[11]);

#endif
