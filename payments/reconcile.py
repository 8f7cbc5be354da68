"""Reconciliation with Stripe: walk Stripe's lists for a window, converge every order they touch, and
re-enqueue background work that is stuck. Used by `manage.py reconcile_stripe`."""

import datetime as dt
from collections.abc import Iterator

from django.db.models import Q
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from checkout import payers, selectors, stripe_gateway
from checkout.models import EmailDelivery, Order
from checkout.states import MONEY_RECEIVED
from checkout.stripe_values import object_id
from common import hooks
from common.text import single_line
from common.worker import requeue_expired_leases, requeue_lost_tasks
from payments import confirmation, fees, payouts, tasks
from payments import sync as stripe_sync
from payments.models import Payment, Payout, StripeEvent

DEFAULT_DAYS = 3
# Work that should have happened by now if its task ran.
OVERDUE_AFTER = dt.timedelta(minutes=10)


def default_start() -> dt.datetime:
    return timezone.now() - dt.timedelta(days=DEFAULT_DAYS)


def _fingerprint(order: Order) -> tuple:
    order.refresh_from_db()
    return (
        order.status,
        order.amount_refunded_cents,
        order.paid_at,
        order.needs_review,
        order.refunds.count(),
        order.disputes.count(),
    )


def _orders_in_window(start: dt.datetime) -> dict[int, str]:
    """Our orders that Stripe shows activity for since `start`, with what pointed at them."""
    since = int(start.timestamp())
    found: dict[int, str] = {}
    for session in stripe_gateway.sessions_since(since):
        session_id = object_id(session.get("id"))
        # Checkout started, then the request died before the session id was stored: link it, and let the
        # sync below (between the before and after snapshots) do the rest.
        order = selectors.order_for_session_id(session_id) or selectors.link_session_by_reference(
            single_line(session.get("client_reference_id"), 20), session_id
        )
        if order is not None:
            found.setdefault(order.pk, f"session {session.get('id')}")
    for kind, listing in (
        ("refund", stripe_gateway.refunds_since),
        ("dispute", stripe_gateway.disputes_since),
    ):
        for item in listing(since):
            order = stripe_sync.order_for_payment_intent(item.payment_intent_id)
            if order is not None:
                found.setdefault(order.pk, f"{kind} {item.id}")
    # Pending orders of ours whose sessions Stripe may no longer list (older sessions still open).
    for pk in Order.objects.filter(
        status__in=[Order.Status.PENDING, Order.Status.PROCESSING],
        created_at__gte=start,
        stripe_session_id__isnull=False,
    ).values_list("pk", flat=True):
        found.setdefault(pk, "pending here")
    return found


def reconcile(start: dt.datetime) -> Iterator[str]:
    """Converge the window's orders, then re-enqueue stuck work; yields one line per change."""
    for order_id, why in _orders_in_window(start).items():
        order = Order.objects.get(pk=order_id)
        before = _fingerprint(order)
        try:
            stripe_sync.sync_order(order_id, source="reconcile")
        except stripe_gateway.InvalidRequest as error:
            # Stripe no longer knows it (a restarted sandbox is empty): say so and carry on with the rest.
            missing = stripe_gateway.unknown_to_stripe(error, f"session {order.stripe_session_id}")
            if missing is None:
                raise
            yield f"{missing} is unknown to Stripe; skipped ({order.reference or why})"
            continue
        after = _fingerprint(order)
        if after != before:
            yield (
                f"{order.reference}: {before[0]} -> {after[0]}, refunded {before[1]} -> {after[1]}, "
                f"refunds {before[4]} -> {after[4]}, disputes {before[5]} -> {after[5]} ({why})"
            )
    for payout in stripe_gateway.payouts_since(int(start.timestamp())):
        if not payout.id:
            continue  # nothing we could fetch it by
        record = Payout.objects.filter(stripe_payout_id=payout.id).first()
        before = (record.status, record.lines_fetched_at is not None) if record else None
        record = payouts.sync_payout(payout.id)
        record.refresh_from_db()
        if before != (record.status, record.lines_fetched_at is not None):
            yield f"payout {record.stripe_payout_id}: {record.status}, {record.lines.count()} transactions"
    # Payment requests: open invoices converge on Stripe's (a missed invoice.paid), then their reminders.
    yield from payers.reconcile()
    for extra in hooks.named("RECONCILE_EXTRAS"):  # the apps above payments (credit notes)
        yield from extra(start)
    yield from requeue_stuck_work(since=start)


def _queued(task_path: str, *args: object) -> bool:
    """Whether a task with these arguments is already waiting or running (a retry scheduled, say)."""
    return DBTaskResult.objects.filter(
        task_path=task_path, status__in=["READY", "RUNNING"], args_kwargs__args=list(args)
    ).exists()


def requeue_stuck_work(since: dt.datetime | None = None) -> Iterator[str]:
    """Runs whose worker was lost (lease expired), payments' own overdue work by what the records say,
    then the tasks of every app that failed since `since` (default: the reconcile window) with no retry
    left and nothing queued for them since."""
    now = timezone.now()
    yield from requeue_expired_leases(now)
    overdue = now - OVERDUE_AFTER
    for event in StripeEvent.objects.filter(handled_at__isnull=True, received_at__lt=overdue):
        if _queued(tasks.handle_stripe_event.module_path, event.pk):
            continue
        tasks.handle_stripe_event.enqueue(event.pk)
        yield f"event {event.event_id}: not handled yet, enqueued again"
    sent = EmailDelivery.objects.filter(purpose="order-confirmation", sent_at__isnull=False)
    unconfirmed = (
        Order.objects.filter(status__in=MONEY_RECEIVED, paid_at__lt=overdue)
        .exclude(email="")
        .exclude(pk__in=sent.values("order_id"))
    )
    for order in unconfirmed:
        if _queued(confirmation.send_order_confirmation.module_path, order.pk):
            continue
        confirmation.send_order_confirmation.enqueue(order.pk)
        yield f"{order.reference}: confirmation not sent yet, enqueued again"
    for payment in Payment.objects.filter(
        Q(fee_cents__isnull=True) | Q(settlement_currency=""),
        status=Payment.Status.SUCCEEDED,
        paid_at__lt=overdue,
    ):
        if _queued(fees.record_payment_fees.module_path, payment.pk):
            continue
        fees.record_payment_fees.enqueue(payment.pk)
        yield f"payment {payment.pk} ({payment.order_id}): fee not recorded yet, enqueued again"
    yield from requeue_lost_tasks(since or default_start())
