# The out-of-tree plugin workflow, one step per CTest test (cmake -P this file -DSTEP=...):
#
#   install   installs the SDK alone (component "sdk") into WORK_DIR/sdk, and the whole build
#             (the idlab command and its plugins) into WORK_DIR/idlab, minus the in-tree copy of
#             the template plugin, which would otherwise clash with the one built below
#   build     configures and builds plugins/template as its own project against WORK_DIR/sdk
#   describe  `idlab plugins` and `idlab plugins describe` find it with --plugin-path
#   run       a short `idlab run` with the template's metric succeeds and reports it
#
# Expects: STEP, IDLAB_BUILD_DIR, TEMPLATE_SOURCE_DIR, RECIPE, WORK_DIR, PLUGIN_DIR_REL,
# GENERATOR, MAKE_PROGRAM, CXX_COMPILER, BUILD_TYPE.
cmake_minimum_required(VERSION 3.20)

set(sdk_prefix "${WORK_DIR}/sdk")
set(idlab_prefix "${WORK_DIR}/idlab")
set(template_build "${WORK_DIR}/template-build")
set(template_library "${template_build}/libidlab-template.so")
set(idlab "${idlab_prefix}/bin/idlab")
set(component_id "template.feature_norm")

# The user's environment must not add plugin folders of its own.
unset(ENV{IDLAB_PLUGIN_PATH})

# run(OUT_VAR command...): runs the command, fails the test with its output when it fails, and
# returns stdout and stderr together.
function(run out_var)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE output ERROR_VARIABLE output)
  if(NOT rc EQUAL 0)
    string(REPLACE ";" " " command "${ARGN}")
    message(FATAL_ERROR "failed (${rc}): ${command}\n${output}")
  endif()
  set(${out_var} "${output}" PARENT_SCOPE)
endfunction()

# expect_contains(TEXT NEEDLE WHAT): fails the test when NEEDLE is not part of TEXT.
function(expect_contains text needle what)
  string(FIND "${text}" "${needle}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${what}: expected to find\n  ${needle}\nin:\n${text}")
  endif()
endfunction()

# expect_lacks(TEXT NEEDLE WHAT): fails the test when NEEDLE is part of TEXT.
function(expect_lacks text needle what)
  string(FIND "${text}" "${needle}" at)
  if(NOT at EQUAL -1)
    message(FATAL_ERROR "${what}: did not expect\n  ${needle}\nin:\n${text}")
  endif()
endfunction()

function(expect_exists path what)
  if(NOT EXISTS "${path}")
    message(FATAL_ERROR "${what}: '${path}' does not exist")
  endif()
endfunction()

if(STEP STREQUAL "install")
  file(REMOVE_RECURSE "${WORK_DIR}")
  run(_ "${CMAKE_COMMAND}" --install "${IDLAB_BUILD_DIR}" --component sdk --prefix "${sdk_prefix}")
  foreach(header plugin.h plugin.hpp philox.hpp seeded_uniform.hpp)
    expect_exists("${sdk_prefix}/include/idlab/${header}" "SDK header")
  endforeach()
  file(GLOB_RECURSE config "${sdk_prefix}/*/idlabConfig.cmake")
  if(NOT config)
    message(FATAL_ERROR "the sdk component installed no idlabConfig.cmake under ${sdk_prefix}")
  endif()
  # The SDK component is for plugin authors: no host, no plugins.
  if(EXISTS "${sdk_prefix}/bin" OR EXISTS "${sdk_prefix}/${PLUGIN_DIR_REL}")
    message(FATAL_ERROR "the sdk component installed more than the SDK into ${sdk_prefix}")
  endif()

  run(_ "${CMAKE_COMMAND}" --install "${IDLAB_BUILD_DIR}" --prefix "${idlab_prefix}")
  expect_exists("${idlab}" "installed idlab")
  expect_exists("${idlab_prefix}/${PLUGIN_DIR_REL}/libidlab-template.so" "installed template")
  file(REMOVE "${idlab_prefix}/${PLUGIN_DIR_REL}/libidlab-template.so")

elseif(STEP STREQUAL "build")
  file(REMOVE_RECURSE "${template_build}")
  run(_ "${CMAKE_COMMAND}" -S "${TEMPLATE_SOURCE_DIR}" -B "${template_build}"
      -G "${GENERATOR}" "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}"
      "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}" "-DCMAKE_BUILD_TYPE=${BUILD_TYPE}"
      "-DCMAKE_PREFIX_PATH=${sdk_prefix}"
      -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF)
  # find_package(idlab) must have found the SDK just installed, not another copy.
  file(STRINGS "${template_build}/CMakeCache.txt" found_dir REGEX "^idlab_DIR:")
  expect_contains("${found_dir}" "${sdk_prefix}/" "idlab_DIR of the template build")
  run(_ "${CMAKE_COMMAND}" --build "${template_build}")
  expect_exists("${template_library}" "the template plugin")

elseif(STEP STREQUAL "describe")
  run(list "${idlab}" plugins --plugin-path "${template_build}")
  expect_contains("${list}" "org.example.template 1.0.0  (ABI " "idlab plugins")
  expect_contains("${list}" "file: ${template_library}" "idlab plugins")
  expect_contains("${list}" "    ${component_id}  mean p-norm of the feature rows" "idlab plugins")
  expect_contains("${list}" "searched: ${template_build} " "idlab plugins")
  # Every installed plugin loads, and no other file provides the template's component.
  expect_lacks("${list}" "error:" "idlab plugins")

  run(described "${idlab}" plugins describe ${component_id} --plugin-path "${template_build}")
  expect_lacks("${described}" "warning:" "idlab plugins describe")
  expect_contains("${described}" "${component_id}  (metric)" "idlab plugins describe")
  expect_contains("${described}" "plugin:   org.example.template 1.0.0 (available)"
                  "idlab plugins describe")
  expect_contains("${described}" "file:     ${template_library}" "idlab plugins describe")
  string(REGEX MATCH "\n  power +float +2\\.0 +> 0 +- +[^\n]+" power_row "${described}")
  if(NOT power_row)
    message(FATAL_ERROR "idlab plugins describe: no row for 'power' (float, 2.0, > 0) in:\n${described}")
  endif()

elseif(STEP STREQUAL "run")
  set(out "${WORK_DIR}/run")
  file(REMOVE_RECURSE "${out}")
  run(log "${idlab}" run "${RECIPE}" --plugin-path "${template_build}" --out "${out}")
  expect_exists("${out}/metrics.jsonl" "the run folder")
  file(STRINGS "${out}/metrics.jsonl" lines)
  list(LENGTH lines count)
  if(NOT count EQUAL 2)
    message(FATAL_ERROR "expected 2 evaluations (20 steps, eval_every 10), got ${count}:\n${lines}")
  endif()
  list(GET lines -1 last)
  string(JSON step GET "${last}" step)
  string(JSON norm GET "${last}" feature_norm)
  # A positive decimal number: a mantissa with a non-zero digit (NaN and inf do not match).
  string(REGEX MATCH "^[0-9.]+" mantissa "${norm}")
  if(NOT step EQUAL 20 OR NOT norm MATCHES "^[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?$"
     OR NOT mantissa MATCHES "[1-9]")
    message(FATAL_ERROR "expected step 20 and a positive feature_norm, got: ${last}\n${log}")
  endif()
  file(READ "${out}/recipe.resolved.toml" resolved)
  expect_contains("${resolved}" "${component_id}" "recipe.resolved.toml")

else()
  message(FATAL_ERROR "unknown STEP '${STEP}'")
endif()
