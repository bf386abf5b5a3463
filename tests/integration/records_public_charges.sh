#!/usr/bin/env bash
# bookings.public_charges (migration 7): the precomputed public charges JSON the view
# public_bookings returns as `charges`. It must equal what the view built before (the allow-listed
# fields of the booking's charges, in order) after a bulk load, an ordinary import, a correction
# that changes the charges, and the migration of an existing (schema 5) store.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
C="$CUSTODIAN"
q() { sqlite3 "$CUSTODIAN_DB" "$1"; }

# the view's former subquery (migrations 1 and 5), written out here as the reference
REF="(SELECT json_group_array(json_object('code', c.code, 'description', c.description,
  'level', c.level, 'status', c.status, 'bail_cents', c.bail_cents,
  'next_court_date', c.next_court_date, 'case_number', c.case_number, 'court', c.court))
  FROM (SELECT * FROM charges WHERE booking_id = b.id ORDER BY idx) c)"
# rows whose stored JSON or view column differ from the reference (must be 0)
differ() {
  q "SELECT count(*) FROM bookings b WHERE b.public_charges IS NOT $REF
     OR (SELECT charges FROM public_bookings v WHERE v.booking_number = b.booking_number)
        IS NOT $REF"
}

"$C" gen --bookings 300 --seed 7 >"$T/county.jsonl" 2>/dev/null
n=$(wc -l <"$T/county.jsonl")
[ "$n" -ge 300 ] || fail "generated $n lines"
nc=$(jq -s '[.[].charges | length] | add' "$T/county.jsonl")
[ "$nc" -gt 300 ] || fail "generated charges: $nc"

# bulk load into an empty store
"$C" init >/dev/null
expect_exit 0 "$C" import "$T/county.jsonl"
[ "$(q "SELECT count(*) FROM bookings")" -eq "$n" ] || fail "bulk: bookings"
[ "$(q "SELECT count(*) FROM bookings WHERE public_charges IS NULL")" -eq 0 ] ||
  fail "bulk: public_charges left empty"
[ "$(differ)" -eq 0 ] || fail "bulk: public_charges differ from the charges"
[ "$(q "SELECT sum(json_array_length(public_charges)) FROM bookings")" -eq "$nc" ] ||
  fail "bulk: charge count"
ok
# allow-list: never held_to_answer (nor anything else outside the eight fields)
[ "$(q "SELECT count(*) FROM bookings b, json_each(b.public_charges) e, json_each(e.value) k
  WHERE k.key NOT IN ('code', 'description', 'level', 'status', 'bail_cents',
  'next_court_date', 'case_number', 'court')")" -eq 0 ] || fail "a field outside the allow-list"
ok

# ordinary import into a non-empty store, and a correction that changes the charges
head -n 1 "$T/county.jsonl" | jq -c '.booking_number = "PC1" | .person.person_id = "PCP"
  | .charges = [{"code": "PC 459", "description": "BURGLARY \"2nd\" \\ é\t\u001a/", "level": "felony",
  "status": "pending", "held_to_answer": true, "bail_cents": 2500000,
  "next_court_date": "2026-12-01", "case_number": "CR-1", "court": "Dept 3"}]' >"$T/one.jsonl"
expect_exit 0 "$C" import "$T/one.jsonl"
[ "$(q "SELECT json_array_length(public_charges) FROM bookings WHERE booking_number = 'PC1'")" \
  -eq 1 ] || fail "ordinary: one charge"
q "SELECT charges FROM public_bookings WHERE booking_number = 'PC1'" |
  jq -e '.[0].description == "BURGLARY \"2nd\" \\ é\t\u001a/" and .[0].bail_cents == 2500000
         and (.[0] | has("held_to_answer") | not)' >/dev/null || fail "ordinary: content"
[ "$(differ)" -eq 0 ] || fail "ordinary: public_charges differ from the charges (escapes)"
jq -c '.charges += [{"code": "VC 23152", "level": "misdemeanor", "status": "pending"}]
  | .charges[0].description = "CHANGED"' "$T/one.jsonl" >"$T/two.jsonl"
