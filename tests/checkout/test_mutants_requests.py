"""Issue 34's mutants of invoicing.requests (the module was checkout/payment_requests.py): each test here
fails with the named mutant applied and passes without it."""

import pytest
from django.urls import reverse

from checkout import services
from checkout.models import Order
from invoicing import requests as payment_requests
from invoicing.models import PaymentRequest
from tests.checkout.payreq_helpers import (  # noqa: F401  (the fixture: autouse)
    REQUEST_FIELDS,
    fresh_request_throttle,
    payer_link,
    send_request,
)

pytestmark = pytest.mark.django_db

State = PaymentRequest.State


def details() -> payment_requests.RequestDetails:
    return payment_requests.RequestDetails(**REQUEST_FIELDS)


def test_one_client_is_held_to_its_daily_limit_whatever_payers_it_names(
    client, catalog, fake_stripe, settings
):
    """Kills issue-34 mutant: invoicing/requests per-client daily limit dropped (63)."""
    settings.PAYMENT_REQUEST_LIMIT_PER_PAYER = 100
    settings.PAYMENT_REQUEST_LIMIT_PER_IP = 2

    answers = [
        send_request(client, payer_email=f"payer{n}@studio.example", po_number=f"PO-{n}")[0].status_code
        for n in range(3)
    ]

    assert answers == [303, 303, 429]
    assert PaymentRequest.objects.count() == 2


def test_a_second_request_for_an_order_that_has_one_returns_the_first(catalog, monkeypatch):
    """Kills issue-34 mutant: invoicing/requests second live payment request allowed on one order (105).

    Two sends that found the same pending order (a double-clicked Send): the second one is refused with
    the first as its `existing`, never a second request (nor a database error)."""
    order = services.create_pending_order(product=catalog["bundle"], quantity=10, visitor="v1")
    monkeypatch.setattr(payment_requests.services, "create_pending_order", lambda **_: order)

    first = payment_requests.request_payment(
        product=catalog["bundle"], quantity=10, visitor="v1", po_number="", details=details()
    )
    with pytest.raises(payment_requests.RequestRefused) as refused:
        payment_requests.request_payment(
            product=catalog["bundle"], quantity=10, visitor="v1", po_number="", details=details()
        )

    assert refused.value.existing == first
    assert list(PaymentRequest.objects.all()) == [first]


def test_the_buyers_own_pay_now_after_a_request_makes_a_new_order(client, catalog, buy):
    """Kills issue-34 mutant: invoicing/requests the buyer's later "Pay now" reusing the order the payer was
    asked to pay (123)."""
    _, request = send_request(client, quantity=10, po_number="PO-4471")

    response, order = buy("bundle", 10, po_number="PO-4471")

    assert response.status_code == 303
    assert order.pk != request.order_id
    asked = Order.objects.get(pk=request.order_id)
    assert asked.stripe_session_id is None and asked.status == Order.Status.PENDING


def test_the_buyer_cannot_cancel_once_the_invoice_is_issued(client, catalog, fake_stripe, run_tasks):
    """Kills issue-34 mutant: invoicing/requests the buyer cancelling after the invoice is issued, leaving it
    open at Stripe (206)."""
    _, request = send_request(client)
    run_tasks()
    client.post(payer_link(), {"action": "invoice"})
    run_tasks()
    request.refresh_from_db()
    assert request.state == State.ISSUED

    status_page = reverse("invoicing:request_status", args=[request.order.reference])
    response = client.post(status_page, {"action": "cancel"})
    run_tasks()

    assert response.status_code == 303
    assert payment_requests.cancel(request.pk, source="staff") is False
    request.refresh_from_db()
    assert request.state == State.ISSUED
    assert fake_stripe.invoices[request.stripe_invoice_id]["status"] == "open"
