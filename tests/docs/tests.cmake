# Structure checks (scripts/, docs/architecture.md): the module graph drawn in
# docs/architecture.md is the one the includes make, it has no cycle and keeps the rules the
# drawing promises, and every module has its docs/internals page; no function under src/ is over
# 150 lines without a reason written beside it.
add_test(NAME docs/module_graph COMMAND bash ${PROJECT_SOURCE_DIR}/scripts/module-graph --check)
add_test(NAME docs/long_functions COMMAND bash ${PROJECT_SOURCE_DIR}/scripts/long-functions --check)
set_tests_properties(docs/module_graph docs/long_functions PROPERTIES LABELS docs TIMEOUT 120)
