#!/usr/bin/env bash
# Manages the project's own PostgreSQL 15 cluster, kept under the data directory.
#
#   scripts/pg.sh init|start|stop|status|url|createdb NAME|dropdb NAME|destroy
#
# Environment: TICKETLY_DATA_DIR (default ./.ticketly), TICKETLY_PG_NAME (cluster folder,
# default "pg"), TICKETLY_PG_PORT (default 55432), TICKETLY_PG_EXTRA (settings added to a new
# cluster's postgresql.conf, one per line). PostgreSQL refuses to run as root, so
# as root the cluster runs as the `postgres` system user. The superuser `ticketly` gets a
# random password kept in <cluster>/../<name>-password (mode 600), never in the repository.
source "$(dirname "$0")/lib.sh"

PG_NAME="${TICKETLY_PG_NAME:-pg}"
PG_PORT="${TICKETLY_PG_PORT:-55432}"
PG_DIR="$TICKETLY_DATA_DIR/$PG_NAME"
PW_FILE="$TICKETLY_DATA_DIR/$PG_NAME-password"

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# As root the cluster belongs to `postgres`, which must be able to reach it. A clone
# under a private home (/root is 0700) is not reachable, so the cluster then lives in
# /var/tmp and the data directory holds a symlink to it.
resolve_cluster_dir() {
  mkdir -p "$TICKETLY_DATA_DIR"
  if [ "$(id -u)" -ne 0 ] || [ -e "$PG_DIR" ]; then return; fi
  if runuser -u postgres -- test -x "$TICKETLY_DATA_DIR"; then return; fi
  local alt
  alt="/var/tmp/ticketly-$(printf '%s' "$PG_DIR" | sha1sum | cut -c1-12)"
  log "postgres cannot reach $TICKETLY_DATA_DIR; keeping the cluster in $alt"
  mkdir -p "$alt"
  ln -sfn "$alt" "$PG_DIR"
}

password() {
  [ -f "$PW_FILE" ] || die "no cluster password at $PW_FILE; run: scripts/pg.sh init"
  cat "$PW_FILE"
}

cmd_init() {
  [ -x "$PG_BIN/initdb" ] || die "PostgreSQL 15 is not installed; run scripts/install-deps.sh"
  resolve_cluster_dir
  if [ -f "$PG_DIR/PG_VERSION" ]; then return; fi
  mkdir -p "$PG_DIR"
  if [ ! -f "$PW_FILE" ]; then
    (umask 077; head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$PW_FILE")
  fi
  local pwtmp="$PG_DIR.pwtmp"
  (umask 077; cp "$PW_FILE" "$pwtmp")
  if [ "$(id -u)" -eq 0 ]; then
    chown -R postgres:postgres "$(readlink -f "$PG_DIR")" "$pwtmp"
  fi
  log "creating PostgreSQL cluster in $PG_DIR"
  as_pg "$PG_BIN/initdb" -D "$PG_DIR" -U ticketly --pwfile="$pwtmp" \
    --auth-local=scram-sha-256 --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
  rm -f "$pwtmp"
  cat >> "$PG_DIR/postgresql.conf" <<CONF
# ticketly: loopback only, socket inside the cluster, tuned for a developer machine
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
max_connections = 300
shared_buffers = 256MB
synchronous_commit = on
log_min_messages = warning
CONF
  # Extra settings for a new cluster, one per line (diagnostics: auto_explain, planner switches).
  if [ -n "${TICKETLY_PG_EXTRA:-}" ]; then printf "%s\n" "$TICKETLY_PG_EXTRA" >> "$PG_DIR/postgresql.conf"; fi
  # Benchmarks can ask for per-statement figures (bench/order/run.sh PG_STATS=1).
  if [ "${TICKETLY_PG_STATS:-0}" = "1" ]; then
    printf "shared_preload_libraries = 'pg_stat_statements'\npg_stat_statements.track = all\n" >> "$PG_DIR/postgresql.conf"
  fi
}

running() { as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR" status >/dev/null 2>&1; }

cmd_start() {
  cmd_init
  if running; then return; fi
  log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
  as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR" -w -t 60 -o "-p $PG_PORT" -l "$PG_DIR/server.log" start >/dev/null \
    || { tail -20 "$PG_DIR/server.log" >&2; die "PostgreSQL did not start"; }
}

cmd_stop() {
  [ -f "$PG_DIR/PG_VERSION" ] || return 0
  if running; then
    log "stopping PostgreSQL ($PG_DIR)"
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR" -m fast -w stop >/dev/null
  fi
}

cmd_url() { printf 'postgresql://ticketly:%s@127.0.0.1:%s' "$(password)" "$PG_PORT"; }

psql_admin() {
  PGPASSWORD="$(password)" psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U ticketly -d postgres "$@"
}

cmd_createdb() {
  local name="$1"
  [[ "$name" =~ ^[a-z_][a-z0-9_]*$ ]] || die "bad database name: $name"
  if [ -z "$(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = '$name'")" ]; then
    psql_admin -c "CREATE DATABASE $name"
  fi
}

cmd_dropdb() {
  local name="$1"
  [[ "$name" =~ ^[a-z_][a-z0-9_]*$ ]] || die "bad database name: $name"
  psql_admin -c "DROP DATABASE IF EXISTS $name WITH (FORCE)"
}

cmd_destroy() {
  cmd_stop
  local real
  real="$(readlink -f "$PG_DIR" || true)"
  rm -rf "$PG_DIR" "$PW_FILE"
  [ -n "$real" ] && [ "$real" != "$PG_DIR" ] && rm -rf "$real"
  return 0
}

case "${1:-}" in
  init) cmd_init ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) if running; then echo "running on 127.0.0.1:$PG_PORT ($PG_DIR)"; else echo "stopped"; exit 3; fi ;;
  url) cmd_url ;;
  createdb) cmd_createdb "${2:?database name}" ;;
  dropdb) cmd_dropdb "${2:?database name}" ;;
  destroy) cmd_destroy ;;
  *) die "usage: $0 init|start|stop|status|url|createdb NAME|dropdb NAME|destroy" ;;
esac
