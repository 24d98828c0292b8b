-- wrk script: replays the cookie mix written by `web-load gen-cookies`, one case per request in
-- turn, checks every answer, and prints one machine-readable RESULT line (run.sh parses it).
--
--   wrk -t2 -c2 -d20s -s mix.lua http://127.0.0.1:PORT/ -- mix.tsv layer|bare
--
-- "layer": the route behind BeakerSessionLayer; an accepted cookie (valid, rotated key, legacy)
-- must answer "visits 42" and every other case "visits 1" (a fresh session), each with a
-- Set-Cookie. "bare": the same handler without the layer, always "visits 1", no Set-Cookie.
-- Needs exactly one connection per thread (-c equal to -t): a response is matched to the last
-- request its thread sent.

local cases = {}
local next_case = 1
local last = nil
local layer = false

-- Per-thread tallies, read back by done() through thread:get().
statuses = {}      -- status code -> count
kind_n = {}        -- case kind -> requests (flat tables: wrk's thread:get copies no nested ones)
kind_bad = {}      -- case kind -> wrong answers
bad_body = 0       -- body differs from the expected count
bad_cookie = 0     -- Set-Cookie present where it must not be, or missing where it must

local threads = {}

function setup(thread)
   thread:set("id", #threads)
   table.insert(threads, thread)
end

function init(args)
   local path = args[1]
   layer = args[2] == "layer"
   for line in io.lines(path) do
      local kind, visits, header = line:match("^([^\t]*)\t([^\t]*)\t(.*)$")
      if kind then
         local headers = {}
         if header ~= "" then headers["Cookie"] = header end
         table.insert(cases, {
            kind = kind,
            req = wrk.format("GET", "/", headers),
            body = "visits " .. (layer and visits or "1"),
         })
         kind_n[kind], kind_bad[kind] = 0, 0
      end
   end
   if #cases == 0 then error("no cases in " .. tostring(path)) end
   -- Threads start at different cases, so the mix is spread over both connections.
   next_case = (id or 0) % #cases + 1
end

function request()
   last = cases[next_case]
   next_case = next_case % #cases + 1
   return last.req
end

function response(status, headers, body)
   statuses[status] = (statuses[status] or 0) + 1
   local kind = last.kind
   kind_n[kind] = kind_n[kind] + 1
   local wrong = false
   if status == 200 and body ~= last.body then
      bad_body = bad_body + 1
      wrong = true
   end
   local has_cookie = headers["set-cookie"] ~= nil or headers["Set-Cookie"] ~= nil
   if status == 200 and has_cookie ~= layer then
      bad_cookie = bad_cookie + 1
      wrong = true
   end
   if status ~= 200 then wrong = true end
   if wrong then kind_bad[kind] = kind_bad[kind] + 1 end
end

function done(summary, latency, requests)
   local st, kn, kb = {}, {}, {}
   local bb, bc = 0, 0
   for _, t in ipairs(threads) do
      for code, n in pairs(t:get("statuses")) do st[code] = (st[code] or 0) + n end
      for kind, n in pairs(t:get("kind_n")) do kn[kind] = (kn[kind] or 0) + n end
      for kind, n in pairs(t:get("kind_bad")) do kb[kind] = (kb[kind] or 0) + n end
      bb = bb + t:get("bad_body")
      bc = bc + t:get("bad_cookie")
   end
   local c2, c4, c5, other = 0, 0, 0, 0
   for code, n in pairs(st) do
      if code >= 200 and code < 300 then c2 = c2 + n
      elseif code >= 400 and code < 500 then c4 = c4 + n
      elseif code >= 500 then c5 = c5 + n
      else other = other + n end
   end
   local e = summary.errors
   local secs = summary.duration / 1e6
   io.write(string.format(
      "RESULT requests=%d seconds=%.2f rps=%.0f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f"
         .. " s2xx=%d s4xx=%d s5xx=%d sother=%d sock_errors=%d bad_body=%d bad_cookie=%d\n",
      summary.requests, secs, summary.requests / secs,
      latency:percentile(50) / 1000, latency:percentile(90) / 1000,
      latency:percentile(99) / 1000, latency.max / 1000,
      c2, c4, c5, other, e.connect + e.read + e.write + e.timeout, bb, bc))
   local names = {}
   for kind in pairs(kn) do table.insert(names, kind) end
   table.sort(names)
   for _, kind in ipairs(names) do
      io.write(string.format("KIND %-20s requests=%d wrong=%d\n", kind, kn[kind], kb[kind]))
   end
end
