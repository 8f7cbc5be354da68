"""`manage.py reconcile_stripe`: ask Stripe what happened (sessions, refunds, disputes) and bring every order
in line without any webhook, print one line per change, re-enqueue stuck work, and be safe to repeat."""

import datetime as dt
import io
import time

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from checkout import stripe_gateway
from checkout.models import Order
from common.tasks import lease_for
from payments import fees, reconcile, tasks
from payments import sync as stripe_sync
from payments.models import Payment, StripeEvent
from tests.checkout.conftest import completed_event, run_ready_tasks
from tests.stripe_fake import make_event

Status = Order.Status


@pytest.fixture(autouse=True)
def patient_stripe(fake_stripe, settings):
    settings.STRIPE_TIMEOUT_SECONDS = 10
    return fake_stripe


@pytest.fixture
def order(catalog, buy):
    response, order = buy("bundle", 3)
    assert response.status_code == 303
    return order


def reconcile_lines(*args: str) -> list[str]:
    out = io.StringIO()
    call_command("reconcile_stripe", *args, stdout=out)
    return out.getvalue().splitlines()


def pay_with_webhook(deliver_event, fake_stripe, order: Order) -> None:
    deliver_event(completed_event(fake_stripe, order))
    order.refresh_from_db()
    assert order.status == Status.PAID


def test_paid_session_whose_webhook_never_arrived_is_brought_to_paid_with_one_line(fake_stripe, order):
    fake_stripe.complete_session(order.stripe_session_id, email="quiet@example.com")

    lines = reconcile_lines()

    assert len(lines) == 1, lines
    assert lines[0].startswith(f"{order.reference}: pending -> paid")
    assert order.stripe_session_id in lines[0]
    order.refresh_from_db()
    assert (order.status, order.email) == (Status.PAID, "quiet@example.com")
    assert order.paid_at is not None
    assert order.history.filter(source="reconcile", kind="status").count() == 1
    run_ready_tasks()
    assert len(mail.outbox) == 1
    assert order.payments.get().fee_cents is not None

    assert reconcile_lines() == [], "a second run finds nothing to change"
    run_ready_tasks()
    assert len(mail.outbox) == 1


def test_expired_session_without_event_expires_the_order(fake_stripe, order):
    fake_stripe.expire_session(order.stripe_session_id)

    lines = reconcile_lines()

    assert lines == [line for line in lines if line.startswith(f"{order.reference}: pending -> expired")]
    assert len(lines) == 1
    order.refresh_from_db()
    assert order.status == Status.EXPIRED


def test_untouched_orders_print_nothing(fake_stripe, order):
    assert reconcile_lines() == []
    order.refresh_from_db()
    assert order.status == Status.PENDING


@pytest.mark.parametrize(
    ("since", "message"),
    [
        ("yesterday", "--since must be a date like 2026-11-01, not 'yesterday'."),
        ("2026-02-30", "--since must be a date like 2026-11-01, not '2026-02-30'."),
        ((timezone.now() + dt.timedelta(days=2)).date().isoformat(), "--since is in the future."),
    ],
)
def test_bad_or_future_since_is_a_clear_command_error(fake_stripe, db, since, message):
    with pytest.raises(CommandError) as raised:
        call_command("reconcile_stripe", "--since", since, stdout=io.StringIO())

    assert str(raised.value) == message
    assert fake_stripe.requests == [], "nothing is asked of Stripe before the arguments are checked"


def test_since_today_and_an_old_date_are_accepted(fake_stripe, order):
    fake_stripe.complete_session(order.stripe_session_id)

    assert reconcile_lines("--since", timezone.now().date().isoformat())[0].startswith(order.reference)
    assert reconcile_lines("--since", "2020-01-01") == []


def test_since_limits_the_sessions_asked_for(fake_stripe, order):
    day = (timezone.now() - dt.timedelta(days=10)).date()

    reconcile_lines("--since", day.isoformat())

    listed = [r for r in fake_stripe.requests if r.method == "GET" and r.path == "/v1/checkout/sessions"]
    expected = int(dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC).timestamp())
    assert listed and all(f"created%5Bgte%5D={expected}" in r.query for r in listed)


def test_without_a_stripe_key_the_command_says_so(db, settings):
    settings.STRIPE_SECRET_KEY = ""

    with pytest.raises(CommandError, match="STRIPE_SECRET_KEY is not set"):
        call_command("reconcile_stripe", stdout=io.StringIO())


def test_stripe_error_is_a_command_error_and_changes_nothing(fake_stripe, order):
    fake_stripe.complete_session(order.stripe_session_id)
    fake_stripe.fail_next("500")

    with pytest.raises(CommandError, match="Stripe answered with an error"):
        call_command("reconcile_stripe", stdout=io.StringIO())

    order.refresh_from_db()
    assert order.status == Status.PENDING


