/* import.c - custody JSONL import and export (shared/spec/custody-jsonl.md). */
#include "custodian/compat.h"
#include "custodian/file.h"
#include "custodian/buf.h"
#include "custodian/date.h"
#include "custodian/ledger.h"
#include "custodian/records.h"

#include <errno.h>
#include <pthread.h>
#include <inttypes.h>
#include <jansson.h>
#include <nettle/sha2.h>
#include <sodium.h>
#include <sys/stat.h>
#include <time.h>

/* A set of person row ids (open addressing), to count distinct persons per import. */
struct idset {
    int64_t *slot;
    size_t cap, n;
};

static bool idset_add(struct idset *s, int64_t id)
{
    if ((s->n + 1) * 2 > s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 1024;
        int64_t *ns = cust_xcalloc(ncap, sizeof(*ns));
        for (size_t i = 0; i < s->cap; i++) {
            if (!s->slot[i])
                continue;
            size_t h = (size_t)((uint64_t)s->slot[i] * 0x9E3779B97F4A7C15u) & (ncap - 1);
            while (ns[h])
                h = (h + 1) & (ncap - 1);
            ns[h] = s->slot[i];
        }
        free(s->slot);
        s->slot = ns;
        s->cap = ncap;
    }
    size_t h = (size_t)((uint64_t)id * 0x9E3779B97F4A7C15u) & (s->cap - 1);
    while (s->slot[h]) {
        if (s->slot[h] == id)
            return false;
        h = (h + 1) & (s->cap - 1);
    }
    s->slot[h] = id;
    s->n++;
    return true;
}

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void progress(off_t done, off_t total, int64_t lines)
{
    int pct = total > 0 ? (int)((double)done * 100.0 / (double)total) : 0;
    if (pct > 100)
        pct = 100;
    char bar[41];
    int fill = pct * 40 / 100;
    for (int i = 0; i < 40; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[40] = '\0';
    fprintf(stderr, "\rimporting [%s] %3d%% %" PRId64 " lines", bar, pct, lines);
    fflush(stderr);
}

/* Write one rejected line to the rejects file: {"line":N,"errors":[...],"input":"<line>"}. */
static void write_reject(FILE *rj, int64_t lineno, const char *line, size_t len,
                         const struct cust_diag *d)
{
    json_t *o = json_object();
    json_object_set_new(o, "line", json_integer(lineno));
    json_t *errs = json_array();
    for (size_t i = 0; i < d->n; i++)
        json_array_append_new(errs, json_string(d->lines[i]));
    json_object_set_new(o, "errors", errs);
    json_t *in = json_stringn(line, len); /* NULL for invalid UTF-8 */
    if (in) {
        json_object_set_new(o, "input", in);
    } else {
        size_t cap = sodium_base64_encoded_len(len, sodium_base64_VARIANT_ORIGINAL);
        char *b64 = cust_xmalloc(cap);
        sodium_bin2base64(b64, cap, (const unsigned char *)line, len,
                          sodium_base64_VARIANT_ORIGINAL);
        json_object_set_new(o, "input", json_null());
        json_object_set_new(o, "input_base64", json_string(b64));
        free(b64);
    }
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (s) {
        fputs(s, rj);
        fputc('\n', rj);
        free(s);
    }
    json_decref(o);
}

/* A ledger entry for a booking given a new version by this import. */
static enum cust_status ledger_correction(struct cust_store *s, const struct cust_import_opts *o,
                                          const char *bn, int version, const char *changed,
                                          const char *source, struct cust_err *err)
{
    json_t *d = json_object();
    json_object_set_new(d, "version", json_integer(version));
    json_t *ch = json_loads(changed ? changed : "[]", 0, NULL);
    json_object_set_new(d, "changed", ch ? ch : json_array());
    json_object_set_new(d, "source", json_string(source));
    char *detail = json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(d);
    struct cust_ledger_entry e = {
        o->actor, o->role ? o->role : "operator", "correct", "booking", bn,
        "ok",     "import of a changed booking",  detail};
    enum cust_status st = cust_ledger_append(s, &e, err);
    free(detail);
    return st;
}

/*
 * The reader thread: reads the file, hashes it (SHA-256, for the ledger) and parses and
 * validates each non-blank line into the next free slot of a bounded ring; the importing
 * thread takes the slots in line order and does everything else (store, ledger, messages),
 * so problems are still reported in line order and the writes happen in file order.
 */
#define READ_RING 128

struct slot {
    char *line; /* getline buffer, owned by the slot and reused (JSONL input) */
    size_t cap, len;
    int64_t lineno;
    off_t done; /* bytes read up to the end of this line */
    bool ok;    /* parsed and valid: rec holds the record */
    struct cust_record rec;
    struct cust_diag d;
    struct cust_import_item it; /* a source's record (o->source): line points into it.json */
};

struct reader {
    FILE *f;
    const struct cust_import_source *src; /* or NULL: read `f` as JSONL */
    bool src_failed;                      /* src->next returned -1: src_err says why */
    struct cust_err src_err;
    struct slot slot[READ_RING];
    size_t head, tail; /* slots [tail, head) are filled; the reader fills head */
    bool eof, stop, read_error;
    bool reader_waits, main_waits; /* who sleeps on a condition (signal only then) */
    pthread_mutex_t mu;
    pthread_cond_t not_full, not_empty;
    struct sha256_ctx fh; /* the input's SHA-256 (nettle: SHA-NI where the CPU has it) */
};

void cust_import_item_release(struct cust_import_item *it)
{
    free(it->json);
    free(it->input);
    free(it->charge_lines);
    cust_diag_release(&it->diag);
    memset(it, 0, sizeof(*it));
}

/* The "path" of a "path: reason" problem line: its length. */
static size_t problem_path_len(const char *line)
{
    const char *c = strstr(line, ": ");
    return c ? (size_t)(c - line) : strlen(line);
}

/* Does problem `line` concern a path a source already reported (the same path or below it)? */
static bool problem_covered(const struct cust_diag *d, const char *line)
{
    size_t n = problem_path_len(line);
    for (size_t i = 0; i < d->n; i++) {
        size_t m = problem_path_len(d->lines[i]);
        if (m <= n && memcmp(d->lines[i], line, m) == 0 &&
            (m == n || line[m] == '.' || line[m] == '['))
            return true;
    }
    return false;
}

/* The next record from a source into `sl`, validated as a JSONL line would be. */
static bool read_one_source(struct reader *r, struct slot *sl)
{
    struct cust_import_item *it = &sl->it;
    cust_diag_release(&it->diag);
    it->len = 0;
    it->input_len = 0;
    it->n_charges = 0;
    int got = r->src->next(r->src->arg, it, &r->src_err);
    if (got <= 0) {
        r->src_failed = got < 0;
        return false;
    }
    sl->line = it->json;
    sl->len = it->len;
    sl->lineno = it->lineno;
    sl->done = it->done;
    sl->ok = false;
    sl->d = (struct cust_diag)CUST_DIAG_INIT;
    if (!it->json || it->len > CUST_IMPORT_MAX_LINE) {
        cust_diag_add(&sl->d, "$", "record is longer than %d bytes", CUST_IMPORT_MAX_LINE);
    } else if (cust_diag_count(&it->diag) == 0) {
        sl->ok = cust_record_parse(it->json, it->len, &sl->rec, &sl->d) == CUST_OK;
        return true;
    }
    /* the source's own problems first, then the validator's on every other path */
    struct cust_diag v = CUST_DIAG_INIT;
    struct cust_record tmp;
    if (it->json && cust_record_parse(it->json, it->len, &tmp, &v) == CUST_OK)
        cust_record_release(&tmp);
    sl->d = it->diag;
    it->diag = (struct cust_diag)CUST_DIAG_INIT;
    for (size_t i = 0; i < v.n; i++) {
        if (problem_covered(&sl->d, v.lines[i]))
            continue;
        size_t n = problem_path_len(v.lines[i]);
        char path[256];
        snprintf(path, sizeof(path), "%.*s", (int)(n < sizeof(path) ? n : sizeof(path) - 1),
                 v.lines[i]);
        cust_diag_add(&sl->d, path, "%s", v.lines[i][n] ? v.lines[i] + n + 2 : "");
    }
    sl->d.dropped += v.dropped;
    cust_diag_release(&v);
    return true;
}

/* Read the next non-blank line into `sl` and parse it; false at end of input. */
static bool read_one(struct reader *r, struct slot *sl, int64_t *lineno, off_t *done)
{
    if (r->src)
        return read_one_source(r, sl);
    ssize_t got;
    while ((got = getline(&sl->line, &sl->cap, r->f)) != -1) {
        ++*lineno;
        *done += got;
        char *line = sl->line;
        sha256_update(&r->fh, (size_t)got, (const uint8_t *)line);
        size_t len = (size_t)got;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            len--;
        line[len] = '\0';
        size_t sp = 0;
        while (sp < len && (line[sp] == ' ' || line[sp] == '\t'))
            sp++;
        if (sp == len)
            continue; /* blank lines are skipped */
        sl->len = len;
        sl->lineno = *lineno;
        sl->done = *done;
        sl->ok = false;
        sl->d = (struct cust_diag)CUST_DIAG_INIT;
        if (len > CUST_IMPORT_MAX_LINE)
            cust_diag_add(&sl->d, "$", "line is longer than %d bytes", CUST_IMPORT_MAX_LINE);
        else if (memchr(line, '\0', len))
            cust_diag_add(&sl->d, "$", "contains a NUL byte");
        else
            sl->ok = cust_record_parse(line, len, &sl->rec, &sl->d) == CUST_OK;
        return true;
    }
    return false;
}

static void *reader_main(void *arg)
{
    struct reader *r = arg;
    int64_t lineno = 0;
    off_t done = 0;
    for (;;) {
        pthread_mutex_lock(&r->mu);
        while (r->head - r->tail == READ_RING && !r->stop) {
            r->reader_waits = true;
            pthread_cond_wait(&r->not_full, &r->mu);
            r->reader_waits = false;
        }
        bool stop = r->stop;
        size_t at = r->head;
        pthread_mutex_unlock(&r->mu);
        if (stop)
            break;
        bool got = read_one(r, &r->slot[at % READ_RING], &lineno, &done);
        pthread_mutex_lock(&r->mu);
        if (got) {
            r->head++;
        } else {
            r->eof = true;
            r->read_error = r->f && ferror(r->f) != 0;
        }
        if (r->main_waits)
            pthread_cond_signal(&r->not_empty);
        pthread_mutex_unlock(&r->mu);
        if (!got)
            break;
    }
    return NULL;
}

/* The next filled slot in line order, or NULL at the end of the input. */
static struct slot *reader_next(struct reader *r)
{
    pthread_mutex_lock(&r->mu);
    while (r->tail == r->head && !r->eof) {
        r->main_waits = true;
        pthread_cond_wait(&r->not_empty, &r->mu);
        r->main_waits = false;
    }
    struct slot *sl = r->tail == r->head ? NULL : &r->slot[r->tail % READ_RING];
    pthread_mutex_unlock(&r->mu);
    return sl;
}

static void slot_clear(struct slot *sl)
{
    if (sl->ok)
        cust_record_release(&sl->rec);
    sl->ok = false;
    cust_diag_release(&sl->d);
}

/* Hand the slot taken last back to the reader. */
static void reader_done(struct reader *r)
{
    slot_clear(&r->slot[r->tail % READ_RING]);
    pthread_mutex_lock(&r->mu);
    r->tail++;
    /* wake a waiting reader only when half the ring is free again (fewer wake-ups) */
    if (r->reader_waits && r->head - r->tail <= READ_RING / 2)
        pthread_cond_signal(&r->not_full);
    pthread_mutex_unlock(&r->mu);
}

/* Stop the reader (if still running), wait for it and free every slot. */
static void reader_finish(struct reader *r, pthread_t th)
{
    pthread_mutex_lock(&r->mu);
    r->stop = true;
    pthread_cond_signal(&r->not_full);
    pthread_mutex_unlock(&r->mu);
    pthread_join(th, NULL);
    for (size_t i = r->tail; i < r->head; i++)
        slot_clear(&r->slot[i % READ_RING]);
    for (size_t i = 0; i < READ_RING; i++) {
        if (r->src)
            cust_import_item_release(&r->slot[i].it);
        else
            free(r->slot[i].line);
    }
    pthread_cond_destroy(&r->not_full);
    pthread_cond_destroy(&r->not_empty);
    pthread_mutex_destroy(&r->mu);
}

/* Print a rejected record's problems, each on the input line it concerns. */
static void print_problems(const struct slot *sl, const char *label, FILE *errs)
{
    for (size_t i = 0; i < sl->d.n; i++) {
        const char *p = sl->d.lines[i];
        int64_t line = sl->lineno;
        unsigned long k;
        char *end;
        if (strncmp(p, "charges[", 8) == 0 && (k = strtoul(p + 8, &end, 10), *end == ']') &&
            k < sl->it.n_charges)
            line = sl->it.charge_lines[k];
        fprintf(errs, "%s:%" PRId64 ": %s\n", label, line, p);
    }
    if (sl->d.dropped)
        fprintf(errs, "%s:%" PRId64 ": ... and %zu more problems\n", label, sl->lineno,
                sl->d.dropped);
}

/* One import run: what the loop over the reader's slots shares. */
struct import_run {
    struct cust_store *s;
    const struct cust_import_opts *o;
    struct cust_import_stats *stats;
    struct cust_err *err;
    const char *label; /* the path, or <stdin> */
    bool is_stdin;
    bool failed;         /* an invalid line in all-or-nothing mode: stop writing */
    FILE *rj;            /* the rejects file (--skip-invalid), opened at the first reject */
    struct cust_buf rjp; /* its path */
    struct idset persons;
    char now[32];
    struct cust_buf source; /* "FILE:LINE" of the booking being written */
};

/* Start the reader thread over `f` or o->source. */
static enum cust_status reader_start(struct reader *rd, FILE *f, const struct cust_import_opts *o,
                                     pthread_t *th)
{
    rd->f = f;
    rd->src = o->source;
    sha256_init(&rd->fh);
    pthread_mutex_init(&rd->mu, NULL);
    pthread_cond_init(&rd->not_full, NULL);
    pthread_cond_init(&rd->not_empty, NULL);
    if (pthread_create(th, NULL, reader_main, rd) == 0)
        return CUST_OK;
    pthread_cond_destroy(&rd->not_full);
    pthread_cond_destroy(&rd->not_empty);
    pthread_mutex_destroy(&rd->mu);
    return CUST_ENOMEM;
}

/* Write a valid record: a new booking, a new version of one (with its correction entry), or
 * nothing when it is unchanged. */
static enum cust_status import_record(struct import_run *run, const struct slot *sl)
{
    const struct cust_import_opts *o = run->o;
    const struct cust_record *rec = &sl->rec;
    struct cust_err *err = run->err;
    run->stats->bookings++;
    char *old = NULL, *changed = NULL;
    int version = 0;
    enum cust_status st = CUST_OK;
    enum cust_status cs =
        cust_store_current_version(run->s, rec->b.booking_number, &version, &old, NULL);
    bool exists = cs == CUST_OK;
    if (cs != CUST_OK && cs != CUST_ENOTFOUND) {
        st = cust_err_set(err, cs, "%s:%" PRId64 ": cannot read booking '%s'", run->label,
                          sl->lineno, rec->b.booking_number);
    } else if (exists && !(changed = cust_record_changed(old, rec->b.doc))) {
        run->stats->unchanged++;
        if (o->hooks && o->hooks->booking)
            st = o->hooks->booking(o->hooks->arg, run->s, rec, "unchanged", old, NULL, err);
    } else {
        cust_buf_reset(&run->source);
        if (cust_buf_appendf(&run->source, "%s:%" PRId64, run->label, sl->lineno) != CUST_OK)
            st = cust_err_set(err, CUST_ENOMEM, "out of memory");
        struct cust_put_meta meta = {o->actor, run->source.buf, run->now, changed};
        struct cust_put_result res;
        if (st == CUST_OK)
            st = cust_store_put_booking(run->s, &rec->b, &meta, &res, err);
        if (st == CUST_OK) {
            idset_add(&run->persons, res.person_id);
            if (exists) {
                run->stats->updated++;
                st = ledger_correction(run->s, o, rec->b.booking_number, res.version, changed,
                                       run->source.buf, err);
            } else {
                run->stats->created++;
            }
        }
        if (st == CUST_OK && o->hooks && o->hooks->booking)
            st = o->hooks->booking(o->hooks->arg, run->s, rec, exists ? "updated" : "created",
                                   exists ? old : NULL, changed, err);
    }
    free(old);
    free(changed);
    return st;
}

/* An invalid line: print its problems; with --skip-invalid keep it in the rejects file,
 * otherwise the import fails (the loop reads on to report every bad line). */
static enum cust_status import_reject(struct import_run *run, const struct slot *sl)
{
    const struct cust_import_opts *o = run->o;
    run->stats->rejected++;
    print_problems(sl, run->label, o->errors ? o->errors : stderr);
    if (o->hooks && o->hooks->rejected)
        o->hooks->rejected(o->hooks->arg, sl->line, sl->len);
    if (!o->skip_invalid) {
        run->failed = true;
        return CUST_OK;
    }
    if (!run->rj) {
        if (cust_buf_appendf(&run->rjp, "%s.rejects.jsonl", run->is_stdin ? "stdin" : o->path) !=
            CUST_OK)
            return cust_err_set(run->err, CUST_ENOMEM, "out of memory");
        if (!(run->rj = fopen(run->rjp.buf, "wb")))
            return cust_err_set(run->err, CUST_EIO, "cannot write '%s': %s", run->rjp.buf,
                                strerror(errno));
    }
    if (o->source && sl->it.input)
        write_reject(run->rj, sl->lineno, sl->it.input, sl->it.input_len, &sl->d);
    else
        write_reject(run->rj, sl->lineno, sl->line, sl->len, &sl->d);
    return CUST_OK;
}

/* Why the reader stopped early, if it did. */
static enum cust_status reader_status(const struct reader *rd, const struct import_run *run)
{
    if (rd->src_failed && rd->src_err.code == CUST_EINVAL) {
        /* input that cannot be read on: its problem is printed like every other */
        fprintf(run->o->errors ? run->o->errors : stderr, "%s\n", rd->src_err.msg);
        return cust_err_set(run->err, CUST_EINVAL, "'%s' cannot be read; nothing was imported",
                            run->label);
    }
    if (rd->src_failed)
        return cust_err_set(run->err, rd->src_err.code ? rd->src_err.code : CUST_EIO, "%s",
                            rd->src_err.msg);
    if (rd->read_error)
        return cust_err_set(run->err, CUST_EIO, "cannot read '%s'", run->label);
    return CUST_OK;
}

/* The import's own ledger entry: the counts, the input's SHA-256, the rejects file. */
static enum cust_status import_ledger_entry(const struct import_run *run, const char *rj_path)
{
    const struct cust_import_opts *o = run->o;
    const struct cust_import_stats *stats = run->stats;
    json_t *d =
        json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:s}", "lines", (json_int_t)stats->lines,
                  "bookings", (json_int_t)stats->bookings, "created", (json_int_t)stats->created,
                  "updated", (json_int_t)stats->updated, "unchanged", (json_int_t)stats->unchanged,
                  "persons", (json_int_t)stats->persons, "rejected", (json_int_t)stats->rejected,
                  "sha256", stats->sha256);
    if (rj_path)
        json_object_set_new(d, "rejects_file", json_string(rj_path));
    if (o->mapping)
        json_object_set_new(d, "mapping", json_string(o->mapping));
    char *detail = json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(d);
    struct cust_ledger_entry e = {o->actor,
                                  o->role ? o->role : "operator",
                                  "import",
                                  "file",
                                  run->label,
                                  stats->rejected ? "partial" : "ok",
                                  "custody record import",
                                  detail};
    enum cust_status st = cust_ledger_append(run->s, &e, run->err);
    free(detail);
    return st;
}

