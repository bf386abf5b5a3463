# Crash safety (tests/crash/): SIGKILL at random moments during import, intake, acting and
# fulfilment, through the CLI and through the server; after each kill the store is opened again
# and checked (every acknowledged write there, each write whole, integrity_check, audit verify).
# `make check` runs CRASH_ROUNDS=20 of each; `make stress` runs the label `stress` (200 rounds).
set(CUST_CRASH_ENV
    "CUSTODIAN=$<TARGET_FILE:custodian>;CUST_SOURCE_DIR=${PROJECT_SOURCE_DIR};CUST_BUILD_DIR=${CMAKE_BINARY_DIR}")
foreach(name crash_cli crash_server)
  add_test(NAME crash/${name} COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/${name}.sh)
  set_tests_properties(crash/${name} PROPERTIES LABELS crash TIMEOUT 900
                       ENVIRONMENT "${CUST_CRASH_ENV};CRASH_ROUNDS=20")
  add_test(NAME stress/${name} COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/${name}.sh)
  set_tests_properties(stress/${name} PROPERTIES LABELS stress TIMEOUT 7200
                       ENVIRONMENT "${CUST_CRASH_ENV};CRASH_ROUNDS=200")
endforeach()
