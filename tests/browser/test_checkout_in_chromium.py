"""The buyer's whole journey in Chromium: product page, order review, the 303 to Stripe Checkout under our
Content-Security-Policy, paying, and the confirmation page.

Chromium applies CSP `form-action` to the redirect that answers a form POST, so these tests are what prove
the checkout's 303 to Stripe gets through (and that nothing else would).
"""

import pytest
from axe_playwright_python.sync_playwright import Axe

from catalog.money import format_money
from checkout.models import Order
from tests.stripe_fake import FakeStripe

pytestmark = pytest.mark.browser


@pytest.fixture
def hosted_stripe(shop, settings):
    """A fake Stripe whose Checkout Sessions point at a hosted page it serves itself."""
    fake = FakeStripe(hosted_origin="self").start()
    settings.STRIPE_SECRET_KEY = "sk_test_browser_checkout"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_browser_checkout"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test_browser_checkout"
    settings.STRIPE_API_BASE = fake.url
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    settings.STRIPE_CHECKOUT_ORIGIN = fake.url
    settings.SITE_URL = shop
    yield fake
    fake.stop()


def csp_reports(page) -> list[str]:
    return [line for line in page.console_errors if "Content Security Policy" in line]


def test_buyer_pays_for_five_bundle_seats_in_chromium(shop, hosted_stripe, open_page):
    page = open_page(390)

    page.goto(f"{shop}/products/bundle/")
    page.get_by_role("link", name="Buy CPMA Bundle").first.click()
    page.wait_for_url(f"{shop}/checkout/bundle/")
    assert Axe().run(page).violations_count == 0
    page.fill("input[name=quantity]", "5")
    page.get_by_role("button", name="Continue to secure payment").click()
    page.wait_for_url(f"{hosted_stripe.url}/c/pay/*")

    order = Order.objects.get()
    assert page.text_content("#session") == order.stripe_session_id
    assert hosted_stripe.hosted_visits == [order.stripe_session_id]
    assert (order.status, order.lines.get().quantity) == (Order.Status.PENDING, 5)
    assert csp_reports(page) == []

    # The buyer pays on Stripe's page, and Stripe sends them back to the success URL we gave it.
    hosted_stripe.complete_session(order.stripe_session_id, email="lead@studio.example")
    page.goto(f"{shop}/checkout/success/?session_id={order.stripe_session_id}")

    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert page.text_content("h1") == "Thank you, your order is confirmed"
    assert order.reference in page.content()
    assert format_money(order.total_cents, order.currency) in page.content()
    assert page.console_errors == []


def test_redirect_to_an_origin_the_csp_does_not_allow_is_blocked(shop, hosted_stripe, open_page, settings):
    settings.STRIPE_CHECKOUT_ORIGIN = "https://checkout.stripe.com"
    page = open_page(1280)

    page.goto(f"{shop}/checkout/level-i/")
    page.get_by_role("button", name="Continue to secure payment").click()
    for _ in range(50):  # Chromium reports the violation on the console
        if csp_reports(page):
            break
        page.wait_for_timeout(100)

    assert any("form-action" in line for line in csp_reports(page))
    assert hosted_stripe.hosted_visits == []
    assert not page.url.startswith(hosted_stripe.url)
