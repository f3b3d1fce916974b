-- bench/attendance.mjs's mixed load, the same for every side: of every 10 requests, 8 search one
-- of the 100 seeded ids, 1 lists search/all, 1 creates a record with an id never used before.
math.randomseed(os.time() + math.floor(os.clock() * 1e6))
local prefix = string.format("b%d", math.random(1, 1e9))
local n = 0
local json = { ["Content-Type"] = "application/json" }

request = function()
  n = n + 1
  local k = n % 10
  if k == 0 then
    local body = string.format('{"id":"%s-%d","name":"Bench","status":"present","date":"2026-12-01"}', prefix, n)
    return wrk.format("POST", "/api/v1/attendance/create", json, body)
  elseif k == 5 then
    return wrk.format("GET", "/api/v1/attendance/search/all")
  end
  return wrk.format("GET", string.format("/api/v1/attendance/search?id=seed-%03d", n % 100))
end
