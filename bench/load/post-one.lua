-- wrk: one event per POST, each with a different idempotency id so every one is stored.
local counter = 0
request = function()
  counter = counter + 1
  local body = string.format('{"dashboard":"costs","section":"spend","action":"spend","id":"wrk-%d-%d","content":{"usd":1.25,"model":"haiku","tokens":1200}}', math.random(1, 1e9), counter)
  return wrk.format("POST", "/api/events", { ["Content-Type"] = "application/json" }, body)
end
