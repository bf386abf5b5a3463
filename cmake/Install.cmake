# Install layout and the Debian package (docs/operations.md, "Install").
#
#   cmake --install BUILD [--prefix P]   P/bin/custodian, P/share/custodian/{policies,templates,
#                                        web,node_modules/@uswds/uswds/dist}, the man pages,
#                                        bash completion, docs, systemd units, PREFIX/etc/custodian
#   make install PREFIX=P                the same from the release build
#   make deb                             a .deb (CPack) from the packaged build (CUST_SOURCE_DATA=OFF)
#
# The binary finds its data at BINDIR/../share/custodian (src/base/datadir.c), so an installed
# tree works wherever it is put. The man pages and the completion are generated from the
# installed binary's --help by scripts/cli-doc at install time.
include(GNUInstallDirs)

set(CUST_DATA_DEST ${CMAKE_INSTALL_DATADIR}/custodian)
install(TARGETS custodian RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/policies/ DESTINATION ${CUST_DATA_DEST}/policies)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/templates/ DESTINATION ${CUST_DATA_DEST}/templates)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/web/ DESTINATION ${CUST_DATA_DEST}/web)
# The U.S. Web Design System's built assets (npm, scripts/bootstrap): what the pages load.
set(CUST_USWDS ${PROJECT_SOURCE_DIR}/node_modules/@uswds/uswds/dist)
foreach(dir css js img fonts)
  install(DIRECTORY ${CUST_USWDS}/${dir}/
          DESTINATION ${CUST_DATA_DEST}/node_modules/@uswds/uswds/dist/${dir}
          PATTERN "*.map" EXCLUDE)
endforeach()
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE
        DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/custodian RENAME copyright)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/docs/operations.md
        DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/custodian)

# Man pages and completion from the installed binary's own --help.
install(CODE "
  set(bin \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}/custodian\")
  set(gen \"${CMAKE_BINARY_DIR}/cli-doc\")
  file(REMOVE_RECURSE \"\${gen}\")
  execute_process(COMMAND ${PROJECT_SOURCE_DIR}/scripts/cli-doc man \"\${bin}\" \"\${gen}/man1\"
                  RESULT_VARIABLE rc1)
  execute_process(COMMAND ${PROJECT_SOURCE_DIR}/scripts/cli-doc bash \"\${bin}\"
                          \"\${gen}/custodian\" RESULT_VARIABLE rc2)
  if(NOT rc1 EQUAL 0 OR NOT rc2 EQUAL 0)
    message(FATAL_ERROR \"scripts/cli-doc failed (\${rc1}, \${rc2})\")
  endif()
  file(GLOB pages \"\${gen}/man1/*.1\")
  foreach(p \${pages})
    execute_process(COMMAND gzip -9n -f \"\${p}\")
  endforeach()
")
install(DIRECTORY ${CMAKE_BINARY_DIR}/cli-doc/man1/ DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${CMAKE_BINARY_DIR}/cli-doc/custodian
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)

# The service: units, the checkpoint helper, the settings: /etc/custodian/custodian.ini for
# the prefix /usr (the package), else PREFIX/etc/custodian/custodian.ini.
install(FILES ${PROJECT_SOURCE_DIR}/packaging/systemd/custodian.service
              ${PROJECT_SOURCE_DIR}/packaging/systemd/custodian-tasks.service
              ${PROJECT_SOURCE_DIR}/packaging/systemd/custodian-tasks.timer
              ${PROJECT_SOURCE_DIR}/packaging/systemd/custodian-public.service
        DESTINATION lib/systemd/system)
install(PROGRAMS ${PROJECT_SOURCE_DIR}/packaging/checkpoint DESTINATION lib/custodian)
install(CODE "
  if(CMAKE_INSTALL_PREFIX STREQUAL \"/usr\")
    set(etc /etc/custodian)
  else()
    set(etc \"\${CMAKE_INSTALL_PREFIX}/etc/custodian\")
  endif()
  file(INSTALL ${PROJECT_SOURCE_DIR}/packaging/custodian.ini DESTINATION \"\${etc}\"
       PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)
  # the public locator's settings: public, readable by its own account (custodian-public)
  file(INSTALL ${PROJECT_SOURCE_DIR}/packaging/custodian-public.ini
       DESTINATION \"\${etc}-public\"
       PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
")

# ---- the Debian package ------------------------------------------------------------------
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME custodian)
set(CPACK_PACKAGE_VENDOR "custodian")
set(CPACK_PACKAGE_CONTACT "custodian maintainers <custodian@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "county jail custody record, public inmate locator and immigration request desk")
set(CPACK_PACKAGE_DESCRIPTION
    "custodian keeps a county jail's custody record, serves a public inmate locator and a\n\
staff console, and answers federal immigration requests under the law in force on the\n\
day, with every verdict cited and every act in a tamper-evident ledger.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# Installed with DESTDIR=staging and the prefix /usr, whatever the build's own prefix: the
# files under /etc land in the package (file(INSTALL) puts DESTDIR before them).
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, util-linux")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "systemd, sqlite3")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "nginx | apache2")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/packaging/deb/postinst ${PROJECT_SOURCE_DIR}/packaging/deb/prerm
    ${PROJECT_SOURCE_DIR}/packaging/deb/postrm ${PROJECT_SOURCE_DIR}/packaging/deb/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
