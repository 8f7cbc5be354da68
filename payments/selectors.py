"""Finding the order a PaymentIntent (and so a charge, refund or dispute) belongs to, from our own records:
the order, else its payment, else our reference in Stripe's metadata. The `locked_` one locks the order row
for a change (call it inside a transaction)."""

from checkout.models import Order
from payments.models import Payment


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
