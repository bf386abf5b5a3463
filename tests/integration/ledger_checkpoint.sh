#!/usr/bin/env bash
# The ledger as a transparency log: signed checkpoints, proofs, and what a checkpoint kept
# elsewhere catches that the hash chain alone cannot (a cut tail with the head rewound, a
# rewritten or reordered history re-chained by an insider). Every tree head, proof and signature
# is also checked by an independent implementation (lib/tlog_ref.py, Python standard library).
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
D="$CUST_SOURCE_DIR/tests/data/records"
C="$CUSTODIAN"
REF="python3 $(dirname "$0")/lib/tlog_ref.py"

$REF selftest >/dev/null || fail "reference selftest"
ok
"$C" import "$D/good.jsonl" 2>/dev/null
for i in 1 2 3 4; do "$C" export >/dev/null; done

# ---- keys ----
mkdir "$T/keys"
"$C" audit key generate --name county.example/jail-ledger --out "$T/keys/ledger" >"$T/vkey" 2>/dev/null
[ "$(stat -c %a "$T/keys/ledger.key")" = 600 ] || fail "signer key mode"
grep -E '^county.example/jail-ledger\+[0-9a-f]{8}\+[A-Za-z0-9+/=]{44}$' "$T/keys/ledger.pub" >/dev/null ||
  fail "verifier key format"
cmp -s "$T/vkey" "$T/keys/ledger.pub" || fail "printed key is the .pub"
ok
expect_exit 1 "$C" audit key generate --name county.example/jail-ledger --out "$T/keys/ledger"
grep 'cannot create' "$T/err" >/dev/null || fail "overwrote a key"
expect_exit 2 "$C" audit key generate --name county.example/x --out "$T/beside"
grep 'apart from the store' "$T/err" >/dev/null || fail "key beside the store"
expect_exit 2 "$C" audit key generate --name 'has space' --out "$T/keys/x"
expect_exit 2 "$C" audit key generate --out "$T/keys/x"
cp "$T/keys/ledger.key" "$T/keys/open.key" && chmod 644 "$T/keys/open.key"
expect_exit 1 "$C" audit checkpoint --key "$T/keys/open.key"
grep 'chmod 600' "$T/err" >/dev/null || fail "group-readable key accepted"

# ---- checkpoint, verify, the reference agrees ----
"$C" audit checkpoint --key "$T/keys/ledger.key" >"$T/cp5"
head -2 "$T/cp5" | tr '\n' ' ' | grep -x 'county.example/jail-ledger 5 ' >/dev/null || fail "checkpoint body"
grep "^— county.example/jail-ledger " "$T/cp5" >/dev/null || fail "signature line"
$REF check-checkpoint "$CUSTODIAN_DB" "$T/cp5" "$T/keys/ledger.pub" >/dev/null || fail "reference: checkpoint"
"$C" audit verify --checkpoint "$T/cp5" --pubkey "$T/keys/ledger.pub" >"$T/v"
grep -x 'checkpoint ok: the ledger extends county.example/jail-ledger at size 5 (signature verified)' "$T/v" >/dev/null ||
  fail "verify against checkpoint"
root=$(sed -n 's/^tree head: size 5, root //p' "$T/v")
[ "$($REF root "$CUSTODIAN_DB")" = "5 $root" ] || fail "reference root"
"$C" audit verify --checkpoint "$T/cp5" --pubkey "$T/keys/ledger.pub" --json |
  jq -e '.ok and .checkpoint.ok and .checkpoint.size == 5 and .checkpoint.signature == "verified"' >/dev/null ||
  fail "verify --json"
CUSTODIAN_LEDGER_KEY="$T/keys/ledger.key" "$C" audit checkpoint -o "$T/cp5b"
cmp -s "$T/cp5" "$T/cp5b" || fail "checkpoint from \$CUSTODIAN_LEDGER_KEY differs"
ok

