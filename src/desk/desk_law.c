/*
 * desk_law.c - the law the desk applies beside the policies' verdicts, read as data from the
 * policy directory's desk/ folder (docs/internals/desk.md "Law as data"): how long a detainer's
 * hold window is and what it counts from (hold-windows.csv), how many business days each duty
 * gets (duty-deadlines.csv), on which basis a transfer is made and what it must record
 * (transfer-bases.csv), and which duty must be done before an action (action-prerequisites.csv).
 * Every row carries its citation. No statute's effect is written here: only how to read them.
 */
#include "custodian/compat.h"
#include "custodian/csv.h"
#include "desk_internal.h"

/* One table: `ncols` named columns (every one required in the header). `row` gets the fields
 * in that order; an error it returns is prefixed "FILE:LINE: ". */
typedef enum cust_status (*law_row_fn)(struct desk_law *law, const char *const *f,
                                       const char **why);

static enum cust_status load_table(struct desk_law *law, const char *dir, const char *file,
                                   const char *const *cols, size_t ncols, law_row_fn row,
                                   struct cust_err *err)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/desk/%s", dir, file);
    struct cust_csv csv;
    enum cust_status st = cust_csv_open_file(&csv, path, err);
    if (st != CUST_OK)
        return st;
    int at[8];
    CUST_ASSERT(ncols <= CUST_ARRAY_LEN(at));
    st = cust_csv_next(&csv, err);
    if (st != CUST_OK)
        st = cust_csv_error(&csv, path, st, err);
    for (size_t i = 0; st == CUST_OK && i < ncols; i++)
        if ((at[i] = cust_csv_column(&csv, cols[i])) < 0)
            st = cust_err_set(err, CUST_EINVAL, "%s:1: needs a column '%s'", path, cols[i]);
    while (st == CUST_OK && (st = cust_csv_next(&csv, err)) == CUST_OK && csv.nfields) {
        const char *f[8];
        for (size_t i = 0; i < ncols; i++)
            f[i] = (size_t)at[i] < csv.nfields ? csv.fields[at[i]] : "";
        const char *why = NULL;
        st = row(law, f, &why);
        if (st != CUST_OK)
            st = cust_err_set(err, st, "%s:%zu: %s", path, csv.line, why ? why : "bad row");
    }
    if (st == CUST_EINVAL && strstr(err ? err->msg : "", path) == NULL)
        st = cust_csv_error(&csv, path, st, err);
    cust_csv_release(&csv);
    return st;
}

static bool parse_count(const char *s, long max, long *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < 0 || v > max)
        return false;
    *out = v;
    return true;
}

static enum cust_status duty_row(struct desk_law *law, const char *const *f, const char **why)
{
    long days = 0;
    if (!f[0][0])
        return *why = "duty: required", CUST_EINVAL;
    if (f[1][0] && !parse_count(f[1], 365, &days))
        return *why = "business_days: not a number of days (0..365)", CUST_EINVAL;
    static const char *const owed_to[] = {"person",    "counsel", "court",
                                          "case_file", "public",  "state"};
    bool known = false;
    for (size_t i = 0; i < CUST_ARRAY_LEN(owed_to) && !known; i++)
        known = strcmp(f[3], owed_to[i]) == 0;
    if (!known)
        return *why = "owed_to: one of person, counsel, court, case_file, public, state",
               CUST_EINVAL;
    if (!f[4][0])
        return *why = "cite: required (the law the deadline comes from)", CUST_EINVAL;
    json_object_set_new(law->duty_days, f[0], f[1][0] ? json_integer(days) : json_null());
    if (f[2][0])
        json_object_set_new(law->duty_when, f[0], json_string(f[2]));
    if (strcmp(f[3], "person") == 0)
        json_object_set_new(law->duty_to_person, f[0], json_true());
    json_object_set_new(law->duty_cites, f[0], json_string(f[4]));
    if (!f[5][0])
        return *why = "task: required (what the duty asks, in words, for the worklist)",
               CUST_EINVAL;
    json_object_set_new(law->duty_notes, f[0], json_string(f[5]));
    return CUST_OK;
}

static enum cust_status hold_row(struct desk_law *law, const char *const *f, const char **why)
{
    long hours = 0;
    if (!f[0][0] || !f[1][0])
        return *why = "rule and request_kind: required", CUST_EINVAL;
    if (strcmp(f[2], "received") != 0 && strcmp(f[2], "release") != 0)
        return *why = "counted_from: received or release", CUST_EINVAL;
    if (!parse_count(f[3], 24 * 365, &hours) || hours == 0)
        return *why = "business_hours: not a number of hours", CUST_EINVAL;
    if (!f[4][0])
        return *why = "cite: required", CUST_EINVAL;
    if (law->nholds == CUST_ARRAY_LEN(law->holds))
        return *why = "too many hold windows", CUST_EINVAL;
    law->holds[law->nholds++] =
        (struct desk_hold_window){cust_xstrdup(f[0]), cust_xstrdup(f[1]),
                                  strcmp(f[2], "release") == 0, (int)hours, cust_xstrdup(f[4])};
    return CUST_OK;
}

