#!/usr/bin/env bash
# The console's request page says when each of a decision's duties falls due: a duty whose
# trigger is the law's table's (policies/desk/duty-deadlines.csv "when") and not its rule's
# is shown with it, as the desk creates it. California's rule ca.report-transfer names
# report_transfer_to_state alone; the table says it is owed once a transfer is done
# (transfer_done), so a judicial warrant's decision must not read as a report due now.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"

C=$CUSTODIAN
TOTP="node $CUST_SOURCE_DIR/tests/browser/totp.mjs"
command -v node >/dev/null || fail "node is needed (scripts/bootstrap installs it)"
export CUSTODIAN_NOW=2025-07-15T17:00:00Z
export CUSTODIAN_DB="$T/county.db"

"$C" init >/dev/null
"$C" import "$CUST_SOURCE_DIR/tests/data/records/good.jsonl" >/dev/null 2>&1
echo "river otter lantern quietly 42" >"$T/pass"
"$C" user add sgt --role supervisor --passphrase-file "$T/pass" >"$T/uri" 2>/dev/null
cat >"$T/jw.json" <<'J'
{"kind": "judicial_warrant", "requester": {"agency": "U.S. Marshals Service"},
 "received_at": "2025-07-15T09:00:00-07:00", "subject": {"booking_number": "6012345"}}
J

SERVER_PID=
trap '[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
"$C" serve --listen 127.0.0.1:0 --port-file "$T/port" 2>"$T/server.err" &
SERVER_PID=$!
for _ in $(seq 1 200); do [ -s "$T/port" ] && break; sleep 0.05; done
[ -s "$T/port" ] || { cat "$T/server.err" >&2; fail "server did not start"; }
BASE="http://127.0.0.1:$(cat "$T/port")"
code=$($TOTP "$(cat "$T/uri")" "$(date -d "$CUSTODIAN_NOW" +%s)")
[ "$(curl -s -c "$T/jar" -o /dev/null -w '%{http_code}' --data-urlencode name=sgt \
  --data-urlencode "passphrase=$(cat "$T/pass")" --data-urlencode "code=$code" "$BASE/login")" = 303 ] ||
  fail "login"
CSRF=$(curl -s -b "$T/jar" "$BASE/console" | grep -o 'name="csrf" value="[0-9a-f]*"' | head -1 |
  sed 's/.*value="//; s/"//')
[ -n "$CSRF" ] || fail "csrf"; ok
api() { # METHOD PATH [BODY-FILE]
  local args=(-s -b "$T/jar" -H "X-CSRF-Token: $CSRF" -X "$1" -o "$T/b" -w '%{http_code}')
  [ $# -ge 3 ] && args+=(-H 'Content-Type: application/json' --data-binary "@$3")
  curl "${args[@]}" "$BASE$2" >"$T/code"
}

api POST /api/v1/requests "$T/jw.json"
[ "$(cat "$T/code")" = 201 ] || fail "add: $(cat "$T/b")"
ID=$(jq -r .id "$T/b")
api POST "/api/v1/requests/$ID/decide"
[ "$(cat "$T/code")" = 200 ] || fail "decide: $(cat "$T/b")"
# the decision names the duty without a trigger (the rule's), and none was created yet
jq -e '.result[0].decision.duties | map(select(.duty == "report_transfer_to_state"))
       | length == 1 and (.[0].when == null)' "$T/b" >/dev/null ||
  fail "the rule's duty: $(jq -c '.result[0].decision.duties' "$T/b")"; ok
api GET "/api/v1/duties?request=$ID"
jq -e '[.duties[].duty] | index("report_transfer_to_state") == null' "$T/b" >/dev/null ||
  fail "the report is owed on transfer, not at once: $(jq -c '[.duties[].duty]' "$T/b")"; ok
# the page says so
curl -s -b "$T/jar" -o "$T/page.html" "$BASE/console/requests/$ID"
grep -q "report_transfer_to_state (when transfer_done)" "$T/page.html" ||
  fail "the page: $(grep -o 'report_transfer_to_state[^<]*' "$T/page.html" | head -2)"; ok

kill -TERM "$SERVER_PID"
wait "$SERVER_PID" || fail "server exit status"
SERVER_PID=
pass
