# Security tests (docs/security.md): each finding of issue 12 against the real server.
file(GLOB CUST_SECURITY_TESTS CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/*.sh)
foreach(script ${CUST_SECURITY_TESTS})
  get_filename_component(name ${script} NAME_WE)
  add_test(NAME security/${name} COMMAND bash ${script})
  set_tests_properties(security/${name} PROPERTIES LABELS security TIMEOUT 1800
    ENVIRONMENT "CUSTODIAN=$<TARGET_FILE:custodian>;CUST_SOURCE_DIR=${PROJECT_SOURCE_DIR};CUST_BUILD_DIR=${CMAKE_BINARY_DIR}")
endforeach()
