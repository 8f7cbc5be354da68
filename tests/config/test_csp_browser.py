"""In Chromium, the CSP lets the POST-then-303 to the Stripe Checkout origin through, and nothing else.

Chromium applies `form-action` to the redirect that answers a form POST, so this is what decides whether
the checkout's 303 to Stripe works. The probe form stands in for the checkout review page; the checkout
tests drive the real one.
"""

import os
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.urls("tests.config.csp_probe_urls")]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    if not shutil.which(CHROMIUM) and os.environ.get("REQUIRE_BROWSER") != "1":
        pytest.skip("Chromium is not installed")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread; Django would then refuse the test's
    # own (synchronous) database setup and teardown.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def fake_stripe():
    """A stand-in for checkout.stripe.com on 127.0.0.1 that records the paths it was asked for."""
    visited = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            visited.append(self.path)
            body = b"<!doctype html><title>Fake Stripe Checkout</title><h1>Fake Stripe Checkout</h1>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", visited
    server.shutdown()
    server.server_close()


def submit_probe(browser, live_server, to: str):
    page = browser.new_page()
    console = []
    page.on("console", lambda message: console.append(message.text))
    page.goto(f"{live_server.url}/csp-probe/?to={to}")
    page.click("#pay")
    return page, console


def test_post_redirected_to_the_stripe_checkout_origin_reaches_it(
    browser, live_server, fake_stripe, settings
):
    origin, visited = fake_stripe
    settings.STRIPE_CHECKOUT_ORIGIN = origin

    page, console = submit_probe(browser, live_server, f"{origin}/c/pay/cs_test_123")

    page.wait_for_url(f"{origin}/c/pay/cs_test_123", timeout=10_000)
    assert page.text_content("h1") == "Fake Stripe Checkout"
    assert visited[0] == "/c/pay/cs_test_123"
    assert not [line for line in console if "Content Security Policy" in line]
    page.close()


def test_post_redirected_to_any_other_origin_is_blocked(browser, live_server, fake_stripe, settings):
    origin, visited = fake_stripe
    settings.STRIPE_CHECKOUT_ORIGIN = "https://checkout.stripe.com"

    page, console = submit_probe(browser, live_server, f"{origin}/c/pay/cs_test_123")

    for _ in range(50):  # Chromium reports the violation on the console
        if any("form-action" in line for line in console):
            break
        page.wait_for_timeout(100)

    assert any("form-action" in line for line in console), console
    assert visited == []
    assert not page.url.startswith(origin)
    page.close()
