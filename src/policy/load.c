/*
 * load.c - loading policies: files and overlays (base first), per-file validation (sources
 * complete, overrides resolvable, an overlay only narrows), the transitive `beats` closure,
 * per-target rule lists, the sha256 of policy and table files; freeing.
 */
#include "custodian/compat.h"
#include "custodian/datadir.h"

#include "parse_int.h"

#include <ctype.h>
#include <sodium.h>

/* Whether condition n (facts expanded) uses operator op. */
static bool node_uses(const struct cust_policy *p, int32_t n, uint8_t op)
{
    if (n < 0)
        return false;
    const struct pi_node *nd = &p->nodes[n];
    if (nd->op == op)
        return true;
    if (nd->op == N_FACT)
        return node_uses(p, p->facts[nd->a].node, op);
    return node_uses(p, nd->l, op) || node_uses(p, nd->r, op);
}

/* Checks over the rules one file added (from first_rule on). */
static enum cust_status validate_file(struct cust_policy *p, const char *name, size_t first_rule,
                                      bool overlay, struct cust_err *err)
{
    for (size_t i = 0; i < p->nsources; i++) {
        struct pi_source *s = &p->sources[i];
        if (!s->cite || !s->url || !s->checked || !s->confidence)
            return cust_err_set(err, CUST_EINVAL,
                                "%s:%d:1: source '%s' needs cite, url, checked and confidence",
                                name, s->line, s->id);
    }
    for (size_t i = first_rule; i < p->nrules; i++) {
        struct pi_rule *r = &p->rules[i];
        if (r->cond < 0)
            return cust_err_set(err, CUST_EINVAL, "%s:%d:1: rule '%s' has no 'when'", name, r->line,
                                r->id);
        if (r->ncites == 0)
            return cust_err_set(err, CUST_EINVAL, "%s:%d:1: rule '%s' has no 'cite'", name, r->line,
                                r->id);
        if (r->nthen == 0 && r->nduties == 0 && r->nneed_names == 0)
            return cust_err_set(err, CUST_EINVAL,
                                "%s:%d:1: rule '%s' has no 'then', 'duty' or 'need'", name, r->line,
                                r->id);
        if (r->nthen && r->nneed_names)
            return cust_err_set(err, CUST_EINVAL,
                                "%s:%d:1: rule '%s': 'need' only in rules without 'then'", name,
                                r->line, r->id);
        r->uses_allows = node_uses(p, r->cond, N_ALLOWS);
        if (r->uses_allows && r->nthen)
            return cust_err_set(err, CUST_EINVAL,
                                "%s:%d:1: rule '%s': 'allows' may only be used by duty-only rules",
                                name, r->line, r->id);
        for (size_t b = 0; b < r->nbasis; b++)
            if (node_uses(p, r->basis[b].node, N_ALLOWS))
                return cust_err_set(err, CUST_EINVAL, "%s:%d:1: 'allows' in a basis condition",
                                    name, r->line);
        if (overlay) {
            for (size_t k = 0; k < r->nthen; k++)
                if (r->then[k].verdict != CUST_VERDICT_PROHIBITED)
                    return cust_err_set(
                        err, CUST_EINVAL,
                        "%s:%d:1: overlay rule '%s' widens the state policy: '%s %s' (an overlay "
                        "may only narrow, i.e. prohibit)",
                        name, r->line, r->id, pi_target_names[r->then[k].target],
                        cust_verdict_name((enum cust_verdict)r->then[k].verdict));
        }
    }
    for (size_t i = first_rule; i < p->nrules; i++) {
        struct pi_rule *r = &p->rules[i];
        for (size_t k = 0; k < r->noverrides; k++) {
            size_t j;
            for (j = 0; j < p->nrules; j++)
                if (strcmp(p->rules[j].id, r->override_names[k]) == 0)
                    break;
            if (j == p->nrules)
                return cust_err_set(err, CUST_EINVAL,
                                    "%s:%d:1: rule '%s' overrides unknown rule '%s'", name, r->line,
                                    r->id, r->override_names[k]);
            if (j == i)
                return cust_err_set(err, CUST_EINVAL, "%s:%d:1: rule '%s' overrides itself", name,
                                    r->line, r->id);
            if (overlay && !p->rules[j].overlay)
                return cust_err_set(err, CUST_EINVAL,
                                    "%s:%d:1: overlay rule '%s' cannot override state rule '%s' "
                                    "(an overlay may only narrow)",
                                    name, r->line, r->id, p->rules[j].id);
            if ((r->then_mask & p->rules[j].then_mask) == 0)
                return cust_err_set(err, CUST_EINVAL,
                                    "%s:%d:1: rule '%s' overrides '%s' but decides none of its "
                                    "actions or items",
                                    name, r->line, r->id, p->rules[j].id);
            r->overrides[k] = (int16_t)j;
        }
    }
    return CUST_OK;
}

