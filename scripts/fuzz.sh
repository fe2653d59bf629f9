#!/usr/bin/env bash
# Fuzzes the parsers of untrusted input with libFuzzer (clang 14), ASan and UBSan.
#   scripts/fuzz.sh [target…]        every target of tests/fuzz when none is named
# FUZZ_SECONDS (60) per target. Builds into build-fuzz/ (or $TICKETLY_FUZZ_BUILD_DIR).
# Each target starts from its checked-in seeds (tests/fuzz/corpus/<target>) and keeps the
# inputs it finds in build-fuzz/corpus/<target>, so a later run goes on from there. A
# crash or a broken property stops the target and leaves the input in
# build-fuzz/findings/<target>/; the script then fails. To keep it as a regression test:
# fix the bug and copy the (minimized: `fuzz_<target> -minimize_crash=1 <file>`) input
# into tests/fuzz/corpus/<target>/, which every `make test` replays.
source "$(dirname "$0")/lib.sh"

BUILD_DIR="${TICKETLY_FUZZ_BUILD_DIR:-$TICKETLY_ROOT/build-fuzz}"
SECONDS_PER_TARGET="${FUZZ_SECONDS:-60}"

if ! command -v clang++-14 >/dev/null; then
  log "installing clang 14 (libFuzzer)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends clang-14 >/dev/null
fi
"$TICKETLY_ROOT/scripts/install-deps.sh"

if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  log "configuring the fuzz build in $BUILD_DIR"
  CXX=clang++-14 cmake -S "$TICKETLY_ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DTICKETLY_FUZZ=ON >/dev/null
fi
ninja -C "$BUILD_DIR"

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in "$BUILD_DIR"/tests/fuzz/fuzz_*; do targets+=("$(basename "$f" | sed 's/^fuzz_//')"); done
fi

failed=()
for t in "${targets[@]}"; do
  bin="$BUILD_DIR/tests/fuzz/fuzz_$t"
  [ -x "$bin" ] || die "no fuzz target '$t' (see tests/fuzz/CMakeLists.txt)"
  corpus="$BUILD_DIR/corpus/$t" findings="$BUILD_DIR/findings/$t"
  mkdir -p "$corpus" "$findings"
  log "fuzzing $t for ${SECONDS_PER_TARGET}s"
  if ! "$bin" -max_total_time="$SECONDS_PER_TARGET" -max_len=65536 -timeout=10 -rss_limit_mb=4096 \
      -print_final_stats=1 -artifact_prefix="$findings/" "$corpus" "$TICKETLY_ROOT/tests/fuzz/corpus/$t" \
      > "$findings/log" 2>&1; then
    warn "$t: a finding, see $findings/ (log: $findings/log)"
    failed+=("$t")
  fi
  grep -E "^stat::(number_of_executed_units|new_units_added)" "$findings/log" | tr '\n' ' ' >&2; echo >&2
done
[ ${#failed[@]} -eq 0 ] || die "findings in: ${failed[*]}"
log "no findings"
