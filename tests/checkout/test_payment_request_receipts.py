"""Whoever pays gets a receipt, and replies reach the academy: the payer's (and accounts payable's) own
receipt once the order is paid, by card through Checkout or by the invoice; the buyer's copy of the request
with a link to its status page; every request email answering to RECEIVABLES_EMAIL; the invoice naming it."""

import pytest
from django.core import mail
from django.test import Client

from checkout.models import Order
from invoicing.models import PaymentRequest
from tests.checkout.conftest import completed_event
from tests.checkout.payreq_helpers import deliver_new_events, fresh_request_throttle, payer_link, send_request  # noqa: F401  (the fixture: autouse)

pytestmark = pytest.mark.django_db

State = PaymentRequest.State
RECEIVABLES = "accounts@academy.test"


@pytest.fixture(autouse=True)
def receivables(settings):
    settings.RECEIVABLES_EMAIL = RECEIVABLES


def _to(address: str, words: str) -> list:
    return [m for m in mail.outbox if m.to == [address] and words in m.subject]


def _paid_by_invoice(client, fake_stripe, run_tasks, deliver_event) -> PaymentRequest:
    _, request = send_request(client)
    run_tasks()
    client.post(payer_link(), {"action": "invoice"})
    run_tasks()
    request.refresh_from_db()
    invoice = fake_stripe.invoices[request.stripe_invoice_id]
    fake_stripe.fund_cash_balance(invoice["customer"], invoice["amount_due"])
    deliver_new_events(fake_stripe, deliver_event, set())
    run_tasks()
    request.refresh_from_db()
    return request


def test_the_payer_and_accounts_payable_each_get_a_receipt_when_the_invoice_is_paid(
    client, catalog, fake_stripe, run_tasks, deliver_event
):
    request = _paid_by_invoice(client, fake_stripe, run_tasks, deliver_event)

    assert request.state == State.PAID
    for address in ("max@studio.example", "ap@studio.example"):
        (receipt,) = _to(address, "Receipt")
        assert request.order.reference in receipt.subject
        assert request.invoice_number in receipt.body
        assert request.invoice_pdf_url in receipt.body
        assert receipt.reply_to == [RECEIVABLES]
    assert not _to("dana@studio.example", "Receipt")  # the buyer has the confirmation instead
    assert len(_to("dana@studio.example", "is confirmed")) == 1
    # Each is greeted as who it reaches: the payer by name, accounts payable without the payer's name.
    assert _to("max@studio.example", "Receipt")[0].body.startswith(f"Hello {request.payer_name},")
    assert _to("ap@studio.example", "Receipt")[0].body.startswith("Hello,")


def test_a_receipt_is_sent_once_however_often_the_payment_is_told(
    client, catalog, fake_stripe, run_tasks, deliver_event
):
    _paid_by_invoice(client, fake_stripe, run_tasks, deliver_event)
    for event in list(fake_stripe.events):
        deliver_event(dict(event, id=f"{event['id']}_again"))
    run_tasks()

    assert len(_to("max@studio.example", "Receipt")) == 1
    assert len(_to("ap@studio.example", "Receipt")) == 1


def test_a_payer_who_pays_by_card_through_checkout_gets_a_receipt_with_the_invoice(
    client, catalog, fake_stripe, run_tasks, deliver_event
):
    _, request = send_request(client, ap_email="")
    run_tasks()
    assert client.post(payer_link(), {"action": "card", "digital_consent": "on"}).status_code == 303
    order = Order.objects.get(pk=request.order_id)

    deliver_event(completed_event(fake_stripe, order, email="max@studio.example", name="Max Manager"))
    run_tasks()

    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    (receipt,) = _to("max@studio.example", "Receipt")
    assert "paid by card" in receipt.body
    assert order.invoice_pdf_url and order.invoice_pdf_url in receipt.body
    assert receipt.cc == []


def test_accounts_payables_copy_of_a_card_receipt_says_the_payer_ticked_the_consent(
    client, catalog, fake_stripe, run_tasks, deliver_event
):
    _, request = send_request(client)
    run_tasks()
    client.post(payer_link(), {"action": "card", "digital_consent": "on"})
    order = Order.objects.get(pk=request.order_id)
    deliver_event(completed_event(fake_stripe, order, email="max@studio.example", name="Max Manager"))
    run_tasks()

    (payers,) = _to("max@studio.example", "Receipt")
    (ap_copy,) = _to("ap@studio.example", "Receipt")
    assert ", you ticked:" in payers.body and "When you paid" in payers.body
    assert ap_copy.body.startswith("Hello,") and "you ticked" not in ap_copy.body
    assert f"When {request.payer_name} paid, on " in ap_copy.body and ", they ticked:" in ap_copy.body


