#!/usr/bin/env bash
# Disclosures: a fulfilment keeps one row per row given and ONE ledger entry over them (count,
# SHA-256 of the row hashes in order); `audit verify` checks every row against it and names
# the first row changed, deleted or inserted (done with the sqlite3 CLI after dropping the
# guards, as an attacker with the file could).
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
C="$CUSTODIAN"
export CUSTODIAN_NOW=2025-07-18T19:00:00Z
"$C" init >/dev/null 2>&1
"$C" import "$CUST_SOURCE_DIR/tests/data/desk/county.jsonl" 2>/dev/null
cat >"$T/doj.json" <<'J'
{"kind": "information_request", "requester": {"agency": "U.S. Department of Justice"},
 "received_at": "2025-07-17T09:00:00-07:00", "due": "2025-08-16",
 "scope": {"population": "in_custody", "citizenship": "non_citizen", "as_of": "2025-07-17"},
 "items": ["booking_facts", "charges", "release_date", "home_address"]}
J
DOJ=$("$C" request add "$T/doj.json")
expect_exit 0 "$C" request fulfill "$DOJ" --out "$T/doj-out.json"
given=$(jq '.rows | length' "$T/doj-out.json")
[ "$given" -eq 3 ] || fail "rows given: $given"; ok
# one ledger entry for the three rows, its hash over the rows
"$C" audit log --json >"$T/ledger.json"
[ "$(jq '[.[] | select(.action == "disclosure")] | length' "$T/ledger.json")" -eq 1 ] || fail "one entry"; ok
jq -e '.[] | select(.action == "disclosure") | .detail | .count == 3 and (.rows_sha256 | length) == 64' \
  "$T/ledger.json" >/dev/null || fail "entry detail"; ok
[ "$(sqlite3 "$CUSTODIAN_DB" "SELECT count(*) FROM disclosures")" -eq 3 ] || fail "three rows"; ok
# every row points to a stored decision, stored once per distinct decision
[ "$(sqlite3 "$CUSTODIAN_DB" "SELECT count(*) FROM disclosures x LEFT JOIN decisions d ON d.id = x.decision_id WHERE d.id IS NULL")" -eq 0 ] || fail "decision of each row"; ok
ndec=$(sqlite3 "$CUSTODIAN_DB" "SELECT count(*) FROM decisions WHERE request_id = '$DOJ'")
[ "$ndec" -ge 1 ] && [ "$ndec" -le 3 ] || fail "decisions: $ndec"; ok
[ "$(sqlite3 "$CUSTODIAN_DB" "SELECT count(DISTINCT decision) FROM decisions WHERE request_id = '$DOJ'")" -eq "$ndec" ] || fail "each decision once"; ok
"$C" audit verify >"$T/v" || fail "verify"
grep -qx 'disclosures ok: 3 rows in 1 fulfilments' "$T/v" || fail "disclosures ok"; ok
"$C" audit verify --json | jq -e '.ok and .disclosures == 3' >/dev/null || fail "verify --json"; ok
# the store refuses updates and deletes
! sqlite3 "$CUSTODIAN_DB" "UPDATE disclosures SET items = '[]' WHERE ord = 0" 2>/dev/null || fail "update guard"; ok
! sqlite3 "$CUSTODIAN_DB" "DELETE FROM disclosures WHERE ord = 0" 2>/dev/null || fail "delete guard"; ok

cp "$CUSTODIAN_DB" "$T/clean.db"
id1=$(sqlite3 "$T/clean.db" "SELECT id FROM disclosures WHERE ord = 1")
unguard='DROP TRIGGER disclosures_no_update; DROP TRIGGER disclosures_no_delete;'
tamper() { # NAME SQL EXPECTED_MESSAGE_PATTERN
  cp "$T/clean.db" "$T/t.db"
  sqlite3 "$T/t.db" "$unguard $2"
  expect_exit 1 "$C" --db "$T/t.db" audit verify
  grep -q "^disclosures broken: $3" "$T/err" || { cat "$T/err" >&2; fail "$1: want $3"; }
  ok
}
tamper changed_items "UPDATE disclosures SET items = '[\"booking_facts\"]' WHERE ord = 1" \
  "disclosure #$id1 (request $DOJ, row 1): contents do not match its hash (changed)"
tamper changed_recipient "UPDATE disclosures SET recipient = 'nobody' WHERE ord = 1" \
  "disclosure #$id1 (request $DOJ, row 1): .*changed"
tamper changed_booking "UPDATE disclosures SET booking_number = '9999' WHERE ord = 1" \
  "disclosure #$id1 .*changed"
tamper deleted_middle "DELETE FROM disclosures WHERE ord = 1" \
  "disclosure row 1 of request $DOJ missing (deleted)"
tamper deleted_last "DELETE FROM disclosures WHERE ord = 2" \
  "disclosure row 2 of request $DOJ missing (deleted)"
tamper deleted_all "DELETE FROM disclosures" \
  "disclosure row 0 of request $DOJ missing"
tamper inserted_copy "INSERT INTO disclosures(request_id, ord, person_id, booking_number, items, withheld, recipient, office, at, decision_id, row_hash) SELECT request_id, ord, person_id, booking_number, items, withheld, recipient, office, at, decision_id, row_hash FROM disclosures WHERE ord = 1" \
  "disclosure #[0-9]* (request $DOJ): a second row 1 (inserted)"
tamper inserted_beyond "INSERT INTO disclosures(request_id, ord, person_id, booking_number, items, withheld, recipient, office, at, decision_id, row_hash) SELECT request_id, 3, person_id, booking_number, items, withheld, recipient, office, at, decision_id, row_hash FROM disclosures WHERE ord = 1" \
  "disclosure #[0-9]* .*(inserted)"
tamper inserted_other "INSERT INTO disclosures(request_id, ord, person_id, booking_number, items, withheld, recipient, office, at, decision_id, row_hash) SELECT 'R-2025-999999', 0, person_id, booking_number, items, withheld, recipient, office, at, decision_id, row_hash FROM disclosures WHERE ord = 1" \
  "disclosure #[0-9]* (request R-2025-999999): no ledger entry records it (inserted)"
# a row changed together with a recomputed-looking hash still breaks the ledger's set hash
tamper rehashed "UPDATE disclosures SET row_hash = (SELECT row_hash FROM disclosures WHERE ord = 0) WHERE ord = 1" \
  "disclosure #$id1 .*changed"
pass
