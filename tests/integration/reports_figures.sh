#!/usr/bin/env bash
# The oversight reports' figures against counts computed independently, with sqlite3 and jq
# over the store of a small demo county whose requests `custodian demo history` worked through
# the desk: detainer statistics (2024, 2025, by month), the transfer report, the TRUTH forum
# pack, the inspector general's view; their CSV and HTML; the CLI's errors; the history's
# ledger in time order.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"

C=$CUSTODIAN
export CUSTODIAN_TIMEZONE=America/Los_Angeles
q() { sqlite3 -batch -noheader "$CUSTODIAN_DB" "$1"; }
GEN=(--seed 3 --bookings 12000 --start 2024-01-01 --end 2025-12-31)
"$C" init >/dev/null
"$C" gen "${GEN[@]}" >"$T/county.jsonl"
CUSTODIAN_NOW=2024-01-01T00:00:00-08:00 "$C" --as demo-loader import "$T/county.jsonl" 2>/dev/null
expect_exit 0 "$C" demo history "${GEN[@]}"
grep -q "^demo history: [0-9]* requests" "$T/err" || fail "history summary: $(tail -1 "$T/err")"; ok
grep -q " [1-9][0-9]* enforcement actions logged" "$T/err" || fail "history logs enforcement: $(tail -1 "$T/err")"; ok
# a second history into the same store is refused
expect_exit 1 "$C" demo history --quiet "${GEN[@]}"
grep -q "already holds" "$T/err" || fail "second history"; ok
[ "$("$C" audit verify | head -1 | cut -d' ' -f1-2)" = "ledger ok:" ] || fail "ledger"; ok

# the ledger tells the story in time order, by the story's staff, and never after its end
q "SELECT count(*) FROM ledger a JOIN ledger b ON b.seq = a.seq + 1 WHERE b.at < a.at" >"$T/n"
[ "$(cat "$T/n")" -eq 0 ] || fail "$(cat "$T/n") ledger entries earlier than the one before"; ok
[ "$(q "SELECT max(at) < '2026-01-01T08:00:00Z' FROM ledger")" = 1 ] || fail "ledger past the end"; ok
[ "$(q "SELECT count(DISTINCT actor) FROM ledger WHERE actor LIKE 'dep.%' OR actor LIKE 'sgt.%'")" -ge 5 ] ||
  fail "staff of the story"; ok
# the enforcement log of the story: entries from 6 June 2025, each recorded by a clerk after it
# happened, each with its ledger entry; the public counts add up and name no one
n=$(q "SELECT count(*) FROM enforcement_actions")
[ "$n" -gt 20 ] || fail "enforcement entries: $n"; ok
[ "$(q "SELECT count(*) FROM ledger WHERE action = 'enforcement.add'")" = "$n" ] || fail "each entry in the ledger"; ok
[ "$(q "SELECT count(*) FROM enforcement_actions WHERE occurred_ts < $(TZ=America/Los_Angeles date -d 2025-06-06 +%s)
     OR recorded_by NOT LIKE 'dep.%' OR CAST(strftime('%s', recorded_at) AS INTEGER) < occurred_ts")" = 0 ] || fail "when and by whom"; ok
"$C" enforcement public --from 2025-01-01 --to 2025-12-31 --json >"$T/ep.json"
[ "$(jq .entries "$T/ep.json")" = "$n" ] || fail "public entries"; ok
[ "$(jq '[.areas[].detained] | add' "$T/ep.json")" = "$(q "SELECT sum(detained) FROM enforcement_actions")" ] ||
  fail "public detained by area"; ok
q "SELECT DISTINCT json_extract(value, '\$.name') FROM enforcement_actions, json_each(persons)" >"$T/names"
[ -s "$T/names" ] || fail "a few entries name someone"; ok
if grep -qFf "$T/names" "$T/ep.json"; then fail "a name on the public counts"; fi; ok
# every request was taken in when it came, or as soon as the desk was free (within the hour)
q "SELECT count(*) FROM requests WHERE CAST(strftime('%s', created_at) AS INTEGER) < received_ts
     OR CAST(strftime('%s', created_at) AS INTEGER) > received_ts + 3600" >"$T/n"
