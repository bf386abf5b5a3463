#!/usr/bin/env bash
# The demo county end to end: a generated county and its year of requests; the DOJ letter from
# intake to fulfilment with every row checked against `custodian decide`; a detainer, a
# judicial warrant, an interview request and a subpoena from the CLI.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
C="$CUSTODIAN"
export CUSTODIAN_NOW=2025-12-31T20:00:00Z
"$C" init >/dev/null 2>&1
staff sgt supervisor lt supervisor deputy clerk # --by: active accounts
"$C" gen --seed 7 --bookings 20000 --end 2025-12-31 >"$T/county.jsonl"
"$C" import --no-progress "$T/county.jsonl" 2>/dev/null
"$C" gen --requests --seed 7 --bookings 20000 --end 2025-12-31 >"$T/requests.jsonl"
[ "$(jq -r 'select(.kind == "information_request") | .received_at[0:10] + " " + .due' "$T/requests.jsonl")" = \
  "2025-07-17 2025-08-16" ] || fail "the DOJ letter"; ok
[ "$(jq -r 'select(.kind == "administrative_subpoena") | .received_at' "$T/requests.jsonl" | wc -l)" -eq 1 ] || fail "subpoena"; ok
n_det=$(jq -r 'select(.kind == "detainer")' "$T/requests.jsonl" | jq -s length)
# 995 a year at the default 200,000 bookings over two years: about 10% of that here
[ "$n_det" -gt 150 ] && [ "$n_det" -lt 250 ] || fail "detainers: $n_det"; ok
[ "$(jq -r 'select(.kind == "judicial_warrant")' "$T/requests.jsonl" | jq -s length)" -gt 3 ] || fail "judicial warrants"; ok

# bulk intake is all or nothing
{ cat "$T/requests.jsonl"; echo '{"kind": "detainer"}'; } >"$T/bad.jsonl"
expect_exit 2 "$C" request add --jsonl "$T/bad.jsonl"
grep -q 'bad.jsonl:[0-9]*: request.requester' "$T/err" || fail "line and path"; ok
[ "$("$C" request list --json | jq length)" -eq 0 ] || fail "nothing stored"; ok
expect_exit 0 "$C" request add --jsonl "$T/requests.jsonl"
total=$(wc -l <"$T/requests.jsonl")
[ "$("$C" request list --json | jq length)" -eq "$total" ] || fail "all stored"; ok

# ---- the DOJ letter: fulfilment checked row by row against decide ----
DOJ=$("$C" request list --kind information_request --json | jq -r '.[0].id')
expect_exit 0 "$C" request fulfill "$DOJ" --out "$T/doj.json"
rows=$(jq '.rows | length' "$T/doj.json")
[ "$rows" -gt 20 ] || fail "doj rows: $rows"; ok
# scope: exactly the non-citizens in custody on 2025-07-17
"$C" roster --as-of 2025-07-17 --citizenship non_citizen --json | jq -r '.[].booking_number' | sort >"$T/scope.txt"
jq -r '.rows[].booking_number' "$T/doj.json" | sort >"$T/rows.txt"
cmp -s "$T/scope.txt" "$T/rows.txt" || fail "rows are the scope"; ok
# the whole-record case of each row (every booking of the person up to the letter's day: prior
# convictions, charges convicted in any booking, pending charges, the best-sourced
# citizenship), built here from the export by an oracle apart from the desk's C, decided by
# `custodian decide`
"$C" export -o "$T/export.jsonl" 2>/dev/null
jq -c -s --arg as_of 2025-07-17 --argjson rows "$(jq -R . "$T/rows.txt" | jq -s -c .)" \
  --argjson request '{"kind": "information_request", "population": true,
                      "items": ["booking_facts", "charges", "convictions", "release_date"]}' \
  -f "$CUST_SOURCE_DIR/tests/integration/lib/whole_case.jq" "$T/export.jsonl" >"$T/pairs.jsonl"
[ "$(wc -l <"$T/pairs.jsonl")" -eq "$rows" ] || fail "a case per row"; ok
jq -c .c "$T/pairs.jsonl" >"$T/cases.jsonl"
"$C" decide --batch "$T/cases.jsonl" >"$T/decisions.jsonl"
# expected row shape from each decision: given items, and withheld items with their cites
paste -d '\n' <(jq -c '{b: .booking_number}' "$T/pairs.jsonl") "$T/decisions.jsonl" | jq -c -s '
  [range(0; length; 2) as $i | {b: .[$i].b, d: .[$i + 1]}]
  | map({b, given: [.d.disclose | to_entries[] | select(.value.verdict != "prohibited") | .key] | sort,
         withheld: (.d.disclose | with_entries(select(.value.verdict == "prohibited"))
                    | map_values(.cite | join("; ")))})
  | sort_by(.b)[]' >"$T/expected.jsonl"
jq -c '.rows | map({b: .booking_number,
    given: [to_entries[] | select(.key | IN("booking_facts","charges","convictions","release_date")) | .key] | sort,
    withheld}) | sort_by(.b)[]' "$T/doj.json" >"$T/actual.jsonl"
