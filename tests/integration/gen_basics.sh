#!/usr/bin/env bash
# `custodian gen`: determinism (cmp), arguments, and jq sanity on a 2,000-booking county.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"

"$CUSTODIAN" gen --help | grep '^usage: custodian gen' >/dev/null || fail "gen --help"; ok
expect_exit 2 "$CUSTODIAN" gen --bookings 0
expect_exit 2 "$CUSTODIAN" gen --bookings abc
expect_exit 2 "$CUSTODIAN" gen --seed -1
expect_exit 2 "$CUSTODIAN" gen --end 2026-02-30
expect_exit 2 "$CUSTODIAN" gen --bogus
expect_exit 1 "$CUSTODIAN" gen --bookings 10 --policies "$T/none"
grep -q "common-offenses.csv" "$T/err" || fail "missing-table error names the file"; ok

# Determinism: same arguments, same bytes; another seed, other bytes.
"$CUSTODIAN" gen --seed 11 --bookings 2000 >"$T/a.jsonl"
"$CUSTODIAN" gen --seed 11 --bookings 2000 >"$T/b.jsonl"
cmp "$T/a.jsonl" "$T/b.jsonl" || fail "same seed gives different output"; ok
"$CUSTODIAN" gen --seed 12 --bookings 2000 >"$T/c.jsonl"
! cmp -s "$T/a.jsonl" "$T/c.jsonl" || fail "another seed gives the same output"; ok
# The policies directory can come from the environment.
CUSTODIAN_POLICIES="$CUST_SOURCE_DIR/policies" "$CUSTODIAN" gen --seed 11 --bookings 2000 |
    cmp - "$T/a.jsonl" || fail "CUSTODIAN_POLICIES"; ok

f="$T/a.jsonl"
lines=$(wc -l <"$f")
[ "$lines" -ge 2000 ] && [ "$lines" -le 2300 ] || fail "line count $lines"; ok
jq -e . "$f" >/dev/null || fail "invalid JSON"; ok
# Unique booking numbers.
[ "$(jq -r .booking_number "$f" | sort -u | wc -l)" -eq "$lines" ] || fail "booking numbers"; ok
# Timestamps: RFC 3339 with an LA offset; the window ends on 2026-10-31.
jq -e -s 'all(.[]; .booked_at | test("^20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]-0[78]:00$"))' \
    "$f" >/dev/null || fail "booked_at format"; ok
jq -e -s 'all(.[]; .booked_at[0:10] <= "2026-10-31")' "$f" >/dev/null || fail "booked after --end"; ok
jq -e -s '[.[] | select(.booked_at[5:7] == "07")] | all(.booked_at | endswith("-07:00"))' "$f" \
    >/dev/null || fail "July bookings in PDT"; ok
jq -e -s '[.[] | select(.booked_at[5:7] == "01")] | all(.booked_at | endswith("-08:00"))' "$f" \
    >/dev/null || fail "January bookings in PST"; ok
# Some still in custody, most released; release after booking.
in_custody=$(jq -s '[.[] | select(.released_at == null)] | length' "$f")
[ "$in_custody" -ge 90 ] && [ "$in_custody" -le 180 ] || fail "in custody at the end: $in_custody"; ok
jq -e -s 'all(.[] | select(.released_at != null); .release_reason != null)' "$f" >/dev/null ||
    fail "release_reason"; ok
# Enums and required fields.
jq -e -s 'all(.[]; .person.citizenship.status | IN("citizen", "non_citizen", "unknown"))' "$f" \
    >/dev/null || fail "citizenship.status"; ok
jq -e -s 'all(.[]; (.person.citizenship.status == "citizen") == (.person.immigration_status == null))' \
    "$f" >/dev/null || fail "immigration_status vs citizenship"; ok
jq -e -s 'all(.[].charges[]; (.level | IN("felony", "misdemeanor", "infraction")) and
          (.status | IN("pending", "convicted", "dismissed", "acquitted", "hold")))' "$f" \
    >/dev/null || fail "charge enums"; ok
jq -e -s 'all(.[]; .person.last_name != "" and .person.first_name != "" and
          (.person.dob | test("^[0-9]{4}-([0-9]{2}|XX)-([0-9]{2}|XX)$")))' "$f" >/dev/null ||
    fail "person required fields"; ok
# Mix: holds, sentences with a scheduled release, re-booked persons, non-citizens.
jq -e -s '[.[].charges[] | select(.status == "hold")] | length > 20' "$f" >/dev/null || fail "holds"; ok
jq -e -s '[.[] | select(.sentence != null and .scheduled_release != null)] | length > 200' "$f" \
    >/dev/null || fail "sentences"; ok
jq -e -s '[.[].person.person_id] | group_by(.) | map(select(length > 1)) | length > 100' "$f" \
    >/dev/null || fail "recidivism"; ok
jq -e -s '[.[] | select(.person.citizenship.status == "non_citizen")] | length > 150' "$f" \
    >/dev/null || fail "non-citizens"; ok
jq -e -s 'length as $n | [.[] | select(.release_date_public)] | length < $n / 5' "$f" >/dev/null ||
    fail "release_date_public mostly false"; ok
# A conviction from a sentenced booking shows among the priors of the person's next booking.
jq -e -s '[group_by(.person.person_id)[] | select(length > 1) | . as $bs | range(0; length - 1) |
          . as $i | $bs[$i] | select(.sentence != null) |
          {code: ([.charges[] | select(.status == "convicted")][0].code),
           date: .sentence.imposed_on, next: $bs[$i + 1].prior_convictions}] |
          length > 10 and all(.code as $c | .date as $d | any(.next[]; .code == $c and .date == $d))' \
    "$f" >/dev/null || fail "in-window convictions become priors"; ok
# A later --end moves the window.
"$CUSTODIAN" gen --seed 11 --bookings 500 --end 2025-06-30 | tail -n 1 |
    jq -e '.booked_at[0:10] <= "2025-06-30" and .booked_at[0:4] == "2025"' >/dev/null || fail "--end"; ok
pass
