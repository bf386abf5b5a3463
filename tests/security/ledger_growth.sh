#!/usr/bin/env bash
# Issue 12, no writes without a person: unauthenticated requests (API 404s, denied API calls,
# console redirects, sign-ins with names nobody has) are counted in GET /metrics and the access
# log, never written to the ledger one by one (the old server appended an fsync'd entry for each:
# 200 in 4 s); the path a ledger entry keeps is capped (a 7,000-character path was stored twice).
set -euo pipefail
. "$(dirname "$0")/../integration/lib/common.sh"

C=$CUSTODIAN
TOTP="node $CUST_SOURCE_DIR/tests/browser/totp.mjs"
command -v node >/dev/null || fail "node is needed (scripts/bootstrap installs it)"
"$C" init >/dev/null
echo "river otter lantern quietly 42" >"$T/pass"
"$C" user add u_clerk --role clerk --passphrase-file "$T/pass" >"$T/uri" 2>/dev/null
cat >"$T/serve.ini" <<INI
[server]
threads = 2
access_log = $T/access.log
[ratelimit]
rate = 1000
burst = 1000
INI
serve_start --config "$T/serve.ini"

before=$("$C" audit log --json | jq length)
LONG=$(head -c 7000 /dev/zero | tr '\0' a)
for i in $(seq 1 50); do
  curl -s -o /dev/null "$BASE/api/v1/nothing-$i"
  curl -s -o /dev/null "$BASE/api/v1/roster"
  curl -s -o /dev/null "$BASE/console"
  curl -s -o /dev/null --data "name=nobody$i&passphrase=x&code=1" "$BASE/login"
done
curl -s -o /dev/null "$BASE/api/v1/$LONG"
after=$("$C" audit log --json | jq length)
[ "$after" = "$before" ] || fail "200 unauthenticated requests wrote $((after - before)) ledger entries"
ok
curl -s "$BASE/metrics" >"$T/m"
val() { awk -v k="$1" '$1 == k { print $2 }' "$T/m"; }
[ "$(val custodian_unauthenticated_denied_total)" -ge 100 ] || fail "denials counted: $(cat "$T/m")"
[ "$(val custodian_unauthenticated_api_total)" -ge 50 ] || fail "API requests counted: $(cat "$T/m")"
[ "$(val custodian_unknown_logins_total)" = 50 ] || fail "unknown sign-ins counted: $(cat "$T/m")"
ok
[ "$(grep -c 'api/v1/nothing-' "$T/access.log")" -ge 50 ] || fail "the access log has them"; ok

# a person's request is in the ledger, its path capped
code=$($TOTP "$(cat "$T/uri")")
curl -s -c "$T/jar" -o /dev/null --data-urlencode name=u_clerk \
  --data-urlencode "passphrase=$(cat "$T/pass")" --data-urlencode "code=$code" "$BASE/login"
curl -s -o /dev/null -b "$T/jar" "$BASE/api/v1/requests/$LONG"
"$C" audit log --json >"$T/log.json"
jq -e '[.[] | select(.actor == "u_clerk" and .action == "api_request")] | length >= 1' "$T/log.json" \
  >/dev/null || fail "a signed-in request is in the ledger"
ok
maxlen=$(jq '[.[] | (.detail_text // "" | length), (.object_id | length)] | max' "$T/log.json")
[ "$maxlen" -lt 600 ] || fail "a ledger entry keeps $maxlen characters"
ok

kill -TERM "$SERVER_PID"
rc=0; wait "$SERVER_PID" || rc=$?
SERVER_PID=
[ "$rc" = 0 ] || { tail -30 "$T/server.err" >&2; fail "server exit status $rc"; }
! grep -q "Sanitizer" "$T/server.err" || { cat "$T/server.err" >&2; fail "sanitizer report"; }
ok
pass
