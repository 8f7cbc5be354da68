"""Fixtures for checkout tests: the fake Stripe server (tests/stripe_fake.py) and signed webhook delivery.

- `stripe_server`: one FakeStripe for the whole run (session scope), started on 127.0.0.1:0.
- `fake_stripe`: the same server, reset, with the STRIPE_* settings pointing at it (test keys, a short
  timeout and no library retries so failure tests are fast).
- `deliver_event(event, ...)`: POST a signed event to /stripe/webhook/, then run the background tasks it
  enqueued (as `manage.py db_worker` would), unless `run=False`.
- `run_tasks()`: run every ready background task, as a worker in batch mode does; returns how many ran.
- `buy(slug, quantity)`: drive the review page's form to the Stripe redirect; returns (response, order).
"""

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse

from checkout.models import Order
from tests.stripe_fake import FakeStripe, make_event, sign_payload

WEBHOOK_SECRET = "whsec_test_fake_webhook_secret"
WEBHOOK_URL = "/stripe/webhook/"


@pytest.fixture(scope="session")
def stripe_server():
    server = FakeStripe(timeout_delay=1.0).start()
    yield server
    server.stop()


@pytest.fixture
def fake_stripe(stripe_server: FakeStripe, settings) -> FakeStripe:
    stripe_server.reset()
    settings.STRIPE_SECRET_KEY = "sk_test_fake_secret_key"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_fake_publishable_key"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = stripe_server.url
    settings.STRIPE_TIMEOUT_SECONDS = 0.3
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    settings.SITE_URL = "http://testserver"
    return stripe_server


def signed_post(client, body: bytes, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None, **extra):
    return client.post(
        WEBHOOK_URL,
        body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign_payload(body, secret, timestamp),
        **extra,
    )


def run_ready_tasks() -> int:
    """Run ready background tasks until none is left, in this process, with django-tasks-db's own Worker
    (claim, run, record success or failure), minus its polling loop, which closes database connections
    between tasks (that would end a test's transaction)."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    while True:
        with transaction.atomic():  # as the worker claims: SELECT … FOR UPDATE SKIP LOCKED
            result = DBTaskResult.objects.ready().get_locked()
            if result is None:
                return worker._run_tasks
            result.claim(worker.worker_id)
        worker.run_task(result)


@pytest.fixture
def run_tasks(fake_stripe) -> Callable[[], int]:
    return run_ready_tasks


@pytest.fixture
def deliver_event(client, fake_stripe) -> Callable[..., Any]:
    def deliver(event: dict[str, Any], run: bool = True, **kwargs):
        response = signed_post(client, json.dumps(event).encode(), **kwargs)
        if run:
            run_ready_tasks()
        return response

    return deliver


@pytest.fixture
def buy(client, fake_stripe) -> Callable[..., tuple[Any, Order | None]]:
    def buy(slug: str, quantity: Any = 1, **extra_fields):
        response = client.post(
            reverse("checkout:start"),
            {"digital_consent": "on", "product": slug, "quantity": quantity, **extra_fields},
        )
        return response, Order.objects.order_by("-pk").first()

    return buy


def completed_event(fake: FakeStripe, order: Order, **session_fields) -> dict[str, Any]:
    """The `checkout.session.completed` event for `order` after the buyer paid on the fake."""
    session = fake.complete_session(order.stripe_session_id, **session_fields)
    return make_event("checkout.session.completed", session)
