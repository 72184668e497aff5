# cmake -DSOURCE_DIR=<checkout> -DOUT=<dir> -P seeds.cmake
# The seed corpora, from the example application: its revision files, its configuration (and
# the ones `schemagen init` writes), every SG_* invocation in its model headers, one per file, and
# its objects files and views' SQL.
file(REMOVE_RECURSE ${OUT})
file(MAKE_DIRECTORY ${OUT}/revision ${OUT}/config ${OUT}/annotation ${OUT}/objects)

file(GLOB_RECURSE revisions ${SOURCE_DIR}/revisions/*.yaml)
file(COPY ${revisions} DESTINATION ${OUT}/revision)

file(GLOB_RECURSE configs ${SOURCE_DIR}/schema/*.yaml ${SOURCE_DIR}/templates/init/*.yaml)
foreach(config IN LISTS configs)
  file(RELATIVE_PATH name ${SOURCE_DIR} ${config})
  string(REPLACE "/" "_" name ${name})
  configure_file(${config} ${OUT}/config/${name} COPYONLY)
endforeach()

# SG_NAME(...), with one level of parentheses inside ("now()", "lower(email)").
set(invocation "SG_[A-Z_]+\\(([^()]|\\([^()]*\\))*\\)")
file(GLOB headers ${SOURCE_DIR}/schema/*.hpp)
foreach(header IN LISTS headers)
  get_filename_component(stem ${header} NAME_WE)
  file(READ ${header} source)
  string(REGEX MATCHALL "${invocation}" found "${source}")
  set(n 0)
  foreach(annotation IN LISTS found)
    math(EXPR n "${n} + 1")
    file(WRITE ${OUT}/annotation/${stem}_${n} "${annotation}")
  endforeach()
endforeach()

file(GLOB objects ${SOURCE_DIR}/schema/db/*.sql ${SOURCE_DIR}/schema/views/*.sql)
file(COPY ${objects} DESTINATION ${OUT}/objects)
