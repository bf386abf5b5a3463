# Shared helpers for integration tests (sourced). Each test gets its own scratch dir in $T.
T=$(mktemp -d "${TMPDIR:-/tmp}/cust-test.XXXXXX")
trap 'rm -rf "$T"' EXIT
export CUSTODIAN_DB="$T/custodian.db"
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
