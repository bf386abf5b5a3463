#!/usr/bin/env bash
# The public locator finds people by their names as people write them (issue 13): a query is
# compared through the one name key (src/base/namekey.c), so "Mejía", "MEJIA", "mejia" and the
# full-width "ＭＥＪＩＡ" all find MEJÍA and MEJIA; "Nguyễn" finds NGUYEN and "Đặng" DANG; a
# last name of 3 letters or more is also a prefix ("Mej"); a shorter one is exact. Results show
# the names as they were recorded. A renamed person is found by the new name at once. The staff
# roster (CLI and console) filters the same way.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"

C=$CUSTODIAN
"$C" init >/dev/null
OLD=$(date -u -d '-3 hours' +%Y-%m-%dT%H:%M:%SZ)

booking() { # NUMBER PERSON_ID LAST FIRST
  printf '{"booking_number":"%s","booked_at":"%s","facility":"North Facility","housing":"H1",'\
'"arresting_agency":"County Sheriff","person":{"person_id":"%s","last_name":"%s",'\
'"first_name":"%s","dob":"1980-01-01"},"charges":[{"code":"VC 23152(a)","description":"DUI",'\
'"level":"misdemeanor","status":"pending","bail_cents":500000}],'\
'"scheduled_release":"2030-05-05","release_date_public":false}\n' "$1" "$OLD" "$2" "$3" "$4"
}
{
  booking 8880001 P1 "MEJÍA" "JOSÉ"
  booking 8880002 P2 "MEJIA" "ANA"
  booking 8880003 P3 "NGUYEN" "VAN"
  booking 8880004 P4 "Đặng" "Thị Hương"
  booking 8880005 P5 "MEKONNEN" "ABEBE"
  booking 8880006 P6 "ME" "LI"
  booking 8880007 P7 "王" "小明"
} >"$T/names.jsonl"
"$C" import "$T/names.jsonl" >/dev/null 2>&1 || fail "import"; ok

printf '[server]\nthreads = 2\n[locator]\ncache_ttl = 0\n' >"$T/serve.ini"
serve_start --config "$T/serve.ini"

