"""Staff ask Stripe to refund an order in full from the order admin; Stripe's answer and its webhook do the
rest as for a refund made in Stripe's dashboard (payments.refunds records it, the status derives from it,
the buyer's receipt and the end of access follow).

`ask_full_refund` checks there is money left to refund, writes the ask in the order's history and enqueues
`refund_in_full`, in one transaction. The task asks Stripe with one idempotency key per order and payment,
so a retried task, a second click or two workers make one refund at Stripe.
"""

import logging

from django.db import transaction

from catalog.money import format_money
from checkout import states, stripe_gateway
from checkout.models import Order
from common.tasks import PAYMENTS_QUEUE, retrying_task
from payments.models import Payment
from payments.refunds import converge_refund

logger = logging.getLogger("checkout")

PERMISSION = "checkout.refund_order"


class NothingToRefund(Exception):
    """The order has no money at Stripe left to give back; nothing was asked of Stripe."""


def refund_idempotency_key(order: Order, payment_intent_id: str) -> str:
    return f"order-{order.reference}-{order.token}-refund-in-full-{payment_intent_id}"


def _refundable_intents(order: Order) -> list[str]:
    return list(
        order.payments.filter(status=Payment.Status.SUCCEEDED)
        .exclude(stripe_payment_intent_id="")
        .order_by("pk")
        .values_list("stripe_payment_intent_id", flat=True)
    )


def left_to_refund(order: Order) -> int:
    """What Stripe could still give back, as our records have it: money received less refunds counted."""
    received = sum(
        order.payments.filter(status=Payment.Status.SUCCEEDED).values_list("amount_cents", flat=True)
    )
    return max(received - order.amount_refunded_cents, 0)


@transaction.atomic
def ask_full_refund(*, order_id: int, staff: str) -> Order:
    """Queue a full refund of the order at Stripe, or raise NothingToRefund (and queue nothing)."""
    order = Order.objects.select_for_update().get(pk=order_id)
    left = left_to_refund(order)
    if not order.money_received or not left or not _refundable_intents(order):
        raise NothingToRefund(
            f"{order.reference} has nothing to refund ({order.get_status_display().lower()}, "
            f"{format_money(order.amount_refunded_cents, order.currency)} refunded already)."
        )
    states.note(
        order,
        "refund asked",
        f"Full refund of {format_money(left, order.currency)} asked of Stripe.",
        source=f"staff:{staff}",
    )
    refund_in_full.enqueue(order.pk, f"staff:{staff}")
    return order


def refund_at_stripe(order_id: int, source: str) -> str:
    """Ask Stripe to refund what is left of each payment of the order, then record Stripe's answer (the
    webhook that follows changes nothing more). "refunded", or "nothing left" when Stripe says so."""
    order = Order.objects.get(pk=order_id)
    outcome = "nothing left"
    for intent_id in _refundable_intents(order):
        try:
            refund = stripe_gateway.refund_payment(
                intent_id,
                reason="requested_by_customer",
                metadata={"order_reference": order.reference, "asked_by": source[:500]},
                idempotency_key=refund_idempotency_key(order, intent_id),
            )
        except stripe_gateway.InvalidRequest as exc:
            if exc.code != "charge_already_refunded":
                raise
            logger.info("order %s: %s was refunded already", order.reference, intent_id)
            continue
        converge_refund(refund, source=source, reference=order.reference)
        outcome = "refunded"
    return outcome


@retrying_task(queue=PAYMENTS_QUEUE)
def refund_in_full(order_id: int, source: str) -> str:
    """The task beside its service: enqueued by `ask_full_refund` (the order admin's refund action)."""
    return refund_at_stripe(order_id, source)
