#!/usr/bin/env bash
# The CLI's global contract: --help, unknown commands, exit codes.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"

"$CUSTODIAN" --help | grep '^commands:' >/dev/null || fail "--help lists commands"
expect_exit 2 "$CUSTODIAN" no-such-command
expect_exit 2 "$CUSTODIAN" --bogus-option
expect_exit 2 "$CUSTODIAN"
"$CUSTODIAN" --version | grep '^custodian ' >/dev/null || fail "--version"
pass
