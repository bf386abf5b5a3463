#!/usr/bin/env bash
# What came with a request and what goes out of the desk (issue 11, items 3 and 4):
#   - `request add --attach FILE` (repeatable) keeps each file by SHA-256 as a received
#     document, listed by `request documents` and returned byte for byte by `request document`;
#     a file the request names by hash fills that entry (a wrong file is refused, nothing
#     stored);
#   - a command with --out that refuses or fails leaves no file under that name, empty or
#     partial (request response/document, fulfill, report, audit checkpoint, duties notice):
#     a write that fails (ENOSPC, injected with strace) once left an empty answer file;
#   - `request show` names the person of every match, decision and action (name, person id,
#     booking number).
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
C="$CUSTODIAN"
export CUSTODIAN_NOW=2025-07-18T19:00:00Z
"$C" init >/dev/null 2>&1
cat >"$T/county.jsonl" <<'J'
{"booking_number": "7101", "booked_at": "2025-07-01T10:05:00-07:00", "facility": "Main Jail", "person": {"person_id": "P1", "last_name": "QUISPE", "first_name": "ROSA", "dob": "1980-02-02", "a_number": "A200000001", "citizenship": {"status": "non_citizen", "source": "document", "verified": true, "recorded_at": "2025-07-01"}}, "charges": [{"code": "PC 484(a)", "level": "misdemeanor", "status": "pending"}], "release_date_public": true}
J
"$C" import "$T/county.jsonl" 2>/dev/null
staff lt.vega supervisor

