# Embeds a folder of versioned SQL migrations (NNNN_name.sql) into a generated C++
# source so the binary carries its own schema: `ticketly migrate` needs no files on disk.
set(TICKETLY_EMBED_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/EmbedMigrations.cmake)

function(ticketly_embed_migrations name dir out_var)
  file(GLOB sql_files CONFIGURE_DEPENDS ${dir}/*.sql)
  list(SORT sql_files)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/generated/migrations_${name}.cpp)
  # The file list itself is a dependency: deleting a migration leaves only older files
  # behind, so without it the stale set would stay embedded. file(CONFIGURE) rewrites the
  # list (and so triggers a re-embed) only when the set of files changes.
  set(list_file ${CMAKE_CURRENT_BINARY_DIR}/generated/migrations_${name}.files)
  string(REPLACE ";" "\n" file_lines "${sql_files}")
  file(CONFIGURE OUTPUT ${list_file} CONTENT "${file_lines}\n" @ONLY)
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DNAME=${name} -DDIR=${dir} -DOUT=${out} -P ${TICKETLY_EMBED_SCRIPT}
    DEPENDS ${sql_files} ${list_file} ${TICKETLY_EMBED_SCRIPT}
    COMMENT "Embedding migrations of ${name}"
    VERBATIM)
  set(${out_var} ${out} PARENT_SCOPE)
endfunction()
