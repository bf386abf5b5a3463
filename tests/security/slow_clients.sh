#!/usr/bin/env bash
# Issue 12, slow clients: a client that sends its request line and then a header byte now and
# then keeps libmicrohttpd's idle timeout from ever firing (the old server kept such a
# connection as long as the client liked). `[server] header_timeout` is a deadline for the whole
# request line and headers: past it the connection is cut, while others are served meanwhile.
set -euo pipefail
. "$(dirname "$0")/../integration/lib/common.sh"
trap '' PIPE # writes to a connection the server cut fail instead of killing the test

C=$CUSTODIAN
"$C" init >/dev/null
printf '[server]\nthreads = 2\nheader_timeout = 3\ntimeout = 30\n' >"$T/serve.ini"
SERVER_PID=
trap '[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
"$C" serve --listen 127.0.0.1:0 --config "$T/serve.ini" --port-file "$T/port" 2>"$T/server.err" &
SERVER_PID=$!
for _ in $(seq 1 200); do [ -s "$T/port" ] && break; sleep 0.05; done
[ -s "$T/port" ] || { cat "$T/server.err" >&2; fail "server did not start"; }
PORT=$(cat "$T/port")

# five slow clients, a header line a second each, for up to 15 seconds
slow() { # N -> seconds until the server cut the connection (or 15)
  exec {fd}<>"/dev/tcp/127.0.0.1/$PORT"
  printf 'GET /healthz HTTP/1.1\r\nHost: x\r\n' >&"$fd"
  local i
  for i in $(seq 1 15); do
    sleep 1
    printf 'X-Slow-%d: y\r\n' "$i" >&"$fd" 2>/dev/null || break
  done
  exec {fd}>&-
  echo "$i" >"$T/slow.$1"
}
for k in 1 2 3 4 5; do slow "$k" & done
sleep 1
# others are served meanwhile
for _ in 1 2 3; do
  [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$PORT/healthz")" = 200 ] ||
    fail "healthz during the slow clients"
done
ok
wait $(jobs -p | grep -v "^$SERVER_PID$") 2>/dev/null || true
for k in 1 2 3 4 5; do
  s=$(cat "$T/slow.$k")
  [ "$s" -le 6 ] || fail "slow client $k kept its connection $s seconds (deadline 3)"
done
ok
# a kept-alive connection may sit idle (the idle timeout), then send a whole request at once
exec {fd}<>"/dev/tcp/127.0.0.1/$PORT"
printf 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n' >&"$fd"
sleep 4
printf 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' >&"$fd"
[ "$(timeout 5 cat <&"$fd" | grep -c '^HTTP/1.1 200')" = 2 ] || fail "a kept-alive connection idle past the deadline"
exec {fd}>&-
ok
kill -TERM "$SERVER_PID"
rc=0; wait "$SERVER_PID" || rc=$?
SERVER_PID=
[ "$rc" = 0 ] || { tail -20 "$T/server.err" >&2; fail "server exit status $rc"; }
! grep -q Sanitizer "$T/server.err" || { cat "$T/server.err" >&2; fail "sanitizer report"; }
ok
pass
