#!/usr/bin/env bash
# The public locator (GET /locator, GET /api/v1/public/inmates) against a real server.
# A canary person whose every restricted value is unique is imported; every public route is
# hit (results, no results, 400, 404, 405, 429 pages, the login page) and no response, headers
# included, may contain any canary value. Also: recent bookings hidden, the result cap,
# release dates only where public, the rate limit.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"

C=$CUSTODIAN
"$C" init >/dev/null
OLD=$(date -u -d '-3 hours' +%Y-%m-%dT%H:%M:%SZ)
RECENT=$(date -u -d '-30 minutes' +%Y-%m-%dT%H:%M:%SZ)

booking() { # NUMBER BOOKED_AT PERSON_ID LAST FIRST [RELEASE_PUBLIC]
  printf '{"booking_number":"%s","booked_at":"%s","facility":"North Facility","housing":"H1",'\
'"arresting_agency":"County Sheriff","person":{"person_id":"%s","last_name":"%s",'\
'"first_name":"%s","dob":"1980-01-01"},"charges":[{"code":"VC 23152(a)","description":"DUI",'\
'"level":"misdemeanor","status":"pending","bail_cents":500000,"next_court_date":"2099-02-02"}],'\
'"scheduled_release":"2030-05-05","release_date_public":%s}\n' "$1" "$2" "$3" "$4" "$5" "${6:-false}"
}

# The canary: every restricted value is a string found nowhere else.
cat >"$T/canary.jsonl" <<JSON
{"booking_number":"7770001","booked_at":"$OLD","facility":"North Facility","housing":"HX-CANARYHOUSING-4411","arresting_agency":"County Sheriff","person":{"person_id":"PCANARY9001","last_name":"FINCHLEY","first_name":"ODETTE","dob":"1901-02-03","sex":"F","aliases":[{"last_name":"QXALIASNAME","first_name":"ZED","dob":"1901-02-03"}],"ids":{"cii":"Q99887766","fbi":"887766QX3","sid":"CA55443322","a_number":"A987650123"},"place_of_birth":"QXBIRTHPLACE","citizenship":{"status":"non_citizen","country":"QXCOUNTRY","source":"self_reported","verified":false,"recorded_at":"2025-01-02"},"home_address":"4411 Quixotic Canary Lane, Nowhere CA 90000","immigration_status":"QXIMMSTATUS","sex_arson_registrant":false},"charges":[{"code":"PC 459","description":"BURGLARY","level":"felony","status":"pending","held_to_answer":false,"case_number":"BA777001","court":"Dept 1","next_court_date":"2099-01-01","bail_cents":2500000}],"prior_convictions":[{"code":"PC 12022.53","level":"felony","date":"1999-09-09","jurisdiction":"QXPRIORJUR"}],"scheduled_release":"2031-07-17","release_date_public":false}
JSON
{
  booking 7770002 "$RECENT" P2 FINCHLEY MAUD          # booked 30 minutes ago: hidden
  booking 7770003 "$OLD" P3 WRENSHAW ANN true          # release date public
  booking 7770004 "$OLD" P4 WRENSHAW BOB
  booking 7770005 "$OLD" P5 WRENSHAW CAL
} >>"$T/canary.jsonl"
"$C" import "$T/canary.jsonl" >/dev/null 2>&1 || fail "import"
CANARY=(1901-02-03 QXALIASNAME Q99887766 887766QX3 CA55443322 A987650123 QXBIRTHPLACE QXCOUNTRY
        non_citizen "Quixotic Canary" QXIMMSTATUS 12022.53 1999-09-09 QXPRIORJUR 2031-07-17
        CANARYHOUSING PCANARY9001 self_reported)
# the canary really is in the store (else the test proves nothing)
sqlite3 "$CUSTODIAN_DB" .dump >"$T/dump.sql"
for v in Q99887766 A987650123 QXIMMSTATUS "Quixotic Canary" QXPRIORJUR; do
  grep -q "$v" "$T/dump.sql" || fail "canary value $v not stored"
done
ok

