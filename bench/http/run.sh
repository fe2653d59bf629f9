#!/usr/bin/env bash
# bench/http: wrk against the all-in-one server's /health and, in the same run,
# against nginx returning a fixed 200 — the ratio is what docs/BENCHMARKS.md records.
#
#   bench/http/run.sh            # 256 connections, 15 s each
#   CONNECTIONS=64 DURATION=10s bench/http/run.sh
source "$(dirname "$0")/../../scripts/lib.sh"

CONNECTIONS="${CONNECTIONS:-256}"
DURATION="${DURATION:-15s}"
THREADS="${THREADS:-2}"
TICKETLY_BENCH_PORT="${TICKETLY_BENCH_PORT:-18088}"
NGINX_PORT="${NGINX_PORT:-18080}"
OUT_DIR="$TICKETLY_ROOT/bench/results"
WORK="$(mktemp -d /tmp/ticketly-bench.XXXXXX)"
mkdir -p "$OUT_DIR"

"$TICKETLY_ROOT/scripts/install-deps.sh"
"$TICKETLY_ROOT/scripts/build.sh" Release ticketly
BIN="${TICKETLY_BUILD_DIR:-$TICKETLY_ROOT/build}/ticketly"

# Below Linux's ephemeral ports (32768-60999): wrk's tens of thousands of connections leave
# TIME_WAIT sockets on ports there, and one on the cluster's port stops it from starting.
export TICKETLY_PG_NAME="bench-pg" TICKETLY_PG_PORT="${TICKETLY_BENCH_PG_PORT:-25434}"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  "$TICKETLY_ROOT/scripts/pg.sh" destroy >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
"$TICKETLY_ROOT/scripts/pg.sh" start

# nginx baseline
mkdir -p "$WORK"/{body,proxy,fastcgi,uwsgi,scgi}
sed -e "s#@DIR@#$WORK#g" -e "s#@PORT@#$NGINX_PORT#g" "$TICKETLY_ROOT/bench/http/nginx.conf.in" > "$WORK/nginx.conf"
if [ "$(id -u)" -eq 0 ]; then sed -i "1i user root;" "$WORK/nginx.conf"; fi
nginx -c "$WORK/nginx.conf" -p "$WORK" &
pids+=($!)

# ticketly, all-in-one, access log on (its production default) into a file
TICKETLY_PG_URL="$("$TICKETLY_ROOT/scripts/pg.sh" url)" TICKETLY_PORT="$TICKETLY_BENCH_PORT" \
  TICKETLY_WORKERS="${WORKERS:-0}" TICKETLY_DB_PREFIX=bench TICKETLY_ACCESS_LOG="${ACCESS_LOG:-true}" TICKETLY_BIND=127.0.0.1 \
  "$BIN" serve > "$WORK/ticketly.log" 2>&1 &
pids+=($!)

wait_for() {
  for _ in $(seq 1 300); do curl -fsS "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done
  tail -n 20 "$WORK"/*.log >&2 || true
  die "no answer from $1"
}
wait_for "http://127.0.0.1:$NGINX_PORT/health"
wait_for "http://127.0.0.1:$TICKETLY_BENCH_PORT/health"

run_wrk() {  # name url
  log "wrk $1: -t$THREADS -c$CONNECTIONS -d$DURATION $2"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$2" > "$WORK/$1.txt"
  cat "$WORK/$1.txt" >&2
}
# Warm-up, then measure each target.
wrk -t"$THREADS" -c"$CONNECTIONS" -d3s "http://127.0.0.1:$TICKETLY_BENCH_PORT/health" >/dev/null
wrk -t"$THREADS" -c"$CONNECTIONS" -d3s "http://127.0.0.1:$NGINX_PORT/health" >/dev/null
run_wrk nginx "http://127.0.0.1:$NGINX_PORT/health"
run_wrk ticketly "http://127.0.0.1:$TICKETLY_BENCH_PORT/health"

rps() { awk '/^Requests\/sec/ {print $2}' "$WORK/$1.txt"; }
pct() { awk -v p="$2" '$1 == p {print $2}' "$WORK/$1.txt"; }
errors() { awk '/Non-2xx|Socket errors/ {print}' "$WORK/$1.txt" | tr '\n' ' '; }
ratio=$(awk -v a="$(rps ticketly)" -v b="$(rps nginx)" 'BEGIN {printf "%.2f", a / b}')

report="$OUT_DIR/http-$(date -u +%Y%m%dT%H%M%SZ).md"
{
  echo "### bench/http — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, wrk -t$THREADS -c$CONNECTIONS -d$DURATION"
  echo
  echo "| target | requests/s | p50 | p90 | p99 | errors |"
  echo "|---|---|---|---|---|---|"
  echo "| nginx fixed 200 (baseline) | $(rps nginx) | $(pct nginx 50%) | $(pct nginx 90%) | $(pct nginx 99%) | $(errors nginx) |"
  echo "| ticketly /health | $(rps ticketly) | $(pct ticketly 50%) | $(pct ticketly 90%) | $(pct ticketly 99%) | $(errors ticketly) |"
  echo
  echo "ratio ticketly / nginx: **$ratio**"
} | tee "$report"
log "report written to $report"