# the log grows: the old checkpoint still holds, proofs from it verify in both implementations
for i in 1 2 3 4 5 6; do "$C" export >/dev/null; done
"$C" audit checkpoint --key "$T/keys/ledger.key" >"$T/cp11"
"$C" audit verify --checkpoint "$T/cp5" --pubkey "$T/keys/ledger.pub" >/dev/null || fail "grown log"
for m in 0 1 4 5 8 11; do
  "$C" audit prove --old $m --json >"$T/p.json"
  $REF check-proof "$CUSTODIAN_DB" "$T/p.json" >/dev/null || fail "reference: consistency from $m"
done
for e in 1 2 5 8 11; do
  "$C" audit prove --entry $e --json >"$T/p.json"
  $REF check-proof "$CUSTODIAN_DB" "$T/p.json" >/dev/null || fail "reference: inclusion of $e"
  "$C" audit prove --entry $e --size 9 --json >"$T/p.json" 2>/dev/null || [ $e -gt 9 ] || fail "prove --size"
done
"$C" audit prove --old 5 >"$T/p.txt"
grep -x 'old size 5' "$T/p.txt" >/dev/null && grep -x 'size 11' "$T/p.txt" >/dev/null || fail "prove text"
expect_exit 2 "$C" audit prove --old 12
expect_exit 2 "$C" audit prove --entry 0
expect_exit 2 "$C" audit prove
ok

# ---- the insider's edits (on copies) ----
cp "$CUSTODIAN_DB" "$T/clean.db"
attack() { # NAME SQL [RECHAIN]: the chain check alone is fooled, the checkpoint is not
  cp "$T/clean.db" "$T/t.db"
  sqlite3 "$T/t.db" "DROP TRIGGER ledger_no_update; DROP TRIGGER ledger_no_delete; $2"
  [ "${3:-}" = rechain ] && $REF rechain "$T/t.db" >/dev/null
  "$C" --db "$T/t.db" audit verify >/dev/null || fail "$1: the chain alone should not see it"
  expect_exit 1 "$C" --db "$T/t.db" audit verify --checkpoint "$T/cp11" --pubkey "$T/keys/ledger.pub"
  grep "^checkpoint broken: .*($4" "$T/err" >/dev/null || { cat "$T/err" >&2; fail "$1"; }
  $REF check-checkpoint "$T/t.db" "$T/cp11" "$T/keys/ledger.pub" 2>/dev/null && fail "$1: reference fooled"
  ok
}
# the issue's attack: cut the tail and rewind ledger_head to match
attack rewind "DELETE FROM ledger WHERE seq > 8;
  UPDATE ledger_head SET seq = 8, hash = (SELECT hash FROM ledger WHERE seq = 8)" "" truncated
attack rewrite "UPDATE ledger SET actor = 'nobody' WHERE seq = 3" rechain rewritten
attack reorder "UPDATE ledger SET seq = -1 WHERE seq = 4; UPDATE ledger SET seq = 4 WHERE seq = 7;
  UPDATE ledger SET seq = 7 WHERE seq = -1" rechain rewritten
attack delete_middle "DELETE FROM ledger WHERE seq = 6" rechain truncated
attack replace_last "UPDATE ledger SET detail = '{\"bookings\":0}' WHERE seq = 11" rechain rewritten
# an older checkpoint catches a rewrite of what it covers, not of entries after it
cp "$T/clean.db" "$T/t.db"
sqlite3 "$T/t.db" "DROP TRIGGER ledger_no_update; UPDATE ledger SET actor = 'nobody' WHERE seq = 9"
$REF rechain "$T/t.db" >/dev/null
"$C" --db "$T/t.db" audit verify --checkpoint "$T/cp5" --pubkey "$T/keys/ledger.pub" >/dev/null ||
  fail "entries after the checkpoint"
