#!/usr/bin/env bash
# `custodian feed run`: a day-two export with a changed booking, a release, an unchanged one, a
# new one and a booking missing from the full snapshot gives the right versions, releases and
# review items (never a silent release); day three lists the missing booking again and closes
# its review; every run is one ledger entry with the file's SHA-256; `feed status`, `review`,
# `resolve`; a delta run reports nothing missing; a failed run writes nothing.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
C="$CUSTODIAN"
E="$CUST_SOURCE_DIR/examples/mappings"
M="$E/jms-charges.yaml"
export CUSTODIAN_NOW=2025-11-04T14:00:00Z

day1="$T/day1.csv"
cp "$E/jms-charges.csv" "$day1"
# day 2: 004101's second charge convicted; 004102 released; 004103 as before (released on day
# 1's file already); 004104 gone from the file though still in custody; 004105 booked
day2="$T/day2.csv"
{ head -n 1 "$day1"
  sed -n 2p "$day1"
  sed -n 3p "$day1" | sed 's/,M,PENDING,/,M,SENTENCED,/'
  sed -n 4p "$day1" | sed 's#,04/08/2025,$#,04/08/2025,11/03/2025 09:30#'
  sed -n 5,6p "$day1"
  echo '2025-004105,11/03/2025 22:10,PARK,MIN-JUN,,09/09/1999,M,,,US,KR,Men'"'"'s Central Jail,LAPD,1,PC 459,BURGLARY,F,PENDING,BA556677,20000,11/20/2025,,'
} >"$day2"
# day 3: everything as on day 2, and 004104 listed again
day3="$T/day3.csv"
{ cat "$day2"; sed -n 7,9p "$day1"; } >"$day3"

expect_exit 0 "$C" --as feedbot feed run --map "$M" "$day1"
grep "feed jms-charges run 1 (full snapshot): 4 bookings" "$T/err" >/dev/null || { cat "$T/err"; fail "run 1"; }
grep "0 bookings missing" "$T/err" >/dev/null || fail "nothing missing on day 1"
ok

expect_exit 0 "$C" --as feedbot feed run --map "$M" "$day2"
grep "run 2 (full snapshot): 4 bookings in [0-9.]* s: 1 new, 2 updated (new version), 1 unchanged; 1 release recorded" \
  "$T/err" >/dev/null || { cat "$T/err"; fail "day 2 counts"; }
grep "1 booking missing from the snapshot and still in custody (1 new to review" "$T/err" >/dev/null ||
  fail "day 2 missing"
ok
# versions: 004101 has two, the second changing charges; 004102 released; 004103 one version
"$C" history 2025-004101 --json | jq -e 'length == 2 and (.[1].changed | index("charges"))' >/dev/null ||
  fail "004101: a new version for the changed charge"
"$C" history 2025-004103 --json | jq -e 'length == 1' >/dev/null || fail "004103 unchanged: no version"
"$C" history 2025-004102 --json | jq -e 'length == 2 and (.[1].changed | index("released_at"))' >/dev/null ||
  fail "004102: the release is a new version"
"$C" show 2025-004102 --json | jq -e '.record.released_at == "2025-11-03T09:30:00-08:00"' >/dev/null ||
  fail "004102 released at 09:30 PST"
# never a silent release: 004104 is still in custody, and up for review
"$C" roster --as-of 2025-11-04 --json | jq -e 'map(.booking_number) | index("2025-004104") != null' >/dev/null ||
  fail "004104 still in custody"
"$C" history 2025-004104 --json | jq -e 'length == 1' >/dev/null || fail "004104 untouched"
"$C" feed review --json >"$T/rev"
jq -e 'length == 1 and .[0].booking_number == "2025-004104" and .[0].status == "open" and .[0].run == 2
  and (.[0].reason | test("not in the full snapshot .*day2.csv \\(run 2\\), last listed by run 1"))' "$T/rev" >/dev/null ||
  { cat "$T/rev"; fail "review item for 004104"; }
ok
# the ledger: one feed_run entry per run, with the file's SHA-256 and the missing booking
"$C" audit log --json >"$T/log"
jq -e '[.[] | select(.action == "feed_run")] | length == 2' "$T/log" >/dev/null || fail "two feed_run entries"
jq -e --arg sha "$(sha256sum "$day2" | cut -d' ' -f1)" '[.[] | select(.action == "feed_run")][1] |
  .object_id == "jms-charges" and .actor == "feedbot" and .detail.sha256 == $sha and .detail.run == 2
  and .detail.missing == 1 and .detail.missing_bookings == ["2025-004104"] and .detail.released == 1
  and .detail.created == 1 and .detail.updated == 2 and .detail.unchanged == 1' "$T/log" >/dev/null ||
  { jq '.[] | select(.action == "feed_run")' "$T/log"; fail "feed_run ledger entry"; }
