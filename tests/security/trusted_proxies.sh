#!/usr/bin/env bash
# Issue 12, behind a proxy (second half): `[server] trusted_proxies` makes a trusted peer's
# X-Forwarded-For name the client for the rate limits, the access log and the audit trail, and
# spares the proxy the per-address connection limit (everyone behind it shares its address, so
# one slow client could otherwise lock out the rest). Anyone else's X-Forwarded-For is ignored;
# within the chain, what lies left of the first untrusted hop is the client's own claim.
set -euo pipefail
. "$(dirname "$0")/../integration/lib/common.sh"

C=$CUSTODIAN
TOTP="node $CUST_SOURCE_DIR/tests/browser/totp.mjs"
command -v node >/dev/null || fail "node is needed (scripts/bootstrap installs it)"
"$C" init >/dev/null
echo "river otter lantern quietly 42" >"$T/pass"
"$C" user add u_clerk --role clerk --passphrase-file "$T/pass" >"$T/uri" 2>/dev/null

SERVER_PID=
trap '[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
start() { # TRUSTED-PROXIES
  cat >"$T/serve.ini" <<INI
[server]
threads = 2
per_ip_connections = 3
access_log = $T/access.log
trusted_proxies = $1
[ratelimit]
rate = 0.01
burst = 2
INI
  rm -f "$T/port"
  : >"$T/access.log"
  "$C" serve --listen 127.0.0.1:0 --config "$T/serve.ini" --port-file "$T/port" 2>"$T/server.err" &
  SERVER_PID=$!
  for _ in $(seq 1 200); do [ -s "$T/port" ] && break; sleep 0.05; done
  [ -s "$T/port" ] || { cat "$T/server.err" >&2; fail "server did not start"; }
  PORT=$(cat "$T/port")
  BASE="http://127.0.0.1:$PORT"
}
stop() {
  kill -TERM "$SERVER_PID"
  rc=0; wait "$SERVER_PID" || rc=$?
  SERVER_PID=
  [ "$rc" = 0 ] || { tail -20 "$T/server.err" >&2; fail "server exit status $rc"; }
  ! grep -q Sanitizer "$T/server.err" || { cat "$T/server.err" >&2; fail "sanitizer report"; }
}
get() { # XFF -> status of GET /locator
  curl -s -o /dev/null -w '%{http_code}' -H "X-Forwarded-For: $1" "$BASE/locator"
}
hold() { # N: open N idle connections (fds 20..) to the server
  for i in $(seq 1 "$1"); do eval "exec $((19 + i))<>/dev/tcp/127.0.0.1/$PORT"; done
  sleep 0.3
}
release() { for i in $(seq 1 "$1"); do eval "exec $((19 + i))>&-"; done; sleep 0.3; }

# --- no trusted proxy: X-Forwarded-For is the client's claim, ignored; one bucket, one limit
start ""
[ "$(get 203.0.113.5)" = 200 ] && [ "$(get 203.0.113.5)" = 200 ] || fail "first requests"
[ "$(get 203.0.113.6)" = 429 ] || fail "a forged X-Forwarded-For bought a fresh bucket"; ok
! grep '"remote":"203.0.113' "$T/access.log" >/dev/null || fail "an untrusted X-Forwarded-For logged"; ok
hold 3
st=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$BASE/healthz" || true)
[ "$st" = 000 ] || fail "a fourth connection from one address: $st"
release 3
[ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/healthz")" = 200 ] || fail "after closing"; ok
stop

# --- a proxy that is not ours (10.0.0.0/8): still ignored
start "10.0.0.0/8"
[ "$(get 203.0.113.5)" = 200 ] && [ "$(get 203.0.113.5)" = 200 ] || fail "first requests"
[ "$(get 203.0.113.6)" = 429 ] || fail "X-Forwarded-For from an untrusted peer counted"; ok
stop

# --- behind our proxy (127.0.0.1 and ::1): each client its own bucket, logged as itself
start "127.0.0.1, ::1/128"
[ "$(get 203.0.113.5)" = 200 ] && [ "$(get 203.0.113.5)" = 200 ] || fail "first requests"
[ "$(get 203.0.113.5)" = 429 ] || fail "a client's own limit"; ok
[ "$(get 203.0.113.6)" = 200 ] || fail "another client behind the proxy was limited"; ok
# the left of the chain is the client's claim: the first untrusted hop from the right decides
[ "$(get "198.51.100.77, 203.0.113.5")" = 429 ] || fail "a claim left of the client bought a bucket"; ok
[ "$(get "203.0.113.9, 127.0.0.1")" = 200 ] || fail "a chain through two of our proxies"; ok
grep '"remote":"203.0.113.9".*"via":"127.0.0.1"\|"via":"127.0.0.1".*"remote":"203.0.113.9"' \
  "$T/access.log" >/dev/null || { cat "$T/access.log" >&2; fail "access log: the client and the proxy"; }
ok
# an X-Forwarded-For that is not an address counts as the proxy itself: one bucket for all such
[ "$(get "not-an-address")" = 200 ] && [ "$(get "x, 127.0.0.1")" = 200 ] || fail "bad X-Forwarded-For"
[ "$(get "<script>")" = 429 ] || fail "each bad X-Forwarded-For bought a bucket"; ok
# the audit trail names the client
code=$($TOTP "$(cat "$T/uri")")
st=$(curl -s -o /dev/null -w '%{http_code}' -H "X-Forwarded-For: 192.0.2.44" --data-urlencode name=u_clerk \
  --data-urlencode "passphrase=$(cat "$T/pass")" --data-urlencode "code=$code" "$BASE/login")
[ "$st" = 303 ] || fail "login through the proxy: $st"
"$C" audit log --json | jq -e 'last(.[] | select(.action == "login")) | .detail.remote == "192.0.2.44"' \
  >/dev/null || fail "the ledger's login names the proxy, not the client"
ok
# many idle connections through the proxy lock nobody out
hold 8
[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$BASE/healthz")" = 200 ] ||
  fail "the proxy's connections locked everyone out"
release 8
ok
stop

# --- a bad value names the line
printf '[server]\ntrusted_proxies = 10.0.0.0/33\n' >"$T/bad.ini"
expect_exit 2 "$C" serve --listen 127.0.0.1:0 --config "$T/bad.ini"
grep 'bad.ini:2: \[server\] trusted_proxies: .10.0.0.0/33' "$T/err" >/dev/null || fail "error: $(cat "$T/err")"; ok
pass
