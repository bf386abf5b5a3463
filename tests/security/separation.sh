#!/usr/bin/env bash
# Issue 12 item 9, separation of duties: closing, withdrawing, lifting or expiring a request by
# hand ends it, so it is a supervisor's or counsel's act (request.close), with a reason kept in
# the ledger entry; a clerk is refused, saying who may (the old desk let a clerk close a court
# order or withdraw a subpoena, and the CLI asked for no --by at all). Confirming a person who
# was never a match candidate needs a reason and is flagged on the link: on the request page,
# in `request show` and in the inspector general's view (the old desk took it silently).
set -euo pipefail
. "$(dirname "$0")/../integration/lib/common.sh"

C=$CUSTODIAN
TOTP="node $CUST_SOURCE_DIR/tests/browser/totp.mjs"
command -v node >/dev/null || fail "node is needed (scripts/bootstrap installs it)"
"$C" init >/dev/null
"$C" import "$CUST_SOURCE_DIR/tests/data/records/good.jsonl" >/dev/null 2>&1
echo "river otter lantern quietly 42" >"$T/pass"
for u in sgt:supervisor lawyer:counsel deputy:clerk ig:auditor; do
  "$C" user add "${u%%:*}" --role "${u#*:}" --passphrase-file "$T/pass" >"$T/uri.${u%%:*}" 2>/dev/null ||
    fail "user add $u"
done

cat >"$T/co.json" <<'J'
{"kind": "court_order", "requester": {"agency": "U.S. District Court"},
 "received_at": "2025-07-17T09:00:00-07:00", "due": "2025-08-16",
 "scope": {"population": "in_custody", "as_of": "2025-07-17"}, "items": ["booking_facts"]}
J
sed 's/court_order/administrative_subpoena/; s/U.S. District Court/DHS/' "$T/co.json" >"$T/sub.json"
cat >"$T/iv.json" <<'J'
{"kind": "interview_request", "requester": {"agency": "ICE"}, "received_at": "2025-07-16T09:00:00-07:00",
 "subject": {"last_name": "GARCIA", "first_name": "JOSE", "dob": "1988-04-02"}}
J
CO=$("$C" request add "$T/co.json")
SUB=$("$C" request add "$T/sub.json")
DET=$("$C" request add "$CUST_SOURCE_DIR/tests/data/requests/detainer.json")
status() { "$C" request show "$1" --json | jq -r .status; }
last_entry() { # ID ACTION
  "$C" audit log --json | jq -c "[.[] | select(.object_id == \"$1\" and .action == \"$2\")] | last"
}

# --- CLI: ending a request
expect_exit 2 "$C" request close "$CO" --reason "done"
grep -- '--by USER is required' "$T/err" >/dev/null || fail "close without --by: $(cat "$T/err")"; ok
expect_exit 1 "$C" request close "$CO" --by deputy --reason "done"
grep -- "--by 'deputy': a clerk may not request.close (supervisor, counsel may)" "$T/err" >/dev/null ||
  fail "a clerk closing a court order: $(cat "$T/err")"
ok
expect_exit 1 "$C" request withdraw "$SUB" --by deputy --reason "withdrawn"
expect_exit 1 "$C" request expire "$DET" --by deputy --reason "expired"
[ "$(status "$CO")" = received ] && [ "$(status "$SUB")" = received ] || fail "nothing changed"; ok
expect_exit 2 "$C" request withdraw "$SUB" --by lawyer
grep -- '--reason is required' "$T/err" >/dev/null || fail "withdraw without a reason"; ok
expect_exit 0 "$C" request withdraw "$SUB" --by lawyer --reason "DHS withdrew the subpoena by letter of 2025-07-20"
[ "$(status "$SUB")" = withdrawn ] || fail "withdrawn"; ok
last_entry "$SUB" request.status | jq -e '.actor == "lawyer" and .role == "counsel"
  and .purpose == "DHS withdrew the subpoena by letter of 2025-07-20"' >/dev/null ||
  fail "withdrawal in the ledger: $(last_entry "$SUB" request.status)"
