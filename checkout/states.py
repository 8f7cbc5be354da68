"""The order state machine: which moves are allowed (forward, except that a failed refund undoes its own
state), and the one log line and history row per change."""

import logging

from checkout.models import Order, OrderEvent

logger = logging.getLogger("checkout")

Status = Order.Status

# Money has been received for an order in one of these states (the confirmation email is due).
MONEY_RECEIVED = Order.MONEY_RECEIVED
# States an order never leaves.
FINISHED_UNPAID = frozenset({Status.FAILED, Status.EXPIRED})

# A refund can arrive before the completion event (Stripe does not promise delivery order), so pending and
# processing orders may move straight to a refund state; nothing ever moves back towards pending.
ALLOWED_MOVES: dict[str, frozenset[str]] = {
    Status.PENDING: frozenset(
        {
            Status.PROCESSING,
            Status.PAID,
            Status.FAILED,
            Status.EXPIRED,
            Status.PARTIALLY_REFUNDED,
            Status.REFUNDED,
        }
    ),
    Status.PROCESSING: frozenset({Status.PAID, Status.FAILED, Status.PARTIALLY_REFUNDED, Status.REFUNDED}),
    Status.PAID: frozenset({Status.PARTIALLY_REFUNDED, Status.REFUNDED}),
    # Between the money-received states the status follows the refund records: a pending refund that then
    # fails (or is cancelled) gives the money back to the order. Never back to pending, processing or failed.
    Status.PARTIALLY_REFUNDED: frozenset({Status.REFUNDED, Status.PAID}),
    Status.REFUNDED: frozenset({Status.PARTIALLY_REFUNDED, Status.PAID}),
    Status.FAILED: frozenset(),
    Status.EXPIRED: frozenset(),
}


def can_move(old: str, new: str) -> bool:
    return new in ALLOWED_MOVES[old]


def move(order: Order, new: str, *, source: str) -> bool:
    """Set `order.status` to `new` if the machine allows it (caller holds the row lock and saves).

    Returns whether the status changed. `source` is the Stripe event id, or "success-page" and the like.
    """
    old = order.status
    if not can_move(old, new):
        if old != new:
            logger.info(
                "order %s %s: %s -> %s refused (no backward moves)", order.reference, source, old, new
            )
        return False
    order.status = new
    logger.info("order %s %s: %s -> %s", order.reference, source, old, new)
    note(order, "status", f"{Order.Status(old).label} → {Order.Status(new).label}", source=source)
    return True


def note(order: Order, kind: str, message: str, *, source: str) -> None:
    """One row of the order's history (shown on its admin page)."""
    OrderEvent.objects.create(order=order, kind=kind, message=message, source=source[:255])
