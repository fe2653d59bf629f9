-- Shared by the order scenarios: reads the seeded tokens and event (bench/order/seed.py) and
-- formats requests up front. booking.lua counts its answers per thread and prints them at the
-- end for run.sh to sum; race.lua and stress.lua leave the counting to the server's /metrics.
local M = {}

function M.read_lines(path)
  local out = {}
  for line in io.lines(path) do
    if #line > 0 then out[#out + 1] = line end
  end
  return out
end

-- The seeded event file is one JSON object; the seat list is all we need to parse by hand.
function M.read_event(path)
  local f = assert(io.open(path))
  local text = f:read("*a")
  f:close()
  local e = {seats = {}}
  e.id = text:match('"id": "([%x%-]+)"')
  e.session_id = text:match('"session_id": "([%x%-]+)"')
  e.organization_id = text:match('"organization_id": "([%x%-]+)"')
  local seats = text:match('"seats": %[(.-)%]')
  for s in seats:gmatch('"([%x%-]+)"') do e.seats[#e.seats + 1] = s end
  return e
end

-- tokens.txt: "<user id> <token>" a line -> list of tokens and user id -> token.
function M.read_tokens(path)
  local list, by_user = {}, {}
  for _, line in ipairs(M.read_lines(path)) do
    local user, token = line:match("^(%S+) (%S+)$")
    list[#list + 1] = token
    by_user[user] = token
  end
  return list, by_user
end

function M.hold_body(e, seat)
  return string.format('{"event_id":"%s","session_id":"%s","organization_id":"%s","seat_ids":["%s"],"discount_id":""}',
                       e.id, e.session_id, e.organization_id, seat)
end

-- The hold request for (seat, token). race.lua and stress.lua format theirs once, up front,
-- so that request() only picks a string: wrk runs on the same two cores as the server.
function M.hold_request(e, seat, token)
  return wrk.format("POST", "/api/order", {["Authorization"] = "Bearer " .. token,
                                           ["Content-Type"] = "application/json"}, M.hold_body(e, seat))
end

-- The race's holds for thread `thread_id`: seat k of every round of the event's seats, each
-- time with another user, as a ring: every connection of the thread takes the next
-- request, so all of them go through all the seats.
function M.race_ring(e, tokens, thread_id)
  local requests = {}
  for n = 0, #e.seats * #tokens - 1 do
    local seat = e.seats[(n % #e.seats) + 1]
    local token = tokens[((n + thread_id * 7919) % #tokens) + 1]
    requests[#requests + 1] = M.hold_request(e, seat, token)
  end
  return M.ring(requests)
end

-- A thread's requests as a ring: request() returns the next one, round and round.
function M.ring(requests)
  local i, n = 0, #requests
  return function()
    i = i + 1
    if i > n then i = 1 end
    return requests[i]
  end
end

-- wrk's threads each run their own Lua state: every thread keeps counters and dumps them
-- in done() through the thread objects collected in setup().
M.threads = {}
function M.setup(thread)
  thread:set("id", #M.threads)
  M.threads[#M.threads + 1] = thread
end

function M.done(names)
  local totals = {}
  for _, t in ipairs(M.threads) do
    for _, n in ipairs(names) do totals[n] = (totals[n] or 0) + (t:get(n) or 0) end
  end
  for _, n in ipairs(names) do io.write(string.format("COUNT %s %d\n", n, totals[n])) end
end

return M
