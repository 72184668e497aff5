# schemagen_add_revisions(<target> DIRECTORY <dir>... [NAME <function>])
#
# Adds <target>, a static library holding the revision chain of the directories (their *.yaml,
# in file-name order, one directory after another), compiled in: its header <<function>.hpp>
# declares `schemagen::Chain <function>();` (default: <target>) for schemagen::Migrator, and
# linking <target> links schemagen::migrate. `schemagen embed-revisions` writes the source when
# the target builds, after checking every file as the command line does: a malformed revision
# fails the build with its file:line:col. A revision added to a directory is picked up by the next
# build (the glob reruns); a revision edited regenerates the source, which is recompiled only when
# its content changed.
function(schemagen_add_revisions target)
  cmake_parse_arguments(ARG "" "NAME" "DIRECTORY" ${ARGN})
  if(NOT ARG_DIRECTORY)
    message(FATAL_ERROR "schemagen_add_revisions(${target}): give DIRECTORY <dir>...")
  endif()
  if(NOT ARG_NAME)
    set(ARG_NAME ${target})
  endif()
  set(dirs "")
  set(files "")
  foreach(dir IN LISTS ARG_DIRECTORY)
    get_filename_component(dir "${dir}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    file(GLOB here CONFIGURE_DEPENDS "${dir}/*.yaml")
    list(APPEND dirs "${dir}")
    list(APPEND files ${here})
  endforeach()
  set(out "${CMAKE_CURRENT_BINARY_DIR}/${target}")
  set(source "${out}/${target}.cpp")
  set(header "${out}/include/${ARG_NAME}.hpp")
  # The stamp is the step's output and the source and header its byproducts: the generator
  # leaves a file it would not change alone, so an edit that changes no byte (or a touch)
  # recompiles nothing, with Makefiles as with Ninja.
  add_custom_command(
    OUTPUT "${out}/${target}.stamp"
    BYPRODUCTS "${source}" "${header}"
    COMMAND schemagen::schemagen -q embed-revisions --name "${ARG_NAME}" --cpp "${source}"
            --header "${header}" ${dirs}
    COMMAND ${CMAKE_COMMAND} -E touch "${out}/${target}.stamp"
    DEPENDS ${files} schemagen::schemagen
    COMMENT "schemagen: compiling in the revisions of ${ARG_DIRECTORY}"
    VERBATIM)
  add_library(${target} STATIC "${source}" "${out}/${target}.stamp")
  target_include_directories(${target} PUBLIC "${out}/include")
  target_link_libraries(${target} PUBLIC schemagen::migrate)
endfunction()
