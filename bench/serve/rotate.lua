-- wrk script: rotates over the request paths listed (one per line) in the file named by WRK_PATHS, sends the
-- Authorization header named by WRK_AUTHORIZATION when set, and prints requests and bytes per second at the end.
local paths = {}
local index = 0
local headers = {}

local file = io.open(os.getenv("WRK_PATHS"), "r")
for line in file:lines() do
  if #line > 0 then paths[#paths + 1] = line end
end
file:close()
local authorization = os.getenv("WRK_AUTHORIZATION")
if authorization and #authorization > 0 then headers["Authorization"] = authorization end

request = function()
  index = index % #paths + 1
  return wrk.format("GET", paths[index], headers)
end

done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  io.write(string.format("RESULT requests_per_second=%.1f bytes_per_second=%.0f errors=%d non2xx=%d requests=%d\n",
    summary.requests / seconds, summary.bytes / seconds,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, summary.requests))
end
