#!/usr/bin/env bash
# `custodian gen --requests`: determinism (cmp), the plain county unchanged, and jq sanity on the
# requests of a 10,000-booking county joined with that county.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"

"$CUSTODIAN" gen --help | grep -- '--requests' >/dev/null || fail "gen --help names --requests"; ok
expect_exit 2 "$CUSTODIAN" gen --requests --bookings 0
expect_exit 1 "$CUSTODIAN" gen --requests --bookings 10 --policies "$T/none"

# Determinism: same arguments, same bytes; another seed, other bytes.
"$CUSTODIAN" gen --requests --seed 7 --bookings 10000 >"$T/r.jsonl"
"$CUSTODIAN" gen --requests --seed 7 --bookings 10000 >"$T/r2.jsonl"
cmp "$T/r.jsonl" "$T/r2.jsonl" || fail "same seed gives different requests"; ok
"$CUSTODIAN" gen --requests --seed 8 --bookings 10000 >"$T/r3.jsonl"
! cmp -s "$T/r.jsonl" "$T/r3.jsonl" || fail "another seed gives the same requests"; ok
# The flag's position does not matter; the county stream is not affected by it.
"$CUSTODIAN" gen --seed 7 --bookings 10000 --requests | cmp - "$T/r.jsonl" || fail "flag order"; ok
"$CUSTODIAN" gen --seed 7 --bookings 10000 >"$T/county.jsonl"
! grep -q '"kind"' "$T/county.jsonl" || fail "requests leaked into the county"; ok

f="$T/r.jsonl"
n=$(wc -l <"$f")
[ "$n" -ge 110 ] && [ "$n" -le 175 ] || fail "request count $n"; ok
jq -e . "$f" >/dev/null || fail "invalid JSON"; ok
# One request document per line, in the request add format.
jq -e -s 'all(.[]; .kind | IN("detainer", "notification_request", "transfer_request",
          "administrative_warrant", "judicial_warrant", "judicial_probable_cause",
          "interview_request", "information_request", "administrative_subpoena", "court_order"))' \
    "$f" >/dev/null || fail "kind"; ok
jq -e -s 'all(.[]; (.received_at | test("^20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]-0[78]:00$"))
          and (.requester.agency | type == "string") and (.requester.contact | test("example\\.gov")))' \
    "$f" >/dev/null || fail "received_at / requester"; ok
jq -e -s 'all(.[]; (.subject == null) != (.scope == null))' "$f" >/dev/null || fail "subject xor scope"; ok
jq -e -s 'all(.[].documents[]; .sha256 | test("^[0-9a-f]{64}$"))' "$f" >/dev/null || fail "sha256"; ok
jq -e -s 'all(.[] | select(.kind == "detainer"); .form == "I-247A" and .asks == ["hold", "notify"])' \
    "$f" >/dev/null || fail "detainer form and asks"; ok
d=$(jq -s '[.[] | select(.kind == "detainer")] | length' "$f")
[ "$d" -ge 80 ] && [ "$d" -le 120 ] || fail "detainers at a twentieth of the default scale: $d"; ok

# Join with the county: every subject booking number exists, and the request came while the
# person was in custody (booked_at <= received_at < released_at).
jq -n --slurpfile c "$T/county.jsonl" --slurpfile r "$f" '
  def ts: (.[0:19] + "Z" | fromdate) + (if .[19:20] == "-" then 1 else -1 end) * (.[20:22] | tonumber) * 3600;
  ($c | map({key: .booking_number, value: .}) | from_entries) as $m |
  [$r[] | select(.subject.booking_number != null)] as $s |
  ($s | length) > 90 and
  all($s[]; . as $q | $m[$q.subject.booking_number] as $b | $b != null and
      ($b.booked_at | ts) <= ($q.received_at | ts) and
      ($b.released_at == null or ($q.received_at | ts) < ($b.released_at | ts)) and
      $b.person.first_name == $q.subject.first_name)' | grep -x true >/dev/null || fail "subjects in custody"; ok
# Subjects are mostly non-citizens or unknown; a few name-and-dob-only subjects.
jq -n --slurpfile c "$T/county.jsonl" --slurpfile r "$f" '
  ($c | map({key: .booking_number, value: .person.citizenship.status}) | from_entries) as $m |
  [$r[] | select(.kind == "detainer" and .subject.booking_number != null) |
   $m[.subject.booking_number]] | (map(select(. == "citizen")) | length) < (length / 10)' |
    grep -x true >/dev/null || fail "detainers on citizens"; ok
jq -e -s '[.[] | select(.subject != null and .subject.booking_number == null and .subject.fbi == null
          and .subject.a_number == null and .subject.cii == null)] | length >= 5' "$f" >/dev/null ||
    fail "name-only subjects"; ok

# The DOJ letter, exactly; its document decodes to the bytes its hash names.
jq -e -s '[.[] | select(.kind == "information_request")] | length == 1' "$f" >/dev/null || fail "one letter"; ok
jq -c 'select(.kind == "information_request")' "$f" >"$T/doj.json"
jq -e '(.received_at | startswith("2025-07-17T") and endswith("-07:00")) and .due == "2025-08-16" and
       .scope == {"population": "in_custody", "citizenship": "non_citizen", "as_of": "2025-07-17"} and
       .items == ["booking_facts", "charges", "convictions", "release_date"] and
       .requester.agency == "U.S. Department of Justice"' "$T/doj.json" >/dev/null || fail "DOJ letter"; ok
jq -r '.documents[0].content_base64' "$T/doj.json" | base64 -d >"$T/letter.txt"
[ "$(sha256sum <"$T/letter.txt" | cut -d' ' -f1)" = "$(jq -r '.documents[0].sha256' "$T/doj.json")" ] ||
    fail "letter sha256"; ok
grep -q "within 30 days" "$T/letter.txt" || fail "letter text"; ok
jq -e -s '[.[] | select(.kind == "administrative_subpoena")] | length == 1 and
          (.[0].items | index("release_date") and index("home_address"))' "$f" >/dev/null ||
    fail "subpoena"; ok
# A window ending before the letter has none.
"$CUSTODIAN" gen --requests --bookings 2000 --end 2025-06-30 >"$T/early.jsonl"
! grep -q information_request "$T/early.jsonl" || fail "letter before 2025-07-17"; ok
pass
