# Shared helpers for integration tests (sourced). Each test gets its own scratch dir in $T.
T=$(mktemp -d "${TMPDIR:-/tmp}/cust-test.XXXXXX")
trap 'rm -rf "$T"' EXIT
export CUSTODIAN_DB="$T/custodian.db"
# On PostgreSQL (tests/pg/on_pg.sh): the store is that database, the key file in $T.
if [ -n "${CUST_TEST_PG_DB:-}" ]; then
  export CUSTODIAN_DB="$CUST_TEST_PG_DB" CUSTODIAN_KEY_FILE="$T/custodian.db.key"
fi
export CUSTODIAN_USER=tester
checks=0

fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { checks=$((checks + 1)); }
pass() { echo "PASS: $(basename "$0") ($checks checks)"; }

# expect_exit CODE CMD...: run CMD, require exit status CODE; stdout/stderr kept in $T/out $T/err.
expect_exit() {
  local want=$1; shift
  set +e; "$@" >"$T/out" 2>"$T/err"; local got=$?; set -e
  [ "$got" -eq "$want" ] || { cat "$T/err" >&2; fail "exit $got, expected $want: $*"; }
  ok
}

# staff NAME ROLE [NAME ROLE ...]: staff accounts in $CUSTODIAN_DB, for `--by` (an active
# account whose role may act, or the operator $CUSTODIAN_USER).
staff() {
  echo "river otter lantern quietly 42" >"$T/.staff-pass"
  while [ $# -ge 2 ]; do
    "$CUSTODIAN" user add "$1" --role "$2" --passphrase-file "$T/.staff-pass" >/dev/null 2>&1 ||
      fail "user add $1 $2"
    shift 2
  done
}
