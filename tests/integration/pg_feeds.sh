#!/usr/bin/env bash
# Feeds on PostgreSQL give the same record as on SQLite (docs/internals/store-postgresql.md
# "Done" 7): the same daily runs of a county's export (a first run into an empty store, which
# takes PostgreSQL's COPY path; a changed booking, a release, a booking missing from a full
# snapshot and its review item, the booking listed again, a delta run, a review resolved by
# staff) into a SQLite store and a PostgreSQL store leave the same ledger (audit verify's tree
# head and rows: every feed run and review row hashed alike), the same runs (`feed status`),
# review items (`feed review --all`) and roster. Needs the `pg` fixture: CUSTODIAN_TEST_PG.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
[ -n "${CUSTODIAN_TEST_PG:-}" ] || { echo "SKIP: CUSTODIAN_TEST_PG is not set (the pg fixture)"; exit 77; }
C=$CUSTODIAN
E="$CUST_SOURCE_DIR/examples/mappings"
M="$E/jms-charges.yaml"
export CUSTODIAN_NOW=2025-11-04T14:00:00Z
DB=cust_feeds_$$
PG="postgresql:///$DB?${CUSTODIAN_TEST_PG#*\?}"
SQ=$T/county.db
trap 'psql -q "$CUSTODIAN_TEST_PG" -c "DROP DATABASE IF EXISTS $DB" 2>/dev/null || true; rm -rf "$T"' EXIT
psql -q "$CUSTODIAN_TEST_PG" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" 2>/dev/null ||
  fail "create database $DB"

day1="$T/day1.csv"
cp "$E/jms-charges.csv" "$day1"
day2="$T/day2.csv" # 004101 convicted, 004102 released, 004104 missing, 004105 new
{ head -n 1 "$day1"
  sed -n 2p "$day1"
  sed -n 3p "$day1" | sed 's/,M,PENDING,/,M,SENTENCED,/'
  sed -n 4p "$day1" | sed 's#,04/08/2025,$#,04/08/2025,11/03/2025 09:30#'
  sed -n 5,6p "$day1"
  echo '2025-004105,11/03/2025 22:10,PARK,MIN-JUN,,09/09/1999,M,,,US,KR,Men'"'"'s Central Jail,LAPD,1,PC 459,BURGLARY,F,PENDING,BA556677,20000,11/20/2025,,'
} >"$day2"
day3="$T/day3.csv" # 004104 listed again
{ cat "$day2"; sed -n 7,9p "$day1"; } >"$day3"

for db in "$SQ" "$PG"; do
  for run in "$day1" "$day2" "$day3" "--delta $day2" "$day2"; do
    # shellcheck disable=SC2086 # "--delta FILE" is two words
    "$C" --db "$db" --as feedbot feed run --map "$M" $run >"$T/out" 2>&1 ||
      { cat "$T/out" >&2; fail "feed run $run on $db"; }
  done
  id=$("$C" --db "$db" feed review --json | jq '.[0].id')
  [ "$id" = 2 ] || fail "open review item on $db: $id"
  "$C" --db "$db" --as sgt.lopez feed resolve "$id" --note "released to federal custody" >"$T/out" 2>&1 ||
    { cat "$T/out" >&2; fail "resolve on $db"; }
  ok
done
same() { # WHAT ARGS...: the same output on both stores, not empty
  local what=$1; shift
  "$C" --db "$SQ" "$@" >"$T/a" 2>&1 || fail "$what on SQLite: $(cat "$T/a")"
  "$C" --db "$PG" "$@" >"$T/b" 2>&1 || fail "$what on PostgreSQL: $(cat "$T/b")"
  [ -s "$T/a" ] || fail "$what: empty"
  cmp "$T/a" "$T/b" >/dev/null || fail "$what differs: $(diff "$T/a" "$T/b" | head -20)"
  ok
}
same "audit verify" audit verify
grep '^rows ok: ' "$T/b" >/dev/null || fail "rows on PostgreSQL: $(cat "$T/b")"
same "feed status" feed status --json
jq -e '.sources[0].run == 5 and .open_reviews == 0' "$T/b" >/dev/null || fail "status: $(cat "$T/b")"
same "feed review --all" feed review --all --json
jq -e 'length == 2 and .[0].resolved_by == "feed" and .[1].resolved_by == "sgt.lopez"' "$T/b" >/dev/null ||
  fail "reviews: $(cat "$T/b")"
same "roster" roster --as-of 2025-11-04 --json
same "history" history 2025-004102 --json
pass
