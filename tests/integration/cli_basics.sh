#!/usr/bin/env bash
# The CLI's global contract: --help, unknown commands, exit codes.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"

"$CUSTODIAN" --help | grep '^commands:' >/dev/null || fail "--help lists commands"
expect_exit 2 "$CUSTODIAN" no-such-command
expect_exit 2 "$CUSTODIAN" --bogus-option
expect_exit 2 "$CUSTODIAN"
"$CUSTODIAN" --version | grep '^custodian ' >/dev/null || fail "--version"

# every command answers --help, and `custodian help COMMAND [SUB]` prints that command's own help
for c in $("$CUSTODIAN" --help | sed -n '/^commands:/,$p' | awk 'NR > 1 {print $1}'); do
  [ "$c" = help ] && continue
  "$CUSTODIAN" "$c" --help >"$T/a" || fail "$c --help"
  "$CUSTODIAN" help "$c" >"$T/b" || fail "help $c"
  cmp -s "$T/a" "$T/b" || fail "help $c differs from $c --help"
  grep -q '^usage: custodian' "$T/a" || fail "$c --help has no usage line"
done
ok
# a subcommand's help is its own, not its command's
"$CUSTODIAN" help request act >"$T/act"
grep -q '^usage: custodian .*request act ID --action A' "$T/act" || fail "help request act"
grep -q 'request fulfill' "$T/act" && fail "help request act shows other subcommands"
"$CUSTODIAN" request act --help | cmp -s - "$T/act" || fail "request act --help"; ok
"$CUSTODIAN" help duties notice | grep -q '^usage: custodian .*duties notice ID' ||
  fail "help duties notice"; ok
"$CUSTODIAN" help feed resolve >"$T/fr"
grep '^usage: custodian .*feed resolve ID --note TEXT' "$T/fr" >/dev/null || fail "help feed resolve"
grep 'feed convert' "$T/fr" >/dev/null && fail "help feed resolve shows other subcommands"
expect_exit 2 "$CUSTODIAN" feed no-such-sub
grep "unknown feed command 'no-such-sub'" "$T/err" >/dev/null || fail "unknown feed subcommand"; ok
# the command's help lists its subcommands from the table
"$CUSTODIAN" request --help | grep -q '^  sweep  *expire every detainer' || fail "request --help"; ok
expect_exit 2 "$CUSTODIAN" help no-such-command
expect_exit 2 "$CUSTODIAN" request no-such-subcommand
grep -q "unknown request command 'no-such-subcommand'" "$T/err" || fail "unknown subcommand"; ok
expect_exit 2 "$CUSTODIAN" request
# every subcommand a command's help names answers its own help, not the command's
for c in audit policy user config feed duties request; do
  "$CUSTODIAN" "$c" --help >"$T/whole"
  for s in $(grep -oE "custodian( \[[^]]*\])* $c [a-z-]+" "$T/whole" | awk '{print $NF}' | sort -u); do
    "$CUSTODIAN" "$c" "$s" --help >"$T/sub" || fail "$c $s --help"
    "$CUSTODIAN" help "$c" "$s" | cmp -s - "$T/sub" || fail "help $c $s differs from $c $s --help"
    cmp -s "$T/whole" "$T/sub" && fail "$c $s --help prints the whole of $c --help"
    grep -q "^usage: custodian.* $c $s" "$T/sub" || fail "$c $s --help has no usage line of its own"
    ok
  done
done

# "today" is the county's date: at 03:00 UTC on 6 December it is still the 5th in California,
# so a booking made at 02:30 UTC on the 6th (its own offset) is in custody "today" only in UTC
"$CUSTODIAN" init >/dev/null
printf '{"booking_number":"555001","booked_at":"2026-12-06T02:30:00Z","facility":"North Facility",'\
'"housing":"H1","arresting_agency":"County Sheriff","person":{"person_id":"P1","last_name":"LATE",'\
'"first_name":"NIGHT","dob":"1980-01-01"},"charges":[],"release_date_public":false}\n' >"$T/late.jsonl"
"$CUSTODIAN" import "$T/late.jsonl" >/dev/null
CUSTODIAN_NOW=2026-12-06T03:00:00Z "$CUSTODIAN" roster --json | jq -e 'map(.booking_number) == ["555001"]' >/dev/null ||
  fail "UTC: the 6th"
ok
CUSTODIAN_NOW=2026-12-06T03:00:00Z CUSTODIAN_TIMEZONE=America/Los_Angeles "$CUSTODIAN" roster --json |
  jq -e 'length == 0' >/dev/null || fail "Los Angeles: still the 5th"
ok
"$CUSTODIAN" roster --help | grep -q "default today in the county's time zone" || fail "roster help says whose today"; ok
pass
