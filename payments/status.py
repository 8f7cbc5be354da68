"""An order's status and totals derived from its money records, and what a change of status sets off.

`settle` applies the derived status (forward only) and, in the same transaction, closes an open payment
request (settings.PAYMENT_REQUEST_HOOKS), enqueues the confirmation and the tasks other apps registered in
settings.ORDER_CHANGED_TASKS (access converges its grants and credit): payments never imports the apps that
use it.
"""

from django.db.models import Sum
from django.utils import timezone

from checkout import payers, states
from checkout.models import Order
from common import hooks
from payments import confirmation
from payments.models import Payment, Refund
from payments.review import flag

Status = Order.Status


def order_changed(order: Order) -> None:
    """Tell the apps that follow orders (settings.ORDER_CHANGED_TASKS) that this order's money moved; each
    decides from the order's current state what that means for it. Call inside the change's transaction."""
    for task in hooks.named("ORDER_CHANGED_TASKS"):
        task.enqueue(order.pk)


def money_returned(order: Order) -> None:
    """Tell the apps that answer returned money (settings.MONEY_RETURNED_TASKS: credit notes) that a refund
    or dispute of this order was recorded or changed. Call inside the change's transaction."""
    for task in hooks.named("MONEY_RETURNED_TASKS"):
        task.enqueue(order.pk)


def derive_status(order: Order) -> str | None:
    """Set the order's refunded total and paid time from its money records; return the status they imply
    (None when no payment exists yet). The caller applies it with `settle`."""
    payments = list(order.payments.all())
    succeeded = [p for p in payments if p.status == Payment.Status.SUCCEEDED]
    refunded = (
        order.refunds.filter(status__in=Refund.COUNTED_STATUSES).aggregate(total=Sum("amount_cents"))["total"]
        or 0
    )
    order.amount_refunded_cents = refunded
    if succeeded:
        order.paid_at = min((p.paid_at for p in succeeded if p.paid_at), default=timezone.now())
        received = sum(p.amount_cents for p in succeeded)
        if refunded and refunded >= received:
            return Status.REFUNDED
        return Status.PARTIALLY_REFUNDED if refunded else Status.PAID
    if any(p.status == Payment.Status.PROCESSING for p in payments):
        return Status.PROCESSING
    if any(p.status == Payment.Status.FAILED for p in payments):
        return Status.FAILED
    return None


def settle(order: Order, target: str | None, *, source: str, before: str) -> None:
    """Apply the derived status (forward only), save, and enqueue what the change causes."""
    if target is not None:
        if states.can_move(order.status, target):
            states.move(order, target, source=source)
        elif order.status in states.FINISHED_UNPAID and target in states.MONEY_RECEIVED:
            # Money arrived for an order we had given up on: never lose it silently.
            flag(order, f"Stripe received money but the order is {order.status}.", source=source)
    order.save(update_fields=["status", "amount_refunded_cents", "paid_at", "updated_at"])
    if before not in states.MONEY_RECEIVED and order.status in states.MONEY_RECEIVED:
        payers.money_received(order, source=source)
        confirmation.send_order_confirmation.enqueue(order.pk)
    if order.status != before:
        order_changed(order)
