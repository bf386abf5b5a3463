#!/usr/bin/env bash
# audit verify: ok on an intact chain; names the first bad entry and exits 1 after any change,
# deletion, insertion or reordering (done with the sqlite3 CLI after dropping the guards).
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
D="$CUST_SOURCE_DIR/tests/data/records"
C="$CUSTODIAN"

"$C" import "$D/good.jsonl" 2>/dev/null
# the import's entry names the input by its SHA-256: the file's bytes as sha256sum hashes them
want=$(sha256sum "$D/good.jsonl" | cut -d' ' -f1)
[ "$(sqlite3 "$CUSTODIAN_DB" "SELECT json_extract(detail, '$.sha256') FROM ledger WHERE seq = 1")" = "$want" ] ||
  fail "import sha256"
ok
for i in 1 2 3 4; do "$C" export >/dev/null; done
"$C" audit verify >"$T/v" && grep -qx 'ledger ok: 5 entries' "$T/v" || fail "intact chain"
"$C" audit verify --json | jq -e '.ok == true and .entries == 5' >/dev/null || fail "verify --json"
ok
# the store itself refuses updates and deletes
! sqlite3 "$CUSTODIAN_DB" "UPDATE ledger SET actor = 'x' WHERE seq = 2" 2>/dev/null || fail "update guard"
! sqlite3 "$CUSTODIAN_DB" "DELETE FROM ledger WHERE seq = 5" 2>/dev/null || fail "delete guard"
ok
cp "$CUSTODIAN_DB" "$T/clean.db"
unguard='DROP TRIGGER ledger_no_update; DROP TRIGGER ledger_no_delete;'
tamper() { # NAME SQL EXPECTED_SEQ
  cp "$T/clean.db" "$T/t.db"
  sqlite3 "$T/t.db" "$unguard $2"
  expect_exit 1 "$C" --db "$T/t.db" audit verify
  grep -q "^ledger broken at entry $3: " "$T/err" || { cat "$T/err" >&2; fail "$1: want entry $3"; }
  ok
}
tamper changed_actor "UPDATE ledger SET actor = 'mallory' WHERE seq = 3" 3
tamper changed_detail "UPDATE ledger SET detail = '{\"bookings\":0}' WHERE seq = 1" 1
tamper changed_time "UPDATE ledger SET at = '2020-01-01T00:00:00Z' WHERE seq = 4" 4
tamper deleted_middle "DELETE FROM ledger WHERE seq = 2" 2
tamper deleted_first "DELETE FROM ledger WHERE seq = 1" 1
tamper deleted_last "DELETE FROM ledger WHERE seq = 5" 5
tamper reordered "UPDATE ledger SET seq = 100 WHERE seq = 2; UPDATE ledger SET seq = 2 WHERE seq = 3; UPDATE ledger SET seq = 3 WHERE seq = 100" 2
tamper inserted "INSERT INTO ledger SELECT 6, at, actor, role, action, object_type, object_id, outcome, purpose, detail, hash, hash, rows FROM ledger WHERE seq = 5" 6
tamper head_removed "DELETE FROM ledger_head" 1
# a rehashed forgery still breaks the link to the next entry
cp "$T/clean.db" "$T/t.db"
sqlite3 "$T/t.db" "$unguard UPDATE ledger SET hash = '$(printf '%064d' 1)' WHERE seq = 2"
expect_exit 1 "$C" --db "$T/t.db" audit verify
grep -q '^ledger broken at entry 2: ' "$T/err" || fail "forged hash"
ok
# the clean copy still verifies
"$C" --db "$T/clean.db" audit verify | grep -x 'ledger ok: 5 entries' >/dev/null || fail "clean copy"
expect_exit 2 "$C" audit
expect_exit 2 "$C" audit frobnicate
ok
pass
