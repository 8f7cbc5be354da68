"""A purchase in pounds in Chromium, at 1280 and 390 pixels: the header's switch without help from any
script, prices in pounds on every step, the Checkout Session in GBP, the success page in pounds.

Set SCREENSHOT_DIR to keep a screenshot of each step."""

import os
import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from catalog.models import Product
from catalog.money import format_money
from checkout.models import Order

pytestmark = pytest.mark.browser


def shot(page, name: str) -> None:
    if folder := os.environ.get("SCREENSHOT_DIR"):
        os.makedirs(folder, exist_ok=True)
        page.screenshot(path=f"{folder}/{name}-{page.viewport_size['width']}.png", full_page=True)


@pytest.mark.parametrize("width", [1280, 390])
def test_a_buyer_switches_to_pounds_and_pays_in_pounds(shop, hosted_stripe, browser, open_page, width):
    bundle = Product.objects.get(slug="bundle")
    pounds = bundle.price_in("GBP")
    # No script at all: the switch is a plain form, so it must work without one.
    context = browser.new_context(viewport={"width": width, "height": 900}, java_script_enabled=False)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))

    page.goto(f"{shop}/products/bundle/")
    assert format_money(bundle.price_cents, "USD") in page.inner_text(".buy-box")
    switch = page.locator("form.currency-switch")
    assert switch.is_visible()
    box = switch.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width  # on screen at either width
    switch.locator("select").select_option("GBP")
    switch.get_by_role("button", name="Change currency").click()
    page.wait_for_url(f"{shop}/products/bundle/")

    buy_box = page.inner_text(".buy-box")
    assert format_money(pounds, "GBP") in buy_box
    assert "You save" in buy_box and "$" not in buy_box
    assert page.locator("#currency-choice").input_value() == "GBP"
    assert '"priceCurrency":"GBP"' in page.content()
    shot(page, "currency-product-gbp")

    page.get_by_role("link", name="Buy CPMA Bundle").first.click()
    page.wait_for_url(f"{shop}/checkout/bundle/")
    page.fill("input[name=quantity]", "2")
    page.check("input[name=digital_consent]")
    assert f"at {format_money(pounds, 'GBP')} each" in page.inner_text(".order-total")
    shot(page, "currency-review-gbp")
    page.get_by_role("button", name="Continue to secure payment").click()
    page.wait_for_url(f"{hosted_stripe.url}/c/pay/*")

    order = Order.objects.get()
    assert (order.currency, order.total_cents) == ("GBP", pounds * 2)
    assert hosted_stripe.sessions[order.stripe_session_id]["currency"] == "gbp"
    shot(page, "currency-stripe-gbp")
    page.fill("input[name=email]", "lead@studio.example")
    page.fill("input[name=name]", "Lee Lead")
    page.get_by_role("button", name=re.compile(r"^Pay GBP")).click()
    page.wait_for_url(f"{shop}/checkout/success/*")

    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert format_money(order.total_cents, "GBP") in page.content()
    shot(page, "currency-success-gbp")
    assert errors == []
    context.close()

    # The switch in the header passes the accessibility checks (axe needs a page that runs scripts).
    checked = open_page(width)
    checked.goto(f"{shop}/checkout/bundle/?currency=GBP")
    assert Axe().run(checked).violations_count == 0
