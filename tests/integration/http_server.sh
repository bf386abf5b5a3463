#!/usr/bin/env bash
# `custodian serve`: the real server on an ephemeral port, driven with curl.
# Health and version, 404/405 JSON shape, 400 on bad paths, 413 (declared and chunked bodies),
# 431 on huge headers, security headers, access-log lines, and SIGTERM with a request in flight.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"

command -v curl >/dev/null || fail "curl is needed"

# CLI contract first.
"$CUSTODIAN" serve --help | grep -- '--port-file' >/dev/null || fail "serve --help"; ok
expect_exit 2 "$CUSTODIAN" serve --bogus
expect_exit 2 "$CUSTODIAN" serve --listen nonsense
grep -q "expected ADDR:PORT" "$T/err" || fail "bad --listen message"; ok
printf '[server]\nthreads = lots\n' >"$T/bad.ini"
expect_exit 2 "$CUSTODIAN" serve --config "$T/bad.ini"
grep -q "bad.ini:2: \[server\] threads" "$T/err" || fail "config error names file:line"; ok

cat >"$T/serve.ini" <<INI
[server]
threads = 2
body_limit = 65536
header_limit = 8192
access_log = $T/access.log
shutdown_grace_ms = 20000
INI

SERVER_PID=
cleanup_server() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; wait 2>/dev/null || true; }
trap 'cleanup_server; rm -rf "$T"' EXIT

"$CUSTODIAN" serve --listen 127.0.0.1:0 --config "$T/serve.ini" --port-file "$T/port" \
  2>"$T/server.err" &
SERVER_PID=$!
for _ in $(seq 1 200); do [ -s "$T/port" ] && break; sleep 0.05; done
[ -s "$T/port" ] || { cat "$T/server.err" >&2; fail "server did not write its port"; }
PORT=$(cat "$T/port")
BASE="http://127.0.0.1:$PORT"
grep -q "^listening on http://127.0.0.1:$PORT\$" "$T/server.err" || fail "listening line"; ok

# req METHOD PATH [curl args...]: status in $T/code, headers in $T/h, body in $T/b.
req() {
  local m=$1 p=$2; shift 2
  curl -s -X "$m" --path-as-is -D "$T/h" -o "$T/b" -w '%{http_code}' "$@" "$BASE$p" >"$T/code" || true
}
expect_status() { [ "$(cat "$T/code")" = "$1" ] || { cat "$T/h" "$T/b" >&2; fail "$2: got $(cat "$T/code"), want $1"; }; ok; }
# expect_error STATUS CODE: the stable JSON error shape.
expect_error() {
  jq -e --argjson s "$1" --arg c "$2" \
    '(keys == ["error"]) and (.error | keys == ["code","message","status"]) and .error.status == $s
     and .error.code == $c and (.error.message | type == "string" and length > 0)' "$T/b" >/dev/null \
    || { cat "$T/b" >&2; fail "error shape for $1 $2"; }
  grep -qi '^content-type: application/json' "$T/h" || fail "error content type"
  ok
}

req GET /healthz
expect_status 200 "healthz"
jq -e '.status == "ok" and (.version | test("^[0-9]+\\.[0-9]+"))' "$T/b" >/dev/null || fail "healthz body"; ok
# Security headers on every response.
for h in "content-security-policy: default-src 'self'" "frame-ancestors 'none'" \
         "x-content-type-options: nosniff" "referrer-policy: no-referrer" "cache-control: no-store"; do
  grep -qi -- "$h" "$T/h" || fail "missing header: $h"; ok
done

req GET /api/v1/version
expect_status 200 "version"
jq -e '.name == "custodian" and .api == "v1"' "$T/b" >/dev/null || fail "version body"; ok

curl -s -I "$BASE/healthz" >"$T/h"
grep -q '^HTTP/1.1 200' "$T/h" || fail "HEAD healthz"; ok

req GET /no/such/thing
expect_status 404 "unknown path"
expect_error 404 not_found

req DELETE /healthz
expect_status 405 "wrong method"
expect_error 405 method_not_allowed
grep -qi '^allow: GET, HEAD' "$T/h" || fail "405 Allow header"; ok
grep -qi "^content-security-policy" "$T/h" || fail "security headers on errors"; ok

