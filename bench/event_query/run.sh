#!/usr/bin/env bash
# bench/event_query: the event-query service under wrk, with /health measured in the same
# run as the yardstick (targets: p99 < 10 ms and >= 50 % of /health's requests/s), plus
# the seat-status SSE fan-out latency to 10,000 subscribers.
#
#   bench/event_query/run.sh
#   CONNECTIONS=64 DURATION=10s SUBSCRIBERS=2000 bench/event_query/run.sh
#   SSE_ONLY=1 bench/event_query/run.sh        # only the fan-out (bench/tools/sse_fanout.cpp)
#   BENCH_BIN=/path/to/ticketly bench/event_query/run.sh   # another build of the server (A/B)
#   FLOOR=0 bench/event_query/run.sh           # without the floors (below)
#
# The floors, measured in the same run (FLOOR=1, the default): what this machine allows
# any server. nginx serves the same seat-map bytes from files beside its own fixed
# /health (nginx-floor.conf.in), and bench_sse_floor (bench/tools/sse_floor.cpp) puts the
# same event on as many bare sockets, read by the same client.
source "$(dirname "$0")/../../scripts/lib.sh"

CONNECTIONS="${CONNECTIONS:-128}"
DURATION="${DURATION:-15s}"
THREADS="${THREADS:-2}"
SUBSCRIBERS="${SUBSCRIBERS:-10000}"
PORT="${TICKETLY_BENCH_PORT:-18082}"
WORK="$(mktemp -d /tmp/ticketly-eq-bench.XXXXXX)"
HERE="$TICKETLY_ROOT/bench/event_query"

"$TICKETLY_ROOT/scripts/build.sh" Release ticketly bench_sse_fanout bench_sse_floor
BIN="${BENCH_BIN:-${TICKETLY_BUILD_DIR:-$TICKETLY_ROOT/build}/ticketly}"
FANOUT="${TICKETLY_BUILD_DIR:-$TICKETLY_ROOT/build}/bench/bench_sse_fanout"
SSE_FLOOR="${TICKETLY_BUILD_DIR:-$TICKETLY_ROOT/build}/bench/bench_sse_floor"
FLOOR="${FLOOR:-1}"
NGINX_PORT="${NGINX_PORT:-18083}"
FLOOR_PORT="${FLOOR_PORT:-18084}"

# Below Linux's ephemeral ports (32768-60999): wrk's tens of thousands of connections leave
# TIME_WAIT sockets on ports there, and one on the cluster's port stops it from starting.
export TICKETLY_PG_NAME="${TICKETLY_PG_NAME:-bench-eq}" TICKETLY_PG_PORT="${TICKETLY_BENCH_PG_PORT:-25435}"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  # The cluster is kept between runs (seeding is the slow part of a first start); this
  # run's databases are not.
  if [ -n "${PG_URL:-}" ] && [ -n "${PREFIX:-}" ]; then
    for db in $(psql "$PG_URL/postgres" -tAc "SELECT datname FROM pg_database WHERE datname LIKE '${PREFIX}\_%'" 2>/dev/null); do
      "$TICKETLY_ROOT/scripts/pg.sh" dropdb "$db" >/dev/null 2>&1 || true
    done
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
"$TICKETLY_ROOT/scripts/pg.sh" start
PG_URL="$("$TICKETLY_ROOT/scripts/pg.sh" url)"
PREFIX="bencheq$$"
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

# event-query alone (its own port), access log off as in production behind an ingress.
TICKETLY_PG_URL="$PG_URL" TICKETLY_EVENT_QUERY_PORT="$PORT" TICKETLY_DB_PREFIX="$PREFIX" TICKETLY_BIND=127.0.0.1 \
  TICKETLY_ACCESS_LOG=false TICKETLY_LOG_LEVEL=warn \
  TICKETLY_EVENT_QUERY_SSE_MAX_PER_CLIENT=$((SUBSCRIBERS + 100)) TICKETLY_EVENT_QUERY_SSE_MAX_SUBSCRIBERS=$((SUBSCRIBERS + 100)) \
  "$BIN" serve event-query > "$WORK/ticketly.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 300); do curl -fsS "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fsS "http://127.0.0.1:$PORT/health" >/dev/null || { tail -n 30 "$WORK/ticketly.log"; die "no answer"; }

BUS_URL="$PG_URL/${PREFIX}_bus"
# Topics exist once the consumer joined.
for _ in $(seq 1 100); do
  [ "$(psql "$BUS_URL" -tAc "SELECT count(*) FROM bus_partitions WHERE topic = 'ticketly.seats.status' AND partition = 0")" = "1" ] && break
  sleep 0.1
