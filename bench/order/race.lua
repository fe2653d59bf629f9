-- (a) race: every connection tries every seat of a 16-seat session, again and again.
-- Exactly 16 holds may succeed (201); everything else must be 409, never 5xx.
package.path = os.getenv("BENCH_DIR") .. "/?.lua;" .. package.path
local common = require("common")
local tokens, event
won, lost, failed, other = 0, 0, 0, 0
local n = 0

setup = common.setup

function init(args)
  local dir = os.getenv("BENCH_WORK")
  tokens = common.read_tokens(dir .. "/tokens.txt")
  event = common.read_event(dir .. "/" .. (os.getenv("BENCH_EVENT") or "race") .. ".json")
  n = id * 7919
end

function request()
  n = n + 1
  local seat = event.seats[(n % #event.seats) + 1]
  local token = tokens[(n % #tokens) + 1]
  return wrk.format("POST", "/api/order", {["Authorization"] = "Bearer " .. token,
                                           ["Content-Type"] = "application/json"}, common.hold_body(event, seat))
end

function response(status, headers, body)
  if status == 201 then won = won + 1
  elseif status == 409 then lost = lost + 1
  elseif status >= 500 then
    failed = failed + 1
    if failed == 1 then io.stderr:write("first " .. status .. ": " .. body .. "\n") end
  else other = other + 1 end
end

function done(summary, latency, requests)
  common.done({"won", "lost", "failed", "other"})
end
