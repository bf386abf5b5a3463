#!/usr/bin/env bash
# Crash safety of the CLI's writes. Each round runs one write and kills it with SIGKILL at a
# random moment (or lets it finish): an import into the store (new bookings and new versions of
# old ones), an import into an empty store (the bulk path that drops and rebuilds indexes), a
# request intake (one request, or a batch all or nothing), a decision or an action, a
# data-request fulfilment. Then the store is opened again and checked (lib.sh): every
# acknowledged write present, each write whole or absent, PRAGMA integrity_check,
# foreign_key_check and `audit verify` pass, nothing seen before vanished.
# CRASH_ROUNDS (default 20; `make stress` runs 200) and CRASH_SEED repeat a run.
set -euo pipefail
. "$(dirname "$0")/../integration/lib/common.sh"
. "$(dirname "$0")/lib.sh"
C=$CUSTODIAN
DB=$CUSTODIAN_DB
export CUSTODIAN_NOW=2025-07-18T19:00:00Z

# --- the county, and a pool of other bookings to import in the rounds
"$C" gen --seed 3 --bookings 1500 --end 2025-07-31 >"$T/county.jsonl"
"$C" import "$T/county.jsonl" 2>/dev/null
staff sgt.crash supervisor lt.crash supervisor # --by: active accounts
"$C" gen --seed 4 --bookings 700 --end 2025-07-31 >"$T/pool.jsonl"
"$C" roster --as-of 2025-07-18 --citizenship non_citizen --json |
  jq -r '.[].booking_number' >"$T/noncit"
[ "$(wc -l <"$T/noncit")" -ge 5 ] || fail "too few non-citizens in custody to take requests about"
jq -r .booking_number "$T/county.jsonl" >"$T/base_bns"
POOL_N=$(wc -l <"$T/pool.jsonl")

# make_import ROUND FILE: the pool under new booking numbers and person ids, plus new versions of
# 40 bookings of the county (their numbers and current versions in $T/upd).
make_import() {
  local r=$1 f=$2
  jq -c --arg p "K$r-" '.booking_number = $p + .booking_number
    | if .person.person_id then .person.person_id = $p + .person.person_id else . end' \
    "$T/pool.jsonl" >"$f"
  shuf -n 40 --random-source=<(yes "$SEED$r") "$T/base_bns" >"$T/upd_bns"
  jq -c --rawfile bns "$T/upd_bns" --arg h "CRASH-$r" \
    'select(.booking_number as $b | ($bns | split("\n") | index($b)) != null) | .housing = $h' \
    "$T/county.jsonl" >>"$f"
  sql "$DB" "SELECT booking_number || ' ' || version FROM bookings WHERE booking_number IN
    ($(sed "s/.*/'&'/" "$T/upd_bns" | paste -sd,))" >"$T/upd"
  [ "$(wc -l <"$T/upd")" -eq 40 ] || fail "update set versions"
}

# detainer ROUND K: a detainer about a non-citizen in custody (linked by booking number).
detainer() {
  local bn
  bn=$(sed -n "$((RANDOM % $(wc -l <"$T/noncit") + 1))p" "$T/noncit")
  printf '{"kind":"detainer","form":"I-247A","requester":{"agency":"ICE","office":"ERO"},%s%s%s\n' \
    '"received_at":"2025-07-17T10:00:00-07:00","subject":{"booking_number":"' "$bn" \
    "\"},\"asks\":[\"hold\",\"notify\"],\"note\":\"crash-r$1-$2\"}"
}

doj_letter() {
  printf '%s%s\n' '{"kind":"information_request","form":"letter","requester":{"agency":"U.S. Department of Justice"},"received_at":"2025-07-17T09:00:00-07:00","due":"2025-08-16","scope":{"population":"in_custody","citizenship":"non_citizen","as_of":"2025-07-17"},"items":["booking_facts","charges","convictions","release_date"],' \
    "\"note\":\"crash-doj-$1\"}"
}

