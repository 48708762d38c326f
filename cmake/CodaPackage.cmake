# `cmake --install` lays out headers, static libraries, tools, the plugin and
# a CMake package, so another MLIR-based compiler can embed Coda with
#   find_package(Coda REQUIRED CONFIG)
#   target_link_libraries(my-compiler PRIVATE Coda::CodaInit Coda::CodaImport)
include(CMakePackageConfigHelpers)

install(DIRECTORY include/coda DESTINATION include FILES_MATCHING PATTERN "*.h")
install(DIRECTORY ${PROJECT_BINARY_DIR}/include/coda DESTINATION include
        FILES_MATCHING PATTERN "*.inc")

get_property(coda_libs GLOBAL PROPERTY CODA_LIBS)
install(TARGETS ${coda_libs} EXPORT CodaTargets ARCHIVE DESTINATION lib)
install(EXPORT CodaTargets NAMESPACE Coda:: DESTINATION lib/cmake/coda)

file(WRITE ${PROJECT_BINARY_DIR}/CodaConfig.cmake.in [=[
@PACKAGE_INIT@
include(CMakeFindDependencyMacro)
find_dependency(MLIR CONFIG HINTS @MLIR_DIR@)
find_dependency(ONNX CONFIG)
find_dependency(Protobuf)
find_dependency(Eigen3 3.3 NO_MODULE)
include("${CMAKE_CURRENT_LIST_DIR}/CodaTargets.cmake")
]=])
configure_package_config_file(${PROJECT_BINARY_DIR}/CodaConfig.cmake.in
  ${PROJECT_BINARY_DIR}/CodaConfig.cmake INSTALL_DESTINATION lib/cmake/coda)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/CodaConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/CodaConfig.cmake
              ${PROJECT_BINARY_DIR}/CodaConfigVersion.cmake
        DESTINATION lib/cmake/coda)
install(DIRECTORY platforms/ DESTINATION share/coda/platforms FILES_MATCHING PATTERN "*.json")
