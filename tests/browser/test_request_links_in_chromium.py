"""Payment request pages in Chromium at phone and desktop widths (issue 32): a payer who pays by card through
the request's Checkout page, and one who pays the invoice by card on its hosted page (linked from the payer's
page under `make run`-like settings: DEBUG on, the sandbox on 127.0.0.1), both end on pages that read
"paid"; the buyer's expired status link says so and emails a fresh one. Axe finds no problem and nothing
scrolls sideways."""

import re
import time

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail, signing
from django.core.cache import cache
from django.test import Client

from invoicing import status_links
from invoicing.models import PaymentRequest
from tests.browser.test_company_pays_in_chromium import eventually

pytestmark = pytest.mark.browser

REQUEST = {
    "product": "bundle",
    "request-quantity": "3",
    "request-buyer_name": "Hana Head",
    "request-buyer_email": "hana@studio.example",
    "request-payer_name": "Pat Payer",
    "request-payer_email": "pat@studio.example",
    "request-company_name": "Northlight Studio Inc",
    "request-billing_country": "US",
}


@pytest.fixture
def sandbox(start_hosted_stripe, settings):
    """The sandbox as `make run` has it: its own payment and invoice pages, signed webhooks to the shop."""
    settings.DEBUG = True  # the one setting under which the sandbox's http invoice page is linked
    return start_hosted_stripe(webhooks=True, invoice_pages=True)


def _problems(page, where: str) -> list[str]:
    found = []
    results = Axe().run(page)
    if results.violations_count:
        found.append(f"{where}: {results.generate_report()}")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    if overflow > 0:
        found.append(f"{where}: scrolls sideways by {overflow}px")
    errors = [e for e in page.console_errors if "status of 410" not in e and "status of 400" not in e]
    if errors:
        found.append(f"{where}: console errors {errors}")
    return found


def _send_request() -> tuple[str, str]:
    """The payer's link and the buyer's status link, as emailed."""
    cache.clear()  # the daily limit on request emails counts in the cache
    Client().post("/company-pays/", REQUEST)
    payer_email = eventually(
        lambda: next((m for m in mail.outbox if m.to == ["pat@studio.example"]), None), "request"
    )
    copy = eventually(lambda: next((m for m in mail.outbox if m.to == ["hana@studio.example"]), None), "copy")
    payer_link = re.search(r"https?://\S+/pay-request/\S+/", payer_email.body).group(0)
    status_link = re.search(r"https?://\S+/company-pays/\S+", copy.body).group(0)
    return payer_link, status_link


@pytest.mark.parametrize("width", [390, 1280])
def test_a_payer_who_pays_by_card_through_checkout_sees_paid_and_so_does_the_buyer(open_page, sandbox, width):
    payer_link, status_link = _send_request()
    payer = open_page(width)
    problems: list[str] = []

    payer.goto(payer_link)
    payer.check("#id_card_consent")  # no tax ID on this request: the payer may be paying privately
    payer.get_by_role("button", name="Pay by card now").click()
    payer.wait_for_url(f"{sandbox.url}/c/pay/*")
    payer.fill("input[name=name]", "Pat Payer")
    payer.fill("input[name=email]", "pat@studio.example")
    payer.locator("button.primary").click()
    payer.wait_for_url("**/checkout/success/*")
    eventually(lambda: PaymentRequest.objects.get().state == PaymentRequest.State.PAID, "the request paid")
    payer.goto(payer_link)
    assert "Paid, thank you" in payer.text_content("main")
    problems += _problems(payer, "payer's page, paid by card")

    buyer = open_page(width)
    buyer.goto(status_link)
    heading = buyer.text_content("h1")
    assert heading.endswith(": Paid") and "Closed" not in buyer.text_content("main")
    problems += _problems(buyer, "buyer's status page, paid by card")
    assert problems == []


@pytest.mark.parametrize("width", [390, 1280])
def test_the_payer_page_links_the_sandbox_invoice_which_pays_by_card_and_reads_paid(
    open_page, sandbox, width
):
    payer_link, status_link = _send_request()
    payer = open_page(width)

    payer.goto(payer_link)
    payer.get_by_role("button", name="Send us an invoice").click()
    invoice_link = payer.get_by_role("link", name="Pay by card or see bank transfer details")
    eventually(lambda: PaymentRequest.objects.get().state == PaymentRequest.State.ISSUED, "the invoice")
    invoice_link.wait_for(state="visible", timeout=20_000)
    assert invoice_link.get_attribute("href").startswith(f"{sandbox.url}/i/in_test_")
    problems = _problems(payer, "payer's page with the invoice")

    invoice_link.click()
    payer.wait_for_url(f"{sandbox.url}/i/*")
    payer.get_by_role("button", name="Pay by card").click()
    eventually(lambda: PaymentRequest.objects.get().state == PaymentRequest.State.PAID, "the request paid")
    payer.goto(payer_link)
    assert "Paid, thank you" in payer.text_content("main")
    buyer = open_page(width)
    buyer.goto(status_link)
    assert buyer.text_content("h1").endswith(": Paid")
    problems += _problems(buyer, "buyer's status page, invoice paid by card")
    assert problems == []


@pytest.mark.parametrize("width", [390, 1280])
def test_an_expired_status_link_offers_a_fresh_one(open_page, shop, sandbox, width, monkeypatch):
    _send_request()
    order = PaymentRequest.objects.get().order
    signed_at = time.time() - 91 * 86400
    with monkeypatch.context() as patched:
        patched.setattr(signing.time, "time", lambda: signed_at)
        old_key = status_links.status_key(order)
    page = open_page(width)
    mail.outbox.clear()

    page.goto(f"{shop}/company-pays/{order.reference}/?key={old_key}")
    assert page.text_content("h1") == "This link has expired"
    problems = _problems(page, "expired link")
    page.get_by_label("Your email address").fill("not an address")
    page.get_by_role("button", name="Email me a fresh link").click()
    assert page.get_attribute("#id_email", "aria-invalid") == "true"
    problems += _problems(page, "expired link, bad address")
    page.get_by_label("Your email address").fill("hana@studio.example")
    page.get_by_role("button", name="Email me a fresh link").click()
    assert "a fresh link is on its way" in page.text_content("main")
    fresh = eventually(
        lambda: next((m for m in mail.outbox if "fresh link" in m.subject), None), "the fresh link"
    )
    page.goto(re.search(r"https?://\S+/company-pays/\S+", fresh.body).group(0))
    assert order.reference in page.text_content("h1")
    problems += _problems(page, "fresh link")
    assert problems == []
