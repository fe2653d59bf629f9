#!/usr/bin/env bash
# bench/order: the flash-sale hot path of the order service under wrk, with /health in
# the same run as the reference point (docs/BENCHMARKS.md "Order").
#
#   bench/order/run.sh                       # every scenario, 15 s each
#   DURATION=10s USERS=200 bench/order/run.sh
#   SCENARIOS="race booking" KEEP_WORK=1 bench/order/run.sh   # a subset; keep logs
#   SERVER_PRELOAD=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4 bench/order/run.sh
#                                            # the server with another allocator (LD_PRELOAD)
#   TICKETLY_PG_EXTRA="enable_seqscan = off" bench/order/run.sh   # PostgreSQL settings
#                                            # (scripts/pg.sh appends them to postgresql.conf)
#   BENCH_BIN=/tmp/a/ticketly SCENARIOS=booking bench/order/run.sh   # a given binary, unbuilt
#   FLOOR=0 bench/order/run.sh               # without nginx's /health (below)
#
# Scenarios (see the .lua files):
#   (a) race    1,000 connections, a 16-seat session, every connection tries every seat:
#               exactly 16 holds succeed, every other answer is 409.
#   (a') race_warm  the same race on another 16-seat session with warm connections: each
#               first verifies its token with one GET, then all send their holds at once.
#   (b) stress  2,000 connections picking random seats out of 16 and out of 10,000.
#   (c) booking sustained distinct bookings: hold a free seat, pay it with the development
#               provider (signed webhook -> completed order with ticket) -> bookings/s.
# The server runs as deployed, access log on: latency_split.py reads it to give winners'
# and losers' latencies apart (wrk has one distribution for all answers); ACCESS_LOG=false
# turns it off. After each scenario /health is measured with the same connections, on this
# server and (FLOOR=1, the default) on nginx returning a fixed 200 (bench/http/nginx.conf.in):
# the latency floor of this machine at that many connections. Users and tokens come from the development identity provider; the catalog is fed on the
# bus exactly as event-command publishes it (seed.py).
source "$(dirname "$0")/../../scripts/lib.sh"

DURATION="${DURATION:-15s}"
THREADS="${THREADS:-2}"
USERS="${USERS:-400}"
PORT="${TICKETLY_BENCH_PORT:-18098}"
OUT_DIR="$TICKETLY_ROOT/bench/results"
WORK="$(mktemp -d /tmp/ticketly-bench-order.XXXXXX)"
export BENCH_DIR="$TICKETLY_ROOT/bench/order" BENCH_WORK="$WORK" BENCH_THREADS="$THREADS"
mkdir -p "$OUT_DIR"

# BENCH_BIN=/path/to/ticketly runs that binary as it is (nothing is built): an A/B of two
# builds, alternating runs, since the host's speed drifts between minutes.
if [ -n "${BENCH_BIN:-}" ]; then
  BIN="$BENCH_BIN"
else
  "$TICKETLY_ROOT/scripts/build.sh" Release ticketly
  BIN="${TICKETLY_BUILD_DIR:-$TICKETLY_ROOT/build}/ticketly"
fi

# Below Linux's ephemeral ports (32768-60999): wrk's tens of thousands of connections leave
# TIME_WAIT sockets on ports there, and one on the cluster's port stops it from starting.
# PG_STATS=1: pg_stat_statements on; the statements that cost the server most in each
# scenario are written to the work directory (statements-<scenario>.txt; KEEP_WORK=1).
export TICKETLY_PG_STATS="${PG_STATS:-0}"
export TICKETLY_PG_NAME="${TICKETLY_PG_NAME:-bench-order}" TICKETLY_PG_PORT="${TICKETLY_BENCH_PG_PORT:-25444}"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  "$TICKETLY_ROOT/scripts/pg.sh" destroy >/dev/null 2>&1 || true
  if [ "${KEEP_WORK:-0}" = "1" ]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