enum cust_status cust_import_file(struct cust_store *s, const struct cust_import_opts *o,
                                  struct cust_import_stats *stats, struct cust_err *err)
{
    memset(stats, 0, sizeof(*stats));
    double t0 = mono();
    struct import_run run = {.s = s,
                             .o = o,
                             .stats = stats,
                             .err = err,
                             .is_stdin = strcmp(o->path, "-") == 0,
                             .rjp = CUST_BUF_INIT,
                             .source = CUST_BUF_INIT};
    run.label = run.is_stdin ? "<stdin>" : o->path;
    FILE *f = NULL;
    if (!o->source && !(f = run.is_stdin ? stdin : fopen(o->path, "rb")))
        return cust_err_set(err, CUST_EIO, "cannot open '%s': %s", o->path, strerror(errno));
    off_t total = 0;
    struct stat sb;
    if (o->source)
        total = o->source->total;
    else if (!run.is_stdin && fstat(fileno(f), &sb) == 0)
        total = sb.st_size;
    bool show_progress = o->progress && total > (1 << 20);

    enum cust_status st = cust_store_begin_bulk(s, err);
    struct reader *rd = cust_xcalloc(1, sizeof(*rd));
    pthread_t th;
    if (st == CUST_OK && reader_start(rd, f, o, &th) != CUST_OK) {
        cust_store_rollback(s);
        st = cust_err_set(err, CUST_ENOMEM, "cannot start the reader thread");
    }
    if (st != CUST_OK) {
        free(rd);
        if (f && !run.is_stdin)
            fclose(f);
        return st;
    }