req GET '/healthz/../api/v1/version'
expect_status 400 "dot segments"
expect_error 400 invalid
req GET '/healthz?x=%zz'
expect_status 400 "bad query escape"
expect_error 400 invalid
req GET /healthz -H 'Cookie: a b=1; ok=1'
expect_status 200 "a malformed cookie is ignored"

# 413: a declared body over the cap, then a chunked one.
head -c 100000 /dev/zero >"$T/big.bin"
req POST /api/v1/version --data-binary @"$T/big.bin" -H 'Content-Type: application/octet-stream'
expect_status 413 "declared large body"
expect_error 413 too_big
req POST /api/v1/version --data-binary @"$T/big.bin" -H 'Transfer-Encoding: chunked'
expect_status 413 "chunked large body"
expect_error 413 too_big
# A body exactly at the cap is accepted and reaches the router (405 here).
head -c 65536 /dev/zero >"$T/limit.bin"
req POST /api/v1/version --data-binary @"$T/limit.bin"
expect_status 405 "body at the cap"
# A body under the cap reaches the router (405 here).
req POST /api/v1/version --data-binary '{"a":1}' -H 'Content-Type: application/json'
expect_status 405 "small body"

# 431: headers over the cap (ours: JSON), and far over MHD's pool (MHD's own answer).
printf 'X-Big: %s\r\n' "$(head -c 20000 /dev/zero | tr '\0' a)" >"$T/hdr"
req GET /healthz -H @"$T/hdr"
expect_status 431 "large headers"
expect_error 431 headers_too_big
printf 'X-Huge: %s\r\n' "$(head -c 200000 /dev/zero | tr '\0' a)" >"$T/hdr"
req GET /healthz -H @"$T/hdr"
case "$(cat "$T/code")" in 431) ok ;; *) fail "huge headers: got $(cat "$T/code")" ;; esac

# The access log: one JSON line per request, query values redacted unless harmless.
req GET '/healthz?name=Smith&page=2'
expect_status 200 "query"
sleep 0.2
[ -s "$T/access.log" ] || fail "access log written"
while IFS= read -r line; do
  echo "$line" | jq -e '(.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$")) and
    (.method | type == "string") and (.path | startswith("/")) and (.status | type == "number")
    and (.bytes | type == "number") and (.duration_us | type == "number" and . >= 0)
    and .remote == "127.0.0.1"' >/dev/null || fail "access-log line shape: $line"
done <"$T/access.log"
ok
grep -q '"path":"/healthz?name=\*&page=2"' "$T/access.log" || fail "redacted query in log"; ok
! grep -q Smith "$T/access.log" || fail "restricted query value leaked into the log"; ok
n_lines=$(wc -l <"$T/access.log")
[ "$n_lines" -ge 14 ] || fail "one log line per request (got $n_lines)"; ok
grep -q '"status":404' "$T/access.log" || fail "404 logged"; ok

# SIGTERM while a slow upload is in flight: the request completes, new connections are
# refused, the server exits 0.
head -c 30000 /dev/zero >"$T/slow.bin"
curl -s -o "$T/slow.out" -w '%{http_code}' --limit-rate 15K --data-binary @"$T/slow.bin" \
  "$BASE/api/v1/version" >"$T/slow.code" &
CURL_PID=$!
sleep 0.6
kill -TERM "$SERVER_PID"
sleep 0.3
if curl -s -m 2 -o /dev/null "$BASE/healthz"; then fail "new connection accepted while stopping"; fi
ok
wait "$CURL_PID" || true
[ "$(cat "$T/slow.code")" = "405" ] || fail "in-flight request finished (got $(cat "$T/slow.code"))"; ok
set +e; wait "$SERVER_PID"; rc=$?; set -e
SERVER_PID=
[ "$rc" -eq 0 ] || { cat "$T/server.err" >&2; fail "server exit $rc after SIGTERM"; }; ok
grep -q "server stopped" "$T/server.err" || fail "stop message"; ok
pass
