-- wrk: 1,000 events per POST as NDJSON (about 150 bytes each).
local lines = {}
for i = 1, 1000 do
  lines[i] = string.format('{"dashboard":"costs","section":"spend","action":"spend","content":{"usd":%d.5,"model":"haiku","tokens":%d}}', i % 13, i * 7)
end
wrk.method = "POST"
wrk.body = table.concat(lines, "\n") .. "\n"
wrk.headers["Content-Type"] = "application/x-ndjson"
