/* Unit tests for src/ledger: canonical hashing, append, verify. */
#include "custodian/compat.h"
#include "custodian/ledger.h"

#include <setjmp.h>
#include <stdarg.h>
#include <unistd.h>
#include <cmocka.h>

static char path[64];

static int setup(void **state)
{
    snprintf(path, sizeof(path), "/tmp/cust-ledger-test.%ld.db", (long)getpid());
    unlink(path);
    struct cust_store *s;
    struct cust_err err = CUST_ERR_INIT;
    if (cust_store_open(path, CUST_STORE_CREATE, &s, &err) != CUST_OK)
        fail_msg("open: %s", err.msg);
    *state = s;
    return 0;
}

static int teardown(void **state)
{
    cust_store_close(*state);
    char p[80];
    unlink(path);
    snprintf(p, sizeof(p), "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof(p), "%s-shm", path);
    unlink(p);
    return 0;
}

static void test_hash_covers_every_field(void **state)
{
    (void)state;
    struct cust_ledger_row r = {
        7,           "2025-01-01T00:00:00Z", "alice", "clerk", "export", "file", "x", "ok", "why",
        "{\"n\":1}", CUST_LEDGER_GENESIS,    NULL,    NULL};
    char base[65], h[65];
    cust_ledger_hash(&r, base);
    assert_int_equal(strlen(base), 64);
    cust_ledger_hash(&r, h);
    assert_string_equal(h, base); /* deterministic */
    struct cust_ledger_row m;
    const char **fields[] = {&m.at,        &m.actor,   &m.role,    &m.action, &m.object_type,
                             &m.object_id, &m.outcome, &m.purpose, &m.detail, &m.prev_hash};
    for (size_t i = 0; i < CUST_ARRAY_LEN(fields); i++) {
        m = r;
        *fields[i] = "changed";
        cust_ledger_hash(&m, h);
        assert_string_not_equal(h, base);
    }
    m = r;
    m.seq = 8;
    cust_ledger_hash(&m, h);
    assert_string_not_equal(h, base);
    /* length prefixes: moving a byte between fields changes the hash */
    m = r;
    m.actor = "alic";
    m.role = "eclerk";
    cust_ledger_hash(&m, h);
    assert_string_not_equal(h, base);
    /* NULL detail differs from empty detail */
    m = r;
    m.detail = NULL;
    cust_ledger_hash(&m, base);
    m.detail = "";
    cust_ledger_hash(&m, h);
    assert_string_not_equal(h, base);
}

static void test_append_and_verify(void **state)
{
    struct cust_store *s = *state;
    struct cust_ledger_report rep;
    assert_int_equal(cust_ledger_verify(s, &rep, NULL), CUST_OK);
    assert_int_equal(rep.entries, 0);
    struct cust_ledger_entry e = {"alice", "clerk", "login", "user", "alice", "ok", "", NULL};
    int64_t seq = 0;
    for (int i = 1; i <= 3; i++) {
        assert_int_equal(cust_ledger_append_seq(s, &e, &seq, NULL), CUST_OK);
        assert_int_equal(seq, i);
    }
    assert_int_equal(cust_ledger_verify(s, &rep, NULL), CUST_OK);
    assert_int_equal(rep.entries, 3);
    assert_int_equal(rep.bad_seq, 0);
}

static void test_append_in_rolled_back_tx(void **state)
{
    struct cust_store *s = *state;
    struct cust_ledger_entry e = {"bob", "clerk", "disclosure", "booking",
                                  "B1",  "ok",    "x",          "{\"to\":\"ICE\"}"};
    assert_int_equal(cust_store_begin(s, NULL), CUST_OK);
    assert_int_equal(cust_ledger_append(s, &e, NULL), CUST_OK);
    cust_store_rollback(s);
    int64_t n = -1;
    assert_int_equal(cust_store_count(s, "ledger", &n, NULL), CUST_OK);
    assert_int_equal(n, 0);
    struct cust_ledger_report rep;
    assert_int_equal(cust_ledger_verify(s, &rep, NULL), CUST_OK);
}

static void test_required_fields(void **state)
{
    struct cust_store *s = *state;
    struct cust_ledger_entry e = {"", "clerk", "login", "user", "x", "ok", "", NULL};
    struct cust_err err = CUST_ERR_INIT;
    assert_int_equal(cust_ledger_append(s, &e, &err), CUST_EINVAL);
    e.actor = "a";
    e.purpose = NULL;
    assert_int_equal(cust_ledger_append(s, &e, &err), CUST_EINVAL);
}

static void test_verify_detects_forged_head(void **state)
{
    struct cust_store *s = *state;
    struct cust_ledger_entry e = {"a", "r", "x", "o", "i", "ok", "", NULL};
    assert_int_equal(cust_ledger_append(s, &e, NULL), CUST_OK);
    /* an extra, well-formed row that the head does not know about */
    int64_t seq;
    char prev[65], h[65];
    assert_int_equal(cust_store_ledger_head(s, &seq, prev, NULL), CUST_OK);
    struct cust_ledger_row r = {seq + 1, "t", "a",  "r",  "x", "o", "i",
                                "ok",    "",  NULL, prev, h,   "{}"};
    cust_ledger_hash(&r, h);
    assert_int_equal(cust_store_begin(s, NULL), CUST_OK);
    assert_int_equal(cust_store_ledger_insert(s, &r, NULL), CUST_OK); /* moves the head too */
    assert_int_equal(cust_store_commit(s, NULL), CUST_OK);
    struct cust_ledger_report rep;
    assert_int_equal(cust_ledger_verify(s, &rep, NULL), CUST_OK); /* a valid continuation */
    assert_int_equal(rep.entries, 2);
}

/* The chain hash and Merkle leaf of a fixed entry, pinned: stores written before the encoder
 * moved to nettle (and by any other implementation of ledger.md) must keep verifying. */
/* The row encoder against an independent implementation of its documented encoding (ledger.h:
 * 8-byte big-endian length + bytes, NULL = 2^64-1, integers as decimal text), computed with
 * Python's hashlib; and the disclosure rows the desk hashes with it. */
static void test_row_encoder_known_answers(void **state)
{
    (void)state;
    struct cust_buf b = CUST_BUF_INIT;
    unsigned char dig[CUST_TLOG_HASH];
    char hex[65];
    cust_ledger_enc_text(&b, "custodian-test-v1");
    cust_ledger_enc_text(&b, "R-2025-000001");
    cust_ledger_enc_int(&b, -12);
    cust_ledger_enc_text(&b, NULL);
    cust_ledger_enc_bytes(&b, "", 0);
    cust_ledger_enc_text(&b, "h\xc3\xa9llo");
    cust_tlog_sha256(b.buf, b.len, dig);
    cust_tlog_hash_hex(dig, hex);
    assert_string_equal(hex, "29eec52cfe7de194fb6ebae25e1c3f137e9951aa1bfd1cf000448f697f7f861a");
    /* a NUL inside a byte field is a byte like any other */
    cust_buf_reset(&b);
    cust_ledger_enc_bytes(&b, "a\0b", 3);
    assert_int_equal(b.len, 11);
    cust_buf_release(&b);
}

static void test_hash_pinned(void **state)
{
    (void)state;
    struct cust_ledger_row r = {
        7,           "2025-01-01T00:00:00Z", "alice", "clerk", "export", "file", "x", "ok", "why",
        "{\"n\":1}", CUST_LEDGER_GENESIS,    NULL,    NULL};
    char h[65], lh[65];
    unsigned char leaf[CUST_TLOG_HASH];
    cust_ledger_hash(&r, h);
    assert_string_equal(h, "51b7126dc51619efdeb696e8028ed42f41027085bdbf31632cb8c347cdd208be");
    cust_ledger_leaf_hash(&r, leaf);
    cust_tlog_hash_hex(leaf, lh);
    assert_string_equal(lh, "8d2bcf9ebead97131499151b1bad9bf31ccb35e9645d2cb871c3cf7b11d70bbf");
}

/* The tree head of verify, of the leaves and of a checkpoint agree; a checkpoint catches a cut
 * tail (head rewound) and a consistently rewritten entry that the chain check passes. */
static void test_checkpoint_against_store(void **state)
{
    struct cust_store *s = *state;
    struct cust_ledger_entry e = {"a", "clerk", "export", "file", "f", "ok", "", NULL};
    for (int i = 0; i < 9; i++)
        assert_int_equal(cust_ledger_append(s, &e, NULL), CUST_OK);
    struct cust_ledger_report rep;
    assert_int_equal(cust_ledger_verify(s, &rep, NULL), CUST_OK);
    uint64_t size;
    unsigned char root[CUST_TLOG_HASH];
    assert_int_equal(cust_ledger_tree_head(s, &size, root, NULL), CUST_OK);
    assert_true(size == 9);
    assert_memory_equal(root, rep.root, CUST_TLOG_HASH);
    struct cust_checkpoint cp = {"county.example/l", 9, {0}};
    memcpy(cp.root, root, CUST_TLOG_HASH);
    assert_int_equal(cust_ledger_verify_checkpoint(s, &cp, &rep, NULL), CUST_OK);
    assert_true(rep.checkpoint_checked && !rep.checkpoint_bad);
    /* an older checkpoint of the same log: still extended */
    unsigned char(*leaves)[CUST_TLOG_HASH];
    uint64_t n;
    assert_int_equal(cust_ledger_leaves(s, &leaves, &n, NULL), CUST_OK);
    struct cust_checkpoint old = {"county.example/l", 4, {0}};
    cust_tlog_root((const unsigned char(*)[CUST_TLOG_HASH])leaves, 4, old.root);
    free(leaves);
    assert_int_equal(cust_ledger_verify_checkpoint(s, &old, &rep, NULL), CUST_OK);
    /* a checkpoint of a longer log: this one was cut */
    struct cust_checkpoint longer = cp;
    longer.size = 12;
    struct cust_err err = CUST_ERR_INIT;
    assert_int_equal(cust_ledger_verify_checkpoint(s, &longer, &rep, &err), CUST_EINTEGRITY);
    assert_true(rep.checkpoint_bad);
    assert_non_null(strstr(err.msg, "truncated"));
    /* same size, another history */
    struct cust_checkpoint other = cp;
    other.root[5] ^= 1;
    assert_int_equal(cust_ledger_verify_checkpoint(s, &other, &rep, &err), CUST_EINTEGRITY);
    assert_non_null(strstr(err.msg, "rewritten"));
    /* the signed form opens with the key and parses back to the same checkpoint */
    char *sk, *vk;
    struct cust_note_signer sg;
    struct cust_note_verifier v;
    assert_int_equal(cust_note_key_generate("county.example/l", &sk, &vk, NULL), CUST_OK);
    assert_int_equal(cust_note_signer_parse(sk, &sg, NULL), CUST_OK);
    assert_int_equal(cust_note_verifier_parse(vk, &v, NULL), CUST_OK);
    char *note = cust_ledger_checkpoint(&cp, &sg, NULL);
    struct cust_note opened;
    assert_int_equal(cust_note_open(note, strlen(note), &v, &opened, NULL), CUST_OK);
    struct cust_checkpoint back;
    assert_int_equal(cust_checkpoint_parse(opened.text, opened.text_len, &back, NULL), CUST_OK);
    assert_string_equal(back.origin, cp.origin);
    assert_true(back.size == cp.size);
    assert_memory_equal(back.root, cp.root, CUST_TLOG_HASH);
    cust_note_release(&opened);
    free(note);
    free(sk);
    free(vk);
    cust_note_signer_wipe(&sg);
}

/* The server's schedule (cust_ledger_publish): the first is written at once, then one after N
 * entries or M seconds if the ledger grew, never when it did not; each is kept and is the
 * latest served; a store no longer extending the last one is never signed again. */
static void test_publish_schedule(void **state)
{
    struct cust_store *s = *state;
    struct cust_ledger_entry e = {"a", "clerk", "export", "file", "f", "ok", "", NULL};
    char *sk, *vk, *note = NULL;
    struct cust_note_signer sg;
    assert_int_equal(cust_note_key_generate("county.example/l", &sk, &vk, NULL), CUST_OK);
    assert_int_equal(cust_note_signer_parse(sk, &sg, NULL), CUST_OK);
    struct cust_ledger_publish_policy p = {.every_entries = 3, .every_seconds = 60};
    uint64_t w = 99;
    struct cust_err err = CUST_ERR_INIT;
    /* empty ledger: nothing to sign, nothing kept */
    assert_int_equal(cust_ledger_publish(s, &sg, &p, 1000, &w, NULL), CUST_OK);
    assert_true(w == 0);
    assert_int_equal(cust_ledger_checkpoint_latest(s, &note, &err), CUST_ENOTFOUND);
    assert_int_equal(cust_ledger_append(s, &e, NULL), CUST_OK);
    assert_int_equal(cust_ledger_publish(s, &sg, &p, 1000, &w, NULL), CUST_OK);
    assert_true(w == 1); /* the first: at once */
    assert_int_equal(cust_ledger_publish(s, &sg, &p, 5000, &w, NULL), CUST_OK);
    assert_true(w == 0); /* the ledger did not grow: never again, however long */
    assert_int_equal(cust_ledger_append(s, &e, NULL), CUST_OK);
    assert_int_equal(cust_ledger_publish(s, &sg, &p, 1059, &w, NULL), CUST_OK);
    assert_true(w == 0); /* 1 entry, 59 s */
    assert_int_equal(cust_ledger_publish(s, &sg, &p, 1060, &w, NULL), CUST_OK);
    assert_true(w == 2); /* 60 s */
    for (int i = 0; i < 2; i++)
        assert_int_equal(cust_ledger_append(s, &e, NULL), CUST_OK);
    assert_int_equal(cust_ledger_publish(s, &sg, &p, 1061, &w, NULL), CUST_OK);
    assert_true(w == 0); /* 2 entries */
    assert_int_equal(cust_ledger_append(s, &e, NULL), CUST_OK);
    assert_int_equal(cust_ledger_publish(s, &sg, &p, 1062, &w, NULL), CUST_OK);
    assert_true(w == 5); /* 3 entries */
    assert_int_equal(cust_ledger_checkpoint_latest(s, &note, NULL), CUST_OK);
    struct cust_note_verifier v;
    assert_int_equal(cust_note_verifier_parse(vk, &v, NULL), CUST_OK);
    struct cust_note opened;
    assert_int_equal(cust_note_open(note, strlen(note), &v, &opened, NULL), CUST_OK);
    struct cust_checkpoint cp;
    assert_int_equal(cust_checkpoint_parse(opened.text, opened.text_len, &cp, NULL), CUST_OK);
    assert_true(cp.size == 5);
    struct cust_ledger_report rep;
    assert_int_equal(cust_ledger_verify_checkpoint(s, &cp, &rep, NULL), CUST_OK);
    cust_note_release(&opened);
    free(note);
    /* a store that no longer extends the last checkpoint (here: a checkpoint of a longer log
     * kept, as if the tail had been cut since) is refused, and nothing is kept */
    struct cust_checkpoint longer = cp;
    longer.size = 9;
    char *forged = cust_ledger_checkpoint(&longer, &sg, NULL);
    char root[45];
    cust_tlog_hash_b64(longer.root, root);
    struct cust_stored_checkpoint sc = {9, root, 1063, forged};
    assert_int_equal(cust_store_checkpoint_put(s, &sc, NULL), CUST_OK);
    for (int i = 0; i < 5; i++)
        assert_int_equal(cust_ledger_append(s, &e, NULL), CUST_OK);
    assert_int_equal(cust_ledger_publish(s, &sg, &p, 2000, &w, &err), CUST_EINTEGRITY);
    assert_true(w == 0);
    assert_non_null(strstr(err.msg, "not signing"));
    assert_int_equal(cust_ledger_checkpoint_latest(s, &note, NULL), CUST_OK);
    assert_string_equal(note, forged); /* the last kept is unchanged */
    free(note);
    free(forged);
    free(sk);
    free(vk);
    cust_note_signer_wipe(&sg);
}

/* A verify reads one snapshot: entries another connection appends meanwhile are not seen until
 * the snapshot ends (else a verify beside a writing server would call the half-seen write
 * tampering); snapshots nest; no transaction may begin inside one. */
static void test_verify_reads_one_snapshot(void **state)
{
    struct cust_store *a = *state, *b = NULL;
    struct cust_ledger_entry e = {"a", "clerk", "export", "file", "f", "ok", "", NULL};
    for (int i = 0; i < 3; i++)
        assert_int_equal(cust_ledger_append(a, &e, NULL), CUST_OK);
    struct cust_err err = CUST_ERR_INIT;
    assert_int_equal(cust_store_open(path, CUST_STORE_OPEN, &b, &err), CUST_OK);
    assert_int_equal(cust_store_snapshot_begin(a, &err), CUST_OK);
    assert_int_equal(cust_store_snapshot_begin(a, &err), CUST_OK); /* nested */
    int64_t head;
    char hh[65];
    assert_int_equal(cust_store_ledger_head(a, &head, hh, NULL), CUST_OK);
    assert_true(head == 3);
    for (int i = 0; i < 2; i++) /* the other connection writes: not blocked by the reader */
        assert_int_equal(cust_ledger_append(b, &e, &err), CUST_OK);
    struct cust_ledger_report rep;
    assert_int_equal(cust_ledger_verify(a, &rep, &err), CUST_OK);
    assert_true(rep.entries == 3);
    assert_int_equal(cust_store_begin(a, &err), CUST_EDB);
    cust_store_snapshot_end(a); /* the inner one: still the same snapshot */
    assert_int_equal(cust_ledger_verify(a, &rep, &err), CUST_OK);
    assert_true(rep.entries == 3);
    cust_store_snapshot_end(a);
    assert_int_equal(cust_ledger_verify(a, &rep, &err), CUST_OK);
    assert_true(rep.entries == 5);
    /* inside a write transaction a snapshot is that transaction */
    assert_int_equal(cust_store_begin(a, &err), CUST_OK);
    assert_int_equal(cust_store_snapshot_begin(a, &err), CUST_OK);
    assert_int_equal(cust_ledger_append(a, &e, &err), CUST_OK);
    cust_store_snapshot_end(a);
    assert_int_equal(cust_store_commit(a, &err), CUST_OK);
    assert_int_equal(cust_ledger_verify(b, &rep, &err), CUST_OK);
    assert_true(rep.entries == 6);
    cust_store_close(b);
}

static enum cust_status spool_row(const struct cust_ledger_row *r, void *arg)
{
    return cust_buf_appendf(arg, "%s %s|", r->actor, r->detail ? r->detail : "-");
}

/* The spool: while another connection holds the write lock, an entry goes to the spool within
 * the short wait; later entries queue behind it; a drain appends them in order with their
 * spool id and time; a torn last line (a crash mid-write) is skipped; a bad entry is refused. */
static void test_spool(void **state)
{
    struct cust_store *a = *state, *b = NULL;
    struct cust_err err = CUST_ERR_INIT;
    char sp_path[96];
    snprintf(sp_path, sizeof(sp_path), "%s.audit-spool", path);
    unlink(sp_path);
    struct cust_ledger_spool *sp;
    assert_int_equal(cust_ledger_spool_open(sp_path, &sp, &err), CUST_OK);
    struct cust_ledger_entry e1 = {"u1", "clerk", "view", "person", "P1", "ok", "", "{\"k\":1}"};
    struct cust_ledger_entry e2 = {"u2", "clerk", "view", "person", "P2", "ok", "", NULL};
    bool spooled = true;
    assert_int_equal(cust_ledger_append_or_spool(a, sp, &e1, 100, &spooled, &err), CUST_OK);
    assert_false(spooled); /* free store: straight to the ledger */

    assert_int_equal(cust_store_open(path, CUST_STORE_OPEN, &b, &err), CUST_OK);
    assert_int_equal(cust_store_begin(b, &err), CUST_OK);
    struct cust_ledger_entry held = {"imp", "operator", "import", "file", "f", "ok", "", NULL};
    assert_int_equal(cust_ledger_append(b, &held, &err), CUST_OK); /* b holds the write lock */
    assert_int_equal(cust_ledger_append_or_spool(a, sp, &e1, 50, &spooled, &err), CUST_OK);
    assert_true(spooled);
    assert_int_equal(cust_ledger_append_or_spool(a, sp, &e2, 50, &spooled, &err), CUST_OK);
    assert_true(spooled);
    assert_true(cust_ledger_spool_pending(sp) == 2);
    struct cust_ledger_entry bad = {"u3", NULL, "view", "person", "P3", "ok", "", NULL};
    assert_int_equal(cust_ledger_append_or_spool(a, sp, &bad, 50, &spooled, &err), CUST_EINVAL);
    assert_int_not_equal(cust_ledger_spool_drain(a, sp, &err), CUST_OK); /* still held */
    assert_int_equal(cust_store_commit(b, &err), CUST_OK);
    cust_store_close(b);

    FILE *f = fopen(sp_path, "a"); /* a torn line after the two */
    fputs("{\"actor\":\"torn", f);
    fclose(f);
    assert_int_equal(cust_ledger_spool_drain(a, sp, &err), CUST_OK);
    assert_true(cust_ledger_spool_pending(sp) == 0);
    struct cust_ledger_report rep;
    assert_int_equal(cust_ledger_verify(a, &rep, &err), CUST_OK);
    assert_true(rep.entries == 4); /* e1, the import, then the spooled e1 and e2 in order */
    struct cust_buf got = CUST_BUF_INIT;
    for (int64_t seq = 3; seq <= 4; seq++)
        assert_int_equal(cust_store_ledger_entry(a, seq, spool_row, &got, &err), CUST_OK);
    assert_non_null(strstr(got.buf, "u1 {\"k\":1,\"spooled\":{\"id\":\""));
    assert_non_null(strstr(got.buf, "|u2 {\"spooled\":{\"id\":\""));
    cust_buf_release(&got);
    cust_ledger_spool_close(sp);
    unlink(sp_path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hash_covers_every_field),
        cmocka_unit_test(test_row_encoder_known_answers),
        cmocka_unit_test(test_hash_pinned),
        cmocka_unit_test_setup_teardown(test_checkpoint_against_store, setup, teardown),
        cmocka_unit_test_setup_teardown(test_publish_schedule, setup, teardown),
        cmocka_unit_test_setup_teardown(test_verify_reads_one_snapshot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_append_and_verify, setup, teardown),
        cmocka_unit_test_setup_teardown(test_spool, setup, teardown),
        cmocka_unit_test_setup_teardown(test_append_in_rolled_back_tx, setup, teardown),
        cmocka_unit_test_setup_teardown(test_required_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(test_verify_detects_forged_head, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
