#!/usr/bin/env bash
# Configures and builds with CMake + Ninja into build/ (or $TICKETLY_BUILD_DIR).
#   scripts/build.sh [Release|Debug|RelWithDebInfo] [ninja targets…]
source "$(dirname "$0")/lib.sh"

BUILD_TYPE="${1:-Release}"
shift || true
BUILD_DIR="${TICKETLY_BUILD_DIR:-$TICKETLY_ROOT/build}"
EXTRA=()
[ "${TICKETLY_SANITIZE:-0}" = "1" ] && EXTRA+=(-DTICKETLY_SANITIZE=ON)

if [ ! -f "$BUILD_DIR/build.ninja" ] || ! grep -q "CMAKE_BUILD_TYPE:STRING=$BUILD_TYPE" "$BUILD_DIR/CMakeCache.txt" 2>/dev/null; then
  log "configuring $BUILD_TYPE build in $BUILD_DIR"
  cmake -S "$TICKETLY_ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="$BUILD_TYPE" "${EXTRA[@]}" >/dev/null
fi
log "building ($BUILD_TYPE)"
ninja -C "$BUILD_DIR" "$@"
