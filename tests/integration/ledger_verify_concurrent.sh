#!/usr/bin/env bash
# audit verify beside a writer: every verify reads one snapshot of the store, so imports that
# commit while it reads (bookings, versions, persons, their journal and entries) are never
# taken for tampering. Before the snapshot, most verifies run during the imports reported a
# journal group "no entry commits to" or a row "inserted".
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
C="$CUSTODIAN"
"$C" gen --bookings 3000 >"$T/county.jsonl"
"$C" import "$T/county.jsonl" --no-progress >/dev/null 2>&1
for s in 2 3 4 5 6 7 8 9 10 11 12 13; do "$C" gen --seed "$s" --bookings 150 >"$T/g$s.jsonl"; done
"$C" audit verify >"$T/out" || fail "the county does not verify"
ok
( for s in 2 3 4 5 6 7 8 9 10 11 12 13; do
    "$C" import "$T/g$s.jsonl" --no-progress >/dev/null 2>&1 || echo "import $s failed" >>"$T/import.err"
    sleep 0.2
  done ) &
writer=$!
runs=0
while kill -0 "$writer" 2>/dev/null; do
  "$C" audit verify >"$T/v.out" 2>"$T/v.err" || { cat "$T/v.out" "$T/v.err" >&2; fail "a verify during the imports failed"; }
  runs=$((runs + 1))
done
wait "$writer"
[ ! -s "$T/import.err" ] || { cat "$T/import.err" >&2; fail "imports"; }
[ "$runs" -ge 2 ] || fail "only $runs verifies ran during the imports"
ok
"$C" audit verify >"$T/out" || fail "after the imports"
grep '^rows ok' "$T/out" >/dev/null || fail "rows"
ok
pass
