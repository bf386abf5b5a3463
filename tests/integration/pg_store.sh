#!/usr/bin/env bash
# The store on PostgreSQL (docs/internals/store-postgresql.md), driven through the CLI and the
# server: the same generated county imported into a SQLite store and a PostgreSQL store (then a
# later snapshot of it, which gives most bookings a new version and renames persons) gives the
# same ledger on both, entry for entry (`audit verify`'s tree head: every entry's hash, so every
# row hash, is the same), and the same roster, show, history, export and locator answers; audit
# verify passes on PostgreSQL; the published public view (publish --out) is the same file's rows
# from either.
# Needs the `pg` fixture (tests/pg/tests.cmake): CUSTODIAN_TEST_PG; skipped (77) without it.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
[ -n "${CUSTODIAN_TEST_PG:-}" ] || { echo "SKIP: CUSTODIAN_TEST_PG is not set (the pg fixture)"; exit 77; }

C=$CUSTODIAN
export CUSTODIAN_NOW=2026-10-31T12:00:00Z
DB=cust_it_$$
psql -q "$CUSTODIAN_TEST_PG" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" 2>/dev/null ||
  fail "create database $DB"
PG="postgresql:///$DB?${CUSTODIAN_TEST_PG#*\?}"
SQ=$T/county.db
DB2=cust_it2_$$ # the county moved from SQLite (docs/operations.md "Moving a county")
PG2="postgresql:///$DB2?${CUSTODIAN_TEST_PG#*\?}"
SERVERS=()
cleanup() {
  for p in "${SERVERS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  psql -q "$CUSTODIAN_TEST_PG" -c "DROP DATABASE IF EXISTS $DB" -c "DROP DATABASE IF EXISTS $DB2" \
    2>/dev/null || true
  rm -rf "$T"
}
trap cleanup EXIT

"$C" gen --bookings 400 >"$T/c1.jsonl"
"$C" gen --bookings 400 --end 2026-11-30 >"$T/c2.jsonl"
for db in "$SQ" "$PG"; do
  "$C" --db "$db" import --no-progress "$T/c1.jsonl" >"$T/out" 2>&1 || { cat "$T/out" >&2; fail "import into $db"; }
done
ok
grep '^imported 4[0-9][0-9] bookings' "$T/out" >/dev/null || fail "PostgreSQL import: $(cat "$T/out")"
ok

# a COPY load into an empty store leaves the loaded tables vacuumed and analysed: a scope's
# index-only scans find the visibility map set, the planner has statistics (without them, the DOJ
# letter on a county just loaded read the heap: 7.3 s instead of 4.4 s)
for t in persons bookings booking_versions charges public_custody; do
  [ "$(psql -tA "$PG" -c "SELECT last_vacuum IS NOT NULL AND last_analyze IS NOT NULL
        FROM pg_stat_user_tables WHERE relname = '$t'")" = t ] || fail "$t not vacuumed after the load"
done
ok

# `migrate` of a store one migration behind says what it did and nothing else: no server NOTICE
# on stderr (it printed "NOTICE: relation "schema_migrations" already exists, skipping")
# (back to 16: a scope's indexes without the row ids of migration 17, documents' trigger as
# migration 2 made it)
psql -q "$PG" -c "DROP INDEX persons_citizenship" -c "DROP INDEX bookings_custody" \
  -c "CREATE INDEX bookings_custody ON bookings(released_day, booked_day, person_id)" \
  -c "CREATE INDEX persons_citizenship ON persons(citizenship_status)" \
  -c "DROP TRIGGER documents_no_update ON documents" \
  -c "CREATE TRIGGER documents_no_update BEFORE UPDATE ON documents FOR EACH ROW
      EXECUTE FUNCTION cust_append_only('documents are never overwritten')" \
  -c "DELETE FROM schema_migrations WHERE version >= 17"
