-- (a') race with warm connections: the race of race.lua as a sale that opens while its
-- buyers are already on the page. Every connection first makes one authenticated request
-- (its user's order list: the connection is open and the token verified, as a browser's
-- would be after loading the event), then all connections send their first hold at the
-- same instant, T0 (a whole second of the wall clock, the same for both wrk threads), and
-- race on as in race.lua: exactly 16 holds may succeed, everything else must be 409.
--
-- race.lua measures the cold start instead: 1,000 TCP connects and 400 first-time token
-- verifications arrive together with the first holds, and the winners wait for that storm
-- (docs/BENCHMARKS.md, 2026-11-28 00:45Z). The two scenarios together tell the hold path
-- from the start-up storm.
package.path = os.getenv("BENCH_DIR") .. "/?.lua;" .. package.path
local common = require("common")
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clock, bench_timespec *ts);
]]
local CLOCK_REALTIME = 0
local function now_ms()
  local ts = ffi.new("bench_timespec")
  ffi.C.clock_gettime(CLOCK_REALTIME, ts)
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local warm_ups, next_hold
local connections, delays, sent = 0, 0, 0
local t0 = 0

setup = common.setup  -- gives each thread its id

function init(args)
  local dir = os.getenv("BENCH_WORK")
  local tokens, by_user = common.read_tokens(dir .. "/tokens.txt")
  local event = common.read_event(dir .. "/" .. (os.getenv("BENCH_EVENT") or "race_warm") .. ".json")
  connections = tonumber(os.getenv("BENCH_CONNECTIONS_PER_THREAD") or "500")
  -- Every user's token is verified once on each thread's connections before T0.
  warm_ups = {}
  for user, token in pairs(by_user) do
    warm_ups[#warm_ups + 1] = wrk.format("GET", "/api/order/user/" .. user, {["Authorization"] = "Bearer " .. token})
  end
  next_hold = common.race_ring(event, tokens, id)
  -- Connecting and warming 1,000 connections takes well under a second on two cores.
  local warm_ms = tonumber(os.getenv("BENCH_WARM_MS") or "2000")
  t0 = math.ceil((now_ms() + warm_ms) / 1000) * 1000
end

-- Called before each request (wrk keeps the delay out of the latency it records): a
-- connection's first request goes at once, every later one waits for T0 if it is early.
function delay()
  delays = delays + 1
  if delays <= connections then return 0 end
  return math.max(0, math.ceil(t0 - now_ms()))
end

-- Before T0 only warm-ups go out, whatever the order wrk calls delay() and request() in.
function request()
  if now_ms() < t0 then
    sent = sent + 1
    return warm_ups[((sent - 1) % #warm_ups) + 1]
  end
  return next_hold()
end
