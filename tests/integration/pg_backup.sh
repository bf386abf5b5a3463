#!/usr/bin/env bash
# Backup and restore of a PostgreSQL store (docs/internals/backup.md, docs/operations.md): the
# restore drill on PostgreSQL. `custodian backup` writes a pg_dump of the store with the
# manifest (checked first in a scratch database, which is dropped again); after more bookings
# are written, `restore` refuses a target that exists without --replace and a target a server
# has open, refuses a dump changed by one byte, then puts the backup in place: the old database
# is kept aside (never dropped), the restored store verifies, holds the backup's ledger plus
# the restore's entry, and answers the roster as the store did when it was backed up.
# Needs the `pg` fixture (tests/pg/tests.cmake): CUSTODIAN_TEST_PG; skipped (77) without it.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
[ -n "${CUSTODIAN_TEST_PG:-}" ] || { echo "SKIP: CUSTODIAN_TEST_PG is not set (the pg fixture)"; exit 77; }

C=$CUSTODIAN
export CUSTODIAN_NOW=2026-10-31T12:00:00Z
DB=cust_bak_$$
Q=${CUSTODIAN_TEST_PG#*\?}
PG="postgresql:///$DB?$Q"
export CUSTODIAN_KEY_FILE="$T/pg.key"
SERVERS=()
dbs() { psql -At "$CUSTODIAN_TEST_PG" -c "SELECT datname FROM pg_database WHERE datname LIKE '${DB}%' ORDER BY 1"; }
cleanup() {
  for p in "${SERVERS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  for d in $(dbs 2>/dev/null); do psql -q "$CUSTODIAN_TEST_PG" -c "DROP DATABASE IF EXISTS \"$d\"" 2>/dev/null || true; done
  rm -rf "$T"
}
trap cleanup EXIT
psql -q "$CUSTODIAN_TEST_PG" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" 2>/dev/null ||
  fail "create database $DB"

"$C" gen --bookings 150 >"$T/c1.jsonl"
"$C" gen --bookings 150 --end 2026-11-30 >"$T/c2.jsonl"
"$C" --db "$PG" import --no-progress "$T/c1.jsonl" >"$T/out" 2>&1 || { cat "$T/out" >&2; fail "import"; }
"$C" --db "$PG" roster --json >"$T/roster.before"

# the backup: a pg_dump and the manifest; the scratch database of its check is gone
expect_exit 0 "$C" --db "$PG" backup --out "$T/bak"
[ -s "$T/bak/custodian.pgdump" ] || fail "no dump: $(ls -la "$T/bak")"
jq -e '.store.backend == "postgresql" and .store.format == "pg_dump"
       and .files[0].name == "custodian.pgdump"' "$T/bak/manifest.json" >/dev/null ||
  fail "manifest: $(jq -c .store "$T/bak/manifest.json")"
[ "$(dbs)" = "$DB" ] || fail "databases left by the backup's check: $(dbs)"
ok
"$C" --db "$PG" audit verify >"$T/verify" 2>&1 || fail "audit verify: $(cat "$T/verify")"
grep 'action backup\|backup' "$T/verify" >/dev/null || true

# the store moves on
export CUSTODIAN_NOW=2026-12-01T12:00:00Z
"$C" --db "$PG" import --no-progress "$T/c2.jsonl" >"$T/out" 2>&1 || fail "second import"
"$C" --db "$PG" roster --json >"$T/roster.after"
cmp -s "$T/roster.before" "$T/roster.after" && fail "the second import changed nothing"
ok

# refused: the target exists (no --replace); a server has it open; a changed byte
expect_exit 1 "$C" --db "$PG" restore "$T/bak"
grep "a store is at" "$T/err" >/dev/null || fail "restore without --replace: $(cat "$T/err")"
printf '[server]\nthreads = 1\n' >"$T/serve.ini"
"$C" --db "$PG" serve --listen 127.0.0.1:0 --config "$T/serve.ini" --port-file "$T/port" 2>>"$T/server.err" &
SERVERS+=($!)
for _ in $(seq 1 200); do [ -s "$T/port" ] && break; sleep 0.05; done
[ -s "$T/port" ] || { cat "$T/server.err" >&2; fail "server did not start"; }
expect_exit 1 "$C" --db "$PG" restore "$T/bak" --replace
grep "is open" "$T/err" >/dev/null || fail "restore while served: $(cat "$T/err")"
kill "${SERVERS[0]}"; wait "${SERVERS[0]}" 2>/dev/null || true; SERVERS=()
[ "$(dbs)" = "$DB" ] || fail "databases left by a refused restore: $(dbs)"
cp -r "$T/bak" "$T/bad"
printf 'X' | dd of="$T/bad/custodian.pgdump" bs=1 seek=100 conv=notrunc 2>/dev/null
expect_exit 1 "$C" --db "$PG" restore "$T/bad" --replace
grep "custodian.pgdump" "$T/err" >/dev/null || fail "changed dump: $(cat "$T/err")"
"$C" --db "$PG" roster --json >"$T/roster.now"
cmp "$T/roster.after" "$T/roster.now" >/dev/null || fail "a refused restore changed the store"
ok

# the restore: the backup in place, the old database kept aside
expect_exit 0 "$C" --db "$PG" restore "$T/bak" --replace
[ "$(dbs | wc -l)" = 2 ] || fail "databases after the restore: $(dbs)"
KEPT=$(dbs | grep "^${DB}_replaced_") || fail "the replaced store was not kept: $(dbs)"
"$C" --db "$PG" roster --json >"$T/roster.restored"
cmp "$T/roster.before" "$T/roster.restored" >/dev/null || fail "restored roster differs"
"$C" --db "postgresql:///$KEPT?$Q" roster --json >"$T/roster.kept"
cmp "$T/roster.after" "$T/roster.kept" >/dev/null || fail "the kept store is not the replaced one"
"$C" --db "$PG" audit verify >"$T/verify2" 2>&1 || fail "audit verify after restore: $(cat "$T/verify2")"
psql -At "$PG" -c "SELECT action FROM ledger ORDER BY seq DESC LIMIT 1" >"$T/last"
[ "$(cat "$T/last")" = restore ] || fail "last entry: $(cat "$T/last")"
ok
pass
