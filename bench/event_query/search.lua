-- wrk: rotates over a few realistic searches (each one cached after its first answer).
local queries = {
  "/api/event-query/v1/events/search?searchTerm=jazz",
  "/api/event-query/v1/events/search?searchTerm=symphony%20night&size=12",
  "/api/event-query/v1/events/search?latitude=6.93&longitude=79.86&radiusKm=25",
  "/api/event-query/v1/events/search?priceMin=1000&priceMax=6000&sort=price,asc",
  "/api/event-query/v1/events/search?dateFrom=2026-12-01&dateTo=2027-01-31",
  "/api/event-query/v1/events/search?searchTerm=festival&latitude=7.29&longitude=80.63&radiusKm=50&priceMax=8000",
}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", queries[(i % #queries) + 1])
end
