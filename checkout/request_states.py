"""A payment request's states: which moves are allowed (forward only), each with its time and one row of
the order's history. Callers hold the order's row lock (always taken before the request's)."""

from django.utils import timezone

from checkout import states
from checkout.models import Order, PaymentRequest

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


def close_for_paid_order(order: Order, *, source: str, paid_invoice_id: str = "") -> None:
    """Money was received for the order: its open request is paid (by its own invoice) or closed (paid
    another way). An invoice already issued for a request closed this way is voided by a task, so nobody
    pays twice. The caller holds the order's row lock."""
    from checkout import tasks

    for request in PaymentRequest.objects.select_for_update().filter(
        order=order, state__in=PaymentRequest.OPEN
    ):
        if paid_invoice_id and request.stripe_invoice_id == paid_invoice_id:
            move(request, State.PAID, source=source)
            continue
        had_invoice = request.state in (State.PREPARING, State.ISSUED)
        move(request, State.CLOSED, source=source, reason="the order was paid another way")
        if had_invoice:
            tasks.void_request_invoice.enqueue(request.pk)
