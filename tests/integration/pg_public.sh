#!/usr/bin/env bash
# The public locator on PostgreSQL under a role granted the public view alone (issue 12 item 2,
# issue 15; docs/operations.md "A state on PostgreSQL"): `custodian publish --role NAME` makes
# the role and grants it SELECT on public_bookings and nothing else; that role cannot read a
# restricted table (permission denied), and `serve --public-only` connected as it answers the
# locator with the same bytes as the staff server; a public server connected as a role that can
# read more (the owner; a role granted one table too) is refused, and so is such a grant.
# Needs the `pg` fixture (tests/pg/tests.cmake): CUSTODIAN_TEST_PG; skipped (77) without it.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
[ -n "${CUSTODIAN_TEST_PG:-}" ] || { echo "SKIP: CUSTODIAN_TEST_PG is not set (the pg fixture)"; exit 77; }

C=$CUSTODIAN
export CUSTODIAN_NOW=2026-10-31T12:00:00Z
DB=cust_pub_$$
ROLE=locator_$$
WIDE=wide_$$
Q=${CUSTODIAN_TEST_PG#*\?} # host=SOCKDIR&user=custodian
PG="postgresql:///$DB?$Q"
PUB="postgresql:///$DB?${Q/user=custodian/user=$ROLE}"
WIDEURL="postgresql:///$DB?${Q/user=custodian/user=$WIDE}"
SERVERS=()
cleanup() {
  for p in "${SERVERS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  psql -q "$CUSTODIAN_TEST_PG" -c "DROP DATABASE IF EXISTS $DB" -c "DROP ROLE IF EXISTS $ROLE" \
    -c "DROP ROLE IF EXISTS $WIDE" 2>/dev/null || true
  rm -rf "$T"
}
trap cleanup EXIT
psql -q "$CUSTODIAN_TEST_PG" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" 2>/dev/null ||
  fail "create database $DB"

"$C" gen --bookings 150 >"$T/county.jsonl"
"$C" --db "$PG" import --no-progress "$T/county.jsonl" >"$T/out" 2>&1 || { cat "$T/out" >&2; fail "import"; }
"$C" --db "$PG" roster --json >"$T/roster.json"
BN=$(jq -r '.[0].booking_number' "$T/roster.json")
LAST=$(jq -r '.[0].last_name' "$T/roster.json")
ok

# the grant: a new role, the view alone; recorded in the ledger
expect_exit 0 "$C" --db "$PG" publish --role "$ROLE"
grep "role '$ROLE' reads the public view public_bookings and nothing else" "$T/out" >/dev/null ||
  fail "publish --role: $(cat "$T/out")"
"$C" --db "$PG" audit verify >"$T/verify" 2>&1 || fail "audit verify: $(cat "$T/verify")"
psql -At "$PG" -c "SELECT action || ' ' || object_id FROM ledger ORDER BY seq DESC LIMIT 1" >"$T/last"
[ "$(cat "$T/last")" = "public_role $ROLE" ] || fail "ledger: $(cat "$T/last")"
# again: nothing changes, no error (the role exists and has the view alone)
expect_exit 0 "$C" --db "$PG" publish --role "$ROLE"

# the role reads the view and nothing else: every other table is "permission denied"
n=$(psql -At "$PUB" -c "SELECT count(*) FROM public_bookings") || fail "the role cannot read the view"
[ "$n" -ge 1 ] || fail "the view is empty for the role"
ok
for t in bookings persons booking_versions requests ledger users schema_migrations; do
  if psql -At "$PUB" -c "SELECT 1 FROM $t LIMIT 1" >"$T/psql" 2>&1; then
    fail "the public role read $t"
  fi
  grep "permission denied for table $t" "$T/psql" >/dev/null || fail "$t: $(cat "$T/psql")"
  ok
done
if psql -At "$PUB" -c "INSERT INTO bookings(id) VALUES (999999)" >"$T/psql" 2>&1; then
  fail "the public role wrote a booking"
fi
ok

# the public server as that role: the locator's answers, the same bytes as the staff server's
printf '[server]\nthreads = 2\n[locator]\ncache_ttl = 0\n' >"$T/serve.ini"
serve() { # DB PORTFILE ARGS...
  local db=$1 pf=$2; shift 2
  "$C" --db "$db" serve --listen 127.0.0.1:0 --config "$T/serve.ini" --port-file "$pf" "$@" 2>>"$T/server.err" &
  SERVERS+=($!)
  for _ in $(seq 1 200); do [ -s "$pf" ] && break; sleep 0.05; done
  [ -s "$pf" ] || { cat "$T/server.err" >&2; fail "server $* did not start"; }
}
serve "$PUB" "$T/port.pub" --public-only
serve "$PG" "$T/port.staff"
for q in "booking_number=$BN" "last_name=$LAST" "last_name=${LAST:0:3}"; do
  for s in pub staff; do
    code=$(curl -s -G -o "$T/loc.$s" -w '%{http_code}' --data-urlencode "$q" \
      "http://127.0.0.1:$(cat "$T/port.$s")/api/v1/public/inmates")
    [ "$code" = 200 ] || fail "locator $q on $s: $code $(cat "$T/loc.$s")"
  done
  cmp "$T/loc.pub" "$T/loc.staff" >/dev/null || fail "locator $q differs: $(diff "$T/loc.pub" "$T/loc.staff")"
  [ "$(jq '.count' "$T/loc.pub")" -ge 1 ] || fail "locator $q found nothing: $(cat "$T/loc.pub")"
  ok
done
# the public server has no staff routes
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$(cat "$T/port.pub")/api/v1/bookings/$BN")
[ "$code" = 404 ] || fail "staff route on the public server: $code"
ok

# a public server connected as a role that can read more is refused, naming what it can read
expect_exit 2 "$C" --db "$PG" serve --public-only --listen 127.0.0.1:0
grep "the role 'custodian' can read '[a-z_]*', not only the public view" "$T/err" >/dev/null ||
  fail "owner as public role: $(cat "$T/err")"
psql -q "$PG" -c "CREATE ROLE $WIDE LOGIN" \
  -c "GRANT SELECT ON public_bookings, public_custody, public_custody_names, persons TO $WIDE"
expect_exit 2 "$C" --db "$WIDEURL" serve --public-only --listen 127.0.0.1:0
grep "the role '$WIDE' can read 'persons'" "$T/err" >/dev/null || fail "wide role: $(cat "$T/err")"
# and granting it the view is refused too, changing nothing (no ledger entry)
expect_exit 2 "$C" --db "$PG" publish --role "$WIDE"
grep "the role '$WIDE' can read 'persons'" "$T/err" >/dev/null || fail "publish --role wide: $(cat "$T/err")"
psql -At "$PG" -c "SELECT count(*) FROM ledger WHERE object_id = '$WIDE'" >"$T/n"
[ "$(cat "$T/n")" = 0 ] || fail "a refused grant reached the ledger"
# a role without the view is refused at open, with the command that grants it
psql -q "$PG" -c "REVOKE SELECT ON public_bookings, public_custody, public_custody_names, persons FROM $WIDE"
expect_exit 2 "$C" --db "$WIDEURL" serve --public-only --listen 127.0.0.1:0
grep "cannot read the public view public_bookings, public_custody and public_custody_names (custodian publish --role NAME grants it)" "$T/err" \
  >/dev/null || fail "role without the view: $(cat "$T/err")"

# a SQLite store has no roles: its public server reads a published file
"$C" --db "$T/county.db" init >/dev/null
expect_exit 2 "$C" --db "$T/county.db" publish --role "$ROLE"
grep "no database roles: its public server reads a published file" "$T/err" >/dev/null ||
  fail "SQLite publish --role: $(cat "$T/err")"
pass