    cust_time_format(cust_now(), 0, true, run.now);
    struct slot *sl;
    while (st == CUST_OK && (sl = reader_next(rd))) {
        stats->lines++;
        if (show_progress && (stats->lines & 0x3fff) == 0)
            progress(sl->done, total, sl->lineno);
        if (!sl->ok)
            st = import_reject(&run, sl);
        else if (!run.failed)
            st = import_record(&run, sl);
        reader_done(rd);
    }
    reader_finish(rd, th);
    if (st == CUST_OK)
        st = reader_status(rd, &run);
    if (show_progress) {
        progress(total, total, stats->lines);
        fputc('\n', stderr);
    }
    cust_buf_release(&run.source);
    if (f && !run.is_stdin)
        fclose(f);
    if (run.rj && fclose(run.rj) != 0 && st == CUST_OK)
        st = cust_err_set(err, CUST_EIO, "cannot write '%s'", run.rjp.buf);
    char *rj_path = run.rjp.len ? cust_buf_detach(&run.rjp, NULL) : NULL;
    stats->persons = (int64_t)run.persons.n;
    free(run.persons.slot);

    if (st == CUST_OK && run.failed)
        st =
            cust_err_set(err, CUST_EINVAL, "'%s': %" PRId64 " invalid line%s; nothing was imported",
                         run.label, stats->rejected, stats->rejected == 1 ? "" : "s");
    if (st == CUST_OK) {
        if (o->source) {
            o->source->sha256(o->source->arg, stats->sha256);
        } else {
            unsigned char dig[SHA256_DIGEST_SIZE];
            sha256_digest(&rd->fh, sizeof(dig), dig);
            sodium_bin2hex(stats->sha256, sizeof(stats->sha256), dig, sizeof(dig));
        }
        stats->rejects_path = rj_path;
        if (o->hooks && o->hooks->finish)
            st = o->hooks->finish(o->hooks->arg, s, stats, err);
        stats->rejects_path = NULL;
    }
    if (st == CUST_OK && !o->no_ledger_entry)
        st = import_ledger_entry(&run, rj_path);
    free(rj_path);
    free(rd);
    if (st == CUST_OK)
        st = cust_store_commit(s, err);
    else
        cust_store_rollback(s);
    stats->seconds = mono() - t0;
    return st;
}

