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
  next_request = common.race_ring(event, tokens, id)
end

-- Defined here, not in init(): wrk decides from the script as loaded whether it has one.
function request() return next_request() end
