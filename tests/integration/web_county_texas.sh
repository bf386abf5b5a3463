#!/usr/bin/env bash
# One configuration for both front ends: a county set up for Texas (one config file: [county]
# jurisdiction us-tx, its agency, a calendar with an extra holiday, the America/Chicago zone)
# gets Texas's law from the server exactly as from the command line - the decision (hold
# required under Tex. Code Crim. Proc. art. 2.251), the duties (serve a copy, with the Texas
# citation and a deadline counted over the county's holiday), the notice (the agency's name,
# Texas's citation, no California law, dated by the county's day) - and `config show` names the
# source of every value. The control: the same request decided under the default, us-ca.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"

C=$CUSTODIAN
command -v sqlite3 >/dev/null || fail "sqlite3 is needed"
unset CUSTODIAN_DB # the store comes from the configuration file

# Friday 2025-07-18 21:30 in Chicago, already Saturday in UTC: the county's "today" is Friday.
export CUSTODIAN_NOW=2025-07-19T02:30:00Z
# the county's calendar: the federal holidays plus a county holiday on Monday 2025-07-21
cp "$CUST_SOURCE_DIR/policies/calendars/us-federal-holidays.csv" "$T/holidays.csv"
echo '2025-07-21,"County Founders Day",Harris County Commissioners Court order' >>"$T/holidays.csv"
mkdir -p "$T/etc"
cat >"$T/etc/custodian.conf" <<INI
; a Texas county
[store]
path = ../county.db
[county]
jurisdiction = us-tx
agency_name = Harris County Sheriff's Office
calendar = $T/holidays.csv
timezone = America/Chicago
[server]
threads = 2
access_log = $T/access.log
INI
export CUSTODIAN_CONFIG="$T/etc/custodian.conf"

# --- config show: every value with its source
"$C" config show >"$T/show"
grep -q "^county.jurisdiction *= us-tx *# $T/etc/custodian.conf:5\$" "$T/show" ||
  fail "jurisdiction from the file: $(cat "$T/show")"; ok
grep -q "^store.path *= $T/etc/../county.db *# $T/etc/custodian.conf:3\$" "$T/show" ||
  fail "store path relative to the file"; ok
grep -q "^county.timezone *= America/Chicago " "$T/show" || fail "timezone"; ok
grep -q "^server.threads *= 2 " "$T/show" || fail "server section"; ok
grep -q "^locator.result_cap *= 50 *# default\$" "$T/show" || fail "a default"; ok
CUSTODIAN_AGENCY_NAME="Env Agency" "$C" config show --json >"$T/show.json"
jq -e '."county.agency_name" == {"value":"Env Agency","source":"env CUSTODIAN_AGENCY_NAME"}' \
  "$T/show.json" >/dev/null || fail "environment over the file"; ok
"$C" --db "$T/other.db" config show --json |
  jq -e '."store.path".source == "option --db" and ."store.key_file".value == "'"$T"'/other.db.key"' \
    >/dev/null || fail "option over everything, key file follows the store"; ok
[ "$("$C" config get county.jurisdiction)" = us-tx ] || fail "config get"; ok
expect_exit 2 "$C" config get county.nothing
printf '[county]\njurisdiction = us-tx\nshoe_size = 9\n' >"$T/bad.conf"
expect_exit 2 "$C" --config "$T/bad.conf" config show
grep -q "bad.conf:3: \[county\] shoe_size: unknown setting" "$T/err" || fail "bad key named"; ok
CUSTODIAN_TIMEZONE=Mars/Olympus_Mons expect_exit 2 "$C" config show
grep -q "county.timezone (env CUSTODIAN_TIMEZONE)" "$T/err" || fail "bad zone named"; ok

# --- the county: records, a supervisor
"$C" init >/dev/null
[ -f "$T/county.db" ] || fail "the store is where the file says"; ok
"$C" import "$CUST_SOURCE_DIR/tests/data/records/good.jsonl" >/dev/null 2>&1
echo "river otter lantern quietly 42" >"$T/pass"
"$C" user add sgt --role supervisor --passphrase-file "$T/pass" >"$T/uri" 2>/dev/null
cat >"$T/detainer.json" <<'JSON'
{"kind": "detainer", "form": "I-247A",
 "requester": {"agency": "ICE", "office": "Houston Field Office"},
 "received_at": "2025-07-18T10:00:00-05:00",
 "subject": {"booking_number": "6012345", "last_name": "GARCIA", "first_name": "JOSE",
             "dob": "1988-04-02", "fbi": "123456AB7"},
 "asks": ["hold", "notify"], "items": []}
JSON

serve_start
login sgt "$T/pass" "$T/uri"; ok

