#!/usr/bin/env bash
# Crash safety of the server's writes. Each round starts `custodian serve`, runs a client that
# takes requests in through the API, decides them, acts on them and fulfils data requests
# (one connection per call, as a clerk's browser would), and kills the server with SIGKILL at
# a random moment. A write is acknowledged when the client received its 2xx answer; after the
# kill the store is checked (lib.sh): every acknowledged write there, each write whole or
# absent, integrity_check and `audit verify` pass; then the next round restarts the server on
# the same store and the same session (sessions live in the store).
# CRASH_ROUNDS (default 20; `make stress` runs 200) and CRASH_SEED repeat a run.
set -euo pipefail
. "$(dirname "$0")/../integration/lib/common.sh"
. "$(dirname "$0")/lib.sh"
C=$CUSTODIAN
DB=$CUSTODIAN_DB
TOTP="node $CUST_SOURCE_DIR/tests/browser/totp.mjs"
command -v node >/dev/null || fail "node is needed (scripts/bootstrap installs it)"
command -v curl >/dev/null || fail "curl is needed (scripts/bootstrap installs it)"
unset CUSTODIAN_NOW CUSTODIAN_KEY_FILE

# --- a county in custody today, a supervisor (intake, decide, act, fulfil)
end=$(date -u -d '+30 days' +%F)
"$C" gen --seed 5 --bookings 1500 --end "$end" >"$T/county.jsonl"
"$C" import "$T/county.jsonl" 2>/dev/null
"$C" roster --as-of "$(date -u +%F)" --citizenship non_citizen --json |
  jq -r '.[].booking_number' >"$T/noncit"
[ "$(wc -l <"$T/noncit")" -ge 5 ] || fail "too few non-citizens in custody to take requests about"
echo "river otter lantern quietly 42" >"$T/pass"
"$C" user add sup --role supervisor --passphrase-file "$T/pass" >"$T/uri" 2>/dev/null
cat >"$T/serve.ini" <<INI
[server]
threads = 4
[ratelimit]
rate = 100000
burst = 100000
all_rate = 100000
all_burst = 100000
INI

SERVER_PID=
trap '[ -n "$SERVER_PID" ] && kill -KILL "$SERVER_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
start_server() {
  rm -f "$T/port"
  "$C" serve --listen 127.0.0.1:0 --config "$T/serve.ini" --port-file "$T/port" 2>"$T/server.err" &
  SERVER_PID=$!
  for _ in $(seq 1 400); do [ -s "$T/port" ] && break; sleep 0.025; done
  [ -s "$T/port" ] || { cat "$T/server.err" >&2; fail "server did not start"; }
  BASE="http://127.0.0.1:$(cat "$T/port")"
}

start_server
code=$($TOTP "$(cat "$T/uri")")
[ "$(curl -s -c "$T/jar" -o /dev/null -w '%{http_code}' --data-urlencode name=sup \
  --data-urlencode "passphrase=$(cat "$T/pass")" --data-urlencode "code=$code" "$BASE/login")" = 303 ] ||
  fail "login"
CSRF=$(curl -s -b "$T/jar" "$BASE/console" | grep -o 'name="csrf" value="[0-9a-f]*"' | head -1 |
  sed 's/.*value="//; s/"//')
[ -n "$CSRF" ] || fail "csrf token"

# post PATH [BODY-FILE]: the HTTP status on stdout (body in $T/c.body); fails when the
# connection did (the server is gone).
post() {
  local args=(-s --max-time 20 -o "$T/c.body" -w '%{http_code}' -b "$T/jar" -H "X-CSRF-Token: $CSRF"
    -H 'Content-Type: application/json' -X POST)
  if [ -n "${2:-}" ]; then args+=(--data-binary "@$2"); else args+=(--data '{}'); fi
  curl "${args[@]}" "$BASE$1"
}

detainer() { # ROUND K
  local bn
  bn=$(sed -n "$((RANDOM % $(wc -l <"$T/noncit") + 1))p" "$T/noncit")
  printf '{"kind":"detainer","form":"I-247A","requester":{"agency":"ICE"},"received_at":"%s",%s\n' \
    "$(date -u -d '-1 hour' +%FT%TZ)" \
    "\"subject\":{\"booking_number\":\"$bn\"},\"asks\":[\"hold\",\"notify\"],\"note\":\"crash-s$1-$2\"}"
}
doj_letter() { # ROUND K
  printf '{"kind":"information_request","form":"letter","requester":{"agency":"U.S. Department of Justice"},"received_at":"%s",%s\n' \
    "$(date -u -d '-1 hour' +%FT%TZ)" \
    "\"scope\":{\"population\":\"in_custody\",\"citizenship\":\"non_citizen\",\"as_of\":\"$(date -u +%F)\"},\"items\":[\"booking_facts\",\"charges\"],\"note\":\"crash-s$1-$2\"}"
}

# review ID: a decision with needs (decide.md) holds every action of the person for a
# supervisor's review; the supervisor clears it so that the chain goes on to act. Fails when the
# server is gone.
review() {
  local st pid
  st=$(curl -s --max-time 20 -o "$T/c.show" -w '%{http_code}' -b "$T/jar" "$BASE/api/v1/requests/$1") || return 1
  [ "$st" = 200 ] || { echo "show $1 $st" >>"$T/unexpected"; return 1; }
  for pid in $(jq -r '.links[] | select(.review) | .person_id' "$T/c.show"); do
    jq -n --argjson p "$pid" '{person_id: $p, reason: "crash test: reviewed"}' >"$T/rev.json"
    st=$(post "/api/v1/requests/$1/review" "$T/rev.json") || return 1
    [ "$st" = 200 ] || { echo "review $1 $st $(cat "$T/c.body")" >>"$T/unexpected"; return 1; }
  done
}

