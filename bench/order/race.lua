-- (a) race: every connection tries every seat of a 16-seat session, again and again.
-- Exactly 16 holds may succeed (201); everything else must be 409, never 5xx.
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
  -- Seat k of every round of 16, each time with another user: every connection of the
  -- thread takes the next request, so all of them go through all the seats.
  local requests = {}
  for n = 0, #event.seats * #tokens - 1 do
    local seat = event.seats[(n % #event.seats) + 1]
    local token = tokens[((n + id * 7919) % #tokens) + 1]
    requests[#requests + 1] = common.hold_request(event, seat, token)
  end
  next_request = common.ring(requests)
end

-- Defined here, not in init(): wrk decides from the script as loaded whether it has one.
function request() return next_request() end