# --- the server decides under Texas law
api POST /api/v1/requests "$T/detainer.json"
[ "$(cat "$T/code")" = 201 ] || fail "add: $(cat "$T/b")"
ID=$(jq -r .id "$T/b")
api POST "/api/v1/requests/$ID/decide"
[ "$(cat "$T/code")" = 200 ] || fail "decide: $(cat "$T/b")"
jq -e '.result[0].decision | .policy.id == "us-tx" and .actions.hold.verdict == "required"
       and (.actions.hold.cite | index("Tex. Code Crim. Proc. art. 2.251(a)(1)")) != null' "$T/b" \
  >/dev/null || fail "a Texas decision: $(jq -c '.result[0].decision.actions' "$T/b")"; ok
jq -e '[.. | strings | select(test("Cal\\. |California"))] | length == 0' "$T/b" >/dev/null ||
  fail "no California law in a Texas decision"; ok
# the API's decide resource: the server's policy set, never a file named by a caller
jq '.result[0].decision | {jurisdiction: "us-tx", as_of: .as_of,
    request: {kind: "detainer", asks: ["hold"], items: []},
    subject: {citizenship: {status: "non_citizen", verified: false}}}' "$T/b" >"$T/case.json"
api POST /api/v1/decide "$T/case.json"
[ "$(cat "$T/code")" = 200 ] || fail "api decide: $(cat "$T/b")"
jq -e '.policy.id == "us-tx" and .actions.hold.verdict == "required"' "$T/b" >/dev/null ||
  fail "api decide under us-tx"; ok
api POST "/api/v1/decide?policy=$CUST_SOURCE_DIR/policies/us-ca.policy" "$T/case.json"
[ "$(cat "$T/code")" = 400 ] || fail "a policy file from the network: $(cat "$T/code")"; ok
api GET "/api/v1/requests/$ID"
jq -e '.decisions | length == 1' "$T/b" >/dev/null || fail "decision stored"; ok

# --- its duties are Texas's, with the county's calendar
api GET "/api/v1/duties?request=$ID"
jq -e '.duties | map(.duty) == ["serve_copy_to_subject"]' "$T/b" >/dev/null ||
  fail "Texas duties only: $(jq -c '[.duties[].duty]' "$T/b")"; ok
jq -e '.duties[0].cite == ["Tex. Code Crim. Proc. art. 2.251(a)(2)"]' "$T/b" >/dev/null ||
  fail "duty cite: $(jq -c '.duties[0].cite' "$T/b")"; ok
# decided Friday (at the request's offset); one business day, Monday the county's holiday:
# due at the end of Tuesday 2025-07-22, -05:00
jq -e '.duties[0].due == "2025-07-23T04:59:59Z"' "$T/b" >/dev/null ||
  fail "deadline over the county holiday: $(jq -r '.duties[0].due' "$T/b")"; ok

# --- its notice is Texas's: the agency, Texas's citation, the county's day
SHA=$(jq -r '.duties[0].document' "$T/b")
[ ${#SHA} -eq 64 ] || fail "the duty's notice is kept"
sqlite3 "$T/county.db" "SELECT CAST(content AS TEXT) FROM documents WHERE sha256 = '$SHA'" \
  >"$T/notice.txt"
head -1 "$T/notice.txt" | grep -qx "Harris County Sheriff's Office" || fail "agency on the notice"; ok
grep -qF "(Tex. Code Crim. Proc. art. 2.251(a)(2))" "$T/notice.txt" || fail "Texas citation"; ok
grep -q "California\|Gov. Code\|7283\|7284" "$T/notice.txt" && fail "California law in a Texas notice"
ok
grep -q "^Date of this notice: July 18, 2025\$" "$T/notice.txt" ||
  fail "the county's day (Chicago), not UTC's: $(grep Date "$T/notice.txt")"; ok
grep -q "will comply with part of this request" "$T/notice.txt" || fail "will comply"; ok
grep -q "copy of that notice" "$T/notice.txt" && fail "a release notice Texas law does not require"
ok

# --- the command line, from the same configuration, decides exactly so
ID2=$("$C" request add "$T/detainer.json")
"$C" request decide "$ID2" --json >"$T/cli.json"
jq -e '.[0].decision | .policy.id == "us-tx" and .actions.hold.verdict == "required"' \
  "$T/cli.json" >/dev/null || fail "the CLI under the same configuration"; ok
[ "$(jq -c '.[0].decision.actions' "$T/cli.json")" = \
  "$(curl -s -b "$T/jar" "$BASE/api/v1/requests/$ID" | jq -c '.decisions[0].decision.actions')" ] ||
  fail "the same verdicts and citations from both front ends"; ok
"$C" duties list --request "$ID2" --json | jq -e 'map(.due) == ["2025-07-23T04:59:59Z"]' \
  >/dev/null || fail "duties list honours the calendar"; ok

# --- control: the same request under the default configuration is California's
CUSTODIAN_CONFIG= "$C" --db "$T/county.db" request add "$T/detainer.json" >"$T/id3"
CUSTODIAN_CONFIG= "$C" --db "$T/county.db" request decide "$(cat "$T/id3")" --json >"$T/ca.json"
jq -e '.[0].decision | .policy.id == "us-ca" and .actions.hold.verdict == "prohibited"' \
  "$T/ca.json" >/dev/null || fail "control: us-ca"; ok

serve_stop
pass
