#!/usr/bin/env bash
# The request desk from the CLI: intake (and refusal of invalid input), detainer, judicial
# warrant, interview, subpoena and DOJ letter end to end, with duties, deadlines and the ledger.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
C="$CUSTODIAN"
export CUSTODIAN_TIMEZONE=America/Los_Angeles # the test county is in California: its days are Los Angeles days
export CUSTODIAN_NOW=2025-07-18T19:00:00Z
"$C" init >/dev/null 2>&1
staff sgt supervisor lt supervisor deputy clerk # --by: active accounts
"$C" import "$CUST_SOURCE_DIR/tests/data/desk/county.jsonl" 2>/dev/null

for sub in "" add list show match confirm decide act fulfill; do
  "$C" request $sub --help | grep '^usage: custodian' >/dev/null || fail "request $sub --help"; ok
done
"$C" duties --help | grep '^usage:' >/dev/null || fail "duties --help"; ok
expect_exit 2 "$C" request frobnicate
expect_exit 2 "$C" request show
expect_exit 2 "$C" duties done 1

# invalid request: json.path reasons, exit 2, nothing stored
ledger_before=$("$C" audit verify | grep -o '[0-9]* entries')
echo '{"kind":"detainer","requester":{},"received_at":"soon","subject":{"dob":"x"}}' >"$T/bad.json"
expect_exit 2 "$C" request add "$T/bad.json"
grep -qF "$T/bad.json: request.requester.agency: required" "$T/err" || fail "agency path, the file named"; ok
grep -qF "$T/bad.json: request.received_at: " "$T/err" || fail "received_at path"; ok
grep -qF "$T/bad.json: request.subject.dob: " "$T/err" || fail "dob path"; ok
echo '{"kind": ' >"$T/broken.json"
expect_exit 2 "$C" request add "$T/broken.json"
grep -qF "$T/broken.json:2:0: not valid JSON" "$T/err" || fail "bad JSON names FILE:LINE:COLUMN: $(cat "$T/err")"; ok
# an unknown kind lists the valid ones, in a file, on stdin and as a list filter
echo '{"kind":"hold_please"}' >"$T/kind.json"
expect_exit 2 "$C" request add "$T/kind.json"
grep -qF "$T/kind.json: request.kind: unknown kind 'hold_please' (one of: detainer, notification_request," "$T/err" ||
  fail "unknown kind: $(cat "$T/err")"
ok
echo '{"kind":"hold_please"}' | expect_exit 2 "$C" request add -
grep -qF "stdin: request.kind: unknown kind 'hold_please' (one of: detainer," "$T/err" || fail "stdin named"; ok
expect_exit 2 "$C" request list --kind hold_please
grep -qF -- "--kind: unknown kind 'hold_please' (one of: detainer, notification_request," "$T/err" ||
  fail "list --kind: $(cat "$T/err")"
ok
grep -q "court_order)" "$T/err" || fail "every kind listed"; ok
expect_exit 2 "$C" request add "$T/nothere.json"
grep -qF "$T/nothere.json" "$T/err" || fail "a missing file named"; ok
[ "$("$C" request list --json | jq length)" -eq 0 ] || fail "nothing stored"; ok
[ "$("$C" audit verify | grep -o '[0-9]* entries')" = "$ledger_before" ] || fail "ledger unchanged"; ok

# a detainer: strong id links itself; hold refused; notify done -> notice duty
cat >"$T/det.json" <<'J'
{"kind": "detainer", "form": "I-247A", "requester": {"agency": "ICE", "office": "LA"},
 "received_at": "2025-07-02T10:00:00-07:00", "subject": {"fbi": "123456AB7", "last_name": "GARCIA"},
 "documents": [{"name": "i247a.txt", "content_base64": "SS0yNDdB"}]}
