"""A payment request's states: which moves are allowed (forward only), each with its time and one row of
the order's history. Callers hold the order's row lock (always taken before the request's). What Stripe
says moves a request only through invoicing.request_state, which derives the state from Stripe's records;
the moves made here directly are the payer's and buyer's own choices (and Stripe refusing a draft)."""

from django.utils import timezone

from checkout import states
from checkout.models import Order
from invoicing.models import PaymentRequest

State = PaymentRequest.State

ALLOWED_MOVES: dict[str, frozenset[str]] = {
    State.SENT: frozenset({State.VIEWED, State.PREPARING, State.PAID, State.CANCELLED, State.CLOSED}),
    State.VIEWED: frozenset({State.PREPARING, State.PAID, State.CANCELLED, State.CLOSED}),
    # Stripe refused the invoice (a tax ID it does not accept, say): the payer may choose again.
    State.PREPARING: frozenset({State.VIEWED, State.ISSUED, State.PAID, State.CANCELLED, State.CLOSED}),
    State.ISSUED: frozenset({State.PAID, State.CANCELLED, State.CLOSED}),
    State.PAID: frozenset(),
    # Stripe accepts payment of an invoice marked uncollectible: the money still counts.
    State.CANCELLED: frozenset({State.PAID}),
    State.CLOSED: frozenset(),
}
TIMESTAMPS = {
    State.VIEWED: "viewed_at",
    State.PREPARING: "invoice_requested_at",
    State.ISSUED: "issued_at",
    State.PAID: "paid_at",
    State.CANCELLED: "cancelled_at",
    State.CLOSED: "closed_at",
}


def lock(request_id: int) -> PaymentRequest:
    """The request with its order, both locked (order first, as everywhere). Inside a transaction."""
    order_id = PaymentRequest.objects.values_list("order_id", flat=True).get(pk=request_id)
    Order.objects.select_for_update().get(pk=order_id)
    return PaymentRequest.objects.select_for_update().select_related("order").get(pk=request_id)


def move(request: PaymentRequest, new: str, *, source: str, reason: str = "") -> bool:
    """Move the request to `new` if allowed, stamp the time, save, and note it on the order."""
    old = request.state
    if new not in ALLOWED_MOVES[old]:
        return False
    request.state = new
    fields = ["state", "updated_at"]
    stamp = TIMESTAMPS.get(new)
    if stamp and getattr(request, stamp) is None:
        setattr(request, stamp, timezone.now())
        fields.append(stamp)
    if reason:
        request.end_reason = reason[:200]
        fields.append("end_reason")
    request.save(update_fields=fields)
    message = f"Payment request {State(old).label.lower()} → {State(new).label.lower()}"
    states.note(
        request.order, "payment request", f"{message}{f': {reason}' if reason else ''}.", source=source
    )
    return True
