#!/usr/bin/env bash
# No name, no restricted field leaves through the public-records export or the public
# enforcement page. A canary person whose every identifying value is unique is the subject of a
# detainer, a notification request and a data request worked through the desk (with the name
# typed into a reason and a note, as a clerk would); the CPRA export of the period must hold
# none of the values, and still every record (requests, decisions with citations, actions,
# disclosures), with a manifest whose SHA-256s are the files'. An enforcement entry naming
# canary people must show on the public page and its API only as counts. Also: the
# enforcement log's input errors, all-or-nothing, corrections.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"

C=$CUSTODIAN
export CUSTODIAN_TIMEZONE=America/Los_Angeles
"$C" init >/dev/null
cat >"$T/canary.jsonl" <<'JSON'
{"booking_number":"7770001","booked_at":"2025-03-01T10:00:00-08:00","facility":"North Facility","housing":"HX-CANARYHOUSING-4411","arresting_agency":"County Sheriff","person":{"person_id":"PCANARY9001","last_name":"FINCHLEY","first_name":"ODETTE","middle_name":"QXMIDDLE","dob":"1901-02-03","sex":"F","aliases":[{"last_name":"QXALIASNAME","first_name":"ZEDDICUS","dob":"1901-02-03"}],"ids":{"cii":"Q99887766","fbi":"887766QX3","sid":"CA55443322","a_number":"A987650123"},"place_of_birth":"QXBIRTHPLACE","citizenship":{"status":"non_citizen","country":"QXCOUNTRY","source":"self_reported","verified":false,"recorded_at":"2025-03-01"},"home_address":"4411 Quixotic Canary Lane, Nowhere CA 90000","immigration_status":"QXIMMSTATUS","sex_arson_registrant":false},"charges":[{"code":"PC 459","description":"QXBURGLARYDESC","level":"felony","status":"pending","held_to_answer":false,"case_number":"BA777001","court":"Dept 1","next_court_date":"2025-05-01","bail_cents":2500000}],"prior_convictions":[{"code":"PC 211","level":"felony","date":"1999-09-09","jurisdiction":"CA"}],"scheduled_release":"2025-04-11","release_date_public":false,"released_at":null}
{"booking_number":"7770002","booked_at":"2025-03-02T10:00:00-08:00","facility":"North Facility","arresting_agency":"County Sheriff","person":{"person_id":"P2","last_name":"WRENSHAW","first_name":"ANN","dob":"1970-01-01","citizenship":{"status":"non_citizen","country":"MX","source":"self_reported","verified":false,"recorded_at":"2025-03-02"}},"charges":[{"code":"VC 23152(a)","description":"DUI","level":"misdemeanor","status":"pending"}],"scheduled_release":"2025-06-01","release_date_public":true}
JSON
"$C" import "$T/canary.jsonl" >/dev/null 2>&1 || fail "import"
staff dep.ortiz clerk # --by names an active account (issue 11)
CANARY=(FINCHLEY ODETTE QXMIDDLE 1901-02-03 QXALIASNAME ZEDDICUS Q99887766 887766QX3 CA55443322
        A987650123 QXBIRTHPLACE QXCOUNTRY "Quixotic Canary" QXIMMSTATUS 7770001 PCANARY9001
        CANARYHOUSING QXBURGLARYDESC BA777001 1999-09-09 "Officer Qxcontact" 555-0199)

at() { CUSTODIAN_NOW="$1" "${@:2}"; }
det=$(cat <<'JSON'
{"kind": "detainer", "form": "I-247A",
 "requester": {"agency": "ICE", "office": "ERO Los Angeles", "contact": "Officer Qxcontact, 555-0199"},
 "received_at": "2025-03-03T09:00:00-08:00",
 "subject": {"booking_number": "7770001", "last_name": "FINCHLEY", "first_name": "ODETTE",
             "dob": "1901-02-03", "a_number": "A987650123", "fbi": "887766QX3"},
 "asks": ["hold", "notify"],
 "documents": [{"name": "I-247A FINCHLEY ODETTE A987650123.pdf",
                "sha256": "0000000000000000000000000000000000000000000000000000000000000001"}],
 "note": "received by fax for FINCHLEY, ODETTE (A987650123) at 4411 Quixotic Canary Lane"}
JSON
)
D=$(echo "$det" | at 2025-03-03T17:00:00Z "$C" request add -)
at 2025-03-03T18:00:00Z "$C" request decide "$D" >/dev/null
at 2025-03-03T18:05:00Z "$C" request act "$D" --action hold --decline --by dep.ortiz \
  --reason "hold for FINCHLEY ODETTE declined (prohibited)" >/dev/null
