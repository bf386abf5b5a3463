# The PostgreSQL backend's tests (docs/internals/store-postgresql.md "Tests"): a throwaway
# PostgreSQL 15 server for the run, the fixture `pg`. pg/start initdb's a cluster under the
# build tree and starts it on a Unix socket (no TCP); pg/stop stops it and removes its data,
# also when a test failed (FIXTURES_CLEANUP). A test that needs the server requires the
# fixture and reads CUSTODIAN_TEST_PG, the maintenance database's URL; it makes a database of
# its own there.
set(CUST_PG_DIR ${CMAKE_BINARY_DIR}/pg)
# A Unix socket's path is at most 107 bytes (".s.PGSQL.5432" included): a deep build tree
# gets its socket in a folder of its own under /tmp, named by the build tree.
set(CUST_PG_SOCK ${CUST_PG_DIR}/sock)
string(LENGTH "${CUST_PG_SOCK}" _cust_pg_len)
if(_cust_pg_len GREATER 90)
  string(MD5 _cust_pg_hash "${CMAKE_BINARY_DIR}")
  string(SUBSTRING "${_cust_pg_hash}" 0 12 _cust_pg_hash)
  set(CUST_PG_SOCK /tmp/custodian-pg-${_cust_pg_hash})
endif()
set(CUST_TEST_PG "postgresql:///postgres?host=${CUST_PG_SOCK}&user=custodian")

add_test(NAME pg/start COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/pg_server.sh start ${CUST_PG_DIR} ${CUST_PG_SOCK})
add_test(NAME pg/stop COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/pg_server.sh stop ${CUST_PG_DIR} ${CUST_PG_SOCK})
set_tests_properties(pg/start PROPERTIES FIXTURES_SETUP pg LABELS pg TIMEOUT 180 SKIP_RETURN_CODE 77)
set_tests_properties(pg/stop PROPERTIES FIXTURES_CLEANUP pg LABELS pg TIMEOUT 180)

# The backend-neutral store tests, again on PostgreSQL.
add_test(NAME pg/test_store COMMAND test_store)

# Integration tests of the record and the desk, again on PostgreSQL (tests/pg/on_pg.sh: the
# same script, its store a database of its own). Not here: tests that open the SQLite file
# themselves (sqlite3), need a store's folder, or use what is not built on PostgreSQL yet
# (docs/internals/store-postgresql.md).
set(CUST_PG_INTEGRATION desk_cli desk_answer desk_expiry desk_whole_record desk_needs_review
    records_import records_history records_asof records_release feeds_daily)
set(CUST_PG_INT_TESTS)
foreach(name ${CUST_PG_INTEGRATION})
  add_test(NAME pg/${name} COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/on_pg.sh
           ${PROJECT_SOURCE_DIR}/tests/integration/${name}.sh)
  set_tests_properties(pg/${name} PROPERTIES TIMEOUT 900
    ENVIRONMENT "CUSTODIAN=$<TARGET_FILE:custodian>;CUST_SOURCE_DIR=${PROJECT_SOURCE_DIR};CUST_BUILD_DIR=${CMAKE_BINARY_DIR}")
  list(APPEND CUST_PG_INT_TESTS pg/${name})
endforeach()

# The tests that run against the server.
set(CUST_PG_TESTS unit/test_store_pg pg/test_store integration/pg_store integration/pg_copy_import integration/pg_feeds integration/pg_public integration/pg_reports integration/pg_backup ${CUST_PG_INT_TESTS})
set_tests_properties(${CUST_PG_TESTS} PROPERTIES FIXTURES_REQUIRED pg SKIP_RETURN_CODE 77)
set_property(TEST ${CUST_PG_TESTS} APPEND PROPERTY LABELS pg)
set_property(TEST ${CUST_PG_TESTS} APPEND PROPERTY ENVIRONMENT "CUSTODIAN_TEST_PG=${CUST_TEST_PG}")

# The public locator served from a streaming replica (issue 15 item 2): the test starts a
# primary and a hot standby of its own (pg_server.sh start / standby), not the fixture's.
add_test(NAME pg/replica COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/replica.sh)
set_tests_properties(pg/replica PROPERTIES LABELS pg TIMEOUT 300 SKIP_RETURN_CODE 77
  ENVIRONMENT "CUSTODIAN=$<TARGET_FILE:custodian>;CUST_SOURCE_DIR=${PROJECT_SOURCE_DIR};CUST_BUILD_DIR=${CMAKE_BINARY_DIR}")
