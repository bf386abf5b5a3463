#!/usr/bin/env bash
# Issue 12 item 4, costly sign-ins: each sign-in checks an Argon2id hash (64 MiB, tens of
# milliseconds) and the old server did it on its connection threads, so 20 sign-ins at once
# held every thread and /healthz went from 4 ms to 2,842 ms. Now a sign-in runs on a small
# worker pool ([server] login_workers) while its connection is suspended: while 20 sign-ins at
# once are worked through, /healthz (fetched again and again on one kept-alive connection, so
# what is timed is the server) keeps its 99th percentile under 50 ms, and every sign-in is
# answered (an unknown name costs the same hash: docs/security.md "Uniform failures").
set -euo pipefail
. "$(dirname "$0")/../integration/lib/common.sh"

C=$CUSTODIAN
"$C" init >/dev/null
echo "river otter lantern quietly 42" >"$T/pass"
"$C" user add clerk1 --role clerk --passphrase-file "$T/pass" >/dev/null 2>&1
cat >"$T/serve.ini" <<INI
[ratelimit]
rate = 100000
burst = 100000
all_rate = 100000
all_burst = 100000
INI
serve_start --config "$T/serve.ini"

health() { # N OUT: N /healthz one after another on one connection, "status seconds" each
  local urls=() i
  for i in $(seq 1 "$1"); do urls+=(-o /dev/null "$BASE/healthz"); done
  curl -s -w "%{http_code} %{time_total}\n" --max-time 30 "${urls[@]}" >>"$2" || echo "000 30" >>"$2"
}
p99_of() { awk '{print $2}' "$1" | sort -n | awk '{a[NR]=$1} END {print a[int(NR*0.99)]}'; }
# the machine as it is (shared, loaded): /healthz with nothing else going on
health 200 "$T/idle"
idle99=$(p99_of "$T/idle")

# one sign-in alone: how long a hash takes here
t1=$(curl -s -o /dev/null -w '%{time_total}' --data 'name=nobody&passphrase=x&code=000000' "$BASE/login")

# 20 sign-ins at once (unknown names and wrong passphrases: each a full hash), and /healthz
# fetched meanwhile until every one is answered
pids=()
for k in $(seq 1 20); do
  name=$([ $((k % 2)) = 0 ] && echo clerk1 || echo "nobody$k")
  curl -s -o /dev/null -w '%{http_code}\n' --max-time 300 \
    --data "name=$name&passphrase=wrong-$k&code=000000" "$BASE/login" >"$T/logins.$k" &
  pids+=($!)
done
running() { local p; for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && return 0; done; return 1; }
while running; do health 20 "$T/health"; done
for p in "${pids[@]}"; do wait "$p" || true; done
! grep -v '^200 ' "$T/health" >/dev/null || fail "healthz failed: $(grep -v '^200 ' "$T/health" | head -3)"
[ "$(wc -l <"$T/health")" -ge 100 ] || fail "only $(wc -l <"$T/health") /healthz samples"
ok
logins=$(cat "$T"/logins.* | wc -l)
[ "$logins" = 20 ] || fail "only $logins sign-ins were answered"
! grep -v '^\(200\|303\|401\|403\|429\)$' "$T"/logins.* >/dev/null ||
  fail "a sign-in was not answered: $(grep -hv '^\(200\|303\|401\|403\|429\)$' "$T"/logins.* | sort | uniq -c)"
ok
p50=$(awk '{print $2}' "$T/health" | sort -n | awk '{a[NR]=$1} END {print a[int(NR*0.50)]}')
p99=$(p99_of "$T/health")
max=$(awk '{print $2}' "$T/health" | sort -n | tail -1)
echo "healthz during 20 parallel sign-ins: $(wc -l <"$T/health") samples, p50 ${p50}s p99 ${p99}s max ${max}s (idle p99 ${idle99}s); one sign-in alone ${t1}s" >&2
# 50 ms; on a machine already slower than that when idle (a shared, loaded one), twice its
# idle p99 (the old server: over 10 s)
limit=$(awk -v i="$idle99" 'BEGIN { l = 2 * i; print (l > 0.050 ? l : 0.050) }')
awk -v p="$p99" -v l="$limit" 'BEGIN { exit !(p < l) }' ||
  fail "healthz p99 ${p99}s >= ${limit}s during the sign-ins (idle p99 ${idle99}s)"
ok
kill -TERM "$SERVER_PID"
rc=0; wait "$SERVER_PID" || rc=$?
SERVER_PID=
[ "$rc" = 0 ] || { tail -20 "$T/server.err" >&2; fail "server exit status $rc"; }
! grep -q Sanitizer "$T/server.err" || { cat "$T/server.err" >&2; fail "sanitizer report"; }
ok
pass
