#!/usr/bin/env bash
# Every row of the record and the desk in the ledger (issue 10): an insider with the store file
# drops the triggers and edits the record and the desk the way the issue did; `audit verify`
# names the first bad row by table and key and exits 1; the desk refuses to act on a forged
# decision, with a refusal message and a ledger entry; and a rewrite that also recomputes the
# journal and the chain is caught by a checkpoint kept elsewhere.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
C="$CUSTODIAN"
REF="python3 $(dirname "$0")/lib/tlog_ref.py"
export CUSTODIAN_NOW=2025-07-18T19:00:00Z
"$C" init >/dev/null 2>&1
"$C" import "$CUST_SOURCE_DIR/tests/data/desk/county.jsonl" 2>/dev/null
staff sgt supervisor lt supervisor deputy clerk # --by: active accounts

# a detainer (hold prohibited, notify permitted), acted on; a judicial warrant transferred
cat >"$T/det.json" <<'J'
{"kind": "detainer", "form": "I-247A", "requester": {"agency": "ICE", "office": "LA"},
 "received_at": "2025-07-02T10:00:00-07:00", "subject": {"fbi": "123456AB7", "last_name": "GARCIA"},
 "documents": [{"name": "i247a.txt", "content_base64": "SS0yNDdB"}]}
J
DET=$("$C" request add "$T/det.json")
"$C" request decide "$DET" >/dev/null
"$C" request act "$DET" --action notify --by sgt >/dev/null
# the DOJ letter: its notice duties (1001, 1006) under one duty.create entry naming them
cat >"$T/doj.json" <<'J'
{"kind": "information_request", "requester": {"agency": "U.S. Department of Justice"},
 "received_at": "2025-07-17T09:00:00-07:00", "due": "2025-08-16",
 "scope": {"population": "in_custody", "citizenship": "non_citizen", "as_of": "2025-07-17"},
 "items": ["booking_facts", "charges", "release_date"]}
J
DOJ=$("$C" request add "$T/doj.json")
"$C" request fulfill "$DOJ" --out "$T/doj.out" >/dev/null
nd=$(sqlite3 "$CUSTODIAN_DB" "SELECT min(id) || ' ' || max(id) FROM duties WHERE request_id = '$DOJ'")
"$C" audit log --json | jq -e --arg id "$DOJ" --argjson a "${nd% *}" --argjson b "${nd#* }" \
  '[.[] | select(.action == "duty.create" and .object_id == $id)] | length == 1
   and .[0].detail.count == 2 and .[0].detail.duty_ids == [[$a, $b]]' >/dev/null ||
  fail "one duty.create entry for the fulfilment's notice duties"
"$C" audit verify >"$T/v"
grep '^rows ok: [0-9]* rows of the record and the desk match the ledger$' "$T/v" >/dev/null ||
  fail "rows ok"
"$C" audit verify --json | jq -e '.ok and .rows > 0 and .rows_committed' >/dev/null || fail "--json"
ok
mkdir "$T/keys"
"$C" audit key generate --name county.example/ledger --out "$T/keys/l" >/dev/null 2>&1
"$C" audit checkpoint --key "$T/keys/l.key" >"$T/cp"
cp "$CUSTODIAN_DB" "$T/clean.db"

