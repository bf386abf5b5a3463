#!/usr/bin/env bash
# The desk counts days in the county's time zone ([county] timezone), not in the offset a request
# happened to be stamped with: a detainer stamped in UTC on Friday 01:00Z arrived on Thursday
# evening in Los Angeles, so its notice says "received December 3" and the copy owed to the
# person is due at the end of Friday there (07:59:59Z), not at the end of Monday in UTC. Windows
# of business hours count local days across a change of clocks.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
C="$CUSTODIAN"
export CUSTODIAN_TIMEZONE=America/Los_Angeles
export CUSTODIAN_NOW=2026-12-04T01:10:00Z # Thursday 17:10 in Los Angeles
"$C" init >/dev/null 2>&1
staff sgt supervisor
"$C" import "$CUST_SOURCE_DIR/tests/data/desk/county.jsonl" 2>/dev/null

cat >"$T/det.json" <<'J'
{"kind": "detainer", "form": "I-247A", "requester": {"agency": "ICE", "office": "LA"},
 "received_at": "2026-12-04T01:00:00Z", "subject": {"fbi": "123456AB7", "last_name": "GARCIA"}}
J
expect_exit 0 "$C" request add "$T/det.json"
DET=$(cat "$T/out")
"$C" request show "$DET" --json >"$T/show.json"
# the hold window counts 48 business hours from the start of the scheduled release day (Thursday 3
# July 2025, in Los Angeles: 07:00Z), Friday 4 July a holiday: Thursday 24 h, Monday 24 h -> Tuesday
# 8 July 00:00 PDT = 07:00Z (counted in UTC days it ended 7 hours early, at 00:00Z)
[ "$(jq -r .law_deadline "$T/show.json")" = 2025-07-08T07:00:00Z ] ||
  fail "hold window in Los Angeles days: $(jq -r .law_deadline "$T/show.json")"
ok
expect_exit 0 "$C" request decide "$DET"
expect_exit 0 "$C" request act "$DET" --action notify --by sgt
"$C" duties list --request "$DET" --json >"$T/duties.json"
due=$(jq -r '.[] | select(.duty == "serve_copy_to_subject") | .due' "$T/duties.json")
# the end of the next business day after Thursday in Los Angeles: Friday 23:59:59 PST
[ "$due" = 2026-12-05T07:59:59Z ] || fail "copy due at the end of Friday in Los Angeles, not $due"; ok
NOTE=$(jq '.[] | select(.duty == "notice_to_subject_and_attorney") | .id' "$T/duties.json")
expect_exit 0 "$C" duties notice "$NOTE" --lang en --out "$T/notice.en.txt"
grep -q 'received on December 3, 2026' "$T/notice.en.txt" ||
  fail "received on Thursday in Los Angeles: $(grep -i received "$T/notice.en.txt")"
ok

# a hold window across the end of daylight saving time (Sunday 2 November 2025): 48 business hours
# from Friday 31 October 10:00 PDT are Friday 14 h, Monday 24 h, Tuesday 10 h -> Tuesday 4 November
# 10:00 PST = 18:00Z (a fixed -07:00 offset would say 17:00Z)

cat >"$T/det2.json" <<'J'
{"kind": "detainer", "form": "I-247A", "requester": {"agency": "ICE", "office": "LA"},
 "received_at": "2025-10-31T10:00:00-07:00", "subject": {"last_name": "NOBODY", "dob": "1970-01-01"}}
J
expect_exit 0 "$C" request add "$T/det2.json"
[ "$(cat "$T/out")" = R-2025-000001 ] || fail "id $(cat "$T/out")"; ok
"$C" request show "$(cat "$T/out")" --json >"$T/show2.json"
[ "$(jq -r .law_deadline "$T/show2.json")" = 2025-11-04T18:00:00Z ] ||
  fail "window across the clock change: $(jq -r .law_deadline "$T/show2.json")"
ok
# a request stamped on New Year's Day in UTC arrived on New Year's Eve in Los Angeles: its id
# counts in the county's year (the old code numbered it R-2027-000001)
sed 's/2025-10-31T10:00:00-07:00/2027-01-01T03:00:00Z/' "$T/det2.json" >"$T/det3.json"
expect_exit 0 "$C" request add "$T/det3.json"
[ "$(cat "$T/out")" = R-2026-000002 ] || fail "the county's year in the id: $(cat "$T/out")"; ok
pass
