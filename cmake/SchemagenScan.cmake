# schemagen_add_metadata(<target> [CONFIG <schemagen.yaml>] [OUTPUT <metadata.yaml>] [ALL])
#
# Adds <target>, which runs `schemagen scan` and writes the models' metadata to OUTPUT (default
# ${CMAKE_CURRENT_BINARY_DIR}/schemagen/metadata.yaml). The scan writes a depfile naming every
# file it read, so the step runs again only when a model header, or anything it includes, or the
# configuration changed; an unchanged header that was only touched is answered from the scan's
# content-hash cache. Needs CMake 3.20 (DEPFILE with Makefile and Ninja generators).
function(schemagen_add_metadata target)
  cmake_parse_arguments(ARG "ALL" "CONFIG;OUTPUT" "" ${ARGN})
  if(NOT ARG_CONFIG)
    set(ARG_CONFIG "${CMAKE_CURRENT_SOURCE_DIR}/schemagen.yaml")
  endif()
  if(NOT ARG_OUTPUT)
    set(ARG_OUTPUT "${CMAKE_CURRENT_BINARY_DIR}/schemagen/metadata.yaml")
  endif()
  get_filename_component(config "${ARG_CONFIG}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  get_filename_component(output "${ARG_OUTPUT}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_BINARY_DIR}")
  add_custom_command(
    OUTPUT "${output}"
    COMMAND schemagen::schemagen -q -c "${config}" scan -o "${output}" --depfile "${output}.d"
    DEPENDS "${config}" schemagen::schemagen
    DEPFILE "${output}.d"
    COMMENT "schemagen: scanning the models of ${config}"
    VERBATIM)
  set(all "")
  if(ARG_ALL)
    set(all ALL)
  endif()
  add_custom_target(${target} ${all} DEPENDS "${output}")
  set_property(TARGET ${target} PROPERTY SCHEMAGEN_METADATA "${output}")
endfunction()
