#!/usr/bin/env bash
# In custody on day D: booked_at <= D and (released_at null or released_at > D), each instant
# taken as the calendar day at its own offset. Both boundaries, offsets, roster filters.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
C="$CUSTODIAN"
P='"person": {"last_name": "DOE", "first_name": "J", "dob": "1980-01-01"}'
cat >"$T/asof.jsonl" <<JSONL
{"booking_number": "A1", "booked_at": "2025-03-15T23:30:00-07:00", "released_at": "2025-03-20T00:10:00-07:00", "facility": "North", $P}
{"booking_number": "A2", "booked_at": "2025-03-16T02:00:00+09:00", "facility": "South", $P}
{"booking_number": "A3", "booked_at": "2025-03-10T08:00:00Z", "released_at": "2025-03-10T20:00:00Z", "facility": "North", $P}
{"booking_number": "A4", "booked_at": "2025-03-10T08:00:00Z", "released_at": "2025-03-11T00:00:00Z", "facility": "South", "person": {"last_name": "ROE", "first_name": "K", "dob": "1980-01-01", "citizenship": {"status": "citizen", "source": "document", "recorded_at": "2025-03-10"}}}
JSONL
"$C" import "$T/asof.jsonl" 2>/dev/null
on() { "$C" roster --as-of "$1" --json | jq -r '[.[].booking_number] | join(" ")'; }
# A1 booked 23:30 on the 15th local (the 16th in UTC): in custody on the 15th, not the 14th
[ "$(on 2025-03-14)" = "" ] || fail "A1 not before its local booking day"
[ "$(on 2025-03-15)" = "A1" ] || fail "A1 booked on D is in custody on D (got '$(on 2025-03-15)')"
# A2 booked 02:00 on the 16th at +09:00 (17:00 on the 15th UTC): not in custody on the 15th
[ "$(on 2025-03-16)" = "A1 A2" ] || fail "A2 from its local day"
# A1 released 00:10 on the 20th local: in custody on the 19th, not on the 20th
[ "$(on 2025-03-19)" = "A1 A2" ] || fail "A1 in custody the day before release"
[ "$(on 2025-03-20)" = "A2" ] || fail "released on D means not in custody on D"
# A3 booked and released the same day: never in custody on a whole day
[ "$(on 2025-03-10)" = "A4" ] || fail "same-day release not in custody (got '$(on 2025-03-10)')"
[ "$(on 2025-03-11)" = "" ] || fail "A4 released at 00:00 on the 11th"
ok
# filters
[ "$("$C" roster --as-of 2025-03-10 --citizenship citizen --json | jq length)" -eq 1 ] || fail "citizenship filter"
[ "$("$C" roster --as-of 2025-03-10 --citizenship unknown --json | jq length)" -eq 0 ] || fail "citizenship filter 2"
[ "$("$C" roster --as-of 2025-03-17 --facility South --json | jq -r '.[0].booking_number')" = A2 ] || fail "facility filter"
[ "$("$C" roster --all --json | jq length)" -eq 4 ] || fail "--all"
"$C" roster --as-of 2025-03-17 --summary --json |
  jq -e '.total == 2 and .by_facility.North == 1 and .by_facility.South == 1 and .by_citizenship.unknown == 2' >/dev/null ||
  fail "summary"
"$C" roster --as-of 2025-03-17 | grep '^2 bookings in custody on 2025-03-17' >/dev/null || fail "text roster"
expect_exit 2 "$C" roster --citizenship martian
expect_exit 2 "$C" roster --as-of tomorrow
# default day is today (CUSTODIAN_NOW pins it)
[ "$(CUSTODIAN_NOW=2025-03-19T12:00:00Z "$C" roster --json | jq -r '[.[].booking_number] | join(" ")')" = "A1 A2" ] ||
  fail "default as-of is today"
ok
pass
