#!/usr/bin/env bash
# `make run`: installs what is missing, builds Release, starts the project's
# PostgreSQL, and runs the all-in-one server in the foreground.
# Ctrl-C stops the server and the database it started.
source "$(dirname "$0")/lib.sh"

"$TICKETLY_ROOT/scripts/install-deps.sh"
"$TICKETLY_ROOT/scripts/build.sh" Release ticketly
BIN="${TICKETLY_BUILD_DIR:-$TICKETLY_ROOT/build}/ticketly"

pg_was_running=0
"$TICKETLY_ROOT/scripts/pg.sh" status >/dev/null 2>&1 && pg_was_running=1
"$TICKETLY_ROOT/scripts/pg.sh" start
stop_all() {
  if [ "$pg_was_running" = 0 ]; then "$TICKETLY_ROOT/scripts/pg.sh" stop || true; fi
}
trap stop_all EXIT

TICKETLY_PG_URL="$("$TICKETLY_ROOT/scripts/pg.sh" url)"
export TICKETLY_PG_URL
export TICKETLY_PORT="${TICKETLY_PORT:-8088}"
export TICKETLY_DATA_DIR
export TICKETLY_LOG_FORMAT="${TICKETLY_LOG_FORMAT:-text}"

base="http://localhost:$TICKETLY_PORT"
cat <<INFO

  Ticketly is starting on $base (Ctrl-C stops it and its database)

  Health     $base/health        Readiness  $base/ready       Metrics  $base/metrics
  APIs       $base/api/event-seating   $base/api/event-query
             $base/api/order           $base/api/scheduler
  Identity   $base/realms/event-ticketing  (development provider; realm deploy/keycloak/dev-realm.json)
  Logins     admin@yopmail.com / admin123       system admin, PRO
             user@yopmail.com / user123         PRO
             test_user@yopmail.com / test123    ENTERPRISE
  A token    curl -s $base/realms/event-ticketing/protocol/openid-connect/token \\
               -d grant_type=password -d client_id=login-testing -d username=user@yopmail.com -d password=user123
  Database   $("$TICKETLY_ROOT/scripts/pg.sh" url | sed 's/:[^:@]*@/:***@/')  (password in $TICKETLY_DATA_DIR/pg-password)

INFO
# `serve` creates and migrates the databases before it listens. It runs in the
# background only so the demo data can be put in once it is ready; Ctrl-C (or the
# server exiting) ends the script either way.
"$BIN" serve &
server=$!
stop_server() { kill -TERM "$server" 2>/dev/null || true; }
trap stop_server INT TERM
for _ in $(seq 1 600); do
  curl -fsS -o /dev/null "$base/ready" 2>/dev/null && break
  kill -0 "$server" 2>/dev/null || break
  sleep 0.2
done
if curl -fsS -o /dev/null "$base/ready" 2>/dev/null; then
  if [ "${TICKETLY_DEMO_DATA:-true}" = "true" ]; then
    "$BIN" seed --url "$base" || warn "demo data could not be created (the server keeps running)"
  fi
fi
status=0
wait "$server" || status=$?
# A signal interrupts the first wait; wait again for the graceful shutdown to finish.
kill -0 "$server" 2>/dev/null && { wait "$server" || status=$?; }
exit "$status"