J
expect_exit 0 "$C" request add "$T/det.json"
DET=$(cat "$T/out"); [ "$DET" = R-2025-000001 ] || fail "id $DET"; ok
"$C" request show "$DET" --json >"$T/show.json"
[ "$(jq -r .status "$T/show.json")" = matched ] || fail "auto-matched"; ok
[ "$(jq -r .law_deadline "$T/show.json")" = 2025-07-08T07:00:00Z ] || fail "48h window"; ok
expect_exit 0 "$C" request decide "$DET"
grep -q 'hold=prohibited notify=permitted' "$T/out" || fail "verdicts"; ok
expect_exit 1 "$C" request act "$DET" --action hold --by sgt
grep -q 'prohibited' "$T/err" || fail "hold refusal message"; ok
expect_exit 2 "$C" request act "$DET" --action notify
expect_exit 0 "$C" request act "$DET" --action notify --by sgt
"$C" duties list --request "$DET" --json >"$T/duties.json"
[ "$(jq '[.[] | select(.duty == "serve_copy_to_subject")] | length' "$T/duties.json")" -eq 1 ] || fail "serve copy"; ok
[ "$(jq '[.[] | select(.duty == "notice_to_subject_and_attorney")] | length' "$T/duties.json")" -eq 1 ] || fail "notice"; ok
NOTE=$(jq '.[] | select(.duty == "notice_to_subject_and_attorney") | .id' "$T/duties.json")
expect_exit 0 "$C" duties notice "$NOTE" --lang es --out "$T/notice.es.txt"
grep -q 'GARCIA' "$T/notice.es.txt" || fail "spanish notice names the person"; ok
grep -Eq '^Fecha de este aviso: [0-9]{1,2} de [a-z]+ de [0-9]{4}$' "$T/notice.es.txt" || fail "the date in Spanish words"; ok
grep -q 'recibida el 2 de julio de 2025' "$T/notice.es.txt" || fail "received date in Spanish words"; ok
# the agency's contact when the county configured it
CUSTODIAN_AGENCY_ADDRESS='100 Civic Center Plaza, Example City, CA 90000' CUSTODIAN_AGENCY_PHONE='(555) 010-0100' \
  expect_exit 0 "$C" duties notice "$NOTE" --lang en --out "$T/notice.en.txt"
sed -n 2,3p "$T/notice.en.txt" | tr '\n' '|' | grep -qx '100 Civic Center Plaza, Example City, CA 90000|Phone: (555) 010-0100|' ||
  fail "agency address and phone under its name: $(head -4 "$T/notice.en.txt")"
ok
grep -Eq '^Date of this notice: [A-Z][a-z]+ [0-9]{1,2}, [0-9]{4}$' "$T/notice.en.txt" || fail "the date in English words"; ok
# everything given, each with its basis (the rule and citation of the verdict it was given under)
grep -A1 '^- release date: ' "$T/notice.en.txt" | grep '^  Basis: ca\.notify\.[a-z.-]*, Cal\. Gov\. Code' >/dev/null ||
  fail "the release date given, with its rule and citation: $(cat "$T/notice.en.txt")"
ok
! grep -q 'DRAFT TRANSLATION' "$T/notice.en.txt" || fail "English is the source: no review mark"; ok
# the six TRUTH Act languages: a Korean notice, marked until a translator signs it off
expect_exit 0 "$C" duties notice "$NOTE" --lang ko --out "$T/notice.ko.txt"
head -1 "$T/notice.ko.txt" | grep '^DRAFT TRANSLATION - needs review by a qualified translator' >/dev/null ||
  fail "the Korean draft is marked: $(head -2 "$T/notice.ko.txt")"
ok
grep -q '^본 통지 날짜: [0-9]*년 [0-9]*월 [0-9]*일$' "$T/notice.ko.txt" || fail "the date in Korean"; ok
expect_exit 1 "$C" duties notice "$NOTE" --lang fr
expect_exit 0 "$C" duties done "$NOTE" --by deputy
expect_exit 1 "$C" duties done "$NOTE" --by deputy
[ "$("$C" duties list --open --json | jq "[.[] | select(.id == $NOTE)] | length")" -eq 0 ] || fail "done duty not open"; ok

# a judicial warrant: transfer required, recorded with its warrant number
cat >"$T/jw.json" <<'J'
{"kind": "judicial_warrant", "requester": {"agency": "U.S. Marshals Service"},
 "received_at": "2025-07-15T09:00:00-07:00", "subject": {"booking_number": "1002"}}
