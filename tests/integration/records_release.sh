#!/usr/bin/env bash
# Release dates: the source's scheduled_release is kept as stated; with a sentence custodian
# computes its own date (with the rule version) and flags a disagreement instead of choosing.
# Written to hold for any calculator (the temporary one or the gen branch's).
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
C="$CUSTODIAN"
P='"person": {"last_name": "ROE", "first_name": "R", "dob": "1980-01-01"}'
S='"sentence": {"imposed_on": "2025-05-01", "term_days": 120, "presentence_custody_days": 10}'
cat >"$T/r.jsonl" <<JSONL
{"booking_number": "R1", "booked_at": "2025-04-01T08:00:00Z", $P, $S, "scheduled_release": "2099-01-01"}
{"booking_number": "R2", "booked_at": "2025-04-01T08:00:00Z", $P, $S}
{"booking_number": "R3", "booked_at": "2025-04-01T08:00:00Z", $P, "scheduled_release": "2025-06-01"}
JSONL
"$C" import "$T/r.jsonl" 2>/dev/null
"$C" show R1 --json | jq -e '.scheduled_release == "2099-01-01" and (.computed_release | test("^20[0-9]{2}-"))
  and .computed_release != "2099-01-01" and (.release_rule | length) > 0 and .release_disagreement == true
  and .record.scheduled_release == "2099-01-01"' >/dev/null || fail "R1 stated date kept, computed beside it, flagged"
"$C" show R2 --json | jq -e '.scheduled_release == null and .computed_release != null
  and .release_disagreement == false' >/dev/null || fail "R2 no stated date: no disagreement"
"$C" show R3 --json | jq -e '.computed_release == null and .release_disagreement == false' >/dev/null ||
  fail "R3 no sentence: nothing computed"
ok
[ "$("$C" roster --all --release-disagreements --json | jq -r 'map(.booking_number) | join(" ")')" = R1 ] ||
  fail "--release-disagreements lists R1 only"
"$C" roster --all --release-disagreements | grep '^R1 .*DISAGREE' >/dev/null || fail "text marks the disagreement"
ok
# the source corrects its date to custodian's: a new version, no longer flagged
computed=$("$C" show R1 --json | jq -r .computed_release)
head -n 1 "$T/r.jsonl" | jq -c --arg d "$computed" '.scheduled_release = $d' >"$T/fix.jsonl"
"$C" import "$T/fix.jsonl" 2>/dev/null
"$C" show R1 --json | jq -e --arg d "$computed" '.version == 2 and .scheduled_release == $d
  and .release_disagreement == false' >/dev/null || fail "agreement clears the flag"
[ "$("$C" roster --all --release-disagreements --json | jq length)" -eq 0 ] || fail "no disagreements left"
ok
pass