"$C" --db "$PG" migrate >"$T/out" 2>"$T/err" || fail "migrate: $(cat "$T/err")"
[ ! -s "$T/err" ] || fail "migrate wrote to stderr: $(cat "$T/err")"
grep 'migrated to schema 18' "$T/out" >/dev/null || fail "migrate: $(cat "$T/out")"
# the scope's indexes carry the row ids: the scope is found from them alone
psql -tA "$PG" -c "SELECT indexdef FROM pg_indexes WHERE indexname IN
    ('bookings_custody', 'persons_citizenship') ORDER BY 1" >"$T/idx"
grep -F 'bookings USING btree (released_day, booked_day, person_id, id)' "$T/idx" >/dev/null &&
  grep -F 'persons USING btree (citizenship_status, id)' "$T/idx" >/dev/null ||
  fail "migration 17's indexes: $(cat "$T/idx")"
ok
# migration 18's trigger lets a named document's content in, and nothing else
psql -tA "$PG" -c "SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgname = 'documents_no_update'" |
  grep -F 'WHEN ((NOT ((old.content IS NULL)' >/dev/null || fail "migration 18's trigger"
ok
export CUSTODIAN_NOW=2026-12-01T12:00:00Z
for db in "$SQ" "$PG"; do
  "$C" --db "$db" import --no-progress "$T/c2.jsonl" >"$T/out" 2>&1 || { cat "$T/out" >&2; fail "second import into $db"; }
done
grep 'updated (new version)' "$T/out" >/dev/null || fail "the second import updated nothing: $(cat "$T/out")"
ok

# the same ledger: every entry, row journal and row hashes alike
expect_exit 0 "$C" --db "$SQ" audit verify
cp "$T/out" "$T/verify.sqlite"
expect_exit 0 "$C" --db "$PG" audit verify
cp "$T/out" "$T/verify.pg"
grep '^rows ok: ' "$T/verify.pg" >/dev/null || fail "PostgreSQL rows: $(cat "$T/verify.pg")"
grep '^tree head: size [0-9]*, root ' "$T/verify.pg" >/dev/null || fail "PostgreSQL tree head: $(cat "$T/verify.pg")"
cmp "$T/verify.sqlite" "$T/verify.pg" >/dev/null ||
  fail "audit verify differs: $(diff "$T/verify.sqlite" "$T/verify.pg")"
ok

# the same answers
same() { # WHAT ARGS...: the command's output on both stores is the same, and not empty
  local what=$1; shift
  "$C" --db "$SQ" "$@" >"$T/a" 2>&1 || fail "$what on SQLite: $(cat "$T/a")"
  "$C" --db "$PG" "$@" >"$T/b" 2>&1 || fail "$what on PostgreSQL: $(cat "$T/b")"
  [ -s "$T/a" ] || fail "$what: empty"
  cmp "$T/a" "$T/b" >/dev/null || fail "$what differs: $(diff "$T/a" "$T/b" | head -20)"
  ok
}
same "roster" roster
same "roster on a day" roster --as-of 2026-06-01
same "roster of non-citizens by name" roster --all --citizenship non_citizen --last-name gar
same "roster --json" roster --json
cp "$T/a" "$T/roster.json"
BN=$(jq -r '.[0].booking_number' "$T/roster.json")
PK=$(jq -r '.[0].person_id' "$T/roster.json")
same "show booking" show "$BN"
same "show person" show "$PK"
same "history" history "$BN"
same "export" export
[ "$(wc -l <"$T/b")" -ge 400 ] || fail "export: $(wc -l <"$T/b") lines"
ok

