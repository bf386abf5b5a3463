#!/usr/bin/env bash
# Issue 12, policies by id only and errors answered with an id: `/api/v1/decide` resolves
# `?policy=` and `case.jurisdiction` in the server's policy set only (no paths, no symlinked
# policies), its refusals never name the install path; a store failure is logged in full on the
# server's stderr but answered with an incident id, never a path or SQL text.
set -euo pipefail
. "$(dirname "$0")/../integration/lib/common.sh"

C=$CUSTODIAN
TOTP="node $CUST_SOURCE_DIR/tests/browser/totp.mjs"
command -v node >/dev/null || fail "node is needed (scripts/bootstrap installs it)"
# a policy folder of our own: the shipped set, plus a symlink to a policy outside it
cp -r "$CUST_SOURCE_DIR/policies" "$T/pol"
mkdir "$T/outside"
cp "$CUST_SOURCE_DIR/policies/us-tx.policy" "$T/outside/evil.policy"
sed -i 's/^policy us-tx/policy evil/' "$T/outside/evil.policy"
ln -s "$T/outside/evil.policy" "$T/pol/evil.policy"
mkdir "$T/outside2"
sed 's/^policy evil/policy linked\/evil/' "$T/outside/evil.policy" >"$T/outside2/evil.policy"
ln -s "$T/outside2" "$T/pol/linked"
"$C" init >/dev/null
"$C" import "$CUST_SOURCE_DIR/tests/data/records/good.jsonl" >/dev/null 2>&1
echo "river otter lantern quietly 42" >"$T/pass"
"$C" user add u_sup --role supervisor --passphrase-file "$T/pass" >"$T/uri" 2>/dev/null

cat >"$T/serve.ini" <<INI
[server]
threads = 2
[paths]
policies = $T/pol
INI
serve_start --config "$T/serve.ini"
code=$($TOTP "$(cat "$T/uri")")
[ "$(curl -s -c "$T/jar" -o /dev/null -w '%{http_code}' --data-urlencode name=u_sup \
  --data-urlencode "passphrase=$(cat "$T/pass")" --data-urlencode "code=$code" "$BASE/login")" = 303 ] ||
  fail "login"
CSRF=$(curl -s -b "$T/jar" "$BASE/console" | grep -o 'name="csrf" value="[0-9a-f]*"' | head -1 |
  sed 's/.*value="//; s/"//')

decide() { # QUERY CASE-JSON -> status; body in $T/b
  curl -s -o "$T/b" -w '%{http_code}' -b "$T/jar" -H "X-CSRF-Token: $CSRF" \
    -H 'Content-Type: application/json' --data "$2" "$BASE/api/v1/decide$1"
}
CASE='{"jurisdiction": "us-ca", "as_of": "2025-07-17", "request": {"kind": "information_request", "items": ["home_address"]}, "subject": {}}'
[ "$(decide "" "$CASE")" = 200 ] || fail "decide: $(head -c 300 "$T/b")"
[ "$(decide "?policy=us-tx" "$CASE")" = 200 ] || fail "decide under us-tx: $(head -c 300 "$T/b")"
ok

# --- by id only: a path, a traversal, an absolute file, a symlinked policy: none is read
for q in "evil" "linked/evil" "../outside/evil" "$T/outside/evil.policy" "us-tx.policy" \
  "..%2Foutside%2Fevil" "%2Fetc%2Fpasswd"; do
  st=$(decide "?policy=$q" "$CASE")
  [ "$st" = 400 ] || fail "?policy=$q: $st $(head -c 300 "$T/b")"
  ! grep -q "$T/pol\|/policies\|$CUST_SOURCE_DIR" "$T/b" || fail "?policy=$q names a path: $(cat "$T/b")"
done
ok
for j in evil linked/evil "$T/outside/evil.policy" "../outside/evil"; do
  st=$(decide "" "$(jq -c --arg j "$j" '.jurisdiction = $j' <<<"$CASE")")
  [ "$st" = 400 ] || fail "jurisdiction $j: $st"
  ! grep -q "$T/pol\|/policies\|$CUST_SOURCE_DIR" "$T/b" || fail "jurisdiction $j names a path: $(cat "$T/b")"
