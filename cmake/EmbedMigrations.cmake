# cmake -DNAME=order -DDIR=migrations/order -DOUT=file.cpp -P EmbedMigrations.cmake
file(GLOB sql_files ${DIR}/*.sql)
list(SORT sql_files)
set(entries "")
foreach(f ${sql_files})
  get_filename_component(base ${f} NAME_WE)
  if(NOT base MATCHES "^([0-9]+)_([A-Za-z0-9_]+)$")
    message(FATAL_ERROR "migration file name must be NNNN_name.sql: ${f}")
  endif()
  math(EXPR version "${CMAKE_MATCH_1}")
  set(label "${CMAKE_MATCH_2}")
  file(READ ${f} sql)
  string(FIND "${sql}" ")ticketly_sql\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "migration contains the raw-string delimiter: ${f}")
  endif()
  string(APPEND entries "  {${version}, \"${label}\", R\"ticketly_sql(${sql})ticketly_sql\"},\n")
endforeach()
set(content "// Generated from ${DIR} by cmake/EmbedMigrations.cmake. Do not edit.
#include \"platform/db/migrations.h\"

namespace ticketly::migrations {
static const ticketly::db::MigrationFile kFiles[] = {
${entries}  {0, \"\", \"\"}
};
std::span<const ticketly::db::MigrationFile> ${NAME}() {
  return {kFiles, sizeof(kFiles) / sizeof(kFiles[0]) - 1};
}
}  // namespace ticketly::migrations
")
if(EXISTS ${OUT})
  file(READ ${OUT} old)
  if(old STREQUAL content)
    return()
  endif()
endif()
file(WRITE ${OUT} "${content}")
