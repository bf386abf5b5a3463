#!/usr/bin/env bash
# A verdict resting on a fact the record cannot settle is not acted on (decide.md "needs"): the
# desk holds every action of that person for a supervisor's review. Florida detainer intake
# records the administrative warrant sent with it (request.accompanying_warrant, Fla. Stat.
# 908.102(2)) and passes it to the decision. The held-action checks failed on the old desk,
# which acted on a permitted-with-needs verdict.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
C="$CUSTODIAN"
export CUSTODIAN_NOW=2025-07-18T19:00:00Z CUSTODIAN_JURISDICTION=us-fl
"$C" init >/dev/null 2>&1
staff sgt supervisor lt supervisor deputy clerk # --by: active accounts
cat >"$T/county.jsonl" <<'J'
{"booking_number": "8001", "booked_at": "2025-07-01T10:00:00-04:00", "facility": "Main Jail", "person": {"person_id": "F1", "last_name": "DUARTE", "first_name": "PAULO", "dob": "1982-02-02", "ids": {"fbi": "888888AA1"}, "citizenship": {"status": "non_citizen", "source": "consular_notification", "verified": false, "recorded_at": "2025-07-01"}}, "charges": [{"code": "PC 484(a)", "level": "misdemeanor", "status": "pending"}], "scheduled_release": "2025-08-01", "release_date_public": false}
{"booking_number": "8002", "booked_at": "2025-07-01T11:00:00-04:00", "facility": "Main Jail", "person": {"person_id": "F2", "last_name": "SILVA", "first_name": "ANA", "dob": "1984-04-04", "ids": {"fbi": "888888AA2"}, "citizenship": {"status": "non_citizen", "source": "document", "verified": true, "recorded_at": "2025-07-01"}}, "charges": [{"code": "PC 484(a)", "level": "misdemeanor", "status": "pending"}], "scheduled_release": "2025-08-01", "release_date_public": false}
J
"$C" import "$T/county.jsonl" 2>/dev/null
det() { # det FBI [WARRANT]
  jq -n --arg fbi "$1" --arg w "${2:-}" '{kind: "detainer", form: "I-247A",
    requester: {agency: "ICE", office: "Miami"}, received_at: "2025-07-02T10:00:00-04:00",
    subject: {fbi: $fbi}} + (if $w == "" then {} else {accompanying_warrant: $w} end)'
}

# intake: only I-200 or I-205, only on a detainer; refused with the path, nothing stored
det 888888AA1 I-999 >"$T/bad.json"
expect_exit 2 "$C" request add "$T/bad.json"
grep -F "$T/bad.json: request.accompanying_warrant: must be I-200 or I-205" "$T/err" >/dev/null || fail "warrant value"; ok
jq '.kind = "judicial_warrant" | .accompanying_warrant = "I-200"' "$T/bad.json" >"$T/bad2.json"
expect_exit 2 "$C" request add "$T/bad2.json"
grep -F "$T/bad2.json: request.accompanying_warrant: only a detainer" "$T/err" >/dev/null || fail "warrant kind"; ok
[ "$("$C" request list --json | jq length)" -eq 0 ] || fail "nothing stored"; ok

# a detainer without its warrant: the verdict needs request.accompanying_warrant; the hold is
# held for review (the old desk held the person on it)
det 888888AA1 >"$T/d1.json"
D1=$("$C" request add "$T/d1.json")
expect_exit 0 "$C" request decide "$D1" --json
jq -e '.[0].decision.needs | index("request.accompanying_warrant")' "$T/out" >/dev/null || fail "needs the warrant"; ok
expect_exit 1 "$C" request act "$D1" --action hold --by sgt
grep "held for a supervisor's review (the decision needs request.accompanying_warrant" "$T/err" >/dev/null || fail "held: $(cat "$T/err")"; ok
expect_exit 1 "$C" request act "$D1" --action notify --by sgt
"$C" request show "$D1" --json | jq -e '.links[0].review == true' >/dev/null || fail "link flagged"; ok
"$C" audit log --json 2>/dev/null | jq -e "[.[] | select(.action == \"request.hold_for_review\" and .object_id == \"$D1\")] | length == 1" >/dev/null || fail "hold ledgered"; ok
PID=$("$C" request show "$D1" --json | jq '.links[0].person_id')
expect_exit 0 "$C" request review "$D1" "$PID" --by lt --reason "warrant I-200 received by fax, checked"
expect_exit 0 "$C" request act "$D1" --action notify --by sgt

# with its I-200 the detainer is decided on it: no needs, acted on at once
det 888888AA2 I-200 >"$T/d2.json"
D2=$("$C" request add "$T/d2.json")
"$C" request show "$D2" --json | jq -e ".accompanying_warrant == \"I-200\"" >/dev/null || fail "warrant kept"; ok
expect_exit 0 "$C" request decide "$D2" --json
jq -e '.[0].decision.needs == []' "$T/out" >/dev/null || fail "no needs with the warrant: $(jq -c '.[0].decision.needs' "$T/out")"; ok
expect_exit 0 "$C" request act "$D2" --action notify --by sgt
pass
