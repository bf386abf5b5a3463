#!/usr/bin/env bash
# Every change is a new version; nothing is overwritten; history lists who/when/source/what;
# persons link by person_id or strong ids, never by name + dob; citizenship history.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
D="$CUST_SOURCE_DIR/tests/data/records"
C="$CUSTODIAN"

CUSTODIAN_NOW=2025-03-18T10:00:00Z "$C" --as alice import "$D/good.jsonl" 2>/dev/null
# release 6012345 and correct its housing: a new version
head -n 1 "$D/good.jsonl" | jq -c '.released_at = "2025-04-01T09:00:00-07:00" | .release_reason = "bail"
  | .housing = "MCJ 2000" | .person.middle_name = "LUIS"' >"$T/fix.jsonl"
CUSTODIAN_NOW=2025-04-02T10:00:00Z "$C" --as bob import "$T/fix.jsonl" 2>"$T/err"
grep -q '0 new, 1 updated' "$T/err" || fail "update counted"
"$C" history 6012345 --json >"$T/h.json"
jq -e 'length == 2
  and .[0].version == 1 and .[0].recorded_by == "alice" and .[0].changed == null
  and .[0].recorded_at == "2025-03-18T10:00:00Z"
  and (.[0].source | endswith("good.jsonl:1"))
  and .[1].version == 2 and .[1].recorded_by == "bob" and .[1].recorded_at == "2025-04-02T10:00:00Z"
  and (.[1].source | endswith("fix.jsonl:1"))
  and (.[1].changed | sort) == ["housing","person.middle_name","release_reason","released_at"]
  and .[0].record.released_at == null and .[0].record.housing == "MCJ 3000 / 3100 / 12"
  and .[1].record.released_at == "2025-04-01T09:00:00-07:00"' "$T/h.json" >/dev/null ||
  { cat "$T/h.json"; fail "history json"; }
ok
"$C" history 6012345 >"$T/h.txt"
grep -Eq '^v1 +2025-03-18T10:00:00Z +by alice +from .*good.jsonl:1 +created$' "$T/h.txt" || { cat "$T/h.txt"; fail "history text v1"; }
grep -Eq '^v2 .*by bob .*fix.jsonl:1 +changed: .*released_at' "$T/h.txt" || fail "history text v2"
ok
# the current version is the new one; the roster follows it
"$C" show 6012345 --json | jq -e '.version == 2 and .record.housing == "MCJ 2000"' >/dev/null || fail "show v2"
[ "$("$C" roster --as-of 2025-04-01 --json | jq '[.[].booking_number] | index("6012345")')" = null ] ||
  fail "released booking off the roster"
"$C" roster --as-of 2025-03-31 --json | jq -e 'map(.booking_number) | index("6012345") != null' >/dev/null ||
  fail "still in custody the day before"
ok
# re-importing the same line again: no new version
"$C" --as carol import "$T/fix.jsonl" 2>"$T/err"
grep -q '1 unchanged' "$T/err" || fail "unchanged counted"
[ "$("$C" history 6012345 --json | jq length)" -eq 2 ] || fail "no version for an identical re-import"
ok
# old versions can never be overwritten or deleted in the store
! sqlite3 "$CUSTODIAN_DB" "UPDATE booking_versions SET doc = '{}' WHERE version = 1" 2>/dev/null || fail "version update blocked"
! sqlite3 "$CUSTODIAN_DB" "DELETE FROM booking_versions" 2>/dev/null || fail "version delete blocked"
ok
# the correction is in the ledger
"$C" audit log --json | jq -e 'map(select(.action == "correct"))[0] | .object_id == "6012345"
  and .actor == "bob" and .detail.version == 2 and (.detail.changed | index("released_at") != null)' >/dev/null ||
  fail "correction in the ledger"