struct export_ctx {
    FILE *out;
    int64_t n;
};

static enum cust_status export_one(const char *bn, const char *doc, void *arg)
{
    (void)bn;
    struct export_ctx *x = arg;
    if (fputs(doc, x->out) == EOF || fputc('\n', x->out) == EOF)
        return CUST_EIO;
    x->n++;
    return CUST_OK;
}

enum cust_status cust_export(struct cust_store *s, FILE *out, int32_t day, const char *actor,
                             const char *target, int64_t *count, struct cust_err *err)
{
    struct export_ctx x = {out, 0};
    enum cust_status st = cust_store_begin(s, err);
    if (st != CUST_OK)
        return st;
    st = cust_store_each_current(s, day, export_one, &x, err);
    if (st == CUST_EIO)
        st = cust_err_set(err, CUST_EIO, "cannot write the export: %s", strerror(errno));
    else if (st == CUST_OK)
        st = cust_file_sync(out, err); /* on disk before the ledger says it was exported */
    if (st == CUST_OK) {
        char asof[11] = "";
        if (day != CUST_NO_DAY)
            cust_date_format(day, asof);
        json_t *d = json_pack("{s:I,s:s?}", "bookings", (json_int_t)x.n, "as_of",
                              day != CUST_NO_DAY ? asof : NULL);
        char *detail = json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER);
        json_decref(d);
        struct cust_ledger_entry e = {actor,
                                      "operator",
                                      "export",
                                      "file",
                                      target ? target : "stdout",
                                      "ok",
                                      "custody record export",
                                      detail};
        st = cust_ledger_append(s, &e, err);
        free(detail);
    }
    if (st == CUST_OK)
        st = cust_store_commit(s, err);
    else
        cust_store_rollback(s);
    if (count)
        *count = x.n;
    return st;
}
