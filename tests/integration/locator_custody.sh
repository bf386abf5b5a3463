#!/usr/bin/env bash
# The locator's in-custody rows (migration 13, store_public_sql.h): public_custody holds exactly
# the rows of the view public_bookings that are unreleased, its columns copied from the view,
# after a bulk load, an ordinary import, a release, a correction, a person's new middle name, date
# of birth and last name, and the migration of an existing store; a search by name reads it in
# its order (one range, no seek per row) and counts from its narrow index, and the bookings
# released after the day asked about are a range of release days, not every release of the name.
# The answers are those of the statement it replaced (the view's unreleased rows), byte for byte;
# their counts per name and the rows' fields kept as JSON (migration 14) match the view too.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
C=$CUSTODIAN
q() { sqlite3 "$CUSTODIAN_DB" "$1"; }
COLS="last_key, first_key, booking_number, booked_ts, dob, last_name, first_name, middle_name,
  booked_at, facility, arresting_agency, charges, scheduled_release"
# rows in one and not the other, both ways (must be 0), and the two counts
same() { # WHEN
  local a b
  a=$(q "SELECT count(*) FROM (SELECT $COLS FROM public_bookings WHERE unreleased
         EXCEPT SELECT $COLS FROM public_custody)")
  b=$(q "SELECT count(*) FROM (SELECT $COLS FROM public_custody
         EXCEPT SELECT $COLS FROM public_bookings WHERE unreleased)")
  [ "$a" -eq 0 ] && [ "$b" -eq 0 ] || fail "$1: public_custody differs from the view ($a, $b)"
  [ "$(q "SELECT count(*) FROM public_custody")" -eq \
    "$(q "SELECT count(*) FROM public_bookings WHERE unreleased")" ] || fail "$1: counts"
  # the counts per name key (migration 14): exactly those of public_custody, no key without rows
  a=$(q "SELECT count(*) FROM (SELECT last_key, n FROM public_custody_names
         EXCEPT SELECT last_key, count(*) FROM public_custody GROUP BY last_key)")
  b=$(q "SELECT count(*) FROM (SELECT last_key, count(*) FROM public_custody GROUP BY last_key
         EXCEPT SELECT last_key, n FROM public_custody_names)")
  [ "$a" -eq 0 ] && [ "$b" -eq 0 ] || fail "$1: public_custody_names differs ($a, $b)"
  ok
}

"$C" gen --bookings 1500 --seed 11 >"$T/county.jsonl" 2>/dev/null
awk "NR % 3 != 0" "$T/county.jsonl" >"$T/a.jsonl"
awk "NR % 3 == 0" "$T/county.jsonl" >"$T/b.jsonl"

# a bulk load into an empty store fills it at its commit, the triggers come back
"$C" init >/dev/null
"$C" import "$T/a.jsonl" >/dev/null 2>&1 || fail "bulk import"
[ "$(q "SELECT count(*) FROM public_custody")" -gt 30 ] || fail "bulk: too few in custody"
same "bulk load"
[ "$(q "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger'
        AND name LIKE 'public_custody_%'")" -eq 7 ] || fail "bulk: the triggers are not back"
ok
# an ordinary import (the triggers)
"$C" import "$T/b.jsonl" >/dev/null 2>&1 || fail "import"
same "import"

# a release, a correction of the public fields, a person's new middle name, dob and last name
jq -c 'select(.released_at == null)' "$T/county.jsonl" >"$T/inc.jsonl"
inc=$(head -n 3 "$T/inc.jsonl")
rel=$(printf '%s\n' "$inc" | sed -n 1p)
fix=$(printf '%s\n' "$inc" | sed -n 2p)
ren=$(printf '%s\n' "$inc" | sed -n 3p)
released=$(date -u -d '-1 day' +%Y-%m-%dT%H:%M:%SZ)
printf '%s\n' "$rel" | jq -c --arg r "$released" '.released_at = $r | .release_reason = "bail"' \
  >"$T/c.jsonl"
printf '%s\n' "$fix" | jq -c '.facility = "East Facility" | .charges[0].description = "CORRECTED"' \
  >>"$T/c.jsonl"
printf '%s\n' "$ren" | jq -c '.person.middle_name = "ZED" | .person.dob = "1971-02-03"
  | .person.last_name = "ZZTESTNAME"' >>"$T/c.jsonl"
