#!/usr/bin/env bash
# Staff access against a real server: every route (from `serve --print-routes`) with every
# role and with no session, expected allow or deny from an independent copy of the role
# matrix; each denial is a ledger entry. Also: login with passphrase + TOTP, replayed codes,
# lockout, CSRF, restricted fields only for roles allowed to see them (each view in the ledger).
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"

C=$CUSTODIAN
TOTP="node $CUST_SOURCE_DIR/tests/browser/totp.mjs"
command -v node >/dev/null || fail "node is needed (scripts/bootstrap installs it)"
"$C" init >/dev/null
"$C" import "$CUST_SOURCE_DIR/tests/data/records/good.jsonl" >/dev/null 2>&1
DET=$("$C" request add "$CUST_SOURCE_DIR/tests/data/requests/detainer.json")
DOJ=$("$C" request add "$CUST_SOURCE_DIR/tests/data/requests/doj-letter.json")

# --- accounts
echo "short" >"$T/weak"
expect_exit 2 "$C" user add weakling --role clerk --passphrase-file "$T/weak"
expect_exit 2 "$C" user add x --role jailer --passphrase-file "$T/weak"
"$C" user add --help | grep "otpauth" >/dev/null || fail "user add --help"; ok
ROLES=(clerk supervisor counsel auditor admin)
echo "river otter lantern quietly 42" >"$T/pass"
for r in "${ROLES[@]}" locky; do
  role=$r; [ "$r" = locky ] && role=clerk
  "$C" user add "u_$r" --role "$role" --passphrase-file "$T/pass" >"$T/uri.$r" 2>/dev/null ||
    fail "user add u_$r"
  grep -q "^otpauth://totp/custodian:u_$r?secret=[A-Z2-7]*&issuer=custodian" "$T/uri.$r" ||
    fail "provisioning URI: $(cat "$T/uri.$r")"
done
ok
expect_exit 1 "$C" user add u_clerk --role clerk --passphrase-file "$T/pass"
"$C" user list --json | jq -e 'length == 6 and (map(.role) | index("admin")) != null' >/dev/null ||
  fail "user list"
ok

cat >"$T/serve.ini" <<INI
[server]
threads = 2
access_log = $T/access.log
INI
serve_start --config "$T/serve.ini"

login() { # ROLE CODE -> status; cookie jar $T/jar.ROLE
  curl -s -c "$T/jar.$1" -o "$T/login.$1" -w '%{http_code}' --data-urlencode "name=u_$1" \
    --data-urlencode "passphrase=$(cat "$T/pass")" --data-urlencode "code=$2" "$BASE/login"
}
csrf_of() { # ROLE: the CSRF token from the console's logout form
  curl -s -b "$T/jar.$1" "$BASE/console" | grep -o 'name="csrf" value="[0-9a-f]*"' | head -1 |
    sed 's/.*value="//; s/"//'
}
declare -A CSRF
for r in "${ROLES[@]}"; do
  code=$($TOTP "$(cat "$T/uri.$r")")
  [ "$(login "$r" "$code")" = 303 ] || { cat "$T/login.$r" >&2; fail "login $r"; }
  grep -q 'custodian_session' "$T/jar.$r" || fail "session cookie for $r"
  CSRF[$r]=$(csrf_of "$r")
  [ -n "${CSRF[$r]}" ] || fail "csrf for $r"
done
ok

