"""Two workers sending the same email at the same moment (PostgreSQL): the order's row lock lets one claim
it and tells the other it is busy, so the email goes once."""

import threading
import time

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import connection, connections

from checkout import emails, services
from checkout.models import EmailDelivery, Order

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks and concurrent transactions need PostgreSQL (SQLite serialises writers)",
    ),
]


def message(order: Order) -> EmailMultiAlternatives:
    return EmailMultiAlternatives(subject=f"Order {order.reference}", body="Thank you.", to=[order.email])


def send_from_two_workers(order_id: int) -> list:
    barrier = threading.Barrier(2)
    outcomes: list = [None, None]

    def worker(index: int) -> None:
        try:
            barrier.wait()
            outcomes[index] = emails.send_once(order_id, "concurrency-test", message)
        except Exception as exc:  # the outcome is what the test looks at
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_two_workers_at_once_send_the_email_once(catalog, monkeypatch):
    order = services.create_pending_order(product=catalog["level-i"], quantity=1, visitor="")
    Order.objects.filter(pk=order.pk).update(email="buyer@example.com")
    # A delivery already on file, unclaimed: an earlier attempt failed and released it, and two workers
    # now retry at once. (A first attempt's insert is kept single by the unique index on its own.)
    EmailDelivery.objects.create(
        order=order,
        purpose="concurrency-test",
        recipient="buyer@example.com",
        attempts=1,
        last_error="timeout",
    )
    original_save = EmailDelivery.save

    def slow_save(self, *args, **kwargs):
        # Hold the claim's transaction open, so without the order's row lock both workers would read the
        # delivery unclaimed before either wrote its claim.
        time.sleep(0.5)
        return original_save(self, *args, **kwargs)

    monkeypatch.setattr(EmailDelivery, "save", slow_save)

    outcomes = send_from_two_workers(order.pk)

    assert len(mail.outbox) == 1
    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["EmailBusy", "str"]
    assert "sent" in outcomes
    delivery = EmailDelivery.objects.get(order=order, purpose="concurrency-test")
    assert delivery.sent_at is not None and delivery.attempts == 2