"$TICKETLY_ROOT/scripts/pg.sh" start
FLOOR="${FLOOR:-1}"
NGINX_PORT="${NGINX_PORT:-18099}"
if [ "$FLOOR" = "1" ]; then
  mkdir -p "$WORK"/nginx/{body,proxy,fastcgi,uwsgi,scgi}
  sed -e "s#@DIR@#$WORK/nginx#g" -e "s#@PORT@#$NGINX_PORT#g" "$TICKETLY_ROOT/bench/http/nginx.conf.in" > "$WORK/nginx/nginx.conf"
  if [ "$(id -u)" -eq 0 ]; then sed -i "1i user root;" "$WORK/nginx/nginx.conf"; fi
  sed -i "s/worker_connections 4096;/worker_connections 8192;/" "$WORK/nginx/nginx.conf"
  nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" &
  pids+=($!)
fi
PG_URL="$("$TICKETLY_ROOT/scripts/pg.sh" url)"

export TICKETLY_IDP_SECRET_EVENT_COMMAND_SERVICE="bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
# Bench users hold many seats each; a hold outlives the run.
TICKETLY_PG_URL="$PG_URL" TICKETLY_PORT="$PORT" TICKETLY_DB_PREFIX=bench_order TICKETLY_BIND=127.0.0.1 \
  TICKETLY_PUBLIC_URL="http://127.0.0.1:$PORT" \
  TICKETLY_WORKERS="${WORKERS:-0}" TICKETLY_ACCESS_LOG="${ACCESS_LOG:-true}" TICKETLY_DATA_DIR="$WORK/data" \
  TICKETLY_ORDER_MAX_PENDING=1000 TICKETLY_HOLD_DURATION=1h TICKETLY_DB_POOL_SIZE="${POOL_SIZE:-16}" \
  LD_PRELOAD="${SERVER_PRELOAD:-}" "$BIN" serve > "$WORK/ticketly.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 300); do curl -fsS "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fsS "http://127.0.0.1:$PORT/health" >/dev/null || { tail -n 30 "$WORK/ticketly.log" >&2; die "server did not start"; }

log "seeding $USERS users and the bench events"
python3 "$BENCH_DIR/seed.py" "http://127.0.0.1:$PORT" "$PG_URL/bench_order_bus" "$PG_URL/bench_order_order" "$WORK" "$USERS"

