# cmake --install: the binary, the annotations header, Clang's builtin headers (so the scan finds
# them wherever schemagen is installed), schemagen::migrate, and a package consumers find with
# find_package(schemagen).
include(CMakePackageConfigHelpers)

install(TARGETS schemagen EXPORT schemagenTargets RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS schemagen_annotations EXPORT schemagenTargets)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/lib/annotations/include/schemagen
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

# schemagen::migrate, as the static archives of the layers it links: an application links the
# objects it uses into its own binary and ships no schemagen library. These are exactly the
# layers below migrate that it links (never scan, driver or render: no Clang, LLVM or CLI11);
# install(EXPORT) fails when one is missing here, so a new dependency cannot go unnoticed. Only
# migrate.hpp and what it includes are installed: the other layers' headers are not an interface.
install(TARGETS schemagen_migrate schemagen_support schemagen_model schemagen_ops
                schemagen_dialect schemagen_revision schemagen_lint_rules schemagen_compare
                schemagen_runtime schemagen_pg schemagen_sqlite
        EXPORT schemagenTargets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}/schemagen)
install(FILES ${PROJECT_SOURCE_DIR}/lib/migrate/include/schemagen/migrate.hpp
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/schemagen)
install(FILES ${PROJECT_SOURCE_DIR}/lib/support/include/schemagen/support/diagnostics.hpp
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/schemagen/support)
install(DIRECTORY ${SCHEMAGEN_CLANG_RESOURCE_DIR}/include
        DESTINATION lib/schemagen/clang) # where the binary looks: <bindir>/../lib/schemagen/clang
install(EXPORT schemagenTargets NAMESPACE schemagen::
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/schemagen)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/schemagenConfig.cmake.in
  ${PROJECT_BINARY_DIR}/schemagenConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/schemagen)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/schemagenConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/schemagenConfig.cmake
              ${PROJECT_BINARY_DIR}/schemagenConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/cmake/FindLibYAML.cmake
              ${PROJECT_SOURCE_DIR}/cmake/SchemagenScan.cmake
              ${PROJECT_SOURCE_DIR}/cmake/SchemagenRevisions.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/schemagen)