[ "$(cat "$T/n")" = 0 ] || fail "$(cat "$T/n") requests not taken in within the hour"; ok

# --- detainer statistics, 2024 ---------------------------------------------------------------
"$C" report detainers --year 2024 --by month --format json >"$T/d24.json"
Y="substr(received_at, 1, 4) = '2024'" # the request's own local date (LA offsets)
for kind in detainer notification_request transfer_request administrative_warrant judicial_warrant \
  judicial_probable_cause interview_request information_request administrative_subpoena court_order; do
  want=$(q "SELECT count(*) FROM requests WHERE $Y AND kind = '$kind'")
  got=$(jq -r ".requests.$kind" "$T/d24.json")
  [ "$got" = "$want" ] || fail "2024 $kind: report $got, store $want"
done
ok
[ "$(jq .total "$T/d24.json")" = "$(q "SELECT count(*) FROM requests WHERE $Y")" ] || fail total; ok
asks() { q "SELECT count(*) FROM requests r WHERE $Y AND EXISTS(SELECT 1 FROM json_each(r.doc, '\$.asks') WHERE value = '$1')"; }
done_on() { q "SELECT count(DISTINCT a.request_id) FROM actions a JOIN requests r ON r.id = a.request_id WHERE $Y AND a.action = '$1' AND a.outcome = '$2'"; }
[ "$(jq .holds.requested "$T/d24.json")" = "$(asks hold)" ] || fail "holds requested"; ok
[ "$(jq .holds.honored "$T/d24.json")" = "$(done_on hold done)" ] || fail "holds honored"; ok
[ "$(jq .holds.honored "$T/d24.json")" = 0 ] || fail "a California county honors no hold"; ok
[ "$(jq .holds.declined "$T/d24.json")" = "$(done_on hold declined)" ] || fail "holds declined"; ok
[ "$(jq .notifications.requested "$T/d24.json")" = "$(asks notify)" ] || fail "notifications requested"; ok
[ "$(jq .notifications.given "$T/d24.json")" = "$(done_on notify done)" ] || fail "notifications given"; ok
[ "$(jq .notifications.given "$T/d24.json")" -gt 0 ] || fail "some notifications given"; ok
for st in expired withdrawn lifted; do
  [ "$(jq ".$st" "$T/d24.json")" = "$(q "SELECT count(*) FROM requests WHERE $Y AND status = '$st'")" ] ||
    fail "status $st"
done
ok
[ "$(jq .expired "$T/d24.json")" -gt 0 ] || fail "declined detainers expire"; ok
[ "$(jq .declined "$T/d24.json")" = "$(q "SELECT count(DISTINCT a.request_id) FROM actions a JOIN requests r ON r.id = a.request_id WHERE $Y AND a.outcome = 'declined'")" ] ||
  fail declined; ok
[ "$(jq .matched "$T/d24.json")" = "$(q "SELECT count(DISTINCT r.id) FROM requests r JOIN request_links l ON l.request_id = r.id AND l.state = 'confirmed' WHERE $Y")" ] ||
  fail matched; ok
[ "$(jq .decided "$T/d24.json")" = "$(q "SELECT count(DISTINCT r.id) FROM requests r JOIN decisions d ON d.request_id = r.id WHERE $Y")" ] ||
  fail decided; ok
jq -e '[.by_agency[]] | add == input.total' "$T/d24.json" "$T/d24.json" >/dev/null || fail by_agency; ok
# the months add up to the year
jq -e '(.months | length) == 12 and ([.months[].detainers] | add) == .requests.detainer
       and ([.months[].notifications_given] | add) == .notifications.given
       and ([.months[].requests] | add) == .total' "$T/d24.json" >/dev/null || fail "months"; ok