statements() {  # name: what PostgreSQL spent the scenario on (PG_STATS=1)
  [ "$TICKETLY_PG_STATS" = "1" ] || return 0
  psql -X "$PG_URL/bench_order_order" -c "SELECT d.datname, s.calls, round(s.total_exec_time) AS total_ms,
      round((s.total_exec_time / s.calls)::numeric, 3) AS mean_ms, s.toplevel, left(regexp_replace(s.query, '\s+', ' ', 'g'), 110) AS query
    FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid ORDER BY s.total_exec_time DESC LIMIT 40" \
    -c "SELECT pg_stat_statements_reset()" > "$WORK/statements-$1.txt"
  local db  # rows written per table: how many updates were HOT (no index writes)
  for db in order bus event_query event_command; do
    psql -X "$PG_URL/bench_order_$db" -c "SELECT current_database() AS db, relname, n_tup_ins AS ins,
        n_tup_upd AS upd, n_tup_hot_upd AS hot, n_tup_del AS del, seq_scan, seq_tup_read, idx_scan, n_dead_tup AS dead
      FROM pg_stat_user_tables WHERE n_tup_ins + n_tup_upd + n_tup_del + seq_scan > 0 ORDER BY relname" \
      -c "SELECT pg_stat_reset()" >> "$WORK/statements-$1.txt"
  done
  # WAL written in the scenario (full-page images: the first change of a page after a checkpoint).
  psql -X "$PG_URL/bench_order_order" -c "SELECT wal_records, wal_fpi, pg_size_pretty(wal_bytes) AS wal_bytes,
      (SELECT checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter) AS checkpoints_since_start FROM pg_stat_wal" \
    -c "SELECT pg_stat_reset_shared('wal')" >> "$WORK/statements-$1.txt"
  log "statements: $WORK/statements-$1.txt"
}
# The whole machine's busy CPU time (USER_HZ ticks): the host's speed varies from minute to
# minute, CPU time per booking much less, so it is the figure to compare changes by.
cpu_busy() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8}' /proc/stat; }
# The server's own count of answers (/metrics: http_requests_total by route, method, status).
# race.lua and stress.lua leave the counting to it: a Lua response() makes wrk parse every
# answer, and wrk shares the two cores with the server.
answers() { curl -fsS "http://127.0.0.1:$PORT/metrics" | grep '^http_requests_total{' > "$1"; }
count_answers() {  # before after -> COUNT lines: holds won (201), lost (409), other; 5xx on any route
  awk 'NR == FNR {before[$1] = $2; next}
       { d = $2 - before[$1]; match($1, /status="[0-9]+"/); status = substr($1, RSTART + 8, 3)
         if (status >= 500) failed += d
         else if ($1 ~ /route="\/api\/order"/ && $1 ~ /method="POST"/) {
           if (status == 201) won += d; else if (status == 409) lost += d; else other += d } }
       END { printf "COUNT won %d\nCOUNT lost %d\nCOUNT failed %d\nCOUNT other %d\n", won, lost, failed, other }' "$1" "$2"
}
run() {  # name connections script [event]
  log "wrk $1: -t$THREADS -c$2 -d$DURATION $3"
  local from=$(($(wc -l < "$WORK/ticketly.log") + 1))
  local busy_before; busy_before=$(cpu_busy)
  answers "$WORK/$1-answers-before"
  nstat -n 2>/dev/null || true
  BENCH_EVENT="${4:-race}" BENCH_CONNECTIONS_PER_THREAD=$(($2 / THREADS)) wrk -t"$THREADS" -c"$2" -d"$DURATION" --timeout 10s --latency -s "$BENCH_DIR/$3" \
    "http://127.0.0.1:$PORT" > "$WORK/$1.txt" 2>&1
  echo "CPU busy_ticks $(($(cpu_busy) - busy_before))" >> "$WORK/$1.txt"
  # The kernel's TCP trouble in the scenario (a retransmission costs at least 200 ms).
  { nstat 2>/dev/null || true; } | awk '$1 ~ /RetransSegs|ListenOverflows|ListenDrops|TCPTimeouts|TCPSynRetrans|TCPAbortOnData/ {print "TCP", $1, $2}' >> "$WORK/$1.txt"
  if ! grep -q '^COUNT ' "$WORK/$1.txt"; then  # the script left the counting to the server
    sleep 1  # answers to requests wrk abandoned at the end are still being written
    answers "$WORK/$1-answers-after"
    count_answers "$WORK/$1-answers-before" "$WORK/$1-answers-after" >> "$WORK/$1.txt"
  fi
  sleep 1  # the access log is written asynchronously
  tail -n +"$from" "$WORK/ticketly.log" | python3 "$BENCH_DIR/latency_split.py" "$1" > "$WORK/$1-split.txt"
  statements "$1"
  busy_before=$(cpu_busy)
  wrk -t"$THREADS" -c"$2" -d"$DURATION" --latency "http://127.0.0.1:$PORT/health" > "$WORK/$1-health.txt" 2>&1
  echo "CPU busy_ticks $(($(cpu_busy) - busy_before))" >> "$WORK/$1-health.txt"
  if [ "$FLOOR" = "1" ]; then
    wrk -t"$THREADS" -c"$2" -d"$DURATION" --latency "http://127.0.0.1:$NGINX_PORT/health" > "$WORK/$1-nginx.txt" 2>&1
  fi
  cat "$WORK/$1.txt" >&2
}
if [ "$TICKETLY_PG_STATS" = "1" ]; then
  # The view shows every database of the cluster; the extension lives in the order one.
  psql -X -q "$PG_URL/bench_order_order" -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" \
    -c "SELECT pg_stat_statements_reset()" >/dev/null
  for db in order bus event_query event_command; do psql -X -q "$PG_URL/bench_order_$db" -c "SELECT pg_stat_reset()" >/dev/null; done
  psql -X -q "$PG_URL/bench_order_order" -c "SELECT pg_stat_reset_shared('wal')" >/dev/null
