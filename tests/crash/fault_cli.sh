#!/usr/bin/env bash
# I/O faults under the CLI's writes (strace --inject). For each write (import, request intake,
# an action, a data-request fulfilment to a file, a first staff account and its key file, a
# backup) and each system call it makes to keep its data (fdatasync, fsync and pwrite64 on the
# store's files and folder; write and fsync on any file: standard output, the answer file, the
# key file, and for a backup pwrite64 and fdatasync on its copy too), call number k fails with
# EIO or ENOSPC, once, on a fresh copy of the same store. Then:
#   - the command exits 0 with its whole output (the id on stdout, the answer file equal to
#     the response the store kept) and the write is in the store, or it exits 1 with a
#     `custodian: ...` line naming the failure, and the write is whole or absent;
#   - never another status (2 is invalid input; 134 an abort), never an acknowledgement of a
#     write that is not there;
#   - the store passes `audit verify`, integrity_check and the atomicity checks (lib.sh), and
#     the same write, run again without the fault, succeeds.
# make check tries a sample of k (FAULT_ALL unset); `make stress` (FAULT_ALL=1) tries every k up
# to FAULT_MAX per call and both errors for each. LeakSanitizer cannot run under ptrace, so
# leaks are not checked here (AddressSanitizer's other checks are).
set -euo pipefail
. "$(dirname "$0")/../integration/lib/common.sh"
. "$(dirname "$0")/lib.sh"
command -v strace >/dev/null || fail "strace is needed (scripts/bootstrap installs it)"
C=$CUSTODIAN
export CUSTODIAN_NOW=2025-07-18T19:00:00Z
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
ALL=${FAULT_ALL:-}
MAX=${FAULT_MAX:-400}

# --- the store every trial starts from
BASE="$T/base.db"
export CUSTODIAN_DB=$BASE
"$C" gen --seed 3 --bookings 400 --end 2025-07-31 >"$T/county.jsonl"
"$C" import "$T/county.jsonl" 2>/dev/null
"$C" gen --seed 4 --bookings 200 --end 2025-07-31 |
  jq -c '.booking_number = "K" + .booking_number | .person.person_id = "K" + (.person.person_id // "")' \
    >"$T/imp.jsonl"
IMP_N=$(wc -l <"$T/imp.jsonl")
BN=$("$C" roster --as-of 2025-07-18 --citizenship non_citizen --json | jq -r '.[0].booking_number')
[ -n "$BN" ] && [ "$BN" != null ] || fail "no non-citizen in custody"
printf '%s\n' "{\"kind\":\"detainer\",\"requester\":{\"agency\":\"ICE\"},\"received_at\":\"2025-07-17T10:00:00-07:00\",\"subject\":{\"booking_number\":\"$BN\"},\"asks\":[\"hold\",\"notify\"],\"note\":\"fault-intake\"}" >"$T/det.json"
DET=$("$C" request add "$T/det.json")
"$C" request decide "$DET" >/dev/null
cat >"$T/doj.json" <<'J'
{"kind": "information_request", "form": "letter", "requester": {"agency": "U.S. Department of Justice"},
 "received_at": "2025-07-17T09:00:00-07:00", "due": "2025-08-16",
 "scope": {"population": "in_custody", "citizenship": "non_citizen", "as_of": "2025-07-17"},
 "items": ["booking_facts", "charges", "convictions", "release_date"]}
J
DOJ=$("$C" request add "$T/doj.json")
sql "$BASE" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
# --- standard output that cannot be written (a full disk): the id of a stored request, an
# export, a listing. Exit 1 naming the failure, never 0 with the output lost.
cp "$BASE" "$T/full.db"
for cmd in "request add $T/det.json" "export" "roster --as-of 2025-07-18" "request show $DET"; do
  set +e; "$C" --db "$T/full.db" $cmd >/dev/full 2>"$T/err"; rc=$?; set -e
  [ "$rc" -eq 1 ] || fail "'$cmd' >/dev/full: exit $rc"
  grep '^custodian: cannot write.*No space left on device' "$T/err" >/dev/null ||
    { cat "$T/err" >&2; fail "'$cmd' >/dev/full: no clear message"; }
  ok
done

W="$T/w.db"
export CUSTODIAN_DB=$W
ANSWER="$T/answer.csv"

fresh() { cp "$BASE" "$W"; rm -rf "$W-wal" "$W-shm" "$W.key" "$ANSWER" "$T/bk"; }
echo "river otter lantern quietly 42" >"$T/pass"

# run_op OP [STRACE ARGS...]: the write, under strace when arguments are given.
run_op() {
  local op=$1; shift
  local pre=()
  [ $# -eq 0 ] || pre=(strace -f -qq -y -o "$T/trace" "$@")
  local cmd
  case $op in
  import) cmd=("$C" import "$T/imp.jsonl") ;;
  intake) cmd=("$C" request add "$T/det.json") ;;
  act) cmd=("$C" request act "$DET" --action hold --decline --by "$CUSTODIAN_USER" --reason "Values Act") ;;
  fulfil) cmd=("$C" request fulfill "$DOJ" --format csv --out "$ANSWER") ;;
  useradd) cmd=("$C" user add u.fault --role clerk --passphrase-file "$T/pass") ;;
  backup) cmd=("$C" backup --out "$T/bk") ;;
  esac
  set +e; "${pre[@]}" "${cmd[@]}" >"$T/out" 2>"$T/err"; RC=$?; set -e
}