at 2025-03-03T18:06:00Z "$C" request act "$D" --action notify --by dep.ortiz >/dev/null ||
  fail "notify (a 7282.5 record: PC 211)"
N=$(echo "$det" | jq '.kind = "notification_request" | del(.form) | .asks = ["notify"] | .received_at = "2025-03-04T09:00:00-08:00"' |
  at 2025-03-04T17:00:00Z "$C" request add -)
at 2025-03-04T17:10:00Z "$C" request decide "$N" >/dev/null
at 2025-03-04T17:11:00Z "$C" request act "$N" --action notify --by dep.ortiz >/dev/null
L=$(jq -n '{kind: "information_request", requester: {agency: "U.S. Department of Justice"},
  received_at: "2025-03-05T09:00:00-08:00", due: "2025-04-04",
  scope: {population: "in_custody", citizenship: "non_citizen", as_of: "2025-03-05"},
  items: ["booking_facts", "charges", "convictions", "release_date"],
  note: "letter of the Office of the Deputy Attorney General"}' |
  at 2025-03-05T17:00:00Z "$C" request add -)
at 2025-03-06T17:00:00Z "$C" request fulfill "$L" --out "$T/response.json" 2>/dev/null
grep -q FINCHLEY "$T/response.json" || fail "the response to DOJ names the canary (else the test proves nothing)"; ok

# --- the export
at 2025-12-01T18:00:00Z "$C" --as records.clerk report cpra --from 2025-03-01 --to 2025-03-31 \
  --out "$T/cpra" --tar "$T/cpra.tar" 2>"$T/cpra.err" || { cat "$T/cpra.err" >&2; fail "cpra"; }
grep -q "^cpra: 3 requests" "$T/cpra.err" || fail "cpra summary: $(cat "$T/cpra.err")"; ok
ls "$T/cpra" | sort | tr '\n' ' ' >"$T/files"
[ "$(cat "$T/files")" = "MANIFEST.json README.txt REDACTIONS.md actions.csv decisions.csv disclosures.csv documents.csv duties.csv requests.csv transfers.csv " ] ||
  fail "files: $(cat "$T/files")"; ok
for v in "${CANARY[@]}"; do
  if grep -rqF -- "$v" "$T/cpra"; then grep -rnF -- "$v" "$T/cpra" >&2; fail "the export holds '$v'"; fi
done
ok
if tar -xOf "$T/cpra.tar" | grep -F -e FINCHLEY -e A987650123 >/dev/null; then fail "the tar holds a canary"; fi; ok
# ... and still every record, redacted
[ "$(tail -n +2 "$T/cpra/requests.csv" | wc -l)" = 3 ] || fail "requests.csv rows"; ok
grep -q "^$D,detainer,I-247A,ICE,ERO Los Angeles," "$T/cpra/requests.csv" || fail "the detainer row"; ok
grep -q "\[redacted\]" "$T/cpra/requests.csv" || fail "the note redacted by value"; ok
grep -q "declined,dep.ortiz,.*hold for \[redacted\] \[redacted\] declined" "$T/cpra/actions.csv" ||
  fail "the reason redacted by value: $(grep hold "$T/cpra/actions.csv")"; ok
grep -q ",person 1,us-ca,.*,action,hold,prohibited,ca.hold,Cal. Gov. Code § 7284.6(a)(1)(B)" "$T/cpra/decisions.csv" ||
  fail "decision with rule and citation"; ok
[ "$(tail -n +2 "$T/cpra/disclosures.csv" | wc -l)" = 2 ] || fail "one disclosure row per person given"; ok
# a population's criminal history is withheld (Gov. Code 7284.6(b)(2), PC 11105): given and
# withheld are each listed
grep -q "^$L,[01],person [0-9]*,booking_facts charges release_date,convictions," "$T/cpra/disclosures.csv" ||
  fail "disclosure items: $(cat "$T/cpra/disclosures.csv")"; ok
grep -q "I-247A \[redacted\] \[redacted\] \[redacted\].pdf" "$T/cpra/documents.csv" || fail "document name redacted"; ok
# the manifest: each file's SHA-256, the ledger's head; the export in the ledger
for f in requests.csv decisions.csv actions.csv duties.csv transfers.csv disclosures.csv documents.csv REDACTIONS.md README.txt; do
  want=$(sha256sum "$T/cpra/$f" | cut -d' ' -f1)
  jq -e --arg f "$f" --arg h "$want" '.files[] | select(.name == $f) | .sha256 == $h' "$T/cpra/MANIFEST.json" >/dev/null ||
    fail "manifest sha256 of $f"
done
ok
jq -e '.redaction_list == "custodian-cpra-redactions-v1" and .ledger.seq > 0 and (.ledger.hash | length) == 64
       and .from == "2025-03-01" and .persons == 2' "$T/cpra/MANIFEST.json" >/dev/null || fail "manifest"; ok