# find LAST [FIRST]: the JSON answer in $T/b, the status in $code
find() {
  local args=(--data-urlencode "last_name=$1")
  [ $# -lt 2 ] || args+=(--data-urlencode "first_name=$2")
  code=$(curl -s -G -o "$T/b" -w '%{http_code}' "${args[@]}" "$BASE/api/v1/public/inmates")
  [ "$code" = 200 ] || { cat "$T/b" >&2; fail "last_name=$1: status $code"; }
}
# numbers: the booking numbers found, sorted, space-separated
numbers() { jq -r '[.results[].booking_number] | sort | join(" ")' "$T/b"; }
want() { # QUERY EXPECTED-NUMBERS
  local got; got=$(numbers)
  [ "$got" = "$2" ] || fail "$1: found [$got], want [$2]: $(cat "$T/b")"
  ok
}

for q in "Mejía" "MEJÍA" "MEJIA" "mejia" "Meji$(printf '\xcc\x81')a" "ＭＥＪＩＡ" " mejía "; do
  find "$q"; want "$q" "8880001 8880002"
done
# results show the names as recorded, accents kept
find "mejia" "jose"
want "mejia jose" "8880001"
jq -e '.results[0].last_name == "MEJÍA" and .results[0].first_name == "JOSÉ"' "$T/b" >/dev/null ||
  fail "names as recorded: $(cat "$T/b")"; ok
# prefix from 3 letters; not MEKONNEN
find "Mej"; want "Mej" "8880001 8880002"
find "mejí"; want "mejí" "8880001 8880002"
find "Mek"; want "Mek" "8880005"
# under 3 letters: exact only
find "Me"; want "Me" "8880006"
find "Nguyễn"; want "Nguyễn" "8880003"
find "nguyen"; want "nguyen" "8880003"
find "DANG"; want "DANG" "8880004"
find "Đặng" "thi"; want "Đặng thi" "8880004"
find "王"; want "王" "8880007"
find "Smith"; want "Smith" ""

# the HTML page takes the same query and shows the recorded spelling
code=$(curl -s -G -o "$T/page" -w '%{http_code}' --data-urlencode "last_name=Mejía" "$BASE/locator")
[ "$code" = 200 ] || fail "locator page: status $code"
grep -F "MEJÍA" "$T/page" >/dev/null || fail "page shows MEJÍA"; ok
grep -F "8880002" "$T/page" >/dev/null || fail "page lists MEJIA too"; ok

# a person renamed by a later booking version is found by the new name at once
booking 8880002 P2 "Peña" "ANA" >"$T/rename.jsonl"
"$C" import "$T/rename.jsonl" >/dev/null 2>&1 || fail "rename import"; ok
find "PENA"; want "PENA" "8880002"
find "mejia"; want "mejia after rename" "8880001"

# the staff roster (CLI) filters by the same key
"$C" roster --last-name "mejia" >"$T/roster.txt" 2>&1 || { cat "$T/roster.txt" >&2; fail "roster"; }
grep -F 8880001 "$T/roster.txt" >/dev/null || fail "roster --last-name mejia finds MEJÍA"; ok
if grep -F 8880003 "$T/roster.txt" >/dev/null; then fail "roster filter"; fi; ok
# the CLI's table aligns by display width: the column after the name starts at the same
# terminal column for MEJÍA (accented), MEJIA and 王 (two columns a letter)
"$C" roster >"$T/all.txt" 2>&1 || fail "roster"
cols=$(grep -E '^888000[127] ' "$T/all.txt" | while IFS= read -r l; do
  pre=${l%%20[0-9][0-9]-*}; printf '%s\n' "$(printf '%s' "$pre" | LC_ALL=C.UTF-8 wc -L)"; done | sort -u)
[ "$(printf '%s\n' "$cols" | wc -l)" -eq 1 ] || { cat "$T/all.txt" >&2; fail "roster columns: $cols"; }
ok

# migration 10 on a store of schema 9 fills every booking's keys: take the store back (migration
# 5's indexes and trigger, migration 7's view, no key columns), then open it with a writer
serve_stop
sqlite3 "$CUSTODIAN_DB" "DROP TRIGGER public_custody_insert; DROP TRIGGER public_custody_update;
  DROP TRIGGER public_custody_delete; DROP TRIGGER public_custody_person;
  DROP TABLE public_custody; DROP VIEW public_bookings; DROP INDEX bookings_open;
  DROP INDEX bookings_released_name; DROP TRIGGER persons_name_copy;
  ALTER TABLE bookings DROP COLUMN key_last; ALTER TABLE bookings DROP COLUMN key_first;
  CREATE INDEX bookings_open ON bookings(search_last, search_first, booking_number)
    WHERE released_at IS NULL;
  CREATE INDEX bookings_released_name ON bookings(search_last, released_day)
    WHERE released_day IS NOT NULL;
  CREATE TRIGGER persons_name_copy AFTER UPDATE OF last_name, first_name ON persons
    WHEN OLD.last_name IS NOT NEW.last_name OR OLD.first_name IS NOT NEW.first_name
    BEGIN UPDATE bookings SET search_last = NEW.last_name, search_first = NEW.first_name
    WHERE person_id = NEW.id; END;
  CREATE VIEW public_bookings AS SELECT b.booking_number, b.search_last AS last_name,
    b.search_first AS first_name FROM bookings b;
  DROP INDEX requests_received; DROP TABLE enforcement_actions; DROP INDEX bookings_custody; DROP INDEX persons_citizenship;
  DELETE FROM schema_migrations WHERE version >= 10;" || fail "back to schema 9"
"$C" migrate >/dev/null 2>&1 || fail "migrate"
[ "$(sqlite3 "$CUSTODIAN_DB" "SELECT count(*) FROM bookings WHERE key_last IS NULL
      OR key_first IS NULL")" -eq 0 ] || fail "migration: keys left empty"; ok
[ "$(sqlite3 "$CUSTODIAN_DB" "SELECT key_last FROM bookings WHERE booking_number = '8880004'")" \
  = "dang" ] || fail "migration: key of Đặng"; ok
"$C" roster --last-name "MEJÍA" >"$T/roster.txt" 2>&1 || { cat "$T/roster.txt" >&2; fail "roster"; }
grep -F 8880001 "$T/roster.txt" >/dev/null || fail "after migration: roster finds MEJÍA"; ok
pass
