"""Stripe objects the shop did not make: an invoice, refund or dispute whose metadata names one of our orders
counts for that order only when its id (or its PaymentIntent) is the one the shop created and stored.
Metadata only helps to find; anything else is recorded as an event, ignored for the order and flagged."""

import pytest
from django.urls import reverse

from checkout.models import Order
from checkout.stripe_client import stripe_client
from checkout.stripe_values import dispute_value, refund_value
from payments import refunds
from payments.models import Dispute, Refund, StripeEvent
from tests.checkout.conftest import completed_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(catalog, client, buy):
    client.get(reverse("checkout:review", kwargs={"slug": "level-i"}))
    response, order = buy("level-i", 1)
    assert response.status_code == 303
    return order


def outside_invoice(fake, reference: str) -> dict:
    """An invoice someone made in Stripe's dashboard (or with the API key) naming our order, then paid."""
    client = stripe_client().v1
    customer = client.customers.create(params={"name": "Outsider", "email": "out@example.com"})
    invoice = client.invoices.create(
        params={
            "customer": customer.id,
            "currency": "usd",
            "collection_method": "send_invoice",
            "days_until_due": 30,
            "metadata": {"order_reference": reference},
        }
    )
    client.invoice_items.create(
        params={"customer": customer.id, "invoice": invoice.id, "currency": "usd", "amount": 100}
    )
    client.invoices.finalize_invoice(invoice.id)
    return fake.pay_invoice(invoice.id)


def paid_event(fake, invoice_id: str) -> dict:
    return next(
        e for e in fake.events if e["type"] == "invoice.paid" and e["data"]["object"]["id"] == invoice_id
    )


def test_an_invoice_made_outside_the_shop_never_replaces_the_orders_invoice(
    order, fake_stripe, deliver_event
):
    deliver_event(completed_event(fake_stripe, order))
    ours = fake_stripe.invoice_for(order.stripe_session_id)
    order.refresh_from_db()
    assert order.invoice_id == ours["id"]

    foreign = outside_invoice(fake_stripe, order.reference)
    event = paid_event(fake_stripe, foreign["id"])
    deliver_event(event)

    order.refresh_from_db()
    assert (order.invoice_id, order.invoice_url, order.invoice_pdf_url) == (
        ours["id"],
        ours["hosted_invoice_url"],
        ours["invoice_pdf"],
    )
    assert order.status == Order.Status.PAID
    assert order.needs_review
    assert foreign["id"] in order.review_reason
    assert StripeEvent.objects.filter(event_id=event["id"]).exists()


def test_an_outside_invoice_is_not_taken_for_an_order_that_has_none_yet(order, fake_stripe, deliver_event):
    fake_stripe.sessions[order.stripe_session_id]["_invoice_creation"] = {}  # Stripe made no invoice (yet)
    deliver_event(completed_event(fake_stripe, order))

    foreign = outside_invoice(fake_stripe, order.reference)
    deliver_event(paid_event(fake_stripe, foreign["id"]))

    order.refresh_from_db()
    assert (order.invoice_id, order.invoice_url) == ("", "")
    assert order.needs_review
    assert foreign["id"] in order.review_reason


def test_a_refund_on_a_payment_intent_that_is_not_the_orders_is_flagged_not_recorded(
    order, fake_stripe, deliver_event
):
    deliver_event(completed_event(fake_stripe, order))
    foreign = outside_invoice(fake_stripe, order.reference)
    intent_id = foreign["payments"]["data"][0]["payment"]["payment_intent"]
    refund = fake_stripe.refund(intent_id, amount=100)

    refunds.converge_refund(refund_value(refund), source="test", reference=order.reference)

    order.refresh_from_db()
    assert not Refund.objects.exists()
    assert order.status == Order.Status.PAID
    assert order.amount_refunded_cents == 0
    assert order.needs_review
    assert refund["id"] in order.review_reason and intent_id in order.review_reason


def test_a_dispute_on_a_payment_intent_that_is_not_the_orders_is_flagged_not_recorded(
    order, fake_stripe, deliver_event
):
    deliver_event(completed_event(fake_stripe, order))
    dispute = {
        "id": "dp_test_outsider",
        "object": "dispute",
        "amount": 100,
        "currency": "usd",
        "payment_intent": "pi_test_not_ours",
        "status": "lost",
        "reason": "fraudulent",
        "created": 1790000000,
    }

    refunds.converge_dispute(dispute_value(dispute), source="test", reference=order.reference)

    order.refresh_from_db()
    assert not Dispute.objects.exists()
    assert order.needs_review
    assert "dp_test_outsider" in order.review_reason and "pi_test_not_ours" in order.review_reason
