#!/usr/bin/env bash
# The fast import path (docs/bench-import.md): a bulk load into an empty store (deferred
# indexes, in-memory existence checks, no per-row FK checks) must give exactly what the
# ordinary path gives into a non-empty store; the reader thread keeps line order for writes,
# problems and rejects, also across more lines than its ring holds.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
D="$CUST_SOURCE_DIR/tests/data/records"
C="$CUSTODIAN"

# 400 lines from the four sample lines: booking numbers B1..B400; person_id / cii repeat so
# persons link by key and by cii; line 300 repeats line 150 exactly (unchanged), line 320
# repeats line 151 with another facility (a new version), line 330 repeats 320 (unchanged).
f="$T/bulk.jsonl"
jq -c . "$D/good.jsonl" >"$T/base.jsonl"
jq -c -n --slurpfile b "$T/base.jsonl" '
  def line($i): $b[$i % 4] | .booking_number = "B\($i)"
    | (if .person.person_id then .person.person_id = "K\($i % 37)" else . end)
    | (if .person.ids.cii then .person.ids.cii = "C\($i % 23)" else . end);
  range(1; 401) as $i
  | if $i == 300 then line(150) elif $i == 320 or $i == 330 then line(151) | .facility = "Elsewhere"
    else line($i) end' >"$f"
[ "$(wc -l <"$f")" -eq 400 ] || fail "generated 400 lines"

q() { sqlite3 "$1" "$2"; }
# the projection both paths must agree on (person identity by key / cii / first booking)
proj() {
  q "$1" "SELECT b.booking_number, b.version, b.facility, coalesce(p.person_key, ''),
     coalesce(p.cii, ''), p.citizenship_status, (SELECT min(b2.booking_number) FROM bookings b2
     WHERE b2.person_id = b.person_id), (SELECT count(*) FROM charges c WHERE c.booking_id = b.id),
     (SELECT count(*) FROM prior_convictions c WHERE c.booking_id = b.id),
     (SELECT count(*) FROM citizenship_history h WHERE h.person_id = b.person_id)
     FROM bookings b JOIN persons p ON p.id = b.person_id WHERE b.booking_number LIKE 'B%'
     ORDER BY b.booking_number"
}

# bulk: into an empty store
"$C" init >/dev/null
expect_exit 0 "$C" import "$f"
grep -q "^imported 400 bookings" "$T/err" || fail "summary: $(cat "$T/err")"
ok
# reference: the same file into a store that already holds a booking (the ordinary path)
R="$T/ref.db"
"$C" --db "$R" init >/dev/null
head -n 1 "$T/base.jsonl" | jq -c '.booking_number = "X1" | .person.person_id = "XP"' >"$T/x.jsonl"
"$C" --db "$R" import "$T/x.jsonl" 2>/dev/null
expect_exit 0 "$C" --db "$R" import "$f"
ok
[ "$(proj "$CUSTODIAN_DB")" = "$(proj "$R")" ] || fail "bulk and ordinary import differ"
ok
[ "$(q "$CUSTODIAN_DB" "SELECT count(*) FROM booking_versions")" -eq 398 ] || fail "versions"
[ "$(q "$CUSTODIAN_DB" "SELECT version FROM bookings WHERE booking_number = 'B151'")" -eq 2 ] ||
  fail "changed re-import is version 2"
[ "$(q "$CUSTODIAN_DB" "SELECT count(*) FROM persons")" -eq \
  "$(( $(q "$R" "SELECT count(*) FROM persons") - 1 ))" ] || fail "same persons"
ok
"$C" audit log --json | jq -e '[.[] | select(.action == "correct")] | length == 1' >/dev/null ||
  fail "one correct entry"
"$C" audit log --json | jq -e '.[] | select(.action == "import") | .detail | .created == 397
  and .updated == 1 and .unchanged == 2' >/dev/null || fail "import counts"
ok
# the deferred indexes are back, nothing dangles, the file is sound; export is byte-identical
[ "$(q "$CUSTODIAN_DB" "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN
  ('bookings_person', 'priors_person', 'persons_cii', 'persons_fbi', 'persons_sid')")" -eq 5 ] ||
  fail "indexes rebuilt"
[ -z "$(q "$CUSTODIAN_DB" "PRAGMA foreign_key_check")" ] || fail "foreign keys"
[ "$(q "$CUSTODIAN_DB" "PRAGMA integrity_check")" = ok ] || fail "integrity"
[ "$(q "$CUSTODIAN_DB" "PRAGMA foreign_keys")" -eq 0 ] # (a fresh sqlite3 shell: off by default)
"$C" export >"$T/e1.jsonl"
"$C" --db "$R" export | grep -v '"X1"' >"$T/e2.jsonl"
cmp -s "$T/e1.jsonl" "$T/e2.jsonl" || fail "exports differ"
ok
# the store still enforces foreign keys for later writes (bulk mode ended with the import)
"$C" import "$T/x.jsonl" 2>/dev/null
[ "$(q "$CUSTODIAN_DB" "SELECT count(*) FROM bookings")" -eq 398 ] || fail "later import"
ok

# All or nothing across more lines than the reader's ring: problems in line order, nothing
# written, and the indexes dropped for the load are back after the rollback.
export CUSTODIAN_DB="$T/bad.db"
"$C" init >/dev/null
b="$T/bad.jsonl"
awk 'NR == 5 { print "{\"booking_number\": 5}"; next } NR == 200 { print "not json"; next }
     NR == 399 { print "[1]"; next } { print }' "$f" >"$b"
expect_exit 2 "$C" import "$b"
[ "$(grep -o "^$b:[0-9]*" "$T/err" | cut -d: -f2 | tr '\n' ' ')" = "5 5 5 200 399 " ] ||
  { cat "$T/err"; fail "problems in line order"; }
[ "$(q "$CUSTODIAN_DB" "SELECT count(*) FROM bookings")" -eq 0 ] || fail "nothing written"
[ "$(q "$CUSTODIAN_DB" "SELECT count(*) FROM ledger")" -eq 0 ] || fail "no ledger entry"
[ "$(q "$CUSTODIAN_DB" "SELECT count(*) FROM sqlite_master WHERE name IN
  ('bookings_person', 'priors_person')")" -eq 2 ] || fail "indexes kept after rollback"
ok
expect_exit 1 "$C" import --skip-invalid "$b"
[ "$(jq -r .line "$b.rejects.jsonl" | tr '\n' ' ')" = "5 200 399 " ] || fail "rejects in order"
[ "$(q "$CUSTODIAN_DB" "SELECT count(*) FROM bookings")" -eq 394 ] || fail "valid lines written"
ok
pass