def test_the_card_payers_return_page_promises_only_the_emails_that_are_sent(
    client, catalog, fake_stripe, run_tasks, deliver_event
):
    _, request = send_request(client)
    run_tasks()
    client.post(payer_link(), {"action": "card", "digital_consent": "on"})
    order = Order.objects.get(pk=request.order_id)
    deliver_event(completed_event(fake_stripe, order, email="max@studio.example", name="Max Manager"))

    page = Client().get(f"/checkout/success/?session_id={order.stripe_session_id}")  # the payer's browser

    text = page.content.decode()
    assert "went by email" not in text
    assert "receipt with the invoice" in text
    run_tasks()
    assert _to("max@studio.example", "Receipt")


def test_the_buyer_gets_a_copy_of_the_request_linking_to_its_status_page_in_any_browser(
    client, catalog, fake_stripe, run_tasks
):
    _, request = send_request(client)
    run_tasks()

    (copy,) = _to("dana@studio.example", "Your payment request")
    assert "/pay-request/" not in copy.body  # the payer's link stays the payer's
    assert copy.reply_to == [RECEIVABLES]
    link = next(word for word in copy.body.split() if "/company-pays/" in word)
    path = link.removeprefix("http://testserver")
    other_browser = Client()
    page = other_browser.get(path)
    assert page.status_code == 200
    assert request.order.reference in page.content.decode()
    assert Client().get(f"/company-pays/{request.order.reference}/").status_code == 404
    assert Client().get(f"{path}x").status_code == 404  # an altered key opens nothing

    other_browser.post(path, {"action": "cancel"})
    request.refresh_from_db()
    assert request.state == State.CANCELLED


def test_request_invoice_and_reminder_emails_answer_to_receivables_with_the_buyer_copied(
    client, catalog, fake_stripe, run_tasks
):
    from invoicing.emails import reminder_message

    _, request = send_request(client)
    run_tasks()
    client.post(payer_link(), {"action": "invoice"})
    run_tasks()
    request.refresh_from_db()

    (request_email,) = _to("max@studio.example", "asks Studio Ltd to pay")
    (invoice_email,) = _to("max@studio.example", "Invoice")
    reminder = reminder_message(request.order, request, "after-7")
    for message in (request_email, invoice_email, reminder):
        assert message.reply_to == [RECEIVABLES]
        assert RECEIVABLES in message.body
    assert request_email.cc == ["ap@studio.example"]
    assert "dana@studio.example" in invoice_email.cc and "dana@studio.example" in reminder.cc


def test_the_request_invoice_footer_names_the_receivables_address(
    client, catalog, fake_stripe, run_tasks, settings
):
    settings.INVOICE_FOOTER = "Creative Project Management Academy Ltd, 12 Wardour Street, London."
    send_request(client)
    run_tasks()
    client.post(payer_link(), {"action": "invoice"})
    run_tasks()

    (invoice,) = [i for i in fake_stripe.invoices.values() if i.get("collection_method") == "send_invoice"]
    assert invoice["footer"].startswith(settings.INVOICE_FOOTER)
    assert RECEIVABLES in invoice["footer"]
    assert "reply to your order email" not in invoice["footer"]


def test_the_default_invoice_footer_names_receivables_not_the_order_email():
    from django.conf import settings

    # Read at start-up: the default footer names RECEIVABLES_EMAIL as it was then (ORDER_REPLY_TO_EMAIL's).
    assert "reply to your order email" not in settings.INVOICE_FOOTER
    assert "Questions about this invoice: " in settings.INVOICE_FOOTER


def test_a_request_paid_by_card_reads_paid_on_the_payers_and_the_buyers_pages(
    client, catalog, fake_stripe, run_tasks, deliver_event
):
    _, request = send_request(client)
    run_tasks()
    link = payer_link()
    client.post(link, {"action": "card", "digital_consent": "on"})
    order = Order.objects.get(pk=request.order_id)
    deliver_event(completed_event(fake_stripe, order, email="max@studio.example", name="Max Manager"))
    run_tasks()

    request.refresh_from_db()
    assert request.state == State.PAID and request.paid_at and not request.closed_at
    assert "Paid, thank you" in Client().get(link).content.decode()
    buyers_page = client.get(f"/company-pays/{order.reference}/").content.decode()
    assert f"Order {order.reference}: Paid" in buyers_page
    assert "Closed" not in buyers_page and "paid another way" not in buyers_page
    (receipt,) = _to("max@studio.example", "Receipt")
    assert "paid by card" in receipt.body
