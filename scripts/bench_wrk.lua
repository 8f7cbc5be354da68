-- wrk script for scripts/bench_pages.sh. Counts unexpected answers and prints one machine-readable line:
--   RESULT <req/s> <p50 ms> <p99 ms> <unexpected answers> <requests> <socket errors> <bytes per answer>
-- GET by default, where anything outside 2xx is unexpected. With BENCH_CSRF_TOKEN set it POSTs the order
-- review form to the URL instead (BENCH_CSRF_COOKIE, BENCH_PRODUCT, BENCH_QUANTITY; bench_pages.sh fetches
-- the cookie and token with curl), and only a 303 to the Stripe Checkout session is expected: a refused
-- form is answered 303 too, but back to the review page (post/redirect/get), and counts as unexpected.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  unexpected = 0
  posting = os.getenv("BENCH_CSRF_TOKEN") ~= nil
  if posting then
    wrk.method = "POST"
    wrk.body = "csrfmiddlewaretoken=" .. os.getenv("BENCH_CSRF_TOKEN")
      .. "&product=" .. os.getenv("BENCH_PRODUCT")
      .. "&quantity=" .. (os.getenv("BENCH_QUANTITY") or "1")
      .. "&digital_consent=on"
    wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
    wrk.headers["Cookie"] = "csrftoken=" .. os.getenv("BENCH_CSRF_COOKIE")
  end
end

function response(status, headers, body)
  local expected
  if posting then
    local location = headers["Location"] or headers["location"] or ""
    expected = status == 303 and string.find(location, "/c/pay/", 1, true) ~= nil
  else
    expected = status >= 200 and status <= 299
  end
  if not expected then
    unexpected = unexpected + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("unexpected")
  end
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT %.1f %.2f %.2f %d %d %d %d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    bad, summary.requests, errors, summary.requests > 0 and summary.bytes / summary.requests or 0))
end