m03=$(q "SELECT count(*) FROM requests WHERE kind = 'detainer' AND substr(received_at, 1, 7) = '2024-03'")
[ "$(jq '.months[2].detainers' "$T/d24.json")" = "$m03" ] || fail "2024-03 detainers"; ok

# --- transfers, 2025 (local days: the bounds of 2025 in Los Angeles) -------------------------
F=$(TZ=America/Los_Angeles date -d '2025-01-01 00:00' +%s)
U=$(TZ=America/Los_Angeles date -d '2026-01-01 00:00' +%s)
IN="CAST(strftime('%s', at) AS INTEGER) BETWEEN $F AND $((U - 1))"
"$C" report transfers --year 2025 --format json >"$T/x25.json"
[ "$(jq .total "$T/x25.json")" = "$(q "SELECT count(*) FROM transfers WHERE $IN")" ] || fail "transfers 2025"; ok
[ "$(jq .total "$T/x25.json")" -gt 0 ] || fail "transfers on judicial warrants in 2025"; ok
[ "$(jq '.by_basis.judicial_warrant' "$T/x25.json")" = "$(q "SELECT count(*) FROM transfers WHERE $IN AND basis = 'judicial_warrant'")" ] ||
  fail "by basis"; ok
[ "$(jq '.by_basis["7282.5"]' "$T/x25.json")" = 0 ] || fail "no transfer on an ICE request"; ok
jq -r '.rows[] | [.booking_number, .warrant_number, .date] | @tsv' "$T/x25.json" | sort >"$T/rows.report"
q "SELECT booking_number, warrant_number, at FROM transfers WHERE $IN" |
  while IFS='|' read -r bn w at; do printf '%s\t%s\t%s\n' "$bn" "$w" "$(TZ=America/Los_Angeles date -d "$at" +%F)"; done |
  sort >"$T/rows.store"
cmp -s "$T/rows.report" "$T/rows.store" || { diff "$T/rows.report" "$T/rows.store" >&2; fail "transfer rows"; }; ok
jq -e 'all(.rows[]; .agency == "U.S. Marshals Service" and (.authority | startswith("warrant ")))' \
  "$T/x25.json" >/dev/null || fail "receiving agency and warrant"; ok
# the detainer report's transfers are the same ones
"$C" report detainers --year 2025 --format json >"$T/d25.json"
[ "$(jq .transfers.total "$T/d25.json")" = "$(jq .total "$T/x25.json")" ] || fail "transfers agree"; ok

# --- the forum pack, 2025 --------------------------------------------------------------------
"$C" report truth-forum --year 2025 --format json >"$T/f25.json"
ACT="SELECT a.person_id, a.action FROM actions a WHERE a.outcome = 'done' AND a.action IN ('hold', 'notify', 'interview') AND CAST(strftime('%s', a.at) AS INTEGER) BETWEEN $F AND $((U - 1))"
XF="SELECT person_id, 'transfer' FROM transfers WHERE $IN"
DS="SELECT person_id, 'data' FROM disclosures WHERE CAST(strftime('%s', at) AS INTEGER) BETWEEN $F AND $((U - 1))"
[ "$(jq .accesses "$T/f25.json")" = "$(q "SELECT count(*) FROM ($ACT UNION ALL $XF UNION ALL $DS)")" ] ||
  fail "forum accesses"; ok
[ "$(jq .people "$T/f25.json")" = "$(q "SELECT count(DISTINCT person_id) FROM ($ACT UNION ALL $XF UNION ALL $DS)")" ] ||
  fail "forum people"; ok
[ "$(jq .by_means.notification.accesses "$T/f25.json")" = "$(q "SELECT count(*) FROM ($ACT) WHERE action = 'notify'")" ] ||
  fail "forum notifications"; ok
[ "$(jq .by_means.data_request.people "$T/f25.json")" = "$(q "SELECT count(DISTINCT person_id) FROM ($DS)")" ] ||
  fail "forum data-request people"; ok
