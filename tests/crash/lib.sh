# Shared helpers for the crash and fault tests (sourced after tests/integration/lib/common.sh).
#
# What "acknowledged" means here (docs/operations.md, "Durability"):
#   - a CLI write is acknowledged when the command exited 0, or when it printed the id or the
#     summary it prints only after its commit (`request add` prints the id; `import` prints
#     `imported N bookings`), whichever the caller saw first;
#   - a server write is acknowledged when the client received a 2xx answer.
# Every acknowledged write must be in the store after any crash. A write that was not
# acknowledged may be there or not, but whole: a transaction is never half there. Whatever a
# check has once seen in the store must stay there (nothing acknowledged or observed vanishes).

ROUNDS=${CRASH_ROUNDS:-20}
SEED=${CRASH_SEED:-$(($(date +%s%N) % 32768))}
RANDOM=$SEED
echo "$(basename "$0"): seed $SEED (CRASH_SEED=$SEED repeats a run; CRASH_ROUNDS=$ROUNDS rounds)"
command -v sqlite3 >/dev/null || fail "the sqlite3 CLI is needed (scripts/bootstrap installs it)"
command -v jq >/dev/null || fail "jq is needed (scripts/bootstrap installs it)"

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# pick_delay DUR_MS: a delay in ms at which to kill an operation that takes about DUR_MS. Half
# the time anywhere in [0, 1.3 DUR] (start-up, parsing, matching, writing), half the time in
# [0.75, 1.15] DUR, where the commit and its fsyncs happen.
pick_delay() {
  local d=$1
  [ "$d" -gt 0 ] || d=1
  if ((RANDOM % 2)); then
    echo $((RANDOM * (d * 13 / 10 + 1) / 32768))
  else
    echo $((d * 3 / 4 + RANDOM * (d * 2 / 5 + 1) / 32768))
  fi
}

# kill_after MS CMD...: run CMD in the background with stdout in $T/k.out and stderr in $T/k.err,
# SIGKILL it after MS milliseconds unless it has finished. Sets KRC to its exit status (137 when
# the kill landed) and KMS to how long it ran.
kill_after() {
  local ms=$1; shift
  local t0; t0=$(now_ms)
  "$@" >"$T/k.out" 2>"$T/k.err" &
  local pid=$!
  sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
  kill -KILL "$pid" 2>/dev/null || true
  set +e; wait "$pid" 2>/dev/null; KRC=$?; set -e
  KMS=$(($(now_ms) - t0))
}

# sql DB QUERY: run a query with the sqlite3 CLI (an oracle independent of custodian's code).
sql() { sqlite3 -bail -batch "$1" "$2"; }

# Checks appended by the rounds: each SELECT returns a line naming what is wrong, or nothing.
CHECKS="$T/checks.sql"
: >"$CHECKS"
LAST_SEQ=0
LAST_HASH=

# Atomicity of the desk: every row and its ledger entry were written in one transaction.
cross_checks() {
  cat <<'SQL'
SELECT 'request without its request.add entry: ' || id FROM requests
 WHERE id NOT IN (SELECT object_id FROM ledger WHERE action = 'request.add');
SELECT 'request.add entry without its request: ' || object_id FROM ledger
 WHERE action = 'request.add' AND object_id NOT IN (SELECT id FROM requests);
SELECT 'actions and request.act entries differ for ' || a.request_id
  FROM (SELECT request_id, count(*) AS n FROM actions GROUP BY request_id) a
 WHERE a.n != (SELECT count(*) FROM ledger WHERE action = 'request.act' AND object_id = a.request_id);
SELECT 'request.act entry without its action: ' || object_id FROM ledger
 WHERE action = 'request.act' AND object_id NOT IN (SELECT request_id FROM actions);
SELECT 'decisions and request.decide entries differ for ' || r.id FROM requests r
 WHERE (SELECT count(*) > 0 FROM decisions WHERE request_id = r.id)
    != (SELECT count(*) > 0 FROM ledger WHERE action = 'request.decide' AND object_id = r.id);
SELECT 'fulfilled without a request.fulfill entry: ' || id FROM requests
 WHERE status = 'fulfilled' AND id NOT IN (SELECT object_id FROM ledger WHERE action = 'request.fulfill');
SELECT 'request.fulfill entry for a request not fulfilled: ' || object_id FROM ledger
 WHERE action = 'request.fulfill' AND object_id NOT IN (SELECT id FROM requests WHERE status = 'fulfilled');
SELECT 'disclosures of a request not fulfilled: ' || request_id FROM disclosures
 WHERE request_id NOT IN (SELECT id FROM requests WHERE status = 'fulfilled');
SELECT 'booking without a version: ' || booking_number FROM bookings b
 WHERE NOT EXISTS (SELECT 1 FROM booking_versions v WHERE v.booking_id = b.id AND v.version = b.version);
SELECT 'ledger head is not the last entry' FROM ledger_head h
 WHERE h.seq != (SELECT coalesce(max(seq), 0) FROM ledger);
SQL
}

# verify_store DB WHAT: restart (custodian opens the store: WAL recovery), then `audit verify`,
# PRAGMA integrity_check and foreign_key_check, every acknowledged write present, the desk's
# rows and ledger entries atomic, and the ledger up to the last seen head unchanged.
verify_store() {
  local db=$1 what=$2
  if ! "$C" --db "$db" audit verify >"$T/v.out" 2>&1; then
    cat "$T/v.out" >&2
    fail "$what: audit verify"
  fi
  local ic
  ic=$(sql "$db" 'PRAGMA integrity_check')
  [ "$ic" = ok ] || fail "$what: integrity_check: $ic"
  [ -z "$(sql "$db" 'PRAGMA foreign_key_check')" ] || fail "$what: foreign_key_check"
  { cross_checks; cat "$CHECKS"; } >"$T/all_checks.sql"
  sqlite3 -bail -batch "$db" <"$T/all_checks.sql" >"$T/v.bad" || fail "$what: checks did not run"
  if [ -s "$T/v.bad" ]; then
    head -20 "$T/v.bad" >&2
    fail "$what: $(wc -l <"$T/v.bad") acknowledged or atomic writes wrong"
  fi
  if [ "$LAST_SEQ" -gt 0 ]; then
    [ "$(sql "$db" "SELECT hash FROM ledger WHERE seq = $LAST_SEQ")" = "$LAST_HASH" ] ||
      fail "$what: ledger entry $LAST_SEQ changed or vanished"
  fi
  LAST_SEQ=$(sql "$db" 'SELECT seq FROM ledger_head')
  LAST_HASH=$(sql "$db" 'SELECT hash FROM ledger_head')
  ok
}

# ack_request ID: from now on, request ID must be in the store.
ack_request() {
  echo "SELECT 'acknowledged request missing: $1' WHERE NOT EXISTS (SELECT 1 FROM requests WHERE id = '$1');" >>"$CHECKS"
}