done
log "seeding the read model through the bus"
python3 "$HERE/seed.py" "$WORK/ids.json" | psql -q "$BUS_URL" >/dev/null
EVENT=$(python3 -c "import json;print(json.load(open('$WORK/ids.json'))['event'])")
SESSION=$(python3 -c "import json;print(json.load(open('$WORK/ids.json'))['session'])")
SEATS=$(python3 -c "import json;print(' '.join(json.load(open('$WORK/ids.json'))['seats'][:10]))")
for _ in $(seq 1 600); do
  curl -fsS "http://127.0.0.1:$PORT/api/event-query/v1/sessions/$SESSION/seating-map" >/dev/null 2>&1 && break
  sleep 0.1
done
log "seat map: $(curl -s "http://127.0.0.1:$PORT/api/event-query/v1/sessions/$SESSION/seating-map" | wc -c) bytes"

run_wrk() {  # name url [lua] [header]
  local extra=()
  [ -n "${3:-}" ] && extra=(-s "$3")
  [ -n "${4:-}" ] && extra+=(-H "$4")
  wrk -t"$THREADS" -c"$CONNECTIONS" -d3s "${extra[@]}" "$2" >/dev/null  # warm-up
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "${extra[@]}" "$2" > "$WORK/$1.txt"
  printf '%-13s %s req/s  p50 %s  p99 %s\n' "$1" \
    "$(awk '/Requests\/sec/ {print $2}' "$WORK/$1.txt")" \
    "$(awk '$1 == "50%" {print $2}' "$WORK/$1.txt")" \
    "$(awk '$1 == "99%" {print $2}' "$WORK/$1.txt")"
}
BASE="http://127.0.0.1:$PORT"
if [ "${SSE_ONLY:-0}" != "1" ]; then
echo "== event-query benchmark: $CONNECTIONS connections, $THREADS wrk threads, $DURATION each, $(nproc) cores"
run_wrk health "$BASE/health"
run_wrk seatmap "$BASE/api/event-query/v1/sessions/$SESSION/seating-map"
run_wrk seatmap-gzip "$BASE/api/event-query/v1/sessions/$SESSION/seating-map" "" "Accept-Encoding: gzip"
# What a browser that already has the current map sends (Cache-Control: no-cache makes it
# revalidate): If-None-Match with the map's ETag -> 304 without a body.
ETAG="$(curl -sI "$BASE/api/event-query/v1/sessions/$SESSION/seating-map" |
        awk 'tolower($1) == "etag:" {print $2}' | tr -d '\r')"
run_wrk seatmap-304 "$BASE/api/event-query/v1/sessions/$SESSION/seating-map" "" "If-None-Match: $ETAG"
run_wrk basicinfo "$BASE/api/event-query/v1/events/$EVENT/basic-info"
run_wrk search "$BASE" "$HERE/search.lua"
run_wrk health2 "$BASE/health"
if [ "$FLOOR" = "1" ]; then
  log "floor: nginx serving the same map bytes"
  MAP="$BASE/api/event-query/v1/sessions/$SESSION/seating-map"
  curl -fsS "$MAP" > "$WORK/map.json"
  curl -fsS -H "Accept-Encoding: gzip" "$MAP" > "$WORK/map.json.gz"
  gzip -t "$WORK/map.json.gz" || die "the gzip variant is not gzip"
  mkdir -p "$WORK"/{body,proxy,fastcgi,uwsgi,scgi}
  sed -e "s#@DIR@#$WORK#g" -e "s#@PORT@#$NGINX_PORT#g" "$HERE/nginx-floor.conf.in" > "$WORK/nginx.conf"
  if [ "$(id -u)" -eq 0 ]; then sed -i "1i user root;" "$WORK/nginx.conf"; fi
  nginx -c "$WORK/nginx.conf" -p "$WORK" &
  pids+=($!)
  for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$NGINX_PORT/health" >/dev/null 2>&1 && break; sleep 0.1; done
  cmp -s <(curl -fsS "http://127.0.0.1:$NGINX_PORT/map") "$WORK/map.json" || die "nginx does not serve the map"
  run_wrk nginx-health "http://127.0.0.1:$NGINX_PORT/health"
  run_wrk nginx-map "http://127.0.0.1:$NGINX_PORT/map"
  run_wrk nginx-gzip "http://127.0.0.1:$NGINX_PORT/map-gzip"
  kill "${pids[-1]}" 2>/dev/null || true
fi
fi

log "SSE fan-out: $SUBSCRIBERS subscribers"
"$FANOUT" "$PORT" "$SESSION" "$SUBSCRIBERS" "$BUS_URL" $SEATS  # one round per seat (10)
if [ "$FLOOR" = "1" ]; then
  # The server's subscribers are gone once the client exits; the floor runs alone.
  log "floor: the same fan-out from bare sockets (bench_sse_floor)"
  "$SSE_FLOOR" "$FLOOR_PORT" "$(nproc)" 2> "$WORK/sse_floor.log" &
  pids+=($!)
  for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$FLOOR_PORT/fire/warm" && break; sleep 0.1; done
  "$FANOUT" "$FLOOR_PORT" "$SESSION" "$SUBSCRIBERS" trigger $SEATS | sed 's/^sse_fanout/sse_floor/'
fi
