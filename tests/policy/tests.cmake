# Policy tests (tests/policy/README.md): the case suite with rule coverage, `policy check` on
# every shipped policy, and the CLI contract of `decide` / `policy`.
add_executable(policy_cases ${CMAKE_CURRENT_LIST_DIR}/run_cases.c)
target_link_libraries(policy_cases PRIVATE custcore)
add_test(NAME policy/cases COMMAND policy_cases)
add_test(NAME policy/check COMMAND custodian policy check)
add_test(NAME policy/cli COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/cli.sh)
set_tests_properties(policy/cases policy/check policy/cli PROPERTIES LABELS policy TIMEOUT 300
  ENVIRONMENT "CUSTODIAN=$<TARGET_FILE:custodian>;CUST_SOURCE_DIR=${PROJECT_SOURCE_DIR};CUST_BUILD_DIR=${CMAKE_BINARY_DIR};CUSTODIAN_NOW=2025-07-17T12:00:00Z")