expect_exit 0 "$C" import "$T/two.jsonl"
[ "$(q "SELECT version FROM bookings WHERE booking_number = 'PC1'")" -eq 2 ] || fail "version 2"
q "SELECT charges FROM public_bookings WHERE booking_number = 'PC1'" |
  jq -e 'length == 2 and .[0].description == "CHANGED" and .[1].code == "VC 23152"
         and .[1].bail_cents == null' >/dev/null || fail "correction: charges not rewritten"
[ "$(differ)" -eq 0 ] || fail "correction: public_charges differ from the charges"
jq -c '.charges = []' "$T/one.jsonl" >"$T/none.jsonl"
expect_exit 0 "$C" import "$T/none.jsonl"
[ "$(q "SELECT charges FROM public_bookings WHERE booking_number = 'PC1'")" = "[]" ] ||
  fail "correction to no charges"
[ "$(differ)" -eq 0 ] || fail "ordinary: public_charges differ from the charges"
ok

# what migration 10 (the name keys) changed, undone: migration 5's indexes and trigger back
UNDO_NAME_KEYS="DROP INDEX bookings_open; DROP INDEX bookings_released_name;
   DROP TRIGGER persons_name_copy;
   ALTER TABLE bookings DROP COLUMN key_last; ALTER TABLE bookings DROP COLUMN key_first;
   CREATE INDEX bookings_open ON bookings(search_last, search_first, booking_number)
     WHERE released_at IS NULL;
   CREATE INDEX bookings_released_name ON bookings(search_last, released_day)
     WHERE released_day IS NOT NULL;
   CREATE TRIGGER persons_name_copy AFTER UPDATE OF last_name, first_name ON persons
     WHEN OLD.last_name IS NOT NEW.last_name OR OLD.first_name IS NOT NEW.first_name
     BEGIN UPDATE bookings SET search_last = NEW.last_name, search_first = NEW.first_name
     WHERE person_id = NEW.id; END;"
# what migration 13 (the in-custody rows) made, undone: its table and triggers, the index before
UNDO_CUSTODY="DROP TRIGGER public_custody_insert; DROP TRIGGER public_custody_update;
   DROP TRIGGER public_custody_delete; DROP TRIGGER public_custody_person;
   DROP TABLE public_custody; DROP INDEX bookings_released_name;
   CREATE INDEX bookings_released_name ON bookings(key_last, released_day)
     WHERE released_day IS NOT NULL;"
# migration 7 on a store of schema 6: remove the column and the migration, put back a
# schema-6 view (and drop what later migrations made, so they apply again: 8, the feeds'
# tables; 9, the ledger's row journal; 10, the name keys, with migration 5's indexes and
# trigger put back; 11, the enforcement log and
# the requests' receipt index; 13, the locator's in-custody rows; 15, the index of the bookings
# in custody on a day), then open the store again
latest=$(q "SELECT max(version) FROM schema_migrations")
q "$UNDO_CUSTODY
   DROP VIEW public_bookings; ALTER TABLE bookings DROP COLUMN public_charges;
   CREATE VIEW public_bookings AS SELECT 1 AS schema_6;
   DROP TABLE feed_runs; DROP TABLE feed_bookings; DROP TABLE feed_reviews;
   DROP TABLE ledger_rows; DROP TABLE checkpoints; ALTER TABLE ledger DROP COLUMN rows;
   $UNDO_NAME_KEYS
   DROP INDEX requests_received; DROP TABLE enforcement_actions; DROP INDEX bookings_custody; DROP INDEX persons_citizenship;
   DELETE FROM schema_migrations WHERE version >= 7;"
[ "$(q "SELECT max(version) FROM schema_migrations")" -eq 6 ] || fail "back to schema 6"
expect_exit 0 "$C" migrate
[ "$(q "SELECT max(version) FROM schema_migrations")" -eq "$latest" ] || fail "migration 7 applied"
[ "$(q "SELECT count(*) FROM bookings WHERE public_charges IS NULL")" -eq 0 ] ||
  fail "migration: public_charges left empty"
[ "$(differ)" -eq 0 ] || fail "migration: public_charges differ from the charges"
cols=$(q "SELECT name FROM pragma_table_info('public_bookings')" | tr '\n' ' ')
[ "$cols" = "booking_number last_name first_name middle_name booked_at facility arresting_agency charges scheduled_release dob unreleased released_day booked_ts last_key first_key " ] ||
  fail "migration: view columns: $cols"
ok
pass
