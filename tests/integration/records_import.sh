#!/usr/bin/env bash
# custody-jsonl.md import rules: every bad-input rule rejects the whole file (exit 2,
# FILE:LINE: json.path: reason, nothing written); --skip-invalid; summary line; progress bar.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
D="$CUST_SOURCE_DIR/tests/data/records"
C="$CUSTODIAN"

"$C" init >/dev/null
good=$(head -n 1 "$D/good.jsonl")

bookings() { "$C" roster --all --json | jq length; }
ledger_entries() { "$C" audit log --json | jq length; }

# bad CASE_NAME JQ_FILTER EXPECTED_PATH [EXPECTED_REASON_REGEX]: apply the jq edit to the good
# line, put it as line 2 after a valid line, and require the import to fail with nothing written.
bad() {
  local name=$1 filter=$2 path=$3 reason=${4:-}
  local f="$T/$name.jsonl"
  head -n 1 "$D/good.jsonl" | jq -c '.booking_number = "OK1"' >"$f"
  if [ "$filter" = RAW ]; then printf '%s\n' "$reason" >>"$f"; reason=""; else
    printf '%s\n' "$good" | jq -c "$filter" >>"$f"; fi
  expect_exit 2 "$C" import "$f"
  local want="$path: .*$reason"; [ -n "$reason" ] || want="$path"
  grep -q "^$f:2: $want" "$T/err" || { cat "$T/err" >&2; fail "$name: want '$f:2: $path: $reason'"; }
  ok
  [ "$(bookings)" -eq 0 ] || fail "$name: bookings written"
  [ "$(ledger_entries)" -eq 0 ] || fail "$name: ledger written"
  ok
}

# Syntax
bad not_json RAW '\$: not valid JSON' '{"booking_number": "X", '
bad not_object RAW '\$: must be an object' '["an", "array"]'
bad dup_key RAW '\$: not valid JSON.*duplicate' '{"booking_number": "A", "booking_number": "B"}'
# Required fields
bad no_booking_number 'del(.booking_number)' booking_number required
bad empty_booking_number '.booking_number = ""' booking_number 'must not be empty'
bad number_booking_number '.booking_number = 6012345' booking_number 'must be a string'
bad no_booked_at 'del(.booked_at)' booked_at required
bad bad_booked_at '.booked_at = "2025-03-14 10:22"' booked_at "'2025-03-14 10:22' is not an RFC 3339"
bad no_person 'del(.person)' person required
bad person_not_object '.person = "GARCIA"' person 'must be an object'
bad no_last_name 'del(.person.last_name)' person.last_name required
bad no_first_name 'del(.person.first_name)' person.first_name required
bad empty_first_name '.person.first_name = ""' person.first_name 'must not be empty'
bad no_dob 'del(.person.dob)' person.dob required
bad bad_dob '.person.dob = "1988-02-30"' person.dob "'1988-02-30' is not a date"
bad bad_partial_dob '.person.dob = "1988-XX-02"' person.dob "'1988-XX-02' is not a date"
# Enumerations
bad cit_status '.person.citizenship.status = "dual"' person.citizenship.status "'dual' is not one of citizen | non_citizen | unknown"
bad cit_source '.person.citizenship.source = "rumour"' person.citizenship.source "'rumour' is not one of"
bad cit_no_source 'del(.person.citizenship.source)' person.citizenship.source 'required when status'
bad cit_no_date 'del(.person.citizenship.recorded_at)' person.citizenship.recorded_at 'required when status'
bad cit_verified '.person.citizenship.verified = "no"' person.citizenship.verified 'must be true or false'
bad charge_status '.charges[0].status = "open"' 'charges\[0\].status' "'open' is not one of pending | convicted | dismissed | acquitted | hold"
bad charge_no_status 'del(.charges[0].status)' 'charges\[0\].status' required
bad charge_level '.charges[0].level = "capital"' 'charges\[0\].level' "'capital' is not one of felony | misdemeanor | infraction"
bad charge_no_code 'del(.charges[0].code)' 'charges\[0\].code' required
bad charges_not_array '.charges = {}' charges 'must be an array'
bad bail_negative '.charges[0].bail_cents = -5' 'charges\[0\].bail_cents' '-5 is out of range'
bad bail_real '.charges[0].bail_cents = 12.5' 'charges\[0\].bail_cents' 'must be an integer'
bad court_date '.charges[0].next_court_date = "08/01/2025"' 'charges\[0\].next_court_date' "'08/01/2025' is not a date"
bad prior_level '.prior_convictions[0].level = "big"' 'prior_convictions\[0\].level' "'big' is not one of"
bad prior_date '.prior_convictions[0].date = "2012"' 'prior_convictions\[0\].date' "'2012' is not a date"
# Dates and release
bad sched_release '.scheduled_release = "soon"' scheduled_release "'soon' is not a date"
bad released_before '.released_at = "2025-03-13T10:00:00-07:00"' released_at 'is before booked_at'
bad released_bad '.released_at = "yesterday"' released_at 'is not an RFC 3339'
bad release_public '.release_date_public = "yes"' release_date_public 'must be true or false'
bad sentence_term '.sentence.term_days = 0' sentence.term_days '0 is out of range'
bad sentence_no_imposed 'del(.sentence.imposed_on)' sentence.imposed_on required
bad ids_type '.person.ids.cii = 12345' person.ids.cii 'must be a string'

