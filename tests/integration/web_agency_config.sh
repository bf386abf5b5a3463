#!/usr/bin/env bash
# The agency's [county] keys (issue 13 item 2) are checked when the server starts: a website
# that is not https:// or http:// with a plain host, a seal that is missing, not an image or
# too large, each stops the start with exit 2 naming the key and where its value came from; a
# good seal is served as GET /seal with its type; without one GET /seal is 404; the locator's
# title and footer name the agency, and a .gov website turns on the official-site banner.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"

C=$CUSTODIAN
"$C" init >/dev/null
serve_fails() { # CONFIG-TEXT EXPECTED-MESSAGE
  printf '%s\n' "$1" >"$T/county.ini"
  expect_exit 2 "$C" --config "$T/county.ini" serve --listen 127.0.0.1:0 --port-file "$T/port"
  grep -F -- "$2" "$T/err" >/dev/null || fail "message for [$1]: $(cat "$T/err")"
  ok
}
serve_fails $'[county]\nagency_website = ftp://sheriff.example.gov' \
  "county.agency_website ($T/county.ini:2): 'ftp://sheriff.example.gov' is not an https:// or http:// address"
serve_fails $'[county]\nagency_website = https://bad host.gov' "is not an https:// or http:// address"
serve_fails $'[county]\nagency_website = https://x.gov/"><script>' "is not an https:// or http:// address"
serve_fails $'[county]\nagency_seal = missing.png' "county.agency_seal ($T/county.ini:2): cannot read '$T/missing.png'"
serve_fails $'[county]\nagency_seal = county.ini' "is not a .png, .svg or .jpg file"
head -c 1100000 /dev/zero >"$T/big.png"
serve_fails $'[county]\nagency_seal = big.png' "is larger than 1 MiB"
: >"$T/empty.svg"
serve_fails $'[county]\nagency_seal = empty.svg' "is empty or unreadable"
CUSTODIAN_AGENCY_WEBSITE='gopher://x' expect_exit 2 "$C" serve --listen 127.0.0.1:0
grep -F "county.agency_website (env CUSTODIAN_AGENCY_WEBSITE)" "$T/err" >/dev/null || fail "env source named"; ok

start() { # CONFIG-FILE
  rm -f "$T/port"
  "$C" --config "$1" serve --listen 127.0.0.1:0 --port-file "$T/port" 2>"$T/serve.err" &
  PID=$!
  for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.1; done
  [ -s "$T/port" ] || fail "server did not start: $(cat "$T/serve.err")"
  BASE="http://127.0.0.1:$(cat "$T/port")"
}
stop() { kill "$PID"; wait "$PID" || true; }

# no seal, no website: /seal is 404, no banner, the default agency name
printf '[county]\nagency_name = Plain County Jail\n' >"$T/plain.ini"
start "$T/plain.ini"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/seal")" = 404 ] || fail "/seal without a seal"; ok
curl -s "$BASE/locator" >"$T/page"
grep -F "<title>Inmate locator | Plain County Jail</title>" "$T/page" >/dev/null || fail "title"; ok
! grep -F "usa-banner" "$T/page" >/dev/null || fail "banner without a .gov site"; ok
! grep -F 'src="/seal"' "$T/page" >/dev/null || fail "seal image without a seal"; ok
stop

# the example county: seal served, banner, footer
cp "$CUST_SOURCE_DIR/examples/county/seal.svg" "$T/seal.svg"
printf '[county]\nagency_name = Example County Sheriff\x27s Department\nagency_seal = seal.svg\nagency_website = https://sheriff.example.gov\nagency_phone = +1 555 010 0100\n' >"$T/gov.ini"
start "$T/gov.ini"
curl -s -D "$T/h" -o "$T/seal.out" "$BASE/seal"
grep -i '^content-type: image/svg+xml' "$T/h" >/dev/null || fail "seal type"; ok
cmp -s "$T/seal.out" "$T/seal.svg" || fail "seal bytes"; ok
curl -s "$BASE/locator" >"$T/page"
grep -F "An official website of Example County Sheriff&#39;s Department" "$T/page" >/dev/null || fail "banner"; ok
grep -F '<a href="tel:+15550100100">+1 555 010 0100</a>' "$T/page" >/dev/null || fail "tel link"; ok
grep -F '<a href="https://sheriff.example.gov">' "$T/page" >/dev/null || fail "website link"; ok
stop
pass