def test_refunds_and_disputes_made_at_stripe_without_events_are_recorded(fake_stripe, order, deliver_event):
    pay_with_webhook(deliver_event, fake_stripe, order)
    created = int(time.time()) - 3600
    refund = fake_stripe.refund(order.stripe_session_id, amount=2500, created=created)
    dispute = fake_stripe.dispute(order.stripe_session_id, status="needs_response")

    lines = reconcile_lines()

    assert len(lines) == 1, lines
    assert lines[0].startswith(f"{order.reference}: paid -> partially_refunded, refunded 0 -> 2500")
    assert "refunds 0 -> 1, disputes 0 -> 1" in lines[0]
    order.refresh_from_db()
    assert order.amount_refunded_cents == 2500
    record = order.refunds.get()
    assert record.stripe_refund_id == refund["id"]
    assert record.created == dt.datetime.fromtimestamp(created, tz=dt.UTC)
    assert order.disputes.get().stripe_dispute_id == dispute["id"]
    assert order.needs_review is True
    assert reconcile_lines() == []
    run_ready_tasks()
    # The confirmation, and the buyer's receipt for the refund found (issue 20).
    assert sorted(m.subject.split()[0] for m in mail.outbox) == ["Refund", "Your"]


def test_refund_in_the_window_on_a_session_older_than_the_window_is_found(fake_stripe, order, deliver_event):
    pay_with_webhook(deliver_event, fake_stripe, order)
    fake_stripe.sessions[order.stripe_session_id]["created"] = int(time.time()) - 40 * 24 * 3600
    Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - dt.timedelta(days=40))
    fake_stripe.refund(order.stripe_session_id)

    lines = reconcile_lines()

    assert len(lines) == 1 and lines[0].startswith(f"{order.reference}: paid -> refunded"), lines
    order.refresh_from_db()
    assert order.status == Status.REFUNDED


def test_refund_status_changed_at_stripe_is_updated_by_the_sweep(fake_stripe, order, deliver_event):
    pay_with_webhook(deliver_event, fake_stripe, order)
    refund = fake_stripe.refund(order.stripe_session_id, amount=1000, status="pending")
    reconcile_lines()
    fake_stripe.update_refund(refund["id"], status="succeeded")

    reconcile_lines("--sweep")

    assert order.refunds.get().status == "succeeded"


def test_refund_status_changed_at_stripe_is_updated_from_the_event_the_webhook_missed(
    fake_stripe, order, deliver_event
):
    pay_with_webhook(deliver_event, fake_stripe, order)
    refund = fake_stripe.refund(order.stripe_session_id, amount=1000, status="pending")
    reconcile_lines()  # the first pass sweeps
    assert order.refunds.get().status == "pending"
    fake_stripe.update_refund(refund["id"], status="succeeded")

    lines = reconcile_lines()  # a sweep ran today: this pass reads the events

    assert [line.split(":")[0] for line in lines] == [
        f"event {e['id']} ({e['type']})"
        for e in reversed(fake_stripe.events)
        if e["type"] == "refund.updated"
    ]
    assert order.refunds.get().status == "pending", "the event's task converges, not the pass itself"
    run_ready_tasks()
    assert order.refunds.get().status == "succeeded"
    assert reconcile_lines() == [], "the event is recorded now: the next pass has nothing to do"


def test_all_pages_of_stripe_lists_are_walked(fake_stripe, catalog, buy, monkeypatch):
    monkeypatch.setattr(stripe_gateway, "PAGE_SIZE", 2)
    orders = []
    for quantity in range(1, 6):
        response, order = buy("level-i", quantity)
        assert response.status_code == 303
        fake_stripe.complete_session(order.stripe_session_id)
        orders.append(order)
    # Older sessions are on later pages; keep them out of the "pending here" safety net.
    Order.objects.filter(pk__in=[o.pk for o in orders]).update(
        created_at=timezone.now() - dt.timedelta(days=5)
    )

    lines = reconcile_lines()

    assert sorted(line.split(":")[0] for line in lines) == sorted(o.reference for o in orders)
    assert set(Order.objects.values_list("status", flat=True)) == {Status.PAID}


def test_checkout_whose_session_id_was_never_stored_is_matched_by_reference(fake_stripe, order):
    session_id = order.stripe_session_id
    Order.objects.filter(pk=order.pk).update(stripe_session_id=None)
    fake_stripe.complete_session(session_id)

    reconcile_lines()

    order.refresh_from_db()
    assert (order.stripe_session_id, order.status) == (session_id, Status.PAID)


def test_checkout_whose_session_id_was_never_stored_is_printed_when_reconciled(fake_stripe, order):
    session_id = order.stripe_session_id
    Order.objects.filter(pk=order.pk).update(stripe_session_id=None)
    fake_stripe.complete_session(session_id)

    lines = reconcile_lines()

    assert [line for line in lines if line.startswith(f"{order.reference}: pending -> paid")], lines


