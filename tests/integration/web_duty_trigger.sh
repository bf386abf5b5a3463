#!/usr/bin/env bash
# The console's request page says when each of a decision's duties falls due: a duty whose
# trigger is the law's table's (policies/desk/duty-deadlines.csv "when") and not its rule's
# is shown with it, as the desk creates it. California's rule ca.report-transfer names
# report_transfer_to_state alone; the table says it is owed once a transfer is done
# (transfer_done), so a judicial warrant's decision must not read as a report due now. The page
# reads as a clerk reads it: kinds as words, instants in the county's time, a document of which
# only the hash was received said so.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"

C=$CUSTODIAN
export CUSTODIAN_NOW=2025-07-15T17:00:00Z
export CUSTODIAN_DB="$T/county.db" CUSTODIAN_TIMEZONE=America/Los_Angeles

"$C" init >/dev/null
"$C" import "$CUST_SOURCE_DIR/tests/data/records/good.jsonl" >/dev/null 2>&1
echo "river otter lantern quietly 42" >"$T/pass"
"$C" user add sgt --role supervisor --passphrase-file "$T/pass" >"$T/uri" 2>/dev/null
cat >"$T/jw.json" <<'J'
{"kind": "judicial_warrant", "requester": {"agency": "U.S. Marshals Service"},
 "received_at": "2025-07-15T09:00:00-07:00", "subject": {"booking_number": "6012345"},
 "documents": [{"name": "AO442.pdf", "sha256": "5152f4326077de9ca644f88afbb1b057c8d6df7a82d0ed5098acc10ab2e84063"}]}
J

serve_start
login sgt "$T/pass" "$T/uri"; ok

api POST /api/v1/requests "$T/jw.json"
[ "$(cat "$T/code")" = 201 ] || fail "add: $(cat "$T/b")"
ID=$(jq -r .id "$T/b")
api POST "/api/v1/requests/$ID/decide"
[ "$(cat "$T/code")" = 200 ] || fail "decide: $(cat "$T/b")"
# the decision names the duty without a trigger (the rule's), and none was created yet
jq -e '.result[0].decision.duties | map(select(.duty == "report_transfer_to_state"))
       | length == 1 and (.[0].when == null)' "$T/b" >/dev/null ||
  fail "the rule's duty: $(jq -c '.result[0].decision.duties' "$T/b")"; ok
api GET "/api/v1/duties?request=$ID"
jq -e '[.duties[].duty] | index("report_transfer_to_state") == null' "$T/b" >/dev/null ||
  fail "the report is owed on transfer, not at once: $(jq -c '[.duties[].duty]' "$T/b")"; ok
# the page says so
curl -s -b "$T/jar" -o "$T/page.html" "$BASE/console/requests/$ID"
grep -q "report_transfer_to_state (when transfer_done)" "$T/page.html" ||
  fail "the page: $(grep -o 'report_transfer_to_state[^<]*' "$T/page.html" | head -2)"; ok
# and reads as a clerk reads: the kind in words, no empty "()" for a request without a form,
# the instant it was received in the county's time (not RFC 3339)
grep -q '<dt>Kind</dt><dd>Judicial warrant</dd>' "$T/page.html" ||
  fail "kind: $(grep -o '<dt>Kind</dt><dd>[^<]*' "$T/page.html")"
grep -q '<dd id="status">Decided</dd>' "$T/page.html" ||
  fail "status: $(grep -o '<dd id="status">[^<]*' "$T/page.html")"; ok
# (CLDR puts a narrow no-break space, U+202F, before AM)
grep -q '<dt>Received</dt><dd>July 15, 2025 at 9:00'$'\xe2\x80\xaf''AM PDT</dd>' "$T/page.html" ||
  fail "received: $(grep -o '<dt>Received</dt><dd>[^<]*' "$T/page.html")"; ok
# a document of which only the hash came is said so, not offered as a download of 0 bytes
grep -q '<th scope="row">AO442.pdf (only its hash was received)</th>' "$T/page.html" ||
  fail "hash-only document: $(grep -o '<th scope="row">[^<]*<[^>]*>AO442[^<]*' "$T/page.html")"
! grep -q 'documents/AO442.pdf' "$T/page.html" || fail "a download of a document not kept"
grep -q 'hash was received)</th><td>received</td><td>not received</td>' "$T/page.html" ||
  fail "its size: $(grep -o 'hash was received)</th><td>[^/]*/td><td>[^<]*' "$T/page.html")"; ok
! grep -q '>20[0-9][0-9]-[0-9][0-9]-[0-9][0-9]T' "$T/page.html" ||
  fail "an instant as RFC 3339: $(grep -o '>20[0-9-]*T[^<]*' "$T/page.html")"; ok

serve_stop
pass