# present OP: 1 when the write is in the store, 0 when it is absent; fails when it is half there.
present() {
  case $1 in
  import)
    local n e
    n=$(sql "$W" "SELECT count(*) FROM bookings WHERE booking_number LIKE 'K%'")
    e=$(sql "$W" "SELECT count(*) FROM ledger WHERE action = 'import' AND object_id = '$T/imp.jsonl'")
    if [ "$n" -eq "$IMP_N" ] && [ "$e" -eq 1 ]; then echo 1
    elif [ "$n" -eq 0 ] && [ "$e" -eq 0 ]; then echo 0
    else fail "$trial: import half there: $n of $IMP_N bookings, $e entries"; fi ;;
  intake) sql "$W" "SELECT count(*) - 1 FROM requests WHERE doc LIKE '%fault-intake%'" ;;
  act) sql "$W" "SELECT count(*) FROM actions WHERE request_id = '$DET'" ;;
  fulfil) sql "$W" "SELECT count(*) FROM requests WHERE id = '$DOJ' AND status = 'fulfilled'" ;;
  useradd)
    local u
    u=$(sql "$W" "SELECT count(*) FROM users WHERE name = 'u.fault'")
    # a user's secret is sealed under the key file: no user without a whole key file
    [ "$u" -eq 0 ] || [ "$(stat -c %s "$W.key" 2>/dev/null)" = 32 ] || fail "$trial: a user, no key file"
    echo "$u" ;;
  backup)
    # a backup is a folder with its manifest, recorded in the store's ledger; without the
    # manifest no copy is left (the folder is removed or empty)
    local e
    e=$(sql "$W" "SELECT count(*) FROM ledger WHERE action = 'backup'")
    if [ -f "$T/bk/manifest.json" ]; then
      [ "$e" -ge 1 ] || fail "$trial: a backup not in the ledger"
      echo 1
    else
      [ -z "$(ls -A "$T/bk" 2>/dev/null)" ] || fail "$trial: no manifest, yet files: $(ls -A "$T/bk")"
      echo 0
    fi ;;
  esac
}

# output_whole OP: the command's output is all there (an exit 0 promised it).
output_whole() {
  case $1 in
  import) grep "^imported $IMP_N bookings" "$T/err" >/dev/null ;;
  intake) grep -E '^R-[0-9]{4}-[0-9]{6}$' "$T/out" >/dev/null ;;
  act) grep "^$DET: hold declined for 1 person" "$T/out" >/dev/null ;;
  useradd) grep '^otpauth://totp/custodian:u.fault?secret=' "$T/out" >/dev/null ;;
  backup)
    grep "^backup $T/bk: " "$T/out" >/dev/null || return 1
    jq -r '.files[] | "\(.sha256)  \(.name)"' "$T/bk/manifest.json" >"$T/bk.sums"
    (cd "$T/bk" && sha256sum --quiet -c "$T/bk.sums") ;;
  fulfil)
    [ -f "$ANSWER" ] || return 1
    local sha
    sha=$(sha256sum "$ANSWER" | cut -d' ' -f1)
    [ "$(sql "$W" "SELECT count(*) FROM request_documents WHERE request_id = '$DOJ'
      AND name = 'response.csv' AND sha256 = '$sha'")" -eq 1 ] ;;
  esac
}

# clear_failure ERRNO: the failure is named in the words of the store or the system: a full
# disk as a full disk, an I/O error as one.
clear_failure() {
  local words='disk I/O error|Input/output error'
  [ "$1" = ENOSPC ] && words='disk is full|No space left on device|check the free space'
  grep -E "^custodian: .*($words)" "$T/err" >/dev/null
}

