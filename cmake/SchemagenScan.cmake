# schemagen_add_metadata(<target> [CONFIG <schemagen.yaml>] [OUTPUT <metadata.yaml>]
#                        [TARGET <compiled target>] [ALL])
#
# Adds <target>, which runs `schemagen scan` and writes the models' metadata to OUTPUT (default
# ${CMAKE_CURRENT_BINARY_DIR}/schemagen/metadata.yaml). With TARGET, the scan parses the headers
# as that target compiles: its include directories and compile definitions (its own and those of
# what it links, as generator expressions) and its CXX_STANDARD, after models.args. The scan
# writes a depfile naming every file it read, so the step runs again only when a model header, or
# anything it includes, or the configuration changed; an unchanged header that was only touched
# is answered from the scan's content-hash cache. Needs CMake 3.20 (DEPFILE with Makefile and
# Ninja generators).
function(schemagen_add_metadata target)
  cmake_parse_arguments(ARG "ALL" "CONFIG;OUTPUT;TARGET" "" ${ARGN})
  if(NOT ARG_CONFIG)
    set(ARG_CONFIG "${CMAKE_CURRENT_SOURCE_DIR}/schemagen.yaml")
  endif()
  if(NOT ARG_OUTPUT)
    set(ARG_OUTPUT "${CMAKE_CURRENT_BINARY_DIR}/schemagen/metadata.yaml")
  endif()
  get_filename_component(config "${ARG_CONFIG}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  get_filename_component(output "${ARG_OUTPUT}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_BINARY_DIR}")
  set(flags "")
  if(ARG_TARGET)
    get_target_property(type ${ARG_TARGET} TYPE)
    set(interface "")
    if(type STREQUAL "INTERFACE_LIBRARY") # what an interface library has is what it hands on
      set(interface "INTERFACE_")
    endif()
    set(includes "$<TARGET_PROPERTY:${ARG_TARGET},${interface}INCLUDE_DIRECTORIES>")
    set(definitions "$<TARGET_PROPERTY:${ARG_TARGET},${interface}COMPILE_DEFINITIONS>")
    set(standard "$<TARGET_PROPERTY:${ARG_TARGET},CXX_STANDARD>")
    set(flags --
        "$<$<BOOL:${includes}>:-I$<JOIN:${includes},$<SEMICOLON>-I>>"
        "$<$<BOOL:${definitions}>:-D$<JOIN:${definitions},$<SEMICOLON>-D>>"
        "$<$<BOOL:${standard}>:-std=c++${standard}>")
  endif()
  add_custom_command(
    OUTPUT "${output}"
    COMMAND schemagen::schemagen -q -c "${config}" scan -o "${output}" --depfile "${output}.d"
            ${flags}
    DEPENDS "${config}" schemagen::schemagen
    DEPFILE "${output}.d"
    COMMENT "schemagen: scanning the models of ${config}"
    COMMAND_EXPAND_LISTS
    VERBATIM)
  set(all "")
  if(ARG_ALL)
    set(all ALL)
  endif()
  add_custom_target(${target} ${all} DEPENDS "${output}")
  set_property(TARGET ${target} PROPERTY SCHEMAGEN_METADATA "${output}")
endfunction()
