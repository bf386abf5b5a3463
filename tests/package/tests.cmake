# Install and package (tests/package/package.sh): the installed tree run from elsewhere with no
# source file touched, man pages, completion, the .deb's contents and maintainer scripts, the
# systemd units verified and scored, the server's system calls inside the unit's filter.
add_test(NAME package/package COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/package.sh)
set_tests_properties(package/package PROPERTIES LABELS package TIMEOUT 2400
  ENVIRONMENT "CUSTODIAN=$<TARGET_FILE:custodian>;CUST_SOURCE_DIR=${PROJECT_SOURCE_DIR};CUST_BUILD_DIR=${CMAKE_BINARY_DIR}")