# ---- the issue's edits, each on a fresh copy, with the store's guards dropped ----
unguard=$(sqlite3 "$T/clean.db" "SELECT group_concat('DROP TRIGGER ' || name, '; ') || ';'
  FROM sqlite_master WHERE type = 'trigger' AND name != 'persons_name_copy'")
tamper() { # NAME SQL EXPECTED-MESSAGE-REGEX
  cp "$T/clean.db" "$T/t.db"
  sqlite3 "$T/t.db" "$unguard $2"
  expect_exit 1 "$C" --db "$T/t.db" audit verify
  grep -E "^row broken: $3" "$T/err" >/dev/null || { cat "$T/err" >&2; fail "$1"; }
  ok
}
bv=$(sqlite3 "$T/clean.db" "SELECT v.id || ' (booking ' || b.booking_number || ' v' || v.version || ')'
  FROM booking_versions v JOIN bookings b ON b.id = v.booking_id ORDER BY v.id LIMIT 1")
tamper release_date "UPDATE booking_versions SET doc = json_set(doc, '\$.scheduled_release', '2020-01-01')
  WHERE id = (SELECT min(id) FROM booking_versions)" "booking_versions id ${bv//(/\\(}: content does not match entry 1$"
tamper citizenship "UPDATE persons SET citizenship_status = 'citizen' WHERE id = 1" \
  "persons id 1 \(person [^)]*\): content does not match entry [0-9]+$"
tamper a_number "UPDATE persons SET a_number = 'A099999999' WHERE id = 2" "persons id 2 .*: content does not match"
tamper released_at "UPDATE bookings SET released_at = '2025-07-01T08:00:00Z' WHERE id = 3" \
  "bookings id 3 \(booking [0-9]+\): content does not match entry 1$"
tamper charge "UPDATE charges SET level = 'infraction' WHERE booking_id = 4 AND idx = 0" "bookings id 4 "
tamper priors_gone "DELETE FROM prior_convictions WHERE booking_id = (SELECT min(booking_id) FROM prior_convictions)" \
  "bookings id [0-9]+ .*: content does not match"
tamper cit_history "DELETE FROM citizenship_history WHERE id = 1" "citizenship_history id 1: deleted \(entry 1 committed it"
tamper decision "UPDATE decisions SET decision = replace(decision, '\"prohibited\"', '\"permitted\"')" \
  "decisions id 1 \(request $DET, person #[0-9]+\): content does not match entry [0-9]+$"
tamper action_gone "DELETE FROM actions" "actions id 1: deleted \(entry [0-9]+ committed it; it is gone\)$"
tamper request "UPDATE requests SET status = 'closed'" "requests '$DET' \(request $DET\): content does not match"
tamper link "UPDATE request_links SET state = 'rejected'" "requests '$DET'"
tamper document "UPDATE documents SET content = X'00'" "documents '[0-9a-f]{64}' .*: content does not match"
tamper duty "UPDATE duties SET status = 'done', done_by = 'nobody' WHERE id = 1" "duties id 1 "
tamper notice_duty "UPDATE duties SET booking_number = '9999' WHERE id = ${nd% *}" \
  "duties id ${nd% *} \(request $DOJ, notice_to_subject_and_attorney \(open\)\): content does not match entry [0-9]+$"
tamper notice_duty_gone "DELETE FROM duties WHERE id = ${nd#* }" \
  "duties id ${nd#* }: deleted \(entry [0-9]+ committed it; it is gone\)$"
tamper inserted_person "INSERT INTO persons(last_name, first_name, dob) VALUES('DOE', 'JOHN', '1990-01-01')" \
  "persons id [0-9]+ .*: no ledger entry commits to it \(inserted\)$"
tamper swapped "UPDATE persons SET id = -id WHERE id IN (1, 2); UPDATE persons SET id = 3 - (-id) WHERE id < 0" \
  "persons id 1 .*: content does not match"
tamper name_copy "UPDATE bookings SET search_last = 'SMITH' WHERE id = 1" "booking [0-9]+: its copy of the name"
# --all lists every bad row
cp "$T/clean.db" "$T/t.db"
sqlite3 "$T/t.db" "UPDATE persons SET sex = 'X' WHERE id IN (1, 2, 3)"
expect_exit 1 "$C" --db "$T/t.db" audit verify --all
[ "$(grep -c '^row broken: persons id' "$T/err")" -eq 3 ] || fail "--all"
"$C" --db "$T/t.db" audit verify --all --json >"$T/j" 2>/dev/null || true
[ "$(jq '.row_problems | length' "$T/j")" -eq 3 ] && [ "$(jq -r '.row_problems[0].kind' "$T/j")" = changed ] ||
  fail "--json problems"
ok

# ---- the desk refuses a forged decision (and records that it did) ----
cat >"$T/det2.json" <<'J'
{"kind": "detainer", "form": "I-247A", "requester": {"agency": "ICE", "office": "LA"},
 "received_at": "2025-07-03T10:00:00-07:00", "subject": {"fbi": "123456AB7", "last_name": "GARCIA"}}
J
DET2=$("$C" request add "$T/det2.json")
"$C" request decide "$DET2" >/dev/null
expect_exit 1 "$C" request act "$DET2" --action hold --by sgt # prohibited: refused as before
sqlite3 "$CUSTODIAN_DB" "DROP TRIGGER decisions_no_update;
  UPDATE decisions SET decision = replace(decision, '\"prohibited\"', '\"permitted\"')
  WHERE request_id = '$DET2'"
acts_before=$(sqlite3 "$CUSTODIAN_DB" "SELECT count(*) FROM actions")
expect_exit 1 "$C" request act "$DET2" --action hold --by sgt
grep "does not match the ledger (content does not match entry [0-9]*): nothing was done" "$T/err" >/dev/null ||
  fail "forged decision: message"
[ "$(sqlite3 "$CUSTODIAN_DB" "SELECT count(*) FROM actions")" = "$acts_before" ] || fail "forged decision: acted"
"$C" audit log --json | jq -e --arg id "$DET2" 'last | .object_id == $id and .outcome == "refused"
  and (.purpose | test("does not match the ledger"))' >/dev/null || fail "forged decision: no ledger entry"
ok
cp "$T/clean.db" "$CUSTODIAN_DB"

# ---- the full forgery: row, journal, entry and chain recomputed; only a checkpoint sees it ----
cp "$T/clean.db" "$T/forged.db"
$REF forge-row "$T/forged.db" persons 1 citizenship_status citizen >/dev/null || fail "forge"
"$C" --db "$T/forged.db" audit verify >/dev/null || fail "the forgery should pass without a checkpoint"
expect_exit 1 "$C" --db "$T/forged.db" audit verify --checkpoint "$T/cp" --pubkey "$T/keys/l.pub"
grep '^checkpoint broken: .*(rewritten' "$T/err" >/dev/null || fail "the checkpoint sees the forgery"
$REF check-checkpoint "$T/forged.db" "$T/cp" "$T/keys/l.pub" 2>/dev/null && fail "reference fooled"
ok
pass