# trial OP SCOPE SYSCALL ERRNO K: one fault and every check after it.
trial() {
  local op=$1 scope=$2 sc=$3 e=$4 k=$5
  trial="$op: $sc #$k $e ($scope)"
  fresh
  local paths=()
  [ "$scope" = store ] && paths=(-P "$W" -P "$W-wal" -P "$W-shm" -P "$T")
  run_op "$op" "${paths[@]}" -e trace="$sc" -e inject="$sc:error=$e:when=$k"
  grep '(INJECTED)' "$T/trace" >/dev/null || fail "$trial: nothing injected (the count changed?)"
  local p
  p=$(present "$op")
  case $RC in
  0)
    [ "$p" -eq 1 ] || fail "$trial: exit 0 but the write is not in the store"
    # (a failed write to standard error can be reported nowhere: the exit status stands)
    grep -E '^[0-9]+ +write\(2(<[^>]*>)?, .*\(INJECTED\)' "$T/trace" >/dev/null || output_whole "$op" ||
      { cat "$T/out" "$T/err" >&2; fail "$trial: exit 0 without its whole output"; }
    TRIALS_OK=$((TRIALS_OK + 1)) ;;
  1)
    clear_failure "$e" || { cat "$T/err" >&2; fail "$trial: exit 1 without naming the fault"; }
    # an answer file is whole or absent: no partial or empty file left to be sent by mistake
    # (whole: the fulfilment committed, then syncing the folder failed, and it says so)
    if [ "$op" = fulfil ] && [ -e "$ANSWER" ]; then
      [ "$p" -eq 1 ] && output_whole fulfil || fail "$trial: exit 1 left a partial answer file"
      grep 'the fulfilment is recorded' "$T/err" >/dev/null || fail "$trial: answer left, unexplained"
    fi
    [ -z "$(find "$T" -maxdepth 1 -name '.answer.csv.*' -o -name '.w.db.key.*')" ] ||
      fail "$trial: a temporary file left"
    # a key file is whole or absent (a later `user add` would refuse a short one)
    [ ! -e "$W.key" ] || [ "$(stat -c %s "$W.key")" = 32 ] || fail "$trial: a partial key file"
    TRIALS_FAILED=$((TRIALS_FAILED + 1)) ;;
  *) cat "$T/err" >&2; fail "$trial: exit $RC" ;;
  esac
  LAST_SEQ=0
  verify_store "$W" "$trial"
  if [ "$p" -eq 0 ]; then # the store is not wedged: the same write without the fault
    run_op "$op"
    [ "$RC" -eq 0 ] || { cat "$T/err" >&2; fail "$trial: the write failed again without the fault"; }
    [ "$(present "$op")" -eq 1 ] || fail "$trial: the write again, not in the store"
    [ -z "$ALL" ] || verify_store "$W" "$trial, then again"
  fi
}

# ks N: which call numbers to fail, out of N calls.
ks() {
  local n=$1
  if [ -n "$ALL" ]; then
    if [ "$n" -le "$MAX" ]; then seq 1 "$n"; else
      { seq 1 20; seq $((n - 19)) "$n"; seq 21 $(((n - 40) / (MAX - 40) + 1)) $((n - 20)); } | sort -nu
    fi
  else
    { echo 1; echo $(((n + 1) / 2)); echo "$n"; [ "$n" -le 3 ] || echo $((RANDOM % n + 1)); } | sort -nu
  fi
}

TRIALS_OK=0 TRIALS_FAILED=0
for op in import intake act fulfil useradd backup; do
  for scope in store any; do
    # (SQLite syncs with fdatasync, only the store's files and folder: the store scope has them)
    if [ "$scope" = store ]; then calls=(fdatasync fsync pwrite64); else calls=(write fsync); fi
    # a backup's copy is written by SQLite in the backup folder
    [ "$op$scope" != backupany ] || calls+=(pwrite64 fdatasync)
    for sc in "${calls[@]}"; do
      fresh
      paths=()
      [ "$scope" = store ] && paths=(-P "$W" -P "$W-wal" -P "$W-shm" -P "$T")
      run_op "$op" "${paths[@]}" -e trace="$sc"
      [ "$RC" -eq 0 ] || { cat "$T/err" >&2; fail "$op under strace, no fault: exit $RC"; }
      n=$(grep -c "^[0-9]* *$sc(" "$T/trace" || true)
      echo "$op: $n $sc calls ($scope)"
      # the answer file is on disk before the fulfilment is committed and reported (SQLite
      # itself syncs with fdatasync, so these fsyncs are the answer file's)
      if [ "$op" = fulfil ] && [ "$scope" = any ] && [ "$sc" = fsync ]; then
        [ "$n" -ge 1 ] || fail "fulfil: the answer file is never synced"
        ok
      fi
      # the key file's name is on disk (its folder synced) before a secret is sealed under it
      if [ "$op" = useradd ] && [ "$scope" = any ] && [ "$sc" = fsync ]; then
        grep -E "^[0-9]+ +fsync\([0-9]+<$T>\)" "$T/trace" >/dev/null ||
          fail "useradd: the key file's folder is never synced"
        ok
      fi
      [ "$n" -gt 0 ] || continue
      i=0
      for k in $(ks "$n"); do
        i=$((i + 1))
        if [ -n "$ALL" ]; then errs=(EIO ENOSPC); elif ((i % 2)); then errs=(EIO); else errs=(ENOSPC); fi
        for e in "${errs[@]}"; do trial "$op" "$scope" "$sc" "$e" "$k"; done
      done
    done
  done
done
echo "trials: $((TRIALS_OK + TRIALS_FAILED)) ($TRIALS_FAILED reported the fault and exited 1," \
  "$TRIALS_OK exited 0 with the write durable: the fault hit a call SQLite may ignore, such as" \
  "a folder sync, or came after the commit)"
[ "$TRIALS_FAILED" -gt 0 ] || fail "no fault made a write fail: the test proved nothing"
pass
