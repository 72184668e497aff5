# schemagen_target_defaults(<target>): the warning level every schemagen target builds with.
function(schemagen_target_defaults target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                                           -Wno-missing-field-initializers)
  if(SCHEMAGEN_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# schemagen_library(<name> SOURCES ... DEPS ...): one layer of lib/, public headers under
# lib/<name>/include, dependencies linked PRIVATE unless listed as PUBLIC_DEPS.
function(schemagen_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PUBLIC_DEPS" ${ARGN})
  add_library(schemagen_${name} STATIC ${ARG_SOURCES})
  add_library(schemagen::${name} ALIAS schemagen_${name})
  target_include_directories(schemagen_${name} PUBLIC
    $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>) # the installed ones: schemagen::migrate's
  set_target_properties(schemagen_${name} PROPERTIES EXPORT_NAME ${name})
  target_link_libraries(schemagen_${name} PRIVATE ${ARG_DEPS} PUBLIC ${ARG_PUBLIC_DEPS})
  schemagen_target_defaults(schemagen_${name})
endfunction()
