#!/usr/bin/env bash
# Issue 12, behind a proxy: a TLS proxy in front of the server means the server speaks plain
# HTTP, yet users reach it over https. `[server] public_url = https://...` turns on Secure
# cookies and HSTS (the old server did so only with tls = true, which is off behind a proxy);
# an http:// public_url does not; anything else is refused naming the line.
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
start() { # URL
  printf '[server]\nthreads = 2\npublic_url = %s\n' "$1" >"$T/serve.ini"
  rm -f "$T/port"
  "$C" serve --listen 127.0.0.1:0 --config "$T/serve.ini" --port-file "$T/port" 2>"$T/server.err" &
  SERVER_PID=$!
  for _ in $(seq 1 200); do [ -s "$T/port" ] && break; sleep 0.05; done
  [ -s "$T/port" ] || { cat "$T/server.err" >&2; fail "server did not start"; }
  BASE="http://127.0.0.1:$(cat "$T/port")"
}
stop() { kill -TERM "$SERVER_PID"; wait "$SERVER_PID" || true; SERVER_PID=; }
login_headers() { # OFFSET -> headers of the sign-in answer in $T/h
  local code; code=$($TOTP "$(cat "$T/uri")" $(( $(date +%s) + $1 )))
  curl -s -o /dev/null -D "$T/h" --data-urlencode name=u_clerk \
    --data-urlencode "passphrase=$(cat "$T/pass")" --data-urlencode "code=$code" "$BASE/login"
}

start "https://jail.example.org"
login_headers 0
grep -i '^set-cookie: custodian_session=.*; Secure' "$T/h" >/dev/null ||
  fail "no Secure cookie behind an https public_url: $(grep -i set-cookie "$T/h")"
ok
curl -s -o /dev/null -D "$T/h2" "$BASE/locator"
grep -i '^strict-transport-security: max-age=' "$T/h2" >/dev/null || fail "no HSTS"; ok
stop

start "http://jail.example.org"
login_headers 30
grep -i '^set-cookie: custodian_session=' "$T/h" >/dev/null || fail "no cookie: $(cat "$T/h")"
! grep -i '^set-cookie: .*Secure' "$T/h" >/dev/null || fail "Secure over plain http"; ok
curl -s -o /dev/null -D "$T/h2" "$BASE/locator"
! grep -qi '^strict-transport-security' "$T/h2" || fail "HSTS over plain http"; ok
stop

printf '[server]\npublic_url = ftp://x\n' >"$T/bad.ini"
expect_exit 2 "$C" serve --listen 127.0.0.1:0 --config "$T/bad.ini" --port-file "$T/p2"
grep "bad.ini:2: \[server\] public_url" "$T/err" >/dev/null || fail "bad public_url: $(cat "$T/err")"
ok
pass
