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
pass
