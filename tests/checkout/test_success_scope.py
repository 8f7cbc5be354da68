"""The browser that paid is signed in for the order it paid (issue 33): it sees that order, may hand out
that order's seats, and is asked for a full sign-in for the buyer's other orders."""

import pytest

from tests.access.conftest import paid_order, private_media  # noqa: F401  (fixtures used by these tests)
from tests.checkout.conftest import run_ready_tasks

SUCCESS = "/checkout/success/"


def test_the_paying_browser_sees_the_order_it_paid_and_none_other(client, fake_stripe, buy, paid_order):  # noqa: F811
    earlier = paid_order("bundle", 3, email="pat@example.com")
    _, order = buy("resume-kit", 2)
    fake_stripe.complete_session(order.stripe_session_id, email="pat@example.com")

    client.get(SUCCESS, {"session_id": order.stripe_session_id})
    run_ready_tasks()
    page = client.get("/purchases/").text

    assert order.reference in page and earlier.reference not in page
    assert f"This view is limited to order {order.reference}" in page
    # What the page says of the seats is what this browser may do with them.
    assert "hand out its seats here" in page and "or to hand out seats" not in page
    assert client.get(f"/purchases/orders/{order.reference}/seats/").status_code == 200
    assert client.get(f"/purchases/orders/{earlier.reference}/seats/").status_code == 403


pytestmark = pytest.mark.django_db