J
JW=$("$C" request add "$T/jw.json")
"$C" request decide "$JW" >/dev/null
expect_exit 2 "$C" request act "$JW" --action transfer --by sgt --agency USMS
# every missing option at once (one at a time before)
expect_exit 2 "$C" request act "$JW" --action transfer --by sgt
grep -- '--agency AG and --warrant NUMBER' "$T/err" >/dev/null || fail "all missing at once: $(cat "$T/err")"; ok
expect_exit 2 "$C" request act "$JW"
grep -- '--action A and --by USER are required' "$T/err" >/dev/null || fail "action and by at once: $(cat "$T/err")"; ok
# a transfer hands over a body: refused before the booking (issue 11: a transfer was recorded
# for someone released months earlier)
expect_exit 1 "$C" request act "$JW" --action transfer --by sgt --agency USMS --warrant 2:25-mj-777 --at 2025-06-01T08:00:00-07:00
grep "refused: transfer needs the person in custody, and person #[0-9]* is not in custody at 2025-06-01T15:00:00Z" "$T/err" >/dev/null || fail "not yet booked: $(cat "$T/err")"; ok
sed 's/"1002"/"1005"/' "$T/jw.json" >"$T/jw5.json"
JW5=$("$C" request add "$T/jw5.json")
"$C" request decide "$JW5" >/dev/null
expect_exit 1 "$C" request act "$JW5" --action transfer --by sgt --agency USMS --warrant 2:25-mj-778
grep "is not in custody at 2025-07-18T19:00:00Z (released 2025-07-01T09:00:00-07:00)" "$T/err" >/dev/null || fail "released: $(cat "$T/err")"; ok
[ "$("$C" request transfers --json | jq length)" -eq 0 ] || fail "no transfer recorded"; ok
"$C" audit log --json | jq -e "[.[] | select(.action == \"request.act\" and .outcome == \"refused\" and .object_id == \"$JW5\")] | length == 1" >/dev/null || fail "refusal recorded"; ok
expect_exit 0 "$C" request act "$JW" --action transfer --by sgt --agency USMS --warrant 2:25-mj-777 --at 2025-07-18T08:00:00-07:00
"$C" request transfers --json >"$T/xfer.json"
[ "$(jq -r '.[0].warrant_number' "$T/xfer.json")" = 2:25-mj-777 ] || fail "transfer basis"; ok
# --warrant defaults from the request's own warrant_number (only a warrant has one)
jq '.warrant_number = "2:25-mj-900" | .subject.booking_number = "1006"' "$T/jw.json" >"$T/jw6.json"
JW6=$("$C" request add "$T/jw6.json")
"$C" request show "$JW6" --json | jq -e '.warrant_number == "2:25-mj-900"' >/dev/null || fail "warrant number kept"; ok
"$C" request decide "$JW6" >/dev/null
expect_exit 0 "$C" request act "$JW6" --action transfer --by sgt --agency USMS
[ "$("$C" request transfers --json | jq -r '.[-1].warrant_number')" = 2:25-mj-900 ] || fail "warrant from the request"; ok
jq '.kind = "detainer" | .warrant_number = "X"' "$T/jw.json" >"$T/bad-wn.json"
expect_exit 2 "$C" request add "$T/bad-wn.json"
grep -F "$T/bad-wn.json: request.warrant_number: only a warrant has a warrant number" "$T/err" >/dev/null || fail "warrant number on a detainer"; ok
[ "$(jq -r '.[0].at' "$T/xfer.json")" = 2025-07-18T15:00:00Z ] || fail "transfer time"; ok

# an interview request: consent form first
cat >"$T/int.json" <<'J'
{"kind": "interview_request", "requester": {"agency": "ICE"}, "note": "civil status",
 "received_at": "2025-07-16T09:00:00-07:00", "subject": {"last_name": "ROSSI", "first_name": "LUCA", "dob": "1980-08-08"}}