ok
expect_exit 0 "$C" request lift "$DET" --by sgt --reason "lifted by ICE"
last_entry "$DET" request.status | jq -e '.actor == "sgt" and .role == "supervisor" and .purpose == "lifted by ICE"' >/dev/null ||
  fail "lift in the ledger"
ok

# --- CLI: confirming a person who was not a candidate
IV=$("$C" request add "$T/iv.json")
"$C" request match "$IV" --json >"$T/cands"
jq -e 'length == 1 and .[0].person_id == 1' "$T/cands" >/dev/null || fail "one candidate: $(cat "$T/cands")"; ok
OTHER=3 # SMITH, ANN: nothing like the subject
expect_exit 2 "$C" request confirm "$IV" "$OTHER" --by sgt
grep -- "person #3 is not among the match candidates for '$IV': confirming needs a reason" "$T/err" >/dev/null ||
  fail "outside the candidates without a reason: $(cat "$T/err")"
ok
"$C" request show "$IV" --json | jq -e '[.links[] | select(.person_id == 3)] | length == 0' >/dev/null ||
  fail "nothing written"
ok
expect_exit 0 "$C" request confirm "$IV" "$OTHER" --by sgt --reason "fingerprint match by CAL-ID, booked under an alias"
"$C" request show "$IV" --json >"$T/iv.show"
jq -e '.links[] | select(.person_id == 3) | .state == "confirmed" and .outside_candidates == true
  and .confirm_reason == "fingerprint match by CAL-ID, booked under an alias"' "$T/iv.show" >/dev/null ||
  fail "the link is flagged: $(jq -c .links "$T/iv.show")"
ok
jq -e '.links[] | select(.person_id == 1) | .outside_candidates == false' "$T/iv.show" >/dev/null ||
  fail "a candidate is not flagged"
ok
last_entry "$IV" request.confirm | jq -e '.actor == "sgt" and .detail.outside_candidates == true
  and .purpose == "fingerprint match by CAL-ID, booked under an alias"' >/dev/null ||
  fail "confirm entry: $(last_entry "$IV" request.confirm)"
ok
"$C" request show "$IV" | grep "confirmed outside the match candidates: fingerprint match by CAL-ID" >/dev/null ||
  fail "request show says so: $("$C" request show "$IV")"
ok
# a candidate needs no reason
expect_exit 0 "$C" request confirm "$IV" 1 --by sgt
"$C" report oversight --from 2000-01-01 --to 2100-01-01 --format json >"$T/ig.json"
jq -e --arg iv "$IV" '[.rows[] | select(.type == "confirmation")] | length == 1 and
  (.[0] | .request_id == $iv and .person_id == 3 and .actor == "sgt" and .outside_candidates == true
   and .reason == "fingerprint match by CAL-ID, booked under an alias")' "$T/ig.json" >/dev/null ||
  fail "IG view: $(jq -c '.rows' "$T/ig.json")"
ok
jq -e '.flagged_confirmations == 1' "$T/ig.json" >/dev/null || fail "IG count"; ok

# --- the console and the API
cat >"$T/serve.ini" <<INI
[server]
threads = 2
[ratelimit]
rate = 1000
burst = 1000
INI
serve_start --config "$T/serve.ini"
declare -A CSRF
for u in deputy sgt lawyer ig; do
  code=$($TOTP "$(cat "$T/uri.$u")")
  st=$(curl -s -c "$T/jar.$u" -o /dev/null -w '%{http_code}' --data-urlencode "name=$u" \
    --data-urlencode "passphrase=$(cat "$T/pass")" --data-urlencode "code=$code" "$BASE/login")
  [ "$st" = 303 ] || fail "login $u: $st"
  CSRF[$u]=$(curl -s -b "$T/jar.$u" "$BASE/console" | grep -o 'name="csrf" value="[0-9a-f]*"' |
    head -1 | sed 's/.*value="//; s/"//')