expect_exit 2 "$C" serve --cache-ttl soon
grep -q -- "--cache-ttl" "$T/err" || fail "bad --cache-ttl message"; ok
"$C" serve --print-routes | grep '^GET /api/v1/public/inmates public$' >/dev/null || fail "print-routes"; ok

cat >"$T/serve.ini" <<INI
[server]
threads = 2
access_log = $T/access.log
[ratelimit]
rate = 0.01
burst = 40
[locator]
result_cap = 2
INI
# (no hide_recent_hours: the config's default of 2 hours applies)
serve_start --config "$T/serve.ini"

n=0
# get PATH [curl args]: saves headers+body as $T/r.N, status in $code, body in $T/b
get() {
  n=$((n + 1))
  code=$(curl -s --path-as-is -D "$T/r.$n.h" -o "$T/r.$n" -w '%{http_code}' "${@:2}" "$BASE$1")
  cp "$T/r.$n" "$T/b"
}
want() { [ "$code" = "$1" ] || { cat "$T/b" >&2; fail "$2: status $code, want $1"; }; ok; }

# --- JSON API
get "/api/v1/public/inmates?last_name=finchley"
want 200 "search by name"
jq -e '.count == 1 and .results[0].booking_number == "7770001" and .truncated == false
       and .results[0].facility == "North Facility" and .results[0].arresting_agency == "County Sheriff"
       and .results[0].charges[0].code == "PC 459" and .results[0].charges[0].bail_cents == 2500000
       and .results[0].charges[0].next_court_date == "2099-01-01"
       and .results[0].release_date == null and (.results[0].booked_at | length) > 0
       and .hidden_recent_hours == 2' "$T/b" >/dev/null ||
  fail "canary row: $(cat "$T/b")"
ok
# the row carries only allow-listed keys
jq -e '.results[0] | keys == ["arresting_agency","booked_at","booking_number","charges","facility",
       "first_name","last_name","middle_name","release_date"]' "$T/b" >/dev/null || fail "row keys"
ok
jq -e '[.results[].booking_number] | index("7770002") == null' "$T/b" >/dev/null ||
  fail "a booking from 30 minutes ago is hidden"
ok
get "/api/v1/public/inmates?booking_number=7770002"
want 200 "recent booking by number"
jq -e '.count == 0' "$T/b" >/dev/null || fail "recent booking hidden by number too"; ok
get "/api/v1/public/inmates?booking_number=7770001"
want 200 "by booking number"
jq -e '.count == 1' "$T/b" >/dev/null || fail "found by number"; ok
get "/api/v1/public/inmates?last_name=Wrenshaw"
want 200 "cap"
jq -e '.count == 2 and .total == 3 and .truncated == true and .result_cap == 2' "$T/b" >/dev/null ||
  fail "result cap: $(cat "$T/b")"
ok
jq -e '(.results[] | select(.booking_number == "7770003") | .release_date) == "2030-05-05"
       and (.results[] | select(.booking_number == "7770004") | .release_date) == null' \
  "$T/b" >/dev/null || fail "release date only where public: $(cat "$T/b")"
ok
get "/api/v1/public/inmates?last_name=wrenshaw&first_name=C"
jq -e '.count == 1 and .results[0].first_name == "CAL"' "$T/b" >/dev/null || fail "first-name prefix"; ok
# dob narrows a search (exact date) and is never shown: the leak check below covers these
get "/api/v1/public/inmates?last_name=finchley&dob=1901-02-03"
want 200 "search by name and dob"
jq -e '.count == 1 and .results[0].booking_number == "7770001"' "$T/b" >/dev/null ||
  fail "dob match: $(cat "$T/b")"
