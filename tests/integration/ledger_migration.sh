#!/usr/bin/env bash
# A store from before every row was in the ledger (schema 7: tests/data/ledger/schema7.sql, a
# dump of a store written by the program of that schema: an import, a detainer decided and
# acted on, an export). Read-only verify does not migrate it; a write migrates it (schema 18),
# and the first entry after commits every older row in one "migrate" entry; the old entries
# keep their hashes and tree; from then on the old rows are as protected as new ones.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
C="$CUSTODIAN"
REF="python3 $(dirname "$0")/lib/tlog_ref.py"
export CUSTODIAN_NOW=2025-07-19T12:00:00Z
sqlite3 "$CUSTODIAN_DB" <"$CUST_SOURCE_DIR/tests/data/ledger/schema7.sql"
q() { sqlite3 "$CUSTODIAN_DB" "$1"; }
[ "$(q 'SELECT max(version) FROM schema_migrations')" -eq 7 ] || fail "fixture schema"

# read-only: refused with what to do, nothing migrated
expect_exit 1 "$C" audit verify
grep "run 'custodian migrate'" "$T/err" >/dev/null || fail "older schema message"
[ "$(q 'SELECT max(version) FROM schema_migrations')" -eq 7 ] || fail "verify migrated"
ok
# a checkpoint of the old ledger, taken before the upgrade (the reference computes it: the old
# program had none)
old=$($REF root "$CUSTODIAN_DB")
[ "${old%% *}" -eq 12 ] || fail "old ledger size"

# a command that writes is refused too (migrations run only when asked); `custodian migrate`:
# schema 18 (9: the row journal, 10: the name keys, 11: the enforcement log, 12: none, 13: the
# in-custody public rows, 14: their counts per name, 15: the bookings in custody on a day by
# index, 16: a scope's persons by index, 17: none on SQLite, 18: a named document filled),
# rows not committed yet
expect_exit 1 "$C" request add "$CUST_SOURCE_DIR/tests/data/requests/detainer.json"
grep "run 'custodian migrate'" "$T/err" >/dev/null || fail "a write on an older store"
[ "$(q 'SELECT max(version) FROM schema_migrations')" -eq 7 ] || fail "a write migrated"
"$C" migrate >/dev/null
[ "$(q 'SELECT max(version) FROM schema_migrations')" -eq 18 ] || fail "migrated"
"$C" audit verify >"$T/v"
grep '^rows: not committed yet' "$T/v" >/dev/null || fail "legacy rows state"
[ "$(q 'SELECT count(*) FROM ledger_rows')" -eq 0 ] || fail "journal before the first entry"
ok

# the first write after: one migrate entry commits every older row, then the write's own entry
rows_before=$(q "SELECT (SELECT count(*) FROM booking_versions) + (SELECT count(*) FROM bookings)
  + (SELECT count(*) FROM persons) + (SELECT count(*) FROM citizenship_history)
  + (SELECT count(*) FROM requests) + (SELECT count(*) FROM request_documents)
  + (SELECT count(*) FROM documents) + (SELECT count(*) FROM decisions)
  + (SELECT count(*) FROM actions) + (SELECT count(*) FROM duties)
  + (SELECT count(*) FROM transfers) + (SELECT count(*) FROM disclosures)
  + (SELECT count(*) FROM users)")
"$C" export >/dev/null
"$C" audit log --json >"$T/log.json"
jq -e '.[12].action == "migrate" and .[12].actor == "custodian" and .[13].action == "export"' \
  "$T/log.json" >/dev/null || fail "migrate entry then the export"
[ "$(jq ".[12].detail.rows" "$T/log.json")" -eq "$rows_before" ] || fail "every old row committed"
"$C" audit verify >"$T/v"
grep "^rows ok: $rows_before rows" "$T/v" >/dev/null || { cat "$T/v"; fail "rows ok after the migration"; }
ok
# the old entries are unchanged: the tree of the first 12 is the one computed before
printf 'custodian-ledger\n12\n%s\n' "${old#* }" >"$T/cp12"
"$C" audit verify --checkpoint "$T/cp12" >/dev/null || fail "the old entries' tree changed"
[ "$($REF root "$CUSTODIAN_DB" 12)" = "$old" ] || fail "reference: old tree"
"$C" audit checkpoint >"$T/cp14" 2>/dev/null
[ "$($REF root "$CUSTODIAN_DB")" = "14 $(sed -n 3p "$T/cp14")" ] || fail "reference: new tree (v1 and v2 entries)"
ok

# an old row is now protected like a new one
sqlite3 "$CUSTODIAN_DB" "DROP TRIGGER decisions_no_update; UPDATE decisions SET decided_by = 'nobody'"
expect_exit 1 "$C" audit verify
grep '^row broken: decisions id 1 .*: content does not match entry 13$' "$T/err" >/dev/null || fail "old row"
ok
pass
