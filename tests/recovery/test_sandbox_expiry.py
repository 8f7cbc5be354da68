"""The fake and the sandbox expire sessions: the API's expire and the overview's button both send
`checkout.session.expired`, with Stripe's recovery URL on a session that asked for one."""

import pytest

from checkout.stripe_client import stripe_client
from tests.stripe_sandbox.test_sandbox import page

pytestmark = pytest.mark.django_db

SESSION = {
    "mode": "payment",
    "line_items": [
        {
            "price_data": {"currency": "usd", "unit_amount": 1500, "product_data": {"name": "A kit"}},
            "quantity": 1,
        }
    ],
    "success_url": "http://testserver/checkout/success/?session_id={CHECKOUT_SESSION_ID}",
}


def test_the_overview_button_expires_an_open_session_with_its_recovery_url(fake_stripe):
    session = stripe_client().v1.checkout.sessions.create(
        params={**SESSION, "after_expiration": {"recovery": {"enabled": True}}, "expires_at": 2_000_000_000}
    )
    assert session.expires_at == 2_000_000_000
    overview = page(f"{fake_stripe.url}/")[1]
    assert f'action="/c/expire/{session.id}"' in overview
    assert page(f"{fake_stripe.url}/c/expire/{session.id}")[0] == 404  # a GET changes nothing

    status, _, location = page(f"{fake_stripe.url}/c/expire/{session.id}", {})

    assert (status, location) == (303, "/")
    event = fake_stripe.events[-1]
    assert event["type"] == "checkout.session.expired"
    recovery = event["data"]["object"]["after_expiration"]["recovery"]
    assert recovery["enabled"] is True and recovery["url"].endswith(f"/c/recover/{session.id}")
    assert stripe_client().v1.checkout.sessions.retrieve(session.id).status == "expired"
    assert f'action="/c/expire/{session.id}"' not in page(f"{fake_stripe.url}/")[1]


def test_a_session_without_recovery_expires_without_a_recovery_url(fake_stripe):
    session = stripe_client().v1.checkout.sessions.create(params=SESSION)

    expired = stripe_client().v1.checkout.sessions.expire(session.id)

    assert expired.status == "expired" and expired.after_expiration is None