static enum cust_status basis_row(struct desk_law *law, const char *const *f, const char **why)
{
    if (!f[0][0] || !f[1][0] || !f[2][0])
        return *why = "policy, request_kind and basis: required ('*' for any)", CUST_EINVAL;
    if (f[3][0] && strcmp(f[3], "warrant_number") != 0 && strcmp(f[3], "offense") != 0)
        return *why = "requires: warrant_number, offense or nothing", CUST_EINVAL;
    if (!f[4][0])
        return *why = "cite: required", CUST_EINVAL;
    if (law->nbases == CUST_ARRAY_LEN(law->bases))
        return *why = "too many transfer bases", CUST_EINVAL;
    law->bases[law->nbases++] =
        (struct desk_transfer_basis){cust_xstrdup(f[0]), cust_xstrdup(f[1]), cust_xstrdup(f[2]),
                                     f[3][0] ? cust_xstrdup(f[3]) : NULL, cust_xstrdup(f[4])};
    return CUST_OK;
}

static enum cust_status prereq_row(struct desk_law *law, const char *const *f, const char **why)
{
    if (!f[0][0] || !f[1][0] || !f[2][0])
        return *why = "action, duty and cite: required", CUST_EINVAL;
    if (law->nprereqs == CUST_ARRAY_LEN(law->prereqs))
        return *why = "too many prerequisites", CUST_EINVAL;
    law->prereqs[law->nprereqs++] =
        (struct desk_prerequisite){cust_xstrdup(f[0]), cust_xstrdup(f[1]), cust_xstrdup(f[2])};
    return CUST_OK;
}

enum cust_status desk_law_load(struct desk_law *law, const char *policies_dir, struct cust_err *err)
{
    memset(law, 0, sizeof(*law));
    law->duty_days = json_object();
    law->duty_cites = json_object();
    law->duty_notes = json_object();
    law->duty_when = json_object();
    law->duty_to_person = json_object();
    static const char *const duty_cols[] = {"duty",    "business_days", "when",
                                            "owed_to", "cite",          "task"};
    static const char *const hold_cols[] = {"rule", "request_kind", "counted_from",
                                            "business_hours", "cite"};
    static const char *const basis_cols[] = {"policy", "request_kind", "basis", "requires", "cite"};
    static const char *const prereq_cols[] = {"action", "duty", "cite"};
    enum cust_status st = load_table(law, policies_dir, "duty-deadlines.csv", duty_cols,
                                     CUST_ARRAY_LEN(duty_cols), duty_row, err);
    if (st == CUST_OK)
        st = load_table(law, policies_dir, "hold-windows.csv", hold_cols, CUST_ARRAY_LEN(hold_cols),
                        hold_row, err);
    if (st == CUST_OK)
        st = load_table(law, policies_dir, "transfer-bases.csv", basis_cols,
                        CUST_ARRAY_LEN(basis_cols), basis_row, err);
    if (st == CUST_OK)
        st = load_table(law, policies_dir, "action-prerequisites.csv", prereq_cols,
                        CUST_ARRAY_LEN(prereq_cols), prereq_row, err);
    if (st != CUST_OK)
        desk_law_release(law);
    return st;
}

void desk_law_release(struct desk_law *law)
{
    json_decref(law->duty_days);
    json_decref(law->duty_cites);
    json_decref(law->duty_notes);
    json_decref(law->duty_when);
    json_decref(law->duty_to_person);
    for (size_t i = 0; i < law->nholds; i++) {
        free(law->holds[i].rule);
        free(law->holds[i].request_kind);
        free(law->holds[i].cite);
    }
    for (size_t i = 0; i < law->nbases; i++) {
        free(law->bases[i].policy);
        free(law->bases[i].request_kind);
        free(law->bases[i].basis);
        free(law->bases[i].requires);
        free(law->bases[i].cite);
    }
    for (size_t i = 0; i < law->nprereqs; i++) {
        free(law->prereqs[i].action);
        free(law->prereqs[i].duty);
        free(law->prereqs[i].cite);
    }
    memset(law, 0, sizeof(*law));
}

const struct desk_hold_window *desk_hold_window(const struct desk_law *law, const char *kind,
                                                bool from_release)
{
    for (size_t i = 0; i < law->nholds; i++)
        if (strcmp(law->holds[i].request_kind, kind) == 0 &&
            law->holds[i].from_release == from_release)
            return &law->holds[i];
    return NULL;
}

const struct desk_hold_window *desk_hold_window_by_rule(const struct desk_law *law,
                                                        const char *rule)
{
    for (size_t i = 0; rule && i < law->nholds; i++)
        if (strcmp(law->holds[i].rule, rule) == 0)
            return &law->holds[i];
    return NULL;
}

/* `policy` matches a row's policy when equal, when it is an overlay of it ("us-ca/x" for
 * "us-ca"), or when the row says "*". */
static int policy_match(const char *row, const char *policy)
{
    if (strcmp(row, "*") == 0)
        return 1;
    size_t n = strlen(row);
    if (policy && strncmp(policy, row, n) == 0 && (policy[n] == '\0' || policy[n] == '/'))
        return policy[n] == '\0' ? 3 : 2;
    return 0;
}

const struct desk_transfer_basis *desk_transfer_basis(const struct desk_law *law,
                                                      const char *policy, const char *kind)
{
    const struct desk_transfer_basis *best = NULL;
    int best_score = 0;
    for (size_t i = 0; i < law->nbases; i++) {
        const struct desk_transfer_basis *b = &law->bases[i];
        int p = policy_match(b->policy, policy);
        bool k = strcmp(b->request_kind, kind) == 0, any = strcmp(b->request_kind, "*") == 0;
        if (!p || (!k && !any))
            continue;
        int score = p * 2 + (k ? 1 : 0); /* the policy first, then the kind */
        if (score > best_score) {
            best = b;
            best_score = score;
        }
    }
    return best;
}
