"""Fixtures for team seat tests: the same as access's (a paid order, a signed-in buyer, a private MEDIA_ROOT
and a clean cache, checkout's fake Stripe and task runner), since seats are handed out on paid orders."""

import pytest
from django.core import mail

from access.models import Grant
from teams import seats
from tests.access.conftest import (  # noqa: F401  (fixtures used by these tests)
    buy,
    completed_event,
    deliver_event,
    fake_stripe,
    paid_order,
    private_media,
    run_ready_tasks,
    run_tasks,
    sign_in,
    stripe_server,
)


@pytest.fixture
def team_order(paid_order, client, sign_in):  # noqa: F811  (fixtures imported above)
    """A paid 5-seat Bundle order, its buyer signed in, Ana already holding seat 2."""
    order = paid_order("bundle", 5, name="Dana Okafor")
    order.company_name = "Northlight Pictures"
    order.save(update_fields=["company_name"])
    sign_in("buyer@example.com")
    token = Grant.objects.filter(order=order, seat=2).first().token
    seats.assign_seat(grant_token=token, buyer_email=order.email, name="Ana", email="ana@studio.example")
    run_ready_tasks()
    mail.outbox.clear()
    return order