jq -e '[.[] | select(.action == "import")] | length == 0' "$T/log" >/dev/null || fail "no separate import entry"
jq -e '[.[] | select(.action == "correct")] | length == 2' "$T/log" >/dev/null || fail "a correct entry per new version"
"$C" audit verify >/dev/null || fail "ledger verifies"
ok

# the same file again costs nothing: no versions, no new review
expect_exit 0 "$C" feed run --map "$M" "$day2"
grep "0 new, 0 updated (new version), 4 unchanged; 0 releases recorded" "$T/err" >/dev/null || { cat "$T/err"; fail "rerun"; }
grep "1 booking missing from the snapshot and still in custody (0 new to review" "$T/err" >/dev/null ||
  fail "rerun: still missing, no second item"
[ "$("$C" feed review --json | jq length)" -eq 1 ] || fail "one open item"
ok

# status: the last run of the source and the open reviews
"$C" feed status --json >"$T/status"
jq -e '.open_reviews == 1 and (.sources | length == 1) and .sources[0].source == "jms-charges"
  and .sources[0].run == 3 and .sources[0].unchanged == 4 and .sources[0].snapshot == "full"' "$T/status" >/dev/null ||
  { cat "$T/status"; fail "feed status json"; }
"$C" feed status | grep "1 source; 1 open review item" >/dev/null || fail "feed status text"
ok

# day 3 lists 004104 again: its review closes by itself, recorded
expect_exit 0 "$C" feed run --map "$M" "$day3"
grep "1 review item closed: the booking is listed again" "$T/err" >/dev/null || { cat "$T/err"; fail "reappeared"; }
[ "$("$C" feed review --json | jq length)" -eq 0 ] || fail "no open item"
"$C" feed review --all --json | jq -e '.[0].status == "resolved" and .[0].resolved_by == "feed"
  and .[0].resolution == "listed again by run 4"' >/dev/null || fail "resolved by the feed"
ok

# a delta run never reports missing bookings
expect_exit 0 "$C" feed run --map "$M" --delta "$day2"
grep "run 5 (delta snapshot)" "$T/err" >/dev/null || fail "delta run"
! grep "missing from the snapshot" "$T/err" >/dev/null || fail "delta: nothing missing"
[ "$("$C" feed review --json | jq length)" -eq 0 ] || fail "delta: no review"
ok

# a person resolves a review item
expect_exit 0 "$C" feed run --map "$M" "$day2"   # 004104 missing again: item 2
id=$("$C" feed review --json | jq '.[0].id')
expect_exit 2 "$C" feed resolve "$id"
expect_exit 0 "$C" --as sgt.lopez feed resolve "$id" --note "released to federal custody 11/03; JMS export lagged"
expect_exit 1 "$C" feed resolve "$id" --note again
grep "already resolved" "$T/err" >/dev/null || fail "resolve twice"
expect_exit 1 "$C" feed resolve 999 --note x
"$C" audit log --json | jq -e '.[-1].action == "feed_review_resolve" and .[-1].actor == "sgt.lopez"
  and .[-1].object_id == "2025-004104"' >/dev/null || fail "resolution in the ledger"
ok

# a failed run writes nothing: no versions, no run, no ledger entry
before=$("$C" audit log --json | jq length)
sed '3s#,M,SENTENCED,#,Q,SENTENCED,#' "$day2" >"$T/bad.csv"
expect_exit 2 "$C" feed run --map "$M" "$T/bad.csv"
grep "^$T/bad.csv:3: charges\[1\].level: ChargeLevel 'Q'" "$T/err" >/dev/null || { cat "$T/err"; fail "bad run message"; }
[ "$("$C" audit log --json | jq length)" -eq "$before" ] || fail "failed run: ledger untouched"
[ "$("$C" feed status --json | jq '.sources[0].run')" -eq 6 ] || fail "failed run: no run recorded"
# with --skip-invalid the rejected booking still counts as listed (not missing)
expect_exit 1 "$C" feed run --map "$M" --skip-invalid "$T/bad.csv"
grep "1 booking missing" "$T/err" >/dev/null || { cat "$T/err"; fail "only 004104 missing"; }
"$C" feed status --json | jq -e '.sources[0].rejected == 1 and .sources[0].missing == 1' >/dev/null ||
  fail "partial run recorded"
ok

expect_exit 2 "$C" feed run --map "$M"
expect_exit 2 "$C" feed review --bogus
"$C" feed run --help | grep "feed run --map" >/dev/null || fail "feed run --help"
ok
pass
