# idlab_add_plugin(NAME SOURCES src... [LINK_LIBRARIES lib...] [NO_INSTALL])
#
# Builds a plugin as a MODULE library named libidlab-<NAME>.so that exports only
# idlab_plugin_entry (hidden visibility plus a version script) and has no undefined symbols.
#
# Inside the idlab tree (IDLAB_PLUGIN_OUTPUT_DIR is set by the top CMakeLists.txt) the library
# lands in the build's plugin folder, where bin/idlab finds it, and `cmake --install` copies it
# to <prefix>/lib/idlab/plugins (component "plugins"). Plugins defined under the tree's tests/
# folder are fixtures and are never installed; NO_INSTALL skips the install rule explicitly.
#
# Outside the tree (after find_package(idlab)) the library stays in the project's build
# folder; point the host at it with --plugin-path or IDLAB_PLUGIN_PATH, or install it yourself.
function(idlab_add_plugin name)
  # This file's folder holds the version script; valid in any directory scope (CMake >= 3.17).
  set(_IDLAB_ADD_PLUGIN_DIR "${CMAKE_CURRENT_FUNCTION_LIST_DIR}")
  cmake_parse_arguments(ARG "NO_INSTALL" "" "SOURCES;LINK_LIBRARIES" ${ARGN})
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "idlab_add_plugin(${name}): no SOURCES given")
  endif()
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "idlab_add_plugin(${name}): unknown arguments: ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  add_library(${name} MODULE ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE idlab::sdk ${ARG_LINK_LIBRARIES})
  set_target_properties(${name} PROPERTIES
    PREFIX "lib"
    OUTPUT_NAME "idlab-${name}"
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  target_link_options(${name} PRIVATE
    "LINKER:--version-script=${_IDLAB_ADD_PLUGIN_DIR}/idlab-plugin.map"
    "LINKER:-z,defs")
  # Relink when the export list changes.
  set_property(TARGET ${name} APPEND PROPERTY LINK_DEPENDS "${_IDLAB_ADD_PLUGIN_DIR}/idlab-plugin.map")

  if(DEFINED IDLAB_PLUGIN_OUTPUT_DIR)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${IDLAB_PLUGIN_OUTPUT_DIR}")
    # The host looks in <exe_dir>/../lib/idlab/plugins, hence the literal relative folder
    # (not CMAKE_INSTALL_LIBDIR, which may be lib/<multiarch>).
    set(_in_tests FALSE)
    if(DEFINED idlab_SOURCE_DIR)
      file(RELATIVE_PATH _rel "${idlab_SOURCE_DIR}/tests" "${CMAKE_CURRENT_SOURCE_DIR}")
      if(NOT _rel MATCHES "^\\.\\.")
        set(_in_tests TRUE)
      endif()
    endif()
    if(NOT ARG_NO_INSTALL AND NOT _in_tests)
      install(TARGETS ${name}
              LIBRARY DESTINATION "${IDLAB_PLUGIN_DIR_REL}"
              COMPONENT plugins)
    endif()
  endif()
endfunction()