expect_exit 1 "$C" --db "$T/t.db" audit verify --checkpoint "$T/cp11" --pubkey "$T/keys/ledger.pub"
ok
# a forged checkpoint: its signature fails with the published key; another key's is ignored
sed 's/^11$/12/' "$T/cp11" >"$T/forged"
expect_exit 1 "$C" audit verify --checkpoint "$T/forged" --pubkey "$T/keys/ledger.pub"
grep '^checkpoint rejected: .*does not verify' "$T/err" >/dev/null || fail "forged checkpoint"
"$C" audit key generate --name county.example/jail-ledger --out "$T/keys/other" >/dev/null 2>&1
"$C" audit checkpoint --key "$T/keys/other.key" >"$T/other"
expect_exit 1 "$C" audit verify --checkpoint "$T/other" --pubkey "$T/keys/ledger.pub"
grep 'not signed by' "$T/err" >/dev/null || fail "another key's checkpoint"
# unsigned checkpoints are usable (an auditor's own copy), and say so
"$C" audit checkpoint --origin auditor.example/copy >"$T/bare" 2>/dev/null
"$C" audit verify --checkpoint "$T/bare" | grep '(unsigned checkpoint)' >/dev/null || fail "bare"
expect_exit 1 "$C" audit verify --checkpoint "$T/bare" --pubkey "$T/keys/ledger.pub"
printf 'x\n01\nAAAA\n' >"$T/bad"
expect_exit 2 "$C" audit verify --checkpoint "$T/bad"
grep "line 2" "$T/err" >/dev/null || fail "bad checkpoint line"
expect_exit 1 "$C" audit verify --checkpoint "$T/missing"
expect_exit 2 "$C" audit verify --pubkey "$T/keys/ledger.pub"
# a broken chain is never signed
cp "$T/clean.db" "$T/t.db"
sqlite3 "$T/t.db" "DROP TRIGGER ledger_no_update; UPDATE ledger SET actor = 'x' WHERE seq = 2"
expect_exit 1 "$C" --db "$T/t.db" audit checkpoint --key "$T/keys/ledger.key"
grep 'no checkpoint signed' "$T/err" >/dev/null || fail "signed a broken chain"
ok

# ---- read-only: no write lock, no migration, no change to the file, read-only copies ----
python3 -c "
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute('BEGIN IMMEDIATE')
open(sys.argv[2], 'w').close()
time.sleep(8)" "$CUSTODIAN_DB" "$T/locked" &
writer=$!
while [ ! -e "$T/locked" ]; do sleep 0.1; done
start=$(date +%s)
"$C" audit verify --checkpoint "$T/cp11" --pubkey "$T/keys/ledger.pub" >/dev/null || fail "verify beside a writer"
[ $(($(date +%s) - start)) -lt 4 ] || fail "verify waited for the writer's lock"
kill $writer 2>/dev/null; wait $writer 2>/dev/null || true
before=$(sha256sum <"$CUSTODIAN_DB")
"$C" audit verify >/dev/null
[ "$(sha256sum <"$CUSTODIAN_DB")" = "$before" ] || fail "verify changed the store file"
ok
cp "$T/clean.db" "$T/old.db"
sqlite3 "$T/old.db" "DELETE FROM schema_migrations WHERE version = (SELECT max(version) FROM schema_migrations)"
expect_exit 1 "$C" --db "$T/old.db" audit verify
grep "run 'custodian migrate'" "$T/err" >/dev/null || fail "older schema"
[ "$(sqlite3 "$T/old.db" 'SELECT count(*) FROM schema_migrations')" = \
  "$(($(sqlite3 "$T/clean.db" 'SELECT count(*) FROM schema_migrations') - 1))" ] || fail "verify migrated"
# a copy where no -shm/-wal can be made beside it (as on read-only media): opened immutable
mkdir "$T/ro" && cp "$T/clean.db" "$T/ro/c.db" && mkdir "$T/ro/c.db-shm" "$T/ro/c.db-wal"
"$C" --db "$T/ro/c.db" audit verify --checkpoint "$T/cp11" --pubkey "$T/keys/ledger.pub" >/dev/null ||
  fail "read-only copy"
expect_exit 1 "$C" --db "$T/nowhere.db" audit verify
[ ! -e "$T/nowhere.db" ] || fail "verify created a store"
ok
pass
