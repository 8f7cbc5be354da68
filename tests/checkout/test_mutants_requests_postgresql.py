"""Issue 34's mutant of invoicing.requests that survived on PostgreSQL too, with real concurrent sends."""

import threading

import pytest
from django.db import connection, connections

from checkout import services
from invoicing import requests as payment_requests
from invoicing.models import PaymentRequest
from tests.checkout.payreq_helpers import REQUEST_FIELDS, fresh_request_throttle  # noqa: F401  (autouse)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks and concurrent transactions need PostgreSQL (SQLite serialises writers)",
    ),
]


def test_two_sends_racing_for_one_pending_order_make_one_request(catalog, monkeypatch):
    """Kills issue-34 mutant: invoicing/requests second live payment request allowed on one order (105, on
    PostgreSQL).

    Two browsers' sends (a double click) both find the same pending order before either has made its
    request; the barrier holds each until both have it. The one that takes the order's lock second finds
    the first one's request: it is refused with that request as `existing`, never a second request and
    never a database error."""
    product = catalog["bundle"]
    found = services.create_pending_order
    both_found = threading.Barrier(2, timeout=10)

    def find_then_wait(**kwargs):
        order = found(**kwargs)
        both_found.wait()
        return order

    monkeypatch.setattr(payment_requests.services, "create_pending_order", find_then_wait)
    outcomes: list = [None, None]

    def send(index: int) -> None:
        try:
            outcomes[index] = payment_requests.request_payment(
                product=product,
                quantity=10,
                visitor="one-browser",
                po_number="PO-1",
                details=payment_requests.RequestDetails(**REQUEST_FIELDS),
            )
        except Exception as exc:  # the outcome under test: RequestRefused, or any error the mutant makes
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    made = [o for o in outcomes if isinstance(o, PaymentRequest)]
    refused = [o for o in outcomes if isinstance(o, payment_requests.RequestRefused)]
    assert len(made) == 1 and len(refused) == 1, outcomes
    assert refused[0].existing == made[0]
    assert list(PaymentRequest.objects.values_list("pk", flat=True)) == [made[0].pk]
