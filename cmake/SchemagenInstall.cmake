# cmake --install: the binary, the annotations header, Clang's builtin headers (so the scan finds
# them wherever schemagen is installed), and a package consumers find with find_package(schemagen).
include(CMakePackageConfigHelpers)

install(TARGETS schemagen EXPORT schemagenTargets RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS schemagen_annotations EXPORT schemagenTargets)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/lib/annotations/include/schemagen
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
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
              ${PROJECT_SOURCE_DIR}/cmake/SchemagenScan.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/schemagen)
