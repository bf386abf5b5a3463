#!/usr/bin/env bash
# Run an integration test (tests/integration/NAME.sh) on PostgreSQL: a database of its own on
# the fixture's server (CUSTODIAN_TEST_PG), named to the test through CUST_TEST_PG_DB, which
# lib/common.sh makes the test's CUSTODIAN_DB (with a key file in the test's folder, since a
# database has no folder to keep one beside); dropped afterwards. The test's own checks are
# unchanged: what passes on SQLite must pass on PostgreSQL.
set -euo pipefail
script=${1:?usage: on_pg.sh TEST.sh}
[ -n "${CUSTODIAN_TEST_PG:-}" ] || { echo "SKIP: CUSTODIAN_TEST_PG is not set (the pg fixture)"; exit 77; }
db="cust_$(basename "$script" .sh)_$$"
psql -q "$CUSTODIAN_TEST_PG" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" 2>/dev/null
trap 'psql -q "$CUSTODIAN_TEST_PG" -c "DROP DATABASE IF EXISTS $db" 2>/dev/null || true' EXIT
export CUST_TEST_PG_DB="postgresql:///$db?${CUSTODIAN_TEST_PG#*\?}"
bash "$script"
