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

# serve_start [ARGS...]: `custodian serve` on a free loopback port with ARGS, its stderr in
# $T/server.err; sets SERVER_PID and BASE; the server is stopped when the test exits.
serve_start() {
  SERVER_PID=
  trap '[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
  rm -f "$T/port"
  "$CUSTODIAN" serve --listen 127.0.0.1:0 --port-file "$T/port" "$@" 2>"$T/server.err" &
  SERVER_PID=$!
  for _ in $(seq 1 200); do [ -s "$T/port" ] && break; sleep 0.05; done
  [ -s "$T/port" ] || { cat "$T/server.err" >&2; fail "server did not start"; }
  BASE="http://127.0.0.1:$(cat "$T/port")"
}

# serve_stop: stop the server (SIGTERM) and require a clean exit.
serve_stop() {
  kill -TERM "$SERVER_PID"
  wait "$SERVER_PID" || fail "server exit status"
  SERVER_PID=
}

# login NAME PASSFILE URIFILE: sign NAME in at $BASE with its passphrase and the TOTP code of its
# otpauth URI (`user add` prints it) at CUSTODIAN_NOW, else now: the session's cookies in $T/jar,
# the console's form token in CSRF.
login() {
  command -v node >/dev/null || fail "node is needed (scripts/bootstrap installs it)"
  local code
  code=$(node "$CUST_SOURCE_DIR/tests/browser/totp.mjs" "$(cat "$3")" \
    "$(date -d "${CUSTODIAN_NOW:-now}" +%s)")
  [ "$(curl -s -c "$T/jar" -o /dev/null -w '%{http_code}' --data-urlencode "name=$1" \
    --data-urlencode "passphrase=$(cat "$2")" --data-urlencode "code=$code" "$BASE/login")" = 303 ] ||
    fail "login $1"
  CSRF=$(curl -s -b "$T/jar" "$BASE/console" | grep -o 'name="csrf" value="[0-9a-f]*"' | head -1 |
    sed 's/.*value="//; s/"//')
  [ -n "$CSRF" ] || fail "csrf"
}

# api METHOD PATH [BODY-FILE]: a signed-in call; the body in $T/b, the status in $T/code.
api() {
  local args=(-s -b "$T/jar" -H "X-CSRF-Token: $CSRF" -X "$1" -o "$T/b" -w '%{http_code}')
  [ $# -ge 3 ] && args+=(-H 'Content-Type: application/json' --data-binary "@$3")
  curl "${args[@]}" "$BASE$2" >"$T/code"
}
