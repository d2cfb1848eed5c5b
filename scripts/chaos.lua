-- wrk script for scripts/chaos.sh: spreads GETs over the site's feeds and
-- counts answers by status in every thread, then prints the totals in a
-- form the shell script reads ("status CODE COUNT").
local paths = {
  "/feed.rss", "/feed.atom", "/feed.json", "/feed",
  "/categories/chaos-a/feed.rss", "/categories/chaos-b/feed.atom",
  "/tags/load/feed.json", "/authors/chaos-writer/feed.rss",
  "/feed.rss?limit=5", "/feed.json?limit=50",
}
local threads = {}
local counter = 0
counts = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  counts = {}
end

function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end

function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    for code, n in pairs(t:get("counts")) do
      total[code] = (total[code] or 0) + n
    end
  end
  for code, n in pairs(total) do
    io.write(string.format("status %d %d\n", code, n))
  end
  io.write(string.format("requests %d\n", summary.requests))
  io.write(string.format("duration_s %.1f\n", summary.duration / 1e6))
  io.write(string.format("socket_errors connect=%d read=%d write=%d timeout=%d\n",
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout))
  for _, p in ipairs({50, 90, 99, 99.9}) do
    io.write(string.format("latency_p%s_ms %.2f\n", p, latency:percentile(p) / 1000))
  end
end
