"""Fixtures for checkout reminder tests: checkout's fake Stripe, webhook delivery and task runner, and a buyer
who starts a checkout (with or without the reminder box ticked) and leaves it to expire."""

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse

from checkout.models import Order
from checkout.stripe_client import stripe_client
from tests.checkout.conftest import (  # noqa: F401  (fixtures used by these tests)
    buy,
    completed_event,
    deliver_event,
    fake_stripe,
    run_ready_tasks,
    run_tasks,
    stripe_server,
)
from tests.stripe_fake import make_event

BUYER = "Producer@Example.com"


@pytest.fixture(autouse=True)
def no_holdout(settings):
    settings.RECOVERY_HOLDOUT_PERCENT = 0


@pytest.fixture
def start(client, fake_stripe, catalog) -> Callable[..., Order]:  # noqa: F811
    """Start a checkout from the review page's form; `consent` ticks the reminder box."""

    def start(slug: str = "level-i", quantity: int = 1, *, consent: bool = True, email: str = BUYER) -> Order:
        fields: dict[str, Any] = {"digital_consent": "on", "product": slug, "quantity": quantity}
        if consent:
            fields.update(recovery_consent="yes", recovery_email=email)
        response = client.post(reverse("checkout:start"), fields)
        assert response.status_code == 303, response.content[:500]
        return Order.objects.order_by("-pk").first()

    return start


def expired_event(order: Order) -> dict[str, Any]:
    """Stripe expires the order's session (the fake's expire endpoint, through the stripe library)."""
    session = stripe_client().v1.checkout.sessions.expire(order.stripe_session_id).to_dict()
    return make_event("checkout.session.expired", session)


@pytest.fixture
def expire(deliver_event) -> Callable[[Order], None]:  # noqa: F811
    def expire(order: Order) -> None:
        mail.outbox.clear()
        response = deliver_event(expired_event(order))
        assert response.status_code == 200

    return expire


def reminders_sent() -> list:
    return [m for m in mail.outbox if m.extra_headers.get("List-Unsubscribe")]
