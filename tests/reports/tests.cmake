# The demo county at its own scale: the acceptance of the oversight reports (minutes; `make stress`).
add_test(NAME reports/demo_acceptance COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/demo_acceptance.sh)
set_tests_properties(reports/demo_acceptance PROPERTIES LABELS stress TIMEOUT 7200
  ENVIRONMENT "CUSTODIAN=$<TARGET_FILE:custodian>;CUST_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