# by receiving agency: the requester of an action's request, a transfer's agency, a data row's recipient
ACTA="SELECT a.person_id, json_extract(r.doc, '$.requester.agency') AS agency FROM actions a JOIN requests r ON r.id = a.request_id WHERE a.outcome = 'done' AND a.action IN ('hold', 'notify', 'interview') AND CAST(strftime('%s', a.at) AS INTEGER) BETWEEN $F AND $((U - 1))"
XFA="SELECT person_id, agency FROM transfers WHERE $IN"
DSA="SELECT person_id, recipient FROM disclosures WHERE CAST(strftime('%s', at) AS INTEGER) BETWEEN $F AND $((U - 1))"
q "SELECT agency, count(*), count(DISTINCT person_id) FROM ($ACTA UNION ALL $XFA UNION ALL $DSA) GROUP BY 1 ORDER BY 1" |
  tr '|' '\t' >"$T/agency.store"
jq -r '.by_agency | to_entries | sort_by(.key)[] | [.key, .value.accesses, .value.people] | @tsv' "$T/f25.json" >"$T/agency.report"
cmp -s "$T/agency.store" "$T/agency.report" || { diff "$T/agency.store" "$T/agency.report" >&2; fail "forum by agency"; }; ok
jq -e '[.by_agency[].accesses] | (add == input.accesses) and (. == (sort | reverse))' "$T/f25.json" "$T/f25.json" >/dev/null ||
  fail "agencies add up, largest first"; ok
jq -e '[.demographics.citizenship_country | to_entries[] | select(.key != "not recorded") | .value] | . == (sort | reverse)' \
  "$T/f25.json" >/dev/null || fail "countries largest first"; ok
# sex as recorded, each person once
q "SELECT coalesce(nullif(p.sex, ''), 'unknown'), count(*) FROM persons p WHERE p.id IN (SELECT person_id FROM ($ACT UNION ALL $XF UNION ALL $DS)) GROUP BY 1 ORDER BY 1" |
  tr '|' '\t' >"$T/sex.store"
jq -r '.demographics.sex | to_entries | sort_by(.key)[] | [.key, .value] | @tsv' "$T/f25.json" >"$T/sex.report"
cmp -s "$T/sex.store" "$T/sex.report" || { diff "$T/sex.store" "$T/sex.report" >&2; fail "forum sex"; }; ok
jq -e '[.demographics.age_band[]] | add == input.people' "$T/f25.json" "$T/f25.json" >/dev/null ||
  fail "age bands cover everyone"; ok
jq -e 'all(.access_table[]; (.person | test("^person [0-9]+$")) and (has("booking_number") | not))' \
  "$T/f25.json" >/dev/null || fail "the access table names no one"; ok

