#!/usr/bin/env bash
# `make test`: installs what is missing, builds, starts a throwaway PostgreSQL
# cluster, runs every test suite, and removes the cluster again.
source "$(dirname "$0")/lib.sh"

"$TICKETLY_ROOT/scripts/install-deps.sh"
"$TICKETLY_ROOT/scripts/build.sh" "${TICKETLY_BUILD_TYPE:-Release}"
BUILD_DIR="${TICKETLY_BUILD_DIR:-$TICKETLY_ROOT/build}"

# A cluster of its own, on its own port, so tests never touch `make run`'s data.
export TICKETLY_PG_NAME="test-pg-$$"
export TICKETLY_PG_PORT="${TICKETLY_TEST_PG_PORT:-55433}"
cleanup() { "$TICKETLY_ROOT/scripts/pg.sh" destroy || true; }
trap cleanup EXIT
"$TICKETLY_ROOT/scripts/pg.sh" destroy >/dev/null 2>&1 || true
"$TICKETLY_ROOT/scripts/pg.sh" start
TICKETLY_TEST_PG_URL="$("$TICKETLY_ROOT/scripts/pg.sh" url)"
export TICKETLY_TEST_PG_URL

log "running tests"
cd "$BUILD_DIR"
ctest --output-on-failure --timeout 900 "$@"
log "all tests passed"
