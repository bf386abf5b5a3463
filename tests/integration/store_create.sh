#!/usr/bin/env bash
# A new store appears at its path whole or not at all: a process killed while creating it (here
# by the file-size limit, at its first write) leaves nothing at the path that a later command
# would take for a broken store; the next creation clears what the killed one left; two
# processes creating the same store at once both succeed on one store.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
C="$CUSTODIAN"
D="$CUST_SOURCE_DIR/tests/data/records"

# killed at the first write: no file at the path, so "no store" and not "not a custodian store"
set +e
(ulimit -f 0; "$C" --db "$T/a.db" init) >/dev/null 2>&1
rc=$?
set -e
[ "$rc" -ne 0 ] || fail "init under a zero file-size limit succeeded"
[ ! -e "$T/a.db" ] || fail "a killed creation left a file at the store's path"
expect_exit 1 "$C" --db "$T/a.db" audit verify
grep "not a custodian store" "$T/err" >/dev/null && fail "a killed creation left a broken store"
ls "$T" | grep '^a\.db\.creating-' >/dev/null || fail "the killed creation's own file is not where expected"
ok

# the next creation succeeds and removes the leftovers of the killed one
expect_exit 0 "$C" --db "$T/a.db" import "$D/good.jsonl"
expect_exit 0 "$C" --db "$T/a.db" audit verify
if ls "$T" | grep '^a\.db\.creating-' >/dev/null; then fail "leftovers of a killed creation stay"; fi
ok

# two creators of one new store at once: both succeed, one store, both imports in its ledger
"$C" --db "$T/b.db" import "$D/good.jsonl" >"$T/b1.out" 2>&1 &
p1=$!
"$C" --db "$T/b.db" import "$D/good.jsonl" >"$T/b2.out" 2>&1 &
p2=$!
wait "$p1" || { cat "$T/b1.out" >&2; fail "first concurrent creator"; }
wait "$p2" || { cat "$T/b2.out" >&2; fail "second concurrent creator"; }
expect_exit 0 "$C" --db "$T/b.db" audit verify
grep "ledger ok: 2 entries" "$T/out" >/dev/null || { cat "$T/out" >&2; fail "both imports in one ledger"; }
ok
pass