J
IV=$("$C" request add "$T/int.json")
expect_exit 0 "$C" request match "$IV" --json
PID=$(jq '.[0].person_id' "$T/out")
[ "$(jq -r '.[0].state' "$T/out")" = candidate ] || fail "name match needs confirmation"; ok
expect_exit 1 "$C" request decide "$IV"
# --by is an active account whose role may do it, or the operator (issue 11: any name was
# taken and recorded as a clerk)
expect_exit 1 "$C" request confirm "$IV" "$PID" --by nobody
grep -- "--by 'nobody': no such account" "$T/err" >/dev/null || fail "unknown --by: $(cat "$T/err")"; ok
expect_exit 1 "$C" request confirm "$IV" "$PID" --by deputy
grep -- "--by 'deputy': a clerk may not request.confirm_match" "$T/err" >/dev/null || fail "role: $(cat "$T/err")"; ok
staff gone supervisor
"$C" user disable gone >/dev/null 2>&1
expect_exit 1 "$C" request confirm "$IV" "$PID" --by gone
grep -- "--by 'gone': the account is disabled" "$T/err" >/dev/null || fail "disabled: $(cat "$T/err")"; ok
"$C" request show "$IV" --json | jq -e '.links[0].state == "candidate"' >/dev/null || fail "nothing written"; ok
expect_exit 0 "$C" request confirm "$IV" "$PID" --by sgt
"$C" audit log --json | jq -e "[.[] | select(.object_id == \"$IV\" and .action == \"request.confirm\")] | last | .actor == \"sgt\" and .role == \"supervisor\"" >/dev/null || fail "ledger: sgt as supervisor: $("$C" audit log --json | jq -c "[.[] | select(.object_id == \"$IV\")] | last")"; ok
"$C" request decide "$IV" >/dev/null
expect_exit 1 "$C" request act "$IV" --action interview --by sgt
CONSENT=$("$C" duties list --request "$IV" --json | jq '.[] | select(.duty == "consent_form_before_interview") | .id')
"$C" duties notice "$CONSENT" --out "$T/consent.txt"
grep -q 'VOLUNTARY' "$T/consent.txt" || fail "consent form"; ok
"$C" duties done "$CONSENT" --by deputy >/dev/null
"$C" audit log --json | jq -e '[.[] | select(.action == "duty.done")] | last | .actor == "deputy" and .role == "clerk"' >/dev/null || fail "duty done as clerk"; ok
expect_exit 0 "$C" request act "$IV" --action interview --by sgt

# the DOJ letter: fulfilled per person, withheld with citations, disclosures in the ledger
cat >"$T/doj.json" <<'J'
{"kind": "information_request", "form": "letter", "requester": {"agency": "U.S. Department of Justice"},
 "received_at": "2025-07-17T09:00:00-07:00", "due": "2025-08-16",
 "scope": {"population": "in_custody", "citizenship": "non_citizen", "as_of": "2025-07-17"},
 "items": ["booking_facts", "charges", "convictions", "release_date"]}
J
DOJ=$("$C" request add "$T/doj.json")
expect_exit 0 "$C" request fulfill "$DOJ" --format json --out "$T/doj-out.json"
[ "$(jq '.rows | length' "$T/doj-out.json")" -eq 3 ] || fail "doj rows"; ok
[ "$(jq -r '.rows[] | select(.booking_number == "1002") | .withheld.release_date' "$T/doj-out.json" | grep -c 7284.6)" -eq 1 ] || fail "withheld cite"; ok
"$C" audit log --json >"$T/ledger.json" 2>/dev/null || "$C" audit log >"$T/ledger.txt"
expect_exit 1 "$C" request fulfill "$DOJ"

# a subpoena: routed to counsel, nothing disclosed until released
sed 's/information_request/administrative_subpoena/; s/"form": "letter", //' "$T/doj.json" >"$T/sub.json"
SUB=$("$C" request add "$T/sub.json")
expect_exit 0 "$C" request fulfill "$SUB"
grep -q referred "$T/err" || fail "referred"; ok
[ "$(jq '.rows | length' "$T/out")" -eq 0 ] || fail "nothing disclosed"; ok
expect_exit 1 "$C" request fulfill "$SUB" --counsel-released
COUNSEL=$("$C" duties list --request "$SUB" --json | jq '.[] | select(.duty == "refer_to_counsel") | .id')
"$C" duties done "$COUNSEL" --by sgt >/dev/null
expect_exit 0 "$C" request fulfill "$SUB" --counsel-released --format csv
head -1 "$T/out" | grep '^booking_number,last_name,first_name,dob,booking_facts' >/dev/null || fail "csv header"; ok

# list: open ones with deadlines; lift ends a detainer
"$C" request list --open >"$T/list.txt"
grep -q "$DET" "$T/list.txt" || fail "list"; ok
expect_exit 2 "$C" request lift "$DET" --by sgt
expect_exit 0 "$C" request lift "$DET" --by sgt --reason "lifted by ICE"
expect_exit 1 "$C" request lift "$DET" --by sgt --reason again
"$C" audit verify | grep '^ledger ok' >/dev/null || fail "ledger intact"; ok
pass