# --- calibration: each operation once, unkilled, to know how long it takes
declare -A DUR
t0=$(now_ms); make_import 0 "$T/imp0.jsonl"
"$C" import "$T/imp0.jsonl" 2>/dev/null
DUR[import]=$(($(now_ms) - t0))
t0=$(now_ms); "$C" --db "$T/fresh0.db" import "$T/imp0.jsonl" 2>/dev/null
DUR[import_empty]=$(($(now_ms) - t0))
rm -f "$T"/fresh0.db*
for k in 1 2 3 4 5 6; do detainer 0 "$k"; done >"$T/det0.jsonl"
t0=$(now_ms); "$C" request add --jsonl "$T/det0.jsonl" 2>/dev/null
DUR[intake]=$(($(now_ms) - t0))
for k in $(seq 1 $((ROUNDS / 5 + 2))); do doj_letter "$k"; done >"$T/doj.jsonl"
"$C" request add --jsonl "$T/doj.jsonl" 2>/dev/null
ID=$(sql "$DB" "SELECT id FROM requests WHERE doc LIKE '%crash-r0-1\"%'")
t0=$(now_ms); "$C" request decide "$ID" >/dev/null
DUR[act]=$(($(now_ms) - t0))
DOJ=$(sql "$DB" "SELECT id FROM requests WHERE doc LIKE '%crash-doj-1\"%'")
t0=$(now_ms); "$C" request fulfill "$DOJ" --format csv --out "$T/doj.csv" 2>/dev/null
DUR[fulfil]=$(($(now_ms) - t0))
echo "calibration (ms): import ${DUR[import]}, import into an empty store ${DUR[import_empty]}," \
  "intake ${DUR[intake]}, decide ${DUR[act]}, fulfil ${DUR[fulfil]}"
verify_store "$DB" "after calibration"

# unexpected RC: a write that was neither killed nor acknowledged is a failure of the test.
unexpected() { cat "$T/k.err" >&2; fail "round $round ($1): exit $KRC"; }

