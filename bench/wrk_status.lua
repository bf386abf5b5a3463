-- wrk_status.lua - count wrk's responses by HTTP status (scripts/soak, docs/bench-soak.md).
-- wrk only reports "Non-2xx or 3xx responses"; a load run must tell the rate limit's 429s
-- from real errors, so each thread counts statuses and done() prints them all:
--   statuses: 200=1234 429=56
--   socket errors: connect=0 read=0 write=0 timeout=0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  counts = {}
end

function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("counts")) do
      total[k] = (total[k] or 0) + v
    end
  end
  local keys = {}
  for k in pairs(total) do
    table.insert(keys, k)
  end
  table.sort(keys)
  io.write("statuses:")
  for _, k in ipairs(keys) do
    io.write(string.format(" %d=%d", k, total[k]))
  end
  local e = summary.errors
  io.write(string.format("\nsocket errors: connect=%d read=%d write=%d timeout=%d\n", e.connect,
    e.read, e.write, e.timeout))
end
