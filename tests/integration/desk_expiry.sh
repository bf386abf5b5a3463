#!/usr/bin/env bash
# Detainers expire on their own once the hold window after release (48 hours, weekends and
# holidays excluded) has passed without action: `request sweep [--as-of T]`, and the server's
# timer (at start, then each minute); `request list` and every reader only read. Only a release that happened (released_at) starts the window: a person still in
# custody past a stated release date is still the detainer's subject. Acted and withdrawn
# requests are never touched; a second sweep does nothing.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
C="$CUSTODIAN"
export CUSTODIAN_TIMEZONE=America/Los_Angeles # the test county is in California: its days are Los Angeles days
export CUSTODIAN_NOW=2025-07-03T19:00:00Z
"$C" init >/dev/null 2>&1
staff sgt supervisor lt supervisor deputy clerk # --by: active accounts
"$C" import "$CUST_SOURCE_DIR/tests/data/desk/county.jsonl" 2>/dev/null

"$C" request sweep --help | grep '^usage: custodian' >/dev/null || fail "sweep --help"; ok
expect_exit 2 "$C" request sweep --as-of tomorrow
grep -q -- '--as-of' "$T/err" || fail "as-of message"; ok
expect_exit 2 "$C" request list --as-of 2025-07-09T00:00:00Z

det() { # det BOOKING: add a detainer received 2025-07-02 for that booking; prints its id
  printf '{"kind": "detainer", "form": "I-247A", "requester": {"agency": "ICE"},
 "received_at": "2025-07-02T10:00:00-07:00", "subject": {"booking_number": "%s"}}' "$1" >"$T/d.json"
  "$C" request add "$T/d.json"
}
A=$(det 1001)    # released 2025-07-03 00:00 PDT: window ends 2025-07-08T07:00:00Z; no action
B=$(det 1002)    # stated release 2025-09-01, still in custody
ACT=$(det 1001)  # acted on
W=$(det 1001)    # withdrawn
"$C" request decide "$ACT" >/dev/null
"$C" request act "$ACT" --action notify --by sgt >/dev/null
"$C" request withdraw "$W" --by sgt --reason "issuer withdrew" >/dev/null
status() { "$C" request show "$1" --json | jq -r .status; }
release() { # release BOOKING TIME: a new version of the booking with released_at
  grep "\"booking_number\": \"$1\"" "$CUST_SOURCE_DIR/tests/data/desk/county.jsonl" |
    jq -c --arg t "$2" '.released_at = $t | .release_reason = "sentence_completed"' >"$T/rel1.jsonl"
  "$C" import "$T/rel1.jsonl" >/dev/null 2>&1
}
release 1001 2025-07-03T00:00:00-07:00
sys_entries() { "$C" audit log --json | jq "[.[] | select(.actor == \"system\" and .object_id == \"$1\")] | length"; }

# window not passed: still open, nothing printed but the count
expect_exit 0 "$C" request sweep --as-of 2025-07-08T07:00:00Z
[ "$(cat "$T/out")" = "0 expired" ] || fail "nothing yet: $(cat "$T/out")"; ok
[ "$(status "$A")" = matched ] || fail "A still open"; ok

# passed: A expires, once; the others stay
expect_exit 0 "$C" request sweep --as-of 2025-07-08T07:00:01Z --json
[ "$(jq -r '[.[].id] | join(",")' "$T/out")" = "$A" ] || fail "only A: $(cat "$T/out")"; ok
[ "$(jq -r '.[0].rule' "$T/out")" = detainer_48h_after_release ] || fail "rule"; ok
[ "$(status "$A")" = expired ] || fail "A expired"; ok
[ "$(status "$B")" = matched ] || fail "B open"; ok
[ "$(status "$ACT")" = acted ] || fail "acted untouched"; ok
[ "$(status "$W")" = withdrawn ] || fail "withdrawn untouched"; ok
expect_exit 0 "$C" request sweep --as-of 2025-07-09T00:00:00Z
[ "$(cat "$T/out")" = "0 expired" ] || fail "second sweep"; ok
[ "$(sys_entries "$A")" -eq 1 ] || fail "one ledger entry for A"; ok
"$C" audit log --json | jq -e --arg a "$A" '.[] | select(.object_id == $a and .actor == "system")
  | select(.role == "system" and (.purpose | startswith("detainer_48h_after_release: ")))' >/dev/null \
  || fail "entry names the rule"; ok
[ "$(sys_entries "$ACT")" -eq 0 ] && [ "$(sys_entries "$W")" -eq 0 ] || fail "no entry for others"; ok
expect_exit 1 "$C" request act "$A" --action notify --by sgt

# the window is counted again from the current record: released early (1006, scheduled for
# October, released Mon 2025-07-07 09:00 PDT -> window ends Wed 09:00 PDT = 16:00Z) ...
P=$(det 1006)
L=$(det 1002)
grep '"booking_number": "1006"' "$CUST_SOURCE_DIR/tests/data/desk/county.jsonl" |
  jq -c '.released_at = "2025-07-07T09:00:00-07:00" | .release_reason = "bail"' >"$T/rel.jsonl"
