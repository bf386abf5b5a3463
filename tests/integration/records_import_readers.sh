#!/usr/bin/env bash
# Issue 12 ("readers never block"): while an import holds its transaction open, the staff API
# (with a session) and the read commands keep answering: no 500, no "database is locked", each
# answer within a bounded time, and they see the store as it was before the import (its rows are
# not committed yet). The import reads its input from a pipe this test feeds in two halves, so it
# is provably mid-way (its transaction begun, its first half written, the write lock held) for as
# long as the readers run, however fast or slow the machine. A store that blocked readers during
# an import (a write lock taken on open, an exclusive or rollback-journal bulk mode, audited reads
# that wait for the import's lock) fails here.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"

C=$CUSTODIAN
TOTP="node $CUST_SOURCE_DIR/tests/browser/totp.mjs"
command -v node >/dev/null || fail "node is needed (scripts/bootstrap installs it)"
"$C" init >/dev/null
"$C" import "$CUST_SOURCE_DIR/tests/data/records/good.jsonl" >/dev/null 2>&1
DOJ=$("$C" request add "$CUST_SOURCE_DIR/tests/data/requests/doj-letter.json")
before=$("$C" roster --json | jq length)
echo "river otter lantern quietly 42" >"$T/pass"
"$C" user add u_sup --role supervisor --passphrase-file "$T/pass" >"$T/uri" 2>/dev/null ||
  fail "user add"

# the big file: generated bookings (booking numbers of their own), fed in two halves
"$C" gen --seed 7 --bookings 2000 >"$T/big.jsonl"
n=$(wc -l <"$T/big.jsonl")
head -n $((n / 2)) "$T/big.jsonl" >"$T/half1"
tail -n +$((n / 2 + 1)) "$T/big.jsonl" >"$T/half2"

cat >"$T/serve.ini" <<INI
[server]
threads = 2
INI
SERVER_PID= IMPORT_PID= FEED_PID=
cleanup() {
  for p in $FEED_PID $IMPORT_PID $SERVER_PID; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "${KEEP_SERVER_ERR:-}" ] && cp "$T/server.err" "$KEEP_SERVER_ERR"
  rm -rf "$T"
}
trap cleanup EXIT
"$C" serve --listen 127.0.0.1:0 --config "$T/serve.ini" --port-file "$T/port" 2>"$T/server.err" &
SERVER_PID=$!
for _ in $(seq 1 200); do [ -s "$T/port" ] && break; sleep 0.05; done
[ -s "$T/port" ] || { cat "$T/server.err" >&2; fail "server did not start"; }
BASE="http://127.0.0.1:$(cat "$T/port")"
code=$($TOTP "$(cat "$T/uri")" "$(date +%s)")
[ "$(curl -s -c "$T/jar" -o /dev/null -w '%{http_code}' --data-urlencode name=u_sup \
  --data-urlencode "passphrase=$(cat "$T/pass")" --data-urlencode "code=$code" "$BASE/login")" = 303 ] ||
  fail "login"
ok

# --- the import: its first half written, then it waits on the pipe with its transaction open
mkfifo "$T/feed"
"$C" --as importer import - --no-progress <"$T/feed" >"$T/import.out" 2>"$T/import.err" &
IMPORT_PID=$!
exec 7>"$T/feed" # held open: the import sees no end of input until the test closes it
cat "$T/half1" >&7 # returns once the import has read all but a pipe buffer of it
# (a bulk load's rows stay in its page cache until the commit: the WAL need not grow yet)
sqlite3 "$CUSTODIAN_DB" "BEGIN IMMEDIATE; ROLLBACK" 2>/dev/null &&
  fail "the import does not hold the write lock (the test would prove nothing)"
kill -0 "$IMPORT_PID" 2>/dev/null || { cat "$T/import.err" >&2; fail "the import ended early"; }
ok