ok
get "/api/v1/public/inmates?booking_number=7770001&dob=1901-02-03"
jq -e '.count == 1' "$T/b" >/dev/null || fail "dob with a booking number"; ok
get "/api/v1/public/inmates?last_name=finchley&dob=1901-02-04"
want 200 "other dob"
jq -e '.count == 0' "$T/b" >/dev/null || fail "another dob matches nothing"; ok
for bad in 1901-02-30 1901-02-XX 19010203 "1901-02-03%3Cb%3E"; do
  get "/api/v1/public/inmates?last_name=finchley&dob=$bad"
  want 400 "invalid dob $bad"
  jq -e '.error.code == "invalid" and (.error.message | startswith("dob:"))' "$T/b" >/dev/null ||
    fail "invalid dob error shape: $(cat "$T/b")"
  ! grep -q -e "1901-02" -e 19010203 "$T/b" || fail "invalid dob echoed"
  ok
done
get "/api/v1/public/inmates?first_name=odette"
want 400 "first name alone"
get "/api/v1/public/inmates"
want 400 "no parameters"
get "/api/v1/public/inmates?last_name=%3Cscript%3E"
want 400 "bad characters"
get "/api/v1/public/inmates?a_number=A987650123"
want 400 "unknown parameter"
jq -e '.error.code == "invalid"' "$T/b" >/dev/null || fail "error shape"; ok
get "/api/v1/public/nothing"
want 404 "unknown API path"
get "/api/v1/public/inmates?last_name=finchley" -X POST
want 405 "POST"

# --- HTML
get "/locator"
want 200 "empty form"
grep -q '<form class="usa-form" method="get" action="/locator"' "$T/b" || fail "GET form (no JS)"; ok
grep -q '<label class="usa-label" for="last_name">' "$T/b" || fail "labelled inputs"; ok
get "/locator?last_name=Finchley"
want 200 "HTML search"
grep -q '<th scope="row" data-label="Name">FINCHLEY, ODETTE</th><td data-label="Booking number">7770001</td>' "$T/b" || fail "HTML row"; ok
grep -q '\$25,000.00' "$T/b" || fail "bail"; ok
! grep -q "MAUD" "$T/b" || fail "recent booking hidden in HTML"; ok
get "/locator?last_name=wrenshaw"
grep -q "Showing 2 of 3 people found" "$T/b" || fail "cap: an honest count"; ok
grep -q "Only the first 2 of 3, in order of name, are shown" "$T/b" || fail "cap notice"; ok
get "/locator?last_name=finchley&dob=1901-02-03"
want 200 "HTML dob"
grep -q '>7770001</td>' "$T/b" || fail "HTML search narrowed by dob"; ok
get "/locator?last_name=finchley&dob=1901-13-03"
want 400 "HTML invalid dob"
! grep -q "1901-13" "$T/b" || fail "HTML invalid dob echoed"; ok
get "/locator?booking_number=<x>"
want 400 "HTML bad number"
get "/locator/nope"
want 404 "HTML 404"
# --- errors the server generates: an HTML page for a browser on an HTML route, the JSON shape
# for the API and for clients that do not ask for HTML; same status, same security headers,
# nothing echoed
HTML_ACCEPT='Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'
is_html_error() { # STATUS TITLE
  grep -qi '^content-type: text/html; charset=utf-8' "$T/r.$n.h" || fail "$1 is HTML: $(cat "$T/r.$n.h")"
  grep -q "<h1>$2</h1>" "$T/b" || fail "$1 page title: $(cat "$T/b")"
  grep -q "Error $1\." "$T/b" || fail "$1 page status"
  for h in Content-Security-Policy X-Content-Type-Options X-Frame-Options Referrer-Policy Cache-Control; do
    grep -qi "^$h:" "$T/r.$n.h" || fail "$1 HTML page lacks $h"
  done
  ! grep -qi -e script -e QXECHO "$T/b" || fail "$1 HTML page echoes the request"
  ok
}
is_json_error() { # STATUS CODE
  grep -qi '^content-type: application/json' "$T/r.$n.h" || fail "$1 is JSON"
  jq -e --arg c "$2" '.error.code == $c' "$T/b" >/dev/null || fail "$1 JSON shape: $(cat "$T/b")"
  ok
}
get "/locator/nope"
want 404 "HTML 404 (no Accept)"
is_json_error 404 not_found
get "/locator/QXECHO<script>" -H "$HTML_ACCEPT"
want 404 "HTML 404 for a browser"
is_html_error 404 "Page not found"
get "/console/QXECHOnothing" -H "$HTML_ACCEPT"
want 404 "console 404 for a browser"
is_html_error 404 "Page not found"
get "/locator?last_name=x" -H "$HTML_ACCEPT" -X DELETE
want 405 "HTML 405"
is_html_error 405 "Method not allowed"
grep -qi '^allow: GET' "$T/r.$n.h" || fail "405 page keeps Allow"; ok
get "/locator?last_name=QXECHO%zz" -H "$HTML_ACCEPT"
want 400 "HTML 400 from the query parser"
is_html_error 400 "Invalid request"
get "/api/v1/public/QXECHO" -H "$HTML_ACCEPT"
want 404 "API 404 stays JSON for a browser"
is_json_error 404 not_found
get "/api/v1/public/inmates?last_name=x" -H "$HTML_ACCEPT" -X DELETE
want 405 "API 405 stays JSON"
is_json_error 405 method_not_allowed