# and eight new bookings of one name, two of them booked an hour ago, inside the locator's
# hide_recent_hours (2): neither shown nor counted; the name starts with the most common three
# letters of those in custody
common=$(q "SELECT max(last_name) FROM public_custody WHERE substr(last_key, 1, 3) =
            (SELECT substr(last_key, 1, 3) FROM public_custody GROUP BY 1
             ORDER BY count(*) DESC, 1 LIMIT 1)")
for i in 1 2 3 4 5 6 7 8; do
  booked=$(date -u -d "-$((i > 2 ? 72 : 1)) hour" +%Y-%m-%dT%H:%M:%SZ)
  printf '%s\n' "$inc" | sed -n 1p | jq -c --arg n "990000$i" --arg b "$booked" --arg l "$common" \
    '.booking_number = $n | .booked_at = $b | .person.last_name = $l
     | .person.person_id = ("P" + $n) | .person.ids |= map_values(null)' >>"$T/c.jsonl"
done
"$C" import "$T/c.jsonl" >"$T/out" 2>&1 || { cat "$T/out" >&2; fail "corrections"; }
[ "$(q "SELECT count(*) FROM public_custody WHERE booking_number LIKE '990000_'")" -eq 8 ] ||
  fail "the new bookings are not in custody"
same "corrections"
bn() { printf '%s\n' "$1" | jq -r .booking_number; }
[ "$(q "SELECT count(*) FROM public_custody WHERE booking_number = '$(bn "$rel")'")" -eq 0 ] ||
  fail "a released booking is still in custody"
[ "$(q "SELECT facility FROM public_custody WHERE booking_number = '$(bn "$fix")'")" = \
  "East Facility" ] || fail "the correction"
[ "$(q "SELECT last_key || ' ' || middle_name || ' ' || dob FROM public_custody
        WHERE booking_number = '$(bn "$ren")'")" = "zztestname ZED 1971-02-03" ] ||
  fail "the person's new names and dob"
ok

# the statements' plans: the in-custody rows from public_custody, counted from its index, and
# the released rows by release day
plan() { q "EXPLAIN QUERY PLAN $1"; }
p=$(plan "SELECT booking_number FROM public_custody WHERE last_key >= 'a' AND last_key < 'b'
          ORDER BY last_key, first_key, booking_number LIMIT 51")
grep -F 'USING PRIMARY KEY (last_key>? AND last_key<?)' <<<"$p" >/dev/null || fail "rows: $p"
grep -F 'TEMP B-TREE' <<<"$p" >/dev/null && fail "rows sorted: $p"
p=$(plan "SELECT count(*) FROM public_custody WHERE last_key >= 'a' AND last_key < 'b'
          AND booked_ts <= 0 AND dob = '1980-01-01'")
grep -F 'COVERING INDEX public_custody_count' <<<"$p" >/dev/null || fail "count: $p"
p=$(plan "SELECT booking_number FROM public_bookings WHERE last_key >= 'a' AND last_key < 'b'
          AND released_day > 20000 AND NOT unreleased")
grep -F 'bookings_released_name (released_day>?)' <<<"$p" >/dev/null || fail "released: $p"
ok
# and the same plans in a published file (what `serve --public-only` reads): its released rows
# by release day too, not a seek into public_bookings for every booking of the name (4.7 ms an
# answer for MENDOZA on 1,000,000 bookings: docs/bench-locator.md, session 9)
"$C" publish --out "$T/public.db" >/dev/null || fail "publish"
plan_pub() { sqlite3 "file:$T/public.db?immutable=1" "EXPLAIN QUERY PLAN $1"; }
p=$(plan_pub "SELECT booking_number FROM public_custody WHERE last_key >= 'a' AND last_key < 'b'
              ORDER BY last_key, first_key, booking_number LIMIT 51")
grep -F 'USING PRIMARY KEY (last_key>? AND last_key<?)' <<<"$p" >/dev/null || fail "published rows: $p"
p=$(plan_pub "SELECT booking_number FROM public_bookings WHERE last_key >= 'a' AND last_key < 'b'
              AND released_day > 20000 AND NOT unreleased")
grep -F 'public_released (released_day>?)' <<<"$p" >/dev/null || fail "published released: $p"
p=$(plan_pub "SELECT count(*) FROM public_bookings WHERE last_key >= 'a' AND last_key < 'b'
              AND released_day > 20000 AND NOT unreleased AND booked_ts <= 0")
grep -F 'public_released (released_day>?)' <<<"$p" >/dev/null || fail "published count: $p"
ok

# the answers: the API against the statement it replaced (the view's unreleased rows, then those
# released after today), for the most common names, with first-name prefixes, and a booking number
printf '[server]\nthreads = 2\n[locator]\ncache_ttl = 0\nresult_cap = 5\n' >"$T/serve.ini"
serve_start --config "$T/serve.ini"
F="booked_ts <= strftime('%s', 'now') - 7200"
old() { # KEY FIRST-PREFIX: booking numbers in order, then the total
  local w="substr(last_key, 1, length('$1')) = '$1' AND substr(first_key, 1, length('$2')) = '$2' AND $F"
  q "SELECT booking_number FROM (SELECT booking_number, last_key, first_key FROM public_bookings
       WHERE unreleased AND $w UNION ALL SELECT booking_number, last_key, first_key
       FROM public_bookings WHERE released_day > CAST(strftime('%s', 'now') / 86400 AS INTEGER)
       AND NOT unreleased AND $w ORDER BY last_key, first_key, booking_number LIMIT 5)" |
    tr '\n' ' '
  q "SELECT count(*) FROM public_bookings WHERE (unreleased OR released_day >
       CAST(strftime('%s', 'now') / 86400 AS INTEGER)) AND $w"
}
n=0
while IFS='|' read -r key last; do
  for first in "" A M J; do
    curl -s -G -o "$T/b" --data-urlencode "last_name=$last" --data-urlencode "first_name=$first" \
      "$BASE/api/v1/public/inmates"
    got=$(jq -r '[.results[].booking_number] + [.total | tostring] | join(" ")' "$T/b")
    want=$(old "$key" "$(printf %s "$first" | tr A-Z a-z)" | tr '\n' ' ' | sed 's/  */ /g; s/^ //; s/ $//')
    [ "$got" = "$want" ] || fail "$last $first: [$got], want [$want]"
    # and each row as the view has it (migration 14: its fields come ready from public_custody)
    bns=$(jq -r '[.results[].booking_number | "'"'"'" + . + "'"'"'"] | join(",")' "$T/b")
    q "SELECT json_group_array(json(j)) FROM (SELECT json_object('booking_number', booking_number,
         'last_name', last_name, 'first_name', first_name, 'middle_name', middle_name,
         'booked_at', booked_at, 'facility', facility, 'arresting_agency', arresting_agency,
         'charges', json(charges), 'release_date', scheduled_release) AS j FROM public_bookings
         WHERE booking_number IN ($bns) ORDER BY last_key, first_key, booking_number)" |
      jq -c . >"$T/want.json"
    jq -c .results "$T/b" | cmp -s - "$T/want.json" || fail "$last $first: rows differ from the view"
    n=$((n + 1))
  done
done < <(q "SELECT last_key, max(last_name) FROM public_bookings WHERE unreleased
            GROUP BY last_key ORDER BY count(*) DESC, last_key LIMIT 15")
[ "$n" -eq 60 ] || fail "compared $n answers"
ok
# the first three letters of the new bookings' name: a prefix (several keys, more rows than the
# cap), counted from the kept counts per key less the two booked an hour ago
pre=$(q "SELECT substr(last_key, 1, 3) FROM public_custody WHERE booking_number = '9900001'")
curl -s -G -o "$T/b" --data-urlencode "last_name=$pre" "$BASE/api/v1/public/inmates"
got=$(jq -r '[.results[].booking_number] + [.total | tostring] | join(" ")' "$T/b")
want=$(old "$pre" "" | tr '\n' ' ' | sed 's/  */ /g; s/^ //; s/ $//')
[ "$got" = "$want" ] || fail "$pre: [$got], want [$want]"
[ "$(jq -r .truncated "$T/b")" = true ] || fail "$pre: not more than the cap: $(head -c 300 "$T/b")"
all=$(q "SELECT count(*) FROM public_custody WHERE substr(last_key, 1, 3) = '$pre'")
[ "$(jq -r .total "$T/b")" -eq $((all - 2)) ] || fail "$pre: total $(jq .total "$T/b") of $all"
ok
b=$(bn "$fix")
curl -s -o "$T/b" "$BASE/api/v1/public/inmates?booking_number=$b"
[ "$(jq -r '.results[0].facility' "$T/b")" = "East Facility" ] || fail "by number: $(cat "$T/b")"
ok

# the migrations on a store taken back to schema 12: the same rows and counts again
serve_stop
q "DROP TRIGGER public_custody_insert; DROP TRIGGER public_custody_update;
   DROP TRIGGER public_custody_delete; DROP TRIGGER public_custody_person;
   DROP TABLE public_custody_names; DROP TABLE public_custody; DROP INDEX bookings_released_name;
   CREATE INDEX bookings_released_name ON bookings(key_last, released_day)
     WHERE released_day IS NOT NULL; DROP INDEX bookings_custody; DROP INDEX persons_citizenship;
   DELETE FROM schema_migrations WHERE version >= 13;"
"$C" migrate >/dev/null 2>&1 || fail "migrate"
same "migration"
pass