# --- readers, while it holds it: each answers, fast, and sees the store before the import
slow=0
timed() { # NAME CMD... -> runs CMD, fails on a non-zero exit, counts answers over 3 s
  local t0 t1; t0=$(date +%s%N)
  "${@:2}" >"$T/r.out" 2>"$T/r.err" || { cat "$T/r.err" >&2; fail "$1 failed during the import"; }
  t1=$(date +%s%N)
  [ $(((t1 - t0) / 1000000)) -lt 3000 ] || { slow=$((slow + 1)); echo "slow: $1 $(((t1 - t0) / 1000000)) ms" >&2; }
  ! grep -i "locked\|busy" "$T/r.out" "$T/r.err" >/dev/null || fail "$1: $(cat "$T/r.err" "$T/r.out")"
}
api() { # PATH -> requires 200
  local c; c=$(curl -s -m 10 -o "$T/b" -w '%{http_code}' -b "$T/jar" "$BASE$1")
  [ "$c" = 200 ] || { cat "$T/b" >&2; echo "GET $1: $c" >&2; return 1; }
}
for round in 1 2 3; do
  timed "GET roster" api /api/v1/roster
  [ "$(jq length "$T/b")" -eq "$before" ] || fail "the API roster sees uncommitted rows"
  timed "GET person" api /api/v1/persons/P1001
  jq -e '.ids.cii == "A12345678"' "$T/b" >/dev/null || fail "person"
  timed "GET request" api "/api/v1/requests/$DOJ"
  timed "GET requests" api /api/v1/requests
  timed "request show" "$C" request show "$DOJ"
  grep "$DOJ" "$T/r.out" >/dev/null || fail "request show: $(cat "$T/r.out")"
  timed "roster" "$C" roster --json
  [ "$(jq length "$T/r.out")" -eq "$before" ] || fail "roster sees uncommitted rows"
  timed "show" "$C" show P1001
  ok
done
[ "$slow" -le 1 ] || fail "$slow reads took over 3 s during the import"
kill -0 "$IMPORT_PID" 2>/dev/null || fail "the import ended before the readers did (it proved nothing)"
ok

# --- the rest of the input; the import commits everything, and the readers then see it
cat "$T/half2" >&7
exec 7>&-
wait "$IMPORT_PID" || { cat "$T/import.err" >&2; fail "the import failed"; }
IMPORT_PID=
grep "imported $n bookings" "$T/import.out" "$T/import.err" >/dev/null ||
  fail "import: $(cat "$T/import.out" "$T/import.err")"
last=$(tail -n 1 "$T/big.jsonl" | jq -r .booking_number)
[ "$(curl -s -o "$T/b" -w '%{http_code}' -b "$T/jar" "$BASE/api/v1/bookings/$last")" = 200 ] ||
  fail "the imported bookings are not seen after the commit"
ok
# every read during the import is in the ledger, after the import's own entry, marked as spooled
# with the time it happened (the server's timer appends the spool within a second or two)
for _ in $(seq 1 100); do
  "$C" audit log --json >"$T/log.json"
  [ "$(jq '[.[] | select(.detail.spooled? != null)] | length' "$T/log.json")" -ge 12 ] && break
  sleep 0.2
done
jq -e '[.[] | select(.detail.spooled? != null)] | length >= 12' "$T/log.json" >/dev/null ||
  fail "the reads during the import are not all in the ledger"
jq -e '(map(select(.action == "import")) | last | .seq) <
  (map(select(.detail.spooled? != null)) | first | .seq)' "$T/log.json" >/dev/null ||
  fail "spooled entries before the import's entry"
[ ! -s "$CUSTODIAN_DB.audit-spool" ] || fail "the spool was not emptied"
! grep -i "locked\|internal error" "$T/server.err" >/dev/null || fail "server: $(cat "$T/server.err")"
"$C" audit verify >"$T/out" || { cat "$T/out" >&2; fail "audit verify"; }
ok
pass
