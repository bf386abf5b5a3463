#!/usr/bin/env bash
# `custodian import --map`: the shipped examples round-trip (a CSV export and a NIEM exchange
# give the same store as their custody JSONL), TSV and fixed-width read the same, every
# bad-input path fails the whole file (exit 2, FILE:LINE: field: reason, nothing written),
# --skip-invalid keeps the source rows, the ledger names the mapping and the file's SHA-256.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
C="$CUSTODIAN"
E="$CUST_SOURCE_DIR/examples/mappings"
X="$CUST_SOURCE_DIR/schemas/niem-booking/booking-exchange.xsd"
export CUSTODIAN_NOW=2025-11-20T12:00:00Z

bookings() { "$C" roster --all --json | jq length; }
ledger_entries() { "$C" audit log --json | jq length; }
use() { export CUSTODIAN_DB="$T/$1.db"; }

# ---- the examples: mapped import == JSONL import (export, roster and persons) ----------------
for ex in jms-charges:csv niem-booking:xml; do
  name=${ex%%:*} ext=${ex##*:}
  use "$name-map"
  expect_exit 0 "$C" import --map "$E/$name.yaml" "$E/$name.$ext"
  "$C" export >"$T/$name-map.jsonl"
  "$C" roster --all --json >"$T/$name-map.roster"
  use "$name-jsonl"
  expect_exit 0 "$C" import "$E/$name.jsonl"
  "$C" export >"$T/$name-jsonl.jsonl"
  "$C" roster --all --json >"$T/$name-jsonl.roster"
  cmp "$T/$name-map.jsonl" "$T/$name-jsonl.jsonl" || fail "$name: export differs from the JSONL's"
  cmp "$T/$name-map.roster" "$T/$name-jsonl.roster" || fail "$name: roster differs"
  diff <(jq -S . "$T/$name-map.jsonl") <(jq -s -S 'sort_by(.booking_number)[]' "$E/$name.jsonl") >/dev/null ||
    fail "$name: the store holds what the equivalent JSONL says"
  ok
  # feed convert prints the same records
  "$C" feed convert --map "$E/$name.yaml" "$E/$name.$ext" >"$T/$name.conv" 2>/dev/null
  cmp "$T/$name.conv" "$E/$name.jsonl" || fail "$name: feed convert differs from the shipped JSONL"
  ok
done

# the CSV's facts, read as a clerk would: DST, statute codes, money, value tables, order
j() { jq -r --arg b "$1" "select(.booking_number == \$b) | $2" "$E/jms-charges.jsonl"; }
[ "$(j 2025-004101 .booked_at)" = 2025-03-14T10:22:00-07:00 ] || fail "PDT in March"
[ "$(j 2025-004102 .booked_at)" = 2025-03-09T03:15:00-07:00 ] || fail "just after spring forward"
[ "$(j 2025-004103 .booked_at)" = 2025-11-02T01:30:00-07:00 ] || fail "fall-back 01:30: the earlier"
[ "$(j 2025-004103 .released_at)" = 2025-11-03T14:05:00-08:00 ] || fail "PST in November"
[ "$(j 2025-004101 '.charges[1].code')" = "PC 148(a)(1)" ] || fail "statute normalised"
[ "$(j 2025-004101 '.charges[1].bail_cents')" = 150000 ] || fail "\"1,500\" dollars"
[ "$(j 2025-004101 '.person.citizenship | [.status, .source, .jms_code] | join(",")')" = \
  "non_citizen,self_reported,NC" ] || fail "citizenship code, source and the local code"
[ "$(j 2025-004104 '[.charges[].seq] | join(",")')" = 1,2,3 ] || fail "charges in ChargeSeq order"
[ "$(j 2025-004104 '.charges[1].level')" = infraction ] || fail "I = infraction"
ok

# ---- NIEM export: valid against the schema, a fixpoint through the NIEM mapping -------------
use niem-out
"$C" import "$E/jms-charges.jsonl" 2>/dev/null
"$C" import "$E/niem-booking.jsonl" 2>/dev/null
"$C" export --format niem -o "$T/out.xml"
xmllint --noout --schema "$X" "$T/out.xml" 2>"$T/xerr" || { cat "$T/xerr"; fail "export is not valid"; }
xmllint --noout --schema "$X" "$E/niem-booking.xml" 2>/dev/null || fail "shipped sample not valid"
[ "$(grep -c '<j:Booking>' "$T/out.xml")" -eq 6 ] || fail "six bookings"
! grep -Ei 'citizen|jms_code|place_of_birth|<nc:.*Birth.*Country' "$T/out.xml" >/dev/null ||
  fail "citizenship or birthplace in the exchange"
"$C" audit log --json | jq -e '.[-1].action == "export" and .[-1].detail.format == "niem"
  and .[-1].detail.bookings == 6' >/dev/null || fail "export ledger entry"
use niem-back
expect_exit 0 "$C" import --map "$E/niem-booking.yaml" "$T/out.xml"
"$C" export --format niem -o "$T/back.xml"
cmp "$T/out.xml" "$T/back.xml" || fail "NIEM export -> import -> export is not a fixpoint"
expect_exit 0 "$C" export --format niem --as-of 2025-07-17 -o "$T/asof.xml"
xmllint --noout --schema "$X" "$T/asof.xml" 2>/dev/null || fail "as-of export not valid"
expect_exit 2 "$C" export --format pdf
ok

# ---- TSV and fixed-width read the same ------------------------------------------------------
cat >"$T/two.tsv" <<'EOF'
BN	BOOKED	LAST	FIRST	DOB	CODE	LVL	ST
T-1	03/14/2025 10:22	GARCÍA	JOSÉ	04/02/1988	pc 245(a)(1)	F	PENDING
T-1	03/14/2025 10:22	GARCÍA	JOSÉ	04/02/1988	PC 148(A)(1)	M	PENDING
T-2	12/24/2025 18:00	LI	NA	01/02/2003	VC 23152(A)	M	PENDING
EOF
cat >"$T/two-tsv.yaml" <<'EOF'
custodian_mapping: 1
name: two
input: {format: tsv}
time_zone: America/Los_Angeles
booking:
  booking_number: BN
  booked_at: {column: BOOKED, datetime: "%m/%d/%Y %H:%M"}
  person.last_name: LAST
  person.first_name: FIRST
  person.dob: {column: DOB, date: "%m/%d/%Y"}
charges:
  code: {column: CODE, statute: true}
  level: {column: LVL, values: {F: felony, M: misdemeanor}}
  status: {column: ST, values: {PENDING: pending}}
EOF
# fixed width: columns count characters (GARCÍA is six characters, seven bytes)
cat >"$T/two.txt" <<'EOF'
T-1  03/14/2025 10:22GARCÍA    JOSÉ      04/02/1988pc 245(a)(1)   F PENDING
T-1  03/14/2025 10:22GARCÍA    JOSÉ      04/02/1988PC 148(A)(1)   M PENDING
T-2  12/24/2025 18:00LI        NA        01/02/2003VC 23152(A)    M PENDING
EOF
sed -e 's/format: tsv/format: fixed, columns: {BN: [1, 5], BOOKED: [6, 16], LAST: [22, 10], FIRST: [32, 10], DOB: [42, 10], CODE: [52, 15], LVL: [67, 2], ST: [69, 7]}/' \
  "$T/two-tsv.yaml" >"$T/two-fixed.yaml"
use tsv
expect_exit 0 "$C" import --map "$T/two-tsv.yaml" "$T/two.tsv"
"$C" export >"$T/tsv.out"
use fixed
expect_exit 0 "$C" import --map "$T/two-fixed.yaml" "$T/two.txt"
"$C" export >"$T/fixed.out"
cmp "$T/tsv.out" "$T/fixed.out" || { diff "$T/tsv.out" "$T/fixed.out" >&2; fail "tsv and fixed differ"; }
jq -e -s '.[0].person.last_name == "GARCÍA" and .[0].charges[1].code == "PC 148(a)(1)"
  and .[1].booked_at == "2025-12-24T18:00:00-08:00"' "$T/tsv.out" >/dev/null || fail "tsv values"
ok

# windows-1252 input, said so in the mapping
printf 'BN\tBOOKED\tLAST\tFIRST\tDOB\tCODE\tLVL\tST\nW-1\t01/05/2025 09:00\tPE\xd1A\tJOS\xc9\t02/03/1990\tPC 459\tF\tPENDING\n' >"$T/w.tsv"
sed 's/format: tsv}/format: tsv, encoding: windows-1252}/' "$T/two-tsv.yaml" >"$T/w.yaml"
use w
expect_exit 0 "$C" import --map "$T/w.yaml" "$T/w.tsv"
"$C" export | jq -e '.person.last_name == "PEÑA" and .person.first_name == "JOSÉ"' >/dev/null ||
  fail "windows-1252 read"
use w2
expect_exit 2 "$C" import --map "$T/two-tsv.yaml" "$T/w.tsv"
grep "^$T/w.tsv:2: \$: not valid UTF-8" "$T/err" >/dev/null || { cat "$T/err"; fail "invalid UTF-8 named"; }
ok

# ---- every bad input fails the whole file ---------------------------------------------------
# bad NAME SED_EXPR EXPECTED (a regex after FILE:) [MAPPING]
bad() {
  local name=$1 expr=$2 want=$3 map=${4:-$E/jms-charges.yaml}
  local f="$T/$name.csv"
  sed -e "$expr" "$E/jms-charges.csv" >"$f"
  use "bad-$name"
  expect_exit 2 "$C" import --map "$map" "$f"
  grep -E "^$f:$want" "$T/err" >/dev/null || { cat "$T/err" >&2; fail "$name: want '$f:$want'"; }
  [ "$(bookings)" -eq 0 ] || fail "$name: bookings written"
  [ "$(ledger_entries)" -eq 0 ] || fail "$name: ledger written"
  ok
}
bad dob_pattern 's#,04/02/1988,#,1988-04-02,#' "2: person.dob: DOB '1988-04-02' is not a date written %m/%d/%Y"
bad dob_not_a_day 's#,04/02/1988,#,04/31/1988,#' "2: person.dob: DOB '04/31/1988' is not a date"
bad dst_gap 's#03/09/2025 03:15#03/09/2025 02:15#' \
  "4: booked_at: BookingDateTime '03/09/2025 02:15': 2025-03-09 02:15 does not exist in America/Los_Angeles"
sed 's/ambiguous_times: earlier/ambiguous_times: reject/' "$E/jms-charges.yaml" >"$T/reject.yaml"
bad dst_twice 's#^##' "5: booked_at: BookingDateTime '11/02/2025 01:30': .*happens twice" "$T/reject.yaml"
bad cit_code 's#,NC,MX,#,XX,MX,#' \
  "2: person.citizenship.status: CitizenshipCode 'XX' is not in the mapping's value table \(US, NC, UNK\)"
bad level_code '3s#,M,PENDING,#,Q,PENDING,#' "3: charges\[1\].level: ChargeLevel 'Q' is not in the mapping's value table"
bad status_empty '3s#,M,PENDING,#,M,,#' "3: charges\[1\].status: required"
bad bail_text '3s#"1,500"#about 1500#' "3: charges\[1\].bail_cents: BailAmount 'about 1500' is not an amount in dollars"
bad rows_disagree '3s#GARCIA,JOSE#GARCIA-LOPEZ,JOSE#' \
  "2: person.last_name: LastName differs between the rows of one booking: 'GARCIA' on line 2, 'GARCIA-LOPEZ' on line 3"
bad dup_seq '3s#,LAPD,2,#,LAPD,1,#' "2: charges: ChargeSeq '1' is given twice in one booking \(lines 2 and 3\)"
bad not_together '4{h;d};5{G}' "6: booking_number: the rows of booking '2025-004103' are not together: it already appeared on line 4"
bad field_count '2s#,,$#,#' "2: \\$: line 2 has 22 fields; the header has 23"
bad released_early 's#11/03/2025 14:05#11/01/2025 14:05#' "5: released_at: .* is before booked_at"
bad no_column '1s#ChargeSeq#Seq#' "1: \\$: column 'ChargeSeq' .* is not in the header"
bad open_quote '3s#"1,500"#"1,500#' "3: \\$: malformed CSV: a quoted field is not closed"
bad after_quote '3s#"1,500"#"1,500"x#' "3: \\$: malformed CSV: text after a closing quote"
bad dup_header '1s#MiddleName#LastName#' "1: \\$: column 'LastName' is named twice"

# XML: not well-formed; a booking path that selects two elements
use xbad
sed 's#</j:Booking>#</j:Bookin>#' "$E/niem-booking.xml" >"$T/broken.xml"
expect_exit 2 "$C" import --map "$E/niem-booking.yaml" "$T/broken.xml"
grep -E "^$T/broken.xml:[0-9]+: \\$: not well-formed XML" "$T/err" >/dev/null || { cat "$T/err"; fail "broken XML"; }
sed 's#<nc:PersonSurName>ZHANG</nc:PersonSurName>#<nc:PersonSurName>ZHANG</nc:PersonSurName><nc:PersonSurName>CHANG</nc:PersonSurName>#' \
  "$E/niem-booking.xml" >"$T/two-names.xml"
expect_exit 2 "$C" import --map "$E/niem-booking.yaml" "$T/two-names.xml"
grep -E "^$T/two-names.xml:[0-9]+: person.last_name: .* selects 2 elements of one booking" "$T/err" >/dev/null ||
  { cat "$T/err"; fail "two surnames"; }
[ "$(bookings)" -eq 0 ] || fail "xml: nothing written"
ok

# ---- the mapping file itself ----------------------------------------------------------------
badmap() {
  local name=$1 want=$2
  cat >"$T/$name.yaml"
  use "map-$name"
  expect_exit 2 "$C" import --map "$T/$name.yaml" "$E/jms-charges.csv"
  grep -E "^$T/$name.yaml:$want" "$T/err" >/dev/null || { cat "$T/err" >&2; fail "$name: want $want"; }
  [ ! -e "$CUSTODIAN_DB" ] || [ "$(bookings)" -eq 0 ] || fail "$name: written"
  ok
}
sed 's/^time_zone: .*/time_zone: America\/Los_Angles/' "$E/jms-charges.yaml" |
  badmap zone "10: time_zone: 'America/Los_Angles' is not a tz database zone"
sed 's/^time_zone: .*//' "$E/jms-charges.yaml" |
  badmap no_zone "[0-9]+: booking.booked_at.datetime: '%m/%d/%Y %H:%M' is a local time: the mapping needs a time_zone"
sed 's/person.last_name: LastName/person.lastname: LastName/' "$E/jms-charges.yaml" |
  badmap unknown_field "[0-9]+: booking.person.lastname: 'person.lastname' is not a custody-JSONL field"
sed 's/NC: non_citizen/NC: noncitizen/' "$E/jms-charges.yaml" |
  badmap bad_enum "[0-9]+: booking.person.citizenship.status.values: 'noncitizen' is not one of citizen \| non_citizen \| unknown"
sed 's/date: "%m\/%d\/%Y"}/date: "%m\/%d\/%y"}/' "$E/jms-charges.yaml" |
  badmap bad_pattern "[0-9]+: booking.person.dob.date: '%m/%d/%y' uses a directive other than"
sed 's/^  format: csv/  format: xls/' "$E/jms-charges.yaml" |
  badmap bad_format "[0-9]+: input.format: 'xls' is not one of csv \| tsv \| fixed \| xml"
sed 's/^custodian_mapping: 1/custodian_mapping: 9/' "$E/jms-charges.yaml" |
  badmap version "[0-9]+: custodian_mapping: version '9' is not known"
sed 's/^  person.first_name: FirstName//' "$E/jms-charges.yaml" |
  badmap required "[0-9]+: booking: 'person.first_name' is required and not mapped"
printf 'custodian_mapping: 1\nname: [unclosed\n' | badmap yaml "[0-9]+: \\$: not valid YAML"
{ cat "$E/jms-charges.yaml"; echo "booking: {}"; } | badmap twice "[0-9]+: booking: given twice"
ok

# ---- --skip-invalid: the valid bookings go in, the rejects file keeps the source rows ---------
f="$T/partial.csv"
sed -e '3s#,M,PENDING,#,Q,PENDING,#' "$E/jms-charges.csv" >"$f"
use partial
expect_exit 1 "$C" --as clerk1 import --map "$E/jms-charges.yaml" --skip-invalid "$f"
[ "$(bookings)" -eq 3 ] || fail "three valid bookings written"
jq -e -s 'length == 1 and .[0].line == 2 and (.[0].errors | length == 1)' "$f.rejects.jsonl" >/dev/null ||
  fail "one reject"
[ "$(jq -r .input "$f.rejects.jsonl")" = "$(sed -n 2,3p "$f")" ] || fail "rejects keep the two source rows"
"$C" audit log --json | jq -e --arg sha "$(sha256sum "$f" | cut -d' ' -f1)" '.[0].action == "import"
  and .[0].outcome == "partial" and .[0].detail.mapping == "jms-charges" and .[0].detail.sha256 == $sha
  and .[0].detail.rejected == 1' >/dev/null || fail "ledger: mapping, SHA-256, partial"
# the same file again: nothing changes
expect_exit 1 "$C" import --map "$E/jms-charges.yaml" --skip-invalid "$f"
grep "0 new, 0 updated (new version), 3 unchanged" "$T/err" >/dev/null || { cat "$T/err"; fail "unchanged"; }
ok

# XML: a rejected booking's rejects entry is its element as written
f="$T/partial.xml"
sed 's#<nc:StatusDescriptionText>convicted</nc:StatusDescriptionText>#<nc:StatusDescriptionText>sentenced</nc:StatusDescriptionText>#' \
  "$E/niem-booking.xml" >"$f"
use partial-xml
expect_exit 1 "$C" import --map "$E/niem-booking.yaml" --skip-invalid "$f"
grep -E "^$f:[0-9]+: charges\[0\].status: 'sentenced' is not one of pending" "$T/err" >/dev/null ||
  { cat "$T/err"; fail "xml charge status named on its line"; }
jq -r .input "$f.rejects.jsonl" | grep '^<j:Booking>' >/dev/null || fail "xml reject keeps the element"
jq -r .input "$f.rejects.jsonl" | grep 'RC-25-117044' >/dev/null || fail "the rejected booking"
[ "$(bookings)" -eq 1 ] || fail "the valid booking imported"
ok

expect_exit 2 "$C" feed convert --map "$E/jms-charges.yaml"
expect_exit 2 "$C" feed bogus
"$C" feed --help | grep '^usage: custodian' >/dev/null || fail "feed --help"
"$C" import --help | grep -- '--map' >/dev/null || fail "import --help names --map"
ok
pass
