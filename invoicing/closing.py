"""What a payment request becomes when its order's money arrives: paid (by its own invoice, or by card
through the order's Checkout Session, which only the payer's page opens), and the payer's receipt. payments.status calls it through settings.PAYMENT_REQUEST_HOOKS
(invoicing.hooks)."""

from django.db.models import Sum

from catalog.money import format_money
from checkout.models import Order
from invoicing import request_state
from invoicing.converge import void_request_invoice
from invoicing.emails import send_payer_receipt
from invoicing.models import PaymentRequest
from payments.models import Payment
from payments.review import flag

State = PaymentRequest.State


def close_for_paid_order(order: Order, *, source: str) -> None:
    """Money was received for the order: its open request is paid. The order's money can only come from its
    request's invoice or from the order's Checkout Session, which only the payer's page opens (the buyer's
    own "Pay now" makes a new order), so either way the payer paid it: the request reads "paid", as after
    a bank transfer (invoicing.request_state derives it). An invoice already made for a request paid by card
    is voided by a task, so nobody pays twice. Money for an order whose request had already been cancelled
    (or declined) is flagged with its amount (the payer paid on a page left open, say): never kept
    silently. The caller holds the order's row lock.

    Whoever paid gets a receipt of their own."""
    requests = PaymentRequest.objects.select_for_update().filter(
        order=order, state__in=[*PaymentRequest.OPEN, State.CANCELLED]
    )
    for request in requests:
        if request_state.converge(request, order, source=source).withdraw:
            void_request_invoice.enqueue(request.pk)
    requests = PaymentRequest.objects.filter(order=order)
    live = requests.filter(state__in=[*PaymentRequest.OPEN, State.PAID]).first()
    if live is not None:
        send_payer_receipt.enqueue(live.pk)
    elif (cancelled := requests.filter(state=State.CANCELLED).first()) is not None:
        _flag_money_after_cancel(order, cancelled, source=source)


def _flag_money_after_cancel(order: Order, request: PaymentRequest, *, source: str) -> None:
    received = (
        order.payments.filter(status=Payment.Status.SUCCEEDED).aggregate(total=Sum("amount_cents"))["total"]
        or 0
    )
    flag(
        order,
        f"Stripe received {format_money(received, order.currency)} for the order after its payment request "
        f"was cancelled ({request.end_reason or 'cancelled'}): refund the payer, or keep it and tell the "
        "buyer.",
        source=source,
    )