killed=0 acked=0
ops=(import import_empty intake act fulfil)
for round in $(seq 1 "$ROUNDS"); do
  op=${ops[$(((round + SEED) % ${#ops[@]}))]}
  case $op in
  import)
    f="$T/imp$round.jsonl"
    make_import "$round" "$f"
    kill_after "$(pick_delay "${DUR[import]}")" "$C" import "$f"
    n=$(sql "$DB" "SELECT count(*) FROM bookings WHERE booking_number LIKE 'K$round-%'")
    entries=$(sql "$DB" "SELECT count(*) FROM ledger WHERE action = 'import' AND object_id = '$f'")
    bumped=0
    while read -r bn v; do
      now=$(sql "$DB" "SELECT version FROM bookings WHERE booking_number = '$bn'")
      [ "$now" -eq "$v" ] || [ "$now" -eq $((v + 1)) ] || fail "round $round: $bn version $v -> $now"
      [ "$now" -eq "$v" ] || bumped=$((bumped + 1))
    done <"$T/upd"
    if [ "$KRC" -eq 0 ] || grep '^imported ' "$T/k.err" >/dev/null; then
      [ "$KRC" -eq 0 ] || [ "$KRC" -eq 137 ] || unexpected "$op"
      [ "$n" -eq "$POOL_N" ] && [ "$bumped" -eq 40 ] && [ "$entries" -eq 1 ] ||
        fail "round $round: acknowledged import: $n/$POOL_N new, $bumped/40 updated, $entries entries"
      acked=$((acked + 1))
    else
      [ "$KRC" -eq 137 ] || unexpected "$op"
      # not acknowledged: all of it or none of it
      if [ "$n" -eq 0 ]; then
        [ "$bumped" -eq 0 ] && [ "$entries" -eq 0 ] ||
          fail "round $round: killed import half there ($bumped updated, $entries entries)"
      else
        [ "$n" -eq "$POOL_N" ] && [ "$bumped" -eq 40 ] && [ "$entries" -eq 1 ] ||
          fail "round $round: killed import half there: $n/$POOL_N new, $bumped/40 updated"
      fi
      killed=$((killed + 1))
    fi
    # from now on what is there stays there
    if [ "$n" -gt 0 ]; then
      echo "SELECT 'import $round: ' || (SELECT count(*) FROM bookings WHERE booking_number LIKE 'K$round-%') || ' of $POOL_N bookings' WHERE (SELECT count(*) FROM bookings WHERE booking_number LIKE 'K$round-%') != $POOL_N;" >>"$CHECKS"
      while read -r bn v; do
        echo "SELECT 'booking $bn below version $((v + 1))' WHERE (SELECT version FROM bookings WHERE booking_number = '$bn') < $((v + 1));"
      done <"$T/upd" >>"$CHECKS"
    fi
    ;;
  import_empty)
    fdb="$T/fresh$round.db"
    kill_after "$(pick_delay "${DUR[import_empty]}")" "$C" --db "$fdb" import "$T/imp0.jsonl"
    if [ "$KRC" -eq 0 ] || grep '^imported ' "$T/k.err" >/dev/null; then
      [ "$KRC" -eq 0 ] || [ "$KRC" -eq 137 ] || unexpected "$op"
      acked=$((acked + 1))
      want=all
    else
      [ "$KRC" -eq 137 ] || unexpected "$op"
      killed=$((killed + 1))
      want=any
    fi
    if [ -e "$fdb" ]; then
      "$C" --db "$fdb" audit verify >"$T/v.out" 2>&1 || { cat "$T/v.out" >&2; fail "round $round: audit verify (empty store)"; }
      [ "$(sql "$fdb" 'PRAGMA integrity_check')" = ok ] || fail "round $round: integrity (empty store)"
      n=$(sql "$fdb" "SELECT count(*) FROM bookings")
      entries=$(sql "$fdb" "SELECT count(*) FROM ledger WHERE action = 'import'")
      # every index the bulk load dropped is back
      [ "$(sql "$fdb" "SELECT count(*) FROM sqlite_schema WHERE name IN ('bookings_person',
        'priors_person', 'persons_name_copy', 'bookings_open', 'bookings_released_name')")" -eq 5 ] ||
        fail "round $round: an index or trigger of the bulk load is missing"
      total=$(wc -l <"$T/imp0.jsonl")
      if [ "$want" = all ] || [ "$n" -gt 0 ]; then
        [ "$n" -eq "$total" ] && [ "$entries" -eq 1 ] ||
          fail "round $round: import into an empty store: $n/$total bookings, $entries entries"
      else
        [ "$entries" -eq 0 ] || fail "round $round: an import entry without its bookings"
      fi
    else
      [ "$want" = any ] || fail "round $round: acknowledged import, no store"
    fi
    rm -f "$fdb" "$fdb-wal" "$fdb-shm"
    ;;
  intake)
    if ((round % 2)); then # one request: acknowledged when its id was printed
      detainer "$round" 1 >"$T/one.json"
      kill_after "$(pick_delay $((DUR[intake] * 2 / 3)))" "$C" request add "$T/one.json"
      id=$(cat "$T/k.out")
      have=$(sql "$DB" "SELECT count(*) FROM requests WHERE doc LIKE '%crash-r$round-1\"%'")
      if [ -n "$id" ]; then
        [ "$KRC" -eq 0 ] || [ "$KRC" -eq 137 ] || unexpected "$op"
        [[ "$id" =~ ^R-[0-9]{4}-[0-9]{6}$ ]] || fail "round $round: printed '$id'"
        ack_request "$id"
        acked=$((acked + 1))
      else
        [ "$KRC" -eq 137 ] || unexpected "$op"
        killed=$((killed + 1))
      fi
      [ "$have" -le 1 ] || fail "round $round: one request stored $have times"
    else # a batch, all or nothing: acknowledged when it exited 0 or said "added"
      for k in $(seq 1 8); do detainer "$round" "$k"; done >"$T/batch.jsonl"
      kill_after "$(pick_delay "${DUR[intake]}")" "$C" request add --jsonl "$T/batch.jsonl"
      have=$(sql "$DB" "SELECT count(*) FROM requests WHERE doc LIKE '%crash-r$round-%'")
      if [ "$KRC" -eq 0 ] || grep '^added 8 requests' "$T/k.err" >/dev/null; then
        [ "$KRC" -eq 0 ] || [ "$KRC" -eq 137 ] || unexpected "$op"
        [ "$have" -eq 8 ] || fail "round $round: acknowledged batch: $have of 8"
        acked=$((acked + 1))
      else
        [ "$KRC" -eq 137 ] || unexpected "$op"
        [ "$have" -eq 0 ] || [ "$have" -eq 8 ] || fail "round $round: killed batch half there: $have of 8"
        killed=$((killed + 1))
      fi
    fi
    for id in $(sql "$DB" "SELECT id FROM requests WHERE doc LIKE '%crash-r$round-%'"); do
      ack_request "$id"
    done
    ;;
  act)
    # decide a matched detainer, or act on a decided one (declining the hold the law forbids)
    id=$(sql "$DB" "SELECT id FROM requests WHERE kind = 'detainer' AND status = 'decided'
      AND id NOT IN (SELECT request_id FROM actions) ORDER BY random() LIMIT 1")
    if [ -n "$id" ] && ((RANDOM % 3)); then
      # a decision with needs (decide.md) holds every action for a supervisor's review: the
      # review is done first, unkilled, so that the round kills the action itself
      for pid in $(sql "$DB" "SELECT person_id FROM request_links WHERE request_id = '$id' AND review = 1"); do
        "$C" request review "$id" "$pid" --by lt.crash --reason "crash test: reviewed" >/dev/null ||
          fail "round $round: review of $id person $pid"
      done
      kill_after "$(pick_delay "${DUR[act]}")" "$C" request act "$id" --action hold --decline \
        --by sgt.crash --reason "Values Act: no civil detainer holds"
      check="SELECT 'acknowledged action missing on $id' WHERE NOT EXISTS (SELECT 1 FROM actions WHERE request_id = '$id');"
    else
      id=$(sql "$DB" "SELECT id FROM requests WHERE kind = 'detainer' AND status = 'matched'
        ORDER BY random() LIMIT 1")
      [ -n "$id" ] || fail "round $round: no matched detainer left to decide"
      kill_after "$(pick_delay "${DUR[act]}")" "$C" request decide "$id"
      check="SELECT 'acknowledged decision missing on $id' WHERE NOT EXISTS (SELECT 1 FROM decisions WHERE request_id = '$id');"
    fi
    if [ "$KRC" -eq 0 ]; then
      echo "$check" >>"$CHECKS"
      acked=$((acked + 1))
    else
      [ "$KRC" -eq 137 ] || unexpected "$op"
      killed=$((killed + 1))
    fi
    ;;
  fulfil)
    id=$(sql "$DB" "SELECT id FROM requests WHERE kind = 'information_request'
      AND status != 'fulfilled' ORDER BY id LIMIT 1")
    [ -n "$id" ] || fail "round $round: no data request left to fulfil"
    rm -f "$T/answer.csv"
    kill_after "$(pick_delay "${DUR[fulfil]}")" "$C" request fulfill "$id" --format csv \
      --out "$T/answer.csv"
    if [ "$KRC" -eq 0 ]; then
      rows=$(sed -n 's/.*: \([0-9]*\) rows, .*/\1/p' "$T/k.err")
      [ -n "$rows" ] && [ "$rows" -gt 0 ] || fail "round $round: fulfil said '$(cat "$T/k.err")'"
      [ "$(($(wc -l <"$T/answer.csv") - 1))" -eq "$rows" ] || fail "round $round: answer file"
      sha=$(sha256sum "$T/answer.csv" | cut -d' ' -f1)
      cat >>"$CHECKS" <<SQL
SELECT 'acknowledged fulfilment of $id not fulfilled' WHERE (SELECT status FROM requests WHERE id = '$id') != 'fulfilled';
SELECT 'acknowledged fulfilment of $id: disclosures' WHERE (SELECT count(*) FROM disclosures WHERE request_id = '$id') != $rows;
SELECT 'acknowledged fulfilment of $id: the response kept' WHERE NOT EXISTS (SELECT 1 FROM documents WHERE sha256 = '$sha');
SQL
      acked=$((acked + 1))
    else
      [ "$KRC" -eq 137 ] || unexpected "$op"
      killed=$((killed + 1))
    fi
    ;;
  esac
  verify_store "$DB" "round $round ($op, exit $KRC after ${KMS} ms)"
done
echo "rounds: $ROUNDS, killed: $killed, finished and acknowledged: $acked"
[ "$killed" -gt 0 ] || fail "no round was killed: the test proved nothing"
[ "$acked" -gt 0 ] || fail "no round finished: no acknowledged write was checked"
# the store is still a working store: a last round of each write, unkilled
detainer end 1 >"$T/end.json"
ID=$("$C" request add "$T/end.json") || fail "intake after the crashes"
ack_request "$ID"
"$C" import "$T/imp0.jsonl" 2>/dev/null || fail "import after the crashes"
verify_store "$DB" "after the rounds"
pass