# --- attachments
printf 'test' >"$T/i247a.pdf" # sha256 9f86d0... as the request names it
printf 'I-200 warrant of arrest\n' >"$T/I-200 (signed).txt"
cat >"$T/det.json" <<'J'
{"kind": "detainer", "form": "I-247A", "requester": {"agency": "ICE"},
 "received_at": "2025-07-17T10:00:00-07:00", "subject": {"booking_number": "7101"},
 "asks": ["hold", "notify"],
 "documents": [{"name": "i247a.pdf", "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}]}
J
expect_exit 0 "$C" request add "$T/det.json" --attach "$T/i247a.pdf" --attach "$T/I-200 (signed).txt"
DET=$(cat "$T/out")
expect_exit 0 "$C" request documents "$DET" --json
jq -e 'length == 2 and all(.role == "received") and (map(.name) == ["i247a.pdf", "I-200 (signed).txt"])
  and .[0].size == 4 and .[1].size == 24' "$T/out" >/dev/null || fail "documents: $(cat "$T/out")"; ok
for f in i247a.pdf "I-200 (signed).txt"; do
  expect_exit 0 "$C" request document "$DET" "$f" --out "$T/got"
  cmp -s "$T/got" "$T/$f" || fail "$f: not the bytes received"; ok
  grep "sha256 $(sha256sum "$T/$f" | cut -d' ' -f1)" "$T/err" >/dev/null || fail "$f: sha256"; ok
done
# the intake's ledger entry records each document with its hash, its content kept
"$C" audit log --json 2>/dev/null | jq -e --arg id "$DET" '[.[] | select(.action == "request.add" and .object_id == $id) | .detail.documents[] | select(.content_kept)] | length == 2' >/dev/null ||
  fail "ledger: documents kept"; ok
# a file that is not the one the request names: refused, nothing stored
n=$(sqlite3 "$CUSTODIAN_DB" 'SELECT count(*) FROM requests')
mkdir "$T/wrong"
printf 'other' >"$T/wrong/i247a.pdf"
expect_exit 2 "$C" request add "$T/det.json" --attach "$T/wrong/i247a.pdf"
grep 'request.documents\[0\].sha256: does not match the content' "$T/err" >/dev/null || fail "wrong file: $(cat "$T/err")"; ok
[ "$(sqlite3 "$CUSTODIAN_DB" 'SELECT count(*) FROM requests')" = "$n" ] || fail "stored anyway"; ok
# two files of one name (from two folders): each document of a request needs a name of its own
expect_exit 2 "$C" request add "$T/det.json" --attach "$T/i247a.pdf" --attach "$T/wrong/i247a.pdf"
grep 'request.documents\[1\].name: the same name as request.documents\[0\]' "$T/err" >/dev/null ||
  fail "two of one name: $(cat "$T/err")"; ok
[ "$(sqlite3 "$CUSTODIAN_DB" 'SELECT count(*) FROM requests')" = "$n" ] || fail "stored anyway"; ok
expect_exit 2 "$C" request add "$T/det.json" --attach "$T/missing.pdf"
grep "attach '$T/missing.pdf': No such file" "$T/err" >/dev/null || fail "missing file: $(cat "$T/err")"; ok
expect_exit 2 "$C" request show "$DET" --attach "$T/i247a.pdf"
expect_exit 2 "$C" request add "$T/det.json" --jsonl --attach "$T/i247a.pdf"

# a document one request named by hash alone and a later one brought: its content is kept
# then (once refused: "documents are never overwritten"), and the first request's copy has it
printf 'I-247A, faxed copy\n' >"$T/i247b.pdf"
B_SHA=$(sha256sum "$T/i247b.pdf" | cut -d' ' -f1)
jq --arg h "$B_SHA" '.documents = [{name: "i247b.pdf", sha256: $h}]' "$T/det.json" >"$T/named.json"
expect_exit 0 "$C" request add "$T/named.json"
NAMED=$(cat "$T/out")
expect_exit 1 "$C" request document "$NAMED" i247b.pdf --out "$T/got"
grep "only the SHA-256 of 'i247b.pdf' was received" "$T/err" >/dev/null || fail "named: $(cat "$T/err")"; ok
expect_exit 0 "$C" request add "$T/named.json" --attach "$T/i247b.pdf"
expect_exit 0 "$C" request document "$NAMED" i247b.pdf --out "$T/got"
cmp -s "$T/got" "$T/i247b.pdf" || fail "the named document: not the bytes brought later"; ok
expect_exit 0 "$C" audit verify
grep '^rows ok' "$T/out" >/dev/null || fail "verify: $(cat "$T/out")"; ok
# ... and that is the only change a document takes: its content, or a wrong size, refused
upd() { sqlite3 "$CUSTODIAN_DB" "UPDATE documents SET $1 WHERE sha256 = '$2'" 2>&1 || true; }
for set in "content = x'00', size = 1" "size = 99"; do
  upd "$set" "$B_SHA" | grep 'documents are never overwritten' >/dev/null || fail "changed: $set"; ok
done
jq '.documents = [{name: "c.pdf", sha256: "'"$(printf c | sha256sum | cut -d' ' -f1)"'"}]' "$T/det.json" >"$T/c.json"
expect_exit 0 "$C" request add "$T/c.json"
upd "content = x'63', size = 2" "$(printf c | sha256sum | cut -d' ' -f1)" |
  grep 'documents are never overwritten' >/dev/null || fail "a wrong size taken"; ok

# --- every match, decision and action names its person
"$C" request decide "$DET" >/dev/null
"$C" request act "$DET" --action hold --decline --by lt.vega --reason "Values Act" >/dev/null
expect_exit 0 "$C" request show "$DET"
grep -E '^  match ROSA QUISPE, born 1980-02-02 \(person #[0-9]+, booking 7101\): confirmed' "$T/out" >/dev/null || fail "match: $(cat "$T/out")"; ok
grep -E '^  decision [0-9]+ ROSA QUISPE \(person #[0-9]+, booking 7101\) under us-ca' "$T/out" >/dev/null || fail "decision names the person"; ok
grep -E '^  action hold ROSA QUISPE \(person #[0-9]+, booking 7101\): declined' "$T/out" >/dev/null || fail "action names the person"; ok
expect_exit 0 "$C" request show "$DET" --json
jq -e '[.links[], .decisions[], .actions[]] | all(.name == "ROSA QUISPE" and .booking_number == "7101" and .person_id > 0)' "$T/out" >/dev/null || fail "json names"; ok

# --- --out: a refusal or a failed write leaves no file under the name
cat >"$T/doj.json" <<'J'
{"kind": "information_request", "form": "letter", "requester": {"agency": "U.S. Department of Justice"},
 "received_at": "2025-07-17T09:00:00-07:00", "due": "2025-08-16",
 "scope": {"population": "in_custody", "citizenship": "non_citizen", "as_of": "2025-07-17"},
 "items": ["booking_facts", "release_date"]}
J
DOJ=$("$C" request add "$T/doj.json")
O="$T/o/answer"
mkdir -p "$T/o"
refuses() { # refuses CODE CMD...: exit CODE and no file $O (nor a temporary one)
  expect_exit "$@"
  [ ! -e "$O" ] || fail "$* left '$O' ($(stat -c %s "$O") bytes)"
  [ -z "$(ls -A "$T/o")" ] || fail "$* left $(ls -A "$T/o")"
  ok
}
refuses 1 "$C" request response "$DOJ" --out "$O"         # not fulfilled
refuses 1 "$C" request document "$DET" nothing.pdf --out "$O"
refuses 2 "$C" request fulfill "$DET" --out "$O"          # not a data request
refuses 2 "$C" request fulfill "$DOJ" --format xml --out "$O"
refuses 1 "$C" duties notice 9999 --out "$O"
refuses 2 "$C" report detainers --from 2025-13-01 --to 2025-12-31 --out "$O"
refuses 1 "$C" audit checkpoint --key "$T/no-such.key" -o "$O"
expect_exit 0 "$C" request fulfill "$DOJ" --out "$T/doj.json.out"
refuses 1 "$C" request fulfill "$DOJ" --out "$O"          # answered once
# a write that fails (a full disk): exit 1 naming it, no empty or partial file. The first
# write(2) call is the answer's (the store is written with pwrite64; the message after it).
if command -v strace >/dev/null; then
  export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" # LeakSanitizer cannot run under ptrace
  for cmd in "request response $DOJ --out" "request document $DET i247a.pdf --out" \
    "report detainers --from 2025-01-01 --to 2025-12-31 --out" "audit checkpoint -o"; do
    # shellcheck disable=SC2086
    refuses 1 strace -f -qq -y -o "$T/trace" -e trace=write -e inject=write:error=ENOSPC:when=1 $C $cmd "$O"
    grep -E "^[0-9]+ +write\([0-9]+<$T/o/[^>]*>, .*\(INJECTED\)" "$T/trace" >/dev/null || fail "$cmd: not the answer's write: $(cat "$T/trace")"
    grep -E '^custodian: .*No space left on device' "$T/err" >/dev/null || fail "$cmd: $(cat "$T/err")"
    ok
  done
fi
pass