# --- the inspector general's view, 2025 --------------------------------------------------------
"$C" report oversight --year 2025 --format json >"$T/o25.json"
ACTS="FROM actions WHERE CAST(strftime('%s', at) AS INTEGER) BETWEEN $F AND $((U - 1))"
over=$(q "SELECT count(*) $ACTS AND ((verdict = 'permitted' AND outcome = 'done') OR (verdict = 'required' AND outcome = 'declined'))")
notif=$(q "SELECT count(*) $ACTS AND action = 'notify' AND outcome = 'done'")
rows=$(q "SELECT count(*) FROM ($DS)")
# a disclosure row is an override when an item given was only permitted by its decision
drow=$(q "SELECT count(*) FROM disclosures x JOIN decisions d ON d.id = x.decision_id
          WHERE CAST(strftime('%s', x.at) AS INTEGER) BETWEEN $F AND $((U - 1))
          AND EXISTS(SELECT 1 FROM json_each(x.items) i
                     WHERE json_extract(d.decision, '\$.disclose.' || i.value || '.verdict') = 'permitted')")
[ "$(jq .disclosures "$T/o25.json")" = $((notif + rows)) ] || fail "IG disclosures"; ok
[ "$(jq .overrides "$T/o25.json")" = $((over + drow)) ] || fail "IG overrides $(jq .overrides "$T/o25.json") != $over + $drow"; ok
jq -e 'all(.rows[]; .at and .actor and .verdict and .decision_id > 0 and (.cite | length) > 0)' \
  "$T/o25.json" >/dev/null || fail "IG rows carry decision, citation, actor, time"; ok
jq -e '[.rows[] | select(.type == "action")][0].rule | test("^ca\\.")' "$T/o25.json" >/dev/null ||
  fail "IG rule"; ok
# filters: one actor, one request, one person
A=$(jq -r '[.rows[] | select(.type == "action")][0].actor' "$T/o25.json")
"$C" report oversight --year 2025 --actor "$A" --format json >"$T/oa.json"
[ "$(jq '.rows | length' "$T/oa.json")" = "$(jq --arg a "$A" '[.rows[] | select(.actor == $a)] | length' "$T/o25.json")" ] ||
  fail "actor filter"; ok
R=$(jq -r '[.rows[] | select(.type == "action")][0].request_id' "$T/o25.json")
P=$(jq -r '[.rows[] | select(.type == "action")][0].person_id' "$T/o25.json")
"$C" report oversight --year 2025 --request "$R" --format json | jq -e --arg r "$R" 'all(.rows[]; .request_id == $r) and (.rows | length) > 0' >/dev/null ||
  fail "request filter"; ok
"$C" report oversight --year 2025 --person "$P" --format json | jq -e --argjson p "$P" 'all(.rows[]; .person_id == $p) and (.rows | length) > 0' >/dev/null ||
  fail "person filter"; ok

# --- formats -------------------------------------------------------------------------------------
"$C" report detainers --year 2024 --by month --format csv >"$T/d.csv"
[ "$(wc -l <"$T/d.csv")" -eq 14 ] || fail "CSV: header, 12 months, total"; ok
head -1 "$T/d.csv" | grep '^period,requests,detainers,holds_requested,holds_honored,' >/dev/null || fail "CSV header"; ok
tail -1 "$T/d.csv" | cut -d, -f3 | tr -d '\r' | grep -x "$(jq .requests.detainer "$T/d24.json")" >/dev/null || fail "CSV total"; ok
"$C" report detainers --year 2024 --by month --format html --out "$T/d.html"
grep -q '<svg xmlns="http://www.w3.org/2000/svg" class="cust-chart" role="img"' "$T/d.html" || fail "chart"; ok
[ "$(grep -c '<svg' "$T/d.html")" -eq 4 ] || fail "four charts"; ok
grep -q '<title id="chart-1-title">Detainers received and holds honored' "$T/d.html" || fail "chart title"; ok
! grep -q '<script' "$T/d.html" || fail "no script in the printable report"; ok
"$C" report transfers --year 2025 --format csv | sed -n 1p | grep '^date,request_id,request_kind,booking_number,agency,basis,authority' >/dev/null ||
  fail "transfers CSV"; ok
"$C" report detainers --year 2024 | grep "holds: .* requested, 0 honored" >/dev/null || fail "text format"; ok

# --- errors: exit 2, a message naming the option ------------------------------------------------
expect_exit 2 "$C" report detainers --from 2024-02-30 --to 2024-03-01
grep -q -- "--from: '2024-02-30' is not a date" "$T/err" || fail "bad date"; ok
expect_exit 2 "$C" report detainers --from 2024-03-01 --to 2024-02-01
expect_exit 2 "$C" report detainers
expect_exit 2 "$C" report nonsense --year 2024
grep -q "unknown report 'nonsense'" "$T/err" || fail "unknown report"; ok
expect_exit 2 "$C" report transfers --year 2025 --format pdf
expect_exit 2 "$C" report detainers --year 2024 --actor x
expect_exit 2 "$C" report cpra --year 2025
expect_exit 0 "$C" report --help
pass
