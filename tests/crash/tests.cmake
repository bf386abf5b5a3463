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

# I/O faults (strace --inject): fdatasync, fsync, pwrite64 and write failing with EIO and ENOSPC
# under import, intake, acting, fulfilment and `user add`, and under the server. A sample of the
# call numbers in `make check`; every one of them (up to FAULT_MAX) in `make stress`.
find_program(CUST_STRACE strace)
if(CUST_STRACE)
  foreach(name fault_cli fault_server)
    add_test(NAME crash/${name} COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/${name}.sh)
    set_tests_properties(crash/${name} PROPERTIES LABELS crash TIMEOUT 1200
                         ENVIRONMENT "${CUST_CRASH_ENV}")
    add_test(NAME stress/${name} COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/${name}.sh)
    set_tests_properties(stress/${name} PROPERTIES LABELS stress TIMEOUT 14400
                         ENVIRONMENT "${CUST_CRASH_ENV};FAULT_ALL=1")
  endforeach()
endif()

# The restore drill: backup while the server writes, the folder checked, refused restores, the
# store lost and restored, served and signed in to.
add_test(NAME crash/restore_drill COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/restore_drill.sh)
set_tests_properties(crash/restore_drill PROPERTIES LABELS crash TIMEOUT 900
                     ENVIRONMENT "${CUST_CRASH_ENV}")
