"""Finding the order a Checkout Session belongs to: by its id, else by our reference. The `locked_` one locks
the order row for a change (call it inside a transaction). By PaymentIntent: payments.selectors."""

from collections.abc import Mapping
from typing import Any

from checkout.models import Order
from checkout.stripe_values import object_id
from common.text import single_line


def order_for_session_id(session_id: str) -> Order | None:
    return Order.objects.filter(stripe_session_id=session_id).first() if session_id else None


def link_session_by_reference(reference: str, session_id: str) -> Order | None:
    """The order with our `reference` that has no session id yet, now linked to `session_id` (a checkout
    started and the request died before the id was stored); None when there is none."""
    if not reference or not session_id:
        return None
    updated = Order.objects.filter(reference=reference, stripe_session_id__isnull=True).update(
        stripe_session_id=session_id
    )
    return Order.objects.filter(reference=reference).first() if updated else None


def locked_order_for_session(session: Mapping[str, Any]) -> Order | None:
    """The order a Checkout Session belongs to, locked for update; None when it is not one of ours.

    Matched by session id; by our reference only when the order has no session id yet (an order that
    already has another session never takes this one).
    """
    session_id = object_id(session.get("id"))
    if not session_id:
        return None
    orders = Order.objects.select_for_update()
    order = orders.filter(stripe_session_id=session_id).first()
    if order is not None:
        return order
    reference = single_line(session.get("client_reference_id"), 20) or single_line(
        (session.get("metadata") or {}).get("order_reference"), 20
    )
    if not reference:
        return None
    order = orders.filter(reference=reference, stripe_session_id__isnull=True).first()
    if order is not None:
        order.stripe_session_id = session_id
        order.save(update_fields=["stripe_session_id"])
    return order
