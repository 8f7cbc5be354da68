"""Stripe's figures must agree with the order on every count, not only the total: a subtotal that differs
while the total happens to match is flagged for review, not paid."""

import pytest
from django.core import mail

from checkout.models import Order
from tests.checkout.conftest import completed_event


@pytest.fixture
def order(catalog, buy):
    response, order = buy("level-i", 2)
    assert response.status_code == 303
    return order


def test_a_subtotal_that_disagrees_is_flagged_even_when_the_total_agrees(fake_stripe, order, deliver_event):
    event = completed_event(fake_stripe, order)
    # Stripe's session (which the task fetches) reports a smaller subtotal; the total still matches ours.
    fake_stripe.sessions[order.stripe_session_id]["amount_subtotal"] = order.subtotal_cents - 500
    assert fake_stripe.sessions[order.stripe_session_id]["amount_total"] == order.subtotal_cents

    deliver_event(event)

    order.refresh_from_db()
    assert order.status == Order.Status.PENDING and order.paid_at is None
    assert order.needs_review
    assert "subtotal" in order.review_reason and order.stripe_session_id in order.review_reason
    assert not [m for m in mail.outbox if m.to == [order.email]]


def test_matching_figures_pay_the_order(fake_stripe, order, deliver_event):
    deliver_event(completed_event(fake_stripe, order))

    order.refresh_from_db()
    assert order.status == Order.Status.PAID and not order.needs_review
