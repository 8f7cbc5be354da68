"""The buyer's whole journey in Chromium: product page, order review, the 303 to Stripe Checkout under our
Content-Security-Policy, paying, and the confirmation page.

Chromium applies CSP `form-action` to the redirect that answers a form POST, so these tests are what prove
the checkout's 303 to Stripe gets through (and that nothing else would).
"""

import pytest
from axe_playwright_python.sync_playwright import Axe

from catalog.models import Product
from catalog.money import format_money
from checkout.models import Order

pytestmark = pytest.mark.browser


def csp_reports(page) -> list[str]:
    return [line for line in page.console_errors if "Content Security Policy" in line]


def test_buyer_pays_for_five_bundle_seats_in_chromium(shop, hosted_stripe, open_page):
    page = open_page(390)

    page.goto(f"{shop}/products/bundle/")
    page.get_by_role("link", name="Buy CPMA Bundle").first.click()
    page.wait_for_url(f"{shop}/checkout/bundle/")
    assert Axe().run(page).violations_count == 0
    page.fill("input[name=quantity]", "5")
    page.check("input[name=digital_consent]")
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
    page.check("input[name=digital_consent]")
    page.get_by_role("button", name="Continue to secure payment").click()
    for _ in range(50):  # Chromium reports the violation on the console
        if csp_reports(page):
            break
        page.wait_for_timeout(100)

    assert any("form-action" in line for line in csp_reports(page))
    assert hosted_stripe.hosted_visits == []
    assert not page.url.startswith(hosted_stripe.url)


def test_review_total_follows_the_seats_and_a_refused_count_comes_back_to_the_review_address(
    shop, hosted_stripe, open_page
):
    price = Product.objects.get(slug="level-i").price_cents
    page = open_page(1280)
    page.goto(f"{shop}/checkout/level-i/")
    total = page.locator(".order-total")

    page.fill("input[name=quantity]", "3")
    assert (
        total.inner_text().strip()
        == f"Total for 3 seats at {format_money(price)} each: {format_money(price * 3)} plus VAT where it applies"
    )
    page.fill("input[name=quantity]", "51")
    assert total.inner_text().strip() == "Enter a number of seats from 1 to 50 to see the total."
    assert total.get_attribute("aria-live") == "polite"

    page.check("input[name=digital_consent]")
    page.get_by_role("button", name="Continue to secure payment").click()
    page.wait_for_url(f"{shop}/checkout/level-i/?quantity=51")
    assert page.locator("#id_quantity_error").is_visible()
    assert page.locator("input[name=quantity]").get_attribute("aria-invalid") == "true"
    assert Axe().run(page).violations_count == 0
    assert Order.objects.count() == 0
    assert page.console_errors == []
