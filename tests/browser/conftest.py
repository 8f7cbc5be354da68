"""One headless Chromium per test session, driven by Playwright against pytest-django's live server.

Without /usr/bin/chromium these tests skip, unless REQUIRE_BROWSER=1 (CI), where they fail instead.
"""

import os
from pathlib import Path

import pytest
from django.core.management import call_command
from pytest_django.live_server_helper import LiveServer

from stripe_sandbox.webhooks import WebhookSender
from tests.stripe_fake import FakeStripe

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
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


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        reason = (
            f"Chromium not found at {CHROMIUM}; install it (apt-get install chromium) to run browser tests"
        )
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop on this thread; the test's own database work is
    # still synchronous, so Django's async-safety guard would misfire.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def live_server():
    """pytest-django's live server, but static files come through whitenoise as in production.

    pytest-django wraps the app in staticfiles' finder-based handler, which cannot resolve the hashed names
    the manifest storage puts in the pages; serving the collected files through the middleware can.
    """
    server = LiveServer("localhost", start=False)
    server.thread.static_handler = _passthrough
    server.start()
    yield server
    server.stop()


def _passthrough(app):
    return app


@pytest.fixture
def shop(transactional_db, live_server):
    """The seeded catalogue, FAQ and site pages, served by the live server; returns its base URL."""
    call_command("load_catalog", verbosity=0)
    call_command("load_faq", verbosity=0)
    call_command("load_pages", verbosity=0)
    return live_server.url


class ConsoleErrors(list):
    def watch(self, page) -> None:
        page.on("console", lambda message: message.type == "error" and self.append(message.text))
        page.on("pageerror", lambda error: self.append(str(error)))


@pytest.fixture
def open_page(browser):
    """Open a page at a given width; collects console errors into `page.console_errors`."""
    pages = []

    def _open(width: int):
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.console_errors = ConsoleErrors()
        page.console_errors.watch(page)
        pages.append(page)
        return page

    yield _open
    for page in pages:
        page.close()


@pytest.fixture
def start_hosted_stripe(shop, settings):
    """Start a fake Stripe that serves its own payment pages and point the shop at it. With `webhook_secret`
    it also sends signed webhooks to the shop, as `make run`'s sandbox does; other options go to FakeStripe
    (`invoice_pages=True`, say). Stopped when the test ends."""
    started = []

    def start(*, webhook_secret: str = "whsec_test_fake_webhook_secret", webhooks: bool = False, **options):
        if webhooks:
            options["webhooks"] = WebhookSender(f"{shop}/stripe/webhook/", webhook_secret)
        fake = FakeStripe(hosted_origin="self", **options).start()
        started.append(fake)
        settings.STRIPE_SECRET_KEY = "sk_test_browser"
        settings.STRIPE_PUBLISHABLE_KEY = "pk_test_browser"
        settings.STRIPE_WEBHOOK_SECRET = webhook_secret
        settings.STRIPE_API_BASE = fake.url
        settings.STRIPE_MAX_NETWORK_RETRIES = 0
        settings.STRIPE_CHECKOUT_ORIGIN = fake.url
        settings.SITE_URL = shop
        return fake

    yield start
    for fake in started:
        fake.stop()


@pytest.fixture
def hosted_stripe(start_hosted_stripe):
    """A fake Stripe with its own payment pages, no webhooks: tests deliver events themselves."""
    return start_hosted_stripe()
