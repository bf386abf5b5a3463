#!/usr/bin/env bash
# A population answer people can read (issue 11, item 2): the DOJ letter's CSV has one column
# per item with a plain value (charges as "PC 245(a)(1) felony pending", bail in dollars, dates
# as dates, "no date" apart from "withheld") and an ITEM_withheld column with the rule and the
# citation; no JSON in a cell. The summary kept with the answer (--summary, request show
# --summary) counts persons and items given and withheld by reason; request show groups the
# decisions by outcome and lists the persons given something by page; duty rows name the
# person and the booking. Every check below failed on the old desk (JSON in cells, bail in
# cents, one empty cell for "withheld" and "no date", one line per decision, duties by number).
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
C="$CUSTODIAN"
export CUSTODIAN_NOW=2025-07-18T19:00:00Z
"$C" init >/dev/null 2>&1
nc() { # nc PERSON_ID: a documented non-citizen
  printf '"person_id": "%s", "citizenship": {"status": "non_citizen", "source": "document", "verified": true, "recorded_at": "2025-07-01"}' "$1"
}
cat >"$T/county.jsonl" <<J
{"booking_number": "9001", "booked_at": "2025-07-01T10:05:00-07:00", "facility": "Main Jail", "arresting_agency": "LAPD", "person": {$(nc A1), "last_name": "OKAFOR", "first_name": "DAVID", "dob": "1979-09-09"}, "charges": [{"code": "PC 245(a)(1)", "level": "felony", "status": "pending", "bail_cents": 123456789}, {"code": "VC 23152(a)", "level": "misdemeanor", "status": "convicted", "bail_cents": 11}], "scheduled_release": "2025-09-01", "release_date_public": true}
{"booking_number": "9002", "booked_at": "2025-07-02T11:00:00-07:00", "facility": "Main Jail", "person": {$(nc A2), "last_name": "BRANDT", "first_name": "KARL", "dob": "1990-10-10"}, "charges": [{"code": "PC 484(a)", "level": "misdemeanor", "status": "pending"}], "release_date_public": true}
{"booking_number": "9003", "booked_at": "2025-07-03T12:00:00-07:00", "facility": "Main Jail", "person": {$(nc A3), "last_name": "SILVA", "first_name": "ANA", "dob": "1984-04-04"}, "charges": [{"code": "PC 484(a)", "level": "misdemeanor", "status": "pending"}], "scheduled_release": "2025-08-01", "release_date_public": false}
J
"$C" import "$T/county.jsonl" 2>/dev/null
cat >"$T/doj.json" <<'J'
{"kind": "information_request", "form": "letter", "requester": {"agency": "U.S. Department of Justice"},
 "received_at": "2025-07-17T09:00:00-07:00", "due": "2025-08-16",
 "scope": {"population": "in_custody", "citizenship": "non_citizen", "as_of": "2025-07-17"},
 "items": ["booking_facts", "charges", "release_date"]}
J
DOJ=$("$C" request add "$T/doj.json")
expect_exit 0 "$C" request fulfill "$DOJ" --format csv --out "$T/doj.csv" --summary
cp "$T/out" "$T/summary.txt"

# the CSV, read with a CSV reader (python's csv module): columns, one row per person
python3 - "$T/doj.csv" >"$T/rows.json" <<'PY'
import csv, json, sys
with open(sys.argv[1], newline='', encoding='utf-8') as f:
    r = list(csv.DictReader(f))
print(json.dumps({"header": list(r[0].keys()) if r else [], "rows": r}))
PY
jq -e '.header == ["booking_number","last_name","first_name","dob","booking_facts","booking_facts_withheld","charges","charges_withheld","release_date","release_date_withheld"]' "$T/rows.json" >/dev/null || fail "header: $(jq -c .header "$T/rows.json")"; ok
row() { jq -r --arg b "$1" --arg k "$2" '.rows[] | select(.booking_number == $b) | .[$k]' "$T/rows.json"; }
[ "$(row 9001 charges)" = "PC 245(a)(1) felony pending; VC 23152(a) misdemeanor convicted" ] || fail "charges: $(row 9001 charges)"; ok
[ "$(row 9001 booking_facts)" = "booked 2025-07-01 10:05, Main Jail, arrested by LAPD, bail \$1,234,568.00" ] || fail "booking facts: $(row 9001 booking_facts)"; ok
[ "$(row 9002 booking_facts)" = "booked 2025-07-02 11:00, Main Jail, no bail set" ] || fail "no bail: $(row 9002 booking_facts)"; ok
[ "$(row 9001 release_date)" = 2025-09-01 ] || fail "a date"; ok
[ -z "$(row 9001 release_date_withheld)" ] || fail "given: no reason"; ok
# no date on record, and a date withheld: two different values
[ "$(row 9002 release_date)" = "no date" ] || fail "no date: '$(row 9002 release_date)'"; ok
[ "$(row 9003 release_date)" = withheld ] || fail "withheld: '$(row 9003 release_date)'"; ok
row 9003 release_date_withheld | grep -E '^ca\.[a-z.-]+, Cal\. Gov\. Code § 7284\.6\(a\)\(1\)\(C\)' >/dev/null || fail "rule and citation: $(row 9003 release_date_withheld)"; ok
! grep '[{}]' "$T/doj.csv" >/dev/null || fail "JSON in a cell"; ok
# JSON keeps its structure (bail in cents, the citation under withheld, as requests.md says)
DOJ2=$("$C" request add "$T/doj.json")
expect_exit 0 "$C" request fulfill "$DOJ2" --format json --out "$T/doj.json.out"
jq -e '.rows[] | select(.booking_number == "9001") | .booking_facts.bail_cents == 123456800' "$T/doj.json.out" >/dev/null || fail "json bail"; ok
jq -e '.rows[] | select(.booking_number == "9003") | .withheld.release_date | test("^Cal. Gov. Code")' "$T/doj.json.out" >/dev/null || fail "json withheld"; ok

