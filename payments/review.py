"""The review queue: orders flagged for finance because Stripe's facts disagree with ours, and how staff
resolve them. A flag is written once per reason, kept in the order's history, and announced to
`FINANCE_ALERT_EMAIL` by a background task enqueued with it."""

import logging

from django.conf import settings
from django.db import transaction

from checkout import states
from checkout.models import Order
from payments import alerts

logger = logging.getLogger("checkout")


def flag(order: Order, reason: str, *, source: str) -> None:
    """Mark the order for review (once per reason), say why in its history, and alert finance.

    The caller holds the order's row lock inside a transaction.
    """
    if reason in order.review_reason:
        return
    order.needs_review = True
    order.review_reason = f"{order.review_reason}\n{reason}".strip()
    order.save(update_fields=["needs_review", "review_reason", "updated_at"])
    states.note(order, "flagged", reason, source=source)
    logger.warning("order %s %s: flagged for review: %s", order.reference, source, reason)
    if settings.FINANCE_ALERT_EMAIL:
        alerts.alert_finance.enqueue(order.pk, reason)


class NothingToResolve(Exception):
    pass


@transaction.atomic
def resolve(*, order_id: int, note: str, staff: str) -> Order:
    """Clear an order's flag with the staff member's note; the reasons stay in the history."""
    note = " ".join(note.split())
    if not note:
        raise ValueError("Say how the review was resolved.")
    order = Order.objects.select_for_update().get(pk=order_id)
    if not order.needs_review:
        raise NothingToResolve(f"{order.reference} is not flagged for review.")
    states.note(
        order, "review resolved", f"{note} (reasons were: {order.review_reason})", source=f"staff:{staff}"
    )
    order.needs_review = False
    order.review_reason = ""
    order.save(update_fields=["needs_review", "review_reason", "updated_at"])
    return order