# client ROUND: chains of intake -> decide -> act (every fifth, a data request: intake -> fulfil) until a call
# fails because the server is gone; each 2xx is logged as "STEP ID" in $T/acked.ROUND, any other
# status in $T/unexpected.
client() {
  local r=$1 k=0 st id
  : >"$T/acked.$r"
  while :; do
    k=$((k + 1))
    if ((k % 5 == 2)); then doj_letter "$r" "$k"; else detainer "$r" "$k"; fi >"$T/c.json"
    st=$(post /api/v1/requests "$T/c.json") || return 0
    [ "$st" = 201 ] || { echo "add $st $(cat "$T/c.body")" >>"$T/unexpected"; return 0; }
    id=$(jq -r .id "$T/c.body")
    echo "add $id" >>"$T/acked.$r"
    if ((k % 5 == 2)); then
      st=$(post "/api/v1/requests/$id/fulfil?format=csv") || return 0
      [ "$st" = 200 ] || { echo "fulfil $id $st $(cat "$T/c.body")" >>"$T/unexpected"; return 0; }
      echo "fulfil $id $(($(wc -l <"$T/c.body") - 1))" >>"$T/acked.$r"
      continue
    fi
    st=$(post "/api/v1/requests/$id/decide") || return 0
    [ "$st" = 200 ] || { echo "decide $id $st $(cat "$T/c.body")" >>"$T/unexpected"; return 0; }
    echo "decide $id" >>"$T/acked.$r"
    review "$id" || return 0
    echo '{"action":"hold","decline":true,"reason":"Values Act: no civil detainer holds"}' >"$T/act.json"
    st=$(post "/api/v1/requests/$id/act" "$T/act.json") || return 0
    [ "$st" = 200 ] || { echo "act $id $st $(cat "$T/c.body")" >>"$T/unexpected"; return 0; }
    echo "act $id" >>"$T/acked.$r"
  done
}

# calibration: how long one chain takes
t0=$(now_ms)
client_once() { # one chain, as client does, to time it
  detainer 0 1 >"$T/c.json"
  [ "$(post /api/v1/requests "$T/c.json")" = 201 ] || fail "calibration: intake $(cat "$T/c.body")"
  id=$(jq -r .id "$T/c.body")
  ack_request "$id"
  [ "$(post "/api/v1/requests/$id/decide")" = 200 ] || fail "calibration: decide $(cat "$T/c.body")"
  review "$id" || fail "calibration: review $(cat "$T/unexpected" 2>/dev/null)"
  echo '{"action":"hold","decline":true,"reason":"Values Act"}' >"$T/act.json"
  [ "$(post "/api/v1/requests/$id/act" "$T/act.json")" = 200 ] || fail "calibration: act $(cat "$T/c.body")"
}
client_once
CHAIN=$(($(now_ms) - t0))
echo "calibration: one intake-decide-act chain ${CHAIN} ms"
SPAN=$((CHAIN * 2 > 1000 ? CHAIN * 2 : 1000))
kill -KILL "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null || true
SERVER_PID=
verify_store "$DB" "after calibration"

acked=0
declare -A BY=([add]=0 [decide]=0 [act]=0 [fulfil]=0)
for round in $(seq 1 "$ROUNDS"); do
  start_server
  client "$round" &
  CLIENT=$!
  # a random moment within about two chains (as calibrated on this machine, under its load now)
  ms=$(((RANDOM * 32768 + RANDOM) % SPAN))
  sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
  kill -KILL "$SERVER_PID"
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=
  wait "$CLIENT"
  [ ! -s "$T/unexpected" ] || { cat "$T/unexpected" "$T/server.err" >&2; fail "round $round: a call failed while the server ran"; }
  while read -r step id rows; do
    case $step in
    add) ack_request "$id" ;;
    decide) echo "SELECT 'acknowledged decision missing on $id' WHERE NOT EXISTS (SELECT 1 FROM decisions WHERE request_id = '$id');" >>"$CHECKS" ;;
    act) echo "SELECT 'acknowledged action missing on $id' WHERE NOT EXISTS (SELECT 1 FROM actions WHERE request_id = '$id');" >>"$CHECKS" ;;
    fulfil) echo "SELECT 'acknowledged fulfilment of $id' WHERE (SELECT status FROM requests WHERE id = '$id') != 'fulfilled' OR (SELECT count(*) FROM disclosures WHERE request_id = '$id') != $rows;" >>"$CHECKS" ;;
    esac
    acked=$((acked + 1))
    BY[$step]=$((BY[$step] + 1))
  done <"$T/acked.$round"
  verify_store "$DB" "round $round ($(wc -l <"$T/acked.$round") calls acknowledged before the kill)"
done
echo "rounds: $ROUNDS, calls acknowledged before a kill: $acked (intake ${BY[add]}," \
  "decide ${BY[decide]}, act ${BY[act]}, fulfil ${BY[fulfil]})"
[ "$acked" -gt 0 ] || fail "no call was acknowledged: nothing was checked"
# the server starts again on the store and the session still works
start_server
[ "$(curl -s -o /dev/null -w '%{http_code}' -b "$T/jar" "$BASE/api/v1/requests")" = 200 ] ||
  fail "the session after the crashes"
ok
pass