fi
SCENARIOS="${SCENARIOS:-race race_warm stress16 stress10k booking}"
for s in $SCENARIOS; do
  case "$s" in
    race) run race 1000 race.lua race ;;
    race_warm) run race_warm 1000 race_warm.lua race_warm ;;
    stress16) run stress16 2000 stress.lua race ;;
    stress10k) run stress10k 2000 stress.lua stress ;;
    booking) run booking 256 booking.lua ;;
  esac
done

rps() { awk '/^Requests\/sec/ {print $2}' "$WORK/$1.txt"; }
ticks() { awk '$1 == "CPU" {print $3}' "$WORK/$1.txt"; }  # busy CPU ticks of the run
done_requests() { awk '/requests in/ {print $1}' "$WORK/$1.txt"; }
pct() { awk -v p="$2" '$1 == p {print $2}' "$WORK/$1.txt"; }
count() { awk -v n="$2" '$1 == "COUNT" && $2 == n {print $3}' "$WORK/$1.txt"; }
secs() { echo "$DURATION" | sed 's/s$//'; }
row() {  # name label
  echo "| $2 | $(rps "$1") | $(pct "$1" 50%) | $(pct "$1" 90%) | $(pct "$1" 99%) | $(count "$1" won)$(count "$1" held) / $(count "$1" lost)$(count "$1" booked) | $(count "$1" failed) | $(rps "$1-health") | $(pct "$1-health" 99%) | $(rps "$1-nginx") | $(pct "$1-nginx" 99%) |"
}
report="$OUT_DIR/order-$(date -u +%Y%m%dT%H%M%SZ).md"
{
  echo "### bench/order — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, wrk -t$THREADS -d$DURATION, $USERS users"
  echo
  echo "| scenario | requests/s | p50 | p90 | p99 | won·held / lost·booked | 5xx | /health req/s (same run) | /health p99 | nginx /health req/s | nginx /health p99 |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
  [ -f "$WORK/race.txt" ] && row race "(a) race: 1,000 conns, 16 seats"
  [ -f "$WORK/race_warm.txt" ] && row race_warm "(a') race, warm connections: 1,000 conns, 16 seats"
  [ -f "$WORK/stress16.txt" ] && row stress16 "(b) stress: 2,000 conns, random of 16"
  [ -f "$WORK/stress10k.txt" ] && row stress10k "(b) stress: 2,000 conns, random of 10,000"
  [ -f "$WORK/booking.txt" ] && row booking "(c) hold + dev payment, 256 conns"
  echo
  echo "Server-side latency by answer (access log, request read → response written; ACCESS_LOG=true):"
  echo
  echo "| scenario | answer | count | p50 | p95 | p99 |"
  echo "|---|---|---|---|---|---|"
  for s in race race_warm stress16 stress10k booking; do [ -f "$WORK/$s-split.txt" ] && cat "$WORK/$s-split.txt"; done
  echo
  [ -f "$WORK/booking.txt" ] || exit 0
  echo "bookings/s (c): $(awk -v b="$(count booking booked)" -v d="$(secs)" 'BEGIN {printf "%.0f", b / d}')"
  echo "CPU per booking (c), whole machine incl. wrk: $(awk -v b="$(count booking booked)" \
    -v t="$(ticks booking)" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.3f ms", t * 1000 / hz / b}')"
  # The same in units of a /health request's machine CPU, wrk included, on the same host
  # minute: what a booking costs next to the cheapest request.
  echo "CPU per booking (c) in /health requests' CPU (same run): $(awk -v b="$(count booking booked)" \
    -v t="$(ticks booking)" -v h="$(done_requests booking-health)" -v ht="$(ticks booking-health)" \
    'BEGIN {printf "%.1f", (t / b) / (ht / h)}')"
} | tee "$report"