diff "$T/expected.jsonl" "$T/actual.jsonl" >"$T/diff" || { head -5 "$T/diff" >&2; fail "rows differ from decide"; }
ok
given_rd=$(jq '[.rows[] | select(.release_date != null)] | length' "$T/doj.json")
withheld_rd=$(jq '[.rows[] | select(.withheld.release_date)] | length' "$T/doj.json")
[ "$withheld_rd" -gt 0 ] || fail "some release dates withheld"; ok
# every row given is a disclosure row, all under one ledger entry; one notice duty per
# release date given
"$C" audit log --json 2>/dev/null >"$T/ledger.json" || true
[ "$(jq "[.[] | select(.action == \"disclosure\")] | length" "$T/ledger.json")" -eq 1 ] || fail "one disclosure entry"; ok
[ "$(jq ".[] | select(.action == \"disclosure\") | .detail.count" "$T/ledger.json")" -eq "$rows" ] || fail "disclosures"; ok
[ "$(sqlite3 "$CUSTODIAN_DB" "SELECT count(*) FROM disclosures WHERE request_id = '$DOJ'")" -eq "$rows" ] || fail "disclosure rows"; ok
"$C" audit verify | grep "^disclosures ok: $rows rows" >/dev/null || fail "disclosures verified"; ok
[ "$("$C" duties list --request "$DOJ" --json | jq '[.[] | select(.duty == "notice_to_subject_and_attorney")] | length')" -eq "$given_rd" ] || fail "notice duties"; ok
[ "$("$C" request show "$DOJ" --json | jq -r .status)" = fulfilled ] || fail "fulfilled"; ok

# ---- a detainer from the generated year ----
DET=$("$C" request list --kind detainer --json | jq -r '[.[] | select(.status == "matched")][0].id')
expect_exit 0 "$C" request decide "$DET" --json
notify=$(jq -r '.[0].decision.actions.notify.verdict' "$T/out")
expect_exit 1 "$C" request act "$DET" --action hold --by sgt
if [ "$notify" = prohibited ]; then
  expect_exit 1 "$C" request act "$DET" --action notify --by sgt
else
  expect_exit 0 "$C" request act "$DET" --action notify --by sgt
fi
[ "$("$C" duties list --request "$DET" --json | jq '[.[] | select(.duty == "serve_copy_to_subject" and .due != null)] | length')" -eq 1 ] || fail "serve copy with a deadline"; ok

# ---- a judicial warrant ----
JW=$("$C" request list --kind judicial_warrant --json | jq -r '[.[] | select(.status == "matched")][0].id')
"$C" request decide "$JW" --json | jq -e '.[0].decision.actions.transfer.verdict == "required"' >/dev/null || fail "transfer required"; ok
# the hand-over on the day the warrant came (the person is in custody then, maybe not now)
JW_AT=$("$C" request show "$JW" --json | jq -r .received_at)
if "$C" request show "$JW" --json | jq -e '.links[0].review' >/dev/null; then
  expect_exit 1 "$C" request act "$JW" --action transfer --by sgt --agency USMS --warrant 2:25-mj-100 --at "$JW_AT"
  "$C" request review "$JW" "$("$C" request show "$JW" --json | jq '.links[0].person_id')" --by lt --reason "checked" >/dev/null
fi
expect_exit 0 "$C" request act "$JW" --action transfer --by sgt --agency "U.S. Marshals Service" --warrant 2:25-mj-100 --at "$JW_AT"
"$C" request transfers --json | jq -e '.[0].basis == "judicial_warrant"' >/dev/null || fail "transfer listed"; ok

# ---- an interview request (one named by name and birth date only waits for a person to
# confirm the match; one with a strong identifier was linked at intake) ----
IV=$("$C" request list --kind interview_request --json |
     jq -r '(map(select(.status == "received")) + map(select(.status == "matched")))[0].id')
if [ "$("$C" request show "$IV" --json | jq -r .status)" = received ]; then
  "$C" request match "$IV" --json >"$T/cands.json"
  PID=$(jq '.[0].person_id' "$T/cands.json")
  expect_exit 1 "$C" request decide "$IV"
  expect_exit 0 "$C" request confirm "$IV" "$PID" --by sgt
else
  PID=$("$C" request show "$IV" --json | jq '.links[0].person_id')
fi
"$C" request decide "$IV" >/dev/null
if "$C" request show "$IV" --json | jq -e '.links[0].review' >/dev/null; then
  "$C" request review "$IV" "$PID" --by lt --reason "citizenship checked" >/dev/null
fi
expect_exit 1 "$C" request act "$IV" --action interview --by sgt
CONSENT=$("$C" duties list --request "$IV" --json | jq '.[] | select(.duty == "consent_form_before_interview") | .id')
"$C" duties done "$CONSENT" --by deputy >/dev/null
expect_exit 0 "$C" request act "$IV" --action interview --by sgt

# ---- the subpoena ----
SUB=$("$C" request list --kind administrative_subpoena --json | jq -r '.[0].id')
expect_exit 0 "$C" request fulfill "$SUB"
[ "$(jq '.rows | length' "$T/out")" -eq 0 ] || fail "nothing disclosed"; ok
COUNSEL=$("$C" duties list --request "$SUB" --json | jq '.[] | select(.duty == "refer_to_counsel") | .id')
"$C" duties done "$COUNSEL" --by sgt >/dev/null
expect_exit 0 "$C" request fulfill "$SUB" --counsel-released
jq -e '[.rows[] | select(.home_address != null)] | length == 0' "$T/out" >/dev/null || fail "home address withheld"; ok

# ---- deadlines: overdue first ----
"$C" request list --open --json >"$T/open.json"
jq -e '.[0].overdue == true' "$T/open.json" >/dev/null || fail "overdue first"; ok
jq -e '[.[] | .overdue] | (index(false) // length) as $i | .[$i:] | all(. == false)' "$T/open.json" >/dev/null || fail "overdue block"; ok
"$C" audit verify | grep '^ledger ok' >/dev/null || fail "ledger intact"; ok
pass
