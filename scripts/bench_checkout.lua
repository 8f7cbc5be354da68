-- wrk script for scripts/bench_pages.sh: POSTs the order review form to /checkout/start/ and counts every
-- answer other than 303 (the redirect to the Stripe Checkout session) as a failure. Prints the same
-- machine-readable RESULT line as bench_report.lua.
--
-- The CSRF cookie and form token come from one GET of the review page (bench_pages.sh fetches them with
-- curl): BENCH_CSRF_COOKIE, BENCH_CSRF_TOKEN, BENCH_PRODUCT (slug) and BENCH_QUANTITY.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  not303 = 0
  wrk.method = "POST"
  wrk.body = "csrfmiddlewaretoken=" .. os.getenv("BENCH_CSRF_TOKEN")
    .. "&product=" .. os.getenv("BENCH_PRODUCT")
    .. "&quantity=" .. (os.getenv("BENCH_QUANTITY") or "1")
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  wrk.headers["Cookie"] = "csrftoken=" .. os.getenv("BENCH_CSRF_COOKIE")
end

function response(status, headers, body)
  if status ~= 303 then
    not303 = not303 + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("not303")
  end
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT %.1f %.2f %.2f %d %d %d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    bad, summary.requests, errors))
end
