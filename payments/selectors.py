"""Finding the order a PaymentIntent (and so a charge, refund or dispute) belongs to. Our own records prove
it: the order's stored PaymentIntent, else a payment's. Our reference in Stripe's metadata only points at a
candidate (anyone with the account's key can write metadata): `order_for_payment_intent_here` uses it to
know which order to sync, never to record money. The `locked_` one locks the order row for a change (call
it inside a transaction)."""

from checkout.models import Order
from payments.models import Payment


def _owner(orders, intent_id: str) -> Order | None:
    """The order our records give the PaymentIntent: the order's own, else its payment's."""
    if not intent_id:
        return None
    order = orders.filter(stripe_payment_intent_id=intent_id).first()
    if order is None:
        payment = Payment.objects.filter(stripe_payment_intent_id=intent_id).first()
        order = orders.filter(pk=payment.order_id).first() if payment else None
    return order


def locked_order_for_payment_intent(
    intent_id: str, reference: str = "", *, session_intent_id: str = ""
) -> Order | None:
    """The order the PaymentIntent belongs to, locked; None when it is not one of ours. By our records, or
    by `reference` when the PaymentIntent is the one our Checkout Session names (`session_intent_id`,
    fetched from Stripe by the caller for that order)."""
    orders = Order.objects.select_for_update()
    order = _owner(orders, intent_id)
    if order is None and reference and intent_id and intent_id == session_intent_id:
        order = orders.filter(reference=reference).first()
    return order


def locked_order_named(reference: str) -> Order | None:
    """The order a Stripe object's reference points at, locked: only to flag it, never to record on it."""
    return Order.objects.select_for_update().filter(reference=reference).first() if reference else None


def order_for_payment_intent_here(intent_id: str, reference: str = "") -> Order | None:
    """Which order to look at for a PaymentIntent, without a lock, from our own records (no Stripe call),
    else the order our `reference` names: a hint, which the sync then checks against Stripe."""
    order = _owner(Order.objects.all(), intent_id)
    if order is None and reference:
        order = Order.objects.filter(reference=reference).first()
    return order
