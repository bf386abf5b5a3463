#!/usr/bin/env bash
# Oversight reports and the enforcement log on PostgreSQL (docs/internals/store-postgresql.md):
# the same desk history (a county's bookings; a detainer decided, declined and notified; a
# notification request; the DOJ letter fulfilled; enforcement entries and a correction) is
# made in a SQLite store and in a PostgreSQL store, and every report (detainers, transfers,
# the TRUTH forum pack, oversight, the enforcement list and public counts) is the same bytes
# from both; both ledgers verify (their tree heads differ only because an account's created_at
# is the server's clock, docs/internals/store-postgresql.md); a correction of an entry that
# does not exist is refused on both, changing nothing.
# Needs the `pg` fixture (tests/pg/tests.cmake): CUSTODIAN_TEST_PG; skipped (77) without it.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
[ -n "${CUSTODIAN_TEST_PG:-}" ] || { echo "SKIP: CUSTODIAN_TEST_PG is not set (the pg fixture)"; exit 77; }

C=$CUSTODIAN
export CUSTODIAN_TIMEZONE=America/Los_Angeles CUSTODIAN_NOW=2025-03-01T12:00:00Z
DB=cust_rep_$$
psql -q "$CUSTODIAN_TEST_PG" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" 2>/dev/null ||
  fail "create database $DB"
PG="postgresql:///$DB?${CUSTODIAN_TEST_PG#*\?}"
trap 'psql -q "$CUSTODIAN_TEST_PG" -c "DROP DATABASE IF EXISTS $DB" 2>/dev/null || true; rm -rf "$T"' EXIT

"$C" gen --bookings 200 --end 2025-03-01 >"$T/county.jsonl"
det=$(jq -c '{kind: "detainer", form: "I-247A",
  requester: {agency: "ICE", office: "ERO Los Angeles"},
  received_at: "2025-03-03T09:00:00-08:00",
  subject: {booking_number: .booking_number, last_name: .person.last_name,
            first_name: .person.first_name, dob: .person.dob},
  asks: ["hold", "notify"]}' < <(head -1 "$T/county.jsonl"))
cat >"$T/e.json" <<'JSON'
[{"occurred_at": "2025-06-06T10:30:00-07:00", "area": "Westlake", "place": "7th and Alvarado",
  "agency": "ICE ERO", "detained": 3, "persons": [{"name": "Uno"}, {"name": "Dos"}],
  "reasons": "administrative warrants", "source": "deputy", "note": "seen"},
 {"occurred_at": "2025-06-20T07:00:00-07:00", "area": "Boyle Heights", "agency": "CBP",
  "persons": ["Tres"], "source": "community witness"}]
JSON