# the public locator through the server, on each store
printf '[server]\nthreads = 2\n[locator]\ncache_ttl = 0\n' >"$T/serve.ini"
serve() { # DB PORTFILE
  "$C" --db "$1" serve --listen 127.0.0.1:0 --config "$T/serve.ini" --port-file "$2" 2>>"$T/server.err" &
  SERVERS+=($!)
  for _ in $(seq 1 200); do [ -s "$2" ] && break; sleep 0.05; done
  [ -s "$2" ] || { cat "$T/server.err" >&2; fail "server on $1 did not start"; }
}
serve "$SQ" "$T/port.sq"
serve "$PG" "$T/port.pg"
LAST=$(jq -r '.[0].last_name' "$T/roster.json")
for q in "last_name=$LAST" "booking_number=$BN" "last_name=${LAST:0:3}"; do
  for s in sq pg; do
    code=$(curl -s -G -o "$T/loc.$s" -w '%{http_code}' --data-urlencode "$q" \
      "http://127.0.0.1:$(cat "$T/port.$s")/api/v1/public/inmates")
    [ "$code" = 200 ] || fail "locator $q on $s: $code $(cat "$T/loc.$s")"
  done
  cmp "$T/loc.sq" "$T/loc.pg" >/dev/null || fail "locator $q differs: $(diff "$T/loc.sq" "$T/loc.pg")"
  [ "$(jq '.count' "$T/loc.pg")" -ge 1 ] || fail "locator $q found nothing: $(cat "$T/loc.pg")"
  ok
done

# the request desk's store: an empty list, as on SQLite
same "request list" request list
# the published public view (publish --out): the same rows, the same values of the same types,
# from either store; the public server reads the one published from PostgreSQL
cols="booking_number last_name first_name middle_name booked_at facility arresting_agency charges"
cols="$cols scheduled_release dob unreleased released_day booked_ts last_key first_key"
sel="SELECT $(printf "quote(%s)||'|'||" $cols)'' FROM public_bookings ORDER BY booking_number"
for s in sq pg; do
  db=$SQ; [ $s = pg ] && db=$PG
  expect_exit 0 "$C" --db "$db" publish --out "$T/public.$s.db" --json
  [ "$(jq .rows "$T/out")" -ge 1 ] || fail "publish from $s: $(cat "$T/out")"
  sqlite3 "$T/public.$s.db" "$sel" >"$T/pub.$s"
  sqlite3 "$T/public.$s.db" "SELECT rows, source_schema FROM published" >>"$T/pub.$s"
done
cmp "$T/pub.sq" "$T/pub.pg" >/dev/null || fail "published views differ: $(diff "$T/pub.sq" "$T/pub.pg" | head)"
ok
"$C" serve --public-only --store "$T/public.pg.db" --listen 127.0.0.1:0 --config "$T/serve.ini"   --port-file "$T/port.pub" 2>>"$T/server.err" &
SERVERS+=($!)
for _ in $(seq 1 200); do [ -s "$T/port.pub" ] && break; sleep 0.05; done
for s in pub pg; do
  curl -s -G -o "$T/loc.$s" --data-urlencode "last_name=$LAST"     "http://127.0.0.1:$(cat "$T/port.$s")/api/v1/public/inmates"
done
cmp "$T/loc.pub" "$T/loc.pg" >/dev/null || fail "public server on the PostgreSQL publish: $(diff "$T/loc.pub" "$T/loc.pg")"
ok

# moving a county from SQLite: export | import (docs/operations.md): the current versions, the
# same bytes out again, the same roster; the new store's history begins with the move
psql -q "$CUSTODIAN_TEST_PG" -c "DROP DATABASE IF EXISTS $DB2" -c "CREATE DATABASE $DB2" 2>/dev/null ||
  fail "create database $DB2"
"$C" --db "$SQ" export | "$C" --db "$PG2" import --no-progress - >"$T/out" 2>&1 ||
  fail "export | import: $(cat "$T/out")"
same2() { # WHAT ARGS...: the same output from the SQLite store and the moved one
  local what=$1; shift
  "$C" --db "$SQ" "$@" >"$T/a" 2>&1 || fail "$what on SQLite: $(cat "$T/a")"
  "$C" --db "$PG2" "$@" >"$T/b" 2>&1 || fail "$what on the moved store: $(cat "$T/b")"
  [ -s "$T/a" ] || fail "$what: empty"
  cmp "$T/a" "$T/b" >/dev/null || fail "$what differs after the move: $(diff "$T/a" "$T/b" | head -20)"
  ok
}
same2 "export after the move" export
same2 "roster after the move" roster --as-of 2026-06-01
expect_exit 0 "$C" --db "$PG2" audit verify
"$C" --db "$PG2" history "$BN" >"$T/h" 2>&1 || fail "history after the move: $(cat "$T/h")"
pass
