"""Every way of finding the order a Stripe object belongs to: by Checkout Session, by PaymentIntent, by our
reference. The `locked_` ones lock the order row for a change (call them inside a transaction)."""

from collections.abc import Mapping
from typing import Any

from checkout.models import Order, Payment, PaymentRequest
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


def _orders_for_payment_intent(orders, intent_id: str, reference: str) -> Order | None:
    """From our records (the order, else its payment), else by the reference Stripe keeps in metadata."""
    order = orders.filter(stripe_payment_intent_id=intent_id).first() if intent_id else None
    if order is None and intent_id:
        payment = Payment.objects.filter(stripe_payment_intent_id=intent_id).first()
        order = orders.filter(pk=payment.order_id).first() if payment else None
    if order is None and reference:
        order = orders.filter(reference=reference).first()
    return order


def locked_order_for_payment_intent(intent_id: str, reference: str = "") -> Order | None:
    return _orders_for_payment_intent(Order.objects.select_for_update(), intent_id, reference)


def order_for_payment_intent_here(intent_id: str, reference: str = "") -> Order | None:
    """The same lookup without a lock, from our own records only (no Stripe call)."""
    return _orders_for_payment_intent(Order.objects.all(), intent_id, reference)


def has_payment_request(order: Order) -> bool:
    """Whether the buyer asked someone else to pay this order (the buyer then stays the order's email)."""
    return PaymentRequest.objects.filter(order=order).exists()


def has_open_payment_request(order: Order) -> bool:
    return PaymentRequest.objects.filter(order=order, state__in=PaymentRequest.OPEN).exists()


def access_on_invoice(order: Order) -> bool:
    """Whether the order's access rests on an issued, unpaid invoice (INVOICE_ACCESS_ON_ISSUE): access
    reads this beside the order's money."""
    return PaymentRequest.objects.filter(
        order=order, state=PaymentRequest.State.ISSUED, access_on_issue=True
    ).exists()
