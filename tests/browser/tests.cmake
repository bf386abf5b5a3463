# Browser and API-document tests (node): docs/openapi.yaml against the routes, and Playwright
# driving Debian's chromium headless with axe-core on each page. node_modules comes from
# `npm ci` (scripts/bootstrap). Screenshots go to ${CMAKE_BINARY_DIR}/test-artifacts/.
find_program(CUST_NODE node)
if(CUST_NODE)
  set(CUST_BROWSER_ENV
      "CUSTODIAN=$<TARGET_FILE:custodian>;CUST_SOURCE_DIR=${PROJECT_SOURCE_DIR};CUST_BUILD_DIR=${CMAKE_BINARY_DIR};CUST_ARTIFACTS=${CMAKE_BINARY_DIR}/test-artifacts")
  add_test(NAME browser/openapi COMMAND ${CUST_NODE} ${CMAKE_CURRENT_LIST_DIR}/openapi.mjs)
  add_test(NAME browser/console COMMAND ${CUST_NODE} ${CMAKE_CURRENT_LIST_DIR}/console.mjs)
  add_test(NAME browser/locator_names COMMAND ${CUST_NODE} ${CMAKE_CURRENT_LIST_DIR}/locator_names.mjs)
  add_test(NAME browser/reports COMMAND ${CUST_NODE} ${CMAKE_CURRENT_LIST_DIR}/reports.mjs)
  add_test(NAME browser/locator_county COMMAND ${CUST_NODE} ${CMAKE_CURRENT_LIST_DIR}/locator_county.mjs)
  add_test(NAME browser/console_requests COMMAND ${CUST_NODE} ${CMAKE_CURRENT_LIST_DIR}/console_requests.mjs)
  add_test(NAME browser/console_records COMMAND ${CUST_NODE} ${CMAKE_CURRENT_LIST_DIR}/console_records.mjs)
  set_tests_properties(browser/openapi browser/console browser/locator_names browser/reports browser/locator_county browser/console_requests browser/console_records PROPERTIES LABELS browser TIMEOUT 600
                       ENVIRONMENT "${CUST_BROWSER_ENV}")
endif()