expect_exit 1 "$C" history NOPE
expect_exit 2 "$C" history
ok
# linking: NGUYEN's two bookings share a cii -> one person; better-sourced citizenship kept
"$C" show '#2' --json | jq -e '.bookings == ["6012346","6012348"] and .citizenship_status == "citizen"
  and (.citizenship_history | length) == 2 and .citizenship_history[1].status == "non_citizen"
  and .citizenship_history[1].source == "self_reported"' >/dev/null || fail "strong-id link and citizenship history"
"$C" show P1001 --json | jq -e '.bookings == ["6012345"] and .prior_convictions[0].code == "PC 211"' >/dev/null ||
  fail "show person by person_id"
ok
# never merge on name + dob alone: same name and dob, no ids -> two persons
P='"person": {"last_name": "TWIN", "first_name": "SAME", "dob": "1970-01-01"}'
printf '%s\n' "{\"booking_number\": \"T1\", \"booked_at\": \"2025-01-01T00:00:00Z\", $P}" \
              "{\"booking_number\": \"T2\", \"booked_at\": \"2025-01-02T00:00:00Z\", $P}" >"$T/twins.jsonl"
"$C" import "$T/twins.jsonl" 2>"$T/err"
grep -q '(2 persons)' "$T/err" || fail "no merge on name + dob"
[ "$("$C" show T1 --json | jq .person_internal_id)" != "$("$C" show T2 --json | jq .person_internal_id)" ] ||
  fail "two persons"
# a later better-sourced value wins the current status; the earlier one stays in history
printf '%s\n' '{"booking_number": "C1", "booked_at": "2025-01-01T00:00:00Z", "person": {"person_id": "PC", "last_name": "X", "first_name": "Y", "dob": "1970-01-01", "citizenship": {"status": "citizen", "source": "self_reported", "recorded_at": "2025-01-01"}}}' \
              '{"booking_number": "C2", "booked_at": "2025-02-01T00:00:00Z", "person": {"person_id": "PC", "last_name": "X", "first_name": "Y", "dob": "1970-01-01", "citizenship": {"status": "non_citizen", "country": "CA", "source": "federal_record", "verified": true, "recorded_at": "2025-02-01"}}}' \
              '{"booking_number": "C3", "booked_at": "2025-03-01T00:00:00Z", "person": {"person_id": "PC", "last_name": "X", "first_name": "Y", "dob": "1970-01-01", "citizenship": {"status": "unknown"}}}' >"$T/cit.jsonl"
"$C" import "$T/cit.jsonl" 2>/dev/null
"$C" show PC --json | jq -e '.citizenship_status == "non_citizen" and (.citizenship_history | map(.status)) == ["citizen","non_citizen","unknown"]' >/dev/null ||
  fail "citizenship ordering"
# equal rank: the later recorded_at wins, an earlier one does not (also within one import)
printf '%s\n' '{"booking_number": "C4", "booked_at": "2025-04-01T00:00:00Z", "person": {"person_id": "PC", "last_name": "X", "first_name": "Y", "dob": "1970-01-01", "citizenship": {"status": "citizen", "country": "US", "source": "federal_record", "verified": true, "recorded_at": "2025-01-15"}}}' \
              '{"booking_number": "C5", "booked_at": "2025-05-01T00:00:00Z", "person": {"person_id": "PC", "last_name": "X", "first_name": "Y", "dob": "1970-01-01", "citizenship": {"status": "citizen", "country": "US", "source": "federal_record", "verified": true, "recorded_at": "2025-03-01"}}}' \
              '{"booking_number": "C6", "booked_at": "2025-06-01T00:00:00Z", "person": {"person_id": "PC", "last_name": "X", "first_name": "Y", "dob": "1970-01-01", "citizenship": {"status": "non_citizen", "country": "MX", "source": "federal_record", "verified": true, "recorded_at": "2025-02-15"}}}' >"$T/cit2.jsonl"
"$C" import "$T/cit2.jsonl" 2>/dev/null
"$C" show PC --json | jq -e '.citizenship_status == "citizen" and (.citizenship_history | length) == 6' >/dev/null ||
  fail "equal rank: later recorded_at wins"
ok
expect_exit 1 "$C" show NOBODY
ok
pass
