-- wrk script for bench/scale: GETs the narinfo request paths listed one per line in $WRK_PATHS, round robin,
-- and prints one RESULT line with requests/second, non-2xx answers and latency percentiles (milliseconds).
local paths = {}
local index = 0
for line in io.lines(os.getenv("WRK_PATHS")) do
  if #line > 0 then paths[#paths + 1] = line end
end

request = function()
  index = index % #paths + 1
  return wrk.format("GET", paths[index])
end

done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT narinfo rps=%.0f p50_ms=%.2f p99_ms=%.2f errors=%d non2xx=%d\n",
    summary.requests / seconds, latency:percentile(50) / 1000, latency:percentile(99) / 1000, errors, summary.errors.status))
end
