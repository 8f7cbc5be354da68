"""Ask Stripe what is true now, then converge the order. Called by background tasks, the success page (for
the buyer's own session, through settings.CHECKOUT_SESSION_CONVERGE) and `reconcile_stripe`; never by the
webhook request.

An event only tells us which order to look at: its snapshot may be stale or arrive out of order, so the
session, refunds and disputes are fetched before anything is written. Converging is one module per kind:
payments.sessions, payments.refunds (refunds and disputes), payments.invoices; a payment request's invoice
is the invoicing app's (checkout.payers).
"""

import logging
from collections.abc import Mapping
from typing import Any

from checkout import payers, stripe_gateway
from checkout.models import Order
from checkout.stripe_values import object_id
from common.text import single_line
from payments import invoices, refunds, selectors, sessions
from payments.models import Payment

logger = logging.getLogger("checkout")


def sync_order(order_id: int, *, source: str) -> Order | None:
    """Fetch the order's session, refunds and disputes from Stripe and converge on all of them."""
    order = Order.objects.filter(pk=order_id).first()
    if order is None:
        return order
    intent_ids = []
    session_intent_id = ""
    if order.stripe_session_id:
        session = stripe_gateway.fetch_session(order.stripe_session_id)
        sessions.converge_session(session, source=source)
        session_intent_id = object_id(session.get("payment_intent"))
        intent_ids.append(session_intent_id)
    # A payment request's invoice is paid through its own PaymentIntent (no session): its refunds too.
    intent_ids += Payment.objects.filter(order_id=order_id, stripe_invoice_id__isnull=False).values_list(
        "stripe_payment_intent_id", flat=True
    )
    for intent_id in dict.fromkeys(i for i in intent_ids if i):
        for refund in stripe_gateway.refunds_of(intent_id):
            refunds.converge_refund(
                refund, source=source, reference=order.reference or "", session_intent_id=session_intent_id
            )
        for dispute in stripe_gateway.disputes_of(intent_id):
            refunds.converge_dispute(
                dispute, source=source, reference=order.reference or "", session_intent_id=session_intent_id
            )
    return Order.objects.get(pk=order_id)


def order_for_payment_intent(intent_id: str, reference: str = "") -> Order | None:
    """Our order for a PaymentIntent: from our records, else from the reference Stripe keeps in the
    PaymentIntent's metadata (a refund or dispute may arrive before the payment was recorded here)."""
    if not intent_id and not reference:
        return None
    order = selectors.order_for_payment_intent_here(intent_id, reference)
    if order is None and not reference and intent_id:
        reference = single_line(stripe_gateway.payment_intent_reference(intent_id), 20)
        order = selectors.order_for_payment_intent_here("", reference)
    return order


def handle_session_event(data: Mapping[str, Any], *, source: str) -> Order | None:
    session_id = object_id(data.get("id"))
    if not session_id.startswith("cs_"):
        return None
    return sessions.converge_session(stripe_gateway.fetch_session(session_id), source=source)


def handle_money_event(data: Mapping[str, Any], *, source: str) -> Order | None:
    """A charge, refund or dispute event: find the order, then sync everything Stripe has for it."""
    reference = single_line((data.get("metadata") or {}).get("order_reference"), 20)
    order = order_for_payment_intent(object_id(data.get("payment_intent")), reference)
    if order is None:
        logger.warning("%s %s (%s) matches no order", data.get("object"), object_id(data.get("id")), source)
        return None
    return sync_order(order.pk, source=source)


def handle_invoice_event(data: Mapping[str, Any], *, source: str) -> Order | None:
    """A payment request's invoice converges its request and order; any other invoice (the one Checkout
    makes after a card payment) is stored on its order."""
    invoice_id = object_id(data.get("id"))
    if not invoice_id.startswith("in_"):
        return None
    invoice = stripe_gateway.fetch_invoice(invoice_id)
    return payers.converge_request_invoice(invoice, source=source) or invoices.converge_invoice(
        invoice, source=source
    )
