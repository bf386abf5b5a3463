#!/usr/bin/env bash
# The server signs checkpoints on its own (at start, every N entries, at shutdown), keeps them
# in the store and a folder, and serves the latest at GET /api/v1/checkpoint, where an outside
# party fetches it (no login) and later proves the store still extends it. A store rewound
# behind its last checkpoint is never signed again.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
C="$CUSTODIAN"
REF="python3 $(dirname "$0")/lib/tlog_ref.py"
command -v curl >/dev/null || fail "curl is needed"
"$C" import "$CUST_SOURCE_DIR/tests/data/records/good.jsonl" 2>/dev/null
mkdir "$T/keys" "$T/cps"
"$C" audit key generate --name county.example/ledger --out "$T/keys/l" >/dev/null 2>&1
expect_exit 2 "$C" serve --checkpoint-every 3
expect_exit 2 "$C" serve --checkpoint-key "$T/keys/l.key" --checkpoint-every 0

SERVER_PID=
cleanup_server() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; wait 2>/dev/null || true; }
trap 'cleanup_server; rm -rf "$T"' EXIT
start() {
  rm -f "$T/port"
  "$C" serve --listen 127.0.0.1:0 --port-file "$T/port" --checkpoint-key "$T/keys/l.key" \
    --checkpoint-every 3 --checkpoint-dir "$T/cps" 2>"$T/server.err" &
  SERVER_PID=$!
  for _ in $(seq 1 400); do [ -s "$T/port" ] && break; sleep 0.05; done
  [ -s "$T/port" ] || { cat "$T/server.err" >&2; fail "server did not start"; }
  BASE="http://127.0.0.1:$(cat "$T/port")"
}
stop() { kill -TERM "$SERVER_PID"; wait "$SERVER_PID" || true; SERVER_PID=; }

# at start: the ledger so far is signed
start
curl -s -o "$T/cp1" -w '%{http_code}' "$BASE/api/v1/checkpoint" >"$T/code"
[ "$(cat "$T/code")" = 200 ] || { cat "$T/cp1" >&2; fail "GET /api/v1/checkpoint"; }
[ "$(sed -n 1p "$T/cp1")" = county.example/ledger ] && [ "$(sed -n 2p "$T/cp1")" = 1 ] || fail "first checkpoint"
$REF check-checkpoint "$CUSTODIAN_DB" "$T/cp1" "$T/keys/l.pub" >/dev/null || fail "reference: served checkpoint"
cmp -s "$T/cp1" "$T/cps/checkpoint-1.txt" || fail "checkpoint file"
ok
# three more entries (exports through the CLI, beside the server): a new one within seconds
for i in 1 2 3; do "$C" export >/dev/null; done
for _ in $(seq 1 60); do
  curl -s "$BASE/api/v1/checkpoint" >"$T/cp4"
  [ "$(sed -n 2p "$T/cp4")" = 4 ] && break
  sleep 0.5
done
[ "$(sed -n 2p "$T/cp4")" = 4 ] || fail "no checkpoint after 3 entries"
"$C" audit verify --checkpoint "$T/cp4" --pubkey "$T/keys/l.pub" >/dev/null || fail "verify served checkpoint"
"$C" audit verify --checkpoint "$T/cp1" --pubkey "$T/keys/l.pub" >/dev/null || fail "old one still holds"
ok
# fetching it is not written to the ledger (it would grow the log it certifies)
n=$(sqlite3 "$CUSTODIAN_DB" "SELECT count(*) FROM ledger")
for i in 1 2 3; do curl -s "$BASE/api/v1/checkpoint" >/dev/null; done
[ "$(sqlite3 "$CUSTODIAN_DB" "SELECT count(*) FROM ledger")" = "$n" ] || fail "fetches logged"
# at shutdown: what came since
"$C" export >/dev/null
stop
[ -s "$T/cps/checkpoint-5.txt" ] || { ls "$T/cps" >&2; fail "checkpoint at shutdown"; }
grep 'checkpoint of 5 entries signed by county.example/ledger' "$T/server.err" >/dev/null || fail "said"
ok

# an insider rewinds the store (the tail cut, the head rewound): never signed again
sqlite3 "$CUSTODIAN_DB" "DROP TRIGGER ledger_no_delete; DELETE FROM ledger WHERE seq > 3;
  UPDATE ledger_head SET seq = 3, hash = (SELECT hash FROM ledger WHERE seq = 3)"
for i in 1 2 3 4; do "$C" export >/dev/null; done # back to 7 entries, another history
start
sleep 1
grep 'checkpoint: not signing: the ledger has\|checkpoint: not signing: the first 5 entries' \
  "$T/server.err" >/dev/null || { cat "$T/server.err" >&2; fail "signed a rewound store"; }
curl -s "$BASE/api/v1/checkpoint" >"$T/cpx"
cmp -s "$T/cpx" "$T/cps/checkpoint-5.txt" || fail "the last good checkpoint is still served"
stop
[ ! -e "$T/cps/checkpoint-7.txt" ] || fail "a checkpoint of the rewritten store"
expect_exit 1 "$C" audit verify --checkpoint "$T/cp4" --pubkey "$T/keys/l.pub"
grep '^checkpoint broken:' "$T/err" >/dev/null || fail "the outside copy catches the rewind"
ok
pass
