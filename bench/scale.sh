#!/usr/bin/env bash
# bench/scale.sh - a generated state on each backend (issue 15 item 6, docs/benchmarks.md
# "State scale"): COUNTIES counties of TOTAL/COUNTIES bookings each (`custodian gen --seed I`),
# one store per county (docs/operations.md "Counties: one database each"), for each TOTAL given.
# Measured per backend, with the release binary:
#   import     every county's `import` (into an empty store: SQLite's bulk load, PostgreSQL's
#              COPY), bookings/s over the state, the largest peak RSS
#   roster     `roster --as-of 2026-06-01` of one county, and of every county (the state)
#   doj        the 2025-07-17 DOJ letter (non-citizens in custody, four items) added and
#              fulfilled in every county (`request add`, `request fulfill`): the state's answer
#   locator    `wrk` for 5 s, 4 connections, on one county's uncached public locator
#              (/api/v1/public/inmates?last_name=GARCIA, `serve --cache-ttl 0`): requests/s, p99
#   size       the stores on disk (SQLite: the files; PostgreSQL: pg_database_size)
# One line per figure goes to OUT (CSV: total,backend,metric,value,unit); bench/scale_chart.py
# draws docs/scale.svg from it. The generated files and stores are deleted at the end.
#
#   bench/scale.sh 100000 1000000
#   PGURL='postgresql:///postgres?host=SOCK&user=U' bench/scale.sh 100000   # + PostgreSQL
# Environment: CUSTODIAN (default build-release/custodian), COUNTIES (4), WORK
# (/tmp/scale-bench), OUT (WORK/scale.csv), PGURL (a maintenance database's URL: without it,
# SQLite only), BACKENDS (which of them to measure: default "sqlite postgresql", one alone when
# the other's run would not fit the time or the disk).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
C=${CUSTODIAN:-$here/../build-release/custodian}
K=${COUNTIES:-4}
W=${WORK:-/tmp/scale-bench}
OUT=${OUT:-$W/scale.csv}
[ $# -gt 0 ] || { echo "usage: bench/scale.sh TOTAL_BOOKINGS..." >&2; exit 2; }
mkdir -p "$W"
[ -f "$OUT" ] || echo "total,backend,metric,value,unit" >"$OUT"
export CUSTODIAN_NOW=2026-10-31T18:00:00Z CUSTODIAN_USER=bench
export CUSTODIAN_KEY_FILE=$W/key CUSTODIAN_JURISDICTION=us-ca
DOJ='{"kind": "information_request", "requester": {"agency": "DOJ"},
 "received_at": "2026-10-30T09:00:00-07:00", "due": "2026-11-29",
 "scope": {"population": "in_custody", "citizenship": "non_citizen", "as_of": "2026-10-30"},
 "items": ["booking_facts", "charges", "convictions", "release_date"]}'
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$W"/county-* "$W"/*.db "$W"/*.db-* "$W"/port "$W"/key* "$W"/time "$W"/out
  if [ -n "${PGURL:-}" ]; then
    for i in $(seq 1 "$K"); do psql -q "$PGURL" -c "DROP DATABASE IF EXISTS scale_county_$i" 2>/dev/null || true; done
  fi
}
trap cleanup EXIT

rec() { echo "$TOTAL,$B,$1,$2,$3" >>"$OUT"; printf '  %-28s %12s %s\n' "$1" "$2" "$3"; }
# timed CMD...: run it under /usr/bin/time; sets WALL (s), CPU (user+sys s), RSS (KiB)
timed() {
  /usr/bin/time -f '%e %U %S %M' -o "$W/time" "$@" >"$W/out" 2>&1 || { cat "$W/out" >&2; return 1; }
  read -r WALL u s RSS <"$W/time"
  CPU=$(echo "$u + $s" | bc)
}
store() { # the store of county I on backend B
  if [ "$B" = sqlite ]; then echo "$W/county-$1.db"; else echo "postgresql:///scale_county_$1?${PGURL#*\?}"; fi
}
sum() { echo "$1 + $2" | bc; }