M=$(sha256sum "$T/cpra/MANIFEST.json" | cut -d' ' -f1)
"$C" audit log --json | jq -e --arg m "$M" 'last(.[] | select(.action == "export" and .object_type == "cpra"))
  | .actor == "records.clerk" and (.detail | if type == "string" then fromjson else . end | .manifest_sha256 == $m)' >/dev/null ||
  fail "export ledger entry"; ok
expect_exit 1 "$C" report cpra --from 2025-03-01 --to 2025-03-31 --out "$T/cpra"
grep -q "exists: an export goes into a new or empty folder" "$T/err" || fail "no overwrite"; ok
expect_exit 0 "$C" report cpra-verify "$T/cpra"
grep -q "^export ok: 9 files match MANIFEST.json .*; not signed" "$T/out" || fail "verify unsigned"; ok

# --- signed with the ledger's checkpoint key; checked with the published key ---------------------
mkdir "$T/keys"
"$C" audit key generate --name county.example/jail-ledger --out "$T/keys/ledger" >/dev/null 2>&1
CUSTODIAN_LEDGER_KEY="$T/keys/ledger.key" "$C" report cpra --from 2025-03-01 --to 2025-03-31 \
  --out "$T/signed" 2>"$T/cpra.err" || { cat "$T/cpra.err" >&2; fail "signed export"; }
grep -q ", signed)" "$T/cpra.err" || fail "says signed: $(cat "$T/cpra.err")"; ok
head -1 "$T/signed/MANIFEST.json.sig" | grep -x "custodian-cpra-export" >/dev/null || fail "the signed note"; ok
grep -q "^— county.example/jail-ledger " "$T/signed/MANIFEST.json.sig" || fail "the signature line"; ok
jq -e '.ledger.tree_size > 0 and (.ledger.tree_root | length) == 44' "$T/signed/MANIFEST.json" >/dev/null ||
  fail "the manifest names the ledger's tree"; ok
expect_exit 0 "$C" report cpra-verify "$T/signed" --pubkey "$T/keys/ledger.pub"
grep -q "signature verified" "$T/out" && grep -q "^signed by county.example/jail-ledger at ledger tree size [0-9]" "$T/out" ||
  fail "verified: $(cat "$T/out")"; ok
# another key does not verify; a changed file, an added file, a replaced manifest are found
"$C" audit key generate --name other.example/log --out "$T/keys/other" >/dev/null 2>&1
expect_exit 1 "$C" report cpra-verify "$T/signed" --pubkey "$T/keys/other.pub"
cp -r "$T/signed" "$T/t1"; sed -i 's/declined/honored/' "$T/t1/actions.csv"
expect_exit 1 "$C" report cpra-verify "$T/t1" --pubkey "$T/keys/ledger.pub"
grep -q "actions.csv: its SHA-256 or size differs" "$T/err" || fail "tampered file: $(cat "$T/err")"; ok
cp -r "$T/signed" "$T/t2"; echo x >"$T/t2/extra.csv"
expect_exit 1 "$C" report cpra-verify "$T/t2"
grep -q "extra.csv is not in the manifest" "$T/err" || fail "added file"; ok
cp -r "$T/signed" "$T/t3"; sed -i 's/"persons": 2/"persons": 3/' "$T/t3/MANIFEST.json"
expect_exit 1 "$C" report cpra-verify "$T/t3" --pubkey "$T/keys/ledger.pub"
grep -q "signs another manifest" "$T/err" || fail "replaced manifest: $(cat "$T/err")"; ok
expect_exit 1 "$C" report cpra-verify "$T/cpra" --pubkey "$T/keys/ledger.pub"
grep -q "not signed" "$T/err" || fail "an unsigned export with a key to check"; ok

# --- the enforcement log -------------------------------------------------------------------------
cat >"$T/e.json" <<'JSON'
[{"occurred_at": "2025-06-06T10:30:00-07:00", "area": "Westlake", "place": "QXPLACE 7th and Alvarado",
  "agency": "ICE ERO", "detained": 3, "persons": [{"name": "QXDETAINEE Uno"}, {"name": "QXDETAINEE Dos"}],
  "reasons": "QXREASON administrative warrants", "source": "QXSOURCE deputy", "note": "QXNOTE"},
 {"occurred_at": "2025-06-20T07:00:00-07:00", "area": "Boyle Heights", "agency": "CBP",
  "persons": ["QXDETAINEE Tres"], "source": "community witness"}]
