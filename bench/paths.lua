-- wrk script for bench/catalog.py: GET each path of a pre-generated list in turn.
--
-- Usage: wrk -t1 -c16 -d10s -s bench/paths.lua http://host:port -- /tmp/paths.txt
-- The list (one path with its query string per line) is built by bench/catalog.py from a
-- sample of the catalog, so wrk replays the same requests the Python generator would send.
-- At the end one line `WRK_JSON {...}` gives requests, non-2xx responses, socket errors,
-- duration and latency percentiles (microseconds) for bench/catalog.py to parse.

local threads = {}

function setup(thread)
   thread:set("offset", #threads)
   table.insert(threads, thread)
end

function init(args)
   paths = {}
   for line in io.lines(args[1]) do
      if #line > 0 then
         paths[#paths + 1] = line
      end
   end
   if #paths == 0 then
      error("no paths in " .. args[1])
   end
   -- Threads start at different places in the list, so they do not send the same requests.
   index = (offset or 0) * 7919 % #paths
   non2xx = 0
end

function request()
   index = index % #paths + 1
   return wrk.format("GET", paths[index])
end

function response(status, headers, body)
   if status < 200 or status > 299 then
      non2xx = non2xx + 1
   end
end

function done(summary, latency, requests)
   local bad = 0
   for _, thread in ipairs(threads) do
      bad = bad + (tonumber(thread:get("non2xx")) or 0)
   end
   local e = summary.errors
   io.write(string.format(
      'WRK_JSON {"requests": %d, "non2xx": %d, "socket_errors": %d, "duration_us": %d, '
         .. '"p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d}\n',
      summary.requests, bad, e.connect + e.read + e.write + e.timeout, summary.duration,
      latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max
   ))
end
