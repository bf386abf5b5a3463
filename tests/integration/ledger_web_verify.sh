#!/usr/bin/env bash
# GET /api/v1/audit/verify checks what `custodian audit verify` checks: the chain, the
# disclosures and every row of the record and the desk. Before, it checked the chain only and
# answered "ok": true for a store whose rows an insider had edited.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
C=$CUSTODIAN
TOTP="node $CUST_SOURCE_DIR/tests/browser/totp.mjs"
command -v node >/dev/null || fail "node is needed (scripts/bootstrap installs it)"
command -v curl >/dev/null || fail "curl is needed"
command -v jq >/dev/null || fail "jq is needed"
"$C" import "$CUST_SOURCE_DIR/tests/data/records/good.jsonl" 2>/dev/null
echo "river otter lantern quietly 42" >"$T/pass"
"$C" user add aud --role auditor --passphrase-file "$T/pass" >"$T/uri" 2>/dev/null
SECRET=$(sed -n 's/.*[?&]secret=\([A-Z2-7]*\).*/\1/p' "$T/uri")
start() {
  serve_start
  code=$(curl -s -c "$T/jar" -o /dev/null -w '%{http_code}' --data-urlencode "name=aud" \
    --data-urlencode "passphrase=$(cat "$T/pass")" --data-urlencode "code=$($TOTP "$SECRET")" \
    "$BASE/login")
  [ "$code" = 303 ] || fail "login: $code"
}

start
curl -s -b "$T/jar" "$BASE/api/v1/audit/verify" >"$T/v1"
jq -e '.ok and .chain_ok and .rows_ok and .rows > 0 and (.root | length) == 44' "$T/v1" >/dev/null ||
  { cat "$T/v1" >&2; fail "an intact store"; }
ok
# an insider edits a person's citizenship beside the running server (no trigger guards persons)
sqlite3 "$CUSTODIAN_DB" "UPDATE persons SET citizenship_status = 'citizen' WHERE id = 1"
curl -s -b "$T/jar" "$BASE/api/v1/audit/verify" >"$T/v2"
jq -e '(.ok | not) and .chain_ok and (.rows_ok | not) and .row_problem.table == "persons"
  and .row_problem.key == "1" and .row_problem.kind == "changed"
  and (.reason | test("^persons id 1 .*content does not match entry"))' "$T/v2" >/dev/null ||
  { cat "$T/v2" >&2; fail "the edited person is named"; }
ok
# the console's audit page says the same
curl -s -b "$T/jar" "$BASE/console/audit" >"$T/page"
grep 'id="rows">broken: persons id 1 ' "$T/page" >/dev/null || fail "the audit page names the row"
grep 'Ledger damaged' "$T/page" >/dev/null || fail "the audit page says damaged"
ok
serve_stop
"$C" audit verify >"$T/out" 2>"$T/err" && fail "the CLI agrees"
grep '^row broken: persons id 1 ' "$T/err" >/dev/null || fail "the CLI names the same row"
ok
pass