# ... and a release postponed (1002: from September to November)
grep '"booking_number": "1002"' "$CUST_SOURCE_DIR/tests/data/desk/county.jsonl" |
  jq -c '.scheduled_release = "2025-11-03"' >>"$T/rel.jsonl"
"$C" import "$T/rel.jsonl" >/dev/null 2>&1
expect_exit 0 "$C" request sweep --as-of 2025-07-09T15:59:59Z
[ "$(cat "$T/out")" = "0 expired" ] || fail "early release: not yet"; ok
expect_exit 0 "$C" request sweep --as-of 2025-07-09T16:00:01Z --json
[ "$(jq -r '[.[].id] | join(",")' "$T/out")" = "$P" ] || fail "early release expired: $(cat "$T/out")"; ok
[ "$(jq -r '.[0].deadline' "$T/out")" = 2025-07-09T16:00:00Z ] || fail "deadline from released_at"; ok
[ "$(status "$L")" = matched ] || fail "postponed release still open"; ok

# in December 1002 is still in custody, past both stated dates: its detainers stay open
export CUSTODIAN_NOW=2025-12-01T00:00:00Z
expect_exit 0 "$C" request list --open --json
[ "$(jq -r '[.[].id] | sort | join(",")' "$T/out")" = "$(printf '%s\n' "$ACT" "$B" "$L" | sort | paste -sd,)" ] ||
  fail "still in custody: open: $(cat "$T/out")"; ok
[ ! -s "$T/err" ] || fail "nothing expired yet"; ok
# released on Mon 2025-11-24 09:00 PST: the window ends Wed 09:00 PST, so by December both are
# due to expire. A list only reads (issue 11: `request list` wrote 331 expiries): the sweep
# expires them, once
release 1002 2025-11-24T09:00:00-08:00
entries=$("$C" audit log --json | jq length)
expect_exit 0 "$C" request list --open --json
[ "$(jq -r '[.[].id] | sort | join(",")' "$T/out")" = "$(printf '%s\n' "$ACT" "$B" "$L" | sort | paste -sd,)" ] ||
  fail "a list does not expire: $(cat "$T/out")"; ok
[ ! -s "$T/err" ] || fail "list says nothing"; ok
[ "$("$C" audit log --json | jq length)" -eq "$entries" ] || fail "a list wrote the ledger"; ok
expect_exit 0 "$C" request sweep
grep -q '^2 expired$' "$T/out" || fail "the sweep expires them: $(cat "$T/out")"; ok
[ "$(status "$L")" = expired ] || fail "postponed one expired in the end"; ok
[ "$(status "$B")" = expired ] || fail "B expired by the sweep"; ok
[ "$(sys_entries "$B")" -eq 1 ] || fail "B one entry"; ok
expect_exit 0 "$C" request list --open --json
[ "$(jq -r '[.[].id] | join(",")' "$T/out")" = "$ACT" ] || fail "only the acted one open: $(cat "$T/out")"; ok
expect_exit 0 "$C" request sweep
[ "$(sys_entries "$B")" -eq 1 ] || fail "B still one entry"; ok

# --open: not final and not fulfilled (a DOJ letter answered once is not open)
cat >"$T/doj.json" <<'J'
{"kind": "information_request", "form": "letter", "requester": {"agency": "U.S. Department of Justice"},
 "received_at": "2025-07-17T09:00:00-07:00", "due": "2025-08-16",
 "scope": {"population": "in_custody", "citizenship": "non_citizen", "as_of": "2025-07-17"},
 "items": ["booking_facts"]}
J
DOJ=$("$C" request add "$T/doj.json")
expect_exit 0 "$C" request list --open --json
jq -e --arg d "$DOJ" 'map(.id) | index($d) != null' "$T/out" >/dev/null || fail "received: open"; ok
"$C" request fulfill "$DOJ" --format csv --out "$T/doj.csv" 2>/dev/null
expect_exit 0 "$C" request list --open --json
jq -e --arg d "$DOJ" 'map(.id) | index($d) == null' "$T/out" >/dev/null || fail "fulfilled: not open"; ok
expect_exit 0 "$C" request list --json
jq -e --arg d "$DOJ" 'map(.id) | index($d) != null' "$T/out" >/dev/null || fail "fulfilled: listed"; ok

# the server's timer expires, its readers do not: a detainer whose window passed is expired at
# the server's start (and each minute), a GET of the list writes nothing
R=$(det 1001)
export CUSTODIAN_NOW=2025-07-20T00:00:00Z
entries=$("$C" audit log --json | jq length)
expect_exit 0 "$C" request list --json
[ "$("$C" audit log --json | jq length)" -eq "$entries" ] || fail "a list wrote the ledger"; ok
"$C" serve --listen 127.0.0.1:0 --port-file "$T/port" 2>"$T/server.err" &
SP=$!
for _ in $(seq 1 400); do [ -s "$T/port" ] && break; sleep 0.025; done
for _ in $(seq 1 400); do [ "$(status "$R")" = expired ] && break; sleep 0.05; done
kill "$SP"; wait "$SP" 2>/dev/null || true
[ "$(status "$R")" = expired ] || fail "the server's sweep: $(cat "$T/server.err")"; ok
[ "$(sys_entries "$R")" -eq 1 ] || fail "expired once"; ok
expect_exit 0 "$C" audit verify
pass
