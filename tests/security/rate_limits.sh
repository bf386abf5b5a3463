#!/usr/bin/env bash
# Issue 12 item 3, every route rate-limited: the old server limited only the public routes
# flagged for it (the locator, POST /login, /metrics, the public enforcement log, the
# checkpoint); every other route — the console, the API, /healthz, static files, and any path
# that matched no route (404) — let one address send as fast as it liked. Now every request takes
# from its client's bucket ([ratelimit] all_rate, all_burst) before anything else is done. For
# each route from `serve --print-routes` (each from its own client address, through a trusted
# proxy, so each starts with a full bucket), the first request is answered and the one past the
# burst gets 429 with Retry-After; so does a path no route matches.
set -euo pipefail
. "$(dirname "$0")/../integration/lib/common.sh"

C=$CUSTODIAN
"$C" init >/dev/null
BURST=4
cat >"$T/serve.ini" <<INI
[server]
threads = 2
trusted_proxies = 127.0.0.1
[ratelimit]
rate = 1000
burst = 1000
all_rate = 0.001
all_burst = $BURST
INI
serve_start --config "$T/serve.ini"

path_for() {
  local p=$1
  p=${p//\{number\}/6012345}
  p=${p//\{id\}/1}
  p=${p//\{step\}/close}
  p=${p//\{name\}/x.pdf}
  p=${p//\/static\/uswds\/\{dir\}\/\{sub\}\/\{file\}//static/uswds/img/usa-icons/accessibility_new.svg}
  p=${p//\/static\/uswds\/\{dir\}\/\{file\}//static/uswds/css/uswds.min.css}
  echo "$p"
}
"$C" serve --print-routes >"$T/routes"
echo "GET /no/such/route 404" >>"$T/routes"
[ "$(wc -l <"$T/routes")" -ge 40 ] || fail "route list"
n=0
while read -r method pattern _; do
  n=$((n + 1))
  ip="10.$((n / 200)).$((n % 200)).7"
  url="$BASE$(path_for "$pattern")"
  urls=()
  for _ in $(seq 0 "$BURST"); do urls+=("$url"); done
  args=(-s -X "$method" -H "X-Forwarded-For: $ip" -o /dev/null -D "$T/h" -w '%{http_code}\n')
  [ "$method" = POST ] && args+=(-H 'Content-Type: application/json' --data '{}')
  curl "${args[@]}" "${urls[@]}" >"$T/codes"
  first=$(head -1 "$T/codes")
  last=$(tail -1 "$T/codes")
  [ "$first" != 429 ] || fail "$method $pattern: the first request got 429"
  [ "$last" = 429 ] || fail "$method $pattern escapes the limiter: $(tr '\n' ' ' <"$T/codes")"
  grep -i '^retry-after: [0-9]' "$T/h" >/dev/null || fail "$method $pattern: 429 without Retry-After"
done <"$T/routes"
[ "$n" -ge 40 ] || fail "only $n routes"
ok
echo "rate limits: $n routes, each 429 past a burst of $BURST" >&2
# another address is not affected by one that is limited
code=$(curl -s -o /dev/null -w '%{http_code}' -H "X-Forwarded-For: 192.0.2.99" "$BASE/healthz")
[ "$code" = 200 ] || fail "a fresh address: $code"; ok
# a bad value is refused naming the line
printf '[ratelimit]\nall_rate = 0\n' >"$T/bad.ini"
expect_exit 2 "$C" serve --listen 127.0.0.1:0 --config "$T/bad.ini"
grep 'bad.ini:2: \[ratelimit\] all_rate' "$T/err" >/dev/null || fail "bad all_rate: $(cat "$T/err")"; ok
kill -TERM "$SERVER_PID"
rc=0; wait "$SERVER_PID" || rc=$?
SERVER_PID=
[ "$rc" = 0 ] || { tail -20 "$T/server.err" >&2; fail "server exit status $rc"; }
! grep -q Sanitizer "$T/server.err" || { cat "$T/server.err" >&2; fail "sanitizer report"; }
ok
pass