for TOTAL in "$@"; do
  per=$((TOTAL / K))
  echo "== $TOTAL bookings: $K counties of $per ($(uptime | sed 's/.*load/load/'))"
  for i in $(seq 1 "$K"); do "$C" gen --seed "$i" --bookings "$per" >"$W/county-$i.jsonl"; done
  n=$(cat "$W"/county-*.jsonl | wc -l)
  backends=()
  for B in ${BACKENDS:-sqlite postgresql}; do
    case $B in
    sqlite) backends+=(sqlite) ;;
    postgresql) [ -z "${PGURL:-}" ] || backends+=(postgresql) ;;
    *) echo "bench/scale.sh: BACKENDS: unknown backend '$B' (sqlite, postgresql)" >&2; exit 2 ;;
    esac
  done
  for B in "${backends[@]}"; do
    echo "-- $B"
    if [ "$B" = postgresql ]; then
      for i in $(seq 1 "$K"); do
        psql -q "$PGURL" -c "DROP DATABASE IF EXISTS scale_county_$i" -c "CREATE DATABASE scale_county_$i"
      done
    else
      rm -f "$W"/county-*.db*
    fi
    tw=0 tc=0 rss=0
    for i in $(seq 1 "$K"); do
      timed "$C" --db "$(store "$i")" import --no-progress "$W/county-$i.jsonl"
      tw=$(sum "$tw" "$WALL") tc=$(sum "$tc" "$CPU")
      [ "$RSS" -le "$rss" ] || rss=$RSS
    done
    rec import_wall "$tw" s
    rec import_cpu "$tc" s
    rec import_rate "$(echo "$n / $tw" | bc)" bookings/s
    rec import_peak_rss "$((rss / 1024))" MiB
    tw=0
    for i in $(seq 1 "$K"); do
      timed "$C" --db "$(store "$i")" roster --as-of 2026-06-01
      [ "$i" -gt 1 ] || { rec roster_county "$WALL" s; rec roster_county_rss "$((RSS / 1024))" MiB; }
      tw=$(sum "$tw" "$WALL")
    done
    rec roster_state "$tw" s
    tw=0 rss=0 rows=0
    for i in $(seq 1 "$K"); do
      id=$(echo "$DOJ" | "$C" --db "$(store "$i")" request add - 2>/dev/null | tail -1)
      timed "$C" --db "$(store "$i")" request fulfill "$id" --format csv --out "$W/county-$i.doj.csv"
      tw=$(sum "$tw" "$WALL")
      [ "$RSS" -le "$rss" ] || rss=$RSS
      rows=$((rows + $(wc -l <"$W/county-$i.doj.csv") - 1))
    done
    rec doj_state "$tw" s
    rec doj_rows "$rows" persons
    rec doj_peak_rss "$((rss / 1024))" MiB
    rm -f "$W/port"
    "$C" --db "$(store 1)" serve --listen 127.0.0.1:0 --port-file "$W/port" --cache-ttl 0 \
      >/dev/null 2>&1 &
    PIDS+=($!)
    for _ in $(seq 1 100); do [ -s "$W/port" ] && break; sleep 0.1; done
    wrk -t1 -c4 -d5s --latency \
      "http://127.0.0.1:$(cat "$W/port")/api/v1/public/inmates?last_name=GARCIA" >"$W/out"
    kill "${PIDS[-1]}"
    wait "${PIDS[-1]}" 2>/dev/null || true
    rec locator_rps "$(awk '/Requests\/sec/ {print $2}' "$W/out")" req/s
    rec locator_p99 "$(awk '$1 == "99%" {print $2}' "$W/out")" latency
    if [ "$B" = sqlite ]; then
      rec size "$(du -cm "$W"/county-*.db | tail -1 | cut -f1)" MiB
      rm -f "$W"/county-*.db* # measured: PostgreSQL's stores need the room at 10,000,000
    else
      mb=0
      for i in $(seq 1 "$K"); do
        b=$(psql -qAt "$(store "$i")" -c "SELECT pg_database_size(current_database()) / 1048576")
        mb=$((mb + b))
      done
      rec size "$mb" MiB
      for i in $(seq 1 "$K"); do psql -q "$PGURL" -c "DROP DATABASE IF EXISTS scale_county_$i"; done
    fi
  done
  rm -f "$W"/county-*
done
echo "figures: $OUT"