get "/login"
want 200 "login page"
get "/login" -X POST --data-urlencode name=FINCHLEY --data-urlencode passphrase=x --data-urlencode code=123456
want 401 "failed login"
get "/console/persons/PCANARY9001"
want 303 "console needs a session"
get "/api/v1/persons/PCANARY9001"
want 401 "API needs a session"
get "/api/v1/bookings/7770001"
want 401 "API booking needs a session"
get "/static/uswds/css/..%2Fpasswd"
get "/static/uswds/css/nothing.css"
want 404 "missing asset"
get "/"
want 303 "root"

# --- rate limit: the bucket (burst 40) runs dry
for _ in $(seq 1 45); do
  get "/api/v1/public/inmates?last_name=finchley"
  [ "$code" = 429 ] && break
done
want 429 "rate limited"
jq -e '.error.code == "rate_limited"' "$T/b" >/dev/null || fail "429 shape"; ok
get "/locator?last_name=finchley"
want 429 "HTML route rate limited (no Accept)"
is_json_error 429 rate_limited
get "/locator?last_name=QXECHO" -H "$HTML_ACCEPT"
want 429 "HTML rate limited for a browser"
is_html_error 429 "Too many requests"
grep -qi '^retry-after: [0-9]' "$T/r.$n.h" || fail "429 page keeps Retry-After"; ok
get "/api/v1/public/inmates?last_name=finchley" -H "$HTML_ACCEPT"
want 429 "API rate limited for a browser"
is_json_error 429 rate_limited

# --- no canary value in any response (headers and bodies)
for v in "${CANARY[@]}"; do
  if grep -l -F -- "$v" "$T"/r.* >"$T/leaks"; then
    fail "canary value '$v' leaked in: $(tr '\n' ' ' <"$T/leaks")"
  fi
done
ok
[ "$n" -ge 40 ] || fail "expected many responses, got $n"; ok
# public searches stay out of the ledger; nothing here wrote a staff entry but the denials
"$CUSTODIAN" audit log --json | jq -e '[.[] | select(.action == "api_request")
  | select(.detail.path | startswith("/api/v1/public/"))] | length == 0' >/dev/null ||
  fail "public searches are not in the ledger"
ok
# a sign-in with a name no account has is counted, not written (issue 12: no ledger writes
# without a person)
"$CUSTODIAN" audit log --json | jq -e '[.[] | select(.action == "login" and .outcome == "failed")]
  | length == 0' >/dev/null || fail "a sign-in as nobody is in the ledger"
ok
# a clean stop: exit 0, and no sanitizer report (leaks included) from the server
kill -TERM "$SERVER_PID"
rc=0; wait "$SERVER_PID" || rc=$?
SERVER_PID=
[ "$rc" = 0 ] || { tail -30 "$T/server.err" >&2; fail "server exit status $rc"; }
! grep -q "Sanitizer" "$T/server.err" || { cat "$T/server.err" >&2; fail "sanitizer report"; }
ok
pass