done
ok
post() { # USER PATH FORM... -> status; body in $T/b
  local u=$1 p=$2
  shift 2
  local a=()
  for f in "$@"; do a+=(--data-urlencode "$f"); done
  curl -s -o "$T/b" -w '%{http_code}' -b "$T/jar.$u" --data-urlencode "csrf=${CSRF[$u]}" "${a[@]}" "$BASE$p"
}
# the page offers the forms to those who may
curl -s -b "$T/jar.sgt" "$BASE/console/requests/$CO" >"$T/page.sgt"
grep "action=\"/console/requests/$CO/close\"" "$T/page.sgt" >/dev/null || fail "close form for a supervisor"; ok
curl -s -b "$T/jar.deputy" "$BASE/console/requests/$CO" >"$T/page.deputy"
! grep "action=\"/console/requests/$CO/close\"" "$T/page.deputy" >/dev/null || fail "no close form for a clerk"; ok
[ "$(post deputy "/console/requests/$CO/close" "reason=done")" = 403 ] || fail "a clerk closes on the console"
grep "supervisor, counsel" "$T/b" >/dev/null || fail "the page says who may: $(grep -o '<main.*' "$T/b" | head -c 400)"; ok
code=$(curl -s -o "$T/b" -w '%{http_code}' -b "$T/jar.deputy" -H "X-CSRF-Token: ${CSRF[deputy]}" \
  -H 'Content-Type: application/json' --data '{"reason":"done"}' "$BASE/api/v1/requests/$CO/close")
[ "$code" = 403 ] || fail "a clerk closes on the API: $code"
grep "may not 'request.close'" "$T/b" >/dev/null || fail "API message: $(cat "$T/b")"; ok
[ "$(status "$CO")" = received ] || fail "still open"; ok
[ "$(post sgt "/console/requests/$CO/close")" = 400 ] || fail "close without a reason"; ok
[ "$(post sgt "/console/requests/$CO/close" "reason=order satisfied: records sealed by the court")" = 303 ] ||
  fail "a supervisor closes: $(cat "$T/b")"
[ "$(status "$CO")" = closed ] || fail "closed"; ok
last_entry "$CO" request.status | jq -e '.actor == "sgt" and .purpose == "order satisfied: records sealed by the court"' >/dev/null ||
  fail "console close in the ledger"
ok
# the flag on the request page and in the IG's view
curl -s -b "$T/jar.sgt" "$BASE/console/requests/$IV" >"$T/iv.html"
grep "confirmed outside the match candidates" "$T/iv.html" >/dev/null &&
  grep "fingerprint match by CAL-ID, booked under an alias" "$T/iv.html" >/dev/null ||
  fail "request page shows the flag"
ok
curl -s -b "$T/jar.ig" "$BASE/console/oversight?from=2020-01-01&to=2039-12-31" >"$T/ig.html"
grep "outside the match candidates" "$T/ig.html" >/dev/null && grep "fingerprint match by CAL-ID" "$T/ig.html" >/dev/null ||
  fail "the IG's page shows the flagged confirmation"
ok
# the console confirms outside the candidates only with a reason
IV2=$("$C" request add "$T/iv.json")
[ "$(post sgt "/console/requests/$IV2/confirm" "person_id=3")" = 400 ] || fail "console confirm without a reason"; ok
[ "$(post sgt "/console/requests/$IV2/confirm" "person_id=3" "reason=known to the deputy")" = 303 ] ||
  fail "console confirm with a reason: $(cat "$T/b")"
"$C" request show "$IV2" --json | jq -e '.links[] | select(.person_id == 3) | .outside_candidates' >/dev/null ||
  fail "console confirm flagged"
ok
"$C" audit verify | grep '^ledger ok' >/dev/null || fail "ledger intact"; ok
pass
