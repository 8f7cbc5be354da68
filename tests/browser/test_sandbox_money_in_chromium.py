"""The sandbox's pages after checkout, in Chromium at phone and desktop widths, as `make run` has them (DEBUG on,
the sandbox on 127.0.0.1 sending signed webhooks): accounts payable open the invoice from the payer's page,
a part of the bank transfer arrives, then the rest, and the request reads paid; a producer pays Level I with
the 3-D Secure card, authenticates and lands back on the shop with the order paid; staff refund it from
the sandbox overview and the buyer gets one email. Axe finds no problem and no page scrolls sideways."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django_tasks_db.models import DBTaskResult

from checkout.models import Order
from invoicing.models import PaymentRequest
from tests.browser.test_company_pays_in_chromium import eventually

pytestmark = pytest.mark.browser

REQUEST = {
    "product": "bundle",
    "request-quantity": "5",
    "request-buyer_name": "Hana Head",
    "request-buyer_email": "hana@studio.example",
    "request-payer_name": "Pat Payer",
    "request-payer_email": "pat@studio.example",
    "request-ap_email": "ap@studio.example",
    "request-company_name": "Northlight Studio Inc",
    "request-billing_country": "US",
}


@pytest.fixture
def sandbox(start_hosted_stripe, settings):
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
    if page.console_errors:
        found.append(f"{where}: console errors {list(page.console_errors)}")
    return found


@pytest.mark.parametrize("width", [390, 1280])
def test_accounts_payable_pay_an_invoice_by_two_bank_transfers_in_the_sandbox(open_page, sandbox, width):
    cache.clear()  # the daily limit on request emails counts in the cache
    Client().post("/company-pays/", REQUEST)
    request_email = eventually(
        lambda: next((m for m in mail.outbox if m.to == ["pat@studio.example"]), None), "the request"
    )
    page = open_page(width)
    page.goto(re.search(r"https?://\S+/pay-request/\S+/", request_email.body).group(0))
    page.get_by_role("button", name="Send us an invoice").click()
    link = page.get_by_role("link", name="Pay by card or see bank transfer details")
    eventually(lambda: PaymentRequest.objects.get().state == PaymentRequest.State.ISSUED, "the invoice")
    link.wait_for(state="visible", timeout=20_000)
    link.click()
    page.wait_for_url(f"{sandbox.url}/i/*")
    problems = _problems(page, "invoice page")

    page.get_by_label(re.compile("^Amount")).fill("500")
    page.get_by_role("button", name=re.compile("^Bank transfer arrives")).click()
    page.wait_for_load_state()
    assert "cash balance holds USD 500.00" in page.text_content("body")
    assert page.text_content("#status") == "open"
    eventually(lambda: PaymentRequest.objects.get().cash_balance_cents == 50000, "the part paid")
    assert PaymentRequest.objects.get().state == PaymentRequest.State.ISSUED

    page.get_by_role("button", name=re.compile("^Bank transfer arrives")).click()  # empty: the rest
    page.wait_for_load_state()
    assert page.text_content("#status") == "paid"
    eventually(lambda: PaymentRequest.objects.get().state == PaymentRequest.State.PAID, "the request paid")
    problems += _problems(page, "invoice page, paid")
    receipts = eventually(
        lambda: sorted(m.to[0] for m in mail.outbox if m.subject.startswith("Receipt")) or None, "receipts"
    )
    assert receipts == ["ap@studio.example", "pat@studio.example"]

    page.get_by_role("link", name=re.compile("overview")).click()
    assert "CPMA-T" in page.text_content("body")
    problems += _problems(page, "overview")
    assert problems == []


@pytest.mark.parametrize("width", [390, 1280])
def test_a_producer_pays_level_i_with_3d_secure_and_staff_refund_it_from_the_overview(
    open_page, sandbox, shop, width
):
    page = open_page(width)
    page.goto(f"{shop}/checkout/level-i/")
    page.check("input[name=digital_consent]")
    page.get_by_role("button", name="Continue to secure payment").click()
    page.wait_for_url(f"{sandbox.url}/c/pay/*")
    page.fill("input[name=name]", "Pat Producer")
    page.fill("input[name=email]", "pat@producer.example")
    page.get_by_role("button", name=re.compile("^Pay with 3-D Secure")).click()
    page.wait_for_load_state()
    problems = _problems(page, "authentication step")
    assert Order.objects.get().status == Order.Status.PENDING

    page.get_by_role("button", name="Complete authentication").click()
    page.wait_for_url(f"{shop}/checkout/success/*")
    order = eventually(lambda: Order.objects.filter(status=Order.Status.PAID).first(), "the order paid")
    page.reload()
    assert "slow bank" not in page.text_content("main").lower()
    problems += _problems(page, "success page")
    eventually(lambda: any("is confirmed" in m.subject for m in mail.outbox), "the confirmation")
    mail.outbox.clear()

    page.goto(f"{sandbox.url}/")
    problems += _problems(page, "overview")
    page.locator(f"form[action='/payments/{order.stripe_payment_intent_id}/refund'] button").click()
    page.wait_for_load_state()
    eventually(lambda: Order.objects.get(pk=order.pk).status == Order.Status.REFUNDED, "the refund")
    eventually(
        lambda: not DBTaskResult.objects.exclude(status__in=["SUCCESSFUL", "FAILED"]).exists(), "tasks"
    )
    # A full refund sends the buyer one email: the receipt, which also says access ended.
    (email,) = [m for m in mail.outbox if m.to == ["pat@producer.example"]]
    assert "refund" in email.subject.lower() and "download" not in email.body.lower()
    assert problems == []
