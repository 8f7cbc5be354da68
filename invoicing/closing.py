"""What a payment request becomes when its order's money arrives: paid (by its own invoice) or closed (paid
another way). payments.status calls it through settings.PAYMENT_REQUEST_HOOKS (invoicing.hooks)."""

from checkout.models import Order
from invoicing.converge import void_request_invoice
from invoicing.models import PaymentRequest
from invoicing.states import move

State = PaymentRequest.State


def close_for_paid_order(order: Order, *, source: str, paid_invoice_id: str = "") -> None:
    """Money was received for the order: its open request is paid (by its own invoice) or closed (paid
    another way). An invoice already issued for a request closed this way is voided by a task, so nobody
    pays twice. The caller holds the order's row lock."""
    for request in PaymentRequest.objects.select_for_update().filter(
        order=order, state__in=PaymentRequest.OPEN
    ):
        if paid_invoice_id and request.stripe_invoice_id == paid_invoice_id:
            move(request, State.PAID, source=source)
            continue
        had_invoice = request.state in (State.PREPARING, State.ISSUED)
        move(request, State.CLOSED, source=source, reason="the order was paid another way")
        if had_invoice:
            void_request_invoice.enqueue(request.pk)
