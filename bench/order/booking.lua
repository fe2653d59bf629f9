-- (c) sustained distinct bookings: hold a seat nobody else asks for, then pay it with the
-- development provider (POST /api/order/{id}/dev/payment delivers a signed webhook that
-- completes the order and issues the ticket). A booking counts once its payment is 200.
package.path = os.getenv("BENCH_DIR") .. "/?.lua;" .. package.path
local common = require("common")
local tokens, by_user, event
local to_pay = {}  -- {order_id, token}
local next_seat, last_seat = 0, 0
held, booked, failed, other = 0, 0, 0, 0

setup = common.setup

function init(args)
  local dir = os.getenv("BENCH_WORK")
  tokens, by_user = common.read_tokens(dir .. "/tokens.txt")
  event = common.read_event(dir .. "/booking.json")
  local threads = tonumber(os.getenv("BENCH_THREADS") or "2")
  local share = math.floor(#event.seats / threads)
  next_seat, last_seat = id * share, (id + 1) * share  -- each thread its own seats
end

function request()
  local job = table.remove(to_pay)
  if job then
    return wrk.format("POST", "/api/order/" .. job[1] .. "/dev/payment",
                      {["Authorization"] = "Bearer " .. job[2], ["Content-Type"] = "application/json"},
                      '{"outcome":"succeeded"}')
  end
  next_seat = next_seat + 1
  if next_seat > last_seat then next_seat = last_seat end
  local token = tokens[(next_seat % #tokens) + 1]
  return common.hold_request(event, event.seats[next_seat], token)
end

function response(status, headers, body)
  if status == 201 then
    held = held + 1
    local order_id = body:match('"order_id":"([%x%-]+)"')
    local user = body:match('"user_id":"([%x%-]+)"')
    to_pay[#to_pay + 1] = {order_id, by_user[user]}  -- the buyer pays
  elseif status == 200 then
    if body:find('"Status":"completed"', 1, true) then booked = booked + 1 else other = other + 1 end
  elseif status >= 500 then
    failed = failed + 1
    if failed == 1 then io.stderr:write("first " .. status .. ": " .. body .. "\n") end
  else
    other = other + 1
    if other == 1 then io.stderr:write("first unexpected " .. status .. ": " .. body .. "\n") end
  end
end

function done(summary, latency, requests)
  common.done({"held", "booked", "failed", "other"})
end