done
ok

# --- a store failure: logged in full, answered with an incident id only
sqlite3 -cmd ".timeout 10000" "$CUSTODIAN_DB" "ALTER TABLE requests RENAME TO requests_gone"
st=$(curl -s -o "$T/b" -w '%{http_code}' -b "$T/jar" "$BASE/api/v1/requests")
[ "$st" = 500 ] || fail "broken store: $st"
! grep -qi "$T\|custodian.db\|sqlite\|no such table\|select\|requests_gone" "$T/b" ||
  fail "the answer shows internals: $(cat "$T/b")"
id=$(jq -r '.error.incident' "$T/b")
[[ "$id" =~ ^[0-9a-f]{16}$ ]] || fail "no incident id: $(cat "$T/b")"
grep "incident $id" "$T/server.err" | grep "no such table" >/dev/null ||
  fail "the log has the incident in full: $(tail -3 "$T/server.err")"
ok
# every console page (the routes from the router) with the store broken: a 5xx page is a fixed
# message with an incident id that the log has in full, never the store's words
"$C" serve --print-routes | awk '$2 ~ /^\/console/ && $2 != "/console/logout"' >"$T/console"
[ "$(wc -l <"$T/console")" -ge 15 ] || fail "console routes"
console_pages() { # MIN: every console route; each 5xx checked; at least MIN of them
  local n5=0 method pattern guard path st id
  while read -r method pattern guard; do
    path=${pattern//\{number\}/6012345}
    path=${path//\{id\}/R-1}
    st=$(curl -s -o "$T/b" -w '%{http_code}' -X "$method" -b "$T/jar" -H 'Accept: text/html' \
      -H "X-CSRF-Token: $CSRF" -H 'Content-Type: application/x-www-form-urlencoded' \
      --data "csrf=$CSRF&reason=x&person=P1001" "$BASE$path")
    ! grep -qi "$T\|custodian.db\|sqlite\|no such table\|_gone\|select " "$T/b" ||
      fail "$method $path ($st) shows internals: $(grep -oi "sqlite.\{0,60\}\|no such table.\{0,30\}" "$T/b" | head -2)"
    [ "$st" -lt 500 ] && continue
    n5=$((n5 + 1))
    grep -o 'Something went wrong (incident [0-9a-f]\{16\})\.' "$T/b" >"$T/msg" ||
      fail "$method $path answered $st without the fixed message and an incident id: $(grep -o '<h1>.*</h1>\|<p[^>]*>[^<]*</p>\|"message":"[^"]*"' "$T/b" | head -4)"
    id=$(grep -o '[0-9a-f]\{16\}' "$T/msg")
    grep "incident $id: .\{8,\}" "$T/server.err" >/dev/null || fail "$method $path: incident $id is not logged in full"
    ! grep "incident $id: .*The store could not be read" "$T/server.err" >/dev/null ||
      fail "$method $path: incident $id logged without the store's error"
  done <"$T/console"
  [ "$n5" -ge "$1" ] || fail "only $n5 console pages failed on a broken store"
}
# the handlers fail (records and requests gone), then the guard itself (accounts gone)
sqlite3 -cmd ".timeout 10000" "$CUSTODIAN_DB" "ALTER TABLE persons RENAME TO persons_gone"
console_pages 5
ok
sqlite3 -cmd ".timeout 10000" "$CUSTODIAN_DB" "ALTER TABLE users RENAME TO users_gone"
console_pages 15
ok
sqlite3 -cmd ".timeout 10000" "$CUSTODIAN_DB" "ALTER TABLE requests_gone RENAME TO requests;
  ALTER TABLE persons_gone RENAME TO persons; ALTER TABLE users_gone RENAME TO users"

kill -TERM "$SERVER_PID"
rc=0; wait "$SERVER_PID" || rc=$?
SERVER_PID=
[ "$rc" = 0 ] || { tail -30 "$T/server.err" >&2; fail "server exit status $rc"; }
! grep -q "Sanitizer" "$T/server.err" || { cat "$T/server.err" >&2; fail "sanitizer report"; }
ok
pass
