# idlab_add_plugin(NAME SOURCES src... [LINK_LIBRARIES lib...])
#
# Builds a plugin as a MODULE library named libidlab-<NAME>.so that exports only
# idlab_plugin_entry (hidden visibility plus a version script) and has no undefined symbols.
# Inside the idlab tree the library lands in the build's plugin folder, where bin/idlab finds it.
set(_IDLAB_ADD_PLUGIN_DIR "${CMAKE_CURRENT_LIST_DIR}")

function(idlab_add_plugin name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LINK_LIBRARIES" ${ARGN})
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "idlab_add_plugin(${name}): no SOURCES given")
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
  if(DEFINED IDLAB_PLUGIN_OUTPUT_DIR)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${IDLAB_PLUGIN_OUTPUT_DIR}")
  endif()
endfunction()
