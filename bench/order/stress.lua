-- (b) stress: random seats of the session named by BENCH_EVENT (race: 16 seats, stress: 10,000).
-- Holds succeed while seats are free; everything else must be 409, never 5xx.
-- The answers are counted by the server (/metrics, read by run.sh): a response() here would
-- make wrk parse every answer into Lua, and wrk shares the two cores with the server.
package.path = os.getenv("BENCH_DIR") .. "/?.lua;" .. package.path
local common = require("common")
local next_request

setup = common.setup  -- gives each thread its id

function init(args)
  local dir = os.getenv("BENCH_WORK")
  local tokens = common.read_tokens(dir .. "/tokens.txt")
  local event = common.read_event(dir .. "/" .. (os.getenv("BENCH_EVENT") or "race") .. ".json")
  math.randomseed(os.time() + id)
  -- Random picks, formatted up front: every seat once (so every seat is asked for and the
  -- session can sell out), then as many random ones again, shuffled together; at least
  -- 4,096 picks, so that the 16-seat session's sequence does not repeat quickly.
  local picks = {}
  for i = 1, #event.seats do picks[#picks + 1] = event.seats[i] end
  while #picks < math.max(2 * #event.seats, 4096) do picks[#picks + 1] = event.seats[math.random(#event.seats)] end
  for i = #picks, 2, -1 do
    local j = math.random(i)
    picks[i], picks[j] = picks[j], picks[i]
  end
  local requests = {}
  for i, seat in ipairs(picks) do requests[i] = common.hold_request(event, seat, tokens[math.random(#tokens)]) end
  next_request = common.ring(requests)
end

-- Defined here, not in init(): wrk decides from the script as loaded whether it has one.
function request() return next_request() end