static enum cust_status parse_text(struct cust_policy *p, const char *name, const char *text,
                                   size_t len, const char *dir, bool overlay, struct cust_err *err)
{
    size_t first_rule = p->nrules;
    enum cust_status st = pi_parse_text(p, name, text, len, dir, overlay, err);
    return st ? st : validate_file(p, name, first_rule, overlay, err);
}

static void closure(struct cust_policy *p)
{
    for (size_t i = 0; i < p->nrules; i++) {
        memset(p->rules[i].beats, 0, sizeof(p->rules[i].beats));
        for (size_t k = 0; k < p->rules[i].noverrides; k++) {
            int j = p->rules[i].overrides[k];
            p->rules[i].beats[j / 64] |= 1ull << (j % 64);
        }
    }
    bool changed = true;
    while (changed) {
        changed = false;
        for (size_t i = 0; i < p->nrules; i++)
            for (size_t j = 0; j < p->nrules; j++)
                if (p->rules[i].beats[j / 64] & (1ull << (j % 64)))
                    for (size_t w = 0; w < PI_RULE_WORDS; w++) {
                        uint64_t nb = p->rules[i].beats[w] | p->rules[j].beats[w];
                        if (nb != p->rules[i].beats[w]) {
                            p->rules[i].beats[w] = nb;
                            changed = true;
                        }
                    }
    }
}

static enum cust_status finish(struct cust_policy *p, struct cust_err *err)
{
    if (p->nversions == 0)
        return cust_err_set(err, CUST_EINVAL, "policy '%s' declares no version", p->id);
    closure(p);
    for (size_t i = 0; i < p->nrules; i++)
        if (p->rules[i].beats[i / 64] & (1ull << (i % 64)))
            return cust_err_set(err, CUST_EINVAL,
                                "%s:%d:1: rule '%s' overrides itself through a cycle",
                                p->rules[i].file, p->rules[i].line, p->rules[i].id);
    pi_tables_bare_rows(p);
    pi_tables_finish(p);
    free(p->hot);
    free(p->side);
    free(p->verdict_of);
    free(p->beats_of);
    free(p->is_overlay);
    p->hot = cust_xcalloc(p->nrules + 1, sizeof(*p->hot));
    p->side = cust_xcalloc(p->nrules + 1, sizeof(*p->side));
    p->verdict_of = cust_xcalloc(p->nrules + 1, sizeof(*p->verdict_of));
    p->beats_of = cust_xcalloc(p->nrules + 1, sizeof(*p->beats_of));
    p->is_overlay = cust_xcalloc(p->nrules + 1, 1);
    p->nhot = p->nside = 0;
    for (size_t i = 0; i < p->nrules; i++) {
        const struct pi_rule *r = &p->rules[i];
        if (r->nthen)
            p->hot[p->nhot++] = (struct pi_hot){(uint16_t)i, r->then_mask, r->from, r->to, r->cond};
        if (r->nduties || r->nneed_names)
            p->side[p->nside++] = (uint16_t)i;
        for (size_t k = 0; k < r->nthen; k++)
            p->verdict_of[i][r->then[k].target] = r->then[k].verdict;
        memcpy(p->beats_of[i], r->beats, sizeof(r->beats));
        p->is_overlay[i] = r->overlay;
    }
    for (int t = 0; t < PT_COUNT; t++) {
        free(p->tgt_rules[t]);
        p->tgt_rules[t] = cust_xcalloc(p->nrules + 1, sizeof(uint16_t));
        p->ntgt_rules[t] = 0;
        for (size_t i = 0; i < p->nrules; i++)
            if ((p->rules[i].then_mask >> t) & 1u)
                p->tgt_rules[t][p->ntgt_rules[t]++] = (uint16_t)i;
    }
    return CUST_OK;
}

enum cust_status cust_policy_parse(const char *name, const char *text, size_t len, const char *dir,
                                   struct cust_policy **out, struct cust_err *err)
{
    struct cust_policy *p = cust_xcalloc(1, sizeof(*p));
    enum cust_status st = parse_text(p, name, text, len, dir, false, err);
    if (!st && p->base_id)
        st = cust_err_set(err, CUST_EINVAL, "%s: an overlay must be loaded by id", name);
    if (!st)
        st = finish(p, err);
    if (st) {
        cust_policy_free(p);
        return st;
    }
    snprintf(p->sha256, sizeof(p->sha256), "%s", "");
    *out = p;
    return CUST_OK;
}

