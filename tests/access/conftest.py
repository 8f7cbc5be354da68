"""Fixtures for access tests: checkout's fake Stripe and task runner, a private MEDIA_ROOT, a clean cache
(the sign-in throttle counts there), and helpers to pay for an order and sign in to /purchases/."""

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache

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

SIGN_IN_LINK = re.compile(r"http://testserver(/purchases/sign-in/[^/\s]+/)")


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def paid_order(catalog, buy, deliver_event, fake_stripe) -> Callable[..., Order]:  # noqa: F811
    """Buy `quantity` seats of `slug` through the review page and pay on the fake; tasks run."""

    def pay(
        slug: str, quantity: int = 1, email: str = "buyer@example.com", name: str = "Test Buyer"
    ) -> Order:
        _, order = buy(slug, quantity)
        deliver_event(completed_event(fake_stripe, order, email=email, name=name))
        order.refresh_from_db()
        return order

    return pay


def sign_in_link_for(email: str) -> str:
    """The path of the latest sign-in link emailed to `email`."""
    for message in reversed(mail.outbox):
        if email in message.to and SIGN_IN_LINK.search(message.body):
            return SIGN_IN_LINK.search(message.body).group(1)
    raise AssertionError(f"no sign-in link was emailed to {email}")


@pytest.fixture
def sign_in(client) -> Callable[[str], Any]:
    """Ask for a link for `email`, run the email task, open the link and press the button."""

    def sign_in(email: str):
        client.post("/purchases/", {"email": email})
        run_ready_tasks()
        link = sign_in_link_for(email)
        return client.post(link)

    return sign_in
