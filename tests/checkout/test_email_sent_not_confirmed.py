"""The one window where an email may go twice: it was handed to the mail server but recording the send
failed. The delivery then shows "Sent, not confirmed" to staff, and the retry after the claim timeout
sends it once more (at least once, never silently lost)."""

import datetime as dt

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import OperationalError
from django.utils import timezone

from checkout import emails, services
from checkout.models import SMTP_STEPS, EmailDelivery, Order

pytestmark = pytest.mark.django_db

PURPOSE = "order-confirmation"


def message(order: Order) -> EmailMultiAlternatives:
    return EmailMultiAlternatives(subject=f"Order {order.reference}", body="Thank you.", to=[order.email])


@pytest.fixture
def order(catalog) -> Order:
    order = services.create_pending_order(product=catalog["level-i"], quantity=1)
    Order.objects.filter(pk=order.pk).update(email="buyer@example.com")
    return order


def send_then_fail_to_record(order: Order, monkeypatch) -> EmailDelivery:
    def database_gone(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    with monkeypatch.context() as patch:
        patch.setattr(emails.states, "note", database_gone)
        with pytest.raises(OperationalError):
            emails.send_once(order.pk, PURPOSE, message)
    return EmailDelivery.objects.get(order=order, purpose=PURPOSE)


def claimed_ago(delivery: EmailDelivery, age: dt.timedelta) -> None:
    EmailDelivery.objects.filter(pk=delivery.pk).update(claimed_at=timezone.now() - age)
    delivery.refresh_from_db()


def test_an_email_whose_send_was_not_recorded_shows_as_sent_not_confirmed(order, monkeypatch, settings):
    delivery = send_then_fail_to_record(order, monkeypatch)

    assert len(mail.outbox) == 1  # it did go out
    assert delivery.sent_at is None and delivery.claimed_at is not None
    assert delivery.state() == "Sending"  # a moment ago: a send may still be under way
    claimed_ago(delivery, dt.timedelta(seconds=SMTP_STEPS * settings.EMAIL_TIMEOUT + 1))
    assert delivery.state() == "Sent, not confirmed"


def test_staff_see_sent_not_confirmed_on_the_order_page(order, monkeypatch, admin_client):
    delivery = send_then_fail_to_record(order, monkeypatch)
    claimed_ago(delivery, dt.timedelta(minutes=5))

    page = admin_client.get(f"/admin/checkout/order/{order.pk}/change/")

    assert page.status_code == 200
    assert "Sent, not confirmed" in page.text


def test_the_retry_after_the_claim_timeout_sends_it_once_more_and_says_so(order, monkeypatch, caplog):
    delivery = send_then_fail_to_record(order, monkeypatch)
    with pytest.raises(emails.EmailBusy):
        emails.send_once(order.pk, PURPOSE, message)  # within the claim timeout: nothing goes again
    claimed_ago(delivery, emails.CLAIM_TIMEOUT + dt.timedelta(seconds=1))

    with caplog.at_level("WARNING", logger="checkout"):
        assert emails.send_once(order.pk, PURPOSE, message) == "sent"

    delivery.refresh_from_db()
    assert len(mail.outbox) == 2  # the at-least-once bound: one more copy per unrecorded send
    assert delivery.state() == "Sent" and delivery.attempts == 2
    assert "never confirmed sent" in caplog.text
    assert emails.send_once(order.pk, PURPOSE, message) == "skipped"


def test_the_other_states_read_plainly(order):
    delivery = EmailDelivery.objects.create(order=order, purpose="x", recipient="buyer@example.com")
    assert delivery.state() == "Queued"
    delivery.attempts, delivery.last_error = 1, "SMTPServerDisconnected"
    assert delivery.state() == "Failed, will retry"
    delivery.sent_at = timezone.now()
    assert delivery.state() == "Sent"