# the summary: printed by --summary, kept with the answer, its hash in the ledger
grep "^  persons in scope: 3; given something: 3; nothing given: 0$" "$T/summary.txt" >/dev/null || fail "summary persons: $(cat "$T/summary.txt")"; ok
grep -E '^  release_date +2 +1  1: ca\..*7284\.6\(a\)\(1\)\(C\)' "$T/summary.txt" >/dev/null || fail "summary release_date"; ok
grep -E '^  charges +3 +0$' "$T/summary.txt" >/dev/null || fail "summary charges"; ok
expect_exit 0 "$C" request show "$DOJ" --summary --json
jq -e '.persons == 3 and (.items | map(select(.item == "release_date"))[0] | .given == 2 and .withheld == 1)' "$T/out" >/dev/null || fail "summary json: $(cat "$T/out")"; ok
expect_exit 0 "$C" request document "$DOJ" summary.json --out "$T/summary.json"
sha=$(sha256sum "$T/summary.json" | cut -d' ' -f1)
"$C" audit log --json 2>/dev/null | jq -e --arg s "$sha" "[.[] | select(.action == \"request.fulfill\" and .object_id == \"$DOJ\") | .detail.summary_sha256] == [\$s]" >/dev/null || fail "summary hash in the ledger"; ok

# request show: decisions grouped by outcome, persons named, duties with name and booking
expect_exit 0 "$C" request show "$DOJ"
grep -E '^  decisions: [0-9]+ for 3 persons, in 2 outcomes:$' "$T/out" >/dev/null || fail "grouped: $(cat "$T/out")"; ok
grep '^    2 persons: given booking_facts, charges, release_date$' "$T/out" >/dev/null || fail "outcome 1"; ok
grep '^    1 person: given booking_facts, charges$' "$T/out" >/dev/null || fail "outcome 2"; ok
! grep '^  decision [0-9]* person #0' "$T/out" >/dev/null || fail "one line per decision"; ok
grep -E '^  9003 +SILVA, ANA +#[0-9]+ +booking_facts, charges / withheld release_date$' "$T/out" >/dev/null || fail "person rows"; ok
grep -E '^  duty [0-9]+ notice_to_subject_and_attorney DAVID OKAFOR \(person #[0-9]+, booking 9001\): open' "$T/out" >/dev/null || fail "duty names the person"; ok
# the notice of a fulfilment's duty: its person's values from the duty, the rest (the
# requester, each item's basis, the duty's law) worked out from the stored decision and request
# (docs/internals/desk.md "Notice duties"), on either backend
expect_exit 0 "$C" duties list --request "$DOJ" --json
NOTE=$(jq -r '[.[] | select(.booking_number == "9001")][0].id' "$T/out")
expect_exit 0 "$C" duties notice "$NOTE" --lang en --out "$T/notice.txt"
for want in "To: DAVID OKAFOR    Booking number: 9001" "(Cal. Gov. Code § 7283.1(b))" \
    "gave U.S. Department of Justice the following" \
    "booked 2025-07-01 10:05, Main Jail, arrested by LAPD, bail \$1,234,568.00" \
    "charges: PC 245(a)(1) felony pending; VC 23152(a) misdemeanor convicted" \
    "release date: September 1, 2025" "  Basis: ca." "reference $DOJ"; do
  grep -F -- "$want" "$T/notice.txt" >/dev/null || fail "notice lacks '$want': $(cat "$T/notice.txt")"
done
ok
# pages
expect_exit 0 "$C" request show "$DOJ" --page 2
grep 'page 2 of 1' "$T/out" >/dev/null || fail "page 2"; ok
expect_exit 2 "$C" request show "$DOJ" --page x
pass