def test_running_task_older_than_stuck_after_is_enqueued_again(fake_stripe, order):
    fake_stripe.complete_session(order.stripe_session_id)
    lost = tasks.sync_order.enqueue(order.pk, "staff")
    fresh = tasks.sync_order.enqueue(order.pk, "staff")
    now = timezone.now()
    DBTaskResult.objects.filter(pk=lost.id).update(
        status="RUNNING", started_at=now - lease_for(tasks.sync_order.module_path) - dt.timedelta(seconds=5)
    )
    DBTaskResult.objects.filter(pk=fresh.id).update(
        status="RUNNING", started_at=now - lease_for(tasks.sync_order.module_path) + dt.timedelta(minutes=5)
    )

    lines = reconcile_lines()

    assert f"task {tasks.sync_order.module_path} {lost.id}: worker lost, enqueued again" in lines
    assert not any(str(fresh.id) in line for line in lines), "a task still within its time is left alone"
    assert DBTaskResult.objects.get(pk=lost.id).status == "FAILED"
    assert DBTaskResult.objects.get(pk=fresh.id).status == "RUNNING"
    again = DBTaskResult.objects.get(status="READY", task_path=tasks.sync_order.module_path)
    assert again.args_kwargs == {"args": [order.pk, "staff"], "kwargs": {}}
    assert not [line for line in reconcile_lines() if "worker lost" in line]


def test_event_never_handled_is_enqueued_again(fake_stripe, order, deliver_event):
    deliver_event(completed_event(fake_stripe, order), run=False)
    DBTaskResult.objects.all().delete()  # the task row was lost (restored backup, manual cleanup)
    StripeEvent.objects.update(received_at=timezone.now() - reconcile.OVERDUE_AFTER - dt.timedelta(minutes=1))
    event = StripeEvent.objects.get()
    # Reconcile also converges the order from Stripe's session list; the event is handled afterwards.

    lines = reconcile_lines()
    run_ready_tasks()

    assert f"event {event.event_id}: not handled yet, enqueued again" in lines
    event.refresh_from_db()
    assert event.handled_at is not None and event.order_id == order.pk
    assert len(mail.outbox) == 1


def test_fee_task_stores_fee_and_net_from_the_balance_transaction(fake_stripe, order, deliver_event):
    pay_with_webhook(deliver_event, fake_stripe, order)

    payment = order.payments.get()
    charge = fake_stripe.charge_for(order.stripe_session_id)
    transaction = fake_stripe.balance_transactions[charge["balance_transaction"]]
    assert payment.stripe_charge_id == charge["id"]
    assert payment.stripe_balance_transaction_id == transaction["id"]
    assert payment.fee_cents == round(charge["amount"] * 0.029) + 30 == transaction["fee"]
    assert payment.net_cents == charge["amount"] - payment.fee_cents == transaction["net"]


def test_fee_lookup_that_failed_is_retried_and_then_re_enqueued_by_reconcile(fake_stripe, order):
    fake_stripe.complete_session(order.stripe_session_id)
    stripe_sync.sync_order(order.pk, source="test")  # converge; the fee task is enqueued, not run yet
    fake_stripe.fail_next("500")
    run_ready_tasks()
    payment = order.payments.get()
    assert payment.fee_cents is None
    fee_tasks = DBTaskResult.objects.filter(task_path=fees.record_payment_fees.module_path)
    assert fee_tasks.filter(status="READY").count() == 1, "a failed fee lookup retries with backoff"

    fee_tasks.filter(status="READY").delete()  # suppose every retry failed too
    overdue = timezone.now() - reconcile.OVERDUE_AFTER * 2
    Payment.objects.filter(pk=payment.pk).update(paid_at=overdue)
    Order.objects.filter(pk=order.pk).update(paid_at=overdue)

    lines = reconcile_lines()
    run_ready_tasks()

    assert f"payment {payment.pk} ({order.pk}): fee not recorded yet, enqueued again" in lines
    payment.refresh_from_db()
    assert payment.fee_cents is not None and payment.net_cents == payment.amount_cents - payment.fee_cents


def test_fee_task_waits_for_a_charge_stripe_has_not_made_yet(fake_stripe, order, deliver_event):
    deliver_event(completed_event(fake_stripe, order, payment_status="unpaid"))
    session = fake_stripe.settle_async(order.stripe_session_id, succeeded=True)
    deliver_event(make_event("checkout.session.async_payment_succeeded", session))

    payment = order.payments.get()
    assert payment.status == Payment.Status.SUCCEEDED
    assert (
        payment.fee_cents
        == fake_stripe.balance_transactions[
            fake_stripe.charge_for(order.stripe_session_id)["balance_transaction"]
        ]["fee"]
    )