# --- the matrix (an independent copy of docs/internals/auth.md's table)
declare -A ALLOW=(
  [roster.read]="clerk supervisor counsel auditor"
  [person.read_restricted]="supervisor counsel"
  [request.read]="clerk supervisor counsel auditor"
  [request.create]="clerk supervisor"
  [request.decide]="supervisor counsel"
  [request.act]="clerk supervisor"
  [request.confirm_match]="supervisor"
  [request.fulfill]="supervisor counsel"
  [duty.read]="clerk supervisor counsel auditor"
  [duty.complete]="clerk supervisor"
  [audit.read]="auditor admin"
  [user.manage]="admin"
  [policy.read]="clerk supervisor counsel auditor admin"
  [report.read]="supervisor counsel auditor"
  [oversight.read]="auditor"
  [records.export]="supervisor counsel"
  [enforcement.create]="clerk supervisor"
  [enforcement.read]="supervisor counsel auditor"
  [request.close]="supervisor counsel"
)
expect_allowed() { # GUARD ROLE -> 0 if allowed
  local g=$1 r=$2
  [ "$g" = public ] && return 0
  [ "$r" = none ] && return 1
  [ "$g" = session ] && return 0
  [[ " ${ALLOW[$g]} " == *" $r "* ]]
}
path_for() {
  local p=$1
  p=${p//\{number\}/6012345}
  case "$p" in
    */persons/*) p=${p//\{id\}/P1001} ;;
    */duties/*) p=${p//\{id\}/999999} ;;
    *) p=${p//\{id\}/$DET} ;;
  esac
  p=${p//\/static\/uswds\/\{dir\}\/\{sub\}\/\{file\}//static/uswds/img/usa-icons/accessibility_new.svg}
  p=${p//\/static\/uswds\/\{dir\}\/\{file\}//static/uswds/css/uswds.min.css}
  echo "$p"
}
"$C" serve --print-routes >"$T/routes"
[ "$(wc -l <"$T/routes")" -ge 40 ] || fail "route list"
denials=0 anon=0 tried=0
while read -r method pattern guard; do
  [ "$pattern" = /logout ] && continue # ends the session: checked below
  path=$(path_for "$pattern")
  for r in none "${ROLES[@]}"; do
    args=(-s -o "$T/b" -D "$T/h" -w '%{http_code}' -X "$method")
    if [ "$r" != none ]; then args+=(-b "$T/jar.$r" -H "X-CSRF-Token: ${CSRF[$r]}"); fi
    [ "$method" = POST ] && args+=(-H 'Content-Type: application/json' --data '{}')
    [ "$pattern" = /login ] && [ "$method" = POST ] && args=(-s -o "$T/b" -D "$T/h" -w '%{http_code}' --data 'name=x')
    code=$(curl "${args[@]}" "$BASE$path")
    tried=$((tried + 1))
    denied=0
    case "$code" in
      401 | 403) denied=1 ;;
      303) grep -qi '^location: /login' "$T/h" && denied=1 ;;
    esac
    if expect_allowed "$guard" "$r"; then
      [ $denied = 0 ] || { cat "$T/b" >&2; fail "$r denied $method $path ($guard): $code"; }
    else
      [ $denied = 1 ] || { cat "$T/b" >&2; fail "$r allowed $method $path ($guard): $code"; }
      if [ "$r" = none ]; then anon=$((anon + 1)); else denials=$((denials + 1)); fi
    fi
    [ "$code" -lt 500 ] || { cat "$T/b" >&2; fail "$r $method $path: $code"; }
  done
done <"$T/routes"
[ $tried -ge 240 ] || fail "only $tried requests"
ok
echo "matrix: $tried requests, $denials denials" >&2

# every denial of a person is in the ledger; those without a session are counted instead
# (issue 12: nobody can grow the ledger without signing in)
got=$("$C" audit log --json | jq '[.[] | select(.action == "access_denied")] | length')
[ "$got" = "$denials" ] || fail "ledger has $got access_denied entries, expected $denials"; ok
curl -s "$BASE/metrics" >"$T/metrics"
m=$(awk '$1 == "custodian_unauthenticated_denied_total" { print $2 }' "$T/metrics")
[ "$m" -ge "$anon" ] || fail "metrics count $m unauthenticated denials, expected >= $anon"; ok
"$C" audit log --json | jq -e '[.[] | select(.action == "api_request")] | length > 50' >/dev/null ||
  fail "API requests are in the ledger"
ok
"$C" audit verify | grep '^ledger ok' >/dev/null || fail "ledger intact"; ok

# --- CSRF: a POST without the token is refused even for an allowed role
code=$(curl -s -o "$T/b" -w '%{http_code}' -b "$T/jar.supervisor" -H 'Content-Type: application/json' \
  --data '{}' "$BASE/api/v1/requests/$DET/decide")
[ "$code" = 403 ] && grep -q CSRF "$T/b" || fail "CSRF refused: $code"; ok

# --- a decision made on the web carries the policy's trace, shown on the request page
DET2=$("$C" request add "$CUST_SOURCE_DIR/tests/data/requests/detainer.json")
code=$(curl -s -o "$T/b" -w '%{http_code}' -b "$T/jar.supervisor" \
  -H "X-CSRF-Token: ${CSRF[supervisor]}" -H 'Content-Type: application/json' --data '{}' \
  "$BASE/api/v1/requests/$DET2/decide")
[ "$code" = 200 ] || { cat "$T/b" >&2; fail "decide on the web: $code"; }
jq -e '[.result[].decision.trace | length > 0] | all and length > 0' "$T/b" >/dev/null ||
  fail "web decision without trace: $(head -c 300 "$T/b")"
ok
curl -s -b "$T/jar.supervisor" "$BASE/console/requests/$DET2" | grep 'class="trace"' >/dev/null ||
  fail "request page shows how the policy reached its verdicts"
ok

# --- restricted fields
curl -s -b "$T/jar.clerk" "$BASE/api/v1/bookings/6012345" >"$T/clerk.json"
jq -e '.restricted_fields_hidden == true and (.record.person | has("ids") | not)
       and (has("citizenship_status") | not) and (.record | has("prior_convictions") | not)' \
  "$T/clerk.json" >/dev/null || fail "clerk sees restricted fields: $(head -c 300 "$T/clerk.json")"
ok
! grep -q "A12345678\|Main St" "$T/clerk.json" || fail "clerk sees CII/address"; ok
curl -s -b "$T/jar.clerk" "$BASE/console/persons/P1001" >"$T/clerk.html"
! grep -q "A12345678\|Main St\|non_citizen" "$T/clerk.html" || fail "clerk page shows restricted"; ok
before=$("$C" audit log --json | jq '[.[] | select(.action == "view")] | length')
curl -s -b "$T/jar.supervisor" "$BASE/api/v1/persons/P1001" >"$T/sup.json"
jq -e '.ids.cii == "A12345678" and .home_address != null' "$T/sup.json" >/dev/null ||
  fail "supervisor sees restricted fields"
ok
curl -s -b "$T/jar.counsel" "$BASE/console/bookings/6012345" | grep "A12345678" >/dev/null ||
  fail "counsel page shows restricted"
ok
after=$("$C" audit log --json | jq '[.[] | select(.action == "view")] | length')
[ $((after - before)) = 2 ] || fail "each restricted view is a ledger entry ($before -> $after)"; ok
"$C" audit log --json | jq -e 'last(.[] | select(.action == "view")) | .actor == "u_counsel"
   and .role == "counsel" and .object_id == "booking:6012345"' >/dev/null || fail "view entry"
ok

# request views by role (issue 11): the subject's A-number, date of birth, FBI and CII only for
# roles that see them on the person page, and such a view is a ledger entry
curl -s -b "$T/jar.clerk" "$BASE/api/v1/requests/$DET" >"$T/req.clerk"
jq -e '.subject.a_number == null and .subject.dob == null and .subject.fbi == null
  and .request.subject.a_number == null and .restricted_fields_hidden == true
  and .subject.last_name != null' "$T/req.clerk" >/dev/null || fail "clerk's request view: $(jq -c .subject "$T/req.clerk")"; ok
# a match candidate's date of birth likewise (issue 11 item 8: candidates with name and dob)
jq -e '(.links | length) > 0 and all(.links[]; .dob == null and .name != null)' "$T/req.clerk" >/dev/null ||
  fail "clerk's links: $(jq -c .links "$T/req.clerk")"; ok
curl -s -b "$T/jar.clerk" "$BASE/api/v1/requests" >"$T/reqs.clerk"
! grep -q "A123456789\|1988-04-02" "$T/reqs.clerk" || fail "clerk's request list"; ok
before=$("$C" audit log --json | jq '[.[] | select(.action == "view")] | length')
curl -s -b "$T/jar.supervisor" "$BASE/api/v1/requests/$DET" >"$T/req.sup"
jq -e '.subject.a_number != null and .subject.dob != null and .restricted_fields_hidden == null
  and .links[0].dob == "1988-04-02"' "$T/req.sup" >/dev/null ||
  fail "supervisor's request view"; ok
"$C" audit log --json | jq -e --arg d "request:$DET" 'last(.[] | select(.action == "view")) | .actor == "u_supervisor"
   and .role == "supervisor" and .object_id == $d' >/dev/null || fail "request view entry"; ok
[ "$("$C" audit log --json | jq '[.[] | select(.action == "view")] | length')" -eq $((before + 1)) ] || fail "one view entry"; ok

# --- login: replay, wrong code, lockout
uri=$(cat "$T/uri.locky")
code=$($TOTP "$uri")
[ "$(login locky "$code")" = 303 ] || fail "locky logs in"; ok
[ "$(login locky "$code")" = 401 ] || fail "a TOTP code works once"; ok
for _ in 1 2 3 4; do [ "$(login locky 000000)" = 401 ] || fail "wrong code refused"; done
next=$($TOTP "$uri" $(( $(date +%s) + 30 )))
[ "$(login locky "$next")" = 401 ] || fail "locked after 5 failures"; ok
# the same answer as any failure (issue 12); the ledger keeps the reason
grep "invalid name, passphrase or code" "$T/login.locky" >/dev/null || fail "uniform answer"; ok
! grep -qi "locked" "$T/login.locky" || fail "tells a guesser the account is locked"; ok
"$C" audit log --json | jq -e '[.[] | select(.action == "login" and .object_id == "u_locky")]
  | (map(select(.outcome == "ok")) | length) == 1 and (map(select(.outcome == "failed")) | length) == 6
  and (map(select(.detail.detail == "locked")) | length) == 1' \
  >/dev/null || fail "logins in the ledger"
ok

# --- logout ends the session
code=$(curl -s -o /dev/null -D "$T/h" -w '%{http_code}' -b "$T/jar.clerk" --data "csrf=${CSRF[clerk]}" "$BASE/logout")
[ "$code" = 303 ] && grep -qi 'set-cookie: custodian_session=x;.*Max-Age=0' "$T/h" || fail "logout: $code"; ok
code=$(curl -s -o /dev/null -w '%{http_code}' -b "$T/jar.clerk" "$BASE/api/v1/roster")
[ "$code" = 401 ] || fail "session gone after logout: $code"; ok
code=$(curl -s -o /dev/null -D "$T/h" -w '%{http_code}' -X POST -b "$T/jar.admin" "$BASE/logout")
[ "$code" = 403 ] || fail "logout without CSRF: $code"; ok
# a clean stop: exit 0, and no sanitizer report (leaks included) from the server
kill -TERM "$SERVER_PID"
rc=0; wait "$SERVER_PID" || rc=$?
SERVER_PID=
[ "$rc" = 0 ] || { tail -30 "$T/server.err" >&2; fail "server exit status $rc"; }
! grep -q "Sanitizer" "$T/server.err" || { cat "$T/server.err" >&2; fail "sanitizer report"; }
ok
pass
