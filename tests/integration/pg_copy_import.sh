#!/usr/bin/env bash
# Bulk import on PostgreSQL through COPY (docs/internals/store-postgresql.md "Bulk import through
# COPY"): a county imported into an empty PostgreSQL store through COPY gives the same rows,
# the same public_custody rows and the same ledger (audit verify's tree head and row journal)
# as the same file imported row by row (CUSTODIAN_PG_COPY=off) and as SQLite's import; also
# when the load must leave COPY half-way (a booking number seen again: a new version; a person
# without person_id linked by cii) and when persons are renamed and their citizenship changes
# inside the load. Needs the `pg` fixture: CUSTODIAN_TEST_PG; skipped (77) without it.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
[ -n "${CUSTODIAN_TEST_PG:-}" ] || { echo "SKIP: CUSTODIAN_TEST_PG is not set (the pg fixture)"; exit 77; }

C=$CUSTODIAN
export CUSTODIAN_NOW=2026-10-31T12:00:00Z
Q=${CUSTODIAN_TEST_PG#*\?}
DBS=(cust_copy_$$_a cust_copy_$$_b cust_row_$$_a cust_row_$$_b cust_copy_$$_p)
cleanup() {
  for db in "${DBS[@]}"; do psql -q "$CUSTODIAN_TEST_PG" -c "DROP DATABASE IF EXISTS $db" 2>/dev/null || true; done
  rm -rf "$T"
}
trap cleanup EXIT
for db in "${DBS[@]}"; do
  psql -q "$CUSTODIAN_TEST_PG" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" 2>/dev/null ||
    fail "create database $db"
done
url() { echo "postgresql:///$1?$Q"; }

# a: a county whose persons come back (gen), one of them renamed, with a new middle name, dob
# and a later citizenship in a booking of its own at the end: all through COPY
"$C" gen --bookings 150 >"$T/a.jsonl"
cp "$T/a.jsonl" "$T/p.jsonl" # the county as generated
# (no `| head` under pipefail: a writer still writing when head exits dies of SIGPIPE)
P=$(jq -r '.person.person_id' "$T/a.jsonl" | sort | uniq -d | sed -n 1p)
[ -n "$P" ] || fail "the generated county has no person booked twice"
jq -cn --arg p "$P" 'first(inputs | select(.person.person_id == $p))' "$T/a.jsonl" |
  jq -c '.booking_number = "9900001" | .released_at = null | .person.last_name = "ÉTÉ-RENAMED"
         | .person.middle_name = "Q" | .person.dob = "1990-01-02"
         | .person.citizenship = {"status":"citizen","country":"US","source":"document",
                                  "verified":true,"recorded_at":"2026-10-30"}' >>"$T/a.jsonl"
ok
# b: a, then half-way a booking number seen before (its second version) and at the end a person
# without person_id that a cii links: the load leaves COPY at the first and goes on row by row
head -75 "$T/a.jsonl" >"$T/b.jsonl"
head -1 "$T/a.jsonl" | jq -c '.facility = "Moved Facility"' >>"$T/b.jsonl"
tail -n +76 "$T/a.jsonl" >>"$T/b.jsonl"
CII=$(jq -rn 'first(inputs | select(.person.ids.cii != null) | .person.ids.cii)' "$T/a.jsonl")
head -2 "$T/a.jsonl" | tail -1 |
  jq -c --arg c "$CII" '.booking_number = "9900002" | del(.person.person_id) | .person.ids.cii = $c' \
    >>"$T/b.jsonl"
ok

for f in a b; do
  "$C" --db "$T/$f.db" import --no-progress "$T/$f.jsonl" >"$T/out" 2>&1 || { cat "$T/out" >&2; fail "SQLite import $f"; }
  # a: the buffers sent after every booking (persons sent, then changed: the drain's UPDATEs)
  flush=; [ "$f" = b ] || flush=1
  CUSTODIAN_PG_COPY_FLUSH=$flush "$C" --db "$(url cust_copy_$$_$f)" import --no-progress "$T/$f.jsonl" >"$T/out" 2>&1 ||
    { cat "$T/out" >&2; fail "COPY import $f"; }
  CUSTODIAN_PG_COPY=off "$C" --db "$(url cust_row_$$_$f)" import --no-progress "$T/$f.jsonl" >"$T/out" 2>&1 ||
    { cat "$T/out" >&2; fail "row-by-row import $f"; }
  ok
  # the same ledger on all three: every row hash, the journal, the tree head
  for db in "$T/$f.db" "$(url cust_copy_$$_$f)" "$(url cust_row_$$_$f)"; do
    "$C" --db "$db" audit verify >"$T/v" 2>&1 || fail "audit verify $f on $db: $(cat "$T/v")"
    grep '^rows ok: ' "$T/v" >/dev/null || fail "rows of $f: $(cat "$T/v")"
    if [ -f "$T/v.$f" ]; then
      cmp "$T/v.$f" "$T/v" >/dev/null || fail "audit verify of $f differs on $db: $(diff "$T/v.$f" "$T/v")"
    else
      cp "$T/v" "$T/v.$f"
    fi
    ok
  done
  # the same rows, read as PostgreSQL holds them, derived copies and public_custody included
  for db in cust_copy_$$_$f cust_row_$$_$f; do
    psql -qAt "$(url $db)" >"$T/rows.$db" <<'SQL'
SELECT * FROM persons ORDER BY id;
SELECT * FROM bookings ORDER BY id;
SELECT * FROM booking_versions ORDER BY id;
SELECT * FROM charges ORDER BY booking_id, idx;
SELECT * FROM prior_convictions ORDER BY booking_id, idx;
SELECT * FROM citizenship_history ORDER BY id;
SELECT * FROM public_custody ORDER BY booking_number;
SQL
  done
  # the same schema: the foreign keys and indexes the COPY load dropped are made again as the
  # migrations made them (names and definitions)
  for db in cust_copy_$$_$f cust_row_$$_$f; do
    psql -qAt "$(url $db)" -c "SELECT conrelid::regclass, conname, pg_get_constraintdef(oid)
        FROM pg_constraint ORDER BY 1, 2" -c "SELECT indexdef FROM pg_indexes
        WHERE schemaname = 'public' ORDER BY 1" >"$T/schema.$db"
  done
  grep -q 'prior_convictions_person_id_fkey|FOREIGN KEY (person_id) REFERENCES persons(id)' \
    "$T/schema.cust_copy_$$_$f" || fail "schema of $f: no foreign key"
  cmp "$T/schema.cust_copy_$$_$f" "$T/schema.cust_row_$$_$f" >/dev/null ||
    fail "schema after $f differs: $(diff "$T/schema.cust_copy_$$_$f" "$T/schema.cust_row_$$_$f")"
  [ "$(grep -c . "$T/rows.cust_copy_$$_$f")" -gt 500 ] || fail "rows of $f: $(wc -l <"$T/rows.cust_copy_$$_$f")"
  cmp "$T/rows.cust_copy_$$_$f" "$T/rows.cust_row_$$_$f" >/dev/null ||
    fail "rows of $f differ: $(diff "$T/rows.cust_copy_$$_$f" "$T/rows.cust_row_$$_$f" | head -20)"
  ok
  "$C" --db "$(url cust_copy_$$_$f)" export >"$T/e1"
  "$C" --db "$T/$f.db" export >"$T/e2"
  cmp "$T/e1" "$T/e2" >/dev/null || fail "export of $f differs"
  ok
done
# a load that fails (a line that is not JSON, found by the reader at the end) changes nothing:
# no row, and the foreign keys and indexes it dropped for COPY are back (rolled back with it)
{ cat "$T/a.jsonl"; echo '{not json'; } >"$T/bad.jsonl"
psql -q "$CUSTODIAN_TEST_PG" -c "CREATE DATABASE cust_copy_$$_x"
DBS+=(cust_copy_$$_x)
"$C" --db "$(url cust_copy_$$_x)" init >/dev/null 2>&1
expect_exit 2 "$C" --db "$(url cust_copy_$$_x)" import --no-progress "$T/bad.jsonl"
grep -q 'nothing was imported' "$T/err" || fail "bad load: $(cat "$T/err")"
[ "$(psql -qAt "$(url cust_copy_$$_x)" -c "SELECT count(*) FROM bookings")" = 0 ] || fail "rows of a failed load"
psql -qAt "$(url cust_copy_$$_x)" -c "SELECT conrelid::regclass, conname, pg_get_constraintdef(oid)
    FROM pg_constraint ORDER BY 1, 2" -c "SELECT indexdef FROM pg_indexes
    WHERE schemaname = 'public' ORDER BY 1" >"$T/schema.x"
cmp "$T/schema.x" "$T/schema.cust_row_$$_b" >/dev/null ||
  fail "schema after a failed load differs: $(diff "$T/schema.x" "$T/schema.cust_row_$$_b")"
ok
# the renamed person: every booking of it carries the new name, and the locator's table too
N=$(psql -qAt "$(url cust_copy_$$_a)" -c "SELECT count(*) FROM bookings b JOIN persons p ON p.id = b.person_id
      WHERE p.person_key = '$P' AND b.search_last = 'ÉTÉ-RENAMED'")
[ "$N" -ge 3 ] || fail "bookings of $P renamed: $N"
ok
# persons changed after they were sent and none renamed: the import says what it imported and
# nothing else (a NOTICE of the server's once reached stderr here)
CUSTODIAN_PG_COPY_FLUSH=1 "$C" --db "$(url cust_copy_$$_p)" import --no-progress "$T/p.jsonl" >"$T/out" 2>&1 ||
  { cat "$T/out" >&2; fail "COPY import p"; }
[ "$(grep -c . "$T/out")" -eq 1 ] && grep '^imported ' "$T/out" >/dev/null || fail "import p said: $(cat "$T/out")"
"$C" --db "$(url cust_copy_$$_p)" audit verify >"$T/v" 2>&1 || fail "audit verify p: $(cat "$T/v")"
ok
# COPY was used: the row-by-row load updates each person booked again, COPY only those sent
# before a later booking changed them (statistics are flushed when the import's session ends)
sleep 1
upd() { psql -qAt "$(url "$1")" -c "SELECT n_tup_upd FROM pg_stat_user_tables WHERE relname = 'persons'"; }
[ "$(upd cust_copy_$$_b)" -lt "$(upd cust_row_$$_b)" ] ||
  fail "persons updated: COPY $(upd cust_copy_$$_b), row by row $(upd cust_row_$$_b)"
# and the persons sent before a later booking changed them were updated at the drain
[ "$(upd cust_copy_$$_p)" -gt 0 ] || fail "p: no person updated at the drain"
ok
pass
