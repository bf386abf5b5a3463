#!/usr/bin/env bash
# Issue 12, a public server that holds no secrets: `custodian publish --out PUBLIC.db` writes the
# allow-listed public view alone (atomically replaced); `serve --public-only --store PUBLIC.db`
# serves only the locator from it, opening nothing else; a staff server with [server] publish_to
# and publish_every republishes on its timer and the public server reads each new file. The
# public process cannot read a restricted field because the file it has does not hold one.
set -euo pipefail
. "$(dirname "$0")/../integration/lib/common.sh"

C=$CUSTODIAN
"$C" init >/dev/null
"$C" import "$CUST_SOURCE_DIR/tests/data/records/good.jsonl" >/dev/null 2>&1
DET=$("$C" request add "$CUST_SOURCE_DIR/tests/data/requests/detainer.json")
# what the store holds and no public file may: identifiers, an address, citizenship and its
# source, housing, a prior conviction, the immigration request
MARKERS=(A12345678 123456AB7 "123 Main St" non_citizen consular_notification "MCJ 3000" "PC 211" "$DET")
strings -a "$CUSTODIAN_DB" >"$T/store.strings"
for m in "${MARKERS[@]}"; do
  grep -F "$m" "$T/store.strings" >/dev/null || fail "the store should hold '$m' (the test's premise)"
done
ok

# --- publish: the public view alone
mkdir "$T/pub"
"$C" publish --out "$T/pub/PUBLIC.db" >"$T/out"
grep '^published 3 bookings to ' "$T/out" >/dev/null || fail "publish: $(cat "$T/out")"; ok
[ "$(sqlite3 "$T/pub/PUBLIC.db" "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name" | tr '\n' ' ')" = "public_bookings public_custody public_custody_names published " ] ||
  fail "tables of the public file: $(sqlite3 "$T/pub/PUBLIC.db" .tables)"
ok
cols=$(sqlite3 "$T/pub/PUBLIC.db" "SELECT group_concat(name, ' ') FROM pragma_table_info('public_bookings')")
[ "$cols" = "booking_number last_name first_name middle_name booked_at facility arresting_agency charges scheduled_release dob unreleased released_day booked_ts last_key first_key" ] ||
  fail "columns of the public file: $cols"
cols=$(sqlite3 "$T/pub/PUBLIC.db" "SELECT group_concat(name, ' ') FROM pragma_table_info('public_custody')")
[ "$cols" = "last_key first_key booking_number booked_ts dob last_name first_name middle_name booked_at facility arresting_agency charges scheduled_release" ] ||
  fail "columns of the public file's in-custody rows: $cols"
ok
strings -a "$T/pub/PUBLIC.db" >"$T/pub.strings"
for m in "${MARKERS[@]}"; do
  ! grep -F "$m" "$T/pub.strings" >/dev/null || fail "the public file holds '$m'"
done
ok
for q in "SELECT citizenship_status FROM persons" "SELECT * FROM requests" "SELECT * FROM users" \
  "SELECT * FROM ledger"; do
  ! sqlite3 "$T/pub/PUBLIC.db" "$q" >/dev/null 2>&1 || fail "the public file answers: $q"
done
ok
grep -F GARCIA "$T/pub.strings" >/dev/null || fail "the public file has the public rows"; ok
# replaced whole: a new file (a new inode) each time, nothing left beside it
ino1=$(stat -c %i "$T/pub/PUBLIC.db")
"$C" publish --out "$T/pub/PUBLIC.db" --json >"$T/out"
jq -e '.rows == 3' "$T/out" >/dev/null || fail "publish --json: $(cat "$T/out")"
[ "$(stat -c %i "$T/pub/PUBLIC.db")" != "$ino1" ] || fail "published in place, not replaced"
[ "$(ls "$T/pub")" = PUBLIC.db ] || fail "left beside it: $(ls "$T/pub")"
ok
expect_exit 1 "$C" publish --out "$T/nowhere/PUBLIC.db"
[ ! -e "$T/nowhere" ] || fail "a failed publish made something"; ok
expect_exit 2 "$C" publish
# a read-only copy of the store publishes too (publish only reads)
mkdir "$T/ro" && cp "$CUSTODIAN_DB" "$T/ro/" && chmod a-w "$T/ro/custodian.db" "$T/ro"
"$C" --db "$T/ro/custodian.db" publish --out "$T/pub/from-ro.db" >/dev/null || fail "publish from a read-only copy"
chmod u+w "$T/ro"
ok

# --- the public server: only the locator, from that file only
"$C" serve --public-only --print-routes >"$T/routes.public"
"$C" serve --print-routes >"$T/routes.all"
[ "$(awk '{ print $3 }' "$T/routes.public" | sort -u)" = public ] || fail "a guarded route on the public server"
! grep ' /login\| /api/v1/checkpoint\| /console' "$T/routes.public" || fail "staff routes on the public server"
[ "$(wc -l <"$T/routes.public")" -ge 6 ] || fail "public routes: $(cat "$T/routes.public")"
ok
expect_exit 2 "$C" serve --public-only --store "$CUSTODIAN_DB" --listen 127.0.0.1:0
grep 'is not a published public view' "$T/err" >/dev/null || fail "the store itself served as the public view"; ok