# Every problem of every line is listed, each with its own FILE:LINE.
f="$T/many.jsonl"
{ printf '%s\n' "$good"
  printf '%s\n' "$good" | jq -c 'del(.booked_at) | .person.dob = "x" | .booking_number = "B2"'
  printf '%s\n' "$good" | jq -c '.charges[0].level = "x" | .booking_number = "B3"'; } >"$f"
expect_exit 2 "$C" import "$f"
grep -q "^$f:2: booked_at: required" "$T/err" || fail "line 2 booked_at"
grep -q "^$f:2: person.dob: " "$T/err" || fail "line 2 dob"
grep -q "^$f:3: charges\[0\].level: " "$T/err" || fail "line 3 level"
[ "$(grep -c "^$f:" "$T/err")" -eq 3 ] || fail "exactly three problems"
[ "$(bookings)" -eq 0 ] || fail "many: nothing written"
ok

# --skip-invalid: valid lines written, rejects file holds each rejected line unchanged, exit 1.
expect_exit 1 "$C" --as clerk1 import --skip-invalid "$f"
[ "$(bookings)" -eq 1 ] || fail "skip-invalid wrote the valid line"
r="$f.rejects.jsonl"
[ "$(wc -l <"$r")" -eq 2 ] || fail "two rejects"
diff <(jq -r .input "$r") <(sed -n 2,3p "$f") || fail "rejected lines kept unchanged"
jq -s -e 'map(select(.line == 2))[0] | any(.errors[]; . == "booked_at: required")' "$r" >/dev/null ||
  fail "reasons in rejects file"
grep -q "rejected 2 lines" "$T/err" || fail "rejected count on stderr"
"$C" audit log --json | jq -e '.[0].action == "import" and .[0].outcome == "partial"
  and .[0].detail.rejected == 2 and .[0].actor == "clerk1"' >/dev/null || fail "ledger partial import"
ok

# Lines that are not text: a NUL byte, invalid UTF-8 (kept exactly, base64, in the rejects
# file), an over-long line.
f="$T/bytes.jsonl"
export CUSTODIAN_DB="$T/bytes.db"
"$C" init >/dev/null
{ printf '%s\n' "$good"; printf '{"booking_number": "N\0UL"}\n'; printf '{"x": "\xff\xfe"}\n'
  printf '{"x": "%s"}\n' "$(head -c 1100000 /dev/zero | tr '\0' a)"; } >"$f"
expect_exit 2 "$C" import "$f"
grep -q "^$f:2: \$: contains a NUL byte" "$T/err" || fail "NUL byte"
grep -q "^$f:3: \$: not valid JSON" "$T/err" || fail "invalid UTF-8"
grep -q "^$f:4: \$: line is longer than 1048576 bytes" "$T/err" || fail "long line"
[ "$(bookings)" -eq 0 ] || fail "bytes: nothing written"
expect_exit 1 "$C" import --skip-invalid "$f"
[ "$(sed -n 2p "$f.rejects.jsonl" | jq -r .input_base64 | base64 -d | od -An -tx1 | tr -d ' \n')" = \
  "$(printf '{"x": "\xff\xfe"}' | od -An -tx1 | tr -d ' \n')" ] || fail "invalid UTF-8 line kept exactly"
ok
export CUSTODIAN_DB="$T/custodian.db"

# Summary line; blank lines skipped; stdin import.
rm -f "$CUSTODIAN_DB"*
"$C" init >/dev/null
{ cat "$D/good.jsonl"; echo; } | "$C" import - 2>"$T/err" || fail "stdin import"
grep -Eq '^imported 4 bookings \(3 persons\) in [0-9]+\.[0-9] s$' "$T/err" || { cat "$T/err"; fail "summary"; }
ok

# Import into a missing store creates it; other commands refuse a missing store (exit 1).
rm -f "$T/new.db"
expect_exit 1 "$C" --db "$T/new.db" roster
expect_exit 0 "$C" --db "$T/new.db" import "$D/good.jsonl"
expect_exit 2 "$C" import
expect_exit 2 "$C" import --bogus "$D/good.jsonl"
expect_exit 1 "$C" import "$T/does-not-exist.jsonl"

# Progress bar when stderr is a terminal (file > 1 MiB).
big="$T/big.jsonl"
awk -v g="$good" 'BEGIN { for (i = 1; i <= 1600; i++) { s = g; sub(/"6012345"/, "\"P" i "\"", s); print s } }' >"$big"
script -qec "$C --db $T/big.db import $big" /dev/null >"$T/tty" 2>&1 || fail "tty import"
grep -q 'importing \[' "$T/tty" || fail "progress bar on a terminal"
"$C" --db "$T/big.db" import "$big" 2>"$T/err"
! grep -q 'importing \[' "$T/err" || fail "no progress bar when not a terminal"
ok

for cmd in init import export roster show history audit; do
  "$C" "$cmd" --help | grep '^usage: custodian' >/dev/null || fail "$cmd --help"
  ok
done
pass
