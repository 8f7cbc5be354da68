"""Fixtures for credit note tests: checkout's fake Stripe, task runner and buyer, and a paid card order with
the invoice Stripe made after Checkout."""

import pytest

from checkout.models import Order
from tests.checkout.conftest import (  # noqa: F401  (fixtures used by these tests)
    buy,
    completed_event,
    deliver_event,
    fake_stripe,
    run_ready_tasks,
    run_tasks,
    stripe_server,
)


def note_posts(fake) -> list:
    return [r for r in fake.requests if r.method == "POST" and r.path == "/v1/credit_notes"]


@pytest.fixture
def paid(catalog, buy, deliver_event, fake_stripe) -> Order:  # noqa: F811
    """Two seats of Level I, paid by card, with the invoice Stripe made after Checkout."""
    _, order = buy("level-i", 2)
    deliver_event(completed_event(fake_stripe, order, business_name="Northlight Films"))
    order.refresh_from_db()
    assert order.status == Order.Status.PAID and order.invoice_id.startswith("in_")
    return order