JSON
expect_exit 0 "$C" enforcement add "$T/e.json"
[ "$(wc -l <"$T/out")" = 2 ] || fail "two entries numbered"; ok
E1=$(head -1 "$T/out")
# invalid: every problem named, nothing stored (all or nothing)
cat >"$T/bad.json" <<'JSON'
[{"occurred_at": "2025-07-01T10:00:00-07:00", "area": "Westlake", "agency": "ICE", "source": "x"},
 {"occurred_at": "yesterday", "area": "", "agency": "ICE", "detained": -1, "colour": "red"}]
JSON
expect_exit 2 "$C" enforcement add "$T/bad.json"
for p in "enforcement.occurred_at: not an RFC 3339" "enforcement.area: must be 1 to" "enforcement.detained" \
  "enforcement.colour: unknown field" "enforcement.source: required"; do
  grep -q "^$T/bad.json: \[1\] $p" "$T/err" || fail "error '$p': $(cat "$T/err")"
done
ok
grep -q "\[0\]" "$T/err" && fail "the valid entry has no error"; ok
[ "$("$C" enforcement list --json | jq '.rows | length')" = 2 ] || fail "nothing stored"; ok
echo '{"occurred_at": "2025-06-06T10:30:00-07:00", "area": "Westlake", "agency": "ICE ERO",
  "detained": 4, "source": "QXSOURCE correction", "supersedes": '"$E1"'}' | "$C" enforcement add - >/dev/null
"$C" enforcement list --json >"$T/list.json"
jq -e '.entries == 2 and .detained == 5 and (.rows[0].superseded == true)
       and ([.rows[].names] | join(";") | test("QXDETAINEE Uno"))' "$T/list.json" >/dev/null ||
  fail "list: $(jq -c '{entries, detained}' "$T/list.json")"; ok
"$C" enforcement public --from 2025-01-01 --to 2025-12-31 --json >"$T/pub.json"
jq -e '.entries == 2 and .detained == 5 and (.areas | map(.area) == ["Boyle Heights", "Westlake"])
       and (.months[5].entries == 2)' "$T/pub.json" >/dev/null || fail "public counts: $(jq -c . "$T/pub.json")"; ok
if grep -q QX "$T/pub.json"; then fail "public counts hold a canary"; fi; ok
"$C" enforcement list --csv | grep "QXDETAINEE Uno; QXDETAINEE Dos" >/dev/null || fail "CSV with names"; ok
"$C" audit log --json | jq -e '[.[] | select(.action == "enforcement.add")] | length == 3' >/dev/null ||
  fail "each entry in the ledger"; ok
if "$C" audit log --json | jq -r '.[] | select(.action == "enforcement.add") | .detail' | grep QXDETAINEE >/dev/null; then
  fail "the ledger names the detained"
fi
ok

# --- the public page and API against a server: counts only ---------------------------------------
serve_start
i=0
for path in "/enforcement" "/enforcement?year=2025" "/enforcement?from=2025-06-01&to=2025-06-30" \
  "/enforcement?year=bad" "/enforcement?name=x" "/api/v1/public/enforcement?year=2025" \
  "/api/v1/public/enforcement?from=2025-06-01&to=2025-06-30" "/api/v1/public/enforcement?to=x" \
  "/api/v1/enforcement?format=csv" "/console/enforcement"; do
  i=$((i + 1))
  curl -s -D "$T/h.$i" -o "$T/b.$i" "$BASE$path"
  if grep -q -e QX -e FINCHLEY "$T/h.$i" "$T/b.$i"; then fail "$path shows a canary"; fi
done
ok
grep -q '<span id="entries">2</span>' "$T/b.2" || fail "the public page counts: $(grep -o 'id="entries">[0-9]*' "$T/b.2")"; ok
jq -e '.entries == 2' "$T/b.6" >/dev/null || fail "the public API counts"; ok
head -1 "$T/h.4" | grep -q 400 || fail "a bad year is a 400"; ok
head -1 "$T/h.9" | grep -q 401 || fail "the log's CSV needs a session"; ok
kill -TERM "$SERVER_PID"
wait "$SERVER_PID" || true
SERVER_PID=
# --- the log is part of the tamper-evident record (the ledger's row journal) ----------------------
"$C" audit verify >"$T/verify" 2>&1 || { cat "$T/verify" >&2; fail "the ledger verifies with the log"; }; ok
db=${CUSTODIAN_DB:-custodian.db}
sqlite3 "$db" "DROP TRIGGER enforcement_actions_no_update;
               UPDATE enforcement_actions SET detained = 9 WHERE id = $E1" || fail "tamper"
if "$C" audit verify >"$T/verify" 2>&1; then fail "a changed log entry goes unseen"; fi
grep "enforcement entry #$E1" "$T/verify" >/dev/null || { cat "$T/verify" >&2; fail "verify names the entry"; }; ok
pass
