#!/usr/bin/env bash
# Match candidates worth a look (issue 11, item 8): only candidates scoring at least the floor
# (CUST_DESK_MATCH_FLOOR, 0.5 = 12 points) or with an exact strong identifier are kept and
# shown, each with name, date of birth and the reasons, in `request match`, `request show` and
# their JSON. A namesake born on another day (11.5 points) was listed before; the true person
# with a misspelled surname is still there; a person under the floor can still be confirmed by
# number.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
C="$CUSTODIAN"
export CUSTODIAN_NOW=2025-07-18T19:00:00Z
"$C" init >/dev/null 2>&1
b() { # b BOOKING PERSON LAST FIRST DOB
  printf '{"booking_number": "%s", "booked_at": "2025-07-01T10:00:00-07:00", "facility": "Main Jail", "person": {"person_id": "%s", "last_name": "%s", "first_name": "%s", "dob": "%s"}, "charges": [{"code": "PC 484(a)", "level": "misdemeanor", "status": "pending"}]}\n' "$@"
}
{
  b 8001 P1 HERNANDEZ MARISOL 1987-03-14 # the subject
  b 8002 P2 HERNANDEZ MARISOL 1962-11-30 # a namesake born on another day: 11.5 points
  b 8003 P3 HERNANDEZ ROBERTO 1987-03-14 # same birthday, another first name: 12.5, kept
  b 8004 P4 OKONKWO CHIDI 1990-01-01
} >"$T/county.jsonl"
"$C" import "$T/county.jsonl" 2>/dev/null
staff lt.vega supervisor
pid() { sqlite3 "$CUSTODIAN_DB" "SELECT person_id FROM bookings WHERE booking_number = '$1'"; }
cat >"$T/det.json" <<'J'
{"kind": "detainer", "form": "I-247A", "requester": {"agency": "ICE"},
 "received_at": "2025-07-17T10:00:00-07:00",
 "subject": {"last_name": "HERNANDES", "first_name": "MARISOL", "dob": "1987-03-14"}, "asks": ["hold"]}
J
DET=$("$C" request add "$T/det.json")
expect_exit 0 "$C" request match "$DET" --json
jq -e --arg p "$(pid 8001)" --arg q "$(pid 8003)" 'map(.person_id) == [($p | tonumber), ($q | tonumber)]
  and all(.score >= 0.5)' "$T/out" >/dev/null ||
  fail "only candidates above the floor: $(jq -c 'map({person_id, score})' "$T/out")"; ok
jq -e '.[0] | .name == "MARISOL HERNANDEZ" and .dob == "1987-03-14" and .booking_number == "8001"
  and .score >= 0.5 and (.reasons | map(.field) | index("last_name") != null)' "$T/out" >/dev/null ||
  fail "name, dob, reasons: $(cat "$T/out")"; ok
expect_exit 0 "$C" request match "$DET"
grep -E '^MARISOL HERNANDEZ, born 1987-03-14 \(person #[0-9]+, booking 8001\): score 0\.[0-9]+ \([0-9.]+ points\): candidate$' "$T/out" >/dev/null ||
  fail "CLI candidate: $(cat "$T/out")"; ok
grep -E '^    last_name +jaro-winkler' "$T/out" >/dev/null || fail "CLI reasons"; ok
! grep 'booking 8002' "$T/out" >/dev/null || fail "the namesake born in 1962 listed"; ok
# the same in the request's links
expect_exit 0 "$C" request show "$DET"
grep -E '^  match MARISOL HERNANDEZ, born 1987-03-14 \(person #[0-9]+, booking 8001\): candidate \(score [01]\.[0-9]+\)$' "$T/out" >/dev/null ||
  fail "show: $(cat "$T/out")"; ok
grep -E '^     last_name jaro-winkler [0-9.]+ \+[0-9.]+, first_name exact \+7\.0, dob exact \+10\.0$' "$T/out" >/dev/null ||
  fail "show reasons: $(cat "$T/out")"; ok
expect_exit 0 "$C" request show "$DET" --json
jq -e '.links | length == 2 and all(.dob == "1987-03-14")' "$T/out" >/dev/null || fail "links json"; ok
# no candidate at all: said so, with the way to confirm by number
printf '{"kind": "detainer", "form": "I-247A", "requester": {"agency": "ICE"}, "received_at": "2025-07-17T10:00:00-07:00", "subject": {"last_name": "HERNANDEZ", "first_name": "MARISOL", "dob": "1970-06-06"}, "asks": ["hold"]}' >"$T/none.json"
NONE=$("$C" request add "$T/none.json")
expect_exit 0 "$C" request match "$NONE"
grep "^no candidates scoring 0.50 or more (a person can still be confirmed by number: request confirm $NONE PERSON)$" "$T/out" >/dev/null ||
  fail "no candidates: $(cat "$T/out")"; ok
# a person under the floor is confirmed by number, scored and explained
expect_exit 0 "$C" request confirm "$NONE" "$(pid 8002)" --by lt.vega
expect_exit 0 "$C" request show "$NONE" --json
jq -e '.links[0] | .state == "confirmed" and .booking_number == "8002" and .score < 0.5 and (.reasons | length) > 0' "$T/out" >/dev/null ||
  fail "confirmed under the floor: $(jq -c .links "$T/out")"; ok
# a strong identifier is kept whatever the names say
printf '{"kind": "detainer", "form": "I-247A", "requester": {"agency": "ICE"}, "received_at": "2025-07-17T10:00:00-07:00", "subject": {"booking_number": "8004", "last_name": "SMITH", "first_name": "JOHN", "dob": "1950-01-01"}, "asks": ["hold"]}' >"$T/strong.json"
STRONG=$("$C" request add "$T/strong.json")
expect_exit 0 "$C" request match "$STRONG" --json
jq -e 'length == 1 and .[0].strong and .[0].booking_number == "8004"' "$T/out" >/dev/null || fail "strong kept: $(cat "$T/out")"; ok
pass
