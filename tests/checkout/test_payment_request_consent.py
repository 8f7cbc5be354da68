"""The EU digital-content consent on a payment request: "Pay by card now" asks it when the request names no
tax ID (the person paying may be paying privately) and stores it on the order with its wording and time;
a request with a tax ID (a registered business) and the invoice path never ask it."""

import html

import pytest
from django.core import mail

from checkout import consent
from checkout.models import Order, OrderEvent
from invoicing.models import PaymentRequest
from tests.checkout.conftest import completed_event
from tests.checkout.payreq_helpers import fresh_request_throttle, payer_link, send_request  # noqa: F401  (the fixture: autouse)

pytestmark = pytest.mark.django_db


def test_paying_by_card_without_the_box_ticked_is_refused_and_changes_nothing(
    client, catalog, fake_stripe, run_tasks
):
    _, request = send_request(client)
    run_tasks()
    sessions = len(fake_stripe.session_requests())

    response = client.post(payer_link(), {"action": "card"})

    page = html.unescape(response.content.decode())
    assert response.status_code == 400 and consent.FOR_OTHERS_REQUIRED_MESSAGE in page
    assert "your access" not in page  # the access is the buyer's, not the payer's
    order = Order.objects.get(pk=request.order_id)
    assert order.digital_consent_version == "" and order.digital_consent_at is None
    assert len(fake_stripe.session_requests()) == sessions


def test_the_payer_page_shows_the_box_unticked_in_the_payers_words(client, catalog, run_tasks):
    send_request(client)
    run_tasks()

    page = html.unescape(client.get(payer_link()).content.decode())

    assert consent.FOR_OTHERS_TEXT in page and "five days" in page
    box = page.split('id="id_card_consent"')[0].rsplit("<input", 1)[1]
    assert "checked" not in box


def test_ticking_it_stores_the_wording_and_time_and_the_confirmation_repeats_it(
    client, catalog, fake_stripe, run_tasks, deliver_event
):
    _, request = send_request(client)
    run_tasks()

    assert client.post(payer_link(), {"action": "card", "digital_consent": "on"}).status_code == 303

    order = Order.objects.get(pk=request.order_id)
    assert order.digital_consent_version == consent.FOR_OTHERS_VERSION and order.digital_consent_at
    assert OrderEvent.objects.filter(order=order, kind="consent", source="payer").exists()
    deliver_event(completed_event(fake_stripe, order, email="max@studio.example", name="Max Manager"))
    run_tasks()
    (confirmation,) = [m for m in mail.outbox if m.to == ["dana@studio.example"] and "confirmed" in m.subject]
    assert consent.FOR_OTHERS_TEXT in confirmation.body
    (receipt,) = [m for m in mail.outbox if m.to == ["max@studio.example"] and "Receipt" in m.subject]
    assert f"you ticked: “{consent.FOR_OTHERS_TEXT}”" in receipt.body


def test_a_request_with_a_tax_id_pays_by_card_without_the_box(client, catalog, fake_stripe, run_tasks):
    _, request = send_request(client, tax_id="DE136695976", billing_country="DE")
    run_tasks()

    page = client.get(payer_link()).content.decode()
    response = client.post(payer_link(), {"action": "card"})

    assert 'id="id_card_consent"' not in page
    assert response.status_code == 303
    assert Order.objects.get(pk=request.order_id).digital_consent_version == ""


def test_asking_for_an_invoice_needs_no_box(client, catalog, fake_stripe, run_tasks):
    _, request = send_request(client)
    run_tasks()

    client.post(payer_link(), {"action": "invoice"})

    request.refresh_from_db()
    assert request.state in (PaymentRequest.State.PREPARING, PaymentRequest.State.ISSUED)
    assert request.order.digital_consent_version == ""