chmod a-w "$T/pub/PUBLIC.db" "$T/pub" # the public process needs no write anywhere
cat >"$T/public.ini" <<INI
[server]
threads = 2
[locator]
hide_recent_hours = 0
cache_ttl = 0
INI
PUB_PID= STAFF_PID=
trap '[ -n "$PUB_PID" ] && kill "$PUB_PID" 2>/dev/null; [ -n "$STAFF_PID" ] && kill "$STAFF_PID" 2>/dev/null; wait 2>/dev/null; chmod -R u+w "$T"; rm -rf "$T"' EXIT
# no store, no key, no configuration of the staff server within its reach
env -u CUSTODIAN_DB "$C" serve --public-only --store "$T/pub/PUBLIC.db" --config "$T/public.ini" \
  --listen 127.0.0.1:0 --port-file "$T/port.pub" 2>"$T/pub.err" &
PUB_PID=$!
for _ in $(seq 1 200); do [ -s "$T/port.pub" ] && break; sleep 0.05; done
[ -s "$T/port.pub" ] || { cat "$T/pub.err" >&2; fail "public server did not start"; }
PUB="http://127.0.0.1:$(cat "$T/port.pub")"
curl -s "$PUB/api/v1/public/inmates?last_name=garcia" >"$T/b"
jq -e '.count == 1 and .results[0].booking_number == "6012345"' "$T/b" >/dev/null || fail "locator: $(cat "$T/b")"
ok
! grep -F -e A12345678 -e "Main St" -e non_citizen "$T/b" >/dev/null || fail "restricted data in the answer"; ok
[ "$(curl -s -o /dev/null -w '%{http_code}' -H 'Accept: text/html' "$PUB/locator?last_name=garcia")" = 200 ] || fail "locator page"; ok
# every staff route of the full server is absent here
while read -r method pattern guard; do
  grep -q "^$method $pattern " "$T/routes.public" && continue
  path=${pattern//\{number\}/6012345}
  path=${path//\{id\}/P1001}
  st=$(curl -s -o /dev/null -w '%{http_code}' -X "$method" "$PUB$path")
  [ "$st" = 404 ] || [ "$st" = 405 ] || fail "$method $path on the public server: $st"
done <"$T/routes.all"
ok
# the process has the published file open, and nothing of the store
ls -l "/proc/$PUB_PID/fd" >"$T/fds"
grep -F "$T/pub/PUBLIC.db" "$T/fds" >/dev/null || fail "the public server does not read the file"
! grep -F -e "$CUSTODIAN_DB" -e ".key" "$T/fds" >/dev/null || fail "the public server opened the store"
! ls -a "$T/pub" | grep -e '-journal$' -e '-wal$' -e '-shm$' -e publishing >/dev/null ||
  fail "the public server wrote beside its file: $(ls -a "$T/pub")"
ok
chmod u+w "$T/pub" "$T/pub/PUBLIC.db"

# --- the staff server republishes on its timer; the public server reads each new file
cat >"$T/staff.ini" <<INI
[server]
threads = 2
publish_to = $T/pub/PUBLIC.db
publish_every = 1
INI
"$C" serve --config "$T/staff.ini" --listen 127.0.0.1:0 --port-file "$T/port.staff" 2>"$T/staff.err" &
STAFF_PID=$!
for _ in $(seq 1 200); do [ -s "$T/port.staff" ] && break; sleep 0.05; done
[ -s "$T/port.staff" ] || { cat "$T/staff.err" >&2; fail "staff server did not start"; }
jq -c '.booking_number = "6099999" | .person.person_id = "P9999" | .person.last_name = "ZEPHYRINE"
  | .person.ids.cii = "Z99999999" | .person.home_address = "9 Secret Lane"' \
  <(head -1 "$CUST_SOURCE_DIR/tests/data/records/good.jsonl") >"$T/new.jsonl"
"$C" import "$T/new.jsonl" >/dev/null 2>&1 || fail "import while serving"
found=0
for _ in $(seq 1 100); do
  curl -s "$PUB/api/v1/public/inmates?last_name=zephyrine" >"$T/b"
  if jq -e '.count == 1' "$T/b" >/dev/null; then found=1; break; fi
  sleep 0.2
done
[ $found = 1 ] || fail "the new booking never reached the public server: $(cat "$T/b")"; ok
! strings -a "$T/pub/PUBLIC.db" | grep -F -e Z99999999 -e "Secret Lane" >/dev/null || fail "republished restricted data"; ok
# no leftover of a publish: the server publishes every second, so a publish in progress may be
# seen (make check under load: "PUBLIC.db.publishing-1727"); a leftover stays through every gap
left=1
for _ in $(seq 1 50); do
  [ "$(ls "$T/pub" | grep -c publishing)" != 0 ] || { left=0; break; }
  sleep 0.1
done
[ $left = 0 ] || fail "publishing leftovers: $(ls "$T/pub")"; ok

for pid in "$STAFF_PID" "$PUB_PID"; do
  kill -TERM "$pid"
  rc=0; wait "$pid" || rc=$?
  [ "$rc" = 0 ] || { tail -20 "$T/staff.err" "$T/pub.err" >&2; fail "server exit status $rc"; }
done
STAFF_PID= PUB_PID=
! grep -q "Sanitizer" "$T/staff.err" "$T/pub.err" || { cat "$T/staff.err" "$T/pub.err" >&2; fail "sanitizer report"; }
ok
pass
