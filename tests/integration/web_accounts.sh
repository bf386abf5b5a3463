#!/usr/bin/env bash
# Issue 12, accounts that can be revoked: against a real server, a demoted, disabled or revoked
# account loses its live sessions' powers on its very next request (the old server trusted the
# role a session began with for up to 12 hours), `user disable|enable|role|sessions|revoke`
# work, each change is a ledger entry, and `user sessions` works on a read-only copy.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"

C=$CUSTODIAN
TOTP="node $CUST_SOURCE_DIR/tests/browser/totp.mjs"
command -v node >/dev/null || fail "node is needed (scripts/bootstrap installs it)"
"$C" init >/dev/null
"$C" import "$CUST_SOURCE_DIR/tests/data/records/good.jsonl" >/dev/null 2>&1
DOJ=$("$C" request add "$CUST_SOURCE_DIR/tests/data/requests/doj-letter.json")
echo "river otter lantern quietly 42" >"$T/pass"
for u in sup sup2 clerk dis; do
  role=supervisor; [ $u = clerk ] && role=clerk
  "$C" user add "u_$u" --role $role --passphrase-file "$T/pass" >"$T/uri.$u" 2>/dev/null ||
    fail "user add u_$u"
done

cat >"$T/serve.ini" <<INI
[server]
threads = 2
INI
serve_start --config "$T/serve.ini"

login() { # USER [SECONDS-AHEAD] -> status; cookie jar $T/jar.USER
  # one use per TOTP code: a second session of one account within 30 s takes the next step's
  local code; code=$($TOTP "$(cat "$T/uri.$1")" $(( $(date +%s) + ${2:-0} )))
  curl -s -c "$T/jar.$1" -o "$T/login.$1" -w '%{http_code}' --data-urlencode "name=u_$1" \
    --data-urlencode "passphrase=$(cat "$T/pass")" --data-urlencode "code=$code" "$BASE/login"
}
get() { # USER PATH -> status
  curl -s -o "$T/b" -w '%{http_code}' -b "$T/jar.$1" "$BASE$2"
}
[ "$(login sup)" = 303 ] || fail "login sup"
[ "$(login sup2)" = 303 ] || fail "login sup2"
[ "$(login dis)" = 303 ] || fail "login dis"
ok

# --- a demoted supervisor: the next request acts as a clerk
[ "$(get sup /api/v1/persons/P1001)" = 200 ] && jq -e '.ids.cii == "A12345678"' "$T/b" >/dev/null ||
  fail "supervisor reads restricted fields"
[ "$(get sup "/console/requests/$DOJ/fulfil")" = 200 ] || fail "supervisor opens the fulfil page"
ok
"$C" user role u_sup clerk >"$T/out" || fail "user role"
grep "user_role u_sup -> clerk" "$T/out" >/dev/null || fail "user role says: $(cat "$T/out")"; ok
[ "$(get sup /api/v1/persons/P1001)" = 200 ] || fail "a clerk may still read the person"
! grep -q "A12345678" "$T/b" || fail "demoted supervisor still reads restricted fields"; ok
code=$(get sup "/console/requests/$DOJ/fulfil")
[ "$code" = 403 ] || fail "demoted supervisor opens the fulfil page: $code"; ok

# --- the role changed in the store by other means counts too (no restart, no cache)
sqlite3 -cmd ".timeout 10000" "$CUSTODIAN_DB" "UPDATE users SET role = 'clerk' WHERE name = 'u_sup2'"
code=$(get sup2 "/console/requests/$DOJ/fulfil")
[ "$code" = 403 ] || fail "role changed in the store: fulfil page $code"; ok
sqlite3 -cmd ".timeout 10000" "$CUSTODIAN_DB" "UPDATE users SET disabled = 1 WHERE name = 'u_sup2'"
code=$(get sup2 /api/v1/roster)
[ "$code" = 401 ] || fail "disabled in the store: still $code"; ok

# --- sessions, revoke
[ "$(login clerk)" = 303 ] || fail "a clerk session"
cp "$T/jar.clerk" "$T/jar.clerk2"
[ "$(login clerk 30)" = 303 ] || fail "a second clerk session"
"$C" user sessions u_clerk --json >"$T/sess.json"
jq -e 'length == 2 and all(.[]; (.id | length) == 12 and .role == "clerk")' "$T/sess.json" \
  >/dev/null || fail "user sessions: $(cat "$T/sess.json")"
