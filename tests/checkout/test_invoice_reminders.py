"""Reminders for invoices on terms, with a frozen clock: 7 days before the due date, on it, 7 and 14 days
after; each once, a late run sends only the latest, none after payment or voiding."""

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command

from checkout import stripe_gateway
from invoicing import converge as invoice_issuing
from invoicing import converge as request_invoices
from invoicing import reminders
from invoicing.models import PaymentRequest
from tests.checkout.payreq_helpers import deliver_new_events, fresh_request_throttle, payer_link, send_request  # noqa: F401  (the fixture: autouse)

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(client, catalog, fake_stripe, run_tasks):
    _, request = send_request(client)
    run_tasks()
    client.post(payer_link(), {"action": "invoice"})
    run_tasks()
    request.refresh_from_db()
    assert request.state == PaymentRequest.State.ISSUED
    mail.outbox.clear()
    return request


def _reminders_sent() -> list[str]:
    return [m.subject for m in mail.outbox if m.subject.startswith("Reminder")]


def _run_day(request, days_from_due: int, run_tasks, hour: int = 9) -> list[str]:
    day = request.due_at.astimezone(dt.UTC).date() + dt.timedelta(days=days_from_due)
    now = dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)
    lines = list(reminders.enqueue_due_reminders(now))
    run_tasks()
    return lines


def test_exactly_four_reminders_once_each_over_the_invoices_life(issued, run_tasks):
    for offset in range(-30, 40):
        for hour in (1, 13):  # twice a day, as a reconcile run might
            _run_day(issued, offset, run_tasks, hour)

    subjects = _reminders_sent()
    assert len(subjects) == 4
    assert ["due in 7 days" in subjects[0], "due today" in subjects[1]] == [True, True]
    assert "7 days overdue" in subjects[2] and "14 days overdue" in subjects[3]
    first = next(m for m in mail.outbox if m.subject.startswith("Reminder"))
    assert first.to == ["max@studio.example"]
    assert "dana@studio.example" in first.cc
    assert issued.invoice_url in first.body


def test_no_reminder_before_its_day(issued, run_tasks):
    assert _run_day(issued, -8, run_tasks) == []
    assert _reminders_sent() == []


def test_a_late_run_sends_only_the_latest_reminder(issued, run_tasks):
    _run_day(issued, 10, run_tasks)

    (subject,) = _reminders_sent()
    assert "7 days overdue" in subject


def test_no_reminder_after_payment(issued, fake_stripe, run_tasks, deliver_event):
    _run_day(issued, -7, run_tasks)
    invoice = fake_stripe.invoices[issued.stripe_invoice_id]
    fake_stripe.fund_cash_balance(invoice["customer"], invoice["amount_due"])
    deliver_new_events(fake_stripe, deliver_event, set())

    for offset in range(-6, 30):
        _run_day(issued, offset, run_tasks)

    assert len(_reminders_sent()) == 1


def test_no_reminder_after_voiding(issued, run_tasks):
    invoice_issuing.void_invoice(issued.pk, source="staff:test")
    for offset in range(-7, 30):
        _run_day(issued, offset, run_tasks)

    assert _reminders_sent() == []


def test_a_reminder_enqueued_before_payment_is_not_sent_after_it(issued, fake_stripe, run_tasks):
    day = issued.due_at.astimezone(dt.UTC)
    list(reminders.enqueue_due_reminders(day))
    invoice = fake_stripe.invoices[issued.stripe_invoice_id]
    fake_stripe.fund_cash_balance(invoice["customer"], invoice["amount_due"])
    # The payment is recorded (reconcile's path) before a worker gets to the queued reminder.
    request_invoices.converge_request_invoice(stripe_gateway.fetch_invoice(invoice["id"]), source="reconcile")
    run_tasks()

    assert _reminders_sent() == []


def test_the_command_enqueues_due_reminders(issued, run_tasks, capsys, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: issued.due_at + dt.timedelta(hours=1))
    call_command("send_invoice_reminders")
    run_tasks()

    assert "reminder due enqueued" in capsys.readouterr().out
    (subject,) = _reminders_sent()
    assert "due today" in subject
