#!/bin/sh
# bench/fulfil_compare.sh - compare what two builds' fulfilments wrote, from the stores
# `BENCH_FULFIL_KEEP=1 bench_fulfil N` kept (docs/bench-desk.md):
#
#     bench/fulfil_compare.sh A.db B.db [CUSTODIAN_A CUSTODIAN_B [EVERY]]
#
# Prints, for each store, the SHA-256 of: the response and summary documents (as kept), the
# disclosure rows, the decisions, and the duties without their detail (who, what, citations,
# deadline, status); then, given each build's custodian, renders the notice of every EVERY-th
# duty (default 1: all) with each build on its own store (English, CUSTODIAN_NOW fixed) and
# compares the texts. Exits 1 when anything differs.
set -eu
a=$1
b=$2
ca=${3:-}
cb=${4:-}
every=${5:-1}
digest() {
    sqlite3 -readonly "$1" "$2" | sha256sum | cut -c1-64
}
status=0
for what in \
    "documents|SELECT name, sha256, role FROM request_documents WHERE role IN ('response', 'summary') ORDER BY id" \
    "disclosures|SELECT request_id, ord, person_id, booking_number, items, withheld, recipient, office, at, decision_id, row_hash FROM disclosures ORDER BY request_id, ord" \
    "decisions|SELECT id, request_id, person_id, policy_id, policy_version, policy_sha256, decision FROM decisions ORDER BY id" \
    "duties|SELECT id, request_id, person_id, booking_number, duty, cite, status, due_ts, created_at, document_sha256 FROM duties ORDER BY id" \
    "counts|SELECT (SELECT count(*) FROM disclosures), (SELECT count(*) FROM decisions), (SELECT count(*) FROM duties)"; do
    name=${what%%|*}
    sql=${what#*|}
    da=$(digest "$a" "$sql")
    db=$(digest "$b" "$sql")
    if [ "$da" = "$db" ]; then
        echo "same      $name $da"
    else
        echo "DIFFERENT $name $da $db"
        status=1
    fi
done
sqlite3 -readonly "$a" "SELECT 'response ' || name || ' ' || sha256 FROM request_documents WHERE role = 'response'"
if [ -n "$ca" ] && [ -n "$cb" ]; then
    export CUSTODIAN_NOW=${CUSTODIAN_NOW:-2025-07-18T17:00:00Z}
    ids=$(sqlite3 -readonly "$a" "SELECT id FROM duties WHERE id % $every = 0 ORDER BY id")
    n=0
    bad=0
    ha=$(mktemp)
    hb=$(mktemp)
    for id in $ids; do
        "$ca" --db "$a" --as bench duties notice "$id" --lang en > "$ha"
        "$cb" --db "$b" --as bench duties notice "$id" --lang en > "$hb"
        if ! cmp -s "$ha" "$hb"; then
            echo "DIFFERENT notice of duty $id"
            diff "$ha" "$hb" | sed -n 1,10p
            bad=$((bad + 1))
        fi
        n=$((n + 1))
    done
    rm -f "$ha" "$hb"
    echo "notices   $n rendered by each build, $bad different"
    [ "$bad" -eq 0 ] || status=1
fi
exit $status