ok
sqlite3 "$CUSTODIAN_DB" ".backup '$T/copy.db'"; chmod 0444 "$T/copy.db"
"$C" --db "$T/copy.db" user sessions u_clerk >"$T/out" 2>"$T/err" || fail "sessions on a read-only copy: $(cat "$T/err")"
[ "$(wc -l <"$T/out")" = 2 ] || fail "sessions on a copy: $(cat "$T/out")"; ok
"$C" --db "$T/copy.db" user list --json >"$T/out" 2>"$T/err" || fail "list on a read-only copy: $(cat "$T/err")"
jq -e 'length == 4' "$T/out" >/dev/null || fail "list on a copy: $(cat "$T/out")"; ok
[ "$(get clerk /api/v1/roster)" = 200 ] || fail "clerk reads the roster"
"$C" user revoke u_clerk --json >"$T/out"
jq -e '.sessions_ended == 2 and .change == "user_revoke"' "$T/out" >/dev/null ||
  fail "revoke: $(cat "$T/out")"
ok
[ "$(get clerk /api/v1/roster)" = 401 ] || fail "revoked session still works"
[ "$(get clerk2 /api/v1/roster)" = 401 ] || fail "every session ends"
ok
# --- disable ends sessions at once and refuses sign-in; enable lets it sign in again
[ "$(get dis /api/v1/roster)" = 200 ] || fail "dis reads the roster"
cp "$T/jar.dis" "$T/jar.dis0"
"$C" user disable u_dis >"$T/out"
grep "1 session ended" "$T/out" >/dev/null || fail "disable: $(cat "$T/out")"
[ "$(get dis /api/v1/roster)" = 401 ] || fail "disabled account's session works"
[ "$(login dis 30)" = 401 ] || fail "disabled account signs in"
"$C" user list --json | jq -e '.[] | select(.name == "u_dis") | .disabled' >/dev/null ||
  fail "list shows disabled"
ok
"$C" user enable u_dis >/dev/null
[ "$(login dis 30)" = 303 ] || { cat "$T/login.dis" >&2; fail "enabled account signs in"; }
[ "$(get dis0 /api/v1/roster)" = 401 ] || fail "a session ended by disable stays ended"
ok

# --- bad input changes nothing
expect_exit 2 "$C" user role u_clerk jailer
"$C" user list --json | jq -e '.[] | select(.name == "u_clerk") | .role == "clerk"' >/dev/null || fail "unchanged"
expect_exit 2 "$C" user disable
expect_exit 1 "$C" user disable nobody
expect_exit 2 "$C" user role u_clerk

# --- the ledger has each change, by whom, in order
"$C" audit log --json | jq -e '[.[] | select(.object_type == "user" and (.action | startswith("user_")) and .action != "user_add")
   | [.action, .object_id]] == [["user_role","u_sup"],["user_revoke","u_clerk"],["user_disable","u_dis"],["user_enable","u_dis"]]' \
  >/dev/null || fail "ledger: $("$C" audit log --json | jq -c '[.[] | select(.object_type == "user")]')"
ok
"$C" audit log --json | jq -e '[.[] | select(.action == "user_role")][0]
   | .actor == "tester" and .role == "cli" and .detail.role == "supervisor" and .detail.role_to == "clerk"' \
  >/dev/null || fail "user_role entry detail"
ok
# the CLI's changes are journalled rows; the edit made behind the ledger's back is caught
"$C" audit verify >"$T/verify" 2>&1 || true
grep "^ledger ok" "$T/verify" >/dev/null || fail "ledger intact: $(cat "$T/verify")"
[ "$(grep -c "broken" "$T/verify")" = 1 ] && grep "row broken: users 'u_sup2'" "$T/verify" >/dev/null ||
  fail "verify: $(cat "$T/verify")"
ok

kill -TERM "$SERVER_PID"
rc=0; wait "$SERVER_PID" || rc=$?
SERVER_PID=
[ "$rc" = 0 ] || { tail -30 "$T/server.err" >&2; fail "server exit status $rc"; }
! grep -q "Sanitizer" "$T/server.err" || { cat "$T/server.err" >&2; fail "sanitizer report"; }
ok
pass
