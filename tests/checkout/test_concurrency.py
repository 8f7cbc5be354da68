"""Concurrent deliveries on PostgreSQL: the row lock and the event-id record keep fulfilment single."""

import json

import pytest
from django.core import mail
from django.test import Client

from checkout.models import Order
from payments.models import StripeEvent
from tests.checkout.conftest import completed_event, run_ready_tasks, signed_post
from tests.concurrency import POSTGRESQL_ONLY, run_together
from tests.stripe_fake import make_event

pytestmark = POSTGRESQL_ONLY


@pytest.fixture
def order(catalog, buy):
    response, order = buy("bundle", 4)
    assert response.status_code == 303
    return order


def test_same_completed_event_from_five_threads_pays_once_and_emails_once(
    fake_stripe, order, caplog, settings
):
    body = json.dumps(completed_event(fake_stripe, order)).encode()

    with caplog.at_level("INFO", logger="checkout"):
        responses = run_together([lambda: signed_post(Client(), body)] * 5)
        ran = run_together([run_ready_tasks] * 3)

    assert [r.status_code for r in responses] == [200] * 5
    assert sorted(r.content for r in responses) == [b"duplicate"] * 4 + [b"processed"]
    # The event's handling, then the fee lookup, the confirmation and each app's order-changed task (access
    # grants, recovery's look at the order): each once across three workers.
    assert sum(ran) == 3 + len(settings.ORDER_CHANGED_TASKS)
    assert sum("-> paid" in message for message in caplog.messages) == 1
    assert StripeEvent.objects.count() == 1
    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID
    assert len(mail.outbox) == 1


def test_webhooks_and_success_pages_racing_fulfil_once(fake_stripe, order, caplog):
    session = fake_stripe.complete_session(order.stripe_session_id)
    bodies = [
        json.dumps(make_event("checkout.session.completed", session)).encode(),
        json.dumps(make_event("checkout.session.async_payment_succeeded", session)).encode(),
    ]
    success = f"/checkout/success/?session_id={order.stripe_session_id}"
    requests = [lambda b=b: signed_post(Client(), b) for b in bodies] + [lambda: Client().get(success)] * 3

    with caplog.at_level("INFO", logger="checkout"):
        responses = run_together(requests)
        run_together([run_ready_tasks] * 3)

    assert [r.status_code for r in responses] == [200] * 5
    assert sum("-> paid" in message for message in caplog.messages) == 1
    assert StripeEvent.objects.count() == 2
    assert Order.objects.get(pk=order.pk).confirmation_sent_at is not None
    assert len(mail.outbox) == 1
