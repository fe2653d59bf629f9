# Embeds a folder of versioned SQL migrations (NNNN_name.sql) into a generated C++
# source so the binary carries its own schema: `ticketly migrate` needs no files on disk.
set(TICKETLY_EMBED_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/EmbedMigrations.cmake)

function(ticketly_embed_migrations name dir out_var)
  file(GLOB sql_files CONFIGURE_DEPENDS ${dir}/*.sql)
  list(SORT sql_files)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/generated/migrations_${name}.cpp)
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DNAME=${name} -DDIR=${dir} -DOUT=${out} -P ${TICKETLY_EMBED_SCRIPT}
    DEPENDS ${sql_files} ${TICKETLY_EMBED_SCRIPT}
    COMMENT "Embedding migrations of ${name}"
    VERBATIM)
  set(${out_var} ${out} PARENT_SCOPE)
endfunction()
