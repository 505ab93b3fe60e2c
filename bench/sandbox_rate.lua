-- wrk script: walk a list of estate paths on one origin, keep-alive, Host header kept.
-- usage: wrk -t1 -c32 -d10s -s bench/sandbox_rate.lua http://127.0.0.1:PORT  (PATHS_FILE, HOST env)
local paths = {}
local host = os.getenv("HOST") or "www.mi.com"
for line in io.lines(os.getenv("PATHS_FILE")) do paths[#paths + 1] = line end
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i], { ["Host"] = host })
end