const char *cust_policy_dir(const char *dir)
{
    if (dir && *dir)
        return dir;
    const char *e = getenv("CUSTODIAN_POLICIES");
    if (e && *e)
        return e;
    return cust_data_path("policies");
}

static enum cust_status read_file(const char *path, struct cust_buf *b, struct cust_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return cust_err_set(err, CUST_ENOTFOUND, "cannot open policy '%s'", path);
    enum cust_status st = cust_buf_read(b, f);
    fclose(f);
    if (st != CUST_OK)
        return cust_err_set(err, st, "cannot read '%s'", path);
    return CUST_OK;
}

static bool valid_id(const char *id)
{
    if (!*id || strlen(id) > 100 || strstr(id, "..") || id[0] == '/' || id[0] == '.')
        return false;
    for (const char *s = id; *s; s++)
        if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '-' || *s == '_' ||
              *s == '/'))
            return false;
    return true;
}

enum cust_status cust_policy_load(const char *dir, const char *id, struct cust_policy **out,
                                  struct cust_err *err)
{
    dir = cust_policy_dir(dir);
    const char *root = dir;
    char path[4096], bpath[4096];
    char pdir[4096];
    size_t idl = strlen(id);
    bool is_file = idl > 7 && strcmp(id + idl - 7, ".policy") == 0;
    if (is_file) {
        snprintf(path, sizeof(path), "%s", id);
        /* tables resolve against the file's policy root: its directory */
        snprintf(pdir, sizeof(pdir), "%s", id);
        char *sl = strrchr(pdir, '/');
        if (sl)
            *sl = '\0';
        else
            snprintf(pdir, sizeof(pdir), ".");
        dir = pdir;
    } else {
        if (!valid_id(id))
            return cust_err_set(err, CUST_ENOTFOUND, "no policy '%s'", id);
        snprintf(path, sizeof(path), "%s/%s.policy", dir, id);
    }
    struct cust_buf text = CUST_BUF_INIT, btext = CUST_BUF_INIT;
    enum cust_status st = read_file(path, &text, err);
    if (st) {
        if (st == CUST_ENOTFOUND && !is_file)
            cust_err_set(err, CUST_ENOTFOUND, "no policy '%s' (looked for '%s')", id, path);
        return st;
    }
    /* an overlay? find "narrows BASE" before parsing to load the base first */
    struct cust_policy *p = cust_xcalloc(1, sizeof(*p));
    const char *nl = text.buf;
    char base[128] = "";
    while (nl && *nl) {
        while (*nl == ' ' || *nl == '\t')
            nl++;
        if (strncmp(nl, "narrows ", 8) == 0) {
            const char *s = nl + 8;
            while (*s == ' ')
                s++;
            size_t k = 0;
            while (s[k] && s[k] != '\n' && s[k] != ' ' && s[k] != '#' && s[k] != '\r' &&
                   k + 1 < sizeof(base))
                k++;
            memcpy(base, s, k);
            base[k] = '\0';
            break;
        }
        nl = strchr(nl, '\n');
        if (nl)
            nl++;
    }
    crypto_hash_sha256_state hs;
    crypto_hash_sha256_init(&hs);
    if (*base) {
        if (!valid_id(base)) {
            st = cust_err_set(err, CUST_EINVAL, "%s: bad base policy id '%s'", path, base);
            goto fail;
        }
        dir = root; /* an overlay's base (and its tables) come from the policy directory */
        int w = snprintf(bpath, sizeof(bpath), "%s/%s.policy", dir, base);
        if (w < 0 || (size_t)w >= sizeof(bpath)) {
            st = cust_err_set(err, CUST_EINVAL, "policy path too long");
            goto fail;
        }
        st = read_file(bpath, &btext, err);
        if (st)
            goto fail;
        st = parse_text(p, bpath, btext.buf, btext.len, dir, false, err);
        if (st)
            goto fail;
        if (p->base_id) {
            st = cust_err_set(err, CUST_EINVAL, "%s: an overlay cannot narrow another overlay",
                              path);
            goto fail;
        }
        if (strcmp(p->id, base) != 0) {
            st = cust_err_set(err, CUST_EINVAL, "%s: declares policy '%s', expected '%s'", bpath,
                              p->id, base);
            goto fail;
        }
        crypto_hash_sha256_update(&hs, (const unsigned char *)btext.buf, btext.len);
        p->files[p->nfiles++] = cust_xstrdup(bpath);
        char *bid = p->id;
        p->id = NULL;
        /* the overlay's own id: from its 'policy' line (checked by parse_text) */
        const char *s = text.buf;
        while (s && strncmp(s, "policy ", 7) != 0) {
            s = strchr(s, '\n');
            if (s)
                s++;
        }
        char oid[128] = "";
        if (s) {
            s += 7;
            size_t k = 0;
            while (s[k] && s[k] != '\n' && s[k] != ' ' && s[k] != '\r' && k + 1 < sizeof(oid))
                k++;
            memcpy(oid, s, k);
            oid[k] = '\0';
        }
        p->id = cust_xstrdup(is_file ? oid : id);
        p->base_id = bid;
        st = parse_text(p, path, text.buf, text.len, dir, true, err);
        if (st)
            goto fail;
    } else {
        st = parse_text(p, path, text.buf, text.len, dir, false, err);
        if (st)
            goto fail;
        if (!is_file && strcmp(p->id, id) != 0) {
            st = cust_err_set(err, CUST_EINVAL, "%s: declares policy '%s', expected '%s'", path,
                              p->id, id);
            goto fail;
        }
    }
    crypto_hash_sha256_update(&hs, (const unsigned char *)text.buf, text.len);
    p->files[p->nfiles++] = cust_xstrdup(path);
    /* the tables are part of the law: hash them too */
    for (size_t t = 0; t < p->ntables; t++) {
        struct cust_buf tb = CUST_BUF_INIT;
        char tp[4096];
        int w = snprintf(tp, sizeof(tp), "%s/%s", dir, p->tables[t].file);
        if (w < 0 || (size_t)w >= sizeof(tp))
            continue;
        if (read_file(tp, &tb, NULL) == CUST_OK)
            crypto_hash_sha256_update(&hs, (const unsigned char *)tb.buf, tb.len);
        cust_buf_release(&tb);
    }
    st = finish(p, err);
    if (st)
        goto fail;
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&hs, h);
    for (size_t i = 0; i < sizeof(h); i++)
        snprintf(p->sha256 + 2 * i, 3, "%02x", h[i]);
    cust_buf_release(&text);
    cust_buf_release(&btext);
    *out = p;
    return CUST_OK;
