#!/usr/bin/env bash
# The demo county at its own scale (issue 14's acceptance): generated from 2024-01-01 to
# 2025-12-31 at the default scale (100,000 bookings a year), its requests worked through the
# desk by `demo history`; the 2024 detainer report shows about 995 civil detainers received and
# none honored, and 2025's transfer report the transfers on judicial warrants. Long (minutes):
# label `stress`, run by `make stress`.
set -euo pipefail
. "$CUST_SOURCE_DIR/tests/integration/lib/common.sh"

C=$CUSTODIAN
export CUSTODIAN_TIMEZONE=America/Los_Angeles
GEN=(--seed 1 --start 2024-01-01 --end 2025-12-31)
"$C" init >/dev/null
"$C" gen "${GEN[@]}" >"$T/county.jsonl"
CUSTODIAN_NOW=2024-01-01T00:00:00-08:00 "$C" --as demo-loader import "$T/county.jsonl" 2>/dev/null
rm -f "$T/county.jsonl"
"$C" demo history --quiet "${GEN[@]}" 2>"$T/history"
cat "$T/history" >&2
"$C" report detainers --year 2024 --format json >"$T/d24.json"
jq -e '.requests.detainer >= 895 and .requests.detainer <= 1095' "$T/d24.json" >/dev/null ||
  fail "about 995 detainers in 2024: $(jq .requests.detainer "$T/d24.json")"; ok
jq -e '.holds.honored == 0 and .holds.requested == .requests.detainer' "$T/d24.json" >/dev/null ||
  fail "none honored: $(jq -c .holds "$T/d24.json")"; ok
jq -e '.expired > 0 and .notifications.given > 0' "$T/d24.json" >/dev/null || fail "a history"; ok
"$C" report transfers --year 2025 --format json >"$T/x25.json"
jq -e '.total >= 20 and .by_basis.judicial_warrant >= 20 and .by_basis["7282.5"] == 0' "$T/x25.json" >/dev/null ||
  fail "2025's transfers on judicial warrants: $(jq -c .by_basis "$T/x25.json")"; ok
may_june=$(jq '[.rows[] | select(.date >= "2025-05-01" and .date <= "2025-06-30")] | length' "$T/x25.json")
echo "demo: 2024 detainers $(jq .requests.detainer "$T/d24.json"), honored 0; 2025 transfers $(jq .total "$T/x25.json") ($may_june in May-June)" >&2
"$C" audit verify >/dev/null || fail "ledger"; ok
pass
