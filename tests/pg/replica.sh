#!/usr/bin/env bash
# The public locator served from a streaming replica (issue 15 item 2; docs/operations.md "A
# state on PostgreSQL"): a throwaway primary and a hot standby made from it with pg_basebackup -R
# (tests/pg/pg_server.sh, Unix sockets only); a county imported on the primary and its public
# role granted there (`publish --role`) reach the standby; `serve --public-only` on the standby's
# URL, as that role, finds a booking written on the primary after it started (a bounded poll
# for the replay), which shows the public open takes no write, migration or lock a hot standby
# refuses; the standby's ledger verifies (audit verify, read-only) and the standby refuses writes.
set -euo pipefail
. "$(dirname "$0")/../integration/lib/common.sh"
C=$CUSTODIAN
PGS="bash $(dirname "$0")/pg_server.sh"
export CUSTODIAN_NOW=2026-10-31T12:00:00Z
# the sockets' folders: short paths (a socket's path is at most 107 bytes)
SOCKS=$(mktemp -d /tmp/cust-replica.XXXXXX)
SERVERS=()
cleanup() {
  for p in "${SERVERS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  $PGS stop "$T/standby" "$SOCKS/s" >/dev/null 2>&1 || true
  $PGS stop "$T/primary" "$SOCKS/p" >/dev/null 2>&1 || true
  rm -rf "$T" "$SOCKS"
}
trap cleanup EXIT

set +e
$PGS start "$T/primary" "$SOCKS/p" >"$T/pg.out" 2>&1
rc=$?
set -e
[ $rc -eq 77 ] && { cat "$T/pg.out"; exit 77; }
[ $rc -eq 0 ] || { cat "$T/pg.out" >&2; fail "primary did not start"; }
ADMIN="postgresql:///postgres?host=$SOCKS/p&user=custodian"
psql -q "$ADMIN" -c "CREATE DATABASE county" || fail "create database"
PRIMARY="postgresql:///county?host=$SOCKS/p&user=custodian"
"$C" gen --bookings 120 >"$T/county.jsonl"
"$C" --db "$PRIMARY" import --no-progress "$T/county.jsonl" >"$T/out" 2>&1 || { cat "$T/out" >&2; fail "import"; }
expect_exit 0 "$C" --db "$PRIMARY" publish --role locator

# the standby: a copy of the primary that follows its WAL, read-only
$PGS standby "$T/standby" "$SOCKS/s" "$SOCKS/p" >"$T/pg.out" 2>&1 || { cat "$T/pg.out" >&2; fail "standby"; }
STANDBY="postgresql:///county?host=$SOCKS/s&user=custodian"
PUBLIC="postgresql:///county?host=$SOCKS/s&user=locator"
[ "$(psql -At "$STANDBY" -c 'SELECT pg_is_in_recovery()')" = t ] || fail "the standby is not in recovery"
ok
if psql -q "$STANDBY" -c "CREATE TABLE x(i int)" >"$T/psql" 2>&1; then fail "the standby took a write"; fi
grep "read-only transaction" "$T/psql" >/dev/null || fail "standby write: $(cat "$T/psql")"
ok

# the public server on the standby, as the public role
printf '[server]\nthreads = 2\n[locator]\ncache_ttl = 0\n' >"$T/serve.ini"
"$C" --db "$PUBLIC" serve --public-only --listen 127.0.0.1:0 --config "$T/serve.ini" \
  --port-file "$T/port" 2>>"$T/server.err" &
SERVERS+=($!)
for _ in $(seq 1 200); do [ -s "$T/port" ] && break; sleep 0.05; done
[ -s "$T/port" ] || { cat "$T/server.err" >&2; fail "the public server on the standby did not start"; }
URL="http://127.0.0.1:$(cat "$T/port")/api/v1/public/inmates"
"$C" --db "$PRIMARY" roster --json >"$T/roster.json"
BN=$(jq -r '.[0].booking_number' "$T/roster.json")
curl -s -G -o "$T/loc" --data-urlencode "booking_number=$BN" "$URL"
[ "$(jq .count "$T/loc")" = 1 ] || fail "a booking of the first import on the standby: $(cat "$T/loc")"
ok

# a booking written on the primary now reaches the standby's locator (bounded poll: 30 s)
head -1 "$T/county.jsonl" | jq -c '.booking_number = "R-2026-1" | .person.person_id = "PREPLICA1"
  | .person.last_name = "REPLICAWATCH" | .person.ids = {"cii": null, "fbi": null, "sid": null, "a_number": null} | .booked_at = "2026-10-30T08:00:00-07:00"
  | .released_at = null' >"$T/new.jsonl"
"$C" --db "$PRIMARY" import --no-progress "$T/new.jsonl" >"$T/out" 2>&1 || { cat "$T/out" >&2; fail "import on the primary"; }
found=
for _ in $(seq 1 300); do
  curl -s -G -o "$T/loc" --data-urlencode "last_name=REPLICAWATCH" "$URL"
  if [ "$(jq .count "$T/loc")" = 1 ]; then found=1; break; fi
  sleep 0.1
done
[ -n "$found" ] || fail "the booking written on the primary never reached the standby's locator: $(cat "$T/loc")"
[ "$(jq -r '.results[0].booking_number' "$T/loc")" = R-2026-1 ] || fail "found: $(cat "$T/loc")"
ok

# the ledger came with it: audit verify on the standby (read-only) gives the primary's tree head
expect_exit 0 "$C" --db "$PRIMARY" audit verify
grep '^tree head' "$T/out" >"$T/head.p"
for _ in $(seq 1 100); do
  "$C" --db "$STANDBY" audit verify >"$T/out" 2>&1 || fail "audit verify on the standby: $(cat "$T/out")"
  grep '^tree head' "$T/out" >"$T/head.s" || true
  cmp -s "$T/head.p" "$T/head.s" && break
  sleep 0.1
done
cmp "$T/head.p" "$T/head.s" >/dev/null || fail "tree heads: $(cat "$T/head.p") / $(cat "$T/head.s")"
ok
# and a write through the standby is refused, changing nothing
expect_exit 2 "$C" --db "$STANDBY" import --no-progress "$T/new.jsonl"
grep "is a read-only standby (a streaming replica): write on the primary" "$T/err" >/dev/null ||
  fail "import on the standby: $(cat "$T/err")"
expect_exit 2 "$C" --db "$STANDBY" serve --listen 127.0.0.1:0
grep "is a read-only standby" "$T/err" >/dev/null || fail "staff server on the standby: $(cat "$T/err")"
pass