fail:
    cust_buf_release(&text);
    cust_buf_release(&btext);
    cust_policy_free(p);
    return st;
}

void cust_policy_free(struct cust_policy *p)
{
    if (!p)
        return;
    free(p->id);
    free(p->base_id);
    free(p->title);
    free(p->nodes);
    for (size_t t = 0; t < p->ntables; t++) {
        struct pi_table *tb = &p->tables[t];
        free(tb->name);
        free(tb->file);
        for (size_t i = 0; i < tb->ncols; i++)
            free(tb->colnames[i]);
        free(tb->colnames);
        for (size_t i = 0; i < tb->nrows * tb->ncols; i++)
            free(tb->cells[i]);
        free(tb->cells);
        free(tb->tri);
        free(tb->setv);
        free(tb->setm);
        free(tb->setfrom);
    }
    for (size_t i = 0; i < p->ncodes_cap; i++)
        free(p->codes[i].code);
    free(p->codes);
    for (size_t i = 0; i < p->nattrs; i++)
        free(p->attrs[i].name);
    free(p->attrs);
    for (size_t i = 0; i < p->nfacts; i++)
        free(p->facts[i].name);
    free(p->facts);
    for (size_t i = 0; i < p->nsources; i++) {
        free(p->sources[i].id);
        free(p->sources[i].cite);
        free(p->sources[i].url);
        free(p->sources[i].checked);
        free(p->sources[i].confidence);
    }
    free(p->sources);
    for (size_t i = 0; i < p->nversions; i++)
        free(p->versions[i].label);
    free(p->versions);
    for (size_t i = 0; i < p->nrules; i++) {
        struct pi_rule *r = &p->rules[i];
        free(r->id);
        free(r->file);
        free(r->explain);
        for (size_t k = 0; k < r->nduties; k++) {
            free(r->duties[k].duty);
            free(r->duties[k].when);
        }
        for (size_t k = 0; k < r->noverrides; k++)
            free(r->override_names[k]);
        for (size_t k = 0; k < r->nneed_names; k++)
            free(r->need_names[k]);
    }
    free(p->rules);
    for (size_t i = 0; i < p->nvalues; i++)
        free(p->values[i]);
    for (size_t i = 0; i < p->nbasis_labels; i++)
        free(p->basis_labels[i]);
    for (size_t i = 0; i < p->nfiles; i++)
        free(p->files[i]);
    for (int t = 0; t < PT_COUNT; t++)
        free(p->tgt_rules[t]);
    free(p->hot);
    free(p->side);
    free(p->verdict_of);
    free(p->beats_of);
    free(p->is_overlay);
    free(p);
}

const char *cust_policy_id(const struct cust_policy *p)
{
    return p->id;
}

const char *cust_policy_sha256(const struct cust_policy *p)
{
    return p->sha256;
}
