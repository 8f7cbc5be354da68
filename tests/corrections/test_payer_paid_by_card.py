"""A payment request the payer paid by card through Checkout: its invoice is the one Stripe made for the
order, which accounts payable correct from the payer's page; the corrected invoice and a VAT refund's receipt
go to the payer with accounts payable copied (not to the buyer, who did not pay); the receipt says why the VAT
came back and links the corrected invoice; the replacement invoice's events log no warning."""

import logging

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from checkout.models import Order
from corrections.models import InvoiceCorrection
from credit_notes.models import CreditNote
from invoicing.models import PaymentRequest
from tests.checkout.conftest import completed_event
from tests.checkout.payreq_helpers import deliver_new_events, payer_link, send_request
from tests.corrections.conftest import HEADER

pytestmark = pytest.mark.django_db
PAYER, AP, BUYER = "max@studio.example", "ap@studio.example", "dana@studio.example"


@pytest.fixture
def paid_by_card(client, catalog, fake_stripe, run_tasks, deliver_event) -> PaymentRequest:
    _, request = send_request(client, billing_country="DE", company_name="Studio GmbH")
    run_tasks()
    link = payer_link()
    assert client.post(link, {"action": "card", "digital_consent": "on"}).status_code == 303
    order = Order.objects.get(pk=request.order_id)
    deliver_event(
        completed_event(
            fake_stripe, order, email=PAYER, name="Max Manager", country="DE", business_name="Studio GmbH"
        )
    )
    run_tasks()
    request.refresh_from_db()
    order.refresh_from_db()
    assert request.state == PaymentRequest.State.PAID and not request.stripe_invoice_id
    assert order.invoice_id.startswith("in_") and order.tax_cents > 0 and order.email == BUYER
    return request


def _mails(words: str) -> list:
    return [m for m in mail.outbox if words in m.subject]


def test_accounts_payable_add_a_vat_number_after_paying_by_card(
    paid_by_card, fake_stripe, run_tasks, deliver_event, caplog
):
    link = payer_link()
    payer = Client()
    page = payer.get(link)
    url = page.context["correction_url"]
    assert url and url in page.content.decode()
    order = paid_by_card.order
    original_url = order.invoice_url or order.invoice_pdf_url
    mail.outbox.clear()

    assert payer.get(url).status_code == 200
    response = payer.post(
        url, {**HEADER, "company_name": "Studio GmbH", "tax_id": "DE123456789", "action": "confirm"}
    )
    assert response.status_code == 303
    with caplog.at_level(logging.WARNING, logger="checkout"):
        run_tasks()
        deliver_new_events(fake_stripe, deliver_event, set(), ("invoice.", "refund.", "charge.refunded"))
        run_tasks()

    assert not [r for r in caplog.records if "matches no order" in r.getMessage()]
    [correction] = InvoiceCorrection.objects.all()
    assert (
        correction.kind == InvoiceCorrection.Kind.VAT and correction.state == InvoiceCorrection.State.ISSUED
    )
    [corrected] = _mails("Corrected invoice")
    assert corrected.to == [PAYER] and corrected.cc == [AP]
    [receipt] = _mails("VAT refund of")
    assert receipt.to == [PAYER] and receipt.cc == [AP]
    assert not [m for m in mail.outbox if BUYER in m.to and "efund" in m.subject]
    body = receipt.body
    assert "VAT number DE123456789" in body and "reverse-charge sale" in body
    assert "If the academy agreed" not in body and "you paid with" not in body
    assert correction.new_invoice_number in body
    assert (correction.new_invoice_pdf_url or correction.new_invoice_url) in body
    [note] = CreditNote.objects.filter(order=order)
    assert f"Credit note {note.number} credits invoice {correction.original_invoice_number}" in body
    html = receipt.alternatives[0][0]
    assert "reverse-charge sale" in html and correction.new_invoice_number in html and note.number in html
    assert "purchases page" not in body  # the buyer's personal link is not the payer's
    assert original_url and original_url not in body  # the credited original is not offered as the invoice


def test_a_card_order_without_a_request_gets_the_vat_receipt_as_the_buyer(
    paid_with_vat, client, sign_in, fake_stripe, run_tasks, deliver_event
):
    sign_in(paid_with_vat.email)
    url = reverse("corrections:buyer", args=[paid_with_vat.reference])
    client.post(url, {**HEADER, "tax_id": "DE123456789", "action": "confirm"})
    run_tasks()
    deliver_new_events(fake_stripe, deliver_event, set(), ("refund.", "charge.refunded"))
    run_tasks()

    [receipt] = _mails("VAT refund of")
    assert receipt.to == [paid_with_vat.email] and receipt.cc == []
    assert "reverse-charge sale" in receipt.body and "If the academy agreed" not in receipt.body
    assert "Your purchases page shows this order" in receipt.body
    [corrected] = _mails("Corrected invoice")
    assert corrected.to == [paid_with_vat.email]
