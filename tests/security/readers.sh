#!/usr/bin/env bash
# Issue 12 item 5, readers never block and migrations run only when asked. The old program
# migrated (BEGIN IMMEDIATE: the write lock) from any command that opened the store, and opened
# the store for writing even to read it: a read-only copy could not be read at all. Now:
#  - every read command works on a read-only copy (the file and its folder not writable, run
#    as a user who cannot write them; no -wal or -shm can be made beside it) and changes no byte;
#  - a store at an older schema is refused by every other command, naming `custodian migrate`,
#    and left as it was; `custodian migrate` brings it up to date (and says so once done).
set -euo pipefail
. "$(dirname "$0")/../integration/lib/common.sh"

C=$CUSTODIAN
"$C" init >/dev/null
"$C" import "$CUST_SOURCE_DIR/tests/data/records/good.jsonl" >/dev/null 2>&1
echo "river otter lantern quietly 42" >"$T/pass"
"$C" user add sgt --role supervisor --passphrase-file "$T/pass" >/dev/null 2>&1
DET=$("$C" request add "$CUST_SOURCE_DIR/tests/data/requests/detainer.json")
DOJ=$("$C" request add "$CUST_SOURCE_DIR/tests/data/requests/doj-letter.json")
"$C" request fulfill "$DOJ" --format json --out "$T/doj.json" >/dev/null 2>&1 || true

# the read-only copy: its folder and file not writable, and (as on read-only media) no -wal or
# -shm beside it; run as nobody when we are root (root writes through file modes)
RO="$T/ro"
mkdir "$RO"
cp "$CUSTODIAN_DB" "$RO/custodian.db"
mkdir "$RO/custodian.db-wal" "$RO/custodian.db-shm"
chmod a-w "$RO/custodian.db" "$RO"
chmod a+rx "$T" "$RO" && chmod a+r "$RO/custodian.db"
before=$(sha256sum <"$RO/custodian.db")
AS=()
if [ "$(id -u)" = 0 ]; then AS=(setpriv --reuid=65534 --regid=65534 --clear-groups); fi
OUT="$T/out.d"
mkdir "$OUT" && chmod a+rwx "$OUT"
reader() { # CMD... as the unprivileged user on the read-only copy; must exit 0
  if ! env -u CUSTODIAN_CONFIG HOME="$OUT" "${AS[@]}" "$C" --db "$RO/custodian.db" "$@" >"$OUT/o" 2>"$OUT/e"; then
    cat "$OUT/e" >&2
    fail "on a read-only copy: custodian $*"
  fi
  ok
}
reader roster
reader roster --json
reader show 6012345
reader show P1001
reader history 6012345
reader request list
reader request list --open --json
reader request show "$DET"
reader request show "$DET" --json
reader request documents "$DET"
reader request transfers
reader duties list
reader report detainers --year 2025
reader report oversight --from 2025-01-01 --to 2025-12-31 --format json
reader report transfers --year 2025
reader enforcement list
reader feed status
reader audit verify
reader audit log
reader user list
reader publish --out "$OUT/public.db"
[ "$(sha256sum <"$RO/custodian.db")" = "$before" ] || fail "a reader changed the copy"; ok

# an older store: refused with what to do, nothing changed; migrate brings it up to date
OLD="$T/old.db"
sqlite3 "$OLD" <"$CUST_SOURCE_DIR/tests/data/ledger/schema7.sql"
q() { sqlite3 "$OLD" "$1"; }
for cmd in roster "request list" "request add $CUST_SOURCE_DIR/tests/data/requests/detainer.json" \
  "import $CUST_SOURCE_DIR/tests/data/records/good.jsonl" "audit verify"; do
  # shellcheck disable=SC2086
  expect_exit 1 "$C" --db "$OLD" $cmd
  grep "is at schema 7 and this program .* schema [0-9]*: run 'custodian migrate'" "$T/err" >/dev/null ||
    fail "$cmd on an older store: $(cat "$T/err")"
  [ "$(q 'SELECT max(version) FROM schema_migrations')" -eq 7 ] || fail "$cmd migrated"
done
ok
expect_exit 0 "$C" --db "$OLD" migrate
grep "migrated to schema" "$T/out" >/dev/null || fail "migrate says: $(cat "$T/out")"
[ "$(q 'SELECT max(version) FROM schema_migrations')" -gt 7 ] || fail "not migrated"; ok
expect_exit 0 "$C" --db "$OLD" roster
expect_exit 0 "$C" --db "$OLD" migrate
grep "nothing to migrate" "$T/out" >/dev/null || fail "second migrate: $(cat "$T/out")"; ok
expect_exit 1 "$C" --db "$T/none.db" migrate
[ ! -e "$T/none.db" ] || fail "migrate created a store"; ok
pass