# the same history, made in the store $CUSTODIAN_DB; outputs in $1/
history() {
  local o=$1 at
  mkdir -p "$o"
  at() { CUSTODIAN_NOW="$1" "${@:2}"; }
  "$C" import --no-progress "$T/county.jsonl" >/dev/null 2>&1 || fail "import into $CUSTODIAN_DB"
  staff dep.ortiz clerk
  D=$(echo "$det" | at 2025-03-03T17:00:00Z "$C" request add -) || fail "request add"
  at 2025-03-03T18:00:00Z "$C" request decide "$D" >/dev/null || fail "decide"
  at 2025-03-03T18:05:00Z "$C" request act "$D" --action hold --decline --by dep.ortiz \
    --reason "declined (prohibited)" >/dev/null || fail "decline"
  at 2025-03-03T18:06:00Z "$C" request act "$D" --action notify --by dep.ortiz >/dev/null 2>&1 || true
  N=$(echo "$det" | jq '.kind = "notification_request" | del(.form) | .asks = ["notify"]
    | .received_at = "2025-03-04T09:00:00-08:00"' | at 2025-03-04T17:00:00Z "$C" request add -)
  at 2025-03-04T17:10:00Z "$C" request decide "$N" >/dev/null || fail "decide $N"
  L=$(jq -n '{kind: "information_request", requester: {agency: "U.S. Department of Justice"},
    received_at: "2025-03-05T09:00:00-08:00", due: "2025-04-04",
    scope: {population: "in_custody", citizenship: "non_citizen", as_of: "2025-03-01"},
    items: ["booking_facts", "charges", "convictions", "release_date"]}' |
    at 2025-03-05T17:00:00Z "$C" request add -)
  at 2025-03-06T17:00:00Z "$C" request fulfill "$L" --out "$o/response.json" >/dev/null 2>&1 ||
    fail "fulfill on $CUSTODIAN_DB"
  at 2025-07-01T17:00:00Z "$C" enforcement add "$T/e.json" >"$o/enf.ids" || fail "enforcement add"
  E1=$(head -1 "$o/enf.ids")
  echo '{"occurred_at": "2025-06-06T10:30:00-07:00", "area": "Westlake", "agency": "ICE ERO",
    "detained": 4, "source": "correction", "supersedes": '"$E1"'}' |
    at 2025-07-02T17:00:00Z "$C" enforcement add - >>"$o/enf.ids" || fail "correction"
  echo '{"occurred_at": "2025-06-06T10:30:00-07:00", "area": "Westlake", "agency": "ICE ERO",
    "detained": 1, "source": "x", "supersedes": 99}' >"$T/bad.json"
  CUSTODIAN_NOW=2025-07-03T17:00:00Z expect_exit 2 "$C" enforcement add "$T/bad.json"
  grep "supersedes: no entry 99" "$T/err" >/dev/null || fail "supersedes 99: $(cat "$T/err")"
  local R=(at 2025-12-01T18:00:00Z "$C" --as records.clerk report)
  "${R[@]}" detainers --from 2025-03-01 --to 2025-03-31 --format json >"$o/detainers.json"
  "${R[@]}" detainers --from 2025-01-01 --to 2025-12-31 --by month >"$o/detainers.txt"
  "${R[@]}" transfers --year 2025 --format csv >"$o/transfers.csv"
  "${R[@]}" truth-forum --year 2025 --format json >"$o/forum.json"
  "${R[@]}" oversight --from 2025-03-01 --to 2025-03-31 --format json >"$o/oversight.json"
  "${R[@]}" oversight --from 2025-03-01 --to 2025-03-31 --person 1 >"$o/oversight-person.txt"
  "$C" enforcement list --json >"$o/enf-list.json"
  "$C" enforcement public --from 2025-01-01 --to 2025-12-31 --csv >"$o/enf-public.csv"
  "$C" audit verify >"$o/verify" 2>&1 || fail "audit verify on $CUSTODIAN_DB: $(cat "$o/verify")"
}
(export CUSTODIAN_DB="$T/county.db"; history "$T/sq")
(export CUSTODIAN_DB="$PG" CUSTODIAN_KEY_FILE="$T/pg.key"; history "$T/pg")

# the history happened (else the comparison proves nothing)
jq -e '.entries == 2 and .detained == 5' "$T/pg/enf-list.json" >/dev/null ||
  fail "enforcement list: $(jq -c '{entries, detained}' "$T/pg/enf-list.json")"
ok
[ "$(jq '[.. | numbers] | add' "$T/pg/detainers.json")" -ge 2 ] || fail "detainers: $(cat "$T/pg/detainers.json")"
ok
for f in detainers.json detainers.txt transfers.csv forum.json oversight.json oversight-person.txt \
  enf-list.json enf-public.csv enf.ids response.json; do
  [ -s "$T/sq/$f" ] || fail "$f: empty on SQLite"
  cmp "$T/sq/$f" "$T/pg/$f" >/dev/null || fail "$f differs: $(diff "$T/sq/$f" "$T/pg/$f" | head -20)"
  ok
done
pass
