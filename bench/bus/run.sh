#!/usr/bin/env bash
# bench/bus: events/s and latency (p50/p99) of both event buses, through the
# Google Benchmark in bench/micro/bus_throughput.cpp (what each case measures is
# described there). The Kafka figures come from librdkafka's in-process MOCK cluster,
# not a real broker. Writes bench/bus/results/bus-<timestamp>.md.
#
#   bench/bus/run.sh
#   BENCH_FILTER='BM_OutboxPaced' bench/bus/run.sh
source "$(dirname "$0")/../../scripts/lib.sh"

BUILD_DIR="${TICKETLY_BUILD_DIR:-$TICKETLY_ROOT/build}"
OUT_DIR="$TICKETLY_ROOT/bench/bus/results"
FILTER="${BENCH_FILTER:-.}"
mkdir -p "$OUT_DIR"

"$TICKETLY_ROOT/scripts/build.sh" Release bench_bus_throughput
"$TICKETLY_ROOT/scripts/pg.sh" start
export TICKETLY_TEST_PG_URL="$("$TICKETLY_ROOT/scripts/pg.sh" url)"

json="$(mktemp /tmp/ticketly-bus-bench.XXXXXX.json)"
trap 'rm -f "$json"' EXIT
"$BUILD_DIR/bench/bench_bus_throughput" --benchmark_filter="$FILTER" --benchmark_out="$json" \
  --benchmark_out_format=json >/dev/null

report="$OUT_DIR/bus-$(date -u +%Y%m%dT%H%M%SZ).md"
{
  echo "### bench/bus — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo "Kafka = librdkafka's in-process mock cluster (no real broker)."
  echo
  echo "| case | bus | events/s | p50 ms | p99 ms |"
  echo "|---|---|---|---|---|"
  python3 - "$json" <<'PY'
import json, sys
for b in json.load(open(sys.argv[1]))["benchmarks"]:
    name = b["name"].split("/")[0]
    bus = "—" if "Baseline" in name else ("Kafka (mock)" if "/bus:1" in b["name"] else "PgLog")
    print(f"| {name} | {bus} | {b['events_per_s']:.0f} | {b['p50_ms']:.1f} | {b['p99_ms']:.1f} |")
PY
} | tee "$report"
